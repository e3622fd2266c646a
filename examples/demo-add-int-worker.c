/* demo-add-int-worker.c: sums a chunk of an int64 array
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "demo-add-int-worker.h"

/* The worker's `process` runs in worker processes, its `process_callback` in
 * the main process: only the main process's instance accumulates a total. */
struct _DemoAddIntWorker
{
  MpaioWorker parent_instance;

  guint   rounds;
  guint64 total;
};

G_DEFINE_FINAL_TYPE (DemoAddIntWorker, demo_add_int_worker, MPAIO_TYPE_WORKER)

enum
{
  PROP_0,
  PROP_ROUNDS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The splitmix64 finaliser: cheap, but a chain of dependent multiplies the
 * compiler cannot skip, so --rounds turns the sum into CPU-bound work. */
static inline guint64
mix64 (guint64 z)
{
  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

static guint64
sum_plain (const gint64 *data,
           guint64       n)
{
  /* Four independent sums keep several additions in flight; one would make
   * each wait for the previous. */
  guint64 s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  guint64 i = 0;

  for (; i + 4 <= n; i += 4)
    {
      s0 += (guint64) data[i];
      s1 += (guint64) data[i + 1];
      s2 += (guint64) data[i + 2];
      s3 += (guint64) data[i + 3];
    }
  for (; i < n; i++)
    s0 += (guint64) data[i];

  return s0 + s1 + s2 + s3;
}

static guint64
sum_mixed (const gint64 *data,
           guint64       n,
           guint         rounds)
{
  guint64 sum = 0;

  for (guint64 i = 0; i < n; i++)
    {
      guint64 x = (guint64) data[i];

      for (guint r = 0; r < rounds; r++)
        x = mix64 (x);
      sum += x;
    }

  return sum;
}

static GVariant *
demo_add_int_worker_process (MpaioWorker      *worker,
                             const MpaioChunk *chunk,
                             GError          **error)
{
  DemoAddIntWorker *self = DEMO_ADD_INT_WORKER (worker);
  MpaioSharedArray *array = mpaio_worker_get_array (worker);
  const gint64     *data;
  guint64           n = chunk->end - chunk->start;
  guint64           sum;

  /* A worker without a data iterator has no array, so this comes before
   * any row is looked up. */
  if (array == NULL || mpaio_shared_array_get_dtype (array) != MPAIO_DTYPE_INT64)
    {
      g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                   "DemoAddIntWorker needs an int64 array");
      return NULL;
    }

  data = mpaio_shared_array_get_row (array, chunk->start);
  if (self->rounds == 0)
    sum = sum_plain (data, n);
  else
    sum = sum_mixed (data, n, self->rounds);

  /* Sums wrap around modulo 2^64; the bits travel as an int64. */
  return g_variant_new_int64 ((gint64) sum);
}

static void
demo_add_int_worker_process_callback (MpaioWorker      *worker,
                                      const MpaioChunk *chunk,
                                      GVariant         *result)
{
  DemoAddIntWorker *self = DEMO_ADD_INT_WORKER (worker);

  self->total += (guint64) g_variant_get_int64 (result);
}

static void
demo_add_int_worker_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  DemoAddIntWorker *self = DEMO_ADD_INT_WORKER (object);

  switch (prop_id)
    {
    case PROP_ROUNDS:
      g_value_set_uint (value, self->rounds);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
demo_add_int_worker_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  DemoAddIntWorker *self = DEMO_ADD_INT_WORKER (object);

  switch (prop_id)
    {
    case PROP_ROUNDS:
      if (self->rounds != g_value_get_uint (value))
        {
          self->rounds = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
demo_add_int_worker_class_init (DemoAddIntWorkerClass *klass)
{
  GObjectClass     *object_class = G_OBJECT_CLASS (klass);
  MpaioWorkerClass *worker_class = MPAIO_WORKER_CLASS (klass);

  object_class->get_property = demo_add_int_worker_get_property;
  object_class->set_property = demo_add_int_worker_set_property;

  worker_class->process = demo_add_int_worker_process;
  worker_class->process_callback = demo_add_int_worker_process_callback;

  /* Readable and writable, so the library copies it to the worker's
   * instances in worker processes. */
  properties[PROP_ROUNDS] =
    g_param_spec_uint ("rounds", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
demo_add_int_worker_init (DemoAddIntWorker *self)
{
}

DemoAddIntWorker *
demo_add_int_worker_new (MpaioDataIterator *iterator,
                         guint              rounds)
{
  return g_object_new (DEMO_TYPE_ADD_INT_WORKER,
                       "data-iterator", iterator,
                       "rounds", rounds,
                       NULL);
}

guint
demo_add_int_worker_get_rounds (DemoAddIntWorker *self)
{
  g_return_val_if_fail (DEMO_IS_ADD_INT_WORKER (self), 0);

  return self->rounds;
}

guint64
demo_add_int_worker_get_total (DemoAddIntWorker *self)
{
  g_return_val_if_fail (DEMO_IS_ADD_INT_WORKER (self), 0);

  return self->total;
}
