/* test-partial-report.c: the report of a run that failed or was cancelled
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "mpaio-test-workers.h"

static MpaioDataIterator *
new_iterator (guint64 n_rows, guint64 chunk_size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (n_rows);
  MpaioDataIterator *iterator = mpaio_data_iterator_new (array, chunk_size, &error);

  g_assert_no_error (error);
  return iterator;
}

static MpaioOrchestrator *
new_orchestrator (MpaioExecutor *executor, gpointer worker)
{
  MpaioWorker *workers[] = { worker };

  return mpaio_orchestrator_new (executor, workers, 1);
}

/* The chunk indexes in @results (MpaioTestResult), as a set. */
static GHashTable *
delivered_set (GArray *results)
{
  GHashTable *set = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

  for (guint i = 0; i < results->len; i++)
    {
      const MpaioTestResult *result = &g_array_index (results, MpaioTestResult, i);
      gint64                *index = g_new (gint64, 1);

      *index = (gint64) result->chunk.index;
      g_assert_true (g_hash_table_add (set, index));
    }

  return set;
}

/* One record per chunk of @iterator, each once, with its rows; times and
 * the process only where the chunk got that far; an error exactly on the
 * failed ones. The chunks done are exactly those delivered. */
static void
assert_report_matches (MpaioRunReport *report, MpaioDataIterator *iterator, GArray *results)
{
  guint64 n_chunks = mpaio_data_iterator_get_n_chunks (iterator);
  g_autoptr(GHashTable) delivered = delivered_set (results);
  g_autofree gboolean *seen = g_new0 (gboolean, n_chunks);
  guint                n_by_outcome[MPAIO_CHUNK_OUTCOME_NOT_SENT + 1] = { 0 };

  g_assert_nonnull (report);
  g_assert_cmpuint (mpaio_run_report_get_n_records (report), ==, n_chunks);
  g_assert_cmpint (mpaio_run_report_get_end_time (report), >=,
                   mpaio_run_report_get_start_time (report));

  for (guint i = 0; i < n_chunks; i++)
    {
      const MpaioChunkRecord *record = mpaio_run_report_get_record (report, i);
      MpaioChunkOutcome       outcome = mpaio_chunk_record_get_outcome (record);
      gint64                  index = (gint64) record->chunk_index;
      MpaioChunk              chunk;

      g_assert_cmpuint (record->worker_index, ==, 0);
      g_assert_cmpuint (record->chunk_index, <, n_chunks);
      g_assert_false (seen[record->chunk_index]);
      seen[record->chunk_index] = TRUE;
      g_assert_true (mpaio_data_iterator_get_chunk (iterator, record->chunk_index, &chunk));
      g_assert_cmpuint (record->start_row, ==, chunk.start);
      g_assert_cmpuint (record->end_row, ==, chunk.end);

      g_assert_cmpint (outcome, <=, MPAIO_CHUNK_OUTCOME_NOT_SENT);
      n_by_outcome[outcome]++;
      g_assert_true ((outcome == MPAIO_CHUNK_OUTCOME_DONE) == g_hash_table_contains (delivered, &index));
      g_assert_true ((outcome == MPAIO_CHUNK_OUTCOME_FAILED) == (mpaio_chunk_record_get_error (record) != NULL));

      switch (outcome)
        {
        case MPAIO_CHUNK_OUTCOME_DONE:
          g_assert_cmpint (record->pid, >, 0);
          g_assert_cmpint (record->started_us, >=, mpaio_run_report_get_start_time (report));
          g_assert_cmpint (record->finished_us, >=, record->started_us);
          g_assert_cmpint (record->returned_us, >, 0);
          break;
        case MPAIO_CHUNK_OUTCOME_NOT_SENT:
          g_assert_cmpint (record->pid, ==, 0);
          g_assert_cmpint (record->sent_us, ==, 0);
          g_assert_cmpint (record->started_us, ==, 0);
          g_assert_cmpint (record->returned_us, ==, 0);
          break;
        default:
          break;
        }
    }

  for (guint outcome = 0; outcome < G_N_ELEMENTS (n_by_outcome); outcome++)
    g_assert_cmpuint (mpaio_run_report_count_outcome (report, outcome), ==, n_by_outcome[outcome]);
}

static const MpaioChunkRecord *
find_record (MpaioRunReport *report, guint64 chunk_index)
{
  for (guint i = 0; i < mpaio_run_report_get_n_records (report); i++)
    {
      const MpaioChunkRecord *record = mpaio_run_report_get_record (report, i);

      if (record->chunk_index == chunk_index)
        return record;
    }

  g_assert_not_reached ();
}

static void
assert_last_report_null_while_running (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  MpaioOrchestrator *orchestrator = MPAIO_ORCHESTRATOR (object);

  if (mpaio_orchestrator_get_running (orchestrator))
    g_assert_null (mpaio_orchestrator_get_last_report (orchestrator));
}

static void
test_succeeded (gconstpointer data)
{
  g_autoptr(MpaioExecutor) executor = mpaio_test_new_executor (data);
  g_autoptr(MpaioDataIterator) iterator = new_iterator (1000, 10);
  g_autoptr(MpaioTestSumWorker) worker = mpaio_test_sum_worker_new (iterator, 1);
  g_autoptr(MpaioOrchestrator) orchestrator = new_orchestrator (executor, worker);
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(MpaioRunReport) second = NULL;
  g_autoptr(GError) error = NULL;
  MpaioRunReport *property = NULL;

  g_test_summary ("A run that succeeds: its report is also last-report, every chunk done; "
                  "last-report is NULL while a run is in progress and replaced by the next one");

  g_assert_null (mpaio_orchestrator_get_last_report (orchestrator));
  g_signal_connect (orchestrator, "notify::n-chunks-done",
                    G_CALLBACK (assert_last_report_null_while_running), NULL);

  report = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (report == mpaio_orchestrator_get_last_report (orchestrator));
  g_object_get (orchestrator, "last-report", &property, NULL);
  g_assert_true (property == report);
  g_clear_object (&property);

  assert_report_matches (report, iterator, mpaio_test_sum_worker_get_results (worker));
  g_assert_cmpuint (mpaio_run_report_count_outcome (report, MPAIO_CHUNK_OUTCOME_DONE), ==, 100);

  second = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (second != report);
  g_assert_true (second == mpaio_orchestrator_get_last_report (orchestrator));
}

static void
run_failed (gconstpointer data, gboolean ordered)
{
  g_autoptr(MpaioExecutor) executor = mpaio_test_new_executor (data);
  g_autoptr(MpaioDataIterator) iterator = new_iterator (500, 1);
  g_autoptr(MpaioTestFailWorker) worker = mpaio_test_fail_worker_new (iterator, 0);
  g_autoptr(MpaioOrchestrator) orchestrator = new_orchestrator (executor, worker);
  g_autoptr(MpaioRunReport) finished = NULL;
  g_autoptr(GError) error = NULL;
  MpaioRunReport         *report;
  const MpaioChunkRecord *failed;

  mpaio_orchestrator_set_ordered (orchestrator, ordered);
  finished = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_null (finished);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);

  report = mpaio_orchestrator_get_last_report (orchestrator);
  assert_report_matches (report, iterator, mpaio_test_fail_worker_get_results (worker));

  /* The failed chunk carries the error the run ended with. */
  failed = find_record (report, 0);
  g_assert_cmpint (mpaio_chunk_record_get_outcome (failed), ==, MPAIO_CHUNK_OUTCOME_FAILED);
  g_assert_error (mpaio_chunk_record_get_error (failed), G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (mpaio_chunk_record_get_error (failed)->message, ==, error->message);
  mpaio_test_assert_message_contains (failed->error, "Chunk 0 (rows 0 to 1)");
  mpaio_test_assert_message_contains (failed->error, "boom at chunk 0");

  /* The default policy waits for the chunks in flight: none is cancelled.
   * How many were sent before the failure came back depends on timing (the
   * gated tests of test-error-policy pin it down); every other chunk is
   * either done or never sent. */
  g_assert_cmpuint (mpaio_run_report_count_outcome (report, MPAIO_CHUNK_OUTCOME_FAILED), ==, 1);
  g_assert_cmpuint (mpaio_run_report_count_outcome (report, MPAIO_CHUNK_OUTCOME_CANCELLED), ==, 0);
  g_assert_cmpuint (mpaio_run_report_count_outcome (report, MPAIO_CHUNK_OUTCOME_DONE)
                      + mpaio_run_report_count_outcome (report, MPAIO_CHUNK_OUTCOME_NOT_SENT),
                    ==, 499);
}

static void
test_failed (gconstpointer data)
{
  g_test_summary ("A failed run's report, from last-report: the failed chunk with its error, "
                  "the chunks done (exactly those delivered), the chunks never sent");

  run_failed (data, FALSE);
}

static void
test_failed_ordered (gconstpointer data)
{
  g_test_summary ("The same with ordered delivery");

  run_failed (data, TRUE);
}

typedef struct
{
  GCancellable *cancellable;
  guint         n_notified;
} CancelOnFirst;

static void
cancel_on_first (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  CancelOnFirst *cancel = user_data;

  if (mpaio_orchestrator_get_n_chunks_done (MPAIO_ORCHESTRATOR (object)) > 0 && cancel->n_notified++ == 0)
    g_cancellable_cancel (cancel->cancellable);
}

static void
run_cancelled (gconstpointer data, gboolean ordered)
{
  g_autoptr(MpaioExecutor) executor = mpaio_test_new_executor (data);
  g_autoptr(MpaioDataIterator) iterator = NULL;
  g_autoptr(MpaioTestSumWorker) worker = NULL;
  g_autoptr(MpaioOrchestrator) orchestrator = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(MpaioRunReport) finished = NULL;
  g_autoptr(GError) error = NULL;
  CancelOnFirst   cancel = { cancellable, 0 };
  GArray         *results;
  MpaioRunReport *report;
  guint           max_in_flight = mpaio_executor_get_max_in_flight (executor);
  guint64         n_chunks = 4 * (guint64) max_in_flight;
  guint           n_cancelled;

  iterator = new_iterator (n_chunks, 1);
  worker = mpaio_test_sum_worker_new (iterator, 1);
  orchestrator = new_orchestrator (executor, worker);
  results = mpaio_test_sum_worker_get_results (worker);
  mpaio_orchestrator_set_ordered (orchestrator, ordered);
  g_signal_connect (orchestrator, "notify::n-chunks-done", G_CALLBACK (cancel_on_first), &cancel);

  finished = mpaio_test_run (orchestrator, cancellable, &error);
  g_assert_null (finished);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  report = mpaio_orchestrator_get_last_report (orchestrator);
  assert_report_matches (report, iterator, results);

  /* The first result cancelled the run: it is the one chunk done. */
  g_assert_cmpuint (results->len, ==, 1);
  g_assert_cmpuint (mpaio_run_report_count_outcome (report, MPAIO_CHUNK_OUTCOME_DONE), ==, 1);
  g_assert_cmpuint (mpaio_run_report_count_outcome (report, MPAIO_CHUNK_OUTCOME_FAILED), ==, 0);
  if (ordered)
    g_assert_cmpuint (g_array_index (results, MpaioTestResult, 0).chunk.index, ==, 0);

  /* The run had max-in-flight chunks out, one came back; results that came
   * back earlier but were held for chunk 0 are cancelled as well. */
  n_cancelled = mpaio_run_report_count_outcome (report, MPAIO_CHUNK_OUTCOME_CANCELLED);
  if (ordered)
    g_assert_cmpuint (n_cancelled, >=, max_in_flight - 1);
  else
    g_assert_cmpuint (n_cancelled, ==, max_in_flight - 1);
  g_assert_cmpuint (mpaio_run_report_count_outcome (report, MPAIO_CHUNK_OUTCOME_NOT_SENT), ==,
                    n_chunks - 1 - n_cancelled);

  /* A chunk cancelled while out has no process, but the time it was out,
   * so that a monitor can draw it: sent before the run ended, given up
   * when it did. */
  for (guint i = 0; i < mpaio_run_report_get_n_records (report); i++)
    {
      const MpaioChunkRecord *record = mpaio_run_report_get_record (report, i);

      if (record->outcome != MPAIO_CHUNK_OUTCOME_CANCELLED || record->pid != 0)
        continue;
      g_assert_cmpint (record->sent_us, >=, mpaio_run_report_get_start_time (report));
      g_assert_cmpint (record->returned_us, >=, record->sent_us);
      g_assert_cmpint (record->returned_us, <=, mpaio_run_report_get_end_time (report));
    }
}

static void
test_cancelled (gconstpointer data)
{
  g_test_summary ("A cancelled run's report, from last-report: the one chunk delivered before the "
                  "cancel is done, the chunks in flight cancelled, the rest never sent");

  run_cancelled (data, FALSE);
}

static void
test_cancelled_ordered (gconstpointer data)
{
  g_test_summary ("The same with ordered delivery: results held for an earlier chunk when the "
                  "run was cancelled are cancelled too, never done");

  run_cancelled (data, TRUE);
}

static void
test_cancelled_before_start (gconstpointer data)
{
  g_autoptr(MpaioExecutor) executor = mpaio_test_new_executor (data);
  g_autoptr(MpaioDataIterator) iterator = new_iterator (100, 10);
  g_autoptr(MpaioTestSumWorker) worker = mpaio_test_sum_worker_new (iterator, 1);
  g_autoptr(MpaioOrchestrator) orchestrator = new_orchestrator (executor, worker);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(MpaioRunReport) finished = NULL;
  g_autoptr(GError) error = NULL;
  MpaioRunReport *report;

  g_test_summary ("A run cancelled before it started: a report where no chunk was sent");

  g_cancellable_cancel (cancellable);
  finished = mpaio_test_run (orchestrator, cancellable, &error);
  g_assert_null (finished);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  report = mpaio_orchestrator_get_last_report (orchestrator);
  assert_report_matches (report, iterator, mpaio_test_sum_worker_get_results (worker));
  g_assert_cmpuint (mpaio_run_report_count_outcome (report, MPAIO_CHUNK_OUTCOME_NOT_SENT), ==, 10);
}

static void
test_not_started (void)
{
  g_autoptr(MpaioThreadPool) pool = mpaio_thread_pool_new (1, NULL);
  g_autoptr(MpaioDataIterator) iterator = new_iterator (100, 10);
  g_autoptr(MpaioTestSumWorker) worker = mpaio_test_sum_worker_new (iterator, 1);
  g_autoptr(MpaioTestSumWorker) lost = g_object_new (MPAIO_TEST_TYPE_SUM_WORKER, NULL);
  g_autoptr(MpaioOrchestrator) orchestrator = new_orchestrator (MPAIO_EXECUTOR (pool), worker);
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GError) error = NULL;

  g_test_summary ("A run that could not start leaves no report, and no older report passes "
                  "for its own");

  report = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (mpaio_orchestrator_get_last_report (orchestrator) == report);

  mpaio_orchestrator_add_worker (orchestrator, MPAIO_WORKER (lost));
  g_clear_object (&report);
  report = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_error (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT);
  g_assert_null (report);
  g_assert_null (mpaio_orchestrator_get_last_report (orchestrator));
}

static void
test_record_copy (void)
{
  g_autoptr(MpaioThreadPool) pool = mpaio_thread_pool_new (1, NULL);
  g_autoptr(MpaioDataIterator) iterator = new_iterator (100, 10);
  g_autoptr(MpaioTestFailWorker) worker = mpaio_test_fail_worker_new (iterator, 3);
  g_autoptr(MpaioOrchestrator) orchestrator = new_orchestrator (MPAIO_EXECUTOR (pool), worker);
  g_autoptr(MpaioRunReport) finished = NULL;
  g_autoptr(MpaioChunkRecord) copy = NULL;
  g_autoptr(GError) error = NULL;
  MpaioChunkRecord zeroed = { 0 };

  g_test_summary ("A failed chunk's record copies with its own error, which outlives the report");

  finished = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  copy =
    mpaio_chunk_record_copy (find_record (mpaio_orchestrator_get_last_report (orchestrator), 3));
  g_assert_true (copy->error != find_record (mpaio_orchestrator_get_last_report (orchestrator), 3)->error);
  g_clear_object (&orchestrator);

  g_assert_cmpint (mpaio_chunk_record_get_outcome (copy), ==, MPAIO_CHUNK_OUTCOME_FAILED);
  g_assert_cmpstr (mpaio_chunk_record_get_error (copy)->message, ==, error->message);

  /* A record made with { 0 } is a chunk done. */
  g_assert_cmpint (mpaio_chunk_record_get_outcome (&zeroed), ==, MPAIO_CHUNK_OUTCOME_DONE);
  g_assert_null (mpaio_chunk_record_get_error (&zeroed));
}

static void
add_test (const char *name, GTestDataFunc func)
{
  static const char *const executor_names[] = {
    [MPAIO_TEST_EXECUTOR_PROCESS_POOL] = "process-pool",
    [MPAIO_TEST_EXECUTOR_THREAD_POOL] = "thread-pool",
  };

  for (guint kind = 0; kind < G_N_ELEMENTS (executor_names); kind++)
    {
      g_autofree char *path = g_strdup_printf ("/partial-report/%s/%s", name, executor_names[kind]);

      g_test_add_data_func (path, GINT_TO_POINTER (kind), func);
    }
}

int
main (int argc, char **argv)
{
  mpaio_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_summary ("MpaioOrchestrator:last-report and each chunk's outcome, after runs that "
                  "succeed, fail or are cancelled, on both executors");

  add_test ("succeeded", test_succeeded);
  add_test ("failed", test_failed);
  add_test ("failed-ordered", test_failed_ordered);
  add_test ("cancelled", test_cancelled);
  add_test ("cancelled-ordered", test_cancelled_ordered);
  add_test ("cancelled-before-start", test_cancelled_before_start);
  g_test_add_func ("/partial-report/not-started", test_not_started);
  g_test_add_func ("/partial-report/record-copy", test_record_copy);

  return g_test_run ();
}
