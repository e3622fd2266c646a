/* mpaio-orchestrator.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "mpaio-abort-private.h"
#include "mpaio-cpu-monitor-private.h"
#include "mpaio-cpu-monitor.h"
#include "mpaio-mpi-executor-private.h"
#include "mpaio-enum-types.h"
#include "mpaio-error.h"
#include "mpaio-monitoring.h"
#include "mpaio-orchestrator.h"
#include "mpaio-run-report-private.h"
#include "mpaio-run-publisher-private.h"
#include "mpaio-worker-private.h"

/**
 * MpaioOrchestrator:
 *
 * Runs the chunks of one or more workers on an executor, without blocking
 * the main loop.
 *
 * The executor and the workers are given to the orchestrator when it is
 * created. A run,
 * [method@Mpaio.Orchestrator.run_async], submits the chunks of every
 * worker's data iterator to the executor, interleaving the workers so that
 * every worker process stays busy, and keeps no more in flight than the
 * executor asks for. Each result is handed to its worker's
 * [vfunc@Mpaio.Worker.process_callback] on the main context that started the
 * run, as it arrives, or in chunk order per worker when
 * [property@Mpaio.Orchestrator:ordered] is set. A callback may run a main
 * loop of its own, even one that waits for another run on the same executor;
 * as with any GLib callback, later results may then be delivered from within
 * it (still each once, and in order when ordered).
 *
 * A run ends with an [class@Mpaio.RunReport] or with an error. What a failed
 * chunk does to the run is the [property@Mpaio.Orchestrator:error-policy];
 * by default (%MPAIO_ERROR_POLICY_FINISH_IN_FLIGHT):
 *
 * - a worker's `process` failing ends it with %MPAIO_ERROR_WORKER_FAILED once
 *   the chunks already in flight are back; their results are still
 *   delivered, and no new chunk is submitted;
 * - a worker process dying ends it at once with %MPAIO_ERROR_WORKER_CRASHED,
 *   naming the chunk.
 *
 * Whatever the policy, a `process_callback` that calls
 * [method@Mpaio.Worker.fail_run] ends the run at once with that error.
 *
 * Cancelling ends a run at once with %G_IO_ERROR_CANCELLED, whatever the
 * policy; no callback runs after that.
 *
 * Chunks still in flight when a run ends early finish in their worker
 * processes and are dropped; the executor stays usable.
 *
 * The report of a run that failed or was cancelled is still there, from
 * [method@Mpaio.Orchestrator.get_last_report]: what became of each chunk
 * (done, failed and why, cancelled, never sent).
 *
 * With [property@Mpaio.Orchestrator:monitor-cpu-usage] on, per-core CPU
 * utilisation is sampled during the run, by an [class@Mpaio.CpuMonitor],
 * and the samples come with the report
 * ([method@Mpaio.RunReport.get_cpu_samples]).
 *
 * A run of one worker on a pool of worker processes, in C:
 *
 * ```c
 * MpaioWorker *workers[] = { MPAIO_WORKER (worker) };
 * g_autoptr(MpaioOrchestrator) orchestrator = mpaio_orchestrator_new (MPAIO_EXECUTOR (pool),
 *                                                                     workers, 1);
 *
 * mpaio_orchestrator_run_async (orchestrator, NULL, on_run_done, NULL);
 * ```
 *
 * In Python, `orchestrator.run()` blocks and returns the report, and
 * `await orchestrator.run_async()` runs inside asyncio:
 *
 * ```python
 * orchestrator = Mpaio.Orchestrator.new(Mpaio.ProcessPool.new(), [worker])
 * report = await orchestrator.run_async()
 * print(report.get_wall_time())
 * ```
 *
 * In gjs, with `imports.mpaio`, `await orchestrator.run_async(null)`.
 *
 * Since: 0.1
 */

typedef struct _Submission Submission;

/* A result waiting for an earlier chunk, or (@result %NULL) a failed chunk
 * that later results need not wait for. */
typedef struct
{
  MpaioChunk chunk;
  GVariant  *result;
  guint      record_index;
} HeldResult;

typedef struct
{
  MpaioWorker       *worker;
  MpaioDataIterator *iterator;
  guint64            n_chunks;
  guint64            next_to_submit;
  /* Ordered delivery only: results waiting for an earlier chunk. */
  guint64     next_to_deliver;
  GHashTable *held; /* guint64 index → HeldResult */
} WorkerRun;

typedef struct
{
  gint                    ref_count;
  MpaioOrchestrator      *self;
  GTask                  *task;
  WorkerRun              *workers;
  guint                   n_workers;
  guint                   cursor;
  guint64                 n_to_submit;
  guint                   in_flight;
  guint                   max_in_flight;
  GError                 *error;
  MpaioRunReport         *report;
  GSource                *cancel_source;
  GCancellable           *chunks_cancellable; /* cancels the chunks in flight when the run ends */
  GCancellable           *cancellable;        /* the caller's, held by task until done */
  MpaioCpuMonitor        *cpu_monitor;
  MpaioRunPublication    *publication; /* when monitoring is on */
  MpaioExecutorInterface *executor_iface;
  Submission             *spare_submissions; /* returned ones, for the next chunks */
  Submission             *in_flight_list;    /* what a run that ends early cancels */
  guint64                 n_failed;          /* MPAIO_ERROR_POLICY_CONTINUE */
  MpaioErrorPolicy        error_policy;
  gboolean                ordered;
  gboolean                done;
  GError                 *callback_error; /* a callback's, while a failed run flushes */
  gboolean                callback_failed;
  gint64                  last_returned_us; /* about now: see submit_more() */
} Run;

struct _Submission
{
  Run        *run;
  guint       worker_index;
  MpaioChunk  chunk;
  Submission *next_spare;
  Submission *prev_in_flight;
  Submission *next_in_flight;
  gint64      sent_us; /* about: see Run's last_returned_us */
};

struct _MpaioOrchestrator
{
  GObject parent_instance;

  MpaioExecutor   *executor;
  GPtrArray       *workers;
  gboolean         ordered;
  gboolean         monitor_cpu_usage;
  guint            cpu_interval;
  MpaioErrorPolicy error_policy;
  int              abort_grace_ms;
  guint64          n_chunks;
  guint64          n_chunks_done;
  Run             *run;
  MpaioRunReport  *last_report;
};

G_DEFINE_FINAL_TYPE (MpaioOrchestrator, mpaio_orchestrator, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_EXECUTOR,
  PROP_ORDERED,
  PROP_MONITOR_CPU_USAGE,
  PROP_CPU_INTERVAL,
  PROP_N_CHUNKS,
  PROP_N_CHUNKS_DONE,
  PROP_RUNNING,
  PROP_ERROR_POLICY,
  PROP_LAST_REPORT,
  PROP_ABORT_GRACE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
held_result_free (gpointer data)
{
  HeldResult *held = data;

  g_clear_pointer (&held->result, g_variant_unref);
  g_free (held);
}

static Run *
run_ref (Run *run)
{
  run->ref_count++;
  return run;
}

static void
run_unref (Run *run)
{
  if (--run->ref_count > 0)
    return;

  g_assert (run->cancel_source == NULL);

  for (guint i = 0; i < run->n_workers; i++)
    {
      g_clear_object (&run->workers[i].worker);
      g_clear_pointer (&run->workers[i].held, g_hash_table_unref);
    }
  g_free (run->workers);
  while (run->spare_submissions != NULL)
    {
      Submission *spare = run->spare_submissions;

      run->spare_submissions = spare->next_spare;
      g_free (spare);
    }
  g_clear_error (&run->error);
  g_clear_error (&run->callback_error);
  g_clear_object (&run->cpu_monitor);
  g_clear_object (&run->chunks_cancellable);
  g_clear_object (&run->report);
  g_clear_object (&run->task);
  /* A weak pointer once the run is done. */
  if (run->done && run->self != NULL)
    g_object_remove_weak_pointer (G_OBJECT (run->self), (gpointer *) &run->self);
  else if (!run->done)
    g_clear_object (&run->self);
  g_free (run);
}

static void
set_n_chunks_done (MpaioOrchestrator *self,
                   guint64            n_chunks_done)
{
  self->n_chunks_done = n_chunks_done;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_CHUNKS_DONE]);
}

static gboolean finish_if_cancelled (Run *run);

static void finish (Run    *run,
                    GError *error);

/* mpaio_worker_fail_run() from a callback ends the run at once; while a
 * failing run hands over its last results, the callback's error is kept to
 * be added to the run's. */
static void
fail_from_callback (Run              *run,
                    WorkerRun        *worker_run,
                    const MpaioChunk *chunk,
                    GError           *error)
{
  g_prefix_error (&error,
                  "Chunk %" G_GUINT64_FORMAT " (rows %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT
                  ") of %s: process_callback: ",
                  chunk->index, chunk->start, chunk->end, G_OBJECT_TYPE_NAME (worker_run->worker));

  if (run->done)
    {
      if (run->callback_error == NULL)
        run->callback_error = error;
      else
        g_error_free (error);
      return;
    }

  /* Ended by its own callback: nothing more is handed over. */
  run->callback_failed = TRUE;
  finish (run, error);
}

static void
deliver (Run              *run,
         WorkerRun        *worker_run,
         const MpaioChunk *chunk,
         GVariant         *result)
{
  /* What mpaio_worker_process_callback() does, without its checks: this
   * runs once per chunk, on arguments that are known good. */
  MpaioWorkerClass *klass = MPAIO_WORKER_GET_CLASS (worker_run->worker);
  GError           *callback_error = NULL;

  if (klass->process_callback != NULL)
    {
      klass->process_callback (worker_run->worker, chunk, result);
      callback_error = _mpaio_worker_take_run_error (worker_run->worker);
    }
  /* Gone when a callback's own main loop saw the run end and its
   * orchestrator dropped. */
  if (run->self != NULL)
    set_n_chunks_done (run->self, run->self->n_chunks_done + 1);

  if (G_UNLIKELY (callback_error != NULL))
    fail_from_callback (run, worker_run, chunk, callback_error);
}

/* Hands over the held results that are next in order. @flushing (a failed
 * run handing over what it has) skips the gaps and ignores cancellation. */
static void
deliver_held (Run       *run,
              WorkerRun *worker_run,
              gboolean   flushing)
{
  for (;;)
    {
      HeldResult *held = g_hash_table_lookup (worker_run->held, &worker_run->next_to_deliver);

      if (held == NULL && flushing && g_hash_table_size (worker_run->held) > 0)
        {
          worker_run->next_to_deliver++;
          continue;
        }

      if (held == NULL || run->callback_error != NULL)
        return;

      /* Taken out before the callback: a callback that runs a main loop may
       * have the next results delivered from there. */
      g_hash_table_steal (worker_run->held, &worker_run->next_to_deliver);
      worker_run->next_to_deliver++;
      if (held->result == NULL)
        {
          held_result_free (held);
          continue;
        }
      deliver (run, worker_run, &held->chunk, held->result);
      held_result_free (held);

      if (!flushing && finish_if_cancelled (run))
        return;
    }
}

static void
add_record (Run              *run,
            guint             worker_index,
            const MpaioChunk *chunk,
            MpaioChunkOutcome outcome)
{
  MpaioChunkRecord record = { 0 };

  record.worker_index = worker_index;
  record.chunk_index = chunk->index;
  record.start_row = chunk->start;
  record.end_row = chunk->end;
  record.outcome = outcome;
  _mpaio_run_report_add_record (run->report, &record);
}

/* The chunks in flight when the run ended are cancelled: their results
 * will be dropped when they come. */
static void
record_in_flight (Run *run)
{
  gint64 now = g_get_monotonic_time ();

  /* No process can be named for them, but when they went out and when
   * they were given up are known: a monitor draws them over that time. */
  for (Submission *s = run->in_flight_list; s != NULL; s = s->next_in_flight)
    {
      MpaioChunkRecord record = { 0 };

      record.worker_index = s->worker_index;
      record.chunk_index = s->chunk.index;
      record.start_row = s->chunk.start;
      record.end_row = s->chunk.end;
      record.outcome = MPAIO_CHUNK_OUTCOME_CANCELLED;
      record.sent_us = s->sent_us;
      record.returned_us = MAX (now, s->sent_us);
      _mpaio_run_report_add_record (run->report, &record);
    }

  /* Not unlinked one by one: nothing reads the list once the run is done. */
  run->in_flight_list = NULL;
}

/* Results that came back but were held for an earlier chunk and never
 * delivered (a cancelled run drops them). */
static void
record_held (Run *run)
{
  for (guint i = 0; i < run->n_workers; i++)
    {
      GHashTableIter iter;
      HeldResult    *held;

      if (run->workers[i].held == NULL)
        continue;

      g_hash_table_iter_init (&iter, run->workers[i].held);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &held))
        if (held->result != NULL)
          _mpaio_run_report_set_outcome (run->report, held->record_index,
                                         MPAIO_CHUNK_OUTCOME_CANCELLED);
      g_hash_table_remove_all (run->workers[i].held);
    }
}

static void
record_not_sent (Run *run)
{
  for (guint i = 0; i < run->n_workers; i++)
    {
      WorkerRun *worker_run = &run->workers[i];

      for (guint64 index = worker_run->next_to_submit; index < worker_run->n_chunks; index++)
        {
          MpaioChunk chunk = { .index = index };

          /* A chunk the iterator cannot give is recorded with no rows. */
          if (!mpaio_data_iterator_get_chunk (worker_run->iterator, index, &chunk))
            chunk = (MpaioChunk){ .index = index };
          add_record (run, i, &chunk, MPAIO_CHUNK_OUTCOME_NOT_SENT);
        }
    }
}

/* For the run's publication: what is out now, the oldest first. */
static guint
peek_in_flight (gpointer           data,
                MpaioFeedInFlight *chunks,
                guint              max)
{
  Run        *run = data;
  Submission *last = run->in_flight_list;
  guint       n = 0;

  /* The list is newest first. */
  while (last != NULL && last->next_in_flight != NULL)
    last = last->next_in_flight;
  for (Submission *s = last; s != NULL && n < max; s = s->prev_in_flight, n++)
    chunks[n] = (MpaioFeedInFlight){
      .worker_index = s->worker_index,
      .chunk_index = s->chunk.index,
      .start_row = s->chunk.start,
      .end_row = s->chunk.end,
      .sent_us = s->sent_us,
    };

  return n;
}

static void
finish (Run    *run,
        GError *error)
{
  MpaioOrchestrator *self = run->self;
  GTask             *task = g_steal_pointer (&run->task);

  run->done = TRUE;

  /* Chunks the executor holds and has not started are dropped. */
  g_cancellable_cancel (run->chunks_cancellable);

  if (run->cancel_source != NULL)
    {
      g_source_destroy (run->cancel_source);
      g_clear_pointer (&run->cancel_source, g_source_unref);
    }

  /* Before any callback below can run a main loop that brings more of them
   * back: those are dropped. */
  record_in_flight (run);

  /* A failed run still hands over what was computed, in order. */
  if (run->ordered && error != NULL && !run->callback_failed
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      for (guint i = 0; i < run->n_workers; i++)
        deliver_held (run, &run->workers[i], TRUE);

      if (run->callback_error != NULL)
        {
          GError *both = g_error_new (error->domain, error->code, "%s; then %s", error->message,
                                      run->callback_error->message);

          g_error_free (error);
          error = both;
        }
    }

  record_held (run);
  record_not_sent (run);
  _mpaio_run_report_set_end (run->report, g_get_monotonic_time ());

  if (run->cpu_monitor != NULL)
    {
      /* A last sample covers the tail of the run, so even a run shorter
       * than the interval has one. */
      g_autoptr(MpaioCpuSample) last = _mpaio_cpu_monitor_take_sample (run->cpu_monitor);

      mpaio_cpu_monitor_stop (run->cpu_monitor);
      _mpaio_run_report_set_cpu_samples (run->report,
                                         mpaio_cpu_monitor_get_samples (run->cpu_monitor),
                                         mpaio_cpu_monitor_get_start_time (run->cpu_monitor),
                                         mpaio_cpu_monitor_get_n_cores (run->cpu_monitor));
      /* A run across hosts: the other hosts' samples join rank 0's. */
      if (MPAIO_IS_MPI_EXECUTOR (self->executor))
        _mpaio_mpi_executor_finish_cpu_monitoring (MPAIO_MPI_EXECUTOR (self->executor),
                                                   run->report);
    }

  if (run->publication != NULL)
    _mpaio_run_publication_finish (g_steal_pointer (&run->publication), error);

  self->run = NULL;
  g_set_object (&self->last_report, run->report);
  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_REPORT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  g_object_thaw_notify (G_OBJECT (self));

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_object_ref (run->report), g_object_unref);

  g_object_unref (task);
  /* Chunks still running hold the run, not the orchestrator and its
   * executor: a pool nobody holds any more stops them. */
  g_object_add_weak_pointer (G_OBJECT (self), (gpointer *) &run->self);
  g_object_unref (self);
  run_unref (run);
}

/* Cancellation is seen here as well as by the cancellable's source, which
 * runs only on a later main loop pass: results that arrive in between must
 * not be delivered. */
static gboolean
finish_if_cancelled (Run *run)
{
  if (run->done)
    return TRUE;

  if (run->cancellable == NULL || !g_cancellable_is_cancelled (run->cancellable))
    return FALSE;

  finish (run, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "The run was cancelled"));
  return TRUE;
}

static void on_chunk_done (MpaioExecutor          *executor,
                           GVariant               *value,
                           const GError           *executor_error,
                           const MpaioChunkRecord *executor_record,
                           gpointer                user_data);

/* The next chunk, taking the workers in turn so all their chunks are
 * spread over the run. */
static gboolean
next_chunk (Run        *run,
            guint      *worker_index,
            MpaioChunk *chunk)
{
  for (guint i = 0; i < run->n_workers; i++)
    {
      guint      index = (run->cursor + i) % run->n_workers;
      WorkerRun *worker_run = &run->workers[index];

      if (worker_run->next_to_submit < worker_run->n_chunks)
        {
          guint64 chunk_index = worker_run->next_to_submit;

          /* Skipping it would lose its rows without a word (it stays
           * unsent in the report). */
          if (!mpaio_data_iterator_get_chunk (worker_run->iterator, chunk_index, chunk))
            {
              if (run->error == NULL)
                run->error = g_error_new (MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                                          "The data iterator of %s gave no valid chunk %" G_GUINT64_FORMAT " (rows outside the array, or a "
                                          "get_chunk that fills in nothing)",
                                          G_OBJECT_TYPE_NAME (worker_run->worker), chunk_index);
              return FALSE;
            }
          worker_run->next_to_submit++;
          *worker_index = index;
          run->cursor = index + 1;
          return TRUE;
        }
    }

  return FALSE;
}

static Submission *
submission_new (Run *run)
{
  Submission *submission = run->spare_submissions;

  if (submission == NULL)
    return g_new (Submission, 1);

  run->spare_submissions = submission->next_spare;
  return submission;
}

/* Returned submissions serve the next chunks of the run: in flight are at
 * most max-in-flight of them, so that is all the run ever allocates. */
static void
submission_free (Submission *submission)
{
  Run *run = submission->run;

  submission->next_spare = run->spare_submissions;
  run->spare_submissions = submission;
}

static void
submit_more (Run *run)
{
  MpaioExecutor *executor = run->self->executor;

  while (run->error == NULL && run->in_flight < run->max_in_flight && run->n_to_submit > 0)
    {
      Submission  *submission = submission_new (run);
      MpaioWorker *worker;

      submission->run = run;
      if (!next_chunk (run, &submission->worker_index, &submission->chunk))
        {
          submission_free (submission);
          run->n_to_submit = 0;
          break;
        }

      run_ref (run);
      run->n_to_submit--;
      run->in_flight++;
      submission->prev_in_flight = NULL;
      submission->next_in_flight = run->in_flight_list;
      if (run->in_flight_list != NULL)
        run->in_flight_list->prev_in_flight = submission;
      run->in_flight_list = submission;
      /* When the last result came back is about now, without reading the
       * clock per chunk: results are what hands out the next chunks. */
      submission->sent_us = run->last_returned_us;
      worker = run->workers[submission->worker_index].worker;
      /* Straight to the executor's own submit where it has one: the
       * checks of mpaio_executor_submit() are done once, for the run. */
      if (run->executor_iface->submit != NULL)
        run->executor_iface->submit (executor, worker, &submission->chunk, run->chunks_cancellable,
                                     on_chunk_done, submission);
      else
        mpaio_executor_submit (executor, worker, &submission->chunk, run->chunks_cancellable,
                               on_chunk_done, submission);
    }
}

/* Whether @error is about the chunk (the executor can go on with others):
 * an error of the worker itself, in whatever domain `process` set it, or
 * the death of the process that ran it; rather than about the executor (it
 * could not start a worker process, it was closed, the run was cancelled). */
static gboolean
is_chunk_failure (const GError *error)
{
  if (error->domain == MPAIO_ERROR)
    return error->code != MPAIO_ERROR_SPAWN_FAILED && error->code != MPAIO_ERROR_NO_MEMORY;

  return !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
         && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
}

static gboolean
ends_run_at_once (MpaioErrorPolicy policy,
                  const GError    *error)
{
  if (!is_chunk_failure (error))
    return TRUE;

  switch (policy)
    {
    case MPAIO_ERROR_POLICY_FAIL_FAST:
      return TRUE;

    case MPAIO_ERROR_POLICY_CONTINUE:
      return FALSE;

    case MPAIO_ERROR_POLICY_FINISH_IN_FLIGHT:
    default:
      /* A dead worker process is not waited for: the other chunks it held
       * are lost to it anyway. */
      return g_error_matches (error, MPAIO_ERROR, MPAIO_ERROR_WORKER_CRASHED)
             || g_error_matches (error, MPAIO_ERROR, MPAIO_ERROR_PROTOCOL)
             || g_error_matches (error, MPAIO_ERROR, MPAIO_ERROR_TIMED_OUT);
    }
}

static gint
compare_records_by_chunk (gconstpointer a,
                          gconstpointer b)
{
  const MpaioChunkRecord *ra = *(const MpaioChunkRecord *const *) a;
  const MpaioChunkRecord *rb = *(const MpaioChunkRecord *const *) b;

  if (ra->worker_index != rb->worker_index)
    return ra->worker_index < rb->worker_index ? -1 : 1;
  if (ra->chunk_index != rb->chunk_index)
    return ra->chunk_index < rb->chunk_index ? -1 : 1;
  return 0;
}

#define N_FAILURES_NAMED 3

/* MPAIO_ERROR_POLICY_CONTINUE: the chunks that failed, counted, and the
 * first of them (in chunk order, not in the order they happened to fail)
 * named with their errors. */
static GError *
new_failures_error (Run *run)
{
  g_autoptr(GPtrArray) failed = g_ptr_array_new ();
  g_autoptr(GString) message = g_string_new (NULL);
  const MpaioChunkRecord *first;
  guint                   n_records = mpaio_run_report_get_n_records (run->report);

  if (run->n_failed == 0)
    return NULL;

  for (guint i = 0; i < n_records; i++)
    {
      const MpaioChunkRecord *record = mpaio_run_report_get_record (run->report, i);

      if (record->outcome == MPAIO_CHUNK_OUTCOME_FAILED)
        g_ptr_array_add (failed, (gpointer) record);
    }
  g_ptr_array_sort (failed, compare_records_by_chunk);
  g_assert (failed->len > 0);

  g_string_append_printf (message, "%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " chunks failed: ", run->n_failed, run->self->n_chunks);
  for (guint i = 0; i < MIN (failed->len, N_FAILURES_NAMED); i++)
    {
      const MpaioChunkRecord *record = g_ptr_array_index (failed, i);

      g_string_append_printf (message, "%s%s", i > 0 ? "; " : "", record->error->message);
    }
  if (failed->len > N_FAILURES_NAMED)
    g_string_append_printf (message, "; and %u more", failed->len - N_FAILURES_NAMED);

  /* Matched as the first failure is: the report has all of them. */
  first = g_ptr_array_index (failed, 0);
  return g_error_new_literal (first->error->domain, first->error->code, message->str);
}

/* A failed chunk leaves a gap in its worker's order: later results need
 * not wait for it. */
static void
skip_in_order (Run              *run,
               WorkerRun        *worker_run,
               const MpaioChunk *chunk)
{
  if (chunk->index == worker_run->next_to_deliver)
    {
      worker_run->next_to_deliver++;
      if (g_hash_table_size (worker_run->held) > 0)
        deliver_held (run, worker_run, FALSE);
    }
  else
    {
      HeldResult *held = g_new0 (HeldResult, 1);

      held->chunk = *chunk;
      g_hash_table_insert (worker_run->held, &held->chunk.index, held);
    }
}

static void
on_chunk_done (MpaioExecutor          *executor,
               GVariant               *value,
               const GError           *executor_error,
               const MpaioChunkRecord *executor_record,
               gpointer                user_data)
{
  Submission      *submission = user_data;
  Run             *run = submission->run;
  WorkerRun       *worker_run = &run->workers[submission->worker_index];
  MpaioChunkRecord record = *executor_record;
  g_autoptr(GError) error = executor_error ? g_error_copy (executor_error) : NULL;

  run->in_flight--;
  if (executor_record->returned_us != 0)
    run->last_returned_us = executor_record->returned_us;

  /* Still in the list here, so a run that ends now records it cancelled. */
  if (finish_if_cancelled (run))
    goto out;

  if (submission->prev_in_flight != NULL)
    submission->prev_in_flight->next_in_flight = submission->next_in_flight;
  else
    run->in_flight_list = submission->next_in_flight;
  if (submission->next_in_flight != NULL)
    submission->next_in_flight->prev_in_flight = submission->prev_in_flight;

  record.worker_index = submission->worker_index;
  record.chunk_index = submission->chunk.index;
  record.start_row = submission->chunk.start;
  record.end_row = submission->chunk.end;
  record.error = NULL;

  if (value == NULL)
    {
      g_prefix_error (&error, "Chunk %" G_GUINT64_FORMAT " (rows %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT ") of %s: ",
                      submission->chunk.index, submission->chunk.start, submission->chunk.end,
                      G_OBJECT_TYPE_NAME (worker_run->worker));

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          record.outcome = MPAIO_CHUNK_OUTCOME_CANCELLED;
        }
      else
        {
          record.outcome = MPAIO_CHUNK_OUTCOME_FAILED;
          record.error = error;
        }
      _mpaio_run_report_add_record (run->report, &record);
      record.error = NULL;

      if (ends_run_at_once (run->error_policy, error))
        {
          finish (run, g_steal_pointer (&error));
          goto out;
        }

      if (run->error_policy == MPAIO_ERROR_POLICY_CONTINUE)
        run->n_failed++;
      else if (run->error == NULL)
        run->error = g_steal_pointer (&error);

      if (run->ordered)
        {
          skip_in_order (run, worker_run, &submission->chunk);
          if (finish_if_cancelled (run))
            goto out;
        }
    }
  else
    {
      guint record_index = mpaio_run_report_get_n_records (run->report);

      record.outcome = MPAIO_CHUNK_OUTCOME_DONE;
      _mpaio_run_report_add_record (run->report, &record);

      if (run->ordered && submission->chunk.index == worker_run->next_to_deliver)
        {
          /* Next in order: no need to hold it. */
          worker_run->next_to_deliver++;
          deliver (run, worker_run, &submission->chunk, value);
          if (!finish_if_cancelled (run) && g_hash_table_size (worker_run->held) > 0)
            deliver_held (run, worker_run, FALSE);
        }
      else if (run->ordered)
        {
          HeldResult *held = g_new (HeldResult, 1);

          held->chunk = submission->chunk;
          held->result = g_variant_ref (value);
          held->record_index = record_index;
          g_hash_table_insert (worker_run->held, &held->chunk.index, held);
          deliver_held (run, worker_run, FALSE);
        }
      else
        {
          deliver (run, worker_run, &submission->chunk, value);
        }

      /* A callback may have cancelled the run. */
      if (finish_if_cancelled (run))
        goto out;
    }

  submit_more (run);

  if (run->in_flight == 0 && (run->n_to_submit == 0 || run->error != NULL))
    finish (run, run->error != NULL ? g_steal_pointer (&run->error) : new_failures_error (run));

out:
  submission_free (submission);
  run_unref (run);
}

static gboolean
on_cancelled (GCancellable *cancellable,
              gpointer      user_data)
{
  Run *run = user_data;

  finish (run, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "The run was cancelled"));
  return G_SOURCE_REMOVE;
}

/**
 * mpaio_orchestrator_run_async:
 * @self: an orchestrator
 * @cancellable: (nullable): a cancellable
 * @callback: (scope async): called when the run is over
 * @user_data: data for @callback
 *
 * Processes every chunk of every worker on the executor. Results are handed
 * to the workers' `process_callback` on the thread-default main context of
 * the caller, as is @callback; get the outcome with
 * [method@Mpaio.Orchestrator.run_finish].
 *
 * One run at a time: starting another while one is running fails with
 * %G_IO_ERROR_PENDING.
 *
 * Once the run is over, successful or not, its report is also
 * [method@Mpaio.Orchestrator.get_last_report].
 *
 * Since: 0.1
 */
void
mpaio_orchestrator_run_async (MpaioOrchestrator  *self,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) parameters = NULL;
  guint64 n_chunks = 0;
  Run    *run;

  g_return_if_fail (MPAIO_IS_ORCHESTRATOR (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mpaio_orchestrator_run_async);

  if (self->run != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "The orchestrator is already running");
      return;
    }

  if (self->executor == NULL || self->workers->len == 0)
    {
      g_task_return_new_error (task, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                               self->executor == NULL ? "The orchestrator has no executor"
                                                      : "The orchestrator has no workers");
      return;
    }

  /* From here on this is the last run: an older report must not pass for
   * its own. */
  if (self->last_report != NULL)
    {
      g_clear_object (&self->last_report);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_REPORT]);
    }

  run = g_new0 (Run, 1);
  run->ref_count = 1;
  run->self = g_object_ref (self);
  run->n_workers = self->workers->len;
  run->workers = g_new0 (WorkerRun, run->n_workers);
  run->ordered = self->ordered;
  run->error_policy = self->error_policy;
  run->chunks_cancellable = g_cancellable_new ();
  if (self->abort_grace_ms >= 0)
    _mpaio_cancellable_set_abort_grace (run->chunks_cancellable, self->abort_grace_ms);
  run->max_in_flight = mpaio_executor_get_max_in_flight (self->executor);
  run->executor_iface = MPAIO_EXECUTOR_GET_IFACE (self->executor);

  for (guint i = 0; i < run->n_workers; i++)
    {
      WorkerRun *worker_run = &run->workers[i];

      worker_run->worker = g_object_ref (g_ptr_array_index (self->workers, i));
      /* A failure reported outside a callback belongs to no run. */
      {
        GError *stale = _mpaio_worker_take_run_error (worker_run->worker);

        g_clear_error (&stale);
      }
      worker_run->iterator = mpaio_worker_get_data_iterator (worker_run->worker);
      if (worker_run->iterator == NULL)
        {
          g_task_return_new_error (task, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                                   "The worker %s has no data iterator",
                                   G_OBJECT_TYPE_NAME (worker_run->worker));
          run_unref (run);
          return;
        }

      /* Bindings construct with g_object_new(), which validates nothing:
       * a bad iterator must fail here, not yield no chunks. */
      if (!g_initable_init (G_INITABLE (worker_run->iterator), NULL, &error))
        {
          g_prefix_error (&error, "The data iterator of %s: ",
                          G_OBJECT_TYPE_NAME (worker_run->worker));
          g_task_return_error (task, g_steal_pointer (&error));
          run_unref (run);
          return;
        }
      /* What cannot reach the worker process is refused before any chunk
       * runs without it, on every executor alike. */
      parameters = _mpaio_worker_dup_parameters (worker_run->worker, NULL, &error);
      if (parameters == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          run_unref (run);
          return;
        }
      g_clear_pointer (&parameters, g_variant_unref);

      worker_run->n_chunks = mpaio_data_iterator_get_n_chunks (worker_run->iterator);
      if (run->ordered)
        worker_run->held = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                                  held_result_free);
      n_chunks += worker_run->n_chunks;
    }

  if (self->monitor_cpu_usage)
    {
      run->cpu_monitor = mpaio_cpu_monitor_new ();
      mpaio_cpu_monitor_set_interval (run->cpu_monitor, self->cpu_interval);
      mpaio_cpu_monitor_start (run->cpu_monitor);
      if (MPAIO_IS_MPI_EXECUTOR (self->executor))
        _mpaio_mpi_executor_start_cpu_monitoring (MPAIO_MPI_EXECUTOR (self->executor),
                                                  self->cpu_interval);
    }

  run->task = g_steal_pointer (&task);
  run->cancellable = cancellable;
  run->n_to_submit = n_chunks;
  run->report = _mpaio_run_report_new (g_get_monotonic_time (), (guint) MIN (n_chunks, G_MAXUINT));
  {
    g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
    g_auto(GStrv) worker_names = NULL;

    for (guint i = 0; i < run->n_workers; i++)
      g_strv_builder_add (names, G_OBJECT_TYPE_NAME (run->workers[i].worker));
    worker_names = g_strv_builder_end (names);
    _mpaio_run_report_set_worker_names (run->report, (const char *const *) worker_names);
  }
  run->last_returned_us = mpaio_run_report_get_start_time (run->report);
  if (G_UNLIKELY (mpaio_get_monitoring_enabled ()))
    run->publication = _mpaio_run_publication_new (self, run->report, n_chunks, &run->in_flight,
                                                   peek_in_flight, run);

  self->run = run;
  g_object_freeze_notify (G_OBJECT (self));
  self->n_chunks = n_chunks;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_CHUNKS]);
  set_n_chunks_done (self, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  g_object_thaw_notify (G_OBJECT (self));

  /* Cancelled before it started: a report where nothing was sent. */
  if (finish_if_cancelled (run))
    return;

  if (n_chunks == 0)
    {
      finish (run, NULL);
      return;
    }

  if (cancellable != NULL)
    {
      run->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_static_name (run->cancel_source, "[mpaio] run cancelled");
      g_source_set_callback (run->cancel_source, G_SOURCE_FUNC (on_cancelled), run, NULL);
      g_source_attach (run->cancel_source, g_main_context_get_thread_default ());
    }

  submit_more (run);

  /* Nothing could be submitted: a broken data iterator. */
  if (run->in_flight == 0)
    finish (run, g_steal_pointer (&run->error));
}

/**
 * mpaio_orchestrator_run_finish:
 * @self: an orchestrator
 * @result: the result given to the callback of [method@Mpaio.Orchestrator.run_async]
 * @error: return location for a #GError
 *
 * Completes a run.
 *
 * Returns: (transfer full): the report of the run, or %NULL with @error set
 *
 * Since: 0.1
 */
MpaioRunReport *
mpaio_orchestrator_run_finish (MpaioOrchestrator *self,
                               GAsyncResult      *result,
                               GError           **error)
{
  g_return_val_if_fail (MPAIO_IS_ORCHESTRATOR (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == mpaio_orchestrator_run_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
mpaio_orchestrator_finalize (GObject *object)
{
  MpaioOrchestrator *self = MPAIO_ORCHESTRATOR (object);

  g_clear_object (&self->executor);
  g_ptr_array_unref (self->workers);
  g_clear_object (&self->last_report);

  G_OBJECT_CLASS (mpaio_orchestrator_parent_class)->finalize (object);
}

static void
mpaio_orchestrator_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  MpaioOrchestrator *self = MPAIO_ORCHESTRATOR (object);

  switch (prop_id)
    {
    case PROP_EXECUTOR:
      g_value_set_object (value, self->executor);
      break;

    case PROP_ORDERED:
      g_value_set_boolean (value, self->ordered);
      break;

    case PROP_MONITOR_CPU_USAGE:
      g_value_set_boolean (value, self->monitor_cpu_usage);
      break;

    case PROP_CPU_INTERVAL:
      g_value_set_uint (value, self->cpu_interval);
      break;

    case PROP_N_CHUNKS:
      g_value_set_uint64 (value, self->n_chunks);
      break;

    case PROP_N_CHUNKS_DONE:
      g_value_set_uint64 (value, self->n_chunks_done);
      break;

    case PROP_RUNNING:
      g_value_set_boolean (value, self->run != NULL);
      break;

    case PROP_ERROR_POLICY:
      g_value_set_enum (value, self->error_policy);
      break;

    case PROP_ABORT_GRACE:
      g_value_set_int (value, self->abort_grace_ms);
      break;

    case PROP_LAST_REPORT:
      g_value_set_object (value, self->last_report);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mpaio_orchestrator_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  MpaioOrchestrator *self = MPAIO_ORCHESTRATOR (object);

  switch (prop_id)
    {
    case PROP_EXECUTOR:
      self->executor = g_value_dup_object (value);
      break;

    case PROP_ORDERED:
      mpaio_orchestrator_set_ordered (self, g_value_get_boolean (value));
      break;

    case PROP_MONITOR_CPU_USAGE:
      mpaio_orchestrator_set_monitor_cpu_usage (self, g_value_get_boolean (value));
      break;

    case PROP_CPU_INTERVAL:
      mpaio_orchestrator_set_cpu_interval (self, g_value_get_uint (value));
      break;

    case PROP_ERROR_POLICY:
      mpaio_orchestrator_set_error_policy (self, g_value_get_enum (value));
      break;

    case PROP_ABORT_GRACE:
      mpaio_orchestrator_set_abort_grace (self, g_value_get_int (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mpaio_orchestrator_class_init (MpaioOrchestratorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = mpaio_orchestrator_finalize;
  object_class->get_property = mpaio_orchestrator_get_property;
  object_class->set_property = mpaio_orchestrator_set_property;

  /**
   * MpaioOrchestrator:executor:
   *
   * Where the workers' `process` runs.
   *
   * Since: 0.1
   */
  properties[PROP_EXECUTOR] =
    g_param_spec_object ("executor", NULL, NULL, MPAIO_TYPE_EXECUTOR,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * MpaioOrchestrator:ordered:
   *
   * Whether each worker's results are delivered in the order of its chunks
   * (results that arrive early wait for the earlier ones) rather than as
   * they arrive. Read when a run starts.
   *
   * Since: 0.1
   */
  properties[PROP_ORDERED] =
    g_param_spec_boolean ("ordered", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * MpaioOrchestrator:monitor-cpu-usage:
   *
   * Whether runs sample per-core CPU utilisation, every
   * [property@Mpaio.Orchestrator:cpu-interval] milliseconds and once more at
   * the end; the samples come with the run's report. Read when a run starts.
   *
   * Since: 0.1
   */
  properties[PROP_MONITOR_CPU_USAGE] =
    g_param_spec_boolean ("monitor-cpu-usage", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * MpaioOrchestrator:cpu-interval:
   *
   * Milliseconds between CPU samples of a monitored run (200 by default).
   *
   * Since: 0.1
   */
  properties[PROP_CPU_INTERVAL] =
    g_param_spec_uint ("cpu-interval", NULL, NULL, 10, G_MAXUINT, 200,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * MpaioOrchestrator:n-chunks:
   *
   * The number of chunks of the current (or last) run, over all workers.
   *
   * Since: 0.1
   */
  properties[PROP_N_CHUNKS] =
    g_param_spec_uint64 ("n-chunks", NULL, NULL, 0, G_MAXUINT64, 0,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * MpaioOrchestrator:n-chunks-done:
   *
   * The number of chunks of the current (or last) run whose results were
   * delivered; notified for each, so it drives a progress bar.
   *
   * Since: 0.1
   */
  properties[PROP_N_CHUNKS_DONE] =
    g_param_spec_uint64 ("n-chunks-done", NULL, NULL, 0, G_MAXUINT64, 0,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * MpaioOrchestrator:running:
   *
   * Whether a run is in progress.
   *
   * Since: 0.1
   */
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * MpaioOrchestrator:error-policy:
   *
   * What a run does when one of its chunks fails: finish the chunks in
   * flight and then fail (the default), fail at once, or run every chunk and
   * fail at the end with every failure counted. See [enum@Mpaio.ErrorPolicy].
   * Read when a run starts.
   *
   * Since: 0.1
   */
  properties[PROP_ERROR_POLICY] =
    g_param_spec_enum ("error-policy", NULL, NULL, MPAIO_TYPE_ERROR_POLICY,
                       MPAIO_ERROR_POLICY_FINISH_IN_FLIGHT,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * MpaioOrchestrator:last-report:
   *
   * The report of the last run, once it is over, whether it succeeded,
   * failed or was cancelled: what became of each of its chunks. %NULL
   * before the first run, while a run is in progress, and after a run that
   * could not start.
   *
   * Since: 0.1
   */
  properties[PROP_LAST_REPORT] =
    g_param_spec_object ("last-report", NULL, NULL, MPAIO_TYPE_RUN_REPORT,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * MpaioOrchestrator:abort-grace:
   *
   * Milliseconds the chunks still running when a run ends early (it was
   * cancelled, or failed) may run on before the processes running them are
   * killed and replaced; -1 (the default) lets them finish. Other runs'
   * chunks on those processes are sent again elsewhere. A `process` can
   * also stop early on its own: see [method@Mpaio.Worker.is_cancelled].
   * Only executors that can stop a chunk ([class@Mpaio.ProcessPool]) do.
   * Read when a run starts.
   *
   * Since: 0.1
   */
  properties[PROP_ABORT_GRACE] =
    g_param_spec_int ("abort-grace", NULL, NULL, -1, G_MAXINT, -1,
                      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
mpaio_orchestrator_init (MpaioOrchestrator *self)
{
  self->workers = g_ptr_array_new_with_free_func (g_object_unref);
  self->cpu_interval = 200;
  self->abort_grace_ms = -1;

  /* With MPAIO_MONITOR=1 the program is on the bus before its first run. */
  mpaio_get_monitoring_enabled ();
}

/**
 * mpaio_orchestrator_new:
 * @executor: where the workers' `process` runs
 * @workers: (array length=n_workers) (nullable): the workers
 * @n_workers: the number of workers
 *
 * Creates an orchestrator for @workers on @executor. More workers can be
 * added with [method@Mpaio.Orchestrator.add_worker].
 *
 * Returns: (transfer full): the orchestrator
 *
 * Since: 0.1
 */
MpaioOrchestrator *
mpaio_orchestrator_new (MpaioExecutor      *executor,
                        MpaioWorker *const *workers,
                        guint               n_workers)
{
  MpaioOrchestrator *self;

  g_return_val_if_fail (MPAIO_IS_EXECUTOR (executor), NULL);
  g_return_val_if_fail (workers != NULL || n_workers == 0, NULL);

  self = g_object_new (MPAIO_TYPE_ORCHESTRATOR, "executor", executor, NULL);
  for (guint i = 0; i < n_workers; i++)
    mpaio_orchestrator_add_worker (self, workers[i]);

  return self;
}

/**
 * mpaio_orchestrator_add_worker:
 * @self: an orchestrator
 * @worker: a worker
 *
 * Adds @worker to the workers of the following runs.
 *
 * Since: 0.1
 */
void
mpaio_orchestrator_add_worker (MpaioOrchestrator *self,
                               MpaioWorker       *worker)
{
  g_return_if_fail (MPAIO_IS_ORCHESTRATOR (self));
  g_return_if_fail (MPAIO_IS_WORKER (worker));

  g_ptr_array_add (self->workers, g_object_ref (worker));
}

/**
 * mpaio_orchestrator_get_executor:
 * @self: an orchestrator
 *
 * The executor the workers run on.
 *
 * Returns: (transfer none): the executor
 *
 * Since: 0.1
 */
MpaioExecutor *
mpaio_orchestrator_get_executor (MpaioOrchestrator *self)
{
  g_return_val_if_fail (MPAIO_IS_ORCHESTRATOR (self), NULL);

  return self->executor;
}

/**
 * mpaio_orchestrator_get_n_workers:
 * @self: an orchestrator
 *
 * The number of workers.
 *
 * Returns: the number of workers
 *
 * Since: 0.1
 */
guint
mpaio_orchestrator_get_n_workers (MpaioOrchestrator *self)
{
  g_return_val_if_fail (MPAIO_IS_ORCHESTRATOR (self), 0);

  return self->workers->len;
}

/**
 * mpaio_orchestrator_get_worker:
 * @self: an orchestrator
 * @index: the position of the worker
 *
 * The worker at @index, the `worker_index` of its chunks' records.
 *
 * Returns: (transfer none) (nullable): the worker, or %NULL past the end
 *
 * Since: 0.1
 */
MpaioWorker *
mpaio_orchestrator_get_worker (MpaioOrchestrator *self,
                               guint              index)
{
  g_return_val_if_fail (MPAIO_IS_ORCHESTRATOR (self), NULL);

  return index < self->workers->len ? g_ptr_array_index (self->workers, index) : NULL;
}

/**
 * mpaio_orchestrator_get_ordered:
 * @self: an orchestrator
 *
 * Whether results are delivered in chunk order.
 *
 * Returns: %TRUE for chunk order
 *
 * Since: 0.1
 */
gboolean
mpaio_orchestrator_get_ordered (MpaioOrchestrator *self)
{
  g_return_val_if_fail (MPAIO_IS_ORCHESTRATOR (self), FALSE);

  return self->ordered;
}

/**
 * mpaio_orchestrator_set_ordered:
 * @self: an orchestrator
 * @ordered: %TRUE to deliver each worker's results in chunk order
 *
 * Sets [property@Mpaio.Orchestrator:ordered].
 *
 * Since: 0.1
 */
void
mpaio_orchestrator_set_ordered (MpaioOrchestrator *self,
                                gboolean           ordered)
{
  g_return_if_fail (MPAIO_IS_ORCHESTRATOR (self));

  ordered = !!ordered;
  if (self->ordered != ordered)
    {
      self->ordered = ordered;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ORDERED]);
    }
}

/**
 * mpaio_orchestrator_get_n_chunks:
 * @self: an orchestrator
 *
 * The number of chunks of the current (or last) run.
 *
 * Returns: the number of chunks
 *
 * Since: 0.1
 */
guint64
mpaio_orchestrator_get_n_chunks (MpaioOrchestrator *self)
{
  g_return_val_if_fail (MPAIO_IS_ORCHESTRATOR (self), 0);

  return self->n_chunks;
}

/**
 * mpaio_orchestrator_get_n_chunks_done:
 * @self: an orchestrator
 *
 * The number of chunks of the current (or last) run whose results were
 * delivered.
 *
 * Returns: the number of chunks done
 *
 * Since: 0.1
 */
guint64
mpaio_orchestrator_get_n_chunks_done (MpaioOrchestrator *self)
{
  g_return_val_if_fail (MPAIO_IS_ORCHESTRATOR (self), 0);

  return self->n_chunks_done;
}

/**
 * mpaio_orchestrator_get_running:
 * @self: an orchestrator
 *
 * Whether a run is in progress.
 *
 * Returns: %TRUE while running
 *
 * Since: 0.1
 */
gboolean
mpaio_orchestrator_get_running (MpaioOrchestrator *self)
{
  g_return_val_if_fail (MPAIO_IS_ORCHESTRATOR (self), FALSE);

  return self->run != NULL;
}

/**
 * mpaio_orchestrator_get_monitor_cpu_usage:
 * @self: an orchestrator
 *
 * Whether runs sample per-core CPU utilisation.
 *
 * Returns: %TRUE when runs are monitored
 *
 * Since: 0.1
 */
gboolean
mpaio_orchestrator_get_monitor_cpu_usage (MpaioOrchestrator *self)
{
  g_return_val_if_fail (MPAIO_IS_ORCHESTRATOR (self), FALSE);

  return self->monitor_cpu_usage;
}

/**
 * mpaio_orchestrator_set_monitor_cpu_usage:
 * @self: an orchestrator
 * @monitor_cpu_usage: %TRUE to sample CPU utilisation during runs
 *
 * Sets [property@Mpaio.Orchestrator:monitor-cpu-usage].
 *
 * Since: 0.1
 */
void
mpaio_orchestrator_set_monitor_cpu_usage (MpaioOrchestrator *self,
                                          gboolean           monitor_cpu_usage)
{
  g_return_if_fail (MPAIO_IS_ORCHESTRATOR (self));

  monitor_cpu_usage = !!monitor_cpu_usage;
  if (self->monitor_cpu_usage != monitor_cpu_usage)
    {
      self->monitor_cpu_usage = monitor_cpu_usage;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MONITOR_CPU_USAGE]);
    }
}

/**
 * mpaio_orchestrator_get_cpu_interval:
 * @self: an orchestrator
 *
 * Milliseconds between CPU samples of a monitored run.
 *
 * Returns: the interval in milliseconds
 *
 * Since: 0.1
 */
guint
mpaio_orchestrator_get_cpu_interval (MpaioOrchestrator *self)
{
  g_return_val_if_fail (MPAIO_IS_ORCHESTRATOR (self), 0);

  return self->cpu_interval;
}

/**
 * mpaio_orchestrator_set_cpu_interval:
 * @self: an orchestrator
 * @interval_ms: milliseconds between samples, at least 10
 *
 * Sets [property@Mpaio.Orchestrator:cpu-interval].
 *
 * Since: 0.1
 */
void
mpaio_orchestrator_set_cpu_interval (MpaioOrchestrator *self,
                                     guint              interval_ms)
{
  g_return_if_fail (MPAIO_IS_ORCHESTRATOR (self));

  interval_ms = MAX (interval_ms, 10);
  if (self->cpu_interval != interval_ms)
    {
      self->cpu_interval = interval_ms;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CPU_INTERVAL]);
    }
}

/**
 * mpaio_orchestrator_get_error_policy:
 * @self: an orchestrator
 *
 * What a run does when one of its chunks fails.
 *
 * Returns: the error policy
 *
 * Since: 0.1
 */
MpaioErrorPolicy
mpaio_orchestrator_get_error_policy (MpaioOrchestrator *self)
{
  g_return_val_if_fail (MPAIO_IS_ORCHESTRATOR (self), MPAIO_ERROR_POLICY_FINISH_IN_FLIGHT);

  return self->error_policy;
}

/**
 * mpaio_orchestrator_set_error_policy:
 * @self: an orchestrator
 * @policy: what a run does when one of its chunks fails
 *
 * Sets [property@Mpaio.Orchestrator:error-policy], for the runs started
 * from now on.
 *
 * Since: 0.1
 */
void
mpaio_orchestrator_set_error_policy (MpaioOrchestrator *self,
                                     MpaioErrorPolicy   policy)
{
  g_return_if_fail (MPAIO_IS_ORCHESTRATOR (self));
  g_return_if_fail (policy == MPAIO_ERROR_POLICY_FINISH_IN_FLIGHT
                    || policy == MPAIO_ERROR_POLICY_FAIL_FAST
                    || policy == MPAIO_ERROR_POLICY_CONTINUE);

  if (self->error_policy != policy)
    {
      self->error_policy = policy;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_POLICY]);
    }
}

/**
 * mpaio_orchestrator_get_last_report:
 * @self: an orchestrator
 *
 * Gets the report of the last run once it is over, also when it failed or
 * was cancelled and [method@Mpaio.Orchestrator.run_finish] gave an error
 * instead: each [struct@Mpaio.ChunkRecord] says what became of its chunk
 * (done, failed and why, cancelled, never sent). Call it from the run's
 * callback, before starting another run.
 *
 * Returns: (transfer none) (nullable): the report of the last run, or %NULL
 *   before the first run, while a run is in progress, and after a run that
 *   could not start (no workers, a bad data iterator, ...)
 *
 * Since: 0.1
 */
MpaioRunReport *
mpaio_orchestrator_get_last_report (MpaioOrchestrator *self)
{
  g_return_val_if_fail (MPAIO_IS_ORCHESTRATOR (self), NULL);

  return self->last_report;
}

/**
 * mpaio_orchestrator_get_abort_grace:
 * @self: an orchestrator
 *
 * Milliseconds the chunks of a run that ended early may run on, or -1.
 *
 * Returns: the grace in milliseconds, or -1 for no limit
 *
 * Since: 0.1
 */
int
mpaio_orchestrator_get_abort_grace (MpaioOrchestrator *self)
{
  g_return_val_if_fail (MPAIO_IS_ORCHESTRATOR (self), -1);

  return self->abort_grace_ms;
}

/**
 * mpaio_orchestrator_set_abort_grace:
 * @self: an orchestrator
 * @grace_ms: milliseconds, or -1 to let chunks finish
 *
 * Sets [property@Mpaio.Orchestrator:abort-grace], for the runs started
 * from now on.
 *
 * Since: 0.1
 */
void
mpaio_orchestrator_set_abort_grace (MpaioOrchestrator *self,
                                    int                grace_ms)
{
  g_return_if_fail (MPAIO_IS_ORCHESTRATOR (self));

  grace_ms = MAX (grace_ms, -1);
  if (self->abort_grace_ms != grace_ms)
    {
      self->abort_grace_ms = grace_ms;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ABORT_GRACE]);
    }
}
