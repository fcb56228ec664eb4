#!/usr/bin/env bash
# The 验印 console's pages against hostile use, with curl on a real service:
# every POST form without (or with another session's) CSRF token is 403 and
# changes nothing; SQL and HTML in reasons, correction fields and filters
# are stored as typed and shown escaped; an industry account cannot stamp,
# reject or open a public record, another domain's or another region's by
# posting ids directly (404, nothing stamped); malformed parameters are 400
# naming the field.
. "$(dirname "$0")/../lib.sh"
scratch
export HOURSEAL_TODAY=2025-03-01
command -v oathtool >/dev/null || { notok "oathtool is installed (scripts/deps.sh test)"; exit 1; }

D=$T/data
DB=$D/hourseal.db
I() { "$ISSUER" --data "$D" "$@"; }
I init --base-url http://127.0.0.1:8080 --policy fujian "$D" --issuer "福建省继续教育中心" --origin "ledger.example.cn/fj" >/dev/null
cat >"$T/r.csv" <<'CSV'
身份证号,姓名,工作单位,地区代码,年度,科目类别,学习形式,课程名称,施训机构,开始日期,结束日期,学时,专业技术领域,外部编号
11010519491231002X,李四,厦门市第一医院,350203,2024,公需,面授,职业道德与法治,厦门继续教育基地,2024-05-06,2024-05-09,30,,PUB
11010519491231002X,李四,厦门市第一医院,350203,2024,专业,面授,急诊医学新进展,厦门市卫健委培训中心,2024-06-03,2024-06-07,40,卫生,HEALTH
11010519491231002X,李四,厦门市第一医院,350203,2024,专业,面授,院感防控实务,厦门市卫健委培训中心,2024-08-05,2024-08-07,20,卫生,HEALTH2
350203198505050019,王五,厦门市第一中学,350203,2024,专业,面授,课堂教学设计,厦门市教育局,2024-05-06,2024-05-09,30,教育,EDU
350102198001011233,张三,福州医院,350102,2024,专业,面授,急诊医学新进展,福州卫健委,2024-05-06,2024-05-09,30,卫生,FZHEALTH
CSV
I import "$T/r.csv" --quiet >/dev/null
id_of() { sqlite3 "$DB" "SELECT id FROM records WHERE ref = '$1'"; }
PUB=$(id_of PUB) HEALTH=$(id_of HEALTH) HEALTH2=$(id_of HEALTH2) EDU=$(id_of EDU) FZ=$(id_of FZHEALTH)

start_issuer "$D"
trap 'kill -TERM $PID 2>/dev/null; wait $PID 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
[ -n "$URL" ] || { notok "the service starts: $(cat "$T/err")"; exit 1; }

# csrf_of FILE: the CSRF token of the first form in a page.
csrf_of() { grep -o 'name="csrf" value="[^"]*"' "$1" | head -1 | sed 's/.*value="//; s/"$//'; }
# enrol NAME ROLE SCOPE ORG: a new account, its password set through the
# invitation and TOTP enrolled, signed in: cookies in $T/NAME.jar, the
# session's CSRF token in $T/NAME.csrf.
enrol() {
	local name=$1 jar=$T/$1.jar inv path secret
	inv=$(I user add "$name" --role "$2" --scope "$3" --org "$4" --base-url "$URL" |
		grep -o '/admin/invite/[A-Za-z0-9_-]*')
	curl -s -c "$jar" -b "$jar" -o "$T/p" "$URL$inv"
	curl -s -c "$jar" -b "$jar" -o /dev/null --data-urlencode "csrf=$(csrf_of "$T/p")" \
		--data-urlencode "password=Kq7-海风-correct-horse" --data-urlencode "again=Kq7-海风-correct-horse" "$URL$inv"
	curl -s -c "$jar" -b "$jar" -o "$T/p" "$URL/admin/totp"
	secret=$(sed -n 's/.*id="secret">\([A-Z2-7]*\)<.*/\1/p' "$T/p")
	curl -s -c "$jar" -b "$jar" -o /dev/null --data-urlencode "csrf=$(csrf_of "$T/p")" \
		--data-urlencode "code=$(oathtool --totp -b "$secret")" "$URL/admin/totp"
	curl -s -c "$jar" -b "$jar" -o "$T/p" "$URL/admin/records"
	csrf_of "$T/p" >"$T/$name.csrf"
	[ -s "$T/$name.csrf" ] && grep -q '待验印记录' "$T/p"
}
check "an hr account of 3502 signs in" enrol xmhr hr 3502 厦门市人力资源和社会保障局
check "an industry account of 3502/卫生 signs in" enrol xmwj industry 3502/卫生 厦门市卫生健康委员会
HR_CSRF=$(cat "$T/xmhr.csrf") IND_CSRF=$(cat "$T/xmwj.csrf")

# post NAME PATH [curl args...]: POST as NAME; prints the status.
post() {
	local name=$1 path=$2
	shift 2
	curl -s -c "$T/$name.jar" -b "$T/$name.jar" -o "$T/body" -w '%{http_code}' "$@" "$URL$path"
}
get() {
	curl -s -c "$T/$1.jar" -b "$T/$1.jar" -o "$T/body" -w '%{http_code}' "$URL$2"
}
# What the records and their history look like (to show nothing changed).
state() {
	sqlite3 "$DB" "SELECT group_concat(id || ':' || state || ':' || version, ' ') FROM records;
		SELECT count(*) FROM stamps; SELECT count(*) FROM record_versions;
		SELECT count(*) FROM audit WHERE action LIKE 'record.%'"
}

# 1. CSRF: every POST form of the record pages, without a token and with
# the other account's, is 403 and changes nothing.
before=$(state)
for form in "/admin/records/stamp id=$HEALTH" "/admin/records/reject id=$HEALTH&reason=x" \
	"/admin/records/$HEALTH/stamp " "/admin/records/$HEALTH/reject reason=x" \
	"/admin/records/$HEALTH/withdraw reason=x" "/admin/records/$HEALTH/correct title=x&reason=x"; do
	path=${form%% *} data=${form#* }
	check "POST $path without a CSRF token is 403" [ "$(post xmhr "$path" --data "$data")" = 403 ]
	check "POST $path with another session's token is 403" \
		[ "$(post xmhr "$path" --data "$data&csrf=$IND_CSRF")" = 403 ]
	check "POST $path with an empty token is 403" [ "$(post xmhr "$path" --data "$data&csrf=")" = 403 ]
done
check "no record, stamp, version or audit row changed" [ "$(state)" = "$before" ]

# 2. The industry department of 卫生 in 3502, posting ids directly.
before=$(state)
for id in $PUB $EDU $FZ; do
	check "industry: batch stamp of record $id is 404" \
		[ "$(post xmwj /admin/records/stamp --data "csrf=$IND_CSRF&id=$id")" = 404 ]
	check "industry: batch reject of record $id is 404" \
		[ "$(post xmwj /admin/records/reject --data "csrf=$IND_CSRF&id=$id&reason=x")" = 404 ]
	check "industry: stamp of record $id is 404" \
		[ "$(post xmwj "/admin/records/$id/stamp" --data "csrf=$IND_CSRF")" = 404 ]
	check "industry: reject of record $id is 404" \
		[ "$(post xmwj "/admin/records/$id/reject" --data "csrf=$IND_CSRF&reason=x")" = 404 ]
	check "industry: the page of record $id is 404" [ "$(get xmwj "/admin/records/$id")" = 404 ]
done
check "industry: a public record ticked with its own is 404, all or nothing" \
	[ "$(post xmwj /admin/records/stamp --data "csrf=$IND_CSRF&id=$HEALTH&id=$PUB")" = 404 ]
check "industry: nothing was stamped or rejected" [ "$(state)" = "$before" ]
# Withdrawing is scoped like stamping: a public or another domain's record
# is no record at all for it.
check "industry: withdraw of the public record is 404" \
	[ "$(post xmwj "/admin/records/$PUB/withdraw" --data "csrf=$IND_CSRF&reason=x")" = 404 ]
check "industry: withdraw of the 教育 record is 404" \
	[ "$(post xmwj "/admin/records/$EDU/withdraw" --data "csrf=$IND_CSRF&reason=x")" = 404 ]
check "industry: withdraw of 福州's record is 404" \
	[ "$(post xmwj "/admin/records/$FZ/withdraw" --data "csrf=$IND_CSRF&reason=x")" = 404 ]
check "industry: correct is not its action (404)" \
	[ "$(post xmwj "/admin/records/$HEALTH/correct" --data "csrf=$IND_CSRF&reason=x")" = 404 ]
check "industry: the audit log is not its page (404)" [ "$(get xmwj /admin/audit)" = 404 ]
get xmwj "/admin/records?state=any" >/dev/null
check "industry's queue lists its domain's records" grep -q '急诊医学新进展' "$T/body"
check_fails "but not the public one" grep -q '职业道德与法治' "$T/body"
check_fails "nor the other domain's" grep -q '课堂教学设计' "$T/body"
check_fails "nor 福州's" grep -q '福州医院' "$T/body"
check "industry stamps its own domain's record" \
	[ "$(post xmwj "/admin/records/$HEALTH/stamp" --data "csrf=$IND_CSRF")" = 303 ]
check "the stamp carries the account's organisation" [ "$(sqlite3 "$DB" \
	"SELECT s.authority || '/' || s.authority_kind || '/' || s.account FROM records r
	 JOIN stamps s ON s.id = r.stamp_id WHERE r.id = $HEALTH")" = "厦门市卫生健康委员会/industry/xmwj" ]
check "hr: 福州's record is 404 to 厦门's hr too" \
	[ "$(post xmhr "/admin/records/$FZ/stamp" --data "csrf=$HR_CSRF")" = 404 ]

# 3. SQL and HTML in a reason and in correction fields: stored as typed,
# shown escaped.
EVIL="'; DROP TABLE records;--<script>alert(1)</script>"
check "hr rejects with a hostile reason" \
	[ "$(post xmhr /admin/records/reject --data-urlencode "csrf=$HR_CSRF" \
		--data-urlencode "id=$PUB" --data-urlencode "reason=$EVIL")" = 303 ]
check "the reason is stored exactly" [ "$(sqlite3 "$DB" \
	"SELECT s.reason FROM records r JOIN stamps s ON s.id = r.stamp_id WHERE r.id = $PUB")" = "$EVIL" ]
check "the records table is still there" [ "$(sqlite3 "$DB" 'SELECT count(*) FROM records')" = 5 ]
get xmhr "/admin/records/$PUB" >/dev/null
check "the record page shows the reason escaped" \
	grep -qF '&#39;; DROP TABLE records;--&lt;script&gt;alert(1)&lt;/script&gt;' "$T/body"
check_fails "and never as markup" grep -q '<script>alert' "$T/body"
get xmhr "/admin/records?state=rejected" >/dev/null
check "the queue shows it escaped" grep -qF '&lt;script&gt;alert(1)' "$T/body"
check_fails "never as markup" grep -q '<script>alert' "$T/body"
get xmhr /admin/audit >/dev/null
check "the audit page shows it escaped" grep -qF '&lt;script&gt;alert(1)' "$T/body"
check_fails "never as markup" grep -q '<script>alert' "$T/body"

# Correct the rejected public record with hostile fields.
code=$(post xmhr "/admin/records/$PUB/correct" --data-urlencode "csrf=$HR_CSRF" \
	--data-urlencode "name=李四" --data-urlencode "unit=厦门市第一医院" --data-urlencode "year=2024" \
	--data-urlencode "subject=public" --data-urlencode "form=2" \
	--data-urlencode "title=<b>职业道德</b>'; DROP TABLE records;--" \
	--data-urlencode "provider=\"><img src=x>基地" \
	--data-urlencode "start_date=2024-05-06" --data-urlencode "end_date=2024-05-09" \
	--data-urlencode "hours=30" --data-urlencode "reason=$EVIL")
check "hr corrects it with hostile title and provider" [ "$code" = 303 ]
check "the title is stored exactly" [ "$(sqlite3 "$DB" "SELECT title FROM records WHERE id = $PUB")" = \
	"<b>职业道德</b>'; DROP TABLE records;--" ]
check "the record kept its practitioner" [ "$(sqlite3 "$DB" \
	"SELECT p.name FROM records r JOIN practitioners p ON p.id = r.practitioner_id WHERE r.id = $PUB")" = 李四 ]
get xmhr "/admin/records/$PUB" >/dev/null
check "the corrected title is shown escaped" grep -qF '&lt;b&gt;职业道德&lt;/b&gt;&#39;; DROP TABLE records;--' "$T/body"
check "the provider too" grep -qF '&quot;&gt;&lt;img src=x&gt;基地' "$T/body"
check_fails "no markup from the fields" grep -qE '<b>职业|<img src=x' "$T/body"
check "the history shows what changed" grep -qF '职业道德与法治</del>' "$T/body"
check_fails "no whole ID number on the record page" grep -qE '[0-9]{17}[0-9X]' "$T/body"
code=$(post xmhr "/admin/records/$EDU/correct" --data-urlencode "csrf=$HR_CSRF" \
	--data-urlencode "name=王五" --data-urlencode "year=2024" --data-urlencode "subject=professional" \
	--data-urlencode "form=2" --data-urlencode "title=课堂教学设计" --data-urlencode "provider=厦门市教育局" \
	--data-urlencode "start_date=2024-05-06" --data-urlencode "end_date=2024-05-09" \
	--data-urlencode "hours=abc" --data-urlencode "domain=教育" --data-urlencode "reason=学时有误")
check "a correction with bad hours is 400" [ "$code" = 400 ]
check "naming the field" grep -q 'hours' "$T/body"
code=$(post xmhr "/admin/records/$EDU/correct" --data-urlencode "csrf=$HR_CSRF" --data-urlencode "title=x")
check "a correction without a reason is 400" [ "$code" = 400 ]
check "naming reason" grep -q 'reason' "$T/body"
check "a correction of 福州's record is 404 before any field is judged" \
	[ "$(post xmhr "/admin/records/$FZ/correct" --data "csrf=$HR_CSRF&hours=abc")" = 404 ]

# 4. Malformed parameters: 400 naming the field, before any database work.
for bad in "year=abc:year" "year=20245:year" "form=10:form" "subject=both:subject" \
	"state=gone:state" "after=-1:after" "after=abc:after" \
	"unit=$(printf 'a%.0s' $(seq 1 300)):unit" "provider=%01x:provider" "domain=%E5%8D:domain"; do
	q=${bad%:*} field=${bad##*:}
	code=$(get xmhr "/admin/records?$q")
	check "queue ?${q:0:30} is 400" [ "$code" = 400 ]
	check "naming $field" grep -q "$field" "$T/body"
done
get xmhr "/admin/records?unit=%3Cscript%3E%27" >/dev/null
check "a hostile unit filter is echoed escaped" grep -qF 'value="&lt;script&gt;&#39;"' "$T/body"
check_fails "never as markup" grep -q "<script>'" "$T/body"
check "the audit page refuses a bad before" [ "$(get xmhr '/admin/audit?before=x1')" = 400 ]
check "record id 0 is 404" [ "$(get xmhr /admin/records/0)" = 404 ]
check "record id abc is 404" [ "$(get xmhr /admin/records/abc)" = 404 ]
check "a 30-digit record id is 404" [ "$(get xmhr /admin/records/$(printf '9%.0s' $(seq 1 30)))" = 404 ]
check "a batch with a bad id is 400" \
	[ "$(post xmhr /admin/records/stamp --data "csrf=$HR_CSRF&id=1x")" = 400 ]
check "a batch with no id is 400" [ "$(post xmhr /admin/records/stamp --data "csrf=$HR_CSRF")" = 400 ]
ids=$(for i in $(seq 1 201); do printf '&id=%d' "$i"; done)
check "a batch of 201 ids is 413" [ "$(post xmhr /admin/records/stamp --data "csrf=$HR_CSRF$ids")" = 413 ]
check "rejecting without a reason is 400" \
	[ "$(post xmhr /admin/records/reject --data "csrf=$HR_CSRF&id=$HEALTH2")" = 400 ]
check "naming reason" grep -q 'reason' "$T/body"
check "the record is still waiting" [ "$(sqlite3 "$DB" "SELECT state FROM records WHERE id = $HEALTH2")" = waiting ]
check_fails "no whole ID number in the service's log" grep -qE '[0-9]{17}[0-9X]' "$T/err"
