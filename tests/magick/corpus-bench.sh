#!/bin/sh
# SPDX-License-Identifier: MIT
# corpus-bench.sh BUILD_DIR [ROUNDS] -- the ImageMagick coder on the benchmark
# corpus (../shared/corpus/public.tsv, fetched by tests/bench/fetch-corpus.sh):
#
#  1. every image round-trips through `convert` pixel-exact: convert IMG
#     x.dir, then `compare -metric AE IMG x.dir` must print 0 (images deeper
#     than 8 bits are written with 16-bit samples, and counted);
#  2. the time of `convert IMG x.dir` against `convert IMG x.png` over the
#     whole corpus, the two interleaved image by image in the same run,
#     ROUNDS times (default 3); it prints both totals and their ratio.
#     ROUNDS 0 skips it (the test suite's `magick-corpus` runs only part 1).
#
# Run it through meson devenv so that ImageMagick finds the built module:
#   meson devenv -C build sh ../tests/magick/corpus-bench.sh .
# Extra -define options for the .dir side can be given in DIR_DEFINES, e.g.
#   DIR_DEFINES="-define dir:level=3".
# Exit status 0 only if every image round-trips.
set -eu

build=${1:?usage: corpus-bench.sh BUILD_DIR [ROUNDS]}
rounds=${2:-3}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
shared=${DIR_SHARED:-$root/../shared}
list=$shared/corpus/public.tsv
cache=${DIR_CORPUS_DIR:-$build/bench-corpus}
convert=${CONVERT:-convert}
compare=${COMPARE:-compare}
identify=${IDENTIFY:-identify}
defines=${DIR_DEFINES:-}

[ -r "$list" ] || { echo "corpus-bench: missing $list" >&2; exit 1; }
images=$(DIR_CORPUS_LIST=$list sh "$root/tests/bench/fetch-corpus.sh" "$cache" | cut -f2)
[ -n "$images" ] || { echo "corpus-bench: no images" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dir-corpus.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

now() { date +%s.%N; }

# 1. Round trips.
n=0
bad=0
deep=0
dir_bytes=0
png_bytes=0
for img in $images; do
    n=$((n + 1))
    # shellcheck disable=SC2086
    "$convert" -quiet "$img" $defines "$tmp/x.dir"
    ref=$img
    # images deeper than 8 bits are kept at 16 (format version 2)
    if [ "$("$identify" -quiet -format '%z' "$img[0]")" -gt 8 ]; then
        deep=$((deep + 1))
    fi
    ae=$("$compare" -quiet -metric AE "$ref" "$tmp/x.dir" null: 2>&1) || true
    if [ "$ae" != 0 ]; then
        echo "NOT EXACT (AE $ae): $img" >&2
        bad=$((bad + 1))
    fi
    "$convert" "$img" "$tmp/x.png"
    dir_bytes=$((dir_bytes + $(wc -c <"$tmp/x.dir")))
    png_bytes=$((png_bytes + $(wc -c <"$tmp/x.png")))
done
echo "round trips: $n images, $((n - bad)) pixel-exact, $bad not; $deep deeper than 8 bits"
echo "bytes: .dir $dir_bytes, PNG (convert defaults) $png_bytes"

# 2. Timing, interleaved image by image.
t_dir=0
t_png=0
r=0
while [ $r -lt "$rounds" ]; do
    r=$((r + 1))
    for img in $images; do
        a=$(now)
        # shellcheck disable=SC2086
        "$convert" "$img" $defines "$tmp/t.dir"
        b=$(now)
        "$convert" "$img" "$tmp/t.png"
        c=$(now)
        t_dir=$(awk -v t="$t_dir" -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", t + b - a }')
        t_png=$(awk -v t="$t_png" -v b="$b" -v c="$c" 'BEGIN { printf "%.3f", t + c - b }')
    done
done
if [ "$rounds" -gt 0 ]; then
    echo "time over $rounds rounds: convert to .dir ${t_dir}s, convert to PNG ${t_png}s"
    echo "ratio .dir/PNG: $(awk -v d="$t_dir" -v p="$t_png" 'BEGIN { printf "%.2f", d / p }')"
fi
[ "$bad" -eq 0 ]
