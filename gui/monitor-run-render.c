/* monitor-run-render.c: a saved run drawn to PNG, with no display
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What the window shows of a run, drawn with cairo alone: the CPU chart
 * (monitor-chart-drawing.c) over the chunk timeline, one row per worker
 * process, the time axis fitted to the run for both.
 */

#include <pango/pangocairo.h>

#include "monitor-lane-layout.h"
#include "monitor-run-render.h"
#include "monitor-chart-drawing.h"
#include "monitor-chart-palette.h"

#define MARGIN       8.0
#define HEADING      22.0
#define MAX_LANE     22.0
#define MIN_LANE     3.0
#define LANE_SPACING 2.0

static void
draw_text_within (cairo_t       *cr,
                  PangoContext  *context,
                  const char    *text,
                  double         x,
                  double         y,
                  double         width,
                  gboolean       bold,
                  const GdkRGBA *color)
{
  g_autoptr(PangoLayout) layout = pango_layout_new (context);
  PangoFontDescription *font =
    pango_font_description_from_string (bold ? "Sans Bold 10" : "Sans 9");

  /* A long host name gives way in its middle, not over the bars. */
  if (width > 0)
    {
      pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_MIDDLE);
    }
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  pango_layout_set_text (layout, text, -1);
  gdk_cairo_set_source_rgba (cr, color);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
}

static void
draw_text (cairo_t       *cr,
           PangoContext  *context,
           const char    *text,
           double         x,
           double         y,
           gboolean       bold,
           const GdkRGBA *color)
{
  draw_text_within (cr, context, text, x, y, -1, bold, color);
}

/* Rows of several machines (MPI) are grouped by machine: a group's first
 * row is named by the machine, the others by their process, so a host name
 * gets the whole margin rather than sharing it with a PID. */
char *
monitor_run_render_get_row_label (MonitorLaneLayout *lanes, guint r)
{
  const MonitorLaneRow *row = monitor_lane_layout_get_row (lanes, r);

  if (row->pid == 0)
    return g_strdup ("Cancelled in flight");
  if (monitor_lane_layout_get_n_hosts (lanes) < 2)
    return g_strdup_printf ("PID %d", row->pid);
  if (r == 0 || g_strcmp0 (row->host, monitor_lane_layout_get_row (lanes, r - 1)->host) != 0)
    return g_strdup (row->host != NULL ? row->host : g_get_host_name ());

  return g_strdup_printf ("PID %d", row->pid);
}

cairo_surface_t *
monitor_run_render_image (MpaioRunReport *report, int width, int height)
{
  const GdkRGBA foreground = { 0x24 / 255.0, 0x1f / 255.0, 0x31 / 255.0, 1.0 };
  const GdkRGBA lane_background = { 0.0, 0.0, 0.0, 0.04 };
  const GdkRGBA failed = { 0xe0 / 255.0, 0x1b / 255.0, 0x24 / 255.0, 1.0 };
  const GdkRGBA cancelled = { 0x9a / 255.0, 0x99 / 255.0, 0x96 / 255.0, 1.0 };
  g_autoptr(MonitorLaneLayout) lanes = monitor_lane_layout_new (report);
  g_autoptr(GListStore) no_samples = g_list_store_new (MPAIO_TYPE_CPU_SAMPLE);
  GListModel *samples = mpaio_run_report_get_cpu_samples (report);
  /* A run across hosts names its cores "host/core_N": the legend says
   * which machine each line is. */
  const char *const *core_names = mpaio_run_report_get_cpu_core_names (report);
  gint64             origin_us = samples != NULL ? mpaio_run_report_get_cpu_start_time (report)
                                                 : mpaio_run_report_get_start_time (report);
  double             run_start =
    (mpaio_run_report_get_start_time (report) - origin_us) / (double) G_USEC_PER_SEC;
  double             run_end = (mpaio_run_report_get_end_time (report) - origin_us) / (double) G_USEC_PER_SEC;
  double             margin = MAX (run_end - run_start, MIN_HISTORY) * 0.02;
  MonitorChartAxis   axis = { run_start - margin, MAX (run_end + margin, run_start + MIN_HISTORY),
                              FALSE };
  guint              n_cores = 1, n_lanes = monitor_lane_layout_get_n_lanes (lanes);
  double             timeline_height, lane_height, chart_height;
  cairo_surface_t   *surface, *chart;
  PangoContext      *context;
  cairo_rectangle_t  plot;
  MonitorChartLayout chart_layout;
  cairo_t           *cr;

  width = MAX (width, 200);
  height = MAX (height, 200);

  if (samples != NULL && g_list_model_get_n_items (samples) > 0)
    {
      g_autoptr(MpaioCpuSample) first = g_list_model_get_item (samples, 0);

      n_cores = mpaio_cpu_sample_get_n_cores (first);
    }
  else
    samples = G_LIST_MODEL (no_samples);

  /* The timeline takes what its lanes need, up to 45 % of the height. */
  lane_height =
    CLAMP ((height * 0.45 - 2 * HEADING) / MAX (n_lanes, 1) - LANE_SPACING, MIN_LANE, MAX_LANE);
  timeline_height = HEADING + n_lanes * (lane_height + LANE_SPACING) + 2 * MARGIN;
  chart_height = height - timeline_height - HEADING;

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cr = cairo_create (surface);
  context = pango_font_map_create_context (pango_cairo_font_map_get_default ());
  pango_cairo_context_set_resolution (context, 96.0);
  pango_cairo_update_context (cr, context);
  cairo_set_source_rgb (cr, 1.0, 1.0, 1.0);
  cairo_paint (cr);

  draw_text (cr, context,
             core_names != NULL ? "CPU utilisation per host and core" : "CPU utilisation per core",
             MARGIN, MARGIN / 2, TRUE, &foreground);
  chart = monitor_chart_render_image (samples, &axis, n_cores, core_names, TRUE, width,
                                      (int) chart_height);
  cairo_set_source_surface (cr, chart, 0, HEADING);
  cairo_paint (cr);
  cairo_surface_destroy (chart);

  /* The chart's plot area, for the timeline's time axis to match it. */
  monitor_chart_layout_init (&chart_layout, context, width - 16, (int) chart_height - 16, n_cores,
                             core_names, TRUE);
  plot = chart_layout.plot;
  plot.x += 8.0;

  cairo_translate (cr, 0, HEADING + chart_height);
  draw_text (cr, context, "Chunks by worker process", MARGIN, 0, TRUE, &foreground);
  cairo_translate (cr, 0, HEADING);

  for (guint r = 0; r < monitor_lane_layout_get_n_rows (lanes); r++)
    {
      const MonitorLaneRow *row = monitor_lane_layout_get_row (lanes, r);
      g_autofree char      *label = monitor_run_render_get_row_label (lanes, r);
      double                y = row->first_lane * (lane_height + LANE_SPACING);

      gdk_cairo_set_source_rgba (cr, &lane_background);
      cairo_rectangle (cr, plot.x, y, plot.width, row->n_lanes * (lane_height + LANE_SPACING));
      cairo_fill (cr);
      /* A rule over the first row of each machine after the first. */
      if (r > 0 && g_strcmp0 (row->host, monitor_lane_layout_get_row (lanes, r - 1)->host) != 0)
        {
          gdk_cairo_set_source_rgba (cr, &foreground);
          cairo_rectangle (cr, MARGIN, y - LANE_SPACING, plot.x + plot.width - MARGIN, 1.0);
          cairo_fill (cr);
        }
      if (lane_height >= 10)
        draw_text_within (cr, context, label, MARGIN, y + (lane_height - 14) / 2,
                          plot.x - MARGIN - 4, FALSE, &foreground);
    }

  cairo_save (cr);
  cairo_rectangle (cr, plot.x, 0, plot.width, n_lanes * (lane_height + LANE_SPACING));
  cairo_clip (cr);
  for (guint i = 0; i < monitor_lane_layout_get_n_bars (lanes); i++)
    {
      const MonitorLaneBar *bar = monitor_lane_layout_get_bar (lanes, i);
      const MonitorLaneRow *row = monitor_lane_layout_get_row (lanes, bar->row);
      double                x0 = monitor_chart_axis_to_x (&axis, &plot, (bar->start_us - origin_us) / 1e6);
      double                x1 = monitor_chart_axis_to_x (&axis, &plot, (bar->end_us - origin_us) / 1e6);
      double                y = (row->first_lane + bar->lane) * (lane_height + LANE_SPACING);
      GdkRGBA               color;

      /* As the window draws them: a cancelled chunk (or one the run ended
       * before it came back) an empty grey frame, a failed one red. */
      if (bar->outcome == MPAIO_CHUNK_OUTCOME_FAILED)
        {
          gdk_cairo_set_source_rgba (cr, &failed);
          cairo_rectangle (cr, x0, y, MAX (x1 - x0, 2.0), lane_height);
          cairo_fill (cr);
          continue;
        }
      if (bar->outcome != MPAIO_CHUNK_OUTCOME_DONE)
        {
          gdk_cairo_set_source_rgba (cr, &cancelled);
          cairo_set_line_width (cr, 1.0);
          cairo_rectangle (cr, x0 + 0.5, y + 0.5, MAX (x1 - x0, 2.0) - 1.0, lane_height - 1.0);
          cairo_stroke (cr);
          continue;
        }

      monitor_chart_palette_get_worker_color (bar->row, &color);
      gdk_cairo_set_source_rgba (cr, &color);
      /* At least a pixel, and a gap to the next chunk when there is room,
       * so that chunks stay countable. */
      if (x1 - x0 >= 3.0)
        x1 -= 1.0;
      cairo_rectangle (cr, x0, y, MAX (x1 - x0, 1.0), lane_height);
      cairo_fill (cr);
    }
  cairo_restore (cr);

  cairo_destroy (cr);
  g_object_unref (context);
  cairo_surface_flush (surface);

  return surface;
}

gboolean
monitor_run_render_to_png (
  const char *run_path, const char *png_path, int width, int height, GError **error)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (run_path);
  g_autoptr(MpaioRunReport) report = mpaio_run_report_new_from_file (file, NULL, error);
  cairo_surface_t *surface;
  cairo_status_t   status;

  if (report == NULL)
    {
      g_prefix_error (error, "%s: ", run_path);
      return FALSE;
    }

  surface = monitor_run_render_image (report, width, height);
  status = cairo_surface_write_to_png (surface, png_path);
  cairo_surface_destroy (surface);

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Could not write %s: %s", png_path,
                   cairo_status_to_string (status));
      return FALSE;
    }

  return TRUE;
}
