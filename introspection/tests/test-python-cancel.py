#!/usr/bin/python3
# test-python-cancel.py: cooperative cancel from Python through the typelib
# and the overrides: a long do_process asks self.is_cancelled()
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Prints TAP. Worker processes are this script started again: everything
# above the Mpaio.serve_if_worker() call runs in them too, and they inherit
# the environment, which names the FIFOs they report on. Nothing waits by
# sleeping: the main process reads what the workers write to the FIFOs.

import os
import sys
import tempfile

import gi

gi.require_version("Mpaio", "1.0")
from gi.repository import Gio, GLib, Mpaio  # noqa: E402

import mpaio_tap  # noqa: E402

FIFO_DIR_VARIABLE = "MPAIO_TEST_CANCEL_DIR"


def report_to(name):
    """Writes this process's pid as a line to the FIFO @name."""
    path = os.path.join(os.environ[FIFO_DIR_VARIABLE], name)
    with open(path, "w") as fifo:
        fifo.write("%d\n" % os.getpid())


class LoopWorker(Mpaio.Worker):
    """Loops in do_process until its chunk is cancelled, then returns how
    many times it asked."""

    __gtype_name__ = "PyCancelLoopWorker"

    def do_process(self, chunk):
        report_to("started")
        n_asked = 1
        while not self.is_cancelled():
            n_asked += 1
        report_to("noticed")
        return GLib.Variant.new_uint64(n_asked)

    def do_process_callback(self, chunk, result):
        raise AssertionError("a cancelled chunk's result was delivered")


class IndexWorker(Mpaio.Worker):
    """Returns its chunk's index at once."""

    __gtype_name__ = "PyCancelIndexWorker"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.delivered = []

    def do_process(self, chunk):
        assert not self.is_cancelled()
        return GLib.Variant.new_uint64(chunk.index)

    def do_process_callback(self, chunk, result):
        self.delivered.append(result.get_uint64())


if Mpaio.serve_if_worker():
    sys.exit(0)


def open_fifo(name):
    """A FIFO in the test's directory, open for reading; also open for
    writing, so that a worker's open never blocks and its close is no
    end of file."""
    path = os.path.join(os.environ[FIFO_DIR_VARIABLE], name)
    os.mkfifo(path)
    return os.open(path, os.O_RDWR | os.O_NONBLOCK)


def read_pids(fd, n, buffered):
    """Blocks until @n pid lines were read from @fd (after @buffered)."""
    os.set_blocking(fd, True)
    while buffered.count(b"\n") < n:
        buffered += os.read(fd, 4096)
    return sorted(int(line) for line in buffered.split())


def new_orchestrator(pool, worker_type, n_chunks):
    array = Mpaio.SharedArray.new(Mpaio.DType.INT64, [n_chunks])
    worker = worker_type(data_iterator=Mpaio.DataIterator.new(array, 1))
    return Mpaio.Orchestrator.new(pool, [worker]), worker


def test_cooperative_cancel():
    n_processes = 2
    started_fd = open_fifo("started")
    noticed_fd = open_fifo("noticed")
    pool = Mpaio.ProcessPool.new(n_processes)
    # One chunk per process: a chunk not timed yet counts as long, so the
    # second goes to the idle process.
    orchestrator, _ = new_orchestrator(pool, LoopWorker, n_processes)
    loop = GLib.MainLoop()
    cancellable = Gio.Cancellable()
    outcome = {}
    started = [b""]

    def on_started(fd, condition):
        started[0] += os.read(fd, 4096)
        if started[0].count(b"\n") < n_processes:
            return GLib.SOURCE_CONTINUE
        # Every process is in its loop: cancel the run.
        cancellable.cancel()
        return GLib.SOURCE_REMOVE

    def done(source, result):
        try:
            outcome["report"] = source.run_finish(result)
        except GLib.Error as error:
            outcome["error"] = error
        loop.quit()

    GLib.unix_fd_add_full(GLib.PRIORITY_DEFAULT, started_fd, GLib.IOCondition.IN,
                                  on_started)
    orchestrator.run_async(cancellable, done)
    loop.run()

    assert "report" not in outcome, "the cancelled run succeeded"
    error = outcome["error"]
    assert error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED), error.message
    assert cancellable.is_cancelled(), "the run ended before every chunk started"

    # Each process left its loop by itself: no abort-grace is set, so no
    # process was killed, and the pool still has the same ones.
    pids = sorted(pool.get_pids())
    assert read_pids(started_fd, n_processes, started[0]) == pids
    assert read_pids(noticed_fd, n_processes, b"") == pids

    # The same processes run the next run to the end.
    again, worker = new_orchestrator(pool, IndexWorker, 8)
    report = again.run()
    assert report.count_outcome(Mpaio.ChunkOutcome.DONE) == 8
    assert sorted(worker.delivered) == list(range(8))
    assert sorted(pool.get_pids()) == pids
    os.close(started_fd)
    os.close(noticed_fd)


def test_outside_a_chunk():
    array = Mpaio.SharedArray.new(Mpaio.DType.INT64, [1])
    worker = IndexWorker(data_iterator=Mpaio.DataIterator.new(array, 1))
    assert worker.is_cancelled() is False


TESTS = [
    test_cooperative_cancel,
    test_outside_a_chunk,
]


def main():
    with tempfile.TemporaryDirectory(prefix="mpaio-cancel-") as fifo_dir:
        os.environ[FIFO_DIR_VARIABLE] = fifo_dir
        return mpaio_tap.run(TESTS)


if __name__ == "__main__":
    sys.exit(main())
