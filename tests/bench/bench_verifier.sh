#!/usr/bin/env bash
# bench-weight: 3
# The verification service under wrk on loopback: GET /c/<serial> (the QR
# landing page) and GET /api/v1/certificates/<serial> against a ledger of
# 1,000,000 certificates, next to the same server answering a fixed string
# (--bench-fixed: same HTTP core, headers, logging and metrics) as the
# ceiling.
#
# Every answer is verified when it is asked for: the row is read, the
# note's leaf hash is computed and compared with the in-memory tree that
# the server checked against the signed checkpoint, the key's validity
# window is checked, and a claimed revocation's leaf likewise. Two things
# are remembered across requests, both bound to the note's bytes by its
# leaf hash: that its Ed25519 signature verified, and the rendered answer
# for exactly those verified inputs. Rows:
#   one serial              the same certificate again and again;
#   10,000 random serials   a committee's batch, looked at repeatedly;
#   cold                    every request a certificate not seen before
#                           by this server (started with --no-sweep):
#                           signature checked, note decoded, page
#                           rendered each time;
#   cold after the sweep    the same once the background sweep has
#                           checked every stored note (decode + render).
#
# The 1,000,000-certificate database is real: every note is signed, every
# leaf appended and checkpointed (test_vdb --make-fixture, ~12,000/s here).
# It is built once and kept in BUILD/bench-cache/; a run without it and
# without the time to build it uses fewer certificates and says so.
set -u
: "${HS_BUILD:?}" "${HS_VERIFIER:?}"
budget=${BENCH_BUDGET:-300}
tmp=${BENCH_TMP:-$(mktemp -d)}
cache=$HS_BUILD/bench-cache
mkdir -p "$cache"
want=${BENCH_VERIFIER_N:-1000000}
dur=${BENCH_VERIFIER_SECONDS:-8}
conns=${BENCH_VERIFIER_CONNS:-32}
threads=${BENCH_VERIFIER_THREADS:-2}
command -v wrk >/dev/null || { echo "wrk is not installed" >&2; exit 2; }

t0=$(date +%s)
db=""
for n in $want 300000 100000 30000; do
	if [ -f "$cache/v$n.done" ]; then db=$cache/v$n.db; N=$n; break; fi
done
if [ -z "$db" ] || [ "$N" -lt "$want" ]; then
	# Build as many as the budget allows (leaving ~80 s for wrk).
	rate=10000
	fit=$(( (budget - 80) * rate ))
	N=$want
	[ "$fit" -lt "$N" ] && N=$fit
	[ "$N" -lt 10000 ] && N=10000
	if [ ! -f "$cache/v$N.done" ]; then
		echo "building $N certificates" >&2
		g0=$(date +%s.%N)
		"$HS_BUILD/tests/test_vdb" --make-fixture "$cache/v$N.db" "$N" \
			"$cache/v$N.pub" >"$cache/v$N.serials" || exit 2
		g1=$(date +%s.%N)
		touch "$cache/v$N.done"
		printf '| verifier fixture: %d signed certificates + ledger | %.0f certificates/s | test_vdb --make-fixture, kept in build/bench-cache |\n' \
			"$N" "$(echo "$N / ($g1 - $g0)" | bc -l)"
	fi
	db=$cache/v$N.db
fi
serials=$cache/v$N.serials
S=$(sed -n '2p' "$serials")
grep -v revoked "$serials" | shuf -n 10000 --random-source=<(yes) >"$tmp/sample"
cat >"$tmp/random.lua" <<LUA
local paths = {}
for line in io.lines("$tmp/sample") do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", PREFIX .. paths[(i * 7919) % #paths + 1])
end
LUA

# Cold: each wrk thread walks its own half of 400,000 certificates in
# order, so no serial is asked for twice within a run.
grep -v revoked "$serials" | shuf -n 400000 --random-source=<(yes) \
	>"$tmp/cold"
cat >"$tmp/cold.lua" <<LUA
local paths = {}
for line in io.lines("$tmp/cold") do paths[#paths + 1] = line end
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", PREFIX .. paths[(2 * i + id) % #paths + 1])
end
LUA

start_server() {
	"$HS_VERIFIER" serve --listen 127.0.0.1:0 --rate 0 --threads "$threads" \
		--max-conns 4000 "$@" >"$tmp/out" 2>"$tmp/err" &
	PID=$!
	for _ in $(seq 1 200); do
		URL=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$tmp/out")
		[ -n "$URL" ] && return 0
		sleep 0.05
	done
	echo "server did not start: $(cat "$tmp/err")" >&2
	exit 2
}
stop_server() { kill -TERM "$PID"; wait "$PID"; }

# run NAME URL [LUA PREFIX]: prints "rps p99ms"
run() {
	local out
	if [ $# -gt 2 ]; then
		sed "s|PREFIX|\"$4\"|" "$3" >"$tmp/run.lua"
		out=$(wrk -t2 -c"$conns" -d"${dur}s" --latency -s "$tmp/run.lua" "$2")
	else
		out=$(wrk -t2 -c"$conns" -d"${dur}s" --latency "$2")
	fi
	echo "$out" >>"$tmp/wrk.log"
	local rps p99 non2xx
	rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
	p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
	non2xx=$(echo "$out" | awk '/Non-2xx/ {print $4}')
	# wrk prints 1.23ms, 456.00us or 1.02s: in ms.
	p99=$(echo "$p99" | awk '/us$/ {sub("us",""); print $1/1000; next}
		/ms$/ {sub("ms",""); print $1; next} /s$/ {sub("s",""); print $1*1000}')
	echo "$rps $p99 ${non2xx:-0}"
}

start_server --bench-fixed
read -r fixed_rps fixed_p99 _ < <(run fixed "$URL/c/$S")
stop_server

# The sweep (below) is off here, so that it does not share the CPU with
# these runs; they warm what they need themselves.
start_server --db "$db" --key "${db%.db}.pub" --no-sweep
# Warm the per-thread state (connection, checkpoint) once.
curl -s -o /dev/null "$URL/c/$S"
read -r page_rps page_p99 page_bad < <(run page "$URL/c/$S")
read -r api_rps api_p99 api_bad < <(run api "$URL/api/v1/certificates/$S")
# The batch once through (its first look is the cold case, below).
for pfx in /c/ /api/v1/certificates/; do
	sed "s|PREFIX|\"$pfx\"|" "$tmp/random.lua" >"$tmp/warm.lua"
	wrk -t2 -c"$conns" -d2s -s "$tmp/warm.lua" "$URL" >/dev/null
done
read -r rpage_rps rpage_p99 rpage_bad < <(run rpage "$URL" "$tmp/random.lua" /c/)
read -r rapi_rps rapi_p99 rapi_bad < <(run rapi "$URL" "$tmp/random.lua" /api/v1/certificates/)
curl -s "$URL/metrics" >"$tmp/metrics"
stop_server

# Cold runs on a fresh server each, without the background sweep
# (nothing remembered yet: the true first look).
start_server --db "$db" --key "${db%.db}.pub" --no-sweep
read -r cpage_rps cpage_p99 cpage_bad < <(run cpage "$URL" "$tmp/cold.lua" /c/)
stop_server
start_server --db "$db" --key "${db%.db}.pub" --no-sweep
read -r capi_rps capi_p99 capi_bad < <(run capi "$URL" "$tmp/cold.lua" /api/v1/certificates/)
stop_server
startup=$(sed -n 's/.*ledger verified: \([0-9]*\) leaves in \([0-9.]*\) s.*/\1 leaves in \2 s/p' "$tmp/err")

# The sweep: a server left alone checks every stored note once; then
# first looks (nothing rendered yet) need no Ed25519 check.
start_server --db "$db" --key "${db%.db}.pub"
sweep_s=""
s0=$(date +%s.%N)
left=$(( budget - ($(date +%s) - t0) - 30 ))
while [ "$left" -gt 0 ]; do
	if curl -s "$URL/metrics" | grep -q 'sweep_certificates{result="finished"} 1'; then
		sweep_s=$(echo "$(date +%s.%N) - $s0" | bc -l)
		break
	fi
	sleep 1
	left=$((left - 1))
done
curl -s "$URL/metrics" >"$tmp/sweep.metrics"
swept=$(sed -n 's/^hourseal_sweep_certificates{result="checked"} //p' "$tmp/sweep.metrics")
swept_bad=$(sed -n 's/^hourseal_sweep_certificates{result="bad"} //p' "$tmp/sweep.metrics")
if [ -n "$sweep_s" ]; then
	read -r spage_rps spage_p99 spage_bad < <(run spage "$URL" "$tmp/cold.lua" /c/)
fi
stop_server

pct() { echo "$1 $2" | awk '{printf "%.0f%%", 100 * $1 / $2}'; }
note="$N certificates, wrk -t2 -c$conns ${dur}s, server --threads $threads, same 2-core machine"
printf '| verifier ceiling: fixed string (--bench-fixed) | %.0f req/s, p99 %.2f ms | %s |\n' "$fixed_rps" "$fixed_p99" "$note"
printf '| verifier GET /c/<serial>, one serial | %.0f req/s, p99 %.2f ms | %s of ceiling; non-2xx: %s |\n' "$page_rps" "$page_p99" "$(pct "$page_rps" "$fixed_rps")" "$page_bad"
printf '| verifier GET /api/v1/certificates/<serial>, one serial | %.0f req/s, p99 %.2f ms | %s of ceiling; non-2xx: %s |\n' "$api_rps" "$api_p99" "$(pct "$api_rps" "$fixed_rps")" "$api_bad"
printf '| verifier GET /c/<serial>, 10,000 random serials | %.0f req/s, p99 %.2f ms | %s of ceiling; non-2xx: %s |\n' "$rpage_rps" "$rpage_p99" "$(pct "$rpage_rps" "$fixed_rps")" "$rpage_bad"
printf '| verifier GET /api/v1/certificates/<serial>, 10,000 random serials | %.0f req/s, p99 %.2f ms | %s of ceiling; non-2xx: %s |\n' "$rapi_rps" "$rapi_p99" "$(pct "$rapi_rps" "$fixed_rps")" "$rapi_bad"
printf '| verifier GET /c/<serial>, cold (each serial new: Ed25519 + decode + render) | %.0f req/s, p99 %.2f ms | %s of ceiling; non-2xx: %s |\n' "$cpage_rps" "$cpage_p99" "$(pct "$cpage_rps" "$fixed_rps")" "$cpage_bad"
printf '| verifier GET /api/v1/certificates/<serial>, cold | %.0f req/s, p99 %.2f ms | %s of ceiling; non-2xx: %s |\n' "$capi_rps" "$capi_p99" "$(pct "$capi_rps" "$fixed_rps")" "$capi_bad"
printf '| verifier start-up: whole tree hashed and checked against the checkpoint | %s | before the first answer; about 65 bytes of memory per leaf |\n' "$startup"
if [ -n "$sweep_s" ]; then
	printf '| verifier sweep: every stored note checked once after start | %s certificates in %.0f s (%.0f/s), %s failed | one thread at nice 19, server otherwise idle |\n' "$swept" "$sweep_s" "$(echo "$swept / $sweep_s" | bc -l)" "$swept_bad"
	printf '| verifier GET /c/<serial>, cold after the sweep (decode + render, no Ed25519) | %.0f req/s, p99 %.2f ms | %s of ceiling; non-2xx: %s |\n' "$spage_rps" "$spage_p99" "$(pct "$spage_rps" "$fixed_rps")" "$spage_bad"
else
	printf '| verifier sweep: every stored note checked once after start | not finished within the budget (%s checked) | one thread at nice 19 |\n' "${swept:-?}"
fi
echo "bench_verifier: $(( $(date +%s) - t0 )) s" >&2
