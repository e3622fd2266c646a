#!/usr/bin/python3
# test-typing.py: mypy checks the Python examples against the Mpaio type
# stubs, and the stubs catch a misuse
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   test-typing.py STUBS_DIR EXAMPLES_DIR
#
# Prints TAP.

import os
import subprocess
import sys
import tempfile

MISUSE = """
import gi
gi.require_version("Mpaio", "1.0")
from gi.repository import Mpaio
import numpy as np

def total(rows: np.ndarray) -> int:
    return int(rows.sum())

array = Mpaio.SharedArray.from_numpy(np.arange(10))
sums: list[int] = Mpaio.map(total, array, partitions="four")
view: str = array.as_numpy()
report = Mpaio.Orchestrator.new(Mpaio.ThreadPool.new(2), []).run()
seconds: str = report.get_wall_time()
"""


def mypy(stubs, paths):
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, MYPYPATH=stubs)
        return subprocess.run(
            [sys.executable, "-m", "mypy", "--check-untyped-defs", "--warn-unused-ignores",
             "--no-error-summary", "--show-error-codes", "--cache-dir", cache] + paths,
            env=env, capture_output=True, text=True, timeout=300)


def test_examples(stubs, examples):
    paths = sorted(os.path.join(examples, name) for name in os.listdir(examples)
                   if name.endswith(".py"))
    assert paths, "no examples in %s" % examples
    completed = mypy(stubs, paths)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_misuse_caught(stubs, examples):
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "misuse.py")
        with open(path, "w") as misuse:
            misuse.write(MISUSE)
        completed = mypy(stubs, [path])
    out = completed.stdout
    assert completed.returncode == 1, out + completed.stderr
    # One error per misuse, each where the stubs say why.
    assert 'Argument "partitions" to "map" has incompatible type "str"' in out, out
    assert 'expression has type "ndarray[Any, dtype[Any]]", variable has type "str"' in out, out
    assert 'expression has type "float", variable has type "str"' in out, out
    assert len(out.strip().splitlines()) == 3, out


def main():
    stubs, examples = sys.argv[1:3]
    tests = [test_examples, test_misuse_caught]
    print("TAP version 13")
    print("1..%d" % len(tests))
    failed = 0
    for number, test in enumerate(tests, 1):
        try:
            test(stubs, examples)
        except AssertionError as error:
            failed += 1
            print("not ok %d %s" % (number, test.__name__))
            for line in str(error).splitlines():
                print("# " + line)
        else:
            print("ok %d %s" % (number, test.__name__))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
