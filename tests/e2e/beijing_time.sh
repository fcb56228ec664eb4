#!/usr/bin/env bash
# Time as people read it (issue 15): a certificate issued at 00:30 Beijing
# time (16:30 UTC the day before) shows the Beijing date on its PDF, the
# note signs the issuer's UTC offset (utc-offset: +08:00) and keeps the
# RFC 3339 UTC time, the verifier's page and `check` show the Beijing time,
# the JSON keeps UTC, and the offline check still finds the PDF identical
# to its re-render. The zone comes from init --tz (default Asia/Shanghai);
# another zone (America/New_York) dates the PDF there.
. "$(dirname "$0")/../lib.sh"
scratch
quiet() { "$@" >"$T/o" 2>&1 || { sed "s/^/# /" "$T/o" | tail -5; return 1; }; }
for c in faketime pdftotext curl; do
	command -v $c >/dev/null || { notok "$c is not installed"; exit 0; }
done
# (ASan wants its runtime first; faketime preloads its library before it)
at() {
	local when=$1
	shift
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
	    faketime "$when" "$@"
}
D=$T/d
ROW='350102198001011233,张三,厦门一中,2026,public,,1,新时代政绩观,福建省继续教育基地,2026-03-01,2026-03-03,12,,,R-1'
printf 'id_number,name,unit,year,subject,public_type,form,title,provider,start_date,end_date,hours,author_role,domain,ref\n%s\n' "$ROW" >"$T/one.csv"

check "init (time zone not given: Asia/Shanghai)" quiet "$ISSUER" init "$D" \
	--issuer 厦门市人力资源和社会保障局 --base-url https://verify.example.cn \
	--policy fujian --origin verify.example.cn/xm --keys "$T/keys"
check "keygen" quiet at "2026-12-04 12:00:00" "$ISSUER" --data "$D" keygen k1 --no-passphrase
check "import one record" quiet "$ISSUER" --data "$D" import "$T/one.csv"
check "stamp it" quiet hr_stamp "$D" 厦门市人力资源和社会保障局 --all
check "issue at 2026-12-05 16:30 UTC = 2026-12-06 00:30 Beijing time" quiet \
	at '2026-12-05 16:30:00' "$ISSUER" --data "$D" issue --year 2026 --all \
	--out "$T/pdfs"
PDF=$(find "$T/pdfs" -name '*.pdf' | head -1)
SERIAL=$(basename "$PDF" .pdf)
check "one PDF ($SERIAL)" test -s "$PDF"
pdftotext "$PDF" "$T/pdf.txt"
check "the PDF's date of issue is the Beijing date: 2026年12月6日" \
	grep -q '发证日期.*2026年12月6日' "$T/pdf.txt"
check_fails "and not the UTC date 2026年12月5日" grep -q '2026年12月5日' "$T/pdf.txt"
NOTE=$(sqlite3 "$D/hourseal.db" "SELECT note FROM certificates")
check "the note keeps RFC 3339 UTC: issued: 2026-12-05T16:30" \
	grep -q '^issued: 2026-12-05T16:30:[0-9][0-9]Z$' <<<"$NOTE"
check "the note signs the offset: utc-offset: +08:00, before verify" \
	grep -Pzq 'issued: [^\n]*\nutc-offset: \+08:00\nverify: ' <<<"$NOTE"

# The offline check: the PDF is identical to its re-render.
"$VERIFIER" check "$PDF" --key "$T/keys/k1.pub" >"$T/chk" 2>&1
rc=$?
check "check: VALID (exit $rc)" [ $rc = 0 ]
check "  the pages are identical to the re-render" \
	grep -q '^  pdf pages:   identical' "$T/chk"
check "  issued shown in Beijing time, UTC beside it" \
	grep -q '^  issued:      2026-12-06 00:30 (Beijing time) = 2026-12-05T16:30:[0-9][0-9]Z$' "$T/chk"
"$VERIFIER" check "$PDF" --key "$T/keys/k1.pub" --json >"$T/chk.json" 2>&1
check "  --json keeps UTC" grep -q '"issued": *"2026-12-05T16:30:[0-9][0-9]Z"' "$T/chk.json"
"$VERIFIER" check "$PDF" --key "$T/keys/k1.pub" --tz Europe/Berlin >"$T/chk2" 2>&1
check "  --tz Europe/Berlin shows that zone" \
	grep -q '^  issued:      2026-12-05 17:30 (Europe/Berlin)' "$T/chk2"
"$VERIFIER" check "$PDF" --key "$T/keys/k1.pub" --tz ../../etc/passwd >"$T/chk3" 2>&1
rc=$?
check "  --tz ../../etc/passwd: refused (exit $rc)" [ $rc = 2 ]

# The verifier's page.
cp "$T/keys/k1.pub" "$T/key.pub"
if start_server --db "$D/hourseal.db" --key "$T/key.pub"; then
	curl -s "$URL/c/$SERIAL" >"$T/page"
	check "the page shows 签发时间 2026-12-06 00:30 (北京时间)" \
		grep -q '2026-12-06 00:30 (北京时间)' "$T/page"
	check_fails "  and no RFC 3339 time" grep -q '2026-12-05T16:30' "$T/page"
	curl -s "$URL/c/$SERIAL?lang=en" >"$T/page.en"
	check "the English page: 2026-12-06 00:30 (Beijing time)" \
		grep -q '2026-12-06 00:30 (Beijing time)' "$T/page.en"
	curl -s "$URL/api/v1/certificates/$SERIAL" >"$T/page.json"
	check "the JSON answer keeps UTC" grep -q '2026-12-05T16:30:[0-9][0-9]Z' "$T/page.json"
	stop_server
else
	notok "the verifier did not start"
fi

# The issuing service's console: the certificate's page, in Beijing time.
. "$HS_TOP/tests/serve_lib.sh"
if command -v oathtool >/dev/null; then
	check "the issuing service starts" serve_start "$D"
	check "a province-level hr account signs in" account "$D" fjhr hr 35 福建省人力资源和社会保障厅
	http_code "$T/fjhr.jar" GET "/admin/certs/$SERIAL" >"$T/code"
	check "/admin/certs/SERIAL answers 200 ($(cat "$T/code"))" [ "$(cat "$T/code")" = 200 ]
	check "  签发 2026-12-06 00:30 (北京时间)" grep -q '2026-12-06 00:30 (北京时间)' "$T/body"
	check_fails "  and no RFC 3339 time" grep -q '2026-12-05T16:30' "$T/body"
	http_code "$T/fjhr.jar" GET "/admin/certs/$SERIAL?lang=en" >/dev/null
	check "  in English: 2026-12-06 00:30 (Beijing time)" grep -q '2026-12-06 00:30 (Beijing time)' "$T/body"
	serve_stop
else
	notok "oathtool is installed (scripts/deps.sh test)"
fi

# A certificate issued at 10:00 UTC has the same date either way.
D2=$T/d2
check "init a second issuer" quiet "$ISSUER" init "$D2" --issuer 测试中心 \
	--base-url https://verify.example.cn --policy fujian \
	--origin verify.example.cn/t2 --keys "$T/keys2"
check "keygen" quiet at "2026-12-04 12:00:00" "$ISSUER" --data "$D2" keygen k2 --no-passphrase
check "import" quiet "$ISSUER" --data "$D2" import "$T/one.csv"
check "stamp" quiet hr_stamp "$D2" 测试中心 --all
check "issue at 10:00 UTC" quiet at '2026-12-05 10:00:00' "$ISSUER" --data "$D2" \
	issue --year 2026 --all --out "$T/out2"
P2=$(find "$T/out2" -name '*.pdf' | head -1)
pdftotext "$P2" - | grep -q '发证日期.*2026年12月5日'
check "  its date: 2026年12月5日" [ $? = 0 ]

# Another zone: init --tz America/New_York dates the PDF there.
D3=$T/d3
check "init --tz America/New_York" quiet "$ISSUER" init "$D3" --issuer 测试中心 \
	--base-url https://verify.example.cn --policy fujian \
	--origin verify.example.cn/t3 --keys "$T/keys3" --tz America/New_York
check "  config.json says so" grep -q '"time_zone": "America/New_York"' "$D3/config.json"
quiet at "2026-12-04 12:00:00" "$ISSUER" --data "$D3" keygen k3 --no-passphrase
quiet "$ISSUER" --data "$D3" import "$T/one.csv"
quiet hr_stamp "$D3" 测试中心 --all
check "issue at 2026-12-05 03:00 UTC (22:00 the day before in New York)" quiet \
	at '2026-12-05 03:00:00' "$ISSUER" --data "$D3" issue --year 2026 --all \
	--out "$T/out3"
P3=$(find "$T/out3" -name '*.pdf' | head -1)
pdftotext "$P3" - | grep -q '发证日期.*2026年12月4日'
check "  its date: 2026年12月4日" [ $? = 0 ]
check "  the note signs utc-offset: -05:00" grep -q '^utc-offset: -05:00$' \
	<(sqlite3 "$D3/hourseal.db" "SELECT note FROM certificates")
"$VERIFIER" check "$P3" --key "$T/keys3/k3.pub" >"$T/chk3" 2>&1
check "  and it checks VALID (re-rendered identically)" grep -q '^  pdf pages:   identical' "$T/chk3"

# Hostile time zones are refused by init.
n=0
for z in ../../etc/passwd Asia/../../../etc/shadow '' -x 'Asia/Shang hai' Mars/Olympus_Mons \
    "$(printf 'A%.0s' $(seq 1 80))" /etc/passwd; do
	n=$((n + 1))
	"$ISSUER" init "$T/bad$n" --issuer x --base-url https://v.example.cn \
	    --policy fujian --tz "$z" >"$T/o" 2>&1
	rc=$?
	check "init --tz '${z:0:20}': refused (exit $rc), nothing made" \
		[ $rc = 2 -a ! -e "$T/bad$n/config.json" ]
done

# A certificate issued before the utc-offset line, at 16:30 UTC: its PDF
# was drawn with the UTC date and must still be identical to its re-render.
OLD=$HS_TOP/tests/data/oldcert-utc
"$VERIFIER" check "$OLD/2026-X5KS-4NX2-8RNM-VQ88.pdf" --key "$OLD/old.pub" >"$T/old" 2>&1
rc=$?
check "an old certificate issued at 16:30 UTC: still VALID (exit $rc)" [ $rc = 0 ]
check "  its pages identical to the re-render (dated in UTC, as drawn)" \
	grep -q '^  pdf pages:   identical' "$T/old"
check "  its PDF says 2026年12月5日" bash -c "pdftotext '$OLD/2026-X5KS-4NX2-8RNM-VQ88.pdf' - | grep -q '2026年12月5日'"
