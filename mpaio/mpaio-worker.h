/* mpaio-worker.h: the abstract worker
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(MPAIO_INSIDE) && !defined(MPAIO_COMPILATION)
#error "Only <mpaio.h> can be included directly."
#endif

#include <glib-object.h>

#include "mpaio-chunk.h"
#include "mpaio-data-iterator.h"
#include "mpaio-shared-array.h"
#include "mpaio-version-macros.h"

/* clang-format off */
G_BEGIN_DECLS

#define MPAIO_TYPE_WORKER (mpaio_worker_get_type ())

MPAIO_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (MpaioWorker, mpaio_worker, MPAIO, WORKER, GObject)

/**
 * MpaioWorkerClass:
 * @parent_class: the parent class
 * @process: computes the result of one chunk; runs in a worker process
 * @process_callback: receives the result of one chunk; runs in the main process
 *
 * The virtual methods of a worker. @process is required; the default
 * @process_callback does nothing.
 *
 * Since: 0.1
 */
struct _MpaioWorkerClass
{
  GObjectClass parent_class;

  GVariant *(*process)          (MpaioWorker       *self,
                                 const MpaioChunk  *chunk,
                                 GError           **error);
  void      (*process_callback) (MpaioWorker       *self,
                                 const MpaioChunk  *chunk,
                                 GVariant          *result);

  /*< private >*/
  gpointer _reserved[8];
};

MPAIO_AVAILABLE_IN_ALL
MpaioDataIterator *mpaio_worker_get_data_iterator (MpaioWorker       *self);
MPAIO_AVAILABLE_IN_ALL
MpaioSharedArray  *mpaio_worker_get_array         (MpaioWorker       *self);
MPAIO_AVAILABLE_IN_ALL
GVariant          *mpaio_worker_process           (MpaioWorker       *self,
                                                   const MpaioChunk  *chunk,
                                                   GError           **error);
MPAIO_AVAILABLE_IN_ALL
void               mpaio_worker_process_callback  (MpaioWorker       *self,
                                                   const MpaioChunk  *chunk,
                                                   GVariant          *result);
MPAIO_AVAILABLE_IN_ALL
void               mpaio_worker_fail_run          (MpaioWorker       *self,
                                                   const GError      *error);

G_END_DECLS
