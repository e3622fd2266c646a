/* fuzz-reply-decoder.c: libFuzzer target for the pool's message decoder
 *
 * _mpaio_frame_parse() and _mpaio_reply_decode() are the only code of the
 * main process that reads bytes written by another process. Whatever the
 * bytes, they must neither crash nor read out of bounds, and must keep the
 * promises checked below. Built with clang as a fuzzer (tests/fuzz/meson.build)
 * and, with any compiler, into `fuzz-replay`, which runs the corpus.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "mpaio-error.h"
#include "mpaio-protocol-private.h"

#include "fuzz-reply-decoder.h"

/* Reads what a pool hands on to user code, as user code would. */
static void
touch_reply (const MpaioReply *reply)
{
  switch (reply->type)
    {
    case MPAIO_MESSAGE_HELLO:
      g_assert_null (reply->value);
      g_assert_null (reply->message);
      break;

    case MPAIO_MESSAGE_RESULT:
      g_assert_nonnull (reply->value);
      g_assert_null (reply->message);
      g_assert_true (g_variant_type_string_is_valid (g_variant_get_type_string (reply->value)));
      /* Printing reads every byte through GVariant's checked accessors. */
      if (g_variant_get_size (reply->value) <= 4096)
        g_free (g_variant_print (reply->value, TRUE));
      break;

    case MPAIO_MESSAGE_ERROR:
      g_assert_null (reply->value);
      g_assert_nonnull (reply->message);
      g_assert_true (g_utf8_validate (reply->message, -1, NULL));
      g_assert_nonnull (reply->domain);
      g_error_free (_mpaio_reply_dup_error (reply));
      /* Of mpaio's own codes, only those a worker process may honestly send. */
      g_assert_true (!g_str_equal (reply->domain, "mpaio-error-quark")
                     || reply->code == MPAIO_ERROR_WORKER_FAILED
                     || reply->code == MPAIO_ERROR_NO_MEMORY
                     || reply->code == MPAIO_ERROR_UNKNOWN_WORKER_TYPE
                     || reply->code == MPAIO_ERROR_INVALID_ARGUMENT
                     || reply->code == MPAIO_ERROR_PROTOCOL);
      break;

    case MPAIO_MESSAGE_BIG_RESULT:
      /* Its value comes from the memfd that rides along, mapped later. */
      g_assert_null (reply->value);
      g_assert_true (g_variant_type_string_is_valid (reply->value_type));
      break;

    default:
      g_error ("the decoder accepted a message of type %u", reply->type);
    }
}

gboolean
mpaio_fuzz_decode_stream (const guint8 *data,
                          gsize         size)
{
  /* The pool parses from a buffer of its own, where frames start 8-aligned. */
  g_autoptr(GByteArray) in = g_byte_array_sized_new (MAX (size, 1));
  gsize offset = 0;

  g_byte_array_append (in, data, size);

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      MpaioFrame frame;
      MpaioReply reply;
      gsize      consumed = 0;
      gboolean   ok;

      if (!_mpaio_frame_parse (in->data + offset, in->len - offset, &frame, &consumed, &error))
        {
          if (error != NULL)
            {
              g_assert_true (g_error_matches (error, MPAIO_ERROR, MPAIO_ERROR_PROTOCOL));
              return FALSE;
            }
          /* More bytes needed: the stream ends inside a frame, unless it
           * ended exactly after one. */
          return offset == in->len;
        }

      g_assert_cmpuint (consumed, >=, sizeof (MpaioFrameHeader));
      g_assert_cmpuint (consumed % 8, ==, 0);
      g_assert_cmpuint (consumed, <=, in->len - offset);
      g_assert_true (frame.payload == in->data + offset + sizeof (MpaioFrameHeader));
      g_assert_cmpuint (frame.length, <=, consumed - sizeof (MpaioFrameHeader));
      g_assert_cmpuint (frame.length, <=, MPAIO_PROTOCOL_MAX_FRAME);

      ok = _mpaio_reply_decode (&frame, &reply, &error);
      if (ok)
        {
          g_assert_no_error (error);
          g_assert_cmpuint (reply.type, ==, frame.type);
          touch_reply (&reply);
        }
      else
        {
          g_assert_true (g_error_matches (error, MPAIO_ERROR, MPAIO_ERROR_PROTOCOL));
          g_assert_null (reply.value);
          g_assert_null (reply.message);
        }
      _mpaio_reply_clear (&reply);
      g_assert_null (reply.value);
      g_assert_null (reply.message);

      if (!ok)
        return FALSE;

      offset += consumed;
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  mpaio_fuzz_decode_stream (data, size);
  return 0;
}
