#!/usr/bin/env bash
# Ledger: append rate up to 1,000,000 leaves, inclusion and consistency
# proof time at 10^4, 10^5, 10^6 leaves, database bytes per leaf, audit
# time. Builds tests/bench/bench_ledger.c against the release library with
# the Makefile's flags (build/config.mk). Prints markdown table rows.
# BENCH_LEDGER_MAX overrides the largest size (default 10^6, or 10^5 when
# the budget is under 60 s). BENCH_PRAGMA: SQL run on the connection first
# (e.g. "PRAGMA cache_size=-262144") to compare settings.
# bench-weight: 3
set -u
: "${HS_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${HS_BUILD:=$HS_TOP/build/release}"
if [ -n "${BENCH_TMP:-}" ]; then T=$BENCH_TMP; else T=$(mktemp -d); trap 'rm -rf "$T"' EXIT; fi
budget=${BENCH_BUDGET:-120}
max=${BENCH_LEDGER_MAX:-1000000}
[ -z "${BENCH_LEDGER_MAX:-}" ] && [ "$budget" -lt 60 ] && max=100000

cfg=$HS_TOP/build/config.mk
lib=$HS_BUILD/libhourseal.a
[ -f "$cfg" ] && [ -f "$lib" ] || { echo "bench_ledger: build first (make)" >&2; exit 2; }
cflags=$(sed -n 's/^PKG_CFLAGS = //p' "$cfg")
libs=$(sed -n 's/^PKG_LIBS = //p' "$cfg")
# shellcheck disable=SC2086
${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -I"$HS_TOP/lib" $cflags \
	-o "$T/bench_ledger" "$HS_TOP/tests/bench/bench_ledger.c" "$lib" \
	$libs -lhpdf -lm -lpthread || exit 2
"$T/bench_ledger" "$T/ledger.db" "$max"
