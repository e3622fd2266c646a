/* test-run-samples.c: the CPU samples a watched run across hosts keeps
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * No display: MonitorRun is a model. The feed's batches of samples are
 * numbered; a fetch of the run so far may overlap them.
 */

#include <glib/gstdio.h>
#include <mpaio.h>

#include "monitor-run.h"

static const char *const names[] = { "node-a/core_0", "node-b/core_0", "node-b/core_1", NULL };

/* Samples @first to @first + @n - 1, each at its number in seconds and
 * with its number as every value. */
static GPtrArray *
batch (guint first, guint n)
{
  GPtrArray *samples = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = first; i < first + n; i++)
    {
      gdouble values[] = { i, i, i };

      g_ptr_array_add (samples, mpaio_cpu_sample_new (i, values, 3, i));
    }

  return samples;
}

static void
assert_numbered (GListModel *samples, guint n)
{
  g_assert_cmpuint (g_list_model_get_n_items (samples), ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(MpaioCpuSample) sample = g_list_model_get_item (samples, i);

      g_assert_cmpfloat (mpaio_cpu_sample_get_time (sample), ==, i);
    }
}

static void
test_batches (void)
{
  g_autoptr(MonitorRun) run = monitor_run_new ("run", 1000);
  g_autoptr(GPtrArray) first = batch (0, 3);
  g_autoptr(GPtrArray) overlapping = batch (1, 4);
  g_autoptr(GPtrArray) gap = batch (7, 2);
  g_autoptr(GPtrArray) old = batch (0, 2);
  const char *const *got_names = NULL;
  gint64             cpu_start_us = 0;
  GListModel        *samples;

  g_test_summary ("A watched run across hosts keeps each sample once, in order, whatever "
                  "batches overlap, and names its columns; other runs have no samples of "
                  "their own");

  /* A run of this machine: its samples are the window's. */
  monitor_run_add_cpu_samples (run, 0, first);
  g_assert_null (monitor_run_get_cpu_samples (run, &cpu_start_us, &got_names));

  monitor_run_set_cpu_columns (run, 500, names);
  samples = monitor_run_get_cpu_samples (run, &cpu_start_us, &got_names);
  g_assert_nonnull (samples);
  g_assert_cmpint (cpu_start_us, ==, 500);
  g_assert_true (g_strv_equal (got_names, names));

  monitor_run_add_cpu_samples (run, 0, first);
  monitor_run_add_cpu_samples (run, 1, overlapping);
  assert_numbered (samples, 5);
  /* A batch after a missed one waits for the fetch that fills the gap. */
  monitor_run_add_cpu_samples (run, 7, gap);
  assert_numbered (samples, 5);
  /* Samples already kept are not added again. */
  monitor_run_add_cpu_samples (run, 0, old);
  assert_numbered (samples, 5);
}

static void
test_saved_with_names (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("mpaio-run-samples-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(MonitorRun) run = monitor_run_new ("run", 1000000);
  g_autoptr(GPtrArray) samples = batch (0, 3);
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GListStore) window_samples = g_list_store_new (MPAIO_TYPE_CPU_SAMPLE);
  const char *const workers[] = { "W", NULL };
  MpaioChunkRecord  record = { .end_row = 10, .sent_us = 1000000, .returned_us = 2000000 };

  g_test_summary ("A watched run across hosts is saved with its own samples and their "
                  "columns' names, not the window's samples");

  g_assert_no_error (error);
  path = g_build_filename (dir, "run.json", NULL);
  file = g_file_new_for_path (path);
  monitor_run_set_workers (run, workers);
  monitor_run_set_cpu_columns (run, 1000000, names);
  monitor_run_add_cpu_samples (run, 0, samples);
  monitor_run_add_records (run, &record, 1);
  monitor_run_finish (run, 3000000, "finished", NULL);

  g_assert_true (monitor_run_save (run, file, G_LIST_MODEL (window_samples), 0, &error));
  g_assert_no_error (error);
  report = mpaio_run_report_new_from_file (file, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_strv_equal (mpaio_run_report_get_cpu_core_names (report), names));
  assert_numbered (mpaio_run_report_get_cpu_samples (report), 3);

  g_unlink (path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/run-samples/batches", test_batches);
  g_test_add_func ("/run-samples/saved-with-names", test_saved_with_names);

  return g_test_run ();
}
