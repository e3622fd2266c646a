/* mpaio-shared-array.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

/* For memfd_create() and file seals; before any system header. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include "mpaio-shared-array.h"
#include "mpaio-shared-array-private.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "mpaio-enum-types.h"
#include "mpaio-error.h"

/**
 * MpaioSharedArray:
 *
 * A typed array of rows in one block of shared memory, which worker
 * processes map to read their chunks without any copy.
 *
 * The memory is an anonymous file made with `memfd_create()`: it has no name
 * in `/dev/shm`, so nothing is left behind if a process dies. It is sized once,
 * then sealed against shrinking and growing, so no process can truncate it
 * under another's mapping (which would make reading it fault).
 *
 * The array has a shape of any rank; it is cut into chunks along its first
 * axis, so a row is one item of axis 0: `shape[0]` rows of
 * `item_size × shape[1] × … × shape[n_dims - 1]` bytes each, stored
 * contiguously in C order.
 *
 * The creating process maps the array writable and fills it in. Worker
 * processes map it read-only, unless it was created with
 * [flags@Mpaio.SharedArrayFlags.WRITABLE] to collect their output.
 *
 * Each mapping of an array of 2 MB or more asks for transparent huge pages
 * (`MADV_HUGEPAGE`), which Linux grants to shared memory only where
 * `/sys/kernel/mm/transparent_hugepage/shmem_enabled` says `advise` or
 * `always`. Before a chunk runs, a worker process maps the chunk's rows of
 * the arrays it uses in one call rather than one page fault at a time.
 *
 * The array's file descriptor ([method@Mpaio.SharedArray.get_fd]) lets other
 * code view the same memory without a copy, e.g. numpy in Python:
 * `numpy.frombuffer (mmap.mmap (array.get_fd (), array.get_size ()), dtype)`.
 *
 * An array of 1000 × 3 float32, filled in by the process that creates it:
 *
 * ```c
 * guint64 shape[] = { 1000, 3 };
 * g_autoptr(MpaioSharedArray) array = mpaio_shared_array_new (MPAIO_DTYPE_FLOAT32, shape, 2,
 *                                                             &error);
 * float *items = mpaio_shared_array_get_data (array);
 * ```
 *
 * In Python, with the overrides `from gi.repository import Mpaio` loads,
 * `array.as_numpy()` is a numpy view of the same memory, and
 * `Mpaio.SharedArray.from_numpy()` copies a numpy array into a new one:
 *
 * ```python
 * array = Mpaio.SharedArray.from_numpy(np.random.random((1000, 3)).astype(np.float32))
 * column_means = array.as_numpy().mean(axis=0)
 * ```
 *
 * In gjs, with `imports.mpaio`, `array.asTypedArray()` is a typed array over it.
 *
 * Since: 0.1
 */
struct _MpaioSharedArray
{
  GObject parent_instance;

  guint64               id;
  MpaioDType            dtype;
  MpaioSharedArrayFlags flags;
  gsize                 item_size;
  guint64              *shape;
  guint                 n_dims;
  gsize                 row_size;
  gsize                 size;

  int      fd;
  gpointer data;
};

G_DEFINE_FINAL_TYPE (MpaioSharedArray, mpaio_shared_array, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_DTYPE,
  PROP_FLAGS,
  PROP_ITEM_SIZE,
  PROP_N_DIMS,
  PROP_N_ROWS,
  PROP_ROW_SIZE,
  PROP_SIZE,
  PROP_FD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Ids start at 1 so that 0 can mean "no array" on the wire. */
static guint64 next_id = 1;

static void
mpaio_shared_array_finalize (GObject *object)
{
  MpaioSharedArray *self = MPAIO_SHARED_ARRAY (object);

  if (self->data != NULL)
    munmap (self->data, self->size);
  if (self->fd >= 0)
    g_close (g_steal_fd (&self->fd), NULL);
  g_clear_pointer (&self->shape, g_free);

  G_OBJECT_CLASS (mpaio_shared_array_parent_class)->finalize (object);
}

static void
mpaio_shared_array_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  MpaioSharedArray *self = MPAIO_SHARED_ARRAY (object);

  switch (prop_id)
    {
    case PROP_DTYPE:
      g_value_set_enum (value, self->dtype);
      break;
    case PROP_FLAGS:
      g_value_set_flags (value, self->flags);
      break;
    case PROP_ITEM_SIZE:
      g_value_set_uint64 (value, self->item_size);
      break;
    case PROP_N_DIMS:
      g_value_set_uint (value, self->n_dims);
      break;
    case PROP_N_ROWS:
      g_value_set_uint64 (value, mpaio_shared_array_get_n_rows (self));
      break;
    case PROP_ROW_SIZE:
      g_value_set_uint64 (value, self->row_size);
      break;
    case PROP_SIZE:
      g_value_set_uint64 (value, self->size);
      break;
    case PROP_FD:
      g_value_set_int (value, self->fd);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mpaio_shared_array_class_init (MpaioSharedArrayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = mpaio_shared_array_finalize;
  object_class->get_property = mpaio_shared_array_get_property;

  /**
   * MpaioSharedArray:dtype:
   *
   * The type of the array's items.
   *
   * Since: 0.1
   */
  properties[PROP_DTYPE] =
    g_param_spec_enum ("dtype", NULL, NULL,
                       MPAIO_TYPE_DTYPE,
                       MPAIO_DTYPE_UINT8,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * MpaioSharedArray:flags:
   *
   * How worker processes may use the array.
   *
   * Since: 0.1
   */
  properties[PROP_FLAGS] =
    g_param_spec_flags ("flags", NULL, NULL,
                        MPAIO_TYPE_SHARED_ARRAY_FLAGS,
                        MPAIO_SHARED_ARRAY_FLAGS_NONE,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * MpaioSharedArray:item-size:
   *
   * The size in bytes of one item.
   *
   * Since: 0.1
   */
  properties[PROP_ITEM_SIZE] =
    g_param_spec_uint64 ("item-size", NULL, NULL,
                         0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * MpaioSharedArray:n-dims:
   *
   * The number of dimensions of the array's shape.
   *
   * Since: 0.1
   */
  properties[PROP_N_DIMS] =
    g_param_spec_uint ("n-dims", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * MpaioSharedArray:n-rows:
   *
   * The number of rows, the first dimension of the shape.
   *
   * Since: 0.1
   */
  properties[PROP_N_ROWS] =
    g_param_spec_uint64 ("n-rows", NULL, NULL,
                         0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * MpaioSharedArray:row-size:
   *
   * The size in bytes of one row.
   *
   * Since: 0.1
   */
  properties[PROP_ROW_SIZE] =
    g_param_spec_uint64 ("row-size", NULL, NULL,
                         0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * MpaioSharedArray:size:
   *
   * The size in bytes of the whole array.
   *
   * Since: 0.1
   */
  properties[PROP_SIZE] =
    g_param_spec_uint64 ("size", NULL, NULL,
                         0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * MpaioSharedArray:fd:
   *
   * The file descriptor of the shared memory, owned by the array.
   *
   * Since: 0.1
   */
  properties[PROP_FD] =
    g_param_spec_int ("fd", NULL, NULL,
                      -1, G_MAXINT, -1,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
mpaio_shared_array_init (MpaioSharedArray *self)
{
  self->fd = -1;
  self->id = __atomic_fetch_add (&next_id, 1, __ATOMIC_RELAXED);
}

/* Checks a layout and works out its sizes. Shared by the constructors and by
 * the worker side, where the values come from another process and are
 * treated as untrusted. */
static gboolean
compute_layout (MpaioDType            dtype,
                guint64               item_size,
                const guint64        *shape,
                guint                 n_dims,
                MpaioSharedArrayFlags flags,
                gsize                *out_row_size,
                gsize                *out_size,
                GError              **error)
{
  gsize natural_size;
  gsize row_size;
  gsize size;

  if ((guint) dtype > MPAIO_DTYPE_STRING)
    {
      g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                   "Unknown element type %u", (guint) dtype);
      return FALSE;
    }

  if ((flags & ~MPAIO_SHARED_ARRAY_FLAGS_WRITABLE) != 0)
    {
      g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                   "Unknown shared array flags 0x%x", (guint) flags);
      return FALSE;
    }

  if (item_size == 0 || item_size > G_MAXSIZE)
    {
      g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                   "Invalid item size %" G_GUINT64_FORMAT, item_size);
      return FALSE;
    }

  natural_size = mpaio_dtype_get_item_size (dtype);
  if (natural_size != 0 && item_size != natural_size)
    {
      g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                   "Item size %" G_GUINT64_FORMAT " does not match the element type's size %" G_GSIZE_FORMAT,
                   item_size, natural_size);
      return FALSE;
    }

  if (n_dims == 0 || shape == NULL)
    {
      g_set_error_literal (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                           "An array needs a shape of at least one dimension");
      return FALSE;
    }

  /* Every product is checked, even past a zero dimension: a shape whose
   * byte size overflows is a caller's mistake however it is ordered. */
  row_size = item_size;
  for (guint i = 1; i < n_dims; i++)
    {
      if (shape[i] > G_MAXSIZE || !g_size_checked_mul (&row_size, row_size, shape[i]))
        goto absurd;
    }

  if (shape[0] > G_MAXSIZE || !g_size_checked_mul (&size, row_size, shape[0]))
    goto absurd;

  /* ftruncate() and mmap() take a signed off_t. */
  if (size > G_MAXINT64)
    goto absurd;

  *out_row_size = row_size;
  *out_size = size;
  return TRUE;

absurd:
  g_set_error_literal (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                       "Absurd shape: the array's size in bytes overflows");
  return FALSE;
}

static MpaioSharedArray *
shared_array_new_layout (MpaioDType            dtype,
                         gsize                 item_size,
                         const guint64        *shape,
                         guint                 n_dims,
                         MpaioSharedArrayFlags flags,
                         gsize                 row_size,
                         gsize                 size)
{
  MpaioSharedArray *self = g_object_new (MPAIO_TYPE_SHARED_ARRAY, NULL);

  self->dtype = dtype;
  self->flags = flags;
  self->item_size = item_size;
  self->shape = g_memdup2 (shape, n_dims * sizeof (guint64));
  self->n_dims = n_dims;
  self->row_size = row_size;
  self->size = size;

  return self;
}

static void
set_error_from_errno (GError    **error,
                      int         errsv,
                      const char *what,
                      gsize       size)
{
  g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_NO_MEMORY,
               "Could not %s %" G_GSIZE_FORMAT " bytes of shared memory: %s",
               what, size, g_strerror (errsv));
}

/**
 * mpaio_shared_array_new:
 * @dtype: a numeric element type
 * @shape: (array length=n_dims): the length of each dimension; the first is the number of rows
 * @n_dims: the number of dimensions, at least 1
 * @error: return location for a #GError
 *
 * Creates an input array of a numeric type in new shared memory, filled with
 * zeroes, which the calling process can write and worker processes will map
 * read-only.
 *
 * An array of 0 rows is valid; it has no mapping.
 *
 * For fixed-width strings, or for an array the workers write to, use
 * [ctor@Mpaio.SharedArray.new_full].
 *
 * Returns: (transfer full): a new shared array, or %NULL with @error set:
 *   [error@Mpaio.Error.INVALID_ARGUMENT] for a string type or an absurd shape,
 *   [error@Mpaio.Error.NO_MEMORY] when the memory cannot be had
 *
 * Since: 0.1
 */
MpaioSharedArray *
mpaio_shared_array_new (MpaioDType     dtype,
                        const guint64 *shape,
                        guint          n_dims,
                        GError       **error)
{
  gsize item_size;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  item_size = mpaio_dtype_get_item_size (dtype);
  if (item_size == 0)
    {
      g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                   dtype == MPAIO_DTYPE_STRING
                     ? "A string array needs an item size: use mpaio_shared_array_new_full()"
                     : "Unknown element type %u",
                   (guint) dtype);
      return NULL;
    }

  return mpaio_shared_array_new_full (dtype, item_size, shape, n_dims,
                                      MPAIO_SHARED_ARRAY_FLAGS_NONE, error);
}

/**
 * mpaio_shared_array_new_full:
 * @dtype: the element type
 * @item_size: the size of one item in bytes: the width of a string, or the
 *   natural size of a numeric @dtype
 * @shape: (array length=n_dims): the length of each dimension; the first is the number of rows
 * @n_dims: the number of dimensions, at least 1
 * @flags: how worker processes may use the array
 * @error: return location for a #GError
 *
 * Creates an array in new shared memory, filled with zeroes (empty strings),
 * which the calling process can write.
 *
 * With [flags@Mpaio.SharedArrayFlags.WRITABLE], worker processes map it
 * writable too, and what they write is seen by every process: an output
 * array. Workers must then write disjoint parts of it, typically their own
 * chunk's rows.
 *
 * Returns: (transfer full): a new shared array, or %NULL with @error set:
 *   [error@Mpaio.Error.INVALID_ARGUMENT] for an inconsistent item size or an
 *   absurd shape, [error@Mpaio.Error.NO_MEMORY] when the memory cannot be had
 *
 * Since: 0.1
 */
MpaioSharedArray *
mpaio_shared_array_new_full (MpaioDType            dtype,
                             gsize                 item_size,
                             const guint64        *shape,
                             guint                 n_dims,
                             MpaioSharedArrayFlags flags,
                             GError              **error)
{
  g_autoptr(MpaioSharedArray) self = NULL;
  char  name[64];
  gsize row_size;
  gsize size;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!compute_layout (dtype, item_size, shape, n_dims, flags, &row_size, &size, error))
    return NULL;

  self = shared_array_new_layout (dtype, item_size, shape, n_dims, flags, row_size, size);

  /* The name is only a label in /proc/PID/fd and /proc/PID/maps. */
  g_snprintf (name, sizeof name, "mpaio-array-%" G_GUINT64_FORMAT, self->id);
  self->fd = memfd_create (name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (self->fd < 0)
    {
      set_error_from_errno (error, errno, "create", size);
      return NULL;
    }

  if (size > 0 && ftruncate (self->fd, (off_t) size) < 0)
    {
      set_error_from_errno (error, errno, "allocate", size);
      return NULL;
    }

  /* Sized once for good: a process that shrank the file would make every
   * other process's reads of its mapping fault with SIGBUS. */
  if (fcntl (self->fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0)
    {
      int errsv = errno;

      g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_NO_MEMORY,
                   "Could not seal shared memory: %s", g_strerror (errsv));
      return NULL;
    }

  if (size > 0)
    {
      gpointer data = _mpaio_shared_array_map (size, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd);

      if (data == MAP_FAILED)
        {
          set_error_from_errno (error, errno, "map", size);
          return NULL;
        }

      /* Before the creator first writes it: pages are chosen then. */
      _mpaio_shared_array_advise_huge_pages (data, size);
      _mpaio_shared_array_collapse_new (data, size);
      self->data = data;
    }

  return g_steal_pointer (&self);
}

/**
 * mpaio_shared_array_new_from_fd:
 * @fd: a file descriptor of a regular file or memfd of at least the array's size
 * @dtype: the element type
 * @item_size: the size of one item in bytes: the width of a string, or the
 *   natural size of a numeric @dtype
 * @shape: (array length=n_dims): the length of each dimension; the first is the number of rows
 * @n_dims: the number of dimensions, at least 1
 * @flags: how worker processes may use the array
 * @error: return location for a #GError
 *
 * Wraps memory the caller already has as a shared array, from its start.
 * The array works on a duplicate of @fd: the caller keeps @fd and may close it.
 *
 * The array tries to seal the file against shrinking and growing. Files that
 * cannot be sealed (a memfd made without `MFD_ALLOW_SEALING` or already sealed
 * with `F_SEAL_SEAL`, a file of a file system without seals) are used as they
 * are: the caller must then not truncate them while the array lives, or
 * reading the array would fault.
 *
 * If @fd is open read-only or is sealed against writing, the calling
 * process's mapping is read-only: do not write to
 * [method@Mpaio.SharedArray.get_data] then. Such a file cannot be used with
 * [flags@Mpaio.SharedArrayFlags.WRITABLE].
 *
 * Returns: (transfer full): a new shared array, or %NULL with @error set:
 *   [error@Mpaio.Error.INVALID_ARGUMENT] for an inconsistent layout or a file
 *   too small for it, [error@Mpaio.Error.NO_MEMORY] when it cannot be mapped
 *
 * Since: 0.1
 */
MpaioSharedArray *
mpaio_shared_array_new_from_fd (int                   fd,
                                MpaioDType            dtype,
                                gsize                 item_size,
                                const guint64        *shape,
                                guint                 n_dims,
                                MpaioSharedArrayFlags flags,
                                GError              **error)
{
  g_autoptr(MpaioSharedArray) self = NULL;
  struct stat st;
  gsize       row_size;
  gsize       size;

  g_return_val_if_fail (fd >= 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!compute_layout (dtype, item_size, shape, n_dims, flags, &row_size, &size, error))
    return NULL;

  self = shared_array_new_layout (dtype, item_size, shape, n_dims, flags, row_size, size);

  self->fd = fcntl (fd, F_DUPFD_CLOEXEC, 3);
  if (self->fd < 0)
    {
      int errsv = errno;

      g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                   "Could not duplicate file descriptor %d: %s", fd, g_strerror (errsv));
      return NULL;
    }

  if (fstat (self->fd, &st) < 0)
    {
      int errsv = errno;

      g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                   "Could not inspect file descriptor %d: %s", fd, g_strerror (errsv));
      return NULL;
    }

  /* The size of anything else than a regular file (memfds are) says nothing
   * about what can be mapped. */
  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                   "File descriptor %d is not a regular file or memfd", fd);
      return NULL;
    }

  if (st.st_size < 0 || (guint64) st.st_size < size)
    {
      g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                   "File descriptor %d holds %" G_GINT64_FORMAT " bytes, the array needs %" G_GSIZE_FORMAT,
                   fd, (gint64) st.st_size, size);
      return NULL;
    }

  /* EPERM: the file is already sealed with F_SEAL_SEAL, or is a memfd made
   * without MFD_ALLOW_SEALING; EINVAL: its file system has no seals. Both
   * are documented as accepted: the caller then keeps the file's size. */
  if (fcntl (self->fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) < 0 && errno != EPERM && errno != EINVAL)
    {
      int errsv = errno;

      g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                   "Could not seal file descriptor %d: %s", fd, g_strerror (errsv));
      return NULL;
    }

  if (size > 0)
    {
      gpointer data = _mpaio_shared_array_map (size, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd);

      /* EACCES: opened read-only; EPERM: sealed against writing. Such a
       * file is still a fine input array, seen read-only. */
      if (data == MAP_FAILED && (errno == EACCES || errno == EPERM) && !(flags & MPAIO_SHARED_ARRAY_FLAGS_WRITABLE))
        {
          data = _mpaio_shared_array_map (size, PROT_READ, MAP_SHARED, self->fd);
          /* Before Linux 6.7 a shared mapping of a write-sealed memfd is
           * refused even read-only; a private read-only one shares the same
           * pages, and the seal guarantees they never change. */
          if (data == MAP_FAILED && errno == EPERM)
            data = _mpaio_shared_array_map (size, PROT_READ, MAP_PRIVATE, self->fd);
        }

      if (data == MAP_FAILED)
        {
          int errsv = errno;

          if (errsv == EACCES || errsv == EPERM)
            g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                         "File descriptor %d cannot be mapped for writing: %s",
                         fd, g_strerror (errsv));
          else
            set_error_from_errno (error, errsv, "map", size);
          return NULL;
        }

      _mpaio_shared_array_advise_huge_pages (data, size);
      self->data = data;
    }

  return g_steal_pointer (&self);
}

/**
 * _mpaio_shared_array_get_id:
 * @self: a shared array
 *
 * Returns: an id unique among the arrays of this process, never 0
 */
guint64
_mpaio_shared_array_get_id (MpaioSharedArray *self)
{
  g_return_val_if_fail (MPAIO_IS_SHARED_ARRAY (self), 0);

  return self->id;
}

/**
 * _mpaio_shared_array_describe:
 * @self: a shared array
 *
 * Returns: (transfer full): a new, non-floating variant of type
 *   %MPAIO_SHARED_ARRAY_DESCRIPTION_TYPE
 */
GVariant *
_mpaio_shared_array_describe (MpaioSharedArray *self)
{
  GVariant *shape;

  g_return_val_if_fail (MPAIO_IS_SHARED_ARRAY (self), NULL);

  shape = g_variant_new_fixed_array (G_VARIANT_TYPE_UINT64,
                                     self->shape, self->n_dims, sizeof (guint64));

  return g_variant_ref_sink (g_variant_new ("(uut@at)",
                                            (guint32) self->dtype,
                                            (guint32) self->flags,
                                            (guint64) self->item_size,
                                            shape));
}

/**
 * _mpaio_shared_array_new_from_description:
 * @description: a variant of type %MPAIO_SHARED_ARRAY_DESCRIPTION_TYPE, from
 *   another process
 * @fd: (transfer full): the array's file descriptor, from another process
 * @error: return location for a #GError
 *
 * Maps the array another process described. @description is validated as
 * untrusted input; a bad one is [error@Mpaio.Error.INVALID_ARGUMENT]. @fd is
 * owned by the array, or closed on error.
 *
 * Returns: (transfer full): the array, or %NULL with @error set
 */
MpaioSharedArray *
_mpaio_shared_array_new_from_description (GVariant *description,
                                          int       fd,
                                          GError  **error)
{
  g_autoptr(MpaioSharedArray) self = NULL;
  g_autoptr(GVariant) shape_variant = NULL;
  const guint64 *shape;
  gsize          n_dims;
  guint32        dtype;
  guint32        flags;
  guint64        item_size;
  gsize          row_size;
  gsize          size;
  struct stat    st;
  gpointer       data;
  int            prot;

  if (G_UNLIKELY (description == NULL || (error != NULL && *error != NULL)))
    {
      if (fd >= 0)
        g_close (fd, NULL);
      g_return_val_if_reached (NULL);
    }

  if (fd < 0)
    {
      g_set_error_literal (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                           "No file descriptor for the shared array");
      return NULL;
    }

  if (!g_variant_is_of_type (description, G_VARIANT_TYPE (MPAIO_SHARED_ARRAY_DESCRIPTION_TYPE)))
    {
      g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                   "A shared array description of type “%s” was expected, not “%s”",
                   MPAIO_SHARED_ARRAY_DESCRIPTION_TYPE,
                   g_variant_get_type_string (description));
      g_close (fd, NULL);
      return NULL;
    }

  g_variant_get (description, "(uut@at)", &dtype, &flags, &item_size, &shape_variant);
  shape = g_variant_get_fixed_array (shape_variant, &n_dims, sizeof (guint64));

  if (n_dims > G_MAXUINT)
    n_dims = 0;

  if (!compute_layout ((MpaioDType) dtype, item_size, shape, (guint) n_dims,
                       (MpaioSharedArrayFlags) flags, &row_size, &size, error))
    {
      g_close (fd, NULL);
      return NULL;
    }

  self = shared_array_new_layout ((MpaioDType) dtype, item_size, shape, (guint) n_dims,
                                  (MpaioSharedArrayFlags) flags, row_size, size);
  self->fd = fd;

  if (fstat (self->fd, &st) < 0 || !S_ISREG (st.st_mode) || st.st_size < 0 || (guint64) st.st_size < size)
    {
      g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                   "The shared array's file is not a file of at least %" G_GSIZE_FORMAT " bytes",
                   size);
      return NULL;
    }

  if (size == 0)
    return g_steal_pointer (&self);

  prot = (flags & MPAIO_SHARED_ARRAY_FLAGS_WRITABLE) ? PROT_READ | PROT_WRITE : PROT_READ;
  data = _mpaio_shared_array_map (size, prot, MAP_SHARED, self->fd);
  /* Before Linux 6.7 a shared mapping of a write-sealed memfd is refused even
   * read-only; a private read-only one shares the same pages, and the seal
   * guarantees they never change. */
  if (data == MAP_FAILED && errno == EPERM && prot == PROT_READ)
    data = _mpaio_shared_array_map (size, PROT_READ, MAP_PRIVATE, self->fd);

  if (data == MAP_FAILED)
    {
      set_error_from_errno (error, errno, "map", size);
      return NULL;
    }

  _mpaio_shared_array_advise_huge_pages (data, size);
  self->data = data;

  return g_steal_pointer (&self);
}

/**
 * mpaio_shared_array_get_data: (skip)
 * @self: a shared array
 *
 * Gets the array's memory, `size` bytes, rows one after the other. It is
 * writable in the process that created the array, and in worker processes
 * if the array is [flags@Mpaio.SharedArrayFlags.WRITABLE].
 *
 * Bindings use [method@Mpaio.SharedArray.get_bytes] or
 * [method@Mpaio.SharedArray.get_fd] instead.
 *
 * Returns: (nullable): the start of the array's memory, valid as long as the
 *   array, or %NULL for an array of size 0
 *
 * Since: 0.1
 */
gpointer
mpaio_shared_array_get_data (MpaioSharedArray *self)
{
  g_return_val_if_fail (MPAIO_IS_SHARED_ARRAY (self), NULL);

  return self->data;
}

/**
 * mpaio_shared_array_get_row: (skip)
 * @self: a shared array
 * @row: a row index, at most the number of rows
 *
 * Gets where a row starts in the array's memory. @row may equal the number
 * of rows, which gives the end of the array (not to be dereferenced), so
 * that a chunk's rows are `[get_row (start), get_row (end))`.
 *
 * Returns: (nullable): the start of row @row, or %NULL for an array of size 0
 *
 * Since: 0.1
 */
gpointer
mpaio_shared_array_get_row (MpaioSharedArray *self,
                            guint64           row)
{
  g_return_val_if_fail (MPAIO_IS_SHARED_ARRAY (self), NULL);
  g_return_val_if_fail (row <= mpaio_shared_array_get_n_rows (self), NULL);

  if (self->data == NULL)
    return NULL;

  return (guint8 *) self->data + row * self->row_size;
}

/**
 * mpaio_shared_array_get_bytes:
 * @self: a shared array
 *
 * Gets the array's memory as bytes, without a copy. The bytes keep the array
 * alive. The memory is shared: it changes when the array is written to.
 *
 * Returns: (transfer full): the array's memory
 *
 * Since: 0.1
 */
GBytes *
mpaio_shared_array_get_bytes (MpaioSharedArray *self)
{
  g_return_val_if_fail (MPAIO_IS_SHARED_ARRAY (self), NULL);

  return g_bytes_new_with_free_func (self->data, self->size,
                                     g_object_unref, g_object_ref (self));
}

/**
 * mpaio_shared_array_get_fd:
 * @self: a shared array
 *
 * Gets the file descriptor of the array's memory. It stays owned by the
 * array: duplicate it to keep it beyond the array's life.
 *
 * Returns: the file descriptor
 *
 * Since: 0.1
 */
int
mpaio_shared_array_get_fd (MpaioSharedArray *self)
{
  g_return_val_if_fail (MPAIO_IS_SHARED_ARRAY (self), -1);

  return self->fd;
}

/**
 * mpaio_shared_array_get_dtype:
 * @self: a shared array
 *
 * Gets the type of the array's items.
 *
 * Returns: the element type
 *
 * Since: 0.1
 */
MpaioDType
mpaio_shared_array_get_dtype (MpaioSharedArray *self)
{
  g_return_val_if_fail (MPAIO_IS_SHARED_ARRAY (self), MPAIO_DTYPE_UINT8);

  return self->dtype;
}

/**
 * mpaio_shared_array_get_item_size:
 * @self: a shared array
 *
 * Gets the size of one item in bytes.
 *
 * Returns: the item size
 *
 * Since: 0.1
 */
gsize
mpaio_shared_array_get_item_size (MpaioSharedArray *self)
{
  g_return_val_if_fail (MPAIO_IS_SHARED_ARRAY (self), 0);

  return self->item_size;
}

/**
 * mpaio_shared_array_get_shape:
 * @self: a shared array
 * @n_dims: (out) (optional): return location for the number of dimensions
 *
 * Gets the length of each dimension of the array.
 *
 * Returns: (array length=n_dims) (transfer none): the shape
 *
 * Since: 0.1
 */
const guint64 *
mpaio_shared_array_get_shape (MpaioSharedArray *self,
                              guint            *n_dims)
{
  g_return_val_if_fail (MPAIO_IS_SHARED_ARRAY (self), NULL);

  if (n_dims != NULL)
    *n_dims = self->n_dims;

  return self->shape;
}

/**
 * mpaio_shared_array_get_n_rows:
 * @self: a shared array
 *
 * Gets the number of rows, the length of the first dimension, along which
 * the array is cut into chunks.
 *
 * Returns: the number of rows
 *
 * Since: 0.1
 */
guint64
_mpaio_shared_array_peek_n_rows (MpaioSharedArray *self)
{
  return self->n_dims > 0 ? self->shape[0] : 0;
}

guint64
mpaio_shared_array_get_n_rows (MpaioSharedArray *self)
{
  g_return_val_if_fail (MPAIO_IS_SHARED_ARRAY (self), 0);

  return self->n_dims > 0 ? self->shape[0] : 0;
}

/**
 * mpaio_shared_array_get_row_size:
 * @self: a shared array
 *
 * Gets the size of one row in bytes: the item size times the length of every
 * dimension but the first.
 *
 * Returns: the row size
 *
 * Since: 0.1
 */
gsize
mpaio_shared_array_get_row_size (MpaioSharedArray *self)
{
  g_return_val_if_fail (MPAIO_IS_SHARED_ARRAY (self), 0);

  return self->row_size;
}

/**
 * mpaio_shared_array_get_size:
 * @self: a shared array
 *
 * Gets the size of the whole array in bytes.
 *
 * Returns: the size
 *
 * Since: 0.1
 */
gsize
mpaio_shared_array_get_size (MpaioSharedArray *self)
{
  g_return_val_if_fail (MPAIO_IS_SHARED_ARRAY (self), 0);

  return self->size;
}

/**
 * mpaio_shared_array_get_flags:
 * @self: a shared array
 *
 * Gets how worker processes may use the array.
 *
 * Returns: the flags
 *
 * Since: 0.1
 */
MpaioSharedArrayFlags
mpaio_shared_array_get_flags (MpaioSharedArray *self)
{
  g_return_val_if_fail (MPAIO_IS_SHARED_ARRAY (self), MPAIO_SHARED_ARRAY_FLAGS_NONE);

  return self->flags;
}
