#!/usr/bin/env bash
# The records story: init a data directory, import records (CSV, JSON Lines,
# GBK), re-import (no-op), --skip-invalid, stamp (验印) as HR and industry,
# reject, and the yearly summary in text and JSON; then the shipped samples
# against their expected.json (rejected lines, and every practitioner-year's
# totals and status).
. "$(dirname "$0")/../lib.sh"
scratch
export HOURSEAL_TODAY=2026-11-23
D=$T/data
I() { "$ISSUER" --data "$D" "$@"; }

# init
check "init creates the data directory" "$ISSUER" init --base-url http://127.0.0.1:8080 --policy fujian "$D" \
	--issuer "测试继续教育中心" --origin "ledger.example.cn/test" >/dev/null
check "pepper is mode 0600" test "$(stat -c %a "$D/pepper")" = 600
check "config names the policy" grep -q '"policy": "fujian"' "$D/config.json"
check_fails "init refuses an existing data directory" "$ISSUER" init --issuer 福建省专业技术人员继续教育中心 --base-url http://127.0.0.1:8080 --policy fujian --origin ledger.hourseal.example.cn/fj "$D"
check_fails "init refuses an unknown policy" "$ISSUER" init --issuer 福建省专业技术人员继续教育中心 --base-url http://127.0.0.1:8080 --origin ledger.hourseal.example.cn/fj "$T/x" --policy nowhere
check "nothing left behind by a refused init" test ! -e "$T/x/config.json"

cat >"$T/r.csv" <<'CSV'
身份证号,姓名,工作单位,年度,科目类别,学习形式,课程名称,施训机构,开始日期,结束日期,学时,作者排序,外部编号,专业技术领域
350102198001011233,张三,福州市第一医院,2024,公需,网授,新时代政绩观树立,福建省继续教育基地,2024-03-01,2024-03-03,30,,R1,
350102198001011233,张三,福州市第一医院,2024,专业,面授,临床新技术,福州市卫健委,2024-04-01,2024-04-05,40,,R2,卫生
350102198001011233,张三,福州市第一医院,2024,专业,成果,论文：一,福州市卫健委,2024-06-30,2024-06-30,60,first,R3,卫生
11010519491231002X,李四,厦门大学,2024,公需,面授,职业道德,厦门基地,2024-05-01,2024-05-02,16,,R4,
CSV
I import "$T/r.csv" >"$T/out" 2>"$T/err"
check "import: 4 rows, 1 stamped automatically" grep -q \
	"4 rows: 4 imported, 0 already there, 0 rejected, 0 warnings; 2 new practitioners, 0 changed; 1 stamped automatically" "$T/out"
sqlite3 "$D/hourseal.db" .dump >"$T/d1"
I import "$T/r.csv" >"$T/out" 2>&1
check "re-import: all already there" grep -q "0 imported, 4 already there" "$T/out"
sqlite3 "$D/hourseal.db" .dump >"$T/d2"
check "re-import leaves the database byte for byte" cmp -s "$T/d1" "$T/d2"

# stamp
I stamp --list >"$T/list" 2>"$T/err"
check "stamp --list shows the 3 waiting records" test "$(grep -c . "$T/list")" = 4
check "stamp --list counts them" grep -q "3 records waiting" "$T/err"
check "stamp --list masks the ID" grep -q '3501\*\*\*\*\*\*\*\*\*\*1233' "$T/list"
check_fails "stamp --list never prints a whole ID" grep -qE '[0-9]{17}[0-9X]' "$T/list"
# 验印 as accounts: the industry department needs the unit's region.
I unit set 福州市第一医院 3501 >/dev/null
make_account "$D" xm-edu industry 3502/教育 厦门市教育局
make_account "$D" fz-wj industry 3501/卫生 福州市卫健委
make_account "$D" fz-hr hr 35 福州市人社局
make_account "$D" xm-hr hr 35 厦门市人社局
check_fails "industry may not stamp a public record" I stamp --ref R4 --account xm-edu
check "industry stamps a professional record" I stamp --ref R2 --account fz-wj
I stamp --ref R2 --account fz-hr >/dev/null 2>"$T/err"
check "a record is stamped only once" grep -q "R2: already stamped by 福州市卫健委" "$T/err"
check_fails "--reject needs --reason" I stamp --reject R4 --account xm-hr
check "HR rejects a record with a reason" I stamp --reject R4 --reason "材料不全" --account xm-hr
I stamp --all --account fz-hr >"$T/out"
check "--all stamps what is left" grep -q "stamped 1 record as 福州市人社局 (account fz-hr, hr)" "$T/out"
check "stamps carry authority and kind" test "$(sqlite3 "$D/hourseal.db" \
	"SELECT group_concat(decision || '/' || authority_kind, ' ') FROM (SELECT * FROM stamps ORDER BY record_id)")" = \
	"stamped/auto stamped/industry stamped/hr rejected/hr"
check_fails "stamps cannot be changed" sqlite3 "$D/hourseal.db" "UPDATE stamps SET decision = 'stamped'"
check_fails "stamps cannot be deleted" sqlite3 "$D/hourseal.db" "DELETE FROM stamps"

# summary
I summary --year 2024 >"$T/sum"
check "summary: 张三 has 30 + 100 = 130, met" grep -qP \
	'^3501\*{10}1233\t张三\t福州市第一医院\t30\t100\t130\tmet\t0\t0$' "$T/sum"
check "summary: 李四's rejected record does not count" grep -qP \
	'^1101\*{10}002X\t李四\t厦门大学\t0\t0\t0\tunmet \(short: public 30, professional 60, total 90\)\t0\t1$' "$T/sum"
I summary --year 2024 --id 350102198001011233 --json >"$T/sum.json"
check "summary --json" python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
p = s["practitioners"]
assert s["requirement"] == {"total": 90, "public": 30, "professional": 60}, s
assert len(p) == 1 and p[0]["total"] == 130 and p[0]["status"] == "met", p
assert p[0]["id"] == "3501**********1233" and p[0]["records"] == 3, p
' "$T/sum.json"
I summary --year 2024 --id 350102198001011234 >/dev/null 2>"$T/err"
check "summary --id with a bad check character" grep -q "wrong check character (expected 3)" "$T/err"

# JSON Lines, GBK
printf '{"id_number":"350102198001011233","name":"张三","year":2025,"subject":"public","form":2,"title":"课","provider":"基地","start_date":"2025-01-02","end_date":"2025-01-02","minutes":100}\n' >"$T/r.jsonl"
I import "$T/r.jsonl" >"$T/out" 2>"$T/err"
check "JSON Lines import with a minutes warning" grep -q \
	"r.jsonl:1: warning: minutes: 100 minutes count as 2 hours; the 10 minutes left over are not counted" "$T/err"
if command -v iconv >/dev/null; then
	sed -n '1p;5p' "$T/r.csv" | sed 's/R4/R5/;s/职业道德/职业道德二/' | iconv -f UTF-8 -t GBK >"$T/gbk.csv"
	check_fails "GBK is refused without --encoding" I import "$T/gbk.csv"
	check "--encoding gbk converts" I import "$T/gbk.csv" --encoding gbk
	check "the GBK title arrives intact" test "$(sqlite3 "$D/hourseal.db" \
		"SELECT title FROM records WHERE ref = 'R5'")" = "职业道德二"
fi

# --skip-invalid
printf '%s\n' "$(head -1 "$T/r.csv")" \
	"350102198001011233,张三,福州市第一医院,2025,专业,面授,课二,基地,2025-02-01,2025-02-01,8,,," \
	"350102198001011233,张三,福州市第一医院,2025,专业,面授,课三,基地,2025-02-02,2025-02-02,9,,," >"$T/s.csv"
I import "$T/s.csv" --skip-invalid "$T/rej.csv" >"$T/out" 2>"$T/err"
check "--skip-invalid stores the valid row" grep -q "2 rows: 1 imported, 0 already there, 1 rejected" "$T/out"
check "--skip-invalid writes the reason" grep -q '^3,"hours: 9 hours in 1 day exceeds the cap for form 2 (face-to-face): 8 a day, 8 in all",' "$T/rej.csv"

# Weihai: public hours split into compulsory and elective.
W=$T/weihai
"$ISSUER" init --issuer 福建省专业技术人员继续教育中心 --base-url http://127.0.0.1:8080 --origin ledger.hourseal.example.cn/fj "$W" --policy weihai >/dev/null
cat >"$T/w.csv" <<'CSV'
id_number,name,year,subject,public_type,form,title,provider,start_date,end_date,minutes
371002199001014569,王五,2024,public,必修,online,职业道德,威海平台,2024-03-01,2024-03-02,900
371002199001014569,王五,2024,public,elective,online,数字技术,威海平台,2024-03-05,2024-03-05,450
371002199001014569,王五,2024,professional,,online,海洋装备,威海平台,2024-04-01,2024-04-06,2700
CSV
"$ISSUER" --data "$W" import "$T/w.csv" >/dev/null 2>&1
"$ISSUER" --data "$W" summary --year 2024 >"$T/wsum"
check "weihai summary: public 30 = compulsory 20 + elective 10, met" grep -qP \
	'^3710\*{10}4569\t王五\t-\t30 \(20/10\)\t60\t90\tmet\t0\t0$' "$T/wsum"
sed 's/,450$/,400/' "$T/w.csv" | sed 's/数字技术/数字技术二/' >"$T/w2.csv"
"$ISSUER" init --issuer 福建省专业技术人员继续教育中心 --base-url http://127.0.0.1:8080 --origin ledger.hourseal.example.cn/fj "$T/w2" --policy weihai >/dev/null
"$ISSUER" --data "$T/w2" import "$T/w2.csv" >/dev/null 2>&1
"$ISSUER" --data "$T/w2" summary --year 2024 --json >"$T/w2.json"
check "weihai: 8 elective hours leave the year unmet, 2 elective short" python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))["practitioners"][0]
assert p["compulsory"] == 20 and p["elective"] == 8 and p["status"] == "unmet", p
assert p["missing"] == {"public": 2, "compulsory": 0, "elective": 2,
                        "professional": 0, "total": 2}, p
' "$T/w2.json"

# The shipped samples against expected.json.
S=$HS_TOP/templates/samples
if [ -f "$S/expected.json" ] && command -v python3 >/dev/null; then
	python3 - "$ISSUER" "$S" "$T" <<'PY'
import json, subprocess, sys
I, S, T = sys.argv[1:4]
exp = json.load(open(S + "/expected.json", encoding="utf-8"))
def ok(c, what): print(("ok - " if c else "not ok - ") + what)
for key, pol, files in [("small", "fujian", ["small.csv"]),
                        ("fujian", "fujian", ["fujian.csv"]),
                        ("weihai", "weihai", ["weihai-platform.csv", "weihai-declared.csv"])]:
    d = "%s/s-%s" % (T, key)
    subprocess.run([I, "init", d, "--policy", pol, "--issuer", "福建省专业技术人员继续教育中心",
                    "--base-url", "http://127.0.0.1:8080",
                    "--origin", "ledger.hourseal.example.cn/fj"], check=True, capture_output=True)
    for f in files:
        p = subprocess.run([I, "--data", d, "import", S + "/" + f, "--skip-invalid",
                            d + "/rej.csv"], capture_output=True, text=True)
        got = [int(l.split(":")[1]) for l in p.stderr.splitlines()
               if l.startswith(f + ":") and ": warning: " not in l and ": note: " not in l]
        want = [r["line"] for r in exp["files"][f]["rejected"]]
        ok(got == want, "%s: rejects lines %s" % (f, want))
    subprocess.run([I, "--data", d, "user", "add", "hr35", "--role", "hr",
                    "--scope", "35", "--org", "HR"], check=True,
                   capture_output=True)
    subprocess.run([I, "--data", d, "stamp", "--all", "--account", "hr35"],
                   check=True, capture_output=True)
    con = __import__("sqlite3").connect(d + "/hourseal.db")
    bad, n = [], 0
    for y in (2024, 2025, 2026):
        # summary lists practitioners in the order they were first stored.
        order = [r[0] for r in con.execute(
            "SELECT id_number FROM practitioners WHERE id IN (SELECT "
            "practitioner_id FROM records WHERE year = ?) ORDER BY id", (y,))]
        s = json.loads(subprocess.run([I, "--data", d, "summary", "--year", str(y),
                                       "--json"], check=True, capture_output=True,
                                      text=True).stdout)
        got = dict(zip(order, s["practitioners"]))
        if len(order) != len(s["practitioners"]):
            bad.append(("count", y, len(order), len(s["practitioners"])))
        for t in exp["totals"][key]:
            if t["year"] != y:
                continue
            n += 1
            p = got.get(t["id_number"])
            if (p is None or p["id"] != t["id_number"][:4] + "*" * 10 + t["id_number"][-4:]
                    or abs(p["total"] - t["total"]) > 1e-9
                    or abs(p["public"] - t["public"]) > 1e-9
                    or abs(p["professional"] - t["professional"]) > 1e-9
                    or p["status"] != t["status"]):
                bad.append((t, p))
    ok(n > 20 and not bad, "%s: %d practitioner-years match expected.json %s" % (key, n, bad[:2]))
PY
fi
