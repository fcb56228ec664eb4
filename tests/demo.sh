#!/usr/bin/env bash
# make demo: a data directory with a key, the sample records imported and
# stamped, certificates issued (one revoked, one reissued), the ledger
# published, and the verifier running on 127.0.0.1:$PORT in the foreground,
# with the issuing service (hourseal-issuer serve: the staff console) on
# 127.0.0.1:$SERVE_PORT beside it and one account of each role invited.
#
# Usage: tests/demo.sh [BUILD_DIR]        (make demo runs it after the build)
# Environment:
#   PORT         the verifier's port (8080)
#   SERVE_PORT   the issuing service's port (PORT + 10: 8090)
#   DEMO_DIR     where everything goes (./demo)
#   DEMO_RESET   1: delete the demo's data, keys and PDFs and start over
#   DEMO_YEARS   the years to issue certificates for ("2024 2025 2026")
#   DEMO_SAMPLE  the Fujian records to import (templates/samples/fujian.csv)
#   DEMO_WEIHAI  0: skip the second issuer (Weihai policy, no verifier)
#   DEMO_SETUP_ONLY  1: prepare everything, print, but do not start the
#                verifier
# It installs nothing: make demo already ran scripts/deps.sh demo.
# Run again without DEMO_RESET, it reuses what it made and only starts the
# verifier; it never overwrites a key or data.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
B=${1:-$top/build/release}
ISSUER=${HS_ISSUER:-$B/hourseal-issuer}
VERIFIER=${HS_VERIFIER:-$B/hourseal-verifier}
PORT=${PORT:-8080}
DEMO=${DEMO_DIR:-$top/demo}
YEARS=${DEMO_YEARS:-2024 2025 2026}
SAMPLE=${DEMO_SAMPLE:-$top/templates/samples/fujian.csv}
HOST=127.0.0.1
BASE=http://$HOST:$PORT
SERVE_PORT=${SERVE_PORT:-$((PORT + 10))}
SBASE=http://$HOST:$SERVE_PORT
ISSUER_NAME=福建省专业技术人员继续教育中心（演示）
ORIGIN=demo.hourseal.example/fj
export HOURSEAL_TEMPLATES=${HOURSEAL_TEMPLATES:-$top/templates}

if [ -t 1 ]; then
	say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
else
	say() { printf '\n== %s\n' "$*"; }
fi
die() { echo "demo: $*" >&2; exit 1; }
# wait_listening PID LOG: until LOG says 'listening on' (at most 60 s, as a
# loaded machine may need); fails at once if PID has ended.
wait_listening() {
	local i
	for i in $(seq 1 600); do
		grep -q 'listening on' "$2" 2>/dev/null && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
# rel PATH: PATH relative to the current directory when it is below it.
rel() { case $1 in "$PWD"/*) echo "${1#"$PWD"/}" ;; *) echo "$1" ;; esac; }
# run CMD...: shows the command (paths shortened), runs it, stops the demo
# with the command's name if it fails.
run() {
	local shown=() a
	for a in "$@"; do shown+=("$(rel "$a")"); done
	printf '$ %s\n' "${shown[*]}"
	"$@" || die "'${shown[*]}' failed (exit $?)"
}
sql() { sqlite3 -batch -noheader "$DEMO/data/hourseal.db" "$@"; }
# demo_account DATA NAME ROLE SCOPE ORG: the account stamps act as (验印
# needs an account: its role, scope and organisation); one already there
# is kept.
demo_account() {
	[ -n "$(sqlite3 -batch "$1/hourseal.db" \
		"SELECT 1 FROM accounts WHERE name = '$2'")" ] ||
		run "$ISSUER" --data "$1" user add "$2" --role "$3" \
			--scope "$4" --org "$5"
}

for p in "$ISSUER" "$VERIFIER"; do
	[ -x "$p" ] || die "$p is missing: run make first"
done
command -v sqlite3 >/dev/null || die "sqlite3 is missing: scripts/deps.sh demo"
case $PORT in ''|*[!0-9]*) die "PORT=$PORT is not a port number" ;; esac

made="data keys pdf site weihai rejected.csv weihai-rejected.csv demo.env list.tsv invitations.txt serve.log activation.csv activation.txt practitioners.txt trust.conf"
if [ "${DEMO_RESET:-0}" = 1 ]; then
	for f in $made; do rm -rf "${DEMO:?}/$f"; done
fi

# demo_practitioners YEAR SERIAL1 SERIAL2: the holders of the two
# certificates are the sample practitioners. The first makes a 30-day
# share code of their valid certificates as they would: the issuing
# service runs for a moment, they activate with a one-time code
# (a throwaway password), sign in and POST /my/share. Then both get a
# fresh activation code (the first one's replaces that password when
# used), written to activation.csv and shown; their full (fictional) ID
# numbers go to practitioners.txt (0600), never on the screen. Sets SHARE.
demo_practitioners() {
	local y=$1 p1 p2 id1 id2 code st jar=$DEMO/.demo.jar pw spid url n
	p1=$(sql "SELECT practitioner_id FROM certificates WHERE serial = '$2'")
	# The second: another holder of a valid certificate, not the one
	# invited as demo-person (step 7), else the holder of SERIAL2.
	p2=$(sql "SELECT c.practitioner_id FROM certificates c JOIN practitioners p
	    ON p.id = c.practitioner_id WHERE c.year = $y AND c.practitioner_id != $p1
	    AND p.id_number != '$(sed -n 2p "$SAMPLE" | cut -d, -f1)'
	    AND c.serial NOT IN (SELECT serial FROM revocations) ORDER BY c.serial LIMIT 1")
	[ -n "$p2" ] || p2=$(sql "SELECT practitioner_id FROM certificates WHERE serial = '$3'")
	[ -n "$p1" ] && [ -n "$p2" ] && [ "$p1" != "$p2" ] ||
		die "could not find two practitioners with certificates"
	id1=$(sql "SELECT id_number FROM practitioners WHERE id = $p1")
	id2=$(sql "SELECT id_number FROM practitioners WHERE id = $p2")
	command -v curl >/dev/null || die "curl is missing: scripts/deps.sh demo"
	(umask 077; printf '%s\n' "$id1" >"$DEMO/.ids")
	run "$ISSUER" --data "$DEMO/data" activation --id-file "$DEMO/.ids" \
		--csv "$DEMO/activation.csv" --public-url "$SBASE"
	code=$(awk -F, 'NR == 2 { print $4 }' "$DEMO/activation.csv")
	"$ISSUER" --data "$DEMO/data" serve --listen "$HOST:$SERVE_PORT" \
		2>"$DEMO/.serve.err" &
	spid=$!
	wait_listening "$spid" "$DEMO/.serve.err" ||
		die "the issuing service did not start: $(tail -3 "$DEMO/.serve.err")"
	rm -f "$jar"
	form() { # PATH PAGE FIELD=VALUE...: POSTs a form with its page's CSRF token
		local p=$1 page=$2 c args=(); shift 2
		c=$(curl -s -b "$jar" -c "$jar" "$SBASE$page" |
			sed -n 's/.*name="csrf" value="\([A-Za-z0-9_-]*\)".*/\1/p' | head -1)
		args=(--data-urlencode "csrf=$c")
		for kv in "$@"; do args+=(--data-urlencode "$kv"); done
		curl -s -o "$DEMO/.body" -w '%{http_code}' -b "$jar" -c "$jar" \
			"${args[@]}" "$SBASE$p"
	}
	pw="demo $(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
	printf '$ curl %s/my/activate (ID number, the code, a password)\n' "$SBASE"
	st=$(form /my/activate /my/activate "id=$id1" "code=$code" \
		"password=$pw" "again=$pw")
	[ "$st" = 303 ] || { kill "$spid"; die "/my/activate answered $st"; }
	args=(days=30 label=演示)
	for n in $(sql "SELECT serial FROM certificates WHERE practitioner_id = $p1
	    AND serial NOT IN (SELECT serial FROM revocations) ORDER BY year"); do
		args+=("serial=$n")
	done
	printf '$ curl %s/my/share (certificates: %d; 30 days)\n' "$SBASE" $((${#args[@]} - 2))
	st=$(form /my/share /my/share "${args[@]}")
	SHARE=$(sed -n 's,.*href="/s/\([0-9A-Z]\{16\}\)/qr.png".*,\1,p' "$DEMO/.body" | head -1)
	form /my/signout /my/ >/dev/null
	kill "$spid"; wait "$spid" 2>/dev/null || true
	rm -f "$jar" "$DEMO/.body" "$DEMO/.serve.err"
	[ "$st" = 200 ] && [ -n "$SHARE" ] || die "/my/share answered $st, no code"
	SHARE=$SBASE/s/$SHARE
	echo "a share code: $SHARE"
	# The codes to show: fresh ones for both.
	(umask 077; printf '%s\n%s\n' "$id1" "$id2" >"$DEMO/.ids")
	run "$ISSUER" --data "$DEMO/data" activation --id-file "$DEMO/.ids" \
		--csv "$DEMO/activation.csv" --public-url "$SBASE"
	rm -f "$DEMO/.ids"
	(umask 077; {
		echo "# The demo's sample practitioners (fictional): full ID numbers for /my/activate"
		sql "SELECT name || '	' || id_number FROM practitioners WHERE id IN ($p1, $p2) ORDER BY id = $p2"
	} >"$DEMO/practitioners.txt")
	(umask 077; awk -F, 'NR > 1 { printf "    %-8s %s  code %s\n", $1, $2, $4 }' \
		"$DEMO/activation.csv" >"$DEMO/activation.txt")
	cat "$DEMO/activation.txt"
}

setup() {
	local f
	for f in data keys weihai; do
		if [ -e "$DEMO/$f" ] && [ -n "$(ls -A "$DEMO/$f" 2>/dev/null)" ]; then
			die "$(rel "$DEMO/$f") already exists (an earlier demo that did not finish?).
      Nothing was changed. To start over, deleting the demo's data and keys:
        DEMO_RESET=1 make demo"
		fi
	done
	mkdir -p "$DEMO"
	rm -rf "$DEMO/data" "$DEMO/keys" "$DEMO/weihai"

	say "1. A data directory and a signing key"
	run "$ISSUER" init "$DEMO/data" --issuer "$ISSUER_NAME" \
		--origin "$ORIGIN" --base-url "$BASE" --policy fujian \
		--keys "$DEMO/keys"
	run "$ISSUER" --data "$DEMO/data" keygen --no-passphrase demo

	say "2. Import the sample records ($(($(wc -l <"$SAMPLE") - 1)) rows)"
	run "$ISSUER" --data "$DEMO/data" import "$SAMPLE" \
		--skip-invalid "$DEMO/rejected.csv"
	if [ -s "$DEMO/rejected.csv" ]; then
		echo
		echo "The rows above were rejected on purpose (daily caps, deadlines," \
			"typos); they are in $(rel "$DEMO/rejected.csv") with their reasons."
	fi

	say "3. Stamp (验印) the records"
	demo_account "$DEMO/data" hr-fj hr 35 福建省人力资源和社会保障厅
	run "$ISSUER" --data "$DEMO/data" stamp --all --account hr-fj

	say "4. Issue the annual certificates"
	for y in $YEARS; do
		run "$ISSUER" --data "$DEMO/data" issue --year "$y" --all \
			--out "$DEMO/pdf"
	done

	# Three certificates to show: a valid one (a name with an Extension B
	# character if there is one), one to revoke (someone short of hours),
	# one to reissue. list: serial year kind id name hours result status ...
	local y valid revoked old new
	y=${YEARS##* }
	"$ISSUER" --data "$DEMO/data" list --year "$y" --status valid \
		>"$DEMO/list.tsv" 2>/dev/null || die "list --year $y failed"
	valid=$(awk -F'\t' 'NR > 1 && $5 ~ /𠇔/ { print $1; exit }' "$DEMO/list.tsv")
	[ -n "$valid" ] ||
		valid=$(awk -F'\t' 'NR == 2 { print $1 }' "$DEMO/list.tsv")
	revoked=$(awk -F'\t' -v v="$valid" 'NR > 1 && $1 != v && $7 == "unmet" \
	    { print $1; exit }' "$DEMO/list.tsv")
	old=$(awk -F'\t' -v v="$valid" -v r="$revoked" 'NR > 1 && $1 != v &&
	    $1 != r && $7 == "met" { print $1; exit }' "$DEMO/list.tsv")
	rm -f "$DEMO/list.tsv"
	[ -n "$valid" ] && [ -n "$revoked" ] && [ -n "$old" ] ||
		die "could not find three $y certificates to show"

	say "5. Revoke one, reissue another"
	run "$ISSUER" --data "$DEMO/data" revoke "$revoked" --reason error \
		--note "演示：学时登记有误"
	run "$ISSUER" --data "$DEMO/data" reissue "$old" --out "$DEMO/pdf"
	new=$(sql "SELECT serial FROM certificates WHERE replaces = '$old'
	    ORDER BY issued DESC LIMIT 1")
	[ -n "$new" ] || die "reissue made no certificate that replaces $old"

	say "6. Publish the ledger and certificates for the verifier"
	run "$ISSUER" --data "$DEMO/data" publish "$DEMO/site"

	if [ "${DEMO_WEIHAI:-1}" = 1 ]; then
		say "7. A second issuer with the Weihai policy (compulsory/elective public hours)"
		run "$ISSUER" init "$DEMO/weihai" \
			--issuer 威海市专业技术人员继续教育服务平台（演示） \
			--origin demo.hourseal.example/weihai \
			--base-url "$BASE" --policy weihai --keys "$DEMO/keys"
		run "$ISSUER" --data "$DEMO/weihai" keygen --no-passphrase weihai
		: >"$DEMO/weihai-rejected.csv"
		for f in weihai-platform.csv weihai-declared.csv; do
			# The platform export is in minutes: leftover minutes are
			# warnings, one a line; show the count instead.
			printf '$ %s\n' "$(rel "$ISSUER") --data $(rel "$DEMO/weihai") import $(rel "$top/templates/samples/$f") --skip-invalid $(rel "$DEMO/weihai-rejected.$f")"
			if ! "$ISSUER" --data "$DEMO/weihai" import \
				"$top/templates/samples/$f" \
				--skip-invalid "$DEMO/weihai-rejected.$f" \
				2>"$DEMO/weihai/import.log"; then
				cat "$DEMO/weihai/import.log" >&2
				die "the import of $f failed"
			fi
			grep -v ': warning: ' "$DEMO/weihai/import.log" || true
			n=$(grep -c ': warning: ' "$DEMO/weihai/import.log" || true)
			[ "$n" -eq 0 ] || echo "($n warnings about minutes that" \
				"do not make a whole 45-minute hour)"
			cat "$DEMO/weihai-rejected.$f" >>"$DEMO/weihai-rejected.csv"
			rm -f "$DEMO/weihai-rejected.$f"
		done
		demo_account "$DEMO/weihai" hr-wh hr 37 威海市人力资源和社会保障局
		run "$ISSUER" --data "$DEMO/weihai" stamp --all --account hr-wh
		run "$ISSUER" --data "$DEMO/weihai" summary --year 2025 \
			>"$DEMO/weihai/summary-2025.txt"
		head -n 8 "$DEMO/weihai/summary-2025.txt"
		echo "  ... (all of it in $(rel "$DEMO/weihai/summary-2025.txt"))"
		run "$ISSUER" --data "$DEMO/weihai" issue --year 2025 --all \
			--out "$DEMO/weihai/pdf" --quiet
		run "$ISSUER" --data "$DEMO/weihai" publish "$DEMO/weihai/site"
		# The demo's verifier trusts both ledgers: its trust file
		# (docs/formats.md §7), 0600, paths relative to it.
		(umask 077; cat >"$DEMO/trust.conf.tmp" <<TRUST
hourseal-verifier-trust v1
# The ledgers the demo's verifier accepts (hourseal-verifier serve --trust).
ledger fj
  origin $ORIGIN
  issuer $ISSUER_NAME
  key keys/demo.pub
  db site/verifier.db

ledger weihai
  origin demo.hourseal.example/weihai
  issuer 威海市专业技术人员继续教育服务平台（演示）
  key keys/weihai.pub
  db weihai/site/verifier.db
TRUST
		)
		mv "$DEMO/trust.conf.tmp" "$DEMO/trust.conf"
		echo "the verifier's trust file: $(rel "$DEMO/trust.conf") (both ledgers)"
	fi

	say "7. One account of each role for the issuing service"
	local id unit prov line
	id=$(sed -n 2p "$SAMPLE" | cut -d, -f1)
	unit=$(sed -n 2p "$SAMPLE" | cut -d, -f3)
	prov=$(sed -n 2p "$SAMPLE" | cut -d, -f9)
	: >"$DEMO/invitations.txt"
	chmod 600 "$DEMO/invitations.txt"
	while IFS='|' read -r n role scope org; do
		line=$(run "$ISSUER" --data "$DEMO/data" user add "$n" --role "$role" \
			--scope "$scope" --org "$org" --base-url "$SBASE" |
			grep -o 'http://[^ ]*/admin/invite/[A-Za-z0-9_-]*') ||
			die "user add $n failed"
		# No full ID number on the screen: the practitioner's masked.
		[ "$role" = practitioner ] &&
			scope="${scope:0:4}**********${scope:14}"
		printf '    %-16s %-28s %s\n' "$n" "$role $scope" "$line" \
			>>"$DEMO/invitations.txt"
	done <<ACCOUNTS
demo-hr|hr|35|福建省人力资源和社会保障厅
demo-hr-fz|hr|3501|福州市人力资源和社会保障局
demo-industry|industry|3501/卫生|福州市卫生健康委员会
demo-provider|provider|$prov|$prov
demo-employer|employer|$unit|$unit
demo-auditor|auditor|35|福建省审计厅
demo-person|practitioner|$id|个人
ACCOUNTS
	sed 's,/admin/invite/.*,/admin/invite/…,' "$DEMO/invitations.txt"

	say "8. The practitioner's pages: a share code, then activation codes"
	demo_practitioners "$y" "$valid" "$new"

	cat >"$DEMO/demo.env.tmp" <<EOF
SHARE=$SHARE
MADE_PORT=$PORT
YEAR=$y
VALID=$valid
REVOKED=$revoked
OLD=$old
NEW=$new
EOF
	mv "$DEMO/demo.env.tmp" "$DEMO/demo.env"
}

if [ -f "$DEMO/demo.env" ]; then
	echo "demo: reusing $(rel "$DEMO") (DEMO_RESET=1 starts over)"
else
	t0=$(date +%s)
	setup
	echo
	echo "demo: set up in $(($(date +%s) - t0)) s"
fi
# shellcheck disable=SC1091
. "$DEMO/demo.env"
pdf() { rel "$(find "$DEMO/pdf" -name "$1.pdf" | head -1)"; }
key=$(cat "$DEMO/keys/demo.pub")
cat <<EOF

================================================================
hourseal demo
  Certificates (PDF):  $(rel "$DEMO/pdf")/<year>/<serial>.pdf  (list: $(rel "$DEMO/pdf")/<year>/manifest.csv)
$( [ -d "$DEMO/weihai/pdf" ] && echo "  Weihai issuer:       $(rel "$DEMO/weihai/pdf")/2025/  (key $(rel "$DEMO/keys/weihai.pub"))")
$( [ -f "$DEMO/trust.conf" ] && echo "  The verifier trusts both ledgers ($(rel "$DEMO/trust.conf")): the Weihai
  PDFs' QR codes answer here too; each ledger at $BASE/ledger/NAME/checkpoint
  (fj, weihai), /checkpoint and /tile/ serve the first (fj)")

  Open these (or scan the QR codes in the PDFs):
    valid       $BASE/c/$VALID
    revoked     $BASE/c/$REVOKED
    reissued    $BASE/c/$OLD  (superseded)
                -> $BASE/c/$NEW  (its replacement)

  Verifier key ($(rel "$DEMO/keys/demo.pub")):
    $key

  JSON API:
    curl -s $BASE/api/v1/certificates/$VALID

  Offline check of a PDF (no network):
    $(rel "$VERIFIER") check $(pdf "$VALID") --key $(rel "$DEMO/keys/demo.pub")
$( [ -f "$DEMO/trust.conf" ] && echo "    $(rel "$VERIFIER") check $(rel "$(find "$DEMO/weihai/pdf" -name '*.pdf' | sort | head -1)") --trust $(rel "$DEMO/trust.conf")")
================================================================
EOF
if [ "$PORT" != "$MADE_PORT" ]; then
	echo "demo: note: the QR codes in these PDFs point to port $MADE_PORT" \
		"(the port of the first run); the URLs above use $PORT."
fi
if [ "${DEMO_SETUP_ONLY:-0}" = 1 ]; then
	exit 0
fi
cat <<EOF

  Issuing service (staff console): $SBASE/admin/
    Invitations (each works once, for 72 hours from the first run; a new
    one: $(rel "$ISSUER") --data $(rel "$DEMO/data") user reset NAME):
$(cat "$DEMO/invitations.txt")
    Open one, set a password (10+ characters, not the name), then enrol the
    authenticator: the page shows a QR code and the secret; a code is
      oathtool --totp -b SECRET
    Sign in again at $SBASE/admin/signin with name, password and code.
    Its log: $(rel "$DEMO/serve.log")

  Practitioners' pages: $SBASE/my/
    Activation codes (one-time, 30 days from the first run) for two sample
    practitioners; their full, fictional ID numbers are in
    $(rel "$DEMO/practitioners.txt"). Enter ID number and code, set a password:
      $SBASE/my/activate
$(cat "$DEMO/activation.txt")
    New codes: $(rel "$ISSUER") --data $(rel "$DEMO/data") activation --unit UNIT --csv FILE
    A share code (30 days) of the first one's certificates, as a committee
    would open it:
      share       $SHARE
================================================================
EOF
# The issuing service in the background: Ctrl-C reaches both (one
# process group); the signer process ends with it.
"$ISSUER" --data "$DEMO/data" serve --listen "$HOST:$SERVE_PORT" \
	--access-log "$DEMO/serve.log" 2>>"$DEMO/serve.log" &
wait_listening $! "$DEMO/serve.log" ||
	echo "demo: the issuing service did not start: $(tail -3 "$DEMO/serve.log")"
echo "Starting the verifier on $BASE (Ctrl-C stops it and the issuing service)"
if [ -f "$DEMO/trust.conf" ]; then
	exec "$VERIFIER" serve --trust "$DEMO/trust.conf" --listen "$HOST:$PORT"
fi
exec "$VERIFIER" serve --db "$DEMO/site/verifier.db" --listen "$HOST:$PORT" \
	--key "$DEMO/keys/demo.pub"
