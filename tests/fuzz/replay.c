/* replay.c: runs every file of the fuzzing corpus through the pool's decoder
 *
 * The regression test of the fuzzer, built with any compiler: each corpus
 * file is one test. Files named `valid-*` hold whole frames a correct worker
 * process sends and must decode without error; `broken-*` ones must be
 * refused (or be incomplete); any other file (such as one the fuzzer found)
 * must only not crash. With file names as arguments, it runs those instead
 * (to replay a crash the fuzzer reported).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib.h>

#include "fuzz-reply-decoder.h"

static void
test_file (gconstpointer data)
{
  const char      *path = data;
  g_autofree char *name = g_path_get_basename (path);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gboolean decoded;
  gsize    length;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);

  decoded = mpaio_fuzz_decode_stream ((const guint8 *) contents, length);

  if (g_str_has_prefix (name, "valid-"))
    g_assert_true (decoded);
  else if (g_str_has_prefix (name, "broken-"))
    g_assert_false (decoded);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

static void
add_file (const char *path)
{
  g_autofree char *name = g_path_get_basename (path);
  g_autofree char *test_path = g_strconcat ("/fuzz/replay/", name, NULL);

  g_test_add_data_func_full (test_path, g_strdup (path), test_file, g_free);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_summary ("Every input of the fuzzing corpus of the reply decoder: valid frames "
                  "decode, broken ones are refused, none crashes");

  if (argc > 1)
    {
      for (int i = 1; i < argc; i++)
        add_file (argv[i]);
    }
  else
    {
      g_autofree char *corpus = g_test_build_filename (G_TEST_DIST, "fuzz", "corpus", NULL);
      g_autoptr(GDir) dir = NULL;
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GError) error = NULL;
      const char *name;
      guint       n_valid = 0, n_broken = 0;

      dir = g_dir_open (corpus, 0, &error);
      g_assert_no_error (error);
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_ptr_array_add (names, g_strdup (name));
          n_valid += g_str_has_prefix (name, "valid-");
          n_broken += g_str_has_prefix (name, "broken-");
        }

      /* The seeds are there: a corpus lost by mistake must not pass as an
       * empty test. */
      g_assert_cmpuint (n_valid, >=, 5);
      g_assert_cmpuint (n_broken, >=, 5);

      g_ptr_array_sort (names, compare_names);
      for (guint i = 0; i < names->len; i++)
        {
          g_autofree char *path = g_build_filename (corpus, g_ptr_array_index (names, i), NULL);

          add_file (path);
        }
    }

  return g_test_run ();
}
