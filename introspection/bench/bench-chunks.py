#!/usr/bin/python3
# bench-chunks.py: per-chunk cost of a Python worker whose `process` does
# nothing
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   bench-chunks.py [N_CHUNKS] [N_WORKERS]   (defaults 20000, 2)
#
# As bench-chunks.c: one-row chunks on a process pool, a cold run then warm
# runs; prints chunks per second, microseconds per chunk, and the mean time
# a chunk spent in `process` (between the worker process's timestamps).

import sys

import gi

gi.require_version("Mpaio", "1.0")
from gi.repository import GLib, Mpaio  # noqa: E402


class EmptyWorker(Mpaio.Worker):
    __gtype_name__ = "BenchPyEmptyWorker"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.n_results = 0

    def do_process(self, chunk):
        return GLib.Variant.new_boolean(True)

    def do_process_callback(self, chunk, result):
        self.n_results += 1


if Mpaio.serve_if_worker():
    sys.exit(0)


def main():
    n_chunks = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    n_workers = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    array = Mpaio.SharedArray.new(Mpaio.DType.INT64, [n_chunks])
    iterator = Mpaio.DataIterator.new(array, 1)
    pool = Mpaio.ProcessPool.new(n_workers)
    loop = GLib.MainLoop()

    for round in range(4):
        worker = EmptyWorker(data_iterator=iterator)
        orchestrator = Mpaio.Orchestrator.new(pool, [worker])
        outcome = {}

        def done(source, result):
            outcome["report"] = source.run_finish(result)
            loop.quit()

        orchestrator.run_async(None, done)
        loop.run()
        assert worker.n_results == n_chunks
        report = outcome["report"]
        seconds = report.get_wall_time()
        in_process = 0
        for i in range(report.get_n_records()):
            record = report.get_record(i)
            in_process += record.finished_us - record.started_us
        print("Python %s: %d chunks on %d workers in %.3f s: %.0f chunks/s, %.1f us/chunk; "
              "%.2f us in process per chunk" % (
                  "cold" if round == 0 else "warm", n_chunks, n_workers, seconds,
                  n_chunks / seconds, seconds * 1e6 / n_chunks, in_process / n_chunks))
    return 0


if __name__ == "__main__":
    sys.exit(main())
