#!/usr/bin/env bash
# Import rate: generate 100,000 valid rows (10,000 practitioners) and import
# them into a fresh data directory; then the same file again (all
# duplicates). Prints markdown table rows.
# bench-weight: 2
set -u
: "${HS_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${HS_ISSUER:=$HS_TOP/build/release/hourseal-issuer}"
if [ -n "${BENCH_TMP:-}" ]; then T=$BENCH_TMP; else T=$(mktemp -d); trap 'rm -rf "$T"' EXIT; fi
N=${BENCH_IMPORT_ROWS:-100000}
export HOURSEAL_TODAY=2026-11-23

python3 "$HS_TOP/tests/bench/gen_records.py" "$N" > "$T/records.csv" || exit 2
"$HS_ISSUER" init --issuer 福建省专业技术人员继续教育中心 --base-url http://127.0.0.1:8080 --policy fujian --origin ledger.hourseal.example.cn/fj "$T/data" >/dev/null || exit 2
# Wall time, and the CPU time of the import itself (the machine may be busy).
TIMEFORMAT='%R %U %S'
run() { { time "$HS_ISSUER" --data "$T/data" import "$T/records.csv" --quiet >"$1" 2>&1; } 2>"$1.time"; }
rate() { awk -v n="$N" '{ printf "%.0f rows/s (%.0f rows/s of CPU)", n / $1, n / ($2 + $3) }' "$1"; }
secs() { awk '{ printf "%.2f s wall, %.2f s CPU", $1, $2 + $3 }' "$1"; }

run "$T/out1" || { cat "$T/out1" >&2; exit 2; }
run "$T/out2" || { cat "$T/out2" >&2; exit 2; }
grep -q "$N rows: $N imported" "$T/out1" || { cat "$T/out1" >&2; exit 2; }
grep -q "$N rows: 0 imported, $N already there" "$T/out2" || { cat "$T/out2" >&2; exit 2; }
size=$(du -k "$T/data/hourseal.db" | cut -f1)
echo "| import $N new rows (CSV, 10k practitioners) | $(rate "$T/out1.time") | $(secs "$T/out1.time"); one transaction; database $((size / 1024)) MiB |"
echo "| re-import the same $N rows (all duplicates) | $(rate "$T/out2.time") | $(secs "$T/out2.time"); nothing written |"
