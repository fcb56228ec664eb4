#!/usr/bin/env bash
# One holder never sees another's anything (issue 14, "How it is
# checked"): practitioners A and B, each with records (stamped, rejected,
# waiting), certificates (B: superseded, current, a course one) and share
# codes (B: one live, one withdrawn). Signed in as A, EVERY /my/ route of
# the service's own route table (`serve --routes`; a route this script
# does not know fails it) is tried with B's serials, record ids, share
# ids, share code, ID number and account name: a route naming an object
# answers 404 for B's, a route without one answers A's own page, and no
# body ever holds B's name, ID (full or masked), unit, serials, course
# titles or share label. B's state is the same afterwards (certificates,
# share codes live, password, TOTP, sessions). data.json of A holds
# nothing of B. A staff session on /my/ is nobody (the same answer as no
# cookie), and so is A's session on /admin/.
. "$(dirname "$0")/../lib.sh"
scratch
. "$HS_TOP/tests/serve_lib.sh"
export HOURSEAL_TODAY=2025-03-01
command -v oathtool >/dev/null || { notok "oathtool is installed (scripts/deps.sh test)"; exit 1; }

A=350102198001011233
B=11010519491231002X
BMASK='1101**********002X'
D=$T/data
DB=$D/hourseal.db
I() { "$ISSUER" --data "$D" "$@"; }
q() { sqlite3 "$DB" "$1"; }
I init --base-url http://127.0.0.1:8080 --policy fujian "$D" --keys "$T/keys" --issuer "福建省继续教育中心" --origin "ledger.example.cn/fj" >/dev/null 2>&1
I keygen --no-passphrase k1 >/dev/null 2>&1
{
	echo "身份证号,姓名,工作单位,地区代码,年度,科目类别,学习形式,课程名称,施训机构,开始日期,结束日期,学时,专业技术领域,外部编号"
	for i in 1 2 3; do
		echo "$A,张三,福州市第一医院,350102,2024,公需,面授,张三公需课$i,福州基地,2024-03-0$i,2024-03-0$i,6,,A$i"
		echo "$B,李四,厦门市第一医院,350203,2024,公需,面授,李四公需课$i,厦门基地,2024-03-0$i,2024-03-0$i,6,,B$i"
	done
	echo "$A,张三,福州市第一医院,350102,2024,专业,面授,张三专业课,福州基地,2024-04-01,2024-04-01,8,,A4"
	echo "$B,李四,厦门市第一医院,350203,2024,专业,面授,李四专业课,厦门基地,2024-04-01,2024-04-01,8,,B4"
	echo "$B,李四,厦门市第一医院,350203,2024,专业,面授,李四被退回课,厦门基地,2024-04-02,2024-04-02,4,,B5"
	echo "$B,李四,厦门市第一医院,350203,2024,专业,面授,李四待验印课,厦门基地,2024-04-03,2024-04-03,4,,B6"
	echo "$B,李四,厦门市第一医院,350203,2024,公需,面授,李四后补课,厦门基地,2024-04-04,2024-04-04,4,,B7"
} >"$T/r.csv"
I import "$T/r.csv" --quiet >/dev/null
make_account "$D" fjhr hr 35 福建省人力资源和社会保障厅
for r in A1 A2 A3 A4 B1 B2 B3 B4; do I stamp --ref "$r" --account fjhr >/dev/null 2>&1; done
I stamp --reject B5 --reason "证明材料不全" --account fjhr >/dev/null 2>&1
I issue --year 2024 --id "$A" --out "$D/pdfs" --quiet >/dev/null 2>&1
I issue --year 2024 --id "$B" --out "$D/pdfs" --quiet >/dev/null 2>&1
I stamp --ref B7 --account fjhr >/dev/null 2>&1
I issue --year 2024 --id "$B" --out "$D/pdfs" --quiet >/dev/null 2>&1   # supersedes B's first
I issue --year 2024 --id "$B" --kind course --out "$D/pdfs" --quiet >/dev/null 2>&1
PA=$(q "SELECT id FROM practitioners WHERE id_masked LIKE '3501%'")
PB=$(q "SELECT id FROM practitioners WHERE id_masked LIKE '1101%'")
mapfile -t SA < <(q "SELECT serial FROM certificates WHERE practitioner_id = $PA")
mapfile -t SB < <(q "SELECT serial FROM certificates WHERE practitioner_id = $PB")
mapfile -t RB < <(q "SELECT id FROM records WHERE practitioner_id = $PB")
RA=$(q "SELECT id FROM records WHERE practitioner_id = $PA AND state = 'stamped' LIMIT 1")
check "A: ${#SA[@]} certificate, B: ${#SB[@]} (one superseded), B: ${#RB[@]} records" \
	[ "${#SA[@]}" = 1 ] && [ "${#SB[@]}" -ge 3 ] && [ "${#RB[@]}" = 7 ] &&
	[ "$(q "SELECT count(*) FROM revocations WHERE serial IN (SELECT serial FROM certificates WHERE practitioner_id = $PB)")" -ge 1 ]

check "the service starts" serve_start "$D"
# Both get in the normal way: an activation code, then /my/activate.
printf '%s\n%s\n' "$A" "$B" | I activation --id-file - --csv "$T/codes.csv" >/dev/null 2>&1
code_of() { awk -F, -v m="$1" 'index($2, m) == 1 { print $4 }' "$T/codes.csv"; }
CA=$(code_of 3501) CB=$(code_of 1101)
check "two activation codes" [ -n "$CA" ] && [ -n "$CB" ]
activate() { # JAR ID CODE
	rm -f "$1"
	FORM_PAGE=/my/activate post_form "$1" /my/activate "id=$2" "code=$3" \
		"password=$PASSWORD" "again=$PASSWORD"
}
JA=$T/a.jar JB=$T/b.jar
check "A activates" [ "$(activate "$JA" "$A" "$CA")" = 303 ]
check "B activates" [ "$(activate "$JB" "$B" "$CB")" = 303 ]
check "A's /my/ is A's" eval '[ "$(http_code "$JA" GET /my/)" = 200 ] && grep -q 张三 "$T/body"'

# B's share codes: one live, one withdrawn (made as B makes them).
share() { # JAR LABEL SERIAL...: prints the code
	local j=$1 l=$2 args; shift 2
	args=(days=30 "label=$l")
	for s in "$@"; do args+=("serial=$s"); done
	st=$(post_form_c "$j" /my/share "$(page_csrf "$j" /my/share)" "${args[@]}")
	[ "$st" = 200 ] || echo "# share $l: $st $(sed -n "s/.*class=\"error[^>]*>\([^<]*\).*/\1/p" "$T/body" | head -1)" >&2
	sed -n 's,.*href="/s/\([0-9A-Z]\{16\}\)/qr.png".*,\1,p' "$T/body" | head -1
}
CODEB=$(share "$JB" 李四给评委会 "${SB[@]}")
CODEB2=$(share "$JB" 李四撤回的 "${SB[0]}")
mapfile -t HB < <(q "SELECT id FROM share_codes WHERE practitioner_id = $PB ORDER BY id")
FORM_PAGE=/my/share post_form "$JB" "/my/share/${HB[1]}/withdraw" >/dev/null
CODEA=$(share "$JA" 张三的 "${SA[@]}")
HA=$(q "SELECT id FROM share_codes WHERE practitioner_id = $PA")
check "B: 2 share codes (one withdrawn), A: 1" eval '[ -n "$CODEB" ] && [ -n "$CODEA" ] &&
	[ "$(q "SELECT count(*) FROM share_codes WHERE practitioner_id = $PB AND withdrawn IS NULL")" = 1 ] &&
	[ "$(q "SELECT count(*) FROM share_codes WHERE practitioner_id = $PB")" = 2 ]'
check "B's live code opens its report" eval '[ "$(curl -s -o /dev/null -w "%{http_code}" "$AURL/s/$CODEB")" = 200 ]'

# Everything of B's that must never show in A's answers.
leaks=(李四 "$BMASK" "$B" 厦门市第一医院 李四公需课 李四被退回课 李四给评委会 李四撤回的 "$CODEB" "${SB[@]}")
leak() { # FILE...: prints what of B's is in them (one grep for all)
	local s pats=()
	for s in "${leaks[@]}"; do
		case ${ASKED:-} in *"$s"*) continue ;; esac
		pats+=("$s")
	done
	[ ${#pats[@]} -gt 0 ] || return 0
	grep -ohF -f <(printf '%s\n' "${pats[@]}") -- "$@" | sort -u
}
bstate() {
	q "SELECT (SELECT group_concat(serial) FROM certificates WHERE practitioner_id = $PB) || '|' ||
		(SELECT group_concat(id || ':' || coalesce(withdrawn, '-') || ':' || (SELECT count(*) FROM share_code_certs c WHERE c.share_id = s.id)) FROM share_codes s WHERE practitioner_id = $PB) || '|' ||
		(SELECT pw_hash || ':' || totp_enrolled || ':' || coalesce(hex(totp_secret), '-') || ':' || disabled || ':' || locked FROM accounts WHERE practitioner_id = $PB) || '|' ||
		(SELECT count(*) FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE a.practitioner_id = $PB AND s.ended IS NULL) || '|' ||
		(SELECT group_concat(id || ':' || state) FROM records WHERE practitioner_id = $PB) || '|' ||
		(SELECT count(*) FROM share_codes s JOIN share_code_certs c ON c.share_id = s.id WHERE s.practitioner_id = $PA AND c.serial IN (SELECT serial FROM certificates WHERE practitioner_id = $PB))"
}
b0=$(bstate)
certs0=$(q "SELECT count(*) FROM certificates")
shares0=$(q "SELECT count(*) FROM share_codes")
# B's identifiers in a query string, for the routes that name nothing.
BQ="id=$B&serial=${SB[0]}&record=${RB[0]}&share=${HB[0]}&code=$CODEB&name=lisi&practitioner=$PB&year=2024"

nbad=0 ntried=0 nroutes=0
bad() { nbad=$((nbad + 1)); echo "# $*"; }
# try WANT METHOD PATH [CURL ARGS]: one request as A; WANT a status, or
# "any" (the route's own answer for A); the body must hold nothing of B.
try() {
	local w=$1 m=$2 p=$3 st l; shift 3
	st=$(http_code "$JA" "$m" "$p" "$@")
	ntried=$((ntried + 1))
	[ "$w" = any ] || [ "$st" = "$w" ] || bad "$m $p: $st, want $w"
	# What A typed may be echoed back (a prefilled form): only what the
	# request did not carry counts as B's.
	l=$(ASKED="$p $*" leak "$T/body" "$T/headers")
	[ -z "$l" ] || bad "$m $p ($st): shows B's $(echo $l)"
	case $st in 5*) bad "$m $p: $st" ;; esac
	# A is still signed in as A (nothing here may end or switch it).
	if [ "${ALIVE:-1}" = 1 ]; then
		cp "$T/body" "$T/body.try"; cp "$T/headers" "$T/headers.try"
		if [ "$(http_code "$JA" GET /my/account)" != 200 ] || ! grep -q 张三 "$T/body"; then
			bad "after $m $p A is no longer signed in as A"; ALIVE=0
		fi
		cp "$T/body.try" "$T/body"; cp "$T/headers.try" "$T/headers"
	fi
	return 0
}
csrf() { page_csrf "$JA" /my/account; }
"$ISSUER" --data "$D" serve --routes | awk -F'\t' '$1 ~ /^\/my(\/|$)/ { print $1 "\t" $2 }' >"$T/myroutes"
check "the route table has /my/ routes ($(wc -l <"$T/myroutes"))" [ "$(wc -l <"$T/myroutes")" -ge 15 ]
later=()
while IFS=$'\t' read -r pat methods; do
	m=${methods%%,*}
	nroutes=$((nroutes + 1))
	case "$m $pat" in
	"GET /my/certs/*.pdf" | "GET /my/certs/*")
		for id in "${SB[@]}" "${RB[@]}" "${HB[@]}" "$CODEB" "$B" lisi; do
			p=${pat/\*/$id}
			try 404 GET "$p"
			grep -qi '^content-type: application/pdf' "$T/headers" && bad "GET $p: a PDF"
		done
		try 200 GET "${pat/\*/${SA[0]}}"      # A's own: the route works
		;;
	"GET /my")
		try 303 GET "$pat?$BQ" ;;
	"GET /my/sso")
		# A hand-off naming B (unsigned) is refused, and A stays A.
		try any GET "$pat?d=$B&t=$(date +%s)&n=x1234567890abcdef&s=AAAA&$BQ" ;;
	"GET /my/"* | "GET /my")
		try 200 GET "$pat?$BQ" ;;
	"POST /my/signin")
		# B's ID number with a wrong password: refused, no session of B.
		try 401 POST "$pat" --data-urlencode "csrf=$(csrf)" --data-urlencode "id=$B" \
			--data-urlencode "password=not the password 1" ;;
	"POST /my/activate")
		# A's own fresh code with B's ID number: refused; B unchanged.
		printf '%s\n' "$A" | I activation --id-file - --csv "$T/codes2.csv" >/dev/null 2>&1
		CA2=$(awk -F, 'NR == 2 { print $4 }' "$T/codes2.csv")
		try 403 POST "$pat" --data-urlencode "csrf=$(csrf)" --data-urlencode "id=$B" \
			--data-urlencode "code=$CA2" --data-urlencode "password=taken over 12345" \
			--data-urlencode "again=taken over 12345"
		try 403 POST "$pat" --data-urlencode "csrf=$(csrf)" --data-urlencode "id=$B" \
			--data-urlencode "code=$CA" --data-urlencode "password=taken over 12345" \
			--data-urlencode "again=taken over 12345"
		;;
	"POST /my/certs/request")
		for id in "${RB[@]}"; do
			try 404 POST "$pat" --data-urlencode "csrf=$(csrf)" --data-urlencode "record=$id"
		done ;;
	"POST /my/share")
		for s in "${SB[@]}"; do
			try 404 POST "$pat" --data-urlencode "csrf=$(csrf)" --data-urlencode days=7 \
				--data-urlencode "serial=$s"
			try 404 POST "$pat" --data-urlencode "csrf=$(csrf)" --data-urlencode days=7 \
				--data-urlencode "serial=${SA[0]}" --data-urlencode "serial=$s"
		done ;;
	"POST /my/share/*/withdraw")
		for id in "${HB[@]}" "$CODEB"; do
			try 404 POST "${pat/\*/$id}" --data-urlencode "csrf=$(csrf)"
		done ;;
	"POST /my/account/totp")
		try any POST "$pat" --data-urlencode "csrf=$(csrf)" --data-urlencode code=000000 \
			--data-urlencode "id=$B" --data-urlencode name=lisi ;;
	"POST /my/account/password" | "POST /my/signout")
		later+=("$m $pat") ;;  # they change A's session: last
	*)
		bad "route $m $pat: not covered by this test (extend it)" ;;
	esac
	# Every route's other methods too (HEAD is GET's).
	case $methods in *POST*GET* | *GET*POST*) bad "route $pat: GET and POST in one row" ;; esac
done <"$T/myroutes"
# The password change first, the sign-out last.
for r in "POST /my/account/password" "POST /my/signout"; do
	case " ${later[*]} " in *" $r "*) ;; *) continue ;; esac
	case $r in
	"POST /my/account/password")
		# A changes A's own password, naming B: B's is unchanged.
		try 303 POST /my/account/password --data-urlencode "csrf=$(csrf)" \
			--data-urlencode "old=$PASSWORD" --data-urlencode "password=A's new password 77" \
			--data-urlencode "again=A's new password 77" --data-urlencode "id=$B" \
			--data-urlencode name=lisi --data-urlencode "account=$PB" ;;
	"POST /my/signout")
		ALIVE=0
		try 303 POST /my/signout --data-urlencode "csrf=$(csrf)" --data-urlencode "id=$B"
		grep -qi '^location: /my/signin' "$T/headers" || bad "sign-out did not go to /my/signin" ;;
	esac
done
check "every /my/ route ($nroutes rows, $ntried requests) with B's identifiers: 404 or A's own answer, nothing of B's" [ "$nbad" = 0 ]
check "... B's certificates, share codes, password, TOTP, sessions and records unchanged; no share of A holds B's certificate" \
	[ "$(bstate)" = "$b0" ]
check "... no certificate and no share code was made" \
	[ "$(q "SELECT count(*) FROM certificates")/$(q "SELECT count(*) FROM share_codes")" = "$certs0/$shares0" ]
check "... B's session still opens B's /my/" eval '[ "$(http_code "$JB" GET /my/)" = 200 ] && grep -q 李四 "$T/body"'
check "... B's live code still opens its report" eval '[ "$(curl -s -o /dev/null -w "%{http_code}" "$AURL/s/$CODEB")" = 200 ]'

# data.json of A: nothing of B, parsed.
rm -f "$JA"
st=$(FORM_PAGE=/my/signin post_form "$JA" /my/signin "id=$A" "password=A's new password 77")
check "A signs in again with A's new password ($st)" [ "$st" = 303 ]
[ "$st" = 303 ] || { echo "# $(sed 's/<[^>]*>/ /g' "$T/body" | grep -v '^\s*$' | tail -8 | tr '\n' ' ')"; sqlite3 "$DB" "SELECT name, failures, locked, next_try, totp_enrolled, pw_hash FROM accounts" | sed 's/^/# /'; }
check "A's data.json: 200" [ "$(http_code "$JA" GET /my/data.json)" = 200 ]
cp "$T/body" "$T/a.json"
check "... it is JSON with A's own serial" eval 'python3 -m json.tool "$T/a.json" >/dev/null && grep -qF "${SA[0]}" "$T/a.json"'
check_fails "... and nothing of B's (name, ID, unit, serials, titles, share codes)" eval '[ -n "$(leak "$T/a.json")" ]'
check_fails "... not B's share label either (\\u-escaped)" eval 'python3 -c "import json,sys; s=json.dumps(json.load(open(sys.argv[1])), ensure_ascii=False); sys.exit(0 if any(x in s for x in [\"李四\", \"$BMASK\", \"$B\"]) else 1)" "$T/a.json"'

# A staff session on /my/ is nobody, and A's session on /admin/ is too:
# the same status as without a cookie, nothing of anybody's.
account "$D" hr35 hr 35 福建省人社厅 >/dev/null || true
staff=0 cross=0
while IFS=$'\t' read -r pat methods; do
	m=${methods%%,*}
	[ "$m" = GET ] || continue
	p=${pat/\*/${SB[0]}}
	s0=$(curl -s -o /dev/null -w '%{http_code}' "$AURL$p")
	s1=$(http_code "$T/hr35.jar" GET "$p")
	[ "$s1" = "$s0" ] || { staff=$((staff + 1)); echo "# hr on $p: $s1, nobody: $s0"; }
	[ -z "$(leak "$T/body")" ] || { staff=$((staff + 1)); echo "# hr on $p shows B's"; }
done <"$T/myroutes"
check "a staff session on every /my/ GET route: the answer nobody gets, nothing of B's" [ "$staff" = 0 ]
"$ISSUER" --data "$D" serve --routes | awk -F'\t' '$1 ~ /^\/(admin|api)\// && $2 ~ /GET/ { print $1 }' >"$T/adminroutes"
while read -r pat; do
	p=${pat/\*/${SB[0]}}
	s0=$(curl -s -o /dev/null -w '%{http_code}' "$AURL$p")
	s1=$(http_code "$JA" GET "$p")
	[ "$s1" = "$s0" ] || { cross=$((cross + 1)); echo "# A on $p: $s1, nobody: $s0"; }
	[ -z "$(leak "$T/body")" ] || { cross=$((cross + 1)); echo "# A on $p shows B's"; }
done <"$T/adminroutes"
check "A's session on every /admin/ and /api/ GET route ($(wc -l <"$T/adminroutes")): the answer nobody gets" [ "$cross" = 0 ]
serve_stop
