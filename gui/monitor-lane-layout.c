/* monitor-lane-layout.c: which lane of which process row each chunk is drawn in
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include "monitor-lane-layout.h"

struct _MonitorLaneLayout
{
  GArray *rows; /* of MonitorLaneRow */
  GArray *bars; /* of MonitorLaneBar, by start time */
  guint   n_lanes;
  guint   n_hosts;
};

/* A process is known by its host and pid. */
static char *
process_key (const MpaioChunkRecord *record)
{
  return g_strdup_printf ("%d@%s", record->pid, record->host != NULL ? record->host : "");
}

static gint
compare_hosts (const char *a, const char *b)
{
  if (a == NULL || b == NULL)
    return (a != NULL) - (b != NULL);
  return strcmp (a, b);
}

/* Rows grouped by host, in the order they came within a host. */
static gint
compare_rows (gconstpointer a, gconstpointer b, gpointer user_data)
{
  const MonitorLaneRow *rows = user_data;
  guint                 x = *(const guint *) a, y = *(const guint *) b;
  gint                  order = compare_hosts (rows[x].host, rows[y].host);

  /* Chunks cancelled in flight (no process, pid 0) come last. */
  if ((rows[x].pid == 0) != (rows[y].pid == 0))
    return rows[x].pid == 0 ? 1 : -1;

  return order != 0 ? order : (x > y) - (x < y);
}

static gint
compare_bars (gconstpointer a, gconstpointer b)
{
  const MonitorLaneBar *bar_a = a;
  const MonitorLaneBar *bar_b = b;

  if (bar_a->start_us != bar_b->start_us)
    return bar_a->start_us < bar_b->start_us ? -1 : 1;
  return (bar_a->record > bar_b->record) - (bar_a->record < bar_b->record);
}

MonitorLaneLayout *
monitor_lane_layout_new (MpaioRunReport *report)
{
  MonitorLaneLayout *self = g_new0 (MonitorLaneLayout, 1);
  guint              n_records = mpaio_run_report_get_n_records (report);
  g_autoptr(GHashTable) row_of_process = NULL;
  g_autoptr(GArray) order = NULL;
  g_autofree guint *new_index = NULL;
  g_autoptr(GArray) sorted = NULL;
  /* Per row, when each of its lanes is free again. */
  g_autoptr(GPtrArray) lane_ends = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);

  row_of_process = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->rows = g_array_new (FALSE, FALSE, sizeof (MonitorLaneRow));
  self->bars = g_array_sized_new (FALSE, FALSE, sizeof (MonitorLaneBar), n_records);

  for (guint i = 0; i < n_records; i++)
    {
      const MpaioChunkRecord *record = mpaio_run_report_get_record (report, i);
      MonitorLaneBar          bar = { i, 0, 0, 0, 0, record->outcome };

      /* No process ran it; but a chunk cancelled while out is drawn, in a
       * row of its own, over the time it was out. */
      if (record->pid < 0 || (record->pid == 0 && (record->outcome != MPAIO_CHUNK_OUTCOME_CANCELLED || record->sent_us <= 0 || record->host != NULL)))
        continue;

      /* An executor that does not time `process`: sending to returning. */
      bar.start_us = record->started_us != 0 ? record->started_us : record->sent_us;
      bar.end_us = record->finished_us != 0 ? record->finished_us : record->returned_us;
      bar.end_us = MAX (bar.end_us, bar.start_us);
      if (record->outcome != MPAIO_CHUNK_OUTCOME_DONE)
        {
          /* It never ran to its end: the time it was out. */
          bar.start_us = record->sent_us;
          bar.end_us = MAX (record->returned_us, bar.start_us);
        }
      g_array_append_val (self->bars, bar);
    }
  g_array_sort (self->bars, compare_bars);

  for (guint i = 0; i < self->bars->len; i++)
    {
      MonitorLaneBar         *bar = &g_array_index (self->bars, MonitorLaneBar, i);
      const MpaioChunkRecord *record = mpaio_run_report_get_record (report, bar->record);
      g_autofree char        *key = process_key (record);
      gpointer                row_index;
      GArray                 *ends;
      guint                   lane;

      if (!g_hash_table_lookup_extended (row_of_process, key, NULL, &row_index))
        {
          MonitorLaneRow row = { record->host, record->pid, 0, 0 };

          row_index = GUINT_TO_POINTER (self->rows->len);
          g_hash_table_insert (row_of_process, g_steal_pointer (&key), row_index);
          g_array_append_val (self->rows, row);
          g_ptr_array_add (lane_ends, g_array_new (FALSE, FALSE, sizeof (gint64)));
        }

      bar->row = GPOINTER_TO_UINT (row_index);
      ends = g_ptr_array_index (lane_ends, bar->row);
      for (lane = 0; lane < ends->len; lane++)
        if (g_array_index (ends, gint64, lane) <= bar->start_us)
          break;
      if (lane == ends->len)
        g_array_append_val (ends, bar->end_us);
      else
        g_array_index (ends, gint64, lane) = bar->end_us;
      bar->lane = lane;
    }

  for (guint r = 0; r < self->rows->len; r++)
    g_array_index (self->rows, MonitorLaneRow, r).n_lanes =
      ((GArray *) g_ptr_array_index (lane_ends, r))->len;

  /* Grouped by host: rows in their new order, bars pointed at them. */
  order = g_array_sized_new (FALSE, FALSE, sizeof (guint), self->rows->len);
  for (guint r = 0; r < self->rows->len; r++)
    g_array_append_val (order, r);
  g_array_sort_with_data (order, compare_rows, self->rows->data);
  new_index = g_new (guint, MAX (self->rows->len, 1));
  sorted = g_array_sized_new (FALSE, FALSE, sizeof (MonitorLaneRow), self->rows->len);
  for (guint r = 0; r < order->len; r++)
    {
      guint          old = g_array_index (order, guint, r);
      MonitorLaneRow row = g_array_index (self->rows, MonitorLaneRow, old);
      const char    *previous_host =
        r > 0 ? g_array_index (sorted, MonitorLaneRow, r - 1).host : NULL;

      new_index[old] = r;
      row.first_lane = self->n_lanes;
      self->n_lanes += row.n_lanes;
      if (r == 0 || compare_hosts (row.host, previous_host) != 0)
        self->n_hosts++;
      g_array_append_val (sorted, row);
    }
  for (guint i = 0; i < self->bars->len; i++)
    {
      MonitorLaneBar *bar = &g_array_index (self->bars, MonitorLaneBar, i);

      bar->row = new_index[bar->row];
    }
  g_array_unref (self->rows);
  self->rows = g_steal_pointer (&sorted);

  return self;
}

void
monitor_lane_layout_free (MonitorLaneLayout *self)
{
  g_array_unref (self->rows);
  g_array_unref (self->bars);
  g_free (self);
}

guint
monitor_lane_layout_get_n_rows (MonitorLaneLayout *self)
{
  return self->rows->len;
}

guint
monitor_lane_layout_get_n_lanes (MonitorLaneLayout *self)
{
  return self->n_lanes;
}

guint
monitor_lane_layout_get_n_hosts (MonitorLaneLayout *self)
{
  return self->n_hosts;
}

const MonitorLaneRow *
monitor_lane_layout_get_row (MonitorLaneLayout *self, guint row)
{
  g_return_val_if_fail (row < self->rows->len, NULL);

  return &g_array_index (self->rows, MonitorLaneRow, row);
}

guint
monitor_lane_layout_get_n_bars (MonitorLaneLayout *self)
{
  return self->bars->len;
}

const MonitorLaneBar *
monitor_lane_layout_get_bar (MonitorLaneLayout *self, guint index)
{
  g_return_val_if_fail (index < self->bars->len, NULL);

  return &g_array_index (self->bars, MonitorLaneBar, index);
}
