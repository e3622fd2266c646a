/* test-error-policy.c: what a run does when a chunk fails, per error policy
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mpaio-test-workers.h"

/* Every test runs on both executors, with two worker processes or threads.
 *
 * To know which chunks were in flight when a chunk failed, the chunks that
 * do not fail wait at a gate (a FIFO they open for reading, which blocks
 * until a writer has it open) and the executor is wrapped in one that opens
 * the gate when it sees the first failure come back, just before handing the
 * failure to the orchestrator. So no chunk can be done before the failure
 * reaches the orchestrator, and the chunks in flight then are exactly those
 * the orchestrator submitted at its start. */

/* Gate worker: sums its chunk (a counting array's rows); fails on the
 * chunks `fail-index`, `fail-index + fail-step`, ... (only on `fail-index`
 * when `fail-step` is 0; on none when `fail-index` is -1); with `gate` set,
 * the other chunks first wait until the FIFO `gate` has a writer. */

#define TEST_TYPE_GATE_WORKER (test_gate_worker_get_type ())
G_DECLARE_FINAL_TYPE (TestGateWorker, test_gate_worker, TEST, GATE_WORKER, MpaioWorker)

struct _TestGateWorker
{
  MpaioWorker parent_instance;

  gint  fail_index;
  guint fail_step;
  char *gate;

  GArray *delivered; /* MpaioChunk, in delivery order */
};

G_DEFINE_FINAL_TYPE (TestGateWorker, test_gate_worker, MPAIO_TYPE_WORKER)

enum
{
  GATE_PROP_0,
  GATE_PROP_FAIL_INDEX,
  GATE_PROP_FAIL_STEP,
  GATE_PROP_GATE
};

static gboolean
gate_worker_fails (TestGateWorker *self, guint64 index)
{
  if (self->fail_index < 0 || index < (guint64) self->fail_index)
    return FALSE;
  if (self->fail_step == 0)
    return index == (guint64) self->fail_index;

  return (index - (guint64) self->fail_index) % self->fail_step == 0;
}

static void
pass_gate (const char *gate)
{
  int fd;

  do
    fd = open (gate, O_RDONLY | O_CLOEXEC);
  while (fd < 0 && errno == EINTR);

  g_assert_cmpint (fd, >=, 0);
  close (fd);
}

static GVariant *
test_gate_worker_process (MpaioWorker *worker, const MpaioChunk *chunk, GError **error)
{
  TestGateWorker *self = TEST_GATE_WORKER (worker);
  const gint64   *rows = mpaio_shared_array_get_data (mpaio_worker_get_array (worker));
  gint64          sum = 0;

  if (gate_worker_fails (self, chunk->index))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "refused chunk %" G_GUINT64_FORMAT,
                   chunk->index);
      return NULL;
    }

  if (self->gate != NULL)
    pass_gate (self->gate);

  for (guint64 i = chunk->start; i < chunk->end; i++)
    sum += rows[i];

  return g_variant_new ("(tx)", chunk->index, sum);
}

static void
test_gate_worker_process_callback (MpaioWorker *worker, const MpaioChunk *chunk, GVariant *result)
{
  TestGateWorker *self = TEST_GATE_WORKER (worker);
  guint64         index;
  gint64          sum;

  g_variant_get (result, "(tx)", &index, &sum);
  g_assert_cmpuint (index, ==, chunk->index);
  g_assert_cmpint (sum, ==, mpaio_test_counting_sum (chunk));
  g_array_append_val (self->delivered, *chunk);
}

static void
test_gate_worker_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TestGateWorker *self = TEST_GATE_WORKER (object);

  switch (prop_id)
    {
    case GATE_PROP_FAIL_INDEX:
      g_value_set_int (value, self->fail_index);
      break;
    case GATE_PROP_FAIL_STEP:
      g_value_set_uint (value, self->fail_step);
      break;
    case GATE_PROP_GATE:
      g_value_set_string (value, self->gate);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
test_gate_worker_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  TestGateWorker *self = TEST_GATE_WORKER (object);

  switch (prop_id)
    {
    case GATE_PROP_FAIL_INDEX:
      self->fail_index = g_value_get_int (value);
      break;
    case GATE_PROP_FAIL_STEP:
      self->fail_step = g_value_get_uint (value);
      break;
    case GATE_PROP_GATE:
      g_free (self->gate);
      self->gate = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
test_gate_worker_finalize (GObject *object)
{
  TestGateWorker *self = TEST_GATE_WORKER (object);

  g_free (self->gate);
  g_array_unref (self->delivered);

  G_OBJECT_CLASS (test_gate_worker_parent_class)->finalize (object);
}

static void
test_gate_worker_class_init (TestGateWorkerClass *klass)
{
  GObjectClass     *object_class = G_OBJECT_CLASS (klass);
  MpaioWorkerClass *worker_class = MPAIO_WORKER_CLASS (klass);

  object_class->get_property = test_gate_worker_get_property;
  object_class->set_property = test_gate_worker_set_property;
  object_class->finalize = test_gate_worker_finalize;
  worker_class->process = test_gate_worker_process;
  worker_class->process_callback = test_gate_worker_process_callback;

  g_object_class_install_property (object_class, GATE_PROP_FAIL_INDEX,
                                   g_param_spec_int ("fail-index", NULL, NULL, -1, G_MAXINT, -1,
                                                     G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (object_class, GATE_PROP_FAIL_STEP,
                                   g_param_spec_uint ("fail-step", NULL, NULL, 0, G_MAXUINT, 0,
                                                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (
    object_class, GATE_PROP_GATE,
    g_param_spec_string ("gate", NULL, NULL, NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
}

static void
test_gate_worker_init (TestGateWorker *self)
{
  self->fail_index = -1;
  self->delivered = g_array_new (FALSE, FALSE, sizeof (MpaioChunk));
}

static TestGateWorker *
new_gate_worker (guint64 n_chunks, gint fail_index, guint fail_step, const char *gate)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (n_chunks);
  g_autoptr(MpaioDataIterator) iterator = mpaio_data_iterator_new (array, 1, &error);

  g_assert_no_error (error);
  return g_object_new (TEST_TYPE_GATE_WORKER, "data-iterator", iterator, "fail-index", fail_index,
                       "fail-step", fail_step, "gate", gate, NULL);
}

/* Gate executor: the real executor, but the first failure to come back
 * opens the gate before the orchestrator hears of it. */

#define TEST_TYPE_GATE_EXECUTOR (test_gate_executor_get_type ())
G_DECLARE_FINAL_TYPE (TestGateExecutor, test_gate_executor, TEST, GATE_EXECUTOR, GObject)

struct _TestGateExecutor
{
  GObject parent_instance;

  MpaioExecutor *inner;
  char          *dir;
  char          *gate;
  int            gate_fd;
};

static void test_gate_executor_iface_init (MpaioExecutorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestGateExecutor,
                               test_gate_executor,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (MPAIO_TYPE_EXECUTOR,
                                                      test_gate_executor_iface_init))

typedef struct
{
  TestGateExecutor      *self;
  MpaioExecutorChunkFunc func;
  gpointer               user_data;
} Forward;

static void
open_gate (TestGateExecutor *self)
{
  /* Read-write: a FIFO opened so never blocks, and keeps a writer for as
   * long as the test lasts. */
  if (self->gate_fd < 0)
    self->gate_fd = open (self->gate, O_RDWR | O_CLOEXEC);
  g_assert_cmpint (self->gate_fd, >=, 0);
}

static guint
test_gate_executor_get_max_in_flight (MpaioExecutor *executor)
{
  return mpaio_executor_get_max_in_flight (TEST_GATE_EXECUTOR (executor)->inner);
}

static void
forward_chunk_done (MpaioExecutor          *inner,
                    GVariant               *result,
                    const GError           *error,
                    const MpaioChunkRecord *record,
                    gpointer                user_data)
{
  Forward *forward = user_data;

  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    open_gate (forward->self);

  forward->func (MPAIO_EXECUTOR (forward->self), result, error, record, forward->user_data);
  g_object_unref (forward->self);
  g_free (forward);
}

static void
test_gate_executor_submit (MpaioExecutor         *executor,
                           MpaioWorker           *worker,
                           const MpaioChunk      *chunk,
                           GCancellable          *cancellable,
                           MpaioExecutorChunkFunc func,
                           gpointer               user_data)
{
  TestGateExecutor *self = TEST_GATE_EXECUTOR (executor);
  Forward          *forward = g_new (Forward, 1);

  forward->self = g_object_ref (self);
  forward->func = func;
  forward->user_data = user_data;
  mpaio_executor_submit (self->inner, worker, chunk, cancellable, forward_chunk_done, forward);
}

static void
test_gate_executor_iface_init (MpaioExecutorInterface *iface)
{
  iface->get_max_in_flight = test_gate_executor_get_max_in_flight;
  iface->submit = test_gate_executor_submit;
}

static void
test_gate_executor_dispose (GObject *object)
{
  TestGateExecutor *self = TEST_GATE_EXECUTOR (object);

  /* Chunks still waiting must get through for the executor to stop. */
  if (self->inner != NULL)
    open_gate (self);
  g_clear_object (&self->inner);

  G_OBJECT_CLASS (test_gate_executor_parent_class)->dispose (object);
}

static void
test_gate_executor_finalize (GObject *object)
{
  TestGateExecutor *self = TEST_GATE_EXECUTOR (object);

  if (self->gate_fd >= 0)
    close (self->gate_fd);
  g_assert_no_errno (unlink (self->gate));
  g_assert_no_errno (rmdir (self->dir));
  g_free (self->gate);
  g_free (self->dir);

  G_OBJECT_CLASS (test_gate_executor_parent_class)->finalize (object);
}

static void
test_gate_executor_class_init (TestGateExecutorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = test_gate_executor_dispose;
  object_class->finalize = test_gate_executor_finalize;
}

static void
test_gate_executor_init (TestGateExecutor *self)
{
  g_autoptr(GError) error = NULL;

  self->gate_fd = -1;
  self->dir = g_dir_make_tmp ("mpaio-gate-XXXXXX", &error);
  g_assert_no_error (error);
  self->gate = g_build_filename (self->dir, "gate", NULL);
  g_assert_no_errno (mkfifo (self->gate, 0600));
}

static TestGateExecutor *
new_gate_executor (gconstpointer data)
{
  TestGateExecutor *self = g_object_new (TEST_TYPE_GATE_EXECUTOR, NULL);

  self->inner = mpaio_test_new_executor (data);
  return self;
}

static MpaioOrchestrator *
new_orchestrator (gpointer executor, gpointer worker, MpaioErrorPolicy policy)
{
  MpaioWorker       *workers[] = { worker };
  MpaioOrchestrator *orchestrator = mpaio_orchestrator_new (executor, workers, 1);

  mpaio_orchestrator_set_error_policy (orchestrator, policy);
  return orchestrator;
}

/* A run of a sum worker on @executor gives the right total: it is usable. */
static void
assert_executor_usable (MpaioExecutor *executor)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (300);
  g_autoptr(MpaioDataIterator) iterator = mpaio_data_iterator_new (array, 7, &error);
  g_autoptr(MpaioTestSumWorker) worker = mpaio_test_sum_worker_new (iterator, 1);
  g_autoptr(MpaioOrchestrator) orchestrator =
               new_orchestrator (executor, worker, MPAIO_ERROR_POLICY_FINISH_IN_FLIGHT);
  g_autoptr(MpaioRunReport) report = mpaio_test_run (orchestrator, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (report);
  g_assert_cmpint (mpaio_test_sum_worker_get_total (worker), ==, 300 * 301 / 2);
}

/* The report has one record per chunk, each chunk once, rows as the
 * iterator's; a record's error is set exactly when it failed. */
static void
assert_report_complete (MpaioRunReport *report, guint64 n_chunks)
{
  g_autoptr(GArray) seen = g_array_new (FALSE, TRUE, sizeof (gboolean));

  g_assert_nonnull (report);
  g_assert_cmpuint (mpaio_run_report_get_n_records (report), ==, n_chunks);
  g_array_set_size (seen, n_chunks);

  for (guint i = 0; i < n_chunks; i++)
    {
      const MpaioChunkRecord *record = mpaio_run_report_get_record (report, i);
      gboolean                failed = mpaio_chunk_record_get_outcome (record) == MPAIO_CHUNK_OUTCOME_FAILED;

      g_assert_cmpuint (record->chunk_index, <, n_chunks);
      g_assert_false (g_array_index (seen, gboolean, record->chunk_index));
      g_array_index (seen, gboolean, record->chunk_index) = TRUE;
      g_assert_cmpuint (record->start_row, ==, record->chunk_index);
      g_assert_cmpuint (record->end_row, ==, record->chunk_index + 1);
      g_assert_true ((mpaio_chunk_record_get_error (record) != NULL) == failed);
    }
}

static gboolean
was_delivered (TestGateWorker *worker, guint64 index)
{
  for (guint i = 0; i < worker->delivered->len; i++)
    if (g_array_index (worker->delivered, MpaioChunk, i).index == index)
      return TRUE;

  return FALSE;
}

/* Every chunk done was delivered, and nothing else was. */
static void
assert_done_is_delivered (MpaioRunReport *report, TestGateWorker *worker)
{
  guint n_done = 0;

  for (guint i = 0; i < mpaio_run_report_get_n_records (report); i++)
    {
      const MpaioChunkRecord *record = mpaio_run_report_get_record (report, i);

      if (record->outcome == MPAIO_CHUNK_OUTCOME_DONE)
        {
          n_done++;
          g_assert_true (was_delivered (worker, record->chunk_index));
        }
    }

  g_assert_cmpuint (n_done, ==, worker->delivered->len);
}

/* Chunk 0 fails at once; every other chunk waits at the gate, which opens
 * when the failure comes back. More chunks than the executor takes at once,
 * so some are never sent. */
static TestGateWorker *
run_gated (gconstpointer    data,
           MpaioErrorPolicy policy,
           GError         **error,
           MpaioRunReport **report,
           guint           *max_in_flight)
{
  g_autoptr(TestGateExecutor) executor = new_gate_executor (data);
  g_autoptr(TestGateWorker) worker = NULL;
  g_autoptr(MpaioOrchestrator) orchestrator = NULL;
  g_autoptr(MpaioRunReport) finished = NULL;
  guint64 n_chunks;

  *max_in_flight = mpaio_executor_get_max_in_flight (MPAIO_EXECUTOR (executor));
  n_chunks = 3 * (guint64) *max_in_flight;
  worker = new_gate_worker (n_chunks, 0, 0, executor->gate);
  orchestrator = new_orchestrator (executor, worker, policy);

  finished = mpaio_test_run (orchestrator, NULL, error);
  g_assert_null (finished);
  *report = g_object_ref (mpaio_orchestrator_get_last_report (orchestrator));
  assert_report_complete (*report, n_chunks);
  assert_done_is_delivered (*report, worker);

  /* Results of chunks the run dropped are never delivered later. */
  assert_executor_usable (executor->inner);
  assert_done_is_delivered (*report, worker);

  return g_steal_pointer (&worker);
}

static void
assert_chunk_0_failed (MpaioRunReport *report)
{
  for (guint i = 0; i < mpaio_run_report_get_n_records (report); i++)
    {
      const MpaioChunkRecord *record = mpaio_run_report_get_record (report, i);

      if (record->chunk_index == 0)
        {
          const GError *error = mpaio_chunk_record_get_error (record);

          g_assert_cmpint (record->outcome, ==, MPAIO_CHUNK_OUTCOME_FAILED);
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
          mpaio_test_assert_message_contains (error, "Chunk 0 (rows 0 to 1)");
          mpaio_test_assert_message_contains (error, "refused chunk 0");
          return;
        }
    }

  g_assert_not_reached ();
}

static void
test_finish_in_flight (gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(TestGateWorker) worker = NULL;
  guint max_in_flight;

  g_test_summary ("FINISH_IN_FLIGHT: after chunk 0 fails, the chunks in flight then finish and "
                  "are delivered, no other chunk is sent, and the run fails with chunk 0's error");

  worker = run_gated (data, MPAIO_ERROR_POLICY_FINISH_IN_FLIGHT, &error, &report, &max_in_flight);

  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  mpaio_test_assert_message_contains (error, "Chunk 0 (rows 0 to 1)");
  mpaio_test_assert_message_contains (error, "refused chunk 0");
  assert_chunk_0_failed (report);

  g_assert_cmpuint (mpaio_run_report_count_outcome (report, MPAIO_CHUNK_OUTCOME_FAILED), ==, 1);
  g_assert_cmpuint (mpaio_run_report_count_outcome (report, MPAIO_CHUNK_OUTCOME_DONE), ==,
                    max_in_flight - 1);
  g_assert_cmpuint (worker->delivered->len, ==, max_in_flight - 1);
  g_assert_cmpuint (mpaio_run_report_count_outcome (report, MPAIO_CHUNK_OUTCOME_CANCELLED), ==, 0);
  g_assert_cmpuint (mpaio_run_report_count_outcome (report, MPAIO_CHUNK_OUTCOME_NOT_SENT), ==,
                    2 * max_in_flight);
}

static void
test_fail_fast (gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(TestGateWorker) worker = NULL;
  guint max_in_flight;

  g_test_summary ("FAIL_FAST: when chunk 0 fails the run fails at once, the chunks in flight are "
                  "cancelled and never delivered, and the executor stays usable");

  worker = run_gated (data, MPAIO_ERROR_POLICY_FAIL_FAST, &error, &report, &max_in_flight);

  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  mpaio_test_assert_message_contains (error, "Chunk 0 (rows 0 to 1)");
  mpaio_test_assert_message_contains (error, "refused chunk 0");
  assert_chunk_0_failed (report);

  g_assert_cmpuint (worker->delivered->len, ==, 0);
  g_assert_cmpuint (mpaio_run_report_count_outcome (report, MPAIO_CHUNK_OUTCOME_FAILED), ==, 1);
  g_assert_cmpuint (mpaio_run_report_count_outcome (report, MPAIO_CHUNK_OUTCOME_DONE), ==, 0);
  g_assert_cmpuint (mpaio_run_report_count_outcome (report, MPAIO_CHUNK_OUTCOME_CANCELLED), ==,
                    max_in_flight - 1);
  g_assert_cmpuint (mpaio_run_report_count_outcome (report, MPAIO_CHUNK_OUTCOME_NOT_SENT), ==,
                    2 * max_in_flight);
}

/* 40 chunks; 3, 10, 17, 24, 31 and 38 fail. */
static void
run_continue (gconstpointer data, gboolean ordered)
{
  g_autoptr(MpaioExecutor) executor = mpaio_test_new_executor (data);
  g_autoptr(TestGateWorker) worker = new_gate_worker (40, 3, 7, NULL);
  g_autoptr(MpaioOrchestrator) orchestrator =
               new_orchestrator (executor, worker, MPAIO_ERROR_POLICY_CONTINUE);
  g_autoptr(MpaioRunReport) finished = NULL;
  g_autoptr(GError) error = NULL;
  MpaioRunReport *report;

  mpaio_orchestrator_set_ordered (orchestrator, ordered);
  finished = mpaio_test_run (orchestrator, NULL, &error);

  g_assert_null (finished);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  mpaio_test_assert_message_contains (error, "6 of 40 chunks failed: ");
  /* The first three in chunk order, whatever order they failed in. */
  mpaio_test_assert_message_contains (error, "Chunk 3 (rows 3 to 4)");
  mpaio_test_assert_message_contains (error, "refused chunk 3; ");
  mpaio_test_assert_message_contains (error, "refused chunk 10; ");
  mpaio_test_assert_message_contains (error, "refused chunk 17; and 3 more");
  g_assert_null (strstr (error->message, "chunk 24"));

  /* Every other chunk ran and was delivered. */
  g_assert_cmpuint (worker->delivered->len, ==, 34);
  g_assert_cmpuint (mpaio_orchestrator_get_n_chunks_done (orchestrator), ==, 34);
  for (guint64 i = 0; i < 40; i++)
    g_assert_true (was_delivered (worker, i) != gate_worker_fails (worker, i));
  if (ordered)
    for (guint i = 1; i < worker->delivered->len; i++)
      g_assert_cmpuint (g_array_index (worker->delivered, MpaioChunk, i - 1).index, <,
                        g_array_index (worker->delivered, MpaioChunk, i).index);

  report = mpaio_orchestrator_get_last_report (orchestrator);
  assert_report_complete (report, 40);
  assert_done_is_delivered (report, worker);
  g_assert_cmpuint (mpaio_run_report_count_outcome (report, MPAIO_CHUNK_OUTCOME_FAILED), ==, 6);
  g_assert_cmpuint (mpaio_run_report_count_outcome (report, MPAIO_CHUNK_OUTCOME_DONE), ==, 34);
  for (guint i = 0; i < 40; i++)
    {
      const MpaioChunkRecord *record = mpaio_run_report_get_record (report, i);

      if (record->outcome == MPAIO_CHUNK_OUTCOME_FAILED)
        {
          g_autofree char *expected =
            g_strdup_printf ("refused chunk %" G_GUINT64_FORMAT, record->chunk_index);

          g_assert_true (gate_worker_fails (worker, record->chunk_index));
          g_assert_error (record->error, G_IO_ERROR, G_IO_ERROR_FAILED);
          mpaio_test_assert_message_contains (record->error, expected);
        }
    }

  assert_executor_usable (executor);
}

static void
test_continue (gconstpointer data)
{
  g_test_summary ("CONTINUE: every chunk runs, every failure is in the report, and the run fails "
                  "with an error that counts them and names the first three in chunk order");

  run_continue (data, FALSE);
}

static void
test_continue_ordered (gconstpointer data)
{
  g_test_summary ("CONTINUE with ordered delivery: the results after a failed chunk do not wait "
                  "for it, and come in chunk order");

  run_continue (data, TRUE);
}

static void
test_continue_no_failure (gconstpointer data)
{
  g_autoptr(MpaioExecutor) executor = mpaio_test_new_executor (data);
  g_autoptr(TestGateWorker) worker = new_gate_worker (50, -1, 0, NULL);
  g_autoptr(MpaioOrchestrator) orchestrator =
               new_orchestrator (executor, worker, MPAIO_ERROR_POLICY_CONTINUE);
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GError) error = NULL;

  g_test_summary ("CONTINUE: a run where no chunk fails succeeds, with every chunk done");

  report = mpaio_test_run (orchestrator, NULL, &error);

  g_assert_no_error (error);
  g_assert_true (report == mpaio_orchestrator_get_last_report (orchestrator));
  assert_report_complete (report, 50);
  g_assert_cmpuint (mpaio_run_report_count_outcome (report, MPAIO_CHUNK_OUTCOME_DONE), ==, 50);
  g_assert_cmpuint (worker->delivered->len, ==, 50);
}

static void
test_continue_crash (void)
{
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (2);
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (400);
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioDataIterator) iterator = mpaio_data_iterator_new (array, 20, &error);
  g_autoptr(MpaioTestFaultWorker) worker =
               mpaio_test_fault_worker_new (iterator, MPAIO_TEST_CRASH_SIGKILL, 7);
  g_autoptr(MpaioOrchestrator) orchestrator =
               new_orchestrator (pool, worker, MPAIO_ERROR_POLICY_CONTINUE);
  g_autoptr(MpaioRunReport) finished = NULL;
  GArray         *results = mpaio_test_fault_worker_get_results (worker);
  MpaioRunReport *report;
  guint           n_failed;

  g_test_summary ("CONTINUE on a process pool: a worker process killed on chunk 7 fails that "
                  "chunk; the pool replaces the process and the run goes on with the others");

  g_assert_no_error (error);
  finished = mpaio_test_run (orchestrator, NULL, &error);

  g_assert_null (finished);
  g_assert_error (error, MPAIO_ERROR, MPAIO_ERROR_WORKER_CRASHED);
  mpaio_test_assert_message_contains (error, " of 20 chunks failed: ");

  report = mpaio_orchestrator_get_last_report (orchestrator);
  g_assert_cmpuint (mpaio_run_report_get_n_records (report), ==, 20);
  n_failed = mpaio_run_report_count_outcome (report, MPAIO_CHUNK_OUTCOME_FAILED);
  g_assert_cmpuint (n_failed, >=, 1);
  g_assert_cmpuint (mpaio_run_report_count_outcome (report, MPAIO_CHUNK_OUTCOME_DONE), ==,
                    20 - n_failed);
  g_assert_cmpuint (results->len, ==, 20 - n_failed);
  for (guint i = 0; i < 20; i++)
    {
      const MpaioChunkRecord *record = mpaio_run_report_get_record (report, i);

      if (record->chunk_index == 7)
        g_assert_cmpint (record->outcome, ==, MPAIO_CHUNK_OUTCOME_FAILED);
      if (record->outcome == MPAIO_CHUNK_OUTCOME_FAILED)
        g_assert_error (record->error, MPAIO_ERROR, MPAIO_ERROR_WORKER_CRASHED);
    }
  for (guint i = 0; i < results->len; i++)
    {
      const MpaioTestResult *result = &g_array_index (results, MpaioTestResult, i);

      g_assert_cmpint (result->value, ==, mpaio_test_counting_sum (&result->chunk));
    }

  assert_executor_usable (MPAIO_EXECUTOR (pool));
}

static void
on_notify (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  (*(guint *) user_data)++;
}

static void
test_property (void)
{
  g_autoptr(MpaioThreadPool) pool = mpaio_thread_pool_new (1, NULL);
  g_autoptr(MpaioOrchestrator) orchestrator =
               mpaio_orchestrator_new (MPAIO_EXECUTOR (pool), NULL, 0);
  GEnumClass      *enum_class = g_type_class_ref (MPAIO_TYPE_ERROR_POLICY);
  MpaioErrorPolicy policy;
  guint            n_notified = 0;

  g_test_summary ("error-policy: FINISH_IN_FLIGHT by default, an enum property with nicks, "
                  "notified only on change");

  g_assert_cmpint (mpaio_orchestrator_get_error_policy (orchestrator), ==,
                   MPAIO_ERROR_POLICY_FINISH_IN_FLIGHT);
  g_assert_cmpstr (g_enum_get_value (enum_class, MPAIO_ERROR_POLICY_FAIL_FAST)->value_nick, ==,
                   "fail-fast");
  g_assert_nonnull (g_enum_get_value_by_nick (enum_class, "finish-in-flight"));
  g_assert_nonnull (g_enum_get_value_by_nick (enum_class, "continue"));

  g_signal_connect (orchestrator, "notify::error-policy", G_CALLBACK (on_notify), &n_notified);
  g_object_set (orchestrator, "error-policy", MPAIO_ERROR_POLICY_CONTINUE, NULL);
  g_object_get (orchestrator, "error-policy", &policy, NULL);
  g_assert_cmpint (policy, ==, MPAIO_ERROR_POLICY_CONTINUE);
  mpaio_orchestrator_set_error_policy (orchestrator, MPAIO_ERROR_POLICY_CONTINUE);
  g_assert_cmpuint (n_notified, ==, 1);
  mpaio_orchestrator_set_error_policy (orchestrator, MPAIO_ERROR_POLICY_FAIL_FAST);
  g_assert_cmpuint (n_notified, ==, 2);

  g_type_class_unref (enum_class);
}

static void
add_test (const char *name, GTestDataFunc func)
{
  static const char *const executor_names[] = {
    [MPAIO_TEST_EXECUTOR_PROCESS_POOL] = "process-pool",
    [MPAIO_TEST_EXECUTOR_THREAD_POOL] = "thread-pool",
  };

  for (guint kind = 0; kind < G_N_ELEMENTS (executor_names); kind++)
    {
      g_autofree char *path = g_strdup_printf ("/error-policy/%s/%s", name, executor_names[kind]);

      g_test_add_data_func (path, GINT_TO_POINTER (kind), func);
    }
}

int
main (int argc, char **argv)
{
  g_type_ensure (TEST_TYPE_GATE_WORKER);
  mpaio_test_ensure_fault_workers ();
  mpaio_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_summary ("MpaioOrchestrator:error-policy on MpaioProcessPool and MpaioThreadPool: "
                  "finish in flight, fail fast, continue");

  g_test_add_func ("/error-policy/property", test_property);
  add_test ("finish-in-flight", test_finish_in_flight);
  add_test ("fail-fast", test_fail_fast);
  add_test ("continue", test_continue);
  add_test ("continue-ordered", test_continue_ordered);
  add_test ("continue-no-failure", test_continue_no_failure);
  g_test_add_func ("/error-policy/continue-crash/process-pool", test_continue_crash);

  return g_test_run ();
}
