/* monitor-cpu-chart.h: a live chart of per-core CPU utilisation
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gtk/gtk.h>

/* clang-format off */
G_BEGIN_DECLS

#define MONITOR_TYPE_CPU_CHART (monitor_cpu_chart_get_type ())
G_DECLARE_FINAL_TYPE (MonitorCpuChart, monitor_cpu_chart, MONITOR, CPU_CHART, GtkWidget)

GtkWidget  *monitor_cpu_chart_new             (void);

GListModel *monitor_cpu_chart_get_model       (MonitorCpuChart *self);
void        monitor_cpu_chart_set_model       (MonitorCpuChart *self,
                                             GListModel    *model);
gint64      monitor_cpu_chart_get_time_origin (MonitorCpuChart *self);
void        monitor_cpu_chart_set_time_origin (MonitorCpuChart *self,
                                             gint64         time_origin);
double      monitor_cpu_chart_get_history     (MonitorCpuChart *self);
void        monitor_cpu_chart_set_history     (MonitorCpuChart *self,
                                             double         history);
gboolean    monitor_cpu_chart_get_show_total  (MonitorCpuChart *self);
void        monitor_cpu_chart_set_show_total  (MonitorCpuChart *self,
                                             gboolean       show_total);
gboolean    monitor_cpu_chart_get_stacked   (MonitorCpuChart *self);
void        monitor_cpu_chart_set_stacked   (MonitorCpuChart *self,
                                             gboolean         stacked);
gint64      monitor_cpu_chart_get_frozen_time (MonitorCpuChart *self);
void        monitor_cpu_chart_set_frozen_time (MonitorCpuChart *self,
                                             gint64         frozen_time);
guint       monitor_cpu_chart_get_n_cores     (MonitorCpuChart *self);
void        monitor_cpu_chart_set_core_names  (MonitorCpuChart   *self,
                                             const char *const *core_names);
const char *const *monitor_cpu_chart_get_core_names (MonitorCpuChart *self);

gint64      monitor_cpu_chart_get_end_time    (MonitorCpuChart *self);
gboolean    monitor_cpu_chart_get_plot_area   (MonitorCpuChart   *self,
                                             graphene_rect_t *area);

void        monitor_cpu_chart_get_render_counts (MonitorCpuChart *self,
                                               guint         *background,
                                               guint         *lines);

cairo_surface_t *monitor_cpu_chart_render_image (MonitorCpuChart *self,
                                               int            width,
                                               int            height);

G_END_DECLS
