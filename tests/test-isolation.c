/* test-isolation.c: what a worker process can and cannot do to the main
 * process's data
 *
 * Each test runs a probe in real worker processes (this program started
 * again), which reports what it saw or dies trying.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "mpaio-test-workers.h"

#define N_ROWS       1000
#define N_PARTITIONS 4

/* Runs @probe on every chunk of a counting array in worker processes;
 * returns the results, or NULL with @error set. */
static GPtrArray *
run_probe (MpaioSharedArray *array,
           MpaioTestProbe    probe,
           GError          **error)
{
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (2);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (array, N_PARTITIONS);
  g_autoptr(MpaioTestProbeWorker) worker = mpaio_test_probe_worker_new (iterator, probe);
  MpaioWorker *workers[] = { MPAIO_WORKER (worker) };
  g_autoptr(MpaioOrchestrator) orchestrator =
               mpaio_orchestrator_new (MPAIO_EXECUTOR (pool), workers, 1);
  g_autoptr(MpaioRunReport) report = NULL;

  report = mpaio_test_run (orchestrator, NULL, error);
  if (report == NULL)
    return NULL;

  g_assert_cmpuint (mpaio_test_probe_worker_get_results (worker)->len, ==, N_PARTITIONS);
  return g_ptr_array_ref (mpaio_test_probe_worker_get_results (worker));
}

static void
assert_counting (MpaioSharedArray *array)
{
  const gint64 *rows = mpaio_shared_array_get_data (array);

  for (guint64 i = 0; i < mpaio_shared_array_get_n_rows (array); i++)
    g_assert_cmpint (rows[i], ==, (gint64) i + 1);
}

static void
test_read_only_mapping (void)
{
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (N_ROWS);
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;

  g_test_summary ("An input array is mapped read-only in worker processes, from a memfd");

  results = run_probe (array, MPAIO_TEST_PROBE_MAPPING, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < results->len; i++)
    {
      const char *line = g_variant_get_string (g_ptr_array_index (results, i), NULL);
      g_auto(GStrv) fields = g_strsplit_set (line, " ", -1);

      g_test_message ("worker process mapping: %s", line);
      g_assert_cmpuint (g_strv_length (fields), >=, 6);
      /* Permissions: read, no write, no exec (shared or private). */
      g_assert_true (g_str_has_prefix (fields[1], "r--"));
      g_assert_nonnull (strstr (line, "/memfd:mpaio-array-"));
    }
}

static void
test_write_crashes (void)
{
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (N_ROWS);
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;

  g_test_summary ("A worker that writes into its input array from `process` dies with "
                  "SIGSEGV, reported as MPAIO_ERROR_WORKER_CRASHED, and the main process's "
                  "data is unchanged");

  results = run_probe (array, MPAIO_TEST_PROBE_WRITE, &error);
  g_assert_null (results);
  g_assert_error (error, MPAIO_ERROR, MPAIO_ERROR_WORKER_CRASHED);
  mpaio_test_assert_message_contains (error, "signal 11");
  g_test_message ("%s", error->message);

  assert_counting (array);
}

static void
test_cannot_resize (void)
{
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (N_ROWS);
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;

  g_test_summary ("A worker process can neither resize the memfd of its input array "
                  "(ftruncate() refused both ways, seals in place) nor write it through its "
                  "fd (pwrite) or by making its mapping writable (mprotect)");

  results = run_probe (array, MPAIO_TEST_PROBE_RESIZE, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < results->len; i++)
    {
      gint    grow, shrink, write_fd, protect;
      guint32 seals;

      g_variant_get (g_ptr_array_index (results, i), "(iiuii)", &grow, &shrink, &seals, &write_fd,
                     &protect);
      /* EPERM from the seals, or EINVAL/EBADF from a read-only fd. */
      g_assert_true (grow == EPERM || grow == EINVAL || grow == EBADF);
      g_assert_true (shrink == EPERM || shrink == EINVAL || shrink == EBADF);
      g_assert_cmpint (write_fd, ==, EBADF);
      g_assert_cmpint (protect, ==, EACCES);
      g_assert_cmpuint (seals & (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL), ==,
                        F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);
    }

  g_assert_cmpuint (mpaio_shared_array_get_size (array), ==, N_ROWS * sizeof (gint64));
  assert_counting (array);
}

static GHashTable *
list_dev_shm (void)
{
  GHashTable *names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GDir) dir = g_dir_open ("/dev/shm", 0, NULL);
  const char *name;

  /* No /dev/shm at all: nothing can be created there either. */
  if (dir == NULL)
    return names;

  while ((name = g_dir_read_name (dir)) != NULL)
    g_hash_table_add (names, g_strdup (name));

  return names;
}

static void
test_no_dev_shm (void)
{
  g_autoptr(GHashTable) before = list_dev_shm ();
  g_autoptr(GHashTable) after = NULL;
  g_autoptr(GPtrArray) arrays = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *maps = NULL;
  GHashTableIter   iter;
  gpointer         name;

  g_test_summary ("Shared arrays are anonymous memfds: creating arrays and running on them "
                  "puts no named object in /dev/shm");

  for (guint i = 0; i < 4; i++)
    {
      guint64 shape[] = { 100 + i, 3 };

      g_ptr_array_add (arrays, mpaio_shared_array_new (MPAIO_DTYPE_FLOAT64, shape, 2, &error));
      g_assert_no_error (error);
    }
  g_ptr_array_add (arrays, mpaio_test_new_counting_array (N_ROWS));
  results = run_probe (g_ptr_array_index (arrays, arrays->len - 1), MPAIO_TEST_PROBE_MAPPING,
                       &error);
  g_assert_no_error (error);

  after = list_dev_shm ();
  g_hash_table_iter_init (&iter, after);
  while (g_hash_table_iter_next (&iter, &name, NULL))
    if (!g_hash_table_contains (before, name))
      g_error ("/dev/shm/%s appeared", (const char *) name);

  /* And this process maps them as memfds, not as files of /dev/shm. */
  g_assert_true (g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL));
  g_assert_nonnull (strstr (maps, "/memfd:mpaio-array-"));
  g_assert_null (strstr (maps, "/dev/shm/"));
}

static void
test_environment_cleared (void)
{
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (N_ROWS);
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;

  g_test_summary ("Worker processes run `process` with MPAIO_WORKER_FD, MPAIO_STATUS_FD and "
                  "MPAIO_PARENT_PID unset, so a pool or program they start does not take itself "
                  "for a worker");

  g_assert_null (g_getenv ("MPAIO_WORKER_FD"));
  results = run_probe (array, MPAIO_TEST_PROBE_ENV, &error);
  g_assert_no_error (error);

  /* The probe returns FALSE outside a worker process, so TRUE also says it
   * ran in one. */
  for (guint i = 0; i < results->len; i++)
    g_assert_true (g_variant_get_boolean (g_ptr_array_index (results, i)));
}

int
main (int    argc,
      char **argv)
{
  mpaio_test_ensure_fault_workers ();
  mpaio_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_summary ("Isolation of worker processes: read-only input arrays, sealed memfds, "
                  "nothing in /dev/shm, a cleared environment");

  g_test_add_func ("/isolation/read-only-mapping", test_read_only_mapping);
  g_test_add_func ("/isolation/write-crashes", test_write_crashes);
  g_test_add_func ("/isolation/cannot-resize", test_cannot_resize);
  g_test_add_func ("/isolation/no-dev-shm", test_no_dev_shm);
  g_test_add_func ("/isolation/environment-cleared", test_environment_cleared);

  return g_test_run ();
}
