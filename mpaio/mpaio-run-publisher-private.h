/* mpaio-run-publisher-private.h: a program's runs on the session bus
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "mpaio-orchestrator.h"
#include "mpaio-run-report.h"

/* clang-format off */
G_BEGIN_DECLS

/* One record of the feed: the serialized form of the GVariant type
 * MPAIO_FEED_RECORD_TYPE on a little-endian machine (see
 * org.mpaio.Program1.xml). */
#define MPAIO_FEED_RECORD_TYPE "(uutttixxxx)"

typedef enum
{
  MPAIO_FEED_OUTCOME_COMPLETED = 0,
  MPAIO_FEED_OUTCOME_FAILED = 1,
  MPAIO_FEED_OUTCOME_CANCELLED = 2,
} MpaioFeedOutcome;

typedef struct
{
  guint32 worker_index;
  guint32 outcome;
  guint64 chunk_index;
  guint64 start_row;
  guint64 end_row;
  gint32  pid;
  guint32 padding;
  gint64  sent_us;
  gint64  started_us;
  gint64  finished_us;
  gint64  returned_us;
} MpaioFeedRecord;

G_STATIC_ASSERT (sizeof (MpaioFeedRecord) == 72);

typedef struct _MpaioRunPublication MpaioRunPublication;

/* Owns the bus name and serves the interface; idempotent. */
void _mpaio_run_publisher_start (void);
void _mpaio_run_publisher_stop (void);

/* Called by the orchestrator when a run starts, on the run's main context,
 * with the run's report (records are read from it a few times a second)
 * and its in-flight counter (read on the same context until the run ends). */
MpaioRunPublication *_mpaio_run_publication_new (MpaioOrchestrator *orchestrator,
                                                 MpaioRunReport    *report,
                                                 guint64            n_chunks,
                                                 const guint       *in_flight);
/* Publishes what is left, how the run ended, and frees @publication. */
void _mpaio_run_publication_finish (MpaioRunPublication *publication, const GError *error);

G_END_DECLS
