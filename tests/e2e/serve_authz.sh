#!/usr/bin/env bash
# The authorization table walked over HTTP (service.md §1, issue 13):
# every route of `hourseal-issuer serve` (its own table, printed by
# `serve --routes` with the gate's answer per kind of caller) is requested
# as every kind of caller -- nobody, hr 35, hr 3502, industry 3502/卫生,
# provider, employer, auditor, practitioner, and hr / provider /
# title-system API tokens -- and the answer is compared with the table:
# 303 to sign-in, 401 without a token, 404 for a role the action is not
# for (never 403: a route's existence for other roles is no signal) --
# except an API token, whose role is fixed and known to its holder: 403
# forbidden (the API's stable error codes, service.md §4) -- and
# otherwise the handler runs (no gate note in the access log). Then
# cells written down independently of the code, scope rules on real
# objects (out of scope answers 404, nothing changes), and the
# --admin-listen split.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../serve_lib.sh"
scratch
D=$T/data
export HOURSEAL_TODAY=2024-12-01
"$ISSUER" init --issuer 福建省专业技术人员继续教育中心 --base-url http://127.0.0.1:8080 --policy fujian --origin ledger.hourseal.example.cn/fj "$D" --keys "$T/keys" >/dev/null 2>&1
"$ISSUER" --data "$D" keygen --no-passphrase >/dev/null 2>&1
"$ISSUER" --data "$D" import "$HS_TOP/tests/data/baseline.csv" >/dev/null 2>&1
check "serve --routes prints the table" eval '"$ISSUER" --data "$D" serve --routes >"$T/routes"'
# The walk asks fast: the general per-address rate is not what it tests.
serve_start "$D" --rate 100000 --burst 100000 || exit 1

made=1
account "$D" hr35 hr 35 "福建省人社厅" || made=0
account "$D" hr3502 hr 3502 "厦门市人社局" || made=0
account "$D" ind industry 3502/卫生 "厦门市卫健委" || made=0
account "$D" prov provider 福建省继续教育基地 福建省继续教育基地 || made=0
account "$D" emp employer 福州市第一医院 福州市第一医院 || made=0
account "$D" aud auditor 35 "福建省审计厅" || made=0
account "$D" prac practitioner 350102198001011233 个人 || made=0
check "an account of each role, made through the invitation and TOTP pages" test $made = 1
tok() { "$ISSUER" --data "$D" token add --role "$1" --scope "$2" --label "$3" --org "$4" | grep -o 'hst_[A-Za-z0-9_-]*'; }
TOK_HR=$(tok hr 35 t-hr 福建省人社厅)
TOK_PROV=$(tok provider 福建省继续教育基地 t-prov 福建省继续教育基地)
TOK_TITLE=$(tok title-system 35 t-title 职称系统)
check "three API tokens" test -n "$TOK_HR" -a -n "$TOK_PROV" -a -n "$TOK_TITLE"

# request CALLER METHOD PATH: one request as CALLER, without a CSRF token;
# prints "status note" (note: the gate's access-log note, or "-"); the
# body in $T/body, the headers in $T/headers.
request() {
	local who=$1 m=$2 p=$3 st args=(-s -o "$T/body" -D "$T/headers" -w '%{http_code}' -X "$m")
	case $who in
	nobody) ;;
	token-hr) args+=(-H "Authorization: Bearer $TOK_HR") ;;
	token-provider) args+=(-H "Authorization: Bearer $TOK_PROV") ;;
	token-title-system) args+=(-H "Authorization: Bearer $TOK_TITLE") ;;
	*) args+=(-b "$T/$who.jar") ;;
	esac
	[ "$m" = POST ] && args+=(-H 'Content-Type: application/x-www-form-urlencoded' --data 'x=1')
	st=$(curl "${args[@]}" "$AURL$p")
	sleep 0.02 # the access log line is written as the request completes
	note=$(tail -1 "$T/access.log" | grep -o 'gate:[a-z]*' || echo -)
	echo "$st $note"
}
# The caller columns of `serve --routes` and the account each one uses.
callers=(nobody hr industry provider employer auditor practitioner token-hr token-provider token-title-system)
acct_of() { case $1 in hr) echo hr35 ;; industry) echo ind ;; provider) echo prov ;;
	employer) echo emp ;; auditor) echo aud ;; practitioner) echo prac ;; *) echo "$1" ;; esac; }

# expect CALLER METHOD PATH STATUS [ROUTE]: one cell written down by hand,
# independently of the table's code (skipped if ROUTE is not in the table).
expect() {
	local who=$1 m=$2 p=$3 w=$4 got
	if [ -n "${5:-}" ] && ! grep -q "^$5	" "$T/routes"; then
		echo "# skipped: $5 is not in this build's route table"
		return
	fi
	got=$(request "$who" "$m" "$p")
	check "$who $m $p -> $w" test "${got% *}" = "$w"
}
# /s/<code> first: a code that is not there counts against the address
# (the share report's guessing limit), and the walk below makes misses.
expect nobody GET /s/ABCDEFGHJKMNPQRS 404
check "... a page saying so (HTML)" grep -qi '^content-type: text/html' "$T/headers"
expect prac GET /s/ABCDEFGHJKMNPQRS 404

# A practitioner signing in on the console's form gets the /my/ cookie
# and goes to /my/; no console cookie. (Before the walk: its refused
# /my/sso hand-offs count against this address on the shared sign-in
# throttle.)
rm -f "$T/pracsign.jar"
st=$(signin "$T/pracsign.jar" prac "$PASSWORD" "")
check "a practitioner signing in at /admin/signin: 303 to /my/ ($st)" eval \
	'test "$st" = 303 && grep -qi "^location: /my/" "$T/headers"'
check "... with the hs_my cookie (SameSite=Lax), no hs_session" eval \
	'grep -qi "^set-cookie: hs_my=[A-Za-z0-9_-]\{43\}; Path=/; HttpOnly; SameSite=Lax" "$T/headers" &&
	! grep -qi "^set-cookie: hs_session=[A-Za-z0-9_-]" "$T/headers"'
check "... that session opens /my/" test "$(http_code "$T/pracsign.jar" GET /my/)" = 200
check "... and not /admin/ (303 to /admin/signin)" eval \
	'test "$(http_code "$T/pracsign.jar" GET /admin/)" = 303 && grep -qi "^location: /admin/signin" "$T/headers"'
# The two portals (issue 14, service.md §5): the table's columns are the
# gate's answer for a caller whose session counts; which session counts
# follows from the route's path. /my and /my/... read only the
# practitioner's cookie (hs_my), and only a practitioner's account counts
# there; every other session route reads only the staff cookie
# (hs_session), where a practitioner's account does not count; /s/...
# reads no session at all. A session that does not count is "nobody".
portal_of() {
	case $1 in
	/my | /my/*) echo my ;;
	/s/*) echo share ;;
	*) echo admin ;;
	esac
}
# as_seen CALLER PATTERN: the column of the table that applies.
as_seen() {
	case $1:$(portal_of "$2") in
	nobody:* | token-*:*) echo "$1" ;;
	practitioner:my) echo practitioner ;;
	practitioner:* | *:my | *:share) echo nobody ;;
	*) echo "$1" ;;
	esac
}
col_of() { local i; for i in "${!callers[@]}"; do [ "${callers[$i]}" = "$1" ] && echo "$i"; done; }

# The walk's requests go through one client (tests/authz_walk.py: no
# curl, sleep and tail per cell); the expectations are worked out here.
auth_of() {
	case $1 in
	nobody) echo - ;;
	token-hr) echo "bearer:$TOK_HR" ;;
	token-provider) echo "bearer:$TOK_PROV" ;;
	token-title-system) echo "bearer:$TOK_TITLE" ;;
	*) echo "jar:$T/$(acct_of "$1").jar" ;;
	esac
}
: >"$T/cells" ; : >"$T/wants"
while IFS=$'\t' read -r pattern methods action faces rest; do
	[ "$pattern" = pattern ] && continue
	path=${pattern/\*/nosuchthing}
	m=${methods%%,*}
	read -r -a want <<<"$rest"
	for i in "${!callers[@]}"; do
		c=${callers[$i]} seen=$(as_seen "${callers[$i]}" "$pattern")
		printf '%s\t%s\t%s\t%s\n' "$c" "$m" "$path" "$(auth_of "$c")" >>"$T/cells"
		printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$c" "$m" "$path" "$seen" \
			"${want[$(col_of "$seen")]}" "$(portal_of "$pattern")" >>"$T/wants"
	done
done <"$T/routes"
python3 "$HS_TOP/tests/authz_walk.py" "$AURL" "$T/access.log" <"$T/cells" >"$T/answers"
check "the walk's client answered every cell" \
	test "$(wc -l <"$T/answers")" = "$(wc -l <"$T/cells")"
cells=0 bad=0 asnobody=0
while IFS=$'\t' read -r c m path seen w portal st note loc; do
	[ "$seen" != "$c" ] && asnobody=$((asnobody + 1))
	cells=$((cells + 1))
	if [ "$w" = 0 ]; then
		# The handler ran: no gate note, not 401; a form POST
		# without its CSRF token is then refused with 403.
		if [ "$note" != - ] || [ "$st" = 401 ]; then
			bad=$((bad + 1)); echo "# $c $m $path: want handler, got $st $note"
		fi
	elif [ "$st" != "$w" ] || [ "$note" = - ]; then
		bad=$((bad + 1)); echo "# $c $m $path (as $seen): want $w (gate), got $st $note"
	elif [ "$w" = 303 ]; then
		# To the sign-in page of the route's own portal (every
		# staff account here has enrolled TOTP).
		want_loc=/admin/signin
		[ "$portal" = my ] && want_loc=/my/signin
		if [ "$loc" != "$want_loc" ]; then
			bad=$((bad + 1)); echo "# $c $m $path: 303 but not to $want_loc: $loc"
		fi
	fi
done < <(paste "$T/wants" "$T/answers")
check "every route as every caller answers as the table says ($cells cells)" test "$bad" = 0
check "the walk covered at least 16 routes x 10 callers" test "$cells" -ge 160
check "... of which a session of the other portal, seen as nobody ($asnobody cells)" test "$asnobody" -ge 100

# Cells written down by hand, independently of the table's code.
expect nobody GET /admin/ 303
expect nobody GET /admin/accounts 303
expect nobody POST /admin/tokens 303
expect hr35 GET /admin/ 200
expect hr35 GET /admin/accounts 200
expect hr3502 GET /admin/tokens 200
expect ind GET /admin/ 200
expect ind GET /admin/accounts 404
expect ind POST /admin/accounts/act 404
expect prov GET /admin/tokens 404
expect emp POST /admin/accounts 404
expect aud GET /admin/ 200
expect aud GET /admin/accounts 404
# A practitioner's session is the /my/ cookie: on /admin/ it is nobody
# (issue 14; before the portal split this cell was 404).
expect prac GET /admin/ 303
expect token-hr GET /admin/ 303
expect token-title-system GET /admin/accounts 303
expect nobody GET /my/ 303
expect nobody GET /healthz 200
expect hr35 POST /admin/accounts 403   # the gate let it through; no CSRF
expect aud GET /admin/audit 200 /admin/audit
expect ind GET /admin/audit 404 /admin/audit
expect prov GET /admin/records 200 /admin/records
expect prac GET /admin/records 303 /admin/records

# The practitioner's portal (issue 14): only a practitioner's session
# counts on /my/; a staff session there is nobody (303 to /my/signin);
# sign-in, activation and the hand-off are public; /s/ reads no session.
expect prac GET /my/ 200
expect prac GET /my/records 200
expect prac GET /my/certs 200
expect prac GET /my/share 200
expect prac GET /my/notices 200
expect prac GET /my/account 200
expect prac GET /my/data.json 200
expect prac GET /my/certs/NOSUCH.pdf 404
expect prac POST /my/share 403          # the gate let it through; no CSRF
expect hr35 GET /my/ 303
check "... to /my/signin" grep -qi '^location: /my/signin' "$T/headers"
expect emp GET /my/ 303
expect aud GET /my/records 303
expect hr35 GET /my/data.json 303
expect hr35 POST /my/share 303
expect token-hr GET /my/ 303
expect nobody GET /my/certs 303
check "... to /my/signin" grep -qi '^location: /my/signin' "$T/headers"
expect nobody GET /my/signin 200
expect hr35 GET /my/signin 200
expect nobody GET /my/activate 200
expect hr35 GET /admin/activation 200
expect emp GET /admin/activation 200
expect prov GET /admin/activation 404
expect aud GET /admin/activation 404
expect ind GET /admin/activation 404
expect prac GET /admin/activation 303
expect emp GET /admin/staff 200
expect emp GET /admin/staff.csv 200
expect prov GET /admin/staff.csv 404
expect prac POST /admin/accounts 303

# A staff cookie carried to /my/ under the practitioner's cookie name is
# still a staff account: nobody there.
hrtok=$(awk '$6 == "hs_session" { print $7 }' "$T/hr35.jar" | tail -1)
st=$(curl -s -o /dev/null -D "$T/headers" -w '%{http_code}' -b "hs_my=$hrtok" "$AURL/my/")
check "a staff session token sent as hs_my on /my/: 303 to /my/signin" eval \
	'test "$st" = 303 && grep -qi "^location: /my/signin" "$T/headers"'
practok=$(awk '$6 == "hs_my" { print $7 }' "$T/prac.jar" | tail -1)
st=$(curl -s -o /dev/null -D "$T/headers" -w '%{http_code}' -b "hs_session=$practok" "$AURL/admin/")
check "a practitioner's session token sent as hs_session on /admin/: 303 to /admin/signin" eval \
	'test -n "$practok" && test "$st" = 303 && grep -qi "^location: /admin/signin" "$T/headers"'
expect nobody GET /api/v1/records 401 /api/v1/records
expect token-title-system GET /api/v1/records 403 /api/v1/records
expect token-provider POST /api/v1/hours 403 /api/v1/hours
expect hr35 POST /api/v1/hours 401 /api/v1/hours

# Scope on real objects: out of scope is 404 and changes nothing.
q() { sqlite3 "$D/hourseal.db" "$@"; }
FORM_PAGE=/admin/accounts st=$(post_form "$T/hr3502.jar" /admin/accounts/act name=hr35 do=disable)
check "hr 3502 disabling the province's hr account: 404" test "$st" = 404
check "... and it is still enabled" test "$(q "SELECT disabled FROM accounts WHERE name = 'hr35'")" = 0
FORM_PAGE=/admin/accounts st=$(post_form "$T/hr3502.jar" /admin/accounts/act name=nosuch do=disable)
check "... the same answer as for an account that does not exist" test "$st" = 404
http_code "$T/hr3502.jar" GET /admin/accounts >/dev/null
check "hr 3502's list shows industry 3502" grep -q '>ind<' "$T/body"
check "hr 3502's list does not show hr 35 or the auditor of 35" eval '! grep -q ">hr35<\|>aud<" "$T/body"'
http_code "$T/hr35.jar" GET /admin/accounts >/dev/null
check "hr 35's list shows hr 3502 and the auditor" eval 'grep -q ">hr3502<" "$T/body" && grep -q ">aud<" "$T/body"'
FORM_PAGE=/admin/accounts st=$(post_form "$T/hr3502.jar" /admin/accounts name=hr35b role=hr scope=35 org=x)
check "hr 3502 creating an hr account for 35 is refused" test "$st" != 200
check "... and no such account exists" test "$(q "SELECT count(*) FROM accounts WHERE name = 'hr35b'")" = 0
FORM_PAGE=/admin/tokens st=$(post_form "$T/hr3502.jar" /admin/tokens/revoke label=t-hr)
check "hr 3502 revoking the province's hr token: 404" test "$st" = 404
r=$(q "SELECT coalesce(revoked, 'live') FROM api_tokens WHERE label = 't-hr'")
check "... and the token is still live ($r)" test "$r" = live
serve_stop

# --admin-listen: /admin and /api only there; the public address keeps
# /healthz (and /my, /s, issue 14).
serve_start "$D" --admin-listen 127.0.0.1:0 || exit 1
pub() { curl -s -o /dev/null -w '%{http_code}' "$SURL$1"; }
adm() { curl -s -o /dev/null -w '%{http_code}' "$AURL$1"; }
check "two addresses" test "$SURL" != "$AURL"
check "public: /healthz 200" test "$(pub /healthz)" = 200
check "public: /admin/signin 404" test "$(pub /admin/signin)" = 404
check "public: /admin/ 404" test "$(pub /admin/)" = 404
check "public: /api/v1/records 404" test "$(pub /api/v1/records)" = 404
check "admin: /admin/signin 200" test "$(adm /admin/signin)" = 200
check "admin: /healthz 200" test "$(adm /healthz)" = 200
http_code "$T/hr35.jar" GET /admin/accounts >/dev/null
check "admin: the session works there" grep -q '>hr3502<' "$T/body"
serve_stop
