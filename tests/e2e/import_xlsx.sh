#!/usr/bin/env bash
# Files people really have (issue 17): a messy workbook written by exceljs
# (tests/interop/messy_workbook.js) and the same people as Excel's CSV
# (tests/data/messy.csv) import with exactly the expected warnings and
# the same records; the rows that are really wrong are refused with line,
# field and reason; --sheet; the rejects file (UTF-8 with a BOM) imports
# again; export --format xlsx read back by exceljs; --full-id only into a
# new 0600 file, audited.
. "$(dirname "$0")/../lib.sh"
scratch
export HOURSEAL_TODAY=2026-11-23
NM=${HS_NODE_MODULES:-$HS_TOP/tests/browser/node_modules}
if [ ! -d "$NM/exceljs" ] || ! command -v node >/dev/null ||
    ! command -v sqlite3 >/dev/null; then
	notok "node, exceljs (scripts/deps.sh test) and sqlite3 are needed"
	exit 0
fi
NODE_PATH=$NM node "$HS_TOP/tests/interop/messy_workbook.js" "$T/messy.xlsx" \
	"$T/messy-gen.csv" || notok "exceljs writes the workbook"
check "the committed CSV is the generator's" cmp -s "$T/messy-gen.csv" \
	"$HS_TOP/tests/data/messy.csv"
cp "$HS_TOP/tests/data/messy.csv" "$T/messy.csv"

D=$T/d
"$ISSUER" init "$D" --issuer 福建省专业技术人员继续教育中心 --policy fujian --base-url http://127.0.0.1:8080 --origin ledger.hourseal.example.cn/fj --keys "$T/keys" >/dev/null 2>&1 || notok "init"
q() { sqlite3 "$D/hourseal.db" "$1"; }

# The same lines for both files, but the CSV has one header row (its
# lines are two less) and says 3.50203E+17 as Excel wrote it.
expect() { # FILE SHIFT
	local f=$1 s=$2
	cat <<EOT
${f}:1: warning: skipped, above the header row
${f}:2: warning: columns ignored (not hourseal's): 序号, 备注
${f}:$((24 - s)): warning: blank row skipped
${f}:$((27 - s)): id_number: 3.50203E+17 is a number Excel made of the ID number, whose last digits are lost: format the column as Text (设置单元格格式 → 文本) or type an apostrophe (') before each number, enter them again, and save
${f}:$((28 - s)): id_number: wrong check character (expected 1)
${f}:$((29 - s)): hours: 13 hours in 1 day exceeds the cap for form 1 (online): 12 a day, 12 in all
${f}:$((30 - s)): start_date: no such date 2025-13-01
${f}:$((31 - s)): warning: a total row (合计) skipped
${f}: 4 of 26 rows rejected; nothing imported (fix them, or use --skip-invalid FILE to import the rest)
EOT
}
"$ISSUER" --data "$D" import "$T/messy.xlsx" >"$T/out" 2>"$T/err"
check "messy.xlsx: refused as a whole (exit 1)" test $? = 1
expect messy.xlsx 0 >"$T/want"
check "messy.xlsx: exactly the expected warnings and errors" cmp -s "$T/err" "$T/want" ||
	diff "$T/want" "$T/err" | sed 's/^/#   /'
check "messy.xlsx: nothing stored" test "$(q "SELECT count(*) FROM records")" = 0

"$ISSUER" --data "$D" import "$T/messy.csv" >"$T/out" 2>"$T/err"
check "messy.csv: refused as a whole (exit 1)" test $? = 1
expect messy.csv 2 | sed -e '1d' -e 's/^messy.csv:2: warning: columns/messy.csv:1: warning: columns/' >"$T/want"
check "messy.csv: exactly the expected warnings and errors" cmp -s "$T/err" "$T/want" ||
	diff "$T/want" "$T/err" | sed 's/^/#   /'

# The good rows in, the wrong ones out with their reasons.
"$ISSUER" --data "$D" import "$T/messy.xlsx" --skip-invalid "$T/rej.csv" \
	>"$T/out" 2>"$T/err"
check "messy.xlsx --skip-invalid: exit 0" test $? = 0
check "messy.xlsx --skip-invalid: 22 imported, 4 rejected, 4 warnings" \
	grep -q "26 rows: 22 imported, 0 already there, 4 rejected, 4 warnings" "$T/out"
Q="SELECT p.name, p.id_masked, r.unit, r.year, r.subject, ifnull(r.public_type,''),
	r.form, r.title, r.provider, r.start_date, r.end_date, r.hours10,
	ifnull(r.author_role,'') FROM records r JOIN practitioners p ON
	p.id = r.practitioner_id ORDER BY r.id"
q "$Q" >"$T/got"
cat >"$T/want" <<'EOT'
张伟|3502**********011X|厦门市第一医院|2025|public||1|新时代政绩观|福建省继续教育基地|2025-03-01|2025-03-01|120|
王芳|3502**********0229|厦门市第一医院|2025|professional||2|临床路径管理|福建省继续教育基地|2025-06-10|2025-06-10|80|
李娜|3502**********0338|厦门市第一医院|2025|public||1|数字经济概论|福建省继续教育基地|2025-10-01|2025-10-01|70|
刘洋|3502**********0447|厦门大学|2025|public||1|人工智能与社会|福建省继续教育基地|2025-06-10|2025-06-11|70|
陈静|3502**********0556|厦门大学|2025|professional||2|科研诚信|福建省继续教育基地|2025-03-15|2025-03-15|60|
杨帆|3502**********0665|厦门大学|2025|professional||2|医学影像进展|福建省继续教育基地|2025-04-09|2025-04-10|160|
赵磊|3502**********0774|集美大学|2025|professional||2|航海安全|福建省继续教育基地|2025-03-20|2025-03-20|80|
黄敏|3502**********0883|集美大学|2025|public|compulsory|1|法治素养|福建省继续教育基地|2025-05-05|2025-05-05|100|
周杰|3502**********0992|集美大学|2025|public|elective|1|心理健康|福建省继续教育基地|2025-05-06|2025-05-06|40|
吴琳|3502**********1019|厦门理工学院|2025|professional||3|建筑信息模型|福建省继续教育基地|2025-07-01|2025-07-02|160|
徐强|3502**********112X|厦门理工学院|2025|professional||4|质量管理体系|福建省继续教育基地|2025-07-03|2025-07-03|40|
孙丽|3502**********1239|厦门理工学院|2025|professional||7|年会报告|福建省继续教育基地|2025-08-08|2025-08-09|120|
马超|3502**********1342|厦门理工学院|2025|professional||8|论文：港口物流优化|福建省继续教育基地|2025-01-02|2025-12-31|600|first
朱红|3502**********146X|厦门海关|2025|public||1|保密教育|福建省继续教育基地|2025-09-09|2025-09-09|30|
胡斌|3502**********1560|厦门市中医院|2025|professional||2|中医经典|福建省继续教育基地|2025-10-10|2025-10-10|80|
郭玉|3502**********167X|厦门市中医院|2025|professional||2|中医经典|福建省继续教育基地|2025-10-10|2025-10-10|80|
何平|3502**********1789|厦门市中医院|2025|public||1|应急管理|福建省继续教育基地|2025-11-01|2025-11-01|60|
高翔|3502**********1894|厦门市中医院|2025|professional||2|针灸技术|福建省继续教育基地|2025-11-02|2025-11-02|80|
林峰|3502**********191X|厦门市中医院|2025|public||1|生态文明|福建省继续教育基地|2025-11-03|2025-11-03|50|
罗敏|3502**********2028|厦门港务|2025|public||1|安全生产|福建省继续教育基地|2025-11-04|2025-11-04|20|
梁静|3502**********2139|厦门港务|2025|public||1|职业道德|福建省继续教育基地|2025-11-05|2025-11-05|30|
宋佳|3502**********2243|厦门港务|2025|professional||2|港口机械|福建省继续教育基地|2025-11-06|2025-11-06|80|
EOT
check "messy.xlsx: the 22 records as meant (dates, labels, hours, trimmed names, merged unit)" \
	cmp -s "$T/got" "$T/want" || diff "$T/want" "$T/got" | sed 's/^/#   /'
check "the rejects file is UTF-8 with a BOM (Excel opens it right)" \
	test "$(head -c 3 "$T/rej.csv" | od -An -tx1 | tr -d ' ')" = efbbbf
check "the rejects file: a header and the 4 rejected rows" \
	test "$(wc -l <"$T/rej.csv")" = 5
check "the rejects file is 0600" test "$(stat -c %a "$T/rej.csv")" = 600
"$ISSUER" --data "$D" import "$T/rej.csv" >"$T/out" 2>"$T/err"
check "the rejects file imports again with the same 4 reasons" \
	test "$(grep -c -e ': id_number: ' -e ': hours: ' -e ': start_date: ' "$T/err")" = 4

# The CSV holds the same people: all there already.
"$ISSUER" --data "$D" import "$T/messy.csv" --skip-invalid /dev/null >"$T/out" 2>"$T/err"
check "messy.csv: the same 22 records (all already there)" \
	grep -q "26 rows: 0 imported, 22 already there, 4 rejected" "$T/out"

# --sheet: another sheet, or one that is not there.
"$ISSUER" --data "$D" import "$T/messy.xlsx" --sheet 说明 >"$T/out" 2>"$T/err"; rc=$?
check "--sheet 说明: exit 1, no header row" eval \
	'[ $rc = 1 ] && grep -q "messy.xlsx:1: no header row naming the columns" "$T/err"'
"$ISSUER" --data "$D" import "$T/messy.xlsx" --sheet 汇总 >"$T/out" 2>"$T/err"; rc=$?
check "--sheet 汇总: exit 1, the sheets named" eval \
	'[ $rc = 1 ] && grep -qF "messy.xlsx: no sheet named \"汇总\" (the workbook has \"学时汇总\", \"说明\")" "$T/err"'

# export --format xlsx, read back by exceljs, cell for cell the CSV's.
make_account "$D" hr1 hr 35 福建省人力资源和社会保障厅 >/dev/null 2>&1
"$ISSUER" --data "$D" stamp --account hr1 --all >/dev/null 2>&1
"$ISSUER" --data "$D" keygen k1 --no-passphrase >/dev/null 2>&1
"$ISSUER" --data "$D" issue --year 2025 --all --out "$T/pdf" >/dev/null 2>&1 ||
	notok "issue 2025"
"$ISSUER" --data "$D" export --year 2025 --format csv >"$T/e.csv" 2>/dev/null
"$ISSUER" --data "$D" export --year 2025 --format xlsx --output "$T/e.xlsx" 2>"$T/err"
check "export --format xlsx --output: exit 0" test $? = 0
NODE_PATH=$NM node "$HS_TOP/tests/interop/read_xlsx.js" "$T/e.xlsx" >"$T/e.txt"
check "exceljs reads the export: sheet 2025" test "$(head -1 "$T/e.txt")" = 2025
check "the export has 22 practitioners" test "$(tail -n +3 "$T/e.txt" | wc -l)" = 22
# The CSV's fields against exceljs's cells: ids and text as strings,
# year and hours as numbers.
python3 - "$T/e.csv" "$T/e.txt" >"$T/cmp" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8")))
cells = [l.rstrip("\n").split("\t") for l in open(sys.argv[2], encoding="utf-8")][1:]
bad = 0
for r, c in zip(rows, cells):
    for i, (want, got) in enumerate(zip(r, c)):
        t, _, v = got.partition(":")
        if rows.index(r) > 0 and i in (3, 4, 5, 6):
            ok = t == "n" and float(v) == float(want)
        else:
            ok = (t == "s" and v == want) or (t == "e" and want == "")
        if not ok:
            bad += 1
            print("cell %d,%d: want %r got %r" % (rows.index(r), i, want, got))
print("rows %d %d bad %d" % (len(rows), len(cells), bad))
PY
check "every exported cell is the CSV's field (text as text, hours as numbers)" \
	grep -q '^rows 23 23 bad 0$' "$T/cmp" || sed 's/^/#   /' "$T/cmp" | tail -5
check "the export's ids are masked (every row)" test "$(tail -n +3 "$T/e.txt" | cut -f1 | grep -c '^s:3502\*\{10\}[0-9]\{3\}[0-9X]$')" = 22

# --full-id: only into a new file, 0600, audited.
"$ISSUER" --data "$D" export --year 2025 --format csv --full-id >"$T/out" 2>"$T/err"; rc=$?
check "--full-id to stdout: refused (exit 1), nothing written" eval \
	'[ $rc = 1 ] && [ ! -s "$T/out" ] && grep -q "only into a new file" "$T/err"'
echo keep >"$T/old.xlsx"
"$ISSUER" --data "$D" export --year 2025 --format xlsx --full-id --output "$T/old.xlsx" 2>"$T/err"; rc=$?
check "--full-id over an existing file: refused (exit 1), the file untouched" eval \
	'[ $rc = 1 ] && [ "$(cat "$T/old.xlsx")" = keep ]'
ln -s "$T/elsewhere" "$T/link.xlsx"
"$ISSUER" --data "$D" export --year 2025 --format xlsx --full-id --output "$T/link.xlsx" 2>"$T/err"; rc=$?
check "--full-id through a symlink: refused, nothing created" eval \
	'[ $rc = 1 ] && [ ! -e "$T/elsewhere" ]'
a0=$(q "SELECT count(*) FROM audit WHERE action = 'report.export_full_id'")
(umask 000; "$ISSUER" --data "$D" export --year 2025 --format xlsx --full-id --output "$T/full.xlsx" 2>"$T/err")
check "--full-id --output NEW: exit 0" test $? = 0
check "--full-id file is 0600 (even under umask 000)" test "$(stat -c %a "$T/full.xlsx")" = 600
NODE_PATH=$NM node "$HS_TOP/tests/interop/read_xlsx.js" "$T/full.xlsx" >"$T/full.txt"
check "--full-id: whole ID numbers, as text cells" test "$(tail -n +3 "$T/full.txt" | cut -f1 | grep -c '^s:3502[0-9]\{13\}[0-9X]$')" = 22
check "--full-id: one audit row report.export_full_id" test \
	"$(q "SELECT count(*) FROM audit WHERE action = 'report.export_full_id'")" = $((a0 + 1))
check "the audit row names the year and the count, no ID number" test \
	"$(q "SELECT object || ' ' || detail FROM audit WHERE action = 'report.export_full_id'")" = \
	"2025 full ID numbers, xlsx, 22 practitioners"
