/* mpaio-process-pool-tasks.c: the chunks a pool holds, and their spares
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "mpaio-process-pool-private.h"

/* Finished tasks kept for the next chunks, so that a chunk costs no
 * allocation. */
#define MAX_SPARE_TASKS 1024

PoolTask *
_mpaio_pool_task_new (MpaioProcessPool *self,
                      GCancellable     *cancellable)
{
  GList    *spare = self->spare_tasks;
  PoolTask *pool_task;

  if (spare == NULL)
    pool_task = g_new0 (PoolTask, 1);
  else
    {
      self->spare_tasks = spare->next;
      self->n_spare_tasks--;
      pool_task = G_STRUCT_MEMBER_P (spare, -G_STRUCT_OFFSET (PoolTask, link));
      memset (pool_task, 0, sizeof *pool_task);
    }

  pool_task->pool = self;
  self->n_tasks++;
  if (cancellable != NULL)
    {
      pool_task->cancellable = g_object_ref (cancellable);
      pool_task->watch = _mpaio_process_pool_watch_cancellable (self, cancellable);
    }

  /* A chunk its run still waits for holds the pool. */
  if (pool_task->watch == NULL || !pool_task->watch->cancelled)
    {
      if (self->n_live_tasks++ == 0)
        g_object_ref (self);
    }

  return pool_task;
}

void
_mpaio_pool_task_free (PoolTask *pool_task)
{
  MpaioProcessPool *self = pool_task->pool;
  gboolean          live = pool_task->watch == NULL || !pool_task->watch->cancelled;

  g_clear_object (&pool_task->worker);
  g_clear_error (&pool_task->error);
  g_clear_object (&pool_task->cancellable);
  if (pool_task->watch != NULL)
    _mpaio_cancel_watch_release (g_steal_pointer (&pool_task->watch));
  self->n_tasks--;

  if (self->n_spare_tasks < MAX_SPARE_TASKS)
    {
      pool_task->link.next = self->spare_tasks;
      self->spare_tasks = &pool_task->link;
      self->n_spare_tasks++;
    }
  else
    g_free (pool_task);

  if (self->n_tasks == 0)
    _mpaio_process_pool_check_closed (self);

  /* Last: it may finalize the pool, which frees the spares. */
  if (live && --self->n_live_tasks == 0)
    g_object_unref (self);
}

void
_mpaio_pool_task_complete_with_error (PoolTask *pool_task,
                                      GError   *error)
{
  pool_task->func ((MpaioExecutor *) pool_task->pool, NULL, error, &pool_task->record,
                   pool_task->user_data);
  g_error_free (error);
  _mpaio_pool_task_free (pool_task);
}

void
_mpaio_process_pool_fail_queue (MpaioProcessPool *self,
                                const GError     *error)
{
  PoolTask *pool_task;

  while ((pool_task = pool_queue_pop_head (&self->queue)) != NULL)
    _mpaio_pool_task_complete_with_error (pool_task, g_error_copy (error));
}

void
_mpaio_process_pool_free_spare_tasks (MpaioProcessPool *self)
{
  while (self->spare_tasks != NULL)
    {
      GList *spare = self->spare_tasks;

      self->spare_tasks = spare->next;
      g_free (G_STRUCT_MEMBER_P (spare, -G_STRUCT_OFFSET (PoolTask, link)));
    }
  self->n_spare_tasks = 0;
}
