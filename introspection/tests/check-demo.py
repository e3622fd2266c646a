#!/usr/bin/python3
# check-demo.py: runs a twin of mpaio-demo and checks what it prints
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   check-demo.py --size N -- COMMAND...
#
# COMMAND must sum 1..N and concatenate "foo_0".."foo_99", printing the lines
# of examples/mpaio-demo.c: sum, concat, time, chunks.

import argparse
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
    expected = {
        "sum": str(n * (n + 1) // 2),
        "concat": "".join("foo_%d" % i for i in range(100)),
    }
    lines = dict(line.split(": ", 1) for line in child.stdout.splitlines() if ": " in line)
    failures = []
    for key, value in expected.items():
        if lines.get(key) != value:
            failures.append("%s: expected %r, got %r" % (key, value, lines.get(key)))
    if not re.fullmatch(r"\d+\.\d{3} s", lines.get("time", "")):
        failures.append("time: got %r" % lines.get("time"))
    if not re.fullmatch(r"[1-9]\d*", lines.get("chunks", "")):
        failures.append("chunks: got %r" % lines.get("chunks"))

    for failure in failures:
        print("FAIL: " + failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
