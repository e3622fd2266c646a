/* mpaio-process-pool-cancel.c: what the pool does when a run no longer wants its chunks
 *
 * A run's chunks share one cancellable, cancelled when the run ends. From
 * then on they no longer hold the pool; the chunk a process runs is marked
 * cancelled on its status page (mpaio_worker_is_cancelled()); and, when the
 * run asked for it, a process still running one of them after the abort
 * grace is killed and replaced (its other chunks go to other processes).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "mpaio-abort-private.h"
#include "mpaio-process-pool-private.h"

static void
cancel_watch_free (CancelWatch *watch)
{
  if (watch->abort_source != NULL)
    g_source_destroy (watch->abort_source);
  g_clear_pointer (&watch->abort_source, g_source_unref);
  g_source_destroy (watch->source);
  g_source_unref (watch->source);
  g_object_unref (watch->cancellable);
  g_free (watch);
}

void
_mpaio_process_pool_cancel_init (MpaioProcessPool *self)
{
  self->watches = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) cancel_watch_free);
}

void
_mpaio_process_pool_cancel_finalize (MpaioProcessPool *self)
{
  self->last_watch = NULL;
  g_hash_table_destroy (self->watches);
}

/* The first chunk @pool_process holds and has not finished, when its run
 * was cancelled: the one it runs, or will run next. */
void
_mpaio_pool_process_mark_cancelled (PoolProcess *pool_process)
{
  PoolTask *head = g_queue_peek_head (&pool_process->in_flight);

  if (head != NULL && head->watch != NULL && head->watch->cancelled)
    _mpaio_status_page_cancel (pool_process->page, head->serial);
}

static gboolean
abort_chunks (gpointer user_data)
{
  CancelWatch      *watch = user_data;
  MpaioProcessPool *self = watch->pool;
  int               grace_ms = _mpaio_cancellable_get_abort_grace (watch->cancellable);

  g_clear_pointer (&watch->abort_source, g_source_unref);

  for (guint i = 0; i < self->processes->len; i++)
    {
      PoolProcess *pool_process = g_ptr_array_index (self->processes, i);
      guint64      serial;
      gint64       since_us;

      if (pool_process->stopping
          || !_mpaio_status_page_get_running (pool_process->page, &serial, &since_us))
        continue;

      for (GList *l = pool_process->in_flight.head; l != NULL; l = l->next)
        {
          PoolTask *pool_task = l->data;

          if (pool_task->serial == serial && pool_task->watch == watch)
            {
              g_autoptr(GError) error =
                           g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                        "Worker process %d was stopped: its chunk %" G_GUINT64_FORMAT
                                        " was cancelled and still ran after the abort grace of %d ms",
                                        (int) _mpaio_worker_process_get_pid (pool_process->process),
                                        pool_task->chunk.index, grace_ms);

              pool_process->stopping = TRUE;
              _mpaio_worker_process_kill (pool_process->process, error);
              break;
            }
        }
    }

  return G_SOURCE_REMOVE;
}

static gboolean
on_cancelled (GCancellable *cancellable,
              gpointer      user_data)
{
  CancelWatch      *watch = user_data;
  MpaioProcessPool *self = watch->pool;
  int               grace_ms = _mpaio_cancellable_get_abort_grace (cancellable);

  if (watch->cancelled)
    return G_SOURCE_REMOVE;

  watch->cancelled = TRUE;

  for (guint i = 0; i < self->processes->len; i++)
    _mpaio_pool_process_mark_cancelled (g_ptr_array_index (self->processes, i));

  if (grace_ms >= 0 && watch->n_tasks > 0)
    {
      watch->abort_source = g_timeout_source_new (grace_ms);
      g_source_set_static_name (watch->abort_source, "[mpaio] abort cancelled chunks");
      g_source_set_callback (watch->abort_source, abort_chunks, watch, NULL);
      g_source_attach (watch->abort_source, self->context);
    }

  /* The queued ones are dropped there. */
  _mpaio_process_pool_schedule_dispatch (self);

  /* Last: it may finalize the pool, and this watch with it. */
  g_assert (self->n_live_tasks >= watch->n_tasks);
  if (watch->n_tasks > 0)
    {
      self->n_live_tasks -= watch->n_tasks;
      if (self->n_live_tasks == 0)
        g_object_unref (self);
    }

  return G_SOURCE_REMOVE;
}

CancelWatch *
_mpaio_process_pool_watch_cancellable (MpaioProcessPool *self,
                                       GCancellable     *cancellable)
{
  CancelWatch *watch = self->last_watch;

  if (watch == NULL || watch->cancellable != cancellable)
    watch = g_hash_table_lookup (self->watches, cancellable);

  if (watch == NULL)
    {
      watch = g_new0 (CancelWatch, 1);
      watch->pool = self;
      watch->cancellable = g_object_ref (cancellable);
      /* A source rather than a handler: cancellation may come from any
       * thread, and is handled on the pool's. */
      watch->source = g_cancellable_source_new (cancellable);
      g_source_set_static_name (watch->source, "[mpaio] chunks cancelled");
      g_source_set_callback (watch->source, G_SOURCE_FUNC (on_cancelled), watch, NULL);
      g_source_attach (watch->source, self->context);
      g_hash_table_insert (self->watches, cancellable, watch);
    }

  self->last_watch = watch;
  watch->n_tasks++;
  return watch;
}

void
_mpaio_cancel_watch_release (CancelWatch *watch)
{
  MpaioProcessPool *self = watch->pool;

  if (--watch->n_tasks > 0)
    return;

  if (self->last_watch == watch)
    self->last_watch = NULL;
  g_hash_table_remove (self->watches, watch->cancellable);
}
