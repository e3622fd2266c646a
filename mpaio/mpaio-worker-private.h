/* mpaio-worker-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "mpaio-worker.h"
#include "mpaio-worker-parameters-private.h"

/* clang-format off */
G_BEGIN_DECLS

/* The worker's parameters, serialized as mpaio-worker-parameters-private.h
 * says, and (optional, transfer full) the shared arrays among them; NULL
 * with @error set when a property cannot travel. */
GVariant    *_mpaio_worker_dup_parameters    (MpaioWorker       *self,
                                              GPtrArray        **arrays,
                                              GError           **error);
/* Bumped whenever a parameter changes, so executors know when a copy of the
 * worker in another process is stale. */
guint        _mpaio_worker_get_generation    (MpaioWorker       *self);
/* mpaio_worker_get_array() without its check, for per-chunk paths. */
MpaioSharedArray *_mpaio_worker_peek_array   (MpaioWorker       *self);
/* Re-creates a worker in a worker process from its type name and parameters,
 * processing @array; @lookup_array finds the arrays among the parameters. */
MpaioWorker *_mpaio_worker_new_for_process   (const char            *type_name,
                                              GVariant              *parameters,
                                              MpaioSharedArray      *array,
                                              MpaioArrayLookupFunc   lookup_array,
                                              gpointer               user_data,
                                              GError               **error);

/* The error mpaio_worker_fail_run() left, if any (transfer full); the run
 * that delivered a result takes it once the callback returns. */
GError      *_mpaio_worker_take_run_error    (MpaioWorker       *self);

G_END_DECLS
