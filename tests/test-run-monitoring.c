/* test-run-monitoring.c: CPU samples taken during orchestrator runs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "mpaio-test-workers.h"

static MpaioOrchestrator *
new_spinning_orchestrator (MpaioProcessPool *pool,
                           guint             n_chunks,
                           guint             spin_us)
{
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (n_chunks);
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioDataIterator) iterator = mpaio_data_iterator_new (array, 1, &error);
  g_autoptr(MpaioTestSpinWorker) worker = NULL;

  g_assert_no_error (error);
  worker = mpaio_test_spin_worker_new (iterator, spin_us, -1);
  return mpaio_orchestrator_new (MPAIO_EXECUTOR (pool), (MpaioWorker **) &worker, 1);
}

static void
test_samples_during_run (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioProcessPool) pool = mpaio_process_pool_new (2, &error);
  g_autoptr(MpaioOrchestrator) orchestrator = NULL;
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GOutputStream) stream = g_memory_output_stream_new_resizable ();
  g_auto(GStrv) lines = NULL;
  GListModel *samples;
  guint       n_samples;
  gdouble     busiest = 0;

  g_test_summary ("A monitored run's report carries per-core samples covering the run, "
                  "written as CSV");

  g_assert_no_error (error);
  /* 40 chunks of 20 ms on 2 processes: about 400 ms of both cores busy. */
  orchestrator = new_spinning_orchestrator (pool, 40, 20000);
  mpaio_orchestrator_set_monitor_cpu_usage (orchestrator, TRUE);
  mpaio_orchestrator_set_cpu_interval (orchestrator, 50);

  report = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_no_error (error);

  samples = mpaio_run_report_get_cpu_samples (report);
  g_assert_nonnull (samples);
  n_samples = g_list_model_get_n_items (samples);
  /* One per interval of the run; a loaded machine may run the sampling
   * timer late, never so late that it skips half of them. */
  g_assert_cmpuint (n_samples, >=, (guint) (mpaio_run_report_get_wall_time (report) * 1000 / 50 / 2));
  g_assert_cmpuint (n_samples, >=, 2);
  g_assert_cmpint (mpaio_run_report_get_cpu_start_time (report), >=,
                   mpaio_run_report_get_start_time (report) - 1000);

  for (guint i = 0; i < n_samples; i++)
    {
      g_autoptr(MpaioCpuSample) sample = g_list_model_get_item (samples, i);
      guint          n_values;
      const gdouble *values = mpaio_cpu_sample_get_values (sample, &n_values);

      g_assert_cmpuint (n_values, ==, mpaio_get_n_cores ());
      for (guint core = 0; core < n_values; core++)
        {
          g_assert_cmpfloat (values[core], >=, 0.0);
          g_assert_cmpfloat (values[core], <=, 100.0);
          busiest = MAX (busiest, values[core]);
        }
    }

  /* The worker processes spin, so some core was seen working hard. */
  g_assert_cmpfloat (busiest, >=, 80.0);

  g_assert_true (mpaio_run_report_write_cpu_csv (report, stream, NULL, &error));
  g_assert_no_error (error);
  g_output_stream_write (stream, "", 1, NULL, NULL);
  g_output_stream_close (stream, NULL, NULL);
  lines = g_strsplit (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (stream)), "\n", -1);

  g_assert_true (g_str_has_prefix (lines[0], "time,core_0,"));
  g_assert_true (g_str_has_suffix (lines[0], ",total"));
  g_assert_cmpuint (g_strv_length (lines), ==, n_samples + 2); /* header, rows, "" after the last \n */
}

static void
test_unmonitored (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioProcessPool) pool = mpaio_process_pool_new (1, &error);
  g_autoptr(MpaioOrchestrator) orchestrator = NULL;
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GOutputStream) stream = g_memory_output_stream_new_resizable ();

  g_test_summary ("Without monitoring a report has no samples, and says so when asked for CSV");

  g_assert_no_error (error);
  orchestrator = new_spinning_orchestrator (pool, 2, 0);
  report = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_no_error (error);

  g_assert_null (mpaio_run_report_get_cpu_samples (report));
  g_assert_false (mpaio_run_report_write_cpu_csv (report, stream, NULL, &error));
  g_assert_error (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT);
}

int
main (int   argc,
      char *argv[])
{
  mpaio_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/run-monitoring/samples-during-run", test_samples_during_run);
  g_test_add_func ("/run-monitoring/unmonitored", test_unmonitored);

  return g_test_run ();
}
