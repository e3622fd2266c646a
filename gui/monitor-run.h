/* monitor-run.h: one run the monitor has seen, kept for the session
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <mpaio.h>

/* clang-format off */
G_BEGIN_DECLS

#define MONITOR_TYPE_RUN (monitor_run_get_type ())
G_DECLARE_FINAL_TYPE (MonitorRun, monitor_run, MONITOR, RUN, GObject)

/* A run of the demo panel, of a watched program, or loaded from a file.
 * Its span of time is what the window fits to when it is selected; a
 * loaded run brings its own CPU samples. */
MonitorRun *monitor_run_new (const char *title, gint64 start_us);
MonitorRun *monitor_run_new_from_report (const char *title, MpaioRunReport *report);

const char     *monitor_run_get_title (MonitorRun *self);
const char     *monitor_run_get_state (MonitorRun *self);
gint64          monitor_run_get_start_us (MonitorRun *self);
gint64          monitor_run_get_end_us (MonitorRun *self);
gboolean        monitor_run_get_running (MonitorRun *self);
MpaioRunReport *monitor_run_get_report (MonitorRun *self);
gboolean        monitor_run_get_from_file (MonitorRun *self);

void
monitor_run_finish (MonitorRun *self, gint64 end_us, const char *state, MpaioRunReport *report);

/* A watched run has no report here: it keeps the records the feed brought,
 * to be saved. */
void  monitor_run_set_workers (MonitorRun *self, const char *const *workers);
void  monitor_run_add_records (MonitorRun *self, const MpaioChunkRecord *records, guint n_records);
guint monitor_run_get_n_records (MonitorRun *self);
guint monitor_run_count_outcome (MonitorRun *self, MpaioChunkOutcome outcome);

/* A watched run across hosts brings the samples of every host's cores, in
 * the columns @core_names (`host/core_N`), seconds from @cpu_start_us;
 * batches are numbered from the run's first sample. */
void        monitor_run_set_cpu_columns (MonitorRun        *self,
                                         gint64             cpu_start_us,
                                         const char *const *core_names);
void        monitor_run_add_cpu_samples (MonitorRun        *self,
                                         guint              first,
                                         GPtrArray         *samples);
/* The run's own CPU samples (a loaded run's, or a watched run's across
 * hosts), their origin and their columns' names (NULL: this machine's
 * cores); NULL when the machine's samples, taken here, are the run's. */
GListModel *monitor_run_get_cpu_samples (MonitorRun         *self,
                                         gint64             *cpu_start_us,
                                         const char *const **core_names);

gboolean monitor_run_get_can_save (MonitorRun *self);
/* Its report's run file, or for a watched run one of its records and of
 * the CPU samples of @samples (seconds from @cpu_start_us) during it, or
 * of its own samples when it has some. */
gboolean monitor_run_save (MonitorRun *self,
                           GFile      *file,
                           GListModel *samples,
                           gint64      cpu_start_us,
                           GError    **error);

G_END_DECLS
