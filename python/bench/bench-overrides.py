#!/usr/bin/python3
# bench-overrides.py: per-chunk cost of a Python worker with the Mpaio
# overrides loaded, against the same worker on the bare typelib
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   bench-overrides.py [N_CHUNKS] [ROUNDS]   (defaults 20000, 7)
#
# Each measurement is a process of its own, this script started again with
# --mode: "bare" hides the overrides from PyGObject, "overrides" loads them
# (their do_process and do_process_callback wrappers, which turn exceptions
# into errors, run on every chunk). Two workloads of one-row chunks on two
# worker processes: "empty" (process returns a boolean), and "view" (process
# slices its chunk's rows from a numpy view of the array: on the bare
# typelib a view of an mmap of the array's fd, made once and found again by
# the fd's inode as the examples did before the overrides; with them,
# array.as_numpy() on every chunk). The modes alternate, ROUNDS times; each
# process does a cold run then three warm ones, and reports its best warm
# microseconds per chunk (the least disturbed by the other processes of a
# small machine). Prints the medians of those over the rounds and the ratio
# overrides / bare (the goal is at most 1.2).

import os
import statistics
import subprocess
import sys


def parse_mode():
    for i, arg in enumerate(sys.argv):
        if arg == "--mode":
            return sys.argv[i + 1], sys.argv[i + 2]
    return None, None


MODE, WORKLOAD = parse_mode()

import gi  # noqa: E402

if MODE == "bare":
    # PyGObject finds overrides through gi.overrides.__path__: without the
    # directories that hold Mpaio's, the bare typelib is what it gets.
    import gi.overrides  # noqa: E402

    gi.overrides.__path__[:] = [path for path in gi.overrides.__path__
                                if not os.path.exists(os.path.join(path, "Mpaio.py"))]

gi.require_version("Mpaio", "1.0")
from gi.repository import GLib, Mpaio  # noqa: E402

if MODE is not None:
    assert hasattr(Mpaio.SharedArray, "as_numpy") == (MODE == "overrides"), MODE


class EmptyWorker(Mpaio.Worker):
    __gtype_name__ = "BenchPyOvEmptyWorker"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.n_results = 0

    def do_process(self, chunk):
        return GLib.Variant.new_boolean(True)

    def do_process_callback(self, chunk, result):
        self.n_results += 1


_bare_views = {}


def bare_view(array):
    # What programs on the bare typelib did: a view of an mmap of the fd,
    # made once per array and process, found again by the memory's inode (an
    # fd number may be reused by a later array).
    import mmap

    import numpy as np

    st = os.fstat(array.get_fd())
    key = (st.st_dev, st.st_ino)
    view = _bare_views.get(key)
    if view is None:
        memory = mmap.mmap(array.get_fd(), array.get_size(), flags=mmap.MAP_PRIVATE,
                           prot=mmap.PROT_READ)
        view = np.frombuffer(memory, dtype=np.int64)
        _bare_views[key] = view
    return view


class ViewWorker(EmptyWorker):
    __gtype_name__ = "BenchPyOvViewWorker"

    def do_process(self, chunk):
        array = self.get_array()
        if MODE == "overrides":
            rows = array.as_numpy()[chunk.start:chunk.end]
        else:
            rows = bare_view(array)[chunk.start:chunk.end]
        return GLib.Variant.new_boolean(len(rows) == 1)

    def do_process_callback(self, chunk, result):
        self.n_results += 1


if Mpaio.serve_if_worker():
    sys.exit(0)


def measure(n_chunks):
    """One process's figure: the best warm microseconds per chunk."""
    array = Mpaio.SharedArray.new(Mpaio.DType.INT64, [n_chunks])
    iterator = Mpaio.DataIterator.new(array, 1)
    pool = Mpaio.ProcessPool.new(2)
    worker_type = EmptyWorker if WORKLOAD == "empty" else ViewWorker
    loop = GLib.MainLoop()
    per_chunk = []
    for round in range(4):
        worker = worker_type(data_iterator=iterator)
        orchestrator = Mpaio.Orchestrator.new(pool, [worker])
        outcome = {}

        def done(source, result):
            outcome["report"] = source.run_finish(result)
            loop.quit()

        # The C form with a callback: the same on both modes.
        Mpaio.Orchestrator.run_async(orchestrator, None, done)
        loop.run()
        assert worker.n_results == n_chunks
        if round > 0:
            per_chunk.append(outcome["report"].get_wall_time() * 1e6 / n_chunks)
    print("%.3f" % min(per_chunk))
    return 0


def main():
    n_chunks = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    print("per-chunk cost of a Python worker, %d one-row chunks on 2 worker processes, "
          "%d rounds (the best of 3 warm runs each)" % (n_chunks, rounds))
    for workload in ("empty", "view"):
        figures = {"bare": [], "overrides": []}
        for _ in range(rounds):
            for mode in ("bare", "overrides"):
                out = subprocess.run([sys.executable, __file__, str(n_chunks),
                                      "--mode", mode, workload],
                                     check=True, capture_output=True, text=True, timeout=600)
                figures[mode].append(float(out.stdout.split()[-1]))
        bare = statistics.median(figures["bare"])
        overrides = statistics.median(figures["overrides"])
        ratio = overrides / bare
        print("%-5s bare typelib: %.2f us/chunk; with overrides: %.2f us/chunk; "
              "ratio %.3f (goal <= 1.2: %s)" % (workload, bare, overrides, ratio,
                                                 "met" if ratio <= 1.2 else "NOT met"))
    return 0


if __name__ == "__main__":
    if MODE is not None:
        sys.exit(measure(int(sys.argv[1])))
    sys.exit(main())
