/* test-data-iterator.c: MpaioDataIterator and MpaioChunk
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <gio/gio.h>

#include <mpaio.h>

static MpaioSharedArray *
make_array (guint64 n_rows)
{
  g_autoptr(GError) error = NULL;
  MpaioSharedArray *array;

  array = mpaio_shared_array_new (MPAIO_DTYPE_INT64, &n_rows, 1, &error);
  g_assert_no_error (error);

  return array;
}

/* An array of @n_rows rows of size 0: no memory at all, so that iterators
 * over any number of rows, up to G_MAXUINT64, can be tested. */
static MpaioSharedArray *
make_empty_rows_array (guint64 n_rows)
{
  g_autoptr(GError) error = NULL;
  const guint64     shape[] = { n_rows, 0 };
  MpaioSharedArray *array;

  array = mpaio_shared_array_new (MPAIO_DTYPE_UINT8, shape, 2, &error);
  g_assert_no_error (error);

  return array;
}

static void
assert_chunks (MpaioDataIterator *iter,
               const guint64      expected[][2],
               guint              n_expected)
{
  MpaioChunk chunk;

  g_assert_cmpuint (mpaio_data_iterator_get_n_chunks (iter), ==, n_expected);

  for (guint i = 0; i < n_expected; i++)
    {
      g_assert_true (mpaio_data_iterator_get_chunk (iter, i, &chunk));
      g_assert_cmpuint (chunk.index, ==, i);
      g_assert_cmpuint (chunk.start, ==, expected[i][0]);
      g_assert_cmpuint (chunk.end, ==, expected[i][1]);
      g_assert_cmpuint (mpaio_chunk_get_n_rows (&chunk), ==, expected[i][1] - expected[i][0]);
    }

  g_assert_false (mpaio_data_iterator_get_chunk (iter, n_expected, &chunk));
  g_assert_false (mpaio_data_iterator_get_chunk (iter, G_MAXUINT64, &chunk));
}

static void
test_reference_cases (void)
{
  static const guint64 three_over_ten[][2] = { { 0, 3 }, { 3, 6 }, { 6, 9 }, { 9, 10 } };
  static const guint64 five_over_ten[][2] = { { 0, 5 }, { 5, 10 } };
  static const guint64 seven_over_ten[][2] = { { 0, 7 }, { 7, 10 } };
  static const guint64 four_from_two[][2] = { { 2, 6 }, { 6, 10 }, { 10, 12 } };
  g_autoptr(MpaioSharedArray) ten = make_array (10);
  g_autoptr(MpaioSharedArray) twelve = make_array (12);
  g_autoptr(MpaioDataIterator) iter = NULL;
  g_autoptr(GError) error = NULL;

  iter = mpaio_data_iterator_new (ten, 3, &error);
  g_assert_no_error (error);
  assert_chunks (iter, three_over_ten, G_N_ELEMENTS (three_over_ten));
  g_assert_true (mpaio_data_iterator_get_array (iter) == ten);
  g_assert_cmpuint (mpaio_data_iterator_get_chunk_size (iter), ==, 3);
  g_assert_cmpuint (mpaio_data_iterator_get_start_index (iter), ==, 0);
  g_assert_cmpuint (mpaio_data_iterator_get_end_index (iter), ==, 10);
  g_assert_cmpuint (mpaio_data_iterator_get_n_partitions (iter), ==, 0);
  g_clear_object (&iter);

  iter = mpaio_data_iterator_new (ten, 5, &error);
  g_assert_no_error (error);
  assert_chunks (iter, five_over_ten, G_N_ELEMENTS (five_over_ten));
  g_clear_object (&iter);

  iter = mpaio_data_iterator_new (ten, 7, &error);
  g_assert_no_error (error);
  assert_chunks (iter, seven_over_ten, G_N_ELEMENTS (seven_over_ten));
  g_clear_object (&iter);

  iter = mpaio_data_iterator_new_range (twelve, 4, 2, 12, &error);
  g_assert_no_error (error);
  assert_chunks (iter, four_from_two, G_N_ELEMENTS (four_from_two));
  g_clear_object (&iter);

  /* The same through the end-index default, "every row". */
  iter = mpaio_data_iterator_new_range (twelve, 4, 2, G_MAXUINT64, &error);
  g_assert_no_error (error);
  assert_chunks (iter, four_from_two, G_N_ELEMENTS (four_from_two));
  g_assert_cmpuint (mpaio_data_iterator_get_end_index (iter), ==, 12);
}

static void
test_chunk_sizes (void)
{
  g_autoptr(MpaioSharedArray) ten = make_array (10);
  g_autoptr(MpaioSharedArray) huge = make_empty_rows_array (G_MAXUINT64 - 1);
  g_autoptr(MpaioDataIterator) iter = NULL;
  g_autoptr(GError) error = NULL;
  static const guint64 all_at_once[][2] = { { 0, 10 } };
  static const guint64 one_by_one[][2] = {
    { 0, 1 },
    { 1, 2 },
    { 2, 3 },
    { 3, 4 },
    { 4, 5 },
    { 5, 6 },
    { 6, 7 },
    { 7, 8 },
    { 8, 9 },
    { 9, 10 },
  };
  static const guint64 middle[][2] = { { 3, 5 }, { 5, 7 }, { 7, 8 } };
  const guint64        halves[][2] = {
           { 0, G_MAXUINT64 / 2 + 1 },
           { G_MAXUINT64 / 2 + 1, G_MAXUINT64 - 1 },
  };

  iter = mpaio_data_iterator_new (ten, 10, &error);
  g_assert_no_error (error);
  assert_chunks (iter, all_at_once, 1);
  g_clear_object (&iter);

  iter = mpaio_data_iterator_new (ten, G_MAXUINT64, &error);
  g_assert_no_error (error);
  assert_chunks (iter, all_at_once, 1);
  g_clear_object (&iter);

  iter = mpaio_data_iterator_new (ten, 1, &error);
  g_assert_no_error (error);
  assert_chunks (iter, one_by_one, 10);
  g_clear_object (&iter);

  iter = mpaio_data_iterator_new_range (ten, 2, 3, 8, &error);
  g_assert_no_error (error);
  assert_chunks (iter, middle, G_N_ELEMENTS (middle));
  g_clear_object (&iter);

  /* No start + chunk size overflow at the top of the range. */
  iter = mpaio_data_iterator_new (huge, G_MAXUINT64 / 2 + 1, &error);
  g_assert_no_error (error);
  assert_chunks (iter, halves, G_N_ELEMENTS (halves));
}

static void
assert_invalid (MpaioSharedArray *array,
                guint64           chunk_size,
                guint64           start_index,
                guint64           end_index)
{
  g_autoptr(MpaioDataIterator) iter = NULL;
  g_autoptr(GError) error = NULL;

  iter = mpaio_data_iterator_new_range (array, chunk_size, start_index, end_index, &error);
  g_assert_error (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT);
  g_assert_null (iter);
}

static void
test_invalid (void)
{
  g_autoptr(MpaioSharedArray) ten = make_array (10);
  g_autoptr(MpaioDataIterator) iter = NULL;
  g_autoptr(GError) error = NULL;

  iter = mpaio_data_iterator_new (ten, 0, &error);
  g_assert_error (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT);
  g_assert_null (iter);
  g_clear_error (&error);

  assert_invalid (ten, 0, 0, 10);
  assert_invalid (ten, 3, 5, 4);            /* start past end */
  assert_invalid (ten, 3, 11, G_MAXUINT64); /* start past the rows */
  assert_invalid (ten, 3, 0, 11);           /* end past the rows */
  assert_invalid (ten, 3, 12, 11);

  /* Without an array, as a binding could make it. */
  iter = g_initable_new (MPAIO_TYPE_DATA_ITERATOR, NULL, &error, "chunk-size", (guint64) 3, NULL);
  g_assert_error (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT);
  g_assert_null (iter);
}

static void
test_empty (void)
{
  g_autoptr(MpaioSharedArray) ten = make_array (10);
  g_autoptr(MpaioSharedArray) none = make_array (0);
  g_autoptr(MpaioDataIterator) iter = NULL;
  g_autoptr(GError) error = NULL;

  /* start == end: a valid, empty range. */
  iter = mpaio_data_iterator_new_range (ten, 3, 4, 4, &error);
  g_assert_no_error (error);
  assert_chunks (iter, NULL, 0);
  g_clear_object (&iter);

  iter = mpaio_data_iterator_new_range (ten, 3, 10, G_MAXUINT64, &error);
  g_assert_no_error (error);
  assert_chunks (iter, NULL, 0);
  g_clear_object (&iter);

  iter = mpaio_data_iterator_new (none, 3, &error);
  g_assert_no_error (error);
  assert_chunks (iter, NULL, 0);
  g_assert_cmpuint (mpaio_data_iterator_get_end_index (iter), ==, 0);
  g_clear_object (&iter);

  iter = mpaio_data_iterator_new_partitioned (none, 4, &error);
  g_assert_no_error (error);
  assert_chunks (iter, NULL, 0);
  g_clear_object (&iter);

  iter = mpaio_data_iterator_new_partitioned (none, 0, &error);
  g_assert_no_error (error);
  assert_chunks (iter, NULL, 0);
}

/* Chunks must be contiguous over [start, end), none empty, their sizes
 * differing by at most one row. */
static void
assert_balanced (MpaioDataIterator *iter,
                 guint64            start,
                 guint64            end,
                 guint64            n_expected)
{
  guint64    min_rows = G_MAXUINT64;
  guint64    max_rows = 0;
  guint64    next = start;
  MpaioChunk chunk;

  g_assert_cmpuint (mpaio_data_iterator_get_n_chunks (iter), ==, n_expected);

  for (guint64 i = 0; i < n_expected; i++)
    {
      g_assert_true (mpaio_data_iterator_get_chunk (iter, i, &chunk));
      g_assert_cmpuint (chunk.index, ==, i);
      g_assert_cmpuint (chunk.start, ==, next);
      g_assert_cmpuint (chunk.end, >, chunk.start);
      min_rows = MIN (min_rows, chunk.end - chunk.start);
      max_rows = MAX (max_rows, chunk.end - chunk.start);
      next = chunk.end;
    }

  g_assert_cmpuint (next, ==, end);
  if (n_expected > 0)
    g_assert_cmpuint (max_rows - min_rows, <=, 1);
  g_assert_false (mpaio_data_iterator_get_chunk (iter, n_expected, &chunk));
}

static void
test_partitions (void)
{
  static const struct
  {
    guint64 n_rows;
    guint   n_partitions;
    guint64 n_chunks;
  } cases[] = {
    { 10, 1, 1 },
    { 10, 2, 2 },
    { 10, 3, 3 },
    { 10, 4, 4 },
    { 10, 10, 10 },
    { 10, 11, 10 },
    { 3, 8, 3 },
    { 1, 5, 1 },
    { 100, 7, 7 },
    { 1000003, 16, 16 },
    { 7, 7, 7 },
    { 64, 64, 64 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(MpaioSharedArray) array = make_array (cases[i].n_rows);
      g_autoptr(MpaioDataIterator) iter = NULL;
      g_autoptr(GError) error = NULL;

      iter = mpaio_data_iterator_new_partitioned (array, cases[i].n_partitions, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (mpaio_data_iterator_get_n_partitions (iter), ==, cases[i].n_partitions);
      assert_balanced (iter, 0, cases[i].n_rows, cases[i].n_chunks);
    }
}

static void
test_partitions_exact (void)
{
  static const guint64 ten_in_three[][2] = { { 0, 3 }, { 3, 6 }, { 6, 10 } };
  static const guint64 ten_in_four[][2] = { { 0, 2 }, { 2, 5 }, { 5, 7 }, { 7, 10 } };
  g_autoptr(MpaioSharedArray) ten = make_array (10);
  g_autoptr(MpaioDataIterator) iter = NULL;
  g_autoptr(GError) error = NULL;

  iter = mpaio_data_iterator_new_partitioned (ten, 3, &error);
  g_assert_no_error (error);
  assert_chunks (iter, ten_in_three, G_N_ELEMENTS (ten_in_three));
  g_clear_object (&iter);

  iter = mpaio_data_iterator_new_partitioned (ten, 4, &error);
  g_assert_no_error (error);
  assert_chunks (iter, ten_in_four, G_N_ELEMENTS (ten_in_four));
}

static void
test_partitions_range (void)
{
  g_autoptr(MpaioSharedArray) array = make_array (40);
  g_autoptr(MpaioDataIterator) iter = NULL;
  g_autoptr(GError) error = NULL;

  iter = g_initable_new (MPAIO_TYPE_DATA_ITERATOR, NULL, &error,
                         "array", array,
                         "start-index", (guint64) 3,
                         "end-index", (guint64) 20,
                         "n-partitions", 4,
                         NULL);
  g_assert_no_error (error);
  assert_balanced (iter, 3, 20, 4);
}

static void
test_partitions_huge (void)
{
  const guint64 n_rows[] = { G_MAXUINT64 - 1, G_MAXUINT64 / 3, (1ULL << 40) + 12345 };
  const guint   n_partitions[] = { 2, 7, 1000, G_MAXUINT16 };

  for (guint i = 0; i < G_N_ELEMENTS (n_rows); i++)
    {
      g_autoptr(MpaioSharedArray) array = make_empty_rows_array (n_rows[i]);

      for (guint j = 0; j < G_N_ELEMENTS (n_partitions); j++)
        {
          g_autoptr(MpaioDataIterator) iter = NULL;
          g_autoptr(GError) error = NULL;

          iter = mpaio_data_iterator_new_partitioned (array, n_partitions[j], &error);
          g_assert_no_error (error);
          assert_balanced (iter, 0, n_rows[i], n_partitions[j]);
        }
    }
}

static void
test_partitions_default (void)
{
  g_autoptr(MpaioSharedArray) array = make_array (1000);
  g_autoptr(MpaioSharedArray) one = make_array (1);
  g_autoptr(MpaioDataIterator) iter = NULL;
  g_autoptr(GError) error = NULL;
  guint n;

  /* 0 is "one per core", however the cores are counted. */
  iter = mpaio_data_iterator_new_partitioned (array, 0, &error);
  g_assert_no_error (error);
  n = mpaio_data_iterator_get_n_partitions (iter);
  g_assert_cmpuint (n, >=, 1);
  assert_balanced (iter, 0, 1000, MIN (n, 1000));
  g_clear_object (&iter);

  iter = mpaio_data_iterator_new_partitioned (one, 0, &error);
  g_assert_no_error (error);
  assert_balanced (iter, 0, 1, 1);
}

static void
test_properties (void)
{
  g_autoptr(MpaioSharedArray) array = make_array (10);
  g_autoptr(MpaioSharedArray) got_array = NULL;
  g_autoptr(MpaioDataIterator) iter = NULL;
  g_autoptr(GError) error = NULL;
  guint64 chunk_size, start_index, end_index;
  guint   n_partitions;

  iter = g_initable_new (MPAIO_TYPE_DATA_ITERATOR, NULL, &error,
                         "array", array,
                         "chunk-size", (guint64) 4,
                         "start-index", (guint64) 1,
                         NULL);
  g_assert_no_error (error);

  g_object_get (iter,
                "array", &got_array,
                "chunk-size", &chunk_size,
                "start-index", &start_index,
                "end-index", &end_index,
                "n-partitions", &n_partitions,
                NULL);
  g_assert_true (got_array == array);
  g_assert_cmpuint (chunk_size, ==, 4);
  g_assert_cmpuint (start_index, ==, 1);
  g_assert_cmpuint (end_index, ==, 10);
  g_assert_cmpuint (n_partitions, ==, 0);
  g_assert_cmpuint (mpaio_data_iterator_get_n_chunks (iter), ==, 3);

  /* Initializing again, as a caller unsure of a binding's object may, changes nothing. */
  g_assert_true (g_initable_init (G_INITABLE (iter), NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (mpaio_data_iterator_get_n_chunks (iter), ==, 3);
  g_assert_cmpuint (mpaio_data_iterator_get_end_index (iter), ==, 10);
}

static void
test_not_initialized (void)
{
  g_autoptr(MpaioSharedArray) array = make_array (10);
  g_autoptr(MpaioDataIterator) iter = NULL;
  g_autoptr(GError) error = NULL;
  MpaioChunk chunk;

  /* As a binding makes it: no chunk until initialized, rather than garbage. */
  iter = g_object_new (MPAIO_TYPE_DATA_ITERATOR, "array", array, "chunk-size", (guint64) 4, NULL);
  g_assert_cmpuint (mpaio_data_iterator_get_n_chunks (iter), ==, 0);
  g_assert_false (mpaio_data_iterator_get_chunk (iter, 0, &chunk));

  g_assert_true (g_initable_init (G_INITABLE (iter), NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (mpaio_data_iterator_get_n_chunks (iter), ==, 3);
}

static void
test_chunk_boxed (void)
{
  MpaioChunk chunk = { 4, 10, 25 };
  MpaioChunk backwards = { 0, 9, 3 };
  g_autoptr(MpaioChunk) copy = NULL;

  g_assert_true (G_TYPE_IS_BOXED (MPAIO_TYPE_CHUNK));

  copy = mpaio_chunk_copy (&chunk);
  g_assert_true (copy != &chunk);
  g_assert_cmpmem (copy, sizeof *copy, &chunk, sizeof chunk);
  g_assert_cmpuint (mpaio_chunk_get_n_rows (copy), ==, 15);
  g_assert_cmpuint (mpaio_chunk_get_n_rows (&backwards), ==, 0);

  mpaio_chunk_free (NULL);
}

/* A subclass yielding every other row, one per chunk, with its own
 * partitioning and no chunk size. */

#define TEST_TYPE_EVERY_OTHER (test_every_other_get_type ())
G_DECLARE_FINAL_TYPE (TestEveryOther, test_every_other, TEST, EVERY_OTHER, MpaioDataIterator)

struct _TestEveryOther
{
  MpaioDataIterator parent_instance;

  guint n_get_chunk;
};

G_DEFINE_FINAL_TYPE (TestEveryOther, test_every_other, MPAIO_TYPE_DATA_ITERATOR)

static guint64
test_every_other_get_n_chunks (MpaioDataIterator *iter)
{
  guint64 n_rows = mpaio_shared_array_get_n_rows (mpaio_data_iterator_get_array (iter));

  return (n_rows + 1) / 2;
}

static void
test_every_other_get_chunk (MpaioDataIterator *iter,
                            guint64            index,
                            MpaioChunk        *chunk)
{
  TEST_EVERY_OTHER (iter)->n_get_chunk++;

  chunk->index = index;
  chunk->start = index * 2;
  chunk->end = index * 2 + 1;
}

static void
test_every_other_class_init (TestEveryOtherClass *klass)
{
  MpaioDataIteratorClass *iter_class = MPAIO_DATA_ITERATOR_CLASS (klass);

  iter_class->get_n_chunks = test_every_other_get_n_chunks;
  iter_class->get_chunk = test_every_other_get_chunk;
}

static void
test_every_other_init (TestEveryOther *self)
{
}

static void
test_subclass (void)
{
  static const guint64 expected[][2] = { { 0, 1 }, { 2, 3 }, { 4, 5 }, { 6, 7 }, { 8, 9 } };
  g_autoptr(MpaioSharedArray) array = make_array (9);
  g_autoptr(MpaioDataIterator) iter = NULL;
  g_autoptr(GError) error = NULL;

  iter = g_initable_new (TEST_TYPE_EVERY_OTHER, NULL, &error, "array", array, NULL);
  g_assert_no_error (error);

  assert_chunks (iter, expected, G_N_ELEMENTS (expected));
  /* Out-of-range indices never reach the subclass. */
  g_assert_cmpuint (TEST_EVERY_OTHER (iter)->n_get_chunk, ==, G_N_ELEMENTS (expected));
}

int
main (int    argc,
      char **argv)
{
  mpaio_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/data-iterator/reference-cases", test_reference_cases);
  g_test_add_func ("/data-iterator/chunk-sizes", test_chunk_sizes);
  g_test_add_func ("/data-iterator/invalid", test_invalid);
  g_test_add_func ("/data-iterator/empty", test_empty);
  g_test_add_func ("/data-iterator/partitions", test_partitions);
  g_test_add_func ("/data-iterator/partitions/exact", test_partitions_exact);
  g_test_add_func ("/data-iterator/partitions/range", test_partitions_range);
  g_test_add_func ("/data-iterator/partitions/huge", test_partitions_huge);
  g_test_add_func ("/data-iterator/partitions/default", test_partitions_default);
  g_test_add_func ("/data-iterator/properties", test_properties);
  g_test_add_func ("/data-iterator/not-initialized", test_not_initialized);
  g_test_add_func ("/data-iterator/subclass", test_subclass);
  g_test_add_func ("/chunk/boxed", test_chunk_boxed);

  return g_test_run ();
}
