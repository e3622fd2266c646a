/* test-fail-run.c: mpaio_worker_fail_run() from a process_callback ends the run
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "mpaio-test-workers.h"

#define TEST_ERROR (g_quark_from_static_string ("test-fail-run-error"))

/* Counts its chunks' rows; its process_callback fails the run on the chunk
 * whose index is `fail-index` (when `twice`, with two calls: the first
 * error counts), and records the chunks delivered. */
#define TEST_TYPE_REFUSING_WORKER (test_refusing_worker_get_type ())
G_DECLARE_FINAL_TYPE (TestRefusingWorker, test_refusing_worker, TEST, REFUSING_WORKER, MpaioWorker)

struct _TestRefusingWorker
{
  MpaioWorker parent_instance;

  gint64   fail_index;
  gboolean twice;
  GArray  *delivered; /* guint64 chunk indexes */
};

G_DEFINE_FINAL_TYPE (TestRefusingWorker, test_refusing_worker, MPAIO_TYPE_WORKER)

static GVariant *
test_refusing_worker_process (MpaioWorker *worker, const MpaioChunk *chunk, GError **error)
{
  return g_variant_new_uint64 (chunk->end - chunk->start);
}

static void
test_refusing_worker_process_callback (MpaioWorker      *worker,
                                       const MpaioChunk *chunk,
                                       GVariant         *result)
{
  TestRefusingWorker *self = TEST_REFUSING_WORKER (worker);

  g_array_append_val (self->delivered, chunk->index);
  if ((gint64) chunk->index == self->fail_index)
    {
      g_autoptr(GError) error = g_error_new (TEST_ERROR, 3, "chunk %" G_GUINT64_FORMAT " is wrong",
                                              chunk->index);

      mpaio_worker_fail_run (worker, error);
      if (self->twice)
        {
          g_autoptr(GError) second = g_error_new_literal (TEST_ERROR, 4, "second");

          mpaio_worker_fail_run (worker, second);
        }
    }
}

static void
test_refusing_worker_finalize (GObject *object)
{
  g_array_unref (TEST_REFUSING_WORKER (object)->delivered);
  G_OBJECT_CLASS (test_refusing_worker_parent_class)->finalize (object);
}

static void
test_refusing_worker_class_init (TestRefusingWorkerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_refusing_worker_finalize;
  MPAIO_WORKER_CLASS (klass)->process = test_refusing_worker_process;
  MPAIO_WORKER_CLASS (klass)->process_callback = test_refusing_worker_process_callback;
}

static void
test_refusing_worker_init (TestRefusingWorker *self)
{
  self->fail_index = -1;
  self->delivered = g_array_new (FALSE, FALSE, sizeof (guint64));
}

static TestRefusingWorker *
new_worker (guint64 n_rows, guint64 chunk_size, gint64 fail_index)
{
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (n_rows);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_chunked (array, chunk_size);
  TestRefusingWorker *worker = g_object_new (TEST_TYPE_REFUSING_WORKER, "data-iterator", iterator,
                                             NULL);

  worker->fail_index = fail_index;
  return worker;
}

static MpaioOrchestrator *
new_orchestrator (MpaioExecutor *executor, gpointer worker, gboolean ordered)
{
  MpaioWorker       *workers[] = { worker };
  MpaioOrchestrator *orchestrator = mpaio_orchestrator_new (executor, workers, 1);

  mpaio_orchestrator_set_ordered (orchestrator, ordered);
  return orchestrator;
}

/* Ordered, so the failing callback is the third one: the run ends with its
 * error (domain and code kept, the chunk named) and no callback follows. */
static void
test_fails_run (gconstpointer data)
{
  g_autoptr(MpaioExecutor) executor = mpaio_test_new_executor (data);
  g_autoptr(TestRefusingWorker) worker = new_worker (100, 10, 2);
  g_autoptr(MpaioOrchestrator) orchestrator = new_orchestrator (executor, worker, TRUE);
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioRunReport) report = mpaio_test_run (orchestrator, NULL, &error);

  g_assert_null (report);
  g_assert_error (error, TEST_ERROR, 3);
  mpaio_test_assert_message_contains (error, "chunk 2 is wrong");
  mpaio_test_assert_message_contains (error, "Chunk 2 (rows 20 to 30)");
  mpaio_test_assert_message_contains (error, "process_callback");
  g_assert_cmpuint (worker->delivered->len, ==, 3);
  g_assert_cmpuint (g_array_index (worker->delivered, guint64, 2), ==, 2);
  g_assert_false (mpaio_orchestrator_get_running (orchestrator));
  g_assert_nonnull (mpaio_orchestrator_get_last_report (orchestrator));
}

/* In arrival order too; whatever the error policy. */
static void
test_fails_run_unordered_continue (gconstpointer data)
{
  g_autoptr(MpaioExecutor) executor = mpaio_test_new_executor (data);
  g_autoptr(TestRefusingWorker) worker = new_worker (100, 10, 5);
  g_autoptr(MpaioOrchestrator) orchestrator = new_orchestrator (executor, worker, FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioRunReport) report = NULL;
  guint64 last;

  mpaio_orchestrator_set_error_policy (orchestrator, MPAIO_ERROR_POLICY_CONTINUE);
  report = mpaio_test_run (orchestrator, NULL, &error);

  g_assert_null (report);
  g_assert_error (error, TEST_ERROR, 3);
  last = g_array_index (worker->delivered, guint64, worker->delivered->len - 1);
  g_assert_cmpuint (last, ==, 5);
}

/* The first error of a callback counts; the next run starts afresh. */
static void
test_first_error_then_fresh_run (gconstpointer data)
{
  g_autoptr(MpaioExecutor) executor = mpaio_test_new_executor (data);
  g_autoptr(TestRefusingWorker) worker = new_worker (40, 10, 0);
  g_autoptr(MpaioOrchestrator) orchestrator = new_orchestrator (executor, worker, TRUE);
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioRunReport) report = NULL;

  worker->twice = TRUE;
  report = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_error (error, TEST_ERROR, 3);
  g_clear_error (&error);

  /* A call outside a callback belongs to no run. */
  {
    g_autoptr(GError) stray = g_error_new_literal (TEST_ERROR, 9, "stray");

    mpaio_worker_fail_run (MPAIO_WORKER (worker), stray);
  }
  worker->fail_index = -1;
  g_array_set_size (worker->delivered, 0);
  report = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (report);
  g_assert_cmpuint (worker->delivered->len, ==, 4);
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
      g_autofree char *path = g_strdup_printf ("/fail-run/%s/%s", name, executor_names[kind]);

      g_test_add_data_func (path, GINT_TO_POINTER (kind), func);
    }
}

int
main (int argc, char **argv)
{
  g_type_ensure (TEST_TYPE_REFUSING_WORKER);
  mpaio_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_summary ("mpaio_worker_fail_run() from a process_callback ends the run with its error, "
                  "on both executors");

  add_test ("fails-run", test_fails_run);
  add_test ("unordered-continue", test_fails_run_unordered_continue);
  add_test ("first-error-then-fresh-run", test_first_error_then_fresh_run);

  return g_test_run ();
}
