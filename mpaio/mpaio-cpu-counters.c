/* mpaio-cpu-counters.c: CPU utilisation from cumulative tick counters
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "mpaio-cpu-counters-private.h"

typedef struct
{
  /* 0 means "no usable previous reading": an online core has ticked since
   * boot, so a real total is never 0. */
  guint64 total;
  guint64 idle;
} CoreReading;

struct _MpaioCpuCounters
{
  guint        n_cores;
  gboolean     primed;
  CoreReading *previous;
};

MpaioCpuCounters *
_mpaio_cpu_counters_new (guint n_cores)
{
  MpaioCpuCounters *self = g_new0 (MpaioCpuCounters, 1);

  self->n_cores = n_cores;
  self->previous = g_new0 (CoreReading, MAX (n_cores, 1));

  return self;
}

void
_mpaio_cpu_counters_free (MpaioCpuCounters *self)
{
  if (self == NULL)
    return;

  g_free (self->previous);
  g_free (self);
}

guint
_mpaio_cpu_counters_get_n_cores (MpaioCpuCounters *self)
{
  return self->n_cores;
}

void
_mpaio_cpu_counters_reset (MpaioCpuCounters *self)
{
  self->primed = FALSE;
  memset (self->previous, 0, sizeof (CoreReading) * self->n_cores);
}

/*
 * Rules, per core:
 * - busy = Δtotal − Δ(idle + iowait): iowait is idle time, as GNOME System
 *   Monitor counts it. idle and iowait are compared summed because Linux's
 *   iowait alone may go backwards (see proc(5)) while the sum keeps growing.
 * - A core that reads all zeros is offline: 0 %, and it primes again when
 *   it comes back (its first counters then are since boot, not since the
 *   last sample).
 * - A counter that went backwards (wrap, reset, hotplug) gives 0 % and the
 *   new reading becomes the baseline; Δtotal == 0 (a stalled or idle-tickless
 *   core between two reads) gives 0 %, never 0/0.
 *
 * The machine's value is Σbusy / ΣΔtotal over the cores that had a valid
 * delta, not the mean of the per-core percentages: a core that ticked less
 * (stalled, steal time excluded from its total) weighs less, as in the
 * aggregate "cpu" line of /proc/stat.
 */
gboolean
_mpaio_cpu_counters_update (MpaioCpuCounters *self,
                            const guint64    *total,
                            const guint64    *idle,
                            const guint64    *iowait,
                            gdouble          *values,
                            gdouble          *total_value)
{
  guint64  sum_total = 0;
  guint64  sum_busy = 0;
  gboolean was_primed;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (total != NULL || self->n_cores == 0, FALSE);
  g_return_val_if_fail (idle != NULL || self->n_cores == 0, FALSE);
  g_return_val_if_fail (values != NULL || self->n_cores == 0, FALSE);
  g_return_val_if_fail (total_value != NULL, FALSE);

  was_primed = self->primed;

  for (guint i = 0; i < self->n_cores; i++)
    {
      CoreReading *prev = &self->previous[i];
      guint64      t = total[i];
      guint64      d = idle[i] + (iowait != NULL ? iowait[i] : 0);

      values[i] = 0.0;

      if (was_primed && t != 0 && prev->total != 0 && t >= prev->total && d >= prev->idle)
        {
          guint64 dt = t - prev->total;
          guint64 di = d - prev->idle;

          if (dt > 0)
            {
              /* idle + iowait can outrun total by a tick when the kernel
               * reads them at different instants. */
              guint64 busy = dt > di ? dt - di : 0;

              values[i] = 100.0 * (gdouble) busy / (gdouble) dt;
              sum_total += dt;
              sum_busy += busy;
            }
        }

      prev->total = t;
      prev->idle = t != 0 ? d : 0;
    }

  self->primed = TRUE;

  *total_value = sum_total > 0 ? 100.0 * (gdouble) sum_busy / (gdouble) sum_total : 0.0;

  return was_primed;
}
