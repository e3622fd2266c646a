/* sdk-demo.c: a program built against the installed mpaio SDK
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Built out of tree with `pkg-config --cflags --libs mpaio-1` by
 * test-sdk-install.sh: one worker that sums an int64 array and notes which
 * processes ran it, an orchestrator, and a pool of worker processes.
 *
 *   sdk-demo [N_ROWS]     prints "sum: N(N+1)/2" and "processes: K"
 */

#include <stdlib.h>
#include <unistd.h>

#include <mpaio.h>

#define SDK_TYPE_SUM_WORKER (sdk_sum_worker_get_type ())
G_DECLARE_FINAL_TYPE (SdkSumWorker, sdk_sum_worker, SDK, SUM_WORKER, MpaioWorker)

struct _SdkSumWorker
{
  MpaioWorker parent_instance;
  gint64      total;
  GHashTable *pids;
};

G_DEFINE_FINAL_TYPE (SdkSumWorker, sdk_sum_worker, MPAIO_TYPE_WORKER)

/* Runs in a worker process: (sum of the chunk's rows, pid). */
static GVariant *
sdk_sum_worker_process (MpaioWorker      *worker,
                        const MpaioChunk *chunk,
                        GError          **error)
{
  MpaioSharedArray *array = mpaio_worker_get_array (worker);
  const gint64     *rows = mpaio_shared_array_get_row (array, chunk->start);
  gint64            sum = 0;

  for (guint64 i = 0; i < mpaio_chunk_get_n_rows (chunk); i++)
    sum += rows[i];

  return g_variant_new ("(xi)", sum, (gint32) getpid ());
}

/* Runs in the main process. */
static void
sdk_sum_worker_process_callback (MpaioWorker      *worker,
                                 const MpaioChunk *chunk,
                                 GVariant         *result)
{
  SdkSumWorker *self = SDK_SUM_WORKER (worker);
  gint64        sum;
  gint32        pid;

  g_variant_get (result, "(xi)", &sum, &pid);
  self->total += sum;
  g_hash_table_add (self->pids, GINT_TO_POINTER (pid));
}

static void
sdk_sum_worker_finalize (GObject *object)
{
  g_hash_table_unref (SDK_SUM_WORKER (object)->pids);
  G_OBJECT_CLASS (sdk_sum_worker_parent_class)->finalize (object);
}

static void
sdk_sum_worker_class_init (SdkSumWorkerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sdk_sum_worker_finalize;
  MPAIO_WORKER_CLASS (klass)->process = sdk_sum_worker_process;
  MPAIO_WORKER_CLASS (klass)->process_callback = sdk_sum_worker_process_callback;
}

static void
sdk_sum_worker_init (SdkSumWorker *self)
{
  self->pids = g_hash_table_new (NULL, NULL);
}

typedef struct
{
  gboolean        done;
  MpaioRunReport *report;
} RunState;

static void
run_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  RunState *state = user_data;
  g_autoptr(GError) error = NULL;

  state->report = mpaio_orchestrator_run_finish (MPAIO_ORCHESTRATOR (source), result, &error);
  if (state->report == NULL)
    g_printerr ("sdk-demo: %s\n", error->message);
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
  g_autoptr(SdkSumWorker) worker = NULL;
  g_autoptr(MpaioOrchestrator) orchestrator = NULL;
  RunState state = { FALSE, NULL };
  guint64  n_rows = argc > 1 ? g_ascii_strtoull (argv[1], NULL, 10) : 1000000;
  gint64  *data;

  /* Worker processes are this program started again. */
  g_type_ensure (SDK_TYPE_SUM_WORKER);
  mpaio_init (&argc, &argv);

  array = mpaio_shared_array_new (MPAIO_DTYPE_INT64, &n_rows, 1, &error);
  if (array == NULL)
    goto fail;
  data = mpaio_shared_array_get_data (array);
  for (guint64 i = 0; i < n_rows; i++)
    data[i] = (gint64) i + 1;

  iterator = mpaio_data_iterator_new_partitioned (array, 8, &error);
  pool = iterator ? mpaio_process_pool_new (2, &error) : NULL;
  if (pool == NULL)
    goto fail;

  worker = g_object_new (SDK_TYPE_SUM_WORKER, "data-iterator", iterator, NULL);
  orchestrator = mpaio_orchestrator_new (MPAIO_EXECUTOR (pool), (MpaioWorker **) &worker, 1);
  mpaio_orchestrator_run_async (orchestrator, NULL, run_done_cb, &state);
  while (!state.done)
    g_main_context_iteration (NULL, TRUE);
  if (state.report == NULL)
    return EXIT_FAILURE;

  g_print ("sum: %" G_GINT64_FORMAT "\n", worker->total);
  g_print ("processes: %u\n", g_hash_table_size (worker->pids));
  g_print ("main process in them: %s\n",
           g_hash_table_contains (worker->pids, GINT_TO_POINTER (getpid ())) ? "yes" : "no");
  g_object_unref (state.report);
  return EXIT_SUCCESS;

fail:
  g_printerr ("sdk-demo: %s\n", error->message);
  return EXIT_FAILURE;
}
