#!/bin/sh
# The end-to-end tests drive Debian's Chromium (never a browser download by a test tool), and
# their screenshots need a Chinese font (a bare Debian has none: every character would be a box).
# Installs whichever is missing; needs root, as on the project's machines and CI.
set -eu
missing=""
[ -x /usr/bin/chromium ] || missing="chromium"
[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing="$missing fonts-wqy-microhei"
[ -z "$missing" ] && exit 0
echo "ensure-chromium: installing Debian packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
/usr/bin/chromium --version >&2
