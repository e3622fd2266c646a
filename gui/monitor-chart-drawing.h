/* monitor-chart-drawing.h: the CPU chart drawn with cairo, for widgets and files;
 * the live time axis it shares with the chunk timeline
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <cairo.h>
#include <gtk/gtk.h>
#include <pango/pango.h>

#include <mpaio.h>

#include "monitor-time-span.h"

/* clang-format off */
G_BEGIN_DECLS

/* The chart and the chunk timeline share their horizontal margins, so that
 * stacked one over the other they share a time axis to the pixel. The left
 * one holds the value labels of the chart and the row names of the
 * timeline. */
#define MONITOR_CHART_MARGIN_LEFT  72
#define MONITOR_CHART_MARGIN_RIGHT 16

#define MONITOR_CHART_LINE_WIDTH 2.0

/* The shortest span the time axis zooms to, in seconds. */
#define MIN_HISTORY MONITOR_TIME_SPAN_MIN

/* The horizontal axis, in seconds. A live chart labels its grid by how long
 * ago each line is (its background is cached: the grid stays, the series
 * scroll under it); a recorded series is labelled by its own times. */
typedef struct
{
  double   start;
  double   end;
  gboolean seconds_ago;
} MonitorChartAxis;

typedef struct
{
  int               width;
  int               height;
  cairo_rectangle_t plot;
  cairo_rectangle_t legend;
  guint             n_entries;
  guint             n_columns;
  double            entry_width;
  double            line_height;
} MonitorChartLayout;

#define MONITOR_CHART_MAX_TICKS 64

void   monitor_chart_layout_init      (MonitorChartLayout       *layout,
                                     PangoContext           *context,
                                     int                     width,
                                     int                     height,
                                     guint                   n_cores,
                                     const char *const      *core_names,
                                     gboolean                show_total);

char  *monitor_chart_get_core_label   (const char *const      *core_names,
                                     guint                   core);

guint  monitor_chart_axis_get_ticks   (const MonitorChartAxis   *axis,
                                     double                  width,
                                     double                 *ticks,
                                     guint                   max_ticks);

double monitor_chart_axis_to_x        (const MonitorChartAxis   *axis,
                                     const cairo_rectangle_t *plot,
                                     double                  time);

double monitor_chart_value_to_y       (const cairo_rectangle_t *plot,
                                     double                  percent);

void   monitor_chart_draw_background  (cairo_t                *cr,
                                     PangoContext           *context,
                                     const MonitorChartLayout *layout,
                                     const MonitorChartAxis   *axis,
                                     const GdkRGBA          *foreground);

void   monitor_chart_draw_series      (cairo_t                *cr,
                                     const MonitorChartLayout *layout,
                                     const MonitorChartAxis   *axis,
                                     GListModel             *samples,
                                     gboolean                show_total,
                                     const GdkRGBA          *foreground);

void   monitor_chart_fill_stacked   (cairo_t                  *cr,
                                     const MonitorChartLayout *layout,
                                     const MonitorChartAxis   *axis,
                                     GListModel               *samples);

void   monitor_chart_draw_legend      (cairo_t                *cr,
                                     PangoContext           *context,
                                     const MonitorChartLayout *layout,
                                     MpaioCpuSample         *sample,
                                     guint                   n_cores,
                                     const char *const      *core_names,
                                     gboolean                show_total,
                                     const GdkRGBA          *foreground);

gint64 monitor_chart_scroll_step     (gint64                  time_us,
                                     double                  history,
                                     double                  plot_width,
                                     int                     scale);

guint  monitor_chart_find_sample      (GListModel             *samples,
                                     double                  time);

MpaioCpuSample *monitor_chart_get_sample_at (GListModel     *samples,
                                           double          time);

cairo_surface_t *monitor_chart_render_image (GListModel           *samples,
                                           const MonitorChartAxis *axis,
                                           guint                 n_cores,
                                           const char *const    *core_names,
                                           gboolean              show_total,
                                           int                   width,
                                           int                   height);

/* The right edge of a live time axis, which the chart and the chunk timeline
 * each embed so that, stacked, they show the same span ending at the same
 * time: a frozen time, or the frame clock it follows, and the tick callback
 * that scrolls the widget while it follows it and is mapped. */
typedef struct
{
  GtkWidget *widget;        /* the widget it is embedded in: not a reference */
  double     history;       /* the seconds the axis spans */
  gint64     frozen_time;   /* µs of the monotonic clock, or 0 */

  guint      tick_id;
  gint64     scroll_step;
} MonitorChartFollower;

void     monitor_chart_follower_init            (MonitorChartFollower       *follower,
                                               GtkWidget                *widget,
                                               double                    history);
gint64   monitor_chart_follower_get_end_time    (const MonitorChartFollower *follower);
void     monitor_chart_follower_get_plot_x      (const MonitorChartFollower *follower,
                                               double                   *x,
                                               double                   *width);
gboolean monitor_chart_follower_set_frozen_time (MonitorChartFollower       *follower,
                                               gint64                    frozen_time);

void     monitor_chart_get_foreground           (GtkWidget                *widget,
                                               GdkRGBA                  *color);

G_END_DECLS
