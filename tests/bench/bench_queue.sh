#!/usr/bin/env bash
# The 验印 queue (issue 13): a database of 10^6 waiting records (100,000
# practitioners, 500 units in 108 districts of 9 cities, 5 domains, 200
# providers), made with SQL in one transaction (not through import), then
# tests/bench/bench_queue.c pages the queue by key as hr (province, city,
# district), industry, provider and employer accounts, with filters, and
# times every page: every page of the walk from the start (all of them) and
# 200 pages from random starting ids per case. The goal: every page < 20 ms.
# Exits 1 if a page took longer. BENCH_QUEUE_N overrides the number of
# records (default 10^6, or 10^5 when the budget is under 90 s).
# Prints markdown table rows.
# bench-weight: 3
set -u
: "${HS_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${HS_BUILD:=$HS_TOP/build/release}"
: "${HS_ISSUER:=$HS_BUILD/hourseal-issuer}"
if [ -n "${BENCH_TMP:-}" ]; then T=$BENCH_TMP; else T=$(mktemp -d); trap 'rm -rf "$T"' EXIT; fi
budget=${BENCH_BUDGET:-180}
N=${BENCH_QUEUE_N:-1000000}
[ -z "${BENCH_QUEUE_N:-}" ] && [ "$budget" -lt 90 ] && N=100000

cfg=$HS_TOP/build/config.mk
lib=$HS_BUILD/libhourseal.a
[ -f "$cfg" ] && [ -f "$lib" ] || { echo "bench_queue: build first (make)" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "bench_queue: sqlite3 missing" >&2; exit 2; }
cflags=$(sed -n 's/^PKG_CFLAGS = //p' "$cfg")
libs=$(sed -n 's/^PKG_LIBS = //p' "$cfg")
# shellcheck disable=SC2086
${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -I"$HS_TOP/lib" $cflags \
	-o "$T/bench_queue" "$HS_TOP/tests/bench/bench_queue.c" "$lib" \
	$libs -lsodium -lhpdf -lm -lpthread || exit 2

# The schema from the program itself (init migrates), the rows from SQL.
D=$T/data
HOURSEAL_TODAY=2026-11-23 "$HS_ISSUER" init --issuer 福建省专业技术人员继续教育中心 --base-url http://127.0.0.1:8080 --policy fujian --origin ledger.hourseal.example.cn/fj "$D" >/dev/null || exit 2
P=$((N / 10))
t0=$(date +%s.%N)
sqlite3 "$D/hourseal.db" <<SQL || exit 2
PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; PRAGMA cache_size=-262144;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 499)
INSERT INTO units SELECT 'u' || i, '35' || printf('%02d', 1 + i % 9) ||
	printf('%02d', (i / 9) % 12 + 1) FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $P)
INSERT INTO practitioners (id, id_number, id_masked, id_digest, name, unit,
	created) SELECT i, printf('%018d', i), printf('%04d**********%04d',
	i % 10000, i % 10000), 'd' || i, '名' || i, 'u' || (i % 500), 't' FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N)
INSERT INTO records (id, practitioner_id, year, subject, form, title,
	provider, start_date, end_date, hours10, domain, source, imported, unit,
	region)
SELECT i, i % $P + 1, 2024, CASE WHEN i % 3 = 0 THEN 'public' ELSE
	'professional' END, 1 + i % 7, '课程' || i, 'p' || (i % 200),
	'2024-03-01', '2024-03-01', 80, CASE WHEN i % 3 = 0 THEN NULL ELSE
	CASE i % 5 WHEN 0 THEN '卫生' WHEN 1 THEN '教育' WHEN 2 THEN '工程'
	WHEN 3 THEN '农业' ELSE '经济' END END, 'bench', 't',
	'u' || ((i % $P + 1) % 500), (SELECT region FROM units WHERE name =
	'u' || ((i % $P + 1) % 500)) FROM n;
COMMIT;
SQL
t1=$(date +%s.%N)
echo "| 验印 queue: $N waiting records made with SQL | $(echo "$t1 - $t0" |
	bc | xargs printf '%.0f') s | one transaction, every index in place |"
"$T/bench_queue" "$D/hourseal.db"
