/* monitor-recording-executor.c: an executor that reports each chunk as it goes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The orchestrator's report holds every chunk's record, but only once the
 * run is over; a live timeline needs each record as its chunk comes back.
 * This decorator stands between the orchestrator and the real executor: it
 * passes every submission through and emits ::chunk-sent when a chunk goes
 * and ::chunk-done with the record the real executor filled in when it
 * returns, before the orchestrator sees the result.
 *
 * Standing there, it also keeps a run of very many small chunks from
 * starving the window's drawing (see deliver()): the library's sources
 * outrank GTK's, and this is the one place in the app results pass.
 */

#include "monitor-chunk-outcome.h"
#include "monitor-recording-executor.h"

/* The longest a result waits for the main loop to draw: about a frame. */
#define FLUSH_TIMEOUT_MS 16

struct _MonitorRecordingExecutor
{
  GObject parent_instance;

  MpaioExecutor *inner;
  guint64        next_serial;

  /* Yielding to the main loop's drawing: see deliver(). */
  gint64 yield_interval;
  gint64 slice_start;
  gint64 last_result;
  GQueue held; /* HeldResult*, in arrival order */
  guint  flush_idle_id;
  guint  flush_timeout_id;
};

typedef struct
{
  MpaioExecutorChunkFunc func;
  gpointer               user_data;
  GVariant              *result;
  GError                *error;
  MpaioChunkRecord       record;
} HeldResult;

typedef struct
{
  MonitorRecordingExecutor *self;
  MpaioWorker              *worker;
  MpaioChunk                chunk;
  guint64                   serial;
  gint64                    sent_us;
  MpaioExecutorChunkFunc    func;
  gpointer                  user_data;
} Submission;

static void monitor_recording_executor_iface_init (MpaioExecutorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MonitorRecordingExecutor, monitor_recording_executor, G_TYPE_OBJECT, G_IMPLEMENT_INTERFACE (MPAIO_TYPE_EXECUTOR, monitor_recording_executor_iface_init))

enum
{
  PROP_0,
  PROP_INNER,
  PROP_YIELD_INTERVAL,
  N_PROPS
};

enum
{
  SIGNAL_CHUNK_SENT,
  SIGNAL_CHUNK_DONE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint       signals[N_SIGNALS];

static guint
monitor_recording_executor_get_max_in_flight (MpaioExecutor *executor)
{
  return mpaio_executor_get_max_in_flight (MONITOR_RECORDING_EXECUTOR (executor)->inner);
}

static gboolean
flush_held (gpointer user_data)
{
  MonitorRecordingExecutor *self = MONITOR_RECORDING_EXECUTOR (user_data);
  HeldResult               *held;

  g_clear_handle_id (&self->flush_idle_id, g_source_remove);
  g_clear_handle_id (&self->flush_timeout_id, g_source_remove);
  /* The main loop has had its turn at drawing: a new slice begins. */
  self->slice_start = g_get_monotonic_time ();

  while ((held = g_queue_pop_head (&self->held)) != NULL)
    {
      held->func (MPAIO_EXECUTOR (self), held->result, held->error, &held->record,
                  held->user_data);
      g_clear_pointer (&held->result, g_variant_unref);
      g_clear_error (&held->error);
      g_free (held);
    }

  g_object_unref (self);

  return G_SOURCE_REMOVE;
}

/* Results arrive on sources of default priority, and while workers keep
 * them coming, GLib never reaches the lower priority GTK draws at: a run of
 * many small chunks would freeze the window until its end. So results that
 * come back to back are handed on straight away for yield-interval µs; then
 * they wait, which holds back the next submissions, the workers' results
 * stop, and the main loop reaches the frame clock. They wait for an idle
 * below GTK's drawing priority, or a frame's time at most: frames slower
 * than the refresh rate (software rendering) keep drawing ready all the
 * time, and would hold them for ever. */
static void
deliver (MonitorRecordingExecutor *self,
         MpaioExecutorChunkFunc    func,
         gpointer                  user_data,
         GVariant                 *result,
         const GError             *error,
         const MpaioChunkRecord   *record)
{
  gint64      now = g_get_monotonic_time ();
  HeldResult *held;

  /* A pause between results let the main loop run: a new slice. */
  if (now - self->last_result > self->yield_interval)
    self->slice_start = now;
  self->last_result = now;

  if (self->yield_interval == 0 || (self->flush_idle_id == 0 && now - self->slice_start < self->yield_interval))
    {
      func (MPAIO_EXECUTOR (self), result, error, record, user_data);
      return;
    }

  held = g_new (HeldResult, 1);
  held->func = func;
  held->user_data = user_data;
  held->result = result != NULL ? g_variant_ref (result) : NULL;
  held->error = error != NULL ? g_error_copy (error) : NULL;
  /* Held past the executor's callback: nothing borrowed from it. */
  held->record = *record;
  held->record.error = held->error;
  g_queue_push_tail (&self->held, held);

  if (self->flush_idle_id == 0)
    {
      /* One reference for the pair of sources, dropped by the flush. */
      g_object_ref (self);
      self->flush_idle_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, flush_held, self, NULL);
      self->flush_timeout_id = g_timeout_add_full (G_PRIORITY_DEFAULT, FLUSH_TIMEOUT_MS, flush_held,
                                                   self, NULL);
    }
}

static void
on_inner_done (MpaioExecutor          *inner,
               GVariant               *result,
               const GError           *error,
               const MpaioChunkRecord *inner_record,
               gpointer                user_data)
{
  Submission               *submission = user_data;
  MonitorRecordingExecutor *self = submission->self;
  MpaioChunkRecord          record = *inner_record;
  MonitorChunkOutcome       outcome;

  /* Of a record, an executor fills in the process and the times; the chunk
   * fields are for whoever knows the chunk, here this executor. */
  record.chunk_index = submission->chunk.index;
  record.start_row = submission->chunk.start;
  record.end_row = submission->chunk.end;

  /* Emitted before the orchestrator hears of it, so a timeline shows a
   * chunk no later than a progress bar counts it. */
  if (result != NULL)
    outcome = MONITOR_CHUNK_COMPLETED;
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    outcome = MONITOR_CHUNK_CANCELLED;
  else
    outcome = MONITOR_CHUNK_FAILED;
  /* Out until now, if the executor did not say. */
  if (record.returned_us == 0)
    record.returned_us = g_get_monotonic_time ();
  if (record.sent_us == 0)
    record.sent_us = submission->sent_us;

  g_signal_emit (self, signals[SIGNAL_CHUNK_DONE], 0, submission->serial, submission->worker,
                 &record, (guint) outcome);

  deliver (self, submission->func, submission->user_data, result, error, inner_record);

  g_object_unref (submission->worker);
  g_object_unref (submission->self);
  g_free (submission);
}

/* Only submit(): the library derives submit_async() from it, and the
 * orchestrator uses submit(), which costs no GTask per chunk. */
static void
monitor_recording_executor_submit (MpaioExecutor         *executor,
                                   MpaioWorker           *worker,
                                   const MpaioChunk      *chunk,
                                   GCancellable          *cancellable,
                                   MpaioExecutorChunkFunc func,
                                   gpointer               user_data)
{
  MonitorRecordingExecutor *self = MONITOR_RECORDING_EXECUTOR (executor);
  Submission               *submission = g_new (Submission, 1);

  submission->self = g_object_ref (self);
  submission->worker = g_object_ref (worker);
  submission->chunk = *chunk;
  submission->serial = ++self->next_serial;
  submission->func = func;
  submission->user_data = user_data;

  submission->sent_us = g_get_monotonic_time ();
  g_signal_emit (self, signals[SIGNAL_CHUNK_SENT], 0, submission->serial, submission->sent_us);

  mpaio_executor_submit (self->inner, worker, chunk, cancellable, on_inner_done, submission);
}

static void
monitor_recording_executor_iface_init (MpaioExecutorInterface *iface)
{
  iface->get_max_in_flight = monitor_recording_executor_get_max_in_flight;
  iface->submit = monitor_recording_executor_submit;
}

static void
monitor_recording_executor_finalize (GObject *object)
{
  MonitorRecordingExecutor *self = MONITOR_RECORDING_EXECUTOR (object);

  /* The flush idle holds a reference: nothing can be held by now. */
  g_assert (g_queue_is_empty (&self->held));
  g_clear_object (&self->inner);

  G_OBJECT_CLASS (monitor_recording_executor_parent_class)->finalize (object);
}

static void
monitor_recording_executor_get_property (GObject    *object,
                                         guint       prop_id,
                                         GValue     *value,
                                         GParamSpec *pspec)
{
  MonitorRecordingExecutor *self = MONITOR_RECORDING_EXECUTOR (object);

  switch (prop_id)
    {
    case PROP_INNER:
      g_value_set_object (value, self->inner);
      break;

    case PROP_YIELD_INTERVAL:
      g_value_set_int64 (value, self->yield_interval);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
monitor_recording_executor_set_property (GObject      *object,
                                         guint         prop_id,
                                         const GValue *value,
                                         GParamSpec   *pspec)
{
  MonitorRecordingExecutor *self = MONITOR_RECORDING_EXECUTOR (object);

  switch (prop_id)
    {
    case PROP_INNER:
      self->inner = g_value_dup_object (value);
      break;

    case PROP_YIELD_INTERVAL:
      self->yield_interval = g_value_get_int64 (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
monitor_recording_executor_class_init (MonitorRecordingExecutorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = monitor_recording_executor_finalize;
  object_class->get_property = monitor_recording_executor_get_property;
  object_class->set_property = monitor_recording_executor_set_property;

  properties[PROP_INNER] =
    g_param_spec_object ("inner", NULL, NULL, MPAIO_TYPE_EXECUTOR,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * MonitorRecordingExecutor:yield-interval:
   *
   * For how many µs at a time results are handed on as they arrive, before
   * the executor lets the main loop draw; 0 never yields.
   */
  properties[PROP_YIELD_INTERVAL] =
    g_param_spec_int64 ("yield-interval", NULL, NULL, 0, G_MAXINT64, 8000,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * MonitorRecordingExecutor::chunk-sent:
   * @self: the executor
   * @serial: a number for the chunk, the same in ::chunk-done
   * @sent_us: when it was submitted, in µs of the monotonic clock
   */
  signals[SIGNAL_CHUNK_SENT] =
    g_signal_new ("chunk-sent", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_UINT64, G_TYPE_INT64);

  /**
   * MonitorRecordingExecutor::chunk-done:
   * @self: the executor
   * @serial: the number ::chunk-sent gave the chunk
   * @worker: the worker whose chunk it is
   * @record: its record: chunk fields, process and times (pid 0 if it failed)
   * @outcome: a #MonitorChunkOutcome: completed when `process` returned a
   *   result, cancelled when the chunk was dropped, failed otherwise
   */
  signals[SIGNAL_CHUNK_DONE] =
    g_signal_new ("chunk-done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 4, G_TYPE_UINT64, MPAIO_TYPE_WORKER,
                  MPAIO_TYPE_CHUNK_RECORD | G_SIGNAL_TYPE_STATIC_SCOPE, G_TYPE_UINT);
}

static void
monitor_recording_executor_init (MonitorRecordingExecutor *self)
{
  g_queue_init (&self->held);
}

/**
 * monitor_recording_executor_new:
 * @inner: the executor that runs the chunks
 *
 * Returns: (transfer full): a decorator of @inner
 */
MonitorRecordingExecutor *
monitor_recording_executor_new (MpaioExecutor *inner)
{
  g_return_val_if_fail (MPAIO_IS_EXECUTOR (inner), NULL);

  return g_object_new (MONITOR_TYPE_RECORDING_EXECUTOR, "inner", inner, NULL);
}

MpaioExecutor *
monitor_recording_executor_get_inner (MonitorRecordingExecutor *self)
{
  g_return_val_if_fail (MONITOR_IS_RECORDING_EXECUTOR (self), NULL);

  return self->inner;
}
