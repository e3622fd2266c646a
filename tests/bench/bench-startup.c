/* bench-startup.c: from pool creation until every worker process has answered
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   bench-startup
 *
 * There is no public "ready" call, so "every worker has answered" is
 * measured as: mpaio_process_pool_new() of N workers, then a run of N
 * one-row chunks of an empty worker, until its end (the first chunks go
 * round-robin, one per process; the report's records confirm that N
 * distinct processes answered). For 2 and 8 workers: a warm-up, then the
 * median of 7 pools, each one's processes gone before the next starts.
 */

#include <stdlib.h>

#include "bench-common.h"

#define REPEATS 7

typedef struct
{
  gdouble created;  /* mpaio_process_pool_new() returned */
  gdouble answered; /* the run of one chunk per process ended */
  guint   n_pids;   /* distinct processes that answered */
} StartTimes;

static StartTimes
start_pool (guint n_workers)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioDataIterator) iterator = NULL;
  g_autoptr(MpaioProcessPool) pool = NULL;
  g_autoptr(BenchEmptyWorker) worker = NULL;
  g_autofree GPid *pids = NULL;
  guint            n_pids = 0;
  StartTimes       times = { 0 };
  gdouble          start;

  iterator = bench_one_row_chunks_new (n_workers, &error);
  if (iterator == NULL)
    g_error ("bench-startup: %s", error->message);
  worker = bench_empty_worker_new (iterator);

  start = bench_now ();
  pool = mpaio_process_pool_new (n_workers, &error);
  if (pool == NULL)
    g_error ("bench-startup: %s", error->message);
  times.created = bench_now () - start;
  if (bench_run_worker (MPAIO_EXECUTOR (pool), MPAIO_WORKER (worker), &times.n_pids, &error) < 0)
    g_error ("bench-startup: %s", error->message);
  times.answered = bench_now () - start;

  pids = mpaio_process_pool_get_pids (pool, &n_pids);
  g_clear_object (&pool);
  bench_wait_for_exit (pids, n_pids);

  return times;
}

int
main (int    argc,
      char **argv)
{
  static const guint worker_counts[] = { 2, 8 };
  g_autoptr(BenchTable) table = NULL;

  bench_init (&argc, &argv);

  table = bench_table_new ("start-up: pool creation until every worker process has answered "
                           "(median of 7 after a warm-up)");

  for (guint w = 0; w < G_N_ELEMENTS (worker_counts); w++)
    {
      guint            n = worker_counts[w];
      gdouble          created[REPEATS], answered[REPEATS];
      guint            min_pids = G_MAXUINT;
      g_autofree char *what = NULL;
      g_autofree char *what_created = NULL;
      g_autofree char *value = NULL;
      g_autofree char *value_created = NULL;
      g_autofree char *per_worker = NULL;
      gdouble          answered_median;

      start_pool (n);
      for (guint i = 0; i < REPEATS; i++)
        {
          StartTimes times = start_pool (n);

          created[i] = times.created;
          answered[i] = times.answered;
          min_pids = MIN (min_pids, times.n_pids);
        }
      answered_median = bench_median (answered, REPEATS);

      what = g_strdup_printf ("%u C workers: created + one chunk each answered", n);
      what_created = g_strdup_printf ("%u C workers: mpaio_process_pool_new() returns", n);
      value = g_strdup_printf ("%.2f ms", answered_median * 1e3);
      value_created = g_strdup_printf ("%.2f ms", bench_median (created, REPEATS) * 1e3);
      per_worker = g_strdup_printf ("%.2f ms per worker", answered_median * 1e3 / n);

      bench_table_add (table, what_created, value_created, NULL, NULL, NULL, NULL);
      if (n == 2)
        bench_table_add_check (table, what, value, NULL, per_worker, "≤ 10 ms",
                               answered_median <= 0.010 && min_pids == n);
      else
        bench_table_add (table, what, value, NULL, per_worker, NULL,
                         min_pids == n ? NULL : "MISS");
      if (min_pids != n)
        bench_table_add_note (table, "with %u workers, a run's chunks came back from only %u "
                                     "distinct processes",
                              n, min_pids);
    }

  bench_table_add_note (table, "\"answered\": there is no public ready call, so this is pool "
                               "creation plus a run of one one-row chunk per worker process "
                               "(empty process) until its end; the report shows every chunk came "
                               "from a distinct process.");
  bench_table_add_note (table, "each pool's processes exit before the next pool starts.");
  bench_table_print (table);

  return EXIT_SUCCESS;
}
