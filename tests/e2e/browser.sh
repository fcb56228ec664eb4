#!/usr/bin/env bash
# A real browser: headless Chromium at phone size opens /c/<serial> (valid
# and revoked) and the index; we assert on the rendered text (--dump-dom)
# and keep screenshots in tests/out/ to look at.
. "$(dirname "$0")/../lib.sh"
scratch
CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROME" ]; then
	notok "chromium is not installed (scripts/deps.sh test)"
	exit 1
fi
OUT=$HS_TOP/tests/out
mkdir -p "$OUT"

"$HS_BUILD/tests/test_vdb" --make-fixture "$T/v.db" 3 "$T/key.pub" >"$T/serials"
S=$(head -1 "$T/serials")
REV=$(sed -n 's/^revoked //p' "$T/serials")
start_server --db "$T/v.db" --key "$T/key.pub" || { notok "server starts"; exit 1; }
trap 'kill -TERM $PID 2>/dev/null; rm -rf "$T"' EXIT

# browse NAME URL: screenshot to tests/out/NAME.png, DOM to $T/NAME.html.
browse() {
	local prof
	prof=$(mktemp -d "$T/chrome.XXXXXX")
	timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu \
		--disable-background-networking --disable-component-update \
		--disable-sync --no-first-run --user-data-dir="$prof" --accept-lang=zh-CN \
		--window-size=390,844 --hide-scrollbars \
		--screenshot="$OUT/$1.png" "$2" >/dev/null 2>&1
	timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu \
		--disable-background-networking --disable-component-update \
		--disable-sync --no-first-run --user-data-dir="$prof" --accept-lang=zh-CN \
		--window-size=390,844 --dump-dom "$2" >"$T/$1.html" 2>/dev/null
}

browse browser_valid "$URL/c/$S"
check "screenshot of the valid page" [ -s "$OUT/browser_valid.png" ]
check "rendered page says 有效" grep -q '<span class="big">有效·' "$T/browser_valid.html"
check "rendered page shows the holder" grep -q '测试0' "$T/browser_valid.html"
check "rendered page shows 达标" grep -q '达标' "$T/browser_valid.html"
browse browser_revoked "$URL/c/$REV"
check "rendered revoked page says 已撤销" grep -q '已撤销' "$T/browser_revoked.html"
check "with the reason" grep -q '信息有误' "$T/browser_revoked.html"
browse browser_en "$URL/c/$S?lang=en"
check "English page renders" grep -q 'Valid' "$T/browser_en.html"
browse browser_index "$URL/"
check "index renders the three forms" [ "$(grep -c '<form' "$T/browser_index.html")" = 3 ]
# The style sheet loaded under the CSP: the banner is green, not default.
check "no CSP violations logged" bash -c "! grep -qi 'content security policy' '$T/err'"
