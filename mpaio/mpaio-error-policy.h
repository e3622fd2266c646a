/* mpaio-error-policy.h: what a run does when one of its chunks fails
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
 * MpaioErrorPolicy:
 * @MPAIO_ERROR_POLICY_FINISH_IN_FLIGHT: no new chunk is submitted; the chunks
 *   already in flight finish and their results are delivered, then the run
 *   fails with the chunk's error. A worker process that dies ends the run at
 *   once. The default.
 * @MPAIO_ERROR_POLICY_FAIL_FAST: the run fails at once with the chunk's
 *   error; the chunks in flight are cancelled through the executor and their
 *   results are dropped.
 * @MPAIO_ERROR_POLICY_CONTINUE: every chunk runs and every failure is kept;
 *   at the end the run fails with an error that counts the failed chunks and
 *   names the first ones, or succeeds when none failed.
 *
 * What an [class@Mpaio.Orchestrator] run does when a chunk fails: its
 * worker's `process` returned an error, its worker process died on it, or it
 * took longer than the executor allows. Whatever the policy, every chunk's
 * outcome is in the run's report
 * ([method@Mpaio.Orchestrator.get_last_report]), and errors of the executor
 * itself (it could not start a worker process, it was disposed) and
 * cancellation end a run at once.
 *
 * Since: 0.1
 */
typedef enum
{
  MPAIO_ERROR_POLICY_FINISH_IN_FLIGHT,
  MPAIO_ERROR_POLICY_FAIL_FAST,
  MPAIO_ERROR_POLICY_CONTINUE,
} MpaioErrorPolicy;

G_END_DECLS
