#!/usr/bin/env bash
# The verifier's --pepper file through the one pepper loader
# (lib/cert/pepper.h): a malformed file stops the start, saying what the
# file must hold and whose it is; a CRLF line end is fine and the match
# works with it; the pepper's digits never appear on stderr.
. "$(dirname "$0")/../lib.sh"
scratch

"$HS_BUILD/tests/test_vdb" --make-fixture "$T/v.db" 2 "$T/key.pub" >"$T/serials"
S=$(head -1 "$T/serials")
# serve_bad NAME CONTENT: the server must not start with this pepper.
serve_bad() {
	printf '%s' "$2" >"$T/p.$1"
	rm -f "$T/v.db.state"
	timeout 10 "$VERIFIER" serve --listen 127.0.0.1:0 --db "$T/v.db" \
		--key "$T/key.pub" --pepper "$T/p.$1" >"$T/out.$1" 2>"$T/err.$1"
	local rc=$?
	check "pepper $1: start refused (exit $rc)" [ "$rc" != 0 ] && [ "$rc" != 124 ]
	check "pepper $1: says what the file must hold" \
		grep -q "p.$1: expected 64 hex digits (the issuer's DIR/pepper)" "$T/err.$1"
}
serve_bad short "$(printf '%063d' 0)"
serve_bad long "$(printf '%065d' 0)"
serve_bad nonhex "$(printf 'zz%062d' 0)"
serve_bad space " $(printf '%064d' 0)"
serve_bad secretlike "$(printf '%063d' 7)"
check_fails "the pepper's digits are not echoed" grep -q 0000000000000000000000000000000007 "$T/err.secretlike"
timeout 10 "$VERIFIER" serve --listen 127.0.0.1:0 --db "$T/v.db" --key "$T/key.pub" \
	--pepper "$T/nonexistent" >"$T/out.none" 2>"$T/err.none"
check "a missing pepper file stops the start" [ $? != 0 ]

printf '%064d\r\n' 0 >"$T/pepper"
rm -f "$T/v.db.state"
check "a CRLF pepper file starts" start_server --db "$T/v.db" --key "$T/key.pub" --pepper "$T/pepper"
trap 'kill -TERM $PID 2>/dev/null; rm -rf "$T"' EXIT
body=$(curl -s -H 'Content-Type: application/json' -d '{"id_number":"350102198001011233"}' \
	"$URL/api/v1/certificates/$S/match")
check "the match with that pepper says true" grep -q '"match":true' <<<"$body"
body=$(curl -s -H 'Content-Type: application/json' -d '{"id_number":"11010519491231002X"}' \
	"$URL/api/v1/certificates/$S/match")
check "another ID says false" grep -q '"match":false' <<<"$body"
check "server stops" stop_server
