#!/usr/bin/python3
# mpaio-numpy.py: numpy on worker processes with mpaio: a map, a reduction,
# a histogram, and a run awaited from asyncio
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The program of the guide "Python and numpy" (docs/python-numpy.md). Each
# result is checked against numpy computing the same in one process; the
# program exits with status 1 if one differs.
#
#   meson devenv -C build -w . /usr/bin/python3 examples/python/mpaio-numpy.py
#
# Worker processes are this script started again: everything above the
# Mpaio.serve_if_worker() call runs in them too, so keep it to imports and
# definitions. Mpaio.map() finds its functions there by name.

import argparse
import asyncio
import sys
from typing import Any

import gi

gi.require_version("Mpaio", "1.0")
from gi.repository import GLib, GObject, Mpaio  # noqa: E402

import numpy as np  # noqa: E402
import numpy.typing as npt  # noqa: E402

Floats = npt.NDArray[np.float64]

# Module-level constants are seen by worker processes too: they run this
# module.
BINS = 64
RANGE = (-4.0, 4.0)


# --- map: y = f(x), written into an output array -----------------------------

def standardize_into(x: Floats, y: Floats) -> None:
    """A chunk's rows of y = (x - 1) / 2 (the data's mean and spread)."""
    np.subtract(x, 1.0, out=y)
    y /= 2.0


# --- reduce: per-chunk partial results, combined in the main process -------------

def partial_moments(x: Floats) -> tuple[int, float, float]:
    """Count, sum and sum of squares of a chunk's rows."""
    return len(x), float(x.sum()), float(np.dot(x, x))


# --- histogram: per-chunk counts, added up --------------------------------------

def partial_histogram(x: Floats) -> npt.NDArray[np.int64]:
    counts, _ = np.histogram(x, bins=BINS, range=RANGE)
    return counts


# --- asyncio: a Worker subclass, its parameters as properties --------------------

class ThresholdWorker(Mpaio.Worker):
    """Counts the rows of each chunk above `threshold`."""

    __gtype_name__ = "NumpyExampleThresholdWorker"

    threshold = GObject.Property(type=float, default=0.0)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.count = 0

    def do_process(self, chunk: Mpaio.Chunk) -> GLib.Variant:
        rows = self.get_array().as_numpy()[chunk.start:chunk.end]
        return GLib.Variant.new_uint64(int(np.count_nonzero(rows > self.threshold)))

    def do_process_callback(self, chunk: Mpaio.Chunk, result: GLib.Variant) -> None:
        self.count += result.get_uint64()


if Mpaio.serve_if_worker():
    sys.exit(0)


async def count_above(pool: Mpaio.Executor, x: Mpaio.SharedArray, threshold: float,
                      chunks: int) -> int:
    worker = ThresholdWorker(data_iterator=Mpaio.DataIterator.new_partitioned(x, chunks),
                             threshold=threshold)
    orchestrator = Mpaio.Orchestrator.new(pool, [worker])
    # The asyncio loop goes on while the chunks run: here a task counts its
    # turns, and it gets some before the run is over.
    turns = 0

    async def other_work() -> None:
        nonlocal turns
        while True:
            turns += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(other_work())
    await orchestrator.run_async()
    task.cancel()
    print("asyncio loop turns during the run: %s" % ("some" if turns > 0 else "none"))
    return worker.count


def main() -> int:
    parser = argparse.ArgumentParser(description="numpy on worker processes with mpaio")
    parser.add_argument("--size", type=int, default=4_000_000, help="rows of data")
    parser.add_argument("--chunks", type=int, default=16, help="chunks per run")
    parser.add_argument("--workers", type=int, default=0, help="worker processes (0: one per core)")
    args = parser.parse_args()

    pool = Mpaio.ProcessPool.new(args.workers)
    data = np.random.default_rng(7).normal(1.0, 2.0, args.size)
    # Copied once into shared memory; worker processes map it read-only.
    x = Mpaio.SharedArray.from_numpy(data)
    ok = True

    def check(name: str, same: bool) -> None:
        nonlocal ok
        ok = ok and same
        print("%s matches numpy: %s" % (name, "yes" if same else "NO"))

    # map
    y = Mpaio.SharedArray.new_full(Mpaio.DType.FLOAT64, 8, [args.size],
                                   Mpaio.SharedArrayFlags.WRITABLE)
    Mpaio.map(standardize_into, x, out=y, pool=pool, partitions=args.chunks)
    check("map", np.allclose(y.as_numpy(), (data - 1.0) / 2.0))

    # reduce
    parts = Mpaio.map(partial_moments, x, pool=pool, partitions=args.chunks)
    n = sum(count for count, _, _ in parts)
    mean = sum(total for _, total, _ in parts) / n
    variance = sum(squares for _, _, squares in parts) / n - mean * mean
    print("mean %.4f, standard deviation %.4f" % (mean, variance ** 0.5))
    check("reduce", np.isclose(mean, data.mean()) and np.isclose(variance, data.var()))

    # histogram
    counts = sum(Mpaio.map(partial_histogram, x, pool=pool, partitions=args.chunks))
    check("histogram", np.array_equal(counts, np.histogram(data, bins=BINS, range=RANGE)[0]))

    # asyncio
    above = asyncio.run(count_above(pool, x, 3.0, args.chunks))
    check("asyncio count", above == np.count_nonzero(data > 3.0))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
