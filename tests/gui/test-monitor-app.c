/* test-monitor-app.c: mpaio-monitor --run --screenshot shows chart and timeline
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Runs the built program as a user would, under the test's (Xvfb) display:
 * a demo run at launch in worker processes, a screenshot after two seconds,
 * then checks the PNG has the window's size and shows the CPU chart's
 * colours and chunk bars.
 */

#include <gio/gdesktopappinfo.h>
#include <gtk/gtk.h>
#include <mpaio.h>

#include <glib/gstdio.h>

#include "gui-test-util.h"
#include "monitor-format.h"
#include "monitor-chart-palette.h"

#define WIDTH  900
#define HEIGHT 600

static gboolean
on_timeout (gpointer user_data)
{
  g_subprocess_force_exit (G_SUBPROCESS (user_data));

  return G_SOURCE_REMOVE;
}

/* Runs the monitor with @args, killing it after @timeout_s. Returns its
 * standard output. */
static char *
run_monitor (const char *const *args,
             guint              timeout_s,
             int               *exit_status)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  const char      *monitor = g_getenv ("MPAIO_MONITOR_PROGRAM");
  guint            timeout_id;

  g_assert_nonnull (monitor);
  g_ptr_array_add (argv, (gpointer) monitor);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char *const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);

  timeout_id = g_timeout_add_seconds (timeout_s, on_timeout, process);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_source_remove (timeout_id);

  *exit_status = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;

  return g_steal_pointer (&out);
}

static void
test_screenshot_during_run (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *shot = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;
  TestPixels pixels;
  guint      n_cores = MIN (mpaio_get_n_cores (), 8);
  int        status;
  GdkRGBA    bar;

  dir = g_dir_make_tmp ("mpaio-monitor-XXXXXX", &error);
  g_assert_no_error (error);
  shot = g_build_filename (dir, "shot.png", NULL);

  {
    const char *args[] = { "--run", "sum", "--rows", "20000000", "--workers", "2",
                           "--partitions", "8", "--screenshot", shot, "--after", "2",
                           "--size", G_STRINGIFY (WIDTH) "x" G_STRINGIFY (HEIGHT), NULL };

    out = run_monitor (args, 60, &status);
  }
  g_test_message ("mpaio-monitor said: %s", out);
  g_assert_cmpint (status, ==, 0);
  /* The run ended within two seconds and said how it went. */
  {
    g_autofree char *n = monitor_format_count (20000000);
    g_autofree char *total = monitor_format_count (200000010000000);
    g_autofree char *expected = g_strdup_printf ("sum run: Sum of 1…%s: %s (correct)", n, total);

    g_assert_nonnull (strstr (out, expected));
  }

  texture = gdk_texture_new_from_filename (shot, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, WIDTH);
  g_assert_cmpint (gdk_texture_get_height (texture), ==, HEIGHT);
  test_pixels_init (&pixels, texture);

  /* The chart: every core's colour (lines and legend). */
  for (guint core = 0; core < n_cores; core++)
    {
      GdkRGBA color;

      monitor_chart_palette_get_color (core, &color);
      if (!test_pixels_find_color (&pixels, &color, 0, 0, WIDTH - 1, HEIGHT - 1))
        g_error ("core %u's colour is not in the screenshot", core);
    }

  /* The timeline: the first worker process's bars. */
  monitor_chart_palette_get_worker_color (0, &bar);
  g_assert_true (test_pixels_find_color (&pixels, &bar, 0, 0, WIDTH - 1, HEIGHT - 1));

  test_pixels_clear (&pixels);
  g_unlink (shot);
  g_rmdir (dir);
}

static void
test_bad_options (void)
{
  const char      *bad_run[] = { "--run", "nonsense", NULL };
  const char      *bad_size[] = { "--size", "big", NULL };
  g_autofree char *out1 = NULL;
  g_autofree char *out2 = NULL;
  int              status;

  out1 = run_monitor (bad_run, 30, &status);
  g_assert_cmpint (status, !=, 0);
  out2 = run_monitor (bad_size, 30, &status);
  g_assert_cmpint (status, !=, 0);
}

/* desktop-file-validate may not be installed: GLib's reading of the file
 * is what GNOME uses, and the id must be the application's. */
static void
test_desktop_file (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "..", "gui", "data",
                                                 "org.mpaio.Monitor.desktop", NULL);
  g_autoptr(GDesktopAppInfo) info = g_desktop_app_info_new_from_filename (path);

  g_assert_nonnull (info);
  g_assert_cmpstr (g_app_info_get_executable (G_APP_INFO (info)), ==, "mpaio-monitor");
  g_assert_cmpstr (g_desktop_app_info_get_string (info, "Icon"), ==, "org.mpaio.Monitor");
  g_assert_true (g_desktop_app_info_get_boolean (info, "StartupNotify"));
  g_assert_true (g_app_info_should_show (G_APP_INFO (info)));
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/monitor-app/screenshot-during-run", test_screenshot_during_run);
  g_test_add_func ("/monitor-app/bad-options", test_bad_options);
  g_test_add_func ("/monitor-app/desktop-file", test_desktop_file);

  return g_test_run ();
}
