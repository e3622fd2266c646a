/* gui-test-util.c: shared helpers of the mpaio-monitor tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gui-test-util.h"

static gboolean
on_timeout (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;

  return G_SOURCE_REMOVE;
}

/* Shows @widget alone in a window of @width × @height and returns once it
 * has been allocated and drawn, so it can be rendered at that size. */
GtkWindow *
test_show_in_window (GtkWidget *widget,
                     int        width,
                     int        height)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  gboolean   timed_out = FALSE;
  guint      timeout_id;

  gtk_window_set_decorated (window, FALSE);
  gtk_window_set_default_size (window, width, height);
  gtk_window_set_child (window, widget);
  gtk_window_present (window);

  timeout_id = g_timeout_add_seconds (10, on_timeout, &timed_out);
  while (!timed_out && (!gtk_widget_get_mapped (widget) || gtk_widget_get_width (widget) != width || gtk_widget_get_height (widget) != height))
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (timeout_id);

  g_assert_false (timed_out);

  return window;
}

void
test_destroy_window (GtkWindow *window)
{
  gtk_window_destroy (window);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Renders what @widget draws, at its size, with its window's renderer: what
 * the screen would show of it, without grabbing the screen. */
static void
on_after_paint (GdkFrameClock *clock,
                gboolean      *painted)
{
  *painted = TRUE;
}

/* A widget paintable shows the widget's last drawing: draws a fresh one. */
static void
wait_for_frame (GtkWidget *widget)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  gboolean       painted = FALSE;
  gulong         handler;

  g_assert_nonnull (clock);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &painted);
  gtk_widget_queue_draw (widget);
  while (!painted)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (clock, handler);
}

GdkTexture *
test_render_widget (GtkWidget *widget)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  int          width = gtk_widget_get_width (widget);
  int          height = gtk_widget_get_height (widget);
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));

  wait_for_frame (widget);
  paintable = gtk_widget_paintable_new (widget);
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);

  return gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
}

void
test_pixels_init (TestPixels *pixels,
                  GdkTexture *texture)
{
  pixels->width = gdk_texture_get_width (texture);
  pixels->height = gdk_texture_get_height (texture);
  pixels->stride = (gsize) pixels->width * 4;
  pixels->data = g_malloc (pixels->stride * pixels->height);
  /* Cairo's ARGB32: premultiplied, B G R A in memory on little-endian. */
  gdk_texture_download (texture, pixels->data, pixels->stride);
}

void
test_pixels_clear (TestPixels *pixels)
{
  g_clear_pointer (&pixels->data, g_free);
}

gboolean
test_pixels_get (const TestPixels *pixels,
                 int               x,
                 int               y,
                 GdkRGBA          *color)
{
  const guchar *p;
  guint32       argb;
  double        alpha;

  if (x < 0 || y < 0 || x >= pixels->width || y >= pixels->height)
    return FALSE;

  p = pixels->data + y * pixels->stride + x * 4;
  argb = *(const guint32 *) p;
  alpha = ((argb >> 24) & 0xff) / 255.0;
  color->alpha = alpha;
  if (alpha == 0)
    {
      color->red = color->green = color->blue = 0;
      return TRUE;
    }

  /* Back from premultiplied. */
  color->red = ((argb >> 16) & 0xff) / 255.0 / alpha;
  color->green = ((argb >> 8) & 0xff) / 255.0 / alpha;
  color->blue = (argb & 0xff) / 255.0 / alpha;

  return TRUE;
}

gboolean
test_color_near (const GdkRGBA *a,
                 const GdkRGBA *b,
                 double         tolerance)
{
  return a->alpha > 0.9 && b->alpha > 0.9 && ABS (a->red - b->red) <= tolerance && ABS (a->green - b->green) <= tolerance && ABS (a->blue - b->blue) <= tolerance;
}

/* Whether @color is at some pixel of the rectangle [x0, x1] × [y0, y1]. */
gboolean
test_pixels_find_color (const TestPixels *pixels,
                        const GdkRGBA    *color,
                        int               x0,
                        int               y0,
                        int               x1,
                        int               y1)
{
  for (int y = y0; y <= y1; y++)
    for (int x = x0; x <= x1; x++)
      {
        GdkRGBA pixel;

        if (test_pixels_get (pixels, x, y, &pixel) && test_color_near (&pixel, color, 0.08))
          return TRUE;
      }

  return FALSE;
}
