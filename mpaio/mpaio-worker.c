/* mpaio-worker.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <gmodule.h>

#include "mpaio-error.h"
#include "mpaio-data-iterator-private.h"
#include "mpaio-worker-parameters-private.h"
#include "mpaio-worker-private.h"

/**
 * MpaioWorker:
 *
 * The abstract worker: what to compute for a chunk of an array, and what to
 * do with each chunk's result.
 *
 * A subclass implements [vfunc@Mpaio.Worker.process], which runs in a worker
 * process (or a thread of a [class@Mpaio.ThreadPool]) and returns the
 * chunk's result as a [struct@GLib.Variant], and usually
 * [vfunc@Mpaio.Worker.process_callback], which runs in the main process on
 * the main context that started the run, once per chunk.
 *
 * A worker is configured like any GObject: its readable and writable
 * properties are its parameters, copied to the worker's counterpart in each
 * worker process. They may be booleans, numbers, enums, flags, strings
 * (copied byte for byte: a file name need not be UTF-8), string arrays,
 * [struct@GLib.Bytes], [struct@GLib.Variant]s and
 * [class@Mpaio.SharedArray]s, together at most 63 MiB once serialized. A
 * shared array travels as the data iterator's does: its file descriptor is
 * passed once to each worker process, which maps it read-only unless the
 * array was created [flags@Mpaio.SharedArrayFlags.WRITABLE]. So a worker can
 * read several input arrays and write output arrays, whose rows written by
 * `process` are visible to the main process by the time the chunk's
 * `process_callback` runs. A run of a worker with a readable and writable
 * property of any other type (an object, a pointer, another boxed type)
 * fails at its start with %MPAIO_ERROR_INVALID_ARGUMENT naming the
 * property: state of the main-process instance (such as totals
 * accumulated by `process_callback`) belongs in fields or read-only
 * properties, which stay in the main process.
 *
 * An error `process` sets reaches the caller of the run with its own domain
 * and code when the domain is registered in the main process too (by its
 * quark's name), its message prefixed with the chunk and worker; an error of
 * a domain only the worker process knows arrives as
 * %MPAIO_ERROR_WORKER_FAILED, naming it.
 *
 * In a worker process the worker's type is looked up by name, so a C
 * program calls `g_type_ensure()` on its worker types before
 * [func@Mpaio.init]; Python and JavaScript classes need an explicit GType
 * name (`__gtype_name__`, `GTypeName`).
 *
 * A worker that sums its chunks of an int64 array, in C:
 *
 * ```c
 * static GVariant *
 * my_sum_worker_process (MpaioWorker *worker, const MpaioChunk *chunk, GError **error)
 * {
 *   const gint64 *rows = mpaio_shared_array_get_data (mpaio_worker_get_array (worker));
 *   gint64        sum = 0;
 *
 *   for (guint64 i = chunk->start; i < chunk->end; i++)
 *     sum += rows[i];
 *   return g_variant_new_int64 (sum);
 * }
 *
 * static void
 * my_sum_worker_process_callback (MpaioWorker *worker, const MpaioChunk *chunk, GVariant *result)
 * {
 *   MY_SUM_WORKER (worker)->total += g_variant_get_int64 (result);
 * }
 * ```
 *
 * and in Python (an exception in `do_process` fails the chunk with its
 * traceback; in `do_process_callback`, the run):
 *
 * ```python
 * class SumWorker(Mpaio.Worker):
 *     __gtype_name__ = "SumWorker"
 *     total = 0
 *
 *     def do_process(self, chunk):
 *         rows = self.get_array().as_numpy()[chunk.start:chunk.end]
 *         return GLib.Variant.new_int64(int(rows.sum()))
 *
 *     def do_process_callback(self, chunk, result):
 *         self.total += result.get_int64()
 * ```
 *
 * Since: 0.1
 */

typedef struct
{
  MpaioDataIterator *data_iterator;
  gint               generation;
  /* The parameters serialized at parameters_generation, and the arrays
   * among them; executors may ask from any thread. */
  GMutex     parameters_lock;
  GVariant  *parameters;
  GPtrArray *parameter_arrays;
  guint      parameters_generation;
  /* Set by mpaio_worker_fail_run() from a process_callback, main process
   * only. */
  GError *run_error;
} MpaioWorkerPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (MpaioWorker, mpaio_worker, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_DATA_ITERATOR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
mpaio_worker_finalize (GObject *object)
{
  MpaioWorkerPrivate *priv = mpaio_worker_get_instance_private (MPAIO_WORKER (object));

  g_clear_object (&priv->data_iterator);
  g_clear_pointer (&priv->parameters, g_variant_unref);
  g_clear_pointer (&priv->parameter_arrays, g_ptr_array_unref);
  g_clear_error (&priv->run_error);
  g_mutex_clear (&priv->parameters_lock);

  G_OBJECT_CLASS (mpaio_worker_parent_class)->finalize (object);
}

static void
mpaio_worker_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  MpaioWorker *self = MPAIO_WORKER (object);

  switch (prop_id)
    {
    case PROP_DATA_ITERATOR:
      g_value_set_object (value, mpaio_worker_get_data_iterator (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mpaio_worker_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  MpaioWorkerPrivate *priv = mpaio_worker_get_instance_private (MPAIO_WORKER (object));

  switch (prop_id)
    {
    case PROP_DATA_ITERATOR:
      priv->data_iterator = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* Any change of a subclass's property may change what `process` computes,
 * so executors holding a copy of the worker elsewhere must send it again. */
static void
mpaio_worker_notify (GObject    *object,
                     GParamSpec *pspec)
{
  MpaioWorkerPrivate *priv = mpaio_worker_get_instance_private (MPAIO_WORKER (object));

  if (_mpaio_worker_is_parameter (pspec))
    g_atomic_int_inc (&priv->generation);

  if (G_OBJECT_CLASS (mpaio_worker_parent_class)->notify)
    G_OBJECT_CLASS (mpaio_worker_parent_class)->notify (object, pspec);
}

static void
mpaio_worker_class_init (MpaioWorkerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = mpaio_worker_finalize;
  object_class->get_property = mpaio_worker_get_property;
  object_class->set_property = mpaio_worker_set_property;
  object_class->notify = mpaio_worker_notify;

  /**
   * MpaioWorker:data-iterator:
   *
   * The array the worker processes and how it is cut into chunks.
   *
   * Since: 0.1
   */
  properties[PROP_DATA_ITERATOR] =
    g_param_spec_object ("data-iterator", NULL, NULL,
                         MPAIO_TYPE_DATA_ITERATOR,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
mpaio_worker_init (MpaioWorker *self)
{
  MpaioWorkerPrivate *priv = mpaio_worker_get_instance_private (self);

  g_mutex_init (&priv->parameters_lock);
}

/**
 * mpaio_worker_get_data_iterator:
 * @self: a worker
 *
 * The data iterator the worker was made with. In a worker process, an
 * iterator over the same array.
 *
 * Returns: (transfer none) (nullable): the data iterator
 *
 * Since: 0.1
 */
MpaioDataIterator *
mpaio_worker_get_data_iterator (MpaioWorker *self)
{
  MpaioWorkerPrivate *priv = mpaio_worker_get_instance_private (self);

  g_return_val_if_fail (MPAIO_IS_WORKER (self), NULL);

  return priv->data_iterator;
}

/**
 * mpaio_worker_get_array:
 * @self: a worker
 *
 * The array of the worker's data iterator: in `process`, the array whose
 * rows the chunk names, mapped into the worker process.
 *
 * Returns: (transfer none) (nullable): the array
 *
 * Since: 0.1
 */
MpaioSharedArray *
_mpaio_worker_peek_array (MpaioWorker *self)
{
  MpaioWorkerPrivate *priv = mpaio_worker_get_instance_private (self);

  return priv->data_iterator ? _mpaio_data_iterator_peek_array (priv->data_iterator) : NULL;
}

MpaioSharedArray *
mpaio_worker_get_array (MpaioWorker *self)
{
  MpaioWorkerPrivate *priv = mpaio_worker_get_instance_private (self);

  g_return_val_if_fail (MPAIO_IS_WORKER (self), NULL);

  return priv->data_iterator ? mpaio_data_iterator_get_array (priv->data_iterator) : NULL;
}

/**
 * mpaio_worker_process: (virtual process)
 * @self: a worker
 * @chunk: the rows to process
 * @error: return location for a #GError
 *
 * Computes the result of @chunk. Runs in a worker process (or an executor
 * thread), never on the main context of the run.
 *
 * A worker that returns %NULL without setting @error, or whose binding
 * raised an exception, gets an error of its own here, so the caller always
 * gets a result or an error.
 *
 * Returns: (transfer full): the result, or %NULL with @error set
 *
 * Since: 0.1
 */
GVariant *
mpaio_worker_process (MpaioWorker      *self,
                      const MpaioChunk *chunk,
                      GError          **error)
{
  MpaioWorkerClass *klass;
  g_autoptr(GError) local_error = NULL;
  GVariant *result;

  g_return_val_if_fail (MPAIO_IS_WORKER (self), NULL);
  g_return_val_if_fail (chunk != NULL, NULL);

  klass = MPAIO_WORKER_GET_CLASS (self);
  if (klass->process == NULL)
    {
      g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_WORKER_FAILED,
                   "%s does not implement process", G_OBJECT_TYPE_NAME (self));
      return NULL;
    }

  result = klass->process (self, chunk, &local_error);

  if (result != NULL)
    {
      /* C returns a floating reference, bindings a full one. */
      return g_variant_take_ref (result);
    }

  if (local_error == NULL)
    {
      g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_WORKER_FAILED,
                   "%s.process returned no result and no error (did it raise an exception?)",
                   G_OBJECT_TYPE_NAME (self));
      return NULL;
    }

  g_propagate_error (error, g_steal_pointer (&local_error));
  return NULL;
}

/**
 * mpaio_worker_process_callback: (virtual process_callback)
 * @self: a worker
 * @chunk: the rows that were processed
 * @result: the result [method@Mpaio.Worker.process] returned for @chunk
 *
 * Receives the result of @chunk in the main process, on the main context
 * that started the run.
 *
 * Since: 0.1
 */
void
mpaio_worker_process_callback (MpaioWorker      *self,
                               const MpaioChunk *chunk,
                               GVariant         *result)
{
  MpaioWorkerClass *klass;

  g_return_if_fail (MPAIO_IS_WORKER (self));
  g_return_if_fail (chunk != NULL);
  g_return_if_fail (result != NULL);

  klass = MPAIO_WORKER_GET_CLASS (self);
  if (klass->process_callback != NULL)
    klass->process_callback (self, chunk, result);
}

/**
 * mpaio_worker_fail_run:
 * @self: a worker
 * @error: why the run fails
 *
 * Fails the run that is delivering a result to @self: call it from
 * [vfunc@Mpaio.Worker.process_callback] when the result cannot be used.
 * Once the callback returns, the run ends with a copy of @error (its
 * domain and code kept, its message prefixed with the chunk and worker);
 * the chunks still in flight are dropped and no other callback runs.
 *
 * Language bindings do not report exceptions raised in a callback that
 * returns nothing, so their helpers call this for them: an exception in
 * `do_process_callback` (Python, with the `Mpaio` overrides) or
 * `vfunc_process_callback` (JavaScript, with the `mpaio` module) fails the
 * run with the exception's text instead of being lost.
 *
 * Calls made outside a `process_callback` are forgotten when the next run
 * starts. When the callback calls this more than once, the first error
 * counts.
 *
 * Since: 0.1
 */
void
mpaio_worker_fail_run (MpaioWorker  *self,
                       const GError *error)
{
  MpaioWorkerPrivate *priv = mpaio_worker_get_instance_private (self);

  g_return_if_fail (MPAIO_IS_WORKER (self));
  g_return_if_fail (error != NULL);

  if (priv->run_error == NULL)
    priv->run_error = g_error_copy (error);
}

GError *
_mpaio_worker_take_run_error (MpaioWorker *self)
{
  MpaioWorkerPrivate *priv = mpaio_worker_get_instance_private (self);

  return g_steal_pointer (&priv->run_error);
}

guint
_mpaio_worker_get_generation (MpaioWorker *self)
{
  MpaioWorkerPrivate *priv = mpaio_worker_get_instance_private (self);

  return (guint) g_atomic_int_get (&priv->generation);
}

/* The serialized parameters are kept for as long as no parameter changes:
 * the run checks them at its start, and the executor sends the same. */
GVariant *
_mpaio_worker_dup_parameters (MpaioWorker *self,
                              GPtrArray  **arrays,
                              GError     **error)
{
  MpaioWorkerPrivate *priv = mpaio_worker_get_instance_private (self);
  guint               generation = _mpaio_worker_get_generation (self);
  g_autoptr(GPtrArray) new_arrays = NULL;
  GVariant *parameters;

  g_mutex_lock (&priv->parameters_lock);
  if (priv->parameters != NULL && priv->parameters_generation == generation)
    {
      parameters = g_variant_ref (priv->parameters);
      if (arrays != NULL)
        *arrays = g_ptr_array_ref (priv->parameter_arrays);
      g_mutex_unlock (&priv->parameters_lock);
      return parameters;
    }
  g_mutex_unlock (&priv->parameters_lock);

  new_arrays = g_ptr_array_new_with_free_func (g_object_unref);
  parameters = _mpaio_worker_parameters_serialize (G_OBJECT (self), new_arrays, error);
  if (parameters == NULL)
    return NULL;

  g_mutex_lock (&priv->parameters_lock);
  g_clear_pointer (&priv->parameters, g_variant_unref);
  g_clear_pointer (&priv->parameter_arrays, g_ptr_array_unref);
  priv->parameters = g_variant_ref (parameters);
  priv->parameter_arrays = g_ptr_array_ref (new_arrays);
  priv->parameters_generation = generation;
  g_mutex_unlock (&priv->parameters_lock);

  if (arrays != NULL)
    *arrays = g_steal_pointer (&new_arrays);
  return parameters;
}

/* GtkBuilder's rule: "MyAddWorker" is registered by my_add_worker_get_type(). */
static char *
get_type_function_name (const char *type_name)
{
  GString *symbol = g_string_new (NULL);

  for (guint i = 0; type_name[i] != '\0'; i++)
    {
      char     c = type_name[i];
      gboolean upper = g_ascii_isupper (c);

      if ((upper && i > 0 && !g_ascii_isupper (type_name[i - 1]))
          || (i > 2 && upper && g_ascii_isupper (type_name[i - 1])
              && g_ascii_isupper (type_name[i - 2])))
        g_string_append_c (symbol, '_');
      g_string_append_c (symbol, g_ascii_tolower (c));
    }

  g_string_append (symbol, "_get_type");
  return g_string_free (symbol, FALSE);
}

static GType
lookup_worker_type (const char *type_name,
                    GError    **error)
{
  GType type = g_type_from_name (type_name);

  if (type == G_TYPE_INVALID)
    {
      g_autofree char *symbol = get_type_function_name (type_name);
      GModule         *self_module = g_module_open (NULL, 0);
      GType (*get_type) (void) = NULL;

      if (self_module != NULL && g_module_symbol (self_module, symbol, (gpointer *) &get_type))
        type = get_type ();
      g_clear_pointer (&self_module, g_module_close);

      if (type == G_TYPE_INVALID)
        {
          g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_UNKNOWN_WORKER_TYPE,
                       "The worker type %s is not registered in the worker process: call "
                       "g_type_ensure() on it before mpaio_init() in main() (or export %s() "
                       "by linking with -Wl,--export-dynamic); in Python or JavaScript, define "
                       "the class before calling Mpaio.init()",
                       type_name, symbol);
          return G_TYPE_INVALID;
        }
    }

  if (!g_type_is_a (type, MPAIO_TYPE_WORKER) || G_TYPE_IS_ABSTRACT (type))
    {
      g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_UNKNOWN_WORKER_TYPE,
                   "%s is not a concrete subclass of MpaioWorker", type_name);
      return G_TYPE_INVALID;
    }

  return type;
}

MpaioWorker *
_mpaio_worker_new_for_process (const char          *type_name,
                               GVariant            *parameters,
                               MpaioSharedArray    *array,
                               MpaioArrayLookupFunc lookup_array,
                               gpointer             user_data,
                               GError             **error)
{
  g_autoptr(GTypeClass) klass = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GArray) values = g_array_new (FALSE, TRUE, sizeof (GValue));
  g_autoptr(MpaioDataIterator) iterator = NULL;
  GValue value = G_VALUE_INIT;
  GType  type;

  g_array_set_clear_func (values, (GDestroyNotify) g_value_unset);

  if (!(type = lookup_worker_type (type_name, error)))
    return NULL;

  iterator = mpaio_data_iterator_new (array, MAX (1, mpaio_shared_array_get_n_rows (array)), error);
  if (iterator == NULL)
    return NULL;

  klass = g_type_class_ref (type);

  if (!_mpaio_worker_parameters_deserialize (G_OBJECT_CLASS (klass), parameters, lookup_array,
                                             user_data, names, values, error))
    return NULL;

  g_value_init (&value, MPAIO_TYPE_DATA_ITERATOR);
  g_value_set_object (&value, iterator);
  g_ptr_array_add (names, (gpointer) "data-iterator");
  g_array_append_val (values, value);

  return MPAIO_WORKER (g_object_new_with_properties (type, names->len,
                                                     (const char **) names->pdata,
                                                     (const GValue *) values->data));
}
