/* test-mpi-executor.c: the parts of MpaioMpiExecutor that need no MPI job
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The executor itself runs under mpirun in the `mpi` suite (tests/mpi);
 * here: its error outside an MPI job (where MPI's libraries stay unloaded),
 * the sets of rows each host holds, and the table of every host's CPU
 * samples.
 */

#include <string.h>

#include <mpaio.h>

#include "mpaio-mpi-cpu-private.h"
#include "mpaio-mpi-rows-private.h"
#include "mpaio-test-workers.h"

static void
test_outside_mpirun (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioMpiExecutor) executor = mpaio_mpi_executor_new (0, &error);

  /* Not started by mpirun (the suite's environment has no rank): a clear
   * error, whether or not mpaio was built with MPI. */
  g_assert_null (executor);
  g_assert_error (error, MPAIO_ERROR, MPAIO_ERROR_SPAWN_FAILED);
  g_assert_false (mpaio_mpi_executor_is_available ());
}

/* Whether a library whose file name starts with @prefix is mapped. */
static gboolean
maps_library (const char *prefix)
{
  g_autofree char *maps = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_true (g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL));
  lines = g_strsplit (maps, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *slash = strrchr (lines[i], '/');

      if (slash != NULL && g_str_has_prefix (slash + 1, prefix))
        return TRUE;
    }

  return FALSE;
}

static void
test_no_mpi_loaded (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioMpiExecutor) executor = NULL;

  /* Only the ranks of an MPI job load MPI (mpaio's MPI module): every other
   * program, and every worker process of a pool, starts without it. */
  g_assert_false (maps_library ("libmpi."));
  executor = mpaio_mpi_executor_new (0, &error);
  g_assert_null (executor);
  g_assert_error (error, MPAIO_ERROR, MPAIO_ERROR_SPAWN_FAILED);
  g_assert_false (maps_library ("libmpi."));
  g_assert_false (maps_library ("libmpaio-mpi-link"));
}

static void
assert_ranges (GArray              *ranges,
               const MpaioRowRange *expected,
               guint                n_expected)
{
  g_assert_cmpuint (ranges->len, ==, n_expected);
  for (guint i = 0; i < n_expected; i++)
    {
      g_assert_cmpuint (g_array_index (ranges, MpaioRowRange, i).start, ==, expected[i].start);
      g_assert_cmpuint (g_array_index (ranges, MpaioRowRange, i).end, ==, expected[i].end);
    }
}

static void
test_row_set (void)
{
  MpaioRowSet *rows = _mpaio_row_set_new ();
  g_autoptr(GArray) missing = NULL;
  const MpaioRowRange gaps[] = { { 0, 10 }, { 20, 30 }, { 40, 50 } };
  const MpaioRowRange none[] = { { 0, 0 } };

  g_assert_true (_mpaio_row_set_contains (rows, 5, 5)); /* empty ranges are held */
  g_assert_false (_mpaio_row_set_contains (rows, 0, 1));

  _mpaio_row_set_add (rows, 10, 20);
  _mpaio_row_set_add (rows, 30, 40);
  g_assert_true (_mpaio_row_set_contains (rows, 10, 20));
  g_assert_true (_mpaio_row_set_contains (rows, 32, 38));
  g_assert_false (_mpaio_row_set_contains (rows, 15, 35));
  g_assert_false (_mpaio_row_set_contains (rows, 9, 11));

  missing = _mpaio_row_set_missing (rows, 0, 50);
  assert_ranges (missing, gaps, G_N_ELEMENTS (gaps));
  g_clear_pointer (&missing, g_array_unref);

  /* Adjacent and overlapping ranges merge: one range is left. */
  _mpaio_row_set_add (rows, 20, 30);
  _mpaio_row_set_add (rows, 0, 12);
  _mpaio_row_set_add (rows, 35, 50);
  g_assert_true (_mpaio_row_set_contains (rows, 0, 50));
  missing = _mpaio_row_set_missing (rows, 0, 50);
  assert_ranges (missing, none, 0);
  g_clear_pointer (&missing, g_array_unref);

  missing = _mpaio_row_set_missing (rows, 45, 60);
  {
    const MpaioRowRange tail[] = { { 50, 60 } };

    assert_ranges (missing, tail, G_N_ELEMENTS (tail));
  }

  _mpaio_row_set_free (rows);
}

static void
test_merge_cpu_samples (void)
{
  g_autoptr(GListStore) local = g_list_store_new (MPAIO_TYPE_CPU_SAMPLE);
  g_autoptr(GPtrArray) hosts = g_ptr_array_new_with_free_func (
    (GDestroyNotify) _mpaio_host_samples_free);
  g_autoptr(GListModel) merged = NULL;
  g_auto(GStrv) names = NULL;
  MpaioHostSamples *other = _mpaio_host_samples_new (g_intern_static_string ("node1"), 0);
  const gdouble     at_0[] = { 10, 20 }, at_1[] = { 30, 40 };
  const gdouble     there_0[] = { 50 }, there_1[] = { 70 };
  const gint64      start_us = 1000000;

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(MpaioCpuSample) sample = mpaio_cpu_sample_new (0.1 * (i + 1), i ? at_1 : at_0, 2,
                                                                0);

      g_list_store_append (local, sample);
    }
  /* The other host sampled just before each of rank 0's samples. */
  _mpaio_host_samples_add (other, start_us + 90000, there_0, 1);
  _mpaio_host_samples_add (other, start_us + 190000, there_1, 1);
  g_ptr_array_add (hosts, other);

  merged = _mpaio_mpi_merge_cpu_samples (G_LIST_MODEL (local), start_us, 2,
                                         g_intern_static_string ("node0"), hosts, &names);

  g_assert_cmpstrv (names, ((const char *const[]){ "node0/core_0", "node0/core_1",
                                                   "node1/core_0", NULL }));
  g_assert_cmpuint (g_list_model_get_n_items (merged), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(MpaioCpuSample) sample = g_list_model_get_item (merged, i);
      const gdouble *rank_0 = i ? at_1 : at_0;
      gdouble        remote = i ? there_1[0] : there_0[0];

      g_assert_cmpuint (mpaio_cpu_sample_get_n_cores (sample), ==, 3);
      g_assert_cmpfloat (mpaio_cpu_sample_get_value (sample, 0), ==, rank_0[0]);
      g_assert_cmpfloat (mpaio_cpu_sample_get_value (sample, 1), ==, rank_0[1]);
      g_assert_cmpfloat (mpaio_cpu_sample_get_value (sample, 2), ==, remote);
      g_assert_cmpfloat_with_epsilon (mpaio_cpu_sample_get_total (sample),
                                      (rank_0[0] + rank_0[1] + remote) / 3, 1e-9);
    }
}

int
main (int    argc,
      char **argv)
{
  mpaio_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/mpi-executor/outside-mpirun", test_outside_mpirun);
  g_test_add_func ("/mpi-executor/no-mpi-loaded", test_no_mpi_loaded);
  g_test_add_func ("/mpi-executor/row-set", test_row_set);
  g_test_add_func ("/mpi-executor/merge-cpu-samples", test_merge_cpu_samples);

  return g_test_run ();
}
