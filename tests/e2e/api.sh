#!/usr/bin/env bash
# The /api/v1 calls end to end (service.md §4) through `hourseal-issuer
# serve`: every call's happy path and every error code; a token of each
# role on every call; hostile bodies (deep nesting, 10 MB, invalid UTF-8,
# duplicate keys, numbers as strings, CSV formulas); the full ID number in
# no log line, answer or audit row; every call audited.
. "$(dirname "$0")/../lib.sh"
scratch
D=$T/d
ID=350102198001011233      # 张三, records in 350203
ID2=11010519491231002X     # 李四, records in 350102
ID3=110105194912310038     # nobody

q() { sqlite3 "$D/hourseal.db" "$@"; }
# tok ROLE SCOPE LABEL: a new API token.
tok() {
	$ISSUER --data "$D" token add --role "$1" --scope "$2" --label "$3" |
	    grep '^hst_'
}
# call METHOD PATH TOKEN CTYPE [BODYFILE]: status in $S, answer in $T/b.
call() {
	local args=(-s -o "$T/b" -D "$T/hdr" -w '%{http_code}' -X "$1" "$URL$2")
	[ -n "$3" ] && args+=(-H "Authorization: Bearer $3")
	[ -n "$4" ] && args+=(-H "Content-Type: $4")
	[ -n "${5:-}" ] && args+=(--data-binary "@$5")
	S=$(curl "${args[@]}")
}
# code: the error code of the last answer.
code() { jq -r '.error.code // empty' "$T/b" 2>/dev/null; }
# expect DESCRIPTION STATUS CODE: the last call answered STATUS with
# error code CODE ("" for none).
expect() {
	local got
	got=$(code)
	if [ "$S" = "$2" ] && [ "$got" = "$3" ]; then ok "$1"; else
		notok "$1 (status $S code '$got', want $2 '$3')"
		head -c 400 "$T/b" | sed 's/^/# /'; echo
	fi
}
body() { printf '%s' "$2" >"$T/$1"; }

$ISSUER init --issuer 福建省专业技术人员继续教育中心 --base-url http://127.0.0.1:8080 --policy fujian --origin ledger.hourseal.example.cn/fj "$D" --keys "$T/keys" >/dev/null 2>&1 &&
    $ISSUER --data "$D" keygen --no-passphrase k1 >/dev/null 2>&1
check "init and keygen" test -f "$D/hourseal.db"
PROV=$(tok provider 基地 lms)
PROV2=$(tok provider 别家 other)
TS=$(tok title-system 3502 ts-3502)
TS1=$(tok title-system 3501 ts-3501)
HR=$(tok hr 3502 hr3502)
HR1=$(tok hr 3501 hr3501)
check "tokens of each role" test -n "$PROV" -a -n "$TS" -a -n "$HR" -a \
	-n "$PROV2" -a -n "$TS1" -a -n "$HR1"
echo "hst_$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=' |
	head -c 43)" >"$T/fake"

start_issuer "$D" --access-log "$T/access" --api-rate 1 --api-burst 30
check "serve is listening ($URL)" test -n "$URL"

# ---- POST /api/v1/records ----
HDR=id_number,name,unit,year,subject,form,title,provider,start_date,end_date,hours,ref
{
	echo "$HDR"
	for d in 01 02 03; do
		echo "$ID,张三,厦门一中,2024,public,1,公需$d,基地,2024-03-$d,2024-03-$d,12,L-$d"
	done
	for d in 04 05 06 07 08; do
		echo "$ID,张三,厦门一中,2024,professional,1,专业$d,基地,2024-03-$d,2024-03-$d,12,L-$d"
	done
	echo "$ID2,李四,福州一中,2024,professional,2,面授课,基地,2024-04-01,2024-04-01,8,L-09"
} >"$T/rows.csv"
call POST /api/v1/records "$PROV" text/csv "$T/rows.csv"
expect "records: CSV accepted" 200 ""
check "records: 9 inserted, 8 stamped automatically (online)" test \
	"$(jq -c '[.rows,.inserted,.unchanged,.rejected,.auto_stamped]' "$T/b")" \
	= "[9,9,0,0,8]"
check "records.submitted_by = token:lms" test "$(q "SELECT count(*) FROM
	records WHERE submitted_by = 'token:lms'")" = 9
call POST /api/v1/records "$PROV" "text/csv; charset=utf-8" "$T/rows.csv"
expect "records: the same CSV again" 200 ""
check "records: idempotent by ref (9 unchanged, none new)" test \
	"$(jq -c '[.inserted,.unchanged]' "$T/b")" = "[0,9]"
sed 's/L-02$/L-02/; s/公需02,基地,2024-03-02,2024-03-02,12/公需02,基地,2024-03-02,2024-03-02,10/' \
	"$T/rows.csv" >"$T/changed.csv"
call POST /api/v1/records "$PROV" text/csv "$T/changed.csv"
expect "records: a changed row under a used ref is refused" 422 invalid_rows
check "records: the error names line 3 and field ref" test \
	"$(jq -c '.error.rows[0] | [.line,.field]' "$T/b")" = '[3,"ref"]'
check "records: all or nothing (still 9 records)" test \
	"$(q "SELECT count(*) FROM records")" = 9

body arr.json '[{"id_number":"'$ID2'","name":"李四","year":2024,"subject":"public","form":2,"title":"=HYPERLINK(\"http://x\")","provider":"基地","start_date":"2024-05-01","end_date":"2024-05-01","hours":"6","ref":"=1+1"}]'
call POST /api/v1/records "$PROV" application/json "$T/arr.json"
expect "records: a JSON array, hours as a string (import reads text)" 200 ""
check "records: a formula stays data" test "$(q "SELECT title FROM records
	WHERE ref = '=1+1'")" = '=HYPERLINK("http://x")'
printf '%s\n%s\n' '{"id_number":"'$ID2'","name":"李四","year":2024,"subject":"public","form":2,"title":"课A","provider":"基地","start_date":"2024-05-02","end_date":"2024-05-02","hours":4}' \
	'{"id_number":"'$ID2'","name":"李四","year":2024,"subject":"public","form":2,"title":"课B","provider":"别家","start_date":"2024-05-03","end_date":"2024-05-03","hours":4}' \
	>"$T/rows.ndjson"
call POST /api/v1/records "$PROV" application/x-ndjson "$T/rows.ndjson"
expect "records: another provider's row is refused" 422 invalid_rows
check "records: line 2, field provider" test \
	"$(jq -c '.error.rows[0] | [.line,.field]' "$T/b")" = '[2,"provider"]'
call POST "/api/v1/records?skip_invalid=1" "$PROV" application/x-ndjson \
	"$T/rows.ndjson"
expect "records: skip_invalid=1 keeps the valid row" 200 ""
check "records: 1 inserted, 1 rejected, the error listed" test \
	"$(jq -c '[.inserted,.rejected,.errors[0].field]' "$T/b")" = \
	'[1,1,"provider"]'
call POST "/api/v1/records?skip_invalid=yes" "$PROV" text/csv "$T/rows.csv"
expect "records: skip_invalid=yes" 400 invalid_request
call POST /api/v1/records "$PROV" text/plain "$T/rows.csv"
expect "records: text/plain" 415 unsupported_media_type
call POST /api/v1/records "$PROV" "text/csv; charset=gbk" "$T/rows.csv"
expect "records: a GBK charset" 415 unsupported_media_type
call POST /api/v1/records "$PROV" "" "$T/rows.csv"
expect "records: no Content-Type" 415 unsupported_media_type

# Hostile bodies.
body bad.json '[{"id_number": "'$ID'", '
call POST /api/v1/records "$PROV" application/json "$T/bad.json"
expect "records: broken JSON" 400 invalid_json
python3 -c 'print("[" * 100000 + "]" * 100000)' >"$T/deep.json"
call POST /api/v1/records "$PROV" application/json "$T/deep.json"
expect "records: 100,000 levels of nesting" 400 invalid_json
body dup.json '[{"ref":"a","ref":"b"}]'
call POST /api/v1/records "$PROV" application/json "$T/dup.json"
expect "records: a duplicate key" 400 invalid_json
printf '%s\n'"$ID"',张\377三,x,2024,public,1,t,基地,2024-03-01,2024-03-01,1,u\n' \
	"$HDR" >"$T/utf.csv"
call POST /api/v1/records "$PROV" text/csv "$T/utf.csv"
expect "records: invalid UTF-8" 400 invalid_request
check "records: the message says so" grep -q "invalid UTF-8" "$T/b"
head -c 10485760 /dev/zero | tr '\0' 'a' >"$T/10mb"
call POST /api/v1/records "$PROV" text/csv "$T/10mb"
expect "records: 10 MB" 413 too_large
check "records: the message names 8 MiB and 20,000 rows" eval \
	'grep -q "8 MiB" "$T/b" && grep -q "20,000 rows" "$T/b"'
{ echo "$HDR"; for i in $(seq 1 20001); do echo "x"; done; } >"$T/many.csv"
call POST /api/v1/records "$PROV" text/csv "$T/many.csv"
expect "records: 20,001 rows" 413 too_large
check "records: nothing stored by refused calls" test \
	"$(q "SELECT count(*) FROM records")" = 11

# ---- GET /api/v1/records ----
call GET "/api/v1/records?limit=5" "$PROV" ""
expect "list: first page" 200 ""
check "list: 5 records and the next key" test \
	"$(jq -c '[(.records|length), .next_after]' "$T/b")" = "[5,5]"
call GET "/api/v1/records?limit=5&after=5" "$PROV" ""
check "list: the next page starts after 5" test \
	"$(jq -c '[.records[0].id, (.records|length)]' "$T/b")" = "[6,5]"
call GET "/api/v1/records?status=stamped" "$PROV" ""
check "list: stamped ones say by whom" test \
	"$(jq -r '.records[0].decision.kind' "$T/b")" = auto
call GET "/api/v1/records?status=waiting" "$PROV" ""
check "list: waiting ones have no decision" test \
	"$(jq -c '[.records[] | .decision] | unique' "$T/b")" = "[null]"
check "list: masked IDs only" eval '! grep -q "$ID" "$T/b"'
call GET "/api/v1/records?since=2000-01-01T00:00:00Z" "$PROV" ""
expect "list: since" 200 ""
call GET "/api/v1/records?since=2999-01-01T00:00:00Z" "$PROV" ""
check "list: since the future: none" test "$(jq '.records|length' "$T/b")" = 0
call GET "/api/v1/records" "$PROV2" ""
check "list: another provider sees none of these" test \
	"$(jq '.records|length' "$T/b")" = 0
for bad in "status=done" "since=yesterday" "after=-1" "limit=0" \
    "limit=1001" "status=%27%20OR%201%3D1--"; do
	call GET "/api/v1/records?$bad" "$PROV" ""
	expect "list: $bad" 400 invalid_request
done

# ---- POST /api/v1/hours ----
q "UPDATE records SET region = '350203' WHERE practitioner_id =
	(SELECT id FROM practitioners WHERE id_masked LIKE '3501%1233');
   UPDATE records SET region = '350102' WHERE region = ''"
body h.json '{"id_number":"'$ID'","years":[2024,2023]}'
call POST /api/v1/hours "$TS" application/json "$T/h.json"
expect "hours: found" 200 ""
check "hours: 2024 36 + 60 = 96, met; 2023 none" test \
	"$(jq -c '[.years[] | [.year,.public,.professional,.total,.met]]' \
	"$T/b")" = '[[2024,36,60,96,true],[2023,0,0,0,false]]'
check "hours: the answer holds the masked ID only" eval \
	'! grep -q "$ID" "$T/b" && grep -q "3501\*\*\*\*\*\*\*\*\*\*1233" "$T/b"'
call POST /api/v1/hours "$TS1" application/json "$T/h.json"
expect "hours: out of the token's region" 404 not_found
oos=$(jq -c . "$T/b")
body h3.json '{"id_number":"'$ID3'","years":[2024]}'
call POST /api/v1/hours "$TS" application/json "$T/h3.json"
expect "hours: an unknown person" 404 not_found
check "hours: unknown and out of scope answer alike" test \
	"$(jq -c . "$T/b")" = "$oos"
for b in '{"id_number":"'$ID'","years":["2024"]}' \
    '{"id_number":"'$ID'","years":[1989]}' \
    '{"id_number":"'$ID'","years":[2024,2024]}' \
    '{"id_number":"'$ID'","years":[1,2,3,4,5,6,7,8,9,10,11]}' \
    '{"id_number":"350102198001011234","years":[2024]}' \
    '{"id_number":"'$ID'","years":[2024],"x":1}'; do
	body hb.json "$b"
	call POST /api/v1/hours "$TS" application/json "$T/hb.json"
	expect "hours: ${b:0:70}" 400 invalid_request
	check "hours: the error does not echo the ID" eval '! grep -q "3501021980" "$T/b"'
done
body hd.json '{"id_number":"'$ID'","id_number":"'$ID2'","years":[2024]}'
call POST /api/v1/hours "$TS" application/json "$T/hd.json"
expect "hours: a duplicate key" 400 invalid_json
printf '{"id_number":"%s","years":[2024],"\xff":1}' "$ID" >"$T/hu.json"
call POST /api/v1/hours "$TS" application/json "$T/hu.json"
expect "hours: invalid UTF-8" 400 invalid_json
head -c 5000 /dev/zero | tr '\0' '[' >"$T/hn.json"
call POST /api/v1/hours "$TS" application/json "$T/hn.json"
expect "hours: a 5,000-byte body (nesting)" 413 too_large
call POST /api/v1/hours "$TS" text/plain "$T/h.json"
expect "hours: text/plain" 415 unsupported_media_type
call GET /api/v1/hours "$TS" ""
expect "hours: GET" 405 method_not_allowed
call POST /api/v1/nothing "$TS" application/json "$T/h.json"
expect "an unknown API call" 404 not_found

# ---- POST /api/v1/issue, /revoke, /reissue ----
body i.json '{"id_number":"'$ID'","year":2024}'
call POST /api/v1/issue "$HR" application/json "$T/i.json"
expect "issue: hr 3502 issues for its region" 200 ""
SERIAL=$(jq -r .serial "$T/b")
check "issue: one certificate ($SERIAL)" test "$(jq .issued "$T/b")" = 1 -a \
	"$(q "SELECT count(*) FROM certificates WHERE serial = '$SERIAL'")" = 1
call POST /api/v1/issue "$HR1" application/json "$T/i.json"
expect "issue: hr 3501 cannot (not found)" 404 not_found
body hs.json '{"id_number":"'$ID'","years":[2024]}'
call POST /api/v1/hours "$TS" application/json "$T/hs.json"
check "hours: the valid certificate's serial" test \
	"$(jq -r '.years[0].serials[0]' "$T/b")" = "$SERIAL"
body ri.json '{"serial":"'$SERIAL'"}'
call POST /api/v1/reissue "$HR1" application/json "$T/ri.json"
expect "reissue: out of scope" 404 not_found
call POST /api/v1/reissue "$HR" application/json "$T/ri.json"
expect "reissue: in scope" 200 ""
NEW=$(jq -r .serial "$T/b")
check "reissue: a new serial replaces the old" test -n "$NEW" -a \
	"$NEW" != "$SERIAL" -a "$(jq -r .replaces "$T/b")" = "$SERIAL"
call POST /api/v1/hours "$TS" application/json "$T/hs.json"
check "hours: only the new serial (the superseded one is left out)" test \
	"$(jq -c '.years[0].serials' "$T/b")" = "[\"$NEW\"]"
body rv.json '{"serial":"'$NEW'","reason":"error","note":"wrong hours"}'
call POST /api/v1/revoke "$HR1" application/json "$T/rv.json"
expect "revoke: out of scope" 404 not_found
call POST /api/v1/revoke "$HR" application/json "$T/rv.json"
expect "revoke: in scope" 200 ""
call POST /api/v1/revoke "$HR" application/json "$T/rv.json"
expect "revoke: again" 409 conflict
body rvb.json '{"serial":"'$NEW'","reason":"because"}'
call POST /api/v1/revoke "$HR" application/json "$T/rvb.json"
expect "revoke: an unknown reason" 400 invalid_request
body rvs.json '{"serial":"x'\''; DROP TABLE certificates;--","reason":"error"}'
call POST /api/v1/revoke "$HR" application/json "$T/rvs.json"
expect "revoke: SQL as a serial" 400 invalid_request
call POST /api/v1/hours "$TS" application/json "$T/hs.json"
check "hours: no serial once revoked" test \
	"$(jq -c '.years[0].serials' "$T/b")" = "[]"

# ---- tokens: every role on every call, none, unknown ----
for c in "POST /api/v1/records text/csv rows.csv provider" \
    "GET /api/v1/records - - provider" \
    "POST /api/v1/hours application/json h.json title-system" \
    "POST /api/v1/issue application/json i.json hr" \
    "POST /api/v1/revoke application/json rv.json hr" \
    "POST /api/v1/reissue application/json ri.json hr"; do
	set -- $c
	ct=$3; f=$4
	[ "$ct" = - ] && ct=""
	[ "$f" = - ] && f="" || f="$T/$f"
	for r in provider:$PROV title-system:$TS hr:$HR; do
		[ "${r%%:*}" = "$5" ] && continue
		call "$1" "$2" "${r#*:}" "$ct" $f
		expect "$1 $2 with a ${r%%:*} token" 403 forbidden
	done
	call "$1" "$2" "" "$ct" $f
	expect "$1 $2 without a token" 401 unauthorized
	call "$1" "$2" "$(cat "$T/fake")" "$ct" $f
	expect "$1 $2 with an unknown token" 401 unauthorized
done
$ISSUER --data "$D" token revoke ts-3502 >/dev/null 2>&1
call POST /api/v1/hours "$TS" application/json "$T/h.json"
expect "a revoked token" 401 unauthorized
curl -s -o "$T/b" -H "Authorization: Basic $TS1" "$URL/api/v1/records"
check "a Basic header is not a token" grep -q unauthorized "$T/b"

# ---- the per-token rate limit (1/s, burst 30 for this test) ----
seq 60 | xargs -P 20 -I{} curl -s -o /dev/null -w '%{http_code}\n' \
	-X POST -H "Authorization: Bearer $TS1" -H "Content-Type: application/json" \
	--data-binary @"$T/h.json" "$URL/api/v1/hours" >"$T/codes"
n429=$(grep -c '^429$' "$T/codes")
check "rate: 60 calls at once, over a burst of 30: $n429 answered 429" \
	test "$n429" -ge 15 -a "$(grep -c '^404$' "$T/codes")" -ge 25
for _ in 1 2 3 4 5; do
	call POST /api/v1/hours "$TS1" application/json "$T/h.json"
	[ "$S" = 429 ] && break
done
expect "rate: rate_limited" 429 rate_limited
check "rate: Retry-After" grep -qi "^retry-after: [0-9]" "$T/hdr"
call GET /api/v1/records "$PROV" ""
expect "rate: another token is not limited" 200 ""

# ---- audit and logs ----
stop_server
check "audit: one record.submit row per records call" test \
	"$(q "SELECT count(*) FROM audit WHERE action = 'record.submit'")" -ge 10
check "audit: hours lookups by the title system (masked)" test \
	"$(q "SELECT count(*) FROM audit WHERE action = 'api.hours' AND
	actor = 'token:ts-3502' AND object LIKE '3501*%1233'")" -ge 3
check "audit: issue, revoke, reissue" test "$(q "SELECT count(DISTINCT
	action) FROM audit WHERE action IN ('api.issue', 'api.revoke',
	'api.reissue')")" = 3
check "audit: the certificates' own rows name the hr token, not the operator" test \
	"$(q "SELECT count(*) FROM audit WHERE action IN ('cert.issue',
	'cert.revoke') AND actor LIKE 'token:%'")" -ge 2
check "audit: forbidden calls too" test "$(q "SELECT count(*) FROM audit
	WHERE detail LIKE 'refused: a % token'")" -ge 10
check "no full ID number in the audit log" test "$(q "SELECT count(*) FROM
	audit WHERE actor || object || detail LIKE '%3501021980%'")" = 0
check "the access log has the API calls" grep -q "POST /api/v1/hours 200" \
	"$T/access"
check "no full ID number in the access log, stdout or stderr" eval \
	'! grep -q "$ID\|3501021980\|$ID2\|1101051949" "$T/access" "$T/out" "$T/err"'
