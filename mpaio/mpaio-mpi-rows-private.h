/* mpaio-mpi-rows-private.h: which rows of an array a host holds
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

/* clang-format off */
G_BEGIN_DECLS

/* Rows [start, end) */
typedef struct
{
  guint64 start;
  guint64 end;
} MpaioRowRange;

/* A set of rows as sorted, disjoint, non-adjacent ranges: a host's replica
 * of an array fills chunk by chunk, so a run's chunks merge into a few. */
typedef struct _MpaioRowSet MpaioRowSet;

MpaioRowSet *_mpaio_row_set_new      (void);
void         _mpaio_row_set_free     (MpaioRowSet *self);
gboolean     _mpaio_row_set_contains (MpaioRowSet *self,
                                      guint64      start,
                                      guint64      end);
void         _mpaio_row_set_add      (MpaioRowSet *self,
                                      guint64      start,
                                      guint64      end);
/* The ranges of [start, end) not in the set, in order (MpaioRowRange). */
GArray      *_mpaio_row_set_missing  (MpaioRowSet *self,
                                      guint64      start,
                                      guint64      end);

G_END_DECLS
