/* test-results.c: results and errors reach the main process as the worker
 * made them: big results whole, errors with their own domain and code
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <mpaio.h>

#include "mpaio-test-workers.h"

/* An error domain this program registers, in its worker processes too (its
 * worker uses it there). */
#define TR_ERROR (tr_error_quark ())
GQuark tr_error_quark (void);
G_DEFINE_QUARK (tr - error - quark, tr_error)

/* Returns, for each chunk, `size` bytes whose values depend on their
 * position and the chunk ("ay"), or as many doubles ("ad", when `doubles`
 * is set); or fails with an error of the domain named `error-domain`
 * (registered where it runs), `error-code` and `error-message`. Delivered
 * results are kept. */

#define TR_TYPE_RESULT_WORKER (tr_result_worker_get_type ())
G_DECLARE_FINAL_TYPE (TrResultWorker, tr_result_worker, TR, RESULT_WORKER, MpaioWorker)

struct _TrResultWorker
{
  MpaioWorker parent_instance;
  guint64     size;
  gboolean    doubles;
  char       *error_domain;
  gint        error_code;
  char       *error_message;
  GPtrArray  *results;
};

G_DEFINE_FINAL_TYPE (TrResultWorker, tr_result_worker, MPAIO_TYPE_WORKER)

enum
{
  PROP_0,
  PROP_SIZE,
  PROP_DOUBLES,
  PROP_ERROR_DOMAIN,
  PROP_ERROR_CODE,
  PROP_ERROR_MESSAGE,
  N_PROPS
};

static guint8
expected_byte (guint64 chunk_index,
               guint64 i)
{
  return (guint8) ((i * 2654435761u) >> 13) ^ (guint8) chunk_index;
}

static gdouble
expected_double (guint64 chunk_index,
                 guint64 i)
{
  return (gdouble) i * 0.5 - (gdouble) chunk_index;
}

static GVariant *
tr_result_worker_process (MpaioWorker      *worker,
                          const MpaioChunk *chunk,
                          GError          **error)
{
  TrResultWorker *self = TR_RESULT_WORKER (worker);

  if (self->error_domain != NULL)
    {
      g_set_error_literal (error, g_quark_from_string (self->error_domain), self->error_code,
                           self->error_message);
      return NULL;
    }

  if (self->doubles)
    {
      gdouble *values = g_new (gdouble, self->size);

      for (guint64 i = 0; i < self->size; i++)
        values[i] = expected_double (chunk->index, i);
      return g_variant_new_from_data (G_VARIANT_TYPE ("ad"), values, self->size * sizeof *values,
                                      TRUE, g_free, values);
    }
  else
    {
      guint8 *bytes = g_malloc (self->size);

      for (guint64 i = 0; i < self->size; i++)
        bytes[i] = expected_byte (chunk->index, i);
      return g_variant_new_from_data (G_VARIANT_TYPE_BYTESTRING, bytes, self->size, TRUE, g_free,
                                      bytes);
    }
}

static void
tr_result_worker_process_callback (MpaioWorker      *worker,
                                   const MpaioChunk *chunk,
                                   GVariant         *result)
{
  g_ptr_array_add (TR_RESULT_WORKER (worker)->results, g_variant_ref (result));
}

static void
tr_result_worker_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  TrResultWorker *self = TR_RESULT_WORKER (object);

  switch (prop_id)
    {
    case PROP_SIZE:
      g_value_set_uint64 (value, self->size);
      break;
    case PROP_DOUBLES:
      g_value_set_boolean (value, self->doubles);
      break;
    case PROP_ERROR_DOMAIN:
      g_value_set_string (value, self->error_domain);
      break;
    case PROP_ERROR_CODE:
      g_value_set_int (value, self->error_code);
      break;
    case PROP_ERROR_MESSAGE:
      g_value_set_string (value, self->error_message);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_result_worker_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  TrResultWorker *self = TR_RESULT_WORKER (object);

  switch (prop_id)
    {
    case PROP_SIZE:
      self->size = g_value_get_uint64 (value);
      break;
    case PROP_DOUBLES:
      self->doubles = g_value_get_boolean (value);
      break;
    case PROP_ERROR_DOMAIN:
      g_free (self->error_domain);
      self->error_domain = g_value_dup_string (value);
      break;
    case PROP_ERROR_CODE:
      self->error_code = g_value_get_int (value);
      break;
    case PROP_ERROR_MESSAGE:
      g_free (self->error_message);
      self->error_message = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_result_worker_finalize (GObject *object)
{
  TrResultWorker *self = TR_RESULT_WORKER (object);

  g_free (self->error_domain);
  g_free (self->error_message);
  g_ptr_array_unref (self->results);

  G_OBJECT_CLASS (tr_result_worker_parent_class)->finalize (object);
}

static void
tr_result_worker_class_init (TrResultWorkerClass *klass)
{
  GObjectClass     *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;

  object_class->get_property = tr_result_worker_get_property;
  object_class->set_property = tr_result_worker_set_property;
  object_class->finalize = tr_result_worker_finalize;
  MPAIO_WORKER_CLASS (klass)->process = tr_result_worker_process;
  MPAIO_WORKER_CLASS (klass)->process_callback = tr_result_worker_process_callback;

  g_object_class_install_property (object_class, PROP_SIZE,
                                   g_param_spec_uint64 ("size", NULL, NULL, 0, G_MAXUINT64, 0, rw));
  g_object_class_install_property (object_class, PROP_DOUBLES,
                                   g_param_spec_boolean ("doubles", NULL, NULL, FALSE, rw));
  g_object_class_install_property (object_class, PROP_ERROR_DOMAIN,
                                   g_param_spec_string ("error-domain", NULL, NULL, NULL, rw));
  g_object_class_install_property (object_class, PROP_ERROR_CODE,
                                   g_param_spec_int ("error-code", NULL, NULL, G_MININT, G_MAXINT, 0, rw));
  g_object_class_install_property (object_class, PROP_ERROR_MESSAGE,
                                   g_param_spec_string ("error-message", NULL, NULL, NULL, rw));
}

static void
tr_result_worker_init (TrResultWorker *self)
{
  self->results = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
}

/* Helpers */

static TrResultWorker *
new_result_worker (guint n_chunks)
{
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (n_chunks);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (array, n_chunks);

  return g_object_new (TR_TYPE_RESULT_WORKER, "data-iterator", iterator, NULL);
}

static MpaioRunReport *
run_worker (MpaioExecutor  *executor,
            TrResultWorker *worker,
            GError        **error)
{
  MpaioWorker *workers[] = { MPAIO_WORKER (worker) };
  g_autoptr(MpaioOrchestrator) orchestrator = mpaio_orchestrator_new (executor, workers, 1);

  mpaio_orchestrator_set_ordered (orchestrator, TRUE);
  return mpaio_test_run (orchestrator, NULL, error);
}

/* Big results */

static void
assert_bytes_intact (GVariant *result,
                     guint64   chunk_index,
                     guint64   size)
{
  const guint8 *bytes;
  gsize         n;

  g_assert_cmpstr (g_variant_get_type_string (result), ==, "ay");
  bytes = g_variant_get_fixed_array (result, &n, 1);
  g_assert_cmpuint (n, ==, size);
  for (gsize i = 0; i < n; i++)
    if (bytes[i] != expected_byte (chunk_index, i))
      g_error ("byte %" G_GSIZE_FORMAT " of chunk %" G_GUINT64_FORMAT " is %u, not %u", i,
               chunk_index, bytes[i], expected_byte (chunk_index, i));
}

static void
test_big_bytes (gconstpointer data)
{
  g_autoptr(MpaioExecutor) executor = mpaio_test_new_executor (data);
  g_autoptr(TrResultWorker) worker = new_result_worker (2);
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  const guint64 size = 64 * 1024 * 1024;

  g_object_set (worker, "size", size, NULL);
  report = run_worker (executor, worker, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (worker->results->len, ==, 2);
  for (guint i = 0; i < worker->results->len; i++)
    assert_bytes_intact (g_ptr_array_index (worker->results, i), i, size);
}

static void
test_big_doubles (gconstpointer data)
{
  g_autoptr(MpaioExecutor) executor = mpaio_test_new_executor (data);
  g_autoptr(TrResultWorker) worker = new_result_worker (3);
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  const guint64 n_values = 3 * 1024 * 1024 + 3;

  g_object_set (worker, "size", n_values, "doubles", TRUE, NULL);
  report = run_worker (executor, worker, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (worker->results->len, ==, 3);
  for (guint c = 0; c < worker->results->len; c++)
    {
      GVariant      *result = g_ptr_array_index (worker->results, c);
      const gdouble *values;
      gsize          n;

      g_assert_cmpstr (g_variant_get_type_string (result), ==, "ad");
      values = g_variant_get_fixed_array (result, &n, sizeof (gdouble));
      g_assert_cmpuint (n, ==, n_values);
      for (gsize i = 0; i < n; i++)
        g_assert_cmpfloat (values[i], ==, expected_double (c, i));
    }
}

/* Every size around the point where results change how they travel. */
static void
test_sizes (void)
{
  g_autoptr(MpaioExecutor) executor =
               mpaio_test_new_executor (GINT_TO_POINTER (MPAIO_TEST_EXECUTOR_PROCESS_POOL));
  const guint64 sizes[] = { 0, 1, 4095, 65536, 4 * 1024 * 1024 - 1, 4 * 1024 * 1024,
                            4 * 1024 * 1024 + 1, 5 * 1024 * 1024 + 7 };

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      g_autoptr(TrResultWorker) worker = new_result_worker (8);
      g_autoptr(MpaioRunReport) report = NULL;
      g_autoptr(GError) error = NULL;

      g_object_set (worker, "size", sizes[s], NULL);
      report = run_worker (executor, worker, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (worker->results->len, ==, 8);
      for (guint i = 0; i < worker->results->len; i++)
        assert_bytes_intact (g_ptr_array_index (worker->results, i), i, sizes[s]);
    }
}

/* Errors */

static void
test_error_identity (gconstpointer data)
{
  g_autoptr(MpaioExecutor) executor = mpaio_test_new_executor (data);
  g_autoptr(TrResultWorker) worker = new_result_worker (4);
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GError) error = NULL;

  g_object_set (worker, "error-domain", g_quark_to_string (TR_ERROR), "error-code", 42,
                "error-message", "the input is odd", NULL);
  report = run_worker (executor, worker, &error);
  g_assert_null (report);
  g_assert_error (error, TR_ERROR, 42);
  /* The worker's message, with the chunk and worker as context. */
  mpaio_test_assert_message_contains (error, "the input is odd");
  mpaio_test_assert_message_contains (error, "TrResultWorker");
  mpaio_test_assert_message_contains (error, "Chunk ");
}

static void
test_error_gio (gconstpointer data)
{
  g_autoptr(MpaioExecutor) executor = mpaio_test_new_executor (data);
  g_autoptr(TrResultWorker) worker = new_result_worker (4);
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GError) error = NULL;

  g_object_set (worker, "error-domain", g_quark_to_string (G_IO_ERROR), "error-code",
                G_IO_ERROR_NOT_FOUND, "error-message", "no such file", NULL);
  report = run_worker (executor, worker, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  mpaio_test_assert_message_contains (error, "no such file");
}

/* A domain only the worker process knows cannot be rebuilt here: filed as
 * a worker failure, naming it. */
static void
test_error_unknown_domain (void)
{
  g_autoptr(MpaioExecutor) executor =
               mpaio_test_new_executor (GINT_TO_POINTER (MPAIO_TEST_EXECUTOR_PROCESS_POOL));
  g_autoptr(TrResultWorker) worker = new_result_worker (4);
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  const char *domain = "tr-only-in-worker-processes-quark";

  g_assert_true (g_quark_try_string (domain) == 0);
  g_object_set (worker, "error-domain", domain, "error-code", 7, "error-message", "private",
                NULL);
  report = run_worker (executor, worker, &error);
  g_assert_error (error, MPAIO_ERROR, MPAIO_ERROR_WORKER_FAILED);
  mpaio_test_assert_message_contains (error, "private");
  mpaio_test_assert_message_contains (error, domain);
  /* Nothing made it known here. */
  g_assert_true (g_quark_try_string (domain) == 0);
}

/* A message quoting a file name that is not UTF-8 is made valid, not
 * thrown away. */
static void
test_error_invalid_utf8 (void)
{
  g_autoptr(MpaioExecutor) executor =
               mpaio_test_new_executor (GINT_TO_POINTER (MPAIO_TEST_EXECUTOR_PROCESS_POOL));
  g_autoptr(TrResultWorker) worker = new_result_worker (2);
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GError) error = NULL;

  g_object_set (worker, "error-domain", g_quark_to_string (TR_ERROR), "error-code", 1,
                "error-message", "cannot read caf\xe9.bin", NULL);
  report = run_worker (executor, worker, &error);
  g_assert_error (error, TR_ERROR, 1);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  mpaio_test_assert_message_contains (error, "cannot read caf\xef\xbf\xbd.bin");
}

static void
add_for_each_executor (const char   *path,
                       GTestDataFunc func)
{
  g_autofree char *processes = g_strconcat ("/results/process-pool", path, NULL);
  g_autofree char *threads = g_strconcat ("/results/thread-pool", path, NULL);

  g_test_add_data_func (processes, GINT_TO_POINTER (MPAIO_TEST_EXECUTOR_PROCESS_POOL), func);
  g_test_add_data_func (threads, GINT_TO_POINTER (MPAIO_TEST_EXECUTOR_THREAD_POOL), func);
}

int
main (int    argc,
      char **argv)
{
  g_type_ensure (TR_TYPE_RESULT_WORKER);
  tr_error_quark ();
  mpaio_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_summary ("Results arrive whole however big, errors with their own domain and code");

  add_for_each_executor ("/big/64-mb-of-bytes", test_big_bytes);
  add_for_each_executor ("/big/doubles", test_big_doubles);
  g_test_add_func ("/results/process-pool/sizes", test_sizes);
  add_for_each_executor ("/error/identity", test_error_identity);
  add_for_each_executor ("/error/gio", test_error_gio);
  g_test_add_func ("/results/process-pool/error/unknown-domain", test_error_unknown_domain);
  g_test_add_func ("/results/process-pool/error/invalid-utf8", test_error_invalid_utf8);

  return g_test_run ();
}
