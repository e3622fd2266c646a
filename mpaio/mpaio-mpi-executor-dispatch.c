/* mpaio-mpi-executor-dispatch.c: which host runs which chunk, and what it is sent first
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "mpaio-error.h"
#include "mpaio-mpi-executor-private.h"
#include "mpaio-shared-array-private.h"
#include "mpaio-worker-private.h"

void
_mpaio_mpi_worker_def_free (gpointer data)
{
  WorkerDef *def = data;

  g_free (def->type_name);
  g_clear_pointer (&def->parameters, g_variant_unref);
  g_clear_pointer (&def->arrays, g_ptr_array_unref);
  g_free (def);
}

void
_mpaio_mpi_array_entry_free (gpointer data)
{
  ArrayEntry *entry = data;

  g_weak_ref_clear (&entry->array);
  g_free (entry);
}

/* How many messages a host's window of chunks is cut into, at least. */
#define TASK_MESSAGES_PER_WINDOW 4

static MpaioRowSet *
host_rows (Host   *host,
           guint64 array_id)
{
  MpaioRowSet *rows = g_hash_table_lookup (host->rows, &array_id);

  if (rows == NULL)
    {
      rows = _mpaio_row_set_new ();
      g_hash_table_insert (host->rows, _mpaio_mpi_key_new (array_id), rows);
    }
  return rows;
}

void
_mpaio_mpi_executor_schedule_dispatch (MpaioMpiExecutor *self)
{
  g_source_set_ready_time (self->dispatch_source, 0);
}

/* Completes @task: its function is called and the task freed. */
void
_mpaio_mpi_executor_complete (Task         *task,
                              GVariant     *result,
                              const GError *error)
{
  MpaioMpiExecutor *self = task->executor;

  if (task->host != NULL)
    {
      task->host->in_flight--;
      if (task->host->rank != 0)
        _mpaio_mpi_link_expect (self->link, -1);
      _mpaio_mpi_executor_schedule_dispatch (self);
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
    _mpaio_mpi_worker_def_free (def);
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
      g_hash_table_insert (self->arrays, _mpaio_mpi_key_new (id), entry);
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
      g_hash_table_add (host->known_arrays, _mpaio_mpi_key_new (id));
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

/* The tasks gathered for @host, in one message. */
static void
send_tasks (MpaioMpiExecutor *self,
            Host             *host)
{
  if (host->tasks->len == 0)
    return;
  _mpaio_mpi_link_send (self->link, host->rank, MPAIO_MPI_TASKS,
                        g_variant_new_fixed_array (G_VARIANT_TYPE ("(ttttt)"), host->tasks->data,
                                                   host->tasks->len, sizeof (MpaioMpiTask)),
                        NULL, 0, NULL, NULL);
  g_array_set_size (host->tasks, 0);
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
      g_hash_table_replace (host->known_workers, _mpaio_mpi_key_new (def->id),
                            GUINT_TO_POINTER (def->generation + 1));
    }

  /* Its silence counts from when it had work. */
  if (host->in_flight == 1)
    host->heard_us = g_get_monotonic_time ();
  task->seq = ++self->next_seq;
  g_array_append_vals (host->tasks,
                       &(MpaioMpiTask){ task->seq, def->id, task->chunk.index, task->chunk.start,
                                        task->chunk.end },
                       1);
  g_hash_table_insert (self->in_flight, _mpaio_mpi_key_new (task->seq), task);
  _mpaio_mpi_link_expect (self->link, 1);

  /* A host's window goes in several messages, not one: the agent starts
   * on the first while rank 0 still makes the next, and its results come
   * back in as many parts, so the two ranks work at once rather than in
   * turn. */
  if (host->tasks->len >= MAX (host->capacity / TASK_MESSAGES_PER_WINDOW, 1))
    send_tasks (self, host);
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
  _mpaio_mpi_executor_complete (task, result, error);
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
          _mpaio_mpi_executor_complete (task, NULL, task->error ? task->error : error);
        }
      else if (!(def = ensure_worker (self, task->worker, &error)))
        {
          g_queue_unlink (&self->queue, link);
          _mpaio_mpi_executor_complete (task, NULL, error);
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

  /* The rest of each host's tasks, in one message per host per pass. */
  for (guint i = 1; i < self->hosts->len; i++)
    send_tasks (self, g_ptr_array_index (self->hosts, i));
}

static gboolean
dispatch_source_dispatch (GSource    *source,
                          GSourceFunc callback,
                          gpointer    user_data)
{
  g_source_set_ready_time (source, -1);
  return callback (user_data);
}

static gboolean
dispatch_cb (gpointer user_data)
{
  MpaioMpiExecutor *self = g_object_ref (user_data);

  dispatch (self);
  g_object_unref (self);
  return G_SOURCE_CONTINUE;
}

void
_mpaio_mpi_executor_submit (MpaioExecutor         *executor,
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
  _mpaio_mpi_executor_schedule_dispatch (self);
}

static GSourceFuncs dispatch_source_funcs = {
  .dispatch = dispatch_source_dispatch,
};

GSource *
_mpaio_mpi_executor_dispatch_source_new (MpaioMpiExecutor *self)
{
  GSource *source = g_source_new (&dispatch_source_funcs, sizeof (GSource));

  g_source_set_callback (source, dispatch_cb, self, NULL);
  g_source_set_static_name (source, "[mpaio] dispatch chunks to hosts");
  g_source_attach (source, self->context);
  return source;
}

/* Nobody is told of workers and arrays going any more. */
void
_mpaio_mpi_executor_forget_all (MpaioMpiExecutor *self)
{
  GHashTableIter iter;
  gpointer       key, value;

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
}
