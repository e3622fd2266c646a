/* monitor-application.h: the mpaio-monitor application
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gtk/gtk.h>

/* clang-format off */
G_BEGIN_DECLS

#define MONITOR_APPLICATION_ID "org.mpaio.Monitor"

#define MONITOR_TYPE_APPLICATION (monitor_application_get_type ())
G_DECLARE_FINAL_TYPE (MonitorApplication, monitor_application, MONITOR, APPLICATION, GtkApplication)

MonitorApplication *monitor_application_new             (void);
int                      monitor_application_get_exit_status (MonitorApplication *self);
void                     monitor_application_choose_renderer (void);
void                     monitor_application_set_command     (MonitorApplication *self,
                                                                    const char *const       *command);

G_END_DECLS
