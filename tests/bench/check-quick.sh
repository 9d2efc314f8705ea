#!/bin/sh
# SPDX-License-Identifier: MIT
# check-quick.sh RUN_SH BUILD_DIR -- the test bench-quick: the whole
# benchmark (tests/bench/run.sh) on one image per class (DIR_BENCH_LIMIT,
# set by the test), then checks what it wrote under BUILD_DIR/bench/docs:
# every .dir row is there as a whole file (run.sh fails when a decode
# differs or a file has the wrong version), issue 11's targets table has
# every figure for every class, the mogrify commands ran, the README
# fragment was spliced into a copy of README.md between its markers, and
# README.md and docs/ were left alone.
set -eu
run=$1
build=$2
root=${DIR_BENCH_SOURCE_ROOT:?}
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -n "${DIR_BENCH_LIMIT:-}" ] || fail "DIR_BENCH_LIMIT is not set: this would be the full run"
# the corpus first (run.sh fetches it too): where Debian's archive cannot be
# reached the test is skipped, except under CI=true
if ! "$root/tests/bench/fetch-corpus.sh" "${DIR_CORPUS_DIR:-$build/bench-corpus}" > /dev/null; then
    [ "${CI:-}" != true ] || fail "the corpus could not be fetched"
    echo "the corpus could not be fetched: skipping" >&2
    exit 77
fi
before=$(cksum < "$root/README.md"; cksum < "$root/docs/benchmarks.md")
"$run" "$build" || fail "run.sh failed"
after=$(cksum < "$root/README.md"; cksum < "$root/docs/benchmarks.md")
[ "$before" = "$after" ] || fail "a quick run changed README.md or docs/benchmarks.md"
md=$build/bench/docs/benchmarks.md
readme=$build/bench/docs/README.md
[ -s "$md" ] || fail "no $md"
[ -s "$readme" ] || fail "no $readme"
[ -s "$build/bench/docs/img/bench-size-speed.png" ] || fail "no chart"
! grep -q 'v2 payload' "$md" || fail "a v2 payload row is left"
for label in '.dir fast' '.dir default' '.dir smallest' '.dir v1 default (version 1)' \
    '.dir seed-pure, filter none (version 1)' '.dir seed-pure, filter sub (version 1)' \
    '.dir seed-pure, filter auto (version 1)'; do
    n=$(grep -c -F "| $label |" "$md") || true
    # the size table and the three class tables
    [ "$n" -ge 4 ] || fail "row '$label' is in $n tables, not 4 or more"
done
grep -q '^### Version 2 targets (issue 11)' "$md" || fail "no targets table"
for figure in 'default size / lossless WebP' 'default size / `xz -9`' 'default smaller than optipng `-o2`' \
    'default encode MB/s' '`fast` encode MB/s' 'default decode MB/s' \
    '`mogrify -format dir` time' '`mogrify -format dir -define dir:preset=fast` time' 'default encode peak RSS'; do
    for class in screen sprite icon; do
        grep -F "| $figure" "$md" | grep -q -F "| $class |" ||
            fail "no target row '$figure' for $class"
        grep -F "| $figure" "$readme" | grep -q . || fail "no README target row '$figure'"
    done
done
for cmd in '`mogrify -format png`' '`mogrify -format dir`' '`mogrify -format dir -define dir:preset=fast`'; do
    n=$(grep -c -F "| $cmd |" "$md") || true
    [ "$n" -eq 4 ] || fail "mogrify row '$cmd' appears $n times, not 4 (3 classes and all)"
done
grep -q '^### Section codes and where the bytes go (version 1)' "$md" || fail "no section table"
grep -q '^#### Numbers <-> pixel bytes' "$md" || fail "no arrays speed table"
# the copy of README.md: the fragments between their markers, the rest as it is
outside() { awk '/^<!-- bench-(tables|arrays):end -->$/ { s = 0 } !s { print }
    /^<!-- bench-(tables|arrays):begin -->$/ { s = 1 }' "$1"; }
[ "$(outside "$readme")" = "$(outside "$root/README.md")" ] ||
    fail "the README copy differs from README.md outside the bench markers"
for m in bench-tables bench-arrays; do
    inside=$(awk -v b="<!-- $m:begin -->" -v e="<!-- $m:end -->" \
        '$0 == e { s = 0 } s { print } $0 == b { s = 1 }' "$readme")
    [ -n "$inside" ] && [ "$inside" = "$(cat "$build/bench/README-$m.md")" ] ||
        fail "the README copy does not hold the run's $m fragment between its markers"
done
grep -q '^| `small` (19885), self-describing default |' "$readme" || fail "no arrays speed row in the README copy"
echo "bench-quick: every table is there (DIR_BENCH_LIMIT=$DIR_BENCH_LIMIT)"
