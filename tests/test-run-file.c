/* test-run-file.c: run reports saved as JSON run files and loaded back
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "mpaio-run-report-private.h"
#include "mpaio-test-workers.h"

static MpaioRunReport *
run_spinning (guint n_chunks, gboolean monitor_cpu)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioProcessPool) pool = mpaio_process_pool_new (2, &error);
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (n_chunks);
  g_autoptr(MpaioDataIterator) iterator = mpaio_data_iterator_new (array, 1, &error);
  g_autoptr(MpaioTestSpinWorker) worker = NULL;
  g_autoptr(MpaioOrchestrator) orchestrator = NULL;
  MpaioRunReport *report;

  g_assert_no_error (error);
  worker = mpaio_test_spin_worker_new (iterator, 5000, -1);
  orchestrator = mpaio_orchestrator_new (MPAIO_EXECUTOR (pool), (MpaioWorker **) &worker, 1);
  mpaio_orchestrator_set_monitor_cpu_usage (orchestrator, monitor_cpu);
  mpaio_orchestrator_set_cpu_interval (orchestrator, 20);
  report = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_no_error (error);

  return report;
}

static GFile *
temp_file (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("mpaio-run-file-XXXXXX", &error);
  g_autofree char *path = NULL;

  g_assert_no_error (error);
  path = g_build_filename (dir, name, NULL);
  return g_file_new_for_path (path);
}

static void
remove_temp_file (GFile *file)
{
  g_autoptr(GFile) dir = g_file_get_parent (file);

  g_file_delete (file, NULL, NULL);
  g_file_delete (dir, NULL, NULL);
}

static void
assert_same_report (MpaioRunReport *a, MpaioRunReport *b)
{
  GListModel *samples_a = mpaio_run_report_get_cpu_samples (a);
  GListModel *samples_b = mpaio_run_report_get_cpu_samples (b);

  g_assert_cmpint (mpaio_run_report_get_start_time (a), ==, mpaio_run_report_get_start_time (b));
  g_assert_cmpint (mpaio_run_report_get_end_time (a), ==, mpaio_run_report_get_end_time (b));
  g_assert_cmpstrv (mpaio_run_report_get_worker_names (a), mpaio_run_report_get_worker_names (b));
  g_assert_cmpuint (mpaio_run_report_get_n_records (a), ==, mpaio_run_report_get_n_records (b));
  for (guint i = 0; i < mpaio_run_report_get_n_records (a); i++)
    {
      const MpaioChunkRecord *ra = mpaio_run_report_get_record (a, i);
      const MpaioChunkRecord *rb = mpaio_run_report_get_record (b, i);

      g_assert_cmpuint (ra->worker_index, ==, rb->worker_index);
      g_assert_cmpuint (ra->chunk_index, ==, rb->chunk_index);
      g_assert_cmpuint (ra->start_row, ==, rb->start_row);
      g_assert_cmpuint (ra->end_row, ==, rb->end_row);
      g_assert_cmpint (ra->pid, ==, rb->pid);
      g_assert_cmpint (ra->sent_us, ==, rb->sent_us);
      g_assert_cmpint (ra->started_us, ==, rb->started_us);
      g_assert_cmpint (ra->finished_us, ==, rb->finished_us);
      g_assert_cmpint (ra->returned_us, ==, rb->returned_us);
      g_assert_cmpint (ra->outcome, ==, rb->outcome);
      g_assert_cmpstr (ra->host, ==, rb->host);
      g_assert_true ((ra->error == NULL) == (rb->error == NULL));
      if (ra->error != NULL)
        g_assert_error (rb->error, ra->error->domain, ra->error->code);
      if (ra->error != NULL)
        g_assert_cmpstr (rb->error->message, ==, ra->error->message);
    }

  g_assert_true ((samples_a == NULL) == (samples_b == NULL));
  if (samples_a == NULL)
    return;

  g_assert_cmpint (mpaio_run_report_get_cpu_start_time (a), ==,
                   mpaio_run_report_get_cpu_start_time (b));
  g_assert_cmpuint (g_list_model_get_n_items (samples_a), ==, g_list_model_get_n_items (samples_b));
  for (guint i = 0; i < g_list_model_get_n_items (samples_a); i++)
    {
      g_autoptr(MpaioCpuSample) sa = g_list_model_get_item (samples_a, i);
      g_autoptr(MpaioCpuSample) sb = g_list_model_get_item (samples_b, i);
      guint          na, nb;
      const gdouble *va = mpaio_cpu_sample_get_values (sa, &na);
      const gdouble *vb = mpaio_cpu_sample_get_values (sb, &nb);

      /* Doubles are written exactly (round-trip precision). */
      g_assert_cmpfloat (mpaio_cpu_sample_get_time (sa), ==, mpaio_cpu_sample_get_time (sb));
      g_assert_cmpfloat (mpaio_cpu_sample_get_total (sa), ==, mpaio_cpu_sample_get_total (sb));
      g_assert_cmpuint (na, ==, nb);
      for (guint core = 0; core < na; core++)
        g_assert_cmpfloat (va[core], ==, vb[core]);
    }
}

static void
test_round_trip (void)
{
  g_autoptr(MpaioRunReport) report = run_spinning (30, TRUE);
  g_autoptr(MpaioRunReport) loaded = NULL;
  g_autoptr(GFile) file = temp_file ("run.json");
  g_autoptr(GError) error = NULL;

  g_test_summary ("A saved run reopens with the same records, times, worker names and CPU "
                  "samples");

  g_assert_nonnull (mpaio_run_report_get_cpu_samples (report));
  g_assert_cmpuint (g_list_model_get_n_items (mpaio_run_report_get_cpu_samples (report)), >, 0);
  g_assert_cmpstr (mpaio_run_report_get_worker_names (report)[0], ==, "MpaioTestSpinWorker");

  g_assert_true (mpaio_run_report_save_to_file (report, file, NULL, &error));
  g_assert_no_error (error);
  loaded = mpaio_run_report_new_from_file (file, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (loaded);
  assert_same_report (report, loaded);

  remove_temp_file (file);
}

static void
test_without_cpu (void)
{
  g_autoptr(MpaioRunReport) report = run_spinning (5, FALSE);
  g_autoptr(MpaioRunReport) loaded = NULL;
  g_autoptr(GFile) file = temp_file ("run.json");
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;

  g_test_summary ("A run without CPU monitoring saves \"cpu\": null and loads without samples");

  g_assert_true (mpaio_run_report_save_to_file (report, file, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_load_contents (file, NULL, &contents, NULL, NULL, &error));
  g_assert_nonnull (strstr (contents, "\"cpu\": null"));
  g_assert_nonnull (strstr (contents, "\"format\": \"mpaio-run\""));

  loaded = mpaio_run_report_new_from_file (file, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (mpaio_run_report_get_cpu_samples (loaded));
  assert_same_report (report, loaded);

  remove_temp_file (file);
}

static void
set_record (MpaioChunkRecord *record,
            guint64           index,
            gint              pid,
            gint64            sent_us,
            gint64            returned_us,
            MpaioChunkOutcome outcome)
{
  record->chunk_index = index;
  record->start_row = index * 10;
  record->end_row = index * 10 + 10;
  record->pid = pid;
  record->sent_us = sent_us;
  record->returned_us = returned_us;
  record->outcome = outcome;
}

static void
test_outcomes_and_hosts (void)
{
  g_autoptr(MpaioRunReport) report = _mpaio_run_report_new (1000, 4);
  g_autoptr(MpaioRunReport) loaded = NULL;
  g_autoptr(GFile) file = temp_file ("run.json");
  g_autoptr(GError) error = NULL;
  g_autofree char  *contents = NULL;
  const char *const workers[] = { "W", NULL };
  MpaioChunkRecord  records[4] = { { 0 } };

  g_test_summary ("Failed, cancelled and never sent chunks, a failed chunk's error and the "
                  "machine a chunk ran on are saved and load back the same");

  /* Done here; failed on another machine; cancelled; never sent. */
  set_record (&records[0], 0, 42, 1001, 1004, MPAIO_CHUNK_OUTCOME_DONE);
  records[0].started_us = 1002;
  records[0].finished_us = 1003;
  set_record (&records[1], 1, 43, 1001, 1005, MPAIO_CHUNK_OUTCOME_FAILED);
  records[1].host = g_intern_static_string ("node-b");
  set_record (&records[2], 2, 42, 1004, 1006, MPAIO_CHUNK_OUTCOME_CANCELLED);
  set_record (&records[3], 3, 0, 0, 0, MPAIO_CHUNK_OUTCOME_NOT_SENT);
  records[1].error = g_error_new (MPAIO_ERROR, MPAIO_ERROR_WORKER_FAILED, "boom \"quoted\"\n");
  for (guint i = 0; i < G_N_ELEMENTS (records); i++)
    _mpaio_run_report_add_record (report, &records[i]);
  g_clear_error (&records[1].error);
  _mpaio_run_report_set_end (report, 1010);
  _mpaio_run_report_set_worker_names (report, workers);

  g_assert_true (mpaio_run_report_save_to_file (report, file, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_load_contents (file, NULL, &contents, NULL, NULL, &error));
  g_assert_nonnull (strstr (contents, "\"outcome\": \"failed\""));
  g_assert_nonnull (strstr (contents, "\"outcome\": \"cancelled\""));
  g_assert_nonnull (strstr (contents, "\"outcome\": \"not-sent\""));
  g_assert_nonnull (strstr (contents, "\"host\": \"node-b\""));

  loaded = mpaio_run_report_new_from_file (file, NULL, &error);
  g_assert_no_error (error);
  assert_same_report (report, loaded);
  g_assert_cmpuint (mpaio_run_report_count_outcome (loaded, MPAIO_CHUNK_OUTCOME_FAILED), ==, 1);
  g_assert_cmpstr (mpaio_chunk_record_get_host (mpaio_run_report_get_record (loaded, 1)), ==,
                   "node-b");
  g_assert_null (mpaio_chunk_record_get_host (mpaio_run_report_get_record (loaded, 0)));

  remove_temp_file (file);
}

#define VALID_CHUNK                                                                \
  "{\"worker\": 0, \"chunk\": 0, \"start-row\": 0, \"end-row\": 10, \"pid\": 42, " \
  "\"sent-us\": 1, \"started-us\": 2, \"finished-us\": 3, \"returned-us\": 4}"

static void
test_bad_files (void)
{
  const struct
  {
    const char *contents;
    GQuark      domain;
    gint        code;
    const char *message_part;
  } cases[] = {
    { "not json at all", G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "Not an mpaio run file" },
    { "[1, 2, 3]", G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "format" },
    { "{\"format\": \"something-else\"}", G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "format" },
    { "{\"format\": \"mpaio-run\", \"version\": 99, \"start-us\": 0, \"end-us\": 1, \"chunks\": "
      "[]}",
      G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "version 99" },
    { "{\"format\": \"mpaio-run\", \"version\": 1, \"start-us\": 5, \"end-us\": 1, \"chunks\": []}",
      G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "“end-us” is out of range" },
    { "{\"format\": \"mpaio-run\", \"version\": 1, \"start-us\": 0, \"end-us\": 1}", G_IO_ERROR,
      G_IO_ERROR_INVALID_DATA, "“chunks” must be an array" },
    { "{\"format\": \"mpaio-run\", \"version\": 1, \"start-us\": 0, \"end-us\": 1, \"chunks\": "
      "[" VALID_CHUNK ", {\"worker\": 0, \"chunk\": 1, \"start-row\": 10, \"end-row\": 5}]}",
      G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "chunk 1: “end-row” is out of range" },
    { "{\"format\": \"mpaio-run\", \"version\": 1, \"start-us\": 0, \"end-us\": 1, \"chunks\": ["
      "{\"worker\": 0, \"chunk\": 0, \"start-row\": 0, \"end-row\": 5, \"pid\": \"x\"}]}",
      G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "chunk 0: “pid” must be an integer" },
    { "{\"format\": \"mpaio-run\", \"version\": 1, \"start-us\": 0, \"end-us\": 1, "
      "\"workers\": [\"W\"], \"chunks\": [" VALID_CHUNK "], \"cpu\": {\"start-us\": 0, "
      "\"n-cores\": 2, \"samples\": [{\"time\": 0.2, \"cores\": [1.0], \"total\": 1.0}]}}",
      G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "sample 0: “cores” must have n-cores values" },
    { "{\"format\": \"mpaio-run\", \"version\": 1, \"start-us\": 0, \"end-us\": 1, "
      "\"workers\": [\"W\"], \"chunks\": [{\"worker\": 3, \"chunk\": 0, \"start-row\": 0, "
      "\"end-row\": 5}]}",
      G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "chunk 0: “worker” is out of range" },
    { "{\"format\": \"mpaio-run\", \"version\": 1, \"start-us\": 0, \"end-us\": 1, \"chunks\": ["
      "{\"worker\": 0, \"chunk\": 0, \"start-row\": 0, \"end-row\": 5, \"pid\": 1, \"sent-us\": 1, "
      "\"started-us\": 1, \"finished-us\": 1, \"returned-us\": 1, \"outcome\": \"lost\"}]}",
      G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "chunk 0: “outcome” must be" },
    { "{\"format\": \"mpaio-run\", \"version\": 1, \"start-us\": 0, \"end-us\": 1, \"chunks\": ["
      "{\"worker\": 0, \"chunk\": 0, \"start-row\": 0, \"end-row\": 5, \"pid\": 1, \"sent-us\": 1, "
      "\"started-us\": 1, \"finished-us\": 1, \"returned-us\": 1, \"outcome\": \"failed\", "
      "\"error\": {\"domain\": \"d\", \"code\": 1}}]}",
      G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "chunk 0: “error” must have" },
    { "{\"format\": \"mpaio-run\", \"version\": 1, \"start-us\": 0, \"end-us\": 1, \"chunks\": ["
      "{\"worker\": 0, \"chunk\": 0, \"start-row\": 0, \"end-row\": 5, \"pid\": 1, \"sent-us\": 1, "
      "\"started-us\": 1, \"finished-us\": 1, \"returned-us\": 1, \"host\": 7}]}",
      G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "chunk 0: “host” must be a string" },
  };
  g_autoptr(GFile) file = temp_file ("bad.json");

  g_test_summary ("A file that is not a run file gives an error naming what is wrong, never a "
                  "crash");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MpaioRunReport) report = NULL;

      g_assert_true (g_file_replace_contents (file, cases[i].contents, strlen (cases[i].contents),
                                              NULL, FALSE, G_FILE_CREATE_NONE, NULL, NULL, &error));
      g_assert_no_error (error);

      report = mpaio_run_report_new_from_file (file, NULL, &error);
      g_assert_null (report);
      g_assert_nonnull (error);
      g_assert_error (error, cases[i].domain, cases[i].code);
      mpaio_test_assert_message_contains (error, cases[i].message_part);
    }

  remove_temp_file (file);
}

static void
test_missing_file (void)
{
  g_autoptr(GFile) file = g_file_new_for_path ("/nonexistent/mpaio/run.json");
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioRunReport) report = mpaio_run_report_new_from_file (file, NULL, &error);

  g_assert_null (report);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

int
main (int argc, char **argv)
{
  mpaio_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/run-file/round-trip", test_round_trip);
  g_test_add_func ("/run-file/without-cpu", test_without_cpu);
  g_test_add_func ("/run-file/outcomes-and-hosts", test_outcomes_and_hosts);
  g_test_add_func ("/run-file/bad-files", test_bad_files);
  g_test_add_func ("/run-file/missing-file", test_missing_file);

  return g_test_run ();
}
