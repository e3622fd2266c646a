/* fake-worker.c: a worker process that breaks the protocol on purpose
 *
 * Started by a pool made with mpaio_process_pool_new_with_argv() in place of
 * a real worker program: it finds its socket in MPAIO_WORKER_FD, as a real
 * worker does, and then misbehaves as argv[1] says (see `modes` below). It is
 * linked against nothing but GLib and writes its frames itself, so it shares
 * no code with the library it tests: the "valid" mode shows that its framing
 * is right, and so that what the other modes get is due to their breakage.
 *
 * Frames (see mpaio/mpaio-protocol-private.h): an 8-byte header (u32 payload length,
 * u32 message type; host byte order), the payload, then zeroes up to a
 * multiple of 8 bytes.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>

enum
{
  HELLO = 1,
  ARRAY,
  FORGET_ARRAY,
  WORKER,
  FORGET_WORKER,
  TASK,
  RESULT,
  ERROR,
};

typedef struct
{
  guint32 length;
  guint32 type;
} Header;

typedef struct
{
  guint64 seq;
  guint64 worker_id;
  guint64 index;
  guint64 start;
  guint64 end;
} Task;

typedef struct
{
  guint64 seq;
  gint64  started_us;
  gint64  finished_us;
} ReplyHead;

#define PROTOCOL_VERSION 2
#define MAX_FRAME        (64u * 1024u * 1024u)
#define PADDED(length)   (((gsize) (length) + 7) & ~(gsize) 7)

static int         sock = -1;
static GByteArray *input;

static void
write_all (const void *data,
           gsize       length)
{
  const guint8 *bytes = data;

  while (length > 0)
    {
      ssize_t n = send (sock, bytes, length, MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        exit (0); /* the pool is gone */
      bytes += n;
      length -= n;
    }
}

/* One whole frame: header, @head, @body serialized, padding. */
static void
write_frame (guint32       type,
             gconstpointer head,
             gsize         head_length,
             GVariant     *body)
{
  g_autoptr(GVariant) owned = body ? g_variant_ref_sink (body) : NULL;
  gsize              body_length = owned ? g_variant_get_size (owned) : 0;
  Header             header = { (guint32) (head_length + body_length), type };
  gsize              size = sizeof header + PADDED (header.length);
  g_autofree guint8 *frame = g_malloc0 (size);

  memcpy (frame, &header, sizeof header);
  if (head_length > 0)
    memcpy (frame + sizeof header, head, head_length);
  if (body_length > 0)
    g_variant_store (owned, frame + sizeof header + head_length);
  write_all (frame, size);
}

static void
write_hello (guint32 version,
             gint32  pid)
{
  write_frame (HELLO, NULL, 0, g_variant_new ("(ui)", version, pid));
}

static void
write_result (guint64 seq,
              guint64 value)
{
  ReplyHead head = { seq, g_get_monotonic_time (), g_get_monotonic_time () };

  write_frame (RESULT, &head, sizeof head, g_variant_new_variant (g_variant_new_uint64 (value)));
}

/* Reads more from the pool, closing any fd that comes along; FALSE at the
 * end of the stream. */
static gboolean
read_more (void)
{
  union
  {
    char           buffer[CMSG_SPACE (sizeof (int) * 16)];
    struct cmsghdr align;
  } control;
  guint8        buffer[64 * 1024];
  struct iovec  iov = { buffer, sizeof buffer };
  struct msghdr msg = { 0 };
  ssize_t       n;

  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.buffer;
  msg.msg_controllen = sizeof control.buffer;

  do
    n = recvmsg (sock, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);

  if (n <= 0)
    return FALSE;

  for (struct cmsghdr *cmsg = CMSG_FIRSTHDR (&msg); cmsg; cmsg = CMSG_NXTHDR (&msg, cmsg))
    if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS)
      {
        guint n_fds = (cmsg->cmsg_len - CMSG_LEN (0)) / sizeof (int);
        int   fds[16];

        memcpy (fds, CMSG_DATA (cmsg), MIN (n_fds, 16) * sizeof (int));
        for (guint i = 0; i < MIN (n_fds, 16); i++)
          close (fds[i]);
      }

  g_byte_array_append (input, buffer, n);
  return TRUE;
}

/* The next TASK from the pool, skipping every other frame; FALSE at the
 * end of the stream. */
static gboolean
read_task (Task *task)
{
  for (;;)
    {
      while (input->len >= sizeof (Header))
        {
          Header header;
          gsize  size;

          memcpy (&header, input->data, sizeof header);
          size = sizeof header + PADDED (header.length);
          if (input->len < size)
            break;

          if (header.type == TASK && header.length >= sizeof *task)
            {
              memcpy (task, input->data + sizeof header, sizeof *task);
              g_byte_array_remove_range (input, 0, size);
              return TRUE;
            }
          g_byte_array_remove_range (input, 0, size);
        }

      if (!read_more ())
        return FALSE;
    }
}

/* Waits for the pool to let go, as a worker process must. */
static void G_GNUC_NORETURN
wait_for_end (void)
{
  while (read_more ())
    g_byte_array_set_size (input, 0);
  exit (0);
}

static void
send_fds_with_result (guint64 seq,
                      guint64 value)
{
  union
  {
    char           buffer[CMSG_SPACE (sizeof (int) * 8)];
    struct cmsghdr align;
  } control;
  ReplyHead head = { seq, g_get_monotonic_time (), g_get_monotonic_time () };
  g_autoptr(GVariant) body = g_variant_ref_sink (g_variant_new_variant (g_variant_new_uint64 (value)));
  Header             header = { (guint32) (sizeof head + g_variant_get_size (body)), RESULT };
  gsize              size = sizeof header + PADDED (header.length);
  g_autofree guint8 *frame = g_malloc0 (size);
  struct iovec       iov = { frame, size };
  struct msghdr      msg = { 0 };
  struct cmsghdr    *cmsg;
  int                fds[8];

  memcpy (frame, &header, sizeof header);
  memcpy (frame + sizeof header, &head, sizeof head);
  g_variant_store (body, frame + sizeof header + sizeof head);

  for (guint i = 0; i < G_N_ELEMENTS (fds); i++)
    fds[i] = open ("/dev/null", O_RDONLY | O_CLOEXEC);

  memset (&control, 0, sizeof control);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.buffer;
  msg.msg_controllen = sizeof control.buffer;
  cmsg = CMSG_FIRSTHDR (&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN (sizeof fds);
  memcpy (CMSG_DATA (cmsg), fds, sizeof fds);

  if (sendmsg (sock, &msg, MSG_NOSIGNAL) != (ssize_t) size)
    exit (0);

  for (guint i = 0; i < G_N_ELEMENTS (fds); i++)
    close (fds[i]);
}

int
main (int    argc,
      char **argv)
{
  const char *mode = argc > 1 ? argv[1] : "valid";
  const char *fd_env = g_getenv ("MPAIO_WORKER_FD");
  gint32      pid = (gint32) getpid ();
  Task        task;

  if (fd_env == NULL)
    {
      g_printerr ("fake-worker: not started by a pool (no MPAIO_WORKER_FD)\n");
      return 2;
    }
  sock = atoi (fd_env);
  input = g_byte_array_new ();

  if (g_str_equal (mode, "valid") || g_str_equal (mode, "fds"))
    {
      /* A correct worker: each task's result is its chunk's index. */
      write_hello (PROTOCOL_VERSION, pid);
      while (read_task (&task))
        {
          if (g_str_equal (mode, "fds"))
            send_fds_with_result (task.seq, task.index);
          else
            write_result (task.seq, task.index);
        }
      return 0;
    }

  if (g_str_equal (mode, "exit-before-hello"))
    return 0;

  if (g_str_equal (mode, "bad-hello-pid"))
    write_hello (PROTOCOL_VERSION, pid + 1);
  else if (g_str_equal (mode, "bad-hello-version"))
    write_hello (PROTOCOL_VERSION + 98, pid);
  else if (g_str_equal (mode, "hello-twice"))
    {
      write_hello (PROTOCOL_VERSION, pid);
      write_hello (PROTOCOL_VERSION, pid);
    }
  else if (!g_str_equal (mode, "reply-before-hello") && !g_str_equal (mode, "never-hello"))
    write_hello (PROTOCOL_VERSION, pid);

  if (!read_task (&task))
    return 0;

  if (g_str_equal (mode, "garbage"))
    {
      static const char garbage[] = "\xde\xad\xbe\xef this is not a frame at all \x01\x02\x03";

      write_all (garbage, sizeof garbage);
      wait_for_end ();
    }
  else if (g_str_equal (mode, "truncated"))
    {
      /* A RESULT that says 100 bytes and stops after 10: then the
       * process exits. */
      Header header = { 100, RESULT };
      guint8 part[10] = { 0 };

      write_all (&header, sizeof header);
      write_all (part, sizeof part);
      return 0;
    }
  else if (g_str_equal (mode, "giant"))
    {
      Header header = { 0xFFFFFFF0u, RESULT };
      guint8 part[64];

      memset (part, 0x5a, sizeof part);
      write_all (&header, sizeof header);
      write_all (part, sizeof part);
      wait_for_end ();
    }
  else if (g_str_equal (mode, "claim-max"))
    {
      /* A length within the limit, 64 MiB, never sent: the pool must not
       * set that much aside on the word of its peer. */
      Header    header = { MAX_FRAME, RESULT };
      ReplyHead head = { task.seq, 0, 0 };

      write_all (&header, sizeof header);
      write_all (&head, sizeof head);
      return 0;
    }
  else if (g_str_equal (mode, "unknown-type"))
    {
      Header header = { 8, 200 };
      guint8 payload[8] = { 0 };

      write_all (&header, sizeof header);
      write_all (payload, sizeof payload);
      wait_for_end ();
    }
  else if (g_str_equal (mode, "task-type"))
    {
      /* A message only the pool sends. */
      write_frame (TASK, &task, sizeof task, NULL);
      wait_for_end ();
    }
  else if (g_str_equal (mode, "short-head"))
    {
      /* A RESULT too short for its fixed head. */
      guint64 seq = task.seq;

      write_frame (RESULT, &seq, sizeof seq, NULL);
      wait_for_end ();
    }
  else if (g_str_equal (mode, "bad-body"))
    {
      /* The right head, then bytes that are no serialized "v". */
      ReplyHead head = { task.seq, 0, 0 };
      guint8    frame[8 + sizeof head + 16];
      Header    header = { sizeof head + 16, RESULT };

      memcpy (frame, &header, sizeof header);
      memcpy (frame + sizeof header, &head, sizeof head);
      memset (frame + sizeof header + sizeof head, 0xff, 16);
      write_all (frame, sizeof frame);
      wait_for_end ();
    }
  else if (g_str_equal (mode, "wrong-seq"))
    {
      write_result (task.seq + 8, task.index);
      wait_for_end ();
    }
  else if (g_str_equal (mode, "lying-error"))
    {
      /* To every task, an ERROR with a code a worker process cannot
       * honestly send (MPAIO_ERROR_WORKER_CRASHED). */
      do
        {
          ReplyHead head = { task.seq, 0, 0 };

          write_frame (ERROR, &head, sizeof head,
                       g_variant_new ("(sis)", "mpaio-error-quark", 3, "I pretend to have crashed"));
        }
      while (read_task (&task));
      return 0;
    }
  else if (g_str_equal (mode, "reply-before-hello") || g_str_equal (mode, "bad-hello-pid")
           || g_str_equal (mode, "bad-hello-version") || g_str_equal (mode, "hello-twice"))
    {
      write_result (task.seq, task.index);
      wait_for_end ();
    }
  else if (g_str_equal (mode, "silent") || g_str_equal (mode, "never-hello"))
    {
      wait_for_end ();
    }

  g_printerr ("fake-worker: unknown mode %s\n", mode);
  return 2;
}
