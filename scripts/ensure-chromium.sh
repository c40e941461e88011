#!/bin/sh
# The end-to-end tests drive Debian's Chromium (never a browser download by a test tool).
# Installs it when missing; needs root, as on the project's machines and CI.
set -eu
if [ -x /usr/bin/chromium ]; then exit 0; fi
echo "ensure-chromium: /usr/bin/chromium missing, installing Debian's chromium package" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium >/dev/null
/usr/bin/chromium --version >&2
