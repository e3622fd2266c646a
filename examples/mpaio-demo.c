/* mpaio-demo.c: sums integers and concatenates strings in one run
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One shared int64 array holding 1..N, summed by a DemoAddIntWorker, and one
 * array of 100 strings "foo_0".."foo_99", concatenated in index order by a
 * DemoConcatStrWorker, both processed in a single orchestrator run.
 *
 * With --rounds R > 0 each element goes through R rounds of a 64-bit mixing
 * function before it is added, so chunks become CPU-bound; the printed sum is
 * then the sum of the mixed values modulo 2^64, not N(N+1)/2.
 */

#include <stdlib.h>
#include <string.h>

#include <mpaio.h>

#include "demo-add-int-worker.h"
#include "demo-concat-str-worker.h"

#define N_STRINGS        100
#define STRING_ITEM_SIZE 16

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

static MpaioSharedArray *
make_int_array (guint64  n_rows,
                GError **error)
{
  g_autoptr(MpaioSharedArray) array = NULL;
  gint64 *data;

  array = mpaio_shared_array_new (MPAIO_DTYPE_INT64, &n_rows, 1, error);
  if (array == NULL)
    return NULL;

  data = mpaio_shared_array_get_data (array);
  for (guint64 i = 0; i < n_rows; i++)
    data[i] = (gint64) i + 1;

  return g_steal_pointer (&array);
}

static MpaioSharedArray *
make_string_array (GError **error)
{
  g_autoptr(MpaioSharedArray) array = NULL;
  guint64 n_rows = N_STRINGS;

  array = mpaio_shared_array_new_full (MPAIO_DTYPE_STRING, STRING_ITEM_SIZE, &n_rows, 1,
                                       MPAIO_SHARED_ARRAY_FLAGS_NONE, error);
  if (array == NULL)
    return NULL;

  /* New shared memory is zero-filled, so the items are already NUL-padded. */
  for (guint i = 0; i < N_STRINGS; i++)
    g_snprintf (mpaio_shared_array_get_row (array, i), STRING_ITEM_SIZE, "foo_%u", i);

  return g_steal_pointer (&array);
}

/* How many ranks of the MPI job ran chunks, and which hosts. */
static void
print_ranks (MpaioRunReport *report)
{
  g_autoptr(GHashTable) ranks = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) hosts = g_hash_table_new (NULL, NULL);

  for (guint i = 0; i < mpaio_run_report_get_n_records (report); i++)
    {
      const MpaioChunkRecord *record = mpaio_run_report_get_record (report, i);

      g_hash_table_add (ranks, GINT_TO_POINTER (record->rank + 1));
      if (record->host != NULL)
        g_hash_table_add (hosts, (gpointer) record->host);
    }

  g_print ("ranks: %u\n", g_hash_table_size (ranks));
  g_print ("hosts: %u\n", g_hash_table_size (hosts));
}

/* Utilisation per core after the run, in a few lines of text. */
static void
print_cpu_summary (MpaioRunReport *report)
{
  GListModel         *samples = mpaio_run_report_get_cpu_samples (report);
  guint               n_samples = g_list_model_get_n_items (samples);
  g_autofree gdouble *sums = NULL;
  g_autofree gdouble *peaks = NULL;
  gdouble             total_sum = 0, total_peak = 0;
  guint               n_cores = 0;
  const char *const  *names;

  for (guint i = 0; i < n_samples; i++)
    {
      g_autoptr(MpaioCpuSample) sample = g_list_model_get_item (samples, i);
      guint          n_values;
      const gdouble *values = mpaio_cpu_sample_get_values (sample, &n_values);

      if (sums == NULL)
        {
          n_cores = n_values;
          sums = g_new0 (gdouble, n_cores);
          peaks = g_new0 (gdouble, n_cores);
        }

      for (guint core = 0; core < MIN (n_cores, n_values); core++)
        {
          sums[core] += values[core];
          peaks[core] = MAX (peaks[core], values[core]);
        }
      total_sum += mpaio_cpu_sample_get_total (sample);
      total_peak = MAX (total_peak, mpaio_cpu_sample_get_total (sample));
    }

  g_print ("cpu samples: %u\n", n_samples);
  /* A run across hosts names its cores host/core_N. */
  names = mpaio_run_report_get_cpu_core_names (report);
  for (guint core = 0; core < n_cores; core++)
    {
      g_autofree char *name = names != NULL && core < g_strv_length ((char **) names)
                                ? g_strdup (names[core])
                                : g_strdup_printf ("core_%u", core);

      g_print ("cpu %s: mean %.1f %%, peak %.1f %%\n", name, sums[core] / n_samples,
               peaks[core]);
    }
  if (n_samples > 0)
    g_print ("cpu total: mean %.1f %%, peak %.1f %%\n", total_sum / n_samples, total_peak);
}

static gboolean
write_cpu_csv (MpaioRunReport *report,
               const char     *path,
               GError        **error)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);
  g_autoptr(GFileOutputStream) stream = NULL;

  stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION, NULL, error);
  if (stream == NULL)
    return FALSE;

  return mpaio_run_report_write_cpu_csv (report, G_OUTPUT_STREAM (stream), NULL, error)
         && g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, error);
}

static MpaioExecutor *
make_executor (const char *name,
               guint       n_workers,
               gboolean    explicit_workers,
               GError    **error)
{
  if (g_strcmp0 (name, "process") == 0)
    return MPAIO_EXECUTOR (mpaio_process_pool_new (n_workers, error));
  if (g_strcmp0 (name, "thread") == 0)
    return MPAIO_EXECUTOR (mpaio_thread_pool_new (n_workers, error));
  /* Started by mpirun: --workers counts the worker processes of each host. */
  if (g_strcmp0 (name, "mpi") == 0)
    return MPAIO_EXECUTOR (mpaio_mpi_executor_new (explicit_workers ? n_workers : 0, error));

  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "Unknown executor '%s': use 'process', 'thread' or 'mpi'", name);
  return NULL;
}

static gboolean
run_demo (int      argc,
          char   **argv,
          GError **error)
{
  gint               n_workers = 0;
  gint               n_partitions = 0;
  gint64             size = 100000000;
  gint               rounds = 0;
  gboolean           monitor_cpu = FALSE;
  g_autofree char   *csv_path = NULL;
  g_autofree char   *report_path = NULL;
  g_autofree char   *executor_name = NULL;
  const GOptionEntry entries[] = {
    { "workers", 'w', 0, G_OPTION_ARG_INT, &n_workers,
      "Number of worker processes or threads (default: one per core)", "N" },
    { "partitions", 'p', 0, G_OPTION_ARG_INT, &n_partitions,
      "Number of chunks each array is cut into (default: the number of workers)", "P" },
    { "size", 's', 0, G_OPTION_ARG_INT64, &size,
      "Number of integers to sum (default: 100000000)", "N" },
    { "executor", 'e', 0, G_OPTION_ARG_STRING, &executor_name,
      "Where chunks run: 'process' (default), 'thread', or 'mpi' (started by mpirun)", "KIND" },
    { "rounds", 'r', 0, G_OPTION_ARG_INT, &rounds,
      "Rounds of a 64-bit mixing function applied to each integer before summing (default: 0)",
      "R" },
    { "monitor-cpu", 'm', 0, G_OPTION_ARG_NONE, &monitor_cpu,
      "Sample per-core CPU utilisation during the run and print its mean and peak per core",
      NULL },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &csv_path,
      "Write the CPU samples to FILE as CSV (time,core_0,...,total); implies --monitor-cpu",
      "FILE" },
    { "report", 0, 0, G_OPTION_ARG_FILENAME, &report_path,
      "Save the run (every chunk's record and the CPU samples) to FILE.json, which mpaio-monitor "
      "opens; implies --monitor-cpu",
      "FILE.json" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(MpaioSharedArray) int_array = NULL;
  g_autoptr(MpaioSharedArray) string_array = NULL;
  g_autoptr(MpaioDataIterator) int_iter = NULL;
  g_autoptr(MpaioDataIterator) string_iter = NULL;
  g_autoptr(DemoAddIntWorker) add_worker = NULL;
  g_autoptr(DemoConcatStrWorker) concat_worker = NULL;
  g_autoptr(MpaioExecutor) executor = NULL;
  g_autoptr(MpaioOrchestrator) orchestrator = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  MpaioWorker *workers[2];
  RunState     state = { 0 };
  gboolean     explicit_workers;

  context = g_option_context_new ("- sum integers and concatenate strings with mpaio");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, error))
    return FALSE;

  if (n_workers < 0 || n_partitions < 0 || rounds < 0 || size < 1)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--workers, --partitions and --rounds cannot be negative, "
                           "and --size must be at least 1");
      return FALSE;
    }
  explicit_workers = n_workers > 0;
  if (n_workers == 0)
    n_workers = (gint) mpaio_get_n_cores ();

  executor = make_executor (executor_name != NULL ? executor_name : "process", (guint) n_workers,
                            explicit_workers, error);
  if (executor == NULL)
    return FALSE;
  if (MPAIO_IS_MPI_EXECUTOR (executor))
    n_workers = (gint) mpaio_mpi_executor_get_n_workers (MPAIO_MPI_EXECUTOR (executor));
  if (n_partitions == 0)
    n_partitions = n_workers;

  int_array = make_int_array ((guint64) size, error);
  if (int_array == NULL)
    return FALSE;
  string_array = make_string_array (error);
  if (string_array == NULL)
    return FALSE;

  /* The strings array has 100 rows: more partitions than that give one row each. */
  int_iter = mpaio_data_iterator_new_partitioned (int_array, (guint) n_partitions, error);
  if (int_iter == NULL)
    return FALSE;
  string_iter = mpaio_data_iterator_new_partitioned (string_array, (guint) n_partitions, error);
  if (string_iter == NULL)
    return FALSE;

  add_worker = demo_add_int_worker_new (int_iter, (guint) rounds);
  concat_worker = demo_concat_str_worker_new (string_iter);
  workers[0] = MPAIO_WORKER (add_worker);
  workers[1] = MPAIO_WORKER (concat_worker);

  orchestrator = mpaio_orchestrator_new (executor, workers, G_N_ELEMENTS (workers));
  /* Results come back in any order; the strings must be joined in index order. */
  mpaio_orchestrator_set_ordered (orchestrator, TRUE);
  mpaio_orchestrator_set_monitor_cpu_usage (orchestrator,
                                            monitor_cpu || csv_path != NULL || report_path != NULL);

  loop = g_main_loop_new (NULL, FALSE);
  state.loop = loop;
  mpaio_orchestrator_run_async (orchestrator, NULL, run_done_cb, &state);
  g_main_loop_run (loop);

  if (state.report == NULL)
    {
      g_propagate_error (error, state.error);
      return FALSE;
    }

  g_print ("sum: %" G_GUINT64_FORMAT "\n", demo_add_int_worker_get_total (add_worker));
  g_print ("concat: %s\n", demo_concat_str_worker_get_result (concat_worker));
  g_print ("time: %.3f s\n", mpaio_run_report_get_wall_time (state.report));
  g_print ("chunks: %" G_GUINT64_FORMAT "\n", mpaio_orchestrator_get_n_chunks (orchestrator));
  if (MPAIO_IS_MPI_EXECUTOR (executor))
    print_ranks (state.report);

  if (monitor_cpu || csv_path != NULL || report_path != NULL)
    print_cpu_summary (state.report);

  if (csv_path != NULL && !write_cpu_csv (state.report, csv_path, error))
    {
      g_object_unref (state.report);
      return FALSE;
    }

  if (report_path != NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (report_path);

      if (!mpaio_run_report_save_to_file (state.report, file, NULL, error))
        {
          g_object_unref (state.report);
          return FALSE;
        }
    }

  g_object_unref (state.report);
  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;

  /* Worker processes are this program started again: the worker types must
   * be registered before mpaio_init(), which in a worker process serves
   * chunks and never returns. */
  g_type_ensure (DEMO_TYPE_ADD_INT_WORKER);
  g_type_ensure (DEMO_TYPE_CONCAT_STR_WORKER);
  mpaio_init (&argc, &argv);

  if (!run_demo (argc, argv, &error))
    {
      g_printerr ("%s: error: %s\n", g_get_prgname () != NULL ? g_get_prgname () : "mpaio-demo",
                  error->message);
      return EXIT_FAILURE;
    }

  return EXIT_SUCCESS;
}
