/* mpaio-worker-process.c
 *
 * All I/O with the worker process is non-blocking, driven by one fd source on
 * the pool's main context: the main process never waits for a worker.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mpaio-error.h"
#include "mpaio-status-page-private.h"
#include "mpaio-worker-process-private.h"

#define READ_SIZE (64 * 1024)
/* Bounds the work of one wake-up, so one busy process cannot starve the
 * rest of the main loop: frames left over wait for the next pass. */
#define MAX_READS_PER_WAKEUP 16
#define SLICE_US             2000
/* How many frames between looks at the clock. */
#define FRAMES_PER_CLOCK_READ 32

struct _MpaioWorkerProcess
{
  GSource                           *child_watch; /* until the process is reaped */
  int                                wait_status; /* once reaped */
  MpaioStatusPage                   *page;
  const MpaioWorkerProcessCallbacks *callbacks;
  gpointer                           user_data;
  GPid                               pid;
  int                                fd;
  GSource                           *source;
  gpointer                           fd_tag;
  GIOCondition                       condition;
  GByteArray                        *in;
  GByteArray                        *out;
  gsize                              out_sent;
  GArray                            *out_fds;
  GQueue                             in_fds; /* received, for the frames that need them */
  GError                            *reason;
  gint64                             received_us;  /* when the frames being read arrived */
  gsize                              in_start;     /* in: what is before it is handled */
  guint                              n_parsing;    /* parse_frames() calls on the stack */
  guint                              n_busy;       /* dispatches and on_wait() on the stack */
  guint                              released : 1; /* freed by its owner; gone when not busy */
  guint                              ready : 1;
  guint                              eof : 1;    /* nothing more to read */
  guint                              broken : 1; /* nothing more to believe */
  guint                              backlog : 1;
  guint                              reaped : 1;
};

typedef struct
{
  GSource             source;
  MpaioWorkerProcess *process;
} ProcessSource;

/* GLib wakes the context on every change of a source's fds or ready time,
 * even to the same value: changing them only when they differ saves a
 * write to the main context's eventfd per batch. */
static void
watch_fd (MpaioWorkerProcess *self,
          GIOCondition        condition)
{
  if (self->condition != condition && !self->released)
    {
      self->condition = condition;
      g_source_modify_unix_fd (self->source, self->fd_tag, condition);
    }
}

static void
set_ready (MpaioWorkerProcess *self,
           gboolean            ready)
{
  gint64 ready_time = ready ? 0 : -1;

  if (!self->released && g_source_get_ready_time (self->source) != ready_time)
    g_source_set_ready_time (self->source, ready_time);
}

static void  receive_frames (MpaioWorkerProcess *self,
                             gboolean            readable,
                             gint64              deadline);
static char *describe_process (MpaioWorkerProcess *self);
static void  leave (MpaioWorkerProcess *self);

static void
set_reason (MpaioWorkerProcess *self,
            const GError       *reason)
{
  if (self->reason == NULL && reason != NULL)
    self->reason = g_error_copy (reason);
}

/* Not once reaped: the pid may be another process's by then. */
static void
force_exit (MpaioWorkerProcess *self)
{
  if (!self->reaped && self->pid > 0)
    kill (self->pid, SIGKILL);
}

static void
stop_reading (MpaioWorkerProcess *self)
{
  self->eof = TRUE;
  watch_fd (self, 0);
}

void
_mpaio_worker_process_kill (MpaioWorkerProcess *self,
                            const GError       *reason)
{
  set_reason (self, reason);
  self->broken = TRUE;
  stop_reading (self);
  force_exit (self);
}

static gboolean
write_output (MpaioWorkerProcess *self)
{
  while (self->out_sent < self->out->len)
    {
      union
      {
        char           buffer[CMSG_SPACE (sizeof (int) * MPAIO_PROTOCOL_MAX_FDS)];
        struct cmsghdr align;
      } control;
      struct iovec  iov = { self->out->data + self->out_sent, self->out->len - self->out_sent };
      struct msghdr msg = { 0 };
      guint         n_fds = MIN (self->out_fds->len, MPAIO_PROTOCOL_MAX_FDS);
      ssize_t       n;

      /* An fd must arrive no later than the frame that takes it: while more
       * are waiting than one write carries, each write carries one byte,
       * so the rest follow before any frame is whole. */
      if (self->out_fds->len > MPAIO_PROTOCOL_MAX_FDS)
        iov.iov_len = 1;

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
          memcpy (CMSG_DATA (cmsg), self->out_fds->data, sizeof (int) * n_fds);
        }

      n = sendmsg (self->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);

      if (n < 0 && errno == EINTR)
        continue;

      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return FALSE;

      if (n < 0)
        {
          /* The process is gone or going: its exit status says why, and
           * the results it sent before are still to be read. */
          g_byte_array_set_size (self->out, 0);
          self->out_sent = 0;
          force_exit (self);
          return TRUE;
        }

      for (guint i = 0; i < n_fds; i++)
        close (g_array_index (self->out_fds, int, i));
      g_array_remove_range (self->out_fds, 0, n_fds);

      self->out_sent += n;
    }

  g_byte_array_set_size (self->out, 0);
  self->out_sent = 0;
  return TRUE;
}

void
_mpaio_worker_process_flush (MpaioWorkerProcess *self)
{
  GIOCondition condition = self->eof ? 0 : G_IO_IN;

  if (!write_output (self))
    condition |= G_IO_OUT;

  watch_fd (self, condition);
}

static gboolean
process_source_dispatch (GSource    *source,
                         GSourceFunc callback,
                         gpointer    user_data)
{
  MpaioWorkerProcess *self = ((ProcessSource *) source)->process;
  GIOCondition        revents = g_source_query_unix_fd (source, self->fd_tag);
  gpointer            owner = self->callbacks->hold (self->user_data);

  self->n_busy++;

  if (revents & G_IO_OUT)
    _mpaio_worker_process_flush (self);

  if ((revents & (G_IO_IN | G_IO_HUP | G_IO_ERR)) || self->backlog || self->n_parsing > 0)
    {
      self->received_us = g_get_monotonic_time ();
      receive_frames (self, (revents & (G_IO_IN | G_IO_HUP | G_IO_ERR)) != 0,
                      self->received_us + SLICE_US);
    }

  self->callbacks->release (owner);
  leave (self);
  return G_SOURCE_CONTINUE;
}

/* Whether a whole frame read from the socket is waiting in the buffer. */
static gboolean
has_whole_frame (MpaioWorkerProcess *self)
{
  MpaioFrame frame;
  gsize      consumed;

  return _mpaio_frame_parse (self->in->data + self->in_start, self->in->len - self->in_start,
                             &frame, &consumed, NULL);
}

/* A result's callback that runs a main loop may be waiting for a result
 * this process has sent already, read but not handled yet: frames in the
 * buffer are ready then, whatever the socket says. */
static gboolean
process_source_prepare (GSource *source,
                        gint    *timeout)
{
  MpaioWorkerProcess *self = ((ProcessSource *) source)->process;

  *timeout = -1;
  return self->n_parsing > 0 && !self->broken && has_whole_frame (self);
}

static GSourceFuncs process_source_funcs = {
  .prepare = process_source_prepare,
  .dispatch = process_source_dispatch,
};

/* Returns FALSE when the frames stop making sense or @deadline passed; the
 * frames not handled yet stay for the next pass (a backlog). */
static gboolean
parse_frames (MpaioWorkerProcess *self,
              gint64              deadline)
{
  g_autoptr(GError) error = NULL;
  MpaioFrame frame;
  gsize      consumed;
  guint      n_frames = 0;

  self->backlog = FALSE;
  self->n_parsing++;

  /* A frame counts as handled before its callback runs: a callback that
   * runs a main loop may read this process's next frames from there (the
   * source can recurse), and must start after this one. Nor may the frame
   * be touched after its callback, which may have grown the buffer. */
  while (!self->broken && !self->released
         && _mpaio_frame_parse (self->in->data + self->in_start, self->in->len - self->in_start,
                                &frame, &consumed, &error))
    {
      self->in_start += consumed;
      if (!self->callbacks->frame (self, &frame, self->user_data, &error))
        break;

      if (++n_frames % FRAMES_PER_CLOCK_READ == 0 && g_get_monotonic_time () > deadline)
        {
          self->backlog = TRUE;
          break;
        }
    }

  if (--self->n_parsing == 0)
    {
      g_byte_array_remove_range (self->in, 0, self->in_start);
      self->in_start = 0;

      /* An fd comes with the first bytes of the frame that takes it: with
       * no frame left half read, none is owed, and what a broken peer sent
       * besides is closed rather than kept. */
      while (self->in->len == 0 ? !g_queue_is_empty (&self->in_fds)
                                : self->in_fds.length > MPAIO_PROTOCOL_MAX_FDS)
        close (GPOINTER_TO_INT (g_queue_pop_head (&self->in_fds)));
    }

  if (self->released)
    return FALSE;

  if (error != NULL)
    {
      g_autofree char *who = describe_process (self);

      g_prefix_error (&error, "%s sent a malformed message: ", who);
      _mpaio_worker_process_kill (self, error);
      return FALSE;
    }

  /* Dispatched again next pass even if the socket has nothing new. */
  if (self->backlog)
    set_ready (self, TRUE);

  return !self->backlog;
}

/* recv(), keeping the fds that come with the bytes (big results) in order. */
static ssize_t
receive (MpaioWorkerProcess *self,
         guint8             *buffer,
         gsize               size)
{
  union
  {
    char           buffer[CMSG_SPACE (sizeof (int) * MPAIO_PROTOCOL_MAX_FDS)];
    struct cmsghdr align;
  } control;
  struct iovec  iov = { buffer, size };
  struct msghdr msg = { 0 };
  ssize_t       n;

  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.buffer;
  msg.msg_controllen = sizeof control.buffer;

  n = recvmsg (self->fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
  if (n < 0)
    return n;

  for (struct cmsghdr *cmsg = CMSG_FIRSTHDR (&msg); cmsg; cmsg = CMSG_NXTHDR (&msg, cmsg))
    {
      if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS)
        {
          guint n_fds = (cmsg->cmsg_len - CMSG_LEN (0)) / sizeof (int);

          for (guint i = 0; i < n_fds; i++)
            {
              int fd;

              memcpy (&fd, CMSG_DATA (cmsg) + i * sizeof (int), sizeof fd);
              g_queue_push_tail (&self->in_fds, GINT_TO_POINTER (fd));
            }
        }
    }

  return n;
}

static void
receive_frames (MpaioWorkerProcess *self,
                gboolean            readable,
                gint64              deadline)
{
  set_ready (self, FALSE);

  if (!parse_frames (self, deadline))
    readable = FALSE;

  for (guint i = 0; readable && i < MAX_READS_PER_WAKEUP && !self->eof && !self->released; i++)
    {
      guint   old_length = self->in->len;
      ssize_t n;

      g_byte_array_set_size (self->in, old_length + READ_SIZE);
      n = receive (self, self->in->data + old_length, READ_SIZE);
      g_byte_array_set_size (self->in, old_length + MAX (n, 0));

      if (n < 0 && errno == EINTR)
        continue;

      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        break;

      if (n <= 0)
        {
          /* End of stream: the process is exiting, or closed its end
           * without exiting, which it must not outlive. */
          stop_reading (self);
          force_exit (self);
          break;
        }

      if (i > 0)
        self->received_us = g_get_monotonic_time ();
      if (!parse_frames (self, deadline))
        break;

      if ((gsize) n < READ_SIZE)
        break;
    }

  if (!self->released)
    self->callbacks->drained (self, self->user_data);
}

/* "Worker process 1234", or without a number for a process that was gone
 * before its pid could be read. */
static char *
describe_process (MpaioWorkerProcess *self)
{
  return self->pid > 0 ? g_strdup_printf ("Worker process %d", (int) self->pid)
                       : g_strdup ("A worker process");
}

static char *
describe_exit (MpaioWorkerProcess *self)
{
  g_autofree char *who = describe_process (self);

  if (WIFSIGNALED (self->wait_status))
    {
      int signum = WTERMSIG (self->wait_status);

      return g_strdup_printf ("%s was killed by signal %d (%s)", who, signum, g_strsignal (signum));
    }

  return g_strdup_printf ("%s exited with status %d", who, WEXITSTATUS (self->wait_status));
}

/* GLib reports a child as exited once its pidfd is readable, and reaps it
 * only if it can at that moment: a child whose exit a tracer (a debugger, a
 * sanitizer's leak check) still holds stays a zombie for good. It is reaped
 * here, within a bound; ECHILD means GLib reaped it already. */
#define REAP_LEFTOVER_LIMIT_US 100000

static void
reap_leftover (GPid pid)
{
  gint64 deadline;

  if (pid <= 0)
    return;

  deadline = g_get_monotonic_time () + REAP_LEFTOVER_LIMIT_US;
  for (;;)
    {
      pid_t reaped = waitpid (pid, NULL, WNOHANG);

      if (reaped != 0 || g_get_monotonic_time () >= deadline)
        {
          if (reaped < 0 && errno == EINTR)
            continue;
          return;
        }
      g_usleep (500);
    }
}

static void
on_wait (GPid     pid,
         int      wait_status,
         gpointer user_data)
{
  const MpaioWorkerProcessCallbacks *callbacks;
  MpaioWorkerProcess                *self;
  gpointer                           owner;

  self = user_data;
  self->wait_status = wait_status;
  self->reaped = TRUE;
  /* The source goes once this returns, and its pidfd with it. */
  g_clear_pointer (&self->child_watch, g_source_unref);
  reap_leftover (self->pid);
  owner = self->callbacks->hold (self->user_data);
  self->n_busy++;

  /* Results written just before the end are still results: all of them,
   * before the process's end is reported. */
  receive_frames (self, !self->eof, G_MAXINT64);

  /* A stream that ends inside a frame is a broken peer, not a crash. */
  if (self->reason == NULL && self->in->len > 0 && !WIFSIGNALED (self->wait_status))
    {
      g_autofree char *who = describe_process (self);

      self->reason = g_error_new (MPAIO_ERROR, MPAIO_ERROR_PROTOCOL,
                                  "%s ended in the middle of a message", who);
    }

  if (self->reason == NULL)
    {
      g_autofree char *description = describe_exit (self);

      self->reason = g_error_new_literal (MPAIO_ERROR, MPAIO_ERROR_WORKER_CRASHED, description);
    }

  callbacks = self->callbacks;
  /* Frees self (when this returns, unless a dispatch of its own is on the
   * stack). */
  if (!self->released)
    callbacks->exited (self, self->reason, self->user_data);
  callbacks->release (owner);
  leave (self);
}

/* An fd the child gets as 3 or 4 must be neither here, or one dup2() of the
 * spawn would overwrite what the other is to copy. */
static int
move_above_child_fds (int fd)
{
  int moved;

  if (fd > 4)
    return fd;

  moved = fcntl (fd, F_DUPFD_CLOEXEC, 5);
  close (fd);
  return moved;
}

/* Starts @argv (looked up in PATH if it has no slash) with @child_fd as fd
 * 3 and @page_fd as fd 4, no other fd above 2, an empty signal mask and
 * SIGPIPE back to its default, as GLib's spawn does. posix_spawn() costs
 * the same whatever the size of the main process, where fork() copies its
 * page tables; what ran in the child between the two (the tie to the
 * parent's life) is the worker's own first step, in mpaio_serve_if_worker(),
 * told the parent's pid. Returns 0 or an errno value. */
static int
spawn_child (const char *const *argv,
             const char        *cwd,
             int                child_fd,
             int                page_fd,
             GPid              *pid)
{
  g_auto(GStrv) envp = g_get_environ ();
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t          attr;
  sigset_t                   mask;
  sigset_t                   defaults;
  char                       parent[24];
  int                        result;

  g_snprintf (parent, sizeof parent, "%d", (int) getpid ());
  envp = g_environ_setenv (envp, MPAIO_WORKER_FD_ENV, "3", TRUE);
  envp = g_environ_setenv (envp, MPAIO_STATUS_FD_ENV, "4", TRUE);
  envp = g_environ_setenv (envp, MPAIO_PARENT_PID_ENV, parent, TRUE);

  posix_spawn_file_actions_init (&actions);
  result = posix_spawn_file_actions_adddup2 (&actions, child_fd, 3);
  if (result == 0)
    result = posix_spawn_file_actions_adddup2 (&actions, page_fd, 4);
  if (result == 0)
    result = posix_spawn_file_actions_addclosefrom_np (&actions, 5);
  if (result == 0 && cwd != NULL)
    result = posix_spawn_file_actions_addchdir_np (&actions, cwd);

  posix_spawnattr_init (&attr);
  sigemptyset (&mask);
  sigemptyset (&defaults);
  sigaddset (&defaults, SIGPIPE);
  posix_spawnattr_setsigmask (&attr, &mask);
  posix_spawnattr_setsigdefault (&attr, &defaults);
  posix_spawnattr_setflags (&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  if (result == 0)
    result = posix_spawnp (pid, argv[0], &actions, &attr, (char *const *) argv, envp);

  posix_spawnattr_destroy (&attr);
  posix_spawn_file_actions_destroy (&actions);

  return result;
}

MpaioWorkerProcess *
_mpaio_worker_process_spawn (const char *const                 *argv,
                             const char                        *cwd,
                             int                                priority,
                             const MpaioWorkerProcessCallbacks *callbacks,
                             gpointer                           user_data,
                             GError                           **error)
{
  MpaioWorkerProcess *self;
  ProcessSource      *source;
  MpaioStatusPage    *page;
  GPid                pid = 0;
  int                 sv[2];
  int                 page_fd;
  int                 child_fd;
  int                 result;

  if (!(page = _mpaio_status_page_new (&page_fd, error)))
    return NULL;

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
    {
      int saved_errno = errno;

      close (page_fd);
      _mpaio_status_page_unmap (page);
      g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_SPAWN_FAILED,
                   "Cannot create a socket for a worker process: %s", g_strerror (saved_errno));
      return NULL;
    }

  child_fd = move_above_child_fds (sv[1]);
  page_fd = move_above_child_fds (page_fd);
  result = child_fd < 0 || page_fd < 0 ? EMFILE
                                       : spawn_child (argv, cwd, child_fd, page_fd, &pid);
  /* Our copy of the child's end must go, or its exit would never read as EOF. */
  if (child_fd >= 0)
    close (child_fd);
  if (page_fd >= 0)
    close (page_fd);

  if (result != 0)
    {
      close (sv[0]);
      _mpaio_status_page_unmap (page);
      g_set_error (error, MPAIO_ERROR, MPAIO_ERROR_SPAWN_FAILED,
                   "Cannot start a worker process (%s): Failed to execute child process “%s” (%s)",
                   argv[0], argv[0], g_strerror (result));
      return NULL;
    }

  fcntl (sv[0], F_SETFL, fcntl (sv[0], F_GETFL) | O_NONBLOCK);

  self = g_new0 (MpaioWorkerProcess, 1);
  self->page = page;
  self->pid = pid;
  self->callbacks = callbacks;
  self->user_data = user_data;
  self->fd = sv[0];
  self->in = g_byte_array_sized_new (READ_SIZE);
  self->out = g_byte_array_new ();
  self->out_fds = g_array_new (FALSE, FALSE, sizeof (int));

  source = (ProcessSource *) g_source_new (&process_source_funcs, sizeof *source);
  source->process = self;
  g_source_set_static_name ((GSource *) source, "[mpaio] worker process");
  /* Not blocked while dispatched: a result's callback may run a main loop
   * that waits for this process's next results (parse_frames() and
   * _mpaio_worker_process_free() allow for it). GLib's blocking would also
   * wake the main context twice per dispatch. */
  g_source_set_can_recurse ((GSource *) source, TRUE);
  self->fd_tag = g_source_add_unix_fd ((GSource *) source, self->fd, G_IO_IN);
  self->condition = G_IO_IN;
  self->source = (GSource *) source;
  g_source_set_priority (self->source, priority);
  g_source_attach (self->source, g_main_context_get_thread_default ());

  /* The exit is seen on the same context as the process's messages. */
  self->child_watch = g_child_watch_source_new (pid);
  g_source_set_static_name (self->child_watch, "[mpaio] worker process exit");
  g_source_set_callback (self->child_watch, G_SOURCE_FUNC (on_wait), self, NULL);
  g_source_attach (self->child_watch, g_main_context_get_thread_default ());

  return self;
}

static void
destroy (MpaioWorkerProcess *self)
{
  g_clear_pointer (&self->source, g_source_unref);
  for (guint i = 0; i < self->out_fds->len; i++)
    close (g_array_index (self->out_fds, int, i));
  g_array_unref (self->out_fds);
  while (!g_queue_is_empty (&self->in_fds))
    close (GPOINTER_TO_INT (g_queue_pop_head (&self->in_fds)));
  g_byte_array_unref (self->in);
  g_byte_array_unref (self->out);
  g_clear_error (&self->reason);
  _mpaio_status_page_unmap (self->page);
  g_free (self);
}

/* The owner may free a process from one of the process's own callbacks
 * (a result's callback that runs a main loop, in which the process ends):
 * from then on it gets no callback, and the memory goes when the last of
 * its dispatches on the stack returns. */
static void
leave (MpaioWorkerProcess *self)
{
  if (--self->n_busy == 0 && self->released)
    destroy (self);
}

void
_mpaio_worker_process_free (MpaioWorkerProcess *self)
{
  if (self == NULL)
    return;

  g_return_if_fail (!self->released);
  self->released = TRUE;

  /* A process not reaped yet is the owner's to wait for, by its pid. */
  if (self->child_watch != NULL)
    g_source_destroy (self->child_watch);
  g_clear_pointer (&self->child_watch, g_source_unref);
  g_source_destroy (self->source);

  /* Closing our end is how a worker process learns it is done: it exits on
   * EOF. */
  close (self->fd);
  self->fd = -1;

  if (self->n_busy == 0)
    destroy (self);
}

void
_mpaio_worker_process_shutdown (MpaioWorkerProcess *self)
{
  shutdown (self->fd, SHUT_WR);
}

void
_mpaio_worker_process_set_priority (MpaioWorkerProcess *self,
                                    int                 priority)
{
  g_source_set_priority (self->source, priority);
}

MpaioStatusPage *
_mpaio_worker_process_get_status_page (MpaioWorkerProcess *self)
{
  return self->page;
}

GPid
_mpaio_worker_process_get_pid (MpaioWorkerProcess *self)
{
  return self->pid;
}

/* Whether the process ended by exiting rather than by a signal. */
gboolean
_mpaio_worker_process_get_exited (MpaioWorkerProcess *self)
{
  return !WIFSIGNALED (self->wait_status);
}

/* When the frame being handled was read from the socket (to within the
 * main loop pass that read it): one clock reading serves a whole batch. */
gint64
_mpaio_worker_process_get_received_time (MpaioWorkerProcess *self)
{
  return self->received_us;
}

gboolean
_mpaio_worker_process_get_ready (MpaioWorkerProcess *self)
{
  return self->ready;
}

void
_mpaio_worker_process_set_ready (MpaioWorkerProcess *self)
{
  self->ready = TRUE;
}

GByteArray *
_mpaio_worker_process_get_output (MpaioWorkerProcess *self)
{
  return self->out;
}

int
_mpaio_worker_process_steal_received_fd (MpaioWorkerProcess *self)
{
  return g_queue_is_empty (&self->in_fds) ? -1 : GPOINTER_TO_INT (g_queue_pop_head (&self->in_fds));
}

void
_mpaio_worker_process_take_fd (MpaioWorkerProcess *self,
                               int                 fd)
{
  g_array_append_val (self->out_fds, fd);
}

void
_mpaio_worker_process_send_fd (MpaioWorkerProcess *self,
                               int                 fd)
{
  int copy = fcntl (fd, F_DUPFD_CLOEXEC, 3);

  if (copy >= 0)
    g_array_append_val (self->out_fds, copy);
}
