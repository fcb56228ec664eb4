#!/usr/bin/env bash
# Activation letters (issue 14, service.md §5 way 1): `hourseal-issuer
# activation` makes a one-time code per person and writes PDF letters
# (Chinese text, masked ID number, the activation URL, the grouped code,
# a QR code of the URL with the code) and a mail-merge CSV (BOM, masked
# IDs, formula-safe), both 0600; only the codes' hashes reach the
# database; hostile unit names and ID-file lines are refused with the
# line number and nothing is written. The console's /admin/activation
# (employer, hr) answers the same files as attachments, 404 out of scope.
. "$(dirname "$0")/../lib.sh"
scratch
. "$HS_TOP/tests/serve_lib.sh"
export HOURSEAL_TODAY=2025-03-01
for t in pdftotext zbarimg pdftoppm oathtool; do
	command -v $t >/dev/null || { notok "$t is installed (scripts/deps.sh test)"; exit 1; }
done

D=$T/data
DB=$D/hourseal.db
I() { "$ISSUER" --data "$D" "$@"; }
ncodes() { sqlite3 "$DB" 'SELECT count(*) FROM activation_codes'; }
I init --policy fujian "$D" --keys "$T/keys" --issuer "福建省继续教育中心" --origin "ledger.example.cn/fj" \
	--base-url https://verify.example.cn >/dev/null 2>&1
{
	echo "身份证号,姓名,工作单位,地区代码,年度,科目类别,学习形式,课程名称,施训机构,开始日期,结束日期,学时,专业技术领域,外部编号"
	echo "11010519491231002X,李四,厦门市第一医院,350203,2024,公需,面授,课程1,厦门继续教育基地,2024-03-01,2024-03-01,6,,A1"
	echo "350102198001011233,张三,福州市第一医院,350102,2024,公需,面授,课程1,福州基地,2024-03-01,2024-03-01,6,,B1"
	echo "110101199001011237,王五,\"=HYPERLINK(\"\"http://x\"\")\",350203,2024,公需,面授,课程1,厦门继续教育基地,2024-03-01,2024-03-01,6,,C1"
} >"$T/r.csv"
I import "$T/r.csv" --quiet >/dev/null
check "init and three people" [ "$(sqlite3 "$DB" 'SELECT count(*) FROM practitioners')" = 3 ]

# ---- the CLI as the operator: one unit ----
I activation --unit 厦门市第一医院 --pdf "$T/a.pdf" --csv "$T/a.csv" >"$T/o" 2>"$T/e"
rc=$?
check "activation --unit: exit 0 ($rc: $(cat "$T/e"))" test $rc = 0
check "  says one code was made" grep -q '^1 activation code made' "$T/o"
check "  the PDF and the CSV are mode 0600" \
	test "$(stat -c %a "$T/a.pdf") $(stat -c %a "$T/a.csv")" = "600 600"
pdftotext -layout "$T/a.pdf" "$T/a.txt"
check "  the letter's title in Chinese" grep -q '继续教育学时 账户激活通知' "$T/a.txt"
check "  the person's name" grep -q '李四' "$T/a.txt"
check "  the masked ID number" grep -q '1101\*\*\*\*\*\*\*\*\*\*002X' "$T/a.txt"
check_fails "  never the full ID number" grep -q '11010519491231002X' "$T/a.txt"
check "  the activation URL" grep -q 'https://verify.example.cn/my/activate' "$T/a.txt"
check "  the steps: a password of at least 10 characters" grep -q '至少10个字符' "$T/a.txt"
check "  who issued it" grep -q '签发：福建省继续教育中心' "$T/a.txt"
check "  the expiry date in Chinese" grep -qE '有效期至：20[0-9]{2}年[0-9]{1,2}月[0-9]{1,2}日' "$T/a.txt"
code=$(grep -oE '\b[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}\b' "$T/a.txt" | head -1)
check "  the code grouped XXXX-XXXX-XXXX-XXXX ($code)" test -n "$code"
check "  exactly one page" test "$(pdfinfo "$T/a.pdf" | sed -n 's/^Pages: *//p')" = 1
plain=${code//-/}
zbarimg -q --raw "$T/a.pdf" >"$T/qr" 2>/dev/null || {
	pdftoppm -r 150 -png -f 1 -l 1 "$T/a.pdf" "$T/qrpage"
	zbarimg -q --raw "$T/qrpage-1.png" >"$T/qr" 2>/dev/null
}
check "  zbarimg reads the QR: the URL with the code" \
	test "$(head -1 "$T/qr")" = "https://verify.example.cn/my/activate?code=$plain"
pdftoppm -r 60 -png -f 1 -l 1 "$T/a.pdf" "$T/look"
check "  page 1 renders at 60 dpi (A4: about 496x702)" \
	bash -c "file '$T/look-1.png' | grep -qE '49[67] x 70[12]'"
[ -n "${HS_KEEP_LOOK:-}" ] && cp "$T/look-1.png" "$HS_KEEP_LOOK"
check "  the CSV starts with a UTF-8 BOM" \
	test "$(head -c 3 "$T/a.csv" | od -An -tx1 | tr -d ' ')" = efbbbf
check "  its header" grep -q '姓名,身份证号(脱敏),单位,激活码,激活网址,有效期至' "$T/a.csv"
check "  its row: masked ID, the same code, the URL" \
	grep -q "^李四,1101\*\*\*\*\*\*\*\*\*\*002X,厦门市第一医院,$code,https://verify.example.cn/my/activate,20[0-9][0-9]-" "$T/a.csv"
check_fails "  no full ID number in the CSV" grep -q '11010519491231002X' "$T/a.csv"
check "the code is nowhere in the database (grouped)" \
	test "$(sqlite3 "$DB" .dump | grep -c -- "$code")" = 0
check "  nor ungrouped" test "$(sqlite3 "$DB" .dump | grep -c -- "$plain")" = 0
check "  its SHA-256 is" test "$(sqlite3 "$DB" "SELECT count(*) FROM activation_codes WHERE hex(hash) = upper('$(printf %s "$plain" | sha256sum | cut -c1-64)')")" = 1
check "audited activation.make, object practitioner:<id>" \
	test "$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE action = 'activation.make' AND object LIKE 'practitioner:%' AND actor = 'cli'")" = 1

# ---- a region, formula-injection-safe CSV; re-issue spends ----
I activation --region 3502 --csv "$T/b.csv" >/dev/null 2>"$T/e"
check "activation --region 3502 --csv: exit 0 ($(cat "$T/e"))" test $? = 0
check "  two people of 3502" test "$(grep -c ',https://' "$T/b.csv")" = 2
check "  a unit starting with = gets a leading '" \
	grep -q "^王五,1101\*\*\*\*\*\*\*\*\*\*1237,\"'=HYPERLINK(\"\"http://x\"\")\"," "$T/b.csv"
check "  the first code of 李四 is spent" \
	test "$(sqlite3 "$DB" "SELECT count(*) FROM activation_codes WHERE spent IS NOT NULL")" = 1
I activation --region 35 --new-only --pdf "$T/c.pdf" >/dev/null 2>"$T/e"
check "activation --region 35 --new-only --pdf: three pages" \
	test "$(pdfinfo "$T/c.pdf" | sed -n 's/^Pages: *//p')" = 3
printf '350102198001011233\r\n\n 11010519491231002x \n' >"$T/ids"
I activation --id-file - --csv "$T/d.csv" <"$T/ids" >/dev/null 2>"$T/e"
check "activation --id-file - (stdin, CRLF, blank line, spaces, lower-case x): exit 0" test $? = 0
check "  two rows in the file's order" \
	test "$(cut -d, -f1 "$T/d.csv" | tail -n +2 | tr -d '\r' | tr '\n' ' ')" = "张三 李四 "

# ---- hostile input: line-numbered, nothing written ----
n0=$(ncodes)
hostile_ids() {
	local what=$1 want=$2
	rm -f "$T/h.pdf" "$T/h.csv"
	I activation --id-file "$T/h.ids" --pdf "$T/h.pdf" --csv "$T/h.csv" >"$T/o" 2>"$T/e"
	local rc=$?
	check "$what: exit 1 ($rc)" test $rc = 1
	check "  says $want" grep -q -- "$want" "$T/e"
	check "  no file written" test ! -e "$T/h.pdf" -a ! -e "$T/h.csv"
	check "  no code made" test "$(ncodes)" = "$n0"
	check_fails "  the message repeats no ID number" grep -qE '[0-9]{17}' "$T/e"
}
printf '11010519491231002X\n350102198001011234\n' >"$T/h.ids"
hostile_ids "a wrong check character on line 2" "line 2: not an ID number: wrong check character"
printf '11010519491231002X\n\n%s\n' "$(printf '3%.0s' $(seq 1 5000))" >"$T/h.ids"
hostile_ids "a 5000-byte line 3" "line 3: longer than 64 bytes"
printf '11010519491231002X\n3501021980\x1b[2J01011233\n' >"$T/h.ids"
hostile_ids "an escape sequence on line 2" "line 2: a control character"
printf '11010519491231002X\n110101199001011245\n' >"$T/h.ids"
hostile_ids "an unknown person on line 2" "line 2: no such person in your scope"
printf '11010519491231002X\n11010519491231002X\n' >"$T/h.ids"
hostile_ids "the same person twice" "line 2: the same person"
printf '\xff\xfe1\x00\n' >"$T/h.ids"
hostile_ids "a binary file" "NUL byte"
for u in $'厦门\x01市' "$(printf 'x%.0s' $(seq 1 300))" $'\xff\xfe' "' OR 1=1 --" "<script>"; do
	rm -f "$T/h.csv"
	I activation --unit "$u" --csv "$T/h.csv" >"$T/o" 2>"$T/e"
	rc=$?
	check "hostile unit (${#u} bytes): exit 1 ($rc: $(head -c 100 "$T/e"))" test $rc = 1
	check "  nothing written" test ! -e "$T/h.csv" -a "$(ncodes)" = "$n0"
done
I activation --region "35' OR '1'='1" --csv "$T/h.csv" >/dev/null 2>"$T/e"
check "hostile region: exit 1" test $? = 1
check "  says region: 2 to 12 digits" grep -q 'region: 2 to 12 digits' "$T/e"
mkdir "$T/ro"
I activation --unit 厦门市第一医院 --pdf "$T/h.pdf" --csv "$T/ro/nodir/h.csv" >/dev/null 2>"$T/e"
check "an unwritable CSV: exit 2, and the PDF is removed" \
	test $? = 2 -a ! -e "$T/h.pdf" -a "$(ncodes)" = "$n0"
for args in "--csv $T/h.csv" "--unit X --region 35 --csv $T/h.csv" "--unit X" \
	"--id-file $T/h.ids 11010519491231002X --csv $T/h.csv" "--unit X --pdf $T/s --csv $T/s"; do
	I activation $args >/dev/null 2>"$T/e"
	rc=$?
	check "usage error (activation $args): exit 2 ($rc)" test $rc = 2
done
check_fails "  an ID number on the command line is not echoed" grep -q 11010519491231002X "$T/e"

# ---- as an account: scope ----
I user add yiyuan --role employer --scope 厦门市第一医院 --org 厦门市第一医院 >/dev/null 2>&1
I activation --account yiyuan --unit 福州市第一医院 --csv "$T/h.csv" >/dev/null 2>"$T/e"
check "employer account, another unit: exit 1" test $? = 1
check "  no such unit in your scope" grep -q 'no such unit in your scope' "$T/e"
check "  nothing written" test ! -e "$T/h.csv" -a "$(ncodes)" = "$n0"
printf '350102198001011233\n' >"$T/h.ids"
I activation --account yiyuan --id-file "$T/h.ids" --csv "$T/h.csv" >/dev/null 2>"$T/e"
check "employer account, another unit's person: exit 1, line 1" grep -q 'line 1: no such person in your scope' "$T/e"
I activation --account yiyuan --unit 厦门市第一医院 --pdf "$T/y.pdf" >/dev/null 2>"$T/e"
check "employer account, its unit: exit 0" test $? = 0
check "  signed by the account's org" bash -c "pdftotext '$T/y.pdf' - | grep -q '签发：厦门市第一医院'"
check "  audited with the account as actor" \
	test "$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE action = 'activation.make' AND actor = 'yiyuan' AND role = 'employer'")" = 1
check "no ID number in any audit row" \
	test "$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE object || detail GLOB '*[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]*'")" = 0

# ---- the console ----
check "the service starts" serve_start "$D"
check "an employer signs in" account "$D" yy2 employer 厦门市第一医院 厦门市第一医院
check "hr 3502 signs in" account "$D" xmhr hr 3502 厦门市人力资源和社会保障局
# (account() leaves FORM_PAGE set to its invitation page)
unset FORM_PAGE
J=$T/yy2.jar
check "GET /admin/activation: 200 for the employer" [ "$(http_code "$J" GET /admin/activation)" = 200 ]
check "  the form posts to itself" grep -q 'action="/admin/activation"' "$T/body"
check "  shows its own unit" grep -q '厦门市第一医院' "$T/body"
n0=$(ncodes)
st=$(post_form "$J" /admin/activation format=pdf new_only=)
check "POST format=pdf: 200 ($st)" [ "$st" = 200 ]
check "  application/pdf" grep -qi '^content-type: application/pdf' "$T/headers"
check "  an attachment" grep -qi '^content-disposition: attachment; filename="activation-letters.pdf"' "$T/headers"
check "  no-store" grep -qi '^cache-control: no-store' "$T/headers"
cp "$T/body" "$T/w.pdf"
check "  one letter (李四: the unit's only person)" test "$(pdfinfo "$T/w.pdf" | sed -n 's/^Pages: *//p')" = 1
check "  the letters name the public URL" \
	bash -c "pdftotext '$T/w.pdf' - | grep -q '$SURL/my/activate'"
check "  one code made" test "$(ncodes)" = $((n0 + 1))
st=$(post_form "$J" /admin/activation format=csv)
check "POST format=csv: 200 ($st)" [ "$st" = 200 ]
check "  text/csv attachment" grep -qi '^content-disposition: attachment; filename="activation-codes.csv"' "$T/headers"
check "  with a BOM and masked IDs" \
	bash -c "head -c 3 '$T/body' | od -An -tx1 | grep -q 'ef bb bf' && grep -q '1101\*\*\*\*\*\*\*\*\*\*002X' '$T/body'"
for c in $(grep -oE '[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}' "$T/body"); do
	check "  code $c is not in the database" test "$(sqlite3 "$DB" .dump | grep -c -- "${c//-/}")" = 0
done
n0=$(ncodes)
st=$(post_form "$J" /admin/activation format=pdf unit=福州市第一医院)
check "employer POST for another unit: 404 ($st)" [ "$st" = 404 ]
st=$(post_form "$J" /admin/activation format=pdf region=35)
check "employer POST for a region: 404 ($st)" [ "$st" = 404 ]
st=$(post_form_c "$J" /admin/activation "" format=pdf)
check "POST without the CSRF token: 403 ($st)" [ "$st" = 403 ]
for bad in "format=exe" "format=" "new_only=yes" "unit=$(printf 'u%.0s' $(seq 1 400))" $'unit=a\x01b' $'unit=\xff'; do
	case $bad in
	format=*) st=$(post_form "$J" /admin/activation "$bad") ;;
	*) st=$(post_form "$J" /admin/activation format=pdf "$bad") ;;
	esac
	check "hostile ${bad:0:20}: 400 ($st)" [ "$st" = 400 ]
	check_fails "  not echoed raw" grep -q $'a\x01b\|<script' "$T/body"
done
check "  none made a code" test "$(ncodes)" = "$n0"
st=$(post_form "$T/xmhr.jar" /admin/activation format=csv region=3502)
check "hr 3502, region 3502: 200 ($st)" [ "$st" = 200 ]
st=$(post_form "$T/xmhr.jar" /admin/activation format=csv region=3501)
check "hr 3502, region 3501: 404 ($st)" [ "$st" = 404 ]
st=$(post_form "$T/xmhr.jar" /admin/activation format=csv unit=福州市第一医院)
check "hr 3502, a 3501 unit: 404 ($st)" [ "$st" = 404 ]
check "console rows audited with the accounts as actors" \
	test "$(sqlite3 "$DB" "SELECT count(DISTINCT actor) FROM audit WHERE action = 'activation.make' AND actor IN ('yy2', 'xmhr') AND client != ''")" = 2
exit 0
