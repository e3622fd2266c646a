/* mpaio-test-workers.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "mpaio-test-workers.h"

/* Sum worker */

struct _MpaioTestSumWorker
{
  MpaioWorker  parent_instance;
  gint64       multiplier;
  GArray      *results;
  gint64       total;
};

G_DEFINE_FINAL_TYPE (MpaioTestSumWorker, mpaio_test_sum_worker, MPAIO_TYPE_WORKER)

enum { SUM_PROP_0, SUM_PROP_MULTIPLIER };

static GVariant *
sum_process (MpaioWorker       *worker,
             const MpaioChunk  *chunk,
             GError           **error)
{
  MpaioTestSumWorker *self = MPAIO_TEST_SUM_WORKER (worker);
  const gint64 *rows = mpaio_shared_array_get_data (mpaio_worker_get_array (worker));
  gint64 sum = 0;

  for (guint64 i = chunk->start; i < chunk->end; i++)
    sum += rows[i];

  return g_variant_new ("(xi)", sum * self->multiplier, (gint32) getpid ());
}

static void
sum_process_callback (MpaioWorker      *worker,
                      const MpaioChunk *chunk,
                      GVariant         *result)
{
  MpaioTestSumWorker *self = MPAIO_TEST_SUM_WORKER (worker);
  MpaioTestResult entry = { *chunk, 0, 0 };
  gint32 pid;

  g_variant_get (result, "(xi)", &entry.value, &pid);
  entry.pid = pid;
  g_array_append_val (self->results, entry);
  self->total += entry.value;
}

static void
sum_get_property (GObject    *object,
                  guint       prop_id,
                  GValue     *value,
                  GParamSpec *pspec)
{
  g_value_set_int64 (value, MPAIO_TEST_SUM_WORKER (object)->multiplier);
}

static void
sum_set_property (GObject      *object,
                  guint         prop_id,
                  const GValue *value,
                  GParamSpec   *pspec)
{
  MPAIO_TEST_SUM_WORKER (object)->multiplier = g_value_get_int64 (value);
}

static void
sum_finalize (GObject *object)
{
  g_array_unref (MPAIO_TEST_SUM_WORKER (object)->results);
  G_OBJECT_CLASS (mpaio_test_sum_worker_parent_class)->finalize (object);
}

static void
mpaio_test_sum_worker_class_init (MpaioTestSumWorkerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  MpaioWorkerClass *worker_class = MPAIO_WORKER_CLASS (klass);

  object_class->get_property = sum_get_property;
  object_class->set_property = sum_set_property;
  object_class->finalize = sum_finalize;
  worker_class->process = sum_process;
  worker_class->process_callback = sum_process_callback;

  g_object_class_install_property (object_class, SUM_PROP_MULTIPLIER,
                                   g_param_spec_int64 ("multiplier", NULL, NULL, G_MININT64,
                                                       G_MAXINT64, 1,
                                                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
}

static void
mpaio_test_sum_worker_init (MpaioTestSumWorker *self)
{
  self->multiplier = 1;
  self->results = g_array_new (FALSE, FALSE, sizeof (MpaioTestResult));
}

MpaioTestSumWorker *
mpaio_test_sum_worker_new (MpaioDataIterator *iterator,
                           gint64             multiplier)
{
  return g_object_new (MPAIO_TEST_TYPE_SUM_WORKER, "data-iterator", iterator, "multiplier",
                       multiplier, NULL);
}

GArray *
mpaio_test_sum_worker_get_results (MpaioTestSumWorker *self)
{
  return self->results;
}

gint64
mpaio_test_sum_worker_get_total (MpaioTestSumWorker *self)
{
  return self->total;
}

/* Fail worker */

struct _MpaioTestFailWorker
{
  MpaioWorker  parent_instance;
  gint         fail_index;
  GArray      *results;
};

G_DEFINE_FINAL_TYPE (MpaioTestFailWorker, mpaio_test_fail_worker, MPAIO_TYPE_WORKER)

static GVariant *
fail_process (MpaioWorker       *worker,
              const MpaioChunk  *chunk,
              GError           **error)
{
  MpaioTestFailWorker *self = MPAIO_TEST_FAIL_WORKER (worker);

  if (self->fail_index < 0 || chunk->index == (guint64) self->fail_index)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "boom at chunk %" G_GUINT64_FORMAT,
                   chunk->index);
      return NULL;
    }

  return g_variant_new_uint64 (chunk->index);
}

static void
fail_process_callback (MpaioWorker      *worker,
                       const MpaioChunk *chunk,
                       GVariant         *result)
{
  MpaioTestResult entry = { *chunk, (gint64) g_variant_get_uint64 (result), 0 };

  g_array_append_val (MPAIO_TEST_FAIL_WORKER (worker)->results, entry);
}

static void
fail_get_property (GObject    *object,
                   guint       prop_id,
                   GValue     *value,
                   GParamSpec *pspec)
{
  g_value_set_int (value, MPAIO_TEST_FAIL_WORKER (object)->fail_index);
}

static void
fail_set_property (GObject      *object,
                   guint         prop_id,
                   const GValue *value,
                   GParamSpec   *pspec)
{
  MPAIO_TEST_FAIL_WORKER (object)->fail_index = g_value_get_int (value);
}

static void
fail_finalize (GObject *object)
{
  g_array_unref (MPAIO_TEST_FAIL_WORKER (object)->results);
  G_OBJECT_CLASS (mpaio_test_fail_worker_parent_class)->finalize (object);
}

static void
mpaio_test_fail_worker_class_init (MpaioTestFailWorkerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  MpaioWorkerClass *worker_class = MPAIO_WORKER_CLASS (klass);

  object_class->get_property = fail_get_property;
  object_class->set_property = fail_set_property;
  object_class->finalize = fail_finalize;
  worker_class->process = fail_process;
  worker_class->process_callback = fail_process_callback;

  g_object_class_install_property (object_class, 1,
                                   g_param_spec_int ("fail-index", NULL, NULL, -1, G_MAXINT, -1,
                                                     G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
}

static void
mpaio_test_fail_worker_init (MpaioTestFailWorker *self)
{
  self->fail_index = -1;
  self->results = g_array_new (FALSE, FALSE, sizeof (MpaioTestResult));
}

MpaioTestFailWorker *
mpaio_test_fail_worker_new (MpaioDataIterator *iterator,
                            gint               fail_index)
{
  return g_object_new (MPAIO_TEST_TYPE_FAIL_WORKER, "data-iterator", iterator, "fail-index",
                       fail_index, NULL);
}

GArray *
mpaio_test_fail_worker_get_results (MpaioTestFailWorker *self)
{
  return self->results;
}

/* Spin worker */

struct _MpaioTestSpinWorker
{
  MpaioWorker parent_instance;
  guint       spin_us;
  gint        crash_index;
  gint        crash_mode;
  guint       n_delivered;
};

G_DEFINE_FINAL_TYPE (MpaioTestSpinWorker, mpaio_test_spin_worker, MPAIO_TYPE_WORKER)

enum { SPIN_PROP_0, SPIN_PROP_SPIN_US, SPIN_PROP_CRASH_INDEX, SPIN_PROP_CRASH_MODE };

static void
crash (gint mode)
{
  switch (mode)
    {
    case 0:
      kill (getpid (), SIGKILL);
      break;
    case 1:
      /* A sanitizer's handler would turn the signal into an exit. */
      signal (SIGSEGV, SIG_DFL);
      kill (getpid (), SIGSEGV);
      break;
    case 2:
      abort ();
    default:
      _exit (3);
    }
}

static GVariant *
spin_process (MpaioWorker       *worker,
              const MpaioChunk  *chunk,
              GError           **error)
{
  MpaioTestSpinWorker *self = MPAIO_TEST_SPIN_WORKER (worker);
  gint64 until = g_get_monotonic_time () + self->spin_us;

  if (mpaio_is_worker_process () && self->crash_index >= 0
      && chunk->index == (guint64) self->crash_index)
    crash (self->crash_mode);

  /* Busy on purpose: a test that needs a chunk to take time must not let
   * the process sleep through it. */
  while (g_get_monotonic_time () < until)
    ;

  return g_variant_new_uint64 (chunk->index);
}

static void
spin_process_callback (MpaioWorker      *worker,
                       const MpaioChunk *chunk,
                       GVariant         *result)
{
  MPAIO_TEST_SPIN_WORKER (worker)->n_delivered++;
}

static void
spin_get_property (GObject    *object,
                   guint       prop_id,
                   GValue     *value,
                   GParamSpec *pspec)
{
  MpaioTestSpinWorker *self = MPAIO_TEST_SPIN_WORKER (object);

  switch (prop_id)
    {
    case SPIN_PROP_SPIN_US: g_value_set_uint (value, self->spin_us); break;
    case SPIN_PROP_CRASH_INDEX: g_value_set_int (value, self->crash_index); break;
    case SPIN_PROP_CRASH_MODE: g_value_set_int (value, self->crash_mode); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spin_set_property (GObject      *object,
                   guint         prop_id,
                   const GValue *value,
                   GParamSpec   *pspec)
{
  MpaioTestSpinWorker *self = MPAIO_TEST_SPIN_WORKER (object);

  switch (prop_id)
    {
    case SPIN_PROP_SPIN_US: self->spin_us = g_value_get_uint (value); break;
    case SPIN_PROP_CRASH_INDEX: self->crash_index = g_value_get_int (value); break;
    case SPIN_PROP_CRASH_MODE: self->crash_mode = g_value_get_int (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mpaio_test_spin_worker_class_init (MpaioTestSpinWorkerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  MpaioWorkerClass *worker_class = MPAIO_WORKER_CLASS (klass);

  object_class->get_property = spin_get_property;
  object_class->set_property = spin_set_property;
  worker_class->process = spin_process;
  worker_class->process_callback = spin_process_callback;

  g_object_class_install_property (object_class, SPIN_PROP_SPIN_US,
                                   g_param_spec_uint ("spin-us", NULL, NULL, 0, G_MAXUINT, 0,
                                                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (object_class, SPIN_PROP_CRASH_INDEX,
                                   g_param_spec_int ("crash-index", NULL, NULL, -1, G_MAXINT, -1,
                                                     G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (object_class, SPIN_PROP_CRASH_MODE,
                                   g_param_spec_int ("crash-mode", NULL, NULL, 0, 3, 0,
                                                     G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
}

static void
mpaio_test_spin_worker_init (MpaioTestSpinWorker *self)
{
  self->crash_index = -1;
}

MpaioTestSpinWorker *
mpaio_test_spin_worker_new (MpaioDataIterator *iterator,
                            guint              spin_us,
                            gint               crash_index)
{
  return g_object_new (MPAIO_TEST_TYPE_SPIN_WORKER, "data-iterator", iterator, "spin-us", spin_us,
                       "crash-index", crash_index, NULL);
}

guint
mpaio_test_spin_worker_get_n_delivered (MpaioTestSpinWorker *self)
{
  return self->n_delivered;
}

/* Ghost and lazy workers */

static GVariant *
index_process (MpaioWorker       *worker,
               const MpaioChunk  *chunk,
               GError           **error)
{
  return g_variant_new_uint64 (chunk->index);
}

static void
ghost_class_init (gpointer klass,
                  gpointer data)
{
  MPAIO_WORKER_CLASS (klass)->process = index_process;
}

GType
mpaio_test_ghost_worker_type (void)
{
  static GType type;

  if (type == 0)
    type = g_type_register_static_simple (MPAIO_TYPE_WORKER, "MpaioTestGhostWorker",
                                          sizeof (MpaioWorkerClass), ghost_class_init,
                                          sizeof (MpaioWorker), NULL, 0);
  return type;
}

struct _MpaioTestLazyWorker
{
  MpaioWorker parent_instance;
};

G_DEFINE_FINAL_TYPE (MpaioTestLazyWorker, mpaio_test_lazy_worker, MPAIO_TYPE_WORKER)

static void
mpaio_test_lazy_worker_class_init (MpaioTestLazyWorkerClass *klass)
{
  MPAIO_WORKER_CLASS (klass)->process = index_process;
}

static void
mpaio_test_lazy_worker_init (MpaioTestLazyWorker *self)
{
}

/* Helpers */

void
mpaio_test_init (int    *argc,
                 char ***argv)
{
  g_type_ensure (MPAIO_TEST_TYPE_SUM_WORKER);
  g_type_ensure (MPAIO_TEST_TYPE_FAIL_WORKER);
  g_type_ensure (MPAIO_TEST_TYPE_SPIN_WORKER);
  mpaio_init (argc, argv);
}

MpaioSharedArray *
mpaio_test_new_counting_array (guint64 n_rows)
{
  g_autoptr(GError) error = NULL;
  MpaioSharedArray *array;
  gint64 *rows;

  array = mpaio_shared_array_new (MPAIO_DTYPE_INT64, &n_rows, 1, &error);
  g_assert_no_error (error);

  rows = mpaio_shared_array_get_data (array);
  for (guint64 i = 0; i < n_rows; i++)
    rows[i] = (gint64) i + 1;

  return array;
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

MpaioRunReport *
mpaio_test_run (MpaioOrchestrator  *orchestrator,
                GCancellable       *cancellable,
                GError            **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  mpaio_orchestrator_run_async (orchestrator, cancellable, store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return mpaio_orchestrator_run_finish (orchestrator, result, error);
}

static guint
count_entries (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;

  return n;
}

guint
mpaio_test_count_open_fds (void)
{
  return count_entries ("/proc/self/fd");
}

/* Children of every thread: GLib may fork from a helper thread. */
guint
mpaio_test_count_children (void)
{
  g_autoptr(GDir) tasks = g_dir_open ("/proc/self/task", 0, NULL);
  const char *tid;
  guint n = 0;

  g_assert_nonnull (tasks);
  while ((tid = g_dir_read_name (tasks)) != NULL)
    {
      g_autofree char *path = g_strdup_printf ("/proc/self/task/%s/children", tid);
      g_autofree char *contents = NULL;
      g_auto(GStrv) pids = NULL;

      if (!g_file_get_contents (path, &contents, NULL, NULL))
        continue;
      pids = g_strsplit_set (g_strstrip (contents), " ", -1);
      for (guint i = 0; pids[i] != NULL; i++)
        n += pids[i][0] != '\0';
    }

  return n;
}

gboolean
mpaio_test_wait_for_n_children (guint n_expected)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (mpaio_test_count_children () != n_expected)
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }

  return TRUE;
}
