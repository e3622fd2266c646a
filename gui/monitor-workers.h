/* monitor-workers.h: the demo workloads mpaio-monitor runs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <mpaio.h>

/* The sum and concat workloads: mpaio-demo's workers. */
#include "demo-add-int-worker.h"
#include "demo-concat-str-worker.h"

/* clang-format off */
G_BEGIN_DECLS

#define MONITOR_TYPE_COMPUTE_WORKER (monitor_compute_worker_get_type ())
G_DECLARE_FINAL_TYPE (MonitorComputeWorker, monitor_compute_worker, MONITOR, COMPUTE_WORKER,
                      MpaioWorker)

/* Width of one item of the string arrays the concat workload uses. */
#define MONITOR_STRING_ITEM_SIZE 16

/* Registers the sum, concat and compute worker types. */
void        monitor_workers_ensure_types        (void);

guint       monitor_compute_worker_get_rounds   (MonitorComputeWorker *self);
guint64     monitor_compute_worker_get_checksum (MonitorComputeWorker *self);

G_END_DECLS
