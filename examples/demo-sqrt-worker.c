/* demo-sqrt-worker.c: y = sqrt (x), from one float64 array into another
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <math.h>

#include "demo-sqrt-worker.h"

/* A map: each chunk's rows of the data iterator's array (x) are read, and
 * the same rows of the output array (y, a parameter, created writable) are
 * written in the worker process. Nothing but the row count travels back. */
struct _DemoSqrtWorker
{
  MpaioWorker parent_instance;

  MpaioSharedArray *output;
};

G_DEFINE_FINAL_TYPE (DemoSqrtWorker, demo_sqrt_worker, MPAIO_TYPE_WORKER)

enum
{
  PROP_0,
  PROP_OUTPUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

void
demo_sqrt_rows (const gdouble *input,
                gdouble       *output,
                guint64        start,
                guint64        end)
{
  for (guint64 i = start; i < end; i++)
    output[i] = sqrt (input[i]);
}

static GVariant *
demo_sqrt_worker_process (MpaioWorker      *worker,
                          const MpaioChunk *chunk,
                          GError          **error)
{
  DemoSqrtWorker   *self = DEMO_SQRT_WORKER (worker);
  MpaioSharedArray *input = mpaio_worker_get_array (worker);

  if (self->output == NULL
      || mpaio_shared_array_get_dtype (input) != MPAIO_DTYPE_FLOAT64
      || mpaio_shared_array_get_dtype (self->output) != MPAIO_DTYPE_FLOAT64
      || mpaio_shared_array_get_n_rows (self->output) < chunk->end)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "DemoSqrtWorker needs a float64 input and a float64 output of as "
                           "many rows");
      return NULL;
    }

  demo_sqrt_rows (mpaio_shared_array_get_data (input),
                  mpaio_shared_array_get_data (self->output), chunk->start, chunk->end);

  return g_variant_new_uint64 (chunk->end - chunk->start);
}

static void
demo_sqrt_worker_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  DemoSqrtWorker *self = DEMO_SQRT_WORKER (object);

  switch (prop_id)
    {
    case PROP_OUTPUT:
      g_value_set_object (value, self->output);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
demo_sqrt_worker_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  DemoSqrtWorker *self = DEMO_SQRT_WORKER (object);

  switch (prop_id)
    {
    case PROP_OUTPUT:
      g_set_object (&self->output, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
demo_sqrt_worker_finalize (GObject *object)
{
  g_clear_object (&DEMO_SQRT_WORKER (object)->output);

  G_OBJECT_CLASS (demo_sqrt_worker_parent_class)->finalize (object);
}

static void
demo_sqrt_worker_class_init (DemoSqrtWorkerClass *klass)
{
  GObjectClass     *object_class = G_OBJECT_CLASS (klass);
  MpaioWorkerClass *worker_class = MPAIO_WORKER_CLASS (klass);

  object_class->get_property = demo_sqrt_worker_get_property;
  object_class->set_property = demo_sqrt_worker_set_property;
  object_class->finalize = demo_sqrt_worker_finalize;
  worker_class->process = demo_sqrt_worker_process;

  /* A parameter like any other: it travels to the worker processes, as an
   * fd passed once to each, mapped writable since the array was created
   * so. */
  properties[PROP_OUTPUT] =
    g_param_spec_object ("output", NULL, NULL, MPAIO_TYPE_SHARED_ARRAY,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
demo_sqrt_worker_init (DemoSqrtWorker *self)
{
}

DemoSqrtWorker *
demo_sqrt_worker_new (MpaioDataIterator *iterator,
                      MpaioSharedArray  *output)
{
  return g_object_new (DEMO_TYPE_SQRT_WORKER, "data-iterator", iterator, "output", output, NULL);
}

MpaioSharedArray *
demo_sqrt_worker_get_output (DemoSqrtWorker *self)
{
  g_return_val_if_fail (DEMO_IS_SQRT_WORKER (self), NULL);

  return self->output;
}
