/* mpaio-shared-array-prefault.c: fewer page faults on an array's mappings
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mpaio-shared-array-private.h"

/* A worker process maps each array once, but its page table starts empty:
 * the first touch of every page costs a fault. Reading a page of a shared
 * mapping maps the pages around it too, those the file already holds
 * (fault-around: a 64 KB window, the kernel's default fault_around_bytes);
 * writing one faults once per 4 KB page, for several times the cost. In a
 * shared writable mapping of a memfd the pages a read maps are writable
 * (shmem tracks no dirty pages), so a chunk's writes to an output array
 * fault no more once its rows were read.
 *
 * So before a chunk runs, its rows are read once per 64 KB window: 40 MB
 * map in ~1.4 ms here, where MADV_POPULATE_READ took ~2.7 ms (it walks and
 * locks every page table entry it maps) and writing faulted pages in one
 * by one ~16 ms. Pages the file does not hold yet (holes: an output array
 * nobody wrote) are not mapped by fault-around; where a writable array's
 * rows have holes, they are allocated and mapped with MADV_POPULATE_WRITE
 * (Linux 5.14), which costs what the chunk's writes would (the allocation
 * dominates) but keeps the chunk itself free of faults.
 *
 * Each process touches only the rows its chunks cover, each block once.
 *
 * Huge pages would make all this moot (one entry maps 2 MB), and every
 * mapping of an array asks for them, but most systems give shared memory
 * none (shmem_enabled = never, the kernel's default). */

void
_mpaio_shared_array_advise_huge_pages (gpointer data,
                                       gsize    size)
{
  /* Where the system lets shared memory have transparent huge pages only
   * on request (shmem_enabled = advise), this is the request: one page
   * table entry then maps 2 MB, so a worker process maps an array's
   * chunk in a few steps rather than hundreds. Elsewhere it changes
   * nothing ("never", the usual default) or is already so ("always").
   * Arrays smaller than a huge page gain nothing. */
  if (data != NULL && size >= 2 * 1024 * 1024)
    madvise (data, size, MADV_HUGEPAGE);
}

/* Blocks of this many bytes are populated once each: small enough that a
 * chunk's rows round up to little more than themselves, large enough that
 * the map of blocks stays small. */
#define BLOCK_SIZE (256 * 1024)
/* The fault-around window: one read maps this much. */
#define WINDOW_SIZE (64 * 1024)

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ  22
#define MADV_POPULATE_WRITE 23
#endif

typedef struct
{
  gsize   n_blocks;
  guint8 *done;    /* one bit per block */
  int     hole_fd; /* the array's file opened anew, to look for holes; -1 if not */
} Populated;

static gboolean unsupported; /* the kernel predates MADV_POPULATE_WRITE */

static void
populated_free (gpointer data)
{
  Populated *populated = data;

  if (populated->hole_fd >= 0)
    close (populated->hole_fd);
  g_free (populated->done);
  g_free (populated);
}

static Populated *
get_populated (MpaioSharedArray *self)
{
  static GQuark quark;
  Populated    *populated;

  if (G_UNLIKELY (quark == 0))
    quark = g_quark_from_static_string ("mpaio-populated-blocks");

  populated = g_object_get_qdata (G_OBJECT (self), quark);
  if (populated == NULL)
    {
      populated = g_new0 (Populated, 1);
      populated->n_blocks = (mpaio_shared_array_get_size (self) + BLOCK_SIZE - 1) / BLOCK_SIZE;
      populated->done = g_new0 (guint8, (populated->n_blocks + 7) / 8);
      populated->hole_fd = -1;
      /* lseek() moves the file position, which the array's own fd shares
       * with every process it was sent to: holes are looked for through a
       * file description of this process's own. Output arrays only: the
       * pages of an input are allocated as the chunk reads them, one fault
       * each either way. */
      if (mpaio_shared_array_get_flags (self) & MPAIO_SHARED_ARRAY_FLAGS_WRITABLE)
        {
          char path[64];

          g_snprintf (path, sizeof path, "/proc/self/fd/%d", mpaio_shared_array_get_fd (self));
          populated->hole_fd = open (path, O_RDONLY | O_CLOEXEC);
        }
      g_object_set_qdata_full (G_OBJECT (self), quark, populated, populated_free);
    }

  return populated;
}

static gboolean
block_done (Populated *populated,
            gsize      block)
{
  return (populated->done[block / 8] >> (block % 8)) & 1;
}

/* Whether the file has a hole in [@offset, @end): a memfd's pages exist
 * once written. FALSE when it cannot tell. */
static gboolean
has_hole (Populated *populated,
          gsize      offset,
          gsize      end)
{
  off_t hole;

  if (populated->hole_fd < 0)
    return FALSE;

  hole = lseek (populated->hole_fd, (off_t) offset, SEEK_HOLE);
  return hole >= 0 && (gsize) hole < end;
}

/* Maps the blocks [@first, @end): allocates the holes of an output array's
 * rows, then reads one byte of every fault-around window. */
static void
populate_blocks (MpaioSharedArray *self,
                 Populated        *populated,
                 gsize             first,
                 gsize             end)
{
  const guint8 *data = mpaio_shared_array_get_data (self);
  gsize         size = mpaio_shared_array_get_size (self);
  guintptr      from = (guintptr) data + first * BLOCK_SIZE;
  guintptr      to = (guintptr) data + MIN (end * BLOCK_SIZE, size);

  if (!unsupported && has_hole (populated, from - (guintptr) data, to - (guintptr) data)
      && madvise ((gpointer) from, to - from, MADV_POPULATE_WRITE) < 0 && errno == EINVAL)
    unsupported = TRUE;

  /* Windows are aligned in the address space, but for the mapping's first
   * one, which starts with the mapping: the range's start, 64 KB further
   * (past a first window that started there), and the start of every
   * aligned window the range overlaps. */
  (void) *(const volatile guint8 *) from;
  if (from + WINDOW_SIZE < to)
    (void) *(const volatile guint8 *) (from + WINDOW_SIZE);
  for (guintptr address = (from | (WINDOW_SIZE - 1)) + 1; address < to; address += WINDOW_SIZE)
    (void) *(const volatile guint8 *) address;

  /* Fault-around skips a page another process holds locked at that moment,
   * as it may where its windows reach into these rows (each process maps
   * the array at its own address, so windows overlap only near the rows'
   * ends): the first and last window are made sure of. */
  if (!unsupported)
    {
      guintptr page_mask = (guintptr) sysconf (_SC_PAGESIZE) - 1;
      guintptr last = (to - MIN (WINDOW_SIZE, to - from)) & ~page_mask;

      madvise ((gpointer) from, MIN (WINDOW_SIZE, to - from), MADV_POPULATE_READ);
      if (last > from)
        madvise ((gpointer) last, to - last, MADV_POPULATE_READ);
    }

  for (gsize block = first; block < end; block++)
    populated->done[block / 8] |= (guint8) (1u << (block % 8));
}

void
_mpaio_shared_array_prefault_rows (MpaioSharedArray *self,
                                   guint64           start,
                                   guint64           end)
{
  gsize      row_size = mpaio_shared_array_get_row_size (self);
  Populated *populated;
  gsize      first, last, run_start;

  if (start >= end || end > _mpaio_shared_array_peek_n_rows (self) || row_size == 0)
    return;

  populated = get_populated (self);
  first = (gsize) start * row_size / BLOCK_SIZE;
  last = ((gsize) end * row_size - 1) / BLOCK_SIZE;
  /* Each run of blocks not populated yet, in one call. */
  run_start = G_MAXSIZE;
  for (gsize block = first; block <= last + 1; block++)
    {
      gboolean todo = block <= last && !block_done (populated, block);

      if (todo && run_start == G_MAXSIZE)
        run_start = block;
      else if (!todo && run_start != G_MAXSIZE)
        {
          populate_blocks (self, populated, run_start, block);
          run_start = G_MAXSIZE;
        }
    }
}
