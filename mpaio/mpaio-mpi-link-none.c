/* mpaio-mpi-link-none.c: the MPI link of a build without MPI
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "mpaio-error.h"
#include "mpaio-mpi-link-private.h"

/* No process is ever a rank: the MPI executor's construction fails with
 * this error, and nothing else is reached. */

gboolean
_mpaio_mpi_link_start_if_mpi_job (void)
{
  return FALSE;
}

MpaioMpiLink *
_mpaio_mpi_link_get (GError **error)
{
  g_set_error_literal (error, MPAIO_ERROR, MPAIO_ERROR_SPAWN_FAILED,
                       "mpaio was built without MPI (meson option -Dmpi)");
  return NULL;
}

int
_mpaio_mpi_link_get_rank (MpaioMpiLink *link)
{
  g_return_val_if_reached (-1);
}

const MpaioMpiPeer *
_mpaio_mpi_link_get_peers (MpaioMpiLink *link,
                           guint        *n_peers)
{
  *n_peers = 0;
  g_return_val_if_reached (NULL);
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
  g_return_if_reached ();
}

void
_mpaio_mpi_link_set_receiver (MpaioMpiLink       *link,
                              MpaioMpiLocateFunc  locate,
                              MpaioMpiReceiveFunc receive,
                              gpointer            user_data)
{
  g_return_if_reached ();
}

void
_mpaio_mpi_link_mark_lost (MpaioMpiLink *link,
                           int           rank)
{
  g_return_if_reached ();
}

void
_mpaio_mpi_link_abort (MpaioMpiLink *link,
                       int           code)
{
  g_error ("no MPI link to abort");
}

void
_mpaio_mpi_link_expect (MpaioMpiLink *link,
                        int           delta)
{
  g_return_if_reached ();
}

guint64
_mpaio_mpi_link_get_payload_bytes_sent (MpaioMpiLink *link)
{
  g_return_val_if_reached (0);
}

void
_mpaio_mpi_link_shutdown (MpaioMpiLink *link)
{
  g_return_if_reached ();
}

void
_mpaio_mpi_agent_run (MpaioMpiLink *link)
{
  g_return_if_reached ();
}
