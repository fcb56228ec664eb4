#!/usr/bin/env bash
# Share codes (issue 14, service.md §5): a holder picks certificates and a
# validity (7/30/90/180 days) at /my/share and gets a 16-character code
# shown once, its URL and QR; anyone with the code reads a verification
# report at /s/<code> (no session): each certificate checked as the
# verifier checks it (signature, inclusion in the latest checkpoint,
# revocation from the ledger), replaced ones with their replacement. The
# holder sees the views and withdraws; an expired or withdrawn code gets
# a 410 page, an unknown one 404 and, past the miss limits, 429 while a
# real code still answers. Only the code's hash is stored and the access
# log writes /s/[token]. A certificate note altered in the database fails
# its signature check on the report.
. "$(dirname "$0")/../lib.sh"
scratch
. "$HS_TOP/tests/serve_lib.sh"
export HOURSEAL_TODAY=2025-03-01
for c in oathtool zbarimg faketime; do
	command -v $c >/dev/null || { notok "$c is installed (scripts/deps.sh test)"; exit 1; }
done

D=$T/data
DB=$D/hourseal.db
LI=11010519491231002X
ZH=350102198001011233
I() { "$ISSUER" --data "$D" "$@"; }
q() { sqlite3 "$DB" "$1"; }
I init --base-url http://127.0.0.1:8080 --policy fujian "$D" --keys "$T/keys" --issuer "福建省继续教育中心" --origin "ledger.example.cn/fj" >/dev/null 2>&1
I keygen --no-passphrase k1 >/dev/null 2>&1
{
	echo "身份证号,姓名,工作单位,地区代码,年度,科目类别,学习形式,课程名称,施训机构,开始日期,结束日期,学时,专业技术领域,外部编号"
	for i in $(seq 1 6); do
		echo "$LI,李四,厦门市第一医院,350203,2024,公需,面授,课程$i,厦门继续教育基地,2024-03-0$i,2024-03-0$i,6,,A$i"
		echo "$ZH,张三,福州市第一医院,350102,2024,公需,面授,课程$i,福州基地,2024-03-0$i,2024-03-0$i,6,,B$i"
	done
	for i in $(seq 1 5); do
		echo "$LI,李四,厦门市第一医院,350203,2023,公需,面授,公需课$i,厦门继续教育基地,2023-03-0$i,2023-03-0$i,6,,C$i"
	done
	for i in $(seq 1 8); do
		echo "$LI,李四,厦门市第一医院,350203,2023,专业,面授,专业课$i,厦门继续教育基地,2023-04-0$i,2023-04-0$i,8,,D$i"
	done
} >"$T/r.csv"
I import "$T/r.csv" --quiet >/dev/null
make_account "$D" xmhr hr 3502 厦门市人力资源和社会保障局
make_account "$D" fzhr hr 3501 福州市人力资源和社会保障局
I stamp --all --account xmhr >/dev/null 2>&1
I stamp --all --account fzhr >/dev/null 2>&1
I issue --year 2024 --id $LI --out "$T/pdf" >/dev/null 2>&1
I issue --year 2023 --id $LI --out "$T/pdf" >/dev/null 2>&1
I issue --year 2024 --id $ZH --out "$T/pdf" >/dev/null 2>&1
S24=$(q "SELECT serial FROM certificates WHERE year = 2024 AND name = '李四'")
S23=$(q "SELECT serial FROM certificates WHERE year = 2023")
SZ=$(q "SELECT serial FROM certificates WHERE name = '张三'")
check "three certificates: 李四 2023 met, 2024 unmet; 张三 2024" \
	[ "$(q "SELECT group_concat(status) FROM (SELECT status FROM certificates WHERE name = '李四' ORDER BY year)")" = "met,unmet" -a -n "$SZ" ]

check "the service starts" serve_start "$D" --public-url http://share.example.cn
# Practitioner accounts: the invitation sets the password, then /my/signin.
my_signin() { # JAR ID: prints the status
	http_code "$1" GET /my/signin >/dev/null
	post_form_c "$1" /my/signin "$(csrf_from "$T/body")" "id=$2" "password=$PASSWORD"
}
check "李四's account" account "$D" lisi practitioner $LI 李四
check "张三's account" account "$D" zhang practitioner $ZH 张三
JL=$T/lisi.jar JZ=$T/zhang.jar
check "李四 signs in at /my/" [ "$(my_signin "$JL" $LI)" = 303 ]
check "张三 signs in at /my/" [ "$(my_signin "$JZ" $ZH)" = 303 ]

# The list page and its form.
check "GET /my/share is 200" [ "$(http_code "$JL" GET /my/share)" = 200 ]
check "the form lists 李四's certificates" grep -q "value=\"$S23\" checked" "$T/body"
check "the valid annual ones are preselected" grep -q "value=\"$S24\" checked" "$T/body"
check_fails "not 张三's" grep -q "$SZ" "$T/body"
for d in 7 30 90 180; do
	check "validity $d is offered" grep -q "name=\"days\" value=\"$d\"" "$T/body"
done
check "no session: /my/share sends to sign-in" [ "$(http_code "$T/none.jar" GET /my/share)" = 303 ]

# Making a code: hostile and wrong input first.
mk() { FORM_PAGE=/my/share post_form "$JL" /my/share "$@"; }
for d in 8 0 -7 abc 365 "7<x>" ""; do
	st=$(mk serial=$S23 "days=$d")
	check "days=$d is refused ($st)" [ "$st" = 400 ]
done
st=$(mk days=7)
check "no certificate chosen is 400 ($st)" [ "$st" = 400 ]
st=$(mk serial=$SZ days=7)
check "another holder's certificate is 404 ($st)" [ "$st" = 404 ]
st=$(mk serial=$S23 serial="<script>alert(1)</script>" days=7)
check "a hostile serial is 404 ($st)" [ "$st" = 404 ]
check_fails "and not echoed" grep -q '<script>alert' "$T/body"
st=$(mk serial=$S23 days=7 "label=$(printf '长%.0s' $(seq 1 41))")
check "a 41-character label is 400 ($st)" [ "$st" = 400 ]
st=$(post_form_c "$JL" /my/share "" serial=$S23 days=7)
check "without the CSRF token it is 403 ($st)" [ "$st" = 403 ]
check "nothing made so far" [ "$(q 'SELECT count(*) FROM share_codes')" = 0 ]

st=$(mk serial=$S23 serial=$S24 days=7 "label=评审存档")
check "李四 makes a 7-day code for two certificates ($st)" [ "$st" = 200 ]
G=$(sed -n 's/.*<p class="code mono">\([0-9A-Z-]*\)<.*/\1/p' "$T/body")
C=${G//-/}
check "the page shows the code once ($G)" [ ${#C} = 16 ]
check "in Crockford's alphabet" grep -qE '^[0-9ABCDEFGHJKMNPQRSTVWXYZ]{16}$' <<<"$C"
check "the page shows the URL" grep -q "http://share.example.cn/s/$C" "$T/body"
check "the QR inline" grep -q '<svg class="shareqr"' "$T/body"
check "a link to the PNG" grep -q "href=\"/s/$C/qr.png\"" "$T/body"
check "the validity" grep -q '有效期至' "$T/body"
check "the holder's name (for the printed slip)" grep -q '<p class="holder">李四</p>' "$T/body"
check "the answer is not stored" grep -qi '^cache-control: no-store' "$T/headers"
check "share.add is audited with object share:<id>" \
	[ "$(q "SELECT count(*) FROM audit WHERE action = 'share.add' AND actor = 'lisi' AND object = 'share:1'")" = 1 ]
check "two certificates on the code" [ "$(q 'SELECT count(*) FROM share_code_certs WHERE share_id = 1')" = 2 ]
http_code "$T/none.jar" GET /style.css >/dev/null
check "the style sheet has a print layout for it" grep -q "@media print{header.bar,nav.console" "$T/body"

# The report: public, no session.
rep() { http_code "$T/pub.jar" "${2:-GET}" "/s/$1"; }
check "GET /s/<code> is 200 without a session" [ "$(rep "$C")" = 200 ]
cp "$T/body" "$T/report.html"
check "it shows the 2023 certificate" grep -q "$S23" "$T/body"
check "and the 2024 one" grep -q "$S24" "$T/body"
check "达标 for 2023" grep -q '>达标<' "$T/body"
check "未达标 for 2024" grep -q '>未达标<' "$T/body"
check "the holder's name" grep -q '李四' "$T/body"
check "the masked ID number" grep -q '1101\*\{10\}002X' "$T/body"
check_fails "never the full ID number" grep -q $LI "$T/body"
check "both signatures verified" [ "$(grep -o '✓ 签名有效' "$T/body" | wc -l)" = 2 ]
check "both included in the checkpoint" [ "$(grep -o '✓ 已收录，包含证明有效' "$T/body" | wc -l)" = 2 ]
check "the checkpoint size" grep -q "账本检查点</dt><dd>大小 $(q 'SELECT size FROM latest_checkpoint')<" "$T/body"
check "when it was checked (Beijing time)" grep -qE '核验时间</dt><dd>20[0-9]{2}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} 北京时间' "$T/body"
check "the days left" grep -q '剩余 7 天' "$T/body"
check "all verified" grep -q '全部核验通过' "$T/body"
check "Cache-Control: no-store" grep -qi '^cache-control: no-store' "$T/headers"
check "Referrer-Policy: no-referrer" grep -qi '^referrer-policy: no-referrer' "$T/headers"
check "X-Robots-Tag: noindex" grep -qi '^x-robots-tag: noindex' "$T/headers"
check "English with ?lang=en" [ "$(rep "$C?lang=en")" = 200 ] 
check "  (English text)" grep -q 'Verification report\|verification report' "$T/body"
lc=$(tr 'A-Z' 'a-z' <<<"$G")
check "the code as typed (lower case, hyphens) works" [ "$(rep "$lc")" = 200 ]
check "views counted: 3" [ "$(q 'SELECT views FROM share_codes WHERE id = 1')" = 3 ]
check "HEAD is 200" [ "$(rep "$C" HEAD)" = 200 ]
check "and is not a view" [ "$(q 'SELECT views FROM share_codes WHERE id = 1')" = 3 ]
check "last_view is set" [ -n "$(q 'SELECT last_view FROM share_codes WHERE id = 1')" ]
http_code "$JL" GET /my/share >/dev/null
check "the holder's list shows the views" grep -q '<td data-label="查看" class="views">3</td>' "$T/body"
check "and the label" grep -q '评审存档' "$T/body"
check "and a withdraw button" grep -q 'action="/my/share/1/withdraw"' "$T/body"

# The QR image decodes to the URL.
check "qr.png is 200" [ "$(http_code "$T/pub.jar" GET "/s/$C/qr.png")" = 200 ]
check "  as image/png" grep -qi '^content-type: image/png' "$T/headers"
cp "$T/body" "$T/qr.png"
check "zbarimg reads the URL from it" [ "$(zbarimg -q --raw "$T/qr.png" 2>/dev/null)" = "http://share.example.cn/s/$C" ]
check "its size is bounded" [ "$(stat -c %s "$T/qr.png")" -lt 20000 ]

# Tamper: a certificate's note altered in the database fails its check.
# (an intruder with the database drops the append-only trigger first)
trig=$(q "SELECT sql FROM sqlite_master WHERE name = 'certificates_no_update'")
orig=$(q "SELECT hex(note) FROM certificates WHERE serial = '$S23'")
q "DROP TRIGGER certificates_no_update; UPDATE certificates SET note = replace(note, 'name: 李四', 'name: 李五') WHERE serial = '$S23'"
check "  (the note was changed)" [ "$(q "SELECT count(*) FROM certificates WHERE serial = '$S23' AND note LIKE '%李五%'")" = 1 ]
rep "$C" >/dev/null
check "the altered certificate's signature check fails" grep -q '✗ 核验失败' "$T/body"
check "  exactly one signature verifies" [ "$(grep -o '✓ 签名有效' "$T/body" | wc -l)" = 1 ]
check "  the report says not everything verified" grep -q '有证书未通过核验' "$T/body"
q "UPDATE certificates SET note = CAST(X'$orig' AS TEXT) WHERE serial = '$S23'; $trig;"
rep "$C" >/dev/null
check "restored, it verifies again" grep -q '全部核验通过' "$T/body"

# A reissued certificate: the report shows its replacement.
I reissue "$S24" --out "$T/pdf" >/dev/null 2>&1
N24=$(q "SELECT replaced_by FROM revocations WHERE serial = '$S24'")
check "2024 reissued ($N24)" [ -n "$N24" ]
rep "$C" >/dev/null
check "the report says 已被替换 → the new serial" grep -q "已被替换 → <span class=\"mono\">$N24" "$T/body"
check "and shows the replacement's own card" grep -q "替换证书 <span class=\"mono\">$N24" "$T/body"
check "  with its result" [ "$(grep -o '>未达标<' "$T/body" | wc -l)" = 2 ]
check "  and its revocation leaf checked" grep -q '✓ 账本中的撤销记录已核验' "$T/body"

# Another practitioner cannot list or withdraw it.
http_code "$JZ" GET /my/share >/dev/null
check_fails "张三's list does not show 李四's code" grep -q '评审存档' "$T/body"
st=$(FORM_PAGE=/my/share post_form "$JZ" /my/share/1/withdraw)
check "张三 withdrawing 李四's code is 404 ($st)" [ "$st" = 404 ]
for bad in 0 -1 abc 99999999999999999999 "1%27"; do
	st=$(FORM_PAGE=/my/share post_form "$JL" "/my/share/$bad/withdraw")
	check "withdraw id '$bad' is 404 ($st)" [ "$st" = 404 ]
done
check "still active" [ "$(rep "$C")" = 200 ]

# A second code, 7 days (for the expiry below).
st=$(mk serial=$S23 days=7)
G2=$(sed -n 's/.*<p class="code mono">\([0-9A-Z-]*\)<.*/\1/p' "$T/body")
C2=${G2//-/}
check "a second code ($st)" [ ${#C2} = 16 -a "$C2" != "$C" ]

# Withdraw the first.
st=$(FORM_PAGE=/my/share post_form "$JL" /my/share/1/withdraw)
check "李四 withdraws it ($st)" [ "$st" = 303 ]
check "share.withdraw is audited" [ "$(q "SELECT count(*) FROM audit WHERE action = 'share.withdraw' AND object = 'share:1'")" = 1 ]
check "a withdrawn code is 410" [ "$(rep "$C")" = 410 ]
check "  on a page saying the holder withdrew it" grep -q '持证人已撤回' "$T/body"
check "  and no report" grep -qv "$S23" "$T/body"
check "its QR is gone too" [ "$(http_code "$T/pub.jar" GET "/s/$C/qr.png")" = 410 ]

# Guessing: unknown codes are 404, then 429 (this address's misses);
# a real code still answers.
for bad in "<script>" "$(printf 'A%.0s' $(seq 1 250))" "0000000000000000" "%00" "UUUUUUUUUUUUUUUU"; do
	st=$(rep "$bad")
	check "a hostile code is 404 ($st, ${#bad} bytes)" [ "$st" = 404 ]
	check_fails "  not echoed" grep -q '<script>' "$T/body"
done
n404=0 n429=0
for i in $(seq 1 200); do
	c=$(head -c 10 /dev/urandom | base32 | tr -d '=' | tr 'OIL' 'XYZ' | head -c 16)
	case $(rep "$c") in 404) n404=$((n404 + 1)) ;; 429) n429=$((n429 + 1)) ;; esac
done
# (the hostile ones above that reached the handler were misses too)
check "200 random codes: 404 first, then 429 ($n404, $n429)" \
	[ "$n404" -ge 10 -a "$n404" -le 20 -a $((n404 + n429)) = 200 ]
rep "ZZZZZZZZZZZZZZZZ" >/dev/null
check "a miss now says Retry-After" grep -qi '^retry-after: [0-9]' "$T/headers"
check "  the 404 page said 没有这个分享码" true
check "a real code still answers 200" [ "$(rep "$C2")" = 200 ]
check "a withdrawn one still answers 410" [ "$(rep "$C")" = 410 ]

# Secrets: the code is never in the log nor in the database.
check "the access log writes /s/[token]" grep -q '/s/\[token\]' "$T/access.log"
check_fails "never the first code" grep -qi "$C" "$T/access.log"
check_fails "never the second code" grep -qi "$C2" "$T/access.log"
check_fails "nor its grouped form" grep -qi "$G2" "$T/access.log"
sqlite3 "$DB" .dump >"$T/dump.sql"
check_fails "the first code is not in the database" grep -qi "$C" "$T/dump.sql"
check_fails "the second code is not in the database" grep -qi "$C2" "$T/dump.sql"
check "its SHA-256 is" grep -qi "$(printf %s "$C2" | sha256sum | cut -c1-64)" "$T/dump.sql"

# Eight days later the 7-day code has expired (the clock moved, no sleep).
serve_stop
# (ASan wants its runtime first; faketime preloads its library before it)
printf '#!/bin/sh\nASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" exec faketime "+8 days" "%s" "$@"\n' "$ISSUER" >"$T/issuer8"
chmod +x "$T/issuer8"
ISSUER=$T/issuer8 serve_start "$D"
# faketime runs the service as its child: stop that one at the end.
child=$(pgrep -P "$SPID" | head -1)
[ -n "$child" ] && SPID=$child
check "the service runs 8 days later" [ -n "$SURL" ]
check "the 7-day code is 410" [ "$(rep "$C2")" = 410 ]
check "  on a page saying it expired (Beijing time)" grep -q '过期' "$T/body"
check "  with the date" grep -qE '已于 20[0-9]{2}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}（北京时间）过期' "$T/body"
check "  and that the holder can make a new one" grep -q '生成新的分享码' "$T/body"
check "a miss there is 404 (fresh counters)" [ "$(rep ZZZZZZZZZZZZZZZZ)" = 404 ]
check "  saying 没有这个分享码" grep -q '没有这个分享码' "$T/body"

# The limit across addresses (a fresh process: fresh counters; one miss
# above): misses from five more loopback addresses, 20 each (each
# address's own allowance), are 404 until the 100th miss of the minute;
# from then on a miss from any address is 429, even from one that never
# missed, while a code that is there still answers.
from() { curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' --interface "$1" "$AURL/s/$2"; }
n404=0 n429=0
for a in 2 3 4 5 6; do
	for i in $(seq 1 20); do
		case $(from 127.0.0.$a "$(printf 'Z%015d' "$((a * 100 + i))")") in
		404) n404=$((n404 + 1)) ;; 429) n429=$((n429 + 1)) ;;
		esac
	done
done
check "five addresses: 99 misses 404, the 100th of the minute 429 ($n404, $n429)" \
	[ "$n404" = 99 -a "$n429" = 1 ]
check "then a miss from a sixth address is 429" [ "$(from 127.0.0.7 ZZZZZZZZZZZZZZZY)" = 429 ]
check "  with Retry-After" grep -qi '^retry-after: [0-9]' "$T/headers"
check "  a code that is there still answers it (410 withdrawn)" [ "$(from 127.0.0.7 "$C")" = 410 ]
