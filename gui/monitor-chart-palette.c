/* monitor-chart-palette.c: series colours of the monitor's charts
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <math.h>

#include "monitor-chart-palette.h"

/* The GNOME palette, as GNOME System Monitor colours its first CPUs. */
static const guint32 gnome_palette[] = {
  0xe01b24, /* red 3 */
  0xff7800, /* orange 3 */
  0xf6d32d, /* yellow 3 */
  0x33d17a, /* green 3 */
  0x3584e4, /* blue 3 */
  0x9141ac, /* purple 3 */
  0x986a44, /* brown 3 */
  0x99c1f1, /* blue 1 */
};

/* Worker processes: other shades of the GNOME palette, none a core's, so
 * that a process does not seem tied to the core of its colour. */
static const guint32 worker_palette[] = {
  0x1a5fb4, /* blue 5 */
  0xc061cb, /* purple 2 */
  0x26a269, /* green 5 */
  0xc64600, /* orange 5 */
  0x613583, /* purple 5 */
  0xa51d2d, /* red 5 */
  0x865e3c, /* brown 4 */
  0xe5a50a, /* yellow 5 */
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
    case 0:
      *color = (GdkRGBA){ v, t, p, 1.0 };
      break;
    case 1:
      *color = (GdkRGBA){ q, v, p, 1.0 };
      break;
    case 2:
      *color = (GdkRGBA){ p, v, t, 1.0 };
      break;
    case 3:
      *color = (GdkRGBA){ p, q, v, 1.0 };
      break;
    case 4:
      *color = (GdkRGBA){ t, p, v, 1.0 };
      break;
    default:
      *color = (GdkRGBA){ v, p, q, 1.0 };
      break;
    }
}

/**
 * monitor_chart_palette_get_color:
 * @index: the series, from 0
 * @color: (out caller-allocates): where to store the colour
 *
 * The colour of series @index: the GNOME palette for the first ones, then
 * hue steps by the golden ratio.
 */
static void
rgb_to_rgba (guint32  rgb,
             GdkRGBA *color)
{
  color->red = ((rgb >> 16) & 0xff) / 255.0;
  color->green = ((rgb >> 8) & 0xff) / 255.0;
  color->blue = (rgb & 0xff) / 255.0;
  color->alpha = 1.0;
}

void
monitor_chart_palette_get_color (guint    index,
                                 GdkRGBA *color)
{
  g_return_if_fail (color != NULL);

  if (index < G_N_ELEMENTS (gnome_palette))
    {
      rgb_to_rgba (gnome_palette[index], color);
      return;
    }

  /* Saturation and value alternate too, so hues that happen to land close
   * together (or close to the palette's) still differ; the starting hue is
   * the one that keeps the first 16 cores apart best. */
  index -= G_N_ELEMENTS (gnome_palette);
  hsv_to_rgba (fmod (0.8 + index * GOLDEN_RATIO_CONJUGATE, 1.0), index % 2 == 0 ? 1.0 : 0.6,
               (index / 2) % 2 == 0 ? 0.9 : 0.72, color);
}

/**
 * monitor_chart_palette_get_worker_color:
 * @index: the worker process's row, from 0
 * @color: (out caller-allocates): where to store the colour
 *
 * The colour of a worker process in the chunk timeline: shades of the
 * GNOME palette that no core uses, then hue steps by the golden ratio
 * paler than the cores'.
 */
void
monitor_chart_palette_get_worker_color (guint    index,
                                        GdkRGBA *color)
{
  g_return_if_fail (color != NULL);

  if (index < G_N_ELEMENTS (worker_palette))
    {
      rgb_to_rgba (worker_palette[index], color);
      return;
    }

  index -= G_N_ELEMENTS (worker_palette);
  hsv_to_rgba (fmod (0.85 + index * GOLDEN_RATIO_CONJUGATE, 1.0), 0.3,
               index % 2 == 0 ? 0.8 : 0.62, color);
}
