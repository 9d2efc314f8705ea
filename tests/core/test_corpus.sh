#!/bin/sh
# SPDX-License-Identifier: MIT
# Every PNG of the benchmark corpus (real images from Debian packages, fetched
# with tests/bench/fetch-corpus.sh) round-trips through dirtool pixel-exact in
# every mode.  Under CI=true a corpus that cannot be fetched is a failure.
set -eu
dirtool=$1 imgcmp=$2
root=${DIR_SOURCE_ROOT:?}
cache=${DIR_CORPUS_DIR:-${DIR_BUILD_ROOT:?}/bench-corpus}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! "$root/tests/bench/fetch-corpus.sh" "$cache" > "$tmp/list"; then
  if [ "${CI:-}" = true ]; then echo "FAIL: corpus could not be fetched" >&2; exit 1; fi
  echo "corpus could not be fetched: skipping" >&2; exit 77
fi
n=0
while IFS="$(printf '\t')" read -r class path; do
  for mode in "--filter none --backend none" "--filter sub --backend none" \
              "--filter auto --backend zstd --level 3 --interleaved" ""; do
    # shellcheck disable=SC2086
    "$dirtool" encode "$path" "$tmp/x.dir" $mode
    "$imgcmp" "$path" "$tmp/x.dir" || { echo "FAIL: $class $path ($mode)" >&2; exit 1; }
  done
  n=$((n + 1))
done < "$tmp/list"
[ "$n" -gt 0 ] || { echo "FAIL: empty corpus" >&2; exit 1; }
echo "ok: $n corpus images, 4 modes each"
