/* mpaio-process-pool.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <fcntl.h>
#include <string.h>

#include <gio/gio.h>

#include "mpaio-error.h"
#include "mpaio-executor.h"
#include "mpaio-init-private.h"
#include "mpaio-process-pool.h"
#include "mpaio-protocol.h"
#include "mpaio-shared-array-private.h"
#include "mpaio-worker-private.h"
#include "mpaio-worker-process.h"

/**
 * MpaioProcessPool:
 *
 * An [iface@Mpaio.Executor] whose workers are persistent processes.
 *
 * The pool starts its worker processes when it is created, with
 * [class@Gio.Subprocess], by starting the running program again (its real
 * executable and its original arguments), unless it was given another
 * command line that calls [func@Mpaio.init]. They live until the pool is
 * finalized and serve any number of chunks and runs; one that dies is
 * replaced.
 *
 * Each process has its own socket to the pool. A shared array travels to a
 * process once, as a file descriptor; a worker's type name and parameters
 * travel once per process (again when a parameter changes); after that a
 * chunk costs a message of 48 bytes. A busy process is sent more chunks
 * while the work it holds, estimated from each worker's chunk times so far,
 * stays under about a millisecond (and within
 * [property@Mpaio.ProcessPool:max-in-flight-per-worker]): short chunks are
 * pipelined so no process waits for the next one, while a long chunk never
 * queues behind another when a process is idle. Results come back in
 * batches, one write per process per main loop pass at most.
 *
 * All I/O with worker processes runs on the thread-default main context of
 * the thread that created the pool; use the pool from that thread.
 *
 * Since: 0.1
 */

#define DEFAULT_MAX_IN_FLIGHT 64
#define MAX_WORKERS 1024
/* A busy process is given more chunks only while the work it holds, as
 * estimated from each worker's chunk times so far, stays under this: well
 * over the time a result takes to reach the pool and the next chunk to come
 * back (50–65 µs across cores here), so short chunks never leave it waiting,
 * but a long chunk (or one of a worker not yet timed) is never queued behind
 * another: it goes to whichever process is free first. */
#define QUEUED_WORK_US 1000.0

typedef struct
{
  MpaioProcessPool       *pool;   /* held while it has tasks, see n_tasks */
  MpaioExecutorChunkFunc  func;
  gpointer                user_data;
  GCancellable           *cancellable;
  GError                 *error;   /* refused at submission, reported on dispatch */
  MpaioWorker            *worker;
  struct _WorkerDef      *def;         /* while sent: kept alive by the worker's reference */
  gdouble                 estimate_us; /* while sent */
  MpaioChunk        chunk;
  MpaioChunkRecord  record;
  guint             retries;
  GList             link;  /* in the one queue that holds it, or among the spares */
} PoolTask;

/* Finished tasks kept for the next chunks, so that a chunk costs no
 * allocation. */
#define MAX_SPARE_TASKS 1024

typedef struct _WorkerDef
{
  guint64  id;
  guint    generation;
  guint64  array_id;
  char    *type_name;
  GVariant *parameters;
  gdouble  chunk_us;   /* moving average of its `process` times; < 0 until known */
} WorkerDef;

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
  gboolean            dirty;
  gboolean            stopping;
} PoolProcess;

struct _MpaioProcessPool
{
  GObject       parent_instance;

  guint         n_workers;
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
  char         *last_spawn_error;

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

static void mpaio_process_pool_initable_iface_init (GInitableIface *iface);
static void mpaio_process_pool_executor_iface_init (MpaioExecutorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MpaioProcessPool, mpaio_process_pool, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      mpaio_process_pool_initable_iface_init)
                               G_IMPLEMENT_INTERFACE (MPAIO_TYPE_EXECUTOR,
                                                      mpaio_process_pool_executor_iface_init))

enum {
  PROP_0,
  PROP_N_WORKERS,
  PROP_MAX_IN_FLIGHT_PER_WORKER,
  PROP_ARGV,
  PROP_MAX_RETRIES,
  PROP_CHUNK_TIMEOUT,
  PROP_IO_PRIORITY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void dispatch (MpaioProcessPool *self);
static void watch_timeouts (MpaioProcessPool *self);

/* A task is in at most one queue at a time, through the link it carries:
 * moving chunks between queues allocates nothing. */
static void
push_tail (GQueue   *queue,
           PoolTask *pool_task)
{
  pool_task->link.data = pool_task;
  g_queue_push_tail_link (queue, &pool_task->link);
}

static void
push_head (GQueue   *queue,
           PoolTask *pool_task)
{
  pool_task->link.data = pool_task;
  g_queue_push_head_link (queue, &pool_task->link);
}

static PoolTask *
pop_head (GQueue *queue)
{
  GList *link = g_queue_pop_head_link (queue);

  return link ? link->data : NULL;
}

static PoolTask *
pop_tail (GQueue *queue)
{
  GList *link = g_queue_pop_tail_link (queue);

  return link ? link->data : NULL;
}

static PoolTask *
pool_task_new (MpaioProcessPool *self)
{
  GList *spare = self->spare_tasks;
  PoolTask *pool_task;

  if (self->n_tasks++ == 0)
    g_object_ref (self);

  if (spare == NULL)
    return g_new0 (PoolTask, 1);

  self->spare_tasks = spare->next;
  self->n_spare_tasks--;
  pool_task = G_STRUCT_MEMBER_P (spare, -G_STRUCT_OFFSET (PoolTask, link));
  memset (pool_task, 0, sizeof *pool_task);

  return pool_task;
}

static void
pool_task_free (PoolTask *pool_task)
{
  MpaioProcessPool *self = pool_task->pool;

  g_clear_object (&pool_task->worker);
  g_clear_error (&pool_task->error);
  g_clear_object (&pool_task->cancellable);

  if (self->n_spare_tasks < MAX_SPARE_TASKS)
    {
      pool_task->link.next = self->spare_tasks;
      self->spare_tasks = &pool_task->link;
      self->n_spare_tasks++;
    }
  else
    g_free (pool_task);

  /* Last: it may finalize the pool, which frees the spares. */
  if (--self->n_tasks == 0)
    g_object_unref (self);
}

static void
worker_def_free (gpointer data)
{
  WorkerDef *def = data;

  g_free (def->type_name);
  g_clear_pointer (&def->parameters, g_variant_unref);
  g_free (def);
}

static guint64 *
new_key (guint64 id)
{
  return g_memdup2 (&id, sizeof id);
}

static void
append_forget (PoolProcess      *pool_process,
               MpaioMessageType  type,
               GHashTable       *known,
               guint64           id)
{
  /* The last worker sent may be the one forgotten, or use the array
   * forgotten: the next task checks again. */
  pool_process->last_worker_id = 0;

  if (g_hash_table_remove (known, &id))
    {
      _mpaio_frame_append (_mpaio_worker_process_get_output (pool_process->process), type, NULL, 0,
                           g_variant_new_uint64 (id));
      pool_process->dirty = TRUE;
    }
}

static void
flush_dirty (MpaioProcessPool *self)
{
  for (guint i = 0; i < self->processes->len; i++)
    {
      PoolProcess *pool_process = g_ptr_array_index (self->processes, i);

      if (pool_process->dirty)
        {
          pool_process->dirty = FALSE;
          _mpaio_worker_process_flush (pool_process->process);
        }
    }
}

static gboolean
forget_in_processes (gpointer user_data)
{
  MpaioProcessPool *self = user_data;
  g_autoptr(GArray) arrays = NULL;
  g_autoptr(GArray) workers = NULL;

  g_mutex_lock (&self->forget_lock);
  arrays = g_steal_pointer (&self->forget_arrays);
  workers = g_steal_pointer (&self->forget_workers);
  self->forget_arrays = g_array_new (FALSE, FALSE, sizeof (guint64));
  self->forget_workers = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_clear_pointer (&self->forget_source, g_source_unref);
  g_mutex_unlock (&self->forget_lock);

  for (guint i = 0; i < self->processes->len; i++)
    {
      PoolProcess *pool_process = g_ptr_array_index (self->processes, i);

      /* Workers first: a worker in the process holds its array. */
      for (guint j = 0; j < workers->len; j++)
        append_forget (pool_process, MPAIO_MESSAGE_FORGET_WORKER, pool_process->known_workers,
                       g_array_index (workers, guint64, j));
      for (guint j = 0; j < arrays->len; j++)
        append_forget (pool_process, MPAIO_MESSAGE_FORGET_ARRAY, pool_process->known_arrays,
                       g_array_index (arrays, guint64, j));
    }

  flush_dirty (self);
  return G_SOURCE_REMOVE;
}

/* Called with forget_lock held. */
static void
schedule_forget (MpaioProcessPool *self)
{
  if (self->forget_source != NULL)
    return;

  self->forget_source = g_idle_source_new ();
  g_source_set_static_name (self->forget_source, "[mpaio] forget copies");
  g_source_set_callback (self->forget_source, forget_in_processes, self, NULL);
  g_source_attach (self->forget_source, self->context);
}

static void
array_finalized (gpointer  data,
                 GObject  *where_the_object_was)
{
  MpaioProcessPool *self = data;
  gpointer id;

  g_mutex_lock (&self->forget_lock);
  if (g_hash_table_steal_extended (self->arrays, where_the_object_was, NULL, &id))
    {
      g_array_append_vals (self->forget_arrays, id, 1);
      g_free (id);
      schedule_forget (self);
    }
  g_mutex_unlock (&self->forget_lock);
}

static void
worker_finalized (gpointer  data,
                  GObject  *where_the_object_was)
{
  MpaioProcessPool *self = data;
  gpointer def;

  g_mutex_lock (&self->forget_lock);
  g_atomic_pointer_compare_and_exchange (&self->last_worker, where_the_object_was, NULL);
  if (g_hash_table_steal_extended (self->workers, where_the_object_was, NULL, &def))
    {
      g_array_append_val (self->forget_workers, ((WorkerDef *) def)->id);
      worker_def_free (def);
      schedule_forget (self);
    }
  g_mutex_unlock (&self->forget_lock);
}

/* The id under which @array is known to worker processes; registered on
 * first use. */
static guint64
ensure_array (MpaioProcessPool *self,
              MpaioSharedArray *array)
{
  guint64 id = _mpaio_shared_array_get_id (array);

  g_mutex_lock (&self->forget_lock);
  if (!g_hash_table_contains (self->arrays, array))
    {
      g_hash_table_insert (self->arrays, array, new_key (id));
      g_object_weak_ref (G_OBJECT (array), array_finalized, self);
    }
  g_mutex_unlock (&self->forget_lock);

  return id;
}

/* The definition worker processes make @worker from; a new one (with a new
 * id) whenever a parameter changed since the last. */
static WorkerDef *
ensure_worker (MpaioProcessPool *self,
               MpaioWorker      *worker)
{
  guint generation = _mpaio_worker_get_generation (worker);
  WorkerDef *def;

  /* The task holds @worker, so it is not the one being finalized if
   * another thread is clearing the cache meanwhile. */
  if (g_atomic_pointer_get (&self->last_worker) == worker
      && self->last_def->generation == generation)
    return self->last_def;

  g_mutex_lock (&self->forget_lock);
  def = g_hash_table_lookup (self->workers, worker);
  g_mutex_unlock (&self->forget_lock);

  if (def != NULL && def->generation == generation)
    {
      self->last_def = def;
      g_atomic_pointer_set (&self->last_worker, worker);
      return def;
    }

  if (def == NULL)
    {
      def = g_new0 (WorkerDef, 1);
      def->chunk_us = -1;
      g_object_weak_ref (G_OBJECT (worker), worker_finalized, self);
      g_mutex_lock (&self->forget_lock);
      g_hash_table_insert (self->workers, worker, def);
      g_mutex_unlock (&self->forget_lock);
    }
  else
    {
      g_mutex_lock (&self->forget_lock);
      g_array_append_val (self->forget_workers, def->id);
      schedule_forget (self);
      g_mutex_unlock (&self->forget_lock);
      g_clear_pointer (&def->type_name, g_free);
      g_clear_pointer (&def->parameters, g_variant_unref);
    }

  def->id = ++self->next_worker_id;
  def->generation = generation;
  def->array_id = ensure_array (self, mpaio_worker_get_array (worker));
  def->type_name = g_strdup (G_OBJECT_TYPE_NAME (worker));
  def->parameters = _mpaio_worker_dup_parameters (worker);

  self->last_def = def;
  g_atomic_pointer_set (&self->last_worker, worker);
  return def;
}

/* A process whose first chunk in flight has been with it for longer than
 * the timeout is stuck in `process`: only killing it frees the chunk. */
static gboolean
check_timeouts (gpointer user_data)
{
  MpaioProcessPool *self = user_data;
  gint64 now = g_get_monotonic_time ();
  gboolean busy = FALSE;

  for (guint i = 0; i < self->processes->len; i++)
    {
      PoolProcess *pool_process = g_ptr_array_index (self->processes, i);
      gint64 running_us = now - pool_process->head_since_us;

      if (g_queue_is_empty (&pool_process->in_flight) || pool_process->stopping)
        continue;

      busy = TRUE;
      if (self->chunk_timeout_ms > 0 && running_us > (gint64) self->chunk_timeout_ms * 1000)
        {
          g_autoptr(GError) error =
            g_error_new (MPAIO_ERROR, MPAIO_ERROR_TIMED_OUT,
                         "Worker process %d spent more than the chunk timeout of %u ms on the "
                         "chunk and was stopped",
                         (int) _mpaio_worker_process_get_pid (pool_process->process),
                         self->chunk_timeout_ms);

          pool_process->stopping = TRUE;
          _mpaio_worker_process_kill (pool_process->process, error);
        }
    }

  if (!busy || self->chunk_timeout_ms == 0)
    {
      g_clear_pointer (&self->timeout_source, g_source_unref);
      return G_SOURCE_REMOVE;
    }

  return G_SOURCE_CONTINUE;
}

static void
watch_timeouts (MpaioProcessPool *self)
{
  if (self->chunk_timeout_ms == 0 || self->timeout_source != NULL)
    return;

  self->timeout_source = g_timeout_source_new (MAX (self->chunk_timeout_ms / 10, 5));
  g_source_set_static_name (self->timeout_source, "[mpaio] chunk timeout");
  g_source_set_callback (self->timeout_source, check_timeouts, self, NULL);
  g_source_attach (self->timeout_source, self->context);
}

/* An input array goes to worker processes as a read-only file: a worker can
 * then neither write it (pwrite, or mprotect of its mapping) nor resize it. */
static void
send_array_fd (PoolProcess      *pool_process,
               MpaioSharedArray *array)
{
  int fd = mpaio_shared_array_get_fd (array);

  if (!(mpaio_shared_array_get_flags (array) & MPAIO_SHARED_ARRAY_FLAGS_WRITABLE))
    {
      char path[64];
      int read_only;

      g_snprintf (path, sizeof path, "/proc/self/fd/%d", fd);
      read_only = open (path, O_RDONLY | O_CLOEXEC);
      if (read_only >= 0)
        {
          _mpaio_worker_process_take_fd (pool_process->process, read_only);
          return;
        }
    }

  _mpaio_worker_process_send_fd (pool_process->process, fd);
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
      MpaioSharedArray *array = mpaio_worker_get_array (pool_task->worker);

      if (!g_hash_table_contains (pool_process->known_arrays, &def->array_id))
        {
          g_autoptr(GVariant) description = _mpaio_shared_array_describe (array);

          send_array_fd (pool_process, array);
          _mpaio_frame_append (out, MPAIO_MESSAGE_ARRAY, NULL, 0,
                               g_variant_new ("(t@" MPAIO_SHARED_ARRAY_DESCRIPTION_TYPE ")",
                                              def->array_id, description));
          g_hash_table_add (pool_process->known_arrays, new_key (def->array_id));
        }

      if (!g_hash_table_contains (pool_process->known_workers, &def->id))
        {
          _mpaio_frame_append (out, MPAIO_MESSAGE_WORKER, NULL, 0,
                               g_variant_new ("(tst@a{sv})", def->id, def->type_name,
                                              def->array_id, def->parameters));
          g_hash_table_add (pool_process->known_workers, new_key (def->id));
        }

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
  push_tail (&pool_process->in_flight, pool_task);
  pool_process->dirty = TRUE;

  watch_timeouts (self);
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

static void
complete_with_error (PoolTask *pool_task,
                     GError   *error)
{
  pool_task->func ((MpaioExecutor *) pool_task->pool, NULL, error, &pool_task->record,
                   pool_task->user_data);
  g_error_free (error);
  pool_task_free (pool_task);
}

static void
dispatch (MpaioProcessPool *self)
{
  PoolTask *pool_task;
  gint64 now = 0; /* what is sent in this pass leaves together */

  while ((pool_task = g_queue_peek_head (&self->queue)) != NULL)
    {
      PoolProcess *pool_process;

      /* A chunk of a run that ended is not worth a process's time. */
      if (pool_task->cancellable != NULL && g_cancellable_is_cancelled (pool_task->cancellable))
        {
          pop_head (&self->queue);
          complete_with_error (pool_task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                               "The chunk was cancelled"));
          continue;
        }

      pool_task->def = ensure_worker (self, pool_task->worker);
      /* A worker not timed yet counts as long. */
      pool_task->estimate_us = pool_task->def->chunk_us >= 0 ? pool_task->def->chunk_us
                                                             : QUEUED_WORK_US;

      if (!(pool_process = choose_process (self, pool_task->estimate_us)))
        break;

      pop_head (&self->queue);
      if (now == 0)
        now = g_get_monotonic_time ();
      send_task (self, pool_process, pool_task, now);
    }

  flush_dirty (self);
}

static void
fail_queue (MpaioProcessPool *self,
            const GError     *error)
{
  PoolTask *pool_task;

  while ((pool_task = pop_head (&self->queue)) != NULL)
    complete_with_error (pool_task, g_error_copy (error));
}

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
                     MpaioReply  *reply)
{
  PoolTask *pool_task = pop_head (&pool_process->in_flight);
  gint64 now = _mpaio_worker_process_get_received_time (pool_process->process);
  g_autoptr(GError) error = NULL;

  pool_task->record.started_us = reply->started_us;
  pool_task->record.finished_us = reply->finished_us;
  pool_task->record.returned_us = now;
  learn_chunk_time (pool_task->def, reply->finished_us - reply->started_us);
  pool_process->queued_us = g_queue_is_empty (&pool_process->in_flight)
                              ? 0 : MAX (0, pool_process->queued_us - pool_task->estimate_us);
  /* The next chunk of this process starts now, as far as the pool knows. */
  pool_process->head_since_us = now;

  if (reply->type == MPAIO_MESSAGE_ERROR)
    error = g_error_new_literal (MPAIO_ERROR, reply->code, reply->message);

  pool_task->func ((MpaioExecutor *) pool_task->pool, reply->value, error, &pool_task->record,
                   pool_task->user_data);
  pool_task_free (pool_task);
}

static gboolean
on_process_frame (MpaioWorkerProcess *process,
                  const MpaioFrame   *frame,
                  gpointer            user_data,
                  GError            **error)
{
  PoolProcess *pool_process = user_data;
  PoolTask *head = g_queue_peek_head (&pool_process->in_flight);
  MpaioReply reply;
  gboolean ok = FALSE;

  if (!_mpaio_reply_decode (frame, &reply, error))
    return FALSE;

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
        ok = TRUE, _mpaio_worker_process_set_ready (process);
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
      complete_with_reply (pool_process, &reply);
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
  dispatch (pool_process->pool);
}

static PoolProcess *spawn_process (MpaioProcessPool *self,
                                   GError          **error);

static void
pool_process_free (PoolProcess *pool_process)
{
  g_assert (g_queue_is_empty (&pool_process->in_flight));

  _mpaio_worker_process_free (pool_process->process);
  g_hash_table_destroy (pool_process->known_arrays);
  g_hash_table_destroy (pool_process->known_workers);
  g_free (pool_process);
}

static void
on_process_exited (MpaioWorkerProcess *process,
                   const GError       *reason,
                   gpointer            user_data)
{
  PoolProcess *pool_process = user_data;
  MpaioProcessPool *self = pool_process->pool;
  gboolean was_ready = _mpaio_worker_process_get_ready (process);
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

  /* Only the first chunk in flight was running; the others never started
   * and go to another process. */
  culprit = pop_head (&pool_process->in_flight);
  while ((pool_task = pop_tail (&pool_process->in_flight)) != NULL)
    push_head (&self->queue, pool_task);

  pool_process_free (pool_process);

  /* A chunk may be what kills its process: retried at most max-retries
   * times, each on another (or a fresh) process. */
  if (culprit != NULL && g_error_matches (error, MPAIO_ERROR, MPAIO_ERROR_WORKER_CRASHED)
      && culprit->retries < self->max_retries)
    {
      culprit->retries++;
      push_head (&self->queue, g_steal_pointer (&culprit));
    }

  if (culprit != NULL)
    complete_with_error (culprit, g_error_copy (error));

  /* A process that never answered would fail again at once: start its
   * replacement only when the next chunk is submitted. */
  if (was_ready)
    {
      g_autoptr(GError) spawn_error = NULL;

      if (spawn_process (self, &spawn_error) == NULL)
        g_warning ("Cannot replace a worker process: %s", spawn_error->message);
    }

  if (self->processes->len == 0)
    fail_queue (self, error);
  else
    dispatch (self);
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
  PoolProcess *pool_process = g_new0 (PoolProcess, 1);
  GMainContext *previous = g_main_context_ref_thread_default ();

  g_main_context_push_thread_default (self->context);
  pool_process->process = _mpaio_worker_process_spawn ((const char * const *) self->argv,
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
  g_queue_init (&pool_process->in_flight);
  pool_process->known_arrays = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  pool_process->known_workers = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_ptr_array_add (self->processes, pool_process);

  return pool_process;
}

static gboolean
spawn_missing (MpaioProcessPool *self,
               GError          **error)
{
  while (self->processes->len < self->n_workers)
    {
      if (spawn_process (self, error) == NULL)
        return FALSE;
    }

  return TRUE;
}

static gboolean
mpaio_process_pool_initable_init (GInitable     *initable,
                                  GCancellable  *cancellable,
                                  GError       **error)
{
  MpaioProcessPool *self = MPAIO_PROCESS_POOL (initable);

  if (g_getenv (MPAIO_WORKER_FD_ENV) != NULL)
    {
      g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_SPAWN_FAILED,
                   "This process was started as a worker process but did not call mpaio_init() "
                   "(Mpaio.serve_if_worker() in Python or JavaScript) before creating a pool");
      return FALSE;
    }

  if (self->argv == NULL)
    {
      const char * const *argv;

      if (!_mpaio_init_was_called ())
        {
          g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_SPAWN_FAILED,
                       "Worker processes start this program again, so it must call mpaio_init() "
                       "first in main() (Mpaio.serve_if_worker() in Python or JavaScript)");
          return FALSE;
        }

      if (!(argv = _mpaio_get_relaunch_argv (error)))
        return FALSE;
      self->argv = g_strdupv ((char **) argv);
    }

  if (self->n_workers > MAX_WORKERS)
    {
      g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                   "Too many worker processes requested: %u (at most %u)", self->n_workers,
                   MAX_WORKERS);
      return FALSE;
    }

  self->cwd = _mpaio_get_initial_cwd ();

  return spawn_missing (self, error);
}

static void
mpaio_process_pool_initable_iface_init (GInitableIface *iface)
{
  iface->init = mpaio_process_pool_initable_init;
}

static guint
mpaio_process_pool_get_max_in_flight (MpaioExecutor *executor)
{
  MpaioProcessPool *self = MPAIO_PROCESS_POOL (executor);

  return self->n_workers * self->max_in_flight;
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

  while ((pool_task = pop_head (&self->refused)) != NULL)
    complete_with_error (pool_task, g_steal_pointer (&pool_task->error));

  dispatch (self);
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

static void
schedule_dispatch (MpaioProcessPool *self)
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

static void
mpaio_process_pool_submit (MpaioExecutor          *executor,
                           MpaioWorker            *worker,
                           const MpaioChunk       *chunk,
                           GCancellable           *cancellable,
                           MpaioExecutorChunkFunc  func,
                           gpointer                user_data)
{
  /* Checked by mpaio_executor_submit() (or by the orchestrator, once per
   * run), and this runs once per chunk. */
  MpaioProcessPool *self = (MpaioProcessPool *) executor;
  MpaioSharedArray *array = _mpaio_worker_peek_array (worker);
  PoolTask *pool_task;

  pool_task = pool_task_new (self);
  pool_task->pool = self;
  pool_task->func = func;
  pool_task->user_data = user_data;
  pool_task->cancellable = cancellable ? g_object_ref (cancellable) : NULL;
  pool_task->worker = g_object_ref (worker);
  pool_task->chunk = *chunk;

  if (array == NULL)
    pool_task->error = g_error_new (MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                                    "The worker %s has no data iterator",
                                    G_OBJECT_TYPE_NAME (worker));
  else if (chunk->start > chunk->end || chunk->end > _mpaio_shared_array_peek_n_rows (array))
    pool_task->error = g_error_new (MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                                    "The rows %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT
                                    " are outside the array of %" G_GUINT64_FORMAT " rows",
                                    chunk->start, chunk->end,
                                    mpaio_shared_array_get_n_rows (array));
  else if (!spawn_missing (self, &pool_task->error) && self->processes->len > 0)
    g_clear_error (&pool_task->error); /* the processes there are will do */

  push_tail (pool_task->error ? &self->refused : &self->queue, pool_task);
  schedule_dispatch (self);
}

static void
mpaio_process_pool_executor_iface_init (MpaioExecutorInterface *iface)
{
  iface->get_max_in_flight = mpaio_process_pool_get_max_in_flight;
  iface->submit = mpaio_process_pool_submit;
}

static void
mpaio_process_pool_dispose (GObject *object)
{
  MpaioProcessPool *self = MPAIO_PROCESS_POOL (object);
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                 "The pool was disposed");
  GHashTableIter iter;
  PoolTask *pool_task;
  gpointer key;

  g_mutex_lock (&self->forget_lock);
  g_hash_table_iter_init (&iter, self->arrays);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_object_weak_unref (key, array_finalized, self);
  g_hash_table_remove_all (self->arrays);
  g_hash_table_iter_init (&iter, self->workers);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_object_weak_unref (key, worker_finalized, self);
  g_hash_table_remove_all (self->workers);
  g_atomic_pointer_set (&self->last_worker, NULL);
  if (self->forget_source != NULL)
    g_source_destroy (self->forget_source);
  g_clear_pointer (&self->forget_source, g_source_unref);
  g_mutex_unlock (&self->forget_lock);

  if (self->timeout_source != NULL)
    g_source_destroy (self->timeout_source);
  g_clear_pointer (&self->timeout_source, g_source_unref);

  /* Tasks keep the pool alive, so only an explicit dispose finds some. */
  fail_queue (self, error);
  while ((pool_task = pop_head (&self->refused)) != NULL)
    complete_with_error (pool_task, g_steal_pointer (&pool_task->error));
  if (self->dispatch_source != NULL)
    g_source_destroy (self->dispatch_source);
  g_clear_pointer (&self->dispatch_source, g_source_unref);
  while (self->processes->len > 0)
    {
      PoolProcess *pool_process = g_ptr_array_steal_index_fast (self->processes, 0);

      while ((pool_task = pop_head (&pool_process->in_flight)) != NULL)
        complete_with_error (pool_task, g_error_copy (error));
      pool_process_free (pool_process);
    }

  G_OBJECT_CLASS (mpaio_process_pool_parent_class)->dispose (object);
}

static void
mpaio_process_pool_finalize (GObject *object)
{
  MpaioProcessPool *self = MPAIO_PROCESS_POOL (object);

  while (self->spare_tasks != NULL)
    {
      GList *spare = self->spare_tasks;

      self->spare_tasks = spare->next;
      g_free (G_STRUCT_MEMBER_P (spare, -G_STRUCT_OFFSET (PoolTask, link)));
    }
  g_ptr_array_unref (self->processes);
  g_hash_table_destroy (self->arrays);
  g_hash_table_destroy (self->workers);
  g_array_unref (self->forget_arrays);
  g_array_unref (self->forget_workers);
  g_mutex_clear (&self->forget_lock);
  g_strfreev (self->argv);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (mpaio_process_pool_parent_class)->finalize (object);
}

static void
mpaio_process_pool_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  MpaioProcessPool *self = MPAIO_PROCESS_POOL (object);

  switch (prop_id)
    {
    case PROP_N_WORKERS:
      g_value_set_uint (value, self->n_workers);
      break;

    case PROP_MAX_IN_FLIGHT_PER_WORKER:
      g_value_set_uint (value, self->max_in_flight);
      break;

    case PROP_ARGV:
      g_value_set_boxed (value, self->argv);
      break;

    case PROP_MAX_RETRIES:
      g_value_set_uint (value, self->max_retries);
      break;

    case PROP_CHUNK_TIMEOUT:
      g_value_set_uint (value, self->chunk_timeout_ms);
      break;

    case PROP_IO_PRIORITY:
      g_value_set_int (value, self->io_priority);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mpaio_process_pool_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  MpaioProcessPool *self = MPAIO_PROCESS_POOL (object);

  switch (prop_id)
    {
    case PROP_N_WORKERS:
      self->n_workers = g_value_get_uint (value);
      if (self->n_workers == 0)
        self->n_workers = mpaio_get_n_cores ();
      break;

    case PROP_MAX_IN_FLIGHT_PER_WORKER:
      self->max_in_flight = g_value_get_uint (value);
      break;

    case PROP_ARGV:
      self->argv = g_value_dup_boxed (value);
      break;

    case PROP_MAX_RETRIES:
      mpaio_process_pool_set_max_retries (self, g_value_get_uint (value));
      break;

    case PROP_CHUNK_TIMEOUT:
      mpaio_process_pool_set_chunk_timeout (self, g_value_get_uint (value));
      break;

    case PROP_IO_PRIORITY:
      mpaio_process_pool_set_io_priority (self, g_value_get_int (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mpaio_process_pool_class_init (MpaioProcessPoolClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mpaio_process_pool_dispose;
  object_class->finalize = mpaio_process_pool_finalize;
  object_class->get_property = mpaio_process_pool_get_property;
  object_class->set_property = mpaio_process_pool_set_property;

  /**
   * MpaioProcessPool:n-workers:
   *
   * The number of worker processes, at most 1024; 0 when constructing means
   * one per core.
   *
   * Since: 0.1
   */
  properties[PROP_N_WORKERS] =
    g_param_spec_uint ("n-workers", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * MpaioProcessPool:max-in-flight-per-worker:
   *
   * How many chunks each worker process holds at most: the one it
   * processes and those queued behind it, so it never waits for the next.
   * Within this limit a busy process is given more chunks only while the
   * work it holds, estimated from each worker's chunk times so far, stays
   * under about a millisecond: short chunks are pipelined deeply, and a
   * long chunk never waits behind another while a process is free.
   *
   * Since: 0.1
   */
  properties[PROP_MAX_IN_FLIGHT_PER_WORKER] =
    g_param_spec_uint ("max-in-flight-per-worker", NULL, NULL, 1, 1024, DEFAULT_MAX_IN_FLIGHT,
                       (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * MpaioProcessPool:argv:
   *
   * The command line of worker processes: a program that calls
   * [func@Mpaio.init] after registering the worker types it serves. %NULL
   * (the default) starts the running program again with its original
   * arguments.
   *
   * Since: 0.1
   */
  properties[PROP_ARGV] =
    g_param_spec_boxed ("argv", NULL, NULL, G_TYPE_STRV,
                        (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * MpaioProcessPool:max-retries:
   *
   * How many times a chunk whose worker process died while it held it is
   * run again, on another process, before the death is reported as
   * %MPAIO_ERROR_WORKER_CRASHED. 0 (the default) reports the first death.
   * Only for workers whose `process` may safely run twice.
   *
   * Since: 0.1
   */
  properties[PROP_MAX_RETRIES] =
    g_param_spec_uint ("max-retries", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * MpaioProcessPool:chunk-timeout:
   *
   * Milliseconds a worker process may spend on one chunk; one that takes
   * longer is killed (and replaced) and the chunk fails with
   * %MPAIO_ERROR_TIMED_OUT. 0 (the default) lets chunks run for any time.
   *
   * Since: 0.1
   */
  properties[PROP_CHUNK_TIMEOUT] =
    g_param_spec_uint ("chunk-timeout", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * MpaioProcessPool:io-priority:
   *
   * The main loop priority at which results are read and chunks sent
   * (%G_PRIORITY_DEFAULT by default). However many results arrive, the
   * pool spends about 2 ms per main loop pass on them; a GTK application
   * that wants every frame drawn during a run of tiny chunks gives the pool
   * a priority below redrawing, such as %G_PRIORITY_DEFAULT_IDLE.
   *
   * Since: 0.1
   */
  properties[PROP_IO_PRIORITY] =
    g_param_spec_int ("io-priority", NULL, NULL, G_MININT, G_MAXINT, G_PRIORITY_DEFAULT,
                      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
mpaio_process_pool_init (MpaioProcessPool *self)
{
  self->max_in_flight = DEFAULT_MAX_IN_FLIGHT;
  self->context = g_main_context_ref_thread_default ();
  self->processes = g_ptr_array_new ();
  g_queue_init (&self->queue);
  g_mutex_init (&self->forget_lock);
  self->arrays = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->workers = g_hash_table_new_full (NULL, NULL, NULL, worker_def_free);
  self->forget_arrays = g_array_new (FALSE, FALSE, sizeof (guint64));
  self->forget_workers = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_queue_init (&self->refused);

  self->dispatch_source = g_source_new (&dispatch_source_funcs, sizeof (DispatchSource));
  ((DispatchSource *) self->dispatch_source)->pool = self;
  g_source_set_static_name (self->dispatch_source, "[mpaio] dispatch chunks");
  g_source_attach (self->dispatch_source, self->context);
}

/**
 * mpaio_process_pool_new:
 * @n_workers: the number of worker processes, or 0 for one per core
 * @error: return location for a #GError
 *
 * Starts a pool of @n_workers processes, each the running program started
 * again. The program must call [func@Mpaio.init] first in `main()`.
 *
 * Returns: (transfer full): the pool, or %NULL with @error set
 *
 * Since: 0.1
 */
MpaioProcessPool *
mpaio_process_pool_new (guint    n_workers,
                        GError **error)
{
  return g_initable_new (MPAIO_TYPE_PROCESS_POOL, NULL, error, "n-workers", n_workers, NULL);
}

/**
 * mpaio_process_pool_new_with_argv:
 * @n_workers: the number of worker processes, or 0 for one per core
 * @argv: (array zero-terminated=1): the command line of worker processes
 * @error: return location for a #GError
 *
 * Starts a pool of @n_workers processes running @argv, a program that calls
 * [func@Mpaio.init] after registering the worker types it serves.
 *
 * Returns: (transfer full): the pool, or %NULL with @error set
 *
 * Since: 0.1
 */
MpaioProcessPool *
mpaio_process_pool_new_with_argv (guint               n_workers,
                                  const char * const *argv,
                                  GError            **error)
{
  g_return_val_if_fail (argv != NULL && argv[0] != NULL, NULL);

  return g_initable_new (MPAIO_TYPE_PROCESS_POOL, NULL, error, "n-workers", n_workers, "argv",
                         argv, NULL);
}

/**
 * mpaio_process_pool_get_n_workers:
 * @self: a pool
 *
 * The number of worker processes the pool keeps.
 *
 * Returns: the number of worker processes
 *
 * Since: 0.1
 */
guint
mpaio_process_pool_get_n_workers (MpaioProcessPool *self)
{
  g_return_val_if_fail (MPAIO_IS_PROCESS_POOL (self), 0);

  return self->n_workers;
}

/**
 * mpaio_process_pool_get_max_in_flight_per_worker:
 * @self: a pool
 *
 * How many chunks each worker process holds at most.
 *
 * Returns: the number of chunks
 *
 * Since: 0.1
 */
guint
mpaio_process_pool_get_max_in_flight_per_worker (MpaioProcessPool *self)
{
  g_return_val_if_fail (MPAIO_IS_PROCESS_POOL (self), 0);

  return self->max_in_flight;
}

/**
 * mpaio_process_pool_get_pids:
 * @self: a pool
 * @n_pids: (out): the number of pids
 *
 * The process ids of the pool's worker processes now.
 *
 * Returns: (transfer container) (array length=n_pids): the pids; free
 *   the array with g_free()
 *
 * Since: 0.1
 */
GPid *
mpaio_process_pool_get_pids (MpaioProcessPool *self,
                             guint            *n_pids)
{
  GPid *pids;

  g_return_val_if_fail (MPAIO_IS_PROCESS_POOL (self), NULL);
  g_return_val_if_fail (n_pids != NULL, NULL);

  pids = g_new0 (GPid, self->processes->len + 1);
  *n_pids = 0;
  for (guint i = 0; i < self->processes->len; i++)
    {
      GPid pid = _mpaio_worker_process_get_pid (
        ((PoolProcess *) g_ptr_array_index (self->processes, i))->process);

      /* 0: a process already gone when it was started (never a pid to signal). */
      if (pid > 0)
        pids[(*n_pids)++] = pid;
    }

  return pids;
}

/**
 * mpaio_process_pool_get_max_retries:
 * @self: a pool
 *
 * How many times a chunk whose process died is run again.
 *
 * Returns: the number of retries
 *
 * Since: 0.1
 */
guint
mpaio_process_pool_get_max_retries (MpaioProcessPool *self)
{
  g_return_val_if_fail (MPAIO_IS_PROCESS_POOL (self), 0);

  return self->max_retries;
}

/**
 * mpaio_process_pool_set_max_retries:
 * @self: a pool
 * @max_retries: how many times a chunk whose process died is run again
 *
 * Sets [property@Mpaio.ProcessPool:max-retries].
 *
 * Since: 0.1
 */
void
mpaio_process_pool_set_max_retries (MpaioProcessPool *self,
                                    guint             max_retries)
{
  g_return_if_fail (MPAIO_IS_PROCESS_POOL (self));

  if (self->max_retries != max_retries)
    {
      self->max_retries = max_retries;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_RETRIES]);
    }
}

/**
 * mpaio_process_pool_get_chunk_timeout:
 * @self: a pool
 *
 * Milliseconds a worker process may spend on one chunk, or 0 for no limit.
 *
 * Returns: the timeout in milliseconds
 *
 * Since: 0.1
 */
guint
mpaio_process_pool_get_chunk_timeout (MpaioProcessPool *self)
{
  g_return_val_if_fail (MPAIO_IS_PROCESS_POOL (self), 0);

  return self->chunk_timeout_ms;
}

/**
 * mpaio_process_pool_set_chunk_timeout:
 * @self: a pool
 * @timeout_ms: milliseconds a worker process may spend on one chunk, or 0
 *
 * Sets [property@Mpaio.ProcessPool:chunk-timeout].
 *
 * Since: 0.1
 */
void
mpaio_process_pool_set_chunk_timeout (MpaioProcessPool *self,
                                      guint             timeout_ms)
{
  g_return_if_fail (MPAIO_IS_PROCESS_POOL (self));

  if (self->chunk_timeout_ms != timeout_ms)
    {
      self->chunk_timeout_ms = timeout_ms;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHUNK_TIMEOUT]);
      watch_timeouts (self);
    }
}

/**
 * mpaio_process_pool_get_io_priority:
 * @self: a pool
 *
 * The main loop priority of the pool's I/O.
 *
 * Returns: the priority
 *
 * Since: 0.1
 */
int
mpaio_process_pool_get_io_priority (MpaioProcessPool *self)
{
  g_return_val_if_fail (MPAIO_IS_PROCESS_POOL (self), G_PRIORITY_DEFAULT);

  return self->io_priority;
}

/**
 * mpaio_process_pool_set_io_priority:
 * @self: a pool
 * @io_priority: a main loop priority, such as %G_PRIORITY_DEFAULT
 *
 * Sets [property@Mpaio.ProcessPool:io-priority].
 *
 * Since: 0.1
 */
void
mpaio_process_pool_set_io_priority (MpaioProcessPool *self,
                                    int               io_priority)
{
  g_return_if_fail (MPAIO_IS_PROCESS_POOL (self));

  if (self->io_priority == io_priority)
    return;

  self->io_priority = io_priority;
  g_source_set_priority (self->dispatch_source, io_priority);
  for (guint i = 0; i < self->processes->len; i++)
    _mpaio_worker_process_set_priority (
      ((PoolProcess *) g_ptr_array_index (self->processes, i))->process, io_priority);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IO_PRIORITY]);
}
