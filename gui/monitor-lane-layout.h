/* monitor-lane-layout.h: which lane of which process row each chunk is drawn in
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <mpaio.h>

/* clang-format off */
G_BEGIN_DECLS

typedef struct
{
  guint  record; /* index in the report */
  guint  row;    /* the row of its process */
  guint  lane;   /* within the row: chunks that overlap get lanes of their own */
  gint64 start_us;
  gint64 end_us;
  guint  outcome; /* MpaioChunkOutcome: one not done spans its time out */
} MonitorLaneBar;

/* Rows are grouped by host, this machine's first, then in the order their
 * processes first ran a chunk. */
typedef struct
{
  const char *host; /* the report's; NULL: this machine */
  gint        pid;
  guint       n_lanes;
  guint       first_lane; /* counted over all rows, for stacking rows */
} MonitorLaneRow;

typedef struct _MonitorLaneLayout MonitorLaneLayout;

/* Rows of processes in the order they first ran a chunk; in a row, a chunk
 * goes in the first lane free when it started (a process that runs two at
 * once, a thread pool's, gets two lanes). Display-free: the timeline and
 * the run renderer both draw from it. */
MonitorLaneLayout    *monitor_lane_layout_new (MpaioRunReport *report);
void                  monitor_lane_layout_free (MonitorLaneLayout *self);
guint                 monitor_lane_layout_get_n_rows (MonitorLaneLayout *self);
guint                 monitor_lane_layout_get_n_lanes (MonitorLaneLayout *self);
guint                 monitor_lane_layout_get_n_hosts (MonitorLaneLayout *self);
const MonitorLaneRow *monitor_lane_layout_get_row (MonitorLaneLayout *self, guint row);
guint                 monitor_lane_layout_get_n_bars (MonitorLaneLayout *self);
const MonitorLaneBar *monitor_lane_layout_get_bar (MonitorLaneLayout *self, guint index);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MonitorLaneLayout, monitor_lane_layout_free)

G_END_DECLS
