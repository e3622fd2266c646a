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

G_END_DECLS
