/* mpaio-orchestrator.h: runs workers' chunks on an executor
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(MPAIO_INSIDE) && !defined(MPAIO_COMPILATION)
#error "Only <mpaio.h> can be included directly."
#endif

#include <gio/gio.h>

#include "mpaio-error-policy.h"
#include "mpaio-executor.h"
#include "mpaio-run-report.h"
#include "mpaio-worker.h"
#include "mpaio-version-macros.h"

/* clang-format off */
G_BEGIN_DECLS

#define MPAIO_TYPE_ORCHESTRATOR (mpaio_orchestrator_get_type ())

MPAIO_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MpaioOrchestrator, mpaio_orchestrator, MPAIO, ORCHESTRATOR, GObject)

MPAIO_AVAILABLE_IN_ALL
MpaioOrchestrator *mpaio_orchestrator_new               (MpaioExecutor        *executor,
                                                         MpaioWorker * const  *workers,
                                                         guint                 n_workers) G_GNUC_WARN_UNUSED_RESULT;
MPAIO_AVAILABLE_IN_ALL
void               mpaio_orchestrator_add_worker        (MpaioOrchestrator    *self,
                                                         MpaioWorker          *worker);
MPAIO_AVAILABLE_IN_ALL
MpaioExecutor     *mpaio_orchestrator_get_executor      (MpaioOrchestrator    *self);
MPAIO_AVAILABLE_IN_ALL
guint              mpaio_orchestrator_get_n_workers     (MpaioOrchestrator    *self);
MPAIO_AVAILABLE_IN_ALL
MpaioWorker       *mpaio_orchestrator_get_worker        (MpaioOrchestrator    *self,
                                                         guint                 index);
MPAIO_AVAILABLE_IN_ALL
gboolean           mpaio_orchestrator_get_ordered       (MpaioOrchestrator    *self);
MPAIO_AVAILABLE_IN_ALL
void               mpaio_orchestrator_set_ordered       (MpaioOrchestrator    *self,
                                                         gboolean              ordered);
MPAIO_AVAILABLE_IN_ALL
gboolean           mpaio_orchestrator_get_monitor_cpu_usage (MpaioOrchestrator *self);
MPAIO_AVAILABLE_IN_ALL
void               mpaio_orchestrator_set_monitor_cpu_usage (MpaioOrchestrator *self,
                                                             gboolean           monitor_cpu_usage);
MPAIO_AVAILABLE_IN_ALL
guint              mpaio_orchestrator_get_cpu_interval  (MpaioOrchestrator    *self);
MPAIO_AVAILABLE_IN_ALL
void               mpaio_orchestrator_set_cpu_interval  (MpaioOrchestrator    *self,
                                                         guint                 interval_ms);
MPAIO_AVAILABLE_IN_ALL
MpaioErrorPolicy   mpaio_orchestrator_get_error_policy  (MpaioOrchestrator    *self);
MPAIO_AVAILABLE_IN_ALL
void               mpaio_orchestrator_set_error_policy  (MpaioOrchestrator    *self,
                                                         MpaioErrorPolicy      policy);
MPAIO_AVAILABLE_IN_ALL
guint64            mpaio_orchestrator_get_n_chunks      (MpaioOrchestrator    *self);
MPAIO_AVAILABLE_IN_ALL
guint64            mpaio_orchestrator_get_n_chunks_done (MpaioOrchestrator    *self);
MPAIO_AVAILABLE_IN_ALL
gboolean           mpaio_orchestrator_get_running       (MpaioOrchestrator    *self);
MPAIO_AVAILABLE_IN_ALL
void               mpaio_orchestrator_run_async         (MpaioOrchestrator    *self,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
MPAIO_AVAILABLE_IN_ALL
MpaioRunReport    *mpaio_orchestrator_run_finish        (MpaioOrchestrator    *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);
MPAIO_AVAILABLE_IN_ALL
MpaioRunReport    *mpaio_orchestrator_get_last_report   (MpaioOrchestrator    *self);

MPAIO_AVAILABLE_IN_ALL
int                mpaio_orchestrator_get_abort_grace   (MpaioOrchestrator    *self);
MPAIO_AVAILABLE_IN_ALL
void               mpaio_orchestrator_set_abort_grace   (MpaioOrchestrator    *self,
                                                         int                   grace_ms);

G_END_DECLS
