/* mpaio-chart-palette.h: series colours of the monitor's charts
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gdk/gdk.h>

G_BEGIN_DECLS

/* Where the chunk timeline starts in the palette, so that worker processes
 * do not share a colour with the first cores and seem tied to them. */
#define MPAIO_CHART_PALETTE_WORKER_OFFSET 4

void mpaio_chart_palette_get_color (guint    index,
                                    GdkRGBA *color);

G_END_DECLS
