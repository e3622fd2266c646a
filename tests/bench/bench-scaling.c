/* bench-scaling.c: a CPU-bound kernel on 1 and 2 worker processes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   bench-scaling [--elements N] [--rounds R]
 *
 * Each element of an int64 array (10 M by default) goes through R rounds
 * (64) of a 64-bit linear congruential generator, and the results are
 * summed. The same function runs as a serial C loop, on 2 pthreads (one
 * half each), and in a worker's `process` on MpaioProcessPool with 1 and 2
 * worker processes (one partition per process). Efficiency is
 * T_serial / (N × T). Medians of 5 rounds after a warm-up round; each round
 * times every variant once, so a change in the machine's speed hits all alike.
 */

#include <pthread.h>
#include <stdlib.h>

#include "bench-common.h"

#define REPEATS 5

/* The kernel */

G_GNUC_NO_INLINE static guint64
lcg_kernel (const gint64 *data,
            guint64       n,
            guint         rounds)
{
  guint64 sum = 0;

  for (guint64 i = 0; i < n; i++)
    {
      guint64 x = (guint64) data[i];

      for (guint r = 0; r < rounds; r++)
        x = x * G_GUINT64_CONSTANT (6364136223846793005) + G_GUINT64_CONSTANT (1442695040888963407);
      sum += x;
    }

  return sum;
}

/* The worker: the kernel on a chunk, "t" the chunk's sum */

#define BENCH_TYPE_LCG_WORKER (bench_lcg_worker_get_type ())
G_DECLARE_FINAL_TYPE (BenchLcgWorker, bench_lcg_worker, BENCH, LCG_WORKER, MpaioWorker)

struct _BenchLcgWorker
{
  MpaioWorker parent_instance;
  guint       rounds;
  guint64     total;
};

G_DEFINE_FINAL_TYPE (BenchLcgWorker, bench_lcg_worker, MPAIO_TYPE_WORKER)

enum
{
  PROP_0,
  PROP_ROUNDS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GVariant *
bench_lcg_worker_process (MpaioWorker      *worker,
                          const MpaioChunk *chunk,
                          GError          **error)
{
  MpaioSharedArray *array = mpaio_worker_get_array (worker);

  return g_variant_new_uint64 (lcg_kernel (mpaio_shared_array_get_row (array, chunk->start),
                                           chunk->end - chunk->start,
                                           BENCH_LCG_WORKER (worker)->rounds));
}

static void
bench_lcg_worker_process_callback (MpaioWorker      *worker,
                                   const MpaioChunk *chunk,
                                   GVariant         *result)
{
  BENCH_LCG_WORKER (worker)->total += g_variant_get_uint64 (result);
}

static void
bench_lcg_worker_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_ROUNDS:
      g_value_set_uint (value, BENCH_LCG_WORKER (object)->rounds);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bench_lcg_worker_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PROP_ROUNDS:
      BENCH_LCG_WORKER (object)->rounds = g_value_get_uint (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bench_lcg_worker_class_init (BenchLcgWorkerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = bench_lcg_worker_get_property;
  object_class->set_property = bench_lcg_worker_set_property;
  MPAIO_WORKER_CLASS (klass)->process = bench_lcg_worker_process;
  MPAIO_WORKER_CLASS (klass)->process_callback = bench_lcg_worker_process_callback;

  properties[PROP_ROUNDS] =
    g_param_spec_uint ("rounds", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
bench_lcg_worker_init (BenchLcgWorker *self)
{
}

/* pthreads */

typedef struct
{
  const gint64 *data;
  guint64       n;
  guint         rounds;
  guint64       sum;
  guint64       wait_ns;
} ThreadJob;

static void *
thread_main (void *data)
{
  ThreadJob *job = data;
  guint64    wait_ns = bench_read_wait_ns (-1);

  job->sum = lcg_kernel (job->data, job->n, job->rounds);
  job->wait_ns = bench_read_wait_ns (-1) - wait_ns;
  return NULL;
}

/* Also gives the time the threads waited for a CPU, summed, in @wait_ns. */
static gdouble
run_pthreads (const gint64 *data,
              guint64       n,
              guint         rounds,
              guint         n_threads,
              guint64      *sum,
              guint64      *wait_ns)
{
  pthread_t threads[8];
  ThreadJob jobs[8];
  gdouble   start = bench_now ();

  g_assert (n_threads <= G_N_ELEMENTS (threads));

  *sum = 0;
  *wait_ns = 0;
  for (guint t = 0; t < n_threads; t++)
    {
      guint64 first = n * t / n_threads;
      guint64 last = n * (t + 1) / n_threads;

      jobs[t] = (ThreadJob){ data + first, last - first, rounds, 0, 0 };
      if (pthread_create (&threads[t], NULL, thread_main, &jobs[t]) != 0)
        g_error ("pthread_create failed");
    }
  for (guint t = 0; t < n_threads; t++)
    {
      pthread_join (threads[t], NULL);
      *sum += jobs[t].sum;
      *wait_ns += jobs[t].wait_ns;
    }

  return bench_now () - start;
}

/* Runs, interleaved: every round times each variant once, so a change in
 * the machine's speed during the benchmark hits all of them alike. */

typedef struct
{
  MpaioProcessPool  *pool;
  MpaioDataIterator *iterator;
  guint              n_workers;
  guint              min_pids_used;
} PoolVariant;

static void
pool_variant_init (PoolVariant      *variant,
                   MpaioSharedArray *array,
                   guint             n_workers)
{
  g_autoptr(GError) error = NULL;

  variant->n_workers = n_workers;
  variant->min_pids_used = G_MAXUINT;
  variant->pool = mpaio_process_pool_new (n_workers, &error);
  if (variant->pool != NULL)
    variant->iterator = mpaio_data_iterator_new_partitioned (array, n_workers, &error);
  if (variant->iterator == NULL)
    g_error ("bench-scaling: %s", error->message);
}

static void
pool_variant_clear (PoolVariant *variant)
{
  g_autofree GPid *pids = NULL;
  guint            n_pids = 0;

  pids = mpaio_process_pool_get_pids (variant->pool, &n_pids);
  g_clear_object (&variant->pool);
  g_clear_object (&variant->iterator);
  bench_wait_for_exit (pids, n_pids);
}

/* Also gives the time the worker processes waited for a CPU, summed, in
 * @wait_ns. */
static gdouble
run_pool (PoolVariant *variant,
          guint        rounds,
          guint64      expected,
          guint64     *wait_ns)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BenchLcgWorker) worker = g_object_new (BENCH_TYPE_LCG_WORKER,
                                                    "data-iterator", variant->iterator,
                                                    "rounds", rounds,
                                                    NULL);
  guint   n_pids = 0;
  guint64 wait_before = bench_read_workers_wait_ns (MPAIO_EXECUTOR (variant->pool));
  gdouble seconds = bench_run_worker (MPAIO_EXECUTOR (variant->pool), MPAIO_WORKER (worker),
                                      &n_pids, &error);

  *wait_ns = bench_read_workers_wait_ns (MPAIO_EXECUTOR (variant->pool)) - wait_before;
  if (seconds < 0)
    g_error ("bench-scaling: %u workers: %s", variant->n_workers, error->message);
  if (worker->total != expected)
    g_error ("bench-scaling: %u workers summed %" G_GUINT64_FORMAT ", expected %" G_GUINT64_FORMAT,
             variant->n_workers, worker->total, expected);
  variant->min_pids_used = MIN (variant->min_pids_used, n_pids);

  return seconds;
}

static gdouble
run_serial (const gint64 *data,
            guint64       n,
            guint         rounds,
            guint64      *sum)
{
  gdouble start = bench_now ();

  *sum = lcg_kernel (data, n, rounds);
  return bench_now () - start;
}

static void
add_row (BenchTable *table,
         const char *what,
         gdouble     seconds,
         guint       n,
         gdouble     serial,
         gdouble    *efficiency)
{
  g_autofree char *value = g_strdup_printf ("%.3f s", seconds);
  g_autofree char *baseline = g_strdup_printf ("serial %.3f s", serial);
  g_autofree char *ratio = NULL;

  *efficiency = serial / (n * seconds);
  ratio = g_strdup_printf ("efficiency %.2f (%.2f× speed-up)", *efficiency, serial / seconds);
  bench_table_add (table, what, value, baseline, ratio, NULL, NULL);
}

int
main (int    argc,
      char **argv)
{
  gint64             n_elements = 10000000;
  gint               rounds = 64;
  const GOptionEntry entries[] = {
    { "elements", 'n', 0, G_OPTION_ARG_INT64, &n_elements, "int64 elements (default 10000000)",
      "N" },
    { "rounds", 'r', 0, G_OPTION_ARG_INT, &rounds, "LCG rounds per element (default 64)", "R" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioSharedArray) array = NULL;
  g_autoptr(BenchTable) table = NULL;
  g_autofree char *title = NULL;
  guint64          n_rows, expected;
  gint64          *data;
  gdouble          serial, threads2, pool1, pool2;
  gdouble          serial_times[REPEATS], threads2_times[REPEATS], pool1_times[REPEATS];
  gdouble          pool2_times[REPEATS];
  gdouble          threads2_waits[REPEATS], pool2_waits[REPEATS];
  PoolVariant      pool1_variant = { 0 }, pool2_variant = { 0 };
  gdouble          eff_threads2, eff_pool1, eff_pool2, eff_serial;

  g_type_ensure (BENCH_TYPE_LCG_WORKER);
  bench_init (&argc, &argv);

  context = g_option_context_new ("— scaling of a CPU-bound kernel");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || n_elements < 2 || rounds < 0)
    {
      g_printerr ("bench-scaling: %s\n", error != NULL ? error->message : "bad arguments");
      return EXIT_FAILURE;
    }

  n_rows = (guint64) n_elements;
  array = mpaio_shared_array_new (MPAIO_DTYPE_INT64, &n_rows, 1, &error);
  if (array == NULL)
    g_error ("bench-scaling: %s", error->message);
  data = mpaio_shared_array_get_data (array);
  for (guint64 i = 0; i < n_rows; i++)
    data[i] = (gint64) i + 1;

  /* The serial sum is the expected one; the others are checked against it. */
  run_serial (data, n_rows, (guint) rounds, &expected);
  pool_variant_init (&pool1_variant, array, 1);
  pool_variant_init (&pool2_variant, array, 2);
  for (guint i = 0; i <= REPEATS; i++)
    {
      guint64 sum = 0, wait_ns = 0;
      gdouble seconds;

      seconds = run_serial (data, n_rows, (guint) rounds, &sum);
      if (sum != expected)
        g_error ("bench-scaling: the serial loop is not deterministic");
      if (i > 0)
        serial_times[i - 1] = seconds;

      seconds = run_pthreads (data, n_rows, (guint) rounds, 2, &sum, &wait_ns);
      if (sum != expected)
        g_error ("bench-scaling: 2 threads summed %" G_GUINT64_FORMAT ", expected %" G_GUINT64_FORMAT, sum, expected);
      if (i > 0)
        {
          threads2_times[i - 1] = seconds;
          threads2_waits[i - 1] = wait_ns / 1e9;
        }

      seconds = run_pool (&pool1_variant, (guint) rounds, expected, &wait_ns);
      if (i > 0)
        pool1_times[i - 1] = seconds;

      seconds = run_pool (&pool2_variant, (guint) rounds, expected, &wait_ns);
      if (i > 0)
        {
          pool2_times[i - 1] = seconds;
          pool2_waits[i - 1] = wait_ns / 1e9;
        }
    }
  pool_variant_clear (&pool1_variant);
  pool_variant_clear (&pool2_variant);

  serial = bench_median (serial_times, REPEATS);
  threads2 = bench_median (threads2_times, REPEATS);
  pool1 = bench_median (pool1_times, REPEATS);
  pool2 = bench_median (pool2_times, REPEATS);

  title = g_strdup_printf ("scaling: %d rounds of a 64-bit LCG per element over %" G_GINT64_FORMAT
                           " int64, summed (median of %u interleaved rounds after a warm-up)",
                           rounds, n_elements, REPEATS);
  table = bench_table_new (title);
  add_row (table, "serial C loop", serial, 1, serial, &eff_serial);
  add_row (table, "2 pthreads", threads2, 2, serial, &eff_threads2);
  add_row (table, "MpaioProcessPool, 1 worker", pool1, 1, serial, &eff_pool1);
  add_row (table, "MpaioProcessPool, 2 workers", pool2, 2, serial, &eff_pool2);
  {
    g_autofree char *value = g_strdup_printf ("efficiency %.2f", eff_pool2);
    g_autofree char *baseline = g_strdup_printf ("2 pthreads: efficiency %.2f", eff_threads2);
    g_autofree char *ratio = bench_format_ratio (eff_pool2 / eff_threads2);

    bench_table_add_check (table, "2 workers vs 2 pthreads", value, baseline, ratio, "≥ 0.95×",
                           eff_pool2 >= 0.95 * eff_threads2);
  }
  bench_table_add_note (table, "efficiency = T_serial / (N × T); one partition per thread or "
                               "worker process; the same kernel function in every row.");
  bench_table_add_note (table, "time spent waiting for a CPU (run queue, schedstat), summed over "
                               "the 2 threads or processes, median per run: 2 pthreads %.1f ms, "
                               "2 workers %.1f ms; a large wait means other processes took a CPU.",
                        bench_median (threads2_waits, REPEATS) * 1e3,
                        bench_median (pool2_waits, REPEATS) * 1e3);
  bench_table_add_note (table, "processes that computed chunks, fewest in a run: %u of 1, %u of 2.",
                        pool1_variant.min_pids_used, pool2_variant.min_pids_used);
  bench_table_add_note (table, "%.1f ns per element-round serially; the sum (%" G_GUINT64_FORMAT ") is checked on every run.",
                        serial * 1e9 / ((gdouble) n_elements * MAX (rounds, 1)), expected);
  bench_table_print (table);

  return EXIT_SUCCESS;
}
