/* mpaio-version.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "mpaio-version.h"

/**
 * mpaio_get_major_version:
 *
 * The major version of the mpaio library the program runs with, which may
 * differ from [const@Mpaio.MAJOR_VERSION], the version of the headers it
 * was compiled against.
 *
 * Returns: the major version, such as 0 in 0.1.2
 *
 * Since: 0.1
 */
guint
mpaio_get_major_version (void)
{
  return MPAIO_MAJOR_VERSION;
}

/**
 * mpaio_get_minor_version:
 *
 * The minor version of the mpaio library the program runs with.
 *
 * Returns: the minor version, such as 1 in 0.1.2
 *
 * Since: 0.1
 */
guint
mpaio_get_minor_version (void)
{
  return MPAIO_MINOR_VERSION;
}

/**
 * mpaio_get_micro_version:
 *
 * The micro version of the mpaio library the program runs with.
 *
 * Returns: the micro version, such as 2 in 0.1.2
 *
 * Since: 0.1
 */
guint
mpaio_get_micro_version (void)
{
  return MPAIO_MICRO_VERSION;
}

/**
 * mpaio_check_version:
 * @required_major: the major version required
 * @required_minor: the minor version required
 * @required_micro: the micro version required
 *
 * Checks that the mpaio library the program runs with is compatible with
 * the given version: of the same major version, and at least as new.
 *
 * Returns: (nullable): %NULL if the library is compatible, or a string
 *   owned by the library saying why not
 *
 * Since: 0.1
 */
const char *
mpaio_check_version (guint required_major,
                     guint required_minor,
                     guint required_micro)
{
  if (required_major != MPAIO_MAJOR_VERSION)
    return required_major > MPAIO_MAJOR_VERSION ? "mpaio version too old (major mismatch)"
                                                : "mpaio version too new (major mismatch)";
  if (required_minor > MPAIO_MINOR_VERSION)
    return "mpaio version too old (minor mismatch)";
  if (required_minor == MPAIO_MINOR_VERSION && required_micro > MPAIO_MICRO_VERSION)
    return "mpaio version too old (micro mismatch)";

  return NULL;
}
