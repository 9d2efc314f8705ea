#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The dialog tests' private X display (gimp_common.Display) must accept
every connection, including one made just after the last client left.

Regression test: Xvfb resets when its last client disconnects and refuses
connections while it does, so a GIMP plug-in starting between two dialogs
failed with "cannot open display" (gimp3-interactive, 2026-12-03).  Here
300 short xdotool connections, one after another (each is then the only
client); without -noreset 2 of 300 failed on the development machine."""

import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gimp_common import Display, Failure  # noqa: E402

CONNECTIONS = 300


def main():
    with tempfile.TemporaryDirectory(prefix="dir-display-") as work:
        try:
            d = Display(work)
        except Failure as e:
            print(f"FAIL {e}")
            return 1
        try:
            failed = []
            for i in range(CONNECTIONS):
                r = d.xdo("getmouselocation", timeout=30)
                if r.returncode != 0:
                    failed.append((i, r.stderr.strip()))
        finally:
            d.close()
    if failed:
        print(f"FAIL {len(failed)} of {CONNECTIONS} connections to {d.display} refused, "
              f"first: #{failed[0][0]}: {failed[0][1]}")
        return 1
    print(f"ok: {CONNECTIONS} of {CONNECTIONS} connections to the private display accepted")
    return 0


if __name__ == "__main__":
    sys.exit(main())
