/* test-csv-render.c: mpaio-monitor --render draws a CSV with no display
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Runs with no display on purpose: neither this program nor the monitor it
 * starts may need one.
 */

#include <math.h>

#include <cairo.h>
#include <glib/gstdio.h>
#include <mpaio.h>

#include "monitor-chart-palette.h"
#include "monitor-csv-render.h"

/* What mpaio writes: two cores, one busy then idle, the other the
 * opposite. */
static char *
make_csv (void)
{
  GString *csv = g_string_new ("time,core_0,core_1,total\n");

  for (int i = 0; i <= 50; i++)
    {
      double time = i * 0.2;
      double a = time < 5.0 ? 100.0 : 0.0;

      g_string_append_printf (csv, "%.3f,%.3f,%.3f,%.3f\n", time, a, 100.0 - a, 50.0);
    }

  return g_string_free (csv, FALSE);
}

static void
test_load (void)
{
  const char *csv = "time,core_0,core_1,total\n"
                    "0.200,10.000,20.000,15.000\r\n"
                    "0.400,,30.000,30.000\n"
                    "\n";
  const char *pandas = ",core_0,core_1\n0.2,50,100\n";
  g_autoptr(GListModel) samples = NULL;
  g_autoptr(GListModel) indexed = NULL;
  g_autoptr(MpaioCpuSample) second = NULL;
  g_autoptr(MpaioCpuSample) only = NULL;
  g_autoptr(GError) error = NULL;
  guint n_cores = 0;

  samples = monitor_csv_render_load (csv, strlen (csv), &n_cores, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n_cores, ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (samples), ==, 2);
  second = g_list_model_get_item (samples, 1);
  g_assert_cmpfloat (mpaio_cpu_sample_get_time (second), ==, 0.4);
  /* An empty field is a missing value, not 0. */
  g_assert_true (isnan (mpaio_cpu_sample_get_value (second, 0)));
  g_assert_cmpfloat (mpaio_cpu_sample_get_value (second, 1), ==, 30.0);

  /* An unnamed first column (pandas' index) is the time; without a total
   * column, the total is the cores' mean. */
  indexed = monitor_csv_render_load (pandas, strlen (pandas), &n_cores, &error);
  g_assert_no_error (error);
  only = g_list_model_get_item (indexed, 0);
  g_assert_cmpfloat (mpaio_cpu_sample_get_time (only), ==, 0.2);
  g_assert_cmpfloat (mpaio_cpu_sample_get_total (only), ==, 75.0);
}

static void
test_load_errors (void)
{
  const char *bad[] = {
    "",
    "a,b,c\n1,2,3\n",
    "time,core_0\n0.2,10,5\n",
    "time,core_0\n0.2,lots\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GListModel) samples = monitor_csv_render_load (bad[i], strlen (bad[i]), NULL, &error);

      g_assert_null (samples);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    }
}

static gboolean
find_color (cairo_surface_t *surface,
            guint            core)
{
  GdkRGBA       color;
  int           width = cairo_image_surface_get_width (surface);
  int           height = cairo_image_surface_get_height (surface);
  int           stride = cairo_image_surface_get_stride (surface);
  const guchar *data = cairo_image_surface_get_data (surface);
  guint32       want;

  monitor_chart_palette_get_color (core, &color);
  want = ((guint32) round (color.red * 255) << 16) | ((guint32) round (color.green * 255) << 8) | (guint32) round (color.blue * 255);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint32 pixel = *(const guint32 *) (data + y * stride + x * 4);

        if ((pixel & 0xffffff) == want && (pixel >> 24) == 0xff)
          return TRUE;
      }

  return FALSE;
}

static void
test_render_without_display (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *csv_path = NULL;
  g_autofree char *png_path = NULL;
  g_autofree char *csv = make_csv ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  const char      *monitor = g_getenv ("MPAIO_MONITOR_PROGRAM");
  cairo_surface_t *surface;

  g_assert_nonnull (monitor);
  dir = g_dir_make_tmp ("mpaio-render-XXXXXX", &error);
  g_assert_no_error (error);
  csv_path = g_build_filename (dir, "samples.csv", NULL);
  png_path = g_build_filename (dir, "plot.png", NULL);
  g_file_set_contents (csv_path, csv, -1, &error);
  g_assert_no_error (error);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  process = g_subprocess_launcher_spawn (launcher, &error, monitor, "--render", csv_path,
                                         "--output", png_path, "--size", "800x400", NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check (process, NULL, &error);
  g_assert_no_error (error);

  surface = cairo_image_surface_create_from_png (png_path);
  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (surface), ==, 800);
  g_assert_cmpint (cairo_image_surface_get_height (surface), ==, 400);
  g_assert_true (find_color (surface, 0));
  g_assert_true (find_color (surface, 1));
  cairo_surface_destroy (surface);

  g_unlink (png_path);
  g_unlink (csv_path);
  g_rmdir (dir);
}

static void
test_render_bad_csv (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher =
               g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSubprocess) process = NULL;

  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("MPAIO_MONITOR_PROGRAM"), "--render",
                                         "/nonexistent/samples.csv", "--output", "/tmp/never.png",
                                         NULL);
  g_assert_no_error (error);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), !=, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/csv-render/load", test_load);
  g_test_add_func ("/csv-render/load-errors", test_load_errors);
  g_test_add_func ("/csv-render/without-display", test_render_without_display);
  g_test_add_func ("/csv-render/bad-csv", test_render_bad_csv);

  return g_test_run ();
}
