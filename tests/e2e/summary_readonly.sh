#!/usr/bin/env bash
# `summary` opens the database read-only (issue 12): it works on a copy of
# the data directory whose database file and directory nobody may write
# (mode 444 and 555; a rollback-journal database, as a backup is, so a
# read-only reader needs no -wal or -shm file), prints what it prints on
# the original, and leaves the file byte for byte as it was. Opened
# read-write, the same command would switch the file to WAL: a write.
. "$(dirname "$0")/../lib.sh"
scratch
export HOURSEAL_TODAY=2026-11-23
D=$T/d
C=$T/copy

if ! command -v sqlite3 >/dev/null; then
	notok "sqlite3 is needed (scripts/deps.sh test)"
	exit 0
fi
"$ISSUER" init --issuer 福建省专业技术人员继续教育中心 --base-url http://127.0.0.1:8080 --policy fujian --origin ledger.hourseal.example.cn/fj "$D" >/dev/null 2>&1 &&
	"$ISSUER" --data "$D" import "$HS_TOP/tests/data/baseline.csv" \
	--quiet >/dev/null 2>&1 &&
	hr_stamp "$D" X --all >/dev/null 2>&1 ||
	{ notok "set up a data directory"; exit 0; }
for f in text json; do
	a=; [ $f = json ] && a=--json
	"$ISSUER" --data "$D" summary --year 2024 $a >"$T/want.$f" 2>&1 ||
		notok "summary $a on the original"
done

cp -r "$D" "$C"
rm -f "$C"/hourseal.db-*
check "the copy is a rollback-journal database" \
	test "$(sqlite3 "$C/hourseal.db" 'PRAGMA journal_mode=DELETE')" = delete
sum0=$(sha256sum <"$C/hourseal.db")
# Root ignores file modes: run as nobody, who owns the copy but may not
# write the database or create files next to it.
as=()
if [ "$(id -u)" = 0 ]; then
	if ! command -v setpriv >/dev/null; then
		notok "setpriv is needed to drop root (util-linux)"
		exit 0
	fi
	chown -R 65534:65534 "$C"
	chmod 755 "$T"
	as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
chmod 444 "$C/hourseal.db"
chmod 555 "$C"
trap 'chmod 755 "$C" 2>/dev/null; rm -rf "$T"' EXIT

for f in text json; do
	a=; [ $f = json ] && a=--json
	"${as[@]}" "$ISSUER" --data "$C" summary --year 2024 $a >"$T/got.$f" 2>&1
	rc=$?
	check "summary $a on the read-only copy: exit 0 ($rc)" test $rc = 0
	check "  the same output as on the original" cmp -s "$T/got.$f" "$T/want.$f"
done
"${as[@]}" "$ISSUER" --data "$C" summary --year 2024 \
	--id 350102199001011238 >"$T/o" 2>&1
rc=$?
check "summary --id of an unknown person on it: exit 1 ($rc)" test $rc = 1
check "the database file is unchanged" \
	test "$(sha256sum <"$C/hourseal.db")" = "$sum0"
check "no -wal or -shm file appeared" \
	test -z "$(ls "$C" | grep -- '-wal\|-shm')"
check "the summary counted both practitioners" \
	grep -q '^# 2 practitioners' "$T/got.text"
exit 0
