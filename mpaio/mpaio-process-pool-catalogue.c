/* mpaio-process-pool-catalogue.c: what each worker process of a pool holds
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <fcntl.h>

#include "mpaio-process-pool-private.h"
#include "mpaio-shared-array-private.h"
#include "mpaio-worker-private.h"

static void
worker_def_free (gpointer data)
{
  WorkerDef *def = data;

  g_free (def->type_name);
  g_clear_pointer (&def->parameters, g_variant_unref);
  g_clear_pointer (&def->arrays, g_ptr_array_unref);
  g_free (def);
}

static guint64 *
new_key (guint64 id)
{
  return g_memdup2 (&id, sizeof id);
}

static void
append_forget (PoolProcess     *pool_process,
               MpaioMessageType type,
               GHashTable      *known,
               guint64          id)
{
  /* The last worker sent may be the one forgotten, or use the array
   * forgotten: the next task checks again. */
  pool_process->last_worker_id = 0;

  if (g_hash_table_remove (known, &id))
    {
      _mpaio_frame_append (_mpaio_worker_process_get_output (pool_process->process), type, NULL, 0,
                           g_variant_new_uint64 (id));
      pool_process->output_pending = TRUE;
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

  _mpaio_process_pool_flush (self);
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
array_finalized (gpointer data,
                 GObject *where_the_object_was)
{
  MpaioProcessPool *self = data;
  gpointer          id;

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
worker_finalized (gpointer data,
                  GObject *where_the_object_was)
{
  MpaioProcessPool *self = data;
  gpointer          def = NULL;

  g_mutex_lock (&self->forget_lock);
  g_atomic_pointer_compare_and_exchange (&self->last_worker, where_the_object_was, NULL);
  if (g_hash_table_steal_extended (self->workers, where_the_object_was, NULL, &def))
    {
      g_array_append_val (self->forget_workers, ((WorkerDef *) def)->id);
      schedule_forget (self);
    }
  g_mutex_unlock (&self->forget_lock);

  /* Unlocked: it may drop the last reference on an array, whose weak
   * reference takes the lock. */
  if (def != NULL)
    worker_def_free (def);
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
 * id) whenever a parameter changed since the last. NULL with @error set
 * when the parameters cannot travel. */
WorkerDef *
_mpaio_process_pool_ensure_worker (MpaioProcessPool *self,
                                   MpaioWorker      *worker,
                                   GError          **error)
{
  guint generation = _mpaio_worker_get_generation (worker);
  g_autoptr(GVariant) parameters = NULL;
  g_autoptr(GPtrArray) arrays = NULL;
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

  if (!(parameters = _mpaio_worker_dup_parameters (worker, &arrays, error)))
    return NULL;

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
      g_clear_pointer (&def->arrays, g_ptr_array_unref);
    }

  def->id = ++self->next_worker_id;
  def->generation = generation;
  def->array_id = ensure_array (self, mpaio_worker_get_array (worker));
  def->type_name = g_strdup (G_OBJECT_TYPE_NAME (worker));
  def->parameters = g_steal_pointer (&parameters);
  def->arrays = g_steal_pointer (&arrays);
  for (guint i = 0; i < def->arrays->len; i++)
    ensure_array (self, g_ptr_array_index (def->arrays, i));

  self->last_def = def;
  g_atomic_pointer_set (&self->last_worker, worker);
  return def;
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
      int  read_only;

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
send_array_once (PoolProcess      *pool_process,
                 MpaioSharedArray *array)
{
  guint64 id = _mpaio_shared_array_get_id (array);
  g_autoptr(GVariant) description = NULL;

  if (g_hash_table_contains (pool_process->known_arrays, &id))
    return;

  description = _mpaio_shared_array_describe (array);
  send_array_fd (pool_process, array);
  _mpaio_frame_append (_mpaio_worker_process_get_output (pool_process->process),
                       MPAIO_MESSAGE_ARRAY, NULL, 0,
                       g_variant_new ("(t@" MPAIO_SHARED_ARRAY_DESCRIPTION_TYPE ")", id,
                                      description));
  g_hash_table_add (pool_process->known_arrays, new_key (id));
}

/* Sends @pool_process the arrays and the definition of @pool_task's worker
 * unless it has them already: its arrays first, each once per process, the
 * data iterator's, then those among its parameters. */
void
_mpaio_process_pool_send_definitions (PoolProcess *pool_process,
                                      PoolTask    *pool_task)
{
  GByteArray *out = _mpaio_worker_process_get_output (pool_process->process);
  WorkerDef  *def = pool_task->def;

  send_array_once (pool_process, mpaio_worker_get_array (pool_task->worker));
  for (guint i = 0; i < def->arrays->len; i++)
    send_array_once (pool_process, g_ptr_array_index (def->arrays, i));

  if (!g_hash_table_contains (pool_process->known_workers, &def->id))
    {
      _mpaio_frame_append (out, MPAIO_MESSAGE_WORKER, NULL, 0,
                           g_variant_new ("(tst@a{sv})", def->id, def->type_name,
                                          def->array_id, def->parameters));
      g_hash_table_add (pool_process->known_workers, new_key (def->id));
    }
}

void
_mpaio_process_pool_catalogue_init (MpaioProcessPool *self)
{
  g_mutex_init (&self->forget_lock);
  self->arrays = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->workers = g_hash_table_new_full (NULL, NULL, NULL, worker_def_free);
  self->forget_arrays = g_array_new (FALSE, FALSE, sizeof (guint64));
  self->forget_workers = g_array_new (FALSE, FALSE, sizeof (guint64));
}

/* Stops following the arrays and workers: processes are about to go. */
void
_mpaio_process_pool_catalogue_clear (MpaioProcessPool *self)
{
  GHashTableIter iter;
  gpointer       key;

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
}

void
_mpaio_process_pool_catalogue_finalize (MpaioProcessPool *self)
{
  g_hash_table_destroy (self->arrays);
  g_hash_table_destroy (self->workers);
  g_array_unref (self->forget_arrays);
  g_array_unref (self->forget_workers);
  g_mutex_clear (&self->forget_lock);
}
