/* mpaio-shared-array-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "mpaio-shared-array.h"

/* clang-format off */
G_BEGIN_DECLS

/* The description a worker process needs, besides the fd, to map the same
 * array: "(uutat)" = (dtype, flags, item size, shape). */
#define MPAIO_SHARED_ARRAY_DESCRIPTION_TYPE "(uutat)"

/* An id unique among the arrays this process ever created; the pool names
 * arrays by it on the wire. */
guint64           _mpaio_shared_array_get_id               (MpaioSharedArray  *self);
/* mpaio_shared_array_get_n_rows() without its check, for per-chunk paths. */
guint64           _mpaio_shared_array_peek_n_rows          (MpaioSharedArray  *self);
GVariant         *_mpaio_shared_array_describe             (MpaioSharedArray  *self);
/* Used in worker processes: takes @fd (closing it on error too), validates
 * @description as untrusted input, maps read-only unless the flags say writable. */
MpaioSharedArray *_mpaio_shared_array_new_from_description (GVariant          *description,
                                                            int                fd,
                                                            GError           **error);
/* Used in worker processes before a chunk runs: maps the pages of rows
 * [@start, @end) into this process's page table at once, rather than one
 * fault at a time, once per block of rows (mpaio-shared-array-prefault.c).
 * Best effort: does nothing where the kernel cannot. */
void              _mpaio_shared_array_prefault_rows        (MpaioSharedArray  *self,
                                                            guint64            start,
                                                            guint64            end);

/* Asks for transparent huge pages for a mapping of an array, which the
 * system may grant (mpaio-shared-array-prefault.c). */
void              _mpaio_shared_array_advise_huge_pages    (gpointer           data,
                                                            gsize              size);

/* mmap() of an array's file; at an address aligned for huge pages when
 * the array spans one or more (mpaio-shared-array-huge.c). Unmapped with
 * munmap (data, size). */
gpointer          _mpaio_shared_array_map                  (gsize              size,
                                                            int                prot,
                                                            int                flags,
                                                            int                fd);
/* Used by an array's creator on its new, empty mapping: makes its memory
 * huge pages, which every mapping of the array then shares. Best effort. */
void              _mpaio_shared_array_collapse_new         (gpointer           data,
                                                            gsize              size);

G_END_DECLS
