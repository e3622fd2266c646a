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

#include <errno.h>
#include <signal.h>
#include <sys/wait.h>

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
on_reaped (GPid     pid,
           int      wait_status,
           gpointer user_data)
{
  ((Reaping *) user_data)->n_waiting--;
}

static gboolean
on_deadline (gpointer user_data)
{
  ((Reaping *) user_data)->timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Whether @pid is a child of ours not reaped yet: a process's watch may
 * have reaped it in the main loop pass that is disposing the pool, before
 * reporting it. */
static gboolean
is_unreaped_child (GPid pid)
{
  siginfo_t info;

  return waitid (P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 || errno != ECHILD;
}

/* Waits on a private main context (the pool's may be the one blocked in
 * dispose) until the processes @pids have exited, each reaped by a child
 * watch of its own, or @limit_ms passed; TRUE if all exited. */
static gboolean
wait_for (GArray *pids,
          guint   limit_ms)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GSource) deadline = g_timeout_source_new (limit_ms);
  g_autoptr(GPtrArray) watches = g_ptr_array_new_with_free_func ((GDestroyNotify) g_source_unref);
  Reaping reaping = { 0 };

  for (guint i = 0; i < pids->len; i++)
    {
      GPid     pid = g_array_index (pids, GPid, i);
      GSource *watch;

      if (!is_unreaped_child (pid))
        continue;

      watch = g_child_watch_source_new (pid);
      g_source_set_callback (watch, G_SOURCE_FUNC (on_reaped), &reaping, NULL);
      g_source_attach (watch, context);
      g_ptr_array_add (watches, watch);
      reaping.n_waiting++;
    }
  g_source_set_callback (deadline, on_deadline, &reaping, NULL);
  g_source_attach (deadline, context);

  while (reaping.n_waiting > 0 && !reaping.timed_out)
    g_main_context_iteration (context, TRUE);

  /* None may outlive @reaping; the processes they did not see end are
   * waited for again, or left. */
  for (guint i = 0; i < watches->len; i++)
    g_source_destroy (g_ptr_array_index (watches, i));
  g_source_destroy (deadline);

  return reaping.n_waiting == 0;
}

void
_mpaio_process_pool_stop_all (MpaioProcessPool *self)
{
  g_autoptr(GArray) pids = g_array_new (FALSE, FALSE, sizeof (GPid));

  while (self->processes->len > 0)
    {
      PoolProcess *pool_process = g_ptr_array_steal_index_fast (self->processes, 0);
      GPid         pid = _mpaio_worker_process_get_pid (pool_process->process);

      g_assert (g_queue_is_empty (&pool_process->in_flight));
      g_array_append_val (pids, pid);
      /* Closes its socket. */
      _mpaio_pool_process_free (pool_process);
    }

  if (pids->len == 0 || wait_for (pids, STOP_GRACE_MS))
    return;

  for (guint i = 0; i < pids->len; i++)
    {
      GPid pid = g_array_index (pids, GPid, i);

      if (is_unreaped_child (pid))
        kill (pid, SIGKILL);
    }

  if (!wait_for (pids, REAP_LIMIT_MS))
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
