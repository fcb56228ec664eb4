#!/usr/bin/env bash
# A training base's console upload (issue 13, item 3): /admin/records/upload
# takes a CSV or JSON Lines file as multipart/form-data and imports it
# exactly as POST /api/v1/records does (import_buffer: every row checked,
# the provider must be the account's, all or nothing unless skip_invalid,
# one record.submit audit row by the account). Rows in error are listed
# with line, field and reason, escaped. The multipart form needs its CSRF
# token; hr (no record.submit) gets 404; hostile files are refused.
. "$(dirname "$0")/../lib.sh"
scratch
. "$HS_TOP/tests/serve_lib.sh"
export HOURSEAL_TODAY=2025-03-01
command -v oathtool >/dev/null || { notok "oathtool is installed (scripts/deps.sh test)"; exit 1; }

D=$T/data
DB=$D/hourseal.db
I() { "$ISSUER" --data "$D" "$@"; }
I init --base-url http://127.0.0.1:8080 --policy fujian "$D" --keys "$T/keys" --issuer "福建省继续教育中心" --origin "ledger.example.cn/fj" >/dev/null 2>&1
check "the service starts" serve_start "$D"
check "a provider signs in" account "$D" jidi provider 基地 基地
check "hr signs in" account "$D" xmhr hr 3502 厦门市人力资源和社会保障局
J=$T/jidi.jar
nrec() { sqlite3 "$DB" 'SELECT count(*) FROM records'; }
# upload JAR FILE [CSRF] [EXTRA -F ...]: POST the file; prints the status.
upload() {
	local jar=$1 f=$2 c=${3-}; shift 3 || shift $#
	[ -n "$c" ] || c=$(page_csrf "$jar" /admin/records/upload)
	http_code "$jar" POST /admin/records/upload -F "csrf=$c" -F "file=@$f" "$@"
}

check "the upload form answers 200" [ "$(http_code "$J" GET /admin/records/upload)" = 200 ]
check "a multipart form with its CSRF token" grep -q 'enctype="multipart/form-data"' "$T/body"
check "a multipart form with its CSRF token (2)" [ -n "$(csrf_from "$T/body")" ]
check "hr may not upload (404)" [ "$(http_code "$T/xmhr.jar" GET /admin/records/upload)" = 404 ]

HDR=id_number,name,unit,region,year,subject,form,title,provider,start_date,end_date,hours,ref
ID=11010519491231002X
{
	echo "$HDR"
	echo "$ID,张三,厦门一中,350203,2024,public,1,公需01,基地,2024-03-01,2024-03-01,12,L-01"
	echo "$ID,张三,厦门一中,350203,2024,professional,1,专业02,基地,2024-03-02,2024-03-02,12,L-02"
} >"$T/good.csv"
st=$(upload "$T/xmhr.jar" "$T/good.csv" "$(page_csrf "$T/xmhr.jar" /admin/records)")
check "hr posting an upload gets 404 ($st)" [ "$st" = 404 ]
st=$(upload "$J" "$T/good.csv" "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
check "a wrong CSRF token is 403 ($st)" [ "$st" = 403 ]
st=$(http_code "$J" POST /admin/records/upload -F "file=@$T/good.csv")
check "no CSRF token is 403 ($st)" [ "$st" = 403 ]
st=$(http_code "$J" POST /admin/records/upload --data-urlencode "csrf=$(page_csrf "$J" /admin/records/upload)")
check "a url-encoded body (no multipart token) is 403 ($st)" [ "$st" = 403 ]
check "nothing imported yet" [ "$(nrec)" = 0 ]

st=$(upload "$J" "$T/good.csv" "")
check "a good CSV is imported ($st)" [ "$st" = 200 ]
check "it says 2 inserted" grep -q '新增 2' "$T/body"
check "2 records, submitted by the account" [ "$(sqlite3 "$DB" "SELECT count(*) FROM records WHERE submitted_by = 'jidi' AND provider = '基地'")" = 2 ]
check "one record.submit audit row by jidi" [ "$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE action = 'record.submit' AND actor = 'jidi'")" = 1 ]
st=$(upload "$J" "$T/good.csv" "")
check "the same file again: unchanged ($st)" [ "$st" = 200 ]
check "the same file again: unchanged ($st) (2)" grep -q '已存在 2' "$T/body"
check "the same file again: unchanged ($st) (3)" [ "$(nrec)" = 2 ]

# JSON Lines.
printf '%s\n' '{"id_number":"'$ID'","name":"张三","unit":"厦门一中","region":"350203","year":2024,"subject":"public","form":1,"title":"公需03","provider":"基地","start_date":"2024-03-03","end_date":"2024-03-03","hours":12,"ref":"L-03"}' >"$T/one.jsonl"
st=$(upload "$J" "$T/one.jsonl" "")
check "a JSON Lines file is imported ($st)" [ "$st" = 200 ]
check "a JSON Lines file is imported ($st) (2)" [ "$(nrec)" = 3 ]

# Rows in error: listed with line, field and reason; nothing imported.
{
	echo "$HDR"
	echo "$ID,张三,厦门一中,350203,2024,public,1,公需04,基地,2024-03-04,2024-03-04,12,L-04"
	echo "$ID,张三,厦门一中,350203,2024,public,1,<script>alert(1)</script>,别家,2024-03-05,2024-03-05,12,L-05"
	echo "$ID,张三,厦门一中,350203,2024,public,1,公需06,基地,2024-03-06,2024-03-06,abc,L-06"
	echo "1' OR '1'='1,张三,厦门一中,350203,2024,public,1,公需07,基地,2024-03-07,2024-03-07,12,L-07"
} >"$T/bad.csv"
st=$(upload "$J" "$T/bad.csv" "")
check "a file with bad rows is 422 ($st)" [ "$st" = 422 ]
check "nothing of it imported" [ "$(nrec)" = 3 ]
check "line 3: provider" grep -q '<tr><td class="num">3</td><td class="mono">provider</td>' "$T/body"
check "line 4: hours" grep -q '<tr><td class="num">4</td><td class="mono">hours</td>' "$T/body"
check "line 5: id_number" grep -q '<tr><td class="num">5</td><td class="mono">id_number</td>' "$T/body"
check_fails "no raw <script>" grep -q '<script>' "$T/body"
check "the refusal is audited by jidi" [ "$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE action = 'record.submit' AND actor = 'jidi' AND detail LIKE 'refused: rows 4, rejected 3%'")" = 1 ]
st=$(upload "$J" "$T/bad.csv" "" -F skip_invalid=1)
check "skip_invalid imports the good row ($st)" [ "$st" = 200 ]
check "skip_invalid imports the good row ($st) (2)" [ "$(nrec)" = 4 ]
check "skip_invalid imports the good row ($st) (3)" grep -q '有误 3' "$T/body"

# Hostile files.
printf '\xff\xfe\x00bad' >"$T/bin.csv"
st=$(upload "$J" "$T/bin.csv" "")
check "a binary file is refused ($st)" grep -qE '^(400|422)$' <<<"$st"
: >"$T/empty.csv"
st=$(upload "$J" "$T/empty.csv" "")
check "an empty file is 400 ($st)" [ "$st" = 400 ]
c=$(page_csrf "$J" /admin/records/upload)
printf -- '--XyZ\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n%s\r\n--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n%s\r\n' "$c" "$HDR" >"$T/trunc"
st=$(http_code "$J" POST /admin/records/upload -H 'Content-Type: multipart/form-data; boundary=XyZ' --data-binary "@$T/trunc")
check "a truncated multipart body is 400 ($st)" [ "$st" = 400 ]
check "still 4 records" [ "$(nrec)" = 4 ]
check "the service still answers" [ "$(http_code "$J" GET /admin/records/upload)" = 200 ]
