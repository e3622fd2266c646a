/* mpaio-process-pool-dispatch.c: which worker process runs which chunk, and when
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "mpaio-process-pool-private.h"
#include "mpaio-shared-array-private.h"
#include "mpaio-worker-private.h"

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

/* Whether @pool_process finished every chunk it was sent (their results
 * may not have been read yet). */
static gboolean
process_is_idle (PoolProcess *pool_process)
{
  guint64 serial;
  gint64  since_us;

  return !_mpaio_status_page_get_running (pool_process->page, &serial, &since_us)
         && serial >= pool_process->n_sent;
}

static void
send_task (MpaioProcessPool *self,
           PoolProcess      *pool_process,
           PoolTask         *pool_task,
           gint64            now)
{
  GByteArray   *out = _mpaio_worker_process_get_output (pool_process->process);
  WorkerDef    *def = pool_task->def;
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

  /* Sent to a process with nothing left to do: from now on it could start
   * this one (see the watchdog). */
  if (g_queue_is_empty (&pool_process->in_flight) || process_is_idle (pool_process))
    pool_process->fed_idle_us = now;
  pool_task->serial = ++pool_process->n_sent;
  pool_task->record.pid = _mpaio_worker_process_get_pid (pool_process->process);
  pool_task->record.sent_us = now;
  if (g_queue_is_empty (&pool_process->in_flight))
    pool_process->head_since_us = pool_task->record.sent_us;
  pool_process->queued_us += pool_task->estimate_us;
  pool_queue_push_tail (&pool_process->in_flight, pool_task);
  pool_process->output_pending = TRUE;

  _mpaio_process_pool_watch_timeouts (self);
}

/* Whether @pool_process can take a chunk of @estimate_us: when idle, or
 * busy with work that stays short with it. */
static gboolean
has_room (MpaioProcessPool *self,
          PoolProcess      *pool_process,
          gdouble           estimate_us)
{
  guint n_held = pool_process->in_flight.length;

  /* A process whose chunk takes far longer than usual is stuck, or
   * stopped: what it would be given could wait for ever. */
  if (pool_process->overdue || pool_process->stopping)
    return FALSE;

  return n_held == 0
         || (n_held < self->max_in_flight
             && pool_process->queued_us + estimate_us <= QUEUED_WORK_US);
}

/* The process a chunk goes to when it has room: the same rows of the same
 * array go to the same process run after run, so the pages it touched are
 * still mapped there (a map over an array touches the same rows of its
 * output). The processes share each array in equal blocks of rows, the
 * first block of each array on another process, so that the chunks of
 * several arrays spread from the start. */
static PoolProcess *
preferred_process (MpaioProcessPool *self,
                   PoolTask         *pool_task)
{
  MpaioSharedArray *array = _mpaio_worker_peek_array (pool_task->worker);
  guint64           n_rows = _mpaio_shared_array_peek_n_rows (array);
  guint             n = self->processes->len;
  guint             block;

  if (n == 0 || n_rows == 0)
    return NULL;

  block = MIN ((guint) ((gdouble) pool_task->chunk.start / (gdouble) n_rows * n), n - 1);
  return g_ptr_array_index (self->processes, (block + _mpaio_shared_array_get_id (array)) % n);
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
  guint        n = self->processes->len;
  guint        best_index = 0;

  for (guint i = 0; i < n; i++)
    {
      guint        index = (self->next_process + i) % n;
      PoolProcess *candidate = g_ptr_array_index (self->processes, index);

      if (has_room (self, candidate, estimate_us)
          && (best == NULL || candidate->queued_us < best->queued_us))
        {
          best = candidate;
          best_index = index;
        }
    }

  if (best != NULL)
    self->next_process = best_index + 1;

  return best;
}

/* The definition and estimate of @pool_task; FALSE when it cannot go out
 * (its run is cancelled, or its worker's parameters cannot travel), with
 * @error set in the latter case. */
static gboolean
prepare_task (MpaioProcessPool *self,
              PoolTask         *pool_task,
              GError          **error)
{
  if (pool_task->cancellable != NULL && g_cancellable_is_cancelled (pool_task->cancellable))
    return FALSE;

  if (!(pool_task->def = _mpaio_process_pool_ensure_worker (self, pool_task->worker, error)))
    return FALSE;

  /* A worker not timed yet counts as long. */
  pool_task->estimate_us = pool_task->def->chunk_us >= 0 ? pool_task->def->chunk_us
                                                         : QUEUED_WORK_US;
  return TRUE;
}

/* How far past the head of the queue chunks are looked at for their own
 * process: the chunks a run keeps submitted. */
#define AFFINITY_LOOKAHEAD 64
/* Chunks shorter than this touch too little memory for where they ran
 * before to matter: they go out in order, to whichever process has room. */
#define AFFINITY_MIN_US 100.0

/* Each chunk to its own process, wherever it is in the queue; a process
 * holds its next chunk even when the one it runs is long, so it never waits
 * for a round trip to the pool between its own chunks. Nothing is
 * completed here, so the queue cannot change under the walk. */
static void
dispatch_to_preferred (MpaioProcessPool *self,
                       gint64           *now)
{
  guint n_looked = 0;

  for (GList *link = self->queue.head; link != NULL && n_looked < AFFINITY_LOOKAHEAD; n_looked++)
    {
      GList       *next = link->next;
      PoolTask    *pool_task = link->data;
      PoolProcess *pool_process;

      if (prepare_task (self, pool_task, NULL)
          && pool_task->estimate_us >= AFFINITY_MIN_US
          && (pool_process = preferred_process (self, pool_task)) != NULL
          && (has_room (self, pool_process, pool_task->estimate_us)
              || (pool_process->in_flight.length < MIN (2, self->max_in_flight)
                  && !pool_process->overdue && !pool_process->stopping)))
        {
          g_queue_unlink (&self->queue, link);
          if (*now == 0)
            *now = g_get_monotonic_time ();
          send_task (self, pool_process, pool_task, *now);
        }
      link = next;
    }
}

void
_mpaio_process_pool_dispatch (MpaioProcessPool *self)
{
  PoolTask *pool_task;
  gint64    now = 0; /* what is sent in this pass leaves together */
  GError   *error = NULL;
  gboolean  by_affinity;

  pool_task = g_queue_peek_head (&self->queue);
  by_affinity = pool_task != NULL && prepare_task (self, pool_task, NULL)
                && pool_task->estimate_us >= AFFINITY_MIN_US;
  if (by_affinity)
    dispatch_to_preferred (self, &now);

  /* Then the rest to any process with room: one that has run out of its
   * own chunks takes others' rather than idle, from the tail, the chunk its
   * process would have reached last (and so, run after run, the same
   * chunk, whose pages stay mapped where it ran before). */
  while ((pool_task = by_affinity ? g_queue_peek_tail (&self->queue)
                                  : g_queue_peek_head (&self->queue))
         != NULL)
    {
      PoolProcess *pool_process;

      if (!prepare_task (self, pool_task, &error))
        {
          g_queue_unlink (&self->queue, &pool_task->link);
          /* A chunk of a run that ended is not worth a process's time. */
          if (error == NULL)
            error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                         "The chunk was cancelled");
          _mpaio_pool_task_complete_with_error (pool_task, g_steal_pointer (&error));
          continue;
        }

      if (!(pool_process = choose_process (self, pool_task->estimate_us)))
        break;

      g_queue_unlink (&self->queue, &pool_task->link);
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
  MpaioProcessPool *pool; /* not a reference: the pool destroys the source */
} DispatchSource;

static gboolean
dispatch_source_dispatch (GSource    *source,
                          GSourceFunc callback,
                          gpointer    user_data)
{
  MpaioProcessPool *self = g_object_ref (((DispatchSource *) source)->pool);
  PoolTask         *pool_task;

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
