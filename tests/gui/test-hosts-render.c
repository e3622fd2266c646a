/* test-hosts-render.c: a run across hosts (MPI) drawn with no display
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A saved MPI run names each chunk's host and each CPU column
 * `host/core_N`: --render groups the timeline's rows by host and names each
 * line of the CPU chart with its host. Runs with no display on purpose.
 */

#include <pango/pangocairo.h>

#include <gtk/gtk.h>
#include <mpaio.h>

#include "gui-test-util.h"
#include "monitor-chart-drawing.h"
#include "monitor-chart-palette.h"
#include "monitor-lane-layout.h"
#include "monitor-run-render.h"
#include "run-file-fixtures.h"

static void
test_core_labels (void)
{
  const char *const names[] = { "node-a/core_0", "node-a/core_1", "node-b/core_11", "gpu", NULL };
  g_autofree char  *a0 = monitor_chart_get_core_label (names, 0);
  g_autofree char  *a1 = monitor_chart_get_core_label (names, 1);
  g_autofree char  *b11 = monitor_chart_get_core_label (names, 2);
  g_autofree char  *other = monitor_chart_get_core_label (names, 3);
  g_autofree char  *beyond = monitor_chart_get_core_label (names, 4);
  g_autofree char  *local = monitor_chart_get_core_label (NULL, 1);

  g_test_summary ("A core of a run across hosts is named with its host in the CPU chart's "
                  "legend; a core of one machine keeps its CPUn name");

  g_assert_cmpstr (a0, ==, "node-a CPU1");
  g_assert_cmpstr (a1, ==, "node-a CPU2");
  g_assert_cmpstr (b11, ==, "node-b CPU12");
  g_assert_cmpstr (other, ==, "gpu");
  g_assert_cmpstr (beyond, ==, "CPU5");
  g_assert_cmpstr (local, ==, "CPU2");
}

static void
test_legend_room (void)
{
  const char *const  names[] = { "a-rather-long-host-name.example.org/core_0", NULL };
  PangoContext      *context = pango_font_map_create_context (pango_cairo_font_map_get_default ());
  MonitorChartLayout plain, named;

  g_test_summary ("The legend's columns make room for the host names of a run across hosts");

  monitor_chart_layout_init (&plain, context, 800, 400, 1, NULL, TRUE);
  monitor_chart_layout_init (&named, context, 800, 400, 1, names, TRUE);
  g_assert_cmpuint (named.n_entries, ==, 2);
  g_assert_cmpfloat (named.entry_width, >, plain.entry_width);

  g_object_unref (context);
}

static void
test_report_core_names (void)
{
  g_autoptr(TestRunFile) run = test_run_file_new_mpi ();
  g_autoptr(MpaioRunReport) report = test_run_file_load (run);
  g_autoptr(MonitorLaneLayout) lanes = NULL;
  g_autofree char   *label0 = NULL, *label1 = NULL, *label2 = NULL;
  const char *const *names;

  g_test_summary ("The rows of a saved MPI run are grouped by host, each group named by its "
                  "host, and its CPU columns keep their host/core names");

  names = mpaio_run_report_get_cpu_core_names (report);
  g_assert_nonnull (names);
  g_assert_cmpuint (g_strv_length ((char **) names), ==, 3);
  g_assert_cmpstr (names[2], ==, "node-b/core_0");

  lanes = monitor_lane_layout_new (report);
  g_assert_cmpuint (monitor_lane_layout_get_n_hosts (lanes), ==, 2);
  g_assert_cmpuint (monitor_lane_layout_get_n_rows (lanes), ==, 3);
  label0 = monitor_run_render_get_row_label (lanes, 0);
  label1 = monitor_run_render_get_row_label (lanes, 1);
  label2 = monitor_run_render_get_row_label (lanes, 2);
  g_assert_cmpstr (label0, ==, "node-a");
  g_assert_cmpstr (label1, ==, "node-b");
  g_assert_cmpstr (label2, ==, "PID 102");
  g_assert_cmpstr (monitor_lane_layout_get_row (lanes, 2)->host, ==, "node-b");
}

static void
test_render_mpi_run (void)
{
  g_autoptr(TestRunFile) run = test_run_file_new_mpi ();
  g_autoptr(GdkTexture) texture = NULL;
  TestPixels pixels;
  int        width = 800, height = 500;

  g_test_summary ("mpaio-monitor --render of a saved MPI run draws a line per host and core "
                  "and the lanes of every host, with no display");

  texture = test_run_file_render (run, width, height);
  test_pixels_init (&pixels, texture);
  /* Every core of both hosts has its line in the chart, in the upper half. */
  for (guint core = 0; core < 3; core++)
    {
      GdkRGBA color;

      monitor_chart_palette_get_color (core, &color);
      g_assert_true (test_pixels_find_color (&pixels, &color, 0, 0, width - 1, height / 2));
    }
  /* Every process's row of the timeline, below. */
  for (guint row = 0; row < 3; row++)
    {
      GdkRGBA color;

      monitor_chart_palette_get_worker_color (row, &color);
      gboolean found =
        test_pixels_find_color (&pixels, &color, 0, height / 2, width - 1, height - 1);

      g_assert_true (found);
    }
  test_pixels_clear (&pixels);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hosts-render/core-labels", test_core_labels);
  g_test_add_func ("/hosts-render/legend-room", test_legend_room);
  g_test_add_func ("/hosts-render/report-core-names", test_report_core_names);
  g_test_add_func ("/hosts-render/render-mpi-run", test_render_mpi_run);

  return g_test_run ();
}
