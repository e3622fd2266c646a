/* monitor-csv-render.c: draws a chart from a CSV of CPU samples, headless
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * `mpaio-monitor --render samples.csv --output plot.png`: the demo's plot
 * of a run's CPU utilisation, from the CSV that mpaio writes (a header
 * `time,core_0,...,core_N,total`, times in seconds, values in percent; what
 * pandas.read_csv reads as a DataFrame). It runs without any display: the
 * samples go into the same GListModel the live chart reads and are drawn
 * by the same cairo code, on an image surface.
 */

#include <errno.h>
#include <math.h>
#include <string.h>

#include <mpaio.h>

#include "monitor-chart-drawing.h"
#include "monitor-csv-render.h"

typedef enum
{
  COLUMN_IGNORED,
  COLUMN_TIME,
  COLUMN_CORE,
  COLUMN_TOTAL,
} ColumnKind;

static char *
unquote (char *field)
{
  gsize length;

  field = g_strstrip (field);
  length = strlen (field);
  if (length >= 2 && field[0] == '"' && field[length - 1] == '"')
    {
      field[length - 1] = '\0';
      field++;
    }

  return field;
}

static gboolean
parse_value (const char *field,
             double     *value)
{
  char *end;

  /* An empty field is what pandas writes for NaN. */
  if (*field == '\0' || g_ascii_strcasecmp (field, "nan") == 0)
    {
      *value = NAN;
      return TRUE;
    }

  errno = 0;
  *value = g_ascii_strtod (field, &end);

  return errno == 0 && *end == '\0' && isfinite (*value);
}

/**
 * monitor_csv_render_load:
 * @contents: the CSV text
 * @length: its length in bytes
 * @n_cores: (out): the number of core columns
 * @error: return location for a #GError
 *
 * Reads CPU samples: a `time` column (the first column if none is named
 * so, as in a CSV pandas wrote with its index), `core_*` (or `cpu*`)
 * columns in order, and an optional `total` (the cores' mean if absent).
 *
 * Returns: (transfer full): a model of #MpaioCpuSample, or %NULL
 */
GListModel *
monitor_csv_render_load (const char *contents,
                         gsize       length,
                         guint      *n_cores,
                         GError    **error)
{
  g_autoptr(GListStore) samples = g_list_store_new (MPAIO_TYPE_CPU_SAMPLE);
  g_autofree char *text = g_strndup (contents, length);
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) header = NULL;
  g_autofree ColumnKind *kinds = NULL;
  g_autofree double     *values = NULL;
  guint                  n_columns, cores = 0, line_no = 0;
  gboolean               has_time = FALSE, has_total = FALSE;

  g_return_val_if_fail (contents != NULL || length == 0, NULL);

  lines = g_strsplit (text, "\n", -1);
  while (lines[line_no] != NULL && *g_strstrip (lines[line_no]) == '\0')
    line_no++;
  if (lines[line_no] == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "The CSV is empty");
      return NULL;
    }

  header = g_strsplit (lines[line_no++], ",", -1);
  n_columns = g_strv_length (header);
  kinds = g_new0 (ColumnKind, n_columns);
  for (guint c = 0; c < n_columns; c++)
    {
      const char *name = unquote (header[c]);

      if (g_ascii_strcasecmp (name, "time") == 0)
        {
          kinds[c] = COLUMN_TIME;
          has_time = TRUE;
        }
      else if (g_ascii_strncasecmp (name, "core", 4) == 0 || g_ascii_strncasecmp (name, "cpu", 3) == 0)
        {
          kinds[c] = COLUMN_CORE;
          cores++;
        }
      else if (g_ascii_strcasecmp (name, "total") == 0)
        {
          kinds[c] = COLUMN_TOTAL;
          has_total = TRUE;
        }
    }
  if (!has_time && n_columns > 0 && kinds[0] == COLUMN_IGNORED)
    {
      kinds[0] = COLUMN_TIME;
      has_time = TRUE;
    }
  if (!has_time || cores == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "The CSV header names no time and core columns "
                           "(expected time,core_0,…,core_N[,total])");
      return NULL;
    }

  values = g_new (double, cores);
  for (; lines[line_no] != NULL; line_no++)
    {
      g_auto(GStrv) fields = NULL;
      g_autoptr(MpaioCpuSample) sample = NULL;
      double time = NAN, total = NAN, sum = 0.0;
      guint  core = 0, n_values = 0;

      if (*g_strstrip (lines[line_no]) == '\0')
        continue;

      fields = g_strsplit (lines[line_no], ",", -1);
      if (g_strv_length (fields) != n_columns)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "Line %u has %u fields, the header %u", line_no + 1,
                       g_strv_length (fields), n_columns);
          return NULL;
        }

      for (guint c = 0; c < n_columns; c++)
        {
          double value = NAN;

          if (kinds[c] == COLUMN_IGNORED)
            continue;
          if (!parse_value (unquote (fields[c]), &value))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "Line %u, column %u: “%s” is not a number", line_no + 1, c + 1,
                           fields[c]);
              return NULL;
            }

          if (kinds[c] == COLUMN_TIME)
            time = value;
          else if (kinds[c] == COLUMN_TOTAL)
            total = value;
          else
            {
              values[core++] = value;
              if (!isnan (value))
                {
                  sum += value;
                  n_values++;
                }
            }
        }

      if (isnan (time))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "Line %u has no time",
                       line_no + 1);
          return NULL;
        }
      if (!has_total)
        total = n_values > 0 ? sum / n_values : NAN;

      sample = mpaio_cpu_sample_new (time, values, cores, total);
      g_list_store_append (samples, sample);
    }

  if (n_cores != NULL)
    *n_cores = cores;

  return G_LIST_MODEL (g_steal_pointer (&samples));
}

/**
 * monitor_csv_render_to_png:
 * @csv_path: a CSV of CPU samples
 * @png_path: where to write the chart
 * @width: the image's width
 * @height: the image's height
 * @error: return location for a #GError
 *
 * Draws the whole series, its time axis fitted to the samples.
 *
 * Returns: whether the PNG was written
 */
gboolean
monitor_csv_render_to_png (const char *csv_path,
                           const char *png_path,
                           int         width,
                           int         height,
                           GError    **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GListModel) samples = NULL;
  g_autoptr(MpaioCpuSample) first = NULL;
  g_autoptr(MpaioCpuSample) last = NULL;
  cairo_surface_t *surface;
  cairo_status_t   status;
  MonitorChartAxis axis = { 0.0, 1.0, FALSE };
  gsize            length;
  guint            n_cores = 0, n_items;

  g_return_val_if_fail (csv_path != NULL, FALSE);
  g_return_val_if_fail (png_path != NULL, FALSE);

  if (!g_file_get_contents (csv_path, &contents, &length, error))
    return FALSE;

  samples = monitor_csv_render_load (contents, length, &n_cores, error);
  if (samples == NULL)
    {
      g_prefix_error (error, "%s: ", csv_path);
      return FALSE;
    }

  n_items = g_list_model_get_n_items (samples);
  if (n_items > 0)
    {
      first = g_list_model_get_item (samples, 0);
      last = g_list_model_get_item (samples, n_items - 1);
      /* From 0: the run starts when its monitor does. */
      axis.start = MIN (0.0, mpaio_cpu_sample_get_time (first));
      axis.end = MAX (mpaio_cpu_sample_get_time (last), axis.start + 0.1);
    }

  surface = monitor_chart_render_image (samples, &axis, n_cores, NULL, TRUE, width, height);
  status = cairo_surface_write_to_png (surface, png_path);
  cairo_surface_destroy (surface);

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Could not write %s: %s", png_path,
                   cairo_status_to_string (status));
      return FALSE;
    }

  return TRUE;
}
