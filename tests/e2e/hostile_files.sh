#!/usr/bin/env bash
# Output paths that are not plain files (issue 11, items 3, 11, 12): the
# real commands pointed at a null device made with mknod in a temporary
# directory (never the real /dev/null), a FIFO with a reader and symbolic
# links. A device or FIFO is written as it is and stays what it is; a
# symlink is refused and left alone, and what it points to is untouched.
# The rejects file is 0600 with the formula guard; killed runs' temporary
# files are removed by the next run, other processes' are not.
. "$(dirname "$0")/../lib.sh"
scratch
export HOURSEAL_TODAY=2026-11-23
D=$T/d

# A file with one good row and one bad row whose fields a spreadsheet
# would run as formulas.
cat >"$T/in.csv" <<'EOF'
id_number,name,unit,year,subject,public_type,form,title,provider,start_date,end_date,hours,author_role,domain,ref
350102198001011233,张三,福州市第一医院,2024,public,,1,新时代政绩观树立,福建省继续教育基地,2024-03-01,2024-03-01,10,,,F-1
350102198001011233,=SUM(1+1),@unit,2024,professional,,2,+title,福建省继续教育基地,2024-03-02,2024-03-02,-5,,,F-2
EOF
"$ISSUER" init --issuer 福建省专业技术人员继续教育中心 --base-url http://127.0.0.1:8080 --policy fujian --origin ledger.hourseal.example.cn/fj "$D" --keys "$T/keys" >/dev/null 2>&1 &&
	"$ISSUER" --data "$D" keygen --no-passphrase k1 >/dev/null 2>&1 ||
	{ notok "init and keygen"; exit 0; }

# No temporary file (".x.tmp.<pid>", "x.tmp.<pid>") left in directory $1.
no_temps() { ! ls -A "$1" | grep -q '\.tmp'; }

# 1. --skip-invalid to a null device.
if mknod "$T/null" c 1 3 2>/dev/null; then
	"$ISSUER" --data "$D" import "$T/in.csv" --skip-invalid "$T/null" \
		>"$T/o" 2>&1
	check "import --skip-invalid DEVICE: exit 0" test $? -eq 0
	check "the device is still a character device" test -c "$T/null"
	check "and still 1,3" test "$(stat -c '%t,%T' "$T/null")" = "1,3"
	check "no temporary file beside it" no_temps "$T"
	check "1 row imported" grep -q ' 1 imported' "$T/o"
else
	notok "mknod (the test runs as root)"
fi

# 2. --skip-invalid to a FIFO with a reader.
mkfifo "$T/fifo"
timeout 20 cat "$T/fifo" >"$T/fifo.out" &
reader=$!
timeout 20 "$ISSUER" --data "$D" import "$T/in.csv" --skip-invalid \
	"$T/fifo" >"$T/o" 2>&1
check "import --skip-invalid FIFO: exit 0" test $? -eq 0
wait "$reader"
check "the FIFO is still a FIFO" test -p "$T/fifo"
check "the reader got the rejected row" grep -q '^3,' "$T/fifo.out"
check "no temporary file beside it" no_temps "$T"

# 3. --skip-invalid to a symlink: refused, link and target untouched.
echo keep >"$T/victim"
ln -s "$T/victim" "$T/link"
"$ISSUER" --data "$D" import "$T/in.csv" --skip-invalid "$T/link" \
	>"$T/o" 2>&1
rc=$?
check "import --skip-invalid SYMLINK: refused (exit $rc)" test $rc -ne 0
check "and says it is a symbolic link" grep -q 'symbolic link' "$T/o"
check "the link is still a link" test -L "$T/link"
check "to the same file" test "$(readlink "$T/link")" = "$T/victim"
check "whose content is untouched" test "$(cat "$T/victim")" = keep

# 4. The rejects file: 0600, formula guard, read back without the guard.
umask 022
"$ISSUER" --data "$D" import "$T/in.csv" --skip-invalid "$T/rej.csv" \
	>"$T/o" 2>&1
check "rejects file is mode 600" test "$(stat -c %a "$T/rej.csv")" = 600
check "a formula-like name is guarded" grep -q "\"'=SUM(1+1)\"" "$T/rej.csv"
check "so are unit, title and hours" grep -q "\"'@unit\",2024,professional,,2,\"'+title\"" "$T/rej.csv"
check "and hours" grep -q "\"'-5\"" "$T/rej.csv"
check "no field starts with = + - @" \
	bash -c "! tail -n +2 '$T/rej.csv' | tr ',' '\n' | grep -q '^[=+@-]'"
# Fixed (hours 5) and imported again: the guard is not part of the value.
sed "s/\"'-5\"/5/" "$T/rej.csv" >"$T/fixed.csv"
"$ISSUER" --data "$D" import "$T/fixed.csv" --accept-renames >"$T/o" 2>&1
check "the fixed rejects file imports" grep -q ' 1 imported' "$T/o"
check "the name is stored without the guard" test "$(sqlite3 "$D/hourseal.db" \
	"SELECT name FROM practitioners")" = "=SUM(1+1)"

# 5. A planted temporary file of a dead process goes, a live one stays.
sh -c 'exit 0' &
dead=$!
wait "$dead"
touch "$T/.rej.csv.tmp.$dead" "$T/rej.csv.tmp.$dead" "$T/.rej.csv.tmp.$$"
"$ISSUER" --data "$D" import "$T/in.csv" --skip-invalid "$T/rej.csv" \
	>/dev/null 2>&1
check "import removes rejects temporaries of a dead pid" \
	test ! -e "$T/.rej.csv.tmp.$dead" -a ! -e "$T/rej.csv.tmp.$dead"
check "and keeps a running process's" test -e "$T/.rej.csv.tmp.$$"
rm -f "$T/.rej.csv.tmp.$$"

# 6. issue --out: the manifest a symlink: refused, target untouched.
hr_stamp "$D" X --all >/dev/null 2>&1
mkdir -p "$T/out/2024"
echo keep >"$T/victim2"
ln -s "$T/victim2" "$T/out/2024/manifest.csv"
"$ISSUER" --data "$D" issue --year 2024 --all --out "$T/out" >"$T/o" 2>&1
check "issue with manifest.csv a symlink: fails" test $? -ne 0
check "the manifest link is kept" test -L "$T/out/2024/manifest.csv"
check "its target is untouched" test "$(cat "$T/victim2")" = keep
check "no manifest: line printed" bash -c "! grep -q '^manifest:' '$T/o'"
rm "$T/out/2024/manifest.csv"

# 7. Killed runs' leftovers: reissue (and issue) clean what is theirs.
serial=$(sqlite3 "$D/hourseal.db" "SELECT serial FROM certificates LIMIT 1")
touch "$T/out/2024/.2024-AAAA-AAAA-AAAA-AAAA.pdf.tmp" \
	"$T/out/2024/manifest.csv.tmp.$dead" \
	"$T/out/2024/.manifest.csv.tmp.$dead" \
	"$T/out/2024/.manifest.csv.tmp.$$"
"$ISSUER" --data "$D" reissue "$serial" --out "$T/out" >"$T/o" 2>&1
check "reissue: exit 0" test $? -eq 0
check "reissue removes a leftover temporary PDF" \
	test ! -e "$T/out/2024/.2024-AAAA-AAAA-AAAA-AAAA.pdf.tmp"
check "and manifest temporaries of a dead pid" \
	test ! -e "$T/out/2024/manifest.csv.tmp.$dead" -a \
	! -e "$T/out/2024/.manifest.csv.tmp.$dead"
check "but not a running process's" test -e "$T/out/2024/.manifest.csv.tmp.$$"
rm -f "$T/out/2024/.manifest.csv.tmp.$$"

# 8. publish: leftovers of a dead pid go; verifier.db a symlink or a device.
mkdir -p "$T/pub"
touch "$T/pub/.verifier.db.tmp.$dead" "$T/pub/.verifier.db.tmp.$$"
"$ISSUER" --data "$D" publish "$T/pub" >"$T/o" 2>&1
check "publish: exit 0" test $? -eq 0
check "publish removes .verifier.db.tmp.<dead pid>" \
	test ! -e "$T/pub/.verifier.db.tmp.$dead"
check "and keeps a running process's" test -e "$T/pub/.verifier.db.tmp.$$"
rm -f "$T/pub/.verifier.db.tmp.$$"
mkdir -p "$T/pub2"
ln -s "$T/victim" "$T/pub2/verifier.db"
"$ISSUER" --data "$D" publish "$T/pub2" >"$T/o" 2>&1
check "publish with verifier.db a symlink: refused" test $? -ne 0
check "the link and its target are kept" \
	test -L "$T/pub2/verifier.db" -a "$(cat "$T/victim")" = keep
check "no temporary file left" no_temps "$T/pub2"
if mknod "$T/pub2/null" c 1 3 2>/dev/null; then
	rm "$T/pub2/verifier.db"
	mv "$T/pub2/null" "$T/pub2/verifier.db"
	"$ISSUER" --data "$D" publish "$T/pub2" >"$T/o" 2>&1
	check "publish into a device: exit 0" test $? -eq 0
	check "the device is still a device" test -c "$T/pub2/verifier.db"
	check "no temporary file left" no_temps "$T/pub2"
fi

# 9. tiles: the checkpoint a symlink: refused, target untouched.
mkdir -p "$T/tiles"
ln -s "$T/victim" "$T/tiles/checkpoint"
"$ISSUER" --data "$D" tiles "$T/tiles" >"$T/o" 2>&1
check "tiles with checkpoint a symlink: refused" test $? -ne 0
check "the link and its target are kept" \
	test -L "$T/tiles/checkpoint" -a "$(cat "$T/victim")" = keep

# 10. The verifier's --access-log: a symlink is refused.
key=$(ls "$T/keys"/*.pub | head -1)
timeout 5 "$VERIFIER" serve --listen 127.0.0.1:0 --db "$T/pub/verifier.db" \
	--key "$key" --access-log "$T/link" >"$T/o" 2>&1
rc=$?
check "serve --access-log SYMLINK: refused (exit $rc)" test $rc -eq 2
check "and says it is a symbolic link" grep -q 'symbolic link' "$T/o"
check "the link's target is untouched" test "$(cat "$T/victim")" = keep
