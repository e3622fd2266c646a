/* monitor-chart-drawing.c: the CPU chart drawn with cairo, for widgets and files
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Everything here draws on a plain cairo_t with a PangoContext, so the live
 * widget, its PNG export and `mpaio-monitor --render` (which has no display)
 * draw the same chart. Only MonitorChartFollower, the live time axis of the
 * chart and the chunk timeline, needs a widget.
 */

#include <math.h>

#include <pango/pangocairo.h>

#include <glib/gi18n.h>

#include "monitor-chart-drawing.h"
#include "monitor-chart-palette.h"

#define LABEL_SCALE           0.85
#define LABEL_GAP             6.0
#define MIN_TICK_SPACE        64.0
#define SWATCH_SIZE           10.0
#define LEGEND_SPACING        16.0
#define MAX_LEGEND_ROWS_SHARE 0.4

/* Candidate distances between vertical grid lines, in seconds. */
static const double tick_steps[] = {
  0.0001,
  0.0002,
  0.0005,
  0.001,
  0.002,
  0.005,
  0.01,
  0.02,
  0.05,
  0.1,
  0.2,
  0.5,
  1,
  2,
  5,
  10,
  15,
  20,
  30,
  60,
  120,
  300,
  600,
  900,
  1800,
  3600,
  7200,
  21600,
  86400,
};

static PangoLayout *
create_label_layout (PangoContext *context,
                     const char   *text,
                     double        scale)
{
  PangoLayout *layout = pango_layout_new (context);

  if (scale != 1.0)
    {
      g_autoptr(PangoAttrList) attrs = pango_attr_list_new ();

      pango_attr_list_insert (attrs, pango_attr_scale_new (scale));
      pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum"));
      pango_layout_set_attributes (layout, attrs);
    }
  pango_layout_set_text (layout, text, -1);

  return layout;
}

static void
get_text_size (PangoContext *context,
               const char   *text,
               double        scale,
               double       *width,
               double       *height)
{
  g_autoptr(PangoLayout) layout = create_label_layout (context, text, scale);
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  if (width != NULL)
    *width = w;
  if (height != NULL)
    *height = h;
}

/**
 * monitor_chart_get_core_label:
 * @core_names: (nullable): the cores' names, `host/core_N`, as
 *   mpaio_run_report_get_cpu_core_names() gives them for a run across hosts
 * @core: the core's index in a sample
 *
 * The legend's name for a core: "CPU1".."CPUn" as GNOME System Monitor
 * names them, with the machine in front ("node-a CPU1") when the cores are
 * named with their host; another name is shown as it is.
 *
 * Returns: (transfer full): the label
 */
char *
monitor_chart_get_core_label (const char *const *core_names,
                              guint              core)
{
  const char *name, *slash;
  guint64     number;
  char       *end;

  if (core_names == NULL || core >= g_strv_length ((char **) core_names))
    return g_strdup_printf ("CPU%u", core + 1);

  name = core_names[core];
  slash = strrchr (name, '/');
  if (slash == NULL || !g_str_has_prefix (slash + 1, "core_"))
    return g_strdup (name);
  number = g_ascii_strtoull (slash + 1 + strlen ("core_"), &end, 10);
  if (end == slash + 1 + strlen ("core_") || *end != '\0' || number >= G_MAXUINT)
    return g_strdup (name);

  return g_strdup_printf ("%.*s CPU%u", (int) (slash - name), name, (guint) number + 1);
}

/**
 * monitor_chart_layout_init:
 * @layout: (out caller-allocates): the layout to compute
 * @context: the Pango context the chart's text will use
 * @width: the chart's width
 * @height: the chart's height
 * @n_cores: the number of per-core series
 * @core_names: (nullable): the series' names, `host/core_N`, for the cores
 *   of several machines
 * @show_total: whether the total is a series too
 *
 * Places the plot, its labels and the legend in a chart of @width by
 * @height: the legend below the plot, in as many columns as fit.
 */
void
monitor_chart_layout_init (MonitorChartLayout *layout,
                           PangoContext       *context,
                           int                 width,
                           int                 height,
                           guint               n_cores,
                           const char *const  *core_names,
                           gboolean            show_total)
{
  double label_height, entry_text_width;
  double top, bottom, legend_height;
  guint  n_rows;

  g_return_if_fail (layout != NULL);
  g_return_if_fail (PANGO_IS_CONTEXT (context));

  *layout = (MonitorChartLayout){ 0 };
  layout->width = MAX (width, 1);
  layout->height = MAX (height, 1);
  layout->n_entries = n_cores + (show_total ? 1 : 0);

  get_text_size (context, "100 %", LABEL_SCALE, NULL, &label_height);
  /* The widest entry a legend can hold, so columns never shift as values
   * change. */
  get_text_size (context, "CPU888 100.0 %", LABEL_SCALE, &entry_text_width, &layout->line_height);
  /* Cores named with their machine: room for the longest name. */
  for (guint core = 0; core_names != NULL && core < n_cores && core_names[core] != NULL; core++)
    {
      g_autofree char *label = monitor_chart_get_core_label (core_names, core);
      g_autofree char *entry = g_strdup_printf ("%s 100.0 %%", label);
      double           entry_width;

      get_text_size (context, entry, LABEL_SCALE, &entry_width, NULL);
      entry_text_width = MAX (entry_text_width, entry_width);
    }
  layout->line_height += 4.0;
  layout->entry_width = SWATCH_SIZE + LABEL_GAP + entry_text_width + LEGEND_SPACING;

  layout->legend.x = MONITOR_CHART_MARGIN_LEFT;
  layout->legend.width = MAX (layout->width - MONITOR_CHART_MARGIN_LEFT - MONITOR_CHART_MARGIN_RIGHT,
                              layout->entry_width);
  layout->n_columns = MAX (1, (guint) (layout->legend.width / layout->entry_width));
  n_rows = (layout->n_entries + layout->n_columns - 1) / layout->n_columns;
  legend_height = n_rows * layout->line_height;

  /* Many cores on a small chart: the plot keeps most of the height, the
   * legend shows the rows that fit. */
  legend_height = MIN (legend_height, floor (layout->height * MAX_LEGEND_ROWS_SHARE / layout->line_height) * layout->line_height);

  /* Half a label above the plot, so the "100 %" label is not cut. */
  top = ceil (label_height / 2.0);
  bottom = LABEL_GAP / 2.0 + label_height + (legend_height > 0 ? LABEL_GAP : 0) + legend_height;

  layout->plot.x = MONITOR_CHART_MARGIN_LEFT;
  layout->plot.y = top;
  layout->plot.width = MAX (layout->width - MONITOR_CHART_MARGIN_LEFT - MONITOR_CHART_MARGIN_RIGHT, 1);
  layout->plot.height = MAX (layout->height - top - bottom, 1);

  layout->legend.y = layout->plot.y + layout->plot.height + LABEL_GAP / 2.0 + label_height + LABEL_GAP;
  layout->legend.height = legend_height;
}

/**
 * monitor_chart_axis_get_ticks:
 * @axis: the axis
 * @width: the width of the plot the axis spans
 * @ticks: (out caller-allocates) (array length=max_ticks): the times of the ticks
 * @max_ticks: the length of @ticks
 *
 * The times of the vertical grid lines, far enough apart for their labels:
 * counted back from the end on a live axis, so they never move, and at round
 * times otherwise.
 *
 * Returns: the number of ticks stored
 */
guint
monitor_chart_axis_get_ticks (const MonitorChartAxis *axis,
                              double                  width,
                              double                 *ticks,
                              guint                   max_ticks)
{
  double span = axis->end - axis->start;
  double step = tick_steps[G_N_ELEMENTS (tick_steps) - 1];
  guint  n = 0;

  if (!(span > 0) || width <= 0)
    return 0;

  for (guint i = 0; i < G_N_ELEMENTS (tick_steps); i++)
    {
      if (tick_steps[i] / span * width >= MIN_TICK_SPACE)
        {
          step = tick_steps[i];
          break;
        }
    }

  if (axis->seconds_ago)
    {
      for (double t = axis->end; t >= axis->start - 1e-9 && n < max_ticks; t -= step)
        ticks[n++] = t;
    }
  else
    {
      double first = ceil (axis->start / step - 1e-9) * step;

      for (double t = first; t <= axis->end + 1e-9 && n < max_ticks; t += step)
        ticks[n++] = t;
    }

  return n;
}

/**
 * monitor_chart_axis_to_x:
 * @axis: the axis
 * @plot: the plot the axis spans
 * @time: a time on the axis, in seconds
 *
 * Returns: the x coordinate of @time
 */
double
monitor_chart_axis_to_x (const MonitorChartAxis  *axis,
                         const cairo_rectangle_t *plot,
                         double                   time)
{
  double span = axis->end - axis->start;

  if (!(span > 0))
    return plot->x + plot->width;

  return plot->x + (time - axis->start) / span * plot->width;
}

/**
 * monitor_chart_value_to_y:
 * @plot: the plot
 * @percent: a utilisation in percent
 *
 * The plot is inset by half a line, so that lines at 0 % and 100 % show
 * whole instead of half cut by the plot's edge.
 *
 * Returns: the y coordinate of @percent
 */
double
monitor_chart_value_to_y (const cairo_rectangle_t *plot,
                          double                   percent)
{
  double inset = MONITOR_CHART_LINE_WIDTH / 2.0;

  percent = CLAMP (percent, 0.0, 100.0);

  return plot->y + inset + (plot->height - 2.0 * inset) * (1.0 - percent / 100.0);
}

static void
format_seconds (char  *buf,
                gsize  size,
                double seconds)
{
  /* Ticks counted down to the end can land on -0. */
  seconds += 0.0;
  if (fabs (seconds) < 1e-9)
    seconds = 0.0;

  if (seconds >= 120 && fmod (seconds, 60.0) == 0)
    g_snprintf (buf, size, "%.0f min", seconds / 60.0);
  else if (fabs (seconds - round (seconds)) < 1e-6)
    g_snprintf (buf, size, "%.0f s", seconds);
  else if (fabs (seconds) >= 1.0)
    g_snprintf (buf, size, "%.1f s", seconds);
  else if (fabs (seconds * 1000 - round (seconds * 1000)) < 1e-6)
    g_snprintf (buf, size, "%.0f ms", seconds * 1000);
  else
    g_snprintf (buf, size, "%.1f ms", seconds * 1000);
}

static void
show_label (cairo_t      *cr,
            PangoContext *context,
            const char   *text,
            double        x,
            double        y,
            double        x_align,
            double        y_align,
            double        min_x,
            double        max_x)
{
  g_autoptr(PangoLayout) layout = create_label_layout (context, text, LABEL_SCALE);
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  x = CLAMP (x - w * x_align, min_x, MAX (min_x, max_x - w));
  cairo_move_to (cr, round (x), round (y - h * y_align));
  pango_cairo_show_layout (cr, layout);
}

static void
set_source_alpha (cairo_t       *cr,
                  const GdkRGBA *color,
                  double         alpha)
{
  cairo_set_source_rgba (cr, color->red, color->green, color->blue, color->alpha * alpha);
}

/**
 * monitor_chart_draw_background:
 * @cr: where to draw
 * @context: the Pango context for the labels
 * @layout: the chart's layout
 * @axis: the time axis
 * @foreground: the colour of text; the grid and frame are shades of it
 *
 * Draws what does not change between samples: the frame, the grid and the
 * axis labels.
 */
void
monitor_chart_draw_background (cairo_t                  *cr,
                               PangoContext             *context,
                               const MonitorChartLayout *layout,
                               const MonitorChartAxis   *axis,
                               const GdkRGBA            *foreground)
{
  const cairo_rectangle_t *plot = &layout->plot;
  double                   ticks[MONITOR_CHART_MAX_TICKS];
  guint                    n_ticks;
  double                   label_y = plot->y + plot->height + LABEL_GAP / 2.0;

  cairo_save (cr);
  cairo_set_line_width (cr, 1.0);

  /* Lines on pixel centres: a 1-pixel line between two rows is a blurred
   * 2-pixel one. */
  set_source_alpha (cr, foreground, 0.12);
  for (int percent = 25; percent < 100; percent += 25)
    {
      double y = floor (monitor_chart_value_to_y (plot, percent)) + 0.5;

      cairo_move_to (cr, plot->x, y);
      cairo_line_to (cr, plot->x + plot->width, y);
    }

  n_ticks = monitor_chart_axis_get_ticks (axis, plot->width, ticks, G_N_ELEMENTS (ticks));
  for (guint i = 0; i < n_ticks; i++)
    {
      double x = floor (monitor_chart_axis_to_x (axis, plot, ticks[i])) + 0.5;

      cairo_move_to (cr, x, plot->y);
      cairo_line_to (cr, x, plot->y + plot->height);
    }
  cairo_stroke (cr);

  set_source_alpha (cr, foreground, 0.3);
  cairo_rectangle (cr, plot->x + 0.5, plot->y + 0.5, plot->width - 1.0, plot->height - 1.0);
  cairo_stroke (cr);

  set_source_alpha (cr, foreground, 0.75);
  for (int percent = 0; percent <= 100; percent += 25)
    {
      char text[16];

      g_snprintf (text, sizeof text, "%d %%", percent);
      show_label (cr, context, text, plot->x - LABEL_GAP, monitor_chart_value_to_y (plot, percent),
                  1.0, 0.5, 0.0, plot->x - LABEL_GAP);
    }

  for (guint i = 0; i < n_ticks; i++)
    {
      char text[32];
      /* Time runs left to right in the window as in exports: a live axis
       * counts up to its right edge (now, or where it was paused) from
       * before it. */
      double value = axis->seconds_ago ? ticks[i] - axis->end : ticks[i];

      if (value < -1e-9)
        {
          char magnitude[32];

          format_seconds (magnitude, sizeof magnitude, -value);
          g_snprintf (text, sizeof text, "−%s", magnitude);
        }
      else
        format_seconds (text, sizeof text, value);
      show_label (cr, context, text, monitor_chart_axis_to_x (axis, plot, ticks[i]), label_y, 0.5,
                  0.0, plot->x, layout->width);
    }

  /* Axis titles, in the margin left of the plot: the time axis's beside
   * its labels, the utilisation's along the plot. */
  set_source_alpha (cr, foreground, 0.55);
  show_label (cr, context, _("Time"), plot->x - LABEL_GAP, label_y, 1.0, 0.0, 0.0, plot->x - LABEL_GAP);
  {
    g_autoptr(PangoLayout) title = create_label_layout (context, _("Utilisation"), LABEL_SCALE);
    int w, h;

    pango_layout_get_pixel_size (title, &w, &h);
    cairo_save (cr);
    cairo_translate (cr, 0.0, round (plot->y + plot->height / 2.0 + w / 2.0));
    cairo_rotate (cr, -G_PI / 2.0);
    cairo_move_to (cr, 0.0, 0.0);
    pango_cairo_show_layout (cr, title);
    cairo_restore (cr);
  }

  cairo_restore (cr);
}

/**
 * monitor_chart_scroll_step:
 * @time_us: the time at the right edge, in µs
 * @history: the seconds the plot spans
 * @plot_width: the plot's width
 * @scale: the widget's scale factor
 *
 * Where a scrolling plot is, in half device pixels. A minute over a few
 * hundred pixels moves a fifth of a pixel per frame at 60 Hz: redrawing only
 * when this changes scrolls as smoothly for a fraction of the frames, and
 * the chart and the timeline, given the same frame time and width, redraw
 * on the same frames.
 *
 * Returns: the scroll position
 */
gint64
monitor_chart_scroll_step (gint64 time_us,
                           double history,
                           double plot_width,
                           int    scale)
{
  return (gint64) floor ((double) time_us / (history * G_USEC_PER_SEC) * plot_width * scale * 2.0);
}

static gboolean
follower_tick (GtkWidget     *widget,
               GdkFrameClock *clock,
               gpointer       user_data)
{
  MonitorChartFollower *follower = user_data;
  double                plot_x, plot_width;
  gint64                step;

  /* The same rule for the chart and the timeline, so both scroll on the
   * same frames. */
  monitor_chart_follower_get_plot_x (follower, &plot_x, &plot_width);
  step = monitor_chart_scroll_step (gdk_frame_clock_get_frame_time (clock), follower->history,
                                    plot_width, gtk_widget_get_scale_factor (widget));
  if (step != follower->scroll_step)
    {
      follower->scroll_step = step;
      gtk_widget_queue_draw (widget);
    }

  return G_SOURCE_CONTINUE;
}

/* Scrolling needs a frame per frame only while following the clock and
 * shown; a frozen or hidden widget is redrawn only when something changes. */
static void
follower_update_tick (MonitorChartFollower *follower)
{
  gboolean want = follower->frozen_time == 0 && gtk_widget_get_mapped (follower->widget);

  if (want && follower->tick_id == 0)
    follower->tick_id = gtk_widget_add_tick_callback (follower->widget, follower_tick, follower,
                                                      NULL);
  else if (!want && follower->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (follower->widget, follower->tick_id);
      follower->tick_id = 0;
    }
}

/**
 * monitor_chart_follower_init:
 * @follower: (out caller-allocates): the follower, in @widget's instance
 * @widget: the widget that scrolls
 * @history: the seconds the axis spans
 *
 * Sets up @follower to follow the clock, and to scroll @widget whenever it
 * is mapped. Call it from the widget's instance init.
 */
void
monitor_chart_follower_init (MonitorChartFollower *follower,
                             GtkWidget            *widget,
                             double                history)
{
  g_return_if_fail (follower != NULL);
  g_return_if_fail (GTK_IS_WIDGET (widget));

  *follower = (MonitorChartFollower){ 0 };
  follower->widget = widget;
  follower->history = history;

  /* ::map and ::unmap run the class handler first: the widget is already
   * (un)mapped when the tick is added or removed. */
  g_signal_connect_swapped (widget, "map", G_CALLBACK (follower_update_tick), follower);
  g_signal_connect_swapped (widget, "unmap", G_CALLBACK (follower_update_tick), follower);
}

/**
 * monitor_chart_follower_get_end_time:
 * @follower: a follower
 *
 * Returns: the time at the right edge, in µs of the monotonic clock
 */
gint64
monitor_chart_follower_get_end_time (const MonitorChartFollower *follower)
{
  GdkFrameClock *clock;

  if (follower->frozen_time != 0)
    return follower->frozen_time;

  /* Within a frame, the frame's time: the chart and the chunk timeline
   * below it then scroll by exactly the same amount. */
  clock = gtk_widget_get_frame_clock (follower->widget);
  if (clock != NULL)
    return gdk_frame_clock_get_frame_time (clock);

  return g_get_monotonic_time ();
}

/**
 * monitor_chart_follower_get_plot_x:
 * @follower: a follower
 * @x: (out): where the axis starts
 * @width: (out): how wide it is
 *
 * The horizontal extent of the axis in the widget: within the margins every
 * chart shares.
 */
void
monitor_chart_follower_get_plot_x (const MonitorChartFollower *follower,
                                   double                     *x,
                                   double                     *width)
{
  *x = MONITOR_CHART_MARGIN_LEFT;
  *width = MAX (gtk_widget_get_width (follower->widget) - MONITOR_CHART_MARGIN_LEFT - MONITOR_CHART_MARGIN_RIGHT, 1);
}

/**
 * monitor_chart_follower_set_frozen_time:
 * @follower: a follower
 * @frozen_time: µs of the monotonic clock, or 0
 *
 * Holds @frozen_time at the right edge, or follows the clock again if it is
 * 0, ticking only while that needs it. The widget redraws and notifies.
 *
 * Returns: whether the frozen time changed
 */
gboolean
monitor_chart_follower_set_frozen_time (MonitorChartFollower *follower,
                                        gint64                frozen_time)
{
  if (follower->frozen_time == frozen_time)
    return FALSE;

  follower->frozen_time = frozen_time;
  follower_update_tick (follower);

  return TRUE;
}

/**
 * monitor_chart_get_foreground:
 * @widget: a widget
 * @color: (out caller-allocates): the colour of its text
 */
void
monitor_chart_get_foreground (GtkWidget *widget,
                              GdkRGBA   *color)
{
#if GTK_CHECK_VERSION(4, 10, 0)
  gtk_widget_get_color (widget, color);
#else
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), color);
#endif
}

/**
 * monitor_chart_find_sample:
 * @samples: a model of #MpaioCpuSample, in time order
 * @time: a time in seconds
 *
 * A binary search: samples are appended in time order, and a minute of
 * history is a small window of a long series.
 *
 * Returns: the position of the first sample at or after @time, or the
 *   number of samples if there is none
 */
guint
monitor_chart_find_sample (GListModel *samples,
                           double      time)
{
  guint low = 0;
  guint high = g_list_model_get_n_items (samples);

  while (low < high)
    {
      guint mid = low + (high - low) / 2;
      g_autoptr(MpaioCpuSample) sample = g_list_model_get_item (samples, mid);

      if (mpaio_cpu_sample_get_time (sample) < time)
        low = mid + 1;
      else
        high = mid;
    }

  return low;
}

/**
 * monitor_chart_get_sample_at:
 * @samples: a model of #MpaioCpuSample, in time order
 * @time: a time in seconds
 *
 * Returns: (transfer full) (nullable): the last sample taken at or before
 *   @time, the one whose values a legend shows at @time
 */
MpaioCpuSample *
monitor_chart_get_sample_at (GListModel *samples,
                             double      time)
{
  guint index = monitor_chart_find_sample (samples, time);

  if (index < g_list_model_get_n_items (samples))
    {
      MpaioCpuSample *sample = g_list_model_get_item (samples, index);

      if (mpaio_cpu_sample_get_time (sample) <= time)
        return sample;
      g_object_unref (sample);
    }

  return index > 0 ? g_list_model_get_item (samples, index - 1) : NULL;
}

static void
stroke_series (cairo_t                  *cr,
               const MonitorChartLayout *layout,
               const MonitorChartAxis   *axis,
               GPtrArray                *visible,
               gboolean                  from_zero,
               guint                     core,
               gboolean                  total)
{
  gboolean pen_down = FALSE;

  for (guint i = 0; i < visible->len; i++)
    {
      MpaioCpuSample *sample = g_ptr_array_index (visible, i);
      double          value, x, y;

      if (total)
        value = mpaio_cpu_sample_get_total (sample);
      else if (core < mpaio_cpu_sample_get_n_cores (sample))
        value = mpaio_cpu_sample_get_value (sample, core);
      else
        value = NAN;

      /* A missing value (an empty CSV field) breaks the line. */
      if (isnan (value))
        {
          pen_down = FALSE;
          continue;
        }

      x = monitor_chart_axis_to_x (axis, &layout->plot, mpaio_cpu_sample_get_time (sample));
      y = monitor_chart_value_to_y (&layout->plot, value);
      if (pen_down)
        cairo_line_to (cr, x, y);
      else if (i == 0 && from_zero)
        {
          /* The first sample is the mean since the monitor started at time
           * 0: drawn over that interval, a run with a single sample still
           * shows. */
          cairo_move_to (cr, monitor_chart_axis_to_x (axis, &layout->plot, 0.0), y);
          cairo_line_to (cr, x, y);
        }
      else
        cairo_move_to (cr, x, y);
      pen_down = TRUE;
    }

  cairo_stroke (cr);
}

static double
stacked_value (MpaioCpuSample *sample,
               guint           core)
{
  double value = core < mpaio_cpu_sample_get_n_cores (sample)
                   ? mpaio_cpu_sample_get_value (sample, core)
                   : NAN;

  return isnan (value) ? 0.0 : CLAMP (value, 0.0, 100.0);
}

/**
 * monitor_chart_fill_stacked:
 * @cr: where to draw
 * @layout: the chart's layout
 * @axis: the time axis
 * @samples: a model of #MpaioCpuSample
 *
 * Draws the cores stacked: each core's share of the machine as a band over
 * the one below, so the top is the machine's total. With many cores, bands
 * stay apart where lines would tangle.
 */
void
monitor_chart_fill_stacked (cairo_t                  *cr,
                            const MonitorChartLayout *layout,
                            const MonitorChartAxis   *axis,
                            GListModel               *samples)
{
  g_autoptr(GPtrArray) visible = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree double *below = NULL;
  guint              n_items = g_list_model_get_n_items (samples);
  guint              first = monitor_chart_find_sample (samples, axis->start);
  guint              n_cores = 0;

  if (first > 0)
    first--;
  for (guint i = first; i < n_items; i++)
    {
      MpaioCpuSample *sample = g_list_model_get_item (samples, i);

      g_ptr_array_add (visible, sample);
      n_cores = MAX (n_cores, mpaio_cpu_sample_get_n_cores (sample));
      if (mpaio_cpu_sample_get_time (sample) > axis->end)
        break;
    }

  if (visible->len == 0 || n_cores == 0)
    return;

  below = g_new0 (double, visible->len);
  cairo_save (cr);
  cairo_rectangle (cr, layout->plot.x, layout->plot.y, layout->plot.width, layout->plot.height);
  cairo_clip (cr);

  for (guint core = 0; core < n_cores; core++)
    {
      GdkRGBA color;

      /* Upper edge left to right, then the band below right to left. */
      for (guint i = 0; i < visible->len; i++)
        {
          MpaioCpuSample *sample = g_ptr_array_index (visible, i);
          double          top = below[i] + stacked_value (sample, core) / n_cores;
          double          x = monitor_chart_axis_to_x (axis, &layout->plot, mpaio_cpu_sample_get_time (sample));

          if (i == 0)
            cairo_move_to (cr, x, monitor_chart_value_to_y (&layout->plot, top));
          else
            cairo_line_to (cr, x, monitor_chart_value_to_y (&layout->plot, top));
        }
      for (guint i = visible->len; i > 0; i--)
        {
          MpaioCpuSample *sample = g_ptr_array_index (visible, i - 1);
          double          x = monitor_chart_axis_to_x (axis, &layout->plot, mpaio_cpu_sample_get_time (sample));

          cairo_line_to (cr, x, monitor_chart_value_to_y (&layout->plot, below[i - 1]));
        }
      cairo_close_path (cr);

      monitor_chart_palette_get_color (core, &color);
      gdk_cairo_set_source_rgba (cr, &color);
      cairo_fill (cr);

      for (guint i = 0; i < visible->len; i++)
        below[i] += stacked_value (g_ptr_array_index (visible, i), core) / n_cores;
    }

  cairo_restore (cr);
}

/**
 * monitor_chart_draw_series:
 * @cr: where to draw
 * @layout: the chart's layout
 * @axis: the time axis, in the samples' times
 * @samples: a model of #MpaioCpuSample, in time order
 * @show_total: whether to draw the total too
 * @foreground: the colour of the total
 *
 * Draws one line per core, clipped to the plot; the total, dashed, over
 * them.
 */
void
monitor_chart_draw_series (cairo_t                  *cr,
                           const MonitorChartLayout *layout,
                           const MonitorChartAxis   *axis,
                           GListModel               *samples,
                           gboolean                  show_total,
                           const GdkRGBA            *foreground)
{
  g_autoptr(GPtrArray) visible = g_ptr_array_new_with_free_func (g_object_unref);
  guint n_items = g_list_model_get_n_items (samples);
  guint first = monitor_chart_find_sample (samples, axis->start);
  guint n_cores = 0;

  /* One sample on each side of the axis, so lines run to the plot's edges. */
  if (first > 0)
    first--;
  for (guint i = first; i < n_items; i++)
    {
      MpaioCpuSample *sample = g_list_model_get_item (samples, i);

      g_ptr_array_add (visible, sample);
      n_cores = MAX (n_cores, mpaio_cpu_sample_get_n_cores (sample));
      if (mpaio_cpu_sample_get_time (sample) > axis->end)
        break;
    }

  if (visible->len == 0)
    return;

  cairo_save (cr);
  cairo_rectangle (cr, layout->plot.x, layout->plot.y, layout->plot.width, layout->plot.height);
  cairo_clip (cr);
  cairo_set_line_width (cr, MONITOR_CHART_LINE_WIDTH);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);

  for (guint core = 0; core < n_cores; core++)
    {
      GdkRGBA color;

      monitor_chart_palette_get_color (core, &color);
      gdk_cairo_set_source_rgba (cr, &color);
      stroke_series (cr, layout, axis, visible, first == 0, core, FALSE);
    }

  if (show_total)
    {
      static const double dashes[] = { 6.0, 4.0 };

      cairo_set_dash (cr, dashes, G_N_ELEMENTS (dashes), 0.0);
      set_source_alpha (cr, foreground, 0.8);
      stroke_series (cr, layout, axis, visible, first == 0, 0, TRUE);
    }

  cairo_restore (cr);
}

static void
draw_legend_entry (cairo_t       *cr,
                   PangoContext  *context,
                   double         x,
                   double         y,
                   double         line_height,
                   const GdkRGBA *swatch,
                   const char    *name,
                   double         value,
                   const GdkRGBA *foreground)
{
  g_autoptr(PangoLayout) text_layout = NULL;
  g_autofree char *text = isnan (value) ? g_strdup_printf ("%s –", name)
                                        : g_strdup_printf ("%s %.1f %%", name, value);
  int              h;

  gdk_cairo_set_source_rgba (cr, swatch);
  cairo_rectangle (cr, x, round (y + (line_height - SWATCH_SIZE) / 2.0), SWATCH_SIZE, SWATCH_SIZE);
  cairo_fill (cr);

  text_layout = create_label_layout (context, text, LABEL_SCALE);
  pango_layout_get_pixel_size (text_layout, NULL, &h);
  set_source_alpha (cr, foreground, 0.9);
  cairo_move_to (cr, x + SWATCH_SIZE + LABEL_GAP, round (y + (line_height - h) / 2.0));
  pango_cairo_show_layout (cr, text_layout);
}

/**
 * monitor_chart_draw_legend:
 * @cr: where to draw
 * @context: the Pango context for the text
 * @layout: the chart's layout
 * @sample: (nullable): the sample whose values the legend shows
 * @n_cores: the number of cores
 * @core_names: (nullable): the cores' names, `host/core_N`, for the cores
 *   of several machines
 * @show_total: whether the total has an entry
 * @foreground: the colour of text
 *
 * Draws each series' colour, name and current value, GNOME System Monitor
 * style ("CPU1 12.5 %", or "node-a CPU1 12.5 %" for a core of a run across
 * machines), in the layout's columns.
 */
void
monitor_chart_draw_legend (cairo_t                  *cr,
                           PangoContext             *context,
                           const MonitorChartLayout *layout,
                           MpaioCpuSample           *sample,
                           guint                     n_cores,
                           const char *const        *core_names,
                           gboolean                  show_total,
                           const GdkRGBA            *foreground)
{
  guint n_rows_shown = (guint) floor (layout->legend.height / layout->line_height + 0.5);

  cairo_save (cr);

  for (guint entry = 0; entry < layout->n_entries; entry++)
    {
      guint            row = entry / layout->n_columns;
      guint            column = entry % layout->n_columns;
      double           x = layout->legend.x + column * layout->entry_width;
      double           y = layout->legend.y + row * layout->line_height;
      double           value = NAN;
      g_autofree char *name = NULL;
      GdkRGBA          swatch;

      if (row >= n_rows_shown)
        break;

      if (entry < n_cores)
        {
          monitor_chart_palette_get_color (entry, &swatch);
          name = monitor_chart_get_core_label (core_names, entry);
          if (sample != NULL && entry < mpaio_cpu_sample_get_n_cores (sample))
            value = mpaio_cpu_sample_get_value (sample, entry);
        }
      else
        {
          swatch = *foreground;
          swatch.alpha *= 0.8;
          name = g_strdup ("Total");
          if (sample != NULL)
            value = mpaio_cpu_sample_get_total (sample);
        }

      draw_legend_entry (cr, context, x, y, layout->line_height, &swatch, name, value, foreground);
    }

  cairo_restore (cr);
}

/**
 * monitor_chart_render_image:
 * @samples: a model of #MpaioCpuSample, in time order
 * @axis: the time axis, in the samples' times
 * @n_cores: the number of cores in the legend
 * @core_names: (nullable): the cores' names, `host/core_N`, for the cores
 *   of several machines
 * @show_total: whether to draw the total
 * @width: the image's width
 * @height: the image's height
 *
 * Draws a whole chart, dark on white, on an image of its own: what the
 * PNG export and `--render` save. Needs no display, only fontconfig.
 *
 * Returns: (transfer full): an ARGB32 image surface
 */
cairo_surface_t *
monitor_chart_render_image (GListModel             *samples,
                            const MonitorChartAxis *axis,
                            guint                   n_cores,
                            const char *const      *core_names,
                            gboolean                show_total,
                            int                     width,
                            int                     height)
{
  /* GNOME's dark 4, the colour of text on a light background. */
  const GdkRGBA         foreground = { 0x24 / 255.0, 0x1f / 255.0, 0x31 / 255.0, 1.0 };
  PangoContext         *context;
  PangoFontDescription *font;
  g_autoptr(MpaioCpuSample) current = NULL;
  cairo_surface_t   *surface;
  MonitorChartLayout layout;
  cairo_t           *cr;

  g_return_val_if_fail (G_IS_LIST_MODEL (samples), NULL);
  g_return_val_if_fail (axis != NULL, NULL);

  width = MAX (width, 1);
  height = MAX (height, 1);
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cr = cairo_create (surface);

  context = pango_font_map_create_context (pango_cairo_font_map_get_default ());
  /* The screen's usual resolution and a desktop's usual font, so text looks
   * as it does in the app (a bare context would use a serif). */
  pango_cairo_context_set_resolution (context, 96.0);
  font = pango_font_description_from_string ("Sans 10");
  pango_context_set_font_description (context, font);
  pango_font_description_free (font);
  pango_cairo_update_context (cr, context);

  cairo_set_source_rgb (cr, 1.0, 1.0, 1.0);
  cairo_paint (cr);

  /* A margin, as a window gives the widget. */
  cairo_translate (cr, 8.0, 8.0);
  monitor_chart_layout_init (&layout, context, width - 16, height - 16, n_cores, core_names,
                             show_total);
  monitor_chart_draw_background (cr, context, &layout, axis, &foreground);
  monitor_chart_draw_series (cr, &layout, axis, samples, show_total, &foreground);

  current = monitor_chart_get_sample_at (samples, axis->end);
  monitor_chart_draw_legend (cr, context, &layout, current, n_cores, core_names, show_total,
                             &foreground);

  cairo_destroy (cr);
  g_object_unref (context);
  cairo_surface_flush (surface);

  return surface;
}
