/* run-file-fixtures.c: run files the monitor's tests open and render
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib/gstdio.h>

#include "run-file-fixtures.h"

#define RENDERED "run.png"

TestRunFile *
test_run_file_new (const char *json)
{
  g_autoptr(GError) error = NULL;
  TestRunFile *run = g_new0 (TestRunFile, 1);

  run->dir = g_dir_make_tmp ("mpaio-run-file-XXXXXX", &error);
  g_assert_no_error (error);
  run->path = g_build_filename (run->dir, "run.json", NULL);
  run->file = g_file_new_for_path (run->path);
  g_file_set_contents (run->path, json, -1, &error);
  g_assert_no_error (error);

  return run;
}

TestRunFile *
test_run_file_new_two_processes (void)
{
  g_autoptr(GString) json = g_string_new (NULL);

  g_string_append (json, "{\"format\": \"mpaio-run\", \"version\": 1, \"start-us\": 1000000, "
                         "\"end-us\": 9000000, \"workers\": [\"W\"], \"chunks\": [");
  for (guint i = 0; i < 8; i++)
    g_string_append_printf (json,
                            "%s{\"worker\": 0, \"chunk\": %u, \"start-row\": %u, \"end-row\": %u, "
                            "\"pid\": %u, \"sent-us\": %u, \"started-us\": %u, "
                            "\"finished-us\": %u, \"returned-us\": %u}",
                            i > 0 ? ", " : "", i, i * 10, i * 10 + 10, 100 + i % 2,
                            1000000 + (i / 2) * 2000000, 1000000 + (i / 2) * 2000000,
                            2800000 + (i / 2) * 2000000, 2800000 + (i / 2) * 2000000);
  g_string_append (json, "], \"cpu\": {\"start-us\": 0, \"n-cores\": 2, \"samples\": [");
  for (guint i = 0; i <= 10; i++)
    g_string_append_printf (json, "%s{\"time\": %u, \"cores\": [100, 50], \"total\": 75}",
                            i > 0 ? ", " : "", i);
  g_string_append (json, "]}}");

  return test_run_file_new (json->str);
}

TestRunFile *
test_run_file_new_mpi (void)
{
  g_autoptr(GString) json = g_string_new (NULL);

  g_string_append (json,
                   "{\"format\": \"mpaio-run\", \"version\": 1, \"start-us\": 1000000, "
                   "\"end-us\": 9000000, \"workers\": [\"W\"], \"chunks\": [");
  for (guint i = 0; i < 3; i++)
    g_string_append_printf (json,
                            "%s{\"worker\": 0, \"chunk\": %u, \"start-row\": %u, \"end-row\": %u, "
                            "\"pid\": %d, \"host\": \"%s\", \"rank\": %d, "
                            "\"sent-us\": 1000000, \"started-us\": %d, \"finished-us\": %d, "
                            "\"returned-us\": %d}",
                            i > 0 ? ", " : "", i, i * 10, (i + 1) * 10, 100 + (gint) i,
                            i == 0 ? "node-a" : "node-b", i == 0 ? 0 : 1, 1000000 + (gint) i,
                            8000000, 8000000 + (gint) i);
  g_string_append (json,
                   "], \"cpu\": {\"start-us\": 1000000, \"n-cores\": 3, "
                   "\"core-names\": [\"node-a/core_0\", \"node-a/core_1\", \"node-b/core_0\"], "
                   "\"samples\": [");
  for (guint i = 0; i <= 40; i++)
    {
      double v = i < 14 ? 100.0 : 0.0, w = i >= 14 && i < 28 ? 100.0 : 0.0;

      g_string_append_printf (json, "%s{\"time\": %.2f, ", i > 0 ? ", " : "", i * 0.2);
      g_string_append_printf (json, "\"cores\": [%.1f, %.1f, %.1f], \"total\": %.1f}", v, w,
                              100.0 - v - w, 100.0 / 3);
    }
  g_string_append (json, "]}}");

  return test_run_file_new (json->str);
}

void
test_run_file_free (TestRunFile *run)
{
  g_autofree char *rendered = g_build_filename (run->dir, RENDERED, NULL);

  g_unlink (rendered);
  g_unlink (run->path);
  g_rmdir (run->dir);
  g_object_unref (run->file);
  g_free (run->path);
  g_free (run->dir);
  g_free (run);
}

MpaioRunReport *
test_run_file_load (TestRunFile *run)
{
  g_autoptr(GError) error = NULL;
  MpaioRunReport *report = mpaio_run_report_new_from_file (run->file, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (report);
  return report;
}

GdkTexture *
test_run_file_render (TestRunFile *run, int width, int height)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *png = g_build_filename (run->dir, RENDERED, NULL);
  g_autofree char *size = g_strdup_printf ("%dx%d", width, height);
  g_autoptr(GSubprocess) process = NULL;
  GdkTexture *texture;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, g_getenv ("MPAIO_MONITOR_PROGRAM"),
                              "--render", run->path, "--output", png, "--size", size, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check (process, NULL, &error);
  g_assert_no_error (error);

  texture = gdk_texture_new_from_filename (png, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, width);
  g_assert_cmpint (gdk_texture_get_height (texture), ==, height);
  return texture;
}
