/* test-mpi-publish.c: the live CPU feed of a run across hosts
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Started by dbus-run-session (a private bus) around mpirun with 3 ranks,
 * TCP only and MPAIO_MPI_HOST_PER_RANK=1 (tests/mpi/meson.build): rank 0
 * publishes its runs, and watches them from a connection of its own, as
 * mpaio-monitor would. Ranks 1 and 2 serve in mpaio_test_init().
 */

#include <string.h>
#include <unistd.h>

#include <mpaio.h>

#include "mpaio-test-workers.h"

static MpaioMpiExecutor *executor;

typedef struct
{
  GDBusConnection   *connection;
  char              *name;
  char              *path;
  GStrv              hosts;      /* the executor's, rank 0's first */
  GStrv              core_names; /* from the run's information */
  gboolean           finished;   /* RunFinished came */
  guint              n_samples;  /* in Progress signals */
  gboolean           every_host; /* a sample showed every host working */
  gboolean           before_end; /* ... and the run was not over then */
  guint              bad_widths; /* samples not as wide as the names */
  MpaioOrchestrator *orchestrator;
  GCancellable      *cancellable; /* cancelled once every host was seen */
} Feed;

/* Whether @values has a busy core among the columns of @host. */
static gboolean
host_is_busy (Feed *feed, const char *host, const gdouble *values, gsize n_values)
{
  g_autofree char *prefix = g_strdup_printf ("%s/core_", host);

  for (gsize c = 0; c < n_values && feed->core_names[c] != NULL; c++)
    if (g_str_has_prefix (feed->core_names[c], prefix) && values[c] > 0)
      return TRUE;

  return FALSE;
}

static void
check_samples (Feed *feed, GVariant *samples)
{
  GVariantIter iter;
  GVariant    *cores;
  gdouble      time, total;

  g_variant_iter_init (&iter, samples);
  while (g_variant_iter_next (&iter, "(d@add)", &time, &cores, &total))
    {
      gsize          n_values = 0;
      const gdouble *values = g_variant_get_fixed_array (cores, &n_values, sizeof (gdouble));
      gboolean       all = TRUE;

      feed->n_samples++;
      if (n_values != g_strv_length (feed->core_names))
        feed->bad_widths++;
      for (guint h = 0; feed->hosts[h] != NULL && n_values == g_strv_length (feed->core_names); h++)
        all = all && host_is_busy (feed, feed->hosts[h], values, n_values);
      if (all && !feed->every_host && n_values > 0)
        {
          feed->every_host = TRUE;
          feed->before_end = !feed->finished && mpaio_orchestrator_get_running (feed->orchestrator);
          g_cancellable_cancel (feed->cancellable);
        }
      g_variant_unref (cores);
    }
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
  Feed *feed = user_data;

  if (g_strcmp0 (path, feed->path) != 0)
    return;

  if (g_str_equal (signal, "Progress") && feed->core_names != NULL)
    {
      g_autoptr(GVariant) samples = NULL;

      g_assert_true (
        g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(utuua(dadd)a(utttx)as)")));
      samples = g_variant_get_child_value (parameters, 4);
      check_samples (feed, samples);
    }
  else if (g_str_equal (signal, "RunFinished"))
    feed->finished = TRUE;
}

static void
on_name_appeared (GDBusConnection *connection,
                  const char      *name,
                  const char      *owner,
                  gpointer         user_data)
{
  *(gboolean *) user_data = TRUE;
}

static void
on_call_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* The program answers on this thread's main context: calls must not block
 * it. */
static GVariant *
call (Feed *feed, const char *interface, const char *method, GVariant *parameters)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GUnixFDList) fd_list = NULL;
  GVariant *reply;

  g_dbus_connection_call_with_unix_fd_list (feed->connection, feed->name, feed->path, interface,
                                            method, parameters, NULL, G_DBUS_CALL_FLAGS_NONE, -1,
                                            NULL, NULL, on_call_done, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  reply = g_dbus_connection_call_with_unix_fd_list_finish (feed->connection, &fd_list, result,
                                                           &error);
  g_assert_no_error (error);
  return reply;
}

/* The names of the columns, in the information of the run going on. */
static void
read_core_names (Feed *feed)
{
  g_autoptr(GVariant) current = NULL;
  g_autoptr(GVariant) value = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) info = NULL;
  g_autoptr(GVariant) samples = NULL;
  guint32 n_cores = 0;
  gint32  handle;
  guint64 n_records;

  current = call (feed, "org.freedesktop.DBus.Properties", "Get",
                  g_variant_new ("(ss)", "org.mpaio.Program1", "CurrentRun"));
  g_variant_get (current, "(v)", &value);
  reply = call (feed, "org.mpaio.Program1", "GetRun",
                g_variant_new ("(u)", g_variant_get_uint32 (value)));
  g_variant_get (reply, "(@a{sv}ht@a(dadd))", &info, &handle, &n_records, &samples);

  g_assert_true (g_variant_lookup (info, "core-names", "^as", &feed->core_names));
  g_assert_true (g_variant_lookup (info, "n-cores", "u", &n_cores));
  g_assert_cmpuint (n_cores, ==, g_strv_length (feed->core_names));
  check_samples (feed, samples);
}

/* A published run on the MPI executor: the watcher gets CPU samples of
 * every rank's host while the run goes on, in columns named host/core_N,
 * each host's showing its spinning chunks. */
static void
test_live_cpu_of_every_host (void)
{
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (20000);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (array, 2000);
  g_autoptr(MpaioTestFaultWorker) worker = NULL;
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  MpaioWorker *workers[1];
  Feed         feed = { 0 };
  gboolean     appeared = FALSE;
  guint        subscription, watch_id;

  g_test_summary ("A watcher of a published MPI run receives, before the run ends, CPU "
                  "samples with columns of every rank's host, named in the run's information");

  feed.hosts = mpaio_mpi_executor_get_hosts (executor);
  g_assert_cmpuint (g_strv_length (feed.hosts), ==, 3);
  feed.connection = mpaio_test_new_bus_connection ();
  feed.name = g_strdup_printf ("org.mpaio.Program.instance%d", (int) getpid ());
  feed.path = g_strdup_printf ("/org/mpaio/Program/%d", (int) getpid ());
  feed.cancellable = g_cancellable_new ();
  subscription =
    g_dbus_connection_signal_subscribe (feed.connection, NULL, "org.mpaio.Program1", NULL, NULL,
                                        NULL, G_DBUS_SIGNAL_FLAGS_NONE, on_signal, &feed, NULL);

  /* 2000 chunks of 20 ms on 3 hosts: far longer than it takes every host
   * to be sampled, and cancelled once they were. */
  worker = mpaio_test_fault_worker_new (iterator, MPAIO_TEST_CRASH_SIGKILL, -1);
  g_object_set (worker, "spin-us", 20000, NULL);
  workers[0] = MPAIO_WORKER (worker);
  feed.orchestrator = mpaio_orchestrator_new (MPAIO_EXECUTOR (executor), workers, 1);
  mpaio_set_monitoring_enabled (TRUE);
  mpaio_orchestrator_run_async (feed.orchestrator, feed.cancellable, mpaio_test_store_result,
                                &result);

  /* The program takes its name when its first run is published. */
  watch_id = g_bus_watch_name_on_connection (feed.connection, feed.name,
                                             G_BUS_NAME_WATCHER_FLAGS_NONE, on_name_appeared, NULL,
                                             &appeared, NULL);
  while (!appeared && result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_bus_unwatch_name (watch_id);
  g_assert_true (appeared);

  g_variant_unref (call (&feed, "org.mpaio.Program1", "Watch", NULL));
  read_core_names (&feed);
  for (guint h = 0; h < 3; h++)
    {
      g_autofree char *column = g_strdup_printf ("%s/core_0", feed.hosts[h]);

      g_assert_true (g_strv_contains ((const char *const *) feed.core_names, column));
    }

  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  report = mpaio_orchestrator_run_finish (feed.orchestrator, result, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* What the program sent before its RunFinished is all here by then. */
  while (!feed.finished)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpuint (feed.n_samples, >, 0);
  g_assert_cmpuint (feed.bad_widths, ==, 0);
  g_assert_true (feed.every_host);
  g_assert_true (feed.before_end);

  mpaio_set_monitoring_enabled (FALSE);
  g_dbus_connection_signal_unsubscribe (feed.connection, subscription);
  g_dbus_connection_close_sync (feed.connection, NULL, NULL);
  g_object_unref (feed.connection);
  g_object_unref (feed.orchestrator);
  g_object_unref (feed.cancellable);
  g_strfreev (feed.hosts);
  g_strfreev (feed.core_names);
  g_free (feed.name);
  g_free (feed.path);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  mpaio_test_ensure_fault_workers ();
  /* Ranks other than 0 serve here until rank 0 ends the job. */
  mpaio_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  executor = mpaio_mpi_executor_new (1, &error);
  g_assert_no_error (error);

  g_test_add_func ("/mpi/publish/live-cpu-of-every-host", test_live_cpu_of_every_host);

  status = g_test_run ();

  g_object_unref (executor);
  return status;
}
