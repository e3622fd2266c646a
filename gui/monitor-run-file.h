/* monitor-run-file.h: a watched run saved as a run file
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <mpaio.h>

/* clang-format off */
G_BEGIN_DECLS

/* Writes the library's JSON run file format (see mpaio_run_report_write_json())
 * for a run the monitor only saw over the bus: its records, in the order
 * they came, and the CPU samples of @samples (seconds from @cpu_start_us)
 * that fall within the run, or "cpu": null when there are none; with
 * @core_names (`host/core_N`, a run across hosts), the samples' columns. */
gboolean monitor_run_file_save (GFile                  *file,
                                gint64                  start_us,
                                gint64                  end_us,
                                const char *const      *workers,
                                const MpaioChunkRecord *records,
                                guint                   n_records,
                                GListModel             *samples,
                                gint64                  cpu_start_us,
                                const char *const      *core_names,
                                GError                **error);

G_END_DECLS
