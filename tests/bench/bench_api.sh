#!/usr/bin/env bash
# bench-weight: 2
# The issuing service's APIs on loopback (service.md §4):
#   POST /api/v1/records  a provider submits 20,000-row CSV bodies (the
#                         per-request bound): rows stored per second,
#                         measured by curl around each whole request;
#   POST /api/v1/hours    a title system asks for one practitioner's
#                         hours for three years, a different person each
#                         request (wrk + a Lua script), 2 threads, 16
#                         connections: requests/s and p99. Each answer
#                         is a token lookup, an id-digest lookup, the
#                         stamped records of three years and their valid
#                         certificates, and one audit row (a write).
# Goals (issue 13): hours >= 1,000 requests/s with p99 < 50 ms on 2
# cores; records >= 20,000 rows/s. Prints markdown table rows.
set -u
: "${HS_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${HS_ISSUER:=$HS_TOP/build/release/hourseal-issuer}"
if [ -n "${BENCH_TMP:-}" ]; then T=$BENCH_TMP; else T=$(mktemp -d); trap 'rm -rf "$T"' EXIT; fi
command -v wrk >/dev/null || { echo "wrk is not installed" >&2; exit 2; }
BODIES=${BENCH_API_BODIES:-5}          # 20,000-row bodies to submit
dur=${BENCH_API_SECONDS:-8}
conns=${BENCH_API_CONNS:-16}
export HOURSEAL_TODAY=2026-11-23
D=$T/data

"$HS_ISSUER" init --issuer 福建省专业技术人员继续教育中心 --base-url http://127.0.0.1:8080 --policy fujian --origin ledger.hourseal.example.cn/fj "$D" --keys "$T/keys" >/dev/null 2>&1 || exit 2
"$HS_ISSUER" --data "$D" keygen --no-passphrase k1 >/dev/null 2>&1 || exit 2
PROV=$("$HS_ISSUER" --data "$D" token add --role provider \
	--scope 福建省继续教育基地 --label bench-lms | grep '^hst_')
TS=$("$HS_ISSUER" --data "$D" token add --role title-system --scope 35 \
	--label bench-ts | grep '^hst_')
[ -n "$PROV" ] && [ -n "$TS" ] || { echo "no tokens" >&2; exit 2; }

# The rows: gen_records.py plus a region column (every unit in 3501), cut
# into bodies of 20,000 rows with the header each.
n=$((BODIES * 20000))
python3 "$HS_TOP/tests/bench/gen_records.py" "$n" $((n / 10)) |
	awk 'NR == 1 { print $0 ",region"; next } { print $0 ",3501" }' \
	>"$T/all.csv" || exit 2
head -1 "$T/all.csv" >"$T/hdr"
tail -n +2 "$T/all.csv" | split -l 20000 -d -a 2 - "$T/part"
for p in "$T"/part*; do cat "$T/hdr" "$p" >"$p.csv"; done
cut -d, -f1 "$T/all.csv" | tail -n +2 | sort -u | shuf -n 5000 \
	--random-source=<(yes) >"$T/ids"

"$HS_ISSUER" --data "$D" serve --listen 127.0.0.1:0 --no-sandbox --rate 0 \
	--api-rate 0 --threads 2 >"$T/out" 2>"$T/err" &
PID=$!
trap 'kill -TERM $PID 2>/dev/null; wait $PID 2>/dev/null' EXIT
for _ in $(seq 1 200); do
	URL=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$T/err" | head -1)
	[ -n "$URL" ] && break
	sleep 0.05
done
URL=${URL%/}
[ -n "$URL" ] || { echo "serve did not start: $(cat "$T/err")" >&2; exit 2; }

# CPU seconds the server process has used so far.
cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' \
	"/proc/$PID/stat"; }

# Records: each body in one request, timed around the request.
total=0
c0=$(cpu)
t0=$(date +%s.%N)
for p in "$T"/part*.csv; do
	s=$(curl -s -o "$T/b" -w '%{http_code}' -X POST \
		-H "Authorization: Bearer $PROV" -H "Content-Type: text/csv" \
		--data-binary @"$p" "$URL/api/v1/records")
	[ "$s" = 200 ] || { echo "records: $s $(head -c 300 "$T/b")" >&2; exit 2; }
	total=$((total + $(jq .inserted "$T/b")))
done
t1=$(date +%s.%N)
c1=$(cpu)
# The same rows through the command line, on the same machine now.
"$HS_ISSUER" init --issuer 福建省专业技术人员继续教育中心 --base-url http://127.0.0.1:8080 --policy fujian --origin ledger.hourseal.example.cn/fj "$T/cli" >/dev/null 2>&1 || exit 2
l0=$(date +%s.%N)
"$HS_ISSUER" --data "$T/cli" import "$T/all.csv" --quiet >/dev/null 2>&1 ||
	{ echo "CLI import failed" >&2; exit 2; }
l1=$(date +%s.%N)
printf '| API: POST /api/v1/records, %d bodies of 20,000 CSV rows | %.0f rows/s (%.0f rows per server CPU second) | %d rows stored in %.2f s wall, %.2f s of server CPU (each body one request and one transaction, import'"'"'s rules, one audit row); the same rows by `import` just after: %.0f rows/s; goal >= 20,000 rows/s; load %s |\n' \
	"$BODIES" "$(echo "$total / ($t1 - $t0)" | bc -l)" \
	"$(echo "$total / ($c1 - $c0 + 0.001)" | bc -l)" "$total" \
	"$(echo "$t1 - $t0" | bc -l)" "$(echo "$c1 - $c0" | bc -l)" \
	"$(echo "$total / ($l1 - $l0)" | bc -l)" "$(cut -d' ' -f1 /proc/loadavg)"

# Hours: a different person each request.
cat >"$T/hours.lua" <<LUA
local ids = {}
for line in io.lines("$T/ids") do ids[#ids + 1] = line end
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TS"
request = function()
  i = i + 1
  local body = '{"id_number":"' .. ids[(2 * i + id) % #ids + 1] ..
    '","years":[2023,2024,2025]}'
  return wrk.format(nil, "/api/v1/hours", nil, body)
end
local statuses = {}
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
LUA
curl -s -o "$T/b" -X POST -H "Authorization: Bearer $TS" \
	-H "Content-Type: application/json" \
	--data-binary '{"id_number":"'"$(head -1 "$T/ids")"'","years":[2025]}' \
	"$URL/api/v1/hours"
jq -e '.years[0].total > 0' "$T/b" >/dev/null ||
	{ echo "hours: $(head -c 300 "$T/b")" >&2; exit 2; }
out=$(wrk -t2 -c"$conns" -d"${dur}s" --latency -s "$T/hours.lua" "$URL")
echo "$out" >&2
rps=$(echo "$out" | sed -n 's/^Requests\/sec:[[:space:]]*\([0-9.]*\).*/\1/p')
p99=$(echo "$out" | awk '$1 == "99%" { print $2 }')
non2xx=$(echo "$out" | sed -n 's/.*Non-2xx or 3xx responses: \([0-9]*\).*/\1/p')
audits=$(sqlite3 "$D/hourseal.db" "SELECT count(*) FROM audit WHERE action = 'api.hours'")
printf '| API: POST /api/v1/hours, 3 years, a different person each request | %.0f requests/s, p99 %s | wrk -t2 -c%d -d%ds on loopback, serve --threads 2, %d practitioners; %s non-2xx; %d audit rows written; goal >= 1,000/s, p99 < 50 ms; load %s |\n' \
	"$rps" "$p99" "$conns" "$dur" "$(wc -l <"$T/ids")" "${non2xx:-0}" \
	"$audits" "$(cut -d' ' -f1 /proc/loadavg)"
