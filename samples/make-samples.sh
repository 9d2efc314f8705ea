#!/bin/sh
# SPDX-License-Identifier: MIT
# make-samples.sh -- draws the project's own sample images with ImageMagick 6.
# Nothing here comes from a third party: every pixel is drawn by these
# commands.  Usage: samples/make-samples.sh [OUT_DIR]   (default: samples/)
set -eu
out=${1:-$(dirname "$0")}
mkdir -p "$out"
IM=${CONVERT:-convert}

# Text: a page of monospaced text, black on white, anti-aliased.
$IM -size 640x360 xc:white -font DejaVu-Sans-Mono -pointsize 15 -fill black \
  -annotate +12+24 'The Direccional method cuts the image into 16x16 sections.\nIn each section a colour is written once, followed by the\naddresses of the pixels that have it: X<<4|Y, one byte each.\n\n  00 all zero       01 one colour      02 one pixel differs\n  03 reference      04 XOR elimination 05 zero implicit\n  06 no zero        07 raw             08 two colours\n\nint main(void) { return dir_decode(buf, n, NULL, px, sz,\n                                   NULL, NULL, &diag); }' \
  -depth 8 -define png:color-type=2 "$out/text.png"

# UI-like panels: title bar, buttons, a list, flat colours and 1-px borders.
$IM -size 480x320 xc:'#ececec' \
  -fill '#3b5b8c' -draw 'rectangle 0,0 479,27' \
  -fill white -font DejaVu-Sans -pointsize 14 -annotate +10+19 'Export Image as DIR' \
  -fill white -stroke '#a0a0a0' -draw 'rectangle 16,44 463,220' \
  -stroke none -fill '#dbe6f5' -draw 'rectangle 17,70 462,92' \
  -fill black -annotate +26+62 'Back end:   zstd' -annotate +26+86 'Filter:     auto' \
  -annotate +26+110 'Layout:     ordered' -annotate +26+134 'Level:      19' \
  -fill '#f8f8f8' -stroke '#8a8a8a' -draw 'roundrectangle 280,260 370,292 4,4' \
  -draw 'roundrectangle 380,260 463,292 4,4' -stroke none -fill black \
  -annotate +302+281 'Cancel' -annotate +405+281 'Export' \
  -depth 8 -define png:color-type=2 "$out/panels.png"

# Pixel art: an 8-colour sprite sheet drawn from a 16x16 pattern, scaled 4x.
$IM -size 16x16 xc:'#5fcde4' \
  -fill '#222034' -draw 'rectangle 4,2 11,3' -draw 'rectangle 3,4 12,11' \
  -fill '#d95763' -draw 'rectangle 4,4 11,10' -fill '#fbf236' -draw 'point 6,6' -draw 'point 9,6' \
  -fill '#222034' -draw 'rectangle 6,8 9,8' -fill '#8f563b' -draw 'rectangle 5,12 6,14' \
  -draw 'rectangle 9,12 10,14' -fill '#6abe30' -draw 'rectangle 0,15 15,15' \
  -scale 400% \( +clone -flop \) \( +clone -modulate 100,100,60 \) \( +clone -flip \) +append \
  \( +clone -modulate 80,120,140 \) -append +repage -depth 8 -define png:color-type=2 "$out/pixel-art.png"

# Chess board of 16x16 squares: code 03 (reference) in action.
$IM -size 32x32 xc:'#e8d8b0' -fill '#302018' -draw 'rectangle 0,0 15,15' \
  -draw 'rectangle 16,16 31,31' -write mpr:square +delete -size 256x256 tile:mpr:square \
  -depth 8 -define png:color-type=2 "$out/chess.png"

# Gradient: smooth, where the sub filter helps.
$IM -size 320x200 gradient:'#1e3c72'-'#f0c27b' -depth 8 -define png:color-type=2 "$out/gradient.png"

# Alpha: a soft-edged disc and a translucent label on a transparent background.
$IM -size 200x200 xc:none -fill '#e0403080' -draw 'circle 100,100 100,20' \
  -fill '#2060c0' -draw 'rectangle 40,150 160,180' -fill white -font DejaVu-Sans -pointsize 16 \
  -annotate +62+171 'alpha' -depth 8 -define png:color-type=6 "$out/alpha.png"

# Grey: a greyscale rendering of the panels.
$IM "$out/panels.png" -colorspace Gray -depth 8 -define png:color-type=0 "$out/grey.png"

ls "$out"/*.png
