/* mpaio-mpi-link.c: the one thread of a process that talks MPI
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Built as a module of its own, linked with MPI: mpaio loads it only in the
 * ranks of an MPI job (mpaio-mpi-link-loader.c), so other programs, and
 * every worker process of a pool, start without loading MPI's libraries.
 * It uses nothing of mpaio but headers: what it needs comes through
 * mpaio_mpi_link_module_init().
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <gmodule.h>
#include <mpi.h>

#include "mpaio-error.h"
#include "mpaio-mpi-link-private.h"

#define TAG_HEADER  1
#define TAG_PAYLOAD 2

/* A payload travels in pieces MPI's int counts can hold. */
#define PIECE_SIZE ((gsize) 1 << 30)

#define BACKOFF_MIN_US      50
#define BACKOFF_MAX_US      2000
#define BACKOFF_BUSY_MAX_US 1000
#define STREAM_US           1000
#define STREAM_POLL_US      40

#define COMMAND_SHUTDOWN -1
#define COMMAND_ABORT    -2

typedef struct
{
  int            dest; /* or a command: COMMAND_SHUTDOWN, COMMAND_ABORT */
  GBytes        *header;
  gconstpointer  payload;
  gsize          payload_size;
  GDestroyNotify payload_free;
  gpointer       payload_owner;
  MPI_Request   *requests;
  int            n_requests;
} OutMessage;

typedef struct
{
  int          source;
  MpaioMpiKind kind;
  GVariant    *body;
} InMessage;

struct _MpaioMpiLink
{
  GThread     *thread;
  GAsyncQueue *outgoing; /* OutMessage* */
  GAsyncQueue *incoming; /* InMessage* */

  /* Set once MPI is up (or failed to come up). */
  GMutex        ready_lock;
  GCond         ready_cond;
  gboolean      ready;
  GError       *init_error;
  int           rank;
  int           size;
  guint         n_cores; /* of this host, as the library counts them */
  guint         n_sampled_cores;
  MpaioMpiPeer *peers;

  /* The receiver; guarded by receiver_lock (locate runs on the link thread). */
  GMutex              receiver_lock;
  MpaioMpiLocateFunc  locate;
  MpaioMpiReceiveFunc receive;
  gpointer            user_data;
  GMainContext       *context;
  GSource            *source;
  gint                has_receiver; /* atomic */

  /* On a rank other than 0, MPI is driven by the thread that serves the
   * agent's main context (see _mpaio_mpi_link_serve()), not a thread of
   * its own: a message then reaches the agent, and its results the
   * network, with no hand-off between threads. */
  GThread *serving_thread;

  /* The state of the polling, on the thread that polls. */
  GQueue   pending; /* OutMessage* being sent */
  gboolean stopping;
  gulong   backoff_us;
  gint64   last_moved_us;

  gsize    payload_bytes_sent; /* atomic */
  gint     expecting;          /* atomic */
  gint     lost_any;           /* atomic: a rank is gone */
  gboolean shut_down;
};

static MpaioMpiLink *the_link;
/* MPAIO_ERROR, as the library that loaded this module knows it. */
static GQuark error_domain;

static void
out_message_free (OutMessage *message)
{
  g_clear_pointer (&message->header, g_bytes_unref);
  if (message->payload_free != NULL)
    message->payload_free (message->payload_owner);
  g_free (message->requests);
  g_free (message);
}

static void
in_message_free (InMessage *message)
{
  g_clear_pointer (&message->body, g_variant_unref);
  g_free (message);
}

static char *
mpi_error_string (int code)
{
  char text[MPI_MAX_ERROR_STRING];
  int  length = 0;

  if (MPI_Error_string (code, text, &length) != MPI_SUCCESS)
    return g_strdup_printf ("MPI error %d", code);
  return g_strndup (text, (gsize) length);
}

/* Called on the link thread: hands @message to the receiver's context. */
static void
deliver (MpaioMpiLink *self,
         InMessage    *message)
{
  g_async_queue_push (self->incoming, message);
  /* The serving thread looks at its context right after. */
  if (self->serving_thread == g_thread_self ())
    return;
  g_mutex_lock (&self->receiver_lock);
  if (self->context != NULL)
    g_main_context_wakeup (self->context);
  g_mutex_unlock (&self->receiver_lock);
}

static void
deliver_lost (MpaioMpiLink *self,
              int           rank,
              int           code)
{
  InMessage       *message = g_new0 (InMessage, 1);
  g_autofree char *text = mpi_error_string (code);

  g_atomic_int_set (&self->lost_any, TRUE);
  message->source = rank;
  message->kind = MPAIO_MPI_LOST;
  message->body = g_variant_ref_sink (g_variant_new_string (text));
  deliver (self, message);
}

static gboolean
start_send (MpaioMpiLink *self,
            OutMessage   *message)
{
  gsize n_pieces = (message->payload_size + PIECE_SIZE - 1) / PIECE_SIZE;
  gsize header_size;
  int   code;

  message->requests = g_new (MPI_Request, 1 + n_pieces);
  g_bytes_get_data (message->header, &header_size);
  code = MPI_Isend (g_bytes_get_data (message->header, NULL), (int) header_size, MPI_BYTE,
                    message->dest, TAG_HEADER, MPI_COMM_WORLD, &message->requests[0]);
  if (code != MPI_SUCCESS)
    {
      deliver_lost (self, message->dest, code);
      return FALSE;
    }
  message->n_requests = 1;

  for (gsize offset = 0; offset < message->payload_size; offset += PIECE_SIZE)
    {
      gsize piece = MIN (PIECE_SIZE, message->payload_size - offset);

      code = MPI_Isend ((const char *) message->payload + offset, (int) piece, MPI_BYTE,
                        message->dest, TAG_PAYLOAD, MPI_COMM_WORLD,
                        &message->requests[message->n_requests]);
      if (code != MPI_SUCCESS)
        {
          deliver_lost (self, message->dest, code);
          return FALSE;
        }
      message->n_requests++;
    }
  g_atomic_pointer_add (&self->payload_bytes_sent, message->payload_size);

  return TRUE;
}

/* Whether every request of @message completed (or failed, then reported). */
static gboolean
test_send (MpaioMpiLink *self,
           OutMessage   *message)
{
  int done = 0;
  int code;

  code = MPI_Testall (message->n_requests, message->requests, &done, MPI_STATUSES_IGNORE);
  if (code != MPI_SUCCESS)
    {
      deliver_lost (self, message->dest, code);
      return TRUE;
    }

  return done != 0;
}

static gboolean
receive_payload (MpaioMpiLink *self,
                 int           source,
                 char         *into,
                 gsize         size)
{
  g_autofree char *scratch = NULL;

  if (into == NULL)
    into = scratch = g_malloc (MIN (size, PIECE_SIZE));

  for (gsize offset = 0; offset < size; offset += PIECE_SIZE)
    {
      gsize piece = MIN (PIECE_SIZE, size - offset);
      int   code;

      code = MPI_Recv (scratch != NULL ? into : into + offset, (int) piece, MPI_BYTE, source,
                       TAG_PAYLOAD, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      if (code != MPI_SUCCESS)
        {
          deliver_lost (self, source, code);
          return FALSE;
        }
    }

  return TRUE;
}

/* Receives the messages that arrived; whether there were any. */
static gboolean
receive_arrived (MpaioMpiLink *self)
{
  gboolean any = FALSE;

  for (;;)
    {
      MPI_Message      handle;
      MPI_Status       status;
      int              flag = 0;
      int              count = 0;
      g_autofree char *data = NULL;
      g_autoptr(GVariant) header = NULL;
      g_autoptr(GVariant) body = NULL;
      guint32        kind;
      guint64        payload_size;
      gpointer       into = NULL;
      GDestroyNotify release = NULL;
      gpointer       release_data = NULL;
      gboolean       received;
      InMessage     *message;

      if (MPI_Improbe (MPI_ANY_SOURCE, TAG_HEADER, MPI_COMM_WORLD, &flag, &handle, &status)
            != MPI_SUCCESS
          || !flag)
        return any;

      any = TRUE;
      MPI_Get_count (&status, MPI_BYTE, &count);
      data = g_malloc (MAX (count, 1));
      if (MPI_Mrecv (data, count, MPI_BYTE, &handle, MPI_STATUS_IGNORE) != MPI_SUCCESS)
        continue;

      {
        g_autoptr(GBytes) bytes = g_bytes_new_take (g_steal_pointer (&data), (gsize) count);

        header = g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE ("(utv)"), bytes,
                                                               FALSE));
      }
      g_variant_get (header, "(utv)", &kind, &payload_size, &body);

      g_mutex_lock (&self->receiver_lock);
      if (self->locate != NULL)
        into = self->locate (status.MPI_SOURCE, kind, body, payload_size, &release,
                             &release_data, self->user_data);
      g_mutex_unlock (&self->receiver_lock);
      received = payload_size == 0 || receive_payload (self, status.MPI_SOURCE, into, payload_size);
      if (release != NULL)
        release (release_data);
      if (!received)
        continue;

      message = g_new0 (InMessage, 1);
      message->source = status.MPI_SOURCE;
      message->kind = kind;
      message->body = g_steal_pointer (&body); /* holds the header's bytes */
      deliver (self, message);
    }
}

static gboolean
start_mpi (MpaioMpiLink *self,
           GError      **error)
{
  struct
  {
    char    name[MPI_MAX_PROCESSOR_NAME];
    guint32 n_cores;
    guint32 n_sampled_cores;
  } mine = { 0 }, *all;
  int         provided = 0;
  int         length = 0;
  int         code;
  const char *per_rank = g_getenv ("MPAIO_MPI_HOST_PER_RANK");

  code = MPI_Init_thread (NULL, NULL, MPI_THREAD_SERIALIZED, &provided);
  if (code != MPI_SUCCESS || provided < MPI_THREAD_FUNNELED)
    {
      g_set_error (error, error_domain, MPAIO_ERROR_SPAWN_FAILED,
                   "MPI could not start with threads (level %d)", provided);
      return FALSE;
    }

  /* A rank that cannot be reached is an error to report, not an abort. */
  MPI_Comm_set_errhandler (MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  MPI_Comm_rank (MPI_COMM_WORLD, &self->rank);
  MPI_Comm_size (MPI_COMM_WORLD, &self->size);
  MPI_Get_processor_name (mine.name, &length);
  /* Counted by the library (the module links none of it): the cores this
   * rank may use, and all those a CPU monitor samples, so that rank 0 names
   * a host's columns before its first sample comes. */
  mine.n_cores = self->n_cores;
  mine.n_sampled_cores = self->n_sampled_cores;

  all = g_new0 (__typeof__ (mine), self->size);
  code = MPI_Allgather (&mine, sizeof mine, MPI_BYTE, all, sizeof mine, MPI_BYTE, MPI_COMM_WORLD);
  if (code != MPI_SUCCESS)
    {
      g_autofree char *text = mpi_error_string (code);

      g_set_error (error, error_domain, MPAIO_ERROR_SPAWN_FAILED,
                   "The ranks of the MPI job could not introduce themselves: %s", text);
      g_free (all);
      return FALSE;
    }

  self->peers = g_new0 (MpaioMpiPeer, self->size);
  for (int i = 0; i < self->size; i++)
    {
      g_autofree char *name = g_strndup (all[i].name, sizeof all[i].name);

      self->peers[i].rank = i;
      self->peers[i].n_cores = MAX (1, all[i].n_cores);
      self->peers[i].n_sampled_cores = MIN (all[i].n_sampled_cores, 1024);
      self->peers[i].machine = (char *) g_intern_string (name);
      /* The test knob: every rank a host of its own, named after its rank. */
      if (g_strcmp0 (per_rank, "1") == 0)
        {
          g_autofree char *own = g_strdup_printf ("%s-rank%d", name, i);

          self->peers[i].host = (char *) g_intern_string (own);
        }
      else
        self->peers[i].host = (char *) g_intern_string (name);
    }
  g_free (all);

  return TRUE;
}

/* One look at everything: the messages queued go out, the sends that
 * completed are let go, what arrived is received. Whether anything moved. */
static gboolean
link_step (MpaioMpiLink *self)
{
  gboolean    moved = FALSE;
  OutMessage *message;

  while ((message = g_async_queue_try_pop (self->outgoing)) != NULL)
    {
      moved = TRUE;
      if (message->dest == COMMAND_ABORT)
        /* Every rank ends, with this code: mpirun's exit status. */
        MPI_Abort (MPI_COMM_WORLD, (int) message->payload_size);
      else if (message->dest == COMMAND_SHUTDOWN)
        {
          self->stopping = TRUE;
          out_message_free (message);
        }
      else if (start_send (self, message))
        g_queue_push_tail (&self->pending, message);
      else
        out_message_free (message);
    }

  for (GList *link = self->pending.head; link != NULL;)
    {
      GList *next = link->next;

      if (test_send (self, link->data))
        {
          out_message_free (link->data);
          g_queue_delete_link (&self->pending, link);
          moved = TRUE;
        }
      link = next;
    }

  /* Nothing is received before there is a receiver: its `locate` makes
   * the arrays that the first messages fill. */
  if (!self->stopping && g_atomic_int_get (&self->has_receiver) && receive_arrived (self))
    moved = TRUE;

  return moved;
}

/* How long to wait, in µs, before the next look, after a look that
 * @moved something or not; 0 to look again at once. */
static gulong
link_next_wait (MpaioMpiLink *self,
                gboolean      moved)
{
  if (moved)
    {
      self->backoff_us = BACKOFF_MIN_US;
      self->last_moved_us = g_get_monotonic_time ();
      return 0;
    }

  /* Open MPI moves a large message only inside MPI calls: while one is
   * on its way, the link keeps calling. */
  if (!g_queue_is_empty (&self->pending))
    return 0;

  /* In a stream of short chunks (a message moved a moment ago), it
   * looks again soon: the next message is near, be it a reply this rank
   * awaits or the next tasks of an agent that has just sent its results.
   * Not at once: a look costs a few microseconds of MPI progress and a
   * timed sleep, and looks every 10 µs cost more than the chunks they
   * moved; messages that wait a little arrive together, in one look. */
  if (g_get_monotonic_time () - self->last_moved_us < STREAM_US)
    self->backoff_us = STREAM_POLL_US;
  /* While replies are due, the link backs off to 500 µs at most: a
   * host holds a window of chunks, so a reply a little late leaves no
   * core idle, while polls every 125 µs took a tenth of the cores
   * from long chunks. */
  else if (g_atomic_int_get (&self->expecting) > 0)
    self->backoff_us = MIN (self->backoff_us, BACKOFF_BUSY_MAX_US / 2);

  return self->backoff_us;
}

/* A wait of link_next_wait() passed with nothing to send: the next one
 * is longer. */
static void
link_waited (MpaioMpiLink *self)
{
  self->backoff_us = MIN (self->backoff_us * 2, BACKOFF_MAX_US);
}

/* Polls until told to stop and every send is done. Nothing moved: waits
 * for a message to send, or for the backoff to pass before looking at
 * the network again. */
static void
link_run (MpaioMpiLink *self)
{
  while (!self->stopping || !g_queue_is_empty (&self->pending))
    {
      gboolean    moved = link_step (self);
      gulong      wait_us = link_next_wait (self, moved);
      OutMessage *message;

      if (wait_us == 0)
        {
          if (!moved)
            g_thread_yield ();
          continue;
        }

      message = g_async_queue_timeout_pop (self->outgoing, wait_us);
      if (message != NULL)
        g_async_queue_push_front (self->outgoing, message);
      else
        link_waited (self);
    }
}

static void
set_timer_slack (void)
{
#ifdef PR_SET_TIMERSLACK
  /* Its sleeps are tens of microseconds: the default slack of 50 µs would
   * stretch them several times over. */
  prctl (PR_SET_TIMERSLACK, 1000UL, 0UL, 0UL, 0UL);
#endif
}

static void
set_ready (MpaioMpiLink *self,
           GError       *error)
{
  g_mutex_lock (&self->ready_lock);
  self->init_error = error;
  self->ready = TRUE;
  g_cond_broadcast (&self->ready_cond);
  g_mutex_unlock (&self->ready_lock);
}

static gpointer
link_thread (gpointer data)
{
  MpaioMpiLink *self = data;
  GError       *error = NULL;
  gboolean      started;

  set_timer_slack ();
  started = start_mpi (self, &error);
  set_ready (self, error);
  if (!started)
    return NULL;

  link_run (self);
  MPI_Finalize ();
  return NULL;
}

/* One pass of @context, waiting at most @wait_us (µs, not the
 * milliseconds of GLib's own poll) for its sources; whether the wait
 * passed with nothing to dispatch. */
static gboolean
iterate_context (GMainContext *context,
                 gulong        wait_us,
                 GPollFD     **fds,
                 gint         *n_allocated)
{
  gint            max_priority, timeout_ms, n_fds;
  gboolean        ready;
  struct timespec wait;
  int             n_ready = 0;

  ready = g_main_context_prepare (context, &max_priority);
  while ((n_fds = g_main_context_query (context, max_priority, &timeout_ms, *fds, *n_allocated))
         > *n_allocated)
    {
      *n_allocated = n_fds;
      *fds = g_renew (GPollFD, *fds, n_fds);
    }

  if (ready || timeout_ms == 0)
    wait_us = 0;
  else if (timeout_ms > 0)
    wait_us = MIN (wait_us, (gulong) timeout_ms * 1000);
  wait.tv_sec = (time_t) (wait_us / G_USEC_PER_SEC);
  wait.tv_nsec = (long) (wait_us % G_USEC_PER_SEC) * 1000;
  /* GPollFD is struct pollfd on Linux, as GLib's own poll assumes. */
  if (wait_us > 0 || n_fds > 0)
    n_ready = ppoll ((struct pollfd *) *fds, (nfds_t) n_fds, &wait, NULL);

  ready = g_main_context_check (context, max_priority, *fds, n_fds);
  g_main_context_dispatch (context);

  return !ready && n_ready <= 0 && wait_us > 0;
}

void
_mpaio_mpi_link_serve (MpaioMpiLink *link,
                       GMainLoop    *loop)
{
  GMainContext *context = g_main_loop_get_context (loop);
  GPollFD      *fds = NULL;
  gint          n_allocated = 0;

  g_return_if_fail (link->serving_thread == g_thread_self ());

  set_timer_slack ();
  g_main_context_acquire (context);
  while (g_main_loop_is_running (loop))
    {
      gboolean moved = link_step (link);

      if (iterate_context (context, link_next_wait (link, moved), &fds, &n_allocated))
        link_waited (link);
    }
  g_main_context_release (context);
  g_free (fds);
}

static void
shutdown_at_exit (void)
{
  if (the_link != NULL)
    _mpaio_mpi_link_shutdown (the_link);
}

/* Starts the link of rank @rank (as its environment says) once. */
static gboolean
link_start (int   rank,
            guint n_cores,
            guint n_sampled_cores)
{
  if (the_link != NULL)
    return the_link->rank != 0;

  the_link = g_new0 (MpaioMpiLink, 1);
  the_link->rank = rank;
  the_link->n_cores = MAX (1, n_cores);
  the_link->n_sampled_cores = n_sampled_cores;
  the_link->outgoing = g_async_queue_new ();
  the_link->incoming = g_async_queue_new_full ((GDestroyNotify) in_message_free);
  g_mutex_init (&the_link->ready_lock);
  g_cond_init (&the_link->ready_cond);
  g_mutex_init (&the_link->receiver_lock);
  the_link->backoff_us = BACKOFF_MIN_US;
  if (rank == 0)
    the_link->thread = g_thread_new ("mpaio-mpi", link_thread, the_link);
  else
    {
      GError *error = NULL;

      /* An agent: MPI is driven from this thread, which serves it. */
      the_link->serving_thread = g_thread_self ();
      if (!start_mpi (the_link, &error))
        {
          set_ready (the_link, error);
          return TRUE;
        }
      set_ready (the_link, NULL);
    }

  if (rank == 0)
    atexit (shutdown_at_exit);

  return rank != 0;
}

MpaioMpiLink *
_mpaio_mpi_link_get (GError **error)
{
  if (the_link == NULL)
    {
      g_set_error_literal (error, error_domain, MPAIO_ERROR_SPAWN_FAILED,
                           "This program is not a rank of an MPI job: start it "
                           "with mpirun (or srun), and call mpaio_init() first in main()");
      return NULL;
    }

  g_mutex_lock (&the_link->ready_lock);
  while (!the_link->ready)
    g_cond_wait (&the_link->ready_cond, &the_link->ready_lock);
  g_mutex_unlock (&the_link->ready_lock);

  if (the_link->init_error != NULL || the_link->shut_down)
    {
      g_set_error (error, error_domain, MPAIO_ERROR_SPAWN_FAILED, "%s",
                   the_link->init_error ? the_link->init_error->message
                                        : "MPI was finalised already");
      return NULL;
    }

  return the_link;
}

int
_mpaio_mpi_link_get_rank (MpaioMpiLink *link)
{
  return link->rank;
}

const MpaioMpiPeer *
_mpaio_mpi_link_get_peers (MpaioMpiLink *link,
                           guint        *n_peers)
{
  *n_peers = (guint) link->size;
  return link->peers;
}

void
_mpaio_mpi_link_send (MpaioMpiLink  *link,
                      int            dest,
                      MpaioMpiKind   kind,
                      GVariant      *body,
                      gconstpointer  payload,
                      gsize          payload_size,
                      GDestroyNotify payload_free,
                      gpointer       payload_owner)
{
  OutMessage *message = g_new0 (OutMessage, 1);
  g_autoptr(GVariant) header = NULL;

  header = g_variant_ref_sink (g_variant_new ("(utv)", (guint32) kind, (guint64) payload_size,
                                              body));
  message->dest = dest;
  message->header = g_variant_get_data_as_bytes (header);
  message->payload = payload;
  message->payload_size = payload_size;
  message->payload_free = payload_free;
  message->payload_owner = payload_owner;
  g_async_queue_push (link->outgoing, message);

  /* A thread other than the one serving MPI: it waits in its context. */
  if (link->serving_thread != NULL && link->serving_thread != g_thread_self ())
    {
      g_mutex_lock (&link->receiver_lock);
      if (link->context != NULL)
        g_main_context_wakeup (link->context);
      g_mutex_unlock (&link->receiver_lock);
    }
}

void
_mpaio_mpi_link_mark_lost (MpaioMpiLink *link,
                           int           rank)
{
  g_atomic_int_set (&link->lost_any, TRUE);
}

void
_mpaio_mpi_link_abort (MpaioMpiLink *link,
                       int           code)
{
  OutMessage *command = g_new0 (OutMessage, 1);

  command->dest = COMMAND_ABORT;
  command->payload_size = (gsize) code;
  g_async_queue_push (link->outgoing, command);
  if (link->thread == NULL)
    {
      /* MPI_Abort ends this process too. */
      link_step (link);
      _exit (code);
    }
  /* MPI_Abort ends this process too, from the link thread. */
  g_thread_join (link->thread);
  _exit (code);
}

void
_mpaio_mpi_link_expect (MpaioMpiLink *link,
                        int           delta)
{
  g_atomic_int_add (&link->expecting, delta);
}

guint64
_mpaio_mpi_link_get_payload_bytes_sent (MpaioMpiLink *link)
{
  return (guint64) g_atomic_pointer_get (&link->payload_bytes_sent);
}

typedef struct
{
  GSource       source;
  MpaioMpiLink *link;
} ReceiveSource;

static gboolean
receive_source_prepare (GSource *source,
                        gint    *timeout)
{
  *timeout = -1;
  return g_async_queue_length (((ReceiveSource *) source)->link->incoming) > 0;
}

static gboolean
receive_source_check (GSource *source)
{
  return g_async_queue_length (((ReceiveSource *) source)->link->incoming) > 0;
}

static gboolean
receive_source_dispatch (GSource    *source,
                         GSourceFunc callback,
                         gpointer    user_data)
{
  MpaioMpiLink *self = ((ReceiveSource *) source)->link;
  InMessage    *message;

  /* The receiver may change (or go) in the middle: looked at for each. */
  while (self->receive != NULL && (message = g_async_queue_try_pop (self->incoming)) != NULL)
    {
      self->receive (message->source, message->kind, message->body, self->user_data);
      in_message_free (message);
    }

  return G_SOURCE_CONTINUE;
}

static GSourceFuncs receive_source_funcs = {
  .prepare = receive_source_prepare,
  .check = receive_source_check,
  .dispatch = receive_source_dispatch,
};

void
_mpaio_mpi_link_set_receiver (MpaioMpiLink       *link,
                              MpaioMpiLocateFunc  locate,
                              MpaioMpiReceiveFunc receive,
                              gpointer            user_data)
{
  GSource *old_source;

  g_mutex_lock (&link->receiver_lock);
  old_source = g_steal_pointer (&link->source);
  g_clear_pointer (&link->context, g_main_context_unref);
  link->locate = receive ? locate : NULL;
  link->receive = receive;
  link->user_data = user_data;
  if (receive != NULL)
    {
      link->context = g_main_context_ref_thread_default ();
      link->source = g_source_new (&receive_source_funcs, sizeof (ReceiveSource));
      ((ReceiveSource *) link->source)->link = link;
      g_source_set_static_name (link->source, "[mpaio] MPI messages");
      g_source_attach (link->source, link->context);
    }
  g_atomic_int_set (&link->has_receiver, receive != NULL);
  g_mutex_unlock (&link->receiver_lock);

  if (old_source != NULL)
    {
      g_source_destroy (old_source);
      g_source_unref (old_source);
    }
}

void
_mpaio_mpi_link_shutdown (MpaioMpiLink *link)
{
  OutMessage *command;

  if (link->shut_down)
    return;
  link->shut_down = TRUE;

  if (link->init_error == NULL && link->rank == 0)
    {
      /* The thread is up once MPI is: wait for it so the ranks are known. */
      g_mutex_lock (&link->ready_lock);
      while (!link->ready)
        g_cond_wait (&link->ready_cond, &link->ready_lock);
      g_mutex_unlock (&link->ready_lock);

      for (int rank = 1; link->init_error == NULL && rank < link->size; rank++)
        _mpaio_mpi_link_send (link, rank, MPAIO_MPI_QUIT, g_variant_new ("()"), NULL, 0, NULL,
                              NULL);
    }

  /* MPI cannot finalise with a rank gone (it would wait for it): the
   * job ends with an error instead. */
  if (link->rank == 0 && g_atomic_int_get (&link->lost_any))
    _mpaio_mpi_link_abort (link, EXIT_FAILURE);

  command = g_new0 (OutMessage, 1);
  command->dest = COMMAND_SHUTDOWN;
  g_async_queue_push (link->outgoing, command);
  if (link->thread != NULL)
    {
      g_thread_join (link->thread);
      link->thread = NULL;
    }
  else if (link->init_error == NULL)
    {
      /* The agent's thread finishes the sends and MPI itself. */
      link_run (link);
      MPI_Finalize ();
    }
  _mpaio_mpi_link_set_receiver (link, NULL, NULL, NULL);
}

static const MpaioMpiLinkFuncs funcs = {
  .start = link_start,
  .get = _mpaio_mpi_link_get,
  .get_rank = _mpaio_mpi_link_get_rank,
  .get_peers = _mpaio_mpi_link_get_peers,
  .send = _mpaio_mpi_link_send,
  .set_receiver = _mpaio_mpi_link_set_receiver,
  .expect = _mpaio_mpi_link_expect,
  .mark_lost = _mpaio_mpi_link_mark_lost,
  .abort = _mpaio_mpi_link_abort,
  .get_payload_bytes_sent = _mpaio_mpi_link_get_payload_bytes_sent,
  .shutdown = _mpaio_mpi_link_shutdown,
  .serve = _mpaio_mpi_link_serve,
};

/* The module's one exported symbol (MPAIO_MPI_LINK_MODULE_INIT). */
G_MODULE_EXPORT const MpaioMpiLinkFuncs *mpaio_mpi_link_module_init (GQuark domain);

const MpaioMpiLinkFuncs *
mpaio_mpi_link_module_init (GQuark domain)
{
  error_domain = domain;
  return &funcs;
}
