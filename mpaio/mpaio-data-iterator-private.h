/* mpaio-data-iterator-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "mpaio-data-iterator.h"

/* clang-format off */
G_BEGIN_DECLS

/* mpaio_data_iterator_get_array() without its check, for the per-chunk
 * paths that have one already. */
MpaioSharedArray *_mpaio_data_iterator_peek_array (MpaioDataIterator *self);

G_END_DECLS
