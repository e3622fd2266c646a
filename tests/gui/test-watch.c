/* test-watch.c: mpaio-monitor watches programs that publish their runs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Runs under dbus-run-session and Xvfb. The watched program is a real,
 * separate mpaio program (watched-program) started with MPAIO_MONITOR=1,
 * whose runs the test starts by writing a line to it.
 */

#include <fcntl.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <mpaio.h>

#include "gui-test-util.h"
#include "monitor-program-bus.h"
#include "monitor-program-watcher.h"
#include "monitor-window.h"

typedef struct
{
  GSubprocess      *process;
  GDataInputStream *output;
  GOutputStream    *input;
  GPid              pid;
  guint             n_done;
} Watched;

static char *
read_line (Watched *watched)
{
  g_autoptr(GError) error = NULL;
  char *line = g_data_input_stream_read_line (watched->output, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (line);
  return line;
}

/* Started with publishing on; returns once it is on the bus. */
static Watched *
watched_start (guint n_chunks, guint rounds)
{
  g_autoptr(GSubprocessLauncher) launcher =
               g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_autofree char *program = g_test_build_filename (G_TEST_BUILT, "watched-program", NULL);
  g_autofree char *chunks = g_strdup_printf ("%u", n_chunks);
  g_autofree char *rounds_s = g_strdup_printf ("%u", rounds);
  g_autofree char *ready = NULL;
  Watched         *watched = g_new0 (Watched, 1);

  g_assert_no_error (error);
  g_subprocess_launcher_setenv (launcher, "MPAIO_MONITOR", "1", TRUE);
  watched->process =
    g_subprocess_launcher_spawn (launcher, &error, program, chunks, rounds_s, NULL);
  g_assert_no_error (error);
  watched->pid = (GPid) g_ascii_strtoll (g_subprocess_get_identifier (watched->process), NULL, 10);
  watched->output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (watched->process));
  watched->input = g_subprocess_get_stdin_pipe (watched->process);

  ready = read_line (watched);
  g_assert_cmpstr (ready, ==, "ready");

  monitor_program_wait_on_bus (bus, watched->pid);

  return watched;
}

static void
watched_start_run (Watched *watched)
{
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (watched->input, "run\n", 4, NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
watched_wait_run (Watched *watched)
{
  g_autofree char *line = read_line (watched);
  g_autofree char *expected = g_strdup_printf ("done %u", ++watched->n_done);

  g_assert_cmpstr (line, ==, expected);
}

static GPid watched_pid_of_last_stop;

static void
watched_stop (Watched *watched)
{
  watched_pid_of_last_stop = watched->pid;
  g_autoptr(GError) error = NULL;

  g_output_stream_close (watched->input, NULL, NULL);
  g_subprocess_wait_check (watched->process, NULL, &error);
  g_assert_no_error (error);
  g_object_unref (watched->output);
  g_object_unref (watched->process);
  g_free (watched);
}

static char *
monitor_list (void)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                              &error, g_getenv ("MPAIO_MONITOR_PROGRAM"), "--list", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (process));

  return out;
}

/* The line of --list's output for @pid, or NULL. */
static char *
find_listed (const char *out, GPid pid)
{
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  g_autofree char *prefix = g_strdup_printf ("%d ", (int) pid);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      return g_strdup (lines[i]);

  return NULL;
}

static void
test_list (void)
{
  Watched         *watched;
  g_autofree char *out = NULL;
  g_autofree char *line = NULL;
  GPid             pid;

  g_test_summary ("mpaio-monitor --list shows a program started with MPAIO_MONITOR=1: its pid, "
                  "its state before and after a run, and its command line");

  watched = watched_start (4, 0);

  out = monitor_list ();
  g_assert_true (g_str_has_prefix (out, "PID"));
  line = find_listed (out, watched->pid);
  g_assert_nonnull (line);
  g_assert_nonnull (strstr (line, " idle "));
  g_assert_nonnull (strstr (line, "watched-program 4 0"));

  watched_start_run (watched);
  watched_wait_run (watched);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&line, g_free);
  out = monitor_list ();
  line = find_listed (out, watched->pid);
  g_assert_nonnull (line);
  g_assert_nonnull (strstr (line, " finished "));

  pid = watched->pid;
  watched_stop (watched);

  /* Gone from the bus, gone from the list. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&line, g_free);
  out = monitor_list ();
  g_assert_null (find_listed (out, pid));
}

typedef struct
{
  MonitorChunkTimeline *timeline;
  guint                 n_bars_at_end;
  gboolean              finished;
} AttachState;

static void
on_run_finished (MonitorProgramWatcher *watcher, guint run, GVariant *info, AttachState *state)
{
  state->finished = TRUE;
}

/* The watched run, saved, is a run file the library reads back with every
 * chunk the window drew, and the window opens with the same bars. */
static void
assert_saved_run_reopens (MonitorWindow *window, guint n_chunks)
{
  MonitorChunkTimeline *timeline = monitor_window_get_timeline (window);
  MonitorRun           *run = monitor_window_get_selected_run (window);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("mpaio-watch-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(MpaioRunReport) report = NULL;
  g_autofree char *summary = NULL;
  guint            n_rows = monitor_chunk_timeline_get_n_rows (timeline);

  g_assert_no_error (error);
  path = g_build_filename (dir, "watched.json", NULL);
  file = g_file_new_for_path (path);
  g_assert_nonnull (run);
  g_assert_false (monitor_run_get_running (run));
  summary = g_strdup_printf ("Finished: %u chunks in ", n_chunks);
  g_assert_true (g_str_has_prefix (monitor_run_get_state (run), summary));
  g_assert_true (monitor_run_get_can_save (run));
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "save-run"));
  g_assert_true (monitor_window_save_run (window, run, file, &error));
  g_assert_no_error (error);

  report = mpaio_run_report_new_from_file (file, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mpaio_run_report_get_n_records (report), ==, n_chunks);
  g_assert_cmpint (mpaio_run_report_get_start_time (report), ==, monitor_run_get_start_us (run));
  g_assert_cmpint (mpaio_run_report_get_end_time (report), ==, monitor_run_get_end_us (run));
  g_assert_cmpstr (mpaio_run_report_get_worker_names (report)[0], ==, "DemoAddIntWorker");
  g_assert_nonnull (mpaio_run_report_get_cpu_samples (report));
  for (guint i = 0; i < n_chunks; i++)
    {
      const MpaioChunkRecord *record = mpaio_run_report_get_record (report, i);
      gboolean                drawn = FALSE;

      g_assert_cmpint (record->outcome, ==, MPAIO_CHUNK_OUTCOME_DONE);
      g_assert_cmpint (record->started_us, <=, record->finished_us);
      for (guint row = 0; row < n_rows; row++)
        drawn |= monitor_chunk_timeline_get_row_pid (timeline, row) == record->pid;
      g_assert_true (drawn);
    }

  /* Reopened: the same chunks again, over the first ones, so in second
   * lanes of the same processes. */
  g_assert_true (monitor_window_open_run_file (window, file, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (monitor_chunk_timeline_get_n_bars (timeline), ==, 2 * n_chunks);
  g_assert_cmpuint (monitor_chunk_timeline_get_n_rows (timeline), ==, 2 * n_rows);
  for (guint row = 0; row < 2 * n_rows; row++)
    {
      gint     pid = monitor_chunk_timeline_get_row_pid (timeline, row);
      gboolean known = FALSE;

      for (guint i = 0; i < n_chunks; i++)
        known |= mpaio_run_report_get_record (report, i)->pid == pid;
      g_assert_true (known);
    }

  g_file_delete (file, NULL, NULL);
  g_rmdir (dir);
}

static void
test_attach_draws_live (void)
{
  g_autoptr(GtkApplication) application = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_autoptr(MonitorProgramWatcher) watcher = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  MonitorWindow        *window;
  MonitorChunkTimeline *timeline;
  AttachState           state = { 0 };
  Watched              *watched;
  guint                 n_rows, n_chunks = 48;
  TestPixels            pixels;

  g_test_summary ("A window attached to a publishing program draws its chunks while the run "
                  "goes on, those out first and then one row per worker process with bars in "
                  "the rows' colours where the chunks are, and fits the run when it ends; the "
                  "watched run saves to a run file that reopens with the same chunks");

  g_assert_no_error (error);
  application = gtk_application_new ("org.mpaio.Monitor.TestWatch", G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (application), NULL, &error);
  g_assert_no_error (error);

  watched = watched_start (n_chunks, 800);

  window = monitor_window_new (application, 200, 60);
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 600);
  gtk_window_present (GTK_WINDOW (window));
  timeline = monitor_window_get_timeline (window);

  watcher = monitor_program_watcher_new (bus, watched->pid);
  g_signal_connect (watcher, "run-finished", G_CALLBACK (on_run_finished), &state);
  monitor_window_watch (window, watcher);

  watched_start_run (watched);

  /* Running chunks show before any is back, and grow until they are. */
  while (monitor_chunk_timeline_get_n_in_flight (timeline) == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (state.finished);
  /* Followed live, the run fills the view rather than a sliver of a
   * minute. */
  g_assert_cmpint (monitor_chunk_timeline_get_frozen_time (timeline), ==, 0);
  g_assert_cmpfloat (monitor_chunk_timeline_get_history (timeline), <=, 8.0);
  {
    int              x = gtk_widget_get_width (GTK_WIDGET (timeline)) - 40;
    g_autofree char *text = NULL;

    /* Their band is at the top, above the rows. */
    text = monitor_chunk_timeline_describe_at (timeline, x, 6);
    g_assert_nonnull (text);
    g_assert_nonnull (strstr (text, "handed to the executor and not back yet"));
  }

  /* Live: bars arrive while the run goes on, batch by batch. */
  while (monitor_chunk_timeline_get_n_bars (timeline) == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (state.finished);
  g_assert_cmpuint (monitor_chunk_timeline_get_n_bars (timeline), <, n_chunks);

  while (!state.finished)
    g_main_context_iteration (NULL, TRUE);
  watched_wait_run (watched);

  g_assert_cmpuint (monitor_chunk_timeline_get_n_bars (timeline), ==, n_chunks);
  /* Nothing is out once the run is over, and the band of chunks out has
   * made way for the rows. */
  g_assert_cmpuint (monitor_chunk_timeline_get_n_in_flight (timeline), ==, 0);
  {
    graphene_rect_t first_row;

    g_assert_true (monitor_chunk_timeline_get_row_bounds (timeline, 0, &first_row));
    g_assert_cmpfloat (first_row.origin.y, <, 10.0);
  }
  n_rows = monitor_chunk_timeline_get_n_rows (timeline);
  g_assert_cmpuint (n_rows, >=, 2);
  /* Fitted: the axis spans the run, not the minute of history. */
  g_assert_cmpfloat (monitor_chunk_timeline_get_history (timeline), <, 30.0);
  g_assert_cmpint (monitor_chunk_timeline_get_frozen_time (timeline), >, 0);

  texture = test_render_widget (GTK_WIDGET (timeline));
  test_pixels_init (&pixels, texture);
  for (guint row = 0; row < n_rows; row++)
    {
      graphene_rect_t bounds;
      GdkRGBA         color;
      int             x0, x1;

      g_assert_cmpint (monitor_chunk_timeline_get_row_pid (timeline, row), !=, watched->pid);
      g_assert_cmpuint (monitor_chunk_timeline_get_row_n_bars (timeline, row), >, 0);
      g_assert_true (monitor_chunk_timeline_get_row_bounds (timeline, row, &bounds));
      monitor_chunk_timeline_get_row_color (timeline, row, &color);

      /* A fitted run fills most of the width: its row's colour is in the
       * middle third as well as somewhere in the row. */
      x0 = (int) (bounds.origin.x + bounds.size.width / 3);
      x1 = (int) (bounds.origin.x + 2 * bounds.size.width / 3);
      g_assert_true (test_pixels_find_color (&pixels, &color, x0, (int) bounds.origin.y, x1,
                                             (int) (bounds.origin.y + bounds.size.height)));
    }
  test_pixels_clear (&pixels);

  assert_saved_run_reopens (window, n_chunks);

  watched_stop (watched);
  gtk_window_destroy (GTK_WINDOW (window));
}

static GtkListBoxRow *
find_program_row (GtkListBox *list, GPid pid)
{
  for (int i = 0; gtk_list_box_get_row_at_index (list, i) != NULL; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (list, i);

      if (GPOINTER_TO_INT (g_object_get_data (G_OBJECT (row), "pid")) == pid)
        return row;
    }

  return NULL;
}

static void
test_window_lists_programs (void)
{
  g_autoptr(GtkApplication) application = NULL;
  g_autoptr(GError) error = NULL;
  MonitorWindow        *window;
  MonitorChunkTimeline *timeline;
  GtkListBox           *programs;
  GtkListBoxRow        *row;
  MonitorRun           *run;
  Watched              *watched;

  g_test_summary ("The window lists the programs that publish their runs as they come and go; "
                  "choosing one watches it, its runs join the list of runs");

  application = gtk_application_new ("org.mpaio.Monitor.TestWatchList", G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (application), NULL, &error);
  g_assert_no_error (error);
  window = monitor_window_new (application, 200, 60);
  gtk_window_present (GTK_WINDOW (window));
  programs = monitor_window_get_program_list (window);
  timeline = monitor_window_get_timeline (window);

  watched = watched_start (8, 0);
  while ((row = find_program_row (programs, watched->pid)) == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_signal_emit_by_name (programs, "row-activated", row);
  watched_start_run (watched);
  watched_wait_run (watched);
  while (g_list_model_get_n_items (monitor_window_get_runs (window)) == 0 || monitor_run_get_running (monitor_window_get_selected_run (window)))
    g_main_context_iteration (NULL, TRUE);

  run = monitor_window_get_selected_run (window);
  g_assert_nonnull (strstr (monitor_run_get_title (run), "Process"));
  while (monitor_chunk_timeline_get_n_bars (timeline) < 8)
    g_main_context_iteration (NULL, TRUE);

  /* Gone from the bus, gone from the list. */
  watched_stop (watched);
  while (find_program_row (programs, watched_pid_of_last_stop) != NULL)
    g_main_context_iteration (NULL, TRUE);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_attach_unknown (void)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;

  g_test_summary ("--attach to a process that publishes nothing fails and says how to start it");

  /* This test's own process: it does not publish. */
  {
    g_autofree char *pid = g_strdup_printf ("%d", (int) getpid ());

    process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                &error, g_getenv ("MPAIO_MONITOR_PROGRAM"), "--attach", pid, NULL);
  }
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  g_assert_false (g_subprocess_get_successful (process));
  g_assert_nonnull (strstr (err, "does not publish its runs"));
  g_assert_nonnull (strstr (err, "MPAIO_MONITOR=1"));
}

static void
test_program_killed_mid_run (void)
{
  g_autoptr(GtkApplication) application = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_autoptr(MonitorProgramWatcher) watcher = NULL;
  MonitorWindow *window;
  MonitorRun    *run;
  Watched       *watched;

  g_test_summary ("A watched program killed mid-run ends its run in the list, with what it had "
                  "published, instead of leaving it running for ever");

  g_assert_no_error (error);
  application = gtk_application_new ("org.mpaio.Monitor.TestWatchKill", G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (application), NULL, &error);
  g_assert_no_error (error);
  window = monitor_window_new (application, 200, 60);

  watched = watched_start (64, 3000);
  watcher = monitor_program_watcher_new (bus, watched->pid);
  monitor_window_watch (window, watcher);
  watched_start_run (watched);
  while (monitor_chunk_timeline_get_n_bars (monitor_window_get_timeline (window)) == 0)
    g_main_context_iteration (NULL, TRUE);

  run = monitor_window_get_selected_run (window);
  g_assert_true (monitor_run_get_running (run));
  g_subprocess_force_exit (watched->process);
  while (monitor_run_get_running (run))
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (strstr (monitor_run_get_state (run), "ended during the run"));

  g_subprocess_wait (watched->process, NULL, NULL);
  g_object_unref (watched->output);
  g_object_unref (watched->process);
  g_free (watched);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
on_program_name_owned (GPid pid, gboolean on_bus, gpointer user_data)
{
  if (on_bus)
    *(gboolean *) user_data = TRUE;
}

static void
test_command_through_launcher (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_autofree char *dir = g_dir_make_tmp ("mpaio-watch-XXXXXX", &error);
  g_autofree char *fifo = g_build_filename (dir, "input", NULL);
  g_autofree char *program = g_test_build_filename (G_TEST_BUILT, "watched-program", NULL);
  g_autoptr(GSubprocess) monitor = NULL;
  g_autoptr(GDataInputStream) output = NULL;
  g_autoptr(GString) lines = g_string_new (NULL);
  gboolean published = FALSE;
  guint    subscription;
  int      input;
  char    *line;

  g_test_summary ("mpaio-monitor -- LAUNCHER PROGRAM, as with mpirun: the program that publishes "
                  "is a child of the command, not the command, and the monitor watches its run");

  g_assert_no_error (error);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  subscription = monitor_program_subscribe_names (bus, on_program_name_owned, &published);

  /* A shell that stays the program's parent, as mpirun stays its ranks'. */
  monitor = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                              g_getenv ("MPAIO_MONITOR_PROGRAM"), "--quit-after-run", "--", "sh",
                              "-c", "\"$0\" 4 0 < \"$1\"", program, fifo, NULL);
  g_assert_no_error (error);
  output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (monitor));
  input = g_open (fifo, O_WRONLY, 0);
  g_assert_cmpint (input, >=, 0);

  /* The run starts once the program is on the bus. */
  while (!published)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (write (input, "run\n", 4), ==, 4);

  /* The program's lines come through the monitor's output: it inherits it. */
  while ((line = g_data_input_stream_read_line (output, NULL, NULL, &error)) != NULL)
    {
      g_string_append_printf (lines, "%s\n", line);
      /* The monitor saw the run end: the program may go. */
      if (strstr (line, ", run 1: finished") != NULL && input >= 0)
        {
          close (input);
          input = -1;
        }
      g_free (line);
    }
  g_assert_no_error (error);
  if (input >= 0)
    close (input);
  g_subprocess_wait (monitor, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_signal_unsubscribe (bus, subscription);

  g_test_message ("%s", lines->str);
  g_assert_nonnull (strstr (lines->str, "done 1"));
  g_assert_nonnull (strstr (lines->str, ", run 1: finished"));
  g_assert_true (g_subprocess_get_successful (monitor));

  g_unlink (fifo);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/watch/list", test_list);
  g_test_add_func ("/watch/attach-draws-live", test_attach_draws_live);
  g_test_add_func ("/watch/window-lists-programs", test_window_lists_programs);
  g_test_add_func ("/watch/attach-unknown", test_attach_unknown);
  g_test_add_func ("/watch/program-killed-mid-run", test_program_killed_mid_run);
  g_test_add_func ("/watch/command-through-launcher", test_command_through_launcher);

  return g_test_run ();
}
