/* monitor-program-watcher.c: the runs another mpaio program publishes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The program's side is in the library (mpaio/mpaio-run-publisher.c); the
 * bus interface between them is mpaio/org.mpaio.Program1.xml. Records come
 * in numbered batches: a batch that does not start where the last one
 * ended (we came in mid-run, or missed one) is filled in with GetRun().
 */

#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gunixfdlist.h>

#include "monitor-descendant.h"
#include "monitor-program-watcher.h"

#define INTERFACE     "org.mpaio.Program1"
#define PROGRESS_TYPE "(utuua(dadd)a(utttx)as)"

/* One record as the feed serializes it: GVariant (uutttiuxxxx). */
typedef struct
{
  guint32 worker_index;
  guint32 outcome;
  guint64 chunk_index;
  guint64 start_row;
  guint64 end_row;
  gint32  pid;
  guint32 host; /* 0: the program's machine; n: hosts[n - 1] */
  gint64  sent_us;
  gint64  started_us;
  gint64  finished_us;
  gint64  returned_us;
} FeedRecord;

G_STATIC_ASSERT (sizeof (FeedRecord) == 72);

struct _MonitorProgramWatcher
{
  GObject parent_instance;

  GDBusConnection *connection;
  GPid             pid;
  GPid             ancestor;           /* watching whichever program descends from it */
  guint            owner_subscription; /* until one does */
  char            *name;
  char            *path;
  char            *state;
  guint            subscription;
  guint            name_watch;
  gboolean         appeared;
  GCancellable    *cancellable;

  guint   run;       /* the run being received */
  guint64 n_records; /* of it, so far */
  guint   fetching;  /* the run asked for, or 0 */
  /* The run's records file, shared by the program (read-only). */
  const guint8 *map;
  gsize         map_size;
  guint64       capacity;
  /* The machines the run's chunks ran on, when not the program's (MPI). */
  GStrv hosts;
  /* The columns of its CPU samples, `host/core_N`, for a run across hosts. */
  GStrv core_names;
};

G_DEFINE_FINAL_TYPE (MonitorProgramWatcher, monitor_program_watcher, G_TYPE_OBJECT)

enum
{
  SIGNAL_RUN_STARTED,
  SIGNAL_RECORDS,
  SIGNAL_IN_FLIGHT,
  SIGNAL_CPU_SAMPLES,
  SIGNAL_RUN_FINISHED,
  SIGNAL_VANISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

void
monitor_program_info_free (MonitorProgramInfo *info)
{
  g_free (info->command_line);
  g_free (info->state);
  g_free (info);
}

static char *
join_command_line (GVariant *args)
{
  g_autofree const char **strv = args != NULL ? g_variant_get_strv (args, NULL) : NULL;

  if (strv == NULL)
    return g_strdup ("");

  return g_strjoinv (" ", (char **) strv);
}

static gint
compare_by_pid (gconstpointer a, gconstpointer b)
{
  const MonitorProgramInfo *info_a = *(MonitorProgramInfo *const *) a;
  const MonitorProgramInfo *info_b = *(MonitorProgramInfo *const *) b;

  return (info_a->pid > info_b->pid) - (info_a->pid < info_b->pid);
}

GPtrArray *
monitor_list_programs (GDBusConnection *connection, GCancellable *cancellable, GError **error)
{
  g_autoptr(GVariant) names = NULL;
  g_autoptr(GVariantIter) iter = NULL;
  g_autoptr(GPtrArray) programs =
               g_ptr_array_new_with_free_func ((GDestroyNotify) monitor_program_info_free);
  const char *name;

  names = g_dbus_connection_call_sync (
    connection, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
    "ListNames", NULL, G_VARIANT_TYPE ("(as)"), G_DBUS_CALL_FLAGS_NONE, -1, cancellable, error);
  if (names == NULL)
    return NULL;

  g_variant_get (names, "(as)", &iter);
  while (g_variant_iter_loop (iter, "&s", &name))
    {
      g_autoptr(GVariant) reply = NULL;
      g_autoptr(GVariant) properties = NULL;
      g_autoptr(GVariant) args = NULL;
      g_autofree char    *path = NULL;
      MonitorProgramInfo *info;
      guint64             pid;

      if (!g_str_has_prefix (name, "org.mpaio.Program.instance") || !g_ascii_string_to_unsigned (name + strlen ("org.mpaio.Program.instance"), 10, 1, G_MAXINT, &pid, NULL))
        continue;

      path = g_strdup_printf ("/org/mpaio/Program/%u", (guint) pid);
      /* A program may leave between the two calls: then it is not listed. */
      reply = g_dbus_connection_call_sync (
        connection, name, path, "org.freedesktop.DBus.Properties", "GetAll",
        g_variant_new ("(s)", INTERFACE), G_VARIANT_TYPE ("(a{sv})"), G_DBUS_CALL_FLAGS_NONE,
        2000, cancellable, NULL);
      if (reply == NULL)
        continue;

      properties = g_variant_get_child_value (reply, 0);
      info = g_new0 (MonitorProgramInfo, 1);
      info->pid = (guint) pid;
      if (!g_variant_lookup (properties, "State", "s", &info->state))
        info->state = g_strdup ("unknown");
      args = g_variant_lookup_value (properties, "CommandLine", G_VARIANT_TYPE_STRING_ARRAY);
      info->command_line = join_command_line (args);
      g_ptr_array_add (programs, info);
    }

  g_ptr_array_sort (programs, compare_by_pid);
  return g_steal_pointer (&programs);
}

static void
unmap_records (MonitorProgramWatcher *self)
{
  if (self->map != NULL)
    munmap ((void *) self->map, self->map_size);
  self->map = NULL;
  self->map_size = 0;
  self->capacity = 0;
}

/* Maps a records file of @capacity records, after checking that it is as
 * big as that and cannot shrink (a shrunk mapping would crash us). */
static gboolean
map_records (MonitorProgramWatcher *self, int fd, guint64 capacity)
{
  struct stat st;
  int         seals;
  void       *map;

  unmap_records (self);
  if (capacity == 0 || capacity > G_MAXSIZE / sizeof (FeedRecord))
    return FALSE;

  seals = fcntl (fd, F_GET_SEALS);
  if (fstat (fd, &st) < 0 || (guint64) st.st_size < capacity * sizeof (FeedRecord) || seals < 0 || (seals & F_SEAL_SHRINK) == 0)
    return FALSE;

  map = mmap (NULL, capacity * sizeof (FeedRecord), PROT_READ, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED)
    return FALSE;

  self->map = map;
  self->map_size = capacity * sizeof (FeedRecord);
  self->capacity = capacity;
  return TRUE;
}

/* A record's host (interned, as the library's are); NULL for the
 * program's machine, or a machine not announced. */
static const char *
host_name (MonitorProgramWatcher *self, guint32 index)
{
  if (index == 0 || self->hosts == NULL || index > g_strv_length (self->hosts))
    return NULL;

  return g_intern_string (self->hosts[index - 1]);
}

/* Hosts are only ever added to a run's list. */
static void
set_hosts (MonitorProgramWatcher *self, GVariant *hosts)
{
  if (hosts == NULL)
    return;

  g_strfreev (self->hosts);
  self->hosts = g_variant_dup_strv (hosts, NULL);
}

/* The chunks out now, replacing those announced before. */
static void
deliver_in_flight (MonitorProgramWatcher *self, GVariant *in_flight)
{
  g_autoptr(GArray) chunks = g_array_new (FALSE, FALSE, sizeof (MonitorInFlightChunk));
  GVariantIter         iter;
  MonitorInFlightChunk chunk;

  g_variant_iter_init (&iter, in_flight);
  while (g_variant_iter_next (&iter, "(utttx)", &chunk.worker_index, &chunk.chunk_index,
                              &chunk.start_row, &chunk.end_row, &chunk.sent_us))
    g_array_append_val (chunks, chunk);

  g_signal_emit (self, signals[SIGNAL_IN_FLIGHT], 0, self->run, chunks->data, chunks->len);
}

/* Hands on the records from the last one delivered up to @n_records. */
static void
deliver_records (MonitorProgramWatcher *self, guint64 n_records)
{
  g_autofree MpaioChunkRecord *records = NULL;
  g_autofree guint8           *outcomes = NULL;
  guint64                      first = self->n_records;
  guint64                      n;

  n_records = MIN (n_records, self->capacity);
  if (self->map == NULL || n_records <= first)
    return;

  n = n_records - first;
  records = g_new (MpaioChunkRecord, n);
  outcomes = g_new (guint8, n);
  for (guint64 i = 0; i < n; i++)
    {
      FeedRecord record;

      memcpy (&record, self->map + (first + i) * sizeof (FeedRecord), sizeof record);
      records[i] = (MpaioChunkRecord){
        .worker_index = GUINT32_FROM_LE (record.worker_index),
        .chunk_index = GUINT64_FROM_LE (record.chunk_index),
        .start_row = GUINT64_FROM_LE (record.start_row),
        .end_row = GUINT64_FROM_LE (record.end_row),
        .pid = GINT32_FROM_LE (record.pid),
        .host = host_name (self, GUINT32_FROM_LE (record.host)),
        .sent_us = GINT64_FROM_LE (record.sent_us),
        .started_us = GINT64_FROM_LE (record.started_us),
        .finished_us = GINT64_FROM_LE (record.finished_us),
        .returned_us = GINT64_FROM_LE (record.returned_us),
      };
      /* The feed's numbers are the library's outcomes: a chunk never sent
       * was not run, as a cancelled one. */
      records[i].outcome = (MpaioChunkOutcome) MIN (GUINT32_FROM_LE (record.outcome),
                                                    MPAIO_CHUNK_OUTCOME_NOT_SENT);
      outcomes[i] = (guint8) MIN (GUINT32_FROM_LE (record.outcome), MONITOR_CHUNK_CANCELLED);
    }

  self->n_records = n_records;
  g_signal_emit (self, signals[SIGNAL_RECORDS], 0, self->run, records, outcomes, (guint) n);
}

/* The names of a run's CPU columns, when its information has them. */
static void
set_core_names (MonitorProgramWatcher *self, GVariant *info)
{
  g_clear_pointer (&self->core_names, g_strfreev);
  g_variant_lookup (info, "core-names", "^as", &self->core_names);
}

/* Hands on the CPU samples of the run from number @first on. */
static void
deliver_samples (MonitorProgramWatcher *self, guint first, GVariant *samples)
{
  g_autoptr(GPtrArray) converted = g_ptr_array_new_with_free_func (g_object_unref);
  GVariantIter iter;
  GVariant    *cores;
  gdouble      time, total;

  g_variant_iter_init (&iter, samples);
  while (g_variant_iter_next (&iter, "(d@add)", &time, &cores, &total))
    {
      gsize          n_values = 0;
      const gdouble *values = g_variant_get_fixed_array (cores, &n_values, sizeof (gdouble));

      g_ptr_array_add (converted, mpaio_cpu_sample_new (time, values, (guint) n_values, total));
      g_variant_unref (cores);
    }

  if (converted->len > 0)
    g_signal_emit (self, signals[SIGNAL_CPU_SAMPLES], 0, self->run, first, converted);
}

static void
on_get_run (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autofree gpointer *data = user_data;
  g_autoptr(MonitorProgramWatcher) self = data[0];
  guint run = GPOINTER_TO_UINT (data[1]);
  g_autoptr(GError) error = NULL;
  g_autoptr(GUnixFDList) fd_list = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) info = NULL;
  g_autoptr(GVariant) samples = NULL;
  guint64     n_records = 0, capacity = 0;
  gint32      handle = -1;
  const char *state = NULL;
  int         fd;

  reply = g_dbus_connection_call_with_unix_fd_list_finish (G_DBUS_CONNECTION (source), &fd_list,
                                                           result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (run == self->fetching)
    self->fetching = 0;
  if (reply == NULL)
    {
      g_debug ("Could not fetch the run of %d: %s", (int) self->pid, error->message);
      return;
    }
  /* An older run than the one being received: too late. */
  if (run < self->run)
    return;

  g_variant_get (reply, "(@a{sv}ht@a(dadd))", &info, &handle, &n_records, &samples);
  if (run != self->run)
    {
      self->run = run;
      self->n_records = 0;
      set_core_names (self, info);
      g_signal_emit (self, signals[SIGNAL_RUN_STARTED], 0, run, info);
    }

  g_variant_lookup (info, "records-capacity", "t", &capacity);
  {
    g_autoptr(GVariant) hosts = g_variant_lookup_value (info, "hosts", G_VARIANT_TYPE_STRING_ARRAY);

    set_hosts (self, hosts);
  }
  fd = fd_list != NULL ? g_unix_fd_list_get (fd_list, handle, NULL) : -1;
  if (fd < 0 || !map_records (self, fd, capacity))
    g_debug ("The records of process %d cannot be read", (int) self->pid);
  if (fd >= 0)
    close (fd);
  deliver_records (self, n_records);
  deliver_samples (self, 0, samples);

  if (g_variant_lookup (info, "state", "&s", &state) && g_strcmp0 (state, "running") != 0)
    {
      g_free (self->state);
      self->state = g_strdup (state);
      g_signal_emit (self, signals[SIGNAL_RUN_FINISHED], 0, run, info);
    }
}

static void
fetch_run (MonitorProgramWatcher *self, guint run)
{
  gpointer *data;

  if (self->fetching == run)
    return;

  self->fetching = run;
  data = g_new (gpointer, 2);
  data[0] = g_object_ref (self);
  data[1] = GUINT_TO_POINTER (run);
  g_dbus_connection_call_with_unix_fd_list (
    self->connection, self->name, self->path, INTERFACE, "GetRun", g_variant_new ("(u)", run),
    G_VARIANT_TYPE ("(a{sv}hta(dadd))"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, self->cancellable,
    on_get_run, data);
}

static void on_name_appeared (GDBusConnection *connection,
                              const char      *name,
                              const char      *owner,
                              gpointer         user_data);
static void on_name_vanished (GDBusConnection *connection, const char *name, gpointer user_data);

static void
watch_name (MonitorProgramWatcher *self)
{
  self->name_watch =
    g_bus_watch_name_on_connection (self->connection, self->name, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                    on_name_appeared, on_name_vanished, self, NULL);
}

/* The program @pid, which descends from the command this watches for, is
 * the one watched from now on. */
static void
adopt (MonitorProgramWatcher *self, GPid pid)
{
  self->ancestor = 0;
  if (self->owner_subscription != 0)
    g_dbus_connection_signal_unsubscribe (self->connection, self->owner_subscription);
  self->owner_subscription = 0;
  if (pid == self->pid)
    return;

  g_bus_unwatch_name (self->name_watch);
  self->pid = pid;
  g_free (self->name);
  g_free (self->path);
  self->name = g_strdup_printf ("org.mpaio.Program.instance%d", (int) pid);
  self->path = g_strdup_printf ("/org/mpaio/Program/%d", (int) pid);
  watch_name (self);
}

/* The pid a program's object path or bus name ends with, or 0. */
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

/* A program of the command, started by a launcher (mpirun), took its name:
 * watched even before it publishes anything. */
static void
on_name_owner_changed (GDBusConnection *connection,
                       const char      *sender,
                       const char      *path,
                       const char      *interface,
                       const char      *signal,
                       GVariant        *parameters,
                       gpointer         user_data)
{
  MonitorProgramWatcher *self = user_data;
  const char            *name, *old_owner, *new_owner;
  GPid                   pid;

  g_variant_get (parameters, "(&s&s&s)", &name, &old_owner, &new_owner);
  pid = pid_after (name, "org.mpaio.Program.instance");
  if (self->ancestor == 0 || *new_owner == '\0' || pid == 0)
    return;
  if (monitor_pid_descends_from (pid, self->ancestor))
    adopt (self, pid);
}

static void
on_signal (GDBusConnection *connection,
           const char      *sender,
           const char      *path,
           const char      *interface,
           const char      *signal,
           GVariant        *parameters,
           gpointer         user_data)
{
  MonitorProgramWatcher *self = user_data;
  guint                  run = 0;

  /* Signals of every program come while the command's is not known yet:
   * the first from a descendant of the command names it. */
  if (self->ancestor > 0 && g_strcmp0 (path, self->path) != 0)
    {
      GPid pid = pid_after (path, "/org/mpaio/Program/");

      if (pid > 0 && monitor_pid_descends_from (pid, self->ancestor))
        adopt (self, pid);
    }
  if (g_strcmp0 (path, self->path) != 0)
    return;

  g_variant_get_child (parameters, 0, "u", &run);

  if (g_str_equal (signal, "RunStarted") && g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(ua{sv})")))
    {
      g_autoptr(GVariant) info = g_variant_get_child_value (parameters, 1);

      self->run = run;
      self->n_records = 0;
      unmap_records (self);
      g_clear_pointer (&self->hosts, g_strfreev);
      set_core_names (self, info);
      g_free (self->state);
      self->state = g_strdup ("running");
      g_signal_emit (self, signals[SIGNAL_RUN_STARTED], 0, run, info);
      /* The file of its records. */
      fetch_run (self, run);
    }
  else if (g_str_equal (signal, "Progress") && g_variant_is_of_type (parameters, G_VARIANT_TYPE (PROGRESS_TYPE)))
    {
      g_autoptr(GVariant) in_flight = g_variant_get_child_value (parameters, 5);
      g_autoptr(GVariant) hosts = g_variant_get_child_value (parameters, 6);
      g_autoptr(GVariant) samples = g_variant_get_child_value (parameters, 4);
      guint64 n_records = 0;
      guint   first_sample = 0;

      g_variant_get_child (parameters, 1, "t", &n_records);
      g_variant_get_child (parameters, 3, "u", &first_sample);
      /* A run whose start we did not see. */
      if (run != self->run)
        fetch_run (self, run);
      else
        {
          set_hosts (self, hosts);
          deliver_records (self, n_records);
          deliver_in_flight (self, in_flight);
          deliver_samples (self, first_sample, samples);
        }
    }
  else if (g_str_equal (signal, "RunFinished") && run == self->run && g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(ua{sv})")))
    {
      g_autoptr(GVariant) info = g_variant_get_child_value (parameters, 1);

      g_free (self->state);
      if (!g_variant_lookup (info, "state", "s", &self->state))
        self->state = g_strdup ("finished");
      g_signal_emit (self, signals[SIGNAL_RUN_FINISHED], 0, run, info);
    }
}

static void
on_properties (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(MonitorProgramWatcher) self = user_data;
  g_autoptr(GVariant) reply =
               g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, NULL);
  g_autoptr(GVariant) properties = NULL;
  guint run = 0;

  if (reply == NULL || g_cancellable_is_cancelled (self->cancellable))
    return;

  properties = g_variant_get_child_value (reply, 0);
  if (g_variant_lookup (properties, "CurrentRun", "u", &run) && run > 0 && run != self->run)
    fetch_run (self, run);
}

static void
on_name_appeared (GDBusConnection *connection,
                  const char      *name,
                  const char      *owner,
                  gpointer         user_data)
{
  MonitorProgramWatcher *self = user_data;

  self->appeared = TRUE;
  g_dbus_connection_call (connection, name, self->path, INTERFACE, "Watch", NULL, NULL,
                          G_DBUS_CALL_FLAGS_NONE, -1, self->cancellable, NULL, NULL);
  /* Mid-run: what was published before we came. */
  g_dbus_connection_call (connection, name, self->path, "org.freedesktop.DBus.Properties", "GetAll",
                          g_variant_new ("(s)", INTERFACE), G_VARIANT_TYPE ("(a{sv})"),
                          G_DBUS_CALL_FLAGS_NONE, -1, self->cancellable, on_properties,
                          g_object_ref (self));
}

static void
on_name_vanished (GDBusConnection *connection, const char *name, gpointer user_data)
{
  MonitorProgramWatcher *self = user_data;

  /* Not there yet is not gone: a program started by us comes later. */
  if (!self->appeared)
    return;

  self->appeared = FALSE;
  g_signal_emit (self, signals[SIGNAL_VANISHED], 0);
}

static void
monitor_program_watcher_dispose (GObject *object)
{
  MonitorProgramWatcher *self = MONITOR_PROGRAM_WATCHER (object);

  g_cancellable_cancel (self->cancellable);
  unmap_records (self);
  if (self->subscription != 0)
    g_dbus_connection_signal_unsubscribe (self->connection, self->subscription);
  self->subscription = 0;
  if (self->owner_subscription != 0)
    g_dbus_connection_signal_unsubscribe (self->connection, self->owner_subscription);
  self->owner_subscription = 0;
  if (self->name_watch != 0)
    g_bus_unwatch_name (self->name_watch);
  self->name_watch = 0;

  G_OBJECT_CLASS (monitor_program_watcher_parent_class)->dispose (object);
}

static void
monitor_program_watcher_finalize (GObject *object)
{
  MonitorProgramWatcher *self = MONITOR_PROGRAM_WATCHER (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->connection);
  g_free (self->name);
  g_free (self->path);
  g_free (self->state);
  g_strfreev (self->hosts);
  g_strfreev (self->core_names);

  G_OBJECT_CLASS (monitor_program_watcher_parent_class)->finalize (object);
}

static void
monitor_program_watcher_class_init (MonitorProgramWatcherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = monitor_program_watcher_dispose;
  object_class->finalize = monitor_program_watcher_finalize;

  signals[SIGNAL_RUN_STARTED] =
    g_signal_new ("run-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_VARIANT);
  signals[SIGNAL_RECORDS] =
    g_signal_new ("records", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 4, G_TYPE_UINT, G_TYPE_POINTER, G_TYPE_POINTER, G_TYPE_UINT);
  signals[SIGNAL_IN_FLIGHT] =
    g_signal_new ("in-flight", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_UINT, G_TYPE_POINTER, G_TYPE_UINT);
  signals[SIGNAL_CPU_SAMPLES] =
    g_signal_new ("cpu-samples", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 3, G_TYPE_UINT, G_TYPE_UINT, G_TYPE_PTR_ARRAY);
  signals[SIGNAL_RUN_FINISHED] =
    g_signal_new ("run-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_VARIANT);
  signals[SIGNAL_VANISHED] = g_signal_new ("vanished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
monitor_program_watcher_init (MonitorProgramWatcher *self)
{
  self->cancellable = g_cancellable_new ();
  self->state = g_strdup ("idle");
}

/* Watches the program of @pid, or with @for_command, the first program
 * descending from it that publishes. */
static MonitorProgramWatcher *
watcher_new (GDBusConnection *connection, GPid pid, gboolean for_command)
{
  MonitorProgramWatcher *self;

  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), NULL);
  g_return_val_if_fail (pid > 0, NULL);

  self = g_object_new (MONITOR_TYPE_PROGRAM_WATCHER, NULL);
  self->connection = g_object_ref (connection);
  self->pid = pid;
  self->ancestor = for_command ? pid : 0;
  self->name = g_strdup_printf ("org.mpaio.Program.instance%d", (int) pid);
  self->path = g_strdup_printf ("/org/mpaio/Program/%d", (int) pid);

  /* Signals first, then the name: nothing published after we ask is lost.
   * A command's: every program's signals, until its own is known. */
  self->subscription =
    g_dbus_connection_signal_subscribe (connection, NULL, INTERFACE, NULL,
                                        for_command ? NULL : self->path, NULL,
                                        G_DBUS_SIGNAL_FLAGS_NONE, on_signal, self, NULL);
  if (for_command)
    self->owner_subscription = g_dbus_connection_signal_subscribe (
      connection, "org.freedesktop.DBus", "org.freedesktop.DBus", "NameOwnerChanged",
      "/org/freedesktop/DBus", "org.mpaio.Program", G_DBUS_SIGNAL_FLAGS_MATCH_ARG0_NAMESPACE,
      on_name_owner_changed, self, NULL);
  watch_name (self);

  return self;
}

MonitorProgramWatcher *
monitor_program_watcher_new (GDBusConnection *connection, GPid pid)
{
  return watcher_new (connection, pid, FALSE);
}

/**
 * monitor_program_watcher_new_for_command:
 * @connection: the session bus
 * @pid: the process of a command just started
 *
 * Watches the program a command runs: the command itself, or, when it is a
 * launcher (`mpirun -n 3 prog`), the first program started by it that
 * publishes its runs (an MPI job's rank 0). Made before the command can
 * publish anything, nothing it publishes is missed.
 *
 * Returns: (transfer full): a watcher
 */
MonitorProgramWatcher *
monitor_program_watcher_new_for_command (GDBusConnection *connection, GPid pid)
{
  return watcher_new (connection, pid, TRUE);
}

GPid
monitor_program_watcher_get_pid (MonitorProgramWatcher *self)
{
  g_return_val_if_fail (MONITOR_IS_PROGRAM_WATCHER (self), 0);

  return self->pid;
}

const char *
monitor_program_watcher_get_state (MonitorProgramWatcher *self)
{
  g_return_val_if_fail (MONITOR_IS_PROGRAM_WATCHER (self), NULL);

  return self->state;
}

/* The columns of the current run's CPU samples, `host/core_N`, when it
 * runs across hosts; NULL otherwise. */
const char *const *
monitor_program_watcher_get_core_names (MonitorProgramWatcher *self)
{
  g_return_val_if_fail (MONITOR_IS_PROGRAM_WATCHER (self), NULL);

  return (const char *const *) self->core_names;
}
