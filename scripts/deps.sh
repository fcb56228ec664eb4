#!/bin/sh
# Install the Debian packages hourseal needs, if any are missing.
# Usage: scripts/deps.sh [build|test|demo|bench]   (default: test)
# Runs apt-get as root, or through sudo. Safe to run again: it installs only what is missing.
set -eu
what=${1:-test}

build="pkg-config gcc make libssl-dev libsqlite3-dev libjansson-dev libharfbuzz-dev
  libhpdf-dev libqrencode-dev libmicrohttpd-dev libqpdf-dev libdeflate-dev
  libsodium-dev
  fonts-arphic-uming fonts-wqy-microhei fonts-hanazono fonts-dejavu-core"
test="$build oathtool sqlite3 poppler-utils qpdf zbar-tools golang-go golang-golang-x-mod-dev
  curl python3 imagemagick clang libclang-rt-14-dev chromium"
bench="$test wrk time"

case "$what" in
  build) pkgs=$build ;;
  test|demo) pkgs=$test ;;
  bench) pkgs=$bench ;;
  *) echo "deps.sh: unknown set '$what' (build, test, demo, bench)" >&2; exit 2 ;;
esac

missing=""
for p in $pkgs; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
[ -z "$missing" ] && exit 0

echo "deps.sh: installing:$missing" >&2
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  echo "deps.sh: need root or sudo to install:$missing" >&2
  exit 2
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >&2
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing >&2
