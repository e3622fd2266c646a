/* mpaio-monitor-application.h: the mpaio-monitor application
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define MPAIO_MONITOR_APPLICATION_ID "org.mpaio.Monitor"

#define MPAIO_TYPE_MONITOR_APPLICATION (mpaio_monitor_application_get_type ())
G_DECLARE_FINAL_TYPE (MpaioMonitorApplication, mpaio_monitor_application, MPAIO,
                      MONITOR_APPLICATION, GtkApplication)

MpaioMonitorApplication *mpaio_monitor_application_new             (void);
int                      mpaio_monitor_application_get_exit_status (MpaioMonitorApplication *self);
void                     mpaio_monitor_application_choose_renderer (void);
void                     mpaio_monitor_application_set_command     (MpaioMonitorApplication *self,
                                                                    const char *const       *command);

G_END_DECLS
