/* make-corpus.c: writes the seed inputs of the reply decoder's fuzzer
 *
 *   build/tests/fuzz/make-corpus tests/fuzz/corpus
 *
 * Valid frames are made with the library's own encoder, so they follow the
 * protocol as it is; broken ones are written byte by byte. See replay.c for
 * what the `valid-` and `broken-` prefixes promise.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "mpaio-error.h"
#include "mpaio-protocol-private.h"

static const char *directory;

static void
save (const char *name,
      GByteArray *bytes)
{
  g_autofree char *path = g_build_filename (directory, name, NULL);
  g_autoptr(GError) error = NULL;

  if (!g_file_set_contents (path, (const char *) bytes->data, bytes->len, &error))
    g_error ("%s", error->message);
  g_print ("%s: %u bytes\n", path, bytes->len);
}

static void
append_hello (GByteArray *out)
{
  _mpaio_frame_append (out, MPAIO_MESSAGE_HELLO, NULL, 0,
                       g_variant_new (MPAIO_HELLO_TYPE, MPAIO_PROTOCOL_VERSION, 4242));
}

static void
append_result (GByteArray *out,
               guint64     seq,
               GVariant   *value)
{
  MpaioReplyHead head = { seq, 1000, 2000 };

  _mpaio_frame_append (out, MPAIO_MESSAGE_RESULT, &head, sizeof head,
                       g_variant_new_variant (value));
}

static void
append_error (GByteArray *out,
              guint64     seq,
              gint        code,
              const char *message)
{
  MpaioReplyHead head = { seq, 1000, 2000 };

  _mpaio_frame_append (out, MPAIO_MESSAGE_ERROR, &head, sizeof head,
                       g_variant_new (MPAIO_ERROR_TYPE, "mpaio-error-quark", code, message));
}

static void
append_header (GByteArray *out,
               guint32     length,
               guint32     type)
{
  MpaioFrameHeader header = { length, type };

  g_byte_array_append (out, (const guint8 *) &header, sizeof header);
}

static void
append_zeroes (GByteArray *out,
               guint       n)
{
  g_byte_array_set_size (out, out->len + n);
  memset (out->data + out->len - n, 0, n);
}

#define NEW(name) g_autoptr(GByteArray) name = g_byte_array_new ()

int
main (int    argc,
      char **argv)
{
  if (argc != 2)
    {
      g_printerr ("usage: %s DIRECTORY\n", argv[0]);
      return 2;
    }
  directory = argv[1];

  /* Valid: what worker processes send. */
  {
    NEW (out);
    append_hello (out);
    save ("valid-hello", out);
  }
  {
    NEW (out);
    append_result (out, 1, g_variant_new_uint64 (7));
    save ("valid-result-uint64", out);
  }
  {
    NEW (out);
    append_result (out, 2, g_variant_new ("(xi)", G_GINT64_CONSTANT (-5000050000), 4242));
    save ("valid-result-sum", out);
  }
  {
    NEW (out);
    append_result (out, 3, g_variant_new_string ("hello, world"));
    save ("valid-result-string", out);
  }
  {
    GVariantBuilder builder;
    NEW (out);

    g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{sv}"));
    g_variant_builder_add (&builder, "{sv}", "count", g_variant_new_int32 (3));
    g_variant_builder_add (&builder, "{sv}", "names", g_variant_new_strv ((const char *[]){ "a", "bc", NULL }, -1));
    g_variant_builder_add (&builder, "{sv}", "nested", g_variant_new_variant (g_variant_new_double (0.5)));
    append_result (out, 4, g_variant_builder_end (&builder));
    save ("valid-result-dict", out);
  }
  {
    NEW (out);
    append_result (out, 5, g_variant_new_from_data (G_VARIANT_TYPE_BYTESTRING, "", 0, TRUE, NULL, NULL));
    save ("valid-result-empty-bytes", out);
  }
  {
    NEW (out);
    append_result (out, 6, g_variant_new ("()"));
    save ("valid-result-unit", out);
  }
  {
    NEW (out);
    append_error (out, 7, MPAIO_ERROR_WORKER_FAILED, "boom at chunk 4");
    save ("valid-error", out);
  }
  {
    NEW (out);
    append_error (out, 8, MPAIO_ERROR_UNKNOWN_WORKER_TYPE, "The worker type X is not registered");
    save ("valid-error-unknown-type", out);
  }
  {
    NEW (out);
    append_result (out, 12, g_variant_new_parsed ("@ad [0.5, 1.5, -2.0]"));
    save ("valid-result-doubles", out);
  }
  {
    MpaioReplyHead head = { 13, 1000, 2000 };
    NEW (out);

    _mpaio_frame_append (out, MPAIO_MESSAGE_BIG_RESULT, &head, sizeof head,
                         g_variant_new (MPAIO_BIG_RESULT_TYPE, "ay", (guint64) 8 << 20));
    save ("valid-big-result", out);
  }
  {
    NEW (out);
    append_hello (out);
    append_result (out, 9, g_variant_new_uint64 (0));
    append_result (out, 10, g_variant_new_uint64 (1));
    append_error (out, 11, MPAIO_ERROR_WORKER_FAILED, "and then it failed");
    save ("valid-stream", out);
  }

  /* Broken: what no correct worker process sends. */
  {
    NEW (out);
    append_header (out, 8, MPAIO_MESSAGE_HELLO);
    g_byte_array_set_size (out, 4);
    save ("broken-truncated-header", out);
  }
  {
    NEW (out);
    append_header (out, 40, MPAIO_MESSAGE_RESULT);
    append_zeroes (out, 16);
    save ("broken-truncated-payload", out);
  }
  {
    NEW (out);
    append_header (out, 0xFFFFFFF0u, MPAIO_MESSAGE_RESULT);
    append_zeroes (out, 24);
    save ("broken-giant-length", out);
  }
  {
    NEW (out);
    append_header (out, MPAIO_PROTOCOL_MAX_FRAME + 1, MPAIO_MESSAGE_RESULT);
    append_zeroes (out, 24);
    save ("broken-over-limit", out);
  }
  {
    NEW (out);
    append_header (out, 8, 0);
    append_zeroes (out, 8);
    save ("broken-type-0", out);
  }
  {
    NEW (out);
    append_header (out, 8, 200);
    append_zeroes (out, 8);
    save ("broken-type-200", out);
  }
  {
    MpaioTaskBody task = { 1, 1, 0, 0, 10 };
    NEW (out);

    _mpaio_frame_append (out, MPAIO_MESSAGE_TASK, &task, sizeof task, NULL);
    save ("broken-parent-only-type", out);
  }
  {
    guint64 seq = 1;
    NEW (out);

    _mpaio_frame_append (out, MPAIO_MESSAGE_RESULT, &seq, sizeof seq, NULL);
    save ("broken-result-short-head", out);
  }
  {
    guint64 seq = 1;
    NEW (out);

    _mpaio_frame_append (out, MPAIO_MESSAGE_ERROR, &seq, sizeof seq, NULL);
    save ("broken-error-short-head", out);
  }
  {
    NEW (out);
    append_hello (out);
    append_header (out, 8, 99);
    append_zeroes (out, 8);
    save ("broken-stream-bad-second", out);
  }

  /* Neither: decoded, but not as the sender meant. */
  {
    NEW (out);
    append_error (out, 12, MPAIO_ERROR_WORKER_CRASHED, "I pretend to have crashed");
    save ("misc-error-foreign-code", out);
  }
  {
    MpaioReplyHead head = { 13, 0, 0 };
    NEW (out);

    append_header (out, sizeof head + 16, MPAIO_MESSAGE_RESULT);
    g_byte_array_append (out, (const guint8 *) &head, sizeof head);
    g_byte_array_set_size (out, out->len + 16);
    memset (out->data + out->len - 16, 0xff, 16);
    save ("misc-result-bad-variant", out);
  }
  {
    NEW (out);
    _mpaio_frame_append (out, MPAIO_MESSAGE_HELLO, NULL, 0, g_variant_new_uint64 (1));
    save ("misc-hello-wrong-body", out);
  }
  {
    MpaioReplyHead head = { 14, 0, 0 };
    NEW (out);

    /* An error whose message is not UTF-8: GVariant gives "" instead. */
    _mpaio_frame_append (out, MPAIO_MESSAGE_ERROR, &head, sizeof head,
                         g_variant_new_from_data (G_VARIANT_TYPE ("(is)"), "\x02\0\0\0\xff\xfe\0",
                                                  7, TRUE, NULL, NULL));
    save ("misc-error-bad-utf8", out);
  }

  return 0;
}
