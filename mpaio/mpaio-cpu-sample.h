/* mpaio-cpu-sample.h: one reading of per-core CPU utilisation
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(MPAIO_INSIDE) && !defined(MPAIO_COMPILATION)
#error "Only <mpaio.h> can be included directly."
#endif

#include <gio/gio.h>

#include "mpaio-version-macros.h"

/* clang-format off */
G_BEGIN_DECLS

#define MPAIO_TYPE_CPU_SAMPLE (mpaio_cpu_sample_get_type ())

MPAIO_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MpaioCpuSample, mpaio_cpu_sample, MPAIO, CPU_SAMPLE, GObject)

MPAIO_AVAILABLE_IN_ALL
MpaioCpuSample *mpaio_cpu_sample_new         (gdouble         time,
                                              const gdouble  *values,
                                              guint           n_values,
                                              gdouble         total) G_GNUC_WARN_UNUSED_RESULT;
MPAIO_AVAILABLE_IN_ALL
gdouble         mpaio_cpu_sample_get_time    (MpaioCpuSample *self);
MPAIO_AVAILABLE_IN_ALL
guint           mpaio_cpu_sample_get_n_cores (MpaioCpuSample *self);
MPAIO_AVAILABLE_IN_ALL
const gdouble  *mpaio_cpu_sample_get_values  (MpaioCpuSample *self,
                                              guint          *n_values);
MPAIO_AVAILABLE_IN_ALL
gdouble         mpaio_cpu_sample_get_value   (MpaioCpuSample *self,
                                              guint           core);
MPAIO_AVAILABLE_IN_ALL
gdouble         mpaio_cpu_sample_get_total   (MpaioCpuSample *self);

MPAIO_AVAILABLE_IN_ALL
gboolean        mpaio_cpu_samples_write_csv  (GListModel     *samples,
                                              GOutputStream  *stream,
                                              GCancellable   *cancellable,
                                              GError        **error);

G_END_DECLS
