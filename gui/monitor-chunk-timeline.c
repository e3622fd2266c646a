/* monitor-chunk-timeline.c: which worker process ran which chunk, when
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One row per worker process, one bar per chunk from the moment its
 * `process` started to the moment it returned, coloured per process; above
 * them, the chunks in flight (handed to the executor, not back yet), which
 * no process can be named for until they return. The time axis is the
 * CPU chart's: the same margins, the same span ending at the same frame
 * time, so a bar sits exactly under the utilisation it caused, and idle
 * cores show as gaps between bars.
 *
 * A thread pool runs every chunk in one process: its rows are lanes of that
 * process, each chunk placed in the first lane free for its whole span.
 *
 * Bars are GSK colour nodes, not cairo: a run of 100 000 chunks is a few
 * hundred rectangles once those narrower than a pixel are merged, and
 * colour nodes need no raster upload per frame.
 */

#include <math.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "monitor-format.h"
#include "monitor-chart-drawing.h"
#include "monitor-chart-palette.h"
#include "monitor-chunk-timeline.h"
#include "monitor-timeline-rows.h"

#define DEFAULT_HISTORY 60.0
#define TOP_PADDING     4.0
#define ROW_HEIGHT      18.0
#define ROW_SPACING     4.0
#define LANE_HEIGHT     4.0
#define LANE_SPACING    1.0
/* A pool keeps dozens of chunks in flight per process; beyond this many
 * lanes they share the last one, so the block stays small. */
#define MAX_LANES     8
#define MIN_BAR_WIDTH 2.0
/* Bars at least this wide are drawn one by one, with a gap and alternating
 * shades so that neighbours stay apart; narrower ones merge. */
#define WIDE_BAR_WIDTH  5.0
#define HOVER_TOLERANCE 3.0
/* About 100 MB of bars; beyond it, the oldest go. */
#define MAX_BARS 1500000

typedef struct
{
  guint64 serial;
  gint64  sent_us;
  guint   lane;
} InFlight;

struct _MonitorChunkTimeline
{
  GtkWidget parent_instance;

  MonitorChartFollower follower; /* the CPU chart's history, frozen time, scrolling */

  MonitorTimelineRows *rows;
  GHashTable          *labels;    /* row key (string) → PangoLayout of its title */
  GArray              *in_flight; /* InFlight */
  guint                n_lanes;   /* in-flight lanes since the last clear */
};

G_DEFINE_FINAL_TYPE (MonitorChunkTimeline, monitor_chunk_timeline, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_HISTORY,
  PROP_FROZEN_TIME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* A row's title depends only on its host, process and lane, whether hosts
 * are named, and whether it heads its host's group. */
static char *
label_key (const MonitorTimelineRow *row, gboolean with_host, gboolean heads_host)
{
  return g_strdup_printf ("%s/%d/%u/%d/%d", row->host != NULL ? row->host : "", row->pid,
                          row->lane, with_host, heads_host);
}

/* Processes of other machines (MPI) are titled with their machine's name. */
static char *
row_title (const MonitorTimelineRow *row, gboolean with_host)
{
  g_autofree char *process = NULL;

  /* This process's own chunks ran on its threads (a thread pool): its
   * lanes are threads. */
  if (row->host == NULL && row->pid == getpid ())
    return g_strdup_printf (_("Thread %u"), row->lane + 1);

  /* Chunks given up while out, before any process gave them back. */
  if (row->pid == 0)
    return row->lane == 0 ? g_strdup (_("Cancelled in flight"))
                          : g_strdup_printf (_("Cancelled in flight · %u"), row->lane + 1);

  if (!with_host)
    return row->lane == 0 ? g_strdup_printf ("PID %d", row->pid)
                          : g_strdup_printf ("PID %d · %u", row->pid, row->lane + 1);

  /* Short, to fit the margin: the tooltip says it in full. */
  process = row->lane == 0 ? g_strdup_printf ("%d", row->pid)
                           : g_strdup_printf ("%d · %u", row->pid, row->lane + 1);
  return g_strdup_printf ("%s · %s", row->host != NULL ? row->host : g_get_host_name (), process);
}

/* In the margin, rows of several machines (MPI) are grouped by machine: the
 * group's first row is named by its machine, whole, the others by their
 * process; the tooltip names both. */
static char *
row_label (const MonitorTimelineRow *row, gboolean with_host, gboolean heads_host)
{
  if (with_host && heads_host)
    return g_strdup (row->host != NULL ? row->host : g_get_host_name ());

  return row_title (row, FALSE);
}

static double
get_in_flight_height (MonitorChunkTimeline *self)
{
  if (self->n_lanes == 0)
    return 0.0;

  return MAX (ROW_HEIGHT, self->n_lanes * (LANE_HEIGHT + LANE_SPACING)) + ROW_SPACING;
}

static double
get_row_y (MonitorChunkTimeline *self,
           guint                 row)
{
  return TOP_PADDING + get_in_flight_height (self) + row * (ROW_HEIGHT + ROW_SPACING);
}

static void
lighten (const GdkRGBA *color,
         double         amount,
         GdkRGBA       *out)
{
  out->red = color->red + (1.0 - color->red) * amount;
  out->green = color->green + (1.0 - color->green) * amount;
  out->blue = color->blue + (1.0 - color->blue) * amount;
  out->alpha = color->alpha;
}

static void
append_rect (GtkSnapshot   *snapshot,
             const GdkRGBA *color,
             double         x0,
             double         x1,
             double         y,
             double         height)
{
  gtk_snapshot_append_color (snapshot, color, &GRAPHENE_RECT_INIT (x0, y, x1 - x0, height));
}

/* A chunk that did not complete is not a bar of work done: a cancelled one
 * is an empty grey frame over the time it was out, a failed one red. */
static void
snapshot_unfinished_bar (GtkSnapshot              *snapshot,
                         const MonitorTimelineBar *bar,
                         double                    x0,
                         double                    x1,
                         double                    y)
{
  const GdkRGBA  grey = { 0x9a / 255.0, 0x99 / 255.0, 0x96 / 255.0, 1.0 };
  const GdkRGBA  red = { 0xe0 / 255.0, 0x1b / 255.0, 0x24 / 255.0, 1.0 };
  const GdkRGBA *color = bar->outcome == MONITOR_CHUNK_FAILED ? &red : &grey;
  const GdkRGBA  colors[4] = { *color, *color, *color, *color };
  const float    widths[4] = { 1.0f, 1.0f, 1.0f, 1.0f };
  GskRoundedRect outline;

  if (bar->outcome == MONITOR_CHUNK_FAILED)
    {
      append_rect (snapshot, color, x0, x1, y, ROW_HEIGHT);
      return;
    }

  gsk_rounded_rect_init_from_rect (&outline, &GRAPHENE_RECT_INIT (x0, y, x1 - x0, ROW_HEIGHT), 0);
  gtk_snapshot_append_border (snapshot, &outline, widths, colors);
}

static void
snapshot_row (MonitorChunkTimeline *self,
              GtkSnapshot          *snapshot,
              MonitorTimelineRow   *row,
              double                y,
              gint64                start_us,
              double                us_per_px,
              double                plot_x,
              double                plot_end)
{
  GdkRGBA color, light;
  double  run_x0 = 0, run_x1 = -G_MAXDOUBLE;
  guint   next;

  monitor_chart_palette_get_worker_color (row->color_index, &color);
  lighten (&color, 0.35, &light);

  for (guint i = monitor_timeline_row_find_bar (row->bars, start_us); i < row->bars->len; i++)
    {
      const MonitorTimelineBar *bar = &g_array_index (row->bars, MonitorTimelineBar, i);
      double                    x0 = plot_x + (bar->start_us - start_us) / us_per_px;
      double                    x1 = plot_x + (bar->finish_us - start_us) / us_per_px;

      if (x0 > plot_end)
        break;

      if (bar->outcome != MONITOR_CHUNK_COMPLETED)
        {
          snapshot_unfinished_bar (snapshot, bar, x0, MAX (x1, x0 + MIN_BAR_WIDTH), y);
          continue;
        }

      if (x1 - x0 >= WIDE_BAR_WIDTH)
        {
          if (run_x1 > run_x0)
            append_rect (snapshot, &color, run_x0, run_x1, y, ROW_HEIGHT);
          run_x1 = -G_MAXDOUBLE;
          append_rect (snapshot, i % 2 == 0 ? &color : &light, x0, x1 - 1.0, y, ROW_HEIGHT);
          continue;
        }

      /* Narrow bars merge into runs: thousands of them cover a few pixels,
       * and drawn apart they would cost a node each for nothing visible. */
      x1 = MAX (x1, x0 + MIN_BAR_WIDTH);
      if (x0 <= run_x1 + 1.0)
        run_x1 = MAX (run_x1, x1);
      else
        {
          if (run_x1 > run_x0)
            append_rect (snapshot, &color, run_x0, run_x1, y, ROW_HEIGHT);
          run_x0 = x0;
          run_x1 = x1;
        }

      /* Skip to the last bar that starts within a pixel of the run: those
       * before it end before it starts (a lane never overlaps itself), so
       * inside the run too. A million chunks cost a search per pixel, not
       * a million steps per frame. */
      next = monitor_timeline_row_find_bar_starting_after (row->bars, start_us + (gint64) ((run_x1 + 1.0 - plot_x) * us_per_px));
      if (next > i + 1)
        i = next - 2;
    }

  if (run_x1 > run_x0)
    append_rect (snapshot, &color, run_x0, run_x1, y, ROW_HEIGHT);
}

/* Which rows are at work on a chunk not back yet, by row: see
 * monitor_timeline_rows_find_busy(). */
static gboolean *
find_busy_rows (MonitorChunkTimeline *self)
{
  guint             n_rows = monitor_timeline_rows_get_n_rows (self->rows);
  gboolean         *busy = g_new0 (gboolean, MAX (n_rows, 1));
  g_autofree guint *indexes = NULL;
  gint64            oldest = G_MAXINT64;
  guint             n;

  if (self->in_flight->len == 0)
    return busy;

  for (guint i = 0; i < self->in_flight->len; i++)
    oldest = MIN (oldest, g_array_index (self->in_flight, InFlight, i).sent_us);
  indexes = g_new (guint, self->in_flight->len);
  n = monitor_timeline_rows_find_busy (self->rows, oldest, self->in_flight->len, indexes);
  for (guint i = 0; i < n; i++)
    busy[indexes[i]] = TRUE;

  return busy;
}

static gint64
get_last_finish (MonitorTimelineRow *row)
{
  return g_array_index (row->bars, MonitorTimelineBar, row->bars->len - 1).finish_us;
}

/* A row at work on a chunk not back yet: faint, in its colour, from the
 * end of its last chunk on, so that it grows with the run. */
static void
snapshot_busy (GtkSnapshot        *snapshot,
               MonitorTimelineRow *row,
               double              y,
               gint64              start_us,
               double              us_per_px,
               double              plot_x,
               double              plot_end)
{
  GdkRGBA color;
  double  x0 = plot_x + (get_last_finish (row) - start_us) / us_per_px;

  monitor_chart_palette_get_worker_color (row->color_index, &color);
  color.alpha *= 0.35;
  if (x0 < plot_end)
    append_rect (snapshot, &color, MAX (x0, plot_x), plot_end, y, ROW_HEIGHT);
}

static void
snapshot_label (GtkSnapshot   *snapshot,
                PangoLayout   *layout,
                double         y,
                double         height,
                const GdkRGBA *color)
{
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot,
                          &GRAPHENE_POINT_INIT (MAX (0, MONITOR_CHART_MARGIN_LEFT - 6 - w),
                                                round (y + (height - h) / 2.0)));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static PangoLayout *
create_small_layout (GtkWidget  *widget,
                     const char *text)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (widget, text);
  g_autoptr(PangoAttrList) attrs = pango_attr_list_new ();

  pango_attr_list_insert (attrs, pango_attr_scale_new (0.85));
  pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum"));
  pango_layout_set_attributes (layout, attrs);

  return layout;
}

static void
monitor_chunk_timeline_snapshot (GtkWidget   *widget,
                                 GtkSnapshot *snapshot)
{
  MonitorChunkTimeline *self = MONITOR_CHUNK_TIMELINE (widget);
  MonitorChartAxis      axis = { -self->follower.history, 0.0, TRUE };
  double                ticks[MONITOR_CHART_MAX_TICKS];
  double                plot_x, plot_width, us_per_px, bottom;
  gint64                end_us = monitor_chart_follower_get_end_time (&self->follower);
  gint64                start_us = end_us - (gint64) (self->follower.history * G_USEC_PER_SEC);
  guint                 n_ticks;
  gboolean              with_host;
  g_autofree gboolean  *busy = NULL;
  GdkRGBA               foreground, grid, band, dim;

  monitor_chart_get_foreground (widget, &foreground);
  grid = band = dim = foreground;
  grid.alpha *= 0.12;
  band.alpha *= 0.05;
  dim.alpha *= 0.6;

  monitor_chart_follower_get_plot_x (&self->follower, &plot_x, &plot_width);
  us_per_px = self->follower.history * G_USEC_PER_SEC / plot_width;
  bottom = get_row_y (self, monitor_timeline_rows_get_n_rows (self->rows));

  if (monitor_timeline_rows_get_n_rows (self->rows) == 0 && self->n_lanes == 0)
    {
      g_autoptr(PangoLayout) layout =
                   create_small_layout (widget, "Chunks appear here as a run goes, a row per worker process");

      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (plot_x, TOP_PADDING));
      gtk_snapshot_append_layout (snapshot, layout, &dim);
      gtk_snapshot_restore (snapshot);
      return;
    }

  /* The chart's static grid, line for line. */
  n_ticks = monitor_chart_axis_get_ticks (&axis, plot_width, ticks, G_N_ELEMENTS (ticks));
  for (guint i = 0; i < n_ticks; i++)
    {
      double x = floor (plot_x + (ticks[i] - axis.start) / self->follower.history * plot_width);

      append_rect (snapshot, &grid, x, x + 1.0, TOP_PADDING, bottom - TOP_PADDING);
    }

  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (plot_x, 0, plot_width,
                                                         gtk_widget_get_height (widget)));

  if (self->n_lanes > 0)
    {
      gint64  oldest[MAX_LANES];
      GdkRGBA pending = foreground;

      /* Chunks in flight all run to now: a lane shows from its oldest on,
       * one rectangle, where translucent ones stacked would darken. */
      for (guint lane = 0; lane < MAX_LANES; lane++)
        oldest[lane] = G_MAXINT64;
      for (guint i = 0; i < self->in_flight->len; i++)
        {
          const InFlight *chunk = &g_array_index (self->in_flight, InFlight, i);

          oldest[chunk->lane] = MIN (oldest[chunk->lane], chunk->sent_us);
        }

      pending.alpha *= 0.35;
      for (guint lane = 0; lane < self->n_lanes; lane++)
        {
          double x0, x1 = plot_x + plot_width;

          if (oldest[lane] == G_MAXINT64)
            continue;
          x0 = plot_x + (oldest[lane] - start_us) / us_per_px;
          append_rect (snapshot, &pending, x0, MAX (x1, x0 + MIN_BAR_WIDTH),
                       TOP_PADDING + lane * (LANE_HEIGHT + LANE_SPACING), LANE_HEIGHT);
        }
    }

  busy = find_busy_rows (self);
  for (guint r = 0; r < monitor_timeline_rows_get_n_rows (self->rows); r++)
    {
      MonitorTimelineRow *row = monitor_timeline_rows_get_row (self->rows, r);
      double              y = get_row_y (self, r);

      append_rect (snapshot, &band, plot_x, plot_x + plot_width, y, ROW_HEIGHT);
      if (busy[r])
        snapshot_busy (snapshot, row, y, start_us, us_per_px, plot_x, plot_x + plot_width);
      snapshot_row (self, snapshot, row, y, start_us, us_per_px, plot_x, plot_x + plot_width);
    }

  gtk_snapshot_pop (snapshot);

  if (self->n_lanes > 0)
    {
      g_autofree char *text = g_strdup_printf ("In flight: %u", self->in_flight->len);
      g_autoptr(PangoLayout) layout = create_small_layout (widget, text);

      snapshot_label (snapshot, layout, TOP_PADDING, get_in_flight_height (self) - ROW_SPACING,
                      &dim);
    }

  with_host = monitor_timeline_rows_get_n_hosts (self->rows) > 1;
  for (guint r = 0; r < monitor_timeline_rows_get_n_rows (self->rows); r++)
    {
      const char *previous_host =
        r > 0 ? monitor_timeline_rows_get_row (self->rows, r - 1)->host : NULL;
      MonitorTimelineRow *row = monitor_timeline_rows_get_row (self->rows, r);
      gboolean            heads_host =
        r == 0 || g_strcmp0 (row->host, previous_host) != 0;
      g_autofree char *key = label_key (row, with_host, heads_host);
      PangoLayout     *label = g_hash_table_lookup (self->labels, key);

      if (label == NULL)
        {
          g_autofree char *text = row_label (row, with_host, heads_host);

          label = create_small_layout (widget, text);
          /* A long host name gives way in its middle, not over the bars. */
          pango_layout_set_width (label, (MONITOR_CHART_MARGIN_LEFT - 8) * PANGO_SCALE);
          pango_layout_set_ellipsize (label, PANGO_ELLIPSIZE_MIDDLE);
          g_hash_table_insert (self->labels, g_steal_pointer (&key), label);
        }
      snapshot_label (snapshot, label, get_row_y (self, r), ROW_HEIGHT, &foreground);
    }
}

static void
monitor_chunk_timeline_measure (GtkWidget     *widget,
                                GtkOrientation orientation,
                                int            for_size,
                                int           *minimum,
                                int           *natural,
                                int           *minimum_baseline,
                                int           *natural_baseline)
{
  MonitorChunkTimeline *self = MONITOR_CHUNK_TIMELINE (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = MONITOR_CHART_MARGIN_LEFT + MONITOR_CHART_MARGIN_RIGHT + 120;
      *natural = 640;
    }
  else
    {
      *minimum = *natural = (int) ceil (get_row_y (self, MAX (monitor_timeline_rows_get_n_rows (self->rows), 1)));
    }
}

static void
monitor_chunk_timeline_css_changed (GtkWidget         *widget,
                                    GtkCssStyleChange *change)
{
  MonitorChunkTimeline *self = MONITOR_CHUNK_TIMELINE (widget);

  GTK_WIDGET_CLASS (monitor_chunk_timeline_parent_class)->css_changed (widget, change);

  /* The labels' fonts may have changed. */
  g_hash_table_remove_all (self->labels);
  gtk_widget_queue_draw (widget);
}

static const MonitorTimelineBar *
find_bar_at (MonitorChunkTimeline *self,
             MonitorTimelineRow   *row,
             gint64                time,
             gint64                tolerance)
{
  const MonitorTimelineBar *best = NULL;
  gint64                    best_distance = G_MAXINT64;

  for (guint i = monitor_timeline_row_find_bar (row->bars, time - tolerance); i < row->bars->len; i++)
    {
      const MonitorTimelineBar *bar = &g_array_index (row->bars, MonitorTimelineBar, i);
      gint64                    distance;

      if (bar->start_us > time + tolerance)
        break;

      distance = time < bar->start_us    ? bar->start_us - time
                 : time > bar->finish_us ? time - bar->finish_us
                                         : 0;
      if (distance < best_distance)
        {
          best = bar;
          best_distance = distance;
        }
    }

  return best;
}

/**
 * monitor_chunk_timeline_describe_at:
 * @self: a timeline
 * @x: a point in the widget
 * @y: a point in the widget
 *
 * What the tooltip at (@x, @y) says.
 *
 * Returns: (transfer full) (nullable): the description of the chunk there
 */
char *
monitor_chunk_timeline_describe_at (MonitorChunkTimeline *self,
                                    double                x,
                                    double                y)
{
  double                    plot_x, plot_width, us_per_px;
  gint64                    end_us, time;
  guint                     r;
  MonitorTimelineRow       *row;
  const MonitorTimelineBar *bar;
  g_autofree char          *ran = NULL;
  g_autofree char          *queued = NULL;
  g_autofree char          *back = NULL;

  g_return_val_if_fail (MONITOR_IS_CHUNK_TIMELINE (self), NULL);

  monitor_chart_follower_get_plot_x (&self->follower, &plot_x, &plot_width);
  us_per_px = self->follower.history * G_USEC_PER_SEC / plot_width;
  end_us = monitor_chart_follower_get_end_time (&self->follower);
  time = end_us - (gint64) ((plot_x + plot_width - x) * us_per_px);

  if (x < plot_x || y < get_row_y (self, 0))
    {
      if (self->n_lanes > 0 && y >= TOP_PADDING && y < get_row_y (self, 0))
        return g_strdup_printf ("%u chunks handed to the executor and not back yet",
                                self->in_flight->len);
      return NULL;
    }

  r = (guint) ((y - get_row_y (self, 0)) / (ROW_HEIGHT + ROW_SPACING));
  if (r >= monitor_timeline_rows_get_n_rows (self->rows) || y > get_row_y (self, r) + ROW_HEIGHT)
    return NULL;

  row = monitor_timeline_rows_get_row (self->rows, r);
  bar = find_bar_at (self, row, time, (gint64) (HOVER_TOLERANCE * us_per_px));
  if (bar == NULL)
    {
      g_autofree gboolean *busy = find_busy_rows (self);

      if (busy[r] && time > get_last_finish (row))
        {
          g_autofree char *title = row_title (row, row->host != NULL);

          return g_strdup_printf ("%s is at work on a chunk not back yet: which one is known "
                                  "when it comes back",
                                  title);
        }
      return NULL;
    }

  if (bar->outcome != MONITOR_CHUNK_COMPLETED && row->pid == 0)
    {
      g_autofree char *out = monitor_format_duration (MAX (bar->returned_us - bar->sent_us, 0));

      return g_strdup_printf ("Cancelled in flight: chunk %" G_GUINT64_FORMAT " of %s\n"
                              "Out when the run ended; no process had given it back\n"
                              "Rows %" G_GUINT64_FORMAT "–%" G_GUINT64_FORMAT "\n"
                              "Dropped after %s, without a result",
                              bar->chunk_index, bar->worker_name, bar->start_row, bar->end_row,
                              out);
    }

  if (bar->outcome != MONITOR_CHUNK_COMPLETED)
    {
      g_autofree char *out = monitor_format_duration (MAX (bar->returned_us - bar->sent_us, 0));

      return g_strdup_printf ("%s: chunk %" G_GUINT64_FORMAT " of %s\n"
                              "Worker process %d%s%s\n"
                              "Rows %" G_GUINT64_FORMAT "–%" G_GUINT64_FORMAT "\n"
                              "%s after %s, without a result",
                              bar->outcome == MONITOR_CHUNK_CANCELLED ? "Cancelled" : "Failed",
                              bar->chunk_index, bar->worker_name, row->pid,
                              row->host != NULL ? " on " : "", row->host != NULL ? row->host : "",
                              bar->start_row, bar->end_row,
                              bar->outcome == MONITOR_CHUNK_CANCELLED ? "Dropped" : "Ended", out);
    }

  ran = monitor_format_duration (bar->finish_us - bar->start_us);
  queued = monitor_format_duration (MAX (bar->start_us - bar->sent_us, 0));
  back = monitor_format_duration (MAX (bar->returned_us - bar->finish_us, 0));

  return g_strdup_printf ("Chunk %" G_GUINT64_FORMAT " of %s\n"
                          "Worker process %d%s%s\n"
                          "Rows %" G_GUINT64_FORMAT "–%" G_GUINT64_FORMAT " (%" G_GUINT64_FORMAT
                          " rows)\n"
                          "Ran %s (sent %s before it started, back %s after it finished)",
                          bar->chunk_index, bar->worker_name, row->pid,
                          row->host != NULL ? " on " : "", row->host != NULL ? row->host : "",
                          bar->start_row, bar->end_row, bar->end_row - bar->start_row, ran, queued,
                          back);
}

static gboolean
monitor_chunk_timeline_query_tooltip (GtkWidget  *widget,
                                      int         x,
                                      int         y,
                                      gboolean    keyboard_mode,
                                      GtkTooltip *tooltip)
{
  g_autofree char *text = NULL;

  if (keyboard_mode)
    return FALSE;

  text = monitor_chunk_timeline_describe_at (MONITOR_CHUNK_TIMELINE (widget), x, y);
  if (text == NULL)
    return FALSE;

  gtk_tooltip_set_text (tooltip, text);

  return TRUE;
}

static void
monitor_chunk_timeline_finalize (GObject *object)
{
  MonitorChunkTimeline *self = MONITOR_CHUNK_TIMELINE (object);

  g_clear_pointer (&self->rows, monitor_timeline_rows_free);
  g_clear_pointer (&self->labels, g_hash_table_unref);
  g_array_unref (self->in_flight);

  G_OBJECT_CLASS (monitor_chunk_timeline_parent_class)->finalize (object);
}

static void
monitor_chunk_timeline_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  MonitorChunkTimeline *self = MONITOR_CHUNK_TIMELINE (object);

  switch (prop_id)
    {
    case PROP_HISTORY:
      g_value_set_double (value, self->follower.history);
      break;

    case PROP_FROZEN_TIME:
      g_value_set_int64 (value, self->follower.frozen_time);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
monitor_chunk_timeline_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  MonitorChunkTimeline *self = MONITOR_CHUNK_TIMELINE (object);

  switch (prop_id)
    {
    case PROP_HISTORY:
      monitor_chunk_timeline_set_history (self, g_value_get_double (value));
      break;

    case PROP_FROZEN_TIME:
      monitor_chunk_timeline_set_frozen_time (self, g_value_get_int64 (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
monitor_chunk_timeline_class_init (MonitorChunkTimelineClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = monitor_chunk_timeline_finalize;
  object_class->get_property = monitor_chunk_timeline_get_property;
  object_class->set_property = monitor_chunk_timeline_set_property;

  widget_class->snapshot = monitor_chunk_timeline_snapshot;
  widget_class->measure = monitor_chunk_timeline_measure;
  widget_class->css_changed = monitor_chunk_timeline_css_changed;
  widget_class->query_tooltip = monitor_chunk_timeline_query_tooltip;

  properties[PROP_HISTORY] =
    g_param_spec_double ("history", NULL, NULL, MIN_HISTORY, 24 * 3600.0, DEFAULT_HISTORY,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_FROZEN_TIME] =
    g_param_spec_int64 ("frozen-time", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "chunktimeline");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
monitor_chunk_timeline_init (MonitorChunkTimeline *self)
{
  monitor_chart_follower_init (&self->follower, GTK_WIDGET (self), DEFAULT_HISTORY);
  self->rows = monitor_timeline_rows_new (MAX_BARS);
  self->labels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->in_flight = g_array_new (FALSE, FALSE, sizeof (InFlight));

  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  "Chunks per worker process over time", -1);
}

GtkWidget *
monitor_chunk_timeline_new (void)
{
  return g_object_new (MONITOR_TYPE_CHUNK_TIMELINE, NULL);
}

/**
 * monitor_chunk_timeline_add_record:
 * @self: a timeline
 * @record: a chunk's record, as an executor's `submit_finish` fills it
 * @worker_name: (nullable): what the tooltip calls the chunk's worker
 *
 * Adds the chunk's bar, in the row of the process that ran it. Records of
 * chunks no process ran (pid 0: failed submissions) are ignored.
 */
void
monitor_chunk_timeline_add_record (MonitorChunkTimeline   *self,
                                   const MpaioChunkRecord *record,
                                   const char             *worker_name)
{
  monitor_chunk_timeline_add_record_full (self, record, worker_name, MONITOR_CHUNK_COMPLETED);
}

/**
 * monitor_chunk_timeline_add_record_full:
 * @self: a timeline
 * @record: a chunk's record
 * @worker_name: (nullable): what the tooltip calls the chunk's worker
 * @outcome: how the chunk ended
 *
 * Adds the chunk's bar, drawn as @outcome says: a chunk cancelled or
 * failed is drawn apart from work done, over the time it was out, and its
 * tooltip says so. A chunk that ran on another machine (@record's host)
 * goes in the rows of that machine's processes. A chunk cancelled while
 * out, that no process gave back (pid 0), goes in a row of its own, last,
 * titled as such.
 */
void
monitor_chunk_timeline_add_record_full (MonitorChunkTimeline   *self,
                                        const MpaioChunkRecord *record,
                                        const char             *worker_name,
                                        MonitorChunkOutcome     outcome)
{
  MonitorTimelineBar bar;

  g_return_if_fail (MONITOR_IS_CHUNK_TIMELINE (self));
  g_return_if_fail (record != NULL);

  /* No process ran it: a failed submission, or a chunk never sent. A chunk
   * cancelled while out is drawn, in a row of its own, over the time it
   * was out. */
  if (record->pid < 0 || (record->pid == 0 && (outcome != MONITOR_CHUNK_CANCELLED || record->sent_us <= 0 || record->host != NULL)))
    return;

  bar.sent_us = record->sent_us;
  bar.returned_us = record->returned_us;
  /* An executor that does not time `process` itself: from sending to
   * returning is the best there is. */
  bar.start_us = record->started_us != 0 ? record->started_us : record->sent_us;
  bar.finish_us = record->finished_us != 0 ? record->finished_us : record->returned_us;
  bar.finish_us = MAX (bar.finish_us, bar.start_us);
  bar.chunk_index = record->chunk_index;
  bar.start_row = record->start_row;
  bar.end_row = record->end_row;
  bar.worker_name = g_intern_string (worker_name != NULL ? worker_name : "a worker");
  bar.host = g_intern_string (record->host);
  bar.outcome = (guint8) outcome;
  if (outcome != MONITOR_CHUNK_COMPLETED)
    {
      /* It never ran to its end: the time it was out. */
      bar.start_us = record->sent_us;
      bar.finish_us = MAX (record->returned_us, bar.start_us);
    }

  if (monitor_timeline_rows_add (self->rows, record->pid, &bar))
    gtk_widget_queue_resize (GTK_WIDGET (self));

  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * monitor_chunk_timeline_add_in_flight:
 * @self: a timeline
 * @serial: a number naming the chunk until it is removed
 * @sent_us: when it was handed to the executor
 *
 * Shows a chunk handed to the executor: no process can be named for it
 * until it returns, but a long one should not leave the timeline blank.
 */
void
monitor_chunk_timeline_add_in_flight (MonitorChunkTimeline *self,
                                      guint64               serial,
                                      gint64                sent_us)
{
  InFlight chunk = { serial, sent_us, 0 };
  guint64  used = 0;

  g_return_if_fail (MONITOR_IS_CHUNK_TIMELINE (self));

  /* The lowest free lane. */
  for (guint i = 0; i < self->in_flight->len; i++)
    used |= G_GUINT64_CONSTANT (1) << g_array_index (self->in_flight, InFlight, i).lane;
  while (chunk.lane < MAX_LANES - 1 && (used & (G_GUINT64_CONSTANT (1) << chunk.lane)) != 0)
    chunk.lane++;

  g_array_append_val (self->in_flight, chunk);

  if (chunk.lane + 1 > self->n_lanes)
    {
      self->n_lanes = chunk.lane + 1;
      gtk_widget_queue_resize (GTK_WIDGET (self));
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * monitor_chunk_timeline_remove_in_flight:
 * @self: a timeline
 * @serial: what monitor_chunk_timeline_add_in_flight() was given
 *
 * The chunk is back (or failed).
 */
void
monitor_chunk_timeline_remove_in_flight (MonitorChunkTimeline *self,
                                         guint64               serial)
{
  g_return_if_fail (MONITOR_IS_CHUNK_TIMELINE (self));

  /* Chunks come back roughly in the order they were sent: the oldest are
   * first, so the search is short. */
  for (guint i = 0; i < self->in_flight->len; i++)
    {
      if (g_array_index (self->in_flight, InFlight, i).serial == serial)
        {
          g_array_remove_index (self->in_flight, i);
          gtk_widget_queue_draw (GTK_WIDGET (self));
          return;
        }
    }
}

/**
 * monitor_chunk_timeline_remove_in_flight_flagged:
 * @self: a timeline
 * @flag: bits of a serial
 *
 * Removes every chunk in flight whose serial has any of @flag's bits: the
 * chunks of one source, such as a watched program, whose chunks out are
 * announced anew a few times a second.
 */
void
monitor_chunk_timeline_remove_in_flight_flagged (MonitorChunkTimeline *self,
                                                 guint64               flag)
{
  guint kept = 0;

  g_return_if_fail (MONITOR_IS_CHUNK_TIMELINE (self));

  for (guint i = 0; i < self->in_flight->len; i++)
    {
      InFlight chunk = g_array_index (self->in_flight, InFlight, i);

      if ((chunk.serial & flag) == 0)
        g_array_index (self->in_flight, InFlight, kept++) = chunk;
    }
  if (kept == self->in_flight->len)
    return;

  g_array_set_size (self->in_flight, kept);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * monitor_chunk_timeline_collapse_in_flight:
 * @self: a timeline
 *
 * A run is over: with nothing in flight, the band of chunks in flight goes
 * until the next run sends some. It stays for the whole of a run, so that
 * the rows do not jump while it goes on.
 */
void
monitor_chunk_timeline_collapse_in_flight (MonitorChunkTimeline *self)
{
  g_return_if_fail (MONITOR_IS_CHUNK_TIMELINE (self));

  if (self->in_flight->len > 0 || self->n_lanes == 0)
    return;

  self->n_lanes = 0;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

/**
 * monitor_chunk_timeline_clear:
 * @self: a timeline
 *
 * Removes every row, bar and chunk in flight.
 */
void
monitor_chunk_timeline_clear (MonitorChunkTimeline *self)
{
  g_return_if_fail (MONITOR_IS_CHUNK_TIMELINE (self));

  monitor_timeline_rows_clear (self->rows);
  g_array_set_size (self->in_flight, 0);
  self->n_lanes = 0;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

double
monitor_chunk_timeline_get_history (MonitorChunkTimeline *self)
{
  g_return_val_if_fail (MONITOR_IS_CHUNK_TIMELINE (self), DEFAULT_HISTORY);

  return self->follower.history;
}

/**
 * monitor_chunk_timeline_set_history:
 * @self: a timeline
 * @history: seconds
 *
 * How much time the timeline spans: the CPU chart's.
 */
void
monitor_chunk_timeline_set_history (MonitorChunkTimeline *self,
                                    double                history)
{
  g_return_if_fail (MONITOR_IS_CHUNK_TIMELINE (self));
  g_return_if_fail (history >= MIN_HISTORY);

  if (self->follower.history == history)
    return;

  self->follower.history = history;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HISTORY]);
}

gint64
monitor_chunk_timeline_get_frozen_time (MonitorChunkTimeline *self)
{
  g_return_val_if_fail (MONITOR_IS_CHUNK_TIMELINE (self), 0);

  return self->follower.frozen_time;
}

/**
 * monitor_chunk_timeline_set_frozen_time:
 * @self: a timeline
 * @frozen_time: µs of the monotonic clock, or 0
 *
 * A time to hold at the right edge, or 0 to follow the clock.
 */
void
monitor_chunk_timeline_set_frozen_time (MonitorChunkTimeline *self,
                                        gint64                frozen_time)
{
  g_return_if_fail (MONITOR_IS_CHUNK_TIMELINE (self));

  if (!monitor_chart_follower_set_frozen_time (&self->follower, frozen_time))
    return;

  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FROZEN_TIME]);
}

/**
 * monitor_chunk_timeline_get_n_rows:
 * @self: a timeline
 *
 * Returns: the number of rows: one per worker process (per lane, for a
 *   thread pool)
 */
guint
monitor_chunk_timeline_get_n_rows (MonitorChunkTimeline *self)
{
  g_return_val_if_fail (MONITOR_IS_CHUNK_TIMELINE (self), 0);

  return monitor_timeline_rows_get_n_rows (self->rows);
}

/**
 * monitor_chunk_timeline_get_n_bars:
 * @self: a timeline
 *
 * Returns: the number of bars, one per chunk added
 */
guint
monitor_chunk_timeline_get_n_bars (MonitorChunkTimeline *self)
{
  g_return_val_if_fail (MONITOR_IS_CHUNK_TIMELINE (self), 0);

  return monitor_timeline_rows_get_n_bars (self->rows);
}

guint
monitor_chunk_timeline_get_n_in_flight (MonitorChunkTimeline *self)
{
  g_return_val_if_fail (MONITOR_IS_CHUNK_TIMELINE (self), 0);

  return self->in_flight->len;
}

gint
monitor_chunk_timeline_get_row_pid (MonitorChunkTimeline *self,
                                    guint                 row)
{
  g_return_val_if_fail (MONITOR_IS_CHUNK_TIMELINE (self), 0);
  g_return_val_if_fail (row < monitor_timeline_rows_get_n_rows (self->rows), 0);

  return monitor_timeline_rows_get_row (self->rows, row)->pid;
}

guint
monitor_chunk_timeline_get_row_n_bars (MonitorChunkTimeline *self,
                                       guint                 row)
{
  g_return_val_if_fail (MONITOR_IS_CHUNK_TIMELINE (self), 0);
  g_return_val_if_fail (row < monitor_timeline_rows_get_n_rows (self->rows), 0);

  return monitor_timeline_rows_get_row (self->rows, row)->bars->len;
}

/**
 * monitor_chunk_timeline_get_row_bounds:
 * @self: a timeline
 * @row: a row
 * @bounds: (out caller-allocates): where the row's bars are drawn
 *
 * Returns: %FALSE if there is no such row
 */
gboolean
monitor_chunk_timeline_get_row_bounds (MonitorChunkTimeline *self,
                                       guint                 row,
                                       graphene_rect_t      *bounds)
{
  double plot_x, plot_width;

  g_return_val_if_fail (MONITOR_IS_CHUNK_TIMELINE (self), FALSE);
  g_return_val_if_fail (bounds != NULL, FALSE);

  if (row >= monitor_timeline_rows_get_n_rows (self->rows))
    return FALSE;

  monitor_chart_follower_get_plot_x (&self->follower, &plot_x, &plot_width);
  graphene_rect_init (bounds, plot_x, get_row_y (self, row), plot_width, ROW_HEIGHT);

  return TRUE;
}

/**
 * monitor_chunk_timeline_get_row_color:
 * @self: a timeline
 * @row: a row
 * @color: (out caller-allocates): the colour of the row's bars
 *
 * Every other wide bar is a lighter shade of it.
 */
void
monitor_chunk_timeline_get_row_color (MonitorChunkTimeline *self,
                                      guint                 row,
                                      GdkRGBA              *color)
{
  g_return_if_fail (MONITOR_IS_CHUNK_TIMELINE (self));
  g_return_if_fail (row < monitor_timeline_rows_get_n_rows (self->rows));

  monitor_chart_palette_get_worker_color (monitor_timeline_rows_get_row (self->rows, row)->color_index,
                                          color);
}
