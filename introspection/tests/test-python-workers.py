#!/usr/bin/python3
# test-python-workers.py: Mpaio.Worker subclasses written in Python, run in
# the worker processes of an Mpaio.ProcessPool through the typelib
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Prints TAP. Worker processes are this script started again (python3 and
# the script's path, from /proc/self/cmdline): everything above the
# Mpaio.serve_if_worker() call runs in them too.

import atexit
import mmap
import os
import subprocess
import sys
import time

import gi

gi.require_version("Mpaio", "1.0")
from gi.repository import Gio, GLib, GObject, Mpaio  # noqa: E402

import numpy as np  # noqa: E402

import mpaio_tap  # noqa: E402

TEST_ERROR = GLib.quark_from_string("mpaio-test-error")


def int64_view(array, writable=False):
    prot = mmap.PROT_READ | (mmap.PROT_WRITE if writable else 0)
    return np.frombuffer(mmap.mmap(array.get_fd(), array.get_size(), prot=prot), dtype=np.int64)


class SumWorker(Mpaio.Worker):
    """Sums its chunk through a numpy view, plus a parameter per row."""

    __gtype_name__ = "TestPySumWorker"

    # A parameter: copied to the worker's instances in worker processes.
    offset = GObject.Property(type=GObject.TYPE_INT64, default=0)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.total = 0
        self.pids = set()
        self._view = None

    def do_process(self, chunk):
        if self._view is None:
            self._view = int64_view(self.get_array())
        rows = self._view[chunk.start : chunk.end]
        value = int(rows.sum()) + self.offset * (chunk.end - chunk.start)
        return GLib.Variant.new_tuple(GLib.Variant.new_int64(value),
                                      GLib.Variant.new_int32(os.getpid()))

    def do_process_callback(self, chunk, result):
        self.total += result.get_child_value(0).get_int64()
        self.pids.add(result.get_child_value(1).get_int32())


class PidWorker(Mpaio.Worker):
    """Returns the pid of the process that ran `process`."""

    __gtype_name__ = "TestPyPidWorker"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.pids = []

    def do_process(self, chunk):
        return GLib.Variant.new_int64(os.getpid())

    def do_process_callback(self, chunk, result):
        self.pids.append(result.get_int64())


class FailWorker(Mpaio.Worker):
    """Fails on chunk `fail-at`: a plain exception or a GLib.Error."""

    __gtype_name__ = "TestPyFailWorker"

    kind = GObject.Property(type=str, default="plain")
    fail_at = GObject.Property(type=GObject.TYPE_UINT64, default=0, nick="fail-at")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.done = []

    def do_process(self, chunk):
        if chunk.index == self.fail_at:
            if self.kind == "plain":
                raise ValueError("plain failure in chunk %d" % chunk.index)
            raise GLib.Error.new_literal(TEST_ERROR, "GLib failure in chunk %d" % chunk.index, 7)
        return GLib.Variant.new_uint64(chunk.index)

    def do_process_callback(self, chunk, result):
        self.done.append(result.get_uint64())


class SlowWorker(Mpaio.Worker):
    __gtype_name__ = "TestPySlowWorker"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.n_done = 0
        self.on_result = None

    def do_process(self, chunk):
        time.sleep(0.05)
        return GLib.Variant.new_uint64(chunk.index)

    def do_process_callback(self, chunk, result):
        self.n_done += 1
        if self.on_result is not None:
            self.on_result(self)


class DoubleWorker(Mpaio.Worker):
    """Doubles its rows of a writable (output) array in place."""

    __gtype_name__ = "TestPyDoubleWorker"

    def do_process(self, chunk):
        view = int64_view(self.get_array(), writable=True)
        view[chunk.start : chunk.end] *= 2
        return GLib.Variant.new_boolean(True)


class PrintWorker(Mpaio.Worker):
    """Prints from worker processes, unflushed, to check nothing is lost."""

    __gtype_name__ = "TestPyPrintWorker"

    def do_process(self, chunk):
        global _atexit_registered
        if not _atexit_registered:
            atexit.register(lambda: sys.stdout.write("atexit in %d\n" % os.getpid()))
            _atexit_registered = True
        # One write per line: two processes share the pipe.
        sys.stdout.write("printed by chunk %d\n" % chunk.index)
        return GLib.Variant.new_boolean(True)


_atexit_registered = False

if Mpaio.serve_if_worker():
    sys.exit(0)


# ---------------------------------------------------------------------------
# Helpers (main process only)

N_WORKERS = 2


def run(orchestrator, cancellable=None, timeout=60):
    """Runs to the end on a main loop: returns the report or raises GLib.Error."""
    loop = GLib.MainLoop()
    outcome = {}

    def done(source, result):
        try:
            outcome["report"] = source.run_finish(result)
        except GLib.Error as error:
            outcome["error"] = error
        loop.quit()

    def too_long():
        outcome["timeout"] = True
        loop.quit()
        return GLib.SOURCE_REMOVE

    timer = GLib.timeout_add_seconds(timeout, too_long)
    orchestrator.run_async(cancellable, done)
    loop.run()
    if "timeout" in outcome:
        raise AssertionError("the run did not end within %d s" % timeout)
    GLib.source_remove(timer)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["report"]


def int_array(n_rows):
    array = Mpaio.SharedArray.new(Mpaio.DType.INT64, [n_rows])
    int64_view(array, writable=True)[:] = np.arange(1, n_rows + 1, dtype=np.int64)
    return array


def expect_error(orchestrator, domain, code, cancellable=None):
    try:
        run(orchestrator, cancellable)
    except GLib.Error as error:
        assert error.matches(domain, code), "unexpected error %s %d: %s" % (
            error.domain, error.code, error.message)
        return error
    raise AssertionError("the run succeeded")


_pool = None


def pool():
    global _pool
    if _pool is None:
        _pool = Mpaio.ProcessPool.new(N_WORKERS)
    return _pool


# ---------------------------------------------------------------------------
# Tests


def test_types_visible():
    assert Mpaio.DType.INT64 == 6 and Mpaio.DType.__gtype__.name == "MpaioDType"
    assert Mpaio.SharedArrayFlags.WRITABLE == 1
    assert Mpaio.SharedArrayFlags.__gtype__.name == "MpaioSharedArrayFlags"
    assert Mpaio.Error.WORKER_FAILED == 2 and Mpaio.Error.__gtype__.name == "MpaioError"
    assert GLib.quark_to_string(Mpaio.error_quark()) == "mpaio-error-quark"
    assert Mpaio.dtype_get_item_size(Mpaio.DType.FLOAT32) == 4
    assert Mpaio.Worker.__gtype__.is_abstract()
    assert Mpaio.ProcessPool.__gtype__.is_a(Mpaio.Executor.__gtype__)
    assert not Mpaio.is_worker_process()
    assert Mpaio.get_n_cores() >= 1
    try:
        Mpaio.DataIterator.new(int_array(10), 0)
    except GLib.Error as error:
        assert error.matches(Mpaio.error_quark(), Mpaio.Error.INVALID_ARGUMENT)
    else:
        raise AssertionError("a chunk size of 0 was accepted")


def test_results():
    n = 1_000_003
    array = int_array(n)
    worker = SumWorker(data_iterator=Mpaio.DataIterator.new(array, 100_000))
    orchestrator = Mpaio.Orchestrator.new(pool(), [worker])
    report = run(orchestrator)
    assert worker.total == n * (n + 1) // 2, worker.total
    assert orchestrator.get_n_chunks() == 11 == orchestrator.get_n_chunks_done()
    assert report.get_n_records() == 11
    assert report.get_wall_time() > 0


def test_parameters():
    n = 1000
    worker = SumWorker(data_iterator=Mpaio.DataIterator.new(int_array(n), 100), offset=5)
    run(Mpaio.Orchestrator.new(pool(), [worker]))
    assert worker.total == n * (n + 1) // 2 + 5 * n, worker.total


def test_other_processes():
    worker = PidWorker(data_iterator=Mpaio.DataIterator.new(int_array(64), 1))
    report = run(Mpaio.Orchestrator.new(pool(), [worker]))
    pids = set(worker.pids)
    pool_pids = set(pool().get_pids())
    assert len(worker.pids) == 64
    assert os.getpid() not in pids, pids
    assert pids <= pool_pids, (pids, pool_pids)
    assert len(pool_pids) == N_WORKERS
    # Chunks are spread over every worker process.
    assert len(pids) == N_WORKERS, pids
    records = {report.get_record(i).pid for i in range(report.get_n_records())}
    assert records == pids, (records, pids)


def test_several_runs():
    pids_before = set(pool().get_pids())
    for size in (10, 1000, 100_000):
        worker = SumWorker(data_iterator=Mpaio.DataIterator.new_partitioned(int_array(size), 7))
        run(Mpaio.Orchestrator.new(pool(), [worker]))
        assert worker.total == size * (size + 1) // 2
        assert worker.pids <= pids_before
    # The same processes served every run.
    assert set(pool().get_pids()) == pids_before


def test_two_workers_one_run():
    ints = SumWorker(data_iterator=Mpaio.DataIterator.new(int_array(5000), 300))
    pids = PidWorker(data_iterator=Mpaio.DataIterator.new(int_array(10), 1))
    orchestrator = Mpaio.Orchestrator.new(pool(), [ints, pids])
    orchestrator.set_ordered(True)
    run(orchestrator)
    assert ints.total == 5000 * 5001 // 2
    assert len(pids.pids) == 10


def test_plain_exception():
    worker = FailWorker(data_iterator=Mpaio.DataIterator.new(int_array(100), 10),
                        kind="plain", fail_at=3)
    error = expect_error(Mpaio.Orchestrator.new(pool(), [worker]),
                         Mpaio.error_quark(), Mpaio.Error.WORKER_FAILED)
    # PyGObject prints the exception (on the worker's stderr) and returns
    # NULL without a GError: the library's message names the worker and chunk.
    assert "TestPyFailWorker" in error.message and "Chunk 3" in error.message, error.message
    assert 3 not in worker.done


def test_glib_error():
    worker = FailWorker(data_iterator=Mpaio.DataIterator.new(int_array(100), 10),
                        kind="glib", fail_at=4)
    # The domain is registered in both processes: the error keeps it, and its code.
    error = expect_error(Mpaio.Orchestrator.new(pool(), [worker]), TEST_ERROR, 7)
    assert "GLib failure in chunk 4" in error.message, error.message
    assert "Chunk 4" in error.message, error.message


def test_pool_usable_after_errors():
    test_results()


def test_cancel():
    worker = SlowWorker(data_iterator=Mpaio.DataIterator.new(int_array(400), 1))
    orchestrator = Mpaio.Orchestrator.new(pool(), [worker])
    cancellable = Gio.Cancellable()
    worker.on_result = lambda w: cancellable.cancel()
    start = time.monotonic()
    expect_error(orchestrator, Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED, cancellable)
    elapsed = time.monotonic() - start
    assert worker.n_done < 400, worker.n_done
    assert elapsed < 5, elapsed
    assert not orchestrator.get_running()


def test_cancelled_before_start():
    worker = SlowWorker(data_iterator=Mpaio.DataIterator.new(int_array(10), 1))
    cancellable = Gio.Cancellable()
    cancellable.cancel()
    expect_error(Mpaio.Orchestrator.new(pool(), [worker]),
                 Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED, cancellable)
    assert worker.n_done == 0


def test_pool_usable_after_cancel():
    test_results()


def test_output_array():
    array = Mpaio.SharedArray.new_full(Mpaio.DType.INT64, 8, [1000],
                                       Mpaio.SharedArrayFlags.WRITABLE)
    view = int64_view(array, writable=True)
    view[:] = np.arange(1000)
    run(Mpaio.Orchestrator.new(pool(), [DoubleWorker(
        data_iterator=Mpaio.DataIterator.new(array, 64))]))
    assert (view == 2 * np.arange(1000)).all()


def test_thread_pool():
    # Python workers also run on the threads of a ThreadPool (in this process).
    worker = PidWorker(data_iterator=Mpaio.DataIterator.new(int_array(20), 2))
    run(Mpaio.Orchestrator.new(Mpaio.ThreadPool.new(2), [worker]))
    assert set(worker.pids) == {os.getpid()}


def test_worker_output_and_exit():
    # A program whose workers print without flushing, its stdout a pipe: the
    # worker processes leave through sys.exit(), so Python flushes their
    # output and runs their atexit handlers once the program drops its pool
    # (they do not outlive the program itself).
    # Buffered for real (PYTHONUNBUFFERED would make the test moot).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    child = subprocess.run([sys.executable, os.path.abspath(__file__), "--print-child"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=60, env=env)
    assert child.returncode == 0, child.stderr
    lines = child.stdout.splitlines()
    for i in range(8):
        assert "printed by chunk %d" % i in lines, child.stdout
    assert "main done" in lines, child.stdout
    atexits = [line for line in lines if line.startswith("atexit in ")]
    assert len(atexits) == 2, child.stdout


def print_child():
    pool = Mpaio.ProcessPool.new(2)
    worker = PrintWorker(data_iterator=Mpaio.DataIterator.new(int_array(8), 1))
    run(Mpaio.Orchestrator.new(pool, [worker]))
    print("main done")
    del pool
    return 0


TESTS = [
    test_types_visible,
    test_results,
    test_parameters,
    test_other_processes,
    test_several_runs,
    test_two_workers_one_run,
    test_plain_exception,
    test_glib_error,
    test_pool_usable_after_errors,
    test_cancel,
    test_cancelled_before_start,
    test_pool_usable_after_cancel,
    test_output_array,
    test_thread_pool,
    test_worker_output_and_exit,
]


def main():
    if "--print-child" in sys.argv:
        return print_child()

    return mpaio_tap.run(TESTS)


if __name__ == "__main__":
    sys.exit(main())
