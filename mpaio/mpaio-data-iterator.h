/* mpaio-data-iterator.h: how an array is cut into chunks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(MPAIO_INSIDE) && !defined(MPAIO_COMPILATION)
#error "Only <mpaio.h> can be included directly."
#endif

#include <glib-object.h>

#include "mpaio-chunk.h"
#include "mpaio-shared-array.h"
#include "mpaio-version-macros.h"

/* clang-format off */
G_BEGIN_DECLS

#define MPAIO_TYPE_DATA_ITERATOR (mpaio_data_iterator_get_type ())

MPAIO_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (MpaioDataIterator, mpaio_data_iterator, MPAIO, DATA_ITERATOR, GObject)

/**
 * MpaioDataIteratorClass:
 * @parent_class: the parent class
 * @get_n_chunks: returns how many chunks the iterator yields
 * @get_chunk: fills in every field of the chunk at an index below the number
 *   of chunks (the public wrapper checks the index); called once per chunk on
 *   the orchestrator's hot path, so it should be cheap and allocate nothing
 *
 * The virtual methods a subclass overrides, both together, to partition the
 * rows its own way. The default ones cut chunks of
 * [property@Mpaio.DataIterator:chunk-size] rows, or balanced partitions.
 * Chunks must lie within the array's rows.
 *
 * Since: 0.1
 */
/**
 * MpaioDataIteratorClass::get_chunk:
 * @self: a data iterator
 * @index: the index of a chunk, below the number of chunks
 * @chunk: (out caller-allocates): the chunk to fill in, every field of it
 *
 * Fills in the chunk at @index; [method@Mpaio.DataIterator.get_chunk] has
 * already checked that @index is in range.
 *
 * Since: 0.1
 */
struct _MpaioDataIteratorClass
{
  GObjectClass parent_class;

  guint64 (*get_n_chunks) (MpaioDataIterator *self);
  void    (*get_chunk)    (MpaioDataIterator *self,
                           guint64            index,
                           MpaioChunk        *chunk);

  /*< private >*/
  gpointer _reserved[8];
};

MPAIO_AVAILABLE_IN_ALL
MpaioDataIterator *mpaio_data_iterator_new             (MpaioSharedArray   *array,
                                                        guint64             chunk_size,
                                                        GError            **error) G_GNUC_WARN_UNUSED_RESULT;
MPAIO_AVAILABLE_IN_ALL
MpaioDataIterator *mpaio_data_iterator_new_range       (MpaioSharedArray   *array,
                                                        guint64             chunk_size,
                                                        guint64             start_index,
                                                        guint64             end_index,
                                                        GError            **error) G_GNUC_WARN_UNUSED_RESULT;
MPAIO_AVAILABLE_IN_ALL
MpaioDataIterator *mpaio_data_iterator_new_partitioned (MpaioSharedArray   *array,
                                                        guint               n_partitions,
                                                        GError            **error) G_GNUC_WARN_UNUSED_RESULT;
MPAIO_AVAILABLE_IN_ALL
MpaioSharedArray  *mpaio_data_iterator_get_array       (MpaioDataIterator  *self);
MPAIO_AVAILABLE_IN_ALL
guint64            mpaio_data_iterator_get_chunk_size  (MpaioDataIterator  *self);
MPAIO_AVAILABLE_IN_ALL
guint64            mpaio_data_iterator_get_start_index (MpaioDataIterator  *self);
MPAIO_AVAILABLE_IN_ALL
guint64            mpaio_data_iterator_get_end_index   (MpaioDataIterator  *self);
MPAIO_AVAILABLE_IN_ALL
guint              mpaio_data_iterator_get_n_partitions (MpaioDataIterator *self);
MPAIO_AVAILABLE_IN_ALL
guint64            mpaio_data_iterator_get_n_chunks    (MpaioDataIterator  *self);
MPAIO_AVAILABLE_IN_ALL
gboolean           mpaio_data_iterator_get_chunk       (MpaioDataIterator  *self,
                                                        guint64             index,
                                                        MpaioChunk         *chunk);

G_END_DECLS
