/* monitor-time-span.h: the span of time the chart and the timeline show
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

/* clang-format off */
G_BEGIN_DECLS

/* The shortest and the longest span the time axis shows, in seconds. */
#define MONITOR_TIME_SPAN_MIN 0.001
#define MONITOR_TIME_SPAN_MAX (24 * 3600.0)

/* What the time axis shows: @history seconds up to @end_us (µs of the
 * monotonic clock). Display-free, so zooming and panning are tested
 * without one; the window applies the result to the chart, which the
 * timeline follows. */
typedef struct
{
  double history;
  gint64 end_us;
} MonitorTimeSpan;

MonitorTimeSpan monitor_time_span_fit (gint64 start_us, gint64 end_us);
MonitorTimeSpan monitor_time_span_zoom (MonitorTimeSpan span, double factor, double fraction);
MonitorTimeSpan monitor_time_span_pan (MonitorTimeSpan span, double fraction);
double          monitor_time_span_position (MonitorTimeSpan span, gint64 time_us);
double          monitor_time_span_follow (gint64 start_us, gint64 now_us, double max_history);

G_END_DECLS
