/* mpaio-dtype.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "mpaio-dtype.h"

/**
 * mpaio_dtype_get_item_size:
 * @dtype: an element type
 *
 * Gets the size in bytes of one item of a numeric @dtype.
 *
 * A [enum@Mpaio.DType.STRING] has no natural size (its width is chosen when
 * the array is created), so this returns 0 for it, as it does for values
 * outside the enumeration: callers can use 0 to reject both.
 *
 * Returns: the item size in bytes, or 0
 *
 * Since: 0.1
 */
gsize
mpaio_dtype_get_item_size (MpaioDType dtype)
{
  switch (dtype)
    {
    case MPAIO_DTYPE_INT8:
    case MPAIO_DTYPE_UINT8:
      return 1;
    case MPAIO_DTYPE_INT16:
    case MPAIO_DTYPE_UINT16:
      return 2;
    case MPAIO_DTYPE_INT32:
    case MPAIO_DTYPE_UINT32:
    case MPAIO_DTYPE_FLOAT32:
      return 4;
    case MPAIO_DTYPE_INT64:
    case MPAIO_DTYPE_UINT64:
    case MPAIO_DTYPE_FLOAT64:
      return 8;
    case MPAIO_DTYPE_STRING:
    default:
      return 0;
    }
}
