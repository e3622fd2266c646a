/* monitor-run-panel.h: starts demo workloads and shows how they went
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gtk/gtk.h>
#include <mpaio.h>

/* clang-format off */
G_BEGIN_DECLS

typedef enum
{
  MONITOR_WORKLOAD_SUM,
  MONITOR_WORKLOAD_CONCAT,
  MONITOR_WORKLOAD_COMPUTE,
} MonitorWorkload;

typedef enum
{
  MONITOR_EXECUTOR_KIND_PROCESS,
  MONITOR_EXECUTOR_KIND_THREAD,
} MonitorExecutorKind;

gboolean monitor_workload_from_string      (const char        *name,
                                          MonitorWorkload     *workload);
gboolean monitor_executor_kind_from_string (const char        *name,
                                          MonitorExecutorKind *kind);

#define MONITOR_TYPE_RUN_PANEL (monitor_run_panel_get_type ())
G_DECLARE_FINAL_TYPE (MonitorRunPanel, monitor_run_panel, MONITOR, RUN_PANEL, GtkBox)

GtkWidget  *monitor_run_panel_new                    (void);

void        monitor_run_panel_set_workload           (MonitorRunPanel     *self,
                                                    MonitorWorkload      workload);
void        monitor_run_panel_set_n_rows             (MonitorRunPanel     *self,
                                                    guint64            n_rows);
void        monitor_run_panel_set_rounds             (MonitorRunPanel     *self,
                                                    guint              rounds);
void        monitor_run_panel_set_executor_kind      (MonitorRunPanel     *self,
                                                    MonitorExecutorKind  kind);
void        monitor_run_panel_set_n_workers          (MonitorRunPanel     *self,
                                                    guint              n_workers);
void        monitor_run_panel_set_n_partitions       (MonitorRunPanel     *self,
                                                    guint              n_partitions);

void        monitor_run_panel_start                  (MonitorRunPanel     *self);
void        monitor_run_panel_cancel                 (MonitorRunPanel     *self);
gboolean    monitor_run_panel_get_running            (MonitorRunPanel     *self);
const char *monitor_run_panel_get_summary            (MonitorRunPanel     *self);
gint64      monitor_run_panel_get_longest_frame_gap  (MonitorRunPanel     *self);
guint       monitor_run_panel_get_n_frames           (MonitorRunPanel     *self);
MpaioRunReport *monitor_run_panel_get_last_report    (MonitorRunPanel     *self);

G_END_DECLS
