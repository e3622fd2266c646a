/* bench-mpi.c: MpaioMpiExecutor against raw MPI, one figure per mode
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Run by bench-mpi.py, which starts each mode and prints the ratios:
 *   --mode raw        (mpirun -n 2, MPAIO_MPI=0) MPI alone: a ping-pong of
 *                     48-byte messages at --depth, then MPI_Send of --bytes
 *                     from and into new shared memory, as mpaio ships rows
 *   --mode mpaio      (mpirun -n 2) the executor, every chunk on rank 1:
 *                     dispatch of empty chunks, rows shipped (first run) and
 *                     resent (second run), idle CPU of both ranks
 *   --mode cpu-local  a process pool of 2 on a CPU-bound run
 *   --mode cpu-mpi    (mpirun -n 2) the same run on 2 ranks of 1 process each
 * Each prints "name value" lines.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <mpi.h>

#include "../bench/bench-common.h"
#include "demo-add-int-worker.h"

#define MESSAGE_SIZE 48

/* @size bytes of new shared memory (a memfd), the kind mpaio's arrays and
 * their replicas on other hosts are made of: the baseline's bytes leave
 * from, and arrive into, the same kind of pages as mpaio's rows. */
static char *
new_shared_memory (gsize size)
{
  int   fd = memfd_create ("bench-mpi", MFD_CLOEXEC);
  char *data;

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, (off_t) size), ==, 0);
  data = mmap (NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  g_assert_true (data != MAP_FAILED);
  close (fd);
  return data;
}

static int
run_raw (guint   depth,
         guint   n_messages,
         guint64 n_bytes)
{
  char    message[MESSAGE_SIZE] = { 0 };
  char   *data = new_shared_memory (n_bytes);
  int     rank;
  gdouble start;

  MPI_Init (NULL, NULL);
  MPI_Comm_rank (MPI_COMM_WORLD, &rank);
  /* The sender's bytes exist, as mpaio's array rows do; the receiver's
   * buffer is new shared memory, as a host's replica is. */
  if (rank == 0)
    memset (data, 1, n_bytes);

  /* Ping-pong with @depth messages in flight: rank 0 keeps them going. */
  MPI_Barrier (MPI_COMM_WORLD);
  start = bench_now ();
  if (rank == 0)
    {
      for (guint i = 0; i < depth; i++)
        MPI_Send (message, MESSAGE_SIZE, MPI_BYTE, 1, 0, MPI_COMM_WORLD);
      for (guint i = 0; i < n_messages; i++)
        {
          MPI_Recv (message, MESSAGE_SIZE, MPI_BYTE, 1, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
          if (i + depth < n_messages)
            MPI_Send (message, MESSAGE_SIZE, MPI_BYTE, 1, 0, MPI_COMM_WORLD);
        }
      printf ("pingpong-rate %.1f\n", n_messages / (bench_now () - start));
    }
  else if (rank == 1)
    for (guint i = 0; i < n_messages; i++)
      {
        MPI_Recv (message, MESSAGE_SIZE, MPI_BYTE, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        MPI_Send (message, MESSAGE_SIZE, MPI_BYTE, 0, 0, MPI_COMM_WORLD);
      }

  /* The same bytes as rows, in one message, acknowledged. */
  MPI_Barrier (MPI_COMM_WORLD);
  start = bench_now ();
  if (rank == 0)
    {
      MPI_Send (data, (int) n_bytes, MPI_BYTE, 1, 1, MPI_COMM_WORLD);
      MPI_Recv (message, 1, MPI_BYTE, 1, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      printf ("send-bandwidth %.1f\n", n_bytes / (bench_now () - start));
    }
  else if (rank == 1)
    {
#ifdef MADV_POPULATE_WRITE
      /* New shared memory is slow to fault in page by page as the bytes
       * arrive: made in one call first, as mpaio's agent does. */
      madvise (data, n_bytes, MADV_POPULATE_WRITE);
#endif
      MPI_Recv (data, (int) n_bytes, MPI_BYTE, 0, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      MPI_Send (message, 1, MPI_BYTE, 0, 1, MPI_COMM_WORLD);
    }

  MPI_Finalize ();
  munmap (data, n_bytes);
  return EXIT_SUCCESS;
}

static gdouble
cpu_seconds_of (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after;

  if (!g_file_get_contents (path, &text, NULL, NULL) || !(after = strrchr (text, ')')))
    return -1;
  fields = g_strsplit (after + 2, " ", 0);
  /* utime and stime: fields 14 and 15, the 12th and 13th after the name. */
  return (g_ascii_strtod (fields[11], NULL) + g_ascii_strtod (fields[12], NULL))
         / sysconf (_SC_CLK_TCK);
}

static gdouble
own_cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec
         + usage.ru_stime.tv_usec / 1e6;
}

static gboolean
quit_loop (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

/* The parent of @pid: the rank whose pool started that worker process. */
static GPid
parent_of (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *text = NULL;
  const char      *line;

  if (!g_file_get_contents (path, &text, NULL, NULL) || !(line = strstr (text, "PPid:")))
    return 0;
  return (GPid) atoi (line + 5);
}

static int
run_mpaio (guint   depth,
           guint64 n_chunks,
           guint64 n_bytes)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioExecutor) executor = NULL;
  g_autoptr(MpaioSharedArray) array = NULL;
  g_autoptr(MpaioSharedArray) rows = NULL;
  g_autoptr(MpaioDataIterator) iterator = NULL;
  g_autoptr(BenchEmptyWorker) worker = NULL;
  g_autoptr(MpaioOrchestrator) orchestrator = NULL;
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  guint64 n_rows = n_bytes / sizeof (gint64);
  guint64 sent;
  gdouble seconds, own_before, agent_before;
  GPid    agent;

  executor = g_initable_new (MPAIO_TYPE_MPI_EXECUTOR, NULL, &error, "n-workers-per-host", 1,
                             "rank-0-runs-chunks", FALSE, "max-in-flight-per-worker", depth,
                             NULL);
  g_assert_no_error (error);

  /* Empty chunks of one row each; the first run ships the rows. */
  array = mpaio_shared_array_new (MPAIO_DTYPE_INT64, &n_chunks, 1, &error);
  g_assert_no_error (error);
  iterator = mpaio_data_iterator_new (array, 1, &error);
  g_assert_no_error (error);
  worker = bench_empty_worker_new (iterator);
  seconds = bench_run_worker (executor, MPAIO_WORKER (worker), NULL, &error);
  g_assert_no_error (error);
  seconds = bench_run_worker (executor, MPAIO_WORKER (worker), NULL, &error);
  g_assert_no_error (error);
  printf ("dispatch-rate %.1f\n", n_chunks / seconds);
  printf ("max-in-flight %u\n", mpaio_executor_get_max_in_flight (executor));
  g_clear_object (&worker);
  g_clear_object (&iterator);

  /* Rows: the whole array in 4 chunks, twice. */
  rows = mpaio_shared_array_new (MPAIO_DTYPE_INT64, &n_rows, 1, &error);
  g_assert_no_error (error);
  /* Filled, as a program's array is: its pages exist before they travel. */
  memset (mpaio_shared_array_get_data (rows), 1, mpaio_shared_array_get_size (rows));
  iterator = mpaio_data_iterator_new_partitioned (rows, 4, &error);
  g_assert_no_error (error);
  worker = bench_empty_worker_new (iterator);
  sent = mpaio_mpi_executor_get_bytes_sent (MPAIO_MPI_EXECUTOR (executor));
  orchestrator = mpaio_orchestrator_new (executor, (MpaioWorker **) &worker, 1);
  report = bench_run (orchestrator, &seconds, &error);
  g_assert_no_error (error);
  printf ("rows-bandwidth %.1f\n", n_bytes / seconds);
  printf ("first-run-bytes %" G_GUINT64_FORMAT "\n",
          mpaio_mpi_executor_get_bytes_sent (MPAIO_MPI_EXECUTOR (executor)) - sent);
  agent = parent_of (mpaio_run_report_get_record (report, 0)->pid);
  g_clear_object (&report);
  sent = mpaio_mpi_executor_get_bytes_sent (MPAIO_MPI_EXECUTOR (executor));
  report = bench_run (orchestrator, &seconds, &error);
  g_assert_no_error (error);
  printf ("second-run-bytes %" G_GUINT64_FORMAT "\n",
          mpaio_mpi_executor_get_bytes_sent (MPAIO_MPI_EXECUTOR (executor)) - sent);

  /* Idle: two seconds of an idle main loop, executor and agent alive. */
  loop = g_main_loop_new (NULL, FALSE);
  own_before = own_cpu_seconds ();
  agent_before = cpu_seconds_of (agent);
  g_timeout_add (2000, quit_loop, loop);
  g_main_loop_run (loop);
  printf ("idle-cpu-rank0 %.2f\n", (own_cpu_seconds () - own_before) / 2 * 100);
  if (agent > 0 && agent_before >= 0)
    printf ("idle-cpu-rank1 %.2f\n", (cpu_seconds_of (agent) - agent_before) / 2 * 100);

  return EXIT_SUCCESS;
}

static int
run_cpu (gboolean mpi,
         guint64  n_rows,
         guint    rounds)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioExecutor) executor = NULL;
  g_autoptr(MpaioSharedArray) array = NULL;
  g_autoptr(MpaioDataIterator) iterator = NULL;
  g_autoptr(DemoAddIntWorker) worker = NULL;
  gdouble seconds;
  guint   n_pids = 0;

  if (mpi)
    executor = MPAIO_EXECUTOR (mpaio_mpi_executor_new (1, &error));
  else
    executor = MPAIO_EXECUTOR (mpaio_process_pool_new (2, &error));
  g_assert_no_error (error);

  array = mpaio_shared_array_new (MPAIO_DTYPE_INT64, &n_rows, 1, &error);
  g_assert_no_error (error);
  iterator = mpaio_data_iterator_new_partitioned (array, 64, &error);
  g_assert_no_error (error);
  worker = demo_add_int_worker_new (iterator, rounds);

  /* The first run warms up (and ships the rows); the second is timed. */
  bench_run_worker (executor, MPAIO_WORKER (worker), NULL, &error);
  g_assert_no_error (error);
  seconds = bench_run_worker (executor, MPAIO_WORKER (worker), &n_pids, &error);
  g_assert_no_error (error);
  printf ("cpu-seconds %.4f\n", seconds);
  printf ("cpu-processes %u\n", n_pids);

  return EXIT_SUCCESS;
}

int
main (int    argc,
      char **argv)
{
  g_autofree char   *mode = NULL;
  gint               depth = 8;
  gint               n_messages = 20000;
  gint64             n_bytes = 256 << 20;
  gint64             n_chunks = 20000;
  gint64             n_rows = 4000000;
  gint               rounds = 200;
  const GOptionEntry entries[] = {
    { "mode", 0, 0, G_OPTION_ARG_STRING, &mode, "raw, mpaio, cpu-local or cpu-mpi", "MODE" },
    { "depth", 0, 0, G_OPTION_ARG_INT, &depth, "Chunks or messages in flight", "N" },
    { "messages", 0, 0, G_OPTION_ARG_INT, &n_messages, "Round trips (raw)", "N" },
    { "bytes", 0, 0, G_OPTION_ARG_INT64, &n_bytes, "Bytes sent as rows", "N" },
    { "chunks", 0, 0, G_OPTION_ARG_INT64, &n_chunks, "Empty chunks (mpaio)", "N" },
    { "rows", 0, 0, G_OPTION_ARG_INT64, &n_rows, "Rows of the CPU-bound run", "N" },
    { "rounds", 0, 0, G_OPTION_ARG_INT, &rounds, "Mixing rounds per row (cpu)", "N" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- MPI executor figures");
  g_autoptr(GError) error = NULL;

  g_type_ensure (DEMO_TYPE_ADD_INT_WORKER);
  /* Ranks other than 0 serve here (but in --mode raw, run with MPAIO_MPI=0). */
  bench_init (&argc, &argv);

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
    }

  setvbuf (stdout, NULL, _IOLBF, 0);
  if (g_strcmp0 (mode, "raw") == 0)
    return run_raw ((guint) depth, (guint) n_messages, (guint64) n_bytes);
  if (g_strcmp0 (mode, "mpaio") == 0)
    return run_mpaio ((guint) depth, (guint64) n_chunks, (guint64) n_bytes);
  if (g_strcmp0 (mode, "cpu-local") == 0 || g_strcmp0 (mode, "cpu-mpi") == 0)
    return run_cpu (g_strcmp0 (mode, "cpu-mpi") == 0, (guint64) n_rows, (guint) rounds);

  g_printerr ("--mode: raw, mpaio, cpu-local or cpu-mpi\n");
  return EXIT_FAILURE;
}
