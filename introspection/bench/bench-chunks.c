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

#include <mpaio.h>

#define BENCH_TYPE_EMPTY_WORKER (bench_empty_worker_get_type ())
G_DECLARE_FINAL_TYPE (BenchEmptyWorker, bench_empty_worker, BENCH, EMPTY_WORKER, MpaioWorker)

struct _BenchEmptyWorker
{
  MpaioWorker parent_instance;
  guint64     n_results;
};

G_DEFINE_FINAL_TYPE (BenchEmptyWorker, bench_empty_worker, MPAIO_TYPE_WORKER)

static GVariant *
bench_empty_worker_process (MpaioWorker      *worker,
                            const MpaioChunk *chunk,
                            GError          **error)
{
  return g_variant_new_boolean (TRUE);
}

static void
bench_empty_worker_process_callback (MpaioWorker      *worker,
                                     const MpaioChunk *chunk,
                                     GVariant         *result)
{
  BENCH_EMPTY_WORKER (worker)->n_results++;
}

static void
bench_empty_worker_class_init (BenchEmptyWorkerClass *klass)
{
  MPAIO_WORKER_CLASS (klass)->process = bench_empty_worker_process;
  MPAIO_WORKER_CLASS (klass)->process_callback = bench_empty_worker_process_callback;
}

static void
bench_empty_worker_init (BenchEmptyWorker *self)
{
}

typedef struct
{
  gboolean        done;
  MpaioRunReport *report;
  GError         *error;
} RunState;

static void
run_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  RunState *state = user_data;

  state->report = mpaio_orchestrator_run_finish (MPAIO_ORCHESTRATOR (source), result,
                                                 &state->error);
  state->done = TRUE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioSharedArray) array = NULL;
  g_autoptr(MpaioDataIterator) iterator = NULL;
  g_autoptr(MpaioProcessPool) pool = NULL;
  guint64 n_chunks = argc > 1 ? g_ascii_strtoull (argv[1], NULL, 10) : 20000;
  guint n_workers = argc > 2 ? (guint) g_ascii_strtoull (argv[2], NULL, 10) : 2;

  g_type_ensure (BENCH_TYPE_EMPTY_WORKER);
  mpaio_init (&argc, &argv);

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
      g_autoptr(BenchEmptyWorker) worker = g_object_new (BENCH_TYPE_EMPTY_WORKER,
                                                         "data-iterator", iterator, NULL);
      g_autoptr(MpaioOrchestrator) orchestrator =
        mpaio_orchestrator_new (MPAIO_EXECUTOR (pool), (MpaioWorker **) &worker, 1);
      RunState state = { FALSE, NULL, NULL };
      gdouble seconds;
      gint64 in_process;

      mpaio_orchestrator_run_async (orchestrator, NULL, run_done_cb, &state);
      while (!state.done)
        g_main_context_iteration (NULL, TRUE);
      if (state.report == NULL)
        {
          g_printerr ("bench-chunks: %s\n", state.error->message);
          return EXIT_FAILURE;
        }
      g_assert_cmpuint (worker->n_results, ==, n_chunks);

      seconds = mpaio_run_report_get_wall_time (state.report);
      in_process = 0;
      for (guint i = 0; i < mpaio_run_report_get_n_records (state.report); i++)
        {
          const MpaioChunkRecord *record = mpaio_run_report_get_record (state.report, i);

          in_process += record->finished_us - record->started_us;
        }
      g_print ("C %s: %" G_GUINT64_FORMAT " chunks on %u workers in %.3f s: %.0f chunks/s, "
               "%.1f us/chunk; %.2f us in process per chunk\n",
               round == 0 ? "cold" : "warm", n_chunks, n_workers, seconds, n_chunks / seconds,
               seconds * 1e6 / n_chunks, (gdouble) in_process / n_chunks);
      g_object_unref (state.report);
    }

  return EXIT_SUCCESS;
}
