/* monitor-csv-render.h: draws a chart from a CSV of CPU samples, headless
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

/* clang-format off */
G_BEGIN_DECLS

GListModel *monitor_csv_render_load      (const char  *contents,
                                        gsize        length,
                                        guint       *n_cores,
                                        GError     **error);
gboolean    monitor_csv_render_to_png    (const char  *csv_path,
                                        const char  *png_path,
                                        int          width,
                                        int          height,
                                        GError     **error);

G_END_DECLS
