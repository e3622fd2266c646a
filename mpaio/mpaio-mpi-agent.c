/* mpaio-mpi-agent.c: a rank other than 0, serving the chunks of its host
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <sys/mman.h>
#include <unistd.h>

#include <gio/gio.h>

#include "mpaio-cpu-monitor.h"
#include "mpaio-error.h"
#include "mpaio-executor.h"
#include "mpaio-mpi-link-private.h"
#include "mpaio-process-pool.h"
#include "mpaio-shared-array-private.h"
#include "mpaio-worker-private.h"

/* The agent runs the chunks rank 0 sends on a local MpaioProcessPool, made
 * when an MpaioMpiExecutor is made on rank 0 (CONFIG) and dropped when it
 * goes (STOP), so an idle job holds no worker processes.
 *
 * Arrays are replicas of rank 0's, named by rank 0's ids: made on the link
 * thread when their first rows arrive (or their description, for an
 * output array), and filled by the link thread directly, row range by row
 * range. The worker processes of the local pool share each replica as
 * they share any array. A worker is made again from its type name and
 * parameters, as a worker process makes it, its arrays being replicas.
 *
 * The agent's thread is its link (see _mpaio_mpi_link_serve()): "the link
 * thread" below is this thread while it polls MPI, between passes of the
 * main context. */

typedef struct
{
  guint64           id; /* rank 0's */
  MpaioSharedArray *array;
} OutputArray;

typedef struct
{
  MpaioWorker *worker;
  GError      *error;   /* why it could not be made */
  GPtrArray   *outputs; /* OutputArray*: writable arrays, whose rows go back */
} AgentWorker;

typedef struct
{
  MpaioMpiLink     *link;
  GMainLoop        *loop;
  MpaioProcessPool *pool;

  /* The link thread adds arrays: guarded by arrays_lock. */
  GMutex      arrays_lock;
  GHashTable *arrays;       /* guint64* id → MpaioSharedArray* */
  GHashTable *array_errors; /* guint64* id → GError* */

  GHashTable      *workers; /* guint64* id → AgentWorker* */
  GArray          *results; /* MpaioMpiResult, not sent yet */
  GPtrArray       *values;  /* GVariant* "v": their results, or errors */
  GSource         *flush_source;
  MpaioCpuMonitor *cpu_monitor; /* while rank 0 monitors a run */
} Agent;

typedef struct
{
  Agent       *agent;
  guint64      seq;
  MpaioChunk   chunk;
  MpaioWorker *worker;
  GPtrArray   *outputs;
} AgentTask;

static guint64 *
new_key (guint64 id)
{
  return g_memdup2 (&id, sizeof id);
}

static void
output_array_free (gpointer data)
{
  OutputArray *output = data;

  g_object_unref (output->array);
  g_free (output);
}

static void
agent_worker_free (gpointer data)
{
  AgentWorker *agent_worker = data;

  g_clear_object (&agent_worker->worker);
  g_clear_error (&agent_worker->error);
  g_clear_pointer (&agent_worker->outputs, g_ptr_array_unref);
  g_free (agent_worker);
}

/* Link thread: a replica made from its description, if not there yet. */
static MpaioSharedArray *
ensure_replica (Agent    *self,
                guint64   id,
                GVariant *description)
{
  MpaioSharedArray *array;
  guint32           dtype, flags;
  guint64           item_size;
  g_autoptr(GVariant) shape = NULL;
  g_autoptr(GError) error = NULL;
  const guint64 *dims;
  gsize          n_dims;

  g_mutex_lock (&self->arrays_lock);
  array = g_hash_table_lookup (self->arrays, &id);
  if (array == NULL && !g_hash_table_contains (self->array_errors, &id))
    {
      g_variant_get (description, "(uut@at)", &dtype, &flags,
                     &item_size, &shape);
      dims = g_variant_get_fixed_array (shape, &n_dims, sizeof (guint64));
      array = mpaio_shared_array_new_full (dtype, item_size, dims, (guint) n_dims, flags, &error);
      if (array != NULL)
        g_hash_table_insert (self->arrays, new_key (id), array);
      else
        g_hash_table_insert (self->array_errors, new_key (id), g_steal_pointer (&error));
    }
  g_mutex_unlock (&self->arrays_lock);

  return array;
}

/* The pages rows arrive into, made in one call rather than one fault per
 * page as the network writes them: a replica is new memory, and faulting
 * it in page by page costs as much as the transfer itself. */
static void
populate (gpointer data,
          gsize    size)
{
#ifdef MADV_POPULATE_WRITE
  gsize    page = (gsize) sysconf (_SC_PAGESIZE);
  guintptr start = (guintptr) data & ~(page - 1);
  guintptr end = ((guintptr) data + size + page - 1) & ~(page - 1);

  /* An older kernel says EINVAL: the pages then come one fault at a time. */
  (void) madvise ((gpointer) start, end - start, MADV_POPULATE_WRITE);
#endif
}

static gpointer
agent_locate (int             source,
              MpaioMpiKind    kind,
              GVariant       *body,
              gsize           payload_size,
              GDestroyNotify *release,
              gpointer       *release_data,
              gpointer        user_data)
{
  Agent            *self = user_data;
  MpaioSharedArray *array;
  guint64           id, first, n_rows;
  g_autoptr(GVariant) description = NULL;

  /* The table of arrays changes only here, in the order of the messages:
   * an array is never dropped while its rows are received into it. */
  if (kind == MPAIO_MPI_STOP)
    {
      g_mutex_lock (&self->arrays_lock);
      g_hash_table_remove_all (self->arrays);
      g_hash_table_remove_all (self->array_errors);
      g_mutex_unlock (&self->arrays_lock);
      return NULL;
    }

  if (kind == MPAIO_MPI_FORGET_ARRAY && g_variant_is_of_type (body, G_VARIANT_TYPE_UINT64))
    {
      id = g_variant_get_uint64 (body);
      g_mutex_lock (&self->arrays_lock);
      g_hash_table_remove (self->arrays, &id);
      g_hash_table_remove (self->array_errors, &id);
      g_mutex_unlock (&self->arrays_lock);
      return NULL;
    }

  if (kind == MPAIO_MPI_ARRAY && g_variant_is_of_type (body, G_VARIANT_TYPE ("(t(uutat))")))
    {
      g_variant_get (body, "(t@(uutat))", &id, &description);
      ensure_replica (self, id, description);
      return NULL;
    }

  if (kind != MPAIO_MPI_ROWS || !g_variant_is_of_type (body, G_VARIANT_TYPE ("(ttt)")))
    return NULL;

  g_variant_get (body, "(ttt)", &id, &first, &n_rows);
  g_mutex_lock (&self->arrays_lock);
  array = g_hash_table_lookup (self->arrays, &id);
  g_mutex_unlock (&self->arrays_lock);

  /* Only rows that fit: anything else is dropped. */
  if (array == NULL || first > mpaio_shared_array_get_n_rows (array)
      || n_rows > mpaio_shared_array_get_n_rows (array) - first
      || n_rows * mpaio_shared_array_get_row_size (array) != payload_size || payload_size == 0)
    return NULL;

  populate (mpaio_shared_array_get_row (array, first), payload_size);
  return mpaio_shared_array_get_row (array, first);
}

static MpaioSharedArray *
lookup_replica (guint64  id,
                gpointer user_data,
                GError **error)
{
  Agent            *self = user_data;
  MpaioSharedArray *array;
  const GError     *array_error;

  g_mutex_lock (&self->arrays_lock);
  array = g_hash_table_lookup (self->arrays, &id);
  array_error = g_hash_table_lookup (self->array_errors, &id);
  if (array == NULL)
    {
      if (array_error != NULL)
        g_set_error (error, array_error->domain, array_error->code, "%s", array_error->message);
      else
        g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_PROTOCOL,
                     "The array %" G_GUINT64_FORMAT " never reached this host", id);
    }
  g_mutex_unlock (&self->arrays_lock);

  return array;
}

/* The id rank 0 knows @replica by. */
static gboolean
find_array_id (Agent            *self,
               MpaioSharedArray *replica,
               guint64          *id)
{
  GHashTableIter iter;
  gpointer       key, value;
  gboolean       found = FALSE;

  g_mutex_lock (&self->arrays_lock);
  g_hash_table_iter_init (&iter, self->arrays);
  while (!found && g_hash_table_iter_next (&iter, &key, &value))
    if (value == replica)
      {
        *id = *(guint64 *) key;
        found = TRUE;
      }
  g_mutex_unlock (&self->arrays_lock);

  return found;
}

static void
add_output (Agent            *self,
            GPtrArray        *outputs,
            MpaioSharedArray *array)
{
  OutputArray *output;
  guint64      id;

  if (!(mpaio_shared_array_get_flags (array) & MPAIO_SHARED_ARRAY_FLAGS_WRITABLE)
      || !find_array_id (self, array, &id))
    return;

  for (guint i = 0; i < outputs->len; i++)
    if (((OutputArray *) g_ptr_array_index (outputs, i))->array == array)
      return;

  output = g_new0 (OutputArray, 1);
  output->id = id;
  output->array = g_object_ref (array);
  g_ptr_array_add (outputs, output);
}

static void
define_worker (Agent    *self,
               GVariant *body)
{
  AgentWorker      *agent_worker = g_new0 (AgentWorker, 1);
  guint64           worker_id, array_id;
  const char       *type_name;
  MpaioSharedArray *array;
  g_autoptr(GVariant) sent_parameters = NULL;
  g_autoptr(GVariant) parameters = NULL;
  g_autoptr(GPtrArray) arrays = NULL;

  g_variant_get (body, "(tt&s@a{sv})", &worker_id, &array_id, &type_name, &sent_parameters);
  agent_worker->outputs = g_ptr_array_new_with_free_func (output_array_free);

  if ((array = lookup_replica (array_id, self, &agent_worker->error)) != NULL)
    agent_worker->worker = _mpaio_worker_new_for_process (type_name, sent_parameters, array,
                                                          lookup_replica, self,
                                                          &agent_worker->error);

  if (agent_worker->worker != NULL)
    {
      /* Every writable array the worker holds sends its chunk's rows back. */
      add_output (self, agent_worker->outputs, array);
      parameters = _mpaio_worker_dup_parameters (agent_worker->worker, &arrays, NULL);
      for (guint i = 0; parameters != NULL && i < arrays->len; i++)
        add_output (self, agent_worker->outputs, g_ptr_array_index (arrays, i));
    }

  g_hash_table_replace (self->workers, new_key (worker_id), agent_worker);
}

static gboolean
ready_source_dispatch (GSource    *source,
                       GSourceFunc callback,
                       gpointer    user_data)
{
  return callback (user_data);
}

/* A source that runs when its ready time says, and only then. */
static GSourceFuncs ready_source_funcs = {
  .dispatch = ready_source_dispatch,
};

static gboolean
flush_results (gpointer user_data)
{
  Agent *self = user_data;

  g_source_set_ready_time (self->flush_source, -1);
  if (self->results->len > 0)
    {
      GVariant *items = g_variant_new_fixed_array (G_VARIANT_TYPE ("(txxii)"),
                                                   self->results->data, self->results->len,
                                                   sizeof (MpaioMpiResult));
      GVariant *values = g_variant_new_array (G_VARIANT_TYPE_VARIANT,
                                              (GVariant **) self->values->pdata,
                                              self->values->len);

      _mpaio_mpi_link_send (self->link, 0, MPAIO_MPI_RESULTS,
                            g_variant_new ("(@a(txxii)@av)", items, values), NULL, 0, NULL, NULL);
      g_array_set_size (self->results, 0);
      g_ptr_array_set_size (self->values, 0);
    }

  return G_SOURCE_CONTINUE;
}

static void
add_result (Agent                  *self,
            guint64                 seq,
            GVariant               *result,
            const GError           *error,
            const MpaioChunkRecord *record)
{
  MpaioMpiResult item = { seq, record ? record->started_us : 0, record ? record->finished_us : 0,
                          record ? record->pid : 0, result != NULL };
  GVariant      *value;

  if (result != NULL)
    value = g_variant_new_variant (result);
  else
    value = g_variant_new_variant (g_variant_new ("(sis)",
                                                  error ? g_quark_to_string (error->domain) : "",
                                                  error ? error->code : 0,
                                                  error ? error->message : ""));
  g_array_append_val (self->results, item);
  g_ptr_array_add (self->values, g_variant_ref_sink (value));
  /* All the results of one main loop pass go back in one message. */
  g_source_set_ready_time (self->flush_source, 0);
}

static void
task_done (MpaioExecutor          *executor,
           GVariant               *result,
           const GError           *error,
           const MpaioChunkRecord *record,
           gpointer                user_data)
{
  AgentTask *task = user_data;
  Agent     *self = task->agent;

  /* The rows a worker wrote go back first: rank 0 has them by the time it
   * hands the result on. */
  for (guint i = 0; result != NULL && i < task->outputs->len; i++)
    {
      OutputArray *output = g_ptr_array_index (task->outputs, i);
      guint64      n_rows = mpaio_shared_array_get_n_rows (output->array);
      guint64      start = MIN (task->chunk.start, n_rows);
      guint64      end = MIN (task->chunk.end, n_rows);

      if (end > start)
        _mpaio_mpi_link_send (self->link, 0, MPAIO_MPI_ROWS,
                              g_variant_new ("(ttt)", output->id, start, end - start),
                              mpaio_shared_array_get_row (output->array, start),
                              (end - start) * mpaio_shared_array_get_row_size (output->array),
                              g_object_unref, g_object_ref (output->array));
    }

  add_result (self, task->seq, result, error, record);
  _mpaio_mpi_link_expect (self->link, -1);
  g_object_unref (task->worker);
  g_ptr_array_unref (task->outputs);
  g_free (task);
}

static void
run_tasks (Agent    *self,
           GVariant *tasks)
{
  gsize               n_items = 0;
  const MpaioMpiTask *items = g_variant_get_fixed_array (tasks, &n_items, sizeof (MpaioMpiTask));
  AgentWorker        *agent_worker = NULL;
  guint64             worker_id = 0;

  for (gsize i = 0; i < n_items; i++)
    {
      guint64    seq = items[i].seq;
      MpaioChunk chunk = { .index = items[i].index, .start = items[i].start, .end = items[i].end };
      AgentTask *task;
      g_autoptr(GError) error = NULL;

      /* The tasks of a window are of one worker, as a rule: one lookup. */
      if (agent_worker == NULL || items[i].worker_id != worker_id)
        {
          worker_id = items[i].worker_id;
          agent_worker = g_hash_table_lookup (self->workers, &worker_id);
        }

      if (self->pool == NULL)
        error = g_error_new_literal (MPAIO_ERROR, MPAIO_ERROR_SPAWN_FAILED,
                                     "This host has no worker processes");
      else if (agent_worker == NULL)
        error = g_error_new (MPAIO_ERROR, MPAIO_ERROR_PROTOCOL,
                             "The worker %" G_GUINT64_FORMAT " never reached this host",
                             worker_id);
      else if (agent_worker->worker == NULL)
        error = g_error_copy (agent_worker->error);

      if (error != NULL)
        {
          add_result (self, seq, NULL, error, NULL);
          continue;
        }

      task = g_new0 (AgentTask, 1);
      task->agent = self;
      task->seq = seq;
      task->chunk = chunk;
      task->worker = g_object_ref (agent_worker->worker);
      task->outputs = g_ptr_array_ref (agent_worker->outputs);
      /* More tasks follow while these run. */
      _mpaio_mpi_link_expect (self->link, 1);
      mpaio_executor_submit (MPAIO_EXECUTOR (self->pool), task->worker, &chunk, NULL, task_done,
                             task);
    }
}

static void
configure (Agent    *self,
           GVariant *body)
{
  guint32 n_workers, max_retries, chunk_timeout;
  gint64  then, received = g_get_monotonic_time ();
  g_autoptr(GError) error = NULL;

  guint n_started;

  g_variant_get (body, "(uuux)", &n_workers, &max_retries, &chunk_timeout, &then);
  if (self->pool == NULL)
    self->pool = mpaio_process_pool_new (n_workers, &error);
  if (self->pool != NULL)
    {
      mpaio_process_pool_set_max_retries (self->pool, max_retries);
      mpaio_process_pool_set_chunk_timeout (self->pool, chunk_timeout);
    }

  n_started = self->pool ? mpaio_process_pool_get_n_workers (self->pool) : 0;
  _mpaio_mpi_link_send (self->link, 0, MPAIO_MPI_CONFIG_REPLY,
                        g_variant_new ("(xxxus)", then, received, g_get_monotonic_time (),
                                       n_started,
                                       error ? error->message : ""),
                        NULL, 0, NULL, NULL);
}

static void
send_sample (MpaioCpuMonitor *monitor,
             MpaioCpuSample  *sample,
             gpointer         user_data)
{
  Agent         *self = user_data;
  guint          n_values;
  const gdouble *values = mpaio_cpu_sample_get_values (sample, &n_values);
  gint64         when = mpaio_cpu_monitor_get_start_time (monitor)
                + (gint64) (mpaio_cpu_sample_get_time (sample) * G_USEC_PER_SEC);

  _mpaio_mpi_link_send (self->link, 0, MPAIO_MPI_CPU_SAMPLE,
                        g_variant_new ("(x@ad)", when,
                                       g_variant_new_fixed_array (G_VARIANT_TYPE_DOUBLE, values,
                                                                  n_values, sizeof (gdouble))),
                        NULL, 0, NULL, NULL);
}

static void
stop_cpu_monitor (Agent *self)
{
  if (self->cpu_monitor == NULL)
    return;
  g_signal_handlers_disconnect_by_func (self->cpu_monitor, send_sample, self);
  mpaio_cpu_monitor_stop (self->cpu_monitor);
  g_clear_object (&self->cpu_monitor);
}

static void
start_cpu_monitor (Agent *self,
                   guint  interval_ms)
{
  stop_cpu_monitor (self);
  self->cpu_monitor = mpaio_cpu_monitor_new ();
  mpaio_cpu_monitor_set_interval (self->cpu_monitor, MAX (interval_ms, 10));
  g_signal_connect (self->cpu_monitor, "sample", G_CALLBACK (send_sample), self);
  mpaio_cpu_monitor_start (self->cpu_monitor);
}

/* The arrays went on the link thread. */
static void
forget_all (Agent *self)
{
  stop_cpu_monitor (self);
  g_hash_table_remove_all (self->workers);
  g_clear_object (&self->pool);
}

static void
agent_receive (int          source,
               MpaioMpiKind kind,
               GVariant    *body,
               gpointer     user_data)
{
  Agent  *self = user_data;
  guint64 id;

  switch (kind)
    {
    case MPAIO_MPI_CONFIG:
      if (g_variant_is_of_type (body, G_VARIANT_TYPE ("(uuux)")))
        configure (self, body);
      break;

    case MPAIO_MPI_STOP:
      forget_all (self);
      break;

    case MPAIO_MPI_WORKER:
      if (g_variant_is_of_type (body, G_VARIANT_TYPE ("(ttsa{sv})")))
        define_worker (self, body);
      break;

    case MPAIO_MPI_TASKS:
      if (g_variant_is_of_type (body, G_VARIANT_TYPE (MPAIO_MPI_TASKS_TYPE)))
        run_tasks (self, body);
      break;

    case MPAIO_MPI_FORGET_WORKER:
      if (g_variant_is_of_type (body, G_VARIANT_TYPE_UINT64))
        {
          id = g_variant_get_uint64 (body);
          g_hash_table_remove (self->workers, &id);
        }
      break;

    case MPAIO_MPI_CLOCK:
      if (g_variant_is_of_type (body, G_VARIANT_TYPE_INT64))
        {
          gint64 received = g_get_monotonic_time ();

          _mpaio_mpi_link_send (self->link, 0, MPAIO_MPI_CLOCK,
                                g_variant_new ("(xxx)", g_variant_get_int64 (body), received,
                                               g_get_monotonic_time ()),
                                NULL, 0, NULL, NULL);
        }
      break;

    case MPAIO_MPI_CPU_START:
      if (g_variant_is_of_type (body, G_VARIANT_TYPE_UINT32))
        start_cpu_monitor (self, g_variant_get_uint32 (body));
      break;

    case MPAIO_MPI_CPU_STOP:
      stop_cpu_monitor (self);
      break;

    case MPAIO_MPI_QUIT:
    case MPAIO_MPI_LOST:
      if (source == 0)
        g_main_loop_quit (self->loop);
      break;

    case MPAIO_MPI_FORGET_ARRAY: /* on the link thread */
    case MPAIO_MPI_ARRAY:
    case MPAIO_MPI_ROWS:
    case MPAIO_MPI_CONFIG_REPLY:
    case MPAIO_MPI_RESULTS:
    case MPAIO_MPI_CPU_SAMPLE:
    default:
      break;
    }
}

void
_mpaio_mpi_agent_run (MpaioMpiLink *link)
{
  Agent         self = { 0 };
  GMainContext *context = g_main_context_new ();

  g_main_context_push_thread_default (context);

  self.link = link;
  /* Running from the start: _mpaio_mpi_link_serve() runs it until QUIT. */
  self.loop = g_main_loop_new (context, TRUE);
  g_mutex_init (&self.arrays_lock);
  self.arrays = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
  self.array_errors = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                             (GDestroyNotify) g_error_free);
  self.workers = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, agent_worker_free);
  self.results = g_array_new (FALSE, FALSE, sizeof (MpaioMpiResult));
  self.values = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  self.flush_source = g_source_new (&ready_source_funcs, sizeof (GSource));
  g_source_set_callback (self.flush_source, flush_results, &self, NULL);
  g_source_set_static_name (self.flush_source, "[mpaio] MPI results");
  g_source_attach (self.flush_source, context);

  _mpaio_mpi_link_set_receiver (link, agent_locate, agent_receive, &self);
  _mpaio_mpi_link_serve (link, self.loop);
  _mpaio_mpi_link_set_receiver (link, NULL, NULL, NULL);

  /* The pool's processes end with it; chunks still running are dropped. */
  if (self.pool != NULL)
    g_object_run_dispose (G_OBJECT (self.pool));
  while (g_main_context_iteration (context, FALSE))
    ;
  forget_all (&self);
  g_source_destroy (self.flush_source);
  g_source_unref (self.flush_source);
  g_array_unref (self.results);
  g_ptr_array_unref (self.values);
  g_hash_table_unref (self.workers);
  g_hash_table_unref (self.arrays);
  g_hash_table_unref (self.array_errors);
  g_mutex_clear (&self.arrays_lock);
  g_main_loop_unref (self.loop);

  _mpaio_mpi_link_shutdown (link);
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
}
