/* mpaio.h: parallel processing of shared arrays with worker processes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#define MPAIO_INSIDE
#include "mpaio-version.h"
#include "mpaio-version-macros.h"
#include "mpaio-enum-types.h"
#include "mpaio-error.h"
#include "mpaio-error-policy.h"
#include "mpaio-dtype.h"
#include "mpaio-init.h"
#include "mpaio-monitoring.h"
#include "mpaio-chunk.h"
#include "mpaio-chunk-record.h"
#include "mpaio-shared-array.h"
#include "mpaio-data-iterator.h"
#include "mpaio-worker.h"
#include "mpaio-executor.h"
#include "mpaio-process-pool.h"
#include "mpaio-thread-pool.h"
#include "mpaio-mpi-executor.h"
#include "mpaio-run-report.h"
#include "mpaio-orchestrator.h"
#include "mpaio-cpu-sample.h"
#include "mpaio-cpu-monitor.h"
#include "mpaio-platform.h"
#undef MPAIO_INSIDE
