/* mpaio-run-report.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "mpaio-run-report.h"
#include "mpaio-error.h"
#include "mpaio-cpu-sample-private.h"
#include "mpaio-run-report-private.h"

/**
 * MpaioRunReport:
 *
 * What happened during one run of an [class@Mpaio.Orchestrator]: when it
 * started and ended, and a [struct@Mpaio.ChunkRecord] for every chunk: first
 * the chunks that came back (done or failed), in the order they came back,
 * then, for a run that ended early, the chunks it cancelled and the chunks it
 * never sent. Each record's [method@Mpaio.ChunkRecord.get_outcome] says which.
 *
 * Times are microseconds of the monotonic clock (g_get_monotonic_time()),
 * shared by every process of the machine, so they compare with the times of
 * the chunk records and of CPU samples.
 *
 * Since: 0.1
 */
struct _MpaioRunReport
{
  GObject parent_instance;

  gint64  start_time;
  gint64  end_time;
  GArray *records; /* of MpaioChunkRecord */
  /* Of guint: the records whose outcome changed after they were added, so
   * that a copy of the records is brought up to date without reading them
   * all again. */
  GArray     *changed_outcomes;
  GListModel *cpu_samples;
  gint64      cpu_start_time;
  guint       n_cores;
  GStrv       worker_names;
  GStrv       core_names; /* of a run across hosts: "host/core_N" */
};

/* 2^20 records: 88 MiB. */
#define MAX_PREALLOCATED_RECORDS (1u << 20)

G_DEFINE_FINAL_TYPE (MpaioRunReport, mpaio_run_report, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_WALL_TIME,
  PROP_START_TIME,
  PROP_END_TIME,
  PROP_N_RECORDS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
mpaio_run_report_finalize (GObject *object)
{
  MpaioRunReport *self = MPAIO_RUN_REPORT (object);

  g_clear_pointer (&self->records, g_array_unref);
  g_clear_pointer (&self->changed_outcomes, g_array_unref);
  g_clear_object (&self->cpu_samples);
  g_clear_pointer (&self->worker_names, g_strfreev);
  g_clear_pointer (&self->core_names, g_strfreev);

  G_OBJECT_CLASS (mpaio_run_report_parent_class)->finalize (object);
}

static void
mpaio_run_report_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  MpaioRunReport *self = MPAIO_RUN_REPORT (object);

  switch (prop_id)
    {
    case PROP_WALL_TIME:
      g_value_set_double (value, mpaio_run_report_get_wall_time (self));
      break;
    case PROP_START_TIME:
      g_value_set_int64 (value, self->start_time);
      break;
    case PROP_END_TIME:
      g_value_set_int64 (value, self->end_time);
      break;
    case PROP_N_RECORDS:
      g_value_set_uint (value, self->records->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mpaio_run_report_class_init (MpaioRunReportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = mpaio_run_report_finalize;
  object_class->get_property = mpaio_run_report_get_property;

  /**
   * MpaioRunReport:wall-time:
   *
   * The duration of the run in seconds.
   *
   * Since: 0.1
   */
  properties[PROP_WALL_TIME] =
    g_param_spec_double ("wall-time", NULL, NULL,
                         -G_MAXDOUBLE, G_MAXDOUBLE, 0.0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * MpaioRunReport:start-time:
   *
   * When the run started, in microseconds of the monotonic clock.
   *
   * Since: 0.1
   */
  properties[PROP_START_TIME] =
    g_param_spec_int64 ("start-time", NULL, NULL,
                        G_MININT64, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * MpaioRunReport:end-time:
   *
   * When the run ended, in microseconds of the monotonic clock.
   *
   * Since: 0.1
   */
  properties[PROP_END_TIME] =
    g_param_spec_int64 ("end-time", NULL, NULL,
                        G_MININT64, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * MpaioRunReport:n-records:
   *
   * The number of chunk records.
   *
   * Since: 0.1
   */
  properties[PROP_N_RECORDS] =
    g_param_spec_uint ("n-records", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
clear_record (gpointer data)
{
  MpaioChunkRecord *record = data;

  g_clear_error (&record->error);
}

static GArray *
new_records (guint reserved)
{
  GArray *records = g_array_sized_new (FALSE, FALSE, sizeof (MpaioChunkRecord), reserved);

  g_array_set_clear_func (records, clear_record);
  return records;
}

static void
mpaio_run_report_init (MpaioRunReport *self)
{
  self->records = new_records (0);
  self->changed_outcomes = g_array_new (FALSE, FALSE, sizeof (guint));
}

/**
 * _mpaio_run_report_new:
 * @start_time: when the run started, in monotonic microseconds
 * @n_expected: how many records will be added, to size the storage once
 *
 * Returns: (transfer full): a new report whose end is its start until
 *   _mpaio_run_report_set_end() is called
 */
MpaioRunReport *
_mpaio_run_report_new (gint64 start_time,
                       guint  n_expected)
{
  MpaioRunReport *self = g_object_new (MPAIO_TYPE_RUN_REPORT, NULL);

  self->start_time = start_time;
  self->end_time = start_time;
  /* Capped so that a run of billions of tiny chunks cannot make this one
   * allocation abort; past the cap the array grows geometrically. */
  g_clear_pointer (&self->records, g_array_unref);
  g_clear_object (&self->cpu_samples);
  self->records = new_records (MIN (n_expected, MAX_PREALLOCATED_RECORDS));

  return self;
}

/**
 * _mpaio_run_report_add_record:
 * @self: a run report
 * @record: a chunk record, copied (its error too)
 *
 * Appends a record.
 */
void
_mpaio_run_report_add_record (MpaioRunReport         *self,
                              const MpaioChunkRecord *record)
{
  g_return_if_fail (MPAIO_IS_RUN_REPORT (self));
  g_return_if_fail (record != NULL);

  g_array_append_vals (self->records, record, 1);
  if (record->error != NULL)
    {
      MpaioChunkRecord *added = &g_array_index (self->records, MpaioChunkRecord,
                                                self->records->len - 1);

      added->error = g_error_copy (record->error);
    }
}

/**
 * _mpaio_run_report_set_outcome:
 * @self: a run report
 * @index: the index of a record
 * @outcome: what became of the chunk after all
 *
 * Changes the outcome of a record added earlier, as when a result that came
 * back is dropped before it was delivered.
 */
void
_mpaio_run_report_set_outcome (MpaioRunReport   *self,
                               guint             index,
                               MpaioChunkOutcome outcome)
{
  g_return_if_fail (MPAIO_IS_RUN_REPORT (self));
  g_return_if_fail (index < self->records->len);

  g_array_index (self->records, MpaioChunkRecord, index).outcome = outcome;
  g_array_append_val (self->changed_outcomes, index);
}

const guint *
_mpaio_run_report_peek_changed_outcomes (MpaioRunReport *self,
                                         guint          *n_changed)
{
  *n_changed = self->changed_outcomes->len;
  return (const guint *) (gpointer) self->changed_outcomes->data;
}

const MpaioChunkRecord *
_mpaio_run_report_peek_records (MpaioRunReport *self,
                                guint          *n_records)
{
  *n_records = self->records->len;
  return (const MpaioChunkRecord *) (gpointer) self->records->data;
}

/**
 * _mpaio_run_report_set_end:
 * @self: a run report
 * @end_time: when the run ended, in monotonic microseconds
 *
 * Sets when the run ended.
 */
void
_mpaio_run_report_set_end (MpaioRunReport *self,
                           gint64          end_time)
{
  g_return_if_fail (MPAIO_IS_RUN_REPORT (self));

  self->end_time = end_time;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_END_TIME]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WALL_TIME]);
}

/**
 * mpaio_run_report_get_wall_time:
 * @self: a run report
 *
 * Gets how long the run took, from its start to its end.
 *
 * Returns: the duration of the run in seconds
 *
 * Since: 0.1
 */
gdouble
mpaio_run_report_get_wall_time (MpaioRunReport *self)
{
  g_return_val_if_fail (MPAIO_IS_RUN_REPORT (self), 0.0);

  return (gdouble) (self->end_time - self->start_time) / G_USEC_PER_SEC;
}

/**
 * mpaio_run_report_get_start_time:
 * @self: a run report
 *
 * Gets when the run started.
 *
 * Returns: the start time in microseconds of the monotonic clock
 *
 * Since: 0.1
 */
gint64
mpaio_run_report_get_start_time (MpaioRunReport *self)
{
  g_return_val_if_fail (MPAIO_IS_RUN_REPORT (self), 0);

  return self->start_time;
}

/**
 * mpaio_run_report_get_end_time:
 * @self: a run report
 *
 * Gets when the run ended.
 *
 * Returns: the end time in microseconds of the monotonic clock
 *
 * Since: 0.1
 */
gint64
mpaio_run_report_get_end_time (MpaioRunReport *self)
{
  g_return_val_if_fail (MPAIO_IS_RUN_REPORT (self), 0);

  return self->end_time;
}

/**
 * mpaio_run_report_get_n_records:
 * @self: a run report
 *
 * Gets the number of chunk records: one per chunk of the run, whatever its
 * outcome.
 *
 * Returns: the number of records
 *
 * Since: 0.1
 */
guint
mpaio_run_report_get_n_records (MpaioRunReport *self)
{
  g_return_val_if_fail (MPAIO_IS_RUN_REPORT (self), 0);

  return self->records->len;
}

/**
 * mpaio_run_report_get_record:
 * @self: a run report
 * @index: the index of a record, below the number of records
 *
 * Gets a chunk record. Records of chunks that came back are in the order
 * they came back to the main process; those of chunks cancelled, then of
 * chunks never sent, follow.
 *
 * Returns: (transfer none) (nullable): the record, valid as long as the
 *   report, or %NULL if @index is out of range
 *
 * Since: 0.1
 */
const MpaioChunkRecord *
mpaio_run_report_get_record (MpaioRunReport *self,
                             guint           index)
{
  g_return_val_if_fail (MPAIO_IS_RUN_REPORT (self), NULL);
  g_return_val_if_fail (index < self->records->len, NULL);

  return &g_array_index (self->records, MpaioChunkRecord, index);
}

/**
 * mpaio_run_report_count_outcome:
 * @self: a run report
 * @outcome: an outcome
 *
 * Counts the chunks of the run whose outcome is @outcome: for instance how
 * many failed, or how many a cancelled run did not get to.
 *
 * Returns: the number of records with @outcome
 *
 * Since: 0.1
 */
guint
mpaio_run_report_count_outcome (MpaioRunReport   *self,
                                MpaioChunkOutcome outcome)
{
  guint n = 0;

  g_return_val_if_fail (MPAIO_IS_RUN_REPORT (self), 0);

  for (guint i = 0; i < self->records->len; i++)
    n += g_array_index (self->records, MpaioChunkRecord, i).outcome == outcome;

  return n;
}

void
_mpaio_run_report_set_cpu_samples (MpaioRunReport *self,
                                   GListModel     *samples,
                                   gint64          start_time,
                                   guint           n_cores)
{
  g_return_if_fail (MPAIO_IS_RUN_REPORT (self));
  g_return_if_fail (G_IS_LIST_MODEL (samples));

  g_set_object (&self->cpu_samples, samples);
  self->cpu_start_time = start_time;
  self->n_cores = n_cores;
}

/**
 * mpaio_run_report_get_cpu_samples:
 * @self: a run report
 *
 * The per-core CPU utilisation sampled during the run, when the
 * orchestrator's [property@Mpaio.Orchestrator:monitor-cpu-usage] was on.
 * Sample times count from [method@Mpaio.RunReport.get_cpu_start_time].
 *
 * Returns: (transfer none) (nullable): a list of [class@Mpaio.CpuSample],
 *   or %NULL when the run was not monitored
 *
 * Since: 0.1
 */
GListModel *
mpaio_run_report_get_cpu_samples (MpaioRunReport *self)
{
  g_return_val_if_fail (MPAIO_IS_RUN_REPORT (self), NULL);

  return self->cpu_samples;
}

/**
 * mpaio_run_report_get_cpu_start_time:
 * @self: a run report
 *
 * When the CPU samples' clock started, in microseconds of the monotonic
 * clock (as the chunk records' times): a sample at time `t` seconds was
 * taken at `get_cpu_start_time() + t * 1e6`.
 *
 * Returns: the start of the samples' time axis, or 0 when the run was not
 *   monitored
 *
 * Since: 0.1
 */
gint64
mpaio_run_report_get_cpu_start_time (MpaioRunReport *self)
{
  g_return_val_if_fail (MPAIO_IS_RUN_REPORT (self), 0);

  return self->cpu_start_time;
}

/**
 * mpaio_run_report_write_cpu_csv:
 * @self: a run report
 * @stream: where to write
 * @cancellable: (nullable): a cancellable
 * @error: return location for a #GError
 *
 * Writes the run's CPU samples as CSV: a header
 * `time,core_0,...,core_{n-1},total`, then one row per sample with the time
 * in seconds and utilisations in percent (what `pandas.read_csv` reads as a
 * time series). The cores of a run across hosts are named as
 * [method@Mpaio.RunReport.get_cpu_core_names] says, `host/core_N`.
 *
 * Returns: %TRUE on success; %FALSE with @error set, also when the run was
 *   not monitored (%MPAIO_ERROR_INVALID_ARGUMENT)
 *
 * Since: 0.1
 */
gboolean
mpaio_run_report_write_cpu_csv (MpaioRunReport *self,
                                GOutputStream  *stream,
                                GCancellable   *cancellable,
                                GError        **error)
{
  g_return_val_if_fail (MPAIO_IS_RUN_REPORT (self), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), FALSE);

  if (self->cpu_samples == NULL)
    {
      g_set_error_literal (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                           "The run was not monitored: set monitor-cpu-usage on the orchestrator");
      return FALSE;
    }

  return _mpaio_cpu_samples_write_csv_named (self->cpu_samples, self->n_cores,
                                             (const char *const *) self->core_names, stream,
                                             cancellable, error);
}

void
_mpaio_run_report_set_worker_names (MpaioRunReport    *self,
                                    const char *const *names)
{
  g_return_if_fail (MPAIO_IS_RUN_REPORT (self));

  g_strfreev (self->worker_names);
  self->worker_names = g_strdupv ((char **) names);
}

void
_mpaio_run_report_set_cpu_core_names (MpaioRunReport    *self,
                                      const char *const *names)
{
  g_return_if_fail (MPAIO_IS_RUN_REPORT (self));

  g_strfreev (self->core_names);
  self->core_names = g_strdupv ((char **) names);
}

/**
 * mpaio_run_report_get_cpu_core_names:
 * @self: a run report
 *
 * The names of the columns of the CPU samples of a run across hosts (by an
 * [class@Mpaio.MpiExecutor]): `host/core_N`, rank 0's host first, then
 * each other host's cores. %NULL for the samples of one machine, whose
 * columns are its cores in order.
 *
 * Returns: (transfer none) (nullable) (array zero-terminated=1): the
 *   names, one per value of each sample
 *
 * Since: 0.1
 */
const char *const *
mpaio_run_report_get_cpu_core_names (MpaioRunReport *self)
{
  g_return_val_if_fail (MPAIO_IS_RUN_REPORT (self), NULL);

  return (const char *const *) self->core_names;
}

guint
_mpaio_run_report_get_n_cores (MpaioRunReport *self)
{
  g_return_val_if_fail (MPAIO_IS_RUN_REPORT (self), 0);

  return self->n_cores;
}

/**
 * mpaio_run_report_get_worker_names:
 * @self: a run report
 *
 * The type names of the run's workers, in the orchestrator's order: a
 * record's `worker_index` indexes this list.
 *
 * Returns: (transfer none) (array zero-terminated=1) (nullable): the names,
 *   or %NULL when they are not known
 *
 * Since: 0.1
 */
const char *const *
mpaio_run_report_get_worker_names (MpaioRunReport *self)
{
  g_return_val_if_fail (MPAIO_IS_RUN_REPORT (self), NULL);

  return (const char *const *) self->worker_names;
}
