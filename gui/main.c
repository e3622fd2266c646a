/* main.c: mpaio-monitor
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <mpaio.h>

#include "monitor-workers.h"
#include "monitor-application.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(MonitorApplication) application = NULL;
  int status;

  /* Worker processes are this program started again. They find the demo
   * worker types by name, so these must exist before mpaio_init(), which in
   * a worker process serves chunks and never returns: a worker process
   * gets no further, and never opens a display. */
  monitor_workers_ensure_types ();
  mpaio_init (&argc, &argv);

  monitor_application_choose_renderer ();
  application = monitor_application_new ();

  /* mpaio-monitor [OPTION…] -- COMMAND ARGS…: the command is not ours to
   * parse. */
  for (int i = 1; i < argc; i++)
    if (g_str_equal (argv[i], "--"))
      {
        monitor_application_set_command (application, (const char *const *) argv + i + 1);
        argv[i] = NULL;
        argc = i;
        break;
      }

  status = g_application_run (G_APPLICATION (application), argc, argv);

  return status != 0 ? status : monitor_application_get_exit_status (application);
}
