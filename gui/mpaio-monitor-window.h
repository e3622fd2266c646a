/* mpaio-monitor-window.h: the monitor's main window
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "monitor-program-watcher.h"
#include "monitor-run.h"
#include "mpaio-chunk-timeline.h"
#include "mpaio-cpu-chart.h"
#include "mpaio-run-panel.h"

G_BEGIN_DECLS

#define MPAIO_TYPE_MONITOR_WINDOW (mpaio_monitor_window_get_type ())
G_DECLARE_FINAL_TYPE (MpaioMonitorWindow, mpaio_monitor_window, MPAIO, MONITOR_WINDOW,
                      GtkApplicationWindow)

MpaioMonitorWindow *mpaio_monitor_window_new               (GtkApplication     *application,
                                                            guint               interval_ms,
                                                            guint               history_s);
MpaioRunPanel      *mpaio_monitor_window_get_run_panel     (MpaioMonitorWindow *self);
MpaioCpuMonitor    *mpaio_monitor_window_get_cpu_monitor   (MpaioMonitorWindow *self);
MpaioCpuChart      *mpaio_monitor_window_get_chart         (MpaioMonitorWindow *self);
MpaioChunkTimeline *mpaio_monitor_window_get_timeline      (MpaioMonitorWindow *self);
void                mpaio_monitor_window_watch             (MpaioMonitorWindow    *self,
                                                            MonitorProgramWatcher *watcher);
void                mpaio_monitor_window_show_span         (MpaioMonitorWindow *self,
                                                            gint64              start_us,
                                                            gint64              end_us);
GtkListBox         *mpaio_monitor_window_get_program_list  (MpaioMonitorWindow *self);
GListModel         *mpaio_monitor_window_get_runs          (MpaioMonitorWindow *self);
MonitorRun         *mpaio_monitor_window_get_selected_run  (MpaioMonitorWindow *self);
void                mpaio_monitor_window_select_run        (MpaioMonitorWindow *self,
                                                            guint               index);
gboolean            mpaio_monitor_window_open_run_file     (MpaioMonitorWindow *self,
                                                            GFile              *file,
                                                            GError            **error);
gboolean            mpaio_monitor_window_save_screenshot   (MpaioMonitorWindow *self,
                                                            const char         *path,
                                                            GError            **error);

G_END_DECLS
