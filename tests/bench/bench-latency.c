/* bench-latency.c: main-loop latency during a run of a million chunks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   bench-latency [--chunks N]
 *
 * A 1 ms g_timeout_add() on the main context records the gaps between its
 * ticks while an orchestrator runs N (1,000,000) one-row chunks of an empty
 * worker on a MpaioProcessPool of 2 worker processes (after a 10,000-chunk
 * warm-up run). The baseline is the same timeout on an idle main loop for
 * one second.
 */

#include <stdlib.h>
#include <time.h>

#include "bench-common.h"

typedef struct
{
  gdouble start;
  gdouble last;
  gdouble last_cpu;
  gdouble last_wait;
  GArray *gaps;       /* gdouble seconds */
  gdouble worst;      /* the largest gap */
  gdouble worst_at;   /* when it ended, from the start */
  gdouble worst_cpu;  /* the main thread's CPU time during it */
  gdouble worst_wait; /* the time it waited for a CPU during it */
  gdouble max_cpu;    /* the largest CPU time between two ticks */
} Ticker;

static gdouble
thread_cpu_now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gdouble) ts.tv_sec + (gdouble) ts.tv_nsec * 1e-9;
}

static void
ticker_start (Ticker *ticker,
              GArray *gaps)
{
  *ticker = (Ticker){ 0 };
  ticker->gaps = gaps;
  ticker->start = bench_now ();
}

static gboolean
tick_cb (gpointer user_data)
{
  Ticker *ticker = user_data;
  gdouble now = bench_now ();
  /* The main thread's time on a CPU (exact; schedstat's lags for the
   * running thread) and waiting for one (schedstat, updated when the
   * thread got its CPU back, so up to date while it runs). */
  gdouble cpu = thread_cpu_now ();
  gdouble wait = bench_read_wait_ns (-1) / 1e9;

  if (ticker->last > 0)
    {
      gdouble gap = now - ticker->last;

      g_array_append_val (ticker->gaps, gap);
      if (gap > ticker->worst)
        {
          ticker->worst = gap;
          ticker->worst_at = now - ticker->start;
          ticker->worst_cpu = cpu - ticker->last_cpu;
          ticker->worst_wait = wait - ticker->last_wait;
        }
      ticker->max_cpu = MAX (ticker->max_cpu, cpu - ticker->last_cpu);
    }
  ticker->last = now;
  ticker->last_cpu = cpu;
  ticker->last_wait = wait;

  return G_SOURCE_CONTINUE;
}

static gboolean
stop_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
gap_stats (GArray  *gaps,
           gdouble *max,
           gdouble *p99)
{
  g_autofree gdouble *sorted = NULL;

  *max = *p99 = 0.0;
  if (gaps->len == 0)
    return;

  sorted = g_memdup2 (gaps->data, gaps->len * sizeof (gdouble));
  bench_median (sorted, gaps->len); /* sorts */
  *max = sorted[gaps->len - 1];
  *p99 = sorted[(gsize) ((gaps->len - 1) * 0.99)];
}

int
main (int    argc,
      char **argv)
{
  gint64             n_chunks = 1000000;
  const GOptionEntry entries[] = {
    { "chunks", 'n', 0, G_OPTION_ARG_INT64, &n_chunks, "Chunks in the run (default 1000000)",
      "N" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioDataIterator) iterator = NULL;
  g_autoptr(MpaioDataIterator) warm_iterator = NULL;
  g_autoptr(MpaioProcessPool) pool = NULL;
  g_autoptr(BenchEmptyWorker) warm_worker = NULL;
  g_autoptr(BenchEmptyWorker) worker = NULL;
  g_autoptr(MpaioOrchestrator) orchestrator = NULL;
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(BenchTable) table = NULL;
  g_autoptr(GArray) idle_gaps = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr(GArray) run_gaps = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autofree GPid *pids = NULL;
  g_autofree char *title = NULL;
  Ticker           ticker = { 0 };
  MpaioWorker     *workers[1];
  gboolean         stop = FALSE;
  guint            tick_id;
  guint            n_pids = 0;
  guint64          n_rows, run_delay;
  gdouble          seconds = 0.0, idle_max, idle_p99, run_max, run_p99;

  bench_init (&argc, &argv);

  context = g_option_context_new ("— main-loop latency during a run");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || n_chunks < 10000)
    {
      g_printerr ("bench-latency: %s\n", error != NULL ? error->message : "--chunks ≥ 10000");
      return EXIT_FAILURE;
    }

  n_rows = (guint64) n_chunks;
  iterator = bench_one_row_chunks_new ((guint64) n_chunks, &error);
  if (iterator != NULL)
    warm_iterator = mpaio_data_iterator_new_range (mpaio_data_iterator_get_array (iterator), 1, 0,
                                                   10000, &error);
  if (warm_iterator != NULL)
    pool = mpaio_process_pool_new (2, &error);
  if (pool == NULL)
    g_error ("bench-latency: %s", error->message);

  warm_worker = bench_empty_worker_new (warm_iterator);
  if (bench_run_worker (MPAIO_EXECUTOR (pool), MPAIO_WORKER (warm_worker), NULL, &error) < 0)
    g_error ("bench-latency: %s", error->message);

  /* The idle baseline: the same timeout for one second of an idle loop. */
  ticker_start (&ticker, idle_gaps);
  tick_id = g_timeout_add (1, tick_cb, &ticker);
  g_timeout_add (1000, stop_cb, &stop);
  while (!stop)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick_id);

  /* The run. */
  worker = bench_empty_worker_new (iterator);
  workers[0] = MPAIO_WORKER (worker);
  orchestrator = mpaio_orchestrator_new (MPAIO_EXECUTOR (pool), workers, 1);
  ticker_start (&ticker, run_gaps);
  run_delay = bench_read_wait_ns (0);
  tick_id = g_timeout_add (1, tick_cb, &ticker);
  report = bench_run (orchestrator, &seconds, &error);
  g_source_remove (tick_id);
  run_delay = bench_read_wait_ns (0) - run_delay;
  if (report == NULL)
    g_error ("bench-latency: %s", error->message);
  if (bench_empty_worker_get_n_results (worker) != n_rows)
    g_error ("bench-latency: %" G_GUINT64_FORMAT " results for %" G_GUINT64_FORMAT " chunks",
             bench_empty_worker_get_n_results (worker), n_rows);

  gap_stats (idle_gaps, &idle_max, &idle_p99);
  gap_stats (run_gaps, &run_max, &run_p99);

  title = g_strdup_printf ("main-loop latency: a 1 ms timeout during a run of %" G_GINT64_FORMAT
                           " one-row chunks (empty process, 2 worker processes)",
                           n_chunks);
  table = bench_table_new (title);
  {
    g_autofree char *run_s = g_strdup_printf ("%.3f s", seconds);
    g_autofree char *rate_s = bench_format_rate (n_rows / seconds, "chunks");
    g_autofree char *idle_max_s = g_strdup_printf ("%.2f ms", idle_max * 1e3);
    g_autofree char *idle_p99_s = g_strdup_printf ("%.2f ms", idle_p99 * 1e3);
    g_autofree char *run_max_s = g_strdup_printf ("%.2f ms", run_max * 1e3);
    g_autofree char *run_p99_s = g_strdup_printf ("%.2f ms", run_p99 * 1e3);
    g_autofree char *baseline_max = g_strdup_printf ("idle %.2f ms", idle_max * 1e3);
    g_autofree char *baseline_p99 = g_strdup_printf ("idle %.2f ms", idle_p99 * 1e3);
    g_autofree char *ratio_max = bench_format_ratio (run_max / idle_max);
    g_autofree char *ratio_p99 = bench_format_ratio (run_p99 / idle_p99);
    g_autofree char *ticks = g_strdup_printf ("%u ticks in %.3f s", run_gaps->len + 1, seconds);
    g_autofree char *idle_ticks = g_strdup_printf ("idle: %u in 1 s", idle_gaps->len + 1);

    bench_table_add (table, "run time", run_s, NULL, NULL, NULL, NULL);
    bench_table_add (table, "dispatch rate during the run", rate_s, NULL, NULL, NULL, NULL);
    bench_table_add_check (table, "largest gap between ticks", run_max_s, baseline_max, ratio_max,
                           "< 5 ms", run_max < 0.005);
    bench_table_add (table, "99th percentile gap", run_p99_s, baseline_p99, ratio_p99, NULL, NULL);
    bench_table_add (table, "ticks of the 1 ms timeout", ticks, idle_ticks, NULL, NULL, NULL);
    {
      g_autofree char *worst_cpu = g_strdup_printf ("%.2f ms on CPU, %.2f ms waiting for one, "
                                                    "%.2f ms asleep (at %.3f s)",
                                                    ticker.worst_cpu * 1e3, ticker.worst_wait * 1e3,
                                                    MAX (ticker.worst - ticker.worst_cpu - ticker.worst_wait, 0) * 1e3,
                                                    ticker.worst_at);
      g_autofree char *max_cpu = g_strdup_printf ("%.2f ms", ticker.max_cpu * 1e3);
      g_autofree char *delay = g_strdup_printf ("%.1f ms (%.0f %% of the run)", run_delay / 1e6,
                                                run_delay / 1e7 / seconds);

      bench_table_add (table, "main thread during the largest gap", worst_cpu, NULL, NULL,
                       NULL, NULL);
      bench_table_add (table, "largest main-thread CPU time between two ticks", max_cpu, NULL,
                       NULL, NULL, NULL);
      bench_table_add (table, "time the parent waited for a CPU (schedstat)", delay, NULL, NULL,
                       NULL, NULL);
    }
  }
  bench_table_add_note (table, "gap = time between two consecutive calls of the timeout's "
                               "callback; the idle baseline is the same timeout alone on the "
                               "main loop for 1 s.");
  bench_table_add_note (table, "the main thread's time in a gap (schedstat): on a CPU is work the "
                               "main loop did; waiting for a CPU is the scheduler's (3 busy "
                               "processes on %u CPUs, and any other load); asleep is time blocked "
                               "(in poll()) although the timeout was due.",
                        mpaio_get_n_cores ());
  bench_table_print (table);

  pids = mpaio_process_pool_get_pids (pool, &n_pids);
  g_clear_object (&orchestrator);
  g_clear_object (&pool);
  bench_wait_for_exit (pids, n_pids);

  return EXIT_SUCCESS;
}
