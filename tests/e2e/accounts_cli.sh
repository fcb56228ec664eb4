#!/usr/bin/env bash
# Accounts and API tokens from the issuer's shell (issue 13, service.md
# §2; store/accounts.h): `user add` prints a one-time invitation URL
# <public url>/admin/invite/<43 base64url characters>, only the token's
# SHA-256 is stored; `user list` shows no secrets; disable, enable,
# unlock, reset; `token add` prints hst_<43> once, `token list` and
# `token revoke`. Hostile names, orgs and scopes (SQL quotes, <script>,
# bidi, control characters, invalid UTF-8, 10 kB) are refused with the
# field named or stored verbatim, never run; every change is audited
# with the operator as actor; the database file's mode stays as it was.
# (TOTP interop with oathtool: tests/unit/test_totp.c; no CLI command
# shows TOTP codes.)
. "$(dirname "$0")/../lib.sh"
scratch
D=$T/data
DB=$D/hourseal.db
q() { sqlite3 "$DB" "$@"; }
run() { "$ISSUER" --data "$D" "$@" >"$T/out" 2>"$T/err"; echo $? >"$T/rc"; }
rc_is() { test "$(cat "$T/rc")" = "$1"; }
out_has() { grep -q -- "$1" "$T/out"; }
err_has() { grep -q -- "$1" "$T/err"; }
# The whole database (and its WAL, if any) contains the string?
db_has() { cat "$DB" "$DB-wal" 2>/dev/null | grep -qaF -- "$1"; }
url_re='^https://verify\.example\.cn/admin/invite/[A-Za-z0-9_-]\{43\}$'

"$ISSUER" init --policy fujian --origin ledger.hourseal.example.cn/fj "$D" --issuer "Test HR Bureau" --base-url https://verify.example.cn >/dev/null 2>&1
chmod 600 "$DB"
mode0=$(stat -c %a "$DB")

run user add hr-fj --role hr --scope 35 --org "福建省人力资源和社会保障厅"
check "user add: exit 0" rc_is 0
check "user add: prints <base_url>/admin/invite/<43 base64url>" \
	grep -q "$url_re" "$T/out"
TOK=$(grep -o '[A-Za-z0-9_-]\{43\}$' "$T/out" | tail -1)
check "the invitation token is not in the database" eval '! db_has "$TOK"'
H=$(printf %s "$TOK" | sha256sum | cut -c1-64 | tr a-f A-F)
check "its SHA-256 is (hash column)" test "$(q "SELECT count(*) FROM invitations WHERE hex(hash) = '$H'")" = 1
check "valid 72 hours" test "$(q "SELECT expires - created FROM invitations WHERE hex(hash) = '$H'")" = 259200
check "no password yet" test "$(q "SELECT count(*) FROM accounts WHERE name = 'hr-fj' AND pw_hash IS NULL")" = 1

run user add hr-xm --role hr --scope 3502 --org "厦门市人社局" --base-url https://admin.example.cn/
check "--base-url wins, no doubled slash" grep -q '^https://admin\.example\.cn/admin/invite/[A-Za-z0-9_-]\{43\}$' "$T/out"
run user add hr-xm2 --role hr --scope 3502 --org X --base-url "javascript:alert(1)"
check "--base-url must be http(s): exit 1" rc_is 1
check "and says --base-url" err_has "base-url"
run user add HR-FJ --role hr --scope 35 --org X
check "a name taken in another case: exit 1, names the field" eval 'rc_is 1 && err_has "name:"'

# Hostile input: refused with the field named, or stored verbatim.
run user add "x');DROP_TABLE_accounts;--" --role auditor --scope 35 --org "O'Reilly \"& Co\""
check "SQL quotes in a name: stored as text (exit 0)" rc_is 0
check "the accounts table is still there, name verbatim" test \
	"$(q "SELECT count(*) FROM accounts WHERE name = 'x'');DROP_TABLE_accounts;--'")" = 1
run user add "<script>alert(1)</script>" --role auditor --scope 3502 --org "<b>Org</b>"
check "<script> as a name: stored verbatim" test \
	"$(q "SELECT org FROM accounts WHERE name = '<script>alert(1)</script>'")" = "<b>Org</b>"
run user add "x' OR '1'='1" --role auditor --scope 35 --org X
check "a name with spaces: exit 1, 'name: contains a space'" eval 'rc_is 1 && err_has "name: contains a space"'
run user add "$(printf 'ab\xe2\x80\xaecd')" --role auditor --scope 35 --org X
check "a bidi override in a name: exit 1, names U+202E" eval 'rc_is 1 && err_has "name: contains U+202E"'
run user add "$(printf 'ab\x01cd')" --role auditor --scope 35 --org X
check "a control character in a name: exit 1" eval 'rc_is 1 && err_has "name: contains a control"'
run user add "$(printf 'ab\xffcd')" --role auditor --scope 35 --org X
check "invalid UTF-8 in a name: exit 1" eval 'rc_is 1 && err_has "name: not valid UTF-8"'
BIG=$(head -c 10240 /dev/zero | tr '\0' a)
run user add "$BIG" --role auditor --scope 35 --org X
check "a 10 kB name: exit 1, 'longer than'" eval 'rc_is 1 && err_has "name: longer than"'
check "and the message does not echo it" eval '! err_has "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"'
run user add okname --role auditor --scope 35 --org "$BIG"
check "a 10 kB org: exit 1" eval 'rc_is 1 && err_has "org:"'
run user add okname --role auditor --scope "35' OR '1'='1" --org X
check "an SQL scope: exit 1, 'scope:'" eval 'rc_is 1 && err_has "scope:"'
run user add okname --role industry --scope "3502/$(printf 'a\xe2\x81\xa6b')" --org X
check "a bidi isolate in a domain: exit 1" eval 'rc_is 1 && err_has "scope domain"'
run user add okname --role root --scope 35 --org X
check "an unknown role: exit 1, names the roles" eval 'rc_is 1 && err_has "role: unknown"'
run user add okname --role title-system --scope 35 --org X
check "title-system is for tokens: exit 1" rc_is 1
run user add pract --role practitioner --scope 350981199506020905 --org X
check "a practitioner not in the database: exit 1, no number echoed" \
	eval 'rc_is 1 && ! err_has 350981199506020905'
check "nothing refused was stored" test "$(q "SELECT count(*) FROM accounts")" = 4
# "--scope -": the ID number from stdin, out of the process list.
run user add okname --role auditor --scope - --org X </dev/null
check "scope '-' for a staff role: exit 1, 'for practitioner accounts only'" \
	eval 'rc_is 1 && err_has "for practitioner accounts only"'
printf '350981199506020905\n350981199506020905\n' >"$T/two"
run user add pract --role practitioner --scope - --org X <"$T/two"
check "scope '-' with two lines on stdin: exit 1" eval 'rc_is 1 && err_has "one ID number on stdin"'
run user add pract --role practitioner --scope - --org X </dev/null
check "scope '-' with nothing on stdin: exit 1" eval 'rc_is 1 && err_has "one ID number on stdin"'
echo 350981199506020905 >"$T/one"
run user add pract --role practitioner --scope - --org X <"$T/one"
check "scope '-' reads the number: a person not in the database, exit 1, not echoed" \
	eval 'rc_is 1 && err_has "no practitioner" && ! err_has 350981199506020905'
check "still nothing refused was stored" test "$(q "SELECT count(*) FROM accounts")" = 4

run user list
check "user list: exit 0" rc_is 0
check "lists every account with role, scope, state" eval \
	'grep -q "^hr-fj	hr	35	福建省人力资源和社会保障厅	invited$" "$T/out" && test $(wc -l <"$T/out") = 5'
check "no secrets in the list" eval '! grep -qF -- "$TOK" "$T/out" && ! grep -q argon2 "$T/out"'

# A password set through the invitation is the person's; simulate it to
# check that disable, reset and unlock treat it right.
q "UPDATE accounts SET pw_hash = '\$argon2id\$x', failures = 10, locked = 1 WHERE name = 'hr-fj'"
q "INSERT INTO sessions (hash, account_id, csrf, created, last_seen) SELECT randomblob(32), id, 'c', 1, 1 FROM accounts WHERE name = 'hr-fj'"
run user unlock hr-fj
check "unlock: exit 0, lock and failures cleared" eval \
	'rc_is 0 && test "$(q "SELECT locked || failures FROM accounts WHERE name = '"'hr-fj'"'")" = 00'
run user disable hr-fj
check "disable: exit 0, sessions ended" eval \
	'rc_is 0 && test "$(q "SELECT count(*) FROM sessions WHERE ended IS NULL")" = 0'
check "user list says disabled" eval '"$ISSUER" --data "$D" user list | grep -q "^hr-fj	.*	disabled$"'
run user enable hr-fj
check "enable: exit 0" eval 'rc_is 0 && test "$(q "SELECT disabled FROM accounts WHERE name = '"'hr-fj'"'")" = 0'
run user reset hr-fj
check "reset: exit 0, a new invitation URL" eval 'rc_is 0 && grep -q "$url_re" "$T/out"'
TOK2=$(grep -o '[A-Za-z0-9_-]\{43\}$' "$T/out" | tail -1)
check "reset: the password is gone" test "$(q "SELECT count(*) FROM accounts WHERE name = 'hr-fj' AND pw_hash IS NULL")" = 1
check "reset: the first invitation no longer open" test \
	"$(q "SELECT count(*) FROM invitations WHERE hex(hash) = '$H' AND expires > strftime('%s','now')")" = 0
check "reset: the new token is not in the database" eval '! db_has "$TOK2"'
for sub in disable enable unlock reset; do
	run user $sub nobody-here
	check "user $sub of an unknown name: exit 1" eval 'rc_is 1 && err_has "no account named nobody-here"'
done

# API tokens.
run token add --role provider --scope "福建继续教育基地" --label fj-base --days 30
check "token add: exit 0, hst_ + 43 base64url printed once" eval \
	'rc_is 0 && grep -q "^hst_[A-Za-z0-9_-]\{43\}$" "$T/out"'
API=$(grep '^hst_' "$T/out")
check "the API token is not in the database" eval '! db_has "${API#hst_}"'
AH=$(printf %s "$API" | sha256sum | cut -c1-64 | tr a-f A-F)
check "its SHA-256 is" test "$(q "SELECT count(*) FROM api_tokens WHERE hex(hash) = '$AH'")" = 1
check "org defaults to the provider's name" test "$(q "SELECT org FROM api_tokens WHERE label = 'fj-base'")" = "福建继续教育基地"
run token add --role provider --scope "福建继续教育基地" --label fj-base
check "a second live token with the same label: exit 1" eval 'rc_is 1 && err_has "label:"'
run token add --role title-system --scope 35 --label "<script>"
check "title-system token with a <script> label: stored verbatim" eval \
	'rc_is 0 && test "$(q "SELECT org FROM api_tokens WHERE label = '"'<script>'"'")" = "Test HR Bureau"'
run token add --role employer --scope X --label emp
check "employer tokens: exit 1" rc_is 1
run token add --role provider --scope X --label y --days 0
check "--days 0: exit 1" rc_is 1
run token add --role provider --scope X --label y --days 99999
check "--days 99999: exit 1" rc_is 1
run token add --role provider --scope X --label "$BIG"
check "a 10 kB label: exit 1, 'label:'" eval 'rc_is 1 && err_has "label: longer than"'
run token list
check "token list: labels, no secrets" eval \
	'rc_is 0 && grep -q "^fj-base	provider	福建继续教育基地	" "$T/out" && ! grep -qF -- "${API#hst_}" "$T/out"'
run token revoke fj-base
check "token revoke: exit 0" rc_is 0
check "revoked in the table" test "$(q "SELECT revoked IS NOT NULL FROM api_tokens WHERE label = 'fj-base'")" = 1
run token revoke fj-base
check "revoke again: exit 1" rc_is 1
check "token list says revoked" eval '"$ISSUER" --data "$D" token list | grep -q "^fj-base	.*	revoked$"'

# Usage errors exit 2.
run user
check "user without a subcommand: exit 2" rc_is 2
run user add x --scope 35 --org X
check "user add without --role: exit 2" rc_is 2
run user frobnicate x
check "an unknown subcommand: exit 2" rc_is 2
run token add --role provider --label x
check "token add without --scope: exit 2" rc_is 2

# The audit log: every change, the operator as actor.
check "audited: account.add x4, reset, disable x2, unlock, token.add x2, token.revoke" test \
	"$(q "SELECT group_concat(action || ':' || n) FROM (SELECT action, count(*) n FROM audit GROUP BY action ORDER BY action)")" = \
	"account.add:4,account.disable:2,account.reset:1,account.unlock:1,token.add:2,token.revoke:1"
check "every row's actor is the operator of Test HR Bureau" test \
	"$(q "SELECT count(*) FROM audit WHERE actor != 'cli' OR role != 'operator' OR org != 'Test HR Bureau'")" = 0
check "no token in the audit log" eval '! q "SELECT * FROM audit" | grep -qF -e "$TOK" -e "$TOK2" -e "${API#hst_}"'
check "the database file's mode is untouched ($mode0)" test "$(stat -c %a "$DB")" = "$mode0"

# A practitioner's account with the ID number on stdin (--scope -): made,
# listed by practitioner id, and the number is nowhere in the audit log.
"$ISSUER" --data "$D" import "$HS_TOP/tests/data/baseline.csv" >/dev/null 2>&1
echo 350102198001011233 >"$T/id"
run user add zhang-san --role practitioner --scope - --org 张三 <"$T/id"
check "user add --role practitioner --scope - < file: exit 0, an invitation" \
	eval 'rc_is 0 && out_has "/admin/invite/"'
check "... listed as practitioner:<id>, not the number" eval \
	'"$ISSUER" --data "$D" user list | grep -q "^zhang-san	practitioner	practitioner:[0-9]*	" &&
	! "$ISSUER" --data "$D" user list | grep -q 350102198001011233'
check "... and the number is not in the audit log" eval '! q "SELECT * FROM audit" | grep -q 350102198001011233'
