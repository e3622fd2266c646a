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

/**
 * MpaioCloseFlags:
 * @MPAIO_CLOSE_NONE: chunks not sent to a process yet fail with
 *   %G_IO_ERROR_CLOSED; those sent finish
 * @MPAIO_CLOSE_DRAIN: every chunk submitted before the close still runs
 * @MPAIO_CLOSE_ABORT: the processes are killed at once; every chunk the
 *   pool holds fails with %G_IO_ERROR_CLOSED (overrides %MPAIO_CLOSE_DRAIN)
 *
 * What [method@Mpaio.ProcessPool.close_async] does with the chunks the pool
 * holds.
 *
 * Since: 0.1
 */
typedef enum /*< flags >*/
{
  MPAIO_CLOSE_NONE  = 0,
  MPAIO_CLOSE_DRAIN = 1 << 0,
  MPAIO_CLOSE_ABORT = 1 << 1,
} MpaioCloseFlags;

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
guint             mpaio_process_pool_get_startup_timeout (MpaioProcessPool *self);
MPAIO_AVAILABLE_IN_ALL
void              mpaio_process_pool_set_startup_timeout (MpaioProcessPool *self,
                                                          guint             timeout_ms);
MPAIO_AVAILABLE_IN_ALL
void              mpaio_process_pool_close_async     (MpaioProcessPool   *self,
                                                      MpaioCloseFlags     flags,
                                                      GCancellable       *cancellable,
                                                      GAsyncReadyCallback callback,
                                                      gpointer            user_data);
MPAIO_AVAILABLE_IN_ALL
gboolean          mpaio_process_pool_close_finish    (MpaioProcessPool   *self,
                                                      GAsyncResult       *result,
                                                      GError            **error);
MPAIO_AVAILABLE_IN_ALL
GPid             *mpaio_process_pool_get_pids       (MpaioProcessPool   *self,
                                                     guint              *n_pids);

G_END_DECLS
