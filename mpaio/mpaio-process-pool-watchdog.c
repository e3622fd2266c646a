/* mpaio-process-pool-watchdog.c: processes that take too long, seen from their status pages
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "mpaio-error.h"
#include "mpaio-process-pool-private.h"

/* How often the watchdog looks, while a process holds chunks or starts: the
 * precision of chunk-timeout and startup-timeout. */
#define WATCHDOG_INTERVAL_MS 10
/* A process is overdue when it has spent this many times the usual time of
 * its chunk on it (and at least OVERDUE_MIN_US): it gets no more chunks,
 * and those it holds but has not started go to other processes. */
#define OVERDUE_FACTOR 8.0
#define OVERDUE_MIN_US (250 * 1000)

/* Since when @pool_process has been on its current chunk, as it says
 * itself; or, when it runs none but holds chunks it has not started, since
 * when it could have started the next; or 0 when it holds nothing to do.
 * @running says which. */
static gint64
busy_since (PoolProcess *pool_process,
            guint64     *serial,
            gboolean    *running)
{
  gint64 since_us;

  *running = _mpaio_status_page_get_running (pool_process->page, serial, &since_us);
  if (*running)
    return since_us;

  if (*serial >= pool_process->n_sent || g_queue_is_empty (&pool_process->in_flight))
    return 0;

  /* Not counting its start-up: chunks are sent before it answers. */
  return MAX (MAX (since_us, pool_process->fed_idle_us), pool_process->ready_us);
}

static PoolTask *
find_task (PoolProcess *pool_process,
           guint64      serial)
{
  for (GList *l = pool_process->in_flight.head; l != NULL; l = l->next)
    if (((PoolTask *) l->data)->serial == serial)
      return l->data;

  return NULL;
}

/* @running: it has been on chunk @serial for too long, or else it has not
 * started chunk @serial + 1 for as long (it is stopped, or does not serve):
 * then the chunk is blamed on nobody, and goes to another process. */
static void
kill_for_timeout (MpaioProcessPool *self,
                  PoolProcess      *pool_process,
                  gboolean          running,
                  guint64           serial)
{
  g_autoptr(GError) error = NULL;
  PoolTask *pool_task = find_task (pool_process, running ? serial : serial + 1);
  int       pid = _mpaio_worker_process_get_pid (pool_process->process);
  guint64   index = pool_task ? pool_task->chunk.index : 0;

  if (running)
    error = g_error_new (MPAIO_ERROR, MPAIO_ERROR_TIMED_OUT,
                         "Worker process %d spent more than the chunk timeout of %u ms on chunk "
                         "%" G_GUINT64_FORMAT " and was stopped",
                         pid, self->chunk_timeout_ms, index);
  else
    error = g_error_new (MPAIO_ERROR, MPAIO_ERROR_TIMED_OUT,
                         "Worker process %d did not start chunk %" G_GUINT64_FORMAT " within the "
                         "chunk timeout of %u ms (it is stopped, or does not serve) and was "
                         "stopped",
                         pid, index, self->chunk_timeout_ms);
  pool_process->stopping = TRUE;
  _mpaio_worker_process_kill (pool_process->process, error);
}

static void
kill_for_silence (MpaioProcessPool *self,
                  PoolProcess      *pool_process)
{
  g_autoptr(GError) error =
               g_error_new (MPAIO_ERROR, MPAIO_ERROR_SPAWN_FAILED,
                            "Worker process %d never answered within the start-up timeout of %u ms (%s): "
                            "does the program call mpaio_init() first in main(), and "
                            "Mpaio.serve_if_worker() in Python or JavaScript?",
                            (int) _mpaio_worker_process_get_pid (pool_process->process),
                            self->startup_timeout_ms, self->argv[0]);

  pool_process->stopping = TRUE;
  _mpaio_worker_process_kill (pool_process->process, error);
}

/* The chunks @pool_process holds and has not started go back to the head
 * of the pool's queue, in order, for another process: it may never start
 * them (it is stuck, or stopped). */
static gboolean
take_back (MpaioProcessPool *self,
           PoolProcess      *pool_process)
{
  PoolTask *pool_task;
  guint64   kept;

  if (!_mpaio_status_page_revoke (pool_process->page, pool_process->n_sent, &kept))
    return FALSE;

  while ((pool_task = g_queue_peek_tail (&pool_process->in_flight)) != NULL
         && pool_task->serial > kept)
    {
      g_queue_unlink (&pool_process->in_flight, &pool_task->link);
      pool_queue_push_head (&self->queue, pool_task);
    }

  pool_process->queued_us = 0;
  for (GList *l = pool_process->in_flight.head; l != NULL; l = l->next)
    pool_process->queued_us += ((PoolTask *) l->data)->estimate_us;

  return TRUE;
}

/* Whether a process other than @except could take chunks now. */
static gboolean
has_other_usable (MpaioProcessPool *self,
                  PoolProcess      *except)
{
  for (guint i = 0; i < self->processes->len; i++)
    {
      PoolProcess *pool_process = g_ptr_array_index (self->processes, i);

      if (pool_process != except && !pool_process->overdue && !pool_process->stopping
          && _mpaio_worker_process_get_ready (pool_process->process))
        return TRUE;
    }

  return FALSE;
}

static gboolean
watch (gpointer user_data)
{
  MpaioProcessPool *self = user_data;
  gint64            now = g_get_monotonic_time ();
  gboolean          busy = FALSE;
  gboolean          taken_back = FALSE;
  gboolean          usable_again = FALSE;

  for (guint i = 0; i < self->processes->len; i++)
    {
      PoolProcess *pool_process = g_ptr_array_index (self->processes, i);
      PoolTask    *head = g_queue_peek_head (&pool_process->in_flight);
      PoolTask    *tail = g_queue_peek_tail (&pool_process->in_flight);
      gboolean     running;
      guint64      serial;
      gint64       since_us;

      if (pool_process->stopping)
        continue;

      if (!_mpaio_worker_process_get_ready (pool_process->process))
        {
          busy = TRUE;
          if (self->startup_timeout_ms > 0
              && now - pool_process->spawned_us > (gint64) self->startup_timeout_ms * 1000)
            kill_for_silence (self, pool_process);
          continue;
        }

      since_us = busy_since (pool_process, &serial, &running);

      /* Overdue until it moves on: reads another chunk (one taken back is
       * read, and skipped), or ends the one it runs. */
      if (pool_process->overdue)
        {
          if (serial == pool_process->overdue_serial && running == pool_process->overdue_running
              && _mpaio_status_page_get_read (pool_process->page) == pool_process->overdue_read)
            busy = TRUE;
          else
            {
              pool_process->overdue = FALSE;
              usable_again = TRUE;
            }
        }

      if (head == NULL || since_us == 0)
        continue;

      busy = TRUE;

      if (self->chunk_timeout_ms > 0 && now - since_us > (gint64) self->chunk_timeout_ms * 1000)
        {
          kill_for_timeout (self, pool_process, running, serial);
          continue;
        }

      if (!pool_process->overdue
          && now - since_us > MAX (OVERDUE_MIN_US, OVERDUE_FACTOR * head->estimate_us))
        {
          pool_process->overdue = TRUE;
          pool_process->overdue_serial = serial;
          pool_process->overdue_running = running;
          pool_process->overdue_read = _mpaio_status_page_get_read (pool_process->page);
        }

      /* What it has not started goes where it can run now. */
      if (pool_process->overdue && tail->serial > serial && has_other_usable (self, pool_process))
        taken_back |= take_back (self, pool_process);
    }

  if (!busy)
    g_clear_pointer (&self->timeout_source, g_source_unref);

  if (taken_back || (usable_again && !g_queue_is_empty (&self->queue)))
    {
      /* Dispatching may complete the last chunk that held the pool. */
      g_object_ref (self);
      _mpaio_process_pool_dispatch (self);
      g_object_unref (self);
    }

  return busy ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

void
_mpaio_process_pool_watch_timeouts (MpaioProcessPool *self)
{
  /* Also while a close lets chunks finish; never once disposed. */
  if (self->timeout_source != NULL || (self->closed && self->close_task == NULL))
    return;

  self->timeout_source = g_timeout_source_new (WATCHDOG_INTERVAL_MS);
  g_source_set_static_name (self->timeout_source, "[mpaio] watchdog");
  g_source_set_callback (self->timeout_source, watch, self, NULL);
  g_source_attach (self->timeout_source, self->context);
}
