/* monitor-format.c: numbers and durations as the monitor shows them
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <locale.h>
#include <string.h>

#include <glib/gi18n.h>

#include "monitor-format.h"

char *
monitor_format_count (guint64 count)
{
  const struct lconv *conv = localeconv ();
  const char         *separator =
    conv->thousands_sep != NULL && *conv->thousands_sep != '\0' ? conv->thousands_sep : ",";
  g_autofree char *digits = g_strdup_printf ("%" G_GUINT64_FORMAT, count);
  gsize            n = strlen (digits);
  GString         *text = g_string_sized_new (n + n / 3 * strlen (separator));

  for (gsize i = 0; i < n; i++)
    {
      if (i > 0 && (n - i) % 3 == 0)
        g_string_append (text, separator);
      g_string_append_c (text, digits[i]);
    }

  return g_string_free (text, FALSE);
}

char *
monitor_format_duration (gint64 us)
{
  if (us < 0)
    us = 0;
  if (us < 1000)
    return g_strdup_printf ("%" G_GINT64_FORMAT " µs", us);
  if (us < 100 * 1000)
    return g_strdup_printf ("%.1f ms", us / 1000.0);
  if (us < G_USEC_PER_SEC)
    return g_strdup_printf ("%.0f ms", us / 1000.0);
  if (us < 60 * G_USEC_PER_SEC)
    return g_strdup_printf ("%.3f s", (double) us / G_USEC_PER_SEC);

  return g_strdup_printf ("%" G_GINT64_FORMAT " min %" G_GINT64_FORMAT " s",
                          us / (60 * G_USEC_PER_SEC), (us / G_USEC_PER_SEC) % 60);
}

char *
monitor_format_run_summary (const char *state,
                            guint64     n_chunks,
                            guint64     n_done,
                            guint64     n_failed,
                            gint64      us)
{
  const char *how = g_strcmp0 (state, "finished") == 0 ? _("Finished")
                                                       : g_strcmp0 (state, "cancelled") == 0
    ? _("Cancelled")
    : _("Failed");
  g_autofree char *all = monitor_format_count (n_chunks);
  g_autofree char *done = monitor_format_count (n_done);
  g_autofree char *failed = monitor_format_count (n_failed);
  g_autofree char *took = monitor_format_duration (us);

  if (n_done >= n_chunks)
    return g_strdup_printf (_("%s: %s chunks in %s"), how, all, took);
  if (n_failed == 0)
    return g_strdup_printf (_("%s: %s of %s chunks done, in %s"), how, done, all, took);

  return g_strdup_printf (_("%s: %s of %s chunks done, %s failed, in %s"), how, done, all, failed,
                             took);
}
