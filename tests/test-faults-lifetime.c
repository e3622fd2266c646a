/* test-faults-lifetime.c: worker processes live no longer than their pool and main process
 *
 * Every test uses real worker processes; none sleeps to wait for something.
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

static gboolean
on_too_late (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* A stuck chunk does not keep the pool alive */

static void
test_stuck_chunk_does_not_keep_pool (void)
{
  g_autoptr(MpaioTestGate) gate = mpaio_test_gate_new ();
  MpaioProcessPool *pool = mpaio_test_new_pool (2);
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (2);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (array, 2);
  g_autoptr(MpaioTestGateWorker) worker =
               mpaio_test_gate_worker_new (iterator, gate->dir, -1, MPAIO_TEST_GATE_WAIT, 0);
  MpaioOrchestrator *orchestrator = new_orchestrator (pool, worker);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree GPid *pids = mpaio_process_pool_get_pids (pool, &(guint){ 0 });
  gboolean         too_late = FALSE;
  guint            timeout_id;

  g_test_summary ("Two chunks that never return, the run cancelled and every reference "
                  "dropped: the pool is finalized, and both its processes are gone");

  mpaio_orchestrator_run_async (orchestrator, cancellable, mpaio_test_store_result, &result);
  mpaio_test_gate_wait_started (gate);
  mpaio_test_gate_wait_started (gate);
  g_cancellable_cancel (cancellable);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (mpaio_orchestrator_run_finish (orchestrator, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* It holds the orchestrator. */
  g_clear_object (&result);

  g_object_add_weak_pointer (G_OBJECT (pool), (gpointer *) &pool);
  g_object_unref (orchestrator);
  g_object_unref (pool);

  timeout_id = g_timeout_add_seconds (10, on_too_late, &too_late);
  while (pool != NULL && !too_late)
    g_main_context_iteration (NULL, TRUE);
  if (!too_late)
    g_source_remove (timeout_id);
  g_assert_null (pool);

  /* Not running, and not a zombie either: reaped before dispose returned. */
  g_assert_true (mpaio_test_pid_is_gone (pids[0]));
  g_assert_true (mpaio_test_pid_is_gone (pids[1]));
}

/* Use after dispose */

static void
test_use_after_dispose (void)
{
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (2);
  g_autoptr(MpaioTestSumWorker) worker = mpaio_test_new_sum_worker (100, 10, 1);
  g_autoptr(MpaioOrchestrator) orchestrator = new_orchestrator (pool, worker);
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree GPid *pids = NULL;
  guint            n_pids;
  guint            n_children;

  g_test_summary ("A run on a pool after g_object_run_dispose() fails at once with "
                  "G_IO_ERROR_CLOSED, and starts no process");

  g_object_run_dispose (G_OBJECT (pool));
  n_children = mpaio_test_count_children ();

  report = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_test_message ("%s", error->message);
  g_assert_cmpuint (mpaio_test_count_children (), ==, n_children);
  pids = mpaio_process_pool_get_pids (pool, &n_pids);
  g_assert_cmpuint (n_pids, ==, 0);
}

/* A stopped worker dies with its main process */

static void
test_stopped_worker_dies_with_parent (void)
{
  g_autofree char *helper = g_test_build_filename (G_TEST_BUILT, "helpers", "parent-death", NULL);
  const char      *argv[] = { helper, NULL };
  g_autoptr(GSubprocess) parent = NULL;
  g_autoptr(GDataInputStream) output = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_auto(GStrv) words = NULL;
  GPid     pids[2];
  gboolean exited;

  g_test_summary ("A worker process stopped with SIGSTOP does not survive its main process's "
                  "SIGKILL");

  parent = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (parent));
  line = g_data_input_stream_read_line (output, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  words = g_strsplit (line, " ", -1);
  g_assert_cmpuint (g_strv_length (words), ==, 2);
  pids[0] = atoi (words[0]);
  pids[1] = atoi (words[1]);

  g_assert_cmpint (kill (pids[0], SIGSTOP), ==, 0);
  g_assert_cmpint (kill (atoi (g_subprocess_get_identifier (parent)), SIGKILL), ==, 0);
  g_subprocess_wait (parent, NULL, &error);
  g_assert_no_error (error);

  exited = mpaio_test_wait_pid_exit (pids[0], 10000);
  /* Leave nothing behind, whatever the outcome. */
  if (!exited)
    kill (pids[0], SIGKILL);
  g_assert_true (exited);
  g_assert_true (mpaio_test_wait_pid_exit (pids[1], 10000));
}

/* No zombies once a pool is disposed */

static void
test_dispose_reaps (void)
{
  MpaioProcessPool *pool = mpaio_test_new_pool (2);
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (100);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (array, 10);
  g_autoptr(MpaioTestFaultWorker) worker =
               mpaio_test_fault_worker_new (iterator, MPAIO_TEST_CRASH_SIGKILL, 5);
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree GPid *pids = NULL;
  guint            n_pids;

  g_test_summary ("After a run failed on a worker crash, disposing the pool ends and reaps "
                  "its processes before it returns: none is left running or a zombie");

  {
    g_autoptr(MpaioOrchestrator) orchestrator = new_orchestrator (pool, worker);

    report = mpaio_test_run (orchestrator, NULL, &error);
    g_assert_error (error, MPAIO_ERROR, MPAIO_ERROR_WORKER_CRASHED);
  }

  /* The chunks of the failed run still in flight learn that it ended (on
   * the next main loop pass), and stop holding the pool. */
  while (g_main_context_iteration (NULL, FALSE))
    ;

  pids = mpaio_process_pool_get_pids (pool, &n_pids);
  g_assert_cmpuint (n_pids, ==, 2);
  g_object_add_weak_pointer (G_OBJECT (pool), (gpointer *) &pool);
  g_object_unref (pool);
  g_assert_null (pool);

  for (guint i = 0; i < n_pids; i++)
    g_assert_true (mpaio_test_pid_is_gone (pids[i]));
}

int
main (int    argc,
      char **argv)
{
  mpaio_test_ensure_fault_workers ();
  g_type_ensure (MPAIO_TEST_TYPE_GATE_WORKER);
  mpaio_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/faults-lifetime/stuck-chunk-does-not-keep-pool",
                   test_stuck_chunk_does_not_keep_pool);
  g_test_add_func ("/faults-lifetime/use-after-dispose", test_use_after_dispose);
  g_test_add_func ("/faults-lifetime/stopped-worker-dies-with-parent",
                   test_stopped_worker_dies_with_parent);
  g_test_add_func ("/faults-lifetime/dispose-reaps", test_dispose_reaps);

  return g_test_run ();
}
