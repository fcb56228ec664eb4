#!/usr/bin/env bash
# Walking the ID match: a masked ID leaves some 10^5-10^6 candidates, and
# the per-client limit is no bar to many addresses. With default options a
# certificate takes 10 match attempts a day from all clients together
# (here 12 loopback addresses, one attempt each); the answer counts down,
# the 11th is 429 with Retry-After and says when matching starts again;
# even the right ID is refused then; another certificate is unaffected;
# /metrics counts the refusals. Also: a JSON body sent without
# Content-Type: application/json gets a 400 that says to send that header.
. "$(dirname "$0")/../lib.sh"
scratch

"$HS_BUILD/tests/test_vdb" --make-fixture "$T/v.db" 5 "$T/key.pub" >"$T/serials"
grep -v '^revoked' "$T/serials" >"$T/valid"
S=$(sed -n 1p "$T/valid")
S2=$(sed -n 2p "$T/valid")
echo 0000000000000000000000000000000000000000000000000000000000000000 >"$T/pepper"
start_server --db "$T/v.db" --key "$T/key.pub" --pepper "$T/pepper" || { notok "server starts"; exit 1; }
trap 'kill -TERM $PID 2>/dev/null; rm -rf "$T"' EXIT

WRONG=11010519491231002X
RIGHT=350102198001011233
# attempt N SERIAL ID: one attempt from the loopback address 127.0.0.N.
attempt() {
	curl -s -m 10 --interface "127.0.0.$1" -o "$T/a$1.json" -D "$T/h$1" -w '%{http_code}' \
		-H 'Content-Type: application/json' -d "{\"id_number\":\"$3\"}" \
		"$URL/api/v1/certificates/$2/match"
}
field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2], ""))' "$@"; }

counted=1
for n in $(seq 2 11); do
	code=$(attempt "$n" "$S" "$WRONG")
	left=$(field "$T/a$n.json" attempts_left)
	want=$((11 - n))
	if [ "$code" != 200 ] || [ "$left" != "$want" ]; then
		counted=0
		echo "# attempt from 127.0.0.$n: $code $(cat "$T/a$n.json")"
	fi
done
check "10 attempts from 10 addresses: 200, attempts_left counts 9..0" [ "$counted" = 1 ]
check "the answer says when the count starts again (00:00 UTC)" \
	grep -q '"attempts_reset_at":"[0-9-]*T00:00:00Z"' "$T/a11.json"

code=$(attempt 12 "$S" "$WRONG")
check "the 11th attempt, from an 11th address: 429" [ "$code" = 429 ]
check "it says the certificate had its 10 attempts today" \
	grep -q 'this certificate has had its 10 ID-match attempts for today' "$T/a12.json"
ra=$(sed -n 's/^Retry-After: *\([0-9]*\).*/\1/ip' "$T/h12" | tr -d '\r')
check "with Retry-After: until 00:00 UTC (${ra}s)" python3 -c "
import time; r = 86400 - int(time.time()) % 86400; assert abs(int('$ra') - r) <= 5, r"
code=$(attempt 13 "$S" "$RIGHT")
check "even the right ID is refused now: 429" [ "$code" = 429 ]
check_fails "and the refusal does not tell whether it matched" grep -q '"match"' "$T/a13.json"
code=$(attempt 14 "$S2" "$WRONG")
check "another certificate still answers: 200" [ "$code" = 200 ]
check "with its own 9 attempts left" [ "$(field "$T/a14.json" attempts_left)" = 9 ]
code=$(curl -s -m 10 --interface 127.0.0.15 -o /dev/null -w '%{http_code}' \
	-H 'Content-Type: application/json' -d "{\"id_number\":\"$WRONG\"}" \
	"$URL/api/v1/certificates/2024-0000-0000-0000-0001/match")
check "an unknown serial is 404 (and not counted)" [ "$code" = 404 ]
curl -s "$URL/metrics" >"$T/metrics"
check "/metrics counts the 2 refusals" \
	grep -q '^hourseal_verifications_total{kind="id_match",outcome="refused_certificate_limit"} 2$' "$T/metrics"
check "and the 11 answered attempts" python3 -c "
import re; t = open('$T/metrics').read()
n = sum(int(v) for v in re.findall(r'kind=\"id_match\",outcome=\"(?:no_)?match\"\} (\d+)', t))
assert n == 11, n"

# Item 14: a JSON body with the form content type (curl -d's default).
code=$(curl -s -m 10 --interface 127.0.0.16 -o "$T/b400" -w '%{http_code}' \
	-d "{\"id_number\":\"$WRONG\"}" "$URL/api/v1/certificates/$S2/match")
check "JSON without its Content-Type: 400" [ "$code" = 400 ]
check "which says to send Content-Type: application/json" \
	grep -q 'Content-Type: application/json' "$T/b400"
code=$(curl -s -m 10 --interface 127.0.0.17 -o "$T/b400" -w '%{http_code}' \
	-H 'Content-Type: application/json' -d '{"id":"1"}' "$URL/api/v1/certificates/$S2/match")
check "a wrong JSON body: 400 naming the field and the Content-Type" \
	grep -q 'id_number.*Content-Type: application/json' "$T/b400"
check_fails "no full ID in the error log" grep -qE "$WRONG|$RIGHT" "$T/err"
kill -TERM "$PID"
wait "$PID"
check "clean exit" [ $? = 0 ]
