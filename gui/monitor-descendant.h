/* monitor-descendant.h: whether a process was started, at some remove, by another
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

/* clang-format off */
G_BEGIN_DECLS

gboolean monitor_pid_descends_from (GPid pid, GPid ancestor);

G_END_DECLS
