#!/usr/bin/env bash
# The console's sessions and forms under attack (service.md §2-3, issue
# 13), driven with curl: session fixation, CSRF missing or wrong on every
# POST form, a stolen cookie after sign-out, password and TOTP guessing
# (backoff, then the lock an hr lifts), the per-address sign-in throttle,
# expired / reused / unknown invitations, SQL and HTML in every form field
# (stored verbatim, shown escaped), cookie flags and no-store, and an
# access log without query strings, tokens or ID numbers.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../serve_lib.sh"
scratch
D=$T/data
DB=$D/hourseal.db
q() { sqlite3 "$DB" "$@"; }
export HOURSEAL_TODAY=2024-12-01
"$ISSUER" init --issuer 福建省专业技术人员继续教育中心 --base-url http://127.0.0.1:8080 --policy fujian --origin ledger.hourseal.example.cn/fj "$D" --keys "$T/keys" >/dev/null 2>&1
"$ISSUER" --data "$D" keygen --no-passphrase >/dev/null 2>&1
"$ISSUER" --data "$D" import "$HS_TOP/tests/data/baseline.csv" >/dev/null 2>&1 # two practitioners
serve_start "$D" || exit 1
account "$D" hr35 hr 35 "福建省人社厅" || exit 1
account "$D" hrb hr 3502 "厦门市人社局" || exit 1
for v in victim vic2 vic3 vic4; do account "$D" $v auditor 35 "审计厅" || exit 1; done
account "$D" prov provider 基地 基地 || exit 1
# Two practitioners (issue 14): their session is the /my/ cookie.
account "$D" prac practitioner 350102198001011233 个人 || exit 1
account "$D" prac2 practitioner 11010519491231002X 个人 || exit 1
cookie_of() { awk -v n="$2" '$6 == n { print $7 }' "$1" | tail -1; }
CK=hs_session

# ---- session fixation ----
# A planted, made-up cookie is not the one after sign-in.
rm -f "$T/fix.jar"
printf '127.0.0.1\tFALSE\t/\tFALSE\t0\t%s\t%s\n' $CK AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA >"$T/fix.jar"
code=$(totp_at "$(cat "$T/victim.totp")" 30)
st=$(signin "$T/fix.jar" victim "$PASSWORD" "$code")
check "sign-in: 303" test "$st" = 303
new=$(cookie_of "$T/fix.jar" $CK)
check "a planted cookie is replaced by a new token at sign-in" \
	test -n "$new" -a "$new" != AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
# The attacker's own live session planted in the victim's browser: the
# victim's sign-in ends it and gets a new one.
att=$(cookie_of "$T/hrb.jar" $CK)
cp "$T/hrb.jar" "$T/planted.jar"
code=$(totp_at "$(cat "$T/vic2.totp")" 30)
st=$(signin "$T/planted.jar" vic2 "$PASSWORD" "$code")
after=$(cookie_of "$T/planted.jar" $CK)
check "sign-in over a planted live session: a different token" test -n "$after" -a "$after" != "$att"
st=$(curl -s -o /dev/null -w '%{http_code}' -b "$CK=$att" "$AURL/admin/")
check "the planted session was ended at sign-in (303 to sign-in)" test "$st" = 303

# ---- Set-Cookie flags and no-store ----
rm -f "$T/flags.jar"
code=$(totp_at "$(cat "$T/vic3.totp")" 30)
curl -s -o /dev/null -D "$T/h1" -c "$T/flags.jar" "$AURL/admin/signin"
c=$(csrf_from <(curl -s -b "$T/flags.jar" "$AURL/admin/signin"))
curl -s -o /dev/null -D "$T/h2" -b "$T/flags.jar" -c "$T/flags.jar" \
	--data-urlencode "csrf=$c" --data-urlencode name=vic3 \
	--data-urlencode "password=$PASSWORD" --data-urlencode "code=$code" "$AURL/admin/signin"
check "session cookie: HttpOnly; SameSite=Strict; Path=/" \
	grep -qi "^set-cookie: $CK=[A-Za-z0-9_-]\{43\}; Path=/; HttpOnly; SameSite=Strict" "$T/h2"
nostore=1
for p in /admin/signin /admin/ /admin/accounts /admin/tokens /admin/totp /admin/invite/x; do
	curl -s -o /dev/null -D "$T/h3" -b "$T/hr35.jar" "$AURL$p"
	grep -qi '^cache-control: no-store' "$T/h3" || { nostore=0; echo "# $p not no-store"; }
done
check "every /admin page is Cache-Control: no-store" test $nostore = 1
check "Referrer-Policy: no-referrer" grep -qi '^referrer-policy: no-referrer' "$T/h3"

# ---- CSRF: missing or wrong on every POST form ----
state() {
	q "SELECT (SELECT count(*) FROM accounts) || '/' || (SELECT count(*) FROM api_tokens) || '/' ||
		(SELECT count(*) FROM audit) || '/' || (SELECT count(*) FROM share_codes) || '/' ||
		(SELECT count(*) FROM activation_codes) || '/' ||
		(SELECT count(*) FROM sessions WHERE ended IS NULL) || '/' ||
		(SELECT group_concat(coalesce(pw_hash, '-')) FROM accounts)"
}
s0=$(state)
bad=0 forms=0
"$ISSUER" --data "$D" serve --routes | awk -F'\t' '$2 == "POST" { print $1 }' >"$T/posts"
while read -r p; do
	p=${p/\*/x}
	forms=$((forms + 1))
	# The APIs take no cookie at all: a signed-in browser gets 401
	# (only Authorization: Bearer counts, which a form cannot send).
	want=403
	case $p in /api/*) want=401 ;; esac
	# A route hr may not use at all answers hr 404 before any CSRF
	# check: walk it as a role that may (the upload: a training base).
	# On /my/ only a practitioner's session counts (a staff session
	# there is nobody, 303 before the CSRF check): walk them signed in
	# as a practitioner.
	jar=$T/hr35.jar
	case $p in /admin/records/upload) jar=$T/prov.jar ;; /my/*) jar=$T/prac.jar ;; esac
	for c in "" "wrong" "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"; do
		st=$(http_code "$jar" POST "$p" --data-urlencode "csrf=$c" \
			--data-urlencode name=csrfvictim --data-urlencode role=hr \
			--data-urlencode scope=35 --data-urlencode org=x \
			--data-urlencode label=csrftok --data-urlencode do=disable \
			--data-urlencode password=x --data-urlencode code=000000 \
			--data-urlencode id=11010519491231002X --data-urlencode days=7 \
			--data-urlencode "new=csrf new password 1" --data-urlencode "again=csrf new password 1" \
			--data-urlencode current=x --data-urlencode cert=x --data-urlencode record=1)
		[ "$st" = "$want" ] || { bad=$((bad + 1)); echo "# POST $p csrf='$c': $st"; }
	done
	st=$(http_code "$jar" POST "$p" --data-urlencode name=csrfvictim)
	[ "$st" = "$want" ] || { bad=$((bad + 1)); echo "# POST $p without csrf field: $st"; }
done <"$T/posts"
check "every POST route ($forms) without or with a wrong CSRF token: 403 (the APIs: 401)" test "$bad" = 0
check "... and nothing changed: no account, token, audit row, share or activation code, ended session or password" \
	test "$(state)" = "$s0"
check "... the session survived the sign-out without CSRF" test "$(http_code "$T/hr35.jar" GET /admin/)" = 200
check "... the practitioner's session survived /my/signout without CSRF" test "$(http_code "$T/prac.jar" GET /my/signin)" = 200 -a \
	"$(q "SELECT count(*) FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE a.name = 'prac' AND s.ended IS NULL")" -ge 1
# Another session's token is not this session's.
c_other=$(page_csrf "$T/hrb.jar" /admin/accounts)
st=$(post_form_c "$T/hr35.jar" /admin/accounts "$c_other" name=csrf2 role=hr scope=35 org=x)
check "another session's CSRF token: 403" test "$st" = 403
# The same on /my/: another practitioner's token (from their signed-in
# page), and a staff session's token, do not open this session's forms.
c_other=$(page_csrf "$T/prac2.jar" /my/signin)
c_staff=$(page_csrf "$T/hr35.jar" /admin/accounts)
s1=$(state)
st=$(post_form_c "$T/prac.jar" /my/share "$c_other" days=7)
st2=$(post_form_c "$T/prac.jar" /my/signout "$c_staff")
check "/my/: another practitioner's or a staff session's CSRF token: 403" eval \
	'test -n "$c_other" -a "$c_other" != "$c_staff" -a "$st" = 403 -a "$st2" = 403'
check "... nothing changed" test "$(state)" = "$s1"

# ---- a stolen cookie after sign-out ----
cp "$T/hr35.jar" "$T/stolen.jar"
st=$(FORM_PAGE=/admin/ post_form "$T/hr35.jar" /admin/signout)
check "sign-out: 303" test "$st" = 303
st=$(http_code "$T/stolen.jar" GET /admin/accounts)
check "the stolen cookie after sign-out: 303 to sign-in" test "$st" = 303
check "... Location /admin/signin" grep -qi '^location: /admin/signin' "$T/headers"
check "the session row is ended" test "$(q "SELECT count(*) FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE a.name = 'hr35' AND s.ended IS NULL")" = 0
code=$(totp_at "$(cat "$T/hr35.totp")" 30)
st=$(signin "$T/hr35.jar" hr35 "$PASSWORD" "$code")
check "sign in again: 303" test "$st" = 303

# ---- TOTP guessing and password guessing: backoff, then the lock ----
# (The per-address throttle counts these too; a restart clears it.)
serve_stop
serve_start "$D" || exit 1
rm -f "$T/g.jar"
st=$(signin "$T/g.jar" vic4 "$PASSWORD" 000000)
check "right password, wrong TOTP code: 401" test "$st" = 401
st=$(signin "$T/g.jar" vic4 "wrong password 1" 123456)
check "wrong password: 401" test "$st" = 401
check "... one message for both (no hint which was wrong)" grep -q '账户名、密码或动态验证码不正确' "$T/body"
check "both counted" test "$(q "SELECT failures FROM accounts WHERE name = 'vic4'")" = 2
# Five failures already (an attacker's history): the sixth sets an 8 s
# backoff, during which even the right password and code wait.
q "UPDATE accounts SET failures = 5, next_try = 0 WHERE name = 'vic4'"
st=$(signin "$T/g.jar" vic4 "wrong password 6" 123456)
code=$(totp_at "$(cat "$T/vic4.totp")" 30)
st=$(signin "$T/g.jar" vic4 "$PASSWORD" "$code")
check "in the backoff even the right password and code wait: 429" test "$st" = 429
check "... the page says how long" grep -q '[0-9] *s\|[0-9] *秒' "$T/body"
check "sign-in failures audited" test "$(q "SELECT count(*) FROM audit WHERE action = 'session.signin_failed' AND object = 'vic4'")" -ge 3
q "UPDATE accounts SET failures = 9, next_try = 0 WHERE name = 'vic4'"
st=$(signin "$T/g.jar" vic4 "wrong password 10" 123456)
check "the 10th consecutive failure: refused" test "$st" = 401 -o "$st" = 429
check "... and the account is locked" test "$(q "SELECT locked FROM accounts WHERE name = 'vic4'")" = 1
check "... audited session.locked" test "$(q "SELECT count(*) FROM audit WHERE action = 'session.locked' AND object = 'vic4'")" = 1
serve_stop
serve_start "$D" || exit 1
q "UPDATE accounts SET next_try = 0 WHERE name = 'vic4'"
st=$(signin "$T/g.jar" vic4 "$PASSWORD" "$code")
check "locked: the right password and code are refused" test "$st" != 303
st=$(FORM_PAGE=/admin/accounts post_form "$T/hr35.jar" /admin/accounts/act name=vic4 do=unlock)
check "hr unlocks it in the console: 200" test "$st" = 200
check "... audited account.unlock by hr35" test "$(q "SELECT count(*) FROM audit WHERE action = 'account.unlock' AND actor = 'hr35'")" = 1
st=$(signin "$T/g.jar" vic4 "$PASSWORD" "$code")
check "unlocked: sign-in works" test "$st" = 303
serve_stop
serve_start "$D" || exit 1	# the throttle is in memory: a fresh one

# ---- the per-address throttle (in memory, beside the accounts') ----
for i in 1 2 3 4 5; do st=$(signin "$T/t.jar" "nobody$i" "x password $i" 123456); done
check "5 failed sign-ins for unknown names: each 401" test "$st" = 401
st=$(signin "$T/t.jar" nobody6 "x password 6" 123456)
check "the 6th from the same address: 429 before any password check" test "$st" = 429
check "... Retry-After" grep -qi '^retry-after: [0-9]' "$T/headers"
check "... unknown names are audited as failures too (object '?', the name is not kept)" \
	test "$(q "SELECT count(*) FROM audit WHERE action = 'session.signin_failed' AND object = '?'")" -ge 5
check "... and the attempted names are not in the audit log" test "$(q "SELECT count(*) FROM audit WHERE object LIKE 'nobody%' OR detail LIKE '%nobody%'")" = 0
serve_stop
serve_start "$D" || exit 1

# ---- invitations: reused, expired, unknown ----
tok=$(invite_token "$D" inv1 auditor 3502 审计)
st=$(FORM_PAGE=/admin/invite/$tok post_form "$T/i1.jar" "/admin/invite/$tok" "password=$PASSWORD" "again=$PASSWORD")
check "invitation used once: 303" test "$st" = 303
st=$(http_code "$T/i2.jar" GET "/admin/invite/$tok")
check "the same invitation again: 410" test "$st" = 410
st=$(FORM_PAGE=/admin/signin post_form "$T/i5.jar" "/admin/invite/$tok" "password=other password 12" "again=other password 12")
check "POSTing to a used invitation: 410, the password unchanged" test "$st" = 410
tok2=$(invite_token "$D" inv2 auditor 3502 审计)
q "UPDATE invitations SET expires = created - 1 WHERE account_id = (SELECT id FROM accounts WHERE name = 'inv2')"
st=$(http_code "$T/i3.jar" GET "/admin/invite/$tok2")
check "an expired invitation: 410" test "$st" = 410
check "... the page says it expired" grep -qi 'expire\|过期' "$T/body"
st=$(http_code "$T/i3.jar" GET "/admin/invite/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
check "an unknown invitation: 404" test "$st" = 404
st=$(http_code "$T/i3.jar" GET "/admin/invite/%27%3B%20DROP%20TABLE%20accounts%3B--")
check "SQL in the invitation path: 404" test "$st" = 404
 st=$(FORM_PAGE=/admin/signin post_form "$T/i4.jar" "/admin/invite/$(invite_token "$D" inv3 auditor 3502 审计)" "password=short" "again=short")
check "a short password on the invitation page: 400, field named" test "$st" = 400
check "... the reason is shown" grep -q 'password' "$T/body"

# ---- SQL and HTML in every form field: stored verbatim, shown escaped ----
evil="<script>alert(1)</script>'; DROP TABLE accounts;--"
esc='&lt;script&gt;alert(1)&lt;/script&gt;&#39;; DROP TABLE accounts;--'
raw_script() { grep -q '<script>' "$T/body"; }
ok_esc=1
for f in name password code; do
	st=$(signin "$T/e.jar" "$( [ $f = name ] && echo "$evil" || echo hr35)" \
		"$( [ $f = password ] && echo "$evil" || echo "x password")" \
		"$( [ $f = code ] && echo "$evil" || echo 123456)")
	raw_script && { ok_esc=0; echo "# sign-in $f echoed raw"; }
done
serve_stop
serve_start "$D" || exit 1
for f in name role scope org; do
	args=(name=evilacct role=auditor scope=3502 org=审计)
	case $f in name) args[0]="name=$evil" ;; role) args[1]="role=$evil" ;;
		scope) args[2]="scope=$evil" ;; org) args[3]="org=$evil" ;; esac
	st=$(FORM_PAGE=/admin/accounts post_form "$T/hr35.jar" /admin/accounts "${args[@]}")
	raw_script && { ok_esc=0; echo "# accounts $f echoed raw ($st)"; }
done
for f in label role scope org days; do
	args=(label=eviltok role=provider scope=某机构 org=某机构 days=30)
	case $f in label) args[0]="label=$evil" ;; role) args[1]="role=$evil" ;;
		scope) args[2]="scope=$evil" ;; org) args[3]="org=$evil" ;; days) args[4]="days=$evil" ;; esac
	st=$(FORM_PAGE=/admin/tokens post_form "$T/hr35.jar" /admin/tokens "${args[@]}")
	raw_script && { ok_esc=0; echo "# tokens $f echoed raw ($st)"; }
done
st=$(FORM_PAGE=/admin/accounts post_form "$T/hr35.jar" /admin/accounts/act "name=$evil" do=disable)
raw_script && { ok_esc=0; echo "# act name echoed raw"; }
st=$(FORM_PAGE=/admin/tokens post_form "$T/hr35.jar" /admin/tokens/revoke "label=$evil")
raw_script && { ok_esc=0; echo "# revoke label echoed raw"; }
check "no form field is ever echoed as markup" test $ok_esc = 1
check "the accounts table is still there" q "SELECT count(*) FROM accounts"
http_code "$T/hr35.jar" GET /admin/accounts >/dev/null
if [ "$(q "SELECT count(*) FROM accounts WHERE org = '$(printf %s "$evil" | sed "s/'/''/g")'")" = 1 ]; then
	check "a hostile org is stored verbatim and listed escaped" grep -qF "$esc" "$T/body"
else
	check "a hostile org is refused with the field named" true
fi
st=$(http_code "$T/hr35.jar" POST /admin/accounts --data-urlencode "csrf=$(page_csrf "$T/hr35.jar" /admin/accounts)" --data-binary 'name=%ff%fe&role=hr')
check "invalid UTF-8 in a form: 400 naming the field" eval 'test "$st" = 400 && grep -q "name: not valid UTF-8" "$T/body"'
st=$(http_code "$T/hr35.jar" POST /admin/accounts --data-binary "csrf=x&name=$(head -c 5000 /dev/zero | tr '\0' a)")
check "a 5 kB form on a 4 kB route: 413" test "$st" = 413
st=$(http_code "$T/hr35.jar" POST /admin/accounts -H 'Content-Type: text/plain' --data 'x')
check "a non-form body: 415" test "$st" = 415

# ---- the access log ----
curl -s -o /dev/null "$AURL/admin/signin?name=secretname&id=350102198001011233"
curl -s -o /dev/null "$AURL/admin/invite/350102198001011233"
curl -s -o /dev/null "$AURL/admin/nosuch/350102198001011233"
check "access log: no query string" eval '! grep -q secretname "$T/access.log"'
check "access log: no 18-digit run" eval '! grep -q "[0-9]\{15\}" "$T/access.log"'
check "access log: invitation tokens shown as [token]" eval 'grep -q "/admin/invite/\[token\]" "$T/access.log" && ! grep -q "/admin/invite/$tok" "$T/access.log"'
check "access log: no session cookie or CSRF token" eval '! grep -qF "$(cookie_of "$T/hr35.jar" $CK)" "$T/access.log"'
serve_stop

# ---- HTTPS: the __Host- cookie with Secure ----
serve_start "$D" --public-url https://hours.example.cn || exit 1
code=$(totp_at "$(cat "$T/hrb.totp")" 30)
rm -f "$T/s.jar"
st=$(signin "$T/s.jar" hrb "$PASSWORD" "$code")
check "with an https public URL: __Host-hs; Secure" \
	grep -qi '^set-cookie: __Host-hs=[A-Za-z0-9_-]\{43\}; Path=/; HttpOnly; SameSite=Strict; Secure' "$T/headers"
serve_stop
