/* monitor-recording-executor.h: an executor that reports each chunk as it goes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <mpaio.h>

/* clang-format off */
G_BEGIN_DECLS

#define MONITOR_TYPE_RECORDING_EXECUTOR (monitor_recording_executor_get_type ())
G_DECLARE_FINAL_TYPE (MonitorRecordingExecutor, monitor_recording_executor, MONITOR,
                      RECORDING_EXECUTOR, GObject)

MonitorRecordingExecutor *monitor_recording_executor_new       (MpaioExecutor          *inner);
MpaioExecutor          *monitor_recording_executor_get_inner (MonitorRecordingExecutor *self);

G_END_DECLS
