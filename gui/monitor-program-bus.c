/* monitor-program-bus.c: reaching the programs that publish their runs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A program owns org.mpaio.Program.instance<PID> and serves its runs at
 * /org/mpaio/Program/<PID> (mpaio/mpaio-run-publisher.c). The monitor, its
 * tests and the publishing benchmark all reach programs through these.
 */

#include <string.h>

#include "monitor-program-bus.h"

#define NAME_PREFIX     "org.mpaio.Program.instance"
#define NAME_NAMESPACE  "org.mpaio.Program"
#define PATH_PREFIX     "/org/mpaio/Program/"
#define PROPERTIES_TYPE "(a{sv})"

char *
monitor_program_bus_name (GPid pid)
{
  return g_strdup_printf (NAME_PREFIX "%d", (int) pid);
}

char *
monitor_program_object_path (GPid pid)
{
  return g_strdup_printf (PATH_PREFIX "%d", (int) pid);
}

static GPid
pid_after (const char *string, const char *prefix)
{
  guint64 pid = 0;

  if (string == NULL || !g_str_has_prefix (string, prefix))
    return 0;
  if (!g_ascii_string_to_unsigned (string + strlen (prefix), 10, 1, G_MAXINT, &pid, NULL))
    return 0;

  return (GPid) pid;
}

GPid
monitor_program_pid_of_name (const char *name)
{
  return pid_after (name, NAME_PREFIX);
}

GPid
monitor_program_pid_of_path (const char *path)
{
  return pid_after (path, PATH_PREFIX);
}

/* Who is told of a program's signals, or of programs' names. */
typedef struct
{
  MonitorProgramSignalFunc on_signal;
  MonitorProgramNameFunc   on_name;
  gpointer                 user_data;
} Subscriber;

/* Either subscription's signals, handed on parsed. */
static void
on_bus_signal (GDBusConnection *connection,
               const char      *sender,
               const char      *path,
               const char      *interface,
               const char      *signal,
               GVariant        *parameters,
               gpointer         user_data)
{
  Subscriber *subscriber = user_data;
  const char *name, *old_owner, *new_owner;
  GPid        pid;

  if (subscriber->on_signal != NULL)
    {
      pid = monitor_program_pid_of_path (path);
      if (pid > 0)
        subscriber->on_signal (pid, signal, parameters, subscriber->user_data);
      return;
    }

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(sss)")))
    return;

  g_variant_get (parameters, "(&s&s&s)", &name, &old_owner, &new_owner);
  pid = monitor_program_pid_of_name (name);
  if (pid > 0)
    subscriber->on_name (pid, *new_owner != '\0', subscriber->user_data);
}

guint
monitor_program_subscribe (GDBusConnection         *connection,
                           GPid                     pid,
                           MonitorProgramSignalFunc func,
                           gpointer                 user_data)
{
  g_autofree char *path = pid > 0 ? monitor_program_object_path (pid) : NULL;
  Subscriber      *subscriber = g_new0 (Subscriber, 1);

  subscriber->on_signal = func;
  subscriber->user_data = user_data;
  return g_dbus_connection_signal_subscribe (connection, NULL, MONITOR_PROGRAM_INTERFACE, NULL,
                                             path, NULL, G_DBUS_SIGNAL_FLAGS_NONE, on_bus_signal,
                                             subscriber, g_free);
}

guint
monitor_program_subscribe_names (GDBusConnection       *connection,
                                 MonitorProgramNameFunc func,
                                 gpointer               user_data)
{
  Subscriber *subscriber = g_new0 (Subscriber, 1);

  subscriber->on_name = func;
  subscriber->user_data = user_data;
  /* Only the names of programs reach us, not every name's changes. */
  return g_dbus_connection_signal_subscribe (
    connection, "org.freedesktop.DBus", "org.freedesktop.DBus", "NameOwnerChanged",
    "/org/freedesktop/DBus", NAME_NAMESPACE, G_DBUS_SIGNAL_FLAGS_MATCH_ARG0_NAMESPACE,
    on_bus_signal, subscriber, g_free);
}

guint
monitor_program_watch_name (GDBusConnection         *connection,
                            GPid                     pid,
                            GBusNameAppearedCallback appeared,
                            GBusNameVanishedCallback vanished,
                            gpointer                 user_data)
{
  g_autofree char *name = monitor_program_bus_name (pid);

  return g_bus_watch_name_on_connection (connection, name, G_BUS_NAME_WATCHER_FLAGS_NONE, appeared,
                                         vanished, user_data, NULL);
}

gboolean
monitor_program_is_on_bus (GDBusConnection *connection,
                           GPid             pid,
                           GCancellable    *cancellable,
                           GError         **error)
{
  g_autofree char *name = monitor_program_bus_name (pid);
  g_autoptr(GVariant) reply = g_dbus_connection_call_sync (
    connection, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
    "NameHasOwner", g_variant_new ("(s)", name), G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE,
    -1, cancellable, error);
  gboolean has_owner = FALSE;

  if (reply != NULL)
    g_variant_get (reply, "(b)", &has_owner);

  return has_owner;
}

static void
on_name_appeared (GDBusConnection *connection,
                  const char      *name,
                  const char      *owner,
                  gpointer         user_data)
{
  *(gboolean *) user_data = TRUE;
}

void
monitor_program_wait_on_bus (GDBusConnection *connection,
                             GPid             pid)
{
  gboolean appeared = FALSE;
  guint    watch_id = monitor_program_watch_name (connection, pid, on_name_appeared, NULL,
                                                  &appeared);

  while (!appeared)
    g_main_context_iteration (NULL, TRUE);
  g_bus_unwatch_name (watch_id);
}

static GVariant *
properties_call_parameters (void)
{
  return g_variant_new ("(s)", MONITOR_PROGRAM_INTERFACE);
}

void
monitor_program_get_properties (GDBusConnection    *connection,
                                GPid                pid,
                                GCancellable       *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer            user_data)
{
  g_autofree char *name = monitor_program_bus_name (pid);
  g_autofree char *path = monitor_program_object_path (pid);

  g_dbus_connection_call (connection, name, path, "org.freedesktop.DBus.Properties", "GetAll",
                          properties_call_parameters (), G_VARIANT_TYPE (PROPERTIES_TYPE),
                          G_DBUS_CALL_FLAGS_NONE, -1, cancellable, callback, user_data);
}

GVariant *
monitor_program_get_properties_finish (GDBusConnection *connection,
                                       GAsyncResult    *result,
                                       GError         **error)
{
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (connection, result, error);

  return reply != NULL ? g_variant_get_child_value (reply, 0) : NULL;
}

GVariant *
monitor_program_get_properties_sync (GDBusConnection *connection,
                                     GPid             pid,
                                     gint             timeout_ms,
                                     GCancellable    *cancellable,
                                     GError         **error)
{
  g_autofree char *name = monitor_program_bus_name (pid);
  g_autofree char *path = monitor_program_object_path (pid);
  g_autoptr(GVariant) reply = g_dbus_connection_call_sync (
    connection, name, path, "org.freedesktop.DBus.Properties", "GetAll",
    properties_call_parameters (), G_VARIANT_TYPE (PROPERTIES_TYPE), G_DBUS_CALL_FLAGS_NONE,
    timeout_ms, cancellable, error);

  return reply != NULL ? g_variant_get_child_value (reply, 0) : NULL;
}
