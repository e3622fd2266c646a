/* bench-publish.c: what publishing a run for mpaio-monitor costs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   dbus-run-session -- bench-publish [--chunks N]
 *
 * The dispatch benchmark's run (an empty `process`, one row per chunk,
 * 1,000,000 chunks by default, MpaioProcessPool of 2 worker processes) with
 * monitoring off, and on with a watcher: a separate process (this program
 * started with --watch PID) that asks for the live feed and counts the
 * chunk records it receives. A run lasts about half a second, so the feed's
 * batches (four a second) go out during it, as in a long run, and not only
 * when it ends.
 *
 * Each round runs both modes, in turns first (off-on, then on-off), so
 * that neither always follows the other; the cost is the median of the
 * rounds' own ratios, which a machine that slows down or speeds up between
 * rounds does not skew. The watcher must have received every record of the
 * watched runs.
 *
 * On a shared machine another program slows single runs a great deal (a
 * round's ratio may be anywhere from 0.8 to 1.2 with both modes the same),
 * so the table gives the confidence interval of the median too, and the
 * CPU time each process involved spent per chunk in either mode: what
 * publishing itself adds, in the program, the watcher and the bus daemon.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <errno.h>
#include <sys/mman.h>

#include <gio/gunixfdlist.h>
#include <gio/gunixinputstream.h>

#include "bench-common.h"
#include "monitor-program-bus.h"

#define N_WORKERS      2
#define DEFAULT_ROUNDS 21
#define MAX_ROUNDS     1000
#define MIN_CHUNKS     1000

/* The watcher */

typedef struct
{
  GDBusConnection *connection;
  GPid             pid;
  char            *path;
  char            *name;
  guint64          n_records;  /* read, over all runs */
  guint64          n_progress; /* Progress signals, over all runs */
  guint64          n_read;     /* of the current run */
  const guint8    *map;        /* of the current run's records file */
  gsize            map_size;
  gint64           checksum;
  GMainLoop       *loop;
} Watcher;

/* What a monitor does: reads every new record (72 bytes each, see
 * org.mpaio.Program1.xml; the pid is at byte 32). */
static void
read_records (Watcher *watcher, guint64 n_records)
{
  n_records = MIN (n_records, watcher->map_size / 72);
  for (guint64 i = watcher->n_read; i < n_records; i++)
    {
      gint32 pid;

      memcpy (&pid, watcher->map + i * 72 + 32, sizeof pid);
      watcher->checksum += pid;
    }
  if (n_records > watcher->n_read)
    {
      watcher->n_records += n_records - watcher->n_read;
      watcher->n_read = n_records;
    }
}

static void
on_get_run (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Watcher *watcher = user_data;
  g_autoptr(GUnixFDList) fd_list = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_with_unix_fd_list_finish (
    G_DBUS_CONNECTION (source), &fd_list, result, &error);
  g_autoptr(GVariant) info = NULL;
  g_autoptr(GVariant) samples = NULL;
  guint64 n_records = 0, capacity = 0;
  gint32  handle;
  void   *map;
  int     fd;

  if (reply == NULL)
    g_error ("bench-publish --watch: %s", error->message);

  g_variant_get (reply, "(@a{sv}ht@a(dadd))", &info, &handle, &n_records, &samples);
  g_variant_lookup (info, "records-capacity", "t", &capacity);
  fd = g_unix_fd_list_get (fd_list, handle, &error);
  if (fd < 0)
    g_error ("bench-publish --watch: %s", error->message);
  map = mmap (NULL, capacity * 72, PROT_READ, MAP_SHARED, fd, 0);
  close (fd);
  if (map == MAP_FAILED)
    g_error ("bench-publish --watch: mmap: %s", g_strerror (errno));

  if (watcher->map != NULL)
    munmap ((void *) watcher->map, watcher->map_size);
  watcher->map = map;
  watcher->map_size = capacity * 72;
  watcher->n_read = 0;
  read_records (watcher, n_records);
}

static void
on_signal (GPid pid, const char *signal, GVariant *parameters, gpointer user_data)
{
  Watcher *watcher = user_data;
  guint    run = 0;
  guint64  n_records = 0;

  if (g_str_equal (signal, "RunStarted"))
    {
      g_variant_get_child (parameters, 0, "u", &run);
      g_dbus_connection_call_with_unix_fd_list (
        watcher->connection, watcher->name, watcher->path, MONITOR_PROGRAM_INTERFACE, "GetRun",
        g_variant_new ("(u)", run), G_VARIANT_TYPE ("(a{sv}hta(dadd))"), G_DBUS_CALL_FLAGS_NONE,
        -1, NULL, NULL, on_get_run, watcher);
    }
  else if (g_str_equal (signal, "Progress") && watcher->map != NULL)
    {
      g_variant_get_child (parameters, 1, "t", &n_records);
      read_records (watcher, n_records);
      watcher->n_progress++;
    }
}

static void
on_watch_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GVariant) reply =
               g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, NULL);

  if (reply != NULL)
    {
      g_print ("watching\n");
      fflush (stdout);
    }
}

static void
on_program_appeared (GDBusConnection *connection,
                     const char      *name,
                     const char      *owner,
                     gpointer         user_data)
{
  Watcher *watcher = user_data;

  g_dbus_connection_call (connection, name, watcher->path, MONITOR_PROGRAM_INTERFACE, "Watch", NULL,
                          NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, on_watch_done, watcher);
}

static void
on_last_call_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Watcher *watcher = user_data;
  g_autoptr(GVariant) properties =
               monitor_program_get_properties_finish (G_DBUS_CONNECTION (source), result, NULL);

  g_main_loop_quit (watcher->loop);
}

static void
on_stdin_closed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Watcher *watcher = user_data;
  g_autoptr(GBytes) bytes =
               g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, NULL);

  /* The program's reply comes after every signal it sent before it. */
  monitor_program_get_properties (watcher->connection, watcher->pid, NULL, on_last_call_done,
                                  watcher);
}

/* Watches the program @pid (again each time it comes back on the bus)
 * until standard input closes, then prints the records received. */
static int
watch (gint pid)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) input = g_unix_input_stream_new (0, FALSE);
  Watcher watcher = { 0 };
  guint   subscription, watch_id;

  watcher.connection = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  if (watcher.connection == NULL)
    g_error ("bench-publish --watch: %s", error->message);
  watcher.pid = pid;
  watcher.path = monitor_program_object_path (pid);
  watcher.name = monitor_program_bus_name (pid);
  watcher.loop = g_main_loop_new (NULL, FALSE);

  subscription = monitor_program_subscribe (watcher.connection, pid, on_signal, &watcher);
  watch_id =
    monitor_program_watch_name (watcher.connection, pid, on_program_appeared, NULL, &watcher);
  g_input_stream_read_bytes_async (input, 1, G_PRIORITY_DEFAULT, NULL, on_stdin_closed, &watcher);
  g_main_loop_run (watcher.loop);

  g_print ("records %" G_GUINT64_FORMAT " progress %" G_GUINT64_FORMAT "\n", watcher.n_records,
           watcher.n_progress);

  g_bus_unwatch_name (watch_id);
  g_dbus_connection_signal_unsubscribe (watcher.connection, subscription);
  if (watcher.map != NULL)
    munmap ((void *) watcher.map, watcher.map_size);
  g_main_loop_unref (watcher.loop);
  g_object_unref (watcher.connection);
  g_free (watcher.name);
  g_free (watcher.path);
  return EXIT_SUCCESS;
}

/* The benchmark */

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return (x > y) - (x < y);
}

typedef struct
{
  GSubprocess      *process;
  GDataInputStream *output;
} WatcherProcess;

static void
on_line (GObject *source, GAsyncResult *result, gpointer user_data)
{
  char **line = user_data;

  *line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (source), result, NULL, NULL);
  if (*line == NULL)
    *line = g_strdup ("");
}

/* Reads a line while the main context runs: the program answers the
 * watcher's calls on it. */
static char *
read_line (WatcherProcess *watcher)
{
  char *line = NULL;

  g_data_input_stream_read_line_async (watcher->output, G_PRIORITY_DEFAULT, NULL, on_line, &line);
  while (line == NULL)
    g_main_context_iteration (NULL, TRUE);

  return line;
}

static gdouble
run_once (MpaioExecutor *executor, MpaioDataIterator *iterator, GError **error)
{
  g_autoptr(BenchEmptyWorker) worker = bench_empty_worker_new (iterator);
  gdouble seconds = bench_run_worker (executor, MPAIO_WORKER (worker), NULL, error);

  return seconds < 0 ? -1.0 : mpaio_data_iterator_get_n_chunks (iterator) / seconds;
}

/* Where the CPU time of a run goes: what publishing adds is in this
 * process (its main thread, and its other threads: the bus's), in the
 * watcher and in the bus daemon. */
enum
{
  CPU_MAIN_THREAD,
  CPU_PROGRAM,
  CPU_WORKERS,
  CPU_WATCHER,
  CPU_BUS,
  N_CPU
};

static const char *const cpu_names[N_CPU] = {
  "the program's main thread", "the program (all its threads)", "the worker processes",
  "the watcher", "the bus daemon"
};

static void
read_cpu (MpaioExecutor *executor, GPid watcher, GPid bus, guint64 *ns)
{
  ns[CPU_MAIN_THREAD] = bench_read_cpu_ns (0);
  ns[CPU_PROGRAM] = bench_read_process_cpu_ns (0);
  ns[CPU_WORKERS] = bench_read_workers_cpu_ns (executor);
  ns[CPU_WATCHER] = bench_read_process_cpu_ns (watcher);
  ns[CPU_BUS] = bus > 0 ? bench_read_process_cpu_ns (bus) : 0;
}

/* The bus daemon answers for its own name with its pid. */
static GPid
bus_daemon_pid (void)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GVariant) reply = NULL;
  guint32 pid = 0;

  if (bus != NULL)
    reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                         "org.freedesktop.DBus", "GetConnectionUnixProcessID",
                                         g_variant_new ("(s)", "org.freedesktop.DBus"),
                                         G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                         NULL);
  if (reply != NULL)
    g_variant_get (reply, "(u)", &pid);

  return (GPid) pid;
}

int
main (int argc, char **argv)
{
  gint64             n_chunks = 1000000;
  gint               n_rounds = DEFAULT_ROUNDS;
  gint               watch_pid = 0;
  const GOptionEntry entries[] = {
    { "chunks", 'n', 0, G_OPTION_ARG_INT64, &n_chunks, "Chunks per run (default 1000000)", "N" },
    { "rounds", 'r', 0, G_OPTION_ARG_INT, &n_rounds, "Rounds of both modes (default 21)", "N" },
    { "watch", 0, 0, G_OPTION_ARG_INT, &watch_pid, "Be the watcher of the program PID", "PID" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioDataIterator) iterator = NULL;
  g_autoptr(MpaioProcessPool) pool = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(BenchTable) table = NULL;
  g_autofree char    *pid_s = NULL;
  g_autofree char    *last = NULL;
  g_autofree char    *title = NULL;
  g_autofree gdouble *off_rates = NULL, *on_rates = NULL, *ratios = NULL, *sorted = NULL;
  WatcherProcess      watcher = { 0 };
  GPid                watcher_pid, bus_pid;
  gdouble             off_rate, on_rate, ratio, off_total = 0, on_total = 0;
  guint64             cpu_ns[2][N_CPU] = { { 0 } };
  guint64             n_watched = 0, n_received = 0, n_progress = 0;
  guint               rounds, ci, half_width;

  bench_init (&argc, &argv);

  context = g_option_context_new ("— the cost of publishing runs on the session bus");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || n_chunks < MIN_CHUNKS || n_rounds < 1 || n_rounds > MAX_ROUNDS)
    {
      g_printerr ("bench-publish: %s\n",
                  error != NULL ? error->message : "--chunks ≥ 1000, 1 ≤ --rounds ≤ 1000");
      return EXIT_FAILURE;
    }

  if (watch_pid > 0)
    return watch (watch_pid);

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_print ("bench-publish: no session bus; run it under dbus-run-session\n");
      return EXIT_SUCCESS;
    }

  rounds = (guint) n_rounds;
  off_rates = g_new0 (gdouble, rounds);
  on_rates = g_new0 (gdouble, rounds);
  ratios = g_new0 (gdouble, rounds);
  sorted = g_new0 (gdouble, rounds);

  iterator = bench_one_row_chunks_new ((guint64) n_chunks, &error);
  if (iterator != NULL)
    pool = bench_process_pool_new (N_WORKERS, 0, &error);
  if (pool == NULL)
    g_error ("bench-publish: %s", error->message);

  pid_s = g_strdup_printf ("%d", (int) getpid ());
  launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  watcher.process =
    g_subprocess_launcher_spawn (launcher, &error, "/proc/self/exe", "--watch", pid_s, NULL);
  if (watcher.process == NULL)
    g_error ("bench-publish: %s", error->message);
  watcher.output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (watcher.process));
  watcher_pid = (GPid) g_ascii_strtoll (g_subprocess_get_identifier (watcher.process),
                                        NULL, 10);
  bus_pid = bus_daemon_pid ();

  /* Round 0 warms both modes up and is not counted. */
  for (guint i = 0; i <= rounds; i++)
    {
      for (guint turn = 0; turn < 2; turn++)
        {
          gboolean on = (turn + i) % 2 == 1;
          gdouble  rate;
          guint64  before[N_CPU], after[N_CPU];

          /* Off first: the program comes back on the bus for the watcher. */
          mpaio_set_monitoring_enabled (FALSE);
          if (on)
            {
              g_autofree char *line = NULL;

              /* On the bus again: the watcher asks for the feed before the run. */
              mpaio_set_monitoring_enabled (TRUE);
              line = read_line (&watcher);

              if (!g_str_equal (line, "watching"))
                g_error ("bench-publish: the watcher said “%s”", line);
              n_watched += (guint64) n_chunks;
            }

          read_cpu (MPAIO_EXECUTOR (pool), watcher_pid, bus_pid, before);
          if ((rate = run_once (MPAIO_EXECUTOR (pool), iterator, &error)) < 0)
            g_error ("bench-publish: %s", error->message);
          read_cpu (MPAIO_EXECUTOR (pool), watcher_pid, bus_pid, after);
          if (i == 0)
            continue;

          for (guint c = 0; c < N_CPU; c++)
            cpu_ns[on][c] += after[c] - before[c];
          if (on)
            on_rates[i - 1] = rate;
          else
            off_rates[i - 1] = rate;
        }
      if (i > 0)
        ratios[i - 1] = on_rates[i - 1] / off_rates[i - 1];
    }

  g_output_stream_close (g_subprocess_get_stdin_pipe (watcher.process), NULL, NULL);
  last = read_line (&watcher);
  if (sscanf (last, "records %" G_GUINT64_FORMAT " progress %" G_GUINT64_FORMAT, &n_received,
              &n_progress)
      != 2)
    g_error ("bench-publish: the watcher said “%s”", last);
  g_subprocess_wait (watcher.process, NULL, NULL);
  mpaio_set_monitoring_enabled (FALSE);
  g_object_unref (watcher.output);
  g_object_unref (watcher.process);

  memcpy (sorted, ratios, rounds * sizeof ratios[0]);
  qsort (sorted, rounds, sizeof sorted[0], compare_doubles);
  ratio = bench_median (ratios, rounds);
  off_rate = bench_median (off_rates, rounds);
  on_rate = bench_median (on_rates, rounds);

  title = g_strdup_printf ("publish: the dispatch run (%" G_GINT64_FORMAT
                           " empty one-row chunks, 2 worker processes) with monitoring off and "
                           "on, watched (median of %u rounds of both, in turns first, after a "
                           "warm-up)",
                           n_chunks, rounds);
  table = bench_table_new (title);
  {
    g_autofree char *off_s = bench_format_rate (off_rate, "chunks");
    g_autofree char *on_s = bench_format_rate (on_rate, "chunks");
    g_autofree char *ratio_text = bench_format_ratio (ratio);

    bench_table_add (table, "monitoring off", off_s, NULL, NULL, NULL, NULL);
    bench_table_add_check (table, "monitoring on, a watcher receiving every record", on_s,
                           "monitoring off", ratio_text, "≥ 0.98× (≤ 2 % cost)",
                           ratio >= 0.98);
  }
  /* The rounds' ratios bound their median, whatever their distribution:
   * with 95 % confidence it lies between these two of them. */
  for (half_width = 0; (guint64) (half_width + 1) * (half_width + 1) * 10000 <= 38416 * (guint64) rounds;
       half_width++)
    ; /* ⌊1.96 √rounds⌋ */
  ci = rounds > half_width ? (rounds - half_width) / 2 : 0;
  bench_table_add_note (table,
                        "ratio = the median of the rounds' own on/off ratios: %.3f–%.3f over "
                        "the rounds, middle half %.3f–%.3f, 95 %% confidence interval of the "
                        "median %.3f–%.3f (another program slowing a run moves a round's ratio "
                        "either way); a rate is better when higher.",
                        sorted[0], sorted[rounds - 1], sorted[rounds / 4],
                        sorted[rounds - 1 - rounds / 4], sorted[MIN (ci, rounds - 1)],
                        sorted[rounds - 1 - MIN (ci, rounds - 1)]);
  /* CPU time does not move with what else the machine runs as much as
   * the rate does: what publishing costs, where. */
  for (guint c = 0; c < N_CPU; c++)
    {
      gdouble off = cpu_ns[0][c] / 1e3 / ((double) n_chunks * rounds);
      gdouble on = cpu_ns[1][c] / 1e3 / ((double) n_chunks * rounds);

      if (c != CPU_MAIN_THREAD)
        {
          off_total += off;
          on_total += on;
        }
      bench_table_add_note (table, "CPU time of %s per chunk: %.3f µs off, %.3f µs on (%+.3f µs).",
                            cpu_names[c], off, on, on - off);
    }
  bench_table_add_note (table,
                        "CPU time of all these processes per chunk: %.3f µs off, %.3f µs on "
                        "(%.3f×: publishing costs %+.1f %% in CPU time).",
                        off_total, on_total, off_total / MAX (on_total, 1e-9),
                        100.0 * (on_total / MAX (off_total, 1e-9) - 1.0));
  bench_table_add_note (table,
                        "the watcher (a separate process on the same private bus) received "
                        "%" G_GUINT64_FORMAT " chunk records of the %" G_GUINT64_FORMAT
                        " the watched runs had, in %" G_GUINT64_FORMAT " Progress signals.",
                        n_received, n_watched, n_progress);
  bench_table_print (table);

  if (n_received != n_watched)
    {
      g_printerr ("bench-publish: the watcher lost records\n");
      return EXIT_FAILURE;
    }

  return EXIT_SUCCESS;
}
