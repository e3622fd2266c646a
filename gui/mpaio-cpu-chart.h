/* mpaio-cpu-chart.h: a live chart of per-core CPU utilisation
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define MPAIO_TYPE_CPU_CHART (mpaio_cpu_chart_get_type ())
G_DECLARE_FINAL_TYPE (MpaioCpuChart, mpaio_cpu_chart, MPAIO, CPU_CHART, GtkWidget)

GtkWidget  *mpaio_cpu_chart_new             (void);

GListModel *mpaio_cpu_chart_get_model       (MpaioCpuChart *self);
void        mpaio_cpu_chart_set_model       (MpaioCpuChart *self,
                                             GListModel    *model);
gint64      mpaio_cpu_chart_get_time_origin (MpaioCpuChart *self);
void        mpaio_cpu_chart_set_time_origin (MpaioCpuChart *self,
                                             gint64         time_origin);
double      mpaio_cpu_chart_get_history     (MpaioCpuChart *self);
void        mpaio_cpu_chart_set_history     (MpaioCpuChart *self,
                                             double         history);
gboolean    mpaio_cpu_chart_get_show_total  (MpaioCpuChart *self);
void        mpaio_cpu_chart_set_show_total  (MpaioCpuChart *self,
                                             gboolean       show_total);
gint64      mpaio_cpu_chart_get_frozen_time (MpaioCpuChart *self);
void        mpaio_cpu_chart_set_frozen_time (MpaioCpuChart *self,
                                             gint64         frozen_time);
guint       mpaio_cpu_chart_get_n_cores     (MpaioCpuChart *self);

gint64      mpaio_cpu_chart_get_end_time    (MpaioCpuChart *self);
gboolean    mpaio_cpu_chart_get_plot_area   (MpaioCpuChart   *self,
                                             graphene_rect_t *area);

void        mpaio_cpu_chart_get_render_counts (MpaioCpuChart *self,
                                               guint         *background,
                                               guint         *lines);

cairo_surface_t *mpaio_cpu_chart_render_image (MpaioCpuChart *self,
                                               int            width,
                                               int            height);

G_END_DECLS
