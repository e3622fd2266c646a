/* mpaio-process-pool-close.c: closing a pool without blocking
 *
 * mpaio_process_pool_close_async() lets the chunks it was given finish
 * (DRAIN) or aborts them (ABORT), then stops the processes as dispose does
 * (mpaio-process-pool-stop.c), without blocking the caller's main loop.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <gio/gio.h>

#include "mpaio-process-pool-private.h"

static gboolean
on_close_cancelled (GCancellable *cancellable,
                    gpointer      user_data)
{
  MpaioProcessPool *self = user_data;
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED,
                                                  "The process pool was closed, and its chunks "
                                                  "aborted");

  g_clear_pointer (&self->close_cancel_source, g_source_unref);
  _mpaio_process_pool_abort_all (self, error);
  _mpaio_process_pool_check_closed (self);

  return G_SOURCE_REMOVE;
}

/**
 * mpaio_process_pool_close_async:
 * @self: a pool
 * @flags: what becomes of the chunks the pool holds
 * @cancellable: (nullable): cancelling it aborts the chunks left, as
 *   %MPAIO_CLOSE_ABORT does
 * @callback: (scope async): called when the pool's processes are gone
 * @user_data: data for @callback
 *
 * Closes the pool: from now on chunks submitted to it fail with
 * %G_IO_ERROR_CLOSED and it starts no process. The chunks it holds
 * finish, fail or are aborted as @flags says; then its processes are told
 * to exit (killed if they have not after a short grace), and @callback is
 * called once all are gone. The pool's main loop is never blocked.
 *
 * Since: 0.1
 */
void
mpaio_process_pool_close_async (MpaioProcessPool   *self,
                                MpaioCloseFlags     flags,
                                GCancellable       *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (MPAIO_IS_PROCESS_POOL (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mpaio_process_pool_close_async);

  if (self->close_task != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "The process pool is already being closed");
      return;
    }

  self->closed = TRUE;
  self->close_flags = flags;
  self->close_task = g_steal_pointer (&task);

  if (flags & MPAIO_CLOSE_ABORT)
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED,
                                                      "The process pool was closed, and its "
                                                      "chunks aborted");

      _mpaio_process_pool_abort_all (self, error);
    }
  else if (!(flags & MPAIO_CLOSE_DRAIN))
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED,
                                                      "The process pool was closed before the "
                                                      "chunk was sent");

      _mpaio_process_pool_fail_queue (self, error);
    }

  if (!(flags & MPAIO_CLOSE_ABORT) && cancellable != NULL)
    {
      self->close_cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_static_name (self->close_cancel_source, "[mpaio] close cancelled");
      g_source_set_callback (self->close_cancel_source, G_SOURCE_FUNC (on_close_cancelled), self,
                             NULL);
      g_source_attach (self->close_cancel_source, self->context);
    }

  _mpaio_process_pool_check_closed (self);
}

/**
 * mpaio_process_pool_close_finish:
 * @self: a pool
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Mpaio.ProcessPool.close_async].
 *
 * Returns: %TRUE once the pool's processes are gone; %FALSE with @error set
 *   when the close was cancelled (the chunks were aborted and the processes
 *   are gone all the same) or another close was under way
 *
 * Since: 0.1
 */
gboolean
mpaio_process_pool_close_finish (MpaioProcessPool *self,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, mpaio_process_pool_close_async),
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
