/* bench-map.c: a map, y = sqrt (x), on worker processes against the serial loop
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   bench-map [--size N] [--chunks C]
 *
 * x and y are float64 arrays of N rows (5 M by default); y is a writable
 * array, a parameter of the demo's map worker (examples/demo-sqrt-worker.c).
 * Side by side, in one run:
 *   - serial: the same loop in this process, over the same memory;
 *   - MpaioThreadPool, 2 threads, C chunks (16 by default);
 *   - MpaioProcessPool, 2 processes, C chunks: cold (a pool created just
 *     before the run, so its processes map both arrays during it; also
 *     shown with the pool's creation counted) and warm (the same pool and
 *     arrays, a later run).
 * y is written by this process before every run, serial ones included, so
 * no variant pays for allocating its pages; also shown, a fresh y each
 * time, whose pages the run itself allocates (the serial loop one by one
 * as it faults, the pool's processes in parallel). Every run's output is checked.
 * Medians of 11 interleaved rounds after a warm-up round (a 2-CPU machine
 * shared with other work needs that many for a stable median); cold runs
 * use a new pool each round. Ratios are each round's against that round's
 * serial loop: their median, and the worst round, which has a row of its
 * own, so one slow round is never hidden by the median. Cold runs also
 * show when their first chunk started: the wait for the new processes.
 */

#include <math.h>
#include <stdlib.h>

#include "bench-common.h"
#include "demo-sqrt-worker.h"

#define REPEATS 11

static void
check_output (MpaioSharedArray *x,
              MpaioSharedArray *y)
{
  const gdouble *in = mpaio_shared_array_get_data (x);
  const gdouble *out = mpaio_shared_array_get_data (y);
  guint64        n = mpaio_shared_array_get_n_rows (x);

  for (guint64 i = 0; i < n; i++)
    if (out[i] != sqrt (in[i]))
      g_error ("bench-map: y[%" G_GUINT64_FORMAT "] = %g, not sqrt (%g)", i, out[i], in[i]);
}

static void
clear_output (MpaioSharedArray *y)
{
  /* Rewritten, not fresh: the pages stay, as between two runs of a real
   * program over the same arrays. */
  memset (mpaio_shared_array_get_data (y), 0xff, mpaio_shared_array_get_size (y));
}

/* A writable output array of @n_rows float64, never touched: as a
 * program's first run over it finds it. */
static MpaioSharedArray *
new_output (guint64 n_rows)
{
  g_autoptr(GError) error = NULL;
  MpaioSharedArray *y = mpaio_shared_array_new_full (MPAIO_DTYPE_FLOAT64, sizeof (gdouble),
                                                     &n_rows, 1,
                                                     MPAIO_SHARED_ARRAY_FLAGS_WRITABLE, &error);

  if (y == NULL)
    g_error ("bench-map: %s", error->message);
  return y;
}

/* @y is rewritten first unless @fresh: a fresh array's pages are allocated
 * (and zeroed) by the run's first writes. */
static gdouble
run_serial (MpaioSharedArray *x,
            MpaioSharedArray *y,
            gboolean          fresh)
{
  gdouble start;
  gdouble seconds;

  if (!fresh)
    clear_output (y);
  start = bench_now ();
  demo_sqrt_rows (mpaio_shared_array_get_data (x), mpaio_shared_array_get_data (y), 0,
                  mpaio_shared_array_get_n_rows (x));
  seconds = bench_now () - start;
  check_output (x, y);

  return seconds;
}

/* @first_start (optional) gets the time from the run's start to its first
 * chunk's: the pool's processes and chunks stamp the same clock. */
static gdouble
run_map_timed (MpaioExecutor     *executor,
               MpaioDataIterator *iterator,
               MpaioSharedArray  *y,
               gboolean           fresh,
               gdouble           *first_start)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DemoSqrtWorker) worker = demo_sqrt_worker_new (iterator, y);
  MpaioWorker *workers[] = { MPAIO_WORKER (worker) };
  g_autoptr(MpaioOrchestrator) orchestrator = mpaio_orchestrator_new (executor, workers, 1);
  g_autoptr(MpaioRunReport) report = NULL;
  gdouble seconds = 0.0;
  gdouble start;
  gint64  first_us = G_MAXINT64;

  if (!fresh)
    clear_output (y);
  start = bench_now ();
  report = bench_run (orchestrator, &seconds, &error);
  if (report == NULL)
    g_error ("bench-map: %s", error->message);
  check_output (mpaio_data_iterator_get_array (iterator), y);

  for (guint i = 0; i < mpaio_run_report_get_n_records (report); i++)
    first_us = MIN (first_us, mpaio_run_report_get_record (report, i)->started_us);
  if (first_start != NULL)
    *first_start = first_us / 1e6 - start;

  return seconds;
}

static gdouble
run_map (MpaioExecutor     *executor,
         MpaioDataIterator *iterator,
         MpaioSharedArray  *y,
         gboolean           fresh)
{
  return run_map_timed (executor, iterator, y, fresh, NULL);
}

/* The time @pool's processes have waited for a CPU, in seconds: on a
 * machine with as many CPUs as the pool has processes, any other work
 * delays them. */
static gdouble
pool_wait_seconds (MpaioProcessPool *pool)
{
  g_autofree GPid *pids = NULL;
  guint            n_pids = 0;
  guint64          ns = 0;

  pids = mpaio_process_pool_get_pids (pool, &n_pids);
  for (guint i = 0; i < n_pids; i++)
    ns += bench_read_wait_ns (pids[i]);

  return ns / 1e9;
}

/* The first run of a new pool; @with_creation also gets the time from
 * before the pool's creation. */
static gdouble
run_cold (MpaioDataIterator *iterator,
          MpaioSharedArray  *y,
          gboolean           fresh,
          gdouble           *with_creation,
          gdouble           *first_start)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioProcessPool) pool = NULL;
  g_autofree GPid *pids = NULL;
  guint            n_pids;
  gdouble          seconds;
  gdouble          start;

  if (!fresh)
    clear_output (y);
  start = bench_now ();
  pool = mpaio_process_pool_new (2, &error);
  if (pool == NULL)
    g_error ("bench-map: %s", error->message);
  *with_creation = bench_now () - start;
  seconds = run_map_timed (MPAIO_EXECUTOR (pool), iterator, y, fresh, first_start);
  *with_creation += seconds;

  pids = mpaio_process_pool_get_pids (pool, &n_pids);
  g_clear_object (&pool);
  bench_wait_for_exit (pids, n_pids);

  return seconds;
}

/* Each round's @baseline[i] / @times[i]: their median, and the worst
 * round (the lowest ratio), its time and baseline. */
typedef struct
{
  gdouble median;
  gdouble worst;
  gdouble worst_time;
  gdouble worst_baseline;
} Ratios;

static Ratios
ratios_per_round (const gdouble *baseline,
                  const gdouble *times)
{
  Ratios  ratios = { 0, G_MAXDOUBLE, 0, 0 };
  gdouble per_round[REPEATS];

  for (guint i = 0; i < REPEATS; i++)
    {
      per_round[i] = baseline[i] / times[i];
      if (per_round[i] < ratios.worst)
        {
          ratios.worst = per_round[i];
          ratios.worst_time = times[i];
          ratios.worst_baseline = baseline[i];
        }
    }
  ratios.median = bench_median (per_round, REPEATS);

  return ratios;
}

/* "1.72× (worst round 1.12×)" */
static char *
format_ratios (Ratios ratios)
{
  return g_strdup_printf ("%.2f× (worst round %.2f×)", ratios.median, ratios.worst);
}

/* The worst round's row, against @target. */
static void
add_worst_row (BenchTable *table,
               const char *what,
               Ratios      ratios,
               gdouble     target)
{
  g_autofree char *value = g_strdup_printf ("%.2f ms", ratios.worst_time * 1e3);
  g_autofree char *baseline = g_strdup_printf ("its serial, %.2f ms",
                                               ratios.worst_baseline * 1e3);
  g_autofree char *ratio = bench_format_ratio (ratios.worst);
  g_autofree char *target_s = g_strdup_printf ("≥ %g×", target);

  bench_table_add_check (table, what, value, baseline, ratio, target_s, ratios.worst >= target);
}

static char *
format_ms (gdouble seconds)
{
  return g_strdup_printf ("%.2f ms", seconds * 1e3);
}

int
main (int    argc,
      char **argv)
{
  gint64             size = 5000000;
  gint               n_chunks = 16;
  const GOptionEntry entries[] = {
    { "size", 's', 0, G_OPTION_ARG_INT64, &size, "Rows of x and y (default 5000000)", "N" },
    { "chunks", 'c', 0, G_OPTION_ARG_INT, &n_chunks, "Chunks per run (default 16)", "C" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioSharedArray) x = NULL;
  g_autoptr(MpaioSharedArray) y = NULL;
  g_autoptr(MpaioDataIterator) iterator = NULL;
  g_autoptr(MpaioProcessPool) pool = NULL;
  g_autoptr(MpaioThreadPool) threads = NULL;
  g_autoptr(BenchTable) table = NULL;
  g_autofree char *title = NULL;
  g_autofree GPid *pids = NULL;
  gdouble          serial_times[REPEATS], thread_times[REPEATS], cold_times[REPEATS];
  gdouble          created_times[REPEATS], warm_times[REPEATS];
  gdouble          fresh_serial_times[REPEATS], fresh_cold_times[REPEATS];
  gdouble          first_starts[REPEATS], warm_waits[REPEATS];
  gdouble          serial, thread_pool, cold, created, warm, fresh_serial, fresh_cold;
  gdouble          first_start, first_start_max, warm_wait, warm_wait_max;
  Ratios           thread_r, cold_r, created_r, warm_r, fresh_r;
  guint            n_pids = 0;
  guint64          n_rows;
  gdouble         *in;

  g_type_ensure (DEMO_TYPE_SQRT_WORKER);
  bench_init (&argc, &argv);

  context = g_option_context_new ("— a map on worker processes against the serial loop");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || size < 1024 || n_chunks < 1)
    {
      g_printerr ("bench-map: %s\n", error != NULL ? error->message : "--size ≥ 1024, --chunks ≥ 1");
      return EXIT_FAILURE;
    }

  n_rows = (guint64) size;
  x = mpaio_shared_array_new (MPAIO_DTYPE_FLOAT64, &n_rows, 1, &error);
  if (x != NULL)
    y = mpaio_shared_array_new_full (MPAIO_DTYPE_FLOAT64, sizeof (gdouble), &n_rows, 1,
                                     MPAIO_SHARED_ARRAY_FLAGS_WRITABLE, &error);
  if (y == NULL)
    g_error ("bench-map: %s", error->message);
  in = mpaio_shared_array_get_data (x);
  for (guint64 i = 0; i < n_rows; i++)
    in[i] = (gdouble) i;

  iterator = mpaio_data_iterator_new_partitioned (x, (guint) n_chunks, &error);
  if (iterator == NULL)
    g_error ("bench-map: %s", error->message);

  pool = mpaio_process_pool_new (2, &error);
  if (pool != NULL)
    threads = mpaio_thread_pool_new (2, &error);
  if (threads == NULL)
    g_error ("bench-map: %s", error->message);

  /* Interleaved rounds, the first a warm-up: each times every variant once,
   * so a change in the machine's speed hits all of them alike. */
  for (guint i = 0; i <= REPEATS; i++)
    {
      gdouble seconds, with_creation, first;

      seconds = run_serial (x, y, FALSE);
      if (i > 0)
        serial_times[i - 1] = seconds;

      seconds = run_map (MPAIO_EXECUTOR (threads), iterator, y, FALSE);
      if (i > 0)
        thread_times[i - 1] = seconds;

      seconds = run_cold (iterator, y, FALSE, &with_creation, &first);
      if (i > 0)
        {
          cold_times[i - 1] = seconds;
          created_times[i - 1] = with_creation;
          first_starts[i - 1] = first;
        }

      first = pool_wait_seconds (pool);
      seconds = run_map (MPAIO_EXECUTOR (pool), iterator, y, FALSE);
      if (i > 0)
        {
          warm_times[i - 1] = seconds;
          warm_waits[i - 1] = pool_wait_seconds (pool) - first;
        }

      {
        g_autoptr(MpaioSharedArray) y_serial = new_output (n_rows);
        g_autoptr(MpaioSharedArray) y_cold = new_output (n_rows);

        seconds = run_serial (x, y_serial, TRUE);
        if (i > 0)
          fresh_serial_times[i - 1] = seconds;

        seconds = run_cold (iterator, y_cold, TRUE, &with_creation, NULL);
        if (i > 0)
          fresh_cold_times[i - 1] = seconds;
      }
    }

  pids = mpaio_process_pool_get_pids (pool, &n_pids);
  g_clear_object (&pool);
  bench_wait_for_exit (pids, n_pids);

  /* Each round's ratio against that round's serial loop, before the
   * medians sort the times: the spread a single run can show. */
  thread_r = ratios_per_round (serial_times, thread_times);
  cold_r = ratios_per_round (serial_times, cold_times);
  created_r = ratios_per_round (serial_times, created_times);
  warm_r = ratios_per_round (serial_times, warm_times);
  fresh_r = ratios_per_round (fresh_serial_times, fresh_cold_times);
  first_start_max = warm_wait_max = 0;
  for (guint i = 0; i < REPEATS; i++)
    {
      first_start_max = MAX (first_start_max, first_starts[i]);
      warm_wait_max = MAX (warm_wait_max, warm_waits[i]);
    }
  warm_wait = bench_median (warm_waits, REPEATS);
  first_start = bench_median (first_starts, REPEATS);

  serial = bench_median (serial_times, REPEATS);
  thread_pool = bench_median (thread_times, REPEATS);
  cold = bench_median (cold_times, REPEATS);
  created = bench_median (created_times, REPEATS);
  fresh_serial = bench_median (fresh_serial_times, REPEATS);
  fresh_cold = bench_median (fresh_cold_times, REPEATS);
  warm = bench_median (warm_times, REPEATS);

  title = g_strdup_printf ("a map, y = sqrt (x) over %" G_GINT64_FORMAT " float64 (%.0f MB in, "
                           "%.0f MB out), %d chunks, 2 workers (median of %u interleaved rounds)",
                           size, mpaio_shared_array_get_size (x) / 1e6,
                           mpaio_shared_array_get_size (y) / 1e6, n_chunks, REPEATS);
  table = bench_table_new (title);
  {
    g_autofree char *serial_s = format_ms (serial);
    g_autofree char *thread_s = format_ms (thread_pool);
    g_autofree char *cold_s = format_ms (cold);
    g_autofree char *created_s = format_ms (created);
    g_autofree char *created_ratio = format_ratios (created_r);
    g_autofree char *fresh_serial_s = format_ms (fresh_serial);
    g_autofree char *fresh_cold_s = format_ms (fresh_cold);
    g_autofree char *fresh_ratio = format_ratios (fresh_r);
    g_autofree char *warm_s = format_ms (warm);
    g_autofree char *thread_ratio = format_ratios (thread_r);
    g_autofree char *cold_ratio = format_ratios (cold_r);
    g_autofree char *warm_ratio = format_ratios (warm_r);

    bench_table_add (table, "serial: the same loop in this process", serial_s, NULL, NULL, NULL,
                     NULL);
    bench_table_add (table, "MpaioThreadPool, 2 threads", thread_s, "serial", thread_ratio, NULL,
                     NULL);
    bench_table_add_check (table, "MpaioProcessPool cold: a new pool's first run", cold_s,
                           "serial", cold_ratio, "≥ 1×", cold_r.median >= 1.0);
    add_worst_row (table, "cold: its worst round", cold_r, 1.0);
    bench_table_add (table, "the same, the pool's creation counted", created_s, "serial",
                     created_ratio, NULL, NULL);
    bench_table_add_check (table, "MpaioProcessPool warm: the same pool and arrays", warm_s,
                           "serial", warm_ratio, "≥ 1.6×", warm_r.median >= 1.6);
    add_worst_row (table, "warm: its worst round", warm_r, 1.6);
    bench_table_add (table, "fresh y (a program's first run): serial", fresh_serial_s, NULL, NULL,
                     NULL, NULL);
    bench_table_add (table, "fresh y: MpaioProcessPool cold", fresh_cold_s, "fresh serial",
                     fresh_ratio, NULL, NULL);
  }
  bench_table_add_note (table, "ratio = serial time / time, higher is faster: the median of each "
                               "round's ratio against that round's serial loop, and the worst "
                               "round. Every output is checked; y is rewritten by this process "
                               "before each run, but for the fresh y rows.");
  bench_table_add_note (table, "cold runs: the first chunk started %.2f ms after the run began "
                               "(median; worst round %.2f ms), the wait for the new processes "
                               "to start, say hello and map both arrays.",
                        first_start * 1e3, first_start_max * 1e3);
  bench_table_add_note (table, "warm runs: the pool's 2 processes waited for a CPU %.2f ms in all "
                               "per run (median; worst round %.2f ms): on 2 CPUs, any other work "
                               "on the machine delays one of them, and the run with it.",
                        warm_wait * 1e3, warm_wait_max * 1e3);
  {
    g_autofree char *shmem = NULL;
    g_autofree char *setting = NULL;
    const char      *left, *right;

    /* Cold runs map 80 MB in 4 KB pages unless shared memory gets huge
     * pages, which arrays ask for: the system decides ("[advise]"). */
    if (g_file_get_contents ("/sys/kernel/mm/transparent_hugepage/shmem_enabled", &shmem, NULL,
                             NULL)
        && (left = strchr (shmem, '[')) != NULL && (right = strchr (left, ']')) != NULL)
      setting = g_strndup (left + 1, right - left - 1);
    bench_table_add_note (table, "huge pages for shared memory on this system: %s (arrays ask "
                                 "for them; the kernel's default is never)",
                          setting != NULL ? setting : "unknown");
  }
  bench_table_print (table);

  return EXIT_SUCCESS;
}
