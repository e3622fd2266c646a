/* test-protocol.c: results on the wire between a worker process and its pool
 *
 * A result travels as a "v". Numbers, the common case, are written and read
 * without building the "v", and a task's frame is written at once; these
 * tests hold those shortcuts to the general path: the same bytes out, the
 * same value in, and the same refusals.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <gio/gio.h>

#include "mpaio-error.h"
#include "mpaio-protocol-private.h"

static const MpaioReplyHead test_head = { 7, 100, 250 };

/* The RESULT frame @result makes, as the worker process writes it. */
static GByteArray *
encode_result (GVariant *result)
{
  GByteArray *out = g_byte_array_new ();

  g_assert_true (_mpaio_frame_append_result (out, &test_head, result));

  return out;
}

/* Decodes the one frame in @out as the pool does; %NULL with @error set
 * when the pool refuses it. */
static GVariant *
decode_result (GByteArray *out,
               GError    **error)
{
  MpaioFrame frame;
  MpaioReply reply;
  gsize      consumed = 0;
  GVariant  *value;

  g_assert_true (_mpaio_frame_parse (out->data, out->len, &frame, &consumed, NULL));
  g_assert_cmpuint (consumed, ==, out->len);
  g_assert_cmpuint (frame.type, ==, MPAIO_MESSAGE_RESULT);

  if (!_mpaio_reply_decode (&frame, &reply, error))
    return NULL;

  g_assert_cmpuint (reply.seq, ==, test_head.seq);
  g_assert_cmpint (reply.started_us, ==, test_head.started_us);
  g_assert_cmpint (reply.finished_us, ==, test_head.finished_us);
  value = g_steal_pointer (&reply.value);
  _mpaio_reply_clear (&reply);

  return value;
}

/* A RESULT frame whose "v" is @body as it is, whatever it holds. */
static GByteArray *
frame_with_body (const guint8 *body,
                 gsize         length)
{
  GByteArray      *out = g_byte_array_new ();
  MpaioFrameHeader header = { (guint32) (sizeof test_head + length), MPAIO_MESSAGE_RESULT };
  gsize            padded = (header.length + 7) & ~(gsize) 7;

  g_byte_array_append (out, (const guint8 *) &header, sizeof header);
  g_byte_array_append (out, (const guint8 *) &test_head, sizeof test_head);
  g_byte_array_append (out, body, length);
  g_byte_array_set_size (out, sizeof header + padded);
  memset (out->data + sizeof header + header.length, 0, padded - header.length);

  return out;
}

static void
test_result_round_trip (void)
{
  GVariant *values[] = {
    g_variant_new_boolean (FALSE),
    g_variant_new_boolean (TRUE),
    g_variant_new_byte (0xfe),
    g_variant_new_int16 (G_MININT16),
    g_variant_new_uint16 (G_MAXUINT16),
    g_variant_new_int32 (-123456789),
    g_variant_new_uint32 (G_MAXUINT32),
    g_variant_new_int64 (G_MININT64),
    g_variant_new_uint64 (5000000050000000),
    g_variant_new_double (-0.1),
    g_variant_new_string ("not a number"),
    g_variant_new ("(ts)", (guint64) 3, "a tuple"),
    g_variant_new ("ax", NULL),
    g_variant_new ("mx", NULL),
    g_variant_new ("()"),
    g_variant_new_handle (3),
    g_variant_new_variant (g_variant_new_int64 (42)),
    g_variant_new_bytestring ("bytes\xff"),
    g_variant_new_parsed ("@ad [0.5, -1e300, 3.0]"),
    g_variant_new_parsed ("@ai [1, -2, 3]"),
    g_variant_new_parsed ("@ab [true, false]"),
  };

  g_test_summary ("Every kind of result comes back equal, and a number's frame carries the "
                  "same bytes as the general encoding of a \"v\"");

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autoptr(GVariant) value = g_variant_ref_sink (values[i]);
      g_autoptr(GVariant) boxed = g_variant_ref_sink (g_variant_new_variant (value));
      g_autoptr(GByteArray) general = g_byte_array_new ();
      g_autoptr(GByteArray) out = encode_result (value);
      g_autoptr(GVariant) decoded = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *printed = g_variant_print (value, TRUE);

      g_test_message ("%s", printed);

      _mpaio_frame_append (general, MPAIO_MESSAGE_RESULT, &test_head, sizeof test_head, boxed);
      g_assert_cmpmem (out->data, out->len, general->data, general->len);

      decoded = decode_result (out, &error);
      g_assert_no_error (error);
      g_assert_nonnull (decoded);
      g_assert_false (g_variant_is_floating (decoded));
      g_assert_cmpstr (g_variant_get_type_string (decoded), ==, g_variant_get_type_string (value));
      g_assert_true (g_variant_equal (decoded, value));
    }
}

static void
test_result_refused (void)
{
  static const struct
  {
    const char  *what;
    const guint8 body[12];
    gsize        length;
  } cases[] = {
    { "a boolean of 2", { 2, 0, 'b' }, 3 },
    { "a boolean of two bytes", { 1, 0, 0, 'b' }, 4 },
    { "an int64 of four bytes", { 1, 2, 3, 4, 0, 'x' }, 6 },
    { "an int32 of eight bytes", { 1, 2, 3, 4, 5, 6, 7, 8, 0, 'i' }, 10 },
    { "an unknown type character", { 1, 0, 'z' }, 3 },
    { "no type", { 1, 2 }, 2 },
    { "no separator", { 1, 'b' }, 2 },
    { "an array of doubles of 7 bytes", { 1, 2, 3, 4, 5, 6, 7, 0, 'a', 'd' }, 10 },
    { "an array of booleans holding a 2", { 1, 2, 0, 'a', 'b' }, 5 },
  };

  g_test_summary ("A \"v\" that looks almost like a number is refused as a protocol error");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GByteArray) out = frame_with_body (cases[i].body, cases[i].length);
      g_autoptr(GVariant) decoded = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", cases[i].what);
      decoded = decode_result (out, &error);
      g_assert_error (error, MPAIO_ERROR, MPAIO_ERROR_PROTOCOL);
      g_assert_null (decoded);
    }
}

static void
test_task (void)
{
  const MpaioTaskBody body = { 0x1234, 7, 99, 1000, 2000 };
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GByteArray) general = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  MpaioTaskBody parsed;
  MpaioFrame    frame;
  gsize         consumed = 0;

  g_test_summary ("A task's frame, written at once, is the general frame of its body and "
                  "parses back to it");

  _mpaio_frame_append_task (out, &body);
  _mpaio_frame_append (general, MPAIO_MESSAGE_TASK, &body, sizeof body, NULL);
  g_assert_cmpmem (out->data, out->len, general->data, general->len);

  g_assert_true (_mpaio_frame_parse (out->data, out->len, &frame, &consumed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (consumed, ==, out->len);
  g_assert_cmpuint (frame.type, ==, MPAIO_MESSAGE_TASK);
  g_assert_true (_mpaio_frame_get_head (&frame, &parsed, sizeof parsed, &error));
  g_assert_cmpmem (&parsed, sizeof parsed, &body, sizeof body);
}

/* Errors */

static GQuark
test_error_quark (void)
{
  return g_quark_from_static_string ("mpaio-test-protocol-error-quark");
}

/* @error as the worker process writes it, read back as the pool does. */
static GError *
round_trip_error (const GError *error)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) local_error = NULL;
  MpaioFrame frame;
  MpaioReply reply;
  gsize      consumed = 0;
  GError    *copy;

  _mpaio_frame_append_error (out, &test_head, error);
  g_assert_true (_mpaio_frame_parse (out->data, out->len, &frame, &consumed, NULL));
  g_assert_cmpuint (frame.type, ==, MPAIO_MESSAGE_ERROR);
  g_assert_true (_mpaio_reply_decode (&frame, &reply, &local_error));
  g_assert_no_error (local_error);
  g_assert_cmpuint (reply.seq, ==, test_head.seq);
  copy = _mpaio_reply_dup_error (&reply);
  _mpaio_reply_clear (&reply);

  return copy;
}

static void
test_error_round_trip (void)
{
  g_autoptr(GError) io = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no such file");
  g_autoptr(GError) own = g_error_new_literal (test_error_quark (), 42, "odd input");
  g_autoptr(GError) mpaio = g_error_new_literal (MPAIO_ERROR, MPAIO_ERROR_NO_MEMORY, "full");
  g_autoptr(GError) io_copy = round_trip_error (io);
  g_autoptr(GError) own_copy = round_trip_error (own);
  g_autoptr(GError) mpaio_copy = round_trip_error (mpaio);

  g_test_summary ("An error keeps its domain, code and message on the wire");

  g_assert_error (io_copy, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpstr (io_copy->message, ==, "no such file");
  g_assert_error (own_copy, test_error_quark (), 42);
  g_assert_cmpstr (own_copy->message, ==, "odd input");
  g_assert_error (mpaio_copy, MPAIO_ERROR, MPAIO_ERROR_NO_MEMORY);
}

static void
test_error_unusual (void)
{
  g_autoptr(GError) latin1 = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
                                                   "cannot read caf\xe9.bin");
  g_autoptr(GError) crashed = g_error_new_literal (MPAIO_ERROR, MPAIO_ERROR_WORKER_CRASHED,
                                                    "I pretend");
  g_autoptr(GError) huge = NULL;
  g_autoptr(GError) latin1_copy = round_trip_error (latin1);
  g_autoptr(GError) crashed_copy = round_trip_error (crashed);
  g_autoptr(GError) huge_copy = NULL;
  GString *long_message = g_string_new (NULL);

  g_test_summary ("A message that is not UTF-8 is made valid, not lost; a huge one is cut; "
                  "mpaio's own codes that only the pool may report are not believed");

  g_assert_error (latin1_copy, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (latin1_copy->message, ==, "cannot read caf\xef\xbf\xbd.bin");

  g_assert_error (crashed_copy, MPAIO_ERROR, MPAIO_ERROR_PROTOCOL);
  g_assert_cmpstr (crashed_copy->message, ==, "I pretend");

  /* Cut between whole characters, whatever their width. */
  while (long_message->len < 2 * MPAIO_PROTOCOL_MAX_MESSAGE)
    g_string_append (long_message, "\xc3\xa9t\xc3\xa9 ");
  huge = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, long_message->str);
  g_string_free (long_message, TRUE);
  huge_copy = round_trip_error (huge);
  g_assert_cmpuint (strlen (huge_copy->message), <=, MPAIO_PROTOCOL_MAX_MESSAGE);
  g_assert_cmpuint (strlen (huge_copy->message), >, MPAIO_PROTOCOL_MAX_MESSAGE - 8);
  g_assert_true (g_utf8_validate (huge_copy->message, -1, NULL));
  g_assert_true (g_str_has_prefix (huge->message, huge_copy->message));
}

/* Big results */

/* A BIG_RESULT frame announcing @type and @size, decoded. */
static void
decode_big_result (const char *type,
                   guint64     size,
                   MpaioReply *reply)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  MpaioFrame frame;
  gsize      consumed = 0;

  _mpaio_frame_append (out, MPAIO_MESSAGE_BIG_RESULT, &test_head, sizeof test_head,
                       g_variant_new (MPAIO_BIG_RESULT_TYPE, type, size));
  g_assert_true (_mpaio_frame_parse (out->data, out->len, &frame, &consumed, NULL));
  g_assert_true (_mpaio_reply_decode (&frame, reply, &error));
  g_assert_no_error (error);
  g_assert_null (reply->value);
}

static void
test_big_result_round_trip (void)
{
  g_autoptr(GVariant) value = NULL;
  g_autoptr(GError) error = NULL;
  MpaioReply reply;
  gdouble    values[1000];
  int        fd;

  g_test_summary ("A big result travels as a sealed memfd and is mapped back equal");

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    values[i] = i * 0.25;
  value = g_variant_ref_sink (g_variant_new_fixed_array (G_VARIANT_TYPE_DOUBLE, values,
                                                         G_N_ELEMENTS (values), sizeof (gdouble)));

  fd = _mpaio_memfd_new_for_variant (value, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fd, >=, 0);
  /* Nobody can change it any more. */
  g_assert_cmpint (fcntl (fd, F_GET_SEALS) & (F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_SEAL), ==,
                   F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_SEAL);

  decode_big_result ("ad", g_variant_get_size (value), &reply);
  g_assert_true (_mpaio_reply_take_memfd (&reply, fd, &error));
  g_assert_no_error (error);
  g_assert_true (g_variant_equal (reply.value, value));
  _mpaio_reply_clear (&reply);
}

static void
test_big_result_refused (void)
{
  g_autoptr(GError) error = NULL;
  MpaioReply reply;
  int        fd;

  g_test_summary ("A big result in a file that could change or shrink under the mapping, too "
                  "small, or missing is refused");

  /* Writable: the worker could change it while the pool reads it. */
  fd = memfd_create ("unsealed", MFD_CLOEXEC);
  g_assert_cmpint (ftruncate (fd, 4096), ==, 0);
  decode_big_result ("ay", 4096, &reply);
  g_assert_false (_mpaio_reply_take_memfd (&reply, fd, &error));
  g_assert_error (error, MPAIO_ERROR, MPAIO_ERROR_PROTOCOL);
  g_clear_error (&error);
  _mpaio_reply_clear (&reply);

  /* Smaller than announced. */
  {
    g_autoptr(GVariant) small = g_variant_ref_sink (g_variant_new_bytestring ("abc"));

    fd = _mpaio_memfd_new_for_variant (small, &error);
    g_assert_no_error (error);
    decode_big_result ("ay", 4096, &reply);
    g_assert_false (_mpaio_reply_take_memfd (&reply, fd, &error));
    g_assert_error (error, MPAIO_ERROR, MPAIO_ERROR_PROTOCOL);
    g_clear_error (&error);
    _mpaio_reply_clear (&reply);
  }

  /* No fd came with it. */
  decode_big_result ("ay", 4096, &reply);
  g_assert_false (_mpaio_reply_take_memfd (&reply, -1, &error));
  g_assert_error (error, MPAIO_ERROR, MPAIO_ERROR_PROTOCOL);
  _mpaio_reply_clear (&reply);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/protocol/error/round-trip", test_error_round_trip);
  g_test_add_func ("/protocol/error/unusual", test_error_unusual);
  g_test_add_func ("/protocol/big-result/round-trip", test_big_result_round_trip);
  g_test_add_func ("/protocol/big-result/refused", test_big_result_refused);

  g_test_add_func ("/protocol/result/round-trip", test_result_round_trip);
  g_test_add_func ("/protocol/result/refused", test_result_refused);
  g_test_add_func ("/protocol/task", test_task);

  return g_test_run ();
}
