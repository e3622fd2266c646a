/* mpaio-protocol.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "mpaio-error.h"
#include "mpaio-protocol-private.h"

/* Every frame starts 8-aligned in the stream, so a body can be serialized in
 * place and read back without copying to satisfy GVariant's alignment. */
#define FRAME_ALIGNMENT 8
#define FRAME_SIZE(length) \
  (sizeof (MpaioFrameHeader) + (((gsize) (length) + FRAME_ALIGNMENT - 1) & ~(gsize) (FRAME_ALIGNMENT - 1)))

static void
append_frame (GByteArray       *out,
              MpaioMessageType  type,
              gconstpointer     head,
              gsize             head_length,
              GVariant         *body,
              gsize             body_length)
{
  MpaioFrameHeader header = { (guint32) (head_length + body_length), type };
  gsize padded = FRAME_SIZE (header.length);
  guint offset = out->len;

  g_assert (offset % FRAME_ALIGNMENT == 0);
  g_byte_array_set_size (out, out->len + padded);
  memset (out->data + offset + sizeof header + header.length, 0,
          padded - sizeof header - header.length);
  memcpy (out->data + offset, &header, sizeof header);
  if (head_length > 0)
    memcpy (out->data + offset + sizeof header, head, head_length);
  if (body != NULL)
    g_variant_store (body, out->data + offset + sizeof header + head_length);
}

/* Appends one frame; @body (may be floating, is sunk) follows the fixed @head.
 * The caller guarantees the frame is within the limit. */
void
_mpaio_frame_append (GByteArray       *out,
                     MpaioMessageType  type,
                     gconstpointer     head,
                     gsize             head_length,
                     GVariant         *body)
{
  g_autoptr(GVariant) owned = body ? g_variant_ref_sink (body) : NULL;

  append_frame (out, type, head, head_length, owned, owned ? g_variant_get_size (owned) : 0);
}

/* Like _mpaio_frame_append(), for a body of any size (a worker's result):
 * returns FALSE and appends nothing when the frame would pass the limit. */
gboolean
_mpaio_frame_append_checked (GByteArray       *out,
                             MpaioMessageType  type,
                             gconstpointer     head,
                             gsize             head_length,
                             GVariant         *body)
{
  g_autoptr(GVariant) owned = body ? g_variant_ref_sink (body) : NULL;
  gsize body_length = owned ? g_variant_get_size (owned) : 0;

  if (body_length > MPAIO_PROTOCOL_MAX_FRAME - head_length)
    return FALSE;

  append_frame (out, type, head, head_length, owned, body_length);
  return TRUE;
}

/* The size of a value of the fixed-size basic type @type_char, or 0 for any
 * other type. Handles ('h') are left out: they mean nothing between
 * processes. */
static gsize
fixed_basic_size (char type_char)
{
  switch (type_char)
    {
    case 'b': case 'y':
      return 1;
    case 'n': case 'q':
      return 2;
    case 'i': case 'u':
      return 4;
    case 'x': case 't': case 'd':
      return 8;
    default:
      return 0;
    }
}

/* Appends a TASK frame: the message of every chunk, so written at once. */
void
_mpaio_frame_append_task (GByteArray          *out,
                          const MpaioTaskBody *body)
{
  MpaioFrameHeader header = { sizeof *body, MPAIO_MESSAGE_TASK };
  guint offset = out->len;

  G_STATIC_ASSERT (FRAME_SIZE (sizeof (MpaioTaskBody)) == sizeof header + sizeof (MpaioTaskBody));

  g_byte_array_set_size (out, offset + sizeof header + sizeof *body);
  memcpy (out->data + offset, &header, sizeof header);
  memcpy (out->data + offset + sizeof header, body, sizeof *body);
}

/* Appends a RESULT frame: @head, then @result (not floating; not taken)
 * serialized as a "v". Returns FALSE and appends nothing when the frame
 * would pass the limit. Most results are a number: those are written as a
 * "v" directly (the value, a nul, the type character), the same bytes
 * g_variant_store() would write, without building the "v". */
gboolean
_mpaio_frame_append_result (GByteArray           *out,
                            const MpaioReplyHead *head,
                            GVariant             *result)
{
  const char *type = g_variant_get_type_string (result);
  gsize size = fixed_basic_size (type[0]);

  if (size > 0 && type[1] == '\0' && g_variant_get_size (result) == size)
    {
      guint8 *body;

      append_frame (out, MPAIO_MESSAGE_RESULT, head, sizeof *head, NULL, size + 2);
      body = out->data + out->len - FRAME_SIZE (sizeof *head + size + 2)
             + sizeof (MpaioFrameHeader) + sizeof *head;
      memcpy (body, g_variant_get_data (result), size);
      body[size] = '\0';
      body[size + 1] = (guint8) type[0];
      return TRUE;
    }

  return _mpaio_frame_append_checked (out, MPAIO_MESSAGE_RESULT, head, sizeof *head,
                                      g_variant_new_variant (result));
}

/* Returns TRUE and fills @frame when @data starts with a whole frame; FALSE
 * without @error when more bytes are needed; FALSE with @error when the
 * header is one no peer of ours sends. */
gboolean
_mpaio_frame_parse (const guint8  *data,
                    gsize          available,
                    MpaioFrame    *frame,
                    gsize         *consumed,
                    GError       **error)
{
  MpaioFrameHeader header;

  if (available < sizeof header)
    return FALSE;

  memcpy (&header, data, sizeof header);

  if (header.type < MPAIO_MESSAGE_HELLO || header.type > MPAIO_MESSAGE_LAST)
    {
      g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_PROTOCOL, "Unknown message type %u",
                   header.type);
      return FALSE;
    }

  if (header.length > MPAIO_PROTOCOL_MAX_FRAME)
    {
      g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_PROTOCOL,
                   "A message of %u bytes is over the limit of %u bytes", header.length,
                   MPAIO_PROTOCOL_MAX_FRAME);
      return FALSE;
    }

  if (available < FRAME_SIZE (header.length))
    return FALSE;

  frame->type = header.type;
  frame->payload = data + sizeof header;
  frame->length = header.length;
  *consumed = FRAME_SIZE (header.length);

  return TRUE;
}

gboolean
_mpaio_frame_get_head (const MpaioFrame  *frame,
                       gpointer           head,
                       gsize              head_length,
                       GError           **error)
{
  if (frame->length < head_length)
    {
      g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_PROTOCOL,
                   "A message of type %u is truncated (%" G_GSIZE_FORMAT " bytes)", frame->type,
                   frame->length);
      return FALSE;
    }

  memcpy (head, frame->payload, head_length);
  return TRUE;
}

/* Copies the payload after @head_length as a GVariant of @type; the bytes
 * come from another process, so they are marked untrusted and every access
 * to them is validated by GVariant. */
GVariant *
_mpaio_frame_get_body (const MpaioFrame  *frame,
                       gsize              head_length,
                       const char        *type,
                       GError           **error)
{
  g_autoptr(GBytes) bytes = NULL;
  GVariant *body;

  if (frame->length < head_length)
    {
      g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_PROTOCOL,
                   "A message of type %u is truncated (%" G_GSIZE_FORMAT " bytes)", frame->type,
                   frame->length);
      return NULL;
    }

  bytes = g_bytes_new (frame->payload + head_length, frame->length - head_length);
  body = g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE (type), bytes, FALSE));
  if (!g_variant_is_normal_form (body))
    {
      g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_PROTOCOL,
                   "A message of type %u does not hold a valid %s", frame->type, type);
      g_variant_unref (body);
      return NULL;
    }

  return body;
}

/* A "v" holding a number, the common result, decoded without building the
 * "v": only when its bytes are exactly a normal-form value of a fixed-size
 * basic type (the value, a nul, one type character), so this gives the
 * same value _mpaio_frame_get_body() would and %NULL for anything else. */
static GVariant *
decode_fixed_variant (const guint8 *body,
                      gsize         length)
{
  union { gint16 n; guint16 q; gint32 i; guint32 u; gint64 x; guint64 t; gdouble d; } number;
  GVariant *value;
  gsize size;

  if (length < 3 || body[length - 2] != '\0')
    return NULL;

  size = fixed_basic_size ((char) body[length - 1]);
  if (size == 0 || length != size + 2)
    return NULL;

  memcpy (&number, body, size);
  switch (body[length - 1])
    {
    case 'b':
      if (body[0] > 1)
        return NULL;
      value = g_variant_new_boolean (body[0]);
      break;
    case 'y':
      value = g_variant_new_byte (body[0]);
      break;
    case 'n':
      value = g_variant_new_int16 (number.n);
      break;
    case 'q':
      value = g_variant_new_uint16 (number.q);
      break;
    case 'i':
      value = g_variant_new_int32 (number.i);
      break;
    case 'u':
      value = g_variant_new_uint32 (number.u);
      break;
    case 'x':
      value = g_variant_new_int64 (number.x);
      break;
    case 't':
      value = g_variant_new_uint64 (number.t);
      break;
    case 'd':
      value = g_variant_new_double (number.d);
      break;
    default:
      g_assert_not_reached ();
    }

  return g_variant_ref_sink (value);
}

/* The pool's decoder of everything a worker process may send: the only code
 * that reads bytes from another process in the main process, so it takes
 * nothing on trust (the fuzzer's target). */
gboolean
_mpaio_reply_decode (const MpaioFrame  *frame,
                     MpaioReply        *reply,
                     GError           **error)
{
  g_autoptr(GVariant) body = NULL;
  MpaioReplyHead head;

  memset (reply, 0, sizeof *reply);
  reply->type = frame->type;

  switch (frame->type)
    {
    case MPAIO_MESSAGE_HELLO:
      if (!(body = _mpaio_frame_get_body (frame, 0, MPAIO_HELLO_TYPE, error)))
        return FALSE;
      g_variant_get (body, MPAIO_HELLO_TYPE, &reply->version, &reply->pid);
      return TRUE;

    case MPAIO_MESSAGE_RESULT:
    case MPAIO_MESSAGE_ERROR:
      if (!_mpaio_frame_get_head (frame, &head, sizeof head, error))
        return FALSE;
      reply->seq = head.seq;
      reply->started_us = head.started_us;
      reply->finished_us = head.finished_us;

      if (frame->type == MPAIO_MESSAGE_RESULT)
        {
          reply->value = decode_fixed_variant (frame->payload + sizeof head,
                                               frame->length - sizeof head);
          if (reply->value != NULL)
            return TRUE;
          if (!(body = _mpaio_frame_get_body (frame, sizeof head, "v", error)))
            return FALSE;
          reply->value = g_variant_get_variant (body);
          return TRUE;
        }

      if (!(body = _mpaio_frame_get_body (frame, sizeof head, MPAIO_ERROR_TYPE, error)))
        return FALSE;
      g_variant_get (body, "(is)", &reply->code, &reply->message);
      /* Only what a worker process can honestly report. */
      if (reply->code != MPAIO_ERROR_WORKER_FAILED && reply->code != MPAIO_ERROR_UNKNOWN_WORKER_TYPE
          && reply->code != MPAIO_ERROR_INVALID_ARGUMENT && reply->code != MPAIO_ERROR_PROTOCOL)
        reply->code = MPAIO_ERROR_PROTOCOL;
      return TRUE;

    case MPAIO_MESSAGE_ARRAY:
    case MPAIO_MESSAGE_FORGET_ARRAY:
    case MPAIO_MESSAGE_WORKER:
    case MPAIO_MESSAGE_FORGET_WORKER:
    case MPAIO_MESSAGE_TASK:
    default:
      g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_PROTOCOL,
                   "The pool does not expect messages of type %u", frame->type);
      return FALSE;
    }
}

void
_mpaio_reply_clear (MpaioReply *reply)
{
  g_clear_pointer (&reply->value, g_variant_unref);
  g_clear_pointer (&reply->message, g_free);
}
