/* mpaio-run-report.h: what happened during one orchestrator run
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(MPAIO_INSIDE) && !defined(MPAIO_COMPILATION)
#error "Only <mpaio.h> can be included directly."
#endif

#include <gio/gio.h>

#include "mpaio-chunk-record.h"
#include "mpaio-version-macros.h"

/* clang-format off */
G_BEGIN_DECLS

#define MPAIO_TYPE_RUN_REPORT (mpaio_run_report_get_type ())

MPAIO_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MpaioRunReport, mpaio_run_report, MPAIO, RUN_REPORT, GObject)

MPAIO_AVAILABLE_IN_ALL
gdouble                 mpaio_run_report_get_wall_time  (MpaioRunReport *self);
MPAIO_AVAILABLE_IN_ALL
gint64                  mpaio_run_report_get_start_time (MpaioRunReport *self);
MPAIO_AVAILABLE_IN_ALL
gint64                  mpaio_run_report_get_end_time   (MpaioRunReport *self);
MPAIO_AVAILABLE_IN_ALL
guint                   mpaio_run_report_get_n_records  (MpaioRunReport *self);
MPAIO_AVAILABLE_IN_ALL
const MpaioChunkRecord *mpaio_run_report_get_record     (MpaioRunReport *self,
                                                         guint           index);
MPAIO_AVAILABLE_IN_ALL
guint                   mpaio_run_report_count_outcome  (MpaioRunReport    *self,
                                                         MpaioChunkOutcome  outcome);
MPAIO_AVAILABLE_IN_ALL
GListModel             *mpaio_run_report_get_cpu_samples    (MpaioRunReport *self);
MPAIO_AVAILABLE_IN_ALL
gint64                  mpaio_run_report_get_cpu_start_time (MpaioRunReport *self);
MPAIO_AVAILABLE_IN_ALL
const char *const      *mpaio_run_report_get_cpu_core_names (MpaioRunReport *self);
MPAIO_AVAILABLE_IN_ALL
gboolean                mpaio_run_report_write_cpu_csv      (MpaioRunReport  *self,
                                                             GOutputStream   *stream,
                                                             GCancellable    *cancellable,
                                                             GError         **error);
MPAIO_AVAILABLE_IN_ALL
const char *const      *mpaio_run_report_get_worker_names   (MpaioRunReport  *self);

MPAIO_AVAILABLE_IN_ALL
MpaioRunReport         *mpaio_run_report_new_from_file      (GFile           *file,
                                                             GCancellable    *cancellable,
                                                             GError         **error);
MPAIO_AVAILABLE_IN_ALL
gboolean                mpaio_run_report_save_to_file       (MpaioRunReport  *self,
                                                             GFile           *file,
                                                             GCancellable    *cancellable,
                                                             GError         **error);
MPAIO_AVAILABLE_IN_ALL
gboolean                mpaio_run_report_write_json         (MpaioRunReport  *self,
                                                             GOutputStream   *stream,
                                                             GCancellable    *cancellable,
                                                             GError         **error);

G_END_DECLS
