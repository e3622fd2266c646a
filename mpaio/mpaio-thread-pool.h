/* mpaio-thread-pool.h: workers on threads of the main process
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

#define MPAIO_TYPE_THREAD_POOL (mpaio_thread_pool_get_type ())

MPAIO_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MpaioThreadPool, mpaio_thread_pool, MPAIO, THREAD_POOL, GObject)

MPAIO_AVAILABLE_IN_ALL
MpaioThreadPool *mpaio_thread_pool_new           (guint             n_workers,
                                                  GError          **error) G_GNUC_WARN_UNUSED_RESULT;
MPAIO_AVAILABLE_IN_ALL
guint            mpaio_thread_pool_get_n_workers (MpaioThreadPool  *self);

G_END_DECLS
