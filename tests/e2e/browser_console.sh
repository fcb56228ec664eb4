#!/usr/bin/env bash
# The 验印 console in real headless Chromium (Debian's chromium driven by
# puppeteer-core from npm, tests/browser/console.js): user add -> the
# invitation -> password -> TOTP enrolment -> sign in -> stamp -> reject
# with a reason -> withdraw and correct -> reissue --dry-run -> reissue ->
# the audit page shows each step. Screenshots of the queue, a record page
# and the audit page at 1280 and 390 px go to tests/out/console/.
. "$(dirname "$0")/../lib.sh"
scratch
export HOURSEAL_TODAY=2025-03-01

CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROME" ]; then
	"$HS_TOP/scripts/deps.sh" test >/dev/null 2>&1 || true
	CHROME=$(command -v chromium || command -v chromium-browser || true)
fi
if [ -z "$CHROME" ]; then
	echo "SKIP: chromium cannot be installed here (scripts/deps.sh test); the console's browser test did not run"
	exit 0
fi
PUP=$HS_TOP/tests/browser/node_modules/puppeteer-core/package.json
[ -f "$PUP" ] || "$HS_TOP/scripts/deps.sh" test >&2 || true
if [ ! -f "$PUP" ] || ! command -v node >/dev/null || ! command -v oathtool >/dev/null; then
	notok "puppeteer-core, node and oathtool are installed (scripts/deps.sh test)"
	exit 1
fi

D=$T/data
I() { "$ISSUER" --data "$D" "$@"; }
I init --base-url http://127.0.0.1:8080 --policy fujian "$D" --issuer "福建省继续教育中心" --origin "ledger.example.cn/fj" >/dev/null
I keygen --no-passphrase >/dev/null 2>&1
# 厦门 (3502) records waiting, and one of 福州 (3501) the account must not see.
cat >"$T/r.csv" <<'CSV'
身份证号,姓名,工作单位,地区代码,年度,科目类别,学习形式,课程名称,施训机构,开始日期,结束日期,学时,专业技术领域,外部编号
11010519491231002X,李四,厦门市第一医院,350203,2024,公需,面授,职业道德与法治,厦门继续教育基地,2024-05-06,2024-05-09,30,,R1
11010519491231002X,李四,厦门市第一医院,350203,2024,专业,面授,急诊医学新进展,厦门市卫健委培训中心,2024-06-03,2024-06-07,40,卫生,R2
11010519491231002X,李四,厦门市第一医院,350203,2024,公需,面授,数字素养提升,厦门继续教育基地,2024-07-01,2024-07-02,16,,R3
11010519491231002X,李四,厦门市第一医院,350203,2024,专业,面授,院感防控实务,厦门市卫健委培训中心,2024-08-05,2024-08-07,20,卫生,R4
350203198505050019,王五,厦门市第一医院,350203,2024,公需,面授,职业道德与法治,厦门继续教育基地,2024-05-06,2024-05-09,30,,R5
350102198001011233,张三,福州医院,350102,2024,公需,面授,职业道德与法治,福州继续教育基地,2024-05-06,2024-05-09,30,,R9
CSV
check "records imported" I import "$T/r.csv" --quiet

start_issuer "$D"
trap 'kill -TERM $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$T"' EXIT
if [ -z "$URL" ]; then
	notok "the service starts: $(cat "$T/err")"
	exit 1
fi
ok "the service starts"

I user add xmhr --role hr --scope 3502 --org 厦门市人力资源和社会保障局 \
	--base-url "$URL" >"$T/user" 2>&1
INVITE=$(grep -o 'http[^ ]*/admin/invite/[A-Za-z0-9_-]*' "$T/user")
check "user add prints the invitation URL" [ -n "$INVITE" ]

OUT=$HS_TOP/tests/out/console
mkdir -p "$OUT"
rm -f "$OUT"/*.png
CHROME=$CHROME BASE=$URL INVITE=$INVITE ACCOUNT=xmhr ISSUER=$ISSUER DATA=$D \
	OUT=$OUT PDFS=$T/pdf timeout 120 node "$HS_TOP/tests/browser/console.js"
check "the browser test finished" [ $? -eq 0 ]
for n in queue record audit; do
	for w in 1280 390; do
		check "screenshot $n at $w px" [ -s "$OUT/console-$n-$w.png" ]
	done
done
check_fails "no whole ID number in the service's log" grep -qE '[0-9]{17}[0-9X]' "$T/err"
