/* test-thread-pool.c: MpaioThreadPool as an executor
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <unistd.h>

#include <mpaio.h>

/* A worker summing its chunk of an int64 array. It can be told to fail on one
 * chunk, and to hold its first call to process until the test opens a gate,
 * which is how the tests keep chunks queued behind a busy thread. */

#define TP_TYPE_SUM_WORKER (tp_sum_worker_get_type ())
G_DECLARE_FINAL_TYPE (TpSumWorker, tp_sum_worker, TP, SUM_WORKER, MpaioWorker)

struct _TpSumWorker
{
  MpaioWorker parent_instance;

  gint64   fail_chunk;
  gboolean hold_first;

  GMutex   lock;
  GCond    cond;
  gboolean gate_open;
  gboolean held;
  guint    n_calls;
  guint    n_on_main_thread;
};

G_DEFINE_FINAL_TYPE (TpSumWorker, tp_sum_worker, MPAIO_TYPE_WORKER)

static GThread *main_thread;

static GVariant *
tp_sum_worker_process (MpaioWorker      *worker,
                       const MpaioChunk *chunk,
                       GError          **error)
{
  TpSumWorker      *self = TP_SUM_WORKER (worker);
  MpaioSharedArray *array = mpaio_worker_get_array (worker);
  const gint64     *data = mpaio_shared_array_get_data (array);
  gint64            sum = 0;
  gboolean          hold;

  g_mutex_lock (&self->lock);
  self->n_calls++;
  if (g_thread_self () == main_thread)
    self->n_on_main_thread++;
  hold = self->hold_first && !self->held;
  if (hold)
    {
      self->held = TRUE;
      g_cond_broadcast (&self->cond);
      while (!self->gate_open)
        g_cond_wait (&self->cond, &self->lock);
    }
  g_mutex_unlock (&self->lock);

  if ((gint64) chunk->index == self->fail_chunk)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "chunk %" G_GUINT64_FORMAT " refused",
                   chunk->index);
      return NULL;
    }

  for (guint64 i = chunk->start; i < chunk->end; i++)
    sum += data[i];

  return g_variant_new_int64 (sum);
}

static void
tp_sum_worker_finalize (GObject *object)
{
  TpSumWorker *self = TP_SUM_WORKER (object);

  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (tp_sum_worker_parent_class)->finalize (object);
}

static void
tp_sum_worker_class_init (TpSumWorkerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = tp_sum_worker_finalize;
  MPAIO_WORKER_CLASS (klass)->process = tp_sum_worker_process;
}

static void
tp_sum_worker_init (TpSumWorker *self)
{
  self->fail_chunk = -1;
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
}

/* Blocks the calling (main) thread until the held call to process has
 * started: plain thread synchronisation, not a main-loop wait. */
static void
tp_sum_worker_wait_held (TpSumWorker *self)
{
  g_mutex_lock (&self->lock);
  while (!self->held)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);
}

static void
tp_sum_worker_open_gate (TpSumWorker *self)
{
  g_mutex_lock (&self->lock);
  self->gate_open = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

static guint
tp_sum_worker_get_n_calls (TpSumWorker *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->n_calls;
  g_mutex_unlock (&self->lock);

  return n;
}

/* An array holding 1..n_rows, and a worker over it in chunks of chunk_size. */
static TpSumWorker *
make_worker (guint64 n_rows,
             guint64 chunk_size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioSharedArray) array = NULL;
  g_autoptr(MpaioDataIterator) iterator = NULL;
  gint64 *data;

  array = mpaio_shared_array_new (MPAIO_DTYPE_INT64, &n_rows, 1, &error);
  g_assert_no_error (error);
  data = mpaio_shared_array_get_data (array);
  for (guint64 i = 0; i < n_rows; i++)
    data[i] = (gint64) i + 1;

  iterator = mpaio_data_iterator_new (array, chunk_size, &error);
  g_assert_no_error (error);

  return g_object_new (TP_TYPE_SUM_WORKER, "data-iterator", iterator, NULL);
}

static gint64
expected_sum (const MpaioChunk *chunk)
{
  /* Rows hold their index + 1: the sum of (start+1)..end. */
  return (gint64) ((chunk->end * (chunk->end + 1) - chunk->start * (chunk->start + 1)) / 2);
}

typedef struct _Batch Batch;

typedef struct
{
  Batch           *batch;
  MpaioChunk       chunk;
  gboolean         done;
  GVariant        *result;
  GError          *error;
  MpaioChunkRecord record;
  gint64           submitted_us;
  gint64           callback_us;
} Submission;

struct _Batch
{
  guint       n_done;
  Submission *subs;
};

static void
submitted_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Submission *sub = user_data;

  g_assert_true (g_thread_self () == main_thread);
  g_assert_false (sub->done);

  sub->callback_us = g_get_monotonic_time ();
  sub->result = mpaio_executor_submit_finish (MPAIO_EXECUTOR (source), result, &sub->record,
                                              &sub->error);
  g_assert_true ((sub->result == NULL) != (sub->error == NULL));
  sub->done = TRUE;
  sub->batch->n_done++;
}

static void
submit (MpaioExecutor *executor,
        MpaioWorker   *worker,
        Batch         *batch,
        guint          i,
        GCancellable  *cancellable)
{
  Submission *sub = &batch->subs[i];

  sub->submitted_us = g_get_monotonic_time ();
  mpaio_executor_submit_async (executor, worker, &sub->chunk, cancellable, submitted_cb, sub);
}

static Batch *
batch_new (MpaioWorker *worker)
{
  MpaioDataIterator *iterator = mpaio_worker_get_data_iterator (worker);
  guint64            n = mpaio_data_iterator_get_n_chunks (iterator);
  Batch             *batch = g_new0 (Batch, 1);

  batch->subs = g_new0 (Submission, n);
  for (guint64 i = 0; i < n; i++)
    {
      batch->subs[i].batch = batch;
      g_assert_true (mpaio_data_iterator_get_chunk (iterator, i, &batch->subs[i].chunk));
    }

  return batch;
}

static void
batch_free (Batch *batch,
            guint  n)
{
  for (guint i = 0; i < n; i++)
    {
      g_clear_pointer (&batch->subs[i].result, g_variant_unref);
      g_clear_error (&batch->subs[i].error);
    }
  g_free (batch->subs);
  g_free (batch);
}

static void
wait_for (Batch *batch,
          guint  n)
{
  while (batch->n_done < n)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_properties (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioThreadPool) pool = NULL;
  g_autoptr(MpaioThreadPool) default_pool = NULL;
  guint n_workers = 0;

  pool = mpaio_thread_pool_new (3, &error);
  g_assert_no_error (error);
  g_assert_true (MPAIO_IS_EXECUTOR (pool));
  g_assert_cmpuint (mpaio_thread_pool_get_n_workers (pool), ==, 3);
  g_object_get (pool, "n-workers", &n_workers, NULL);
  g_assert_cmpuint (n_workers, ==, 3);
  g_assert_cmpuint (mpaio_executor_get_max_in_flight (MPAIO_EXECUTOR (pool)), ==, 3 * 64);

  default_pool = mpaio_thread_pool_new (0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mpaio_thread_pool_get_n_workers (default_pool), ==, g_get_num_processors ());
  g_assert_cmpuint (mpaio_executor_get_max_in_flight (MPAIO_EXECUTOR (default_pool)), ==,
                    64 * g_get_num_processors ());
}

static void
test_many_chunks (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioThreadPool) pool = NULL;
  g_autoptr(TpSumWorker) worker = make_worker (100003, 97);
  guint64 n = mpaio_data_iterator_get_n_chunks (
    mpaio_worker_get_data_iterator (MPAIO_WORKER (worker)));
  Batch *batch = batch_new (MPAIO_WORKER (worker));
  gint64 total = 0;

  g_assert_cmpuint (n, ==, 1031);

  pool = mpaio_thread_pool_new (4, &error);
  g_assert_no_error (error);

  /* All at once, far beyond get_max_in_flight: the pool queues them. */
  for (guint i = 0; i < n; i++)
    submit (MPAIO_EXECUTOR (pool), MPAIO_WORKER (worker), batch, i, NULL);
  wait_for (batch, n);

  for (guint i = 0; i < n; i++)
    {
      Submission *sub = &batch->subs[i];

      g_assert_no_error (sub->error);
      g_assert_true (g_variant_is_of_type (sub->result, G_VARIANT_TYPE_INT64));
      g_assert_false (g_variant_is_floating (sub->result));
      g_assert_cmpint (g_variant_get_int64 (sub->result), ==, expected_sum (&sub->chunk));
      total += g_variant_get_int64 (sub->result);
    }

  g_assert_cmpint (total, ==, (gint64) 100003 * 100004 / 2);
  g_assert_cmpuint (tp_sum_worker_get_n_calls (worker), ==, n);
  g_assert_cmpuint (worker->n_on_main_thread, ==, 0);

  batch_free (batch, n);
}

static void
test_record (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioThreadPool) pool = NULL;
  g_autoptr(TpSumWorker) worker = make_worker (1000, 100);
  Batch *batch = batch_new (MPAIO_WORKER (worker));

  pool = mpaio_thread_pool_new (2, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < 10; i++)
    {
      /* The orchestrator's field, which the executor must leave alone. */
      batch->subs[i].record.worker_index = 42;
      submit (MPAIO_EXECUTOR (pool), MPAIO_WORKER (worker), batch, i, NULL);
    }
  wait_for (batch, 10);

  for (guint i = 0; i < 10; i++)
    {
      const Submission       *sub = &batch->subs[i];
      const MpaioChunkRecord *rec = &sub->record;

      g_assert_no_error (sub->error);
      g_assert_cmpuint (rec->worker_index, ==, 42);
      g_assert_cmpuint (rec->chunk_index, ==, sub->chunk.index);
      g_assert_cmpuint (rec->start_row, ==, sub->chunk.start);
      g_assert_cmpuint (rec->end_row, ==, sub->chunk.end);
      g_assert_cmpint (rec->pid, ==, getpid ());
      g_assert_cmpint (sub->submitted_us, <=, rec->sent_us);
      g_assert_cmpint (rec->sent_us, <=, rec->started_us);
      g_assert_cmpint (rec->started_us, <=, rec->finished_us);
      g_assert_cmpint (rec->finished_us, <=, rec->returned_us);
      g_assert_cmpint (rec->returned_us, >=, sub->callback_us);
    }

  batch_free (batch, 10);
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
test_no_record (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioThreadPool) pool = NULL;
  g_autoptr(TpSumWorker) worker = make_worker (10, 10);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GVariant) value = NULL;
  MpaioChunk chunk = { 0, 0, 10 };

  pool = mpaio_thread_pool_new (1, &error);
  g_assert_no_error (error);

  mpaio_executor_submit_async (MPAIO_EXECUTOR (pool), MPAIO_WORKER (worker), &chunk, NULL,
                               store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  value = mpaio_executor_submit_finish (MPAIO_EXECUTOR (pool), result, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_variant_get_int64 (value), ==, 55);
}

/* Each submission completes on the thread-default context of its caller,
 * also when several contexts use the same pool one after the other. */
static void
test_thread_default_context (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioThreadPool) pool = NULL;
  g_autoptr(TpSumWorker) worker = make_worker (1000, 10);

  pool = mpaio_thread_pool_new (2, &error);
  g_assert_no_error (error);

  for (guint round = 0; round < 3; round++)
    {
      g_autoptr(GMainContext) context = g_main_context_new ();
      Batch *batch = batch_new (MPAIO_WORKER (worker));

      g_main_context_push_thread_default (context);
      for (guint i = 0; i < 100; i++)
        submit (MPAIO_EXECUTOR (pool), MPAIO_WORKER (worker), batch, i, NULL);

      /* Nothing arrives on the global default context. */
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_assert_cmpuint (batch->n_done, ==, 0);

      while (batch->n_done < 100)
        g_main_context_iteration (context, TRUE);
      g_main_context_pop_thread_default (context);

      for (guint i = 0; i < 100; i++)
        g_assert_cmpint (g_variant_get_int64 (batch->subs[i].result), ==,
                         expected_sum (&batch->subs[i].chunk));
      batch_free (batch, 100);
    }
}

static void
test_worker_error (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioThreadPool) pool = NULL;
  g_autoptr(TpSumWorker) worker = make_worker (1000, 100);
  Batch *batch = batch_new (MPAIO_WORKER (worker));

  worker->fail_chunk = 3;
  pool = mpaio_thread_pool_new (2, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < 10; i++)
    submit (MPAIO_EXECUTOR (pool), MPAIO_WORKER (worker), batch, i, NULL);
  wait_for (batch, 10);

  for (guint i = 0; i < 10; i++)
    {
      const Submission *sub = &batch->subs[i];

      if (i == 3)
        {
          /* The worker's own error, as it set it. */
          g_assert_error (sub->error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
          g_assert_cmpstr (sub->error->message, ==, "chunk 3 refused");
          g_assert_null (sub->result);
          /* It ran, so its history is known. */
          g_assert_cmpint (sub->record.pid, ==, getpid ());
          g_assert_cmpint (sub->record.started_us, <=, sub->record.finished_us);
        }
      else
        {
          g_assert_no_error (sub->error);
          g_assert_cmpint (g_variant_get_int64 (sub->result), ==, expected_sum (&sub->chunk));
        }
    }

  batch_free (batch, 10);
}

static void
test_cancelled_before_submit (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioThreadPool) pool = NULL;
  g_autoptr(TpSumWorker) worker = make_worker (1000, 100);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Batch *batch = batch_new (MPAIO_WORKER (worker));

  pool = mpaio_thread_pool_new (2, &error);
  g_assert_no_error (error);

  g_cancellable_cancel (cancellable);
  for (guint i = 0; i < 10; i++)
    submit (MPAIO_EXECUTOR (pool), MPAIO_WORKER (worker), batch, i, cancellable);
  wait_for (batch, 10);

  for (guint i = 0; i < 10; i++)
    {
      g_assert_error (batch->subs[i].error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_null (batch->subs[i].result);
    }
  g_assert_cmpuint (tp_sum_worker_get_n_calls (worker), ==, 0);

  batch_free (batch, 10);
}

static void
test_cancelled_while_queued (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioThreadPool) pool = NULL;
  g_autoptr(TpSumWorker) worker = make_worker (1000, 100);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Batch *batch = batch_new (MPAIO_WORKER (worker));

  worker->hold_first = TRUE;
  pool = mpaio_thread_pool_new (1, &error);
  g_assert_no_error (error);

  /* The only thread holds chunk 0, so chunks 1..4 wait in the queue while
   * their cancellable is cancelled; 5..9 are not cancellable. */
  submit (MPAIO_EXECUTOR (pool), MPAIO_WORKER (worker), batch, 0, NULL);
  tp_sum_worker_wait_held (worker);
  for (guint i = 1; i < 10; i++)
    submit (MPAIO_EXECUTOR (pool), MPAIO_WORKER (worker), batch, i, i < 5 ? cancellable : NULL);
  g_cancellable_cancel (cancellable);
  tp_sum_worker_open_gate (worker);
  wait_for (batch, 10);

  for (guint i = 0; i < 10; i++)
    {
      const Submission *sub = &batch->subs[i];

      if (i >= 1 && i < 5)
        {
          g_assert_error (sub->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
          /* Never ran, so the record was left alone. */
          g_assert_cmpint (sub->record.pid, ==, 0);
        }
      else
        {
          g_assert_no_error (sub->error);
          g_assert_cmpint (g_variant_get_int64 (sub->result), ==, expected_sum (&sub->chunk));
        }
    }
  g_assert_cmpuint (tp_sum_worker_get_n_calls (worker), ==, 6);

  batch_free (batch, 10);
}

static void
test_dispose_with_queued_work (void)
{
  g_autoptr(GError) error = NULL;
  MpaioThreadPool *pool;
  TpSumWorker     *worker = make_worker (1000, 10);
  Batch           *batch = batch_new (MPAIO_WORKER (worker));
  guint            n_ok = 0, n_cancelled = 0;
  g_autoptr(GAsyncResult) late = NULL;
  g_autoptr(GVariant) late_value = NULL;
  MpaioChunk chunk = { 0, 0, 10 };

  worker->hold_first = TRUE;
  pool = mpaio_thread_pool_new (1, &error);
  g_assert_no_error (error);
  /* No weak pointer on the pool: g_object_run_dispose() clears those. */
  g_object_add_weak_pointer (G_OBJECT (worker), (gpointer *) &worker);

  submit (MPAIO_EXECUTOR (pool), MPAIO_WORKER (worker), batch, 0, NULL);
  tp_sum_worker_wait_held (worker);
  for (guint i = 1; i < 100; i++)
    submit (MPAIO_EXECUTOR (pool), MPAIO_WORKER (worker), batch, i, NULL);

  /* Disposing waits for the running chunk, so let it go first; the queued
   * ones that a thread has not taken by then are cancelled. */
  tp_sum_worker_open_gate (worker);
  g_object_run_dispose (G_OBJECT (pool));

  /* A pool that is shut down refuses new work without running it. */
  mpaio_executor_submit_async (MPAIO_EXECUTOR (pool), MPAIO_WORKER (worker), &chunk, NULL,
                               store_result_cb, &late);

  wait_for (batch, 100);
  for (guint i = 0; i < 100; i++)
    {
      const Submission *sub = &batch->subs[i];

      if (sub->error != NULL)
        {
          g_assert_error (sub->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
          n_cancelled++;
        }
      else
        {
          g_assert_cmpint (g_variant_get_int64 (sub->result), ==, expected_sum (&sub->chunk));
          n_ok++;
        }
    }
  g_test_message ("%u chunks ran, %u were cancelled by the shutdown", n_ok, n_cancelled);
  g_assert_cmpuint (n_ok, >=, 1);
  g_assert_cmpuint (n_ok + n_cancelled, ==, 100);
  g_assert_cmpuint (tp_sum_worker_get_n_calls (worker), ==, n_ok);

  while (late == NULL)
    g_main_context_iteration (NULL, TRUE);
  late_value = mpaio_executor_submit_finish (MPAIO_EXECUTOR (pool), late, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_assert_null (late_value);
  g_clear_object (&late);

  /* Every task is gone: nothing holds the pool or the worker any more. */
  g_assert_cmpuint (G_OBJECT (pool)->ref_count, ==, 1);
  g_object_unref (pool);
  g_object_unref (worker);
  g_assert_null (worker);

  batch_free (batch, 100);
}

static void
test_unref_with_work_in_flight (void)
{
  g_autoptr(GError) error = NULL;
  MpaioThreadPool *pool;
  g_autoptr(TpSumWorker) worker = make_worker (10000, 10);
  Batch *batch = batch_new (MPAIO_WORKER (worker));

  pool = mpaio_thread_pool_new (2, &error);
  g_assert_no_error (error);
  g_object_add_weak_pointer (G_OBJECT (pool), (gpointer *) &pool);

  for (guint i = 0; i < 1000; i++)
    submit (MPAIO_EXECUTOR (pool), MPAIO_WORKER (worker), batch, i, NULL);

  /* Pending submissions keep the pool alive and all of them still run. */
  g_object_unref (pool);
  g_assert_nonnull (pool);

  wait_for (batch, 1000);
  for (guint i = 0; i < 1000; i++)
    {
      g_assert_no_error (batch->subs[i].error);
      g_assert_cmpint (g_variant_get_int64 (batch->subs[i].result), ==,
                       expected_sum (&batch->subs[i].chunk));
    }

  /* The last task may be finalized from the idle that completed it; let it. */
  while (pool != NULL)
    g_main_context_iteration (NULL, TRUE);

  batch_free (batch, 1000);
}

int
main (int    argc,
      char **argv)
{
  mpaio_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  main_thread = g_thread_self ();
  g_type_ensure (TP_TYPE_SUM_WORKER);

  g_test_add_func ("/thread-pool/properties", test_properties);
  g_test_add_func ("/thread-pool/many-chunks", test_many_chunks);
  g_test_add_func ("/thread-pool/record", test_record);
  g_test_add_func ("/thread-pool/no-record", test_no_record);
  g_test_add_func ("/thread-pool/thread-default-context", test_thread_default_context);
  g_test_add_func ("/thread-pool/worker-error", test_worker_error);
  g_test_add_func ("/thread-pool/cancelled-before-submit", test_cancelled_before_submit);
  g_test_add_func ("/thread-pool/cancelled-while-queued", test_cancelled_while_queued);
  g_test_add_func ("/thread-pool/dispose-with-queued-work", test_dispose_with_queued_work);
  g_test_add_func ("/thread-pool/unref-with-work-in-flight", test_unref_with_work_in_flight);

  return g_test_run ();
}
