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
# Every filter, back ends none and zstd (level 3 but for the defaults, the last
# mode), each through `dirtool encode` and `dirtool decode`, the decoded PNG
# compared with the source pixel by pixel.  The layout and the codification
# are version 1's (dirtool refuses them with version 2): the seed-pure mode
# (back end none, filter none) writes version 1 for the 8-bit images without
# metadata, and --version 1 cannot hold the others' 16-bit samples or
# metadata, so only the seed-pure modes vary them.
modes_file=$tmp/modes
cat > "$modes_file" <<'EOF'
--filter none --backend none
--filter sub --backend none
--filter none --backend none --interleaved
--filter none --backend none --interleaved --codes zstd
--filter none --backend zstd --level 3
--filter sub --backend zstd --level 3
--filter auto --backend zstd --level 3
--filter auto --backend zstd
EOF
n=0
modes=$(wc -l < "$modes_file")
while IFS="$(printf '\t')" read -r class path; do
  while IFS= read -r mode; do
    # shellcheck disable=SC2086
    "$dirtool" encode "$path" "$tmp/x.dir" $mode
    "$dirtool" decode "$tmp/x.dir" "$tmp/x.png"
    "$imgcmp" "$path" "$tmp/x.png" || { echo "FAIL: $class $path ($mode)" >&2; exit 1; }
  done < "$modes_file"
  n=$((n + 1))
done < "$tmp/list"
[ "$n" -gt 0 ] || { echo "FAIL: empty corpus" >&2; exit 1; }
echo "ok: $n corpus images, $modes modes each, through dirtool encode and decode"
