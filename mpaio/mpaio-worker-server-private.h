/* mpaio-worker-server-private.h: the loop of a worker process
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

/* clang-format off */
G_BEGIN_DECLS

/* Serves the pool on the socket @fd until the pool closes it (TRUE) or sends
 * something malformed (FALSE, after saying why on stderr). Takes @fd, and
 * @status_fd, the process's status page (-1: none). */
gboolean _mpaio_worker_server_run (int fd,
                                   int status_fd);
/* Whether the chunk this process runs now belongs to a run that was
 * cancelled; FALSE outside a worker process. */
gboolean _mpaio_worker_server_is_cancelled (void);

G_END_DECLS
