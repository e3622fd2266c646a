/* mpaio-mpi-link-loader.c: MPI, loaded only by the ranks of an MPI job
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <dlfcn.h>
#include <stdlib.h>

#include <gmodule.h>

#include "mpaio-cpu-monitor-private.h"
#include "mpaio-error.h"
#include "mpaio-mpi-link-private.h"
#include "mpaio-platform.h"

/* Linked with MPI, a program loads Open MPI's libraries (libmpi,
 * libopen-rte, libopen-pal, hwloc, libevent…) whenever it starts: ~0.6 ms
 * of every start of a pool's worker process here, which never uses them.
 * So the link, the one part of mpaio that calls MPI, is a module
 * (mpaio-mpi-link.c) loaded when the environment says this process is a
 * rank of an MPI job, and this file forwards to it. */

static const MpaioMpiLinkFuncs *funcs;
static GError                  *load_error;

static gboolean
env_rank_and_size (int *rank,
                   int *size)
{
  static const char *const names[][2] = {
    { "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE" },
    { "PMI_RANK", "PMI_SIZE" },
    { "PMIX_RANK", "SLURM_NTASKS" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const char *rank_text = g_getenv (names[i][0]);
      const char *size_text = g_getenv (names[i][1]);

      if (rank_text != NULL && size_text != NULL)
        {
          *rank = atoi (rank_text);
          *size = atoi (size_text);
          return TRUE;
        }
    }

  return FALSE;
}

/* The module's file: in MPAIO_MPI_MODULE_DIR if set (for programs that
 * link mpaio statically in its build tree), else beside the library that
 * holds this code (its build tree), else where it is installed. */
static char **
module_candidates (void)
{
  GPtrArray  *paths = g_ptr_array_new ();
  const char *dir = g_getenv ("MPAIO_MPI_MODULE_DIR");
  Dl_info     info;

  if (dir != NULL && *dir != '\0')
    g_ptr_array_add (paths, g_build_filename (dir, MPAIO_MPI_MODULE_NAME, NULL));
  if (dladdr ((gpointer) module_candidates, &info) != 0 && info.dli_fname != NULL)
    {
      g_autofree char *here = g_path_get_dirname (info.dli_fname);

      g_ptr_array_add (paths, g_build_filename (here, MPAIO_MPI_MODULE_NAME, NULL));
    }
  g_ptr_array_add (paths, g_build_filename (MPAIO_MPI_MODULE_INSTALL_DIR, MPAIO_MPI_MODULE_NAME,
                                            NULL));
  g_ptr_array_add (paths, NULL);

  return (char **) g_ptr_array_free (paths, FALSE);
}

static gboolean
load_module (void)
{
  g_auto(GStrv) candidates = module_candidates ();
  g_autoptr(GString) tried = g_string_new (NULL);

  for (guint i = 0; candidates[i] != NULL; i++)
    {
      MpaioMpiLinkModuleInit init;
      GModule               *module;

      if (!g_file_test (candidates[i], G_FILE_TEST_EXISTS))
        {
          g_string_append_printf (tried, "%s%s (absent)", tried->len > 0 ? ", " : "",
                                  candidates[i]);
          continue;
        }

      /* Global: Open MPI's own plugins look for libmpi's symbols there. */
      module = g_module_open (candidates[i], G_MODULE_BIND_LAZY);
      if (module == NULL)
        {
          g_string_append_printf (tried, "%s%s", tried->len > 0 ? ", " : "", g_module_error ());
          continue;
        }

      if (!g_module_symbol (module, MPAIO_MPI_LINK_MODULE_INIT, (gpointer *) &init))
        {
          g_string_append_printf (tried, "%s%s", tried->len > 0 ? ", " : "", g_module_error ());
          g_module_close (module);
          continue;
        }

      /* Its thread and atexit() handler outlive any caller. */
      g_module_make_resident (module);
      funcs = init (MPAIO_ERROR);
      return TRUE;
    }

  load_error = g_error_new (MPAIO_ERROR, MPAIO_ERROR_SPAWN_FAILED,
                            "Cannot load mpaio's MPI module: %s", tried->str);
  return FALSE;
}

gboolean
_mpaio_mpi_link_start_if_mpi_job (void)
{
  int rank = 0, size = 0;

  if (g_strcmp0 (g_getenv ("MPAIO_MPI"), "0") == 0 || !env_rank_and_size (&rank, &size)
      || size < 1)
    return FALSE;

  /* A rank but 0 that cannot load the module still takes itself for an
   * agent: _mpaio_mpi_link_get() then reports why it cannot serve. */
  if (funcs == NULL && load_error == NULL && !load_module ())
    return rank != 0;
  if (funcs == NULL)
    return rank != 0;

  return funcs->start (rank, mpaio_get_n_cores (), _mpaio_cpu_monitor_count_cores ());
}

MpaioMpiLink *
_mpaio_mpi_link_get (GError **error)
{
  if (funcs != NULL)
    return funcs->get (error);

  if (load_error != NULL)
    g_propagate_error (error, g_error_copy (load_error));
  else
    g_set_error_literal (error, MPAIO_ERROR, MPAIO_ERROR_SPAWN_FAILED,
                         "This program is not a rank of an MPI job: start it "
                         "with mpirun (or srun), and call mpaio_init() first in main()");
  return NULL;
}

/* The others are reached only through a link, so the module is there. */

int
_mpaio_mpi_link_get_rank (MpaioMpiLink *link)
{
  return funcs->get_rank (link);
}

const MpaioMpiPeer *
_mpaio_mpi_link_get_peers (MpaioMpiLink *link,
                           guint        *n_peers)
{
  return funcs->get_peers (link, n_peers);
}

void
_mpaio_mpi_link_send (MpaioMpiLink  *link,
                      int            dest,
                      MpaioMpiKind   kind,
                      GVariant      *body,
                      gconstpointer  payload,
                      gsize          payload_size,
                      GDestroyNotify payload_free,
                      gpointer       payload_owner)
{
  funcs->send (link, dest, kind, body, payload, payload_size, payload_free, payload_owner);
}

void
_mpaio_mpi_link_set_receiver (MpaioMpiLink       *link,
                              MpaioMpiLocateFunc  locate,
                              MpaioMpiReceiveFunc receive,
                              gpointer            user_data)
{
  funcs->set_receiver (link, locate, receive, user_data);
}

void
_mpaio_mpi_link_expect (MpaioMpiLink *link,
                        int           delta)
{
  funcs->expect (link, delta);
}

void
_mpaio_mpi_link_mark_lost (MpaioMpiLink *link,
                           int           rank)
{
  funcs->mark_lost (link, rank);
}

void
_mpaio_mpi_link_abort (MpaioMpiLink *link,
                       int           code)
{
  funcs->abort (link, code);
}

guint64
_mpaio_mpi_link_get_payload_bytes_sent (MpaioMpiLink *link)
{
  return funcs->get_payload_bytes_sent (link);
}

void
_mpaio_mpi_link_shutdown (MpaioMpiLink *link)
{
  funcs->shutdown (link);
}

void
_mpaio_mpi_link_serve (MpaioMpiLink *link,
                       GMainLoop    *loop)
{
  funcs->serve (link, loop);
}
