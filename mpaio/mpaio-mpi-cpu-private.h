/* mpaio-mpi-cpu-private.h: the CPU samples of every host in one table
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "mpaio-cpu-sample.h"

/* clang-format off */
G_BEGIN_DECLS

/* The samples one host sent during a run, on rank 0's clock. */
typedef struct
{
  const char *host;    /* interned */
  guint       n_cores;
  GArray     *times;   /* gint64 µs */
  GArray     *values;  /* gdouble, n_cores per sample */
} MpaioHostSamples;

/* @n_cores: the columns of the host's samples, or 0 for as many as its
 * first sample has. */
MpaioHostSamples *_mpaio_host_samples_new   (const char       *host,
                                             guint             n_cores);
void              _mpaio_host_samples_free  (MpaioHostSamples *self);
void              _mpaio_host_samples_add   (MpaioHostSamples *self,
                                             gint64            time_us,
                                             const gdouble    *values,
                                             guint             n_values);

/* The columns of samples merged from rank 0's host's @local_cores and
 * @hosts (MpaioHostSamples*): `host/core_N`. */
char            **_mpaio_mpi_cpu_column_names  (const char  *local_host,
                                                guint        local_cores,
                                                GPtrArray   *hosts);
/* A sample of rank 0's host (taken from @local_start_us) with each host's
 * of @hosts as last sampled by then: its values are rank 0's cores then
 * each host's, its total their mean. */
MpaioCpuSample   *_mpaio_mpi_merge_cpu_sample  (MpaioCpuSample *local,
                                                gint64          local_start_us,
                                                guint           local_cores,
                                                GPtrArray      *hosts);
/* One sample per sample of @local (rank 0's host, taken from
 * @local_start_us), whose values are rank 0's cores then each host's of
 * @hosts (MpaioHostSamples*) as last sampled by then, its total their
 * mean; @names gets the columns, `host/core_N`. */
GListModel       *_mpaio_mpi_merge_cpu_samples (GListModel  *local,
                                                gint64       local_start_us,
                                                guint        local_cores,
                                                const char  *local_host,
                                                GPtrArray   *hosts,
                                                char      ***names);

G_END_DECLS
