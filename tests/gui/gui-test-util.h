/* gui-test-util.h: shared helpers of the mpaio-monitor tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gtk/gtk.h>

/* clang-format off */
G_BEGIN_DECLS

/* A texture's pixels, downloaded once, to look colours up in. */
typedef struct
{
  int     width;
  int     height;
  gsize   stride;
  guchar *data;
} TestPixels;

GtkWindow  *test_show_in_window      (GtkWidget        *widget,
                                      int               width,
                                      int               height);
void        test_destroy_window      (GtkWindow        *window);
GdkTexture *test_render_widget       (GtkWidget        *widget);
void        test_pixels_init         (TestPixels       *pixels,
                                      GdkTexture       *texture);
void        test_pixels_clear        (TestPixels       *pixels);
gboolean    test_pixels_get          (const TestPixels *pixels,
                                      int               x,
                                      int               y,
                                      GdkRGBA          *color);
gboolean    test_color_near          (const GdkRGBA    *a,
                                      const GdkRGBA    *b,
                                      double            tolerance);
gboolean    test_pixels_find_color   (const TestPixels *pixels,
                                      const GdkRGBA    *color,
                                      int               x0,
                                      int               y0,
                                      int               x1,
                                      int               y1);

G_END_DECLS
