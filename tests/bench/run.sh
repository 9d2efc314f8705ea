#!/bin/sh
# SPDX-License-Identifier: MIT
# run.sh -- the whole benchmark in one command (issue 6):
#
#   meson compile -C build bench        (the run target calls this script)
#   tests/bench/run.sh build            (the same from a shell: builds first)
#
# 1. fetches the corpus listed in tests/bench/corpus.tsv (fetch-corpus.sh)
#    into $DIR_CORPUS_DIR, default BUILD_DIR/bench-corpus;
# 2. runs dir-bench (images, then ImageMagick 6's mogrify over them) and
#    dir-bench-arrays (../shared/imgarrays-reference);
# 3. runs `dirtool info` on a typical screenshot and sprite sheet;
# 4. draws docs/img/bench-size-speed.png with gnuplot;
# 5. writes docs/benchmarks.md with the machine, the date and the command;
# 6. puts dir-bench's README fragment (--readme) into README.md between the
#    lines <!-- bench-tables:begin --> and <!-- bench-tables:end -->, and
#    dir-bench-arrays' between <!-- bench-arrays:begin --> and
#    <!-- bench-arrays:end -->.
# Raw results stay in BUILD_DIR/bench/.
#
# DIR_BENCH_LIMIT=N runs only N images per class (and the arrays without
# the `large` set) and writes into BUILD_DIR/bench/docs (benchmarks.md, the
# chart, and a copy of README.md with the tables spliced in), never docs/ or
# README.md: a quick check of the machinery, not a result (test bench-quick).
set -eu

die() { echo "bench: $*" >&2; exit 1; }

[ $# -ge 1 ] || die "usage: tests/bench/run.sh BUILD_DIR"
build=$(cd "$1" && pwd) || die "no build directory '$1'"
here=$(cd "$(dirname "$0")" && pwd)
src=${DIR_BENCH_SOURCE_ROOT:-$(cd "$here/../.." && pwd)}

if [ -z "${DIR_BENCH_EXE:-}" ]; then
    # Run by hand: the run target builds what the benchmark needs and sets
    # its environment (programs, ImageMagick's coder path), then calls us.
    exec meson compile -C "$build" bench
fi
# The command as typed from the source root (build dir made relative).
command=$(printf '%s' "${DIR_BENCH_COMMAND:-tests/bench/run.sh $1}" | sed "s#$src/##g")
shared=${DIR_SHARED:-$src/../shared}
corpus=${DIR_CORPUS_DIR:-$build/bench-corpus}
out=$build/bench
mkdir -p "$out"

for tool in gnuplot optipng cjxl djxl; do
    pkg=$tool
    case $tool in cjxl | djxl) pkg=libjxl-tools ;; esac
    command -v $tool >/dev/null 2>&1 || die "$tool not found (apt-get install $pkg)"
done
[ -d "$shared/imgarrays-reference" ] || die "no shared data at $shared (set DIR_SHARED)"
[ -n "${DIR_BENCH_MOGRIFY:-}" ] ||
    die "no ImageMagick 6 coder in this build (the mogrify row needs it: apt-get install libmagickcore-6.q16-dev imagemagick)"

limit_args=
large_args="--large $out/large.json"
docs=$src/docs
readme=$src/README.md
if [ -n "${DIR_BENCH_LIMIT:-}" ]; then
    limit_args="--limit $DIR_BENCH_LIMIT"
    large_args=
    docs=$out/docs
    readme=$docs/README.md
    echo "bench: DIR_BENCH_LIMIT=$DIR_BENCH_LIMIT: quick run, writing into $docs, not the real docs" >&2
fi
mkdir -p "$docs/img"

start=$(date -u '+%Y-%m-%d %H:%M UTC')
load_start=$(cut -d ' ' -f 1-3 /proc/loadavg)
# the commit the programs were built from: the one checked out now (a
# commit made while the run goes on must not be named instead)
rev=$(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo 'unknown')
if [ -n "$(git -C "$src" status --porcelain -- core tests/bench 2>/dev/null)" ]; then
    rev="$rev, with uncommitted changes in core/ or tests/bench/"
fi
t0=$(date +%s)

echo "bench: fetching the corpus into $corpus" >&2
"$here/fetch-corpus.sh" "$corpus" > "$out/corpus-list.tsv"

echo "bench: images" >&2
status=0
# shellcheck disable=SC2086
"$DIR_BENCH_EXE" $limit_args --tsv "$out/images.tsv" --summary "$out/summary.tsv" \
    --markdown "$out/images.md" --readme "$out/readme.md" --mogrify "$DIR_BENCH_MOGRIFY" \
    < "$out/corpus-list.tsv" || status=1

echo "bench: arrays" >&2
# the `large` set: the 318,010 weights of a 784-400-10 network from the
# seeded generator (the reference data has no set of that size); a quick run
# leaves it out (training the network takes 15 s, minutes under the
# sanitizers)
if [ -n "$large_args" ]; then
    "${DIR_BENCH_WEIGHTS_GEN:-$build/samples/weights-gen}" --hidden 400 > "$out/large.json" 2>/dev/null ||
        die "weights-gen --hidden 400 failed"
fi
ref_js=
command -v node >/dev/null 2>&1 && ref_js="--reference-js $here/arrays-ref.js"
[ -n "$ref_js" ] || echo "bench: node not found: the reference library is not timed" >&2
# shellcheck disable=SC2086
"$DIR_BENCH_ARRAYS_EXE" "$shared" --markdown "$out/arrays.md" --summary "$out/arrays.tsv" \
    --readme "$out/readme-arrays.md" $large_args $ref_js || status=1

# dirtool info of a typical screenshot (a GIMP window) and sprite sheet (a
# freeciv terrain tile set), encoded with dirtool's defaults.
info_of() { # class, path suffix
    f=$(awk -F '\t' -v c="$1" -v s="$2" '$1 == c && index($2, s) { print $2; exit }' "$out/corpus-list.tsv")
    [ -n "$f" ] || die "no $1 image matching $2 in the corpus"
    base=$(basename "$f" .png)
    "$DIRTOOL" encode "$f" "$out/$base.dir" || die "dirtool encode $f failed"
    {
        echo
        echo "#### $1: \`$2\` ($(wc -c < "$f" | tr -d ' ') bytes as shipped; .dir default $(wc -c < "$out/$base.dir" | tr -d ' ') bytes)"
        echo
        echo '```'
        echo "\$ dirtool encode $base.png $base.dir && dirtool info $base.dir"
        (cd "$out" && "$DIRTOOL" info "$base.dir") || die "dirtool info failed"
        echo '```'
    } >> "$out/info.md"
}
: > "$out/info.md"
info_of screen using/image-window-single.png
info_of sprite amplio2/terrain1.png

echo "bench: chart" >&2
# summary.tsv: class codec bytes ratio_png encode_ms decode_ms encode_MBps decode_MBps label
for c in screen sprite icon; do
    awk -F '\t' -v c="$c" '$1 == c { print $8 "\t" $4 "\t" $2 }' "$out/summary.tsv" > "$out/chart-$c.dat"
done
codecs=$(awk -F '\t' '$1 != "# class" && !seen[$2]++ { printf "%s ", $2 }' "$out/summary.tsv")
# A fixed colour and point type per codec: .dir modes are filled circles in
# reds and oranges, the peers other shapes in blues, greens and greys.
colours=''
points=''
for id in $codecs; do
    case $id in
    dir-seed-none) c='#fdae6b' p=7 ;;
    dir-seed-sub) c='#fd8d3c' p=7 ;;
    dir-seed-auto) c='#e6550d' p=7 ;;
    dir-v1-default) c='#d62728' p=6 ;;
    dir-fast) c='#fdd0a2' p=7 ;;
    dir-default) c='#a50f15' p=7 ;;
    dir-smallest) c='#67000d' p=7 ;;
    jxl-e7) c='#74c476' p=8 ;;
    jxl-e9) c='#006d2c' p=8 ;;
    png-shipped) c='#9ecae1' p=5 ;;
    png-default) c='#3182bd' p=5 ;;
    png-9) c='#08519c' p=5 ;;
    optipng-o2) c='#6baed6' p=13 ;;
    webp-z9) c='#31a354' p=9 ;;
    qoi) c='#756bb1' p=11 ;;
    tga-rle) c='#636363' p=13 ;;
    gzip-9) c='#bdbdbd' p=9 ;;
    xz-9) c='#000000' p=11 ;;
    *) c='#999999' p=1 ;;
    esac
    colours="$colours$c "
    points="$points$p "
done
# Axis ranges from the data: a margin around the smallest and largest values.
yrange=$(awk -F '\t' '$1 !~ /^#/ && $4 > 0 { if (!n++ || $4 < lo) lo = $4; if ($4 > hi) hi = $4 }
    END { printf "%g:%g", lo / 1.3, hi * 1.3 }' "$out/summary.tsv")
xrange=$(awk -F '\t' '$1 !~ /^#/ && $8 > 0 { if (!n++ || $8 < lo) lo = $8; if ($8 > hi) hi = $8 }
    END { printf "%g:%g", lo / 1.5, hi * 1.5 }' "$out/summary.tsv")
gnuplot <<EOF || die "gnuplot failed"
set terminal pngcairo size 1800,600 font "DejaVu Sans,10"
set output "$docs/img/bench-size-speed.png"
set multiplot layout 1,3 title "Total size against decode speed, per class (corpus: tests/bench/corpus.tsv; $start)"
codecs = "$codecs"
colours = "$colours"
points = "$points"
set logscale x
set xlabel "decode speed, MB/s of raw pixels (log scale)"
set ylabel "total size / PNG at libpng's default level (log scale)"
set grid
set logscale y
set yrange [$yrange]
set xrange [$xrange]
set ytics (0.125, 0.25, 0.5, 1, 2, 4, 8, 16)
set xtics (50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000)
set datafile separator "\t"
set key off
set lmargin 9
set rmargin 1
# (an integer loop: gnuplot 5.4 drops the panel titles in a string loop)
classes = "screen sprite icon"
do for [ci=1:3] {
    if (ci == 3) { set key outside right top vertical font ",9"; set rmargin 22 }
    set title word(classes, ci) font ",12"
    plot for [i=1:words(codecs)] "$out/chart-".word(classes, ci).".dat" \
        using 1:(stringcolumn(3) eq word(codecs, i) ? \$2 : 1/0) \
        with points pt int(word(points, i)) ps 1.6 lc rgb word(colours, i) title word(codecs, i)
}
unset multiplot
EOF

t1=$(date +%s)
cpu=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n 1)
cores=$(grep -c '^processor' /proc/cpuinfo)
mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
cc_cmd=$(grep -o '"compiler": *\["[^"]*"' "$build/meson-info/intro-targets.json" 2>/dev/null | head -n 1 | sed 's/.*\["//; s/"$//')
compiler=
if [ -n "$cc_cmd" ]; then
    compiler=$("$cc_cmd" --version 2>/dev/null | head -n 1) || compiler=
fi
buildtype=$(sed -n 's/.*"name": *"buildtype", *"value": *"\([^"]*\)".*/\1/p' "$build/meson-info/intro-buildoptions.json" 2>/dev/null | head -n 1)
ver() { pkg-config --modversion "$1" 2>/dev/null || echo '?'; }

{
    cat <<EOF
# Benchmarks

.dir against PNG, optipng, lossless WebP, JPEG XL lossless, QOI, TGA with
RLE, and gzip -9 and xz -9 of the raw pixels, on real images shipped in Debian 12 packages, and the
IMGArrays reference data sets packed into images.  This file is written by the
benchmark; do not edit it by hand.  The same run writes the README's benchmark
tables: \`dir-bench --readme\` and \`dir-bench-arrays --readme\` write them
and \`tests/bench/run.sh\` puts them into README.md between the lines
\`<!-- bench-tables:begin -->\` and \`<!-- bench-tables:end -->\` (images)
and \`<!-- bench-arrays:begin -->\` and \`<!-- bench-arrays:end -->\`
(arrays), only after a whole run without failures; a quick run
(\`DIR_BENCH_LIMIT=N\`) splices into a copy in the build directory instead.

- **Command:** \`$command\` (from a clean checkout: \`meson setup build && meson compile -C build bench\`)
- **Date:** $start; the whole run took $((t1 - t0)) s
- **Machine:** $cpu, $cores logical CPUs, $mem RAM; Linux $(uname -r); load average $load_start at the start and $(cut -d ' ' -f 1-3 /proc/loadavg) at the end (other work on the machine slows the timings, never the sizes)
- **Source:** commit $rev
- **Build:** ${compiler:-?}, buildtype ${buildtype:-?}; libpng $(ver libpng), libwebp $(ver libwebp), libzstd $(ver libzstd), zlib $(ver zlib), liblzma $(ver liblzma), $(optipng -v | head -n 1), $(cjxl --version 2>/dev/null | head -n 1 | cut -d ' ' -f 1-2) (libjxl-tools), QOI from Debian's libqoi-dev ($(dpkg-query -W -f '${Version}' libqoi-dev 2>/dev/null || echo '?'))
- **Corpus:** \`tests/bench/corpus.tsv\` ($(grep -c -v '^#' "$src/tests/bench/corpus.tsv") images: GIMP manual screenshots from gimp-help-en, freeciv sprite sheets and tiles from freeciv-data, Adwaita icons with alpha from adwaita-icon-theme), fetched by \`tests/bench/fetch-corpus.sh\` with \`apt-get download\` and \`dpkg-deb -x\`.  Each PNG is read once with libpng (palette expanded, 16 bits reduced to 8, grey+alpha made RGBA) and every codec gets the same 8-bit pixels.

## How it is measured

- One process (\`dir-bench\`) runs every codec on each image in turn and times only the library calls, as CPU time of the benchmark thread (\`clock_gettime(CLOCK_THREAD_CPUTIME_ID)\`), so other work on the shared build machine does not inflate the figures (\`dir-bench --clock wall\` measures \`CLOCK_MONOTONIC\` instead).  Each encode is repeated up to 5 times and each decode 3 to 9 times, stopping early once 300 ms have been spent on that image and codec; the median run counts.  The class figures are sums of the per-image medians.  MB/s is raw pixel bytes (width x height x channels, 10^6 bytes per MB) per second.
- Every decode is compared byte for byte with the input pixels; a codec that does not give them back fails the run.
- **.dir**: whole files as users get them, written by \`dir_encode\` and read by \`dir_decode\`, the file's format version checked after each encode.  **.dir fast**, **.dir default** and **.dir smallest**: the presets (\`dir_encode_options_preset\`), format version 2.  fast: filter none, zstd 3; default: filter auto chosen by estimates (no trial compression), zstd $(sed -n 's/^#define DIR_DEFAULT_LEVEL \([0-9]*\).*/\1/p' "$src/core/dir.h"); smallest: filter auto chosen by trial compressions, lzma (LZMA2 preset 9e, literal contexts aligned to the pixel).  **.dir seed-pure** (version 1, the method as its author described it): back end none, ordered layout, filter none, sub, or auto (both tried, smaller kept), \`version=1\`.  **.dir v1 default**: the default preset with \`version=1\` (version 1's own coder: section codes and zstd $(sed -n 's/^#define DIR_DEFAULT_LEVEL \([0-9]*\).*/\1/p' "$src/core/dir.h")), to show what version 2 changed.  Options are set by name through the core's option table (\`dir_option_set\`).
- **PNG**: libpng, 8-bit grey/RGB/RGBA as the input, default filter heuristics, zlib at libpng's default level and at level 9.  **optipng -o2**: run as a program on the default-level PNG; its time is the CPU time of the optipng process (user + system, from \`getrusage(RUSAGE_CHILDREN)\`, start-up included) plus the benchmark's own libpng encode and file I/O before it, so it is not quite comparable with the in-process times.  Its output is decoded with libpng back to the input's channels.  **PNG as shipped**: the Debian file itself (no encode; decoded with libpng).
- **mogrify**: after the codecs, \`$(basename "$DIR_BENCH_MOGRIFY")\` (ImageMagick 6 of Debian 12, $(dpkg-query -W -f '${Version}' imagemagick-6.q16 2>/dev/null || echo '?')) with this build's coder, \`mogrify -format png\`, \`-format dir\` and \`-format dir -define dir:preset=fast\` over copies of each class's PNGs as shipped (the images every codec passed), one command per class, interleaved, 3 rounds, the median counts; wall-clock and CPU time of the whole command (see the table's note).
- **JPEG XL lossless**: \`cjxl -d 0 -e 7\` and \`-e 9\` (\`--keep_invisible=1 --quiet\`, its default threads) on a PNG the benchmark writes (libpng level 1), decoded with \`djxl\` to PNG and read by libpng; both times are process CPU times (\`getrusage(RUSAGE_CHILDREN)\`, all threads, start-up and the PNG files included), like optipng's.
- **Peak memory**: for each in-process codec, image and direction, one more encode (decode) in a forked child that first returns its free heap (\`malloc_trim\`) and resets its peak RSS (\`/proc/self/clear_refs\`); the figure is \`getrusage(RUSAGE_SELF).ru_maxrss\` after the call minus the RSS before it, i.e. what the call adds beside the input (and, for decodes, the output buffer), the largest over the class's images, in MiB and as a multiple of that image's raw size.  For the external programs (cjxl and djxl, optipng's encode), marked "(process)": that program's own peak RSS, \`getrusage(RUSAGE_CHILDREN).ru_maxrss\` of the forked child after it waited for the program (its code, libraries and input file included, so not comparable one for one with what an in-process call adds).
- **WebP**: libwebp lossless, \`WebPConfigLosslessPreset(&cfg, 9)\` (method 6, quality 100, as \`cwebp -z 9\`) with \`exact = 1\` so the colour under transparent pixels survives.  Grey images are given to WebP and QOI as RGB (neither has a grey mode); their MB/s still counts the grey bytes.
- **QOI**: \`qoi_encode\`/\`qoi_decode\` from \`/usr/include/qoi.h\`; \`qoi_decode\` allocates its own buffer, included in its time.
- **TGA RLE**: the benchmark's own encoder/decoder (\`tests/bench/codecs.c\`), type 10 (type 11 for grey), 18-byte header, no footer, top-left origin; packets do not cross scan lines; greedy: 2 or more equal pixels (3 for grey) make a run packet.
- **gzip -9, xz -9**: zlib \`deflate\` level 9 in gzip framing (no file name, so 18 bytes of framing as in \`gzip -9 -n\`), and liblzma \`lzma_easy_buffer_encode\` preset 9 with a CRC64 check (\`xz -9\`), of the raw pixel bytes.

## Images: size and speed

![Total size relative to PNG against decode speed, per class](img/bench-size-speed.png)

Circles in reds and oranges are the .dir modes; the other shapes are the peers.

EOF
    cat "$out/images.md"
    cat <<'EOF'

## Version 2: what each technique gave

Measured with the experiment driver `dir-bench-v2` (`tests/bench/v2steps.c`,
built with the benchmark; the test `bench-v2-corpus` runs it for the round
trips, the benchmark does not) on the same corpus, one technique at a
time, from the default preset's parameters (zstd level 9) unless a row says
otherwise (the rows above the default one are measured before the image
palette's order and levels changed): payload bytes per class, and
the ratio to this corpus's lossless WebP `-z 9` totals (265,450 / 1,076,622 /
2,662,964 bytes).  Each row's command is
`build/tests/bench/dir-bench-v2 PARAMETERS < build/bench/corpus-list.tsv`
(every image's round trip is checked).  Measured on 2026-12-01, the first
rows on branch v2codec, the rows from "+ alpha last" to the default until
2026-12-03 as they were added; the large palette's row and those below it
on 2026-12-03 with the encoder of this commit (the "Source" at the top).
The sizes do not depend on the machine.

| step | parameters | icon | screen | sprite | icon / WebP | screen / WebP | sprite / WebP |
| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |
| .dir v1 default (zstd 19; notes-v2) | | 354,592 | 1,456,102 | 3,427,586 | 1.336 | 1.352 | 1.287 |
| v2 sections (fills, references) + raw units, zstd 9 | `palette=0 green=0 predict=0` | 408,619 | 1,761,995 | 4,028,811 | 1.539 | 1.637 | 1.513 |
| the same without fills and references | `palette=0 green=0 predict=0 refs=0 fills=0` | 436,040 | 1,772,649 | 4,049,155 | 1.643 | 1.646 | 1.521 |
| + image palette (at most 256 colours) | `green=0 predict=0` | 408,619 | 1,689,346 | 3,797,160 | 1.539 | 1.569 | 1.426 |
| + green subtraction | `predict=0` | 392,607 | 1,598,090 | 3,610,037 | 1.479 | 1.484 | 1.356 |
| + predictor per section, A or B by estimate | `pal_order=0 pal_predict=0 pal_level_boost=0` | 401,963 | 1,374,279 | 3,413,935 | 1.514 | 1.276 | 1.282 |
| + image palettes by value, predictors on indices, zstd 12 for them (the default until 2026-12-01 22:30) | `-p default` then | 401,963 | 1,368,253 | 3,384,235 | 1.514 | 1.271 | 1.271 |
| default + section palettes, 2-16 colours | `smallpal_max=16` | 423,301 | 1,394,690 | 3,448,557 | 1.595 | 1.295 | 1.295 |
| default + section palettes, 2-4 colours | `smallpal_max=4` | 413,484 | 1,378,151 | 3,403,991 | 1.558 | 1.280 | 1.278 |
| + alpha last: the residuals' alpha bytes after all their other bytes (under zstd) | `alpha_last=1 zminmatch=-1`, before the green test | 381,579 | 1,291,943 | 3,361,398 | 1.437 | 1.200 | 1.262 |
| + zstd minimum match 6 bytes (4 for one-byte units) at levels 5-15 | before the green test | 376,680 | 1,267,907 | 3,317,089 | 1.419 | 1.178 | 1.246 |
| + green subtraction only where it lowers the order-0 entropy of red and blue (the default until 2026-12-02) | before the zstd rule below | 376,535 | 1,265,015 | 3,313,376 | 1.418 | 1.175 | 1.244 |
| + the residual stream at zstd levels 8-12 (over 16 KiB) with the lazy strategy, searchLog 6 (5 for multi-byte units over 256 KiB) and a hash table no larger than the stream (the default until 2026-12-02 05:30) | `pal_small_boost=0` | 375,070 | 1,264,600 | 3,308,865 | 1.413 | 1.175 | 1.243 |
| + an image palette's residual stream up to 256 KiB at 5 zstd levels more than the image's (14, binary trees) instead of 3 (the default until 2026-12-03) | `pal16=0` | 375,070 | 1,261,081 | 3,300,554 | 1.413 | 1.171 | 1.239 |
| + a large image palette (transform 3): 8-bit RGB or RGBA with 257-65536 colours as 2-byte indices, where the estimate says it pays (**default**) | `-p default` | 358,972 | 1,251,233 | 3,119,821 | 1.352 | 1.162 | 1.172 |
| default without alpha last | `alpha_last=0` | 377,748 | 1,319,674 | 3,219,398 | 1.423 | 1.226 | 1.209 |
| default without the minimum match (the level's own, 5) | `zminmatch=-1` | 363,871 | 1,274,228 | 3,158,835 | 1.371 | 1.184 | 1.186 |
| A, B or the large palette by trial instead of estimate | `trials=1` | 345,654 | 1,247,215 | 3,112,505 | 1.302 | 1.158 | 1.169 |
| the same at zstd 19 | `trials=1 level=19` | 305,592 | 1,185,677 | 2,963,045 | 1.151 | 1.101 | 1.113 |
| lzma (LZMA2 9e, aligned literal contexts), by estimate, with alpha last | `method=2` | 288,063 | 1,153,045 | 2,839,808 | 1.085 | 1.071 | 1.066 |
| lzma, by trial, no alpha last (**smallest**) | `-p smallest` | 261,173 | 1,136,690 | 2,725,982 | 0.984 | 1.056 | 1.024 |
| **fast**: green, no predictor, zstd 3 | `-p fast` | 447,775 | 1,622,928 | 3,913,523 | 1.687 | 1.507 | 1.470 |

What did not pay: section palettes with bit-packed indices (larger with up to
16 colours on every class, mixed with up to 4); one predictor per row of
sections (`predict=-1`, larger than per section); biasing the per-section
choice towards no predictor (`none_bias`); planes instead of interleaved
units (notes-v2); zstd's minimum match 3 or strategy btopt at levels 9-12
(smaller screens, larger icons, slower); the predictor estimate on every
fourth row (0.3-1% larger; every other row is the default: 18-34% faster for
0.1-0.5%).  lzma pays 4-15% over zstd 19 with the same trials (14.5% icons,
4.1% screens, 8.0% sprites; 7.4% on the three classes together), so it is
the smallest preset's back end; it decodes 4-5 times slower than zstd, so it
is not the default's.  The default's estimate loses 3.7% to a trial on icons
(it picks predictors where none would be smaller), 0.3% on screens and 0.2%
on sprites.
Also tried on 2026-12-01 and not kept: every channel's residuals as planes
(icons 18%, sprites 15% larger: zstd's matches break), the green bytes apart
besides the alpha bytes (icons 12% larger than the alpha bytes apart alone),
the raw (predictor 0) units apart from the predicted ones (under 0.1%
smaller: not worth a rule of the format), zstd levels 8 (0.2-0.7% larger, not
measurably faster) and 10-11 (1-4% smaller icons, 10-30% slower), a
32-bit-at-a-time green undo in the decoder (the same instruction count).
Tried on 2026-12-02 and not kept: an LZ-aware choice per section (no
predictor where at least 30-70% of the section's two-unit spans were seen
earlier in the image, else the predictor the entropy picks; a dir-bench-v2
experiment, not in the code): against A or B by trial (364,493 / 1,259,045 /
3,267,946 bytes), A or that candidate by trial gave 369,453-383,320 /
1,259,074-1,279,889 / 3,314,156-3,509,538.  No other threshold for B (today: its
estimate under 0.8 x A's) is better on every class: from the per-image
estimates and sizes of A and B, 0.9 makes sprites 0.7% smaller and icons
0.5%, screens 0.1% larger; 0.5-0.6 icons 0.9% smaller and screens 13-21%
larger.  The estimate is off by up to twofold per image (on icons it
rates A's literals about twice what zstd makes of them), so a threshold
cannot recover the 2.8% / 0.2% / 1.0% (icons / screens / sprites) that
trials gain.  Near-repeat section references (a section coded as an earlier one
within the last 64 or 300 sections plus its byte differences as residuals,
chosen where the differences' order-0 entropy is below the best
predictor's; encoder and decoder in a dir-bench-v2 experiment, every round
trip checked): 374,939 / 1,261,109 / 3,300,096 bytes against the default's
375,070 / 1,261,081 / 3,300,554 (under 0.04%; with trials 364,455 /
1,259,065 / 3,267,588 against 364,493 / 1,259,045 / 3,267,946), and the
encode 4-10 times slower: zstd already takes most of a near repeat as
matches between the differing pixels.  Not kept.
zstd's experimental parameters (2026-12-05, libzstd 1.5.4, set for every
stream through `ZSTD_STATIC_LINKING_ONLY` in a dir-bench-v2 experiment,
`build/tests/bench/dir-bench-v2 KEY=VALUE < build/bench/corpus-list.tsv`;
payload bytes icon / screen / sprite against the default's 358,972 /
1,251,233 / 3,119,821): the block splitter (`ZSTD_c_useBlockSplitter`,
per-block literal tables where the statistics change) 358,581 / 1,245,192 /
3,110,166 (0.1% / 0.5% / 0.3% smaller, encode 3-6% slower); with it and the
btlazy2 strategy at level 9, 346,963 / 1,242,348 / 3,099,300 (3.3% / 0.7% /
0.7%), but the encode at half the speed (icons 134 MB/s, libpng's rate); a
target compressed block size of 1,340 bytes 361,211 / 1,265,921 / 3,153,428
(larger).  Not kept: under 0.5% outside the encode target, through an API
that libzstd does not promise to keep.
Encode speed (2026-12-02, branch v2enc; whole files from `dir_encode`,
`build/tests/bench/dir-bench-encode -r 5 < build/bench/corpus-list.tsv`:
fastest of 5 per image, CPU time, x libpng's default level in the same
run, three runs).  A profile of repeated default encodes (`perf record`)
split the time into zstd 37%, the per-section predictor estimate 19%, the
LZ estimate of candidates A and B 17%, the image-palette scan 7%, the
section classification (fills, references) 4.5%, the CRC of the pixels
4.5%, the residual pass 5%, the green test 2%.  What paid, in order (the
first six write the same bytes; fastest-of-5 phase times on the corpus):
est_lz hashing a repeat from one fixed-size load (23 -> 8 ms per candidate
on the screens), a fill test comparing rows instead of units (classify 9.5
-> 4.8 ms), the palette scan finding each pixel's colour once, in one loop
per unit size (screens 23 -> 8 ms, icons 10 -> 1.5 ms), zlib's crc32 (2.7 x
the slicing-by-8 tables), the predictor estimate's seven residuals for 16
bytes at a time with SSE2 (45 -> 27 ms on the screens, 115 -> 65 on the
sprites) and its c log c increments from a table (27 -> 16, 65 -> 41-46);
then zstd: for the residual stream at levels 8-12, lazy with searchLog 6
(5 for multi-byte units over 256 KiB) instead of lazy2 or (up to 128 KiB
at the palette images' level 12) binary trees: smaller on every class and
zstd's time down 34% / 30% / 10% (screen / sprite / icon); a hash table no
larger than the stream (+0.01% bytes, screens and sprites faster).  Default
encode x libpng: 1.38-1.44 / 1.78-1.81 / 1.61-1.74 before, 2.48-2.55 /
2.77-2.86 / 2.19-2.36 after; fast 5.00-5.01 / 6.73-6.87 / 4.25-4.48 before,
7.70-7.91 / 9.95-10.11 / 7.10-7.80 after (the fast preset's bytes are the
same).  Not kept: the palette images at level 9 instead of 12 (0.14% /
0.16% larger screens and sprites; the lazy rule gets most of its time), the
lazy strategy at every stream and level 9's own searchLog (icons 2.1%
larger), level 8 (0.08-0.28% larger) or 7 (0.3-2.4%), greedy (1.3-6.9%
larger), histograms of
the estimate summed after the section instead of as they grow (slower:
7 x 256 bins per section), and four interleaved histograms (slower still).
The lazy rule costs two palette images their lead over optipng -o2
(`trident/units.png` 11,518 -> 11,804 bytes, `toolbox/warp-ex-abyss.png`
12,819 -> 13,428); keeping the levels' own strategies for one-byte units
(`ub >= 2` in the rule) gives them back, but made screens 311 bytes larger
in total (other palette images gain from lazy), sprites 3,539 bytes smaller,
and the screen encode 20-30% slower (129-136 -> 94-107 MB/s,
`dir-bench-v2 -p default -r 5`, two interleaved runs): not kept.
Instead, since 2026-12-02 05:30, an image palette's residual stream of at
most 256 KiB gets 5 levels more than the image's (14 in the default) instead
of 3: `units.png` 11,764 -> 10,673 payload bytes, `warp-ex-abyss.png` 13,388
-> 11,451 (optipng -o2: 11,683 and 12,690), the ten image-palette images of
the corpus 902,918 -> 888,613 (-1.6%; 2.5% at level 13 did not beat optipng on
`warp-ex-abyss.png`, 14 did); their encode 124-159 -> 80-96 MB/s (screens) and
113-141 -> 60-82 (sprites), the classes' 135-156 -> 136 MB/s and 109-115 ->
98-101 (`dir-bench-v2 -p default -r 5 pal_small_boost=0|5`, two interleaved
runs, load average 2-3).  `select/round-rect-02.png` (a photograph in 255
colours) stays larger than optipng's (35,162 payload bytes against 32,992):
deflate's Huffman tables every 16K symbols follow its statistics better than
zstd's one per 128 KiB block; flushing a zstd block every 4-16 KiB made it
33,660-34,102, but flushing every 8-32 KiB made every class larger (icons
2.3-8.6%) and every other palette image too, so not kept.

Tried on 2026-12-03 and not kept: settling the A/B choice with a quick
trial, zstd level 3 of both candidates' residual streams (B where its
stream is smaller), measured with `dir-bench-v2` (an experiment parameter,
not committed) for the bytes and with callgrind for the encoder's
instructions (`valgrind --tool=callgrind
--toggle-collect=dir2_encode_payload_params`, per class; wall-clock rates
on this machine varied by 30% between identical runs).  On every image:
371,916 / 1,259,045 / 3,267,946 bytes (icon / screen / sprite; -0.84% /
-0.16% / -0.99%; trials at the real level give 364,493 / 1,259,045 /
3,267,946) for 9.6% / 19.1% / 19.1% more instructions.  Only where the
estimate is within 8/64 of the threshold: 372,726 / 1,261,081 / 3,267,946
(-0.62% / 0 / -0.99%) for 2.3% / 4.3% / 4.3% more; with four 64 KiB samples
of each stream instead of the whole of it, 372,726 / 1,261,081 / 3,277,266
(-0.62% / 0 / -0.71%) for 2.3% / 2.9% / 2.6% more.  zstd level 1 picks
worse than the estimate on icons (377,862); a bias towards B at level 3
gains up to 2.4% on icons but is not monotonic in the bias (icons 366,051
at 3/64, 368,157 at 4/64, 370,236 at 2/64; screens 1.6% larger at 4/64),
a fit to this corpus.  Under 1% on two classes moves no target and would
have taken a share of the screens' encode-speed margin (2.30 x libpng
against the target's 2).

Also tried on 2026-12-03 and not kept, the most promising lead of the
session: a third candidate C, one predictor for the whole image (every raw
section with it), where a uniform predictor keeps repeated tiles identical
for zstd's matches while the per-section choice (by order-0 entropy) breaks
them.  The oracle, per image the smallest of the default and the 6 fixed
predictors (`predict=1..6`), is 1,255,436 / 3,224,608 / 373,217 bytes
(screen / sprite / icon; -0.45% / -2.30% / -0.49%; 13 sprites smaller, up
to 17.9% on `hexemplio/hills.png` with the left predictor, and
`dialogs/channel-masks-gradient.png` 16,983 -> 14,698 payload bytes, below
optipng's 16,457).  C's predictor as the smallest sum of the per-section
estimates, chosen against A or B by the LZ estimate: 1,260,645 / 3,285,194
/ 375,790 (-0.03% / -0.47% / +0.19%); by zstd level 3 of both streams:
1,258,068 / 3,243,080 / 374,969 (-0.24% / -1.74% / -0.03%); with C always
the left predictor, by zstd level 3: 1,257,247 / 3,257,873 / 373,977.  The
estimate undervalues C's repeats (`hexemplio/hills.png`: B 106,655 bytes
kept against C's 87,522).  But C's residual pass and estimate cost 23-30%
more encoder instructions, and with the zstd-3 decision 42% (callgrind, as
above): more than the encode-speed margin.  Cheaper decisions found little:
C whenever its summed per-section order-0 cost is within 1-10/64 of the
per-section minima's (no extra pass) made sprites 0.42-0.71% smaller and
icons up to 2.3% larger; C judged on every 2nd, 4th or 8th row of sections
(by the LZ estimate or zstd level 3) made sprites 0.44-0.54% smaller, icons
and screens within 0.1%: sampling loses the distant repeats C keeps.

Kept on 2026-12-03: the large image palette (transform 3, docs/FORMAT.md
9.2).  Many icons and sprite sheets are drawn in a few hundred to a few
thousand colours, too many for the one-byte palette: each such colour
becomes a 2-byte little-endian index into a palette sorted by value and
stored delta-coded as its own stream record, and the residual pass runs on
the indices (units of 2 bytes).  The choice costs no trial: after A or B,
the LZ estimate of the index residuals plus the order-0 cost of the delta
palette against the kept candidate's estimate (skipped where the image has
over 4096 colours and the kept candidate costs over 8 bits a pixel); the
smallest preset tries it as a third trial.  Against the same encoder
without it (`pal16=0`): icons 375,070 -> 358,972 bytes (-4.3%), screens
1,261,081 -> 1,251,233 (-0.8%), sprites 3,300,554 -> 3,119,821 (-5.5%);
x WebP -z 9 1.413 / 1.171 / 1.239 -> 1.352 / 1.162 / 1.172.  The best of
the two per image (an oracle) would be -5.5% / -1.2% / -6.6%.  Encoder
instructions (callgrind, as above): screens 1,563M -> 1,670M (+6.8%, with
the LZ estimate specialised per unit size, which alone took its own
instructions on the screens from 349M to 206M), sprites 4,036M -> 3,900M.
Tried the same day and not kept: WebP's cross-colour transform (per image,
red and blue less a multiple of green, the multiples chosen by order-0
entropy) besides green subtraction: icons -0.13%, screens -0.33%, sprites
+2.70%.
Speed, measured after the benchmark run with `dir-bench-v2 -p default -r 5
pal16=0|1` (three interleaved runs each, fastest of 5 per image): screens
encode at 66-71 MB/s without the large palette and 60-73 with it; icons
encode at 158-174 and 146-168 MB/s and decode at 1,251-1,439 and
1,553-1,728 MB/s (the two-byte indices decode faster than the predicted
pixels they replace).

Speed work of 2026-12-04, the same bytes (payload totals unchanged), in
instructions (callgrind, `dir-bench-v2`, per class): green subtraction and
its undoing four (RGBA) or five (RGB) pixels a vector with SSE2; the
encoder's residuals 8 bytes at a time with SSE2 for the six predictors;
the LZ estimate's repeat table hashed by one multiplication (bijective, so
no false matches) instead of a mixing hash; the large palette skipped on
noisy images by counting to 4,097 colours before building it; its index
plane written and its colours read with 16-bit loads and stores, the
indices tested once at the end.  Encoder: screens 1,670M -> 1,464M
(-12%), icons 1,452M -> 1,374M (after the skip alone; -5%).  Decoder:
icons 200.8M -> 160.9M (-20%), screens 154.6M -> 138.1M (-11%).  The
benchmark run of this commit was on another machine (an Intel Xeon; the
run before, on an AMD EPYC, had libpng's default level at 30.7 MB/s on the
screens, this one 59.5), so its speed rows mix the two.

Tried on 2026-12-04 and not kept: candidate C on the image-palette images
alone, where the per-section choice says little (the order-0 entropy of
256 one-byte indices over up to 256 colours): one predictor for the whole
image (left, Paeth or MED, the smallest whole-image order-0 cost of its
residuals, with the palette in its luma-like order or in RGB value order),
kept where its LZ estimate beats the kept candidate's.  Against the
default (`dir-bench-v2`, an experiment parameter, not committed): icons
and screens unchanged, sprites 3,119,821 -> 3,114,912 bytes (-0.16%:
`NightStalker/sun.png` 226,982 -> 223,165, `pattern-game.png` 107,435 ->
106,343), no image larger.  It misses the one image with at most 256
colours where optipng -o2 still wins, `select/round-rect-02.png` (a
photograph in 255 colours; 35,163 payload bytes, file 35,203, optipng's
32,992): Paeth everywhere on indices in RGB value order makes it 32,688
(file 32,728, below optipng's), but the LZ estimate rates A at 31,743
bytes against C's 34,806, where zstd makes 34,360 of A and about 31,900
of C: on one-byte indices with 255 colours most of the estimate's
two-unit repeats are chance pairs from unrelated places.  Neither repeats
of four units (the estimate then picks C on `curvebend.png`,
`image-window-single.png` and `Necrophos/pattern.png`, where C is 2-12%
larger) nor a greedy LZ77 parse with real match lengths (C smaller on 9
of the 11 images, wrongly on 5) tells the cases apart; a trial compression
would, and the default makes none.  Not kept for 0.16% on one class.

The default's size targets need more than zstd gives at a speed above
libpng's: zstd 19 with trials is still 1.10-1.15 x WebP and encodes at 5-7
MB/s; only lzma comes near (smallest: 0.98-1.06, smaller than WebP on
icons), at 2-6 MB/s.
Decoding, measured on 2026-12-02 with `dir-bench-v2 -f -r 9` (whole
default-preset files through `dir_decode`, the fastest of 9 decodes per
image, CPU time, best of 3 runs): 620.7 / 665.7 / 961.8 MB/s (screen /
sprite / icon) before, 1499.2 / 1391.9 / 2098.2 MB/s after the CRC-32 of
the pixels through libdeflate (24-41% of the decode with the slicing-by-8
tables), residual loops per unit size with the neighbours in registers and
Paeth and MED as conditional moves, the image palette's colours written row
by row with fixed-size stores (one `rep movsb` per pixel before), fills
without a memcpy call per row and stored streams read in place.  Not kept:
finishing each row (green, 16-bit byte order, CRC) as soon as the row below
it is decoded, while it is in the cache (no measurable gain).

### Lossless WebP's own trade-off (issue 11's size target in context)

Measured with `dir-bench-webp-levels -r 3 < build/bench/corpus-list.tsv`
(`tests/bench/webplevels.c`, built with the benchmark, not run by it;
2026-12-03, the CI suite running on the other core): the benchmark's WebP
codec (`exact` on) at each of its presets `-z 0..9`, libpng's default level
and the `.dir` default preset (whole files from `dir_encode`), each image
encoded 3 times, the fastest counts (CPU time of the thread); the speeds as
multiples of libpng's in the same run.  Every WebP file is decoded and
compared with the pixels.

| codec | screen bytes | x WebP -z 9 | x libpng's speed | sprite bytes | x WebP -z 9 | x libpng's speed | icon bytes | x WebP -z 9 | x libpng's speed |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
| WebP lossless -z 0 | 1,513,090 | 1.405 | 3.63 | 4,160,156 | 1.562 | 5.26 | 1,234,864 | 4.652 | 2.80 |
| WebP lossless -z 1 | 1,226,720 | 1.139 | 1.87 | 3,454,084 | 1.297 | 1.95 | 334,272 | 1.259 | 1.12 |
| WebP lossless -z 2 | 1,174,802 | 1.091 | 0.90 | 3,266,642 | 1.227 | 1.14 | 300,232 | 1.131 | 0.60 |
| WebP lossless -z 3 | 1,116,490 | 1.037 | 0.60 | 3,091,610 | 1.161 | 0.72 | 288,456 | 1.087 | 0.37 |
| WebP lossless -z 4 | 1,115,664 | 1.036 | 0.55 | 3,085,422 | 1.159 | 0.71 | 285,292 | 1.075 | 0.37 |
| WebP lossless -z 5 | 1,112,218 | 1.033 | 0.39 | 3,075,658 | 1.155 | 0.60 | 285,118 | 1.074 | 0.35 |
| WebP lossless -z 6 | 1,095,412 | 1.017 | 0.34 | 3,048,588 | 1.145 | 0.48 | 281,846 | 1.062 | 0.31 |
| WebP lossless -z 7 | 1,091,678 | 1.014 | 0.31 | 2,906,260 | 1.091 | 0.39 | 281,754 | 1.061 | 0.29 |
| WebP lossless -z 8 | 1,087,718 | 1.010 | 0.19 | 2,888,874 | 1.085 | 0.23 | 280,342 | 1.056 | 0.25 |
| WebP lossless -z 9 | 1,076,654 | 1.000 | 0.01 | 2,662,964 | 1.000 | 0.02 | 265,450 | 1.000 | 0.03 |
| PNG (libpng default level) | 2,035,929 | 1.891 | 1.00 | 5,410,069 | 2.032 | 1.00 | 558,914 | 2.106 | 1.00 |
| .dir default | 1,262,201 | 1.172 | 2.05 | 3,301,754 | 1.240 | 2.33 | 376,110 | 1.417 | 2.36 |

The default's two targets together, at most 1.10 x WebP `-z 9` in size and
at least twice libpng's encode speed, ask for more than lossless WebP gives
at any preset: only `-z 0` encodes at twice libpng's speed (1.405 / 1.562 /
4.652 x its `-z 9` size, screen / sprite / icon), and WebP's first preset
within 1.10 of its own `-z 9` is `-z 2` on screens (1.091, 0.90 x libpng's
speed), `-z 3` on icons (1.087, 0.37 x) and `-z 7` on sprites (1.091, 0.39
x).  `.dir` default (1.172 / 1.240 / 1.417 at 2.05 / 2.33 / 2.36 x libpng in
this run) is smaller than WebP `-z 1` on sprites (1.297) and larger on
screens (1.139) and icons (1.259), while WebP `-z 1` already encodes slower
than the target allows (1.87 / 1.95 / 1.12 x libpng).

### Entropy coding with contexts instead of zstd (issue 11's experiment)

Measured with `dir-bench-v2-entropy` (`tests/bench/v2entropy.c`, built with
the benchmark, not run by it): the default preset's payload with stream 3
(the residuals, the same bytes zstd gets) coded by other models, the other
streams as zstd packs them; bytes per class and the ratio to WebP -z 9
(265,450 / 1,076,654 / 2,662,964).  Command:
`build/tests/bench/dir-bench-v2-entropy [OPTIONS] < build/bench/corpus-list.tsv`
(2026-12-02; the file's opening comment defines every row).  Static tables
are sized as the experiment's rANS coder writes them (tables included);
the rows with LZ are estimates (zstd's own parse from
`ZSTD_generateSequences`, the sequences costed as zstd codes them: the
check row is within 1% of zstd's measured size).

| stream 3 coded as | options | icon | screen | sprite | icon / WebP | screen / WebP | sprite / WebP |
| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |
| zstd 9 (the default, measured) | | 376,535 | 1,265,015 | 3,313,376 | 1.418 | 1.175 | 1.244 |
| order 0, one static table | | 1,042,365 | 2,752,909 | 7,226,399 | 3.927 | 2.557 | 2.714 |
| order 0 per channel | | 799,562 | 2,189,364 | 6,246,160 | 3.012 | 2.033 | 2.346 |
| channel x 16 buckets of \|L\|+\|U\| (neighbours' residuals) | | 576,467 | 1,774,481 | 4,806,637 | 2.172 | 1.648 | 1.805 |
| channel x K buckets of \|L\|+\|U\| x 3 of the unit's previous byte, best K per image | | 470,627 | 1,702,187 | 4,523,001 | 1.773 | 1.581 | 1.698 |
| the same, candidate B (predictors) where smaller | `-b` | 424,377 | 1,371,146 | 4,436,219 | 1.599 | 1.274 | 1.666 |
| adaptive, 9x9x9 signed contexts, no tables (a bound) | `-b` | 390,006 | 1,392,220 | 4,424,184 | 1.469 | 1.293 | 1.661 |
| zstd's parse, literals in K buckets of \|L\|+\|U\| per channel, best K per image | | 377,095 | 1,224,909 | 3,205,072 | 1.421 | 1.138 | 1.204 |
| + 2-D distance codes, MED-predicted literals in predictor-0 units | | 369,404 | 1,206,223 | 3,147,012 | 1.392 | 1.120 | 1.182 |
| the same, matches under 12 bytes as literals | `-k 12` | 370,260 | 1,181,667 | 3,174,041 | 1.395 | 1.098 | 1.192 |
| check: zstd's parse, one order-0 literal table | | 374,764 | 1,263,418 | 3,345,079 | 1.412 | 1.173 | 1.256 |
| pixel LZ77 + colour cache + contexts (WebP's design, greedy parse) | `-b` | 337,449 | 1,225,139 | 3,263,908 | 1.271 | 1.138 | 1.226 |
| rANS coder, real bytes (K buckets per channel, best K per image, no LZ) | `-c best` | 542,595 | 1,758,995 | 4,770,093 | 2.044 | 1.634 | 1.791 |
| brotli q5, 16 MiB window (libbrotli 1.0.9, measured; 2026-12-03) | `-B 5` | 381,328 | 1,285,417 | 3,346,485 | 1.437 | 1.194 | 1.257 |
| brotli q7 | `-B 7` | 367,461 | 1,276,108 | 3,303,752 | 1.384 | 1.185 | 1.241 |
| brotli q9 | `-B 9` | 351,901 | 1,270,177 | 3,281,136 | 1.326 | 1.180 | 1.232 |
| brotli q11 | `-B 11` | 308,189 | 1,129,955 | 2,906,616 | 1.161 | 1.050 | 1.091 |

Without LZ, contexts make the payload 22-41% smaller than order 0 per
channel, but every such coder stays far above zstd (even the adaptive bound
is 1.29-1.66 x WebP): the streams' repeats are worth more than their
statistics.  With zstd's parse kept, the contexts change the payload by
+0.6% (icons: tables for few literals), -3.0% (screens) and -4.2% (sprites)
against one order-0 literal table; the sequences are then 41-63% of stream
3 (icons: 98,693 of them, 233,651 bytes against 139,421 of literals), so no
literal coder closes the gap.  The best of every row per class is 1.271 icon, 1.098 screen,
1.182 sprite: only screens reach 1.10.  The experiment's rANS decoder
(portable C, two states, 12-bit tables per context) decodes 111-153 MB/s of
stream bytes (`-c best -r 3`, load average 7-9), a payload at an estimated
166-389 MB/s against zstd's 690-1,321 (and libwebp's 584-1,720); with
zstd's parse only the literals (2-17% of the bytes) go through it: an
estimated 482-1,247 MB/s.

Brotli in zstd's place (rows `-B Q`, 2026-12-03, built with Debian's
libbrotli-dev; the stream as the encoder gives it, decoded and checked;
rates in MB/s of stream 3's bytes, fastest of one run, with the CI suite
running on the other core): at the qualities fast enough for the default
it is barely smaller than zstd 9 (q5: 1-2% larger; q7: 2% smaller icons,
0.1-1.2% larger sprites and screens, encoding at 16-54 MB/s; q9: 6% smaller
icons, 0.6% smaller sprites, 0.7% larger screens, at 7-13 MB/s) and its
decoder is 2.4-3.0 times slower than zstd's on the same stream (q5-q9:
351-805 MB/s against 966-1,917).  Only q11 (its context modelling and
optimal parse) pays: 18% / 10% / 12% smaller than the default (icon /
screen / sprite),
1.161 / 1.050 / 1.091 x WebP, but it encodes at 0.4-0.5 MB/s, 100-500
times too slow for the default's speed target, and as the smallest
preset's back end it loses to lzma with trials on icons and sprites
(268,852 / 1,147,907 / 2,771,824 that day, before the large palette).  Not kept: no back end in the format.
EOF
    cat <<EOF

## \`dirtool info\` of two corpus files

A typical screenshot and a typical sprite sheet from the corpus, encoded with dirtool's defaults.
EOF
    cat "$out/info.md"
    cat <<EOF

## Arrays

The data sets of \`../shared/imgarrays-reference/\` (read in place) packed into
images by \`dira_encode\` in both modes, each with the configuration chosen
automatically (\`DIRA_CAPACITY_AUTO\`, the shortest value stream): classic
(no header, the reference's bytes; values its encoding cannot give back
exactly are written as the reference would and counted as inexact) and
self-describing (the default; every double exact), then stored as PNG
(libpng default level), lossless WebP (-z 9) and .dir (whole files from
\`dir_encode\` with the default and smallest presets, format version 2: the
image rows' codecs).  Pack = \`dira_encode\`
plus the image encoder, unpack = the image decoder plus \`dira_decode\`; for
the text rows, pack = compressing the JSON text as given and unpack =
decompressing it and reading the numbers with strtod.  Median of up to 3
packs and 3 to 5 unpacks.  "Values back exact" counts doubles identical bit
for bit to the JSON's numbers read by strtod.  The reference library's own
images are read back as classic images with their MANIFEST configuration.
The \`large\` set is the 318,010 weights of a 784-400-10 network
(\`samples/weights-gen --hidden 400\`; the reference data has no set that size).

"Numbers <-> pixel bytes" times \`dira_encode\` and \`dira_decode\` alone (no
image codec; CPU time of the thread, median of 7) beside the reference
library in the same run (\`tests/bench/arrays-ref.js\` under \`node
--single-threaded\`, CPU time of the process, median of 5): its
\`prepareExportData\` for encoding, and for decoding \`hexToNum\` on the
'f'-split hex string of the bytes ("from bytes": including building that
string with its decoder's own loop).  Classic rows use the reference
images' configuration (capacity 1 with lDecZeroes for \`small\` and \`large\`);
self-describing rows our defaults; both are compared with the same
reference timing.
EOF
    cat "$out/arrays.md"
} > "$docs/benchmarks.md.tmp"
mv "$docs/benchmarks.md.tmp" "$docs/benchmarks.md"

echo "bench: wrote $docs/benchmarks.md and $docs/img/bench-size-speed.png in $((t1 - t0)) s" >&2
[ $status -eq 0 ] || die "a codec failed or did not round-trip (see the FAILED lines in $docs/benchmarks.md)"

# The README's benchmark tables, from this run: the images' (dir-bench
# --readme) between the bench-tables markers, the arrays' (dir-bench-arrays
# --readme) between the bench-arrays markers.  A quick run splices into a copy.
[ "$readme" = "$src/README.md" ] || cp "$src/README.md" "$readme"
splice() { # marker name, fragment
    begin="<!-- $1:begin -->"
    end="<!-- $1:end -->"
    {
        echo
        echo "From the run recorded in [docs/benchmarks.md](docs/benchmarks.md) ($start, commit $rev, $cores logical CPUs at a load average of $load_start; written by the benchmark, do not edit):"
        echo
        cat "$2"
        echo
    } > "$out/README-$1.md"
    [ "$(grep -c -x -F "$begin" "$readme")" -eq 1 ] && [ "$(grep -c -x -F "$end" "$readme")" -eq 1 ] ||
        die "README.md needs exactly one line $begin and one line $end"
    awk -v begin="$begin" -v end="$end" -v frag="$out/README-$1.md" '
        $0 == end { skip = 0 }
        !skip { print }
        $0 == begin { while ((getline line < frag) > 0) print line; skip = 1 }
    ' "$readme" > "$readme.tmp"
    mv "$readme.tmp" "$readme"
    echo "bench: wrote $2 into $readme between its $1 markers" >&2
}
splice bench-tables "$out/readme.md"
splice bench-arrays "$out/readme-arrays.md"
