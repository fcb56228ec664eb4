#!/usr/bin/env bash
# Crash safety of the issuing service (issue 13): while one loop stamps
# records through the console (POST /admin/records/stamp with a signed-in
# hr session) and another issues certificates through POST /api/v1/issue
# with an hr token, the service and its signer are killed with SIGKILL at
# random moments (ROUNDS times) and restarted; then a last run finishes
# the work. Afterwards: every record's state is that of its latest stamps
# row (records.stamp_id), stamps rows and record.stamp audit rows match
# one to one, every stamp and certificate the service answered for is
# there (nothing lost), every certificate has its own ledger leaf, no
# holder/year has two valid certificates (an older one only if revoked as
# superseded), every PDF listed exists with its recorded SHA-256, and
# `hourseal-issuer audit` (ledger + audit chain) exits 0. Then the CLI
# works next to the running service on the same data directory: `stamp
# --account`, `issue` and `revoke` from the shell succeed and the service
# shows each result.
. "$(dirname "$0")/../lib.sh"
scratch
. "$HS_TOP/tests/serve_lib.sh"
command -v oathtool >/dev/null || { notok "oathtool is installed (scripts/deps.sh test)"; exit 1; }
N=${SERVE_CRASH_N:-16}
ROUNDS=${SERVE_CRASH_ROUNDS:-6}
RANDOM=${SERVE_CRASH_SEED:-20261206}   # the same kill delays every run
D=$T/data
DB=$D/hourseal.db
Y=2024
ORG=福建省人力资源和社会保障厅
# face: every course face to face (form 2, over 20 days: under the daily
# cap), so that none is stamped automatically at import and every record
# waits for the console.
face() { awk -F, -v OFS=, 'NR > 1 { $7 = 2; $10 = "2024-05-01"; $11 = "2024-05-20" } { print }'; }
q() { sqlite3 -cmd '.timeout 5000' "$DB" "$@"; }

"$ISSUER" init --issuer 福建省专业技术人员继续教育中心 --base-url http://127.0.0.1:8080 --policy fujian --origin ledger.hourseal.example.cn/fj "$D" --keys "$T/keys" >"$T/log" 2>&1 &&
	"$ISSUER" --data "$D" keygen --no-passphrase k1 >>"$T/log" 2>&1 &&
	python3 "$HS_TOP/tests/data/gen_bulk.py" "$N" $Y | face >"$T/bulk.csv" &&
	"$ISSUER" --data "$D" import "$T/bulk.csv" --quiet >>"$T/log" 2>&1 &&
	# Every unit in 350203 (the title system's scope does not cover '').
	tail -n +2 "$T/bulk.csv" | cut -d, -f3 | sort -u | while read -r u; do
		"$ISSUER" --data "$D" unit set "$u" 350203 >>"$T/log" 2>&1 || exit 1
	done
check "set up $N practitioners, records waiting" test $? -eq 0 || { cat "$T/log"; exit 0; }
HR=$("$ISSUER" --data "$D" token add --role hr --scope 35 --label crash-hr | grep '^hst_')
TS=$("$ISSUER" --data "$D" token add --role title-system --scope 35 --label crash-ts | grep '^hst_')
check "an hr and a title-system token" test -n "$HR" -a -n "$TS"

SERVE_ARGS="--signin-burst 1000 --rate 0 --api-rate 0"
check "the service starts" serve_start "$D" || exit 0
check "a province-level hr account signs in (console session)" \
	account "$D" fjhr hr 35 "$ORG"
J=$T/fjhr.jar

# stamp_loop: ticks up to 4 waiting records (holder by holder) on the
# queue page and stamps them; each batch the service confirmed (303, n=the count) goes to
# $T/stamped.ok. Runs until no record waits or the service is gone.
stamp_loop() {
	local ids args c st
	while [ "$SECONDS" -lt "$until" ]; do
		ids=$(q "SELECT id FROM records WHERE state = 'waiting'
			ORDER BY practitioner_id, id LIMIT 4")
		[ -n "$ids" ] || return 0
		c=$(page_csrf "$J" /admin/records) || return 0
		[ -n "$c" ] || return 0
		args=(); for i in $ids; do args+=("id=$i"); done
		st=$(post_form_c "$J" /admin/records/stamp "$c" "${args[@]}") || return 0
		case $st in
		303) grep -qi "^Location: .*done=stamp&n=$(echo $ids | wc -w)" "$T/headers" &&
			echo $ids | tr ' ' '\n' >>"$T/stamped.ok" ;;
		000) return 0 ;;
		esac
	done
}
# issue_loop: issues for a holder whose records are all stamped (now and
# then one already issued: must change nothing); each certificate the
# service confirmed goes to $T/issued.ok. Runs until every holder has
# one, the service is gone or $until.
issue_loop() {
	local id st n=0 ser
	while [ "$SECONDS" -lt "$until" ]; do
		n=$((n + 1))
		if [ $((n % 4)) = 0 ]; then
			id=$(q "SELECT p.id_number FROM practitioners p JOIN certificates c
				ON c.practitioner_id = p.id ORDER BY random() LIMIT 1")
		else
			id=$(q "SELECT p.id_number FROM practitioners p WHERE NOT EXISTS
				(SELECT 1 FROM records r WHERE r.practitioner_id = p.id AND
				r.state = 'waiting') AND NOT EXISTS (SELECT 1 FROM certificates c
				WHERE c.practitioner_id = p.id) ORDER BY random() LIMIT 1")
		fi
		if [ -z "$id" ]; then
			[ "$(q "SELECT count(*) FROM practitioners p WHERE NOT EXISTS
				(SELECT 1 FROM certificates c WHERE c.practitioner_id = p.id)")" = 0 ] &&
				return 0
			sleep 0.05; continue
		fi
		st=$(curl -s -o "$T/ib" -w '%{http_code}' -X POST -H "Authorization: Bearer $HR" \
			-H "Content-Type: application/json" \
			--data-binary '{"id_number":"'"$id"'","year":'$Y'}' "$SURL/api/v1/issue")
		case $st in
		200) ser=$(jq -r 'select(.issued == 1) | .serial' "$T/ib")
			[ -n "$ser" ] && echo "$ser" >>"$T/issued.ok" ;;
		000) return 0 ;;
		*) echo "# issue: $st $(head -c 200 "$T/ib")" >>"$T/issue.log" ;;
		esac
	done
}
: >"$T/stamped.ok"; : >"$T/issued.ok"

kills=0
until=$((SECONDS + 60))
for r in $(seq 1 "$ROUNDS"); do
	[ "$r" = 1 ] || serve_start "$D" || { notok "restart $r: $(cat "$T/serve.err")"; break; }
	signer=$(sed -n 's/.*hourseal-signer: pid \([0-9]*\) holds key.*/\1/p' "$T/serve.err")
	stamp_loop & sp=$!
	issue_loop & ip=$!
	# Killed 0.3 to 1.8 s after the loops start.
	sleep "$(printf '0.%d' $((RANDOM % 10)))"; sleep "$(printf '0.%d' $((3 + RANDOM % 7)))"
	sleep "$(printf '0.%d' $((RANDOM % 10)))"
	if kill -KILL "$SPID" 2>/dev/null; then kills=$((kills + 1)); fi
	[ -n "$signer" ] && kill -KILL "$signer" 2>/dev/null
	wait "$SPID" 2>/dev/null; SPID=
	wait "$sp" "$ip" 2>/dev/null
done
check "the service and its signer were killed $kills times (of $ROUNDS) mid-work" \
	test "$kills" = "$ROUNDS"
stamped_mid=$(wc -l <"$T/stamped.ok"); issued_mid=$(wc -l <"$T/issued.ok")
check "work was done between the kills ($stamped_mid stamps, $issued_mid certificates confirmed)" \
	test "$stamped_mid" -gt 0 -a "$issued_mid" -gt 0

# The last run finishes the work, without kills.
check "the service restarts after the last kill" serve_start "$D" || exit 0
until=$((SECONDS + 30))
stamp_loop
issue_loop
st=$(curl -s -o "$T/ib" -w '%{http_code}' -X POST -H "Authorization: Bearer $HR" \
	-H "Content-Type: application/json" --data-binary \
	'{"id_number":"'"$(q 'SELECT id_number FROM practitioners LIMIT 1')"'","year":'$Y'}' \
	"$SURL/api/v1/issue")
check "issuing for an issued holder again changes nothing ($st, issued 0)" \
	test "$st" = 200 -a "$(jq .issued "$T/ib")" = 0
[ -s "$T/issue.log" ] && head -5 "$T/issue.log"

# ---- the checks ----
check "every record is stamped now" test "$(q "SELECT count(*) FROM records WHERE state <> 'stamped'")" = 0
check "every record's stamp_id is its latest stamps row" test "$(q "SELECT count(*) FROM records r
	WHERE r.stamp_id IS NOT (SELECT max(s.id) FROM stamps s WHERE s.record_id = r.id)")" = 0
check "every record's state is its latest stamp's decision" test "$(q "SELECT count(*) FROM records r
	JOIN stamps s ON s.id = r.stamp_id WHERE s.decision <> r.state")" = 0
check "one stamps row per record (none half-stamped, none twice)" \
	test "$(q "SELECT count(*) FROM stamps")" = "$(q "SELECT count(*) FROM records")"
check "stamps rows = record.stamp audit rows ($(q "SELECT count(*) FROM stamps"))" \
	test "$(q "SELECT count(*) FROM stamps WHERE decision = 'stamped'")" = \
	"$(q "SELECT count(*) FROM audit WHERE action = 'record.stamp'")"
check "every stamped record has its record.stamp audit row (by ref)" test "$(q "SELECT count(*)
	FROM records r WHERE NOT EXISTS (SELECT 1 FROM audit a WHERE a.action = 'record.stamp'
	AND a.object = r.ref)")" = 0
lost=0
for i in $(sort -u "$T/stamped.ok"); do
	[ "$(q "SELECT state FROM records WHERE id = $i")" = stamped ] || lost=$((lost + 1))
done
check "no confirmed stamp lost ($(sort -u "$T/stamped.ok" | wc -l) confirmed)" test "$lost" = 0
check "every stamp by the console account" test "$(q "SELECT count(*) FROM stamps
	WHERE account <> 'fjhr' OR authority <> '$ORG'")" = 0

check "every holder has a certificate" test "$(q "SELECT count(DISTINCT practitioner_id)
	FROM certificates")" = "$N"
lost=0
for s in $(sort -u "$T/issued.ok"); do
	[ "$(q "SELECT count(*) FROM certificates WHERE serial = '$s'")" = 1 ] || lost=$((lost + 1))
done
check "no confirmed certificate lost ($(sort -u "$T/issued.ok" | wc -l) confirmed)" test "$lost" = 0
check "every certificate's leaf exists, once" test "$(q "SELECT count(*) FROM certificates c
	JOIN leaves l ON l.idx = c.leaf_index")" = "$(q "SELECT count(DISTINCT leaf_index) FROM certificates")" \
	-a "$(q "SELECT count(DISTINCT leaf_index) FROM certificates")" = "$(q "SELECT count(*) FROM certificates")"
check "no certificate and revocation share a leaf" test "$(q "SELECT count(*) FROM revocations v
	JOIN certificates c ON c.leaf_index = v.leaf_index")" = 0
check "no holder/year has two valid certificates" test -z "$(q "SELECT practitioner_id, year
	FROM certificates c WHERE NOT EXISTS (SELECT 1 FROM revocations v WHERE v.serial = c.serial)
	GROUP BY practitioner_id, year HAVING count(*) > 1")"
check "every revoked one was superseded by another" test "$(q "SELECT count(*) FROM revocations
	WHERE reason <> 'superseded' OR replaced_by IS NULL")" = 0
check "cert.issue audit rows = certificates" test "$(q "SELECT count(*) FROM audit
	WHERE action = 'cert.issue'")" = "$(q "SELECT count(*) FROM certificates")"
bad=0
while IFS='|' read -r f h; do
	[ -f "$f" ] && [ "$(sha256sum <"$f" | cut -c1-64)" = "$h" ] || { bad=$((bad + 1)); echo "# $f"; }
done < <(q "SELECT pdf_file, pdf_sha256 FROM certificates")
check "every PDF listed exists with its SHA-256 ($(q "SELECT count(*) FROM certificates") certificates)" \
	test "$bad" = 0 -a -z "$(q "SELECT serial FROM certificates WHERE pdf_file IS NULL
	OR pdf_sha256 IS NULL OR pdf_sha256 = ''")"
check "no temporary file left in the PDF directory" test -z "$(find "$D/pdfs" -name '.*' -type f -o -name '*.tmp*')"
"$ISSUER" --data "$D" audit >"$T/audit.out" 2>&1
check "hourseal-issuer audit exits 0 (ledger and audit chain)" test $? -eq 0 || head -5 "$T/audit.out"

# ---- the CLI next to the running service ----
hours() { # hours ID: the serials /api/v1/hours lists for ID in $Y
	curl -s -X POST -H "Authorization: Bearer $TS" -H "Content-Type: application/json" \
		--data-binary '{"id_number":"'"$1"'","years":['$Y']}' "$SURL/api/v1/hours" |
		jq -r '.years[0].serials[]?'
}
python3 "$HS_TOP/tests/data/gen_bulk.py" 1 $Y 99 | face | sed 's/BULK-/LATE-/' >"$T/late.csv"
"$ISSUER" --data "$D" import "$T/late.csv" --quiet >"$T/cli.log" 2>&1
LID=$(sed -n 2p "$T/late.csv" | cut -d, -f1)
ref=$(sed -n 2p "$T/late.csv" | awk -F, '{ print $NF }')
rid=$(q "SELECT id FROM records WHERE ref = '$ref'")
check "import while serve runs" test -n "$rid"
check "stamp --account from the shell while serve runs" \
	"$ISSUER" --data "$D" stamp --account fjhr --ref "$ref" >>"$T/cli.log"
http_code "$J" GET "/admin/records?state=stamped&year=$Y&after=$((rid - 1))" >/dev/null
check "the console lists it as stamped" grep -q ">$ref<" "$T/body"
"$ISSUER" --data "$D" stamp --account fjhr --all >>"$T/cli.log" 2>&1
"$ISSUER" --data "$D" issue --year $Y --id "$LID" --out "$D/pdfs" --quiet >>"$T/cli.log" 2>&1
check "issue from the shell while serve runs" test $? -eq 0
LS=$(q "SELECT c.serial FROM certificates c JOIN practitioners p ON p.id = c.practitioner_id
	WHERE p.id_number = '$LID'")
got=$(hours "$LID")
check "the service lists its serial ($LS: $got)" test -n "$LS" -a "$got" = "$LS"
check "revoke from the shell while serve runs" \
	"$ISSUER" --data "$D" revoke "$LS" --reason error --note "crash test" >>"$T/cli.log"
check "the service no longer lists it" test -z "$(hours "$LID")"
st=$(curl -s -o "$T/ib" -w '%{http_code}' -X POST -H "Authorization: Bearer $HR" \
	-H "Content-Type: application/json" --data-binary '{"serial":"'"$LS"'","reason":"error"}' \
	"$SURL/api/v1/revoke")
check "and refuses to revoke it again (409)" test "$st" = 409
"$ISSUER" --data "$D" audit >"$T/audit.out" 2>&1
check "hourseal-issuer audit still exits 0" test $? -eq 0 || head -5 "$T/audit.out"
check "the service is still up" test "$(curl -s -o /dev/null -w '%{http_code}' "$SURL/healthz")" = 200
if [ -n "${SERVE_CRASH_KEEP:-}" ]; then cp -r "$T" "$SERVE_CRASH_KEEP"; fi
