/* mpaio-executor.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "mpaio-executor.h"

/**
 * MpaioExecutor:
 *
 * Where a worker's [vfunc@Mpaio.Worker.process] runs.
 *
 * The orchestrator hands each chunk to its executor with
 * [method@Mpaio.Executor.submit] and keeps at most
 * [method@Mpaio.Executor.get_max_in_flight] chunks submitted at once, which is
 * how an executor keeps each of its processes or threads busy without being
 * flooded.
 * Completions are delivered on the thread-default main context of the caller
 * of `submit_async`.
 *
 * mpaio ships two executors: [class@Mpaio.ProcessPool], which runs chunks in
 * worker processes, in parallel, and [class@Mpaio.ThreadPool], which runs
 * them on threads of the calling process.
 *
 * Since: 0.1
 */

G_DEFINE_INTERFACE (MpaioExecutor, mpaio_executor, G_TYPE_OBJECT)

static void
mpaio_executor_default_init (MpaioExecutorInterface *iface)
{
}

/**
 * mpaio_executor_get_max_in_flight:
 * @self: an executor
 *
 * How many chunks the executor wants submitted and not yet finished at any
 * time: enough to keep every one of its workers busy.
 *
 * Returns: the number of chunks, at least 1
 *
 * Since: 0.1
 */
guint
mpaio_executor_get_max_in_flight (MpaioExecutor *self)
{
  MpaioExecutorInterface *iface;

  g_return_val_if_fail (MPAIO_IS_EXECUTOR (self), 1);

  iface = MPAIO_EXECUTOR_GET_IFACE (self);
  if (iface->get_max_in_flight == NULL)
    return 1;

  return MAX (1, iface->get_max_in_flight (self));
}

/**
 * mpaio_executor_submit_async:
 * @self: an executor
 * @worker: the worker whose `process` runs
 * @chunk: the rows to process
 * @cancellable: (nullable): a cancellable
 * @callback: (scope async): called when the chunk's result is available
 * @user_data: data for @callback
 *
 * Runs [vfunc@Mpaio.Worker.process] of @worker on @chunk in one of the
 * executor's workers. @callback runs on the thread-default main context of
 * the caller; complete the call with [method@Mpaio.Executor.submit_finish].
 *
 * Since: 0.1
 */
/* submit_async() of executors that implement only submit(). */
static void
complete_task (MpaioExecutor          *self,
               GVariant               *result,
               const GError           *error,
               const MpaioChunkRecord *record,
               gpointer                user_data)
{
  GTask *task = user_data;

  *(MpaioChunkRecord *) g_task_get_task_data (task) = *record;
  if (result != NULL)
    g_task_return_pointer (task, g_variant_ref (result), (GDestroyNotify) g_variant_unref);
  else
    g_task_return_error (task, g_error_copy (error));
  g_object_unref (task);
}

void
mpaio_executor_submit_async (MpaioExecutor      *self,
                             MpaioWorker        *worker,
                             const MpaioChunk   *chunk,
                             GCancellable       *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer            user_data)
{
  MpaioExecutorInterface *iface;
  GTask                  *task;

  g_return_if_fail (MPAIO_IS_EXECUTOR (self));
  g_return_if_fail (MPAIO_IS_WORKER (worker));
  g_return_if_fail (chunk != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  iface = MPAIO_EXECUTOR_GET_IFACE (self);
  if (iface->submit_async != NULL)
    {
      iface->submit_async (self, worker, chunk, cancellable, callback, user_data);
      return;
    }

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mpaio_executor_submit_async);
  g_task_set_task_data (task, g_new0 (MpaioChunkRecord, 1), g_free);
  iface->submit (self, worker, chunk, cancellable, complete_task, task);
}

/**
 * mpaio_executor_submit_finish:
 * @self: an executor
 * @result: the result given to the callback of [method@Mpaio.Executor.submit_async]
 * @record: (out caller-allocates) (optional): where to store which process ran
 *   the chunk and when
 * @error: return location for a #GError
 *
 * Completes [method@Mpaio.Executor.submit_async]. Of @record, the executor
 * fills in `pid`, the four times, `host` and `rank`; the chunk fields are
 * the caller's.
 *
 * Returns: (transfer full): the result of `process`, or %NULL with @error set
 *
 * Since: 0.1
 */
GVariant *
mpaio_executor_submit_finish (MpaioExecutor    *self,
                              GAsyncResult     *result,
                              MpaioChunkRecord *record,
                              GError          **error)
{
  MpaioExecutorInterface *iface;

  g_return_val_if_fail (MPAIO_IS_EXECUTOR (self), NULL);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), NULL);

  iface = MPAIO_EXECUTOR_GET_IFACE (self);
  if (iface->submit_finish != NULL)
    return iface->submit_finish (self, result, record, error);

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == mpaio_executor_submit_async,
                        NULL);

  if (record != NULL)
    {
      const MpaioChunkRecord *timing = g_task_get_task_data (G_TASK (result));

      record->pid = timing->pid;
      record->sent_us = timing->sent_us;
      record->started_us = timing->started_us;
      record->finished_us = timing->finished_us;
      record->returned_us = timing->returned_us;
      record->host = timing->host;
      record->rank = timing->rank;
    }

  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  MpaioExecutorChunkFunc func;
  gpointer               user_data;
} Forward;

/* submit() of executors that implement only submit_async(). */
static void
forward_result (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Forward         *forward = user_data;
  MpaioChunkRecord record = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) value = NULL;

  value = mpaio_executor_submit_finish (MPAIO_EXECUTOR (source), result, &record, &error);
  forward->func (MPAIO_EXECUTOR (source), value, error, &record, forward->user_data);
  g_free (forward);
}

/**
 * mpaio_executor_submit:
 * @self: an executor
 * @worker: the worker whose `process` runs
 * @chunk: the rows to process
 * @cancellable: (nullable): a cancellable; once cancelled, a chunk not yet
 *   handed to a worker is not run, and @func gets %G_IO_ERROR_CANCELLED
 * @func: (scope async): called with the chunk's outcome
 * @user_data: data for @func
 *
 * Runs [vfunc@Mpaio.Worker.process] of @worker on @chunk in one of the
 * executor's workers and calls @func with the outcome, on the
 * thread-default main context of the caller, never before this function
 * returns. It is [method@Mpaio.Executor.submit_async] without a #GTask
 * per chunk, for callers that submit very many chunks.
 *
 * Since: 0.1
 */
void
mpaio_executor_submit (MpaioExecutor         *self,
                       MpaioWorker           *worker,
                       const MpaioChunk      *chunk,
                       GCancellable          *cancellable,
                       MpaioExecutorChunkFunc func,
                       gpointer               user_data)
{
  MpaioExecutorInterface *iface;
  Forward                *forward;

  g_return_if_fail (MPAIO_IS_EXECUTOR (self));
  g_return_if_fail (MPAIO_IS_WORKER (worker));
  g_return_if_fail (chunk != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  g_return_if_fail (func != NULL);

  iface = MPAIO_EXECUTOR_GET_IFACE (self);
  if (iface->submit != NULL)
    {
      iface->submit (self, worker, chunk, cancellable, func, user_data);
      return;
    }

  forward = g_new (Forward, 1);
  forward->func = func;
  forward->user_data = user_data;
  iface->submit_async (self, worker, chunk, cancellable, forward_result, forward);
}
