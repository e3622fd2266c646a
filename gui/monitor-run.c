/* monitor-run.c: one run the monitor has seen, kept for the session
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "monitor-run-file.h"
#include "monitor-run.h"

struct _MonitorRun
{
  GObject parent_instance;

  char           *title;
  char           *state;
  gint64          start_us;
  gint64          end_us; /* 0 while running */
  MpaioRunReport *report; /* when known: own and loaded runs */
  gboolean        from_file;
  /* A watched run's, as they came. */
  GStrv   workers;
  GArray *records; /* of MpaioChunkRecord */
  /* A watched run across hosts: the CPU samples of every host's cores, as
   * the program sent them, and their columns. */
  GListStore *samples;
  gint64      cpu_start_us;
  GStrv       core_names;
};

G_DEFINE_FINAL_TYPE (MonitorRun, monitor_run, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_TITLE,
  PROP_STATE,
  PROP_RUNNING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
monitor_run_finalize (GObject *object)
{
  MonitorRun *self = MONITOR_RUN (object);

  g_free (self->title);
  g_free (self->state);
  g_clear_object (&self->report);
  g_strfreev (self->workers);
  g_clear_pointer (&self->records, g_array_unref);
  g_clear_object (&self->samples);
  g_strfreev (self->core_names);

  G_OBJECT_CLASS (monitor_run_parent_class)->finalize (object);
}

static void
monitor_run_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  MonitorRun *self = MONITOR_RUN (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_STATE:
      g_value_set_string (value, self->state);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, monitor_run_get_running (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
monitor_run_class_init (MonitorRunClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = monitor_run_finalize;
  object_class->get_property = monitor_run_get_property;

  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_string ("state", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_RUNNING] = g_param_spec_boolean ("running", NULL, NULL, FALSE,
                                                   G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
monitor_run_init (MonitorRun *self)
{
  self->state = g_strdup ("running");
}

MonitorRun *
monitor_run_new (const char *title, gint64 start_us)
{
  MonitorRun *self = g_object_new (MONITOR_TYPE_RUN, NULL);

  self->title = g_strdup (title);
  self->start_us = start_us;

  return self;
}

MonitorRun *
monitor_run_new_from_report (const char *title, MpaioRunReport *report)
{
  MonitorRun *self;

  g_return_val_if_fail (MPAIO_IS_RUN_REPORT (report), NULL);

  self = monitor_run_new (title, mpaio_run_report_get_start_time (report));
  self->from_file = TRUE;
  monitor_run_finish (self, mpaio_run_report_get_end_time (report), "finished", report);

  return self;
}

const char *
monitor_run_get_title (MonitorRun *self)
{
  g_return_val_if_fail (MONITOR_IS_RUN (self), NULL);

  return self->title;
}

const char *
monitor_run_get_state (MonitorRun *self)
{
  g_return_val_if_fail (MONITOR_IS_RUN (self), NULL);

  return self->state;
}

gint64
monitor_run_get_start_us (MonitorRun *self)
{
  g_return_val_if_fail (MONITOR_IS_RUN (self), 0);

  return self->start_us;
}

/* While it runs: now, so that its span grows with it. */
gint64
monitor_run_get_end_us (MonitorRun *self)
{
  g_return_val_if_fail (MONITOR_IS_RUN (self), 0);

  return self->end_us != 0 ? self->end_us : g_get_monotonic_time ();
}

gboolean
monitor_run_get_running (MonitorRun *self)
{
  g_return_val_if_fail (MONITOR_IS_RUN (self), FALSE);

  return self->end_us == 0;
}

MpaioRunReport *
monitor_run_get_report (MonitorRun *self)
{
  g_return_val_if_fail (MONITOR_IS_RUN (self), NULL);

  return self->report;
}

gboolean
monitor_run_get_from_file (MonitorRun *self)
{
  g_return_val_if_fail (MONITOR_IS_RUN (self), FALSE);

  return self->from_file;
}

void
monitor_run_finish (MonitorRun *self, gint64 end_us, const char *state, MpaioRunReport *report)
{
  g_return_if_fail (MONITOR_IS_RUN (self));

  self->end_us = MAX (end_us, self->start_us + 1);
  g_free (self->state);
  self->state = g_strdup (state);
  if (report != NULL)
    g_set_object (&self->report, report);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

void
monitor_run_set_workers (MonitorRun *self, const char *const *workers)
{
  g_return_if_fail (MONITOR_IS_RUN (self));

  g_strfreev (self->workers);
  self->workers = g_strdupv ((char **) workers);
}

void
monitor_run_add_records (MonitorRun *self, const MpaioChunkRecord *records, guint n_records)
{
  g_return_if_fail (MONITOR_IS_RUN (self));

  if (self->records == NULL)
    self->records = g_array_new (FALSE, FALSE, sizeof (MpaioChunkRecord));

  for (guint i = 0; i < n_records; i++)
    {
      MpaioChunkRecord record = records[i];

      /* The feed brings no errors; hosts are interned. */
      record.error = NULL;
      record.host = g_intern_string (records[i].host);
      g_array_append_val (self->records, record);
    }
}

guint
monitor_run_get_n_records (MonitorRun *self)
{
  g_return_val_if_fail (MONITOR_IS_RUN (self), 0);

  if (self->report != NULL)
    return mpaio_run_report_get_n_records (self->report);

  return self->records != NULL ? self->records->len : 0;
}

/* Of the records kept or reported so far. */
guint
monitor_run_count_outcome (MonitorRun *self, MpaioChunkOutcome outcome)
{
  guint n = 0;

  g_return_val_if_fail (MONITOR_IS_RUN (self), 0);

  if (self->report != NULL)
    return mpaio_run_report_count_outcome (self->report, outcome);

  for (guint i = 0; self->records != NULL && i < self->records->len; i++)
    n += g_array_index (self->records, MpaioChunkRecord, i).outcome == outcome;

  return n;
}

gboolean
monitor_run_get_can_save (MonitorRun *self)
{
  g_return_val_if_fail (MONITOR_IS_RUN (self), FALSE);

  return self->report != NULL || (!monitor_run_get_running (self) && self->records != NULL);
}

gboolean
monitor_run_save (MonitorRun *self,
                  GFile      *file,
                  GListModel *samples,
                  gint64      cpu_start_us,
                  GError    **error)
{
  g_return_val_if_fail (MONITOR_IS_RUN (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  if (self->report != NULL)
    return mpaio_run_report_save_to_file (self->report, file, NULL, error);

  if (!monitor_run_get_can_save (self))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "The run has no chunk records to save yet");
      return FALSE;
    }

  /* A run across hosts keeps every host's samples. */
  if (self->samples != NULL)
    {
      samples = G_LIST_MODEL (self->samples);
      cpu_start_us = self->cpu_start_us;
    }

  return monitor_run_file_save (file, self->start_us, self->end_us,
                                (const char *const *) self->workers,
                                (const MpaioChunkRecord *) (gpointer) self->records->data,
                                self->records->len, samples, cpu_start_us,
                                (const char *const *) self->core_names, error);
}

void
monitor_run_set_cpu_columns (MonitorRun        *self,
                             gint64             cpu_start_us,
                             const char *const *core_names)
{
  g_return_if_fail (MONITOR_IS_RUN (self));
  g_return_if_fail (core_names != NULL);

  g_strfreev (self->core_names);
  self->core_names = g_strdupv ((char **) core_names);
  self->cpu_start_us = cpu_start_us;
  if (self->samples == NULL)
    self->samples = g_list_store_new (MPAIO_TYPE_CPU_SAMPLE);
}

/* Batches overlap when a run's samples so far were fetched after the feed
 * had started: only those not kept yet are added, and a batch that leaves
 * a gap waits for the fetch that fills it. */
void
monitor_run_add_cpu_samples (MonitorRun *self,
                             guint       first,
                             GPtrArray  *samples)
{
  guint n_kept;

  g_return_if_fail (MONITOR_IS_RUN (self));
  g_return_if_fail (samples != NULL);

  if (self->samples == NULL)
    return;

  n_kept = g_list_model_get_n_items (G_LIST_MODEL (self->samples));
  if (first > n_kept || first + samples->len <= n_kept)
    return;

  g_list_store_splice (self->samples, n_kept, 0, samples->pdata + (n_kept - first),
                       samples->len - (n_kept - first));
}

/* Its own samples: a loaded run's, or a watched run's across hosts; NULL
 * for a run whose samples are the machine's, sampled here. */
GListModel *
monitor_run_get_cpu_samples (MonitorRun         *self,
                             gint64             *cpu_start_us,
                             const char *const **core_names)
{
  GListModel *loaded;

  g_return_val_if_fail (MONITOR_IS_RUN (self), NULL);

  loaded = self->report != NULL ? mpaio_run_report_get_cpu_samples (self->report) : NULL;
  if (self->from_file && loaded != NULL)
    {
      *cpu_start_us = mpaio_run_report_get_cpu_start_time (self->report);
      *core_names = mpaio_run_report_get_cpu_core_names (self->report);
      return loaded;
    }

  if (self->samples != NULL)
    {
      *cpu_start_us = self->cpu_start_us;
      *core_names = (const char *const *) self->core_names;
      return G_LIST_MODEL (self->samples);
    }

  return NULL;
}
