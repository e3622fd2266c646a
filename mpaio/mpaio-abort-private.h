/* mpaio-abort-private.h: how long the chunks of a cancelled run may go on
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

/* clang-format off */
G_BEGIN_DECLS

/* A run's orchestrator notes on the cancellable its chunks carry how long
 * they may run on once it is cancelled (its abort-grace); an executor that
 * can stop them does so then. -1: never. */
#define MPAIO_ABORT_GRACE_KEY "mpaio-abort-grace-ms"

static inline void
_mpaio_cancellable_set_abort_grace (GCancellable *cancellable,
                                    int           grace_ms)
{
  g_object_set_data (G_OBJECT (cancellable), MPAIO_ABORT_GRACE_KEY,
                     GINT_TO_POINTER (grace_ms < 0 ? 0 : grace_ms + 1));
}

static inline int
_mpaio_cancellable_get_abort_grace (GCancellable *cancellable)
{
  return GPOINTER_TO_INT (g_object_get_data (G_OBJECT (cancellable), MPAIO_ABORT_GRACE_KEY)) - 1;
}

G_END_DECLS
