/* mpaio-chunk-record.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "mpaio-chunk-record.h"

G_DEFINE_BOXED_TYPE (MpaioChunkRecord,
                     mpaio_chunk_record,
                     mpaio_chunk_record_copy,
                     mpaio_chunk_record_free)

/**
 * mpaio_chunk_record_copy:
 * @self: a chunk record
 *
 * Makes a copy of @self on the heap.
 *
 * Returns: (transfer full): a copy of @self, to free with mpaio_chunk_record_free()
 *
 * Since: 0.1
 */
MpaioChunkRecord *
mpaio_chunk_record_copy (const MpaioChunkRecord *self)
{
  MpaioChunkRecord *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_memdup2 (self, sizeof *self);
  if (copy->error != NULL)
    copy->error = g_error_copy (copy->error);

  return copy;
}

/**
 * mpaio_chunk_record_free:
 * @self: (nullable): a chunk record made by mpaio_chunk_record_copy()
 *
 * Frees a chunk record made by mpaio_chunk_record_copy().
 *
 * Since: 0.1
 */
void
mpaio_chunk_record_free (MpaioChunkRecord *self)
{
  if (self == NULL)
    return;

  g_clear_error (&self->error);
  g_free (self);
}

/**
 * mpaio_chunk_record_get_outcome:
 * @self: a chunk record
 *
 * Gets what became of the chunk: done, failed, cancelled, or never sent.
 *
 * Returns: the chunk's outcome
 *
 * Since: 0.1
 */
MpaioChunkOutcome
mpaio_chunk_record_get_outcome (const MpaioChunkRecord *self)
{
  g_return_val_if_fail (self != NULL, MPAIO_CHUNK_OUTCOME_DONE);

  return self->outcome;
}

/**
 * mpaio_chunk_record_get_error:
 * @self: a chunk record
 *
 * Gets why the chunk failed: the error its run would have ended with, naming
 * the chunk (for instance %MPAIO_ERROR_WORKER_FAILED with the worker's
 * message, or %MPAIO_ERROR_WORKER_CRASHED with the signal).
 *
 * Returns: (transfer none) (nullable): the chunk's error when its outcome is
 *   %MPAIO_CHUNK_OUTCOME_FAILED, %NULL otherwise
 *
 * Since: 0.1
 */
const GError *
mpaio_chunk_record_get_error (const MpaioChunkRecord *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->error;
}

/**
 * mpaio_chunk_record_get_host:
 * @self: a chunk record
 *
 * Gets the machine the chunk ran on, as an executor whose processes span
 * several machines (MPI) names it.
 *
 * Returns: (transfer none) (nullable): the host name, or %NULL when the
 *   chunk ran on this machine
 *
 * Since: 0.1
 */
const char *
mpaio_chunk_record_get_host (const MpaioChunkRecord *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->host;
}
