/* test-mpi-lost-rank.c: a rank that dies ends the run with an error naming it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Started by mpirun --enable-recovery (tests/mpi/meson.build): by default
 * mpirun ends the whole job when a rank dies, rank 0 included, and there is
 * nothing left to report an error. With recovery on, the job lives on, but
 * Open MPI's TCP transport waits for the dead rank without an error: the
 * executor's chunk timeout is what finds the silent host.
 */

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <mpaio.h>

#include "mpaio-mpi-link-private.h"
#include "mpaio-test-workers.h"

/* In a worker process of rank 2's host, a chunk kills that rank (the
 * worker process's parent); elsewhere chunks return their index. */
#define TL_TYPE_KILLER_WORKER (tl_killer_worker_get_type ())
G_DECLARE_FINAL_TYPE (TlKillerWorker, tl_killer_worker, TL, KILLER_WORKER, MpaioWorker)

struct _TlKillerWorker
{
  MpaioWorker parent_instance;
};

G_DEFINE_FINAL_TYPE (TlKillerWorker, tl_killer_worker, MPAIO_TYPE_WORKER)

static GVariant *
tl_killer_worker_process (MpaioWorker      *worker,
                          const MpaioChunk *chunk,
                          GError          **error)
{
  if (mpaio_is_worker_process ()
      && g_strcmp0 (g_getenv ("OMPI_COMM_WORLD_RANK"), "2") == 0)
    kill (getppid (), SIGKILL);

  return g_variant_new_uint64 (chunk->index);
}

static void
tl_killer_worker_class_init (TlKillerWorkerClass *klass)
{
  MPAIO_WORKER_CLASS (klass)->process = tl_killer_worker_process;
}

static void
tl_killer_worker_init (TlKillerWorker *self)
{
}

static void
test_lost_rank (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioMpiExecutor) executor = NULL;
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (64);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (array, 64);
  g_autoptr(MpaioOrchestrator) orchestrator = NULL;
  g_autoptr(MpaioRunReport) report = NULL;
  g_auto(GStrv) hosts = NULL;
  MpaioWorker *worker;

  executor = mpaio_mpi_executor_new (1, &error);
  g_assert_no_error (error);
  hosts = mpaio_mpi_executor_get_hosts (executor);
  mpaio_mpi_executor_set_chunk_timeout (executor, 200);

  /* Every host gets a share of the 64 chunks, rank 2's too. */
  worker = g_object_new (TL_TYPE_KILLER_WORKER, "data-iterator", iterator, NULL);
  orchestrator = mpaio_orchestrator_new (MPAIO_EXECUTOR (executor), &worker, 1);
  report = mpaio_test_run (orchestrator, NULL, &error);
  g_object_unref (worker);

  g_assert_error (error, MPAIO_ERROR, MPAIO_ERROR_WORKER_CRASHED);
  mpaio_test_assert_message_contains (error, "MPI rank 2");
  mpaio_test_assert_message_contains (error, hosts[2]);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_type_ensure (TL_TYPE_KILLER_WORKER);
  mpaio_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/mpi/lost-rank", test_lost_rank);
  status = g_test_run ();

  /* MPI cannot finalise with a rank gone: the job ends with MPI_Abort,
   * mpirun exiting with this status. */
  fflush (stdout);
  _mpaio_mpi_link_abort (_mpaio_mpi_link_get (NULL), status);
}
