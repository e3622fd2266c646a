/* mpaio-cpu-sample.c: one reading of per-core CPU utilisation
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "mpaio-cpu-sample-private.h"
#include "mpaio-cpu-sample.h"
#include "mpaio-error.h"

/**
 * MpaioCpuSample:
 *
 * One reading of [class@Mpaio.CpuMonitor]: the utilisation of every core,
 * in percent (0 to 100), over the interval that ended at
 * [property@Mpaio.CpuSample:time], and the machine's over the same interval.
 *
 * Samples are immutable. A monitor keeps them in a [iface@Gio.ListModel]
 * (see [method@Mpaio.CpuMonitor.get_samples]) that a chart, a CSV export
 * ([func@Mpaio.cpu_samples_write_csv]) and a test can all read.
 *
 * Since: 0.1
 */
struct _MpaioCpuSample
{
  GObject parent_instance;

  gdouble  time;
  gdouble  total;
  guint    n_values;
  gdouble *values;
};

G_DEFINE_FINAL_TYPE (MpaioCpuSample, mpaio_cpu_sample, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_TIME,
  PROP_N_CORES,
  PROP_TOTAL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
mpaio_cpu_sample_finalize (GObject *object)
{
  MpaioCpuSample *self = MPAIO_CPU_SAMPLE (object);

  g_clear_pointer (&self->values, g_free);

  G_OBJECT_CLASS (mpaio_cpu_sample_parent_class)->finalize (object);
}

static void
mpaio_cpu_sample_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  MpaioCpuSample *self = MPAIO_CPU_SAMPLE (object);

  switch (prop_id)
    {
    case PROP_TIME:
      g_value_set_double (value, self->time);
      break;

    case PROP_N_CORES:
      g_value_set_uint (value, self->n_values);
      break;

    case PROP_TOTAL:
      g_value_set_double (value, self->total);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mpaio_cpu_sample_class_init (MpaioCpuSampleClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = mpaio_cpu_sample_finalize;
  object_class->get_property = mpaio_cpu_sample_get_property;

  /**
   * MpaioCpuSample:time:
   *
   * When the sample was taken, in seconds since its monitor started.
   *
   * Since: 0.1
   */
  properties[PROP_TIME] = g_param_spec_double ("time", NULL, NULL,
                                               -G_MAXDOUBLE, G_MAXDOUBLE, 0.0,
                                               G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * MpaioCpuSample:n-cores:
   *
   * The number of per-core values.
   *
   * Since: 0.1
   */
  properties[PROP_N_CORES] = g_param_spec_uint ("n-cores", NULL, NULL,
                                                0, G_MAXUINT, 0,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * MpaioCpuSample:total:
   *
   * The utilisation of the whole machine in percent: busy time over elapsed
   * time summed over all cores, so 100 means every core was busy.
   *
   * Since: 0.1
   */
  properties[PROP_TOTAL] = g_param_spec_double ("total", NULL, NULL,
                                                -G_MAXDOUBLE, G_MAXDOUBLE, 0.0,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
mpaio_cpu_sample_init (MpaioCpuSample *self)
{
}

/**
 * mpaio_cpu_sample_new:
 * @time: seconds since the monitor started
 * @values: (array length=n_values) (nullable): the utilisation of each core, in percent
 * @n_values: the number of cores in @values
 * @total: the utilisation of the machine, in percent
 *
 * Creates a sample, as [class@Mpaio.CpuMonitor] does for each reading; also
 * useful to build a fixed series for a chart or a test. The values are
 * copied and stored as given.
 *
 * Returns: (transfer full): a new sample
 *
 * Since: 0.1
 */
MpaioCpuSample *
mpaio_cpu_sample_new (gdouble        time,
                      const gdouble *values,
                      guint          n_values,
                      gdouble        total)
{
  MpaioCpuSample *self;

  g_return_val_if_fail (values != NULL || n_values == 0, NULL);

  self = g_object_new (MPAIO_TYPE_CPU_SAMPLE, NULL);
  self->time = time;
  self->total = total;
  self->n_values = n_values;
  if (n_values > 0)
    self->values = g_memdup2 (values, sizeof (gdouble) * n_values);

  return self;
}

/**
 * mpaio_cpu_sample_get_time:
 * @self: a sample
 *
 * Gets when the sample was taken.
 *
 * Returns: seconds since the monitor started
 *
 * Since: 0.1
 */
gdouble
mpaio_cpu_sample_get_time (MpaioCpuSample *self)
{
  g_return_val_if_fail (MPAIO_IS_CPU_SAMPLE (self), 0.0);

  return self->time;
}

/**
 * mpaio_cpu_sample_get_n_cores:
 * @self: a sample
 *
 * Gets the number of per-core values.
 *
 * Returns: the number of cores
 *
 * Since: 0.1
 */
guint
mpaio_cpu_sample_get_n_cores (MpaioCpuSample *self)
{
  g_return_val_if_fail (MPAIO_IS_CPU_SAMPLE (self), 0);

  return self->n_values;
}

/**
 * mpaio_cpu_sample_get_values:
 * @self: a sample
 * @n_values: (out) (optional): where to store the number of values
 *
 * Gets the utilisation of every core, in percent.
 *
 * Returns: (array length=n_values) (transfer none) (nullable): one value
 *   per core, owned by @self; %NULL when there are none
 *
 * Since: 0.1
 */
const gdouble *
mpaio_cpu_sample_get_values (MpaioCpuSample *self,
                             guint          *n_values)
{
  if (n_values != NULL)
    *n_values = 0;

  g_return_val_if_fail (MPAIO_IS_CPU_SAMPLE (self), NULL);

  if (n_values != NULL)
    *n_values = self->n_values;

  return self->values;
}

/**
 * mpaio_cpu_sample_get_value:
 * @self: a sample
 * @core: the index of a core, below [property@Mpaio.CpuSample:n-cores]
 *
 * Gets the utilisation of one core.
 *
 * Returns: the utilisation of @core in percent
 *
 * Since: 0.1
 */
gdouble
mpaio_cpu_sample_get_value (MpaioCpuSample *self,
                            guint           core)
{
  g_return_val_if_fail (MPAIO_IS_CPU_SAMPLE (self), 0.0);
  g_return_val_if_fail (core < self->n_values, 0.0);

  return self->values[core];
}

/**
 * mpaio_cpu_sample_get_total:
 * @self: a sample
 *
 * Gets the utilisation of the whole machine: see
 * [property@Mpaio.CpuSample:total].
 *
 * Returns: the machine's utilisation in percent
 *
 * Since: 0.1
 */
gdouble
mpaio_cpu_sample_get_total (MpaioCpuSample *self)
{
  g_return_val_if_fail (MPAIO_IS_CPU_SAMPLE (self), 0.0);

  return self->total;
}

/* Big enough that a few minutes of samples go out in one write. */
#define CSV_FLUSH_SIZE (64 * 1024)

static void
append_number (GString *line,
               gdouble  value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  /* %.3f rather than %g: pandas and spreadsheets read fixed notation
   * everywhere, and g_ascii_formatd keeps '.' whatever the locale. */
  g_string_append (line, g_ascii_formatd (buf, sizeof buf, "%.3f", value));
}

static gboolean
flush_buffer (GOutputStream *stream,
              GString       *buffer,
              GCancellable  *cancellable,
              GError       **error)
{
  if (buffer->len == 0)
    return TRUE;

  if (!g_output_stream_write_all (stream, buffer->str, buffer->len, NULL, cancellable, error))
    return FALSE;

  g_string_truncate (buffer, 0);

  return TRUE;
}

gboolean
_mpaio_cpu_samples_write_csv_full (GListModel    *samples,
                                   guint          min_cores,
                                   GOutputStream *stream,
                                   GCancellable  *cancellable,
                                   GError       **error)
{
  return _mpaio_cpu_samples_write_csv_named (samples, min_cores, NULL, stream, cancellable, error);
}

gboolean
_mpaio_cpu_samples_write_csv_named (GListModel        *samples,
                                    guint              min_cores,
                                    const char *const *names,
                                    GOutputStream     *stream,
                                    GCancellable      *cancellable,
                                    GError           **error)
{
  guint n_names = names != NULL ? g_strv_length ((char **) names) : 0;
  g_autoptr(GString) buffer = NULL;
  guint n_items;
  guint n_cores = min_cores;

  g_return_val_if_fail (G_IS_LIST_MODEL (samples), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  n_items = g_list_model_get_n_items (samples);

  /* A first pass, so that the header has a column for every core of every
   * sample and the stream gets nothing when an item is not a sample. */
  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (samples, i);

      if (!MPAIO_IS_CPU_SAMPLE (item))
        {
          g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                       "Item %u of the model is a %s, not an MpaioCpuSample", i,
                       item != NULL ? G_OBJECT_TYPE_NAME (item) : "NULL");
          return FALSE;
        }

      n_cores = MAX (n_cores, MPAIO_CPU_SAMPLE (item)->n_values);
    }

  buffer = g_string_sized_new (CSV_FLUSH_SIZE + 256);

  g_string_append (buffer, "time");
  for (guint c = 0; c < n_cores; c++)
    if (c < n_names)
      g_string_append_printf (buffer, ",%s", names[c]);
    else
      g_string_append_printf (buffer, ",core_%u", c);
  g_string_append (buffer, ",total\n");

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(MpaioCpuSample) sample = g_list_model_get_item (samples, i);

      append_number (buffer, sample->time);
      for (guint c = 0; c < n_cores; c++)
        {
          g_string_append_c (buffer, ',');
          /* An empty field is what pandas reads as NaN. */
          if (c < sample->n_values)
            append_number (buffer, sample->values[c]);
        }
      g_string_append_c (buffer, ',');
      append_number (buffer, sample->total);
      g_string_append_c (buffer, '\n');

      if (buffer->len >= CSV_FLUSH_SIZE && !flush_buffer (stream, buffer, cancellable, error))
        return FALSE;
    }

  return flush_buffer (stream, buffer, cancellable, error);
}

/**
 * mpaio_cpu_samples_write_csv:
 * @samples: a [iface@Gio.ListModel] of [class@Mpaio.CpuSample]
 * @stream: the stream to write to
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Writes @samples as CSV: a header `time,core_0,...,core_{n-1},total`,
 * then one row per sample, the time in seconds and the utilisations in
 * percent, with three decimals and `.` as the decimal separator whatever the
 * locale. `pandas.read_csv()` reads it as a DataFrame with one column per
 * core.
 *
 * There is a column for every core of the sample with the most cores;
 * a sample with fewer leaves its extra fields empty. @stream is not closed.
 *
 * Returns: %TRUE on success, %FALSE with @error set if the stream failed or
 *   an item of @samples is not a sample
 *
 * Since: 0.1
 */
gboolean
mpaio_cpu_samples_write_csv (GListModel    *samples,
                             GOutputStream *stream,
                             GCancellable  *cancellable,
                             GError       **error)
{
  return _mpaio_cpu_samples_write_csv_full (samples, 0, stream, cancellable, error);
}
