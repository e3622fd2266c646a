/* test-run-panel.c: demo runs from the panel, in real worker processes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * This program is its own worker: the pool starts it again, and
 * mpaio_init() serves chunks in those copies.
 */

#include <unistd.h>

#include <gtk/gtk.h>
#include <mpaio.h>

#include "gui-test-util.h"
#include "monitor-format.h"
#include "monitor-workers.h"
#include "monitor-chunk-timeline.h"
#include "monitor-run-panel.h"

typedef struct
{
  GtkWindow            *window;
  MonitorRunPanel      *panel;
  MonitorChunkTimeline *timeline;
  gboolean              finished;
  gboolean              success;
  guint                 n_sent;
  guint                 n_cancelled;
} Fixture;

static void
on_chunk_sent (MonitorRunPanel *panel,
               guint64          serial,
               gint64           sent_us,
               Fixture         *fixture)
{
  fixture->n_sent++;
  monitor_chunk_timeline_add_in_flight (fixture->timeline, serial, sent_us);
}

static void
on_chunk_done (MonitorRunPanel  *panel,
               guint64           serial,
               const char       *worker_name,
               MpaioChunkRecord *record,
               guint             outcome,
               Fixture          *fixture)
{
  monitor_chunk_timeline_remove_in_flight (fixture->timeline, serial);
  monitor_chunk_timeline_add_record_full (fixture->timeline, record, worker_name, outcome);
  if (outcome == MONITOR_CHUNK_CANCELLED)
    fixture->n_cancelled++;
}

static void
on_executor_changed (MonitorRunPanel *panel,
                     Fixture         *fixture)
{
  monitor_chunk_timeline_clear (fixture->timeline);
}

static void
on_run_finished (MonitorRunPanel *panel,
                 gboolean         success,
                 Fixture         *fixture)
{
  fixture->finished = TRUE;
  fixture->success = success;
}

static void
fixture_setup (Fixture      *fixture,
               gconstpointer data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);

  fixture->panel = MONITOR_RUN_PANEL (monitor_run_panel_new ());
  fixture->timeline = MONITOR_CHUNK_TIMELINE (monitor_chunk_timeline_new ());
  gtk_widget_set_hexpand (GTK_WIDGET (fixture->timeline), TRUE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (fixture->panel));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (fixture->timeline));
  g_signal_connect (fixture->panel, "chunk-sent", G_CALLBACK (on_chunk_sent), fixture);
  g_signal_connect (fixture->panel, "chunk-done", G_CALLBACK (on_chunk_done), fixture);
  g_signal_connect (fixture->panel, "executor-changed", G_CALLBACK (on_executor_changed), fixture);
  g_signal_connect (fixture->panel, "run-finished", G_CALLBACK (on_run_finished), fixture);
  fixture->window = test_show_in_window (box, 900, 500);
}

static void
fixture_teardown (Fixture      *fixture,
                  gconstpointer data)
{
  test_destroy_window (fixture->window);
}

static void
run_to_end (Fixture *fixture)
{
  fixture->finished = FALSE;
  monitor_run_panel_start (fixture->panel);
  g_assert_true (monitor_run_panel_get_running (fixture->panel));
  while (!fixture->finished)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (monitor_run_panel_get_running (fixture->panel));
}

static void
test_sum (Fixture      *fixture,
          gconstpointer data)
{
  monitor_run_panel_set_workload (fixture->panel, MONITOR_WORKLOAD_SUM);
  monitor_run_panel_set_n_rows (fixture->panel, 100000);
  monitor_run_panel_set_n_workers (fixture->panel, 2);
  monitor_run_panel_set_n_partitions (fixture->panel, 10);
  run_to_end (fixture);

  g_test_message ("%s", monitor_run_panel_get_summary (fixture->panel));
  g_assert_true (fixture->success);
  {
    /* Numbers grouped by thousands, with the locale's separator. */
    g_autofree char *n = monitor_format_count (100000);
    g_autofree char *total = monitor_format_count (5000050000);
    g_autofree char *expected = g_strdup_printf ("Sum of 1…%s: %s (correct)", n, total);

    g_assert_nonnull (strstr (monitor_run_panel_get_summary (fixture->panel), expected));
    g_assert_null (strstr (monitor_run_panel_get_summary (fixture->panel), "frame"));
  }

  /* One row per worker process, one bar per chunk, none left in flight. */
  g_assert_cmpuint (fixture->n_sent, ==, 10);
  g_assert_cmpuint (monitor_chunk_timeline_get_n_rows (fixture->timeline), ==, 2);
  g_assert_cmpuint (monitor_chunk_timeline_get_n_bars (fixture->timeline), ==, 10);
  g_assert_cmpuint (monitor_chunk_timeline_get_n_in_flight (fixture->timeline), ==, 0);
  for (guint r = 0; r < 2; r++)
    g_assert_cmpint (monitor_chunk_timeline_get_row_pid (fixture->timeline, r), !=, getpid ());
}

static void
test_concat (Fixture      *fixture,
             gconstpointer data)
{
  monitor_run_panel_set_workload (fixture->panel, MONITOR_WORKLOAD_CONCAT);
  monitor_run_panel_set_n_rows (fixture->panel, 1000);
  monitor_run_panel_set_n_workers (fixture->panel, 2);
  monitor_run_panel_set_n_partitions (fixture->panel, 7);
  run_to_end (fixture);

  /* foo_0..foo_999, in order: 10 × 5 + 90 × 6 + 900 × 7 characters. */
  g_assert_true (fixture->success);
  {
    g_autofree char *length = monitor_format_count (6890);
    g_autofree char *expected = g_strdup_printf ("%s characters, “foo_0foo_1foo_2", length);

    g_assert_nonnull (strstr (monitor_run_panel_get_summary (fixture->panel), expected));
  }
  g_assert_cmpuint (monitor_chunk_timeline_get_n_bars (fixture->timeline), ==, 7);
}

static void
test_threads (Fixture      *fixture,
              gconstpointer data)
{
  monitor_run_panel_set_workload (fixture->panel, MONITOR_WORKLOAD_COMPUTE);
  monitor_run_panel_set_n_rows (fixture->panel, 20000);
  monitor_run_panel_set_executor_kind (fixture->panel, MONITOR_EXECUTOR_KIND_THREAD);
  monitor_run_panel_set_n_workers (fixture->panel, 2);
  monitor_run_panel_set_n_partitions (fixture->panel, 8);
  run_to_end (fixture);

  /* Threads run in this process: its rows are lanes of one pid. */
  g_assert_true (fixture->success);
  g_assert_cmpuint (monitor_chunk_timeline_get_n_bars (fixture->timeline), ==, 8);
  g_assert_cmpuint (monitor_chunk_timeline_get_n_rows (fixture->timeline), >=, 1);
  g_assert_cmpuint (monitor_chunk_timeline_get_n_rows (fixture->timeline), <=, 2);
  g_assert_cmpint (monitor_chunk_timeline_get_row_pid (fixture->timeline, 0), ==, getpid ());
}

static gboolean
cancel_later (gpointer user_data)
{
  monitor_run_panel_cancel (MONITOR_RUN_PANEL (user_data));

  return G_SOURCE_REMOVE;
}

static void
test_cancel (Fixture      *fixture,
             gconstpointer data)
{
  gint64 begin;

  /* Two chunks of many seconds each. */
  monitor_run_panel_set_workload (fixture->panel, MONITOR_WORKLOAD_COMPUTE);
  monitor_run_panel_set_n_rows (fixture->panel, 20000000);
  monitor_run_panel_set_rounds (fixture->panel, 1000);
  monitor_run_panel_set_n_workers (fixture->panel, 2);
  monitor_run_panel_set_n_partitions (fixture->panel, 2);
  g_timeout_add (500, cancel_later, fixture->panel);
  begin = g_get_monotonic_time ();
  run_to_end (fixture);

  g_assert_false (fixture->success);
  g_assert_nonnull (strstr (monitor_run_panel_get_summary (fixture->panel), "Cancelled"));
  g_assert_cmpint (g_get_monotonic_time () - begin, <, 5 * G_USEC_PER_SEC);

  /* The same pool runs the next one. */
  monitor_run_panel_set_workload (fixture->panel, MONITOR_WORKLOAD_SUM);
  monitor_run_panel_set_n_rows (fixture->panel, 1000);
  run_to_end (fixture);
  g_assert_true (fixture->success);
}

int
main (int    argc,
      char **argv)
{
  monitor_workers_ensure_types ();
  mpaio_init (&argc, &argv);
  gtk_test_init (&argc, &argv, NULL);

  g_test_add ("/run-panel/sum", Fixture, NULL, fixture_setup, test_sum, fixture_teardown);
  g_test_add ("/run-panel/concat", Fixture, NULL, fixture_setup, test_concat, fixture_teardown);
  g_test_add ("/run-panel/threads", Fixture, NULL, fixture_setup, test_threads, fixture_teardown);
  g_test_add ("/run-panel/cancel", Fixture, NULL, fixture_setup, test_cancel, fixture_teardown);

  return g_test_run ();
}
