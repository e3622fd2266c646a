/* mpaio-protocol.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "mpaio-error.h"
#include "mpaio-protocol.h"

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
  if (body_length > 0)
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

  if (frame->length < head_length)
    {
      g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_PROTOCOL,
                   "A message of type %u is truncated (%" G_GSIZE_FORMAT " bytes)", frame->type,
                   frame->length);
      return NULL;
    }

  bytes = g_bytes_new (frame->payload + head_length, frame->length - head_length);
  return g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE (type), bytes, FALSE));
}
