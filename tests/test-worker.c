/* test-worker.c: MpaioWorker, its parameters and its re-creation in a worker process
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "mpaio-test-workers.h"
#include "mpaio-worker-private.h"

/* A worker with a parameter of several plain kinds, plus a property that
 * is not a parameter: state the main process keeps (read-only, notified by
 * process_callback as a GUI would want). Every kind travelling to real
 * worker processes is test-parameters' subject. */

#define TW_TYPE_PARAM_WORKER (tw_param_worker_get_type ())
G_DECLARE_FINAL_TYPE (TwParamWorker, tw_param_worker, TW, PARAM_WORKER, MpaioWorker)

struct _TwParamWorker
{
  MpaioWorker parent_instance;

  gboolean   flag;
  gint       level;
  guint64    count;
  gdouble    scale;
  MpaioDType dtype;
  char      *label;
  GVariant  *options;

  guint n_delivered;
};

G_DEFINE_FINAL_TYPE (TwParamWorker, tw_param_worker, MPAIO_TYPE_WORKER)

enum
{
  PARAM_PROP_0,
  PARAM_PROP_FLAG,
  PARAM_PROP_LEVEL,
  PARAM_PROP_COUNT,
  PARAM_PROP_SCALE,
  PARAM_PROP_DTYPE,
  PARAM_PROP_LABEL,
  PARAM_PROP_OPTIONS,
  PARAM_PROP_N_DELIVERED,
  PARAM_N_PROPS
};

static GParamSpec *param_properties[PARAM_N_PROPS];

#define TW_DEFAULT_LABEL "untitled"

static GVariant *
tw_param_worker_process (MpaioWorker      *worker,
                         const MpaioChunk *chunk,
                         GError          **error)
{
  return g_variant_new_uint64 (chunk->index);
}

static void
tw_param_worker_process_callback (MpaioWorker      *worker,
                                  const MpaioChunk *chunk,
                                  GVariant         *result)
{
  TwParamWorker *self = TW_PARAM_WORKER (worker);

  self->n_delivered++;
  g_object_notify_by_pspec (G_OBJECT (self), param_properties[PARAM_PROP_N_DELIVERED]);
}

static void
tw_param_worker_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  TwParamWorker *self = TW_PARAM_WORKER (object);

  switch (prop_id)
    {
    case PARAM_PROP_FLAG:
      g_value_set_boolean (value, self->flag);
      break;
    case PARAM_PROP_LEVEL:
      g_value_set_int (value, self->level);
      break;
    case PARAM_PROP_COUNT:
      g_value_set_uint64 (value, self->count);
      break;
    case PARAM_PROP_SCALE:
      g_value_set_double (value, self->scale);
      break;
    case PARAM_PROP_DTYPE:
      g_value_set_enum (value, self->dtype);
      break;
    case PARAM_PROP_LABEL:
      g_value_set_string (value, self->label);
      break;
    case PARAM_PROP_OPTIONS:
      g_value_set_variant (value, self->options);
      break;
    case PARAM_PROP_N_DELIVERED:
      g_value_set_uint (value, self->n_delivered);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tw_param_worker_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  TwParamWorker *self = TW_PARAM_WORKER (object);

  switch (prop_id)
    {
    case PARAM_PROP_FLAG:
      self->flag = g_value_get_boolean (value);
      break;
    case PARAM_PROP_LEVEL:
      self->level = g_value_get_int (value);
      break;
    case PARAM_PROP_COUNT:
      self->count = g_value_get_uint64 (value);
      break;
    case PARAM_PROP_SCALE:
      self->scale = g_value_get_double (value);
      break;
    case PARAM_PROP_DTYPE:
      self->dtype = g_value_get_enum (value);
      break;
    case PARAM_PROP_LABEL:
      g_free (self->label);
      self->label = g_value_dup_string (value);
      break;
    case PARAM_PROP_OPTIONS:
      g_clear_pointer (&self->options, g_variant_unref);
      self->options = g_value_dup_variant (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tw_param_worker_finalize (GObject *object)
{
  TwParamWorker *self = TW_PARAM_WORKER (object);

  g_free (self->label);
  g_clear_pointer (&self->options, g_variant_unref);

  G_OBJECT_CLASS (tw_param_worker_parent_class)->finalize (object);
}

static void
tw_param_worker_class_init (TwParamWorkerClass *klass)
{
  GObjectClass     *object_class = G_OBJECT_CLASS (klass);
  MpaioWorkerClass *worker_class = MPAIO_WORKER_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;

  object_class->get_property = tw_param_worker_get_property;
  object_class->set_property = tw_param_worker_set_property;
  object_class->finalize = tw_param_worker_finalize;
  worker_class->process = tw_param_worker_process;
  worker_class->process_callback = tw_param_worker_process_callback;

  param_properties[PARAM_PROP_FLAG] = g_param_spec_boolean ("flag", NULL, NULL, FALSE, rw);
  /* Construct-only is still a parameter: the copy is constructed with it. */
  param_properties[PARAM_PROP_LEVEL] =
    g_param_spec_int ("level", NULL, NULL, -100, 100, 0, rw | G_PARAM_CONSTRUCT_ONLY);
  param_properties[PARAM_PROP_COUNT] =
    g_param_spec_uint64 ("count", NULL, NULL, 0, G_MAXUINT64, 0, rw);
  param_properties[PARAM_PROP_SCALE] =
    g_param_spec_double ("scale", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 1.0, rw);
  param_properties[PARAM_PROP_DTYPE] =
    g_param_spec_enum ("dtype", NULL, NULL, MPAIO_TYPE_DTYPE, MPAIO_DTYPE_INT8, rw);
  param_properties[PARAM_PROP_LABEL] =
    g_param_spec_string ("label", NULL, NULL, TW_DEFAULT_LABEL, rw | G_PARAM_CONSTRUCT);
  param_properties[PARAM_PROP_OPTIONS] =
    g_param_spec_variant ("options", NULL, NULL, G_VARIANT_TYPE_ANY, NULL, rw);
  param_properties[PARAM_PROP_N_DELIVERED] =
    g_param_spec_uint ("n-delivered", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, PARAM_N_PROPS, param_properties);
}

static void
tw_param_worker_init (TwParamWorker *self)
{
  self->scale = 1.0;
}

/* A worker whose process does what the test tells it to, with no
 * process_callback of its own and no parameters. */

typedef enum
{
  TW_RETURN_FLOATING, /* what C code does */
  TW_RETURN_FULL,     /* what a binding does */
  TW_RETURN_NULL,     /* no result and no error: a binding's swallowed exception */
  TW_RETURN_ERROR,
} TwReturn;

#define TW_TYPE_BARE_WORKER (tw_bare_worker_get_type ())
G_DECLARE_FINAL_TYPE (TwBareWorker, tw_bare_worker, TW, BARE_WORKER, MpaioWorker)

struct _TwBareWorker
{
  MpaioWorker parent_instance;
  TwReturn    returns;
};

G_DEFINE_FINAL_TYPE (TwBareWorker, tw_bare_worker, MPAIO_TYPE_WORKER)

static GVariant *
tw_bare_worker_process (MpaioWorker      *worker,
                        const MpaioChunk *chunk,
                        GError          **error)
{
  switch (TW_BARE_WORKER (worker)->returns)
    {
    case TW_RETURN_FLOATING:
      return g_variant_new_uint64 (chunk->index);
    case TW_RETURN_FULL:
      return g_variant_ref_sink (g_variant_new_uint64 (chunk->index));
    case TW_RETURN_NULL:
      return NULL;
    case TW_RETURN_ERROR:
    default:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "chunk %" G_GUINT64_FORMAT " refused", chunk->index);
      return NULL;
    }
}

static void
tw_bare_worker_class_init (TwBareWorkerClass *klass)
{
  MPAIO_WORKER_CLASS (klass)->process = tw_bare_worker_process;
}

static void
tw_bare_worker_init (TwBareWorker *self)
{
}

static TwBareWorker *
tw_bare_worker_new (TwReturn returns)
{
  TwBareWorker *self = g_object_new (TW_TYPE_BARE_WORKER, NULL);

  self->returns = returns;
  return self;
}

/* A concrete worker class that forgot to implement process. */
static GType
tw_no_process_worker_get_type (void)
{
  static GType type;

  if (type == 0)
    type = g_type_register_static_simple (MPAIO_TYPE_WORKER, "TwNoProcessWorker",
                                          sizeof (MpaioWorkerClass), NULL, sizeof (MpaioWorker),
                                          NULL, 0);
  return type;
}

/* Helpers */

/* The parameters as the dictionary they are, checking their container. */
static GVariant *
dup_parameters (MpaioWorker *worker)
{
  g_autoptr(GError) error = NULL;
  GVariant *parameters = _mpaio_worker_dup_parameters (worker, NULL, &error);

  g_assert_no_error (error);
  return parameters;
}

static GVariantDict *
dup_parameters_dict (MpaioWorker *worker)
{
  g_autoptr(GVariant) parameters = dup_parameters (worker);

  g_assert_nonnull (parameters);
  g_assert_false (g_variant_is_floating (parameters));
  g_assert_cmpstr (g_variant_get_type_string (parameters), ==, "a{sv}");

  return g_variant_dict_new (parameters);
}

static guint
count_parameters (MpaioWorker *worker)
{
  g_autoptr(GVariant) parameters = dup_parameters (worker);

  return (guint) g_variant_n_children (parameters);
}

static MpaioSharedArray *
refuse_array (guint64  id,
              gpointer user_data,
              GError **error)
{
  g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_PROTOCOL, "no array %" G_GUINT64_FORMAT, id);
  return NULL;
}

/* Rebuilds @worker as a worker process does, over @array. */
static MpaioWorker *
rebuild (MpaioWorker      *worker,
         MpaioSharedArray *array,
         GError          **error)
{
  g_autoptr(GVariant) parameters = dup_parameters (worker);

  return _mpaio_worker_new_for_process (G_OBJECT_TYPE_NAME (worker), parameters, array,
                                        refuse_array, NULL, error);
}

/* Tries to rebuild a worker of @type_name from parameters in GVariant text
 * format, expecting an error. */
static void
assert_rebuild_fails (const char *type_name,
                      const char *parameters_text,
                      gint        code,
                      const char *message_part)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (10);
  g_autoptr(GVariant) parameters = g_variant_parse (G_VARIANT_TYPE ("a{sv}"), parameters_text,
                                                     NULL, NULL, &error);
  g_autoptr(MpaioWorker) worker = NULL;

  g_assert_no_error (error);
  worker = _mpaio_worker_new_for_process (type_name, parameters, array, refuse_array, NULL,
                                          &error);
  g_assert_error (error, MPAIO_ERROR, code);
  g_assert_null (worker);
  g_assert_nonnull (strstr (error->message, message_part));
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  (*(guint *) user_data)++;
}

/* Parameters */

static void
test_parameters_sum (void)
{
  g_autoptr(MpaioTestSumWorker) worker = mpaio_test_new_sum_worker (100, 10, 7);
  g_autoptr(GVariantDict) dict = dup_parameters_dict (MPAIO_WORKER (worker));
  gint64 multiplier = 0;

  g_assert_true (g_variant_dict_lookup (dict, "multiplier", "x", &multiplier));
  g_assert_cmpint (multiplier, ==, 7);
  /* The iterator travels as an array id and is rebuilt in the process. */
  g_assert_false (g_variant_dict_contains (dict, "data-iterator"));
  g_assert_cmpuint (count_parameters (MPAIO_WORKER (worker)), ==, 1);
}

static void
test_parameters_spin (void)
{
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (100);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_chunked (array, 10);
  g_autoptr(MpaioTestSpinWorker) worker = mpaio_test_spin_worker_new (iterator, 1500, 9);
  g_autoptr(GVariantDict) dict = NULL;
  guint32 spin_us = 0;
  gint32  crash_index = 0;
  gint32  crash_mode = 0;

  g_object_set (worker, "crash-mode", 2, NULL);
  dict = dup_parameters_dict (MPAIO_WORKER (worker));

  g_assert_true (g_variant_dict_lookup (dict, "spin-us", "u", &spin_us));
  g_assert_cmpuint (spin_us, ==, 1500);
  g_assert_true (g_variant_dict_lookup (dict, "crash-index", "i", &crash_index));
  g_assert_cmpint (crash_index, ==, 9);
  g_assert_true (g_variant_dict_lookup (dict, "crash-mode", "i", &crash_mode));
  g_assert_cmpint (crash_mode, ==, 2);
  g_assert_false (g_variant_dict_contains (dict, "data-iterator"));
  g_assert_cmpuint (count_parameters (MPAIO_WORKER (worker)), ==, 3);
}

static TwParamWorker *
new_param_worker (MpaioSharedArray *array)
{
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_chunked (array, 10);

  return g_object_new (TW_TYPE_PARAM_WORKER,
                       "data-iterator", iterator,
                       "flag", TRUE,
                       "level", -42,
                       "count", G_GUINT64_CONSTANT (1) << 40,
                       "scale", 2.5,
                       "dtype", MPAIO_DTYPE_FLOAT64,
                       "label", "forty-two",
                       "options", g_variant_new_parsed ("{'mode': <'fast'>, 'depth': <3>}"),
                       NULL);
}

static void
test_parameters_kinds (void)
{
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (100);
  g_autoptr(TwParamWorker) worker = new_param_worker (array);
  g_autoptr(GVariantDict) dict = dup_parameters_dict (MPAIO_WORKER (worker));
  g_autoptr(GVariant) options = NULL;
  g_autoptr(GVariant) expected_options = NULL;
  gboolean flag = FALSE;
  gint32   level = 0;
  guint64  count = 0;
  gdouble  scale = 0;
  gint32   dtype = 0;
  g_autoptr(GVariant) label = NULL;
  g_autoptr(GVariant) label_bytes = NULL;

  g_assert_true (g_variant_dict_lookup (dict, "flag", "b", &flag));
  g_assert_true (flag);
  g_assert_true (g_variant_dict_lookup (dict, "level", "i", &level));
  g_assert_cmpint (level, ==, -42);
  g_assert_true (g_variant_dict_lookup (dict, "count", "t", &count));
  g_assert_cmpuint (count, ==, G_GUINT64_CONSTANT (1) << 40);
  g_assert_true (g_variant_dict_lookup (dict, "scale", "d", &scale));
  g_assert_cmpfloat (scale, ==, 2.5);
  g_assert_true (g_variant_dict_lookup (dict, "dtype", "i", &dtype));
  g_assert_cmpint (dtype, ==, MPAIO_DTYPE_FLOAT64);
  /* Strings travel as bytes: file names need not be UTF-8. */
  g_assert_true (g_variant_dict_lookup (dict, "label", "@may", &label));
  label_bytes = g_variant_get_maybe (label);
  g_assert_nonnull (label_bytes);
  g_assert_cmpstr (g_variant_get_bytestring (label_bytes), ==, "forty-two");
  g_assert_true (g_variant_dict_lookup (dict, "options", "mv", &options));
  expected_options = g_variant_ref_sink (g_variant_new_parsed ("{'mode': <'fast'>, 'depth': <3>}"));
  g_assert_true (g_variant_equal (options, expected_options));

  /* State is not a parameter, nor is the iterator. */
  g_assert_false (g_variant_dict_contains (dict, "n-delivered"));
  g_assert_false (g_variant_dict_contains (dict, "data-iterator"));
  g_assert_cmpuint (count_parameters (MPAIO_WORKER (worker)), ==, 7);
}

/* Re-creation */

static void
test_new_for_process_sum (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioTestSumWorker) worker = mpaio_test_new_sum_worker (100, 10, 7);
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (50);
  g_autoptr(MpaioWorker) copy = NULL;
  g_autoptr(GVariant) result = NULL;
  MpaioDataIterator *iterator;
  MpaioChunk         chunk = { 3, 10, 20 };
  gint64             multiplier = 0;
  gint64             sum = 0;
  gint32             pid = 0;

  copy = rebuild (MPAIO_WORKER (worker), array, &error);
  g_assert_no_error (error);
  g_assert_true (G_OBJECT_TYPE (copy) == MPAIO_TEST_TYPE_SUM_WORKER);
  g_assert_true (copy != MPAIO_WORKER (worker));

  g_object_get (copy, "multiplier", &multiplier, NULL);
  g_assert_cmpint (multiplier, ==, 7);

  /* The copy reads the array it was given, whole. */
  iterator = mpaio_worker_get_data_iterator (copy);
  g_assert_nonnull (iterator);
  g_assert_true (mpaio_data_iterator_get_array (iterator) == array);
  g_assert_true (mpaio_worker_get_array (copy) == array);
  g_assert_cmpuint (mpaio_data_iterator_get_start_index (iterator), ==, 0);
  g_assert_cmpuint (mpaio_data_iterator_get_end_index (iterator), ==, 50);

  /* And computes with the copied multiplier: rows 11..20 times 7. */
  result = mpaio_worker_process (copy, &chunk, &error);
  g_assert_no_error (error);
  g_variant_get (result, "(xi)", &sum, &pid);
  g_assert_cmpint (sum, ==, 155 * 7);
}

static void
test_new_for_process_kinds (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (20);
  g_autoptr(TwParamWorker) worker = new_param_worker (array);
  g_autoptr(MpaioWorker) copy = NULL;
  g_autoptr(GVariant) parameters = NULL;
  g_autoptr(GVariant) copy_parameters = NULL;
  TwParamWorker *param_copy;

  copy = rebuild (MPAIO_WORKER (worker), array, &error);
  g_assert_no_error (error);
  g_assert_true (TW_IS_PARAM_WORKER (copy));
  param_copy = TW_PARAM_WORKER (copy);

  g_assert_true (param_copy->flag);
  g_assert_cmpint (param_copy->level, ==, -42);
  g_assert_cmpuint (param_copy->count, ==, G_GUINT64_CONSTANT (1) << 40);
  g_assert_cmpfloat (param_copy->scale, ==, 2.5);
  g_assert_cmpint (param_copy->dtype, ==, MPAIO_DTYPE_FLOAT64);
  g_assert_cmpstr (param_copy->label, ==, "forty-two");
  g_assert_nonnull (param_copy->options);
  g_assert_true (g_variant_equal (param_copy->options, worker->options));
  /* Not parameters, so not copied. */
  g_assert_cmpuint (param_copy->n_delivered, ==, 0);

  parameters = dup_parameters (MPAIO_WORKER (worker));
  copy_parameters = dup_parameters (copy);
  g_assert_true (g_variant_equal (parameters, copy_parameters));
}

/* A string parameter set to NULL must stay NULL in the copy, even when the
 * property's default is not NULL. */
static void
test_new_for_process_null_string (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (20);
  g_autoptr(TwParamWorker) worker = new_param_worker (array);
  g_autoptr(MpaioWorker) copy = NULL;

  g_object_set (worker, "label", NULL, NULL);
  g_assert_null (worker->label);

  copy = rebuild (MPAIO_WORKER (worker), array, &error);
  g_assert_no_error (error);

  /* NULL travels as NULL, not as the property's default. */
  g_assert_null (TW_PARAM_WORKER (copy)->label);
}

/* A type registered lazily in the main process is found in a worker process
 * through its exported get_type function, as GtkBuilder finds types. */
static void
test_new_for_process_lazy_type (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (10);
  g_autoptr(GVariant) parameters = g_variant_ref_sink (g_variant_new ("a{sv}", NULL));
  g_autoptr(MpaioWorker) worker = NULL;

  /* Nothing in this program registers it before this test. */
  g_assert_true (g_type_from_name ("MpaioTestLazyWorker") == G_TYPE_INVALID);

  worker = _mpaio_worker_new_for_process ("MpaioTestLazyWorker", parameters, array,
                                          refuse_array, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (G_OBJECT_TYPE (worker) == MPAIO_TEST_TYPE_LAZY_WORKER);
}

static void
test_new_for_process_bad_parameters (void)
{
  g_type_ensure (TW_TYPE_PARAM_WORKER);

  assert_rebuild_fails ("MpaioTestSumWorker", "{'divisor': <int64 2>}", MPAIO_ERROR_PROTOCOL,
                        "divisor");
  /* Types are checked exactly: the wire is not trusted to coerce. */
  assert_rebuild_fails ("MpaioTestSumWorker", "{'multiplier': <'seven'>}", MPAIO_ERROR_PROTOCOL,
                        "multiplier");
  assert_rebuild_fails ("MpaioTestSumWorker", "{'multiplier': <int32 7>}", MPAIO_ERROR_PROTOCOL,
                        "multiplier");
  /* Properties that are not parameters cannot be set from outside. */
  assert_rebuild_fails ("MpaioTestSumWorker", "{'data-iterator': <'x'>}", MPAIO_ERROR_PROTOCOL,
                        "data-iterator");
  assert_rebuild_fails ("TwParamWorker", "{'n-delivered': <uint32 3>}", MPAIO_ERROR_PROTOCOL,
                        "n-delivered");
  assert_rebuild_fails ("TwParamWorker", "{'companion': <'x'>}", MPAIO_ERROR_PROTOCOL,
                        "companion");
  /* Strings are bytes and a nul, exactly: no interior nul, no missing one. */
  assert_rebuild_fails ("TwParamWorker", "{'label': <@may [0x61, 0x00, 0x62, 0x00]>}",
                        MPAIO_ERROR_PROTOCOL, "label");
  assert_rebuild_fails ("TwParamWorker", "{'label': <@may [0x61]>}", MPAIO_ERROR_PROTOCOL,
                        "label");
  assert_rebuild_fails ("TwParamWorker", "{'label': <@ms 'plain'>}", MPAIO_ERROR_PROTOCOL,
                        "label");
}

static void
test_new_for_process_bad_types (void)
{
  assert_rebuild_fails ("GObject", "@a{sv} {}", MPAIO_ERROR_UNKNOWN_WORKER_TYPE, "GObject");
  assert_rebuild_fails ("MpaioWorker", "@a{sv} {}", MPAIO_ERROR_UNKNOWN_WORKER_TYPE,
                        "MpaioWorker");
  g_type_ensure (MPAIO_TYPE_SHARED_ARRAY);
  assert_rebuild_fails ("MpaioSharedArray", "@a{sv} {}", MPAIO_ERROR_UNKNOWN_WORKER_TYPE,
                        "MpaioSharedArray");

  /* Unregistered: the message says how to fix it, and names the type. */
  g_assert_true (g_type_from_name ("TwNoSuchWorker") == G_TYPE_INVALID);
  assert_rebuild_fails ("TwNoSuchWorker", "@a{sv} {}", MPAIO_ERROR_UNKNOWN_WORKER_TYPE,
                        "g_type_ensure");
  assert_rebuild_fails ("TwNoSuchWorker", "@a{sv} {}", MPAIO_ERROR_UNKNOWN_WORKER_TYPE,
                        "TwNoSuchWorker");
}

/* Generation */

static void
test_generation_parameters (void)
{
  g_autoptr(MpaioTestSumWorker) worker = mpaio_test_new_sum_worker (100, 10, 7);
  MpaioWorker *base = MPAIO_WORKER (worker);
  g_autoptr(GVariant) parameters = NULL;
  g_autoptr(GVariant) result = NULL;
  g_autoptr(GError) error = NULL;
  MpaioChunk chunk = { 0, 0, 10 };
  gint64     multiplier;
  guint      before;
  guint      after;

  before = _mpaio_worker_get_generation (base);

  /* Reading and using the worker changes nothing. */
  parameters = dup_parameters (base);
  g_object_get (worker, "multiplier", &multiplier, NULL);
  result = mpaio_worker_process (base, &chunk, &error);
  g_assert_no_error (error);
  mpaio_worker_process_callback (base, &chunk, result);
  g_assert_cmpuint (mpaio_test_sum_worker_get_results (worker)->len, ==, 1);
  g_assert_cmpuint (_mpaio_worker_get_generation (base), ==, before);

  g_object_set (worker, "multiplier", (gint64) 3, NULL);
  after = _mpaio_worker_get_generation (base);
  g_assert_cmpuint (after, !=, before);
  g_assert_cmpuint (_mpaio_worker_get_generation (base), ==, after);

  g_object_set (worker, "multiplier", (gint64) 4, NULL);
  g_assert_cmpuint (_mpaio_worker_get_generation (base), !=, after);
}

/* Main-process state notified from process_callback is not a parameter:
 * a copy in a worker process is not stale because of it, and must not be
 * sent again for every chunk. */
static void
test_generation_state (void)
{
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (100);
  g_autoptr(TwParamWorker) worker = new_param_worker (array);
  MpaioWorker *base = MPAIO_WORKER (worker);
  g_autoptr(GVariant) result = g_variant_ref_sink (g_variant_new_uint64 (0));
  MpaioChunk chunk = { 0, 0, 10 };
  guint      n_notifies = 0;
  guint      before;

  g_signal_connect (worker, "notify::n-delivered", G_CALLBACK (count_notify), &n_notifies);
  before = _mpaio_worker_get_generation (base);

  mpaio_worker_process_callback (base, &chunk, result);
  g_assert_cmpuint (n_notifies, ==, 1);

  /* State that is not a parameter does not make copies stale. */
  g_assert_cmpuint (_mpaio_worker_get_generation (base), ==, before);

  /* While a parameter still counts. */
  g_object_set (worker, "scale", 3.0, NULL);
  g_assert_cmpuint (_mpaio_worker_get_generation (base), !=, before);
}

/* process */

/* C code returns a floating reference, which is sunk; a binding returns a
 * full reference, handed on as it is, not referenced again (the leak
 * checker of a sanitized build would see it). Either way the caller gets
 * (transfer full), which the g_autoptr's single unref frees. */
static void
test_process_reference (gconstpointer data)
{
  TwReturn mode = GPOINTER_TO_INT (data);
  g_autoptr(GError) error = NULL;
  g_autoptr(TwBareWorker) worker = tw_bare_worker_new (mode);
  g_autoptr(GVariant) result = NULL;
  MpaioChunk chunk = { 5, 0, 0 };

  result = mpaio_worker_process (MPAIO_WORKER (worker), &chunk, &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);
  g_assert_false (g_variant_is_floating (result));
  g_assert_cmpuint (g_variant_get_uint64 (result), ==, 5);
}

static void
test_process_null_without_error (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwBareWorker) worker = tw_bare_worker_new (TW_RETURN_NULL);
  g_autoptr(GVariant) result = NULL;
  MpaioChunk chunk = { 0, 0, 0 };

  result = mpaio_worker_process (MPAIO_WORKER (worker), &chunk, &error);
  g_assert_null (result);
  g_assert_error (error, MPAIO_ERROR, MPAIO_ERROR_WORKER_FAILED);
  g_assert_nonnull (strstr (error->message, "TwBareWorker"));
}

/* The worker's own error reaches the caller unchanged; the executors are
 * the ones that file it under MPAIO_ERROR_WORKER_FAILED. */
static void
test_process_error (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TwBareWorker) worker = tw_bare_worker_new (TW_RETURN_ERROR);
  g_autoptr(GVariant) result = NULL;
  MpaioChunk chunk = { 4, 0, 0 };

  result = mpaio_worker_process (MPAIO_WORKER (worker), &chunk, &error);
  g_assert_null (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_cmpstr (error->message, ==, "chunk 4 refused");
}

static void
test_process_unimplemented (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioWorker) worker = g_object_new (tw_no_process_worker_get_type (), NULL);
  g_autoptr(GVariant) result = NULL;
  MpaioChunk chunk = { 0, 0, 0 };

  result = mpaio_worker_process (worker, &chunk, &error);
  g_assert_null (result);
  g_assert_error (error, MPAIO_ERROR, MPAIO_ERROR_WORKER_FAILED);
  g_assert_nonnull (strstr (error->message, "TwNoProcessWorker"));
}

/* process_callback */

static void
test_process_callback_default (void)
{
  g_autoptr(TwBareWorker) worker = tw_bare_worker_new (TW_RETURN_FLOATING);
  MpaioWorker *base = MPAIO_WORKER (worker);
  GVariant    *result = g_variant_new_uint64 (1);
  MpaioChunk   chunk = { 1, 0, 0 };
  guint        n_notifies = 0;
  guint        generation = _mpaio_worker_get_generation (base);

  g_assert_null (MPAIO_WORKER_GET_CLASS (worker)->process_callback);
  g_signal_connect (worker, "notify", G_CALLBACK (count_notify), &n_notifies);

  mpaio_worker_process_callback (base, &chunk, result);

  /* Nothing took the result, nothing changed on the worker. */
  g_assert_true (g_variant_is_floating (result));
  g_assert_cmpuint (n_notifies, ==, 0);
  g_assert_cmpuint (_mpaio_worker_get_generation (base), ==, generation);

  g_variant_unref (g_variant_ref_sink (result));
}

int
main (int    argc,
      char **argv)
{
  mpaio_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_summary ("MpaioWorker: parameters, re-creation in worker processes, process and "
                  "process_callback");

  g_test_add_func ("/worker/parameters/sum", test_parameters_sum);
  g_test_add_func ("/worker/parameters/spin", test_parameters_spin);
  g_test_add_func ("/worker/parameters/kinds", test_parameters_kinds);
  g_test_add_func ("/worker/new-for-process/sum", test_new_for_process_sum);
  g_test_add_func ("/worker/new-for-process/kinds", test_new_for_process_kinds);
  g_test_add_func ("/worker/new-for-process/null-string", test_new_for_process_null_string);
  g_test_add_func ("/worker/new-for-process/lazy-type", test_new_for_process_lazy_type);
  g_test_add_func ("/worker/new-for-process/bad-parameters", test_new_for_process_bad_parameters);
  g_test_add_func ("/worker/new-for-process/bad-types", test_new_for_process_bad_types);
  g_test_add_func ("/worker/generation/parameters", test_generation_parameters);
  g_test_add_func ("/worker/generation/state", test_generation_state);
  g_test_add_data_func ("/worker/process/floating", GINT_TO_POINTER (TW_RETURN_FLOATING),
                        test_process_reference);
  g_test_add_data_func ("/worker/process/full", GINT_TO_POINTER (TW_RETURN_FULL),
                        test_process_reference);
  g_test_add_func ("/worker/process/null-without-error", test_process_null_without_error);
  g_test_add_func ("/worker/process/error", test_process_error);
  g_test_add_func ("/worker/process/unimplemented", test_process_unimplemented);
  g_test_add_func ("/worker/process-callback/default", test_process_callback_default);

  return g_test_run ();
}
