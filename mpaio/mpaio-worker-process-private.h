/* mpaio-worker-process-private.h: the pool's end of one worker process
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "mpaio-protocol-private.h"
#include "mpaio-status-page-private.h"

/* clang-format off */
G_BEGIN_DECLS

typedef struct _MpaioWorkerProcess MpaioWorkerProcess;

typedef struct
{
  /* Keep the owner alive while its callbacks run: a result handed on may
   * drop what was the last reference to it. */
  gpointer (*hold)    (gpointer            user_data);
  void     (*release) (gpointer            user_data);
  /* One frame from the process; FALSE if it is a protocol error, which ends
   * the process with @error as the reason. */
  gboolean (*frame)   (MpaioWorkerProcess *process,
                       const MpaioFrame   *frame,
                       gpointer            user_data,
                       GError            **error);
  /* After each batch of frames read in one wake-up. */
  void     (*drained) (MpaioWorkerProcess *process,
                       gpointer            user_data);
  /* Once, when the process is gone and reaped; @reason says how it ended. */
  void     (*exited)  (MpaioWorkerProcess *process,
                       const GError       *reason,
                       gpointer            user_data);
} MpaioWorkerProcessCallbacks;

MpaioWorkerProcess *_mpaio_worker_process_spawn      (const char * const                *argv,
                                                      const char                        *cwd,
                                                      int                                priority,
                                                      const MpaioWorkerProcessCallbacks *callbacks,
                                                      gpointer                           user_data,
                                                      GError                           **error);
/* Closes its socket; a process not reported as exited yet is the caller's
 * to wait for (by its pid): nothing watches it any more. */
void                _mpaio_worker_process_free       (MpaioWorkerProcess *self);
GPid                _mpaio_worker_process_get_pid    (MpaioWorkerProcess *self);
/* What the process is running, stamped by itself. */
MpaioStatusPage    *_mpaio_worker_process_get_status_page (MpaioWorkerProcess *self);
void                _mpaio_worker_process_set_priority (MpaioWorkerProcess *self,
                                                        int                 priority);
gboolean            _mpaio_worker_process_get_ready  (MpaioWorkerProcess *self);
gint64              _mpaio_worker_process_get_received_time (MpaioWorkerProcess *self);
/* Once exited: TRUE for an exit, FALSE for a death by signal. */
gboolean            _mpaio_worker_process_get_exited (MpaioWorkerProcess *self);
void                _mpaio_worker_process_set_ready  (MpaioWorkerProcess *self);
/* Frames to send are appended here, then sent by _flush(). */
GByteArray         *_mpaio_worker_process_get_output (MpaioWorkerProcess *self);
/* The oldest fd received and not taken yet (it came with the frames being
 * read, or before), or -1. */
int                 _mpaio_worker_process_steal_received_fd (MpaioWorkerProcess *self);
/* Sends @fd with the next bytes written, and closes it then. */
void                _mpaio_worker_process_take_fd    (MpaioWorkerProcess *self,
                                                      int                 fd);
/* Sends a dup of @fd with the next bytes written. */
void                _mpaio_worker_process_send_fd    (MpaioWorkerProcess *self,
                                                      int                 fd);
void                _mpaio_worker_process_flush      (MpaioWorkerProcess *self);
/* Ends its input: an idle worker process exits. */
void                _mpaio_worker_process_shutdown   (MpaioWorkerProcess *self);
/* Ends the process (SIGKILL); @reason is what _exited() reports. */
void                _mpaio_worker_process_kill       (MpaioWorkerProcess *self,
                                                      const GError       *reason);

G_END_DECLS
