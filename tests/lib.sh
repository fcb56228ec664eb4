# Helpers for the end-to-end scripts in tests/e2e/; source it. Prints the same
# "ok - " / "not ok - " lines as the unit tests.
set -u
: "${HS_TOP:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
: "${HS_BUILD:=$HS_TOP/build/release}"
: "${HS_ISSUER:=$HS_BUILD/hourseal-issuer}"
: "${HS_VERIFIER:=$HS_BUILD/hourseal-verifier}"
ISSUER=$HS_ISSUER
VERIFIER=$HS_VERIFIER
# English messages whatever the developer's locale (as tests/run.sh).
if [ -n "${LC_ALL:-}" ]; then export LANG=$LC_ALL; unset LC_ALL; fi
unset LANGUAGE
export LC_MESSAGES=C

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }
# check DESCRIPTION COMMAND...: ok if the command succeeds.
check() { local d=$1; shift; if "$@"; then ok "$d"; else notok "$d"; fi; }
# check_fails DESCRIPTION COMMAND...: ok if the command fails.
check_fails() { local d=$1; shift; if "$@"; then notok "$d"; else ok "$d"; fi; }
# A fresh scratch directory, removed on exit.
# free_ports N: N distinct free TCP ports on 127.0.0.1, one per line (all
# bound at once, so no two are the same).
free_ports() {
	python3 -c '
import socket, sys
ss = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in ss: s.bind(("127.0.0.1", 0))
print("\n".join(str(s.getsockname()[1]) for s in ss))' "$1"
}
scratch() { T=$(mktemp -d "${TMPDIR:-/tmp}/hs-test.XXXXXX"); trap 'rm -rf "$T"' EXIT; }
# start_server ARGS...: the verifier on a free loopback port with ARGS
# (output in $T/out and $T/err); sets URL and PID. Fails, saying why, if it
# is not listening within 5 s.
start_server() {
	"$VERIFIER" serve --listen 127.0.0.1:0 "$@" >"$T/out" 2>"$T/err" &
	PID=$!
	for _ in $(seq 1 100); do
		URL=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$T/out")
		[ -n "$URL" ] && return 0
		sleep 0.05
	done
	echo "# server did not start: $(cat "$T/err")"
	return 1
}
# start_issuer DATA ARGS...: `hourseal-issuer serve` on DATA with ARGS on
# a free loopback port (output in $T/out and $T/err); sets URL (without
# the trailing /) and PID. Fails if it is not listening within 5 s.
start_issuer() {
	local data=$1
	shift
	"$ISSUER" --data "$data" serve --listen 127.0.0.1:0 "$@" \
		>"$T/out" 2>"$T/err" &
	PID=$!
	for _ in $(seq 1 100); do
		URL=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$T/err" |
			head -1)
		URL=${URL%/}
		[ -n "$URL" ] && return 0
		sleep 0.05
	done
	return 1
}
# stop_server: SIGTERM; its status is the server's exit status.
stop_server() { kill -TERM "$PID" 2>/dev/null; wait "$PID"; }
# make_account DATA NAME ROLE SCOPE ORG: an account for the CLI's
# --account, made with `hourseal-issuer user add` (its invitation URL is
# not used: acting on the CLI needs no password). SCOPE as on the command
# line: a region (hr, auditor), REGION/DOMAIN (industry), a provider name
# (provider) or a unit (employer).
make_account() {
	"$ISSUER" --data "$1" user add "$2" --role "$3" --scope "$4" \
		--org "$5" >/dev/null
}
# sql_str TEXT: TEXT as an SQL string literal (quotes doubled).
sql_str() { printf "'%s'" "${1//\'/\'\'}"; }
# hr_stamp DATA ORG STAMP-ARGS...: `stamp` as a province-level hr account
# (scope 35, which also sees records outside every region) acting for ORG,
# made on first use; the replacement of the old `stamp --by ORG --as hr`.
hr_stamp() {
	local d=$1 org=$2 name
	shift 2
	name=hr-$(printf %s "$org" | sha256sum | cut -c1-8)
	if [ -z "$(sqlite3 "$d/hourseal.db" \
	    "SELECT 1 FROM accounts WHERE name = $(sql_str "$name")")" ]; then
		make_account "$d" "$name" hr 35 "$org" || return 1
	fi
	"$ISSUER" --data "$d" stamp --account "$name" "$@"
}
