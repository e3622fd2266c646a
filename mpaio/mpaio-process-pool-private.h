/* mpaio-process-pool-private.h: what the files of MpaioProcessPool share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "mpaio-executor.h"
#include "mpaio-process-pool.h"
#include "mpaio-protocol-private.h"
#include "mpaio-worker-process-private.h"

/* clang-format off */
G_BEGIN_DECLS

/* The life of a chunk and of a worker process in the pool.
 *
 * Words: a *process* is one of the pool's worker processes (PoolProcess);
 * a *worker* is an MpaioWorker, of which processes hold copies made from
 * its definition (WorkerDef). The public n-workers property counts
 * processes.
 *
 * A chunk submitted becomes a PoolTask, taken from the pool's spare tasks
 * (mpaio-process-pool-tasks.c). It is in one place at a time, through the
 * link it carries: `refused` (bad input, failed from the dispatch source),
 * the pool's `queue` (waiting for a process), or one process's `in_flight`
 * (sent, in the order sent; only the head is running). It leaves through
 * its callback, called exactly once, with a reply or an error, and returns
 * to the spares. The pool holds one reference to itself while any task is
 * not completed (`n_tasks`), so dropping the pool never cuts a run short;
 * only an explicit g_object_run_dispose() fails the tasks left.
 *
 * A PoolProcess is owned by the pool's `processes` array from its spawn to
 * its exit (mpaio-process-pool-processes.c): when it exits, its running
 * chunk fails or is retried and the chunks queued behind it go back to the
 * head of the pool's queue. A process is ready once it said hello;
 * `stopping` once the pool killed it (timeout) and waits for its exit.
 *
 * Which arrays and workers each process already holds copies of (the
 * catalogue, mpaio-process-pool-catalogue.c) is the only state shared with
 * other threads: a weak reference fires where the object is finalized, so
 * the pool's tables of arrays and workers are guarded by `forget_lock`, and
 * the forgetting itself is sent to the processes from the pool's context.
 *
 * Everything else runs on the pool's main context (`context`): scheduling
 * and the dispatch source (mpaio-process-pool-dispatch.c) send chunks in
 * one write per process per main loop pass. */

typedef struct _WorkerDef WorkerDef;

typedef struct
{
  MpaioProcessPool       *pool;   /* held while it has tasks, see n_tasks */
  MpaioExecutorChunkFunc  func;
  gpointer                user_data;
  GCancellable           *cancellable;
  GError                 *error;   /* refused at submission, reported on dispatch */
  MpaioWorker            *worker;
  WorkerDef              *def;         /* while sent: kept alive by the worker's reference */
  gdouble                 estimate_us; /* while sent */
  MpaioChunk        chunk;
  MpaioChunkRecord  record;
  guint             retries;
  GList             link;  /* in the one queue that holds it, or among the spares */
} PoolTask;

struct _WorkerDef
{
  guint64  id;
  guint    generation;
  guint64  array_id;
  char    *type_name;
  GVariant *parameters;
  GPtrArray *arrays;   /* the MpaioSharedArrays among the parameters */
  gdouble  chunk_us;   /* moving average of its `process` times; < 0 until known */
};

typedef struct
{
  MpaioProcessPool   *pool;
  MpaioWorkerProcess *process;
  GQueue              in_flight;     /* PoolTask*, in the order sent */
  GHashTable         *known_arrays;  /* set of guint64 ids */
  GHashTable         *known_workers; /* set of guint64 ids */
  guint64             last_worker_id; /* of the last task sent: known, with its array */
  gint64              head_since_us; /* when the first chunk in flight could start */
  gdouble             queued_us;     /* estimated work of the chunks in flight */
  gboolean            output_pending; /* written to its output, not flushed yet */
  gboolean            stopping;
} PoolProcess;

struct _MpaioProcessPool
{
  GObject       parent_instance;

  guint         n_processes;   /* the n-workers property */
  guint         max_in_flight;
  guint         max_retries;
  guint         chunk_timeout_ms;
  int           io_priority;
  GSource      *timeout_source;
  char        **argv;
  const char   *cwd;
  GMainContext *context;

  GPtrArray    *processes;     /* PoolProcess* */
  GQueue        queue;         /* PoolTask* waiting for a process */
  GQueue        refused;       /* PoolTask* to fail from the dispatch source */
  GSource      *dispatch_source;
  GList        *spare_tasks;   /* PoolTask.link, data unset */
  guint         n_spare_tasks;
  /* Tasks not completed yet: the pool holds itself while there are any
   * (one reference for all, rather than one per chunk), so dropping it
   * does not cut chunks short. */
  guint         n_tasks;
  gboolean      reading_results;   /* dispatch() runs when the batch is read */
  gboolean      dispatch_deferred; /* to that dispatch() */
  guint         next_process;
  guint64       next_worker_id;
  /* The worker of the last chunk dispatched and its definition: runs send
   * many chunks of a worker in a row. Cleared (atomically: a worker may be
   * finalized on any thread) when that worker goes. */
  MpaioWorker  *last_worker;
  WorkerDef    *last_def;

  /* Arrays and workers the processes may hold copies of. Guarded by
   * forget_lock, since the weak reference that drops one may fire on any
   * thread. */
  GMutex        forget_lock;
  GHashTable   *arrays;        /* MpaioSharedArray* → guint64 id */
  GHashTable   *workers;       /* MpaioWorker* → WorkerDef* */
  GArray       *forget_arrays; /* guint64 ids to forget in the processes */
  GArray       *forget_workers;
  GSource      *forget_source;
};

/* A task is in at most one queue at a time, through the link it carries:
 * moving chunks between queues allocates nothing. */
static inline void
pool_queue_push_tail (GQueue   *queue,
                      PoolTask *pool_task)
{
  pool_task->link.data = pool_task;
  g_queue_push_tail_link (queue, &pool_task->link);
}

static inline void
pool_queue_push_head (GQueue   *queue,
                      PoolTask *pool_task)
{
  pool_task->link.data = pool_task;
  g_queue_push_head_link (queue, &pool_task->link);
}

static inline PoolTask *
pool_queue_pop_head (GQueue *queue)
{
  GList *link = g_queue_pop_head_link (queue);

  return link ? link->data : NULL;
}

static inline PoolTask *
pool_queue_pop_tail (GQueue *queue)
{
  GList *link = g_queue_pop_tail_link (queue);

  return link ? link->data : NULL;
}

/* mpaio-process-pool-tasks.c */
PoolTask *_mpaio_pool_task_new                    (MpaioProcessPool *self);
void      _mpaio_pool_task_free                   (PoolTask         *pool_task);
void      _mpaio_pool_task_complete_with_error    (PoolTask         *pool_task,
                                                   GError           *error);
void      _mpaio_process_pool_fail_queue          (MpaioProcessPool *self,
                                                   const GError     *error);
void      _mpaio_process_pool_free_spare_tasks    (MpaioProcessPool *self);

/* mpaio-process-pool-catalogue.c */
void       _mpaio_process_pool_catalogue_init     (MpaioProcessPool *self);
void       _mpaio_process_pool_catalogue_clear    (MpaioProcessPool *self);
void       _mpaio_process_pool_catalogue_finalize (MpaioProcessPool *self);
WorkerDef *_mpaio_process_pool_ensure_worker      (MpaioProcessPool *self,
                                                   MpaioWorker      *worker,
                                                   GError          **error);
void       _mpaio_process_pool_send_definitions   (PoolProcess      *pool_process,
                                                   PoolTask         *pool_task);

/* mpaio-process-pool-processes.c */
gboolean   _mpaio_process_pool_spawn_missing      (MpaioProcessPool *self,
                                                   GError          **error);
void       _mpaio_pool_process_free               (PoolProcess      *pool_process);
void       _mpaio_process_pool_watch_timeouts     (MpaioProcessPool *self);

/* mpaio-process-pool-dispatch.c */
GSource   *_mpaio_process_pool_dispatch_source_new (MpaioProcessPool *self);
void       _mpaio_process_pool_schedule_dispatch  (MpaioProcessPool *self);
void       _mpaio_process_pool_dispatch           (MpaioProcessPool *self);
void       _mpaio_process_pool_flush              (MpaioProcessPool *self);

G_END_DECLS
