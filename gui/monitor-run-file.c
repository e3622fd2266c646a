/* monitor-run-file.c: a watched run saved as a run file
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The library writes the run files of its own reports; a run watched over
 * the bus has no report in this process, only the records the feed
 * brought. They are written here in the same format, which
 * mpaio_run_report_new_from_file() reads back (the tests check it does).
 * Streamed, as the library does: a run may have millions of chunks.
 */

#include <math.h>

#include "monitor-run-file.h"

/* Samples this close outside the run still cover part of it. */
#define SAMPLE_MARGIN_US G_USEC_PER_SEC

/* By MpaioChunkOutcome. */
static const char *const outcome_names[] = { "completed", "failed", "cancelled", "not-sent" };

static gboolean
flush (GOutputStream *stream, GString *buffer, gboolean force, GError **error)
{
  if (buffer->len < 64 * 1024 && !force)
    return TRUE;

  if (!g_output_stream_write_all (stream, buffer->str, buffer->len, NULL, NULL, error))
    return FALSE;

  g_string_truncate (buffer, 0);
  return TRUE;
}

static void
append_string (GString *buffer, const char *text)
{
  g_string_append_c (buffer, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_printf (buffer, "\\%c", *p);
      else if ((guchar) *p < 0x20)
        g_string_append_printf (buffer, "\\u%04x", (guint) (guchar) *p);
      else
        g_string_append_c (buffer, *p);
    }
  g_string_append_c (buffer, '"');
}

static void
append_double (GString *buffer, double value)
{
  char text[G_ASCII_DTOSTR_BUF_SIZE];

  /* JSON has no NaN or infinity. */
  g_string_append (buffer, g_ascii_dtostr (text, sizeof text, isfinite (value) ? value : 0.0));
}

static void
append_record (GString *buffer, const MpaioChunkRecord *record, gboolean first)
{
  guint outcome = MIN ((guint) record->outcome, G_N_ELEMENTS (outcome_names) - 1);

  g_string_append_printf (
    buffer,
    "%s\n    { \"worker\": %u, \"chunk\": %" G_GUINT64_FORMAT ", \"start-row\": %" G_GUINT64_FORMAT
    ", \"end-row\": %" G_GUINT64_FORMAT ", \"pid\": %d, \"outcome\": \"%s\", \"sent-us\": %" G_GINT64_FORMAT
    ", \"started-us\": %" G_GINT64_FORMAT ", \"finished-us\": %" G_GINT64_FORMAT
    ", \"returned-us\": %" G_GINT64_FORMAT,
    first ? "" : ",", record->worker_index, record->chunk_index, record->start_row,
    record->end_row, MAX (record->pid, 0), outcome_names[outcome], record->sent_us,
    record->started_us, record->finished_us, record->returned_us);
  if (record->host != NULL)
    {
      g_string_append (buffer, ", \"host\": ");
      append_string (buffer, record->host);
    }
  g_string_append (buffer, " }");
}

/* The samples within the run; the cores of the first. */
static gboolean
append_samples (GOutputStream     *stream,
                GString           *buffer,
                GListModel        *samples,
                gint64             cpu_start_us,
                const char *const *core_names,
                gint64             start_us,
                gint64             end_us,
                GError           **error)
{
  guint n_samples = samples != NULL ? g_list_model_get_n_items (samples) : 0;
  guint n_cores = 0, n_written = 0;

  for (guint i = 0; i < n_samples; i++)
    {
      g_autoptr(MpaioCpuSample) sample = g_list_model_get_item (samples, i);
      gint64         time_us = cpu_start_us + (gint64) (mpaio_cpu_sample_get_time (sample) * G_USEC_PER_SEC);
      guint          n_values = 0;
      const gdouble *values = mpaio_cpu_sample_get_values (sample, &n_values);

      if (time_us < start_us - SAMPLE_MARGIN_US || time_us > end_us + SAMPLE_MARGIN_US)
        continue;
      if (n_written == 0)
        {
          n_cores = n_values;
          g_string_append_printf (buffer,
                                  "{\n    \"start-us\": %" G_GINT64_FORMAT
                                  ",\n    \"n-cores\": %u,\n",
                                  cpu_start_us, n_cores);
          /* Cores of several hosts are named as a report names them. */
          if (core_names != NULL && g_strv_length ((char **) core_names) == n_cores)
            {
              g_string_append (buffer, "    \"core-names\": [");
              for (guint c = 0; c < n_cores; c++)
                {
                  if (c > 0)
                    g_string_append (buffer, ", ");
                  append_string (buffer, core_names[c]);
                }
              g_string_append (buffer, "],\n");
            }
          g_string_append (buffer, "    \"samples\": [");
        }
      /* Every sample has the cores of the first. */
      if (n_values != n_cores)
        continue;

      g_string_append (buffer, n_written > 0 ? ",\n      { \"time\": " : "\n      { \"time\": ");
      append_double (buffer, mpaio_cpu_sample_get_time (sample));
      g_string_append (buffer, ", \"cores\": [");
      for (guint core = 0; core < n_values; core++)
        {
          if (core > 0)
            g_string_append (buffer, ", ");
          append_double (buffer, values[core]);
        }
      g_string_append (buffer, "], \"total\": ");
      append_double (buffer, mpaio_cpu_sample_get_total (sample));
      g_string_append (buffer, " }");
      n_written++;
      if (!flush (stream, buffer, FALSE, error))
        return FALSE;
    }

  g_string_append (buffer, n_written > 0 ? "\n    ]\n  }" : "null");
  return TRUE;
}

gboolean
monitor_run_file_save (GFile                  *file,
                       gint64                  start_us,
                       gint64                  end_us,
                       const char *const      *workers,
                       const MpaioChunkRecord *records,
                       guint                   n_records,
                       GListModel             *samples,
                       gint64                  cpu_start_us,
                       const char *const      *core_names,
                       GError                **error)
{
  g_autoptr(GFileOutputStream) file_stream = NULL;
  g_autoptr(GString) buffer = g_string_sized_new (128 * 1024);
  GOutputStream *stream;
  char           wall[G_ASCII_DTOSTR_BUF_SIZE];

  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  file_stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION, NULL, error);
  if (file_stream == NULL)
    return FALSE;
  stream = G_OUTPUT_STREAM (file_stream);

  end_us = MAX (end_us, start_us);
  g_string_append_printf (buffer,
                          "{\n  \"format\": \"mpaio-run\",\n  \"version\": 1,\n"
                          "  \"start-us\": %" G_GINT64_FORMAT ",\n  \"end-us\": %" G_GINT64_FORMAT
                          ",\n  \"wall-time\": %s,\n  \"workers\": [",
                          start_us, end_us,
                          g_ascii_dtostr (wall, sizeof wall, (end_us - start_us) / 1e6));
  for (guint i = 0; workers != NULL && workers[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append (buffer, ", ");
      append_string (buffer, workers[i]);
    }
  g_string_append (buffer, "],\n  \"chunks\": [");

  for (guint i = 0; i < n_records; i++)
    {
      append_record (buffer, &records[i], i == 0);
      if (!flush (stream, buffer, FALSE, error))
        return FALSE;
    }
  g_string_append (buffer, n_records > 0 ? "\n  ],\n  \"cpu\": " : "],\n  \"cpu\": ");

  if (!append_samples (stream, buffer, samples, cpu_start_us, core_names, start_us, end_us,
                       error))
    return FALSE;
  g_string_append (buffer, "\n}\n");

  if (!flush (stream, buffer, TRUE, error))
    return FALSE;

  return g_output_stream_close (stream, NULL, error);
}
