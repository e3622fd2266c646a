/* bench-demo.c: the demo's sum of 1..100 M, against the bandwidth bound
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   bench-demo [--size N] [--python SCRIPT]
 *
 * The sum of an int64 array holding 1..N (100 M, 800 MB by default) by the
 * demo's own worker (examples/demo-add-int-worker.c) on a MpaioProcessPool
 * of 2 worker processes, cut into 2, 8, 64 and 1024 partitions, against
 * the bandwidth bound: 2 pthreads of this process running the same
 * worker's `process` on one half each of the same memory. The filling of
 * the array is never timed. Also shown: a cold run (pool created, array
 * mapped and faulted in by the workers), MpaioThreadPool, and Python's
 * multiprocessing.Pool / ProcessPoolExecutor over numpy views of
 * multiprocessing.shared_memory (bench-python.py).
 *
 * Figures are medians of 5 rounds after a warm-up round; each round times
 * every variant once, a cold run (a new pool) included. The rows against
 * serial give the median of each round's ratio and the worst round.
 */

#include <pthread.h>
#include <stdlib.h>

#include "bench-common.h"
#include "demo-add-int-worker.h"

#define REPEATS 5

static const guint partition_counts[] = { 2, 8, 64, 1024 };

/* The bound: 2 pthreads over halves of the array */

typedef struct
{
  MpaioWorker *worker;
  MpaioChunk   chunk;
  guint64      sum;
} ThreadJob;

static void *
thread_main (void *data)
{
  ThreadJob *job = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) result = mpaio_worker_process (job->worker, &job->chunk, &error);

  if (result == NULL)
    g_error ("bench-demo: %s", error->message);
  job->sum = (guint64) g_variant_get_int64 (result);

  return NULL;
}

/* The demo's process on @n_threads threads of this process, one equal part
 * of the array each. */
static gdouble
run_threads (MpaioWorker *worker,
             guint64      n,
             guint        n_threads,
             guint64      expected)
{
  pthread_t threads[8];
  ThreadJob jobs[8];
  guint64   sum = 0;
  gdouble   start = bench_now ();
  gdouble   seconds;

  g_assert (n_threads <= G_N_ELEMENTS (threads));

  for (guint t = 0; t < n_threads; t++)
    {
      jobs[t] = (ThreadJob){ worker, { t, n * t / n_threads, n * (t + 1) / n_threads }, 0 };
      if (pthread_create (&threads[t], NULL, thread_main, &jobs[t]) != 0)
        g_error ("pthread_create failed");
    }
  for (guint t = 0; t < n_threads; t++)
    {
      pthread_join (threads[t], NULL);
      sum += jobs[t].sum;
    }
  seconds = bench_now () - start;

  if (sum != expected)
    g_error ("bench-demo: %u threads summed %" G_GUINT64_FORMAT ", expected %" G_GUINT64_FORMAT,
             n_threads, sum, expected);

  return seconds;
}

/* mpaio */

static gdouble
run_demo (MpaioExecutor     *executor,
          MpaioDataIterator *iterator,
          guint64            expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DemoAddIntWorker) worker = demo_add_int_worker_new (iterator, 0);
  gdouble seconds = bench_run_worker (executor, MPAIO_WORKER (worker), NULL, &error);

  if (seconds < 0)
    g_error ("bench-demo: %s", error->message);
  if (demo_add_int_worker_get_total (worker) != expected)
    g_error ("bench-demo: the demo summed %" G_GUINT64_FORMAT ", expected %" G_GUINT64_FORMAT,
             demo_add_int_worker_get_total (worker), expected);

  return seconds;
}

/* A new pool's creation and first run. */
static gdouble
run_cold (MpaioDataIterator *iterator,
          guint64            expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioProcessPool) pool = NULL;
  g_autofree GPid *pids = NULL;
  guint            n_pids = 0;
  gdouble          start = bench_now ();
  gdouble          seconds;

  pool = mpaio_process_pool_new (2, &error);
  if (pool == NULL)
    g_error ("bench-demo: %s", error->message);
  run_demo (MPAIO_EXECUTOR (pool), iterator, expected);
  seconds = bench_now () - start;

  pids = mpaio_process_pool_get_pids (pool, &n_pids);
  g_clear_object (&pool);
  bench_wait_for_exit (pids, n_pids);

  return seconds;
}

/* "1.15× (worst round 0.98×)": each round's @baseline[i] / @times[i]. */
static char *
format_ratios (const gdouble *baseline,
               const gdouble *times,
               gdouble       *median)
{
  gdouble per_round[REPEATS];
  gdouble worst = G_MAXDOUBLE;

  for (guint i = 0; i < REPEATS; i++)
    {
      per_round[i] = baseline[i] / times[i];
      worst = MIN (worst, per_round[i]);
    }
  *median = bench_median (per_round, REPEATS);

  return g_strdup_printf ("%.2f× (worst round %.2f×)", *median, worst);
}

static char *
format_time (gdouble seconds,
             gsize   bytes)
{
  return g_strdup_printf ("%.1f ms (%.1f GB/s)", seconds * 1e3, bytes / seconds / 1e9);
}

int
main (int    argc,
      char **argv)
{
  gint64             size = 100000000;
  g_autofree char   *python = NULL;
  const GOptionEntry entries[] = {
    { "size", 's', 0, G_OPTION_ARG_INT64, &size, "Integers to sum (default 100000000)", "N" },
    { "python", 0, 0, G_OPTION_ARG_FILENAME, &python, "bench-python.py, for the Python reference",
      "SCRIPT" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) py_error = NULL;
  g_autoptr(GVariant) py = NULL;
  g_autoptr(MpaioSharedArray) array = NULL;
  g_autoptr(MpaioDataIterator) halves = NULL;
  g_autoptr(DemoAddIntWorker) bound_worker = NULL;
  g_autoptr(MpaioProcessPool) pool = NULL;
  g_autoptr(MpaioThreadPool) threads = NULL;
  g_autoptr(BenchTable) table = NULL;
  g_autofree char   *title = NULL;
  g_autofree GPid   *pids = NULL;
  guint              n_pids = 0;
  guint64            n_rows, expected;
  gsize              bytes;
  gint64            *data;
  gdouble            bound, serial, cold, thread_pool, cold_median, warm_median;
  gdouble            cold_times[REPEATS];
  g_autofree char   *cold_vs_serial = NULL;
  g_autofree char   *warm_vs_serial = NULL;
  gdouble            warm[G_N_ELEMENTS (partition_counts)];
  gdouble            bound_times[REPEATS], serial_times[REPEATS], thread_pool_times[REPEATS];
  gdouble            warm_times[G_N_ELEMENTS (partition_counts)][REPEATS];
  MpaioDataIterator *iterators[G_N_ELEMENTS (partition_counts)] = { NULL };

  g_type_ensure (DEMO_TYPE_ADD_INT_WORKER);
  bench_init (&argc, &argv);

  context = g_option_context_new ("— the demo's sum against the bandwidth bound");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || size < 2048)
    {
      g_printerr ("bench-demo: %s\n", error != NULL ? error->message : "--size ≥ 2048");
      return EXIT_FAILURE;
    }

  /* Python first, so its array and ours are never in memory together. */
  if (python != NULL)
    py = bench_run_python (python, "sum", &py_error);

  n_rows = (guint64) size;
  expected = n_rows * (n_rows + 1) / 2;
  array = mpaio_shared_array_new (MPAIO_DTYPE_INT64, &n_rows, 1, &error);
  if (array == NULL)
    g_error ("bench-demo: %s", error->message);
  bytes = mpaio_shared_array_get_size (array);
  data = mpaio_shared_array_get_data (array);
  for (guint64 i = 0; i < n_rows; i++)
    data[i] = (gint64) i + 1;

  halves = mpaio_data_iterator_new_partitioned (array, 2, &error);
  if (halves == NULL)
    g_error ("bench-demo: %s", error->message);
  bound_worker = demo_add_int_worker_new (halves, 0);
  for (guint p = 0; p < G_N_ELEMENTS (partition_counts); p++)
    {
      iterators[p] = mpaio_data_iterator_new_partitioned (array, partition_counts[p], &error);
      if (iterators[p] == NULL)
        g_error ("bench-demo: %s", error->message);
    }

  pool = mpaio_process_pool_new (2, &error);
  if (pool == NULL)
    g_error ("bench-demo: %s", error->message);

  threads = mpaio_thread_pool_new (2, &error);
  if (threads == NULL)
    g_error ("bench-demo: %s", error->message);

  /* Interleaved rounds, the first a warm-up: each times every variant once,
   * so a change in the machine's speed (memory bandwidth moves a lot on a
   * shared host) hits all of them alike. */
  for (guint i = 0; i <= REPEATS; i++)
    {
      gdouble seconds;

      seconds = run_threads (MPAIO_WORKER (bound_worker), n_rows, 2, expected);
      if (i > 0)
        bound_times[i - 1] = seconds;

      seconds = run_threads (MPAIO_WORKER (bound_worker), n_rows, 1, expected);
      if (i > 0)
        serial_times[i - 1] = seconds;

      /* Cold: from a new pool's creation to the end of its first run. */
      seconds = run_cold (halves, expected);
      if (i > 0)
        cold_times[i - 1] = seconds;

      for (guint p = 0; p < G_N_ELEMENTS (partition_counts); p++)
        {
          seconds = run_demo (MPAIO_EXECUTOR (pool), iterators[p], expected);
          if (i > 0)
            warm_times[p][i - 1] = seconds;
        }

      seconds = run_demo (MPAIO_EXECUTOR (threads), halves, expected);
      if (i > 0)
        thread_pool_times[i - 1] = seconds;
    }

  pids = mpaio_process_pool_get_pids (pool, &n_pids);
  g_clear_object (&pool);
  bench_wait_for_exit (pids, n_pids);
  g_clear_object (&threads);

  /* Each round's ratios, before the medians sort the times. */
  cold_vs_serial = format_ratios (serial_times, cold_times, &cold_median);
  warm_vs_serial = format_ratios (serial_times, warm_times[0], &warm_median);
  cold = bench_median (cold_times, REPEATS);
  bound = bench_median (bound_times, REPEATS);
  serial = bench_median (serial_times, REPEATS);
  thread_pool = bench_median (thread_pool_times, REPEATS);
  for (guint p = 0; p < G_N_ELEMENTS (partition_counts); p++)
    warm[p] = bench_median (warm_times[p], REPEATS);

  title = g_strdup_printf ("the demo: sum of 1..%" G_GINT64_FORMAT " (int64, %.0f MB), "
                           "2 workers, fill excluded (median of %u interleaved rounds)",
                           size, bytes / 1e6, REPEATS);
  table = bench_table_new (title);
  {
    g_autofree char *bound_s = format_time (bound, bytes);
    g_autofree char *cold_s = format_time (cold, bytes);
    g_autofree char *thread_pool_s = format_time (thread_pool, bytes);
    g_autofree char *ratio_cold = bench_format_ratio (cold / bound);
    g_autofree char *ratio_thread_pool = bench_format_ratio (thread_pool / bound);

    g_autofree char *serial_s = format_time (serial, bytes);
    g_autofree char *warm2_s = format_time (warm[0], bytes);

    bench_table_add (table, "bound: 2 pthreads, the demo's process on halves", bound_s, NULL, NULL,
                     NULL, NULL);
    bench_table_add (table, "serial: the demo's process on the whole array, 1 thread", serial_s,
                     NULL, NULL, NULL, NULL);
    bench_table_add_check (table, "cold (new pool + first run), 2 partitions, against serial", cold_s, "serial",
                           cold_vs_serial, "≥ 1×", cold_median >= 1.0);
    bench_table_add_check (table, "warm, 2 partitions, against serial", warm2_s,
                           "serial", warm_vs_serial, "≥ 1.6×", warm_median >= 1.6);
    bench_table_add (table, "MpaioProcessPool cold: new pool + first run, 2 partitions", cold_s,
                     "bound", ratio_cold, NULL, NULL);

    for (guint i = 0; i < G_N_ELEMENTS (partition_counts); i++)
      {
        g_autofree char *what = g_strdup_printf ("MpaioProcessPool, %u partitions",
                                                 partition_counts[i]);
        g_autofree char *value = format_time (warm[i], bytes);
        g_autofree char *ratio = bench_format_ratio (warm[i] / bound);

        if (partition_counts[i] == 2)
          bench_table_add_check (table, what, value, "bound", ratio, "≤ 1.25×",
                                 warm[i] <= 1.25 * bound);
        else if (partition_counts[i] == 1024)
          bench_table_add_check (table, what, value, "bound", ratio, "≤ 1.5×",
                                 warm[i] <= 1.5 * bound);
        else
          bench_table_add (table, what, value, "bound", ratio, NULL, NULL);
      }

    bench_table_add (table, "MpaioThreadPool, 2 threads, 2 partitions", thread_pool_s, "bound",
                     ratio_thread_pool, NULL, NULL);

    if (py != NULL)
      {
        gdouble          mp = bench_dict_get (py, "mp_pool_sum_s");
        gdouble          executor = bench_dict_get (py, "executor_sum_s");
        gdouble          py_serial = bench_dict_get (py, "numpy_serial_s");
        gsize            py_bytes = (gsize) bench_dict_get (py, "n") * sizeof (gint64);
        g_autofree char *mp_s = format_time (mp, py_bytes);
        g_autofree char *executor_s = format_time (executor, py_bytes);
        g_autofree char *py_serial_s = format_time (py_serial, py_bytes);
        g_autofree char *ratio_mp = bench_format_ratio (mp / warm[0]);
        g_autofree char *ratio_executor = bench_format_ratio (executor / warm[0]);
        g_autofree char *ratio_serial = bench_format_ratio (py_serial / warm[0]);

        bench_table_add (table, "Python multiprocessing.Pool(2) + numpy shm, 2 partitions", mp_s,
                         warm2_s, ratio_mp, NULL, NULL);
        bench_table_add (table, "Python ProcessPoolExecutor(2) + numpy shm, 2 partitions",
                         executor_s, warm2_s, ratio_executor, NULL, NULL);
        bench_table_add (table, "Python numpy array.sum(), 1 process", py_serial_s, warm2_s,
                         ratio_serial, NULL, NULL);
      }
  }

  bench_table_add_note (table, "ratio = value / baseline, times: lower is better (but for the "
                               "rows against serial: serial time / time, a speed-up); the "
                               "baseline of the Python rows is MpaioProcessPool with 2 "
                               "partitions.");
  bench_table_add_note (table, "the sum (%" G_GUINT64_FORMAT ") is checked on every run; the "
                               "demo's loop (4 accumulators) compiles to SSE2 vector adds, so the "
                               "bound is bandwidth, not arithmetic.",
                        expected);
  bench_table_add_note (table, "2 threads of this process sum %.2f× as fast as 1 (the bound "
                               "against serial): the sum is bound by memory bandwidth, which the "
                               "2 CPUs share, more than by either CPU.",
                        serial / bound);
  if (py_error != NULL)
    bench_table_add_note (table, "Python reference not run: %s", py_error->message);
  else if (python == NULL)
    bench_table_add_note (table, "Python reference not run: no --python SCRIPT.");
  else
    bench_table_add_note (table, "Python: numpy views attached once per worker process (the "
                                 "pool's initializer), median of 3 warm runs, start method fork.");
  bench_table_print (table);

  for (guint p = 0; p < G_N_ELEMENTS (partition_counts); p++)
    g_clear_object (&iterators[p]);

  return EXIT_SUCCESS;
}
