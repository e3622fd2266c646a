/* test-run-views.c: how runs are drawn: unfinished chunks, zoom, run files
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include <gtk/gtk.h>
#include <mpaio.h>

#include "gui-test-util.h"
#include "monitor-lane-layout.h"
#include "monitor-run-render.h"
#include "monitor-chart-palette.h"
#include "monitor-chunk-timeline.h"
#include "monitor-cpu-chart.h"
#include "monitor-application.h"
#include "monitor-window.h"
#include "run-file-fixtures.h"

#define T0_US  G_GINT64_CONSTANT (100000000)
#define SPAN_S 10.0
#define WIDTH  640
#define HEIGHT 160

static MpaioChunkRecord
make_record (gint pid, guint64 index, double start_s, double duration_s)
{
  MpaioChunkRecord record = { 0 };

  record.chunk_index = index;
  record.start_row = index * 100;
  record.end_row = (index + 1) * 100;
  record.pid = pid;
  record.sent_us = T0_US + (gint64) (start_s * G_USEC_PER_SEC);
  record.started_us = record.sent_us + 100;
  record.finished_us = T0_US + (gint64) ((start_s + duration_s) * G_USEC_PER_SEC);
  record.returned_us = record.finished_us + 100;

  return record;
}

static double
time_to_x (const graphene_rect_t *row, double time_s)
{
  return row->origin.x + time_s / SPAN_S * row->size.width;
}

static void
test_unfinished_chunks (void)
{
  MonitorChunkTimeline *timeline = MONITOR_CHUNK_TIMELINE (monitor_chunk_timeline_new ());
  MpaioChunkRecord      done = make_record (4242, 0, 1.0, 2.0);
  MpaioChunkRecord      cancelled = make_record (4242, 1, 4.0, 0.0);
  MpaioChunkRecord      failed = make_record (4242, 2, 7.0, 0.0);
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *done_text = NULL;
  g_autofree char *cancelled_text = NULL;
  g_autofree char *failed_text = NULL;
  graphene_rect_t  bounds;
  GdkRGBA          row_color, at_done, at_cancelled_middle, at_cancelled_edge, at_failed;
  TestPixels       pixels;
  GtkWindow       *window;
  int              y;

  g_test_summary ("Cancelled and failed chunks are drawn apart from chunks that completed, "
                  "and their tooltips say so");

  /* Cancelled: sent at 4 s, dropped at 6 s, never started or finished;
   * failed: out from 7 s to 9 s. */
  cancelled.started_us = cancelled.finished_us = 0;
  cancelled.returned_us = T0_US + 6 * G_USEC_PER_SEC;
  failed.started_us = failed.finished_us = 0;
  failed.returned_us = T0_US + 9 * G_USEC_PER_SEC;

  monitor_chunk_timeline_set_history (timeline, SPAN_S);
  monitor_chunk_timeline_set_frozen_time (timeline, T0_US + (gint64) (SPAN_S * G_USEC_PER_SEC));
  monitor_chunk_timeline_add_record_full (timeline, &done, "TestWorker", MONITOR_CHUNK_COMPLETED);
  monitor_chunk_timeline_add_record_full (timeline, &cancelled, "TestWorker",
                                          MONITOR_CHUNK_CANCELLED);
  monitor_chunk_timeline_add_record_full (timeline, &failed, "TestWorker", MONITOR_CHUNK_FAILED);
  window = test_show_in_window (GTK_WIDGET (timeline), WIDTH, HEIGHT);

  g_assert_cmpuint (monitor_chunk_timeline_get_n_rows (timeline), ==, 1);
  g_assert_true (monitor_chunk_timeline_get_row_bounds (timeline, 0, &bounds));
  monitor_chunk_timeline_get_row_color (timeline, 0, &row_color);
  y = (int) (bounds.origin.y + bounds.size.height / 2);

  texture = test_render_widget (GTK_WIDGET (timeline));
  test_pixels_init (&pixels, texture);
  g_assert_true (test_pixels_get (&pixels, (int) time_to_x (&bounds, 2.0), y, &at_done));
  g_assert_true (
    test_pixels_get (&pixels, (int) time_to_x (&bounds, 5.0), y, &at_cancelled_middle));
  g_assert_true (test_pixels_get (&pixels, (int) time_to_x (&bounds, 5.0), (int) bounds.origin.y,
                                  &at_cancelled_edge));
  g_assert_true (test_pixels_get (&pixels, (int) time_to_x (&bounds, 8.0), y, &at_failed));

  /* Work done: the row's colour. Cancelled: an empty frame, not the row's
   * colour, its middle the band behind it. Failed: neither. */
  g_assert_true (test_color_near (&at_done, &row_color, 0.08));
  g_assert_false (test_color_near (&at_cancelled_middle, &row_color, 0.2));
  g_assert_false (test_color_near (&at_cancelled_edge, &row_color, 0.2));
  g_assert_false (test_color_near (&at_cancelled_edge, &at_cancelled_middle, 0.05));
  g_assert_false (test_color_near (&at_failed, &row_color, 0.2));
  g_assert_false (test_color_near (&at_failed, &at_cancelled_edge, 0.2));
  test_pixels_clear (&pixels);

  done_text = monitor_chunk_timeline_describe_at (timeline, time_to_x (&bounds, 2.0), y);
  cancelled_text = monitor_chunk_timeline_describe_at (timeline, time_to_x (&bounds, 5.0), y);
  failed_text = monitor_chunk_timeline_describe_at (timeline, time_to_x (&bounds, 8.0), y);
  g_assert_nonnull (strstr (done_text, "Chunk 0 of TestWorker"));
  g_assert_nonnull (strstr (cancelled_text, "Cancelled: chunk 1 of TestWorker"));
  g_assert_nonnull (strstr (cancelled_text, "without a result"));
  g_assert_null (strstr (cancelled_text, "Ran"));
  g_assert_nonnull (strstr (failed_text, "Failed: chunk 2 of TestWorker"));

  test_destroy_window (window);
}

static void
test_busy_rows (void)
{
  MonitorChunkTimeline *timeline = MONITOR_CHUNK_TIMELINE (monitor_chunk_timeline_new ());
  MpaioChunkRecord      done = make_record (4242, 0, 1.0, 2.0);
  g_autoptr(GdkTexture) busy_texture = NULL;
  g_autoptr(GdkTexture) idle_texture = NULL;
  g_autofree char *text = NULL;
  graphene_rect_t  bounds;
  GdkRGBA          row_color, at_bar, busy, idle;
  TestPixels       pixels;
  GtkWindow       *window;
  int              y;

  g_test_summary ("While chunks are out, a process that brought one back is drawn at work on "
                  "the next, faint, from the end of its last chunk on; not once nothing is out");

  /* Back at 3 s; a chunk out since 2 s, at 10 s still. */
  monitor_chunk_timeline_set_history (timeline, SPAN_S);
  monitor_chunk_timeline_set_frozen_time (timeline, T0_US + (gint64) (SPAN_S * G_USEC_PER_SEC));
  monitor_chunk_timeline_add_record_full (timeline, &done, "TestWorker", MONITOR_CHUNK_COMPLETED);
  monitor_chunk_timeline_add_in_flight (timeline, 1, T0_US + 2 * G_USEC_PER_SEC);
  window = test_show_in_window (GTK_WIDGET (timeline), WIDTH, HEIGHT);

  g_assert_true (monitor_chunk_timeline_get_row_bounds (timeline, 0, &bounds));
  monitor_chunk_timeline_get_row_color (timeline, 0, &row_color);
  y = (int) (bounds.origin.y + bounds.size.height / 2);

  busy_texture = test_render_widget (GTK_WIDGET (timeline));
  test_pixels_init (&pixels, busy_texture);
  g_assert_true (test_pixels_get (&pixels, (int) time_to_x (&bounds, 2.0), y, &at_bar));
  g_assert_true (test_pixels_get (&pixels, (int) time_to_x (&bounds, 6.0), y, &busy));
  test_pixels_clear (&pixels);
  text = monitor_chunk_timeline_describe_at (timeline, time_to_x (&bounds, 6.0), y);
  g_assert_nonnull (text);
  g_assert_nonnull (strstr (text, "at work on a chunk not back yet"));

  monitor_chunk_timeline_remove_in_flight (timeline, 1);
  idle_texture = test_render_widget (GTK_WIDGET (timeline));
  test_pixels_init (&pixels, idle_texture);
  g_assert_true (test_pixels_get (&pixels, (int) time_to_x (&bounds, 6.0), y, &idle));
  test_pixels_clear (&pixels);

  /* At work: a faint shade of the row's colour, neither the bar nor the
   * empty band it is once nothing is out. */
  g_assert_true (test_color_near (&at_bar, &row_color, 0.08));
  g_assert_false (test_color_near (&busy, &row_color, 0.1));
  g_assert_false (test_color_near (&busy, &idle, 0.1));

  test_destroy_window (window);
}

static void
test_render_run_file (void)
{
  g_autoptr(TestRunFile) run = test_run_file_new_two_processes ();
  g_autoptr(GdkTexture) texture = NULL;
  GdkRGBA    core0, worker0, worker1;
  TestPixels pixels;
  int        width = 800, height = 500;

  g_test_summary ("mpaio-monitor --render run.json --output x.png draws the CPU chart in the "
                  "upper part and the chunk timeline below it, with no display");

  texture = test_run_file_render (run, width, height);

  monitor_chart_palette_get_color (0, &core0);
  monitor_chart_palette_get_worker_color (0, &worker0);
  monitor_chart_palette_get_worker_color (1, &worker1);

  test_pixels_init (&pixels, texture);
  /* The chart: core 0's line in the upper half, no chunk bars there. */
  g_assert_true (test_pixels_find_color (&pixels, &core0, 0, 0, width - 1, height / 2));
  g_assert_false (test_pixels_find_color (&pixels, &worker0, 0, 0, width - 1, height / 2));
  /* The timeline: both processes' bars in the lower part, across most of
   * the width (the axis is fitted to the run, 1 s to 9 s). */
  g_assert_true (
    test_pixels_find_color (&pixels, &worker0, width / 8, height / 2, width / 4, height - 1));
  g_assert_true (test_pixels_find_color (&pixels, &worker1, width * 3 / 4, height / 2, width - 20,
                                         height - 1));
  test_pixels_clear (&pixels);
}

static void
test_lane_layout (void)
{
  g_autoptr(TestRunFile) run = test_run_file_new_two_processes ();
  g_autoptr(MpaioRunReport) report = test_run_file_load (run);
  g_autoptr(MonitorLaneLayout) layout = NULL;

  g_test_summary ("The lane layout, without a display: a row per process in the order they "
                  "first ran a chunk, one lane when its chunks do not overlap");

  layout = monitor_lane_layout_new (report);
  g_assert_cmpuint (monitor_lane_layout_get_n_rows (layout), ==, 2);
  g_assert_cmpint (monitor_lane_layout_get_row (layout, 0)->pid, ==, 100);
  g_assert_cmpint (monitor_lane_layout_get_row (layout, 1)->pid, ==, 101);
  g_assert_cmpuint (monitor_lane_layout_get_n_lanes (layout), ==, 2);
  g_assert_cmpuint (monitor_lane_layout_get_n_bars (layout), ==, 8);
  for (guint i = 0; i < 8; i++)
    g_assert_cmpuint (monitor_lane_layout_get_bar (layout, i)->lane, ==, 0);
}

/* A run file of chunks that did not all complete, and ran on two machines:
 * on this one, process 100 completed chunk 0 (1 s to 3 s), failed chunk 1
 * (out from 3.5 s to 5.5 s), and had chunk 2 cancelled (6 s to 8 s); on
 * node-b, a process that is also 100 completed chunk 3 (1 s to 3 s). */
static TestRunFile *
write_outcomes_run (void)
{
  const char *json =
    "{\"format\": \"mpaio-run\", \"version\": 1, \"start-us\": 1000000, \"end-us\": 8000000, "
    "\"workers\": [\"W\"], \"chunks\": ["
    "{\"worker\": 0, \"chunk\": 0, \"start-row\": 0, \"end-row\": 10, \"pid\": 100, "
    "\"sent-us\": 1000000, \"started-us\": 1000000, \"finished-us\": 3000000, "
    "\"returned-us\": 3000000},"
    "{\"worker\": 0, \"chunk\": 3, \"start-row\": 30, \"end-row\": 40, \"pid\": 100, "
    "\"host\": \"node-b\", \"sent-us\": 1000000, \"started-us\": 1000000, "
    "\"finished-us\": 3000000, \"returned-us\": 3000000},"
    "{\"worker\": 0, \"chunk\": 1, \"start-row\": 10, \"end-row\": 20, \"pid\": 100, "
    "\"outcome\": \"failed\", \"error\": {\"domain\": \"g-io-error-quark\", \"code\": 0, "
    "\"message\": \"boom\"}, \"sent-us\": 3500000, \"started-us\": 0, \"finished-us\": 0, "
    "\"returned-us\": 5500000},"
    "{\"worker\": 0, \"chunk\": 2, \"start-row\": 20, \"end-row\": 30, \"pid\": 100, "
    "\"outcome\": \"cancelled\", \"sent-us\": 6000000, \"started-us\": 0, \"finished-us\": 0, "
    "\"returned-us\": 8000000}"
    "], \"cpu\": null}";

  return test_run_file_new (json);
}

/* Where @time_us is drawn in @row, as the timeline's span stands. */
static double
timeline_x (MonitorChunkTimeline *timeline, const graphene_rect_t *row, gint64 time_us)
{
  double history_us = monitor_chunk_timeline_get_history (timeline) * G_USEC_PER_SEC;
  gint64 start_us = monitor_chunk_timeline_get_frozen_time (timeline) - (gint64) history_us;

  return row->origin.x + (time_us - start_us) / history_us * row->size.width;
}

static void
test_run_file_outcomes (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TestRunFile) run_file = write_outcomes_run ();
  g_autoptr(GtkApplication) application = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char      *failed_text = NULL;
  g_autofree char      *cancelled_text = NULL;
  g_autofree char      *remote_text = NULL;
  MonitorWindow        *window;
  MonitorChunkTimeline *timeline;
  graphene_rect_t       here, remote;
  GdkRGBA               row_color, at_done, at_failed, at_cancelled;
  TestPixels            pixels;
  int                   y;

  g_test_summary ("A run file's failed and cancelled chunks are drawn apart from completed "
                  "ones, their tooltips say so, and a process of another machine has a row "
                  "of its own");

  g_assert_no_error (error);
  application = gtk_application_new ("org.mpaio.Monitor.TestOutcomes", G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (application), NULL, &error);
  g_assert_no_error (error);
  window = monitor_window_new (application, 200, 60);
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 600);
  timeline = monitor_window_get_timeline (window);
  gtk_window_present (GTK_WINDOW (window));

  g_assert_true (monitor_window_open_run_file (window, run_file->file, &error));
  g_assert_no_error (error);
  /* Laid out in the window, to find the chunks in it. */
  while (gtk_widget_get_width (GTK_WIDGET (timeline)) == 0)
    g_main_context_iteration (NULL, TRUE);

  /* Process 100 here, then process 100 of node-b. */
  g_assert_cmpuint (monitor_chunk_timeline_get_n_rows (timeline), ==, 2);
  g_assert_cmpuint (monitor_chunk_timeline_get_row_n_bars (timeline, 0), ==, 3);
  g_assert_cmpuint (monitor_chunk_timeline_get_row_n_bars (timeline, 1), ==, 1);
  g_assert_true (monitor_chunk_timeline_get_row_bounds (timeline, 0, &here));
  g_assert_true (monitor_chunk_timeline_get_row_bounds (timeline, 1, &remote));
  monitor_chunk_timeline_get_row_color (timeline, 0, &row_color);
  y = (int) (here.origin.y + here.size.height / 2);

  failed_text = monitor_chunk_timeline_describe_at (timeline, timeline_x (timeline, &here, 4500000), y);
  cancelled_text = monitor_chunk_timeline_describe_at (timeline, timeline_x (timeline, &here, 7000000), y);
  remote_text = monitor_chunk_timeline_describe_at (timeline, timeline_x (timeline, &remote, 2000000),
                                                    remote.origin.y + remote.size.height / 2);
  g_assert_nonnull (failed_text);
  g_assert_true (g_str_has_prefix (failed_text, "Failed: chunk 1"));
  g_assert_nonnull (cancelled_text);
  g_assert_true (g_str_has_prefix (cancelled_text, "Cancelled: chunk 2"));
  g_assert_nonnull (remote_text);
  g_assert_nonnull (strstr (remote_text, "Worker process 100 on node-b"));

  texture = test_render_widget (GTK_WIDGET (timeline));
  test_pixels_init (&pixels, texture);
  g_assert_true (test_pixels_get (&pixels, (int) timeline_x (timeline, &here, 2000000), y, &at_done));
  g_assert_true (test_pixels_get (&pixels, (int) timeline_x (timeline, &here, 4500000), y, &at_failed));
  g_assert_true (
    test_pixels_get (&pixels, (int) timeline_x (timeline, &here, 7000000), y, &at_cancelled));
  g_assert_true (test_color_near (&at_done, &row_color, 0.08));
  g_assert_false (test_color_near (&at_failed, &row_color, 0.2));
  g_assert_false (test_color_near (&at_cancelled, &row_color, 0.2));
  g_assert_false (test_color_near (&at_failed, &at_cancelled, 0.2));
  test_pixels_clear (&pixels);

  test_destroy_window (GTK_WINDOW (window));
}

/* A run whose chunk 0 completed on process 100 (1 s to 3 s) and whose
 * chunk 1 was out from 2 s until the run was cancelled at 5 s, with no
 * process named for it (pid 0), as the library records a chunk cancelled
 * while in flight. */
static TestRunFile *
write_cancelled_in_flight_run (void)
{
  const char *json =
    "{\"format\": \"mpaio-run\", \"version\": 1, \"start-us\": 1000000, \"end-us\": 5000000, "
    "\"workers\": [\"W\"], \"chunks\": ["
    "{\"worker\": 0, \"chunk\": 0, \"start-row\": 0, \"end-row\": 10, \"pid\": 100, "
    "\"sent-us\": 1000000, \"started-us\": 1000000, \"finished-us\": 3000000, "
    "\"returned-us\": 3000000},"
    "{\"worker\": 0, \"chunk\": 1, \"start-row\": 10, \"end-row\": 20, \"pid\": 0, "
    "\"outcome\": \"cancelled\", \"sent-us\": 2000000, \"started-us\": 0, "
    "\"finished-us\": 0, \"returned-us\": 5000000}"
    "], \"cpu\": null}";

  return test_run_file_new (json);
}

static void
test_cancelled_in_flight (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TestRunFile) run_file = write_cancelled_in_flight_run ();
  g_autoptr(GtkApplication) application = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(MonitorLaneLayout) layout = NULL;
  g_autofree char      *text = NULL;
  g_autofree char      *label = NULL;
  MonitorWindow        *window;
  MonitorChunkTimeline *timeline;
  graphene_rect_t       process_row, cancelled_row;
  GdkRGBA               row_color, at_edge, outside;
  TestPixels            pixels;

  g_test_summary ("A chunk cancelled while in flight, that no process gave back, is drawn "
                  "over the time it was out in a row of its own, last, as a cancelled chunk, "
                  "and its tooltip says so; --render's layout has that row too");

  g_assert_no_error (error);
  application = gtk_application_new ("org.mpaio.Monitor.TestInFlight", G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (application), NULL, &error);
  g_assert_no_error (error);
  window = monitor_window_new (application, 200, 60);
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 600);
  timeline = monitor_window_get_timeline (window);
  gtk_window_present (GTK_WINDOW (window));

  g_assert_true (monitor_window_open_run_file (window, run_file->file, &error));
  g_assert_no_error (error);
  while (gtk_widget_get_width (GTK_WIDGET (timeline)) == 0)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpuint (monitor_chunk_timeline_get_n_rows (timeline), ==, 2);
  g_assert_cmpint (monitor_chunk_timeline_get_row_pid (timeline, 0), ==, 100);
  g_assert_cmpint (monitor_chunk_timeline_get_row_pid (timeline, 1), ==, 0);
  g_assert_cmpuint (monitor_chunk_timeline_get_row_n_bars (timeline, 1), ==, 1);
  g_assert_true (monitor_chunk_timeline_get_row_bounds (timeline, 0, &process_row));
  g_assert_true (monitor_chunk_timeline_get_row_bounds (timeline, 1, &cancelled_row));
  monitor_chunk_timeline_get_row_color (timeline, 0, &row_color);

  text = monitor_chunk_timeline_describe_at (
    timeline, timeline_x (timeline, &cancelled_row, 4000000),
    cancelled_row.origin.y + cancelled_row.size.height / 2);
  g_assert_nonnull (text);
  g_assert_true (g_str_has_prefix (text, "Cancelled in flight: chunk 1 of W"));
  g_assert_nonnull (strstr (text, "without a result"));
  g_assert_null (strstr (text, "Ran"));

  /* The frame of a cancelled chunk from 2 s to 5 s: its top edge is drawn
   * where the chunk was out, and is not the colour of work done. */
  texture = test_render_widget (GTK_WIDGET (timeline));
  test_pixels_init (&pixels, texture);
  g_assert_true (test_pixels_get (&pixels,
                                  (int) timeline_x (timeline, &cancelled_row, 4000000),
                                  (int) cancelled_row.origin.y, &at_edge));
  g_assert_true (test_pixels_get (&pixels,
                                  (int) timeline_x (timeline, &cancelled_row, 1500000),
                                  (int) cancelled_row.origin.y, &outside));
  g_assert_false (test_color_near (&at_edge, &outside, 0.05));
  g_assert_false (test_color_near (&at_edge, &row_color, 0.2));
  test_pixels_clear (&pixels);
  test_destroy_window (GTK_WINDOW (window));

  report = test_run_file_load (run_file);
  layout = monitor_lane_layout_new (report);
  g_assert_cmpuint (monitor_lane_layout_get_n_rows (layout), ==, 2);
  g_assert_cmpint (monitor_lane_layout_get_row (layout, 1)->pid, ==, 0);
  label = monitor_run_render_get_row_label (layout, 1);
  g_assert_cmpstr (label, ==, "Cancelled in flight");
}

static void
test_lane_layout_hosts (void)
{
  g_autoptr(TestRunFile) run = write_outcomes_run ();
  g_autoptr(MpaioRunReport) report = test_run_file_load (run);
  g_autoptr(MonitorLaneLayout) layout = NULL;
  guint n_failed = 0, n_cancelled = 0;

  g_test_summary ("The lane layout of --render, without a display: rows grouped by machine, "
                  "this one's first; a chunk not done spans the time it was out");

  layout = monitor_lane_layout_new (report);
  g_assert_cmpuint (monitor_lane_layout_get_n_hosts (layout), ==, 2);
  g_assert_cmpuint (monitor_lane_layout_get_n_rows (layout), ==, 2);
  g_assert_null (monitor_lane_layout_get_row (layout, 0)->host);
  g_assert_cmpstr (monitor_lane_layout_get_row (layout, 1)->host, ==, "node-b");
  g_assert_cmpint (monitor_lane_layout_get_row (layout, 1)->pid, ==, 100);
  for (guint i = 0; i < monitor_lane_layout_get_n_bars (layout); i++)
    {
      const MonitorLaneBar *bar = monitor_lane_layout_get_bar (layout, i);

      if (bar->outcome == MPAIO_CHUNK_OUTCOME_FAILED)
        {
          n_failed++;
          g_assert_cmpint (bar->start_us, ==, 3500000);
          g_assert_cmpint (bar->end_us, ==, 5500000);
        }
      n_cancelled += bar->outcome == MPAIO_CHUNK_OUTCOME_CANCELLED;
    }
  g_assert_cmpuint (n_failed, ==, 1);
  g_assert_cmpuint (n_cancelled, ==, 1);
}

static void
test_render_outcomes (void)
{
  g_autoptr(TestRunFile) run = write_outcomes_run ();
  g_autoptr(MpaioRunReport) report = test_run_file_load (run);
  cairo_surface_t *surface;
  const GdkRGBA    red = { 0xe0 / 255.0, 0x1b / 255.0, 0x24 / 255.0, 1.0 };
  const GdkRGBA    grey = { 0x9a / 255.0, 0x99 / 255.0, 0x96 / 255.0, 1.0 };
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GBytes) bytes = NULL;
  TestPixels pixels;
  int        width = 800, height = 500;

  g_test_summary ("--render draws a failed chunk red and a cancelled one as a grey frame, "
                  "apart from the chunks done");

  surface = monitor_run_render_image (report, width, height);
  bytes = g_bytes_new (cairo_image_surface_get_data (surface),
                       (gsize) cairo_image_surface_get_stride (surface) * height);
  texture = gdk_memory_texture_new (width, height, GDK_MEMORY_DEFAULT, bytes,
                                    (gsize) cairo_image_surface_get_stride (surface));
  test_pixels_init (&pixels, texture);
  /* In the timeline below the chart: the failed chunk mid-run, the
   * cancelled one's frame near the end. */
  g_assert_true (test_pixels_find_color (&pixels, &red, width / 3, height / 2, width * 2 / 3, height - 1));
  g_assert_true (test_pixels_find_color (&pixels, &grey, width * 2 / 3, height / 2, width - 1, height - 1));
  test_pixels_clear (&pixels);
  cairo_surface_destroy (surface);
}

static void
test_open_and_zoom (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TestRunFile) run_file = test_run_file_new_two_processes ();
  g_autoptr(GtkApplication) application = NULL;
  MonitorWindow        *window;
  MonitorCpuChart      *chart;
  MonitorChunkTimeline *timeline;
  MonitorRun           *run;
  double                fitted, history;
  gint64                end_us;

  g_test_summary ("A run file opens as a run of the list, fitted to the window; zooming "
                  "changes the visible span around its middle, panning moves it, fitting "
                  "brings the run back");

  g_assert_no_error (error);
  application = gtk_application_new ("org.mpaio.Monitor.TestRunViews", G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (application), NULL, &error);
  g_assert_no_error (error);
  window = monitor_window_new (application, 200, 60);
  chart = monitor_window_get_chart (window);
  timeline = monitor_window_get_timeline (window);
  gtk_window_present (GTK_WINDOW (window));

  g_assert_true (monitor_window_open_run_file (window, run_file->file, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (monitor_window_get_runs (window)), ==, 1);
  run = monitor_window_get_selected_run (window);
  g_assert_nonnull (run);
  g_assert_cmpstr (monitor_run_get_title (run), ==, "run.json");
  g_assert_cmpuint (mpaio_run_report_get_n_records (monitor_run_get_report (run)), ==, 8);
  g_assert_cmpuint (monitor_chunk_timeline_get_n_bars (timeline), ==, 8);
  g_assert_cmpuint (monitor_chunk_timeline_get_n_rows (timeline), ==, 2);

  /* Fitted: the run is 1 s to 9 s, with a margin of a few percent. */
  fitted = monitor_cpu_chart_get_history (chart);
  g_assert_cmpfloat (fitted, >=, 8.0);
  g_assert_cmpfloat (fitted, <=, 9.0);
  end_us = monitor_cpu_chart_get_frozen_time (chart);
  g_assert_cmpint (end_us, >=, 9000000);
  g_assert_cmpint (end_us, <=, 9500000);
  g_assert_cmpfloat (monitor_chunk_timeline_get_history (timeline), ==, fitted);
  /* Its own samples, not the live ones. */
  g_assert_true (monitor_cpu_chart_get_model (chart) == mpaio_run_report_get_cpu_samples (monitor_run_get_report (run)));

  g_action_group_activate_action (G_ACTION_GROUP (window), "zoom-in", NULL);
  history = monitor_cpu_chart_get_history (chart);
  g_assert_cmpfloat_with_epsilon (history, fitted / 1.5, 1e-9);
  g_assert_cmpfloat (monitor_chunk_timeline_get_history (timeline), ==, history);
  /* Around the middle: the middle of the span stays where it was. */
  g_assert_cmpint (
    llabs ((monitor_cpu_chart_get_frozen_time (chart) - (gint64) (history / 2 * 1e6)) - (end_us - (gint64) (fitted / 2 * 1e6))),
    <=, 2);

  end_us = monitor_cpu_chart_get_frozen_time (chart);
  g_action_group_activate_action (G_ACTION_GROUP (window), "pan", g_variant_new_int32 (1));
  g_assert_cmpint (monitor_cpu_chart_get_frozen_time (chart) - end_us, ==,
                   (gint64) (0.25 * history * G_USEC_PER_SEC));
  g_assert_cmpint (monitor_chunk_timeline_get_frozen_time (timeline), ==,
                   monitor_cpu_chart_get_frozen_time (chart));

  g_action_group_activate_action (G_ACTION_GROUP (window), "zoom-out", NULL);
  g_action_group_activate_action (G_ACTION_GROUP (window), "zoom-out", NULL);
  g_assert_cmpfloat (monitor_cpu_chart_get_history (chart), >, fitted);

  g_action_group_activate_action (G_ACTION_GROUP (window), "zoom-fit", NULL);
  g_assert_cmpfloat (monitor_cpu_chart_get_history (chart), ==, fitted);

  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
has_accel (GtkApplication *application, const char *action, const char *accel)
{
  g_auto(GStrv) accels = gtk_application_get_accels_for_action (application, action);

  return accels != NULL && g_strv_contains ((const char *const *) accels, accel);
}

static void
test_shortcuts (void)
{
  g_autoptr(MonitorApplication) application = monitor_application_new ();
  g_autoptr(GError) error = NULL;
  MonitorWindow *window;

  g_test_summary ("The usual GNOME shortcuts are there, with a shortcuts window");

  g_application_register (G_APPLICATION (application), NULL, &error);
  g_assert_no_error (error);
  g_assert_true (has_accel (GTK_APPLICATION (application), "app.quit", "<Control>q"));
  g_assert_true (has_accel (GTK_APPLICATION (application), "window.close", "<Control>w"));
  g_assert_true (
    has_accel (GTK_APPLICATION (application), "win.show-help-overlay", "<Control>question"));
  g_assert_true (has_accel (GTK_APPLICATION (application), "win.open-run", "<Control>o"));

  window = monitor_window_new (GTK_APPLICATION (application), 200, 60);
  g_assert_nonnull (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window)));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (window), "show-help-overlay"));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (window), "show-menu"));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (window), "pause"));
  gtk_window_destroy (GTK_WINDOW (window));
}

static double
color_distance (const GdkRGBA *a, const GdkRGBA *b)
{
  return sqrt ((a->red - b->red) * (a->red - b->red) + (a->green - b->green) * (a->green - b->green) + (a->blue - b->blue) * (a->blue - b->blue));
}

static void
test_palette (void)
{
  GdkRGBA cores[64], workers[16];

  g_test_summary ("Worker processes never share a colour with a core, and at 16 cores every "
                  "core's colour stays apart from the others");

  for (guint i = 0; i < G_N_ELEMENTS (cores); i++)
    monitor_chart_palette_get_color (i, &cores[i]);
  for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
    monitor_chart_palette_get_worker_color (i, &workers[i]);

  for (guint w = 0; w < G_N_ELEMENTS (workers); w++)
    for (guint c = 0; c < G_N_ELEMENTS (cores); c++)
      g_assert_cmpfloat (color_distance (&workers[w], &cores[c]), >, 0.05);

  for (guint a = 0; a < 16; a++)
    for (guint b = a + 1; b < 16; b++)
      g_assert_cmpfloat (color_distance (&cores[a], &cores[b]), >, 0.12);
  for (guint a = 0; a < G_N_ELEMENTS (workers); a++)
    for (guint b = a + 1; b < G_N_ELEMENTS (workers); b++)
      g_assert_cmpfloat (color_distance (&workers[a], &workers[b]), >, 0.12);
}

static void
test_screenshot_scale (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("mpaio-run-views-XXXXXX", &error);
  g_autofree char *shot = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GdkTexture) texture = NULL;

  g_test_summary ("--screenshot saves the window at its scale factor: twice the size at 2");

  g_assert_no_error (error);
  shot = g_build_filename (dir, "shot.png", NULL);
  g_subprocess_launcher_setenv (launcher, "GDK_SCALE", "2", TRUE);
  process =
    g_subprocess_launcher_spawn (launcher, &error, g_getenv ("MPAIO_MONITOR_PROGRAM"), "--size",
                                 "620x480", "--screenshot", shot, "--after", "0.1", NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check (process, NULL, &error);
  g_assert_no_error (error);

  texture = gdk_texture_new_from_filename (shot, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, 1240);
  g_assert_cmpint (gdk_texture_get_height (texture), ==, 960);

  g_unlink (shot);
  g_rmdir (dir);
}

static void
test_many_chunks_zoomed (void)
{
  MonitorChunkTimeline *timeline = MONITOR_CHUNK_TIMELINE (monitor_chunk_timeline_new ());
  g_autoptr(GdkTexture) texture = NULL;
  graphene_rect_t bounds;
  TestPixels      pixels;
  GtkWindow      *window;
  GdkRGBA         previous = { 0 };
  guint           changes = 0;
  int             y;

  g_test_summary ("1,024 back-to-back chunks of 1 ms: zoomed in to 20 ms, each one is told "
                  "from its neighbours");

  for (guint i = 0; i < 1024; i++)
    {
      MpaioChunkRecord record = make_record (4242, i, i * 0.001, 0.001);

      monitor_chunk_timeline_add_record (timeline, &record, "TestWorker");
    }
  /* 20 ms from chunk 500 on: 20 chunks across the plot. */
  monitor_chunk_timeline_set_history (timeline, 0.020);
  monitor_chunk_timeline_set_frozen_time (timeline, T0_US + 520 * 1000);
  window = test_show_in_window (GTK_WIDGET (timeline), WIDTH, HEIGHT);

  g_assert_true (monitor_chunk_timeline_get_row_bounds (timeline, 0, &bounds));
  y = (int) (bounds.origin.y + bounds.size.height / 2);
  texture = test_render_widget (GTK_WIDGET (timeline));
  test_pixels_init (&pixels, texture);
  for (int x = (int) bounds.origin.x; x < (int) (bounds.origin.x + bounds.size.width); x++)
    {
      GdkRGBA pixel;

      g_assert_true (test_pixels_get (&pixels, x, y, &pixel));
      if (x > (int) bounds.origin.x && !test_color_near (&pixel, &previous, 0.02))
        changes++;
      previous = pixel;
    }
  test_pixels_clear (&pixels);

  /* Each chunk starts with a change of shade (or a gap and back): about
   * two changes per chunk, none merged into one block. */
  g_assert_cmpuint (changes, >=, 19 * 2);

  test_destroy_window (window);
}

static void
test_stacked_cores (void)
{
  MonitorCpuChart *chart = MONITOR_CPU_CHART (monitor_cpu_chart_new ());
  g_autoptr(GListStore) store = g_list_store_new (MPAIO_TYPE_CPU_SAMPLE);
  const double values[4] = { 100.0, 50.0, 0.0, 100.0 };
  const struct
  {
    double percent;
    int    core; /* -1: no core there */
  } probes[] = { { 12.5, 0 }, { 31.0, 1 }, { 50.0, 3 }, { 85.0, -1 } };
  g_autoptr(GdkTexture) texture = NULL;
  graphene_rect_t plot;
  TestPixels      pixels;
  GtkWindow      *window;

  g_test_summary ("Stacked, each core is a band of its share of the machine over the one below: "
                  "4 cores at 100, 50, 0 and 100 % fill 25, 12.5, 0 and 25 % of the height");

  for (guint i = 0; i <= 20; i++)
    {
      g_autoptr(MpaioCpuSample) sample = mpaio_cpu_sample_new (i * 0.5, values, 4, 62.5);

      g_list_store_append (store, sample);
    }
  monitor_cpu_chart_set_model (chart, G_LIST_MODEL (store));
  monitor_cpu_chart_set_time_origin (chart, T0_US);
  monitor_cpu_chart_set_history (chart, SPAN_S);
  monitor_cpu_chart_set_frozen_time (chart, T0_US + (gint64) (SPAN_S * G_USEC_PER_SEC));
  monitor_cpu_chart_set_stacked (chart, TRUE);
  window = test_show_in_window (GTK_WIDGET (chart), WIDTH, 400);

  g_assert_true (monitor_cpu_chart_get_plot_area (chart, &plot));
  texture = test_render_widget (GTK_WIDGET (chart));
  test_pixels_init (&pixels, texture);
  for (guint p = 0; p < G_N_ELEMENTS (probes); p++)
    {
      int     x = (int) (plot.origin.x + plot.size.width / 2);
      int     y = (int) (plot.origin.y + plot.size.height * (1.0 - probes[p].percent / 100.0));
      GdkRGBA pixel;

      g_assert_true (test_pixels_get (&pixels, x, y, &pixel));
      for (guint core = 0; core < 4; core++)
        {
          GdkRGBA color;

          monitor_chart_palette_get_color (core, &color);
          if ((int) core == probes[p].core)
            g_assert_true (test_color_near (&pixel, &color, 0.1));
          else
            g_assert_false (test_color_near (&pixel, &color, 0.1));
        }
    }
  test_pixels_clear (&pixels);

  test_destroy_window (window);
}

int
main (int argc, char **argv)
{
  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/run-views/open-and-zoom", test_open_and_zoom);
  g_test_add_func ("/run-views/shortcuts", test_shortcuts);
  g_test_add_func ("/run-views/palette", test_palette);
  g_test_add_func ("/run-views/stacked-cores", test_stacked_cores);
  g_test_add_func ("/run-views/many-chunks-zoomed", test_many_chunks_zoomed);
  g_test_add_func ("/run-views/screenshot-scale", test_screenshot_scale);
  g_test_add_func ("/run-views/unfinished-chunks", test_unfinished_chunks);
  g_test_add_func ("/run-views/busy-rows", test_busy_rows);
  g_test_add_func ("/run-views/render-run-file", test_render_run_file);
  g_test_add_func ("/run-views/lane-layout", test_lane_layout);
  g_test_add_func ("/run-views/run-file-outcomes", test_run_file_outcomes);
  g_test_add_func ("/run-views/lane-layout-hosts", test_lane_layout_hosts);
  g_test_add_func ("/run-views/render-outcomes", test_render_outcomes);
  g_test_add_func ("/run-views/cancelled-in-flight", test_cancelled_in_flight);

  return g_test_run ();
}
