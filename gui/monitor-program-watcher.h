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

/* Watches the program of @pid: its current run at once (from what it has
 * published so far), then every run live. Signals:
 *   run-started (guint run, GVariant *info)
 *   records (guint run, gpointer records: const MpaioChunkRecord *,
 *            gpointer outcomes: const guint8 *, guint n_records)
 *   run-finished (guint run, GVariant *info)
 *   vanished () — the program left the bus */
MonitorProgramWatcher *monitor_program_watcher_new (GDBusConnection *connection, GPid pid);
GPid                   monitor_program_watcher_get_pid (MonitorProgramWatcher *self);
const char            *monitor_program_watcher_get_state (MonitorProgramWatcher *self);

G_END_DECLS
