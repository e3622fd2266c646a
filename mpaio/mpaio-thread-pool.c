/* mpaio-thread-pool.c: workers on threads of the main process
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <unistd.h>

#include "mpaio-error.h"
#include "mpaio-executor.h"
#include "mpaio-thread-pool.h"
#include "mpaio-worker-private.h"

/**
 * MpaioThreadPool:
 *
 * An executor that runs workers' [vfunc@Mpaio.Worker.process] on a pool of
 * threads of the calling process.
 *
 * It is the in-process alternative to [class@Mpaio.ProcessPool], as
 * Python's `ThreadPoolExecutor` is to its `ProcessPoolExecutor`: nothing is
 * copied or sent anywhere, `process` is called on the very worker object
 * given to the orchestrator, and results are handed back on the main
 * context that submitted the chunk. Use it when `process` spends its time
 * in code that runs well on several threads at once, to debug a worker
 * without worker processes, or where starting processes is not wanted.
 *
 * Since `process` then runs on several threads at the same time, on the
 * same worker object, it must not modify the worker without locking.
 *
 * ```c
 * g_autoptr(GError) error = NULL;
 * g_autoptr(MpaioThreadPool) pool = mpaio_thread_pool_new (0, &error);
 * g_autoptr(MpaioOrchestrator) orchestrator =
 *   mpaio_orchestrator_new (MPAIO_EXECUTOR (pool), workers, n_workers);
 * ```
 *
 * Since: 0.1
 */

struct _MpaioThreadPool
{
  GObject parent_instance;

  guint        n_workers;
  GPid         pid;
  GThreadPool *pool;
  /* Set if the pool could not be created in constructed(); reported by
   * g_initable_init(). */
  GError *init_error;
  /* Read by pool threads without the main thread's locks. */
  gint shutting_down;

  /* One CompletionSource per main context that submitted chunks. */
  GMutex     lock;
  GPtrArray *completions;
};

/* Where pool threads leave finished tasks for one main context. Results are
 * handed over in batches: a thread wakes the context only when the queue was
 * empty, and one dispatch completes every task queued by then, so a busy
 * pool costs far less than one wake-up and one GSource per chunk. */
typedef struct
{
  GSource  source;
  GMutex   lock;
  GQueue   done;  /* GTask*, each owning a reference */
  gboolean armed; /* a dispatch is due that will see everything in done */
} CompletionSource;

typedef struct
{
  MpaioWorker      *worker;
  CompletionSource *completion;
  MpaioChunk        chunk;
  gint64            sent_us;
  gint64            started_us;
  gint64            finished_us;
  /* What the pool thread produced, handed to the GTask on its own context. */
  GVariant *result;
  GError   *error;
  gboolean  processed;
} SubmitData;

enum
{
  PROP_0,
  PROP_N_WORKERS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void mpaio_thread_pool_initable_iface_init (GInitableIface *iface);
static void mpaio_thread_pool_executor_iface_init (MpaioExecutorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MpaioThreadPool, mpaio_thread_pool, G_TYPE_OBJECT, G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, mpaio_thread_pool_initable_iface_init) G_IMPLEMENT_INTERFACE (MPAIO_TYPE_EXECUTOR, mpaio_thread_pool_executor_iface_init))

static void
submit_data_free (gpointer data)
{
  SubmitData *sd = data;

  g_clear_object (&sd->worker);
  g_clear_pointer ((GSource **) &sd->completion, g_source_unref);
  g_clear_pointer (&sd->result, g_variant_unref);
  g_clear_error (&sd->error);
  g_free (sd);
}

static void
complete_task (GTask *task)
{
  SubmitData *sd = g_task_get_task_data (task);

  if (sd->error != NULL)
    g_task_return_error (task, g_steal_pointer (&sd->error));
  else
    g_task_return_pointer (task, g_steal_pointer (&sd->result), (GDestroyNotify) g_variant_unref);
}

/* Runs on the tasks' own main context. Completing them here rather than in
 * the pool threads means the last reference to a task, and so possibly to
 * the pool itself, is never dropped on one of the pool's threads, where
 * disposing the pool would wait for its own thread to finish. */
static gboolean
completion_source_dispatch (GSource    *source,
                            GSourceFunc callback,
                            gpointer    user_data)
{
  CompletionSource *cs = (CompletionSource *) source;
  GQueue            done = G_QUEUE_INIT;
  GTask            *task;

  /* Disarm before taking the queue: a task queued after the swap re-arms. */
  g_source_set_ready_time (source, -1);

  g_mutex_lock (&cs->lock);
  done = cs->done;
  cs->armed = FALSE;
  g_queue_init (&cs->done);
  g_mutex_unlock (&cs->lock);

  while ((task = g_queue_pop_head (&done)) != NULL)
    {
      complete_task (task);
      g_object_unref (task);
    }

  return G_SOURCE_CONTINUE;
}

static void
completion_source_finalize (GSource *source)
{
  CompletionSource *cs = (CompletionSource *) source;

  /* Tasks hold a reference on their source, so none is left here. */
  g_assert (g_queue_is_empty (&cs->done));
  g_mutex_clear (&cs->lock);
}

static GSourceFuncs completion_source_funcs = {
  .dispatch = completion_source_dispatch,
  .finalize = completion_source_finalize,
};

/* Called with self->lock held. */
static CompletionSource *
get_completion_source (MpaioThreadPool *self,
                       GMainContext    *context)
{
  CompletionSource *cs;
  GSource          *source;

  for (guint i = 0; i < self->completions->len;)
    {
      source = g_ptr_array_index (self->completions, i);

      /* A destroyed source belongs to a context that is gone, whose address
       * a new context may now have. */
      if (g_source_is_destroyed (source))
        {
          g_ptr_array_remove_index_fast (self->completions, i);
          continue;
        }
      if (g_source_get_context (source) == context)
        return (CompletionSource *) source;
      i++;
    }

  source = g_source_new (&completion_source_funcs, sizeof (CompletionSource));
  cs = (CompletionSource *) source;
  g_mutex_init (&cs->lock);
  g_queue_init (&cs->done);
  g_source_set_static_name (source, "[mpaio] thread pool results");
  /* A result's callback may run a main loop that waits for later results:
   * each dispatch completes only the tasks it took, so it can recurse. */
  g_source_set_can_recurse (source, TRUE);
  g_source_attach (source, context);
  g_ptr_array_add (self->completions, source);

  return cs;
}

static void
run_chunk (SubmitData   *sd,
           gboolean      shutting_down,
           GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;
  GVariant *result;

  if (shutting_down)
    {
      sd->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                       "The thread pool was shut down before the chunk ran");
      return;
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, &sd->error))
    return;

  sd->processed = TRUE;
  sd->started_us = g_get_monotonic_time ();
  _mpaio_worker_set_thread_cancellable (cancellable);
  result = mpaio_worker_process (sd->worker, &sd->chunk, &error);
  _mpaio_worker_set_thread_cancellable (NULL);
  sd->finished_us = g_get_monotonic_time ();

  if (result != NULL)
    {
      sd->result = g_variant_take_ref (result);
      return;
    }

  /* The worker's own error, domain and code kept, as a worker process
   * reports it. */
  if (error == NULL)
    sd->error = g_error_new_literal (MPAIO_ERROR, MPAIO_ERROR_WORKER_FAILED,
                                     "The worker's process returned no result and no error");
  else
    sd->error = g_steal_pointer (&error);
}

static void
pool_thread_func (gpointer data,
                  gpointer user_data)
{
  GTask            *task = data;
  MpaioThreadPool  *self = user_data;
  SubmitData       *sd = g_task_get_task_data (task);
  CompletionSource *cs = sd->completion;
  gboolean          wake;

  run_chunk (sd, g_atomic_int_get (&self->shutting_down), g_task_get_cancellable (task));

  /* The completion queue takes over the reference the pool's queue held.
   * Each task holds its context, so the queue is dispatched unless the
   * context is never iterated again, as with any GTask. */
  g_mutex_lock (&cs->lock);
  g_queue_push_tail (&cs->done, task);
  wake = !cs->armed;
  if (wake)
    {
      /* Once unlocked, the task may complete and take the last reference to
       * cs (through its data, or the pool's) with it before cs is woken. */
      g_source_ref ((GSource *) cs);
      cs->armed = TRUE;
    }
  g_mutex_unlock (&cs->lock);

  if (wake)
    {
      g_source_set_ready_time ((GSource *) cs, 0);
      g_source_unref ((GSource *) cs);
    }
}

static guint
mpaio_thread_pool_get_max_in_flight (MpaioExecutor *executor)
{
  MpaioThreadPool *self = MPAIO_THREAD_POOL (executor);

  /* A queue deep enough that threads take their next chunks without
   * waiting for the main context, and results come back in batches: with 2
   * per thread, short chunks cost a wake-up each way (80 k chunks/s on 2
   * threads here, 340 k with 64). A chunk of a run that ended is skipped
   * unrun, so a deep queue costs an early end nothing. */
  return 64 * self->n_workers;
}

static void
mpaio_thread_pool_submit_async (MpaioExecutor      *executor,
                                MpaioWorker        *worker,
                                const MpaioChunk   *chunk,
                                GCancellable       *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer            user_data)
{
  MpaioThreadPool *self = MPAIO_THREAD_POOL (executor);
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  SubmitData *sd;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mpaio_thread_pool_submit_async);

  sd = g_new0 (SubmitData, 1);
  sd->worker = g_object_ref (worker);
  sd->chunk = *chunk;
  sd->sent_us = g_get_monotonic_time ();
  g_task_set_task_data (task, sd, submit_data_free);

  if (self->pool == NULL)
    {
      if (self->init_error != NULL)
        g_task_return_error (task, g_error_copy (self->init_error));
      else
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CLOSED,
                                 "The thread pool has been shut down");
      return;
    }

  if (mpaio_worker_get_array (worker) == NULL)
    {
      g_task_return_new_error (task, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                               "The worker %s has no data iterator", G_OBJECT_TYPE_NAME (worker));
      return;
    }

  if (chunk->start > chunk->end
      || chunk->end > mpaio_shared_array_get_n_rows (mpaio_worker_get_array (worker)))
    {
      g_task_return_new_error (task, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                               "The rows %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT
                               " are outside the array of %" G_GUINT64_FORMAT " rows",
                               chunk->start, chunk->end,
                               mpaio_shared_array_get_n_rows (mpaio_worker_get_array (worker)));
      return;
    }

  g_mutex_lock (&self->lock);
  sd->completion = (CompletionSource *) g_source_ref (
    (GSource *) get_completion_source (self, g_task_get_context (task)));
  g_mutex_unlock (&self->lock);

  /* The queue owns a reference until a thread hands it to the task's context. */
  if (!g_thread_pool_push (self->pool, g_object_ref (task), &error))
    {
      g_object_unref (task);
      g_task_return_error (task, g_steal_pointer (&error));
    }
}

static GVariant *
mpaio_thread_pool_submit_finish (MpaioExecutor    *executor,
                                 GAsyncResult     *result,
                                 MpaioChunkRecord *record,
                                 GError          **error)
{
  GTask      *task = G_TASK (result);
  SubmitData *sd;

  g_return_val_if_fail (g_task_is_valid (result, executor), NULL);
  g_return_val_if_fail (g_task_get_source_tag (task) == mpaio_thread_pool_submit_async, NULL);

  sd = g_task_get_task_data (task);

  /* Filled in whenever process ran, even if it failed; worker_index is the
   * orchestrator's to set. */
  if (record != NULL && sd->processed)
    {
      record->chunk_index = sd->chunk.index;
      record->start_row = sd->chunk.start;
      record->end_row = sd->chunk.end;
      record->pid = MPAIO_THREAD_POOL (executor)->pid;
      record->sent_us = sd->sent_us;
      record->started_us = sd->started_us;
      record->finished_us = sd->finished_us;
      record->returned_us = g_get_monotonic_time ();
    }

  return g_task_propagate_pointer (task, error);
}

static void
mpaio_thread_pool_executor_iface_init (MpaioExecutorInterface *iface)
{
  iface->get_max_in_flight = mpaio_thread_pool_get_max_in_flight;
  iface->submit_async = mpaio_thread_pool_submit_async;
  iface->submit_finish = mpaio_thread_pool_submit_finish;
}

static gboolean
mpaio_thread_pool_initable_init (GInitable    *initable,
                                 GCancellable *cancellable,
                                 GError      **error)
{
  MpaioThreadPool *self = MPAIO_THREAD_POOL (initable);

  if (self->init_error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->init_error));
      return FALSE;
    }

  return TRUE;
}

static void
mpaio_thread_pool_initable_iface_init (GInitableIface *iface)
{
  iface->init = mpaio_thread_pool_initable_init;
}

static void
mpaio_thread_pool_constructed (GObject *object)
{
  MpaioThreadPool *self = MPAIO_THREAD_POOL (object);

  G_OBJECT_CLASS (mpaio_thread_pool_parent_class)->constructed (object);

  if (self->n_workers == 0)
    self->n_workers = g_get_num_processors ();

  /* getpid() is a system call; threads cannot outlive a fork anyway. */
  self->pid = getpid ();

  /* Created here rather than in init() so a pool made with g_object_new() by
   * a binding that skips g_initable_init() still works. Exclusive threads
   * start now, so a failure shows at construction and not mid-run. */
  self->pool = g_thread_pool_new (pool_thread_func, self, (gint) self->n_workers, TRUE,
                                  &self->init_error);
  if (self->pool == NULL)
    g_prefix_error (&self->init_error, "Could not start %u threads: ", self->n_workers);
}

static void
mpaio_thread_pool_dispose (GObject *object)
{
  MpaioThreadPool *self = MPAIO_THREAD_POOL (object);

  if (self->pool != NULL)
    {
      GThreadPool *pool = g_steal_pointer (&self->pool);

      /* Queued chunks still go through a thread, which sees the flag and
       * completes them with G_IO_ERROR_CANCELLED without running them: every
       * GTask is completed exactly once and nothing leaks. Only the chunks
       * already running are waited for. */
      g_atomic_int_set (&self->shutting_down, TRUE);
      g_thread_pool_free (pool, FALSE, TRUE);
    }

  G_OBJECT_CLASS (mpaio_thread_pool_parent_class)->dispose (object);
}

static void
mpaio_thread_pool_finalize (GObject *object)
{
  MpaioThreadPool *self = MPAIO_THREAD_POOL (object);

  g_clear_error (&self->init_error);
  g_ptr_array_unref (self->completions);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (mpaio_thread_pool_parent_class)->finalize (object);
}

static void
mpaio_thread_pool_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  MpaioThreadPool *self = MPAIO_THREAD_POOL (object);

  switch (prop_id)
    {
    case PROP_N_WORKERS:
      g_value_set_uint (value, self->n_workers);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mpaio_thread_pool_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  MpaioThreadPool *self = MPAIO_THREAD_POOL (object);

  switch (prop_id)
    {
    case PROP_N_WORKERS:
      self->n_workers = g_value_get_uint (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mpaio_thread_pool_class_init (MpaioThreadPoolClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = mpaio_thread_pool_constructed;
  object_class->dispose = mpaio_thread_pool_dispose;
  object_class->finalize = mpaio_thread_pool_finalize;
  object_class->get_property = mpaio_thread_pool_get_property;
  object_class->set_property = mpaio_thread_pool_set_property;

  /**
   * MpaioThreadPool:n-workers:
   *
   * The number of threads. 0 at construction means one per processor;
   * reading the property then gives the number actually started.
   *
   * Since: 0.1
   */
  properties[PROP_N_WORKERS] =
    g_param_spec_uint ("n-workers", NULL, NULL,
                       0, G_MAXINT, 0,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
destroy_completion_source (gpointer data)
{
  /* Tasks hold the pool, so when it finalizes no task is left to complete. */
  g_source_destroy (data);
  g_source_unref (data);
}

static void
mpaio_thread_pool_init (MpaioThreadPool *self)
{
  g_mutex_init (&self->lock);
  self->completions = g_ptr_array_new_with_free_func (destroy_completion_source);
}

/**
 * mpaio_thread_pool_new:
 * @n_workers: the number of threads, or 0 for one per processor
 * @error: return location for a #GError
 *
 * Creates a pool of @n_workers threads, all started at once and kept
 * until the pool is disposed.
 *
 * Disposing the pool waits for the chunks that are running; chunks still
 * queued complete with `G_IO_ERROR_CANCELLED` without running. Pending
 * submissions hold a reference on the pool, so dropping the last reference
 * of your own lets queued chunks run to completion first.
 *
 * Returns: (transfer full): a new thread pool, or %NULL if the threads
 *   could not be started
 *
 * Since: 0.1
 */
MpaioThreadPool *
mpaio_thread_pool_new (guint    n_workers,
                       GError **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (n_workers > G_MAXINT)
    {
      g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                   "Too many threads requested: %u", n_workers);
      return NULL;
    }

  return g_initable_new (MPAIO_TYPE_THREAD_POOL, NULL, error, "n-workers", n_workers, NULL);
}

/**
 * mpaio_thread_pool_get_n_workers:
 * @self: a thread pool
 *
 * Gets the number of threads of the pool.
 *
 * Returns: the number of threads, never 0
 *
 * Since: 0.1
 */
guint
mpaio_thread_pool_get_n_workers (MpaioThreadPool *self)
{
  g_return_val_if_fail (MPAIO_IS_THREAD_POOL (self), 0);

  return self->n_workers;
}
