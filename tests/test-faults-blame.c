/* test-faults-blame.c: what a chunk's time is, and whom a death is blamed on
 *
 * Worker processes stamp the chunk they run, and when it started, on a
 * status page the pool reads: timeouts count the chunk's own time, a crash
 * is blamed on the chunk that was running, chunks that never started go
 * to another process. Every test uses real worker processes; none sleeps
 * to wait for something.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <signal.h>
#include <unistd.h>

#include "mpaio-test-gate.h"
#include "mpaio-test-workers.h"

static MpaioOrchestrator *
new_orchestrator (MpaioProcessPool *pool,
                  gpointer          worker)
{
  MpaioWorker *workers[] = { worker };

  return mpaio_orchestrator_new (MPAIO_EXECUTOR (pool), workers, 1);
}

/* A busy main loop is no timeout */

typedef struct
{
  gint64   block_us; /* how long the callback keeps the main loop */
  gboolean blocked;
} Blocker;

static void
block_main_loop_once (GObject    *orchestrator,
                      GParamSpec *pspec,
                      gpointer    user_data)
{
  Blocker *blocker = user_data;
  gint64   until;

  /* Mid-run: the other process is in a chunk, whose result it sends while
   * the main loop is blocked. */
  if (blocker->blocked
      || mpaio_orchestrator_get_n_chunks_done (MPAIO_ORCHESTRATOR (orchestrator)) < 10)
    return;

  /* What a result's callback that takes its time does to the pool: no
   * results are read, no timeout source runs, meanwhile. */
  blocker->blocked = TRUE;
  until = g_get_monotonic_time () + blocker->block_us;
  while (g_get_monotonic_time () < until)
    ;
}

static void
test_busy_main_loop (gconstpointer data)
{
  int io_priority = GPOINTER_TO_INT (data);
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (2);
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (40);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (array, 40);
  g_autoptr(MpaioTestSpinWorker) worker = mpaio_test_spin_worker_new (iterator, 5000, -1);
  g_autoptr(MpaioOrchestrator) orchestrator = new_orchestrator (pool, worker);
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  Blocker blocker = { 1000 * 1000, FALSE };

  g_test_summary ("With chunk-timeout 400 ms, chunks of 5 ms and a result callback that keeps "
                  "the main loop busy for 1 s, the run succeeds: a chunk's time is the worker "
                  "process's own");

  mpaio_process_pool_set_chunk_timeout (pool, 400);
  mpaio_process_pool_set_io_priority (pool, io_priority);
  g_signal_connect (orchestrator, "notify::n-chunks-done", G_CALLBACK (block_main_loop_once),
                    &blocker);

  report = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (blocker.blocked);
  g_assert_cmpuint (mpaio_test_spin_worker_get_n_delivered (worker), ==, 40);
}

static void
test_busy_main_loop_after_replacement (void)
{
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (2);
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (40);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (array, 40);
  g_autoptr(MpaioTestSpinWorker) worker = mpaio_test_spin_worker_new (iterator, 5000, -1);
  g_autoptr(MpaioOrchestrator) orchestrator = new_orchestrator (pool, worker);
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree GPid *pids_before = NULL;
  g_autofree GPid *pids_after = NULL;
  guint            n_before, n_after;
  Blocker          blocker = { 600 * 1000, FALSE };

  g_test_summary ("At the default priority, after one process was killed and replaced, a "
                  "result callback that keeps the main loop busy for 600 ms is no chunk "
                  "timeout of 200 ms: the fresh process's chunks count its own time too");

  mpaio_process_pool_set_chunk_timeout (pool, 200);
  mpaio_process_pool_set_io_priority (pool, G_PRIORITY_DEFAULT);

  /* Both processes have served; one of them dies while idle. */
  {
    g_autoptr(MpaioTestSumWorker) sum = mpaio_test_new_sum_worker (1000, 10, 1);
    g_autoptr(MpaioOrchestrator) first = new_orchestrator (pool, sum);
    g_autoptr(MpaioRunReport) first_report = mpaio_test_run (first, NULL, &error);

    g_assert_no_error (error);
  }
  pids_before = mpaio_process_pool_get_pids (pool, &n_before);
  g_assert_cmpuint (n_before, ==, 2);
  g_assert_cmpint (kill (pids_before[0], SIGKILL), ==, 0);
  g_assert_true (mpaio_test_wait_pid_exit (pids_before[0], 10000));

  g_signal_connect (orchestrator, "notify::n-chunks-done", G_CALLBACK (block_main_loop_once),
                    &blocker);
  report = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (blocker.blocked);
  g_assert_cmpuint (mpaio_test_spin_worker_get_n_delivered (worker), ==, 40);

  /* The killed process was replaced; the other one is the same. */
  pids_after = mpaio_process_pool_get_pids (pool, &n_after);
  g_assert_cmpuint (n_after, ==, 2);
  g_assert_true (pids_after[0] != pids_before[0] && pids_after[1] != pids_before[0]);
  g_assert_true (pids_after[0] == pids_before[1] || pids_after[1] == pids_before[1]);
}

/* A crash is blamed on the chunk that was running */

#define BLAME_N_CHUNKS 2000
#define BLAME_INDEX    1000

static void
test_crash_blamed_on_running_chunk (void)
{
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (2);
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (BLAME_N_CHUNKS);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (array, BLAME_N_CHUNKS);
  g_autoptr(MpaioTestFaultWorker) worker =
               mpaio_test_fault_worker_new (iterator, MPAIO_TEST_CRASH_SIGKILL, BLAME_INDEX);
  g_autoptr(MpaioOrchestrator) orchestrator = new_orchestrator (pool, worker);
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = g_strdup_printf ("Chunk %u ", BLAME_INDEX);
  guint            n_failed = 0;

  g_test_summary ("Chunks of microseconds, whose results are batched: a SIGKILL at chunk "
                  "1000 is reported as chunk 1000, and no other chunk fails");

  report = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_error (error, MPAIO_ERROR, MPAIO_ERROR_WORKER_CRASHED);
  g_test_message ("%s", error->message);
  mpaio_test_assert_message_contains (error, expected);
  mpaio_test_assert_message_contains (error, "killed by signal 9");

  report = g_object_ref (mpaio_orchestrator_get_last_report (orchestrator));
  for (guint i = 0; i < mpaio_run_report_get_n_records (report); i++)
    {
      const MpaioChunkRecord *record = mpaio_run_report_get_record (report, i);

      if (record->outcome == MPAIO_CHUNK_OUTCOME_FAILED)
        {
          g_assert_cmpuint (record->chunk_index, ==, BLAME_INDEX);
          n_failed++;
        }
    }
  g_assert_cmpuint (n_failed, ==, 1);
}

static void
test_crash_retries_only_culprit (void)
{
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (2);
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (BLAME_N_CHUNKS);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (array, BLAME_N_CHUNKS);
  g_autoptr(MpaioTestFaultWorker) worker =
               mpaio_test_fault_worker_new (iterator, MPAIO_TEST_CRASH_SIGKILL, BLAME_INDEX);
  g_autoptr(MpaioOrchestrator) orchestrator = new_orchestrator (pool, worker);
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GError) error = NULL;

  g_test_summary ("With max-retries 2, a chunk that always kills its process uses up its own "
                  "retries (it is the one the error names), and every other chunk's result "
                  "is delivered");

  mpaio_process_pool_set_max_retries (pool, 2);
  mpaio_orchestrator_set_error_policy (orchestrator, MPAIO_ERROR_POLICY_CONTINUE);
  report = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  mpaio_test_assert_message_contains (error, "1 of 2000 chunks failed");
  mpaio_test_assert_message_contains (error, "Chunk 1000 ");
  g_assert_cmpuint (mpaio_test_fault_worker_get_results (worker)->len, ==, BLAME_N_CHUNKS - 1);
}

/* New work does not queue behind a stuck process */

#define STUCK_N_CHUNKS 2000
#define STUCK_INDEX    100

typedef struct
{
  MpaioTestGate *gate;
  guint64        n_expected;
  gboolean       released;
} ReleaseData;

static void
release_when_others_done (GObject    *orchestrator,
                          GParamSpec *pspec,
                          gpointer    user_data)
{
  ReleaseData *data = user_data;

  if (!data->released
      && mpaio_orchestrator_get_n_chunks_done (MPAIO_ORCHESTRATOR (orchestrator))
           == data->n_expected)
    {
      data->released = TRUE;
      mpaio_test_gate_release (data->gate);
    }
}

static void
test_stuck_process_gets_no_work (void)
{
  g_autoptr(MpaioTestGate) gate = mpaio_test_gate_new ();
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (2);
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (STUCK_N_CHUNKS);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (array, STUCK_N_CHUNKS);
  g_autoptr(MpaioTestGateWorker) worker =
               mpaio_test_gate_worker_new (iterator, gate->dir, STUCK_INDEX, MPAIO_TEST_GATE_WAIT, 20);
  g_autoptr(MpaioOrchestrator) orchestrator = new_orchestrator (pool, worker);
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  ReleaseData data = { gate, STUCK_N_CHUNKS - 1, FALSE };

  g_test_summary ("One process stuck in a chunk: every other chunk of a run of 2,000 short "
                  "ones is done by the other process (the stuck chunk is let go only then), "
                  "including those sent to the stuck one before it was seen stuck");

  /* Unordered: results are delivered as they come. */
  g_object_set (orchestrator, "ordered", FALSE, NULL);
  g_signal_connect (orchestrator, "notify::n-chunks-done", G_CALLBACK (release_when_others_done),
                    &data);
  report = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (data.released);
  g_assert_cmpuint (mpaio_test_gate_worker_get_n_delivered (worker), ==, STUCK_N_CHUNKS);
}

/* A process that died while idle */

static void
test_idle_death_blames_nobody (void)
{
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (2);
  g_autofree GPid *pids = NULL;
  guint            n_pids;

  g_test_summary ("Both idle processes killed, and the main loop not run before the next run: "
                  "its chunks go to fresh processes, the run succeeds, no retry is used");

  /* Both processes have served: they are ready, and idle. */
  {
    g_autoptr(MpaioTestSumWorker) worker = mpaio_test_new_sum_worker (1000, 10, 1);
    g_autoptr(MpaioOrchestrator) orchestrator = new_orchestrator (pool, worker);
    g_autoptr(MpaioRunReport) report = NULL;
    g_autoptr(GError) error = NULL;

    report = mpaio_test_run (orchestrator, NULL, &error);
    g_assert_no_error (error);
  }

  pids = mpaio_process_pool_get_pids (pool, &n_pids);
  g_assert_cmpuint (n_pids, ==, 2);
  for (guint i = 0; i < n_pids; i++)
    {
      g_assert_cmpint (kill (pids[i], SIGKILL), ==, 0);
      g_assert_true (mpaio_test_wait_pid_exit (pids[i], 10000));
    }

  {
    g_autoptr(MpaioTestSumWorker) worker = mpaio_test_new_sum_worker (1000, 10, 1);
    g_autoptr(MpaioOrchestrator) orchestrator = new_orchestrator (pool, worker);
    g_autoptr(MpaioRunReport) report = NULL;
    g_autoptr(GError) error = NULL;

    report = mpaio_test_run (orchestrator, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpint (mpaio_test_sum_worker_get_total (worker), ==, 1000 * 1001 / 2);
  }

  g_free (pids);
  pids = mpaio_process_pool_get_pids (pool, &n_pids);
  g_assert_cmpuint (n_pids, ==, 2);
}

/* A worker program that never answers */

static void
test_startup_timeout (void)
{
  const char *argv[] = { "/bin/sleep", "3600", NULL };
  g_autoptr(MpaioProcessPool) pool = NULL;
  g_autoptr(MpaioTestSumWorker) worker = mpaio_test_new_sum_worker (100, 10, 1);
  g_autoptr(MpaioOrchestrator) orchestrator = NULL;
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GError) error = NULL;

  g_test_summary ("A pool of a program that never serves: the run fails with an error that "
                  "says the process never answered within the start-up timeout, not that it "
                  "spent too long on a chunk");

  pool = mpaio_process_pool_new_with_argv (2, argv, &error);
  g_assert_no_error (error);
  g_object_set (pool, "startup-timeout", 300, "chunk-timeout", 200, NULL);
  orchestrator = new_orchestrator (pool, worker);

  report = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_error (error, MPAIO_ERROR, MPAIO_ERROR_SPAWN_FAILED);
  g_test_message ("%s", error->message);
  mpaio_test_assert_message_contains (error, "never answered within the start-up timeout of "
                                             "300 ms");
  g_assert_null (strstr (error->message, "spent more than"));
}

static void
test_startup_timeout_default (void)
{
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (1);
  guint timeout_ms = 0;

  g_test_summary ("A pool has a start-up timeout by default, of some seconds");

  g_object_get (pool, "startup-timeout", &timeout_ms, NULL);
  g_assert_cmpuint (timeout_ms, >=, 1000);
  g_assert_cmpuint (timeout_ms, <=, 60000);
}

int
main (int    argc,
      char **argv)
{
  mpaio_test_ensure_fault_workers ();
  g_type_ensure (MPAIO_TEST_TYPE_GATE_WORKER);
  mpaio_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/faults-blame/busy-main-loop/default-idle",
                        GINT_TO_POINTER (G_PRIORITY_DEFAULT_IDLE), test_busy_main_loop);
  g_test_add_data_func ("/faults-blame/busy-main-loop/default",
                        GINT_TO_POINTER (G_PRIORITY_DEFAULT), test_busy_main_loop);
  g_test_add_func ("/faults-blame/busy-main-loop/after-replacement",
                   test_busy_main_loop_after_replacement);
  g_test_add_func ("/faults-blame/crash/running-chunk", test_crash_blamed_on_running_chunk);
  g_test_add_func ("/faults-blame/crash/retries-only-culprit", test_crash_retries_only_culprit);
  g_test_add_func ("/faults-blame/stuck-process-gets-no-work", test_stuck_process_gets_no_work);
  g_test_add_func ("/faults-blame/idle-death-blames-nobody", test_idle_death_blames_nobody);
  g_test_add_func ("/faults-blame/startup-timeout/never-answers", test_startup_timeout);
  g_test_add_func ("/faults-blame/startup-timeout/default", test_startup_timeout_default);

  return g_test_run ();
}
