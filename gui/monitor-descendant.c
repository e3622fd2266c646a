/* monitor-descendant.c: whether a process was started, at some remove, by another
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * `mpaio-monitor -- mpirun -n 3 prog` starts mpirun, but the program that
 * publishes its runs is rank 0, a child of mpirun (or of its daemon): the
 * monitor watches the publisher that descends from the command it started.
 * Read from /proc, as the CPU monitor reads its samples.
 */

#include <stdio.h>
#include <string.h>

#include "monitor-descendant.h"

/* Launchers nest a few levels at most (mpirun, its daemon, a shell). */
#define MAX_DEPTH 16

static GPid
parent_of (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *contents = NULL;
  const char      *end;
  int              parent = 0;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;
  /* "pid (comm) state ppid …": the command may hold spaces and parentheses,
   * the last ')' ends it. */
  end = strrchr (contents, ')');
  if (end == NULL || sscanf (end + 1, " %*c %d", &parent) != 1)
    return 0;

  return (GPid) parent;
}

/**
 * monitor_pid_descends_from:
 * @pid: a process
 * @ancestor: the process that may have started it
 *
 * Returns: %TRUE if @pid is @ancestor or was started by it, directly or
 *   through other processes
 */
gboolean
monitor_pid_descends_from (GPid pid, GPid ancestor)
{
  for (guint depth = 0; pid > 1 && depth < MAX_DEPTH; depth++)
    {
      if (pid == ancestor)
        return TRUE;
      pid = parent_of (pid);
    }

  return FALSE;
}
