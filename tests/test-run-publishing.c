/* test-run-publishing.c: a program's runs on the session bus
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Runs under dbus-run-session (a private bus). The watcher is a connection
 * of its own, as mpaio-monitor's would be.
 */

#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gunixfdlist.h>

#include "mpaio-run-publisher-private.h"
#include "mpaio-test-workers.h"

typedef struct
{
  GDBusConnection *connection;
  char            *name;
  char            *path;
  guint64          n_records_announced;
  guint            n_progress;
  guint            n_samples;
  gboolean         finished;
  char            *state;
  GArray          *in_flight; /* MpaioFeedInFlight, every one announced */
  GStrv            hosts;     /* the last announced */
  GCancellable    *cancel_on_progress;
} Watcher;

/* An executor that says its chunks ran on other machines, as an MPI one
 * does: chunk 0 here, odd chunks on node-a, even ones on node-b. */
#define TEST_TYPE_HOST_EXECUTOR (test_host_executor_get_type ())
G_DECLARE_FINAL_TYPE (TestHostExecutor, test_host_executor, TEST, HOST_EXECUTOR, GObject)

struct _TestHostExecutor
{
  GObject        parent_instance;
  MpaioExecutor *inner;
};

typedef struct
{
  TestHostExecutor      *self;
  MpaioExecutorChunkFunc func;
  gpointer               user_data;
  guint64                chunk_index;
} HostSubmission;

static void test_host_executor_iface_init (MpaioExecutorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestHostExecutor, test_host_executor, G_TYPE_OBJECT, G_IMPLEMENT_INTERFACE (MPAIO_TYPE_EXECUTOR, test_host_executor_iface_init))

static guint
test_host_executor_get_max_in_flight (MpaioExecutor *executor)
{
  return mpaio_executor_get_max_in_flight (TEST_HOST_EXECUTOR (executor)->inner);
}

static void
on_inner_done (MpaioExecutor          *inner,
               GVariant               *result,
               const GError           *error,
               const MpaioChunkRecord *inner_record,
               gpointer                user_data)
{
  g_autofree HostSubmission *submission = user_data;
  MpaioChunkRecord           record = *inner_record;

  /* Executors fill in the process and times only: the index is ours. */
  if (submission->chunk_index > 0)
    {
      record.host =
        g_intern_static_string (submission->chunk_index % 2 == 1 ? "node-a" : "node-b");
    }
  submission->func (MPAIO_EXECUTOR (submission->self), result, error, &record,
                    submission->user_data);
}

static void
test_host_executor_submit (MpaioExecutor         *executor,
                           MpaioWorker           *worker,
                           const MpaioChunk      *chunk,
                           GCancellable          *cancellable,
                           MpaioExecutorChunkFunc func,
                           gpointer               user_data)
{
  HostSubmission *submission = g_new (HostSubmission, 1);

  submission->self = TEST_HOST_EXECUTOR (executor);
  submission->func = func;
  submission->user_data = user_data;
  submission->chunk_index = chunk->index;
  mpaio_executor_submit (submission->self->inner, worker, chunk, cancellable, on_inner_done,
                         submission);
}

static void
test_host_executor_iface_init (MpaioExecutorInterface *iface)
{
  iface->get_max_in_flight = test_host_executor_get_max_in_flight;
  iface->submit = test_host_executor_submit;
}

static void
test_host_executor_finalize (GObject *object)
{
  g_clear_object (&TEST_HOST_EXECUTOR (object)->inner);
  G_OBJECT_CLASS (test_host_executor_parent_class)->finalize (object);
}

static void
test_host_executor_class_init (TestHostExecutorClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_host_executor_finalize;
}

static void
test_host_executor_init (TestHostExecutor *self)
{
}

static MpaioExecutor *
test_host_executor_new (MpaioExecutor *inner)
{
  TestHostExecutor *self = g_object_new (TEST_TYPE_HOST_EXECUTOR, NULL);

  self->inner = g_object_ref (inner);
  return MPAIO_EXECUTOR (self);
}

static void
on_signal (GDBusConnection *connection,
           const char      *sender,
           const char      *path,
           const char      *interface,
           const char      *signal,
           GVariant        *parameters,
           gpointer         user_data)
{
  Watcher *watcher = user_data;

  if (g_strcmp0 (path, watcher->path) != 0)
    return;

  if (g_str_equal (signal, "Progress"))
    {
      g_autoptr(GVariant) samples = NULL;
      g_autoptr(GVariantIter) in_flight = NULL;
      MpaioFeedInFlight chunk;
      guint64           n_records;
      guint             n_in_flight;

      g_assert_true (
        g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(utuua(dadd)a(utttx)as)")));
      samples = g_variant_get_child_value (parameters, 4);
      g_variant_get_child (parameters, 1, "t", &n_records);
      g_variant_get_child (parameters, 2, "u", &n_in_flight);
      g_variant_get_child (parameters, 5, "a(utttx)", &in_flight);
      /* Every chunk out is named, up to the cap. */
      g_assert_cmpuint (g_variant_iter_n_children (in_flight), ==, n_in_flight);
      while (g_variant_iter_next (in_flight, "(utttx)", &chunk.worker_index, &chunk.chunk_index,
                                  &chunk.start_row, &chunk.end_row, &chunk.sent_us))
        g_array_append_val (watcher->in_flight, chunk);
      g_clear_pointer (&watcher->hosts, g_strfreev);
      g_variant_get_child (parameters, 6, "^as", &watcher->hosts);
      if (watcher->cancel_on_progress != NULL && n_records > 0)
        g_cancellable_cancel (watcher->cancel_on_progress);
      /* Records are only ever added. */
      g_assert_cmpuint (n_records, >=, watcher->n_records_announced);
      watcher->n_records_announced = n_records;
      watcher->n_samples += (guint) g_variant_n_children (samples);
      watcher->n_progress++;
    }
  else if (g_str_equal (signal, "RunFinished"))
    {
      g_autoptr(GVariant) info = g_variant_get_child_value (parameters, 1);

      g_clear_pointer (&watcher->state, g_free);
      g_variant_lookup (info, "state", "s", &watcher->state);
      watcher->finished = TRUE;
    }
}

static void
on_call_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* The program answers on this thread's main context: the call must not
 * block it. */
static GVariant *
call_with_fds (Watcher      *watcher,
               const char   *interface,
               const char   *method,
               GVariant     *parameters,
               GUnixFDList **fd_list)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  GVariant *reply;

  g_dbus_connection_call_with_unix_fd_list (
    watcher->connection, watcher->name, watcher->path, interface, method, parameters, NULL,
    G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL, on_call_done, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  reply = g_dbus_connection_call_with_unix_fd_list_finish (watcher->connection, fd_list, result,
                                                           &error);
  g_assert_no_error (error);
  return reply;
}

static GVariant *
call_full (Watcher *watcher, const char *interface, const char *method, GVariant *parameters)
{
  return call_with_fds (watcher, interface, method, parameters, NULL);
}

/* GetRun(): the run's information, and its records read from the file
 * it shares. */
static GVariant *
get_run_full (Watcher *watcher, guint run_id, GArray *records, gboolean with_samples)
{
  g_autoptr(GUnixFDList) fd_list = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) samples = NULL;
  GVariant   *info = NULL;
  guint64     n_records = 0, capacity = 0;
  gint32      handle = -1;
  void       *map;
  struct stat st;
  int         fd;

  reply = call_with_fds (watcher, "org.mpaio.Program1", "GetRun", g_variant_new ("(u)", run_id),
                         &fd_list);
  g_variant_get (reply, "(@a{sv}ht@a(dadd))", &info, &handle, &n_records, &samples);
  g_assert_cmpint (handle, ==, 0);
  g_assert_nonnull (fd_list);
  fd = g_unix_fd_list_get (fd_list, handle, NULL);
  g_assert_cmpint (fd, >=, 0);
  g_assert_true (g_variant_lookup (info, "records-capacity", "t", &capacity));
  g_assert_cmpuint (n_records, <=, capacity);
  g_assert_cmpint (fstat (fd, &st), ==, 0);
  g_assert_cmpuint ((guint64) st.st_size, ==, capacity * sizeof (MpaioFeedRecord));
  /* Shared for reading only. */
  g_assert_cmpint (fcntl (fd, F_GETFL) & O_ACCMODE, ==, O_RDONLY);
  if (with_samples)
    g_assert_cmpuint (g_variant_n_children (samples), >=, 1);

  map = mmap (NULL, (gsize) st.st_size, PROT_READ, MAP_SHARED, fd, 0);
  g_assert_true (map != MAP_FAILED);
  g_array_append_vals (records, map, (guint) n_records);
  munmap (map, (gsize) st.st_size);
  close (fd);

  return info;
}

/* A run long enough to have CPU samples. */
static GVariant *
get_run (Watcher *watcher, guint run_id, GArray *records)
{
  return get_run_full (watcher, run_id, records, TRUE);
}

static GVariant *
call (Watcher *watcher, const char *method, GVariant *parameters)
{
  return call_full (watcher, "org.mpaio.Program1", method, parameters);
}

static gboolean
name_has_owner (GDBusConnection *connection, const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_sync (
    connection, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
    "NameHasOwner", g_variant_new ("(s)", name), G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE,
    -1, NULL, &error);
  gboolean has_owner = FALSE;

  g_assert_no_error (error);
  g_variant_get (reply, "(b)", &has_owner);
  return has_owner;
}

static void
on_name_appeared (GDBusConnection *connection,
                  const char      *name,
                  const char      *owner,
                  gpointer         user_data)
{
  *(gboolean *) user_data = TRUE;
}

static Watcher *
watcher_new (void)
{
  Watcher *watcher = g_new0 (Watcher, 1);
  gboolean appeared = FALSE;
  guint    watch_id;

  watcher->connection = mpaio_test_new_bus_connection ();
  watcher->in_flight = g_array_new (FALSE, FALSE, sizeof (MpaioFeedInFlight));
  watcher->name = g_strdup_printf ("org.mpaio.Program.instance%d", (int) getpid ());
  watcher->path = g_strdup_printf ("/org/mpaio/Program/%d", (int) getpid ());

  g_dbus_connection_signal_subscribe (watcher->connection, NULL, "org.mpaio.Program1", NULL, NULL,
                                      NULL, G_DBUS_SIGNAL_FLAGS_NONE, on_signal, watcher, NULL);

  watch_id = g_bus_watch_name_on_connection (watcher->connection, watcher->name,
                                             G_BUS_NAME_WATCHER_FLAGS_NONE, on_name_appeared, NULL,
                                             &appeared, NULL);
  while (!appeared)
    g_main_context_iteration (NULL, TRUE);
  g_bus_unwatch_name (watch_id);

  return watcher;
}

static void
watcher_free (Watcher *watcher)
{
  g_dbus_connection_close_sync (watcher->connection, NULL, NULL);
  g_object_unref (watcher->connection);
  g_free (watcher->name);
  g_free (watcher->path);
  g_free (watcher->state);
  g_array_unref (watcher->in_flight);
  g_strfreev (watcher->hosts);
  g_clear_object (&watcher->cancel_on_progress);
  g_free (watcher);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Watcher, watcher_free)

static MpaioOrchestrator *
new_orchestrator (MpaioProcessPool *pool, guint n_chunks, guint spin_us)
{
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (n_chunks);
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioDataIterator) iterator = mpaio_data_iterator_new (array, 1, &error);
  g_autoptr(MpaioTestSpinWorker) worker = NULL;

  g_assert_no_error (error);
  worker = mpaio_test_spin_worker_new (iterator, spin_us, -1);
  return mpaio_orchestrator_new (MPAIO_EXECUTOR (pool), (MpaioWorker **) &worker, 1);
}

static gboolean
is_pool_pid (MpaioProcessPool *pool, gint pid)
{
  g_autofree GPid *pids = NULL;
  guint            n_pids = 0;

  pids = mpaio_process_pool_get_pids (pool, &n_pids);
  for (guint i = 0; i < n_pids; i++)
    if (pids[i] == pid)
      return TRUE;

  return FALSE;
}

/* @hosts: the run's, as announced; NULL when no chunk ran elsewhere. */
static void
assert_same_records (MpaioRunReport    *report,
                     const GArray      *records,
                     MpaioProcessPool  *pool,
                     const char *const *hosts)
{
  g_assert_cmpuint (records->len, ==, mpaio_run_report_get_n_records (report));
  for (guint i = 0; i < records->len; i++)
    {
      const MpaioFeedRecord  *got = &g_array_index (records, MpaioFeedRecord, i);
      const MpaioChunkRecord *want = mpaio_run_report_get_record (report, i);

      g_assert_cmpuint (got->outcome, ==, want->outcome);
      g_assert_cmpuint (got->chunk_index, ==, want->chunk_index);
      g_assert_cmpuint (got->start_row, ==, want->start_row);
      g_assert_cmpuint (got->end_row, ==, want->end_row);
      g_assert_cmpint (got->pid, ==, want->pid);
      if (want->host == NULL)
        g_assert_cmpuint (got->host, ==, 0);
      else
        {
          g_assert_nonnull (hosts);
          g_assert_cmpuint (got->host, >=, 1);
          g_assert_cmpuint (got->host, <=, g_strv_length ((char **) hosts));
          g_assert_cmpstr (hosts[got->host - 1], ==, want->host);
        }
      /* Chunks never sent, or cancelled before they reached a process,
       * have no process. */
      if (want->outcome == MPAIO_CHUNK_OUTCOME_NOT_SENT || want->pid == 0)
        continue;
      g_assert_true (is_pool_pid (pool, got->pid));
      g_assert_cmpint (got->sent_us, ==, want->sent_us);
      g_assert_cmpint (got->started_us, ==, want->started_us);
      g_assert_cmpint (got->finished_us, ==, want->finished_us);
      g_assert_cmpint (got->returned_us, ==, want->returned_us);
      g_assert_cmpint (got->sent_us, <=, got->returned_us);
      g_assert_cmpint (got->started_us, <=, got->finished_us);
    }
}

/* Each chunk announced in flight came back later, and was handed out
 * before that: a watcher may draw it from its sending time on. */
static void
assert_in_flight_were_out (Watcher *watcher, MpaioRunReport *report)
{
  g_assert_cmpuint (watcher->in_flight->len, >, 0);
  for (guint i = 0; i < watcher->in_flight->len; i++)
    {
      const MpaioFeedInFlight *chunk = &g_array_index (watcher->in_flight, MpaioFeedInFlight, i);
      gboolean                 found = FALSE;

      g_assert_cmpint (chunk->sent_us, >=, mpaio_run_report_get_start_time (report));
      for (guint r = 0; r < mpaio_run_report_get_n_records (report) && !found; r++)
        {
          const MpaioChunkRecord *record = mpaio_run_report_get_record (report, r);

          if (record->worker_index != chunk->worker_index)
            continue;
          if (record->chunk_index != chunk->chunk_index)
            continue;
          found = TRUE;
          g_assert_cmpuint (record->start_row, ==, chunk->start_row);
          g_assert_cmpuint (record->end_row, ==, chunk->end_row);
          g_assert_cmpint (chunk->sent_us, <=, record->returned_us);
        }
      g_assert_true (found);
    }
}

static void
test_watched_run (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioProcessPool) pool = mpaio_process_pool_new (2, &error);
  g_autoptr(MpaioOrchestrator) orchestrator = NULL;
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(Watcher) watcher = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) info = NULL;
  g_autoptr(GArray) fetched = g_array_new (FALSE, FALSE, sizeof (MpaioFeedRecord));
  guint run_id;
  char *state = NULL;

  g_test_summary ("A watcher sees every chunk record of a published run, in batches, as the "
                  "run's report has them, and GetRun() returns the same; the chunks out are "
                  "named while they are out");

  g_assert_no_error (error);
  mpaio_set_monitoring_enabled (TRUE);
  g_assert_true (mpaio_get_monitoring_enabled ());
  watcher = watcher_new ();
  g_variant_unref (call (watcher, "Watch", NULL));

  /* 60 chunks of 10 ms on 2 processes: about 300 ms, so more than one batch. */
  orchestrator = new_orchestrator (pool, 60, 10000);
  report = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_no_error (error);

  while (!watcher->finished)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpstr (watcher->state, ==, "finished");
  g_assert_cmpuint (watcher->n_progress, >=, 2);
  g_assert_cmpuint (watcher->n_samples, >=, 1);
  g_assert_cmpuint (watcher->n_records_announced, ==, mpaio_run_report_get_n_records (report));

  reply = call_full (watcher, "org.freedesktop.DBus.Properties", "Get",
                     g_variant_new ("(ss)", "org.mpaio.Program1", "CurrentRun"));
  {
    g_autoptr(GVariant) value = NULL;

    g_variant_get (reply, "(v)", &value);
    run_id = g_variant_get_uint32 (value);
  }
  g_assert_cmpuint (run_id, >=, 1);
  g_clear_pointer (&reply, g_variant_unref);

  info = get_run (watcher, run_id, fetched);
  assert_same_records (report, fetched, pool, NULL);
  assert_in_flight_were_out (watcher, report);
  g_assert_true (g_variant_lookup (info, "state", "&s", &state));
  g_assert_cmpstr (state, ==, "finished");
  /* A run on one machine: its samples' columns are that machine's cores. */
  {
    g_autoptr(GVariant) names = g_variant_lookup_value (info, "core-names", NULL);

    g_assert_null (names);
  }

  g_variant_unref (call (watcher, "Unwatch", NULL));
}

static void
test_unwatched_run_sends_no_records (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioProcessPool) pool = mpaio_process_pool_new (2, &error);
  g_autoptr(MpaioOrchestrator) orchestrator = NULL;
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(Watcher) watcher = NULL;

  g_test_summary ("Without a watcher only the run's start and end are announced");

  g_assert_no_error (error);
  mpaio_set_monitoring_enabled (TRUE);
  watcher = watcher_new ();

  orchestrator = new_orchestrator (pool, 40, 10000);
  report = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_no_error (error);

  while (!watcher->finished)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpuint (watcher->n_progress, ==, 0);
  g_assert_cmpuint (mpaio_run_report_get_n_records (report), ==, 40);

  /* Asked for afterwards, the whole run is there. */
  {
    g_autoptr(GArray) fetched = g_array_new (FALSE, FALSE, sizeof (MpaioFeedRecord));
    g_autoptr(GVariant) info = NULL;
    g_autoptr(GVariant) reply =
                 call_full (watcher, "org.freedesktop.DBus.Properties", "Get",
                            g_variant_new ("(ss)", "org.mpaio.Program1", "CurrentRun"));
    g_autoptr(GVariant) value = NULL;

    g_variant_get (reply, "(v)", &value);
    info = get_run (watcher, g_variant_get_uint32 (value), fetched);
    assert_same_records (report, fetched, pool, NULL);
  }
}

static MpaioRunReport *
run_watched (Watcher *watcher, MpaioOrchestrator *orchestrator, GError **error)
{
  MpaioRunReport *report;

  watcher->finished = FALSE;
  g_variant_unref (call (watcher, "Watch", NULL));
  report = mpaio_test_run (orchestrator, watcher->cancel_on_progress, error);
  while (!watcher->finished)
    g_main_context_iteration (NULL, TRUE);

  return report;
}

static GArray *
fetch_current_run (Watcher *watcher, GVariant **info)
{
  GArray *fetched = g_array_new (FALSE, FALSE, sizeof (MpaioFeedRecord));
  g_autoptr(GVariant) reply = call_full (watcher, "org.freedesktop.DBus.Properties", "Get",
                                          g_variant_new ("(ss)", "org.mpaio.Program1",
                                                         "CurrentRun"));
  g_autoptr(GVariant) value = NULL;

  g_variant_get (reply, "(v)", &value);
  *info = get_run_full (watcher, g_variant_get_uint32 (value), fetched, FALSE);
  return fetched;
}

static void
test_failed_chunks (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioProcessPool) pool = mpaio_process_pool_new (2, &error);
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (12);
  g_autoptr(MpaioDataIterator) iterator = NULL;
  g_autoptr(MpaioTestFailWorker) worker = NULL;
  g_autoptr(MpaioOrchestrator) orchestrator = NULL;
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(Watcher) watcher = NULL;
  g_autoptr(GArray) fetched = NULL;
  g_autoptr(GVariant) info = NULL;
  guint n_failed = 0;

  g_test_summary ("A failed chunk travels as failed, the others as completed");

  g_assert_no_error (error);
  iterator = mpaio_data_iterator_new (array, 1, &error);
  g_assert_no_error (error);
  worker = mpaio_test_fail_worker_new (iterator, 5);
  orchestrator = mpaio_orchestrator_new (MPAIO_EXECUTOR (pool), (MpaioWorker **) &worker, 1);
  mpaio_orchestrator_set_error_policy (orchestrator, MPAIO_ERROR_POLICY_CONTINUE);
  mpaio_set_monitoring_enabled (TRUE);
  watcher = watcher_new ();

  report = run_watched (watcher, orchestrator, &error);
  g_assert_nonnull (error);
  g_assert_cmpstr (watcher->state, ==, "failed");
  report = g_object_ref (mpaio_orchestrator_get_last_report (orchestrator));

  fetched = fetch_current_run (watcher, &info);
  assert_same_records (report, fetched, pool, NULL);
  for (guint i = 0; i < fetched->len; i++)
    {
      const MpaioFeedRecord *record = &g_array_index (fetched, MpaioFeedRecord, i);

      g_assert_cmpuint (record->outcome, ==,
                        record->chunk_index == 5 ? MPAIO_CHUNK_OUTCOME_FAILED
                                                 : MPAIO_CHUNK_OUTCOME_DONE);
      n_failed += record->outcome == MPAIO_CHUNK_OUTCOME_FAILED;
    }
  g_assert_cmpuint (n_failed, ==, 1);
}

static void
test_cancelled_chunks (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioProcessPool) pool = mpaio_process_pool_new (2, &error);
  g_autoptr(MpaioOrchestrator) orchestrator = NULL;
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(Watcher) watcher = NULL;
  g_autoptr(GArray) fetched = NULL;
  g_autoptr(GVariant) info = NULL;
  guint n_by_outcome[MPAIO_CHUNK_OUTCOME_NOT_SENT + 1] = { 0 };

  g_test_summary ("A run cancelled midway publishes its chunks cancelled and never sent as such, "
                  "and the records file ends with the report's outcomes");

  g_assert_no_error (error);
  mpaio_set_monitoring_enabled (TRUE);
  watcher = watcher_new ();
  watcher->cancel_on_progress = g_cancellable_new ();

  /* 10 ms chunks, cancelled once the first have come back; delivered in
   * order, so results that came back early are held, and cancelled with
   * the run after they were published as completed. */
  orchestrator = new_orchestrator (pool, 400, 10000);
  mpaio_orchestrator_set_ordered (orchestrator, TRUE);
  report = run_watched (watcher, orchestrator, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpstr (watcher->state, ==, "cancelled");
  report = g_object_ref (mpaio_orchestrator_get_last_report (orchestrator));

  fetched = fetch_current_run (watcher, &info);
  assert_same_records (report, fetched, pool, NULL);
  for (guint i = 0; i < fetched->len; i++)
    n_by_outcome[g_array_index (fetched, MpaioFeedRecord, i).outcome]++;
  g_assert_cmpuint (n_by_outcome[MPAIO_CHUNK_OUTCOME_DONE], >, 0);
  g_assert_cmpuint (n_by_outcome[MPAIO_CHUNK_OUTCOME_CANCELLED], >, 0);
  g_assert_cmpuint (n_by_outcome[MPAIO_CHUNK_OUTCOME_NOT_SENT], >, 0);
  g_assert_cmpuint (fetched->len, ==, 400);
}

static void
test_hosts (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioProcessPool) pool = mpaio_process_pool_new (2, &error);
  g_autoptr(MpaioExecutor) executor = NULL;
  g_autoptr(MpaioOrchestrator) orchestrator = NULL;
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(Watcher) watcher = NULL;
  g_autoptr(GArray) fetched = NULL;
  g_autoptr(GVariant) info = NULL;
  g_auto(GStrv) info_hosts = NULL;
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (20);
  g_autoptr(MpaioDataIterator) iterator = NULL;
  g_autoptr(MpaioTestSpinWorker) worker = NULL;

  g_test_summary ("The machine each chunk ran on travels with it: an index into the run's "
                  "hosts, none for this machine");

  g_assert_no_error (error);
  iterator = mpaio_data_iterator_new (array, 1, &error);
  g_assert_no_error (error);
  worker = mpaio_test_spin_worker_new (iterator, 1000, -1);
  executor = test_host_executor_new (MPAIO_EXECUTOR (pool));
  orchestrator = mpaio_orchestrator_new (executor, (MpaioWorker **) &worker, 1);
  mpaio_set_monitoring_enabled (TRUE);
  watcher = watcher_new ();

  report = run_watched (watcher, orchestrator, &error);
  g_assert_no_error (error);

  fetched = fetch_current_run (watcher, &info);
  /* Named once each, in the order they first came. */
  g_assert_true (g_variant_lookup (info, "hosts", "^as", &info_hosts));
  g_assert_cmpuint (g_strv_length (info_hosts), ==, 2);
  g_assert_cmpstr (info_hosts[0], !=, info_hosts[1]);
  g_assert_cmpstrv (info_hosts, watcher->hosts);
  assert_same_records (report, fetched, pool, (const char *const *) info_hosts);
  for (guint i = 0; i < fetched->len; i++)
    {
      const MpaioFeedRecord *record = &g_array_index (fetched, MpaioFeedRecord, i);

      if (record->chunk_index == 0)
        g_assert_cmpuint (record->host, ==, 0);
      else
        g_assert_cmpstr (info_hosts[record->host - 1], ==,
                         record->chunk_index % 2 == 1 ? "node-a" : "node-b");
    }
}

static void
test_off_publishes_nothing (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) connection = mpaio_test_new_bus_connection ();
  g_autoptr(MpaioProcessPool) pool = mpaio_process_pool_new (2, &error);
  g_autoptr(MpaioOrchestrator) orchestrator = NULL;
  g_autoptr(MpaioRunReport) report = NULL;
  g_autofree char *name = g_strdup_printf ("org.mpaio.Program.instance%d", (int) getpid ());

  g_test_summary ("With monitoring off the program is not on the bus");

  g_assert_no_error (error);
  mpaio_set_monitoring_enabled (FALSE);
  g_assert_false (mpaio_get_monitoring_enabled ());

  orchestrator = new_orchestrator (pool, 10, 0);
  report = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (name_has_owner (connection, name));
}

int
main (int argc, char **argv)
{
  mpaio_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  /* Off first: the other tests turn it on. */
  g_test_add_func ("/publishing/off", test_off_publishes_nothing);
  g_test_add_func ("/publishing/watched", test_watched_run);
  g_test_add_func ("/publishing/unwatched", test_unwatched_run_sends_no_records);
  g_test_add_func ("/publishing/failed-chunks", test_failed_chunks);
  g_test_add_func ("/publishing/cancelled-chunks", test_cancelled_chunks);
  g_test_add_func ("/publishing/hosts", test_hosts);

  return g_test_run ();
}
