/* monitor-run-render.h: a saved run drawn to PNG, with no display
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <cairo.h>
#include <mpaio.h>

#include "monitor-lane-layout.h"

/* clang-format off */
G_BEGIN_DECLS

/* The CPU chart over the chunk timeline, both on the run's time axis. */
cairo_surface_t *monitor_run_render_image (MpaioRunReport *report, int width, int height);
char            *monitor_run_render_get_row_label (MonitorLaneLayout *lanes, guint row);
gboolean         monitor_run_render_to_png (
            const char *run_path, const char *png_path, int width, int height, GError **error);

G_END_DECLS
