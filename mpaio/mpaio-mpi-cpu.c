/* mpaio-mpi-cpu.c: the CPU samples of every host in one table
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "mpaio-cpu-sample.h"
#include "mpaio-mpi-cpu-private.h"

MpaioHostSamples *
_mpaio_host_samples_new (const char *host,
                         guint       n_cores)
{
  MpaioHostSamples *self = g_new0 (MpaioHostSamples, 1);

  self->host = host;
  self->n_cores = n_cores;
  self->times = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->values = g_array_new (FALSE, FALSE, sizeof (gdouble));
  return self;
}

void
_mpaio_host_samples_free (MpaioHostSamples *self)
{
  if (self == NULL)
    return;
  g_array_unref (self->times);
  g_array_unref (self->values);
  g_free (self);
}

void
_mpaio_host_samples_add (MpaioHostSamples *self,
                         gint64            time_us,
                         const gdouble    *values,
                         guint             n_values)
{
  /* A host's core count is known before it samples (or else is that of
   * its first sample); samples are cut or padded to it, so the table keeps
   * the columns it was named with. */
  if (self->times->len == 0 && self->n_cores == 0)
    self->n_cores = n_values;

  g_array_append_val (self->times, time_us);
  for (guint i = 0; i < self->n_cores; i++)
    {
      gdouble value = i < n_values ? values[i] : 0.0;

      g_array_append_val (self->values, value);
    }
}

/* The index of @host's last sample at or before @time_us (its first if
 * none was), or -1 when it has none. */
static gint
sample_at (MpaioHostSamples *host,
           gint64            time_us)
{
  gint found = host->times->len > 0 ? 0 : -1;

  for (guint i = 0; i < host->times->len; i++)
    if (g_array_index (host->times, gint64, i) <= time_us)
      found = (gint) i;

  return found;
}

static void
add_name (GStrvBuilder *builder,
          const char   *host,
          guint         core)
{
  g_autofree char *name = g_strdup_printf ("%s/core_%u", host, core);

  g_strv_builder_add (builder, name);
}

char **
_mpaio_mpi_cpu_column_names (const char *local_host,
                             guint       local_cores,
                             GPtrArray  *hosts)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint c = 0; c < local_cores; c++)
    add_name (builder, local_host, c);
  for (guint i = 0; i < hosts->len; i++)
    {
      MpaioHostSamples *host = g_ptr_array_index (hosts, i);

      for (guint c = 0; c < host->n_cores; c++)
        add_name (builder, host->host, c);
    }

  return g_strv_builder_end (builder);
}

MpaioCpuSample *
_mpaio_mpi_merge_cpu_sample (MpaioCpuSample *local,
                             gint64          local_start_us,
                             guint           local_cores,
                             GPtrArray      *hosts)
{
  gdouble             time = mpaio_cpu_sample_get_time (local);
  gint64              time_us = local_start_us + (gint64) (time * G_USEC_PER_SEC);
  guint               n_values, n_columns = local_cores, column = 0;
  const gdouble      *values = mpaio_cpu_sample_get_values (local, &n_values);
  g_autofree gdouble *row = NULL;
  gdouble             sum = 0;

  for (guint i = 0; i < hosts->len; i++)
    n_columns += ((MpaioHostSamples *) g_ptr_array_index (hosts, i))->n_cores;
  row = g_new0 (gdouble, MAX (n_columns, 1));

  for (guint c = 0; c < local_cores; c++)
    row[column++] = c < n_values ? values[c] : 0.0;
  for (guint i = 0; i < hosts->len; i++)
    {
      MpaioHostSamples *host = g_ptr_array_index (hosts, i);
      gint              at = sample_at (host, time_us);

      for (guint c = 0; c < host->n_cores; c++)
        row[column++] = at >= 0 ? g_array_index (host->values, gdouble,
                                                 (guint) at * host->n_cores + c)
                                : 0.0;
    }

  for (guint c = 0; c < n_columns; c++)
    sum += row[c];

  return mpaio_cpu_sample_new (time, row, n_columns, n_columns ? sum / n_columns : 0);
}

GListModel *
_mpaio_mpi_merge_cpu_samples (GListModel *local,
                              gint64      local_start_us,
                              guint       local_cores,
                              const char *local_host,
                              GPtrArray  *hosts,
                              char     ***names)
{
  GListStore *merged = g_list_store_new (MPAIO_TYPE_CPU_SAMPLE);

  *names = _mpaio_mpi_cpu_column_names (local_host, local_cores, hosts);
  for (guint s = 0; s < g_list_model_get_n_items (local); s++)
    {
      g_autoptr(MpaioCpuSample) sample = g_list_model_get_item (local, s);
      g_autoptr(MpaioCpuSample) combined =
                   _mpaio_mpi_merge_cpu_sample (sample, local_start_us, local_cores, hosts);

      g_list_store_append (merged, combined);
    }

  return G_LIST_MODEL (merged);
}
