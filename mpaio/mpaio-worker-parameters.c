/* mpaio-worker-parameters.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "mpaio-error.h"
#include "mpaio-shared-array-private.h"
#include "mpaio-worker-parameters-private.h"

gboolean
_mpaio_worker_is_parameter (GParamSpec *pspec)
{
  const GParamFlags rw = G_PARAM_READABLE | G_PARAM_WRITABLE;

  return (pspec->flags & rw) == rw && pspec->owner_type != MPAIO_TYPE_WORKER;
}

static gboolean
is_shared_array_type (GType type)
{
  return g_type_is_a (type, MPAIO_TYPE_SHARED_ARRAY);
}

/* The boxed types that travel; every other boxed type does not. */
static gboolean
is_travelling_boxed_type (GType type)
{
  return type == G_TYPE_STRV || type == G_TYPE_BYTES;
}

static gboolean
can_travel (GType type)
{
  switch (G_TYPE_FUNDAMENTAL (type))
    {
    case G_TYPE_BOOLEAN:
    case G_TYPE_CHAR:
    case G_TYPE_UCHAR:
    case G_TYPE_INT:
    case G_TYPE_UINT:
    case G_TYPE_LONG:
    case G_TYPE_ULONG:
    case G_TYPE_INT64:
    case G_TYPE_UINT64:
    case G_TYPE_FLOAT:
    case G_TYPE_DOUBLE:
    case G_TYPE_ENUM:
    case G_TYPE_FLAGS:
    case G_TYPE_STRING:
    case G_TYPE_VARIANT:
      return TRUE;
    case G_TYPE_BOXED:
      return is_travelling_boxed_type (type);
    case G_TYPE_OBJECT:
      return is_shared_array_type (type);
    default:
      return FALSE;
    }
}

/* A string as its bytes and a nul: g_variant_new_string() would refuse
 * what is not UTF-8, and file names need not be. */
static GVariant *
new_maybe_bytestring (const char *string)
{
  return g_variant_new_maybe (G_VARIANT_TYPE_BYTESTRING,
                              string ? g_variant_new_bytestring (string) : NULL);
}

static GVariant *
value_to_variant (const GValue *value,
                  GPtrArray    *arrays)
{
  GType type = G_VALUE_TYPE (value);

  switch (G_TYPE_FUNDAMENTAL (type))
    {
    case G_TYPE_BOOLEAN:
      return g_variant_new_boolean (g_value_get_boolean (value));
    case G_TYPE_CHAR:
      return g_variant_new_int32 (g_value_get_schar (value));
    case G_TYPE_UCHAR:
      return g_variant_new_byte (g_value_get_uchar (value));
    case G_TYPE_INT:
      return g_variant_new_int32 (g_value_get_int (value));
    case G_TYPE_UINT:
      return g_variant_new_uint32 (g_value_get_uint (value));
    case G_TYPE_LONG:
      return g_variant_new_int64 (g_value_get_long (value));
    case G_TYPE_ULONG:
      return g_variant_new_uint64 (g_value_get_ulong (value));
    case G_TYPE_INT64:
      return g_variant_new_int64 (g_value_get_int64 (value));
    case G_TYPE_UINT64:
      return g_variant_new_uint64 (g_value_get_uint64 (value));
    case G_TYPE_FLOAT:
      return g_variant_new_double (g_value_get_float (value));
    case G_TYPE_DOUBLE:
      return g_variant_new_double (g_value_get_double (value));
    case G_TYPE_ENUM:
      return g_variant_new_int32 (g_value_get_enum (value));
    case G_TYPE_FLAGS:
      return g_variant_new_uint32 (g_value_get_flags (value));
    case G_TYPE_STRING:
      return new_maybe_bytestring (g_value_get_string (value));
    case G_TYPE_VARIANT:
      return g_variant_new_maybe (G_VARIANT_TYPE_VARIANT,
                                  g_value_get_variant (value)
                                    ? g_variant_new_variant (g_value_get_variant (value))
                                    : NULL);
    case G_TYPE_BOXED:
      if (type == G_TYPE_STRV)
        {
          const char *const *strv = g_value_get_boxed (value);

          return g_variant_new_maybe (G_VARIANT_TYPE_BYTESTRING_ARRAY,
                                      strv ? g_variant_new_bytestring_array (strv, -1) : NULL);
        }
      else
        {
          GBytes *bytes = g_value_get_boxed (value);

          g_assert (type == G_TYPE_BYTES);
          return g_variant_new_maybe (G_VARIANT_TYPE_BYTESTRING,
                                      bytes ? g_variant_new_from_bytes (G_VARIANT_TYPE_BYTESTRING,
                                                                        bytes, TRUE)
                                            : NULL);
        }
    case G_TYPE_OBJECT:
      {
        MpaioSharedArray *array = g_value_get_object (value);

        g_assert (array == NULL || MPAIO_IS_SHARED_ARRAY (array));
        if (array == NULL)
          return g_variant_new_uint64 (0);
        if (arrays != NULL && !g_ptr_array_find (arrays, array, NULL))
          g_ptr_array_add (arrays, g_object_ref (array));
        return g_variant_new_uint64 (_mpaio_shared_array_get_id (array));
      }
    default:
      g_assert_not_reached ();
    }
}

GVariant *
_mpaio_worker_parameters_serialize (GObject   *object,
                                    GPtrArray *arrays,
                                    GError   **error)
{
  g_autofree GParamSpec **pspecs = NULL;
  g_autoptr(GVariant) parameters = NULL;
  GParamSpec     *largest = NULL;
  gsize           largest_size = 0;
  GVariantBuilder builder;
  guint           n_pspecs;

  pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (object), &n_pspecs);

  /* Refused before anything is read or sent. */
  for (guint i = 0; i < n_pspecs; i++)
    {
      if (_mpaio_worker_is_parameter (pspecs[i]) && !can_travel (pspecs[i]->value_type))
        {
          g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                       "The property “%s” of %s is a %s, which cannot travel to a worker "
                       "process: a worker's readable and writable properties are its "
                       "parameters, and must be booleans, numbers, enums, flags, strings, "
                       "string arrays, GBytes, GVariants or MpaioSharedArrays (state kept "
                       "in the main process belongs in a read-only property or a field)",
                       pspecs[i]->name, G_OBJECT_TYPE_NAME (object),
                       g_type_name (pspecs[i]->value_type));
          return NULL;
        }
    }

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);

  for (guint i = 0; i < n_pspecs; i++)
    {
      g_auto(GValue) value = G_VALUE_INIT;
      GVariant *variant;
      gsize     size;

      if (!_mpaio_worker_is_parameter (pspecs[i]))
        continue;

      g_value_init (&value, pspecs[i]->value_type);
      g_object_get_property (object, pspecs[i]->name, &value);

      variant = value_to_variant (&value, arrays);
      size = g_variant_get_size (variant);
      if (largest == NULL || size > largest_size)
        largest = pspecs[i], largest_size = size;
      g_variant_builder_add (&builder, "{sv}", pspecs[i]->name, variant);
    }

  parameters = g_variant_ref_sink (g_variant_builder_end (&builder));

  if (g_variant_get_size (parameters) > MPAIO_WORKER_PARAMETERS_MAX_SIZE)
    {
      g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_INVALID_ARGUMENT,
                   "The parameters of %s take %" G_GSIZE_FORMAT " bytes, over the limit of "
                   "%u bytes, most of them the property “%s” (a %s of %" G_GSIZE_FORMAT
                   " bytes): put large inputs in an MpaioSharedArray parameter",
                   G_OBJECT_TYPE_NAME (object), g_variant_get_size (parameters),
                   MPAIO_WORKER_PARAMETERS_MAX_SIZE, largest->name,
                   g_type_name (largest->value_type), largest_size);
      return NULL;
    }

  return g_steal_pointer (&parameters);
}

/* The string of a bytestring from another process: it must end in its only
 * nul, or it would be cut short without a word. */
static const char *
get_bytestring (GVariant *variant)
{
  gsize       length;
  const char *data = g_variant_get_fixed_array (variant, &length, 1);

  if (length == 0 || data[length - 1] != '\0' || memchr (data, '\0', length - 1) != NULL)
    return NULL;

  return data;
}

/* The inverse of value_to_variant(), for a value initialised to the
 * property's type; the variant came over the wire, so its type is checked. */
static gboolean
variant_to_value (GVariant            *variant,
                  GValue              *value,
                  MpaioArrayLookupFunc lookup_array,
                  gpointer             user_data,
                  GError             **error)
{
  GType type = G_VALUE_TYPE (value);
  g_autoptr(GVariant) just = NULL;

#define EXPECT(t)                                          \
  if (!g_variant_is_of_type (variant, G_VARIANT_TYPE (t))) \
  goto malformed
  switch (G_TYPE_FUNDAMENTAL (type))
    {
    case G_TYPE_BOOLEAN:
      EXPECT ("b");
      g_value_set_boolean (value, g_variant_get_boolean (variant));
      break;
    case G_TYPE_CHAR:
      EXPECT ("i");
      g_value_set_schar (value, (gint8) g_variant_get_int32 (variant));
      break;
    case G_TYPE_UCHAR:
      EXPECT ("y");
      g_value_set_uchar (value, g_variant_get_byte (variant));
      break;
    case G_TYPE_INT:
      EXPECT ("i");
      g_value_set_int (value, g_variant_get_int32 (variant));
      break;
    case G_TYPE_UINT:
      EXPECT ("u");
      g_value_set_uint (value, g_variant_get_uint32 (variant));
      break;
    case G_TYPE_LONG:
      EXPECT ("x");
      g_value_set_long (value, g_variant_get_int64 (variant));
      break;
    case G_TYPE_ULONG:
      EXPECT ("t");
      g_value_set_ulong (value, g_variant_get_uint64 (variant));
      break;
    case G_TYPE_INT64:
      EXPECT ("x");
      g_value_set_int64 (value, g_variant_get_int64 (variant));
      break;
    case G_TYPE_UINT64:
      EXPECT ("t");
      g_value_set_uint64 (value, g_variant_get_uint64 (variant));
      break;
    case G_TYPE_FLOAT:
      EXPECT ("d");
      g_value_set_float (value, (gfloat) g_variant_get_double (variant));
      break;
    case G_TYPE_DOUBLE:
      EXPECT ("d");
      g_value_set_double (value, g_variant_get_double (variant));
      break;
    case G_TYPE_ENUM:
      EXPECT ("i");
      g_value_set_enum (value, g_variant_get_int32 (variant));
      break;
    case G_TYPE_FLAGS:
      EXPECT ("u");
      g_value_set_flags (value, g_variant_get_uint32 (variant));
      break;
    case G_TYPE_STRING:
      EXPECT ("may");
      if ((just = g_variant_get_maybe (variant)) == NULL)
        g_value_set_string (value, NULL);
      else if (get_bytestring (just) != NULL)
        g_value_set_string (value, get_bytestring (just));
      else
        goto malformed;
      break;
    case G_TYPE_VARIANT:
      EXPECT ("mv");
      just = g_variant_get_maybe (variant);
      g_value_take_variant (value, just ? g_variant_get_variant (just) : NULL);
      break;
    case G_TYPE_BOXED:
      if (type == G_TYPE_STRV)
        {
          g_autoptr(GStrvBuilder) builder = NULL;
          GVariantIter iter;
          GVariant    *child;

          EXPECT ("maay");
          if ((just = g_variant_get_maybe (variant)) == NULL)
            break;
          builder = g_strv_builder_new ();
          g_variant_iter_init (&iter, just);
          while ((child = g_variant_iter_next_value (&iter)) != NULL)
            {
              const char *string = get_bytestring (child);

              if (string != NULL)
                g_strv_builder_add (builder, string);
              g_variant_unref (child);
              if (string == NULL)
                goto malformed;
            }
          g_value_take_boxed (value, g_strv_builder_end (builder));
        }
      else if (type == G_TYPE_BYTES)
        {
          EXPECT ("may");
          if ((just = g_variant_get_maybe (variant)) != NULL)
            g_value_take_boxed (value, g_variant_get_data_as_bytes (just));
        }
      else
        goto malformed;
      break;
    case G_TYPE_OBJECT:
      {
        MpaioSharedArray *array;
        guint64           id;

        if (!is_shared_array_type (type))
          goto malformed;
        EXPECT ("t");
        if ((id = g_variant_get_uint64 (variant)) == 0)
          break;
        if (!(array = lookup_array (id, user_data, error)))
          return FALSE;
        g_value_set_object (value, array);
        break;
      }
    default:
      goto malformed;
    }
#undef EXPECT

  return TRUE;

malformed:
  g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_PROTOCOL, "a value of type %s cannot be a %s",
               g_variant_get_type_string (variant), g_type_name (type));
  return FALSE;
}

gboolean
_mpaio_worker_parameters_deserialize (GObjectClass        *klass,
                                      GVariant            *parameters,
                                      MpaioArrayLookupFunc lookup_array,
                                      gpointer             user_data,
                                      GPtrArray           *names,
                                      GArray              *values,
                                      GError             **error)
{
  const char  *type_name = G_OBJECT_CLASS_NAME (klass);
  GVariantIter iter;
  const char  *name;
  GVariant    *variant;

  g_return_val_if_fail (g_variant_is_of_type (parameters, G_VARIANT_TYPE_VARDICT), FALSE);

  g_variant_iter_init (&iter, parameters);
  while (g_variant_iter_next (&iter, "{&sv}", &name, &variant))
    {
      g_autoptr(GVariant) owned = variant;
      g_autoptr(GError) local_error = NULL;
      GParamSpec *pspec = g_object_class_find_property (klass, name);
      GValue      value = G_VALUE_INIT;

      if (pspec == NULL || !_mpaio_worker_is_parameter (pspec))
        {
          g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_PROTOCOL,
                       "%s has no parameter named %s", type_name, name);
          return FALSE;
        }

      g_value_init (&value, pspec->value_type);
      if (!variant_to_value (variant, &value, lookup_array, user_data, &local_error))
        {
          g_value_unset (&value);
          if (local_error->domain == MPAIO_ERROR && local_error->code == MPAIO_ERROR_PROTOCOL)
            g_prefix_error (&local_error, "The parameter %s of %s: ", name, type_name);
          else
            g_prefix_error (&local_error, "The array of the parameter %s of %s: ", name,
                            type_name);
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_param_value_validate (pspec, &value);

      g_ptr_array_add (names, (gpointer) pspec->name);
      g_array_append_val (values, value);
    }

  return TRUE;
}
