#!/usr/bin/env bash
# A verifier never goes back (service.md §7). Serve a published
# verifier.db, revoke and publish again (已撤销), then put the previous copy
# back (a stale rsync, a restored backup): the page must not say 有效
# again. While running it keeps answering from the last checkpoint it
# verified and says so (stderr once, /healthz body, /metrics); after a
# restart on the old file it answers 503 暂时无法核验 everywhere, from the
# state file (0600) it keeps beside the database. A fork (same size,
# another root, same key) and a larger checkpoint that does not extend the
# remembered one are refused too, on stderr. A tampered or group-writable
# state file stops the start.
. "$(dirname "$0")/../lib.sh"
scratch
D=$T/issuer
P=$T/pub
DB=$P/verifier.db
ST=$DB.state
q() { sqlite3 "$1" "$2"; }
quiet() { "$@" >"$T/o" 2>&1 || { sed 's/^/# /' "$T/o" | tail -5; return 1; }; }
page() { curl -s -m 5 "$URL/c/$1"; }
code() { curl -s -m 5 -o "$T/body" -w '%{http_code}' "$@"; }
# wait_for SECONDS COMMAND...: until the command succeeds.
wait_for() {
	local n=$(( $1 * 10 )); shift
	for _ in $(seq 1 "$n"); do "$@" && return 0; sleep 0.1; done
	return 1
}
says() { page "$1" | grep -qE "<span class=\"big\">$2(·|<|（)"; }
metric() { curl -s -m 5 "$URL/metrics" | sed -n "s/^$1 //p"; }
# install FILE: put a copy in place the way rsync does (a new inode).
install() { cp "$1" "$DB.tmp.$$" && mv -f "$DB.tmp.$$" "$DB"; }
refused_lines() { grep -c 'REFUSED' "$T/err" || true; }
# said PATTERN: after a request (the verifier looks at its file when asked).
said() { curl -s -m 5 -o /dev/null "$URL/c/$S"; grep -q "$1" "$T/err"; }

check "init" quiet "$ISSUER" init --issuer 福建省专业技术人员继续教育中心 --policy fujian --origin ledger.hourseal.example.cn/fj "$D" --keys "$T/keys" --base-url http://127.0.0.1:1
quiet "$ISSUER" --data "$D" keygen --no-passphrase k1
quiet "$ISSUER" --data "$D" import "$HS_TOP/templates/samples/small.csv" --skip-invalid "$T/rej.csv" --quiet
quiet hr_stamp "$D" 福建省人力资源和社会保障厅 --all
check "issue" quiet "$ISSUER" --data "$D" issue --year 2024 --all --out "$T/pdfs"
check "publish (1)" quiet "$ISSUER" --data "$D" publish "$P"
cp "$DB" "$T/old.db"
cp -a "$D" "$T/forkdir"          # the same log and key, for a fork below
mapfile -t SER < <(q "$D/hourseal.db" "SELECT serial FROM certificates ORDER BY serial")
S=${SER[0]}
n1=$(q "$DB" "SELECT size FROM latest_checkpoint")

check "server starts on the published copy" start_server --db "$DB" --key "$T/keys/k1.pub" --rate 0 --no-sweep
trap 'kill -TERM $PID 2>/dev/null; rm -rf "$T"' EXIT
check "the page says 有效" says "$S" 有效
check "state file written beside the database" test -f "$ST"
check "  mode 0600" [ "$(stat -c %a "$ST")" = 600 ]
check "  holding the checkpoint (size $n1)" grep -qx "size $n1" "$ST"
check "  and its signed note" grep -q '^— ' "$ST"

check "revoke" quiet "$ISSUER" --data "$D" revoke "$S" --reason error --note test
check "publish (2)" quiet "$ISSUER" --data "$D" publish "$P"
cp "$DB" "$T/new.db"
n2=$(q "$DB" "SELECT size FROM latest_checkpoint")
check "the page says 已撤销 (size $n2)" wait_for 5 says "$S" 已撤销
check "state file remembers size $n2" wait_for 3 grep -qx "size $n2" "$ST"
check "no refusal so far" [ "$(refused_lines)" = 0 ]

# 1. Roll back while running: the old file comes back.
install "$T/old.db"
sleep 2.5
bad=0
for _ in $(seq 1 20); do
	says "$S" 有效 && bad=1
	curl -s -m 5 "$URL/api/v1/certificates/$S" | grep -q '"status":"valid"' && bad=1
done
check "after the rollback the page never says 有效 again" [ $bad = 0 ]
check "  it still says 已撤销 (the last verified checkpoint)" says "$S" 已撤销
check "  one REFUSED line on stderr for 40 requests" [ "$(refused_lines)" = 1 ]
check "  naming the rollback" grep -q "REFUSED.*(rollback).*size $n1.*older.*size $n2" "$T/err"
c=$(code "$URL/healthz")
check "  /healthz 200 but says the database is stale ($c)" \
	sh -c "[ $c = 200 ] && grep -q 'stale' '$T/body' && grep -q 'refused' '$T/body'"
check "  /metrics: hourseal_ledger_rollback_refused 1" [ "$(metric hourseal_ledger_rollback_refused)" = 1 ]
check "  /metrics: remembered size $n2" [ "$(metric hourseal_ledger_remembered_size)" = "$n2" ]
check "  /metrics: database size $n1" [ "$(metric hourseal_ledger_database_size)" = "$n1" ]
check "  /metrics: serving size $n2" [ "$(metric hourseal_ledger_serving_size)" = "$n2" ]
check "  /checkpoint is still the newer one (size $n2)" \
	sh -c "curl -s -m 5 '$URL/checkpoint' | sed -n 2p | grep -qx '$n2'"
check "  the state file still says size $n2" grep -qx "size $n2" "$ST"

# 2. Restart on the old file: nothing verified in memory, so 503.
stop_server
check "server restarts on the old file" start_server --db "$DB" --key "$T/keys/k1.pub" --rate 0 --no-sweep
c=$(code "$URL/c/$S")
check "  the page answers 503 ($c)" [ "$c" = 503 ]
check "  saying 暂时无法核验" grep -q '暂时无法核验' "$T/body"
check "  and not 有效 nor 签名无效" sh -c "! grep -q -e 'class=\"big\">有效' -e '签名无效' '$T/body'"
c=$(code "$URL/api/v1/certificates/$S")
check "  the API answers 503 ($c)" [ "$c" = 503 ]
check "  with status unavailable" grep -q '"status":"unavailable"' "$T/body"
c=$(code "$URL/api/v1/certificates/${SER[1]}")
check "  every certificate: another one is 503 too ($c)" [ "$c" = 503 ]
c=$(code -H 'Content-Type: application/pdf' --data-binary "@$T/pdfs/2024/${SER[1]}.pdf" "$URL/api/v1/verify")
check "  an upload is 503 ($c)" [ "$c" = 503 ]
c=$(code "$URL/checkpoint")
check "  /checkpoint is 503 ($c)" [ "$c" = 503 ]
c=$(code "$URL/healthz")
check "  /healthz is 503 ($c) with the reason" \
	sh -c "[ $c = 503 ] && grep -q 'older than the one this verifier verified before' '$T/body'"
check "  /metrics: refused as a rollback, serving nothing" \
	sh -c "[ '$(metric hourseal_ledger_rollback_refused)' = 1 ] && [ '$(metric hourseal_ledger_serving_size)' = 0 ]"
check "  stderr says it" grep -q "REFUSED.*(rollback).*503" "$T/err"

# 3. The newer file is back: served again, the refusal cleared.
install "$T/new.db"
check "  the newer file: 已撤销 again" wait_for 5 says "$S" 已撤销
# (each serving thread looks at the file at most once a second)
check "  /healthz 200" wait_for 3 sh -c "[ \$(curl -s -o /dev/null -w '%{http_code}' '$URL/healthz') = 200 ]"
check "  /metrics: not refused any more" [ "$(metric hourseal_ledger_rollback_refused)" = 0 ]

# 4. A fork: the copied issuer revokes another certificate with the same
#    key: the same size, another root.
F=$T/forkdir
check "fork: revoke another certificate in the copy" \
	quiet "$ISSUER" --data "$F" revoke "${SER[2]}" --reason error --note fork
check "fork: publish" quiet "$ISSUER" --data "$F" publish "$T/fork1"
check "  the fork has the same size ($n2)" [ "$(q "$T/fork1/verifier.db" "SELECT size FROM latest_checkpoint")" = "$n2" ]
install "$T/fork1/verifier.db"
check "  stderr names the fork" wait_for 5 said "REFUSED.*(fork).*contradicts"
check "  /metrics: refused{reason=fork} 1" \
	wait_for 3 sh -c "curl -s '$URL/metrics' | grep -qx 'hourseal_ledger_refused{reason=\"fork\"} 1'"
check "  our revocation still shown" says "$S" 已撤销

# 5. Larger, but not an extension of the remembered checkpoint.
quiet "$ISSUER" --data "$F" revoke "${SER[3]}" --reason error --note fork2
check "inconsistent: publish a larger fork" quiet "$ISSUER" --data "$F" publish "$T/fork2"
n3=$(q "$T/fork2/verifier.db" "SELECT size FROM latest_checkpoint")
check "  it is larger ($n3 > $n2)" [ "$n3" -gt "$n2" ]
install "$T/fork2/verifier.db"
check "  stderr: does not extend" wait_for 5 said "REFUSED.*(inconsistent).*does not extend"
check "  still 已撤销 from the last verified checkpoint" says "$S" 已撤销
check "  state file still at size $n2" grep -qx "size $n2" "$ST"
stop_server

# A restart on the larger fork: refused from the state file alone.
check "restart on the larger fork" start_server --db "$DB" --key "$T/keys/k1.pub" --rate 0 --no-sweep
c=$(code "$URL/c/$S")
check "  503 ($c)" [ "$c" = 503 ]
check "  stderr: inconsistent with the remembered checkpoint" grep -q "REFUSED.*(inconsistent)" "$T/err"
stop_server

# The state file itself: tampered, or writable by others, stops the start.
install "$T/new.db"
cp "$ST" "$T/state.good"
sed -i "s/^size $n2\$/size $((n2 + 5))/" "$ST"
timeout 10 "$VERIFIER" serve --listen 127.0.0.1:0 --db "$DB" --key "$T/keys/k1.pub" >"$T/o" 2>&1
check "a state file whose header disagrees with its note: exit 2" [ $? = 2 ]
check "  naming the state file" grep -q "$ST" "$T/o"
cp "$T/state.good" "$ST"
python3 - "$ST" <<'PY'
import sys
p = sys.argv[1]; b = bytearray(open(p, 'rb').read())
i = len(b) - 6   # inside the last signature's base64
b[i] = ord('A') if b[i] != ord('A') else ord('B')
open(p, 'wb').write(b)
PY
timeout 10 "$VERIFIER" serve --listen 127.0.0.1:0 --db "$DB" --key "$T/keys/k1.pub" >"$T/o" 2>&1
check "a state file whose note does not verify: exit 2" [ $? = 2 ]
check "  saying so" grep -q 'remembered checkpoint does not verify' "$T/o"
cp "$T/state.good" "$ST"
chmod 0664 "$ST"
timeout 10 "$VERIFIER" serve --listen 127.0.0.1:0 --db "$DB" --key "$T/keys/k1.pub" >"$T/o" 2>&1
check "a group-writable state file: exit 2" [ $? = 2 ]
check "  naming the state file" grep -q "$ST" "$T/o"
chmod 0600 "$ST"
check "--state FILE elsewhere: written there on first use" \
	start_server --db "$DB" --key "$T/keys/k1.pub" --rate 0 --no-sweep --state "$T/elsewhere.state"
check "  mode 0600" [ "$(stat -c %a "$T/elsewhere.state" 2>/dev/null)" = 600 ]
check "  trust on first use said on stderr" grep -q 'on first use' "$T/err"
stop_server
