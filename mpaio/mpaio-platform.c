/* mpaio-platform.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "mpaio-platform.h"

/**
 * mpaio_get_n_cores:
 *
 * The number of processors available to the program: the default number of
 * workers of pools and of partitions of data iterators.
 *
 * Returns: the number of cores, at least 1
 *
 * Since: 0.1
 */
guint
mpaio_get_n_cores (void)
{
  return MAX (1, g_get_num_processors ());
}
