/* mpaio-test-workers.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mpaio-test-workers.h"

/* Sum worker */

struct _MpaioTestSumWorker
{
  MpaioWorker parent_instance;
  gint64      multiplier;
  GArray     *results;
  gint64      total;
};

G_DEFINE_FINAL_TYPE (MpaioTestSumWorker, mpaio_test_sum_worker, MPAIO_TYPE_WORKER)

enum
{
  SUM_PROP_0,
  SUM_PROP_MULTIPLIER
};

static GVariant *
sum_process (MpaioWorker      *worker,
             const MpaioChunk *chunk,
             GError          **error)
{
  MpaioTestSumWorker *self = MPAIO_TEST_SUM_WORKER (worker);
  const gint64       *rows = mpaio_shared_array_get_data (mpaio_worker_get_array (worker));
  gint64              sum = 0;

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
  MpaioTestResult     entry = { *chunk, 0, 0 };
  gint32              pid;

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
  GObjectClass     *object_class = G_OBJECT_CLASS (klass);
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
  MpaioWorker parent_instance;
  gint        fail_index;
  GArray     *results;
};

G_DEFINE_FINAL_TYPE (MpaioTestFailWorker, mpaio_test_fail_worker, MPAIO_TYPE_WORKER)

static GVariant *
fail_process (MpaioWorker      *worker,
              const MpaioChunk *chunk,
              GError          **error)
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
  GObjectClass     *object_class = G_OBJECT_CLASS (klass);
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

enum
{
  SPIN_PROP_0,
  SPIN_PROP_SPIN_US,
  SPIN_PROP_CRASH_INDEX,
  SPIN_PROP_CRASH_MODE
};

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
spin_process (MpaioWorker      *worker,
              const MpaioChunk *chunk,
              GError          **error)
{
  MpaioTestSpinWorker *self = MPAIO_TEST_SPIN_WORKER (worker);
  gint64               until = g_get_monotonic_time () + self->spin_us;

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
    case SPIN_PROP_SPIN_US:
      g_value_set_uint (value, self->spin_us);
      break;
    case SPIN_PROP_CRASH_INDEX:
      g_value_set_int (value, self->crash_index);
      break;
    case SPIN_PROP_CRASH_MODE:
      g_value_set_int (value, self->crash_mode);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
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
    case SPIN_PROP_SPIN_US:
      self->spin_us = g_value_get_uint (value);
      break;
    case SPIN_PROP_CRASH_INDEX:
      self->crash_index = g_value_get_int (value);
      break;
    case SPIN_PROP_CRASH_MODE:
      self->crash_mode = g_value_get_int (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mpaio_test_spin_worker_class_init (MpaioTestSpinWorkerClass *klass)
{
  GObjectClass     *object_class = G_OBJECT_CLASS (klass);
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
index_process (MpaioWorker      *worker,
               const MpaioChunk *chunk,
               GError          **error)
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
  gint64           *rows;

  array = mpaio_shared_array_new (MPAIO_DTYPE_INT64, &n_rows, 1, &error);
  g_assert_no_error (error);

  rows = mpaio_shared_array_get_data (array);
  for (guint64 i = 0; i < n_rows; i++)
    rows[i] = (gint64) i + 1;

  return array;
}

void
mpaio_test_store_result (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

MpaioProcessPool *
mpaio_test_new_pool (guint n_workers)
{
  g_autoptr(GError) error = NULL;
  MpaioProcessPool *pool = mpaio_process_pool_new (n_workers, &error);

  g_assert_no_error (error);
  g_assert_nonnull (pool);
  return pool;
}

MpaioDataIterator *
mpaio_test_new_partitions (MpaioSharedArray *array,
                           guint             n_partitions)
{
  g_autoptr(GError) error = NULL;
  MpaioDataIterator *iterator = mpaio_data_iterator_new_partitioned (array, n_partitions, &error);

  g_assert_no_error (error);
  return iterator;
}

MpaioDataIterator *
mpaio_test_new_chunked (MpaioSharedArray *array,
                        guint64           chunk_size)
{
  g_autoptr(GError) error = NULL;
  MpaioDataIterator *iterator = mpaio_data_iterator_new (array, chunk_size, &error);

  g_assert_no_error (error);
  return iterator;
}

MpaioTestSumWorker *
mpaio_test_new_sum_worker (guint64 n_rows,
                           guint64 chunk_size,
                           gint64  multiplier)
{
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (n_rows);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_chunked (array, chunk_size);

  return mpaio_test_sum_worker_new (iterator, multiplier);
}

MpaioRunReport *
mpaio_test_run (MpaioOrchestrator *orchestrator,
                GCancellable      *cancellable,
                GError           **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  mpaio_orchestrator_run_async (orchestrator, cancellable, mpaio_test_store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return mpaio_orchestrator_run_finish (orchestrator, result, error);
}

GDBusConnection *
mpaio_test_new_bus_connection (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, &error);
  GDBusConnection *connection;

  g_assert_no_error (error);
  connection = g_dbus_connection_new_for_address_sync (
    address,
    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
    NULL, NULL, &error);
  g_assert_no_error (error);

  return connection;
}

guint
mpaio_test_count_dir_entries (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  if (dir == NULL)
    return 0;

  while (g_dir_read_name (dir) != NULL)
    n++;

  return n;
}

guint
mpaio_test_count_open_fds (void)
{
  return mpaio_test_count_dir_entries ("/proc/self/fd");
}

guint
mpaio_test_count_fds_to (const char *prefix)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  const char *name;
  guint       n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/fd", name, NULL);
      g_autofree char *target = g_file_read_link (path, NULL);

      n += target != NULL && g_str_has_prefix (target, prefix);
    }

  return n;
}

/* Children of every thread: GLib may fork from a helper thread. */
guint
mpaio_test_count_children (void)
{
  g_autoptr(GDir) tasks = g_dir_open ("/proc/self/task", 0, NULL);
  const char *tid;
  guint       n = 0;

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

void
mpaio_test_wait_until_reaped (guint n_children)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  g_assert_true (mpaio_test_wait_for_n_children (n_children));
  while (mpaio_test_count_fds_to ("anon_inode:[pidfd]") > n_children
         && g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_cmpuint (mpaio_test_count_fds_to ("anon_inode:[pidfd]"), <=, n_children);
}

/* Fault worker */

struct _MpaioTestFaultWorker
{
  MpaioWorker parent_instance;
  gint        crash_mode;
  gint        crash_index;
  guint       spin_us;
  char       *marker_dir;
  guint       crash_times;
  GArray     *results;
};

G_DEFINE_FINAL_TYPE (MpaioTestFaultWorker, mpaio_test_fault_worker, MPAIO_TYPE_WORKER)

enum
{
  FAULT_PROP_0,
  FAULT_PROP_CRASH_MODE,
  FAULT_PROP_CRASH_INDEX,
  FAULT_PROP_SPIN_US,
  FAULT_PROP_MARKER_DIR,
  FAULT_PROP_CRASH_TIMES,
};

gboolean
mpaio_test_pool_has_pid (MpaioProcessPool *pool,
                         GPid              pid)
{
  g_autofree GPid *pids = NULL;
  guint            n_pids;

  pids = mpaio_process_pool_get_pids (pool, &n_pids);
  for (guint i = 0; i < n_pids; i++)
    if (pids[i] == pid)
      return TRUE;

  return FALSE;
}

GPid
mpaio_test_error_pid (const GError *error)
{
  const char *at = strstr (error->message, "Worker process ");

  return at ? (GPid) atoi (at + strlen ("Worker process ")) : 0;
}

gint64
mpaio_test_counting_sum (const MpaioChunk *chunk)
{
  /* Rows start..end-1 hold start+1..end. */
  return (gint64) ((chunk->end * (chunk->end + 1) - chunk->start * (chunk->start + 1)) / 2);
}

static void
fault_crash (gint mode)
{
  volatile guint64 forever = 0;

  switch (mode)
    {
    case MPAIO_TEST_CRASH_SIGKILL:
      kill (getpid (), SIGKILL);
      break;
    case MPAIO_TEST_CRASH_SIGSEGV:
      /* A sanitizer's handler would turn the signal into an exit. */
      signal (SIGSEGV, SIG_DFL);
      kill (getpid (), SIGSEGV);
      break;
    case MPAIO_TEST_CRASH_ABORT:
      signal (SIGABRT, SIG_DFL);
      abort ();
    case MPAIO_TEST_CRASH_EXIT_3:
      _exit (3);
    default:
      /* Stuck in `process`: only a kill ends it. */
      for (;;)
        forever++;
    }
}

/* TRUE if this attempt at the chunk is one that must crash: it could still
 * create one of the marker files. */
static gboolean
fault_claim_marker (MpaioTestFaultWorker *self,
                    guint64               index)
{
  for (guint i = 0; i < MAX (self->crash_times, 1); i++)
    {
      g_autofree char *name = g_strdup_printf ("chunk-%" G_GUINT64_FORMAT ".%u", index, i);
      g_autofree char *path = g_build_filename (self->marker_dir, name, NULL);
      g_autofree char *pid = g_strdup_printf ("%d", (int) getpid ());
      int              fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

      if (fd >= 0)
        {
          if (write (fd, pid, strlen (pid)) < 0)
            g_printerr ("cannot write %s: %s\n", path, g_strerror (errno));
          close (fd);
          return TRUE;
        }
      if (errno != EEXIST)
        g_error ("cannot create %s: %s", path, g_strerror (errno));
    }

  return FALSE;
}

static GVariant *
fault_process (MpaioWorker      *worker,
               const MpaioChunk *chunk,
               GError          **error)
{
  MpaioTestFaultWorker *self = MPAIO_TEST_FAULT_WORKER (worker);
  const gint64         *rows = mpaio_shared_array_get_data (mpaio_worker_get_array (worker));
  gint64                until = g_get_monotonic_time () + self->spin_us;
  gint64                sum = 0;

  while (g_get_monotonic_time () < until)
    ;

  if (mpaio_is_worker_process () && self->crash_index >= 0
      && chunk->index == (guint64) self->crash_index
      && (self->marker_dir == NULL || fault_claim_marker (self, chunk->index)))
    fault_crash (self->crash_mode);

  for (guint64 i = chunk->start; i < chunk->end; i++)
    sum += rows[i];

  return g_variant_new ("(xi)", sum, (gint32) getpid ());
}

static void
fault_process_callback (MpaioWorker      *worker,
                        const MpaioChunk *chunk,
                        GVariant         *result)
{
  MpaioTestResult entry = { *chunk, 0, 0 };
  gint32          pid;

  g_variant_get (result, "(xi)", &entry.value, &pid);
  entry.pid = pid;
  g_array_append_val (MPAIO_TEST_FAULT_WORKER (worker)->results, entry);
}

static void
fault_get_property (GObject    *object,
                    guint       prop_id,
                    GValue     *value,
                    GParamSpec *pspec)
{
  MpaioTestFaultWorker *self = MPAIO_TEST_FAULT_WORKER (object);

  switch (prop_id)
    {
    case FAULT_PROP_CRASH_MODE:
      g_value_set_int (value, self->crash_mode);
      break;
    case FAULT_PROP_CRASH_INDEX:
      g_value_set_int (value, self->crash_index);
      break;
    case FAULT_PROP_SPIN_US:
      g_value_set_uint (value, self->spin_us);
      break;
    case FAULT_PROP_MARKER_DIR:
      g_value_set_string (value, self->marker_dir);
      break;
    case FAULT_PROP_CRASH_TIMES:
      g_value_set_uint (value, self->crash_times);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fault_set_property (GObject      *object,
                    guint         prop_id,
                    const GValue *value,
                    GParamSpec   *pspec)
{
  MpaioTestFaultWorker *self = MPAIO_TEST_FAULT_WORKER (object);

  switch (prop_id)
    {
    case FAULT_PROP_CRASH_MODE:
      self->crash_mode = g_value_get_int (value);
      break;
    case FAULT_PROP_CRASH_INDEX:
      self->crash_index = g_value_get_int (value);
      break;
    case FAULT_PROP_SPIN_US:
      self->spin_us = g_value_get_uint (value);
      break;
    case FAULT_PROP_MARKER_DIR:
      g_free (self->marker_dir);
      self->marker_dir = g_value_dup_string (value);
      break;
    case FAULT_PROP_CRASH_TIMES:
      self->crash_times = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fault_finalize (GObject *object)
{
  MpaioTestFaultWorker *self = MPAIO_TEST_FAULT_WORKER (object);

  g_free (self->marker_dir);
  g_array_unref (self->results);
  G_OBJECT_CLASS (mpaio_test_fault_worker_parent_class)->finalize (object);
}

static void
mpaio_test_fault_worker_class_init (MpaioTestFaultWorkerClass *klass)
{
  GObjectClass     *object_class = G_OBJECT_CLASS (klass);
  MpaioWorkerClass *worker_class = MPAIO_WORKER_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;

  object_class->get_property = fault_get_property;
  object_class->set_property = fault_set_property;
  object_class->finalize = fault_finalize;
  worker_class->process = fault_process;
  worker_class->process_callback = fault_process_callback;

  g_object_class_install_property (object_class, FAULT_PROP_CRASH_MODE,
                                   g_param_spec_int ("crash-mode", NULL, NULL, 0,
                                                     MPAIO_TEST_CRASH_HANG, 0, flags));
  g_object_class_install_property (object_class, FAULT_PROP_CRASH_INDEX,
                                   g_param_spec_int ("crash-index", NULL, NULL, -1, G_MAXINT, -1,
                                                     flags));
  g_object_class_install_property (object_class, FAULT_PROP_SPIN_US,
                                   g_param_spec_uint ("spin-us", NULL, NULL, 0, G_MAXUINT, 0,
                                                      flags));
  g_object_class_install_property (object_class, FAULT_PROP_MARKER_DIR,
                                   g_param_spec_string ("marker-dir", NULL, NULL, NULL, flags));
  g_object_class_install_property (object_class, FAULT_PROP_CRASH_TIMES,
                                   g_param_spec_uint ("crash-times", NULL, NULL, 1, 1000, 1,
                                                      flags));
}

static void
mpaio_test_fault_worker_init (MpaioTestFaultWorker *self)
{
  self->crash_index = -1;
  self->crash_times = 1;
  self->results = g_array_new (FALSE, FALSE, sizeof (MpaioTestResult));
}

MpaioTestFaultWorker *
mpaio_test_fault_worker_new (MpaioDataIterator *iterator,
                             MpaioTestCrashMode crash_mode,
                             gint               crash_index)
{
  return g_object_new (MPAIO_TEST_TYPE_FAULT_WORKER, "data-iterator", iterator, "crash-mode",
                       (gint) crash_mode, "crash-index", crash_index, NULL);
}

GArray *
mpaio_test_fault_worker_get_results (MpaioTestFaultWorker *self)
{
  return self->results;
}

/* Probe worker */

struct _MpaioTestProbeWorker
{
  MpaioWorker parent_instance;
  gint        probe;
  guint64     size;
  GPtrArray  *results;
};

G_DEFINE_FINAL_TYPE (MpaioTestProbeWorker, mpaio_test_probe_worker, MPAIO_TYPE_WORKER)

enum
{
  PROBE_PROP_0,
  PROBE_PROP_PROBE,
  PROBE_PROP_SIZE
};

static GVariant *
probe_mapping (gconstpointer address)
{
  g_autofree char *maps = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL))
    return g_variant_new_string ("");

  lines = g_strsplit (maps, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      guint64 from, to;

      if (sscanf (lines[i], "%" G_GINT64_MODIFIER "x-%" G_GINT64_MODIFIER "x", &from, &to) == 2
          && (guint64) (gsize) address >= from && (guint64) (gsize) address < to)
        return g_variant_new_string (lines[i]);
    }

  return g_variant_new_string ("");
}

static GVariant *
probe_process (MpaioWorker      *worker,
               const MpaioChunk *chunk,
               GError          **error)
{
  MpaioTestProbeWorker *self = MPAIO_TEST_PROBE_WORKER (worker);
  MpaioSharedArray     *array = mpaio_worker_get_array (worker);

  if (!mpaio_is_worker_process ())
    return g_variant_new_boolean (FALSE);

  switch (self->probe)
    {
    case MPAIO_TEST_PROBE_ENV:
      return g_variant_new_boolean (g_getenv ("MPAIO_WORKER_FD") == NULL);

    case MPAIO_TEST_PROBE_RESIZE:
      {
        int      fd = mpaio_shared_array_get_fd (array);
        off_t    size = (off_t) mpaio_shared_array_get_size (array);
        int      grow = ftruncate (fd, size + 4096) < 0 ? errno : 0;
        int      shrink = ftruncate (fd, size / 2) < 0 ? errno : 0;
        int      seals = fcntl (fd, F_GET_SEALS);
        gint64   zero = 0;
        int      write_fd = pwrite (fd, &zero, sizeof zero, 0) < 0 ? errno : 0;
        long     page = sysconf (_SC_PAGESIZE);
        gpointer first_page = (gpointer) ((guintptr) mpaio_shared_array_get_data (array)
                                          & ~(guintptr) (page - 1));
        int      protect = mprotect (first_page, page, PROT_READ | PROT_WRITE) < 0 ? errno : 0;

        return g_variant_new ("(iiuii)", grow, shrink, (guint32) seals, write_fd, protect);
      }

    case MPAIO_TEST_PROBE_MAPPING:
      return probe_mapping (mpaio_shared_array_get_data (array));

    case MPAIO_TEST_PROBE_WRITE:
      {
        volatile gint64 *row = (gint64 *) mpaio_shared_array_get_row (array, chunk->start);

        /* A sanitizer's handler would turn the fault into an exit. */
        signal (SIGSEGV, SIG_DFL);
        signal (SIGBUS, SIG_DFL);
        *row = -1;
        return g_variant_new_int64 (*row);
      }

    case MPAIO_TEST_PROBE_NULL:
      return NULL;

    case MPAIO_TEST_PROBE_BIG:
      {
        gpointer data = g_malloc0 (self->size);

        return g_variant_new_from_data (G_VARIANT_TYPE_BYTESTRING, data, self->size, TRUE, g_free,
                                        data);
      }

    default:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "no probe %d", self->probe);
      return NULL;
    }
}

static void
probe_process_callback (MpaioWorker      *worker,
                        const MpaioChunk *chunk,
                        GVariant         *result)
{
  g_ptr_array_add (MPAIO_TEST_PROBE_WORKER (worker)->results, g_variant_ref (result));
}

static void
probe_get_property (GObject    *object,
                    guint       prop_id,
                    GValue     *value,
                    GParamSpec *pspec)
{
  MpaioTestProbeWorker *self = MPAIO_TEST_PROBE_WORKER (object);

  switch (prop_id)
    {
    case PROBE_PROP_PROBE:
      g_value_set_int (value, self->probe);
      break;
    case PROBE_PROP_SIZE:
      g_value_set_uint64 (value, self->size);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
probe_set_property (GObject      *object,
                    guint         prop_id,
                    const GValue *value,
                    GParamSpec   *pspec)
{
  MpaioTestProbeWorker *self = MPAIO_TEST_PROBE_WORKER (object);

  switch (prop_id)
    {
    case PROBE_PROP_PROBE:
      self->probe = g_value_get_int (value);
      break;
    case PROBE_PROP_SIZE:
      self->size = g_value_get_uint64 (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
probe_finalize (GObject *object)
{
  g_ptr_array_unref (MPAIO_TEST_PROBE_WORKER (object)->results);
  G_OBJECT_CLASS (mpaio_test_probe_worker_parent_class)->finalize (object);
}

static void
mpaio_test_probe_worker_class_init (MpaioTestProbeWorkerClass *klass)
{
  GObjectClass     *object_class = G_OBJECT_CLASS (klass);
  MpaioWorkerClass *worker_class = MPAIO_WORKER_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;

  object_class->get_property = probe_get_property;
  object_class->set_property = probe_set_property;
  object_class->finalize = probe_finalize;
  worker_class->process = probe_process;
  worker_class->process_callback = probe_process_callback;

  g_object_class_install_property (object_class, PROBE_PROP_PROBE,
                                   g_param_spec_int ("probe", NULL, NULL, 0, MPAIO_TEST_PROBE_BIG,
                                                     0, flags));
  g_object_class_install_property (object_class, PROBE_PROP_SIZE,
                                   g_param_spec_uint64 ("size", NULL, NULL, 0, G_MAXUINT64, 0,
                                                        flags));
}

static void
mpaio_test_probe_worker_init (MpaioTestProbeWorker *self)
{
  self->results = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
}

MpaioTestProbeWorker *
mpaio_test_probe_worker_new (MpaioDataIterator *iterator,
                             MpaioTestProbe     probe)
{
  return g_object_new (MPAIO_TEST_TYPE_PROBE_WORKER, "data-iterator", iterator, "probe",
                       (gint) probe, NULL);
}

GPtrArray *
mpaio_test_probe_worker_get_results (MpaioTestProbeWorker *self)
{
  return self->results;
}

void
mpaio_test_ensure_fault_workers (void)
{
  g_type_ensure (MPAIO_TEST_TYPE_FAULT_WORKER);
  g_type_ensure (MPAIO_TEST_TYPE_PROBE_WORKER);
}

MpaioExecutor *
mpaio_test_new_executor (gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  MpaioExecutor *executor = NULL;

  switch ((MpaioTestExecutorKind) GPOINTER_TO_INT (data))
    {
    case MPAIO_TEST_EXECUTOR_PROCESS_POOL:
      executor = MPAIO_EXECUTOR (mpaio_process_pool_new (2, &error));
      break;
    case MPAIO_TEST_EXECUTOR_THREAD_POOL:
      executor = MPAIO_EXECUTOR (mpaio_thread_pool_new (2, &error));
      break;
    default:
      g_assert_not_reached ();
    }

  g_assert_no_error (error);
  g_assert_nonnull (executor);
  return executor;
}
