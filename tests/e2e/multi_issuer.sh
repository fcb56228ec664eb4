#!/usr/bin/env bash
# One verifier, many issuers (issue 15, service.md §7): two issuers (a
# Fujian and a Weihai policy, each its own origin and key), one verifier
# with a trust file. Each issuer's QR code (decoded with zbarimg from the
# PDF), JSON, page, upload, batch row and offline check answer, naming the
# ledger; each ledger's checkpoint, tiles (verified by Go's tlog client
# over HTTP), keys, healthz and metrics are served under /ledger/NAME/,
# the old paths serving the first. A verifier trusting only Fujian still
# says 非本机构签发 for the Weihai PDF. A damaged ledger (refused at start)
# answers 503 for its own certificates and changes nothing of the
# other's answers.
. "$(dirname "$0")/../lib.sh"
scratch
SAMPLE=$HS_TOP/templates/samples/small.csv
BASEURL=https://verifier.example
quiet() { "$@" >"$T/o" 2>&1 || { sed 's/^/# /' "$T/o" | tail -5; return 1; }; }
code() { curl -s -m 10 -o "$T/body" -w '%{http_code}' "$@"; }
jget() { python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    d = d.get(k) if isinstance(d, dict) else None
print("" if d is None else d)' "$T/body" "$1"; }
# qr_path PDF: the path of the URL in its QR code (/c/SERIAL; the QR
# code is on the last page of a long certificate).
qr_path() {
	local r u
	for r in 100 150 200 300; do
		rm -f "$T/qr"-*.png
		pdftoppm -r $r -png "$1" "$T/qr" 2>/dev/null || return 1
		u=$(zbarimg --raw -q "$T"/qr-*.png 2>/dev/null | sed -n "s,^$BASEURL,,p")
		[ -n "$u" ] && { echo "$u"; return 0; }
	done
	return 1
}

# issuer DIR ORIGIN NAME POLICY ORG: a data directory, a key named after
# DIR, the small sample stamped and issued for 2024, published to DIR.pub.
issuer() {
	quiet "$ISSUER" init "$T/$1" --keys "$T/keys" --origin "$2" --issuer "$3" \
		--base-url "$BASEURL" --policy "$4" &&
	quiet "$ISSUER" --data "$T/$1" keygen "$1" --no-passphrase &&
	quiet "$ISSUER" --data "$T/$1" import "$SAMPLE" --skip-invalid "$T/$1.rej" --quiet &&
	quiet hr_stamp "$T/$1" "$5" --all &&
	quiet "$ISSUER" --data "$T/$1" issue --year 2024 --all --out "$T/$1.pdf" &&
	quiet "$ISSUER" --data "$T/$1" publish "$T/$1.pub"
}
check "a Fujian issuer, published" issuer fj test.example/fj 福建测试中心 fujian 福建省人力资源和社会保障厅
check "a Weihai issuer, published" issuer wh test.example/wh 威海测试平台 weihai 威海市人力资源和社会保障局
FPDF=$(ls "$T"/fj.pdf/2024/*.pdf | head -1)
WPDF=$(ls "$T"/wh.pdf/2024/*.pdf | head -1)
FS=$(basename "$FPDF" .pdf)
WS=$(basename "$WPDF" .pdf)

cat >"$T/trust" <<EOF
hourseal-verifier-trust v1
# The ledgers this verifier accepts.
ledger fj
	origin test.example/fj
	issuer 福建省继续教育中心（测试）
	key keys/fj.pub
	db fj.pub/verifier.db

ledger wh
	origin test.example/wh
	issuer 威海市继续教育平台（测试）
	key keys/wh.pub
	db wh.pub/verifier.db
	state wh.state
EOF
chmod 600 "$T/trust"
check "the verifier starts with the trust file" start_server --trust "$T/trust" --rate 0
trap 'kill -TERM $PID 2>/dev/null; rm -rf "$T"' EXIT
check "  each ledger verified on its own (stderr)" \
	grep -q 'ledger wh: ledger verified' "$T/err"
check "  each with its own state file" test -f "$T/wh.state" -a -f "$T/fj.pub/verifier.db.state"

# The QR codes, as a phone would open them.
fp=$(qr_path "$FPDF"); wp=$(qr_path "$WPDF")
check "the Fujian PDF's QR code is /c/$FS ($fp)" [ "$fp" = "/c/$FS" ]
check "the Weihai PDF's QR code is /c/$WS ($wp)" [ "$wp" = "/c/$WS" ]
code "$URL$wp" >"$T/st"
check "the Weihai QR code's page answers 200 ($(cat "$T/st"))" [ "$(cat "$T/st")" = 200 ]
check "  有效" grep -q 'class="big">有效' "$T/body"
check "  naming the Weihai ledger's issuer" \
	grep -q '<p class="ledger">核验账本：威海市继续教育平台（测试）（wh）</p>' "$T/body"
code "$URL$fp" >/dev/null
check "the Fujian QR code's page: 有效, the Fujian ledger" \
	grep -q '核验账本：福建省继续教育中心（测试）（fj）' "$T/body"
code "$URL$wp?lang=en" >/dev/null
check "  in English too" grep -q 'Verified in the ledger of: 威海市继续教育平台（测试） (wh)' "$T/body"

code "$URL/api/v1/certificates/$WS" >/dev/null
check "JSON for the Weihai serial: valid" [ "$(jget status)" = valid ]
check "  trusted_ledger.name wh" [ "$(jget trusted_ledger.name)" = wh ]
check "  trusted_ledger.issuer" [ "$(jget trusted_ledger.issuer)" = 威海市继续教育平台（测试） ]
check "  trusted_ledger.origin" [ "$(jget trusted_ledger.origin)" = test.example/wh ]
code "$URL/api/v1/certificates/$FS" >/dev/null
check "JSON for the Fujian serial: valid, ledger fj" [ "$(jget status)/$(jget trusted_ledger.name)" = valid/fj ]
code "$URL/api/v1/certificates/2024-0000-0000-0000-0000" >"$T/st"
check "a serial in neither ledger: 404 not_found" [ "$(cat "$T/st")/$(jget status)" = 404/not_found ]
check "  naming no ledger" [ -z "$(jget trusted_ledger)" ]

# Uploads.
code -F "file=@$WPDF" "$URL/api/v1/verify" >/dev/null
check "upload of the Weihai PDF: authentic" [ "$(jget outcome)" = authentic ]
check "  issuer named (trusted_ledger wh)" [ "$(jget trusted_ledger.name)" = wh ]
code -F "file=@$WPDF" -F format=html "$URL/api/v1/verify" >/dev/null
check "  the page says 真实 and the issuer" \
	grep -q '核验账本：威海市继续教育平台（测试）（wh）' "$T/body"
code -F "file=@$FPDF" "$URL/api/v1/verify" >/dev/null
check "upload of the Fujian PDF: authentic, ledger fj" [ "$(jget outcome)/$(jget trusted_ledger.name)" = authentic/fj ]

# A batch of both, a PDF of each and an unknown serial.
printf '%s\n%s%s\n2024-0000-0000-0000-0000\n' "$FS" "$BASEURL" "$wp" >"$T/list"
code -F "list=@$T/list;type=text/plain" -F "a=@$WPDF;type=application/pdf" \
	"$URL/api/v1/verify/batch" >/dev/null
python3 - "$T/body" >"$T/rows" <<'EOF'
import json, sys
for r in json.load(open(sys.argv[1]))["rows"]:
    print(r["status"], r.get("ledger", "-"))
EOF
check "batch: the Fujian serial valid in fj" grep -qx 'valid fj' "$T/rows"
check "  the Weihai QR URL valid in wh" [ "$(grep -c '^valid wh$' "$T/rows")" = 1 ]
check "  the Weihai PDF authentic in wh" grep -qx 'authentic wh' "$T/rows"
check "  the unknown serial not_found" grep -qx 'not_found -' "$T/rows"

# The ledgers, each on its own paths; the old ones serve the first.
GOCHECK=$("$HS_TOP/tests/interop/build.sh" "$HS_BUILD/interop" 2>/dev/null) || GOCHECK=
if [ -n "$GOCHECK" ]; then
	check "Go's tlog client verifies /ledger/fj/ over HTTP" \
		quiet "$GOCHECK" tiles -keyfile "$T/keys/fj.pub" -origin test.example/fj "$URL/ledger/fj"
	check "Go's tlog client verifies /ledger/wh/ over HTTP" \
		quiet "$GOCHECK" tiles -keyfile "$T/keys/wh.pub" -origin test.example/wh "$URL/ledger/wh"
	check "Go's tlog client verifies / (the first ledger, as before)" \
		quiet "$GOCHECK" tiles -keyfile "$T/keys/fj.pub" -origin test.example/fj "$URL"
	check_fails "  and /ledger/wh/ is not signed by Fujian's key" \
		quiet "$GOCHECK" tiles -keyfile "$T/keys/fj.pub" "$URL/ledger/wh"
else
	notok "build the Go checker (tests/interop/build.sh)"
fi
code "$URL/ledger/wh/checkpoint" >"$T/st"
check "/ledger/wh/checkpoint: 200, Weihai's origin" \
	[ "$(cat "$T/st")/$(head -1 "$T/body")" = 200/test.example/wh ]
code "$URL/checkpoint" >/dev/null
check "/checkpoint: Fujian's (the first ledger)" [ "$(head -1 "$T/body")" = test.example/fj ]
code "$URL/ledger/wh/tile/entries/000.p/$(sed -n 2p "$T/body")" >"$T/st"
check "/ledger/wh/tile/entries/...: 200" [ "$(cat "$T/st")" = 200 ]
code "$URL/ledger/wh/keys" >/dev/null
check "/ledger/wh/keys: Weihai's key" grep -q "^$(cut -d+ -f1-2 "$T/keys/wh.pub" | sed 's/[.]/[.]/g')" "$T/body"
check_fails "  not Fujian's" grep -q '^test.example/fj' "$T/body"
code "$URL/ledger/wh/healthz" >"$T/st"
check "/ledger/wh/healthz: 200 ok" [ "$(cat "$T/st")/$(head -1 "$T/body")" = 200/ok ]
code "$URL/healthz" >"$T/st"
check "/healthz: 200, a line per ledger" [ "$(cat "$T/st")/$(grep -c '^ledger .*: ok$' "$T/body")" = 200/2 ]
code "$URL/ledger/wh/metrics" >/dev/null
check "/ledger/wh/metrics: its serving size" grep -q '^hourseal_ledger_serving_size [1-9]' "$T/body"
code "$URL/metrics" >/dev/null
check "/metrics: each ledger labelled" \
	grep -q '^hourseal_ledger_serving_size{ledger="wh"} [1-9]' "$T/body"
code "$URL/ledger/nope/checkpoint" >"$T/st"
check "/ledger/nope/checkpoint: 404" [ "$(cat "$T/st")" = 404 ]
code "$URL/ledger/wh/other" >"$T/st"
check "/ledger/wh/other: 404" [ "$(cat "$T/st")" = 404 ]
code "$URL/ledger/$(printf 'a%.0s' $(seq 1 300))/checkpoint" >"$T/st"
check "/ledger/<300 letters>/checkpoint: 404" [ "$(cat "$T/st")" = 404 ]
code "$URL/ledger//checkpoint" >"$T/st"
check "/ledger//checkpoint: 404" [ "$(cat "$T/st")" = 404 ]
code --path-as-is "$URL/ledger/wh/tile/../../../checkpoint" >"$T/st"
check "/ledger/wh/tile/../../../checkpoint: 404" [ "$(cat "$T/st")" = 404 ]
code "$URL/ledger/wh/tile/0/999" >"$T/st"
check "/ledger/wh/tile/0/999 (beyond the tree): 404" [ "$(cat "$T/st")" = 404 ]
code -X POST "$URL/ledger/wh/checkpoint" >"$T/st"
check "POST /ledger/wh/checkpoint: 405" [ "$(cat "$T/st")" = 405 ]

# Offline, with the same trust file.
"$VERIFIER" check "$WPDF" --trust "$T/trust" >"$T/c" 2>&1; rc=$?
check "check --trust: the Weihai PDF is VALID (exit $rc)" [ "$rc" = 0 ]
check "  trusted as the Weihai ledger" grep -q 'trusted as:  威海市继续教育平台（测试） (ledger wh' "$T/c"
"$VERIFIER" check "$FPDF" --trust "$T/trust" --json >"$T/body" 2>&1; rc=$?
check "check --trust --json: the Fujian PDF valid, trusted_ledger fj (exit $rc)" \
	[ "$rc/$(jget trusted_ledger.name)" = 0/fj ]
stop_server

# A verifier that trusts only Fujian (the options of old: a ledger of one).
check "a Fujian-only verifier starts (--db, --key)" start_server --db "$T/fj.pub/verifier.db" \
	--key "$T/keys/fj.pub" --rate 0 --state "$T/fjonly.state"
code -F "file=@$WPDF" "$URL/api/v1/verify" >/dev/null
check "  the Weihai PDF: not_issued_by_us" [ "$(jget outcome)" = not_issued_by_us ]
code -F "file=@$WPDF" -F format=html "$URL/api/v1/verify" >/dev/null
check "  the page: 非本机构签发" grep -q 'class="big">非本机构签发' "$T/body"
code "$URL$wp" >"$T/st"
check "  the Weihai QR code: 404 未找到" [ "$(cat "$T/st")" = 404 ]
code "$URL/api/v1/certificates/$FS" >/dev/null
check "  the Fujian serial valid, with no ledger line (no trust file)" \
	[ "$(jget status)/$(jget trusted_ledger)" = valid/ ]
stop_server

# Weihai's database is damaged (a leaf no longer hashes to its root):
# refused at start, nothing verified to answer from. Fujian's answers do
# not change.
cp "$T/wh.pub/verifier.db" "$T/wh.good.db"
sqlite3 "$T/wh.pub/verifier.db" "DROP TRIGGER leaves_no_update;
	UPDATE leaves SET hash = randomblob(32) WHERE idx = 1" 2>/dev/null ||
	notok "damage the Weihai ledger"
check "the verifier starts with a damaged Weihai ledger" start_server --trust "$T/trust" --rate 0
check "  says so on stderr" grep -q 'ledger wh: cannot verify now' "$T/err"
code "$URL/api/v1/certificates/$WS" >"$T/st"
check "  the Weihai serial: 503 cannot verify now ($(cat "$T/st"))" \
	[ "$(cat "$T/st")/$(jget status)" = 503/unavailable ]
code "$URL/c/$FS" >"$T/st"
check "  the Fujian page: still 200 有效" [ "$(cat "$T/st")" = 200 ] 
check "    with its ledger line" grep -q '核验账本：福建省继续教育中心（测试）（fj）' "$T/body"
code -F "file=@$FPDF" "$URL/api/v1/verify" >"$T/st"
check "  the Fujian upload: still authentic" [ "$(cat "$T/st")/$(jget outcome)" = 200/authentic ]
code "$URL/checkpoint" >"$T/st"
check "  /checkpoint (Fujian's): 200" [ "$(cat "$T/st")" = 200 ]
code "$URL/ledger/wh/checkpoint" >"$T/st"
check "  /ledger/wh/checkpoint: 503" [ "$(cat "$T/st")" = 503 ]
code "$URL/ledger/fj/healthz" >"$T/st"
check "  /ledger/fj/healthz: 200" [ "$(cat "$T/st")" = 200 ]
code "$URL/ledger/wh/healthz" >"$T/st"
check "  /ledger/wh/healthz: 503, saying why" [ "$(cat "$T/st")" = 503 ] 
check "    (does not hash to its root)" grep -qi 'cannot verify now' "$T/body"
code "$URL/healthz" >"$T/st"
check "  /healthz: 503 naming the Weihai ledger" \
	[ "$(cat "$T/st")/$(grep -c '^ledger wh (test.example/wh): cannot verify now' "$T/body")" = 503/1 ]
code "$URL/api/v1/certificates/2024-0000-0000-0000-0000" >"$T/st"
check "  a serial in no answering ledger: 503 (Weihai might hold it)" [ "$(cat "$T/st")" = 503 ]
printf '%s\n' "$FS" >"$T/list"
code -F "list=@$T/list;type=text/plain" "$URL/api/v1/verify/batch" >"$T/st"
check "  a batch of the Fujian serial: 200, valid" \
	[ "$(cat "$T/st")" = 200 ] && grep -q '"status":"valid"' "$T/body"
code "$URL/metrics" >/dev/null
check "  /metrics: wh serving nothing, fj serving" \
	grep -q '^hourseal_ledger_serving_size{ledger="wh"} 0$' "$T/body"
check "    fj serving" grep -q '^hourseal_ledger_serving_size{ledger="fj"} [1-9]' "$T/body"
stop_server
exit 0
