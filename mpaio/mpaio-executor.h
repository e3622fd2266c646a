/* mpaio-executor.h: where a worker's process runs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(MPAIO_INSIDE) && !defined(MPAIO_COMPILATION)
#error "Only <mpaio.h> can be included directly."
#endif

#include <gio/gio.h>

#include "mpaio-chunk.h"
#include "mpaio-chunk-record.h"
#include "mpaio-worker.h"
#include "mpaio-version-macros.h"

/* clang-format off */
G_BEGIN_DECLS

#define MPAIO_TYPE_EXECUTOR (mpaio_executor_get_type ())

MPAIO_AVAILABLE_IN_ALL
G_DECLARE_INTERFACE (MpaioExecutor, mpaio_executor, MPAIO, EXECUTOR, GObject)

/**
 * MpaioExecutorChunkFunc:
 * @executor: the executor
 * @result: (nullable): the result of `process`, or %NULL with @error set
 * @error: (nullable): why there is no result
 * @record: which process ran the chunk and when (the executor's fields)
 * @user_data: the data given to [method@Mpaio.Executor.submit]
 *
 * Receives the outcome of one chunk submitted with
 * [method@Mpaio.Executor.submit]. Take a reference on @result to keep it.
 *
 * Since: 0.1
 */
typedef void (*MpaioExecutorChunkFunc) (MpaioExecutor          *executor,
                                        GVariant               *result,
                                        const GError           *error,
                                        const MpaioChunkRecord *record,
                                        gpointer                user_data);

/**
 * MpaioExecutorInterface:
 * @parent_iface: the parent interface
 * @get_max_in_flight: how many chunks the executor wants submitted at once
 *   to keep all of its workers busy
 * @submit_async: runs the worker's `process` on one chunk
 * @submit_finish: completes @submit_async, giving the result and the
 *   timing of the chunk
 * @submit: runs the worker's `process` on one chunk and calls a function
 *   with the outcome: the orchestrator's way, without a #GTask per chunk.
 *   An executor implements @submit, or @submit_async and @submit_finish,
 *   or all three; the others are derived.
 *
 * The interface of executors: [class@Mpaio.ProcessPool] and [class@Mpaio.ThreadPool].
 *
 * Since: 0.1
 */
struct _MpaioExecutorInterface
{
  GTypeInterface parent_iface;

  guint     (*get_max_in_flight) (MpaioExecutor        *self);
  void      (*submit_async)      (MpaioExecutor        *self,
                                  MpaioWorker          *worker,
                                  const MpaioChunk     *chunk,
                                  GCancellable         *cancellable,
                                  GAsyncReadyCallback   callback,
                                  gpointer              user_data);
  GVariant *(*submit_finish)     (MpaioExecutor        *self,
                                  GAsyncResult         *result,
                                  MpaioChunkRecord     *record,
                                  GError              **error);
  void      (*submit)            (MpaioExecutor        *self,
                                  MpaioWorker          *worker,
                                  const MpaioChunk     *chunk,
                                  GCancellable         *cancellable,
                                  MpaioExecutorChunkFunc func,
                                  gpointer              user_data);
};

MPAIO_AVAILABLE_IN_ALL
guint     mpaio_executor_get_max_in_flight (MpaioExecutor        *self);
MPAIO_AVAILABLE_IN_ALL
void      mpaio_executor_submit_async      (MpaioExecutor        *self,
                                            MpaioWorker          *worker,
                                            const MpaioChunk     *chunk,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
MPAIO_AVAILABLE_IN_ALL
void      mpaio_executor_submit            (MpaioExecutor        *self,
                                            MpaioWorker          *worker,
                                            const MpaioChunk     *chunk,
                                            GCancellable         *cancellable,
                                            MpaioExecutorChunkFunc func,
                                            gpointer              user_data);
MPAIO_AVAILABLE_IN_ALL
GVariant *mpaio_executor_submit_finish     (MpaioExecutor        *self,
                                            GAsyncResult         *result,
                                            MpaioChunkRecord     *record,
                                            GError              **error);

G_END_DECLS
