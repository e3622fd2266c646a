/* test-cpu-monitor.c: MpaioCpuMonitor, MpaioCpuSample and their arithmetic
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <locale.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include <glib/gstdio.h>
#include <glibtop.h>
#include <glibtop/cpu.h>

#include "mpaio.h"
#include "mpaio-cpu-counters-private.h"
#include "mpaio-cpu-monitor-private.h"

#define assert_percent(v)              \
  G_STMT_START                         \
  {                                    \
    gdouble _v = (v);                  \
    g_assert_true (isfinite (_v));     \
    g_assert_cmpfloat (_v, >=, 0.0);   \
    g_assert_cmpfloat (_v, <=, 100.0); \
  }                                    \
  G_STMT_END

/* Counters: the arithmetic, fed by the test */

static void
test_counters_prime (void)
{
  g_autoptr(MpaioCpuCounters) counters = _mpaio_cpu_counters_new (2);
  const guint64 total0[] = { 10000, 20000 };
  const guint64 idle0[] = { 4000, 19000 };
  const guint64 total1[] = { 10100, 20100 };
  const guint64 idle1[] = { 4050, 19100 };
  gdouble       values[2] = { -1.0, -1.0 };
  gdouble       total = -1.0;

  g_assert_cmpuint (_mpaio_cpu_counters_get_n_cores (counters), ==, 2);

  /* Counters since boot would give a since-boot average (60 % and 5 %):
   * the first call only primes. */
  g_assert_false (_mpaio_cpu_counters_update (counters, total0, idle0, NULL, values, &total));
  g_assert_cmpfloat (values[0], ==, 0.0);
  g_assert_cmpfloat (values[1], ==, 0.0);
  g_assert_cmpfloat (total, ==, 0.0);

  g_assert_true (_mpaio_cpu_counters_update (counters, total1, idle1, NULL, values, &total));
  g_assert_cmpfloat (values[0], ==, 50.0);
  g_assert_cmpfloat (values[1], ==, 0.0);
  g_assert_cmpfloat (total, ==, 25.0);

  /* After a reset the next call primes again. */
  _mpaio_cpu_counters_reset (counters);
  g_assert_false (_mpaio_cpu_counters_update (counters, total0, idle0, NULL, values, &total));
  g_assert_cmpfloat (values[0], ==, 0.0);
  g_assert_true (_mpaio_cpu_counters_update (counters, total1, idle1, NULL, values, &total));
  g_assert_cmpfloat (values[0], ==, 50.0);
}

static void
test_counters_exact (void)
{
  g_autoptr(MpaioCpuCounters) counters = _mpaio_cpu_counters_new (4);
  const guint64 total0[] = { 1000, 1000, 1000, 1000 };
  const guint64 idle0[] = { 500, 500, 500, 500 };
  const guint64 total1[] = { 1100, 1100, 1020, 1200 };
  const guint64 idle1[] = { 525, 500, 520, 501 };
  gdouble       values[4];
  gdouble       total;

  _mpaio_cpu_counters_update (counters, total0, idle0, NULL, values, &total);
  g_assert_true (_mpaio_cpu_counters_update (counters, total1, idle1, NULL, values, &total));

  g_assert_cmpfloat (values[0], ==, 75.0);  /* Δtotal 100, Δidle 25 */
  g_assert_cmpfloat (values[1], ==, 100.0); /* Δtotal 100, Δidle 0 */
  g_assert_cmpfloat (values[2], ==, 0.0);   /* Δtotal 20, Δidle 20 */
  g_assert_cmpfloat (values[3], ==, 99.5);  /* Δtotal 200, Δidle 1 */
  /* (75 + 100 + 0 + 199) / (100 + 100 + 20 + 200) */
  g_assert_cmpfloat_with_epsilon (total, 100.0 * 374.0 / 420.0, 1e-9);
}

static void
test_counters_iowait (void)
{
  g_autoptr(MpaioCpuCounters) counters = _mpaio_cpu_counters_new (2);
  const guint64 total0[] = { 1000, 1000 };
  const guint64 idle0[] = { 100, 100 };
  const guint64 iowait0[] = { 50, 50 };
  /* Core 0: Δidle 20, Δiowait 30. Core 1: iowait went back by 10 while
   * idle grew by 40, as Linux's iowait may: the sum grew by 30. */
  const guint64 total1[] = { 1100, 1100 };
  const guint64 idle1[] = { 120, 140 };
  const guint64 iowait1[] = { 80, 40 };
  guint64       idle_with_iowait0[2];
  guint64       idle_with_iowait1[2];
  gdouble       values[2];
  gdouble       total;

  _mpaio_cpu_counters_update (counters, total0, idle0, iowait0, values, &total);
  g_assert_true (_mpaio_cpu_counters_update (counters, total1, idle1, iowait1, values, &total));
  g_assert_cmpfloat (values[0], ==, 50.0);
  g_assert_cmpfloat (values[1], ==, 70.0);
  g_assert_cmpfloat (total, ==, 60.0);

  /* The same counters with iowait already added to idle. */
  for (guint i = 0; i < 2; i++)
    {
      idle_with_iowait0[i] = idle0[i] + iowait0[i];
      idle_with_iowait1[i] = idle1[i] + iowait1[i];
    }
  _mpaio_cpu_counters_reset (counters);
  _mpaio_cpu_counters_update (counters, total0, idle_with_iowait0, NULL, values, &total);
  g_assert_true (_mpaio_cpu_counters_update (counters, total1, idle_with_iowait1, NULL, values,
                                             &total));
  g_assert_cmpfloat (values[0], ==, 50.0);
  g_assert_cmpfloat (values[1], ==, 70.0);
  g_assert_cmpfloat (total, ==, 60.0);
}

static void
test_counters_stalled (void)
{
  g_autoptr(MpaioCpuCounters) counters = _mpaio_cpu_counters_new (2);
  const guint64 total0[] = { 1000, 1000 };
  const guint64 idle0[] = { 500, 500 };
  const guint64 total1[] = { 1000, 1100 };
  const guint64 idle1[] = { 500, 550 };
  gdouble       values[2];
  gdouble       total;

  _mpaio_cpu_counters_update (counters, total0, idle0, NULL, values, &total);

  /* Core 0 did not tick: 0 %, not 0/0; it does not weigh in the total. */
  g_assert_true (_mpaio_cpu_counters_update (counters, total1, idle1, NULL, values, &total));
  g_assert_cmpfloat (values[0], ==, 0.0);
  g_assert_false (isnan (values[0]));
  g_assert_cmpfloat (values[1], ==, 50.0);
  g_assert_cmpfloat (total, ==, 50.0);

  /* Nothing ticked at all. */
  g_assert_true (_mpaio_cpu_counters_update (counters, total1, idle1, NULL, values, &total));
  g_assert_cmpfloat (values[0], ==, 0.0);
  g_assert_cmpfloat (values[1], ==, 0.0);
  g_assert_cmpfloat (total, ==, 0.0);
  g_assert_false (isnan (total));
}

static void
test_counters_wrapped (void)
{
  g_autoptr(MpaioCpuCounters) counters = _mpaio_cpu_counters_new (3);
  const guint64 total0[] = { G_MAXUINT64 - 50, 1000, 1000 };
  const guint64 idle0[] = { 100, 500, 500 };
  /* Core 0's total wrapped, core 1's idle went backwards (a reset), core 2
   * is well. */
  const guint64 total1[] = { 49, 1100, 1100 };
  const guint64 idle1[] = { 110, 400, 525 };
  /* From the new baselines. */
  const guint64 total2[] = { 149, 1200, 1200 };
  const guint64 idle2[] = { 120, 480, 550 };
  gdouble       values[3];
  gdouble       total;

  _mpaio_cpu_counters_update (counters, total0, idle0, NULL, values, &total);

  g_assert_true (_mpaio_cpu_counters_update (counters, total1, idle1, NULL, values, &total));
  g_assert_cmpfloat (values[0], ==, 0.0);
  g_assert_cmpfloat (values[1], ==, 0.0);
  g_assert_cmpfloat (values[2], ==, 75.0);
  /* Only core 2 had a valid delta. */
  g_assert_cmpfloat (total, ==, 75.0);

  g_assert_true (_mpaio_cpu_counters_update (counters, total2, idle2, NULL, values, &total));
  g_assert_cmpfloat (values[0], ==, 90.0);
  g_assert_cmpfloat (values[1], ==, 20.0);
  g_assert_cmpfloat (values[2], ==, 75.0);
  g_assert_cmpfloat_with_epsilon (total, 100.0 * (90.0 + 20.0 + 75.0) / 300.0, 1e-9);
}

static void
test_counters_offline (void)
{
  g_autoptr(MpaioCpuCounters) counters = _mpaio_cpu_counters_new (2);
  const guint64 total0[] = { 1000, 1000 };
  const guint64 idle0[] = { 500, 500 };
  const guint64 total1[] = { 1100, 0 };
  const guint64 idle1[] = { 550, 0 };
  /* Back online: its counters are since boot again. */
  const guint64 total2[] = { 1200, 5000 };
  const guint64 idle2[] = { 600, 1000 };
  const guint64 total3[] = { 1300, 5100 };
  const guint64 idle3[] = { 650, 1010 };
  gdouble       values[2];
  gdouble       total;

  _mpaio_cpu_counters_update (counters, total0, idle0, NULL, values, &total);

  g_assert_true (_mpaio_cpu_counters_update (counters, total1, idle1, NULL, values, &total));
  g_assert_cmpfloat (values[0], ==, 50.0);
  g_assert_cmpfloat (values[1], ==, 0.0);
  g_assert_cmpfloat (total, ==, 50.0);

  g_assert_true (_mpaio_cpu_counters_update (counters, total2, idle2, NULL, values, &total));
  g_assert_cmpfloat (values[0], ==, 50.0);
  g_assert_cmpfloat (values[1], ==, 0.0);
  g_assert_cmpfloat (total, ==, 50.0);

  g_assert_true (_mpaio_cpu_counters_update (counters, total3, idle3, NULL, values, &total));
  g_assert_cmpfloat (values[0], ==, 50.0);
  g_assert_cmpfloat (values[1], ==, 90.0);
  g_assert_cmpfloat (total, ==, 70.0);
}

static void
test_counters_total_summed (void)
{
  g_autoptr(MpaioCpuCounters) counters = _mpaio_cpu_counters_new (2);
  const guint64 total0[] = { 1000, 1000 };
  const guint64 idle0[] = { 500, 500 };
  const guint64 total1[] = { 1100, 1300 };
  const guint64 idle1[] = { 500, 800 };
  gdouble       values[2];
  gdouble       total;

  _mpaio_cpu_counters_update (counters, total0, idle0, NULL, values, &total);
  g_assert_true (_mpaio_cpu_counters_update (counters, total1, idle1, NULL, values, &total));
  g_assert_cmpfloat (values[0], ==, 100.0);
  g_assert_cmpfloat (values[1], ==, 0.0);
  /* 100 busy ticks of 400, not the mean of 100 % and 0 %. */
  g_assert_cmpfloat (total, ==, 25.0);
}

static void
test_counters_clamped (void)
{
  g_autoptr(MpaioCpuCounters) counters = _mpaio_cpu_counters_new (1);
  const guint64 total0[] = { 1000 };
  const guint64 idle0[] = { 500 };
  const guint64 iowait0[] = { 100 };
  /* idle + iowait moved by 12 while total moved by 10: read at different
   * instants. Never negative. */
  const guint64 total1[] = { 1010 };
  const guint64 idle1[] = { 510 };
  const guint64 iowait1[] = { 102 };
  gdouble       values[1];
  gdouble       total;

  _mpaio_cpu_counters_update (counters, total0, idle0, iowait0, values, &total);
  g_assert_true (_mpaio_cpu_counters_update (counters, total1, idle1, iowait1, values, &total));
  g_assert_cmpfloat (values[0], ==, 0.0);
  g_assert_cmpfloat (total, ==, 0.0);
}

/* MpaioCpuSample */

static void
test_sample_basic (void)
{
  gdouble values[] = { 12.5, 100.0, 0.0 };
  g_autoptr(MpaioCpuSample) sample = mpaio_cpu_sample_new (1.25, values, 3, 37.5);
  g_autoptr(MpaioCpuSample) empty = mpaio_cpu_sample_new (0.0, NULL, 0, 0.0);
  const gdouble *got;
  guint          n = 0;
  gdouble        time = 0.0;
  gdouble        total = 0.0;
  guint          n_cores = 0;

  values[0] = -1.0; /* the sample holds a copy */

  g_assert_cmpfloat (mpaio_cpu_sample_get_time (sample), ==, 1.25);
  g_assert_cmpuint (mpaio_cpu_sample_get_n_cores (sample), ==, 3);
  g_assert_cmpfloat (mpaio_cpu_sample_get_total (sample), ==, 37.5);
  got = mpaio_cpu_sample_get_values (sample, &n);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpfloat (got[0], ==, 12.5);
  g_assert_cmpfloat (got[1], ==, 100.0);
  g_assert_cmpfloat (got[2], ==, 0.0);
  g_assert_cmpfloat (mpaio_cpu_sample_get_value (sample, 1), ==, 100.0);

  g_object_get (sample, "time", &time, "total", &total, "n-cores", &n_cores, NULL);
  g_assert_cmpfloat (time, ==, 1.25);
  g_assert_cmpfloat (total, ==, 37.5);
  g_assert_cmpuint (n_cores, ==, 3);

  g_assert_null (mpaio_cpu_sample_get_values (empty, &n));
  g_assert_cmpuint (n, ==, 0);
}

/* MpaioCpuMonitor with counters fed by the test */

typedef struct
{
  guint64 *total;
  guint64 *idle;
  guint64 *iowait;
  guint    n_cores;
} FakeCounters;

static void
fake_counters_init (FakeCounters *fake,
                    guint         n_cores)
{
  fake->n_cores = n_cores;
  fake->total = g_new (guint64, n_cores);
  fake->idle = g_new (guint64, n_cores);
  fake->iowait = g_new (guint64, n_cores);
  for (guint i = 0; i < n_cores; i++)
    {
      fake->total[i] = 100000;
      fake->idle[i] = 50000;
      fake->iowait[i] = 1000;
    }
}

static void
fake_counters_clear (FakeCounters *fake)
{
  g_clear_pointer (&fake->total, g_free);
  g_clear_pointer (&fake->idle, g_free);
  g_clear_pointer (&fake->iowait, g_free);
}

/* 20 ticks per core; core i is busy for (5 * (i + step)) % 25 of them,
 * all of it when that is 20: busy percentages are multiples of 25. */
static void
fake_counters_advance (FakeCounters *fake,
                       guint         step)
{
  for (guint i = 0; i < fake->n_cores; i++)
    {
      guint busy = MIN ((5 * (i + step)) % 25, 20);

      fake->total[i] += 20;
      fake->idle[i] += (20 - busy) / 2;
      fake->iowait[i] += (20 - busy) - (20 - busy) / 2;
    }
}

static gdouble
fake_expected (guint core,
               guint step)
{
  return 100.0 * MIN ((5 * (core + step)) % 25, 20) / 20.0;
}

static void
on_sample_count (MpaioCpuMonitor *monitor,
                 MpaioCpuSample  *sample,
                 gpointer         user_data)
{
  guint *count = user_data;

  g_assert_true (MPAIO_IS_CPU_SAMPLE (sample));
  (*count)++;
}

static void
test_monitor_properties (void)
{
  g_autoptr(MpaioCpuMonitor) monitor = mpaio_cpu_monitor_new ();
  g_autoptr(GListModel) samples = NULL;
  guint    interval = 0;
  guint    n_cores = 0;
  gboolean running = TRUE;

  g_object_get (monitor,
                "interval", &interval,
                "n-cores", &n_cores,
                "running", &running,
                "samples", &samples,
                NULL);
  g_assert_cmpuint (interval, ==, 200);
  g_assert_cmpuint (n_cores, >=, 1);
  g_assert_cmpuint (n_cores, ==, mpaio_cpu_monitor_get_n_cores (monitor));
  g_assert_false (running);
  g_assert_true (samples == mpaio_cpu_monitor_get_samples (monitor));
  g_assert_true (g_list_model_get_item_type (samples) == MPAIO_TYPE_CPU_SAMPLE);
  g_assert_cmpuint (g_list_model_get_n_items (samples), ==, 0);
  g_assert_cmpint (mpaio_cpu_monitor_get_start_time (monitor), ==, 0);

  g_object_set (monitor, "interval", 50, NULL);
  g_assert_cmpuint (mpaio_cpu_monitor_get_interval (monitor), ==, 50);

  mpaio_cpu_monitor_start (monitor);
  g_assert_true (mpaio_cpu_monitor_get_running (monitor));
  g_assert_cmpint (mpaio_cpu_monitor_get_start_time (monitor), >, 0);
  /* Changing the interval of a running monitor keeps it running. */
  mpaio_cpu_monitor_set_interval (monitor, 100);
  g_assert_true (mpaio_cpu_monitor_get_running (monitor));
  mpaio_cpu_monitor_start (monitor);
  mpaio_cpu_monitor_stop (monitor);
  g_assert_false (mpaio_cpu_monitor_get_running (monitor));
  mpaio_cpu_monitor_stop (monitor);
  /* The priming reading is not a sample. */
  g_assert_cmpuint (g_list_model_get_n_items (samples), ==, 0);
}

static void
test_monitor_feed (void)
{
  g_autoptr(MpaioCpuMonitor) monitor = mpaio_cpu_monitor_new ();
  GListModel  *samples = mpaio_cpu_monitor_get_samples (monitor);
  guint        n_cores = mpaio_cpu_monitor_get_n_cores (monitor);
  FakeCounters fake;
  guint        count = 0;

  fake_counters_init (&fake, n_cores);
  g_signal_connect (monitor, "sample", G_CALLBACK (on_sample_count), &count);

  g_assert_null (_mpaio_cpu_monitor_record_counters (monitor, 5000000, fake.total, fake.idle, fake.iowait));
  g_assert_cmpint (mpaio_cpu_monitor_get_start_time (monitor), ==, 5000000);

  for (guint step = 1; step <= 5; step++)
    {
      g_autoptr(MpaioCpuSample) sample = NULL;
      gdouble sum = 0.0;

      fake_counters_advance (&fake, step);
      sample = _mpaio_cpu_monitor_record_counters (monitor, 5000000 + step * 200000, fake.total, fake.idle,
                                                   fake.iowait);
      g_assert_nonnull (sample);
      g_assert_cmpuint (count, ==, step);
      g_assert_cmpuint (g_list_model_get_n_items (samples), ==, step);
      g_assert_cmpfloat_with_epsilon (mpaio_cpu_sample_get_time (sample), step * 0.2, 1e-9);
      g_assert_cmpuint (mpaio_cpu_sample_get_n_cores (sample), ==, n_cores);

      for (guint i = 0; i < n_cores; i++)
        {
          g_assert_cmpfloat (mpaio_cpu_sample_get_value (sample, i), ==, fake_expected (i, step));
          sum += fake_expected (i, step);
        }
      /* Equal Δtotal on every core: here the total is the mean. */
      g_assert_cmpfloat_with_epsilon (mpaio_cpu_sample_get_total (sample), sum / n_cores, 1e-9);
    }

  mpaio_cpu_monitor_set_max_samples (monitor, 3);
  g_assert_cmpuint (g_list_model_get_n_items (samples), ==, 3);
  {
    g_autoptr(MpaioCpuSample) oldest = g_list_model_get_item (samples, 0);

    g_assert_cmpfloat_with_epsilon (mpaio_cpu_sample_get_time (oldest), 0.6, 1e-9);
  }
  fake_counters_advance (&fake, 6);
  {
    g_autoptr(MpaioCpuSample) sample = _mpaio_cpu_monitor_record_counters (monitor, 6400000, fake.total,
                                                                            fake.idle, fake.iowait);

    g_assert_nonnull (sample);
  }
  g_assert_cmpuint (g_list_model_get_n_items (samples), ==, 3);

  /* Clearing a stopped monitor starts a new time axis. */
  mpaio_cpu_monitor_clear (monitor);
  g_assert_cmpuint (g_list_model_get_n_items (samples), ==, 0);
  g_assert_cmpint (mpaio_cpu_monitor_get_start_time (monitor), ==, 0);

  fake_counters_clear (&fake);
}

/* CSV */

static gchar *
write_monitor_csv (MpaioCpuMonitor *monitor)
{
  g_autoptr(GOutputStream) stream = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  g_assert_true (mpaio_cpu_monitor_write_csv (monitor, stream, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (stream, "", 1, NULL, NULL, NULL));
  g_assert_true (g_output_stream_close (stream, NULL, NULL));

  return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (stream));
}

static gchar *
expected_header (guint n_cores)
{
  GString *header = g_string_new ("time");

  for (guint i = 0; i < n_cores; i++)
    g_string_append_printf (header, ",core_%u", i);
  g_string_append (header, ",total");

  return g_string_free (header, FALSE);
}

static gdouble
parse_field (const gchar *field)
{
  gchar  *end = NULL;
  gdouble value;

  g_assert_cmpstr (field, !=, "");
  value = g_ascii_strtod (field, &end);
  g_assert_true (end != field);
  g_assert_cmpstr (end, ==, "");

  return value;
}

/* Checks @csv against @samples, returns the number of rows. */
static guint
check_csv (const gchar *csv,
           GListModel  *samples,
           guint        n_cores)
{
  g_auto(GStrv) lines = g_strsplit (csv, "\n", -1);
  g_autofree gchar *header = expected_header (n_cores);
  guint             n_lines = g_strv_length (lines);
  guint             n_rows;

  /* One line per row, each ended by a newline: the last piece is empty. */
  g_assert_cmpuint (n_lines, >=, 2);
  g_assert_cmpstr (lines[n_lines - 1], ==, "");
  g_assert_cmpstr (lines[0], ==, header);
  n_rows = n_lines - 2;
  g_assert_cmpuint (n_rows, ==, g_list_model_get_n_items (samples));

  for (guint r = 0; r < n_rows; r++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[r + 1], ",", -1);
      g_autoptr(MpaioCpuSample) sample = g_list_model_get_item (samples, r);
      gdouble time;

      g_assert_cmpuint (g_strv_length (fields), ==, n_cores + 2);
      time = parse_field (fields[0]);
      g_assert_cmpfloat (fabs (time - mpaio_cpu_sample_get_time (sample)), <=, 0.0005);
      for (guint c = 0; c < n_cores; c++)
        {
          gdouble v = parse_field (fields[c + 1]);

          assert_percent (v);
          g_assert_cmpfloat (fabs (v - mpaio_cpu_sample_get_value (sample, c)), <=, 0.0005);
        }
      assert_percent (parse_field (fields[n_cores + 1]));
      g_assert_cmpfloat (fabs (parse_field (fields[n_cores + 1]) - mpaio_cpu_sample_get_total (sample)),
                         <=, 0.0005);
    }

  return n_rows;
}

static void
feed_steps (MpaioCpuMonitor *monitor,
            FakeCounters    *fake,
            guint            n_steps)
{
  _mpaio_cpu_monitor_record_counters (monitor, 1000000, fake->total, fake->idle, fake->iowait);
  for (guint step = 1; step <= n_steps; step++)
    {
      g_autoptr(MpaioCpuSample) sample = NULL;

      fake_counters_advance (fake, step);
      sample = _mpaio_cpu_monitor_record_counters (monitor, 1000000 + step * 123457, fake->total, fake->idle,
                                                   fake->iowait);
    }
}

static void
test_csv_stream (void)
{
  g_autoptr(MpaioCpuMonitor) monitor = mpaio_cpu_monitor_new ();
  guint             n_cores = mpaio_cpu_monitor_get_n_cores (monitor);
  g_autofree gchar *empty_csv = NULL;
  g_autofree gchar *csv = NULL;
  g_autofree gchar *header = expected_header (n_cores);
  g_autofree gchar *header_line = g_strconcat (header, "\n", NULL);
  FakeCounters      fake;

  /* No samples yet: still a column per core. */
  empty_csv = write_monitor_csv (monitor);
  g_assert_cmpstr (empty_csv, ==, header_line);

  fake_counters_init (&fake, n_cores);
  feed_steps (monitor, &fake, 7);

  csv = write_monitor_csv (monitor);
  g_assert_cmpuint (check_csv (csv, mpaio_cpu_monitor_get_samples (monitor), n_cores), ==, 7);
  /* Exact text of the first row's time: 0.123457 s with three decimals. */
  g_assert_nonnull (strstr (csv, "\n0.123,"));

  fake_counters_clear (&fake);
}

static void
test_csv_fixed_model (void)
{
  g_autoptr(GListStore) store = g_list_store_new (MPAIO_TYPE_CPU_SAMPLE);
  g_autoptr(GListStore) wrong = g_list_store_new (G_TYPE_OBJECT);
  g_autoptr(GOutputStream) stream = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) unused = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  const gdouble two[] = { 12.5, 100.0 };
  const gdouble three[] = { 0.0, 33.3333, 66.6667 };
  const gchar  *expected =
    "time,core_0,core_1,core_2,total\n"
    "0.200,12.500,100.000,,56.250\n"
    "0.400,0.000,33.333,66.667,33.333\n";
  gchar *data;

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(MpaioCpuSample) sample = i == 0 ? mpaio_cpu_sample_new (0.2, two, 2, 56.25)
                                                 : mpaio_cpu_sample_new (0.4, three, 3, 33.3333);

      g_list_store_append (store, sample);
    }

  g_assert_true (mpaio_cpu_samples_write_csv (G_LIST_MODEL (store), stream, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (stream, "", 1, NULL, NULL, NULL));
  g_assert_true (g_output_stream_close (stream, NULL, NULL));
  data = g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (stream));
  g_assert_cmpstr (data, ==, expected);

  /* Not a model of samples: an error, nothing written. */
  {
    g_autoptr(GObject) object = g_object_new (G_TYPE_OBJECT, NULL);
    g_list_store_append (wrong, object);
  }
  g_assert_false (mpaio_cpu_samples_write_csv (G_LIST_MODEL (wrong), unused, NULL, &error));
  g_assert_error (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpuint (g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (unused)), ==, 0);
}

static void
test_csv_locale (void)
{
  static const gchar *const locales[] = { "de_DE.UTF-8", "fr_FR.UTF-8", "de_DE.utf8", "fr_FR.utf8" };
  g_autofree gchar         *old = g_strdup (setlocale (LC_NUMERIC, NULL));
  g_autoptr(MpaioCpuMonitor) monitor = mpaio_cpu_monitor_new ();
  g_autofree gchar *csv = NULL;
  const gchar      *found = NULL;
  FakeCounters      fake;

  for (guint i = 0; i < G_N_ELEMENTS (locales) && found == NULL; i++)
    if (setlocale (LC_NUMERIC, locales[i]) != NULL)
      found = locales[i];

  if (found == NULL)
    {
      g_test_skip ("No locale with a decimal comma is installed");
      return;
    }

  fake_counters_init (&fake, mpaio_cpu_monitor_get_n_cores (monitor));
  feed_steps (monitor, &fake, 3);
  csv = write_monitor_csv (monitor);
  setlocale (LC_NUMERIC, old);

  check_csv (csv, mpaio_cpu_monitor_get_samples (monitor), mpaio_cpu_monitor_get_n_cores (monitor));
  fake_counters_clear (&fake);
}

static void
test_csv_file (void)
{
  g_autoptr(MpaioCpuMonitor) monitor = mpaio_cpu_monitor_new ();
  g_autoptr(GError) error = NULL;
  g_autofree gchar *dir = g_dir_make_tmp ("mpaio-cpu-XXXXXX", &error);
  g_autofree gchar *path = NULL;
  g_autofree gchar *from_file = NULL;
  g_autofree gchar *from_stream = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFile) missing = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  FakeCounters fake;

  g_assert_no_error (error);
  path = g_build_filename (dir, "cpu.csv", NULL);
  file = g_file_new_for_path (path);

  fake_counters_init (&fake, mpaio_cpu_monitor_get_n_cores (monitor));
  feed_steps (monitor, &fake, 4);

  g_assert_true (mpaio_cpu_monitor_write_csv_to_file (monitor, file, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &from_file, NULL, &error));
  from_stream = write_monitor_csv (monitor);
  g_assert_cmpstr (from_file, ==, from_stream);

  /* A failed export leaves the previous file alone. */
  g_cancellable_cancel (cancellable);
  g_assert_false (mpaio_cpu_monitor_write_csv_to_file (monitor, file, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_clear_pointer (&from_file, g_free);
  g_assert_true (g_file_get_contents (path, &from_file, NULL, NULL));
  g_assert_cmpstr (from_file, ==, from_stream);

  missing = g_file_new_build_filename (dir, "no", "such", "dir.csv", NULL);
  g_assert_false (mpaio_cpu_monitor_write_csv_to_file (monitor, missing, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);

  g_assert_cmpint (g_remove (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
  fake_counters_clear (&fake);
}

/* Live sampling */

#define LIVE_SAMPLES   10
#define LIVE_INTERVAL  100
#define LIVE_TIMEOUT_S 30

typedef struct
{
  GMainContext *context;
  guint         n_samples;
  guint         n_wrong_context;
  guint         n_insane;
  guint         n_cores;
  gdouble       last_time;
  gdouble       max_core;
  gdouble       max_total;
  gboolean      timed_out;
} LiveData;

static void
on_live_sample (MpaioCpuMonitor *monitor,
                MpaioCpuSample  *sample,
                gpointer         user_data)
{
  LiveData      *data = user_data;
  const gdouble *values;
  guint          n = 0;
  gdouble        time = mpaio_cpu_sample_get_time (sample);
  gdouble        total = mpaio_cpu_sample_get_total (sample);

  /* Recorded, asserted later on the main thread, after the busy child is
   * gone: an assertion here could leave it spinning. */
  if (g_main_context_get_thread_default () != data->context
      && !(data->context == g_main_context_default () && g_main_context_get_thread_default () == NULL))
    data->n_wrong_context++;

  values = mpaio_cpu_sample_get_values (sample, &n);
  if (n != data->n_cores || time <= data->last_time
      || !isfinite (total) || total < 0.0 || total > 100.0)
    data->n_insane++;

  for (guint i = 0; i < n; i++)
    {
      if (!isfinite (values[i]) || values[i] < 0.0 || values[i] > 100.0)
        data->n_insane++;
      else
        data->max_core = MAX (data->max_core, values[i]);
    }

  data->max_total = MAX (data->max_total, total);
  data->last_time = time;
  data->n_samples++;
}

static gboolean
on_live_timeout (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;

  return G_SOURCE_REMOVE;
}

static void
run_live_monitor (LiveData *data)
{
  g_autoptr(MpaioCpuMonitor) monitor = mpaio_cpu_monitor_new ();
  g_autoptr(GSource) timeout = g_timeout_source_new_seconds (LIVE_TIMEOUT_S);

  data->n_cores = mpaio_cpu_monitor_get_n_cores (monitor);
  data->last_time = -1.0;

  g_source_set_callback (timeout, on_live_timeout, &data->timed_out, NULL);
  g_source_attach (timeout, data->context);

  mpaio_cpu_monitor_set_interval (monitor, LIVE_INTERVAL);
  g_signal_connect (monitor, "sample", G_CALLBACK (on_live_sample), data);
  mpaio_cpu_monitor_start (monitor);

  while (data->n_samples < LIVE_SAMPLES && !data->timed_out)
    g_main_context_iteration (data->context, TRUE);

  mpaio_cpu_monitor_stop (monitor);
  g_source_destroy (timeout);
}

static gpointer
second_sampler_thread (gpointer user_data)
{
  LiveData *data = user_data;

  g_main_context_push_thread_default (data->context);
  run_live_monitor (data);
  g_main_context_pop_thread_default (data->context);

  return NULL;
}

static void
busy_child_setup (gpointer user_data)
{
  int       cpu = GPOINTER_TO_INT (user_data);
  cpu_set_t set;

  /* A failed test must not leave a spinning child behind. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);

  /* Pinned, so the scheduler cannot spread its load over two cores. */
  if (cpu >= 0)
    {
      CPU_ZERO (&set);
      CPU_SET (cpu, &set);
      sched_setaffinity (0, sizeof set, &set);
    }
}

static GSubprocess *
spawn_busy_child (void)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GError) error = NULL;
  GSubprocess *child;
  cpu_set_t    allowed;
  int          cpu = -1;

  if (sched_getaffinity (0, sizeof allowed, &allowed) == 0)
    {
      for (int i = 0; i < CPU_SETSIZE && cpu < 0; i++)
        if (CPU_ISSET (i, &allowed))
          cpu = i;
    }

  g_subprocess_launcher_set_child_setup (launcher, busy_child_setup, GINT_TO_POINTER (cpu), NULL);
  child = g_subprocess_launcher_spawn (launcher, &error, "/bin/sh", "-c", "while :; do :; done",
                                       NULL);
  g_assert_no_error (error);

  return child;
}

static void
test_monitor_live (void)
{
  g_autoptr(GSubprocess) child = spawn_busy_child ();
  g_autoptr(GMainContext) thread_context = g_main_context_new ();
  LiveData main_data = { .context = g_main_context_default () };
  LiveData thread_data = { .context = thread_context };
  GThread *thread;

  thread = g_thread_new ("second-sampler", second_sampler_thread, &thread_data);
  run_live_monitor (&main_data);
  g_thread_join (thread);

  g_subprocess_force_exit (child);
  g_assert_true (g_subprocess_wait (child, NULL, NULL));

  g_test_message ("main monitor: %u samples, busiest core %.1f %%, busiest total %.1f %%",
                  main_data.n_samples, main_data.max_core, main_data.max_total);
  g_test_message ("second monitor: %u samples, busiest core %.1f %%, busiest total %.1f %%",
                  thread_data.n_samples, thread_data.max_core, thread_data.max_total);

  for (guint i = 0; i < 2; i++)
    {
      LiveData *data = i == 0 ? &main_data : &thread_data;

      g_assert_false (data->timed_out);
      g_assert_cmpuint (data->n_samples, >=, LIVE_SAMPLES);
      g_assert_cmpuint (data->n_insane, ==, 0);
      g_assert_cmpuint (data->n_wrong_context, ==, 0);
      /* The busy child's core shows in the machine's figure too. */
      g_assert_cmpfloat (data->max_total, >, 0.0);
    }

  g_assert_cmpfloat (main_data.max_core, >=, 80.0);
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

static void
report_cost (const gchar *what,
             gint64      *us,
             guint        n)
{
  gint64 sum = 0;

  for (guint i = 0; i < n; i++)
    sum += us[i];
  qsort (us, n, sizeof (gint64), compare_gint64);

  g_test_message ("%s: mean %.1f us, median %" G_GINT64_FORMAT " us, 99th percentile %" G_GINT64_FORMAT
                  " us, max %" G_GINT64_FORMAT " us (%u samples)",
                  what, (gdouble) sum / n, us[n / 2], us[(n * 99) / 100], us[n - 1], n);
}

/* What a sample costs the main loop: libgtop read, deltas, a new sample in
 * the store and the signal; and the libgtop read alone, for comparison. No
 * assertion on the figures: they depend on the machine and its load. */
static void
test_monitor_cost (void)
{
  g_autoptr(MpaioCpuMonitor) monitor = mpaio_cpu_monitor_new ();
  g_autofree gint64      *sample_us = NULL;
  g_autofree gint64      *read_us = NULL;
  g_autofree glibtop_cpu *cpu = g_new0 (glibtop_cpu, 1);
  guint                   n = g_test_perf () ? 10000 : 1000;
  guint                   count = 0;

  sample_us = g_new (gint64, n);
  read_us = g_new (gint64, n);

  g_signal_connect (monitor, "sample", G_CALLBACK (on_sample_count), &count);
  g_assert_null (_mpaio_cpu_monitor_take_sample (monitor));

  for (guint i = 0; i < n; i++)
    {
      gint64          t0 = g_get_monotonic_time ();
      MpaioCpuSample *sample = _mpaio_cpu_monitor_take_sample (monitor);

      sample_us[i] = g_get_monotonic_time () - t0;
      g_assert_nonnull (sample);
      g_object_unref (sample);

      t0 = g_get_monotonic_time ();
      glibtop_get_cpu (cpu);
      read_us[i] = g_get_monotonic_time () - t0;
    }

  g_assert_cmpuint (count, ==, n);
  g_assert_cmpuint (g_list_model_get_n_items (mpaio_cpu_monitor_get_samples (monitor)), ==, n);

  report_cost ("per sample (read + deltas + store + signal)", sample_us, n);
  report_cost ("glibtop_get_cpu alone", read_us, n);
}

int
main (int    argc,
      char **argv)
{
  mpaio_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cpu-counters/prime", test_counters_prime);
  g_test_add_func ("/cpu-counters/exact", test_counters_exact);
  g_test_add_func ("/cpu-counters/iowait", test_counters_iowait);
  g_test_add_func ("/cpu-counters/stalled", test_counters_stalled);
  g_test_add_func ("/cpu-counters/wrapped", test_counters_wrapped);
  g_test_add_func ("/cpu-counters/offline", test_counters_offline);
  g_test_add_func ("/cpu-counters/total-summed", test_counters_total_summed);
  g_test_add_func ("/cpu-counters/clamped", test_counters_clamped);
  g_test_add_func ("/cpu-sample/basic", test_sample_basic);
  g_test_add_func ("/cpu-monitor/properties", test_monitor_properties);
  g_test_add_func ("/cpu-monitor/feed", test_monitor_feed);
  g_test_add_func ("/cpu-monitor/csv/stream", test_csv_stream);
  g_test_add_func ("/cpu-monitor/csv/fixed-model", test_csv_fixed_model);
  g_test_add_func ("/cpu-monitor/csv/locale", test_csv_locale);
  g_test_add_func ("/cpu-monitor/csv/file", test_csv_file);
  g_test_add_func ("/cpu-monitor/live", test_monitor_live);
  g_test_add_func ("/cpu-monitor/cost", test_monitor_cost);

  return g_test_run ();
}
