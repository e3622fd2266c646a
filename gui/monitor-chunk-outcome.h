/* monitor-chunk-outcome.h: how a chunk ended
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <mpaio.h>

/* clang-format off */
G_BEGIN_DECLS

/* As the run feed numbers them (mpaio/org.mpaio.Program1.xml). */
typedef enum
{
  MONITOR_CHUNK_COMPLETED = 0,
  MONITOR_CHUNK_FAILED = 1,
  MONITOR_CHUNK_CANCELLED = 2,
} MonitorChunkOutcome;

/* A chunk never sent was not run, as a cancelled one. */
static inline MonitorChunkOutcome
monitor_chunk_outcome_from_record (const MpaioChunkRecord *record)
{
  switch (record->outcome)
    {
    case MPAIO_CHUNK_OUTCOME_DONE:
      return MONITOR_CHUNK_COMPLETED;
    case MPAIO_CHUNK_OUTCOME_FAILED:
      return MONITOR_CHUNK_FAILED;
    case MPAIO_CHUNK_OUTCOME_CANCELLED:
    case MPAIO_CHUNK_OUTCOME_NOT_SENT:
    default:
      return MONITOR_CHUNK_CANCELLED;
    }
}

G_END_DECLS
