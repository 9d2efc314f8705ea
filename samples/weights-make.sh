#!/bin/sh
# SPDX-License-Identifier: MIT
# weights-make.sh GEN DIRTOOL OUTDIR -- makes the sample weight images from
# the seeded generator: weights-784-100-10.{dir,png} (self-describing arrays,
# every double exact), weights-784-100-10-heatmap.png (the plain grid, one
# pixel per value), and from the same weights as named tensors (weights-gen
# --tensors): weights-784-100-10-tensors.png (each layer in its own shape,
# with title, colour bar and statistics) and weights-784-100-10-tiles.png
# (W1's columns as 28x28 receptive fields).
set -eu
gen=$1
dirtool=$2
out=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$gen" >"$tmp/weights.json"
"$dirtool" array pack "$tmp/weights.json" "$out/weights-784-100-10.dir"
"$dirtool" array pack "$tmp/weights.json" "$out/weights-784-100-10.png"
# W1's weights are about ten times smaller than W2's: --scale 0.04 gives
# them the full colour range (larger values saturate).
"$dirtool" array heatmap "$out/weights-784-100-10.dir" "$out/weights-784-100-10-heatmap.png" \
    --shape 796x100 --scale 0.04
"$gen" --tensors >"$tmp/tensors.json"
"$dirtool" array pack "$tmp/tensors.json" "$tmp/tensors.dir"
"$dirtool" array heatmap "$tmp/tensors.dir" "$out/weights-784-100-10-tensors.png"
"$dirtool" array heatmap "$tmp/tensors.dir" "$out/weights-784-100-10-tiles.png" --tiles 28x28
