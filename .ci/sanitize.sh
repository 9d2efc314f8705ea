#!/bin/sh
# SPDX-License-Identifier: MIT
# .ci/sanitize.sh [BUILD_DIR] -- the sanitizer and fuzzing job (issue 7).
#
#  1. Builds with clang under AddressSanitizer and UndefinedBehaviorSanitizer
#     (-Db_sanitize=address,undefined -Db_lundef=false), with the libFuzzer
#     harnesses (-Dfuzzing=true) and coverage instrumentation of everything
#     they reach (-fsanitize=fuzzer-no-link).  The ASan runtime is the shared
#     one (-shared-libasan), so that ImageMagick's programs, which are not
#     instrumented, can load the instrumented DIR coder with the runtime
#     preloaded (wrappers in BUILD_DIR/asan-bin), and dirtool run by the
#     same scripts shares that runtime.
#  2. Runs the whole test suite but the 'trixie' suite (the Debian 13 root's
#     GIMP 3 and ImageMagick 7 tests, run by the README's command; the
#     'corpus' suite too unless
#     SANITIZE_SKIP_CORPUS=1) with every report fatal: halt_on_error=1,
#     detect_leaks=1, print_stacktrace=1.
#  3. Runs each fuzz harness for FUZZ_SECONDS (default 60), two at a time,
#     from its seed corpus; a crash, leak, timeout or out-of-memory fails the
#     job and leaves the input in BUILD_DIR/fuzz/artifacts.  Prints the
#     executions per harness.
set -eu
cd "$(dirname "$0")/.."
build=${1:-build-sanitize}
seconds=${FUZZ_SECONDS:-60}

asan_so=$(clang -print-file-name=libclang_rt.asan-x86_64.so)
[ -f "$asan_so" ] || { echo "sanitize.sh: no $asan_so (install libclang-rt-14-dev)" >&2; exit 1; }
asan_dir=$(dirname "$asan_so")

rm -rf "$build"
# ImageMagick's programs are not instrumented: to load the instrumented DIR
# coder they need the ASan runtime preloaded.  The tests find them on PATH at
# setup time, so wrappers that preload it come first (only for them: under
# the preloaded runtime, uninstrumented tools such as mktemp report their own
# leaks at exit).
case $build in
    /*) wrappers="$build/asan-bin" ;;
    *) wrappers="$(pwd)/$build/asan-bin" ;;
esac
mkdir -p "$wrappers"
for tool in convert mogrify identify compare; do
    real=$(command -v "$tool-im6.q16" || command -v "$tool" || true)
    [ -n "$real" ] || continue
    printf '#!/bin/sh\nLD_PRELOAD="%s" exec "%s" "$@"\n' "$asan_so" "$real" >"$wrappers/$tool-im6.q16"
    chmod +x "$wrappers/$tool-im6.q16"
done
# clang++ too: the core has one C++ file (core/numconv.cpp).
PATH="$wrappers:$PATH" CC=clang CFLAGS="-shared-libasan -fsanitize=fuzzer-no-link" \
    CXX=clang++ CXXFLAGS="-shared-libasan -fsanitize=fuzzer-no-link" \
    LDFLAGS="-shared-libasan -Wl,-rpath,$asan_dir" \
    meson setup "$build" --werror -Db_sanitize=address,undefined -Db_lundef=false \
    -Dfuzzing=true
meson compile -C "$build"

export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:print_stacktrace=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export CI="${CI:-true}"

# The Debian 13 root's suites (GIMP 3, ImageMagick 7: tests/hosts/trixie.sh)
# ran in the README's test command and are not instrumented here.
skip="--no-suite trixie"
[ "${SANITIZE_SKIP_CORPUS:-0}" = 1 ] && skip="$skip --no-suite corpus"
# shellcheck disable=SC2086
meson test -C "$build" --print-errorlogs --num-processes 2 $skip

# ---- fuzzing ----------------------------------------------------------------
fz="$build/tests/fuzz"
out="$build/fuzz"
rm -rf "$out"
mkdir -p "$out/artifacts"
# The ImageMagick harness loads the staged coder, as the magick tests do.
export MAGICK_CODER_MODULE_PATH="$build/magick-coder/im6/coders"
export MAGICK_CONFIGURE_PATH="$build/magick-coder/im6"

# libFuzzer's C++ runtime is linked before the shared ASan runtime, so the
# harnesses get it preloaded too.
run_fuzzer() { # NAME SEEDS
    mkdir -p "$out/corpus-$1"
    rc=0
    LD_PRELOAD="$asan_so" "$fz/fuzz_$1" -max_total_time="$seconds" -timeout=25 \
        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$out/artifacts/$1-" \
        "$out/corpus-$1" "$2" >"$out/$1.log" 2>&1 || rc=$?
    echo "$rc" >"$out/$1.rc"
}

seeds_of() { # the magick and pixbuf harnesses read the .dir seeds, the tensor ones the number
    # seeds, the v2 payload one its committed payloads
    case $1 in
        magick|pixbuf) echo "$fz/seeds/dir" ;;
        tnpy) echo "$fz/seeds/npy" ;;
        tjson) echo "$fz/seeds/json" ;;
        v2payload) echo "tests/fuzz/regressions/v2payload" ;;
        *) echo "$fz/seeds/$1" ;;
    esac
}

names=""
for name in dir v2payload array json csv tnpy npz safetensors tjson magick pixbuf; do
    if [ -x "$fz/fuzz_$name" ]; then
        names="$names $name"
    else
        # a harness that was not built is a failure, not a skip (the magick
        # one needs ImageMagick's development files, the pixbuf one
        # gdk-pixbuf's)
        echo "sanitize.sh: fuzz_$name was not built (missing dependency?)" >&2
        exit 1
    fi
done
# shellcheck disable=SC2086
set -- $names
while [ $# -gt 0 ]; do
    run_fuzzer "$1" "$(seeds_of "$1")" &
    if [ $# -gt 1 ]; then
        run_fuzzer "$2" "$(seeds_of "$2")" &
        shift
    fi
    shift
    wait
done

status=0
printf '%-8s %12s %8s  %s\n' harness executions exec/s result
for name in $names; do
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$name.log" | tail -n 1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$out/$name.log" | tail -n 1)
    rc=$(cat "$out/$name.rc")
    if [ "$rc" = 0 ]; then
        result=ok
    else
        result="FAILED (exit $rc; log $out/$name.log)"
        status=1
    fi
    printf '%-8s %12s %8s  %s\n' "$name" "${runs:-?}" "${speed:-?}" "$result"
done
if [ "$status" != 0 ]; then
    for name in $names; do
        [ "$(cat "$out/$name.rc")" = 0 ] && continue
        echo "==== $name ====" >&2
        tail -n 60 "$out/$name.log" >&2
    done
    ls -l "$out/artifacts" >&2
    echo "sanitize.sh: a fuzzer failed; minimise the input (fuzz_NAME -minimize_crash=1" \
        "-runs=10000 FILE), add it to tests/fuzz/regressions/NAME/ and fix the bug" >&2
fi
exit $status
