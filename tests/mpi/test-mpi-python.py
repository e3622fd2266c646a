#!/usr/bin/python3
# test-mpi-python.py: Mpaio.map() in Python on an MPI executor, run by
# mpirun on 3 ranks as 3 hosts: the same results as locally, an output
# array's rows back in rank 0's array, and every rank at work.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
import sys

import gi

gi.require_version("Mpaio", "1.0")
from gi.repository import Mpaio  # noqa: E402
import numpy as np  # noqa: E402


def total(rows):
    return int(rows.sum())


def square(rows, out_rows):
    out_rows[:] = rows * rows


# Ranks other than 0 serve here until rank 0 exits.
if Mpaio.serve_if_worker():
    sys.exit(0)


def main():
    executor = Mpaio.MpiExecutor.new(1)
    assert executor.get_n_hosts() == 3, executor.get_hosts()

    values = np.arange(1_000_000, dtype=np.int64)
    sums = Mpaio.map(total, values, pool=executor, partitions=30)
    assert sum(sums) == int(values.sum()), sums

    out = np.zeros(100_003, dtype=np.int64)
    Mpaio.map(square, np.arange(100_003, dtype=np.int64), out=out, pool=executor, partitions=27)
    assert (out == np.arange(100_003, dtype=np.int64) ** 2).all()
    print("ok: Mpaio.map on %d hosts" % executor.get_n_hosts())
    return 0


sys.exit(main())
