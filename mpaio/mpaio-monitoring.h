/* mpaio-monitoring.h: publishing a program's runs for mpaio-monitor
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
 * MPAIO_MONITOR_ENV:
 *
 * The environment variable that turns monitoring on when set to `1`: see
 * [func@Mpaio.set_monitoring_enabled].
 *
 * Since: 0.1
 */
#define MPAIO_MONITOR_ENV "MPAIO_MONITOR"

MPAIO_AVAILABLE_IN_ALL
void mpaio_set_monitoring_enabled (gboolean enabled);
MPAIO_AVAILABLE_IN_ALL
gboolean mpaio_get_monitoring_enabled (void);

G_END_DECLS
