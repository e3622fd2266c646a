/* mpaio-mpi-executor.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <gio/gio.h>

#include "mpaio-error.h"
#include "mpaio-mpi-executor-private.h"

/**
 * MpaioMpiExecutor:
 *
 * An [iface@Mpaio.Executor] that runs chunks on every host of an MPI job,
 * so the same workers that run on one machine run across a cluster.
 *
 * The program is started with `mpirun -n N program …` (or Slurm's `srun`).
 * [func@Mpaio.init] sees that the process is a rank of an MPI job and
 * starts MPI on a thread of its own; on rank 0 it returns, and the program
 * runs as usual (its main loop, its orchestrator and callbacks, a GUI if
 * any); on every other rank it serves chunks and never returns, as it does
 * in a worker process. So the program does not change: it makes an
 * `MpaioMpiExecutor` where it made an [class@Mpaio.ProcessPool]. Set
 * `MPAIO_MPI=0` in the environment for a program that uses MPI itself.
 *
 * The first rank of each host (by `MPI_Get_processor_name()`) is that
 * host's agent: it runs the host's chunks on a local
 * [class@Mpaio.ProcessPool] of one process per core, made when the executor
 * is made and ended when it is finalized. Rank 0's host is served by rank
 * 0's own pool, so its cores work too; other ranks of a host only wait for
 * the end of the job. Setting `MPAIO_MPI_HOST_PER_RANK=1` takes every rank
 * for a host of its own (named `machine-rankN`), the cores of a machine
 * shared among its ranks: how tests run several hosts on one machine.
 *
 * Arrays travel on demand: the first time a host runs a chunk of an array,
 * the chunk's rows go with it, into the host's replica of the array (one
 * per host, which its worker processes share), and a row a host holds is
 * never sent to it again, in this run or a later one: a chunk goes to the
 * host that holds its rows whenever that host has room, and waits for it
 * otherwise. Other arrays among a worker's parameters travel whole, once
 * per host. The rows a chunk's worker may write, those of the chunk in
 * each writable array it holds, come back into rank 0's array before its
 * result is delivered. An array's contents are taken to be constant once
 * a host has them: change rows between runs in a new array.
 *
 * Chunk records name the host and rank that ran each chunk
 * ([struct@Mpaio.ChunkRecord]); the times of other hosts are brought to
 * rank 0's clock by the offset measured when the executor starts. Errors
 * keep their domain, and a worker process that dies is handled by its
 * host's pool as locally ([property@Mpaio.MpiExecutor:max-retries]).
 *
 * MPI runs on its own thread, which never blocks in MPI while idle (Open
 * MPI's blocking calls spin a core): it polls, backing off to a 2 ms sleep,
 * so an idle rank costs well under 5 % of a core; results reach the main
 * context of rank 0 through a #GSource. Communication errors return rather
 * than abort (`MPI_ERRORS_RETURN`): a rank that cannot be reached ends its
 * chunks with [error@Mpaio.Error.WORKER_CRASHED] naming the rank and host.
 * But by default Open MPI's `mpirun` ends the whole job as soon as any rank
 * dies, rank 0 included, printing which rank died: a lost rank ends the
 * program, not only the run. With `mpirun --enable-recovery` the job lives
 * on while Open MPI waits for the dead rank without an error; then a
 * [property@Mpaio.MpiExecutor:chunk-timeout] finds the silent host and
 * fails its chunks as above, and at exit rank 0 ends the job with
 * `MPI_Abort`, since MPI cannot finalise without the rank.
 *
 * Make the executor on rank 0, from the thread that runs its main context;
 * one at a time.
 *
 * Since: 0.1
 */

#define DEFAULT_MAX_IN_FLIGHT 8

static MpaioMpiExecutor *the_executor;

static void mpaio_mpi_executor_initable_iface_init (GInitableIface *iface);
static void mpaio_mpi_executor_executor_iface_init (MpaioExecutorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MpaioMpiExecutor, mpaio_mpi_executor, G_TYPE_OBJECT, G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, mpaio_mpi_executor_initable_iface_init) G_IMPLEMENT_INTERFACE (MPAIO_TYPE_EXECUTOR, mpaio_mpi_executor_executor_iface_init))

enum
{
  PROP_0,
  PROP_N_WORKERS_PER_HOST,
  PROP_MAX_IN_FLIGHT_PER_WORKER,
  PROP_MAX_RETRIES,
  PROP_CHUNK_TIMEOUT,
  PROP_RANK_0_RUNS_CHUNKS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
host_free (gpointer data)
{
  Host *host = data;

  g_free (host->lost);
  _mpaio_host_samples_free (host->samples);
  g_hash_table_unref (host->known_workers);
  g_hash_table_unref (host->known_arrays);
  g_hash_table_unref (host->rows);
  g_array_unref (host->tasks);
  g_free (host);
}

static Host *
host_new (const MpaioMpiPeer *peer,
          guint               n_workers,
          guint               max_in_flight)
{
  Host *host = g_new0 (Host, 1);

  host->name = peer->host;
  host->rank = peer->rank;
  host->n_sampled_cores = peer->n_sampled_cores;
  host->n_workers = n_workers;
  host->capacity = n_workers * max_in_flight;
  host->clock_round_trip_us = G_MAXINT64;
  host->known_workers = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  host->known_arrays = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  host->rows = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                      (GDestroyNotify) _mpaio_row_set_free);
  host->tasks = g_array_new (FALSE, FALSE, sizeof (MpaioMpiTask));
  return host;
}

static void
send_config (MpaioMpiExecutor *self)
{
  for (guint i = 1; i < self->hosts->len; i++)
    {
      Host *host = g_ptr_array_index (self->hosts, i);

      _mpaio_mpi_link_send (self->link, host->rank, MPAIO_MPI_CONFIG,
                            g_variant_new ("(uuux)", host->n_workers, self->max_retries,
                                           self->chunk_timeout_ms, g_get_monotonic_time ()),
                            NULL, 0, NULL, NULL);
    }
}

/* How many workers a host runs: as asked, or its cores, shared among the
 * hosts of one machine when each rank is taken for a host. */
static guint
workers_of_host (MpaioMpiExecutor   *self,
                 const MpaioMpiPeer *peers,
                 guint               n_peers,
                 const MpaioMpiPeer *peer,
                 GHashTable         *hosts_of_machine)
{
  guint n_hosts;

  if (self->n_workers_per_host > 0)
    return self->n_workers_per_host;

  n_hosts = GPOINTER_TO_UINT (g_hash_table_lookup (hosts_of_machine, peer->machine));
  return MAX (1, peer->n_cores / MAX (1, n_hosts));
}

static gboolean
mpaio_mpi_executor_initable_init (GInitable    *initable,
                                  GCancellable *cancellable,
                                  GError      **error)
{
  MpaioMpiExecutor   *self = MPAIO_MPI_EXECUTOR (initable);
  const MpaioMpiPeer *peers;
  guint               n_peers;
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) hosts_of_machine = g_hash_table_new (NULL, NULL);

  if (!(self->link = _mpaio_mpi_link_get (error)))
    return FALSE;

  if (_mpaio_mpi_link_get_rank (self->link) != 0)
    {
      g_set_error_literal (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                           "Only rank 0 of an MPI job makes an MPI executor");
      return FALSE;
    }

  if (the_executor != NULL)
    {
      g_set_error_literal (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                           "An MPI executor exists already: a job has one at a time");
      return FALSE;
    }

  peers = _mpaio_mpi_link_get_peers (self->link, &n_peers);
  self->n_ranks = n_peers;

  /* Hosts, each served by its first rank (rank 0's by rank 0). */
  for (guint i = 0; i < n_peers; i++)
    if (!g_hash_table_contains (seen, peers[i].host))
      {
        g_hash_table_add (seen, peers[i].host);
        g_hash_table_insert (hosts_of_machine, peers[i].machine,
                             GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (
                                                 hosts_of_machine, peers[i].machine))
                                               + 1));
      }
  g_hash_table_remove_all (seen);
  for (guint i = 0; i < n_peers; i++)
    if (!g_hash_table_contains (seen, peers[i].host))
      {
        g_hash_table_add (seen, peers[i].host);
        g_ptr_array_add (self->hosts,
                         host_new (&peers[i],
                                   workers_of_host (self, peers, n_peers, &peers[i],
                                                    hosts_of_machine),
                                   self->max_in_flight));
      }

  if (!self->rank_0_runs_chunks)
    {
      Host *own = g_ptr_array_index (self->hosts, 0);

      /* Never chosen: it has no room. */
      own->n_workers = own->capacity = 0;
      if (self->hosts->len == 1)
        {
          g_set_error_literal (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                               "No host would run chunks: rank 0's host does not, and the job "
                               "has no other host");
          return FALSE;
        }
    }
  else
    {
      self->pool = mpaio_process_pool_new (
        ((Host *) g_ptr_array_index (self->hosts, 0))->n_workers, error);
      if (self->pool == NULL)
        return FALSE;
      mpaio_process_pool_set_max_retries (self->pool, self->max_retries);
      mpaio_process_pool_set_chunk_timeout (self->pool, self->chunk_timeout_ms);
    }

  the_executor = self;
  self->active = TRUE;
  _mpaio_mpi_link_set_receiver (self->link, _mpaio_mpi_executor_locate,
                                _mpaio_mpi_executor_receive, self);
  send_config (self);
  _mpaio_mpi_executor_watch_timeouts (self);

  return TRUE;
}

static void
mpaio_mpi_executor_initable_iface_init (GInitableIface *iface)
{
  iface->init = mpaio_mpi_executor_initable_init;
}

static guint
mpaio_mpi_executor_get_max_in_flight (MpaioExecutor *executor)
{
  MpaioMpiExecutor *self = MPAIO_MPI_EXECUTOR (executor);
  guint             total = 0;

  for (guint i = 0; i < self->hosts->len; i++)
    total += ((Host *) g_ptr_array_index (self->hosts, i))->capacity;

  return total;
}

static void
mpaio_mpi_executor_executor_iface_init (MpaioExecutorInterface *iface)
{
  iface->get_max_in_flight = mpaio_mpi_executor_get_max_in_flight;
  iface->submit = _mpaio_mpi_executor_submit;
}

static void
mpaio_mpi_executor_dispose (GObject *object)
{
  MpaioMpiExecutor *self = MPAIO_MPI_EXECUTOR (object);
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                  "The executor was disposed");
  GList *link;

  /* Tasks hold the executor, so only an explicit dispose finds some. */
  while ((link = g_queue_pop_head_link (&self->queue)) != NULL)
    _mpaio_mpi_executor_complete (link->data, NULL, error);
  if (self->in_flight != NULL)
    {
      GHashTableIter iter;
      gpointer       value;
      g_autoptr(GPtrArray) tasks = g_ptr_array_new ();

      g_hash_table_iter_init (&iter, self->in_flight);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        g_ptr_array_add (tasks, value);
      g_hash_table_remove_all (self->in_flight);
      for (guint i = 0; i < tasks->len; i++)
        _mpaio_mpi_executor_complete (g_ptr_array_index (tasks, i), NULL, error);
    }

  if (the_executor == self)
    {
      _mpaio_mpi_link_set_receiver (self->link, NULL, NULL, NULL);
      for (guint i = 1; i < self->hosts->len; i++)
        if (((Host *) g_ptr_array_index (self->hosts, i))->clock_probe_out)
          _mpaio_mpi_link_expect (self->link, -1);
      for (guint i = 1; i < self->hosts->len; i++)
        _mpaio_mpi_link_send (self->link, ((Host *) g_ptr_array_index (self->hosts, i))->rank,
                              MPAIO_MPI_STOP, g_variant_new ("()"), NULL, 0, NULL, NULL);
      the_executor = NULL;
      self->active = FALSE;
    }

  g_mutex_lock (&self->lock);
  if (self->forget_source != NULL)
    g_source_destroy (self->forget_source);
  g_clear_pointer (&self->forget_source, g_source_unref);
  g_mutex_unlock (&self->lock);

  if (self->watch_source != NULL)
    g_source_destroy (self->watch_source);
  g_clear_pointer (&self->watch_source, g_source_unref);

  g_clear_object (&self->pool);
  if (self->dispatch_source != NULL)
    g_source_destroy (self->dispatch_source);
  g_clear_pointer (&self->dispatch_source, g_source_unref);

  G_OBJECT_CLASS (mpaio_mpi_executor_parent_class)->dispose (object);
}

static void
mpaio_mpi_executor_finalize (GObject *object)
{
  MpaioMpiExecutor *self = MPAIO_MPI_EXECUTOR (object);

  _mpaio_mpi_executor_forget_all (self);

  g_hash_table_unref (self->defs);
  g_hash_table_unref (self->arrays);
  g_hash_table_unref (self->in_flight);
  g_array_unref (self->forget_workers);
  g_array_unref (self->forget_arrays);
  g_ptr_array_unref (self->hosts);
  g_mutex_clear (&self->lock);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (mpaio_mpi_executor_parent_class)->finalize (object);
}

static void
mpaio_mpi_executor_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  MpaioMpiExecutor *self = MPAIO_MPI_EXECUTOR (object);

  switch (prop_id)
    {
    case PROP_N_WORKERS_PER_HOST:
      g_value_set_uint (value, self->n_workers_per_host);
      break;

    case PROP_MAX_IN_FLIGHT_PER_WORKER:
      g_value_set_uint (value, self->max_in_flight);
      break;

    case PROP_MAX_RETRIES:
      g_value_set_uint (value, self->max_retries);
      break;

    case PROP_CHUNK_TIMEOUT:
      g_value_set_uint (value, self->chunk_timeout_ms);
      break;

    case PROP_RANK_0_RUNS_CHUNKS:
      g_value_set_boolean (value, self->rank_0_runs_chunks);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mpaio_mpi_executor_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  MpaioMpiExecutor *self = MPAIO_MPI_EXECUTOR (object);

  switch (prop_id)
    {
    case PROP_N_WORKERS_PER_HOST:
      self->n_workers_per_host = g_value_get_uint (value);
      break;

    case PROP_MAX_IN_FLIGHT_PER_WORKER:
      self->max_in_flight = g_value_get_uint (value);
      break;

    case PROP_MAX_RETRIES:
      mpaio_mpi_executor_set_max_retries (self, g_value_get_uint (value));
      break;

    case PROP_CHUNK_TIMEOUT:
      mpaio_mpi_executor_set_chunk_timeout (self, g_value_get_uint (value));
      break;

    case PROP_RANK_0_RUNS_CHUNKS:
      self->rank_0_runs_chunks = g_value_get_boolean (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mpaio_mpi_executor_class_init (MpaioMpiExecutorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mpaio_mpi_executor_dispose;
  object_class->finalize = mpaio_mpi_executor_finalize;
  object_class->get_property = mpaio_mpi_executor_get_property;
  object_class->set_property = mpaio_mpi_executor_set_property;

  /**
   * MpaioMpiExecutor:n-workers-per-host:
   *
   * The number of worker processes on each host; 0 (the default) means
   * one per core of the host (its cores shared among the hosts of one
   * machine when each rank is taken for a host).
   *
   * Since: 0.1
   */
  properties[PROP_N_WORKERS_PER_HOST] =
    g_param_spec_uint ("n-workers-per-host", NULL, NULL, 0, 1024, 0,
                       (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * MpaioMpiExecutor:max-in-flight-per-worker:
   *
   * How many chunks are sent to a host per worker process it has and not
   * yet returned: enough for its processes never to wait for the network.
   *
   * Since: 0.1
   */
  properties[PROP_MAX_IN_FLIGHT_PER_WORKER] =
    g_param_spec_uint ("max-in-flight-per-worker", NULL, NULL, 1, 1024, DEFAULT_MAX_IN_FLIGHT,
                       (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * MpaioMpiExecutor:max-retries:
   *
   * How many times a chunk whose worker process died is run again, on its
   * host, before the death is reported: as
   * [property@Mpaio.ProcessPool:max-retries] on every host.
   *
   * Since: 0.1
   */
  properties[PROP_MAX_RETRIES] =
    g_param_spec_uint ("max-retries", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * MpaioMpiExecutor:chunk-timeout:
   *
   * Milliseconds a worker process may spend on one chunk, as
   * [property@Mpaio.ProcessPool:chunk-timeout] on every host; 0 (the
   * default) for no limit. With a limit, a host that holds chunks and
   * sends nothing for twice as long and a second is taken for lost: its
   * chunks fail with [error@Mpaio.Error.WORKER_CRASHED] naming its rank.
   *
   * Since: 0.1
   */
  properties[PROP_CHUNK_TIMEOUT] =
    g_param_spec_uint ("chunk-timeout", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * MpaioMpiExecutor:rank-0-runs-chunks:
   *
   * Whether rank 0's host runs chunks too, on worker processes of rank 0
   * (the default); %FALSE leaves its cores to the program (a GUI, say),
   * every chunk going to other hosts.
   *
   * Since: 0.1
   */
  properties[PROP_RANK_0_RUNS_CHUNKS] =
    g_param_spec_boolean ("rank-0-runs-chunks", NULL, NULL, TRUE,
                          (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
mpaio_mpi_executor_init (MpaioMpiExecutor *self)
{
  self->max_in_flight = DEFAULT_MAX_IN_FLIGHT;
  self->rank_0_runs_chunks = TRUE;
  self->context = g_main_context_ref_thread_default ();
  self->hosts = g_ptr_array_new_with_free_func (host_free);
  g_queue_init (&self->queue);
  self->in_flight = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_mutex_init (&self->lock);
  self->defs = g_hash_table_new_full (NULL, NULL, NULL, _mpaio_mpi_worker_def_free);
  self->arrays = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, _mpaio_mpi_array_entry_free);
  self->forget_workers = g_array_new (FALSE, FALSE, sizeof (guint64));
  self->forget_arrays = g_array_new (FALSE, FALSE, sizeof (guint64));

  self->dispatch_source = _mpaio_mpi_executor_dispatch_source_new (self);
}

/**
 * mpaio_mpi_executor_new:
 * @n_workers_per_host: worker processes on each host, or 0 for one per core
 * @error: return location for a #GError
 *
 * Makes the executor of the MPI job this program runs in, on rank 0. The
 * program must call [func@Mpaio.init] first in `main()` (on the other
 * ranks it serves chunks there) and be started by `mpirun` or `srun`. It
 * waits for MPI to be up (started by [func@Mpaio.init]), then starts the
 * worker processes of rank 0's host; other hosts start theirs at once.
 *
 * Returns: (transfer full): the executor, or %NULL with @error set: when
 *   mpaio was built without MPI, the program is not a rank of an MPI job
 *   (started by mpirun or srun), this is not rank 0, or an MPI executor
 *   exists already
 *
 * Since: 0.1
 */
MpaioMpiExecutor *
mpaio_mpi_executor_new (guint    n_workers_per_host,
                        GError **error)
{
  return g_initable_new (MPAIO_TYPE_MPI_EXECUTOR, NULL, error, "n-workers-per-host",
                         n_workers_per_host, NULL);
}

/**
 * mpaio_mpi_executor_is_available:
 *
 * Whether this program runs as rank 0 of an MPI job, with
 * mpaio built with MPI: whether [ctor@Mpaio.MpiExecutor.new] can work.
 *
 * Returns: %TRUE when an MPI executor can be made
 *
 * Since: 0.1
 */
gboolean
mpaio_mpi_executor_is_available (void)
{
  MpaioMpiLink *link = _mpaio_mpi_link_get (NULL);

  return link != NULL && _mpaio_mpi_link_get_rank (link) == 0;
}

/**
 * mpaio_mpi_executor_get_n_hosts:
 * @self: an executor
 *
 * The number of hosts whose worker processes run chunks, rank 0's included.
 *
 * Returns: the number of hosts
 *
 * Since: 0.1
 */
guint
mpaio_mpi_executor_get_n_hosts (MpaioMpiExecutor *self)
{
  g_return_val_if_fail (MPAIO_IS_MPI_EXECUTOR (self), 0);

  return self->hosts->len;
}

/**
 * mpaio_mpi_executor_get_hosts:
 * @self: an executor
 *
 * The names of the hosts that run chunks, rank 0's first: the names chunk
 * records carry.
 *
 * Returns: (transfer full) (array zero-terminated=1): the names
 *
 * Since: 0.1
 */
char **
mpaio_mpi_executor_get_hosts (MpaioMpiExecutor *self)
{
  GStrvBuilder *builder;
  char        **names;

  g_return_val_if_fail (MPAIO_IS_MPI_EXECUTOR (self), NULL);

  builder = g_strv_builder_new ();
  for (guint i = 0; i < self->hosts->len; i++)
    g_strv_builder_add (builder, ((Host *) g_ptr_array_index (self->hosts, i))->name);
  names = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);

  return names;
}

/**
 * mpaio_mpi_executor_get_n_workers:
 * @self: an executor
 *
 * The number of worker processes on all hosts together.
 *
 * Returns: the number of worker processes
 *
 * Since: 0.1
 */
guint
mpaio_mpi_executor_get_n_workers (MpaioMpiExecutor *self)
{
  guint total = 0;

  g_return_val_if_fail (MPAIO_IS_MPI_EXECUTOR (self), 0);

  for (guint i = 0; i < self->hosts->len; i++)
    total += ((Host *) g_ptr_array_index (self->hosts, i))->n_workers;

  return total;
}

/**
 * mpaio_mpi_executor_get_n_ranks:
 * @self: an executor
 *
 * The number of ranks of the MPI job (`MPI_COMM_WORLD`'s size).
 *
 * Returns: the number of ranks
 *
 * Since: 0.1
 */
guint
mpaio_mpi_executor_get_n_ranks (MpaioMpiExecutor *self)
{
  g_return_val_if_fail (MPAIO_IS_MPI_EXECUTOR (self), 0);

  return self->n_ranks;
}

/**
 * mpaio_mpi_executor_get_bytes_sent:
 * @self: an executor
 *
 * The bytes of array rows rank 0 has sent to other hosts since MPI
 * started, by this executor or an earlier one: what a run cost in data.
 *
 * Returns: the number of bytes
 *
 * Since: 0.1
 */
guint64
mpaio_mpi_executor_get_bytes_sent (MpaioMpiExecutor *self)
{
  g_return_val_if_fail (MPAIO_IS_MPI_EXECUTOR (self), 0);

  return self->link ? _mpaio_mpi_link_get_payload_bytes_sent (self->link) : 0;
}

/**
 * mpaio_mpi_executor_get_max_retries:
 * @self: an executor
 *
 * How many times a chunk whose worker process died is run again.
 *
 * Returns: the number of retries
 *
 * Since: 0.1
 */
guint
mpaio_mpi_executor_get_max_retries (MpaioMpiExecutor *self)
{
  g_return_val_if_fail (MPAIO_IS_MPI_EXECUTOR (self), 0);

  return self->max_retries;
}

/**
 * mpaio_mpi_executor_set_max_retries:
 * @self: an executor
 * @max_retries: how many times a chunk whose worker process died is run again
 *
 * Sets [property@Mpaio.MpiExecutor:max-retries], on every host.
 *
 * Since: 0.1
 */
void
mpaio_mpi_executor_set_max_retries (MpaioMpiExecutor *self,
                                    guint             max_retries)
{
  g_return_if_fail (MPAIO_IS_MPI_EXECUTOR (self));

  if (self->max_retries == max_retries)
    return;

  self->max_retries = max_retries;
  if (self->pool != NULL)
    mpaio_process_pool_set_max_retries (self->pool, max_retries);
  if (the_executor == self)
    send_config (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_RETRIES]);
}

/**
 * mpaio_mpi_executor_get_chunk_timeout:
 * @self: an executor
 *
 * Milliseconds a worker process may spend on one chunk, or 0 for no limit.
 *
 * Returns: the timeout in milliseconds
 *
 * Since: 0.1
 */
guint
mpaio_mpi_executor_get_chunk_timeout (MpaioMpiExecutor *self)
{
  g_return_val_if_fail (MPAIO_IS_MPI_EXECUTOR (self), 0);

  return self->chunk_timeout_ms;
}

/**
 * mpaio_mpi_executor_set_chunk_timeout:
 * @self: an executor
 * @timeout_ms: milliseconds a worker process may spend on one chunk, or 0
 *
 * Sets [property@Mpaio.MpiExecutor:chunk-timeout], on every host.
 *
 * Since: 0.1
 */
void
mpaio_mpi_executor_set_chunk_timeout (MpaioMpiExecutor *self,
                                      guint             timeout_ms)
{
  g_return_if_fail (MPAIO_IS_MPI_EXECUTOR (self));

  if (self->chunk_timeout_ms == timeout_ms)
    return;

  self->chunk_timeout_ms = timeout_ms;
  if (self->pool != NULL)
    mpaio_process_pool_set_chunk_timeout (self->pool, timeout_ms);
  if (the_executor == self)
    send_config (self);
  _mpaio_mpi_executor_watch_timeouts (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHUNK_TIMEOUT]);
}
