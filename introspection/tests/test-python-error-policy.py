#!/usr/bin/python3
# test-python-error-policy.py: Mpaio.Orchestrator's error policy and the
# report of a failed or cancelled run, from Python through the typelib
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Prints TAP. Worker processes are this script started again: everything
# above the Mpaio.serve_if_worker() call runs in them too.

import sys

import gi

gi.require_version("Mpaio", "1.0")
from gi.repository import Gio, GLib, Mpaio  # noqa: E402

import mpaio_tap  # noqa: E402


class RefuseWorker(Mpaio.Worker):
    """Returns its chunk's index; raises on the chunks whose index is a
    multiple of 4."""

    __gtype_name__ = "PyRefuseWorker"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.delivered = []

    def do_process(self, chunk):
        if chunk.index % 4 == 0:
            raise GLib.Error.new_literal(Gio.io_error_quark(), "refused chunk %d" % chunk.index,
                                         Gio.IOErrorEnum.INVALID_DATA)
        return GLib.Variant.new_uint64(chunk.index)

    def do_process_callback(self, chunk, result):
        assert result.get_uint64() == chunk.index
        self.delivered.append(chunk.index)


if Mpaio.serve_if_worker():
    sys.exit(0)


def run(orchestrator, cancellable=None):
    """Runs to the end: returns (report, error), one of them None."""
    loop = GLib.MainLoop()
    outcome = {}

    def done(source, result):
        try:
            outcome["report"] = source.run_finish(result)
        except GLib.Error as error:
            outcome["error"] = error
        loop.quit()

    orchestrator.run_async(cancellable, done)
    loop.run()
    return outcome.get("report"), outcome.get("error")


def new_orchestrator(executor, policy, n_chunks=20):
    array = Mpaio.SharedArray.new(Mpaio.DType.INT64, [n_chunks])
    worker = RefuseWorker(data_iterator=Mpaio.DataIterator.new(array, 1))
    orchestrator = Mpaio.Orchestrator.new(executor, [worker])
    orchestrator.props.error_policy = policy
    return orchestrator, worker


def outcomes(report):
    by_chunk = {}
    for i in range(report.get_n_records()):
        record = report.get_record(i)
        by_chunk[record.chunk_index] = record
    return by_chunk


def test_enums_visible():
    assert Mpaio.ErrorPolicy.__gtype__.name == "MpaioErrorPolicy"
    assert Mpaio.ChunkOutcome.__gtype__.name == "MpaioChunkOutcome"
    array = Mpaio.SharedArray.new(Mpaio.DType.INT64, [4])
    worker = RefuseWorker(data_iterator=Mpaio.DataIterator.new(array, 1))
    orchestrator = Mpaio.Orchestrator.new(Mpaio.ThreadPool.new(1), [worker])
    assert orchestrator.props.error_policy == Mpaio.ErrorPolicy.FINISH_IN_FLIGHT
    assert orchestrator.get_last_report() is None


def check_continue(executor):
    orchestrator, worker = new_orchestrator(executor, Mpaio.ErrorPolicy.CONTINUE)
    report, error = run(orchestrator)
    assert report is None
    # The first failure's own domain and code, with all of them counted.
    assert error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.INVALID_DATA), error.message
    assert error.message.startswith("5 of 20 chunks failed: Chunk 0 (rows 0 to 1)"), error.message
    assert "and 2 more" in error.message, error.message

    # The run raised, and its report is still there.
    last = orchestrator.get_last_report()
    assert last is orchestrator.props.last_report
    assert last.count_outcome(Mpaio.ChunkOutcome.FAILED) == 5
    assert last.count_outcome(Mpaio.ChunkOutcome.DONE) == 15
    records = outcomes(last)
    assert sorted(records) == list(range(20))
    for index, record in records.items():
        if index % 4 == 0:
            assert record.get_outcome() == Mpaio.ChunkOutcome.FAILED
            assert "refused chunk %d" % index in record.get_error().message
        else:
            assert record.get_outcome() == Mpaio.ChunkOutcome.DONE
            assert record.get_error() is None
    assert sorted(worker.delivered) == [i for i in range(20) if i % 4 != 0]


def test_continue_process_pool():
    check_continue(Mpaio.ProcessPool.new(2))


def test_continue_thread_pool():
    check_continue(Mpaio.ThreadPool.new(2))


def test_cancelled_before_start():
    orchestrator, worker = new_orchestrator(Mpaio.ProcessPool.new(2),
                                            Mpaio.ErrorPolicy.FAIL_FAST)
    cancellable = Gio.Cancellable()
    cancellable.cancel()
    report, error = run(orchestrator, cancellable)
    assert error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)
    last = orchestrator.get_last_report()
    assert last.get_n_records() == 20
    assert last.count_outcome(Mpaio.ChunkOutcome.NOT_SENT) == 20
    assert worker.delivered == []


TESTS = [
    test_enums_visible,
    test_continue_process_pool,
    test_continue_thread_pool,
    test_cancelled_before_start,
]


def main():
    return mpaio_tap.run(TESTS)


if __name__ == "__main__":
    sys.exit(main())
