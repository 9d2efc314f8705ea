#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""check_suites.py BUILD_DIR README -- the test tree follows the code: every
test is in the suite of the component its name starts with (core-*, tool-*,
magick-*, ...), a corpus test (*-corpus) in `corpus` as well, and nothing
else (fuzz harnesses of ImageMagick 7 also in magick7, so that they run in
the Debian 13 root); every suite used is one the README lists."""
import json
import os
import re
import sys

build, readme = sys.argv[1], sys.argv[2]
with open(os.path.join(build, "meson-info", "intro-tests.json")) as f:
    tests = json.load(f)
with open(readme) as f:
    text = f.read()
m = re.search(r"grouped by component, each a suite of its own\s+\(`meson test -C build "
              r"--suite NAME`\):(.*?)\.\s", text, re.S)
if not m:
    sys.exit("README: no paragraph listing the suites")
listed = set(re.findall(r"`([a-z0-9]+)`", m.group(1)))
fails = []
for t in tests:
    name = t["name"]
    suites = {s.split(":", 1)[-1] for s in t["suite"]}
    component = name.split("-", 1)[0]
    want = {component} | ({"corpus"} if name.endswith("-corpus") else set())
    extra = suites - want
    if component == "fuzz":
        extra -= {"magick7"}
    if not want <= suites or extra:
        fails.append(f"{name}: suites {sorted(suites)}, not {sorted(want)}")
    for s in suites - listed:
        fails.append(f"{name}: suite {s} is not in the README's list {sorted(listed)}")
for f in fails:
    print("FAIL:", f)
if fails:
    sys.exit(1)
print(f"ok: {len(tests)} tests, each in its component's suite; suites {sorted(listed)}")
