#!/bin/sh
# SPDX-License-Identifier: MIT
# The main job: convert every sample to .dir with ImageMagick's convert and
# back, check the round trip is pixel-exact, and print the sizes beside PNG.
# Run it inside `meson devenv -C build` so convert finds the built coder.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-${TMPDIR:-/tmp}/dir-samples}
mkdir -p "$out"
printf '%-28s %10s %10s %8s  %s\n' image PNG .dir ratio "round trip"
for png in "$here"/*.png; do
  name=$(basename "$png" .png)
  convert "$png" "$out/$name.dir"
  convert "$out/$name.dir" "$out/$name.png"
  ae=$(compare -metric AE "$png" "$out/$name.png" null: 2>&1 || true)
  p=$(stat -c %s "$png")
  d=$(stat -c %s "$out/$name.dir")
  [ "$ae" = 0 ] && ok="pixel-exact" || ok="DIFFERS ($ae pixels)"
  printf '%-28s %10d %10d %8.3f  %s\n' "$name" "$p" "$d" "$(awk -v d="$d" -v p="$p" 'BEGIN { print d / p }')" "$ok"
  [ "$ae" = 0 ] || exit 1
done
echo "written to $out"
