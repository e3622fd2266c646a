/* test-run-report.c: MpaioRunReport and MpaioChunkRecord
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <mpaio.h>

#include "mpaio-run-report-private.h"

static MpaioChunkRecord
make_record (guint i)
{
  MpaioChunkRecord record = {
    .worker_index = i % 3,
    .chunk_index = i,
    .start_row = i * 100,
    .end_row = i * 100 + 100,
    .pid = 1000 + (gint) i,
    .sent_us = 1000 + i * 10,
    .started_us = 1001 + i * 10,
    .finished_us = 1005 + i * 10,
    .returned_us = 1007 + i * 10,
  };

  return record;
}

/* Field by field: the struct has padding, which memcmp would read. */
static void
assert_record_equal (const MpaioChunkRecord *record,
                     const MpaioChunkRecord *expected)
{
  g_assert_cmpuint (record->worker_index, ==, expected->worker_index);
  g_assert_cmpuint (record->chunk_index, ==, expected->chunk_index);
  g_assert_cmpuint (record->start_row, ==, expected->start_row);
  g_assert_cmpuint (record->end_row, ==, expected->end_row);
  g_assert_cmpint (record->pid, ==, expected->pid);
  g_assert_cmpint (record->sent_us, ==, expected->sent_us);
  g_assert_cmpint (record->started_us, ==, expected->started_us);
  g_assert_cmpint (record->finished_us, ==, expected->finished_us);
  g_assert_cmpint (record->returned_us, ==, expected->returned_us);
}

static void
test_records (void)
{
  g_autoptr(MpaioRunReport) report = NULL;
  const guint n = 5;

  report = _mpaio_run_report_new (1000, n);
  g_assert_cmpuint (mpaio_run_report_get_n_records (report), ==, 0);

  /* One more than expected: the storage grows. */
  for (guint i = 0; i < n + 1; i++)
    {
      MpaioChunkRecord record = make_record (i);

      _mpaio_run_report_add_record (report, &record);
      g_assert_cmpuint (mpaio_run_report_get_n_records (report), ==, i + 1);
    }

  for (guint i = 0; i < n + 1; i++)
    {
      const MpaioChunkRecord *record = mpaio_run_report_get_record (report, i);
      MpaioChunkRecord        expected = make_record (i);

      g_assert_nonnull (record);
      assert_record_equal (record, &expected);
    }
}

/* The orchestrator passes the number of chunks, which may be huge: sizing
 * the storage for it must not abort. */
static void
test_huge_expected (void)
{
  g_autoptr(MpaioRunReport) report = _mpaio_run_report_new (0, G_MAXUINT);
  MpaioChunkRecord record = make_record (3);

  _mpaio_run_report_add_record (report, &record);
  g_assert_cmpuint (mpaio_run_report_get_n_records (report), ==, 1);
  assert_record_equal (mpaio_run_report_get_record (report, 0), &record);
}

static void
test_record_out_of_range (void)
{
  g_autoptr(MpaioRunReport) report = _mpaio_run_report_new (0, 1);
  MpaioChunkRecord record = make_record (0);

  g_test_expect_message ("Mpaio", G_LOG_LEVEL_CRITICAL, "*index < *");
  g_assert_null (mpaio_run_report_get_record (report, 0));
  g_test_assert_expected_messages ();

  _mpaio_run_report_add_record (report, &record);
  g_assert_nonnull (mpaio_run_report_get_record (report, 0));

  g_test_expect_message ("Mpaio", G_LOG_LEVEL_CRITICAL, "*index < *");
  g_assert_null (mpaio_run_report_get_record (report, 1));
  g_test_assert_expected_messages ();
}

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  guint *n_notified = user_data;

  (*n_notified)++;
}

static void
test_wall_time (void)
{
  g_autoptr(MpaioRunReport) report = NULL;
  gdouble wall_time;
  guint   n_records;
  guint   n_notified = 0;

  report = _mpaio_run_report_new (G_GINT64_CONSTANT (5000000), 0);
  g_assert_cmpint (mpaio_run_report_get_start_time (report), ==, 5000000);
  g_assert_cmpfloat (mpaio_run_report_get_wall_time (report), ==, 0.0);

  g_signal_connect (report, "notify::wall-time", G_CALLBACK (on_notify), &n_notified);
  _mpaio_run_report_set_end (report, G_GINT64_CONSTANT (7500000));
  g_assert_cmpuint (n_notified, ==, 1);

  g_assert_cmpint (mpaio_run_report_get_end_time (report), ==, 7500000);
  g_assert_cmpfloat_with_epsilon (mpaio_run_report_get_wall_time (report), 2.5, 1e-12);

  g_object_get (report, "wall-time", &wall_time, "n-records", &n_records, NULL);
  g_assert_cmpfloat_with_epsilon (wall_time, 2.5, 1e-12);
  g_assert_cmpuint (n_records, ==, 0);
}

static void
test_record_boxed (void)
{
  MpaioChunkRecord record = make_record (7);
  g_autoptr(MpaioChunkRecord) copy = NULL;

  g_assert_true (G_TYPE_IS_BOXED (MPAIO_TYPE_CHUNK_RECORD));

  copy = mpaio_chunk_record_copy (&record);
  g_assert_true (copy != &record);
  assert_record_equal (copy, &record);

  mpaio_chunk_record_free (NULL);
}

int
main (int    argc,
      char **argv)
{
  mpaio_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/run-report/records", test_records);
  g_test_add_func ("/run-report/huge-expected", test_huge_expected);
  g_test_add_func ("/run-report/record-out-of-range", test_record_out_of_range);
  g_test_add_func ("/run-report/wall-time", test_wall_time);
  g_test_add_func ("/chunk-record/boxed", test_record_boxed);

  return g_test_run ();
}
