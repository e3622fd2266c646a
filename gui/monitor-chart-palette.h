/* monitor-chart-palette.h: series colours of the monitor's charts
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gdk/gdk.h>

/* clang-format off */
G_BEGIN_DECLS


void monitor_chart_palette_get_color        (guint    index,
                                           GdkRGBA *color);
void monitor_chart_palette_get_worker_color (guint    index,
                                           GdkRGBA *color);

G_END_DECLS
