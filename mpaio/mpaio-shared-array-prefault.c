/* mpaio-shared-array-prefault.c: fewer page faults on an array's mappings
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <errno.h>
#include <sys/mman.h>

#include "mpaio-shared-array-private.h"

/* A worker process maps each array once, but its page table starts empty:
 * the first touch of every page costs a fault. Writing a page of a shared
 * mapping faults once per 4 KB page; reading one maps the pages around it
 * too (fault-around), and MADV_POPULATE_READ (Linux 5.14) maps a whole
 * range in one call, for a fraction of a fault's cost a page. In a shared
 * writable mapping of a memfd the pages it maps are writable (shmem tracks
 * no dirty pages), so the chunk's writes to an output array fault no more.
 *
 * Each process populates only the rows its chunks cover, each block once:
 * populating pages already mapped still walks them, at a cost per page, which
 * a run over warm pages must not pay.
 *
 * Huge pages would make all this moot (one entry maps 2 MB), and every
 * mapping of an array asks for them, but most systems give shared memory
 * none (shmem_enabled = never, the kernel's default). */

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif

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
/* How much of a chunk's rows of a read-only array is populated: 16 MB. */
#define READ_ONLY_BLOCKS 64

typedef struct
{
  gsize   n_blocks;
  guint8 *done; /* one bit per block */
} Populated;

static gboolean unsupported; /* the kernel predates MADV_POPULATE_READ */

static void
populated_free (gpointer data)
{
  Populated *populated = data;

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

static void
populate_blocks (MpaioSharedArray *self,
                 Populated        *populated,
                 gsize             first,
                 gsize             end)
{
  guint8 *data = mpaio_shared_array_get_data (self);
  gsize   size = mpaio_shared_array_get_size (self);
  gsize   offset = first * BLOCK_SIZE;
  gsize   length = MIN (end * BLOCK_SIZE, size) - offset;

  /* Best effort: on failure the chunk faults its pages in itself. Marked
   * done either way, so a failing range costs one call per process. */
  if (madvise (data + offset, length, MADV_POPULATE_READ) < 0 && errno == EINVAL)
    unsupported = TRUE;

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

  if (unsupported || start >= end || end > _mpaio_shared_array_peek_n_rows (self) || row_size == 0)
    return;

  populated = get_populated (self);
  first = (gsize) start * row_size / BLOCK_SIZE;
  last = ((gsize) end * row_size - 1) / BLOCK_SIZE;
  /* Pages only read fault in 16 at a time (fault-around), which overlaps
   * the mapping with the chunk's reads: past some MB, populating them all
   * first no longer pays (a cold sum of a big array in two chunks was
   * slower populated than faulted). Pages written fault one at a time, for
   * several times the cost of populating them: always populated. */
  if (!(mpaio_shared_array_get_flags (self) & MPAIO_SHARED_ARRAY_FLAGS_WRITABLE))
    last = MIN (last, first + READ_ONLY_BLOCKS - 1);

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
