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
 * [method@Mpaio.Executor.submit_async] and keeps at most
 * [method@Mpaio.Executor.get_max_in_flight] chunks submitted at once, which is
 * how an executor keeps each of its workers busy without being flooded.
 * Completions are delivered on the thread-default main context of the caller
 * of `submit_async`.
 *
 * mpaio ships two executors: [class@Mpaio.ProcessPool], whose workers are
 * processes and run in parallel, and [class@Mpaio.ThreadPool], whose workers
 * are threads of the calling process.
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
void
mpaio_executor_submit_async (MpaioExecutor       *self,
                             MpaioWorker         *worker,
                             const MpaioChunk    *chunk,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (MPAIO_IS_EXECUTOR (self));
  g_return_if_fail (MPAIO_IS_WORKER (worker));
  g_return_if_fail (chunk != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  MPAIO_EXECUTOR_GET_IFACE (self)->submit_async (self, worker, chunk, cancellable, callback,
                                                 user_data);
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
 * fills in `pid` and the four times; the chunk fields are the caller's.
 *
 * Returns: (transfer full): the result of `process`, or %NULL with @error set
 *
 * Since: 0.1
 */
GVariant *
mpaio_executor_submit_finish (MpaioExecutor     *self,
                              GAsyncResult      *result,
                              MpaioChunkRecord  *record,
                              GError           **error)
{
  g_return_val_if_fail (MPAIO_IS_EXECUTOR (self), NULL);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), NULL);

  return MPAIO_EXECUTOR_GET_IFACE (self)->submit_finish (self, result, record, error);
}
