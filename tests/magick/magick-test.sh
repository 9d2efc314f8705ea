#!/bin/sh
# SPDX-License-Identifier: MIT
# magick-test.sh CASE -- tests of the ImageMagick DIR coder with the real
# programs (paths in CONVERT, MOGRIFY, IDENTIFY, COMPARE and MAGICK; the
# module is found through MAGICK_CODER_MODULE_PATH and MAGICK_CONFIGURE_PATH,
# set by tests/magick/meson.build).  DIR_MAGICK_MAJOR says which ImageMagick:
# 6 (convert, mogrify, ...) or 7 (CONVERT is `magick`, the others are its
# mogrify, identify and compare).  Every case either passes or fails: none
# is skipped.
set -u

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

major=${DIR_MAGICK_MAJOR:-6}
for v in CONVERT MOGRIFY IDENTIFY COMPARE DIRTOOL DIR_SOURCE_ROOT MAGICK_CODER_MODULE_PATH; do
    eval "val=\${$v:-}"
    [ -n "$val" ] || fail "$v is not set"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dir-magick.XXXXXX") || fail "mktemp"
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || fail "cd $tmp"

# ae0 A B: the two images have the same pixels (compare -metric AE is 0).
ae0() {
    out=$("$COMPARE" -quiet -metric AE "$1" "$2" null: 2>&1) || fail "compare $1 $2: $out"
    [ "$out" = 0 ] || fail "compare $1 $2: AE $out"
}

# run CMD...: the command succeeds.
run() {
    out=$("$@" 2>&1) || fail "$* failed: $out"
}

# rejects OUTPUT TEXT... -- CMD...: CMD exits non-zero, prints every TEXT
# and leaves no OUTPUT file.
rejects() {
    output=$1
    shift
    texts=""
    while [ "$1" != "--" ]; do
        texts="$texts
$1"
        shift
    done
    shift
    rm -f "$output"
    if out=$("$@" 2>&1); then
        fail "$* succeeded; expected an error"
    fi
    echo "$texts" | while IFS= read -r text; do
        [ -z "$text" ] && continue
        case $out in
            *"$text"*) ;;
            *) echo "FAIL: $* said: $out; expected: $text" >&2 && exit 1 ;;
        esac
    done || exit 1
    [ ! -e "$output" ] || fail "$* left a partial $output"
}

# patch FILE OFFSET OCTAL-BYTES: overwrites bytes in place.
patch() {
    printf "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null || fail "patch $1"
}

# byte FILE OFFSET: the unsigned value of one byte.
byte() {
    od -An -tu1 -j"$2" -N1 "$1" | tr -d ' '
}

# u32 FILE OFFSET: a little-endian 32-bit field.
u32() {
    echo $(($(byte "$1" "$2") + 256 * $(byte "$1" $(($2 + 1))) +
        65536 * $(byte "$1" $(($2 + 2))) + 16777216 * $(byte "$1" $(($2 + 3)))))
}

# Header size and stream count, from the public header.
header=$(sed -n 's/^#define DIR_HEADER_SIZE \([0-9]*\).*/\1/p' "$DIR_SOURCE_ROOT/core/dir.h")
streams=$(sed -n 's/^#define DIR_STREAMS \([0-9]*\).*/\1/p' "$DIR_SOURCE_ROOT/core/dir.h")
[ -n "$header" ] && [ -n "$streams" ] || fail "cannot read DIR_HEADER_SIZE/DIR_STREAMS from core/dir.h"

# property FILE NAME: the value identify -verbose shows for a property.
property() {
    "$IDENTIFY" -verbose "$1" | sed -n "s/^ *$2: //p"
}

builtins="rose: logo: wizard: granite: netscape:"

case ${1:-} in
roundtrip)
    # Built-in images, every filter, back end and layout of the version-1
    # coder (dir:version=1), whose properties name them.
    for img in $builtins; do
        for filter in none sub auto; do
            for backend in none zstd; do
                # the zstd level (refused with back end none)
                level=""
                [ $backend = zstd ] && level="-define dir:level=3"
                for layout in ordered interleaved; do
                    # shellcheck disable=SC2086
                    run "$CONVERT" "$img" -define dir:filter=$filter \
                        -define dir:backend=$backend -define dir:layout=$layout \
                        $level -define dir:version=1 out.dir
                    [ "$(property out.dir dir:version)" = 1 ] || fail "$img: version"
                    [ "$(property out.dir dir:backend)" = $backend ] || fail "$img: back end"
                    [ "$(property out.dir dir:layout)" = $layout ] || fail "$img: layout"
                    ae0 "$img" out.dir
                    run "$CONVERT" out.dir back.png
                    ae0 "$img" back.png
                done
            done
        done
    done
    # Default options (filter auto, zstd level 9, ordered): version 2.
    for img in $builtins; do
        run "$CONVERT" "$img" def.dir
        [ "$(property def.dir dir:version)" = 2 ] || fail "$img: default version"
        ae0 "$img" def.dir
    done
    ;;
alpha-grey)
    # RGBA: a varying alpha channel is kept exactly and written as 4 channels.
    run "$CONVERT" rose: -alpha set -channel A -fx "(i+j)/(w+h)" +channel alpha.png
    for filter in none sub; do
        for layout in ordered interleaved; do
            # the layout is version 1's (refused with version 2)
            run "$CONVERT" alpha.png -define dir:filter=$filter -define dir:layout=$layout \
                -define dir:version=1 alpha.dir
            [ "$(property alpha.dir dir:channels)" = 4 ] || fail "alpha: channels"
            ae0 alpha.png alpha.dir
            run "$CONVERT" alpha.dir alpha-back.png
            ae0 alpha.png alpha-back.png
        done
    done
    # Grey: one channel, read back as a grey image.
    for img in rose: logo: granite:; do
        run "$CONVERT" "$img" -colorspace Gray grey.png
        run "$CONVERT" grey.png grey.dir
        [ "$(property grey.dir dir:channels)" = 1 ] || fail "$img grey: channels"
        # ImageMagick 6 says "gray", 7 "gray  1.0" (one channel).
        case $("$IDENTIFY" -format %[channels] grey.dir) in
            gray | "gray  1.0") ;;
            *) fail "$img grey: not gray" ;;
        esac
        ae0 grey.png grey.dir
    done
    # RGB: 3 channels.
    run "$CONVERT" rose: rgb.dir
    [ "$(property rgb.dir dir:channels)" = 3 ] || fail "rgb: channels"
    # The byte at offset 9 of the file is the channel count.
    [ "$(od -An -tu1 -j9 -N1 grey.dir | tr -d ' ')" = 1 ] || fail "grey: header channels"
    [ "$(od -An -tu1 -j9 -N1 alpha.dir | tr -d ' ')" = 4 ] || fail "alpha: header channels"
    ;;
conversions)
    # Palette images are expanded.
    run "$CONVERT" logo: -colors 16 pal.gif
    run "$CONVERT" pal.gif pal.dir
    ae0 pal.gif pal.dir
    # Other colourspaces are transformed to sRGB.
    run "$CONVERT" rose: -colorspace CMYK cmyk.tif
    run "$CONVERT" cmyk.tif cmyk.dir
    run "$CONVERT" cmyk.tif -colorspace sRGB srgb.bmp
    ae0 srgb.bmp cmyk.dir
    [ "$("$IDENTIFY" -format %[colorspace] cmyk.dir)" = sRGB ] || fail "cmyk: colourspace"
    # 16-bit samples are kept (version 2, depth 16), exactly.
    run "$CONVERT" -size 64x64 gradient:red-blue -depth 16 deep.png
    run "$CONVERT" deep.png deep.dir
    ae0 deep.png deep.dir
    [ "$("$IDENTIFY" -format %z deep.dir)" = 16 ] || fail "deep: depth"
    [ "$(property deep.dir dir:depth)" = 16 ] || fail "deep: dir:depth"
    run "$CONVERT" deep.dir deep-back.png
    ae0 deep.png deep-back.png
    [ "$("$IDENTIFY" -format %z deep-back.png)" = 16 ] || fail "deep: PNG depth"
    # Version 1 (asked for) holds 8 bits: rounded to the nearest 8-bit
    # value, as the BMP writer does (ScaleQuantumToChar).
    run "$CONVERT" deep.png -define dir:version=1 v1.dir
    run "$CONVERT" deep.png deep.bmp
    ae0 deep.bmp v1.dir
    [ "$(property v1.dir dir:version)" = 1 ] || fail "v1: version"
    [ "$("$IDENTIFY" -format %z v1.dir)" = 8 ] || fail "v1: depth"
    # The coder holds no format logic: the same pixels give the same bytes
    # as dirtool, with and without -monitor (which reports the compression
    # in steps).
    run "$CONVERT" logo: logo.png
    run "$DIRTOOL" encode logo.png logo-dirtool.dir
    run "$CONVERT" logo.png logo-convert.dir
    cmp -s logo-dirtool.dir logo-convert.dir || fail "convert and dirtool wrote different bytes"
    "$CONVERT" -monitor logo.png logo-monitor.dir 2>/dev/null || fail "convert -monitor"
    cmp -s logo-dirtool.dir logo-monitor.dir || fail "-monitor changed the bytes"
    # dir:level changes the zstd effort, not the pixels.
    run "$CONVERT" logo: -define dir:level=1 l1.dir
    ae0 logo: l1.dir
    # dir:codes picks the section codes, not the pixels: the smallest
    # codification uses entry lists (codes 04, 05, 06) where zstd's uses raw.
    run "$CONVERT" wizard: -define dir:codes=smallest -define dir:level=3 -define dir:version=1 cs.dir
    run "$CONVERT" wizard: -define dir:codes=zstd -define dir:level=3 -define dir:version=1 cz.dir
    ae0 wizard: cs.dir
    ae0 wizard: cz.dir
    lists() { echo $(( $(property "$1" dir:code-04) + $(property "$1" dir:code-05) + $(property "$1" dir:code-06) )); }
    [ "$(lists cs.dir)" -gt 0 ] || fail "dir:codes=smallest wrote no entry list"
    [ "$(lists cz.dir)" = 0 ] || fail "dir:codes=zstd wrote an entry list"
    ;;
options)
    for define in dir:filter=median dir:backend=brotli dir:layout=spiral \
        dir:level=0 dir:level=23 dir:level=5x dir:codes=fewest; do
        rejects bad.dir "${define%%=*}" -- "$CONVERT" rose: -define "$define" bad.dir
    done
    # A define that the others make meaningless is refused with the core's
    # reason (dir_option_check), as dirtool refuses the option.
    rejects bad.dir "dir:level=3" "level does not apply with backend none" -- \
        "$CONVERT" rose: -define dir:backend=none -define dir:level=3 bad.dir
    rejects bad.dir "dir:layout=interleaved" \
        "layout does not apply with backend zstd and filter auto, which write format version 2" -- \
        "$CONVERT" rose: -define dir:layout=interleaved bad.dir
    rejects bad.dir "dir:codes=zstd" "codes does not apply with format version 2" -- \
        "$CONVERT" rose: -define dir:version=2 -define dir:codes=zstd bad.dir
    rejects bad.dir "dir:threads=2" "threads does not apply with format version 1" -- \
        "$CONVERT" rose: -define dir:version=1 -define dir:threads=2 bad.dir
    # A misspelt define is refused, naming the options, not ignored (a
    # regression test: dir:levle=3 wrote the default level)
    rejects bad.dir "-define dir:levle': no such option (the options are dir:preset, dir:filter" -- \
        "$CONVERT" rose: -define dir:levle=3 bad.dir
    # ... a default left alone is never checked: -limit thread is no define
    run "$CONVERT" rose: -limit thread 2 -define dir:version=1 -define dir:layout=interleaved ok.dir
    ;;
quality)
    # -quality picks the core's preset (dir_preset_for_quality: 1-39 fast,
    # 40-89 default, 90-100 smallest): the same bytes as -define dir:preset.
    run "$CONVERT" logo: logo.png
    run "$CONVERT" logo.png plain.dir
    for p in fast default smallest; do
        run "$CONVERT" logo.png -define dir:preset=$p preset-$p.dir
        ae0 logo.png preset-$p.dir
    done
    cmp -s plain.dir preset-default.dir || fail "no -quality is not the default preset"
    cmp -s preset-fast.dir preset-default.dir && fail "presets fast and default wrote the same bytes"
    for q in 1:fast 39:fast 40:default 89:default 90:smallest 100:smallest; do
        run "$CONVERT" logo.png -quality "${q%%:*}" q.dir
        cmp -s q.dir "preset-${q#*:}.dir" || fail "-quality ${q%%:*} is not preset ${q#*:}"
    done
    # An explicit preset wins over -quality; options after the preset
    # override it.
    run "$CONVERT" logo.png -quality 10 -define dir:preset=smallest q.dir
    cmp -s q.dir preset-smallest.dir || fail "dir:preset did not win over -quality"
    run "$CONVERT" logo.png -quality 95 -define dir:backend=none q.dir
    run "$CONVERT" logo.png -define dir:preset=smallest -define dir:backend=none q-none.dir
    cmp -s q.dir q-none.dir || fail "dir:backend after -quality"
    rejects bad.dir "dir:preset=tiny" -- "$CONVERT" logo.png -define dir:preset=tiny bad.dir
    ;;
threads)
    # A large image (5 MB of RGB, 4 bits of noise: compressible, no
    # repeats) is compressed on worker threads as -limit thread allows: the
    # same bytes for any number of them, and other bytes on the calling
    # thread alone (-limit thread 1, or -define dir:threads=1).  Every file
    # has the image's pixels.
    run "$CONVERT" -size 1300x1300 xc: -seed 7 +noise Random -depth 8 \
        -evaluate divide 16 big.png
    run "$CONVERT" big.png -limit thread 2 t2.dir
    run "$CONVERT" big.png -limit thread 3 t3.dir
    run "$CONVERT" big.png -limit thread 1 t1.dir
    run "$CONVERT" big.png -limit thread 3 -define dir:threads=1 d1.dir
    for f in t2 t3 t1 d1; do ae0 big.png $f.dir; done
    cmp -s t2.dir t3.dir || fail "2 and 3 worker threads wrote different bytes"
    cmp -s t1.dir t2.dir && fail "-limit thread 1 wrote the bytes of 2 worker threads"
    cmp -s t1.dir d1.dir || fail "dir:threads=1 is not -limit thread 1"
    rejects bad.dir "dir:threads=65" -- "$CONVERT" big.png -define dir:threads=65 bad.dir
    ;;
multiframe)
    # adjoin is off: a sequence is written as one file per frame.
    run "$CONVERT" rose: logo: granite: frames.dir
    [ ! -e frames.dir ] || fail "a multi-frame frames.dir was written"
    ae0 rose: frames-0.dir
    ae0 logo: frames-1.dir
    ae0 granite: frames-2.dir
    ;;
mogrify)
    mkdir batch || fail mkdir
    run "$CONVERT" rose: batch/a.bmp
    run "$CONVERT" logo: batch/b.bmp
    run "$CONVERT" wizard: batch/c.bmp
    run "$CONVERT" netscape: batch/d.bmp
    (cd batch && "$MOGRIFY" -format dir ./*.bmp) || fail "mogrify"
    for f in a b c d; do
        [ -f batch/$f.dir ] || fail "mogrify wrote no $f.dir"
        ae0 batch/$f.bmp batch/$f.dir
    done
    # And back.
    (cd batch && "$MOGRIFY" -format png ./*.dir) || fail "mogrify back"
    for f in a b c d; do
        ae0 batch/$f.bmp batch/$f.png
    done
    ;;
pipe)
    run "$CONVERT" wizard: x.bmp
    "$CONVERT" x.bmp dir:- | "$CONVERT" dir:- y.png || fail "pipe"
    ae0 x.bmp y.png
    # Standard input without a format prefix: recognised by content.
    "$CONVERT" x.bmp dir:- >x.dir || fail "to stdout"
    "$CONVERT" dir:- z.png <x.dir || fail "from stdin"
    ae0 x.bmp z.png
    if [ "$major" = 6 ]; then
        # Standard input without a format prefix: recognised by content
        # (ImageMagick 7 cannot: see the detect case).
        "$CONVERT" - z6.png <x.dir || fail "from stdin by content"
        ae0 x.bmp z6.png
    fi
    # A stream longer than its header declares: refused after reading the
    # declared bytes and one more, not after buffering the whole stream
    # (regression: 64 MiB of zeros were read before the error).
    head -c 67108864 /dev/zero >zeros.bin
    cat x.dir zeros.bin >long.dir
    rejects z2.png "trailing bytes after the declared" -- sh -c \
        "cat long.dir | '$CONVERT' -limit memory 1MiB -limit map 1MiB dir:- z2.png"
    ;;
detect)
    run "$CONVERT" rose: r.dir
    cp r.dir noextension || fail cp
    # With a dir: prefix, any name is read as .dir.
    run "$CONVERT" dir:noextension rp.png
    ae0 rose: rp.png
    "$IDENTIFY" -list format | grep -q '^ *DIR\* DIR *rw-' || fail "identify -list format has no DIR rw- line"
    if [ "$major" = 7 ]; then
        # ImageMagick 7 recognises content only with its compiled-in magic
        # table: since 7.1 it reads no magic.xml and never asks a loadable
        # coder (libMagickCore-7 has no call to GetImageMagick).  A .dir
        # file without extension or prefix is therefore not recognised; if
        # a later ImageMagick does recognise it, this fails and the README
        # must be updated.
        out=$("$CONVERT" noextension r.png 2>&1) && fail "ImageMagick 7 now recognises .dir by content: update the README and this test"
        case $out in
            *"no decode delegate"*) ;;
            *) fail "unexpected message for a bare .dir file: $out" ;;
        esac
        exit 0
    fi
    [ "$("$IDENTIFY" -format %m noextension)" = DIR ] || fail "not recognised by content"
    run "$CONVERT" noextension r.png
    ae0 rose: r.png
    # Under a misleading extension too.
    cp r.dir misleading.png || fail cp
    ae0 rose: misleading.png
    ;;
verbose)
    # Two equal random sections: section 1 is a reference (code 03).
    run "$CONVERT" -size 16x16 xc: +noise Random -depth 8 tile.png
    run "$CONVERT" tile.png tile.png +append twin.png
    run "$CONVERT" twin.png -define dir:filter=none -define dir:backend=none twin.dir
    [ "$(property twin.dir dir:filter)" = none ] || fail "dir:filter"
    [ "$(property twin.dir dir:backend)" = none ] || fail "dir:backend"
    [ "$(property twin.dir dir:layout)" = ordered ] || fail "dir:layout"
    [ "$(property twin.dir dir:sections)" = 2 ] || fail "dir:sections"
    [ "$(property twin.dir dir:code-03)" = 1 ] || fail "dir:code-03"
    [ "$(property twin.dir dir:code-07)" = 1 ] || fail "dir:code-07 (raw)"
    [ "$(property twin.dir dir:stream-size-00)" = 2 ] || fail "dir:stream-size-00"
    # The counts agree with dirtool info.
    "$DIRTOOL" info twin.dir | grep -q '^ *03 *1 ' || fail "dirtool info disagrees"
    # A black image is all 00 (all zero) sections.
    run "$CONVERT" -size 48x32 xc:black -define dir:filter=none -define dir:version=1 black.dir
    [ "$(property black.dir dir:code-00)" = 6 ] || fail "black: dir:code-00"
    [ "$(property black.dir dir:sections)" = 6 ] || fail "black: dir:sections"
    run "$CONVERT" rose: -define dir:filter=sub -define dir:layout=interleaved -define dir:version=1 sub.dir
    [ "$(property sub.dir dir:filter)" = sub ] || fail "sub: dir:filter"
    [ "$(property sub.dir dir:layout)" = interleaved ] || fail "sub: dir:layout"
    # A version-2 file has its version and sizes but no section counts (its
    # decoder keeps none): no dir:sections of 0 (regression).
    run "$CONVERT" rose: v2.dir
    [ "$(property v2.dir dir:version)" = 2 ] || fail "v2: dir:version"
    [ "$(property v2.dir dir:payload-size)" -gt 0 ] || fail "v2: dir:payload-size"
    "$IDENTIFY" -verbose v2.dir | grep -q 'dir:sections\|dir:code-' && fail "v2: section counts"
    # Plain identify pings: it reports the size without decoding.
    [ "$("$IDENTIFY" -format %wx%h:%m sub.dir)" = 70x46:DIR ] || fail "identify"
    ;;
monitor)
    run "$CONVERT" -size 300x300 gradient: big.dir
    out=$("$CONVERT" -monitor big.dir big.png 2>&1) || fail "convert -monitor: $out"
    case $out in
        *"load image[big.dir]"*"100% complete"*) ;;
        *) fail "no load progress: $out" ;;
    esac
    out=$("$CONVERT" -monitor big.png big2.dir 2>&1) || fail "convert -monitor: $out"
    case $out in
        *"save image[big2.dir]"*"100% complete"*) ;;
        *) fail "no save progress: $out" ;;
    esac
    # Progress goes on through the encoding (most of it the zstd
    # compression, reported per MiB), not only while the pixels are copied:
    # 1200x1200 of noise is 4.3 MB of streams.  Regression: the monitor
    # stopped at the copy and then showed nothing until the end.  (The
    # version-1 coder's reports; version 2's come from its payload coder.)
    run "$CONVERT" -size 1200x1200 xc: +noise random -depth 8 noise.png
    # Times each report as it arrives: the reports from 40% on must be
    # spread over the encoding (zstd level 19, asked for, of 4.3 MB takes
    # well over a second here; the pixel copy, a few milliseconds).
    python3 - "$CONVERT" <<'EOF' || fail "no progress during the encoding"
import subprocess, sys, time
p = subprocess.Popen([sys.argv[1], "-monitor", "noise.png", "-define", "dir:version=1", "-define", "dir:level=19", "noise.dir"],
                     stderr=subprocess.PIPE)
t0, rec, seen = time.time(), b"", {}
while True:
    c = p.stderr.read(1)
    if not c:
        break
    if c in b"\r\n":
        r = rec.decode(errors="replace")
        rec = b""
        if r.startswith("save image[noise.dir]") and r.endswith("% complete"):
            seen.setdefault(int(r.rsplit(", ", 1)[1].split("%")[0]), time.time() - t0)
    else:
        rec += c
if p.wait() != 0:
    sys.exit("convert failed")
late = sorted(k for k in seen if 40 <= k < 100)
print("progress: %d reports from 40%% to 99%%, %.2f s apart; 100%% at %.2f s"
      % (len(late), seen[late[-1]] - seen[late[0]] if late else 0, seen.get(100, -1)))
sys.exit(0 if len(late) >= 3 and seen[late[-1]] - seen[late[0]] > 0.1 else 1)
EOF
    ;;
malformed)
    # Malformed files made from a valid one (back end none, ordered layout:
    # the code stream starts right after the header) by patching bytes.
    run "$CONVERT" rose: -define dir:backend=none -define dir:filter=none good.dir
    size=$(wc -c <good.dir)
    # Truncated.
    head -c $((size / 2)) good.dir >trunc.dir
    rejects out.png "insufficient image data" "trunc.dir" "truncated" -- "$CONVERT" trunc.dir out.png
    head -c 40 good.dir >short.dir
    rejects out.png "truncated" -- "$CONVERT" short.dir out.png
    # Bad magic.
    cp good.dir magic.dir && patch magic.dir 0 'NOTADIR!'
    rejects out.png "improper image header" "bad magic" -- "$CONVERT" magic.dir out.png
    cp good.dir magic7.dir && patch magic7.dir 0 '\013'
    rejects out.png "bad magic" "7-bit" -- "$CONVERT" magic7.dir out.png
    # Bad section code.
    cp good.dir code.dir && patch code.dir "$header" '\011'
    rejects out.png "corrupt image" "bad code 9" -- "$CONVERT" code.dir out.png
    # CRC mismatch: the pixels decode, but not to what was written.
    cp good.dir crc.dir && patch crc.dir 24 '\377\377\377\377'
    rejects out.png "corrupt image" "CRC" -- "$CONVERT" crc.dir out.png
    # Bad reference: the twin image's one reference (a raw section, then a
    # reference at distance 1) patched to point before the first section.
    # The distance is the only byte of its stream; the streams are back to
    # back after the header, so it follows the streams before it.
    run "$CONVERT" -size 16x16 xc: +noise Random -depth 8 tile.png
    run "$CONVERT" tile.png tile.png +append -define dir:filter=none -define dir:backend=none twin.dir
    [ "$(property twin.dir dir:code-03)" = 1 ] || fail "twin: no reference"
    offset=$header
    k=0
    found=""
    while [ $k -lt "$streams" ]; do
        size=$(u32 twin.dir $((28 + 4 * k)))
        if [ "$size" = 1 ] && [ $k -gt 0 ]; then
            found=$offset
        fi
        offset=$((offset + size))
        k=$((k + 1))
    done
    [ "$offset" = "$(wc -c <twin.dir)" ] || fail "twin: stream sizes do not add up"
    [ -n "$found" ] && [ "$(byte twin.dir "$found")" = 1 ] || fail "twin: no distance byte"
    cp twin.dir ref.dir && patch ref.dir "$found" '\005'
    rejects out.png "corrupt image" "reference" -- "$CONVERT" ref.dir out.png
    # Bad header field: unknown version.
    cp good.dir version.dir && patch version.dir 8 '\007'
    rejects out.png "version" -- "$CONVERT" version.dir out.png
    # Over-limit dimensions in a tiny file: 1000000 x 1000000 in a file of
    # a header and 32 bytes is refused from the header, before anything is
    # allocated.
    head -c $((header + 32)) good.dir >huge.dir && patch huge.dir 16 '\100\102\017\000\100\102\017\000'
    rejects out.png "exceeds limit" "1000000x1000000" -- "$CONVERT" huge.dir out.png
    # ping (plain identify) checks the header only; -verbose decodes.
    run "$IDENTIFY" crc.dir
    rejects none "CRC" -- "$IDENTIFY" -verbose crc.dir
    # No crash on any truncation of the header.
    for n in 1 7 8 30 $((header - 1)) "$header" $((header + 1)); do
        head -c $n good.dir >cut.dir
        rejects out.png "cut.dir" -- "$CONVERT" cut.dir out.png
    done
    ;;
limits)
    run "$CONVERT" rose: rose.dir
    rejects out.png "exceeds limit" "70x46" -- "$CONVERT" -limit width 69 rose.dir out.png
    rejects out.png "exceeds limit" "70x46" -- "$CONVERT" -limit height 45 rose.dir out.png
    rejects out.png "exceeds limit" "70x46" -- "$CONVERT" -limit area 3219 rose.dir out.png
    rejects out.png "memory" -- "$CONVERT" -limit memory 4KiB rose.dir out.png
    # The zstd back end's decompressed streams are charged with the pixels:
    # 9,660 bytes of pixels fit in 12 KiB, pixels and 11,535 stream bytes
    # do not; the same image without a back end needs no stream buffer.
    run "$CONVERT" rose: -define dir:backend=none -define dir:filter=none rose-none.dir
    rejects out.png "pixels and streams are over the memory limit" -- \
        "$CONVERT" -limit memory 12KiB rose.dir out.png
    run "$CONVERT" -limit memory 12KiB rose-none.dir out.png
    ae0 rose: out.png
    # A write cut short (file size limit) removes the partial file.
    run "$CONVERT" -size 300x300 xc: +noise random -define dir:backend=none big.dir
    rejects cut.dir "UnableToWriteBlob" -- sh -c "trap '' XFSZ; ulimit -f 40; exec '$CONVERT' big.dir cut.dir"
    [ ! -e cut.dir ] || fail "a partial cut.dir was left behind"
    # Writing: the 8-bit copy of the pixels (70x46x3 bytes) is charged too.
    rejects out.dir "memory" -- "$CONVERT" rose: -limit memory 4KiB out.dir
    # At the limit: accepted.
    run "$CONVERT" -limit width 70 -limit height 46 -limit area 3220 rose.dir out.png
    ae0 rose: out.png
    # A policy.xml limit, found through MAGICK_CONFIGURE_PATH.
    mkdir policy || fail mkdir
    cat >policy/policy.xml <<'EOF'
<policymap>
  <policy domain="resource" name="width" value="64"/>
</policymap>
EOF
    out=$(MAGICK_CONFIGURE_PATH="$tmp/policy:${MAGICK_CONFIGURE_PATH:-}" \
        "$CONVERT" rose.dir out2.png 2>&1) && fail "policy width limit ignored"
    case $out in
        *"exceeds limit"*) ;;
        *) fail "policy: $out" ;;
    esac
    [ ! -e out2.png ] || fail "policy: partial output"
    ;;
magick7)
    # The ImageMagick 7 command forms: magick SUBCOMMAND, with the coder.
    [ "$major" = 7 ] || fail "the magick7 case needs ImageMagick 7"
    run "$MAGICK" rose: r.dir
    run "$MAGICK" r.dir r.png
    out=$("$MAGICK" compare -quiet -metric AE rose: r.dir null: 2>&1) || fail "magick compare: $out"
    [ "$out" = 0 ] || fail "magick compare: AE $out"
    [ "$("$MAGICK" identify -format %wx%h:%m r.dir)" = 70x46:DIR ] || fail "magick identify"
    "$MAGICK" identify -verbose r.dir | grep -q '^ *dir:version: [12]$' || fail "magick identify -verbose: no dir:version"
    mkdir batch || fail mkdir
    run "$MAGICK" rose: batch/a.bmp
    run "$MAGICK" wizard: batch/b.bmp
    (cd batch && "$MAGICK" mogrify -format dir ./*.bmp) || fail "magick mogrify"
    for f in a b; do
        out=$("$MAGICK" compare -quiet -metric AE batch/$f.bmp batch/$f.dir null: 2>&1) || fail "compare $f: $out"
        [ "$out" = 0 ] || fail "magick mogrify -format dir: $f AE $out"
    done
    "$MAGICK" -list format | grep -q '^ *DIR\* DIR *rw-' || fail "magick -list format"
    "$MAGICK" -version | grep -q '^Version: ImageMagick 7' || fail "not ImageMagick 7"
    ;;
metadata)
    # A photo with an Adobe RGB profile, EXIF, XMP, a comment and 300 dpi:
    # convert photo.jpg photo.dir keeps them all (version-2 chunks), and
    # identify -verbose shows them from the .dir file, then from a PNG and
    # a JPEG written from it.
    icc=/usr/share/color/icc/ghostscript/a98.icc
    [ -f "$icc" ] || fail "$icc is missing (Debian package libgs-common)"
    python3 - <<'PY' || fail "cannot write exif.bin and xmp.xml"
import struct
tiff = (b"MM\x00\x2a" + struct.pack(">I", 8) + struct.pack(">H", 1) +
        struct.pack(">HHII", 0x0112, 3, 1, 6 << 16) + struct.pack(">I", 0))
open("exif.bin", "wb").write(b"Exif\x00\x00" + tiff)
open("xmp.xml", "wb").write(
    b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
    b'rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
    b'<dc:creator>Ada Tester</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>'
    b'<?xpacket end="w"?>')
PY
    eacute=$(printf '\303\251')
    run "$CONVERT" -size 120x80 plasma:fractal -seed 3 -profile "$icc" \
        -set comment "Holiday caf$eacute" -density 300 -units PixelsPerInch \
        -profile xmp:xmp.xml plain.jpg
    # EXIF as a camera writes it: an APP1 segment after the JFIF one.
    python3 - <<'PY' || fail "cannot add EXIF"
import struct
d = open("plain.jpg", "rb").read()
e = open("exif.bin", "rb").read()
i = 4 + struct.unpack(">H", d[4:6])[0] if d[2:4] == b"\xff\xe0" else 2
open("photo.jpg", "wb").write(d[:i] + b"\xff\xe1" + struct.pack(">H", len(e) + 2) + e + d[i:])
PY
    run "$CONVERT" photo.jpg photo.dir
    ae0 photo.jpg photo.dir
    meta() { # FILE: the metadata lines of identify -verbose, in a fixed order
        "$IDENTIFY" -verbose "$1" >verbose.txt || fail "identify -verbose $1"
        for key in Resolution Units Profile-icc Profile-exif Profile-xmp comment \
            icc:description dc:creator; do
            sed -n "s/^ *$key: //p" verbose.txt | head -1
        done
    }
    meta photo.jpg >jpg-meta.txt
    printf '%s\n' 300x300 PixelsPerInch '564 bytes' '32 bytes' '322 bytes' \
        "Holiday caf$eacute" 'Artifex Software A98 ICC Profile ' 'Ada Tester' >expect.txt
    cmp -s jpg-meta.txt expect.txt || fail "photo.jpg is not the test photo: $(cat jpg-meta.txt)"
    # .dir keeps the same profiles, comment and EXIF fields; the density is
    # stored as pixels per metre (300 dpi: 11811), shown as 118.11 pixels per
    # centimetre.
    meta photo.dir >dir-meta.txt
    printf '%s\n' 118.11x118.11 PixelsPerCentimeter >expect-dir.txt
    sed -n '3,$p' expect.txt >>expect-dir.txt
    cmp -s dir-meta.txt expect-dir.txt || fail "photo.dir metadata: $(cat dir-meta.txt)"
    [ "$("$DIRTOOL" info photo.dir | grep -c -e '^ICC profile: 564 bytes$' -e '^EXIF: 26 bytes$' \
        -e '^XMP: 322 bytes$' -e "^comment: Holiday caf$eacute\$" \
        -e '^density: 11811 x 11811 pixels per metre')" = 5 ] ||
        fail "dirtool info: $("$DIRTOOL" info photo.dir)"
    # The profiles' bytes are exact.
    run "$CONVERT" photo.dir photo.icc
    cmp -s photo.icc "$icc" || fail "the ICC profile changed"
    run "$CONVERT" photo.dir exif:dir.exif
    cmp -s dir.exif exif.bin || fail "the EXIF profile changed"
    run "$CONVERT" photo.dir xmp:dir.xmp
    cmp -s dir.xmp xmp.xml || fail "the XMP profile changed"
    # From .dir to PNG and JPEG: the profile, comment and density go on.
    run "$CONVERT" photo.dir photo.png
    meta photo.png >png-meta.txt
    grep -q '^Artifex Software A98 ICC Profile' png-meta.txt || fail "png: profile: $(cat png-meta.txt)"
    grep -q "^Holiday caf$eacute\$" png-meta.txt || fail "png: comment: $(cat png-meta.txt)"
    grep -q '^118.11x118.11$' png-meta.txt || fail "png: density: $(cat png-meta.txt)"
    run "$CONVERT" photo.dir back.jpg
    meta back.jpg >back-meta.txt
    grep -q '^Artifex Software A98 ICC Profile' back-meta.txt || fail "jpg: profile"
    grep -q '^Ada Tester$' back-meta.txt || fail "jpg: xmp: $(cat back-meta.txt)"
    # A comment that is not UTF-8 (Latin-1, as JPEG comments often are) is
    # stored as UTF-8.
    run "$CONVERT" rose: -set comment "caf$(printf '\351')" latin.dir
    "$DIRTOOL" info latin.dir | grep -q "^comment: caf$eacute\$" ||
        fail "latin-1 comment: $("$DIRTOOL" info latin.dir)"
    # Without metadata the seed-pure mode stays version 1.
    run "$CONVERT" rose: -strip -define dir:filter=none -define dir:backend=none pure.dir
    [ "$(property pure.dir dir:version)" = 1 ] || fail "seed-pure: version"
    ;;
grey-alpha)
    # Grey+alpha at 8 and 16 bits: written with two channels, read back as
    # a grey image with alpha, exactly.
    for depth in 8 16; do
        run "$CONVERT" -size 40x30 gradient:black-white \( -size 30x40 gradient:white-black -rotate 90 \) \
            -alpha off -compose CopyOpacity -composite -depth $depth -define png:color-type=4 ga$depth.png
        run "$CONVERT" ga$depth.png ga$depth.dir
        [ "$(property ga$depth.dir dir:channels)" = 2 ] || fail "ga$depth: channels"
        [ "$(property ga$depth.dir dir:depth)" = $depth ] || fail "ga$depth: depth"
        ae0 ga$depth.png ga$depth.dir
        # ImageMagick 6 says "graya", 7 "graya 2.0" (two channels).
        case $("$IDENTIFY" -format %[channels] ga$depth.dir) in
            graya | "graya "*2.0) ;;
            *) fail "ga$depth: $("$IDENTIFY" -format %[channels] ga$depth.dir)" ;;
        esac
        run "$CONVERT" ga$depth.dir ga$depth-back.png
        ae0 ga$depth.png ga$depth-back.png
        # dirtool reads the same samples
        run "$DIRTOOL" decode ga$depth.dir ga$depth-tool.png
        ae0 ga$depth.png ga$depth-tool.png
    done
    ;;
*)
    fail "unknown case '${1:-}'"
    ;;
esac
exit 0
