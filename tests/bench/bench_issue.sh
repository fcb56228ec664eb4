#!/usr/bin/env bash
# Issuance end to end: 10,000 practitioners with stamped records, one
# `issue --year 2024 --all` (read records, evaluate, sign notes, append
# leaves, one checkpoint per batch of 1,000, receipts, render PDFs in the
# render threads, write, hash, commit, rename, manifest); certificates per
# second (wall and per CPU second, as the machine may be shared) and peak
# memory from /usr/bin/time. Then the same command again (nothing to do),
# and the same issuance in a second data directory whose PDFs are all
# signed (PAdES, ECDSA P-256 document key from `ca issue`; issue 16).
# Prints markdown table rows.
# bench-weight: 3
set -u
: "${HS_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${HS_ISSUER:=$HS_TOP/build/release/hourseal-issuer}"
if [ -n "${BENCH_TMP:-}" ]; then T=$BENCH_TMP; else T=$(mktemp -d); trap 'rm -rf "$T"' EXIT; fi
N=${BENCH_ISSUE_N:-10000}
# Size the run to the budget: setup takes ~15 s; a busy machine may only
# manage ~100 certificates a second.
if [ -n "${BENCH_BUDGET:-}" ] && [ $(((BENCH_BUDGET - 20) * 100)) -lt "$N" ]; then
	N=$(((BENCH_BUDGET - 20) * 100))
	[ "$N" -lt 500 ] && N=500
fi
[ -x /usr/bin/time ] || { echo "bench_issue: /usr/bin/time missing (scripts/deps.sh bench)" >&2; exit 2; }
I=$HS_ISSUER
D=$T/data

"$I" init --issuer 福建省专业技术人员继续教育中心 --base-url http://127.0.0.1:8080 --policy fujian --origin ledger.hourseal.example.cn/fj "$D" --keys "$T/keys" >/dev/null 2>&1 &&
	"$I" --data "$D" keygen --no-passphrase bench >/dev/null 2>&1 &&
	python3 "$HS_TOP/tests/data/gen_bulk.py" "$N" 2024 >"$T/bulk.csv" &&
	"$I" --data "$D" import "$T/bulk.csv" --quiet >/dev/null &&
	"$I" --data "$D" user add hr35 --role hr --scope 35 \
		--org 福建省人力资源和社会保障厅 >/dev/null &&
	"$I" --data "$D" stamp --all --account hr35 \
		>/dev/null || { echo "bench_issue: setup failed" >&2; exit 2; }

load=$(cut -d' ' -f1 /proc/loadavg)
/usr/bin/time -f '%e %U %S %M' -o "$T/time1" "$I" --data "$D" issue \
	--year 2024 --all --out "$T/out" --quiet >"$T/out1" 2>&1 ||
	{ cat "$T/out1" >&2; exit 2; }
grep -q "^$N issued" "$T/out1" || { cat "$T/out1" >&2; exit 2; }
/usr/bin/time -f '%e %U %S %M' -o "$T/time2" "$I" --data "$D" issue \
	--year 2024 --all --out "$T/out" --quiet >"$T/out2" 2>&1 ||
	{ cat "$T/out2" >&2; exit 2; }
grep -q "^0 issued, 0 superseded, $N unchanged" "$T/out2" ||
	{ cat "$T/out2" >&2; exit 2; }
bytes=$(du -sb "$T/out/2024" | cut -f1)
threads=$(nproc)

read -r wall user sys rss <"$T/time1"
awk -v n="$N" -v w="$wall" -v u="$user" -v s="$sys" -v rss="$rss" \
    -v b="$bytes" -v th="$threads" -v load="$load" 'BEGIN {
	printf "| issue %d certificates end to end | %.0f certificates/s (%.0f per CPU second) | %.1f s wall, %.1f s CPU; %d render threads + main; batches of 1,000; PDFs %.0f KB mean; load %s at start |\n", n, n / w, n / (u + s), w, u + s, th, b / n / 1024, load
	printf "| issue %d certificates: peak memory | %.0f MB | maximum resident set size (/usr/bin/time); bounded by two batches in flight |\n", n, rss / 1024
}'
read -r wall user sys rss <"$T/time2"
awk -v n="$N" -v w="$wall" -v u="$user" -v s="$sys" 'BEGIN {
	printf "| rerun with nothing to do (%d unchanged) | %.0f practitioners/s | %.1f s wall, %.1f s CPU: each holder'"'"'s records read and compared by record_set digest |\n", n, n / w, w, u + s
}'

# The same issuance with every PDF signed (PAdES B-B).
D2=$T/data2
"$I" init "$D2" --issuer 福建省专业技术人员继续教育中心 --policy fujian --base-url http://127.0.0.1:8080 --origin ledger.hourseal.example.cn/fj --keys "$T/keys2" >/dev/null 2>&1 &&
	"$I" --data "$D2" keygen bench --no-passphrase >/dev/null 2>&1 &&
	"$I" --data "$D2" import "$T/bulk.csv" --quiet >/dev/null &&
	"$I" --data "$D2" user add hr35 --role hr --scope 35 \
		--org 福建省人力资源和社会保障厅 >/dev/null &&
	"$I" --data "$D2" stamp --all --account hr35 >/dev/null &&
	"$I" --data "$D2" ca init >/dev/null &&
	"$I" --data "$D2" ca issue >/dev/null ||
	{ echo "bench_issue: PAdES setup failed" >&2; exit 2; }
# A copy of it in memory (tmpfs), when there is room: the same issuance
# with the disk left out (a shared machine's disk varies the most).
SHM=
if [ -d /dev/shm ] && [ "$(df -Pk /dev/shm | awk 'NR == 2 { print $4 }')" -gt \
    $((N * 80 + 200000)) ]; then
	SHM=$(mktemp -d /dev/shm/hs-bench.XXXXXX) && cp -a "$D2" "$SHM/data" ||
		SHM=
fi
trap '[ -n "${BENCH_TMP:-}" ] || rm -rf "$T"; [ -z "$SHM" ] || rm -rf "$SHM"' EXIT
/usr/bin/time -f '%e %U %S %M' -o "$T/time3" "$I" --data "$D2" issue \
	--year 2024 --all --out "$T/out3" --quiet >"$T/out3.txt" 2>&1 ||
	{ cat "$T/out3.txt" >&2; exit 2; }
grep -q "^$N issued" "$T/out3.txt" || { cat "$T/out3.txt" >&2; exit 2; }
bytes3=$(du -sb "$T/out3/2024" | cut -f1)
read -r wall user sys rss <"$T/time3"
awk -v n="$N" -v w="$wall" -v u="$user" -v s="$sys" -v b="$bytes3" \
    -v b1="$bytes" -v th="$threads" 'BEGIN {
	printf "| issue %d certificates with PAdES signatures | %.0f certificates/s (%.0f per CPU second) | %.1f s wall, %.1f s CPU; %d render threads + main; every PDF signed (ECDSA P-256; the CMS API builds the CMS once per signature length, each PDF fills in digest and signature); %.2f KB added per PDF on average |\n", n, n / w, n / (u + s), w, u + s, th, (b - b1) / n / 1024
}'
if [ -n "$SHM" ]; then
	/usr/bin/time -f '%e %U %S %M' -o "$T/time4" "$I" --data "$SHM/data" \
		issue --year 2024 --all --out "$SHM/out" --quiet >"$T/out4.txt" 2>&1 ||
		{ cat "$T/out4.txt" >&2; exit 2; }
	grep -q "^$N issued" "$T/out4.txt" || { cat "$T/out4.txt" >&2; exit 2; }
	read -r wall user sys rss <"$T/time4"
	awk -v n="$N" -v w="$wall" -v u="$user" -v s="$sys" -v th="$threads" 'BEGIN {
		printf "| the same PAdES issuance, data directory and PDFs in tmpfs (/dev/shm) | %.0f certificates/s (%.0f per CPU second) | %.1f s wall, %.1f s user + %.1f s system CPU; %d render threads + main; the disk left out |\n", n / w, n / (u + s), w, u, s, th
	}'
fi
