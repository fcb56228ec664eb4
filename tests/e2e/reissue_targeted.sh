#!/usr/bin/env bash
# Reissue names whom it supersedes: 20 holders are certified, one record of
# one holder is corrected (a direct update of the record and its version,
# as a correction does). `issue --reissue --dry-run` and `reissue SERIAL
# --dry-run` name exactly that holder and the change and write nothing;
# `issue --reissue` supersedes exactly that one certificate, and its output
# line and the cert.supersede audit row name the holder, old -> new serial
# and the reason; a rerun with nothing changed supersedes none. A record
# added and one withdrawn are named as such; hostile values in a record
# stay text in the reason.
. "$(dirname "$0")/../lib.sh"
scratch
S=$HS_TOP/templates/samples
D=$T/fj
OUT=$T/pdfs
Y=2024

sq() { sqlite3 "$D/hourseal.db" "$@"; }
quiet() { "$@" >"$T/o" 2>&1 || { sed 's/^/# /' "$T/o" | tail -5; return 1; }; }
# ledger size, certificate rows, audit rows: what a dry run must not change
state() { sq "SELECT (SELECT count(*) FROM leaves), (SELECT count(*) FROM certificates),
	(SELECT count(*) FROM revocations), (SELECT count(*) FROM audit)"; }

# 20 holders of 2024 from the Fujian sample.
python3 - "$S/fujian.csv" "$T/twenty.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding='utf-8')))
head, keep, ids = rows[0], [], []
for r in rows[1:]:
    d = dict(zip(head, r))
    if d['year'] != '2024':
        continue
    if d['id_number'] not in ids:
        if len(ids) == 20:
            continue
        ids.append(d['id_number'])
    keep.append(r)
w = csv.writer(open(sys.argv[2], 'w', encoding='utf-8', newline=''))
w.writerow(head); w.writerows(keep)
PY
check "init" quiet "$ISSUER" init --issuer 福建省专业技术人员继续教育中心 --policy fujian --origin ledger.hourseal.example.cn/fj "$D" --keys "$T/keys" --base-url https://verify.example.cn
check "keygen" quiet "$ISSUER" --data "$D" keygen --no-passphrase k1
check "import 20 holders" quiet "$ISSUER" --data "$D" import "$T/twenty.csv" --skip-invalid "$T/rej.csv" --quiet
check "stamp" quiet hr_stamp "$D" 福建省人力资源和社会保障厅 --all
check "issue" quiet "$ISSUER" --data "$D" issue --year $Y --all --out "$OUT"
check "20 certificates" [ "$(sq "SELECT count(*) FROM certificates")" = 20 ]

# Correct one professional record of one holder: subject and hours.
RID=$(sq "SELECT r.id FROM records r JOIN cert_records c ON c.record_id = r.id
	WHERE r.subject = 'professional' AND r.ref IS NOT NULL AND r.hours10 > 10 ORDER BY r.id LIMIT 1")
REF=$(sq "SELECT ref FROM records WHERE id = $RID")
OLD=$(sq "SELECT serial FROM cert_records WHERE record_id = $RID")
NAME=$(sq "SELECT name FROM certificates WHERE serial = '$OLD'")
MASK=$(sq "SELECT id_masked FROM certificates WHERE serial = '$OLD'")
H=$(sq "SELECT hours10 FROM records WHERE id = $RID")
HOLD=$(python3 -c "h=$H; print(h//10 if h%10==0 else h/10)")
sq "UPDATE records SET subject = 'public', hours10 = 10, version = version + 1 WHERE id = $RID"
WANT="record $REF corrected: subject professional -> public, hours $HOLD -> 1"

before=$(state)
check "issue --reissue --dry-run" quiet "$ISSUER" --data "$D" issue --year $Y --all --reissue --dry-run
cp "$T/o" "$T/dry"
check "the dry run names exactly one holder" [ "$(grep -c '^would supersede ' "$T/dry")" = 1 ]
check "... that holder ($NAME $MASK), serial and year" \
	grep -qF "would supersede $OLD of $NAME $MASK ($Y annual): " "$T/dry"
check "... and the change ($WANT)" grep -qF ": $WANT" "$T/dry"
check "... 1 would be superseded, 19 unchanged" grep -q "^dry run: 1 would be superseded, 1 new certificate in all, 19 unchanged" "$T/dry"
check "the dry run shows no full ID number" bash -c "! grep -qE '[0-9]{17}[0-9X]' '$T/dry'"
check "the dry run wrote nothing (ledger, certificates, revocations, audit)" [ "$(state)" = "$before" ]
check "reissue SERIAL --dry-run" quiet "$ISSUER" --data "$D" reissue "$OLD" --dry-run
check "... names the holder and the change" grep -qF "would supersede $OLD of $NAME $MASK ($Y annual): $WANT" "$T/o"
check "... and wrote nothing" [ "$(state)" = "$before" ]

check "issue --reissue" quiet "$ISSUER" --data "$D" issue --year $Y --all --reissue --out "$OUT"
cp "$T/o" "$T/real"
check "exactly one supersession line" [ "$(grep -c '^superseded ' "$T/real")" = 1 ]
NEW=$(sed -n "s/^superseded $OLD -> \([0-9A-Z-]*\) of .*/\1/p" "$T/real")
check "it names old -> new serial ($OLD -> $NEW)" [ -n "$NEW" ]
check "... the holder and the reason" grep -qF "superseded $OLD -> $NEW of $NAME $MASK ($Y annual): $WANT" "$T/real"
check "1 issued, 1 superseded, 19 unchanged" grep -q "^1 issued, 1 superseded, 19 unchanged" "$T/real"
check "the old one is revoked as superseded, replaced by the new" \
	[ "$(sq "SELECT reason || ' ' || replaced_by FROM revocations WHERE serial = '$OLD'")" = "superseded $NEW" ]
check "19 other certificates are still valid" [ "$(sq "SELECT count(*) FROM certificates c WHERE serial NOT IN
	(SELECT serial FROM revocations) AND serial <> '$NEW'")" = 19 ]
check "audit: cert.supersede of $OLD naming holder, new serial and reason" [ "$(sq "SELECT count(*) FROM audit
	WHERE action = 'cert.supersede' AND object = '$OLD' AND detail = '$NAME $MASK, replaced by $NEW: $WANT'")" = 1 ]
check "audit: cert.issue of $NEW" [ "$(sq "SELECT count(*) FROM audit WHERE action = 'cert.issue' AND object = '$NEW'")" = 1 ]
check "audit: the supersession is in the issue's transaction (consecutive rows)" [ "$(sq "SELECT
	(SELECT seq FROM audit WHERE action = 'cert.supersede' AND object = '$OLD') -
	(SELECT seq FROM audit WHERE action = 'cert.issue' AND object = '$NEW')")" = 1 ]
check "the audit chain verifies" quiet "$ISSUER" --data "$D" audit

after=$(state)
check "a rerun with no change" quiet "$ISSUER" --data "$D" issue --year $Y --all --reissue --out "$OUT"
check "... supersedes none" grep -q "^0 issued, 0 superseded, 20 unchanged" "$T/o"
check "... and prints no supersession" bash -c "! grep -q '^superseded ' '$T/o'"
check "... and writes nothing" [ "$(state)" = "$after" ]
check "a dry run with no change names none" quiet "$ISSUER" --data "$D" issue --year $Y --all --reissue --dry-run
check "... (0 would be superseded)" grep -q "^dry run: 0 would be superseded" "$T/o"

# A record withdrawn and one added (for another holder), and hostile text.
RID2=$(sq "SELECT c.record_id FROM cert_records c JOIN certificates t ON t.serial = c.serial
	JOIN records r ON r.id = c.record_id WHERE t.serial NOT IN (SELECT serial FROM revocations)
	AND t.serial <> '$NEW' AND r.ref IS NOT NULL ORDER BY c.record_id LIMIT 1")
OLD2=$(sq "SELECT serial FROM cert_records WHERE record_id = $RID2 AND serial NOT IN (SELECT serial FROM revocations)")
REF2=$(sq "SELECT ref FROM records WHERE id = $RID2")
T2=$(sq "SELECT title FROM records WHERE id = $RID2")
sq "UPDATE records SET state = 'withdrawn', version = version + 1 WHERE id = $RID2"
PID2=$(sq "SELECT practitioner_id FROM certificates WHERE serial = '$OLD2'")
sq "INSERT INTO records (practitioner_id, year, subject, form, title, provider, start_date, end_date,
	hours10, ref, source, imported, state, version)
	VALUES ($PID2, $Y, 'professional', 7, '<script>x</script>'' OR 1=1 --', 'Prov & <b>', '$Y-11-20', '$Y-11-20',
	60, 'E2E-ADD-1', 'test', '$Y-11-20T00:00:00Z', 'waiting', 1)"
AID=$(sq "SELECT id FROM records WHERE ref = 'E2E-ADD-1'")
sq "INSERT INTO stamps (record_id, decision, authority, authority_kind, at) VALUES ($AID, 'stamped', '福建省人力资源和社会保障厅', 'hr', '$Y-11-21T00:00:00Z');
	UPDATE records SET state = 'stamped', stamp_id = last_insert_rowid() WHERE id = $AID" 2>"$T/sqlerr" || sed 's/^/# /' "$T/sqlerr"
check "issue --dry-run (no --reissue)" quiet "$ISSUER" --data "$D" issue --year $Y --all --dry-run
check "... names the withdrawn record" grep -qF "would supersede $OLD2 of " "$T/o"
check "... as removed ($REF2)" grep -qF "record $REF2 removed ($T2)" "$T/o"
check "... and the added one, hostile title as text" grep -qF "record E2E-ADD-1 added (<script>x</script>' OR 1=1 --)" "$T/o"
check "... one line" [ "$(grep -c '^would supersede ' "$T/o")" = 1 ]
check "reissue $OLD2" quiet "$ISSUER" --data "$D" reissue "$OLD2" --out "$OUT"
check "... prints NEW replaces OLD first" grep -q "^[0-9A-Z-]* replaces $OLD2 (revoked as superseded)" "$T/o"
check "... and the holder and reason" grep -qF "record E2E-ADD-1 added" "$T/o"
check "audit: its cert.supersede names the removal" [ "$(sq "SELECT count(*) FROM audit WHERE action = 'cert.supersede'
	AND object = '$OLD2' AND detail LIKE '%record $REF2 removed%'")" = 1 ]
check "the audit chain still verifies" quiet "$ISSUER" --data "$D" audit

# Hostile operands of the new flag are refused, writing nothing.
before=$(state)
for bad in "'; DROP TABLE certificates; --" "<script>" "$(printf 'A%.0s' $(seq 1 300))" $'2024-\x01'; do
	check_fails "reissue --dry-run refuses serial '$(printf '%q' "$bad" | cut -c1-24)'" \
		"$ISSUER" --data "$D" reissue "$bad" --dry-run
done
check_fails "issue --dry-run --year 'x' is refused" "$ISSUER" --data "$D" issue --year x --all --dry-run
check_fails "reissue --dry-run of an unknown serial is refused" "$ISSUER" --data "$D" reissue 2024-0000-0000-0000-0000 --dry-run
check "... and nothing was written" [ "$(state)" = "$before" ]
