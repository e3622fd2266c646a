/* mpaio-mpi-executor.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <gio/gio.h>

#include "mpaio-error.h"
#include "mpaio-executor.h"
#include "mpaio-mpi-executor.h"
#include "mpaio-mpi-cpu-private.h"
#include "mpaio-mpi-executor-private.h"
#include "mpaio-mpi-link-private.h"
#include "mpaio-mpi-rows-private.h"
#include "mpaio-process-pool.h"
#include "mpaio-protocol-private.h"
#include "mpaio-run-report-private.h"
#include "mpaio-shared-array-private.h"
#include "mpaio-worker-private.h"

/**
 * MpaioMpiExecutor:
 *
 * An [iface@Mpaio.Executor] that runs chunks on every host of an MPI job,
 * so the same workers that run on one machine run across a cluster.
 *
 * The program is started with `mpirun -n N program …` (or Slurm's `srun`).
 * [func@Mpaio.init] sees that the process is a rank of an MPI job and
 * starts MPI on a thread of its own; on rank 0 it returns, and the program
 * runs as usual (its main loop, its orchestrator and callbacks, a GUI if
 * any); on every other rank it serves chunks and never returns, as it does
 * in a worker process. So the program does not change: it makes an
 * `MpaioMpiExecutor` where it made an [class@Mpaio.ProcessPool]. Set
 * `MPAIO_MPI=0` in the environment for a program that uses MPI itself.
 *
 * The first rank of each host (by `MPI_Get_processor_name()`) is that
 * host's agent: it runs the host's chunks on a local
 * [class@Mpaio.ProcessPool] of one process per core, made when the executor
 * is made and ended when it is finalized. Rank 0's host is served by rank
 * 0's own pool, so its cores work too; other ranks of a host only wait for
 * the end of the job. Setting `MPAIO_MPI_HOST_PER_RANK=1` takes every rank
 * for a host of its own (named `machine-rankN`), the cores of a machine
 * shared among its ranks: how tests run several hosts on one machine.
 *
 * Arrays travel on demand: the first time a host runs a chunk of an array,
 * the chunk's rows go with it, into the host's replica of the array (one
 * per host, which its worker processes share), and a row a host holds is
 * never sent to it again, in this run or a later one: a chunk goes to the
 * host that holds its rows whenever that host has room, and waits for it
 * otherwise. Other arrays among a worker's parameters travel whole, once
 * per host. The rows a chunk's worker may write, those of the chunk in
 * each writable array it holds, come back into rank 0's array before its
 * result is delivered. An array's contents are taken to be constant once
 * a host has them: change rows between runs in a new array.
 *
 * Chunk records name the host and rank that ran each chunk
 * ([struct@Mpaio.ChunkRecord]); the times of other hosts are brought to
 * rank 0's clock by the offset measured when the executor starts. Errors
 * keep their domain, and a worker process that dies is handled by its
 * host's pool as locally ([property@Mpaio.MpiExecutor:max-retries]).
 *
 * MPI runs on its own thread, which never blocks in MPI while idle (Open
 * MPI's blocking calls spin a core): it polls, backing off to a 2 ms sleep,
 * so an idle rank costs well under 5 % of a core; results reach the main
 * context of rank 0 through a #GSource. Communication errors return rather
 * than abort (`MPI_ERRORS_RETURN`): a rank that cannot be reached ends its
 * chunks with [error@Mpaio.Error.WORKER_CRASHED] naming the rank and host.
 * But by default Open MPI's `mpirun` ends the whole job as soon as any rank
 * dies, rank 0 included, printing which rank died: a lost rank ends the
 * program, not only the run. With `mpirun --enable-recovery` the job lives
 * on while Open MPI waits for the dead rank without an error; then a
 * [property@Mpaio.MpiExecutor:chunk-timeout] finds the silent host and
 * fails its chunks as above, and at exit rank 0 ends the job with
 * `MPI_Abort`, since MPI cannot finalise without the rank.
 *
 * Make the executor on rank 0, from the thread that runs its main context;
 * one at a time.
 *
 * Since: 0.1
 */

#define DEFAULT_MAX_IN_FLIGHT 8

typedef struct _Host Host;

typedef struct
{
  MpaioMpiExecutor      *executor;
  MpaioExecutorChunkFunc func;
  gpointer               user_data;
  GCancellable          *cancellable;
  MpaioWorker           *worker;
  MpaioChunk             chunk;
  MpaioChunkRecord       record;
  GError                *error; /* refused when submitted */
  Host                  *host;
  guint64                seq;
  GList                  link;
} Task;

typedef struct
{
  guint64    id;
  guint      generation;
  guint64    array_id;
  char      *type_name;
  GVariant  *parameters;
  GPtrArray *arrays; /* the MpaioSharedArrays among the parameters */
} WorkerDef;

struct _Host
{
  const char *name; /* interned */
  int         rank; /* its agent, 0 for rank 0's own pool */
  guint       n_workers;
  guint       capacity;
  guint       in_flight;
  char       *lost;          /* why it is lost, or NULL */
  GHashTable *known_workers; /* guint64* id → generation */
  GHashTable *known_arrays;  /* set of guint64* ids */
  /* guint64* array id → MpaioRowSet*: the rows it holds (rank 0: ran) */
  GHashTable       *rows;
  gint64            clock_offset; /* rank 0's clock minus the host's */
  MpaioHostSamples *samples;      /* its CPU, while runs are monitored */
  gint64            heard_us;     /* its last message, or when it was last given work */
  GVariantBuilder   tasks;
  guint             n_tasks;
};

typedef struct
{
  GWeakRef array;
} ArrayEntry;

struct _MpaioMpiExecutor
{
  GObject parent_instance;

  guint    n_workers_per_host;
  guint    max_in_flight;
  guint    max_retries;
  guint    chunk_timeout_ms;
  gboolean rank_0_runs_chunks;

  MpaioMpiLink     *link;
  guint             n_ranks;
  guint             n_monitored_runs;
  GPtrArray        *hosts; /* Host*; 0: rank 0's */
  MpaioProcessPool *pool;  /* rank 0's */
  GMainContext     *context;
  GQueue            queue;     /* Task* waiting for a host */
  GHashTable       *in_flight; /* guint64* seq → Task* on other hosts */
  GSource          *dispatch_source;
  guint64           next_seq;
  guint64           next_worker_id;

  /* Worker definitions and arrays; their weak references may fire on any
   * thread, and the link thread finds arrays to write rows into. */
  GMutex      lock;
  GHashTable *defs;   /* MpaioWorker* → WorkerDef* */
  GHashTable *arrays; /* guint64* id → ArrayEntry* */
  GArray     *forget_workers;
  GArray     *forget_arrays;
  GSource    *forget_source; /* not holding the executor */
  GSource    *watch_source;  /* with a chunk timeout: silent hosts */
};

static MpaioMpiExecutor *the_executor;

static void mpaio_mpi_executor_initable_iface_init (GInitableIface *iface);
static void mpaio_mpi_executor_executor_iface_init (MpaioExecutorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MpaioMpiExecutor, mpaio_mpi_executor, G_TYPE_OBJECT, G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, mpaio_mpi_executor_initable_iface_init) G_IMPLEMENT_INTERFACE (MPAIO_TYPE_EXECUTOR, mpaio_mpi_executor_executor_iface_init))

enum
{
  PROP_0,
  PROP_N_WORKERS_PER_HOST,
  PROP_MAX_IN_FLIGHT_PER_WORKER,
  PROP_MAX_RETRIES,
  PROP_CHUNK_TIMEOUT,
  PROP_RANK_0_RUNS_CHUNKS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static guint64 *
new_key (guint64 id)
{
  return g_memdup2 (&id, sizeof id);
}

static void
worker_def_free (gpointer data)
{
  WorkerDef *def = data;

  g_free (def->type_name);
  g_clear_pointer (&def->parameters, g_variant_unref);
  g_clear_pointer (&def->arrays, g_ptr_array_unref);
  g_free (def);
}

static void
array_entry_free (gpointer data)
{
  ArrayEntry *entry = data;

  g_weak_ref_clear (&entry->array);
  g_free (entry);
}

static void
host_free (gpointer data)
{
  Host *host = data;

  g_free (host->lost);
  _mpaio_host_samples_free (host->samples);
  g_hash_table_unref (host->known_workers);
  g_hash_table_unref (host->known_arrays);
  g_hash_table_unref (host->rows);
  g_variant_builder_clear (&host->tasks);
  g_free (host);
}

static Host *
host_new (const char *name,
          int         rank,
          guint       n_workers,
          guint       max_in_flight)
{
  Host *host = g_new0 (Host, 1);

  host->name = name;
  host->rank = rank;
  host->n_workers = n_workers;
  host->capacity = n_workers * max_in_flight;
  host->known_workers = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  host->known_arrays = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  host->rows = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                      (GDestroyNotify) _mpaio_row_set_free);
  g_variant_builder_init (&host->tasks, G_VARIANT_TYPE (MPAIO_MPI_TASKS_TYPE));
  return host;
}

static MpaioRowSet *
host_rows (Host   *host,
           guint64 array_id)
{
  MpaioRowSet *rows = g_hash_table_lookup (host->rows, &array_id);

  if (rows == NULL)
    {
      rows = _mpaio_row_set_new ();
      g_hash_table_insert (host->rows, new_key (array_id), rows);
    }
  return rows;
}

static void
schedule_dispatch (MpaioMpiExecutor *self)
{
  g_source_set_ready_time (self->dispatch_source, 0);
}

/* Completes @task: its function is called and the task freed. */
static void
complete (Task         *task,
          GVariant     *result,
          const GError *error)
{
  MpaioMpiExecutor *self = task->executor;

  if (task->host != NULL)
    {
      task->host->in_flight--;
      if (task->host->rank != 0)
        _mpaio_mpi_link_expect (self->link, -1);
      schedule_dispatch (self);
    }

  task->func (MPAIO_EXECUTOR (self), result, error, &task->record, task->user_data);
  g_clear_object (&task->cancellable);
  g_clear_object (&task->worker);
  g_clear_error (&task->error);
  g_free (task);
  g_object_unref (self);
}

/* Arrays and workers gone: their copies on other hosts are dropped. */
static gboolean
forget_copies (gpointer user_data)
{
  MpaioMpiExecutor *self = user_data;
  g_autoptr(GArray) workers = NULL;
  g_autoptr(GArray) arrays = NULL;

  g_mutex_lock (&self->lock);
  workers = g_steal_pointer (&self->forget_workers);
  arrays = g_steal_pointer (&self->forget_arrays);
  self->forget_workers = g_array_new (FALSE, FALSE, sizeof (guint64));
  self->forget_arrays = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_clear_pointer (&self->forget_source, g_source_unref);
  g_mutex_unlock (&self->lock);

  for (guint i = 1; i < self->hosts->len; i++)
    {
      Host *host = g_ptr_array_index (self->hosts, i);

      for (guint j = 0; j < workers->len; j++)
        if (g_hash_table_remove (host->known_workers, &g_array_index (workers, guint64, j)))
          _mpaio_mpi_link_send (self->link, host->rank, MPAIO_MPI_FORGET_WORKER,
                                g_variant_new_uint64 (g_array_index (workers, guint64, j)), NULL,
                                0, NULL, NULL);
      for (guint j = 0; j < arrays->len; j++)
        if (g_hash_table_remove (host->known_arrays, &g_array_index (arrays, guint64, j)))
          _mpaio_mpi_link_send (self->link, host->rank, MPAIO_MPI_FORGET_ARRAY,
                                g_variant_new_uint64 (g_array_index (arrays, guint64, j)), NULL,
                                0, NULL, NULL);
    }
  for (guint i = 0; i < self->hosts->len; i++)
    for (guint j = 0; j < arrays->len; j++)
      g_hash_table_remove (((Host *) g_ptr_array_index (self->hosts, i))->rows,
                           &g_array_index (arrays, guint64, j));

  return G_SOURCE_REMOVE;
}

/* Called with the lock held, on any thread. */
static void
schedule_forget (MpaioMpiExecutor *self)
{
  /* Not a reference: dispose destroys the source. */
  if (self->forget_source != NULL)
    return;

  self->forget_source = g_idle_source_new ();
  g_source_set_static_name (self->forget_source, "[mpaio] forget copies on hosts");
  g_source_set_callback (self->forget_source, forget_copies, self, NULL);
  g_source_attach (self->forget_source, self->context);
}

static void
array_finalized (gpointer data,
                 GObject *where_the_object_was)
{
  MpaioMpiExecutor *self = data;
  GHashTableIter    iter;
  gpointer          key, value;

  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&iter, self->arrays);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autoptr(GObject) alive = g_weak_ref_get (&((ArrayEntry *) value)->array);

      if (alive == NULL)
        {
          g_array_append_val (self->forget_arrays, *(guint64 *) key);
          g_hash_table_iter_remove (&iter);
          schedule_forget (self);
        }
    }
  g_mutex_unlock (&self->lock);
}

static void
worker_finalized (gpointer data,
                  GObject *where_the_object_was)
{
  MpaioMpiExecutor *self = data;
  gpointer          def = NULL;

  g_mutex_lock (&self->lock);
  if (g_hash_table_steal_extended (self->defs, where_the_object_was, NULL, &def))
    {
      g_array_append_val (self->forget_workers, ((WorkerDef *) def)->id);
      schedule_forget (self);
    }
  g_mutex_unlock (&self->lock);

  if (def != NULL)
    worker_def_free (def);
}

static void
ensure_array_entry (MpaioMpiExecutor *self,
                    MpaioSharedArray *array)
{
  guint64 id = _mpaio_shared_array_get_id (array);

  g_mutex_lock (&self->lock);
  if (!g_hash_table_contains (self->arrays, &id))
    {
      ArrayEntry *entry = g_new0 (ArrayEntry, 1);

      g_weak_ref_init (&entry->array, array);
      g_hash_table_insert (self->arrays, new_key (id), entry);
      g_object_weak_ref (G_OBJECT (array), array_finalized, self);
    }
  g_mutex_unlock (&self->lock);
}

/* The definition of @worker, made again when one of its parameters
 * changed; NULL with @error set when its parameters cannot travel. */
static WorkerDef *
ensure_worker (MpaioMpiExecutor *self,
               MpaioWorker      *worker,
               GError          **error)
{
  WorkerDef *def;
  guint      generation = _mpaio_worker_get_generation (worker);
  GPtrArray *arrays = NULL;
  GVariant  *parameters;
  gboolean   known;

  g_mutex_lock (&self->lock);
  def = g_hash_table_lookup (self->defs, worker);
  g_mutex_unlock (&self->lock);
  if (def != NULL && def->generation == generation)
    return def;

  if (!(parameters = _mpaio_worker_dup_parameters (worker, &arrays, error)))
    return NULL;

  ensure_array_entry (self, _mpaio_worker_peek_array (worker));
  for (guint i = 0; i < arrays->len; i++)
    ensure_array_entry (self, g_ptr_array_index (arrays, i));

  g_mutex_lock (&self->lock);
  known = def != NULL;
  if (def == NULL)
    {
      def = g_new0 (WorkerDef, 1);
      def->id = ++self->next_worker_id;
      def->type_name = g_strdup (G_OBJECT_TYPE_NAME (worker));
      g_hash_table_insert (self->defs, worker, def);
    }
  g_clear_pointer (&def->parameters, g_variant_unref);
  g_clear_pointer (&def->arrays, g_ptr_array_unref);
  def->generation = generation;
  def->array_id = _mpaio_shared_array_get_id (_mpaio_worker_peek_array (worker));
  def->parameters = parameters; /* a reference of our own already */
  def->arrays = arrays;
  g_mutex_unlock (&self->lock);

  if (!known)
    g_object_weak_ref (G_OBJECT (worker), worker_finalized, self);

  return def;
}

/* Sends @host what it lacks of @array: its description, then the rows
 * [start, end) it does not hold. */
static void
send_rows (MpaioMpiExecutor *self,
           Host             *host,
           MpaioSharedArray *array,
           guint64           start,
           guint64           end,
           gboolean          with_rows)
{
  guint64 id = _mpaio_shared_array_get_id (array);
  g_autoptr(GArray) missing = NULL;
  MpaioRowSet *rows;

  if (!g_hash_table_contains (host->known_arrays, &id))
    {
      g_autoptr(GVariant) description = _mpaio_shared_array_describe (array);

      _mpaio_mpi_link_send (self->link, host->rank, MPAIO_MPI_ARRAY,
                            g_variant_new ("(t@(uutat))", id, description), NULL, 0, NULL, NULL);
      g_hash_table_add (host->known_arrays, new_key (id));
    }

  if (!with_rows)
    return;

  rows = host_rows (host, id);
  missing = _mpaio_row_set_missing (rows, start, end);
  for (guint i = 0; i < missing->len; i++)
    {
      const MpaioRowRange *range = &g_array_index (missing, MpaioRowRange, i);

      _mpaio_mpi_link_send (self->link, host->rank, MPAIO_MPI_ROWS,
                            g_variant_new ("(ttt)", id, range->start, range->end - range->start),
                            mpaio_shared_array_get_row (array, range->start),
                            (range->end - range->start) * mpaio_shared_array_get_row_size (array),
                            g_object_unref, g_object_ref (array));
    }
  _mpaio_row_set_add (rows, start, end);
}

static void
send_to_agent (MpaioMpiExecutor *self,
               Host             *host,
               Task             *task,
               WorkerDef        *def)
{
  MpaioSharedArray *array = _mpaio_worker_peek_array (task->worker);
  guint            *generation;

  send_rows (self, host, array, task->chunk.start, task->chunk.end, TRUE);
  for (guint i = 0; i < def->arrays->len; i++)
    {
      MpaioSharedArray *other = g_ptr_array_index (def->arrays, i);

      /* An output array starts empty there: only its rows come back. */
      send_rows (self, host, other, 0, mpaio_shared_array_get_n_rows (other),
                 !(mpaio_shared_array_get_flags (other) & MPAIO_SHARED_ARRAY_FLAGS_WRITABLE));
    }

  generation = g_hash_table_lookup (host->known_workers, &def->id);
  if (generation == NULL || GPOINTER_TO_UINT (generation) != def->generation + 1)
    {
      _mpaio_mpi_link_send (self->link, host->rank, MPAIO_MPI_WORKER,
                            g_variant_new ("(tts@a{sv})", def->id, def->array_id, def->type_name,
                                           def->parameters),
                            NULL, 0, NULL, NULL);
      /* Stored + 1: a generation of 0 is not a NULL value. */
      g_hash_table_replace (host->known_workers, new_key (def->id),
                            GUINT_TO_POINTER (def->generation + 1));
    }

  /* Its silence counts from when it had work. */
  if (host->in_flight == 1)
    host->heard_us = g_get_monotonic_time ();
  task->seq = ++self->next_seq;
  g_variant_builder_add (&host->tasks, "(ttttt)", task->seq, def->id, task->chunk.index,
                         task->chunk.start, task->chunk.end);
  host->n_tasks++;
  g_hash_table_insert (self->in_flight, new_key (task->seq), task);
  _mpaio_mpi_link_expect (self->link, 1);
}

static void
local_done (MpaioExecutor          *executor,
            GVariant               *result,
            const GError           *error,
            const MpaioChunkRecord *record,
            gpointer                user_data)
{
  Task *task = user_data;

  task->record.pid = record->pid;
  task->record.sent_us = record->sent_us;
  task->record.started_us = record->started_us;
  task->record.finished_us = record->finished_us;
  task->record.returned_us = record->returned_us;
  complete (task, result, error);
}

static gdouble
load (Host *host)
{
  return (gdouble) host->in_flight / host->capacity;
}

/* The host @task goes to now, or NULL for none yet: the least loaded of
 * those with room that hold its rows; when some host holds them but has no
 * room, none (the chunk waits for it); else the least loaded with room. */
static Host *
choose_host (MpaioMpiExecutor *self,
             Task             *task,
             guint64           array_id)
{
  Host    *holder = NULL, *any = NULL;
  gboolean held = FALSE;

  for (guint i = 0; i < self->hosts->len; i++)
    {
      Host        *host = g_ptr_array_index (self->hosts, i);
      MpaioRowSet *rows;

      if (host->lost != NULL)
        continue;

      rows = g_hash_table_lookup (host->rows, &array_id);
      if (rows != NULL && _mpaio_row_set_contains (rows, task->chunk.start, task->chunk.end))
        {
          held = TRUE;
          if (host->in_flight < host->capacity && (holder == NULL || load (host) < load (holder)))
            holder = host;
        }
      else if (host->in_flight < host->capacity && (any == NULL || load (host) < load (any)))
        any = host;
    }

  if (holder != NULL)
    return holder;
  return held ? NULL : any;
}

static void
dispatch (MpaioMpiExecutor *self)
{
  for (GList *link = self->queue.head; link != NULL;)
    {
      GList     *next = link->next;
      Task      *task = link->data;
      WorkerDef *def;
      Host      *host;
      g_autoptr(GError) error = NULL;

      gboolean cancelled = task->cancellable != NULL
                           && g_cancellable_is_cancelled (task->cancellable);

      if (task->error != NULL || cancelled)
        {
          g_queue_unlink (&self->queue, link);
          if (task->error == NULL)
            error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                         "The chunk was cancelled");
          complete (task, NULL, task->error ? task->error : error);
        }
      else if (!(def = ensure_worker (self, task->worker, &error)))
        {
          g_queue_unlink (&self->queue, link);
          complete (task, NULL, error);
        }
      else if ((host = choose_host (self, task, def->array_id)) != NULL)
        {
          g_queue_unlink (&self->queue, link);
          task->host = host;
          host->in_flight++;
          task->record.host = host->name;
          task->record.rank = host->rank;
          task->record.sent_us = g_get_monotonic_time ();
          if (host->rank == 0)
            {
              /* Rank 0 holds every row; these are the ones it runs. */
              _mpaio_row_set_add (host_rows (host, def->array_id), task->chunk.start,
                                  task->chunk.end);
              mpaio_executor_submit (MPAIO_EXECUTOR (self->pool), task->worker, &task->chunk,
                                     task->cancellable, local_done, task);
            }
          else
            send_to_agent (self, host, task, def);
        }
      link = next;
    }

  /* One message of tasks per host per pass. */
  for (guint i = 1; i < self->hosts->len; i++)
    {
      Host *host = g_ptr_array_index (self->hosts, i);

      if (host->n_tasks > 0)
        {
          _mpaio_mpi_link_send (self->link, host->rank, MPAIO_MPI_TASKS,
                                g_variant_builder_end (&host->tasks), NULL, 0, NULL, NULL);
          g_variant_builder_init (&host->tasks, G_VARIANT_TYPE (MPAIO_MPI_TASKS_TYPE));
          host->n_tasks = 0;
        }
    }
}

static gboolean
dispatch_source_dispatch (GSource    *source,
                          GSourceFunc callback,
                          gpointer    user_data)
{
  g_source_set_ready_time (source, -1);
  return callback (user_data);
}

static GSourceFuncs dispatch_source_funcs = {
  .dispatch = dispatch_source_dispatch,
};

static gboolean
dispatch_cb (gpointer user_data)
{
  MpaioMpiExecutor *self = g_object_ref (user_data);

  dispatch (self);
  g_object_unref (self);
  return G_SOURCE_CONTINUE;
}

static Host *
host_of_rank (MpaioMpiExecutor *self,
              int               rank)
{
  for (guint i = 1; i < self->hosts->len; i++)
    if (((Host *) g_ptr_array_index (self->hosts, i))->rank == rank)
      return g_ptr_array_index (self->hosts, i);
  return NULL;
}

/* Ends every chunk @host holds with an error naming it. */
static void
lose_host (MpaioMpiExecutor *self,
           Host             *host,
           const char       *why)
{
  GHashTableIter iter;
  gpointer       value;
  g_autoptr(GPtrArray) lost = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  if (host->lost == NULL)
    host->lost = g_strdup (why);
  _mpaio_mpi_link_mark_lost (self->link, host->rank);

  error = g_error_new (MPAIO_ERROR, MPAIO_ERROR_WORKER_CRASHED,
                       "MPI rank %d on host %s was lost: %s", host->rank, host->name, host->lost);

  g_hash_table_iter_init (&iter, self->in_flight);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (((Task *) value)->host == host)
      {
        g_ptr_array_add (lost, value);
        g_hash_table_iter_remove (&iter);
      }

  for (guint i = 0; i < lost->len; i++)
    complete (g_ptr_array_index (lost, i), NULL, error);
  schedule_dispatch (self);
}

static void
receive_results (MpaioMpiExecutor *self,
                 Host             *host,
                 GVariant         *results)
{
  GVariantIter iter;
  guint64      seq;
  gboolean     ok;
  GVariant    *value;
  const char  *domain, *message;
  gint32       code, pid;
  gint64       started, finished;
  gint64       now = g_get_monotonic_time ();

  g_variant_iter_init (&iter, results);
  while (g_variant_iter_next (&iter, "(tbv(&si&s)ixx)", &seq, &ok, &value, &domain, &code, &message,
                              &pid, &started, &finished))
    {
      Task    *task = NULL;
      gpointer key = NULL;

      if (g_hash_table_steal_extended (self->in_flight, &seq, &key, (gpointer *) &task))
        g_free (key);
      if (task != NULL && task->host == host)
        {
          task->record.pid = pid;
          task->record.started_us = started ? started + host->clock_offset : 0;
          task->record.finished_us = finished ? finished + host->clock_offset : 0;
          task->record.returned_us = now;
          if (ok)
            complete (task, value, NULL);
          else
            {
              MpaioReply reply = { 0 };

              reply.domain = (char *) domain;
              reply.code = code;
              reply.message = (char *) message;
              g_autoptr(GError) error = _mpaio_reply_dup_error (&reply);

              complete (task, NULL, error);
            }
        }
      g_variant_unref (value);
    }
}

static void
executor_receive (int          source,
                  MpaioMpiKind kind,
                  GVariant    *body,
                  gpointer     user_data)
{
  MpaioMpiExecutor *self = g_object_ref (user_data);
  Host             *host = host_of_rank (self, source);

  if (host == NULL)
    goto out;
  host->heard_us = g_get_monotonic_time ();

  switch (kind)
    {
    case MPAIO_MPI_RESULTS:
      if (g_variant_is_of_type (body, G_VARIANT_TYPE (MPAIO_MPI_RESULTS_TYPE)))
        receive_results (self, host, body);
      break;

    case MPAIO_MPI_CONFIG_REPLY:
      if (g_variant_is_of_type (body, G_VARIANT_TYPE ("(xxus)")))
        {
          gint64      then, there, now = g_get_monotonic_time ();
          guint32     n_workers;
          const char *why;

          g_variant_get (body, "(xxu&s)", &then, &there, &n_workers, &why);
          /* Half the round trip: a host's clock against rank 0's. */
          host->clock_offset = then + (now - then) / 2 - there;
          if (*why != '\0')
            lose_host (self, host, why);
        }
      break;

    case MPAIO_MPI_LOST:
      if (g_variant_is_of_type (body, G_VARIANT_TYPE_STRING))
        lose_host (self, host, g_variant_get_string (body, NULL));
      break;

    case MPAIO_MPI_CPU_SAMPLE:
      if (g_variant_is_of_type (body, G_VARIANT_TYPE ("(xad)")) && host->samples != NULL)
        {
          g_autoptr(GVariant) values = NULL;
          gint64         when;
          gsize          n_values;
          const gdouble *data;

          g_variant_get (body, "(x@ad)", &when, &values);
          data = g_variant_get_fixed_array (values, &n_values, sizeof (gdouble));
          _mpaio_host_samples_add (host->samples, when + host->clock_offset, data,
                                   (guint) MIN (n_values, 1024));
        }
      break;

    case MPAIO_MPI_CONFIG:
    case MPAIO_MPI_STOP:
    case MPAIO_MPI_ARRAY:
    case MPAIO_MPI_ROWS: /* written on the link thread */
    case MPAIO_MPI_WORKER:
    case MPAIO_MPI_TASKS:
    case MPAIO_MPI_FORGET_WORKER:
    case MPAIO_MPI_FORGET_ARRAY:
    case MPAIO_MPI_CPU_START:
    case MPAIO_MPI_CPU_STOP:
    case MPAIO_MPI_QUIT:
    default:
      break;
    }

out:
  g_object_unref (self);
}

/* Link thread: the rows a worker wrote on another host go straight into
 * rank 0's array, held while they are written. */
static gpointer
executor_locate (int             source,
                 MpaioMpiKind    kind,
                 GVariant       *body,
                 gsize           payload_size,
                 GDestroyNotify *release,
                 gpointer       *release_data,
                 gpointer        user_data)
{
  MpaioMpiExecutor *self = user_data;
  MpaioSharedArray *array = NULL;
  ArrayEntry       *entry;
  guint64           id, first, n_rows, total;

  if (kind != MPAIO_MPI_ROWS || !g_variant_is_of_type (body, G_VARIANT_TYPE ("(ttt)")))
    return NULL;

  g_variant_get (body, "(ttt)", &id, &first, &n_rows);
  g_mutex_lock (&self->lock);
  if ((entry = g_hash_table_lookup (self->arrays, &id)) != NULL)
    array = g_weak_ref_get (&entry->array);
  g_mutex_unlock (&self->lock);

  if (array == NULL)
    return NULL;

  total = mpaio_shared_array_get_n_rows (array);
  if (!(mpaio_shared_array_get_flags (array) & MPAIO_SHARED_ARRAY_FLAGS_WRITABLE) || first > total
      || n_rows > total - first || n_rows * mpaio_shared_array_get_row_size (array) != payload_size
      || payload_size == 0)
    {
      g_object_unref (array);
      return NULL;
    }

  *release = g_object_unref;
  *release_data = array;
  return mpaio_shared_array_get_row (array, first);
}

/* With a chunk timeout, a host that holds chunks and says nothing for
 * twice that (and a second) is lost: each of its chunks would have ended,
 * by a result or a timeout, long before. This is what names a rank that
 * died when mpirun keeps the job alive (--enable-recovery), since Open
 * MPI's TCP transport then waits for the dead peer without an error. */
static gboolean
watch_hosts (gpointer user_data)
{
  MpaioMpiExecutor *self = g_object_ref (user_data);
  gint64            now = g_get_monotonic_time ();
  gint64            limit = (gint64) self->chunk_timeout_ms * 2000 + G_USEC_PER_SEC;

  for (guint i = 1; i < self->hosts->len && self->chunk_timeout_ms > 0; i++)
    {
      Host *host = g_ptr_array_index (self->hosts, i);

      if (host->lost == NULL && host->in_flight > 0 && now - host->heard_us > limit)
        {
          g_autofree char *why = g_strdup_printf ("it said nothing for %" G_GINT64_FORMAT
                                                  " ms while it held chunks",
                                                  (now - host->heard_us) / 1000);

          lose_host (self, host, why);
        }
    }

  g_object_unref (self);
  return G_SOURCE_CONTINUE;
}

static void
watch_timeouts (MpaioMpiExecutor *self)
{
  if (self->chunk_timeout_ms > 0 && self->watch_source == NULL && the_executor == self)
    {
      self->watch_source = g_timeout_source_new (250);
      g_source_set_static_name (self->watch_source, "[mpaio] silent hosts");
      g_source_set_callback (self->watch_source, watch_hosts, self, NULL);
      g_source_attach (self->watch_source, self->context);
    }
  else if (self->chunk_timeout_ms == 0 && self->watch_source != NULL)
    {
      g_source_destroy (self->watch_source);
      g_clear_pointer (&self->watch_source, g_source_unref);
    }
}

static void
send_config (MpaioMpiExecutor *self)
{
  for (guint i = 1; i < self->hosts->len; i++)
    {
      Host *host = g_ptr_array_index (self->hosts, i);

      _mpaio_mpi_link_send (self->link, host->rank, MPAIO_MPI_CONFIG,
                            g_variant_new ("(uuux)", host->n_workers, self->max_retries,
                                           self->chunk_timeout_ms, g_get_monotonic_time ()),
                            NULL, 0, NULL, NULL);
    }
}

/* How many workers a host runs: as asked, or its cores, shared among the
 * hosts of one machine when each rank is taken for a host. */
static guint
workers_of_host (MpaioMpiExecutor   *self,
                 const MpaioMpiPeer *peers,
                 guint               n_peers,
                 const MpaioMpiPeer *peer,
                 GHashTable         *hosts_of_machine)
{
  guint n_hosts;

  if (self->n_workers_per_host > 0)
    return self->n_workers_per_host;

  n_hosts = GPOINTER_TO_UINT (g_hash_table_lookup (hosts_of_machine, peer->machine));
  return MAX (1, peer->n_cores / MAX (1, n_hosts));
}

static gboolean
mpaio_mpi_executor_initable_init (GInitable    *initable,
                                  GCancellable *cancellable,
                                  GError      **error)
{
  MpaioMpiExecutor   *self = MPAIO_MPI_EXECUTOR (initable);
  const MpaioMpiPeer *peers;
  guint               n_peers;
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) hosts_of_machine = g_hash_table_new (NULL, NULL);

  if (!(self->link = _mpaio_mpi_link_get (error)))
    return FALSE;

  if (_mpaio_mpi_link_get_rank (self->link) != 0)
    {
      g_set_error_literal (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                           "Only rank 0 of an MPI job makes an MPI executor");
      return FALSE;
    }

  if (the_executor != NULL)
    {
      g_set_error_literal (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                           "An MPI executor exists already: a job has one at a time");
      return FALSE;
    }

  peers = _mpaio_mpi_link_get_peers (self->link, &n_peers);
  self->n_ranks = n_peers;

  /* Hosts, each served by its first rank (rank 0's by rank 0). */
  for (guint i = 0; i < n_peers; i++)
    if (!g_hash_table_contains (seen, peers[i].host))
      {
        g_hash_table_add (seen, peers[i].host);
        g_hash_table_insert (hosts_of_machine, peers[i].machine,
                             GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (
                                                 hosts_of_machine, peers[i].machine))
                                               + 1));
      }
  g_hash_table_remove_all (seen);
  for (guint i = 0; i < n_peers; i++)
    if (!g_hash_table_contains (seen, peers[i].host))
      {
        g_hash_table_add (seen, peers[i].host);
        g_ptr_array_add (self->hosts,
                         host_new (peers[i].host, peers[i].rank,
                                   workers_of_host (self, peers, n_peers, &peers[i],
                                                    hosts_of_machine),
                                   self->max_in_flight));
      }

  if (!self->rank_0_runs_chunks)
    {
      Host *own = g_ptr_array_index (self->hosts, 0);

      /* Never chosen: it has no room. */
      own->n_workers = own->capacity = 0;
      if (self->hosts->len == 1)
        {
          g_set_error_literal (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                               "No host would run chunks: rank 0's host does not, and the job "
                               "has no other host");
          return FALSE;
        }
    }
  else
    {
      self->pool = mpaio_process_pool_new (
        ((Host *) g_ptr_array_index (self->hosts, 0))->n_workers, error);
      if (self->pool == NULL)
        return FALSE;
      mpaio_process_pool_set_max_retries (self->pool, self->max_retries);
      mpaio_process_pool_set_chunk_timeout (self->pool, self->chunk_timeout_ms);
    }

  the_executor = self;
  _mpaio_mpi_link_set_receiver (self->link, executor_locate, executor_receive, self);
  send_config (self);
  watch_timeouts (self);

  return TRUE;
}

static void
mpaio_mpi_executor_initable_iface_init (GInitableIface *iface)
{
  iface->init = mpaio_mpi_executor_initable_init;
}

static guint
mpaio_mpi_executor_get_max_in_flight (MpaioExecutor *executor)
{
  MpaioMpiExecutor *self = MPAIO_MPI_EXECUTOR (executor);
  guint             total = 0;

  for (guint i = 0; i < self->hosts->len; i++)
    total += ((Host *) g_ptr_array_index (self->hosts, i))->capacity;

  return total;
}

static void
mpaio_mpi_executor_submit (MpaioExecutor         *executor,
                           MpaioWorker           *worker,
                           const MpaioChunk      *chunk,
                           GCancellable          *cancellable,
                           MpaioExecutorChunkFunc func,
                           gpointer               user_data)
{
  MpaioMpiExecutor *self = (MpaioMpiExecutor *) executor;
  MpaioSharedArray *array = _mpaio_worker_peek_array (worker);
  Task             *task = g_new0 (Task, 1);

  task->executor = g_object_ref (self);
  task->func = func;
  task->user_data = user_data;
  task->cancellable = cancellable ? g_object_ref (cancellable) : NULL;
  task->worker = g_object_ref (worker);
  task->chunk = *chunk;

  if (self->link == NULL)
    task->error = g_error_new_literal (MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                                       "The MPI executor is not initialised");
  else if (array == NULL)
    task->error = g_error_new (MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                               "The worker %s has no data iterator", G_OBJECT_TYPE_NAME (worker));
  else if (chunk->start > chunk->end || chunk->end > _mpaio_shared_array_peek_n_rows (array))
    task->error = g_error_new (MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                               "The rows %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT
                               " are outside the array of %" G_GUINT64_FORMAT " rows",
                               chunk->start, chunk->end, mpaio_shared_array_get_n_rows (array));

  task->link.data = task;
  g_queue_push_tail_link (&self->queue, &task->link);
  schedule_dispatch (self);
}

static void
mpaio_mpi_executor_executor_iface_init (MpaioExecutorInterface *iface)
{
  iface->get_max_in_flight = mpaio_mpi_executor_get_max_in_flight;
  iface->submit = mpaio_mpi_executor_submit;
}

static void
mpaio_mpi_executor_dispose (GObject *object)
{
  MpaioMpiExecutor *self = MPAIO_MPI_EXECUTOR (object);
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                  "The executor was disposed");
  GList *link;

  /* Tasks hold the executor, so only an explicit dispose finds some. */
  while ((link = g_queue_pop_head_link (&self->queue)) != NULL)
    complete (link->data, NULL, error);
  if (self->in_flight != NULL)
    {
      GHashTableIter iter;
      gpointer       value;
      g_autoptr(GPtrArray) tasks = g_ptr_array_new ();

      g_hash_table_iter_init (&iter, self->in_flight);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        g_ptr_array_add (tasks, value);
      g_hash_table_remove_all (self->in_flight);
      for (guint i = 0; i < tasks->len; i++)
        complete (g_ptr_array_index (tasks, i), NULL, error);
    }

  if (the_executor == self)
    {
      _mpaio_mpi_link_set_receiver (self->link, NULL, NULL, NULL);
      for (guint i = 1; i < self->hosts->len; i++)
        _mpaio_mpi_link_send (self->link, ((Host *) g_ptr_array_index (self->hosts, i))->rank,
                              MPAIO_MPI_STOP, g_variant_new ("()"), NULL, 0, NULL, NULL);
      the_executor = NULL;
    }

  g_mutex_lock (&self->lock);
  if (self->forget_source != NULL)
    g_source_destroy (self->forget_source);
  g_clear_pointer (&self->forget_source, g_source_unref);
  g_mutex_unlock (&self->lock);

  if (self->watch_source != NULL)
    g_source_destroy (self->watch_source);
  g_clear_pointer (&self->watch_source, g_source_unref);

  g_clear_object (&self->pool);
  if (self->dispatch_source != NULL)
    g_source_destroy (self->dispatch_source);
  g_clear_pointer (&self->dispatch_source, g_source_unref);

  G_OBJECT_CLASS (mpaio_mpi_executor_parent_class)->dispose (object);
}

static void
mpaio_mpi_executor_finalize (GObject *object)
{
  MpaioMpiExecutor *self = MPAIO_MPI_EXECUTOR (object);
  GHashTableIter    iter;
  gpointer          key, value;

  /* Nobody is told of workers and arrays going any more. */
  g_hash_table_iter_init (&iter, self->defs);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_object_weak_unref (key, worker_finalized, self);
  g_hash_table_iter_init (&iter, self->arrays);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autoptr(GObject) array = g_weak_ref_get (&((ArrayEntry *) value)->array);

      if (array != NULL)
        g_object_weak_unref (array, array_finalized, self);
    }

  g_hash_table_unref (self->defs);
  g_hash_table_unref (self->arrays);
  g_hash_table_unref (self->in_flight);
  g_array_unref (self->forget_workers);
  g_array_unref (self->forget_arrays);
  g_ptr_array_unref (self->hosts);
  g_mutex_clear (&self->lock);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (mpaio_mpi_executor_parent_class)->finalize (object);
}

static void
mpaio_mpi_executor_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  MpaioMpiExecutor *self = MPAIO_MPI_EXECUTOR (object);

  switch (prop_id)
    {
    case PROP_N_WORKERS_PER_HOST:
      g_value_set_uint (value, self->n_workers_per_host);
      break;

    case PROP_MAX_IN_FLIGHT_PER_WORKER:
      g_value_set_uint (value, self->max_in_flight);
      break;

    case PROP_MAX_RETRIES:
      g_value_set_uint (value, self->max_retries);
      break;

    case PROP_CHUNK_TIMEOUT:
      g_value_set_uint (value, self->chunk_timeout_ms);
      break;

    case PROP_RANK_0_RUNS_CHUNKS:
      g_value_set_boolean (value, self->rank_0_runs_chunks);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mpaio_mpi_executor_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  MpaioMpiExecutor *self = MPAIO_MPI_EXECUTOR (object);

  switch (prop_id)
    {
    case PROP_N_WORKERS_PER_HOST:
      self->n_workers_per_host = g_value_get_uint (value);
      break;

    case PROP_MAX_IN_FLIGHT_PER_WORKER:
      self->max_in_flight = g_value_get_uint (value);
      break;

    case PROP_MAX_RETRIES:
      mpaio_mpi_executor_set_max_retries (self, g_value_get_uint (value));
      break;

    case PROP_CHUNK_TIMEOUT:
      mpaio_mpi_executor_set_chunk_timeout (self, g_value_get_uint (value));
      break;

    case PROP_RANK_0_RUNS_CHUNKS:
      self->rank_0_runs_chunks = g_value_get_boolean (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mpaio_mpi_executor_class_init (MpaioMpiExecutorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mpaio_mpi_executor_dispose;
  object_class->finalize = mpaio_mpi_executor_finalize;
  object_class->get_property = mpaio_mpi_executor_get_property;
  object_class->set_property = mpaio_mpi_executor_set_property;

  /**
   * MpaioMpiExecutor:n-workers-per-host:
   *
   * The number of worker processes on each host; 0 (the default) means
   * one per core of the host (its cores shared among the hosts of one
   * machine when each rank is taken for a host).
   *
   * Since: 0.1
   */
  properties[PROP_N_WORKERS_PER_HOST] =
    g_param_spec_uint ("n-workers-per-host", NULL, NULL, 0, 1024, 0,
                       (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * MpaioMpiExecutor:max-in-flight-per-worker:
   *
   * How many chunks are sent to a host per worker process it has and not
   * yet returned: enough for its processes never to wait for the network.
   *
   * Since: 0.1
   */
  properties[PROP_MAX_IN_FLIGHT_PER_WORKER] =
    g_param_spec_uint ("max-in-flight-per-worker", NULL, NULL, 1, 1024, DEFAULT_MAX_IN_FLIGHT,
                       (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * MpaioMpiExecutor:max-retries:
   *
   * How many times a chunk whose worker process died is run again, on its
   * host, before the death is reported: as
   * [property@Mpaio.ProcessPool:max-retries] on every host.
   *
   * Since: 0.1
   */
  properties[PROP_MAX_RETRIES] =
    g_param_spec_uint ("max-retries", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * MpaioMpiExecutor:chunk-timeout:
   *
   * Milliseconds a worker process may spend on one chunk, as
   * [property@Mpaio.ProcessPool:chunk-timeout] on every host; 0 (the
   * default) for no limit. With a limit, a host that holds chunks and
   * sends nothing for twice as long and a second is taken for lost: its
   * chunks fail with [error@Mpaio.Error.WORKER_CRASHED] naming its rank.
   *
   * Since: 0.1
   */
  properties[PROP_CHUNK_TIMEOUT] =
    g_param_spec_uint ("chunk-timeout", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * MpaioMpiExecutor:rank-0-runs-chunks:
   *
   * Whether rank 0's host runs chunks too, on worker processes of rank 0
   * (the default); %FALSE leaves its cores to the program (a GUI, say),
   * every chunk going to other hosts.
   *
   * Since: 0.1
   */
  properties[PROP_RANK_0_RUNS_CHUNKS] =
    g_param_spec_boolean ("rank-0-runs-chunks", NULL, NULL, TRUE,
                          (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
mpaio_mpi_executor_init (MpaioMpiExecutor *self)
{
  self->max_in_flight = DEFAULT_MAX_IN_FLIGHT;
  self->rank_0_runs_chunks = TRUE;
  self->context = g_main_context_ref_thread_default ();
  self->hosts = g_ptr_array_new_with_free_func (host_free);
  g_queue_init (&self->queue);
  self->in_flight = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_mutex_init (&self->lock);
  self->defs = g_hash_table_new_full (NULL, NULL, NULL, worker_def_free);
  self->arrays = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, array_entry_free);
  self->forget_workers = g_array_new (FALSE, FALSE, sizeof (guint64));
  self->forget_arrays = g_array_new (FALSE, FALSE, sizeof (guint64));

  self->dispatch_source = g_source_new (&dispatch_source_funcs, sizeof (GSource));
  g_source_set_callback (self->dispatch_source, dispatch_cb, self, NULL);
  g_source_set_static_name (self->dispatch_source, "[mpaio] dispatch chunks to hosts");
  g_source_attach (self->dispatch_source, self->context);
}

/**
 * mpaio_mpi_executor_new:
 * @n_workers_per_host: worker processes on each host, or 0 for one per core
 * @error: return location for a #GError
 *
 * Makes the executor of the MPI job this program runs in, on rank 0. The
 * program must call [func@Mpaio.init] first in `main()` (on the other
 * ranks it serves chunks there) and be started by `mpirun` or `srun`. It
 * waits for MPI to be up (started by [func@Mpaio.init]), then starts the
 * worker processes of rank 0's host; other hosts start theirs at once.
 *
 * Returns: (transfer full): the executor, or %NULL with @error set: when
 *   mpaio was built without MPI, the program is not a rank of an MPI job of
 *   several ranks, this is not rank 0, or an MPI executor exists already
 *
 * Since: 0.1
 */
MpaioMpiExecutor *
mpaio_mpi_executor_new (guint    n_workers_per_host,
                        GError **error)
{
  return g_initable_new (MPAIO_TYPE_MPI_EXECUTOR, NULL, error, "n-workers-per-host",
                         n_workers_per_host, NULL);
}

/**
 * mpaio_mpi_executor_is_available:
 *
 * Whether this program runs as rank 0 of an MPI job of several ranks, with
 * mpaio built with MPI: whether [ctor@Mpaio.MpiExecutor.new] can work.
 *
 * Returns: %TRUE when an MPI executor can be made
 *
 * Since: 0.1
 */
gboolean
mpaio_mpi_executor_is_available (void)
{
  MpaioMpiLink *link = _mpaio_mpi_link_get (NULL);

  return link != NULL && _mpaio_mpi_link_get_rank (link) == 0;
}

/**
 * mpaio_mpi_executor_get_n_hosts:
 * @self: an executor
 *
 * The number of hosts whose worker processes run chunks, rank 0's included.
 *
 * Returns: the number of hosts
 *
 * Since: 0.1
 */
guint
mpaio_mpi_executor_get_n_hosts (MpaioMpiExecutor *self)
{
  g_return_val_if_fail (MPAIO_IS_MPI_EXECUTOR (self), 0);

  return self->hosts->len;
}

/**
 * mpaio_mpi_executor_get_hosts:
 * @self: an executor
 *
 * The names of the hosts that run chunks, rank 0's first: the names chunk
 * records carry.
 *
 * Returns: (transfer full) (array zero-terminated=1): the names
 *
 * Since: 0.1
 */
char **
mpaio_mpi_executor_get_hosts (MpaioMpiExecutor *self)
{
  GStrvBuilder *builder;
  char        **names;

  g_return_val_if_fail (MPAIO_IS_MPI_EXECUTOR (self), NULL);

  builder = g_strv_builder_new ();
  for (guint i = 0; i < self->hosts->len; i++)
    g_strv_builder_add (builder, ((Host *) g_ptr_array_index (self->hosts, i))->name);
  names = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);

  return names;
}

/**
 * mpaio_mpi_executor_get_n_workers:
 * @self: an executor
 *
 * The number of worker processes on all hosts together.
 *
 * Returns: the number of worker processes
 *
 * Since: 0.1
 */
guint
mpaio_mpi_executor_get_n_workers (MpaioMpiExecutor *self)
{
  guint total = 0;

  g_return_val_if_fail (MPAIO_IS_MPI_EXECUTOR (self), 0);

  for (guint i = 0; i < self->hosts->len; i++)
    total += ((Host *) g_ptr_array_index (self->hosts, i))->n_workers;

  return total;
}

/**
 * mpaio_mpi_executor_get_n_ranks:
 * @self: an executor
 *
 * The number of ranks of the MPI job (`MPI_COMM_WORLD`'s size).
 *
 * Returns: the number of ranks
 *
 * Since: 0.1
 */
guint
mpaio_mpi_executor_get_n_ranks (MpaioMpiExecutor *self)
{
  g_return_val_if_fail (MPAIO_IS_MPI_EXECUTOR (self), 0);

  return self->n_ranks;
}

/**
 * mpaio_mpi_executor_get_bytes_sent:
 * @self: an executor
 *
 * The bytes of array rows rank 0 has sent to other hosts since MPI
 * started, by this executor or an earlier one: what a run cost in data.
 *
 * Returns: the number of bytes
 *
 * Since: 0.1
 */
guint64
mpaio_mpi_executor_get_bytes_sent (MpaioMpiExecutor *self)
{
  g_return_val_if_fail (MPAIO_IS_MPI_EXECUTOR (self), 0);

  return self->link ? _mpaio_mpi_link_get_payload_bytes_sent (self->link) : 0;
}

/**
 * mpaio_mpi_executor_get_max_retries:
 * @self: an executor
 *
 * How many times a chunk whose worker process died is run again.
 *
 * Returns: the number of retries
 *
 * Since: 0.1
 */
guint
mpaio_mpi_executor_get_max_retries (MpaioMpiExecutor *self)
{
  g_return_val_if_fail (MPAIO_IS_MPI_EXECUTOR (self), 0);

  return self->max_retries;
}

/**
 * mpaio_mpi_executor_set_max_retries:
 * @self: an executor
 * @max_retries: how many times a chunk whose worker process died is run again
 *
 * Sets [property@Mpaio.MpiExecutor:max-retries], on every host.
 *
 * Since: 0.1
 */
void
mpaio_mpi_executor_set_max_retries (MpaioMpiExecutor *self,
                                    guint             max_retries)
{
  g_return_if_fail (MPAIO_IS_MPI_EXECUTOR (self));

  if (self->max_retries == max_retries)
    return;

  self->max_retries = max_retries;
  if (self->pool != NULL)
    mpaio_process_pool_set_max_retries (self->pool, max_retries);
  if (the_executor == self)
    send_config (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_RETRIES]);
}

/**
 * mpaio_mpi_executor_get_chunk_timeout:
 * @self: an executor
 *
 * Milliseconds a worker process may spend on one chunk, or 0 for no limit.
 *
 * Returns: the timeout in milliseconds
 *
 * Since: 0.1
 */
guint
mpaio_mpi_executor_get_chunk_timeout (MpaioMpiExecutor *self)
{
  g_return_val_if_fail (MPAIO_IS_MPI_EXECUTOR (self), 0);

  return self->chunk_timeout_ms;
}

/**
 * mpaio_mpi_executor_set_chunk_timeout:
 * @self: an executor
 * @timeout_ms: milliseconds a worker process may spend on one chunk, or 0
 *
 * Sets [property@Mpaio.MpiExecutor:chunk-timeout], on every host.
 *
 * Since: 0.1
 */
void
mpaio_mpi_executor_set_chunk_timeout (MpaioMpiExecutor *self,
                                      guint             timeout_ms)
{
  g_return_if_fail (MPAIO_IS_MPI_EXECUTOR (self));

  if (self->chunk_timeout_ms == timeout_ms)
    return;

  self->chunk_timeout_ms = timeout_ms;
  if (self->pool != NULL)
    mpaio_process_pool_set_chunk_timeout (self->pool, timeout_ms);
  if (the_executor == self)
    send_config (self);
  watch_timeouts (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHUNK_TIMEOUT]);
}

void
_mpaio_mpi_executor_start_cpu_monitoring (MpaioMpiExecutor *self,
                                          guint             interval_ms)
{
  g_return_if_fail (MPAIO_IS_MPI_EXECUTOR (self));

  if (self->n_monitored_runs++ > 0 || the_executor != self)
    return;

  for (guint i = 1; i < self->hosts->len; i++)
    {
      Host *host = g_ptr_array_index (self->hosts, i);

      _mpaio_host_samples_free (host->samples);
      host->samples = _mpaio_host_samples_new (host->name);
      _mpaio_mpi_link_send (self->link, host->rank, MPAIO_MPI_CPU_START,
                            g_variant_new_uint32 (interval_ms), NULL, 0, NULL, NULL);
    }
}

void
_mpaio_mpi_executor_finish_cpu_monitoring (MpaioMpiExecutor *self,
                                           MpaioRunReport   *report)
{
  g_autoptr(GPtrArray) hosts = g_ptr_array_new ();
  g_autoptr(GListModel) merged = NULL;
  g_auto(GStrv) names = NULL;
  GListModel *local;

  g_return_if_fail (MPAIO_IS_MPI_EXECUTOR (self));

  if (self->n_monitored_runs == 0 || the_executor != self)
    return;

  self->n_monitored_runs--;
  for (guint i = 1; i < self->hosts->len; i++)
    {
      Host *host = g_ptr_array_index (self->hosts, i);

      if (host->samples != NULL)
        g_ptr_array_add (hosts, host->samples);
      if (self->n_monitored_runs == 0)
        _mpaio_mpi_link_send (self->link, host->rank, MPAIO_MPI_CPU_STOP, g_variant_new ("()"),
                              NULL, 0, NULL, NULL);
    }

  /* Rank 0's samples, then each host's as last sampled at each of them. */
  local = mpaio_run_report_get_cpu_samples (report);
  if (local == NULL)
    return;
  merged = _mpaio_mpi_merge_cpu_samples (local, mpaio_run_report_get_cpu_start_time (report),
                                         _mpaio_run_report_get_n_cores (report),
                                         ((Host *) g_ptr_array_index (self->hosts, 0))->name,
                                         hosts, &names);
  _mpaio_run_report_set_cpu_samples (report, merged, mpaio_run_report_get_cpu_start_time (report),
                                     g_strv_length (names));
  _mpaio_run_report_set_cpu_core_names (report, (const char *const *) names);
}
