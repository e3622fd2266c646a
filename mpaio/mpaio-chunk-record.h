/* mpaio-chunk-record.h: how one chunk of a run was processed
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(MPAIO_INSIDE) && !defined(MPAIO_COMPILATION)
#error "Only <mpaio.h> can be included directly."
#endif

#include <glib-object.h>

#include "mpaio-version-macros.h"

/* clang-format off */
G_BEGIN_DECLS

#define MPAIO_TYPE_CHUNK_RECORD (mpaio_chunk_record_get_type ())

typedef struct _MpaioChunkRecord MpaioChunkRecord;

/**
 * MpaioChunkRecord:
 * @worker_index: the position of the worker in the orchestrator's list of workers
 * @chunk_index: the index of the chunk in that worker's data iterator
 * @start_row: the first row of the chunk
 * @end_row: the row after the last row of the chunk
 * @pid: the process that ran the worker's `process` on the chunk
 * @sent_us: when the chunk was handed to the executor's worker
 * @started_us: when `process` started
 * @finished_us: when `process` returned
 * @returned_us: when the result reached the main process
 *
 * The history of one chunk in a run. Times are in microseconds of the
 * monotonic clock (as from g_get_monotonic_time()), which all processes
 * of the machine share.
 *
 * Since: 0.1
 */
struct _MpaioChunkRecord
{
  guint   worker_index;
  guint64 chunk_index;
  guint64 start_row;
  guint64 end_row;
  gint    pid;
  gint64  sent_us;
  gint64  started_us;
  gint64  finished_us;
  gint64  returned_us;
};

MPAIO_AVAILABLE_IN_ALL
GType             mpaio_chunk_record_get_type (void) G_GNUC_CONST;
MPAIO_AVAILABLE_IN_ALL
MpaioChunkRecord *mpaio_chunk_record_copy     (const MpaioChunkRecord *self);
MPAIO_AVAILABLE_IN_ALL
void              mpaio_chunk_record_free     (MpaioChunkRecord *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpaioChunkRecord, mpaio_chunk_record_free)

G_END_DECLS
