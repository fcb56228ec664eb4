#!/usr/bin/env bash
# Screenshots for the README, from a running `make demo`: the first page of
# a certificate (pdftoppm) and the verification page as a phone shows it
# (headless Chromium, 390 x 844 CSS pixels at 2x).
#
# Usage: scripts/screenshots.sh [OUTDIR]       (default docs/img)
# Environment: DEMO_DIR (./demo), PORT (the demo's port, from demo.env).
# Writes OUTDIR/certificate.png, OUTDIR/verify-phone.png and
# OUTDIR/verify-revoked-phone.png.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
DEMO=${DEMO_DIR:-$top/demo}
out=${1:-$top/docs/img}
die() { echo "screenshots: $*" >&2; exit 1; }
[ -f "$DEMO/demo.env" ] || die "no $DEMO/demo.env: run make demo first"
# shellcheck disable=SC1091
. "$DEMO/demo.env"
port=${PORT:-$MADE_PORT}
base=http://127.0.0.1:$port
curl -sf -o /dev/null "$base/healthz" ||
	die "the demo's verifier is not answering on $base (start make demo)"
for t in pdftoppm chromium; do
	command -v $t >/dev/null || die "$t is missing (scripts/deps.sh test)"
done
mkdir -p "$out"
pdf=$(find "$DEMO/pdf" -name "$VALID.pdf" | head -1)
[ -n "$pdf" ] || die "no PDF for $VALID under $DEMO/pdf"
pdftoppm -png -r 110 -f 1 -l 1 -singlefile "$pdf" "$out/certificate"

shot() {
	local url=$1 file=$2 prof
	prof=$(mktemp -d)
	chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--user-data-dir="$prof" --no-first-run \
		--window-size=390,844 --force-device-scale-factor=2 \
		--lang=zh-CN --accept-lang=zh-CN,zh \
		--user-agent='Mozilla/5.0 (Linux; Android 13) Mobile' \
		--screenshot="$file" "$url" >/dev/null 2>&1
	rm -rf "$prof"
	[ -s "$file" ] || die "chromium made no screenshot of $url"
}
shot "$base/c/$VALID" "$out/verify-phone.png"
shot "$base/c/$REVOKED" "$out/verify-revoked-phone.png"
ls -l "$out"/certificate.png "$out"/verify-phone.png "$out"/verify-revoked-phone.png
