/* monitor-run-panel.c: starts demo workloads and shows how they went
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The panel runs one of the demo workloads (mpaio-demo's sum of integers and
 * concatenation of strings, and a CPU-bound kernel) with the chosen array
 * size, executor, workers and partitions, through the orchestrator's async
 * API: nothing here blocks the main loop, not even filling the array, which
 * happens on a thread. The executor is wrapped in an
 * MonitorRecordingExecutor, whose per-chunk signals the panel passes on for
 * the chunk timeline; it is kept between runs, so worker processes are
 * reused as a program using mpaio would reuse them.
 */

#include <glib/gi18n.h>

#include "monitor-chunk-outcome.h"
#include "monitor-format.h"
#include "monitor-resources.h"
#include "monitor-workers.h"
#include "monitor-recording-executor.h"
#include "monitor-run-panel.h"

#define MAX_ROWS       200000000.0
#define MAX_WORKERS    256.0
#define MAX_PARTITIONS 10000000.0

struct _MonitorRunPanel
{
  GtkBox parent_instance;

  GtkDropDown    *workload_dropdown;
  GtkSpinButton  *rows_spin;
  GtkSpinButton  *rounds_spin;
  GtkDropDown    *executor_dropdown;
  GtkSpinButton  *workers_spin;
  GtkSpinButton  *partitions_spin;
  GtkButton      *start_button;
  GtkButton      *cancel_button;
  GtkProgressBar *progress_bar;
  GtkLabel       *result_label;

  MonitorRecordingExecutor *executor;
  MonitorExecutorKind       executor_kind;
  guint                     executor_n_workers;
  guint                     n_in_flight;

  /* The last array made, reused while the workload's element type and the
   * number of rows stay the same. */
  MpaioSharedArray *array;

  MpaioOrchestrator *orchestrator;
  MpaioWorker       *worker;
  GCancellable      *cancellable;
  MpaioRunReport    *last_report;
  gboolean           running;
  /* A run or an array being made outlives the widgets: they end quietly. */
  gboolean        disposed;
  MonitorWorkload run_workload;

  guint  tick_id;
  gint64 last_tick_us;
  gint64 longest_gap_us;
  guint  n_frames;

  char *summary;
};

G_DEFINE_FINAL_TYPE (MonitorRunPanel, monitor_run_panel, GTK_TYPE_BOX)

enum
{
  SIGNAL_RUN_STARTED,
  SIGNAL_RUN_FINISHED,
  SIGNAL_CHUNK_SENT,
  SIGNAL_CHUNK_DONE,
  SIGNAL_EXECUTOR_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Defaults that make each workload take a second or so on a small machine:
 * long enough to see on a minute-wide chart. */
static const struct
{
  const char *name;
  const char *label;
  double      default_rows;
} workloads[] = {
  [MONITOR_WORKLOAD_SUM] = { "sum", N_("Sum of integers"), 50000000 },
                             [MONITOR_WORKLOAD_CONCAT] = { "concat", N_("Concatenation of strings"), 500000 },
                                                           [MONITOR_WORKLOAD_COMPUTE] = { "compute", N_("CPU-heavy kernel"), 4000000 },
                                                           };

gboolean
monitor_workload_from_string (const char      *name,
                              MonitorWorkload *workload)
{
  for (guint i = 0; i < G_N_ELEMENTS (workloads); i++)
    {
      if (g_strcmp0 (name, workloads[i].name) == 0)
        {
          *workload = (MonitorWorkload) i;
          return TRUE;
        }
    }

  return FALSE;
}

gboolean
monitor_executor_kind_from_string (const char          *name,
                                   MonitorExecutorKind *kind)
{
  if (g_strcmp0 (name, "process") == 0)
    *kind = MONITOR_EXECUTOR_KIND_PROCESS;
  else if (g_strcmp0 (name, "thread") == 0)
    *kind = MONITOR_EXECUTOR_KIND_THREAD;
  else
    return FALSE;

  return TRUE;
}

static MonitorWorkload
get_workload (MonitorRunPanel *self)
{
  return (MonitorWorkload) gtk_drop_down_get_selected (self->workload_dropdown);
}

static gboolean
is_string_workload (MonitorWorkload workload)
{
  return workload == MONITOR_WORKLOAD_CONCAT;
}

static void update_progress (MonitorRunPanel *self);

/* Tracking frame gaps while a run goes: the longest is how long the main
 * loop was kept from drawing, the figure that says whether the run blocks
 * the UI. */
static gboolean
on_tick (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  MonitorRunPanel *self = MONITOR_RUN_PANEL (user_data);
  gint64           now = g_get_monotonic_time ();

  if (self->last_tick_us != 0)
    self->longest_gap_us = MAX (self->longest_gap_us, now - self->last_tick_us);
  self->last_tick_us = now;
  self->n_frames++;

  /* Read once a frame rather than on each notify::n-chunks-done: a run of
   * a million chunks would otherwise relayout the bar a million times. */
  if (self->orchestrator == NULL)
    gtk_progress_bar_pulse (self->progress_bar);
  else
    update_progress (self);

  return G_SOURCE_CONTINUE;
}

static void
update_progress (MonitorRunPanel *self)
{
  guint64 done, total;
  char    text[96];

  if (self->orchestrator == NULL)
    return;

  done = mpaio_orchestrator_get_n_chunks_done (self->orchestrator);
  total = mpaio_orchestrator_get_n_chunks (self->orchestrator);
  gtk_progress_bar_set_fraction (self->progress_bar, total > 0 ? (double) done / total : 0.0);
  g_snprintf (text, sizeof text, _("%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " chunks"), done, total);
  if (g_strcmp0 (gtk_progress_bar_get_text (self->progress_bar), text) != 0)
    gtk_progress_bar_set_text (self->progress_bar, text);
}

static void
set_running (MonitorRunPanel *self,
             gboolean         running)
{
  self->running = running;
  gtk_widget_set_sensitive (GTK_WIDGET (self->start_button), !running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), running);

  if (running && self->tick_id == 0)
    {
      self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self->progress_bar), on_tick, self,
                                                    NULL);
    }
  else if (!running && self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self->progress_bar), self->tick_id);
      self->tick_id = 0;
    }
}

static void
finish_run (MonitorRunPanel *self,
            const char      *summary,
            gboolean         success)
{
  if (self->disposed)
    return;

  /* The last frame's count may predate the last chunks. */
  update_progress (self);

  g_free (self->summary);
  self->summary = g_strdup (summary);
  gtk_label_set_text (self->result_label, summary);
  set_running (self, FALSE);
  g_clear_object (&self->cancellable);
  g_signal_emit (self, signals[SIGNAL_RUN_FINISHED], 0, success);
}

static void
on_chunk_sent (MonitorRunPanel *self,
               guint64          serial,
               gint64           sent_us)
{
  self->n_in_flight++;
  g_signal_emit (self, signals[SIGNAL_CHUNK_SENT], 0, serial, sent_us);
}

static void
on_chunk_done (MonitorRunPanel  *self,
               guint64           serial,
               MpaioWorker      *worker,
               MpaioChunkRecord *record,
               guint             outcome)
{
  self->n_in_flight--;
  /* Chunks whose processes were stopped to cancel the run were cancelled,
   * whatever the executor saw. */
  if (outcome == MONITOR_CHUNK_FAILED && self->cancellable != NULL && g_cancellable_is_cancelled (self->cancellable))
    outcome = MONITOR_CHUNK_CANCELLED;
  /* What the user chose, not the worker's class. */
  g_signal_emit (self, signals[SIGNAL_CHUNK_DONE], 0, serial,
                 g_dgettext (NULL, workloads[self->run_workload].label), record, outcome);
}

static gboolean
ensure_executor (MonitorRunPanel *self,
                 GError         **error)
{
  MonitorExecutorKind kind = (MonitorExecutorKind) gtk_drop_down_get_selected (self->executor_dropdown);
  guint               n_workers = (guint) gtk_spin_button_get_value_as_int (self->workers_spin);
  g_autoptr(MpaioExecutor) inner = NULL;

  if (self->executor != NULL && self->executor_kind == kind && self->executor_n_workers == n_workers)
    return TRUE;

  if (kind == MONITOR_EXECUTOR_KIND_PROCESS)
    inner = MPAIO_EXECUTOR (mpaio_process_pool_new (n_workers, error));
  else
    inner = MPAIO_EXECUTOR (mpaio_thread_pool_new (n_workers, error));
  if (inner == NULL)
    return FALSE;

  /* The old pool's processes end as it goes. */
  g_clear_object (&self->executor);
  self->executor = monitor_recording_executor_new (inner);
  self->executor_kind = kind;
  self->executor_n_workers = n_workers;
  g_signal_connect_object (self->executor, "chunk-sent", G_CALLBACK (on_chunk_sent), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->executor, "chunk-done", G_CALLBACK (on_chunk_done), self,
                           G_CONNECT_SWAPPED);
  g_signal_emit (self, signals[SIGNAL_EXECUTOR_CHANGED], 0);

  return TRUE;
}

static char *
describe_result (MonitorRunPanel *self,
                 MpaioRunReport  *report)
{
  g_autofree char *result = NULL;
  guint64          n_chunks = mpaio_orchestrator_get_n_chunks (self->orchestrator);

  switch (self->run_workload)
    {
    case MONITOR_WORKLOAD_SUM:
      {
        guint64 n = mpaio_shared_array_get_n_rows (self->array);
        guint64 total = demo_add_int_worker_get_total (DEMO_ADD_INT_WORKER (self->worker));
        /* n(n+1)/2 without overflowing before the division. */
        guint64 expected = n % 2 == 0 ? (n / 2) * (n + 1) : n * ((n + 1) / 2);

        g_autofree char *n_text = monitor_format_count (n);
        g_autofree char *total_text = monitor_format_count (total);

        result = g_strdup_printf (_("Sum of 1…%s: %s (%s)"), n_text, total_text,
                                     total == expected ? _("correct") : _("WRONG"));
        break;
      }

    case MONITOR_WORKLOAD_CONCAT:
      {
        DemoConcatStrWorker *worker = DEMO_CONCAT_STR_WORKER (self->worker);
        const char          *text = demo_concat_str_worker_get_result (worker);

        g_autofree char *length = monitor_format_count (demo_concat_str_worker_get_length (worker));

        result = g_strdup_printf (_("Concatenation: %s characters, “%.40s…”"), length, text);
        break;
      }

    case MONITOR_WORKLOAD_COMPUTE:
    default:
      {
        MonitorComputeWorker *worker = MONITOR_COMPUTE_WORKER (self->worker);

        result = g_strdup_printf (_("Checksum after %u rounds: %016" G_GINT64_MODIFIER "x"),
                                     monitor_compute_worker_get_rounds (worker),
                                     monitor_compute_worker_get_checksum (worker));
        break;
      }
    }

  {
    g_autofree char *chunks = monitor_format_count (n_chunks);
    g_autofree char *took = monitor_format_duration (
      mpaio_run_report_get_end_time (report) - mpaio_run_report_get_start_time (report));

    return g_strdup_printf (_("%s\n%s chunks on %u %s in %s."), result, chunks,
                               self->executor_n_workers,
                               self->executor_kind == MONITOR_EXECUTOR_KIND_PROCESS
                               ? _("worker processes")
                               : _("threads"),
                                    took);
  }
}

static char *
describe_cancelled (MonitorRunPanel *self)
{
  g_autofree char *done = monitor_format_count (
    mpaio_orchestrator_get_n_chunks_done (self->orchestrator));
  g_autofree char *all = monitor_format_count (mpaio_orchestrator_get_n_chunks (self->orchestrator));

  return g_strdup_printf (_("Cancelled after %s of %s chunks."), done, all);
}

static void
on_run_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(MonitorRunPanel) self = user_data;
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = NULL;

  report = mpaio_orchestrator_run_finish (MPAIO_ORCHESTRATOR (source), result, &error);
  g_clear_object (&self->last_report);
  if (report != NULL)
    self->last_report = g_object_ref (report);

  if (self->disposed)
    return;

  if (report == NULL)
    summary = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                ? describe_cancelled (self)
                : g_strdup_printf (_("Failed: %s"), error->message);
  else
    summary = describe_result (self, report);

  finish_run (self, summary, report != NULL);
}

static void
start_orchestrator (MonitorRunPanel *self)
{
  guint n_partitions = (guint) gtk_spin_button_get_value_as_int (self->partitions_spin);
  g_autoptr(MpaioDataIterator) iterator = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  GType            type;

  iterator = mpaio_data_iterator_new_partitioned (self->array, n_partitions, &error);
  if (iterator == NULL)
    {
      message = g_strdup_printf (_("Cannot partition the array: %s"), error->message);
      finish_run (self, message, FALSE);
      return;
    }

  type = self->run_workload == MONITOR_WORKLOAD_SUM      ? DEMO_TYPE_ADD_INT_WORKER
         : self->run_workload == MONITOR_WORKLOAD_CONCAT ? DEMO_TYPE_CONCAT_STR_WORKER
                                                         : MONITOR_TYPE_COMPUTE_WORKER;
  g_clear_object (&self->worker);
  if (type == MONITOR_TYPE_COMPUTE_WORKER)
    self->worker = g_object_new (type, "data-iterator", iterator, "rounds",
                                 (guint) gtk_spin_button_get_value_as_int (self->rounds_spin),
                                 NULL);
  else
    self->worker = g_object_new (type, "data-iterator", iterator, NULL);

  g_clear_object (&self->orchestrator);
  self->orchestrator = mpaio_orchestrator_new (MPAIO_EXECUTOR (self->executor), &self->worker, 1);
  /* A cancelled run (or a closed window) leaves no long chunk running, and
   * the next run does not queue behind one: the worker processes still
   * running a cancelled run's chunks are replaced at once. Threads cannot
   * be stopped: a thread pool finishes its chunks. */
  mpaio_orchestrator_set_abort_grace (self->orchestrator, 0);

  /* Frame gaps count from here: filling a new array faults in its pages,
   * which stalls every thread of the process that maps memory meanwhile,
   * and that is not the run's doing. */
  self->last_tick_us = 0;
  self->longest_gap_us = 0;
  self->n_frames = 0;
  /* Strings are joined in row order; sums commute. */
  mpaio_orchestrator_set_ordered (self->orchestrator, is_string_workload (self->run_workload));
  mpaio_orchestrator_run_async (self->orchestrator, self->cancellable, on_run_done,
                                g_object_ref (self));
}

typedef struct
{
  gboolean strings;
  guint64  n_rows;
} ArrayRequest;

/* On a worker thread: filling hundreds of megabytes would stall the main
 * loop for as long. */
static void
make_array_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  ArrayRequest *request = task_data;
  g_autoptr(MpaioSharedArray) array = NULL;
  GError *error = NULL;

  if (request->strings)
    {
      array = mpaio_shared_array_new_full (MPAIO_DTYPE_STRING, MONITOR_STRING_ITEM_SIZE,
                                           &request->n_rows, 1, MPAIO_SHARED_ARRAY_FLAGS_NONE,
                                           &error);
      /* New shared memory is zero-filled: items come NUL-padded. */
      for (guint64 i = 0; array != NULL && i < request->n_rows; i++)
        g_snprintf (mpaio_shared_array_get_row (array, i), MONITOR_STRING_ITEM_SIZE,
                    "foo_%" G_GUINT64_FORMAT, i);
    }
  else
    {
      array = mpaio_shared_array_new (MPAIO_DTYPE_INT64, &request->n_rows, 1, &error);
      if (array != NULL)
        {
          gint64 *data = mpaio_shared_array_get_data (array);

          for (guint64 i = 0; i < request->n_rows; i++)
            data[i] = (gint64) i + 1;
        }
    }

  if (array == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_steal_pointer (&array), g_object_unref);
}

static void
on_array_ready (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  MonitorRunPanel *self = MONITOR_RUN_PANEL (source);
  g_autoptr(MpaioSharedArray) array = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  array = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      finish_run (self, _("Cancelled before the first chunk."), FALSE);
      return;
    }
  if (array == NULL)
    {
      message = g_strdup_printf (_("Cannot make the array: %s"), error->message);
      finish_run (self, message, FALSE);
      return;
    }

  if (self->disposed)
    return;
  g_set_object (&self->array, array);
  start_orchestrator (self);
}

/**
 * monitor_run_panel_start:
 * @self: a panel
 *
 * Starts a run with the panel's settings, unless one is going.
 */
void
monitor_run_panel_start (MonitorRunPanel *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autoptr(GTask) task = NULL;
  ArrayRequest *request;

  g_return_if_fail (MONITOR_IS_RUN_PANEL (self));

  if (self->running)
    return;

  self->run_workload = get_workload (self);
  self->cancellable = g_cancellable_new ();
  g_clear_object (&self->orchestrator);
  set_running (self, TRUE);
  gtk_progress_bar_set_fraction (self->progress_bar, 0.0);
  gtk_progress_bar_set_text (self->progress_bar, _("Preparing the array…"));
  gtk_label_set_text (self->result_label, "");
  g_signal_emit (self, signals[SIGNAL_RUN_STARTED], 0);

  if (!ensure_executor (self, &error))
    {
      message = g_strdup_printf (_("Cannot start the workers: %s"), error->message);
      finish_run (self, message, FALSE);
      return;
    }

  request = g_new0 (ArrayRequest, 1);
  request->strings = is_string_workload (self->run_workload);
  request->n_rows = (guint64) gtk_spin_button_get_value (self->rows_spin);

  if (self->array != NULL && mpaio_shared_array_get_n_rows (self->array) == request->n_rows && (mpaio_shared_array_get_dtype (self->array) == MPAIO_DTYPE_STRING) == request->strings)
    {
      g_free (request);
      start_orchestrator (self);
      return;
    }

  /* The old array goes first: two of them may not fit. */
  g_clear_object (&self->array);
  task = g_task_new (self, self->cancellable, on_array_ready, NULL);
  g_task_set_source_tag (task, monitor_run_panel_start);
  g_task_set_task_data (task, request, g_free);
  g_task_run_in_thread (task, make_array_thread);
}

/**
 * monitor_run_panel_cancel:
 * @self: a panel
 *
 * Cancels the run going, if any; it ends promptly, and the pool stays.
 */
void
monitor_run_panel_cancel (MonitorRunPanel *self)
{
  g_return_if_fail (MONITOR_IS_RUN_PANEL (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

static void
on_workload_changed (MonitorRunPanel *self)
{
  MonitorWorkload workload = get_workload (self);

  gtk_spin_button_set_value (self->rows_spin, workloads[workload].default_rows);
  gtk_widget_set_sensitive (GTK_WIDGET (self->rounds_spin), workload == MONITOR_WORKLOAD_COMPUTE);
}

static void
monitor_run_panel_dispose (GObject *object)
{
  MonitorRunPanel *self = MONITOR_RUN_PANEL (object);

  /* A run, or the making of its array, holds a reference to the panel
   * until it ends, which cancelling hastens. */
  self->disposed = TRUE;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self->progress_bar), self->tick_id);
      self->tick_id = 0;
    }

  g_clear_object (&self->orchestrator);
  g_clear_object (&self->worker);
  g_clear_object (&self->executor);
  g_clear_object (&self->array);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (monitor_run_panel_parent_class)->dispose (object);
}

static void
monitor_run_panel_finalize (GObject *object)
{
  MonitorRunPanel *self = MONITOR_RUN_PANEL (object);

  g_free (self->summary);
  g_clear_object (&self->last_report);

  G_OBJECT_CLASS (monitor_run_panel_parent_class)->finalize (object);
}

static void
monitor_run_panel_class_init (MonitorRunPanelClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = monitor_run_panel_dispose;
  object_class->finalize = monitor_run_panel_finalize;

  (void) monitor_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/mpaio/Monitor/monitor-run-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, MonitorRunPanel, workload_dropdown);
  gtk_widget_class_bind_template_child (widget_class, MonitorRunPanel, rows_spin);
  gtk_widget_class_bind_template_child (widget_class, MonitorRunPanel, rounds_spin);
  gtk_widget_class_bind_template_child (widget_class, MonitorRunPanel, executor_dropdown);
  gtk_widget_class_bind_template_child (widget_class, MonitorRunPanel, workers_spin);
  gtk_widget_class_bind_template_child (widget_class, MonitorRunPanel, partitions_spin);
  gtk_widget_class_bind_template_child (widget_class, MonitorRunPanel, start_button);
  gtk_widget_class_bind_template_child (widget_class, MonitorRunPanel, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, MonitorRunPanel, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, MonitorRunPanel, result_label);
  gtk_widget_class_bind_template_callback (widget_class, monitor_run_panel_start);
  gtk_widget_class_bind_template_callback (widget_class, monitor_run_panel_cancel);

  signals[SIGNAL_RUN_STARTED] =
    g_signal_new ("run-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);

  /**
   * MonitorRunPanel::run-finished:
   * @self: the panel
   * @success: whether the run completed
   */
  signals[SIGNAL_RUN_FINISHED] =
    g_signal_new ("run-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  signals[SIGNAL_CHUNK_SENT] =
    g_signal_new ("chunk-sent", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_UINT64, G_TYPE_INT64);

  /**
   * MonitorRunPanel::chunk-done:
   * @self: the panel
   * @serial: the number ::chunk-sent gave the chunk
   * @worker_name: what the chunk's work is called (the workload's name)
   * @record: the chunk's record (pid 0 if it failed)
   * @outcome: a #MonitorChunkOutcome
   */
  signals[SIGNAL_CHUNK_DONE] =
    g_signal_new ("chunk-done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 4, G_TYPE_UINT64, G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                  MPAIO_TYPE_CHUNK_RECORD | G_SIGNAL_TYPE_STATIC_SCOPE, G_TYPE_UINT);

  /**
   * MonitorRunPanel::executor-changed:
   * @self: the panel
   *
   * A new pool replaced the last one: its worker processes are new ones.
   */
  signals[SIGNAL_EXECUTOR_CHANGED] =
    g_signal_new ("executor-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
}

static void
monitor_run_panel_init (MonitorRunPanel *self)
{
  const char *workload_names[G_N_ELEMENTS (workloads) + 1] = { NULL };
  const char *executor_names[] = { _("Worker processes"), _("Threads"), NULL };
  double      n_cores = mpaio_get_n_cores ();
  g_autoptr(GtkStringList) workload_list = NULL;
  g_autoptr(GtkStringList) executor_list = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* The choices and limits live with the code that uses them. */
  for (guint i = 0; i < G_N_ELEMENTS (workloads); i++)
    workload_names[i] = _(workloads[i].label);
  workload_list = gtk_string_list_new (workload_names);
  executor_list = gtk_string_list_new (executor_names);
  gtk_drop_down_set_model (self->workload_dropdown, G_LIST_MODEL (workload_list));
  gtk_drop_down_set_model (self->executor_dropdown, G_LIST_MODEL (executor_list));

  gtk_spin_button_set_range (self->rows_spin, 1, MAX_ROWS);
  gtk_spin_button_set_value (self->rows_spin, workloads[MONITOR_WORKLOAD_SUM].default_rows);
  gtk_spin_button_set_range (self->rounds_spin, 1, 10000);
  gtk_spin_button_set_value (self->rounds_spin, 64);
  gtk_spin_button_set_range (self->workers_spin, 1, MAX_WORKERS);
  gtk_spin_button_set_value (self->workers_spin, n_cores);
  /* One partition per core by default: fewer leave cores idle, and a
   * partition more than the cores leaves one chunk running alone at the end. */
  gtk_spin_button_set_range (self->partitions_spin, 1, MAX_PARTITIONS);
  gtk_spin_button_set_value (self->partitions_spin, n_cores);
  gtk_widget_set_sensitive (GTK_WIDGET (self->rounds_spin), FALSE);
  g_signal_connect_object (self->workload_dropdown, "notify::selected",
                           G_CALLBACK (on_workload_changed), self, G_CONNECT_SWAPPED);
}

GtkWidget *
monitor_run_panel_new (void)
{
  return g_object_new (MONITOR_TYPE_RUN_PANEL, NULL);
}

void
monitor_run_panel_set_workload (MonitorRunPanel *self,
                                MonitorWorkload  workload)
{
  g_return_if_fail (MONITOR_IS_RUN_PANEL (self));
  g_return_if_fail (workload < G_N_ELEMENTS (workloads));

  gtk_drop_down_set_selected (self->workload_dropdown, workload);
}

void
monitor_run_panel_set_n_rows (MonitorRunPanel *self,
                              guint64          n_rows)
{
  g_return_if_fail (MONITOR_IS_RUN_PANEL (self));

  gtk_spin_button_set_value (self->rows_spin, (double) n_rows);
}

void
monitor_run_panel_set_rounds (MonitorRunPanel *self,
                              guint            rounds)
{
  g_return_if_fail (MONITOR_IS_RUN_PANEL (self));

  gtk_spin_button_set_value (self->rounds_spin, rounds);
}

void
monitor_run_panel_set_executor_kind (MonitorRunPanel    *self,
                                     MonitorExecutorKind kind)
{
  g_return_if_fail (MONITOR_IS_RUN_PANEL (self));

  gtk_drop_down_set_selected (self->executor_dropdown, kind);
}

void
monitor_run_panel_set_n_workers (MonitorRunPanel *self,
                                 guint            n_workers)
{
  g_return_if_fail (MONITOR_IS_RUN_PANEL (self));

  gtk_spin_button_set_value (self->workers_spin, n_workers);
}

void
monitor_run_panel_set_n_partitions (MonitorRunPanel *self,
                                    guint            n_partitions)
{
  g_return_if_fail (MONITOR_IS_RUN_PANEL (self));

  gtk_spin_button_set_value (self->partitions_spin, n_partitions);
}

gboolean
monitor_run_panel_get_running (MonitorRunPanel *self)
{
  g_return_val_if_fail (MONITOR_IS_RUN_PANEL (self), FALSE);

  return self->running;
}

/**
 * monitor_run_panel_get_summary:
 * @self: a panel
 *
 * Returns: (nullable): what the last run gave, as the panel shows it
 */
const char *
monitor_run_panel_get_summary (MonitorRunPanel *self)
{
  g_return_val_if_fail (MONITOR_IS_RUN_PANEL (self), NULL);

  return self->summary;
}

/**
 * monitor_run_panel_get_longest_frame_gap:
 * @self: a panel
 *
 * Returns: the longest time between two frames during the last run, in µs
 */
gint64
monitor_run_panel_get_longest_frame_gap (MonitorRunPanel *self)
{
  g_return_val_if_fail (MONITOR_IS_RUN_PANEL (self), 0);

  return self->longest_gap_us;
}

guint
monitor_run_panel_get_n_frames (MonitorRunPanel *self)
{
  g_return_val_if_fail (MONITOR_IS_RUN_PANEL (self), 0);

  return self->n_frames;
}

/**
 * monitor_run_panel_get_last_report:
 * @self: the panel
 *
 * Returns: (transfer none) (nullable): the report of the last run that
 *   completed, while no other has ended since
 */
MpaioRunReport *
monitor_run_panel_get_last_report (MonitorRunPanel *self)
{
  g_return_val_if_fail (MONITOR_IS_RUN_PANEL (self), NULL);

  return self->last_report;
}
