/* bench-memory.c: what worker processes and the parent hold for a big array
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   bench-memory [--size N]
 *
 * An int64 array of N rows (100 M, 800 MB by default) summed by the demo's
 * worker on a MpaioProcessPool of 2 worker processes (a run in 2 partitions,
 * then one in 1024). Right after, each worker process's private memory (USS:
 * Private_Clean + Private_Dirty of /proc/PID/smaps_rollup) and its RSS (the
 * array pages it maps count there, shared), and the parent's VmRSS.
 */

#include <stdlib.h>
#include <string.h>

#include "bench-common.h"
#include "demo-add-int-worker.h"

#define MIB (1024.0 * 1024.0)

static guint64
read_rss_of (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *contents = NULL;
  const char      *line;

  if (!g_file_get_contents (path, &contents, NULL, NULL) || (line = strstr (contents, "VmRSS:")) == NULL)
    return 0;

  return g_ascii_strtoull (line + strlen ("VmRSS:"), NULL, 10) * 1024;
}

static void
run_sum (MpaioProcessPool *pool,
         MpaioSharedArray *array,
         guint             n_partitions,
         guint64           expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioDataIterator) iterator = NULL;
  g_autoptr(DemoAddIntWorker) worker = NULL;

  iterator = mpaio_data_iterator_new_partitioned (array, n_partitions, &error);
  if (iterator == NULL)
    g_error ("bench-memory: %s", error->message);
  worker = demo_add_int_worker_new (iterator, 0);
  if (bench_run_worker (MPAIO_EXECUTOR (pool), MPAIO_WORKER (worker), NULL, &error) < 0)
    g_error ("bench-memory: %s", error->message);
  if (demo_add_int_worker_get_total (worker) != expected)
    g_error ("bench-memory: summed %" G_GUINT64_FORMAT ", expected %" G_GUINT64_FORMAT,
             demo_add_int_worker_get_total (worker), expected);
}

static char *
format_mb (guint64 bytes)
{
  return g_strdup_printf ("%.1f MiB", bytes / MIB);
}

int
main (int    argc,
      char **argv)
{
  gint64             size = 100000000;
  const GOptionEntry entries[] = {
    { "size", 's', 0, G_OPTION_ARG_INT64, &size, "int64 rows (default 100000000)", "N" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioSharedArray) array = NULL;
  g_autoptr(MpaioProcessPool) pool = NULL;
  g_autoptr(BenchTable) table = NULL;
  g_autofree GPid    *pids = NULL;
  g_autofree char    *title = NULL;
  g_autofree guint64 *idle_uss = NULL;
  guint               n_pids = 0;
  guint64             n_rows, expected, rss_start, rss_filled, rss_after, array_bytes;
  gint64             *data;

  g_type_ensure (DEMO_TYPE_ADD_INT_WORKER);
  bench_init (&argc, &argv);

  context = g_option_context_new ("— memory of worker processes and parent");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || size < 2048)
    {
      g_printerr ("bench-memory: %s\n", error != NULL ? error->message : "--size ≥ 2048");
      return EXIT_FAILURE;
    }

  rss_start = bench_read_rss ();

  n_rows = (guint64) size;
  expected = n_rows * (n_rows + 1) / 2;
  array = mpaio_shared_array_new (MPAIO_DTYPE_INT64, &n_rows, 1, &error);
  if (array == NULL)
    g_error ("bench-memory: %s", error->message);
  array_bytes = mpaio_shared_array_get_size (array);
  data = mpaio_shared_array_get_data (array);
  for (guint64 i = 0; i < n_rows; i++)
    data[i] = (gint64) i + 1;
  rss_filled = bench_read_rss ();

  pool = mpaio_process_pool_new (2, &error);
  if (pool == NULL)
    g_error ("bench-memory: %s", error->message);

  /* Every worker process answering before its idle USS is read. */
  {
    guint64 n_small = 2;
    g_autoptr(MpaioSharedArray) small = mpaio_shared_array_new (MPAIO_DTYPE_INT64, &n_small, 1,
                                                                 &error);

    if (small == NULL)
      g_error ("bench-memory: %s", error->message);
    run_sum (pool, small, 2, 0);
  }
  pids = mpaio_process_pool_get_pids (pool, &n_pids);
  idle_uss = g_new0 (guint64, n_pids);
  for (guint i = 0; i < n_pids; i++)
    idle_uss[i] = bench_read_uss (pids[i]);

  run_sum (pool, array, 2, expected);
  run_sum (pool, array, 1024, expected);
  rss_after = bench_read_rss ();

  title = g_strdup_printf ("memory: a %.0f MB int64 array summed by 2 worker processes "
                           "(2 then 1024 partitions)",
                           array_bytes / 1e6);
  table = bench_table_new (title);
  {
    g_autofree GPid *pids_after = NULL;
    guint            n_after = 0;

    pids_after = mpaio_process_pool_get_pids (pool, &n_after);
    for (guint i = 0; i < n_after; i++)
      {
        guint64          uss = bench_read_uss (pids_after[i]);
        guint64          rss = read_rss_of (pids_after[i]);
        g_autofree char *what = g_strdup_printf ("worker %u (pid %d) USS after the runs", i + 1,
                                                 (int) pids_after[i]);
        g_autofree char *what_rss = g_strdup_printf ("worker %u RSS (array pages, shared)", i + 1);
        g_autofree char *what_idle = g_strdup_printf ("worker %u USS idle (after a 2-row run)",
                                                      i + 1);
        g_autofree char *uss_s = format_mb (uss);
        g_autofree char *rss_s = format_mb (rss);
        g_autofree char *array_s = g_strdup_printf ("array %.1f MiB", array_bytes / MIB);
        g_autofree char *ratio = g_strdup_printf ("%.2f %%", 100.0 * uss / array_bytes);
        g_autofree char *ratio_rss = g_strdup_printf ("%.0f %%", 100.0 * rss / array_bytes);
        guint64          idle = 0;

        for (guint j = 0; j < n_pids; j++)
          if (pids[j] == pids_after[i])
            idle = idle_uss[j];

        if (idle != 0)
          {
            g_autofree char *idle_s = format_mb (idle);
            g_autofree char *idle_ratio = g_strdup_printf ("%.2f %%", 100.0 * idle / array_bytes);

            bench_table_add (table, what_idle, idle_s, array_s, idle_ratio, NULL, NULL);
          }
        bench_table_add_check (table, what, uss_s, array_s, ratio, "< 1 % of array",
                               uss > 0 && uss < array_bytes / 100);
        bench_table_add (table, what_rss, rss_s, array_s, ratio_rss, NULL, NULL);
      }
  }
  {
    g_autofree char *start_s = format_mb (rss_start);
    g_autofree char *filled_s = format_mb (rss_filled);
    g_autofree char *after_s = format_mb (rss_after);
    g_autofree char *array_s = g_strdup_printf ("array %.1f MiB", array_bytes / MIB);
    g_autofree char *ratio = g_strdup_printf ("array + %.1f MiB",
                                              ((gdouble) rss_after - (gdouble) array_bytes) / MIB);

    bench_table_add (table, "parent RSS before the array", start_s, NULL, NULL, NULL, NULL);
    bench_table_add (table, "parent RSS, array filled", filled_s, array_s, NULL, NULL, NULL);
    bench_table_add_check (table, "parent RSS after the runs", after_s, array_s, ratio,
                           "≤ array + 32 MiB", rss_after <= array_bytes + 32 * 1024 * 1024);
  }
  bench_table_add_note (table, "USS = Private_Clean + Private_Dirty of /proc/PID/smaps_rollup; "
                               "RSS = VmRSS of /proc/PID/status; 1 MiB = 2^20 bytes.");
  bench_table_print (table);

  {
    g_autofree GPid *last = NULL;
    guint            n_last = 0;

    last = mpaio_process_pool_get_pids (pool, &n_last);
    g_clear_object (&pool);
    bench_wait_for_exit (last, n_last);
  }

  return EXIT_SUCCESS;
}
