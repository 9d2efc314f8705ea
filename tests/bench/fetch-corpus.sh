#!/bin/sh
# SPDX-License-Identifier: MIT
# fetch-corpus.sh -- fetch the benchmark corpus (real images shipped in Debian
# 12 packages, listed in tests/bench/corpus.tsv) into a cache directory outside
# the repository.  Nothing here is ever committed: only the list is.
#
# Usage: tests/bench/fetch-corpus.sh [DEST_DIR]
#   DEST_DIR defaults to $DIR_CORPUS_DIR, then to build/bench-corpus.
#   Prints one line per image on stdout:  class<TAB>absolute_path
#   Progress and errors go to stderr.  Exit status 0 only if every image in
#   the list exists after extraction.
#
# Each package is fetched with `apt-get download PACKAGE=VERSION` (the version
# pinned in the list's "package_version:" comment) and unpacked with
# `dpkg-deb -x` into DEST_DIR/PACKAGE_VERSION/.  When the archive no longer
# has the pinned version (a point or security update replaced it), the
# current version is fetched into the same directory instead, with a warning;
# the stamp file records which.  A stamp file marks a finished extraction, so
# a second run downloads nothing (idempotent).
#
# Environment: DIR_CORPUS_LIST overrides the list file (default: corpus.tsv
# beside this script).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
list=${DIR_CORPUS_LIST:-$here/corpus.tsv}
dest=${1:-${DIR_CORPUS_DIR:-build/bench-corpus}}

die() { echo "fetch-corpus: $*" >&2; exit 1; }

[ -r "$list" ] || die "cannot read the corpus list '$list'"
command -v apt-get >/dev/null 2>&1 || die "apt-get not found (the corpus comes from Debian packages)"
command -v dpkg-deb >/dev/null 2>&1 || die "dpkg-deb not found"

mkdir -p "$dest" || die "cannot create '$dest'"
dest=$(cd "$dest" && pwd)

# Several builds may share one cache: serialise on a lock file when flock(1)
# is available.
if command -v flock >/dev/null 2>&1; then
    exec 9>"$dest/.lock"
    flock 9
fi

# "package_version: a 1.0, b 2.0-1" -> version of a package, or empty.
pinned_version() {
    sed -n 's/^#[[:space:]]*package_version:[[:space:]]*//p' "$list" | tr ',' '\n' |
        awk -v p="$1" '$1 == p { print $2; exit }'
}

packages=$(grep -v '^#' "$list" | awk -F '\t' 'NF >= 3 { print $1 }' | sort -u)
[ -n "$packages" ] || die "no entries in '$list'"

for pkg in $packages; do
    ver=$(pinned_version "$pkg")
    [ -n "$ver" ] || die "no version pinned for package '$pkg' in the 'package_version:' line of '$list'"
    root="$dest/${pkg}_$ver"
    stamp="$root/.extracted"
    if [ -f "$stamp" ]; then
        echo "fetch-corpus: $pkg $ver already in $root" >&2
        continue
    fi
    work="$dest/.download-$pkg"
    rm -rf "$work" "$root"
    mkdir -p "$work" "$root"
    echo "fetch-corpus: downloading $pkg=$ver" >&2
    # apt-get download writes into the current directory.
    got=$ver
    if ! (cd "$work" && apt-get download -q "$pkg=$ver" >&2); then
        # A point or security update replaces the pinned version in the
        # archive: take the current one (images rarely change in such
        # updates; every listed image must still exist, checked below).
        echo "fetch-corpus: $pkg=$ver is no longer in the archive; trying the current version" >&2
        got=$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ { print $2; exit }')
        if [ -z "$got" ] || [ "$got" = "(none)" ] ||
            ! (cd "$work" && apt-get download -q "$pkg=$got" >&2); then
            rm -rf "$work"
            die "apt-get download $pkg=$ver failed, and no other version could be fetched (is the Debian 12 archive reachable? run apt-get update)"
        fi
    fi
    deb=
    for f in "$work"/*.deb; do
        [ -f "$f" ] && deb=$f && break
    done
    [ -n "$deb" ] || die "apt-get download $pkg=$ver produced no .deb"
    dpkg-deb -x "$deb" "$root" || die "dpkg-deb -x '$deb' failed"
    rm -rf "$work"
    echo "$pkg $got (list pins $ver)" > "$stamp"
done

grep -v '^#' "$list" | while IFS="$(printf '\t')" read -r pkg class path; do
    [ -n "$pkg" ] || continue
    ver=$(pinned_version "$pkg")
    file="$dest/${pkg}_$ver$path"
    if [ -f "$file" ]; then
        printf '%s\t%s\n' "$class" "$file"
    else
        echo "fetch-corpus: missing after extraction: $file" >&2
        echo x
    fi
done > "$dest/.list.$$"

if grep -qx x "$dest/.list.$$"; then
    rm -f "$dest/.list.$$"
    die "some listed images are missing (see above)"
fi
cat "$dest/.list.$$"
rm -f "$dest/.list.$$"
