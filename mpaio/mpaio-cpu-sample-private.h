/* mpaio-cpu-sample-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "mpaio-cpu-sample.h"

/* clang-format off */
G_BEGIN_DECLS

/* mpaio_cpu_samples_write_csv() with at least @min_cores core columns, so an
 * empty series still gets the header its monitor would give it. */
gboolean _mpaio_cpu_samples_write_csv_full (GListModel    *samples,
                                            guint          min_cores,
                                            GOutputStream *stream,
                                            GCancellable  *cancellable,
                                            GError       **error);
/* Likewise, the core columns named by @names (optional, NULL-terminated;
 * "core_N" past its end) rather than "core_N". */
gboolean _mpaio_cpu_samples_write_csv_named (GListModel         *samples,
                                             guint               min_cores,
                                             const char * const *names,
                                             GOutputStream      *stream,
                                             GCancellable       *cancellable,
                                             GError            **error);

G_END_DECLS
