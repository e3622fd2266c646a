/* fuzz-reply-decoder.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

/* clang-format off */
G_BEGIN_DECLS

/* Feeds @data to the pool's decoder as the bytes a worker process sent,
 * frame after frame, as the pool does. Returns TRUE when the bytes were
 * whole frames that all decoded, FALSE when the decoder rejected one or
 * bytes were left over. Aborts if the decoder breaks one of its promises. */
gboolean mpaio_fuzz_decode_stream (const guint8 *data,
                                   gsize         size);

int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

G_END_DECLS
