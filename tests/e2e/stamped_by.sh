#!/usr/bin/env bash
# Who stamped each record is part of the certificate (docs/formats.md §3,
# the 8th field of a record line): issue, and the signed note, the PDF's
# text (pdftotext), the verifier's page and JSON API all name the
# organisation; the offline check re-renders the PDF byte for byte
# (VALID); an annual and a course certificate both show it. An old-format
# certificate (7-field records, tests/data/oldcert) still verifies, and
# stamping as an organisation a note could not carry is refused.
. "$(dirname "$0")/../lib.sh"
scratch
S=$HS_TOP/templates/samples
D=$T/fj
OUT=$T/pdfs
Y=2024
ORG=福州市人力资源和社会保障局
BASE=https://verify.example.cn

sq() { sqlite3 "$D/hourseal.db" "$@"; }
quiet() { "$@" >"$T/o" 2>&1 || { sed 's/^/# /' "$T/o" | tail -5; return 1; }; }

check "init" quiet "$ISSUER" init --issuer 福建省专业技术人员继续教育中心 --policy fujian --origin ledger.hourseal.example.cn/fj "$D" --keys "$T/keys" --base-url "$BASE"
check "keygen" quiet "$ISSUER" --data "$D" keygen --no-passphrase k1
check "import" quiet "$ISSUER" --data "$D" import "$S/small.csv" --skip-invalid "$T/rej.csv" --quiet

# An account acting for an organisation a note could not carry may not
# stamp: nothing is stamped.
for bad in "a | b" $'a\xe2\x80\xaeb' $'a\tb' $'a\xe2\x80\x8bb'; do
	check_fails "stamp as an account of '$(printf '%q' "$bad" | cut -c1-30)' is refused" \
		hr_stamp "$D" "$bad" --all
done
check "nothing was stamped by them" [ "$(sq "SELECT count(*) FROM stamps WHERE authority_kind = 'hr'")" = 0 ]

# One record stamped by an organisation whose name is markup and quotes:
# signed as text, shown escaped.
HID=$(sq "SELECT id FROM records WHERE state = 'waiting' ORDER BY id LIMIT 1")
HREF="#$HID"
HOSTILE="<b>O'Brien & Co</b>"
check "stamp $HREF as an account of $HOSTILE" quiet hr_stamp "$D" "$HOSTILE" --ref "$HREF"
check "stamp --all as an hr account of $ORG" quiet hr_stamp "$D" "$ORG" --all
check "issue" quiet "$ISSUER" --data "$D" issue --year $Y --all --out "$OUT"
cp "$T/keys/k1.pub" "$T/key.pub"

# A certificate with a record HR stamped (others were stamped at import).
SER=$(sq "SELECT serial FROM certificates WHERE note LIKE '%| $ORG%' AND note LIKE '%| auto (policy %' LIMIT 1")
check "a certificate with records stamped by $ORG and automatically ($SER)" [ -n "$SER" ]
PDF=$OUT/$Y/$SER.pdf
sq "SELECT note FROM certificates WHERE serial = '$SER'" >"$T/note"
check "every record line of the note has 8 fields" \
	awk -F' [|] ' '/^record: / { n++; if (NF != 8) bad++ } END { exit !(n > 0 && bad == 0) }' "$T/note"
stamp=$(sq "SELECT s.authority FROM cert_records c JOIN records r ON r.id = c.record_id
	JOIN stamps s ON s.id = r.stamp_id
	WHERE c.serial = '$SER' ORDER BY r.start_date, r.end_date, r.id" | paste -sd'#')
note=$(sed -n 's/^record: .* | //p' "$T/note" | paste -sd'#')
check "the note names each record's current stamp, in order" [ "$stamp" = "$note" ]

pdftotext -layout "$PDF" "$T/pdf.txt"
check "the PDF's text names $ORG" grep -qF "$ORG" "$T/pdf.txt"
check "the PDF's text says 验印" grep -qF "验印" "$T/pdf.txt"
n=$(grep -c '^record: ' "$T/note")
check "the PDF shows who stamped each of the $n records" [ "$(grep -o '验印' "$T/pdf.txt" | wc -l)" -eq "$n" ]
check "offline check: VALID (re-rendered byte for byte)" quiet "$VERIFIER" check "$PDF" --key "$T/key.pub"

# Eight records still fit on one page.
SER8=$(sq "SELECT serial FROM certificates c WHERE (SELECT count(*) FROM cert_records r WHERE r.serial = c.serial) = 8 LIMIT 1")
if [ -n "$SER8" ]; then
	check "a certificate of 8 records is one page" [ "$(pdfinfo "$OUT/$Y/$SER8.pdf" | awk '/^Pages/ {print $2}')" = 1 ]
fi

# A course certificate.
ID=$(sq "SELECT p.id_number FROM practitioners p JOIN certificates c ON c.practitioner_id = p.id WHERE c.serial = '$SER'")
check "issue --kind course" quiet "$ISSUER" --data "$D" issue --year $Y --id "$ID" --kind course --out "$T/course"
CSER=$(sq "SELECT serial FROM certificates WHERE kind = 'course' AND note LIKE '%| $ORG%' LIMIT 1")
check "a course certificate stamped by $ORG ($CSER)" [ -n "$CSER" ]
pdftotext "$T/course/$Y/$CSER.pdf" "$T/course.txt"
check "the course PDF says 验印单位 $ORG" grep -qF "$ORG" "$T/course.txt"
check "the course PDF has the 验印单位 label" grep -qF "验印单位" "$T/course.txt"
check "offline check of the course PDF: VALID" quiet "$VERIFIER" check "$T/course/$Y/$CSER.pdf" --key "$T/key.pub"

# The verifier's page and API.
start_server --db "$D/hourseal.db" --key "$T/key.pub" --rate 0 || exit 1
curl -s "$URL/c/$SER" >"$T/page"
check "the certificate page has a 验印单位 column" grep -qF "<th>验印单位</th>" "$T/page"
check "the certificate page names $ORG" grep -qF "$ORG" "$T/page"
curl -s "$URL/c/$SER?lang=en" >"$T/page.en"
check "the English page says Stamped by" grep -qF "Stamped by" "$T/page.en"
curl -s "$URL/api/v1/certificates/$SER" >"$T/j"
check "JSON: every record has stamped_by, as the note says" python3 -c "
import json, sys
j = json.load(open('$T/j'))
recs = j['certificate']['records'] if 'certificate' in j else j['records']
got = '#'.join(r['stamped_by'] for r in recs)
assert got == sys.argv[1], (got, sys.argv[1])
assert '$ORG' in got" "$note"
HSER=$(sq "SELECT serial FROM cert_records WHERE record_id = $HID")
curl -s "$URL/c/$HSER" >"$T/hpage"
check "the page shows the markup organisation escaped" grep -qF "&lt;b&gt;O&#39;Brien &amp; Co&lt;/b&gt;" "$T/hpage"
check "... and never as markup" bash -c "! grep -qF \"$HOSTILE\" '$T/hpage'"
curl -s "$URL/api/v1/certificates/$HSER" >"$T/hj"
check "JSON carries it as a string" python3 -c "
import json, sys
j = json.load(open('$T/hj'))
recs = j['certificate']['records'] if 'certificate' in j else j['records']
assert sys.argv[1] in [r['stamped_by'] for r in recs], recs" "$HOSTILE"
check "offline check of that certificate: VALID" quiet "$VERIFIER" check "$OUT/$Y/$HSER.pdf" --key "$T/key.pub"
stop_server

# An old-format certificate (7-field records): verifies as before.
OLD=$HS_TOP/tests/data/oldcert
OLDPDF=$(ls "$OLD"/*.pdf | head -1)
"$VERIFIER" check "$OLDPDF" --key "$OLD/old.pub" --base-url $BASE --json >"$T/old.json"
check "old-format certificate: valid, pages identical to the re-render" python3 -c "
import json; j = json.load(open('$T/old.json'))
assert j['status'] == 'valid' and j['pdf_pages'] == 'identical', j"
check "offline check of the old-format certificate: VALID" quiet "$VERIFIER" check "$OLDPDF" --key "$OLD/old.pub" --base-url $BASE
