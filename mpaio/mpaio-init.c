/* mpaio-init.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <gio/gio.h>

#include "mpaio-error.h"
#include "mpaio-init-private.h"
#include "mpaio-mpi-link-private.h"
#include "mpaio-protocol-private.h"
#include "mpaio-status-page-private.h"
#include "mpaio-worker-server-private.h"

static gboolean init_called;
static gboolean serving;
static char    *initial_cwd;

static int
take_fd_from_environment (const char *name)
{
  const char *value = g_getenv (name);
  guint64     fd;

  if (value == NULL)
    return -1;

  /* A pool created inside the worker, or a program it runs, must not take
   * itself for a worker. */
  g_unsetenv (name);

  if (!g_ascii_string_to_unsigned (value, 10, 3, G_MAXINT, &fd, NULL))
    {
      g_printerr ("mpaio: %s=%s is not a file descriptor\n", name, value);
      exit (EXIT_FAILURE);
    }

  return (int) fd;
}

/* A worker process must not outlive the main process, even stopped or stuck
 * where its watcher thread cannot act: the kernel kills it when the thread
 * that started it ends (the pool's thread, which also replaces processes).
 * The main process may have died before the request was made, which the
 * kernel would not report: then the parent is no longer the one that
 * started this process. */
static void
tie_to_parent (void)
{
  const char *value = g_getenv (MPAIO_PARENT_PID_ENV);
  guint64     parent;

  if (value == NULL)
    return;

  if (!g_ascii_string_to_unsigned (value, 10, 1, G_MAXINT, &parent, NULL))
    {
      g_printerr ("mpaio: %s=%s is not a process id\n", MPAIO_PARENT_PID_ENV, value);
      exit (EXIT_FAILURE);
    }
  g_unsetenv (MPAIO_PARENT_PID_ENV);

  if (prctl (PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid () != (pid_t) parent)
    _exit (127);
}

/**
 * mpaio_serve_if_worker:
 *
 * Serves chunks if this process was started as a worker process of a
 * [class@Mpaio.ProcessPool], until the pool lets it go, or as a rank other
 * than 0 of an MPI job (see [class@Mpaio.MpiExecutor]), until rank 0 ends
 * the job; otherwise notes that the program is set up for worker processes
 * and returns at once (on rank 0 of an MPI job, MPI starts on a thread of
 * its own).
 *
 * Call it at the start of `main()` (or of a script) after the worker types
 * are registered. It is the form for language bindings, whose interpreters
 * should finish normally: `if Mpaio.serve_if_worker(): sys.exit(0)`. C
 * programs call [func@Mpaio.init].
 *
 * Returns: %TRUE if this is a worker process and its work is done (exit
 *   now), %FALSE in the main process
 *
 * Since: 0.1
 */
gboolean
mpaio_serve_if_worker (void)
{
  int fd, status_fd;

  if (!init_called)
    {
      init_called = TRUE;
      initial_cwd = g_get_current_dir ();
    }

  fd = take_fd_from_environment (MPAIO_WORKER_FD_ENV);
  status_fd = take_fd_from_environment (MPAIO_STATUS_FD_ENV);
  if (fd < 0)
    {
      /* Ranks of an MPI job other than 0 serve the MPI executor's chunks
       * until rank 0 ends the job (see MpaioMpiExecutor). A worker process
       * of theirs has the rank's environment too, but its descriptor came
       * first. */
      MpaioMpiLink *link;
      g_autoptr(GError) error = NULL;

      if (status_fd >= 0)
        close (status_fd);
      if (!_mpaio_mpi_link_start_if_mpi_job ())
        return FALSE;
      if (!(link = _mpaio_mpi_link_get (&error)))
        {
          g_printerr ("mpaio: %s\n", error->message);
          exit (EXIT_FAILURE);
        }
      _mpaio_mpi_agent_run (link);
      return TRUE;
    }

  tie_to_parent ();
  serving = TRUE;
  if (!_mpaio_worker_server_run (fd, status_fd))
    exit (EXIT_FAILURE);
  serving = FALSE;

  return TRUE;
}

/**
 * mpaio_init:
 * @argc: (inout) (optional) (transfer none): the address of `main()`'s argc
 * @argv: (inout) (optional) (transfer none) (array length=argc): the address
 *   of `main()`'s argv
 *
 * Sets up mpaio; call it first thing in `main()`, after `g_type_ensure()` of
 * the program's worker types.
 *
 * Worker processes are the program itself started again, so every one runs
 * `main()` up to this call. In a worker process this function does not
 * come back: it serves chunks until its pool lets it go, then exits the
 * process; so do the ranks other than 0 of an MPI job started by `mpirun`
 * (set `MPAIO_MPI=0` for a program that uses MPI itself). In the main
 * process it returns at once. The arguments are not
 * changed (they are accepted for the customary form of init functions).
 *
 * Since: 0.1
 */
void
mpaio_init (int    *argc,
            char ***argv)
{
  if (mpaio_serve_if_worker ())
    exit (EXIT_SUCCESS);
}

/**
 * mpaio_is_worker_process:
 *
 * Whether the calling process is a worker process serving chunks, as seen
 * from code that runs in both (such as a worker's `process`).
 *
 * Returns: %TRUE inside a worker process
 *
 * Since: 0.1
 */
gboolean
mpaio_is_worker_process (void)
{
  return serving;
}

gboolean
_mpaio_init_was_called (void)
{
  return init_called;
}

const char *
_mpaio_get_initial_cwd (void)
{
  return initial_cwd;
}

static char **
read_relaunch_argv (GError **error)
{
  g_autofree char *exe = NULL;
  g_autofree char *cmdline = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  gsize length;

  exe = g_file_read_link ("/proc/self/exe", error);
  if (exe == NULL)
    return NULL;

  if (!g_file_get_contents ("/proc/self/cmdline", &cmdline, &length, error))
    return NULL;

  g_strv_builder_add (builder, exe);

  /* NUL-separated; the first is argv[0], replaced by the real executable. */
  for (gsize offset = strlen (cmdline) + 1; offset < length; offset += strlen (cmdline + offset) + 1)
    g_strv_builder_add (builder, cmdline + offset);

  return g_strv_builder_end (builder);
}

const char *const *
_mpaio_get_relaunch_argv (GError **error)
{
  static char  **argv;
  static GError *relaunch_error;

  if (g_once_init_enter (&argv))
    {
      char **value = read_relaunch_argv (&relaunch_error);

      /* A non-NULL sentinel so a failure is remembered too. */
      g_once_init_leave (&argv, value ? value : g_new0 (char *, 1));
    }

  if (argv[0] == NULL)
    {
      g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_SPAWN_FAILED,
                   "Cannot read this program's command line: %s",
                   relaunch_error ? relaunch_error->message : "unknown error");
      return NULL;
    }

  return (const char *const *) argv;
}
