/* monitor-workers.h: the demo workloads mpaio-monitor runs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <mpaio.h>

G_BEGIN_DECLS

#define MONITOR_TYPE_SUM_WORKER (monitor_sum_worker_get_type ())
G_DECLARE_FINAL_TYPE (MonitorSumWorker, monitor_sum_worker, MONITOR, SUM_WORKER, MpaioWorker)

#define MONITOR_TYPE_CONCAT_WORKER (monitor_concat_worker_get_type ())
G_DECLARE_FINAL_TYPE (MonitorConcatWorker, monitor_concat_worker, MONITOR, CONCAT_WORKER,
                      MpaioWorker)

#define MONITOR_TYPE_COMPUTE_WORKER (monitor_compute_worker_get_type ())
G_DECLARE_FINAL_TYPE (MonitorComputeWorker, monitor_compute_worker, MONITOR, COMPUTE_WORKER,
                      MpaioWorker)

/* Width of one item of the string arrays the concat workload uses. */
#define MONITOR_STRING_ITEM_SIZE 16

void        monitor_workers_ensure_types    (void);

guint64     monitor_sum_worker_get_total    (MonitorSumWorker     *self);

const char *monitor_concat_worker_get_result (MonitorConcatWorker *self);
gsize       monitor_concat_worker_get_length (MonitorConcatWorker *self);

guint       monitor_compute_worker_get_rounds   (MonitorComputeWorker *self);
guint64     monitor_compute_worker_get_checksum (MonitorComputeWorker *self);

G_END_DECLS
