#!/usr/bin/env bash
# The practitioner's way through in real headless Chromium (issue 14,
# "How it is checked"; tests/browser/my_flow.js): at 390x844 one holder
# and at 1280x900 another activates with the code from the letter
# (`hourseal-issuer activation`), sets a password, sees on /my/ exactly
# what `summary` computes, downloads the certificate's PDF and its
# SHA-256 is the recorded one, makes a 7-day share code, opens /s/<code>
# in a fresh (incognito) context, withdraws the code, and that context's
# reload says withdrawn. Screenshots in tests/out/my_flow/ (look at them).
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
	echo "SKIP: chromium cannot be installed here (scripts/deps.sh test); the browser flow did not run"
	exit 0
fi
PUP=$HS_TOP/tests/browser/node_modules/puppeteer-core/package.json
[ -f "$PUP" ] || "$HS_TOP/scripts/deps.sh" test >&2 || true
if [ ! -f "$PUP" ] || ! command -v node >/dev/null; then
	notok "puppeteer-core and node are installed (scripts/deps.sh test)"
	exit 1
fi

A=350102198001011233    # 张三, on the phone
B=11010519491231002X    # 李四, on the desktop
D=$T/data
DB=$D/hourseal.db
I() { "$ISSUER" --data "$D" "$@"; }
q() { sqlite3 "$DB" "$1"; }
I init --base-url http://127.0.0.1:8080 --policy fujian "$D" --keys "$T/keys" --issuer "福建省继续教育中心" --origin "ledger.example.cn/fj" >/dev/null 2>&1
I keygen --no-passphrase k1 >/dev/null 2>&1
{
	echo "身份证号,姓名,工作单位,地区代码,年度,科目类别,学习形式,课程名称,施训机构,开始日期,结束日期,学时,专业技术领域,外部编号"
	for i in 1 2 3 4 5; do
		echo "$A,张三,福州市第一医院,350102,2024,公需,面授,公需课程第${i}讲,福州市继续教育基地,2024-03-0$i,2024-03-0$i,6,,A$i"
	done
	echo "$A,张三,福州市第一医院,350102,2024,专业,面授,急诊医学新进展,福州市卫健委培训中心,2024-04-01,2024-04-08,64,,A6"
	echo "$A,张三,福州市第一医院,350102,2023,公需,面授,二三年公需课,福州市继续教育基地,2023-05-01,2023-05-01,8,,A7"
	echo "$B,李四,厦门市第一医院,350203,2024,公需,面授,李四公需课,厦门继续教育基地,2024-03-01,2024-03-01,8,,B1"
	echo "$B,李四,厦门市第一医院,350203,2024,专业,面授,李四专业课,厦门继续教育基地,2024-04-01,2024-04-02,16,,B2"
	echo "$B,李四,厦门市第一医院,350203,2024,专业,面授,李四待验印课,厦门继续教育基地,2024-05-01,2024-05-01,4,,B3"
} >"$T/r.csv"
check "records imported" I import "$T/r.csv" --quiet
make_account "$D" fjhr hr 35 福建省人力资源和社会保障厅
for r in A1 A2 A3 A4 A5 A6 A7 B1 B2; do I stamp --ref "$r" --account fjhr >/dev/null 2>&1; done
I issue --year 2024 --id "$A" --out "$D/pdfs" --quiet >/dev/null 2>&1
I issue --year 2024 --id "$B" --out "$D/pdfs" --quiet >/dev/null 2>&1
serial() { q "SELECT serial FROM certificates c JOIN practitioners p ON p.id = c.practitioner_id WHERE p.id_number = '$1' AND c.year = 2024"; }
SA=$(serial "$A") SB=$(serial "$B")
check "a 2024 certificate each ($SA, $SB)" [ -n "$SA" ] && [ -n "$SB" ]
printf '%s\n%s\n' "$A" "$B" | I activation --id-file - --csv "$T/codes.csv" >/dev/null 2>&1
code_of() { awk -F, -v m="$1" 'index($2, m) == 1 { print $4 }' "$T/codes.csv"; }
check "activation codes for both (the letters' CSV)" [ -n "$(code_of 3501)" ] && [ -n "$(code_of 1101)" ]

# What the browser must see: summary's numbers per year, the recorded
# SHA-256 of each PDF.
for id in $A $B; do
	for y in $(seq 2022 "$(TZ=Asia/Shanghai date +%Y)"); do
		I summary --year $y --id "$id" --json >"$T/sum-$id-$y.json" 2>/dev/null
	done
done
python3 - "$T" "$A" "$B" "$SA" "$SB" "$(code_of 3501)" "$(code_of 1101)" \
	"$(q "SELECT pdf_sha256 FROM certificates WHERE serial = '$SA'")" \
	"$(q "SELECT pdf_sha256 FROM certificates WHERE serial = '$SB'")" >"$T/expect.json" <<'PY'
import json, sys
t, a, b, sa, sb, ca, cb, ha, hb = sys.argv[1:]
def num(v):
    return str(int(v)) if float(v) == int(v) else str(v)
def summary(i):
    import glob, os
    out, met = {}, None
    for f in sorted(glob.glob("%s/sum-%s-*.json" % (t, i))):
        y = os.path.basename(f)[-9:-5]
        d = json.load(open(f))
        if not d["practitioners"]:
            continue
        p = d["practitioners"][0]
        out[y] = {k: num(p[k]) for k in ("public", "professional", "total")}
        out[y]["requirement"] = {k: num(v) for k, v in d["requirement"].items()}
        # a year with a record in it must be on /my/
        out[y]["has"] = p["records"] + p["pending"] > 0
        if y == "2024":
            met = p["status"] == "met"
    return out, met
holders = []
for tag, w, i, name, s, c, h in (("zhangsan", 390, a, "张三", sa, ca, ha),
                                 ("lisi", 1280, b, "李四", sb, cb, hb)):
    sm, met = summary(i)
    holders.append({"tag": tag, "width": w, "id": i, "name": name,
                    "serial": s, "code": c, "sha256": h, "met": met,
                    "password": "my own password %s 42" % tag,
                    "summary": sm})
json.dump({"holders": holders}, sys.stdout, ensure_ascii=False)
PY
check "the expected values (summary per year, recorded SHA-256)" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert all(len(h["sha256"]) == 64 and h["summary"] for h in d["holders"])
assert [y for y, s in d["holders"][0]["summary"].items() if s["has"]] == ["2023", "2024"]' "$T/expect.json"

check "the service starts" serve_start "$D"
OUT=$HS_TOP/tests/out/my_flow
mkdir -p "$OUT"
rm -rf "$OUT"/*.png "$OUT"/download-*
CHROME=$CHROME BASE=$AURL EXPECT=$T/expect.json OUT=$OUT \
	timeout 180 node "$HS_TOP/tests/browser/my_flow.js"
check "the browser flow ran to the end" [ $? -eq 0 ]
for w in 390 1280; do
	for n in 1-activate 2-my 3-certs 4-share-form 5-share-code 6-report 7-withdrawn-list 8-report-withdrawn; do
		check "screenshot $n at $w px" [ -s "$OUT/$n-$w.png" ]
	done
done
check "both codes are used, both share codes withdrawn" [ \
	"$(q "SELECT count(*) FROM activation_codes WHERE used IS NOT NULL")/$(q "SELECT count(*) FROM share_codes WHERE withdrawn IS NOT NULL")" = 2/2 ]
check_fails "no whole ID number in the service's log" grep -qE '[0-9]{17}[0-9X]' "$T/serve.err" "$T/access.log"
serve_stop
