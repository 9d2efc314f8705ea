#!/bin/sh
# SPDX-License-Identifier: MIT
# Every PNG of the benchmark corpus (fetched with tests/bench/fetch-corpus.sh)
# round-trips exactly through the version-2 payload in every preset
# (dir-bench-v2 checks each decode byte for byte and exits 1 otherwise).
# Under CI=true a corpus that cannot be fetched is a failure.
set -eu
driver=$1
root=${DIR_SOURCE_ROOT:?}
cache=${DIR_CORPUS_DIR:-${DIR_BUILD_ROOT:?}/bench-corpus}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! "$root/tests/bench/fetch-corpus.sh" "$cache" > "$tmp/list"; then
  if [ "${CI:-}" = true ]; then echo "FAIL: corpus could not be fetched" >&2; exit 1; fi
  echo "corpus could not be fetched: skipping" >&2; exit 77
fi
n=$(wc -l < "$tmp/list")
[ "$n" -gt 0 ] || { echo "FAIL: empty corpus list" >&2; exit 1; }
for preset in fast default smallest; do
  "$driver" -p "$preset" < "$tmp/list" || { echo "FAIL: preset $preset" >&2; exit 1; }
done
echo "$n images round-trip in the presets fast, default and smallest"
