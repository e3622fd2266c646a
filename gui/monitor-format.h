/* monitor-format.h: numbers and durations as the monitor shows them
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

/* clang-format off */
G_BEGIN_DECLS

/* 1234567 → "1,234,567" (the locale's separator when it has one). */
char *monitor_format_count (guint64 count);
/* µs → "850 µs", "12.3 ms", "1.234 s", "2 min 5 s". */
char *monitor_format_duration (gint64 us);
/* How a run ended, as the list of runs says it: "Finished: 1,024 chunks in
 * 1.234 s"; "Cancelled: 120 of 400 chunks done, 2 failed, in 850 ms". */
char *monitor_format_run_summary (const char *state,
                                  guint64     n_chunks,
                                  guint64     n_done,
                                  guint64     n_failed,
                                  gint64      us);

G_END_DECLS
