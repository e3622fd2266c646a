/* mpaio-chunk-timeline.h: which worker process ran which chunk, when
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gtk/gtk.h>
#include <mpaio.h>

#include "monitor-chunk-outcome.h"

G_BEGIN_DECLS

#define MPAIO_TYPE_CHUNK_TIMELINE (mpaio_chunk_timeline_get_type ())
G_DECLARE_FINAL_TYPE (MpaioChunkTimeline, mpaio_chunk_timeline, MPAIO, CHUNK_TIMELINE, GtkWidget)

GtkWidget *mpaio_chunk_timeline_new             (void);

void       mpaio_chunk_timeline_add_record      (MpaioChunkTimeline     *self,
                                                 const MpaioChunkRecord *record,
                                                 const char             *worker_name);
void       mpaio_chunk_timeline_add_record_full (MpaioChunkTimeline     *self,
                                                 const MpaioChunkRecord *record,
                                                 const char             *worker_name,
                                                 MonitorChunkOutcome     outcome);
void       mpaio_chunk_timeline_add_in_flight   (MpaioChunkTimeline     *self,
                                                 guint64                 serial,
                                                 gint64                  sent_us);
void       mpaio_chunk_timeline_remove_in_flight (MpaioChunkTimeline    *self,
                                                 guint64                 serial);
void       mpaio_chunk_timeline_clear           (MpaioChunkTimeline     *self);

double     mpaio_chunk_timeline_get_history     (MpaioChunkTimeline     *self);
void       mpaio_chunk_timeline_set_history     (MpaioChunkTimeline     *self,
                                                 double                  history);
gint64     mpaio_chunk_timeline_get_frozen_time (MpaioChunkTimeline     *self);
void       mpaio_chunk_timeline_set_frozen_time (MpaioChunkTimeline     *self,
                                                 gint64                  frozen_time);

guint      mpaio_chunk_timeline_get_n_rows      (MpaioChunkTimeline     *self);
guint      mpaio_chunk_timeline_get_n_bars      (MpaioChunkTimeline     *self);
guint      mpaio_chunk_timeline_get_n_in_flight (MpaioChunkTimeline     *self);
gint       mpaio_chunk_timeline_get_row_pid     (MpaioChunkTimeline     *self,
                                                 guint                   row);
guint      mpaio_chunk_timeline_get_row_n_bars  (MpaioChunkTimeline     *self,
                                                 guint                   row);
gboolean   mpaio_chunk_timeline_get_row_bounds  (MpaioChunkTimeline     *self,
                                                 guint                   row,
                                                 graphene_rect_t        *bounds);
void       mpaio_chunk_timeline_get_row_color   (MpaioChunkTimeline     *self,
                                                 guint                   row,
                                                 GdkRGBA                *color);
char      *mpaio_chunk_timeline_describe_at     (MpaioChunkTimeline     *self,
                                                 double                  x,
                                                 double                  y);

G_END_DECLS
