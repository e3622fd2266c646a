/* test-faults.c: worker processes that die, hang or are cancelled; a main
 * process that dies
 *
 * Every test uses real worker processes (this program started again). No
 * test sleeps to wait for something: each waits for the event itself, or
 * polls a condition under a deadline.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "mpaio-test-workers.h"

/* Helpers */

static MpaioOrchestrator *
new_orchestrator (MpaioProcessPool *pool,
                  gpointer          worker)
{
  MpaioWorker *workers[] = { worker };

  return mpaio_orchestrator_new (MPAIO_EXECUTOR (pool), workers, 1);
}

/* A run of the sum worker on @pool, which must succeed. */
static void
assert_pool_usable (MpaioProcessPool *pool)
{
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (10000);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (array, 8);
  g_autoptr(MpaioTestSumWorker) worker = mpaio_test_sum_worker_new (iterator, 1);
  g_autoptr(MpaioOrchestrator) orchestrator = new_orchestrator (pool, worker);
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GError) error = NULL;

  report = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (report);
  g_assert_cmpint (mpaio_test_sum_worker_get_total (worker), ==, 10000 * 10001 / 2);
  g_assert_cmpuint (mpaio_test_sum_worker_get_results (worker)->len, ==, 8);
}

/* The pid in "Worker process PID ..." of a pool's error. */
/* Each delivered result is the right one, from a worker process, and no
 * chunk was delivered twice or is @missing. */
static void
assert_results_correct (GArray *results,
                        gint64  missing)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);

  for (guint i = 0; i < results->len; i++)
    {
      const MpaioTestResult *result = &g_array_index (results, MpaioTestResult, i);

      g_assert_cmpint (result->value, ==, mpaio_test_counting_sum (&result->chunk));
      g_assert_cmpint (result->pid, !=, getpid ());
      g_assert_cmpint ((gint64) result->chunk.index, !=, missing);
      g_assert_false (g_hash_table_contains (seen, GSIZE_TO_POINTER (result->chunk.index)));
      g_hash_table_add (seen, GSIZE_TO_POINTER (result->chunk.index));
    }
}

/* The state letter of /proc/PID/stat, or 0 when there is no such process. */
static char
process_state (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *contents = NULL;
  const char      *paren;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;

  /* "PID (COMM) S ...": COMM may hold spaces and parentheses. */
  paren = strrchr (contents, ')');
  g_assert_nonnull (paren);
  return paren[1] == ' ' ? paren[2] : 0;
}

/* Polls until every one of @pids runs (state R: busy in `process`). */
static void
wait_until_running (const GPid *pids,
                    guint       n_pids)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  for (guint i = 0; i < n_pids; i++)
    {
      while (process_state (pids[i]) != 'R')
        {
          if (g_get_monotonic_time () > deadline)
            g_error ("worker process %d never started its chunk", (int) pids[i]);
          g_main_context_iteration (NULL, FALSE);
          g_usleep (1000);
        }
    }
}

/* Crashes at the first chunk, in the middle, at the last */

typedef struct
{
  MpaioTestCrashMode mode;
  const char        *mode_name;
  const char        *expected;
} CrashMode;

static const CrashMode crash_modes[] = {
  { MPAIO_TEST_CRASH_SIGKILL, "sigkill", "killed by signal 9" },
  { MPAIO_TEST_CRASH_SIGSEGV, "sigsegv", "killed by signal 11" },
  { MPAIO_TEST_CRASH_ABORT, "abort", "killed by signal 6" },
  { MPAIO_TEST_CRASH_EXIT_3, "exit-3", "exited with status 3" },
};

#define CRASH_N_CHUNKS 20

typedef struct
{
  const CrashMode *mode;
  const char      *where;
  guint            index;
} CrashCase;

static void
test_crash (gconstpointer data)
{
  const CrashCase *crash = data;
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (2);
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (2 * CRASH_N_CHUNKS);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (array, CRASH_N_CHUNKS);
  g_autoptr(MpaioTestFaultWorker) worker =
               mpaio_test_fault_worker_new (iterator, crash->mode->mode, (gint) crash->index);
  g_autoptr(MpaioOrchestrator) orchestrator = new_orchestrator (pool, worker);
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *chunk_name = g_strdup_printf ("Chunk %u ", crash->index);
  g_autofree GPid *pids = NULL;
  GArray          *results;
  guint            n_delivered;
  guint            n_pids;
  GPid             dead;

  g_test_summary ("A worker process that dies in `process` ends the run with "
                  "MPAIO_ERROR_WORKER_CRASHED naming the chunk and how it died; results "
                  "delivered before stay delivered and correct; the pool serves the next run");

  /* Chunks long enough that each result is sent before the next chunk
   * starts, so the death is blamed on the chunk that was running. */
  g_object_set (worker, "spin-us", 1000, NULL);

  report = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_null (report);
  g_assert_error (error, MPAIO_ERROR, MPAIO_ERROR_WORKER_CRASHED);
  mpaio_test_assert_message_contains (error, chunk_name);
  mpaio_test_assert_message_contains (error, crash->mode->expected);
  g_test_message ("%s", error->message);

  results = mpaio_test_fault_worker_get_results (worker);
  n_delivered = results->len;
  g_assert_cmpuint (n_delivered, <, CRASH_N_CHUNKS);
  assert_results_correct (results, crash->index);

  /* The dead process was replaced. */
  dead = mpaio_test_error_pid (error);
  g_assert_cmpint (dead, >, 0);
  g_assert_false (mpaio_test_pool_has_pid (pool, dead));
  pids = mpaio_process_pool_get_pids (pool, &n_pids);
  g_assert_cmpuint (n_pids, ==, 2);

  /* Chunks that were in flight come back during the next run and are
   * dropped: what was delivered stays as it was. */
  assert_pool_usable (pool);
  g_assert_cmpuint (results->len, ==, n_delivered);
}

/* Retries */

/* The pid written in @dir's marker file @name. */
static GPid
read_marker (const char *dir,
             const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return (GPid) atoi (contents);
}

static guint
count_markers (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  guint n = 0;

  g_assert_nonnull (handle);
  while (g_dir_read_name (handle) != NULL)
    n++;

  return n;
}

/* A temporary directory of marker files, removed with them. */
typedef char MarkerDir;

static void
remove_markers (MarkerDir *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  g_assert_nonnull (handle);
  while ((name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_assert_cmpint (g_unlink (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (dir), ==, 0);
  g_free (dir);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MarkerDir, remove_markers)

static MarkerDir *
new_marker_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("mpaio-faults-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

#define RETRY_N_CHUNKS 12
#define RETRY_INDEX    5

static MpaioTestFaultWorker *
new_retry_worker (MpaioDataIterator *iterator,
                  MpaioTestCrashMode mode,
                  const char        *marker_dir,
                  guint              crash_times)
{
  MpaioTestFaultWorker *worker = mpaio_test_fault_worker_new (iterator, mode, RETRY_INDEX);

  g_object_set (worker, "marker-dir", marker_dir, "crash-times", crash_times, "spin-us", 1000,
                NULL);
  return worker;
}

static const MpaioChunkRecord *
find_record (MpaioRunReport *report,
             guint64         chunk_index)
{
  for (guint i = 0; i < mpaio_run_report_get_n_records (report); i++)
    {
      const MpaioChunkRecord *record = mpaio_run_report_get_record (report, i);

      if (record->chunk_index == chunk_index)
        return record;
    }

  g_error ("no record of chunk %" G_GUINT64_FORMAT, chunk_index);
}

static void
test_retry_succeeds (gconstpointer data)
{
  const CrashMode *mode = data;
  g_autoptr(MarkerDir) marker_dir = new_marker_dir ();
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (2);
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (10 * RETRY_N_CHUNKS);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (array, RETRY_N_CHUNKS);
  g_autoptr(MpaioTestFaultWorker) worker = new_retry_worker (iterator, mode->mode, marker_dir, 1);
  g_autoptr(MpaioOrchestrator) orchestrator = new_orchestrator (pool, worker);
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  const MpaioChunkRecord *record;
  GArray                 *results;
  GPid                    dead;
  guint                   found = 0;

  g_test_summary ("With max-retries 1, a chunk whose process died is run again on another "
                  "process and the run succeeds with its correct result");

  mpaio_process_pool_set_max_retries (pool, 1);
  report = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (report);

  /* It did die once, in this process. */
  g_assert_cmpuint (count_markers (marker_dir), ==, 1);
  dead = read_marker (marker_dir, "chunk-5.0");
  g_assert_cmpint (dead, >, 0);
  g_assert_false (mpaio_test_pool_has_pid (pool, dead));

  results = mpaio_test_fault_worker_get_results (worker);
  g_assert_cmpuint (results->len, ==, RETRY_N_CHUNKS);
  assert_results_correct (results, -1);
  for (guint i = 0; i < results->len; i++)
    {
      const MpaioTestResult *result = &g_array_index (results, MpaioTestResult, i);

      if (result->chunk.index == RETRY_INDEX)
        {
          found++;
          g_assert_cmpint (result->pid, !=, dead);
        }
    }
  g_assert_cmpuint (found, ==, 1);

  g_assert_cmpuint (mpaio_run_report_get_n_records (report), ==, RETRY_N_CHUNKS);
  record = find_record (report, RETRY_INDEX);
  g_assert_cmpint (record->pid, !=, dead);
  g_assert_cmpint (record->pid, !=, getpid ());
}

static void
test_retry_disabled (void)
{
  g_autoptr(MarkerDir) marker_dir = new_marker_dir ();
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (2);
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (10 * RETRY_N_CHUNKS);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (array, RETRY_N_CHUNKS);
  g_autoptr(MpaioTestFaultWorker) worker =
               new_retry_worker (iterator, MPAIO_TEST_CRASH_SIGKILL, marker_dir, 1);
  g_autoptr(MpaioOrchestrator) orchestrator = new_orchestrator (pool, worker);
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GError) error = NULL;

  g_test_summary ("With max-retries 0 (the default) the same death ends the run");

  g_assert_cmpuint (mpaio_process_pool_get_max_retries (pool), ==, 0);
  report = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_null (report);
  g_assert_error (error, MPAIO_ERROR, MPAIO_ERROR_WORKER_CRASHED);
  mpaio_test_assert_message_contains (error, "Chunk 5 ");
  mpaio_test_assert_message_contains (error, "killed by signal 9");
  g_assert_cmpint (mpaio_test_error_pid (error), ==, read_marker (marker_dir, "chunk-5.0"));
  g_clear_error (&error);

  /* The chunk dies only once: run again on the same pool, all is well. */
  g_array_set_size (mpaio_test_fault_worker_get_results (worker), 0);
  report = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mpaio_test_fault_worker_get_results (worker)->len, ==, RETRY_N_CHUNKS);
  assert_results_correct (mpaio_test_fault_worker_get_results (worker), -1);
  g_assert_cmpuint (count_markers (marker_dir), ==, 1);
}

static void
test_retry_count (void)
{
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (2);
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (10 * RETRY_N_CHUNKS);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (array, RETRY_N_CHUNKS);

  g_test_summary ("A chunk runs at most 1 + max-retries times: a chunk that kills 3 "
                  "processes fails with max-retries 2 and succeeds with max-retries 3");

  {
    g_autoptr(MarkerDir) marker_dir = new_marker_dir ();
    g_autoptr(MpaioTestFaultWorker) worker =
                 new_retry_worker (iterator, MPAIO_TEST_CRASH_SIGKILL, marker_dir, 3);
    g_autoptr(MpaioOrchestrator) orchestrator = new_orchestrator (pool, worker);
    g_autoptr(MpaioRunReport) report = NULL;
    g_autoptr(GError) error = NULL;
    GPid pids[3];

    mpaio_process_pool_set_max_retries (pool, 2);
    report = mpaio_test_run (orchestrator, NULL, &error);
    g_assert_null (report);
    g_assert_error (error, MPAIO_ERROR, MPAIO_ERROR_WORKER_CRASHED);
    mpaio_test_assert_message_contains (error, "Chunk 5 ");

    /* Once the pool has served another run, no fourth attempt can be
     * pending: exactly three, each in a process of its own. */
    assert_pool_usable (pool);
    g_assert_cmpuint (count_markers (marker_dir), ==, 3);
    pids[0] = read_marker (marker_dir, "chunk-5.0");
    pids[1] = read_marker (marker_dir, "chunk-5.1");
    pids[2] = read_marker (marker_dir, "chunk-5.2");
    g_assert_cmpint (pids[0], !=, pids[1]);
    g_assert_cmpint (pids[1], !=, pids[2]);
    g_assert_cmpint (pids[0], !=, pids[2]);
    g_assert_cmpint (mpaio_test_error_pid (error), ==, pids[2]);
  }

  {
    g_autoptr(MarkerDir) marker_dir = new_marker_dir ();
    g_autoptr(MpaioTestFaultWorker) worker =
                 new_retry_worker (iterator, MPAIO_TEST_CRASH_SIGKILL, marker_dir, 3);
    g_autoptr(MpaioOrchestrator) orchestrator = new_orchestrator (pool, worker);
    g_autoptr(MpaioRunReport) report = NULL;
    g_autoptr(GError) error = NULL;

    mpaio_process_pool_set_max_retries (pool, 3);
    report = mpaio_test_run (orchestrator, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (count_markers (marker_dir), ==, 3);
    g_assert_cmpuint (mpaio_test_fault_worker_get_results (worker)->len, ==, RETRY_N_CHUNKS);
    assert_results_correct (mpaio_test_fault_worker_get_results (worker), -1);
  }
}

/* Chunk timeout */

static void
test_timeout_kills_stuck (void)
{
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (2);
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (80);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (array, 8);
  g_autoptr(MpaioTestFaultWorker) worker =
               mpaio_test_fault_worker_new (iterator, MPAIO_TEST_CRASH_HANG, 3);
  g_autoptr(MpaioOrchestrator) orchestrator = new_orchestrator (pool, worker);
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start, elapsed;
  GPid   stuck;

  g_test_summary ("chunk-timeout kills a process stuck in `process` and ends the run with "
                  "MPAIO_ERROR_TIMED_OUT; the pool serves the next run");

  mpaio_process_pool_set_chunk_timeout (pool, 200);
  g_assert_cmpuint (mpaio_process_pool_get_chunk_timeout (pool), ==, 200);

  start = g_get_monotonic_time ();
  report = mpaio_test_run (orchestrator, NULL, &error);
  elapsed = g_get_monotonic_time () - start;
  g_assert_null (report);
  g_assert_error (error, MPAIO_ERROR, MPAIO_ERROR_TIMED_OUT);
  mpaio_test_assert_message_contains (error, "Chunk 3 ");
  mpaio_test_assert_message_contains (error, "200 ms");
  g_test_message ("%s (after %" G_GINT64_FORMAT " ms)", error->message, elapsed / 1000);

  g_assert_cmpint (elapsed, >=, 200 * 1000);
  g_assert_cmpint (elapsed, <, 5 * G_USEC_PER_SEC);
  assert_results_correct (mpaio_test_fault_worker_get_results (worker), 3);

  stuck = mpaio_test_error_pid (error);
  g_assert_cmpint (stuck, >, 0);
  g_assert_false (mpaio_test_pool_has_pid (pool, stuck));

  assert_pool_usable (pool);
}

static void
test_timeout_spares_short_chunks (void)
{
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (2);
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (1000);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (array, 100);
  g_autoptr(MpaioTestFaultWorker) worker =
               mpaio_test_fault_worker_new (iterator, MPAIO_TEST_CRASH_HANG, -1);
  g_autoptr(MpaioOrchestrator) orchestrator = new_orchestrator (pool, worker);
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GError) error = NULL;

  g_test_summary ("chunk-timeout counts per chunk: a run of 100 chunks of 10 ms on 2 "
                  "processes, longer in total than the 400 ms timeout, is not stopped");

  /* Each chunk is 40 times shorter than the timeout, so that a loaded
   * machine does not make one look stuck. */
  g_object_set (worker, "spin-us", 10000, NULL);
  mpaio_process_pool_set_chunk_timeout (pool, 400);

  report = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (mpaio_run_report_get_wall_time (report), >, 0.4);
  g_assert_cmpuint (mpaio_test_fault_worker_get_results (worker)->len, ==, 100);
  assert_results_correct (mpaio_test_fault_worker_get_results (worker), -1);
}

/* Cancellation */

#define CANCEL_N_RUNS   100
#define CANCEL_N_CHUNKS 64
#define CANCEL_SPIN_US  500
/* A run takes at least 64 × 0.5 ms / 2 processes = 16 ms: a cancel within
 * the first 8 ms always comes before its end. */
#define CANCEL_MAX_MS 8

typedef struct
{
  GCancellable        *cancellable;
  MpaioTestSpinWorker *worker;
  guint                cancel_after; /* chunks delivered, or G_MAXUINT */
  gint64               cancelled_us;
  guint                delivered_at_cancel;
  GAsyncResult        *result;
  gint64               done_us;
  guint                delivered_at_done;
} CancelPoint;

static void
cancel_now (CancelPoint *point)
{
  if (point->cancelled_us != 0)
    return;

  point->delivered_at_cancel = mpaio_test_spin_worker_get_n_delivered (point->worker);
  point->cancelled_us = g_get_monotonic_time ();
  g_cancellable_cancel (point->cancellable);
}

static void
cancel_after_delivered (GObject    *object,
                        GParamSpec *pspec,
                        gpointer    user_data)
{
  CancelPoint *point = user_data;

  if (point->cancel_after != G_MAXUINT
      && mpaio_test_spin_worker_get_n_delivered (point->worker) >= point->cancel_after)
    cancel_now (point);
}

static gboolean
cancel_on_timeout (gpointer user_data)
{
  cancel_now (user_data);
  return G_SOURCE_REMOVE;
}

static void
cancel_run_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  CancelPoint *point = user_data;

  point->done_us = g_get_monotonic_time ();
  point->delivered_at_done = mpaio_test_spin_worker_get_n_delivered (point->worker);
  point->result = g_object_ref (result);
}

/* Runs @CANCEL_N_RUNS runs on one pool, each cancelled at a random point;
 * @strict also requires that no callback runs between the cancel call and
 * the end of the run. */
static void
cancel_at_random_points (gboolean strict)
{
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (2);
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (CANCEL_N_CHUNKS);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (array, CANCEL_N_CHUNKS);
  gint64 worst_us = 0;
  guint  n_late = 0;

  for (guint i = 0; i < CANCEL_N_RUNS; i++)
    {
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      g_autoptr(MpaioTestSpinWorker) worker =
                   mpaio_test_spin_worker_new (iterator, CANCEL_SPIN_US, -1);
      g_autoptr(MpaioOrchestrator) orchestrator = new_orchestrator (pool, worker);
      g_autoptr(MpaioRunReport) report = NULL;
      g_autoptr(GError) error = NULL;
      CancelPoint point = { cancellable, worker, G_MAXUINT, 0, 0, NULL, 0, 0 };
      guint       timeout_ms = 0;

      /* Half the runs cancel from a callback after K chunks were
       * delivered (at any K the run cannot have ended), half from a
       * timeout source after a number of ms. */
      if (g_test_rand_bit ())
        {
          point.cancel_after = g_test_rand_int_range (0, CANCEL_N_CHUNKS);
          /* Half of these with chunks that take no time, whose results
           * come back several per read. */
          if (g_test_rand_bit ())
            g_object_set (worker, "spin-us", 0, NULL);
          g_signal_connect (orchestrator, "notify::n-chunks-done",
                            G_CALLBACK (cancel_after_delivered), &point);
        }
      else
        {
          timeout_ms = g_test_rand_int_range (0, CANCEL_MAX_MS);
          g_timeout_add (timeout_ms, cancel_on_timeout, &point);
        }

      mpaio_orchestrator_run_async (orchestrator, cancellable, cancel_run_done, &point);
      while (point.result == NULL)
        g_main_context_iteration (NULL, TRUE);

      report = mpaio_orchestrator_run_finish (orchestrator, point.result, &error);
      g_clear_object (&point.result);
      if (error == NULL)
        g_error ("run %u (cancel after %u chunks / %u ms) was not cancelled", i,
                 point.cancel_after, timeout_ms);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_cmpint (point.cancelled_us, >, 0);
      g_assert_false (mpaio_orchestrator_get_running (orchestrator));

      /* Promptly: within 100 ms of the cancel call. */
      worst_us = MAX (worst_us, point.done_us - point.cancelled_us);
      g_assert_cmpint (point.done_us - point.cancelled_us, <=, 100 * 1000);

      if (point.delivered_at_done != point.delivered_at_cancel)
        {
          g_test_message ("run %u: %u callbacks after the cancel call (cancel after %u chunks / "
                          "%u ms)",
                          i, point.delivered_at_done - point.delivered_at_cancel,
                          point.cancel_after, timeout_ms);
          n_late++;
        }

      /* The chunks in flight at the cancel come back during the next run
       * on the pool, which succeeds; none reaches the cancelled worker. */
      assert_pool_usable (pool);
      g_assert_cmpuint (mpaio_test_spin_worker_get_n_delivered (worker), ==,
                        point.delivered_at_done);
    }

  g_test_message ("slowest cancellation: %" G_GINT64_FORMAT " µs", worst_us);
  if (strict)
    g_assert_cmpuint (n_late, ==, 0);
}

static void
test_cancel_random_points (void)
{
  g_test_summary ("100 runs cancelled at random points (after K delivered chunks, or from a "
                  "timeout): each ends with G_IO_ERROR_CANCELLED within 100 ms of the cancel, "
                  "no callback after the end of the run, and the pool serves the next run");
  cancel_at_random_points (FALSE);
}

static void
test_cancel_random_points_strict (void)
{
  g_test_summary ("100 runs cancelled at random points: no process_callback runs once "
                  "g_cancellable_cancel() has returned");
  cancel_at_random_points (TRUE);
}

/* The main process dies; the pool is disposed while busy */

static void
test_parent_death (void)
{
  g_autofree char *helper = g_test_build_filename (G_TEST_BUILT, "helpers", "parent-death", NULL);
  const char      *argv[] = { helper, NULL };
  g_autoptr(GSubprocess) parent = NULL;
  g_autoptr(GDataInputStream) output = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_auto(GStrv) words = NULL;
  GPid   pids[2];
  gint64 killed_us, deadline;

  g_test_summary ("When the main process is killed with SIGKILL, every worker process exits "
                  "within 1 s, even one busy in a long chunk");

  parent = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);

  output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (parent));
  line = g_data_input_stream_read_line (output, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  words = g_strsplit (line, " ", -1);
  g_assert_cmpuint (g_strv_length (words), ==, 2);
  pids[0] = atoi (words[0]);
  pids[1] = atoi (words[1]);
  g_assert_cmpint (pids[0], >, 0);
  g_assert_cmpint (pids[1], >, 0);

  /* Both busy in chunks of a minute. */
  wait_until_running (pids, 2);

  g_assert_cmpint (kill (atoi (g_subprocess_get_identifier (parent)), SIGKILL), ==, 0);
  killed_us = g_get_monotonic_time ();
  deadline = killed_us + G_USEC_PER_SEC;

  for (guint i = 0; i < G_N_ELEMENTS (pids); i++)
    {
      char state;

      /* Exited: gone, or a zombie of whoever adopted it. */
      while ((state = process_state (pids[i])) != 0 && state != 'Z')
        {
          if (g_get_monotonic_time () > deadline)
            g_error ("worker process %d is still alive (state %c) 1 s after its main process "
                     "was killed",
                     (int) pids[i], state);
          g_usleep (1000);
        }
    }
  g_test_message ("workers gone %" G_GINT64_FORMAT " µs after the kill",
                  g_get_monotonic_time () - killed_us);

  g_subprocess_wait (parent, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (parent));
  g_assert_cmpint (g_subprocess_get_term_sig (parent), ==, SIGKILL);
}

static void
test_dispose_busy (void)
{
  /* Processes of pools of earlier tests may still be on their way out;
   * then this program has no other children. */
  gboolean no_children = mpaio_test_wait_for_n_children (0);
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (2);
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (4);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (array, 4);
  /* A minute per chunk: longer than the wait below. */
  g_autoptr(MpaioTestSpinWorker) worker = mpaio_test_spin_worker_new (iterator, 60000000, -1);
  g_autoptr(MpaioOrchestrator) orchestrator = new_orchestrator (pool, worker);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree GPid *pids = NULL;
  guint            n_pids;

  g_test_summary ("A pool disposed while its processes are busy in chunks leaves no process "
                  "behind, and its run ends");

  g_assert_true (no_children);
  pids = mpaio_process_pool_get_pids (pool, &n_pids);
  g_assert_cmpuint (n_pids, ==, 2);
  g_assert_cmpuint (mpaio_test_count_children (), ==, 2);

  mpaio_orchestrator_run_async (orchestrator, NULL, mpaio_test_store_result, &result);
  wait_until_running (pids, n_pids);

  g_object_run_dispose (G_OBJECT (pool));
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  report = mpaio_orchestrator_run_finish (orchestrator, result, &error);
  g_assert_null (report);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_test_message ("%s", error->message);

  g_clear_object (&orchestrator);
  g_clear_object (&pool);
  g_assert_true (mpaio_test_wait_for_n_children (0));
  g_assert_cmpuint (mpaio_test_spin_worker_get_n_delivered (worker), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  static const struct
  {
    const char *name;
    guint       index;
  } positions[] = {
    { "first", 0 },
    { "middle", CRASH_N_CHUNKS / 2 },
    { "last", CRASH_N_CHUNKS - 1 },
  };
  static CrashCase crash_cases[G_N_ELEMENTS (crash_modes) * G_N_ELEMENTS (positions)];

  mpaio_test_ensure_fault_workers ();
  mpaio_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_summary ("Fault injection: worker processes that crash, hang, are cancelled or lose "
                  "their main process");

  for (guint m = 0; m < G_N_ELEMENTS (crash_modes); m++)
    for (guint p = 0; p < G_N_ELEMENTS (positions); p++)
      {
        CrashCase       *crash = &crash_cases[m * G_N_ELEMENTS (positions) + p];
        g_autofree char *path = NULL;

        crash->mode = &crash_modes[m];
        crash->where = positions[p].name;
        crash->index = positions[p].index;
        path = g_strdup_printf ("/faults/crash/%s/%s", crash->mode->mode_name, crash->where);
        g_test_add_data_func (path, crash, test_crash);
      }

  g_test_add_data_func ("/faults/retry/succeeds/sigkill", &crash_modes[0], test_retry_succeeds);
  g_test_add_data_func ("/faults/retry/succeeds/exit-3", &crash_modes[3], test_retry_succeeds);
  g_test_add_func ("/faults/retry/disabled", test_retry_disabled);
  g_test_add_func ("/faults/retry/count", test_retry_count);
  g_test_add_func ("/faults/timeout/kills-stuck", test_timeout_kills_stuck);
  g_test_add_func ("/faults/timeout/spares-short-chunks", test_timeout_spares_short_chunks);
  g_test_add_func ("/faults/cancel/random-points", test_cancel_random_points);
  g_test_add_func ("/faults/cancel/random-points-strict", test_cancel_random_points_strict);
  g_test_add_func ("/faults/parent-death", test_parent_death);
  g_test_add_func ("/faults/dispose-busy", test_dispose_busy);

  return g_test_run ();
}
