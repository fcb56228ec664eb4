#!/usr/bin/env bash
# tests/bench/run.sh (make bench) against fake benchmarks: it collects the
# rows, reports failures and timeouts, kills what a timed-out script started,
# and writes the machine and versions. No real timing here.
. "$(dirname "$0")/../lib.sh"
scratch; [ -n "${KEEP:-}" ] && trap - EXIT
mkdir -p "$T/b"
cat >"$T/b/bench_a.sh" <<'X'
echo "| fake rate | 123 /s | budget $BENCH_BUDGET s, tmp ${BENCH_TMP:+set} |"
echo "chatter that is not a row"
X
cat >"$T/b/bench_b.sh" <<X
sleep 300 & echo \$! >"$T/child.pid"
echo "| partial | 1 | before the hang |"
sleep 300
X
echo 'echo oops >&2; exit 3' >"$T/b/bench_c.sh"
echo 'true' >"$T/b/bench_d.sh"
t0=$(date +%s)
BENCH_DIR=$T/b BENCH_OUT=$T/results.md BENCH_LOGS=$T/logs BENCH_TOTAL=8 \
	BENCH_MIN=1 bash "$HS_TOP/tests/bench/run.sh" "$HS_BUILD" >"$T/stdout" 2>"$T/stderr"
rc=$?
t1=$(date +%s)
r=$T/results.md
check "driver exits 0" [ "$rc" -eq 0 ]
check "driver keeps to its total budget (took $((t1 - t0)) s)" [ $((t1 - t0)) -le 14 ]
check "results.md has the table header" grep -qx '| benchmark | result | notes |' "$r"
check "a row is collected" grep -q '^| fake rate | 123 /s | budget [0-9]* s, tmp set |$' "$r"
check_fails "other output is not" grep -q chatter "$r"
check "rows printed before a timeout are kept" grep -q '^| partial | 1 |' "$r"
check "a timeout is reported" grep -q '^| bench_b | timed out |' "$r"
check "a failure is reported" grep -q '^| bench_c | failed | exit status 3' "$r"
check "no rows is reported" grep -q '^| bench_d | no result |' "$r"
check "stderr goes to the log" grep -q oops "$T/logs/bench_c.log"
pid=$(cat "$T/child.pid" 2>/dev/null)
# Dead or a zombie waiting for its reaper.
alive() { local st; st=$(ps -o stat= -p "$1" 2>/dev/null); [ -n "$st" ] && [[ $st != Z* ]]; }
check "the timed-out script's child was started" [ -n "$pid" ]
check_fails "a timed-out script's children are killed" alive "${pid:-0}"
check "the machine is named" grep -q '^- Machine: .*[0-9] cores, .* RAM$' "$r"
check "the OS is named" grep -q '^- OS: ' "$r"
check "libssl3 and libsqlite3-0 versions are there" grep -q 'libssl3 [0-9].*libsqlite3-0 [0-9]\|libsqlite3-0 [0-9].*libssl3 [0-9]' "$r"
check "the date is there" grep -q "on $(date -u +%Y-%m-%d)" "$r"
