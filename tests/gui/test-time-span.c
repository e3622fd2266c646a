/* test-time-span.c: zooming and panning the time axis, with no display
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib.h>

#include "monitor-time-span.h"

#define S G_USEC_PER_SEC

static void
test_fit (void)
{
  MonitorTimeSpan span = monitor_time_span_fit (10 * S, 12 * S);

  g_test_summary ("A fitted run fills the width but for a small margin on each side");

  g_assert_cmpfloat (span.history, >, 2.0);
  g_assert_cmpfloat (span.history, <, 2.4);
  g_assert_cmpfloat (monitor_time_span_position (span, 10 * S), >, 0.0);
  g_assert_cmpfloat (monitor_time_span_position (span, 10 * S), <, 0.1);
  g_assert_cmpfloat (monitor_time_span_position (span, 12 * S), <, 1.0);
  g_assert_cmpfloat (monitor_time_span_position (span, 12 * S), >, 0.9);

  /* An instant still gets a span to show it in. */
  span = monitor_time_span_fit (5 * S, 5 * S);
  g_assert_cmpfloat (span.history, >=, MONITOR_TIME_SPAN_MIN);
  g_assert_cmpint (span.end_us, >=, 5 * S);
}

static void
test_zoom_keeps_pointer (void)
{
  MonitorTimeSpan span = { 10.0, 100 * S };
  gint64          under_pointer = 100 * S - 7 * S; /* at 30 % of the width */
  double          fraction = monitor_time_span_position (span, under_pointer);
  MonitorTimeSpan in, out;

  g_test_summary ("Zooming scales the span and keeps the time under the pointer where it is");

  g_assert_cmpfloat_with_epsilon (fraction, 0.3, 1e-9);
  in = monitor_time_span_zoom (span, 0.5, fraction);
  g_assert_cmpfloat_with_epsilon (in.history, 5.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (monitor_time_span_position (in, under_pointer), 0.3, 1e-6);

  out = monitor_time_span_zoom (in, 4.0, fraction);
  g_assert_cmpfloat_with_epsilon (out.history, 20.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (monitor_time_span_position (out, under_pointer), 0.3, 1e-6);

  /* Bounded both ways. */
  g_assert_cmpfloat (monitor_time_span_zoom (span, 1e-9, 0.5).history, ==, MONITOR_TIME_SPAN_MIN);
  g_assert_cmpfloat (monitor_time_span_zoom (span, 1e9, 0.5).history, ==, MONITOR_TIME_SPAN_MAX);
}

static void
test_pan (void)
{
  MonitorTimeSpan span = { 4.0, 50 * S };
  MonitorTimeSpan later = monitor_time_span_pan (span, 0.25);
  MonitorTimeSpan earlier = monitor_time_span_pan (span, -0.5);

  g_test_summary ("Panning moves the span by a share of its width and keeps its length");

  g_assert_cmpfloat (later.history, ==, 4.0);
  g_assert_cmpint (later.end_us, ==, 51 * S);
  g_assert_cmpint (earlier.end_us, ==, 48 * S);

  /* Never to 0, which would mean "follow now". */
  g_assert_cmpint (monitor_time_span_pan ((MonitorTimeSpan){ 4.0, 1 * S }, -10).end_us, >, 0);
}

static void
test_follow (void)
{
  const gint64 start = G_GINT64_CONSTANT (5000000);

  g_test_summary ("A run followed live fills the view with room to grow, the span doubling in "
                  "steps up to the history chosen");

  /* A run of a few tenths of a second is seen whole, not as a sliver. */
  g_assert_cmpfloat (monitor_time_span_follow (start, start + 300000, 60.0), ==, 1.0);
  g_assert_cmpfloat (monitor_time_span_follow (start, start, 60.0), ==, 1.0);
  /* The front stays a tenth of the width from the right edge, or more. */
  g_assert_cmpfloat (monitor_time_span_follow (start, start + 950000, 60.0), ==, 2.0);
  g_assert_cmpfloat (monitor_time_span_follow (start, start + 1500000, 60.0), ==, 2.0);
  g_assert_cmpfloat (monitor_time_span_follow (start, start + 3000000, 60.0), ==, 4.0);
  /* Never more than the history chosen. */
  g_assert_cmpfloat (monitor_time_span_follow (start, start + 50000000, 60.0), ==, 60.0);
  g_assert_cmpfloat (monitor_time_span_follow (start, start + 300000, 0.5), ==, 0.5);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/time-span/fit", test_fit);
  g_test_add_func ("/time-span/zoom-keeps-pointer", test_zoom_keeps_pointer);
  g_test_add_func ("/time-span/pan", test_pan);
  g_test_add_func ("/time-span/follow", test_follow);

  return g_test_run ();
}
