#!/bin/sh
# SPDX-License-Identifier: MIT
# test_core_only.sh SOURCE_ROOT -- the core builds and passes its tests with
# libzstd as the only pkg-config library: a fresh build whose pkg-config sees
# nothing but libzstd.pc, with every optional feature off
# (-Dauto_features=disabled), must configure, build, and pass the core and
# arrays suites, and build no front end.
#
# What it does not show: a machine with libzstd alone.  The libraries the
# core also uses are still found here without pkg-config: libdouble-conversion
# (whose Debian package does ship double-conversion.pc, hidden here) through
# its CMake package file, or else the compiler's library search (core/
# meson.build); zlib, when installed, through Meson's own header and library
# check or CMake's FindZLIB; libm by the compiler.  liblzma and libdeflate,
# which this machine finds only through pkg-config, are left out.
set -eu
src=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
# First with this machine's own pkg-config (cairo, GIMP, ImageMagick and the
# rest found): -Dauto_features=disabled still configures the core alone, with
# no heatmap library (dirtool's and the GIMP plug-ins') and only the core's
# and arrays' tests (no trixie-hosts, which fails under CI=true without
# root).
meson setup "$tmp/full" "$src" -Dauto_features=disabled -Dshared_dir="${DIR_SHARED:-$src/../shared}" \
    >"$tmp/full.log" 2>&1 || { cat "$tmp/full.log"; exit 1; }
meson introspect "$tmp/full" --targets >"$tmp/targets.json"
! grep -q '"name": "heatmap_render"' "$tmp/targets.json" ||
    { echo "the heatmap library is built without dirtool and GIMP"; exit 1; }
meson introspect "$tmp/full" --tests | tr '{' '\n' | grep -o '"suite": \[[^]]*\]' | sort -u >"$tmp/suites"
if grep -v -x -e '"suite": \["direccional:core"\]' -e '"suite": \["direccional:arrays"\]' "$tmp/suites"; then
    echo "a core-only build defines tests outside the core and arrays suites (above)"
    exit 1
fi
rm -rf "$tmp/full"
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
