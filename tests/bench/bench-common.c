/* bench-common.c: timing, tables and helpers shared by the benchmarks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "bench-common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/resource.h>

gdouble
bench_now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gdouble) ts.tv_sec + (gdouble) ts.tv_nsec * 1e-9;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  gdouble x = *(const gdouble *) a;
  gdouble y = *(const gdouble *) b;

  return (x > y) - (x < y);
}

gdouble
bench_median (gdouble *values,
              guint    n)
{
  g_return_val_if_fail (n > 0, 0.0);

  qsort (values, n, sizeof (gdouble), compare_doubles);
  if (n % 2 == 1)
    return values[n / 2];
  return (values[n / 2 - 1] + values[n / 2]) / 2.0;
}

/* The empty worker */

struct _BenchEmptyWorker
{
  MpaioWorker parent_instance;
  guint64     n_results;
};

G_DEFINE_FINAL_TYPE (BenchEmptyWorker, bench_empty_worker, MPAIO_TYPE_WORKER)

static GVariant *
bench_empty_worker_process (MpaioWorker      *worker,
                            const MpaioChunk *chunk,
                            GError          **error)
{
  return g_variant_new_boolean (TRUE);
}

static void
bench_empty_worker_process_callback (MpaioWorker      *worker,
                                     const MpaioChunk *chunk,
                                     GVariant         *result)
{
  BENCH_EMPTY_WORKER (worker)->n_results++;
}

static void
bench_empty_worker_class_init (BenchEmptyWorkerClass *klass)
{
  MPAIO_WORKER_CLASS (klass)->process = bench_empty_worker_process;
  MPAIO_WORKER_CLASS (klass)->process_callback = bench_empty_worker_process_callback;
}

static void
bench_empty_worker_init (BenchEmptyWorker *self)
{
}

BenchEmptyWorker *
bench_empty_worker_new (MpaioDataIterator *iterator)
{
  return g_object_new (BENCH_TYPE_EMPTY_WORKER, "data-iterator", iterator, NULL);
}

guint64
bench_empty_worker_get_n_results (BenchEmptyWorker *self)
{
  return self->n_results;
}

static char *
read_loadavg (void)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) fields = NULL;

  if (!g_file_get_contents ("/proc/loadavg", &contents, NULL, NULL))
    return g_strdup ("?");
  fields = g_strsplit (contents, " ", -1);
  return g_strdup (fields[0]);
}

static char *start_loadavg;

void
bench_init (int    *argc,
            char ***argv)
{
  g_type_ensure (BENCH_TYPE_EMPTY_WORKER);
  mpaio_init (argc, argv);

  start_loadavg = read_loadavg ();
}

/* Runs */

typedef struct
{
  gboolean        done;
  gdouble         end;
  MpaioRunReport *report;
  GError         *error;
} RunState;

static void
run_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  RunState *state = user_data;

  state->end = bench_now ();
  state->report = mpaio_orchestrator_run_finish (MPAIO_ORCHESTRATOR (source), result,
                                                 &state->error);
  state->done = TRUE;
}

MpaioRunReport *
bench_run (MpaioOrchestrator *orchestrator,
           gdouble           *seconds,
           GError           **error)
{
  RunState state = { 0 };
  gdouble  start;

  start = bench_now ();
  mpaio_orchestrator_run_async (orchestrator, NULL, run_done_cb, &state);
  while (!state.done)
    g_main_context_iteration (NULL, TRUE);

  if (seconds != NULL)
    *seconds = state.end - start;
  if (state.report == NULL)
    g_propagate_error (error, state.error);

  return state.report;
}

guint
bench_report_count_pids (MpaioRunReport *report)
{
  g_autoptr(GHashTable) pids = g_hash_table_new (NULL, NULL);

  for (guint i = 0; i < mpaio_run_report_get_n_records (report); i++)
    g_hash_table_add (pids, GINT_TO_POINTER (mpaio_run_report_get_record (report, i)->pid));

  return g_hash_table_size (pids);
}

gdouble
bench_run_worker (MpaioExecutor *executor,
                  MpaioWorker   *worker,
                  guint         *n_pids,
                  GError       **error)
{
  g_autoptr(MpaioOrchestrator) orchestrator = mpaio_orchestrator_new (executor, &worker, 1);
  g_autoptr(MpaioRunReport) report = NULL;
  gdouble seconds = 0.0;

  report = bench_run (orchestrator, &seconds, error);
  if (report == NULL)
    return -1.0;

  if (n_pids != NULL)
    *n_pids = bench_report_count_pids (report);

  return seconds;
}

MpaioProcessPool *
bench_process_pool_new (guint    n_workers,
                        guint    max_in_flight,
                        GError **error)
{
  if (max_in_flight == 0)
    return mpaio_process_pool_new (n_workers, error);

  return g_initable_new (MPAIO_TYPE_PROCESS_POOL, NULL, error,
                         "n-workers", n_workers,
                         "max-in-flight-per-worker", max_in_flight,
                         NULL);
}

static gboolean
pid_is_alive (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *contents = NULL;
  const char      *paren;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return FALSE;

  /* "pid (comm) S ...": the state follows the last parenthesis. */
  paren = strrchr (contents, ')');
  return paren != NULL && paren[1] == ' ' && paren[2] != 'Z' && paren[2] != 'X';
}

void
bench_wait_for_exit (const GPid *pids,
                     guint       n_pids)
{
  gdouble deadline = bench_now () + 5.0;

  for (guint i = 0; i < n_pids; i++)
    while (pid_is_alive (pids[i]) && bench_now () < deadline)
      {
        while (g_main_context_iteration (NULL, FALSE))
          ;
        g_usleep (1000);
      }
}

/* /proc */

static guint64
read_kb_fields (const char        *path,
                const char *const *fields)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  guint64 total = 0;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    for (guint f = 0; fields[f] != NULL; f++)
      if (g_str_has_prefix (lines[i], fields[f]))
        total += g_ascii_strtoull (lines[i] + strlen (fields[f]), NULL, 10) * 1024;

  return total;
}

guint64
bench_read_uss (GPid pid)
{
  static const char *const fields[] = { "Private_Clean:", "Private_Dirty:", NULL };
  g_autofree char         *path = g_strdup_printf ("/proc/%d/smaps_rollup", (int) pid);

  return read_kb_fields (path, fields);
}

guint64
bench_read_rss (void)
{
  static const char *const fields[] = { "VmRSS:", NULL };

  return read_kb_fields ("/proc/self/status", fields);
}

static guint64
read_schedstat (GPid  pid,
                guint field)
{
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) fields = NULL;

  if (pid == 0)
    path = g_strdup ("/proc/self/schedstat");
  else if (pid == -1)
    path = g_strdup ("/proc/thread-self/schedstat");
  else
    path = g_strdup_printf ("/proc/%d/schedstat", (int) pid);

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;

  /* "run-time wait-time timeslices", in ns */
  fields = g_strsplit (contents, " ", -1);
  if (g_strv_length (fields) <= field)
    return 0;

  return g_ascii_strtoull (fields[field], NULL, 10);
}

guint64
bench_read_cpu_ns (GPid pid)
{
  return read_schedstat (pid, 0);
}

guint64
bench_read_wait_ns (GPid pid)
{
  return read_schedstat (pid, 1);
}

typedef guint64 (*ReadNs) (GPid pid);

static guint64
sum_over_workers (MpaioExecutor *executor, ReadNs read)
{
  g_autofree GPid *pids = NULL;
  guint            n_pids = 0;
  guint64          total = 0;

  if (!MPAIO_IS_PROCESS_POOL (executor))
    return 0;

  pids = mpaio_process_pool_get_pids (MPAIO_PROCESS_POOL (executor), &n_pids);
  for (guint i = 0; i < n_pids; i++)
    total += read (pids[i]);

  return total;
}

guint64
bench_read_workers_cpu_ns (MpaioExecutor *executor)
{
  return sum_over_workers (executor, bench_read_cpu_ns);
}

guint64
bench_read_workers_wait_ns (MpaioExecutor *executor)
{
  return sum_over_workers (executor, bench_read_wait_ns);
}

MpaioDataIterator *
bench_one_row_chunks_new (guint64 n_chunks, GError **error)
{
  g_autoptr(MpaioSharedArray) array = mpaio_shared_array_new (MPAIO_DTYPE_INT64, &n_chunks, 1,
                                                               error);

  return array != NULL ? mpaio_data_iterator_new (array, 1, error) : NULL;
}

guint64
bench_read_process_cpu_ns (GPid pid)
{
  g_autofree char *path = NULL;
  g_autoptr(GDir) tasks = NULL;
  struct rusage usage;
  const char   *task;
  guint64       total = 0;

  /* Our own threads come and go (the bus's, the CPU monitor's): the
   * kernel's sum keeps those that are gone. */
  if (pid == 0)
    {
      getrusage (RUSAGE_SELF, &usage);
      return (guint64) (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * G_GUINT64_CONSTANT (1000000000) + (guint64) (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1000;
    }

  path = g_strdup_printf ("/proc/%d/task", (int) pid);
  tasks = g_dir_open (path, 0, NULL);
  if (tasks == NULL)
    return 0;

  while ((task = g_dir_read_name (tasks)) != NULL)
    {
      g_autofree char *contents = NULL;
      g_autofree char *stat_path = g_strdup_printf ("%s/%s/schedstat", path, task);

      if (g_file_get_contents (stat_path, &contents, NULL, NULL))
        total += g_ascii_strtoull (contents, NULL, 10);
    }

  return total;
}

/* Python */

GVariant *
bench_run_python (const char *script,
                  const char *mode,
                  GError    **error)
{
  const char      *argv[] = { "/usr/bin/python3", script, mode, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) lines = NULL;
  const char *last = NULL;
  int         status;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                     error))
    return NULL;

  if (!g_spawn_check_wait_status (status, error))
    {
      g_prefix_error (error, "%s %s failed (%s): ", script, mode, g_strstrip (err));
      return NULL;
    }

  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (*g_strstrip (lines[i]) != '\0')
      last = lines[i];

  if (last == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s %s printed nothing", script,
                   mode);
      return NULL;
    }

  /* A flat JSON object of numbers is also GVariant text of type a{sd}. */
  return g_variant_parse (G_VARIANT_TYPE ("a{sd}"), last, NULL, NULL, error);
}

gdouble
bench_dict_get (GVariant   *dict,
                const char *key)
{
  gdouble value = 0.0;

  if (dict == NULL || !g_variant_lookup (dict, key, "d", &value))
    return 0.0;

  return value;
}

char *
bench_format_count (gdouble value)
{
  g_autofree char *digits = g_strdup_printf ("%.0f", value);
  GString         *out = g_string_new (NULL);
  gsize            n = strlen (digits);
  gsize            first = digits[0] == '-' ? 1 : 0;

  for (gsize i = 0; i < n; i++)
    {
      if (i > first && (n - i) % 3 == 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, digits[i]);
    }

  return g_string_free (out, FALSE);
}

char *
bench_format_rate (gdouble     per_second,
                   const char *unit)
{
  g_autofree char *count = bench_format_count (per_second);

  return g_strdup_printf ("%s %s/s (%.2f µs each)", count, unit, 1e6 / per_second);
}

char *
bench_format_ratio (gdouble ratio)
{
  return g_strdup_printf (ratio >= 100 ? "%.0f×" : ratio >= 10 ? "%.1f×"
                                                               : "%.2f×",
                          ratio);
}

/* Tables */

#define N_COLUMNS 6

struct _BenchTable
{
  char      *title;
  GPtrArray *rows;  /* GStrv of N_COLUMNS */
  GPtrArray *notes; /* char* */
};

BenchTable *
bench_table_new (const char *title)
{
  BenchTable *table = g_new0 (BenchTable, 1);
  const char *header[N_COLUMNS] = { "what", "value", "baseline", "ratio", "target", "status" };

  table->title = g_strdup (title);
  table->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  table->notes = g_ptr_array_new_with_free_func (g_free);
  bench_table_add (table, header[0], header[1], header[2], header[3], header[4], header[5]);

  return table;
}

void
bench_table_add (BenchTable *table,
                 const char *what,
                 const char *value,
                 const char *baseline,
                 const char *ratio,
                 const char *target,
                 const char *status)
{
  const char *cells[N_COLUMNS] = { what, value, baseline, ratio, target, status };
  char      **row = g_new0 (char *, N_COLUMNS + 1);

  for (guint i = 0; i < N_COLUMNS; i++)
    row[i] = g_strdup (cells[i] != NULL && *cells[i] != '\0' ? cells[i] : "–");

  g_ptr_array_add (table->rows, row);
}

void
bench_table_add_check (BenchTable *table,
                       const char *what,
                       const char *value,
                       const char *baseline,
                       const char *ratio,
                       const char *target,
                       gboolean    pass)
{
  bench_table_add (table, what, value, baseline, ratio, target, pass ? "PASS" : "MISS");
}

void
bench_table_add_note (BenchTable *table,
                      const char *format,
                      ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (table->notes, g_strdup_vprintf (format, args));
  va_end (args);
}

static void
print_padded (GString    *line,
              const char *cell,
              glong       width)
{
  glong length = g_utf8_strlen (cell, -1);

  g_string_append_printf (line, " %s", cell);
  for (glong i = length; i < width; i++)
    g_string_append_c (line, ' ');
  g_string_append (line, " |");
}

void
bench_table_print (BenchTable *table)
{
  glong widths[N_COLUMNS] = { 0 };
  g_autoptr(GString) line = g_string_new (NULL);

  for (guint r = 0; r < table->rows->len; r++)
    {
      char **row = g_ptr_array_index (table->rows, r);

      for (guint c = 0; c < N_COLUMNS; c++)
        widths[c] = MAX (widths[c], g_utf8_strlen (row[c], -1));
    }

  g_string_append_printf (line, "\n### %s\n\n", table->title);
  for (guint r = 0; r < table->rows->len; r++)
    {
      char **row = g_ptr_array_index (table->rows, r);

      g_string_append_c (line, '|');
      for (guint c = 0; c < N_COLUMNS; c++)
        print_padded (line, row[c], widths[c]);
      g_string_append_c (line, '\n');

      if (r == 0)
        {
          g_string_append_c (line, '|');
          for (guint c = 0; c < N_COLUMNS; c++)
            {
              g_string_append_c (line, ' ');
              for (glong i = 0; i < widths[c]; i++)
                g_string_append_c (line, '-');
              g_string_append (line, " |");
            }
          g_string_append_c (line, '\n');
        }
    }

  {
    g_autofree char *loadavg = read_loadavg ();

    bench_table_add_note (table, "machine: %u CPUs; load average %s at the start, %s at the end.",
                          mpaio_get_n_cores (), start_loadavg != NULL ? start_loadavg : "?",
                          loadavg);
  }

  g_string_append_c (line, '\n');
  for (guint i = 0; i < table->notes->len; i++)
    g_string_append_printf (line, "- %s\n", (const char *) g_ptr_array_index (table->notes, i));

  fputs (line->str, stdout);
  fflush (stdout);
}

void
bench_table_free (BenchTable *table)
{
  if (table == NULL)
    return;

  g_free (table->title);
  g_ptr_array_unref (table->rows);
  g_ptr_array_unref (table->notes);
  g_free (table);
}
