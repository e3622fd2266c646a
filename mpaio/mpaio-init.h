/* mpaio-init.h: start-up of programs and of their worker processes
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
void     mpaio_init            (int    *argc,
                                char ***argv);
MPAIO_AVAILABLE_IN_ALL
gboolean mpaio_serve_if_worker (void);
MPAIO_AVAILABLE_IN_ALL
gboolean mpaio_is_worker_process (void);

G_END_DECLS
