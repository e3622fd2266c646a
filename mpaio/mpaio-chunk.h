/* mpaio-chunk.h: a range of rows handed to one call of a worker's process
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

#define MPAIO_TYPE_CHUNK (mpaio_chunk_get_type ())

typedef struct _MpaioChunk MpaioChunk;

/**
 * MpaioChunk:
 * @index: the position of the chunk in its data iterator, from 0
 * @start: the first row of the chunk
 * @end: the row after the last row of the chunk
 *
 * A chunk of an array: the rows `[start, end)` along axis 0.
 *
 * Since: 0.1
 */
struct _MpaioChunk
{
  guint64 index;
  guint64 start;
  guint64 end;
};

MPAIO_AVAILABLE_IN_ALL
GType       mpaio_chunk_get_type   (void) G_GNUC_CONST;
MPAIO_AVAILABLE_IN_ALL
MpaioChunk *mpaio_chunk_copy       (const MpaioChunk *self);
MPAIO_AVAILABLE_IN_ALL
void        mpaio_chunk_free       (MpaioChunk *self);
MPAIO_AVAILABLE_IN_ALL
guint64     mpaio_chunk_get_n_rows (const MpaioChunk *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpaioChunk, mpaio_chunk_free)

G_END_DECLS
