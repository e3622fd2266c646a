/* test-parameters.c: a worker's parameters (arrays among them) reach the
 * worker process whole, on every executor, or the run is refused
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdio.h>
#include <string.h>

#include <mpaio.h>

#include "mpaio-test-workers.h"

/* A worker with a parameter of every kind that travels. Its `process`
 * returns a description of the values it holds, made by this file alone
 * (not by the library's own encoding), so the main process compares it with
 * the description of its own instance. */

#define TP_TYPE_ALL_WORKER (tp_all_worker_get_type ())
G_DECLARE_FINAL_TYPE (TpAllWorker, tp_all_worker, TP, ALL_WORKER, MpaioWorker)

enum
{
  ALL_PROP_0,
  ALL_PROP_FLAG,
  ALL_PROP_LETTER,
  ALL_PROP_BYTE,
  ALL_PROP_LEVEL,
  ALL_PROP_COUNT,
  ALL_PROP_LONG,
  ALL_PROP_ULONG,
  ALL_PROP_BIG,
  ALL_PROP_UBIG,
  ALL_PROP_RATIO,
  ALL_PROP_SCALE,
  ALL_PROP_DTYPE,
  ALL_PROP_FLAGS,
  ALL_PROP_PATH,
  ALL_PROP_NAMES,
  ALL_PROP_BLOB,
  ALL_PROP_OPTIONS,
  ALL_PROP_TABLE,
  ALL_N_PROPS
};

struct _TpAllWorker
{
  MpaioWorker parent_instance;
  GValue      values[ALL_N_PROPS];
  GPtrArray  *results; /* main process: the descriptions delivered */
};

G_DEFINE_FINAL_TYPE (TpAllWorker, tp_all_worker, MPAIO_TYPE_WORKER)

static GParamSpec *all_properties[ALL_N_PROPS];

static char *
describe_value (const GValue *value)
{
  GType type = G_VALUE_TYPE (value);

  switch (G_TYPE_FUNDAMENTAL (type))
    {
    case G_TYPE_BOOLEAN:
      return g_strdup (g_value_get_boolean (value) ? "true" : "false");
    case G_TYPE_CHAR:
      return g_strdup_printf ("%d", g_value_get_schar (value));
    case G_TYPE_UCHAR:
      return g_strdup_printf ("%u", g_value_get_uchar (value));
    case G_TYPE_INT:
      return g_strdup_printf ("%d", g_value_get_int (value));
    case G_TYPE_UINT:
      return g_strdup_printf ("%u", g_value_get_uint (value));
    case G_TYPE_LONG:
      return g_strdup_printf ("%ld", g_value_get_long (value));
    case G_TYPE_ULONG:
      return g_strdup_printf ("%lu", g_value_get_ulong (value));
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, g_value_get_int64 (value));
    case G_TYPE_UINT64:
      return g_strdup_printf ("%" G_GUINT64_FORMAT, g_value_get_uint64 (value));
    case G_TYPE_FLOAT:
      return g_strdup_printf ("%.9g", g_value_get_float (value));
    case G_TYPE_DOUBLE:
      return g_strdup_printf ("%.17g", g_value_get_double (value));
    case G_TYPE_ENUM:
      return g_strdup_printf ("enum %d", g_value_get_enum (value));
    case G_TYPE_FLAGS:
      return g_strdup_printf ("flags %u", g_value_get_flags (value));
    case G_TYPE_STRING:
      /* The bytes as they are: not every string is UTF-8. */
      return g_value_get_string (value) ? g_strconcat ("string ", g_value_get_string (value), NULL)
                                        : g_strdup ("no string");
    case G_TYPE_VARIANT:
      return g_value_get_variant (value) ? g_variant_print (g_value_get_variant (value), TRUE)
                                         : g_strdup ("no variant");
    case G_TYPE_BOXED:
      if (type == G_TYPE_STRV)
        {
          char           **strv = g_value_get_boxed (value);
          g_autofree char *joined = strv ? g_strjoinv ("|", strv) : NULL;

          return strv ? g_strdup_printf ("%u strings %s", g_strv_length (strv), joined)
                      : g_strdup ("no strv");
        }
      else
        {
          GBytes       *bytes = g_value_get_boxed (value);
          GString      *text;
          gsize         size;
          const guint8 *data;

          g_assert_true (type == G_TYPE_BYTES);
          if (bytes == NULL)
            return g_strdup ("no bytes");
          data = g_bytes_get_data (bytes, &size);
          text = g_string_new ("bytes");
          for (gsize i = 0; i < size; i++)
            g_string_append_printf (text, " %02x", data[i]);
          return g_string_free (text, FALSE);
        }
    case G_TYPE_OBJECT:
      {
        MpaioSharedArray *array = g_value_get_object (value);
        const gint64     *rows;
        gint64            sum = 0;

        if (array == NULL)
          return g_strdup ("no array");
        /* Read from the memory mapped in this process. */
        rows = mpaio_shared_array_get_data (array);
        for (guint64 i = 0; i < mpaio_shared_array_get_n_rows (array); i++)
          sum += rows[i];
        return g_strdup_printf ("array of %" G_GUINT64_FORMAT " rows summing to %" G_GINT64_FORMAT,
                                mpaio_shared_array_get_n_rows (array), sum);
      }
    default:
      g_assert_not_reached ();
    }
}

/* "a{say}": each parameter's name, its description as bytes. */
static GVariant *
describe_worker (TpAllWorker *self)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{say}"));
  for (guint i = 1; i < ALL_N_PROPS; i++)
    {
      g_autofree char *text = describe_value (&self->values[i]);

      g_variant_builder_add (&builder, "{s@ay}", all_properties[i]->name,
                             g_variant_new_bytestring (text));
    }

  return g_variant_builder_end (&builder);
}

static GVariant *
tp_all_worker_process (MpaioWorker      *worker,
                       const MpaioChunk *chunk,
                       GError          **error)
{
  return describe_worker (TP_ALL_WORKER (worker));
}

static void
tp_all_worker_process_callback (MpaioWorker      *worker,
                                const MpaioChunk *chunk,
                                GVariant         *result)
{
  g_ptr_array_add (TP_ALL_WORKER (worker)->results, g_variant_ref (result));
}

static void
tp_all_worker_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  g_value_copy (&TP_ALL_WORKER (object)->values[prop_id], value);
}

static void
tp_all_worker_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  GValue *stored = &TP_ALL_WORKER (object)->values[prop_id];

  g_value_unset (stored);
  g_value_init (stored, pspec->value_type);
  g_value_copy (value, stored);
}

static void
tp_all_worker_finalize (GObject *object)
{
  TpAllWorker *self = TP_ALL_WORKER (object);

  for (guint i = 1; i < ALL_N_PROPS; i++)
    g_value_unset (&self->values[i]);
  g_ptr_array_unref (self->results);

  G_OBJECT_CLASS (tp_all_worker_parent_class)->finalize (object);
}

static void
tp_all_worker_class_init (TpAllWorkerClass *klass)
{
  GObjectClass     *object_class = G_OBJECT_CLASS (klass);
  MpaioWorkerClass *worker_class = MPAIO_WORKER_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;

  object_class->get_property = tp_all_worker_get_property;
  object_class->set_property = tp_all_worker_set_property;
  object_class->finalize = tp_all_worker_finalize;
  worker_class->process = tp_all_worker_process;
  worker_class->process_callback = tp_all_worker_process_callback;

  all_properties[ALL_PROP_FLAG] = g_param_spec_boolean ("flag", NULL, NULL, FALSE, rw);
  all_properties[ALL_PROP_LETTER] = g_param_spec_char ("letter", NULL, NULL, G_MININT8, G_MAXINT8, 0, rw);
  all_properties[ALL_PROP_BYTE] = g_param_spec_uchar ("byte", NULL, NULL, 0, G_MAXUINT8, 0, rw);
  all_properties[ALL_PROP_LEVEL] = g_param_spec_int ("level", NULL, NULL, G_MININT, G_MAXINT, 0, rw);
  all_properties[ALL_PROP_COUNT] = g_param_spec_uint ("count", NULL, NULL, 0, G_MAXUINT, 0, rw);
  all_properties[ALL_PROP_LONG] = g_param_spec_long ("long", NULL, NULL, G_MINLONG, G_MAXLONG, 0, rw);
  all_properties[ALL_PROP_ULONG] = g_param_spec_ulong ("ulong", NULL, NULL, 0, G_MAXULONG, 0, rw);
  all_properties[ALL_PROP_BIG] = g_param_spec_int64 ("big", NULL, NULL, G_MININT64, G_MAXINT64, 0, rw);
  all_properties[ALL_PROP_UBIG] = g_param_spec_uint64 ("ubig", NULL, NULL, 0, G_MAXUINT64, 0, rw);
  all_properties[ALL_PROP_RATIO] = g_param_spec_float ("ratio", NULL, NULL, -G_MAXFLOAT, G_MAXFLOAT, 0, rw);
  all_properties[ALL_PROP_SCALE] = g_param_spec_double ("scale", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, rw);
  all_properties[ALL_PROP_DTYPE] =
    g_param_spec_enum ("dtype", NULL, NULL, MPAIO_TYPE_DTYPE, MPAIO_DTYPE_INT8, rw);
  all_properties[ALL_PROP_FLAGS] =
    g_param_spec_flags ("flags", NULL, NULL, MPAIO_TYPE_SHARED_ARRAY_FLAGS, 0, rw);
  all_properties[ALL_PROP_PATH] = g_param_spec_string ("path", NULL, NULL, NULL, rw);
  all_properties[ALL_PROP_NAMES] = g_param_spec_boxed ("names", NULL, NULL, G_TYPE_STRV, rw);
  all_properties[ALL_PROP_BLOB] = g_param_spec_boxed ("blob", NULL, NULL, G_TYPE_BYTES, rw);
  all_properties[ALL_PROP_OPTIONS] =
    g_param_spec_variant ("options", NULL, NULL, G_VARIANT_TYPE_ANY, NULL, rw);
  all_properties[ALL_PROP_TABLE] =
    g_param_spec_object ("table", NULL, NULL, MPAIO_TYPE_SHARED_ARRAY, rw);

  g_object_class_install_properties (object_class, ALL_N_PROPS, all_properties);
}

static void
tp_all_worker_init (TpAllWorker *self)
{
  for (guint i = 1; i < ALL_N_PROPS; i++)
    {
      g_value_init (&self->values[i], all_properties[i]->value_type);
      g_param_value_set_default (all_properties[i], &self->values[i]);
    }
  self->results = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
}

/* Two inputs and an output, all parameters (the first input is also the
 * data iterator's array): out[i] = a[i] + 2 b[i]. Its callback, in the main
 * process, checks that the chunk's rows of `out` are already written. */

#define TP_TYPE_MAP_WORKER (tp_map_worker_get_type ())
G_DECLARE_FINAL_TYPE (TpMapWorker, tp_map_worker, TP, MAP_WORKER, MpaioWorker)

struct _TpMapWorker
{
  MpaioWorker       parent_instance;
  MpaioSharedArray *a;
  MpaioSharedArray *b;
  MpaioSharedArray *out;
  guint             n_chunks_seen;
  guint64           n_rows_wrong; /* rows of `out` not written when their chunk came back */
  GPtrArray        *results;
};

G_DEFINE_FINAL_TYPE (TpMapWorker, tp_map_worker, MPAIO_TYPE_WORKER)

enum
{
  MAP_PROP_0,
  MAP_PROP_A,
  MAP_PROP_B,
  MAP_PROP_OUT,
  MAP_N_PROPS
};

/* Whether this process maps [address, address + 1) writable. */
static gboolean
is_mapped_writable (gconstpointer address)
{
  g_autofree char *maps = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_true (g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL));
  lines = g_strsplit (maps, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      guint64 start, end;
      char    perms[5] = "";

      if (sscanf (lines[i], "%" G_GINT64_MODIFIER "x-%" G_GINT64_MODIFIER "x %4s", &start, &end,
                  perms)
            == 3
          && (guintptr) address >= start && (guintptr) address < end)
        return perms[1] == 'w';
    }

  g_assert_not_reached ();
}

static GVariant *
tp_map_worker_process (MpaioWorker      *worker,
                       const MpaioChunk *chunk,
                       GError          **error)
{
  TpMapWorker   *self = TP_MAP_WORKER (worker);
  const gdouble *a, *b;
  gdouble       *out;

  if (self->a == NULL || self->b == NULL || self->out == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "an array parameter is missing");
      return NULL;
    }

  a = mpaio_shared_array_get_data (self->a);
  b = mpaio_shared_array_get_data (self->b);
  out = mpaio_shared_array_get_data (self->out);
  for (guint64 i = chunk->start; i < chunk->end; i++)
    out[i] = a[i] + 2 * b[i];

  /* How this process maps them: (a, b, out) writable. */
  return g_variant_new ("(bbb)", is_mapped_writable (a), is_mapped_writable (b),
                        is_mapped_writable (out));
}

static void
tp_map_worker_process_callback (MpaioWorker      *worker,
                                const MpaioChunk *chunk,
                                GVariant         *result)
{
  TpMapWorker   *self = TP_MAP_WORKER (worker);
  const gdouble *a = mpaio_shared_array_get_data (self->a);
  const gdouble *b = mpaio_shared_array_get_data (self->b);
  const gdouble *out = mpaio_shared_array_get_data (self->out);

  for (guint64 i = chunk->start; i < chunk->end; i++)
    if (out[i] != a[i] + 2 * b[i])
      self->n_rows_wrong++;
  self->n_chunks_seen++;
  g_ptr_array_add (self->results, g_variant_ref (result));
}

static void
tp_map_worker_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  TpMapWorker      *self = TP_MAP_WORKER (object);
  MpaioSharedArray *arrays[] = { NULL, self->a, self->b, self->out };

  g_value_set_object (value, arrays[prop_id]);
}

static void
tp_map_worker_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  TpMapWorker       *self = TP_MAP_WORKER (object);
  MpaioSharedArray **arrays[] = { NULL, &self->a, &self->b, &self->out };

  g_set_object (arrays[prop_id], g_value_get_object (value));
}

static void
tp_map_worker_finalize (GObject *object)
{
  TpMapWorker *self = TP_MAP_WORKER (object);

  g_clear_object (&self->a);
  g_clear_object (&self->b);
  g_clear_object (&self->out);
  g_ptr_array_unref (self->results);

  G_OBJECT_CLASS (tp_map_worker_parent_class)->finalize (object);
}

static void
tp_map_worker_class_init (TpMapWorkerClass *klass)
{
  GObjectClass     *object_class = G_OBJECT_CLASS (klass);
  MpaioWorkerClass *worker_class = MPAIO_WORKER_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;

  object_class->get_property = tp_map_worker_get_property;
  object_class->set_property = tp_map_worker_set_property;
  object_class->finalize = tp_map_worker_finalize;
  worker_class->process = tp_map_worker_process;
  worker_class->process_callback = tp_map_worker_process_callback;

  g_object_class_install_property (object_class, MAP_PROP_A,
                                   g_param_spec_object ("a", NULL, NULL, MPAIO_TYPE_SHARED_ARRAY, rw));
  g_object_class_install_property (object_class, MAP_PROP_B,
                                   g_param_spec_object ("b", NULL, NULL, MPAIO_TYPE_SHARED_ARRAY, rw));
  g_object_class_install_property (object_class, MAP_PROP_OUT,
                                   g_param_spec_object ("out", NULL, NULL, MPAIO_TYPE_SHARED_ARRAY, rw));
}

static void
tp_map_worker_init (TpMapWorker *self)
{
  self->results = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
}

/* Workers with one property that cannot travel each. */

#define TP_TYPE_OBJECT_WORKER (tp_object_worker_get_type ())
G_DECLARE_FINAL_TYPE (TpObjectWorker, tp_object_worker, TP, OBJECT_WORKER, MpaioWorker)

struct _TpObjectWorker
{
  MpaioWorker parent_instance;
  GObject    *companion;
  guint       n_processed;
};

G_DEFINE_FINAL_TYPE (TpObjectWorker, tp_object_worker, MPAIO_TYPE_WORKER)

static GVariant *
tp_object_worker_process (MpaioWorker      *worker,
                          const MpaioChunk *chunk,
                          GError          **error)
{
  g_atomic_int_inc (&TP_OBJECT_WORKER (worker)->n_processed);
  return g_variant_new_uint64 (chunk->index);
}

static void
tp_object_worker_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  g_value_set_object (value, TP_OBJECT_WORKER (object)->companion);
}

static void
tp_object_worker_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  g_set_object (&TP_OBJECT_WORKER (object)->companion, g_value_get_object (value));
}

static void
tp_object_worker_finalize (GObject *object)
{
  g_clear_object (&TP_OBJECT_WORKER (object)->companion);

  G_OBJECT_CLASS (tp_object_worker_parent_class)->finalize (object);
}

static void
tp_object_worker_class_init (TpObjectWorkerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = tp_object_worker_get_property;
  object_class->set_property = tp_object_worker_set_property;
  object_class->finalize = tp_object_worker_finalize;
  MPAIO_WORKER_CLASS (klass)->process = tp_object_worker_process;

  g_object_class_install_property (object_class, 1,
                                   g_param_spec_object ("companion", NULL, NULL, G_TYPE_OBJECT,
                                                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
}

static void
tp_object_worker_init (TpObjectWorker *self)
{
}

#define TP_TYPE_BOXED_WORKER (tp_boxed_worker_get_type ())
G_DECLARE_FINAL_TYPE (TpBoxedWorker, tp_boxed_worker, TP, BOXED_WORKER, MpaioWorker)

struct _TpBoxedWorker
{
  MpaioWorker parent_instance;
  GDateTime  *when;
};

G_DEFINE_FINAL_TYPE (TpBoxedWorker, tp_boxed_worker, MPAIO_TYPE_WORKER)

static GVariant *
tp_boxed_worker_process (MpaioWorker      *worker,
                         const MpaioChunk *chunk,
                         GError          **error)
{
  return g_variant_new_uint64 (chunk->index);
}

static void
tp_boxed_worker_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  g_value_set_boxed (value, TP_BOXED_WORKER (object)->when);
}

static void
tp_boxed_worker_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  TpBoxedWorker *self = TP_BOXED_WORKER (object);

  g_clear_pointer (&self->when, g_date_time_unref);
  self->when = g_value_dup_boxed (value);
}

static void
tp_boxed_worker_finalize (GObject *object)
{
  g_clear_pointer (&TP_BOXED_WORKER (object)->when, g_date_time_unref);

  G_OBJECT_CLASS (tp_boxed_worker_parent_class)->finalize (object);
}

static void
tp_boxed_worker_class_init (TpBoxedWorkerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = tp_boxed_worker_get_property;
  object_class->set_property = tp_boxed_worker_set_property;
  object_class->finalize = tp_boxed_worker_finalize;
  MPAIO_WORKER_CLASS (klass)->process = tp_boxed_worker_process;

  g_object_class_install_property (object_class, 1,
                                   g_param_spec_boxed ("when", NULL, NULL, G_TYPE_DATE_TIME,
                                                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
}

static void
tp_boxed_worker_init (TpBoxedWorker *self)
{
}

/* A worker with more array parameters than one message carries fds:
 * `process` returns the sum of the first rows of all of them. */

#define TP_N_MANY_ARRAYS 40

#define TP_TYPE_MANY_WORKER (tp_many_worker_get_type ())
G_DECLARE_FINAL_TYPE (TpManyWorker, tp_many_worker, TP, MANY_WORKER, MpaioWorker)

struct _TpManyWorker
{
  MpaioWorker       parent_instance;
  MpaioSharedArray *arrays[TP_N_MANY_ARRAYS];
  GPtrArray        *results;
};

G_DEFINE_FINAL_TYPE (TpManyWorker, tp_many_worker, MPAIO_TYPE_WORKER)

static GVariant *
tp_many_worker_process (MpaioWorker      *worker,
                        const MpaioChunk *chunk,
                        GError          **error)
{
  TpManyWorker *self = TP_MANY_WORKER (worker);
  gint64        sum = 0;

  for (guint i = 0; i < TP_N_MANY_ARRAYS; i++)
    {
      if (self->arrays[i] == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "array %u is missing", i);
          return NULL;
        }
      sum += *(const gint64 *) mpaio_shared_array_get_data (self->arrays[i]);
    }

  return g_variant_new_int64 (sum);
}

static void
tp_many_worker_process_callback (MpaioWorker      *worker,
                                 const MpaioChunk *chunk,
                                 GVariant         *result)
{
  g_ptr_array_add (TP_MANY_WORKER (worker)->results, g_variant_ref (result));
}

static void
tp_many_worker_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  g_value_set_object (value, TP_MANY_WORKER (object)->arrays[prop_id - 1]);
}

static void
tp_many_worker_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  g_set_object (&TP_MANY_WORKER (object)->arrays[prop_id - 1], g_value_get_object (value));
}

static void
tp_many_worker_finalize (GObject *object)
{
  TpManyWorker *self = TP_MANY_WORKER (object);

  for (guint i = 0; i < TP_N_MANY_ARRAYS; i++)
    g_clear_object (&self->arrays[i]);
  g_ptr_array_unref (self->results);

  G_OBJECT_CLASS (tp_many_worker_parent_class)->finalize (object);
}

static void
tp_many_worker_class_init (TpManyWorkerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = tp_many_worker_get_property;
  object_class->set_property = tp_many_worker_set_property;
  object_class->finalize = tp_many_worker_finalize;
  MPAIO_WORKER_CLASS (klass)->process = tp_many_worker_process;
  MPAIO_WORKER_CLASS (klass)->process_callback = tp_many_worker_process_callback;

  for (guint i = 0; i < TP_N_MANY_ARRAYS; i++)
    {
      g_autofree char *name = g_strdup_printf ("array-%u", i);

      g_object_class_install_property (object_class, i + 1,
                                       g_param_spec_object (g_intern_string (name), NULL, NULL, MPAIO_TYPE_SHARED_ARRAY,
                                                            G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
    }
}

static void
tp_many_worker_init (TpManyWorker *self)
{
  self->results = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
}

/* Helpers */

static MpaioSharedArray *
new_float64_array (guint64               n_rows,
                   MpaioSharedArrayFlags flags,
                   gdouble               first,
                   gdouble               step)
{
  g_autoptr(GError) error = NULL;
  MpaioSharedArray *array =
    mpaio_shared_array_new_full (MPAIO_DTYPE_FLOAT64, sizeof (gdouble), &n_rows, 1, flags, &error);
  gdouble *data;

  g_assert_no_error (error);
  data = mpaio_shared_array_get_data (array);
  for (guint64 i = 0; i < n_rows; i++)
    data[i] = first + step * (gdouble) i;

  return array;
}

static MpaioRunReport *
run_workers (MpaioExecutor *executor,
             MpaioWorker  **workers,
             guint          n_workers,
             GError       **error)
{
  g_autoptr(MpaioOrchestrator) orchestrator =
               mpaio_orchestrator_new (executor, workers, n_workers);

  return mpaio_test_run (orchestrator, NULL, error);
}

/* Every kind of parameter */

/* Non-UTF-8 bytes in file names are common, and must travel as they are. */
#define LATIN1_NAME "caf\xe9.bin"

static TpAllWorker *
new_all_worker (MpaioSharedArray *table,
                guint             n_chunks)
{
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (table, n_chunks);
  const char         *names[] = { "plain", LATIN1_NAME, "", "\xff\xfe", NULL };
  static const guint8 blob[] = { 0, 1, 2, 0xfe, 0xff, 0 };
  g_autoptr(GBytes) bytes = g_bytes_new_static (blob, sizeof blob);

  return g_object_new (TP_TYPE_ALL_WORKER,
                       "data-iterator", iterator,
                       "flag", TRUE,
                       "letter", -7,
                       "byte", 250,
                       "level", -123456,
                       "count", 4000000000u,
                       "long", G_MINLONG,
                       "ulong", G_MAXULONG,
                       "big", G_MININT64 + 1,
                       "ubig", G_MAXUINT64 - 1,
                       "ratio", 0.1f,
                       "scale", 1.0 / 3.0,
                       "dtype", MPAIO_DTYPE_FLOAT32,
                       "flags", MPAIO_SHARED_ARRAY_FLAGS_WRITABLE,
                       "path", LATIN1_NAME,
                       "names", names,
                       "blob", bytes,
                       "options", g_variant_new_parsed ("{'mode': <'fast'>, 'depth': <[3, 4]>}"),
                       "table", table,
                       NULL);
}

/* Each chunk's description, from wherever it ran, is the main process's. */
static void
assert_round_trip (MpaioTestExecutorKind kind,
                   TpAllWorker          *worker)
{
  g_autoptr(MpaioExecutor) executor = mpaio_test_new_executor (GINT_TO_POINTER (kind));
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GVariant) expected = g_variant_ref_sink (describe_worker (worker));
  guint        n_chunks = mpaio_data_iterator_get_n_chunks (mpaio_worker_get_data_iterator (MPAIO_WORKER (worker)));
  MpaioWorker *workers[] = { MPAIO_WORKER (worker) };

  report = run_workers (executor, workers, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (worker->results->len, ==, n_chunks);
  for (guint i = 0; i < worker->results->len; i++)
    {
      GVariant *result = g_ptr_array_index (worker->results, i);

      if (!g_variant_equal (result, expected))
        {
          g_autofree char *seen = g_variant_print (result, FALSE);
          g_autofree char *wanted = g_variant_print (expected, FALSE);

          g_error ("the worker process saw %s, not %s", seen, wanted);
        }
    }
}

static void
test_every_kind (gconstpointer data)
{
  MpaioTestExecutorKind kind = GPOINTER_TO_INT (data);
  g_autoptr(MpaioSharedArray) table = mpaio_test_new_counting_array (1000);
  g_autoptr(TpAllWorker) worker = new_all_worker (table, 4);

  assert_round_trip (kind, worker);
}

/* NULL strings, string arrays, bytes, variants and arrays stay NULL (not
 * the property's default, not empty). */
static void
test_every_kind_null (gconstpointer data)
{
  MpaioTestExecutorKind kind = GPOINTER_TO_INT (data);
  g_autoptr(MpaioSharedArray) table = mpaio_test_new_counting_array (100);
  g_autoptr(TpAllWorker) worker = new_all_worker (table, 2);

  g_object_set (worker, "path", NULL, "names", NULL, "blob", NULL, "options", NULL, "table", NULL,
                NULL);
  assert_round_trip (kind, worker);
}

/* Empty values are not NULL ones. */
static void
test_every_kind_empty (gconstpointer data)
{
  MpaioTestExecutorKind kind = GPOINTER_TO_INT (data);
  g_autoptr(MpaioSharedArray) table = mpaio_test_new_counting_array (100);
  g_autoptr(TpAllWorker) worker = new_all_worker (table, 2);
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
  const char *no_names[] = { NULL };

  g_object_set (worker, "path", "", "names", no_names, "blob", empty, NULL);
  assert_round_trip (kind, worker);
}

/* A parameter changed between runs reaches processes that hold the old one,
 * arrays too. */
static void
test_changed_between_runs (void)
{
  g_autoptr(MpaioExecutor) executor =
               mpaio_test_new_executor (GINT_TO_POINTER (MPAIO_TEST_EXECUTOR_PROCESS_POOL));
  g_autoptr(MpaioSharedArray) table = mpaio_test_new_counting_array (100);
  g_autoptr(MpaioSharedArray) other = mpaio_test_new_counting_array (10);
  g_autoptr(TpAllWorker) worker = new_all_worker (table, 4);
  MpaioWorker *workers[] = { MPAIO_WORKER (worker) };

  for (guint round = 0; round < 2; round++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MpaioRunReport) report = NULL;
      g_autoptr(GVariant) expected = NULL;

      if (round == 1)
        g_object_set (worker, "path", "/tmp/" LATIN1_NAME, "table", other, NULL);
      expected = g_variant_ref_sink (describe_worker (worker));
      g_ptr_array_set_size (worker->results, 0);

      report = run_workers (executor, workers, 1, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (worker->results->len, ==, 4);
      for (guint i = 0; i < worker->results->len; i++)
        g_assert_true (g_variant_equal (g_ptr_array_index (worker->results, i), expected));
    }
}

/* Arrays as parameters */

static void
test_two_inputs_one_output (gconstpointer data)
{
  MpaioTestExecutorKind kind = GPOINTER_TO_INT (data);
  const guint64         n_rows = 100003;
  g_autoptr(MpaioExecutor) executor = mpaio_test_new_executor (GINT_TO_POINTER (kind));
  g_autoptr(MpaioSharedArray) a = new_float64_array (n_rows, 0, 1.0, 0.5);
  g_autoptr(MpaioSharedArray) b = new_float64_array (n_rows, 0, -3.0, 0.25);
  g_autoptr(MpaioSharedArray) out =
               new_float64_array (n_rows, MPAIO_SHARED_ARRAY_FLAGS_WRITABLE, 0.0, 0.0);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (a, 16);
  g_autoptr(TpMapWorker) worker = g_object_new (TP_TYPE_MAP_WORKER, "data-iterator", iterator,
                                                 "a", a, "b", b, "out", out, NULL);
  MpaioWorker *workers[] = { MPAIO_WORKER (worker) };
  g_autoptr(GError) error = NULL;
  g_autoptr(MpaioRunReport) report = NULL;
  const gdouble *values;

  for (guint round = 0; round < 2; round++)
    {
      memset (mpaio_shared_array_get_data (out), 0, mpaio_shared_array_get_size (out));
      worker->n_chunks_seen = 0;
      g_clear_object (&report);

      report = run_workers (executor, workers, 1, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (worker->n_chunks_seen, ==, 16);
      /* Written by the time each chunk's callback ran... */
      g_assert_cmpuint (worker->n_rows_wrong, ==, 0);
      /* ...and all of it. */
      values = mpaio_shared_array_get_data (out);
      for (guint64 i = 0; i < n_rows; i++)
        g_assert_cmpfloat (values[i], ==, (1.0 + 0.5 * i) + 2 * (-3.0 + 0.25 * i));
    }

  /* Worker processes map the inputs read-only, the output writable. */
  if (kind == MPAIO_TEST_EXECUTOR_PROCESS_POOL)
    {
      for (guint i = 0; i < worker->results->len; i++)
        {
          gboolean a_writable, b_writable, out_writable;

          g_variant_get (g_ptr_array_index (worker->results, i), "(bbb)", &a_writable,
                         &b_writable, &out_writable);
          g_assert_false (a_writable);
          g_assert_false (b_writable);
          g_assert_true (out_writable);
        }
    }
}

/* More arrays than one message carries fds: every one arrives with its
 * frame. */
static void
test_many_arrays (gconstpointer data)
{
  g_autoptr(MpaioExecutor) executor = mpaio_test_new_executor (data);
  g_autoptr(MpaioSharedArray) table = mpaio_test_new_counting_array (100);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (table, 4);
  g_autoptr(TpManyWorker) worker =
               g_object_new (TP_TYPE_MANY_WORKER, "data-iterator", iterator, NULL);
  MpaioWorker *workers[] = { MPAIO_WORKER (worker) };
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  gint64 expected = 0;

  for (guint i = 0; i < TP_N_MANY_ARRAYS; i++)
    {
      g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (i + 1);
      g_autofree char *name = g_strdup_printf ("array-%u", i);

      /* Each holds 1..i+1; its first row is 1, scaled to tell them apart. */
      *(gint64 *) mpaio_shared_array_get_data (array) = (gint64) (i + 1) * 1000;
      expected += (gint64) (i + 1) * 1000;
      g_object_set (worker, name, array, NULL);
    }

  report = run_workers (executor, workers, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (worker->results->len, ==, 4);
  for (guint i = 0; i < worker->results->len; i++)
    g_assert_cmpint (g_variant_get_int64 (g_ptr_array_index (worker->results, i)), ==, expected);
}

/* What cannot travel */

static void
assert_refused (MpaioTestExecutorKind kind,
                MpaioWorker          *worker,
                const char           *property,
                const char           *type_name)
{
  g_autoptr(MpaioExecutor) executor = mpaio_test_new_executor (GINT_TO_POINTER (kind));
  g_autoptr(MpaioOrchestrator) orchestrator = NULL;
  g_autoptr(MpaioRunReport) report = NULL;
  g_autoptr(GError) error = NULL;
  MpaioWorker *workers[] = { worker };

  orchestrator = mpaio_orchestrator_new (executor, workers, 1);
  report = mpaio_test_run (orchestrator, NULL, &error);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_error (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT);
  g_assert_null (report);
  mpaio_test_assert_message_contains (error, property);
  mpaio_test_assert_message_contains (error, type_name);
  mpaio_test_assert_message_contains (error, G_OBJECT_TYPE_NAME (worker));
  /* At once: no chunk was sent. */
  g_assert_cmpuint (mpaio_orchestrator_get_n_chunks_done (orchestrator), ==, 0);
}

static void
test_unsupported_object (gconstpointer data)
{
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (100);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (array, 4);
  g_autoptr(GObject) companion = g_object_new (G_TYPE_OBJECT, NULL);
  g_autoptr(TpObjectWorker) worker =
               g_object_new (TP_TYPE_OBJECT_WORKER, "data-iterator", iterator, "companion", companion, NULL);

  assert_refused (GPOINTER_TO_INT (data), MPAIO_WORKER (worker), "“companion”", "GObject");
  g_assert_cmpuint (worker->n_processed, ==, 0);
}

/* Refused for its type, whatever its value. */
static void
test_unsupported_boxed (gconstpointer data)
{
  g_autoptr(MpaioSharedArray) array = mpaio_test_new_counting_array (100);
  g_autoptr(MpaioDataIterator) iterator = mpaio_test_new_partitions (array, 4);
  g_autoptr(TpBoxedWorker) worker =
               g_object_new (TP_TYPE_BOXED_WORKER, "data-iterator", iterator, NULL);

  assert_refused (GPOINTER_TO_INT (data), MPAIO_WORKER (worker), "“when”", "GDateTime");
}

/* Over the size parameters may take, refused before anything is sent,
 * naming the property. */
static void
test_oversized (gconstpointer data)
{
  g_autoptr(MpaioSharedArray) table = mpaio_test_new_counting_array (100);
  g_autoptr(TpAllWorker) worker = new_all_worker (table, 2);
  gsize            size = 65 * 1024 * 1024;
  g_autofree char *huge = g_malloc (size + 1);

  memset (huge, 'x', size);
  huge[size] = '\0';
  g_object_set (worker, "path", huge, NULL);

  assert_refused (GPOINTER_TO_INT (data), MPAIO_WORKER (worker), "“path”", "gchararray");
  g_assert_cmpuint (worker->results->len, ==, 0);

  /* Fine again once it is smaller. */
  g_object_set (worker, "path", LATIN1_NAME, NULL);
  assert_round_trip (GPOINTER_TO_INT (data), worker);
}

static void
add_for_each_executor (const char   *path,
                       GTestDataFunc func)
{
  g_autofree char *processes = g_strconcat ("/parameters/process-pool", path, NULL);
  g_autofree char *threads = g_strconcat ("/parameters/thread-pool", path, NULL);

  g_test_add_data_func (processes, GINT_TO_POINTER (MPAIO_TEST_EXECUTOR_PROCESS_POOL), func);
  g_test_add_data_func (threads, GINT_TO_POINTER (MPAIO_TEST_EXECUTOR_THREAD_POOL), func);
}

int
main (int    argc,
      char **argv)
{
  g_type_ensure (TP_TYPE_ALL_WORKER);
  g_type_ensure (TP_TYPE_MAP_WORKER);
  g_type_ensure (TP_TYPE_MANY_WORKER);
  g_type_ensure (TP_TYPE_OBJECT_WORKER);
  g_type_ensure (TP_TYPE_BOXED_WORKER);
  mpaio_test_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_summary ("A worker's parameters, shared arrays among them, reach its instance in a "
                  "worker process whole, or the run is refused naming the property");

  add_for_each_executor ("/every-kind", test_every_kind);
  add_for_each_executor ("/every-kind/null", test_every_kind_null);
  add_for_each_executor ("/every-kind/empty", test_every_kind_empty);
  g_test_add_func ("/parameters/process-pool/changed-between-runs", test_changed_between_runs);
  add_for_each_executor ("/arrays/two-inputs-one-output", test_two_inputs_one_output);
  add_for_each_executor ("/arrays/many", test_many_arrays);
  add_for_each_executor ("/unsupported/object", test_unsupported_object);
  add_for_each_executor ("/unsupported/boxed", test_unsupported_boxed);
  add_for_each_executor ("/oversized", test_oversized);

  return g_test_run ();
}
