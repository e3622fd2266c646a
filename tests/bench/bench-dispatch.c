/* bench-dispatch.c: the per-chunk cost of dispatching, against its floor
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   bench-dispatch [--chunks N] [--in-flight K] [--python SCRIPT]
 *
 * Chunks per second of an empty `process` (one row per chunk, 200,000
 * chunks by default) on a MpaioProcessPool of 2 worker processes, against:
 *
 * - the floor: a parent and 2 forked children over AF_UNIX stream
 *   socketpairs, 48-byte requests (the size of a task frame) and 48-byte
 *   replies, K requests in flight per child, the parent in poll() reading
 *   every reply available and writing every request it may in one write();
 *   K is the pool's max-in-flight-per-worker, and 16 (--in-flight);
 * - MpaioThreadPool with 2 threads, the same worker and chunks;
 * - Python's multiprocessing.Pool(2).imap_unordered (chunksize=1) and
 *   ProcessPoolExecutor(2).map of an empty function (bench-python.py).
 *
 * Every figure is the median of 5 rounds after a warm-up round; each round
 * times every variant once. The floor varies most from round to round (it
 * is all scheduling), so the range of both sides of the ratio is printed.
 */

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench-common.h"

#define FRAME_SIZE 48
#define N_CHILDREN 2
#define REPEATS    5

/* CPU time of the parent's main thread and of the worker processes' (or
 * the floor's children's) main threads, summed over the measured runs. */
typedef struct
{
  guint64 parent_ns;
  guint64 workers_ns;
  guint64 n_chunks;
} CpuCost;

/* The raw floor */

static gboolean
write_all (int           fd,
           const guint8 *data,
           gsize         length)
{
  while (length > 0)
    {
      ssize_t n = write (fd, data, length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      length -= (gsize) n;
    }

  return TRUE;
}

/* Answers every whole request it has read with a reply of the same size
 * carrying the request's first 16 bytes (its sequence number), until EOF. */
G_GNUC_NORETURN static void
floor_child (int fd)
{
  static guint8 in[FRAME_SIZE * 1024];
  static guint8 out[FRAME_SIZE * 1024];
  gsize         have = 0;

  for (;;)
    {
      ssize_t n = read (fd, in + have, sizeof in - have);
      gsize   n_frames;

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        _exit (0);

      have += (gsize) n;
      n_frames = have / FRAME_SIZE;
      for (gsize i = 0; i < n_frames; i++)
        {
          memcpy (out + i * FRAME_SIZE, in + i * FRAME_SIZE, 16);
          memset (out + i * FRAME_SIZE + 16, 0, FRAME_SIZE - 16);
        }
      if (!write_all (fd, out, n_frames * FRAME_SIZE))
        _exit (0);

      memmove (in, in + n_frames * FRAME_SIZE, have - n_frames * FRAME_SIZE);
      have -= n_frames * FRAME_SIZE;
    }
}

typedef struct
{
  int     fd;
  pid_t   pid;
  guint64 target;
  guint64 sent;
  guint64 received;
  gsize   partial;
} FloorPeer;

static gboolean
floor_top_up (FloorPeer *peer,
              guint      in_flight)
{
  static guint8 out[FRAME_SIZE * 1024];
  guint64       n = MIN ((guint64) in_flight - (peer->sent - peer->received), peer->target - peer->sent);

  n = MIN (n, sizeof out / FRAME_SIZE);
  if (n == 0)
    return TRUE;

  for (guint64 i = 0; i < n; i++)
    {
      guint64 seq = peer->sent + i;

      memcpy (out + i * FRAME_SIZE, &seq, sizeof seq);
    }
  peer->sent += n;

  return write_all (peer->fd, out, n * FRAME_SIZE);
}

/* Requests per second, or a negative number if a child failed. Adds the
 * CPU time to @cost when it is not %NULL. */
static gdouble
measure_floor (guint64  n_messages,
               guint    in_flight,
               CpuCost *cost)
{
  static guint8 in[FRAME_SIZE * 1024];
  FloorPeer     peers[N_CHILDREN] = { { 0 } };
  struct pollfd pfds[N_CHILDREN];
  guint64       received = 0;
  gboolean      ok = TRUE;
  guint64       parent_ns;
  gdouble       start, seconds;

  for (guint c = 0; c < N_CHILDREN; c++)
    {
      int sv[2];

      if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        g_error ("socketpair: %s", g_strerror (errno));

      peers[c].pid = fork ();
      if (peers[c].pid < 0)
        g_error ("fork: %s", g_strerror (errno));
      if (peers[c].pid == 0)
        {
          close (sv[0]);
          for (guint p = 0; p < c; p++)
            close (peers[p].fd);
          floor_child (sv[1]);
        }

      close (sv[1]);
      peers[c].fd = sv[0];
      peers[c].target = n_messages / N_CHILDREN + (c < n_messages % N_CHILDREN ? 1 : 0);
      pfds[c].fd = sv[0];
      pfds[c].events = POLLIN;
    }

  parent_ns = bench_read_cpu_ns (0);
  start = bench_now ();
  for (guint c = 0; c < N_CHILDREN; c++)
    ok = ok && floor_top_up (&peers[c], in_flight);

  while (ok && received < n_messages)
    {
      if (poll (pfds, N_CHILDREN, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          ok = FALSE;
          break;
        }

      for (guint c = 0; c < N_CHILDREN && ok; c++)
        {
          FloorPeer *peer = &peers[c];
          ssize_t    n;
          gsize      n_frames;

          if ((pfds[c].revents & (POLLIN | POLLHUP | POLLERR)) == 0)
            continue;

          n = read (peer->fd, in, sizeof in);
          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            {
              ok = FALSE;
              break;
            }

          n_frames = (peer->partial + (gsize) n) / FRAME_SIZE;
          peer->partial = (peer->partial + (gsize) n) % FRAME_SIZE;
          peer->received += n_frames;
          received += n_frames;
          ok = floor_top_up (peer, in_flight);
        }
    }
  seconds = bench_now () - start;

  if (cost != NULL)
    {
      cost->parent_ns += bench_read_cpu_ns (0) - parent_ns;
      for (guint c = 0; c < N_CHILDREN; c++)
        cost->workers_ns += bench_read_cpu_ns (peers[c].pid);
      cost->n_chunks += n_messages;
    }

  for (guint c = 0; c < N_CHILDREN; c++)
    {
      close (peers[c].fd);
      while (waitpid (peers[c].pid, NULL, 0) < 0 && errno == EINTR)
        ;
    }

  return ok ? (gdouble) n_messages / seconds : -1.0;
}

/* mpaio */

/* Chunks per second of one run on @executor; negative with @error set on
 * failure. Adds the run's CPU time to @cost when it is not %NULL. */
static gdouble
run_executor (MpaioExecutor     *executor,
              MpaioDataIterator *iterator,
              CpuCost           *cost,
              GError           **error)
{
  guint64 n_chunks = mpaio_data_iterator_get_n_chunks (iterator);
  g_autoptr(BenchEmptyWorker) worker = bench_empty_worker_new (iterator);
  guint64 parent_ns = bench_read_cpu_ns (0);
  guint64 workers_ns = bench_read_workers_cpu_ns (executor);
  gdouble seconds = bench_run_worker (executor, MPAIO_WORKER (worker), NULL, error);

  if (seconds < 0)
    return -1.0;
  if (cost != NULL)
    {
      cost->parent_ns += bench_read_cpu_ns (0) - parent_ns;
      cost->workers_ns += bench_read_workers_cpu_ns (executor) - workers_ns;
      cost->n_chunks += n_chunks;
    }
  if (bench_empty_worker_get_n_results (worker) != n_chunks)
    {
      g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_PROTOCOL,
                   "%" G_GUINT64_FORMAT " results for %" G_GUINT64_FORMAT " chunks",
                   bench_empty_worker_get_n_results (worker), n_chunks);
      return -1.0;
    }

  return (gdouble) n_chunks / seconds;
}

static void
drop_pool (MpaioProcessPool **pool)
{
  g_autofree GPid *pids = NULL;
  guint            n_pids = 0;

  pids = mpaio_process_pool_get_pids (*pool, &n_pids);
  g_clear_object (pool);
  bench_wait_for_exit (pids, n_pids);
}

int
main (int    argc,
      char **argv)
{
  gint64             n_chunks = 200000;
  gint               second_k = 16;
  g_autofree char   *python = NULL;
  const GOptionEntry entries[] = {
    { "chunks", 'n', 0, G_OPTION_ARG_INT64, &n_chunks, "Chunks per run (default 200000)", "N" },
    { "in-flight", 'k', 0, G_OPTION_ARG_INT, &second_k,
      "In-flight depth of the second pool and floor (default 16)", "K" },
    { "python", 0, 0, G_OPTION_ARG_FILENAME, &python, "bench-python.py, for the Python reference",
      "SCRIPT" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioDataIterator) iterator = NULL;
  g_autoptr(MpaioProcessPool) pool = NULL;
  g_autoptr(MpaioProcessPool) pool16 = NULL;
  g_autoptr(MpaioThreadPool) threads = NULL;
  g_autoptr(GVariant) py = NULL;
  g_autoptr(BenchTable) table = NULL;
  g_autoptr(GError) py_error = NULL;
  guint            default_k, pool16_k;
  gdouble          floor_k, floor_16, pool_rate, pool16_rate, thread_rate, mp_rate, executor_rate;
  gdouble          floor_k_rates[REPEATS], floor_16_rates[REPEATS], pool_rates[REPEATS];
  gdouble          pool16_rates[REPEATS], thread_rates[REPEATS];
  g_autofree char *title = NULL;
  CpuCost          pool_cost = { 0 }, pool16_cost = { 0 }, floor_cost = { 0 };

  bench_init (&argc, &argv);

  context = g_option_context_new ("— dispatch rate of empty chunks");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || n_chunks < 1000 || second_k < 1 || second_k > 1024)
    {
      g_printerr ("bench-dispatch: %s\n",
                  error != NULL ? error->message : "--chunks ≥ 1000, 1 ≤ --in-flight ≤ 1024");
      return EXIT_FAILURE;
    }

  iterator = bench_one_row_chunks_new ((guint64) n_chunks, &error);
  if (iterator != NULL)
    pool = bench_process_pool_new (N_CHILDREN, 0, &error);
  if (pool != NULL)
    pool16 = bench_process_pool_new (N_CHILDREN, (guint) second_k, &error);
  if (pool16 != NULL)
    threads = mpaio_thread_pool_new (N_CHILDREN, &error);
  if (threads == NULL)
    g_error ("bench-dispatch: %s", error->message);
  default_k = mpaio_process_pool_get_max_in_flight_per_worker (pool);
  pool16_k = mpaio_process_pool_get_max_in_flight_per_worker (pool16);

  /* Interleaved rounds, the first a warm-up: each times every variant once,
   * so a change in the machine's speed hits all of them alike. The floor's
   * children are forked; they only read, write and exit. */
  for (guint i = 0; i <= REPEATS; i++)
    {
      gdouble rate;

      rate = measure_floor ((guint64) n_chunks, default_k, i > 0 ? &floor_cost : NULL);
      if (rate < 0)
        g_error ("bench-dispatch: the floor's children failed");
      if (i > 0)
        floor_k_rates[i - 1] = rate;

      rate = measure_floor ((guint64) n_chunks, pool16_k, NULL);
      if (rate < 0)
        g_error ("bench-dispatch: the floor's children failed");
      if (i > 0)
        floor_16_rates[i - 1] = rate;

      if ((rate = run_executor (MPAIO_EXECUTOR (pool), iterator, i > 0 ? &pool_cost : NULL,
                                &error))
          < 0)
        g_error ("bench-dispatch: process pool: %s", error->message);
      if (i > 0)
        pool_rates[i - 1] = rate;

      if ((rate = run_executor (MPAIO_EXECUTOR (pool16), iterator, i > 0 ? &pool16_cost : NULL,
                                &error))
          < 0)
        g_error ("bench-dispatch: process pool (%u in flight): %s", pool16_k, error->message);
      if (i > 0)
        pool16_rates[i - 1] = rate;

      if ((rate = run_executor (MPAIO_EXECUTOR (threads), iterator, NULL, &error)) < 0)
        g_error ("bench-dispatch: thread pool: %s", error->message);
      if (i > 0)
        thread_rates[i - 1] = rate;
    }
  drop_pool (&pool);
  drop_pool (&pool16);
  g_clear_object (&threads);

  floor_k = bench_median (floor_k_rates, REPEATS);
  floor_16 = bench_median (floor_16_rates, REPEATS);
  pool_rate = bench_median (pool_rates, REPEATS);
  pool16_rate = bench_median (pool16_rates, REPEATS);
  thread_rate = bench_median (thread_rates, REPEATS);

  if (python != NULL)
    py = bench_run_python (python, "dispatch", &py_error);
  mp_rate = bench_dict_get (py, "mp_pool_rate");
  executor_rate = bench_dict_get (py, "executor_rate");

  title = g_strdup_printf ("dispatch: empty `process`, %" G_GINT64_FORMAT
                           " one-row chunks, 2 workers (median of %u interleaved rounds after a warm-up)",
                           n_chunks, REPEATS);
  table = bench_table_new (title);
  {
    g_autofree char *floor_k_s = bench_format_rate (floor_k, "req");
    g_autofree char *floor_16_s = bench_format_rate (floor_16, "req");
    g_autofree char *pool_s = bench_format_rate (pool_rate, "chunks");
    g_autofree char *pool16_s = bench_format_rate (pool16_rate, "chunks");
    g_autofree char *thread_s = bench_format_rate (thread_rate, "chunks");
    g_autofree char *what_floor_k = g_strdup_printf ("raw socketpair floor, %u in flight", default_k);
    g_autofree char *what_floor_16 = g_strdup_printf ("raw socketpair floor, %u in flight", pool16_k);
    g_autofree char *baseline_floor_16 = g_strdup_printf ("floor, %u in flight", pool16_k);
    g_autofree char *what_pool = g_strdup_printf ("MpaioProcessPool, %u in flight (default)", default_k);
    g_autofree char *what_pool16 = g_strdup_printf ("MpaioProcessPool, %u in flight", pool16_k);
    g_autofree char *baseline_floor_k = g_strdup_printf ("floor, %u in flight", default_k);
    g_autofree char *ratio_pool = bench_format_ratio (pool_rate / floor_k);
    g_autofree char *ratio_pool16 = bench_format_ratio (pool16_rate / floor_16);
    g_autofree char *ratio_thread = bench_format_ratio (thread_rate / pool_rate);

    bench_table_add (table, what_floor_k, floor_k_s, NULL, NULL, NULL, NULL);
    bench_table_add (table, what_floor_16, floor_16_s, NULL, NULL, NULL, NULL);
    bench_table_add_check (table, what_pool, pool_s, baseline_floor_k, ratio_pool,
                           "≥ 0.50× floor", pool_rate >= 0.5 * floor_k);
    bench_table_add (table, what_pool16, pool16_s, baseline_floor_16, ratio_pool16, NULL,
                     NULL);
    bench_table_add (table, "MpaioThreadPool, 2 threads", thread_s, "process pool (default)",
                     ratio_thread, NULL, NULL);

    if (py != NULL)
      {
        g_autofree char *mp_s = bench_format_rate (mp_rate, "tasks");
        g_autofree char *executor_s = bench_format_rate (executor_rate, "tasks");
        g_autofree char *what_mp = g_strdup_printf ("Python multiprocessing.Pool(2).imap_unordered, "
                                                    "%.0f tasks",
                                                    bench_dict_get (py, "mp_pool_tasks"));
        g_autofree char *what_executor = g_strdup_printf ("Python ProcessPoolExecutor(2).map, "
                                                          "%.0f tasks",
                                                          bench_dict_get (py, "executor_tasks"));
        g_autofree char *ratio_mp = bench_format_ratio (pool_rate / mp_rate);
        g_autofree char *ratio_executor = bench_format_ratio (pool_rate / executor_rate);

        bench_table_add (table, what_mp, mp_s, NULL, NULL, NULL, NULL);
        bench_table_add (table, what_executor, executor_s, NULL, NULL, NULL, NULL);
        bench_table_add_check (table, "MpaioProcessPool (default) vs multiprocessing.Pool", pool_s,
                               mp_s, ratio_mp, "≥ 10×", pool_rate >= 10 * mp_rate);
        bench_table_add (table, "MpaioProcessPool (default) vs ProcessPoolExecutor", pool_s,
                         executor_s, ratio_executor, NULL, NULL);
      }
    else
      bench_table_add (table, "Python reference", "not run", NULL, NULL, "≥ 10× multiprocessing.Pool",
                       "MISS");
  }

  bench_table_add_note (table, "ratio = value / baseline; a rate is better when higher.");
  /* bench_median() sorted them. */
  bench_table_add_note (table, "range over the %u rounds: floor, %u in flight: %.2f–%.2f M req/s; "
                               "pool, %u in flight: %.2f–%.2f M chunks/s.",
                        REPEATS, default_k, floor_k_rates[0] / 1e6,
                        floor_k_rates[REPEATS - 1] / 1e6, default_k, pool_rates[0] / 1e6,
                        pool_rates[REPEATS - 1] / 1e6);
  bench_table_add_note (table, "CPU time per chunk (main threads, /proc/PID/schedstat), parent "
                               "/ worker process: pool, %u in flight: %.2f / %.2f µs; pool, %u in "
                               "flight: %.2f / %.2f µs; floor, %u in flight: %.2f / %.2f µs.",
                        default_k, pool_cost.parent_ns / 1e3 / MAX (pool_cost.n_chunks, 1),
                        pool_cost.workers_ns / 1e3 / MAX (pool_cost.n_chunks, 1),
                        pool16_k, pool16_cost.parent_ns / 1e3 / MAX (pool16_cost.n_chunks, 1),
                        pool16_cost.workers_ns / 1e3 / MAX (pool16_cost.n_chunks, 1),
                        default_k, floor_cost.parent_ns / 1e3 / MAX (floor_cost.n_chunks, 1),
                        floor_cost.workers_ns / 1e3 / MAX (floor_cost.n_chunks, 1));
  bench_table_add_note (table, "floor: parent + 2 forked children, AF_UNIX SOCK_STREAM socketpairs, "
                               "%d-byte requests and replies, poll(), every reply read and every "
                               "request written in one syscall per wake-up; %" G_GINT64_FORMAT " requests.",
                        FRAME_SIZE, n_chunks);
  if (py_error != NULL)
    bench_table_add_note (table, "Python reference not run: %s", py_error->message);
  else if (python == NULL)
    bench_table_add_note (table, "Python reference not run: no --python SCRIPT.");
  else
    bench_table_add_note (table, "Python %u.%u (/usr/bin/python3), start method fork, "
                                 "a function returning its argument.",
                          (guint) bench_dict_get (py, "python_version") / 100,
                          (guint) bench_dict_get (py, "python_version") % 100);
  bench_table_print (table);

  return EXIT_SUCCESS;
}
