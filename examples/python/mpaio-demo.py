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
# of worker processes, awaited from asyncio.
#
#   meson devenv -C build -w . /usr/bin/python3 examples/python/mpaio-demo.py
#
# Worker processes are this script started again: everything above the
# Mpaio.serve_if_worker() call runs in them too, so keep it to imports and
# class definitions.

import argparse
import asyncio
import sys
from typing import Any

import gi

gi.require_version("Mpaio", "1.0")
from gi.repository import GLib, Mpaio  # noqa: E402

import numpy as np  # noqa: E402

N_STRINGS = 100
STRING_ITEM_SIZE = 16


class AddIntWorker(Mpaio.Worker):
    """Sums a chunk of an int64 array."""

    __gtype_name__ = "DemoPyAddIntWorker"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # Only the main process's instance accumulates a total.
        self.total = 0

    def do_process(self, chunk: Mpaio.Chunk) -> GLib.Variant:
        # Runs in a worker process; the view is the shared memory itself.
        rows = self.get_array().as_numpy()[chunk.start:chunk.end]
        # Sums wrap around modulo 2^64, as in C; the bits travel as an int64.
        return GLib.Variant.new_int64(int(rows.sum(dtype=np.int64)))

    def do_process_callback(self, chunk: Mpaio.Chunk, result: GLib.Variant) -> None:
        # Runs in the main process.
        self.total = (self.total + result.get_int64()) % 2**64


class ConcatStrWorker(Mpaio.Worker):
    """Concatenates a chunk of a fixed-width string array."""

    __gtype_name__ = "DemoPyConcatStrWorker"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.parts: list[str] = []

    def do_process(self, chunk: Mpaio.Chunk) -> GLib.Variant:
        rows = self.get_array().as_numpy()[chunk.start:chunk.end]
        # numpy drops the NUL padding of "S" items.
        return GLib.Variant.new_string(b"".join(rows).decode("utf-8"))

    def do_process_callback(self, chunk: Mpaio.Chunk, result: GLib.Variant) -> None:
        self.parts.append(result.get_string())

    @property
    def result(self) -> str:
        return "".join(self.parts)


# Worker processes serve chunks here and leave through sys.exit(), so that
# Python finishes normally (output flushed, atexit handlers run).
if Mpaio.serve_if_worker():
    sys.exit(0)


def make_int_array(n_rows: int) -> Mpaio.SharedArray:
    array = Mpaio.SharedArray.new(Mpaio.DType.INT64, [n_rows])
    # The creating process fills the array in place, a block at a time so
    # that no second copy of the array is ever made.
    view = array.as_numpy()
    block = 1 << 20
    for start in range(0, n_rows, block):
        end = min(n_rows, start + block)
        view[start:end] = np.arange(start + 1, end + 1, dtype=np.int64)
    return array


def make_string_array() -> Mpaio.SharedArray:
    strings = np.array([b"foo_%d" % i for i in range(N_STRINGS)], dtype="S%d" % STRING_ITEM_SIZE)
    return Mpaio.SharedArray.from_numpy(strings)


def make_executor(kind: str, n_workers: int, explicit_workers: bool) -> Mpaio.Executor:
    if kind == "process":
        return Mpaio.ProcessPool.new(n_workers)
    if kind == "mpi":
        # Started by mpirun: --workers counts the worker processes of each host.
        return Mpaio.MpiExecutor.new(n_workers if explicit_workers else 0)
    return Mpaio.ThreadPool.new(n_workers)


def parse_args(argv: list[str]) -> argparse.Namespace:
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


async def main(argv: list[str]) -> int:
    args = parse_args(argv)
    n_workers = args.workers or Mpaio.get_n_cores()
    try:
        executor = make_executor(args.executor, n_workers, args.workers > 0)
    except GLib.Error as error:
        print("mpaio-demo.py: error: %s" % error.message, file=sys.stderr)
        return 1
    if isinstance(executor, Mpaio.MpiExecutor):
        n_workers = executor.get_n_workers()
    n_partitions = args.partitions or n_workers

    add_worker = AddIntWorker(
        data_iterator=Mpaio.DataIterator.new_partitioned(make_int_array(args.size), n_partitions))
    concat_worker = ConcatStrWorker(
        data_iterator=Mpaio.DataIterator.new_partitioned(make_string_array(), n_partitions))

    orchestrator = Mpaio.Orchestrator.new(executor, [add_worker, concat_worker])
    # Results come back in any order; the strings must be joined in index order.
    orchestrator.set_ordered(True)

    # The asyncio loop keeps running while the workers compute.
    try:
        report = await orchestrator.run_async()
    except GLib.Error as error:
        print("mpaio-demo.py: error: %s" % error.message, file=sys.stderr)
        return 1

    print("sum: %d" % add_worker.total)
    print("concat: %s" % concat_worker.result)
    print("time: %.3f s" % report.get_wall_time())
    print("chunks: %d" % orchestrator.get_n_chunks())
    if args.executor == "mpi":
        ranks = {report.get_record(i).rank for i in range(report.get_n_records())}
        print("ranks: %d" % len(ranks))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
