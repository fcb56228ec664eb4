#!/usr/bin/env bash
# The practitioner's ways in (service.md §5) over HTTP: an activation code
# made by `hourseal-issuer activation` sets the password and signs in at
# /my/ (hostile and wrong input refused, nothing stored); the password
# signs in again; the provincial platform's signed hand-off (links made by
# scripts/sso-link, the independent HMAC implementation, and by `openssl
# pkeyutl` for Ed25519) signs in and makes the account; the same link
# again, a link 61 s old, a wrong signature, another person's digest under
# the first one's signature, an unknown digest and a malformed link are
# refused, each with an audit row; refusals count in the per-address
# throttle; the account page sets a password without the old one and a
# password change ends the other session; no full ID number in the access
# log or the audit log.
. "$(dirname "$0")/../lib.sh"
scratch
. "$HS_TOP/tests/serve_lib.sh"
export HOURSEAL_TODAY=2025-03-01
LINK=$HS_TOP/scripts/sso-link
# is STATUS [PATTERN]: the last answer had STATUS (and PATTERN in its body).
is() { [ "$st" = "$1" ] && { [ -z "${2:-}" ] || grep -q -- "$2" "$T/body"; }; }
# hdr PATTERN: a header line of the last answer matches (any case).
hdr() { grep -qi -- "$1" "$T/headers"; }

D=$T/data
DB=$D/hourseal.db
ID=350102198001011233      # 张三: activates with a code
ID2=11010519491231002X     # 李四: comes in through the hand-off
ID3=110105194912310038     # nobody here
I() { "$ISSUER" --data "$D" "$@"; }
q() { sqlite3 "$DB" "$@"; }
I init --base-url http://127.0.0.1:8080 --policy fujian "$D" --issuer "福建省继续教育中心" --origin "ledger.example.cn/fj" >/dev/null
{
	echo "身份证号,姓名,工作单位,地区代码,年度,科目类别,学习形式,课程名称,施训机构,开始日期,结束日期,学时,专业技术领域,外部编号"
	echo "$ID,张三,厦门市第一医院,350203,2024,公需,面授,课程一,厦门继续教育基地,2024-03-01,2024-03-01,6,,A1"
	echo "$ID2,李四,厦门市第一医院,350203,2024,公需,面授,课程二,厦门继续教育基地,2024-03-02,2024-03-02,4,,A2"
} >"$T/r.csv"
I import "$T/r.csv" --quiet >/dev/null
check "two people imported" [ "$(q 'SELECT count(*) FROM practitioners')" = 2 ]

# The platform's keys: an HMAC key file (0600) and an Ed25519 key pair.
openssl rand -hex 32 >"$D/sso.key"
chmod 644 "$D/sso.key"
openssl genpkey -algorithm ed25519 -out "$T/platform.pem" 2>/dev/null
PUB=$(openssl pkey -in "$T/platform.pem" -pubout -outform DER | tail -c 32 | base64)
jq --arg pk "$PUB" '. + {sso_hmac_key_file: "sso.key", sso_ed25519_public_key: $pk}' \
	"$D/config.json" >"$T/c.json" && cp "$T/c.json" "$D/config.json"
out=$(timeout 10 "$ISSUER" --data "$D" serve --listen 127.0.0.1:0 2>&1)
case $out in
*"chmod 600"*) ok "a hand-off key file others may read (0644) is refused" ;;
*) notok "a 0644 key file is refused (got: $(echo "$out" | head -c 300))" ;;
esac
chmod 600 "$D/sso.key"

check "the service starts" serve_start "$D"
trap 'serve_stop; rm -rf "$T"' EXIT

# ---- activation (a code from the activation command) ----
printf '%s\n' "$ID" >"$T/ids"
I activation --id-file "$T/ids" --csv "$T/codes.csv" >"$T/act.out" 2>&1
CODE=$(grep -o '[0-9A-Z]\{4\}-[0-9A-Z]\{4\}-[0-9A-Z]\{4\}-[0-9A-Z]\{4\}' "$T/codes.csv" | head -1)
check "activation made a code ($(head -c 200 "$T/act.out"))" test -n "$CODE"
J=$T/zs.jar
st=$(http_code "$J" GET "/my/activate?code=$CODE")
check "GET /my/activate?code= answers 200" [ "$st" = 200 ]
check "the letter's code is filled in" grep -q "value=\"$CODE\"" "$T/body"
st=$(http_code "$J" GET '/my/activate?code=%22%3E%3Cscript%3E')
check "a hostile ?code= is answered" is 200
check_fails "… and not echoed" grep -q '<script>' "$T/body"

PW='a long new password 7'
accounts0=$(q 'SELECT count(*) FROM accounts')
act() { FORM_PAGE=/my/activate post_form "$J" /my/activate "$@"; }
st=$(act "id=$ID2" "code=$CODE" "password=$PW" "again=$PW")
check "another person's ID number with the code: 403 ($st)" [ "$st" = 403 ]
check "… one message for a wrong person or code" grep -q '激活码与身份证号不匹配' "$T/body"
st=$(act "id=$ID" "code=ZZZZ-ZZZZ-ZZZZ-ZZZZ" "password=$PW" "again=$PW")
check "an unknown code: 403, the same message" is 403 '激活码与身份证号不匹配'
st=$(act "id=$ID" "code=$CODE" "password=short" "again=short")
check "a password under the rules: 400 with the rule ($st)" is 400 '密码不符合要求'
st=$(act "id=$ID" "code=$CODE" "password=x011233 and more" "again=x011233 and more")
check "a password with the ID number's digits: 400" is 400 'ID number'
st=$(act "id=$ID" "code=$CODE" "password=$PW" "again=$PW other")
check "two different passwords: 400" is 400 '两次输入的密码不一致'
st=$(act "id=$(printf '1%.0s' $(seq 1 300))" "code=$CODE" "password=$PW" "again=$PW")
check "hostile: a 300-digit ID number: 400 with a message" is 400 '身份证号'
st=$(act "id=$ID" "code=$CODE$(printf 'A%.0s' $(seq 1 80))" "password=$PW" "again=$PW")
check "hostile: an 96-character code: 400" is 400 '激活码应为 16 位'
st=$(act "id=$ID" "code=$(printf '%s\t' "$CODE")" "password=$PW" "again=$PW")
check "hostile: a tab in the code: 400" [ "$st" = 400 ]
st=$(act "id=$ID" "code=$CODE" "password=$(printf 'a long\001password')" "again=x")
check "hostile: a control character in the password: 400 ($st)" [ "$st" = 400 ]
st=$(act "id=$ID" "code=$CODE")
check "hostile: fields missing: 400" [ "$st" = 400 ]
check "hostile input made no account" [ "$(q 'SELECT count(*) FROM accounts')" = "$accounts0" ]
check "… and used no code" [ "$(q 'SELECT count(*) FROM activation_codes WHERE used IS NOT NULL')" = 0 ]

st=$(act "id=$ID" "code=$(echo "$CODE" | tr 'A-Z' 'a-z' | tr -d -)" "password=$PW" "again=$PW")
check "the right person, the code in lower case without dashes: 303 ($st)" [ "$st" = 303 ]
check "… to /my/" hdr '^location: /my/\s*$' 
check "… with the practitioner cookie" grep -qi '^set-cookie: hs_my=[A-Za-z0-9_-]\{43\};.*SameSite=Lax' "$T/headers"
st=$(http_code "$J" GET /my/account)
check "signed in: /my/account answers 200 ($st)" is 200 '修改密码'
st=$(http_code "$J" GET /my/)
check "signed in: /my/ does not send to sign-in ($st)" [ "$st" != 303 ]
st=$(act "id=$ID" "code=$CODE" "password=$PW" "again=$PW")
check "the code again: 410, already used" is 410 '激活码已使用过'

J2=$T/zs2.jar
st=$(FORM_PAGE=/my/signin post_form "$J2" /my/signin "id=$ID" "password=$PW")
check "signs in again with the new password: 303 ($st)" is 303
check "… Location/header '^location: /my/'" hdr '^location: /my/'

# ---- the signed hand-off ----
dig() { printf '%s\n' "$1" | "$LINK" --url "$SURL" --hmac-key-file "$D/sso.key" --id-stdin --pepper "$D/pepper" "${@:2}"; }
# go JAR LINK: GETs a whole link; prints the status.
go() { curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' -b "$1" -c "$1" "$2"; }
refusals() { q "SELECT count(*) FROM audit WHERE action = 'session.sso_refused'"; }

"$LINK" --url "$SURL" --hmac-key-file "$D/sso.key" --digest "$(printf 'A%.0s' $(seq 43))" --nonce 'short' >/dev/null 2>"$T/link.err"
rc=$?
check "sso-link: a bad nonce is a usage error (exit 2)" [ $rc = 2 ]
check "… saying so" grep -q 'nonce' "$T/link.err"
printf 'not an id\n' | "$LINK" --url "$SURL" --hmac-key-file "$D/sso.key" --id-stdin --pepper "$D/pepper" >/dev/null 2>"$T/link.err"
rc=$?
check "sso-link: a bad ID number on stdin is a usage error" [ $rc = 2 ]
L1=$(dig "$ID2")
check "sso-link made a link" test -n "$L1"
A=$T/ls-a.jar
st=$(go "$A" "$L1")
check "a good link: 303 ($st)" is 303
check "… Location/header '^location: /my/'" hdr '^location: /my/'
check "… signed in with the practitioner cookie" grep -qi '^set-cookie: hs_my=' "$T/headers"
check "… an account made for the person (no password)" \
	[ "$(q "SELECT count(*) FROM accounts a JOIN practitioners p ON p.id = a.practitioner_id WHERE p.id_number = '$ID2' AND a.pw_hash IS NULL AND a.created_by = 'sso'")" = 1 ]
st=$(http_code "$A" GET /my/account)
check "… /my/account offers to set a password" is 200 '设置密码'
check_fails "… without the old one" grep -q 'name="old"' "$T/body"
check "… and lists the hand-off among recent sign-ins" grep -q '<td>省级平台</td>' "$T/body"
check "… audited session.sso" [ "$(q "SELECT count(*) FROM audit WHERE action = 'session.sso'")" = 1 ]
B=$T/ls-b.jar
st=$(go "$B" "$(dig "$ID2")")
check "a second browser signs in with a second link" [ "$st" = 303 ]

st=$(go "$T/x.jar" "$L1")
check "the same link again: 403 (replay)" is 403 '已使用过'
check "… audited" [ "$(refusals)" = 1 ]
st=$(go "$T/x.jar" "$(dig "$ID2" --time $(($(date +%s) - 61)))")
check "a link 61 s old: 403 (expired)" is 403 '已过期'
st=$(go "$T/x.jar" "$(dig "$ID2" --time $(($(date +%s) - 50)))")
check "a link 50 s old: accepted" [ "$st" = 303 ]
L2=$(dig "$ID2")
s=${L2##*&s=}
bad=${L2%&s=*}"&s=$( [ "${s:0:1}" = A ] && echo B || echo A)${s:1}"
st=$(go "$T/x.jar" "$bad")
check "a wrong signature: 403" is 403 '签名无效'
D1=$(dig "$ID" | sed 's/.*[?&]d=\([^&]*\).*/\1/')
other=$(echo "$L2" | sed "s/d=[^&]*/d=$D1/")
st=$(go "$T/x.jar" "$other")
check "another person's digest with the first one's signature: 403" is 403 '签名无效'
check "four refusals so far, each audited" [ "$(refusals)" = 4 ]

# Ed25519: the test signs the documented bytes itself with openssl.
ed_link() {
	local d=$1 t=$2 n=$3
	printf 'hourseal-sso-v1\n%s\n%s\n%s\n%s\n' "$SURL" "$d" "$t" "$n" >"$T/msg"
	s=$(openssl pkeyutl -sign -rawin -inkey "$T/platform.pem" -in "$T/msg" |
		base64 -w0 | tr '+/' '-_' | tr -d '=')
	echo "$SURL/my/sso?d=$d&t=$t&n=$n&s=$s"
}
D2=$(dig "$ID2" | sed 's/.*[?&]d=\([^&]*\).*/\1/')
st=$(go "$T/ed.jar" "$(ed_link "$D2" "$(date +%s)" ed25519-nonce-0000001)")
check "an Ed25519 link signed by openssl pkeyutl: 303 ($st)" [ "$st" = 303 ]
st=$(go "$T/x.jar" "$(ed_link "$D2" "$(date +%s)" ed25519-nonce-0000001)")
check "the Ed25519 nonce again: 403 (replay)" [ "$st" = 403 ]
st=$(go "$T/x.jar" "$(dig "$ID3")")
check "an unknown digest, signed: 403" is 403 '没有您的'
st=$(go "$T/x.jar" "$SURL/my/sso?d=$D2&t=1")
check "a malformed link: 400" is 400 '格式不正确'
check "every refusal audited with its reason" \
	[ "$(q "SELECT group_concat(detail, ',') FROM audit WHERE action = 'session.sso_refused' ORDER BY seq")" = \
	  "nonce reused,expired,bad signature,bad signature,nonce reused,unknown id-digest,malformed" ]
I log --limit 100 >"$T/log" 2>&1
check "hourseal-issuer log shows the refusals" [ "$(grep -c 'session.sso_refused' "$T/log")" = 7 ]
check "… their object is a digest prefix, never an ID number" \
	[ "$(q "SELECT count(*) FROM audit WHERE action = 'session.sso_refused' AND object NOT GLOB 'digest:*'")" = 0 ]

# ---- the account page: password set; the other session ends ----
st=$(FORM_PAGE=/my/account post_form "$A" /my/account/password "password=short" "again=short")
check "account: a short password: 400" [ "$st" = 400 ]
st=$(FORM_PAGE=/my/account post_form "$A" /my/account/password "password=$(printf 'a long\033password')" "again=$(printf 'a long\033password')")
check "account: hostile: a control character in the new password: 400 ($st)" is 400
NPW='platform person pass 3'
st=$(FORM_PAGE=/my/account post_form "$A" /my/account/password "password=$NPW" "again=$NPW")
check "account: sets a password without the old one: 303 ($st)" is 303
check "… back to the account page" hdr '^location: /my/account?done=password' 
st=$(http_code "$A" GET /my/account)
check "… this browser stays signed in (a fresh session)" is 200 'name="old"'
st=$(http_code "$B" GET /my/account)
check "… the other browser's session ended ($st)" is 303
check "… Location/header '^location: /my/signin'" hdr '^location: /my/signin'
st=$(FORM_PAGE=/my/account post_form "$A" /my/account/password "old=wrong password" "password=$NPW 2" "again=$NPW 2")
check "account: a wrong old password: 403" is 403 '当前密码不正确'
st=$(FORM_PAGE=/my/signin post_form "$T/ls-c.jar" /my/signin "id=$ID2" "password=$NPW")
check "the hand-off person signs in with the password set: 303" [ "$st" = 303 ]

# ---- TOTP enrolment on /my/account ----
st=$(FORM_PAGE=/my/account post_form "$A" /my/account/totp "begin=1")
sec=$(sed -n 's/.*id="secret">\([A-Z2-7]*\)<.*/\1/p' "$T/body")
check "account: TOTP enrolment shows a QR code and the key" is 200 'data:image/svg+xml;base64,'
check "… the key" test -n "$sec"
st=$(post_form_c "$A" /my/account/totp "$(csrf_from "$T/body")" "code=$(totp_at "$sec" 0)")
check "account: the code confirms it ($st)" [ "$st" = 303 ]
st=$(FORM_PAGE=/my/signin post_form "$T/ls-d.jar" /my/signin "id=$ID2" "password=$NPW")
check "sign-in now needs the code too" [ "$st" = 401 ]

# ---- the throttle: refusals count per address ----
big=$(head -c 300 /dev/zero | tr '\0' A)
st=$(go "$T/x.jar" "$SURL/my/sso?d=$big&t=$big&n=$big&s=$big")
check "hostile: 300-character parameters: refused ($st)" [ "$st" = 400 ]
st=$(go "$T/x.jar" "$SURL/my/sso?d=%00$D2&t=1&n=%0a%0dabcdefghijklmnop&s=%ff")
check "hostile: NUL, CR/LF and invalid UTF-8 in the parameters: 400 ($st)" [ "$st" = 400 ]
check "… both audited as malformed" [ "$(q "SELECT count(*) FROM audit WHERE action = 'session.sso_refused' AND detail = 'malformed'")" = 3 ]
for i in 1 2 3 4 5; do go "$T/x.jar" "$bad" >/dev/null; done
st=$(go "$T/x.jar" "$(dig "$ID2")")
check "after five refusals even a good link waits: 429 ($st)" is 429
check "… Location/header '^retry-after:'" hdr '^retry-after:'

# ---- no full ID number anywhere it must not be ----
check_fails "the access log shows no full ID number" \
	grep -q -e "$ID" -e "$ID2" -e "$ID3" -e "${ID2%X}x" "$T/access.log"
check "the access log has the hand-off's path" grep -q '/my/sso' "$T/access.log"
check_fails "… without its query" grep -q '/my/sso?' "$T/access.log"
check "the audit log holds no full ID number" \
	[ "$(q "SELECT count(*) FROM audit WHERE (object || detail || actor) GLOB '*[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]*'")" = 0 ]
