/* test-chunk-timeline.c: one row per worker process, one bar per chunk
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <gtk/gtk.h>
#include <mpaio.h>

#include "gui-test-util.h"
#include "monitor-chart-drawing.h"
#include "monitor-chunk-timeline.h"

#define T0_US    G_GINT64_CONSTANT (100000000)
#define SPAN_S   20.0
#define WIDTH    640
#define HEIGHT   200
#define N_PIDS   3
#define N_CHUNKS 12

static const gint pids[N_PIDS] = { 4242, 1717, 3030 };

static MpaioChunkRecord
make_record (gint    pid,
             guint64 index,
             double  start_s,
             double  duration_s)
{
  MpaioChunkRecord record = { 0 };

  record.chunk_index = index;
  record.start_row = index * 1000;
  record.end_row = (index + 1) * 1000;
  record.pid = pid;
  record.sent_us = T0_US + (gint64) (start_s * G_USEC_PER_SEC) - 100;
  record.started_us = T0_US + (gint64) (start_s * G_USEC_PER_SEC);
  record.finished_us = record.started_us + (gint64) (duration_s * G_USEC_PER_SEC);
  record.returned_us = record.finished_us + 50;

  return record;
}

/* N_CHUNKS chunks of a second each, dealt round-robin to N_PIDS processes,
 * one after the other in each; records arrive in completion order. */
static MonitorChunkTimeline *
make_timeline (void)
{
  MonitorChunkTimeline *timeline = MONITOR_CHUNK_TIMELINE (monitor_chunk_timeline_new ());

  monitor_chunk_timeline_set_history (timeline, SPAN_S);
  monitor_chunk_timeline_set_frozen_time (timeline, T0_US + (gint64) (SPAN_S * G_USEC_PER_SEC));

  for (guint i = 0; i < N_CHUNKS; i++)
    {
      MpaioChunkRecord record = make_record (pids[i % N_PIDS], i, 2.0 + (i / N_PIDS) * 1.5, 1.0);

      monitor_chunk_timeline_add_record (timeline, &record, "TestWorker");
    }

  return timeline;
}

static void
test_rows_and_bars (void)
{
  g_autoptr(MonitorChunkTimeline) timeline = g_object_ref_sink (make_timeline ());

  g_assert_cmpuint (monitor_chunk_timeline_get_n_rows (timeline), ==, N_PIDS);
  g_assert_cmpuint (monitor_chunk_timeline_get_n_bars (timeline), ==, N_CHUNKS);

  /* Rows in pid order, each with its share of the chunks. */
  g_assert_cmpint (monitor_chunk_timeline_get_row_pid (timeline, 0), ==, 1717);
  g_assert_cmpint (monitor_chunk_timeline_get_row_pid (timeline, 1), ==, 3030);
  g_assert_cmpint (monitor_chunk_timeline_get_row_pid (timeline, 2), ==, 4242);
  for (guint r = 0; r < N_PIDS; r++)
    g_assert_cmpuint (monitor_chunk_timeline_get_row_n_bars (timeline, r), ==, N_CHUNKS / N_PIDS);

  /* A failed chunk (no process) adds nothing. */
  {
    MpaioChunkRecord failed = make_record (0, 99, 1.0, 1.0);

    monitor_chunk_timeline_add_record (timeline, &failed, "TestWorker");
    g_assert_cmpuint (monitor_chunk_timeline_get_n_bars (timeline), ==, N_CHUNKS);
  }

  monitor_chunk_timeline_clear (timeline);
  g_assert_cmpuint (monitor_chunk_timeline_get_n_rows (timeline), ==, 0);
  g_assert_cmpuint (monitor_chunk_timeline_get_n_bars (timeline), ==, 0);
}

static double
time_to_x (const graphene_rect_t *row,
           double                 time_s)
{
  return row->origin.x + time_s / SPAN_S * row->size.width;
}

static void
test_pixels (void)
{
  MonitorChunkTimeline *timeline = make_timeline ();
  GtkWindow            *window = test_show_in_window (GTK_WIDGET (timeline), WIDTH, HEIGHT);
  g_autoptr(GdkTexture) texture = test_render_widget (GTK_WIDGET (timeline));
  TestPixels pixels;

  test_pixels_init (&pixels, texture);

  for (guint r = 0; r < N_PIDS; r++)
    {
      graphene_rect_t bounds;
      GdkRGBA         color;
      int             y;
      guint           bars_seen = 0;

      g_assert_true (monitor_chunk_timeline_get_row_bounds (timeline, r, &bounds));
      monitor_chunk_timeline_get_row_color (timeline, r, &color);
      y = (int) (bounds.origin.y + bounds.size.height / 2);

      /* The same axis as the chart: the plot between the shared margins. */
      g_assert_cmpfloat (bounds.origin.x, ==, MONITOR_CHART_MARGIN_LEFT);
      g_assert_cmpfloat (bounds.origin.x + bounds.size.width, ==, WIDTH - MONITOR_CHART_MARGIN_RIGHT);

      /* Each bar of the row is there, in the row's colour or its lighter
       * shade for every other bar; between bars, the gap is empty. */
      for (guint k = 0; k < N_CHUNKS / N_PIDS; k++)
        {
          double  start = 2.0 + k * 1.5;
          int     middle = (int) time_to_x (&bounds, start + 0.5);
          int     gap = (int) time_to_x (&bounds, start + 1.25);
          GdkRGBA pixel;

          g_assert_true (test_pixels_get (&pixels, middle, y, &pixel));
          if (k % 2 == 0)
            g_assert_true (test_color_near (&pixel, &color, 0.08));
          else
            g_assert_true (pixel.alpha > 0.9 && !test_color_near (&pixel, &color, 0.08));
          bars_seen++;

          g_assert_true (test_pixels_get (&pixels, gap, y, &pixel));
          g_assert_false (test_color_near (&pixel, &color, 0.08));
        }
      g_assert_cmpuint (bars_seen, ==, monitor_chunk_timeline_get_row_n_bars (timeline, r));

      /* Only in its own band: not above or below. */
      g_assert_true (test_pixels_find_color (&pixels, &color, (int) bounds.origin.x,
                                             (int) bounds.origin.y,
                                             (int) (bounds.origin.x + bounds.size.width) - 1,
                                             (int) (bounds.origin.y + bounds.size.height) - 1));
      if (r + 1 < N_PIDS)
        {
          graphene_rect_t next;

          monitor_chunk_timeline_get_row_bounds (timeline, r + 1, &next);
          g_assert_false (test_pixels_find_color (&pixels, &color, (int) next.origin.x,
                                                  (int) next.origin.y,
                                                  (int) (next.origin.x + next.size.width) - 1,
                                                  (int) (next.origin.y + next.size.height) - 1));
        }
    }

  test_pixels_clear (&pixels);
  test_destroy_window (window);
}

static void
test_tooltip (void)
{
  MonitorChunkTimeline *timeline = make_timeline ();
  GtkWindow            *window = test_show_in_window (GTK_WIDGET (timeline), WIDTH, HEIGHT);
  graphene_rect_t       bounds;
  g_autofree char      *text = NULL;
  g_autofree char      *nothing = NULL;

  /* Row 0 is pid 1717, whose first chunk is chunk 1, from 2 s to 3 s. */
  monitor_chunk_timeline_get_row_bounds (timeline, 0, &bounds);
  text = monitor_chunk_timeline_describe_at (timeline, time_to_x (&bounds, 2.5),
                                             bounds.origin.y + bounds.size.height / 2);
  g_assert_nonnull (text);
  g_assert_nonnull (strstr (text, "Chunk 1 of TestWorker"));
  g_assert_nonnull (strstr (text, "1717"));
  g_assert_nonnull (strstr (text, "1000 rows"));
  g_assert_nonnull (strstr (text, "Ran 1.000 s"));

  /* Long after the last chunk: nothing. */
  nothing = monitor_chunk_timeline_describe_at (timeline, time_to_x (&bounds, 19.0),
                                                bounds.origin.y + bounds.size.height / 2);
  g_assert_null (nothing);

  test_destroy_window (window);
}

/* A timeline of the test's own, outside any window. */
static MonitorChunkTimeline *
new_timeline (void)
{
  return g_object_ref_sink (MONITOR_CHUNK_TIMELINE (monitor_chunk_timeline_new ()));
}

/* A thread pool's chunks share a pid and overlap: they go in lanes. */
static void
test_lanes (void)
{
  g_autoptr(MonitorChunkTimeline) timeline = new_timeline ();
  MpaioChunkRecord a = make_record (77, 0, 1.0, 2.0);
  MpaioChunkRecord b = make_record (77, 1, 1.5, 2.0);
  MpaioChunkRecord c = make_record (77, 2, 3.2, 1.0);

  monitor_chunk_timeline_add_record (timeline, &a, "TestWorker");
  monitor_chunk_timeline_add_record (timeline, &b, "TestWorker");
  monitor_chunk_timeline_add_record (timeline, &c, "TestWorker");

  g_assert_cmpuint (monitor_chunk_timeline_get_n_rows (timeline), ==, 2);
  g_assert_cmpuint (monitor_chunk_timeline_get_row_n_bars (timeline, 0), ==, 2);
  g_assert_cmpuint (monitor_chunk_timeline_get_row_n_bars (timeline, 1), ==, 1);
}

/* Two threads, whose results come back in another order than their
 * starts: a chunk fits in the gap it ran in, and two lanes are enough. */
static void
test_lanes_out_of_order (void)
{
  g_autoptr(MonitorChunkTimeline) timeline = new_timeline ();
  MpaioChunkRecord a = make_record (77, 0, 0.0, 1.0);
  MpaioChunkRecord b = make_record (77, 1, 0.5, 1.0);
  MpaioChunkRecord d = make_record (77, 3, 2.0, 1.0);
  MpaioChunkRecord c = make_record (77, 2, 1.0, 0.8);

  monitor_chunk_timeline_add_record (timeline, &a, "TestWorker");
  monitor_chunk_timeline_add_record (timeline, &b, "TestWorker");
  monitor_chunk_timeline_add_record (timeline, &d, "TestWorker");
  monitor_chunk_timeline_add_record (timeline, &c, "TestWorker");

  g_assert_cmpuint (monitor_chunk_timeline_get_n_rows (timeline), ==, 2);
  g_assert_cmpuint (monitor_chunk_timeline_get_row_n_bars (timeline, 0), ==, 3);
  g_assert_cmpuint (monitor_chunk_timeline_get_row_n_bars (timeline, 1), ==, 1);
}

/* The same, where no gap is left for the late chunk: the lanes are laid
 * out again, still two. */
static void
test_lanes_relayout (void)
{
  g_autoptr(MonitorChunkTimeline) timeline = new_timeline ();
  MpaioChunkRecord a1 = make_record (77, 0, 0.0, 1.0);
  MpaioChunkRecord b1 = make_record (77, 1, 0.5, 1.0);
  MpaioChunkRecord b2 = make_record (77, 3, 1.5, 1.0);
  MpaioChunkRecord a2 = make_record (77, 2, 1.0, 1.0);

  monitor_chunk_timeline_add_record (timeline, &a1, "TestWorker");
  monitor_chunk_timeline_add_record (timeline, &b1, "TestWorker");
  monitor_chunk_timeline_add_record (timeline, &b2, "TestWorker");
  monitor_chunk_timeline_add_record (timeline, &a2, "TestWorker");

  g_assert_cmpuint (monitor_chunk_timeline_get_n_rows (timeline), ==, 2);
  g_assert_cmpuint (monitor_chunk_timeline_get_n_bars (timeline), ==, 4);
  g_assert_cmpuint (monitor_chunk_timeline_get_row_n_bars (timeline, 0), ==, 2);
  g_assert_cmpuint (monitor_chunk_timeline_get_row_n_bars (timeline, 1), ==, 2);
}

static void
test_in_flight (void)
{
  g_autoptr(MonitorChunkTimeline) timeline = new_timeline ();

  monitor_chunk_timeline_add_in_flight (timeline, 1, T0_US);
  monitor_chunk_timeline_add_in_flight (timeline, 2, T0_US + 10);
  g_assert_cmpuint (monitor_chunk_timeline_get_n_in_flight (timeline), ==, 2);
  monitor_chunk_timeline_remove_in_flight (timeline, 1);
  monitor_chunk_timeline_remove_in_flight (timeline, 3);
  g_assert_cmpuint (monitor_chunk_timeline_get_n_in_flight (timeline), ==, 1);
  /* In flight is not a worker process's row. */
  g_assert_cmpuint (monitor_chunk_timeline_get_n_rows (timeline), ==, 0);
}

/* 100 000 chunks of 50 µs each on two processes, over 2.5 s: far more
 * bars than pixels. All are counted, and the rows still show solid. */
static void
test_many_bars (void)
{
  MonitorChunkTimeline *timeline = MONITOR_CHUNK_TIMELINE (monitor_chunk_timeline_new ());
  GtkWindow            *window;
  g_autoptr(GdkTexture) texture = NULL;
  TestPixels pixels;
  gint64     begin;

  monitor_chunk_timeline_set_history (timeline, SPAN_S);
  monitor_chunk_timeline_set_frozen_time (timeline, T0_US + (gint64) (SPAN_S * G_USEC_PER_SEC));
  for (guint i = 0; i < 100000; i++)
    {
      MpaioChunkRecord record = make_record (i % 2 == 0 ? 11 : 12, i, 5.0 + (i / 2) * 50e-6,
                                             40e-6);

      monitor_chunk_timeline_add_record (timeline, &record, "TestWorker");
    }
  g_assert_cmpuint (monitor_chunk_timeline_get_n_bars (timeline), ==, 100000);
  g_assert_cmpuint (monitor_chunk_timeline_get_n_rows (timeline), ==, 2);

  window = test_show_in_window (GTK_WIDGET (timeline), WIDTH, HEIGHT);
  begin = g_get_monotonic_time ();
  texture = test_render_widget (GTK_WIDGET (timeline));
  g_test_message ("rendered 100000 bars in %.1f ms", (g_get_monotonic_time () - begin) / 1000.0);
  test_pixels_init (&pixels, texture);

  for (guint r = 0; r < 2; r++)
    {
      graphene_rect_t bounds;
      GdkRGBA         color;

      monitor_chunk_timeline_get_row_bounds (timeline, r, &bounds);
      monitor_chunk_timeline_get_row_color (timeline, r, &color);
      for (double t = 5.05; t < 7.45; t += 0.2)
        {
          GdkRGBA pixel;

          test_pixels_get (&pixels, (int) time_to_x (&bounds, t),
                           (int) (bounds.origin.y + bounds.size.height / 2), &pixel);
          g_assert_true (test_color_near (&pixel, &color, 0.08));
        }
    }

  test_pixels_clear (&pixels);
  test_destroy_window (window);
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/chunk-timeline/rows-and-bars", test_rows_and_bars);
  g_test_add_func ("/chunk-timeline/pixels", test_pixels);
  g_test_add_func ("/chunk-timeline/tooltip", test_tooltip);
  g_test_add_func ("/chunk-timeline/lanes", test_lanes);
  g_test_add_func ("/chunk-timeline/lanes-out-of-order", test_lanes_out_of_order);
  g_test_add_func ("/chunk-timeline/lanes-relayout", test_lanes_relayout);
  g_test_add_func ("/chunk-timeline/in-flight", test_in_flight);
  g_test_add_func ("/chunk-timeline/many-bars", test_many_bars);

  return g_test_run ();
}
