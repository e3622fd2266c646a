/* mpaio-mpi-executor-private.h: what the orchestrator asks of an MPI executor
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "mpaio-mpi-executor.h"
#include "mpaio-run-report.h"

/* clang-format off */
G_BEGIN_DECLS

/* A run with CPU monitoring starts: every other host samples its CPU too,
 * every @interval_ms, until the last monitored run finishes. */
void _mpaio_mpi_executor_start_cpu_monitoring  (MpaioMpiExecutor *self,
                                                guint             interval_ms);
/* A monitored run ended, @report holding rank 0's samples: they become
 * samples of every host's cores, named `host/core_N`. */
void _mpaio_mpi_executor_finish_cpu_monitoring (MpaioMpiExecutor *self,
                                                MpaioRunReport   *report);

G_END_DECLS
