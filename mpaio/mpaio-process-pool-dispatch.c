/* mpaio-process-pool-dispatch.c: which worker process runs which chunk, and when
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "mpaio-process-pool-private.h"

/* A busy process is given more chunks only while the work it holds, as
 * estimated from each worker's chunk times so far, stays under this: many
 * times the time a result takes to reach the pool and the next chunk to
 * come back (tens of microseconds), so short chunks never leave it waiting,
 * but a long chunk (or one of a worker not yet timed) is never queued behind
 * another: it goes to whichever process is free first. */
#define QUEUED_WORK_US 1000.0

void
_mpaio_process_pool_flush (MpaioProcessPool *self)
{
  for (guint i = 0; i < self->processes->len; i++)
    {
      PoolProcess *pool_process = g_ptr_array_index (self->processes, i);

      if (pool_process->output_pending)
        {
          pool_process->output_pending = FALSE;
          _mpaio_worker_process_flush (pool_process->process);
        }
    }
}

static void
send_task (MpaioProcessPool *self,
           PoolProcess      *pool_process,
           PoolTask         *pool_task,
           gint64            now)
{
  GByteArray *out = _mpaio_worker_process_get_output (pool_process->process);
  WorkerDef *def = pool_task->def;
  MpaioTaskBody body;

  /* Runs send many chunks of one worker in a row: no lookups for those. */
  if (def->id != pool_process->last_worker_id)
    {
      _mpaio_process_pool_send_definitions (pool_process, pool_task);
      pool_process->last_worker_id = def->id;
    }

  body.seq = GPOINTER_TO_SIZE (pool_task);
  body.worker_id = def->id;
  body.index = pool_task->chunk.index;
  body.start = pool_task->chunk.start;
  body.end = pool_task->chunk.end;
  _mpaio_frame_append_task (out, &body);

  pool_task->record.pid = _mpaio_worker_process_get_pid (pool_process->process);
  pool_task->record.sent_us = now;
  if (g_queue_is_empty (&pool_process->in_flight))
    pool_process->head_since_us = pool_task->record.sent_us;
  pool_process->queued_us += pool_task->estimate_us;
  pool_queue_push_tail (&pool_process->in_flight, pool_task);
  pool_process->output_pending = TRUE;

  _mpaio_process_pool_watch_timeouts (self);
}

/* The least loaded process that can take a chunk of @estimate_us: an idle
 * one, or a busy one whose queued work stays short with it. Looks
 * round-robin from the one after the last chosen, so equal loads are
 * spread. */
static PoolProcess *
choose_process (MpaioProcessPool *self,
                gdouble           estimate_us)
{
  PoolProcess *best = NULL;
  guint n = self->processes->len;
  guint best_index = 0;

  for (guint i = 0; i < n; i++)
    {
      guint index = (self->next_process + i) % n;
      PoolProcess *candidate = g_ptr_array_index (self->processes, index);
      guint n_held = candidate->in_flight.length;
      gboolean has_room = n_held == 0
                          || (n_held < self->max_in_flight
                              && candidate->queued_us + estimate_us <= QUEUED_WORK_US);

      if (has_room && (best == NULL || candidate->queued_us < best->queued_us))
        {
          best = candidate;
          best_index = index;
        }
    }

  if (best != NULL)
    self->next_process = best_index + 1;

  return best;
}

void
_mpaio_process_pool_dispatch (MpaioProcessPool *self)
{
  PoolTask *pool_task;
  gint64 now = 0; /* what is sent in this pass leaves together */

  while ((pool_task = g_queue_peek_head (&self->queue)) != NULL)
    {
      PoolProcess *pool_process;

      /* A chunk of a run that ended is not worth a process's time. */
      if (pool_task->cancellable != NULL && g_cancellable_is_cancelled (pool_task->cancellable))
        {
          pool_queue_pop_head (&self->queue);
          _mpaio_pool_task_complete_with_error (
            pool_task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                            "The chunk was cancelled"));
          continue;
        }

      pool_task->def = _mpaio_process_pool_ensure_worker (self, pool_task->worker);
      /* A worker not timed yet counts as long. */
      pool_task->estimate_us = pool_task->def->chunk_us >= 0 ? pool_task->def->chunk_us
                                                             : QUEUED_WORK_US;

      if (!(pool_process = choose_process (self, pool_task->estimate_us)))
        break;

      pool_queue_pop_head (&self->queue);
      if (now == 0)
        now = g_get_monotonic_time ();
      send_task (self, pool_process, pool_task, now);
    }

  _mpaio_process_pool_flush (self);
}

/* Submissions only queue: chunks go out in one write per process per main
 * loop pass, from here or after a batch of results was read. */
typedef struct
{
  GSource           source;
  MpaioProcessPool *pool;   /* not a reference: the pool destroys the source */
} DispatchSource;

static gboolean
dispatch_source_dispatch (GSource     *source,
                          GSourceFunc  callback,
                          gpointer     user_data)
{
  MpaioProcessPool *self = g_object_ref (((DispatchSource *) source)->pool);
  PoolTask *pool_task;

  g_source_set_ready_time (source, -1);
  self->dispatch_deferred = FALSE;

  while ((pool_task = pool_queue_pop_head (&self->refused)) != NULL)
    _mpaio_pool_task_complete_with_error (pool_task, g_steal_pointer (&pool_task->error));

  _mpaio_process_pool_dispatch (self);
  g_object_unref (self);

  return G_SOURCE_CONTINUE;
}

/* A main loop iterating while a batch of results is still being handled is
 * one that a result's callback runs itself: it may be waiting for the
 * chunks submitted from the callback, so those cannot wait for the batch's
 * end. */
static gboolean
dispatch_source_prepare (GSource *source,
                         gint    *timeout)
{
  MpaioProcessPool *self = ((DispatchSource *) source)->pool;

  *timeout = -1;
  return self->reading_results && self->dispatch_deferred;
}

static GSourceFuncs dispatch_source_funcs = {
  .prepare = dispatch_source_prepare,
  .dispatch = dispatch_source_dispatch,
};

void
_mpaio_process_pool_schedule_dispatch (MpaioProcessPool *self)
{
  /* Waking the main context costs two syscalls: chunks submitted from a
   * result's callback wait for the dispatch that follows the batch (or for
   * the next iteration of a main loop the callback runs, see
   * dispatch_source_prepare()). */
  if (self->reading_results && g_queue_is_empty (&self->refused))
    {
      self->dispatch_deferred = TRUE;
      return;
    }

  if (g_source_get_ready_time (self->dispatch_source) != 0)
    g_source_set_ready_time (self->dispatch_source, 0);
}

GSource *
_mpaio_process_pool_dispatch_source_new (MpaioProcessPool *self)
{
  GSource *source = g_source_new (&dispatch_source_funcs, sizeof (DispatchSource));

  ((DispatchSource *) source)->pool = self;
  g_source_set_static_name (source, "[mpaio] dispatch chunks");
  g_source_attach (source, self->context);

  return source;
}
