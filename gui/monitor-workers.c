/* monitor-workers.c: the demo workloads mpaio-monitor runs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The seed's two workers (a sum of integers and a concatenation of strings)
 * and a CPU-bound kernel. Their `process` runs in worker processes (or pool
 * threads), their `process_callback` in the main process, so only the main
 * process's instances accumulate results.
 */

#include <string.h>

#include "monitor-workers.h"

/* Sum of an int64 array. */

struct _MonitorSumWorker
{
  MpaioWorker parent_instance;

  guint64     total;
};

G_DEFINE_FINAL_TYPE (MonitorSumWorker, monitor_sum_worker, MPAIO_TYPE_WORKER)

static gboolean
check_dtype (MpaioWorker *worker,
             MpaioDType   dtype,
             GError     **error)
{
  MpaioSharedArray *array = mpaio_worker_get_array (worker);

  if (array != NULL && mpaio_shared_array_get_dtype (array) == dtype)
    return TRUE;

  g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
               "%s cannot process this array's element type", G_OBJECT_TYPE_NAME (worker));
  return FALSE;
}

static GVariant *
monitor_sum_worker_process (MpaioWorker      *worker,
                            const MpaioChunk *chunk,
                            GError          **error)
{
  const gint64 *data;
  guint64       s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  guint64       i = chunk->start;

  if (!check_dtype (worker, MPAIO_DTYPE_INT64, error))
    return NULL;

  data = mpaio_shared_array_get_data (mpaio_worker_get_array (worker));

  /* Four independent sums let the additions overlap instead of each
   * waiting for the previous one. */
  for (; i + 4 <= chunk->end; i += 4)
    {
      s0 += (guint64) data[i];
      s1 += (guint64) data[i + 1];
      s2 += (guint64) data[i + 2];
      s3 += (guint64) data[i + 3];
    }
  for (; i < chunk->end; i++)
    s0 += (guint64) data[i];

  /* Sums wrap modulo 2^64; the bits travel as an int64. */
  return g_variant_new_int64 ((gint64) (s0 + s1 + s2 + s3));
}

static void
monitor_sum_worker_process_callback (MpaioWorker      *worker,
                                     const MpaioChunk *chunk,
                                     GVariant         *result)
{
  MONITOR_SUM_WORKER (worker)->total += (guint64) g_variant_get_int64 (result);
}

static void
monitor_sum_worker_class_init (MonitorSumWorkerClass *klass)
{
  MpaioWorkerClass *worker_class = MPAIO_WORKER_CLASS (klass);

  worker_class->process = monitor_sum_worker_process;
  worker_class->process_callback = monitor_sum_worker_process_callback;
}

static void
monitor_sum_worker_init (MonitorSumWorker *self)
{
}

guint64
monitor_sum_worker_get_total (MonitorSumWorker *self)
{
  g_return_val_if_fail (MONITOR_IS_SUM_WORKER (self), 0);

  return self->total;
}

/* Concatenation of a fixed-width string array, in row order (the run must
 * be ordered). */

struct _MonitorConcatWorker
{
  MpaioWorker parent_instance;

  GString    *result;
};

G_DEFINE_FINAL_TYPE (MonitorConcatWorker, monitor_concat_worker, MPAIO_TYPE_WORKER)

static GVariant *
monitor_concat_worker_process (MpaioWorker      *worker,
                               const MpaioChunk *chunk,
                               GError          **error)
{
  MpaioSharedArray *array;
  gsize             item_size;
  GString          *out;

  if (!check_dtype (worker, MPAIO_DTYPE_STRING, error))
    return NULL;

  array = mpaio_worker_get_array (worker);
  item_size = mpaio_shared_array_get_item_size (array);
  out = g_string_sized_new ((chunk->end - chunk->start) * item_size);

  for (guint64 row = chunk->start; row < chunk->end; row++)
    {
      const char *item = mpaio_shared_array_get_row (array, row);

      /* Items are NUL-padded, not NUL-terminated when they fill the width. */
      g_string_append_len (out, item, strnlen (item, item_size));
    }

  return g_variant_new_take_string (g_string_free (out, FALSE));
}

static void
monitor_concat_worker_process_callback (MpaioWorker      *worker,
                                        const MpaioChunk *chunk,
                                        GVariant         *result)
{
  g_string_append (MONITOR_CONCAT_WORKER (worker)->result, g_variant_get_string (result, NULL));
}

static void
monitor_concat_worker_finalize (GObject *object)
{
  MonitorConcatWorker *self = MONITOR_CONCAT_WORKER (object);

  g_string_free (self->result, TRUE);

  G_OBJECT_CLASS (monitor_concat_worker_parent_class)->finalize (object);
}

static void
monitor_concat_worker_class_init (MonitorConcatWorkerClass *klass)
{
  GObjectClass     *object_class = G_OBJECT_CLASS (klass);
  MpaioWorkerClass *worker_class = MPAIO_WORKER_CLASS (klass);

  object_class->finalize = monitor_concat_worker_finalize;
  worker_class->process = monitor_concat_worker_process;
  worker_class->process_callback = monitor_concat_worker_process_callback;
}

static void
monitor_concat_worker_init (MonitorConcatWorker *self)
{
  self->result = g_string_new (NULL);
}

const char *
monitor_concat_worker_get_result (MonitorConcatWorker *self)
{
  g_return_val_if_fail (MONITOR_IS_CONCAT_WORKER (self), NULL);

  return self->result->str;
}

gsize
monitor_concat_worker_get_length (MonitorConcatWorker *self)
{
  g_return_val_if_fail (MONITOR_IS_CONCAT_WORKER (self), 0);

  return self->result->len;
}

/* A CPU-bound kernel: every element goes through rounds of a 64-bit mixer
 * and the results are summed, so a chunk costs time in proportion to its
 * rows and not to memory bandwidth. */

struct _MonitorComputeWorker
{
  MpaioWorker parent_instance;

  guint       rounds;
  guint64     checksum;
};

G_DEFINE_FINAL_TYPE (MonitorComputeWorker, monitor_compute_worker, MPAIO_TYPE_WORKER)

enum
{
  COMPUTE_PROP_0,
  COMPUTE_PROP_ROUNDS,
  COMPUTE_N_PROPS
};

static GParamSpec *compute_properties[COMPUTE_N_PROPS];

/* The splitmix64 finaliser: a chain of dependent multiplies the compiler
 * can neither skip nor vectorise across rounds. */
static inline guint64
mix64 (guint64 z)
{
  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

static GVariant *
monitor_compute_worker_process (MpaioWorker      *worker,
                                const MpaioChunk *chunk,
                                GError          **error)
{
  MonitorComputeWorker *self = MONITOR_COMPUTE_WORKER (worker);
  const gint64         *data;
  guint64               sum = 0;

  if (!check_dtype (worker, MPAIO_DTYPE_INT64, error))
    return NULL;

  data = mpaio_shared_array_get_data (mpaio_worker_get_array (worker));

  for (guint64 i = chunk->start; i < chunk->end; i++)
    {
      guint64 x = (guint64) data[i];

      for (guint r = 0; r < self->rounds; r++)
        x = mix64 (x);
      sum += x;
    }

  return g_variant_new_int64 ((gint64) sum);
}

static void
monitor_compute_worker_process_callback (MpaioWorker      *worker,
                                         const MpaioChunk *chunk,
                                         GVariant         *result)
{
  /* Addition modulo 2^64 commutes: the checksum needs no ordered run. */
  MONITOR_COMPUTE_WORKER (worker)->checksum += (guint64) g_variant_get_int64 (result);
}

static void
monitor_compute_worker_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  MonitorComputeWorker *self = MONITOR_COMPUTE_WORKER (object);

  switch (prop_id)
    {
    case COMPUTE_PROP_ROUNDS:
      g_value_set_uint (value, self->rounds);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
monitor_compute_worker_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  MonitorComputeWorker *self = MONITOR_COMPUTE_WORKER (object);

  switch (prop_id)
    {
    case COMPUTE_PROP_ROUNDS:
      self->rounds = g_value_get_uint (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
monitor_compute_worker_class_init (MonitorComputeWorkerClass *klass)
{
  GObjectClass     *object_class = G_OBJECT_CLASS (klass);
  MpaioWorkerClass *worker_class = MPAIO_WORKER_CLASS (klass);

  object_class->get_property = monitor_compute_worker_get_property;
  object_class->set_property = monitor_compute_worker_set_property;
  worker_class->process = monitor_compute_worker_process;
  worker_class->process_callback = monitor_compute_worker_process_callback;

  /* Readable and writable, so the library copies it to the worker's
   * instances in worker processes. */
  compute_properties[COMPUTE_PROP_ROUNDS] =
    g_param_spec_uint ("rounds", NULL, NULL, 0, G_MAXUINT, 64,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, COMPUTE_N_PROPS, compute_properties);
}

static void
monitor_compute_worker_init (MonitorComputeWorker *self)
{
}

guint
monitor_compute_worker_get_rounds (MonitorComputeWorker *self)
{
  g_return_val_if_fail (MONITOR_IS_COMPUTE_WORKER (self), 0);

  return self->rounds;
}

guint64
monitor_compute_worker_get_checksum (MonitorComputeWorker *self)
{
  g_return_val_if_fail (MONITOR_IS_COMPUTE_WORKER (self), 0);

  return self->checksum;
}

/* Worker processes find these types by name, which works only once they are
 * registered: main() calls this before mpaio_init(). */
void
monitor_workers_ensure_types (void)
{
  g_type_ensure (MONITOR_TYPE_SUM_WORKER);
  g_type_ensure (MONITOR_TYPE_CONCAT_WORKER);
  g_type_ensure (MONITOR_TYPE_COMPUTE_WORKER);
}
