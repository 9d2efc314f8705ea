#!/bin/sh
# SPDX-License-Identifier: MIT
# test_conventions.sh DIRTOOL SAMPLES -- dirtool's command-line conventions,
# the same in every command: --opt=value as well as --opt value, --help,
# exit status 0 (done), 1 (the work failed) and 2 (bad command line), `-`
# for standard input and output, a reason on every error, and options that
# do not apply refused.
set -u
dirtool=$1 samples=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
# status WANT CMD...: runs CMD (stdout to out, stderr to err), checks its status
status() {
    want=$1; shift
    "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    [ "$got" = "$want" ] || { fail "exit $got (wanted $want): $*"; cat "$tmp/err"; }
}
has() { grep -qF -- "$1" "$tmp/$2" || { fail "$2 lacks '$1': $(cat "$tmp/$2")"; }; }
png=$samples/panels.png
ref=${DIR_SHARED:-../shared}/imgarrays-reference/small/rawData.json
if [ ! -f "$ref" ]; then
    if [ "${CI:-}" = true ]; then echo "missing $ref (CI=true: failing)"; exit 1; fi
    echo "missing $ref: skipping"; exit 77
fi

# --help for every command: usage on stdout, status 0.
for cmd in "" encode decode info array "array pack" "array unpack" "array heatmap"; do
    # shellcheck disable=SC2086
    status 0 "$dirtool" $cmd --help
    has "usage: dirtool" out
done
# -h as well, and dirtool --version; the general help names both.
for cmd in "" encode decode info array "array pack" "array unpack" "array heatmap"; do
    # shellcheck disable=SC2086
    status 0 "$dirtool" $cmd -h
    has "usage: dirtool" out
done
status 0 "$dirtool" --help
has "dirtool --help | -h" out
has "dirtool --version" out
status 0 "$dirtool" --version
grep -q '^dirtool [0-9][0-9.]* (.dir format [0-9]*)$' "$tmp/out" || fail "--version: $(cat "$tmp/out")"
# encode's help lists every option of the core's table, and says which
# need which others.
status 0 "$dirtool" encode --help
for opt in --preset --filter --backend --level --search --layout --codes --version --threads \
    --interleaved; do has "$opt" out; done
has "--search     needs --filter auto and format version 2" out
has "--threads    needs --backend zstd and format version 2" out
has "need format version 1: --version 1, or --backend none with" out
# The README lists every option of encode's help, and --help, -h and --version.
readme=${DIR_SOURCE_ROOT:-$samples/..}/README.md
for opt in $(sed -n 's/^  \(--[a-z]*\) .*/\1/p' "$tmp/out" | sort -u); do
    grep -qE -- "\\[$opt[] ]" "$readme" || fail "README's dirtool synopsis lacks $opt"
done
for opt in --preset --filter --backend --level --search --layout --codes --version --threads; do
    grep -qF -- "| \`$opt\` |" "$readme" || fail "README's option table lacks $opt"
done
grep -qF -- "dirtool --version" "$readme" || fail "README lacks dirtool --version"
grep -qF -- "dirtool --help | -h" "$readme" || fail "README lacks dirtool --help | -h"
grep -qF -- "needs \`--filter auto\` and version 2" "$readme" || fail "README: --search's condition"
grep -qF -- "an error with \`--version 1\` or a back end other than zstd" "$readme" ||
    fail "README: --threads' condition"

# --opt=value and --opt value give the same file.
status 0 "$dirtool" encode "$png" "$tmp/a.dir" --level 5 --filter sub
status 0 "$dirtool" encode "$png" "$tmp/b.dir" --level=5 --filter=sub
cmp -s "$tmp/a.dir" "$tmp/b.dir" || fail "--level=5 and --level 5 differ"
status 0 "$dirtool" decode "$tmp/a.dir" "$tmp/a.png" --max-pixels=1000000
# A preset, then an option overriding it, in either order.
status 0 "$dirtool" encode "$png" "$tmp/c.dir" --preset fast --level 5 --filter sub
cmp -s "$tmp/a.dir" "$tmp/c.dir" || fail "--preset fast --level 5 --filter sub differs"
status 0 "$dirtool" encode "$png" "$tmp/d.dir" --level 5 --filter sub --preset=fast
cmp -s "$tmp/a.dir" "$tmp/d.dir" || fail "the preset after the options overrode them"

# Command-line errors: status 2 and the reason, in every command.
status 2 "$dirtool"
has "no command" err
status 2 "$dirtool" frobnicate
has "unknown command 'frobnicate'" err
status 2 "$dirtool" encode "$png" "$tmp/x.dir" --level
has "--level needs a value" err
status 2 "$dirtool" encode "$png" "$tmp/x.dir" --level=0
has "invalid value '0' for level: expected an integer from 1 to 22" err
status 2 "$dirtool" encode "$png" "$tmp/x.dir" --preset=best
has "invalid value 'best' for preset" err
# An option that the others make meaningless is refused, with the real
# reason (the core's dir_option_check, the same in every front end).
status 2 "$dirtool" encode "$png" "$tmp/x.dir" --backend none --level 3
has "--level does not apply with backend none: it is the zstd level (backend zstd)" err
status 2 "$dirtool" encode "$png" "$tmp/x.dir" --filter none --search trial
has "--search does not apply with filter none: it is how filter auto chooses (filter auto)" err
status 2 "$dirtool" encode "$png" "$tmp/x.dir" --version 1 --threads 4
has "--threads does not apply with format version 1: it applies to version 2 with backend zstd" err
status 2 "$dirtool" encode "$png" "$tmp/x.dir" --backend lzma --threads 4
has "--threads does not apply with backend lzma" err
status 2 "$dirtool" encode "$png" "$tmp/x.dir" --version 2 --codes smallest
has "--codes does not apply with format version 2: it applies to format version 1 only (version 1)" err
status 2 "$dirtool" encode "$png" "$tmp/x.dir" --layout interleaved
has "--layout does not apply with backend zstd and filter auto, which write format version 2" err
status 2 "$dirtool" encode "$png" "$tmp/x.dir" --interleaved
has "--interleaved (--layout interleaved) does not apply with backend zstd and filter auto" err
status 2 "$dirtool" encode "$png" "$tmp/x.dir" --codes zstd
has "--codes does not apply" err
# ... and accepted where it applies: version 1, or the seed-pure mode
status 0 "$dirtool" encode "$png" "$tmp/v1.dir" --version 1 --interleaved --codes smallest
status 0 "$dirtool" encode "$png" "$tmp/v1.dir" --backend none --filter none --interleaved
status 0 "$dirtool" encode "$png" "$tmp/v1.dir" --preset fast --threads 2
status 2 "$dirtool" decode "$tmp/a.dir" "$tmp/x.png" --max-pixels
has "--max-pixels needs a value" err
status 2 "$dirtool" info --bogus "$tmp/a.dir"
has "unknown or incomplete option '--bogus'" err
status 2 "$dirtool" array pack "$ref" "$tmp/x.png" --capacity=7
has "--capacity takes 0, 1, 2 or auto" err
status 2 "$dirtool" array unpack "$tmp/x.png"
has "needs an input and an output file" err
status 2 "$dirtool" array frob
has "unknown subcommand" err
# A file name of the wrong type is a command-line error in array too, as in
# encode and decode: status 2 and the --help hint.
status 2 "$dirtool" decode "$tmp/a.dir" "$tmp/x.txt"
has "'$tmp/x.txt': decode writes .png or .webp (dirtool decode --help)" err
status 2 "$dirtool" array pack "$ref" "$tmp/x.txt"
has "'$tmp/x.txt': output must be .png, .webp or .dir (dirtool array --help)" err
status 2 "$dirtool" array pack "$tmp/x.txt" "$tmp/x.png"
has "'$tmp/x.txt': unknown number file type (use .json, .csv, .npy, .npz or .safetensors) (dirtool array --help)" err
status 2 "$dirtool" array unpack "$tmp/a.dir" "$tmp/x.txt"
has "'$tmp/x.txt': output must be .json, .csv, .npy, .npz or .safetensors (dirtool array --help)" err
status 2 "$dirtool" array heatmap "$tmp/a.dir" "$tmp/x.dir"
has "'$tmp/x.dir': the heatmap is written as .png (dirtool array --help)" err
# array: options that contradict the others are errors; those the image
# decides about (reading a self-describing image) a warning on stderr.
"$dirtool" array pack "$ref" "$tmp/sd.dir" >/dev/null || fail "array pack"
status 2 "$dirtool" array unpack "$tmp/sd.dir" "$tmp/x.json" --capacity 2
has "--capacity does not apply without --classic: it says how to read a classic image" err
status 2 "$dirtool" array unpack "$tmp/sd.dir" "$tmp/x.json" --alpha
has "--alpha does not apply without --classic" err
status 2 "$dirtool" array heatmap "$tmp/sd.dir" "$tmp/x.png" --no-ldeczeroes
has "--no-ldeczeroes does not apply without --classic" err
status 0 "$dirtool" array unpack "$tmp/sd.dir" "$tmp/sd.json" --classic --capacity 2 --no-ldeczeroes
has "warning: --capacity ignored: '$tmp/sd.dir' is self-describing" err
has "warning: --no-ldeczeroes ignored: '$tmp/sd.dir' is self-describing" err
cmp -s "$tmp/sd.json" "$ref" || fail "unpack --classic --capacity 2 of a self-describing image"
status 0 "$dirtool" array heatmap "$tmp/sd.dir" "$tmp/sd.png" --classic --alpha
has "warning: --alpha ignored: '$tmp/sd.dir' is self-describing" err
status 0 "$dirtool" array unpack "$tmp/sd.dir" "$tmp/sd.json" --keep-normalised
has "warning: --keep-normalised ignored: '$tmp/sd.dir' is not normalised" err
status 2 "$dirtool" array heatmap "$tmp/sd.dir" "$tmp/x.png" --scale 2 --percentile 50
has "--scale and --percentile both set the scale: give one" err
status 2 "$dirtool" array heatmap "$tmp/sd.dir" "$tmp/x.png" --plain --zoom 4 --tiles 2x2
has "--zoom does not apply with --plain: the plain grid draws one pixel per value" err
status 2 "$dirtool" array heatmap "$tmp/sd.dir" "$tmp/x.png" --shape 5x3977 --tiles 2x2
has "--tiles does not apply with --shape" err
status 2 "$dirtool" array heatmap "$tmp/sd.dir" "$tmp/x.png" --plain --percentile 90
has "--percentile does not apply with --plain" err
status 0 "$dirtool" array heatmap "$tmp/sd.dir" "$tmp/sd.png" --plain --scale 0.5
status 2 "$dirtool" array pack "$ref" "$tmp/x.png" --encoding binary --capacity 2
has "--capacity does not apply with --encoding binary: it configures the digits" err
status 2 "$dirtool" array pack "$ref" "$tmp/x.png" --allow-inexact
has "--allow-inexact does not apply without --classic" err
status 0 "$dirtool" array pack "$ref" "$tmp/sd2.png" --capacity 2
has "warning: --capacity ignored: --encoding auto stored the values binary" err
[ ! -e "$tmp/x.dir" ] && [ ! -e "$tmp/x.png" ] && [ ! -e "$tmp/x.json" ] ||
    fail "a refused command wrote a file"

# Failures of the work: status 1 and a reason, also for a directory.
mkdir "$tmp/dir.dir"
status 1 "$dirtool" info "$tmp/dir.dir"
has "cannot read '$tmp/dir.dir': Is a directory" err
status 1 "$dirtool" decode "$tmp/dir.dir" "$tmp/x.png"
has "Is a directory" err
status 1 "$dirtool" encode "$tmp/missing.png" "$tmp/x.dir"
has "cannot open '$tmp/missing.png': No such file or directory" err
mkdir "$tmp/dir.json"
status 1 "$dirtool" array pack "$tmp/dir.json" "$tmp/x.png"
has "cannot read '$tmp/dir.json': Is a directory" err
printf 'not an image' >"$tmp/junk.dir"
status 1 "$dirtool" array unpack "$tmp/junk.dir" "$tmp/x.json"
[ -s "$tmp/err" ] || fail "array unpack of junk gave no reason"

# `-` is standard input and output in every command.
"$dirtool" encode - - <"$png" >"$tmp/pipe.dir" || fail "encode - -"
cmp -s "$tmp/pipe.dir" "$(
    "$dirtool" encode "$png" "$tmp/file.dir" && echo "$tmp/file.dir")" || fail "encode - - differs"
"$dirtool" decode - - <"$tmp/pipe.dir" >"$tmp/pipe.png" || fail "decode - -"
"$dirtool" encode "$tmp/pipe.png" "$tmp/again.dir" && cmp -s "$tmp/again.dir" "$tmp/file.dir" ||
    fail "decode - - lost pixels"
"$dirtool" info - <"$tmp/pipe.dir" >"$tmp/out" || fail "info -"
has "-: .dir version" out
"$dirtool" array pack - - <"$ref" >"$tmp/arr.png" 2>"$tmp/err" || fail "array pack - -"
has "packed 19885 values into -" err
"$dirtool" array unpack - - <"$tmp/arr.png" >"$tmp/arr.json" 2>"$tmp/err" || fail "array unpack - -"
cmp -s "$tmp/arr.json" "$ref" || fail "array pack - - | array unpack - - changed the numbers"
"$dirtool" array heatmap - - <"$tmp/arr.png" >"$tmp/heat.png" 2>"$tmp/err" || fail "array heatmap - -"
"$dirtool" encode "$tmp/heat.png" "$tmp/heat.dir" || fail "the heatmap on standard output is no PNG"

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "ok"
