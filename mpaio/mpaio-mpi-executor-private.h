/* mpaio-mpi-executor-private.h: what the orchestrator asks of an MPI executor
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "mpaio-executor.h"
#include "mpaio-mpi-cpu-private.h"
#include "mpaio-mpi-executor.h"
#include "mpaio-mpi-link-private.h"
#include "mpaio-mpi-rows-private.h"
#include "mpaio-process-pool.h"
#include "mpaio-run-report.h"

/* clang-format off */
G_BEGIN_DECLS

/* The files of MpaioMpiExecutor: mpaio-mpi-executor.c (the object, its
 * hosts and its API), -dispatch.c (which host runs which chunk, and the
 * rows, arrays and workers it is sent first), -replies.c (results, rows and
 * CPU samples that come back, hosts lost).
 *
 * A chunk submitted is a Task: in the executor's `queue` until a host has
 * room, then either given to rank 0's own pool or, for another host, in
 * `in_flight` under its sequence number until its result (or the loss of
 * its host) completes it. Everything runs on the executor's main context
 * but the weak references of workers and arrays (any thread, under `lock`)
 * and the location of rows coming back (the link thread, under `lock`). */

typedef struct _Host Host;

typedef struct
{
  MpaioMpiExecutor      *executor;
  MpaioExecutorChunkFunc func;
  gpointer               user_data;
  GCancellable          *cancellable;
  MpaioWorker           *worker;
  MpaioChunk             chunk;
  MpaioChunkRecord       record;
  GError                *error; /* refused when submitted */
  Host                  *host;
  guint64                seq;
  GList                  link;
} Task;

typedef struct
{
  guint64    id;
  guint      generation;
  guint64    array_id;
  char      *type_name;
  GVariant  *parameters;
  GPtrArray *arrays; /* the MpaioSharedArrays among the parameters */
} WorkerDef;

struct _Host
{
  const char *name; /* interned */
  int         rank; /* its agent, 0 for rank 0's own pool */
  guint       n_workers;
  guint       capacity;
  guint       in_flight;
  char       *lost;          /* why it is lost, or NULL */
  GHashTable *known_workers; /* guint64* id → generation */
  GHashTable *known_arrays;  /* set of guint64* ids */
  /* guint64* array id → MpaioRowSet*: the rows it holds (rank 0: ran) */
  GHashTable       *rows;
  gint64            clock_offset; /* rank 0's clock minus the host's */
  MpaioHostSamples *samples;      /* its CPU, while runs are monitored */
  guint             n_sampled_cores; /* the columns of its samples */
  gint64            clock_round_trip_us; /* of the best clock probe so far */
  guint             n_clock_probes;
  gboolean          clock_probe_out;
  gint64            heard_us;     /* its last message, or when it was last given work */
  GArray           *tasks; /* MpaioMpiTask: those not sent yet */
};

typedef struct
{
  GWeakRef array;
} ArrayEntry;

struct _MpaioMpiExecutor
{
  GObject parent_instance;

  guint    n_workers_per_host;
  guint    max_in_flight;
  guint    max_retries;
  guint    chunk_timeout_ms;
  gboolean rank_0_runs_chunks;

  MpaioMpiLink     *link;
  guint             n_ranks;
  guint             n_monitored_runs;
  GPtrArray        *hosts; /* Host*; 0: rank 0's */
  MpaioProcessPool *pool;  /* rank 0's */
  GMainContext     *context;
  GQueue            queue;     /* Task* waiting for a host */
  GHashTable       *in_flight; /* guint64* seq → Task* on other hosts */
  GSource          *dispatch_source;
  guint64           next_seq;
  guint64           next_worker_id;

  /* Worker definitions and arrays; their weak references may fire on any
   * thread, and the link thread finds arrays to write rows into. */
  GMutex      lock;
  GHashTable *defs;   /* MpaioWorker* → WorkerDef* */
  GHashTable *arrays; /* guint64* id → ArrayEntry* */
  GArray     *forget_workers;
  GArray     *forget_arrays;
  GSource    *forget_source; /* not holding the executor */
  GSource    *watch_source;  /* with a chunk timeout: silent hosts */
  gboolean    active;        /* the job's executor: the link's receiver */
};


static inline guint64 *
_mpaio_mpi_key_new (guint64 id)
{
  return g_memdup2 (&id, sizeof id);
}

/* mpaio-mpi-executor-dispatch.c */
void     _mpaio_mpi_worker_def_free              (gpointer          data);
void     _mpaio_mpi_array_entry_free             (gpointer          data);
GSource *_mpaio_mpi_executor_dispatch_source_new (MpaioMpiExecutor *self);
void     _mpaio_mpi_executor_schedule_dispatch   (MpaioMpiExecutor *self);
void     _mpaio_mpi_executor_submit              (MpaioExecutor          *executor,
                                                  MpaioWorker            *worker,
                                                  const MpaioChunk       *chunk,
                                                  GCancellable           *cancellable,
                                                  MpaioExecutorChunkFunc  func,
                                                  gpointer                user_data);
/* Calls the task's function and frees it. */
void     _mpaio_mpi_executor_complete            (Task             *task,
                                                  GVariant         *result,
                                                  const GError     *error);
void     _mpaio_mpi_executor_forget_all          (MpaioMpiExecutor *self);

/* mpaio-mpi-executor-replies.c */
void     _mpaio_mpi_executor_receive             (int               source,
                                                  MpaioMpiKind      kind,
                                                  GVariant         *body,
                                                  gpointer          user_data);
gpointer _mpaio_mpi_executor_locate              (int               source,
                                                  MpaioMpiKind      kind,
                                                  GVariant         *body,
                                                  gsize             payload_size,
                                                  GDestroyNotify   *release,
                                                  gpointer         *release_data,
                                                  gpointer          user_data);
void     _mpaio_mpi_executor_watch_timeouts      (MpaioMpiExecutor *self);

/* A run with CPU monitoring starts: every other host samples its CPU too,
 * every @interval_ms, until the last monitored run finishes. */
void _mpaio_mpi_executor_start_cpu_monitoring  (MpaioMpiExecutor *self,
                                                guint             interval_ms);
/* A monitored run ended, @report holding rank 0's samples: they become
 * samples of every host's cores, named `host/core_N`. Stops the sampling
 * as _mpaio_mpi_executor_stop_cpu_monitoring() does. */
void _mpaio_mpi_executor_finish_cpu_monitoring (MpaioMpiExecutor *self,
                                                MpaioRunReport   *report);
/* A run that wanted the other hosts' samples but merges none into its
 * report (a published run) ended; the last one stops their sampling. */
void _mpaio_mpi_executor_stop_cpu_monitoring   (MpaioMpiExecutor *self);

/* While runs are monitored, on the executor's context: the columns of
 * samples merged from @local_cores of rank 0's host and every other host's
 * (`host/core_N`, NULL when the executor serves no job), and one sample of
 * rank 0's host (from @local_start_us) merged with the other hosts' as
 * last sampled by then, as _mpaio_mpi_executor_finish_cpu_monitoring()
 * merges a report's. */
char           **_mpaio_mpi_executor_dup_cpu_column_names (MpaioMpiExecutor *self,
                                                           guint             local_cores);
MpaioCpuSample  *_mpaio_mpi_executor_merge_cpu_sample     (MpaioMpiExecutor *self,
                                                           MpaioCpuSample   *local,
                                                           gint64            local_start_us,
                                                           guint             local_cores);

G_END_DECLS
