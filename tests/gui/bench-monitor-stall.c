/* bench-monitor-stall.c: how long the window stops drawing during a big run
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Opens the monitor's window, lets it settle, then runs the sum workload in
 * 100 000 chunks twice while the chart and the timeline draw live: the
 * first run makes the array and warms the worker processes up, the second
 * is measured. It reports
 * the frame clock's rhythm during the run: the longest gap between two
 * frames (how long the window froze), its 99th percentile, and the longest
 * frame's own work (what drawing costs, as opposed to waiting for the run's
 * results to let the main loop go).
 *
 *   xvfb-run -a bench-monitor-stall [--rows N] [--partitions N] [--workers N] [--executor KIND]
 *                                   [--verbose]
 */

#include <stdlib.h>

#include <gtk/gtk.h>
#include <mpaio.h>

#include "monitor-workers.h"
#include "monitor-application.h"
#include "monitor-window.h"

typedef struct
{
  GtkApplication  *application;
  MonitorRunPanel *panel;
  GArray          *gaps; /* gint64 µs between frame starts */
  gint64           last_start;
  gint64           frame_start;
  gint64           longest_work;
  gint64           run_start;
  gboolean         measuring;
  gboolean         verbose;
  guint            n_runs;
  gint64           rows;
  int              partitions;
  int              workers;
  char            *executor;
} Bench;

static void
on_before_paint (GdkFrameClock *clock,
                 Bench         *bench)
{
  gint64 now = g_get_monotonic_time ();

  if (bench->measuring && bench->last_start != 0)
    {
      g_array_append_val (bench->gaps, (gint64){ now - bench->last_start });
      if (bench->verbose && now - bench->last_start > 40000)
        g_print ("%.1f ms without a frame, ending %.3f s into the run\n",
                 (now - bench->last_start) / 1000.0, (now - bench->run_start) / 1e6);
    }
  bench->last_start = now;
  bench->frame_start = now;
}

static void
on_after_paint (GdkFrameClock *clock,
                Bench         *bench)
{
  if (bench->measuring)
    bench->longest_work = MAX (bench->longest_work, g_get_monotonic_time () - bench->frame_start);
}

static int
compare_gaps (gconstpointer a,
              gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static gboolean start_run (gpointer user_data);

static void
on_run_finished (MonitorRunPanel *panel,
                 gboolean         success,
                 Bench           *bench)
{
  guint n = bench->gaps->len;

  if (++bench->n_runs == 1)
    {
      g_print ("warm-up run: %s\n", monitor_run_panel_get_summary (panel));
      g_idle_add (start_run, bench);
      return;
    }

  bench->measuring = FALSE;
  g_array_sort (bench->gaps, compare_gaps);

  g_print ("%s\n", monitor_run_panel_get_summary (panel));
  if (n > 0)
    g_print ("frames during the run: %u; longest gap between frames: %.1f ms; 99th percentile: "
             "%.1f ms; median: %.1f ms; longest frame's own work: %.1f ms\n",
             n + 1, g_array_index (bench->gaps, gint64, n - 1) / 1000.0,
             g_array_index (bench->gaps, gint64, MIN (n - 1, n * 99 / 100)) / 1000.0,
             g_array_index (bench->gaps, gint64, n / 2) / 1000.0, bench->longest_work / 1000.0);

  g_application_quit (G_APPLICATION (bench->application));
}

static gboolean
start_run (gpointer user_data)
{
  Bench              *bench = user_data;
  MonitorExecutorKind kind;

  monitor_run_panel_set_workload (bench->panel, MONITOR_WORKLOAD_SUM);
  monitor_run_panel_set_n_rows (bench->panel, (guint64) bench->rows);
  monitor_run_panel_set_n_partitions (bench->panel, (guint) bench->partitions);
  if (bench->workers > 0)
    monitor_run_panel_set_n_workers (bench->panel, (guint) bench->workers);
  if (bench->executor != NULL && monitor_executor_kind_from_string (bench->executor, &kind))
    monitor_run_panel_set_executor_kind (bench->panel, kind);

  /* The run proper: the array is made on the first only. */
  bench->measuring = bench->n_runs == 1;
  bench->run_start = g_get_monotonic_time ();
  monitor_run_panel_start (bench->panel);

  return G_SOURCE_REMOVE;
}

static void
on_activate (GtkApplication *application,
             Bench          *bench)
{
  MonitorWindow *window = monitor_window_new (application, 200, 60);
  GdkFrameClock *clock;

  bench->panel = monitor_window_get_run_panel (window);
  g_signal_connect (bench->panel, "run-finished", G_CALLBACK (on_run_finished), bench);
  gtk_window_present (GTK_WINDOW (window));

  clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  g_signal_connect (clock, "before-paint", G_CALLBACK (on_before_paint), bench);
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), bench);

  /* A second to settle: start-up frames are not the run's. */
  g_timeout_add_seconds (1, start_run, bench);
}

int
main (int    argc,
      char **argv)
{
  Bench              bench = { 0 };
  const GOptionEntry entries[] = {
    { "rows", 0, 0, G_OPTION_ARG_INT64, &bench.rows, "Rows to sum (default: 50000000)", "N" },
    { "partitions", 0, 0, G_OPTION_ARG_INT, &bench.partitions, "Chunks (default: 100000)", "N" },
    { "workers", 0, 0, G_OPTION_ARG_INT, &bench.workers, "Workers (default: one per core)", "N" },
    { "executor", 0, 0, G_OPTION_ARG_STRING, &bench.executor, "process or thread", "KIND" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &bench.verbose, "Print every gap over 40 ms", NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  monitor_workers_ensure_types ();
  mpaio_init (&argc, &argv);

  /* The renderer the app would use on this machine. */
  monitor_application_choose_renderer ();

  bench.rows = 50000000;
  bench.partitions = 100000;
  context = g_option_context_new ("— frame gaps of mpaio-monitor during a run");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
    }

  bench.gaps = g_array_new (FALSE, FALSE, sizeof (gint64));
  bench.application = gtk_application_new ("org.mpaio.Monitor.Bench", G_APPLICATION_NON_UNIQUE);
  g_signal_connect (bench.application, "activate", G_CALLBACK (on_activate), &bench);
  status = g_application_run (G_APPLICATION (bench.application), 1, argv);

  g_object_unref (bench.application);
  g_array_unref (bench.gaps);
  g_free (bench.executor);

  return status;
}
