#!/usr/bin/env bash
# The audit log anchored in the ledger (service.md §6, formats.md §4):
# keygen, import, issue and revoke write audit rows (key.add,
# record.submit once per run, cert.issue per certificate, cert.revoke) and
# every checkpoint they sign ends with the leaf
# "hourseal/leaf/v1 audit <count> <base64 head>". Go's tlog still checks
# the tiles; the verifier (served and offline --ledger) still verifies
# certificates in a ledger with audit leaves. `audit` re-hashes the chain
# and names the first row that differs after a row is changed, the last
# anchored row is deleted, or a row is inserted in the middle (triggers
# dropped and recreated with sqlite3); a checkpoint is never signed over
# removed rows. `log` prints the rows, escaped, one a line.
. "$(dirname "$0")/../lib.sh"
scratch
S=$HS_TOP/templates/samples
D=$T/data
DB=$D/hourseal.db
KD=$T/keys
O=ledger.hourseal.example.cn/fj
Y=2024
q() { sqlite3 "$DB" "$@"; }
quiet() { "$@" >"$T/o" 2>&1 || { sed 's/^/# /' "$T/o" | tail -5; return 1; }; }
run() { "$ISSUER" --data "$D" "$@" >"$T/run.out" 2>"$T/run.err"; }
# The last line of `audit`'s output and its exit status.
audit() { "$ISSUER" --data "$D" audit >"$T/a.out" 2>"$T/a.err"; arc=$?; }
# The leaf index of the first audit leaf that anchors row $1 or more.
anchor_of() {
	q "SELECT idx FROM leaves WHERE CAST(entry AS TEXT) LIKE 'hourseal/leaf/v1 audit %'
	   AND CAST(substr(CAST(entry AS TEXT), 24, instr(substr(CAST(entry AS TEXT), 24), ' ') - 1) AS INTEGER) >= $1
	   ORDER BY idx LIMIT 1"
}

check "init" quiet "$ISSUER" init --base-url http://127.0.0.1:8080 --policy fujian "$D" --keys "$KD" --origin "$O" --issuer 测试发证中心
check "keygen k1" quiet "$ISSUER" --data "$D" keygen --no-passphrase k1
check "import small.csv" quiet "$ISSUER" --data "$D" import "$S/small.csv" --skip-invalid "$T/rej.csv" --quiet
# Stamping as the workflow branch does it (an hr account) where lib.sh has
# hr_stamp, else the older `stamp --by --as hr`.
if [ "$(type -t hr_stamp)" = function ]; then
	check "stamp" quiet hr_stamp "$D" 福建省人力资源和社会保障厅 --all
else
	check "stamp" quiet "$ISSUER" --data "$D" stamp --all --by 福建省人力资源和社会保障厅 --as hr
fi
check "issue" quiet "$ISSUER" --data "$D" issue --year $Y --all --out "$T/certs" --batch 2
mapfile -t PDFS < <(find "$T/certs/$Y" -name '*.pdf' | sort)
check "at least 3 certificates (${#PDFS[@]})" [ "${#PDFS[@]}" -ge 3 ]
SA=$(basename "${PDFS[0]}" .pdf)
check "revoke A" quiet "$ISSUER" --data "$D" revoke "$SA" --reason error

# The rows, by the operator, in the transactions of the changes.
NC=$(q "SELECT count(*) FROM certificates")
check "one key.add row for k1" test "$(q "SELECT count(*) FROM audit WHERE action = 'key.add' AND object = 'k1'")" = 1
check "ONE record.submit row for the import run, object the file name" \
	test "$(q "SELECT count(*) || ' ' || object FROM audit WHERE action = 'record.submit'")" = "1 small.csv"
check "... with the counts" test -n "$(q "SELECT 1 FROM audit WHERE action = 'record.submit' AND detail LIKE 'records % new, % duplicate, % rejected'")"
check "one cert.issue row per certificate ($NC)" \
	test "$(q "SELECT count(*) FROM audit a JOIN certificates c ON c.serial = a.object WHERE a.action = 'cert.issue'")" = "$NC"
check "one cert.revoke row for A, with the reason" test "$(q "SELECT object || ' ' || detail FROM audit WHERE action = 'cert.revoke'")" = "$SA error"
check "every row I wrote is the operator's: cli, operator, the issuer, no client" \
	test "$(q "SELECT count(*) FROM audit WHERE action IN ('key.add','record.submit','cert.issue','cert.revoke')
	   AND NOT (actor = 'cli' AND role = 'operator' AND org = '测试发证中心' AND client = '')")" = 0

# The anchors.
N=$(q "SELECT count(*) FROM audit")
LAST=$(q "SELECT max(idx) FROM leaves")
HEAD=$(q "SELECT hex(hash) FROM audit WHERE seq = $N" | xxd -r -p | base64 -w0)
check "the last leaf anchors every row: 'audit $N <base64 of row $N's hash>'" \
	test "$(q "SELECT CAST(entry AS TEXT) FROM leaves WHERE idx = $LAST")" = "hourseal/leaf/v1 audit $N $HEAD"
check "the latest checkpoint covers it" test "$(q "SELECT size FROM latest_checkpoint")" = $((LAST + 1))
check "every checkpoint ends with an audit leaf (each signing transaction wrote rows)" \
	test "$(q "SELECT count(*) FROM checkpoints c JOIN leaves l ON l.idx = c.size - 1
	   WHERE CAST(l.entry AS TEXT) NOT LIKE 'hourseal/leaf/v1 audit %'")" = 0
check "the batches of 2 made several anchors, counts growing" test \
	"$(q "SELECT count(*) FROM leaves WHERE CAST(entry AS TEXT) LIKE 'hourseal/leaf/v1 audit %'")" -ge 3
check "no ID number or name in any audit leaf" test \
	"$(q "SELECT count(*) FROM leaves WHERE CAST(entry AS TEXT) LIKE 'hourseal/leaf/v1 audit %'
	   AND CAST(entry AS TEXT) NOT GLOB 'hourseal/leaf/v1 audit [1-9]* [A-Za-z0-9+/]*='")" = 0

audit
check "audit exits 0" test "$arc" = 0
check "audit: 'audit log: $N rows, chain ok, anchored at row $N in leaf $LAST'" \
	grep -qx "audit log: $N rows, chain ok, anchored at row $N in leaf $LAST" "$T/a.out"
sed 's/^/# /' "$T/a.out"

# Go's tlog still verifies the tiles of a ledger with audit leaves.
GOCHECK=$("$HS_TOP/tests/interop/build.sh" "$HS_BUILD/interop") || notok "build the Go checker"
check "tiles" quiet "$ISSUER" --data "$D" tiles "$T/log"
check "Go's tlog verifies the tiles and entry bundles with audit leaves" \
	quiet "$GOCHECK" tiles -key "$(cat "$KD/k1.pub")" -origin "$O" -every 1 "$T/log"

# The verifier: served from the published database, and offline.
check "publish" quiet "$ISSUER" --data "$D" publish "$T/site"
check "server starts" start_server --db "$T/site/verifier.db" --key "$KD/k1.pub" --rate 0
SB=$(basename "${PDFS[1]}" .pdf)
curl -s "$URL/c/$SB" >"$T/b.html"
check "a certificate in a ledger with audit leaves: 有效" grep -q '<span class="big">有效·' "$T/b.html"
curl -s "$URL/c/$SA" >"$T/a.html"
check "the revoked one: 已撤销" grep -q '已撤销' "$T/a.html"
stop_server
timeout 20 "$VERIFIER" check "${PDFS[1]}" --key "$KD/k1.pub" --ledger "$T/log" >"$T/chk" 2>&1; rc=$?
check "offline check --ledger over the audit leaves: VALID (exit $rc)" test "$rc" = 0
check "  revocation checked against the copy" grep -qE '^  revocation: +checked: not revoked in the ledger' "$T/chk"
timeout 20 "$VERIFIER" check "${PDFS[0]}" --key "$KD/k1.pub" --ledger "$T/log" >"$T/chka" 2>&1; rc=$?
check "offline check --ledger, revoked A: REVOKED (exit $rc)" test "$rc" = 1
check "  the answer is REVOKED" grep -qx "${PDFS[0]}: REVOKED" "$T/chka"
sed 's/^/# /' "$T/chk"

# log: a header and one line per row, 9 tab-separated fields.
check "log" run log
check "log: the header" test "$(head -1 "$T/run.out")" = $'seq\tat\tactor\trole\torg\taction\tobject\tdetail\tclient'
check "log: $N rows" test "$(($(wc -l <"$T/run.out") - 1))" = "$N"
check "log: 9 fields on every line" test "$(awk -F'\t' 'NF != 9' "$T/run.out" | wc -l)" = 0
check "log --since $((N - 1)) --limit 5: only the last row, the revocation" run log --since $((N - 1)) --limit 5
check "  it is row $N, cert.revoke of A" grep -qP "^$N\t[^\t]+\tcli\toperator\t测试发证中心\tcert.revoke\t$SA\terror\t\$" "$T/run.out"
check "  and nothing else" test "$(wc -l <"$T/run.out")" = 2
check "log --limit 2: rows 1 and 2" run log --limit 2
check "  rows 1, 2" test "$(cut -f1 "$T/run.out" | tail -n +2 | tr '\n' ' ')" = "1 2 "
check "no full ID number in the log" test -z "$(grep -oE '[0-9]{17}[0-9X]' "$T/run.out")"
for bad in -1 abc "1'; DROP TABLE audit;--" 99999999999999999999 "" "<script>"; do
	check_fails "log --since '$bad' is refused" run log --since "$bad"
	check "  naming --since" grep -q -- '--since' "$T/run.err"
done
check_fails "log --limit 0 is refused" run log --limit 0
check "  naming --limit" grep -q -- '--limit' "$T/run.err"
check_fails "log with an operand is refused" run log 5

# Importing the same file again changes nothing: no row.
check "re-import small.csv" quiet "$ISSUER" --data "$D" import "$S/small.csv" --skip-invalid "$T/rej.csv" --quiet
check "  (all already there) writes no audit row" test "$(q "SELECT count(*) FROM audit")" = "$N"

# Hostile file names become the object of record.submit: escaped in log.
EV=$T/$'evil\tname\n<script>\'"\x01\xff\xe2\x80\xae.csv'
{ head -1 "$S/small.csv"
  echo "350581199004010019,陈一,泉州市第一医院,2024,public,,1,审计测试课程,福建省专业技术人员继续教育中心,2024-02-08,2024-02-08,3,,,AUDIT-1"; } >"$EV"
check "import under a hostile file name (tab, newline, <script>, quotes, ^A, bad UTF-8, RLO)" \
	quiet "$ISSUER" --data "$D" import "$EV" --skip-invalid "$T/rej2.csv" --quiet
check "log" run log --since $N
check "  one line for the row (escaped tab and newline)" test "$(wc -l <"$T/run.out")" = 2
check "  the object escaped: \\t \\n \\x01 \\xff \\u{202E}" grep -qF \
	"$(printf 'record.submit\tevil\\tname\\n<script>'"'"'"\\x01\\xff\\u{202E}.csv\t')" "$T/run.out"
check "  the row is anchored by the next checkpoint" quiet "$ISSUER" --data "$D" revoke "$SB" --reason withdrawn
audit
check "audit: all $((N + 2)) rows anchored" grep -qx "audit log: $((N + 2)) rows, chain ok, anchored at row $((N + 2)) in leaf $(q "SELECT max(idx) FROM leaves")" "$T/a.out"
N=$((N + 2))
cp "$DB" "$T/clean.db"

# A changed row: named, with the anchor that covers it; exit 1.
q "DROP TRIGGER audit_no_update; UPDATE audit SET actor = 'mallory' WHERE seq = 3;
   CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
   BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
check "(the trigger is back)" test "$(q "SELECT count(*) FROM sqlite_master WHERE name = 'audit_no_update'")" = 1
audit
check "a changed row 3: audit exits 1" test "$arc" = 1
check "  'audit row 3 differs from the chain anchored in leaf $(anchor_of 3)'" \
	grep -q "audit row 3 differs from the chain anchored in leaf $(anchor_of 3)" "$T/a.err"
check "  the ledger itself is fine" grep -q '^audit: ok:' "$T/a.out"
sed 's/^/# /' "$T/a.err"

# The last anchored row deleted: named; no checkpoint is signed over it.
cp "$T/clean.db" "$DB"
q "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq = $N;
   CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
   BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
audit
check "the last anchored row $N deleted: audit exits 1" test "$arc" = 1
check "  'audit row $N differs from the chain anchored in leaf $(anchor_of $N)' (missing)" \
	grep -q "audit row $N differs from the chain anchored in leaf $(anchor_of $N): it is missing" "$T/a.err"
sed 's/^/# /' "$T/a.err"
LEAVES=$(q "SELECT count(*) FROM leaves")
check_fails "revoking now is refused (no checkpoint over removed rows)" run revoke "$(basename "${PDFS[2]}" .pdf)" --reason error
check "  it says the anchored row $N differs (run audit)" grep -q "audit row $N differs from the chain anchored in leaf $(anchor_of $N) (run hourseal-issuer audit)" "$T/run.err"
sed 's/^/# /' "$T/run.err"
check "  and logs nothing" test "$(q "SELECT count(*) FROM leaves")" = "$LEAVES"

# A row inserted in the middle (rows 5.. renumbered): row 5 named.
cp "$T/clean.db" "$DB"
q "DROP TRIGGER audit_no_update;
   UPDATE audit SET seq = -seq WHERE seq >= 5; UPDATE audit SET seq = 1 - seq WHERE seq < 0;
   INSERT INTO audit (seq, at, actor, role, org, action, object, detail, client, hash)
   VALUES (5, '2024-01-01T00:00:00Z', 'cli', 'operator', '测试发证中心', 'cert.revoke', 'x', 'fraud', '', zeroblob(32));
   CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
   BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
audit
check "a row inserted at 5: audit exits 1" test "$arc" = 1
check "  'audit row 5 differs from the chain anchored in leaf $(anchor_of 5)'" \
	grep -q "audit row 5 differs from the chain anchored in leaf $(anchor_of 5)" "$T/a.err"
sed 's/^/# /' "$T/a.err"
