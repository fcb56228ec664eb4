#!/usr/bin/env bash
# The verification story end to end, with the real issuer and a real
# server on loopback: issue certificates, scan a PDF's QR code and open it
# (有效), revoke (已撤销 with the reason), upload the PDF (authentic), the
# PDF with one changed byte in its page content (modified), a PDF hourseal
# did not issue (not issued by us), batch-verify 300 serials (valid,
# revoked, unknown) row by row, and the offline check of the untouched and
# the modified PDF.
. "$(dirname "$0")/../lib.sh"
scratch
S=$HS_TOP/templates/samples
D=$T/fj
OUT=$T/out
Y=2024
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT

q() { sqlite3 "$D/hourseal.db" "$@"; }
quiet() { "$@" >"$T/o" 2>&1 || { sed 's/^/# /' "$T/o" | tail -5; return 1; }; }

check "init" quiet "$ISSUER" init --issuer 福建省专业技术人员继续教育中心 --policy fujian --origin ledger.hourseal.example.cn/fj "$D" --keys "$T/keys" --base-url "$BASE"
check "keygen" quiet "$ISSUER" --data "$D" keygen --no-passphrase k1
check "import" quiet "$ISSUER" --data "$D" import "$S/fujian.csv" --skip-invalid "$T/rej.csv" --quiet
check "stamp" quiet hr_stamp "$D" 福建省人力资源和社会保障厅 --all
check "issue (batches of 40)" quiet "$ISSUER" --data "$D" issue --year $Y --all --out "$OUT" --batch 40
n=$(q "SELECT count(*) FROM certificates WHERE year = $Y")
check "issued certificates ($n)" [ "$n" -ge 50 ]
cp "$T/keys/k1.pub" "$T/key.pub"

# The service reads the issuer's own database, read-only, while it writes.
"$VERIFIER" serve --db "$D/hourseal.db" --key "$T/key.pub" --listen "127.0.0.1:$PORT" \
	--rate 0 --access-log "$T/access.log" >"$T/srv.out" 2>"$T/srv.err" &
PID=$!
trap 'kill -TERM $PID 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 1 100); do grep -q listening "$T/srv.out" && break; sleep 0.05; done

# Scan the first certificate's QR code and open it. The code is on the
# last page: a certificate whose records (with who stamped each) do not
# fit on one page has two, so every page is rendered and scanned.
PDF=$(find "$OUT/$Y" -name '*.pdf' | sort | head -1)
SER=$(basename "$PDF" .pdf)
pdftoppm -r 200 -png "$PDF" "$T/page"
URL=$(zbarimg --raw -q "$T"/page*.png 2>/dev/null | head -1)
check "QR code decodes to the verifier URL ($URL)" [ "$URL" = "$BASE/c/$SER" ]
curl -s "$URL" >"$T/p"
check "the QR page says 有效" grep -q '<span class="big">有效·' "$T/p"
name=$(q "SELECT name FROM certificates WHERE serial = '$SER'")
check "the page shows the holder ($name)" grep -qF "$name" "$T/p"

# Upload the PDF: authentic and unchanged.
curl -s -H 'Content-Type: application/pdf' --data-binary "@$PDF" "$BASE/api/v1/verify" >"$T/j"
check "upload: authentic" python3 -c "
import json; j=json.load(open('$T/j')); assert j['outcome']=='authentic', j
assert j['receipt_valid'] and j['consistent_with_latest'], j"
curl -s -F "file=@$PDF;type=application/pdf" -F format=html "$BASE/api/v1/verify" >"$T/h"
check "form upload: HTML says authentic" grep -q '文件与签发时逐字节一致，未被修改' "$T/h"

# One changed byte inside the page's (compressed) content stream.
python3 - "$PDF" "$T/mod.pdf" <<'PY'
import re, sys
b = bytearray(open(sys.argv[1], 'rb').read())
# The first page's content stream: the first stream after "/Contents".
m = re.search(rb'/Contents (\d+) 0 R', b)
obj = m.group(1)
s = re.search(rb'\n' + obj + rb' 0 obj.*?stream\r?\n', b, re.S)
i = s.end() + 40
b[i] ^= 0x01
open(sys.argv[2], 'wb').write(b)
PY
check "the modified file differs in one byte" [ "$(cmp -l "$PDF" "$T/mod.pdf" | wc -l)" = 1 ]
curl -s -H 'Content-Type: application/pdf' --data-binary "@$T/mod.pdf" "$BASE/api/v1/verify" >"$T/j"
check "upload: modified" python3 -c "
import json; j=json.load(open('$T/j')); assert j['outcome']=='modified', j"
# A visible change that keeps every stream valid: the page text re-encoded
# by qpdf with one glyph byte changed.
qpdf --qdf --object-streams=disable "$PDF" "$T/qdf.pdf"
python3 - "$T/qdf.pdf" "$T/vis.pdf" <<'PY'
import re, sys
b = bytearray(open(sys.argv[1], 'rb').read())
m = re.search(rb'<([0-9a-fA-F]{8,})> ?Tj', b) or re.search(rb'\(([^)]{4,})\) ?Tj', b)
i = m.start(1) + 2
b[i] = ord('1') if b[i] != ord('1') else ord('2')
open(sys.argv[2], 'wb').write(b)
PY
curl -s -H 'Content-Type: application/pdf' --data-binary "@$T/vis.pdf" "$BASE/api/v1/verify" >"$T/j"
check "upload with a changed glyph: edited, naming what the page shows (issue 15)" python3 -c "
import json; j=json.load(open('$T/j')); assert j['outcome']=='edited' and j['differs'].startswith('页面显示 '), j"

# A PDF hourseal did not issue (made by qpdf from nothing of ours).
python3 - "$T/other.pdf" <<'PY'
import sys
objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"]
out = b"%PDF-1.4\n"; offs = []
for i, o in enumerate(objs, 1):
    offs.append(len(out)); out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
x = len(out)
out += b"xref\n0 4\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offs)
out += b"trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % x
open(sys.argv[1], "wb").write(out)
PY
curl -s -H 'Content-Type: application/pdf' --data-binary "@$T/other.pdf" "$BASE/api/v1/verify" >"$T/j"
check "a PDF without our attachments: not a certificate" python3 -c "
import json; j=json.load(open('$T/j')); assert j['outcome']=='not_a_certificate', j"
# Another issuer's certificate: same software, another key.
check "another issuer" quiet "$ISSUER" init --issuer 福建省专业技术人员继续教育中心 --policy fujian --origin ledger.hourseal.example.cn/fj "$T/other" --keys "$T/okeys" --base-url "$BASE"
quiet "$ISSUER" --data "$T/other" keygen --no-passphrase o1
quiet "$ISSUER" --data "$T/other" import "$S/small.csv" --skip-invalid "$T/rej2.csv" --quiet
quiet hr_stamp "$T/other" 某厅 --all
quiet "$ISSUER" --data "$T/other" issue --year $Y --all --out "$T/oout"
OPDF=$(find "$T/oout" -name '*.pdf' | head -1)
check "the other issuer made a PDF" [ -n "$OPDF" ]
curl -s -H 'Content-Type: application/pdf' --data-binary "@$OPDF" "$BASE/api/v1/verify" >"$T/j"
check "upload: not issued by us" python3 -c "
import json; j=json.load(open('$T/j')); assert j['outcome']=='not_issued_by_us', j"

# Offline: the untouched PDF passes, the modified ones fail.
check "check accepts the untouched PDF" quiet "$VERIFIER" check "$PDF" --key "$T/key.pub" --base-url "$BASE"
"$VERIFIER" check "$T/mod.pdf" --key "$T/key.pub" >"$T/o" 2>&1
check "check rejects the one-byte change (exit 1)" [ $? = 1 ]
"$VERIFIER" check "$T/vis.pdf" --key "$T/key.pub" --base-url "$BASE" >"$T/o" 2>&1
check "check --base-url rejects the changed glyph (exit 1)" [ $? = 1 ]
check "  saying it was edited (issue 15)" grep -q 'it was edited' "$T/o"
"$VERIFIER" check "$OPDF" --key "$T/key.pub" >"$T/o" 2>&1
check "check rejects another issuer's PDF (exit 1)" [ $? = 1 ]
# An older receipt against the latest checkpoint, with the proof from the service.
size=$(pdfdetach -save 2 -o "$T/proof" "$PDF" >/dev/null 2>&1; sed -n '/^$/{n;n;p;q}' "$T/proof")
curl -s "$BASE/checkpoint?consistency-from=$size" >"$T/newer"
check "check with a newer checkpoint and its consistency proof" \
	quiet "$VERIFIER" check "$PDF" --key "$T/key.pub" --checkpoint "$T/newer"

# Revoke: the same QR URL now says 已撤销 with the reason.
check "revoke" quiet "$ISSUER" --data "$D" revoke "$SER" --reason error --note "test"
ok=0
for _ in $(seq 1 30); do
	curl -s "$URL" >"$T/p"
	grep -q '已撤销' "$T/p" && { ok=1; break; }
	sleep 0.1
done
check "the QR page says 已撤销" [ $ok = 1 ]
check "  with the reason" grep -q '信息有误' "$T/p"
curl -s -H 'Content-Type: application/pdf' --data-binary "@$PDF" "$BASE/api/v1/verify" >"$T/j"
check "upload of the revoked PDF: revoked" python3 -c "
import json; j=json.load(open('$T/j')); assert j['outcome']=='revoked', j"

# Batch: 300 items of valid, revoked and unknown serials, every row checked.
q "SELECT serial FROM certificates c WHERE NOT EXISTS (SELECT 1 FROM revocations r WHERE r.serial = c.serial)" >"$T/valid"
q "SELECT serial FROM revocations" >"$T/revoked"
nv=$(wc -l <"$T/valid")
{
	head -200 "$T/valid" | awk 'NR%2==0 {print "'"$BASE"'/c/" $0; next} {print}'
	for i in $(seq 1 50); do cat "$T/revoked"; done | head -50
	for i in $(seq 1 50); do printf '2024-ZZZZ-0000-%04d-0000\n' "$i"; done
} | head -300 >"$T/batch"
check "batch of 300 ($nv valid available)" [ "$(wc -l <"$T/batch")" = 300 ]
curl -s -F "list=@$T/batch" -F format=csv "$BASE/api/v1/verify/batch" >"$T/out.csv"
check "every batch row is right" python3 - "$T/batch" "$T/out.csv" "$T/valid" "$T/revoked" <<'PY'
import csv, sys
items = [l.strip() for l in open(sys.argv[1])]
lines = open(sys.argv[2], encoding='utf-8-sig', newline='').read().split('\r\n')
rows = list(csv.DictReader([l for l in lines[[i for i, l in enumerate(lines) if l.startswith('序号,')][0]:] if l]))
valid = set(l.strip() for l in open(sys.argv[3]))
revoked = set(l.strip() for l in open(sys.argv[4]))
assert len(rows) == 300, len(rows)
for item, row in zip(items, rows):
    serial = item.rsplit('/', 1)[-1]
    assert row['证书编号'] == serial, (item, row)
    if serial in valid:
        assert row['状态代码'] == 'valid' and row['姓名'] and row['年度'] == '2024' \
            and '**********' in row['身份证号（部分隐藏）'] and row['总学时'], row
    elif serial in revoked:
        assert row['状态代码'] == 'revoked' and row['说明'], row
    else:
        assert row['状态代码'] == 'not_found', row
PY
# Several PDFs in one multipart body.
args=()
for f in $(find "$OUT/$Y" -name '*.pdf' | sort | head -5); do args+=(-F "files=@$f;type=application/pdf"); done
second=$(find "$OUT/$Y" -name '*.pdf' | sort | sed -n 2p)
head -c 2000 "$second" >"$T/mod2.pdf"
python3 -c "
import sys; b=bytearray(open('$second','rb').read()); i=len(b)//2; b[i]^=1
open('$T/mod2.pdf','wb').write(b)"
args+=(-F "files=@$T/mod2.pdf;type=application/pdf")
curl -s "${args[@]}" -F format=json "$BASE/api/v1/verify/batch" >"$T/j"
check "batch of PDFs: revoked, 4 authentic, 1 modified" python3 -c "
import json; j=json.load(open('$T/j')); s=[r['status'] for r in j['rows']]
assert s == ['revoked','authentic','authentic','authentic','authentic','modified'], s"

# The published copy serves the same answers (and no personal tables).
check "publish" quiet "$ISSUER" --data "$D" publish "$T/pub"
check_fails "the published copy has no practitioners table" \
	sqlite3 "$T/pub/verifier.db" "SELECT 1 FROM practitioners" 2>/dev/null
"$VERIFIER" serve --db "$T/pub/verifier.db" --key "$T/key.pub" --listen 127.0.0.1:0 >"$T/p2.out" 2>&1 &
P2=$!
for _ in $(seq 1 100); do U2=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$T/p2.out"); [ -n "$U2" ] && break; sleep 0.05; done
V=$(head -1 "$T/valid")
check "published copy: valid" bash -c "curl -s '$U2/c/$V' | grep -q '有效'"
check "published copy: revoked" bash -c "curl -s '$U2/c/$SER' | grep -q '已撤销'"
kill -TERM $P2; wait $P2
check_fails "no full ID number in the access log" grep -qE '[0-9]{17}[0-9X]' "$T/access.log"
