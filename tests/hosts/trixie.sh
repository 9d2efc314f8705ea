#!/bin/sh
# SPDX-License-Identifier: MIT
# trixie.sh [MESON-TEST-ARGS...] -- builds the project inside a Debian 13
# ("trixie") root and runs the test suites of the hosts that Debian 12 does
# not have: GIMP 3 (suite gimp3) and ImageMagick 7 (suite magick7).
#
#  1. The root: ${DIR_TRIXIE_ROOT:-/var/tmp/direccional-trixie}, made with
#     `debootstrap --variant=minbase trixie` when it is not there yet (a root
#     left by an earlier run is reused), outside the checkout.  The packages
#     below are installed into it with apt-get (again only when the list
#     changed): .ci/debian13-packages.txt, installed with
#     --no-install-recommends.
#  2. /proc, /dev and /dev/pts are bound into it, the checkout read-only at
#     /src/direccional, ../shared read-only at /src/shared (so that ../shared
#     is where the tests look), and the benchmark corpus cache (fetched here,
#     on the host, with the Debian 12 archive the list pins) at
#     /var/cache/direccional-corpus.
#  3. Inside: a fresh `meson setup --werror` in /var/tmp/direccional-build,
#     `meson compile`, and `meson test --suite gimp3 --suite magick7` (or the
#     MESON-TEST-ARGS given).
#  4. Everything bound is unmounted on exit, whatever happened (trap).
#
# Needs root and debootstrap (.ci/debian-packages.txt).  Without them the
# test is skipped (exit 77), and under CI=true it fails.  Exit status: that
# of the inner meson test.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
shared=${DIR_SHARED:-$src/../shared}
root=${DIR_TRIXIE_ROOT:-/var/tmp/direccional-trixie}
mirror=${DIR_TRIXIE_MIRROR:-http://deb.debian.org/debian}
corpus=${DIR_CORPUS_DIR:-${DIR_BUILD_ROOT:-$src/build}/bench-corpus}

# What the build and the tests need inside the root: the Debian 13 package
# list, as for building natively on Debian 13 (README).
packages=$(grep -v '^#' "$src/.ci/debian13-packages.txt")

say() { echo "trixie: $*" >&2; }
unavailable() {
    if [ "${CI:-}" = true ]; then
        say "$* (CI=true: failing)"
        exit 1
    fi
    say "$*: skipping"
    exit 77
}

[ "$(id -u)" = 0 ] || unavailable "needs root (debootstrap, mount, chroot)"
command -v debootstrap >/dev/null 2>&1 || unavailable "debootstrap is not installed"
[ -d "$shared" ] || unavailable "no shared data at $shared"

t0=$(date +%s)
mkdir -p "$(dirname "$root")"
# One run at a time per root.
exec 8>"$root.lock"
flock 8

mounted=""
cleanup() {
    status=$?
    for m in $mounted; do
        umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || say "could not unmount $m"
    done
    mounted=""
    exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# bind SOURCE TARGET [ro]: a bind mount, remembered for the cleanup (the
# list is kept innermost first).
bind() {
    mkdir -p "$2"
    mount --bind "$1" "$2"
    mounted="$2 $mounted"
    if [ "${3:-}" = ro ]; then
        mount -o remount,bind,ro "$2"
    fi
}

# 1. The root.
if [ ! -f "$root/.direccional-root" ]; then
    say "making the Debian 13 root in $root (debootstrap --variant=minbase trixie)"
    rm -rf "$root.new"
    debootstrap --variant=minbase trixie "$root.new" "$mirror" >"$root.debootstrap.log" 2>&1 ||
        { tail -20 "$root.debootstrap.log" >&2; say "debootstrap failed"; exit 1; }
    : >"$root.new/.direccional-root"
    rm -rf "$root"
    mv "$root.new" "$root"
    say "root made in $(($(date +%s) - t0)) s"
fi

bind /proc "$root/proc"
bind /dev "$root/dev"
bind /dev/pts "$root/dev/pts"
bind "$src" "$root/src/direccional" ro
bind "$shared" "$root/src/shared" ro

# The corpus, fetched on the host: its list pins Debian 12 package versions.
if [ -r "$shared/corpus/public.tsv" ]; then
    DIR_CORPUS_LIST="$shared/corpus/public.tsv" sh "$src/tests/bench/fetch-corpus.sh" "$corpus" >/dev/null ||
        say "could not fetch the corpus on the host (the corpus tests will say so)"
    bind "$corpus" "$root/var/cache/direccional-corpus"
fi

# DIR_SCREENSHOT_DIR: where the GIMP 3 dialog screenshots (taken under Xvfb
# inside the root by the gimp3-interactive test) are copied.
shots=${DIR_SCREENSHOT_DIR:-}
if [ -n "$shots" ]; then
    mkdir -p "$shots" "$root/var/tmp/direccional-shots"
    rm -f "$root"/var/tmp/direccional-shots/*.png
fi

want=$(echo $packages)
if [ "$(cat "$root/.direccional-packages" 2>/dev/null)" != "$want" ]; then
    t1=$(date +%s)
    say "installing into the root: $want"
    chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
        sh -c "apt-get update -q && apt-get install -y -q --no-install-recommends $want" \
        >"$root.apt.log" 2>&1 || { tail -30 "$root.apt.log" >&2; say "apt-get install failed"; exit 1; }
    echo "$want" >"$root/.direccional-packages"
    say "packages installed in $(($(date +%s) - t1)) s"
fi
say "root ready after $(($(date +%s) - t0)) s"

# 3. Build and test inside.
if [ $# -eq 0 ]; then
    set -- --suite gimp3 --suite magick7
fi
t2=$(date +%s)
status=0
chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp LANG=C.UTF-8 \
    CI="${CI:-}" DIR_CORPUS_DIR=/var/cache/direccional-corpus DIR_KEEP_TMP="${DIR_KEEP_TMP:-}" \
    ${shots:+DIR_SCREENSHOT_DIR=/var/tmp/direccional-shots} \
    sh -c 'set -e
        b=/var/tmp/direccional-build
        rm -rf "$b"
        meson setup --werror "$b" /src/direccional >/tmp/meson-setup.log 2>&1 ||
            { cat /tmp/meson-setup.log; exit 1; }
        grep -A12 "^  Features" /tmp/meson-setup.log || true
        ninja -C "$b" -j2 >/tmp/ninja.log 2>&1 || { tail -60 /tmp/ninja.log; exit 1; }
        meson test -C "$b" --print-errorlogs --num-processes 2 "$@"' trixie "$@" || status=$?
say "build and tests inside the root took $(($(date +%s) - t2)) s (exit $status)"
if [ -n "$shots" ]; then
    cp "$root"/var/tmp/direccional-shots/*.png "$shots"/ 2>/dev/null || say "no screenshots were taken"
fi
exit $status
