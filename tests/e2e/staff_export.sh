#!/usr/bin/env bash
# The employer's export (issue 14): GET /admin/staff.csv is the staff
# page's rows -- every page of them -- as a spreadsheet file: UTF-8 with a
# BOM, Chinese headers, masked ID numbers only, formula-safe cells, named
# after the unit, year and date, no-store. Each row equals the page's row
# for that person (and `summary`'s numbers); an employer naming another
# unit, an hr naming a unit outside its region, and a provider get 404;
# hostile query values 400.
. "$(dirname "$0")/../lib.sh"
scratch
. "$HS_TOP/tests/serve_lib.sh"
export HOURSEAL_TODAY=2025-03-01
command -v oathtool >/dev/null || { notok "oathtool is installed (scripts/deps.sh test)"; exit 1; }

D=$T/data
DB=$D/hourseal.db
I() { "$ISSUER" --data "$D" "$@"; }
I init --base-url http://127.0.0.1:8080 --policy fujian "$D" --keys "$T/keys" --issuer "福建省继续教育中心" --origin "ledger.example.cn/fj" >/dev/null 2>&1
I keygen --no-passphrase k1 >/dev/null 2>&1
XM=厦门市第一医院 FZ=福州市第一医院
XMQ=%E5%8E%A6%E9%97%A8%E5%B8%82%E7%AC%AC%E4%B8%80%E5%8C%BB%E9%99%A2
FZQ=%E7%A6%8F%E5%B7%9E%E5%B8%82%E7%AC%AC%E4%B8%80%E5%8C%BB%E9%99%A2
{
	echo "身份证号,姓名,工作单位,地区代码,年度,科目类别,学习形式,课程名称,施训机构,开始日期,结束日期,学时,专业技术领域,外部编号"
	for i in 1 2 3 4 5 6; do
		echo "11010519491231002X,李四,$XM,350203,2024,公需,面授,公需课$i,厦门继续教育基地,2024-03-0$i,2024-03-0$i,6,,A$i"
	done
	echo "11010519491231002X,李四,$XM,350203,2024,专业,面授,专业课1,厦门继续教育基地,2024-04-01,2024-04-01,6,卫生,P1"
	echo "11010519491231002X,李四,$XM,350203,2024,专业,面授,专业课2,厦门继续教育基地,2024-04-02,2024-04-02,6,卫生,P2"
	echo "350102198001011233,张三,$FZ,350102,2024,公需,面授,公需课1,福州基地,2024-03-01,2024-03-01,6,,B1"
	echo "350981199506020905,\"=HYPERLINK(\"\"http://x.example/\"\",\"\"a\"\")\",$XM,350203,2024,公需,面授,公需课1,福州基地,2024-03-01,2024-03-01,6,,C1"
	# 105 more of the unit: the page shows 100 a page, the file all.
	python3 - <<'PY'
W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
for k in range(105):
    s = "350203%04d%02d%02d%03d" % (1960 + k % 40, 1 + k % 12, 1 + k % 28, k)
    s += "10X98765432"[sum(int(c) * w for c, w in zip(s, W)) % 11]
    print("%s,员工%03d,厦门市第一医院,350203,2024,公需,面授,公需课1,厦门继续教育基地,2024-05-01,2024-05-01,%d,,E%d" % (s, k, 1 + k % 6, k))
PY
} >"$T/r.csv"
I import "$T/r.csv" --quiet >/dev/null
check "115 records imported" [ "$(sqlite3 "$DB" 'SELECT count(*) FROM records')" = 115 ]

check "the service starts" serve_start "$D"
check "hr 35 signs in" account "$D" fjhr hr 35 福建省人力资源和社会保障厅
check "hr 3502 signs in" account "$D" xmhr hr 3502 厦门市人力资源和社会保障局
check "hr 3501 signs in" account "$D" fzhr hr 3501 福州市人力资源和社会保障局
check "an employer signs in" account "$D" yiyuan employer $XM $XM
check "another employer signs in" account "$D" fzyy employer $FZ $FZ
check "a provider signs in" account "$D" jidi provider 厦门继续教育基地 厦门继续教育基地
I stamp --all --account fjhr >/dev/null 2>&1
check "all stamped" [ "$(sqlite3 "$DB" "SELECT count(*) FROM records WHERE state = 'stamped'")" = 115 ]
I issue --year 2024 --id 11010519491231002X --out "$T/pdfs" --quiet >/dev/null 2>&1
S1=$(sqlite3 "$DB" "SELECT serial FROM certificates LIMIT 1")
check "a certificate for 李四 ($S1)" [ -n "$S1" ]

J=$T/yiyuan.jar
# The service dates the file in its zone (Asia/Shanghai, init's default).
today=$(TZ=Asia/Shanghai date +%Y%m%d)
check "the employer's export answers 200" [ "$(http_code "$J" GET "/admin/staff.csv?year=2024")" = 200 ]
cp "$T/body" "$T/xm.csv"
check "text/csv; charset=utf-8" grep -qi '^content-type: text/csv; charset=utf-8' "$T/headers"
check "Cache-Control: no-store" grep -qi '^cache-control: no-store' "$T/headers"
check "an attachment named after the unit, the year and today (RFC 6266 filename*)" grep -qi \
	"^content-disposition: attachment; filename=\"staff-2024-$today.csv\"; filename\*=UTF-8''$XMQ-2024%E5%B9%B4%E5%AD%A6%E6%97%B6-$today.csv" "$T/headers"
check "the file starts with the UTF-8 BOM" [ "$(head -c 3 "$T/xm.csv" | od -An -tx1 | tr -d ' ')" = efbbbf ]
check "Chinese headers" eval "head -1 '$T/xm.csv' | tr -d '\r' | grep -qx \$'\xef\xbb\xbf'姓名,身份证号（脱敏）,单位,年度,公需科目学时,公需科目要求,公需科目缺,专业科目学时,专业科目要求,专业科目缺,合计学时,合计要求,合计缺,是否达标,有效证书"
check "CRLF line ends" eval "[ \"\$(grep -c \$'\r\$' '$T/xm.csv')\" = \"\$(wc -l <'$T/xm.csv')\" ]"
check "107 people of the unit, not only the page's 100" [ "$(($(wc -l <"$T/xm.csv") - 1))" = 107 ]
check_fails "never a full ID number" grep -qE '[0-9]{17}[0-9X]' "$T/xm.csv"
check_fails "not 张三 of another unit" grep -q 张三 "$T/xm.csv"
check "李四's row: the numbers of the page and summary (36/30/0, 12/60/48, 48/90/42, not met, the certificate)" \
	grep -Fqx "李四,1101**********002X,$XM,2024,36,30,0,12,60,48,48,90,42,未达标,$S1"$'\r' "$T/xm.csv"
sum=$(I summary --year 2024 | awk -F'\t' '$2 == "李四" { print $4 "/" $5 "/" $6 }')
check "summary says the same ($sum)" [ "$sum" = 36/12/48 ]
check "a name a spreadsheet would run is written as text ('=...)" \
	grep -q "^\"'=HYPERLINK(\"\"http://x.example/\"\",\"\"a\"\")\",3509" "$T/xm.csv"

# Every row equals the page's row: walk the page's pages.
pages=0 next="/admin/staff?year=2024"
: >"$T/page.html"
while [ -n "$next" ] && [ $pages -lt 5 ]; do
	http_code "$J" GET "$next" >/dev/null
	cat "$T/body" >>"$T/page.html"
	pages=$((pages + 1))
	next=$(sed -n 's/.*<a rel="next" href="\([^"]*\)".*/\1/p' "$T/body" | sed 's/&amp;/\&/g')
done
check "the page took 2 pages" [ $pages = 2 ]
check "the page links to the export" grep -q 'href="/admin/staff.csv?year=2024"' "$T/page.html"
cmp_page() {
	python3 - "$1" "$2" <<'PY'
import csv, html, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
rows = {}
for tr in re.findall(r'<tr><td data-label="姓名">.*?</tr>', page):
    name, masked = re.search(r'<td data-label="姓名">(.*?)<br><span class="hint mono">(.*?)</span>', tr).groups()
    cells = []
    for label in ("公需科目", "专业科目", "合计"):
        td = re.search(r'<td data-label="%s" class="num">(.*?)</td>' % label, tr).group(1)
        have, need = re.match(r'([0-9.]+) / ([0-9.]+)', td).groups()
        m = re.search(r'缺 ([0-9.]+)', td)
        cells += [have, need, m.group(1) if m else "0"]
    met = re.search(r'<td data-label="达标" class="(?:un)?met">(.*?)</td>', tr).group(1)
    serials = re.findall(r'<a href="/admin/certs/([^"]+)">', tr)
    rows[(html.unescape(name), html.unescape(masked))] = cells + [met, " ".join(serials)]
f = open(sys.argv[2], encoding="utf-8-sig", newline="")
r = csv.reader(f)
next(r)
got = {}
for row in r:
    name = row[0][1:] if row[0].startswith("'") else row[0]
    got[(name, row[1])] = row[4:]
bad = 0
for k in rows:
    if got.get(k) != rows[k]:
        bad += 1
        print("# %s: page %s, file %s" % (k, rows[k], got.get(k)))
if set(rows) != set(got):
    bad += 1
    print("# people differ: %d on the page, %d in the file" % (len(rows), len(got)))
print("# compared %d rows" % len(rows))
sys.exit(1 if bad or len(rows) < 100 else 0)
PY
}
check "every row of the file equals the page's row for that person (107)" cmp_page "$T/page.html" "$T/xm.csv"

# Another year: the year filter as on the page.
check "?year=2023: 200" [ "$(http_code "$J" GET "/admin/staff.csv?year=2023")" = 200 ]
check "... 李四 with nothing counted and no certificate" \
	grep -Fqx "李四,1101**********002X,$XM,2023,0,30,30,0,60,60,0,90,90,未达标,"$'\r' "$T/body"
http_code "$J" GET "/admin/staff.csv" >/dev/null
check "no ?year=: this year (as the page)" grep -q ",$XM,$(TZ=Asia/Shanghai date +%Y),0," "$T/body"

# Scope: another unit is 404, whoever names it.
check "the employer naming another unit: 404" [ "$(http_code "$J" GET "/admin/staff.csv?year=2024&unit=$FZQ")" = 404 ]
check_fails "... and nothing of it" grep -q 张三 "$T/body"
check "the employer naming its own unit: 200" [ "$(http_code "$J" GET "/admin/staff.csv?year=2024&unit=$XMQ")" = 200 ]
check "the other employer gets its own unit only" [ "$(http_code "$T/fzyy.jar" GET "/admin/staff.csv?year=2024")" = 200 ]
check "... 张三 alone" eval "[ \"\$(tail -n +2 '$T/body' | cut -d, -f1)\" = 张三 ]"
check "hr 3502 names the unit: 200" [ "$(http_code "$T/xmhr.jar" GET "/admin/staff.csv?year=2024&unit=$XMQ")" = 200 ]
check "... the same file as the employer's" cmp -s "$T/body" "$T/xm.csv"
check "hr 3501 naming a 3502 unit: 404" [ "$(http_code "$T/fzhr.jar" GET "/admin/staff.csv?year=2024&unit=$XMQ")" = 404 ]
check_fails "... and nothing of it" grep -q 李四 "$T/body"
check "hr 3501 naming a unit that does not exist: 404 (the same answer)" \
	[ "$(http_code "$T/fzhr.jar" GET "/admin/staff.csv?year=2024&unit=%E6%97%A0")" = 404 ]
check "hr 3501 its own region's unit: 200" [ "$(http_code "$T/fzhr.jar" GET "/admin/staff.csv?year=2024&unit=$FZQ")" = 200 ]
check "hr without a unit: 400" [ "$(http_code "$T/xmhr.jar" GET "/admin/staff.csv?year=2024")" = 400 ]
check "a provider: 404" [ "$(http_code "$T/jidi.jar" GET "/admin/staff.csv?year=2024")" = 404 ]
check "nobody: 303 to sign-in" [ "$(http_code "$T/nobody.jar" GET "/admin/staff.csv?year=2024")" = 303 ]

# Hostile query values.
for q in "year=abc" "year=1e3" "year=1989" "year=2101" "year=%27%3B--"; do
	check "?$q is 400" [ "$(http_code "$J" GET "/admin/staff.csv?$q")" = 400 ]
done
check "a unit of invalid UTF-8 is 400" [ "$(http_code "$T/xmhr.jar" GET "/admin/staff.csv?unit=%FF%FE")" = 400 ]
check "a unit with a control character is 400" [ "$(http_code "$T/xmhr.jar" GET "/admin/staff.csv?unit=a%0D%0Ab")" = 400 ]
check_fails "... and no header of it" grep -qi '^b' "$T/headers"
check "an over-long unit is 400" [ "$(http_code "$T/xmhr.jar" GET "/admin/staff.csv?unit=$(printf 'x%.0s' $(seq 1 300))")" = 400 ]
check "a unit of SQL: 404" [ "$(http_code "$T/xmhr.jar" GET "/admin/staff.csv?unit=%27%20OR%20%271%27%3D%271")" = 404 ]
serve_stop
