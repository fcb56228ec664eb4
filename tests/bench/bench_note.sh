#!/usr/bin/env bash
# Certificate notes: encode + Ed25519 sign, and open (verify) + decode, per
# second on one core, for a typical (4 records) and a large (200 records)
# annual certificate. Prints markdown table rows.
set -u
: "${HS_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${HS_BUILD:=$HS_TOP/build/release}"
budget=${BENCH_BUDGET:-20}
secs=$(awk -v b="$budget" 'BEGIN { s = (b - 2) / 4; if (s > 3) s = 3; if (s < 0.5) s = 0.5; print s }')
"$HS_BUILD/tests/test_cert" --bench "$secs" 4 || exit 2
"$HS_BUILD/tests/test_cert" --bench "$secs" 200 || exit 2
