#!/usr/bin/env bash
# Issue 15, "the headline says what a decision needs": one headline for a
# certificate that meets the year's requirement (有效·达标, green), one
# that does not (有效·未达标（尚缺 …）, amber, never green), one revoked
# for error (已撤销（信息有误）), one superseded (已被替换 → the new one,
# linked) and an unknown serial (未找到), the same on the /c/ page, its
# JSON ("verdict", "verdict_text"), the batch rows (HTML, CSV, XLSX,
# JSON: the revoked row says why, never "requirement not met") and the
# first line of the offline `check`. Every verifier page names its
# operator, Chinese pages say nothing in English outside the folded
# 技术信息, and the ledger's details are folded there.
. "$(dirname "$0")/../lib.sh"
scratch
S=$HS_TOP/templates/samples
D=$T/fj
Y=2024
q() { sqlite3 "$D/hourseal.db" "$@"; }
quiet() { "$@" >"$T/o" 2>&1 || { sed 's/^/# /' "$T/o" | tail -5; return 1; }; }
# json FILE EXPR: a Python expression over the JSON in FILE (j).
json() { python3 -c "import json,sys; j=json.load(open('$1')); sys.exit(0 if ($2) else 1)"; }
OPNAME='福建省继续教育核验中心'
OPCONTACT='0591-12345678'
PUB=https://verify.example.cn

check "init" quiet "$ISSUER" init "$D" --issuer 福建省专业技术人员继续教育中心 --policy fujian --origin ledger.hourseal.example.cn/fj --keys "$T/keys" --base-url "$PUB"
check "keygen" quiet "$ISSUER" --data "$D" keygen k1 --no-passphrase
check "import" quiet "$ISSUER" --data "$D" import "$S/fujian.csv" --skip-invalid "$T/rej.csv" --quiet
check "stamp" quiet hr_stamp "$D" 福建省人力资源和社会保障厅 --all
check "issue" quiet "$ISSUER" --data "$D" issue --year $Y --all --out "$T/pdfs"
K=$T/keys/k1.pub
MET=$(q "SELECT serial FROM certificates WHERE status = 'met' AND kind = 'annual' ORDER BY serial LIMIT 1")
UNMET=$(q "SELECT serial FROM certificates WHERE status = 'unmet' AND kind = 'annual' ORDER BY serial LIMIT 1")
REV=$(q "SELECT serial FROM certificates WHERE status = 'met' ORDER BY serial LIMIT 1 OFFSET 1")
SUP=$(q "SELECT serial FROM certificates WHERE status = 'met' ORDER BY serial LIMIT 1 OFFSET 2")
NF=2024-ZZZZ-0000-0000-0000
check "a met, an unmet and two more certificates" [ -n "$MET" ] && [ -n "$UNMET" ] && [ -n "$SUP" ]
check "revoke one for error" quiet "$ISSUER" --data "$D" revoke "$REV" --reason error --note test
check "reissue another (superseded)" quiet "$ISSUER" --data "$D" reissue "$SUP" --out "$T/out2"
NEW=$(q "SELECT replaced_by FROM revocations WHERE serial = '$SUP'")
check "  the replacement ($NEW)" [ -n "$NEW" ]
check "tiles (the ledger copy for check)" quiet "$ISSUER" --data "$D" tiles "$T/tiles"

check "server starts with its operator" start_server --db "$D/hourseal.db" --key "$K" --rate 0 \
	--operator-name "$OPNAME" --operator-contact "$OPCONTACT" --public-url "$PUB"
trap 'kill -TERM $PID 2>/dev/null; rm -rf "$T"' EXIT

# ---- the page ----
page() { curl -s "$URL/c/$1" >"$T/$2.html"; }
banner() { grep -o '<div class="banner [a-z]*" role="status" data-verdict="[a-z_]*"><span class="big">[^<]*' "$T/$1.html"; }
for s in MET UNMET REV SUP NF; do page "${!s}" "$s"; curl -s "$URL/api/v1/certificates/${!s}" >"$T/$s.json"; done
check "met: the green 有效·达标" [ "$(banner MET)" = '<div class="banner valid" role="status" data-verdict="valid_met"><span class="big">有效·达标' ]
# The shortfall per category, from the signed note's requirement.
short=$(python3 - "$T/UNMET.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))['certificate']
h = lambda k: float(c['hours'][k]); r = lambda k: float(c['requirement'][k])
f = lambda x: ('%g' % x)
parts = []
sp, sq = max(0, r('public') - h('public')), max(0, r('professional') - h('professional'))
if sp: parts.append('公需 ' + f(sp))
if sq: parts.append('专业 ' + f(sq))
st = max(0, r('total') - h('total'))
if st > sp + sq: parts.append('合计 ' + f(st))
print('、'.join(parts))
PY
)
check "unmet: amber 有效·未达标（尚缺 $short 学时）" [ "$(banner UNMET)" = "<div class=\"banner warn\" role=\"status\" data-verdict=\"valid_unmet\"><span class=\"big\">有效·未达标（尚缺 $short 学时）" ]
check_fails "  never a green banner" grep -q 'class="banner valid"' "$T/UNMET.html"
check "revoked: red 已撤销（信息有误）" [ "$(banner REV)" = '<div class="banner revoked" role="status" data-verdict="revoked"><span class="big">已撤销（信息有误）' ]
check "superseded: 已被替换 → $NEW" [ "$(banner SUP)" = "<div class=\"banner grey\" role=\"status\" data-verdict=\"superseded\"><span class=\"big\">已被替换 → $NEW" ]
check "  the replacement linked" grep -q "<a href=\"/c/$NEW\">$NEW</a>" "$T/SUP.html"
check "not found: grey 未找到" [ "$(banner NF)" = '<div class="banner grey" role="status" data-verdict="not_found"><span class="big">未找到' ]
check "the ledger's details folded under 技术信息" python3 - "$T/MET.html" <<'PY'
import re, sys
h = open(sys.argv[1]).read()
d = re.search(r'<details class="tech"><summary>技术信息</summary>(.*?)</details>', h, re.S)
assert d and '账本序号' in d.group(1) and '签名公钥' in d.group(1) and '检查点' in d.group(1), h
out = h.replace(d.group(0), '')
assert '账本序号' not in out and '签名公钥' not in out, 'ledger details outside the fold'
PY
n=$(curl -s "$URL/checkpoint" | sed -n 2p)
check "the page's record: time, address, operator, issuer, checkpoint (size $n)" python3 - "$T/MET.html" "$PUB/c/$MET" "$OPNAME" "$n" <<'PY'
import re, sys
h = open(sys.argv[1]).read()
card = re.search(r'<section class="card checked">(.*?)</section>', h, re.S).group(1)
assert re.search(r'<dt>核验时间</dt><dd>\d{4}-\d\d-\d\d \d\d:\d\d \(北京时间\)</dd>', card), card
assert sys.argv[2] in card and sys.argv[3] in card and '签发机构' in card, card
assert '大小 %s ·' % sys.argv[4] in card, card
PY

# ---- the JSON ----
check "JSON: valid_met" json "$T/MET.json" "j['verdict']=='valid_met' and j['verdict_text']=='有效·达标' and j['status']=='valid'"
check "JSON: valid_unmet with the shortfall" json "$T/UNMET.json" \
	"j['verdict']=='valid_unmet' and j['verdict_text']=='有效·未达标（尚缺 $short 学时）' and float(j['shortfall']['total']) == float(j['certificate']['requirement']['total']) - float(j['certificate']['hours']['total'])"
check "JSON: revoked" json "$T/REV.json" "j['verdict']=='revoked' and j['verdict_text']=='已撤销（信息有误）' and j['revocation']['reason']=='error'"
check "JSON: superseded" json "$T/SUP.json" "j['verdict']=='superseded' and j['verdict_text']=='已被替换 → $NEW'"
check "JSON: not_found" json "$T/NF.json" "j['verdict']=='not_found' and j['verdict_text']=='未找到'"

# ---- the batch: the same facts in every row ----
printf '%s\n' "$MET" "$PUB/c/$UNMET" "$REV" "$SUP" "$NF" >"$T/list"
curl -s -F "list=@$T/list" -F format=json "$URL/api/v1/verify/batch" >"$T/b.json"
check "batch JSON: the five headlines in order" json "$T/b.json" \
	"[r['verdict'] for r in j['rows']]==['valid_met','valid_unmet','revoked','superseded','not_found']"
check "batch JSON: the revoked row says why (error), its issuer, year and hours" json "$T/b.json" \
	"j['rows'][2]['revocation']['reason']=='error' and j['rows'][2]['verdict_text']=='已撤销（信息有误）' and j['rows'][2]['issuer'] and j['rows'][2]['year']==$Y and j['rows'][2]['hours'] and 'requirement' not in json.dumps(j['rows'][2])"
check "batch JSON: the superseded row names the replacement" json "$T/b.json" "j['rows'][3]['revocation']['replaced_by']=='$NEW'"
check "batch JSON: the unmet row's shortfall" json "$T/b.json" "j['rows'][1]['verdict_text']=='有效·未达标（尚缺 $short 学时）' and j['rows'][1]['shortfall']==json.load(open('$T/UNMET.json'))['shortfall']"
curl -s -F "list=@$T/list" -F format=html "$URL/api/v1/verify/batch" >"$T/b.html"
check "batch page: the same headlines as the pages" python3 - "$T/b.html" "$short" "$NEW" <<'PY'
import re, sys
h = open(sys.argv[1]).read()
rows = re.findall(r'<tr data-verdict="([a-z_]*)">.*?</tr>', h)
assert rows == ['valid_met', 'valid_unmet', 'revoked', 'superseded', 'not_found'], rows
trs = re.findall(r'<tr data-verdict="[a-z_]*">(.*?)</tr>', h)
assert '>有效·达标<' in trs[0] and '有效·未达标（尚缺 %s 学时）' % sys.argv[2] in trs[1], trs[:2]
assert '已撤销（信息有误）' in trs[2] and '撤销原因：信息有误' in trs[2], trs[2]
assert 'not met' not in h and 'requirement' not in h, 'English in the batch page'
assert '<a href="/c/%s">' % sys.argv[3] in trs[3], trs[3]
assert '>未找到<' in trs[4], trs[4]
PY
check_fails "batch page: the revoked row does not say the requirement is not met" grep -q 'yearly requirement' "$T/b.html"
curl -s -F "list=@$T/list" -F format=csv "$URL/api/v1/verify/batch" >"$T/b.csv"
check "batch CSV: 核验结论 per row" python3 - "$T/b.csv" "$short" "$NEW" <<'PY'
import csv, sys
lines = open(sys.argv[1], encoding='utf-8-sig', newline='').read().split('\r\n')
i = [k for k, l in enumerate(lines) if l.startswith('序号,')][0]
rows = list(csv.DictReader([l for l in lines[i:] if l]))
want = ['有效·达标', '有效·未达标（尚缺 %s 学时）' % sys.argv[2], '已撤销（信息有误）',
        '已被替换 → ' + sys.argv[3], '未找到']
assert [r['核验结论'] for r in rows] == want, [r['核验结论'] for r in rows]
assert '撤销原因：信息有误' in rows[2]['说明'] and rows[2]['签发机构'] and rows[2]['年度'] == '2024', rows[2]
assert [r['结论代码'] for r in rows] == ['valid_met', 'valid_unmet', 'revoked', 'superseded', 'not_found']
PY
TOK=$(grep -o 'batch/result/[0-9a-f]\{32\}?format=xlsx' "$T/b.html" | head -1 | sed 's,batch/result/,,; s,?.*,,')
check "the result page offers the downloads (token $TOK)" [ ${#TOK} = 32 ]
curl -s -o "$T/b.xlsx" "$URL/api/v1/verify/batch/result/$TOK?format=xlsx"
check "batch XLSX (python zipfile + XML): 核验结论 per row" python3 - "$T/b.xlsx" "$short" "$NEW" <<'PY'
import re, sys, zipfile
import xml.etree.ElementTree as ET
z = zipfile.ZipFile(sys.argv[1])
ns = {'m': 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'}
ss = [''.join(t.text or '' for t in si.iter('{%s}t' % ns['m']))
      for si in ET.fromstring(z.read('xl/sharedStrings.xml')).findall('m:si', ns)]
grid = {}
for c in ET.fromstring(z.read('xl/worksheets/sheet1.xml')).iter('{%s}c' % ns['m']):
    ref = c.get('r'); col, row = re.match(r'([A-Z]+)(\d+)', ref).groups()
    assert c.get('t') == 's', ('not a string cell', ref)
    grid.setdefault(int(row), {})[col] = ss[int(c.find('m:v', ns).text)]
hdr = [r for r in grid if grid[r].get('A') == '序号'][0]
cols = {v: k for k, v in grid[hdr].items()}
got = [grid[r].get(cols['核验结论']) for r in sorted(grid) if r > hdr]
want = ['有效·达标', '有效·未达标（尚缺 %s 学时）' % sys.argv[2], '已撤销（信息有误）',
        '已被替换 → ' + sys.argv[3], '未找到']
assert got == want, got
PY

# ---- check: the headline first ----
pdf() { find "$T/pdfs" -name "$1.pdf" | head -1; }
chk() { local f=$1; shift; "$VERIFIER" check "$f" --key "$K" "$@" >"$T/c.out" 2>&1; head -1 "$T/c.out"; }
check "check, met: first line 有效·达标 [valid_met]" [ "$(chk "$(pdf "$MET")" --base-url "$PUB")" = '有效·达标 [valid_met]' ]
check "check, unmet: 有效·未达标（尚缺 $short 学时） [valid_unmet]" [ "$(chk "$(pdf "$UNMET")" --base-url "$PUB")" = "有效·未达标（尚缺 $short 学时） [valid_unmet]" ]
check "check --ledger, revoked: 已撤销（信息有误） [revoked]" [ "$(chk "$(pdf "$REV")" --base-url "$PUB" --ledger "$T/tiles")" = '已撤销（信息有误） [revoked]' ]
check "check --ledger, superseded: 已被替换 [superseded]" [ "$(chk "$(pdf "$SUP")" --base-url "$PUB" --ledger "$T/tiles")" = '已被替换 [superseded]' ]
"$VERIFIER" check "$(pdf "$UNMET")" --key "$K" --base-url "$PUB" --json >"$T/c.json"
check "check --json: verdict and verdict_text" json "$T/c.json" "j['verdict']=='valid_unmet' and j['verdict_text']=='有效·未达标（尚缺 $short 学时）'"
echo 'not a certificate' >"$T/junk.note"
check "check, not a certificate: [not_a_certificate]" [ "$(chk "$T/junk.note")" = '不是学时证明文件 [not_a_certificate]' ]
python3 -c "
import sys; b=bytearray(open('$(pdf "$MET")','rb').read()); i=b.find(b'stream\n', len(b)//3)+40; b[i]^=1
open('$T/mod.pdf','wb').write(b)"
check_fails "check, a changed file: never 有效" bash -c "[ \"\$('$VERIFIER' check '$T/mod.pdf' --key '$K' | head -1 | cut -c1-6)\" = '有效' ]"

# ---- whose service, in Chinese ----
for p in / "/c/$MET" "/c/$NF" /no/such/page "/c/not-a-serial"; do
	curl -s "$URL$p" >"$T/f.html"
	check "footer of $p names the operator and contact" grep -q "本核验服务由 $OPNAME 提供 · 联系方式：$OPCONTACT" "$T/f.html"
done
curl -s -F "file=@$(pdf "$MET");type=application/pdf" -F format=html "$URL/api/v1/verify" >"$T/u.html"
check "footer of the upload answer" grep -q "本核验服务由 $OPNAME" "$T/u.html"
curl -s -F "file=@$T/mod.pdf;type=application/pdf" -F format=html "$URL/api/v1/verify" >"$T/m.html"
curl -s -F "file=@$T/junk.note;type=application/pdf" -F format=html "$URL/api/v1/verify" >"$T/j.html"
# Chinese pages: no English word outside the folded 技术信息, tags, URLs,
# the titles and providers the signed records carry, and the names of
# things (PDF, SHA-256, UTC, CSV, XLSX, Excel, English).
for f in MET UNMET REV SUP NF b u m j f; do
	check "no English on the Chinese page $f.html outside 技术信息" python3 - "$T/$f.html" <<'PY'
import re, sys
h = open(sys.argv[1]).read()
h = re.sub(r'<details.*?</details>', '', h, flags=re.S)
h = re.sub(r'<(script|style|head).*?</\1>', '', h, flags=re.S)
# the signed record's own words (course titles such as "BIM", providers)
h = re.sub(r'<td data-label="(课程名称|施训机构)">.*?</td>', '', h, flags=re.S)
h = re.sub(r'<[^>]*>', ' ', h)
h = re.sub(r"\S*[./:=+-]\S*", " ", h)   # addresses, serials, ledger names, times, hashes
words = set(re.findall(r'[A-Za-z]{3,}', h)) - {'PDF', 'SHA', 'UTC', 'CSV', 'XLSX', 'Excel', 'English'}
assert not words, sorted(words)
PY
done
check "the modified upload is not under a 真实 or 有效 banner" python3 - "$T/m.html" <<'PY'
import re, sys
h = open(sys.argv[1]).read()
big = re.search(r'<span class="big">([^<]*)', h).group(1)
assert '真实' not in big and not big.startswith('有效'), big
PY
