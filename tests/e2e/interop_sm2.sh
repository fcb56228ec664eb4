#!/usr/bin/env bash
# SM2/SM3 note signatures (formats.md §5, issue 16): `keygen --alg sm2`,
# a batch issued with it, rotation Ed25519 -> SM2 -> Ed25519 in one log,
# `check` and the verifier service accepting certificates of both types;
# interop both ways with two implementations independent of OpenSSL and
# of each other: Go's github.com/tjfoc/gmsm/sm2 (Debian, Sm2Sign /
# Sm2Verify with the explicit uid; tests/interop/sm2check) and sm-crypto
# from npm (doSignature / doVerifySignature with userId;
# tests/interop/sm2.js). A signature made with an empty ID -- OpenSSL's and
# gmsm's high-level default -- is rejected.
. "$(dirname "$0")/../lib.sh"
scratch
S=$HS_TOP/templates/samples
D=$T/data
KD=$T/keys
O=ledger.hourseal.example.cn/fj
SC=$("$HS_TOP/tests/interop/build_sm2.sh" "$HS_BUILD/interop") || {
	notok "build the gmsm checker (tests/interop/build_sm2.sh)"; exit 1; }
export NODE_PATH=$HS_TOP/tests/browser/node_modules
JS="node $HS_TOP/tests/interop/sm2.js"
TS=$HS_BUILD/tests/test_sm2
q() { sqlite3 "$D/hourseal.db" "$@"; }
quiet() { "$@" >"$T/o" 2>&1 || { sed 's/^/# /' "$T/o" | tail -5; return 1; }; }

# ---- the issuer with SM2 keys ----
check "init" quiet "$ISSUER" init "$D" --issuer 福建省专业技术人员继续教育中心 --policy fujian --base-url http://127.0.0.1:8080 --keys "$KD" --origin "$O"
check_fails "keygen --alg with an unknown algorithm is refused" quiet "$ISSUER" --data "$D" keygen k0 --no-passphrase --alg rsa
check "keygen k1 (Ed25519)" quiet "$ISSUER" --data "$D" keygen k1 --no-passphrase
check "import the small sample" quiet "$ISSUER" --data "$D" import "$S/small.csv" --skip-invalid "$T/rej.csv" --quiet
check "stamp" quiet hr_stamp "$D" 福建省人力资源和社会保障厅 --all
check "issue a batch with k1 (2024)" quiet "$ISSUER" --data "$D" issue --year 2024 --all --out "$T/o1"
n1=$(q "SELECT count(*) FROM certificates WHERE key_label = 'k1'")
check "k1 signed $n1 certificates" test "$n1" -gt 0
check "key rotate k2 --alg sm2 (k1 vouches for it)" quiet "$ISSUER" --data "$D" key rotate k2 --alg sm2 --no-passphrase
check "  and says it is SM2" grep -q '^key k2 (SM2)' "$T/o"
VK2=$(cat "$KD/k2.pub")
check "k2.pub is an SM2 verifier key: type 0xff then the OID of SM2-with-SM3" python3 -c "
import base64,sys; k=base64.b64decode(sys.argv[1].split('+',2)[2])
assert len(k)==76 and k[:11]==bytes.fromhex('ff06082a811ccf55018375') and k[11]==4, k.hex()" "$VK2"
check "k2.key is a PKCS#8 SM2 key (openssl: ASN1 OID SM2)" bash -c \
	"openssl pkey -in '$KD/k2.key' -noout -text 2>/dev/null | grep -q 'ASN1 OID: SM2'"
check "the ledger logged k2 under a checkpoint" test "$(q "SELECT count(*) FROM leaves WHERE
	CAST(entry AS TEXT) LIKE 'hourseal/leaf/v1 key $VK2 %'")" = 1
check "issue a batch with k2 (SM2, 2025)" quiet "$ISSUER" --data "$D" issue --year 2025 --all --out "$T/o2"
n2=$(q "SELECT count(*) FROM certificates WHERE key_label = 'k2'")
check "k2 signed $n2 certificates" test "$n2" -gt 0
check "key rotate k3 back to Ed25519 (the SM2 key vouches for it)" quiet "$ISSUER" --data "$D" key rotate k3 --alg ed25519 --no-passphrase
check "issue a batch with k3 (2026)" quiet "$ISSUER" --data "$D" issue --year 2026 --all --out "$T/o3"
check "key list shows all three" bash -c "'$ISSUER' --data '$D' key list | grep -c '^k[123]	' | grep -qx 3"

# Checkpoints: signed by the SM2 key while it was active.
q "SELECT writefile('$T/cp.sm2', note) FROM checkpoints WHERE note LIKE '%— $O %'
	ORDER BY size DESC LIMIT 1" >/dev/null
SER2=$(q "SELECT serial FROM certificates WHERE key_label = 'k2' LIMIT 1")
q "SELECT writefile('$T/c2.note', note) FROM certificates WHERE serial = '$SER2'" >/dev/null
q "SELECT writefile('$T/cp2.note', note) FROM checkpoints WHERE size = (SELECT min(c.size) FROM
	checkpoints c WHERE c.size > (SELECT leaf_index FROM certificates WHERE serial = '$SER2'))" >/dev/null
check "gmsm verifies an SM2 certificate note of the batch" "$SC" verify -key "$VK2" "$T/c2.note"
check "sm-crypto verifies it" $JS verify "$VK2" "$T/c2.note"
check "gmsm verifies the SM2-signed checkpoint that covers it" "$SC" verify -key "$VK2" "$T/cp2.note"
check "sm-crypto verifies that checkpoint" $JS verify "$VK2" "$T/cp2.note"
check_fails "gmsm with an empty uid does not (the ID is really 1234567812345678)" "$SC" verify -key "$VK2" -uid "" "$T/c2.note"
check_fails "sm-crypto with an empty userId does not" $JS verify "$VK2" "$T/c2.note" ""
sed 's/^name: \(.\)/name: X/' "$T/c2.note" >"$T/c2.bad"
check_fails "gmsm rejects the note with a changed name" "$SC" verify -key "$VK2" "$T/c2.bad"
check_fails "sm-crypto rejects it" $JS verify "$VK2" "$T/c2.bad"

# check (offline) and the verifier service: one log, both key types.
check "tiles" quiet "$ISSUER" --data "$D" tiles "$T/tiles"
for k in 1 2 3; do
	PDF=$(find "$T/o$k" -name '*.pdf' | head -1)
	cp "$PDF" "$T/p$k.pdf"
	"$VERIFIER" check "$PDF" --key "$KD/k1.pub" --key "$KD/k2.pub" --key "$KD/k3.pub" \
		--ledger "$T/tiles" >"$T/o" 2>&1; rc=$?
	check "check accepts a k$k certificate with the three keys and the ledger (exit $rc)" [ $rc = 0 ]
	check "  the key status was checked by the ledger" grep -qE '^  key status: +checked' "$T/o"
done
"$VERIFIER" check "$T/p2.pdf" --key "$KD/k1.pub" >"$T/o" 2>&1; rc=$?
check "without the ledger, an SM2 certificate is not trusted on k1.pub alone (exit $rc)" [ $rc = 1 ]
"$VERIFIER" check "$T/p2.pdf" --key "$KD/k2.pub" >"$T/o" 2>&1; rc=$?
check "with k2.pub (SM2) given directly it verifies (exit $rc)" [ $rc = 0 ]
check "publish" quiet "$ISSUER" --data "$D" publish "$T/pub"
if start_server --db "$T/pub/verifier.db" --key "$KD/k1.pub" --rate 0 --no-sweep; then
	for k in 1 2 3; do
		curl -s -H 'Content-Type: application/pdf' --data-binary "@$T/p$k.pdf" \
			"$URL/api/v1/verify" >"$T/j$k"
		check "the verifier service: the k$k PDF is authentic" python3 -c "
import json,sys; j=json.load(open(sys.argv[1])); assert j['outcome']=='authentic', j" "$T/j$k"
	done
	stop_server
else
	notok "the verifier service starts"
fi

# ---- interop both ways, outside the issuer ----
check "our SM2 key for a text of our own" quiet "$TS" --keygen "$T/sk" s1 "$O"
VKS=$(cat "$T/sk/s1.pub")
printf 'hourseal/cert/v1\nname: 张三\n' >"$T/t.txt"
"$TS" --sign "$T/sk" s1 "$O" "$T/t.txt" >"$T/ours.note"
check "gmsm verifies our note" "$SC" verify -key "$VKS" "$T/ours.note"
check "sm-crypto verifies our note" $JS verify "$VKS" "$T/ours.note"
"$SC" sign -name "$O" "$T/t.txt" >"$T/go.out"
GVK=$("$TS" --vkey "$O" "$(head -1 "$T/go.out")"); tail -n +2 "$T/go.out" >"$T/go.note"
check "we open a note gmsm signed (Sm2Sign, uid 1234567812345678)" "$TS" --open "$GVK" "$T/go.note"
$JS sign "$O" "$T/t.txt" >"$T/js.out"
JVK=$("$TS" --vkey "$O" "$(head -1 "$T/js.out")"); tail -n +2 "$T/js.out" >"$T/js.note"
check "we open a note sm-crypto signed (doSignature, userId 1234567812345678)" "$TS" --open "$JVK" "$T/js.note"
check "gmsm opens sm-crypto's note (the two agree)" "$SC" verify -key "$JVK" "$T/js.note"
"$SC" sign -name "$O" -uid "" "$T/t.txt" >"$T/go0.out"
tail -n +2 "$T/go0.out" >"$T/go0.note"
check_fails "we reject a note gmsm signed with an empty ID" "$TS" --open \
	"$("$TS" --vkey "$O" "$(head -1 "$T/go0.out")")" "$T/go0.note"
$JS sign "$O" "$T/t.txt" "" >"$T/js0.out"
tail -n +2 "$T/js0.out" >"$T/js0.note"
check_fails "we reject a note sm-crypto signed with an empty ID" "$TS" --open \
	"$("$TS" --vkey "$O" "$(head -1 "$T/js0.out")")" "$T/js0.note"
