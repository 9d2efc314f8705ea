#!/bin/sh
# SPDX-License-Identifier: MIT
# test_sample.sh GEN DIRTOOL SAMPLES WORKDIR -- the committed sample weight
# images are what the seeded generator makes, and give back its doubles
# exactly (compared as the generator's own JSON text).  After a change of the
# .dir format or of the generator, remake them: ninja -C build weights-sample
set -u
gen=$1 dirtool=$2 samples=$3 work=$4
rm -rf "$work" && mkdir -p "$work" || exit 1
"$gen" >"$work/gen.json" 2>"$work/gen.log" || { cat "$work/gen.log"; exit 1; }
grep -q "accuracy on 1000 fresh synthetic digits: 1000/1000" "$work/gen.log" ||
    { echo "FAIL: the sample network did not train"; cat "$work/gen.log"; exit 1; }
fails=0
for ext in dir png; do
    if ! "$dirtool" array unpack "$samples/weights-784-100-10.$ext" "$work/$ext.json" >"$work/out.txt" 2>&1; then
        echo "FAIL: unpack weights-784-100-10.$ext"; cat "$work/out.txt"; fails=$((fails + 1)); continue
    fi
    cmp -s "$work/$ext.json" "$work/gen.json" ||
        { echo "FAIL: weights-784-100-10.$ext differs from the generator's weights"; fails=$((fails + 1)); }
done
[ "$(grep -o , "$work/gen.json" | wc -l)" -eq 79509 ] || { echo "FAIL: not 79,510 weights"; fails=$((fails + 1)); }
[ "$fails" -eq 0 ] || exit 1
echo "sample weights match the generator"
