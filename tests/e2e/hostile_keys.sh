#!/usr/bin/env bash
# Key retirement and compromise are leaves in the log, and the verifier
# takes keys only from the verified log, rooted in its --key (issue 11,
# item 6; formats.md §4, §5; lib/keylog.h).
#
# Issue one certificate, note a time T, issue another; mark the key
# compromised since T (refused while it is the active key: rotate first);
# the key-compromise leaf and a checkpoint signed by the new key are
# logged; the verifier (--key: the first key only) says 有效 for the
# certificate signed before T and 签名无效 with the key reason for the one
# signed after; editing the published database's keys table (un-compromise
# the key, add a key of one's own) changes nothing; serve without --key
# exits 2.
. "$(dirname "$0")/../lib.sh"
scratch
S=$HS_TOP/templates/samples
D=$T/data
KD=$T/keys
OUT=$T/pdfs
Y=2024
A=350981199506020905
B=350582199212247738
C=350582198209062025
q() { sqlite3 "$D/hourseal.db" "$@"; }
quiet() { "$@" >"$T/o" 2>&1 || { sed 's/^/# /' "$T/o" | tail -5; return 1; }; }
run() { "$ISSUER" --data "$D" "$@" >"$T/run.out" 2>"$T/run.err"; }
has() { grep -q -- "$1" "$T/run.out" "$T/run.err"; }
leaves() { q "SELECT count(*) FROM leaves"; }
newpdf() { comm -13 "$T/before" <(ls "$OUT/$Y" | sort) | head -1; }

check "init" quiet "$ISSUER" init --issuer 福建省专业技术人员继续教育中心 --base-url http://127.0.0.1:8080 --policy fujian --origin ledger.hourseal.example.cn/fj "$D" --keys "$KD"
check "keygen k1" quiet "$ISSUER" --data "$D" keygen --no-passphrase k1
check "import" quiet "$ISSUER" --data "$D" import "$S/small.csv" --skip-invalid "$T/rej.csv" --quiet
check "stamp" quiet hr_stamp "$D" 福建省人力资源和社会保障厅 --all
mkdir -p "$OUT/$Y"
ls "$OUT/$Y" | sort >"$T/before"
check "issue A's certificate" quiet "$ISSUER" --data "$D" issue --year $Y --id $A --out "$OUT"
SA=$(newpdf); SA=${SA%.pdf}
sleep 1.1
SINCE=$(date -u +%Y-%m-%dT%H:%M:%SZ)
sleep 1.1
ls "$OUT/$Y" | sort >"$T/before"
check "issue B's certificate after T" quiet "$ISSUER" --data "$D" issue --year $Y --id $B --out "$OUT"
SB=$(newpdf); SB=${SB%.pdf}
check "A was issued before T, B after" test -n "$SA" -a -n "$SB" -a \
	"$(q "SELECT issued FROM certificates WHERE serial = '$SA'")" \< "$SINCE" -a \
	! "$(q "SELECT issued FROM certificates WHERE serial = '$SB'")" \< "$SINCE"
K1=$(cat "$KD/k1.pub")

# The active key cannot sign the checkpoint that logs its own compromise.
n0=$(leaves)
check_fails "compromising the active key is refused" run key compromised k1 --since "$SINCE"
check "and says to rotate first" has "key rotate"
check "nothing was logged" test "$(leaves)" = "$n0"
check "nor written to the keys table" test -z "$(q "SELECT compromised_since FROM keys WHERE label = 'k1'")"

check "rotate to k2 (announced under a checkpoint signed by k1)" run key rotate k2 --no-passphrase
check "the rotation logged k1's retirement as a key-retire leaf" test \
	"$(q "SELECT CAST(entry AS TEXT) FROM leaves WHERE idx = $((n0 + 1))")" = \
	"hourseal/leaf/v1 key-retire $K1 $(q "SELECT retired FROM keys WHERE label = 'k1'")"

n1=$(leaves)
check "key compromised k1 --since T" run key compromised k1 --since "$SINCE"
check "it says the leaf index and the checkpoint size" \
	has "logged: key-compromise leaf $n1, checkpoint of size $((n1 + 2)) signed by k2"
check "the leaf is 'hourseal/leaf/v1 key-compromise <k1> <T>'" test \
	"$(q "SELECT CAST(entry AS TEXT) FROM leaves WHERE idx = $n1")" = \
	"hourseal/leaf/v1 key-compromise $K1 $SINCE"
check "then the audit leaf anchoring the key.compromise row" test \
	"$(q "SELECT CAST(entry AS TEXT) FROM leaves WHERE idx = $((n1 + 1))" | cut -d' ' -f1-3)" = \
	"hourseal/leaf/v1 audit $(q "SELECT seq FROM audit WHERE action = 'key.compromise' AND object = 'k1'")"
check "a checkpoint covers both" test "$(q "SELECT size FROM latest_checkpoint")" = $((n1 + 2))
check "the keys table says the same" test "$(q "SELECT compromised_since FROM keys WHERE label = 'k1'")" = "$SINCE"
check_fails "a later time is refused" run key compromised k1 --since 2099-01-01T00:00:00Z
check "and logs nothing" test "$(leaves)" = $((n1 + 2))
check_fails "a time that is not canonical RFC 3339 is refused" run key retire k2 --at 2025-01-01T00:00:00+08:00
check "audit passes (every checkpoint consistent with the last)" quiet "$ISSUER" --data "$D" audit

ls "$OUT/$Y" | sort >"$T/before"
check "issue C's certificate, signed by k2" quiet "$ISSUER" --data "$D" issue --year $Y --id $C --out "$OUT"
SC=$(newpdf); SC=${SC%.pdf}
check_fails "retiring k1 again is refused (the rotation retired it)" run key retire k1
n2=$(leaves)
check "retire k2, the active key: it signs the checkpoint that logs its own retirement" run key retire k2
check "it says the leaf index and the checkpoint size" \
	has "logged: key-retire leaf $n2, checkpoint of size $((n2 + 2)) signed by k2"
check "the leaf is 'hourseal/leaf/v1 key-retire <k2> <time>'" test \
	"$(q "SELECT CAST(entry AS TEXT) FROM leaves WHERE idx = $n2")" = \
	"hourseal/leaf/v1 key-retire $(cat "$KD/k2.pub") $(q "SELECT retired FROM keys WHERE label = 'k2'")"
check "and says no key is active now" has "no key is active"
check "publish" quiet "$ISSUER" --data "$D" publish "$T/site"

# serve without --key: a usage error, exit 2, nothing served.
timeout 5 "$VERIFIER" serve --db "$T/site/verifier.db" --listen 127.0.0.1:0 >"$T/nokey.out" 2>&1
rc=$?
check "serve without --key exits 2" test "$rc" = 2
check "and says --key is required" grep -q -- "--key FILE is required" "$T/nokey.out"

check "server starts with --key k1.pub only" start_server --db "$T/site/verifier.db" --key "$KD/k1.pub" --rate 0
curl -s "$URL/c/$SA" >"$T/a.html"
curl -s "$URL/c/$SB" >"$T/b.html"
check "the certificate signed before T: 有效" grep -q '<span class="big">有效·' "$T/a.html"
check "the certificate signed after T: 签名无效" grep -q '<span class="big">签名无效</span>' "$T/b.html"
check "with the key reason" grep -q 'compromised' "$T/b.html"
curl -s "$URL/c/$SC" >"$T/c.html"
check "the certificate signed by k2 (known only from the log): 有效" grep -q '<span class="big">有效·' "$T/c.html"
curl -s -F "file=@$OUT/$Y/$SA.pdf" -F format=json "$URL/api/v1/verify" >"$T/ua.json"
check "A's PDF uploaded: authentic (its receipt's checkpoint is k1's, vouched by the verified ledger)" \
	python3 -c "import json; j=json.load(open('$T/ua.json')); assert j['outcome'] == 'authentic', j"
curl -s -F "file=@$OUT/$Y/$SB.pdf" -F format=json "$URL/api/v1/verify" >"$T/ub.json"
check "B's PDF uploaded: invalid, because of the compromised key" \
	python3 -c "import json; j=json.load(open('$T/ub.json')); assert j['outcome'] == 'invalid' and 'compromised' in j['problem'], j"
curl -s "$URL/keys" >"$T/keys.txt"
check "/keys: k1 compromised since T, from the log" grep -q "^$K1 .*compromised=$SINCE" "$T/keys.txt"
check "/keys: k2 learned from the log, retired" grep -q "^$(cat "$KD/k2.pub") .*retired=" "$T/keys.txt"
check "/checkpoint: the latest, signed by k2 (after its own retirement entry)" test \
	"$(curl -s "$URL/checkpoint" | sed -n 2p)" = "$(q "SELECT size FROM latest_checkpoint")"
stop_server

# Someone who can write the published file edits its keys table: the
# compromise is taken back and a key of their own is added. A rogue issuer
# of the same origin signs a certificate with that key.
R=$T/rogue
check "a rogue issuer, same origin" quiet "$ISSUER" init --issuer 福建省专业技术人员继续教育中心 --base-url http://127.0.0.1:8080 --policy fujian --origin ledger.hourseal.example.cn/fj "$R" --keys "$T/rkeys"
check "with its own key r1" quiet "$ISSUER" --data "$R" keygen --no-passphrase r1
quiet "$ISSUER" --data "$R" import "$S/small.csv" --skip-invalid "$T/rej.csv" --quiet
quiet hr_stamp "$R" 福建省人力资源和社会保障厅 --all
check "signs a certificate" quiet "$ISSUER" --data "$R" issue --year $Y --id $A --out "$T/rout"
RPDF=$(ls "$T/rout/$Y"/*.pdf | head -1)
cp "$T/site/verifier.db" "$T/tampered.db"
sqlite3 "$T/tampered.db" "DROP TRIGGER keys_compromise_earlier;
	UPDATE keys SET compromised_since = NULL WHERE label = 'k1';
	INSERT INTO keys (label, vkey, created, not_before)
	VALUES ('r1', '$(cat "$T/rkeys/r1.pub")', '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z');"
check "the tampered table: k1 not compromised, r1 listed" test \
	"$(sqlite3 "$T/tampered.db" "SELECT count(*) FROM keys WHERE compromised_since IS NULL")" = 3
check "server on the tampered file starts" start_server --db "$T/tampered.db" --key "$KD/k1.pub" --rate 0
curl -s "$URL/c/$SB" >"$T/b2.html"
check "B is still 签名无效 (the log's compromise stands)" grep -q '<span class="big">签名无效</span>' "$T/b2.html"
curl -s "$URL/keys" >"$T/keys2.txt"
check_fails "/keys does not list the table-only key" grep -qF "$(cat "$T/rkeys/r1.pub")" "$T/keys2.txt"
check "/keys still says k1 is compromised" grep -q "compromised=$SINCE" "$T/keys2.txt"
curl -s -F "file=@$RPDF" -F format=json "$URL/api/v1/verify" >"$T/rogue.json"
check "a PDF signed by the table-only key is not ours" python3 -c "
import json; j=json.load(open('$T/rogue.json'))
assert j['outcome'] == 'not_issued_by_us', j"
stop_server

# Serving the rogue issuer's own database with our key trusts nothing.
check "publish the rogue database" quiet "$ISSUER" --data "$R" publish "$T/rsite"
check "server on the rogue database starts" start_server --db "$T/rsite/verifier.db" --key "$KD/k1.pub" --rate 0
RS=$(basename "$RPDF" .pdf)
curl -s "$URL/c/$RS" >"$T/r.html"
check_fails "its certificate is not 有效" grep -q '<span class="big">有效·' "$T/r.html"
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/checkpoint")
check_fails "its checkpoint (signed by r1) is not served as verified" test "$code" = 200
stop_server
