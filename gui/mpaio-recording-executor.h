/* mpaio-recording-executor.h: an executor that reports each chunk as it goes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <mpaio.h>

G_BEGIN_DECLS

#define MPAIO_TYPE_RECORDING_EXECUTOR (mpaio_recording_executor_get_type ())
G_DECLARE_FINAL_TYPE (MpaioRecordingExecutor, mpaio_recording_executor, MPAIO,
                      RECORDING_EXECUTOR, GObject)

MpaioRecordingExecutor *mpaio_recording_executor_new       (MpaioExecutor          *inner);
MpaioExecutor          *mpaio_recording_executor_get_inner (MpaioRecordingExecutor *self);

G_END_DECLS
