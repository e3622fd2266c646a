/* mpaio-test-gate.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib-unix.h>
#include <glib/gstdio.h>

#include "mpaio-test-gate.h"

struct _MpaioTestGateWorker
{
  MpaioWorker parent_instance;

  char *dir;
  gint  gate_index;
  gint  mode;
  guint spin_us;
  guint n_delivered;
};

G_DEFINE_FINAL_TYPE (MpaioTestGateWorker, mpaio_test_gate_worker, MPAIO_TYPE_WORKER)

enum
{
  PROP_0,
  PROP_DIR,
  PROP_GATE_INDEX,
  PROP_MODE,
  PROP_SPIN_US,
  N_PROPS
};

static void
write_pid (const char *dir,
           const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *pid = g_strdup_printf ("%d\n", (int) getpid ());
  int              fd = open (path, O_WRONLY | O_CLOEXEC);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, pid, strlen (pid)), ==, (gssize) strlen (pid));
  close (fd);
}

static void
wait_for_release (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "release", NULL);
  int              fd = open (path, O_RDONLY | O_CLOEXEC);
  char             byte;

  g_assert_cmpint (fd, >=, 0);
  while (read (fd, &byte, 1) < 0 && errno == EINTR)
    ;
  close (fd);
}

static GVariant *
gate_worker_process (MpaioWorker      *worker,
                     const MpaioChunk *chunk,
                     GError          **error)
{
  MpaioTestGateWorker *self = MPAIO_TEST_GATE_WORKER (worker);
  gint64               end = g_get_monotonic_time () + self->spin_us;

  while (g_get_monotonic_time () < end)
    ;

  /* Only in worker processes: the main process has no FIFOs to wait on. */
  if (mpaio_is_worker_process () && self->dir != NULL
      && (self->gate_index < 0 || (guint64) self->gate_index == chunk->index))
    {
      write_pid (self->dir, "started");
      if (self->mode == MPAIO_TEST_GATE_WAIT)
        wait_for_release (self->dir);
      else
        {
          /* Polling is what cooperative cancellation is: a long loop asks
           * now and then. */
          while (!mpaio_worker_is_cancelled (worker))
            g_usleep (1000);
          write_pid (self->dir, "noticed");
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "noticed");
          return NULL;
        }
    }

  return g_variant_new_uint64 (chunk->index);
}

static void
gate_worker_process_callback (MpaioWorker      *worker,
                              const MpaioChunk *chunk,
                              GVariant         *result)
{
  MPAIO_TEST_GATE_WORKER (worker)->n_delivered++;
}

static void
gate_worker_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  MpaioTestGateWorker *self = MPAIO_TEST_GATE_WORKER (object);

  switch (prop_id)
    {
    case PROP_DIR:
      g_value_set_string (value, self->dir);
      break;
    case PROP_GATE_INDEX:
      g_value_set_int (value, self->gate_index);
      break;
    case PROP_MODE:
      g_value_set_int (value, self->mode);
      break;
    case PROP_SPIN_US:
      g_value_set_uint (value, self->spin_us);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gate_worker_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  MpaioTestGateWorker *self = MPAIO_TEST_GATE_WORKER (object);

  switch (prop_id)
    {
    case PROP_DIR:
      g_free (self->dir);
      self->dir = g_value_dup_string (value);
      break;
    case PROP_GATE_INDEX:
      self->gate_index = g_value_get_int (value);
      break;
    case PROP_MODE:
      self->mode = g_value_get_int (value);
      break;
    case PROP_SPIN_US:
      self->spin_us = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gate_worker_finalize (GObject *object)
{
  g_free (MPAIO_TEST_GATE_WORKER (object)->dir);

  G_OBJECT_CLASS (mpaio_test_gate_worker_parent_class)->finalize (object);
}

static void
mpaio_test_gate_worker_class_init (MpaioTestGateWorkerClass *klass)
{
  GObjectClass     *object_class = G_OBJECT_CLASS (klass);
  MpaioWorkerClass *worker_class = MPAIO_WORKER_CLASS (klass);
  GParamFlags       flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;

  object_class->get_property = gate_worker_get_property;
  object_class->set_property = gate_worker_set_property;
  object_class->finalize = gate_worker_finalize;
  worker_class->process = gate_worker_process;
  worker_class->process_callback = gate_worker_process_callback;

  g_object_class_install_property (object_class, PROP_DIR,
                                   g_param_spec_string ("dir", NULL, NULL, NULL, flags));
  g_object_class_install_property (object_class, PROP_GATE_INDEX,
                                   g_param_spec_int ("gate-index", NULL, NULL, -1, G_MAXINT, -1,
                                                     flags));
  g_object_class_install_property (object_class, PROP_MODE,
                                   g_param_spec_int ("mode", NULL, NULL, 0, 1, 0, flags));
  g_object_class_install_property (object_class, PROP_SPIN_US,
                                   g_param_spec_uint ("spin-us", NULL, NULL, 0, G_MAXUINT, 0,
                                                      flags));
}

static void
mpaio_test_gate_worker_init (MpaioTestGateWorker *self)
{
  self->gate_index = -1;
}

MpaioTestGateWorker *
mpaio_test_gate_worker_new (MpaioDataIterator *iterator,
                            const char        *dir,
                            gint               gate_index,
                            MpaioTestGateMode  mode,
                            guint              spin_us)
{
  return g_object_new (MPAIO_TEST_TYPE_GATE_WORKER, "data-iterator", iterator, "dir", dir,
                       "gate-index", gate_index, "mode", (gint) mode, "spin-us", spin_us, NULL);
}

guint
mpaio_test_gate_worker_get_n_delivered (MpaioTestGateWorker *self)
{
  return self->n_delivered;
}

static int
open_fifo (const char *dir,
           const char *name,
           int         flags)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  int              fd;

  g_assert_cmpint (mkfifo (path, 0600), ==, 0);
  if (flags < 0)
    return -1;
  fd = open (path, flags | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  return fd;
}

MpaioTestGate *
mpaio_test_gate_new (void)
{
  g_autoptr(GError) error = NULL;
  MpaioTestGate *gate = g_new0 (MpaioTestGate, 1);

  gate->dir = g_dir_make_tmp ("mpaio-gate-XXXXXX", &error);
  g_assert_no_error (error);
  /* Open for writing too: the FIFO never reads as ended between chunks. */
  gate->started_fd = open_fifo (gate->dir, "started", O_RDWR | O_NONBLOCK);
  gate->noticed_fd = open_fifo (gate->dir, "noticed", O_RDWR | O_NONBLOCK);
  gate->started = g_string_new (NULL);
  gate->noticed = g_string_new (NULL);
  open_fifo (gate->dir, "release", -1);

  return gate;
}

void
mpaio_test_gate_free (MpaioTestGate *gate)
{
  const char *names[] = { "started", "noticed", "release" };

  close (gate->started_fd);
  close (gate->noticed_fd);
  g_string_free (gate->started, TRUE);
  g_string_free (gate->noticed, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (gate->dir, names[i], NULL);

      g_unlink (path);
    }
  g_rmdir (gate->dir);
  g_free (gate->dir);
  g_free (gate);
}

static gboolean
on_readable (gint         fd,
             GIOCondition condition,
             gpointer     user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
on_too_late (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* The next line ("PID\n") worker processes wrote to a FIFO, each whole. */
static GPid
wait_line (int      fd,
           GString *buffer)
{
  gboolean too_late = FALSE;
  /* Generous: worker processes start slowly under valgrind. */
  guint timeout_id = g_timeout_add_seconds (120, on_too_late, &too_late);
  char *newline;
  GPid  pid;

  while ((newline = memchr (buffer->str, '\n', buffer->len)) == NULL && !too_late)
    {
      gboolean readable = FALSE;
      guint    source_id = g_unix_fd_add (fd, G_IO_IN, on_readable, &readable);
      char     chunk[64];
      gssize   n;

      while (!readable && !too_late)
        g_main_context_iteration (NULL, TRUE);
      if (!readable)
        g_source_remove (source_id);

      while ((n = read (fd, chunk, sizeof chunk)) > 0)
        g_string_append_len (buffer, chunk, n);
    }
  if (!too_late)
    g_source_remove (timeout_id);
  g_assert_nonnull (newline);

  pid = (GPid) atoi (buffer->str);
  g_string_erase (buffer, 0, newline - buffer->str + 1);
  return pid;
}

GPid
mpaio_test_gate_wait_started (MpaioTestGate *gate)
{
  return wait_line (gate->started_fd, gate->started);
}

GPid
mpaio_test_gate_wait_noticed (MpaioTestGate *gate)
{
  return wait_line (gate->noticed_fd, gate->noticed);
}

void
mpaio_test_gate_release (MpaioTestGate *gate)
{
  g_autofree char *path = g_build_filename (gate->dir, "release", NULL);
  int              fd = open (path, O_WRONLY | O_CLOEXEC);

  /* Opening blocks until the chunk opened its end: it is waiting. */
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, "x", 1), ==, 1);
  close (fd);
}

gboolean
mpaio_test_pid_is_gone (GPid pid)
{
  return kill (pid, 0) < 0 && errno == ESRCH;
}

gboolean
mpaio_test_wait_pid_exit (GPid  pid,
                          guint timeout_ms)
{
  int           fd = (int) syscall (SYS_pidfd_open, pid, 0);
  struct pollfd exited = { fd, POLLIN, 0 };
  int           n;

  /* Already gone (and reaped). */
  if (fd < 0 && errno == ESRCH)
    return TRUE;

  /* No pidfd_open() (valgrind does not know it): look at the process's
   * state until it is gone or a zombie. */
  if (fd < 0)
    {
      gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

      while (g_get_monotonic_time () < deadline)
        {
          g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
          g_autofree char *stat = NULL;
          const char      *end;

          if (!g_file_get_contents (path, &stat, NULL, NULL))
            return TRUE;
          end = strrchr (stat, ')');
          if (end != NULL && end[1] == ' ' && end[2] == 'Z')
            return TRUE;
          g_usleep (1000);
        }
      return FALSE;
    }

  do
    n = poll (&exited, 1, (int) timeout_ms);
  while (n < 0 && errno == EINTR);
  close (fd);

  return n == 1;
}
