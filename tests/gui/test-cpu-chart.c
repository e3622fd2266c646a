/* test-cpu-chart.c: the CPU chart draws each core where its values say
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <gtk/gtk.h>
#include <mpaio.h>

#include "gui-test-util.h"
#include "monitor-chart-drawing.h"
#include "monitor-chart-palette.h"
#include "monitor-cpu-chart.h"

#define ORIGIN_US G_GINT64_CONSTANT (5000000)
#define SPAN_S    20.0
#define WIDTH     640
#define HEIGHT    320

/* Two cores that swap at t = 10 s: core 0 at 100 % then 0 %, core 1 the
 * other way round. A sample every half second, as a monitor would take. */
static GListModel *
make_samples (void)
{
  GListStore *store = g_list_store_new (MPAIO_TYPE_CPU_SAMPLE);

  for (int i = 0; i <= 40; i++)
    {
      double time = i * 0.5;
      double values[2] = { time <= 10.0 ? 100.0 : 0.0, time <= 10.0 ? 0.0 : 100.0 };
      g_autoptr(MpaioCpuSample) sample = mpaio_cpu_sample_new (time, values, 2, 50.0);

      g_list_store_append (store, sample);
    }

  return G_LIST_MODEL (store);
}

static MonitorCpuChart *
make_chart (void)
{
  g_autoptr(GListModel) samples = make_samples ();
  MonitorCpuChart *chart = MONITOR_CPU_CHART (monitor_cpu_chart_new ());

  monitor_cpu_chart_set_model (chart, samples);
  monitor_cpu_chart_set_time_origin (chart, ORIGIN_US);
  monitor_cpu_chart_set_history (chart, SPAN_S);
  /* The right edge held at the last sample: the pixels do not depend on
   * when the test runs. */
  monitor_cpu_chart_set_frozen_time (chart, ORIGIN_US + (gint64) (SPAN_S * G_USEC_PER_SEC));

  return chart;
}

/* Where the chart puts @percent at @time, by the shared drawing code's
 * mapping, which the test checks against the layout too. */
static void
expected_point (const graphene_rect_t *area,
                double                 time,
                double                 percent,
                int                   *x,
                int                   *y)
{
  cairo_rectangle_t plot = { area->origin.x, area->origin.y, area->size.width, area->size.height };
  MonitorChartAxis  axis = { 0.0, SPAN_S, FALSE };

  *x = (int) monitor_chart_axis_to_x (&axis, &plot, time);
  *y = (int) monitor_chart_value_to_y (&plot, percent);

  /* The value mapping itself: 100 % at the top of the plot, 0 % at its
   * bottom, each within a line's width. */
  if (percent == 100.0)
    g_assert_cmpfloat (*y - plot.y, <=, MONITOR_CHART_LINE_WIDTH);
  if (percent == 0.0)
    g_assert_cmpfloat (plot.y + plot.height - *y, <=, MONITOR_CHART_LINE_WIDTH);
}

static void
assert_color_at (const TestPixels *pixels,
                 guint             core,
                 int               x,
                 int               y,
                 gboolean          present)
{
  GdkRGBA  color;
  gboolean found;

  monitor_chart_palette_get_color (core, &color);
  found = test_pixels_find_color (pixels, &color, x - 2, y - 2, x + 2, y + 2);
  if (found != present)
    g_error ("core %u's colour %s at (%d, %d)", core, present ? "missing" : "unexpected", x, y);
}

static void
test_chart_pixels (void)
{
  MonitorCpuChart *chart = make_chart ();
  GtkWindow       *window = test_show_in_window (GTK_WIDGET (chart), WIDTH, HEIGHT);
  g_autoptr(GdkTexture) texture = NULL;
  TestPixels      pixels;
  graphene_rect_t area;
  int             x, y;

  g_assert_true (monitor_cpu_chart_get_plot_area (chart, &area));
  g_assert_cmpuint (monitor_cpu_chart_get_n_cores (chart), ==, 2);
  /* The plot starts at the margin the chunk timeline shares. */
  g_assert_cmpfloat (area.origin.x, ==, MONITOR_CHART_MARGIN_LEFT);
  g_assert_cmpfloat (area.origin.x + area.size.width, ==, WIDTH - MONITOR_CHART_MARGIN_RIGHT);

  texture = test_render_widget (GTK_WIDGET (chart));
  g_assert_cmpint (gdk_texture_get_width (texture), ==, WIDTH);
  g_assert_cmpint (gdk_texture_get_height (texture), ==, HEIGHT);
  test_pixels_init (&pixels, texture);

  /* t = 5 s: core 0 at the top, core 1 at the bottom. */
  expected_point (&area, 5.0, 100.0, &x, &y);
  assert_color_at (&pixels, 0, x, y, TRUE);
  assert_color_at (&pixels, 1, x, y, FALSE);
  expected_point (&area, 5.0, 0.0, &x, &y);
  assert_color_at (&pixels, 1, x, y, TRUE);
  assert_color_at (&pixels, 0, x, y, FALSE);

  /* t = 15 s: the other way round. */
  expected_point (&area, 15.0, 100.0, &x, &y);
  assert_color_at (&pixels, 1, x, y, TRUE);
  assert_color_at (&pixels, 0, x, y, FALSE);
  expected_point (&area, 15.0, 0.0, &x, &y);
  assert_color_at (&pixels, 0, x, y, TRUE);
  assert_color_at (&pixels, 1, x, y, FALSE);

  /* Halfway up, at t = 5 s, neither: lines, not fills. */
  expected_point (&area, 5.0, 50.0, &x, &y);
  assert_color_at (&pixels, 0, x, y, FALSE);
  assert_color_at (&pixels, 1, x, y, FALSE);

  /* The legend, below the plot, has a swatch of each core's colour. */
  for (guint core = 0; core < 2; core++)
    {
      GdkRGBA color;

      monitor_chart_palette_get_color (core, &color);
      g_assert_true (test_pixels_find_color (&pixels, &color, 0,
                                             (int) (area.origin.y + area.size.height) + 4,
                                             WIDTH - 1, HEIGHT - 1));
    }

  test_pixels_clear (&pixels);
  test_destroy_window (window);
}

/* Following the clock, the lines slide left: a sample drawn at the right
 * edge is further left a moment later, without a new sample. */
static void
test_chart_scrolls (void)
{
  MonitorCpuChart *chart = make_chart ();
  GtkWindow       *window = test_show_in_window (GTK_WIDGET (chart), WIDTH, HEIGHT);
  g_autoptr(GdkTexture) after = NULL;
  TestPixels      pixels;
  graphene_rect_t area;
  int             x, y;

  g_assert_true (monitor_cpu_chart_get_plot_area (chart, &area));

  /* Frozen 5 s later than the last sample: the step at t = 10 s sits 15 s
   * from the right edge instead of 10 s. */
  monitor_cpu_chart_set_frozen_time (chart, ORIGIN_US + (gint64) ((SPAN_S + 5.0) * G_USEC_PER_SEC));
  after = test_render_widget (GTK_WIDGET (chart));
  test_pixels_init (&pixels, after);

  expected_point (&area, 2.5, 100.0, &x, &y); /* t = 7.5 s */
  assert_color_at (&pixels, 0, x, y, TRUE);
  expected_point (&area, 7.5, 100.0, &x, &y); /* t = 12.5 s */
  assert_color_at (&pixels, 1, x, y, TRUE);
  assert_color_at (&pixels, 0, x, y, FALSE);
  /* Nothing after the last sample. */
  expected_point (&area, 17.5, 0.0, &x, &y);
  assert_color_at (&pixels, 0, x, y, FALSE);
  assert_color_at (&pixels, 1, x, y, FALSE);

  test_pixels_clear (&pixels);
  test_destroy_window (window);
}

static void
test_total_line (void)
{
  MonitorCpuChart *chart = make_chart ();
  GtkWindow       *window = test_show_in_window (GTK_WIDGET (chart), WIDTH, HEIGHT);
  g_autoptr(GdkTexture) texture = NULL;
  TestPixels      pixels;
  graphene_rect_t area;
  guint           found = 0;
  int             x, y;

  monitor_cpu_chart_set_show_total (chart, TRUE);
  /* The legend gained an entry: the plot may have changed. */
  g_assert_true (monitor_cpu_chart_get_plot_area (chart, &area));
  texture = test_render_widget (GTK_WIDGET (chart));
  test_pixels_init (&pixels, texture);

  /* A dashed line at 50 %: opaque pixels along it, in the text colour. */
  expected_point (&area, 0.0, 50.0, &x, &y);
  for (int px = (int) area.origin.x + 2; px < area.origin.x + area.size.width - 2; px++)
    {
      GdkRGBA color;

      if (test_pixels_get (&pixels, px, y, &color) && color.alpha > 0.5)
        found++;
    }
  g_assert_cmpuint (found, >, area.size.width / 4);

  test_pixels_clear (&pixels);
  test_destroy_window (window);
}

static void
iterate_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
}

/* The background is a cache: a new sample redraws the series only; a new
 * size redraws it. A hidden chart draws nothing. */
static void
test_caches (void)
{
  MonitorCpuChart *chart = make_chart ();
  GtkWindow       *window = test_show_in_window (GTK_WIDGET (chart), WIDTH, HEIGHT);
  GListModel      *samples = monitor_cpu_chart_get_model (chart);
  double           values[2] = { 50.0, 50.0 };
  g_autoptr(MpaioCpuSample) sample = mpaio_cpu_sample_new (SPAN_S + 0.5, values, 2, 50.0);
  g_autoptr(GdkTexture) first = NULL;
  g_autoptr(GdkTexture) second = NULL;
  g_autoptr(GdkTexture) third = NULL;
  guint background, lines, background_before, lines_before;

  first = test_render_widget (GTK_WIDGET (chart));
  monitor_cpu_chart_get_render_counts (chart, &background_before, &lines_before);
  g_assert_cmpuint (background_before, >=, 1);

  g_list_store_append (G_LIST_STORE (samples), sample);
  second = test_render_widget (GTK_WIDGET (chart));
  monitor_cpu_chart_get_render_counts (chart, &background, &lines);
  g_assert_cmpuint (background, ==, background_before);
  g_assert_cmpuint (lines, ==, lines_before + 1);

  /* Hidden, following the clock, with samples coming: nothing drawn. */
  monitor_cpu_chart_set_frozen_time (chart, 0);
  gtk_widget_set_visible (GTK_WIDGET (chart), FALSE);
  monitor_cpu_chart_get_render_counts (chart, &background_before, &lines_before);
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(MpaioCpuSample) more = mpaio_cpu_sample_new (SPAN_S + 1.0 + i, values, 2, 50.0);

      g_list_store_append (G_LIST_STORE (samples), more);
      iterate_for (40);
    }
  monitor_cpu_chart_get_render_counts (chart, &background, &lines);
  g_assert_cmpuint (background, ==, background_before);
  g_assert_cmpuint (lines, ==, lines_before);

  /* Shown again at another size: the background follows. */
  gtk_widget_set_visible (GTK_WIDGET (chart), TRUE);
  gtk_window_set_default_size (window, WIDTH + 100, HEIGHT);
  while (gtk_widget_get_width (GTK_WIDGET (chart)) != WIDTH + 100)
    g_main_context_iteration (NULL, TRUE);
  third = test_render_widget (GTK_WIDGET (chart));
  monitor_cpu_chart_get_render_counts (chart, &background, &lines);
  g_assert_cmpuint (background, ==, background_before + 1);
  g_assert_cmpint (gdk_texture_get_width (third), ==, WIDTH + 100);

  test_destroy_window (window);
}

static gboolean
image_has_color (cairo_surface_t *image,
                 const GdkRGBA   *color)
{
  guint32       want = 0xff000000 | ((guint32) (color->red * 255 + 0.5) << 16) | ((guint32) (color->green * 255 + 0.5) << 8) | (guint32) (color->blue * 255 + 0.5);
  const guchar *data = cairo_image_surface_get_data (image);
  int           stride = cairo_image_surface_get_stride (image);

  for (int y = 0; y < cairo_image_surface_get_height (image); y++)
    for (int x = 0; x < cairo_image_surface_get_width (image); x++)
      if (*(const guint32 *) (data + y * stride + x * 4) == want)
        return TRUE;

  return FALSE;
}

/* The PNG export draws the same chart, dark on white. */
static void
test_export_image (void)
{
  MonitorCpuChart *chart = g_object_ref_sink (make_chart ());
  cairo_surface_t *image = monitor_cpu_chart_render_image (chart, 800, 400);

  g_assert_cmpint (cairo_image_surface_get_width (image), ==, 800);
  g_assert_cmpint (cairo_image_surface_get_height (image), ==, 400);

  for (guint core = 0; core < 2; core++)
    {
      GdkRGBA color;

      monitor_chart_palette_get_color (core, &color);
      g_assert_true (image_has_color (image, &color));
    }

  cairo_surface_destroy (image);
  g_object_unref (chart);
}

static void
test_palette (void)
{
  /* Distinct colours for many cores: hue steps after the GNOME palette.
   * (0.03 of a channel is about 8 levels of 255.) */
  for (guint i = 0; i < 64; i++)
    for (guint j = i + 1; j < 64; j++)
      {
        GdkRGBA a, b;

        monitor_chart_palette_get_color (i, &a);
        monitor_chart_palette_get_color (j, &b);
        g_assert_false (test_color_near (&a, &b, 0.03));
      }
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cpu-chart/pixels", test_chart_pixels);
  g_test_add_func ("/cpu-chart/scrolls", test_chart_scrolls);
  g_test_add_func ("/cpu-chart/total", test_total_line);
  g_test_add_func ("/cpu-chart/caches", test_caches);
  g_test_add_func ("/cpu-chart/export-image", test_export_image);
  g_test_add_func ("/cpu-chart/palette", test_palette);

  return g_test_run ();
}
