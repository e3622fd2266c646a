/* mpaio-process-pool-processes.c: the life of a pool's worker processes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "mpaio-error.h"
#include "mpaio-process-pool-private.h"

static PoolProcess *spawn_process (MpaioProcessPool *self,
                                   GError          **error);

static void
learn_chunk_time (WorkerDef *def,
                  gint64     chunk_us)
{
  gdouble measured = CLAMP (chunk_us, 0, G_MAXINT);

  /* The first chunk is the best guess of the next ones. */
  if (def->chunk_us < 0)
    def->chunk_us = measured;
  else
    def->chunk_us = 0.875 * def->chunk_us + 0.125 * measured;
}

static void
complete_with_reply (PoolProcess *pool_process,
                     PoolTask    *pool_task,
                     MpaioReply  *reply)
{
  gint64 now = _mpaio_worker_process_get_received_time (pool_process->process);
  g_autoptr(GError) error = NULL;

  /* @pool_task is the head, as the caller checked. */
  g_queue_unlink (&pool_process->in_flight, &pool_task->link);
  pool_task->record.started_us = reply->started_us;
  pool_task->record.finished_us = reply->finished_us;
  pool_task->record.returned_us = now;
  learn_chunk_time (pool_task->def, reply->finished_us - reply->started_us);
  pool_process->queued_us = g_queue_is_empty (&pool_process->in_flight)
                              ? 0
                              : MAX (0, pool_process->queued_us - pool_task->estimate_us);
  /* The next chunk of this process starts now, as far as the pool knows. */
  pool_process->head_since_us = now;
  pool_process->overdue = FALSE;
  _mpaio_pool_process_mark_cancelled (pool_process);

  if (reply->type == MPAIO_MESSAGE_ERROR)
    error = _mpaio_reply_dup_error (reply);

  pool_task->func ((MpaioExecutor *) pool_task->pool, reply->value, error, &pool_task->record,
                   pool_task->user_data);
  _mpaio_pool_task_free (pool_task);
}

static gboolean
on_process_frame (MpaioWorkerProcess *process,
                  const MpaioFrame   *frame,
                  gpointer            user_data,
                  GError            **error)
{
  PoolProcess *pool_process = user_data;
  PoolTask    *head = g_queue_peek_head (&pool_process->in_flight);
  MpaioReply   reply;
  gboolean     ok = FALSE;

  if (!_mpaio_reply_decode (frame, &reply, error))
    return FALSE;

  if (reply.type == MPAIO_MESSAGE_BIG_RESULT
      && !_mpaio_reply_take_memfd (&reply, _mpaio_worker_process_steal_received_fd (process), error))
    {
      _mpaio_reply_clear (&reply);
      return FALSE;
    }

  if (reply.type == MPAIO_MESSAGE_HELLO)
    {
      if (reply.version != MPAIO_PROTOCOL_VERSION
          || reply.pid != _mpaio_worker_process_get_pid (process))
        g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_PROTOCOL,
                     "The worker process speaks protocol %u as pid %d; expected %u as pid %d",
                     reply.version, reply.pid, MPAIO_PROTOCOL_VERSION,
                     (int) _mpaio_worker_process_get_pid (process));
      else if (_mpaio_worker_process_get_ready (process))
        g_set_error_literal (error, MPAIO_ERROR, MPAIO_ERROR_PROTOCOL,
                             "The worker process said hello twice");
      else
        {
          ok = TRUE;
          _mpaio_worker_process_set_ready (process);
          pool_process->ready_us = g_get_monotonic_time ();
        }
    }
  else if (!_mpaio_worker_process_get_ready (process))
    g_set_error_literal (error, MPAIO_ERROR, MPAIO_ERROR_PROTOCOL,
                         "The worker process replied before saying hello");
  else if (head == NULL || reply.seq != GPOINTER_TO_SIZE (head))
    g_set_error_literal (error, MPAIO_ERROR, MPAIO_ERROR_PROTOCOL,
                         "A reply answers no chunk that was sent");
  else
    {
      ok = TRUE;
      pool_process->pool->reading_results = TRUE;
      complete_with_reply (pool_process, head, &reply);
    }

  _mpaio_reply_clear (&reply);
  return ok;
}

static void
on_process_drained (MpaioWorkerProcess *process,
                    gpointer            user_data)
{
  PoolProcess *pool_process = user_data;

  pool_process->pool->reading_results = FALSE;
  pool_process->pool->dispatch_deferred = FALSE;
  _mpaio_process_pool_dispatch (pool_process->pool);
}

void
_mpaio_pool_process_free (PoolProcess *pool_process)
{
  g_assert (g_queue_is_empty (&pool_process->in_flight));

  _mpaio_worker_process_free (pool_process->process);
  g_hash_table_destroy (pool_process->known_arrays);
  g_hash_table_destroy (pool_process->known_workers);
  g_free (pool_process);
}

/* The chunk @pool_process was running when it ended, as it said on its
 * status page; NULL when it was between chunks. */
static PoolTask *
find_running (PoolProcess *pool_process)
{
  guint64 serial;
  gint64  since_us;

  if (!_mpaio_status_page_get_running (pool_process->page, &serial, &since_us))
    return NULL;

  for (GList *l = pool_process->in_flight.head; l != NULL; l = l->next)
    if (((PoolTask *) l->data)->serial == serial)
      return l->data;

  return NULL;
}

/* A chunk sent to this many processes that died before it started is
 * blamed after all: the processes may die of something it brings (its
 * worker's definition), before its status could be stamped. */
#define MAX_UNBLAMED_REQUEUES 3

static void
on_process_exited (MpaioWorkerProcess *process,
                   const GError       *reason,
                   gpointer            user_data)
{
  PoolProcess      *pool_process = user_data;
  MpaioProcessPool *self = pool_process->pool;
  gboolean          was_ready = _mpaio_worker_process_get_ready (process);
  g_autoptr(GError) error = NULL;
  PoolTask *culprit;
  PoolTask *pool_task;

  /* A program that exits before answering never reached mpaio_init(). */
  if (was_ready || !_mpaio_worker_process_get_exited (process)
      || !g_error_matches (reason, MPAIO_ERROR, MPAIO_ERROR_WORKER_CRASHED))
    error = g_error_copy (reason);
  else
    error = g_error_new (MPAIO_ERROR, MPAIO_ERROR_SPAWN_FAILED,
                         "%s before it answered: does the program call mpaio_init() first in "
                         "main(), and Mpaio.serve_if_worker() in Python or JavaScript?",
                         reason->message);

  g_ptr_array_remove_fast (self->processes, pool_process);

  /* A process that broke the protocol is blamed on what it was answering;
   * one that died, on the chunk its status page says it was running: the
   * chunks before it are done (their results lost, when they did not
   * arrive) and those after it never started. */
  if (g_error_matches (error, MPAIO_ERROR, MPAIO_ERROR_PROTOCOL))
    culprit = g_queue_peek_head (&pool_process->in_flight);
  else
    culprit = find_running (pool_process);
  if (culprit == NULL && !g_queue_is_empty (&pool_process->in_flight)
      && ((PoolTask *) g_queue_peek_head (&pool_process->in_flight))->n_requeued
           >= MAX_UNBLAMED_REQUEUES)
    culprit = g_queue_peek_head (&pool_process->in_flight);
  if (culprit != NULL)
    g_queue_unlink (&pool_process->in_flight, &culprit->link);

  /* The others go to another process, as they were never sent. */
  while ((pool_task = pool_queue_pop_tail (&pool_process->in_flight)) != NULL)
    {
      pool_task->n_requeued++;
      pool_queue_push_head (&self->queue, pool_task);
    }

  _mpaio_pool_process_free (pool_process);

  /* A chunk may be what kills its process: retried at most max-retries
   * times, each on another (or a fresh) process. */
  if (culprit != NULL && g_error_matches (error, MPAIO_ERROR, MPAIO_ERROR_WORKER_CRASHED)
      && culprit->retries < self->max_retries)
    {
      culprit->retries++;
      pool_queue_push_head (&self->queue, g_steal_pointer (&culprit));
    }

  if (culprit != NULL)
    _mpaio_pool_task_complete_with_error (culprit, g_error_copy (error));

  /* A process that never answered would fail again at once: start its
   * replacement only when the next chunk is submitted. */
  if (was_ready && !self->closed)
    {
      g_autoptr(GError) spawn_error = NULL;

      if (spawn_process (self, &spawn_error) == NULL)
        g_warning ("Cannot replace a worker process: %s", spawn_error->message);
    }

  if (self->processes->len == 0)
    _mpaio_process_pool_fail_queue (self, error);
  else
    _mpaio_process_pool_dispatch (self);

  _mpaio_process_pool_check_closed (self);
}

static gpointer
hold_pool (gpointer user_data)
{
  return g_object_ref (((PoolProcess *) user_data)->pool);
}

static const MpaioWorkerProcessCallbacks process_callbacks = {
  .hold = hold_pool,
  .release = g_object_unref,
  .frame = on_process_frame,
  .drained = on_process_drained,
  .exited = on_process_exited,
};

static PoolProcess *
spawn_process (MpaioProcessPool *self,
               GError          **error)
{
  PoolProcess  *pool_process = g_new0 (PoolProcess, 1);
  GMainContext *previous = g_main_context_ref_thread_default ();

  g_main_context_push_thread_default (self->context);
  pool_process->process = _mpaio_worker_process_spawn ((const char *const *) self->argv,
                                                       self->cwd, self->io_priority,
                                                       &process_callbacks,
                                                       pool_process, error);
  g_main_context_pop_thread_default (self->context);
  g_main_context_unref (previous);

  if (pool_process->process == NULL)
    {
      g_free (pool_process);
      return NULL;
    }

  pool_process->pool = self;
  pool_process->page = _mpaio_worker_process_get_status_page (pool_process->process);
  pool_process->spawned_us = g_get_monotonic_time ();
  g_queue_init (&pool_process->in_flight);
  pool_process->known_arrays = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  pool_process->known_workers = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_ptr_array_add (self->processes, pool_process);
  /* Until it answers, bounded by startup-timeout. */
  _mpaio_process_pool_watch_timeouts (self);

  return pool_process;
}

gboolean
_mpaio_process_pool_spawn_missing (MpaioProcessPool *self,
                                   GError          **error)
{
  if (self->closed)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "The process pool is closed");
      return FALSE;
    }

  while (self->processes->len < self->n_processes)
    {
      if (spawn_process (self, error) == NULL)
        return FALSE;
    }

  return TRUE;
}
