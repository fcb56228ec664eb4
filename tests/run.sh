#!/usr/bin/env bash
# Runs every test: the unit test programs in BUILD/tests/ and the scripts in
# tests/e2e/. Each check prints "ok - ..." or "not ok - ..."; a program that
# crashes or exits nonzero without a "not ok" line counts as one failure.
# The last line is "N passed, N failed".
#
# Usage: tests/run.sh BUILD_DIR [PATTERN]
set -u
B=${1:?usage: tests/run.sh BUILD_DIR [PATTERN]}
pat=${2:-${T:-}}
top=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "$B" && pwd)
export HS_BUILD=$B HS_TOP=$top
# The tests read the issuer's English messages: a developer's Chinese
# locale must not change them (e2e_i18n sets a locale per command). Only
# the messages are pinned; LC_ALL's other categories move to LANG.
if [ -n "${LC_ALL:-}" ]; then export LANG=$LC_ALL; unset LC_ALL; fi
unset LANGUAGE
export LC_MESSAGES=C
export HS_ISSUER=$B/hourseal-issuer HS_VERIFIER=$B/hourseal-verifier
out=$top/tests/out
mkdir -p "$out"
passed=0 failed=0

# What is in the checkout besides what git tracks, build output and test
# logs: a test must leave it as it found it (a data directory or keys
# made with a relative default land in the working directory).
leftovers() {
	git -C "$top" status --porcelain --ignored --untracked-files=all 2>/dev/null |
		grep -vE '^.. (build/|tests/out/|tests/browser/node_modules)' | sort
}
before=$(leftovers)

run_one() {
	local name=$1 dir=$2; shift 2
	local log=$out/$name.log rc np nf t0 t1
	echo "== $name"
	t0=$(date +%s%N)
	(cd "$dir" && "$@") >"$log" 2>&1
	rc=$?
	t1=$(date +%s%N)
	np=$(grep -c '^ok - ' "$log")
	nf=$(grep -c '^not ok - ' "$log")
	# Each failure with the diagnostics ("# ...") its test printed after
	# it, at most 20 lines each: CI shows only this summary.
	awk '/^not ok - /{ print "   " $0; d = 1; n = 0; next }
	    /^ok - /{ d = 0; next }
	    d && /^# / && n < 20 { print "   " $0; n++ }' "$log"
	if [ "$rc" -ne 0 ] && [ "$nf" -eq 0 ]; then
		echo "   not ok - $name exited with status $rc (see $log)"
		tail -5 "$log" | sed 's/^/   # /'
		nf=1
	fi
	echo "   $np passed, $nf failed ($(( (t1 - t0) / 1000000000 )).$(( (t1 - t0) / 100000000 % 10 )) s)"
	passed=$((passed + np))
	failed=$((failed + nf))
}

for t in "$B"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	[ -n "$pat" ] && [[ $name != *$pat* ]] && continue
	run_one "$name" "$top" "$t"
done
for t in "$top"/tests/e2e/*.sh; do
	[ -f "$t" ] || continue
	name=e2e_$(basename "$t" .sh)
	[ -n "$pat" ] && [[ $name != *$pat* ]] && continue
	# Each script runs in an empty directory of its own.
	wd=$(mktemp -d "${TMPDIR:-/tmp}/hs-cwd.XXXXXX")
	run_one "$name" "$wd" bash "$t"
	rm -rf "$wd"
done
after=$(leftovers)
if [ "$after" != "$before" ]; then
	echo "== the checkout afterwards"
	echo "   not ok - the tests left files in the checkout:"
	comm -13 <(echo "$before") <(echo "$after") | head -20 | sed 's/^/   # /'
	failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
