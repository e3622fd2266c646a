/* mpaio-mpi-executor.h: chunks run on the hosts of an MPI job
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(MPAIO_INSIDE) && !defined(MPAIO_COMPILATION)
#error "Only <mpaio.h> can be included directly."
#endif

#include <gio/gio.h>

#include "mpaio-version-macros.h"

/* clang-format off */
G_BEGIN_DECLS

#define MPAIO_TYPE_MPI_EXECUTOR (mpaio_mpi_executor_get_type ())

MPAIO_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MpaioMpiExecutor, mpaio_mpi_executor, MPAIO, MPI_EXECUTOR, GObject)

MPAIO_AVAILABLE_IN_ALL
MpaioMpiExecutor *mpaio_mpi_executor_new                (guint              n_workers_per_host,
                                                         GError           **error)
                                                         G_GNUC_WARN_UNUSED_RESULT;
MPAIO_AVAILABLE_IN_ALL
gboolean          mpaio_mpi_executor_is_available       (void);
MPAIO_AVAILABLE_IN_ALL
guint             mpaio_mpi_executor_get_n_hosts        (MpaioMpiExecutor  *self);
MPAIO_AVAILABLE_IN_ALL
char            **mpaio_mpi_executor_get_hosts          (MpaioMpiExecutor  *self);
MPAIO_AVAILABLE_IN_ALL
guint             mpaio_mpi_executor_get_n_workers      (MpaioMpiExecutor  *self);
MPAIO_AVAILABLE_IN_ALL
guint             mpaio_mpi_executor_get_n_ranks        (MpaioMpiExecutor  *self);
MPAIO_AVAILABLE_IN_ALL
guint64           mpaio_mpi_executor_get_bytes_sent     (MpaioMpiExecutor  *self);
MPAIO_AVAILABLE_IN_ALL
guint             mpaio_mpi_executor_get_max_retries    (MpaioMpiExecutor  *self);
MPAIO_AVAILABLE_IN_ALL
void              mpaio_mpi_executor_set_max_retries    (MpaioMpiExecutor  *self,
                                                         guint              max_retries);
MPAIO_AVAILABLE_IN_ALL
guint             mpaio_mpi_executor_get_chunk_timeout  (MpaioMpiExecutor  *self);
MPAIO_AVAILABLE_IN_ALL
void              mpaio_mpi_executor_set_chunk_timeout  (MpaioMpiExecutor  *self,
                                                         guint              timeout_ms);

G_END_DECLS
