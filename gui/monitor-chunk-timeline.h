/* monitor-chunk-timeline.h: which worker process ran which chunk, when
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gtk/gtk.h>
#include <mpaio.h>

#include "monitor-chunk-outcome.h"

/* clang-format off */
G_BEGIN_DECLS

#define MONITOR_TYPE_CHUNK_TIMELINE (monitor_chunk_timeline_get_type ())
G_DECLARE_FINAL_TYPE (MonitorChunkTimeline, monitor_chunk_timeline, MONITOR, CHUNK_TIMELINE, GtkWidget)

GtkWidget *monitor_chunk_timeline_new             (void);

void       monitor_chunk_timeline_add_record      (MonitorChunkTimeline     *self,
                                                 const MpaioChunkRecord *record,
                                                 const char             *worker_name);
void       monitor_chunk_timeline_add_record_full (MonitorChunkTimeline     *self,
                                                 const MpaioChunkRecord *record,
                                                 const char             *worker_name,
                                                 MonitorChunkOutcome     outcome);
void       monitor_chunk_timeline_add_in_flight   (MonitorChunkTimeline     *self,
                                                 guint64                 serial,
                                                 gint64                  sent_us);
void       monitor_chunk_timeline_remove_in_flight (MonitorChunkTimeline    *self,
                                                 guint64                 serial);
void       monitor_chunk_timeline_remove_in_flight_flagged (MonitorChunkTimeline *self,
                                                         guint64               flag);
void       monitor_chunk_timeline_collapse_in_flight (MonitorChunkTimeline  *self);
void       monitor_chunk_timeline_clear           (MonitorChunkTimeline     *self);

double     monitor_chunk_timeline_get_history     (MonitorChunkTimeline     *self);
void       monitor_chunk_timeline_set_history     (MonitorChunkTimeline     *self,
                                                 double                  history);
gint64     monitor_chunk_timeline_get_frozen_time (MonitorChunkTimeline     *self);
void       monitor_chunk_timeline_set_frozen_time (MonitorChunkTimeline     *self,
                                                 gint64                  frozen_time);

guint      monitor_chunk_timeline_get_n_rows      (MonitorChunkTimeline     *self);
guint      monitor_chunk_timeline_get_n_bars      (MonitorChunkTimeline     *self);
guint      monitor_chunk_timeline_get_n_in_flight (MonitorChunkTimeline     *self);
gint       monitor_chunk_timeline_get_row_pid     (MonitorChunkTimeline     *self,
                                                 guint                   row);
guint      monitor_chunk_timeline_get_row_n_bars  (MonitorChunkTimeline     *self,
                                                 guint                   row);
gboolean   monitor_chunk_timeline_get_row_bounds  (MonitorChunkTimeline     *self,
                                                 guint                   row,
                                                 graphene_rect_t        *bounds);
void       monitor_chunk_timeline_get_row_color   (MonitorChunkTimeline     *self,
                                                 guint                   row,
                                                 GdkRGBA                *color);
char      *monitor_chunk_timeline_describe_at     (MonitorChunkTimeline     *self,
                                                 double                  x,
                                                 double                  y);

G_END_DECLS
