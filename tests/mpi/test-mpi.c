/* test-mpi.c: MpaioMpiExecutor across the ranks of a real MPI job
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Started by mpirun with 3 ranks, TCP only and MPAIO_MPI_HOST_PER_RANK=1
 * (tests/mpi/meson.build): three hosts that share nothing but the network.
 * Ranks 1 and 2 serve in mpaio_test_init() and never reach the cases.
 */

#include <string.h>

#include <glib/gstdio.h>
#include <mpaio.h>

#include "mpaio-test-workers.h"

static MpaioMpiExecutor *executor;

/* A worker that reports where it ran: "(tti)" chunk index, the sum of its
 * rows (a counting int64 array), its pid. Delivered chunk indices are kept
 * in order; with `cancellable` set, the first delivery cancels it. */
#define TM_TYPE_WHERE_WORKER (tm_where_worker_get_type ())
G_DECLARE_FINAL_TYPE (TmWhereWorker, tm_where_worker, TM, WHERE_WORKER, MpaioWorker)

struct _TmWhereWorker
{
  MpaioWorker   parent_instance;
  GArray       *delivered; /* guint64 chunk indices, in delivery order */
  gint64        total;
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (TmWhereWorker, tm_where_worker, MPAIO_TYPE_WORKER)

static GVariant *
tm_where_worker_process (MpaioWorker      *worker,
                         const MpaioChunk *chunk,
                         GError          **error)
{
  MpaioSharedArray *array = mpaio_worker_get_array (worker);
  const gint64     *rows = mpaio_shared_array_get_data (array);
  gint64            sum = 0;

  for (guint64 i = chunk->start; i < chunk->end; i++)
    sum += rows[i];

  return g_variant_new ("(txi)", chunk->index, sum, (gint32) getpid ());
}

static void
tm_where_worker_process_callback (MpaioWorker      *worker,
                                  const MpaioChunk *chunk,
                                  GVariant         *result)
{
  TmWhereWorker *self = TM_WHERE_WORKER (worker);
  guint64        index;
  gint64         sum;
  gint32         pid;

  g_variant_get (result, "(txi)", &index, &sum, &pid);
  g_assert_cmpuint (index, ==, chunk->index);
  g_array_append_val (self->delivered, index);
  self->total += sum;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

static void
tm_where_worker_finalize (GObject *object)
{
  TmWhereWorker *self = TM_WHERE_WORKER (object);

  g_array_unref (self->delivered);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (tm_where_worker_parent_class)->finalize (object);
}

static void
tm_where_worker_class_init (TmWhereWorkerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = tm_where_worker_finalize;
  MPAIO_WORKER_CLASS (klass)->process = tm_where_worker_process;
  MPAIO_WORKER_CLASS (klass)->process_callback = tm_where_worker_process_callback;
}

static void
tm_where_worker_init (TmWhereWorker *self)
{
  self->delivered = g_array_new (FALSE, FALSE, sizeof (guint64));
}

/* out[i] = a[i] + 2 b[i] over float64 arrays: `a` is iterated, `b` is a
 * read-only parameter and `out` a writable one. Its callback counts rows of
 * `out` not yet right when the chunk's result is delivered. */
#define TM_TYPE_MAP_WORKER (tm_map_worker_get_type ())
G_DECLARE_FINAL_TYPE (TmMapWorker, tm_map_worker, TM, MAP_WORKER, MpaioWorker)

struct _TmMapWorker
{
  MpaioWorker       parent_instance;
  MpaioSharedArray *b;
  MpaioSharedArray *out;
  guint             n_chunks_seen;
  guint64           n_rows_wrong;
};

G_DEFINE_FINAL_TYPE (TmMapWorker, tm_map_worker, MPAIO_TYPE_WORKER)

enum
{
  MAP_PROP_0,
  MAP_PROP_B,
  MAP_PROP_OUT,
};

static GVariant *
tm_map_worker_process (MpaioWorker      *worker,
                       const MpaioChunk *chunk,
                       GError          **error)
{
  TmMapWorker   *self = TM_MAP_WORKER (worker);
  const gdouble *a = mpaio_shared_array_get_data (mpaio_worker_get_array (worker));
  const gdouble *b = mpaio_shared_array_get_data (self->b);
  gdouble       *out = mpaio_shared_array_get_data (self->out);

  for (guint64 i = chunk->start; i < chunk->end; i++)
    out[i] = a[i] + 2 * b[i];

  return g_variant_new ("()");
}

static void
tm_map_worker_process_callback (MpaioWorker      *worker,
                                const MpaioChunk *chunk,
                                GVariant         *result)
{
  TmMapWorker   *self = TM_MAP_WORKER (worker);
  const gdouble *a = mpaio_shared_array_get_data (mpaio_worker_get_array (worker));
  const gdouble *b = mpaio_shared_array_get_data (self->b);
  const gdouble *out = mpaio_shared_array_get_data (self->out);

  self->n_chunks_seen++;
  for (guint64 i = chunk->start; i < chunk->end; i++)
    if (out[i] != a[i] + 2 * b[i])
      self->n_rows_wrong++;
}

static void
tm_map_worker_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  TmMapWorker *self = TM_MAP_WORKER (object);

  switch (prop_id)
    {
    case MAP_PROP_B:
      g_value_set_object (value, self->b);
      break;
    case MAP_PROP_OUT:
      g_value_set_object (value, self->out);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tm_map_worker_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  TmMapWorker *self = TM_MAP_WORKER (object);

  switch (prop_id)
    {
    case MAP_PROP_B:
      g_set_object (&self->b, g_value_get_object (value));
      break;
    case MAP_PROP_OUT:
      g_set_object (&self->out, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tm_map_worker_dispose (GObject *object)
{
  TmMapWorker *self = TM_MAP_WORKER (object);

  g_clear_object (&self->b);
  g_clear_object (&self->out);
  G_OBJECT_CLASS (tm_map_worker_parent_class)->dispose (object);
}

static void
tm_map_worker_class_init (TmMapWorkerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tm_map_worker_dispose;
  object_class->get_property = tm_map_worker_get_property;
  object_class->set_property = tm_map_worker_set_property;
  MPAIO_WORKER_CLASS (klass)->process = tm_map_worker_process;
  MPAIO_WORKER_CLASS (klass)->process_callback = tm_map_worker_process_callback;

  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;

  g_object_class_install_property (object_class, MAP_PROP_B,
                                   g_param_spec_object ("b", NULL, NULL, MPAIO_TYPE_SHARED_ARRAY,
                                                        flags));
  g_object_class_install_property (object_class, MAP_PROP_OUT,
                                   g_param_spec_object ("out", NULL, NULL, MPAIO_TYPE_SHARED_ARRAY,
                                                        flags));
}

static void
tm_map_worker_init (TmMapWorker *self)
{
}

static TmWhereWorker *
new_where_worker (MpaioSharedArray *array,
                  guint             n_chunks)
{
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (array, n_chunks);

  return g_object_new (TM_TYPE_WHERE_WORKER, "data-iterator", iterator, NULL);
}

static MpaioRunReport *
run_one (MpaioWorker  *worker,
         gboolean      ordered,
         GCancellable *cancellable,
         GError      **error)
{
  g_autoptr(MpaioOrchestrator) orchestrator = NULL;

  orchestrator = mpaio_orchestrator_new (MPAIO_EXECUTOR (executor), &worker, 1);
  mpaio_orchestrator_set_ordered (orchestrator, ordered);
  return mpaio_test_run (orchestrator, cancellable, error);
}

/* The number of distinct ranks among the records of @report. */
static guint
count_ranks (MpaioRunReport *report)
{
  g_autoptr(GHashTable) ranks = g_hash_table_new (NULL, NULL);

  for (guint i = 0; i < mpaio_run_report_get_n_records (report); i++)
    g_hash_table_add (ranks,
                      GINT_TO_POINTER (mpaio_run_report_get_record (report, i)->rank + 1));

  return g_hash_table_size (ranks);
}

static void
test_hosts (void)
{
  g_auto(GStrv) hosts = mpaio_mpi_executor_get_hosts (executor);

  g_assert_cmpuint (mpaio_mpi_executor_get_n_ranks (executor), ==, 3);
  /* MPAIO_MPI_HOST_PER_RANK=1: every rank is a host, rank 0's first. */
  g_assert_cmpuint (mpaio_mpi_executor_get_n_hosts (executor), ==, 3);
  g_assert_cmpuint (g_strv_length (hosts), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *suffix = g_strdup_printf ("-rank%u", i);

      g_assert_true (g_str_has_suffix (hosts[i], suffix));
    }
  g_assert_cmpuint (mpaio_mpi_executor_get_n_workers (executor), >=, 3);
}

static void
test_sum_on_every_rank (void)
{
  const guint64 n_rows = 100000;
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (n_rows);
  g_autoptr(TmWhereWorker) worker = new_where_worker (array, 64);
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) hosts = mpaio_mpi_executor_get_hosts (executor);

  report = run_one (MPAIO_WORKER (worker), FALSE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (worker->total, ==, (gint64) (n_rows * (n_rows + 1) / 2));
  g_assert_cmpuint (worker->delivered->len, ==, 64);
  g_assert_cmpuint (mpaio_run_report_get_n_records (report), ==, 64);
  g_assert_cmpuint (count_ranks (report), ==, 3);

  /* Each record names the host and rank that ran it, and its times are
   * in order on rank 0's clock. */
  for (guint i = 0; i < mpaio_run_report_get_n_records (report); i++)
    {
      const MpaioChunkRecord *record = mpaio_run_report_get_record (report, i);

      g_assert_nonnull (record->host);
      g_assert_cmpint (record->rank, >=, 0);
      g_assert_cmpint (record->rank, <, 3);
      g_assert_cmpstr (record->host, ==, hosts[record->rank]);
      g_assert_cmpint (record->pid, >, 0);
      g_assert_cmpint (record->sent_us, <=, record->started_us);
      g_assert_cmpint (record->started_us, <=, record->finished_us);
      g_assert_cmpint (record->finished_us, <=, record->returned_us);
    }
}

static void
test_ordered (void)
{
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (50000);
  g_autoptr(TmWhereWorker) worker = new_where_worker (array, 200);
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GError) error = NULL;

  report = run_one (MPAIO_WORKER (worker), TRUE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (worker->delivered->len, ==, 200);
  for (guint i = 0; i < worker->delivered->len; i++)
    g_assert_cmpuint (g_array_index (worker->delivered, guint64, i), ==, i);
  g_assert_cmpuint (count_ranks (report), ==, 3);
}

static MpaioSharedArray *
new_float64_array (guint64               n_rows,
                   MpaioSharedArrayFlags flags,
                   gdouble               first,
                   gdouble               step)
{
  g_autoptr(GError) error = NULL;
  MpaioSharedArray *array;
  gdouble          *values;

  array = mpaio_shared_array_new_full (MPAIO_DTYPE_FLOAT64, 8, &n_rows, 1, flags, &error);
  g_assert_no_error (error);
  values = mpaio_shared_array_get_data (array);
  for (guint64 i = 0; i < n_rows; i++)
    values[i] = first + step * (gdouble) i;

  return array;
}

static void
test_arrays_and_output (void)
{
  const guint64 n_rows = 100003;
  g_autoptr(MpaioSharedArray) a = new_float64_array (n_rows, 0, 1.0, 0.5);
  g_autoptr(MpaioSharedArray) b = new_float64_array (n_rows, 0, -3.0, 0.25);
  g_autoptr(MpaioSharedArray) out =
               new_float64_array (n_rows, MPAIO_SHARED_ARRAY_FLAGS_WRITABLE, 0.0, 0.0);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (a, 24);
  g_autoptr(TmMapWorker) worker = g_object_new (TM_TYPE_MAP_WORKER, "data-iterator", iterator,
                                                 "b", b, "out", out, NULL);

  for (guint round = 0; round < 2; round++)
    {
      g_autoptr(MpaioRunReport) report = NULL;
      g_autoptr(GError) error = NULL;
      const gdouble *values;

      memset (mpaio_shared_array_get_data (out), 0, mpaio_shared_array_get_size (out));
      worker->n_chunks_seen = 0;

      report = run_one (MPAIO_WORKER (worker), FALSE, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (worker->n_chunks_seen, ==, 24);
      g_assert_cmpuint (count_ranks (report), ==, 3);
      /* Rows written on other hosts were back by each chunk's callback... */
      g_assert_cmpuint (worker->n_rows_wrong, ==, 0);
      /* ...and all of them. */
      values = mpaio_shared_array_get_data (out);
      for (guint64 i = 0; i < n_rows; i++)
        g_assert_cmpfloat (values[i], ==, (1.0 + 0.5 * i) + 2 * (-3.0 + 0.25 * i));
    }
}

static void
test_second_run_sends_no_rows (void)
{
  const guint64 n_rows = 200000;
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (n_rows);
  g_autoptr(TmWhereWorker) worker = new_where_worker (array, 32);
  guint64 before, after_first, after_second;

  before = mpaio_mpi_executor_get_bytes_sent (executor);
  for (guint round = 0; round < 2; round++)
    {
      g_autoptr(MpaioRunReport) report = NULL;
      g_autoptr(GError) error = NULL;

      worker->total = 0;
      report = run_one (MPAIO_WORKER (worker), FALSE, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (worker->total, ==, (gint64) (n_rows * (n_rows + 1) / 2));
      if (round == 0)
        after_first = mpaio_mpi_executor_get_bytes_sent (executor);
    }
  after_second = mpaio_mpi_executor_get_bytes_sent (executor);

  /* The other hosts got rows once, at most each row once... */
  g_assert_cmpuint (after_first, >, before);
  g_assert_cmpuint (after_first - before, <=, n_rows * sizeof (gint64));
  /* ...and nothing the second time. */
  g_assert_cmpuint (after_second, ==, after_first);
}

static void
test_cancel (void)
{
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (100000);
  g_autoptr(TmWhereWorker) worker = new_where_worker (array, 2000);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GError) error = NULL;

  worker->cancellable = g_object_ref (cancellable);
  report = run_one (MPAIO_WORKER (worker), FALSE, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (report);
  g_assert_cmpuint (worker->delivered->len, >=, 1);
  g_assert_cmpuint (worker->delivered->len, <, 2000);
  g_clear_object (&worker->cancellable);

  /* The executor runs the next run whole. */
  g_array_set_size (worker->delivered, 0);
  g_clear_error (&error);
  report = run_one (MPAIO_WORKER (worker), FALSE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (worker->delivered->len, ==, 2000);
}

/* A worker process that dies on a chunk fails the run as locally, on
 * whichever host it ran; with retries the chunk runs again and succeeds. */
static void
test_worker_crash (void)
{
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (30000);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (array, 30);
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioRunReport) report = NULL;
  g_autofree char *marker_dir = NULL;
  g_autoptr(MpaioTestFaultWorker) crashing = NULL;
  g_autoptr(MpaioTestFaultWorker) retried = NULL;

  for (gint index = 0; index < 30; index += 11)
    {
      g_clear_object (&crashing);
      g_clear_error (&error);
      g_clear_object (&report);
      crashing = mpaio_test_fault_worker_new (iterator, MPAIO_TEST_CRASH_SIGKILL, index);
      report = run_one (MPAIO_WORKER (crashing), FALSE, NULL, &error);
      g_assert_error (error, MPAIO_ERROR, MPAIO_ERROR_WORKER_CRASHED);
      g_assert_null (report);
    }

  /* Each chunk dies once, then runs again. */
  g_clear_error (&error);
  g_clear_object (&report);
  marker_dir = g_dir_make_tmp ("mpaio-mpi-XXXXXX", &error);
  g_assert_no_error (error);
  retried = mpaio_test_fault_worker_new (iterator, MPAIO_TEST_CRASH_SIGKILL, 7);
  g_object_set (retried, "marker-dir", marker_dir, "crash-times", 1, NULL);
  mpaio_mpi_executor_set_max_retries (executor, 1);
  report = run_one (MPAIO_WORKER (retried), FALSE, NULL, &error);
  mpaio_mpi_executor_set_max_retries (executor, 0);
  g_assert_no_error (error);
  g_assert_cmpuint (mpaio_test_fault_worker_get_results (retried)->len, ==, 30);

  {
    g_autoptr(GDir) dir = g_dir_open (marker_dir, 0, NULL);
    const char *name;

    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (marker_dir, name, NULL);

        g_unlink (path);
      }
    g_rmdir (marker_dir);
  }
}

static void
test_report_file (void)
{
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (10000);
  g_autoptr(TmWhereWorker) worker = new_where_worker (array, 30);
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(MpaioRunReport) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileIOStream) stream = NULL;
  g_autoptr(GFile) file = g_file_new_tmp ("mpaio-mpi-XXXXXX.json", &stream, &error);

  g_assert_no_error (error);
  report = run_one (MPAIO_WORKER (worker), FALSE, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (mpaio_run_report_save_to_file (report, file, NULL, &error));
  g_assert_no_error (error);
  loaded = mpaio_run_report_new_from_file (file, NULL, &error);
  g_assert_no_error (error);
  g_file_delete (file, NULL, NULL);

  g_assert_cmpuint (mpaio_run_report_get_n_records (loaded), ==, 30);
  for (guint i = 0; i < 30; i++)
    {
      const MpaioChunkRecord *saved = mpaio_run_report_get_record (report, i);
      const MpaioChunkRecord *read = mpaio_run_report_get_record (loaded, i);

      g_assert_cmpstr (read->host, ==, saved->host);
      g_assert_cmpint (read->rank, ==, saved->rank);
    }
}

/* Every host samples its CPU during a monitored run: the report's samples
 * have a column per core of each host, named host/core_N, and each host's
 * columns show it working on its spinning chunks. */
static void
test_cpu_samples_of_every_host (void)
{
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (3000);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (array, 30);
  g_autoptr(MpaioTestFaultWorker) worker = NULL;
  g_autoptr(MpaioOrchestrator) orchestrator = NULL;
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GOutputStream) csv = g_memory_output_stream_new_resizable ();
  g_auto(GStrv) hosts = mpaio_mpi_executor_get_hosts (executor);
  g_autofree char   *header = NULL;
  const char *const *names;
  GListModel        *samples;
  MpaioWorker       *workers[1];

  worker = mpaio_test_fault_worker_new (iterator, MPAIO_TEST_CRASH_SIGKILL, -1);
  g_object_set (worker, "spin-us", 20000, NULL);
  workers[0] = MPAIO_WORKER (worker);
  orchestrator = mpaio_orchestrator_new (MPAIO_EXECUTOR (executor), workers, 1);
  mpaio_orchestrator_set_monitor_cpu_usage (orchestrator, TRUE);
  mpaio_orchestrator_set_cpu_interval (orchestrator, 20);
  report = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_ranks (report), ==, 3);

  names = mpaio_run_report_get_cpu_core_names (report);
  g_assert_nonnull (names);
  samples = mpaio_run_report_get_cpu_samples (report);
  g_assert_cmpuint (g_list_model_get_n_items (samples), >, 0);

  for (guint h = 0; h < 3; h++)
    {
      g_autofree char *prefix = g_strdup_printf ("%s/core_", hosts[h]);
      gboolean         named = FALSE, busy = FALSE;

      for (guint c = 0; names[c] != NULL; c++)
        {
          if (!g_str_has_prefix (names[c], prefix))
            continue;
          named = TRUE;
          for (guint i = 0; i < g_list_model_get_n_items (samples); i++)
            {
              g_autoptr(MpaioCpuSample) sample = g_list_model_get_item (samples, i);

              if (mpaio_cpu_sample_get_value (sample, c) > 0)
                busy = TRUE;
            }
        }
      g_assert_true (named);
      g_assert_true (busy);
    }

  /* The CSV names the columns the same way. */
  g_assert_true (mpaio_run_report_write_cpu_csv (report, csv, NULL, &error));
  g_assert_no_error (error);
  g_output_stream_write (csv, "", 1, NULL, NULL);
  header = g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (csv)),
                      strcspn (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (csv)),
                               "\n"));
  for (guint h = 0; h < 3; h++)
    {
      g_autofree char *column = g_strdup_printf (",%s/core_0,", hosts[h]);

      g_assert_nonnull (strstr (header, column));
    }
}

/* An executor made after another was dropped starts from nothing on
 * every host (their pools and replicas went with the first) and runs the
 * same work to the same results, shipping the rows again. */
static void
test_made_again (void)
{
  const guint64 n_rows = 50000;
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (n_rows);
  g_autoptr(TmWhereWorker) worker = new_where_worker (array, 30);
  g_autoptr(GError) error = NULL;
  guint64 before;

  for (guint round = 0; round < 2; round++)
    {
      g_autoptr(MpaioRunReport) report = NULL;

      if (round == 1)
        {
          g_object_add_weak_pointer (G_OBJECT (executor), (gpointer *) &executor);
          g_object_unref (executor);
          g_assert_null (executor);
          executor = mpaio_mpi_executor_new (1, &error);
          g_assert_no_error (error);
        }
      before = mpaio_mpi_executor_get_bytes_sent (executor);
      worker->total = 0;
      report = run_one (MPAIO_WORKER (worker), FALSE, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (worker->total, ==, (gint64) (n_rows * (n_rows + 1) / 2));
      g_assert_cmpuint (count_ranks (report), ==, 3);
      /* Rows travel in both rounds: the second executor's hosts hold none. */
      g_assert_cmpuint (mpaio_mpi_executor_get_bytes_sent (executor), >, before);
    }
}

static void
test_one_at_a_time (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioMpiExecutor) second = mpaio_mpi_executor_new (0, &error);

  g_assert_null (second);
  g_assert_error (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_type_ensure (TM_TYPE_WHERE_WORKER);
  g_type_ensure (TM_TYPE_MAP_WORKER);
  mpaio_test_ensure_fault_workers ();
  /* Ranks other than 0 serve here until rank 0 ends the job. */
  mpaio_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  executor = mpaio_mpi_executor_new (1, &error);
  g_assert_no_error (error);

  g_test_add_func ("/mpi/hosts", test_hosts);
  g_test_add_func ("/mpi/sum-on-every-rank", test_sum_on_every_rank);
  g_test_add_func ("/mpi/ordered", test_ordered);
  g_test_add_func ("/mpi/arrays-and-output", test_arrays_and_output);
  g_test_add_func ("/mpi/second-run-sends-no-rows", test_second_run_sends_no_rows);
  g_test_add_func ("/mpi/cancel", test_cancel);
  g_test_add_func ("/mpi/worker-crash", test_worker_crash);
  g_test_add_func ("/mpi/report-file", test_report_file);
  g_test_add_func ("/mpi/cpu-samples-of-every-host", test_cpu_samples_of_every_host);
  g_test_add_func ("/mpi/made-again", test_made_again);
  g_test_add_func ("/mpi/one-at-a-time", test_one_at_a_time);

  status = g_test_run ();

  /* Nothing holds the executor once its runs are over. */
  g_object_add_weak_pointer (G_OBJECT (executor), (gpointer *) &executor);
  g_object_unref (executor);
  g_assert_null (executor);
  return status;
}
