#!/usr/bin/env bash
# The practitioner's own pages (issue 14, service.md §5 "What they see"):
# practitioner A signs in and sees their hours per year exactly as
# `hourseal-issuer summary` counts them (waiting hours apart, the
# deadline of the year), every record with its state (stamped by whom,
# rejected with the reason and whom to ask, withdrawn, waiting), every
# certificate (valid, superseded -> replacement, revoked + reason), the
# recorded PDF byte for byte (SHA-256 checked before sending), asks for a
# course certificate once (refused for a waiting record, for a record
# that has one, and 404 for B's), reads their notices (new ones counted
# on /my/ until read) and downloads data.json with their own full ID
# number and nothing of B's. B's serial is 404 on every /my/certs route.
. "$(dirname "$0")/../lib.sh"
scratch
. "$HS_TOP/tests/serve_lib.sh"
export HOURSEAL_TODAY=2025-03-01
command -v oathtool >/dev/null || { notok "oathtool is installed (scripts/deps.sh test)"; exit 1; }

A=350102198001011233
B=11010519491231002X
D=$T/data
DB=$D/hourseal.db
I() { "$ISSUER" --data "$D" "$@"; }
q() { sqlite3 "$DB" "$1"; }
I init --policy fujian "$D" --keys "$T/keys" --issuer "福建省继续教育中心" --origin "ledger.example.cn/fj" --base-url "https://verify.example.cn" >/dev/null 2>&1
I keygen --no-passphrase k1 >/dev/null 2>&1
{
	echo "身份证号,姓名,工作单位,地区代码,年度,科目类别,学习形式,课程名称,施训机构,开始日期,结束日期,学时,专业技术领域,外部编号"
	for i in 1 2 3 4 5 6; do
		echo "$A,张三,福州市第一医院,350102,2024,公需,面授,公需课$i,福州基地,2024-03-0$i,2024-03-0$i,6,,B$i"
	done
	echo "$A,张三,福州市第一医院,350102,2024,专业,面授,专业课1,福州基地,2024-04-01,2024-04-01,8,,P1"
	echo "$A,张三,福州市第一医院,350102,2024,专业,面授,专业课2,福州基地,2024-04-02,2024-04-02,8,,P2"
	echo "$A,张三,福州市第一医院,350102,2024,公需,面授,待验印课,福州基地,2024-05-01,2024-05-01,3,,W1"
	echo "$A,张三,福州市第一医院,350102,2024,公需,面授,后补课,福州基地,2024-05-02,2024-05-02,4,,W2"
	echo "$A,张三,福州市第一医院,350102,2024,专业,面授,被退回课,福州培训中心,2024-05-03,2024-05-03,5,,R1"
	echo "$A,张三,福州市第一医院,350102,2024,专业,面授,被撤回课,福州基地,2024-05-04,2024-05-04,2,,X1"
	echo "$A,张三,福州市第一医院,350102,2025,公需,面授,二五年课,福州基地,2025-01-10,2025-01-10,7,,C1"
	for i in 1 2 3; do
		echo "$B,李四,厦门市第一医院,350203,2024,公需,面授,李四课$i,厦门基地,2024-03-0$i,2024-03-0$i,6,,L$i"
	done
} >"$T/r.csv"
I import "$T/r.csv" --quiet >/dev/null
check "init, keygen, 16 records" [ "$(q 'SELECT count(*) FROM records')" = 16 ]
make_account "$D" fjhr hr 35 福建省人力资源和社会保障厅
for r in B1 B2 B3 B4 B5 B6 P1 P2 X1 C1 L1 L2 L3; do I stamp --ref "$r" --account fjhr >/dev/null 2>&1; done
I stamp --reject R1 --reason "证明材料不全" --account fjhr >/dev/null 2>&1
I withdraw --account fjhr --ref X1 --reason "重复提交" >/dev/null 2>&1
check "states: 12 stamped, 1 rejected, 2 waiting, 1 withdrawn" [ "$(q "SELECT group_concat(state || ':' || n) FROM (SELECT state, count(*) n FROM records GROUP BY state ORDER BY state)")" = "rejected:1,stamped:12,waiting:2,withdrawn:1" ]

# Certificates: A's 2024 annual (then superseded once W2 is stamped),
# A's 2025 course certificate revoked for an error, B's 2024 annual.
I issue --year 2024 --id "$A" --out "$D/pdfs" --quiet >/dev/null 2>&1
S1=$(q "SELECT serial FROM certificates WHERE kind = 'annual' AND year = 2024 AND id_masked LIKE '3501%'")
I stamp --ref W2 --account fjhr >/dev/null 2>&1
I issue --year 2024 --id "$A" --out "$D/pdfs" --quiet >/dev/null 2>&1
S2=$(q "SELECT replaced_by FROM revocations WHERE serial = '$S1'")
I issue --year 2025 --id "$A" --kind course --out "$D/pdfs" --quiet >/dev/null 2>&1
S3=$(q "SELECT serial FROM certificates WHERE year = 2025 AND kind = 'course'")
I revoke "$S3" --reason error --note "课程名称有误" >/dev/null 2>&1
I issue --year 2024 --id "$B" --out "$D/pdfs" --quiet >/dev/null 2>&1
SB=$(q "SELECT serial FROM certificates WHERE id_masked LIKE '1101%'")
check "certificates: S1 superseded by S2, S3 revoked, B's SB ($S1 $S2 $S3 $SB)" [ -n "$S1" ] && [ -n "$S2" ] && [ -n "$S3" ] && [ -n "$SB" ]

check "the service starts" serve_start "$D"
check "practitioner A's account" account "$D" zhangsan practitioner "$A" 福州市第一医院
check "practitioner B's account" account "$D" lisi practitioner "$B" 厦门市第一医院
J=$T/a.jar
rm -f "$J"
st=$(FORM_PAGE=/my/signin post_form "$J" /my/signin "id=$A" "password=$PASSWORD")
check "A signs in at /my/signin ($st)" [ "$st" = 303 ]
JB=$T/b.jar
rm -f "$JB"
st=$(FORM_PAGE=/my/signin post_form "$JB" /my/signin "id=$B" "password=$PASSWORD")
check "B signs in ($st)" [ "$st" = 303 ]

# ---- /my/: the numbers are summary's ----
check "/my/ answers 200" [ "$(http_code "$J" GET /my/)" = 200 ]
cp "$T/body" "$T/home.html"
check "/my/ is no-store" grep -qi '^cache-control: no-store' "$T/headers"
# cell YEAR PART: the stamped hours of one row of the page.
cell() { python3 - "$T/home.html" "$1" "$2" "${3:-got}" <<'EOF'
import re, sys
html = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'<tr id="y%s-%s">(.*?)</tr>' % (sys.argv[2], sys.argv[3]), html, re.S)
c = m and re.search(r'class="%s">([^<]*)<' % sys.argv[4], m.group(1))
print(c.group(1) if c else "none")
EOF
}
for y in 2024 2025; do
	I summary --year $y --id "$A" --json >"$T/sum$y.json" 2>/dev/null
	for k in public professional total; do
		want=$(python3 -c "import json,sys; p=json.load(open(sys.argv[1]))['practitioners'][0]; print(p['$k'])" "$T/sum$y.json")
		got=$(cell $y $k)
		check "$y $k on /my/ ($got) == summary ($want)" [ "$got" = "$want" ]
	done
	for k in public professional total; do
		want=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['requirement']['$k'])" "$T/sum$y.json")
		check "$y $k requirement == summary's ($want)" [ "$(cell $y $k req)" = "$want" ]
	done
done
check "2024: 40 public (36 + W2), 16 professional" [ "$(cell 2024 public)/$(cell 2024 professional)" = "40/16" ]
check "2024: waiting hours shown apart (W1, 3 h)" grep -q 'id="y2024-waiting">待验印 3 学时（1 条记录），尚未计入' "$T/home.html"
check "2024 deadline 2025-02-28 (the policy's)" grep -q 'id="y2024-deadline">本年度学时须在 <strong>2025-02-28</strong>' "$T/home.html"
check "2025 deadline 2026-02-28" grep -q 'id="y2025-deadline">本年度学时须在 <strong>2026-02-28</strong>' "$T/home.html"
check "this year is listed first" [ "$(grep -o 'id="y[0-9]*"' "$T/home.html" | head -1)" = "id=\"y$(TZ=Asia/Shanghai date +%Y)\"" ]
check "3 new notices counted" grep -q '3 条新消息' "$T/home.html"
check_fails "A's full ID number is not on /my/" grep -q "$A" "$T/home.html"
check_fails "B's name is not on /my/" grep -q 李四 "$T/home.html"

# ---- /my/records ----
check "/my/records answers 200" [ "$(http_code "$J" GET /my/records)" = 200 ]
cp "$T/body" "$T/rec.html"
check "the 13 records of A" [ "$(grep -c '<tr id="r' "$T/rec.html")" = 13 ]
check_fails "none of B's" grep -q 李四课 "$T/rec.html"
check "stamped: by which organisation" grep -q '已验印</strong><br>福建省人力资源和社会保障厅' "$T/rec.html"
check "rejected: the reason" grep -q '原因：证明材料不全' "$T/rec.html"
check "rejected: whom to ask (the provider)" grep -q '请联系提交记录的施训机构更正后重新提交：福州培训中心' "$T/rec.html"
check "withdrawn: shown with its reason" grep -q '已撤回</strong><br><span class="reason">原因：重复提交' "$T/rec.html"
check "waiting: shown" grep -q '待验印</strong>' "$T/rec.html"
check "forms of study in Chinese" grep -q '2024 · 公需科目 · 面授培训' "$T/rec.html"
check "a stamped record without a course certificate offers the request" grep -q "name=\"record\" value=\"$(q "SELECT id FROM records WHERE ref = 'B1'")\"" "$T/rec.html"
check "C1, whose course certificate was revoked, links to it instead" grep -q "href=\"/my/certs/$S3\">单项证书（已撤销）" "$T/rec.html"
check_fails "and offers no request" grep -q "name=\"record\" value=\"$(q "SELECT id FROM records WHERE ref = 'C1'")\"" "$T/rec.html"
check_fails "no unlabelled card cell" grep -q 'data-label=""' "$T/rec.html"
http_code "$J" GET "/my/records?year=2025" >/dev/null
check "year=2025 lists one record" [ "$(grep -c '<tr id="r' "$T/body")" = 1 ]
for bad in abc 1989 2101 "%27%3B--" 99999999999999999999; do
	check "a hostile year ?year=$bad is 400" [ "$(http_code "$J" GET "/my/records?year=$bad")" = 400 ]
done

# ---- /my/certs ----
check "/my/certs answers 200" [ "$(http_code "$J" GET /my/certs)" = 200 ]
cp "$T/body" "$T/certs.html"
check "S1 superseded, linking S2" grep -q "id=\"c-$S1\">.*已被替换</strong> → <a class=\"replacement\" href=\"/my/certs/$S2\">" "$T/certs.html"
check "S2 valid" grep -q "id=\"c-$S2\">.*有效" "$T/certs.html"
check "S3 revoked with its reason" grep -q "id=\"c-$S3\">.*已撤销</strong>: 信息有误（课程名称有误）" "$T/certs.html"
check "a download link" grep -q "href=\"/my/certs/$S2.pdf\"" "$T/certs.html"
check_fails "B's certificate is not listed" grep -q "$SB" "$T/certs.html"
check "S2's page answers 200" [ "$(http_code "$J" GET "/my/certs/$S2")" = 200 ]
check "with its status" grep -q '<dd class="status"><strong class="ok">有效' "$T/body"
check "and the public verifier page (config base_url)" grep -q "class=\"verify\" href=\"https://verify.example.cn/c/$S2\"" "$T/body"
check "S1's page links to its replacement" [ "$(http_code "$J" GET "/my/certs/$S1")" = 200 ]
check "S1's page links to its replacement (2)" grep -q "href=\"/my/certs/$S2\"" "$T/body"

# The PDF: the recorded file, byte for byte.
check "S2's PDF answers 200" [ "$(http_code "$J" GET "/my/certs/$S2.pdf")" = 200 ]
check "its SHA-256 is the recorded one" [ "$(sha256sum "$T/body" | cut -d' ' -f1)" = "$(q "SELECT pdf_sha256 FROM certificates WHERE serial = '$S2'")" ]
check "as an attachment named by serial" grep -qi "^content-disposition: attachment; filename=$S2.pdf" "$T/headers"
check "no-store" grep -qi '^cache-control: no-store' "$T/headers"
check "application/pdf" grep -qi '^content-type: application/pdf' "$T/headers"
# B's serial: 404 on every route, as a missing one.
for p in "/my/certs/$SB" "/my/certs/$SB.pdf" "/my/certs/2024-ZZZZ-ZZZZ-ZZZZ-ZZZZ" "/my/certs/2024-ZZZZ-ZZZZ-ZZZZ-ZZZZ.pdf"; do
	check "A gets 404 for $p" [ "$(http_code "$J" GET "$p")" = 404 ]
done
check "B gets their own" [ "$(http_code "$JB" GET "/my/certs/$SB.pdf")" = 200 ]
check "B gets 404 for A's" [ "$(http_code "$JB" GET "/my/certs/$S2.pdf")" = 404 ]
for s in "%27%20OR%201%3D1--" "%3Cscript%3E" "..%2F..%2Fconfig.json" "$(printf 'A%.0s' $(seq 1 300))"; do
	st=$(http_code "$J" GET "/my/certs/$s")
	check "a hostile serial is 404 ($st)" [ "$st" = 404 ]
	check_fails "and not echoed" grep -q '<script>' "$T/body"
done
# A file changed on disk is never sent.
F=$(q "SELECT pdf_file FROM certificates WHERE serial = '$S1'")
cp "$F" "$T/s1.pdf"
printf 'x' >>"$F"
check "a PDF whose SHA-256 differs answers 500" [ "$(http_code "$J" GET "/my/certs/$S1.pdf")" = 500 ]
check_fails "and sends no PDF" grep -q '%PDF' "$T/body"
check "and logs it" grep -q "certificate $S1: PDF SHA-256 .* differs from the recorded" "$T/serve.err"
cp "$T/s1.pdf" "$F"
check "restored, it is sent again" [ "$(http_code "$J" GET "/my/certs/$S1.pdf")" = 200 ]

# ---- POST /my/certs/request ----
rid() { q "SELECT id FROM records WHERE ref = '$1'"; }
n0=$(q "SELECT count(*) FROM certificates")
st=$(FORM_PAGE=/my/records post_form "$J" /my/certs/request "record=$(rid B1)")
check "a course certificate for B1 ($st)" [ "$st" = 200 ]
SC=$(q "SELECT c.serial FROM certificates c JOIN cert_records x ON x.serial = c.serial WHERE c.kind = 'course' AND x.record_id = $(rid B1)")
check "one new certificate ($SC)" [ "$(q "SELECT count(*) FROM certificates")" = $((n0 + 1)) ]
check "the page links to it" grep -q "href=\"/my/certs/$SC\"" "$T/body"
check "audited as cert.issue by zhangsan (practitioner)" [ "$(q "SELECT count(*) FROM audit WHERE action = 'cert.issue' AND object = '$SC' AND actor = 'zhangsan' AND role = 'practitioner'")" = 1 ]
check "its PDF downloads" [ "$(http_code "$J" GET "/my/certs/$SC.pdf")" = 200 ]
st=$(FORM_PAGE=/my/records post_form "$J" /my/certs/request "record=$(rid B1)")
check "asked again: refused (409, $st)" [ "$st" = 409 ]
check "with a link to the one it has" grep -q "href=\"/my/certs/$SC\"" "$T/body"
st=$(FORM_PAGE=/my/records post_form "$J" /my/certs/request "record=$(rid W1)")
check "a waiting record: refused (409, $st)" [ "$st" = 409 ]
check "saying it is not stamped" grep -q '只有已验印的记录可以申请证书' "$T/body"
st=$(FORM_PAGE=/my/records post_form "$J" /my/certs/request "record=$(rid L1)")
check "B's record: 404 ($st)" [ "$st" = 404 ]
st=$(FORM_PAGE=/my/records post_form "$J" /my/certs/request "record=$(rid C1)")
check "a record whose certificate was revoked: refused ($st)" [ "$st" = 409 ]
for bad in "" abc -1 0 99999999999999999999 "1 OR 1=1"; do
	st=$(FORM_PAGE=/my/records post_form "$J" /my/certs/request "record=$bad")
	check "a hostile record '$bad': 400 ($st)" [ "$st" = 400 ]
done
st=$(post_form_c "$J" /my/certs/request "" "record=$(rid B2)")
check "without CSRF: 403 ($st)" [ "$st" = 403 ]
check "nothing else issued" [ "$(q "SELECT count(*) FROM certificates")" = $((n0 + 1)) ]

# ---- /my/notices ----
check "/my/notices answers 200" [ "$(http_code "$J" GET /my/notices)" = 200 ]
cp "$T/body" "$T/notices.html"
check "the supersession, with the replacement" grep -q "notice-superseded fresh.*href=\"/my/certs/$S1\".*已被替换为 <a class=\"replacement\" href=\"/my/certs/$S2\"" "$T/notices.html"
check "the revocation, with its reason" grep -q "notice-revoked fresh.*$S3.*已被撤销，原因: 信息有误（课程名称有误）" "$T/notices.html"
check "the rejection, with reason and provider" grep -q 'notice-rejected fresh.*R1（被退回课）被退回，原因： 证明材料不全；退回单位：福建省人力资源和社会保障厅；请联系施训机构：福州培训中心' "$T/notices.html"
check "3 notices" [ "$(grep -c '<li class="notice-' "$T/notices.html")" = 3 ]
check "notices_seen moved" [ "$(q "SELECT notices_seen > 0 FROM accounts WHERE name = 'zhangsan'")" = 1 ]
http_code "$J" GET /my/ >/dev/null
check_fails "read: /my/ counts no new notice" grep -q '条新消息' "$T/body"
http_code "$J" GET /my/notices >/dev/null
check_fails "read: nothing is new on the notices page" grep -q 'fresh' "$T/body"

# ---- /my/data.json ----
check "/my/data.json answers 200" [ "$(http_code "$J" GET /my/data.json)" = 200 ]
cp "$T/body" "$T/data.json"
check "no-store" grep -qi '^cache-control: no-store' "$T/headers"
check "an attachment" grep -qi '^content-disposition: attachment' "$T/headers"
check "it parses, holds A's ID number and records, certificates, sessions" python3 - "$T/data.json" "$A" "$S1" "$S2" "$S3" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
A, S1, S2, S3 = sys.argv[2:6]
assert d["format"] == "hourseal-my-data/1", d["format"]
assert d["person"]["id_number"] == A
assert len(d["records"]) == 13, len(d["records"])
st = {c["serial"]: c["state"] for c in d["certificates"]}
assert st[S1] == "superseded" and st[S2] == "valid" and st[S3] == "revoked", st
assert any(s["decision"] == "rejected" for s in d["stamps"])
assert any(s["decision"] == "withdrawn" for s in d["stamps"])
assert d["account"]["name"] == "zhangsan" and "pw_hash" not in d["account"]
assert len(d["sessions"]) >= 1 and all("hash" not in s and "csrf" not in s for s in d["sessions"])
assert any(a["action"] == "cert.issue" for a in d["audit"])
assert d["truncated"] == []
EOF
check_fails "none of B's ID number" grep -q "$B" "$T/data.json"
check_fails "none of B's name" grep -q 李四 "$T/data.json"
check_fails "no secret: no password hash" grep -q 'argon2' "$T/data.json"
check_fails "the ID number is in no log" grep -q "$A" "$T/access.log" "$T/serve.err"

# ---- every page, zh and en; signed out ----
for p in /my/ /my/records /my/certs "/my/certs/$S2" /my/notices; do
	check "$p answers 200 in zh" [ "$(http_code "$J" GET "$p")" = 200 ]
	check "$p is zh" grep -q '<html lang="zh-CN"' "$T/body"
	check "$p is no-store" grep -qi '^cache-control: no-store' "$T/headers"
	check "$p answers 200 in en" [ "$(http_code "$J" GET "$p?lang=en")" = 200 ]
	check "$p is en" grep -q '<html lang="en"' "$T/body"
	check_fails "$p holds no script" grep -qi '<script' "$T/body"
done
for p in /my/ /my/records /my/certs "/my/certs/$S2" "/my/certs/$S2.pdf" /my/notices /my/data.json; do
	st=$(curl -s -o /dev/null -w '%{http_code}' "$AURL$p")
	check "signed out, $p redirects to sign-in ($st)" [ "$st" = 303 ]
done
st=$(curl -s -o /dev/null -w '%{http_code}' -b "$T/fjhr.jar" "$AURL/my/")
check "no account: /my/ redirects ($st)" [ "$st" = 303 ]
serve_stop
