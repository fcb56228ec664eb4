#!/usr/bin/env bash
# Crash safety of batch issuance: SIGKILL the issuer at 20 random moments
# while it issues 2,000 certificates, rerunning it each time; then check
# that every practitioner has exactly one valid certificate, the ledger
# audits clean, nothing was appended without its certificate, no temporary
# file is left, and every manifest line names a file whose SHA-256 is the
# recorded one.
. "$(dirname "$0")/../lib.sh"
scratch
N=${CRASH_N:-2000}
KILLS=${CRASH_KILLS:-20}
D=$T/data
OUT=$T/out
Y=2024
RANDOM=20240611   # the same sequence of delays and batch sizes every run

$ISSUER init --issuer 福建省专业技术人员继续教育中心 --base-url http://127.0.0.1:8080 --policy fujian --origin ledger.hourseal.example.cn/fj "$D" --keys "$T/keys" >"$T/log" 2>&1 &&
	$ISSUER --data "$D" keygen --no-passphrase k1 >>"$T/log" 2>&1 &&
	python3 "$HS_TOP/tests/data/gen_bulk.py" "$N" $Y >"$T/bulk.csv" &&
	$ISSUER --data "$D" import "$T/bulk.csv" --quiet >>"$T/log" 2>&1 &&
	hr_stamp "$D" 福建省人力资源和社会保障厅 --all >>"$T/log" 2>&1
check "set up $N practitioners with stamped records" test $? -eq 0 || {
	cat "$T/log"; exit 0; }

q() { sqlite3 "$D/hourseal.db" "$@"; }

# Run i gets batches of 10 to 150 and is killed 0 to 0.4 s after a random
# point of the i-th twentieth of the work has been committed, so the kills
# land all along the 2,000 and in every phase: reading, signing,
# appending, rendering, committing, renaming, repairing, the manifest.
killed=0 midway=0
for i in $(seq 1 "$KILLS"); do
	before=$(q 'SELECT count(*) FROM certificates')
	batch=$((10 + RANDOM % 141))
	target=$(((i - 1) * N / KILLS + RANDOM % (N / KILLS)))
	ms=$((RANDOM % 401))
	$ISSUER --data "$D" issue --year $Y --all --out "$OUT" --batch $batch \
		--quiet >"$T/run.$i" 2>&1 &
	pid=$!
	for _ in $(seq 1 400); do
		kill -0 "$pid" 2>/dev/null || break
		[ "$(q 'SELECT count(*) FROM certificates' 2>/dev/null ||
			echo 0)" -ge "$target" ] && break
		sleep 0.05
	done
	sleep "$(printf '0.%03d' "$ms")"
	if kill -9 "$pid" 2>/dev/null; then
		killed=$((killed + 1))
		[ "$before" -lt "$N" ] && midway=$((midway + 1))
	fi
	wait "$pid" 2>/dev/null
	echo "# run $i: batch $batch, killed ${ms} ms after $target:" \
		"$(q 'SELECT count(*) FROM certificates') certificates committed"
done
check "the issuer was killed $killed times, $midway of them before all were issued" \
	test "$killed" -ge 15 -a "$midway" -ge 15

SECONDS=0
$ISSUER --data "$D" issue --year $Y --all --out "$OUT" --quiet >"$T/final" 2>&1
rc=$?
echo "# the last run took ${SECONDS}s"
check "the rerun after the last kill finishes (exit $rc)" test $rc -eq 0 ||
	cat "$T/final"

valid=$(q "SELECT count(*) FROM certificates c WHERE year = $Y AND NOT EXISTS
	(SELECT 1 FROM revocations r WHERE r.serial = c.serial)")
holders=$(q "SELECT count(DISTINCT practitioner_id) FROM certificates c
	WHERE year = $Y AND NOT EXISTS (SELECT 1 FROM revocations r
	WHERE r.serial = c.serial)")
total=$(q "SELECT count(*) FROM certificates")
check "every practitioner has exactly one valid certificate ($valid valid, $holders holders, $total in all)" \
	test "$valid" -eq "$N" -a "$holders" -eq "$N" -a "$total" -eq "$N"
orphans=$(q "SELECT count(*) FROM leaves l WHERE CAST(entry AS TEXT) NOT LIKE
	'hourseal/leaf/v1 key %' AND CAST(entry AS TEXT) NOT LIKE
	'hourseal/leaf/v1 audit %' AND NOT EXISTS (SELECT 1 FROM certificates c
	WHERE c.leaf_index = l.idx) AND NOT EXISTS (SELECT 1 FROM revocations r
	WHERE r.leaf_index = l.idx)")
check "no ledger leaf without its certificate ($orphans)" test "$orphans" -eq 0
issued=$(q "SELECT count(*) FROM audit WHERE action = 'cert.issue'")
check "one cert.issue audit row per certificate: none from a killed batch ($issued)" \
	test "$issued" -eq "$total" -a "$(q "SELECT count(DISTINCT object) FROM audit
	WHERE action = 'cert.issue' AND object IN (SELECT serial FROM certificates)")" -eq "$total"
cps=$(q "SELECT count(*) FROM checkpoints")
echo "# $cps checkpoints signed"
check "the ledger audits clean" $ISSUER --data "$D" audit

left=$(find "$OUT" -name '.*' -type f -o -name '*.tmp*' | wc -l)
check "no temporary files are left ($left)" test "$left" -eq 0

# One pass: the manifest, the files' hashes and the recorded hashes.
q "SELECT serial, pdf_sha256 FROM certificates" >"$T/recorded"
res=$(python3 - "$OUT/$Y" "$T/recorded" <<'PY'
import csv, hashlib, os, sys
d, recorded = sys.argv[1], sys.argv[2]
rec = dict(l.rstrip("\n").split("|") for l in open(recorded))
lines = bad = 0
for row in csv.DictReader(open(os.path.join(d, "manifest.csv"), encoding="utf-8")):
    lines += 1
    try:
        got = hashlib.sha256(open(os.path.join(d, row["file"]), "rb").read()).hexdigest()
    except OSError:
        got = None
    if got != row["sha256"] or rec.get(row["serial"]) != row["sha256"]:
        bad += 1
        if bad <= 3:
            print("# %s: file %s, manifest %s, recorded %s" % (
                row["serial"], got, row["sha256"], rec.get(row["serial"])), file=sys.stderr)
print(lines, bad)
PY
)
read -r lines bad <<<"$res"
check "every manifest line matches its file and the recorded SHA-256 ($lines lines, $bad bad)" \
	test "${bad:-1}" -eq 0 -a "${lines:-0}" -eq "$N"
pdfs=$(find "$OUT/$Y" -name '*.pdf' | wc -l)
check "one PDF per certificate, all in the manifest ($pdfs)" test "$pdfs" -eq "$N"
