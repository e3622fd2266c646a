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
 * (sent, in the order sent; the process runs them in that order). It leaves
 * through its callback, called exactly once, with a reply or an error, and
 * returns to the spares. The pool holds one reference to itself while any
 * task its run still waits for is not completed (`n_live_tasks`), so
 * dropping the pool never cuts a run short; a task whose cancellable was
 * cancelled (its run ended) does not hold it (mpaio-process-pool-cancel.c),
 * so a stuck chunk nobody waits for cannot keep processes alive. Disposing
 * the pool fails the tasks left and stops its processes
 * (mpaio-process-pool-stop.c).
 *
 * A PoolProcess is owned by the pool's `processes` array from its spawn to
 * its exit (mpaio-process-pool-processes.c). It stamps on its status page
 * (mpaio-status-page-private.h) which chunk it runs and since when: when it
 * exits, the chunk it was running fails or is retried, and the others it
 * held go back to the head of the pool's queue, blamed on nobody. A
 * process is ready once it said hello; `stopping` once the pool killed it
 * and waits for its exit. The watchdog (mpaio-process-pool-watchdog.c)
 * bounds start-up and chunk times, and takes back the chunks a process
 * that is far slower than usual has not started.
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
typedef struct _CancelWatch CancelWatch;

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
  guint             n_requeued; /* sent to processes that died before it started */
  guint64           serial;     /* while sent: its number on its process's status page */
  CancelWatch      *watch;      /* of its cancellable, if any */
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
  gboolean            overdue;       /* its chunk takes far longer than usual: no more work */
  gboolean            overdue_running; /* its page when it became overdue */
  guint64             overdue_serial;
  guint64             overdue_read;
  guint64             n_sent;        /* chunks sent: the serial of the last one */
  gint64              spawned_us;
  gint64              ready_us;      /* when it said hello */
  gint64              fed_idle_us;   /* when it was last sent a chunk with nothing to do */
  MpaioStatusPage    *page;          /* what it is doing, stamped by itself */
} PoolProcess;

struct _MpaioProcessPool
{
  GObject       parent_instance;

  guint         n_processes;   /* the n-workers property */
  guint         max_in_flight;
  guint         max_retries;
  guint         chunk_timeout_ms;
  guint         startup_timeout_ms;
  int           io_priority;
  GSource      *timeout_source;    /* the watchdog, while a process holds chunks or starts */
  gboolean      closed;            /* disposed or closing: takes no more chunks */
  char        **argv;
  const char   *cwd;
  GMainContext *context;

  GPtrArray    *processes;     /* PoolProcess* */
  GQueue        queue;         /* PoolTask* waiting for a process */
  GQueue        refused;       /* PoolTask* to fail from the dispatch source */
  GSource      *dispatch_source;
  GList        *spare_tasks;   /* PoolTask.link, data unset */
  guint         n_spare_tasks;
  /* Tasks not completed yet, and those of them whose run still waits for
   * them: the pool holds itself while there are any of the latter (one
   * reference for all, rather than one per chunk), so dropping it does not
   * cut chunks short. */
  guint         n_tasks;
  guint         n_live_tasks;
  GHashTable   *watches;      /* GCancellable* → CancelWatch* */
  CancelWatch  *last_watch;   /* runs submit many chunks with one cancellable */
  GTask        *close_task;   /* mpaio_process_pool_close_async() under way */
  MpaioCloseFlags close_flags;
  GSource      *close_source; /* the grace given to processes to exit */
  GSource      *close_cancel_source; /* the close's cancellable: aborts */
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

/* What the pool knows of one cancellable its tasks carry. */
struct _CancelWatch
{
  MpaioProcessPool *pool;
  GCancellable     *cancellable;
  GSource          *source;       /* fires once it is cancelled */
  GSource          *abort_source; /* then kills what still runs its chunks */
  guint             n_tasks;
  gboolean          cancelled;    /* seen by the pool (its tasks no longer hold it) */
};

/* mpaio-process-pool-tasks.c */
PoolTask *_mpaio_pool_task_new                    (MpaioProcessPool *self,
                                                   GCancellable     *cancellable);
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

/* mpaio-process-pool-cancel.c */
void         _mpaio_process_pool_cancel_init      (MpaioProcessPool *self);
void         _mpaio_process_pool_cancel_finalize  (MpaioProcessPool *self);
CancelWatch *_mpaio_process_pool_watch_cancellable (MpaioProcessPool *self,
                                                   GCancellable     *cancellable);
void         _mpaio_cancel_watch_release          (CancelWatch      *watch);
/* After @pool_process's head changed: tells it whether its run was cancelled. */
void         _mpaio_pool_process_mark_cancelled   (PoolProcess      *pool_process);

/* mpaio-process-pool-stop.c */
/* Stops every process (closes its socket, SIGKILL after a short grace) and
 * waits for them, bounded: from dispose. */
void       _mpaio_process_pool_stop_all           (MpaioProcessPool *self);
/* Completes a close under way once nothing is left. */
void       _mpaio_process_pool_check_closed       (MpaioProcessPool *self);
/* Fails what is queued and kills every process, whose chunks fail with
 * @error: mpaio_process_pool_close_async() with MPAIO_CLOSE_ABORT. */
void       _mpaio_process_pool_abort_all          (MpaioProcessPool *self,
                                                   const GError     *error);

/* mpaio-process-pool-watchdog.c */
void       _mpaio_process_pool_watch_timeouts     (MpaioProcessPool *self);

/* mpaio-process-pool-dispatch.c */
GSource   *_mpaio_process_pool_dispatch_source_new (MpaioProcessPool *self);
void       _mpaio_process_pool_schedule_dispatch  (MpaioProcessPool *self);
void       _mpaio_process_pool_dispatch           (MpaioProcessPool *self);
void       _mpaio_process_pool_flush              (MpaioProcessPool *self);

G_END_DECLS
