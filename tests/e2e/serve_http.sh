#!/usr/bin/env bash
# The verifier's HTTP core: security headers, limits, rate limiting,
# metrics, access log and a clean SIGTERM, against a real server on
# loopback.
. "$(dirname "$0")/../lib.sh"
scratch

# A small real database (signed certificates, ledger, checkpoint).
"$HS_BUILD/tests/test_vdb" --make-fixture "$T/v.db" 3 "$T/key.pub" >/dev/null

check "server starts" start_server --db "$T/v.db" --key "$T/key.pub" --access-log "$T/access.log" \
	--rate 1 --burst 20
curl -s -D "$T/h" -o "$T/b" "$URL/?lang=en&secret=350102198001011234"
check "GET / is 200" grep -q '^HTTP/1.1 200' "$T/h"
check "CSP header exact" grep -qx "Content-Security-Policy: default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'"$'\r' "$T/h"
check "nosniff" grep -qx $'X-Content-Type-Options: nosniff\r' "$T/h"
check "no-referrer" grep -qx $'Referrer-Policy: no-referrer\r' "$T/h"
check "frame deny" grep -qx $'X-Frame-Options: DENY\r' "$T/h"
check "index has the serial form" grep -q 'action="/c/"' "$T/b"
check "index in English with ?lang=en" grep -q 'Enter the certificate number' "$T/b"
curl -s -o "$T/b" -H 'Accept-Language: en-US,en;q=0.9' "$URL/"
check "Accept-Language en" grep -q 'Verify a continuing' "$T/b"
curl -s -o "$T/b" "$URL/"
check "Chinese by default" grep -q '输入证书编号' "$T/b"
code=$(curl -s -o "$T/b" -D "$T/h" -w '%{http_code}' "$URL/nope")
check "unknown path 404" [ "$code" = 404 ]
check "404 has CSP" grep -q '^Content-Security-Policy' "$T/h"
code=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$URL/")
check "DELETE / is 405" [ "$code" = 405 ]
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/$(head -c 100000 /dev/zero | tr '\0' a)")
check "100 KB URL is 414" [ "$code" = 414 ]
hdrs=()
for i in $(seq 1 100); do hdrs+=(-H "X-H$i: v"); done
code=$(curl -s -o /dev/null -w '%{http_code}' "${hdrs[@]}" "$URL/")
check "100 header lines is 431" [ "$code" = 431 ]
code=$(curl -s -o /dev/null -w '%{http_code}' --data-binary 'x=1' "$URL/healthz")
check "POST to a GET address is 405" [ "$code" = 405 ]
code=$(curl -s -o /dev/null -w '%{http_code}' -X GET --data-binary 'x=1' "$URL/")
check "GET with a body is 413" [ "$code" = 413 ]
code=$(curl -s -o /dev/null -D "$T/h" -w '%{http_code}' "$URL/style.css")
check "style.css served" [ "$code" = 200 ]
check "style.css is text/css" grep -qi '^Content-Type: text/css' "$T/h"
# Rate limit: burst 20 at 1/s; 40 quick requests must see 429s.
n429=0
for i in $(seq 1 40); do
	code=$(curl -s -o /dev/null -D "$T/h" -w '%{http_code}' "$URL/")
	if [ "$code" = 429 ]; then n429=$((n429 + 1)); cp "$T/h" "$T/h429"; fi
done
check "rate limit answers 429 ($n429 of 40)" [ "$n429" -gt 10 ]
check "429 has Retry-After" grep -qi '^Retry-After: [1-9]' "$T/h429"
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/healthz")
check "healthz not rate limited" [ "$code" = 200 ]
curl -s "$URL/metrics" >"$T/m"
check "metrics count requests by endpoint and code" \
	grep -q 'hourseal_http_requests_total{endpoint="index",code="200"}' "$T/m"
check "metrics count 429s" grep -q 'hourseal_http_requests_total{endpoint="index",code="429"}' "$T/m"
check "metrics latency histogram" grep -q 'hourseal_http_request_duration_seconds_bucket{endpoint="index",le="+Inf"}' "$T/m"
check "server stops on SIGTERM with status 0" stop_server
check "access log written" grep -q ' GET / 200 ' "$T/access.log"
check_fails "access log has no query strings" grep -q 'secret' "$T/access.log"
check_fails "access log has no long digit runs" grep -qE '[0-9]{15}' "$T/access.log"

# The fixed-answer mode used as the benchmark ceiling.
check "bench-fixed server starts" start_server --bench-fixed
check "bench-fixed answers" bash -c "curl -s '$URL/c/x' | grep -q 'fixed answer'"
check "bench-fixed stops" stop_server
