/* monitor-window.c: the monitor's main window
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The run panel on the left; on the right the CPU chart over the chunk
 * timeline, in one column so that they share a width and so a time axis.
 * The window owns the CPU monitor, which samples for as long as the window
 * is open, as GNOME System Monitor does: runs come and go under it.
 */

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "monitor-format.h"
#include "monitor-resources.h"
#include "monitor-run-render.h"
#include "monitor-time-span.h"
#include "monitor-chart-drawing.h"
#include "monitor-window.h"

/* An hour of samples at most, whatever the interval. */
#define KEPT_SECONDS 3600
/* The serials of a watched program's chunks in flight in the timeline; the
 * demo's own count up from 0. */
#define WATCHED_IN_FLIGHT G_GUINT64_CONSTANT (0x8000000000000000)

struct _MonitorWindow
{
  GtkApplicationWindow parent_instance;

  MpaioCpuMonitor      *monitor;
  MonitorCpuChart      *chart;
  MonitorChunkTimeline *timeline;
  MonitorRunPanel      *run_panel;

  /* A program watched over the bus, and its workers' names by index. */
  MonitorProgramWatcher *watcher;
  GStrv                  watched_workers;
  MonitorRun            *watched_run;

  /* Every run of the session, own, watched or opened; the one shown. */
  GListStore *runs;
  GtkListBox *run_list;
  MonitorRun *selected;
  MonitorRun *own_run;
  guint       n_own_runs;

  /* The mpaio programs on the session bus, to watch. */
  GDBusConnection *bus;
  GCancellable    *bus_cancellable;
  guint            name_subscription;
  GtkListBox      *program_list;

  GtkMenuButton *menu_button;

  /* Zoom and pan: where a drag started. */
  gint64 drag_end_us;
  /* The span grows with the selected run while it goes on, until the
   * user zooms, pans or pauses. */
  guint following_id;
};

G_DEFINE_FINAL_TYPE (MonitorWindow, monitor_window, GTK_TYPE_APPLICATION_WINDOW)

static void stop_following (MonitorWindow *self);

static void
show_error (MonitorWindow *self,
            const char    *primary,
            const GError  *error)
{
  GtkWidget *dialog;

  /* GtkAlertDialog arrives with GTK 4.10; this is 4.8. */
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  dialog = gtk_message_dialog_new (GTK_WINDOW (self),
                                   GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                   GTK_MESSAGE_ERROR, GTK_BUTTONS_CLOSE, "%s", primary);
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog), "%s", error->message);
  g_signal_connect (dialog, "response", G_CALLBACK (gtk_window_destroy), NULL);
  G_GNUC_END_IGNORE_DEPRECATIONS
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
set_max_samples (MonitorWindow *self)
{
  mpaio_cpu_monitor_set_max_samples (self->monitor,
                                     KEPT_SECONDS * 1000 / mpaio_cpu_monitor_get_interval (self->monitor));
}

static cairo_status_t
append_to_byte_array (void                *closure,
                      const unsigned char *data,
                      unsigned int         length)
{
  g_byte_array_append (closure, data, length);

  return CAIRO_STATUS_SUCCESS;
}

static gboolean
write_chart_png (MonitorWindow *self,
                 GFile         *file,
                 GError       **error)
{
  g_autoptr(GByteArray) png = g_byte_array_new ();
  cairo_surface_t *surface;
  cairo_status_t   status;

  /* The chart at its size on screen, at least a readable one. */
  surface = monitor_cpu_chart_render_image (self->chart,
                                            MAX (gtk_widget_get_width (GTK_WIDGET (self->chart)),
                                                 800),
                                            MAX (gtk_widget_get_height (GTK_WIDGET (self->chart)),
                                                 400));
  status = cairo_surface_write_to_png_stream (surface, append_to_byte_array, png);
  cairo_surface_destroy (surface);

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", cairo_status_to_string (status));
      return FALSE;
    }

  return g_file_replace_contents (file, (const char *) png->data, png->len, NULL, FALSE,
                                  G_FILE_CREATE_REPLACE_DESTINATION, NULL, NULL, error);
}

typedef enum
{
  EXPORT_CSV,
  EXPORT_PNG,
} ExportKind;

static void
on_export_response (GtkNativeDialog *dialog,
                    int              response,
                    gpointer         user_data)
{
  MonitorWindow *self = MONITOR_WINDOW (gtk_native_dialog_get_transient_for (dialog));
  ExportKind     kind = GPOINTER_TO_INT (user_data);
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      G_GNUC_BEGIN_IGNORE_DEPRECATIONS
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      G_GNUC_END_IGNORE_DEPRECATIONS

      if (kind == EXPORT_CSV)
        ok = mpaio_cpu_monitor_write_csv_to_file (self->monitor, file, NULL, &error);
      else
        ok = write_chart_png (self, file, &error);

      if (!ok)
        show_error (self, kind == EXPORT_CSV ? _("Could not export the samples")
                                             : _("Could not export the chart"), error);
    }

  g_object_unref (dialog);
}

static void export(MonitorWindow *self,
                   ExportKind     kind)
{
  GtkFileChooserNative *chooser;

  /* GtkFileDialog arrives with GTK 4.10; this is 4.8. */
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  chooser = gtk_file_chooser_native_new (kind == EXPORT_CSV ? _("Export Samples as CSV")
                                                            : _("Export Chart as PNG"),
                                                                 GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                                                 _("_Export"), NULL);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser),
                                     kind == EXPORT_CSV ? "cpu-samples.csv" : "cpu-chart.png");
  G_GNUC_END_IGNORE_DEPRECATIONS
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_export_response), GINT_TO_POINTER (kind));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
export_csv_activated (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  export(MONITOR_WINDOW (user_data), EXPORT_CSV);
}

static void
export_png_activated (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  export(MONITOR_WINDOW (user_data), EXPORT_PNG);
}

static void
interval_changed (GSimpleAction *action,
                  GVariant      *value,
                  gpointer       user_data)
{
  MonitorWindow *self = MONITOR_WINDOW (user_data);
  gint32         interval = g_variant_get_int32 (value);

  if (interval < 10)
    return;

  mpaio_cpu_monitor_set_interval (self->monitor, (guint) interval);
  set_max_samples (self);
  g_simple_action_set_state (action, value);
}

static void
history_changed (GSimpleAction *action,
                 GVariant      *value,
                 gpointer       user_data)
{
  MonitorWindow *self = MONITOR_WINDOW (user_data);
  gint32         history = g_variant_get_int32 (value);

  if (history < 1)
    return;

  /* The timeline follows through a binding. A history chosen is kept. */
  stop_following (self);
  monitor_cpu_chart_set_history (self->chart, history);
  g_simple_action_set_state (action, value);
}

static void
show_total_changed (GSimpleAction *action,
                    GVariant      *value,
                    gpointer       user_data)
{
  MonitorWindow *self = MONITOR_WINDOW (user_data);

  monitor_cpu_chart_set_show_total (self->chart, g_variant_get_boolean (value));
  g_simple_action_set_state (action, value);
}

static void
stacked_changed (GSimpleAction *action,
                 GVariant      *value,
                 gpointer       user_data)
{
  MonitorWindow *self = MONITOR_WINDOW (user_data);

  monitor_cpu_chart_set_stacked (self->chart, g_variant_get_boolean (value));
  g_simple_action_set_state (action, value);
}

static void
pause_changed (GSimpleAction *action,
               GVariant      *value,
               gpointer       user_data)
{
  MonitorWindow *self = MONITOR_WINDOW (user_data);

  /* Paused at the time the chart shows now, so nothing jumps; sampling
   * goes on underneath. The timeline follows through a binding. */
  if (g_variant_get_boolean (value))
    stop_following (self);
  monitor_cpu_chart_set_frozen_time (self->chart, g_variant_get_boolean (value)
                                                    ? monitor_cpu_chart_get_end_time (self->chart)
                                                    : 0);
  g_simple_action_set_state (action, value);
}

static void
on_executor_changed (MonitorWindow *self)
{
  /* New processes get rows of their own; the old runs' bars stay, as the
   * runs stay in the list. */
}

static void
on_chunk_sent (MonitorWindow *self,
               guint64        serial,
               gint64         sent_us)
{
  monitor_chunk_timeline_add_in_flight (self->timeline, serial, sent_us);
}

static void
on_chunk_done (MonitorWindow    *self,
               guint64           serial,
               const char       *worker_name,
               MpaioChunkRecord *record,
               guint             outcome)
{
  monitor_chunk_timeline_remove_in_flight (self->timeline, serial);
  monitor_chunk_timeline_add_record_full (self->timeline, record, worker_name, outcome);
}

static void
set_paused (MonitorWindow *self,
            gboolean       paused)
{
  GAction *pause = g_action_map_lookup_action (G_ACTION_MAP (self), "pause");

  g_simple_action_set_state (G_SIMPLE_ACTION (pause), g_variant_new_boolean (paused));
}

static void
use_samples_of (MonitorWindow *self,
                MonitorRun    *run)
{
  const char *const *core_names = NULL;
  gint64             cpu_start_us = 0;
  GListModel        *samples =
    run != NULL ? monitor_run_get_cpu_samples (run, &cpu_start_us, &core_names) : NULL;

  /* A run from a file, or watched across hosts, has its own samples; the
   * others were sampled live here. */
  if (samples != NULL)
    {
      monitor_cpu_chart_set_time_origin (self->chart, cpu_start_us);
      monitor_cpu_chart_set_model (self->chart, samples);
      /* A run across hosts: its legend names each core's machine. */
      monitor_cpu_chart_set_core_names (self->chart, core_names);
    }
  else
    {
      monitor_cpu_chart_set_time_origin (self->chart,
                                         mpaio_cpu_monitor_get_start_time (self->monitor));
      monitor_cpu_chart_set_model (self->chart, mpaio_cpu_monitor_get_samples (self->monitor));
      monitor_cpu_chart_set_core_names (self->chart, NULL);
    }
}

static void
update_run_actions (MonitorWindow *self)
{
  GAction *save = g_action_map_lookup_action (G_ACTION_MAP (self), "save-run");

  g_simple_action_set_enabled (G_SIMPLE_ACTION (save),
                               self->selected != NULL && monitor_run_get_can_save (self->selected));
}

static void
stop_following (MonitorWindow *self)
{
  if (self->following_id != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->following_id);
  self->following_id = 0;
}

/* Each frame while the selected run goes on: all of it in view, up to the
 * history chosen in the menu. */
static gboolean
follow_run (GtkWidget     *widget,
            GdkFrameClock *clock,
            gpointer       user_data)
{
  MonitorWindow *self = MONITOR_WINDOW (widget);
  GAction       *history = g_action_map_lookup_action (G_ACTION_MAP (self), "history");
  g_autoptr(GVariant) max = g_action_get_state (history);

  if (self->selected == NULL || !monitor_run_get_running (self->selected))
    {
      self->following_id = 0;
      return G_SOURCE_REMOVE;
    }

  monitor_cpu_chart_set_history (self->chart,
                                 monitor_time_span_follow (monitor_run_get_start_us (self->selected),
                                                           g_get_monotonic_time (),
                                                           g_variant_get_int32 (max)));
  return G_SOURCE_CONTINUE;
}

/* Shows @run: fitted to it once it is over; while it runs, the chart and
 * timeline follow it live, its span growing with it. */
static void
show_run (MonitorWindow *self,
          MonitorRun    *run)
{
  g_set_object (&self->selected, run);
  use_samples_of (self, run);
  update_run_actions (self);
  stop_following (self);

  if (run == NULL)
    return;

  if (monitor_run_get_running (run))
    {
      monitor_cpu_chart_set_frozen_time (self->chart, 0);
      set_paused (self, FALSE);
      follow_run (GTK_WIDGET (self), NULL, NULL);
      self->following_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), follow_run, NULL, NULL);
    }
  else
    monitor_window_show_span (self, monitor_run_get_start_us (run),
                              monitor_run_get_end_us (run));
}

static void
on_run_row_selected (GtkListBox    *list,
                     GtkListBoxRow *row,
                     MonitorWindow *self)
{
  g_autoptr(MonitorRun) run = NULL;

  if (row == NULL)
    return;

  run = g_list_model_get_item (G_LIST_MODEL (self->runs), (guint) gtk_list_box_row_get_index (row));
  if (run != self->selected)
    show_run (self, run);
}

static void
select_run (MonitorWindow *self,
            MonitorRun    *run)
{
  guint position;

  if (!g_list_store_find (self->runs, run, &position))
    return;

  show_run (self, run);
  gtk_list_box_select_row (self->run_list, gtk_list_box_get_row_at_index (self->run_list,
                                                                          (int) position));
}

static void
add_run (MonitorWindow *self,
         MonitorRun    *run)
{
  g_list_store_append (self->runs, run);
  select_run (self, run);
}

static GtkWidget *
create_run_row (gpointer item,
                gpointer user_data)
{
  MonitorRun *run = item;
  GtkWidget  *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget  *title = gtk_label_new (monitor_run_get_title (run));
  GtkWidget  *state = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (title), 0.0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (state), 0.0);
  gtk_label_set_ellipsize (GTK_LABEL (state), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (state, "dim-label");
  gtk_widget_add_css_class (state, "caption");
  g_object_bind_property (run, "state", state, "label", G_BINDING_SYNC_CREATE);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), state);

  return box;
}

static void
on_own_run_started (MonitorWindow *self)
{
  g_autofree char *title = g_strdup_printf (_("Demo run %u"), ++self->n_own_runs);
  g_autoptr(MonitorRun) run = monitor_run_new (title, g_get_monotonic_time ());

  g_set_object (&self->own_run, run);
  add_run (self, run);
}

static void
on_own_run_finished (MonitorWindow *self,
                     gboolean       success)
{
  MpaioRunReport *report = monitor_run_panel_get_last_report (self->run_panel);
  gint64          end_us = success && report != NULL ? mpaio_run_report_get_end_time (report)
                                                     : g_get_monotonic_time ();

  monitor_chunk_timeline_collapse_in_flight (self->timeline);
  if (self->own_run == NULL)
    return;

  monitor_run_finish (self->own_run, end_us, monitor_run_panel_get_summary (self->run_panel),
                      success ? report : NULL);
  if (self->selected == self->own_run)
    show_run (self, self->own_run);
  g_clear_object (&self->own_run);
}

/**
 * monitor_window_get_program_list:
 * @self: a window
 *
 * Returns: (transfer none): the list of programs to watch; each row's
 *   "pid" data is its process id
 */
GtkListBox *
monitor_window_get_program_list (MonitorWindow *self)
{
  g_return_val_if_fail (MONITOR_IS_WINDOW (self), NULL);

  return self->program_list;
}

/**
 * monitor_window_get_runs:
 * @self: a window
 *
 * Returns: (transfer none): the runs of the session, as #MonitorRun
 */
GListModel *
monitor_window_get_runs (MonitorWindow *self)
{
  g_return_val_if_fail (MONITOR_IS_WINDOW (self), NULL);

  return G_LIST_MODEL (self->runs);
}

/**
 * monitor_window_get_selected_run:
 * @self: a window
 *
 * Returns: (transfer none) (nullable): the run shown
 */
MonitorRun *
monitor_window_get_selected_run (MonitorWindow *self)
{
  g_return_val_if_fail (MONITOR_IS_WINDOW (self), NULL);

  return self->selected;
}

/**
 * monitor_window_select_run:
 * @self: a window
 * @index: the position of a run in the list
 *
 * Shows that run, fitted to the window.
 */
void
monitor_window_select_run (MonitorWindow *self,
                           guint          index)
{
  g_autoptr(MonitorRun) run = NULL;

  g_return_if_fail (MONITOR_IS_WINDOW (self));

  run = g_list_model_get_item (G_LIST_MODEL (self->runs), index);
  if (run != NULL)
    select_run (self, run);
}

/**
 * monitor_window_open_run_file:
 * @self: a window
 * @file: a JSON run file
 * @error: return location for a #GError
 *
 * Adds the run saved in @file to the list, its chunks to the timeline,
 * and shows it with its own CPU samples.
 *
 * Returns: whether the file could be read
 */
gboolean
monitor_window_open_run_file (MonitorWindow *self,
                              GFile         *file,
                              GError       **error)
{
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(MonitorRun) run = NULL;
  g_autofree char   *name = NULL;
  const char *const *workers;
  guint              n_workers;

  g_return_val_if_fail (MONITOR_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  report = mpaio_run_report_new_from_file (file, NULL, error);
  if (report == NULL)
    return FALSE;

  workers = mpaio_run_report_get_worker_names (report);
  n_workers = workers != NULL ? g_strv_length ((char **) workers) : 0;
  for (guint i = 0; i < mpaio_run_report_get_n_records (report); i++)
    {
      const MpaioChunkRecord *record = mpaio_run_report_get_record (report, i);

      monitor_chunk_timeline_add_record_full (
        self->timeline, record,
        record->worker_index < n_workers ? workers[record->worker_index] : NULL,
        monitor_chunk_outcome_from_record (record));
    }

  name = g_file_get_basename (file);
  run = monitor_run_new_from_report (name, report);
  add_run (self, run);

  return TRUE;
}

/**
 * monitor_window_save_run:
 * @self: a window
 * @run: one of its runs
 * @file: where to save it
 * @error: return location for a #GError
 *
 * Saves @run as a JSON run file: its report's, or for a watched run its
 * records as they came, with the CPU samples the window took during it.
 *
 * Returns: whether the file was written
 */
gboolean
monitor_window_save_run (MonitorWindow *self,
                         MonitorRun    *run,
                         GFile         *file,
                         GError       **error)
{
  g_return_val_if_fail (MONITOR_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (MONITOR_IS_RUN (run), FALSE);

  return monitor_run_save (run, file, mpaio_cpu_monitor_get_samples (self->monitor),
                           mpaio_cpu_monitor_get_start_time (self->monitor), error);
}

/**
 * monitor_window_show_span:
 * @self: a window
 * @start_us: the first time to show, monotonic µs
 * @end_us: the last
 *
 * Fits the chart and the timeline to a span of time, such as a run, with a
 * small margin on both sides, and pauses them there.
 */
void
monitor_window_show_span (MonitorWindow *self,
                          gint64         start_us,
                          gint64         end_us)
{
  GAction        *pause = g_action_map_lookup_action (G_ACTION_MAP (self), "pause");
  MonitorTimeSpan span;

  g_return_if_fail (MONITOR_IS_WINDOW (self));

  stop_following (self);
  span = monitor_time_span_fit (start_us, end_us);
  monitor_cpu_chart_set_history (self->chart, span.history);
  monitor_cpu_chart_set_frozen_time (self->chart, span.end_us);
  g_simple_action_set_state (G_SIMPLE_ACTION (pause), g_variant_new_boolean (TRUE));
}

/* The watched program's pid: a command's launcher (mpirun) gives way to the
 * program it started once that publishes. */
static void
set_watched_title (MonitorWindow *self)
{
  int              pid = (int) monitor_program_watcher_get_pid (self->watcher);
  g_autofree char *title = g_strdup_printf (_("mpaio Monitor — process %d"), pid);

  gtk_window_set_title (GTK_WINDOW (self), title);
}

static void
on_watched_run_started (MonitorWindow *self,
                        guint          run_id,
                        GVariant      *info)
{
  g_autofree char *title = g_strdup_printf (_("Process %d, run %u"),
                                               (int) monitor_program_watcher_get_pid (self->watcher),
                                               run_id);
  g_autoptr(MonitorRun) run = NULL;
  gint64             start_us = g_get_monotonic_time ();
  const char *const *core_names;

  set_watched_title (self);
  g_clear_pointer (&self->watched_workers, g_strfreev);
  g_variant_lookup (info, "workers", "^as", &self->watched_workers);
  g_variant_lookup (info, "start-us", "x", &start_us);

  run = monitor_run_new (title, start_us);
  monitor_run_set_workers (run, (const char *const *) self->watched_workers);
  /* A run across hosts: the CPU of each, as the program sends it. */
  core_names = monitor_program_watcher_get_core_names (self->watcher);
  if (core_names != NULL)
    {
      gint64 cpu_start_us = start_us;

      g_variant_lookup (info, "cpu-start-us", "x", &cpu_start_us);
      monitor_run_set_cpu_columns (run, cpu_start_us, core_names);
    }
  g_set_object (&self->watched_run, run);
  monitor_chunk_timeline_remove_in_flight_flagged (self->timeline, WATCHED_IN_FLIGHT);
  add_run (self, run);
}

/* The chunks the watched program has out: they grow until they are back. */
static void
on_watched_in_flight (MonitorWindow              *self,
                      guint                       run,
                      const MonitorInFlightChunk *chunks,
                      guint                       n_chunks)
{
  monitor_chunk_timeline_remove_in_flight_flagged (self->timeline, WATCHED_IN_FLIGHT);
  if (self->watched_run == NULL)
    return;

  for (guint i = 0; i < n_chunks; i++)
    {
      /* Unique enough: they are removed all at once. */
      guint64 serial = ((guint64) chunks[i].worker_index << 48) ^ chunks[i].chunk_index;

      monitor_chunk_timeline_add_in_flight (self->timeline, serial | WATCHED_IN_FLIGHT,
                                            chunks[i].sent_us);
    }
}

static void
on_watched_cpu_samples (MonitorWindow *self,
                        guint          run,
                        guint          first,
                        GPtrArray     *samples)
{
  if (self->watched_run != NULL)
    monitor_run_add_cpu_samples (self->watched_run, first, samples);
}

static void
on_watched_records (MonitorWindow          *self,
                    guint                   run,
                    const MpaioChunkRecord *records,
                    const guint8           *outcomes,
                    guint                   n_records)
{
  guint n_workers = self->watched_workers != NULL ? g_strv_length (self->watched_workers) : 0;

  for (guint i = 0; i < n_records; i++)
    {
      const char *worker = records[i].worker_index < n_workers
                             ? self->watched_workers[records[i].worker_index]
                             : NULL;

      monitor_chunk_timeline_add_record_full (self->timeline, &records[i], worker, outcomes[i]);
    }
  if (self->watched_run != NULL)
    monitor_run_add_records (self->watched_run, records, n_records);
}

static void
on_watched_run_finished (MonitorWindow *self,
                         guint          run,
                         GVariant      *info)
{
  gint64           end_us = g_get_monotonic_time ();
  const char      *state = "finished";
  g_autofree char *text = NULL;
  guint64          n_chunks = 0;

  monitor_chunk_timeline_remove_in_flight_flagged (self->timeline, WATCHED_IN_FLIGHT);
  monitor_chunk_timeline_collapse_in_flight (self->timeline);
  if (self->watched_run == NULL)
    return;

  g_variant_lookup (info, "end-us", "x", &end_us);
  g_variant_lookup (info, "state", "&s", &state);
  g_variant_lookup (info, "n-chunks", "t", &n_chunks);
  text = monitor_format_run_summary (
    state, n_chunks, monitor_run_count_outcome (self->watched_run, MPAIO_CHUNK_OUTCOME_DONE),
    monitor_run_count_outcome (self->watched_run, MPAIO_CHUNK_OUTCOME_FAILED),
    end_us - monitor_run_get_start_us (self->watched_run));
  monitor_run_finish (self->watched_run, end_us, text, NULL);
  if (self->selected == self->watched_run)
    show_run (self, self->watched_run);
  g_clear_object (&self->watched_run);
}

/* The program left the bus mid-run (it crashed or was killed): its run
 * ends there, with what came before. */
static void
on_watched_vanished (MonitorWindow *self)
{
  monitor_chunk_timeline_remove_in_flight_flagged (self->timeline, WATCHED_IN_FLIGHT);
  monitor_chunk_timeline_collapse_in_flight (self->timeline);
  if (self->watched_run == NULL)
    return;

  monitor_run_finish (self->watched_run, g_get_monotonic_time (),
                      _("The program ended during the run"), NULL);
  if (self->selected == self->watched_run)
    show_run (self, self->watched_run);
  g_clear_object (&self->watched_run);
}

/**
 * monitor_window_watch:
 * @self: a window
 * @watcher: a program's watcher
 *
 * Draws the chunks of @watcher's runs in the timeline as they come, and
 * fits the chart and timeline to each run when it ends.
 */
void
monitor_window_watch (MonitorWindow         *self,
                      MonitorProgramWatcher *watcher)
{
  g_return_if_fail (MONITOR_IS_WINDOW (self));
  g_return_if_fail (MONITOR_IS_PROGRAM_WATCHER (watcher));

  if (self->watcher != NULL)
    g_signal_handlers_disconnect_by_data (self->watcher, self);
  g_set_object (&self->watcher, watcher);

  g_signal_connect_object (watcher, "run-started", G_CALLBACK (on_watched_run_started), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (watcher, "records", G_CALLBACK (on_watched_records), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (watcher, "in-flight", G_CALLBACK (on_watched_in_flight), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (watcher, "cpu-samples", G_CALLBACK (on_watched_cpu_samples), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (watcher, "run-finished", G_CALLBACK (on_watched_run_finished), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (watcher, "vanished", G_CALLBACK (on_watched_vanished), self,
                           G_CONNECT_SWAPPED);

  set_watched_title (self);
}

/* Programs on the bus */

#define PROGRAM_NAME_PREFIX "org.mpaio.Program.instance"

static GPid
pid_of_program_name (const char *name)
{
  guint64 pid = 0;

  if (!g_str_has_prefix (name, PROGRAM_NAME_PREFIX) || !g_ascii_string_to_unsigned (name + strlen (PROGRAM_NAME_PREFIX), 10, 1, G_MAXINT, &pid, NULL))
    return 0;

  return (GPid) pid;
}

static GtkListBoxRow *
find_program_row (MonitorWindow *self,
                  GPid           pid)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->program_list));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LIST_BOX_ROW (child) && GPOINTER_TO_INT (g_object_get_data (G_OBJECT (child), "pid")) == pid)
        return GTK_LIST_BOX_ROW (child);
    }

  return NULL;
}

static void
on_program_properties (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GtkWidget) label = user_data;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result,
                                                              NULL);
  g_autoptr(GVariant) properties = NULL;
  g_autofree const char **args = NULL;

  if (reply == NULL)
    return;

  properties = g_variant_get_child_value (reply, 0);
  if (g_variant_lookup (properties, "CommandLine", "^a&s", &args) && args != NULL)
    {
      g_autofree char *text = g_strjoinv (" ", (char **) args);

      gtk_label_set_text (GTK_LABEL (label), text);
      gtk_widget_set_tooltip_text (label, text);
    }
}

static void
add_program (MonitorWindow *self,
             const char    *name)
{
  GPid             pid = pid_of_program_name (name);
  g_autofree char *title = NULL;
  g_autofree char *path = NULL;
  GtkWidget       *row, *box, *title_label, *command_label;

  if (pid <= 0 || pid == getpid () || find_program_row (self, pid) != NULL)
    return;

  title = g_strdup_printf (_("Process %d"), (int) pid);
  title_label = gtk_label_new (title);
  gtk_label_set_xalign (GTK_LABEL (title_label), 0.0);
  command_label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (command_label), 0.0);
  gtk_label_set_ellipsize (GTK_LABEL (command_label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_add_css_class (command_label, "dim-label");
  gtk_widget_add_css_class (command_label, "caption");
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  gtk_box_append (GTK_BOX (box), title_label);
  gtk_box_append (GTK_BOX (box), command_label);
  row = gtk_list_box_row_new ();
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_widget_set_tooltip_text (row, _("Watch its runs"));
  g_object_set_data (G_OBJECT (row), "pid", GINT_TO_POINTER (pid));
  gtk_list_box_append (self->program_list, row);

  path = g_strdup_printf ("/org/mpaio/Program/%d", (int) pid);
  g_dbus_connection_call (self->bus, name, path, "org.freedesktop.DBus.Properties", "GetAll",
                          g_variant_new ("(s)", "org.mpaio.Program1"), G_VARIANT_TYPE ("(a{sv})"),
                          G_DBUS_CALL_FLAGS_NONE, -1, self->bus_cancellable, on_program_properties,
                          g_object_ref (command_label));
}

static void
on_name_owner_changed (GDBusConnection *connection,
                       const char      *sender,
                       const char      *path,
                       const char      *interface,
                       const char      *signal,
                       GVariant        *parameters,
                       gpointer         user_data)
{
  MonitorWindow *self = user_data;
  const char    *name, *old_owner, *new_owner;
  GtkListBoxRow *row;

  g_variant_get (parameters, "(&s&s&s)", &name, &old_owner, &new_owner);
  if (*new_owner != '\0')
    add_program (self, name);
  else if ((row = find_program_row (self, pid_of_program_name (name))) != NULL)
    gtk_list_box_remove (self->program_list, GTK_WIDGET (row));
}

static void
on_names_listed (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  MonitorWindow *self = user_data;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result,
                                                              NULL);
  g_autoptr(GVariantIter) iter = NULL;
  const char *name;

  if (reply == NULL)
    return;

  g_variant_get (reply, "(as)", &iter);
  while (g_variant_iter_next (iter, "&s", &name))
    add_program (self, name);
}

static void
on_bus_ready (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *bus = g_bus_get_finish (result, &error);
  MonitorWindow   *self;

  if (bus == NULL)
    {
      /* No session bus: no programs to watch, the rest works. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("No session bus: %s", error->message);
      return;
    }

  self = MONITOR_WINDOW (user_data);
  self->bus = bus;
  self->name_subscription = g_dbus_connection_signal_subscribe (
    bus, "org.freedesktop.DBus", "org.freedesktop.DBus", "NameOwnerChanged",
    "/org/freedesktop/DBus", "org.mpaio.Program", G_DBUS_SIGNAL_FLAGS_MATCH_ARG0_NAMESPACE,
    on_name_owner_changed, self, NULL);
  g_dbus_connection_call (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                          "org.freedesktop.DBus", "ListNames", NULL, G_VARIANT_TYPE ("(as)"),
                          G_DBUS_CALL_FLAGS_NONE, -1, self->bus_cancellable, on_names_listed,
                          self);
}

static void
on_program_activated (GtkListBox    *list,
                      GtkListBoxRow *row,
                      MonitorWindow *self)
{
  GPid pid = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (row), "pid"));
  g_autoptr(MonitorProgramWatcher) watcher = NULL;

  if (self->bus == NULL || pid <= 0)
    return;
  if (self->watcher != NULL && monitor_program_watcher_get_pid (self->watcher) == pid)
    return;

  watcher = monitor_program_watcher_new (self->bus, pid);
  monitor_window_watch (self, watcher);
}

/* Zoom and pan. The chart holds the time axis; the timeline follows it
 * through bindings. Both plot between the same margins. */

static double
x_to_fraction (GtkWidget *widget,
               double     x)
{
  double plot_width = gtk_widget_get_width (widget) - MONITOR_CHART_MARGIN_LEFT - MONITOR_CHART_MARGIN_RIGHT;

  if (plot_width <= 0)
    return 1.0;

  return CLAMP ((x - MONITOR_CHART_MARGIN_LEFT) / plot_width, 0.0, 1.0);
}

static MonitorTimeSpan
get_span (MonitorWindow *self)
{
  return (MonitorTimeSpan){ monitor_cpu_chart_get_history (self->chart),
                            monitor_cpu_chart_get_end_time (self->chart) };
}

/* Shows @span, paused there: the axis no longer follows now. */
static void
set_span (MonitorWindow  *self,
          MonitorTimeSpan span)
{
  stop_following (self);
  monitor_cpu_chart_set_history (self->chart, span.history);
  monitor_cpu_chart_set_frozen_time (self->chart, span.end_us);
  set_paused (self, TRUE);
}

static void
zoom_at (MonitorWindow *self,
         double         factor,
         double         fraction)
{
  set_span (self, monitor_time_span_zoom (get_span (self), factor, fraction));
}

static void
pan_by (MonitorWindow *self,
        double         fraction)
{
  set_span (self, monitor_time_span_pan (get_span (self), fraction));
}

static gboolean
on_scroll (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           MonitorWindow            *self)
{
  GtkWidget      *widget = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller));
  GdkModifierType state = gtk_event_controller_get_current_event_state (
    GTK_EVENT_CONTROLLER (controller));
  double    x = 0, y = 0;
  GdkEvent *event = gtk_event_controller_get_current_event (GTK_EVENT_CONTROLLER (controller));

  /* Shift or a sideways scroll pans; scrolling up zooms in where the
   * pointer is, as in a map or sysprof. */
  if ((state & GDK_SHIFT_MASK) != 0 || dx != 0)
    {
      pan_by (self, (dx != 0 ? dx : dy) * 0.1);
      return TRUE;
    }

  if (event != NULL)
    {
      gdk_event_get_position (event, &x, &y);
      gtk_widget_translate_coordinates (GTK_WIDGET (self), widget, x, y, &x, &y);
    }
  zoom_at (self, pow (1.2, dy), x_to_fraction (widget, x));
  return TRUE;
}

static void
on_drag_begin (GtkGestureDrag *gesture,
               double          x,
               double          y,
               MonitorWindow  *self)
{
  self->drag_end_us = monitor_cpu_chart_get_end_time (self->chart);
}

static void
on_drag_update (GtkGestureDrag *gesture,
                double          dx,
                double          dy,
                MonitorWindow  *self)
{
  GtkWidget *widget = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));
  double     plot_width = MAX (gtk_widget_get_width (widget) - MONITOR_CHART_MARGIN_LEFT - MONITOR_CHART_MARGIN_RIGHT, 1);
  double     history = monitor_cpu_chart_get_history (self->chart);

  /* The content follows the pointer. */
  stop_following (self);
  monitor_cpu_chart_set_frozen_time (self->chart,
                                     MAX (self->drag_end_us - (gint64) (dx / plot_width * history * G_USEC_PER_SEC),
                                          1));
  set_paused (self, TRUE);
}

static void
add_zoom_controllers (MonitorWindow *self,
                      GtkWidget     *widget)
{
  GtkEventController *scroll = gtk_event_controller_scroll_new (
    GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES | GTK_EVENT_CONTROLLER_SCROLL_DISCRETE);
  GtkGesture *drag = gtk_gesture_drag_new ();

  g_signal_connect (scroll, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (widget, scroll);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (drag));
}

static void
zoom_in_activated (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  zoom_at (MONITOR_WINDOW (user_data), 1 / 1.5, 0.5);
}

static void
zoom_out_activated (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  zoom_at (MONITOR_WINDOW (user_data), 1.5, 0.5);
}

static void
zoom_fit_activated (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  MonitorWindow *self = MONITOR_WINDOW (user_data);

  if (self->selected != NULL)
    show_run (self, self->selected);
}

static void
pan_activated (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  pan_by (MONITOR_WINDOW (user_data), g_variant_get_int32 (parameter) * 0.25);
}

static void
on_open_response (GtkNativeDialog *dialog,
                  int              response,
                  gpointer         user_data)
{
  MonitorWindow *self = MONITOR_WINDOW (gtk_native_dialog_get_transient_for (dialog));
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      G_GNUC_BEGIN_IGNORE_DEPRECATIONS
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      G_GNUC_END_IGNORE_DEPRECATIONS
      if (!monitor_window_open_run_file (self, file, &error))
        show_error (self, _("Could not open the run"), error);
    }

  g_object_unref (dialog);
}

static void
open_run_activated (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  MonitorWindow        *self = MONITOR_WINDOW (user_data);
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("Run files"));
  gtk_file_filter_add_pattern (filter, "*.json");
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  chooser = gtk_file_chooser_native_new (_("Open Run"), GTK_WINDOW (self),
                                            GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), NULL);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  G_GNUC_END_IGNORE_DEPRECATIONS
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_open_response), NULL);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
on_save_response (GtkNativeDialog *dialog,
                  int              response,
                  gpointer         user_data)
{
  MonitorWindow *self = MONITOR_WINDOW (gtk_native_dialog_get_transient_for (dialog));
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;

  if (response == GTK_RESPONSE_ACCEPT && self->selected != NULL)
    {
      G_GNUC_BEGIN_IGNORE_DEPRECATIONS
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      G_GNUC_END_IGNORE_DEPRECATIONS
      if (!monitor_window_save_run (self, self->selected, file, &error))
        show_error (self, _("Could not save the run"), error);
    }

  g_object_unref (dialog);
}

static void
save_run_activated (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  MonitorWindow        *self = MONITOR_WINDOW (user_data);
  GtkFileChooserNative *chooser;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  chooser = gtk_file_chooser_native_new (_("Save Run"), GTK_WINDOW (self),
                                            GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), NULL);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), "run.json");
  G_GNUC_END_IGNORE_DEPRECATIONS
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_save_response), NULL);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
show_menu_activated (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  gtk_menu_button_popup (MONITOR_WINDOW (user_data)->menu_button);
}

static void
monitor_window_dispose (GObject *object)
{
  MonitorWindow *self = MONITOR_WINDOW (object);

  if (self->monitor != NULL)
    mpaio_cpu_monitor_stop (self->monitor);
  g_clear_object (&self->monitor);
  if (self->watcher != NULL)
    g_signal_handlers_disconnect_by_data (self->watcher, self);
  g_clear_object (&self->watcher);
  g_clear_pointer (&self->watched_workers, g_strfreev);
  g_clear_object (&self->watched_run);
  g_clear_object (&self->own_run);
  g_clear_object (&self->selected);
  g_clear_object (&self->runs);
  if (self->bus_cancellable != NULL)
    g_cancellable_cancel (self->bus_cancellable);
  g_clear_object (&self->bus_cancellable);
  if (self->name_subscription != 0)
    g_dbus_connection_signal_unsubscribe (self->bus, self->name_subscription);
  self->name_subscription = 0;
  g_clear_object (&self->bus);

  G_OBJECT_CLASS (monitor_window_parent_class)->dispose (object);
}

static void
monitor_window_class_init (MonitorWindowClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = monitor_window_dispose;

  /* The template's own widgets, and its resources linked in. */
  g_type_ensure (MONITOR_TYPE_RUN_PANEL);
  g_type_ensure (MONITOR_TYPE_CPU_CHART);
  g_type_ensure (MONITOR_TYPE_CHUNK_TIMELINE);
  (void) monitor_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class, "/org/mpaio/Monitor/monitor-window.ui");
  gtk_widget_class_bind_template_child (widget_class, MonitorWindow, run_panel);
  gtk_widget_class_bind_template_child (widget_class, MonitorWindow, chart);
  gtk_widget_class_bind_template_child (widget_class, MonitorWindow, timeline);
  gtk_widget_class_bind_template_child (widget_class, MonitorWindow, run_list);
  gtk_widget_class_bind_template_child (widget_class, MonitorWindow, program_list);
  gtk_widget_class_bind_template_child (widget_class, MonitorWindow, menu_button);
  gtk_widget_class_bind_template_callback (widget_class, on_run_row_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_program_activated);
}

static void
monitor_window_init (MonitorWindow *self)
{
  const GActionEntry actions[] = {
    { "export-csv", export_csv_activated, NULL, NULL, NULL },
    { "export-png", export_png_activated, NULL, NULL, NULL },
    { "interval", NULL, "i", "200", interval_changed },
    { "history", NULL, "i", "60", history_changed },
    { "show-total", NULL, NULL, "false", show_total_changed },
    { "stacked", NULL, NULL, "false", stacked_changed },
    { "pause", NULL, NULL, "false", pause_changed },
    { "open-run", open_run_activated, NULL, NULL, NULL },
    { "save-run", save_run_activated, NULL, NULL, NULL },
    { "zoom-in", zoom_in_activated, NULL, NULL, NULL },
    { "zoom-out", zoom_out_activated, NULL, NULL, NULL },
    { "zoom-fit", zoom_fit_activated, NULL, NULL, NULL },
    { "pan", pan_activated, "i", NULL, NULL },
    { "show-menu", show_menu_activated, NULL, NULL, NULL },
  };
  const struct
  {
    const char *trigger;
    const char *action;
    const char *target;
  } keys[] = {
    { "plus|equal|KP_Add|<Control>plus|<Control>equal", "win.zoom-in", NULL },
    { "minus|KP_Subtract|<Control>minus", "win.zoom-out", NULL },
    { "0|KP_0|<Control>0", "win.zoom-fit", NULL },
    { "Left", "win.pan", "-1" },
    { "Right", "win.pan", "1" },
    { "space", "win.pause", NULL },
    { "F10", "win.show-menu", NULL },
  };
  g_autoptr(GtkBuilder) help = NULL;
  GtkEventController *shortcuts;

  gtk_widget_init_template (GTK_WIDGET (self));
  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);

  /* GtkApplication finds it too, but only for its own application id. */
  help = gtk_builder_new_from_resource ("/org/mpaio/Monitor/gtk/help-overlay.ui");
  gtk_application_window_set_help_overlay (
    GTK_APPLICATION_WINDOW (self), GTK_SHORTCUTS_WINDOW (gtk_builder_get_object (help, "help_overlay")));

  self->runs = g_list_store_new (MONITOR_TYPE_RUN);
  gtk_list_box_bind_model (self->run_list, G_LIST_MODEL (self->runs), create_run_row, NULL, NULL);

  /* The programs that publish their runs, to watch. */
  self->bus_cancellable = g_cancellable_new ();
  g_bus_get (G_BUS_TYPE_SESSION, self->bus_cancellable, on_bus_ready, self);

  g_signal_connect_object (self->run_panel, "executor-changed", G_CALLBACK (on_executor_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->run_panel, "chunk-sent", G_CALLBACK (on_chunk_sent), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->run_panel, "chunk-done", G_CALLBACK (on_chunk_done), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->run_panel, "run-started", G_CALLBACK (on_own_run_started), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->run_panel, "run-finished", G_CALLBACK (on_own_run_finished),
                           self, G_CONNECT_SWAPPED);

  add_zoom_controllers (self, GTK_WIDGET (self->chart));
  add_zoom_controllers (self, GTK_WIDGET (self->timeline));
  shortcuts = gtk_shortcut_controller_new ();
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      GtkShortcut *shortcut = gtk_shortcut_new (gtk_shortcut_trigger_parse_string (keys[i].trigger),
                                                gtk_named_action_new (keys[i].action));

      if (keys[i].target != NULL)
        gtk_shortcut_set_arguments (shortcut, g_variant_new_int32 (atoi (keys[i].target)));
      gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts), shortcut);
    }
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);
  update_run_actions (self);

  self->monitor = mpaio_cpu_monitor_new ();
  set_max_samples (self);
}

/**
 * monitor_window_new:
 * @application: the application
 * @interval_ms: milliseconds between CPU samples
 * @history_s: seconds of history the chart shows
 *
 * Returns: (transfer none): a new window, sampling already
 */
MonitorWindow *
monitor_window_new (GtkApplication *application,
                    guint           interval_ms,
                    guint           history_s)
{
  MonitorWindow *self;

  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);

  self = g_object_new (MONITOR_TYPE_WINDOW, "application", application, NULL);

  g_action_group_change_action_state (G_ACTION_GROUP (self), "interval",
                                      g_variant_new_int32 ((gint32) MAX (interval_ms, 10)));
  g_action_group_change_action_state (G_ACTION_GROUP (self), "history",
                                      g_variant_new_int32 ((gint32) MAX (history_s, 1)));

  mpaio_cpu_monitor_start (self->monitor);
  monitor_cpu_chart_set_time_origin (self->chart, mpaio_cpu_monitor_get_start_time (self->monitor));
  monitor_cpu_chart_set_model (self->chart, mpaio_cpu_monitor_get_samples (self->monitor));

  return self;
}

MonitorRunPanel *
monitor_window_get_run_panel (MonitorWindow *self)
{
  g_return_val_if_fail (MONITOR_IS_WINDOW (self), NULL);

  return self->run_panel;
}

MpaioCpuMonitor *
monitor_window_get_cpu_monitor (MonitorWindow *self)
{
  g_return_val_if_fail (MONITOR_IS_WINDOW (self), NULL);

  return self->monitor;
}

MonitorCpuChart *
monitor_window_get_chart (MonitorWindow *self)
{
  g_return_val_if_fail (MONITOR_IS_WINDOW (self), NULL);

  return self->chart;
}

MonitorChunkTimeline *
monitor_window_get_timeline (MonitorWindow *self)
{
  g_return_val_if_fail (MONITOR_IS_WINDOW (self), NULL);

  return self->timeline;
}

/**
 * monitor_window_save_screenshot:
 * @self: a mapped window
 * @path: where to write the PNG
 * @error: return location for a #GError
 *
 * Saves the window as it is drawn now, rendered in-process by the window's
 * own renderer: no screen grabbing, so it works under Xvfb and needs no
 * compositor.
 *
 * Returns: whether the PNG was written
 */
gboolean
monitor_window_save_screenshot (MonitorWindow *self,
                                const char    *path,
                                GError       **error)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkSnapshot *snapshot;
  GskRenderer *renderer;
  GdkSurface  *surface;
  int          width = gtk_widget_get_width (GTK_WIDGET (self));
  int          height = gtk_widget_get_height (GTK_WIDGET (self));
  int          scale;
  double       x, y;

  g_return_val_if_fail (MONITOR_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  renderer = gtk_native_get_renderer (GTK_NATIVE (self));
  surface = gtk_native_get_surface (GTK_NATIVE (self));
  if (renderer == NULL || surface == NULL || width <= 0 || height <= 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                           "The window is not shown yet");
      return FALSE;
    }

  paintable = gtk_widget_paintable_new (GTK_WIDGET (self));
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "The window drew nothing");
      return FALSE;
    }

  /* The whole surface, the window as the screen has it (the size it was
   * asked for): client-side decorations put the widget inside a margin for
   * shadows or resize handles, which stays transparent. */
  gtk_native_get_surface_transform (GTK_NATIVE (self), &x, &y);
  /* In device pixels, as the screen shows it: a window at scale 2 makes a
   * picture twice its size in each direction, sharp on a HiDPI page. */
  scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));
  if (scale > 1)
    {
      GskRenderNode *scaled = gsk_transform_node_new (
        node, gsk_transform_scale (NULL, (float) scale, (float) scale));

      g_clear_pointer (&node, gsk_render_node_unref);
      node = scaled;
    }
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (-x * scale, -y * scale,
                                                              gdk_surface_get_width (surface) * scale,
                                                              gdk_surface_get_height (surface) * scale));
  if (!gdk_texture_save_to_png (texture, path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Could not write %s", path);
      return FALSE;
    }

  return TRUE;
}
