/* mpaio-dtype.h: element types of shared arrays
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(MPAIO_INSIDE) && !defined(MPAIO_COMPILATION)
#error "Only <mpaio.h> can be included directly."
#endif

#include <glib.h>

#include "mpaio-version-macros.h"

/* clang-format off */
G_BEGIN_DECLS

/**
 * MpaioDType:
 * @MPAIO_DTYPE_INT8: signed 8-bit integer (numpy `int8`)
 * @MPAIO_DTYPE_UINT8: unsigned 8-bit integer (numpy `uint8`)
 * @MPAIO_DTYPE_INT16: signed 16-bit integer (numpy `int16`)
 * @MPAIO_DTYPE_UINT16: unsigned 16-bit integer (numpy `uint16`)
 * @MPAIO_DTYPE_INT32: signed 32-bit integer (numpy `int32`)
 * @MPAIO_DTYPE_UINT32: unsigned 32-bit integer (numpy `uint32`)
 * @MPAIO_DTYPE_INT64: signed 64-bit integer (numpy `int64`)
 * @MPAIO_DTYPE_UINT64: unsigned 64-bit integer (numpy `uint64`)
 * @MPAIO_DTYPE_FLOAT32: IEEE 754 single precision (numpy `float32`)
 * @MPAIO_DTYPE_FLOAT64: IEEE 754 double precision (numpy `float64`)
 * @MPAIO_DTYPE_STRING: fixed-width byte string, NUL-padded (numpy `S<n>`);
 *   its item size is given when the array is created
 *
 * The element type of a [class@Mpaio.SharedArray], in host byte order.
 *
 * Since: 0.1
 */
typedef enum
{
  MPAIO_DTYPE_INT8,
  MPAIO_DTYPE_UINT8,
  MPAIO_DTYPE_INT16,
  MPAIO_DTYPE_UINT16,
  MPAIO_DTYPE_INT32,
  MPAIO_DTYPE_UINT32,
  MPAIO_DTYPE_INT64,
  MPAIO_DTYPE_UINT64,
  MPAIO_DTYPE_FLOAT32,
  MPAIO_DTYPE_FLOAT64,
  MPAIO_DTYPE_STRING,
} MpaioDType;

MPAIO_AVAILABLE_IN_ALL
gsize mpaio_dtype_get_item_size (MpaioDType dtype);

G_END_DECLS
