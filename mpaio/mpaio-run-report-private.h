/* mpaio-run-report-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "mpaio-run-report.h"

/* clang-format off */
G_BEGIN_DECLS

/* Records are appended by the orchestrator as chunks come back; @n_expected
 * sizes the storage once so the hot path never reallocates. */
MpaioRunReport *_mpaio_run_report_new        (gint64                  start_time,
                                              guint                   n_expected);
void            _mpaio_run_report_add_record (MpaioRunReport         *self,
                                              const MpaioChunkRecord *record);
void            _mpaio_run_report_set_end    (MpaioRunReport         *self,
                                              gint64                  end_time);
void            _mpaio_run_report_set_outcome (MpaioRunReport        *self,
                                               guint                  index,
                                               MpaioChunkOutcome      outcome);
/* The records so far, valid until the next one is added. */
const MpaioChunkRecord *_mpaio_run_report_peek_records (MpaioRunReport *self,
                                                        guint          *n_records);
/* The indexes of the records _mpaio_run_report_set_outcome() changed, in
 * the order it did (an index may come more than once). */
const guint            *_mpaio_run_report_peek_changed_outcomes (MpaioRunReport *self,
                                                                 guint          *n_changed);

void            _mpaio_run_report_set_cpu_samples (MpaioRunReport *self,
                                                   GListModel     *samples,
                                                   gint64          start_time,
                                                   guint           n_cores);

void            _mpaio_run_report_set_worker_names (MpaioRunReport    *self,
                                                    const char *const *names);
guint           _mpaio_run_report_get_n_cores      (MpaioRunReport    *self);
void            _mpaio_run_report_set_cpu_core_names (MpaioRunReport    *self,
                                                      const char *const *names);

G_END_DECLS
