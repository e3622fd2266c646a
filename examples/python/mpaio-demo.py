#!/usr/bin/python3
# mpaio-demo.py: sums integers and concatenates strings in one run, with
# workers written in Python
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The Python twin of examples/mpaio-demo.c: one shared int64 array holding
# 1..N, summed by an AddIntWorker through a numpy view of the shared memory,
# and one array of 100 strings "foo_0".."foo_99", concatenated in index order
# by a ConcatStrWorker, both processed in a single orchestrator run on a pool
# of worker processes.
#
#   meson devenv -C build -w . /usr/bin/python3 examples/python/mpaio-demo.py
#
# Worker processes are this script started again: everything above the
# Mpaio.serve_if_worker() call runs in them too, so keep it to imports and
# class definitions.

import argparse
import mmap
import os
import sys

import gi

gi.require_version("Mpaio", "1.0")
from gi.repository import GLib, GObject, Mpaio  # noqa: E402

import numpy as np  # noqa: E402

N_STRINGS = 100
STRING_ITEM_SIZE = 16

# One numpy view per shared array and process, made on first use. A view
# maps the array's memory: nothing is copied, in the main process or in
# worker processes. Keyed by the memory's inode, which is unique per array
# (an fd number could be reused by a later array).
_views = {}


def array_view(array, dtype):
    fd = array.get_fd()
    st = os.fstat(fd)
    key = (st.st_dev, st.st_ino, np.dtype(dtype).str)
    view = _views.get(key)
    if view is None:
        writable = not Mpaio.is_worker_process() or bool(
            array.get_flags() & Mpaio.SharedArrayFlags.WRITABLE
        )
        prot = mmap.PROT_READ | (mmap.PROT_WRITE if writable else 0)
        memory = mmap.mmap(fd, array.get_size(), prot=prot)
        view = np.frombuffer(memory, dtype=dtype)
        _views[key] = view
    return view


class AddIntWorker(Mpaio.Worker):
    """Sums a chunk of an int64 array."""

    __gtype_name__ = "DemoPyAddIntWorker"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Only the main process's instance accumulates a total.
        self.total = 0

    def do_process(self, chunk):
        # Runs in a worker process.
        rows = array_view(self.get_array(), np.int64)[chunk.start : chunk.end]
        # Sums wrap around modulo 2^64, as in C; the bits travel as an int64.
        return GLib.Variant.new_int64(int(rows.sum(dtype=np.int64)))

    def do_process_callback(self, chunk, result):
        # Runs in the main process.
        self.total = (self.total + result.get_int64()) % 2**64


class ConcatStrWorker(Mpaio.Worker):
    """Concatenates a chunk of a fixed-width string array."""

    __gtype_name__ = "DemoPyConcatStrWorker"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.parts = []

    def do_process(self, chunk):
        array = self.get_array()
        rows = array_view(array, "S%d" % array.get_item_size())[chunk.start : chunk.end]
        # numpy drops the NUL padding of "S" items.
        return GLib.Variant.new_string(b"".join(rows).decode("utf-8"))

    def do_process_callback(self, chunk, result):
        self.parts.append(result.get_string())

    @property
    def result(self):
        return "".join(self.parts)


# Worker processes serve chunks here and leave through sys.exit(), so that
# Python finishes normally (output flushed, atexit handlers run).
if Mpaio.serve_if_worker():
    sys.exit(0)


def make_int_array(n_rows):
    array = Mpaio.SharedArray.new(Mpaio.DType.INT64, [n_rows])
    # The creating process fills the array through a writable view, a block
    # at a time so that no second copy of the array is ever made.
    view = array_view(array, np.int64)
    block = 1 << 20
    for start in range(0, n_rows, block):
        end = min(n_rows, start + block)
        view[start:end] = np.arange(start + 1, end + 1, dtype=np.int64)
    return array


def make_string_array():
    array = Mpaio.SharedArray.new_full(
        Mpaio.DType.STRING, STRING_ITEM_SIZE, [N_STRINGS], Mpaio.SharedArrayFlags.NONE
    )
    view = array_view(array, "S%d" % STRING_ITEM_SIZE)
    view[:] = [b"foo_%d" % i for i in range(N_STRINGS)]
    return array


def make_executor(kind, n_workers, explicit_workers):
    if kind == "process":
        return Mpaio.ProcessPool.new(n_workers)
    if kind == "mpi":
        # Started by mpirun: --workers counts the worker processes of each host.
        return Mpaio.MpiExecutor.new(n_workers if explicit_workers else 0)
    return Mpaio.ThreadPool.new(n_workers)


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Sum integers and concatenate strings with mpaio, workers in Python"
    )
    parser.add_argument("-w", "--workers", type=int, default=0, metavar="N",
                        help="number of worker processes or threads (default: one per core)")
    parser.add_argument("-p", "--partitions", type=int, default=0, metavar="P",
                        help="number of chunks each array is cut into "
                             "(default: the number of workers)")
    parser.add_argument("-s", "--size", type=int, default=100_000_000, metavar="N",
                        help="number of integers to sum (default: 100000000)")
    parser.add_argument("-e", "--executor", choices=("process", "thread", "mpi"),
                        default="process",
                        help="where chunks run (default: process; mpi when started by mpirun)")
    args = parser.parse_args(argv)
    if args.workers < 0 or args.partitions < 0 or args.size < 1:
        parser.error("--workers and --partitions cannot be negative, "
                     "and --size must be at least 1")
    return args


def main(argv):
    args = parse_args(argv)
    n_workers = args.workers or Mpaio.get_n_cores()
    try:
        executor = make_executor(args.executor, n_workers, args.workers > 0)
    except GLib.Error as error:
        print("mpaio-demo.py: error: %s" % error.message, file=sys.stderr)
        return 1
    if args.executor == "mpi":
        n_workers = executor.get_n_workers()
    n_partitions = args.partitions or n_workers

    int_array = make_int_array(args.size)
    string_array = make_string_array()

    add_worker = AddIntWorker(
        data_iterator=Mpaio.DataIterator.new_partitioned(int_array, n_partitions))
    concat_worker = ConcatStrWorker(
        data_iterator=Mpaio.DataIterator.new_partitioned(string_array, n_partitions))

    orchestrator = Mpaio.Orchestrator.new(executor, [add_worker, concat_worker])
    # Results come back in any order; the strings must be joined in index order.
    orchestrator.set_ordered(True)

    loop = GLib.MainLoop()
    outcome = {}

    def run_done(source, result):
        try:
            outcome["report"] = source.run_finish(result)
        except GLib.Error as error:
            outcome["error"] = error
        loop.quit()

    orchestrator.run_async(None, run_done)
    loop.run()

    if "error" in outcome:
        print("mpaio-demo.py: error: %s" % outcome["error"].message, file=sys.stderr)
        return 1

    print("sum: %d" % add_worker.total)
    print("concat: %s" % concat_worker.result)
    print("time: %.3f s" % outcome["report"].get_wall_time())
    print("chunks: %d" % orchestrator.get_n_chunks())
    if args.executor == "mpi":
        report = outcome["report"]
        ranks = {report.get_record(i).rank for i in range(report.get_n_records())}
        print("ranks: %d" % len(ranks))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
