#!/usr/bin/env bash
# The console's staff page (issue 13, item 2): an employer sees its
# unit's practitioners for a year -- public, professional and total
# stamped hours against the requirement, what is missing, their valid
# certificates -- with the numbers `summary` prints (the same records and
# arithmetic, app/hours.h hours_year); another unit's people never show,
# whatever the query says. hr names a unit and sees its staff in its
# region only; a provider gets 404. Hostile query values answer 400 or
# are shown escaped.
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
{
	echo "身份证号,姓名,工作单位,地区代码,年度,科目类别,学习形式,课程名称,施训机构,开始日期,结束日期,学时,专业技术领域,外部编号"
	for i in 1 2 3 4 5 6; do
		echo "11010519491231002X,李四,厦门市第一医院,350203,2024,公需,面授,公需课$i,厦门继续教育基地,2024-03-0$i,2024-03-0$i,6,,A$i"
	done
	echo "11010519491231002X,李四,厦门市第一医院,350203,2024,专业,面授,专业课1,厦门继续教育基地,2024-04-01,2024-04-01,6,卫生,P1"
	echo "11010519491231002X,李四,厦门市第一医院,350203,2024,专业,面授,专业课2,厦门继续教育基地,2024-04-02,2024-04-02,6,卫生,P2"
	echo "350102198001011233,张三,福州市第一医院,350102,2024,公需,面授,公需课1,福州基地,2024-03-01,2024-03-01,6,,B1"
	echo "350981199506020905,王五,厦门市第一医院,350203,2024,公需,面授,公需课1,福州基地,2024-03-01,2024-03-01,6,,C1"
} >"$T/r.csv"
I import "$T/r.csv" --quiet >/dev/null
check "10 records imported" [ "$(sqlite3 "$DB" 'SELECT count(*) FROM records')" = 10 ]

check "the service starts" serve_start "$D"
check "hr 35 signs in" account "$D" fjhr hr 35 福建省人力资源和社会保障厅
check "hr 3502 signs in" account "$D" xmhr hr 3502 厦门市人力资源和社会保障局
check "hr 3501 signs in" account "$D" fzhr hr 3501 福州市人力资源和社会保障局
check "an employer signs in" account "$D" yiyuan employer 厦门市第一医院 厦门市第一医院
check "a provider signs in" account "$D" jidi provider 厦门继续教育基地 厦门继续教育基地
I stamp --all --account fjhr >/dev/null 2>&1
check "all stamped" [ "$(sqlite3 "$DB" "SELECT count(*) FROM records WHERE state = 'stamped'")" = 10 ]
I issue --year 2024 --id 11010519491231002X --out "$T/pdfs" --quiet >/dev/null 2>&1
S1=$(sqlite3 "$DB" "SELECT serial FROM certificates LIMIT 1")
check "a certificate for 李四 ($S1)" [ -n "$S1" ]

J=$T/yiyuan.jar
row() { sed -n "/<td data-label=\"姓名\">$1/,/<\/tr>/p" "$T/body" | tr -d '\n'; }
check "the employer's staff page answers 200" [ "$(http_code "$J" GET "/admin/staff?year=2024")" = 200 ]
check "it lists 李四" grep -q '<td data-label="姓名">李四' "$T/body"
check "and 王五" grep -q '<td data-label="姓名">王五' "$T/body"
check_fails "but not 张三 of another unit" grep -q '张三' "$T/body"
check_fails "never a full ID number" grep -qE '11010519491231002X|350981199506020905' "$T/body"
r=$(row 李四)
check "李四: public 36 of 30" grep -q 'data-label="公需科目" class="num">36 / 30</td>' <<<"$r"
check "professional 12 of 60, missing 48" grep -q '12 / 60<br><span class="missing">缺 48</span>' <<<"$r"
check "total 48 of 90, missing 42" grep -q '48 / 90<br><span class="missing">缺 42</span>' <<<"$r"
check "not met" grep -q 'class="unmet">未达标' <<<"$r"
check "the valid certificate is listed" grep -q "href=\"/admin/certs/$S1\"" <<<"$r"
# The same numbers as summary.
sum=$(I summary --year 2024 | awk -F'\t' '$2 == "李四" { print $4 "/" $5 "/" $6 }')
check "summary says the same ($sum)" [ "$sum" = 36/12/48 ]
check "王五: public 6, no certificate" grep -q '>6 / 30<' <<<"$(row 王五)"
check_fails "王五: public 6, no certificate (2)" grep -q '/admin/certs/' <<<"$(row 王五)"
http_code "$J" GET "/admin/staff?year=2024&unit=%E7%A6%8F%E5%B7%9E%E5%B8%82%E7%AC%AC%E4%B8%80%E5%8C%BB%E9%99%A2" >/dev/null
check_fails "?unit= cannot widen an employer's scope" grep -q '张三' "$T/body"
http_code "$J" GET "/admin/staff?year=2023" >/dev/null
check "another year: nothing counted" grep -q '>0 / 90<' <<<"$(row 李四)"
check_fails "another year: nothing counted (2)" grep -q '/admin/certs/' "$T/body"

# hr names a unit; the region narrows.
check "hr 3502 without a unit is asked for one" [ "$(http_code "$T/xmhr.jar" GET /admin/staff)" = 200 ]
check "hr 3502 without a unit is asked for one (2)" grep -q '请输入单位名称' "$T/body"
http_code "$T/xmhr.jar" GET "/admin/staff?year=2024&unit=%E5%8E%A6%E9%97%A8%E5%B8%82%E7%AC%AC%E4%B8%80%E5%8C%BB%E9%99%A2" >/dev/null
check "hr 3502 sees the unit's staff" grep -q '<td data-label="姓名">李四' "$T/body"
check "hr 3502 sees the unit's staff (2)" grep -q '王五' "$T/body"
check "with the same numbers" grep -q '36 / 30' <<<"$(row 李四)"
http_code "$T/fzhr.jar" GET "/admin/staff?year=2024&unit=%E5%8E%A6%E9%97%A8%E5%B8%82%E7%AC%AC%E4%B8%80%E5%8C%BB%E9%99%A2" >/dev/null
check "hr 3501 sees nobody of a 3502 unit" grep -q '此范围内没有人员' "$T/body"
check_fails "hr 3501 sees nobody of a 3502 unit (2)" grep -q '李四' "$T/body"
http_code "$T/fzhr.jar" GET "/admin/staff?year=2024&unit=%E7%A6%8F%E5%B7%9E%E5%B8%82%E7%AC%AC%E4%B8%80%E5%8C%BB%E9%99%A2" >/dev/null
check "but its own unit's 张三" grep -q '<td data-label="姓名">张三' "$T/body"
check "the provider gets 404" [ "$(http_code "$T/jidi.jar" GET /admin/staff)" = 404 ]

# Hostile query values.
for q in "year=abc" "year=1e3" "year=%27%3B--" "after=-5" "after=99999999999999999999"; do
	check "?$q is 400" [ "$(http_code "$J" GET "/admin/staff?$q")" = 400 ]
done
check "a unit of invalid UTF-8 is 400" [ "$(http_code "$T/xmhr.jar" GET "/admin/staff?unit=%FF%FE")" = 400 ]
check "a unit with a control character is 400" [ "$(http_code "$T/xmhr.jar" GET "/admin/staff?unit=a%01b")" = 400 ]
check "an over-long unit is 400" [ "$(http_code "$T/xmhr.jar" GET "/admin/staff?unit=$(printf 'x%.0s' $(seq 1 300))")" = 400 ]
check "a unit of SQL finds nobody" [ "$(http_code "$T/xmhr.jar" GET "/admin/staff?unit=%27%20OR%20%271%27%3D%271")" = 200 ]
check "a unit of SQL finds nobody (2)" grep -q '此范围内没有人员' "$T/body"
check "a unit of HTML is shown escaped" [ "$(http_code "$T/xmhr.jar" GET "/admin/staff?unit=%3Cscript%3Ex%3C%2Fscript%3E")" = 200 ]
check "a unit of HTML is shown escaped (2)" grep -q '&lt;script&gt;' "$T/body"
check_fails "a unit of HTML is shown escaped (3)" grep -q '<script>' "$T/body"
