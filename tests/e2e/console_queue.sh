#!/usr/bin/env bash
# The 验印 queue page (/admin/records) over HTTP: 50 rows a page, paged by
# key (?after=<id>, a next-page link until the last page, every record
# once), each filter (year, unit, provider, domain, form, subject, state)
# narrowing the rows and kept in the links, the ticked rows stamped in one
# POST that comes back to the same view, and the views of an auditor
# (read only) and a provider (its own records).
. "$(dirname "$0")/../lib.sh"
scratch
. "$HS_TOP/tests/serve_lib.sh"
export HOURSEAL_TODAY=2025-03-01
command -v oathtool >/dev/null || { notok "oathtool is installed (scripts/deps.sh test)"; exit 1; }

D=$T/data
DB=$D/hourseal.db
I() { "$ISSUER" --data "$D" "$@"; }
I init --base-url http://127.0.0.1:8080 --policy fujian "$D" --issuer "福建省继续教育中心" --origin "ledger.example.cn/fj" >/dev/null
# 130 records of one person in 3502: 2023 and 2024, two units, two
# providers, public and professional (卫生), forms 2 and 7.
{
	echo "身份证号,姓名,工作单位,地区代码,年度,科目类别,学习形式,课程名称,施训机构,开始日期,结束日期,学时,专业技术领域,外部编号"
	for i in $(seq 1 130); do
		y=$((2023 + i % 2)); unit=厦门市第一医院; prov=厦门继续教育基地; subj=公需; dom=; form=面授
		[ $((i % 3)) = 0 ] && unit=厦门市第二医院
		[ $((i % 5)) = 0 ] && { prov=厦门市卫健委培训中心; subj=专业; dom=卫生; }
		[ $((i % 7)) = 0 ] && form=4
		d=$(date -u -d "$y-01-01 + $i days" +%Y-%m-%d)
		echo "11010519491231002X,李四,$unit,350203,$y,$subj,$form,课程$i,$prov,$d,$d,2,$dom,Q$i"
	done
} >"$T/r.csv"
I import "$T/r.csv" --quiet >/dev/null
check "130 records imported" [ "$(sqlite3 "$DB" 'SELECT count(*) FROM records')" = 130 ]

check "the service starts" serve_start "$D"
trap 'serve_stop; rm -rf "$T"' EXIT

check "an hr account signs in" account "$D" xmhr hr 3502 厦门市人力资源和社会保障局
check "an auditor signs in" account "$D" xmaud auditor 3502 厦门市审计局
check "a provider signs in" account "$D" jidi provider 厦门市卫健委培训中心 厦门市卫健委培训中心
J=$T/xmhr.jar
rows() { grep -c '<tr><td data-label="选择"' "$T/body"; }
refs() { grep -o '<span class="hint mono">Q[0-9]*</span>' "$T/body" | sed 's/<[^>]*>//g'; }
next_link() { sed -n 's/.*<a rel="next" href="\([^"]*\)".*/\1/p' "$T/body" | sed 's/&amp;/\&/g'; }

# Paging: 50, 50, 30, each record once, in id order.
: >"$T/seen"
path=/admin/records
for page in 1 2 3; do
	check "page $page answers 200" [ "$(http_code "$J" GET "$path")" = 200 ]
	refs >>"$T/seen"
	n=$(rows)
	want=50; [ $page = 3 ] && want=30
	check "page $page has $want rows ($n)" [ "$n" = $want ]
	path=$(next_link)
	if [ $page -lt 3 ]; then
		check "page $page links to the next page with ?after=" grep -q 'after=' <<<"$path"
	else
		check "the last page has no next link" [ -z "$path" ]
	fi
done
check "every record once, none twice" [ "$(sort -u "$T/seen" | wc -l)" = 130 ] && [ "$(wc -l <"$T/seen")" = 130 ]
check "in key order" cmp -s "$T/seen" <(seq 1 130 | sed 's/^/Q/')

# Filters: each narrows to exactly the rows the data has.
count() { # count QUERY: the records the queue lists over all pages
	local p="/admin/records?$1" total=0
	while [ -n "$p" ]; do
		[ "$(http_code "$J" GET "$p")" = 200 ] || { echo x; return; }
		total=$((total + $(rows)))
		p=$(next_link)
	done
	echo $total
}
want() { sqlite3 "$DB" "SELECT count(*) FROM records WHERE $1"; }
check "year=2024" [ "$(count year=2024)" = "$(want 'year = 2024')" ]
check "unit=厦门市第二医院" [ "$(count 'unit=%E5%8E%A6%E9%97%A8%E5%B8%82%E7%AC%AC%E4%BA%8C%E5%8C%BB%E9%99%A2')" = "$(want "unit = '厦门市第二医院'")" ]
check "provider=厦门市卫健委培训中心" [ "$(count "provider=$(printf %s 厦门市卫健委培训中心 | od -An -tx1 | tr -d ' \n' | sed 's/../%&/g')")" = "$(want "provider = '厦门市卫健委培训中心'")" ]
check "domain=卫生" [ "$(count 'domain=%E5%8D%AB%E7%94%9F')" = "$(want "domain = '卫生'")" ]
check "form=4" [ "$(count form=4)" = "$(want 'form = 4')" ]
check "subject=professional" [ "$(count subject=professional)" = "$(want "subject = 'professional'")" ]
check "subject=public&year=2023&form=2" [ "$(count 'subject=public&year=2023&form=2')" = \
	"$(want "subject = 'public' AND year = 2023 AND form = 2")" ]
http_code "$J" GET "/admin/records?year=2024&form=2" >/dev/null
check "the next link keeps the filters" grep -q 'href="/admin/records?year=2024&amp;form=2&amp;after=' "$T/body"
check "the filter form shows them" grep -q 'name="year" value="2024"' "$T/body"

# Stamp the ticked rows of a filtered view; back to the same view.
ids=$(sqlite3 "$DB" "SELECT id FROM records WHERE year = 2024 AND form = 4 ORDER BY id LIMIT 3")
args=(); for i in $ids; do args+=("id=$i"); done
FORM_PAGE="/admin/records?year=2024&form=4" post_form "$J" /admin/records/stamp \
	year=2024 form=4 "${args[@]}" >/dev/null
check "stamping 3 ticked rows answers 303" grep -q '^HTTP/1.1 303' "$T/headers"
check "back to the same view, saying how many" grep -qi '^Location: /admin/records?year=2024&form=4&done=stamp&n=3' "$T/headers"
check "the 3 are stamped as the account's organisation" [ "$(sqlite3 "$DB" "SELECT count(*) FROM records r JOIN stamps s ON s.id = r.stamp_id
	WHERE r.state = 'stamped' AND s.authority = '厦门市人力资源和社会保障局' AND s.account = 'xmhr'")" = 3 ]
http_code "$J" GET "/admin/records?year=2024&form=4&done=stamp&n=3" >/dev/null
check "the page says so" grep -q '已验印 3 条记录' "$T/body"
check "state=stamped lists them" [ "$(count state=stamped)" = 3 ]
check "state=any lists all 130" [ "$(count state=any)" = 130 ]
check "the waiting queue has 127" [ "$(count '')" = 127 ]
http_code "$J" GET "/admin/records?done=%3Cscript%3E&n=5" >/dev/null
check "an unknown done code says nothing" eval '! grep -q "script" "$T/body"'

# An auditor reads the queue but gets no boxes and no buttons.
http_code "$T/xmaud.jar" GET /admin/records >/dev/null
check "the auditor sees the queue" [ "$(rows)" = 50 ]
check_fails "without boxes" grep -q 'type="checkbox"' "$T/body"
check_fails "without stamp buttons" grep -q 'formaction=' "$T/body"
# A provider sees only its own records.
J=$T/jidi.jar
check "the provider sees its 26 records" [ "$(count state=any)" = "$(want "provider = '厦门市卫健委培训中心'")" ]
check_fails "without boxes" grep -q 'type="checkbox"' "$T/body"
http_code "$T/xmhr.jar" GET "/admin/records?lang=en" >/dev/null
check "English on ?lang=en" grep -q 'Records waiting for a stamp' "$T/body"

# The audit page: newest first, ?before= pages back, scope as the library's.
J=$T/xmhr.jar
http_code "$J" GET /admin/audit >/dev/null
top=$(sqlite3 "$DB" 'SELECT max(seq) FROM audit')
first=$(grep -o '<td data-label="序号" class="num">[0-9]*' "$T/body" | head -1 | sed 's/.*>//')
check "the audit page starts with the newest row ($first of $top)" [ "$first" = "$top" ]
check "it shows the 3 stamps by xmhr" [ "$(grep -c 'record.stamp' "$T/body")" = 3 ]
# Page back from the third-oldest row in scope: the two older ones follow.
seqs=$(grep -o '<td data-label="序号" class="num">[0-9]*' "$T/body" | sed 's/.*>//')
third=$(echo "$seqs" | tail -3 | head -1)
older=$(echo "$seqs" | tail -2 | tr '\n' ' ')
http_code "$J" GET "/admin/audit?before=$third" >/dev/null
check "?before=$third shows rows $older only" [ "$(grep -o '<td data-label="序号" class="num">[0-9]*' "$T/body" |
	sed 's/.*>//' | tr '\n' ' ')" = "$older" ]
check "the auditor reads the audit page" [ "$(http_code "$T/xmaud.jar" GET /admin/audit)" = 200 ]
check "the provider may not (404)" [ "$(http_code "$T/jidi.jar" GET /admin/audit)" = 404 ]
