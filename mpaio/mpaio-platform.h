/* mpaio-platform.h: facts about the machine the library runs on
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

MPAIO_AVAILABLE_IN_ALL
guint mpaio_get_n_cores (void);

G_END_DECLS
