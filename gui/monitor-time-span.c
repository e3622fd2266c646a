/* monitor-time-span.c: the span of time the chart and the timeline show
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "monitor-time-span.h"

/* A run fills the width but for a margin on each side: its first and last
 * chunks do not touch the edges. */
#define FIT_MARGIN 0.04

/* The end of a span is a frozen time, so never 0, which means "now". */
static gint64
valid_end (gint64 end_us)
{
  return MAX (end_us, 1);
}

/**
 * monitor_time_span_fit:
 * @start_us: the first time to show
 * @end_us: the last
 *
 * Returns: a span showing from @start_us to @end_us, with a small margin
 */
MonitorTimeSpan
monitor_time_span_fit (gint64 start_us, gint64 end_us)
{
  double span = MAX ((double) (end_us - start_us) / G_USEC_PER_SEC, MONITOR_TIME_SPAN_MIN);
  double margin = span * FIT_MARGIN;

  return (MonitorTimeSpan){
    CLAMP (span + 2 * margin, MONITOR_TIME_SPAN_MIN, MONITOR_TIME_SPAN_MAX),
    valid_end (end_us + (gint64) (margin * G_USEC_PER_SEC)),
  };
}

/**
 * monitor_time_span_zoom:
 * @span: a span
 * @factor: below 1 to zoom in, above 1 to zoom out
 * @fraction: where the zoom centres, from 0 (left edge) to 1 (right edge)
 *
 * Returns: @span scaled by @factor, the time at @fraction of the width
 *   staying where it was
 */
MonitorTimeSpan
monitor_time_span_zoom (MonitorTimeSpan span, double factor, double fraction)
{
  double history = CLAMP (span.history * factor, MONITOR_TIME_SPAN_MIN, MONITOR_TIME_SPAN_MAX);
  double right_of_pointer;

  fraction = CLAMP (fraction, 0.0, 1.0);
  /* The time under the pointer is (1 - fraction) × history before the end,
   * before and after. */
  right_of_pointer = (1.0 - fraction) * (history - span.history);

  return (MonitorTimeSpan){
    history,
    valid_end (span.end_us + (gint64) (right_of_pointer * G_USEC_PER_SEC)),
  };
}

/**
 * monitor_time_span_pan:
 * @span: a span
 * @fraction: how far to move, in widths: positive is later
 *
 * Returns: @span moved by @fraction of its width
 */
MonitorTimeSpan
monitor_time_span_pan (MonitorTimeSpan span, double fraction)
{
  return (MonitorTimeSpan){
    span.history,
    valid_end (span.end_us + (gint64) (fraction * span.history * G_USEC_PER_SEC)),
  };
}

/**
 * monitor_time_span_position:
 * @span: a span
 * @time_us: a time
 *
 * Returns: where @time_us is across the width: 0 at the left edge, 1 at the
 *   right one (outside 0…1 when it is not shown)
 */
double
monitor_time_span_position (MonitorTimeSpan span, gint64 time_us)
{
  return 1.0 - (double) (span.end_us - time_us) / (span.history * G_USEC_PER_SEC);
}

/**
 * monitor_time_span_follow:
 * @start_us: when a run that goes on started
 * @now_us: now
 * @max_history: the most to show, in seconds
 *
 * How much time to show while following a run live: all of it, with room
 * to grow, so that a run of a second is not a sliver of a minute. The span
 * doubles in steps (1 s, 2 s, 4 s…) rather than growing every frame, so
 * that the axis holds still most of the time.
 *
 * Returns: the history, in seconds: at least 1 s (or @max_history if less)
 */
double
monitor_time_span_follow (gint64 start_us, gint64 now_us, double max_history)
{
  double elapsed = MAX ((double) (now_us - start_us) / G_USEC_PER_SEC, 0.0);
  double history = 1.0;

  /* A tenth of the width ahead of the run's front. */
  while (history < elapsed * 1.1 && history < max_history)
    history *= 2.0;

  return MIN (history, max_history);
}
