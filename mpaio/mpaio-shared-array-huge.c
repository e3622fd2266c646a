/* mpaio-shared-array-huge.c: huge pages for arrays, even where shared
 * memory gets none by default
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <sys/mman.h>

#include "mpaio-shared-array-private.h"

/* Mapped in 4 KB pages, an array costs every process that touches it one
 * page table entry per page: a worker process's first run over 80 MB of
 * arrays spent more time mapping them than computing. One entry maps 2 MB
 * when the file's memory is a huge page and the mapping's address is
 * aligned like the file offset, but most systems give shared memory no
 * huge pages on their own (shmem_enabled = never, the kernel's default).
 * MADV_COLLAPSE (Linux 6.1) asks for them all the same, range by range,
 * whatever that setting but "deny": the array's creator collapses its new,
 * empty file into huge pages once, and every process that maps it after
 * (the creator included) maps it 2 MB at a time.
 *
 * The cost: the array's memory is allocated (zeroed) when it is created,
 * ~3 ms for 40 MB here, rather than page by page as it is first written,
 * which costs ~30 ms for the same 40 MB. */

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

#define HUGE_PAGE_SIZE ((gsize) 2 * 1024 * 1024)

gpointer
_mpaio_shared_array_map (gsize size,
                         int   prot,
                         int   flags,
                         int   fd)
{
  guint8 *reserved, *aligned;

  if (size < HUGE_PAGE_SIZE)
    return mmap (NULL, size, prot, flags, fd, 0);

  /* An address range with room for an aligned start, then the file over
   * its aligned part, and the rest given back. */
  reserved = mmap (NULL, size + HUGE_PAGE_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (reserved == MAP_FAILED)
    return mmap (NULL, size, prot, flags, fd, 0);

  aligned = (guint8 *) (((guintptr) reserved + HUGE_PAGE_SIZE - 1) & ~(HUGE_PAGE_SIZE - 1));
  if (mmap (aligned, size, prot, flags | MAP_FIXED, fd, 0) == MAP_FAILED)
    {
      munmap (reserved, size + HUGE_PAGE_SIZE);
      return MAP_FAILED;
    }

  if (aligned > reserved)
    munmap (reserved, (gsize) (aligned - reserved));
  if (reserved + HUGE_PAGE_SIZE > aligned)
    munmap (aligned + size, (gsize) (reserved + HUGE_PAGE_SIZE - aligned));

  return aligned;
}

void
_mpaio_shared_array_collapse_new (gpointer data,
                                  gsize    size)
{
  guintptr first, end;

  if (data == NULL)
    return;

  first = ((guintptr) data + HUGE_PAGE_SIZE - 1) & ~(HUGE_PAGE_SIZE - 1);
  end = ((guintptr) data + size) & ~(HUGE_PAGE_SIZE - 1);
  if (first >= end)
    return;

  /* A range of holes only is refused: one page of each huge page's range
   * exists first (writing the zero it holds). */
  for (guintptr address = first; address < end; address += HUGE_PAGE_SIZE)
    *(volatile guint8 *) address = 0;

  /* Best effort: where refused (older kernels, shmem_enabled = deny, no
   * free huge page), the array keeps 4 KB pages, one per huge page's
   * range allocated. */
  madvise ((gpointer) first, end - first, MADV_COLLAPSE);
}
