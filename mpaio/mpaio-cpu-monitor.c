/* mpaio-cpu-monitor.c: per-core CPU utilisation sampled on a main loop
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glibtop.h>
#include <glibtop/cpu.h>

#include "mpaio-cpu-counters-private.h"
#include "mpaio-cpu-monitor-private.h"
#include "mpaio-cpu-sample-private.h"
#include "mpaio-cpu-monitor.h"

/**
 * MpaioCpuMonitor:
 *
 * Samples the utilisation of every CPU core, with libgtop, on a timeout of
 * the [struct@GLib.MainContext] that was the thread-default one when
 * [method@Mpaio.CpuMonitor.start] was called.
 *
 * Each sample is the share of the ticks of the last interval that a core
 * spent busy (user, nice, system, irq, softirq; idle and iowait count as
 * idle), in percent, and the machine's share over all cores together. The
 * reading taken by `start()` only primes the counters: the first sample
 * comes one [property@Mpaio.CpuMonitor:interval] later. The kernel counts in
 * ticks of 10 ms, so a 200 ms sample moves in steps of 5 %.
 *
 * Every sample is emitted with [signal@Mpaio.CpuMonitor::sample] and kept in
 * [property@Mpaio.CpuMonitor:samples], a [iface@Gio.ListModel] of
 * [class@Mpaio.CpuSample] that a chart can observe and that
 * [method@Mpaio.CpuMonitor.write_csv] exports.
 *
 * ```c
 * g_autoptr(MpaioCpuMonitor) monitor = mpaio_cpu_monitor_new ();
 *
 * mpaio_cpu_monitor_start (monitor);
 * // ... run the main loop while the work runs ...
 * mpaio_cpu_monitor_stop (monitor);
 * mpaio_cpu_monitor_write_csv_to_file (monitor, file, NULL, &error);
 * ```
 *
 * Since: 0.1
 */
struct _MpaioCpuMonitor
{
  GObject parent_instance;

  guint interval;
  guint max_samples;
  guint n_cores;

  MpaioCpuCounters *counters;
  /* glibtop_cpu is about 64 KiB: on the heap, once, never on a stack. */
  glibtop_cpu *cpu;
  gdouble     *values;
  GListStore  *samples;
  GSource     *source;

  gint64 start_time;
  guint  has_start_time : 1;
};

G_DEFINE_FINAL_TYPE (MpaioCpuMonitor, mpaio_cpu_monitor, G_TYPE_OBJECT)

#define DEFAULT_INTERVAL 200
#define MIN_INTERVAL     10

enum
{
  PROP_0,
  PROP_INTERVAL,
  PROP_MAX_SAMPLES,
  PROP_N_CORES,
  PROP_RUNNING,
  PROP_SAMPLES,
  N_PROPS
};

enum
{
  SIGNAL_SAMPLE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint       signals[N_SIGNALS];

/* libgtop keeps one global server whose lazy initialisation is not
 * thread-safe, and monitors may run on several threads' contexts. */
static GMutex glibtop_mutex;

static guint
get_glibtop_n_cores (void)
{
  static gsize n_cores = 0;

  if (g_once_init_enter (&n_cores))
    {
      glibtop *server;
      gsize    n;

      g_mutex_lock (&glibtop_mutex);
      server = glibtop_init ();
      /* ncpu is the index of the last CPU (0 on a single-CPU machine), not
       * a count. */
      n = (gsize) MAX (server->ncpu, 0) + 1;
      g_mutex_unlock (&glibtop_mutex);

      g_once_init_leave (&n_cores, MIN (n, GLIBTOP_NCPU));
    }

  return (guint) n_cores;
}

static void
trim_samples (MpaioCpuMonitor *self)
{
  guint n_items;

  if (self->max_samples == 0)
    return;

  n_items = g_list_model_get_n_items (G_LIST_MODEL (self->samples));
  if (n_items > self->max_samples)
    g_list_store_splice (self->samples, 0, n_items - self->max_samples, NULL, 0);
}

MpaioCpuSample *
_mpaio_cpu_monitor_record_counters (MpaioCpuMonitor *self,
                                    gint64           time_us,
                                    const guint64   *total,
                                    const guint64   *idle,
                                    const guint64   *iowait)
{
  g_autoptr(MpaioCpuSample) sample = NULL;
  gdouble total_value;

  g_return_val_if_fail (MPAIO_IS_CPU_MONITOR (self), NULL);

  if (!self->has_start_time)
    {
      self->start_time = time_us;
      self->has_start_time = TRUE;
    }

  if (!_mpaio_cpu_counters_update (self->counters, total, idle, iowait, self->values, &total_value))
    return NULL;

  sample = mpaio_cpu_sample_new ((gdouble) (time_us - self->start_time) / G_USEC_PER_SEC,
                                 self->values, self->n_cores, total_value);

  g_list_store_append (self->samples, sample);
  trim_samples (self);

  g_signal_emit (self, signals[SIGNAL_SAMPLE], 0, sample);

  return g_steal_pointer (&sample);
}

MpaioCpuSample *
_mpaio_cpu_monitor_take_sample (MpaioCpuMonitor *self)
{
  gint64 now;

  g_return_val_if_fail (MPAIO_IS_CPU_MONITOR (self), NULL);

  if (self->cpu == NULL)
    self->cpu = g_new0 (glibtop_cpu, 1);

  g_mutex_lock (&glibtop_mutex);
  glibtop_get_cpu (self->cpu);
  g_mutex_unlock (&glibtop_mutex);

  now = g_get_monotonic_time ();

  /* Without per-CPU data (flags unset) the arrays stay zero, which the
   * arithmetic reads as offline cores: 0 %, never garbage. */
  return _mpaio_cpu_monitor_record_counters (self, now, self->cpu->xcpu_total,
                                             self->cpu->xcpu_idle, self->cpu->xcpu_iowait);
}

static gboolean
on_timeout (gpointer user_data)
{
  g_autoptr(MpaioCpuMonitor) self = g_object_ref (MPAIO_CPU_MONITOR (user_data));
  g_autoptr(MpaioCpuSample) sample = _mpaio_cpu_monitor_take_sample (self);

  return G_SOURCE_CONTINUE;
}

static void
attach_source (MpaioCpuMonitor *self,
               GMainContext    *context)
{
  self->source = g_timeout_source_new (self->interval);
  g_source_set_static_name (self->source, "[mpaio] CPU monitor");
  g_source_set_callback (self->source, on_timeout, self, NULL);
  g_source_attach (self->source, context);
}

static void
detach_source (MpaioCpuMonitor *self)
{
  if (self->source == NULL)
    return;

  g_source_destroy (self->source);
  g_clear_pointer (&self->source, g_source_unref);
}

static void
mpaio_cpu_monitor_dispose (GObject *object)
{
  MpaioCpuMonitor *self = MPAIO_CPU_MONITOR (object);

  detach_source (self);

  G_OBJECT_CLASS (mpaio_cpu_monitor_parent_class)->dispose (object);
}

static void
mpaio_cpu_monitor_finalize (GObject *object)
{
  MpaioCpuMonitor *self = MPAIO_CPU_MONITOR (object);

  g_clear_object (&self->samples);
  g_clear_pointer (&self->counters, _mpaio_cpu_counters_free);
  g_clear_pointer (&self->cpu, g_free);
  g_clear_pointer (&self->values, g_free);

  G_OBJECT_CLASS (mpaio_cpu_monitor_parent_class)->finalize (object);
}

static void
mpaio_cpu_monitor_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  MpaioCpuMonitor *self = MPAIO_CPU_MONITOR (object);

  switch (prop_id)
    {
    case PROP_INTERVAL:
      g_value_set_uint (value, self->interval);
      break;

    case PROP_MAX_SAMPLES:
      g_value_set_uint (value, self->max_samples);
      break;

    case PROP_N_CORES:
      g_value_set_uint (value, self->n_cores);
      break;

    case PROP_RUNNING:
      g_value_set_boolean (value, mpaio_cpu_monitor_get_running (self));
      break;

    case PROP_SAMPLES:
      g_value_set_object (value, self->samples);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mpaio_cpu_monitor_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  MpaioCpuMonitor *self = MPAIO_CPU_MONITOR (object);

  switch (prop_id)
    {
    case PROP_INTERVAL:
      mpaio_cpu_monitor_set_interval (self, g_value_get_uint (value));
      break;

    case PROP_MAX_SAMPLES:
      mpaio_cpu_monitor_set_max_samples (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mpaio_cpu_monitor_class_init (MpaioCpuMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mpaio_cpu_monitor_dispose;
  object_class->finalize = mpaio_cpu_monitor_finalize;
  object_class->get_property = mpaio_cpu_monitor_get_property;
  object_class->set_property = mpaio_cpu_monitor_set_property;

  /**
   * MpaioCpuMonitor:interval:
   *
   * The time between two samples, in milliseconds. It can be changed while
   * the monitor runs; the next sample then comes after the new interval.
   *
   * Since: 0.1
   */
  properties[PROP_INTERVAL] =
    g_param_spec_uint ("interval", NULL, NULL,
                       MIN_INTERVAL, G_MAXUINT, DEFAULT_INTERVAL,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MpaioCpuMonitor:max-samples:
   *
   * How many samples [property@Mpaio.CpuMonitor:samples] keeps at most; the
   * oldest are dropped first. 0, the default, keeps them all (at 200 ms, an
   * hour is 18000 small objects).
   *
   * Since: 0.1
   */
  properties[PROP_MAX_SAMPLES] =
    g_param_spec_uint ("max-samples", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MpaioCpuMonitor:n-cores:
   *
   * The number of cores sampled: the length of every sample's values.
   *
   * Since: 0.1
   */
  properties[PROP_N_CORES] =
    g_param_spec_uint ("n-cores", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * MpaioCpuMonitor:running:
   *
   * Whether the monitor samples, between [method@Mpaio.CpuMonitor.start]
   * and [method@Mpaio.CpuMonitor.stop].
   *
   * Since: 0.1
   */
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MpaioCpuMonitor:samples:
   *
   * The samples taken, oldest first: a [iface@Gio.ListModel] of
   * [class@Mpaio.CpuSample].
   *
   * Since: 0.1
   */
  properties[PROP_SAMPLES] =
    g_param_spec_object ("samples", NULL, NULL,
                         G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * MpaioCpuMonitor::sample:
   * @self: the monitor
   * @sample: the new sample
   *
   * Emitted on the monitor's main context for every sample, after it was
   * added to [property@Mpaio.CpuMonitor:samples].
   *
   * Since: 0.1
   */
  signals[SIGNAL_SAMPLE] =
    g_signal_new ("sample",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  g_cclosure_marshal_VOID__OBJECT,
                  G_TYPE_NONE, 1, MPAIO_TYPE_CPU_SAMPLE);
  g_signal_set_va_marshaller (signals[SIGNAL_SAMPLE],
                              G_TYPE_FROM_CLASS (klass),
                              g_cclosure_marshal_VOID__OBJECTv);
}

static void
mpaio_cpu_monitor_init (MpaioCpuMonitor *self)
{
  self->interval = DEFAULT_INTERVAL;
  self->n_cores = get_glibtop_n_cores ();
  self->counters = _mpaio_cpu_counters_new (self->n_cores);
  self->values = g_new0 (gdouble, self->n_cores);
  self->samples = g_list_store_new (MPAIO_TYPE_CPU_SAMPLE);
}

guint
_mpaio_cpu_monitor_count_cores (void)
{
  return get_glibtop_n_cores ();
}

/**
 * mpaio_cpu_monitor_new:
 *
 * Creates a monitor of every core of the machine. It does not sample until
 * [method@Mpaio.CpuMonitor.start] is called.
 *
 * Returns: (transfer full): a new monitor
 *
 * Since: 0.1
 */
MpaioCpuMonitor *
mpaio_cpu_monitor_new (void)
{
  return g_object_new (MPAIO_TYPE_CPU_MONITOR, NULL);
}

/**
 * mpaio_cpu_monitor_get_interval:
 * @self: a monitor
 *
 * Gets [property@Mpaio.CpuMonitor:interval].
 *
 * Returns: the time between samples, in milliseconds
 *
 * Since: 0.1
 */
guint
mpaio_cpu_monitor_get_interval (MpaioCpuMonitor *self)
{
  g_return_val_if_fail (MPAIO_IS_CPU_MONITOR (self), 0);

  return self->interval;
}

/**
 * mpaio_cpu_monitor_set_interval:
 * @self: a monitor
 * @interval: the time between samples, in milliseconds, at least 10
 *
 * Sets [property@Mpaio.CpuMonitor:interval].
 *
 * Since: 0.1
 */
void
mpaio_cpu_monitor_set_interval (MpaioCpuMonitor *self,
                                guint            interval)
{
  g_return_if_fail (MPAIO_IS_CPU_MONITOR (self));
  g_return_if_fail (interval >= MIN_INTERVAL);

  if (self->interval == interval)
    return;

  self->interval = interval;

  if (self->source != NULL)
    {
      g_autoptr(GMainContext) context = g_main_context_ref (g_source_get_context (self->source));

      /* The counters stay primed: a delta is valid whatever its length. */
      detach_source (self);
      attach_source (self, context);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERVAL]);
}

/**
 * mpaio_cpu_monitor_get_max_samples:
 * @self: a monitor
 *
 * Gets [property@Mpaio.CpuMonitor:max-samples].
 *
 * Returns: the most samples kept, or 0 for no limit
 *
 * Since: 0.1
 */
guint
mpaio_cpu_monitor_get_max_samples (MpaioCpuMonitor *self)
{
  g_return_val_if_fail (MPAIO_IS_CPU_MONITOR (self), 0);

  return self->max_samples;
}

/**
 * mpaio_cpu_monitor_set_max_samples:
 * @self: a monitor
 * @max_samples: the most samples to keep, or 0 for no limit
 *
 * Sets [property@Mpaio.CpuMonitor:max-samples], dropping the oldest samples
 * at once if there are more.
 *
 * Since: 0.1
 */
void
mpaio_cpu_monitor_set_max_samples (MpaioCpuMonitor *self,
                                   guint            max_samples)
{
  g_return_if_fail (MPAIO_IS_CPU_MONITOR (self));

  if (self->max_samples == max_samples)
    return;

  self->max_samples = max_samples;
  trim_samples (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_SAMPLES]);
}

/**
 * mpaio_cpu_monitor_get_n_cores:
 * @self: a monitor
 *
 * Gets [property@Mpaio.CpuMonitor:n-cores].
 *
 * Returns: the number of cores sampled
 *
 * Since: 0.1
 */
guint
mpaio_cpu_monitor_get_n_cores (MpaioCpuMonitor *self)
{
  g_return_val_if_fail (MPAIO_IS_CPU_MONITOR (self), 0);

  return self->n_cores;
}

/**
 * mpaio_cpu_monitor_get_running:
 * @self: a monitor
 *
 * Gets [property@Mpaio.CpuMonitor:running].
 *
 * Returns: whether the monitor samples
 *
 * Since: 0.1
 */
gboolean
mpaio_cpu_monitor_get_running (MpaioCpuMonitor *self)
{
  g_return_val_if_fail (MPAIO_IS_CPU_MONITOR (self), FALSE);

  return self->source != NULL;
}

/**
 * mpaio_cpu_monitor_get_start_time:
 * @self: a monitor
 *
 * Gets the origin of the samples' times, on the clock of
 * g_get_monotonic_time(), so that other events (the chunks of a run, say)
 * can be put on the same time axis.
 *
 * Returns: the monotonic time, in microseconds, of the first start since the
 *   monitor was created or cleared, or 0 if it never started
 *
 * Since: 0.1
 */
gint64
mpaio_cpu_monitor_get_start_time (MpaioCpuMonitor *self)
{
  g_return_val_if_fail (MPAIO_IS_CPU_MONITOR (self), 0);

  return self->has_start_time ? self->start_time : 0;
}

/**
 * mpaio_cpu_monitor_start:
 * @self: a monitor
 *
 * Starts sampling on the thread-default main context of the caller, which
 * must be iterated for samples to come. The counters are read once now, to
 * prime them; the first sample follows one interval later.
 *
 * Times are counted from the first start: after a stop, starting again
 * continues the same time axis, unless [method@Mpaio.CpuMonitor.clear] was
 * called in between. Does nothing if the monitor is running.
 *
 * Since: 0.1
 */
void
mpaio_cpu_monitor_start (MpaioCpuMonitor *self)
{
  g_autoptr(GMainContext) context = NULL;
  g_autoptr(MpaioCpuSample) sample = NULL;

  g_return_if_fail (MPAIO_IS_CPU_MONITOR (self));

  if (self->source != NULL)
    return;

  /* The counters of the last run would give a first sample averaged over
   * the time the monitor was stopped. */
  _mpaio_cpu_counters_reset (self->counters);

  if (!self->has_start_time)
    {
      self->start_time = g_get_monotonic_time ();
      self->has_start_time = TRUE;
    }

  sample = _mpaio_cpu_monitor_take_sample (self);
  g_assert (sample == NULL);

  context = g_main_context_ref_thread_default ();
  attach_source (self, context);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

/**
 * mpaio_cpu_monitor_stop:
 * @self: a monitor
 *
 * Stops sampling. The samples are kept. Does nothing if the monitor is not
 * running.
 *
 * Since: 0.1
 */
void
mpaio_cpu_monitor_stop (MpaioCpuMonitor *self)
{
  g_return_if_fail (MPAIO_IS_CPU_MONITOR (self));

  if (self->source == NULL)
    return;

  detach_source (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

/**
 * mpaio_cpu_monitor_clear:
 * @self: a monitor
 *
 * Removes every sample from [property@Mpaio.CpuMonitor:samples]. A running
 * monitor goes on sampling on the same time axis; a stopped one starts a new
 * time axis at its next start.
 *
 * Since: 0.1
 */
void
mpaio_cpu_monitor_clear (MpaioCpuMonitor *self)
{
  g_return_if_fail (MPAIO_IS_CPU_MONITOR (self));

  g_list_store_remove_all (self->samples);

  if (self->source == NULL)
    self->has_start_time = FALSE;
}

/**
 * mpaio_cpu_monitor_get_samples:
 * @self: a monitor
 *
 * Gets the samples taken: see [property@Mpaio.CpuMonitor:samples]. The
 * model is the monitor's own and changes as it samples; it emits
 * [signal@Gio.ListModel::items-changed] for every new sample.
 *
 * Returns: (transfer none): a [iface@Gio.ListModel] of [class@Mpaio.CpuSample]
 *
 * Since: 0.1
 */
GListModel *
mpaio_cpu_monitor_get_samples (MpaioCpuMonitor *self)
{
  g_return_val_if_fail (MPAIO_IS_CPU_MONITOR (self), NULL);

  return G_LIST_MODEL (self->samples);
}

/**
 * mpaio_cpu_monitor_write_csv:
 * @self: a monitor
 * @stream: the stream to write to
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Writes the samples as CSV, as [func@Mpaio.cpu_samples_write_csv] does,
 * with a column for each of the monitor's cores even when there are no
 * samples. @stream is not closed. This blocks: use a memory or a local
 * stream from the main thread.
 *
 * Returns: %TRUE on success, %FALSE with @error set otherwise
 *
 * Since: 0.1
 */
gboolean
mpaio_cpu_monitor_write_csv (MpaioCpuMonitor *self,
                             GOutputStream   *stream,
                             GCancellable    *cancellable,
                             GError         **error)
{
  g_return_val_if_fail (MPAIO_IS_CPU_MONITOR (self), FALSE);

  return _mpaio_cpu_samples_write_csv_full (G_LIST_MODEL (self->samples), self->n_cores, stream,
                                            cancellable, error);
}

/**
 * mpaio_cpu_monitor_write_csv_to_file:
 * @self: a monitor
 * @file: the file to write
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Writes the samples as CSV (see [method@Mpaio.CpuMonitor.write_csv]) to
 * @file, replacing it. On failure an existing @file is left as it was.
 *
 * Returns: %TRUE on success, %FALSE with @error set otherwise
 *
 * Since: 0.1
 */
gboolean
mpaio_cpu_monitor_write_csv_to_file (MpaioCpuMonitor *self,
                                     GFile           *file,
                                     GCancellable    *cancellable,
                                     GError         **error)
{
  g_autoptr(GFileOutputStream) stream = NULL;

  g_return_val_if_fail (MPAIO_IS_CPU_MONITOR (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, cancellable, error);
  if (stream == NULL)
    return FALSE;

  if (!mpaio_cpu_monitor_write_csv (self, G_OUTPUT_STREAM (stream), cancellable, error))
    {
      g_autoptr(GCancellable) cancelled = g_cancellable_new ();

      /* A cancelled close is how GIO is told not to move the half-written
       * temporary file over the original. */
      g_cancellable_cancel (cancelled);
      g_output_stream_close (G_OUTPUT_STREAM (stream), cancelled, NULL);
      return FALSE;
    }

  return g_output_stream_close (G_OUTPUT_STREAM (stream), cancellable, error);
}
