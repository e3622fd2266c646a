/* monitor-window.h: the monitor's main window
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "monitor-program-watcher.h"
#include "monitor-run.h"
#include "monitor-chunk-timeline.h"
#include "monitor-cpu-chart.h"
#include "monitor-run-panel.h"

/* clang-format off */
G_BEGIN_DECLS

#define MONITOR_TYPE_WINDOW (monitor_window_get_type ())
G_DECLARE_FINAL_TYPE (MonitorWindow, monitor_window, MONITOR, WINDOW,
                      GtkApplicationWindow)

MonitorWindow *monitor_window_new               (GtkApplication     *application,
                                                            guint               interval_ms,
                                                            guint               history_s);
MonitorRunPanel      *monitor_window_get_run_panel     (MonitorWindow *self);
MpaioCpuMonitor    *monitor_window_get_cpu_monitor   (MonitorWindow *self);
MonitorCpuChart      *monitor_window_get_chart         (MonitorWindow *self);
MonitorChunkTimeline *monitor_window_get_timeline      (MonitorWindow *self);
void                monitor_window_watch             (MonitorWindow    *self,
                                                            MonitorProgramWatcher *watcher);
void                monitor_window_show_span         (MonitorWindow *self,
                                                            gint64              start_us,
                                                            gint64              end_us);
GtkListBox         *monitor_window_get_program_list  (MonitorWindow *self);
GListModel         *monitor_window_get_runs          (MonitorWindow *self);
MonitorRun         *monitor_window_get_selected_run  (MonitorWindow *self);
void                monitor_window_select_run        (MonitorWindow *self,
                                                            guint               index);
gboolean            monitor_window_open_run_file     (MonitorWindow *self,
                                                            GFile              *file,
                                                            GError            **error);
gboolean            monitor_window_save_run          (MonitorWindow *self,
                                                            MonitorRun         *run,
                                                            GFile              *file,
                                                            GError            **error);
gboolean            monitor_window_save_screenshot   (MonitorWindow *self,
                                                            const char         *path,
                                                            GError            **error);

G_END_DECLS
