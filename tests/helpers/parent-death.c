/* parent-death.c: a main process for test-faults' /faults/parent-death
 *
 * Starts a pool of 2 worker processes (itself, started again), waits until
 * both have served a chunk (a worker process ties its life to the main
 * process's when it starts serving), gives each a chunk that spins for a
 * minute, prints the two pids on one line of stdout
 * and waits for ever: the test kills it with SIGKILL and checks that the
 * worker processes follow.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdio.h>

#include "mpaio-test-workers.h"

/* Runs short chunks until each of @pool's processes has answered one. */
static void
wait_until_serving (MpaioProcessPool *pool)
{
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (64);
  g_autoptr(MpaioDataIterator) iterator = mpaio_data_iterator_new_partitioned (array, 16, NULL);
  g_autofree GPid *pids = NULL;
  guint            n_pids;
  gboolean         served[2] = { FALSE, FALSE };

  pids = mpaio_process_pool_get_pids (pool, &n_pids);
  g_assert_cmpuint (n_pids, ==, 2);

  for (guint round = 0; round < 100 && !(served[0] && served[1]); round++)
    {
      g_autoptr(MpaioTestSumWorker) worker = mpaio_test_sum_worker_new (iterator, 1);
      g_autoptr(MpaioOrchestrator) orchestrator =
                   mpaio_orchestrator_new (MPAIO_EXECUTOR (pool), (MpaioWorker **) &worker, 1);
      g_autoptr(MpaioRunReport) report = NULL;
      g_autoptr(GError) error = NULL;
      GArray *results;

      report = mpaio_test_run (orchestrator, NULL, &error);
      g_assert_no_error (error);
      results = mpaio_test_sum_worker_get_results (worker);
      for (guint i = 0; i < results->len; i++)
        for (guint j = 0; j < 2; j++)
          served[j] |= g_array_index (results, MpaioTestResult, i).pid == pids[j];
    }
  g_assert_true (served[0] && served[1]);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioProcessPool) pool = NULL;
  g_autoptr(MpaioSharedArray) array = NULL;
  g_autoptr(MpaioDataIterator) iterator = NULL;
  g_autoptr(MpaioTestSpinWorker) worker = NULL;
  g_autoptr(MpaioOrchestrator) orchestrator = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree GPid *pids = NULL;
  guint            n_pids;

  mpaio_test_init (&argc, &argv);

  pool = mpaio_process_pool_new (2, &error);
  if (pool == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  wait_until_serving (pool);

  array = mpaio_test_new_counting_array (4);
  iterator = mpaio_data_iterator_new_partitioned (array, 4, &error);
  g_assert_no_error (error);
  worker = mpaio_test_spin_worker_new (iterator, 60 * G_USEC_PER_SEC, -1);
  orchestrator = mpaio_orchestrator_new (MPAIO_EXECUTOR (pool), (MpaioWorker **) &worker, 1);

  /* The chunks are written to the processes before run_async returns. */
  mpaio_orchestrator_run_async (orchestrator, NULL, NULL, NULL);

  pids = mpaio_process_pool_get_pids (pool, &n_pids);
  g_assert_cmpuint (n_pids, ==, 2);
  printf ("%d %d\n", (int) pids[0], (int) pids[1]);
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  g_main_loop_run (loop);

  return 0;
}
