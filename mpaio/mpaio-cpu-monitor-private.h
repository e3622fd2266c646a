/* mpaio-cpu-monitor-private.h: sampling a CPU monitor on demand
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "mpaio-cpu-monitor.h"

/* clang-format off */
G_BEGIN_DECLS

/* Reads the CPU counters now and records a sample (deltas, store, `sample`
 * signal), whether or not the monitor is running: a run takes its last
 * sample when it ends. Returns the sample (transfer full), or NULL for a
 * priming read. */
MpaioCpuSample *_mpaio_cpu_monitor_take_sample      (MpaioCpuMonitor *self);

/* Records a sample from counters given by the caller, as if libgtop had
 * read them at @time_us (monotonic clock): what
 * _mpaio_cpu_monitor_take_sample() does with the counters it read, and how
 * tests give the monitor counters of their own. Arrays as for
 * _mpaio_cpu_counters_update(), n-cores long. Returns the sample (transfer
 * full), or NULL for a priming call. */
MpaioCpuSample *_mpaio_cpu_monitor_record_counters (MpaioCpuMonitor *self,
                                                    gint64           time_us,
                                                    const guint64   *total,
                                                    const guint64   *idle,
                                                    const guint64   *iowait);

/* The cores a monitor samples on this machine: all of them, whatever the
 * process's affinity. */
guint           _mpaio_cpu_monitor_count_cores     (void);

G_END_DECLS
