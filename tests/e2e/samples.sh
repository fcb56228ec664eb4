#!/usr/bin/env bash
# The shipped sample records: reproducible from their generator, in the
# import format of design.md §2b, with valid ID numbers and the variety the
# demo needs.
. "$(dirname "$0")/../lib.sh"
scratch
S=$HS_TOP/templates/samples

if ! command -v python3 >/dev/null; then
	notok "python3 is needed to check the samples (scripts/deps.sh test)"
	exit 0
fi

python3 "$HS_TOP/tests/data/gen_samples.py" "$T" >/dev/null
for f in small.csv fujian.csv weihai-platform.csv weihai-declared.csv expected.json; do
	check "$f is what tests/data/gen_samples.py makes" cmp -s "$S/$f" "$T/$f"
done

python3 - "$S" <<'EOF'
import csv, json, sys, datetime, collections
S = sys.argv[1]
W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
def idok(s):
    return (len(s) == 18 and s[:17].isdigit() and
            "10X98765432"[sum(int(c) * w for c, w in zip(s, W)) % 11] == s[17])
def check(cond, what):
    print(("ok - " if cond else "not ok - ") + what)
exp = json.load(open(S + "/expected.json", encoding="utf-8"))
cols = "id_number,name,unit,year,subject,public_type,form,title,provider,start_date,end_date,%s,author_role,domain,ref"
people, nrec, names = set(), 0, set()
years = collections.Counter()
forms = collections.Counter()
for f, unit in [("small.csv", "hours"), ("fujian.csv", "hours"), ("weihai-platform.csv", "minutes"),
                ("weihai-declared.csv", "hours")]:
    raw = open(S + "/" + f, "rb").read()
    check(not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw,
          "%s: UTF-8 without BOM, LF line ends" % f)
    lines = raw.decode("utf-8").split("\n")
    check(lines[0] == cols % unit, "%s: header is the design.md column list" % f)
    rejected = {r["line"]: r["reason"] for r in exp["files"][f]["rejected"]}
    bad = []
    refs = collections.Counter()
    for i, r in enumerate(csv.DictReader(open(S + "/" + f, encoding="utf-8",
                                              newline="")), start=2):
        nrec += 1
        why = rejected.get(i)
        if not idok(r["id_number"]) and why != "id_number check character":
            bad.append("line %d: bad ID %s" % (i, r["id_number"]))
        if idok(r["id_number"]):
            b = r["id_number"][6:14]
            datetime.date(int(b[:4]), int(b[4:6]), int(b[6:]))
            people.add(r["id_number"])
        names.add(r["name"])
        years[r["year"]] += 1
        forms[r["form"]] += 1
        if r["ref"]:
            refs[r["ref"]] += 1
        if r["form"] == "8":
            want = {"first": "60", "other": "30"}[r["author_role"]]
            if r["hours"] != want:
                bad.append("line %d: form 8 %s with %s hours" %
                           (i, r["author_role"], r["hours"]))
        elif r["author_role"]:
            bad.append("line %d: author_role outside form 8" % i)
        for k in ("name", "title", "provider", "unit"):
            if "|" in r[k] or r[k] != r[k].strip():
                bad.append("line %d: %s has | or spaces" % (i, k))
        if f.startswith("weihai") and r["subject"] == "public" and \
                r["public_type"] not in ("compulsory", "elective"):
            bad.append("line %d: Weihai public without public_type" % i)
    check(not bad, "%s: every row well formed %s" % (f, bad[:3]))
    check(all(n == 1 for n in refs.values()), "%s: refs are unique" % f)
    check(exp["files"][f]["records"] == i - 1, "%s: expected.json counts it" % f)
check(len(people) >= 200, "%d practitioners (>= 200)" % len(people))
check(nrec >= 2000, "%d records (>= 2000)" % nrec)
check(set(years) == {"2024", "2025", "2026"}, "years 2024-2026: %s" % dict(years))
check(set(forms) >= set("12345678"), "forms: %s" % dict(sorted(forms.items())))
for ch in "堃赟昇喆犇淼\u4dae\U000201d4·":
    check(any(ch in n for n in names), "a name has %s (U+%04X)" % (ch, ord(ch)))
fj = open(S + "/fujian.csv", encoding="utf-8").read()
for t, h in [("新时代政绩观树立与“十五五”发展谋划", 7), ("福建高质量发展实践", 7),
             ("国际合作新机遇", 2), ("健康中国与家庭建设", 7), ("人工智能实战运用", 7)]:
    check((",%s," % t) in fj and (",2026-" in fj),
          "2026 public theme %s (%d hours) is there" % (t, h))
    check(all(r["hours"] == str(h) for r in csv.DictReader(
        open(S + "/fujian.csv", encoding="utf-8")) if r["title"] == t),
        "%s always carries %d hours" % (t, h))
for t in ["生成式人工智能——技工院校教师数字素养提升", "高技能人才通用职业能力",
          "工匠文化·传承", "技工院校工学一体化教师培训"]:
    check(("," + t + ",") in fj, "technical-school subject %s is there" % t)
unmet = [r for t in exp["totals"].values() for r in t if r["status"] == "unmet"]
check(len(unmet) > 20, "%d practitioner-years fall short" % len(unmet))
reasons = collections.Counter(r["reason"] for v in exp["files"].values()
                              for r in v["rejected"])
check(reasons["daily cap"] >= 5 and reasons["after deadline"] >= 5,
      "rejections on purpose: %s" % dict(reasons))
EOF

# The real importer agrees with expected.json: the same lines rejected, and
# the same yearly totals and status for everyone once stamped.
if "$ISSUER" --data "$T/none" import 2>&1 | grep -q 'not built'; then
	notok "samples: hourseal-issuer import is not built yet"
	exit 0
fi
for pol in fujian weihai; do
	"$ISSUER" init "$T/$pol" --issuer 测试 --origin test.example/$pol \
		--base-url http://127.0.0.1 --policy $pol --keys "$T/keys" >/dev/null
done
imp() {
	local d=$1 f=$2
	"$ISSUER" --data "$T/$d" import "$S/$f" --skip-invalid "$T/rej-$f" \
		>/dev/null 2>"$T/err-$f"
}
check "fujian.csv imports with --skip-invalid" imp fujian fujian.csv
check "weihai-platform.csv imports" imp weihai weihai-platform.csv
check "weihai-declared.csv imports" imp weihai weihai-declared.csv
for d in fujian weihai; do
	hr_stamp "$T/$d" 人社 --all >/dev/null
	for y in 2024 2025 2026; do
		"$ISSUER" --data "$T/$d" summary --year $y --json >"$T/sum-$d-$y.json"
	done
done
python3 - "$S" "$T" <<'EOF'
import json, sys, re
S, T = sys.argv[1:]
exp = json.load(open(S + "/expected.json", encoding="utf-8"))
def check(cond, what):
    print(("ok - " if cond else "not ok - ") + what)
for f in ("fujian.csv", "weihai-platform.csv", "weihai-declared.csv"):
    want = sorted(r["line"] for r in exp["files"][f]["rejected"])
    got = sorted(int(m.group(1)) for m in
                 re.finditer(r"^%s:(\d+): (?!warning: )" % re.escape(f),
                             open(T + "/err-" + f, encoding="utf-8").read(), re.M))
    check(got == want, "%s: the importer rejects lines %s" % (f, want[:8]))
for pol in ("fujian", "weihai"):
    want = {}
    for t in exp["totals"][pol]:
        i = t["id_number"]
        want.setdefault((i[:4] + "*" * 10 + i[-4:], t["year"]), []).append(
            (t["public"], t["professional"], t["status"]))
    bad = []
    n = 0
    for y in (2024, 2025, 2026):
        for p in json.load(open("%s/sum-%s-%d.json" % (T, pol, y)))["practitioners"]:
            n += 1
            if (p["public"], p["professional"], p["status"]) not in want.get((p["id"], y), []):
                bad.append((y, p["id"], p["public"], p["professional"], p["status"]))
    check(not bad and n == sum(map(len, want.values())),
          "%s: summary matches expected.json for %d practitioner-years %s" % (pol, n, bad[:3]))
EOF
