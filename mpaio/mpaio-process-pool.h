/* mpaio-process-pool.h: persistent worker processes
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

#define MPAIO_TYPE_PROCESS_POOL (mpaio_process_pool_get_type ())

MPAIO_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MpaioProcessPool, mpaio_process_pool, MPAIO, PROCESS_POOL, GObject)

MPAIO_AVAILABLE_IN_ALL
MpaioProcessPool *mpaio_process_pool_new            (guint               n_workers,
                                                     GError            **error) G_GNUC_WARN_UNUSED_RESULT;
MPAIO_AVAILABLE_IN_ALL
MpaioProcessPool *mpaio_process_pool_new_with_argv  (guint               n_workers,
                                                     const char * const *argv,
                                                     GError            **error) G_GNUC_WARN_UNUSED_RESULT;
MPAIO_AVAILABLE_IN_ALL
guint             mpaio_process_pool_get_n_workers  (MpaioProcessPool   *self);
MPAIO_AVAILABLE_IN_ALL
guint             mpaio_process_pool_get_max_in_flight_per_worker (MpaioProcessPool *self);
MPAIO_AVAILABLE_IN_ALL
guint             mpaio_process_pool_get_max_retries   (MpaioProcessPool *self);
MPAIO_AVAILABLE_IN_ALL
void              mpaio_process_pool_set_max_retries   (MpaioProcessPool *self,
                                                        guint             max_retries);
MPAIO_AVAILABLE_IN_ALL
guint             mpaio_process_pool_get_chunk_timeout (MpaioProcessPool *self);
MPAIO_AVAILABLE_IN_ALL
void              mpaio_process_pool_set_chunk_timeout (MpaioProcessPool *self,
                                                        guint             timeout_ms);
MPAIO_AVAILABLE_IN_ALL
int               mpaio_process_pool_get_io_priority   (MpaioProcessPool *self);
MPAIO_AVAILABLE_IN_ALL
void              mpaio_process_pool_set_io_priority   (MpaioProcessPool *self,
                                                        int               io_priority);
MPAIO_AVAILABLE_IN_ALL
GPid             *mpaio_process_pool_get_pids       (MpaioProcessPool   *self,
                                                     guint              *n_pids);

G_END_DECLS
