#!/bin/sh
# stage-mime.sh XML DATADIR STAMP: a shared-mime-info data directory in the
# build tree holding our entry alone, compiled by the real
# update-mime-database, for uninstalled use (meson devenv, the tests):
# XDG_DATA_DIRS=DATADIR:/usr/share.
set -eu
xml=$1 datadir=$2 stamp=$3
rm -rf "$datadir/mime"
mkdir -p "$datadir/mime/packages"
cp "$xml" "$datadir/mime/packages/"
update-mime-database "$datadir/mime"
touch "$stamp"
