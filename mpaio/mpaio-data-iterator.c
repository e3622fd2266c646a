/* mpaio-data-iterator.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "mpaio-data-iterator.h"
#include "mpaio-data-iterator-private.h"

#include <gio/gio.h>

#include "mpaio-error.h"
#include "mpaio-platform.h"

/**
 * MpaioDataIterator:
 *
 * An array and how it is cut into [struct@Mpaio.Chunk]s, ranges of rows that
 * worker processes handle one at a time.
 *
 * By default the rows `[start-index, end-index)` are cut into chunks of
 * [property@Mpaio.DataIterator:chunk-size] rows, the last one shorter if the
 * chunk size does not divide the number of rows. Made with
 * [ctor@Mpaio.DataIterator.new_partitioned], or with a non-zero
 * [property@Mpaio.DataIterator:n-partitions], the rows are instead cut into
 * that many balanced chunks, whose sizes differ by at most one row: one per
 * core keeps every core busy with the least overhead.
 *
 * The iterator is validated when it is initialized ([iface@Gio.Initable]):
 * a chunk size of 0, a start past the end or an end past the rows is an
 * [error@Mpaio.Error.INVALID_ARGUMENT]. The constructors do it; an iterator
 * made with g_object_new() (as bindings do) yields no chunk until
 * g_initable_init() is called. Initializing again is harmless.
 *
 * Subclasses may cut the rows their own way by overriding the
 * `get_n_chunks` and `get_chunk` virtual methods (both of them); the
 * chunk-size check is then theirs to make, and the chunks they yield must
 * lie within the array. `get_chunk` is called once per chunk on the
 * orchestrator's hot path: it should be cheap and allocate nothing.
 *
 * An array of 1,000,000 rows in chunks of 100,000 rows, or in one chunk per
 * core:
 *
 * ```c
 * g_autoptr(MpaioDataIterator) by_size = mpaio_data_iterator_new (array, 100000, &error);
 * g_autoptr(MpaioDataIterator) by_core = mpaio_data_iterator_new_partitioned (array, 0, &error);
 * ```
 *
 * ```python
 * iterator = Mpaio.DataIterator.new_partitioned(array, 16)
 * ```
 *
 * Since: 0.1
 */

typedef struct
{
  MpaioSharedArray *array;
  guint64           chunk_size;
  guint64           start_index;
  guint64           end_index; /* G_MAXUINT64 until resolved by init */
  guint             n_partitions;

  /* Resolved by init; 0 chunks until then, so an iterator a binding made
   * without initializing it yields nothing rather than garbage. */
  guint64 n_chunks;
  guint64 partition_size; /* rows per partition, rounded down */
  guint64 partition_rest; /* rows left over, spread over the partitions */
} MpaioDataIteratorPrivate;

static void mpaio_data_iterator_initable_iface_init (GInitableIface *iface);

G_DEFINE_TYPE_WITH_CODE (MpaioDataIterator, mpaio_data_iterator, G_TYPE_OBJECT, G_ADD_PRIVATE (MpaioDataIterator) G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, mpaio_data_iterator_initable_iface_init))

enum
{
  PROP_0,
  PROP_ARRAY,
  PROP_CHUNK_SIZE,
  PROP_START_INDEX,
  PROP_END_INDEX,
  PROP_N_PARTITIONS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static guint64
mpaio_data_iterator_real_get_n_chunks (MpaioDataIterator *self)
{
  MpaioDataIteratorPrivate *priv = mpaio_data_iterator_get_instance_private (self);

  return priv->n_chunks;
}

static void
mpaio_data_iterator_real_get_chunk (MpaioDataIterator *self,
                                    guint64            index,
                                    MpaioChunk        *chunk)
{
  MpaioDataIteratorPrivate *priv = mpaio_data_iterator_get_instance_private (self);

  chunk->index = index;

  if (priv->n_partitions > 0)
    {
      /* Partition i starts at start + ⌊len × i / N⌋, computed as
       * q × i + ⌊r × i / N⌋ (len = q × N + r) so nothing overflows. */
      guint64 n = priv->n_chunks;
      guint64 q = priv->partition_size;
      guint64 r = priv->partition_rest;

      chunk->start = priv->start_index + q * index + (r * index) / n;
      chunk->end = priv->start_index + q * (index + 1) + (r * (index + 1)) / n;
    }
  else
    {
      chunk->start = priv->start_index + index * priv->chunk_size;
      /* Written so that start + chunk_size cannot overflow. */
      chunk->end = chunk->start + MIN (priv->chunk_size, priv->end_index - chunk->start);
    }
}

static gboolean
mpaio_data_iterator_initable_init (GInitable    *initable,
                                   GCancellable *cancellable,
                                   GError      **error)
{
  MpaioDataIterator        *self = MPAIO_DATA_ITERATOR (initable);
  MpaioDataIteratorPrivate *priv = mpaio_data_iterator_get_instance_private (self);
  MpaioDataIteratorClass   *klass = MPAIO_DATA_ITERATOR_GET_CLASS (self);
  gboolean                  default_partitioning;
  guint64                   n_rows;
  guint64                   end_index;
  guint64                   len;

  if (priv->array == NULL)
    {
      g_set_error_literal (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                           "A data iterator needs an array");
      return FALSE;
    }

  n_rows = mpaio_shared_array_get_n_rows (priv->array);
  end_index = priv->end_index == G_MAXUINT64 ? n_rows : priv->end_index;

  if (end_index > n_rows)
    {
      g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                   "End index %" G_GUINT64_FORMAT " is past the array's %" G_GUINT64_FORMAT " rows",
                   end_index, n_rows);
      return FALSE;
    }

  if (priv->start_index > end_index)
    {
      g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                   "Start index %" G_GUINT64_FORMAT " is past end index %" G_GUINT64_FORMAT,
                   priv->start_index, end_index);
      return FALSE;
    }

  /* A subclass with its own partitioning may not use a chunk size at all. */
  default_partitioning = klass->get_n_chunks == mpaio_data_iterator_real_get_n_chunks || klass->get_chunk == mpaio_data_iterator_real_get_chunk;

  if (default_partitioning && priv->n_partitions == 0 && priv->chunk_size == 0)
    {
      g_set_error_literal (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                           "The chunk size must be at least 1 row");
      return FALSE;
    }

  priv->end_index = end_index;
  len = end_index - priv->start_index;

  if (priv->n_partitions > 0)
    {
      /* Never an empty chunk: at most one partition per row. */
      priv->n_chunks = MIN ((guint64) priv->n_partitions, len);
      if (priv->n_chunks > 0)
        {
          priv->partition_size = len / priv->n_chunks;
          priv->partition_rest = len % priv->n_chunks;
        }
    }
  else if (priv->chunk_size > 0)
    {
      priv->n_chunks = len / priv->chunk_size + (len % priv->chunk_size != 0);
    }

  return TRUE;
}

static void
mpaio_data_iterator_initable_iface_init (GInitableIface *iface)
{
  iface->init = mpaio_data_iterator_initable_init;
}

static void
mpaio_data_iterator_dispose (GObject *object)
{
  MpaioDataIterator        *self = MPAIO_DATA_ITERATOR (object);
  MpaioDataIteratorPrivate *priv = mpaio_data_iterator_get_instance_private (self);

  g_clear_object (&priv->array);

  G_OBJECT_CLASS (mpaio_data_iterator_parent_class)->dispose (object);
}

static void
mpaio_data_iterator_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  MpaioDataIterator        *self = MPAIO_DATA_ITERATOR (object);
  MpaioDataIteratorPrivate *priv = mpaio_data_iterator_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_ARRAY:
      g_value_set_object (value, priv->array);
      break;
    case PROP_CHUNK_SIZE:
      g_value_set_uint64 (value, priv->chunk_size);
      break;
    case PROP_START_INDEX:
      g_value_set_uint64 (value, priv->start_index);
      break;
    case PROP_END_INDEX:
      g_value_set_uint64 (value, mpaio_data_iterator_get_end_index (self));
      break;
    case PROP_N_PARTITIONS:
      g_value_set_uint (value, priv->n_partitions);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mpaio_data_iterator_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  MpaioDataIterator        *self = MPAIO_DATA_ITERATOR (object);
  MpaioDataIteratorPrivate *priv = mpaio_data_iterator_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_ARRAY:
      priv->array = g_value_dup_object (value);
      break;
    case PROP_CHUNK_SIZE:
      priv->chunk_size = g_value_get_uint64 (value);
      break;
    case PROP_START_INDEX:
      priv->start_index = g_value_get_uint64 (value);
      break;
    case PROP_END_INDEX:
      priv->end_index = g_value_get_uint64 (value);
      break;
    case PROP_N_PARTITIONS:
      priv->n_partitions = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mpaio_data_iterator_class_init (MpaioDataIteratorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mpaio_data_iterator_dispose;
  object_class->get_property = mpaio_data_iterator_get_property;
  object_class->set_property = mpaio_data_iterator_set_property;

  klass->get_n_chunks = mpaio_data_iterator_real_get_n_chunks;
  klass->get_chunk = mpaio_data_iterator_real_get_chunk;

  /* The properties are construct-only because they are validated once, when
   * the iterator is initialized. */

  /**
   * MpaioDataIterator:array:
   *
   * The array whose rows are cut into chunks.
   *
   * Since: 0.1
   */
  properties[PROP_ARRAY] =
    g_param_spec_object ("array", NULL, NULL,
                         MPAIO_TYPE_SHARED_ARRAY,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * MpaioDataIterator:chunk-size:
   *
   * The number of rows of each chunk (the last one may be shorter). It must
   * be at least 1, unless [property@Mpaio.DataIterator:n-partitions] is set,
   * in which case it is not used.
   *
   * Since: 0.1
   */
  properties[PROP_CHUNK_SIZE] =
    g_param_spec_uint64 ("chunk-size", NULL, NULL,
                         0, G_MAXUINT64, 0,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * MpaioDataIterator:start-index:
   *
   * The first row to cut into chunks.
   *
   * Since: 0.1
   */
  properties[PROP_START_INDEX] =
    g_param_spec_uint64 ("start-index", NULL, NULL,
                         0, G_MAXUINT64, 0,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * MpaioDataIterator:end-index:
   *
   * The row after the last row to cut into chunks. Set, %G_MAXUINT64 means
   * every row of the array; read, it is the actual end row.
   *
   * Since: 0.1
   */
  properties[PROP_END_INDEX] =
    g_param_spec_uint64 ("end-index", NULL, NULL,
                         0, G_MAXUINT64, G_MAXUINT64,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * MpaioDataIterator:n-partitions:
   *
   * When not 0, the rows are cut into this many balanced chunks instead of
   * chunks of [property@Mpaio.DataIterator:chunk-size] rows (fewer when there
   * are fewer rows: a chunk is never empty).
   *
   * Since: 0.1
   */
  properties[PROP_N_PARTITIONS] =
    g_param_spec_uint ("n-partitions", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
mpaio_data_iterator_init (MpaioDataIterator *self)
{
  MpaioDataIteratorPrivate *priv = mpaio_data_iterator_get_instance_private (self);

  priv->end_index = G_MAXUINT64;
}

/**
 * mpaio_data_iterator_new:
 * @array: the array to cut into chunks
 * @chunk_size: the number of rows of each chunk, at least 1
 * @error: return location for a #GError
 *
 * Creates an iterator over every row of @array in chunks of @chunk_size rows,
 * the last one shorter if @chunk_size does not divide the number of rows.
 *
 * Returns: (transfer full): a new data iterator, or %NULL with @error set to
 *   [error@Mpaio.Error.INVALID_ARGUMENT]
 *
 * Since: 0.1
 */
MpaioDataIterator *
mpaio_data_iterator_new (MpaioSharedArray *array,
                         guint64           chunk_size,
                         GError          **error)
{
  return mpaio_data_iterator_new_range (array, chunk_size, 0, G_MAXUINT64, error);
}

/**
 * mpaio_data_iterator_new_range:
 * @array: the array to cut into chunks
 * @chunk_size: the number of rows of each chunk, at least 1
 * @start_index: the first row
 * @end_index: the row after the last row, or %G_MAXUINT64 for every row
 * @error: return location for a #GError
 *
 * Creates an iterator over the rows `[start_index, end_index)` of @array in
 * chunks of @chunk_size rows, the last one shorter if @chunk_size does not
 * divide the number of rows. An empty range yields no chunk.
 *
 * Returns: (transfer full): a new data iterator, or %NULL with @error set to
 *   [error@Mpaio.Error.INVALID_ARGUMENT]
 *
 * Since: 0.1
 */
MpaioDataIterator *
mpaio_data_iterator_new_range (MpaioSharedArray *array,
                               guint64           chunk_size,
                               guint64           start_index,
                               guint64           end_index,
                               GError          **error)
{
  g_return_val_if_fail (MPAIO_IS_SHARED_ARRAY (array), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_initable_new (MPAIO_TYPE_DATA_ITERATOR, NULL, error,
                         "array", array,
                         "chunk-size", chunk_size,
                         "start-index", start_index,
                         "end-index", end_index,
                         NULL);
}

/**
 * mpaio_data_iterator_new_partitioned:
 * @array: the array to cut into chunks
 * @n_partitions: the number of chunks, or 0 for one per core
 * @error: return location for a #GError
 *
 * Creates an iterator over every row of @array in @n_partitions chunks whose
 * sizes differ by at most one row. There are fewer chunks when there are
 * fewer rows, since a chunk is never empty, and none for an array of 0 rows.
 *
 * Returns: (transfer full): a new data iterator, or %NULL with @error set to
 *   [error@Mpaio.Error.INVALID_ARGUMENT]
 *
 * Since: 0.1
 */
MpaioDataIterator *
mpaio_data_iterator_new_partitioned (MpaioSharedArray *array,
                                     guint             n_partitions,
                                     GError          **error)
{
  g_return_val_if_fail (MPAIO_IS_SHARED_ARRAY (array), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (n_partitions == 0)
    n_partitions = mpaio_get_n_cores ();

  return g_initable_new (MPAIO_TYPE_DATA_ITERATOR, NULL, error,
                         "array", array,
                         "n-partitions", n_partitions,
                         NULL);
}

/**
 * mpaio_data_iterator_get_array:
 * @self: a data iterator
 *
 * Gets the array the iterator cuts into chunks.
 *
 * Returns: (transfer none): the array
 *
 * Since: 0.1
 */
MpaioSharedArray *
_mpaio_data_iterator_peek_array (MpaioDataIterator *self)
{
  MpaioDataIteratorPrivate *priv = mpaio_data_iterator_get_instance_private (self);

  return priv->array;
}

MpaioSharedArray *
mpaio_data_iterator_get_array (MpaioDataIterator *self)
{
  MpaioDataIteratorPrivate *priv = mpaio_data_iterator_get_instance_private (self);

  g_return_val_if_fail (MPAIO_IS_DATA_ITERATOR (self), NULL);

  return priv->array;
}

/**
 * mpaio_data_iterator_get_chunk_size:
 * @self: a data iterator
 *
 * Gets the number of rows of each chunk, as given at construction; it is not
 * used when the iterator makes partitions.
 *
 * Returns: the chunk size
 *
 * Since: 0.1
 */
guint64
mpaio_data_iterator_get_chunk_size (MpaioDataIterator *self)
{
  MpaioDataIteratorPrivate *priv = mpaio_data_iterator_get_instance_private (self);

  g_return_val_if_fail (MPAIO_IS_DATA_ITERATOR (self), 0);

  return priv->chunk_size;
}

/**
 * mpaio_data_iterator_get_start_index:
 * @self: a data iterator
 *
 * Gets the first row the iterator covers.
 *
 * Returns: the start row
 *
 * Since: 0.1
 */
guint64
mpaio_data_iterator_get_start_index (MpaioDataIterator *self)
{
  MpaioDataIteratorPrivate *priv = mpaio_data_iterator_get_instance_private (self);

  g_return_val_if_fail (MPAIO_IS_DATA_ITERATOR (self), 0);

  return priv->start_index;
}

/**
 * mpaio_data_iterator_get_end_index:
 * @self: a data iterator
 *
 * Gets the row after the last row the iterator covers: the number of rows of
 * the array when the iterator covers them all.
 *
 * Returns: the end row
 *
 * Since: 0.1
 */
guint64
mpaio_data_iterator_get_end_index (MpaioDataIterator *self)
{
  MpaioDataIteratorPrivate *priv = mpaio_data_iterator_get_instance_private (self);

  g_return_val_if_fail (MPAIO_IS_DATA_ITERATOR (self), 0);

  if (priv->end_index == G_MAXUINT64 && priv->array != NULL)
    return mpaio_shared_array_get_n_rows (priv->array);

  return priv->end_index;
}

/**
 * mpaio_data_iterator_get_n_partitions:
 * @self: a data iterator
 *
 * Gets the number of balanced partitions asked for, or 0 if the iterator
 * cuts chunks of [property@Mpaio.DataIterator:chunk-size] rows.
 *
 * Returns: the number of partitions asked for
 *
 * Since: 0.1
 */
guint
mpaio_data_iterator_get_n_partitions (MpaioDataIterator *self)
{
  MpaioDataIteratorPrivate *priv = mpaio_data_iterator_get_instance_private (self);

  g_return_val_if_fail (MPAIO_IS_DATA_ITERATOR (self), 0);

  return priv->n_partitions;
}

/**
 * mpaio_data_iterator_get_n_chunks: (virtual get_n_chunks)
 * @self: a data iterator
 *
 * Gets how many chunks the iterator yields.
 *
 * Returns: the number of chunks
 *
 * Since: 0.1
 */
guint64
mpaio_data_iterator_get_n_chunks (MpaioDataIterator *self)
{
  g_return_val_if_fail (MPAIO_IS_DATA_ITERATOR (self), 0);

  return MPAIO_DATA_ITERATOR_GET_CLASS (self)->get_n_chunks (self);
}

/**
 * mpaio_data_iterator_get_chunk:
 * @self: a data iterator
 * @index: the index of a chunk, from 0
 * @chunk: (out caller-allocates): return location for the chunk
 *
 * Gets the chunk at @index.
 *
 * Returns: %TRUE with @chunk filled in, or %FALSE if @index is not below the
 *   number of chunks
 *
 * Since: 0.1
 */
gboolean
mpaio_data_iterator_get_chunk (MpaioDataIterator *self,
                               guint64            index,
                               MpaioChunk        *chunk)
{
  MpaioDataIteratorClass *klass;

  g_return_val_if_fail (MPAIO_IS_DATA_ITERATOR (self), FALSE);
  g_return_val_if_fail (chunk != NULL, FALSE);

  klass = MPAIO_DATA_ITERATOR_GET_CLASS (self);
  if (index >= klass->get_n_chunks (self))
    return FALSE;

  /* A subclass (a binding's above all) that fills in nothing, or rows
   * outside the array, must not pass for a chunk. */
  chunk->index = G_MAXUINT64;
  klass->get_chunk (self, index, chunk);

  return chunk->index == index && chunk->start <= chunk->end
         && chunk->end <= mpaio_shared_array_get_n_rows (mpaio_data_iterator_get_array (self));
}
