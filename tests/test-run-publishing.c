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
} Watcher;

static GDBusConnection *
new_private_connection (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, &error);
  GDBusConnection *connection;

  g_assert_no_error (error);
  connection =
    g_dbus_connection_new_for_address_sync (address,
                                            G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                            NULL, NULL, &error);
  g_assert_no_error (error);

  return connection;
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
      g_autoptr(GVariant) samples = g_variant_get_child_value (parameters, 4);
      guint64 n_records;

      g_assert_true (g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(utuua(dadd))")));
      g_variant_get_child (parameters, 1, "t", &n_records);
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
get_run (Watcher *watcher, guint run_id, GArray *records)
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
  g_assert_cmpuint (g_variant_n_children (samples), >=, 1);

  map = mmap (NULL, (gsize) st.st_size, PROT_READ, MAP_SHARED, fd, 0);
  g_assert_true (map != MAP_FAILED);
  g_array_append_vals (records, map, (guint) n_records);
  munmap (map, (gsize) st.st_size);
  close (fd);

  return info;
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

  watcher->connection = new_private_connection ();
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

static void
assert_same_records (MpaioRunReport *report, const GArray *records, MpaioProcessPool *pool)
{
  g_assert_cmpuint (records->len, ==, mpaio_run_report_get_n_records (report));
  for (guint i = 0; i < records->len; i++)
    {
      const MpaioFeedRecord  *got = &g_array_index (records, MpaioFeedRecord, i);
      const MpaioChunkRecord *want = mpaio_run_report_get_record (report, i);

      g_assert_cmpuint (got->outcome, ==, MPAIO_FEED_OUTCOME_COMPLETED);
      g_assert_cmpuint (got->chunk_index, ==, want->chunk_index);
      g_assert_cmpuint (got->start_row, ==, want->start_row);
      g_assert_cmpuint (got->end_row, ==, want->end_row);
      g_assert_cmpint (got->pid, ==, want->pid);
      g_assert_true (is_pool_pid (pool, got->pid));
      g_assert_cmpint (got->sent_us, ==, want->sent_us);
      g_assert_cmpint (got->started_us, ==, want->started_us);
      g_assert_cmpint (got->finished_us, ==, want->finished_us);
      g_assert_cmpint (got->returned_us, ==, want->returned_us);
      g_assert_cmpint (got->sent_us, <=, got->returned_us);
      g_assert_cmpint (got->started_us, <=, got->finished_us);
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
                  "run's report has them, and GetRun() returns the same");

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
  assert_same_records (report, fetched, pool);
  g_assert_true (g_variant_lookup (info, "state", "&s", &state));
  g_assert_cmpstr (state, ==, "finished");

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
    assert_same_records (report, fetched, pool);
  }
}

static void
test_off_publishes_nothing (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) connection = new_private_connection ();
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

  return g_test_run ();
}
