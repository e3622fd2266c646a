/* monitor-timeline-rows.c: the chunk timeline's rows and lanes, without a display
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Rows are grouped by host (this machine first, the others by name), then
 * sorted by pid, then lane. A chunk goes in the first lane of its
 * process where it overlaps nothing; a result that comes late fits the gap
 * it ran in, or the process's lanes are laid out again from scratch, so
 * lanes never outnumber the chunks that ran at once.
 */

#include <string.h>

#include "monitor-timeline-rows.h"

struct _MonitorTimelineRows
{
  GPtrArray *rows; /* MonitorTimelineRow*, by host, pid, then lane */
  guint      n_bars;
  guint      n_colors; /* rows ever created: the next row's colour */
  guint      max_bars;
  gboolean   rows_changed;
};

static void
row_free (gpointer data)
{
  MonitorTimelineRow *row = data;

  g_array_unref (row->bars);
  g_free (row);
}

/* The first bar of a lane that finishes at or after @time. */
guint
monitor_timeline_row_find_bar (GArray *bars, gint64 time)
{
  guint low = 0;
  guint high = bars->len;

  while (low < high)
    {
      guint mid = low + (high - low) / 2;

      if (g_array_index (bars, MonitorTimelineBar, mid).finish_us < time)
        low = mid + 1;
      else
        high = mid;
    }

  return low;
}

/* The first bar of a lane that starts after @time. */
guint
monitor_timeline_row_find_bar_starting_after (GArray *bars, gint64 time)
{
  guint low = 0;
  guint high = bars->len;

  while (low < high)
    {
      guint mid = low + (high - low) / 2;

      if (g_array_index (bars, MonitorTimelineBar, mid).start_us <= time)
        low = mid + 1;
      else
        high = mid;
    }

  return low;
}

/* Where a bar from @start_us to @finish_us goes among @row's bars (in start
 * order, never overlapping), or -1 if it would overlap one. Records may
 * come in another order than their starts: a thread pool's threads hand
 * their results back as they get to it. */
static gint
find_slot (MonitorTimelineRow *row, gint64 start_us, gint64 finish_us)
{
  guint lo = 0;
  guint hi = row->bars->len;

  /* The first bar that starts after this one. */
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (g_array_index (row->bars, MonitorTimelineBar, mid).start_us <= start_us)
        lo = mid + 1;
      else
        hi = mid;
    }

  if (lo > 0 && g_array_index (row->bars, MonitorTimelineBar, lo - 1).finish_us > start_us)
    return -1;
  if (lo < row->bars->len && g_array_index (row->bars, MonitorTimelineBar, lo).start_us < finish_us)
    return -1;

  return (gint) lo;
}

/* Where the rows of (@host, @pid) go relative to @row: the order of rows. */
static int
compare_process (const MonitorTimelineRow *row, const char *host, gint pid)
{
  /* Chunks cancelled in flight (no process, pid 0) come after every
   * process. */
  if ((row->pid == 0) != (pid == 0))
    return row->pid == 0 ? 1 : -1;

  if (row->host != host)
    {
      if (row->host == NULL)
        return -1;
      if (host == NULL)
        return 1;
      return strcmp (row->host, host);
    }

  return (row->pid > pid) - (row->pid < pid);
}

/* The first lane of the process with room for the bar; when none has, a
 * new one if @may_add, else %NULL. @slot is where the bar goes in it. */
static MonitorTimelineRow *
get_row_for (MonitorTimelineRows *self,
             const char          *host,
             gint                 pid,
             gint64               start_us,
             gint64               finish_us,
             gboolean             may_add,
             guint               *slot)
{
  guint               position = self->rows->len;
  guint               lane = 0;
  MonitorTimelineRow *row;

  for (guint r = 0; r < self->rows->len; r++)
    {
      gint found;
      int  order;

      row = g_ptr_array_index (self->rows, r);

      order = compare_process (row, host, pid);
      if (order < 0)
        continue;
      if (order > 0)
        {
          position = r;
          break;
        }

      if ((found = find_slot (row, start_us, finish_us)) >= 0)
        {
          *slot = (guint) found;
          return row;
        }
      lane = row->lane + 1;
      position = r + 1;
    }

  if (!may_add)
    return NULL;

  row = g_new0 (MonitorTimelineRow, 1);
  row->host = host;
  row->pid = pid;
  row->lane = lane;
  row->color_index = self->n_colors++;
  row->bars = g_array_new (FALSE, FALSE, sizeof (MonitorTimelineBar));
  g_ptr_array_insert (self->rows, (int) position, row);
  self->rows_changed = TRUE;
  *slot = 0;

  return row;
}

static gint
compare_bar_starts (gconstpointer a, gconstpointer b)
{
  const MonitorTimelineBar *x = a;
  const MonitorTimelineBar *y = b;

  return (x->start_us > y->start_us) - (x->start_us < y->start_us);
}

/* Lays the lanes of @pid out again with @bar among them, in start order,
 * each bar in the first lane free at its start: as many lanes as chunks
 * ran at once, and no more. Only when @bar fits in none of the lanes as
 * they are, which takes results coming back far out of the order they ran
 * in, so seldom. */
static void
relayout_lanes (MonitorTimelineRows *self, gint pid, const MonitorTimelineBar *bar)
{
  const char *host = bar->host;
  g_autoptr(GArray) bars = g_array_new (FALSE, FALSE, sizeof (MonitorTimelineBar));

  for (guint r = 0; r < self->rows->len; r++)
    {
      MonitorTimelineRow *row = g_ptr_array_index (self->rows, r);

      if (row->pid != pid || row->host != host)
        continue;
      g_array_append_vals (bars, row->bars->data, row->bars->len);
      g_array_set_size (row->bars, 0);
    }
  g_array_append_val (bars, *bar);
  g_array_sort (bars, compare_bar_starts);

  for (guint i = 0; i < bars->len; i++)
    {
      const MonitorTimelineBar *next = &g_array_index (bars, MonitorTimelineBar, i);
      guint                     slot;
      MonitorTimelineRow       *row =
        get_row_for (self, host, pid, next->start_us, next->finish_us, TRUE, &slot);

      g_array_insert_val (row->bars, slot, *next);
    }

  /* Lanes fill from the first: the ones left empty are the last. */
  for (guint r = self->rows->len; r > 0; r--)
    {
      MonitorTimelineRow *row = g_ptr_array_index (self->rows, r - 1);

      if (row->pid == pid && row->host == host && row->bars->len == 0)
        g_ptr_array_remove_index (self->rows, r - 1);
    }
  self->rows_changed = TRUE;
}

/* Keeps memory bounded over a long session: the oldest half of every row. */
static void
prune (MonitorTimelineRows *self)
{
  self->n_bars = 0;
  for (guint r = 0; r < self->rows->len; r++)
    {
      MonitorTimelineRow *row = g_ptr_array_index (self->rows, r);
      /* Even, so the survivors keep their shades. */
      guint drop = (row->bars->len / 2) & ~1u;

      g_array_remove_range (row->bars, 0, drop);
      self->n_bars += row->bars->len;
    }
}

MonitorTimelineRows *
monitor_timeline_rows_new (guint max_bars)
{
  MonitorTimelineRows *self = g_new0 (MonitorTimelineRows, 1);

  self->rows = g_ptr_array_new_with_free_func (row_free);
  self->max_bars = MAX (max_bars, 2);

  return self;
}

void
monitor_timeline_rows_free (MonitorTimelineRows *self)
{
  g_ptr_array_unref (self->rows);
  g_free (self);
}

gboolean
monitor_timeline_rows_add (MonitorTimelineRows *self, gint pid, const MonitorTimelineBar *bar)
{
  MonitorTimelineRow *row;
  guint               slot;

  self->rows_changed = FALSE;
  row = get_row_for (self, bar->host, pid, bar->start_us, bar->finish_us, FALSE, &slot);
  if (row != NULL)
    g_array_insert_val (row->bars, slot, *bar);
  else
    relayout_lanes (self, pid, bar);

  if (++self->n_bars > self->max_bars)
    prune (self);

  return self->rows_changed;
}

void
monitor_timeline_rows_clear (MonitorTimelineRows *self)
{
  g_ptr_array_set_size (self->rows, 0);
  self->n_bars = 0;
  self->n_colors = 0;
}

guint
monitor_timeline_rows_get_n_rows (MonitorTimelineRows *self)
{
  return self->rows->len;
}

MonitorTimelineRow *
monitor_timeline_rows_get_row (MonitorTimelineRows *self, guint row)
{
  g_return_val_if_fail (row < self->rows->len, NULL);

  return g_ptr_array_index (self->rows, row);
}

guint
monitor_timeline_rows_get_n_bars (MonitorTimelineRows *self)
{
  return self->n_bars;
}

guint
monitor_timeline_rows_get_n_hosts (MonitorTimelineRows *self)
{
  const char *previous = NULL;
  guint       n = 0;

  /* Rows are grouped by host: a host's rows are next to each other. */
  for (guint r = 0; r < self->rows->len; r++)
    {
      const MonitorTimelineRow *row = g_ptr_array_index (self->rows, r);

      if (r == 0 || row->host != previous)
        n++;
      previous = row->host;
    }

  return n;
}

static gint64
row_last_finish (const MonitorTimelineRow *row)
{
  /* A lane never overlaps itself: its last bar is the last to finish. */
  return row->bars->len > 0
           ? g_array_index (row->bars, MonitorTimelineBar, row->bars->len - 1).finish_us
           : G_MININT64;
}

static gint
compare_last_finish (gconstpointer a, gconstpointer b, gpointer user_data)
{
  MonitorTimelineRows *self = user_data;
  gint64               x = row_last_finish (g_ptr_array_index (self->rows, *(const guint *) a));
  gint64               y = row_last_finish (g_ptr_array_index (self->rows, *(const guint *) b));

  return (x > y) - (x < y);
}

guint
monitor_timeline_rows_find_busy (MonitorTimelineRows *self,
                                 gint64               since_us,
                                 guint                n_in_flight,
                                 guint               *rows)
{
  g_autoptr(GArray) candidates = g_array_new (FALSE, FALSE, sizeof (guint));

  if (n_in_flight == 0)
    return 0;

  for (guint r = 0; r < self->rows->len; r++)
    if (row_last_finish (g_ptr_array_index (self->rows, r)) >= since_us)
      g_array_append_val (candidates, r);

  g_array_sort_with_data (candidates, compare_last_finish, self);
  g_array_set_size (candidates, MIN (candidates->len, n_in_flight));
  for (guint i = 0; i < candidates->len; i++)
    rows[i] = g_array_index (candidates, guint, i);

  return candidates->len;
}
