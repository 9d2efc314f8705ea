#!/bin/sh
# SPDX-License-Identifier: MIT
# dirtool end to end: every sample in every mode round-trips pixel-exact;
# info prints what it promises; errors are one line and a non-zero exit.
set -eu
dirtool=$1 imgcmp=$2 samples=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

count=0
for png in "$samples"/*.png; do
  name=$(basename "$png" .png)
  for filter in none sub auto; do
    for backend in none zstd; do
      for layout in "" --interleaved; do
        out="$tmp/$name-$filter-$backend$layout.dir"
        level=""
        [ "$backend" = zstd ] && level="--level 3"
        # the layout is version 1's (an error with version 2)
        version=""
        [ -n "$layout" ] && version="--version 1"
        # shellcheck disable=SC2086
        "$dirtool" encode "$png" "$out" --filter $filter --backend $backend $level $version $layout
        "$dirtool" decode "$out" "$tmp/back.png"
        "$imgcmp" "$png" "$tmp/back.png" || fail "$name $filter $backend $layout"
        "$imgcmp" "$png" "$out" || fail "$name $filter $backend $layout (direct)"
        count=$((count + 1))
      done
    done
  done
done
[ "$count" -ge 84 ] || fail "only $count round trips (samples missing?)"

# Default options write version 2; the seed-pure mode version 1, whose
# sections info counts: the chess board codes to references.
"$dirtool" encode "$samples/chess.png" "$tmp/chess.dir"
json=$("$dirtool" info --json "$tmp/chess.dir")
for key in '"width": 256' '"height": 256' '"channels": 3' '"depth": 8' '"version": 2' '"chunks": 0' '"comment": null'; do
  case "$json" in *"$key"*) ;; *) fail "info --json lacks $key: $json" ;; esac
done
# Version 2's transform, section codes and streams (dir_describe): the
# board's 16x16 squares are 256 one-colour sections of a 2-colour palette.
for key in '"section_count": 256' '"sections": {"00": 256, "01": 0, "02": 0, "10": 0,' \
  '"transform": "image palette"' '"alpha_last": false' '"colours": 2' '"unit_bytes": 1' \
  '"streams": [{"name": "codes", "method": "zstd", "bytes": 256,' '{"name": "fills", "method": "zstd", "bytes": 256,' \
  '{"name": "residuals", "method": "stored", "bytes": 0, "stored_bytes": 0}'; do
  case "$json" in *"$key"*) ;; *) fail "info --json lacks $key: $json" ;; esac
done
"$dirtool" info "$tmp/chess.dir" > "$tmp/info"
for line in 'transform: image palette, 2 colours (6 bytes)' 'sections: 256, units of 1 byte' \
  '  00        256  100.00  fill' '  14          0    0.00  raw, predictor Paeth'; do
  grep -qxF "$line" "$tmp/info" || fail "info lacks '$line': $(cat "$tmp/info")"
done
grep -qE '^   1 fills +256 +[0-9]+  zstd$' "$tmp/info" || fail "info lacks the fills stream: $(cat "$tmp/info")"
"$dirtool" encode "$samples/chess.png" "$tmp/chess1.dir" --backend none --filter none
json=$("$dirtool" info --json "$tmp/chess1.dir")
for key in '"version": 1' '"filter": "none"' '"backend": "none"' '"sections": {"00": '; do
  case "$json" in *"$key"*) ;; *) fail "info --json lacks $key: $json" ;; esac
done
refs=$(printf '%s' "$json" | sed 's/.*"03": \([0-9]*\).*/\1/')
[ "$refs" -ge 200 ] || fail "chess board used code 03 only $refs times"
"$dirtool" info "$tmp/chess1.dir" | grep -q '^  03 ' || fail "info table lacks code 03"
# --version 1: version 1 in any mode (for readers of version 1 only);
# --version 2 even in the seed-pure mode.
"$dirtool" encode "$samples/chess.png" "$tmp/chess-v1.dir" --version 1
"$dirtool" info --json "$tmp/chess-v1.dir" | grep -q '"version": 1, "filter": "[a-z]*", "layout": "ordered", "backend": "zstd"' ||
  fail "--version 1: $("$dirtool" info --json "$tmp/chess-v1.dir")"
"$imgcmp" "$samples/chess.png" "$tmp/chess-v1.dir" || fail "--version 1 pixels"
"$dirtool" encode "$samples/chess.png" "$tmp/chess-v2.dir" --backend none --filter none --version 2
"$dirtool" info --json "$tmp/chess-v2.dir" | grep -q '"version": 2' || fail "--version 2"
# the seed-pure options in version 2: every stream stored
"$dirtool" info --json "$tmp/chess-v2.dir" | grep -q '{"name": "fills", "method": "stored", "bytes": 256, "stored_bytes": 256}' ||
  fail "--version 2 stored streams: $("$dirtool" info --json "$tmp/chess-v2.dir")"
"$imgcmp" "$samples/chess.png" "$tmp/chess-v2.dir" || fail "--version 2 pixels"

# Errors: one line on stderr, non-zero exit, no output file left behind.
printf 'not an image' > "$tmp/junk.dir"
if "$dirtool" decode "$tmp/junk.dir" "$tmp/junk.png" 2> "$tmp/err"; then fail "junk decoded"; fi
[ "$(wc -l < "$tmp/err")" -eq 1 ] || fail "error is not one line: $(cat "$tmp/err")"
grep -q 'bad magic' "$tmp/err" || fail "unexpected message: $(cat "$tmp/err")"
[ ! -e "$tmp/junk.png" ] || fail "decode left an output file"
head -c 100 "$tmp/chess.dir" > "$tmp/short.dir"
if "$dirtool" decode "$tmp/short.dir" "$tmp/short.png" 2> "$tmp/err"; then fail "truncated decoded"; fi
grep -q 'truncated at byte 100' "$tmp/err" || fail "unexpected message: $(cat "$tmp/err")"
# A caller's pixel limit: chess.dir is 65536 pixels.
if "$dirtool" decode --max-pixels 65535 "$tmp/chess.dir" "$tmp/lim.png" 2> "$tmp/err"; then fail "limit ignored"; fi
grep -q 'image 256x256 has 65536 pixels, over the limit of 65535' "$tmp/err" || fail "unexpected message: $(cat "$tmp/err")"
"$dirtool" decode --max-pixels 65536 "$tmp/chess.dir" "$tmp/lim.png" || fail "limit too strict"
if "$dirtool" decode "$tmp/chess.dir" "$tmp/lim.bmp" 2> "$tmp/err"; then fail "bmp output accepted"; fi
grep -q 'decode writes .png or .webp' "$tmp/err" || fail "unexpected message: $(cat "$tmp/err")"
if "$dirtool" encode "$samples/chess.png" "$tmp/x.dir" --filter diagonal 2> "$tmp/err"; then fail "bad option accepted"; fi
grep -q -- "invalid value 'diagonal' for filter: expected none, sub or auto" "$tmp/err" || fail "unexpected message: $(cat "$tmp/err")"
if "$dirtool" encode "$tmp/missing.png" "$tmp/x.dir" 2> "$tmp/err"; then fail "missing input accepted"; fi
grep -q "cannot open" "$tmp/err" || fail "unexpected message: $(cat "$tmp/err")"
[ ! -e "$tmp/x.dir" ] || fail "encode left an output file"
# Replacing an output keeps what it was: a symbolic link stays a link (its
# target is replaced), a file keeps its permissions, a FIFO is written into.
cp "$tmp/chess.dir" "$tmp/real.dir"
chmod 600 "$tmp/real.dir"
ln -s real.dir "$tmp/link.dir"
"$dirtool" encode "$samples/panels.png" "$tmp/link.dir" || fail "encode through a link"
[ -L "$tmp/link.dir" ] || fail "the link was replaced by a file"
cmp -s "$tmp/chess.dir" "$tmp/real.dir" && fail "the link's target was not written"
[ "$(stat -c %a "$tmp/real.dir")" = 600 ] || fail "mode became $(stat -c %a "$tmp/real.dir")"
mkfifo "$tmp/fifo.png"
cat "$tmp/fifo.png" > "$tmp/from-fifo.png" &
"$dirtool" decode "$tmp/chess.dir" "$tmp/fifo.png" || fail "decode into a FIFO"
wait
[ -p "$tmp/fifo.png" ] || fail "the FIFO was replaced"
"$dirtool" encode "$tmp/from-fifo.png" "$tmp/fifo-back.dir" || fail "the FIFO's PNG does not read"
rm -f "$tmp/fifo.png" "$tmp/link.dir" "$tmp/real.dir" "$tmp/from-fifo.png" "$tmp/fifo-back.dir"
# One line for every usage error, naming what was wrong.
one_line() { # WANT CMD...: CMD must fail with one stderr line containing WANT
    want=$1; shift
    if "$@" 2> "$tmp/err"; then fail "accepted: $*"; fi
    [ "$(wc -l < "$tmp/err")" -eq 1 ] || fail "not one line for $*: $(cat "$tmp/err")"
    grep -q -- "$want" "$tmp/err" || fail "for $*: $(cat "$tmp/err"), wanted $want"
}
one_line "no command" "$dirtool"
one_line "unknown command 'foo'" "$dirtool" foo
one_line "unknown or incomplete option '--max-pixel'" "$dirtool" decode "$tmp/chess.dir" "$tmp/o.png" --max-pixel 5
one_line "unknown or incomplete option '--jsn'" "$dirtool" info --jsn "$tmp/chess.dir"
one_line "unknown or incomplete option '--levle'" "$dirtool" encode "$samples/chess.png" "$tmp/x.dir" --levle 3
one_line "encode writes .dir files" "$dirtool" encode "$samples/chess.png" "$tmp/x.png"
[ ! -e "$tmp/x.png" ] || fail "encode wrote a .dir file named x.png"
ls "$tmp" | grep -q tmp- && fail "temporary files left behind"
echo "ok: $count round trips"
