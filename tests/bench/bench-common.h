/* bench-common.h: timing, tables and helpers shared by the benchmarks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <mpaio.h>

/* clang-format off */
G_BEGIN_DECLS

/* Seconds on the monotonic clock. */
gdouble bench_now (void);

/* The median of @n values (sorts @values in place). */
gdouble bench_median (gdouble *values,
                      guint    n);

/* An empty worker: `process` returns a boolean and does nothing else; the
 * main-process instance counts the results delivered. */
#define BENCH_TYPE_EMPTY_WORKER (bench_empty_worker_get_type ())
G_DECLARE_FINAL_TYPE (BenchEmptyWorker, bench_empty_worker, BENCH, EMPTY_WORKER, MpaioWorker)

BenchEmptyWorker *bench_empty_worker_new         (MpaioDataIterator *iterator);
guint64           bench_empty_worker_get_n_results (BenchEmptyWorker  *self);

/* Registers the shared workers, then calls mpaio_init(): the first call of
 * every benchmark's main(), after it has registered its own worker types. */
void bench_init (int    *argc,
                 char ***argv);

/* Runs @orchestrator to its end on the thread-default main context; the
 * wall time (submission of the run to its callback) in @seconds. */
MpaioRunReport *bench_run (MpaioOrchestrator  *orchestrator,
                           gdouble            *seconds,
                           GError            **error);

/* Like bench_run() with one worker on @executor; returns the seconds, or a
 * negative number with @error set. @n_pids (optional) receives how many
 * distinct processes (or threads' process) computed the chunks. */
gdouble bench_run_worker (MpaioExecutor  *executor,
                          MpaioWorker    *worker,
                          guint          *n_pids,
                          GError        **error);

/* How many distinct pids the records of @report name. */
guint bench_report_count_pids (MpaioRunReport *report);

/* A process pool with @max_in_flight chunks per worker process (0: the
 * default). */
MpaioProcessPool *bench_process_pool_new (guint    n_workers,
                                          guint    max_in_flight,
                                          GError **error);

/* Waits (at most 5 s) until none of @pids is alive (a zombie counts as
 * gone). */
void bench_wait_for_exit (const GPid *pids,
                          guint       n_pids);

/* An iterator over @n_chunks chunks of one row each of a new int64 array:
 * the dispatch benchmarks' run, chunks that cost nothing to compute. */
MpaioDataIterator *bench_one_row_chunks_new (guint64   n_chunks,
                                             GError  **error);

/* The CPU time and the run-queue wait (see bench_read_cpu_ns()) of the
 * worker processes of @executor now, summed; 0 for an executor that has
 * no worker processes. */
guint64 bench_read_workers_cpu_ns  (MpaioExecutor *executor);
guint64 bench_read_workers_wait_ns (MpaioExecutor *executor);

/* USS (Private_Clean + Private_Dirty of /proc/PID/smaps_rollup), in bytes;
 * 0 if it cannot be read. */
guint64 bench_read_uss (GPid pid);
/* This process's VmRSS, in bytes. */
guint64 bench_read_rss (void);
/* CPU time the main thread of @pid (0: this process, -1: the calling
 * thread) has run, and the time it has waited on a run queue for a CPU, in
 * ns (/proc/PID/schedstat). */
guint64 bench_read_cpu_ns  (GPid pid);
guint64 bench_read_wait_ns (GPid pid);
/* CPU time every thread of @pid now alive has run (0: this process, with
 * its threads gone too), in ns. */
guint64 bench_read_process_cpu_ns (GPid pid);

/* Runs `/usr/bin/python3 SCRIPT MODE`, whose last line of output is a flat
 * JSON object of numbers; returns it as an "a{sd}" dictionary (NULL with
 * @error set when Python, numpy or the script fails). */
GVariant *bench_run_python (const char  *script,
                            const char  *mode,
                            GError     **error);
gdouble   bench_dict_get   (GVariant    *dict,
                            const char  *key);

/* Number formatting: 1234567.8 → "1,234,568". */
char *bench_format_count (gdouble value);
/* 412345.6, "chunks" → "412,346 chunks/s (2.43 µs each)". */
char *bench_format_rate  (gdouble     per_second,
                          const char *unit);
/* A ratio: "0.87×". */
char *bench_format_ratio (gdouble     ratio);

/* A table of results, printed as markdown:
 * | what | value | baseline | ratio | target | status | */
typedef struct _BenchTable BenchTable;

BenchTable *bench_table_new     (const char *title);
void        bench_table_add     (BenchTable *table,
                                 const char *what,
                                 const char *value,
                                 const char *baseline,
                                 const char *ratio,
                                 const char *target,
                                 const char *status);
/* A row with a target: the status is PASS when @pass, MISS otherwise. */
void        bench_table_add_check (BenchTable *table,
                                   const char *what,
                                   const char *value,
                                   const char *baseline,
                                   const char *ratio,
                                   const char *target,
                                   gboolean    pass);
void        bench_table_add_note (BenchTable *table,
                                  const char *format,
                                  ...) G_GNUC_PRINTF (2, 3);
/* Prints the table, with a last note giving the number of CPUs and the
 * load average now and when bench_init() ran (other work on the machine
 * moves every figure). */
void        bench_table_print   (BenchTable *table);
void        bench_table_free    (BenchTable *table);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BenchTable, bench_table_free)

G_END_DECLS
