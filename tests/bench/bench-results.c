/* bench-results.c: how fast big results reach the main process, against memcpy
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A worker whose `process` returns a GVariant of S bytes ("ay") made
 * without a copy from memory it filled once, on a MpaioProcessPool of 2
 * processes: the run's time is then the results' way to the main process
 * (serialization in the worker process, the transfer, the checks of the
 * untrusted bytes in the main process) and the callback's reading of each
 * result's first and last bytes. Against memcpy of the same bytes into new
 * memory in this process, measured in the same run. Medians of 5 rounds
 * after a warm-up.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "bench-common.h"

#define REPEATS 5

#define BENCH_TYPE_BYTES_WORKER (bench_bytes_worker_get_type ())
G_DECLARE_FINAL_TYPE (BenchBytesWorker, bench_bytes_worker, BENCH, BYTES_WORKER, MpaioWorker)

struct _BenchBytesWorker
{
  MpaioWorker parent_instance;
  guint64     size;
  guint64     n_bytes_seen; /* main process */
};

G_DEFINE_FINAL_TYPE (BenchBytesWorker, bench_bytes_worker, MPAIO_TYPE_WORKER)

/* Filled once per process, so that `process` itself copies nothing. */
static guint8 *payload;
static gsize   payload_size;

static GVariant *
bench_bytes_worker_process (MpaioWorker      *worker,
                            const MpaioChunk *chunk,
                            GError          **error)
{
  BenchBytesWorker *self = BENCH_BYTES_WORKER (worker);

  if (payload_size < self->size)
    {
      g_free (payload);
      payload = g_malloc (self->size);
      payload_size = self->size;
      for (gsize i = 0; i < payload_size; i++)
        payload[i] = (guint8) (i * 31);
    }

  return g_variant_new_from_data (G_VARIANT_TYPE_BYTESTRING, payload, self->size, TRUE, NULL,
                                  NULL);
}

static void
bench_bytes_worker_process_callback (MpaioWorker      *worker,
                                     const MpaioChunk *chunk,
                                     GVariant         *result)
{
  BenchBytesWorker *self = BENCH_BYTES_WORKER (worker);
  gsize             n;
  const guint8     *bytes = g_variant_get_fixed_array (result, &n, 1);

  if (n != self->size || (n > 0 && (bytes[0] != 0 || bytes[n - 1] != (guint8) ((n - 1) * 31))))
    g_error ("bench-results: a result of %" G_GSIZE_FORMAT " bytes arrived damaged", n);
  self->n_bytes_seen += n;
}

static void
bench_bytes_worker_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  g_value_set_uint64 (value, BENCH_BYTES_WORKER (object)->size);
}

static void
bench_bytes_worker_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  BENCH_BYTES_WORKER (object)->size = g_value_get_uint64 (value);
}

static void
bench_bytes_worker_class_init (BenchBytesWorkerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = bench_bytes_worker_get_property;
  object_class->set_property = bench_bytes_worker_set_property;
  MPAIO_WORKER_CLASS (klass)->process = bench_bytes_worker_process;
  MPAIO_WORKER_CLASS (klass)->process_callback = bench_bytes_worker_process_callback;

  g_object_class_install_property (object_class, 1,
                                   g_param_spec_uint64 ("size", NULL, NULL, 0, G_MAXUINT64, 0,
                                                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
}

static void
bench_bytes_worker_init (BenchBytesWorker *self)
{
}

static gdouble
run_results (MpaioProcessPool *pool,
             guint             n_results,
             guint64           size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioSharedArray) array = NULL;
  g_autoptr(MpaioDataIterator) iterator = NULL;
  g_autoptr(BenchBytesWorker) worker = NULL;
  guint64 n_rows = n_results;
  gdouble seconds;

  array = mpaio_shared_array_new (MPAIO_DTYPE_INT8, &n_rows, 1, &error);
  if (array != NULL)
    iterator = mpaio_data_iterator_new (array, 1, &error);
  if (iterator == NULL)
    g_error ("bench-results: %s", error->message);
  worker = g_object_new (BENCH_TYPE_BYTES_WORKER, "data-iterator", iterator, "size", size, NULL);

  seconds = bench_run_worker (MPAIO_EXECUTOR (pool), MPAIO_WORKER (worker), NULL, &error);
  if (seconds < 0)
    g_error ("bench-results: %s", error->message);
  if (worker->n_bytes_seen != n_results * size)
    g_error ("bench-results: %" G_GUINT64_FORMAT " bytes arrived", worker->n_bytes_seen);

  return seconds;
}

/* memcpy of @n_results × @size bytes into new memory, page faults and all,
 * as a result that arrives in new memory has them (mapped afresh each
 * time: malloc would hand the same warm pages back). */
static gdouble
run_memcpy (guint   n_results,
            guint64 size)
{
  static guint8 *source;
  static gsize   source_size;
  gdouble        start, seconds;
  guint8         sink = 0;

  if (source_size < size)
    {
      g_free (source);
      source = g_malloc (size);
      source_size = size;
      memset (source, 0x5a, size);
    }

  start = bench_now ();
  for (guint i = 0; i < n_results; i++)
    {
      guint8 *copy = mmap (NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

      if (copy == MAP_FAILED)
        g_error ("bench-results: mmap: %s", g_strerror (errno));
      memcpy (copy, source, size);
      sink ^= copy[size - 1];
      munmap (copy, size);
    }
  seconds = bench_now () - start;
  if (sink == 0xff)
    g_printerr ("%u", sink);

  return seconds;
}

typedef struct
{
  guint   n_results;
  guint64 size;
} Case;

static const Case cases[] = {
  { 16, 4 * 1024 * 1024 },
  { 1, 64 * 1024 * 1024 },
  { 64, 128 * 1024 },
  { 4, 16 * 1024 * 1024 },
};

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioProcessPool) pool = NULL;
  g_autoptr(BenchTable) table = NULL;
  g_autofree GPid *pids = NULL;
  gdouble          times[G_N_ELEMENTS (cases)][REPEATS];
  gdouble          memcpy_times[G_N_ELEMENTS (cases)][REPEATS];
  guint            n_pids;

  g_type_ensure (BENCH_TYPE_BYTES_WORKER);
  bench_init (&argc, &argv);

  pool = mpaio_process_pool_new (2, &error);
  if (pool == NULL)
    g_error ("bench-results: %s", error->message);

  for (guint i = 0; i <= REPEATS; i++)
    for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
      {
        gdouble seconds = run_results (pool, cases[c].n_results, cases[c].size);
        gdouble copy_seconds = run_memcpy (cases[c].n_results, cases[c].size);

        if (i > 0)
          {
            times[c][i - 1] = seconds;
            memcpy_times[c][i - 1] = copy_seconds;
          }
      }

  pids = mpaio_process_pool_get_pids (pool, &n_pids);
  g_clear_object (&pool);
  bench_wait_for_exit (pids, n_pids);

  table = bench_table_new ("big results: worker process to main process, 2 workers "
                           "(median of 5 rounds)");
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      gdouble          bytes = (gdouble) cases[c].n_results * cases[c].size;
      gdouble          seconds = bench_median (times[c], REPEATS);
      gdouble          copy_seconds = bench_median (memcpy_times[c], REPEATS);
      g_autofree char *what = g_strdup_printf ("%u results of %" G_GUINT64_FORMAT " KiB",
                                               cases[c].n_results, cases[c].size / 1024);
      g_autofree char *value = g_strdup_printf ("%.1f ms (%.2f GB/s)", seconds * 1e3,
                                                bytes / seconds / 1e9);
      g_autofree char *baseline = g_strdup_printf ("memcpy: %.1f ms (%.2f GB/s)",
                                                   copy_seconds * 1e3,
                                                   bytes / copy_seconds / 1e9);
      g_autofree char *ratio = bench_format_ratio (copy_seconds / seconds);

      if (cases[c].size >= 4 * 1024 * 1024)
        bench_table_add_check (table, what, value, baseline, ratio, "≥ 1 GB/s",
                               bytes / seconds >= 1e9);
      else
        bench_table_add (table, what, value, baseline, ratio, NULL, NULL);
    }
  bench_table_add_note (table, "ratio = memcpy time / time. Results over 4 MiB travel as a "
                               "sealed memfd each, mapped by the main process; smaller ones "
                               "through the socket.");
  bench_table_print (table);

  return EXIT_SUCCESS;
}
