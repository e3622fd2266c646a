#!/usr/bin/python3
# check-map.py: runs a twin of mpaio-map and checks its output array against
# a serial computation
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   check-map.py --size N -- COMMAND...
#
# COMMAND must compute y = sqrt(x) for x = 0, 1, ..., N - 1 and print the
# lines of examples/mpaio-map.c: rows, chunks, sum and samples y[i].

import argparse
import math
import re
import subprocess
import sys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("command", nargs="+")
    args = parser.parse_args()

    child = subprocess.run(args.command, stdout=subprocess.PIPE, text=True, timeout=110)
    print(child.stdout, end="")
    if child.returncode != 0:
        print("FAIL: exit status %d" % child.returncode, file=sys.stderr)
        return 1

    n = args.size
    lines = dict(line.split(": ", 1) for line in child.stdout.splitlines() if ": " in line)
    failures = []

    if lines.get("rows") != str(n):
        failures.append("rows: expected %d, got %r" % (n, lines.get("rows")))
    if not re.fullmatch(r"[1-9]\d*", lines.get("chunks", "")):
        failures.append("chunks: got %r" % lines.get("chunks"))

    # The serial result, computed here: every sample exactly (sqrt is
    # correctly rounded everywhere), the sum up to the order of additions.
    samples = {int(key[2:-1]): float(value) for key, value in lines.items()
               if re.fullmatch(r"y\[\d+\]", key)}
    if len(samples) < 2:
        failures.append("no samples of y printed")
    for i, value in samples.items():
        if not 0 <= i < n or value != math.sqrt(i):
            failures.append("y[%d]: expected %r, got %r" % (i, math.sqrt(i), value))
    expected_sum = math.fsum(math.sqrt(i) for i in range(n))
    try:
        got_sum = float(lines.get("sum", "nan"))
    except ValueError:
        got_sum = math.nan
    if not math.isclose(got_sum, expected_sum, rel_tol=1e-9):
        failures.append("sum: expected %r, got %r" % (expected_sum, got_sum))

    for failure in failures:
        print("FAIL: " + failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
