#!/bin/sh
# Install the Debian packages hourseal needs, if any are missing.
# Usage: scripts/deps.sh [build|test|demo|bench]   (default: test)
# Runs apt-get as root, or through sudo. Safe to run again: it installs only what is missing.
set -eu
what=${1:-test}

build="pkg-config gcc make libssl-dev libsqlite3-dev libjansson-dev libharfbuzz-dev
  libhpdf-dev libqrencode-dev libmicrohttpd-dev libqpdf-dev libdeflate-dev
  libsodium-dev libzbar-dev libjpeg-dev libpng-dev libxlsxwriter-dev libzip-dev
  libxml2-dev libp11-kit-dev gettext
  fonts-arphic-uming fonts-wqy-microhei fonts-hanazono fonts-dejavu-core"
test="$build locales oathtool sqlite3 poppler-utils qpdf zbar-tools golang-go golang-golang-x-mod-dev
  curl python3 imagemagick clang libclang-rt-14-dev chromium faketime strace
  softhsm2 opensc img2pdf default-jre-headless libpdfbox2-java libbcpkix-java
  libbcprov-java golang-github-tjfoc-gmsm-dev libnss3-tools default-jdk-headless"
bench="$test wrk time"
# The browser tests' driver (tests/browser: puppeteer-core from npm), unless
# a node with npm is already there (NodeSource's nodejs conflicts with npm).
browser="nodejs npm"
command -v npm >/dev/null 2>&1 && browser=""

case "$what" in
  build) pkgs=$build ;;
  test|demo) pkgs="$test $browser" ;;
  bench) pkgs="$bench $browser" ;;
  *) echo "deps.sh: unknown set '$what' (build, test, demo, bench)" >&2; exit 2 ;;
esac

missing=""
for p in $pkgs; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
# The npm packages of the tests (puppeteer-core for the browser tests;
# exceljs, sm-crypto, pkijs for interop), exactly as tests/browser/
# package-lock.json pins it; it drives Debian's chromium and downloads no
# browser (PUPPETEER_SKIP_DOWNLOAD, --ignore-scripts). A failure here only
# makes those tests skip, saying why.
npm_deps() {
  case "$what" in test|bench) ;; *) return 0 ;; esac
  dir=$(cd "$(dirname "$0")/../tests/browser" && pwd)
  have=1
  for m in puppeteer-core exceljs sm-crypto pkijs asn1js; do
    [ -f "$dir/node_modules/$m/package.json" ] || have=0
  done
  [ "$have" = 1 ] && return 0
  if ! command -v npm >/dev/null 2>&1; then
    echo "deps.sh: npm is missing: the browser tests will skip" >&2
    return 0
  fi
  echo "deps.sh: npm ci in tests/browser (puppeteer-core)" >&2
  (cd "$dir" && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --ignore-scripts \
      --no-audit --no-fund >&2) ||
    echo "deps.sh: npm ci in tests/browser failed: the browser tests will skip" >&2
}

# The Chinese locale the tests run the issuer in (e2e_i18n): generated
# from the locales package. Without it LANG=zh_CN.UTF-8 still speaks
# Chinese (lib/core/i18n.c keeps the language over C.UTF-8), but an
# operator's machine has it, so the tests should too.
zh_locale() {
  case "$what" in test|demo|bench) ;; *) return 0 ;; esac
  locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$' && return 0
  if ! command -v locale-gen >/dev/null 2>&1; then
    echo "deps.sh: no locale-gen: zh_CN.UTF-8 not generated" >&2
    return 0
  fi
  if [ "$(id -u)" -eq 0 ]; then s=""
  elif command -v sudo >/dev/null 2>&1; then s="sudo"
  else
    echo "deps.sh: need root or sudo to generate zh_CN.UTF-8" >&2
    return 0
  fi
  echo "deps.sh: generating the zh_CN.UTF-8 locale" >&2
  if grep -q '^# *zh_CN.UTF-8 UTF-8' /etc/locale.gen 2>/dev/null; then
    $s sed -i 's/^# *\(zh_CN.UTF-8 UTF-8\)/\1/' /etc/locale.gen
  elif ! grep -q '^zh_CN.UTF-8 UTF-8' /etc/locale.gen 2>/dev/null; then
    echo 'zh_CN.UTF-8 UTF-8' | $s tee -a /etc/locale.gen >/dev/null
  fi
  $s locale-gen >&2 ||
    echo "deps.sh: locale-gen failed: zh_CN.UTF-8 not generated" >&2
}

[ -z "$missing" ] && { npm_deps; zh_locale; exit 0; }

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
npm_deps
zh_locale
