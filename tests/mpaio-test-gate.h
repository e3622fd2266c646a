/* mpaio-test-gate.h: a worker whose chunks wait at a gate, for the fault suites
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <mpaio.h>

/* clang-format off */
G_BEGIN_DECLS

/* Returns "x" (its chunk's index) after `spin-us` microseconds of work. In
 * a worker process, the chunk whose index is `gate-index` (every chunk when
 * -1) first writes its pid to the FIFO `dir`/started, then
 *   GATE_WAIT         waits until a byte is written to `dir`/release (or
 *                     for ever, if none is);
 *   GATE_COOPERATIVE  asks mpaio_worker_is_cancelled() until it says so,
 *                     writes its pid to `dir`/noticed and fails with
 *                     G_IO_ERROR_CANCELLED.
 * Delivered results are counted. */
#define MPAIO_TEST_TYPE_GATE_WORKER (mpaio_test_gate_worker_get_type ())
G_DECLARE_FINAL_TYPE (MpaioTestGateWorker, mpaio_test_gate_worker, MPAIO_TEST, GATE_WORKER, MpaioWorker)

typedef enum
{
  MPAIO_TEST_GATE_WAIT,
  MPAIO_TEST_GATE_COOPERATIVE,
} MpaioTestGateMode;

MpaioTestGateWorker *mpaio_test_gate_worker_new (MpaioDataIterator *iterator,
                                                 const char        *dir,
                                                 gint               gate_index,
                                                 MpaioTestGateMode  mode,
                                                 guint              spin_us);
guint                mpaio_test_gate_worker_get_n_delivered (MpaioTestGateWorker *self);

/* The test's end of a gate: a directory with the FIFOs `started`,
 * `release` and `noticed`, the first and last open for reading (without
 * blocking) so worker processes can write to them at once. */
typedef struct
{
  char *dir;
  int      started_fd;
  int      noticed_fd;
  GString *started; /* read, not returned yet */
  GString *noticed;
} MpaioTestGate;

MpaioTestGate *mpaio_test_gate_new         (void);
void           mpaio_test_gate_free        (MpaioTestGate *gate);
/* Iterates the thread-default main context until a chunk has written to
 * `started` (or `noticed`), and returns the pid it wrote; fails the test
 * after 2 minutes. */
GPid           mpaio_test_gate_wait_started (MpaioTestGate *gate);
GPid           mpaio_test_gate_wait_noticed (MpaioTestGate *gate);
/* Lets one waiting chunk through. */
void           mpaio_test_gate_release      (MpaioTestGate *gate);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpaioTestGate, mpaio_test_gate_free)

/* Whether @pid names no process at all (exited and reaped). */
gboolean       mpaio_test_pid_is_gone       (GPid pid);
/* Waits, without running any main loop, until the process @pid (not
 * necessarily a child) has exited, at most @timeout_ms; whether it did. */
gboolean       mpaio_test_wait_pid_exit     (GPid pid,
                                             guint timeout_ms);

G_END_DECLS
