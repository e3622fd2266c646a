#!/usr/bin/python3
# bench-python.py: the Python reference for the mpaio benchmarks
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   bench-python.py dispatch [N_POOL] [N_EXECUTOR]
#   bench-python.py sum [N]
#
# What a Python user would write instead of mpaio, on the same workloads:
#
# dispatch  empty tasks through multiprocessing.Pool(2).imap_unordered
#           (chunksize=1) and concurrent.futures.ProcessPoolExecutor(2).map;
#           tasks per second, the median of 3 runs on a warm pool.
# sum       the sum of 1..N (int64, default 100 M) held in
#           multiprocessing.shared_memory.SharedMemory, numpy views attached
#           once per worker process (the pool's initializer), 2 processes,
#           2 partitions; the filling of the array is not timed; seconds,
#           the median of 3 runs on a warm pool (pages already touched).
#
# The last line of output is a flat JSON object of numbers, which the C
# benchmarks (bench-dispatch, bench-demo) read.

import concurrent.futures
import json
import multiprocessing
import statistics
import sys
import time

REPEATS = 3


def empty(x):
    return x


def median_time(fn, repeats=REPEATS):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def dispatch(n_pool, n_executor):
    result = {"mp_pool_tasks": float(n_pool), "executor_tasks": float(n_executor)}

    def run_pool(pool, n):
        for _ in pool.imap_unordered(empty, range(n), chunksize=1):
            pass

    with multiprocessing.Pool(2) as pool:
        run_pool(pool, 2000)
        seconds = median_time(lambda: run_pool(pool, n_pool))
        result["mp_pool_rate"] = n_pool / seconds

    def run_executor(executor, n):
        for _ in executor.map(empty, range(n)):
            pass

    with concurrent.futures.ProcessPoolExecutor(2) as executor:
        run_executor(executor, 1000)
        seconds = median_time(lambda: run_executor(executor, n_executor))
        result["executor_rate"] = n_executor / seconds

    return result


# The worker processes' view of the array, set by the pool's initializer.
_shm = None
_array = None


def attach(name, n):
    global _shm, _array
    import numpy as np
    from multiprocessing import shared_memory

    # Forked workers share the creator's resource tracker, so attaching
    # registers nothing new and the creator's unlink() stays the only one.
    _shm = shared_memory.SharedMemory(name=name)
    _array = np.ndarray((n,), dtype=np.int64, buffer=_shm.buf)


def partial_sum(bounds):
    start, end = bounds
    return int(_array[start:end].sum())


def demo_sum(n):
    import numpy as np
    from multiprocessing import shared_memory

    result = {"n": float(n)}
    shm = shared_memory.SharedMemory(create=True, size=n * 8)
    try:
        array = np.ndarray((n,), dtype=np.int64, buffer=shm.buf)
        step = 10_000_000
        for start in range(0, n, step):
            end = min(start + step, n)
            array[start:end] = np.arange(start + 1, end + 1, dtype=np.int64)
        expected = n * (n + 1) // 2
        half = n // 2
        parts = [(0, half), (half, n)]

        start = time.perf_counter()
        total = int(array.sum())
        result["numpy_serial_s"] = time.perf_counter() - start
        if total != expected:
            raise SystemExit(f"numpy sum {total} != {expected}")

        def run(submit_map):
            total = sum(submit_map(partial_sum, parts))
            if total != expected:
                raise SystemExit(f"sum {total} != {expected}")

        with multiprocessing.Pool(2, initializer=attach, initargs=(shm.name, n)) as pool:
            run(pool.map)
            result["mp_pool_sum_s"] = median_time(lambda: run(pool.map))

        with concurrent.futures.ProcessPoolExecutor(
                2, initializer=attach, initargs=(shm.name, n)) as executor:
            run(executor.map)
            result["executor_sum_s"] = median_time(lambda: run(executor.map))

        del array
    finally:
        shm.close()
        shm.unlink()

    return result


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "dispatch"
    if mode == "dispatch":
        n_pool = int(sys.argv[2]) if len(sys.argv) > 2 else 40_000
        n_executor = int(sys.argv[3]) if len(sys.argv) > 3 else 10_000
        result = dispatch(n_pool, n_executor)
    elif mode == "sum":
        n = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000_000
        result = demo_sum(n)
    else:
        raise SystemExit(f"unknown mode {mode!r}: use dispatch or sum")

    result["python_version"] = float(sys.version_info[0] * 100 + sys.version_info[1])
    print(json.dumps({key: float(value) for key, value in result.items()}))


if __name__ == "__main__":
    main()
