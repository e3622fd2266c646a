/* monitor-program-watcher.h: the runs another mpaio program publishes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>
#include <mpaio.h>

#include "monitor-chunk-outcome.h"

/* clang-format off */
G_BEGIN_DECLS

/* A program on the bus, as --list prints it. */
typedef struct
{
  guint pid;
  char *command_line;
  char *state;
} MonitorProgramInfo;

void monitor_program_info_free (MonitorProgramInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MonitorProgramInfo, monitor_program_info_free)

/* The mpaio programs publishing on @connection: a GPtrArray of
 * MonitorProgramInfo, by pid. */
GPtrArray *
monitor_list_programs (GDBusConnection *connection, GCancellable *cancellable, GError **error);

#define MONITOR_TYPE_PROGRAM_WATCHER (monitor_program_watcher_get_type ())
G_DECLARE_FINAL_TYPE (
    MonitorProgramWatcher, monitor_program_watcher, MONITOR, PROGRAM_WATCHER, GObject)

/* A chunk the watched program has handed out and not had back yet. */
typedef struct
{
  guint32 worker_index;
  guint64 chunk_index;
  guint64 start_row;
  guint64 end_row;
  gint64  sent_us;
} MonitorInFlightChunk;

/* Watches the program of @pid: its current run at once (from what it has
 * published so far), then every run live. Signals:
 *   run-started (guint run, GVariant *info)
 *   records (guint run, gpointer records: const MpaioChunkRecord *,
 *            gpointer outcomes: const guint8 *, guint n_records)
 *     each record's host (NULL for the program's machine) and outcome set
 *   in-flight (guint run, gpointer chunks: const MonitorInFlightChunk *,
 *              guint n_chunks) — all the chunks out now, a few times a
 *     second while the run goes on
 *   cpu-samples (guint run, guint first, GPtrArray *samples: MpaioCpuSample)
 *     the run's CPU samples from number @first on, as the program sampled
 *     them (for a run across hosts, every host's cores, in the columns of
 *     monitor_program_watcher_get_core_names())
 *   run-finished (guint run, GVariant *info)
 *   vanished () — the program left the bus */
MonitorProgramWatcher *monitor_program_watcher_new (GDBusConnection *connection, GPid pid);
MonitorProgramWatcher *monitor_program_watcher_new_for_command (GDBusConnection *connection,
                                                                GPid             pid);
GPid                   monitor_program_watcher_get_pid (MonitorProgramWatcher *self);
const char            *monitor_program_watcher_get_state (MonitorProgramWatcher *self);
const char *const     *monitor_program_watcher_get_core_names (MonitorProgramWatcher *self);

G_END_DECLS
