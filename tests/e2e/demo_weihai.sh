#!/usr/bin/env bash
# make demo's two issuers on its one verifier (issue 15): the demo's
# verifier trusts both ledgers (demo/trust.conf), so the QR codes of the
# Weihai PDFs (read with zbarimg, as a phone would) answer 有效 there, as
# the Fujian ones do, each naming its issuer; an uploaded Weihai PDF is
# authentic with its issuer named; each ledger's checkpoint is served
# under /ledger/NAME/; and the offline check it prints with --trust works.
# One year of Fujian certificates (DEMO_TEST_YEARS) to stay quick.
. "$(dirname "$0")/../lib.sh"
scratch
for t in curl python3 sqlite3 pdftoppm zbarimg; do
	command -v $t >/dev/null || { notok "demo_weihai: $t missing"; exit 0; }
done
{ read -r port; read -r sport; } < <(free_ports 2)
D=$T/demo
cd "$T" || exit 1
PORT=$port SERVE_PORT=$sport DEMO_DIR=$D DEMO_YEARS="${DEMO_TEST_YEARS:-2026}" \
	setsid bash "$HS_TOP/tests/demo.sh" "$HS_BUILD" >"$T/log" 2>&1 &
pid=$!
stop() { kill -INT -- "-$pid" 2>/dev/null; wait "$pid" 2>/dev/null; }
trap 'kill -KILL -- "-$pid" 2>/dev/null; rm -rf "$T"' EXIT
up=0
for _ in $(seq 1 2400); do          # at most 240 s
	if grep -q 'verifier.*listening' "$T/log"; then up=1; break; fi
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
if [ "$up" != 1 ]; then
	kill -0 "$pid" 2>/dev/null && stop
	notok "demo reaches 'verifier listening'"
	tail -n 25 "$T/log" | sed 's/^/# /'
	exit 0
fi
ok "demo reaches 'verifier listening'"
BASE=http://127.0.0.1:$port
check "the demo wrote its trust file, 0600" [ "$(stat -c %a "$D/trust.conf" 2>/dev/null)" = 600 ]
check "the verifier runs with it" grep -q 'ledger weihai: ledger verified' "$T/log"
check "it says the ledgers' paths" grep -q "$BASE/ledger/NAME/checkpoint" "$T/log"

# qr PDF: the URL in its QR code (on the last page of a long one)
qr() {
	local r u
	for r in 100 150 200; do
		rm -f "$T/qr"-*.png
		pdftoppm -r $r -png "$1" "$T/qr" 2>/dev/null || return 1
		u=$(zbarimg --raw -q "$T"/qr-*.png 2>/dev/null | head -1)
		[ -n "$u" ] && { echo "$u"; return 0; }
	done
	return 1
}
mapfile -t W < <(find "$D/weihai/pdf" -name '*.pdf' | sort | head -3)
check "the Weihai issuer made PDFs (${#W[@]})" [ "${#W[@]}" -ge 3 ]
for f in "${W[@]}"; do
	s=$(basename "$f" .pdf)
	u=$(qr "$f")
	check "Weihai $s: its QR code is $BASE/c/$s ($u)" [ "$u" = "$BASE/c/$s" ]
	st=$(curl -s -m 10 -o "$T/p" -w '%{http_code}' "$u")
	check "  the QR code's page answers 200 ($st)" [ "$st" = 200 ]
	if grep -q 'class="big">有效' "$T/p"; then ok "  有效"; else
		notok "  有效 ($(grep -o 'class="big">[^<]*' "$T/p"))"; fi
	check "  naming the Weihai issuer" \
		grep -q '核验账本：威海市专业技术人员继续教育服务平台（演示）（weihai）' "$T/p"
done
F=$(find "$D/pdf" -name "$(sed -n 's/^VALID=//p' "$D/demo.env").pdf" | head -1)
u=$(qr "$F")
curl -s -m 10 "$u" >"$T/p"
check "the Fujian valid PDF's QR code still answers 有效" grep -q 'class="big">有效' "$T/p"
check "  naming the Fujian issuer" grep -q '核验账本：福建省专业技术人员继续教育中心（演示）（fj）' "$T/p"

curl -s -m 20 -F "file=@${W[0]}" "$BASE/api/v1/verify" >"$T/j"
check "an uploaded Weihai PDF is authentic, issuer named" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["outcome"] == "authentic", d
assert d["trusted_ledger"]["name"] == "weihai", d
assert d["trusted_ledger"]["issuer"] == "威海市专业技术人员继续教育服务平台（演示）", d' "$T/j"
check "/ledger/weihai/checkpoint is Weihai's" \
	eval "[ \"\$(curl -s -m 10 $BASE/ledger/weihai/checkpoint | head -1)\" = demo.hourseal.example/weihai ]"
check "/checkpoint is still Fujian's" \
	eval "[ \"\$(curl -s -m 10 $BASE/checkpoint | head -1)\" = demo.hourseal.example/fj ]"

cmd=$(sed -n 's/^ *\(.*hourseal-verifier check .* --trust .*\)$/\1/p' "$T/log" | head -1)
check "it printed an offline check with --trust" [ -n "$cmd" ]
(cd "$T" && eval "$cmd") >"$T/c" 2>&1
rc=$?
check "  which says VALID (exit $rc)" grep -q ': VALID$' "$T/c"
check "  trusted as the Weihai ledger" grep -q 'trusted as:  威海市' "$T/c"
stop
exit 0
