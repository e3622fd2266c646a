/* monitor-application.c: the mpaio-monitor application
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Command-line options make the monitor scriptable: --run starts a demo run
 * at launch, --screenshot saves the window and quits, and --render draws a
 * chart from a CSV with no display at all. That last one is handled in
 * handle-local-options, which GApplication runs before startup, where
 * GtkApplication would open the display.
 *
 * The application is not unique: each instance has its own runs, and a
 * scripted screenshot must not be handed to an instance already open.
 */

#include <stdlib.h>

#include <glib/gi18n.h>
#include <mpaio.h>

#include "monitor-program-bus.h"
#include "monitor-program-watcher.h"
#include "monitor-run-render.h"
#include "monitor-csv-render.h"
#include "monitor-application.h"
#include "monitor-window.h"

#define DEFAULT_INTERVAL      200
#define DEFAULT_HISTORY       60
#define DEFAULT_RENDER_WIDTH  900
#define DEFAULT_RENDER_HEIGHT 500

struct _MonitorApplication
{
  GtkApplication parent_instance;

  guint    interval;
  guint    history;
  char    *run;
  char    *screenshot;
  double   after;
  int      width;
  int      height;
  gint64   rows;
  int      workers;
  int      partitions;
  int      rounds;
  char    *executor;
  char    *csv;
  gboolean quit_after_run;

  gboolean               list;
  gint                   attach_pid;
  GStrv                  command;
  GDBusConnection       *bus;
  MonitorProgramWatcher *watcher;
  GSubprocess           *child;
  gboolean               watched_run_done;
  gboolean               screenshot_after_run;

  /* The window's, kept for --csv: the window may be gone at shutdown. */
  MpaioCpuMonitor *monitor;

  gboolean screenshot_done;
  int      exit_status;
  gboolean run_done;
};

G_DEFINE_FINAL_TYPE (MonitorApplication, monitor_application, GTK_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "interval", 'i', 0, G_OPTION_ARG_INT, NULL,
    N_("Milliseconds between CPU samples (default: 200)"), N_("MS") },
    { "history", 0, 0, G_OPTION_ARG_INT, NULL,
      N_("Seconds of history the chart shows (default: 60)"), N_("SECONDS") },
      { "run", 'r', 0, G_OPTION_ARG_STRING, NULL,
        N_("Start a demo run at launch: sum, concat or compute"), N_("WORKLOAD") },
        { "rows", 0, 0, G_OPTION_ARG_INT64, NULL, N_("Rows of the demo run's array"), N_("N") },
          { "workers", 'w', 0, G_OPTION_ARG_INT, NULL,
            N_("Worker processes (or threads) of the demo run (default: one per core)"), N_("N") },
            { "partitions", 'p', 0, G_OPTION_ARG_INT, NULL,
              N_("Chunks the demo run's array is cut into (default: one per core)"), N_("N") },
              { "rounds", 0, 0, G_OPTION_ARG_INT, NULL,
                N_("Rounds of the 64-bit mixer per row of the compute workload (default: 64)"), N_("N") },
                { "executor", 'e', 0, G_OPTION_ARG_STRING, NULL,
                  N_("Where the demo run's chunks run: process (default) or thread"), N_("KIND") },
                  { "quit-after-run", 0, 0, G_OPTION_ARG_NONE, NULL,
                    N_("Quit when the run started by --run ends"), NULL },
                    { "csv", 0, 0, G_OPTION_ARG_FILENAME, NULL,
                      N_("Write the CPU samples as CSV when quitting (for --render or pandas)"), N_("FILE") },
                      { "screenshot", 0, 0, G_OPTION_ARG_FILENAME, NULL,
                        N_("Save the window as a PNG, then quit"), N_("FILE") },
                        { "after", 0, 0, G_OPTION_ARG_DOUBLE, NULL,
                          N_("Seconds after the first frame to take the screenshot (default: 1)"), N_("SECONDS") },
                          { "size", 0, 0, G_OPTION_ARG_STRING, NULL,
                            N_("Size of the window, or of the --render image (default: 1100x720, 900x500)"),
                                N_("WIDTHxHEIGHT") },
                            { "render", 0, 0, G_OPTION_ARG_FILENAME, NULL,
                              N_("Draw a run file (.json: CPU chart and chunk timeline) or a CSV of CPU samples (the "
       "chart) into --output and quit; needs no display"),
                                  N_("FILE") },
                              { "output", 'o', 0, G_OPTION_ARG_FILENAME, NULL, N_("Where --render writes its PNG"), N_("PNG") },
                                { "list", 'l', 0, G_OPTION_ARG_NONE, NULL,
                                  N_("List the mpaio programs that publish their runs (pid, state, command line), then quit"),
                                      NULL },
                                  { "attach", 'a', 0, G_OPTION_ARG_INT, NULL,
                                    N_("Watch the runs of the mpaio program of this process id"), N_("PID") },
                                    G_OPTION_ENTRY_NULL };

static gboolean
parse_size (const char *text,
            int        *width,
            int        *height)
{
  guint64 w, h;
  g_auto(GStrv) parts = g_strsplit (text, "x", 2);

  if (g_strv_length (parts) != 2 || !g_ascii_string_to_unsigned (parts[0], 10, 64, 16384, &w, NULL) || !g_ascii_string_to_unsigned (parts[1], 10, 64, 16384, &h, NULL))
    return FALSE;

  *width = (int) w;
  *height = (int) h;

  return TRUE;
}

static int
fail (const char *format,
      ...) G_GNUC_PRINTF (1, 2);

static int
fail (const char *format,
      ...)
{
  g_autofree char *message = NULL;
  va_list          args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("%s: %s\n", g_get_prgname (), message);

  return EXIT_FAILURE;
}

static int
list_programs (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_autoptr(GPtrArray) programs = NULL;

  if (bus != NULL)
    programs = monitor_list_programs (bus, NULL, &error);
  if (programs == NULL)
    return fail ("Could not list the programs on the session bus: %s", error->message);

  g_print ("%-8s %-10s %s\n", "PID", "STATE", "COMMAND");
  for (guint i = 0; i < programs->len; i++)
    {
      MonitorProgramInfo *info = g_ptr_array_index (programs, i);

      g_print ("%-8u %-10s %s\n", info->pid, info->state, info->command_line);
    }
  if (programs->len == 0)
    g_printerr ("%s: no mpaio program publishes its runs; start one with %s=1 in its "
                "environment, or with %s -- COMMAND\n",
                g_get_prgname (), MPAIO_MONITOR_ENV, g_get_prgname ());

  return EXIT_SUCCESS;
}

static int
monitor_application_handle_local_options (GApplication *application,
                                          GVariantDict *options)
{
  MonitorApplication *self = MONITOR_APPLICATION (application);
  g_autofree char    *render = NULL;
  g_autofree char    *output = NULL;
  g_autofree char    *size = NULL;
  gint32              interval = DEFAULT_INTERVAL, history = DEFAULT_HISTORY;
  gint32              workers = 0, partitions = 0, rounds = 0;
  MonitorWorkload     workload;
  MonitorExecutorKind kind;

  g_variant_dict_lookup (options, "render", "^ay", &render);
  g_variant_dict_lookup (options, "output", "^ay", &output);
  g_variant_dict_lookup (options, "size", "s", &size);
  g_variant_dict_lookup (options, "screenshot", "^ay", &self->screenshot);
  g_variant_dict_lookup (options, "csv", "^ay", &self->csv);
  g_variant_dict_lookup (options, "run", "s", &self->run);
  g_variant_dict_lookup (options, "executor", "s", &self->executor);
  g_variant_dict_lookup (options, "interval", "i", &interval);
  g_variant_dict_lookup (options, "history", "i", &history);
  g_variant_dict_lookup (options, "workers", "i", &workers);
  g_variant_dict_lookup (options, "partitions", "i", &partitions);
  g_variant_dict_lookup (options, "rounds", "i", &rounds);
  g_variant_dict_lookup (options, "rows", "x", &self->rows);
  self->quit_after_run = g_variant_dict_contains (options, "quit-after-run");
  if (!g_variant_dict_lookup (options, "after", "d", &self->after))
    self->after = 1.0;

  if (size != NULL && !parse_size (size, &self->width, &self->height))
    return fail ("--size takes WIDTHxHEIGHT, as in 800x600, not “%s”", size);

  if (render != NULL || output != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (render == NULL || output == NULL)
        return fail ("--render and --output go together");
      /* A run file: chart and timeline; a CSV of samples: the chart. */
      if (g_str_has_suffix (render, ".json")
            ? !monitor_run_render_to_png (render, output,
                                          self->width > 0 ? self->width : DEFAULT_RENDER_WIDTH,
                                          self->height > 0 ? self->height : DEFAULT_RENDER_HEIGHT,
                                          &error)
            : !monitor_csv_render_to_png (render, output,
                                          self->width > 0 ? self->width : DEFAULT_RENDER_WIDTH,
                                          self->height > 0 ? self->height : DEFAULT_RENDER_HEIGHT,
                                          &error))
        return fail ("%s", error->message);

      return EXIT_SUCCESS;
    }

  if (g_variant_dict_contains (options, "list"))
    return list_programs ();

  g_variant_dict_lookup (options, "attach", "i", &self->attach_pid);
  if (g_variant_dict_contains (options, "attach") && self->attach_pid <= 0)
    return fail ("--attach takes the process id of a running program, not %d", self->attach_pid);
  if (self->attach_pid > 0 && self->command != NULL)
    return fail ("Either --attach PID or -- COMMAND, not both");
  if ((self->attach_pid > 0 || self->command != NULL) && self->run != NULL)
    return fail ("--run starts a demo run; it does not go with --attach or -- COMMAND");

  if (interval < 10)
    return fail ("--interval must be at least 10 ms");
  if (history < 1)
    return fail ("--history must be at least 1 s");
  if (workers < 0 || partitions < 0 || rounds < 0 || self->rows < 0)
    return fail ("--workers, --partitions, --rounds and --rows cannot be negative");
  if (self->after < 0)
    return fail ("--after cannot be negative");
  if (self->run != NULL && !monitor_workload_from_string (self->run, &workload))
    return fail ("--run takes sum, concat or compute, not “%s”", self->run);
  if (self->executor != NULL && !monitor_executor_kind_from_string (self->executor, &kind))
    return fail ("--executor takes process or thread, not “%s”", self->executor);

  self->interval = (guint) interval;
  self->history = (guint) history;
  self->workers = workers;
  self->partitions = partitions;
  self->rounds = rounds;

  /* Carry on: startup, then activate. */
  return -1;
}

static void
maybe_quit (MonitorApplication *self)
{
  gboolean screenshot_pending = self->screenshot != NULL && !self->screenshot_done;
  gboolean watching = self->attach_pid > 0 || self->command != NULL;
  gboolean run_pending = self->quit_after_run && ((self->run != NULL && !self->run_done) || (watching && !self->watched_run_done));

  if (self->screenshot == NULL && !self->quit_after_run)
    return;

  if (!screenshot_pending && !run_pending)
    g_application_quit (G_APPLICATION (self));
}

static void
take_screenshot (MonitorApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  g_autoptr(GError) error = NULL;

  if (window == NULL || !monitor_window_save_screenshot (MONITOR_WINDOW (window), self->screenshot, &error))
    {
      self->exit_status = fail ("Could not save the screenshot: %s",
                                error != NULL ? error->message : "no window");
      g_application_quit (G_APPLICATION (self));
      return;
    }

  self->screenshot_done = TRUE;
  maybe_quit (self);
}

static void
on_after_paint (GdkFrameClock      *clock,
                MonitorApplication *self)
{
  g_signal_handlers_disconnect_by_func (clock, on_after_paint, self);
  take_screenshot (self);
}

/* A widget's last drawing, which the screenshot renders, is dropped as soon
 * as anything asks for a redraw (a new CPU sample does): the capture waits
 * for the end of the next frame, when every drawing is fresh. */
static gboolean
on_screenshot_due (gpointer user_data)
{
  MonitorApplication *self = MONITOR_APPLICATION (user_data);
  GtkWindow          *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  GdkFrameClock      *clock = window != NULL ? gtk_widget_get_frame_clock (GTK_WIDGET (window)) : NULL;

  if (clock == NULL)
    {
      take_screenshot (self);
      return G_SOURCE_REMOVE;
    }

  g_signal_connect_object (clock, "after-paint", G_CALLBACK (on_after_paint), self, 0);
  gtk_widget_queue_draw (GTK_WIDGET (window));

  return G_SOURCE_REMOVE;
}

static void
on_first_frame (GdkFrameClock      *clock,
                MonitorApplication *self)
{
  g_signal_handlers_disconnect_by_func (clock, on_first_frame, self);

  /* A watched run is shown once it is over, fitted to the window. */
  if ((self->attach_pid > 0 || self->command != NULL) && self->quit_after_run && !self->watched_run_done)
    {
      self->screenshot_after_run = TRUE;
      return;
    }

  /* Counted from the first frame, not from launch: start-up time varies
   * (a cold start is seconds), the state shown should not. */
  g_timeout_add_full (G_PRIORITY_DEFAULT, (guint) (self->after * 1000), on_screenshot_due,
                      g_object_ref (self), g_object_unref);
}

static void
on_run_finished (MonitorRunPanel    *panel,
                 gboolean            success,
                 MonitorApplication *self)
{
  /* For scripts and logs: how the run went. */
  g_print ("%s: %s run: %s\n", g_get_prgname (), self->run,
           monitor_run_panel_get_summary (panel));

  self->run_done = TRUE;
  /* A script waiting for the run learns how it went from the status. */
  if (!success && self->quit_after_run)
    self->exit_status = EXIT_FAILURE;
  maybe_quit (self);
}

static void
apply_run_options (MonitorApplication *self,
                   MonitorRunPanel    *panel)
{
  MonitorWorkload     workload;
  MonitorExecutorKind kind;

  if (self->run != NULL && monitor_workload_from_string (self->run, &workload))
    monitor_run_panel_set_workload (panel, workload);
  if (self->executor != NULL && monitor_executor_kind_from_string (self->executor, &kind))
    monitor_run_panel_set_executor_kind (panel, kind);
  /* After the workload: choosing one resets the rows to its default. */
  if (self->rows > 0)
    monitor_run_panel_set_n_rows (panel, (guint64) self->rows);
  if (self->workers > 0)
    monitor_run_panel_set_n_workers (panel, (guint) self->workers);
  if (self->partitions > 0)
    monitor_run_panel_set_n_partitions (panel, (guint) self->partitions);
  if (self->rounds > 0)
    monitor_run_panel_set_rounds (panel, (guint) self->rounds);
}

static void
on_watched_run_finished (MonitorProgramWatcher *watcher,
                         guint                  run,
                         GVariant              *info,
                         MonitorApplication    *self)
{
  const char *state = "finished";
  const char *message = "";
  gint64      start_us = 0, end_us = 0;

  g_variant_lookup (info, "state", "&s", &state);
  g_variant_lookup (info, "message", "&s", &message);
  g_variant_lookup (info, "start-us", "x", &start_us);
  g_variant_lookup (info, "end-us", "x", &end_us);
  g_print ("%s: process %d, run %u: %s in %.3f s%s%s\n", g_get_prgname (),
           (int) monitor_program_watcher_get_pid (watcher), run, state,
           (double) (end_us - start_us) / G_USEC_PER_SEC, *message ? ": " : "", message);

  self->watched_run_done = TRUE;
  if (g_strcmp0 (state, "finished") != 0 && self->quit_after_run)
    self->exit_status = EXIT_FAILURE;

  if (self->screenshot_after_run)
    {
      self->screenshot_after_run = FALSE;
      g_timeout_add_full (G_PRIORITY_DEFAULT, (guint) (self->after * 1000), on_screenshot_due,
                          g_object_ref (self), g_object_unref);
      return;
    }
  maybe_quit (self);
}

static void
on_child_exited (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(MonitorApplication) self = user_data;
  GSubprocess *child = G_SUBPROCESS (source);

  if (!g_subprocess_wait_finish (child, result, NULL))
    return;

  if (g_subprocess_get_if_exited (child))
    g_print ("%s: %s exited with status %d\n", g_get_prgname (), self->command[0],
             g_subprocess_get_exit_status (child));
  else
    g_print ("%s: %s was killed by signal %d\n", g_get_prgname (), self->command[0],
             g_subprocess_get_term_sig (child));

  /* A program that never ran anything has nothing more to show. */
  if (!self->watched_run_done && self->quit_after_run)
    {
      self->watched_run_done = TRUE;
      self->exit_status = EXIT_FAILURE;
      maybe_quit (self);
    }
}

/* --attach PID, or -- COMMAND started with publishing on and this
 * monitor as its watcher from the start. */
static gboolean
start_watching (MonitorApplication *self,
                MonitorWindow      *window,
                GError            **error)
{
  GPid pid = self->attach_pid;

  self->bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, error);
  if (self->bus == NULL)
    return FALSE;

  if (self->command != NULL)
    {
      g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
      const char *identifier;

      g_subprocess_launcher_setenv (launcher, MPAIO_MONITOR_ENV, "1", TRUE);
      g_subprocess_launcher_setenv (launcher, "MPAIO_MONITOR_WATCHER",
                                    g_dbus_connection_get_unique_name (self->bus), TRUE);
      self->child = g_subprocess_launcher_spawnv (launcher, (const char *const *) self->command,
                                                  error);
      if (self->child == NULL)
        return FALSE;

      identifier = g_subprocess_get_identifier (self->child);
      pid = identifier != NULL ? (GPid) g_ascii_strtoll (identifier, NULL, 10) : 0;
      g_subprocess_wait_async (self->child, NULL, on_child_exited, g_object_ref (self));
      if (pid <= 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s exited at once",
                       self->command[0]);
          return FALSE;
        }
    }

  if (self->attach_pid > 0)
    {
      g_autoptr(GError) bus_error = NULL;

      if (!monitor_program_is_on_bus (self->bus, pid, NULL, &bus_error))
        {
          if (bus_error != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&bus_error));
              return FALSE;
            }
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       "Process %d does not publish its runs: start it with %s=1 in its "
                       "environment, or with %s -- COMMAND (see %s --list)",
                       (int) pid, MPAIO_MONITOR_ENV, g_get_prgname (), g_get_prgname ());
          return FALSE;
        }
    }

  /* Subscribed before the main loop runs again: nothing the program
   * publishes is missed. */
  /* A command may be a launcher (mpirun): its program is then a child. */
  self->watcher = self->command != NULL ? monitor_program_watcher_new_for_command (self->bus, pid)
                                        : monitor_program_watcher_new (self->bus, pid);
  g_signal_connect_object (self->watcher, "run-finished", G_CALLBACK (on_watched_run_finished),
                           self, 0);
  monitor_window_watch (window, self->watcher);

  return TRUE;
}

/**
 * monitor_application_set_command:
 * @self: the application
 * @command: (array zero-terminated=1): a program and its arguments
 *
 * The program `mpaio-monitor -- COMMAND ARGS…` starts with monitoring on and
 * watches.
 */
void
monitor_application_set_command (MonitorApplication *self,
                                 const char *const  *command)
{
  g_return_if_fail (MONITOR_IS_APPLICATION (self));

  g_strfreev (self->command);
  self->command = command != NULL && command[0] != NULL ? g_strdupv ((char **) command) : NULL;
}

static void
monitor_application_activate (GApplication *application)
{
  MonitorApplication *self = MONITOR_APPLICATION (application);
  GtkWindow          *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  MonitorRunPanel    *panel;

  if (window != NULL)
    {
      gtk_window_present (window);
      return;
    }

  window = GTK_WINDOW (monitor_window_new (GTK_APPLICATION (self), self->interval,
                                           self->history));
  if (self->width > 0 && self->height > 0)
    gtk_window_set_default_size (window, self->width, self->height);

  panel = monitor_window_get_run_panel (MONITOR_WINDOW (window));
  g_set_object (&self->monitor,
                monitor_window_get_cpu_monitor (MONITOR_WINDOW (window)));
  apply_run_options (self, panel);
  if (self->run != NULL)
    g_signal_connect_object (panel, "run-finished", G_CALLBACK (on_run_finished), self, 0);

  gtk_window_present (window);

  if (self->screenshot != NULL)
    g_signal_connect_object (gtk_widget_get_frame_clock (GTK_WIDGET (window)), "after-paint",
                             G_CALLBACK (on_first_frame), self, 0);

  if (self->run != NULL)
    monitor_run_panel_start (panel);

  if (self->attach_pid > 0 || self->command != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!start_watching (self, MONITOR_WINDOW (window), &error))
        {
          self->exit_status = fail ("%s", error->message);
          g_application_quit (application);
        }
    }
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  GtkApplication *application = GTK_APPLICATION (user_data);
  const char     *authors[] = { "The mpaio authors", NULL };

  gtk_show_about_dialog (gtk_application_get_active_window (application),
                         "program-name", _("mpaio Monitor"), "logo-icon-name", MONITOR_APPLICATION_ID, "comments", _("Per-core CPU utilisation, and which worker process ran "
                                       "which chunk when"),
                                                                                                                       "version", MPAIO_VERSION_S, "license-type", GTK_LICENSE_LGPL_2_1, "authors", authors, NULL);
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

/* mpaio-monitor run.json: the runs saved in the files, the last one shown. */
static void
monitor_application_open (GApplication *application,
                          GFile       **files,
                          int           n_files,
                          const char   *hint)
{
  MonitorApplication *self = MONITOR_APPLICATION (application);
  GtkWindow          *window;

  g_application_activate (application);
  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (window == NULL)
    return;

  for (int i = 0; i < n_files; i++)
    {
      g_autoptr(GError) error = NULL;

      if (!monitor_window_open_run_file (MONITOR_WINDOW (window), files[i], &error))
        {
          g_autofree char *name = g_file_get_parse_name (files[i]);

          self->exit_status = fail ("%s: %s", name, error->message);
          g_application_quit (application);
          return;
        }
    }
}

static void
monitor_application_startup (GApplication *application)
{
  const GActionEntry actions[] = {
    { "about", about_activated, NULL, NULL, NULL },
    { "quit", quit_activated, NULL, NULL, NULL },
  };
  const char *quit_accels[] = { "<Control>q", NULL };

  G_APPLICATION_CLASS (monitor_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (application), actions, G_N_ELEMENTS (actions),
                                   application);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "app.quit", quit_accels);
  {
    const struct
    {
      const char *action;
      const char *accels[3];
    } accels[] = {
      { "window.close", { "<Control>w", NULL } },
      { "win.show-help-overlay", { "<Control>question", "<Control>F1", NULL } },
      { "win.open-run", { "<Control>o", NULL } },
      { "win.save-run", { "<Control>s", NULL } },
    };

    for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
      gtk_application_set_accels_for_action (GTK_APPLICATION (application), accels[i].action,
                                             accels[i].accels);
  }
  gtk_window_set_default_icon_name (MONITOR_APPLICATION_ID);
}

static void
monitor_application_shutdown (GApplication *application)
{
  MonitorApplication *self = MONITOR_APPLICATION (application);

  if (self->csv != NULL && self->monitor != NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (self->csv);
      g_autoptr(GError) error = NULL;

      if (!mpaio_cpu_monitor_write_csv_to_file (self->monitor, file, NULL, &error))
        self->exit_status = fail ("Could not write %s: %s", self->csv, error->message);
    }

  G_APPLICATION_CLASS (monitor_application_parent_class)->shutdown (application);
}

static void
monitor_application_finalize (GObject *object)
{
  MonitorApplication *self = MONITOR_APPLICATION (object);

  g_clear_object (&self->monitor);
  g_clear_object (&self->watcher);
  if (self->child != NULL)
    g_subprocess_force_exit (self->child);
  g_clear_object (&self->child);
  g_clear_object (&self->bus);
  g_strfreev (self->command);
  g_free (self->csv);
  g_free (self->run);
  g_free (self->screenshot);
  g_free (self->executor);

  G_OBJECT_CLASS (monitor_application_parent_class)->finalize (object);
}

static void
monitor_application_class_init (MonitorApplicationClass *klass)
{
  GObjectClass      *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = monitor_application_finalize;

  application_class->handle_local_options = monitor_application_handle_local_options;
  application_class->startup = monitor_application_startup;
  application_class->activate = monitor_application_activate;
  application_class->open = monitor_application_open;
  application_class->shutdown = monitor_application_shutdown;
}

static void
monitor_application_init (MonitorApplication *self)
{
  self->interval = DEFAULT_INTERVAL;
  self->history = DEFAULT_HISTORY;

  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self),
                                                     _("[RUN.json…] [-- COMMAND [ARG…]]"));
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Plots per-core CPU utilisation live and shows "
                                              "which worker process ran which chunk when."));
}

MonitorApplication *
monitor_application_new (void)
{
  return g_object_new (MONITOR_TYPE_APPLICATION,
                       "application-id", MONITOR_APPLICATION_ID,
                       "flags", G_APPLICATION_NON_UNIQUE | G_APPLICATION_HANDLES_OPEN,
                       NULL);
}

/**
 * monitor_application_get_exit_status:
 * @self: the application
 *
 * What the process should exit with once g_application_run() has returned:
 * a scripted screenshot that could not be written is a failure, though the
 * application quit normally.
 *
 * Returns: an exit status
 */
int
monitor_application_get_exit_status (MonitorApplication *self)
{
  g_return_val_if_fail (MONITOR_IS_APPLICATION (self), EXIT_FAILURE);

  return self->exit_status;
}

/* Whether the machine has a GPU render node, as Mesa needs for hardware
 * GL. */
static gboolean
has_render_node (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/dev/dri", 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      if (g_str_has_prefix (name, "renderD"))
        return TRUE;
    }

  return FALSE;
}

/**
 * monitor_application_choose_renderer:
 *
 * Picks GTK's renderer before any window exists. Without a GPU, GTK's GL
 * renderer runs on the CPU (Mesa's llvmpipe), on the very cores the monitor
 * watches, and redraws the whole window every frame: under Xvfb, a
 * CPU-bound run took several times as long and single frames stalled.
 * The cairo renderer redraws only what changed. A GSK_RENDERER the user set
 * wins.
 */
void
monitor_application_choose_renderer (void)
{
  if (g_getenv ("GSK_RENDERER") == NULL && !has_render_node ())
    g_setenv ("GSK_RENDERER", "cairo", FALSE);
}
