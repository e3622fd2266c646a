/* monitor-program-bus.h: reaching the programs that publish their runs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

/* clang-format off */
G_BEGIN_DECLS

/* The interface a program serves (mpaio/org.mpaio.Program1.xml). */
#define MONITOR_PROGRAM_INTERFACE "org.mpaio.Program1"

/* The bus name and object path of the program of @pid. */
char *monitor_program_bus_name    (GPid pid);
char *monitor_program_object_path (GPid pid);

/* The program a bus name (org.mpaio.Program.instance<PID>) or an object
 * path (/org/mpaio/Program/<PID>) names, or 0. */
GPid monitor_program_pid_of_name (const char *name);
GPid monitor_program_pid_of_path (const char *path);

/* A signal of the interface from the program of @pid. */
typedef void (*MonitorProgramSignalFunc) (GPid        pid,
                                          const char *signal,
                                          GVariant   *parameters,
                                          gpointer    user_data);

/* Subscribes to the signals of the program of @pid (0: of every program);
 * returns the id for g_dbus_connection_signal_unsubscribe(). */
guint monitor_program_subscribe (GDBusConnection          *connection,
                                 GPid                      pid,
                                 MonitorProgramSignalFunc  func,
                                 gpointer                  user_data);

/* A program took its name (@on_bus) or left the bus. */
typedef void (*MonitorProgramNameFunc) (GPid     pid,
                                        gboolean on_bus,
                                        gpointer user_data);

/* Subscribes to programs coming on and leaving the bus. */
guint monitor_program_subscribe_names (GDBusConnection        *connection,
                                       MonitorProgramNameFunc  func,
                                       gpointer                user_data);

/* g_bus_watch_name_on_connection() for the name of the program of @pid. */
guint monitor_program_watch_name (GDBusConnection          *connection,
                                  GPid                      pid,
                                  GBusNameAppearedCallback  appeared,
                                  GBusNameVanishedCallback  vanished,
                                  gpointer                  user_data);

/* Whether the program of @pid is on the bus (FALSE with @error set when
 * the bus cannot say). */
gboolean monitor_program_is_on_bus (GDBusConnection  *connection,
                                    GPid              pid,
                                    GCancellable     *cancellable,
                                    GError          **error);

/* Iterates the thread-default main context until the program of @pid is
 * on the bus: for tests that start one. */
void monitor_program_wait_on_bus (GDBusConnection *connection,
                                  GPid             pid);

/* The properties of the program of @pid (GetAll); finish with
 * monitor_program_get_properties_finish(), which returns the a{sv}. */
void      monitor_program_get_properties        (GDBusConnection      *connection,
                                                 GPid                  pid,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
GVariant *monitor_program_get_properties_finish (GDBusConnection      *connection,
                                                 GAsyncResult         *result,
                                                 GError              **error);
GVariant *monitor_program_get_properties_sync   (GDBusConnection      *connection,
                                                 GPid                  pid,
                                                 gint                  timeout_ms,
                                                 GCancellable         *cancellable,
                                                 GError              **error);

G_END_DECLS
