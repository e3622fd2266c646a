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
  g_return_val_if_fail (self != NULL, NULL);

  return g_memdup2 (self, sizeof *self);
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
  g_free (self);
}
