/* mpaio-error.h: the MPAIO_ERROR domain
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(MPAIO_INSIDE) && !defined(MPAIO_COMPILATION)
#error "Only <mpaio.h> can be included directly."
#endif

#include <glib.h>

#include "mpaio-version-macros.h"

/* clang-format off */
G_BEGIN_DECLS

/**
 * MPAIO_ERROR:
 *
 * The error domain of mpaio. Errors in this domain are from [error@Mpaio.Error].
 */
#define MPAIO_ERROR (mpaio_error_quark ())

/**
 * MpaioError:
 * @MPAIO_ERROR_INVALID_ARGUMENT: an argument is out of range or inconsistent
 *   (a chunk size of 0, a row range outside the array, no workers, ...)
 * @MPAIO_ERROR_NO_MEMORY: shared memory of the requested size could not be created or mapped
 * @MPAIO_ERROR_WORKER_FAILED: a worker's `process` failed without an error of its own (it
 *   returned %NULL without setting one, or a binding's exception), or with an error whose
 *   domain the main process does not know; the message is the worker's
 * @MPAIO_ERROR_WORKER_CRASHED: a worker process died while it held a chunk
 * @MPAIO_ERROR_UNKNOWN_WORKER_TYPE: the worker's type is not registered in the worker process
 * @MPAIO_ERROR_PROTOCOL: a worker process sent a malformed or unexpected message
 * @MPAIO_ERROR_SPAWN_FAILED: a worker process could not be started
 * @MPAIO_ERROR_TIMED_OUT: a chunk took longer than allowed
 *
 * Error codes of the `MPAIO_ERROR` domain. A cancelled operation reports
 * `G_IO_ERROR_CANCELLED` instead. An error a worker's `process` sets
 * reaches the caller of a run with its own domain and code, not as one of
 * these.
 *
 * Since: 0.1
 */
typedef enum
{
  MPAIO_ERROR_INVALID_ARGUMENT,
  MPAIO_ERROR_NO_MEMORY,
  MPAIO_ERROR_WORKER_FAILED,
  MPAIO_ERROR_WORKER_CRASHED,
  MPAIO_ERROR_UNKNOWN_WORKER_TYPE,
  MPAIO_ERROR_PROTOCOL,
  MPAIO_ERROR_SPAWN_FAILED,
  MPAIO_ERROR_TIMED_OUT,
} MpaioError;

MPAIO_AVAILABLE_IN_ALL
GQuark mpaio_error_quark (void);

G_END_DECLS
