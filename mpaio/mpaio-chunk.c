/* mpaio-chunk.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "mpaio-chunk.h"

G_DEFINE_BOXED_TYPE (MpaioChunk, mpaio_chunk, mpaio_chunk_copy, mpaio_chunk_free)

/**
 * mpaio_chunk_copy:
 * @self: a chunk
 *
 * Makes a copy of @self on the heap.
 *
 * Returns: (transfer full): a copy of @self, to free with mpaio_chunk_free()
 *
 * Since: 0.1
 */
MpaioChunk *
mpaio_chunk_copy (const MpaioChunk *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_memdup2 (self, sizeof *self);
}

/**
 * mpaio_chunk_free:
 * @self: (nullable): a chunk made by mpaio_chunk_copy()
 *
 * Frees a chunk made by mpaio_chunk_copy().
 *
 * Since: 0.1
 */
void
mpaio_chunk_free (MpaioChunk *self)
{
  g_free (self);
}

/**
 * mpaio_chunk_get_n_rows:
 * @self: a chunk
 *
 * Gets how many rows the chunk covers, `end - start`.
 *
 * Returns: the number of rows of the chunk
 *
 * Since: 0.1
 */
guint64
mpaio_chunk_get_n_rows (const MpaioChunk *self)
{
  g_return_val_if_fail (self != NULL, 0);

  /* A chunk is plain public data a caller may fill in: never wrap around. */
  return self->end > self->start ? self->end - self->start : 0;
}
