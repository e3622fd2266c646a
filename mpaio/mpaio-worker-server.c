/* mpaio-worker-server.c
 *
 * A worker process is single-minded: it reads frames from its pool with
 * blocking calls, runs `process` on each task in order and writes the
 * results back. Only the pool's side must never block.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gio/gio.h>

#include "mpaio-error.h"
#include "mpaio-protocol-private.h"
#include "mpaio-shared-array-private.h"
#include "mpaio-status-page-private.h"
#include "mpaio-worker-private.h"
#include "mpaio-worker-server-private.h"

#define READ_SIZE (64 * 1024)
/* Results are batched into one write while tasks keep coming, but none
 * waits longer than this for its batch: a crash loses at most this much
 * finished work, and is blamed on a chunk that was really running unless
 * its chunks are shorter than this. */
#define FLUSH_AFTER_US   200
#define FLUSH_AFTER_SIZE (64 * 1024)
/* Nor more results than this: half the pool's default depth (64 chunks in
 * flight), so the pool handles the first half of a batch of short chunks
 * while the second half runs, instead of waiting for all of it; larger
 * batches leave the pool idle, smaller ones cost more writes (2.1 M and
 * 2.3 M chunks/s here at 64 and 16, 2.4 M at 32). */
#define FLUSH_AFTER_RESULTS 32
/* How long `process` may run before the watcher sends the results batched
 * before it: longer than the batching window, so that for short chunks the
 * main thread's own flushes win and the watcher rarely wakes. */
#define WATCH_AFTER_US 1000

typedef struct
{
  MpaioWorker *worker;
  GError      *error;
  /* The worker's array, and those among its parameters with as many rows:
   * a chunk's rows of these are the ones it likely touches (a map reads
   * and writes the same rows of its input and output). */
  GPtrArray *row_arrays;
} WorkerSlot;

typedef struct
{
  int         fd;
  GByteArray *in;
  GMutex      out_lock; /* out and oldest_unflushed_us: the watcher flushes too */
  GByteArray *out;
  GArray     *out_fds; /* sent with out's first bytes, then closed */
  gint64      oldest_unflushed_us;
  guint       n_unflushed;
  /* The last clock reading, while no syscall has been made since (0 when
   * one has): back-to-back chunks share a reading, the end of one being
   * the start of the next, which spares a clock read or two per chunk. */
  gint64           clock_us;
  GQueue           fds;
  GHashTable      *arrays;       /* guint64 id → MpaioSharedArray */
  GHashTable      *array_errors; /* guint64 id → GError */
  GHashTable      *workers;      /* guint64 id → WorkerSlot */
  MpaioStatusPage *page;         /* what this process is doing, for the pool */
  guint64          n_tasks;      /* received: the serial of the last one */
  guint64          last_started; /* the page's started word as this process wrote it */
  GThread         *watcher;
  int              wake_fd; /* tells the watcher that flush_armed was set */
  gint             flush_armed;
  gint             in_process;
  gint             peer_gone;
} Server;

/* The page of the process's server, for mpaio_worker_is_cancelled(). */
static MpaioStatusPage *serving_page;

gboolean
_mpaio_worker_server_is_cancelled (void)
{
  MpaioStatusPage *page = g_atomic_pointer_get (&serving_page);

  return page != NULL && _mpaio_status_page_is_cancelled (page);
}

static void
worker_slot_free (gpointer data)
{
  WorkerSlot *slot = data;

  g_clear_object (&slot->worker);
  g_clear_error (&slot->error);
  g_clear_pointer (&slot->row_arrays, g_ptr_array_unref);
  g_free (slot);
}

static guint64 *
new_key (guint64 id)
{
  return g_memdup2 (&id, sizeof id);
}

static gboolean flush_output_locked (Server *server);

/* A worker busy in `process` neither reads nor writes its socket, so a
 * separate thread does two things for it:
 * - results of earlier chunks still waiting in the batch when `process`
 *   runs longer than the batching window are sent (so a long or stuck
 *   chunk does not hold back, or take the blame for, those before it);
 * - when the pool is gone (closed, or its process killed), the process
 *   ends instead of finishing chunks nobody will read. */
static gpointer
watch_peer (gpointer data)
{
  Server *server = data;

  for (;;)
    {
      struct pollfd   fds[2] = { { server->fd, POLLRDHUP, 0 }, { server->wake_fd, POLLIN, 0 } };
      struct timespec window = { 0, WATCH_AFTER_US * 1000 };
      int             n = ppoll (fds, 2, g_atomic_int_get (&server->flush_armed) ? &window : NULL, NULL);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 || fds[0].revents != 0)
        break;

      if (fds[1].revents & POLLIN)
        {
          guint64 count;

          if (read (server->wake_fd, &count, sizeof count) < 0 && errno != EAGAIN)
            break;
          continue;
        }

      if (n == 0)
        {
          g_mutex_lock (&server->out_lock);
          if (g_atomic_int_get (&server->in_process) && server->out->len > 0)
            flush_output_locked (server);
          g_mutex_unlock (&server->out_lock);
          /* Armed again when `process` next starts with results pending. */
          g_atomic_int_set (&server->flush_armed, FALSE);
        }
    }

  g_atomic_int_set (&server->peer_gone, TRUE);
  if (g_atomic_int_get (&server->in_process))
    _exit (EXIT_SUCCESS);

  return NULL;
}

static gboolean flush_output (Server *server);

static gint64
read_clock (Server *server)
{
  if (server->clock_us == 0)
    server->clock_us = g_get_monotonic_time ();

  return server->clock_us;
}

static gboolean
batch_is_due (Server *server)
{
  gboolean due;

  g_mutex_lock (&server->out_lock);
  due = server->out->len >= FLUSH_AFTER_SIZE || server->n_unflushed >= FLUSH_AFTER_RESULTS
        || (server->oldest_unflushed_us != 0
            && read_clock (server) - server->oldest_unflushed_us >= FLUSH_AFTER_US);
  g_mutex_unlock (&server->out_lock);

  return due;
}

static gboolean
flush_output (Server *server)
{
  gboolean ok;

  g_mutex_lock (&server->out_lock);
  ok = flush_output_locked (server);
  g_mutex_unlock (&server->out_lock);
  server->clock_us = 0;

  return ok;
}

static gboolean
flush_output_locked (Server *server)
{
  gsize written = 0;

  while (written < server->out->len)
    {
      union
      {
        char           buffer[CMSG_SPACE (sizeof (int) * MPAIO_PROTOCOL_MAX_FDS)];
        struct cmsghdr align;
      } control;
      struct iovec  iov = { server->out->data + written, server->out->len - written };
      struct msghdr msg = { 0 };
      guint         n_fds = MIN (server->out_fds->len, MPAIO_PROTOCOL_MAX_FDS);
      ssize_t       n;

      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      if (n_fds > 0)
        {
          struct cmsghdr *cmsg;

          memset (&control, 0, sizeof control);
          msg.msg_control = control.buffer;
          msg.msg_controllen = CMSG_SPACE (sizeof (int) * n_fds);
          cmsg = CMSG_FIRSTHDR (&msg);
          cmsg->cmsg_level = SOL_SOCKET;
          cmsg->cmsg_type = SCM_RIGHTS;
          cmsg->cmsg_len = CMSG_LEN (sizeof (int) * n_fds);
          memcpy (CMSG_DATA (cmsg), server->out_fds->data, sizeof (int) * n_fds);
        }

      n = sendmsg (server->fd, &msg, MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return FALSE;
      for (guint i = 0; i < n_fds; i++)
        close (g_array_index (server->out_fds, int, i));
      g_array_remove_range (server->out_fds, 0, n_fds);
      written += n;
    }

  g_byte_array_set_size (server->out, 0);
  server->oldest_unflushed_us = 0;
  server->n_unflushed = 0;
  return TRUE;
}

static void
append_error (Server               *server,
              const MpaioReplyHead *head,
              const GError         *error)
{
  g_mutex_lock (&server->out_lock);
  _mpaio_frame_append_error (server->out, head, error);
  g_mutex_unlock (&server->out_lock);

  /* Sent at once, not batched: a failure may end the run, and the next
   * chunk may wait on something only the run's end releases. A failed
   * write means the pool is gone, which the serving loop sees next. */
  flush_output (server);
}

static void
append_new_error (Server               *server,
                  const MpaioReplyHead *head,
                  MpaioError            code,
                  const char           *message)
{
  g_autoptr(GError) error = g_error_new_literal (MPAIO_ERROR, code, message);

  append_error (server, head, error);
}

static gboolean
handle_array (Server           *server,
              const MpaioFrame *frame,
              GError          **error)
{
  g_autoptr(GVariant) body = NULL;
  g_autoptr(GVariant) description = NULL;
  g_autoptr(GError) local_error = NULL;
  MpaioSharedArray *array;
  guint64           id;
  int               fd;

  if (!(body = _mpaio_frame_get_body (frame, 0, MPAIO_ARRAY_TYPE, error)))
    return FALSE;

  if (g_queue_is_empty (&server->fds))
    {
      g_set_error_literal (error, MPAIO_ERROR, MPAIO_ERROR_PROTOCOL,
                           "An array arrived without its file descriptor");
      return FALSE;
    }

  g_variant_get (body, "(t@(uutat))", &id, &description);
  fd = GPOINTER_TO_INT (g_queue_pop_head (&server->fds));

  array = _mpaio_shared_array_new_from_description (description, fd, &local_error);
  if (array != NULL)
    g_hash_table_replace (server->arrays, new_key (id), array);
  else
    g_hash_table_replace (server->array_errors, new_key (id), g_steal_pointer (&local_error));

  return TRUE;
}

/* The arrays a worker names (its data iterator's and its parameters')
 * arrived before it, each once. */
static MpaioSharedArray *
lookup_array (guint64  id,
              gpointer user_data,
              GError **error)
{
  Server           *server = user_data;
  MpaioSharedArray *array = g_hash_table_lookup (server->arrays, &id);
  const GError     *array_error;

  if (array != NULL)
    return array;

  if ((array_error = g_hash_table_lookup (server->array_errors, &id)) != NULL)
    g_propagate_error (error, g_error_copy (array_error));
  else
    g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_PROTOCOL,
                 "The array %" G_GUINT64_FORMAT " was never sent", id);
  return NULL;
}

typedef struct
{
  Server    *server;
  GPtrArray *row_arrays;
  guint64    n_rows;
} WorkerLookup;

/* lookup_array(), noting the parameters that have as many rows as the
 * worker's own array. */
static MpaioSharedArray *
lookup_parameter_array (guint64  id,
                        gpointer user_data,
                        GError **error)
{
  WorkerLookup     *lookup = user_data;
  MpaioSharedArray *array = lookup_array (id, lookup->server, error);

  if (array != NULL && _mpaio_shared_array_peek_n_rows (array) == lookup->n_rows
      && !g_ptr_array_find (lookup->row_arrays, array, NULL))
    g_ptr_array_add (lookup->row_arrays, g_object_ref (array));

  return array;
}

static gboolean
handle_worker (Server           *server,
               const MpaioFrame *frame,
               GError          **error)
{
  g_autoptr(GVariant) body = NULL;
  g_autoptr(GVariant) parameters = NULL;
  WorkerSlot       *slot = g_new0 (WorkerSlot, 1);
  MpaioSharedArray *array;
  const char       *type_name;
  guint64           id, array_id;

  if (!(body = _mpaio_frame_get_body (frame, 0, MPAIO_WORKER_TYPE, error)))
    {
      g_free (slot);
      return FALSE;
    }

  g_variant_get (body, "(t&st@a{sv})", &id, &type_name, &array_id, &parameters);

  array = lookup_array (array_id, server, &slot->error);
  if (array != NULL)
    {
      WorkerLookup lookup = { server, g_ptr_array_new_with_free_func (g_object_unref),
                              _mpaio_shared_array_peek_n_rows (array) };

      g_ptr_array_add (lookup.row_arrays, g_object_ref (array));
      slot->worker = _mpaio_worker_new_for_process (type_name, parameters, array,
                                                    lookup_parameter_array, &lookup, &slot->error);
      slot->row_arrays = lookup.row_arrays;
    }

  g_hash_table_replace (server->workers, new_key (id), slot);
  return TRUE;
}

static gboolean
handle_forget (GHashTable       *table,
               const MpaioFrame *frame,
               GError          **error)
{
  g_autoptr(GVariant) body = NULL;
  guint64 id;

  if (!(body = _mpaio_frame_get_body (frame, 0, "t", error)))
    return FALSE;

  id = g_variant_get_uint64 (body);
  g_hash_table_remove (table, &id);
  return TRUE;
}

/* A big result goes in a memfd of its own, sent at once: the pool maps it
 * instead of reading it through the socket, and one fd per write keeps fds
 * and frames in step. */
static void
run_big_result (Server               *server,
                const MpaioReplyHead *head,
                GVariant             *result)
{
  g_autoptr(GError) error = NULL;
  int fd = _mpaio_memfd_new_for_variant (result, &error);

  if (fd < 0)
    {
      append_error (server, head, error);
      return;
    }

  g_mutex_lock (&server->out_lock);
  _mpaio_frame_append (server->out, MPAIO_MESSAGE_BIG_RESULT, head, sizeof *head,
                       g_variant_new (MPAIO_BIG_RESULT_TYPE, g_variant_get_type_string (result),
                                      (guint64) g_variant_get_size (result)));
  g_array_append_val (server->out_fds, fd);
  server->n_unflushed++;
  g_mutex_unlock (&server->out_lock);

  flush_output (server);
}

static void
run_task (Server              *server,
          WorkerSlot          *slot,
          const MpaioTaskBody *task)
{
  MpaioReplyHead head = { task->seq, 0, 0 };
  MpaioChunk     chunk = { task->index, task->start, task->end };
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) result = NULL;
  gboolean appended;

  if (slot == NULL)
    {
      append_new_error (server, &head, MPAIO_ERROR_PROTOCOL, "A task named an unknown worker");
      return;
    }

  if (slot->error != NULL)
    {
      append_error (server, &head, slot->error);
      return;
    }

  if (chunk.start > chunk.end
      || chunk.end > mpaio_shared_array_get_n_rows (mpaio_worker_get_array (slot->worker)))
    {
      append_new_error (server, &head, MPAIO_ERROR_INVALID_ARGUMENT,
                        "The chunk's rows are outside the array");
      return;
    }

  g_atomic_int_set (&server->in_process, TRUE);
  if (g_atomic_int_get (&server->peer_gone))
    _exit (EXIT_SUCCESS);

  /* Results are waiting in the batch: if this chunk runs long, the watcher
   * sends them. */
  if (server->oldest_unflushed_us != 0 && !g_atomic_int_get (&server->flush_armed))
    {
      guint64 one = 1;

      g_atomic_int_set (&server->flush_armed, TRUE);
      if (write (server->wake_fd, &one, sizeof one) < 0)
        g_atomic_int_set (&server->flush_armed, FALSE);
    }

  head.started_us = read_clock (server);
  /* Part of the chunk's time: it replaces the faults the chunk would take. */
  for (guint i = 0; i < slot->row_arrays->len; i++)
    _mpaio_shared_array_prefault_rows (g_ptr_array_index (slot->row_arrays, i), chunk.start,
                                       chunk.end);
  result = mpaio_worker_process (slot->worker, &chunk, &error);
  head.finished_us = server->clock_us = g_get_monotonic_time ();

  g_atomic_int_set (&server->in_process, FALSE);

  if (result == NULL)
    {
      append_error (server, &head, error);
      return;
    }

  if (g_variant_get_size (result) > MPAIO_PROTOCOL_BIG_RESULT)
    {
      run_big_result (server, &head, result);
      return;
    }

  g_mutex_lock (&server->out_lock);
  /* The batch's age counts from the start of its first chunk, so the
   * result of a long chunk is sent before the next one starts. */
  if (server->oldest_unflushed_us == 0)
    server->oldest_unflushed_us = head.started_us;
  appended = _mpaio_frame_append_result (server->out, &head, result);
  server->n_unflushed++;
  g_mutex_unlock (&server->out_lock);

  if (!appended)
    {
      g_autofree char *message =
        g_strdup_printf ("%s returned a result of %" G_GSIZE_FORMAT " bytes, over the limit of "
                         "%u bytes: write big outputs to a writable shared array",
                         G_OBJECT_TYPE_NAME (slot->worker), g_variant_get_size (result),
                         MPAIO_PROTOCOL_MAX_FRAME);
      append_new_error (server, &head, MPAIO_ERROR_WORKER_FAILED, message);
    }
}

static gboolean
handle_frame (Server           *server,
              const MpaioFrame *frame,
              GError          **error)
{
  MpaioTaskBody task;

  switch (frame->type)
    {
    case MPAIO_MESSAGE_ARRAY:
      return handle_array (server, frame, error);

    case MPAIO_MESSAGE_FORGET_ARRAY:
      return handle_forget (server->arrays, frame, error)
             && handle_forget (server->array_errors, frame, error);

    case MPAIO_MESSAGE_WORKER:
      return handle_worker (server, frame, error);

    case MPAIO_MESSAGE_FORGET_WORKER:
      return handle_forget (server->workers, frame, error);

    case MPAIO_MESSAGE_TASK:
      if (!_mpaio_frame_get_head (frame, &task, sizeof task, error))
        return FALSE;
      /* Counted as the pool counts what it sends. */
      server->n_tasks++;
      /* What is done must reach the pool before a chunk that may crash. */
      if (batch_is_due (server) && !flush_output (server))
        return TRUE;
      /* Taken back by the pool (this process was stuck or stopped): it
       * went to another process, and gets no reply. */
      if (server->page != NULL
          && !_mpaio_status_page_start (server->page, &server->last_started, server->n_tasks,
                                        read_clock (server)))
        return TRUE;
      run_task (server, g_hash_table_lookup (server->workers, &task.worker_id), &task);
      if (server->page != NULL)
        _mpaio_status_page_finish (server->page, server->n_tasks, read_clock (server));
      return TRUE;

    case MPAIO_MESSAGE_HELLO:
    case MPAIO_MESSAGE_RESULT:
    case MPAIO_MESSAGE_ERROR:
    default:
      g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_PROTOCOL,
                   "A worker process does not expect messages of type %u", frame->type);
      return FALSE;
    }
}

static void
collect_fds (Server        *server,
             struct msghdr *msg)
{
  for (struct cmsghdr *cmsg = CMSG_FIRSTHDR (msg); cmsg; cmsg = CMSG_NXTHDR (msg, cmsg))
    {
      if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS)
        {
          guint n = (cmsg->cmsg_len - CMSG_LEN (0)) / sizeof (int);
          int   fds[MPAIO_PROTOCOL_MAX_FDS];

          memcpy (fds, CMSG_DATA (cmsg), MIN (n, G_N_ELEMENTS (fds)) * sizeof (int));
          for (guint i = 0; i < MIN (n, G_N_ELEMENTS (fds)); i++)
            g_queue_push_tail (&server->fds, GINT_TO_POINTER (fds[i]));
        }
    }
}

/* Returns 1 with data read, 0 at the end of the stream, -1 on error. */
static int
receive (Server  *server,
         GError **error)
{
  union
  {
    char           buffer[CMSG_SPACE (sizeof (int) * MPAIO_PROTOCOL_MAX_FDS)];
    struct cmsghdr align;
  } control;
  guint         old_length = server->in->len;
  struct iovec  iov;
  struct msghdr msg = { 0 };
  ssize_t       n;

  g_byte_array_set_size (server->in, old_length + READ_SIZE);
  iov.iov_base = server->in->data + old_length;
  iov.iov_len = READ_SIZE;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.buffer;
  msg.msg_controllen = sizeof control.buffer;

  /* Waiting in poll() rather than in recvmsg(): a reader blocked in
   * recvmsg() sits on the socket's wait queue unfiltered, so each time the
   * pool reads the results it was sent, the kernel would wake it for the
   * space freed (a wake-up of this process paid by the pool's process, for
   * nothing); a poll() for input only is woken by input only. */
  for (;;)
    {
      struct pollfd readable = { server->fd, POLLIN, 0 };

      if (poll (&readable, 1, -1) >= 0 || errno != EINTR)
        break;
    }

  do
    n = recvmsg (server->fd, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  server->clock_us = 0;

  g_byte_array_set_size (server->in, old_length + MAX (n, 0));

  /* The pool's process died: the same end as a close. */
  if (n < 0 && errno == ECONNRESET)
    return 0;

  if (n < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Reading from the pool failed: %s", g_strerror (saved_errno));
      return -1;
    }

  collect_fds (server, &msg);

  if (msg.msg_flags & MSG_CTRUNC)
    {
      g_set_error_literal (error, MPAIO_ERROR, MPAIO_ERROR_PROTOCOL,
                           "More file descriptors arrived than one message may carry");
      return -1;
    }

  return n > 0 ? 1 : 0;
}

static gboolean
serve (Server  *server,
       GError **error)
{
  for (;;)
    {
      gsize      offset = 0;
      MpaioFrame frame;
      gsize      consumed;
      int        status;

      status = receive (server, error);
      if (status <= 0)
        return status == 0;

      while (_mpaio_frame_parse (server->in->data + offset, server->in->len - offset, &frame,
                                 &consumed, error))
        {
          if (!handle_frame (server, &frame, error))
            return FALSE;
          offset += consumed;

          if (g_atomic_int_get (&server->peer_gone))
            return TRUE;

          if (batch_is_due (server))
            {
              if (!flush_output (server))
                return TRUE;
            }
        }

      if (error != NULL && *error != NULL)
        return FALSE;

      g_byte_array_remove_range (server->in, 0, offset);

      if (!flush_output (server))
        return TRUE; /* the pool is gone: nothing left to do */
    }
}

gboolean
_mpaio_worker_server_run (int fd,
                          int status_fd)
{
  Server server = { 0 };
  g_autoptr(GError) error = NULL;
  gboolean ok;

  /* Without it the pool knows less (whom to blame for a crash), but the
   * chunks still run. */
  if (status_fd >= 0 && !(server.page = _mpaio_status_page_map (status_fd, &error)))
    {
      g_printerr ("mpaio worker process %d: %s\n", (int) getpid (), error->message);
      g_clear_error (&error);
    }
  g_atomic_pointer_set (&serving_page, server.page);

  server.wake_fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (server.wake_fd < 0)
    {
      g_printerr ("mpaio worker process %d: eventfd: %s\n", (int) getpid (), g_strerror (errno));
      close (fd);
      g_atomic_pointer_set (&serving_page, NULL);
      _mpaio_status_page_unmap (server.page);
      return FALSE;
    }

  server.fd = fd;
  server.in = g_byte_array_sized_new (READ_SIZE);
  server.out = g_byte_array_sized_new (FLUSH_AFTER_SIZE);
  server.out_fds = g_array_new (FALSE, FALSE, sizeof (int));
  g_queue_init (&server.fds);
  server.arrays = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
  server.array_errors = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                               (GDestroyNotify) g_error_free);
  server.workers = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, worker_slot_free);
  g_mutex_init (&server.out_lock);
  server.watcher = g_thread_new ("mpaio-watch-pool", watch_peer, &server);

  _mpaio_frame_append (server.out, MPAIO_MESSAGE_HELLO, NULL, 0,
                       g_variant_new (MPAIO_HELLO_TYPE, MPAIO_PROTOCOL_VERSION, (gint32) getpid ()));

  ok = flush_output (&server) && serve (&server, &error);
  if (!ok && error != NULL)
    g_printerr ("mpaio worker process %d: %s\n", (int) getpid (), error->message);

  /* Wakes the watcher's poll, so it can be joined. */
  shutdown (fd, SHUT_RDWR);
  g_thread_join (server.watcher);

  g_hash_table_destroy (server.workers);
  g_hash_table_destroy (server.arrays);
  g_hash_table_destroy (server.array_errors);
  while (!g_queue_is_empty (&server.fds))
    close (GPOINTER_TO_INT (g_queue_pop_head (&server.fds)));
  g_byte_array_unref (server.in);
  g_byte_array_unref (server.out);
  for (guint i = 0; i < server.out_fds->len; i++)
    close (g_array_index (server.out_fds, int, i));
  g_array_unref (server.out_fds);
  g_mutex_clear (&server.out_lock);
  close (server.wake_fd);
  close (fd);
  g_atomic_pointer_set (&serving_page, NULL);
  _mpaio_status_page_unmap (server.page);

  return ok;
}
