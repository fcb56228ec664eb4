#!/usr/bin/env bash
# The bad-input corpus (tests/data/bad/, made by tests/data/make_bad.py):
# every file must be refused with exit status 1, print each line of its
# .expect file, never print a whole ID number, and leave the database
# exactly as it was (row counts and a full sqlite3 .dump).
. "$(dirname "$0")/../lib.sh"
scratch
export HOURSEAL_TODAY=2026-11-23
BAD=$HS_TOP/tests/data/bad

if ! command -v sqlite3 >/dev/null; then
	notok "sqlite3 is needed (scripts/deps.sh test)"
	exit 0
fi
for p in fujian weihai; do
	"$ISSUER" init --issuer 福建省专业技术人员继续教育中心 --base-url http://127.0.0.1:8080 --origin ledger.hourseal.example.cn/fj "$T/$p" --policy "$p" >/dev/null ||
		notok "init $p"
	# The baseline holds a ref and a person the corpus conflicts with.
	if [ "$p" = weihai ]; then
		sed 's/,public,,1,/,public,compulsory,1,/' \
			"$HS_TOP/tests/data/baseline.csv" >"$T/baseline.csv"
	else
		cp "$HS_TOP/tests/data/baseline.csv" "$T/baseline.csv"
	fi
	check "baseline imports under $p" \
		"$ISSUER" --data "$T/$p" import "$T/baseline.csv" --quiet
done

# One sqlite3 run: the row counts on the first line, then the whole dump.
state() {
	sqlite3 "$1/hourseal.db" "SELECT (SELECT count(*) FROM practitioners) || ' ' ||
	    (SELECT count(*) FROM records) || ' ' || (SELECT count(*) FROM stamps)" .dump
}
for p in fujian weihai; do
	state "$T/$p" >"$T/$p.state"
done
check "baseline: 2 practitioners, 3 records, 1 automatic stamp" \
	test "$(head -1 "$T/fujian.state")" = "2 3 1"

n=0
idre='[0-9]{17}[0-9Xx]'
for expect in "$BAD"/*.expect; do
	name=${expect##*/}
	name=${name%.expect}
	file=$BAD/$name.csv
	[ -f "$file" ] || file=$BAD/$name.jsonl
	[ -f "$file" ] || { notok "$name: no input file"; continue; }
	case $name in weihai_*) p=weihai ;; *) p=fujian ;; esac
	n=$((n + 1))
	"$ISSUER" --data "$T/$p" import "$file" >"$T/out" 2>"$T/err"
	rc=$?
	[ $rc -eq 1 ] && ok "$name: refused (exit 1)" ||
		{ notok "$name: exit $rc, want 1"; sed 's/^/#   /' "$T/err"; }
	# Every expected line appears whole in stderr (bash only: this loop
	# runs for every file, and processes are slow on a busy machine).
	mapfile -t got <"$T/err"
	missing=0
	while IFS= read -r line; do
		found=0
		for g in "${got[@]}"; do
			[ "$g" = "$line" ] && { found=1; break; }
		done
		[ $found -eq 1 ] || { missing=1; echo "#   want: $line"; }
	done <"$expect"
	[ $missing -eq 0 ] && ok "$name: message" ||
		{ notok "$name: message"; printf '#   got:  %s\n' "${got[@]}"; }
	all="${got[*]} $(<"$T/out")"
	[[ $all =~ $idre ]] && notok "$name: a whole ID number was printed" ||
		ok "$name: no whole ID number printed"
	state "$T/$p" >"$T/after"
	read -r before_counts <"$T/$p.state"
	read -r after_counts <"$T/after"
	[ "$after_counts" = "$before_counts" ] &&
		ok "$name: row counts unchanged" ||
		notok "$name: row counts changed: $after_counts"
	cmp -s "$T/$p.state" "$T/after" &&
		ok "$name: database content unchanged" ||
		notok "$name: database content changed"
done
[ $n -ge 50 ] && ok "$n bad files" || notok "only $n bad files"

# The corpus is what its generator makes.
if command -v python3 >/dev/null; then
	mkdir -p "$T/gen/bad"
	cp "$HS_TOP/tests/data/make_bad.py" "$T/gen/"
	python3 "$T/gen/make_bad.py" >/dev/null
	check "tests/data/bad is what make_bad.py writes" \
		diff -r "$BAD" "$T/gen/bad"
	check "tests/data/baseline.csv is what make_bad.py writes" \
		cmp -s "$HS_TOP/tests/data/baseline.csv" "$T/gen/baseline.csv"
fi
