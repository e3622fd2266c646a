/* test-orchestrator.c: MpaioOrchestrator on the process pool and the thread pool
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "mpaio-test-workers.h"

/* Every test runs on both executors, with two workers (processes or
 * threads) each, so chunks really are processed side by side. */

static gboolean
is_process_pool (gconstpointer data)
{
  return GPOINTER_TO_INT (data) == MPAIO_TEST_EXECUTOR_PROCESS_POOL;
}

/* A worker that sums its chunk of an int64 array, is slow on one chunk of
 * its choice, and in the main process keeps the chunks delivered to it in
 * delivery order and calls a hook from process_callback.
 *
 * Worker processes do not register it before mpaio_init(): they find it by
 * its exported get_type function (test programs are linked with
 * --export-dynamic), the fallback the design provides for C types. */

typedef void (*ProbeHook) (MpaioWorker      *worker,
                           const MpaioChunk *chunk,
                           gpointer          user_data);

#define ORCH_TYPE_PROBE_WORKER (orch_probe_worker_get_type ())
G_DECLARE_FINAL_TYPE (OrchProbeWorker, orch_probe_worker, ORCH, PROBE_WORKER, MpaioWorker)

struct _OrchProbeWorker
{
  MpaioWorker parent_instance;

  gint  slow_index;
  guint slow_us;

  GArray   *delivered; /* MpaioChunk */
  gint64    total;
  ProbeHook hook;
  gpointer  hook_data;
};

G_DEFINE_FINAL_TYPE (OrchProbeWorker, orch_probe_worker, MPAIO_TYPE_WORKER)

/* How many chunks `process` has finished in this process: with the thread
 * pool, the test can wait for chunks to be done before the main context
 * runs. */
static GMutex n_processed_lock;
static GCond  n_processed_cond;
static guint  n_processed;

enum
{
  PROBE_PROP_0,
  PROBE_PROP_SLOW_INDEX,
  PROBE_PROP_SLOW_US
};

static GVariant *
orch_probe_worker_process (MpaioWorker      *worker,
                           const MpaioChunk *chunk,
                           GError          **error)
{
  OrchProbeWorker *self = ORCH_PROBE_WORKER (worker);
  const gint64    *rows = mpaio_shared_array_get_data (mpaio_worker_get_array (worker));
  gint64           sum = 0;

  if (self->slow_index >= 0 && chunk->index == (guint64) self->slow_index)
    {
      gint64 until = g_get_monotonic_time () + self->slow_us;

      /* Busy rather than asleep: the chunk must hold its worker. */
      while (g_get_monotonic_time () < until)
        ;
    }

  for (guint64 i = chunk->start; i < chunk->end; i++)
    sum += rows[i];

  g_mutex_lock (&n_processed_lock);
  n_processed++;
  g_cond_broadcast (&n_processed_cond);
  g_mutex_unlock (&n_processed_lock);

  return g_variant_new ("(tx)", chunk->index, sum);
}

static void
reset_n_processed (void)
{
  g_mutex_lock (&n_processed_lock);
  n_processed = 0;
  g_mutex_unlock (&n_processed_lock);
}

/* Thread synchronisation, not a main-loop wait: the results of these chunks
 * reach the main context only when it runs. */
static void
wait_n_processed (guint n)
{
  g_mutex_lock (&n_processed_lock);
  while (n_processed < n)
    g_cond_wait (&n_processed_cond, &n_processed_lock);
  g_mutex_unlock (&n_processed_lock);
}

static void
orch_probe_worker_process_callback (MpaioWorker      *worker,
                                    const MpaioChunk *chunk,
                                    GVariant         *result)
{
  OrchProbeWorker *self = ORCH_PROBE_WORKER (worker);
  guint64          index;
  gint64           sum;

  g_variant_get (result, "(tx)", &index, &sum);
  g_assert_cmpuint (index, ==, chunk->index);

  g_array_append_val (self->delivered, *chunk);
  self->total += sum;

  if (self->hook != NULL)
    self->hook (worker, chunk, self->hook_data);
}

static void
orch_probe_worker_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  OrchProbeWorker *self = ORCH_PROBE_WORKER (object);

  switch (prop_id)
    {
    case PROBE_PROP_SLOW_INDEX:
      g_value_set_int (value, self->slow_index);
      break;
    case PROBE_PROP_SLOW_US:
      g_value_set_uint (value, self->slow_us);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
orch_probe_worker_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  OrchProbeWorker *self = ORCH_PROBE_WORKER (object);

  switch (prop_id)
    {
    case PROBE_PROP_SLOW_INDEX:
      self->slow_index = g_value_get_int (value);
      break;
    case PROBE_PROP_SLOW_US:
      self->slow_us = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
orch_probe_worker_finalize (GObject *object)
{
  g_array_unref (ORCH_PROBE_WORKER (object)->delivered);
  G_OBJECT_CLASS (orch_probe_worker_parent_class)->finalize (object);
}

static void
orch_probe_worker_class_init (OrchProbeWorkerClass *klass)
{
  GObjectClass     *object_class = G_OBJECT_CLASS (klass);
  MpaioWorkerClass *worker_class = MPAIO_WORKER_CLASS (klass);

  object_class->get_property = orch_probe_worker_get_property;
  object_class->set_property = orch_probe_worker_set_property;
  object_class->finalize = orch_probe_worker_finalize;
  worker_class->process = orch_probe_worker_process;
  worker_class->process_callback = orch_probe_worker_process_callback;

  g_object_class_install_property (object_class, PROBE_PROP_SLOW_INDEX,
                                   g_param_spec_int ("slow-index", NULL, NULL, -1, G_MAXINT, -1,
                                                     G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (object_class, PROBE_PROP_SLOW_US,
                                   g_param_spec_uint ("slow-us", NULL, NULL, 0, G_MAXUINT, 0,
                                                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
}

static void
orch_probe_worker_init (OrchProbeWorker *self)
{
  self->slow_index = -1;
  self->delivered = g_array_new (FALSE, FALSE, sizeof (MpaioChunk));
}

/* Helpers */

static gint64
sum_1_to (guint64 n)
{
  return (gint64) (n * (n + 1) / 2);
}

/* A counting array of @n_rows rows cut into chunks of @chunk_size rows. */
static MpaioDataIterator *
new_chunked_iterator (guint64 n_rows,
                      guint64 chunk_size)
{
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (n_rows);

  return mpaio_test_new_chunked (array, chunk_size);
}

static OrchProbeWorker *
new_probe_worker (guint64 n_rows,
                  guint64 chunk_size,
                  gint    slow_index,
                  guint   slow_us)
{
  g_autoptr(MpaioDataIterator) iterator = new_chunked_iterator (n_rows, chunk_size);

  return g_object_new (ORCH_TYPE_PROBE_WORKER, "data-iterator", iterator, "slow-index",
                       slow_index, "slow-us", slow_us, NULL);
}

static MpaioOrchestrator *
new_orchestrator (MpaioExecutor *executor,
                  gpointer       worker)
{
  MpaioWorker *workers[] = { worker };

  return mpaio_orchestrator_new (executor, workers, 1);
}

/* Runs a fresh orchestrator with one sum worker on @executor and checks
 * its total: proof that the executor is still usable. */
static void
assert_executor_usable (MpaioExecutor *executor)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioTestSumWorker) worker = mpaio_test_new_sum_worker (500, 7, 2);
  g_autoptr(MpaioOrchestrator) orchestrator = new_orchestrator (executor, worker);
  g_autoptr(MpaioRunReport) report = mpaio_test_run (orchestrator, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (report);
  g_assert_cmpint (mpaio_test_sum_worker_get_total (worker), ==, 2 * sum_1_to (500));
  g_assert_cmpuint (mpaio_run_report_get_n_records (report), ==, 72);
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **store = user_data;

  g_assert_null (*store);
  *store = g_object_ref (result);
}

/* Whether @chunks (of MpaioChunk) hold the indexes 0..n_chunks-1 each
 * exactly once, in any order. */
static void
assert_each_index_once (GArray *chunks,
                        guint64 n_chunks)
{
  g_autofree guint *seen = g_new0 (guint, n_chunks);

  g_assert_cmpuint (chunks->len, ==, n_chunks);
  for (guint i = 0; i < chunks->len; i++)
    {
      guint64 index = g_array_index (chunks, MpaioChunk, i).index;

      g_assert_cmpuint (index, <, n_chunks);
      g_assert_cmpuint (seen[index]++, ==, 0);
    }
}

static gboolean
chunks_in_order (GArray *chunks)
{
  for (guint i = 0; i < chunks->len; i++)
    {
      if (g_array_index (chunks, MpaioChunk, i).index != i)
        return FALSE;
    }
  return TRUE;
}

/* Results */

static void
test_sums (gconstpointer data)
{
  const struct
  {
    guint64 n_rows;
    guint   n_partitions;
  } cases[] = {
    { 1000, 4 },
    { 1000, 7 },
    { 999, 2 },
    { 12, 32 }, /* more partitions than rows: one chunk per row */
    { 1, 1 },
    { 0, 4 }, /* no chunk at all */
  };
  g_autoptr(MpaioExecutor) executor = mpaio_test_new_executor (data);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (cases[i].n_rows);
      g_autoptr(MpaioDataIterator) iterator = NULL;
      g_autoptr(MpaioTestSumWorker) worker = NULL;
      g_autoptr(MpaioOrchestrator) orchestrator = NULL;
      g_autoptr(MpaioRunReport) report = NULL;
      guint64 n_chunks = MIN (cases[i].n_rows, cases[i].n_partitions);

      g_test_message ("%" G_GUINT64_FORMAT " rows in %u partitions", cases[i].n_rows,
                      cases[i].n_partitions);

      iterator = mpaio_data_iterator_new_partitioned (array, cases[i].n_partitions, &error);
      g_assert_no_error (error);
      worker = mpaio_test_sum_worker_new (iterator, 3);
      orchestrator = new_orchestrator (executor, worker);

      report = mpaio_test_run (orchestrator, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (report);

      g_assert_cmpint (mpaio_test_sum_worker_get_total (worker), ==,
                       3 * sum_1_to (cases[i].n_rows));
      g_assert_cmpuint (mpaio_test_sum_worker_get_results (worker)->len, ==, n_chunks);
      g_assert_cmpuint (mpaio_orchestrator_get_n_chunks (orchestrator), ==, n_chunks);
      g_assert_cmpuint (mpaio_orchestrator_get_n_chunks_done (orchestrator), ==, n_chunks);
      g_assert_cmpuint (mpaio_run_report_get_n_records (report), ==, n_chunks);
      g_assert_false (mpaio_orchestrator_get_running (orchestrator));
    }
}

static gint
compare_sent (gconstpointer a,
              gconstpointer b)
{
  const MpaioChunkRecord *ra = a;
  const MpaioChunkRecord *rb = b;

  return (ra->sent_us > rb->sent_us) - (ra->sent_us < rb->sent_us);
}

static void
test_two_workers (gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioExecutor) executor = mpaio_test_new_executor (data);
  g_autoptr(MpaioTestSumWorker) first = mpaio_test_new_sum_worker (400, 50, 1);
  g_autoptr(MpaioTestSumWorker) second = mpaio_test_new_sum_worker (300, 30, 2);
  MpaioWorker *workers[] = { MPAIO_WORKER (first), MPAIO_WORKER (second) };
  g_autoptr(MpaioOrchestrator) orchestrator = mpaio_orchestrator_new (executor, workers, 2);
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GArray) records = g_array_new (FALSE, FALSE, sizeof (MpaioChunkRecord));
  g_autoptr(GArray) first_chunks = g_array_new (FALSE, FALSE, sizeof (MpaioChunk));
  g_autoptr(GArray) second_chunks = g_array_new (FALSE, FALSE, sizeof (MpaioChunk));
  gint64   second_sent;
  gboolean seen[2] = { FALSE, FALSE };

  report = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpint (mpaio_test_sum_worker_get_total (first), ==, sum_1_to (400));
  g_assert_cmpint (mpaio_test_sum_worker_get_total (second), ==, 2 * sum_1_to (300));
  g_assert_cmpuint (mpaio_orchestrator_get_n_chunks (orchestrator), ==, 8 + 10);
  g_assert_cmpuint (mpaio_run_report_get_n_records (report), ==, 8 + 10);

  for (guint i = 0; i < mpaio_run_report_get_n_records (report); i++)
    {
      const MpaioChunkRecord *record = mpaio_run_report_get_record (report, i);
      MpaioChunk              chunk = { record->chunk_index, record->start_row, record->end_row };

      g_assert_cmpuint (record->worker_index, <, 2);
      g_array_append_val (record->worker_index == 0 ? first_chunks : second_chunks, chunk);
      g_array_append_val (records, *record);
    }
  assert_each_index_once (first_chunks, 8);
  assert_each_index_once (second_chunks, 10);

  /* The workers are interleaved: the first two chunks sent belong to
   * different workers. Times are in microseconds, so two chunks may share
   * one; every record sent no later than the second one sent is then
   * among the first, and they must include both workers. */
  g_array_sort (records, compare_sent);
  second_sent = g_array_index (records, MpaioChunkRecord, 1).sent_us;
  for (guint i = 0; i < records->len; i++)
    {
      const MpaioChunkRecord *record = &g_array_index (records, MpaioChunkRecord, i);

      if (record->sent_us <= second_sent)
        seen[record->worker_index] = TRUE;
    }
  g_assert_true (seen[0]);
  g_assert_true (seen[1]);
}

/* Progress */

typedef struct
{
  MpaioOrchestrator *orchestrator;
  GArray            *done_values;    /* guint64, each notify::n-chunks-done */
  GArray            *running_values; /* gboolean, each notify::running */
  guint              n_callbacks;
  guint              n_callbacks_running;
} Progress;

static void
progress_hook (MpaioWorker      *worker,
               const MpaioChunk *chunk,
               gpointer          user_data)
{
  Progress *progress = user_data;

  progress->n_callbacks++;
  if (mpaio_orchestrator_get_running (progress->orchestrator))
    progress->n_callbacks_running++;
}

static void
on_n_chunks_done (GObject    *object,
                  GParamSpec *pspec,
                  gpointer    user_data)
{
  Progress *progress = user_data;
  guint64   value = mpaio_orchestrator_get_n_chunks_done (MPAIO_ORCHESTRATOR (object));

  g_array_append_val (progress->done_values, value);
}

static void
on_running (GObject    *object,
            GParamSpec *pspec,
            gpointer    user_data)
{
  Progress *progress = user_data;
  gboolean  value = mpaio_orchestrator_get_running (MPAIO_ORCHESTRATOR (object));

  g_array_append_val (progress->running_values, value);
}

static void
test_progress (gconstpointer data)
{
  g_autoptr(MpaioExecutor) executor = mpaio_test_new_executor (data);
  g_autoptr(OrchProbeWorker) worker = new_probe_worker (500, 10, -1, 0);
  g_autoptr(MpaioOrchestrator) orchestrator = new_orchestrator (executor, worker);
  g_autoptr(GArray) done_values = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autoptr(GArray) running_values = g_array_new (FALSE, FALSE, sizeof (gboolean));
  Progress      progress = { orchestrator, done_values, running_values, 0, 0 };
  const guint64 n_chunks = 50;

  worker->hook = progress_hook;
  worker->hook_data = &progress;
  g_signal_connect (orchestrator, "notify::n-chunks-done", G_CALLBACK (on_n_chunks_done),
                    &progress);
  g_signal_connect (orchestrator, "notify::running", G_CALLBACK (on_running), &progress);

  /* Twice: the second run starts from the first one's count. */
  for (guint run = 0; run < 2; run++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MpaioRunReport) report = NULL;
      guint first = 0;

      g_array_set_size (done_values, 0);
      g_array_set_size (running_values, 0);
      progress.n_callbacks = progress.n_callbacks_running = 0;

      report = mpaio_test_run (orchestrator, NULL, &error);
      g_assert_no_error (error);

      g_assert_cmpuint (mpaio_orchestrator_get_n_chunks (orchestrator), ==, n_chunks);
      g_assert_cmpuint (mpaio_orchestrator_get_n_chunks_done (orchestrator), ==, n_chunks);
      g_assert_false (mpaio_orchestrator_get_running (orchestrator));

      /* The count is reset when a run starts (a change on the second run),
       * then notified once per chunk, going up by one. */
      if (run > 0)
        g_assert_cmpuint (g_array_index (done_values, guint64, 0), ==, 0);
      if (done_values->len > 0 && g_array_index (done_values, guint64, 0) == 0)
        first = 1;
      g_assert_cmpuint (done_values->len - first, ==, n_chunks);
      for (guint i = first; i < done_values->len; i++)
        g_assert_cmpuint (g_array_index (done_values, guint64, i), ==, i - first + 1);

      g_assert_cmpuint (progress.n_callbacks, ==, n_chunks);
      g_assert_cmpuint (progress.n_callbacks_running, ==, n_chunks);

      g_assert_cmpuint (running_values->len, ==, 2);
      g_assert_true (g_array_index (running_values, gboolean, 0));
      g_assert_false (g_array_index (running_values, gboolean, 1));
    }

  g_assert_cmpint (worker->total, ==, 2 * sum_1_to (500));
}

/* Report */

static gboolean
pid_in (GPid        pid,
        const GPid *pids,
        guint       n_pids)
{
  for (guint i = 0; i < n_pids; i++)
    {
      if (pids[i] == pid)
        return TRUE;
    }
  return FALSE;
}

static void
test_report (gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioExecutor) executor = mpaio_test_new_executor (data);
  g_autoptr(MpaioTestSumWorker) worker = mpaio_test_new_sum_worker (1000, 37, 1);
  g_autoptr(MpaioOrchestrator) orchestrator = new_orchestrator (executor, worker);
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GArray) chunks = g_array_new (FALSE, FALSE, sizeof (MpaioChunk));
  g_autofree GPid   *pids = NULL;
  MpaioDataIterator *iterator = mpaio_worker_get_data_iterator (MPAIO_WORKER (worker));
  GArray            *results = mpaio_test_sum_worker_get_results (worker);
  const guint64      n_chunks = 28; /* 27 of 37 rows and one of 1 */
  guint              n_pids = 0;

  report = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (report);

  g_assert_cmpuint (mpaio_orchestrator_get_n_chunks (orchestrator), ==, n_chunks);
  g_assert_cmpuint (mpaio_run_report_get_n_records (report), ==, n_chunks);
  g_assert_cmpfloat (mpaio_run_report_get_wall_time (report), >, 0);

  if (is_process_pool (data))
    pids = mpaio_process_pool_get_pids (MPAIO_PROCESS_POOL (executor), &n_pids);

  for (guint i = 0; i < mpaio_run_report_get_n_records (report); i++)
    {
      const MpaioChunkRecord *record = mpaio_run_report_get_record (report, i);
      MpaioChunk              chunk;
      MpaioChunk              expected;

      g_assert_cmpint (record->sent_us, <=, record->started_us);
      g_assert_cmpint (record->started_us, <=, record->finished_us);
      g_assert_cmpint (record->finished_us, <=, record->returned_us);
      g_assert_cmpint (mpaio_run_report_get_start_time (report), <=, record->sent_us);
      g_assert_cmpint (record->returned_us, <=, mpaio_run_report_get_end_time (report));

      g_assert_cmpuint (record->worker_index, ==, 0);
      g_assert_true (mpaio_data_iterator_get_chunk (iterator, record->chunk_index, &expected));
      g_assert_cmpuint (record->start_row, ==, expected.start);
      g_assert_cmpuint (record->end_row, ==, expected.end);

      if (is_process_pool (data))
        {
          g_assert_cmpint (record->pid, !=, getpid ());
          g_assert_true (pid_in (record->pid, pids, n_pids));
        }
      else
        {
          g_assert_cmpint (record->pid, ==, getpid ());
        }

      /* The record names the process the result says computed it. */
      for (guint j = 0; j < results->len; j++)
        {
          const MpaioTestResult *result = &g_array_index (results, MpaioTestResult, j);

          if (result->chunk.index == record->chunk_index)
            g_assert_cmpint (result->pid, ==, record->pid);
        }

      chunk = (MpaioChunk){ record->chunk_index, record->start_row, record->end_row };
      g_array_append_val (chunks, chunk);
    }

  assert_each_index_once (chunks, n_chunks);
}

/* Ordered delivery */

/* Two workers: chunk 0 of the first holds its process or thread for 100 ms,
 * long enough for the other one to bring back many later chunks; chunk 3 of
 * the second is slow too (10 ms), so both have results to hold back. */
static void
run_slow_chunk_workers (gconstpointer     data,
                        gboolean          ordered,
                        OrchProbeWorker **first_out,
                        OrchProbeWorker **second_out,
                        MpaioRunReport  **report_out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioExecutor) executor = mpaio_test_new_executor (data);
  g_autoptr(OrchProbeWorker) first = new_probe_worker (640, 10, 0, 100000);
  g_autoptr(OrchProbeWorker) second = new_probe_worker (160, 10, 3, 10000);
  MpaioWorker *workers[] = { MPAIO_WORKER (first), MPAIO_WORKER (second) };
  g_autoptr(MpaioOrchestrator) orchestrator = mpaio_orchestrator_new (executor, workers, 2);

  /* Worker processes are started with the pool; let them all come up, so
   * the slow chunk is the only thing making others wait. */
  assert_executor_usable (executor);

  mpaio_orchestrator_set_ordered (orchestrator, ordered);
  *report_out = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (*report_out);

  g_assert_cmpint (first->total, ==, sum_1_to (640));
  g_assert_cmpint (second->total, ==, sum_1_to (160));

  *first_out = g_steal_pointer (&first);
  *second_out = g_steal_pointer (&second);
}

/* The chunks of worker @worker_index in the order they came back. */
static GArray *
arrival_order (MpaioRunReport *report,
               guint           worker_index)
{
  GArray *chunks = g_array_new (FALSE, FALSE, sizeof (MpaioChunk));

  for (guint i = 0; i < mpaio_run_report_get_n_records (report); i++)
    {
      const MpaioChunkRecord *record = mpaio_run_report_get_record (report, i);
      MpaioChunk              chunk = { record->chunk_index, record->start_row, record->end_row };

      if (record->worker_index == worker_index)
        g_array_append_val (chunks, chunk);
    }

  return chunks;
}

static void
test_ordered (gconstpointer data)
{
  g_autoptr(OrchProbeWorker) first = NULL;
  g_autoptr(OrchProbeWorker) second = NULL;
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GArray) first_arrivals = NULL;

  run_slow_chunk_workers (data, TRUE, &first, &second, &report);

  /* Results came back out of order (the report lists them as they came),
   * so the order of delivery is the orchestrator's doing. */
  first_arrivals = arrival_order (report, 0);
  assert_each_index_once (first_arrivals, 64);
  g_assert_false (chunks_in_order (first_arrivals));

  assert_each_index_once (first->delivered, 64);
  g_assert_true (chunks_in_order (first->delivered));
  assert_each_index_once (second->delivered, 16);
  g_assert_true (chunks_in_order (second->delivered));
}

static void
test_unordered (gconstpointer data)
{
  g_autoptr(OrchProbeWorker) first = NULL;
  g_autoptr(OrchProbeWorker) second = NULL;
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GArray) first_arrivals = NULL;

  run_slow_chunk_workers (data, FALSE, &first, &second, &report);

  assert_each_index_once (first->delivered, 64);
  assert_each_index_once (second->delivered, 16);

  /* Delivered as they came back, so not held for the slow chunk. */
  first_arrivals = arrival_order (report, 0);
  g_assert_false (chunks_in_order (first_arrivals));
  g_assert_cmpmem (first->delivered->data, first->delivered->len * sizeof (MpaioChunk),
                   first_arrivals->data, first_arrivals->len * sizeof (MpaioChunk));
}

/* Worker failure */

static void
run_failing_worker (MpaioExecutor *executor,
                    gboolean       ordered)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioDataIterator) iterator = new_chunked_iterator (160, 10);
  g_autoptr(MpaioTestFailWorker) worker = mpaio_test_fail_worker_new (iterator, 5);
  g_autoptr(MpaioOrchestrator) orchestrator = new_orchestrator (executor, worker);
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GArray) seen = g_array_new (FALSE, TRUE, sizeof (guint));
  GArray *results = mpaio_test_fail_worker_get_results (worker);

  mpaio_orchestrator_set_ordered (orchestrator, ordered);
  report = mpaio_test_run (orchestrator, NULL, &error);

  g_assert_null (report);
  /* The worker's own error, domain and code kept. */
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "boom at chunk 5"));
  /* Named by the orchestrator too, not only by the worker's message. */
  g_assert_nonnull (strstr (error->message, "Chunk 5 "));
  g_assert_false (mpaio_orchestrator_get_running (orchestrator));
  g_assert_cmpuint (mpaio_orchestrator_get_n_chunks_done (orchestrator), ==, results->len);

  g_array_set_size (seen, 16);
  for (guint i = 0; i < results->len; i++)
    {
      const MpaioTestResult *result = &g_array_index (results, MpaioTestResult, i);

      g_assert_cmpuint (result->chunk.index, <, 16);
      g_assert_cmpuint (result->chunk.index, !=, 5);
      g_assert_cmpint (result->value, ==, (gint64) result->chunk.index);
      g_assert_cmpuint (g_array_index (seen, guint, result->chunk.index)++, ==, 0);
      if (ordered && i > 0)
        g_assert_cmpuint (g_array_index (results, MpaioTestResult, i - 1).chunk.index, <,
                          result->chunk.index);
    }

  /* Chunks 0 to 4 were sent before chunk 5, so they were done or in flight
   * when it failed: nothing computed is lost. */
  for (guint i = 0; i < 5; i++)
    g_assert_cmpuint (g_array_index (seen, guint, i), ==, 1);
}

static void
test_worker_failed (gconstpointer data)
{
  g_autoptr(MpaioExecutor) executor = mpaio_test_new_executor (data);

  run_failing_worker (executor, FALSE);
  assert_executor_usable (executor);
  run_failing_worker (executor, TRUE);
  assert_executor_usable (executor);
}

/* Cancellation */

typedef struct
{
  GCancellable *cancellable;
  MpaioWorker  *worker;
  guint         n_delivered_at_cancel;
  gboolean      cancelled;
} CancelOnFirst;

static guint
get_n_delivered (MpaioWorker *worker)
{
  if (ORCH_IS_PROBE_WORKER (worker))
    return ORCH_PROBE_WORKER (worker)->delivered->len;

  return mpaio_test_spin_worker_get_n_delivered (MPAIO_TEST_SPIN_WORKER (worker));
}

static void
cancel_on_first (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  CancelOnFirst *cancel = user_data;

  if (mpaio_orchestrator_get_n_chunks_done (MPAIO_ORCHESTRATOR (object)) == 1)
    {
      g_assert_false (cancel->cancelled);
      cancel->cancelled = TRUE;
      cancel->n_delivered_at_cancel = get_n_delivered (cancel->worker);
      g_cancellable_cancel (cancel->cancellable);
    }
}

static void
test_cancel (gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioExecutor) executor = mpaio_test_new_executor (data);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(MpaioDataIterator) iterator = new_chunked_iterator (200, 1);
  g_autoptr(MpaioTestSpinWorker) worker = mpaio_test_spin_worker_new (iterator, 2000, -1);
  g_autoptr(MpaioOrchestrator) orchestrator = new_orchestrator (executor, worker);
  g_autoptr(MpaioRunReport) report = NULL;
  CancelOnFirst cancel = { cancellable, MPAIO_WORKER (worker), 0, FALSE };
  guint         n_delivered_at_end;

  g_signal_connect (orchestrator, "notify::n-chunks-done", G_CALLBACK (cancel_on_first), &cancel);

  report = mpaio_test_run (orchestrator, cancellable, &error);
  g_assert_null (report);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (cancel.cancelled);
  g_assert_false (mpaio_orchestrator_get_running (orchestrator));

  n_delivered_at_end = mpaio_test_spin_worker_get_n_delivered (worker);
  g_assert_cmpuint (n_delivered_at_end, >=, 1);
  g_assert_cmpuint (n_delivered_at_end, <, 200);

  /* The chunks still in flight come back while another run goes on: they
   * are dropped, and the executor serves the new run. */
  assert_executor_usable (executor);
  g_assert_cmpuint (mpaio_test_spin_worker_get_n_delivered (worker), ==, n_delivered_at_end);
  g_assert_false (mpaio_orchestrator_get_running (orchestrator));
}

/* Once g_cancellable_cancel() has returned, no callback of the run runs,
 * not even for a result that had already come back (the orchestrator's
 * documentation: "no callback runs after that"). The test makes sure that
 * results are waiting when the first callback cancels: worker processes
 * send the replies to chunks that take no time in batches, and with the
 * thread pool the main context runs only once every chunk in flight is
 * done. A few runs, since the batches depend on timing. */
static void
test_cancel_no_callback_after (gconstpointer data)
{
  g_autoptr(MpaioExecutor) executor = mpaio_test_new_executor (data);

  /* Worker processes up and running, so nothing delays their replies. */
  assert_executor_usable (executor);

  for (guint attempt = 0; attempt < 5; attempt++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      g_autoptr(OrchProbeWorker) worker = new_probe_worker (200, 1, -1, 0);
      g_autoptr(MpaioOrchestrator) orchestrator = new_orchestrator (executor, worker);
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(MpaioRunReport) report = NULL;
      CancelOnFirst cancel = { cancellable, MPAIO_WORKER (worker), 0, FALSE };

      g_signal_connect (orchestrator, "notify::n-chunks-done", G_CALLBACK (cancel_on_first),
                        &cancel);

      reset_n_processed ();
      mpaio_orchestrator_run_async (orchestrator, cancellable, store_result, &result);
      if (!is_process_pool (data))
        wait_n_processed (mpaio_executor_get_max_in_flight (executor));
      while (result == NULL)
        g_main_context_iteration (NULL, TRUE);

      report = mpaio_orchestrator_run_finish (orchestrator, result, &error);
      g_assert_null (report);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_true (cancel.cancelled);
      g_assert_cmpuint (cancel.n_delivered_at_cancel, ==, 1);

      /* Results already back when the run was cancelled are dropped too. */
      g_assert_cmpuint (worker->delivered->len, ==, cancel.n_delivered_at_cancel);
    }
}

/* Errors */

static void
test_no_workers (gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioExecutor) executor = mpaio_test_new_executor (data);
  g_autoptr(MpaioOrchestrator) orchestrator = mpaio_orchestrator_new (executor, NULL, 0);
  g_autoptr(MpaioRunReport) report = NULL;

  report = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_null (report);
  g_assert_error (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT);
  g_assert_false (mpaio_orchestrator_get_running (orchestrator));
}

static void
test_no_data_iterator (gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioExecutor) executor = mpaio_test_new_executor (data);
  g_autoptr(MpaioWorker) worker = g_object_new (MPAIO_TEST_TYPE_SUM_WORKER, NULL);
  g_autoptr(MpaioOrchestrator) orchestrator = new_orchestrator (executor, worker);
  g_autoptr(MpaioRunReport) report = NULL;

  report = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_null (report);
  g_assert_error (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT);
  g_assert_false (mpaio_orchestrator_get_running (orchestrator));
}

/* An iterator whose get_chunk fills in nothing for chunks past the first,
 * as a binding that cannot fill a caller-allocated struct does. */
typedef struct
{
  MpaioDataIterator parent_instance;
} OrchBrokenIterator;

typedef struct
{
  MpaioDataIteratorClass parent_class;
} OrchBrokenIteratorClass;

static GType orch_broken_iterator_get_type (void);
G_DEFINE_TYPE (OrchBrokenIterator, orch_broken_iterator, MPAIO_TYPE_DATA_ITERATOR)

static guint64
broken_get_n_chunks (MpaioDataIterator *self)
{
  return 4;
}

static void
broken_get_chunk (MpaioDataIterator *self,
                  guint64            index,
                  MpaioChunk        *chunk)
{
  if (index == 0)
    *chunk = (MpaioChunk){ 0, 0, 1 };
}

static void
orch_broken_iterator_class_init (OrchBrokenIteratorClass *klass)
{
  klass->parent_class.get_n_chunks = broken_get_n_chunks;
  klass->parent_class.get_chunk = broken_get_chunk;
}

static void
orch_broken_iterator_init (OrchBrokenIterator *self)
{
}

static void
test_broken_iterator (gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioExecutor) executor = mpaio_test_new_executor (data);
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (4);
  g_autoptr(MpaioDataIterator) iterator =
               g_initable_new (orch_broken_iterator_get_type (), NULL, &error, "array", array, NULL);
  g_autoptr(MpaioTestSumWorker) worker = NULL;
  g_autoptr(MpaioOrchestrator) orchestrator = NULL;
  g_autoptr(MpaioRunReport) report = NULL;

  g_test_summary ("A chunk the data iterator cannot give ends the run with an error naming "
                  "it, instead of losing its rows");

  g_assert_no_error (error);
  worker = mpaio_test_sum_worker_new (iterator, 1);
  orchestrator = new_orchestrator (executor, MPAIO_WORKER (worker));
  report = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_null (report);
  g_assert_error (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "chunk 1"));
  g_assert_false (mpaio_orchestrator_get_running (orchestrator));
}

static void
test_pending (gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioExecutor) executor = mpaio_test_new_executor (data);
  g_autoptr(MpaioTestSumWorker) worker = mpaio_test_new_sum_worker (1000, 10, 1);
  g_autoptr(MpaioOrchestrator) orchestrator = new_orchestrator (executor, worker);
  g_autoptr(GAsyncResult) first = NULL;
  g_autoptr(GAsyncResult) second = NULL;
  g_autoptr(MpaioRunReport) first_report = NULL;
  g_autoptr(MpaioRunReport) second_report = NULL;

  mpaio_orchestrator_run_async (orchestrator, NULL, store_result, &first);
  g_assert_true (mpaio_orchestrator_get_running (orchestrator));
  mpaio_orchestrator_run_async (orchestrator, NULL, store_result, &second);

  while (first == NULL || second == NULL)
    g_main_context_iteration (NULL, TRUE);

  second_report = mpaio_orchestrator_run_finish (orchestrator, second, &error);
  g_assert_null (second_report);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PENDING);
  g_clear_error (&error);

  /* The refused run did not disturb the one running. */
  first_report = mpaio_orchestrator_run_finish (orchestrator, first, &error);
  g_assert_no_error (error);
  g_assert_nonnull (first_report);
  g_assert_cmpuint (mpaio_run_report_get_n_records (first_report), ==, 100);
  g_assert_cmpint (mpaio_test_sum_worker_get_total (worker), ==, sum_1_to (1000));
  g_assert_cmpuint (mpaio_test_sum_worker_get_results (worker)->len, ==, 100);
  g_assert_false (mpaio_orchestrator_get_running (orchestrator));
}

static void
test_already_cancelled (gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioExecutor) executor = mpaio_test_new_executor (data);
  g_autoptr(MpaioTestSumWorker) worker = mpaio_test_new_sum_worker (1000, 10, 1);
  g_autoptr(MpaioOrchestrator) orchestrator = new_orchestrator (executor, worker);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(MpaioRunReport) report = NULL;

  g_cancellable_cancel (cancellable);
  report = mpaio_test_run (orchestrator, cancellable, &error);

  g_assert_null (report);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (mpaio_test_sum_worker_get_results (worker)->len, ==, 0);
  g_assert_false (mpaio_orchestrator_get_running (orchestrator));

  assert_executor_usable (executor);
}

/* Nested runs */

typedef struct
{
  MpaioExecutor *executor;
  guint          n_nested;
} Nesting;

static void
run_nested_hook (MpaioWorker      *worker,
                 const MpaioChunk *chunk,
                 gpointer          user_data)
{
  Nesting *nesting = user_data;

  if (chunk->index % 10 != 0)
    return;

  assert_executor_usable (nesting->executor);
  nesting->n_nested++;
}

static void
test_nested_run (gconstpointer data)
{
  g_autoptr(MpaioExecutor) executor = mpaio_test_new_executor (data);

  g_test_summary ("A process_callback that runs another run to its end on the same executor, "
                  "iterating the main context itself, sees it finish; the outer run's results "
                  "that arrive meanwhile are delivered from there, each once and, when ordered, "
                  "in order");

  for (guint ordered = 0; ordered < 2; ordered++)
    {
      g_autoptr(OrchProbeWorker) worker = new_probe_worker (400, 1, -1, 0);
      g_autoptr(MpaioOrchestrator) orchestrator = new_orchestrator (executor, worker);
      g_autoptr(MpaioRunReport) report = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree gboolean *seen = g_new0 (gboolean, 400);
      Nesting              nesting = { executor, 0 };

      mpaio_orchestrator_set_ordered (orchestrator, ordered);
      worker->hook = run_nested_hook;
      worker->hook_data = &nesting;

      report = mpaio_test_run (orchestrator, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (nesting.n_nested, ==, 40);
      g_assert_cmpuint (worker->delivered->len, ==, 400);
      g_assert_cmpint (worker->total, ==, sum_1_to (400));

      for (guint i = 0; i < worker->delivered->len; i++)
        {
          guint64 index = g_array_index (worker->delivered, MpaioChunk, i).index;

          g_assert_cmpuint (index, <, 400);
          g_assert_false (seen[index]);
          seen[index] = TRUE;
          if (ordered)
            g_assert_cmpuint (index, ==, i);
        }
    }
}

/* Kills every worker process from the first result's callback, then runs
 * the main loop there until the pool has seen them end: one of them is the
 * process whose result is being delivered. */
static void
kill_processes_hook (MpaioWorker      *worker,
                     const MpaioChunk *chunk,
                     gpointer          user_data)
{
  MpaioProcessPool *pool = user_data;
  g_autofree GPid  *pids = NULL;
  guint             n_pids = 0;
  gboolean          gone = FALSE;

  if (chunk->index != 0)
    return;

  pids = mpaio_process_pool_get_pids (pool, &n_pids);
  g_assert_cmpuint (n_pids, ==, 2);
  for (guint i = 0; i < n_pids; i++)
    g_assert_cmpint (kill (pids[i], SIGKILL), ==, 0);

  while (!gone)
    {
      g_autofree GPid *now = NULL;
      guint            n_now = 0;

      g_main_context_iteration (NULL, TRUE);
      now = mpaio_process_pool_get_pids (pool, &n_now);
      gone = TRUE;
      for (guint i = 0; i < n_now; i++)
        for (guint j = 0; j < n_pids; j++)
          gone = gone && now[i] != pids[j];
    }
}

static void
test_nested_process_death (gconstpointer data)
{
  g_autoptr(MpaioExecutor) executor = mpaio_test_new_executor (data);
  g_autoptr(OrchProbeWorker) worker = new_probe_worker (400, 1, -1, 0);
  g_autoptr(MpaioOrchestrator) orchestrator = new_orchestrator (executor, worker);
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GError) error = NULL;

  g_test_summary ("The worker processes killed from a result's callback, which waits in a main "
                  "loop of its own until the pool has seen them end (one of them is the process "
                  "whose results are being read): with retries the run still completes, every "
                  "result once");

  mpaio_process_pool_set_max_retries (MPAIO_PROCESS_POOL (executor), 3);
  worker->hook = kill_processes_hook;
  worker->hook_data = executor;

  report = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (worker->delivered->len, ==, 400);
  g_assert_cmpint (worker->total, ==, sum_1_to (400));
  assert_executor_usable (executor);
}

static void
add_test (const char   *name,
          GTestDataFunc func)
{
  static const char *const executor_names[] = {
    [MPAIO_TEST_EXECUTOR_PROCESS_POOL] = "process-pool",
    [MPAIO_TEST_EXECUTOR_THREAD_POOL] = "thread-pool",
  };

  for (guint kind = 0; kind < G_N_ELEMENTS (executor_names); kind++)
    {
      g_autofree char *path =
        g_strdup_printf ("/orchestrator/%s/%s", name, executor_names[kind]);

      g_test_add_data_func (path, GINT_TO_POINTER (kind), func);
    }
}

int
main (int    argc,
      char **argv)
{
  mpaio_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_summary ("MpaioOrchestrator on MpaioProcessPool and MpaioThreadPool: results, "
                  "progress, reports, ordering, failures, cancellation and misuse");

  add_test ("sums", test_sums);
  add_test ("two-workers", test_two_workers);
  add_test ("progress", test_progress);
  add_test ("report", test_report);
  add_test ("ordered", test_ordered);
  add_test ("unordered", test_unordered);
  add_test ("worker-failed", test_worker_failed);
  add_test ("cancel", test_cancel);
  add_test ("errors/no-workers", test_no_workers);
  add_test ("errors/no-data-iterator", test_no_data_iterator);
  add_test ("errors/broken-iterator", test_broken_iterator);
  add_test ("errors/pending", test_pending);
  add_test ("errors/already-cancelled", test_already_cancelled);
  add_test ("cancel-no-callback-after", test_cancel_no_callback_after);
  add_test ("nested-run", test_nested_run);
  g_test_add_data_func ("/orchestrator/nested-process-death/process-pool",
                        GINT_TO_POINTER (MPAIO_TEST_EXECUTOR_PROCESS_POOL), test_nested_process_death);

  return g_test_run ();
}
