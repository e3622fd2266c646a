/* monitor-timeline-rows.h: the chunk timeline's rows and lanes, without a display
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

/* clang-format off */
G_BEGIN_DECLS

typedef struct
{
  gint64      sent_us;
  gint64      start_us;
  gint64      finish_us;
  gint64      returned_us;
  guint64     chunk_index;
  guint64     start_row;
  guint64     end_row;
  const char *worker_name; /* interned */
  const char *host;        /* interned; NULL: this machine */
  guint8      outcome;     /* MonitorChunkOutcome */
} MonitorTimelineBar;

/* One lane of a process: a process that runs several chunks at once (a
 * thread pool's) has a row per lane, its rows next to each other. A
 * process is known by its host and pid: rows are grouped by host (this
 * machine's first), then sorted by pid. */
typedef struct
{
  const char *host; /* interned; NULL: this machine */
  gint        pid;
  guint       lane;
  guint   color_index;
  GArray *bars; /* MonitorTimelineBar, in start order: a lane never overlaps itself */
} MonitorTimelineRow;

typedef struct _MonitorTimelineRows MonitorTimelineRows;

MonitorTimelineRows *monitor_timeline_rows_new (guint max_bars);
void                 monitor_timeline_rows_free (MonitorTimelineRows *self);
/* Returns whether rows came or went (the widget's height changes). */
gboolean
     monitor_timeline_rows_add (MonitorTimelineRows *self, gint pid, const MonitorTimelineBar *bar);
void monitor_timeline_rows_clear (MonitorTimelineRows *self);
guint               monitor_timeline_rows_get_n_rows (MonitorTimelineRows *self);
MonitorTimelineRow *monitor_timeline_rows_get_row (MonitorTimelineRows *self, guint row);
guint               monitor_timeline_rows_get_n_bars (MonitorTimelineRows *self);
/* How many machines the rows' processes ran on (this one counts too). */
guint               monitor_timeline_rows_get_n_hosts (MonitorTimelineRows *self);
/* The rows busy with a chunk not back yet, as far as can be told: while
 * @n_in_flight chunks are out, the oldest sent at @since_us, the rows that
 * have brought a chunk back since then are at work on the next one; when
 * fewer chunks are out than such rows, those that came back longest ago
 * (still on their chunk) rather than those idle since. Fills @rows (room
 * for @n_in_flight) with their indexes; returns how many. */
guint monitor_timeline_rows_find_busy (MonitorTimelineRows *self,
                                       gint64               since_us,
                                       guint                n_in_flight,
                                       guint               *rows);

guint monitor_timeline_row_find_bar (GArray *bars, gint64 time);
guint monitor_timeline_row_find_bar_starting_after (GArray *bars, gint64 time);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MonitorTimelineRows, monitor_timeline_rows_free)

G_END_DECLS
