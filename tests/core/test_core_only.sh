#!/bin/sh
# SPDX-License-Identifier: MIT
# test_core_only.sh SOURCE_ROOT -- the core builds and passes its tests with
# libzstd as the only pkg-config library (libdouble-conversion, which has no
# .pc file, and libm are found by the compiler): a fresh build whose pkg-config
# sees nothing but libzstd.pc, with every optional feature off
# (-Dauto_features=disabled), must configure, build, and pass the core and
# arrays suites, and build no front end.
set -eu
src=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir "$tmp/pc"
cp "$(pkg-config --variable=pcfiledir libzstd)/libzstd.pc" "$tmp/pc/"
export PKG_CONFIG_LIBDIR="$tmp/pc" PKG_CONFIG_PATH=
meson setup "$tmp/build" "$src" -Dauto_features=disabled -Dshared_dir="${DIR_SHARED:-$src/../shared}" \
    >"$tmp/setup.log" 2>&1 || { cat "$tmp/setup.log"; exit 1; }
grep -q 'dirtool *: False' "$tmp/setup.log" || { cat "$tmp/setup.log"; echo "dirtool was configured"; exit 1; }
ninja -C "$tmp/build" >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; exit 1; }
[ -e "$tmp/build/core/libdireccional.so.1" ] && [ -e "$tmp/build/core/libdireccional.a" ] ||
    { echo "libdireccional was not built shared and static"; exit 1; }
[ ! -e "$tmp/build/tool/dirtool" ] || { echo "dirtool was built"; exit 1; }
# Every test of the core and arrays suites but this one and core-installed
# (the full build runs those).
tests=$(meson test -C "$tmp/build" --list --no-rebuild 2>/dev/null |
    sed -n 's/^direccional:\(core\|arrays\) \/ //p' |
    grep -v -x -e core-only-libzstd -e core-installed)
[ -n "$tests" ] || { echo "no tests listed"; exit 1; }
# shellcheck disable=SC2086
meson test -C "$tmp/build" --num-processes 1 --no-rebuild $tests >"$tmp/test.log" 2>&1 ||
    { cat "$tmp/test.log"; exit 1; }
grep -E '^Ok: +[1-9]' "$tmp/test.log"
grep -E '^Fail: +0' "$tmp/test.log" >/dev/null
