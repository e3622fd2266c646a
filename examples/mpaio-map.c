/* mpaio-map.c: a map, y = sqrt (x), computed by worker processes into an output array
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   mpaio-map [--size N] [--chunks C] [--workers W] [--runs R] [--executor process|thread]
 *
 * x holds 0, 1, ..., N - 1 as float64; y is a second float64 array, created
 * writable. The worker (examples/demo-sqrt-worker.c) gets x as its data
 * iterator's array and y as a parameter, like any other property; each
 * worker process maps both once (x read-only, y writable) and writes its
 * chunks' rows of y. When the run is over, y is complete in this process:
 * nothing but a row count came back through the pool.
 *
 * The program prints y's sum, a few of its values and each run's time; the
 * runs after the first reuse the pool and the arrays, and so the pages each
 * worker process already mapped.
 */

#include <stdlib.h>

#include <mpaio.h>

#include "demo-sqrt-worker.h"

typedef struct
{
  GMainLoop      *loop;
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
  g_main_loop_quit (state->loop);
}

static MpaioExecutor *
make_executor (const char *name,
               guint       n_workers,
               GError    **error)
{
  if (g_strcmp0 (name, "process") == 0)
    return MPAIO_EXECUTOR (mpaio_process_pool_new (n_workers, error));
  if (g_strcmp0 (name, "thread") == 0)
    return MPAIO_EXECUTOR (mpaio_thread_pool_new (n_workers, error));

  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "Unknown executor '%s': use 'process' or 'thread'", name);
  return NULL;
}

static gboolean
run_map (int      argc,
         char   **argv,
         GError **error)
{
  gint64             size = 5000000;
  gint               n_chunks = 16;
  gint               n_workers = 0;
  gint               n_runs = 2;
  g_autofree char   *executor_name = NULL;
  const GOptionEntry entries[] = {
    { "size", 's', 0, G_OPTION_ARG_INT64, &size, "Rows of x and y (default: 5000000)", "N" },
    { "chunks", 'c', 0, G_OPTION_ARG_INT, &n_chunks, "Chunks per run (default: 16)", "C" },
    { "workers", 'w', 0, G_OPTION_ARG_INT, &n_workers,
      "Number of worker processes or threads (default: one per core)", "W" },
    { "runs", 'r', 0, G_OPTION_ARG_INT, &n_runs, "Runs over the same arrays (default: 2)", "R" },
    { "executor", 'e', 0, G_OPTION_ARG_STRING, &executor_name,
      "Where chunks run: 'process' (default) or 'thread'", "KIND" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(MpaioSharedArray) x = NULL;
  g_autoptr(MpaioSharedArray) y = NULL;
  g_autoptr(MpaioDataIterator) iterator = NULL;
  g_autoptr(DemoSqrtWorker) worker = NULL;
  g_autoptr(MpaioExecutor) executor = NULL;
  g_autoptr(MpaioOrchestrator) orchestrator = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  MpaioWorker   *workers[1];
  guint64        n_rows;
  const gdouble *values;
  gdouble       *input;
  gdouble        sum = 0;

  context = g_option_context_new ("- compute y = sqrt (x) on worker processes with mpaio");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, error))
    return FALSE;

  if (size < 1 || n_chunks < 1 || n_workers < 0 || n_runs < 1)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--size, --chunks and --runs must be at least 1, --workers not "
                           "negative");
      return FALSE;
    }

  executor = make_executor (executor_name != NULL ? executor_name : "process", (guint) n_workers,
                            error);
  if (executor == NULL)
    return FALSE;

  n_rows = (guint64) size;
  x = mpaio_shared_array_new (MPAIO_DTYPE_FLOAT64, &n_rows, 1, error);
  if (x == NULL)
    return FALSE;
  /* The output: worker processes map an array writable only when it was
   * created so. */
  y = mpaio_shared_array_new_full (MPAIO_DTYPE_FLOAT64, sizeof (gdouble), &n_rows, 1,
                                   MPAIO_SHARED_ARRAY_FLAGS_WRITABLE, error);
  if (y == NULL)
    return FALSE;

  input = mpaio_shared_array_get_data (x);
  for (guint64 i = 0; i < n_rows; i++)
    input[i] = (gdouble) i;

  iterator = mpaio_data_iterator_new_partitioned (x, (guint) n_chunks, error);
  if (iterator == NULL)
    return FALSE;
  worker = demo_sqrt_worker_new (iterator, y);
  workers[0] = MPAIO_WORKER (worker);
  orchestrator = mpaio_orchestrator_new (executor, workers, G_N_ELEMENTS (workers));
  loop = g_main_loop_new (NULL, FALSE);

  for (gint run = 0; run < n_runs; run++)
    {
      RunState state = { loop, NULL, NULL };

      mpaio_orchestrator_run_async (orchestrator, NULL, run_done_cb, &state);
      g_main_loop_run (loop);
      if (state.report == NULL)
        {
          g_propagate_error (error, state.error);
          return FALSE;
        }
      g_print ("run %d: %.3f ms\n", run + 1, mpaio_run_report_get_wall_time (state.report) * 1e3);
      g_object_unref (state.report);
    }

  values = mpaio_shared_array_get_data (y);
  for (guint64 i = 0; i < n_rows; i++)
    sum += values[i];

  g_print ("rows: %" G_GUINT64_FORMAT "\n", n_rows);
  g_print ("chunks: %" G_GUINT64_FORMAT "\n", mpaio_orchestrator_get_n_chunks (orchestrator));
  g_print ("sum: %.17g\n", sum);
  for (guint64 i = 0; i < n_rows; i += MAX (1, n_rows / 7))
    g_print ("y[%" G_GUINT64_FORMAT "]: %.17g\n", i, values[i]);
  g_print ("y[%" G_GUINT64_FORMAT "]: %.17g\n", n_rows - 1, values[n_rows - 1]);

  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;

  /* In a worker process this serves chunks and never returns. */
  g_type_ensure (DEMO_TYPE_SQRT_WORKER);
  mpaio_init (&argc, &argv);

  if (!run_map (argc, argv, &error))
    {
      g_printerr ("%s: error: %s\n", g_get_prgname () != NULL ? g_get_prgname () : "mpaio-map",
                  error->message);
      return EXIT_FAILURE;
    }

  return EXIT_SUCCESS;
}
