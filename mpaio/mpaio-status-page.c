/* mpaio-status-page.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include <gio/gio.h>

#include "mpaio-error.h"
#include "mpaio-status-page-private.h"

#define PAGE_SIZE 4096

G_STATIC_ASSERT (sizeof (MpaioStatusPage) <= PAGE_SIZE);

MpaioStatusPage *
_mpaio_status_page_new (int     *fd,
                        GError **error)
{
  MpaioStatusPage *page;
  int              memfd = memfd_create ("mpaio-status", MFD_CLOEXEC);

  if (memfd < 0 || ftruncate (memfd, PAGE_SIZE) < 0)
    {
      int saved_errno = errno;

      if (memfd >= 0)
        close (memfd);
      g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_SPAWN_FAILED,
                   "Cannot create the status page of a worker process: %s",
                   g_strerror (saved_errno));
      return NULL;
    }

  page = mmap (NULL, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
  if (page == MAP_FAILED)
    {
      int saved_errno = errno;

      close (memfd);
      g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_SPAWN_FAILED,
                   "Cannot map the status page of a worker process: %s",
                   g_strerror (saved_errno));
      return NULL;
    }

  *fd = memfd;
  return page;
}

MpaioStatusPage *
_mpaio_status_page_map (int      fd,
                        GError **error)
{
  MpaioStatusPage *page = mmap (NULL, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  int              saved_errno = errno;

  close (fd);
  if (page == MAP_FAILED)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot map the status page: %s", g_strerror (saved_errno));
      return NULL;
    }

  return page;
}

void
_mpaio_status_page_unmap (MpaioStatusPage *page)
{
  if (page != NULL)
    munmap (page, PAGE_SIZE);
}

gboolean
_mpaio_status_page_start (MpaioStatusPage *page,
                          guint64         *last,
                          guint64          serial,
                          gint64           now_us)
{
  __atomic_store_n (&page->read_serial, serial, __ATOMIC_RELEASE);
  __atomic_store_n (&page->started_us, now_us, __ATOMIC_RELAXED);
  if (!(*last & MPAIO_STATUS_REVOKED)
      && __atomic_compare_exchange_n (&page->started_serial, last, serial, FALSE,
                                      __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
    {
      *last = serial;
      return TRUE;
    }

  /* *last now holds the word the pool marked, and the pool wrote how far
   * it took chunks back before marking it. */
  if (serial <= __atomic_load_n (&page->revoked_upto, __ATOMIC_ACQUIRE))
    return FALSE;

  /* The first chunk sent after the take-back: the pool does not touch a
   * marked word, so this cannot fail. */
  __atomic_store_n (&page->started_serial, serial, __ATOMIC_RELEASE);
  *last = serial;
  return TRUE;
}

void
_mpaio_status_page_finish (MpaioStatusPage *page,
                           guint64          serial,
                           gint64           now_us)
{
  __atomic_store_n (&page->finished_us, now_us, __ATOMIC_RELAXED);
  __atomic_store_n (&page->finished_serial, serial, __ATOMIC_RELEASE);
}

gboolean
_mpaio_status_page_is_cancelled (MpaioStatusPage *page)
{
  guint64 started = __atomic_load_n (&page->started_serial, __ATOMIC_ACQUIRE)
                    & ~MPAIO_STATUS_REVOKED;

  return started != 0 && __atomic_load_n (&page->cancelled_serial, __ATOMIC_ACQUIRE) == started
         && __atomic_load_n (&page->finished_serial, __ATOMIC_ACQUIRE) != started;
}

gboolean
_mpaio_status_page_get_running (MpaioStatusPage *page,
                                guint64         *serial,
                                gint64          *since_us)
{
  guint64 started = __atomic_load_n (&page->started_serial, __ATOMIC_ACQUIRE)
                    & ~MPAIO_STATUS_REVOKED;
  guint64 finished = __atomic_load_n (&page->finished_serial, __ATOMIC_ACQUIRE);

  /* Read after the serials: the time of that chunk, or of a later one. */
  if (started != finished)
    {
      *serial = started;
      *since_us = __atomic_load_n (&page->started_us, __ATOMIC_RELAXED);
      return TRUE;
    }

  *serial = finished;
  *since_us = __atomic_load_n (&page->finished_us, __ATOMIC_RELAXED);
  return FALSE;
}

gboolean
_mpaio_status_page_revoke (MpaioStatusPage *page,
                           guint64          last_sent,
                           guint64         *kept)
{
  guint64 word = __atomic_load_n (&page->started_serial, __ATOMIC_ACQUIRE);

  if (word & MPAIO_STATUS_REVOKED)
    return FALSE;

  __atomic_store_n (&page->revoked_upto, last_sent, __ATOMIC_RELEASE);
  if (!__atomic_compare_exchange_n (&page->started_serial, &word, word | MPAIO_STATUS_REVOKED,
                                    FALSE, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
    return FALSE;

  *kept = word;
  return TRUE;
}

guint64
_mpaio_status_page_get_read (MpaioStatusPage *page)
{
  return __atomic_load_n (&page->read_serial, __ATOMIC_ACQUIRE);
}

void
_mpaio_status_page_cancel (MpaioStatusPage *page,
                           guint64          serial)
{
  __atomic_store_n (&page->cancelled_serial, serial, __ATOMIC_RELEASE);
}
