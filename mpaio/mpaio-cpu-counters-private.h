/* mpaio-cpu-counters-private.h: CPU utilisation from cumulative tick counters
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

/* clang-format off */
G_BEGIN_DECLS

/* The arithmetic of MpaioCpuMonitor, kept apart from libgtop so tests can
 * feed it counters of their own. It remembers each core's previous
 * (total, idle + iowait) ticks; utilisation is the busy share of the ticks
 * that passed since then. */
typedef struct _MpaioCpuCounters MpaioCpuCounters;

MpaioCpuCounters *_mpaio_cpu_counters_new         (guint             n_cores);
void              _mpaio_cpu_counters_free        (MpaioCpuCounters *self);
guint             _mpaio_cpu_counters_get_n_cores (MpaioCpuCounters *self);
/* Forgets the previous readings: the next update primes again. */
void              _mpaio_cpu_counters_reset       (MpaioCpuCounters *self);
/* @total, @idle and @iowait hold one cumulative counter per core
 * (@iowait may be NULL when @idle already includes it). Writes one
 * percentage (0..100) per core to @values and the machine's to @total_value.
 * Returns FALSE, with zeros written, on the priming call (the first one, or
 * the first after a reset), whose counters are averages since boot. */
gboolean          _mpaio_cpu_counters_update      (MpaioCpuCounters *self,
                                                   const guint64    *total,
                                                   const guint64    *idle,
                                                   const guint64    *iowait,
                                                   gdouble          *values,
                                                   gdouble          *total_value);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpaioCpuCounters, _mpaio_cpu_counters_free)

G_END_DECLS
