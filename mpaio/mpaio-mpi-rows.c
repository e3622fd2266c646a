/* mpaio-mpi-rows.c: which rows of an array a host holds
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "mpaio-mpi-rows-private.h"

struct _MpaioRowSet
{
  GArray *ranges; /* MpaioRowRange, sorted, disjoint, non-adjacent */
};

MpaioRowSet *
_mpaio_row_set_new (void)
{
  MpaioRowSet *self = g_new0 (MpaioRowSet, 1);

  self->ranges = g_array_new (FALSE, FALSE, sizeof (MpaioRowRange));
  return self;
}

void
_mpaio_row_set_free (MpaioRowSet *self)
{
  if (self == NULL)
    return;
  g_array_unref (self->ranges);
  g_free (self);
}

gboolean
_mpaio_row_set_contains (MpaioRowSet *self,
                         guint64      start,
                         guint64      end)
{
  if (start >= end)
    return TRUE;

  for (guint i = 0; i < self->ranges->len; i++)
    {
      const MpaioRowRange *range = &g_array_index (self->ranges, MpaioRowRange, i);

      if (range->start <= start && end <= range->end)
        return TRUE;
      if (range->start > start)
        break;
    }

  return FALSE;
}

void
_mpaio_row_set_add (MpaioRowSet *self,
                    guint64      start,
                    guint64      end)
{
  MpaioRowRange merged = { start, end };
  guint         first, last;

  if (start >= end)
    return;

  /* The ranges that touch [start, end) are [first, last): merged into one. */
  for (first = 0; first < self->ranges->len; first++)
    if (g_array_index (self->ranges, MpaioRowRange, first).end >= start)
      break;
  for (last = first; last < self->ranges->len; last++)
    {
      const MpaioRowRange *range = &g_array_index (self->ranges, MpaioRowRange, last);

      if (range->start > end)
        break;
      merged.start = MIN (merged.start, range->start);
      merged.end = MAX (merged.end, range->end);
    }

  if (last > first)
    g_array_remove_range (self->ranges, first, last - first);
  g_array_insert_val (self->ranges, first, merged);
}

GArray *
_mpaio_row_set_missing (MpaioRowSet *self,
                        guint64      start,
                        guint64      end)
{
  GArray *missing = g_array_new (FALSE, FALSE, sizeof (MpaioRowRange));
  guint64 next = start;

  for (guint i = 0; i < self->ranges->len && next < end; i++)
    {
      const MpaioRowRange *range = &g_array_index (self->ranges, MpaioRowRange, i);

      if (range->end <= next)
        continue;
      if (range->start >= end)
        break;
      if (range->start > next)
        {
          MpaioRowRange gap = { next, range->start };

          g_array_append_val (missing, gap);
        }
      next = range->end;
    }

  if (next < end)
    {
      MpaioRowRange gap = { next, end };

      g_array_append_val (missing, gap);
    }

  return missing;
}
