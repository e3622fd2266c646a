#!/usr/bin/python3
# mpaio-map.py: a map, y = sqrt(x), computed by worker processes into an
# output array, with the worker written in Python
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The Python twin of examples/mpaio-map.c: x holds 0, 1, ..., N - 1 as
# float64; y is a second shared array, created writable. The worker gets x
# as its data iterator's array and y as a property of type
# Mpaio.SharedArray, a parameter like any other: each worker process maps
# both once (x read-only, y writable) and writes its chunks' rows of y
# through numpy views, without a copy anywhere.
#
#   meson devenv -C build -w . /usr/bin/python3 examples/python/mpaio-map.py
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

# One numpy view per shared array and process, made on first use, keyed by
# the memory's inode (an fd number could be reused by a later array).
_views = {}


def array_view(array):
    fd = array.get_fd()
    st = os.fstat(fd)
    key = (st.st_dev, st.st_ino)
    view = _views.get(key)
    if view is None:
        writable = not Mpaio.is_worker_process() or bool(
            array.get_flags() & Mpaio.SharedArrayFlags.WRITABLE
        )
        prot = mmap.PROT_READ | (mmap.PROT_WRITE if writable else 0)
        view = np.frombuffer(mmap.mmap(fd, array.get_size(), prot=prot), dtype=np.float64)
        _views[key] = view
    return view


class SqrtWorker(Mpaio.Worker):
    """y[start:end] = sqrt(x[start:end]), x the data iterator's array."""

    __gtype_name__ = "DemoPySqrtWorker"

    output = GObject.Property(type=Mpaio.SharedArray)

    def do_process(self, chunk):
        x = array_view(self.get_array())
        y = array_view(self.output)
        np.sqrt(x[chunk.start:chunk.end], out=y[chunk.start:chunk.end])
        return GLib.Variant.new_uint64(chunk.end - chunk.start)


if Mpaio.serve_if_worker():
    sys.exit(0)


def main():
    parser = argparse.ArgumentParser(description="compute y = sqrt(x) on worker processes")
    parser.add_argument("--size", type=int, default=5000000, help="rows of x and y")
    parser.add_argument("--chunks", type=int, default=16, help="chunks per run")
    parser.add_argument("--workers", type=int, default=0, help="worker processes (0: one per core)")
    parser.add_argument("--runs", type=int, default=2, help="runs over the same arrays")
    args = parser.parse_args()

    x = Mpaio.SharedArray.new(Mpaio.DType.FLOAT64, [args.size])
    y = Mpaio.SharedArray.new_full(Mpaio.DType.FLOAT64, 8, [args.size],
                                   Mpaio.SharedArrayFlags.WRITABLE)
    array_view(x)[:] = np.arange(args.size, dtype=np.float64)

    worker = SqrtWorker(data_iterator=Mpaio.DataIterator.new_partitioned(x, args.chunks),
                        output=y)
    orchestrator = Mpaio.Orchestrator.new(Mpaio.ProcessPool.new(args.workers), [worker])
    loop = GLib.MainLoop()

    for run in range(args.runs):
        outcome = {}

        def done(source, result):
            try:
                outcome["report"] = source.run_finish(result)
            except GLib.Error as error:
                outcome["error"] = error
            loop.quit()

        orchestrator.run_async(None, done)
        loop.run()
        if "error" in outcome:
            print("mpaio-map.py: error: %s" % outcome["error"].message, file=sys.stderr)
            return 1
        print("run %d: %.3f ms" % (run + 1, outcome["report"].get_wall_time() * 1e3))

    values = array_view(y)
    print("rows: %d" % args.size)
    print("chunks: %d" % orchestrator.get_n_chunks())
    print("sum: %r" % float(values.sum()))
    for i in list(range(0, args.size, max(1, args.size // 7))) + [args.size - 1]:
        print("y[%d]: %r" % (i, float(values[i])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
