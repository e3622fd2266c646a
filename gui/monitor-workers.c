/* monitor-workers.c: the demo workloads mpaio-monitor runs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The compute workload, a CPU-bound kernel, lives here; the sum and concat
 * workloads are mpaio-demo's own workers (examples/demo-*-worker.c), so
 * the monitor runs the very code mpaio-demo and the benchmarks do. A
 * worker's `process` runs in worker processes (or pool threads), its
 * `process_callback` in the main process, so only the main process's
 * instances accumulate results.
 */

#include "monitor-workers.h"

/* A CPU-bound kernel: every element goes through rounds of a 64-bit mixer
 * and the results are summed, so a chunk costs time in proportion to its
 * rows and not to memory bandwidth. */

struct _MonitorComputeWorker
{
  MpaioWorker parent_instance;

  guint   rounds;
  guint64 checksum;
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
  MpaioSharedArray     *array = mpaio_worker_get_array (worker);
  const gint64         *data;
  guint64               sum = 0;

  /* A worker without a data iterator has no array. */
  if (array == NULL || mpaio_shared_array_get_dtype (array) != MPAIO_DTYPE_INT64)
    {
      g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                   "MonitorComputeWorker needs an int64 array");
      return NULL;
    }

  data = mpaio_shared_array_get_data (array);

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
  g_type_ensure (DEMO_TYPE_ADD_INT_WORKER);
  g_type_ensure (DEMO_TYPE_CONCAT_STR_WORKER);
  g_type_ensure (MONITOR_TYPE_COMPUTE_WORKER);
}
