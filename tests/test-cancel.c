/* test-cancel.c: cancel, abort and close, under the caller's control
 *
 * Every test uses real worker processes; none sleeps to wait for something.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "mpaio-test-gate.h"
#include "mpaio-test-workers.h"

static MpaioOrchestrator *
new_orchestrator (MpaioProcessPool *pool,
                  gpointer          worker)
{
  MpaioWorker *workers[] = { worker };

  return mpaio_orchestrator_new (MPAIO_EXECUTOR (pool), workers, 1);
}

static void
wait_for (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
}

/* A long `process` learns that its run was cancelled */

static void
test_cooperative (void)
{
  g_autoptr(MpaioTestGate) gate = mpaio_test_gate_new ();
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (1);
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (1);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (array, 1);
  g_autoptr(MpaioTestGateWorker) worker =
               mpaio_test_gate_worker_new (iterator, gate->dir, 0, MPAIO_TEST_GATE_COOPERATIVE, 0);
  g_autoptr(MpaioOrchestrator) orchestrator = new_orchestrator (pool, worker);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree GPid *pids = NULL;
  guint            n_pids;
  GPid             pid;

  g_test_summary ("A chunk that asks mpaio_worker_is_cancelled() in its loop learns that its "
                  "run was cancelled, in its worker process, and stops; the process stays");

  mpaio_orchestrator_run_async (orchestrator, cancellable, mpaio_test_store_result, &result);
  pid = mpaio_test_gate_wait_started (gate);
  g_assert_false (mpaio_worker_is_cancelled (MPAIO_WORKER (worker)));
  g_cancellable_cancel (cancellable);
  wait_for (&result);
  report = mpaio_orchestrator_run_finish (orchestrator, result, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_assert_cmpint (mpaio_test_gate_wait_noticed (gate), ==, pid);
  pids = mpaio_process_pool_get_pids (pool, &n_pids);
  g_assert_cmpuint (n_pids, ==, 1);
  g_assert_cmpint (pids[0], ==, pid);
}

static void
test_cooperative_outside_chunk (void)
{
  g_autoptr(MpaioTestSumWorker) worker = mpaio_test_new_sum_worker (10, 10, 1);

  g_test_summary ("Outside a chunk, mpaio_worker_is_cancelled() is FALSE");

  g_assert_false (mpaio_worker_is_cancelled (MPAIO_WORKER (worker)));
}

/* Abort: the processes running a cancelled run's chunks, and only those */

static void
test_abort_only_cancelled_run (void)
{
  g_autoptr(MpaioTestGate) gate_a = mpaio_test_gate_new ();
  g_autoptr(MpaioTestGate) gate_b = mpaio_test_gate_new ();
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (2);
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (1);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (array, 1);
  g_autoptr(MpaioTestGateWorker) worker_a =
               mpaio_test_gate_worker_new (iterator, gate_a->dir, 0, MPAIO_TEST_GATE_WAIT, 0);
  g_autoptr(MpaioTestGateWorker) worker_b =
               mpaio_test_gate_worker_new (iterator, gate_b->dir, 0, MPAIO_TEST_GATE_WAIT, 0);
  g_autoptr(MpaioOrchestrator) run_a = new_orchestrator (pool, worker_a);
  g_autoptr(MpaioOrchestrator) run_b = new_orchestrator (pool, worker_b);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result_a = NULL;
  g_autoptr(GAsyncResult) result_b = NULL;
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  GPid pid_a, pid_b;

  g_test_summary ("Two runs on one pool, each with a chunk that would never end: cancelling "
                  "the first with an abort-grace kills and replaces only its process; the "
                  "second run's chunk goes on and succeeds");

  mpaio_orchestrator_set_abort_grace (run_a, 50);
  g_assert_cmpint (mpaio_orchestrator_get_abort_grace (run_a), ==, 50);
  mpaio_orchestrator_run_async (run_a, cancellable, mpaio_test_store_result, &result_a);
  mpaio_orchestrator_run_async (run_b, NULL, mpaio_test_store_result, &result_b);
  pid_a = mpaio_test_gate_wait_started (gate_a);
  pid_b = mpaio_test_gate_wait_started (gate_b);
  g_assert_cmpint (pid_a, !=, pid_b);

  g_cancellable_cancel (cancellable);
  wait_for (&result_a);
  report = mpaio_orchestrator_run_finish (run_a, result_a, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  /* The process of the cancelled run's chunk ends after the grace, and is
   * replaced. */
  while (mpaio_test_pool_has_pid (pool, pid_a))
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (mpaio_test_pid_is_gone (pid_a));
  g_assert_true (mpaio_test_pool_has_pid (pool, pid_b));

  mpaio_test_gate_release (gate_b);
  wait_for (&result_b);
  g_clear_object (&report);
  report = mpaio_orchestrator_run_finish (run_b, result_b, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mpaio_test_gate_worker_get_n_delivered (worker_b), ==, 1);
  g_assert_true (mpaio_test_pool_has_pid (pool, pid_b));
}

/* Closing a pool */

static void
test_close_drain (void)
{
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (2);
  g_autoptr(MpaioTestSumWorker) worker = mpaio_test_new_sum_worker (1000, 10, 1);
  g_autoptr(MpaioOrchestrator) orchestrator = new_orchestrator (pool, worker);
  g_autoptr(GAsyncResult) run_result = NULL;
  g_autoptr(GAsyncResult) close_result = NULL;
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree GPid *pids = NULL;
  guint            n_pids;

  g_test_summary ("close_async(DRAIN) while a run is going: the run succeeds, then the "
                  "processes are gone, and the pool takes no more chunks");

  pids = mpaio_process_pool_get_pids (pool, &n_pids);
  mpaio_orchestrator_run_async (orchestrator, NULL, mpaio_test_store_result, &run_result);
  mpaio_process_pool_close_async (pool, MPAIO_CLOSE_DRAIN, NULL, mpaio_test_store_result,
                                  &close_result);
  wait_for (&close_result);
  g_assert_true (mpaio_process_pool_close_finish (pool, close_result, &error));
  g_assert_no_error (error);

  wait_for (&run_result);
  report = mpaio_orchestrator_run_finish (orchestrator, run_result, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mpaio_test_sum_worker_get_total (worker), ==, 1000 * 1001 / 2);
  /* Gone, and reaped, before the close completed. */
  for (guint i = 0; i < n_pids; i++)
    g_assert_true (mpaio_test_pid_is_gone (pids[i]));

  g_clear_object (&run_result);
  g_clear_object (&report);
  report = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
}

static void
test_close_abort (void)
{
  g_autoptr(MpaioTestGate) gate = mpaio_test_gate_new ();
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (2);
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (4);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (array, 4);
  g_autoptr(MpaioTestGateWorker) worker =
               mpaio_test_gate_worker_new (iterator, gate->dir, 0, MPAIO_TEST_GATE_WAIT, 0);
  g_autoptr(MpaioOrchestrator) orchestrator = new_orchestrator (pool, worker);
  g_autoptr(GAsyncResult) run_result = NULL;
  g_autoptr(GAsyncResult) close_result = NULL;
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  GPid pid;

  g_test_summary ("close_async(ABORT) with a chunk that would never end: the processes are "
                  "killed, the run fails with G_IO_ERROR_CLOSED, the close completes");

  mpaio_orchestrator_run_async (orchestrator, NULL, mpaio_test_store_result, &run_result);
  pid = mpaio_test_gate_wait_started (gate);
  mpaio_process_pool_close_async (pool, MPAIO_CLOSE_ABORT, NULL, mpaio_test_store_result,
                                  &close_result);
  wait_for (&close_result);
  g_assert_true (mpaio_process_pool_close_finish (pool, close_result, &error));
  g_assert_no_error (error);
  g_assert_true (mpaio_test_pid_is_gone (pid));

  wait_for (&run_result);
  report = mpaio_orchestrator_run_finish (orchestrator, run_result, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_test_message ("%s", error->message);
}

static void
test_close_cancelled (void)
{
  g_autoptr(MpaioTestGate) gate = mpaio_test_gate_new ();
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (1);
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (1);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (array, 1);
  g_autoptr(MpaioTestGateWorker) worker =
               mpaio_test_gate_worker_new (iterator, gate->dir, 0, MPAIO_TEST_GATE_WAIT, 0);
  g_autoptr(MpaioOrchestrator) orchestrator = new_orchestrator (pool, worker);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) run_result = NULL;
  g_autoptr(GAsyncResult) close_result = NULL;
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  GPid pid;

  g_test_summary ("close_async(DRAIN) waits for a chunk that would never end until its "
                  "cancellable is cancelled: then the chunk is aborted, the process is gone, "
                  "and the close reports G_IO_ERROR_CANCELLED");

  mpaio_orchestrator_run_async (orchestrator, NULL, mpaio_test_store_result, &run_result);
  pid = mpaio_test_gate_wait_started (gate);
  mpaio_process_pool_close_async (pool, MPAIO_CLOSE_DRAIN, cancellable, mpaio_test_store_result,
                                  &close_result);
  g_cancellable_cancel (cancellable);
  wait_for (&close_result);
  g_assert_false (mpaio_process_pool_close_finish (pool, close_result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_true (mpaio_test_pid_is_gone (pid));

  wait_for (&run_result);
  report = mpaio_orchestrator_run_finish (orchestrator, run_result, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
}

int
main (int    argc,
      char **argv)
{
  g_type_ensure (MPAIO_TEST_TYPE_GATE_WORKER);
  mpaio_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cancel/cooperative/process-pool", test_cooperative);
  g_test_add_func ("/cancel/cooperative/outside-a-chunk", test_cooperative_outside_chunk);
  g_test_add_func ("/cancel/abort/only-cancelled-run", test_abort_only_cancelled_run);
  g_test_add_func ("/cancel/close/drain", test_close_drain);
  g_test_add_func ("/cancel/close/abort", test_close_abort);
  g_test_add_func ("/cancel/close/cancelled", test_close_cancelled);

  return g_test_run ();
}
