#!/bin/sh
# SPDX-License-Identifier: MIT
# stage-coders.sh SYSTEM_CODER_DIR STAGE_DIR MODULE BUILD_LA STAMP
#
# Builds the coder directory used by `meson devenv` and the tests: every
# coder module of the installed ImageMagick (symbolic links) plus the freshly
# built DIR module, so that ImageMagick sees the same set of coders as after
# `meson install`.  ImageMagick 6 lists the modules of the one directory in
# which it finds magick.la (after resolving links), so magick.la is copied,
# not linked.
set -eu
sys=$1
stage=$2
module=$3
build_la=$4
stamp=$5

rm -rf "$stage"
mkdir -p "$stage"
for f in "$sys"/*.la; do
    [ -e "$f" ] || continue
    name=$(basename "$f")
    case $name in
        dir.la | magick.la) continue ;; # dir.la: an installed copy of this module
    esac
    ln -s "$f" "$stage/$name"
done
if [ -f "$sys/magick.la" ]; then
    cp "$sys/magick.la" "$stage/magick.la"
fi
cp "$build_la" "$stage/dir.la"
ln -s "$module" "$stage/dir.so"
: >"$stamp"
