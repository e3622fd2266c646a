/* mpaio-monitoring.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <gio/gio.h>

#include "mpaio-init.h"
#include "mpaio-monitoring.h"
#include "mpaio-run-publisher-private.h"

/* -1: not decided yet (the environment is read on first use). Read once per
 * run, never per chunk. */
static gint monitoring_enabled = -1;

static gboolean
enabled_by_environment (void)
{
  const char *value = g_getenv (MPAIO_MONITOR_ENV);

  return g_strcmp0 (value, "1") == 0;
}

/**
 * mpaio_set_monitoring_enabled:
 * @enabled: %TRUE to publish the program's runs
 *
 * Turns on or off the publishing of this program's runs on the session
 * bus, where `mpaio-monitor --list` finds the program and
 * `mpaio-monitor --attach PID` watches it.
 *
 * While monitoring is on, the program owns the bus name
 * `org.mpaio.Program.instance<PID>` and serves the `org.mpaio.Program1`
 * interface: its state, and for each run of an [class@Mpaio.Orchestrator]
 * the progress, every chunk's record (which process ran it, when it was
 * sent, started, finished and came back) and per-core CPU samples, in
 * batches a few times a second and only while someone watches.
 *
 * Monitoring is off unless the environment variable `MPAIO_MONITOR` is set
 * to `1` when the first orchestrator is made, or this function turns it
 * on. A run is published if monitoring was on when it started. Without a
 * session bus, nothing is published and the program runs as usual.
 * Worker processes never publish.
 *
 * Since: 0.1
 */
void
mpaio_set_monitoring_enabled (gboolean enabled)
{
  enabled = !!enabled;
  g_atomic_int_set (&monitoring_enabled, enabled);

  if (mpaio_is_worker_process ())
    return;

  if (enabled)
    _mpaio_run_publisher_start ();
  else
    _mpaio_run_publisher_stop ();
}

/**
 * mpaio_get_monitoring_enabled:
 *
 * Whether this program's runs are published on the session bus: see
 * [func@Mpaio.set_monitoring_enabled].
 *
 * Returns: %TRUE when monitoring is on
 *
 * Since: 0.1
 */
gboolean
mpaio_get_monitoring_enabled (void)
{
  gint enabled = g_atomic_int_get (&monitoring_enabled);

  if (G_LIKELY (enabled >= 0))
    return enabled;

  enabled = enabled_by_environment ();
  if (g_atomic_int_compare_and_exchange (&monitoring_enabled, -1, enabled) && enabled && !mpaio_is_worker_process ())
    _mpaio_run_publisher_start ();

  return g_atomic_int_get (&monitoring_enabled);
}
