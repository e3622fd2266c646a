/* test-prefault.c: a worker process finds its chunk's rows mapped before
 * `process` runs, in its input array and in an output array of as many rows;
 * every mapping of a big array asks for huge pages
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <mpaio.h>

#include "mpaio-test-workers.h"

/* Reads its chunk's rows of the data iterator's float64 array (one value a
 * page) and writes twice each of them into the same rows of `output`; returns
 * "(tb)": the minor page faults that took (RUSAGE_THREAD, nothing allocated
 * in between), and whether both arrays' mappings ask for huge pages. */

#define TP_TYPE_TOUCH_WORKER (tp_touch_worker_get_type ())
G_DECLARE_FINAL_TYPE (TpTouchWorker, tp_touch_worker, TP, TOUCH_WORKER, MpaioWorker)

struct _TpTouchWorker
{
  MpaioWorker       parent_instance;
  MpaioSharedArray *output;
  GArray           *faults;   /* guint64, one per result delivered */
  gboolean          all_huge; /* every result said its mappings ask for huge pages */
};

G_DEFINE_FINAL_TYPE (TpTouchWorker, tp_touch_worker, MPAIO_TYPE_WORKER)

enum
{
  PROP_0,
  PROP_OUTPUT,
  N_PROPS
};

static guint64
thread_minor_faults (void)
{
  struct rusage usage;

  g_assert_no_errno (getrusage (RUSAGE_THREAD, &usage));
  return (guint64) usage.ru_minflt;
}

/* Whether the mapping of this process that holds @address has the VmFlag
 * @flag ("hg": MADV_HUGEPAGE) in /proc/self/smaps. */
static gboolean
mapping_has_flag (gconstpointer address,
                  const char   *flag)
{
  g_autofree char *smaps = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean in_mapping = FALSE;

  g_assert_true (g_file_get_contents ("/proc/self/smaps", &smaps, NULL, NULL));
  lines = g_strsplit (smaps, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      guint64 start, end;
      char    dash;

      if (sscanf (lines[i], "%" G_GINT64_MODIFIER "x%c%" G_GINT64_MODIFIER "x", &start, &dash,
                  &end)
            == 3
          && dash == '-')
        in_mapping = start <= GPOINTER_TO_SIZE (address) && GPOINTER_TO_SIZE (address) < end;
      else if (in_mapping && g_str_has_prefix (lines[i], "VmFlags:"))
        {
          g_auto(GStrv) flags = g_strsplit (lines[i] + strlen ("VmFlags:"), " ", -1);

          return g_strv_contains ((const char *const *) flags, flag);
        }
    }

  return FALSE;
}

/* Not instrumented by AddressSanitizer, whose checks would touch (and
 * fault in) its own shadow pages of the arrays. */
#if defined(__SANITIZE_ADDRESS__)
#define TP_NO_SANITIZE_ADDRESS __attribute__ ((no_sanitize_address))
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TP_NO_SANITIZE_ADDRESS __attribute__ ((no_sanitize_address))
#endif
#endif
#ifndef TP_NO_SANITIZE_ADDRESS
#define TP_NO_SANITIZE_ADDRESS
#endif

TP_NO_SANITIZE_ADDRESS static void
touch_rows (const gdouble *in,
            gdouble       *out,
            guint64        start,
            guint64        end,
            guint64        step)
{
  for (guint64 i = start; i < end; i += step)
    out[i] = 2 * in[i];
  if (end > start)
    out[end - 1] = 2 * in[end - 1];
}

static GVariant *
tp_touch_worker_process (MpaioWorker      *worker,
                         const MpaioChunk *chunk,
                         GError          **error)
{
  TpTouchWorker *self = TP_TOUCH_WORKER (worker);
  const gdouble *in = mpaio_shared_array_get_data (mpaio_worker_get_array (worker));
  gdouble       *out = mpaio_shared_array_get_data (self->output);
  guint64        step = (guint64) sysconf (_SC_PAGESIZE) / sizeof (gdouble);
  guint64        before, after;

  before = thread_minor_faults ();
  touch_rows (in, out, chunk->start, chunk->end, step);
  after = thread_minor_faults ();

  return g_variant_new ("(tb)", after - before,
                        mapping_has_flag (in, "hg") && mapping_has_flag (out, "hg"));
}

static void
tp_touch_worker_process_callback (MpaioWorker      *worker,
                                  const MpaioChunk *chunk,
                                  GVariant         *result)
{
  TpTouchWorker *self = TP_TOUCH_WORKER (worker);
  guint64        faults;
  gboolean       huge;

  g_variant_get (result, "(tb)", &faults, &huge);
  g_array_append_val (self->faults, faults);
  self->all_huge = self->all_huge && huge;
}

static void
tp_touch_worker_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_OUTPUT:
      g_value_set_object (value, TP_TOUCH_WORKER (object)->output);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tp_touch_worker_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PROP_OUTPUT:
      g_set_object (&TP_TOUCH_WORKER (object)->output, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tp_touch_worker_finalize (GObject *object)
{
  TpTouchWorker *self = TP_TOUCH_WORKER (object);

  g_clear_object (&self->output);
  g_array_unref (self->faults);

  G_OBJECT_CLASS (tp_touch_worker_parent_class)->finalize (object);
}

static void
tp_touch_worker_class_init (TpTouchWorkerClass *klass)
{
  GObjectClass     *object_class = G_OBJECT_CLASS (klass);
  MpaioWorkerClass *worker_class = MPAIO_WORKER_CLASS (klass);

  object_class->get_property = tp_touch_worker_get_property;
  object_class->set_property = tp_touch_worker_set_property;
  object_class->finalize = tp_touch_worker_finalize;
  worker_class->process = tp_touch_worker_process;
  worker_class->process_callback = tp_touch_worker_process_callback;

  g_object_class_install_property (object_class, PROP_OUTPUT,
                                   g_param_spec_object ("output", NULL, NULL,
                                                        MPAIO_TYPE_SHARED_ARRAY,
                                                        G_PARAM_READWRITE
                                                          | G_PARAM_STATIC_STRINGS));
}

static void
tp_touch_worker_init (TpTouchWorker *self)
{
  self->faults = g_array_new (FALSE, FALSE, sizeof (guint64));
  self->all_huge = TRUE;
}

/* MADV_POPULATE_READ came with Linux 5.14; before it, chunks fault their
 * pages in themselves, which is slower but correct. */
static gboolean
kernel_can_populate (void)
{
  gsize    size = (gsize) sysconf (_SC_PAGESIZE);
  gpointer page = mmap (NULL, size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  gboolean ok;

  g_assert_true (page != MAP_FAILED);
  ok = madvise (page, size, 22 /* MADV_POPULATE_READ */) == 0 || errno != EINVAL;
  munmap (page, size);

  return ok;
}

/* Kernels built without transparent huge pages refuse MADV_HUGEPAGE. */
static gboolean
kernel_has_huge_pages (void)
{
  gsize    size = 4 * 1024 * 1024;
  gpointer area = mmap (NULL, size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  gboolean ok;

  g_assert_true (area != MAP_FAILED);
  ok = madvise (area, size, MADV_HUGEPAGE) == 0;
  munmap (area, size);

  return ok;
}

static MpaioSharedArray *
new_float64_array (guint64               n_rows,
                   MpaioSharedArrayFlags flags)
{
  g_autoptr(GError) error = NULL;
  MpaioSharedArray *array = mpaio_shared_array_new_full (MPAIO_DTYPE_FLOAT64, sizeof (gdouble),
                                                         &n_rows, 1, flags, &error);

  g_assert_no_error (error);
  return array;
}

/* Pages an output array's chunk is written to were never touched by anyone
 * (the main process leaves `output` alone): still no fault, run after run,
 * in either process of the pool, and the values are right. */
static void
test_no_faults_in_chunk_rows (void)
{
  const guint64 n_rows = 4 * 1024 * 1024 / sizeof (gdouble); /* 4 MB */
  g_autoptr(MpaioSharedArray) input = new_float64_array (n_rows, MPAIO_SHARED_ARRAY_FLAGS_NONE);
  g_autoptr(MpaioSharedArray) output = new_float64_array (n_rows,
                                                           MPAIO_SHARED_ARRAY_FLAGS_WRITABLE);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (input, 16);
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (2);
  gdouble *in = mpaio_shared_array_get_data (input);

  if (!kernel_can_populate ())
    {
      g_test_skip ("The kernel has no MADV_POPULATE_READ (Linux < 5.14)");
      return;
    }

  for (guint64 i = 0; i < n_rows; i++)
    in[i] = (gdouble) i;

  for (guint run = 0; run < 2; run++)
    {
      g_autoptr(TpTouchWorker) worker = g_object_new (TP_TYPE_TOUCH_WORKER, "data-iterator",
                                                       iterator, "output", output, NULL);
      MpaioWorker *workers[] = { MPAIO_WORKER (worker) };
      g_autoptr(MpaioOrchestrator) orchestrator =
                   mpaio_orchestrator_new (MPAIO_EXECUTOR (pool), workers, 1);
      g_autoptr(MpaioRunReport) report = NULL;
      g_autoptr(GError) error = NULL;
      const gdouble *out = mpaio_shared_array_get_data (output);
      guint64        step = (guint64) sysconf (_SC_PAGESIZE) / sizeof (gdouble);

      report = mpaio_test_run (orchestrator, NULL, &error);
      g_assert_no_error (error);

      g_assert_cmpuint (worker->faults->len, ==, 16);
      for (guint i = 0; i < worker->faults->len; i++)
        g_assert_cmpuint (g_array_index (worker->faults, guint64, i), ==, 0);
      for (guint64 i = 0; i < n_rows; i += step)
        g_assert_cmpfloat (out[i], ==, 2.0 * (gdouble) i);
    }
}

/* Where the system grants shared memory huge pages on request, arrays get
 * them: the request is made on every mapping, in the main process and in
 * worker processes. */
static void
test_huge_pages_asked (void)
{
  const guint64 n_rows = 4 * 1024 * 1024 / sizeof (gdouble);
  g_autoptr(MpaioSharedArray) input = new_float64_array (n_rows, MPAIO_SHARED_ARRAY_FLAGS_NONE);
  g_autoptr(MpaioSharedArray) output = new_float64_array (n_rows,
                                                           MPAIO_SHARED_ARRAY_FLAGS_WRITABLE);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (input, 4);
  g_autoptr(MpaioProcessPool) pool = mpaio_test_new_pool (2);
  g_autoptr(TpTouchWorker) worker = g_object_new (TP_TYPE_TOUCH_WORKER, "data-iterator", iterator,
                                                   "output", output, NULL);
  MpaioWorker *workers[] = { MPAIO_WORKER (worker) };
  g_autoptr(MpaioOrchestrator) orchestrator =
               mpaio_orchestrator_new (MPAIO_EXECUTOR (pool), workers, 1);
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GError) error = NULL;

  if (!kernel_has_huge_pages ())
    {
      g_test_skip ("The kernel has no transparent huge pages");
      return;
    }

  g_assert_true (mapping_has_flag (mpaio_shared_array_get_data (input), "hg"));
  g_assert_true (mapping_has_flag (mpaio_shared_array_get_data (output), "hg"));

  report = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (worker->faults->len, ==, 4);
  g_assert_true (worker->all_huge);
}

int
main (int    argc,
      char **argv)
{
  g_type_ensure (TP_TYPE_TOUCH_WORKER);
  mpaio_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_summary ("Worker processes map a chunk's rows of its arrays before it runs, and "
                  "arrays ask for huge pages");

  g_test_add_func ("/prefault/process-pool/no-faults-in-chunk-rows", test_no_faults_in_chunk_rows);
  g_test_add_func ("/prefault/process-pool/huge-pages-asked", test_huge_pages_asked);

  return g_test_run ();
}
