/* monitor-cpu-chart.c: a live chart of per-core CPU utilisation
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A chart of its own in the manner of GNOME System Monitor's CPU graph, fed
 * by a GListModel of MpaioCpuSample (an MpaioCpuMonitor's samples, or any
 * store of them):
 *
 * - the background (frame, grid, labels) is drawn once into a texture and
 *   redrawn only when the size, the style or the axis change;
 * - the series are drawn into a texture when a sample arrives, and between
 *   samples that texture slides left under a clip, frame by frame, so the
 *   chart scrolls smoothly at the cost of one textured quad;
 * - the legend, with each core's current value, is redrawn per sample;
 * - a tick callback drives the scrolling only while the widget is mapped and
 *   follows the clock: a hidden chart does no drawing at all (the
 *   MonitorChartFollower it shares with the chunk timeline).
 *
 * Times on the chart are those of the monotonic clock (the frame clock's, and
 * the one chunk records use); a sample taken at `t` seconds is at
 * `time-origin + t × 10⁶` µs.
 */

#include "monitor-chart-drawing.h"
#include "monitor-cpu-chart.h"

#define DEFAULT_HISTORY 60.0

struct _MonitorCpuChart
{
  GtkWidget parent_instance;

  GListModel          *model;
  gint64               time_origin;
  MonitorChartFollower follower; /* history, frozen time, scrolling */
  gboolean             show_total;
  gboolean             stacked;
  guint                n_cores;
  char               **core_names; /* host/core_N, for the cores of several machines */

  /* What the caches were drawn for. */
  gboolean           layout_valid;
  MonitorChartLayout layout;
  int                scale;
  GdkTexture        *background;
  GdkTexture        *legend;
  GdkTexture        *lines;
  double             lines_end; /* the samples' time at the right edge */

  /* How often each cache was drawn, for the tests to check they are caches. */
  guint n_background_renders;
  guint n_lines_renders;
};

G_DEFINE_FINAL_TYPE (MonitorCpuChart, monitor_cpu_chart, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_MODEL,
  PROP_TIME_ORIGIN,
  PROP_HISTORY,
  PROP_SHOW_TOTAL,
  PROP_FROZEN_TIME,
  PROP_N_CORES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
invalidate_series (MonitorCpuChart *self)
{
  g_clear_object (&self->lines);
  g_clear_object (&self->legend);
}

static void
invalidate_all (MonitorCpuChart *self)
{
  self->layout_valid = FALSE;
  g_clear_object (&self->background);
  invalidate_series (self);
}

/* The time at the right edge, in µs of the monotonic clock. */
gint64
monitor_cpu_chart_get_end_time (MonitorCpuChart *self)
{
  g_return_val_if_fail (MONITOR_IS_CPU_CHART (self), 0);

  return monitor_chart_follower_get_end_time (&self->follower);
}

static double
get_end_seconds (MonitorCpuChart *self)
{
  return (double) (monitor_cpu_chart_get_end_time (self) - self->time_origin) / G_USEC_PER_SEC;
}

typedef void (*DrawFunc) (MonitorCpuChart *self,
                          cairo_t         *cr);

/* Draws with cairo into a texture at the widget's scale, which GTK uploads
 * once and then reuses frame after frame. */
static GdkTexture *
render_texture (MonitorCpuChart *self,
                int              width,
                int              height,
                DrawFunc         draw)
{
  g_autoptr(GBytes) bytes = NULL;
  cairo_surface_t *surface;
  gsize            stride;
  cairo_t         *cr;
  int              pixel_width = MAX (width, 1) * self->scale;
  int              pixel_height = MAX (height, 1) * self->scale;
  GdkTexture      *texture;

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, pixel_width, pixel_height);
  cairo_surface_set_device_scale (surface, self->scale, self->scale);
  cr = cairo_create (surface);
  pango_cairo_update_context (cr, gtk_widget_get_pango_context (GTK_WIDGET (self)));
  draw (self, cr);
  cairo_destroy (cr);
  cairo_surface_flush (surface);

  /* Cairo's ARGB32 is GDK_MEMORY_DEFAULT: premultiplied, native-endian. */
  stride = (gsize) cairo_image_surface_get_stride (surface);
  bytes = g_bytes_new_with_free_func (cairo_image_surface_get_data (surface), stride * pixel_height,
                                      (GDestroyNotify) cairo_surface_destroy, surface);
  texture = gdk_memory_texture_new (pixel_width, pixel_height, GDK_MEMORY_DEFAULT, bytes, stride);

  return texture;
}

static void
draw_background (MonitorCpuChart *self,
                 cairo_t         *cr)
{
  /* A static grid labelled by age, as in GNOME System Monitor: the lines
   * move, the grid does not. */
  MonitorChartAxis axis = { -self->follower.history, 0.0, TRUE };
  GdkRGBA          foreground;

  monitor_chart_get_foreground (GTK_WIDGET (self), &foreground);
  monitor_chart_draw_background (cr, gtk_widget_get_pango_context (GTK_WIDGET (self)),
                                 &self->layout, &axis, &foreground);
}

static void
draw_lines (MonitorCpuChart *self,
            cairo_t         *cr)
{
  MonitorChartAxis axis = { self->lines_end - self->follower.history, self->lines_end, FALSE };
  GdkRGBA          foreground;

  monitor_chart_get_foreground (GTK_WIDGET (self), &foreground);
  /* The texture covers the plot only. */
  cairo_translate (cr, -self->layout.plot.x, -self->layout.plot.y);
  if (self->stacked)
    monitor_chart_fill_stacked (cr, &self->layout, &axis, self->model);
  else
    monitor_chart_draw_series (cr, &self->layout, &axis, self->model, self->show_total,
                               &foreground);
}

static void
draw_legend (MonitorCpuChart *self,
             cairo_t         *cr)
{
  g_autoptr(MpaioCpuSample) current = NULL;
  GdkRGBA foreground;

  monitor_chart_get_foreground (GTK_WIDGET (self), &foreground);
  if (self->model != NULL)
    current = monitor_chart_get_sample_at (self->model, get_end_seconds (self));

  cairo_translate (cr, -self->layout.legend.x, -self->layout.legend.y);
  monitor_chart_draw_legend (cr, gtk_widget_get_pango_context (GTK_WIDGET (self)), &self->layout,
                             current, self->n_cores, (const char *const *) self->core_names,
                             self->show_total, &foreground);
}

static void
ensure_layout (MonitorCpuChart *self)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));

  if (self->layout_valid && self->layout.width == width && self->layout.height == height && self->scale == scale)
    return;

  invalidate_all (self);
  self->scale = scale;
  monitor_chart_layout_init (&self->layout, gtk_widget_get_pango_context (GTK_WIDGET (self)), width,
                             height, self->n_cores, (const char *const *) self->core_names,
                             self->show_total);
  self->layout_valid = TRUE;
}

static void
monitor_cpu_chart_snapshot (GtkWidget   *widget,
                            GtkSnapshot *snapshot)
{
  MonitorCpuChart         *self = MONITOR_CPU_CHART (widget);
  const cairo_rectangle_t *plot;
  double                   end = get_end_seconds (self);
  double                   shift;

  ensure_layout (self);
  plot = &self->layout.plot;

  if (self->background == NULL)
    {
      self->background = render_texture (self, self->layout.width, self->layout.height,
                                         draw_background);
      self->n_background_renders++;
    }
  gtk_snapshot_append_texture (snapshot, self->background,
                               &GRAPHENE_RECT_INIT (0, 0, self->layout.width, self->layout.height));

  if (self->model == NULL)
    return;

  if (self->lines == NULL)
    {
      self->lines_end = end;
      self->lines = render_texture (self, (int) plot->width, (int) plot->height, draw_lines);
      self->n_lines_renders++;
    }

  /* Between samples, the lines drawn for lines_end slide left by the time
   * elapsed since. */
  shift = (end - self->lines_end) / self->follower.history * plot->width;
  gtk_snapshot_push_clip (snapshot,
                          &GRAPHENE_RECT_INIT (plot->x, plot->y, plot->width, plot->height));
  gtk_snapshot_append_texture (snapshot, self->lines,
                               &GRAPHENE_RECT_INIT (plot->x - shift, plot->y,
                                                    (int) plot->width, (int) plot->height));
  gtk_snapshot_pop (snapshot);

  if (self->layout.legend.height > 0)
    {
      const cairo_rectangle_t *legend = &self->layout.legend;

      if (self->legend == NULL)
        self->legend = render_texture (self, (int) legend->width, (int) legend->height,
                                       draw_legend);
      gtk_snapshot_append_texture (snapshot, self->legend,
                                   &GRAPHENE_RECT_INIT (legend->x, legend->y, (int) legend->width,
                                                        (int) legend->height));
    }
}

static void
monitor_cpu_chart_measure (GtkWidget     *widget,
                           GtkOrientation orientation,
                           int            for_size,
                           int           *minimum,
                           int           *natural,
                           int           *minimum_baseline,
                           int           *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = MONITOR_CHART_MARGIN_LEFT + MONITOR_CHART_MARGIN_RIGHT + 120;
      *natural = 640;
    }
  else
    {
      *minimum = 160;
      *natural = 300;
    }
}

static void
monitor_cpu_chart_css_changed (GtkWidget         *widget,
                               GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (monitor_cpu_chart_parent_class)->css_changed (widget, change);

  /* Colours and fonts may have changed: every cache is stale. */
  invalidate_all (MONITOR_CPU_CHART (widget));
  gtk_widget_queue_draw (widget);
}

static void
on_scale_factor_changed (MonitorCpuChart *self)
{
  invalidate_all (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
set_n_cores (MonitorCpuChart *self,
             guint            n_cores)
{
  if (self->n_cores == n_cores)
    return;

  self->n_cores = n_cores;
  /* The legend's rows take height from the plot. */
  invalidate_all (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_CORES]);
}

static void
update_n_cores (MonitorCpuChart *self)
{
  guint n_items = self->model != NULL ? g_list_model_get_n_items (self->model) : 0;
  g_autoptr(MpaioCpuSample) last = NULL;

  if (n_items == 0)
    return;

  last = g_list_model_get_item (self->model, n_items - 1);
  set_n_cores (self, MAX (self->n_cores, mpaio_cpu_sample_get_n_cores (last)));
}

static void
on_items_changed (GListModel      *model,
                  guint            position,
                  guint            removed,
                  guint            added,
                  MonitorCpuChart *self)
{
  update_n_cores (self);
  invalidate_series (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
monitor_cpu_chart_dispose (GObject *object)
{
  MonitorCpuChart *self = MONITOR_CPU_CHART (object);

  monitor_cpu_chart_set_model (self, NULL);
  invalidate_all (self);
  g_clear_pointer (&self->core_names, g_strfreev);

  G_OBJECT_CLASS (monitor_cpu_chart_parent_class)->dispose (object);
}

static void
monitor_cpu_chart_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  MonitorCpuChart *self = MONITOR_CPU_CHART (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_object (value, self->model);
      break;

    case PROP_TIME_ORIGIN:
      g_value_set_int64 (value, self->time_origin);
      break;

    case PROP_HISTORY:
      g_value_set_double (value, self->follower.history);
      break;

    case PROP_SHOW_TOTAL:
      g_value_set_boolean (value, self->show_total);
      break;

    case PROP_FROZEN_TIME:
      g_value_set_int64 (value, self->follower.frozen_time);
      break;

    case PROP_N_CORES:
      g_value_set_uint (value, self->n_cores);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
monitor_cpu_chart_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  MonitorCpuChart *self = MONITOR_CPU_CHART (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      monitor_cpu_chart_set_model (self, g_value_get_object (value));
      break;

    case PROP_TIME_ORIGIN:
      monitor_cpu_chart_set_time_origin (self, g_value_get_int64 (value));
      break;

    case PROP_HISTORY:
      monitor_cpu_chart_set_history (self, g_value_get_double (value));
      break;

    case PROP_SHOW_TOTAL:
      monitor_cpu_chart_set_show_total (self, g_value_get_boolean (value));
      break;

    case PROP_FROZEN_TIME:
      monitor_cpu_chart_set_frozen_time (self, g_value_get_int64 (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
monitor_cpu_chart_class_init (MonitorCpuChartClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = monitor_cpu_chart_dispose;
  object_class->get_property = monitor_cpu_chart_get_property;
  object_class->set_property = monitor_cpu_chart_set_property;

  widget_class->snapshot = monitor_cpu_chart_snapshot;
  widget_class->measure = monitor_cpu_chart_measure;
  widget_class->css_changed = monitor_cpu_chart_css_changed;

  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_TIME_ORIGIN] =
    g_param_spec_int64 ("time-origin", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_HISTORY] =
    g_param_spec_double ("history", NULL, NULL, MIN_HISTORY, 24 * 3600.0, DEFAULT_HISTORY,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_SHOW_TOTAL] =
    g_param_spec_boolean ("show-total", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_FROZEN_TIME] =
    g_param_spec_int64 ("frozen-time", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_N_CORES] =
    g_param_spec_uint ("n-cores", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "cpuchart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
monitor_cpu_chart_init (MonitorCpuChart *self)
{
  monitor_chart_follower_init (&self->follower, GTK_WIDGET (self), DEFAULT_HISTORY);
  self->scale = 1;

  g_signal_connect_swapped (self, "notify::scale-factor", G_CALLBACK (on_scale_factor_changed),
                            self);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  "CPU utilisation per core", -1);
}

GtkWidget *
monitor_cpu_chart_new (void)
{
  return g_object_new (MONITOR_TYPE_CPU_CHART, NULL);
}

GListModel *
monitor_cpu_chart_get_model (MonitorCpuChart *self)
{
  g_return_val_if_fail (MONITOR_IS_CPU_CHART (self), NULL);

  return self->model;
}

/**
 * monitor_cpu_chart_set_model:
 * @self: a chart
 * @model: (nullable): a model of #MpaioCpuSample, in time order
 *
 * The samples to draw. The chart redraws when the model changes.
 */
void
monitor_cpu_chart_set_model (MonitorCpuChart *self,
                             GListModel      *model)
{
  g_return_if_fail (MONITOR_IS_CPU_CHART (self));
  g_return_if_fail (model == NULL || G_IS_LIST_MODEL (model));

  if (self->model == model)
    return;

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_func (self->model, on_items_changed, self);

  g_set_object (&self->model, model);
  /* Counted again from this model's samples. */
  set_n_cores (self, 0);

  if (model != NULL)
    g_signal_connect_object (model, "items-changed", G_CALLBACK (on_items_changed), self, 0);

  update_n_cores (self);
  invalidate_series (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

gint64
monitor_cpu_chart_get_time_origin (MonitorCpuChart *self)
{
  g_return_val_if_fail (MONITOR_IS_CPU_CHART (self), 0);

  return self->time_origin;
}

/**
 * monitor_cpu_chart_set_time_origin:
 * @self: a chart
 * @time_origin: µs of the monotonic clock
 *
 * When the samples' time 0 was: an #MpaioCpuMonitor's start time.
 */
void
monitor_cpu_chart_set_time_origin (MonitorCpuChart *self,
                                   gint64           time_origin)
{
  g_return_if_fail (MONITOR_IS_CPU_CHART (self));

  if (self->time_origin == time_origin)
    return;

  self->time_origin = time_origin;
  invalidate_series (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIME_ORIGIN]);
}

double
monitor_cpu_chart_get_history (MonitorCpuChart *self)
{
  g_return_val_if_fail (MONITOR_IS_CPU_CHART (self), DEFAULT_HISTORY);

  return self->follower.history;
}

/**
 * monitor_cpu_chart_set_history:
 * @self: a chart
 * @history: seconds
 *
 * How much time the chart spans, 60 s by default.
 */
void
monitor_cpu_chart_set_history (MonitorCpuChart *self,
                               double           history)
{
  g_return_if_fail (MONITOR_IS_CPU_CHART (self));
  g_return_if_fail (history >= MIN_HISTORY);

  if (self->follower.history == history)
    return;

  self->follower.history = history;
  invalidate_all (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HISTORY]);
}

gboolean
monitor_cpu_chart_get_show_total (MonitorCpuChart *self)
{
  g_return_val_if_fail (MONITOR_IS_CPU_CHART (self), FALSE);

  return self->show_total;
}

/**
 * monitor_cpu_chart_set_show_total:
 * @self: a chart
 * @show_total: whether to draw the machine's total
 *
 * The total is a dashed line over the cores', with a legend entry.
 */
void
monitor_cpu_chart_set_show_total (MonitorCpuChart *self,
                                  gboolean         show_total)
{
  g_return_if_fail (MONITOR_IS_CPU_CHART (self));

  show_total = !!show_total;
  if (self->show_total == show_total)
    return;

  self->show_total = show_total;
  invalidate_all (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_TOTAL]);
}

gboolean
monitor_cpu_chart_get_stacked (MonitorCpuChart *self)
{
  g_return_val_if_fail (MONITOR_IS_CPU_CHART (self), FALSE);

  return self->stacked;
}

/**
 * monitor_cpu_chart_set_stacked:
 * @self: a chart
 * @stacked: whether to stack the cores
 *
 * Stacked, each core is a band of its share of the machine over the core
 * below it: many cores stay readable where their lines would tangle.
 */
void
monitor_cpu_chart_set_stacked (MonitorCpuChart *self,
                               gboolean         stacked)
{
  g_return_if_fail (MONITOR_IS_CPU_CHART (self));

  stacked = !!stacked;
  if (self->stacked == stacked)
    return;

  self->stacked = stacked;
  invalidate_all (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gint64
monitor_cpu_chart_get_frozen_time (MonitorCpuChart *self)
{
  g_return_val_if_fail (MONITOR_IS_CPU_CHART (self), 0);

  return self->follower.frozen_time;
}

/**
 * monitor_cpu_chart_set_frozen_time:
 * @self: a chart
 * @frozen_time: µs of the monotonic clock, or 0
 *
 * A time to hold at the right edge (a paused chart), or 0 to follow the
 * clock.
 */
void
monitor_cpu_chart_set_frozen_time (MonitorCpuChart *self,
                                   gint64           frozen_time)
{
  g_return_if_fail (MONITOR_IS_CPU_CHART (self));

  if (!monitor_chart_follower_set_frozen_time (&self->follower, frozen_time))
    return;

  invalidate_series (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FROZEN_TIME]);
}

guint
monitor_cpu_chart_get_n_cores (MonitorCpuChart *self)
{
  g_return_val_if_fail (MONITOR_IS_CPU_CHART (self), 0);

  return self->n_cores;
}

/**
 * monitor_cpu_chart_get_plot_area:
 * @self: a chart
 * @area: (out caller-allocates): where the series are drawn
 *
 * Returns: %FALSE if the chart has no size yet
 */
gboolean
monitor_cpu_chart_get_plot_area (MonitorCpuChart *self,
                                 graphene_rect_t *area)
{
  g_return_val_if_fail (MONITOR_IS_CPU_CHART (self), FALSE);
  g_return_val_if_fail (area != NULL, FALSE);

  if (gtk_widget_get_width (GTK_WIDGET (self)) <= 0)
    return FALSE;

  ensure_layout (self);
  graphene_rect_init (area, self->layout.plot.x, self->layout.plot.y, self->layout.plot.width,
                      self->layout.plot.height);

  return TRUE;
}

/**
 * monitor_cpu_chart_get_render_counts:
 * @self: a chart
 * @background: (out) (optional): how often the background was drawn
 * @lines: (out) (optional): how often the series were drawn
 *
 * For tests: the caches are redrawn only when they must be.
 */
void
monitor_cpu_chart_get_render_counts (MonitorCpuChart *self,
                                     guint           *background,
                                     guint           *lines)
{
  g_return_if_fail (MONITOR_IS_CPU_CHART (self));

  if (background != NULL)
    *background = self->n_background_renders;
  if (lines != NULL)
    *lines = self->n_lines_renders;
}

/**
 * monitor_cpu_chart_render_image:
 * @self: a chart
 * @width: the image's width
 * @height: the image's height
 *
 * Draws what the chart shows now, dark on white, for a PNG; labelled with
 * the samples' own times so that it matches their CSV.
 *
 * Returns: (transfer full): an ARGB32 image surface
 */
cairo_surface_t *
monitor_cpu_chart_render_image (MonitorCpuChart *self,
                                int              width,
                                int              height)
{
  g_autoptr(GListStore) empty = NULL;
  double           end;
  MonitorChartAxis axis;

  g_return_val_if_fail (MONITOR_IS_CPU_CHART (self), NULL);

  end = get_end_seconds (self);
  axis = (MonitorChartAxis){ end - self->follower.history, end, FALSE };
  if (self->model == NULL)
    empty = g_list_store_new (MPAIO_TYPE_CPU_SAMPLE);

  return monitor_chart_render_image (self->model != NULL ? self->model : G_LIST_MODEL (empty), &axis,
                                     self->n_cores, (const char *const *) self->core_names,
                                     self->show_total, width, height);
}

/**
 * monitor_cpu_chart_set_core_names:
 * @self: a chart
 * @core_names: (nullable): the cores' names, `host/core_N`, as a run across
 *   hosts names them (mpaio_run_report_get_cpu_core_names()), or %NULL for
 *   the cores of one machine
 *
 * Names the legend's entries with the machine of each core.
 */
void
monitor_cpu_chart_set_core_names (MonitorCpuChart   *self,
                                  const char *const *core_names)
{
  const char *const *current;
  gboolean           same;

  g_return_if_fail (MONITOR_IS_CPU_CHART (self));

  current = (const char *const *) self->core_names;
  if (current == NULL && core_names == NULL)
    return;
  same = current != NULL && core_names != NULL && g_strv_equal (current, core_names);
  if (same)
    return;

  g_strfreev (self->core_names);
  self->core_names = g_strdupv ((char **) core_names);
  /* Longer names take wider legend columns. */
  invalidate_all (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * monitor_cpu_chart_get_core_names:
 * @self: a chart
 *
 * Returns: (transfer none) (nullable): the cores' names, or %NULL
 */
const char *const *
monitor_cpu_chart_get_core_names (MonitorCpuChart *self)
{
  g_return_val_if_fail (MONITOR_IS_CPU_CHART (self), NULL);

  return (const char *const *) self->core_names;
}
