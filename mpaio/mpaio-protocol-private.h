/* mpaio-protocol-private.h: frames exchanged between the pool and its worker processes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

/* clang-format off */
G_BEGIN_DECLS

/* A stream of frames over one AF_UNIX stream socket per worker process: an
 * 8-byte header (payload length, message type; host byte order, the peers are
 * one program on one machine), then the payload. The per-chunk messages (TASK,
 * RESULT, ERROR) start with a fixed struct so the hot path builds no GVariant
 * for them; everything else, and every result value, is a serialized GVariant
 * that the receiver parses as untrusted data. */

#define MPAIO_PROTOCOL_VERSION    2
/* No frame may claim more; a larger claim is a protocol error, so a broken
 * peer cannot make the other side allocate what it says. */
#define MPAIO_PROTOCOL_MAX_FRAME  (64u * 1024u * 1024u)
/* At most this many fds ride on one sendmsg(). */
#define MPAIO_PROTOCOL_MAX_FDS    16

#define MPAIO_WORKER_FD_ENV       "MPAIO_WORKER_FD"
/* The main process's pid, for the worker process to tie its life to. */
#define MPAIO_PARENT_PID_ENV      "MPAIO_PARENT_PID"

typedef enum
{
  MPAIO_MESSAGE_HELLO = 1,     /* child → parent  "(ui)": protocol version, pid */
  MPAIO_MESSAGE_ARRAY,         /* parent → child  "(t(uutat))": array id, description; one fd rides along */
  MPAIO_MESSAGE_FORGET_ARRAY,  /* parent → child  "t" */
  MPAIO_MESSAGE_WORKER,        /* parent → child  "(tsta{sv})": worker id, type name, array id, parameters */
  MPAIO_MESSAGE_FORGET_WORKER, /* parent → child  "t" */
  MPAIO_MESSAGE_TASK,          /* parent → child  MpaioTaskBody */
  MPAIO_MESSAGE_RESULT,        /* child → parent  MpaioReplyHead, then "v" */
  MPAIO_MESSAGE_ERROR,         /* child → parent  MpaioReplyHead, then "(sis)": the error's domain
                                * (its quark's name), code, message (made valid UTF-8) */
  MPAIO_MESSAGE_BIG_RESULT,    /* child → parent  MpaioReplyHead, then "(st)": the result's type and
                                * size; a sealed memfd holding the serialized result rides along */
  MPAIO_MESSAGE_LAST = MPAIO_MESSAGE_BIG_RESULT,
} MpaioMessageType;

typedef struct
{
  guint32 length;
  guint32 type;
} MpaioFrameHeader;

typedef struct
{
  guint64 seq;
  guint64 worker_id;
  guint64 index;
  guint64 start;
  guint64 end;
} MpaioTaskBody;

typedef struct
{
  guint64 seq;
  gint64  started_us;
  gint64  finished_us;
} MpaioReplyHead;

#define MPAIO_HELLO_TYPE  "(ui)"
#define MPAIO_ARRAY_TYPE  "(t(uutat))"
#define MPAIO_WORKER_TYPE "(tsta{sv})"
#define MPAIO_ERROR_TYPE  "(sis)"
#define MPAIO_BIG_RESULT_TYPE "(st)"

/* Results bigger than this travel as a memfd of their own, which the pool
 * maps, instead of through the socket: memory the kernel must allocate and
 * clear for each result costs more than the socket's copies into warm
 * buffers, but no buffer grows beyond this, and there is no size limit. */
#define MPAIO_PROTOCOL_BIG_RESULT (4u * 1024u * 1024u)
/* Error messages are cut to this many bytes: an error is a sentence. */
#define MPAIO_PROTOCOL_MAX_MESSAGE (64u * 1024u)

typedef struct
{
  MpaioMessageType type;
  const guint8    *payload;
  gsize            length;
} MpaioFrame;

/* A message from a worker process, decoded and validated. */
typedef struct
{
  MpaioMessageType  type;       /* HELLO, RESULT or ERROR */
  guint32           version;    /* HELLO */
  gint32            pid;        /* HELLO */
  guint64           seq;        /* RESULT, ERROR */
  gint64            started_us; /* RESULT, ERROR */
  gint64            finished_us;/* RESULT, ERROR */
  GVariant         *value;      /* RESULT: the worker's result; BIG_RESULT, once mapped */
  char             *value_type; /* BIG_RESULT */
  guint64           value_size; /* BIG_RESULT */
  char             *domain;     /* ERROR: the name of the error's domain */
  gint              code;       /* ERROR */
  char             *message;    /* ERROR */
} MpaioReply;

gboolean  _mpaio_reply_decode        (const MpaioFrame  *frame,
                                      MpaioReply        *reply,
                                      GError           **error);
void      _mpaio_reply_clear         (MpaioReply        *reply);
/* Maps the value of a BIG_RESULT reply from @fd (taken), the memfd that
 * came with it: checked to be sealed against writes and resizing, so its
 * pages cannot change or vanish under the mapping. */
gboolean  _mpaio_reply_take_memfd    (MpaioReply        *reply,
                                      int                fd,
                                      GError           **error);
/* A sealed memfd holding @value serialized, or -1 with @error set. */
int       _mpaio_memfd_new_for_variant (GVariant        *value,
                                        GError         **error);
/* The GError an ERROR reply stands for: its own domain and code when this
 * process knows the domain by name, MPAIO_ERROR_WORKER_FAILED naming it
 * otherwise. */
GError   *_mpaio_reply_dup_error     (const MpaioReply  *reply);

void      _mpaio_frame_append        (GByteArray        *out,
                                      MpaioMessageType   type,
                                      gconstpointer      head,
                                      gsize              head_length,
                                      GVariant          *body);
gboolean  _mpaio_frame_append_checked (GByteArray       *out,
                                      MpaioMessageType   type,
                                      gconstpointer      head,
                                      gsize              head_length,
                                      GVariant          *body);
void      _mpaio_frame_append_error  (GByteArray        *out,
                                      const MpaioReplyHead *head,
                                      const GError      *error);
void      _mpaio_frame_append_task   (GByteArray        *out,
                                      const MpaioTaskBody *body);
gboolean  _mpaio_frame_append_result (GByteArray       *out,
                                      const MpaioReplyHead *head,
                                      GVariant          *result);
gboolean  _mpaio_frame_parse         (const guint8      *data,
                                      gsize              available,
                                      MpaioFrame        *frame,
                                      gsize             *consumed,
                                      GError           **error);
gboolean  _mpaio_frame_get_head      (const MpaioFrame  *frame,
                                      gpointer           head,
                                      gsize              head_length,
                                      GError           **error);
GVariant *_mpaio_frame_get_body      (const MpaioFrame  *frame,
                                      gsize              head_length,
                                      const char        *type,
                                      GError           **error);

G_END_DECLS

G_STATIC_ASSERT (sizeof (MpaioFrameHeader) == 8);
G_STATIC_ASSERT (sizeof (MpaioTaskBody) % 8 == 0);
G_STATIC_ASSERT (sizeof (MpaioReplyHead) % 8 == 0);
