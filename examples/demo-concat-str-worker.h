/* demo-concat-str-worker.h: concatenates a chunk of a string array
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <mpaio.h>

/* clang-format off */
G_BEGIN_DECLS

#define DEMO_TYPE_CONCAT_STR_WORKER (demo_concat_str_worker_get_type ())

G_DECLARE_FINAL_TYPE (DemoConcatStrWorker, demo_concat_str_worker, DEMO, CONCAT_STR_WORKER,
                      MpaioWorker)

DemoConcatStrWorker *demo_concat_str_worker_new        (MpaioDataIterator   *iterator);
const char          *demo_concat_str_worker_get_result (DemoConcatStrWorker *self);
gsize                demo_concat_str_worker_get_length (DemoConcatStrWorker *self);

G_END_DECLS
