#!/usr/bin/env bash
# The issuer refuses unsafe key material and says only what it did (issue
# 11, items 13 and 14): a passphrase file others can read and a keys
# directory others can write to are refused like a readable key file; a
# second issuer refused by the output directory's lock prints no
# "manifest:" line; the progress report counts each holder once, even when
# a batch is redone without a certificate that cannot be made.
. "$(dirname "$0")/../lib.sh"
scratch
export HOURSEAL_TODAY=2026-11-23
D=$T/d
K=$T/keys

"$ISSUER" init --issuer 福建省专业技术人员继续教育中心 --base-url http://127.0.0.1:8080 --policy fujian --origin ledger.hourseal.example.cn/fj "$D" --keys "$K" >/dev/null 2>&1 || { notok "init"; exit 0; }

# 1. Item 13: the passphrase file.
umask 022
printf 'correct horse battery\n' >"$T/pass"
"$ISSUER" --data "$D" keygen k1 --passphrase-file "$T/pass" >"$T/o" 2>&1
rc=$?
check "keygen with a passphrase file of mode 644: refused (exit $rc)" \
	test $rc -ne 0
check "says to chmod 600 it" grep -q 'chmod 600' "$T/o"
check "no key was made" test ! -e "$K/k1.key"
chmod 640 "$T/pass"
check_fails "mode 640: refused too" \
	"$ISSUER" --data "$D" keygen k1 --passphrase-file "$T/pass"
chmod 600 "$T/pass"
check "mode 600: keygen works" \
	"$ISSUER" --data "$D" keygen k1 --passphrase-file "$T/pass"

# 2. Item 13: the keys directory.
"$ISSUER" --data "$D" import "$HS_TOP/tests/data/baseline.csv" --quiet \
	>/dev/null 2>&1 && hr_stamp "$D" X --all \
	>/dev/null 2>&1 || notok "import and stamp"
export HOURSEAL_PASSPHRASE_FILE=$T/pass
chmod 777 "$K"
"$ISSUER" --data "$D" issue --year 2024 --all --out "$T/out" >"$T/o" 2>&1
rc=$?
check "issue with a world-writable keys directory: refused (exit $rc)" \
	test $rc -ne 0
check "says the directory is writable by others" \
	grep -q 'writable by group or others' "$T/o"
check "nothing was issued" test "$(sqlite3 "$D/hourseal.db" \
	"SELECT count(*) FROM certificates")" = 0
chmod 770 "$K"
check_fails "group-writable: refused too" \
	"$ISSUER" --data "$D" issue --year 2024 --all --out "$T/out"
chmod 700 "$K"

# 3. Item 14: the progress count, in a data directory of its own. One of
# the two holders gets a name no font has (planted in the database:
# import refuses it now), so the batch is redone without that
# certificate.
unset HOURSEAL_PASSPHRASE_FILE
D=$T/d2
"$ISSUER" init --issuer 福建省专业技术人员继续教育中心 --base-url http://127.0.0.1:8080 --policy fujian --origin ledger.hourseal.example.cn/fj "$D" --keys "$T/keys2" >/dev/null 2>&1 &&
	"$ISSUER" --data "$D" keygen --no-passphrase k1 >/dev/null 2>&1 &&
	"$ISSUER" --data "$D" import "$HS_TOP/tests/data/baseline.csv" \
	--quiet >/dev/null 2>&1 && hr_stamp "$D" X --all \
	>/dev/null 2>&1 || notok "a second data directory"
sqlite3 "$D/hourseal.db" "UPDATE practitioners SET name = name ||
	char(8238) WHERE name = '王五'" || notok "plant a name"
"$ISSUER" --data "$D" issue --year 2024 --all --out "$T/out" >"$T/o" 2>"$T/e"
check "issue: the holder that cannot be made fails the run" test $? -ne 0
check "one issued, one failed" grep -q '^1 issued.* 1 failed' "$T/o"
check "the progress report counts 2 practitioners, not more" \
	grep -q '^2 practitioners in ' "$T/e"
grep '^[0-9]* practitioners in' "$T/e" | sed 's/^/# /'

# 4. Item 14: a second issuer refused by the lock prints no manifest line
# and writes no manifest.
rm -f "$T/out/2024/manifest.csv"
flock "$T/out/2024" sleep 10 &
holder=$!
sleep 0.5
"$ISSUER" --data "$D" issue --year 2024 --all --out "$T/out" >"$T/o" 2>&1
rc=$?
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
check "a second issuer is refused (exit $rc)" test $rc -ne 0
check "and says another issuer is writing there" \
	grep -q 'another hourseal-issuer' "$T/o"
check "it prints no manifest: line" bash -c "! grep -q '^manifest:' '$T/o'"
check "it writes no manifest" test ! -e "$T/out/2024/manifest.csv"
