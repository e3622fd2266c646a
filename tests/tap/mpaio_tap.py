# mpaio_tap: the TAP runner of the Python binding tests.
#
# Each test is a plain function; one that raises fails, and its traceback
# becomes the TAP diagnostics, so `meson test` shows why it failed.

import sys
import traceback


def run(tests):
    """Runs each function of *tests* in turn, printing TAP; returns the
    process's exit status (1 when any failed)."""
    print("TAP version 13")
    print("1..%d" % len(tests))
    failed = 0
    for number, test in enumerate(tests, 1):
        try:
            test()
        except Exception:
            failed += 1
            print("not ok %d %s" % (number, test.__name__))
            for line in traceback.format_exc().splitlines():
                print("# " + line)
        else:
            print("ok %d %s" % (number, test.__name__))
        sys.stdout.flush()
    return 1 if failed else 0
