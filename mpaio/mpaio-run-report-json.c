/* mpaio-run-report-json.c: a run report saved as, and loaded from, JSON
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The format (version 1), which mpaio-monitor opens and draws:
 *
 *   {
 *     "format": "mpaio-run", "version": 1,
 *     "start-us": 123, "end-us": 456, "wall-time": 0.000333,
 *     "workers": ["DemoAddIntWorker"],
 *     "chunks": [
 *       { "worker": 0, "chunk": 0, "start-row": 0, "end-row": 100,
 *         "pid": 4242, "outcome": "completed", "sent-us": 130,
 *         "started-us": 140, "finished-us": 200, "returned-us": 210 },
 *       { "worker": 0, "chunk": 1, …, "outcome": "failed",
 *         "error": { "domain": "mpaio-error-quark", "code": 2,
 *                    "message": "…" }, "host": "node2", "rank": 1 }, …
 *       ("host" and "rank" for a chunk of a run across hosts)
 *     ],
 *     "cpu": { "start-us": 100, "n-cores": 2,
 *              (and "core-names": ["node0/core_0", …] for a run across hosts)
 *              "samples": [ { "time": 0.2, "cores": [97.5, 12.0],
 *                             "total": 54.75 }, … ] }
 *   }
 *
 * Times ending in "-us" are microseconds of the monotonic clock of the
 * machine that ran the run; sample times are seconds from "cpu"'s
 * "start-us". "cpu" is null for a run without CPU monitoring. Chunks are
 * in the order their results came back. "outcome" is "completed",
 * "failed", "cancelled" or "not-sent" (a chunk without it completed); a
 * failed chunk has its "error"; "host" names the machine of a chunk that
 * ran on another (MPI), and is left out for this one. Unknown members are
 * ignored, so later versions can add some.
 *
 * Written by hand, streaming (a run may have millions of chunks); read
 * with json-glib, every member checked.
 */

#include "config.h"

#include <math.h>

#include <json-glib/json-glib.h>

#include "mpaio-cpu-sample.h"
#include "mpaio-run-report.h"
#include "mpaio-run-report-private.h"

#define RUN_FORMAT  "mpaio-run"
#define RUN_VERSION 1
/* The most cores a sample may have (libgtop's limit). */
#define MAX_CORES 1024

/* By MpaioChunkOutcome. */
static const char *const outcome_names[] = { "completed", "failed", "cancelled", "not-sent" };

G_STATIC_ASSERT (G_N_ELEMENTS (outcome_names) == MPAIO_CHUNK_OUTCOME_NOT_SENT + 1);

/* Writing */

static gboolean
flush_if_full (GOutputStream *stream,
               GString       *buffer,
               gboolean       force,
               GCancellable  *cancellable,
               GError       **error)
{
  if (buffer->len < 64 * 1024 && !force)
    return TRUE;

  if (!g_output_stream_write_all (stream, buffer->str, buffer->len, NULL, cancellable, error))
    return FALSE;

  g_string_truncate (buffer, 0);
  return TRUE;
}

static void
append_double (GString *buffer, double value)
{
  char text[G_ASCII_DTOSTR_BUF_SIZE];

  /* JSON has no NaN or infinity. */
  if (!isfinite (value))
    value = 0.0;
  g_string_append (buffer, g_ascii_dtostr (text, sizeof text, value));
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

/**
 * mpaio_run_report_write_json:
 * @self: a run report
 * @stream: where to write
 * @cancellable: (nullable): a cancellable
 * @error: return location for a #GError
 *
 * Writes the report as a JSON run file: the run's start and end, its
 * workers, one record per chunk and the CPU samples (see the README for
 * the format). [ctor@Mpaio.RunReport.new_from_file] reads it back, and
 * `mpaio-monitor FILE.json` shows it.
 *
 * Returns: %TRUE on success; %FALSE with @error set
 *
 * Since: 0.1
 */
gboolean
mpaio_run_report_write_json (MpaioRunReport *self,
                             GOutputStream  *stream,
                             GCancellable   *cancellable,
                             GError        **error)
{
  g_autoptr(GString) buffer = g_string_sized_new (128 * 1024);
  const char *const *workers;
  GListModel        *samples;
  guint              n_records;

  g_return_val_if_fail (MPAIO_IS_RUN_REPORT (self), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), FALSE);

  g_string_append_printf (buffer,
                          "{\n  \"format\": \"" RUN_FORMAT "\",\n  \"version\": %d,\n"
                          "  \"start-us\": %" G_GINT64_FORMAT ",\n  \"end-us\": %" G_GINT64_FORMAT
                          ",\n  \"wall-time\": ",
                          RUN_VERSION, mpaio_run_report_get_start_time (self),
                          mpaio_run_report_get_end_time (self));
  append_double (buffer, mpaio_run_report_get_wall_time (self));

  g_string_append (buffer, ",\n  \"workers\": [");
  workers = mpaio_run_report_get_worker_names (self);
  for (guint i = 0; workers != NULL && workers[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append (buffer, ", ");
      append_string (buffer, workers[i]);
    }
  g_string_append (buffer, "],\n  \"chunks\": [");

  n_records = mpaio_run_report_get_n_records (self);
  for (guint i = 0; i < n_records; i++)
    {
      const MpaioChunkRecord *record = mpaio_run_report_get_record (self, i);

      g_string_append_printf (
        buffer,
        "%s\n    { \"worker\": %u, \"chunk\": %" G_GUINT64_FORMAT
        ", \"start-row\": %" G_GUINT64_FORMAT ", \"end-row\": %" G_GUINT64_FORMAT
        ", \"pid\": %d, \"outcome\": \"%s\", \"sent-us\": %" G_GINT64_FORMAT
        ", \"started-us\": %" G_GINT64_FORMAT ", \"finished-us\": %" G_GINT64_FORMAT
        ", \"returned-us\": %" G_GINT64_FORMAT,
        i > 0 ? "," : "", record->worker_index, record->chunk_index, record->start_row,
        record->end_row, record->pid, outcome_names[record->outcome], record->sent_us,
        record->started_us, record->finished_us, record->returned_us);
      if (record->error != NULL)
        {
          g_string_append (buffer, ", \"error\": { \"domain\": ");
          append_string (buffer, g_quark_to_string (record->error->domain));
          g_string_append_printf (buffer, ", \"code\": %d, \"message\": ", record->error->code);
          append_string (buffer, record->error->message);
          g_string_append (buffer, " }");
        }
      if (record->host != NULL)
        {
          g_string_append (buffer, ", \"host\": ");
          append_string (buffer, record->host);
          g_string_append_printf (buffer, ", \"rank\": %d", record->rank);
        }
      g_string_append (buffer, " }");
      if (!flush_if_full (stream, buffer, FALSE, cancellable, error))
        return FALSE;
    }
  g_string_append (buffer, n_records > 0 ? "\n  ],\n  \"cpu\": " : "],\n  \"cpu\": ");

  samples = mpaio_run_report_get_cpu_samples (self);
  if (samples == NULL)
    g_string_append (buffer, "null");
  else
    {
      guint n_samples = g_list_model_get_n_items (samples);

      const char *const *names = mpaio_run_report_get_cpu_core_names (self);

      g_string_append_printf (buffer,
                              "{\n    \"start-us\": %" G_GINT64_FORMAT ",\n    \"n-cores\": %u,\n",
                              mpaio_run_report_get_cpu_start_time (self),
                              _mpaio_run_report_get_n_cores (self));
      /* A run across hosts names its columns "host/core_N". */
      if (names != NULL)
        {
          g_string_append (buffer, "    \"core-names\": [");
          for (guint i = 0; names[i] != NULL; i++)
            {
              if (i > 0)
                g_string_append (buffer, ", ");
              append_string (buffer, names[i]);
            }
          g_string_append (buffer, "],\n");
        }
      g_string_append (buffer, "    \"samples\": [");
      for (guint i = 0; i < n_samples; i++)
        {
          g_autoptr(MpaioCpuSample) sample = g_list_model_get_item (samples, i);
          guint          n_values = 0;
          const gdouble *values = mpaio_cpu_sample_get_values (sample, &n_values);

          g_string_append (buffer, i > 0 ? ",\n      { \"time\": " : "\n      { \"time\": ");
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
          if (!flush_if_full (stream, buffer, FALSE, cancellable, error))
            return FALSE;
        }
      g_string_append (buffer, n_samples > 0 ? "\n    ]\n  }" : "]\n  }");
    }
  g_string_append (buffer, "\n}\n");

  return flush_if_full (stream, buffer, TRUE, cancellable, error);
}

/**
 * mpaio_run_report_save_to_file:
 * @self: a run report
 * @file: where to save it
 * @cancellable: (nullable): a cancellable
 * @error: return location for a #GError
 *
 * Saves the report as a JSON run file (see
 * [method@Mpaio.RunReport.write_json]), replacing @file at once when it is
 * all written.
 *
 * Returns: %TRUE on success; %FALSE with @error set
 *
 * Since: 0.1
 */
gboolean
mpaio_run_report_save_to_file (MpaioRunReport *self,
                               GFile          *file,
                               GCancellable   *cancellable,
                               GError        **error)
{
  g_autoptr(GFileOutputStream) stream = NULL;

  g_return_val_if_fail (MPAIO_IS_RUN_REPORT (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  stream =
    g_file_replace (file, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION, cancellable, error);
  if (stream == NULL)
    return FALSE;

  if (!mpaio_run_report_write_json (self, G_OUTPUT_STREAM (stream), cancellable, error))
    return FALSE;

  return g_output_stream_close (G_OUTPUT_STREAM (stream), cancellable, error);
}

/* Reading */

typedef struct
{
  const char *where; /* for messages: "chunk 3", "sample 2", "the run" */
  guint       index;
  GError    **error;
} Context;

static gboolean
fail (Context *context, const char *member, const char *what)
{
  if (context->index != G_MAXUINT)
    g_set_error (context->error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 "Not an mpaio run file: %s %u: “%s” %s", context->where, context->index, member,
                 what);
  else
    g_set_error (context->error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 "Not an mpaio run file: %s: “%s” %s", context->where, member, what);
  return FALSE;
}

static gboolean
get_int (
  JsonObject *object, const char *member, gint64 min, gint64 max, gint64 *value, Context *context)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return fail (context, member, "must be an integer");

  *value = json_node_get_int (node);
  if (*value < min || *value > max)
    return fail (context, member, "is out of range");

  return TRUE;
}

static gboolean
get_double (JsonObject *object, const char *member, double *value, Context *context)
{
  JsonNode *node = json_object_get_member (object, member);
  GType     type = node != NULL && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node)
                                                                : G_TYPE_INVALID;

  if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE)
    return fail (context, member, "must be a number");

  *value = json_node_get_double (node);
  return TRUE;
}

static JsonArray *
get_array (JsonObject *object, const char *member, Context *context)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      fail (context, member, "must be an array");
      return NULL;
    }

  return json_node_get_array (node);
}

/* A failed chunk's error: { "domain", "code", "message" }. */
static gboolean
read_error (JsonObject *object, MpaioChunkRecord *record, Context *context)
{
  JsonNode   *node = json_object_get_member (object, "error");
  JsonObject *error;
  const char *domain, *message;
  gint64      code;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail (context, "error", "must be an object");
  error = json_node_get_object (node);
  domain = json_object_get_string_member_with_default (error, "domain", NULL);
  message = json_object_get_string_member_with_default (error, "message", NULL);
  if (domain == NULL || *domain == '\0' || message == NULL)
    return fail (context, "error", "must have a “domain” and a “message”");
  if (!get_int (error, "code", G_MININT, G_MAXINT, &code, context))
    return FALSE;

  record->error = g_error_new_literal (g_quark_from_string (domain), (gint) code, message);
  return TRUE;
}

static gboolean
read_record (JsonNode *node, guint n_workers, MpaioChunkRecord *record, Context *context)
{
  JsonObject *object;
  gint64      worker, chunk, start_row, end_row, pid;
  const char *outcome;
  guint       n_outcome;
  JsonNode   *host;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail (context, "chunks", "must hold objects");
  object = json_node_get_object (node);

  if (!get_int (object, "worker", 0, MAX (n_workers, 1) - 1, &worker, context) || !get_int (object, "chunk", 0, G_MAXINT64, &chunk, context) || !get_int (object, "start-row", 0, G_MAXINT64, &start_row, context) || !get_int (object, "end-row", start_row, G_MAXINT64, &end_row, context) || !get_int (object, "pid", 0, G_MAXINT32, &pid, context) || !get_int (object, "sent-us", G_MININT64, G_MAXINT64, &record->sent_us, context) || !get_int (object, "started-us", G_MININT64, G_MAXINT64, &record->started_us, context) || !get_int (object, "finished-us", G_MININT64, G_MAXINT64, &record->finished_us, context) || !get_int (object, "returned-us", G_MININT64, G_MAXINT64, &record->returned_us, context))
    return FALSE;

  outcome = json_object_get_string_member_with_default (object, "outcome", "completed");
  for (n_outcome = 0; n_outcome < G_N_ELEMENTS (outcome_names); n_outcome++)
    if (g_strcmp0 (outcome, outcome_names[n_outcome]) == 0)
      break;
  if (n_outcome == G_N_ELEMENTS (outcome_names))
    return fail (context, "outcome", "must be one of “completed”, “failed”, “cancelled”, …");
  record->outcome = (MpaioChunkOutcome) n_outcome;

  if (json_object_has_member (object, "error") && !read_error (object, record, context))
    return FALSE;

  host = json_object_get_member (object, "host");
  if (host != NULL && !JSON_NODE_HOLDS_NULL (host))
    {
      if (!JSON_NODE_HOLDS_VALUE (host) || json_node_get_value_type (host) != G_TYPE_STRING)
        return fail (context, "host", "must be a string");
      record->host = g_intern_string (json_node_get_string (host));
    }

  record->worker_index = (guint) worker;
  record->chunk_index = (guint64) chunk;
  record->start_row = (guint64) start_row;
  record->end_row = (guint64) end_row;
  record->pid = (gint) pid;

  /* A rank only with a host: a chunk of a run across hosts. */
  if (record->host != NULL && json_object_has_member (object, "rank"))
    {
      gint64 rank;

      if (!get_int (object, "rank", 0, G_MAXINT32, &rank, context))
        return FALSE;
      record->rank = (gint) rank;
    }

  return TRUE;
}

/* "core-names": optional, one string per core. */
static gboolean
read_core_names (MpaioRunReport *report, JsonObject *cpu, guint n_cores, Context *context)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) names = NULL;
  JsonArray *array;

  if (!json_object_has_member (cpu, "core-names"))
    return TRUE;
  if ((array = get_array (cpu, "core-names", context)) == NULL)
    return FALSE;
  if (json_array_get_length (array) != n_cores)
    return fail (context, "core-names", "must name every core");

  builder = g_strv_builder_new ();
  for (guint i = 0; i < n_cores; i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        return fail (context, "core-names", "must hold strings");
      g_strv_builder_add (builder, json_node_get_string (node));
    }
  names = g_strv_builder_end (builder);
  _mpaio_run_report_set_cpu_core_names (report, (const char *const *) names);
  return TRUE;
}

static GListStore *
read_samples (JsonObject *cpu, guint *n_cores, gint64 *start_us, Context *context)
{
  g_autoptr(GListStore) store = g_list_store_new (MPAIO_TYPE_CPU_SAMPLE);
  g_autofree double *values = NULL;
  JsonArray         *samples;
  gint64             cores;
  guint              n;

  context->where = "cpu";
  context->index = G_MAXUINT;
  if (!get_int (cpu, "start-us", G_MININT64, G_MAXINT64, start_us, context) || !get_int (cpu, "n-cores", 1, MAX_CORES, &cores, context) || (samples = get_array (cpu, "samples", context)) == NULL)
    return NULL;

  *n_cores = (guint) cores;
  values = g_new (double, cores);
  n = json_array_get_length (samples);
  context->where = "sample";
  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (samples, i);
      g_autoptr(MpaioCpuSample) sample = NULL;
      JsonObject *object;
      JsonArray  *core_values;
      double      time, total;

      context->index = i;
      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          fail (context, "samples", "must hold objects");
          return NULL;
        }
      object = json_node_get_object (node);
      if (!get_double (object, "time", &time, context) || !get_double (object, "total", &total, context) || (core_values = get_array (object, "cores", context)) == NULL)
        return NULL;
      if (json_array_get_length (core_values) != (guint) cores)
        {
          fail (context, "cores", "must have n-cores values");
          return NULL;
        }
      for (guint core = 0; core < (guint) cores; core++)
        {
          JsonNode *value = json_array_get_element (core_values, core);
          GType     type =
            JSON_NODE_HOLDS_VALUE (value) ? json_node_get_value_type (value) : G_TYPE_INVALID;

          if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE)
            {
              fail (context, "cores", "must hold numbers");
              return NULL;
            }
          values[core] = json_node_get_double (value);
        }

      sample = mpaio_cpu_sample_new (time, values, (guint) cores, total);
      g_list_store_append (store, sample);
    }

  return g_steal_pointer (&store);
}

/**
 * mpaio_run_report_new_from_file:
 * @file: a JSON run file, as [method@Mpaio.RunReport.save_to_file] writes
 * @cancellable: (nullable): a cancellable
 * @error: return location for a #GError
 *
 * Loads a run report saved as a JSON run file: the same records, CPU
 * samples, times and worker names as the report that was saved.
 *
 * Returns: (transfer full): the report, or %NULL with @error set: a
 *   %G_IO_ERROR_INVALID_DATA error naming what is wrong for a file that is
 *   not a run file, or the error of reading it
 *
 * Since: 0.1
 */
MpaioRunReport *
mpaio_run_report_new_from_file (GFile *file, GCancellable *cancellable, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GPtrArray) workers = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) local_error = NULL;
  Context     context = { "the run", G_MAXUINT, error };
  JsonNode   *root;
  JsonObject *object;
  JsonArray  *chunks, *worker_names;
  JsonNode   *cpu;
  gint64      version, start_us, end_us;
  guint       n_chunks;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  stream = G_INPUT_STREAM (g_file_read (file, cancellable, error));
  if (stream == NULL)
    return NULL;

  if (!json_parser_load_from_stream (parser, stream, cancellable, &local_error))
    {
      /* Reading errors as they are; JSON ones in the one domain callers
       * check for a file that is not a run file. */
      if (local_error->domain == JSON_PARSER_ERROR)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "Not an mpaio run file: %s",
                     local_error->message);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) || g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (root), "format", NULL), RUN_FORMAT) != 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "Not an mpaio run file: no “format”: “" RUN_FORMAT "”");
      return NULL;
    }
  object = json_node_get_object (root);

  if (!get_int (object, "version", 1, G_MAXINT, &version, &context))
    return NULL;
  if (version > RUN_VERSION)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "The run file is of version %" G_GINT64_FORMAT
                   ", newer than this library reads (%d)",
                   version, RUN_VERSION);
      return NULL;
    }

  if (!get_int (object, "start-us", G_MININT64, G_MAXINT64, &start_us, &context) || !get_int (object, "end-us", start_us, G_MAXINT64, &end_us, &context) || (chunks = get_array (object, "chunks", &context)) == NULL)
    return NULL;

  if (json_object_has_member (object, "workers"))
    {
      if ((worker_names = get_array (object, "workers", &context)) == NULL)
        return NULL;
      for (guint i = 0; i < json_array_get_length (worker_names); i++)
        {
          JsonNode *name = json_array_get_element (worker_names, i);

          if (!JSON_NODE_HOLDS_VALUE (name) || json_node_get_value_type (name) != G_TYPE_STRING)
            {
              fail (&context, "workers", "must hold strings");
              return NULL;
            }
          g_ptr_array_add (workers, g_strdup (json_node_get_string (name)));
        }
    }

  n_chunks = json_array_get_length (chunks);
  report = _mpaio_run_report_new (start_us, n_chunks);
  context.where = "chunk";
  for (guint i = 0; i < n_chunks; i++)
    {
      MpaioChunkRecord record = { 0 };
      gboolean         read;

      context.index = i;
      read = read_record (json_array_get_element (chunks, i),
                          workers->len > 0 ? workers->len : G_MAXUINT, &record, &context);
      if (read)
        _mpaio_run_report_add_record (report, &record);
      g_clear_error (&record.error);
      if (!read)
        return NULL;
    }
  _mpaio_run_report_set_end (report, end_us);

  g_ptr_array_add (workers, NULL);
  if (workers->len > 1)
    _mpaio_run_report_set_worker_names (report, (const char *const *) workers->pdata);

  cpu = json_object_get_member (object, "cpu");
  if (cpu != NULL && JSON_NODE_HOLDS_OBJECT (cpu))
    {
      g_autoptr(GListStore) samples = NULL;
      gint64 cpu_start_us = 0;
      guint  n_cores = 0;

      samples = read_samples (json_node_get_object (cpu), &n_cores, &cpu_start_us, &context);
      if (samples == NULL)
        return NULL;
      _mpaio_run_report_set_cpu_samples (report, G_LIST_MODEL (samples), cpu_start_us, n_cores);
      if (!read_core_names (report, json_node_get_object (cpu), n_cores, &context))
        return NULL;
    }
  else if (cpu != NULL && !JSON_NODE_HOLDS_NULL (cpu))
    {
      context.index = G_MAXUINT;
      context.where = "the run";
      fail (&context, "cpu", "must be an object or null");
      return NULL;
    }

  return g_steal_pointer (&report);
}
