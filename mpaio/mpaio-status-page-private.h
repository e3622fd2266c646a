/* mpaio-status-page-private.h: what a worker process is doing, in memory the pool can read
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

/* clang-format off */
G_BEGIN_DECLS

/* One small shared mapping per worker process (a memfd the pool creates and
 * the process inherits). Both sides number the chunks sent to the process
 * in the order sent, from 1 (its *serial*: task pointers are reused, these
 * numbers are not). The process stamps each chunk as it starts and ends
 * it, so the pool knows what it is doing without a message: which chunk a
 * dead process was running (the one to blame; those after it never
 * started), and for how long (its own time, however late the pool's main
 * loop reads the results).
 *
 * The pool may also take back the chunks a process has not started (it is
 * stuck in a long chunk, or stopped): it notes the last serial it takes
 * back, then marks the started serial with MPAIO_STATUS_REVOKED by a
 * compare-and-swap. The process starts a chunk by a compare-and-swap of
 * that same word from the value it wrote last: when that fails, the chunk
 * was taken back if its serial is not past the one noted, and is skipped
 * without a reply. One of the two wins, never both. The pool never marks a
 * marked word, so the process's swap from a marked word cannot race.
 *
 * Each side writes only its own words; times are stored before the serial
 * that goes with them. */
typedef struct
{
  guint64 read_serial;      /* process: the chunk read last (started or skipped) */
  guint64 started_serial;   /* process (or pool: the mark): the chunk begun last */
  guint64 finished_serial;  /* process: the chunk ended last */
  gint64  started_us;       /* process: when started_serial began (monotonic) */
  gint64  finished_us;      /* process: when finished_serial ended */
  guint64 revoked_upto;     /* pool: chunks up to this serial were taken back */
  guint64 cancelled_serial; /* pool: a chunk whose run no longer wants it */
} MpaioStatusPage;

#define MPAIO_STATUS_REVOKED (G_GUINT64_CONSTANT (1) << 63)
#define MPAIO_STATUS_FD_ENV  "MPAIO_STATUS_FD"

/* A new zeroed page and its fd (to hand to the process), or NULL. */
MpaioStatusPage *_mpaio_status_page_new      (int             *fd,
                                              GError         **error);
/* The page of @fd (taken: closed once mapped), or NULL. */
MpaioStatusPage *_mpaio_status_page_map      (int              fd,
                                              GError         **error);
void             _mpaio_status_page_unmap    (MpaioStatusPage *page);

/* Process side. @last is the process's own copy of the word it wrote last.
 * FALSE: the pool took the chunk back; skip it. */
gboolean         _mpaio_status_page_start    (MpaioStatusPage *page,
                                              guint64         *last,
                                              guint64          serial,
                                              gint64           now_us);
void             _mpaio_status_page_finish   (MpaioStatusPage *page,
                                              guint64          serial,
                                              gint64           now_us);
gboolean         _mpaio_status_page_is_cancelled (MpaioStatusPage *page);

/* The chunk read last: a process that reads is not stopped. */
guint64          _mpaio_status_page_get_read (MpaioStatusPage *page);

/* Pool side. Whether a chunk is running, which, and since when; when not,
 * @serial is the last one ended and @since_us when. */
gboolean         _mpaio_status_page_get_running (MpaioStatusPage *page,
                                                 guint64         *serial,
                                                 gint64          *since_us);
/* Takes back the chunks the process has not started, up to @last_sent:
 * those after *@kept, the last it started (0: none). FALSE if it started
 * one meanwhile, or a take-back is pending. */
gboolean         _mpaio_status_page_revoke   (MpaioStatusPage *page,
                                              guint64          last_sent,
                                              guint64         *kept);
void             _mpaio_status_page_cancel   (MpaioStatusPage *page,
                                              guint64          serial);

G_END_DECLS
