/* mpaio-shared-array.h: a typed array in sealed shared memory
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(MPAIO_INSIDE) && !defined(MPAIO_COMPILATION)
#error "Only <mpaio.h> can be included directly."
#endif

#include <glib-object.h>

#include "mpaio-dtype.h"
#include "mpaio-version-macros.h"

/* clang-format off */
G_BEGIN_DECLS

/**
 * MpaioSharedArrayFlags:
 * @MPAIO_SHARED_ARRAY_FLAGS_NONE: an input array: worker processes map it read-only
 * @MPAIO_SHARED_ARRAY_FLAGS_WRITABLE: an output array: worker processes map it writable
 *   and their writes are seen by every process
 *
 * How worker processes may use a [class@Mpaio.SharedArray].
 *
 * Since: 0.1
 */
typedef enum /*< flags >*/
{
  MPAIO_SHARED_ARRAY_FLAGS_NONE = 0,
  MPAIO_SHARED_ARRAY_FLAGS_WRITABLE = 1 << 0,
} MpaioSharedArrayFlags;

#define MPAIO_TYPE_SHARED_ARRAY (mpaio_shared_array_get_type ())

MPAIO_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MpaioSharedArray, mpaio_shared_array, MPAIO, SHARED_ARRAY, GObject)

MPAIO_AVAILABLE_IN_ALL
MpaioSharedArray     *mpaio_shared_array_new           (MpaioDType             dtype,
                                                        const guint64         *shape,
                                                        guint                  n_dims,
                                                        GError               **error) G_GNUC_WARN_UNUSED_RESULT;
MPAIO_AVAILABLE_IN_ALL
MpaioSharedArray     *mpaio_shared_array_new_full      (MpaioDType             dtype,
                                                        gsize                  item_size,
                                                        const guint64         *shape,
                                                        guint                  n_dims,
                                                        MpaioSharedArrayFlags  flags,
                                                        GError               **error) G_GNUC_WARN_UNUSED_RESULT;
MPAIO_AVAILABLE_IN_ALL
MpaioSharedArray     *mpaio_shared_array_new_from_fd   (int                    fd,
                                                        MpaioDType             dtype,
                                                        gsize                  item_size,
                                                        const guint64         *shape,
                                                        guint                  n_dims,
                                                        MpaioSharedArrayFlags  flags,
                                                        GError               **error) G_GNUC_WARN_UNUSED_RESULT;
MPAIO_AVAILABLE_IN_ALL
gpointer              mpaio_shared_array_get_data      (MpaioSharedArray      *self);
MPAIO_AVAILABLE_IN_ALL
gpointer              mpaio_shared_array_get_row       (MpaioSharedArray      *self,
                                                        guint64                row);
MPAIO_AVAILABLE_IN_ALL
GBytes               *mpaio_shared_array_get_bytes     (MpaioSharedArray      *self);
MPAIO_AVAILABLE_IN_ALL
int                   mpaio_shared_array_get_fd        (MpaioSharedArray      *self);
MPAIO_AVAILABLE_IN_ALL
MpaioDType            mpaio_shared_array_get_dtype     (MpaioSharedArray      *self);
MPAIO_AVAILABLE_IN_ALL
gsize                 mpaio_shared_array_get_item_size (MpaioSharedArray      *self);
MPAIO_AVAILABLE_IN_ALL
const guint64        *mpaio_shared_array_get_shape     (MpaioSharedArray      *self,
                                                        guint                 *n_dims);
MPAIO_AVAILABLE_IN_ALL
guint64               mpaio_shared_array_get_n_rows    (MpaioSharedArray      *self);
MPAIO_AVAILABLE_IN_ALL
gsize                 mpaio_shared_array_get_row_size  (MpaioSharedArray      *self);
MPAIO_AVAILABLE_IN_ALL
gsize                 mpaio_shared_array_get_size      (MpaioSharedArray      *self);
MPAIO_AVAILABLE_IN_ALL
MpaioSharedArrayFlags mpaio_shared_array_get_flags     (MpaioSharedArray      *self);

G_END_DECLS
