/* test-process-pool.c: MpaioProcessPool with real worker processes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "mpaio-test-workers.h"

static void
run_sum (MpaioProcessPool    *pool,
         guint64              n_rows,
         guint                n_partitions,
         gint64               multiplier,
         MpaioTestSumWorker **out_worker)
{
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (n_rows);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (array, n_partitions);
  g_autoptr(MpaioTestSumWorker) worker = mpaio_test_sum_worker_new (iterator, multiplier);
  g_autoptr(MpaioOrchestrator) orchestrator =
               mpaio_orchestrator_new (MPAIO_EXECUTOR (pool), (MpaioWorker **) &worker, 1);
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GError) error = NULL;

  report = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mpaio_test_sum_worker_get_total (worker), ==,
                   multiplier * (gint64) (n_rows * (n_rows + 1) / 2));

  if (out_worker != NULL)
    *out_worker = g_steal_pointer (&worker);
}

static void
test_other_processes (void)
{
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (2);
  g_autoptr(MpaioTestSumWorker) worker = NULL;
  g_autoptr(GHashTable) pids = g_hash_table_new (NULL, NULL);
  GArray *results;

  g_test_summary ("Chunks are processed by the pool's worker processes, not the caller");

  run_sum (pool, 100000, 16, 1, &worker);
  results = mpaio_test_sum_worker_get_results (worker);
  g_assert_cmpuint (results->len, ==, 16);

  for (guint i = 0; i < results->len; i++)
    {
      GPid pid = g_array_index (results, MpaioTestResult, i).pid;

      g_assert_cmpint (pid, !=, getpid ());
      g_assert_true (mpaio_test_pool_has_pid (pool, pid));
      g_hash_table_add (pids, GINT_TO_POINTER (pid));
    }

  /* 16 chunks on 2 processes, handed out round-robin: both took part. */
  g_assert_cmpuint (g_hash_table_size (pids), ==, 2);
}

static void
test_reused_across_runs (void)
{
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (2);
  g_autofree GPid *before = NULL;
  g_autofree GPid *after = NULL;
  guint            n_before, n_after;

  g_test_summary ("The same worker processes serve run after run");

  run_sum (pool, 1000, 4, 1, NULL);
  before = mpaio_process_pool_get_pids (pool, &n_before);
  for (guint i = 0; i < 5; i++)
    run_sum (pool, 1000 + i, 3 + i, 1, NULL);
  after = mpaio_process_pool_get_pids (pool, &n_after);

  g_assert_cmpuint (n_before, ==, 2);
  g_assert_cmpmem (before, n_before * sizeof (GPid), after, n_after * sizeof (GPid));
}

static void
test_parameters (void)
{
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (2);
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (1000);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (array, 4);
  g_autoptr(MpaioTestSumWorker) worker = mpaio_test_sum_worker_new (iterator, 3);
  g_autoptr(MpaioOrchestrator) orchestrator =
               mpaio_orchestrator_new (MPAIO_EXECUTOR (pool), (MpaioWorker **) &worker, 1);
  g_autoptr(GError) error = NULL;
  MpaioRunReport *report;

  g_test_summary ("A worker's properties reach its copies in the worker processes, "
                  "and a changed property is sent again");

  report = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&report);
  g_assert_cmpint (mpaio_test_sum_worker_get_total (worker), ==, 3 * 500500);

  g_object_set (worker, "multiplier", (gint64) 5, NULL);
  report = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&report);
  g_assert_cmpint (mpaio_test_sum_worker_get_total (worker), ==, 3 * 500500 + 5 * 500500);
}

static void
test_in_flight (void)
{
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (2);
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (64);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (array, 64);
  g_autoptr(MpaioTestSpinWorker) worker = mpaio_test_spin_worker_new (iterator, 50, -1);
  g_autoptr(MpaioOrchestrator) orchestrator =
               mpaio_orchestrator_new (MPAIO_EXECUTOR (pool), (MpaioWorker **) &worker, 1);
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  guint queued_behind = 0;
  guint n;

  g_test_summary ("Each process holds more than one chunk: the next is sent before the "
                  "current one finishes");

  report = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_no_error (error);
  n = mpaio_run_report_get_n_records (report);
  g_assert_cmpuint (n, ==, 64);

  /* A process handles its chunks in order, so within one pid a chunk
   * sent before its predecessor finished was waiting in that process. */
  for (guint i = 0; i < n; i++)
    for (guint j = 0; j < n; j++)
      {
        const MpaioChunkRecord *a = mpaio_run_report_get_record (report, i);
        const MpaioChunkRecord *b = mpaio_run_report_get_record (report, j);

        if (a->pid == b->pid && a->started_us < b->started_us && b->sent_us < a->finished_us)
          {
            queued_behind++;
            break;
          }
      }

  g_assert_cmpuint (queued_behind, >, n / 2);
}

static void
test_worker_failed (void)
{
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (2);
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (100);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (array, 10);
  g_autoptr(MpaioTestFailWorker) worker = mpaio_test_fail_worker_new (iterator, 4);
  g_autoptr(MpaioOrchestrator) orchestrator =
               mpaio_orchestrator_new (MPAIO_EXECUTOR (pool), (MpaioWorker **) &worker, 1);
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  GArray *results;

  g_test_summary ("A failing process ends the run with its message; the pool goes on");

  report = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  mpaio_test_assert_message_contains (error, "boom at chunk 4");
  g_assert_null (report);

  /* Chunks in flight when chunk 4 failed still came back and were delivered. */
  results = mpaio_test_fail_worker_get_results (worker);
  g_assert_cmpuint (results->len, >=, 4);
  for (guint i = 0; i < results->len; i++)
    g_assert_cmpint (g_array_index (results, MpaioTestResult, i).chunk.index, !=, 4);

  run_sum (pool, 5000, 7, 1, NULL);
}

typedef struct
{
  const char *name;
  gint        crash_mode;
  const char *expected;
} Crash;

static const Crash crashes[] = {
  { "sigkill", 0, "killed by signal 9" },
  { "segv", 1, "killed by signal 11" },
  { "abort", 2, "killed by signal 6" },
  { "exit", 3, "exited with status 3" },
};

static void
test_crash (gconstpointer data)
{
  const Crash *crash = data;
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (2);
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (40);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (array, 40);
  g_autoptr(MpaioTestSpinWorker) worker = mpaio_test_spin_worker_new (iterator, 1000, 6);
  g_autoptr(MpaioOrchestrator) orchestrator =
               mpaio_orchestrator_new (MPAIO_EXECUTOR (pool), (MpaioWorker **) &worker, 1);
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree GPid *pids = NULL;
  guint            n_pids;

  g_test_summary ("A process that dies mid-chunk ends the run naming the chunk and how it "
                  "died; it is replaced and the next run completes");

  g_object_set (worker, "crash-mode", crash->crash_mode, NULL);

  report = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_error (error, MPAIO_ERROR, MPAIO_ERROR_WORKER_CRASHED);
  mpaio_test_assert_message_contains (error, "Chunk 6 ");
  mpaio_test_assert_message_contains (error, crash->expected);

  pids = mpaio_process_pool_get_pids (pool, &n_pids);
  g_assert_cmpuint (n_pids, ==, 2);
  run_sum (pool, 10000, 8, 1, NULL);
}

typedef struct
{
  MpaioProcessPool *pool;
  gboolean          killed;
} KillData;

static void
kill_a_worker (GObject    *orchestrator,
               GParamSpec *pspec,
               gpointer    user_data)
{
  KillData        *data = user_data;
  g_autofree GPid *pids = NULL;
  guint            n_pids;

  if (data->killed)
    return;

  pids = mpaio_process_pool_get_pids (data->pool, &n_pids);
  g_assert_cmpuint (n_pids, >, 0);
  kill (pids[0], SIGKILL);
  data->killed = TRUE;
}

static void
test_killed_from_outside (void)
{
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (2);
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (200);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (array, 200);
  g_autoptr(MpaioTestSpinWorker) worker = mpaio_test_spin_worker_new (iterator, 2000, -1);
  g_autoptr(MpaioOrchestrator) orchestrator =
               mpaio_orchestrator_new (MPAIO_EXECUTOR (pool), (MpaioWorker **) &worker, 1);
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  KillData data = { pool, FALSE };

  g_test_summary ("SIGKILL of a worker process by someone else during a run: the chunk it "
                  "was running fails, or, killed between chunks, nothing does");

  g_signal_connect (orchestrator, "notify::n-chunks-done", G_CALLBACK (kill_a_worker), &data);
  report = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_true (data.killed);
  if (error != NULL)
    {
      g_assert_error (error, MPAIO_ERROR, MPAIO_ERROR_WORKER_CRASHED);
      mpaio_test_assert_message_contains (error, "killed by signal 9");
      g_assert_cmpuint (mpaio_test_spin_worker_get_n_delivered (worker), <, 200);
    }
  else
    g_assert_cmpuint (mpaio_test_spin_worker_get_n_delivered (worker), ==, 200);

  run_sum (pool, 10000, 8, 1, NULL);
}

static void
test_unknown_type (void)
{
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (1);
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (10);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (array, 2);
  g_autoptr(MpaioWorker) worker =
               g_object_new (mpaio_test_ghost_worker_type (), "data-iterator", iterator, NULL);
  g_autoptr(MpaioOrchestrator) orchestrator =
               mpaio_orchestrator_new (MPAIO_EXECUTOR (pool), &worker, 1);
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GError) error = NULL;

  g_test_summary ("A worker type the worker process cannot know gives an error naming the fix");

  report = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_error (error, MPAIO_ERROR, MPAIO_ERROR_UNKNOWN_WORKER_TYPE);
  mpaio_test_assert_message_contains (error, "MpaioTestGhostWorker");
  mpaio_test_assert_message_contains (error, "g_type_ensure");

  run_sum (pool, 100, 2, 1, NULL);
}

static void
test_lazy_type (void)
{
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (1);
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (10);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (array, 2);
  g_autoptr(MpaioWorker) worker =
               g_object_new (MPAIO_TEST_TYPE_LAZY_WORKER, "data-iterator", iterator, NULL);
  g_autoptr(MpaioOrchestrator) orchestrator =
               mpaio_orchestrator_new (MPAIO_EXECUTOR (pool), &worker, 1);
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GError) error = NULL;

  g_test_summary ("A type not ensured before mpaio_init() is found by its exported get_type");

  report = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mpaio_run_report_get_n_records (report), ==, 2);
}

static void
test_rows_outside (void)
{
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (1);
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (10);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (array, 2);
  g_autoptr(MpaioTestSumWorker) worker = mpaio_test_sum_worker_new (iterator, 1);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) value = NULL;
  MpaioChunk chunk = { 0, 5, 11 };

  g_test_summary ("A chunk outside its array is refused by the pool");

  mpaio_executor_submit_async (MPAIO_EXECUTOR (pool), MPAIO_WORKER (worker), &chunk, NULL,
                               mpaio_test_store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  value = mpaio_executor_submit_finish (MPAIO_EXECUTOR (pool), result, NULL, &error);
  g_assert_error (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT);
  g_assert_null (value);
}

static void
test_no_growth (void)
{
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (2);
  guint fds_before, children_before;

  g_test_summary ("100 runs on one pool leave no fds or processes behind");

  /* The first run maps the array in every process; count after it. */
  run_sum (pool, 1000, 4, 1, NULL);
  /* Processes of earlier tests' pools are reaped, and GLib has closed their
   * pidfds: only this pool's two count. */
  mpaio_test_wait_until_reaped (2);
  fds_before = mpaio_test_count_open_fds ();
  children_before = mpaio_test_count_children ();

  for (guint i = 0; i < 100; i++)
    run_sum (pool, 1000 + i, 1 + i % 9, 1, NULL);

  /* Dropped arrays are forgotten by the processes from an idle. */
  while (g_main_context_iteration (NULL, FALSE))
    ;

  g_assert_cmpuint (mpaio_test_count_open_fds (), ==, fds_before);
  g_assert_cmpuint (mpaio_test_count_children (), ==, children_before);
}

static void
test_spawn_without_init (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioProcessPool) pool = NULL;
  const char *argv[] = { "/bin/true", NULL };
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (10);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (array, 2);
  g_autoptr(MpaioTestSumWorker) worker = mpaio_test_sum_worker_new (iterator, 1);
  g_autoptr(MpaioOrchestrator) orchestrator = NULL;
  g_autoptr(MpaioRunReport) report = NULL;

  g_test_summary ("A worker program that never serves ends the run with a spawn error, "
                  "not a hang");

  pool = mpaio_process_pool_new_with_argv (1, argv, &error);
  g_assert_no_error (error);

  orchestrator = mpaio_orchestrator_new (MPAIO_EXECUTOR (pool), (MpaioWorker **) &worker, 1);
  report = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_error (error, MPAIO_ERROR, MPAIO_ERROR_SPAWN_FAILED);
  mpaio_test_assert_message_contains (error, "mpaio_init");
}

typedef struct
{
  gboolean done;
  gint64   sum;
  GError  *error;
} Outcome;

static void
store_outcome (MpaioExecutor          *executor,
               GVariant               *result,
               const GError           *error,
               const MpaioChunkRecord *record,
               gpointer                user_data)
{
  Outcome *outcome = user_data;

  outcome->done = TRUE;
  if (result != NULL)
    g_variant_get (result, "(xi)", &outcome->sum, NULL);
  else
    outcome->error = g_error_copy (error);
}

static void
test_dropped_while_busy (void)
{
  MpaioProcessPool *pool = mpaio_test_new_pool (2);
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (100);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (array, 1);
  g_autoptr(MpaioTestSumWorker) worker = mpaio_test_sum_worker_new (iterator, 1);
  MpaioChunk chunk = { 0, 0, 100 };
  Outcome    outcome = { FALSE, 0, NULL };

  g_test_summary ("A pool whose last reference is dropped while it holds a chunk finishes "
                  "the chunk before it goes");

  g_object_add_weak_pointer (G_OBJECT (pool), (gpointer *) &pool);
  mpaio_executor_submit (MPAIO_EXECUTOR (pool), MPAIO_WORKER (worker), &chunk, NULL,
                         store_outcome, &outcome);
  g_object_unref (pool);
  g_assert_nonnull (pool);

  while (!outcome.done)
    g_main_context_iteration (NULL, TRUE);

  g_assert_no_error (outcome.error);
  g_assert_cmpint (outcome.sum, ==, 5050);
  g_assert_null (pool);
}

/* A chunk's rows go to the process that ran them before: the pages it
 * touched there are still mapped. */
static void
test_affinity (void)
{
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (2);
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (400);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (array, 4);
  GPid first_pids[4] = { 0 };

  g_test_summary ("Run after run, each chunk of an array goes to the same worker process, "
                  "and the processes share the chunks");

  for (guint run = 0; run < 4; run++)
    {
      g_autoptr(MpaioTestSpinWorker) worker = mpaio_test_spin_worker_new (iterator, 3000, -1);
      g_autoptr(MpaioOrchestrator) orchestrator =
                   mpaio_orchestrator_new (MPAIO_EXECUTOR (pool), (MpaioWorker **) &worker, 1);
      g_autoptr(MpaioRunReport) report = NULL;
      g_autoptr(GError) error = NULL;

      report = mpaio_test_run (orchestrator, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (mpaio_run_report_get_n_records (report), ==, 4);

      for (guint i = 0; i < 4; i++)
        {
          const MpaioChunkRecord *record = mpaio_run_report_get_record (report, i);

          g_assert_cmpuint (record->chunk_index, <, 4);
          if (run == 0)
            first_pids[record->chunk_index] = record->pid;
          else
            g_assert_cmpint (record->pid, ==, first_pids[record->chunk_index]);
        }
    }

  /* Neighbouring rows together, and both processes busy. */
  g_assert_cmpint (first_pids[0], ==, first_pids[1]);
  g_assert_cmpint (first_pids[2], ==, first_pids[3]);
  g_assert_cmpint (first_pids[0], !=, first_pids[2]);
}

int
main (int   argc,
      char *argv[])
{
  mpaio_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/process-pool/other-processes", test_other_processes);
  g_test_add_func ("/process-pool/reused-across-runs", test_reused_across_runs);
  g_test_add_func ("/process-pool/parameters", test_parameters);
  g_test_add_func ("/process-pool/in-flight", test_in_flight);
  g_test_add_func ("/process-pool/worker-failed", test_worker_failed);
  for (guint i = 0; i < G_N_ELEMENTS (crashes); i++)
    {
      g_autofree char *path = g_strdup_printf ("/process-pool/crash/%s", crashes[i].name);

      g_test_add_data_func (path, &crashes[i], test_crash);
    }
  g_test_add_func ("/process-pool/killed-from-outside", test_killed_from_outside);
  g_test_add_func ("/process-pool/unknown-type", test_unknown_type);
  g_test_add_func ("/process-pool/lazy-type", test_lazy_type);
  g_test_add_func ("/process-pool/rows-outside", test_rows_outside);
  g_test_add_func ("/process-pool/no-growth", test_no_growth);
  g_test_add_func ("/process-pool/spawn-without-init", test_spawn_without_init);
  g_test_add_func ("/process-pool/dropped-while-busy", test_dropped_while_busy);
  g_test_add_func ("/process-pool/affinity", test_affinity);

  return g_test_run ();
}
