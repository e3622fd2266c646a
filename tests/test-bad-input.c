/* test-bad-input.c: invalid arguments to every public entry point, workers
 * that return what they must not, and worker processes that break the
 * protocol
 *
 * Each invalid argument is either a GError or a documented precondition (a
 * g_return_if_fail() critical, and the documented return value), never a
 * crash or a hang. Each case runs in a subprocess of its own, so that one
 * that crashes is reported as such and the others still run.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mpaio-protocol-private.h"
#include "mpaio-test-workers.h"

/* Helpers */

static MpaioThreadPool *
new_thread_pool (guint n_workers)
{
  g_autoptr(GError) error = NULL;
  MpaioThreadPool *pool = mpaio_thread_pool_new (n_workers, &error);

  g_assert_no_error (error);
  g_assert_nonnull (pool);
  return pool;
}

/* Runs @worker alone on @executor; the report, or NULL with @error set. */
static MpaioRunReport *
run_worker (gpointer executor,
            gpointer worker,
            GError **error)
{
  MpaioWorker *workers[] = { worker };
  g_autoptr(MpaioOrchestrator) orchestrator =
               mpaio_orchestrator_new (MPAIO_EXECUTOR (executor), workers, 1);

  return mpaio_test_run (orchestrator, NULL, error);
}

/* Submits @chunk of @worker to @executor and waits for its completion. */
static GAsyncResult *
submit (gpointer          executor,
        gpointer          worker,
        const MpaioChunk *chunk)
{
  GAsyncResult *result = NULL;

  mpaio_executor_submit_async (MPAIO_EXECUTOR (executor), MPAIO_WORKER (worker), chunk, NULL,
                               mpaio_test_store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return result;
}

/* The number of open fds whose target starts with @prefix ("socket:",
 * "/dev/null"). */
/* A field of /proc/self/status, in KiB. */
static gsize
get_status_kib (const char *field)
{
  g_autofree char *status = NULL;
  g_autofree char *key = g_strdup_printf ("\n%s:", field);
  const char      *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  line = strstr (status, key);
  g_assert_nonnull (line);
  return (gsize) g_ascii_strtoull (line + strlen (key), NULL, 10);
}

/* Starts VmHWM, the peak of the resident set, again from the current one. */
static void
reset_peak_rss (void)
{
  int fd = open ("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, "5", 1), ==, 1);
  close (fd);
  g_assert_cmpuint (get_status_kib ("VmHWM"), <=, get_status_kib ("VmRSS") + 1024);
}

/* The table of invalid arguments
 *
 * An ERROR case calls the entry point and returns the GError it gave (and
 * checks that it returned nothing). A PRECONDITION case calls it where the
 * documented precondition fails, and checks the documented return value;
 * the critical is expected around it. */

typedef enum
{
  OUTCOME_ERROR,
  OUTCOME_PRECONDITION,
} Outcome;

typedef struct
{
  const char *path;
  Outcome     outcome;
  void (*call) (GError **error);
  GQuark (*domain) (void);
  gint        code;
  const char *part; /* of the error message; the glob of the critical */
} BadInput;

/* Shared arrays */

static void
array_no_dimensions (GError **error)
{
  guint64 shape[] = { 10 };
  g_autoptr(MpaioSharedArray) array = mpaio_shared_array_new (MPAIO_DTYPE_INT64, shape, 0, error);

  g_assert_null (array);
}

static void
array_null_shape (GError **error)
{
  g_autoptr(MpaioSharedArray) array = mpaio_shared_array_new (MPAIO_DTYPE_INT64, NULL, 1, error);

  g_assert_null (array);
}

static void
array_overflowing_shape (GError **error)
{
  guint64 shape[] = { G_GUINT64_CONSTANT (1) << 40, G_GUINT64_CONSTANT (1) << 40 };
  g_autoptr(MpaioSharedArray) array = mpaio_shared_array_new (MPAIO_DTYPE_INT64, shape, 2, error);

  g_assert_null (array);
}

static void
array_too_large (GError **error)
{
  /* 2^60 bytes: a valid size that no machine can map. */
  guint64 shape[] = { G_GUINT64_CONSTANT (1) << 57 };
  g_autoptr(MpaioSharedArray) array = mpaio_shared_array_new (MPAIO_DTYPE_INT64, shape, 1, error);

  g_assert_null (array);
}

static void
array_string_without_width (GError **error)
{
  guint64 shape[] = { 10 };
  g_autoptr(MpaioSharedArray) array = mpaio_shared_array_new (MPAIO_DTYPE_STRING, shape, 1, error);

  g_assert_null (array);
}

static void
array_unknown_dtype (GError **error)
{
  guint64 shape[] = { 10 };
  g_autoptr(MpaioSharedArray) array = mpaio_shared_array_new ((MpaioDType) 99, shape, 1, error);

  g_assert_null (array);
}

static void
array_wrong_item_size (GError **error)
{
  guint64 shape[] = { 10 };
  g_autoptr(MpaioSharedArray) array =
               mpaio_shared_array_new_full (MPAIO_DTYPE_INT64, 3, shape, 1, MPAIO_SHARED_ARRAY_FLAGS_NONE,
                                            error);

  g_assert_null (array);
}

static void
array_zero_item_size (GError **error)
{
  guint64 shape[] = { 10 };
  g_autoptr(MpaioSharedArray) array =
               mpaio_shared_array_new_full (MPAIO_DTYPE_STRING, 0, shape, 1, MPAIO_SHARED_ARRAY_FLAGS_NONE,
                                            error);

  g_assert_null (array);
}

static void
array_unknown_flags (GError **error)
{
  guint64 shape[] = { 10 };
  g_autoptr(MpaioSharedArray) array =
               mpaio_shared_array_new_full (MPAIO_DTYPE_INT64, 8, shape, 1, (MpaioSharedArrayFlags) 0x100,
                                            error);

  g_assert_null (array);
}

static void
array_from_negative_fd (GError **error)
{
  guint64 shape[] = { 10 };
  g_autoptr(MpaioSharedArray) array =
               mpaio_shared_array_new_from_fd (-1, MPAIO_DTYPE_INT64, 8, shape, 1,
                                               MPAIO_SHARED_ARRAY_FLAGS_NONE, error);

  g_assert_null (array);
}

static void
array_from_closed_fd (GError **error)
{
  guint64 shape[] = { 10 };
  int     fds[2];
  g_autoptr(MpaioSharedArray) array = NULL;

  /* A number that is surely not an open fd: one just closed. */
  g_assert_cmpint (pipe (fds), ==, 0);
  close (fds[0]);
  close (fds[1]);
  array = mpaio_shared_array_new_from_fd (fds[0], MPAIO_DTYPE_INT64, 8, shape, 1,
                                          MPAIO_SHARED_ARRAY_FLAGS_NONE, error);
  g_assert_null (array);
}

static void
array_from_pipe (GError **error)
{
  guint64 shape[] = { 10 };
  int     fds[2];
  g_autoptr(MpaioSharedArray) array = NULL;

  g_assert_cmpint (pipe (fds), ==, 0);
  array = mpaio_shared_array_new_from_fd (fds[0], MPAIO_DTYPE_INT64, 8, shape, 1,
                                          MPAIO_SHARED_ARRAY_FLAGS_NONE, error);
  close (fds[0]);
  close (fds[1]);
  g_assert_null (array);
}

static void
array_from_small_file (GError **error)
{
  guint64 shape[] = { 10 };
  int     fd = memfd_create ("small", MFD_CLOEXEC);
  g_autoptr(MpaioSharedArray) array = NULL;

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, 79), ==, 0);
  array = mpaio_shared_array_new_from_fd (fd, MPAIO_DTYPE_INT64, 8, shape, 1,
                                          MPAIO_SHARED_ARRAY_FLAGS_NONE, error);
  close (fd);
  g_assert_null (array);
}

static void
array_row_past_end (GError **error)
{
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (10);

  g_assert_null (mpaio_shared_array_get_row (array, 11));
}

/* Data iterators */

static void
iterator_chunk_size_0 (GError **error)
{
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (10);
  g_autoptr(MpaioDataIterator) iterator = mpaio_data_iterator_new (array, 0, error);

  g_assert_null (iterator);
}

static void
iterator_start_past_end (GError **error)
{
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (100);
  g_autoptr(MpaioDataIterator) iterator = mpaio_data_iterator_new_range (array, 10, 50, 10, error);

  g_assert_null (iterator);
}

static void
iterator_end_past_rows (GError **error)
{
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (100);
  g_autoptr(MpaioDataIterator) iterator = mpaio_data_iterator_new_range (array, 10, 0, 101, error);

  g_assert_null (iterator);
}

static void
iterator_start_past_rows (GError **error)
{
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (100);
  g_autoptr(MpaioDataIterator) iterator =
               mpaio_data_iterator_new_range (array, 10, 200, G_MAXUINT64, error);

  g_assert_null (iterator);
}

static void
iterator_null_array (GError **error)
{
  g_autoptr(MpaioDataIterator) iterator = mpaio_data_iterator_new (NULL, 10, error);

  g_assert_null (iterator);
}

static void
iterator_chunk_past_end (GError **error)
{
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (100);
  g_autoptr(MpaioDataIterator) iterator = mpaio_data_iterator_new (array, 10, error);
  MpaioChunk chunk = { 0, 0, 0 };

  g_assert_no_error (*error);
  /* Documented: FALSE past the last chunk, not a critical. */
  g_assert_false (mpaio_data_iterator_get_chunk (iterator, 10, &chunk));
  g_set_error_literal (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT, "FALSE as documented");
}

/* Executors and pools */

static void
pool_too_many_workers (GError **error)
{
  g_autoptr(MpaioProcessPool) pool = mpaio_process_pool_new (5000, error);

  g_assert_null (pool);
}

static void
pool_missing_program (GError **error)
{
  const char *argv[] = { "/nonexistent/mpaio-worker", NULL };
  g_autoptr(MpaioProcessPool) pool = mpaio_process_pool_new_with_argv (1, argv, error);

  g_assert_null (pool);
}

static void
pool_null_argv (GError **error)
{
  g_autoptr(MpaioProcessPool) pool = mpaio_process_pool_new_with_argv (1, NULL, error);

  g_assert_null (pool);
}

static void
thread_pool_too_many (GError **error)
{
  g_autoptr(MpaioThreadPool) pool = mpaio_thread_pool_new ((guint) G_MAXINT + 1, error);

  g_assert_null (pool);
}

static void
submit_chunk_backwards (GError **error)
{
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (1);
  g_autoptr(MpaioTestSumWorker) worker = mpaio_test_new_sum_worker (10, 5, 1);
  MpaioChunk chunk = { 0, 6, 4 };
  g_autoptr(GAsyncResult) result = submit (pool, worker, &chunk);
  g_autoptr(GVariant) value = NULL;

  value = mpaio_executor_submit_finish (MPAIO_EXECUTOR (pool), result, NULL, error);
  g_assert_null (value);
}

static void
submit_rows_outside_thread_pool (GError **error)
{
  g_autoptr(MpaioThreadPool) pool = new_thread_pool (1);
  g_autoptr(MpaioTestSumWorker) worker = mpaio_test_new_sum_worker (10, 5, 1);
  MpaioChunk chunk = { 0, 5, 11 };
  g_autoptr(GAsyncResult) result = submit (pool, worker, &chunk);
  g_autoptr(GVariant) value = NULL;

  value = mpaio_executor_submit_finish (MPAIO_EXECUTOR (pool), result, NULL, error);
  g_assert_null (value);
}

static void
submit_null_chunk (GError **error)
{
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (1);
  g_autoptr(MpaioTestSumWorker) worker = mpaio_test_new_sum_worker (10, 5, 1);

  mpaio_executor_submit_async (MPAIO_EXECUTOR (pool), MPAIO_WORKER (worker), NULL, NULL,
                               mpaio_test_store_result, NULL);
}

static void
submit_without_iterator (GError **error)
{
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (1);
  g_autoptr(MpaioWorker) worker = g_object_new (MPAIO_TEST_TYPE_SUM_WORKER, NULL);
  MpaioChunk chunk = { 0, 0, 1 };
  g_autoptr(GAsyncResult) result = submit (pool, worker, &chunk);
  g_autoptr(GVariant) value = NULL;

  value = mpaio_executor_submit_finish (MPAIO_EXECUTOR (pool), result, NULL, error);
  g_assert_null (value);
}

/* submit_finish of @executor given the result of @other: refused, and the
 * result is untouched, so its own executor still finishes it. */
static void
finish_on_wrong_executor (gpointer executor,
                          gpointer other,
                          GError **error)
{
  g_autoptr(MpaioTestSumWorker) worker = mpaio_test_new_sum_worker (10, 5, 1);
  MpaioChunk chunk = { 0, 0, 5 };
  g_autoptr(GAsyncResult) result = submit (other, worker, &chunk);
  g_autoptr(GVariant) value = NULL;
  g_autoptr(GVariant) right = NULL;

  value = mpaio_executor_submit_finish (MPAIO_EXECUTOR (executor), result, NULL, error);
  g_assert_null (value);

  right = mpaio_executor_submit_finish (MPAIO_EXECUTOR (other), result, NULL, NULL);
  g_assert_nonnull (right);
}

static void
finish_on_other_pool (GError **error)
{
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (1);
  g_autoptr(MpaioProcessPool) other = mpaio_test_new_pool (1);

  finish_on_wrong_executor (pool, other, error);
}

static void
finish_on_thread_pool (GError **error)
{
  g_autoptr(MpaioThreadPool) pool = new_thread_pool (1);
  g_autoptr(MpaioProcessPool) other = mpaio_test_new_pool (1);

  finish_on_wrong_executor (pool, other, error);
}

static void
finish_process_pool_on_thread_result (GError **error)
{
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (1);
  g_autoptr(MpaioThreadPool) other = new_thread_pool (1);

  finish_on_wrong_executor (pool, other, error);
}

/* Orchestrators */

static void
orchestrator_null_executor (GError **error)
{
  g_autoptr(MpaioTestSumWorker) worker = mpaio_test_new_sum_worker (10, 5, 1);
  MpaioWorker *workers[] = { MPAIO_WORKER (worker) };
  g_autoptr(MpaioOrchestrator) orchestrator = mpaio_orchestrator_new (NULL, workers, 1);

  g_assert_null (orchestrator);
}

static void
orchestrator_null_workers (GError **error)
{
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (1);
  g_autoptr(MpaioOrchestrator) orchestrator =
               mpaio_orchestrator_new (MPAIO_EXECUTOR (pool), NULL, 2);

  g_assert_null (orchestrator);
}

static void
orchestrator_add_null_worker (GError **error)
{
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (1);
  g_autoptr(MpaioOrchestrator) orchestrator =
               mpaio_orchestrator_new (MPAIO_EXECUTOR (pool), NULL, 0);

  mpaio_orchestrator_add_worker (orchestrator, NULL);
  g_assert_cmpuint (mpaio_orchestrator_get_n_workers (orchestrator), ==, 0);
}

static void
orchestrator_empty (GError **error)
{
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (1);
  g_autoptr(MpaioOrchestrator) orchestrator =
               mpaio_orchestrator_new (MPAIO_EXECUTOR (pool), NULL, 0);
  g_autoptr(MpaioRunReport) report = mpaio_test_run (orchestrator, NULL, error);

  g_assert_null (report);
}

static void
orchestrator_worker_without_iterator (GError **error)
{
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (1);
  g_autoptr(MpaioWorker) worker = g_object_new (MPAIO_TEST_TYPE_SUM_WORKER, NULL);
  g_autoptr(MpaioRunReport) report = run_worker (pool, worker, error);

  g_assert_null (report);
}

static void
orchestrator_invalid_iterator (GError **error)
{
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (1);
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (100);
  /* As a binding makes it: g_object_new() validates nothing. */
  g_autoptr(MpaioDataIterator) iterator =
               g_object_new (MPAIO_TYPE_DATA_ITERATOR, "array", array, "chunk-size", (guint64) 10,
                             "start-index", (guint64) 80, "end-index", (guint64) 20, NULL);
  g_autoptr(MpaioTestSumWorker) worker = mpaio_test_sum_worker_new (iterator, 1);
  g_autoptr(MpaioRunReport) report = run_worker (pool, worker, error);

  g_assert_null (report);
  g_assert_cmpuint (mpaio_test_sum_worker_get_results (worker)->len, ==, 0);
}

static void
orchestrator_already_running (GError **error)
{
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (1);
  g_autoptr(MpaioTestSumWorker) worker = mpaio_test_new_sum_worker (1000, 100, 1);
  MpaioWorker *workers[] = { MPAIO_WORKER (worker) };
  g_autoptr(MpaioOrchestrator) orchestrator =
               mpaio_orchestrator_new (MPAIO_EXECUTOR (pool), workers, 1);
  g_autoptr(GAsyncResult) first = NULL;
  g_autoptr(MpaioRunReport) report = NULL;

  mpaio_orchestrator_run_async (orchestrator, NULL, mpaio_test_store_result, &first);
  report = mpaio_test_run (orchestrator, NULL, error);
  g_assert_null (report);

  while (first == NULL)
    g_main_context_iteration (NULL, TRUE);
  report = mpaio_orchestrator_run_finish (orchestrator, first, NULL);
  g_assert_nonnull (report);
}

static void
orchestrator_finish_other (GError **error)
{
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (1);
  g_autoptr(MpaioTestSumWorker) worker = mpaio_test_new_sum_worker (100, 50, 1);
  MpaioWorker *workers[] = { MPAIO_WORKER (worker) };
  g_autoptr(MpaioOrchestrator) orchestrator =
               mpaio_orchestrator_new (MPAIO_EXECUTOR (pool), workers, 1);
  g_autoptr(MpaioOrchestrator) other = mpaio_orchestrator_new (MPAIO_EXECUTOR (pool), workers, 1);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(MpaioRunReport) report = NULL;

  mpaio_orchestrator_run_async (other, NULL, mpaio_test_store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  report = mpaio_orchestrator_run_finish (orchestrator, result, error);
  g_assert_null (report);
  report = mpaio_orchestrator_run_finish (other, result, NULL);
  g_assert_nonnull (report);
}

/* Workers */

static void
worker_returns_null (GError **error)
{
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (1);
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (10);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (array, 2);
  g_autoptr(MpaioTestProbeWorker) worker =
               mpaio_test_probe_worker_new (iterator, MPAIO_TEST_PROBE_NULL);
  g_autoptr(MpaioRunReport) report = run_worker (pool, worker, error);

  g_assert_null (report);
  g_assert_cmpuint (mpaio_test_probe_worker_get_results (worker)->len, ==, 0);
}

/* A result of @size bytes ("ay"): its frame holds the reply's fixed head,
 * then the "v" around it: the bytes, a nul and the type string "ay". */
#define RESULT_OVERHEAD (sizeof (MpaioReplyHead) + 1 + 2)

static GPtrArray *
run_big_result (guint64  size,
                GError **error)
{
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (1);
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (1);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (array, 1);
  g_autoptr(MpaioTestProbeWorker) worker =
               mpaio_test_probe_worker_new (iterator, MPAIO_TEST_PROBE_BIG);
  g_autoptr(MpaioRunReport) report = NULL;

  g_object_set (worker, "size", size, NULL);
  report = run_worker (pool, worker, error);
  if (report == NULL)
    return NULL;

  return g_ptr_array_ref (mpaio_test_probe_worker_get_results (worker));
}

static const BadInput bad_inputs[] = {
  /* Shared arrays */
  { "/bad-input/shared-array/no-dimensions", OUTCOME_ERROR, array_no_dimensions,
    mpaio_error_quark, MPAIO_ERROR_INVALID_ARGUMENT, "at least one dimension" },
  { "/bad-input/shared-array/null-shape", OUTCOME_ERROR, array_null_shape,
    mpaio_error_quark, MPAIO_ERROR_INVALID_ARGUMENT, "at least one dimension" },
  { "/bad-input/shared-array/overflowing-shape", OUTCOME_ERROR, array_overflowing_shape,
    mpaio_error_quark, MPAIO_ERROR_INVALID_ARGUMENT, "overflows" },
  { "/bad-input/shared-array/too-large", OUTCOME_ERROR, array_too_large,
    mpaio_error_quark, MPAIO_ERROR_NO_MEMORY, "shared memory" },
  { "/bad-input/shared-array/string-without-width", OUTCOME_ERROR, array_string_without_width,
    mpaio_error_quark, MPAIO_ERROR_INVALID_ARGUMENT, "item size" },
  { "/bad-input/shared-array/unknown-dtype", OUTCOME_ERROR, array_unknown_dtype,
    mpaio_error_quark, MPAIO_ERROR_INVALID_ARGUMENT, "Unknown element type 99" },
  { "/bad-input/shared-array/wrong-item-size", OUTCOME_ERROR, array_wrong_item_size,
    mpaio_error_quark, MPAIO_ERROR_INVALID_ARGUMENT, "Item size 3" },
  { "/bad-input/shared-array/zero-item-size", OUTCOME_ERROR, array_zero_item_size,
    mpaio_error_quark, MPAIO_ERROR_INVALID_ARGUMENT, "item size 0" },
  { "/bad-input/shared-array/unknown-flags", OUTCOME_ERROR, array_unknown_flags,
    mpaio_error_quark, MPAIO_ERROR_INVALID_ARGUMENT, "flags 0x100" },
  { "/bad-input/shared-array/from-negative-fd", OUTCOME_PRECONDITION, array_from_negative_fd,
    NULL, 0, "*fd >= 0*" },
  { "/bad-input/shared-array/from-closed-fd", OUTCOME_ERROR, array_from_closed_fd,
    mpaio_error_quark, MPAIO_ERROR_INVALID_ARGUMENT, "Could not duplicate" },
  { "/bad-input/shared-array/from-pipe", OUTCOME_ERROR, array_from_pipe,
    mpaio_error_quark, MPAIO_ERROR_INVALID_ARGUMENT, "not a regular file" },
  { "/bad-input/shared-array/from-small-file", OUTCOME_ERROR, array_from_small_file,
    mpaio_error_quark, MPAIO_ERROR_INVALID_ARGUMENT, "holds 79 bytes" },
  { "/bad-input/shared-array/row-past-end", OUTCOME_PRECONDITION, array_row_past_end,
    NULL, 0, "*row <=*" },

  /* Data iterators */
  { "/bad-input/data-iterator/chunk-size-0", OUTCOME_ERROR, iterator_chunk_size_0,
    mpaio_error_quark, MPAIO_ERROR_INVALID_ARGUMENT, "chunk size" },
  { "/bad-input/data-iterator/start-past-end", OUTCOME_ERROR, iterator_start_past_end,
    mpaio_error_quark, MPAIO_ERROR_INVALID_ARGUMENT, "Start index 50 is past end index 10" },
  { "/bad-input/data-iterator/end-past-rows", OUTCOME_ERROR, iterator_end_past_rows,
    mpaio_error_quark, MPAIO_ERROR_INVALID_ARGUMENT, "End index 101" },
  { "/bad-input/data-iterator/start-past-rows", OUTCOME_ERROR, iterator_start_past_rows,
    mpaio_error_quark, MPAIO_ERROR_INVALID_ARGUMENT, "Start index 200" },
  { "/bad-input/data-iterator/null-array", OUTCOME_PRECONDITION, iterator_null_array,
    NULL, 0, "*MPAIO_IS_SHARED_ARRAY*" },
  { "/bad-input/data-iterator/chunk-past-end", OUTCOME_ERROR, iterator_chunk_past_end,
    mpaio_error_quark, MPAIO_ERROR_INVALID_ARGUMENT, "FALSE as documented" },

  /* Executors */
  { "/bad-input/process-pool/too-many-workers", OUTCOME_ERROR, pool_too_many_workers,
    mpaio_error_quark, MPAIO_ERROR_INVALID_ARGUMENT, "5000" },
  { "/bad-input/process-pool/missing-program", OUTCOME_ERROR, pool_missing_program,
    mpaio_error_quark, MPAIO_ERROR_SPAWN_FAILED, "/nonexistent/mpaio-worker" },
  { "/bad-input/process-pool/null-argv", OUTCOME_PRECONDITION, pool_null_argv,
    NULL, 0, "*argv != NULL*" },
  { "/bad-input/thread-pool/too-many-threads", OUTCOME_ERROR, thread_pool_too_many,
    mpaio_error_quark, MPAIO_ERROR_INVALID_ARGUMENT, "Too many threads" },
  { "/bad-input/executor/chunk-backwards", OUTCOME_ERROR, submit_chunk_backwards,
    mpaio_error_quark, MPAIO_ERROR_INVALID_ARGUMENT, "rows 6 to 4" },
  { "/bad-input/executor/rows-outside/thread-pool", OUTCOME_ERROR,
    submit_rows_outside_thread_pool, mpaio_error_quark, MPAIO_ERROR_INVALID_ARGUMENT,
    "outside" },
  { "/bad-input/executor/null-chunk", OUTCOME_PRECONDITION, submit_null_chunk,
    NULL, 0, "*chunk != NULL*" },
  { "/bad-input/executor/no-data-iterator", OUTCOME_ERROR, submit_without_iterator,
    mpaio_error_quark, MPAIO_ERROR_INVALID_ARGUMENT, "no data iterator" },
  { "/bad-input/executor/finish-on-other-process-pool", OUTCOME_PRECONDITION,
    finish_on_other_pool, NULL, 0, "*g_task_is_valid*" },
  { "/bad-input/executor/finish-on-thread-pool", OUTCOME_PRECONDITION, finish_on_thread_pool,
    NULL, 0, "*g_task_is_valid*" },
  { "/bad-input/executor/finish-thread-result-on-process-pool", OUTCOME_PRECONDITION,
    finish_process_pool_on_thread_result, NULL, 0, "*g_task_is_valid*" },

  /* Orchestrators */
  { "/bad-input/orchestrator/null-executor", OUTCOME_PRECONDITION, orchestrator_null_executor,
    NULL, 0, "*MPAIO_IS_EXECUTOR*" },
  { "/bad-input/orchestrator/null-workers", OUTCOME_PRECONDITION, orchestrator_null_workers,
    NULL, 0, "*workers != NULL*" },
  { "/bad-input/orchestrator/add-null-worker", OUTCOME_PRECONDITION,
    orchestrator_add_null_worker, NULL, 0, "*MPAIO_IS_WORKER*" },
  { "/bad-input/orchestrator/no-workers", OUTCOME_ERROR, orchestrator_empty,
    mpaio_error_quark, MPAIO_ERROR_INVALID_ARGUMENT, "no workers" },
  { "/bad-input/orchestrator/worker-without-iterator", OUTCOME_ERROR,
    orchestrator_worker_without_iterator, mpaio_error_quark, MPAIO_ERROR_INVALID_ARGUMENT,
    "no data iterator" },
  { "/bad-input/orchestrator/invalid-iterator", OUTCOME_ERROR, orchestrator_invalid_iterator,
    mpaio_error_quark, MPAIO_ERROR_INVALID_ARGUMENT, "Start index 80" },
  { "/bad-input/orchestrator/already-running", OUTCOME_ERROR, orchestrator_already_running,
    g_io_error_quark, G_IO_ERROR_PENDING, "already running" },
  { "/bad-input/orchestrator/finish-other", OUTCOME_PRECONDITION, orchestrator_finish_other,
    NULL, 0, "*g_task_is_valid*" },

  /* Workers */
  { "/bad-input/worker/returns-null", OUTCOME_ERROR, worker_returns_null,
    mpaio_error_quark, MPAIO_ERROR_WORKER_FAILED, "returned no result and no error" },
};

static void
test_bad_input (gconstpointer data)
{
  const BadInput *bad = data;

  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;

      switch (bad->outcome)
        {
        case OUTCOME_ERROR:
          bad->call (&error);
          g_assert_nonnull (error);
          g_test_message ("%s", error->message);
          g_assert_error (error, bad->domain (), bad->code);
          mpaio_test_assert_message_contains (error, bad->part);
          break;

        case OUTCOME_PRECONDITION:
          g_test_expect_message ("Mpaio", G_LOG_LEVEL_CRITICAL, bad->part);
          bad->call (&error);
          g_test_assert_expected_messages ();
          g_assert_no_error (error);
          break;

        default:
          g_assert_not_reached ();
        }
      return;
    }

  g_test_summary (bad->outcome == OUTCOME_ERROR
                    ? "An invalid argument gives a GError, not a crash or a hang"
                    : "A failed precondition gives a critical and the documented return "
                      "value, not a crash or a hang");

  /* A crash, a hang (the subprocess's timeout) or a failed assertion all
   * fail this case alone: the others still run. */
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  if (!g_test_trap_has_passed ())
    {
      /* Not fatal, so that a TAP run goes on to the next case. */
      g_test_set_nonfatal_assertions ();
      g_test_fail_printf ("%s: the subprocess failed; see its messages above", bad->path);
    }
}

/* A result bigger than any message is no error: it travels in a memfd of
 * its own. */
static void
test_result_over_frame_limit (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = NULL;
  gsize     size = MPAIO_PROTOCOL_MAX_FRAME - RESULT_OVERHEAD + 1;
  GVariant *value;

  g_test_summary ("A result one byte over what a message of 64 MiB carries arrives whole");

  results = run_big_result (size, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 1);
  value = g_ptr_array_index (results, 0);
  g_assert_true (g_variant_is_of_type (value, G_VARIANT_TYPE_BYTESTRING));
  g_assert_cmpuint (g_variant_get_size (value), ==, size);
}

/* Hostile worker processes: tests/helpers/fake-worker.c */

typedef struct
{
  const char *mode;
  gboolean    succeeds;
  guint       chunk_timeout_ms;
  gint        code;
  const char *part;
  gboolean    kept;   /* the process is not replaced */
  gboolean    resent; /* the chunk, never started, went to fresh processes first */
} Hostile;

static const Hostile hostiles[] = {
  /* Controls: the fake's framing is right. */
  { "valid", TRUE, 0, 0, NULL, TRUE },
  { "fds", TRUE, 0, 0, NULL, TRUE },

  { "garbage", FALSE, 0, MPAIO_ERROR_PROTOCOL, "Unknown message type" },
  { "truncated", FALSE, 0, MPAIO_ERROR_PROTOCOL, "ended in the middle of a message" },
  { "giant", FALSE, 0, MPAIO_ERROR_PROTOCOL, "4294967280 bytes is over the limit" },
  { "claim-max", FALSE, 0, MPAIO_ERROR_PROTOCOL, "ended in the middle of a message" },
  { "unknown-type", FALSE, 0, MPAIO_ERROR_PROTOCOL, "Unknown message type 200" },
  { "task-type", FALSE, 0, MPAIO_ERROR_PROTOCOL, "does not expect messages of type 6" },
  { "short-head", FALSE, 0, MPAIO_ERROR_PROTOCOL, "truncated" },
  { "bad-body", FALSE, 0, MPAIO_ERROR_PROTOCOL, "malformed" },
  { "wrong-seq", FALSE, 0, MPAIO_ERROR_PROTOCOL, "answers no chunk" },
  /* A well-formed ERROR, so the process is kept; only its code is not
   * believed. */
  { "lying-error", FALSE, 0, MPAIO_ERROR_PROTOCOL, "I pretend to have crashed", TRUE },
  { "reply-before-hello", FALSE, 0, MPAIO_ERROR_PROTOCOL, "before saying hello" },
  { "bad-hello-pid", FALSE, 0, MPAIO_ERROR_PROTOCOL, "speaks protocol 2 as pid" },
  { "bad-hello-version", FALSE, 0, MPAIO_ERROR_PROTOCOL, "speaks protocol 100" },
  { "hello-twice", FALSE, 0, MPAIO_ERROR_PROTOCOL, "said hello twice" },
  { "exit-before-hello", FALSE, 0, MPAIO_ERROR_SPAWN_FAILED, "before it answered" },
  /* A chunk it never starts is blamed on nobody and goes to a fresh
   * process, a few times, before it fails. */
  { "silent", FALSE, 300, MPAIO_ERROR_TIMED_OUT,
    "did not start chunk 0 within the chunk timeout of 300 ms", FALSE, TRUE },
  { "never-hello", FALSE, 300, MPAIO_ERROR_SPAWN_FAILED,
    "never answered within the start-up timeout of 300 ms" },
};

/* One chunk when the run fails: with more, the chunks still in flight when
 * it ends would go on killing processes after the test. */
#define HOSTILE_N_CHUNKS 4

/* The pid in "Worker process PID ..." of a pool's error, or 0. */
static void
test_hostile (gconstpointer data)
{
  const Hostile   *hostile = data;
  g_autofree char *program = g_test_build_filename (G_TEST_BUILT, "helpers", "fake-worker", NULL);
  const char      *argv[] = { program, hostile->mode, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioProcessPool) pool = NULL;
  guint n_chunks = hostile->succeeds ? HOSTILE_N_CHUNKS : 1;
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (4 * HOSTILE_N_CHUNKS);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (array, n_chunks);
  g_autofree GPid *pids = NULL;
  gsize            rss_before, rss_peak;
  guint            sockets_before, dev_null_before;
  guint            n_pids;
  GPid             spawned_pid;
  GPid             first_pid = 0;

  g_test_summary ("A worker process that breaks the protocol ends the run with an error (not "
                  "a crash, a hang or a huge allocation), and is replaced");

  pool = mpaio_process_pool_new_with_argv (1, argv, &error);
  g_assert_no_error (error);
  /* Where no timeout is the point, a long one still turns a hang into a
   * failure of this case alone. */
  mpaio_process_pool_set_chunk_timeout (pool, hostile->chunk_timeout_ms > 0
                                                ? hostile->chunk_timeout_ms
                                                : 10000);
  if (hostile->chunk_timeout_ms > 0)
    mpaio_process_pool_set_startup_timeout (pool, hostile->chunk_timeout_ms);
  /* A fake worker that exits at once may be gone, and reaped by GLib, before
   * the pool could read its pid: then the pool has none to report. */
  pids = mpaio_process_pool_get_pids (pool, &n_pids);
  g_assert_cmpuint (n_pids, <=, 1);
  spawned_pid = n_pids == 1 ? pids[0] : 0;

  sockets_before = mpaio_test_count_fds_to ("socket:");
  dev_null_before = mpaio_test_count_fds_to ("/dev/null");
  rss_before = get_status_kib ("VmRSS");
  reset_peak_rss ();

  /* Twice: the second run meets the replacement of the first process. */
  for (guint run = 0; run < 2; run++)
    {
      g_autoptr(MpaioTestProbeWorker) worker =
                   mpaio_test_probe_worker_new (iterator, MPAIO_TEST_PROBE_ENV);
      g_autoptr(MpaioRunReport) report = run_worker (pool, worker, &error);

      if (hostile->succeeds)
        {
          GPtrArray *results = mpaio_test_probe_worker_get_results (worker);
          guint64    seen = 0;

          g_assert_no_error (error);
          g_assert_nonnull (report);
          g_assert_cmpuint (results->len, ==, n_chunks);
          for (guint i = 0; i < results->len; i++)
            seen |= G_GUINT64_CONSTANT (1) << g_variant_get_uint64 (g_ptr_array_index (results, i));
          g_assert_cmpuint (seen, ==, (1 << n_chunks) - 1);

          /* Not replaced, and no fd it sent stayed open here. */
          g_assert_cmpint (spawned_pid, !=, 0);
          g_assert_true (mpaio_test_pool_has_pid (pool, spawned_pid));
          g_assert_cmpuint (mpaio_test_count_fds_to ("/dev/null"), ==, dev_null_before);
          continue;
        }

      if (report != NULL)
        {
          GPtrArray       *results = mpaio_test_probe_worker_get_results (worker);
          g_autofree char *first = results->len > 0
                                     ? g_variant_print (g_ptr_array_index (results, 0), TRUE)
                                     : g_strdup ("nothing");

          /* Not an assertion that goes on: the rest needs the error. */
          g_test_set_nonfatal_assertions ();
          g_test_fail_printf ("run %u succeeded, where the pool should have refused what the "
                              "process sent; %u results delivered, the first: %s",
                              run + 1, results->len, first);
          return;
        }

      g_assert_nonnull (error);
      g_test_message ("run %u: %s", run + 1, error->message);
      g_assert_error (error, MPAIO_ERROR, hostile->code);
      mpaio_test_assert_message_contains (error, hostile->part);
      g_assert_cmpuint (mpaio_test_probe_worker_get_results (worker)->len, ==, 0);

      if (hostile->kept)
        {
          g_assert_cmpint (spawned_pid, !=, 0);
          g_assert_true (mpaio_test_pool_has_pid (pool, spawned_pid));
          g_clear_error (&error);
          continue;
        }

      /* The process named is the one the pool had for the first run, and
       * a new one for the second. */
      if (run == 0)
        {
          first_pid = mpaio_test_error_pid (error);
          if (spawned_pid != 0 && !hostile->resent)
            g_assert_cmpint (first_pid, ==, spawned_pid);
        }
      else
        {
          /* 0: this one too was gone before its pid could be read. */
          if (mpaio_test_error_pid (error) != 0)
            g_assert_cmpint (mpaio_test_error_pid (error), !=, first_pid);
        }
      g_assert_false (mpaio_test_pool_has_pid (pool, first_pid));
      g_clear_error (&error);

      /* No socket of a dead process left open (its replacement may be
       * started only at the next submission). */
      g_assert_cmpuint (mpaio_test_count_fds_to ("socket:"), <=, sockets_before);
    }

  /* Whatever length the peer claimed (up to 4 GiB), the main process did
   * not set it aside: its resident set never grew by more than 16 MiB. */
  rss_peak = get_status_kib ("VmHWM");
  g_test_message ("VmRSS %" G_GSIZE_FORMAT " KiB before, at most %" G_GSIZE_FORMAT " KiB during "
                  "the runs",
                  rss_before, rss_peak);
  g_assert_cmpuint (rss_peak, <, rss_before + 16 * 1024);
}

int
main (int    argc,
      char **argv)
{
  mpaio_test_ensure_fault_workers ();
  mpaio_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_summary ("Bad input: invalid arguments of every public entry point, workers that "
                  "return what they must not, worker processes that break the protocol");

  for (guint i = 0; i < G_N_ELEMENTS (bad_inputs); i++)
    g_test_add_data_func (bad_inputs[i].path, &bad_inputs[i], test_bad_input);

  g_test_add_func ("/bad-input/worker/result-over-frame-limit", test_result_over_frame_limit);

  for (guint i = 0; i < G_N_ELEMENTS (hostiles); i++)
    {
      g_autofree char *path = g_strdup_printf ("/bad-input/hostile-worker/%s", hostiles[i].mode);

      g_test_add_data_func (path, &hostiles[i], test_hostile);
    }

  return g_test_run ();
}
