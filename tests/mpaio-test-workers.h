/* mpaio-test-workers.h: workers shared by the test suites
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <string.h>

#include <mpaio.h>

/* clang-format off */
G_BEGIN_DECLS

/* Sums an int64 array's chunk times its `multiplier` parameter; returns
 * "(xi)" (the sum, the pid that computed it). The main-process instance
 * keeps every delivered result. */
#define MPAIO_TEST_TYPE_SUM_WORKER (mpaio_test_sum_worker_get_type ())
G_DECLARE_FINAL_TYPE (MpaioTestSumWorker, mpaio_test_sum_worker, MPAIO_TEST, SUM_WORKER, MpaioWorker)

typedef struct
{
  MpaioChunk chunk;
  gint64     value;
  GPid       pid;
} MpaioTestResult;

MpaioTestSumWorker    *mpaio_test_sum_worker_new         (MpaioDataIterator  *iterator,
                                                          gint64              multiplier);
/* The results delivered to process_callback, in delivery order. */
GArray                *mpaio_test_sum_worker_get_results (MpaioTestSumWorker *self);
gint64                 mpaio_test_sum_worker_get_total   (MpaioTestSumWorker *self);

/* Fails with "boom at chunk N" on the chunk whose index is `fail-index`,
 * and on every chunk when `fail-index` is -1; "x" the index otherwise.
 * Delivered results are kept, as for the sum worker. */
#define MPAIO_TEST_TYPE_FAIL_WORKER (mpaio_test_fail_worker_get_type ())
G_DECLARE_FINAL_TYPE (MpaioTestFailWorker, mpaio_test_fail_worker, MPAIO_TEST, FAIL_WORKER, MpaioWorker)

MpaioTestFailWorker *mpaio_test_fail_worker_new         (MpaioDataIterator   *iterator,
                                                         gint                 fail_index);
GArray              *mpaio_test_fail_worker_get_results (MpaioTestFailWorker *self);

/* Busy for `spin-us` microseconds per chunk (then "x" index); in a worker
 * process, on the chunk whose index is `crash-index` it ends itself the way
 * `crash-mode` says: 0 SIGKILL, 1 SIGSEGV, 2 abort(), 3 exit(3). Counts the
 * results delivered. */
#define MPAIO_TEST_TYPE_SPIN_WORKER (mpaio_test_spin_worker_get_type ())
G_DECLARE_FINAL_TYPE (MpaioTestSpinWorker, mpaio_test_spin_worker, MPAIO_TEST, SPIN_WORKER, MpaioWorker)

MpaioTestSpinWorker *mpaio_test_spin_worker_new         (MpaioDataIterator   *iterator,
                                                         guint                spin_us,
                                                         gint                 crash_index);
guint                mpaio_test_spin_worker_get_n_delivered (MpaioTestSpinWorker *self);

/* Registered only when first used in the main process, under a name whose
 * get_type function does not exist: worker processes cannot know it. */
GType mpaio_test_ghost_worker_type (void);

/* Registered lazily in the main process only, but its get_type function is
 * exported, so worker processes find it by name. */
#define MPAIO_TEST_TYPE_LAZY_WORKER (mpaio_test_lazy_worker_get_type ())
G_DECLARE_FINAL_TYPE (MpaioTestLazyWorker, mpaio_test_lazy_worker, MPAIO_TEST, LAZY_WORKER, MpaioWorker)

/* Registers the workers above (but the ghost and the lazy one) and calls
 * mpaio_init(): the first call of every test program's main(). */
void mpaio_test_init (int    *argc,
                      char ***argv);

/* Fails the test, quoting the message, unless @part is in @error's message. */
#define mpaio_test_assert_message_contains(error, part)                                          \
  G_STMT_START {                                                                                 \
    if (strstr ((error)->message, (part)) == NULL)                                               \
      g_error ("\"%s\" is not in the error \"%s\"", (part), (error)->message);                   \
  } G_STMT_END

MpaioProcessPool  *mpaio_test_new_pool       (guint             n_workers);
MpaioDataIterator *mpaio_test_new_partitions (MpaioSharedArray *array,
                                              guint             n_partitions);
MpaioDataIterator *mpaio_test_new_chunked    (MpaioSharedArray *array,
                                              guint64           chunk_size);
/* A GAsyncReadyCallback storing a reference on the result in *user_data. */
void               mpaio_test_store_result   (GObject          *source,
                                              GAsyncResult     *result,
                                              gpointer          user_data);

/* An int64 array holding 1..n_rows. */
MpaioSharedArray *mpaio_test_new_counting_array (guint64 n_rows);
/* A sum worker multiplying by @multiplier, over a counting array of
 * @n_rows rows cut into chunks of @chunk_size rows. */
MpaioTestSumWorker *mpaio_test_new_sum_worker (guint64 n_rows,
                                               guint64 chunk_size,
                                               gint64  multiplier);

/* Runs @orchestrator to its end on the thread-default main context. */
MpaioRunReport *mpaio_test_run (MpaioOrchestrator  *orchestrator,
                                GCancellable       *cancellable,
                                GError            **error);

/* A connection of its own to the session bus (a private one, under
 * dbus-run-session), as another program's would be: what a program
 * publishes reaches it through the bus. */
GDBusConnection *mpaio_test_new_bus_connection (void);

/* The entries of the directory @path; 0 when it cannot be read (the
 * /proc directory of a process gone). */
guint mpaio_test_count_dir_entries (const char *path);
guint mpaio_test_count_open_fds (void);
/* The open fds whose target starts with @prefix ("socket:", "/dev/null",
 * "anon_inode:[pidfd]"). */
guint mpaio_test_count_fds_to (const char *prefix);
guint mpaio_test_count_children (void);
/* Waits (at most 10 s) until this process has exactly @n_expected
 * children: processes of pools dropped earlier exit on their own time. */
gboolean mpaio_test_wait_for_n_children (guint n_expected);
/* Waits (at most 10 s) until this process has exactly @n_children children
 * and no pidfd of one that is gone: GLib's worker thread closes a child's
 * pidfd just after it reaped it, after the GSubprocess's wait completed. */
void mpaio_test_wait_until_reaped (guint n_children);

/* Whether @pid is one of @pool's worker processes now. */
gboolean mpaio_test_pool_has_pid (MpaioProcessPool *pool,
                                  GPid              pid);
/* The pid an error names ("Worker process N ..."), or 0 if it names none. */
GPid     mpaio_test_error_pid    (const GError     *error);

/* Faults and isolation (test-faults, test-isolation, test-bad-input, test-leaks) */

/* Like the sum worker ("(xi)": the chunk's sum, the pid that computed it;
 * delivered results kept), but in a worker process, on the chunk whose index
 * is `crash-index`, it ends the way `crash-mode` says: 0 SIGKILL, 1 SIGSEGV,
 * 2 abort(), 3 exit(3), 4 spins for ever. Each chunk first spins for
 * `spin-us` microseconds. With `marker-dir` set it ends only while it can
 * create one of the files `chunk-K.0` .. `chunk-K.(crash-times - 1)` there
 * (O_EXCL; each holds the pid that created it), so a chunk retried enough
 * times succeeds. */
#define MPAIO_TEST_TYPE_FAULT_WORKER (mpaio_test_fault_worker_get_type ())
G_DECLARE_FINAL_TYPE (MpaioTestFaultWorker, mpaio_test_fault_worker, MPAIO_TEST, FAULT_WORKER, MpaioWorker)

typedef enum
{
  MPAIO_TEST_CRASH_SIGKILL,
  MPAIO_TEST_CRASH_SIGSEGV,
  MPAIO_TEST_CRASH_ABORT,
  MPAIO_TEST_CRASH_EXIT_3,
  MPAIO_TEST_CRASH_HANG,
} MpaioTestCrashMode;

MpaioTestFaultWorker *mpaio_test_fault_worker_new         (MpaioDataIterator    *iterator,
                                                           MpaioTestCrashMode    crash_mode,
                                                           gint                  crash_index);
GArray               *mpaio_test_fault_worker_get_results (MpaioTestFaultWorker *self);
/* The sum of the rows of @chunk of a counting array (1..n). */
gint64                mpaio_test_counting_sum             (const MpaioChunk     *chunk);

/* Looks at its own worker process, as `probe` says, and returns what it saw:
 *   ENV       "b"   MPAIO_WORKER_FD is unset
 *   RESIZE    "(iiu)" errno of ftruncate() growing and shrinking the array's
 *                   fd (0 if it worked), its seals (F_GET_SEALS)
 *   MAPPING   "s"   the line of /proc/self/maps that maps the array
 *   WRITE     "x"   writes -1 into the first row of its chunk, and returns
 *                   it read back (a read-only mapping dies with SIGSEGV first)
 *   NULL      -     returns NULL without setting an error
 *   BIG       "ay"  returns `size` bytes
 * Delivered results are kept. Like the crash modes, the probes act only in a
 * worker process; in the main process every probe returns "b" FALSE. */
#define MPAIO_TEST_TYPE_PROBE_WORKER (mpaio_test_probe_worker_get_type ())
G_DECLARE_FINAL_TYPE (MpaioTestProbeWorker, mpaio_test_probe_worker, MPAIO_TEST, PROBE_WORKER, MpaioWorker)

typedef enum
{
  MPAIO_TEST_PROBE_ENV,
  MPAIO_TEST_PROBE_RESIZE,
  MPAIO_TEST_PROBE_MAPPING,
  MPAIO_TEST_PROBE_WRITE,
  MPAIO_TEST_PROBE_NULL,
  MPAIO_TEST_PROBE_BIG,
} MpaioTestProbe;

MpaioTestProbeWorker *mpaio_test_probe_worker_new         (MpaioDataIterator    *iterator,
                                                           MpaioTestProbe        probe);
/* The results delivered to process_callback (GVariant*), in delivery order. */
GPtrArray            *mpaio_test_probe_worker_get_results (MpaioTestProbeWorker *self);

/* Registers the two workers above in this process; call it before
 * mpaio_test_init() in a suite that uses them. */
void mpaio_test_ensure_fault_workers (void);

/* The executors a suite runs its cases on, as a case's test data
 * (GINT_TO_POINTER of the kind). */
typedef enum
{
  MPAIO_TEST_EXECUTOR_PROCESS_POOL,
  MPAIO_TEST_EXECUTOR_THREAD_POOL,
} MpaioTestExecutorKind;

/* A new executor of two processes or threads; @data is a kind as above. */
MpaioExecutor *mpaio_test_new_executor (gconstpointer data);

G_END_DECLS
