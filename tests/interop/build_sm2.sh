#!/bin/sh
# Builds the SM2 interop checker (tests/interop/sm2check) offline from
# Debian's golang-go and golang-github-tjfoc-gmsm-dev, into $1 (default
# build/interop), and prints the binary's path. Exit 2 if Go or gmsm is
# missing, so callers can report "could not check".
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$top/build/interop}
gocode=/usr/share/gocode
if ! command -v go >/dev/null 2>&1 || [ ! -d "$gocode/src/github.com/tjfoc/gmsm/sm2" ]; then
  echo "build_sm2.sh: need golang-go and golang-github-tjfoc-gmsm-dev (scripts/deps.sh test)" >&2
  exit 2
fi
mkdir -p "$out/gocache"
# GOPATH mode: gmsm comes from Debian's source tree, nothing is fetched.
cd "$top/tests/interop/sm2check"
GO111MODULE=off GOPATH=$gocode GOCACHE=$out/gocache GOFLAGS= GOPROXY=off \
  go build -o "$out/sm2check" . >&2
echo "$out/sm2check"
