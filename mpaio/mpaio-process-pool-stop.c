/* mpaio-process-pool-stop.c: the end of a pool's processes
 *
 * Disposing a pool stops its processes before it returns: each socket is
 * closed (an idle process exits on the end of its input, a busy one's
 * watcher thread ends it), those still there after a short grace are
 * killed, and all are waited for, within a bound, so none is left running
 * or a zombie. Closing a pool (mpaio_process_pool_close_async()) does the
 * same without blocking, once the chunks it lets finish are done.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "mpaio-process-pool-private.h"

/* How long a process whose socket was closed has to exit before it is
 * killed, and how long a killed process may take to be reaped before
 * dispose gives up waiting (a process in uninterruptible sleep). */
#define STOP_GRACE_MS 500
#define REAP_LIMIT_MS 2000

typedef struct
{
  guint    n_waiting;
  gboolean timed_out;
} Reaping;

static void
on_reaped (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Reaping *reaping = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  reaping->n_waiting--;
}

static gboolean
on_deadline (gpointer user_data)
{
  ((Reaping *) user_data)->timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Waits on a private main context (GLib reaps children on its worker
 * thread, whatever the caller's context does) until @subprocesses have
 * exited or @limit_ms passed; TRUE if all exited. */
static gboolean
wait_for (GPtrArray *subprocesses,
          guint      limit_ms)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GSource) deadline = g_timeout_source_new (limit_ms);
  Reaping  reaping = { 0 };
  gboolean all_exited;

  g_main_context_push_thread_default (context);
  for (guint i = 0; i < subprocesses->len; i++)
    {
      reaping.n_waiting++;
      g_subprocess_wait_async (g_ptr_array_index (subprocesses, i), cancellable, on_reaped,
                               &reaping);
    }
  g_source_set_callback (deadline, on_deadline, &reaping, NULL);
  g_source_attach (deadline, context);

  while (reaping.n_waiting > 0 && !reaping.timed_out)
    g_main_context_iteration (context, TRUE);
  all_exited = reaping.n_waiting == 0;

  /* The waits left return at once, cancelled: none may outlive @reaping. */
  g_cancellable_cancel (cancellable);
  while (reaping.n_waiting > 0)
    g_main_context_iteration (context, TRUE);

  g_source_destroy (deadline);
  g_main_context_pop_thread_default (context);

  return all_exited;
}

void
_mpaio_process_pool_stop_all (MpaioProcessPool *self)
{
  g_autoptr(GPtrArray) subprocesses = g_ptr_array_new_with_free_func (g_object_unref);

  while (self->processes->len > 0)
    {
      PoolProcess *pool_process = g_ptr_array_steal_index_fast (self->processes, 0);

      g_assert (g_queue_is_empty (&pool_process->in_flight));
      g_ptr_array_add (subprocesses,
                       g_object_ref (_mpaio_worker_process_get_subprocess (pool_process->process)));
      /* Closes its socket. */
      _mpaio_pool_process_free (pool_process);
    }

  if (subprocesses->len == 0 || wait_for (subprocesses, STOP_GRACE_MS))
    return;

  for (guint i = 0; i < subprocesses->len; i++)
    g_subprocess_force_exit (g_ptr_array_index (subprocesses, i));

  if (!wait_for (subprocesses, REAP_LIMIT_MS))
    g_warning ("A worker process of a disposed pool did not end within %u ms of SIGKILL",
               REAP_LIMIT_MS);
}

/* Processes that have not exited STOP_GRACE_MS after their socket was
 * closed are killed. */
static gboolean
kill_remaining (gpointer user_data)
{
  MpaioProcessPool *self = user_data;

  g_clear_pointer (&self->close_source, g_source_unref);
  for (guint i = 0; i < self->processes->len; i++)
    {
      PoolProcess *pool_process = g_ptr_array_index (self->processes, i);

      if (!pool_process->stopping)
        {
          pool_process->stopping = TRUE;
          _mpaio_worker_process_kill (pool_process->process, NULL);
        }
    }

  return G_SOURCE_REMOVE;
}

void
_mpaio_process_pool_check_closed (MpaioProcessPool *self)
{
  GTask *task = self->close_task;

  if (task == NULL || self->n_tasks > 0)
    return;

  if (self->processes->len > 0)
    {
      /* Their chunks are done: the end of their input tells them to go. */
      if (self->close_source == NULL)
        {
          for (guint i = 0; i < self->processes->len; i++)
            _mpaio_worker_process_shutdown (
              ((PoolProcess *) g_ptr_array_index (self->processes, i))->process);

          self->close_source = g_timeout_source_new (STOP_GRACE_MS);
          g_source_set_static_name (self->close_source, "[mpaio] close grace");
          g_source_set_callback (self->close_source, kill_remaining, self, NULL);
          g_source_attach (self->close_source, self->context);
        }
      return;
    }

  if (self->close_source != NULL)
    g_source_destroy (self->close_source);
  g_clear_pointer (&self->close_source, g_source_unref);
  if (self->close_cancel_source != NULL)
    g_source_destroy (self->close_cancel_source);
  g_clear_pointer (&self->close_cancel_source, g_source_unref);

  self->close_task = NULL;
  if (g_task_get_cancellable (task) != NULL
      && g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             "Closing the pool was cancelled: its chunks were aborted");
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

void
_mpaio_process_pool_abort_all (MpaioProcessPool *self,
                               const GError     *error)
{
  PoolTask *pool_task;

  _mpaio_process_pool_fail_queue (self, error);
  while ((pool_task = pool_queue_pop_head (&self->refused)) != NULL)
    _mpaio_pool_task_complete_with_error (pool_task, g_steal_pointer (&pool_task->error));

  for (guint i = 0; i < self->processes->len; i++)
    {
      PoolProcess *pool_process = g_ptr_array_index (self->processes, i);

      pool_process->stopping = TRUE;
      _mpaio_worker_process_kill (pool_process->process, error);
    }
}
