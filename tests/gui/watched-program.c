/* watched-program.c: an mpaio program the monitor's tests watch
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   MPAIO_MONITOR=1 watched-program CHUNKS ROUNDS
 *
 * Prints "ready" once its pool is up, then starts a run (CHUNKS chunks of
 * the demo sum with ROUNDS rounds per row, on 2 worker processes) for each
 * line it reads, printing "done N" when it ends; exits at end of input.
 * The tests decide when runs happen, so nothing waits on a clock.
 */

#include <stdio.h>
#include <stdlib.h>

#include <gio/gunixinputstream.h>
#include <mpaio.h>

#include "demo-add-int-worker.h"

#define ROWS_PER_CHUNK 20000

typedef struct
{
  GMainLoop         *loop;
  MpaioOrchestrator *orchestrator;
  GDataInputStream  *input;
  guint              n_runs;
} Program;

static void read_next_line (Program *program);

static void
on_run_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Program *program = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioRunReport) report =
               mpaio_orchestrator_run_finish (program->orchestrator, result, &error);

  if (report == NULL)
    g_error ("watched-program: %s", error->message);

  g_print ("done %u\n", ++program->n_runs);
  fflush (stdout);
  read_next_line (program);
}

static void
on_line (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Program         *program = user_data;
  g_autofree char *line = g_data_input_stream_read_line_finish (program->input, result, NULL, NULL);

  if (line == NULL)
    {
      g_main_loop_quit (program->loop);
      return;
    }

  mpaio_orchestrator_run_async (program->orchestrator, NULL, on_run_done, program);
}

static void
read_next_line (Program *program)
{
  g_data_input_stream_read_line_async (program->input, G_PRIORITY_DEFAULT, NULL, on_line, program);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioSharedArray) array = NULL;
  g_autoptr(MpaioDataIterator) iterator = NULL;
  g_autoptr(MpaioProcessPool) pool = NULL;
  g_autoptr(DemoAddIntWorker) worker = NULL;
  g_autoptr(GInputStream) stdin_stream = NULL;
  Program program = { 0 };
  guint64 n_chunks, rounds, n_rows;

  g_type_ensure (DEMO_TYPE_ADD_INT_WORKER);
  mpaio_init (&argc, &argv);

  if (argc != 3 || !g_ascii_string_to_unsigned (argv[1], 10, 1, 100000, &n_chunks, NULL) || !g_ascii_string_to_unsigned (argv[2], 10, 0, 100000, &rounds, NULL))
    {
      g_printerr ("Usage: watched-program CHUNKS ROUNDS\n");
      return EXIT_FAILURE;
    }

  n_rows = n_chunks * ROWS_PER_CHUNK;
  array = mpaio_shared_array_new (MPAIO_DTYPE_INT64, &n_rows, 1, &error);
  if (array != NULL)
    iterator = mpaio_data_iterator_new (array, ROWS_PER_CHUNK, &error);
  if (iterator != NULL)
    pool = mpaio_process_pool_new (2, &error);
  if (pool == NULL)
    g_error ("watched-program: %s", error->message);

  worker = demo_add_int_worker_new (iterator, (guint) rounds);
  program.orchestrator =
    mpaio_orchestrator_new (MPAIO_EXECUTOR (pool), (MpaioWorker **) &worker, 1);
  program.loop = g_main_loop_new (NULL, FALSE);
  stdin_stream = g_unix_input_stream_new (0, FALSE);
  program.input = g_data_input_stream_new (stdin_stream);

  g_print ("ready\n");
  fflush (stdout);
  read_next_line (&program);
  g_main_loop_run (program.loop);

  g_object_unref (program.input);
  g_object_unref (program.orchestrator);
  g_main_loop_unref (program.loop);

  return EXIT_SUCCESS;
}
