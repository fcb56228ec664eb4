#!/usr/bin/env bash
# Hostile trust files (serve --trust, check --trust): every one stops the
# start with exit 2 and a message naming the file and line, before any
# answer: a bad line, an unknown keyword, a missing first line, a
# duplicate origin or name, a missing or unreadable database, a key of
# another origin, an overlong line, too many ledgers, bytes that are not
# UTF-8, a NUL, a file writable by group or others, a symbolic link, a
# FIFO, an oversized file, and --trust mixed with --db.
. "$(dirname "$0")/../lib.sh"
scratch
quiet() { "$@" >"$T/o" 2>&1 || { sed 's/^/# /' "$T/o" | tail -5; return 1; }; }

# One small issuer for a real database and key; a second key of another
# origin.
quiet "$ISSUER" init "$T/d" --issuer 福建省专业技术人员继续教育中心 --policy fujian --keys "$T/keys" --origin h.example/a --base-url http://127.0.0.1:1 ||
	notok "init"
quiet "$ISSUER" --data "$T/d" keygen a --no-passphrase || notok "keygen"
quiet "$ISSUER" --data "$T/d" publish "$T/pub" || notok "publish"
quiet "$ISSUER" init "$T/d2" --issuer 福建省专业技术人员继续教育中心 --policy fujian --keys "$T/keys" --origin h.example/b --base-url http://127.0.0.1:1 ||
	notok "init 2"
quiet "$ISSUER" --data "$T/d2" keygen b --no-passphrase || notok "keygen 2"
quiet "$ISSUER" --data "$T/d2" publish "$T/pub2" || notok "publish 2"

good() {
	cat <<EOF
hourseal-verifier-trust v1
ledger a
  origin h.example/a
  issuer 甲
  key keys/a.pub
  db pub/verifier.db
EOF
}

# refused NAME PATTERN [serve args...]: serve with $T/t.conf exits 2,
# stderr matches PATTERN, and nothing listens.
refused() {
	local name=$1 pat=$2 rc
	shift 2
	timeout 20 "$VERIFIER" serve --listen 127.0.0.1:0 --trust "$T/t.conf" "$@" \
		>"$T/out" 2>"$T/err"
	rc=$?
	check "$name: exit 2 ($rc)" [ "$rc" = 2 ]
	if grep -q -- "$pat" "$T/err"; then ok "$name: says '$pat'"; else
		notok "$name: says '$pat'"; sed 's/^/# /' "$T/err" | head -3; fi
	check_fails "$name: never listens" grep -q 'listening on' "$T/out"
}
# put: $T/t.conf from stdin, 0600.
put() { rm -f "$T/t.conf"; cat >"$T/t.conf"; chmod 600 "$T/t.conf"; }

good | put
check "the good file starts the server" start_server --trust "$T/t.conf" --rate 0 --no-sweep
stop_server

{ good; echo "  colour blue"; } | put
refused "unknown keyword" "t.conf:7: unknown keyword 'colour'"
{ good; echo "  origin"; } | put
refused "keyword without a value" "t.conf:7: 'origin' without a value"
{ echo "ledger a"; good | sed 1d; } | put
refused "no first line" "t.conf:1: expected 'hourseal-verifier-trust v1'"
{ good; echo "ledger a"; } | put
refused "a ledger named twice" "t.conf:7: ledger a is named twice (line 2)"
{ good; echo "ledger Bad/Name"; } | put
refused "a name that is no path segment" "t.conf:7: ledger name"
{ good; printf 'ledger b\n origin h.example/a\n issuer 乙\n key keys/a.pub\n db pub2/verifier.db\n'; } | put
refused "a duplicate origin" "t.conf:7: ledger b has the origin h.example/a of ledger a (line 2)"
{ good; printf 'ledger b\n origin h.example/b\n issuer 乙\n key keys/b.pub\n db pub/verifier.db\n'; } | put
refused "a duplicate database" "t.conf:7: ledger b has the database of ledger a"
{ good; echo "  origin h.example/a"; } | put
refused "a second origin line" "t.conf:7: a second origin line in ledger a"
good | sed '/db /d' | put
refused "no db line" "t.conf:2: ledger a has no db line"
good | sed '/key /d' | put
refused "no key line" "t.conf:2: ledger a has no key line"
good | sed '/issuer /d' | put
refused "no issuer line" "t.conf:2: ledger a has no issuer line"
good | sed 's,pub/verifier.db,pub/missing.db,' | put
refused "a missing database" "t.conf:6: db .*pub/missing.db: No such file"
good | sed 's,pub/verifier.db,pub,' | put
refused "a database that is a directory" "t.conf:6: db .*: not a regular file"
good | sed 's,keys/a.pub,keys/b.pub,' | put
refused "a key of another origin" "t.conf:5: key .*b.pub is a key of h.example/b, not of the ledger's origin h.example/a"
good | sed 's,keys/a.pub,keys/none.pub,' | put
refused "a missing key file" "t.conf:5: key:"
{ good; printf '# %05000d\n' 0; } | put
refused "an overlong line" "t.conf:7: line over 2048 bytes"
{ good; for i in $(seq 1 17); do printf 'ledger l%d\n origin o.example/%d\n issuer x\n key keys/a.pub\n db x%d.db\n' "$i" "$i" "$i"; done; } | put
refused "more than 16 ledgers" "more than 16 ledgers"
{ good; printf '  issuer \xff\xfe\n'; } | put
refused "bytes that are not UTF-8" "t.conf:7: not UTF-8"
{ good; printf '  issuer a\001b\n'; } | put
refused "a control character" "t.conf:7: a control character"
{ good; printf 'x\000y\n'; } | put
refused "a NUL byte" "t.conf:1: the file holds a NUL byte"
{ good; head -c 70000 /dev/zero | tr '\0' '#'; } | put
refused "a file over 64 KB" "over 65536 bytes"
good | put
chmod 620 "$T/t.conf"
refused "writable by group" "writable by group or others (mode 620)"
chmod 602 "$T/t.conf"
refused "writable by others" "writable by group or others (mode 602)"
chmod 600 "$T/t.conf"
mv "$T/t.conf" "$T/real.conf"
ln -s "$T/real.conf" "$T/t.conf"
refused "a symbolic link" "is a symbolic link"
rm -f "$T/t.conf"
mkfifo "$T/t.conf"
refused "a FIFO (not opened for reading forever)" "not a regular file"
rm -f "$T/t.conf"
good | put
refused "--trust with --db" "not with --db" --db "$T/pub/verifier.db"
refused "--trust with --key" "not with --db, --key" --key "$T/keys/a.pub"
printf '' | put
refused "an empty file" "no ledger in the file"

# check --trust reads the same file the same way (its db lines unread).
good | sed 's,pub/verifier.db,pub/missing.db,' | put
"$VERIFIER" check "$T/none.pdf" --trust "$T/t.conf" >"$T/c" 2>&1; rc=$?
check "check --trust does not need the databases (the missing PDF is what fails: $rc)" \
	grep -q 'none.pdf' "$T/c"
check_fails "  and does not complain of the database" grep -q 'missing.db' "$T/c"
chmod 666 "$T/t.conf"
"$VERIFIER" check "$T/none.pdf" --trust "$T/t.conf" >"$T/c" 2>&1; rc=$?
check "check --trust: a writable file is refused (exit $rc)" [ "$rc" = 2 ]
check "  saying so" grep -q 'writable by group or others' "$T/c"
exit 0
