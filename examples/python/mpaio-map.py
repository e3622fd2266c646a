#!/usr/bin/python3
# mpaio-map.py: a map, y = sqrt(x), computed by worker processes into an
# output array, with Mpaio.map and a plain Python function
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The Python twin of examples/mpaio-map.c: x holds 0, 1, ..., N - 1 as
# float64; y is a second shared array, created writable. Mpaio.map() hands
# sqrt_into() numpy views of each chunk's rows of x (read-only) and of y
# (writable) in a worker process, without a copy anywhere; no Worker
# subclass is needed.
#
#   meson devenv -C build -w . /usr/bin/python3 examples/python/mpaio-map.py
#
# Worker processes are this script started again: everything above the
# Mpaio.serve_if_worker() call runs in them too, so keep it to imports and
# definitions. Mpaio.map() finds sqrt_into there by its name.

import argparse
import sys
import time

import gi

gi.require_version("Mpaio", "1.0")
from gi.repository import GLib, Mpaio  # noqa: E402

import numpy as np  # noqa: E402
import numpy.typing as npt  # noqa: E402


def sqrt_into(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> int:
    """Runs in a worker process: y = sqrt(x) for one chunk's rows."""
    np.sqrt(x, out=y)
    return len(x)


if Mpaio.serve_if_worker():
    sys.exit(0)


def main() -> int:
    parser = argparse.ArgumentParser(description="compute y = sqrt(x) on worker processes")
    parser.add_argument("--size", type=int, default=5000000, help="rows of x and y")
    parser.add_argument("--chunks", type=int, default=16, help="chunks per run")
    parser.add_argument("--workers", type=int, default=0, help="worker processes (0: one per core)")
    parser.add_argument("--runs", type=int, default=2, help="runs over the same arrays")
    args = parser.parse_args()

    # x is copied into shared memory once; y is an output array.
    x = Mpaio.SharedArray.from_numpy(np.arange(args.size, dtype=np.float64))
    y = Mpaio.SharedArray.new_full(Mpaio.DType.FLOAT64, 8, [args.size],
                                   Mpaio.SharedArrayFlags.WRITABLE)
    pool = Mpaio.ProcessPool.new(args.workers)

    for run in range(args.runs):
        start = time.perf_counter()
        try:
            counts = Mpaio.map(sqrt_into, x, out=y, pool=pool, partitions=args.chunks)
        except GLib.Error as error:
            print("mpaio-map.py: error: %s" % error.message, file=sys.stderr)
            return 1
        print("run %d: %.3f ms" % (run + 1, (time.perf_counter() - start) * 1e3))

    values = y.as_numpy()
    print("rows: %d" % sum(counts))
    print("chunks: %d" % len(counts))
    print("sum: %r" % float(values.sum()))
    for i in list(range(0, args.size, max(1, args.size // 7))) + [args.size - 1]:
        print("y[%d]: %r" % (i, float(values[i])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
