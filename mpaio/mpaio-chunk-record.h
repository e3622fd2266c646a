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

/**
 * MpaioChunkOutcome:
 * @MPAIO_CHUNK_OUTCOME_DONE: the chunk's result was handed to its worker's
 *   `process_callback`
 * @MPAIO_CHUNK_OUTCOME_FAILED: the chunk failed: its worker's `process`
 *   returned an error, its worker process died on it, or it took too long;
 *   the record's error says which
 * @MPAIO_CHUNK_OUTCOME_CANCELLED: the chunk was handed to the executor, but
 *   the run ended (cancelled, or failed) before its result was delivered;
 *   the result, if any came, was dropped
 * @MPAIO_CHUNK_OUTCOME_NOT_SENT: the run ended before the chunk was handed to
 *   the executor
 *
 * What became of one chunk of a run.
 *
 * Since: 0.1
 */
typedef enum
{
  MPAIO_CHUNK_OUTCOME_DONE,
  MPAIO_CHUNK_OUTCOME_FAILED,
  MPAIO_CHUNK_OUTCOME_CANCELLED,
  MPAIO_CHUNK_OUTCOME_NOT_SENT,
} MpaioChunkOutcome;

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
 * @outcome: what became of the chunk
 * @error: why the chunk failed, when @outcome is
 *   %MPAIO_CHUNK_OUTCOME_FAILED; %NULL otherwise. Owned by the record.
 * @host: (nullable): the host that ran the chunk, for an executor of
 *   several hosts ([class@Mpaio.MpiExecutor]); %NULL otherwise. An interned
 *   string.
 * @rank: the MPI rank whose host ran the chunk (0 for rank 0's own
 *   worker processes, and for executors of one machine)
 *
 * The history of one chunk in a run. Times are in microseconds of the
 * monotonic clock (as from g_get_monotonic_time()), which all processes
 * of the machine share; a time is 0 when that step never happened (a chunk
 * never sent was never started).
 *
 * An executor fills in @pid, the times, @host and @rank; the orchestrator
 * fills in the rest. A record made with `{ 0 }` is the record of a chunk done.
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

  MpaioChunkOutcome outcome;
  GError           *error;
  const char       *host;
  gint              rank;
};

MPAIO_AVAILABLE_IN_ALL
GType             mpaio_chunk_record_get_type (void) G_GNUC_CONST;
MPAIO_AVAILABLE_IN_ALL
MpaioChunkRecord *mpaio_chunk_record_copy     (const MpaioChunkRecord *self);
MPAIO_AVAILABLE_IN_ALL
void              mpaio_chunk_record_free     (MpaioChunkRecord *self);
MPAIO_AVAILABLE_IN_ALL
MpaioChunkOutcome mpaio_chunk_record_get_outcome (const MpaioChunkRecord *self);
MPAIO_AVAILABLE_IN_ALL
const GError     *mpaio_chunk_record_get_error   (const MpaioChunkRecord *self);
MPAIO_AVAILABLE_IN_ALL
const char       *mpaio_chunk_record_get_host    (const MpaioChunkRecord *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpaioChunkRecord, mpaio_chunk_record_free)

G_END_DECLS
