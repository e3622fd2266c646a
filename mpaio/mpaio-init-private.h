/* mpaio-init-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "mpaio-init.h"

/* clang-format off */
G_BEGIN_DECLS

gboolean            _mpaio_init_was_called      (void);
/* The working directory when mpaio_init() ran: worker processes start there
 * even if the program changed directory since. */
const char         *_mpaio_get_initial_cwd      (void);
/* The command line that starts this program again: the real executable and
 * the original arguments (so `python3 script.py` relaunches as such). */
const char * const *_mpaio_get_relaunch_argv    (GError **error);

G_END_DECLS
