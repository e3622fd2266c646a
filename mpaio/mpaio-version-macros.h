/* mpaio-version-macros.h: symbol export and availability macros
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(MPAIO_INSIDE) && !defined(MPAIO_COMPILATION)
#error "Only <mpaio.h> can be included directly."
#endif

#include <glib.h>

#include "mpaio-version.h"

#ifndef _MPAIO_EXTERN
#define _MPAIO_EXTERN __attribute__ ((visibility ("default"))) extern
#endif

#define MPAIO_VERSION_0_1 (G_ENCODE_VERSION (0, 1))

#define MPAIO_VERSION_CUR_STABLE (G_ENCODE_VERSION (MPAIO_MAJOR_VERSION, MPAIO_MINOR_VERSION))

#ifndef MPAIO_VERSION_MIN_REQUIRED
#define MPAIO_VERSION_MIN_REQUIRED (MPAIO_VERSION_CUR_STABLE)
#endif

#ifndef MPAIO_VERSION_MAX_ALLOWED
#define MPAIO_VERSION_MAX_ALLOWED (MPAIO_VERSION_CUR_STABLE)
#endif

/* Every symbol of the first API version. */
#define MPAIO_AVAILABLE_IN_ALL _MPAIO_EXTERN

#if MPAIO_VERSION_MAX_ALLOWED < MPAIO_VERSION_0_1
#define MPAIO_AVAILABLE_IN_0_1 G_UNAVAILABLE (0, 1) _MPAIO_EXTERN
#else
#define MPAIO_AVAILABLE_IN_0_1 _MPAIO_EXTERN
#endif
