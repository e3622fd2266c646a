/* mpaio-mpi-link-private.h: the one thread of a process that talks MPI
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

/* clang-format off */
G_BEGIN_DECLS

/* Every rank of an MPI job that runs mpaio has one link: the one thread
 * that calls MPI (so MPI_THREAD_SERIALIZED is all it asks for), which
 * never sits in a blocking call while idle. Open MPI's blocking calls spin
 * a core; the link polls with MPI_Improbe and MPI_Testall and, when
 * nothing moved, waits with a timeout that doubles from 50 µs to 2 ms (at
 * most 500 µs while replies are due; 40 µs for a millisecond after any
 * message moved, so the next tasks of a stream are seen soon), so an idle
 * rank costs about 1 % of a core.
 *
 * On rank 0 the link is a thread of its own, so the program's main loop is
 * never held by MPI; it waits on its queue of outgoing messages, so a
 * message queued by the main thread goes out at once. On the other ranks
 * the agent's thread is the link (_mpaio_mpi_link_serve()): it waits on
 * its main context's sources (the sockets of its worker processes) with
 * the same timeout, so tasks reach the worker processes, and results the
 * network, without a hand-off between two threads of the rank.
 *
 * A message is a header, a GVariant "(utv)" (kind, payload size, body),
 * optionally followed by a payload of raw bytes sent from, and received
 * into, the memory of an array directly (MPI keeps messages between two
 * ranks in order, so the payload is the next message from that rank).
 * Headers are handed to the main context of the receiver set with
 * _mpaio_mpi_link_set_receiver(); the receiver's `locate` function runs on
 * the thread that polls MPI first, for every header, to say where its payload goes
 * (and to make the array it goes into, before it arrives). */

/* The messages, their direction and body:
 *   CONFIG         0 → agent  "(uuux)" workers, max retries, chunk timeout ms, rank 0's now
 *   CONFIG_REPLY   agent → 0  "(xxxus)" echoed time, agent's times of receipt and reply,
 *                             workers, error ("" if none)
 *   STOP           0 → agent  "()" the executor is gone: drop the pool and all copies
 *   ARRAY          0 → agent  "(t(uutat))" id, description
 *   ROWS           both ways  "(ttt)" array id, first row, rows; payload: the rows
 *   WORKER         0 → agent  "(tts@a{sv})" worker id, array id, type name, parameters
 *   TASKS          0 → agent  "a(ttttt)" seq, worker id, chunk index, start, end
 *   RESULTS        agent → 0  "(a(txxii)av)" per chunk seq, started, finished, pid, ok;
 *                             and its result, or (if not ok) its error "(sis)"
 *   FORGET_WORKER  0 → agent  "t"
 *   FORGET_ARRAY   0 → agent  "t"
 *   CLOCK          0 → agent  "x" rank 0's time; back: "(xxx)" it, the agent's times of
 *                             receipt and reply: the clocks compared, as NTP does
 *   CPU_START      0 → agent  "u" sample the host's CPU every so many ms
 *   CPU_SAMPLE     agent → 0  "(xad)" when (agent's clock, µs), per-core utilisation
 *   CPU_STOP       0 → agent  "()"
 *   QUIT           0 → every rank "()": the end of the job
 *   LOST           from the link itself: "s", why the rank is lost */
typedef enum
{
  MPAIO_MPI_CONFIG = 1,
  MPAIO_MPI_CONFIG_REPLY,
  MPAIO_MPI_STOP,
  MPAIO_MPI_ARRAY,
  MPAIO_MPI_ROWS,
  MPAIO_MPI_WORKER,
  MPAIO_MPI_TASKS,
  MPAIO_MPI_RESULTS,
  MPAIO_MPI_FORGET_WORKER,
  MPAIO_MPI_FORGET_ARRAY,
  MPAIO_MPI_CLOCK,
  MPAIO_MPI_CPU_START,
  MPAIO_MPI_CPU_SAMPLE,
  MPAIO_MPI_CPU_STOP,
  MPAIO_MPI_QUIT,
  MPAIO_MPI_LOST,
} MpaioMpiKind;

#define MPAIO_MPI_TASKS_TYPE   "a(ttttt)"

/* An item of a TASKS body: "(ttttt)" is of fixed size, so the array is
 * made from, and read as, a C array of these, with no GVariant per task. */
typedef struct
{
  guint64 seq;
  guint64 worker_id;
  guint64 index;
  guint64 start;
  guint64 end;
} MpaioMpiTask;

/* An item of the first array of a RESULTS body, fixed-size as a task. */
typedef struct
{
  guint64 seq;
  gint64  started_us; /* on the agent's clock; 0 if it did not run */
  gint64  finished_us;
  gint32  pid;
  gint32  ok; /* the item of the second array is its result, else its error */
} MpaioMpiResult;
#define MPAIO_MPI_RESULTS_TYPE "(a(txxii)av)"

typedef struct
{
  int    rank;
  char  *host;      /* interned */
  char  *machine;   /* interned: the processor name, the host unless each rank is one */
  guint  n_cores;
  guint  n_sampled_cores; /* the columns of its CPU samples: every core of the machine */
} MpaioMpiPeer;

/* Runs on the link thread for every header: where its @payload_size bytes
 * go (if any), or NULL to drop them (an array forgotten). When set,
 * @release is called with @release_data on the link thread once the
 * payload is in (to let go of the array it went into). */
typedef gpointer (*MpaioMpiLocateFunc)  (int             source,
                                         MpaioMpiKind    kind,
                                         GVariant       *body,
                                         gsize           payload_size,
                                         GDestroyNotify *release,
                                         gpointer       *release_data,
                                         gpointer        user_data);
/* Runs on the receiver's main context, for each header, in the order
 * received, after its payload (if any) was written where `locate` said. */
typedef void     (*MpaioMpiReceiveFunc) (int           source,
                                         MpaioMpiKind  kind,
                                         GVariant     *body,
                                         gpointer      user_data);

typedef struct _MpaioMpiLink MpaioMpiLink;

/* Called by mpaio_init(): when this process is a rank of an MPI job (and
 * MPAIO_MPI is not "0"), starts the link; returns
 * TRUE on every rank but 0, whose caller then serves as an agent. */
gboolean            _mpaio_mpi_link_start_if_mpi_job  (void);
/* The link of this process, waiting for MPI to be up; NULL (with @error)
 * when this is not a rank of an MPI job or MPI could not start. */
MpaioMpiLink       *_mpaio_mpi_link_get               (GError             **error);
int                 _mpaio_mpi_link_get_rank          (MpaioMpiLink        *link);
/* All ranks, by rank. */
const MpaioMpiPeer *_mpaio_mpi_link_get_peers         (MpaioMpiLink        *link,
                                                       guint               *n_peers);
/* Queues a message to @dest; @payload (optional) stays valid until
 * @payload_free is called with @payload_owner, on any thread. */
void                _mpaio_mpi_link_send              (MpaioMpiLink        *link,
                                                       int                  dest,
                                                       MpaioMpiKind         kind,
                                                       GVariant            *body,
                                                       gconstpointer        payload,
                                                       gsize                payload_size,
                                                       GDestroyNotify       payload_free,
                                                       gpointer             payload_owner);
/* Where headers go, on the thread-default main context of the caller;
 * NULL @receive to stop receiving (messages then wait). */
void                _mpaio_mpi_link_set_receiver      (MpaioMpiLink        *link,
                                                       MpaioMpiLocateFunc   locate,
                                                       MpaioMpiReceiveFunc  receive,
                                                       gpointer             user_data);
/* How many replies the caller awaits (@delta added): while any are due,
 * the link backs off to 500 µs at most rather than 2 ms. */
void                _mpaio_mpi_link_expect            (MpaioMpiLink        *link,
                                                       int                  delta);
/* Notes that @rank is gone: at exit, rank 0 then ends the job with
 * MPI_Abort rather than wait for it in MPI_Finalize. */
void                _mpaio_mpi_link_mark_lost         (MpaioMpiLink        *link,
                                                       int                  rank);
/* Ends every rank of the job at once, mpirun exiting with @code. */
G_NORETURN
void                _mpaio_mpi_link_abort             (MpaioMpiLink        *link,
                                                       int                  code);
/* Bytes of payload sent since the link started, for benchmarks. */
guint64             _mpaio_mpi_link_get_payload_bytes_sent (MpaioMpiLink   *link);
/* On a rank other than 0, from the thread that called mpaio_init():
 * drives MPI and @loop's context together on this thread until @loop is
 * quit, never spinning while idle (the context's sources are polled with
 * the same backoff as the network). */
void                _mpaio_mpi_link_serve             (MpaioMpiLink        *link,
                                                       GMainLoop           *loop);
/* Ends the job for this rank: rank 0 tells every other rank to quit; then
 * the link finishes its sends, finalises MPI and its thread ends. */
void                _mpaio_mpi_link_shutdown          (MpaioMpiLink        *link);

/* The link lives in a module of its own, linked with MPI and loaded only
 * by the ranks of an MPI job (mpaio-mpi-link-loader.c): the functions above
 * forward to it. Its one exported symbol, MPAIO_MPI_LINK_MODULE_INIT, takes
 * MPAIO_ERROR (so the module needs no symbol of the library) and returns
 * these functions. */
typedef struct
{
  gboolean            (*start)                  (int                  rank,
                                                 guint                n_cores,
                                                 guint                n_sampled_cores);
  MpaioMpiLink       *(*get)                    (GError             **error);
  int                 (*get_rank)               (MpaioMpiLink        *link);
  const MpaioMpiPeer *(*get_peers)              (MpaioMpiLink        *link,
                                                 guint               *n_peers);
  void                (*send)                   (MpaioMpiLink        *link,
                                                 int                  dest,
                                                 MpaioMpiKind         kind,
                                                 GVariant            *body,
                                                 gconstpointer        payload,
                                                 gsize                payload_size,
                                                 GDestroyNotify       payload_free,
                                                 gpointer             payload_owner);
  void                (*set_receiver)           (MpaioMpiLink        *link,
                                                 MpaioMpiLocateFunc   locate,
                                                 MpaioMpiReceiveFunc  receive,
                                                 gpointer             user_data);
  void                (*expect)                 (MpaioMpiLink        *link,
                                                 int                  delta);
  void                (*mark_lost)              (MpaioMpiLink        *link,
                                                 int                  rank);
  void                (*abort)                  (MpaioMpiLink        *link,
                                                 int                  code) G_GNUC_NORETURN;
  guint64             (*get_payload_bytes_sent) (MpaioMpiLink        *link);
  void                (*shutdown)               (MpaioMpiLink        *link);
  void                (*serve)                  (MpaioMpiLink        *link,
                                                 GMainLoop           *loop);
} MpaioMpiLinkFuncs;

#define MPAIO_MPI_LINK_MODULE_INIT "mpaio_mpi_link_module_init"

typedef const MpaioMpiLinkFuncs *(*MpaioMpiLinkModuleInit) (GQuark error_domain);

/* mpaio-mpi-agent.c: serves the chunks of the MPI executor on a rank other
 * than 0; returns when rank 0 ends the job. */
void                _mpaio_mpi_agent_run              (MpaioMpiLink        *link);

G_END_DECLS
