#!/usr/bin/env bash
# Runs every benchmark (tests/bench/bench_*.sh) and writes bench/results.md:
# the date, the machine, the OS and library versions, then one table of
# every script's rows.
#
# Usage: tests/bench/run.sh BUILD_DIR
#
# Each bench script prints markdown table rows "| benchmark | result | notes |"
# on stdout (anything else, and stderr, goes to its log). It is run from the
# top of the tree with:
#   HS_TOP, HS_BUILD, HS_ISSUER, HS_VERIFIER   as for the tests
#   BENCH_BUDGET   seconds it may take; it should size its work to fit. The
#                  driver kills it (and its children) a little after that.
#   BENCH_TMP      a scratch directory of its own, removed afterwards
# A script gets a share of the time left, in proportion to its weight: a line
# "# bench-weight: N" in it (default 1) claims N shares.
# Environment of the driver:
#   BENCH_TOTAL    seconds for the whole run (default 540: under 10 minutes)
#   BENCH_ONLY     run only the scripts whose name contains this
#   BENCH_DIR      where the scripts are (default tests/bench)
#   BENCH_OUT      the results file (default bench/results.md)
#   BENCH_LOGS     where each script's output and log go (BUILD_DIR/bench-logs)
#   BENCH_MIN      a script gets at least this many seconds or is not run (5)
set -u
B=${1:?usage: tests/bench/run.sh BUILD_DIR}
top=$(cd "$(dirname "$0")/../.." && pwd)
B=$(cd "$B" && pwd) || exit 2
export HS_TOP=$top HS_BUILD=$B
export HS_ISSUER=$B/hourseal-issuer HS_VERIFIER=$B/hourseal-verifier
dir=${BENCH_DIR:-$top/tests/bench}
out=${BENCH_OUT:-$top/bench/results.md}
total=${BENCH_TOTAL:-540}
logs=${BENCH_LOGS:-$B/bench-logs}
min=${BENCH_MIN:-5}
mkdir -p "$logs" "$(dirname "$out")" || exit 2

scripts=()
for s in "$dir"/bench_*.sh; do
	[ -f "$s" ] || continue
	[ -n "${BENCH_ONLY:-}" ] && [[ $(basename "$s") != *"$BENCH_ONLY"* ]] &&
		continue
	scripts+=("$s")
done

weight() {
	local w
	w=$(sed -n 's/^# bench-weight:[[:space:]]*\([0-9][0-9]*\).*/\1/p' "$1" | head -1)
	[ -n "$w" ] && [ "$w" -gt 0 ] && echo "$w" || echo 1
}
left=0
for s in "${scripts[@]}"; do left=$((left + $(weight "$s"))); done

start=$(date +%s)
load0=$(cut -d' ' -f1-3 /proc/loadavg)
rows=$(mktemp)
trap 'rm -f "$rows"' EXIT
for s in "${scripts[@]}"; do
	name=$(basename "$s" .sh)
	w=$(weight "$s")
	now=$(date +%s)
	remaining=$((total - (now - start)))
	budget=$((remaining * w / left))
	left=$((left - w))
	if [ "$budget" -lt "$min" ]; then
		echo "| $name | not run | no time left in BENCH_TOTAL=${total}s |" >>"$rows"
		echo "bench: $name: skipped, no time left" >&2
		continue
	fi
	echo "bench: $name (budget ${budget}s, log $logs/$name.log)" >&2
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/hs-bench.XXXXXX")
	t0=$(date +%s)
	# timeout signals the script's whole process group, so the servers
	# and load generators it started go too.
	BENCH_BUDGET=$budget BENCH_TMP=$tmp \
		timeout -k 3 $((budget + budget / 10 + 2)) \
		bash "$s" >"$logs/$name.out" 2>"$logs/$name.log" </dev/null
	rc=$?
	t1=$(date +%s)
	rm -rf "$tmp"
	grep -E '^\|.*\|[[:space:]]*$' "$logs/$name.out" >>"$rows"
	n=$(grep -cE '^\|.*\|[[:space:]]*$' "$logs/$name.out")
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		echo "| $name | timed out | killed after $((t1 - t0)) s (budget ${budget} s) |" >>"$rows"
	elif [ "$rc" -ne 0 ]; then
		echo "| $name | failed | exit status $rc; see ${logs#"$top"/}/$name.log |" >>"$rows"
	elif [ "$n" -eq 0 ]; then
		echo "| $name | no result | printed no table rows |" >>"$rows"
	fi
	echo "bench: $name: $n rows, exit $rc, $((t1 - t0)) s" >&2
done
elapsed=$(($(date +%s) - start))

cpu=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -1)
[ -n "$cpu" ] || cpu=$(uname -m)
cores=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN)
mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
os=$( . /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-unknown}")
kernel=$(uname -sr)
versions=$(dpkg-query -W -f='${Package} ${Version}\n' libssl3 libsqlite3-0 \
	'libhpdf-2*' libharfbuzz0b libharfbuzz-subset0 'libmicrohttpd1*' \
	'libqrencode4' 'libjansson4' 'libqpdf2*' wrk gcc 2>/dev/null |
	awk 'NF == 2 { printf "%s%s %s", (n++ ? ", " : ""), $1, $2 }')
rev=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)

{
	echo "# hourseal benchmarks"
	echo
	echo "Measured by \`make bench\` (tests/bench/run.sh) on $(date -u '+%Y-%m-%d %H:%M UTC'), commit $rev."
	echo
	echo "- Machine: $cpu, $cores cores, $mem RAM"
	echo "- OS: $os ($kernel)"
	echo "- Libraries: ${versions:-unknown}"
	echo "- Whole run: ${elapsed} s (BENCH_TOTAL=${total} s); load average" \
		"before: $load0, after: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo
	echo "| benchmark | result | notes |"
	echo "|---|---|---|"
	cat "$rows"
} >"$out.tmp" && mv "$out.tmp" "$out"
echo "bench: wrote $out (${#scripts[@]} scripts, ${elapsed} s)" >&2
cat "$out"
