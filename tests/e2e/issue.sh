#!/usr/bin/env bash
# Issuance end to end: init, import a realistic sample (Fujian and
# Weihai-style), stamp, issue in batches; every PDF's receipt verifies
# against the final checkpoint (through a published verifier.db and the
# verifier's offline check); audit; 未达标 for a practitioner short of
# hours; revoke; reissue (the chain both ways); list, show, export,
# publish; course certificates; and bad input: no stamped records, an
# unknown ID, a missing key, a locked database, a full output disk.
. "$(dirname "$0")/../lib.sh"
scratch
S=$HS_TOP/templates/samples
D=$T/fj
OUT=$T/out
Y=2024

q() { sqlite3 "$D/hourseal.db" "$@"; }
size() { q "SELECT coalesce((SELECT size FROM latest_checkpoint), 0)"; }
# run DESCRIPTION EXPECTED_STATUS COMMAND...: output in $T/o, status checked.
run() {
	local d=$1 want=$2
	shift 2
	"$@" >"$T/o" 2>&1
	local got=$?
	if [ "$got" -eq "$want" ]; then ok "$d"; else
		notok "$d (exit $got, want $want)"; sed 's/^/# /' "$T/o" | tail -5
	fi
}
has() { grep -q -- "$1" "$T/o"; }

# 1-3: init, import, stamp.
run "init" 0 $ISSUER init --issuer 福建省专业技术人员继续教育中心 --base-url http://127.0.0.1:8080 --policy fujian --origin ledger.hourseal.example.cn/fj "$D" --keys "$T/keys"
run "keygen" 0 $ISSUER --data "$D" keygen --no-passphrase k1
run "import the Fujian sample" 0 $ISSUER --data "$D" import "$S/fujian.csv" \
	--skip-invalid "$T/rejects.csv" --quiet
np=$(q "SELECT count(*) FROM practitioners")
nr=$(q "SELECT count(*) FROM records")
check "a realistic sample: $np practitioners, $nr records" \
	test "$np" -ge 50 -a "$nr" -ge 400
run "stamp (验印)" 0 hr_stamp "$D" 福建省人力资源和社会保障厅 --all
holders=$(q "SELECT count(DISTINCT r.practitioner_id) FROM records r JOIN
	stamps s ON s.record_id = r.id AND s.decision = 'stamped'
	WHERE r.year = $Y")

# 4: issue.
before=$(size)
run "issue --all for $Y" 0 $ISSUER --data "$D" issue --year $Y --all \
	--out "$OUT" --batch 100
check "one certificate per holder ($holders)" test "$(q "SELECT count(*)
	FROM certificates WHERE year = $Y")" -eq "$holders"
check "one checkpoint per batch of 100" test "$(q "SELECT count(*) FROM
	checkpoints WHERE size > $before")" -eq $(((holders + 99) / 100))
npdf=$(find "$OUT/$Y" -name '*.pdf' | wc -l)
check "one PDF per certificate ($npdf)" test "$npdf" -eq "$holders"
check "a manifest line per PDF" test "$(tail -n +2 "$OUT/$Y/manifest.csv" |
	wc -l)" -eq "$holders"
check "manifest header" test "$(head -1 "$OUT/$Y/manifest.csv")" = \
	"serial,id,name,kind,hours,status,file,sha256"
check "manifest IDs are masked" grep -q '^[^,]*,[0-9]\{4\}\*\{10\}[0-9]\{3\}[0-9X],' \
	"$OUT/$Y/manifest.csv"
bad=0
while IFS=, read -r serial id name kind hours status file sha; do
	[ "$(sha256sum "$OUT/$Y/$file" | cut -d' ' -f1)" = "$sha" ] ||
		bad=$((bad + 1))
done < <(tail -n +2 "$OUT/$Y/manifest.csv")
check "manifest hashes are the files' ($bad bad)" test $bad -eq 0
check "the recorded hashes are the manifest's" test "$(q "SELECT count(*)
	FROM certificates WHERE year = $Y AND pdf_sha256 IS NOT NULL")" \
	-eq "$holders"

run "a rerun issues nobody twice" 0 $ISSUER --data "$D" issue --year $Y \
	--all --out "$OUT"
check "  and says so" has "^0 issued, 0 superseded, $holders unchanged"
check "  and signs no checkpoint" test "$(q "SELECT count(*) FROM
	certificates WHERE year = $Y")" -eq "$holders"

# Repair: a lost PDF is rendered again (the same bytes: the recorded
# hash), a complete temporary file is renamed, a stray one removed.
a=$(sed -n '2s/,.*//p' "$OUT/$Y/manifest.csv")
b=$(sed -n '3s/,.*//p' "$OUT/$Y/manifest.csv")
rm "$OUT/$Y/$a.pdf"
mv "$OUT/$Y/$b.pdf" "$OUT/$Y/.$b.pdf.tmp"
echo partial >"$OUT/$Y/.$Y-ZZZZ-ZZZZ-ZZZZ-ZZZZ.pdf.tmp"
run "a rerun repairs lost PDFs" 0 $ISSUER --data "$D" issue --year $Y --all \
	--out "$OUT"
check "  and says so" has "repaired 2 PDFs"
check "  byte for byte" test "$(sha256sum "$OUT/$Y/$a.pdf" "$OUT/$Y/$b.pdf" |
	cut -d' ' -f1 | tr '\n' ' ')" = "$(q "SELECT pdf_sha256 FROM
	certificates WHERE serial IN ('$a', '$b') ORDER BY serial = '$b'" |
	tr '\n' ' ')"
check "  and leaves no temporary file" test "$(find "$OUT" -name '.*' |
	wc -l)" -eq 0

# 未达标: a practitioner short of hours.
short=$(awk -F, '$6 == "unmet" { print $1; exit }' "$OUT/$Y/manifest.csv")
met=$(awk -F, '$6 == "met" { print $1; exit }' "$OUT/$Y/manifest.csv")
check "the sample has practitioners short of hours" test -n "$short"
pdftotext "$OUT/$Y/$short.pdf" "$T/short.txt" 2>/dev/null
check "a practitioner short of hours gets 未达标" grep -q 未达标 "$T/short.txt"
check "  with the missing hours (尚缺学时)" grep -q 尚缺学时 "$T/short.txt"
pdftotext "$OUT/$Y/$met.pdf" "$T/met.txt" 2>/dev/null
check "one who met the requirement does not" \
	sh -c "! grep -q 未达标 '$T/met.txt' && grep -q 达标 '$T/met.txt'"
run "show the short one" 0 $ISSUER --data "$D" show "$short"
check "  its note says status: unmet" has "^status: unmet"

# --only-complete for 2025.
run "issue 2025 --only-complete" 0 $ISSUER --data "$D" issue --year 2025 \
	--all --out "$OUT" --only-complete --quiet
check "  no unmet certificate" test "$(q "SELECT count(*) FROM certificates
	WHERE year = 2025 AND status = 'unmet'")" -eq 0
check "  the short ones are counted as skipped" \
	grep -q 'skipped as incomplete' "$T/o"

# 6: revoke.
cp0=$(size)
run "revoke $met" 0 $ISSUER --data "$D" revoke "$met" --reason error \
	--note "wrong unit"
check "a new checkpoint covers the revoke leaf and the audit leaf after it" test "$(size)" -eq $((cp0 + 2))
check "the audit leaf anchors the cert.revoke row" test "$(q "SELECT CAST(entry AS TEXT) FROM leaves
	WHERE idx = $((cp0 + 1))" | cut -d' ' -f1-3)" = "hourseal/leaf/v1 audit $(q "SELECT seq FROM audit
	WHERE action = 'cert.revoke' AND object = '$met'")"
check "the revoke leaf is in the ledger" test "$(q "SELECT count(*) FROM
	leaves WHERE CAST(entry AS TEXT) LIKE 'hourseal/leaf/v1 revoke $met error %'")" -eq 1
run "show a revoked certificate" 0 $ISSUER --data "$D" show "$met"
check "  status revoked (error)" has "^status: revoked (error)"
run "list --status revoked" 0 $ISSUER --data "$D" list --year $Y \
	--status revoked
check "  lists it" has "^$met"
run "revoking twice is an error" 1 $ISSUER --data "$D" revoke "$met" \
	--reason fraud
check "  saying so" has "already revoked"
run "revoking an unknown serial is an error" 1 $ISSUER --data "$D" revoke \
	2024-0000-0000-0000-0000 --reason error
check "  saying so" has "no such certificate"
run "an unknown reason is an error" 1 $ISSUER --data "$D" revoke "$short" \
	--reason bored
check "the failed revocations appended nothing" test "$(size)" -eq $((cp0 + 2))

# 7: reissue after a record was added.
old=$(awk -F, 'NR > 1 && $6 == "met" && $1 != "'"$met"'" { print $1; exit }' \
	"$OUT/$Y/manifest.csv")
idn=$(q "SELECT p.id_number FROM certificates c JOIN practitioners p ON
	p.id = c.practitioner_id WHERE c.serial = '$old'")
oldh=$(q "SELECT total10 FROM certificates WHERE serial = '$old'")
{
	head -1 "$S/fujian.csv"
	echo "$idn,$(q "SELECT name FROM practitioners WHERE id_number =
		'$idn'"),$(q "SELECT unit FROM practitioners WHERE id_number =
		'$idn'"),$Y,professional,,7,年度学术交流会,福建省医学会,$Y-11-20,$Y-11-20,6,,,E2E-ADDED-1"
} >"$T/added.csv"
run "import a record that was missing" 0 $ISSUER --data "$D" import \
	"$T/added.csv" --quiet
run "stamp it" 0 hr_stamp "$D" 福建省人力资源和社会保障厅 --ref E2E-ADDED-1
run "reissue $old" 0 $ISSUER --data "$D" reissue "$old" --out "$OUT"
new=$(sed -n 's/^\([0-9A-Z-]*\) replaces .*/\1/p' "$T/o")
check "a new serial ($new)" test -n "$new" -a "$new" != "$old"
check "its PDF is there" test -f "$OUT/$Y/$new.pdf"
check "it has the added hours" test "$(q "SELECT total10 FROM certificates
	WHERE serial = '$new'")" -eq $((oldh + 60))
run "show the new one" 0 $ISSUER --data "$D" show "$new"
check "  replaces the old" has "^replaces: $old"
check "  is valid" has "^status: valid"
run "show the old one" 0 $ISSUER --data "$D" show "$old"
check "  is revoked as superseded" has "^status: revoked (superseded)"
check "  replaced by the new" has "^replaced by: $new"
run "reissuing a revoked certificate is an error" 1 $ISSUER --data "$D" \
	reissue "$old" --out "$OUT"

# A record added for someone else: the next issue run supersedes by itself.
idn2=$(q "SELECT p.id_number FROM certificates c JOIN practitioners p ON
	p.id = c.practitioner_id WHERE c.serial = '$short'")
sed "s/^$idn,/$idn2,/; s/E2E-ADDED-1/E2E-ADDED-2/" "$T/added.csv" |
	sed "2s/,[^,]*,[^,]*,$Y,/,$(q "SELECT name FROM practitioners WHERE
	id_number = '$idn2'"),$(q "SELECT unit FROM practitioners WHERE
	id_number = '$idn2'"),$Y,/" >"$T/added2.csv"
run "import a record for a second practitioner" 0 $ISSUER --data "$D" \
	import "$T/added2.csv" --quiet
run "stamp it" 0 hr_stamp "$D" 福建省人力资源和社会保障厅 --ref E2E-ADDED-2
run "issue --all again" 0 $ISSUER --data "$D" issue --year $Y --all \
	--out "$OUT" --quiet
check "  issues one and supersedes one" has "^1 issued, 1 superseded"
check "  and does not certify the revoked one again" \
	has "1 revoked and not reissued"
check "  the short one is revoked as superseded" test "$(q "SELECT reason
	FROM revocations WHERE serial = '$short'")" = superseded
check "everyone still has exactly one valid certificate" test "$(q "SELECT
	count(*) FROM (SELECT practitioner_id FROM certificates c WHERE year
	= $Y AND NOT EXISTS (SELECT 1 FROM revocations r WHERE r.serial =
	c.serial) GROUP BY practitioner_id HAVING count(*) > 1)")" -eq 0

# list, export.
run "list --id" 0 $ISSUER --data "$D" list --id "$idn"
check "  shows both certificates of the holder" test "$(grep -c "^$Y-" "$T/o")" -eq 2
run "list with a bad ID" 1 $ISSUER --data "$D" list --id 12345
run "export csv" 0 $ISSUER --data "$D" export --year $Y --format csv
cp "$T/o" "$T/export.csv"
check "  one row per practitioner with certificates" \
	test "$(grep -c '^[0-9]\{4\}\*' "$T/export.csv")" -eq "$holders"
check "  the reissued holder's row has both serials" \
	grep -q "$new,,$old\$" "$T/export.csv"
$ISSUER --data "$D" export --year $Y --format json >"$T/export.json" 2>/dev/null
check "export json parses, one object per practitioner" python3 -c "
import json, sys
rows = json.load(open('$T/export.json', encoding='utf-8'))
assert len(rows) == $holders, len(rows)
r = [x for x in rows if x['serial'] == '$new'][0]
assert r['revoked_serials'] == ['$old'] and r['status'] in ('met', 'unmet')
assert abs(r['total'] - ($oldh + 60) / 10) < 1e-9
"

# Course certificates for one practitioner.
nrec=$(q "SELECT count(*) FROM records r JOIN stamps s ON s.record_id = r.id
	AND s.decision = 'stamped' JOIN practitioners p ON p.id =
	r.practitioner_id WHERE p.id_number = '$idn' AND r.year = $Y")
run "issue --kind course --id" 0 $ISSUER --data "$D" issue --year $Y \
	--kind course --id "$idn" --out "$OUT" --quiet
check "  one course certificate per stamped record ($nrec)" \
	test "$(q "SELECT count(*) FROM certificates WHERE kind = 'course'")" \
	-eq "$nrec"
# Reissuing a course certificate covers the same record again.
cs=$(q "SELECT serial FROM certificates WHERE kind = 'course' ORDER BY leaf_index LIMIT 1")
crec=$(q "SELECT record_id FROM cert_records WHERE serial = '$cs'")
run "reissue a course certificate" 0 $ISSUER --data "$D" reissue "$cs" --out "$OUT"
ncs=$(q "SELECT replaced_by FROM revocations WHERE serial = '$cs'")
check "  the new course certificate ($ncs) covers the same record ($crec)" \
	test -n "$crec" -a "$(q "SELECT record_id FROM cert_records WHERE serial = '$ncs'")" = "$crec"

# Every PDF's receipt verifies against the final checkpoint: publish,
# serve the published copy, fetch a consistency proof for each batch's
# checkpoint size, check each PDF offline.
run "publish" 0 $ISSUER --data "$D" publish "$T/pub"
check "verifier.db is mode 0644" test "$(stat -c %a "$T/pub/verifier.db")" = 644
check "verifier.db has no personal tables" test "$(sqlite3 "$T/pub/verifier.db" \
	"SELECT count(*) FROM sqlite_master WHERE name IN ('practitioners',
	'records', 'stamps', 'cert_records')")" -eq 0
check "verifier.db holds no full ID number" sh -c "! grep -q -a '$idn' \
	'$T/pub/verifier.db'"
final=$(size)
"$VERIFIER" serve --db "$T/pub/verifier.db" --key "$T/keys/k1.pub" \
	--listen 127.0.0.1:0 \
	>"$T/srv.out" 2>"$T/srv.err" &
SRV=$!
for _ in $(seq 1 100); do
	URL=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$T/srv.out")
	[ -n "$URL" ] && break
	sleep 0.05
done
check "the verifier serves the published copy" test -n "$URL"
q "SELECT c.serial, c.pdf_file, (SELECT min(size) FROM checkpoints k
	WHERE k.size > c.leaf_index) FROM certificates c" >"$T/tocheck"
for cps in $(cut -d'|' -f3 "$T/tocheck" | sort -u); do
	curl -s -o "$T/cp.$cps" "$URL/checkpoint?consistency-from=$cps"
done
n=$(wc -l <"$T/tocheck")
# Four at a time: each check is its own process. The note and receipt are
# taken out of every PDF (pdfdetach) and checked as a bare note, since
# what is tested here is each receipt against the final checkpoint; the
# pages of one PDF are compared in full below (a re-render per PDF would
# cost a third of a CPU second each, hundreds of times).
awk -F'|' -v t="$T" '{ print $2; print t "/cp." $3 }' "$T/tocheck" |
	xargs -d '\n' -n 2 -P 4 sh -c 'd=$(mktemp -d) &&
	pdfdetach -saveall -o "$d" "$2" >/dev/null 2>&1 &&
	"$0" check "$d/certificate.note" --proof "$d/certificate.proof" \
	--key "$1" --checkpoint "$3" >/dev/null 2>&1 || echo "# FAILED: $2"
	rm -rf "$d"' "$VERIFIER" "$T/keys/k1.pub" 2>/dev/null >"$T/failed" || true
bad=$(wc -l <"$T/failed")
head -3 "$T/failed"
check "every PDF's receipt verifies against the final checkpoint (size $final): $n checked, $bad failed" \
	test "$bad" -eq 0 -a "$n" -gt "$holders"
one=$(head -1 "$T/tocheck")
check "one PDF checked whole (pages re-rendered) against the final checkpoint" \
	"$VERIFIER" check "$(echo "$one" | cut -d'|' -f2)" \
	--key "$T/keys/k1.pub" --checkpoint "$T/cp.${one##*|}"
# The check can fail: the same PDF with another batch's proof.
other=$(cut -d'|' -f3 "$T/tocheck" | sort -u | grep -vx "${one##*|}" | head -1)
check_fails "a receipt checked with the wrong proof does not pass" \
	"$VERIFIER" check "$(echo "$one" | cut -d'|' -f2)" \
	--key "$T/keys/k1.pub" --checkpoint "$T/cp.$other"
curl -s "$URL/api/v1/certificates/$old" >"$T/api.json"
check "the verifier answers revoked for the superseded one" \
	grep -q '"revoked"' "$T/api.json"
kill -TERM "$SRV" 2>/dev/null
wait "$SRV" 2>/dev/null
run "audit" 0 $ISSUER --data "$D" audit

# Weihai-style: compulsory and elective public hours.
W=$T/wh
run "init a Weihai issuer" 0 $ISSUER init --base-url http://127.0.0.1:8080 "$W" --keys "$T/wkeys" \
	--policy weihai --issuer 威海市专业技术人员继续教育服务平台 \
	--origin ledger.hourseal.example.cn/wh
run "keygen" 0 $ISSUER --data "$W" keygen --no-passphrase w1
run "import the Weihai platform export" 0 $ISSUER --data "$W" import \
	"$S/weihai-platform.csv" --skip-invalid "$T/wrej1.csv" --quiet
run "import the Weihai declared hours" 0 $ISSUER --data "$W" import \
	"$S/weihai-declared.csv" --skip-invalid "$T/wrej2.csv" --quiet
run "stamp" 0 hr_stamp "$W" 威海市人社局 --all
run "issue Weihai $Y" 0 $ISSUER --data "$W" issue --year $Y --all \
	--out "$T/wout" --quiet
ws=$(sed -n '2s/,.*//p' "$T/wout/$Y/manifest.csv")
run "show a Weihai certificate" 0 $ISSUER --data "$W" show "$ws"
check "  its records say public/compulsory" has "^record: public/compulsory |"
run "audit Weihai" 0 $ISSUER --data "$W" audit

# Bad input: each a clear error and the ledger unchanged.
s0=$(size)
run "a year with no stamped records" 1 $ISSUER --data "$D" issue \
	--year 2031 --all --out "$OUT"
check "  says so" has "no stamped records for 2031"
unknown=$(python3 -c "
w=[7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2]; f='11010519491231002'
print(f + '10X98765432'[sum(int(c)*k for c, k in zip(f, w)) % 11])")
run "an unknown ID" 1 $ISSUER --data "$D" issue --year $Y --id "$unknown" \
	--out "$OUT"
check "  says so" has "no practitioner with this ID number"
run "an invalid ID" 1 $ISSUER --data "$D" issue --year $Y \
	--id 110105194912310021 --out "$OUT"
check "  says why" has "check character"
mv "$T/keys/k1.key" "$T/k1.key.away"
run "a missing signing key" 2 $ISSUER --data "$D" issue --year 2025 --all \
	--out "$OUT"
check "  says so" has "signing key"
mv "$T/k1.key.away" "$T/keys/k1.key"
# Another writer holds the database (as another issuer would).
{ echo "BEGIN IMMEDIATE;"; echo "SELECT 1;"; sleep 9; echo "COMMIT;"; } |
	sqlite3 "$D/hourseal.db" >/dev/null 2>&1 &
LOCK=$!
# Until the lock is really held (a busy machine may take a while).
for _ in $(seq 1 100); do
	sqlite3 "$D/hourseal.db" "BEGIN IMMEDIATE; ROLLBACK;" >/dev/null 2>&1 ||
		break
	sleep 0.05
done
run "a locked database" 2 $ISSUER --data "$D" issue --year 2025 --all \
	--out "$OUT"
check "  says so" has "locked"
run "list, show and export still work meanwhile (read-only)" 0 sh -c \
	"$ISSUER --data '$D' list --year $Y && $ISSUER --data '$D' show '$new' \
	&& $ISSUER --data '$D' export --year $Y --format csv"
wait $LOCK
check "the ledger did not move ($s0)" test "$(size)" -eq "$s0"
# A full output disk.
FULL=$T/full
mkdir -p "$FULL"
if mount -t tmpfs -o size=192k tmpfs "$FULL" 2>/dev/null; then
	trap 'umount "$FULL" 2>/dev/null; rm -rf "$T"' EXIT
	run "a full output disk" 2 $ISSUER --data "$D" issue --year 2025 \
		--all --out "$FULL"
	check "  says so" has "disk is full"
	check "  nothing was appended" test "$(size)" -eq "$s0"
	run "one at a time until the disk is full" 2 $ISSUER --data "$D" \
		issue --year 2025 --all --out "$FULL" --batch 1 --quiet
	check "  says so" sh -c "grep -q 'disk is full\|No space left' '$T/o'"
	got=$(q "SELECT count(*) FROM certificates WHERE pdf_file LIKE
		'$FULL/%'")
	check "  some were issued before it filled up ($got)" test "$got" -gt 0
	check "  each with its PDF" test "$(find "$FULL/2025" -name '*.pdf' |
		wc -l)" -eq "$got"
	check "  no temporary file is left" test "$(find "$FULL" -name '.*' \
		-type f | wc -l)" -eq 0
	run "  audit" 0 $ISSUER --data "$D" audit
	umount "$FULL"
	# The same directory on a disk with room: the rerun restores the
	# PDFs that were lost with the small disk and finishes the year.
	run "the rerun repairs and finishes" 0 $ISSUER --data "$D" issue \
		--year 2025 --all --out "$FULL" --quiet
	check "  repairing the lost PDFs" has "repaired $got PDF"
	check "  every 2025 certificate has its PDF" test "$(find "$FULL/2025" \
		-name '*.pdf' | wc -l)" -eq "$(q "SELECT count(*) FROM
		certificates WHERE year = 2025 AND pdf_file LIKE '$FULL/%'")"
else
	ok "# skip full disk: cannot mount a tmpfs here"
fi
run "audit at the end" 0 $ISSUER --data "$D" audit
