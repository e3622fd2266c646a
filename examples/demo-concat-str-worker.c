/* demo-concat-str-worker.c: concatenates a chunk of a string array
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include "demo-concat-str-worker.h"

struct _DemoConcatStrWorker
{
  MpaioWorker parent_instance;

  /* Only the main process's instance collects the chunks' strings. */
  GString *result;
};

G_DEFINE_FINAL_TYPE (DemoConcatStrWorker, demo_concat_str_worker, MPAIO_TYPE_WORKER)

static GVariant *
demo_concat_str_worker_process (MpaioWorker      *worker,
                                const MpaioChunk *chunk,
                                GError          **error)
{
  MpaioSharedArray *array = mpaio_worker_get_array (worker);
  gsize             item_size;
  GString          *out;

  /* A worker without a data iterator has no array. */
  if (array == NULL || mpaio_shared_array_get_dtype (array) != MPAIO_DTYPE_STRING)
    {
      g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                   "DemoConcatStrWorker needs a string array");
      return NULL;
    }

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
demo_concat_str_worker_process_callback (MpaioWorker      *worker,
                                         const MpaioChunk *chunk,
                                         GVariant         *result)
{
  DemoConcatStrWorker *self = DEMO_CONCAT_STR_WORKER (worker);

  g_string_append (self->result, g_variant_get_string (result, NULL));
}

static void
demo_concat_str_worker_finalize (GObject *object)
{
  DemoConcatStrWorker *self = DEMO_CONCAT_STR_WORKER (object);

  g_string_free (self->result, TRUE);

  G_OBJECT_CLASS (demo_concat_str_worker_parent_class)->finalize (object);
}

static void
demo_concat_str_worker_class_init (DemoConcatStrWorkerClass *klass)
{
  GObjectClass     *object_class = G_OBJECT_CLASS (klass);
  MpaioWorkerClass *worker_class = MPAIO_WORKER_CLASS (klass);

  object_class->finalize = demo_concat_str_worker_finalize;

  worker_class->process = demo_concat_str_worker_process;
  worker_class->process_callback = demo_concat_str_worker_process_callback;
}

static void
demo_concat_str_worker_init (DemoConcatStrWorker *self)
{
  self->result = g_string_new (NULL);
}

DemoConcatStrWorker *
demo_concat_str_worker_new (MpaioDataIterator *iterator)
{
  return g_object_new (DEMO_TYPE_CONCAT_STR_WORKER, "data-iterator", iterator, NULL);
}

const char *
demo_concat_str_worker_get_result (DemoConcatStrWorker *self)
{
  g_return_val_if_fail (DEMO_IS_CONCAT_STR_WORKER (self), NULL);

  return self->result->str;
}

/* The result's length in bytes, without a strlen() over a result that can
 * run to hundreds of megabytes (mpaio-monitor's concat workload). */
gsize
demo_concat_str_worker_get_length (DemoConcatStrWorker *self)
{
  g_return_val_if_fail (DEMO_IS_CONCAT_STR_WORKER (self), 0);

  return self->result->len;
}
