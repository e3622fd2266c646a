/* mpaio-cpu-monitor.h: per-core CPU utilisation sampled on a main loop
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(MPAIO_INSIDE) && !defined(MPAIO_COMPILATION)
#error "Only <mpaio.h> can be included directly."
#endif

#include <gio/gio.h>

#include "mpaio-cpu-sample.h"
#include "mpaio-version-macros.h"

/* clang-format off */
G_BEGIN_DECLS

#define MPAIO_TYPE_CPU_MONITOR (mpaio_cpu_monitor_get_type ())

MPAIO_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MpaioCpuMonitor, mpaio_cpu_monitor, MPAIO, CPU_MONITOR, GObject)

MPAIO_AVAILABLE_IN_ALL
MpaioCpuMonitor *mpaio_cpu_monitor_new               (void) G_GNUC_WARN_UNUSED_RESULT;
MPAIO_AVAILABLE_IN_ALL
guint            mpaio_cpu_monitor_get_interval      (MpaioCpuMonitor *self);
MPAIO_AVAILABLE_IN_ALL
void             mpaio_cpu_monitor_set_interval      (MpaioCpuMonitor *self,
                                                      guint            interval);
MPAIO_AVAILABLE_IN_ALL
guint            mpaio_cpu_monitor_get_max_samples   (MpaioCpuMonitor *self);
MPAIO_AVAILABLE_IN_ALL
void             mpaio_cpu_monitor_set_max_samples   (MpaioCpuMonitor *self,
                                                      guint            max_samples);
MPAIO_AVAILABLE_IN_ALL
guint            mpaio_cpu_monitor_get_n_cores       (MpaioCpuMonitor *self);
MPAIO_AVAILABLE_IN_ALL
gboolean         mpaio_cpu_monitor_get_running       (MpaioCpuMonitor *self);
MPAIO_AVAILABLE_IN_ALL
gint64           mpaio_cpu_monitor_get_start_time    (MpaioCpuMonitor *self);
MPAIO_AVAILABLE_IN_ALL
void             mpaio_cpu_monitor_start             (MpaioCpuMonitor *self);
MPAIO_AVAILABLE_IN_ALL
void             mpaio_cpu_monitor_stop              (MpaioCpuMonitor *self);
MPAIO_AVAILABLE_IN_ALL
void             mpaio_cpu_monitor_clear             (MpaioCpuMonitor *self);
MPAIO_AVAILABLE_IN_ALL
GListModel      *mpaio_cpu_monitor_get_samples       (MpaioCpuMonitor *self);
MPAIO_AVAILABLE_IN_ALL
gboolean         mpaio_cpu_monitor_write_csv         (MpaioCpuMonitor *self,
                                                      GOutputStream   *stream,
                                                      GCancellable    *cancellable,
                                                      GError         **error);
MPAIO_AVAILABLE_IN_ALL
gboolean         mpaio_cpu_monitor_write_csv_to_file (MpaioCpuMonitor *self,
                                                      GFile           *file,
                                                      GCancellable    *cancellable,
                                                      GError         **error);

G_END_DECLS
