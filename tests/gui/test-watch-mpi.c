/* test-watch-mpi.c: the window watching a run across hosts, live
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Started by dbus-run-session (a private bus) and xvfb-run around mpirun
 * with 3 ranks, TCP only and MPAIO_MPI_HOST_PER_RANK=1 (gui/meson.build).
 * Rank 0 is both the program, publishing its runs, and the monitor's
 * window, watching it over a connection of its own as mpaio-monitor
 * --attach would. Ranks 1 and 2 serve in mpaio_init().
 */

#include <string.h>
#include <unistd.h>

#include <gtk/gtk.h>
#include <mpaio.h>

#include "demo-add-int-worker.h"
#include "monitor-chart-drawing.h"
#include "monitor-window.h"

#define N_CHUNKS       500
#define ROWS_PER_CHUNK 1000
/* About 50 ms of CPU a chunk: the run lasts far longer than it takes
 * every host to be sampled, and is cancelled once the chart showed them. */
#define ROUNDS 20000

static void
store_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GDBusConnection *
new_private_connection (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, &error);
  GDBusConnection *connection;

  g_assert_no_error (error);
  connection = g_dbus_connection_new_for_address_sync (
    address,
    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
    NULL, NULL, &error);
  g_assert_no_error (error);

  return connection;
}

/* Whether the chart shows a sample in which a core of each of @hosts is
 * busy: the columns of every host, named, with values from each. */
static gboolean
chart_shows_every_host (MonitorCpuChart *chart, const char *const *hosts)
{
  const char *const *names = monitor_cpu_chart_get_core_names (chart);
  GListModel        *samples = monitor_cpu_chart_get_model (chart);

  if (names == NULL || samples == NULL)
    return FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (samples); i++)
    {
      g_autoptr(MpaioCpuSample) sample = g_list_model_get_item (samples, i);
      guint          n_values = 0;
      const gdouble *values = mpaio_cpu_sample_get_values (sample, &n_values);
      guint          n_busy = 0;

      g_assert_cmpuint (n_values, ==, g_strv_length ((char **) names));
      for (guint h = 0; hosts[h] != NULL; h++)
        {
          g_autofree char *prefix = g_strdup_printf ("%s/core_", hosts[h]);
          gboolean         busy = FALSE;

          for (guint c = 0; c < n_values; c++)
            busy = busy || (g_str_has_prefix (names[c], prefix) && values[c] > 0);
          n_busy += busy;
        }
      if (n_busy == g_strv_length ((char **) hosts))
        return TRUE;
    }

  return FALSE;
}

/* The machine of a column `host/core_N`. */
static char *
host_of (const char *name)
{
  const char *slash = strrchr (name, '/');

  return slash != NULL ? g_strndup (name, (gsize) (slash - name)) : g_strdup ("");
}

static void
test_live_chart_of_every_host (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioMpiExecutor) executor = mpaio_mpi_executor_new (1, &error);
  guint64 n_rows = N_CHUNKS * ROWS_PER_CHUNK;
  g_autoptr(MpaioSharedArray) array = mpaio_shared_array_new (MPAIO_DTYPE_INT64, &n_rows, 1, NULL);
  g_autoptr(MpaioDataIterator) iterator = mpaio_data_iterator_new (array, ROWS_PER_CHUNK, NULL);
  g_autoptr(DemoAddIntWorker) worker = NULL;
  g_autoptr(MpaioOrchestrator) orchestrator = NULL;
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GDBusConnection) connection = new_private_connection ();
  g_autoptr(MonitorProgramWatcher) watcher = NULL;
  g_autoptr(GtkApplication) application = NULL;
  g_auto(GStrv) hosts = NULL;
  MonitorWindow     *window;
  MonitorCpuChart   *chart;
  MonitorRun        *selected;
  const char *const *names;
  MpaioWorker       *workers[1];
  gboolean           live;
  guint              n_host_changes = 0;

  g_test_summary ("The window watching a published MPI run charts, while the run goes on, the "
                  "cores of every rank's host, named and grouped by host");

  g_assert_no_error (error);
  hosts = mpaio_mpi_executor_get_hosts (executor);
  g_assert_cmpuint (g_strv_length (hosts), ==, 3);

  application = gtk_application_new ("org.mpaio.Monitor.TestWatchMpi", G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (application), NULL, &error);
  g_assert_no_error (error);
  window = monitor_window_new (application, 200, 60);
  chart = monitor_window_get_chart (window);
  gtk_window_present (GTK_WINDOW (window));
  watcher = monitor_program_watcher_new (connection, getpid ());
  monitor_window_watch (window, watcher);

  worker = demo_add_int_worker_new (iterator, ROUNDS);
  workers[0] = MPAIO_WORKER (worker);
  orchestrator = mpaio_orchestrator_new (MPAIO_EXECUTOR (executor), workers, 1);
  mpaio_set_monitoring_enabled (TRUE);
  mpaio_orchestrator_run_async (orchestrator, cancellable, store_result, &result);

  while (result == NULL && !chart_shows_every_host (chart, (const char *const *) hosts))
    g_main_context_iteration (NULL, TRUE);
  selected = monitor_window_get_selected_run (window);
  live = result == NULL && selected != NULL && monitor_run_get_running (selected);
  names = monitor_cpu_chart_get_core_names (chart);
  g_assert_nonnull (names);
  for (guint h = 0; hosts[h] != NULL; h++)
    {
      g_autofree char *column = g_strdup_printf ("%s/core_0", hosts[h]);

      g_assert_true (g_strv_contains (names, column));
    }
  /* Grouped by host: each host's cores side by side, rank 0's first, and
   * the legend names each core's host. */
  g_assert_true (g_str_has_prefix (names[0], hosts[0]));
  for (guint c = 1; names[c] != NULL; c++)
    {
      g_autofree char *host = host_of (names[c]);
      g_autofree char *before = host_of (names[c - 1]);

      n_host_changes += g_strcmp0 (host, before) != 0;
    }
  g_assert_cmpuint (n_host_changes, ==, 2);
  {
    g_autofree char *label = monitor_chart_get_core_label (names, 0);
    g_autofree char *expected = g_strdup_printf ("%s CPU1", hosts[0]);

    g_assert_cmpstr (label, ==, expected);
  }

  g_cancellable_cancel (cancellable);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  report = mpaio_orchestrator_run_finish (orchestrator, result, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (live);

  mpaio_set_monitoring_enabled (FALSE);
  gtk_window_destroy (GTK_WINDOW (window));
  g_dbus_connection_close_sync (connection, NULL, NULL);
}

int
main (int argc, char **argv)
{
  g_type_ensure (DEMO_TYPE_ADD_INT_WORKER);
  /* Ranks other than 0 serve here until rank 0 ends the job. */
  mpaio_init (&argc, &argv);
  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/watch-mpi/live-chart-of-every-host", test_live_chart_of_every_host);

  return g_test_run ();
}
