/* mpaio-chart-palette.c: series colours of the monitor's charts
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <math.h>

#include "mpaio-chart-palette.h"

/* The GNOME palette, as GNOME System Monitor colours its first CPUs. */
static const guint32 gnome_palette[] = {
  0xe01b24, /* red 3 */
  0xff7800, /* orange 3 */
  0xf6d32d, /* yellow 3 */
  0x33d17a, /* green 3 */
  0x3584e4, /* blue 3 */
  0x9141ac, /* purple 3 */
  0x986a44, /* brown 3 */
  0x2ec27e, /* green 4 */
};

/* Golden-ratio steps around the hue circle never repeat and keep
 * neighbouring indices far apart, however many cores there are. */
#define GOLDEN_RATIO_CONJUGATE 0.618033988749895

static void
hsv_to_rgba (double   h,
             double   s,
             double   v,
             GdkRGBA *color)
{
  double i = floor (h * 6.0);
  double f = h * 6.0 - i;
  double p = v * (1.0 - s);
  double q = v * (1.0 - f * s);
  double t = v * (1.0 - (1.0 - f) * s);

  switch ((int) i % 6)
    {
    case 0: *color = (GdkRGBA) { v, t, p, 1.0 }; break;
    case 1: *color = (GdkRGBA) { q, v, p, 1.0 }; break;
    case 2: *color = (GdkRGBA) { p, v, t, 1.0 }; break;
    case 3: *color = (GdkRGBA) { p, q, v, 1.0 }; break;
    case 4: *color = (GdkRGBA) { t, p, v, 1.0 }; break;
    default: *color = (GdkRGBA) { v, p, q, 1.0 }; break;
    }
}

/**
 * mpaio_chart_palette_get_color:
 * @index: the series, from 0
 * @color: (out caller-allocates): where to store the colour
 *
 * The colour of series @index: the GNOME palette for the first ones, then
 * hue steps by the golden ratio.
 */
void
mpaio_chart_palette_get_color (guint    index,
                               GdkRGBA *color)
{
  g_return_if_fail (color != NULL);

  if (index < G_N_ELEMENTS (gnome_palette))
    {
      guint32 rgb = gnome_palette[index];

      color->red = ((rgb >> 16) & 0xff) / 255.0;
      color->green = ((rgb >> 8) & 0xff) / 255.0;
      color->blue = (rgb & 0xff) / 255.0;
      color->alpha = 1.0;
      return;
    }

  /* Saturation and value alternate too, so hues that happen to land close
   * together (or close to the palette's) still differ; the starting hue is
   * the one that keeps the first hundred apart best. */
  index -= G_N_ELEMENTS (gnome_palette);
  hsv_to_rgba (fmod (0.96 + index * GOLDEN_RATIO_CONJUGATE, 1.0), index % 2 == 0 ? 0.75 : 0.6,
               (index / 2) % 2 == 0 ? 0.9 : 0.72, color);
}
