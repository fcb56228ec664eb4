#!/bin/sh
# Builds the Go interop checker (tests/interop/gocheck) offline from
# Debian's golang-go and golang-golang-x-mod-dev, into $1 (default
# build/interop), and prints the binary's path. Exit 2 if Go or x/mod is
# missing, so callers can report "could not check".
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$top/build/interop}
gocode=/usr/share/gocode
if ! command -v go >/dev/null 2>&1 || [ ! -d "$gocode/src/golang.org/x/mod/sumdb/note" ]; then
  echo "build.sh: need golang-go and golang-golang-x-mod-dev (scripts/deps.sh test)" >&2
  exit 2
fi
mkdir -p "$out/gocache"
# GOPATH mode: x/mod comes from Debian's source tree, nothing is fetched.
cd "$top/tests/interop/gocheck"
GO111MODULE=off GOPATH=$gocode GOCACHE=$out/gocache GOFLAGS= GOPROXY=off \
  go build -o "$out/gocheck" . >&2
echo "$out/gocheck"
