/* monitor-chunk-outcome.h: how a chunk ended
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

/* clang-format off */
G_BEGIN_DECLS

/* As the run feed numbers them (mpaio/org.mpaio.Program1.xml). */
typedef enum
{
  MONITOR_CHUNK_COMPLETED = 0,
  MONITOR_CHUNK_FAILED = 1,
  MONITOR_CHUNK_CANCELLED = 2,
} MonitorChunkOutcome;

G_END_DECLS
