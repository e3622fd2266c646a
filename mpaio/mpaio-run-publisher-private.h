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
#define MPAIO_FEED_RECORD_TYPE "(uutttiuxxxx)"

/* The outcome travels as its MpaioChunkOutcome. */
G_STATIC_ASSERT (MPAIO_CHUNK_OUTCOME_DONE == 0 && MPAIO_CHUNK_OUTCOME_FAILED == 1);
G_STATIC_ASSERT (MPAIO_CHUNK_OUTCOME_CANCELLED == 2 && MPAIO_CHUNK_OUTCOME_NOT_SENT == 3);

typedef struct
{
  guint32 worker_index;
  guint32 outcome;
  guint64 chunk_index;
  guint64 start_row;
  guint64 end_row;
  gint32  pid;
  guint32 host; /* 0: this machine; n: the run's hosts[n - 1] */
  gint64  sent_us;
  gint64  started_us;
  gint64  finished_us;
  gint64  returned_us;
} MpaioFeedRecord;

G_STATIC_ASSERT (sizeof (MpaioFeedRecord) == 72);

typedef struct _MpaioRunPublication MpaioRunPublication;

/* A chunk handed to the executor and not back yet. */
typedef struct
{
  guint   worker_index;
  guint64 chunk_index;
  guint64 start_row;
  guint64 end_row;
  gint64  sent_us;
} MpaioFeedInFlight;

/* Fills @chunks with at most @max of the run's chunks in flight; returns
 * how many. Called on the run's context, a few times a second. */
typedef guint (*MpaioFeedPeekInFlight) (gpointer run, MpaioFeedInFlight *chunks, guint max);

/* Owns the bus name and serves the interface; idempotent. */
void _mpaio_run_publisher_start (void);
void _mpaio_run_publisher_stop (void);

/* Called by the orchestrator when a run starts, on the run's main context,
 * with the run's report (records are read from it a few times a second)
 * and its in-flight counter and chunks (read on the same context until the
 * run ends). */
MpaioRunPublication *_mpaio_run_publication_new (MpaioOrchestrator    *orchestrator,
                                                 MpaioRunReport       *report,
                                                 guint64               n_chunks,
                                                 const guint          *in_flight,
                                                 MpaioFeedPeekInFlight peek_in_flight,
                                                 gpointer              run);
/* Publishes what is left, how the run ended, and frees @publication. */
void _mpaio_run_publication_finish (MpaioRunPublication *publication, const GError *error);

G_END_DECLS
