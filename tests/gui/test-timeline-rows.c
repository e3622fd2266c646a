/* test-timeline-rows.c: the chunk timeline's rows and lanes, with no display
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib.h>

#include "monitor-timeline-rows.h"

static MonitorTimelineBar
make_bar (guint64 index, gint64 start_us, gint64 finish_us)
{
  MonitorTimelineBar bar = { 0 };

  bar.chunk_index = index;
  bar.sent_us = start_us;
  bar.start_us = start_us;
  bar.finish_us = finish_us;
  bar.returned_us = finish_us;

  return bar;
}

static void
test_rows_by_pid (void)
{
  g_autoptr(MonitorTimelineRows) rows = monitor_timeline_rows_new (1000);
  MonitorTimelineBar a = make_bar (0, 0, 10), b = make_bar (1, 20, 30), c = make_bar (2, 0, 10);

  g_test_summary ("A row per process, sorted by pid; chunks one after the other share a lane");

  g_assert_true (monitor_timeline_rows_add (rows, 300, &a));
  g_assert_false (monitor_timeline_rows_add (rows, 300, &b));
  g_assert_true (monitor_timeline_rows_add (rows, 100, &c));

  g_assert_cmpuint (monitor_timeline_rows_get_n_rows (rows), ==, 2);
  g_assert_cmpint (monitor_timeline_rows_get_row (rows, 0)->pid, ==, 100);
  g_assert_cmpint (monitor_timeline_rows_get_row (rows, 1)->pid, ==, 300);
  g_assert_cmpuint (monitor_timeline_rows_get_row (rows, 1)->bars->len, ==, 2);
  g_assert_cmpuint (monitor_timeline_rows_get_n_bars (rows), ==, 3);
  /* Colours follow the order rows came in, not their place. */
  g_assert_cmpuint (monitor_timeline_rows_get_row (rows, 0)->color_index, ==, 1);
}

static void
test_hosts (void)
{
  g_autoptr(MonitorTimelineRows) rows = monitor_timeline_rows_new (1000);
  MonitorTimelineBar here = make_bar (0, 0, 10), b1 = make_bar (1, 0, 10);
  MonitorTimelineBar a1 = make_bar (2, 0, 10), b2 = make_bar (3, 20, 30);

  g_test_summary ("Processes of other machines have rows of their own, even with a pid this "
                  "machine has, grouped by machine with this one's first");

  b1.host = b2.host = g_intern_string ("node-b");
  a1.host = g_intern_string ("node-a");
  g_assert_true (monitor_timeline_rows_add (rows, 7, &b1));
  g_assert_true (monitor_timeline_rows_add (rows, 7, &here));
  g_assert_true (monitor_timeline_rows_add (rows, 3, &a1));
  g_assert_false (monitor_timeline_rows_add (rows, 7, &b2));

  g_assert_cmpuint (monitor_timeline_rows_get_n_rows (rows), ==, 3);
  g_assert_cmpuint (monitor_timeline_rows_get_n_hosts (rows), ==, 3);
  g_assert_null (monitor_timeline_rows_get_row (rows, 0)->host);
  g_assert_cmpint (monitor_timeline_rows_get_row (rows, 0)->pid, ==, 7);
  g_assert_cmpstr (monitor_timeline_rows_get_row (rows, 1)->host, ==, "node-a");
  g_assert_cmpstr (monitor_timeline_rows_get_row (rows, 2)->host, ==, "node-b");
  g_assert_cmpint (monitor_timeline_rows_get_row (rows, 2)->pid, ==, 7);
  g_assert_cmpuint (monitor_timeline_rows_get_row (rows, 2)->bars->len, ==, 2);
  g_assert_cmpuint (monitor_timeline_rows_get_row (rows, 0)->bars->len, ==, 1);
}

static void
test_busy (void)
{
  g_autoptr(MonitorTimelineRows) rows = monitor_timeline_rows_new (1000);
  MonitorTimelineBar old = make_bar (0, 0, 10);
  MonitorTimelineBar a = make_bar (1, 100, 140), b = make_bar (2, 100, 120);
  guint              busy[3] = { 99, 99, 99 };

  g_test_summary ("While chunks are out, the processes that brought one back since the oldest "
                  "went out are at work on the next; with fewer out, those back longest ago");

  /* Process 5 ran in an earlier run; 6 and 7 in this one, from 100 on. */
  monitor_timeline_rows_add (rows, 5, &old);
  monitor_timeline_rows_add (rows, 6, &a);
  monitor_timeline_rows_add (rows, 7, &b);

  g_assert_cmpuint (monitor_timeline_rows_find_busy (rows, 100, 0, busy), ==, 0);
  g_assert_cmpuint (monitor_timeline_rows_find_busy (rows, 100, 3, busy), ==, 2);
  /* The one back at 120 first, then the one back at 140; never process 5. */
  g_assert_cmpint (monitor_timeline_rows_get_row (rows, busy[0])->pid, ==, 7);
  g_assert_cmpint (monitor_timeline_rows_get_row (rows, busy[1])->pid, ==, 6);
  /* One chunk out: the process still on its chunk, back longest ago. */
  g_assert_cmpuint (monitor_timeline_rows_find_busy (rows, 100, 1, busy), ==, 1);
  g_assert_cmpint (monitor_timeline_rows_get_row (rows, busy[0])->pid, ==, 7);
}

static void
test_lanes (void)
{
  g_autoptr(MonitorTimelineRows) rows = monitor_timeline_rows_new (1000);
  MonitorTimelineBar bars[] = {
    make_bar (0, 0, 100),
    make_bar (1, 10, 50),
    make_bar (2, 60, 90),
    make_bar (3, 20, 40),
  };

  g_test_summary ("Overlapping chunks of one process go in lanes, as few as ran at once; a late "
                  "result fits the gap it ran in");

  for (guint i = 0; i < G_N_ELEMENTS (bars); i++)
    monitor_timeline_rows_add (rows, 7, &bars[i]);

  /* At most three ran at once (0, 1 and 3 at 20–40). */
  g_assert_cmpuint (monitor_timeline_rows_get_n_rows (rows), ==, 3);
  for (guint r = 0; r < 3; r++)
    {
      MonitorTimelineRow *row = monitor_timeline_rows_get_row (rows, r);

      g_assert_cmpint (row->pid, ==, 7);
      g_assert_cmpuint (row->lane, ==, r);
      /* A lane never overlaps itself, and its bars are in start order. */
      for (guint i = 1; i < row->bars->len; i++)
        g_assert_cmpint (g_array_index (row->bars, MonitorTimelineBar, i - 1).finish_us, <=,
                         g_array_index (row->bars, MonitorTimelineBar, i).start_us);
    }
}

static void
test_relayout (void)
{
  g_autoptr(MonitorTimelineRows) rows = monitor_timeline_rows_new (1000);
  MonitorTimelineBar first = make_bar (0, 0, 10), second = make_bar (1, 30, 40);
  MonitorTimelineBar late = make_bar (2, 5, 35);
  MonitorTimelineBar third = make_bar (3, 12, 28);

  g_test_summary ("A result that fits no lane lays the process's lanes out again, so lanes "
                  "never outnumber the chunks that ran at once");

  monitor_timeline_rows_add (rows, 9, &first);
  monitor_timeline_rows_add (rows, 9, &second);
  monitor_timeline_rows_add (rows, 9, &third);
  g_assert_cmpuint (monitor_timeline_rows_get_n_rows (rows), ==, 1);

  /* Overlaps all three: a second lane, no more. */
  g_assert_true (monitor_timeline_rows_add (rows, 9, &late));
  g_assert_cmpuint (monitor_timeline_rows_get_n_rows (rows), ==, 2);
  g_assert_cmpuint (monitor_timeline_rows_get_n_bars (rows), ==, 4);
}

static void
test_prune (void)
{
  g_autoptr(MonitorTimelineRows) rows = monitor_timeline_rows_new (100);

  g_test_summary ("Past the most bars kept, the oldest go and the newest stay");

  for (guint i = 0; i < 101; i++)
    {
      MonitorTimelineBar bar = make_bar (i, i * 10, i * 10 + 5);

      monitor_timeline_rows_add (rows, 1, &bar);
    }

  g_assert_cmpuint (monitor_timeline_rows_get_n_bars (rows), <=, 100);
  g_assert_cmpuint (monitor_timeline_rows_get_n_bars (rows), >=, 50);
  {
    GArray *bars = monitor_timeline_rows_get_row (rows, 0)->bars;

    g_assert_cmpuint (g_array_index (bars, MonitorTimelineBar, bars->len - 1).chunk_index, ==, 100);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/timeline-rows/rows-by-pid", test_rows_by_pid);
  g_test_add_func ("/timeline-rows/lanes", test_lanes);
  g_test_add_func ("/timeline-rows/hosts", test_hosts);
  g_test_add_func ("/timeline-rows/busy", test_busy);
  g_test_add_func ("/timeline-rows/relayout", test_relayout);
  g_test_add_func ("/timeline-rows/prune", test_prune);

  return g_test_run ();
}
