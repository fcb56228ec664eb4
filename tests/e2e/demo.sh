#!/usr/bin/env bash
# make demo, as a newcomer would see it: tests/demo.sh with the built
# programs, a free port and a scratch demo directory. Waits for the
# verifier, probes the URLs it printed, runs the offline check it printed,
# stops it, then checks that a second run never overwrites keys or data.
# It issues one year (DEMO_TEST_YEARS, default 2026) instead of the demo's
# three, to stay quick under SAN=1; everything else is the demo as shipped.
. "$(dirname "$0")/../lib.sh"
scratch

# Every piece the demo needs must be built; say which is not, and stop.
missing=""
for c in init keygen import stamp summary issue revoke reissue publish; do
	if "$ISSUER" --data "$T/none" "$c" </dev/null 2>&1 |
		grep -q 'not built'; then
		missing="$missing issuer:$c"
	fi
done
for c in serve check; do
	if "$VERIFIER" "$c" </dev/null 2>&1 | grep -q 'not built'; then
		missing="$missing verifier:$c"
	fi
done
if [ -n "$missing" ]; then
	notok "demo: not built yet:$missing (demo not run)"
	exit 0
fi
for t in curl python3 sqlite3; do
	command -v $t >/dev/null || { notok "demo: $t missing"; exit 0; }
done

{ read -r port; read -r sport; } < <(free_ports 2)
D=$T/demo
demo() {
	PORT=$port SERVE_PORT=$sport DEMO_DIR=$D DEMO_YEARS="${DEMO_TEST_YEARS:-2026}" \
		bash "$HS_TOP/tests/demo.sh" "$HS_BUILD" "$@"
}
cd "$T" || exit 1
t0=$(date +%s)
# Its own process group (setsid execs bash, which execs the verifier once
# set up), so stopping it stops whatever step is running too.
PORT=$port SERVE_PORT=$sport DEMO_DIR=$D DEMO_YEARS="${DEMO_TEST_YEARS:-2026}" \
	setsid bash "$HS_TOP/tests/demo.sh" "$HS_BUILD" >"$T/log" 2>&1 &
pid=$!
stop() { kill -INT -- "-$pid" 2>/dev/null; wait "$pid" 2>/dev/null; }
trap 'kill -KILL -- "-$pid" 2>/dev/null; rm -rf "$T"' EXIT
up=0
for _ in $(seq 1 1800); do          # at most 180 s
	if grep -q 'verifier.*listening' "$T/log"; then up=1; break; fi
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
t1=$(date +%s)
if [ "$up" != 1 ]; then
	kill -0 "$pid" 2>/dev/null && stop
	notok "demo reaches 'verifier listening' (gave up after $((t1 - t0)) s)"
	tail -n 25 "$T/log" | sed 's/^/# /'
	exit 0
fi
ok "demo reaches 'verifier listening' in $((t1 - t0)) s"

url() { sed -n "s/^ *$1 *\(http:[^ ]*\).*/\1/p" "$T/log" | head -1; }
valid=$(url valid); revoked=$(url revoked); old=$(url reissued)
new=$(sed -n 's/^ *-> *\(http:[^ ]*\).*/\1/p' "$T/log" | head -1)
check "it printed four certificate URLs on port $port" \
	eval "[ -n '$valid' ] && [ -n '$revoked' ] && [ -n '$old' ] && [ -n '$new' ] &&
	      [[ '$valid' == http://127.0.0.1:$port/c/* ]]"
check "it printed where the PDFs are" grep -q 'Certificates (PDF):' "$T/log"
check "it printed the verifier key" grep -qE '^ +demo\.hourseal\.example/fj\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+$' "$T/log"
rej=$(grep -cE '^fujian\.csv:[0-9]+: [a-z_]+: ' "$T/log")
check "it showed the rejection report: the sample's 27 bad rows ($rej shown)" [ "$rej" -eq 27 ]
nrej=$(grep -c 'not verified\|exceeds the cap\|check character\|before start_date' "$D/rejected.csv")
check "rejected.csv has the 27 rows with their reasons ($nrej)" [ "$nrej" -eq 27 ]

get() { curl -s --max-time 10 "$@"; }
get "$valid" >"$T/valid.html"
check "the valid certificate's page says 有效" grep -q '有效' "$T/valid.html"
check_fails "the valid certificate's page does not say 已撤销" grep -q '已撤销' "$T/valid.html"
get "$revoked" >"$T/revoked.html"
check "the revoked certificate's page says 已撤销" grep -q '已撤销' "$T/revoked.html"
get "$old" >"$T/old.html"
check "the superseded certificate's page says 已被替换 (the headline, issue 15)" grep -q '已被替换' "$T/old.html"
check "the superseded certificate's page links its replacement" grep -q "${new##*/c/}" "$T/old.html"
get "$new" >"$T/new.html"
check "the replacement's page says 有效" grep -q '有效' "$T/new.html"

api=$(sed -n 's/^ *\(curl -s http:[^ ]*\)$/\1/p' "$T/log" | head -1)
check "it printed the curl command for the JSON API" [ -n "$api" ]
eval "$api" >"$T/api.json" 2>/dev/null
check "the JSON API answers with the certificate" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
s = json.dumps(d, ensure_ascii=False)
assert sys.argv[2] in s, "serial missing"
' "$T/api.json" "${valid##*/c/}"

chk=$(sed -n 's/^ *\(.*hourseal-verifier check .*\)$/\1/p' "$T/log" | head -1)
check "it printed the offline check command" [ -n "$chk" ]
# The printed paths are relative to where the demo ran ($T).
check "the offline check command passes" eval "$chk >'$T/check.out' 2>&1"

# The practitioner's pages (issue 14): two activation codes and a share
# code, printed; the first code opens the holder's pages; no full ID
# number on the screen.
sbase=$(sed -n 's,^ *\(http://127.0.0.1:[0-9]*\)/my/activate$,\1,p' "$T/log" | head -1)
check "it printed the /my/activate URL of the issuing service" [ -n "$sbase" ]
mapfile -t codes < <(sed -n "/Practitioners' pages:/,\$p" "$T/log" | sed -n 's/^ .* code \([0-9A-Z]\{4\}-[0-9A-Z]\{4\}-[0-9A-Z]\{4\}-[0-9A-Z]\{4\}\)$/\1/p')
check "it printed two activation codes (${#codes[@]})" [ "${#codes[@]}" = 2 ]
mapfile -t ids < <(awk -F'\t' '!/^#/ { print $2 }' "$D/practitioners.txt")
check "their full ID numbers are in practitioners.txt (0600), not on the screen" eval \
	'[ "${#ids[@]}" = 2 ] && [ "$(stat -c %a "$D/practitioners.txt")" = 600 ] &&
	 [ "$(stat -c %a "$D/activation.csv")" = 600 ] &&
	 ! grep -qF -e "${ids[0]}" -e "${ids[1]}" "$T/log"'
jar=$T/p.jar
csrf=$(curl -s -c "$jar" -b "$jar" "$sbase/my/activate" | sed -n 's/.*name="csrf" value="\([A-Za-z0-9_-]*\)".*/\1/p' | head -1)
st=$(curl -s -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" --data-urlencode "csrf=$csrf" \
	--data-urlencode "id=${ids[0]}" --data-urlencode "code=${codes[0]}" \
	--data-urlencode "password=demo test password 1" --data-urlencode "again=demo test password 1" \
	"$sbase/my/activate")
check "the first printed code activates the first practitioner (303)" [ "$st" = 303 ]
name1=$(awk -F'\t' '!/^#/ { print $1; exit }' "$D/practitioners.txt")
check "... whose /my/ page then shows their name" eval \
	'curl -s -b "$jar" "$sbase/my/" | grep -qF "$name1"'
share=$(sed -n 's/^ *share *\(http:[^ ]*\/s\/[0-9A-Z]\{16\}\)$/\1/p' "$T/log" | head -1)
check "it printed a share-code URL" [ -n "$share" ]
get "$share" >"$T/share.html"
check "the share code's report names the first practitioner and says every check passed" eval \
	'grep -qF "$name1" "$T/share.html" && grep -q "全部核验通过" "$T/share.html"'
check "... with their valid certificate" grep -q "${valid##*/c/}" "$T/share.html"
stop
check "Ctrl-C (SIGINT) stops the verifier" eval "! kill -0 $pid 2>/dev/null"
check_fails "nothing answers on port $port any more" curl -s --max-time 2 -o /dev/null "$valid"

# A second run reuses what is there and never touches the key.
sum1=$(sha256sum "$D/keys/demo.key" "$D/data/hourseal.db" | sha256sum)
DEMO_SETUP_ONLY=1 demo >"$T/log2" 2>&1
check "a second run reuses the demo" grep -q 'reusing' "$T/log2"
mv "$D/demo.env" "$D/demo.env.saved"
check_fails "a run over unfinished data refuses" eval 'DEMO_SETUP_ONLY=1 demo >"$T/log3" 2>&1'
check "and says how to start over" grep -q 'DEMO_RESET=1' "$T/log3"
sum2=$(sha256sum "$D/keys/demo.key" "$D/data/hourseal.db" | sha256sum)
check "neither run changed the key or the database" [ "$sum1" = "$sum2" ]
