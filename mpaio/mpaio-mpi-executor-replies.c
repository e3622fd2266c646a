/* mpaio-mpi-executor-replies.c: what other hosts send back, and hosts lost
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "mpaio-error.h"
#include "mpaio-mpi-executor-private.h"
#include "mpaio-protocol-private.h"
#include "mpaio-run-report-private.h"
#include "mpaio-shared-array-private.h"

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
    _mpaio_mpi_executor_complete (g_ptr_array_index (lost, i), NULL, error);
  _mpaio_mpi_executor_schedule_dispatch (self);
}

/* The clocks agree only within the polling of the links (tens to hundreds
 * of microseconds): a chunk's times on its host are moved, if they must,
 * to lie between its sending and its return, as they did. */
static void
clamp_times (MpaioChunkRecord *record)
{
  gint64 shift = 0;

  if (record->started_us == 0 || record->finished_us == 0)
    return;
  if (record->started_us < record->sent_us)
    shift = record->sent_us - record->started_us;
  else if (record->finished_us > record->returned_us)
    shift = record->returned_us - record->finished_us;
  record->started_us += shift;
  record->finished_us = MIN (record->finished_us + shift, record->returned_us);
}

static void
receive_results (MpaioMpiExecutor *self,
                 Host             *host,
                 GVariant         *results)
{
  g_autoptr(GVariant) items_variant = g_variant_get_child_value (results, 0);
  g_autoptr(GVariant) values = g_variant_get_child_value (results, 1);
  gsize                 n_items = 0;
  const MpaioMpiResult *items = g_variant_get_fixed_array (items_variant, &n_items,
                                                           sizeof (MpaioMpiResult));
  gint64                now = g_get_monotonic_time ();

  n_items = MIN (n_items, g_variant_n_children (values));
  for (gsize i = 0; i < n_items; i++)
    {
      const MpaioMpiResult *item = &items[i];
      Task                 *task = NULL;
      gpointer              key = NULL;
      g_autoptr(GVariant) boxed = NULL;
      g_autoptr(GVariant) value = NULL;

      if (g_hash_table_steal_extended (self->in_flight, &item->seq, &key, (gpointer *) &task))
        g_free (key);
      if (task == NULL || task->host != host)
        continue;

      task->record.pid = item->pid;
      task->record.started_us = item->started_us ? item->started_us + host->clock_offset : 0;
      task->record.finished_us = item->finished_us ? item->finished_us + host->clock_offset : 0;
      task->record.returned_us = now;
      clamp_times (&task->record);

      boxed = g_variant_get_child_value (values, i);
      value = g_variant_get_variant (boxed);
      if (item->ok)
        _mpaio_mpi_executor_complete (task, value, NULL);
      else
        {
          MpaioReply reply = { 0 };
          g_autoptr(GError) error = NULL;

          if (g_variant_is_of_type (value, G_VARIANT_TYPE ("(sis)")))
            g_variant_get (value, "(&si&s)", &reply.domain, &reply.code, &reply.message);
          else
            reply.message = (char *) "The chunk failed on its host, with no error sent back";
          if (reply.domain == NULL)
            reply.domain = (char *) "";
          error = _mpaio_reply_dup_error (&reply);
          _mpaio_mpi_executor_complete (task, NULL, error);
        }
    }
}

/* How many times a host's clock is compared with rank 0's. */
#define N_CLOCK_PROBES 16

static void
send_clock_probe (MpaioMpiExecutor *self,
                  Host             *host)
{
  /* Expected: the links poll closely while it is out. */
  _mpaio_mpi_link_expect (self->link, 1);
  host->clock_probe_out = TRUE;
  _mpaio_mpi_link_send (self->link, host->rank, MPAIO_MPI_CLOCK,
                        g_variant_new_int64 (g_get_monotonic_time ()), NULL, 0, NULL, NULL);
}

void
_mpaio_mpi_executor_receive (int          source,
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
      if (g_variant_is_of_type (body, G_VARIANT_TYPE ("(xxxus)")))
        {
          gint64      then, received, replied, now = g_get_monotonic_time ();
          guint32     n_workers;
          const char *why;

          g_variant_get (body, "(xxxu&s)", &then, &received, &replied, &n_workers, &why);
          /* A first estimate; the clock probes that follow refine it. */
          host->clock_offset = ((then - received) + (now - replied)) / 2;
          send_clock_probe (self, host);
          if (*why != '\0')
            lose_host (self, host, why);
        }
      break;

    case MPAIO_MPI_CLOCK:
      if (g_variant_is_of_type (body, G_VARIANT_TYPE ("(xxx)")))
        {
          gint64 then, received, replied, now = g_get_monotonic_time ();

          g_variant_get (body, "(xxx)", &then, &received, &replied);
          if (!host->clock_probe_out)
            break;
          host->clock_probe_out = FALSE;
          _mpaio_mpi_link_expect (self->link, -1);
          /* As NTP does: the offset of the probe whose round trip was
           * shortest, whose two legs can differ least. */
          if (now - then - (replied - received) < host->clock_round_trip_us)
            {
              host->clock_round_trip_us = now - then - (replied - received);
              host->clock_offset = ((then - received) + (now - replied)) / 2;
            }
          if (++host->n_clock_probes < N_CLOCK_PROBES)
            send_clock_probe (self, host);
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
gpointer
_mpaio_mpi_executor_locate (int             source,
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

void
_mpaio_mpi_executor_watch_timeouts (MpaioMpiExecutor *self)
{
  if (self->chunk_timeout_ms > 0 && self->watch_source == NULL && self->active)
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

void
_mpaio_mpi_executor_start_cpu_monitoring (MpaioMpiExecutor *self,
                                          guint             interval_ms)
{
  g_return_if_fail (MPAIO_IS_MPI_EXECUTOR (self));

  if (self->n_monitored_runs++ > 0 || !self->active)
    return;

  for (guint i = 1; i < self->hosts->len; i++)
    {
      Host *host = g_ptr_array_index (self->hosts, i);

      _mpaio_host_samples_free (host->samples);
      host->samples = _mpaio_host_samples_new (host->name, host->n_sampled_cores);
      _mpaio_mpi_link_send (self->link, host->rank, MPAIO_MPI_CPU_START,
                            g_variant_new_uint32 (interval_ms), NULL, 0, NULL, NULL);
    }
}

void
_mpaio_mpi_executor_stop_cpu_monitoring (MpaioMpiExecutor *self)
{
  g_return_if_fail (MPAIO_IS_MPI_EXECUTOR (self));

  if (self->n_monitored_runs == 0 || !self->active)
    return;

  /* The samples stay, for whoever merges them after the run. */
  if (--self->n_monitored_runs > 0)
    return;
  for (guint i = 1; i < self->hosts->len; i++)
    _mpaio_mpi_link_send (self->link, ((Host *) g_ptr_array_index (self->hosts, i))->rank,
                          MPAIO_MPI_CPU_STOP, g_variant_new ("()"), NULL, 0, NULL, NULL);
}

/* The sample tables of the other hosts, in the order of their columns. */
static GPtrArray *
sampled_hosts (MpaioMpiExecutor *self)
{
  GPtrArray *hosts = g_ptr_array_new ();

  for (guint i = 1; i < self->hosts->len; i++)
    {
      Host *host = g_ptr_array_index (self->hosts, i);

      if (host->samples != NULL)
        g_ptr_array_add (hosts, host->samples);
    }

  return hosts;
}

static const char *
own_host_name (MpaioMpiExecutor *self)
{
  return ((Host *) g_ptr_array_index (self->hosts, 0))->name;
}

char **
_mpaio_mpi_executor_dup_cpu_column_names (MpaioMpiExecutor *self,
                                          guint             local_cores)
{
  g_autoptr(GPtrArray) hosts = NULL;

  g_return_val_if_fail (MPAIO_IS_MPI_EXECUTOR (self), NULL);

  if (!self->active)
    return NULL;

  hosts = sampled_hosts (self);
  return _mpaio_mpi_cpu_column_names (own_host_name (self), local_cores, hosts);
}

MpaioCpuSample *
_mpaio_mpi_executor_merge_cpu_sample (MpaioMpiExecutor *self,
                                      MpaioCpuSample   *local,
                                      gint64            local_start_us,
                                      guint             local_cores)
{
  g_autoptr(GPtrArray) hosts = NULL;

  g_return_val_if_fail (MPAIO_IS_MPI_EXECUTOR (self), NULL);

  hosts = sampled_hosts (self);
  return _mpaio_mpi_merge_cpu_sample (local, local_start_us, local_cores, hosts);
}

void
_mpaio_mpi_executor_finish_cpu_monitoring (MpaioMpiExecutor *self,
                                           MpaioRunReport   *report)
{
  g_autoptr(GPtrArray) hosts = NULL;
  g_autoptr(GListModel) merged = NULL;
  g_auto(GStrv) names = NULL;
  GListModel *local;

  g_return_if_fail (MPAIO_IS_MPI_EXECUTOR (self));

  if (self->n_monitored_runs == 0 || !self->active)
    return;

  _mpaio_mpi_executor_stop_cpu_monitoring (self);

  /* Rank 0's samples, then each host's as last sampled at each of them. */
  local = mpaio_run_report_get_cpu_samples (report);
  if (local == NULL)
    return;
  hosts = sampled_hosts (self);
  merged = _mpaio_mpi_merge_cpu_samples (local, mpaio_run_report_get_cpu_start_time (report),
                                         _mpaio_run_report_get_n_cores (report),
                                         own_host_name (self), hosts, &names);
  _mpaio_run_report_set_cpu_samples (report, merged, mpaio_run_report_get_cpu_start_time (report),
                                     g_strv_length (names));
  _mpaio_run_report_set_cpu_core_names (report, (const char *const *) names);
}
