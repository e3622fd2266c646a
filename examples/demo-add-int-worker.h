/* demo-add-int-worker.h: sums a chunk of an int64 array
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <mpaio.h>

/* clang-format off */
G_BEGIN_DECLS

#define DEMO_TYPE_ADD_INT_WORKER (demo_add_int_worker_get_type ())

G_DECLARE_FINAL_TYPE (DemoAddIntWorker, demo_add_int_worker, DEMO, ADD_INT_WORKER, MpaioWorker)

DemoAddIntWorker *demo_add_int_worker_new       (MpaioDataIterator *iterator,
                                                 guint              rounds);
guint             demo_add_int_worker_get_rounds (DemoAddIntWorker  *self);
guint64           demo_add_int_worker_get_total  (DemoAddIntWorker  *self);

G_END_DECLS
