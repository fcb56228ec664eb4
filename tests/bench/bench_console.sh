#!/usr/bin/env bash
# The staff console of the issuing service on loopback (service.md §3),
# as a signed-in province-level hr account:
#   GET /admin/records   the 验印 queue page (first 50 waiting rows of
#                        the records in scope, filter form, next link)
#   GET /admin/          the console's home page
# wrk, 2 threads, 16 connections, the session cookie on every request:
# requests/s and p99. Sign-in (Argon2id) is excluded: the account signs
# in once through the invitation, TOTP and sign-in pages, then the cookie
# is reused; serve runs with --rate 0 so the per-address limit does not
# cut the run. Prints markdown table rows.
set -u
: "${HS_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${HS_ISSUER:=$HS_TOP/build/release/hourseal-issuer}"
if [ -n "${BENCH_TMP:-}" ]; then T=$BENCH_TMP; else T=$(mktemp -d); trap 'rm -rf "$T"' EXIT; fi
command -v wrk >/dev/null || { echo "wrk is not installed" >&2; exit 2; }
command -v oathtool >/dev/null || { echo "oathtool is not installed" >&2; exit 2; }
N=${BENCH_CONSOLE_N:-2000}               # practitioners (about 2.3 records each)
conns=${BENCH_CONSOLE_CONNS:-16}
budget=${BENCH_BUDGET:-60}
dur=$(( (budget - 20) / 2 )); [ "$dur" -gt 10 ] && dur=10; [ "$dur" -lt 2 ] && dur=2
dur=${BENCH_CONSOLE_SECONDS:-$dur}
D=$T/data
ISSUER=$HS_ISSUER

"$ISSUER" init --issuer 福建省专业技术人员继续教育中心 --base-url http://127.0.0.1:8080 --policy fujian --origin ledger.hourseal.example.cn/fj "$D" --keys "$T/keys" >/dev/null 2>&1 || exit 2
# Face-to-face courses (form 2) over 20 days: none is stamped
# automatically, every record waits in the queue.
python3 "$HS_TOP/tests/data/gen_bulk.py" "$N" 2024 |
	awk -F, -v OFS=, 'NR > 1 { $7 = 2; $10 = "2024-05-01"; $11 = "2024-05-20" } { print }' \
	>"$T/r.csv" || exit 2
"$ISSUER" --data "$D" import "$T/r.csv" --quiet >/dev/null 2>&1 ||
	{ echo "import failed" >&2; exit 2; }
records=$(sqlite3 "$D/hourseal.db" "SELECT count(*) FROM records WHERE state = 'waiting'")

"$ISSUER" --data "$D" serve --listen 127.0.0.1:0 --rate 0 --threads 2 \
	--signin-burst 1000 >"$T/out" 2>"$T/serve.err" &
PID=$!
trap 'kill -TERM $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 1 200); do
	URL=$(sed -n 's/.*listening on \(http:[^ ]*[0-9]\)\/.*/\1/p' "$T/serve.err" | head -1)
	[ -n "$URL" ] && break
	sleep 0.05
done
[ -n "$URL" ] || { echo "serve did not start: $(cat "$T/serve.err")" >&2; exit 2; }
AURL=$URL
# The account, made and signed in as the e2e tests do (tests/serve_lib.sh).
. "$HS_TOP/tests/serve_lib.sh"
account "$D" benchhr hr 35 福建省人力资源和社会保障厅 >&2 ||
	{ echo "the account could not sign in" >&2; exit 2; }
cookie=$(sed 's/^#HttpOnly_//' "$T/benchhr.jar" | awk -F'\t' '!/^#/ && NF == 7 { printf "%s%s=%s", (n++ ? "; " : ""), $6, $7 }')
[ -n "$cookie" ] || { echo "no session cookie" >&2; exit 2; }
rows=$(curl -s -H "Cookie: $cookie" "$URL/admin/records" | grep -c '<tr><td data-label="选择"')
[ "$rows" = 50 ] || { echo "the queue page shows $rows rows, not 50" >&2; exit 2; }
curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "$URL/admin/" | grep -q 200 ||
	{ echo "GET /admin/ is not 200" >&2; exit 2; }

# CPU seconds the server process has used so far.
cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' \
	"/proc/$PID/stat"; }
run() { # run PATH LABEL
	local out rps p99 non2xx c0 c1
	c0=$(cpu)
	out=$(wrk -t2 -c"$conns" -d"${dur}s" --latency -H "Cookie: $cookie" "$URL$1")
	c1=$(cpu)
	echo "$out" >&2
	rps=$(echo "$out" | sed -n 's/^Requests\/sec:[[:space:]]*\([0-9.]*\).*/\1/p')
	p99=$(echo "$out" | awk '$1 == "99%" { print $2 }')
	non2xx=$(echo "$out" | sed -n 's/.*Non-2xx or 3xx responses: \([0-9]*\).*/\1/p')
	printf '| console: GET %s (%s) | %.0f requests/s, p99 %s | wrk -t2 -c%d -d%ds on loopback with a signed-in hr session cookie (sign-in hashing excluded), serve --threads 2 --rate 0, %d records waiting; %s non-2xx; %.2f s of server CPU; load %s |\n' \
		"$1" "$2" "$rps" "$p99" "$conns" "$dur" "$records" "${non2xx:-0}" \
		"$(echo "$c1 - $c0" | bc -l)" "$(cut -d' ' -f1 /proc/loadavg)"
}
run /admin/records "the 验印 queue page, 50 rows, province-level hr"
run /admin/ "the console home page"
