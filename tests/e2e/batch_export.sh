#!/usr/bin/env bash
# Issue 15, "something to file": a batch's answer downloaded without a
# second upload, by the opaque token on its result page, as CSV (UTF-8
# with BOM, Chinese headers, cells a spreadsheet would run as formulas
# neutralised), XLSX (read back with exceljs) and a printable report;
# each says when it was checked, by which verifier (address and
# operator), against which checkpoint, and how many rows have each
# headline. The token, the format and the serve options are hostile
# input: a made-up, malformed or expired token is a Chinese 404, never
# another batch's rows; the store is bounded (the oldest answer goes).
. "$(dirname "$0")/../lib.sh"
scratch
D=$T/fj
Y=2024
q() { sqlite3 "$D/hourseal.db" "$@"; }
quiet() { "$@" >"$T/o" 2>&1 || { sed 's/^/# /' "$T/o" | tail -5; return 1; }; }
json() { python3 -c "import json,sys; j=json.load(open('$1')); sys.exit(0 if ($2) else 1)"; }
OPNAME='核验中心 <b>&"测试"</b>'
PUB=https://verify.example.cn

check "init" quiet "$ISSUER" init "$D" --issuer 福建省专业技术人员继续教育中心 --policy fujian --origin ledger.hourseal.example.cn/fj --keys "$T/keys" --base-url "$PUB"
check "keygen" quiet "$ISSUER" --data "$D" keygen k1 --no-passphrase
check "import" quiet "$ISSUER" --data "$D" import "$HS_TOP/templates/samples/small.csv" --skip-invalid "$T/rej.csv" --quiet
check "stamp" quiet hr_stamp "$D" 福建省人力资源和社会保障厅 --all
check "issue" quiet "$ISSUER" --data "$D" issue --year $Y --all --out "$T/pdfs"
K=$T/keys/k1.pub
mapfile -t SER < <(q "SELECT serial FROM certificates ORDER BY serial")
check "certificates (${#SER[@]})" [ "${#SER[@]}" -ge 3 ]
check "revoke one for error" quiet "$ISSUER" --data "$D" revoke "${SER[1]}" --reason error

# ---- serve options are checked ----
bad_opt() { "$VERIFIER" serve --db "$D/hourseal.db" --key "$K" --listen 127.0.0.1:0 "$@" >"$T/o" 2>&1; [ $? = 2 ]; }
check "--operator-name with a control character: refused (2)" bad_opt --operator-name $'a\nb'
check "--operator-name over 200 bytes: refused" bad_opt --operator-name "$(printf 'x%.0s' $(seq 1 201))"
check "--operator-name not UTF-8: refused" bad_opt --operator-name $'\xff\xfe'
check "--operator-contact empty: refused" bad_opt --operator-contact ''
check "--public-url javascript: refused" bad_opt --public-url 'javascript:alert(1)'
check "--public-url with a quote: refused" bad_opt --public-url 'https://x.cn/"><script>'
check "--public-url with a trailing /: refused" bad_opt --public-url 'https://x.cn/'
check "  saying which option" grep -q -- '--public-url' "$T/o"

check "server starts" start_server --db "$D/hourseal.db" --key "$K" --rate 0 \
	--operator-name "$OPNAME" --operator-contact 'a@b.cn' --public-url "$PUB"
trap 'kill -TERM $PID 2>/dev/null; rm -rf "$T"' EXIT
check "the operator's name is escaped in the footer" grep -qF '核验中心 &lt;b&gt;&amp;&quot;测试&quot;&lt;/b&gt;' <(curl -s "$URL/")

# A list with formula-looking lines (each is an item the CSV repeats).
{
	printf '%s\n' "${SER[0]}" "${SER[1]}" "${SER[2]}" 2024-ZZZZ-0000-0000-0000
	printf '%s\n' '=HYPERLINK("http://evil.example/?x")' '+1+1' '-2+3' '@SUM(A1)' '=cmd|calc!A0'
} >"$T/list"
curl -s -F "list=@$T/list" -F format=html "$URL/api/v1/verify/batch" >"$T/b.html"
TOK=$(grep -o 'batch/result/[0-9a-f]*?format=csv' "$T/b.html" | sed 's,batch/result/,,; s,?.*,,')
check "the result page links its downloads by a 32-hex token ($TOK)" [ "${#TOK}" = 32 ]
check "  the links hold no serial and no name" python3 - "$T/b.html" "${SER[0]}" <<'PY'
import re, sys
h = open(sys.argv[1]).read()
links = re.findall(r'href="(/api/v1/verify/batch/result/[^"]*)"', h)
assert len(links) == 3, links
assert all(re.fullmatch(r'/api/v1/verify/batch/result/[0-9a-f]{32}\?format=(csv|xlsx|print)', l) for l in links), links
assert not any(sys.argv[2] in l for l in links)
PY
n=$(curl -s "$URL/checkpoint" | sed -n 2p)

# ---- CSV ----
curl -s -D "$T/h" -o "$T/b.csv" "$URL/api/v1/verify/batch/result/$TOK?format=csv"
check "CSV: an attachment, text/csv" grep -qi '^content-type: text/csv; charset=utf-8' "$T/h"
check "CSV: starts with the UTF-8 BOM" [ "$(head -c 3 "$T/b.csv" | od -An -tx1 | tr -d ' ')" = efbbbf ]
check "CSV: the preamble says when, who, where, which checkpoint, how many" python3 - "$T/b.csv" "$PUB" "$n" <<'PY'
import csv, re, sys
text = open(sys.argv[1], encoding='utf-8-sig', newline='').read()
lines = text.split('\r\n')
i = [k for k, l in enumerate(lines) if l.startswith('序号,')][0]
meta = dict(r for r in csv.reader(lines[:i]) if len(r) == 2)
assert re.fullmatch(r'\d{4}-\d\d-\d\d \d\d:\d\d \(北京时间\)', meta['核验时间']), meta
assert meta['核验服务'] == '核验中心 <b>&"测试"</b>' and meta['核验网址'] == sys.argv[2], meta
assert meta['联系方式'] == 'a@b.cn', meta
assert '大小 %s ·' % sys.argv[3] in meta['账本检查点'], meta
assert meta['各结论份数'].startswith('共 9 份') and '已撤销 1' in meta['各结论份数'] and '未找到 6' in meta['各结论份数'], meta
PY
check "CSV: no cell begins with = + - @ TAB or CR; the formulas are text" python3 - "$T/b.csv" <<'PY'
import csv, sys
text = open(sys.argv[1], encoding='utf-8-sig', newline='').read()
cells = [c for r in csv.reader(text.split('\r\n')) for c in r]
bad = [c for c in cells if c[:1] in ('=', '+', '-', '@', '\t', '\r')]
assert not bad, bad
for want in ("'=HYPERLINK(", "'+1+1", "'-2+3", "'@SUM(A1)", "'=cmd|calc!A0"):
    assert any(c.startswith(want) for c in cells), want
PY
check "CSV: the revoked row's reason" grep -q "${SER[1]},已撤销（信息有误）,.*撤销原因：信息有误" "$T/b.csv"
# The same through the form's own format choice (an API client).
curl -s -F "list=@$T/list" -F format=csv "$URL/api/v1/verify/batch" >"$T/b2.csv"
check "format=csv on the batch itself: the same rows" bash -c "diff <(sed '1,/^序号/d' '$T/b.csv') <(sed '1,/^序号/d' '$T/b2.csv')"

# ---- XLSX, read by exceljs ----
curl -s -D "$T/h" -o "$T/b.xlsx" "$URL/api/v1/verify/batch/result/$TOK?format=xlsx"
check "XLSX: the spreadsheet content type" grep -qi '^content-type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' "$T/h"
cat >"$T/x.js" <<'JS'
const ExcelJS = require('exceljs');
(async () => {
	const wb = new ExcelJS.Workbook();
	await wb.xlsx.readFile(process.argv[2]);
	const ws = wb.getWorksheet('核验结果');
	const rows = [];
	ws.eachRow((r) => rows.push(r.values.slice(1).map((v) => v == null ? '' : String(v))));
	const types = [];
	ws.eachRow((r) => r.eachCell((c) => types.push(c.type)));
	console.log(JSON.stringify({ rows, allStrings: types.every((t) => t === ExcelJS.ValueType.String) }));
})().catch((e) => { console.error(e); process.exit(1); });
JS
NODE_PATH=$HS_TOP/tests/browser/node_modules node "$T/x.js" "$T/b.xlsx" >"$T/x.json" 2>"$T/x.err"
[ -s "$T/x.json" ] || sed 's/^/# /' "$T/x.err" | head -5
check "XLSX opens with exceljs" [ -s "$T/x.json" ]
check "XLSX: the preamble, the headers, 9 rows, every cell a string (no formula)" python3 - "$T/x.json" "${SER[1]}" "$PUB" "$n" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
rows = j['rows']
assert j['allStrings'], 'a cell that is not a string'
meta = {r[0]: r[1] for r in rows if len(r) >= 2 and r[0] in ('核验时间', '核验服务', '核验网址', '账本检查点', '各结论份数')}
assert meta['核验网址'] == sys.argv[3] and meta['核验服务'] == '核验中心 <b>&"测试"</b>', meta
assert '大小 %s ·' % sys.argv[4] in meta['账本检查点'], meta
hdr = [k for k, r in enumerate(rows) if r and r[0] == '序号'][0]
h = rows[hdr]
assert h[:4] == ['序号', '核验内容', '证书编号', '核验结论'], h
data = [dict(zip(h, r)) for r in rows[hdr + 1:]]
assert len(data) == 9, len(data)
rev = [d for d in data if d['证书编号'] == sys.argv[2]][0]
assert rev['核验结论'] == '已撤销（信息有误）' and '信息有误' in rev['说明'], rev
assert any(d['核验内容'].startswith('=HYPERLINK(') for d in data)
PY

# ---- the printable report ----
curl -s -o "$T/r.html" "$URL/api/v1/verify/batch/result/$TOK?format=print"
check "report: when, who, where, checkpoint, counts, and every row" python3 - "$T/r.html" "$PUB" "$n" <<'PY'
import re, sys
h = open(sys.argv[1]).read()
assert re.search(r'<dt>核验时间</dt><dd>\d{4}-\d\d-\d\d \d\d:\d\d \(北京时间\)</dd>', h)
assert '<dd>%s</dd>' % sys.argv[2] in h and '大小 %s ·' % sys.argv[3] in h
assert '<li data-verdict="revoked">已撤销 1</li>' in h and '<li data-verdict="not_found">未找到 6</li>' in h, h
assert len(re.findall(r'<tr data-verdict=', h)) == 9
assert '下载结果' not in h and 'href="/c/' not in h  # a paper: no links, no downloads
PY
check "style.css has the print rules" bash -c "curl -s '$URL/style.css' | grep -q '@media print{.*details.tech{display:none}'"

# ---- hostile tokens and formats ----
r404() { curl -s -o "$T/e.html" -w '%{http_code}' "$URL$1"; }
for t in '' 0123456789abcdef0123456789abcdef "${TOK^^}" "${TOK}0" "${TOK:0:31}" '..%2f..%2fetc%2fpasswd' \
	"$(printf 'a%.0s' $(seq 1 3000))" "%00$TOK" "$TOK/x"; do
	c=$(r404 "/api/v1/verify/batch/result/$t?format=csv")
	check "token '${t:0:40}': refused, 400/404/414 ($c)" test "$c" = 404 -o "$c" = 414 -o "$c" = 400
done
r404 "/api/v1/verify/batch/result/0123456789abcdef0123456789abcdef" >/dev/null
check "  in Chinese, with the operator" bash -c "grep -q '没有此核验结果，或已过期' '$T/e.html' && grep -q '核验中心' '$T/e.html'"
check_fails "  and no row of the real batch" grep -q "${SER[0]}" "$T/e.html"
for f in evil '%00csv' 'CSV' '' "$(printf 'x%.0s' $(seq 1 300))"; do
	c=$(curl -s -o /dev/null -w '%{http_code}' "$URL/api/v1/verify/batch/result/$TOK?format=$f")
	check "format '${f:0:20}': 400 ($c)" [ "$c" = 400 ]
done
c=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$URL/api/v1/verify/batch/result/$TOK")
check "POST to a result: 405 ($c)" [ "$c" = 405 ]

# ---- bounded: the 33rd answer pushes the first out ----
for i in $(seq 1 32); do
	curl -s -F "list=${SER[0]}" -F format=html "$URL/api/v1/verify/batch" >/dev/null
done
c=$(r404 "/api/v1/verify/batch/result/$TOK?format=csv")
check "after 32 more answers the first is gone (404, $c)" [ "$c" = 404 ]
curl -s -F "list=${SER[0]}" -F format=html "$URL/api/v1/verify/batch" >"$T/b3.html"
T3=$(grep -o 'batch/result/[0-9a-f]*?format=csv' "$T/b3.html" | sed 's,batch/result/,,; s,?.*,,')
c=$(curl -s -o /dev/null -w '%{http_code}' "$URL/api/v1/verify/batch/result/$T3?format=csv")
check "  the newest is there (200, $c)" [ "$c" = 200 ]

# ---- a hostile Host header without --public-url ----
stop_server
check "server without --public-url" start_server --db "$D/hourseal.db" --key "$K" --rate 0
curl -s -H 'Host: evil"><script>alert(1)</script>' "$URL/c/${SER[0]}" >"$T/hh.html"
check_fails "a hostile Host never reaches the page" grep -q '<script>' "$T/hh.html"
curl -s -H 'Host: verify.example.org:8443' "$URL/c/${SER[0]}" >"$T/hh.html"
check "a plain Host names the address" grep -q "http://verify.example.org:8443/c/${SER[0]}" "$T/hh.html"
