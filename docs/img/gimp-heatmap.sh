#!/bin/sh
# SPDX-License-Identifier: MIT
# docs/img/gimp-heatmap.sh BUILD OUT.png [2|3] -- takes docs/img/gimp-heatmap.png
# (GIMP 2.10, the default) or docs/img/gimp3-heatmap.png (GIMP 3): the real
# GIMP (gimp-2.10 or gimp-3.0, single-window mode, GIMP's default docks) on
# a private Xvfb display with the freshly built plug-in (BUILD's devenv
# profile), after Filters > Generic > Numeric array heatmap on the sample
# network's four tensors (samples/weights-gen --tensors, packed by dirtool):
# the image with a layer per tensor at 100%, and the Layers dock naming them.
#   sh docs/img/gimp-heatmap.sh build docs/img/gimp-heatmap.png
# GIMP 3 runs in the Debian 13 root: gimp3-interactive calls this script
# when DIR_SCREENSHOT_DIR is set (see README).
set -eu
build=$(cd "$1" && pwd)
out=$2
version=${3:-2}
tmp=$(mktemp -d)
xvfb_pid=
gimp_pid=
cleanup() {
    [ -n "$gimp_pid" ] && kill "$gimp_pid" 2>/dev/null || true
    [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT

"$build/samples/weights-gen" --tensors >"$tmp/net.json" 2>/dev/null
"$build/tool/dirtool" array pack "$tmp/net.json" "$tmp/net.dir" >/dev/null

mkdir -p "$tmp/profile"
for sub in brushes dynamics gradients palettes patterns tool-presets mypaint-brushes fonts; do
    mkdir -p "$tmp/profile/$sub"
done
if [ "$version" = 3 ]; then
    gimp=gimp-3.0
    cp "$build/gimp-plugin/gimp3/profile/gimprc" "$tmp/profile/gimprc"
    session=/etc/gimp/3.0/sessionrc
    run="(let* ((img (car (gimp-file-load RUN-NONINTERACTIVE \"$tmp/net.dir\")))
       (r (plug-in-dir-array-heatmap #:run-mode RUN-NONINTERACTIVE #:image img
            #:drawables (vector (vector-ref (car (gimp-image-get-layers img)) 0))))
       (h (car r)))
  (gimp-image-clean-all h)
  (gimp-display-new h)
  (gimp-displays-flush))"
else
    gimp=gimp-2.10
    cp "$build/gimp-plugin/profile/gimprc" "$tmp/profile/gimprc"
    session=/etc/gimp/2.0/sessionrc
    run="(let* ((img (car (gimp-file-load RUN-NONINTERACTIVE \"$tmp/net.dir\" \"net.dir\")))
       (r (plug-in-dir-array-heatmap RUN-NONINTERACTIVE img
            (car (gimp-image-get-active-drawable img)) 0 1 1 0 0 0 0.0 0 0.0 0 0 0))
       (h (car r)))
  (gimp-image-clean-all h)
  (gimp-display-new h)
  (gimp-displays-flush))"
fi
echo '(show-tips no)' >>"$tmp/profile/gimprc"
# GIMP's own default session (single-window mode, toolbox left, docks
# right), one window filling the screen, the Layers dock in front
sed -e 's/(position 200 100)/(position 0 0)/' -e 's/(size 1024 768)/(size 1440 900)/' \
    -e 's/(size 800 600)/(size 1440 900)/' \
    -e 's/(right-docks-width "205")/(right-docks-width "360")/' \
    -e 's/(position 336)/(position 60)/' -e 's/(preview-size 32)/(preview-size 48)/' \
    "$session" >"$tmp/profile/sessionrc"

Xvfb -displayfd 3 -screen 0 1440x900x24 -nolisten tcp 3>"$tmp/display" 2>"$tmp/xvfb.log" &
xvfb_pid=$!
i=0
while [ ! -s "$tmp/display" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
display=:$(cat "$tmp/display")

DISPLAY=$display GIMP2_DIRECTORY=$tmp/profile GIMP3_DIRECTORY=$tmp/profile HOME=$tmp/profile \
    LC_ALL=C.UTF-8 LANGUAGE=C \
    "$gimp" -n -d -f -s --batch-interpreter=plug-in-script-fu-eval -b "$run" >"$tmp/gimp.log" 2>&1 &
gimp_pid=$!

# wait, with a bounded retry, for the batch command (the image window is
# then open), then for it to settle
i=0
until grep -q "batch command executed successfully" "$tmp/gimp.log" 2>/dev/null; do
    i=$((i + 1))
    [ $i -lt 600 ] || { tail -40 "$tmp/gimp.log" >&2; echo "GIMP did not show the heatmap" >&2; exit 1; }
    sleep 0.5
done
sleep 6
# 100% (the key "1" over the canvas): titles, colour bars, ticks and
# statistics readable
win=$(DISPLAY=$display xdotool search --onlyvisible --name "GIMP" | tail -1)
DISPLAY=$display xdotool mousemove ${DIR_SHOT_X:-520} ${DIR_SHOT_Y:-178}
sleep 1
[ -z "$win" ] || DISPLAY=$display xdotool key --window "$win" 1 || true
sleep 1
DISPLAY=$display xdotool key 1
sleep 1
DISPLAY=$display xdotool mousemove 90 760   # the brush outline off the canvas, no tooltip
sleep 3
importer=$(command -v import || command -v import-im7.q16)
"$importer" -display "$display" -window root "$out"
echo "wrote $out"
