#!/usr/bin/env bash
# A visible edit is not a re-save (issue 15). A certificate PDF whose page
# was edited (专业科目 60 -> 90, written with the page's own glyphs in its
# content stream: qpdf --qdf, an edit, fix-qdf) is named as edited, with
# what the page shows against what was signed, by `check` (INVALID) and by
# the service (outcome "edited", field "differs") in the single upload and
# the batch. The same file re-saved by qpdf (with object streams, and
# --qdf) shows what was signed: `check` says VALID with pdf pages
# "resaved", the service "resaved" (内容一致，文件已被改存), never
# "authentic". A white box drawn over the text (the same text, other
# drawing) stays "modified". Hostile: a file with object streams whose
# stream inflates to 100 MB, and one whose object stream names an
# LZW filter through # escapes, are refused as unreadable within the
# budget, quickly.
. "$(dirname "$0")/../lib.sh"
scratch
D=$T/issuer
quiet() { "$@" >"$T/o" 2>&1 || { sed 's/^/# /' "$T/o" | tail -5; return 1; }; }
js() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."): d = d.get(k, "") if isinstance(d, dict) else (d[int(k)] if isinstance(d, list) else "")
print(d)' "$@"; }

check "init" quiet "$ISSUER" init "$D" --issuer 福建省专业技术人员继续教育中心 --policy fujian --origin ledger.hourseal.example.cn/fj --keys "$T/keys" --base-url http://127.0.0.1:1
quiet "$ISSUER" --data "$D" keygen k1 --no-passphrase
quiet "$ISSUER" --data "$D" import "$HS_TOP/templates/samples/small.csv" --skip-invalid "$T/rej.csv" --quiet
quiet hr_stamp "$D" 福建省人力资源和社会保障厅 --all
check "issue" quiet "$ISSUER" --data "$D" issue --year 2024 --all --out "$T/pdfs"
check "publish" quiet "$ISSUER" --data "$D" publish "$T/pub"
P=$(ls "$T"/pdfs/2024/*.pdf | head -1)
S=$(basename "$P" .pdf)
K=$T/keys/k1.pub

# The edit, and the re-saves.
qpdf --qdf --object-streams=disable "$P" "$T/q.pdf"
read -r OLD NEW < <(python3 "$HS_TOP/tests/e2e/pdf_edit.py" "$T/q.pdf" "$T/e.qdf" "学时 专业科目 Professional" 9x)
fix-qdf "$T/e.qdf" >"$T/edited.pdf"
check "the edit: 专业科目 $OLD -> $NEW, as pdftotext reads it" \
	grep -q "Professional $NEW " <(pdftotext -layout "$T/edited.pdf" -)
qpdf --object-streams=generate "$P" "$T/objstm.pdf"
check "qpdf --object-streams=generate wrote object streams" grep -aq /ObjStm "$T/objstm.pdf"
# A white box over the page's text: same text, other drawing.
sed '0,/^q BT$/s//q 1 1 1 rg 40 600 500 100 re f Q\nq BT/' "$T/q.pdf" >"$T/box.qdf"
fix-qdf "$T/box.qdf" >"$T/box.pdf"

# 1. check, offline.
"$VERIFIER" check "$T/edited.pdf" --key "$K" >"$T/c1" 2>&1
check "check: an edited page is INVALID (exit $?)" grep -q ": INVALID$" "$T/c1"
check "  and says what the page shows against what was signed" \
	grep -q "it was edited.*页面显示 专业科目 $NEW，签名内容为 $OLD" "$T/c1"
"$VERIFIER" check "$T/edited.pdf" --key "$K" --json >"$T/c1.json"
check "  JSON: pdf_pages different, pdf_pages_difference names it first" \
	[ "$(js "$T/c1.json" pdf_pages)|$(js "$T/c1.json" pdf_pages_difference | cut -d' ' -f1-4)" = "different|页面显示 专业科目 $NEW，签名内容为 $OLD" ]
for f in objstm q; do
	"$VERIFIER" check "$T/$f.pdf" --key "$K" --json >"$T/c-$f.json"
	rc=$?
	check "check: the qpdf re-save ($f) is VALID, pdf pages resaved (exit $rc)" \
		[ "$rc|$(js "$T/c-$f.json" status)|$(js "$T/c-$f.json" pdf_pages)" = "0|valid|resaved" ]
done
"$VERIFIER" check "$T/objstm.pdf" --key "$K" >"$T/c2"
check "  the human form says re-saved" grep -q "pdf pages:   re-saved by another program" "$T/c2"
"$VERIFIER" check "$T/box.pdf" --key "$K" --json >"$T/c3.json"
check "check: a white box over the text is not resaved ($(js "$T/c3.json" pdf_pages))" \
	[ "$(js "$T/c3.json" status)" != valid ]

# 2. The service: single upload and batch.
start_server --db "$T/pub/verifier.db" --key "$K" --rate 0 || { notok "server starts"; exit 1; }
trap 'kill -TERM $PID 2>/dev/null; rm -rf "$T"' EXIT
up() { curl -s -m 30 -H 'Content-Type: application/pdf' --data-binary "@$1" "$URL/api/v1/verify" >"$2"; }
up "$P" "$T/u0.json"
check "upload: the issued file is authentic" [ "$(js "$T/u0.json" outcome)" = authentic ]
up "$T/edited.pdf" "$T/u1.json"
check "upload: the edited file is \"edited\"" [ "$(js "$T/u1.json" outcome)" = edited ]
check "  differs: 页面显示 专业科目 $NEW，签名内容为 $OLD" \
	[ "$(js "$T/u1.json" differs)" = "页面显示 专业科目 $NEW，签名内容为 $OLD" ]
check "  the ledger still says the certificate is valid" \
	[ "$(js "$T/u1.json" certificate_status.status)" = valid ]
for f in objstm q; do
	up "$T/$f.pdf" "$T/u-$f.json"
	check "upload: the qpdf re-save ($f) is \"resaved\"" [ "$(js "$T/u-$f.json" outcome)" = resaved ]
	check "  problem: 内容一致，文件已被改存" grep -q '内容一致，文件已被改存' "$T/u-$f.json"
done
up "$T/box.pdf" "$T/u3.json"
check "upload: a white box over the text stays \"modified\"" [ "$(js "$T/u3.json" outcome)" = modified ]
check "  saying the text matches but the drawing does not" grep -q '页面的绘制与签发的证书不同' "$T/u3.json"
curl -s -m 30 -F "a=@$T/edited.pdf;type=application/pdf;filename=edited.pdf" \
	-F "b=@$T/objstm.pdf;type=application/pdf;filename=objstm.pdf" \
	-F "c=@$P;type=application/pdf;filename=orig.pdf" "$URL/api/v1/verify/batch" >"$T/b.json"
check "batch: edited, resaved, authentic rows" \
	[ "$(js "$T/b.json" rows.0.status),$(js "$T/b.json" rows.1.status),$(js "$T/b.json" rows.2.status)" = "edited,resaved,authentic" ]
check "  the edited row names the difference" grep -q "页面显示 专业科目 $NEW，签名内容为 $OLD" "$T/b.json"

# 3. Hostile files with object streams.
python3 - "$T/objstm.pdf" "$T/bomb.pdf" "$T/lzw.pdf" <<'PY'
import re, sys, zlib
d = open(sys.argv[1], 'rb').read()
# A stream inflating to 100 MB, added before the trailer.
z = zlib.compress(b' ' * (100 << 20), 9)
obj = b'\n999 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n' % len(z) + z + b'\nendstream\nendobj\n'
i = d.rfind(b'startxref')
open(sys.argv[2], 'wb').write(d[:i] + obj + d[i:])
# The object stream's filter spelled /LZW#44ecode (the same length).
m = re.search(rb'/Type /ObjStm', d) or re.search(rb'/ObjStm', d)
j = d.rfind(b'/FlateDecode', 0, m.start() + 200)
open(sys.argv[3], 'wb').write(d[:j] + b'/LZW#44ecode' + d[j + 12:])
PY
s0=$(date +%s%N)
up "$T/bomb.pdf" "$T/h1.json"
ms=$(( ($(date +%s%N) - s0) / 1000000 ))
check "a 100 MB stream in a file with object streams: not a certificate (${ms} ms)" \
	[ "$(js "$T/h1.json" outcome)" = not_a_certificate ]
check "  refused over the decoding budget" grep -q 'exceeds' "$T/h1.json"
check "  within 5 s" [ "$ms" -lt 5000 ]
up "$T/lzw.pdf" "$T/h2.json"
check "an object stream naming /LZW#44ecode: refused as unreadable" \
	grep -q 'encodings this verifier does not read' "$T/h2.json"
"$VERIFIER" check "$T/bomb.pdf" --key "$K" >"$T/c4" 2>&1
check "check: the bomb is refused too" grep -q 'exceeds' "$T/c4"
check_fails "the server reported no sanitizer error or crash" \
	grep -qiE 'sanitizer|runtime error|segmentation' "$T/err"
stop_server
