#!/usr/bin/env bash
# The practitioner's own pages in real headless Chromium (Debian's
# chromium driven by puppeteer-core, tests/browser/my.js): sign-in by ID
# number, then /my/, /my/records, /my/certs and /my/notices at 390 and
# 1280 px (cards on the phone, tables on the desktop, nothing wider than
# the screen), and a course certificate requested from the records page.
# Screenshots go to tests/out/my/.
. "$(dirname "$0")/../lib.sh"
scratch
. "$HS_TOP/tests/serve_lib.sh"
export HOURSEAL_TODAY=2025-03-01

CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROME" ]; then
	"$HS_TOP/scripts/deps.sh" test >/dev/null 2>&1 || true
	CHROME=$(command -v chromium || command -v chromium-browser || true)
fi
if [ -z "$CHROME" ]; then
	echo "SKIP: chromium cannot be installed here (scripts/deps.sh test); the /my/ browser test did not run"
	exit 0
fi
PUP=$HS_TOP/tests/browser/node_modules/puppeteer-core/package.json
[ -f "$PUP" ] || "$HS_TOP/scripts/deps.sh" test >&2 || true
if [ ! -f "$PUP" ] || ! command -v node >/dev/null || ! command -v oathtool >/dev/null; then
	notok "puppeteer-core, node and oathtool are installed (scripts/deps.sh test)"
	exit 1
fi

A=350102198001011233
D=$T/data
I() { "$ISSUER" --data "$D" "$@"; }
I init --base-url http://127.0.0.1:8080 --policy fujian "$D" --keys "$T/keys" --issuer "福建省继续教育中心" --origin "ledger.example.cn/fj" >/dev/null 2>&1
I keygen --no-passphrase k1 >/dev/null 2>&1
{
	echo "身份证号,姓名,工作单位,地区代码,年度,科目类别,学习形式,课程名称,施训机构,开始日期,结束日期,学时,专业技术领域,外部编号"
	for i in 1 2 3 4; do
		echo "$A,张三,福州市第一医院,350102,2024,公需,面授,公需课程第${i}讲：职业道德与法治,福州市继续教育基地,2024-03-0$i,2024-03-0$i,6,,B$i"
	done
	echo "$A,张三,福州市第一医院,350102,2024,专业,面授,急诊医学新进展,福州市卫健委培训中心,2024-04-01,2024-04-02,16,,P1"
	echo "$A,张三,福州市第一医院,350102,2024,专业,面授,院感防控实务,福州市卫健委培训中心,2024-05-01,2024-05-01,8,,R1"
	echo "$A,张三,福州市第一医院,350102,2024,公需,面授,数字素养提升,福州市继续教育基地,2024-06-01,2024-06-01,4,,W1"
} >"$T/r.csv"
check "records imported" I import "$T/r.csv" --quiet
make_account "$D" fjhr hr 35 福建省人力资源和社会保障厅
for r in B1 B2 B3 B4 P1; do I stamp --ref "$r" --account fjhr >/dev/null 2>&1; done
I stamp --reject R1 --reason "证明材料不全" --account fjhr >/dev/null 2>&1
I issue --year 2024 --id "$A" --out "$D/pdfs" --quiet >/dev/null 2>&1
check "an annual certificate" [ "$(sqlite3 "$D/hourseal.db" 'SELECT count(*) FROM certificates')" = 1 ]

check "the service starts" serve_start "$D"
check "the practitioner's account" account "$D" zhangsan practitioner "$A" 福州市第一医院

OUT=$HS_TOP/tests/out/my
mkdir -p "$OUT"
rm -f "$OUT"/*.png
CHROME=$CHROME BASE=$AURL IDNUM=$A PASSWORD=$PASSWORD OUT=$OUT \
	timeout 120 node "$HS_TOP/tests/browser/my.js"
check "the browser test finished" [ $? -eq 0 ]
for n in home records certs notices; do
	for w in 1280 390; do
		check "screenshot $n at $w px" [ -s "$OUT/my-$n-$w.png" ]
	done
done
check_fails "no whole ID number in the service's log" grep -qE '[0-9]{17}[0-9X]' "$T/serve.err" "$T/access.log"
serve_stop
