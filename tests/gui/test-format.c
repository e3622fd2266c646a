/* test-format.c: numbers, durations and run summaries as the monitor shows them
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib.h>

#include "monitor-format.h"

static void
test_run_summary (void)
{
  g_autofree char *finished = monitor_format_run_summary ("finished", 1024, 1024, 0, 1234000);
  g_autofree char *cancelled = monitor_format_run_summary ("cancelled", 400, 120, 0, 850000);
  g_autofree char *failed = monitor_format_run_summary ("failed", 400, 397, 3, 2100000);

  g_test_summary ("How a watched run ended: its chunks counted with digit grouping, how many "
                  "were done and failed when not all were, the time in s or ms");

  g_assert_cmpstr (finished, ==, "Finished: 1,024 chunks in 1.234 s");
  g_assert_cmpstr (cancelled, ==, "Cancelled: 120 of 400 chunks done, in 850 ms");
  g_assert_cmpstr (failed, ==, "Failed: 397 of 400 chunks done, 3 failed, in 2.100 s");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/format/run-summary", test_run_summary);

  return g_test_run ();
}
