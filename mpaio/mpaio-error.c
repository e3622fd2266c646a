/* mpaio-error.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "mpaio-error.h"

/**
 * mpaio_error_quark:
 *
 * The quark of the [error@Mpaio.Error] domain.
 *
 * Returns: the error domain quark
 *
 * Since: 0.1
 */
/* clang-format off */
G_DEFINE_QUARK (mpaio-error-quark, mpaio_error)
/* clang-format on */
