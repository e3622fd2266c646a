/* bench-chunks.c: per-chunk cost of a C worker whose `process` does nothing
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   bench-chunks [N_CHUNKS] [N_WORKERS]   (defaults 20000, 2)
 *
 * The baseline for bench-chunks.py and bench-chunks.js: the same chunks of
 * one row each on a process pool, a cold run (processes starting) then warm
 * runs; prints chunks per second, microseconds per chunk, and the mean time
 * a chunk spent in `process` (between the worker process's timestamps).
 */

#include <stdlib.h>

/* The empty worker and the run loop are the C benchmarks' own
 * (tests/bench/bench-common.c), so this baseline measures the same worker. */
#include "bench-common.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioSharedArray) array = NULL;
  g_autoptr(MpaioDataIterator) iterator = NULL;
  g_autoptr(MpaioProcessPool) pool = NULL;
  guint64 n_chunks = argc > 1 ? g_ascii_strtoull (argv[1], NULL, 10) : 20000;
  guint   n_workers = argc > 2 ? (guint) g_ascii_strtoull (argv[2], NULL, 10) : 2;

  bench_init (&argc, &argv);

  array = mpaio_shared_array_new (MPAIO_DTYPE_INT64, &n_chunks, 1, &error);
  if (array != NULL)
    iterator = mpaio_data_iterator_new (array, 1, &error);
  if (iterator != NULL)
    pool = mpaio_process_pool_new (n_workers, &error);
  if (pool == NULL)
    {
      g_printerr ("bench-chunks: %s\n", error->message);
      return EXIT_FAILURE;
    }

  for (guint round = 0; round < 4; round++)
    {
      g_autoptr(BenchEmptyWorker) worker = bench_empty_worker_new (iterator);
      g_autoptr(MpaioOrchestrator) orchestrator =
                   mpaio_orchestrator_new (MPAIO_EXECUTOR (pool), (MpaioWorker **) &worker, 1);
      g_autoptr(MpaioRunReport) report = NULL;
      gdouble seconds;
      gint64  in_process;

      report = bench_run (orchestrator, NULL, &error);
      if (report == NULL)
        {
          g_printerr ("bench-chunks: %s\n", error->message);
          return EXIT_FAILURE;
        }
      g_assert_cmpuint (bench_empty_worker_get_n_results (worker), ==, n_chunks);

      /* The run's own wall time, as bench-chunks.py and .js report it. */
      seconds = mpaio_run_report_get_wall_time (report);
      in_process = 0;
      for (guint i = 0; i < mpaio_run_report_get_n_records (report); i++)
        {
          const MpaioChunkRecord *record = mpaio_run_report_get_record (report, i);

          in_process += record->finished_us - record->started_us;
        }
      g_print ("C %s: %" G_GUINT64_FORMAT " chunks on %u workers in %.3f s: %.0f chunks/s, "
               "%.1f us/chunk; %.2f us in process per chunk\n",
               round == 0 ? "cold" : "warm", n_chunks, n_workers, seconds, n_chunks / seconds,
               seconds * 1e6 / n_chunks, (gdouble) in_process / n_chunks);
    }

  return EXIT_SUCCESS;
}
