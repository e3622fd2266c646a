/* test-version.c: the library's version, at compile time and at run time
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "mpaio-test-workers.h"

static void
test_project_version (void)
{
  g_autofree char *runtime = g_strdup_printf ("%u.%u.%u", mpaio_get_major_version (),
                                              mpaio_get_minor_version (),
                                              mpaio_get_micro_version ());

  g_test_summary ("The getters and the headers give the version the build was configured "
                  "with");

  g_assert_cmpstr (runtime, ==, PROJECT_VERSION);
  g_assert_cmpstr (MPAIO_VERSION_S, ==, PROJECT_VERSION);
  g_assert_cmpuint (mpaio_get_major_version (), ==, MPAIO_MAJOR_VERSION);
  g_assert_cmpuint (mpaio_get_minor_version (), ==, MPAIO_MINOR_VERSION);
  g_assert_cmpuint (mpaio_get_micro_version (), ==, MPAIO_MICRO_VERSION);
}

static void
test_check_version (void)
{
  guint major = mpaio_get_major_version ();
  guint minor = mpaio_get_minor_version ();
  guint micro = mpaio_get_micro_version ();

  g_test_summary ("mpaio_check_version() accepts the library's own version and older ones "
                  "of the same major version, and refuses newer ones and other major "
                  "versions with a reason");

  g_assert_null (mpaio_check_version (major, minor, micro));
  g_assert_null (mpaio_check_version (major, 0, 0));
  if (micro > 0)
    g_assert_null (mpaio_check_version (major, minor, micro - 1));

  g_assert_nonnull (strstr (mpaio_check_version (major, minor, micro + 1), "too old"));
  g_assert_nonnull (strstr (mpaio_check_version (major, minor + 1, 0), "too old"));
  g_assert_nonnull (strstr (mpaio_check_version (major + 1, 0, 0), "too old"));
  if (major > 0)
    g_assert_nonnull (strstr (mpaio_check_version (major - 1, minor, micro), "too new"));

  g_assert_true (MPAIO_CHECK_VERSION (MPAIO_MAJOR_VERSION, MPAIO_MINOR_VERSION,
                                      MPAIO_MICRO_VERSION));
  g_assert_false (MPAIO_CHECK_VERSION (MPAIO_MAJOR_VERSION, MPAIO_MINOR_VERSION,
                                       MPAIO_MICRO_VERSION + 1));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/version/project-version", test_project_version);
  g_test_add_func ("/version/check", test_check_version);

  return g_test_run ();
}
