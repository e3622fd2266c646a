/* test-hosts-window.c: a saved run across hosts (MPI) reopened in the window
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The window shows a run file's own CPU samples: for a run across hosts
 * that is every host's cores, each named with its host, beside timeline
 * rows of every host's processes.
 */

#include <gtk/gtk.h>
#include <mpaio.h>

#include "monitor-chunk-timeline.h"
#include "monitor-cpu-chart.h"
#include "monitor-run.h"
#include "monitor-window.h"
#include "run-file-fixtures.h"

static void
test_reopen_mpi_run (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TestRunFile) run_file = test_run_file_new_mpi ();
  g_autoptr(GtkApplication) application = NULL;
  g_autoptr(MpaioCpuSample) sample = NULL;
  MonitorWindow     *window;
  MonitorCpuChart   *chart;
  MonitorRun        *run;
  GListModel        *samples;
  const char *const *names;
  guint              n_values = 0;

  g_test_summary ("A saved MPI run reopened in the window shows the CPU of every host, each "
                  "core named with its host, and the processes of every host in the timeline");

  application = gtk_application_new ("org.mpaio.Monitor.TestHostsWindow",
                                     G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (application), NULL, &error);
  g_assert_no_error (error);
  window = monitor_window_new (application, 200, 60);
  chart = monitor_window_get_chart (window);
  gtk_window_present (GTK_WINDOW (window));

  g_assert_true (monitor_window_open_run_file (window, run_file->file, &error));
  g_assert_no_error (error);
  run = monitor_window_get_selected_run (window);
  g_assert_nonnull (run);

  /* The file's samples, three columns over two hosts, not the window's own. */
  samples = monitor_cpu_chart_get_model (chart);
  g_assert_true (samples == mpaio_run_report_get_cpu_samples (monitor_run_get_report (run)));
  g_assert_cmpuint (g_list_model_get_n_items (samples), ==, 41);
  sample = g_list_model_get_item (samples, 0);
  mpaio_cpu_sample_get_values (sample, &n_values);
  g_assert_cmpuint (n_values, ==, 3);
  names = monitor_cpu_chart_get_core_names (chart);
  g_assert_nonnull (names);
  g_assert_cmpuint (g_strv_length ((char **) names), ==, 3);
  g_assert_cmpstr (names[0], ==, "node-a/core_0");
  g_assert_cmpstr (names[1], ==, "node-a/core_1");
  g_assert_cmpstr (names[2], ==, "node-b/core_0");

  /* One row per process: rank 0's on node-a, two on node-b. */
  g_assert_cmpuint (monitor_chunk_timeline_get_n_bars (monitor_window_get_timeline (window)),
                    ==, 3);
  g_assert_cmpuint (monitor_chunk_timeline_get_n_rows (monitor_window_get_timeline (window)),
                    ==, 3);

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char **argv)
{
  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hosts-window/reopen-mpi-run", test_reopen_mpi_run);

  return g_test_run ();
}
