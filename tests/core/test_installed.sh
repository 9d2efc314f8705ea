#!/bin/sh
# SPDX-License-Identifier: MIT
# test_installed.sh BUILD_DIR EXAMPLE.c CC SAMPLE.dir
#
# Installs the build into a staging directory (DESTDIR), then builds a
# program outside the tree against the installed library through pkg-config,
# once shared and once fully static (--static), and has both decode SAMPLE.
# The installed header must be <direccional/dir.h>, and the shared program
# must load libdireccional's versioned soname from the staging directory.
set -eu
build=$1 example=$2 cc=$3 sample=$4
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT INT TERM

# Not --no-rebuild: `meson test` builds only what the tests depend on, and
# the shared library and the other installed files are no test's
# dependency (a fresh `meson setup && meson test`, as in CI, has not built
# them).  The test is not parallel, so nothing else builds meanwhile.
DESTDIR="$stage" meson install -C "$build" --quiet >"$stage/install.log" 2>&1 || {
    cat "$stage/install.log" >&2
    echo "meson install failed" >&2
    exit 1
}
pc=$(find "$stage" -name direccional.pc | head -n 1)
[ -n "$pc" ] || { echo "no direccional.pc installed" >&2; exit 1; }
header=$(find "$stage" -path '*/include/direccional/dir.h' | head -n 1)
[ -n "$header" ] || { echo "no include/direccional/dir.h installed" >&2; exit 1; }

export PKG_CONFIG_PATH="$(dirname "$pc")" PKG_CONFIG_SYSROOT_DIR="$stage"
libdir=$(PKG_CONFIG_SYSROOT_DIR= pkg-config --variable=libdir direccional)
soname=$(ls "$stage$libdir" | grep -E '^libdireccional\.so\.[0-9]+$' || true)
[ -n "$soname" ] || { echo "no versioned libdireccional.so.N in $libdir" >&2; exit 1; }

# shellcheck disable=SC2046
"$cc" -std=c11 -Wall -Wextra -Werror -o "$stage/example-shared" "$example" \
    $(pkg-config --cflags --libs direccional)
# shellcheck disable=SC2046
"$cc" -std=c11 -Wall -Wextra -Werror -static -o "$stage/example-static" "$example" \
    $(pkg-config --static --cflags --libs direccional)

# The shared program needs the installed library; the static one nothing.
if "$stage/example-shared" "$sample" >/dev/null 2>&1; then
    echo "example-shared ran without the installed library on its path" >&2
    exit 1
fi
shared_out=$(LD_LIBRARY_PATH="$stage$libdir" "$stage/example-shared" "$sample")
LD_LIBRARY_PATH="$stage$libdir" ldd "$stage/example-shared" | grep -q "$soname => $stage" || {
    echo "example-shared does not load $soname from the staging directory" >&2
    exit 1
}
static_out=$("$stage/example-static" "$sample")
if ldd "$stage/example-static" >/dev/null 2>&1; then
    echo "example-static is dynamically linked" >&2
    exit 1
fi
# Only the public API is exported.
if nm -D --defined-only "$stage$libdir/$soname" | awk '{print $3}' | grep -v '^dira\?_' | grep -q .; then
    echo "symbols outside the dir_/dira_ API are exported:" >&2
    nm -D --defined-only "$stage$libdir/$soname" | awk '{print $3}' | grep -v '^dira\?_' >&2
    exit 1
fi
# samples/weights-784-100-10.dir (its header's pixel CRC, which the decoder
# checks).
expected='461x460, 3 channels, pixel CRC-32 c84bdb5b'
echo "shared: $shared_out"
echo "static: $static_out"
[ "$shared_out" = "$expected" ] || { echo "shared: expected '$expected'" >&2; exit 1; }
[ "$static_out" = "$expected" ] || { echo "static: expected '$expected'" >&2; exit 1; }
