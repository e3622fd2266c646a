/* mpaio-run-publisher.c: a program's runs on the session bus
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The program owns org.mpaio.Program.instance<PID> and serves
 * org.mpaio.Program1 at /org/mpaio/Program/<PID> (see
 * org.mpaio.Program1.xml for the format). Nothing here runs per chunk: a
 * run's records are taken from its report by a timer a few times a second,
 * on the run's own main context, and sent only while a watcher is on the
 * bus. A watcher is whoever called Watch(), or the bus name in
 * MPAIO_MONITOR_WATCHER (how `mpaio-monitor -- COMMAND` watches a program
 * from its very first run).
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mpaio-cpu-monitor.h"
#include "mpaio-cpu-sample.h"
#include "mpaio-dbus-program.h"
#include "mpaio-monitoring.h"
#include "mpaio-mpi-executor-private.h"
#include "mpaio-run-publisher-private.h"
#include "mpaio-run-report-private.h"
#include "mpaio-worker.h"

#include <gio/gunixfdlist.h>

#define WATCHER_ENV       "MPAIO_MONITOR_WATCHER"
#define FLUSH_INTERVAL_MS 250
/* 2^24 records (1.2 GB of file, sparse): a run with more chunks publishes
 * the first ones only. */
#define MAX_PUBLISHED_RECORDS (G_GUINT64_CONSTANT (1) << 24)
/* Finished runs kept for GetRun(). */
#define MAX_KEPT_RUNS 2
/* The chunks in flight a Progress names at most: a pool keeps a few per
 * process. */
#define MAX_FEED_IN_FLIGHT 1024

struct _MpaioRunPublication
{
  gint                  ref_count;
  guint                 id;
  MpaioRunReport       *report;
  const guint          *in_flight; /* the orchestrator's, until finished */
  MpaioFeedPeekInFlight peek_in_flight;
  gpointer              run;
  guint64               n_chunks;
  GStrv                 workers;
  char                 *state;
  char                 *message;
  gint64                start_us;
  gint64                end_us;
  gint64                cpu_start_us;
  guint                 n_cores;

  /* Taken from the report into a shared memory file that watchers map;
   * guarded by the publisher's lock. */
  int           records_fd;
  guint8       *records_map;
  guint64       records_capacity;
  guint64       n_records;
  guint         n_changed_outcomes; /* of the report's, applied */
  GMainContext *context;            /* the run's */
  GPtrArray    *samples;            /* of GVariant (dadd) */
  guint         n_samples_sent;
  /* The machines of chunks that ran on another (MPI), in the order they
   * came: a record's host is its index here plus one. */
  GPtrArray  *hosts;
  GHashTable *host_indexes; /* name → index + 1 */

  MpaioCpuMonitor *cpu_monitor;
  GSource         *timer;

  /* A run across hosts: its samples are those of every host's cores, as
   * the executor merges them, in the columns named here. */
  MpaioMpiExecutor *mpi;
  GStrv             core_names;
  guint             local_cores;
};

typedef struct
{
  GMutex             lock;
  gboolean           active;
  GMainContext      *context; /* where the name is owned and methods run */
  GCancellable      *cancellable;
  GDBusConnection   *connection;
  MpaioDBusProgram1 *skeleton;
  char              *object_path;
  guint              owner_id;
  GHashTable        *watchers; /* unique name → name watch id */
  GQueue             runs;     /* of MpaioRunPublication, newest last */
  guint              last_run_id;
  /* The records file of a run no longer kept, for the next run: its pages
   * are there already, so writing records faults none in. */
  int      spare_fd;
  guint8  *spare_map;
  guint64  spare_capacity;
  gboolean atexit_added;
} Publisher;

static Publisher publisher = { .spare_fd = -1 };

static MpaioRunPublication *
publication_ref (MpaioRunPublication *publication)
{
  g_atomic_int_inc (&publication->ref_count);
  return publication;
}

static void
publication_unref (MpaioRunPublication *publication)
{
  if (!g_atomic_int_dec_and_test (&publication->ref_count))
    return;

  g_assert (publication->timer == NULL);
  g_clear_object (&publication->cpu_monitor);
  g_clear_object (&publication->mpi);
  g_clear_pointer (&publication->core_names, g_strfreev);
  g_clear_object (&publication->report);
  if (publication->records_map != NULL)
    munmap (publication->records_map, publication->records_capacity * sizeof (MpaioFeedRecord));
  if (publication->records_fd >= 0)
    close (publication->records_fd);
  g_clear_pointer (&publication->context, g_main_context_unref);
  g_clear_pointer (&publication->samples, g_ptr_array_unref);
  g_clear_pointer (&publication->host_indexes, g_hash_table_unref);
  g_clear_pointer (&publication->hosts, g_ptr_array_unref);
  g_clear_pointer (&publication->workers, g_strfreev);
  g_free (publication->state);
  g_free (publication->message);
  g_free (publication);
}

static gboolean
is_watched_locked (void)
{
  return publisher.connection != NULL && publisher.watchers != NULL && g_hash_table_size (publisher.watchers) > 0;
}

static GVariant *
hosts_variant (MpaioRunPublication *publication)
{
  return g_variant_new_strv ((const char *const *) publication->hosts->pdata,
                             publication->hosts->len);
}

static GVariant *
publication_info_locked (MpaioRunPublication *publication)
{
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "start-us", "x", publication->start_us);
  g_variant_dict_insert (&dict, "end-us", "x", publication->end_us);
  g_variant_dict_insert (&dict, "n-chunks", "t", publication->n_chunks);
  g_variant_dict_insert (&dict, "workers", "^as", publication->workers);
  g_variant_dict_insert (&dict, "cpu-start-us", "x", publication->cpu_start_us);
  g_variant_dict_insert (&dict, "n-cores", "u", publication->n_cores);
  g_variant_dict_insert (&dict, "records-capacity", "t", publication->records_capacity);
  g_variant_dict_insert (&dict, "state", "s", publication->state);
  g_variant_dict_insert (&dict, "message", "s", publication->message ? publication->message : "");
  g_variant_dict_insert_value (&dict, "hosts", hosts_variant (publication));
  if (publication->core_names != NULL)
    g_variant_dict_insert (&dict, "core-names", "^as", publication->core_names);

  return g_variant_dict_end (&dict);
}

static GVariant *
samples_variant (GPtrArray *samples, guint first)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(dadd)"));
  for (guint i = first; i < samples->len; i++)
    g_variant_builder_add_value (&builder, g_ptr_array_index (samples, i));

  return g_variant_builder_end (&builder);
}

static guint32
host_index_locked (MpaioRunPublication *publication, const char *host)
{
  gpointer index;

  if (host == NULL)
    return 0;

  index = g_hash_table_lookup (publication->host_indexes, host);
  if (index == NULL)
    {
      char *name = g_strdup (host);

      g_ptr_array_add (publication->hosts, name);
      index = GUINT_TO_POINTER (publication->hosts->len);
      g_hash_table_insert (publication->host_indexes, name, index);
    }

  return GPOINTER_TO_UINT (index);
}

/* A result published as done but held for ordered delivery may have been
 * dropped since (cancelled): the report lists the records it changed, so
 * only those are read again. */
static void
publication_apply_changed_outcomes_locked (MpaioRunPublication    *publication,
                                           const MpaioChunkRecord *taken,
                                           guint                   n_taken)
{
  MpaioFeedRecord *out = (MpaioFeedRecord *) (gpointer) publication->records_map;
  const guint     *changed;
  guint            n_changed;

  changed = _mpaio_run_report_peek_changed_outcomes (publication->report, &n_changed);
  for (guint i = publication->n_changed_outcomes; i < n_changed; i++)
    if (changed[i] < publication->n_records && changed[i] < n_taken)
      out[changed[i]].outcome = GUINT32_TO_LE ((guint32) taken[changed[i]].outcome);
  publication->n_changed_outcomes = n_changed;
}

/* Takes the records and samples that are new since the last call. */
static void
publication_collect_locked (MpaioRunPublication *publication)
{
  const MpaioChunkRecord *taken;
  guint64                 n_records;
  guint                   n_taken;

  if (publication->report == NULL)
    return;

  taken = _mpaio_run_report_peek_records (publication->report, &n_taken);

  n_records = MIN (n_taken, publication->records_capacity);
  if (n_records > publication->n_records)
    {
      MpaioFeedRecord *out = (MpaioFeedRecord *) (gpointer) publication->records_map;
      /* Records of one host come in runs: its index is looked up once. */
      const char *last_host = NULL;
      guint32     last_host_index = 0;

      for (guint i = (guint) publication->n_records; i < n_records; i++)
        {
          const MpaioChunkRecord *record = &taken[i];

          if (record->host != last_host)
            {
              last_host = record->host;
              last_host_index = host_index_locked (publication, last_host);
            }

          /* Little-endian, as the interface says. */
          out[i] = (MpaioFeedRecord){
            .worker_index = GUINT32_TO_LE (record->worker_index),
            .outcome = GUINT32_TO_LE ((guint32) record->outcome),
            .chunk_index = GUINT64_TO_LE (record->chunk_index),
            .start_row = GUINT64_TO_LE (record->start_row),
            .end_row = GUINT64_TO_LE (record->end_row),
            .pid = GINT32_TO_LE (record->pid),
            .host = GUINT32_TO_LE (last_host_index),
            .sent_us = GINT64_TO_LE (record->sent_us),
            .started_us = GINT64_TO_LE (record->started_us),
            .finished_us = GINT64_TO_LE (record->finished_us),
            .returned_us = GINT64_TO_LE (record->returned_us),
          };
        }
      publication->n_records = n_records;
    }

  publication_apply_changed_outcomes_locked (publication, taken, n_taken);

  if (publication->cpu_monitor != NULL)
    {
      GListModel *samples = mpaio_cpu_monitor_get_samples (publication->cpu_monitor);
      guint       n_samples = g_list_model_get_n_items (samples);

      for (guint i = publication->samples->len; i < n_samples; i++)
        {
          g_autoptr(MpaioCpuSample) sample = g_list_model_get_item (samples, i);
          guint          n_values = 0;
          const gdouble *values;
          GVariant      *value;

          /* Every host's cores, as they were at this sample's time. */
          if (publication->mpi != NULL)
            {
              MpaioCpuSample *merged =
                _mpaio_mpi_executor_merge_cpu_sample (publication->mpi, sample,
                                                      publication->cpu_start_us,
                                                      publication->local_cores);

              g_object_unref (sample);
              sample = merged;
            }
          values = mpaio_cpu_sample_get_values (sample, &n_values);
          value = g_variant_new (
            "(d@add)", mpaio_cpu_sample_get_time (sample),
            g_variant_new_fixed_array (G_VARIANT_TYPE_DOUBLE, values, n_values, sizeof (gdouble)),
            mpaio_cpu_sample_get_total (sample));

          g_ptr_array_add (publication->samples, g_variant_ref_sink (value));
        }
    }
}

static void
emit_locked (const char *name, GVariant *parameters)
{
  g_autoptr(GError) error = NULL;

  if (publisher.connection == NULL)
    {
      g_variant_unref (g_variant_ref_sink (parameters));
      return;
    }

  if (!g_dbus_connection_emit_signal (publisher.connection, NULL, publisher.object_path,
                                      "org.mpaio.Program1", name, parameters, &error))
    g_debug ("Could not publish %s: %s", name, error->message);
}

/* The chunks out now, so that a watcher can draw them growing; on the
 * run's context. */
static GVariant *
in_flight_variant (MpaioRunPublication *publication)
{
  GVariantBuilder builder;
  guint           n = 0;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(utttx)"));
  if (publication->peek_in_flight != NULL)
    {
      g_autofree MpaioFeedInFlight *chunks = g_new (MpaioFeedInFlight, MAX_FEED_IN_FLIGHT);

      n = publication->peek_in_flight (publication->run, chunks, MAX_FEED_IN_FLIGHT);
      for (guint i = 0; i < n; i++)
        g_variant_builder_add (&builder, "(utttx)", chunks[i].worker_index, chunks[i].chunk_index,
                               chunks[i].start_row, chunks[i].end_row, chunks[i].sent_us);
    }

  return g_variant_builder_end (&builder);
}

/* Tells watchers how far the records go, which chunks are out, with the
 * new CPU samples: a small message, whatever the number of chunks. */
static void
publication_send_locked (MpaioRunPublication *publication)
{
  guint n_in_flight = publication->in_flight != NULL ? *publication->in_flight : 0;
  guint first_sample = publication->n_samples_sent;

  if (!is_watched_locked ())
    return;

  emit_locked ("Progress",
               g_variant_new ("(utuu@a(dadd)@a(utttx)@as)", publication->id, publication->n_records,
                              n_in_flight, first_sample,
                              samples_variant (publication->samples, first_sample),
                              in_flight_variant (publication), hosts_variant (publication)));
  publication->n_samples_sent = publication->samples->len;
}

static gboolean
on_flush_timer (gpointer user_data)
{
  MpaioRunPublication *publication = user_data;

  /* Nobody watching, nothing to do: GetRun() takes what it needs. */
  g_mutex_lock (&publisher.lock);
  if (is_watched_locked ())
    {
      publication_collect_locked (publication);
      publication_send_locked (publication);
    }
  g_mutex_unlock (&publisher.lock);

  return G_SOURCE_CONTINUE;
}

static void
set_state_locked (const char *state, guint run_id)
{
  if (publisher.skeleton == NULL)
    return;

  mpaio_dbus_program1_set_state (publisher.skeleton, state);
  mpaio_dbus_program1_set_current_run (publisher.skeleton, run_id);
}

/* Sparse: only the pages records are written to take memory. */
static void
create_records_file_locked (MpaioRunPublication *publication, guint64 n_chunks)
{
  guint64 capacity = MIN (n_chunks, MAX_PUBLISHED_RECORDS);
  gsize   size = capacity * sizeof (MpaioFeedRecord);
  void   *map;

  publication->records_fd = -1;
  if (capacity == 0)
    return;

  if (publisher.spare_fd >= 0 && publisher.spare_capacity >= capacity)
    {
      publication->records_fd = publisher.spare_fd;
      publication->records_map = publisher.spare_map;
      publication->records_capacity = publisher.spare_capacity;
      publisher.spare_fd = -1;
      publisher.spare_map = NULL;
      publisher.spare_capacity = 0;
      return;
    }

  publication->records_fd = memfd_create ("mpaio-run-records", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (publication->records_fd < 0 || ftruncate (publication->records_fd, (off_t) size) < 0 || fcntl (publication->records_fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0)
    {
      g_debug ("Records are not published: %s", g_strerror (errno));
      return;
    }

  map = mmap (NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, publication->records_fd, 0);
  if (map == MAP_FAILED)
    {
      g_debug ("Records are not published: %s", g_strerror (errno));
      return;
    }

  publication->records_map = map;
  publication->records_capacity = capacity;
}

/* A run no longer kept gives its records file to the next one. */
static void
recycle_records_file_locked (MpaioRunPublication *publication)
{
  /* A run of another orchestrator may still be writing to its file. */
  if (publication->records_map == NULL || publication->timer != NULL || publication->records_capacity <= publisher.spare_capacity)
    return;

  if (publisher.spare_map != NULL)
    munmap (publisher.spare_map, publisher.spare_capacity * sizeof (MpaioFeedRecord));
  if (publisher.spare_fd >= 0)
    close (publisher.spare_fd);

  publisher.spare_fd = publication->records_fd;
  publisher.spare_map = publication->records_map;
  publisher.spare_capacity = publication->records_capacity;
  publication->records_fd = -1;
  publication->records_map = NULL;
  publication->records_capacity = 0;
}

/* A descriptor of the records file that cannot write to it. */
static int
open_records_read_only (MpaioRunPublication *publication)
{
  g_autofree char *path = NULL;

  if (publication->records_fd < 0)
    return -1;

  path = g_strdup_printf ("/proc/self/fd/%d", publication->records_fd);
  return open (path, O_RDONLY | O_CLOEXEC);
}

/* A run across hosts publishes the CPU of each of them: they sample while
 * it runs, as for a run that monitors its CPU. */
static void
publication_watch_hosts (MpaioRunPublication *publication,
                         MpaioExecutor       *executor)
{
  MpaioMpiExecutor *mpi;
  guint             interval;

  if (!MPAIO_IS_MPI_EXECUTOR (executor))
    return;

  mpi = MPAIO_MPI_EXECUTOR (executor);
  interval = mpaio_cpu_monitor_get_interval (publication->cpu_monitor);
  _mpaio_mpi_executor_start_cpu_monitoring (mpi, interval);
  publication->core_names =
    _mpaio_mpi_executor_dup_cpu_column_names (mpi, publication->local_cores);
  if (publication->core_names == NULL)
    {
      _mpaio_mpi_executor_stop_cpu_monitoring (mpi);
      return;
    }

  publication->mpi = g_object_ref (mpi);
  publication->n_cores = g_strv_length (publication->core_names);
}

MpaioRunPublication *
_mpaio_run_publication_new (MpaioOrchestrator    *orchestrator,
                            MpaioRunReport       *report,
                            guint64               n_chunks,
                            const guint          *in_flight,
                            MpaioFeedPeekInFlight peek_in_flight,
                            gpointer              run)
{
  MpaioRunPublication *publication = g_new0 (MpaioRunPublication, 1);
  guint                n_workers = mpaio_orchestrator_get_n_workers (orchestrator);

  _mpaio_run_publisher_start ();

  publication->ref_count = 1;
  publication->report = g_object_ref (report);
  publication->start_us = mpaio_run_report_get_start_time (report);
  publication->in_flight = in_flight;
  publication->peek_in_flight = peek_in_flight;
  publication->run = run;
  publication->hosts = g_ptr_array_new_with_free_func (g_free);
  publication->host_indexes = g_hash_table_new (g_str_hash, g_str_equal);
  publication->n_chunks = n_chunks;
  publication->state = g_strdup ("running");
  publication->context = g_main_context_ref_thread_default ();
  publication->samples = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  publication->workers = g_new0 (char *, n_workers + 1);
  for (guint i = 0; i < n_workers; i++)
    publication->workers[i] =
      g_strdup (G_OBJECT_TYPE_NAME (mpaio_orchestrator_get_worker (orchestrator, i)));

  publication->cpu_monitor = mpaio_cpu_monitor_new ();
  mpaio_cpu_monitor_start (publication->cpu_monitor);
  publication->cpu_start_us = mpaio_cpu_monitor_get_start_time (publication->cpu_monitor);
  publication->n_cores = mpaio_cpu_monitor_get_n_cores (publication->cpu_monitor);
  publication->local_cores = publication->n_cores;
  publication_watch_hosts (publication, mpaio_orchestrator_get_executor (orchestrator));

  publication->timer = g_timeout_source_new (FLUSH_INTERVAL_MS);
  g_source_set_static_name (publication->timer, "[mpaio] run publisher");
  g_source_set_callback (publication->timer, on_flush_timer, publication, NULL);
  g_source_attach (publication->timer, g_main_context_get_thread_default ());

  g_mutex_lock (&publisher.lock);
  publication->id = ++publisher.last_run_id;
  g_queue_push_tail (&publisher.runs, publication_ref (publication));
  while (g_queue_get_length (&publisher.runs) > MAX_KEPT_RUNS)
    {
      MpaioRunPublication *old = g_queue_pop_head (&publisher.runs);

      recycle_records_file_locked (old);
      publication_unref (old);
    }
  create_records_file_locked (publication, n_chunks);
  emit_locked ("RunStarted",
               g_variant_new ("(u@a{sv})", publication->id, publication_info_locked (publication)));
  set_state_locked ("running", publication->id);
  g_mutex_unlock (&publisher.lock);

  return publication;
}

void
_mpaio_run_publication_finish (MpaioRunPublication *publication, const GError *error)
{
  const char *state = "finished";

  g_return_if_fail (publication != NULL);

  if (error != NULL)
    state = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ? "cancelled" : "failed";

  g_source_destroy (publication->timer);
  g_clear_pointer (&publication->timer, g_source_unref);
  mpaio_cpu_monitor_stop (publication->cpu_monitor);

  g_mutex_lock (&publisher.lock);
  publication->in_flight = NULL;
  publication->peek_in_flight = NULL;
  publication->run = NULL;
  publication->end_us = mpaio_run_report_get_end_time (publication->report);
  g_free (publication->state);
  publication->state = g_strdup (state);
  publication->message = error != NULL ? g_strdup (error->message) : NULL;
  /* The records file is final from here on, so GetRun() needs neither the
   * report nor the monitor, and they go with the run: a report kept for
   * a finished run would be freed during the next one, on its time. */
  publication_collect_locked (publication);
  g_clear_object (&publication->report);
  g_clear_object (&publication->cpu_monitor);
  /* The run's samples are merged: the other hosts may stop sampling. */
  if (publication->mpi != NULL)
    _mpaio_mpi_executor_stop_cpu_monitoring (publication->mpi);
  g_clear_object (&publication->mpi);
  publication_send_locked (publication);
  emit_locked ("RunFinished",
               g_variant_new ("(u@a{sv})", publication->id, publication_info_locked (publication)));
  set_state_locked (state, publication->id);
  /* A program often exits right after its run: what was queued must leave. */
  if (publisher.connection != NULL)
    g_dbus_connection_flush (publisher.connection, NULL, NULL, NULL);
  g_mutex_unlock (&publisher.lock);

  publication_unref (publication);
}

/* Watchers */

static void
on_watcher_vanished (GDBusConnection *connection, const char *name, gpointer user_data)
{
  g_mutex_lock (&publisher.lock);
  if (publisher.watchers != NULL)
    g_hash_table_remove (publisher.watchers, name);
  g_mutex_unlock (&publisher.lock);
}

static void
add_watcher_locked (const char *name)
{
  guint watch_id;

  if (publisher.watchers == NULL || g_hash_table_contains (publisher.watchers, name))
    return;

  watch_id =
    g_bus_watch_name_on_connection (publisher.connection, name, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                    NULL, on_watcher_vanished, NULL, NULL);
  g_hash_table_insert (publisher.watchers, g_strdup (name), GUINT_TO_POINTER (watch_id));
}

static void
unwatch_name (gpointer data)
{
  g_bus_unwatch_name (GPOINTER_TO_UINT (data));
}

static gboolean
on_handle_watch (MpaioDBusProgram1 *skeleton, GDBusMethodInvocation *invocation, gpointer user_data)
{
  g_mutex_lock (&publisher.lock);
  add_watcher_locked (g_dbus_method_invocation_get_sender (invocation));
  g_mutex_unlock (&publisher.lock);

  mpaio_dbus_program1_complete_watch (skeleton, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_handle_unwatch (MpaioDBusProgram1     *skeleton,
                   GDBusMethodInvocation *invocation,
                   gpointer               user_data)
{
  g_mutex_lock (&publisher.lock);
  if (publisher.watchers != NULL)
    g_hash_table_remove (publisher.watchers, g_dbus_method_invocation_get_sender (invocation));
  g_mutex_unlock (&publisher.lock);

  mpaio_dbus_program1_complete_unwatch (skeleton, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_handle_get_run (MpaioDBusProgram1     *skeleton,
                   GDBusMethodInvocation *invocation,
                   GUnixFDList           *unused,
                   guint                  run_id,
                   gpointer               user_data)
{
  MpaioRunPublication *publication = NULL;
  g_autoptr(GUnixFDList) fd_list = NULL;
  GVariant *info, *samples;
  guint64   n_records;
  int       fd = -1;

  g_mutex_lock (&publisher.lock);
  for (GList *l = publisher.runs.head; l != NULL; l = l->next)
    {
      MpaioRunPublication *candidate = l->data;

      if (candidate->id == run_id)
        publication = candidate;
    }

  if (publication != NULL)
    fd = open_records_read_only (publication);
  if (fd < 0)
    {
      g_mutex_unlock (&publisher.lock);
      if (publication == NULL)
        g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                               "No run %u: the last %u runs are kept", run_id,
                                               MAX_KEPT_RUNS);
      else
        g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_FAILED,
                                               "The records of run %u cannot be shared", run_id);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }

  /* The report is read on the run's own context only. */
  if (g_main_context_is_owner (publication->context))
    publication_collect_locked (publication);

  fd_list = g_unix_fd_list_new_from_array (&fd, 1);
  info = publication_info_locked (publication);
  n_records = publication->n_records;
  samples = samples_variant (publication->samples, 0);
  g_mutex_unlock (&publisher.lock);

  mpaio_dbus_program1_complete_get_run (skeleton, invocation, fd_list, info,
                                        g_variant_new_handle (0), n_records, samples);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* The bus */

static void
flush_at_exit (void)
{
  g_autoptr(GDBusConnection) connection = NULL;

  g_mutex_lock (&publisher.lock);
  if (publisher.connection != NULL)
    connection = g_object_ref (publisher.connection);
  g_mutex_unlock (&publisher.lock);

  if (connection != NULL)
    g_dbus_connection_flush_sync (connection, NULL, NULL);
}

static char **
read_command_line (void)
{
  g_autofree char *contents = NULL;
  gsize            length = 0;
  GPtrArray       *args = g_ptr_array_new ();

  if (g_file_get_contents ("/proc/self/cmdline", &contents, &length, NULL))
    {
      for (gsize i = 0; i < length; i += strlen (contents + i) + 1)
        g_ptr_array_add (args, g_strdup (contents + i));
    }
  else if (g_get_prgname () != NULL)
    g_ptr_array_add (args, g_strdup (g_get_prgname ()));

  g_ptr_array_add (args, NULL);
  return (char **) g_ptr_array_free (args, FALSE);
}

static void
on_bus_ready (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) connection = g_bus_get_finish (result, &error);
  g_autofree char *name = NULL;
  g_auto(GStrv) command_line = NULL;
  const char *watcher;

  if (connection == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Runs are not published: %s", error->message);
      return;
    }

  g_mutex_lock (&publisher.lock);
  if (!publisher.active)
    {
      g_mutex_unlock (&publisher.lock);
      return;
    }

  publisher.connection = g_object_ref (connection);
  publisher.object_path = g_strdup_printf ("/org/mpaio/Program/%d", (int) getpid ());
  publisher.skeleton = mpaio_dbus_program1_skeleton_new ();
  command_line = read_command_line ();
  mpaio_dbus_program1_set_pid (publisher.skeleton, (guint) getpid ());
  mpaio_dbus_program1_set_command_line (publisher.skeleton, (const char *const *) command_line);
  if (publisher.runs.tail != NULL)
    {
      MpaioRunPublication *last = publisher.runs.tail->data;

      mpaio_dbus_program1_set_state (publisher.skeleton, last->state);
      mpaio_dbus_program1_set_current_run (publisher.skeleton, last->id);
    }
  else
    mpaio_dbus_program1_set_state (publisher.skeleton, "idle");

  g_signal_connect (publisher.skeleton, "handle-watch", G_CALLBACK (on_handle_watch), NULL);
  g_signal_connect (publisher.skeleton, "handle-unwatch", G_CALLBACK (on_handle_unwatch), NULL);
  g_signal_connect (publisher.skeleton, "handle-get-run", G_CALLBACK (on_handle_get_run), NULL);

  if (!g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (publisher.skeleton), connection,
                                         publisher.object_path, &error))
    g_debug ("Runs are not published: %s", error->message);

  publisher.watchers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, unwatch_name);
  watcher = g_getenv (WATCHER_ENV);
  if (watcher != NULL && g_dbus_is_unique_name (watcher))
    add_watcher_locked (watcher);

  name = g_strdup_printf ("org.mpaio.Program.instance%d", (int) getpid ());
  publisher.owner_id = g_bus_own_name_on_connection (connection, name, G_BUS_NAME_OWNER_FLAGS_NONE,
                                                     NULL, NULL, NULL, NULL);

  if (!publisher.atexit_added)
    {
      publisher.atexit_added = TRUE;
      atexit (flush_at_exit);
    }
  g_mutex_unlock (&publisher.lock);
}

void
_mpaio_run_publisher_start (void)
{
  g_mutex_lock (&publisher.lock);
  if (!publisher.active)
    {
      publisher.active = TRUE;
      publisher.context = g_main_context_ref_thread_default ();
      publisher.cancellable = g_cancellable_new ();
      g_bus_get (G_BUS_TYPE_SESSION, publisher.cancellable, on_bus_ready, NULL);
    }
  g_mutex_unlock (&publisher.lock);
}

void
_mpaio_run_publisher_stop (void)
{
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GHashTable) watchers = NULL;
  g_autoptr(MpaioDBusProgram1) skeleton = NULL;

  g_mutex_lock (&publisher.lock);
  if (!publisher.active)
    {
      g_mutex_unlock (&publisher.lock);
      return;
    }

  publisher.active = FALSE;
  g_cancellable_cancel (publisher.cancellable);
  g_clear_object (&publisher.cancellable);
  if (publisher.owner_id != 0)
    g_bus_unown_name (publisher.owner_id);
  publisher.owner_id = 0;
  skeleton = g_steal_pointer (&publisher.skeleton);
  watchers = g_steal_pointer (&publisher.watchers);
  connection = g_steal_pointer (&publisher.connection);
  g_clear_pointer (&publisher.object_path, g_free);
  g_clear_pointer (&publisher.context, g_main_context_unref);
  g_mutex_unlock (&publisher.lock);

  if (skeleton != NULL)
    g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (skeleton));
}
