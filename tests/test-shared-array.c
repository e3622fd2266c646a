/* test-shared-array.c: MpaioSharedArray and MpaioDType
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <mpaio.h>

#include "mpaio-shared-array-private.h"

/* Whether @fd is closed; the tests are single-threaded, so its number cannot
 * have been reused in between. */
static gboolean
fd_is_closed (int fd)
{
  return fcntl (fd, F_GETFD) == -1 && errno == EBADF;
}

/* The permissions ("r--s", "rw-s", ...) of the mapping that starts at @addr,
 * as the kernel sees it. */
static char *
mapping_permissions (gconstpointer addr)
{
  g_autofree char *maps = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents ("/proc/self/maps", &maps, NULL, &error);
  g_assert_no_error (error);

  lines = g_strsplit (maps, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      guint64 start;
      char    perms[5];

      if (sscanf (lines[i], "%" G_GINT64_MODIFIER "x-%*[0-9a-f] %4s", &start, perms) == 2
          && start == (guint64) GPOINTER_TO_SIZE (addr))
        return g_strdup (perms);
    }

  return NULL;
}

static int
make_memfd (gsize size,
            guint flags)
{
  int fd = memfd_create ("test-shared-array", MFD_CLOEXEC | flags);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, (off_t) size), ==, 0);

  return fd;
}

static void
test_dtype_item_size (void)
{
  static const struct
  {
    MpaioDType dtype;
    gsize      size;
  } cases[] = {
    { MPAIO_DTYPE_INT8, 1 },
    { MPAIO_DTYPE_UINT8, 1 },
    { MPAIO_DTYPE_INT16, 2 },
    { MPAIO_DTYPE_UINT16, 2 },
    { MPAIO_DTYPE_INT32, 4 },
    { MPAIO_DTYPE_UINT32, 4 },
    { MPAIO_DTYPE_INT64, 8 },
    { MPAIO_DTYPE_UINT64, 8 },
    { MPAIO_DTYPE_FLOAT32, 4 },
    { MPAIO_DTYPE_FLOAT64, 8 },
    { MPAIO_DTYPE_STRING, 0 },
    { (MpaioDType) 99, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpuint (mpaio_dtype_get_item_size (cases[i].dtype), ==, cases[i].size);

  g_assert_cmpuint (mpaio_dtype_get_item_size (MPAIO_DTYPE_FLOAT32), ==, sizeof (float));
  g_assert_cmpuint (mpaio_dtype_get_item_size (MPAIO_DTYPE_FLOAT64), ==, sizeof (double));
}

static void
test_shapes (void)
{
  static const struct
  {
    MpaioDType dtype;
    guint64    shape[3];
    guint      n_dims;
    gsize      row_size;
    gsize      size;
  } cases[] = {
    { MPAIO_DTYPE_INT32, { 10 }, 1, 4, 40 },
    { MPAIO_DTYPE_FLOAT64, { 5, 3 }, 2, 24, 120 },
    { MPAIO_DTYPE_INT16, { 4, 3, 2 }, 3, 12, 48 },
    { MPAIO_DTYPE_UINT8, { 1, 1, 1 }, 3, 1, 1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(MpaioSharedArray) array = NULL;
      g_autoptr(GError) error = NULL;
      const guint64 *shape;
      guint          n_dims = 0;
      guint64        n_rows, size;
      MpaioDType     dtype;
      guint8        *data;

      array = mpaio_shared_array_new (cases[i].dtype, cases[i].shape, cases[i].n_dims, &error);
      g_assert_no_error (error);
      g_assert_true (MPAIO_IS_SHARED_ARRAY (array));

      g_assert_cmpint (mpaio_shared_array_get_dtype (array), ==, cases[i].dtype);
      g_assert_cmpuint (mpaio_shared_array_get_item_size (array), ==,
                        mpaio_dtype_get_item_size (cases[i].dtype));
      g_assert_cmpuint (mpaio_shared_array_get_n_rows (array), ==, cases[i].shape[0]);
      g_assert_cmpuint (mpaio_shared_array_get_row_size (array), ==, cases[i].row_size);
      g_assert_cmpuint (mpaio_shared_array_get_size (array), ==, cases[i].size);
      g_assert_cmpint (mpaio_shared_array_get_flags (array), ==, MPAIO_SHARED_ARRAY_FLAGS_NONE);

      shape = mpaio_shared_array_get_shape (array, &n_dims);
      g_assert_cmpmem (shape, n_dims * sizeof (guint64),
                       cases[i].shape, cases[i].n_dims * sizeof (guint64));

      /* Rows are contiguous, and the end of the last row is reachable. */
      data = mpaio_shared_array_get_data (array);
      g_assert_nonnull (data);
      g_assert_true (mpaio_shared_array_get_row (array, 0) == data);
      g_assert_true (mpaio_shared_array_get_row (array, 1) == data + cases[i].row_size);
      g_assert_true (mpaio_shared_array_get_row (array, cases[i].shape[0]) == data + cases[i].size);

      /* The creator's mapping is writable and starts zeroed. */
      for (gsize j = 0; j < cases[i].size; j++)
        g_assert_cmpuint (data[j], ==, 0);
      memset (data, 0xa5, cases[i].size);

      g_object_get (array, "n-rows", &n_rows, "size", &size, "dtype", &dtype, NULL);
      g_assert_cmpuint (n_rows, ==, cases[i].shape[0]);
      g_assert_cmpuint (size, ==, cases[i].size);
      g_assert_cmpint (dtype, ==, cases[i].dtype);
    }
}

static void
test_strings (void)
{
  g_autoptr(MpaioSharedArray) array = NULL;
  g_autoptr(GError) error = NULL;
  const guint64 shape[] = { 6, 2 };

  array = mpaio_shared_array_new_full (MPAIO_DTYPE_STRING, 16, shape, G_N_ELEMENTS (shape),
                                       MPAIO_SHARED_ARRAY_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mpaio_shared_array_get_item_size (array), ==, 16);
  g_assert_cmpuint (mpaio_shared_array_get_row_size (array), ==, 32);
  g_assert_cmpuint (mpaio_shared_array_get_size (array), ==, 6 * 32);

  strcpy (mpaio_shared_array_get_row (array, 5), "last row");
  g_assert_cmpstr ((const char *) mpaio_shared_array_get_data (array) + 5 * 32, ==, "last row");
}

static void
test_memfd_sealed (void)
{
  g_autoptr(MpaioSharedArray) array = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *fd_path = NULL;
  g_autofree char *target = NULL;
  const guint64    shape[] = { 1000 };
  gint64          *data;
  gint64          *view;
  int              fd;

  array = mpaio_shared_array_new (MPAIO_DTYPE_INT64, shape, 1, &error);
  g_assert_no_error (error);

  fd = mpaio_shared_array_get_fd (array);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (fcntl (fd, F_GETFD) & FD_CLOEXEC, ==, FD_CLOEXEC);

  /* An anonymous memfd, not a file in /dev/shm. */
  fd_path = g_strdup_printf ("/proc/self/fd/%d", fd);
  target = g_file_read_link (fd_path, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (target, "/memfd:mpaio-array-"));

  g_assert_cmpint (fcntl (fd, F_GET_SEALS), ==, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);

  g_assert_cmpint (ftruncate (fd, 0), ==, -1);
  g_assert_cmpint (errno, ==, EPERM);
  g_assert_cmpint (ftruncate (fd, 2 * 8000), ==, -1);
  g_assert_cmpint (errno, ==, EPERM);
  g_assert_cmpint (fcntl (fd, F_ADD_SEALS, F_SEAL_WRITE), ==, -1);

  /* The memory is shared: another mapping of the fd sees the creator's writes. */
  data = mpaio_shared_array_get_data (array);
  for (guint i = 0; i < 1000; i++)
    data[i] = (gint64) i * 3;

  view = mmap (NULL, 8000, PROT_READ, MAP_SHARED, fd, 0);
  g_assert_true (view != MAP_FAILED);
  g_assert_cmpmem (view, 8000, data, 8000);
  munmap (view, 8000);
}

static void
assert_invalid (MpaioDType            dtype,
                gsize                 item_size,
                const guint64        *shape,
                guint                 n_dims,
                MpaioSharedArrayFlags flags)
{
  g_autoptr(MpaioSharedArray) array = NULL;
  g_autoptr(GError) error = NULL;

  array = mpaio_shared_array_new_full (dtype, item_size, shape, n_dims, flags, &error);
  g_assert_error (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT);
  g_assert_null (array);
}

static void
test_invalid (void)
{
  g_autoptr(MpaioSharedArray) array = NULL;
  g_autoptr(GError) error = NULL;
  const guint64 shape[] = { 10 };
  const guint64 overflowing[] = { G_MAXUINT64 / 4, 4 };
  const guint64 overflowing_rows[] = { 1ULL << 62 };
  const guint64 overflowing_after_zero[] = { 0, 1ULL << 40, 1ULL << 40 };
  const guint64 too_big_for_off_t[] = { 1ULL << 63 };

  /* A string array needs its item size. */
  array = mpaio_shared_array_new (MPAIO_DTYPE_STRING, shape, 1, &error);
  g_assert_error (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "new_full"));
  g_assert_null (array);
  g_clear_error (&error);

  array = mpaio_shared_array_new ((MpaioDType) 99, shape, 1, &error);
  g_assert_error (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT);
  g_assert_null (array);

  assert_invalid (MPAIO_DTYPE_STRING, 0, shape, 1, MPAIO_SHARED_ARRAY_FLAGS_NONE);
  assert_invalid (MPAIO_DTYPE_INT32, 0, shape, 1, MPAIO_SHARED_ARRAY_FLAGS_NONE);
  assert_invalid (MPAIO_DTYPE_INT32, 8, shape, 1, MPAIO_SHARED_ARRAY_FLAGS_NONE);
  assert_invalid ((MpaioDType) 99, 4, shape, 1, MPAIO_SHARED_ARRAY_FLAGS_NONE);
  assert_invalid (MPAIO_DTYPE_INT32, 4, shape, 0, MPAIO_SHARED_ARRAY_FLAGS_NONE);
  assert_invalid (MPAIO_DTYPE_INT32, 4, shape, 1, (MpaioSharedArrayFlags) 0x80);
  assert_invalid (MPAIO_DTYPE_INT64, 8, overflowing, 2, MPAIO_SHARED_ARRAY_FLAGS_NONE);
  assert_invalid (MPAIO_DTYPE_INT64, 8, overflowing_rows, 1, MPAIO_SHARED_ARRAY_FLAGS_NONE);
  assert_invalid (MPAIO_DTYPE_INT8, 1, overflowing_after_zero, 3, MPAIO_SHARED_ARRAY_FLAGS_NONE);
  assert_invalid (MPAIO_DTYPE_INT8, 1, too_big_for_off_t, 1, MPAIO_SHARED_ARRAY_FLAGS_NONE);
  assert_invalid (MPAIO_DTYPE_STRING, G_MAXSIZE, shape, 1, MPAIO_SHARED_ARRAY_FLAGS_NONE);
}

static void
test_no_memory (void)
{
  g_autoptr(MpaioSharedArray) array = NULL;
  g_autoptr(GError) error = NULL;
  /* 8 PiB: a valid size, more than any address space can map. */
  const guint64 shape[] = { 1ULL << 47 };

  array = mpaio_shared_array_new (MPAIO_DTYPE_INT64, shape, 1, &error);
  g_assert_error (error, MPAIO_ERROR, MPAIO_ERROR_NO_MEMORY);
  g_assert_null (array);
}

static void
test_zero_rows (void)
{
  const guint64 shapes[][2] = { { 0, 1 }, { 0, 7 }, { 5, 0 } };

  for (guint i = 0; i < G_N_ELEMENTS (shapes); i++)
    {
      g_autoptr(MpaioSharedArray) array = NULL;
      g_autoptr(MpaioSharedArray) copy = NULL;
      g_autoptr(GVariant) description = NULL;
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) error = NULL;

      array = mpaio_shared_array_new (MPAIO_DTYPE_FLOAT32, shapes[i], 2, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (mpaio_shared_array_get_n_rows (array), ==, shapes[i][0]);
      g_assert_cmpuint (mpaio_shared_array_get_size (array), ==, 0);
      g_assert_null (mpaio_shared_array_get_data (array));
      g_assert_null (mpaio_shared_array_get_row (array, 0));
      g_assert_cmpint (mpaio_shared_array_get_fd (array), >=, 0);

      bytes = mpaio_shared_array_get_bytes (array);
      g_assert_cmpuint (g_bytes_get_size (bytes), ==, 0);

      description = _mpaio_shared_array_describe (array);
      copy = _mpaio_shared_array_new_from_description (description,
                                                       dup (mpaio_shared_array_get_fd (array)),
                                                       &error);
      g_assert_no_error (error);
      g_assert_cmpuint (mpaio_shared_array_get_n_rows (copy), ==, shapes[i][0]);
      g_assert_null (mpaio_shared_array_get_data (copy));
    }
}

static void
test_row_out_of_range (void)
{
  g_autoptr(MpaioSharedArray) array = NULL;
  g_autoptr(GError) error = NULL;
  const guint64 shape[] = { 4 };

  array = mpaio_shared_array_new (MPAIO_DTYPE_UINT16, shape, 1, &error);
  g_assert_no_error (error);

  g_test_expect_message ("Mpaio", G_LOG_LEVEL_CRITICAL, "*row <= *");
  g_assert_null (mpaio_shared_array_get_row (array, 5));
  g_test_assert_expected_messages ();
}

static void
test_bytes (void)
{
  g_autoptr(MpaioSharedArray) array = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  const guint64 shape[] = { 64 };
  GWeakRef      weak;
  guint8       *data;

  array = mpaio_shared_array_new (MPAIO_DTYPE_UINT8, shape, 1, &error);
  g_assert_no_error (error);
  data = mpaio_shared_array_get_data (array);
  for (guint i = 0; i < 64; i++)
    data[i] = (guint8) i;

  bytes = mpaio_shared_array_get_bytes (array);
  g_assert_true (g_bytes_get_data (bytes, NULL) == data);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, 64);

  /* The bytes keep the array, and so the mapping, alive. */
  g_weak_ref_init (&weak, array);
  g_clear_object (&array);
  g_assert_cmpuint (((const guint8 *) g_bytes_get_data (bytes, NULL))[63], ==, 63);
  array = g_weak_ref_get (&weak);
  g_assert_nonnull (array);
  g_clear_object (&array);

  g_clear_pointer (&bytes, g_bytes_unref);
  array = g_weak_ref_get (&weak);
  g_assert_null (array);
  g_weak_ref_clear (&weak);
}

static void
test_ids (void)
{
  g_autoptr(MpaioSharedArray) a = NULL;
  g_autoptr(MpaioSharedArray) b = NULL;
  g_autoptr(GError) error = NULL;
  const guint64 shape[] = { 3 };

  a = mpaio_shared_array_new (MPAIO_DTYPE_INT8, shape, 1, &error);
  g_assert_no_error (error);
  b = mpaio_shared_array_new (MPAIO_DTYPE_INT8, shape, 1, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (_mpaio_shared_array_get_id (a), >, 0);
  g_assert_cmpuint (_mpaio_shared_array_get_id (b), >, _mpaio_shared_array_get_id (a));
}

static void
test_new_from_fd (void)
{
  g_autoptr(MpaioSharedArray) array = NULL;
  g_autoptr(GError) error = NULL;
  const guint64 shape[] = { 100, 2 };
  gint32        values[200];
  gint32       *data;
  int           fd;

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    values[i] = (gint32) i - 100;

  /* Bigger than needed is fine: the array maps its start. */
  fd = make_memfd (sizeof values + 4096, MFD_ALLOW_SEALING);
  g_assert_cmpint (pwrite (fd, values, sizeof values, 0), ==, sizeof values);

  array = mpaio_shared_array_new_from_fd (fd, MPAIO_DTYPE_INT32, 4, shape, 2,
                                          MPAIO_SHARED_ARRAY_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mpaio_shared_array_get_fd (array), !=, fd);
  g_assert_cmpuint (mpaio_shared_array_get_row_size (array), ==, 8);

  data = mpaio_shared_array_get_data (array);
  g_assert_cmpmem (data, sizeof values, values, sizeof values);

  /* Both ways: the caller's writes are seen by the array and back. */
  data[7] = 4242;
  g_assert_cmpint (pread (fd, &values[7], 4, 7 * 4), ==, 4);
  g_assert_cmpint (values[7], ==, 4242);

  g_assert_cmpint (fcntl (fd, F_GET_SEALS) & (F_SEAL_SHRINK | F_SEAL_GROW), ==,
                   F_SEAL_SHRINK | F_SEAL_GROW);

  /* The caller keeps its own fd. */
  g_clear_object (&array);
  g_assert_false (fd_is_closed (fd));
  g_close (fd, NULL);
}

static void
test_new_from_fd_unsealable (void)
{
  g_autoptr(MpaioSharedArray) array = NULL;
  g_autoptr(GError) error = NULL;
  const guint64 shape[] = { 16 };
  int           fd;

  /* Without MFD_ALLOW_SEALING the memfd is born with F_SEAL_SEAL. */
  fd = make_memfd (16 * 8, 0);
  array = mpaio_shared_array_new_from_fd (fd, MPAIO_DTYPE_FLOAT64, 8, shape, 1,
                                          MPAIO_SHARED_ARRAY_FLAGS_WRITABLE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mpaio_shared_array_get_flags (array), ==, MPAIO_SHARED_ARRAY_FLAGS_WRITABLE);
  ((double *) mpaio_shared_array_get_data (array))[15] = 1.5;
  g_close (fd, NULL);
}

static void
test_new_from_fd_read_only (void)
{
  g_autoptr(MpaioSharedArray) array = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *perms = NULL;
  const guint64    shape[] = { 32 };
  int              fd, ro_fd;

  fd = make_memfd (32, MFD_ALLOW_SEALING);
  g_assert_cmpint (pwrite (fd, "x", 1, 31), ==, 1);
  path = g_strdup_printf ("/proc/self/fd/%d", fd);
  ro_fd = open (path, O_RDONLY | O_CLOEXEC);
  g_assert_cmpint (ro_fd, >=, 0);

  /* An output array needs a writable fd. */
  array = mpaio_shared_array_new_from_fd (ro_fd, MPAIO_DTYPE_UINT8, 1, shape, 1,
                                          MPAIO_SHARED_ARRAY_FLAGS_WRITABLE, &error);
  g_assert_error (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT);
  g_assert_null (array);
  g_clear_error (&error);

  /* An input array is fine, seen read-only. */
  array = mpaio_shared_array_new_from_fd (ro_fd, MPAIO_DTYPE_UINT8, 1, shape, 1,
                                          MPAIO_SHARED_ARRAY_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (((const guint8 *) mpaio_shared_array_get_data (array))[31], ==, 'x');
  perms = mapping_permissions (mpaio_shared_array_get_data (array));
  g_assert_cmpstr (perms, ==, "r--s");

  g_close (ro_fd, NULL);
  g_close (fd, NULL);
}

static void
test_new_from_fd_invalid (void)
{
  g_autoptr(MpaioSharedArray) array = NULL;
  g_autoptr(GError) error = NULL;
  const guint64 shape[] = { 100 };
  int           fd, pipe_fds[2];

  /* Too small for the shape. */
  fd = make_memfd (799, MFD_ALLOW_SEALING);
  array = mpaio_shared_array_new_from_fd (fd, MPAIO_DTYPE_INT64, 8, shape, 1,
                                          MPAIO_SHARED_ARRAY_FLAGS_NONE, &error);
  g_assert_error (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT);
  g_assert_null (array);
  g_clear_error (&error);
  g_close (fd, NULL);

  /* Not a file at all. */
  g_assert_cmpint (pipe (pipe_fds), ==, 0);
  array = mpaio_shared_array_new_from_fd (pipe_fds[0], MPAIO_DTYPE_INT64, 8, shape, 1,
                                          MPAIO_SHARED_ARRAY_FLAGS_NONE, &error);
  g_assert_error (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT);
  g_assert_null (array);
  g_clear_error (&error);
  g_close (pipe_fds[0], NULL);
  g_close (pipe_fds[1], NULL);

  /* The layout is checked as for new_full(). */
  fd = make_memfd (800, MFD_ALLOW_SEALING);
  array = mpaio_shared_array_new_from_fd (fd, MPAIO_DTYPE_INT64, 4, shape, 1,
                                          MPAIO_SHARED_ARRAY_FLAGS_NONE, &error);
  g_assert_error (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT);
  g_assert_null (array);
  g_close (fd, NULL);
}

static void
test_description_round_trip (void)
{
  const MpaioSharedArrayFlags flags[] = {
    MPAIO_SHARED_ARRAY_FLAGS_NONE,
    MPAIO_SHARED_ARRAY_FLAGS_WRITABLE,
  };

  for (guint i = 0; i < G_N_ELEMENTS (flags); i++)
    {
      g_autoptr(MpaioSharedArray) array = NULL;
      g_autoptr(MpaioSharedArray) copy = NULL;
      g_autoptr(GVariant) description = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *perms = NULL;
      const guint64    shape[] = { 50, 3, 2 };
      const guint64   *copy_shape;
      guint            n_dims;
      guint16         *data;
      int              fd;

      array = mpaio_shared_array_new_full (MPAIO_DTYPE_UINT16, 2, shape, 3, flags[i], &error);
      g_assert_no_error (error);
      data = mpaio_shared_array_get_data (array);
      for (guint j = 0; j < 300; j++)
        data[j] = (guint16) (j * 7);

      description = _mpaio_shared_array_describe (array);
      g_assert_false (g_variant_is_floating (description));
      g_assert_cmpstr (g_variant_get_type_string (description), ==,
                       MPAIO_SHARED_ARRAY_DESCRIPTION_TYPE);

      fd = dup (mpaio_shared_array_get_fd (array));
      copy = _mpaio_shared_array_new_from_description (description, fd, &error);
      g_assert_no_error (error);
      g_assert_cmpint (mpaio_shared_array_get_fd (copy), ==, fd);
      g_assert_cmpint (mpaio_shared_array_get_dtype (copy), ==, MPAIO_DTYPE_UINT16);
      g_assert_cmpint (mpaio_shared_array_get_flags (copy), ==, flags[i]);
      g_assert_cmpuint (mpaio_shared_array_get_item_size (copy), ==, 2);
      g_assert_cmpuint (mpaio_shared_array_get_row_size (copy), ==, 12);
      g_assert_cmpuint (mpaio_shared_array_get_size (copy), ==, 600);
      copy_shape = mpaio_shared_array_get_shape (copy, &n_dims);
      g_assert_cmpmem (copy_shape, n_dims * sizeof (guint64), shape, sizeof shape);
      g_assert_cmpuint (_mpaio_shared_array_get_id (copy), !=, _mpaio_shared_array_get_id (array));

      /* The same memory, not a copy of it. */
      g_assert_cmpmem (mpaio_shared_array_get_data (copy), 600, data, 600);
      data[299] = 0xbeef;
      g_assert_cmpuint (((const guint16 *) mpaio_shared_array_get_data (copy))[299], ==, 0xbeef);

      /* Writes to an input array would fault in a worker: check the
       * mapping's permissions rather than take the signal. */
      perms = mapping_permissions (mpaio_shared_array_get_data (copy));
      if (flags[i] & MPAIO_SHARED_ARRAY_FLAGS_WRITABLE)
        {
          g_assert_cmpstr (perms, ==, "rw-s");
          ((guint16 *) mpaio_shared_array_get_data (copy))[0] = 0xcafe;
          g_assert_cmpuint (data[0], ==, 0xcafe);
        }
      else
        {
          g_assert_nonnull (perms);
          g_assert_true (perms[0] == 'r' && perms[1] == '-');
        }

      g_clear_object (&copy);
      g_assert_true (fd_is_closed (fd));
    }
}

static void
assert_bad_description (GVariant *description,
                        int       fd)
{
  g_autoptr(MpaioSharedArray) array = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) owned = g_variant_ref_sink (description);

  array = _mpaio_shared_array_new_from_description (owned, fd, &error);
  g_assert_error (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT);
  g_assert_null (array);
  g_assert_true (fd_is_closed (fd));
}

static GVariant *
make_description (guint32        dtype,
                  guint32        flags,
                  guint64        item_size,
                  const guint64 *shape,
                  gsize          n_dims)
{
  return g_variant_new ("(uut@at)", dtype, flags, item_size,
                        g_variant_new_fixed_array (G_VARIANT_TYPE_UINT64, shape, n_dims,
                                                   sizeof (guint64)));
}

static void
test_description_bad (void)
{
  g_autoptr(MpaioSharedArray) array = NULL;
  g_autoptr(GVariant) good = NULL;
  g_autoptr(GError) error = NULL;
  const guint64 shape[] = { 100 };
  const guint64 big_shape[] = { 101 };
  const guint64 overflowing[] = { 1ULL << 62, 1ULL << 62 };
  int           array_fd;

  array = mpaio_shared_array_new (MPAIO_DTYPE_INT32, shape, 1, &error);
  g_assert_no_error (error);
  array_fd = mpaio_shared_array_get_fd (array);

  assert_bad_description (g_variant_new ("(uut)", 4, 0, G_GUINT64_CONSTANT (4)), dup (array_fd));
  assert_bad_description (g_variant_new ("(uutau)", 4, 0, G_GUINT64_CONSTANT (4), NULL),
                          dup (array_fd));
  assert_bad_description (make_description (99, 0, 4, shape, 1), dup (array_fd));
  assert_bad_description (make_description (MPAIO_DTYPE_INT32, 0, 8, shape, 1), dup (array_fd));
  assert_bad_description (make_description (MPAIO_DTYPE_STRING, 0, 0, shape, 1), dup (array_fd));
  assert_bad_description (make_description (MPAIO_DTYPE_INT32, 0x10, 4, shape, 1),
                          dup (array_fd));
  assert_bad_description (make_description (MPAIO_DTYPE_INT32, 0, 4, shape, 0), dup (array_fd));
  assert_bad_description (make_description (MPAIO_DTYPE_INT8, 0, 1, overflowing, 2),
                          dup (array_fd));
  /* The fd holds 400 bytes: one row short. */
  assert_bad_description (make_description (MPAIO_DTYPE_INT32, 0, 4, big_shape, 1),
                          dup (array_fd));

  /* An invalid fd is an error too, not a crash. */
  good = _mpaio_shared_array_describe (array);
  g_clear_object (&array);
  array = _mpaio_shared_array_new_from_description (good, -1, &error);
  g_assert_error (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT);
  g_assert_null (array);
}

/* Bytes as they would come off the socket: a variant of the right type whose
 * serialized form is truncated or garbage must not crash the reader. */
static void
test_description_untrusted_bytes (void)
{
  static const guint8 garbage[][24] = {
    { 0 },
    { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
    { 4, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x10 },
  };
  g_autoptr(MpaioSharedArray) array = NULL;
  g_autoptr(GError) error = NULL;
  const guint64 shape[] = { 10 };

  array = mpaio_shared_array_new (MPAIO_DTYPE_INT32, shape, 1, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (garbage); i++)
    {
      for (gsize len = 0; len <= sizeof garbage[i]; len += 3)
        {
          g_autoptr(GBytes) bytes = g_bytes_new (garbage[i], len);
          g_autoptr(GVariant) description = NULL;
          g_autoptr(MpaioSharedArray) copy = NULL;
          g_autoptr(GError) local_error = NULL;
          int fd = dup (mpaio_shared_array_get_fd (array));

          description = g_variant_ref_sink (
            g_variant_new_from_bytes (G_VARIANT_TYPE (MPAIO_SHARED_ARRAY_DESCRIPTION_TYPE),
                                      bytes, FALSE));
          copy = _mpaio_shared_array_new_from_description (description, fd, &local_error);
          /* Non-normal data reads as zeroes (an item size of 0, no shape);
           * the full last one is well formed but far bigger than the fd. */
          g_assert_error (local_error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT);
          g_assert_null (copy);
          g_assert_true (fd_is_closed (fd));
        }
    }
}

/* An array spanning huge pages is mapped where they can map it, reads
 * zero when new, and keeps what is written through every mapping. */
static void
test_huge_page_mapping (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioSharedArray) array = NULL;
  g_autoptr(MpaioSharedArray) again = NULL;
  guint64  n_rows = 3 * 1024 * 1024 + 5; /* spans huge pages, ends inside one */
  guint8  *data;
  guint8  *seen;
  gboolean all_zero = TRUE;

  array = mpaio_shared_array_new (MPAIO_DTYPE_UINT8, &n_rows, 1, &error);
  g_assert_no_error (error);
  data = mpaio_shared_array_get_data (array);
  g_assert_cmpuint ((guintptr) data % (2 * 1024 * 1024), ==, 0);
  for (guint64 i = 0; i < n_rows; i++)
    all_zero = all_zero && data[i] == 0;
  g_assert_true (all_zero);

  data[0] = 1;
  data[2 * 1024 * 1024] = 2;
  data[n_rows - 1] = 3;

  again = mpaio_shared_array_new_from_fd (mpaio_shared_array_get_fd (array), MPAIO_DTYPE_UINT8, 1,
                                          &n_rows, 1, MPAIO_SHARED_ARRAY_FLAGS_NONE, &error);
  g_assert_no_error (error);
  seen = mpaio_shared_array_get_data (again);
  g_assert_cmpuint ((guintptr) seen % (2 * 1024 * 1024), ==, 0);
  g_assert_cmpuint (seen[0], ==, 1);
  g_assert_cmpuint (seen[2 * 1024 * 1024], ==, 2);
  g_assert_cmpuint (seen[n_rows - 1], ==, 3);
}

int
main (int    argc,
      char **argv)
{
  mpaio_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dtype/item-size", test_dtype_item_size);
  g_test_add_func ("/shared-array/shapes", test_shapes);
  g_test_add_func ("/shared-array/strings", test_strings);
  g_test_add_func ("/shared-array/memfd-sealed", test_memfd_sealed);
  g_test_add_func ("/shared-array/invalid", test_invalid);
  g_test_add_func ("/shared-array/no-memory", test_no_memory);
  g_test_add_func ("/shared-array/zero-rows", test_zero_rows);
  g_test_add_func ("/shared-array/row-out-of-range", test_row_out_of_range);
  g_test_add_func ("/shared-array/bytes", test_bytes);
  g_test_add_func ("/shared-array/ids", test_ids);
  g_test_add_func ("/shared-array/new-from-fd", test_new_from_fd);
  g_test_add_func ("/shared-array/new-from-fd/unsealable", test_new_from_fd_unsealable);
  g_test_add_func ("/shared-array/new-from-fd/read-only", test_new_from_fd_read_only);
  g_test_add_func ("/shared-array/new-from-fd/invalid", test_new_from_fd_invalid);
  g_test_add_func ("/shared-array/description/round-trip", test_description_round_trip);
  g_test_add_func ("/shared-array/description/bad", test_description_bad);
  g_test_add_func ("/shared-array/description/untrusted-bytes", test_description_untrusted_bytes);
  g_test_add_func ("/shared-array/huge-page-mapping", test_huge_page_mapping);

  return g_test_run ();
}
