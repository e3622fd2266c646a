/* test-leaks.c: a thousand runs, a hundred pools, and nothing left behind
 *
 * What is counted, in the main process: open fds (/proc/self/fd), child
 * processes (/proc/self/task/TID/children), mappings (lines of
 * /proc/self/maps) and the resident set (/proc/self/statm); in each worker
 * process: its open fds, its mappings and its resident set; and that every object dropped was
 * finalized. Counts must come back exactly to what they were, but for two
 * allowances: the resident set may grow by RSS_SLACK_KIB (4 MiB), room for
 * malloc's arenas and free lists to settle, and the mappings other than
 * shared arrays by MAPS_SLACK (a sanitizer's allocator maps a region for
 * each size class it meets); mappings of shared arrays (memfds) must come
 * back exactly. A leak of one array or one mapping per run would be 1,000.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include "mpaio-test-workers.h"

#define N_RUNS    1000
#define N_POOLS   100
#define N_WARM_UP 20
/* Chunks whose results a worker process encodes, in /leaks/results: a
 * leak of one small allocation per result would be tens of MiB. */
#define N_RESULT_RUNS   10
#define N_RESULT_CHUNKS 20000
#define RSS_SLACK_KIB   (4 * 1024)
#define MAPS_SLACK      16

/* AddressSanitizer's quarantine keeps freed memory resident (up to 256 MiB):
 * the resident set says nothing then, and LeakSanitizer checks the heap at
 * exit instead. */
#if defined(__SANITIZE_ADDRESS__)
#define RSS_MEANINGFUL 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RSS_MEANINGFUL 0
#endif
#endif
#ifndef RSS_MEANINGFUL
#define RSS_MEANINGFUL 1
#endif

/* Counting */

typedef struct
{
  guint fds;
  guint children;
  guint maps;
  guint memfd_maps;
  gsize rss_kib;
} Usage;

/* The number of lines of @path, and of those that hold @part. */
static guint
count_lines (const char *path,
             const char *part,
             guint      *n_with_part)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  guint n = 0;

  *n_with_part = 0;
  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (lines[i][0] == '\0')
        continue;
      n++;
      *n_with_part += strstr (lines[i], part) != NULL;
    }

  return n;
}

static gsize
get_rss_kib_of (const char *statm_path)
{
  g_autofree char *statm = NULL;
  g_auto(GStrv) fields = NULL;

  g_assert_true (g_file_get_contents (statm_path, &statm, NULL, NULL));
  fields = g_strsplit (statm, " ", -1);
  g_assert_cmpuint (g_strv_length (fields), >=, 2);

  return (gsize) g_ascii_strtoull (fields[1], NULL, 10) * (gsize) sysconf (_SC_PAGESIZE) / 1024;
}

static gsize
get_rss_kib (void)
{
  return get_rss_kib_of ("/proc/self/statm");
}

static void
measure (Usage *usage)
{
  usage->fds = mpaio_test_count_open_fds ();
  usage->children = mpaio_test_count_children ();
  usage->maps = count_lines ("/proc/self/maps", "/memfd:", &usage->memfd_maps);
  usage->rss_kib = get_rss_kib ();
}

static void
print_usage (const char  *when,
             const Usage *usage)
{
  g_test_message ("%s: %u fds, %u children, %u mappings (%u of memfds), %" G_GSIZE_FORMAT
                  " KiB resident",
                  when, usage->fds, usage->children, usage->maps, usage->memfd_maps,
                  usage->rss_kib);
}

static void
assert_no_growth (const Usage *before,
                  const Usage *after)
{
  g_assert_cmpuint (after->fds, ==, before->fds);
  g_assert_cmpuint (after->children, ==, before->children);
  g_assert_cmpuint (after->memfd_maps, ==, before->memfd_maps);
  g_assert_cmpuint (after->maps, <=, before->maps + MAPS_SLACK);
  if (RSS_MEANINGFUL)
    g_assert_cmpuint (after->rss_kib, <=, before->rss_kib + RSS_SLACK_KIB);
  else
    g_test_message ("resident set not checked under AddressSanitizer (its quarantine keeps "
                    "freed memory); LeakSanitizer checks the heap at exit");
}

/* Usage of a worker process */
typedef struct
{
  GPid  pid;
  guint fds;
  guint maps;
  guint memfd_maps;
  gsize rss_kib;
} WorkerUsage;

static GArray *
measure_workers (MpaioProcessPool *pool)
{
  GArray          *usages = g_array_new (FALSE, TRUE, sizeof (WorkerUsage));
  g_autofree GPid *pids = NULL;
  guint            n_pids;

  pids = mpaio_process_pool_get_pids (pool, &n_pids);
  for (guint i = 0; i < n_pids; i++)
    {
      g_autofree char *fd_dir = g_strdup_printf ("/proc/%d/fd", (int) pids[i]);
      g_autofree char *maps = g_strdup_printf ("/proc/%d/maps", (int) pids[i]);
      g_autofree char *statm = g_strdup_printf ("/proc/%d/statm", (int) pids[i]);
      WorkerUsage      usage = { pids[i], mpaio_test_count_dir_entries (fd_dir), 0, 0, 0 };

      usage.maps = count_lines (maps, "/memfd:", &usage.memfd_maps);
      usage.rss_kib = get_rss_kib_of (statm);

      g_assert_cmpuint (usage.fds, >, 0);
      g_assert_cmpuint (usage.maps, >, 0);
      g_array_append_val (usages, usage);
    }

  return usages;
}

static void
drain_main_context (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* A worker whose results are not plain numbers: a worker process encodes
 * them the general way. */
#define LEAKS_TYPE_ECHO_WORKER (leaks_echo_worker_get_type ())
G_DECLARE_FINAL_TYPE (LeaksEchoWorker, leaks_echo_worker, LEAKS, ECHO_WORKER, MpaioWorker)

struct _LeaksEchoWorker
{
  MpaioWorker parent_instance;
  guint64     n_results;
};

G_DEFINE_FINAL_TYPE (LeaksEchoWorker, leaks_echo_worker, MPAIO_TYPE_WORKER)

static GVariant *
leaks_echo_worker_process (MpaioWorker      *worker,
                           const MpaioChunk *chunk,
                           GError          **error)
{
  return g_variant_new ("(ts)", chunk->index, "echo");
}

static void
leaks_echo_worker_process_callback (MpaioWorker      *worker,
                                    const MpaioChunk *chunk,
                                    GVariant         *result)
{
  guint64 index;

  g_variant_get (result, "(t&s)", &index, NULL);
  g_assert_cmpuint (index, ==, chunk->index);
  LEAKS_ECHO_WORKER (worker)->n_results++;
}

static void
leaks_echo_worker_class_init (LeaksEchoWorkerClass *klass)
{
  MPAIO_WORKER_CLASS (klass)->process = leaks_echo_worker_process;
  MPAIO_WORKER_CLASS (klass)->process_callback = leaks_echo_worker_process_callback;
}

static void
leaks_echo_worker_init (LeaksEchoWorker *self)
{
}

/* Runs */

/* One run of a sum worker over a new array of @n_rows rows in @n_chunks
 * chunks; every object made for it is finalized when it is dropped. */
static void
run_once (MpaioProcessPool *pool,
          guint64           n_rows,
          guint             n_chunks)
{
  g_autoptr(GError) error = NULL;
  MpaioSharedArray   *array = mpaio_test_new_counting_array (n_rows);
  MpaioDataIterator  *iterator = mpaio_data_iterator_new_partitioned (array, n_chunks, &error);
  MpaioTestSumWorker *worker;
  MpaioOrchestrator  *orchestrator;
  MpaioRunReport     *report;

  g_assert_no_error (error);
  worker = mpaio_test_sum_worker_new (iterator, 1);
  orchestrator = mpaio_orchestrator_new (MPAIO_EXECUTOR (pool), (MpaioWorker **) &worker, 1);

  report = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mpaio_test_sum_worker_get_total (worker), ==,
                   (gint64) (n_rows * (n_rows + 1) / 2));

  g_object_add_weak_pointer (G_OBJECT (array), (gpointer *) &array);
  g_object_add_weak_pointer (G_OBJECT (iterator), (gpointer *) &iterator);
  g_object_add_weak_pointer (G_OBJECT (worker), (gpointer *) &worker);
  g_object_add_weak_pointer (G_OBJECT (orchestrator), (gpointer *) &orchestrator);
  g_object_add_weak_pointer (G_OBJECT (report), (gpointer *) &report);

  g_object_unref (report);
  g_object_unref (orchestrator);
  g_object_unref (worker);
  g_object_unref (iterator);
  g_object_unref (array);

  g_assert_null (report);
  g_assert_null (orchestrator);
  g_assert_null (worker);
  g_assert_null (iterator);
  g_assert_null (array);
}

/* Makes sure every worker process of @pool has read everything the pool
 * sent it before (the FORGET messages of dropped arrays and workers, sent
 * from an idle): a run of @sync, whose chunks go to every process. */
static void
settle (MpaioOrchestrator *sync)
{
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GError) error = NULL;

  drain_main_context ();
  report = mpaio_test_run (sync, NULL, &error);
  g_assert_no_error (error);
  drain_main_context ();
}

static void
test_runs (void)
{
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (2);
  g_autoptr(MpaioSharedArray) sync_array = mpaio_test_new_counting_array (100);
  g_autoptr(MpaioDataIterator) sync_iterator = NULL;
  g_autoptr(MpaioTestSumWorker) sync_worker = NULL;
  g_autoptr(MpaioOrchestrator) sync = NULL;
  g_autoptr(GArray) workers_before = NULL;
  g_autoptr(GArray) workers_after = NULL;
  g_autoptr(GError) error = NULL;
  Usage before, after;

  g_test_summary ("1,000 runs on one pool, each with a new array, iterator, worker and "
                  "orchestrator: no fd, process, mapping, object or memory is left behind, in "
                  "the main process or in the worker processes");

  sync_iterator = mpaio_data_iterator_new_partitioned (sync_array, 4, &error);
  g_assert_no_error (error);
  sync_worker = mpaio_test_sum_worker_new (sync_iterator, 1);
  sync = mpaio_orchestrator_new (MPAIO_EXECUTOR (pool), (MpaioWorker **) &sync_worker, 1);

  /* Warm up: caches, type classes, malloc arenas, the sync array mapped
   * everywhere. */
  for (guint i = 0; i < N_WARM_UP; i++)
    run_once (pool, 1000 + i % 7, 1 + i % 8);
  settle (sync);
  measure (&before);
  workers_before = measure_workers (pool);
  print_usage ("before", &before);

  for (guint i = 0; i < N_RUNS; i++)
    run_once (pool, 1000 + i % 7, 1 + i % 8);

  settle (sync);
  measure (&after);
  workers_after = measure_workers (pool);
  print_usage ("after", &after);

  assert_no_growth (&before, &after);

  /* The same worker processes, holding no more than before. */
  g_assert_cmpuint (workers_after->len, ==, workers_before->len);
  for (guint i = 0; i < workers_before->len; i++)
    {
      const WorkerUsage *b = &g_array_index (workers_before, WorkerUsage, i);
      const WorkerUsage *a = &g_array_index (workers_after, WorkerUsage, i);

      g_test_message ("worker process %d: %u → %u fds, %u → %u mappings (%u → %u of memfds)",
                      (int) b->pid, b->fds, a->fds, b->maps, a->maps, b->memfd_maps,
                      a->memfd_maps);
      g_assert_cmpint (a->pid, ==, b->pid);
      g_assert_cmpuint (a->fds, ==, b->fds);
      g_assert_cmpuint (a->memfd_maps, ==, b->memfd_maps);
      g_assert_cmpuint (a->maps, <=, b->maps + MAPS_SLACK);
    }
}

static void
run_results (MpaioOrchestrator *orchestrator)
{
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GError) error = NULL;

  report = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mpaio_run_report_get_n_records (report), ==, 2 * N_RESULT_CHUNKS);
}

static void
test_results (void)
{
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (2);
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (N_RESULT_CHUNKS);
  g_autoptr(MpaioDataIterator) iterator = NULL;
  g_autoptr(MpaioTestSumWorker) sum = NULL;
  g_autoptr(LeaksEchoWorker) echo = NULL;
  g_autoptr(MpaioOrchestrator) orchestrator = NULL;
  g_autoptr(GArray) workers_before = NULL;
  g_autoptr(GArray) workers_after = NULL;
  g_autoptr(GError) error = NULL;
  MpaioWorker *workers[2];

  g_test_summary ("400,000 results encoded by the worker processes, numbers (written "
                  "directly) and tuples (through GVariant): their resident sets do not grow");

  iterator = mpaio_data_iterator_new (array, 1, &error);
  g_assert_no_error (error);
  sum = mpaio_test_sum_worker_new (iterator, 1);
  echo = g_object_new (LEAKS_TYPE_ECHO_WORKER, "data-iterator", iterator, NULL);
  workers[0] = MPAIO_WORKER (sum);
  workers[1] = MPAIO_WORKER (echo);
  orchestrator = mpaio_orchestrator_new (MPAIO_EXECUTOR (pool), workers, 2);

  run_results (orchestrator);
  workers_before = measure_workers (pool);

  for (guint i = 0; i < N_RESULT_RUNS; i++)
    run_results (orchestrator);
  workers_after = measure_workers (pool);

  g_assert_cmpuint (echo->n_results, ==, (N_RESULT_RUNS + 1) * (guint64) N_RESULT_CHUNKS);
  g_assert_cmpuint (workers_after->len, ==, workers_before->len);
  for (guint i = 0; i < workers_before->len; i++)
    {
      const WorkerUsage *b = &g_array_index (workers_before, WorkerUsage, i);
      const WorkerUsage *a = &g_array_index (workers_after, WorkerUsage, i);

      g_test_message ("worker process %d: %" G_GSIZE_FORMAT " → %" G_GSIZE_FORMAT
                      " KiB resident",
                      (int) b->pid, b->rss_kib, a->rss_kib);
      g_assert_cmpint (a->pid, ==, b->pid);
      if (RSS_MEANINGFUL)
        g_assert_cmpuint (a->rss_kib, <=, b->rss_kib + RSS_SLACK_KIB);
    }
  if (!RSS_MEANINGFUL)
    g_test_message ("resident sets not checked under AddressSanitizer (its quarantine keeps "
                    "freed memory)");
}

static void
use_pool_once (void)
{
  MpaioProcessPool *pool = mpaio_test_new_pool (2);

  g_object_add_weak_pointer (G_OBJECT (pool), (gpointer *) &pool);
  run_once (pool, 1000, 4);
  g_object_unref (pool);
  g_assert_null (pool);
}

static void
test_pools (void)
{
  Usage before, after;

  g_test_summary ("100 pools created, used and destroyed: each is finalized, its processes "
                  "exit, and no fd, mapping or memory is left behind");

  for (guint i = 0; i < N_WARM_UP / 4; i++)
    use_pool_once ();
  mpaio_test_wait_until_reaped (0);
  drain_main_context ();
  measure (&before);
  print_usage ("before", &before);

  for (guint i = 0; i < N_POOLS; i++)
    use_pool_once ();

  /* Worker processes exit on their own time once their socket closes. */
  mpaio_test_wait_until_reaped (before.children);
  drain_main_context ();
  measure (&after);
  print_usage ("after", &after);

  assert_no_growth (&before, &after);
}

int
main (int    argc,
      char **argv)
{
  mpaio_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_summary ("No leaks: fds, processes, mappings, objects and memory over many runs "
                  "and pools");

  g_test_add_func ("/leaks/runs", test_runs);
  g_test_add_func ("/leaks/pools", test_pools);
  g_test_add_func ("/leaks/results", test_results);

  return g_test_run ();
}
