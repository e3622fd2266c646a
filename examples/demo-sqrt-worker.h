/* demo-sqrt-worker.h: y = sqrt (x), from one float64 array into another
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <mpaio.h>

/* clang-format off */
G_BEGIN_DECLS

#define DEMO_TYPE_SQRT_WORKER (demo_sqrt_worker_get_type ())

G_DECLARE_FINAL_TYPE (DemoSqrtWorker, demo_sqrt_worker, DEMO, SQRT_WORKER, MpaioWorker)

DemoSqrtWorker   *demo_sqrt_worker_new        (MpaioDataIterator *iterator,
                                               MpaioSharedArray  *output);
MpaioSharedArray *demo_sqrt_worker_get_output (DemoSqrtWorker    *self);
/* Computes the rows [start, end) of @output from @input in this thread:
 * what `process` does, for serial baselines. */
void              demo_sqrt_rows              (const gdouble     *input,
                                               gdouble           *output,
                                               guint64            start,
                                               guint64            end);

G_END_DECLS
