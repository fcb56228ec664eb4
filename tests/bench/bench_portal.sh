#!/usr/bin/env bash
# The practitioner's portal and the share-code report of the issuing
# service on loopback (service.md §5, issue 14):
#   GET /my/        a signed-in practitioner's hours page (this year and
#                   each past year by subject, against the requirement)
#   GET /s/<code>   a share code's verification report of three annual
#                   certificates (each note verified, Merkle inclusion in
#                   the signed checkpoint, revocation looked up)
# wrk, 2 threads, 16 connections. Sign-in (Argon2id) is excluded: the
# practitioner signs in once through the invitation page, then the hs_my
# cookie is reused; the share code is made once through POST /my/share as
# the holder would. serve runs with --rate 0 --signin-rate 0 so the
# per-address limits (one address here) do not cut the run; the database
# holds N other practitioners. Goal (issue 14): at least 1,000 requests/s
# each with p99 under 50 ms on 2 cores. Prints markdown table rows with
# rate, p50 and p99, the cores and the load average.
set -u
: "${HS_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${HS_ISSUER:=$HS_TOP/build/release/hourseal-issuer}"
if [ -n "${BENCH_TMP:-}" ]; then T=$BENCH_TMP; else T=$(mktemp -d); trap 'rm -rf "$T"' EXIT; fi
command -v wrk >/dev/null || { echo "wrk is not installed" >&2; exit 2; }
N=${BENCH_PORTAL_N:-2000}                 # other practitioners in the database
conns=${BENCH_PORTAL_CONNS:-16}
budget=${BENCH_BUDGET:-60}
dur=$(( (budget - 25) / 2 )); [ "$dur" -gt 10 ] && dur=10; [ "$dur" -lt 2 ] && dur=2
dur=${BENCH_PORTAL_SECONDS:-$dur}
D=$T/data
ISSUER=$HS_ISSUER
export HOURSEAL_TODAY=2025-03-01
ID=350102198001011233

"$ISSUER" init --issuer 福建省专业技术人员继续教育中心 --base-url http://127.0.0.1:8080 --policy fujian --origin ledger.hourseal.example.cn/fj "$D" --keys "$T/keys" >/dev/null 2>&1 || exit 2
"$ISSUER" --data "$D" keygen --no-passphrase >/dev/null 2>&1 || exit 2
# N others, and the holder with three years of records (public 30,
# professional 60 each year).
{
	python3 "$HS_TOP/tests/data/gen_bulk.py" "$N" 2024
	for y in 2022 2023 2024; do
		echo "$ID,张三,福州市第一医院,$y,public,,1,公需课$y,福建省继续教育基地,$y-03-01,$y-03-03,30,,,BENCH-P-$y"
		echo "$ID,张三,福州市第一医院,$y,professional,,1,专业课$y,福建省继续教育基地,$y-03-10,$y-03-14,60,,临床医学,BENCH-Q-$y"
	done
} >"$T/r.csv"
"$ISSUER" --data "$D" import "$T/r.csv" --quiet >/dev/null 2>&1 ||
	{ echo "import failed" >&2; exit 2; }
for y in 2022 2023 2024; do
	"$ISSUER" --data "$D" issue --year "$y" --id "$ID" --out "$T/pdfs" --quiet >/dev/null 2>&1 ||
		{ echo "issue $y failed" >&2; exit 2; }
done
mapfile -t serials < <(sqlite3 "$D/hourseal.db" "SELECT c.serial FROM certificates c JOIN practitioners p ON p.id = c.practitioner_id WHERE p.id_masked LIKE '3501%1233' ORDER BY c.year")
[ "${#serials[@]}" = 3 ] || { echo "the holder has ${#serials[@]} certificates, not 3" >&2; exit 2; }
people=$(sqlite3 "$D/hourseal.db" "SELECT count(*) FROM practitioners")

"$ISSUER" --data "$D" serve --listen 127.0.0.1:0 --rate 0 --signin-rate 0 \
	--threads 2 --signin-burst 1000 >"$T/out" 2>"$T/serve.err" &
PID=$!
trap 'kill -TERM $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 1 200); do
	URL=$(sed -n 's/.*listening on \(http:[^ ]*[0-9]\)\/.*/\1/p' "$T/serve.err" | head -1)
	[ -n "$URL" ] && break
	sleep 0.05
done
[ -n "$URL" ] || { echo "serve did not start: $(cat "$T/serve.err")" >&2; exit 2; }
AURL=$URL
# The holder's account, made and signed in as the e2e tests do
# (tests/serve_lib.sh: the invitation page sets the password and starts
# the /my/ session).
. "$HS_TOP/tests/serve_lib.sh"
account "$D" benchprac practitioner "$ID" 张三 >&2 ||
	{ echo "the practitioner could not sign in" >&2; exit 2; }
cookie=$(sed 's/^#HttpOnly_//' "$T/benchprac.jar" | awk -F'\t' '!/^#/ && NF == 7 && $6 == "hs_my" { printf "%s=%s", $6, $7 }')
[ -n "$cookie" ] || { echo "no hs_my session cookie" >&2; exit 2; }
st=$(curl -s -o "$T/my.html" -w '%{http_code}' -H "Cookie: $cookie" "$URL/my/")
[ "$st" = 200 ] || { echo "GET /my/ is $st, not 200" >&2; exit 2; }
grep -q 2024 "$T/my.html" || { echo "GET /my/ does not show 2024" >&2; exit 2; }
# A 30-day share code of the three certificates, made as the holder makes it.
args=(--data-urlencode "csrf=$(page_csrf "$T/benchprac.jar" /my/share)" --data-urlencode days=30)
for s in "${serials[@]}"; do args+=(--data-urlencode "serial=$s"); done
st=$(http_code "$T/benchprac.jar" POST /my/share "${args[@]}")
code=$(sed -n 's,.*href="/s/\([0-9A-Z]\{16\}\)/qr.png".*,\1,p' "$T/body" | head -1)
[ "$st" = 200 ] && [ -n "$code" ] || { echo "POST /my/share: $st, no code" >&2; exit 2; }
st=$(curl -s -o "$T/s.html" -w '%{http_code}' "$URL/s/$code")
[ "$st" = 200 ] || { echo "GET /s/<code> is $st, not 200" >&2; exit 2; }
for s in "${serials[@]}"; do
	grep -q "$s" "$T/s.html" || { echo "the report does not show $s" >&2; exit 2; }
done

# CPU seconds the server process has used so far.
cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' \
	"/proc/$PID/stat"; }
# wrk's latency figure in ms ("850.00us", "12.3ms", "1.02s").
ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) ; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'; }
run() { # run PATH SHOWN LABEL COOKIE NOTE
	local out rps p50 p99 non2xx c0 c1 h=()
	[ -n "$4" ] && h=(-H "Cookie: $4")
	c0=$(cpu)
	out=$(wrk -t2 -c"$conns" -d"${dur}s" --latency "${h[@]}" "$URL$1")
	c1=$(cpu)
	echo "$out" >&2
	rps=$(echo "$out" | sed -n 's/^Requests\/sec:[[:space:]]*\([0-9.]*\).*/\1/p')
	p50=$(echo "$out" | awk '$1 == "50%" { print $2 }')
	p99=$(echo "$out" | awk '$1 == "99%" { print $2 }')
	non2xx=$(echo "$out" | sed -n 's/.*Non-2xx or 3xx responses: \([0-9]*\).*/\1/p')
	printf '| portal: GET %s (%s) | %.0f requests/s, p50 %s ms, p99 %s ms | goal >= 1000/s, p99 < 50 ms; wrk -t2 -c%d -d%ds on loopback, %s; serve --threads 2 --rate 0 --signin-rate 0; %d practitioners in the database; %s non-2xx; %.2f s of server CPU; %s cores, load %s |\n' \
		"$2" "$3" "$rps" "$(ms "$p50")" "$(ms "$p99")" "$conns" "$dur" \
		"$5" "$people" "${non2xx:-0}" "$(echo "$c1 - $c0" | bc -l)" "$(nproc)" \
		"$(cut -d' ' -f1-3 /proc/loadavg)"
}
run /my/ /my/ "the holder's hours page, 3 years with certificates" "$cookie" \
	"a signed-in practitioner's hs_my cookie (sign-in hashing excluded)"
run "/s/$code" "/s/<code>" "a share code's report of 3 certificates, each verified" "" \
	"no cookie"
