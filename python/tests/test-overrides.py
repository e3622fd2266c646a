#!/usr/bin/python3
# test-overrides.py: the Mpaio overrides for PyGObject: numpy views of shared
# arrays, exceptions that reach the run's error, run(), await run_async()
# under asyncio and anyio, and Mpaio.map
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Prints TAP. Worker processes are this script started again: everything
# above the Mpaio.serve_if_worker() call runs in them too.

import asyncio
import os
import socket
import subprocess
import sys
import tempfile

import gi

gi.require_version("Mpaio", "1.0")
from gi.repository import GLib, GObject, Mpaio  # noqa: E402

import numpy as np  # noqa: E402

import mpaio_tap  # noqa: E402

TEST_ERROR = GLib.quark_from_string("mpaio-test-overrides-error")

# Every dtype, its numpy twin, and values that tell items apart.
DTYPES = [
    (Mpaio.DType.INT8, np.int8),
    (Mpaio.DType.UINT8, np.uint8),
    (Mpaio.DType.INT16, np.int16),
    (Mpaio.DType.UINT16, np.uint16),
    (Mpaio.DType.INT32, np.int32),
    (Mpaio.DType.UINT32, np.uint32),
    (Mpaio.DType.INT64, np.int64),
    (Mpaio.DType.UINT64, np.uint64),
    (Mpaio.DType.FLOAT32, np.float32),
    (Mpaio.DType.FLOAT64, np.float64),
    (Mpaio.DType.STRING, np.dtype("S5")),
]


def sample(numpy_dtype, shape):
    """Distinct values of numpy_dtype in the given shape."""
    count = int(np.prod(shape))
    if np.dtype(numpy_dtype).kind == "S":
        values = np.array([b"s%d" % i for i in range(count)], dtype=numpy_dtype)
    else:
        values = (np.arange(count) % 100 + 1).astype(numpy_dtype)
    return values.reshape(shape)


class ViewWorker(Mpaio.Worker):
    """Describes, from a worker process, the view as_numpy() gives of its
    chunk: dtype, shape, whether writable, and the rows' bytes."""

    __gtype_name__ = "TestOvViewWorker"

    def do_process(self, chunk):
        view = self.get_array().as_numpy()
        rows = view[chunk.start:chunk.end]
        return GLib.Variant.new_tuple(
            GLib.Variant.new_string(view.dtype.str),
            GLib.Variant.new_string(repr(view.shape)),
            GLib.Variant.new_boolean(view.flags.writeable),
            GLib.Variant.new_from_bytes(GLib.VariantType.new("ay"),
                                        GLib.Bytes.new(rows.tobytes()), True))

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen = {}

    def do_process_callback(self, chunk, result):
        self.seen[chunk.index] = (
            result.get_child_value(0).get_string(),
            result.get_child_value(1).get_string(),
            result.get_child_value(2).get_boolean(),
            result.get_child_value(3).get_data_as_bytes().get_data(),
        )


class RaisingWorker(Mpaio.Worker):
    """Raises a ValueError in do_process on chunk `fail-at`."""

    __gtype_name__ = "TestOvRaisingWorker"

    fail_at = GObject.Property(type=int, default=-1)

    def do_process(self, chunk):
        if chunk.index == self.fail_at:
            check_row(chunk.start)
        return GLib.Variant.new_uint64(chunk.index)


def check_row(row):
    # A frame of its own, so the traceback has more than the method's.
    raise ValueError("row %d is not welcome here" % row)


class CallbackWorker(Mpaio.Worker):
    """Its do_process_callback raises a KeyError on chunk `fail-at`, or
    with `fail-run-directly` calls fail_run() with an error of the test's
    domain."""

    __gtype_name__ = "TestOvCallbackWorker"

    fail_at = GObject.Property(type=int, default=-1)
    fail_run_directly = GObject.Property(type=bool, default=False)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.delivered = []

    def do_process(self, chunk):
        return GLib.Variant.new_uint64(chunk.index)

    def do_process_callback(self, chunk, result):
        self.delivered.append(chunk.index)
        if chunk.index == self.fail_at:
            if self.fail_run_directly:
                self.fail_run(GLib.Error.new_literal(TEST_ERROR, "results disagree", 5))
            else:
                {}["missing key %d" % chunk.index]


class EchoWorker(Mpaio.Worker):
    """Before answering, a chunk asks the main process's asyncio loop over a
    socket and waits for its reply: the run can only end if that loop runs
    while the run is in progress."""

    __gtype_name__ = "TestOvEchoWorker"

    address = GObject.Property(type=str, default="")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.total = 0

    def do_process(self, chunk):
        if self.address:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.connect(self.address)
                sock.sendall(b"?")
                assert sock.recv(1) == b"!"
        return GLib.Variant.new_int64(int(self.get_array().as_numpy()[chunk.start:chunk.end].sum()))

    def do_process_callback(self, chunk, result):
        self.total += result.get_int64()


# Functions for Mpaio.map: found by name in worker processes, so defined at
# the top level, above Mpaio.serve_if_worker().
def rows_summary(rows):
    return (int(rows[0]), int(rows[-1]), int(rows.sum()), rows.flags.writeable)


def square_into(rows, out):
    np.square(rows, out=out)
    return len(rows)


def fail_on_seven(rows):
    if 7 in rows:
        raise ArithmeticError("seven found")
    return 0


if Mpaio.serve_if_worker():
    sys.exit(0)


# ---------------------------------------------------------------------------
# Helpers (main process only)

N_WORKERS = 2
_pool = None


def pool():
    global _pool
    if _pool is None:
        _pool = Mpaio.ProcessPool.new(N_WORKERS)
    return _pool


def int_array(n_rows):
    array = Mpaio.SharedArray.new(Mpaio.DType.INT64, [n_rows])
    array.as_numpy()[:] = np.arange(1, n_rows + 1)
    return array


def expect_run_error(orchestrator, domain, code):
    try:
        orchestrator.run()
    except GLib.Error as error:
        assert error.matches(domain, code), "unexpected error %s %d: %s" % (
            error.domain, error.code, error.message)
        return error
    raise AssertionError("the run succeeded")


# ---------------------------------------------------------------------------
# Tests


def test_as_numpy_every_dtype():
    for dtype, numpy_dtype in DTYPES:
        item_size = np.dtype(numpy_dtype).itemsize
        array = Mpaio.SharedArray.new_full(dtype, item_size, [6, 2, 3],
                                           Mpaio.SharedArrayFlags.NONE)
        view = array.as_numpy()
        assert view.dtype == np.dtype(numpy_dtype), (dtype, view.dtype)
        assert view.shape == (6, 2, 3), view.shape
        # The creating process fills the array in.
        assert view.flags.writeable
        view[...] = sample(numpy_dtype, (6, 2, 3))

        # No copy: another view sees the same memory, as does the array.
        assert np.shares_memory(view, np.asarray(array))
        assert np.asarray(array).base is array

        worker = ViewWorker(data_iterator=Mpaio.DataIterator.new_partitioned(array, 3))
        Mpaio.Orchestrator.new(pool(), [worker]).run()
        assert sorted(worker.seen) == [0, 1, 2]
        for index, (dtype_str, shape, writable, data) in worker.seen.items():
            assert dtype_str == view.dtype.str, (dtype, dtype_str)
            assert shape == "(6, 2, 3)", shape
            # An input array is read-only in worker processes.
            assert not writable, dtype
            assert data == view[2 * index:2 * index + 2].tobytes(), (dtype, index)


def test_as_numpy_output_array_writable():
    array = Mpaio.SharedArray.new_full(Mpaio.DType.FLOAT32, 4, [5, 2],
                                       Mpaio.SharedArrayFlags.WRITABLE)
    worker = ViewWorker(data_iterator=Mpaio.DataIterator.new_partitioned(array, 2))
    Mpaio.Orchestrator.new(pool(), [worker]).run()
    assert all(writable for _, _, writable, _ in worker.seen.values())


def test_as_numpy_empty():
    array = Mpaio.SharedArray.new(Mpaio.DType.UINT16, [0, 4])
    view = array.as_numpy()
    assert view.shape == (0, 4) and view.dtype == np.uint16


def test_from_numpy():
    for _, numpy_dtype in DTYPES:
        source = sample(numpy_dtype, (4, 3))
        array = Mpaio.SharedArray.from_numpy(source)
        assert array.get_shape() == [4, 3]
        assert not array.get_flags() & Mpaio.SharedArrayFlags.WRITABLE
        view = array.as_numpy()
        assert view.dtype == source.dtype and np.array_equal(view, source), numpy_dtype
        # Copied once: the shared array is not the numpy array's memory.
        assert not np.shares_memory(view, source)


def test_from_numpy_options():
    writable = Mpaio.SharedArray.from_numpy(np.zeros(3), writable=True)
    assert writable.get_flags() & Mpaio.SharedArrayFlags.WRITABLE

    # Another byte order is converted to the host's; a strided view copied.
    swapped = np.arange(6, dtype=np.dtype(np.int32).newbyteorder())
    array = Mpaio.SharedArray.from_numpy(swapped[::2])
    assert array.as_numpy().tolist() == [0, 2, 4]
    assert array.as_numpy().dtype == np.int32

    for bad in (np.zeros(3, dtype=bool), np.zeros(2, dtype=complex), np.array(["text"])):
        try:
            Mpaio.SharedArray.from_numpy(bad)
        except TypeError as error:
            assert str(bad.dtype) in str(error), str(error)
        else:
            raise AssertionError("%s accepted" % bad.dtype)
    try:
        Mpaio.SharedArray.from_numpy(np.float64(1))
    except ValueError:
        pass
    else:
        raise AssertionError("a scalar accepted")


def test_process_exception_text():
    worker = RaisingWorker(data_iterator=Mpaio.DataIterator.new(int_array(100), 10), fail_at=3)
    error = expect_run_error(Mpaio.Orchestrator.new(pool(), [worker]),
                             Mpaio.error_quark(), Mpaio.Error.WORKER_FAILED)
    message = error.message
    # The chunk, the exception's type and message, and the lines that raised it.
    assert "Chunk 3" in message and "TestOvRaisingWorker" in message, message
    assert "ValueError: row 30 is not welcome here" in message, message
    assert "Traceback (most recent call last)" in message, message
    assert 'raise ValueError("row %d is not welcome here" % row)' in message, message
    assert "in check_row" in message and "in do_process" in message, message
    assert os.path.basename(__file__) in message, message


def test_process_exception_on_threads():
    worker = RaisingWorker(data_iterator=Mpaio.DataIterator.new(int_array(40), 10), fail_at=1)
    error = expect_run_error(Mpaio.Orchestrator.new(Mpaio.ThreadPool.new(2), [worker]),
                             Mpaio.error_quark(), Mpaio.Error.WORKER_FAILED)
    assert "ValueError: row 10 is not welcome here" in error.message, error.message


def test_callback_exception_fails_run():
    worker = CallbackWorker(data_iterator=Mpaio.DataIterator.new(int_array(100), 10), fail_at=0)
    orchestrator = Mpaio.Orchestrator.new(pool(), [worker])
    orchestrator.set_ordered(True)
    error = expect_run_error(orchestrator, Mpaio.error_quark(), Mpaio.Error.WORKER_FAILED)
    assert "KeyError: 'missing key 0'" in error.message, error.message
    assert "process_callback" in error.message and "Chunk 0" in error.message, error.message
    assert "in do_process_callback" in error.message, error.message
    # The run ended there: no callback after the failing one.
    assert worker.delivered == [0], worker.delivered
    assert not orchestrator.get_running()
    assert orchestrator.get_last_report() is not None


def test_fail_run_keeps_domain():
    worker = CallbackWorker(data_iterator=Mpaio.DataIterator.new(int_array(100), 10),
                            fail_at=2, fail_run_directly=True)
    orchestrator = Mpaio.Orchestrator.new(pool(), [worker])
    orchestrator.set_ordered(True)
    error = expect_run_error(orchestrator, TEST_ERROR, 5)
    assert "results disagree" in error.message, error.message
    assert worker.delivered == [0, 1, 2], worker.delivered

    # The next run starts afresh.
    worker.fail_at = -1
    orchestrator.run()
    assert len(worker.delivered) == 3 + 10


def test_run_blocking():
    worker = EchoWorker(data_iterator=Mpaio.DataIterator.new_partitioned(int_array(1000), 7))
    report = Mpaio.Orchestrator.new(pool(), [worker]).run()
    assert isinstance(report, Mpaio.RunReport)
    assert report.get_n_records() == 7
    assert worker.total == 1000 * 1001 // 2


async def serve_echo(address):
    """An asyncio server the EchoWorker's chunks must reach."""
    answered = []

    async def answer(reader, writer):
        assert await reader.readexactly(1) == b"?"
        writer.write(b"!")
        await writer.drain()
        writer.close()
        answered.append(True)

    server = await asyncio.start_unix_server(answer, address)
    return server, answered


async def echo_run(address, n_chunks=6):
    server, answered = await serve_echo(address)
    worker = EchoWorker(data_iterator=Mpaio.DataIterator.new_partitioned(int_array(600), n_chunks),
                        address=address)
    orchestrator = Mpaio.Orchestrator.new(pool(), [worker])
    async with server:
        report = await orchestrator.run_async()
    return report, worker, answered


def test_await_run_async_asyncio():
    with tempfile.TemporaryDirectory() as directory:
        address = os.path.join(directory, "echo")
        report, worker, answered = asyncio.run(echo_run(address))
    # Each chunk was answered by the asyncio loop while the run went on.
    assert len(answered) == 6
    assert report.get_n_records() == 6
    assert worker.total == 600 * 601 // 2


def test_await_run_async_anyio():
    import anyio

    async def main(address):
        return await echo_run(address, n_chunks=4)

    with tempfile.TemporaryDirectory() as directory:
        address = os.path.join(directory, "echo")
        report, worker, answered = anyio.run(main, address)
    assert len(answered) == 4 and report.get_n_records() == 4
    assert worker.total == 600 * 601 // 2


def test_await_run_async_error_and_gather():
    async def main():
        failing = Mpaio.Orchestrator.new(pool(), [RaisingWorker(
            data_iterator=Mpaio.DataIterator.new(int_array(50), 10), fail_at=2)])
        fine = Mpaio.Orchestrator.new(pool(), [EchoWorker(
            data_iterator=Mpaio.DataIterator.new(int_array(50), 10))])
        return await asyncio.gather(failing.run_async(), fine.run_async(),
                                    return_exceptions=True)

    error, report = asyncio.run(main())
    assert isinstance(error, GLib.Error), error
    assert "ValueError: row 20" in error.message, error.message
    assert isinstance(report, Mpaio.RunReport) and report.get_n_records() == 5


def test_await_run_async_cancelled():
    async def main(address):
        # The chunks wait for answers that never come until the task that
        # awaits the run is cancelled.
        gate = asyncio.Event()

        async def answer(reader, writer):
            await gate.wait()
            writer.close()

        server = await asyncio.start_unix_server(answer, address)
        worker = EchoWorker(data_iterator=Mpaio.DataIterator.new(int_array(40), 10),
                            address=address)
        orchestrator = Mpaio.Orchestrator.new(Mpaio.ProcessPool.new(1), [worker])
        task = asyncio.ensure_future(orchestrator.run_async())
        while orchestrator.get_n_chunks() == 0:
            await asyncio.sleep(0)
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        else:
            raise AssertionError("the run was not cancelled")
        # The run ends on the next pass of the main context.
        while orchestrator.get_running():
            await asyncio.sleep(0)
        gate.set()
        server.close()
        await server.wait_closed()
        return orchestrator

    with tempfile.TemporaryDirectory() as directory:
        orchestrator = asyncio.run(main(os.path.join(directory, "echo")))
    report = orchestrator.get_last_report()
    assert report is not None and not orchestrator.get_running()
    outcomes = {report.get_record(i).outcome for i in range(report.get_n_records())}
    assert Mpaio.ChunkOutcome.DONE not in outcomes, outcomes


def test_run_async_needs_loop_or_callback():
    orchestrator = Mpaio.Orchestrator.new(pool(), [EchoWorker(
        data_iterator=Mpaio.DataIterator.new(int_array(10), 5))])
    try:
        orchestrator.run_async()
    except RuntimeError as error:
        assert "run()" in str(error), str(error)
    else:
        raise AssertionError("run_async() started outside an asyncio loop")

    # The C form, with a callback, is unchanged.
    loop = GLib.MainLoop()
    reports = []

    def done(source, result, tag):
        reports.append((source.run_finish(result), tag))
        loop.quit()

    orchestrator.run_async(None, done, "tag")
    loop.run()
    assert reports[0][1] == "tag" and reports[0][0].get_n_records() == 2


def test_map_without_out():
    array = Mpaio.SharedArray.from_numpy(np.arange(100, dtype=np.int64))
    results = Mpaio.map(rows_summary, array, pool=pool(), partitions=4)
    # One result per chunk, in chunk order; the rows read-only.
    assert results == [
        (0, 24, sum(range(0, 25)), False),
        (25, 49, sum(range(25, 50)), False),
        (50, 74, sum(range(50, 75)), False),
        (75, 99, sum(range(75, 100)), False),
    ], results

    # A numpy array is copied into shared memory once; the default pool.
    results = Mpaio.map(rows_summary, np.arange(10, dtype=np.int32), partitions=2)
    assert [r[:3] for r in results] == [(0, 4, 10), (5, 9, 35)], results

    # Threads of this process work too, the rows read-only there as well.
    results = Mpaio.map(rows_summary, array, pool=Mpaio.ThreadPool.new(2), partitions=2)
    assert results == [(0, 49, sum(range(50)), False), (50, 99, sum(range(50, 100)), False)]


def test_map_with_out():
    x = Mpaio.SharedArray.from_numpy(np.arange(1000, dtype=np.float64))
    y = Mpaio.SharedArray.new_full(Mpaio.DType.FLOAT64, 8, [1000],
                                   Mpaio.SharedArrayFlags.WRITABLE)
    counts = Mpaio.map(square_into, x, out=y, pool=pool(), partitions=8)
    assert counts == [125] * 8, counts
    assert np.array_equal(y.as_numpy(), np.arange(1000, dtype=np.float64) ** 2)

    # A numpy out gets the rows back.
    out = np.zeros((30, 2))
    Mpaio.map(square_into, np.arange(60.0).reshape(30, 2), out=out, pool=pool())
    assert np.array_equal(out, np.arange(60.0).reshape(30, 2) ** 2)


def test_map_errors():
    try:
        Mpaio.map(lambda rows: 0, np.arange(4))
    except TypeError as error:
        assert "top level of a module" in str(error), str(error)
    else:
        raise AssertionError("a lambda accepted")

    try:
        Mpaio.map(square_into, np.arange(4.0), out=Mpaio.SharedArray.new(Mpaio.DType.FLOAT64, [4]))
    except ValueError as error:
        assert "WRITABLE" in str(error), str(error)
    else:
        raise AssertionError("a read-only out accepted")

    try:
        Mpaio.map(fail_on_seven, np.arange(20), pool=pool(), partitions=4)
    except GLib.Error as error:
        assert error.matches(Mpaio.error_quark(), Mpaio.Error.WORKER_FAILED)
        assert "ArithmeticError: seven found" in error.message, error.message
        assert "Chunk 1" in error.message, error.message
    else:
        raise AssertionError("the failing map succeeded")


STDIN_SCRIPT = """
import sys
import gi
gi.require_version("Mpaio", "1.0")
from gi.repository import GLib, Mpaio
import numpy as np

class ScriptWorker(Mpaio.Worker):
    __gtype_name__ = "TestOvStdinWorker"
    def do_process(self, chunk):
        return GLib.Variant.new_boolean(True)

if Mpaio.serve_if_worker():
    sys.exit(0)

# A function of an importable module: map() works.
print("map:", Mpaio.map(np.sum, np.arange(100), partitions=4))

# A class of this program: the pool says why it cannot be.
try:
    Mpaio.ProcessPool.new(2)
except GLib.Error as error:
    print("pool error:", error.code == Mpaio.Error.SPAWN_FAILED, error.message)
"""


def run_unrerunnable(argv):
    completed = subprocess.run(argv, input=STDIN_SCRIPT, text=True, capture_output=True,
                               timeout=120)
    assert completed.returncode == 0, completed.stderr
    lines = [line for line in completed.stdout.splitlines() if line.startswith(("map", "pool"))]
    # map() works with a function of an importable module (numpy.sum)...
    assert lines[0] == "map: [300, 925, 1550, 2175]", completed.stdout
    # ...and a pool that would start the program again says why it cannot.
    assert lines[1].startswith("pool error: True "), completed.stdout
    assert "Save the program to a file" in lines[1], lines[1]
    assert "Mpaio.ProcessPool.new_with_argv()" in lines[1], lines[1]
    return lines[1]


def test_script_from_stdin():
    message = run_unrerunnable([sys.executable, "-"])
    assert "read from standard input (python3 -)" in message, message


def test_interactive_prompt():
    # The prompt reading its lines from a pipe: what a REPL session does.
    message = run_unrerunnable([sys.executable, "-i", "-q"])
    assert "typed at the interactive prompt" in message, message


TESTS = [
    test_as_numpy_every_dtype,
    test_as_numpy_output_array_writable,
    test_as_numpy_empty,
    test_from_numpy,
    test_from_numpy_options,
    test_process_exception_text,
    test_process_exception_on_threads,
    test_callback_exception_fails_run,
    test_fail_run_keeps_domain,
    test_run_blocking,
    test_await_run_async_asyncio,
    test_await_run_async_anyio,
    test_await_run_async_error_and_gather,
    test_await_run_async_cancelled,
    test_run_async_needs_loop_or_callback,
    test_map_without_out,
    test_map_with_out,
    test_map_errors,
    test_script_from_stdin,
    test_interactive_prompt,
]


def main():
    return mpaio_tap.run(TESTS)


if __name__ == "__main__":
    sys.exit(main())
