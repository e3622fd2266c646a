/* mpaio-process-pool.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <gio/gio.h>

#include "mpaio-error.h"
#include "mpaio-init-private.h"
#include "mpaio-platform.h"
#include "mpaio-process-pool-private.h"
#include "mpaio-shared-array-private.h"
#include "mpaio-worker-private.h"

/**
 * MpaioProcessPool:
 *
 * An [iface@Mpaio.Executor] that runs chunks in persistent worker processes.
 *
 * The pool starts its worker processes when it is created, with
 * `posix_spawn()` (whose cost does not grow with the size of the main
 * process, unlike `fork()`), by starting the running program again (its real
 * executable and its original arguments), unless it was given another
 * command line that calls [func@Mpaio.init]. They live until the pool is
 * finalized and serve any number of chunks and runs; one that dies is
 * replaced.
 *
 * Each process has its own socket to the pool. A shared array travels to a
 * process once, as a file descriptor; a worker's type name and parameters
 * travel once per process (again when a parameter changes); after that a
 * chunk costs a message of 48 bytes. A busy process is sent more chunks
 * while the work it holds, estimated from each worker's chunk times so far,
 * stays under about a millisecond (and within
 * [property@Mpaio.ProcessPool:max-in-flight-per-worker]): short chunks are
 * pipelined so no process waits for the next one, while a long chunk never
 * queues behind another when a process is idle. Results come back in
 * batches, one write per process per main loop pass at most.
 *
 * All I/O with worker processes runs on the thread-default main context of
 * the thread that created the pool; use the pool from that thread.
 *
 * One worker process per core, this program started again:
 *
 * ```c
 * int
 * main (int argc, char **argv)
 * {
 *   g_type_ensure (MY_TYPE_SUM_WORKER);
 *   mpaio_init (&argc, &argv);   // worker processes serve chunks here
 *
 *   g_autoptr(MpaioProcessPool) pool = mpaio_process_pool_new (0, &error);
 *   ...
 * }
 * ```
 *
 * ```python
 * if Mpaio.serve_if_worker():     # after the worker classes
 *     sys.exit(0)
 * pool = Mpaio.ProcessPool.new()
 * ```
 *
 * Since: 0.1
 */

#define DEFAULT_MAX_IN_FLIGHT 64
#define MAX_PROCESSES         1024
/* Long enough for a program under valgrind to reach mpaio_init(). */
#define DEFAULT_STARTUP_TIMEOUT 30000

static void mpaio_process_pool_initable_iface_init (GInitableIface *iface);
static void mpaio_process_pool_executor_iface_init (MpaioExecutorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MpaioProcessPool, mpaio_process_pool, G_TYPE_OBJECT, G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, mpaio_process_pool_initable_iface_init) G_IMPLEMENT_INTERFACE (MPAIO_TYPE_EXECUTOR, mpaio_process_pool_executor_iface_init))

enum
{
  PROP_0,
  PROP_N_WORKERS,
  PROP_MAX_IN_FLIGHT_PER_WORKER,
  PROP_ARGV,
  PROP_MAX_RETRIES,
  PROP_CHUNK_TIMEOUT,
  PROP_IO_PRIORITY,
  PROP_STARTUP_TIMEOUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
mpaio_process_pool_initable_init (GInitable    *initable,
                                  GCancellable *cancellable,
                                  GError      **error)
{
  MpaioProcessPool *self = MPAIO_PROCESS_POOL (initable);

  if (g_getenv (MPAIO_WORKER_FD_ENV) != NULL)
    {
      g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_SPAWN_FAILED,
                   "This process was started as a worker process but did not call mpaio_init() "
                   "(Mpaio.serve_if_worker() in Python or JavaScript) before creating a pool");
      return FALSE;
    }

  if (self->argv == NULL)
    {
      const char *const *argv;

      if (!_mpaio_init_was_called ())
        {
          g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_SPAWN_FAILED,
                       "Worker processes start this program again, so it must call mpaio_init() "
                       "first in main() (Mpaio.serve_if_worker() in Python or JavaScript)");
          return FALSE;
        }

      if (!(argv = _mpaio_get_relaunch_argv (error)))
        return FALSE;
      self->argv = g_strdupv ((char **) argv);
    }

  if (self->n_processes > MAX_PROCESSES)
    {
      g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                   "Too many worker processes requested: %u (at most %u)", self->n_processes,
                   MAX_PROCESSES);
      return FALSE;
    }

  self->cwd = _mpaio_get_initial_cwd ();

  return _mpaio_process_pool_spawn_missing (self, error);
}

static void
mpaio_process_pool_initable_iface_init (GInitableIface *iface)
{
  iface->init = mpaio_process_pool_initable_init;
}

static guint
mpaio_process_pool_get_max_in_flight (MpaioExecutor *executor)
{
  MpaioProcessPool *self = MPAIO_PROCESS_POOL (executor);

  return self->n_processes * self->max_in_flight;
}

static void
mpaio_process_pool_submit (MpaioExecutor         *executor,
                           MpaioWorker           *worker,
                           const MpaioChunk      *chunk,
                           GCancellable          *cancellable,
                           MpaioExecutorChunkFunc func,
                           gpointer               user_data)
{
  /* Checked by mpaio_executor_submit() (or by the orchestrator, once per
   * run), and this runs once per chunk. */
  MpaioProcessPool *self = (MpaioProcessPool *) executor;
  MpaioSharedArray *array = _mpaio_worker_peek_array (worker);
  PoolTask         *pool_task;

  pool_task = _mpaio_pool_task_new (self, cancellable);
  pool_task->func = func;
  pool_task->user_data = user_data;
  pool_task->worker = g_object_ref (worker);
  pool_task->chunk = *chunk;

  /* Closed (or disposed): fails from the dispatch source, and starts
   * nothing. */
  if (self->closed)
    pool_task->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED,
                                            "The process pool is closed");
  else if (array == NULL)
    pool_task->error = g_error_new (MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                                    "The worker %s has no data iterator",
                                    G_OBJECT_TYPE_NAME (worker));
  else if (chunk->start > chunk->end || chunk->end > _mpaio_shared_array_peek_n_rows (array))
    pool_task->error = g_error_new (MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                                    "The rows %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT
                                    " are outside the array of %" G_GUINT64_FORMAT " rows",
                                    chunk->start, chunk->end,
                                    mpaio_shared_array_get_n_rows (array));
  else if (!_mpaio_process_pool_spawn_missing (self, &pool_task->error) && self->processes->len > 0)
    g_clear_error (&pool_task->error); /* the processes there are will do */

  pool_queue_push_tail (pool_task->error ? &self->refused : &self->queue, pool_task);
  _mpaio_process_pool_schedule_dispatch (self);
}

static void
mpaio_process_pool_executor_iface_init (MpaioExecutorInterface *iface)
{
  iface->get_max_in_flight = mpaio_process_pool_get_max_in_flight;
  iface->submit = mpaio_process_pool_submit;
}

static void
mpaio_process_pool_dispose (GObject *object)
{
  MpaioProcessPool *self = MPAIO_PROCESS_POOL (object);
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                  "The pool was disposed");
  PoolTask *pool_task;

  /* From now on nothing is sent and nothing started; chunks submitted fail
   * with G_IO_ERROR_CLOSED (the dispatch source stays for them). */
  self->closed = TRUE;

  _mpaio_process_pool_catalogue_clear (self);

  if (self->timeout_source != NULL)
    g_source_destroy (self->timeout_source);
  g_clear_pointer (&self->timeout_source, g_source_unref);

  /* Only chunks nobody waits for any more, or an explicit dispose, leave
   * tasks here. */
  _mpaio_process_pool_fail_queue (self, error);
  while ((pool_task = pool_queue_pop_head (&self->refused)) != NULL)
    _mpaio_pool_task_complete_with_error (pool_task, g_steal_pointer (&pool_task->error));
  for (guint i = 0; i < self->processes->len; i++)
    {
      PoolProcess *pool_process = g_ptr_array_index (self->processes, i);

      while ((pool_task = pool_queue_pop_head (&pool_process->in_flight)) != NULL)
        _mpaio_pool_task_complete_with_error (pool_task, g_error_copy (error));
    }
  _mpaio_process_pool_stop_all (self);
  /* An explicit dispose during a close ends it. */
  _mpaio_process_pool_check_closed (self);

  G_OBJECT_CLASS (mpaio_process_pool_parent_class)->dispose (object);
}

static void
mpaio_process_pool_finalize (GObject *object)
{
  MpaioProcessPool *self = MPAIO_PROCESS_POOL (object);

  g_assert (self->close_task == NULL);
  g_source_destroy (self->dispatch_source);
  g_source_unref (self->dispatch_source);
  _mpaio_process_pool_free_spare_tasks (self);
  g_ptr_array_unref (self->processes);
  _mpaio_process_pool_catalogue_finalize (self);
  _mpaio_process_pool_cancel_finalize (self);
  g_strfreev (self->argv);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (mpaio_process_pool_parent_class)->finalize (object);
}

static void
mpaio_process_pool_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  MpaioProcessPool *self = MPAIO_PROCESS_POOL (object);

  switch (prop_id)
    {
    case PROP_N_WORKERS:
      g_value_set_uint (value, self->n_processes);
      break;

    case PROP_MAX_IN_FLIGHT_PER_WORKER:
      g_value_set_uint (value, self->max_in_flight);
      break;

    case PROP_ARGV:
      g_value_set_boxed (value, self->argv);
      break;

    case PROP_MAX_RETRIES:
      g_value_set_uint (value, self->max_retries);
      break;

    case PROP_CHUNK_TIMEOUT:
      g_value_set_uint (value, self->chunk_timeout_ms);
      break;

    case PROP_IO_PRIORITY:
      g_value_set_int (value, self->io_priority);
      break;

    case PROP_STARTUP_TIMEOUT:
      g_value_set_uint (value, self->startup_timeout_ms);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mpaio_process_pool_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  MpaioProcessPool *self = MPAIO_PROCESS_POOL (object);

  switch (prop_id)
    {
    case PROP_N_WORKERS:
      self->n_processes = g_value_get_uint (value);
      if (self->n_processes == 0)
        self->n_processes = mpaio_get_n_cores ();
      break;

    case PROP_MAX_IN_FLIGHT_PER_WORKER:
      self->max_in_flight = g_value_get_uint (value);
      break;

    case PROP_ARGV:
      self->argv = g_value_dup_boxed (value);
      break;

    case PROP_MAX_RETRIES:
      mpaio_process_pool_set_max_retries (self, g_value_get_uint (value));
      break;

    case PROP_CHUNK_TIMEOUT:
      mpaio_process_pool_set_chunk_timeout (self, g_value_get_uint (value));
      break;

    case PROP_IO_PRIORITY:
      mpaio_process_pool_set_io_priority (self, g_value_get_int (value));
      break;

    case PROP_STARTUP_TIMEOUT:
      mpaio_process_pool_set_startup_timeout (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mpaio_process_pool_class_init (MpaioProcessPoolClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mpaio_process_pool_dispose;
  object_class->finalize = mpaio_process_pool_finalize;
  object_class->get_property = mpaio_process_pool_get_property;
  object_class->set_property = mpaio_process_pool_set_property;

  /**
   * MpaioProcessPool:n-workers:
   *
   * The number of worker processes, at most 1024; 0 when constructing means
   * one per core.
   *
   * Since: 0.1
   */
  properties[PROP_N_WORKERS] =
    g_param_spec_uint ("n-workers", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * MpaioProcessPool:max-in-flight-per-worker:
   *
   * How many chunks each worker process holds at most: the one it
   * processes and those queued behind it, so it never waits for the next.
   * Within this limit a busy process is given more chunks only while the
   * work it holds, estimated from each worker's chunk times so far, stays
   * under about a millisecond: short chunks are pipelined deeply, and a
   * long chunk never waits behind another while a process is free.
   *
   * Since: 0.1
   */
  properties[PROP_MAX_IN_FLIGHT_PER_WORKER] =
    g_param_spec_uint ("max-in-flight-per-worker", NULL, NULL, 1, 1024, DEFAULT_MAX_IN_FLIGHT,
                       (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * MpaioProcessPool:argv:
   *
   * The command line of worker processes: a program that calls
   * [func@Mpaio.init] after registering the worker types it serves. %NULL
   * (the default) starts the running program again with its original
   * arguments.
   *
   * Since: 0.1
   */
  properties[PROP_ARGV] =
    g_param_spec_boxed ("argv", NULL, NULL, G_TYPE_STRV,
                        (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * MpaioProcessPool:max-retries:
   *
   * How many times a chunk whose worker process died while it held it is
   * run again, on another process, before the death is reported as
   * %MPAIO_ERROR_WORKER_CRASHED. 0 (the default) reports the first death.
   * Only for workers whose `process` may safely run twice.
   *
   * Since: 0.1
   */
  properties[PROP_MAX_RETRIES] =
    g_param_spec_uint ("max-retries", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * MpaioProcessPool:chunk-timeout:
   *
   * Milliseconds a worker process may spend on one chunk; one that takes
   * longer is killed (and replaced) and the chunk fails with
   * %MPAIO_ERROR_TIMED_OUT. 0 (the default) lets chunks run for any time.
   *
   * The time is the worker process's own, from the moment it starts the
   * chunk, which it notes in memory the pool reads: neither chunks queued
   * before it nor a main loop too busy to read results count.
   *
   * Since: 0.1
   */
  properties[PROP_CHUNK_TIMEOUT] =
    g_param_spec_uint ("chunk-timeout", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * MpaioProcessPool:io-priority:
   *
   * The main loop priority at which results are read and chunks sent
   * (%G_PRIORITY_DEFAULT by default). However many results arrive, the
   * pool spends about 2 ms per main loop pass on them; a GTK application
   * that wants every frame drawn during a run of tiny chunks gives the pool
   * a priority below redrawing, such as %G_PRIORITY_DEFAULT_IDLE.
   *
   * Since: 0.1
   */
  properties[PROP_IO_PRIORITY] =
    g_param_spec_int ("io-priority", NULL, NULL, G_MININT, G_MAXINT, G_PRIORITY_DEFAULT,
                      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * MpaioProcessPool:startup-timeout:
   *
   * Milliseconds a new worker process has to answer (to reach
   * [func@Mpaio.init]); one that has not is killed, and the chunks it
   * held go to the other processes, or fail with
   * %MPAIO_ERROR_SPAWN_FAILED when no process answered. 0 waits for ever.
   * 30 s by default.
   *
   * Since: 0.1
   */
  properties[PROP_STARTUP_TIMEOUT] =
    g_param_spec_uint ("startup-timeout", NULL, NULL, 0, G_MAXUINT, DEFAULT_STARTUP_TIMEOUT,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
mpaio_process_pool_init (MpaioProcessPool *self)
{
  self->max_in_flight = DEFAULT_MAX_IN_FLIGHT;
  self->startup_timeout_ms = DEFAULT_STARTUP_TIMEOUT;
  self->context = g_main_context_ref_thread_default ();
  self->processes = g_ptr_array_new ();
  g_queue_init (&self->queue);
  g_queue_init (&self->refused);
  _mpaio_process_pool_catalogue_init (self);
  _mpaio_process_pool_cancel_init (self);
  self->dispatch_source = _mpaio_process_pool_dispatch_source_new (self);
}

/**
 * mpaio_process_pool_new:
 * @n_workers: the number of worker processes, or 0 for one per core
 * @error: return location for a #GError
 *
 * Starts a pool of @n_workers processes, each the running program started
 * again. The program must call [func@Mpaio.init] first in `main()`.
 *
 * Returns: (transfer full): the pool, or %NULL with @error set
 *
 * Since: 0.1
 */
MpaioProcessPool *
mpaio_process_pool_new (guint    n_workers,
                        GError **error)
{
  return g_initable_new (MPAIO_TYPE_PROCESS_POOL, NULL, error, "n-workers", n_workers, NULL);
}

/**
 * mpaio_process_pool_new_with_argv:
 * @n_workers: the number of worker processes, or 0 for one per core
 * @argv: (array zero-terminated=1): the command line of worker processes
 * @error: return location for a #GError
 *
 * Starts a pool of @n_workers processes running @argv, a program that calls
 * [func@Mpaio.init] after registering the worker types it serves.
 *
 * Returns: (transfer full): the pool, or %NULL with @error set
 *
 * Since: 0.1
 */
MpaioProcessPool *
mpaio_process_pool_new_with_argv (guint              n_workers,
                                  const char *const *argv,
                                  GError           **error)
{
  g_return_val_if_fail (argv != NULL && argv[0] != NULL, NULL);

  return g_initable_new (MPAIO_TYPE_PROCESS_POOL, NULL, error, "n-workers", n_workers, "argv",
                         argv, NULL);
}

/**
 * mpaio_process_pool_get_n_workers:
 * @self: a pool
 *
 * The number of worker processes the pool keeps.
 *
 * Returns: the number of worker processes
 *
 * Since: 0.1
 */
guint
mpaio_process_pool_get_n_workers (MpaioProcessPool *self)
{
  g_return_val_if_fail (MPAIO_IS_PROCESS_POOL (self), 0);

  return self->n_processes;
}

/**
 * mpaio_process_pool_get_max_in_flight_per_worker:
 * @self: a pool
 *
 * How many chunks each worker process holds at most.
 *
 * Returns: the number of chunks
 *
 * Since: 0.1
 */
guint
mpaio_process_pool_get_max_in_flight_per_worker (MpaioProcessPool *self)
{
  g_return_val_if_fail (MPAIO_IS_PROCESS_POOL (self), 0);

  return self->max_in_flight;
}

/**
 * mpaio_process_pool_get_pids:
 * @self: a pool
 * @n_pids: (out): the number of pids
 *
 * The process ids of the pool's worker processes now.
 *
 * Returns: (transfer container) (array length=n_pids): the pids; free
 *   the array with g_free()
 *
 * Since: 0.1
 */
GPid *
mpaio_process_pool_get_pids (MpaioProcessPool *self,
                             guint            *n_pids)
{
  GPid *pids;

  g_return_val_if_fail (MPAIO_IS_PROCESS_POOL (self), NULL);
  g_return_val_if_fail (n_pids != NULL, NULL);

  pids = g_new0 (GPid, self->processes->len + 1);
  *n_pids = 0;
  for (guint i = 0; i < self->processes->len; i++)
    {
      GPid pid = _mpaio_worker_process_get_pid (
        ((PoolProcess *) g_ptr_array_index (self->processes, i))->process);

      /* 0: a process already gone when it was started (never a pid to signal). */
      if (pid > 0)
        pids[(*n_pids)++] = pid;
    }

  return pids;
}

/**
 * mpaio_process_pool_get_max_retries:
 * @self: a pool
 *
 * How many times a chunk whose process died is run again.
 *
 * Returns: the number of retries
 *
 * Since: 0.1
 */
guint
mpaio_process_pool_get_max_retries (MpaioProcessPool *self)
{
  g_return_val_if_fail (MPAIO_IS_PROCESS_POOL (self), 0);

  return self->max_retries;
}

/**
 * mpaio_process_pool_set_max_retries:
 * @self: a pool
 * @max_retries: how many times a chunk whose process died is run again
 *
 * Sets [property@Mpaio.ProcessPool:max-retries].
 *
 * Since: 0.1
 */
void
mpaio_process_pool_set_max_retries (MpaioProcessPool *self,
                                    guint             max_retries)
{
  g_return_if_fail (MPAIO_IS_PROCESS_POOL (self));

  if (self->max_retries != max_retries)
    {
      self->max_retries = max_retries;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_RETRIES]);
    }
}

/**
 * mpaio_process_pool_get_chunk_timeout:
 * @self: a pool
 *
 * Milliseconds a worker process may spend on one chunk, or 0 for no limit.
 *
 * Returns: the timeout in milliseconds
 *
 * Since: 0.1
 */
guint
mpaio_process_pool_get_chunk_timeout (MpaioProcessPool *self)
{
  g_return_val_if_fail (MPAIO_IS_PROCESS_POOL (self), 0);

  return self->chunk_timeout_ms;
}

/**
 * mpaio_process_pool_set_chunk_timeout:
 * @self: a pool
 * @timeout_ms: milliseconds a worker process may spend on one chunk, or 0
 *
 * Sets [property@Mpaio.ProcessPool:chunk-timeout].
 *
 * Since: 0.1
 */
void
mpaio_process_pool_set_chunk_timeout (MpaioProcessPool *self,
                                      guint             timeout_ms)
{
  g_return_if_fail (MPAIO_IS_PROCESS_POOL (self));

  if (self->chunk_timeout_ms != timeout_ms)
    {
      self->chunk_timeout_ms = timeout_ms;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHUNK_TIMEOUT]);
      _mpaio_process_pool_watch_timeouts (self);
    }
}

/**
 * mpaio_process_pool_get_io_priority:
 * @self: a pool
 *
 * The main loop priority of the pool's I/O.
 *
 * Returns: the priority
 *
 * Since: 0.1
 */
int
mpaio_process_pool_get_io_priority (MpaioProcessPool *self)
{
  g_return_val_if_fail (MPAIO_IS_PROCESS_POOL (self), G_PRIORITY_DEFAULT);

  return self->io_priority;
}

/**
 * mpaio_process_pool_set_io_priority:
 * @self: a pool
 * @io_priority: a main loop priority, such as %G_PRIORITY_DEFAULT
 *
 * Sets [property@Mpaio.ProcessPool:io-priority].
 *
 * Since: 0.1
 */
void
mpaio_process_pool_set_io_priority (MpaioProcessPool *self,
                                    int               io_priority)
{
  g_return_if_fail (MPAIO_IS_PROCESS_POOL (self));

  if (self->io_priority == io_priority)
    return;

  self->io_priority = io_priority;
  g_source_set_priority (self->dispatch_source, io_priority);
  for (guint i = 0; i < self->processes->len; i++)
    _mpaio_worker_process_set_priority (
      ((PoolProcess *) g_ptr_array_index (self->processes, i))->process, io_priority);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IO_PRIORITY]);
}

/**
 * mpaio_process_pool_get_startup_timeout:
 * @self: a pool
 *
 * Milliseconds a new worker process has to answer, or 0 for no limit.
 *
 * Returns: the timeout in milliseconds
 *
 * Since: 0.1
 */
guint
mpaio_process_pool_get_startup_timeout (MpaioProcessPool *self)
{
  g_return_val_if_fail (MPAIO_IS_PROCESS_POOL (self), 0);

  return self->startup_timeout_ms;
}

/**
 * mpaio_process_pool_set_startup_timeout:
 * @self: a pool
 * @timeout_ms: milliseconds a new worker process has to answer, or 0
 *
 * Sets [property@Mpaio.ProcessPool:startup-timeout].
 *
 * Since: 0.1
 */
void
mpaio_process_pool_set_startup_timeout (MpaioProcessPool *self,
                                        guint             timeout_ms)
{
  g_return_if_fail (MPAIO_IS_PROCESS_POOL (self));

  if (self->startup_timeout_ms != timeout_ms)
    {
      self->startup_timeout_ms = timeout_ms;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STARTUP_TIMEOUT]);
    }
}
