/* mpaio-protocol.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "mpaio-error.h"
#include "mpaio-protocol-private.h"

/* Every frame starts 8-aligned in the stream, so a body can be serialized in
 * place and read back without copying to satisfy GVariant's alignment. */
#define FRAME_ALIGNMENT 8
#define FRAME_SIZE(length) \
  (sizeof (MpaioFrameHeader) + (((gsize) (length) + FRAME_ALIGNMENT - 1) & ~(gsize) (FRAME_ALIGNMENT - 1)))

static void
append_frame (GByteArray      *out,
              MpaioMessageType type,
              gconstpointer    head,
              gsize            head_length,
              GVariant        *body,
              gsize            body_length)
{
  MpaioFrameHeader header = { (guint32) (head_length + body_length), type };
  gsize            padded = FRAME_SIZE (header.length);
  guint            offset = out->len;

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
_mpaio_frame_append (GByteArray      *out,
                     MpaioMessageType type,
                     gconstpointer    head,
                     gsize            head_length,
                     GVariant        *body)
{
  g_autoptr(GVariant) owned = body ? g_variant_ref_sink (body) : NULL;

  append_frame (out, type, head, head_length, owned, owned ? g_variant_get_size (owned) : 0);
}

/* Like _mpaio_frame_append(), for a body of any size (a worker's result):
 * returns FALSE and appends nothing when the frame would pass the limit. */
gboolean
_mpaio_frame_append_checked (GByteArray      *out,
                             MpaioMessageType type,
                             gconstpointer    head,
                             gsize            head_length,
                             GVariant        *body)
{
  g_autoptr(GVariant) owned = body ? g_variant_ref_sink (body) : NULL;
  gsize body_length = owned ? g_variant_get_size (owned) : 0;

  if (body_length > MPAIO_PROTOCOL_MAX_FRAME - head_length)
    return FALSE;

  append_frame (out, type, head, head_length, owned, body_length);
  return TRUE;
}

/* Appends an ERROR frame for @error: its domain travels by name, since
 * quarks are numbered per process; its message is made valid UTF-8 (a
 * message quoting a file name may not be) rather than lost. */
void
_mpaio_frame_append_error (GByteArray           *out,
                           const MpaioReplyHead *head,
                           const GError         *error)
{
  g_autofree char *message = g_utf8_make_valid (error->message, -1);

  if (strlen (message) > MPAIO_PROTOCOL_MAX_MESSAGE)
    *g_utf8_find_prev_char (message, message + MPAIO_PROTOCOL_MAX_MESSAGE + 1) = '\0';

  _mpaio_frame_append (out, MPAIO_MESSAGE_ERROR, head, sizeof *head,
                       g_variant_new (MPAIO_ERROR_TYPE, g_quark_to_string (error->domain),
                                      error->code, message));
}

/* The size of a value of the fixed-size basic type @type_char, or 0 for any
 * other type. Handles ('h') are left out: they mean nothing between
 * processes. */
static gsize
fixed_basic_size (char type_char)
{
  switch (type_char)
    {
    case 'b':
    case 'y':
      return 1;
    case 'n':
    case 'q':
      return 2;
    case 'i':
    case 'u':
      return 4;
    case 'x':
    case 't':
    case 'd':
      return 8;
    default:
      return 0;
    }
}

/* The size of the elements of @type when it is an array of numbers (not
 * booleans, whose bytes must be 0 or 1), or 0. Any bytes of a size that is a
 * multiple of it are such an array in normal form, which
 * g_variant_is_normal_form() checks element by element (a second for 64
 * MB): big results are mostly of these types. */
static gsize
number_array_element_size (const char *type)
{
  if (type[0] != 'a' || type[1] == 'b' || type[2] != '\0')
    return 0;

  return fixed_basic_size (type[1]);
}

static gboolean
is_normal_form (GVariant *value)
{
  gsize element_size = number_array_element_size (g_variant_get_type_string (value));

  if (element_size > 0)
    return g_variant_get_size (value) % element_size == 0;

  return g_variant_is_normal_form (value);
}

/* Appends a TASK frame: the message of every chunk, so written at once. */
void
_mpaio_frame_append_task (GByteArray          *out,
                          const MpaioTaskBody *body)
{
  MpaioFrameHeader header = { sizeof *body, MPAIO_MESSAGE_TASK };
  guint            offset = out->len;

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
  gsize       size = fixed_basic_size (type[0]);

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
_mpaio_frame_parse (const guint8 *data,
                    gsize         available,
                    MpaioFrame   *frame,
                    gsize        *consumed,
                    GError      **error)
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
_mpaio_frame_get_head (const MpaioFrame *frame,
                       gpointer          head,
                       gsize             head_length,
                       GError          **error)
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
_mpaio_frame_get_body (const MpaioFrame *frame,
                       gsize             head_length,
                       const char       *type,
                       GError          **error)
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
  if (!is_normal_form (body))
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
  union
  {
    gint16  n;
    guint16 q;
    gint32  i;
    guint32 u;
    gint64  x;
    guint64 t;
    gdouble d;
  } number;
  GVariant *value;
  gsize     size;

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

/* A "v" holding an array of numbers, decoded without checking each
 * element (see number_array_element_size()): its bytes are the elements, a
 * nul and the type string "aT"; %NULL for anything else. */
static GVariant *
decode_number_array_variant (const guint8 *body,
                             gsize         length)
{
  g_autoptr(GBytes) bytes = NULL;
  char  type[3];
  gsize element_size;

  if (length < 3 || body[length - 3] != '\0')
    return NULL;

  memcpy (type, body + length - 2, 2);
  type[2] = '\0';
  element_size = number_array_element_size (type);
  if (element_size == 0 || (length - 3) % element_size != 0)
    return NULL;

  bytes = g_bytes_new (body, length - 3);
  return g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE (type), bytes, FALSE));
}

/* The pool's decoder of everything a worker process may send: the only code
 * that reads bytes from another process in the main process, so it takes
 * nothing on trust (the fuzzer's target). */
gboolean
_mpaio_reply_decode (const MpaioFrame *frame,
                     MpaioReply       *reply,
                     GError          **error)
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
          if (reply->value == NULL)
            reply->value = decode_number_array_variant (frame->payload + sizeof head,
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
      g_variant_get (body, MPAIO_ERROR_TYPE, &reply->domain, &reply->code, &reply->message);
      /* Of mpaio's own errors, only what a worker process can honestly
       * report: crashes and timeouts are the pool's to see. */
      if (g_str_equal (reply->domain, g_quark_to_string (MPAIO_ERROR))
          && reply->code != MPAIO_ERROR_WORKER_FAILED && reply->code != MPAIO_ERROR_UNKNOWN_WORKER_TYPE
          && reply->code != MPAIO_ERROR_INVALID_ARGUMENT && reply->code != MPAIO_ERROR_PROTOCOL
          && reply->code != MPAIO_ERROR_NO_MEMORY)
        reply->code = MPAIO_ERROR_PROTOCOL;
      return TRUE;

    case MPAIO_MESSAGE_BIG_RESULT:
      if (!_mpaio_frame_get_head (frame, &head, sizeof head, error))
        return FALSE;
      reply->seq = head.seq;
      reply->started_us = head.started_us;
      reply->finished_us = head.finished_us;

      if (!(body = _mpaio_frame_get_body (frame, sizeof head, MPAIO_BIG_RESULT_TYPE, error)))
        return FALSE;
      g_variant_get (body, MPAIO_BIG_RESULT_TYPE, &reply->value_type, &reply->value_size);
      if (!g_variant_type_string_is_valid (reply->value_type)
          || !g_variant_type_is_definite (G_VARIANT_TYPE (reply->value_type))
          || reply->value_size > G_MAXSSIZE)
        {
          g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_PROTOCOL,
                       "A big result claims an invalid type or size");
          return FALSE;
        }
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
  g_clear_pointer (&reply->domain, g_free);
  g_clear_pointer (&reply->value_type, g_free);
}

typedef struct
{
  gpointer data;
  gsize    size;
} Mapping;

static void
mapping_free (gpointer user_data)
{
  Mapping *mapping = user_data;

  munmap (mapping->data, mapping->size);
  g_free (mapping);
}

gboolean
_mpaio_reply_take_memfd (MpaioReply *reply,
                         int         fd,
                         GError    **error)
{
  const int needed_seals = F_SEAL_SHRINK | F_SEAL_WRITE;
  g_autoptr(GBytes) bytes = NULL;
  gsize       size = reply->value_size;
  struct stat st;
  Mapping    *mapping;
  gpointer    data;

  if (fd < 0)
    {
      g_set_error_literal (error, MPAIO_ERROR, MPAIO_ERROR_PROTOCOL,
                           "A big result arrived without its file descriptor");
      return FALSE;
    }

  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode) || (guint64) st.st_size < size
      || (fcntl (fd, F_GET_SEALS) & needed_seals) != needed_seals)
    {
      g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_PROTOCOL,
                   "A big result of %" G_GSIZE_FORMAT " bytes came in a file that is not a "
                   "memfd of that size sealed against writes and shrinking",
                   size);
      g_close (fd, NULL);
      return FALSE;
    }

  if (size == 0)
    bytes = g_bytes_new (NULL, 0);
  else
    {
      /* Populated at once: the callback is about to read it all, and one
       * call costs less than a fault per page. */
      data = mmap (NULL, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
      if (data == MAP_FAILED)
        {
          int saved_errno = errno;

          g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_NO_MEMORY,
                       "Could not map a result of %" G_GSIZE_FORMAT " bytes: %s", size,
                       g_strerror (saved_errno));
          g_close (fd, NULL);
          return FALSE;
        }
      mapping = g_new (Mapping, 1);
      mapping->data = data;
      mapping->size = size;
      bytes = g_bytes_new_with_free_func (data, size, mapping_free, mapping);
    }
  g_close (fd, NULL);

  reply->value = g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE (reply->value_type),
                                                               bytes, FALSE));
  if (!is_normal_form (reply->value))
    {
      g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_PROTOCOL,
                   "A big result does not hold a valid %s", reply->value_type);
      g_clear_pointer (&reply->value, g_variant_unref);
      return FALSE;
    }

  return TRUE;
}

/* write() rather than a mapping: the kernel fills fresh pages without a
 * fault for each. */
int
_mpaio_memfd_new_for_variant (GVariant *value,
                              GError  **error)
{
  const guint8 *data = g_variant_get_data (value);
  gsize         size = g_variant_get_size (value);
  gsize         written = 0;
  int           saved_errno;
  int           fd;

  fd = memfd_create ("mpaio-result", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0)
    goto failed;

  while (written < size)
    {
      ssize_t n = write (fd, data + written, size - written);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        goto failed;
      written += n;
    }

  if (fcntl (fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
    goto failed;

  return fd;

failed:
  saved_errno = errno;
  if (fd >= 0)
    g_close (fd, NULL);
  g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_NO_MEMORY,
               "Could not store a result of %" G_GSIZE_FORMAT " bytes in shared memory: %s",
               size, g_strerror (saved_errno));
  return -1;
}

/* GLib's and GIO's own domains are registered on first use; a program that
 * only meets one in a worker's error would not know it yet. */
static void
register_standard_domains (void)
{
  static gsize registered = 0;

  if (g_once_init_enter (&registered))
    {
      (void) G_FILE_ERROR;
      (void) G_IO_ERROR;
      (void) G_DBUS_ERROR;
      (void) G_RESOLVER_ERROR;
      (void) G_TLS_ERROR;
      (void) G_KEY_FILE_ERROR;
      (void) G_CONVERT_ERROR;
      (void) G_MARKUP_ERROR;
      (void) G_OPTION_ERROR;
      (void) G_REGEX_ERROR;
      (void) G_SHELL_ERROR;
      (void) G_SPAWN_ERROR;
      (void) G_URI_ERROR;
      (void) G_VARIANT_PARSE_ERROR;
      (void) G_NUMBER_PARSER_ERROR;
      g_once_init_leave (&registered, 1);
    }
}

GError *
_mpaio_reply_dup_error (const MpaioReply *reply)
{
  GQuark domain;

  /* Only a domain this process registered: a quark made from a name a
   * peer sent would be a leak it could grow at will. */
  register_standard_domains ();
  domain = g_quark_try_string (reply->domain);

  if (domain != 0)
    return g_error_new_literal (domain, reply->code, reply->message);

  return g_error_new (MPAIO_ERROR, MPAIO_ERROR_WORKER_FAILED, "%s (error %d of %s, a domain "
                                                              "unknown to this process)",
                      reply->message, reply->code, reply->domain);
}
