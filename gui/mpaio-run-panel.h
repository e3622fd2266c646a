/* mpaio-run-panel.h: starts demo workloads and shows how they went
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gtk/gtk.h>
#include <mpaio.h>

G_BEGIN_DECLS

typedef enum
{
  MPAIO_WORKLOAD_SUM,
  MPAIO_WORKLOAD_CONCAT,
  MPAIO_WORKLOAD_COMPUTE,
} MpaioWorkload;

typedef enum
{
  MPAIO_EXECUTOR_KIND_PROCESS,
  MPAIO_EXECUTOR_KIND_THREAD,
} MpaioExecutorKind;

gboolean mpaio_workload_from_string      (const char        *name,
                                          MpaioWorkload     *workload);
gboolean mpaio_executor_kind_from_string (const char        *name,
                                          MpaioExecutorKind *kind);

#define MPAIO_TYPE_RUN_PANEL (mpaio_run_panel_get_type ())
G_DECLARE_FINAL_TYPE (MpaioRunPanel, mpaio_run_panel, MPAIO, RUN_PANEL, GtkBox)

GtkWidget  *mpaio_run_panel_new                    (void);

void        mpaio_run_panel_set_workload           (MpaioRunPanel     *self,
                                                    MpaioWorkload      workload);
void        mpaio_run_panel_set_n_rows             (MpaioRunPanel     *self,
                                                    guint64            n_rows);
void        mpaio_run_panel_set_rounds             (MpaioRunPanel     *self,
                                                    guint              rounds);
void        mpaio_run_panel_set_executor_kind      (MpaioRunPanel     *self,
                                                    MpaioExecutorKind  kind);
void        mpaio_run_panel_set_n_workers          (MpaioRunPanel     *self,
                                                    guint              n_workers);
void        mpaio_run_panel_set_n_partitions       (MpaioRunPanel     *self,
                                                    guint              n_partitions);

void        mpaio_run_panel_start                  (MpaioRunPanel     *self);
void        mpaio_run_panel_cancel                 (MpaioRunPanel     *self);
gboolean    mpaio_run_panel_get_running            (MpaioRunPanel     *self);
const char *mpaio_run_panel_get_summary            (MpaioRunPanel     *self);
gint64      mpaio_run_panel_get_longest_frame_gap  (MpaioRunPanel     *self);
guint       mpaio_run_panel_get_n_frames           (MpaioRunPanel     *self);
MpaioRunReport *mpaio_run_panel_get_last_report    (MpaioRunPanel     *self);

G_END_DECLS
