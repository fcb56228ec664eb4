#!/usr/bin/env bash
# The console's certificate pages (issue 13, item 1): an hr account
# issues for a person and year (ID number only in the POST body), lists
# the certificates in its scope (paged by ledger index, filters year and
# status), opens one (status, masked holder, records), revokes it with a
# reason, previews a reissue (a dry run that writes nothing) and then
# reissues; each change is an audit row with the account as actor. An hr
# account of another region gets 404 for the same certificate, an
# employer sees its unit's, a provider may not (404); every form needs
# its CSRF token; hostile input answers 400/404 and is never echoed raw.
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
	for i in $(seq 1 6); do
		echo "11010519491231002X,李四,厦门市第一医院,350203,2024,公需,面授,课程$i,厦门继续教育基地,2024-03-0$i,2024-03-0$i,6,,A$i"
		echo "350102198001011233,张三,福州市第一医院,350102,2024,公需,面授,课程$i,福州基地,2024-03-0$i,2024-03-0$i,6,,B$i"
	done
} >"$T/r.csv"
I import "$T/r.csv" --quiet >/dev/null
check "init, keygen, 12 records" [ "$(sqlite3 "$DB" 'SELECT count(*) FROM records')" = 12 ]

check "the service starts" serve_start "$D"
check "hr 3502 signs in" account "$D" xmhr hr 3502 厦门市人力资源和社会保障局
check "hr 3501 signs in" account "$D" fzhr hr 3501 福州市人力资源和社会保障局
check "an employer signs in" account "$D" yiyuan employer 厦门市第一医院 厦门市第一医院
check "a provider signs in" account "$D" jidi provider 厦门继续教育基地 厦门继续教育基地
I stamp --all --account xmhr >/dev/null 2>&1
I stamp --all --account fzhr >/dev/null 2>&1
check "the records are stamped" [ "$(sqlite3 "$DB" "SELECT count(*) FROM records WHERE state = 'stamped'")" = 12 ]
J=$T/xmhr.jar

# The list page and its issue form (hr only).
check "the list answers 200 for hr" [ "$(http_code "$J" GET /admin/certs)" = 200 ]
check "hr gets the issue form" grep -q 'action="/admin/certs/issue"' "$T/body"
check "no certificates yet" grep -q '此范围内没有证书' "$T/body"

# Issue: out of scope, hostile, without CSRF, then the right one.
st=$(FORM_PAGE=/admin/certs post_form "$J" /admin/certs/issue id_number=350102198001011233 year=2024)
check "issuing for a person of 3501 is 404 ($st)" [ "$st" = 404 ]
st=$(post_form_c "$J" /admin/certs/issue "" id_number=11010519491231002X year=2024)
check "issuing without the CSRF token is 403 ($st)" [ "$st" = 403 ]
for bad in "1' OR '1'='1" "<script>alert(1)</script>" "$(printf 'a%.0s' $(seq 1 5000))" $'\xff\xfe' $'1101\x01'; do
	st=$(FORM_PAGE=/admin/certs post_form "$J" /admin/certs/issue "id_number=$bad" year=2024)
	check "a hostile id_number is refused ($st, ${#bad} bytes)" grep -qE '^(400|413)$' <<<"$st"
	check_fails "and not echoed" grep -q '<script>' "$T/body"
done
st=$(FORM_PAGE=/admin/certs post_form "$J" /admin/certs/issue id_number=11010519491231002X "year=2024<x>")
check "a hostile year is 400 ($st)" [ "$st" = 400 ]
check "nothing issued so far" [ "$(sqlite3 "$DB" 'SELECT count(*) FROM certificates')" = 0 ]
st=$(FORM_PAGE=/admin/certs post_form "$J" /admin/certs/issue id_number=11010519491231002X year=2024)
check "hr 3502 issues for its person ($st)" [ "$st" = 200 ]
S1=$(sqlite3 "$DB" 'SELECT serial FROM certificates LIMIT 1')
check "one certificate ($S1)" [ -n "$S1" ]
check "one certificate ($S1) (2)" [ "$(sqlite3 "$DB" 'SELECT count(*) FROM certificates')" = 1 ]
check "the page links to it" grep -q "/admin/certs/$S1" "$T/body"
check_fails "the full ID number is not on the page" grep -q 11010519491231002X "$T/body"
check_fails "nor in the access log" grep -q 11010519491231002X "$T/access.log"
check "cert.issue is audited with xmhr as actor" [ "$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE action = 'cert.issue' AND actor = 'xmhr' AND object = '$S1'")" = 1 ]

# Listing and filters.
http_code "$J" GET /admin/certs >/dev/null
check "the list shows it" grep -q "href=\"/admin/certs/$S1\"" "$T/body"
check "with the masked ID only" grep -q '110105\*\{8\}002X\|1101\*\*\*\*\*\*\*\*\*\*\*\*\*02X\|\*\*\*\*' "$T/body"
check_fails "never the full ID" grep -q 11010519491231002X "$T/body"
http_code "$J" GET "/admin/certs?year=2023" >/dev/null
check_fails "year=2023 hides it" grep -q "$S1" "$T/body"
http_code "$J" GET "/admin/certs?status=revoked" >/dev/null
check_fails "status=revoked hides it" grep -q "$S1" "$T/body"
http_code "$J" GET "/admin/certs?status=valid&year=2024" >/dev/null
check "status=valid&year=2024 shows it" grep -q "$S1" "$T/body"
for q in "year=%27%3B--" "status=%3Cscript%3E" "after=-1" "after=1e9" "year=99999999999999999999"; do
	check "a hostile filter ?$q is 400" [ "$(http_code "$J" GET "/admin/certs?$q")" = 400 ]
	check_fails "and not echoed" grep -q '<script>' "$T/body"
done
check "hr 3501 does not see it" [ "$(http_code "$T/fzhr.jar" GET /admin/certs)" = 200 ]
check_fails "hr 3501 does not see it (2)" grep -q "$S1" "$T/body"
check "the employer sees its unit's" [ "$(http_code "$T/yiyuan.jar" GET /admin/certs)" = 200 ]
check "the employer sees its unit's (2)" grep -q "$S1" "$T/body"
check_fails "without the issue form" grep -q 'action="/admin/certs/issue"' "$T/body"
check "the provider may not list (404)" [ "$(http_code "$T/jidi.jar" GET /admin/certs)" = 404 ]

# One certificate.
check "its page answers 200" [ "$(http_code "$J" GET "/admin/certs/$S1")" = 200 ]
check "status valid" grep -q '<dd>有效</dd>' "$T/body"
check "its records are listed" grep -q '>A1</a>' "$T/body"
check "its records are listed (2)" grep -q '>A6</a>' "$T/body"
check "with who stamped them" [ "$(grep -c 'class="stamper">厦门市人力资源和社会保障局 · xmhr' "$T/body")" = 6 ]
check "the revoke and reissue forms" grep -q "action=\"/admin/certs/$S1/revoke\"" "$T/body"
check "the revoke and reissue forms (2)" grep -q "action=\"/admin/certs/$S1/reissue\"" "$T/body"
check "hr 3501 gets 404 for it" [ "$(http_code "$T/fzhr.jar" GET "/admin/certs/$S1")" = 404 ]
check "the employer reads it" [ "$(http_code "$T/yiyuan.jar" GET "/admin/certs/$S1")" = 200 ]
check_fails "without the revoke form" grep -q '/revoke"' "$T/body"
check "the provider gets 404" [ "$(http_code "$T/jidi.jar" GET "/admin/certs/$S1")" = 404 ]
for s in "nosuch" "%27%20OR%201%3D1--" "%3Cscript%3E"; do
	check "a hostile serial $s is 404" [ "$(http_code "$J" GET "/admin/certs/$s")" = 404 ]
	check_fails "and not echoed" grep -q '<script>' "$T/body"
done

# Reissue: the dry run writes nothing, then confirm.
n0=$(sqlite3 "$DB" 'SELECT count(*) FROM leaves')
st=$(FORM_PAGE=/admin/certs/$S1 post_form "$J" "/admin/certs/$S1/reissue")
check "the reissue preview answers 200 ($st)" [ "$st" = 200 ]
check "it says it is a dry run" grep -q '试运行' "$T/body"
check "with a confirm form" grep -q 'name="confirm" value="1"' "$T/body"
check "the dry run wrote no leaf and no certificate" [ "$(sqlite3 "$DB" 'SELECT count(*) FROM leaves')" = "$n0" ]
check "the dry run wrote no leaf and no certificate (2)" [ "$(sqlite3 "$DB" 'SELECT count(*) FROM certificates')" = 1 ]
st=$(post_form_c "$J" "/admin/certs/$S1/reissue" "" confirm=1)
check "reissue without CSRF is 403 ($st)" [ "$st" = 403 ]
st=$(FORM_PAGE=/admin/certs post_form "$T/fzhr.jar" "/admin/certs/$S1/reissue" confirm=1)
check "hr 3501 may not reissue it (404, $st)" [ "$st" = 404 ]
st=$(FORM_PAGE=/admin/certs/$S1 post_form "$J" "/admin/certs/$S1/reissue" confirm=1)
check "the confirmed reissue answers 200 ($st)" [ "$st" = 200 ]
S2=$(sqlite3 "$DB" "SELECT serial FROM certificates WHERE replaces = '$S1'")
check "a new certificate replaces the old ($S2)" [ -n "$S2" ]
check "the old is revoked as superseded" [ "$(sqlite3 "$DB" "SELECT reason FROM revocations WHERE serial = '$S1'")" = superseded ]
check "audited by xmhr" [ "$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE action = 'cert.issue' AND actor = 'xmhr' AND object = '$S2'")" = 1 ]
http_code "$J" GET "/admin/certs/$S1" >/dev/null
check "the old page says replaced by the new" grep -q "replaced by\|替换为" "$T/body"
check "the old page says replaced by the new (2)" grep -q "$S2" "$T/body"

# Revoke: hostile reason and note, no CSRF, out of scope, then right.
st=$(FORM_PAGE=/admin/certs/$S2 post_form "$J" "/admin/certs/$S2/revoke" "reason=<script>")
check "an unknown reason is 400 ($st)" [ "$st" = 400 ]
check_fails "and not echoed" grep -q '<script>' "$T/body"
st=$(FORM_PAGE=/admin/certs/$S2 post_form "$J" "/admin/certs/$S2/revoke" reason=superseded)
check "superseded is not for people to pick (400, $st)" [ "$st" = 400 ]
st=$(FORM_PAGE=/admin/certs/$S2 post_form "$J" "/admin/certs/$S2/revoke" reason=error $'note=a\x01b')
check "a note with a control character is 400 ($st)" [ "$st" = 400 ]
st=$(FORM_PAGE=/admin/certs/$S2 post_form "$J" "/admin/certs/$S2/revoke" reason=error $'note=\xff\xfe')
check "a note of invalid UTF-8 is 400 ($st)" [ "$st" = 400 ]
st=$(FORM_PAGE=/admin/certs/$S2 post_form "$J" "/admin/certs/$S2/revoke" reason=error "note=$(printf 'x%.0s' $(seq 1 501))")
check "a note over 500 bytes is 400 ($st)" [ "$st" = 400 ]
st=$(post_form_c "$J" "/admin/certs/$S2/revoke" "" reason=error)
check "revoke without CSRF is 403 ($st)" [ "$st" = 403 ]
st=$(FORM_PAGE=/admin/certs post_form "$T/fzhr.jar" "/admin/certs/$S2/revoke" reason=error)
check "hr 3501 may not revoke it (404, $st)" [ "$st" = 404 ]
st=$(FORM_PAGE=/admin/certs post_form "$T/yiyuan.jar" "/admin/certs/$S2/revoke" reason=error)
check "the employer may not revoke (404, $st)" [ "$st" = 404 ]
check "still valid" [ "$(sqlite3 "$DB" "SELECT count(*) FROM revocations WHERE serial = '$S2'")" = 0 ]
st=$(FORM_PAGE=/admin/certs/$S2 post_form "$J" "/admin/certs/$S2/revoke" reason=error "note=O'Brien; 记录有误")
check "hr 3502 revokes it ($st)" [ "$st" = 200 ]
check "revoked for error with the note" [ "$(sqlite3 "$DB" "SELECT reason || '|' || note FROM revocations WHERE serial = '$S2'")" = "error|O'Brien; 记录有误" ]
check "cert.revoke audited by xmhr" [ "$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE action = 'cert.revoke' AND actor = 'xmhr' AND object = '$S2'")" = 1 ]
st=$(FORM_PAGE=/admin/certs/$S1 post_form "$J" "/admin/certs/$S2/revoke" reason=error)
check "revoking again is 409 ($st)" [ "$st" = 409 ]
http_code "$J" GET "/admin/certs?status=revoked" >/dev/null
check "status=revoked lists both" grep -q "$S1" "$T/body"
check "status=revoked lists both (2)" grep -q "$S2" "$T/body"
http_code "$J" GET "/admin/certs/$S2" >/dev/null
check_fails "a revoked certificate has no revoke form" grep -q '/revoke"' "$T/body"

# Find by name or masked ID, then issue by the person's key: the full ID
# number never travels, not even in the form.
F=$T/fzhr.jar
st=$(FORM_PAGE=/admin/certs post_form "$F" /admin/certs/find q=1233 year=2024)
check "hr 3501 finds by the masked ID's last 4 ($st)" [ "$st" = 200 ]
check "张三 with the masked number" grep -q '<td>张三</td><td class="mono">3501\*\{10\}1233</td>' "$T/body"
check_fails "never the full number" grep -q 350102198001011233 "$T/body"
P=$(sed -n 's/.*name="person" value="\([0-9]*\)".*/\1/p' "$T/body" | head -1)
check "with an issue form naming the person by key ($P)" [ -n "$P" ]
check "the year carried" grep -q 'name="year" inputmode="numeric" size="4" required value="2024"' "$T/body"
st=$(FORM_PAGE=/admin/certs post_form "$F" /admin/certs/find q=张三)
check "by name too ($st)" grep -q '<td>张三</td>' "$T/body"
st=$(FORM_PAGE=/admin/certs post_form "$J" /admin/certs/find q=张三)
check "hr 3502 does not find 张三 ($st)" grep -q '此范围内没有符合的人员' "$T/body"
st=$(FORM_PAGE=/admin/certs post_form "$J" /admin/certs/issue person=$P year=2024)
check "hr 3502 may not issue for 张三 by key (404, $st)" [ "$st" = 404 ]
st=$(post_form_c "$F" /admin/certs/find "" q=1233)
check "the search needs its CSRF token (403, $st)" [ "$st" = 403 ]
st=$(FORM_PAGE=/admin/certs post_form "$T/yiyuan.jar" /admin/certs/find q=1233)
check "the employer may not search (404, $st)" [ "$st" = 404 ]
for bad in "' OR 1=1 --" "<script>x</script>" "$(printf 'q%.0s' $(seq 1 65))" $'a\x01b' $'\xff\xfe'; do
	st=$(FORM_PAGE=/admin/certs post_form "$F" /admin/certs/find "q=$bad")
	check "a hostile search (${#bad} bytes) answers 400 or nobody ($st)" eval '[ "$st" = 400 ] || grep -q "此范围内没有符合的人员" "$T/body"'
	check_fails "and is not echoed raw" grep -q '<script>' "$T/body"
done
for bad in abc -1 0 "1 OR 1=1" 99999999999999999999; do
	st=$(FORM_PAGE=/admin/certs post_form "$F" /admin/certs/issue "person=$bad" year=2024)
	check "person=$bad is refused ($st)" grep -qE '^(400|404)$' <<<"$st"
done
n0=$(sqlite3 "$DB" 'SELECT count(*) FROM certificates')
st=$(FORM_PAGE=/admin/certs post_form "$F" /admin/certs/issue person=$P year=2024)
check "hr 3501 issues for 张三 by key ($st)" [ "$st" = 200 ]
check "one more certificate" [ "$(sqlite3 "$DB" 'SELECT count(*) FROM certificates')" = $((n0 + 1)) ]
check "for 张三" [ "$(sqlite3 "$DB" "SELECT c.name FROM certificates c ORDER BY leaf_index DESC LIMIT 1")" = 张三 ]
check_fails "the full number is in no access log line" grep -q 350102198001011233 "$T/access.log"

# The console links to the pages of each role.
http_code "$J" GET /admin/ >/dev/null
check "hr's console links to the certificates" grep -q 'href="/admin/certs"' "$T/body"
http_code "$T/jidi.jar" GET /admin/ >/dev/null
check "a provider's console links to the upload" grep -q 'href="/admin/records/upload"' "$T/body"
check_fails "but not to the certificates" grep -q 'href="/admin/certs"' "$T/body"

# An auditor reads the certificates of its region, changes nothing.
check "an auditor signs in" account "$D" xmaud auditor 3502 厦门市审计局
check "the auditor lists them" [ "$(http_code "$T/xmaud.jar" GET "/admin/certs?year=2024")" = 200 ]
check "with 李四's" grep -q "href=\"/admin/certs/$S1\"" "$T/body"
check_fails "without the issue form" grep -q 'action="/admin/certs/issue"' "$T/body"
check "the auditor reads one" [ "$(http_code "$T/xmaud.jar" GET "/admin/certs/$S1")" = 200 ]
check_fails "without the reissue form" grep -q '/reissue"' "$T/body"
st=$(FORM_PAGE=/admin/certs post_form "$T/xmaud.jar" "/admin/certs/$S2/reissue" confirm=1)
check "the auditor may not reissue (404, $st)" [ "$st" = 404 ]
