#!/usr/bin/env bash
# Hostile workbooks (issue 17): zip bombs disguised as .xlsx are refused
# quickly and within a small memory bound (the issuer's maximum resident
# size measured with /usr/bin/time), by the command line and by the
# /admin upload (the same library call), which also takes a real .xlsx:
# the messy workbook's good rows in, its warnings and rejected rows shown.
. "$(dirname "$0")/../lib.sh"
scratch
. "$HS_TOP/tests/serve_lib.sh"
export HOURSEAL_TODAY=2026-11-23
for t in python3 /usr/bin/time sqlite3 oathtool node; do
	command -v "$t" >/dev/null || { notok "$t is needed (scripts/deps.sh test)"; exit 0; }
done
D=$T/data
I() { "$ISSUER" --data "$D" "$@"; }
I init "$D" --issuer 福建省专业技术人员继续教育中心 --policy fujian --base-url http://127.0.0.1:8080 --origin ledger.hourseal.example.cn/fj --keys "$T/keys" >/dev/null 2>&1

# bomb.xlsx: a real workbook whose sheet inflates to 1 GiB of spaces
# (about 1 MB on disk); liar.xlsx: the same with its sizes rewritten to
# say 1000 bytes (the declared size lies); ratio.xlsx: 200 MiB (under the
# part bound) at about 1000 to 1.
python3 - "$T" <<'PY'
import struct, sys, zipfile, zlib
d = sys.argv[1]
wb = ('<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/'
      'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
      'officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" '
      'r:id="rId1"/></sheets></workbook>')
rels = ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.'
        'org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/></Relationships>')
def bomb(name, mib):
    with zipfile.ZipFile(d + "/" + name, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", wb)
        z.writestr("xl/_rels/workbook.xml.rels", rels)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(b"<worksheet><sheetData>")
            chunk = b" " * (1 << 20)
            for _ in range(mib):
                f.write(chunk)
            f.write(b"</sheetData></worksheet>")
bomb("bomb.xlsx", 1024)
bomb("ratio.xlsx", 200)
# The liar: every uncompressed size of the sheet (local header, central
# directory, zip64 extra fields) rewritten to 1000.
b = bytearray(open(d + "/bomb.xlsx", "rb").read())
name = b"xl/worksheets/sheet1.xml"
def fix_extra(off, n):
    end = off + n
    while off + 4 <= end:
        tag, size = struct.unpack_from("<HH", b, off)
        if tag == 1 and size >= 8:
            struct.pack_into("<Q", b, off + 4, 1000)
        off += 4 + size
i = 0
while True:
    i = b.find(b"PK\x03\x04", i)
    if i < 0: break
    n, m = struct.unpack_from("<HH", b, i + 26)
    if bytes(b[i + 30:i + 30 + n]) == name:
        if struct.unpack_from("<I", b, i + 22)[0] != 0xFFFFFFFF:
            struct.pack_into("<I", b, i + 22, 1000)
        fix_extra(i + 30 + n, m)
    i += 4
i = 0
while True:
    i = b.find(b"PK\x01\x02", i)
    if i < 0: break
    n, m = struct.unpack_from("<HH", b, i + 28)
    if bytes(b[i + 46:i + 46 + n]) == name:
        if struct.unpack_from("<I", b, i + 24)[0] != 0xFFFFFFFF:
            struct.pack_into("<I", b, i + 24, 1000)
        fix_extra(i + 46 + n, m)
    i += 4
open(d + "/liar.xlsx", "wb").write(b)
PY
check "the bombs are small on disk" test "$(stat -c %s "$T/bomb.xlsx")" -lt 4000000

# Memory bound: the issuer's own size plus a little (ASan's shadow memory
# makes a SAN build larger).
case $ISSUER in */san/*) bound=600000 ;; *) bound=96000 ;; esac
for b in bomb liar ratio; do
	start=$(date +%s)
	/usr/bin/time -f "%M" -o "$T/rss" "$ISSUER" --data "$D" import "$T/$b.xlsx" \
		>"$T/out" 2>"$T/err"
	rc=$?
	secs=$(( $(date +%s) - start ))
	rss=$(tail -1 "$T/rss")
	check "$b.xlsx: refused (exit 1)" test $rc = 1
	check "$b.xlsx: said why ($(head -c 160 "$T/err"))" grep -q -e "refused" -e "CRC" -e "inflate" -e "not well-formed XML: xmlSAX2Characters: huge text node" "$T/err"
	check "$b.xlsx: within ${bound} KiB resident (${rss} KiB)" test "$rss" -lt "$bound"
	check "$b.xlsx: within 20 s (${secs} s)" test "$secs" -le 20
done
"$ISSUER" --data "$D" import "$T/bomb.xlsx" >"$T/out" 2>"$T/err"
check "bomb.xlsx: the declared size named" grep -q "bomb.xlsx: xl/worksheets/sheet1.xml would inflate to 1024 MiB (at most 256): refused" "$T/err"
"$ISSUER" --data "$D" import "$T/ratio.xlsx" >"$T/out" 2>"$T/err"
check "ratio.xlsx: the compression ratio named" grep -q "ratio.xlsx: xl/worksheets/sheet1.xml is compressed [0-9]* to 1 (at most 250 to 1): refused (a zip bomb?)" "$T/err"
check "nothing stored" test "$(sqlite3 "$D/hourseal.db" 'SELECT count(*) FROM records')" = 0

# The /admin upload: the same reader.
NM=${HS_NODE_MODULES:-$HS_TOP/tests/browser/node_modules}
NODE_PATH=$NM node "$HS_TOP/tests/interop/messy_workbook.js" "$T/messy.xlsx" ||
	notok "exceljs writes the workbook"
check "the service starts" serve_start "$D"
check "a provider signs in" account "$D" jidi provider 福建省继续教育基地 福建省继续教育基地
J=$T/jidi.jar
upload() {
	local c f=$1
	shift
	c=$(page_csrf "$J" /admin/records/upload)
	http_code "$J" POST /admin/records/upload -F "csrf=$c" -F "file=@$f" "$@"
}
http_code "$J" GET /admin/records/upload >/dev/null
check "the form offers .xlsx" grep -q 'accept="[^"]*\.xlsx' "$T/body"
st=$(upload "$T/messy.xlsx")
check "messy.xlsx without skip_invalid: 422, nothing imported ($st)" eval \
	'[ "$st" = 422 ] && [ "$(sqlite3 "$D/hourseal.db" "SELECT count(*) FROM records")" = 0 ]'
st=$(upload "$T/messy.xlsx" -F skip_invalid=1)
check "messy.xlsx with skip_invalid: 200 ($st)" test "$st" = 200
check "22 inserted, 4 rejected" grep -q '新增 22 · 已存在 0 · 有误 4' "$T/body"
check "the rejected rows listed with line, field, reason" \
	grep -q '<tr><td class="num">27</td><td class="mono">id_number</td><td>3.50203E+17 is a number Excel made' "$T/body"
check "the warnings shown (ignored columns, skipped rows)" eval \
	'grep -q "columns ignored (not hourseal&#39;s): 序号, 备注" "$T/body" && grep -q "messy.xlsx:31: warning: a total row (合计) skipped\|upload:31: warning: a total row (合计) skipped" "$T/body"'
check "22 records submitted by jidi" test "$(sqlite3 "$D/hourseal.db" "SELECT count(*) FROM records WHERE submitted_by = 'jidi'")" = 22
st=$(upload "$T/bomb.xlsx")
check "the bomb uploaded: refused with 4xx ($st)" eval '[ "$st" -ge 400 ] && [ "$st" -lt 500 ]'
check "the service still answers" test "$(http_code "$J" GET /admin/records/upload)" = 200
serve_stop
