/* mpaio-worker-parameters-private.h: a worker's parameters, as they travel
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "mpaio-shared-array.h"
#include "mpaio-worker.h"

/* clang-format off */
G_BEGIN_DECLS

/* A worker's parameters are its readable and writable properties (those of
 * MpaioWorker itself aside). They travel as one "a{sv}", each property by
 * name, its value as:
 *
 *   boolean b · char i · uchar y · int i · uint u · long x · ulong t
 *   int64 x · uint64 t · float d · double d · enum i · flags u
 *   string   may   its bytes and a nul (file names need not be UTF-8);
 *                  nothing for NULL
 *   GStrv    maay  likewise, each string
 *   GBytes   may
 *   GVariant mv
 *   MpaioSharedArray t  the array's id (_mpaio_shared_array_get_id()), 0
 *                  for NULL; the array itself is sent beside, as the data
 *                  iterator's array is, and found by id where the worker is
 *                  made again.
 *
 * A property of any other type cannot travel: a run of such a worker is
 * refused at its start. */

/* The largest parameters of one worker, serialized: they travel in one
 * message, whose limit (64 MiB) also holds the type name. */
#define MPAIO_WORKER_PARAMETERS_MAX_SIZE (63u * 1024u * 1024u)

gboolean     _mpaio_worker_is_parameter            (GParamSpec            *pspec);
/* Serializes the parameters of @object (of @type_name), appending each
 * distinct shared array among them to @arrays (optional). Fails with
 * MPAIO_ERROR_INVALID_ARGUMENT, naming the worker type, the property and
 * its type, for a property that cannot travel, and for parameters over
 * MPAIO_WORKER_PARAMETERS_MAX_SIZE. */
GVariant    *_mpaio_worker_parameters_serialize    (GObject               *object,
                                                   GPtrArray             *arrays,
                                                   GError               **error);

/* Where the worker is made again: the array that arrived under @id, or
 * NULL with @error set. */
typedef MpaioSharedArray *(*MpaioArrayLookupFunc) (guint64   id,
                                                   gpointer  user_data,
                                                   GError  **error);

/* Appends to @names and @values (GValue, cleared by the caller) the
 * properties of @klass that @parameters (from another process: checked)
 * sets. Fails with MPAIO_ERROR_PROTOCOL for a malformed value, or with the
 * error of @lookup_array. */
gboolean     _mpaio_worker_parameters_deserialize  (GObjectClass          *klass,
                                                   GVariant              *parameters,
                                                   MpaioArrayLookupFunc   lookup_array,
                                                   gpointer               user_data,
                                                   GPtrArray             *names,
                                                   GArray                *values,
                                                   GError               **error);

G_END_DECLS
