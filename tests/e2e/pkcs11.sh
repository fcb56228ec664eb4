#!/usr/bin/env bash
# Signing keys in a PKCS#11 token (issue 16), with SoftHSM2: a token made in
# a temporary directory (SOFTHSM2_CONF -> directories.tokendir), the
# Ed25519 note/checkpoint key generated inside it by our own
# `keygen --pkcs11 URI --generate` (CKM_EC_EDWARDS_KEY_PAIR_GEN, sensitive,
# never extractable: pkcs11-tool from OpenSC shows the attributes), a batch
# issued with it, its certificate notes and checkpoints verified by Go's
# golang.org/x/mod/sumdb/note and the PDFs by `hourseal-verifier check`;
# the PIN from a file or the environment, never the command line (a URI
# with pin-value is refused and nothing is made); a wrong PIN is a clear
# error and nothing is issued (no ledger entry, no certificate, no file);
# the serve signer process holds the token key; rotation from a key file
# to a token key; a key made by OpenSC's pkcs11-tool is used as it is, an
# extractable one is refused.
. "$(dirname "$0")/../lib.sh"
scratch
M=/usr/lib/softhsm/libsofthsm2.so
S=$HS_TOP/templates/samples
D=$T/data
KD=$T/keys
O=ledger.hourseal.example.cn/fj
GOCHECK=$("$HS_TOP/tests/interop/build.sh" "$HS_BUILD/interop") || {
	notok "build the Go checker (tests/interop/build.sh)"; exit 1; }
q() { sqlite3 "$D/hourseal.db" "$@"; }
size() { q "SELECT coalesce((SELECT size FROM latest_checkpoint), 0)"; }
run() { "$ISSUER" --data "$D" "$@" >"$T/o" 2>&1; }
quiet() { "$@" >"$T/o" 2>&1 || { sed 's/^/# /' "$T/o" | tail -5; return 1; }; }
has() { grep -q -- "$1" "$T/o"; }

# ---- a token in a temporary directory ----
mkdir -p "$T/tokens"
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' \
	"$T" >"$T/softhsm2.conf"
export SOFTHSM2_CONF=$T/softhsm2.conf
unset HOURSEAL_PKCS11_PIN HOURSEAL_PKCS11_PIN_FILE HOURSEAL_PKCS11_MODULE HOURSEAL_PASSPHRASE_FILE
# Under ASan: full malloc stacks, so that SoftHSM's own leaks (suppressed
# in lib/core/p11.c by module name) are told from ours.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0
check "softhsm2-util --init-token in $T/tokens" quiet softhsm2-util --init-token --free \
	--label hourseal --so-pin 87654321 --pin 123456
printf '123456\n' >"$T/pin"; printf '000000\n' >"$T/badpin"; chmod 600 "$T/pin" "$T/badpin"
URI="pkcs11:token=hourseal;object=note?module-path=$M"
P11() { pkcs11-tool --module "$M" --login --pin 123456 "$@" 2>/dev/null; }

check "init" quiet "$ISSUER" init "$D" --issuer 福建省专业技术人员继续教育中心 --policy fujian --base-url http://127.0.0.1:8080 --keys "$KD" --origin "$O"
check_fails "keygen refuses a URI with pin-value (a PIN on the command line)" \
	run keygen t0 --pkcs11 "pkcs11:token=hourseal;object=note?module-path=$M&pin-value=123456" --generate
check "  saying why" has "pin-value"
check_fails "  and no key was made in the token" bash -c "pkcs11-tool --module $M --login --pin 123456 --list-objects 2>/dev/null | grep -q 'label: *note'"
check_fails "  nor a key file" test -e "$KD/t0.key"
check "  nor a ledger entry" test "$(size)" = 0
check_fails "keygen --generate without --pkcs11 is a usage error" run keygen t0 --generate
check_fails "keygen --pkcs11 --alg sm2 is refused (token keys for notes are Ed25519)" \
	run keygen t0 --pkcs11 "$URI" --alg sm2
check_fails "keygen --pkcs11 --generate with a wrong PIN fails" run keygen t1 --pkcs11 "$URI" --generate \
	--passphrase-file "$T/badpin"
check "  saying the token refused the PIN" has "CKR_PIN_INCORRECT"
check "keygen t1 --pkcs11 URI --generate (the PIN from a file)" run keygen t1 --pkcs11 "$URI" \
	--generate --passphrase-file "$T/pin"
check "  it says the key is in the token" has "in the token"
check "t1.key holds the URI, one line" test "$(cat "$KD/t1.key")" = "$URI"
check_fails "  and no private key material" grep -q "PRIVATE KEY" "$KD/t1.key"
check "  mode 0600" test "$(stat -c %a "$KD/t1.key")" = 600
P11 --list-objects --type privkey >"$T/objs"
check "pkcs11-tool: the token holds an EC_EDWARDS private key labelled note" \
	grep -A1 'Private Key Object; EC_EDWARDS' "$T/objs" | grep -q 'label: *note'
check "pkcs11-tool: it is sensitive and never extractable" \
	bash -c "grep -A4 'label: *note' '$T/objs' | grep -q 'Access: *sensitive, always sensitive, never extractable'"
check_fails "pkcs11-tool cannot read its value out" \
	bash -c "pkcs11-tool --module $M --login --pin 123456 --read-object --type privkey --label note -o '$T/leak' >/dev/null 2>&1 && test -s '$T/leak'"
VK=$(cat "$KD/t1.pub")
check "Go parses the verifier key" quiet "$GOCHECK" vkey "$VK"
q "SELECT writefile('$T/cp0', note) FROM checkpoints ORDER BY size DESC LIMIT 1" >/dev/null
check "Go opens the checkpoint the token signed at keygen" quiet "$GOCHECK" checkpoint -key "$VK" -origin "$O" "$T/cp0"

P11 --list-objects --type pubkey >"$T/pubs"
pt=$(grep -A1 'Public Key Object; EC_EDWARDS' "$T/pubs" | sed -n 's/.*EC_POINT: *04 *20\([0-9a-f]*\).*/\1/p' | head -1)
check "t1.pub holds the point pkcs11-tool reads from the token's public key object" \
	test -n "$pt" -a "$pt" = "$(python3 -c "import base64,sys; print(base64.b64decode(sys.argv[1].split('+',2)[2])[1:].hex())" "$VK")"

# ---- a key made by another tool (pkcs11-tool), used as it is ----
D3=$T/data3
check "init a third issuer" quiet "$ISSUER" init "$D3" --issuer 福建省专业技术人员继续教育中心 --policy fujian --base-url http://127.0.0.1:8080 --keys "$T/keys3" --origin "$O/3"
check "pkcs11-tool --keypairgen EC:edwards25519 --sensitive" \
	quiet pkcs11-tool --module "$M" --login --pin 123456 --keypairgen --key-type EC:edwards25519 \
	--label opensc --id 0a --usage-sign --sensitive
check "keygen o1 --pkcs11 URI (no --generate: the key already in the token)" quiet env \
	HOURSEAL_PKCS11_PIN=123456 "$ISSUER" --data "$D3" keygen o1 --pkcs11 "pkcs11:token=hourseal;object=opensc?module-path=$M"
sqlite3 "$D3/hourseal.db" "SELECT writefile('$T/cp3', note) FROM checkpoints ORDER BY size DESC LIMIT 1" >/dev/null
check "Go opens the checkpoint it signed" quiet "$GOCHECK" checkpoint -keyfile "$T/keys3/o1.pub" "$T/cp3"
check "pkcs11-tool --keypairgen an extractable Ed25519 key" \
	quiet pkcs11-tool --module "$M" --login --pin 123456 --keypairgen --key-type EC:edwards25519 \
	--label leaky --id 0b --usage-sign --extractable
check_fails "key rotate refuses the extractable key" quiet env HOURSEAL_PKCS11_PIN=123456 \
	"$ISSUER" --data "$D3" key rotate o2 --pkcs11 "pkcs11:token=hourseal;object=leaky?module-path=$M"
check "  saying why" grep -q "extractable" "$T/o"
check_fails "  and writes no key file" test -e "$T/keys3/o2.key"
check "  o1 stays the active key" bash -c "'$ISSUER' --data '$D3' key list | grep -q '^o1	active'"

# ---- a batch issued with the token key ----
check "import" quiet "$ISSUER" --data "$D" import "$S/small.csv" --skip-invalid "$T/rej.csv" --quiet
check "stamp" quiet hr_stamp "$D" 福建省人力资源和社会保障厅 --all
before=$(size)
run issue --year 2024 --all --out "$T/bad"
check "issue with no PIN anywhere fails (exit $?)" [ "$(q "SELECT count(*) FROM certificates")" = 0 ]
check "  saying the token needs its PIN" has "needs its user PIN"
HOURSEAL_PASSPHRASE_FILE=$T/badpin run issue --year 2024 --all --out "$T/bad"; rc=$?
check "issue with a wrong PIN fails (exit $rc)" [ $rc -ne 0 ]
check "  with a clear error" has "refused the login (CKR_PIN_INCORRECT: wrong PIN"
check "  nothing issued: no certificate" test "$(q "SELECT count(*) FROM certificates")" = 0
check "  no ledger entry" test "$(size)" = "$before"
check "  no file" test -z "$(find "$T/bad" -type f 2>/dev/null)"
HOURSEAL_PKCS11_PIN_FILE=$T/pin quiet "$ISSUER" --data "$D" issue --year 2024 --all --out "$T/pdfs" --batch 4
check "issue a batch with the token key (PIN from \$HOURSEAL_PKCS11_PIN_FILE)" [ $? = 0 ]
n=$(q "SELECT count(*) FROM certificates WHERE key_label = 't1'")
check "$n certificates signed in the token" test "$n" -gt 5
check "more than one checkpoint (batches of 4)" test "$(q "SELECT count(*) FROM checkpoints WHERE size > $before")" -gt 1
bad=0; i=0
for s in $(q "SELECT serial FROM certificates LIMIT 12"); do
	q "SELECT writefile('$T/c.note', note) FROM certificates WHERE serial = '$s'" >/dev/null
	"$GOCHECK" note -key "$VK" "$T/c.note" >/dev/null 2>&1 || bad=$((bad + 1)); i=$((i + 1))
done
check "Go's sumdb/note opens $i certificate notes signed in the token ($bad failed)" [ $bad = 0 ]
bad=0; i=0
for sz in $(q "SELECT size FROM checkpoints"); do
	q "SELECT writefile('$T/cp', note) FROM checkpoints WHERE size = $sz" >/dev/null
	"$GOCHECK" checkpoint -key "$VK" -origin "$O" "$T/cp" >/dev/null 2>&1 || bad=$((bad + 1)); i=$((i + 1))
done
check "Go opens all $i checkpoints the token signed ($bad failed)" [ $bad = 0 ]
sed -i 's/^\(name: \).\(.*\)/\1X\2/' "$T/c.note"
check_fails "Go rejects a tampered one" quiet "$GOCHECK" note -key "$VK" "$T/c.note"
PDF=$(find "$T/pdfs" -name '*.pdf' | head -1)
check "hourseal-verifier check accepts a PDF signed in the token" quiet "$VERIFIER" check "$PDF" --key "$KD/t1.pub"
HOURSEAL_PKCS11_PIN=123456 quiet "$ISSUER" --data "$D" issue --year 2025 --all --out "$T/pdfs"
check "the PIN from \$HOURSEAL_PKCS11_PIN works too" [ $? = 0 ]

# ---- hostile key reference files ----
cp "$KD/t1.key" "$T/t1.key.good"
printf '%s\n%s\n' "$URI" "$URI" >"$KD/t1.key"
HOURSEAL_PKCS11_PIN_FILE=$T/pin run issue --year 2026 --all --out "$T/h1"
check "a reference file of two lines is refused" has "must be one pkcs11: URI line"
printf '%s&pin-value=123456\n' "$URI" >"$KD/t1.key"
HOURSEAL_PKCS11_PIN_FILE=$T/pin run issue --year 2026 --all --out "$T/h2"
check "a reference file with a pin-value is refused" has "pin-value"
printf 'pkcs11:token=hourseal;object=other?module-path=%s\n' "$M" >"$KD/t1.key"
HOURSEAL_PKCS11_PIN_FILE=$T/pin run issue --year 2026 --all --out "$T/h3"
check "a reference to a key the token does not have: not found" has "no private key in the token"
printf 'pkcs11:token=hourseal;object=note?module-path=/nonexistent/evil.so\n' >"$KD/t1.key"
HOURSEAL_PKCS11_PIN_FILE=$T/pin run issue --year 2026 --all --out "$T/h4"
check "a reference to a module that is not there: cannot load it" has "cannot load the PKCS#11 module"
check "  none of these issued anything" test "$(q "SELECT count(*) FROM certificates WHERE year = 2026")" = 0
cp "$T/t1.key.good" "$KD/t1.key"

# ---- the serve signer process holds the token key ----
if HOURSEAL_PKCS11_PIN_FILE=$T/pin start_issuer "$D"; then
	for _ in $(seq 1 50); do grep -q 'hourseal-signer: pid' "$T/err" && break; sleep 0.1; done
	check "serve: the signer process loaded the token key t1" grep -q 'hourseal-signer: pid [0-9]* holds key t1' "$T/err"
	stop_server
else
	notok "serve starts with a token key"; sed 's/^/# /' "$T/err" | tail -5
fi
if HOURSEAL_PKCS11_PIN_FILE=$T/badpin start_issuer "$D"; then
	check "serve with a wrong PIN: the signer holds no key, saying the token refused the PIN" \
		grep -q 'no signing key.*CKR_PIN_INCORRECT' "$T/err"
	check_fails "  and no signer process holds a key" grep -q 'hourseal-signer: pid' "$T/err"
	stop_server
else
	notok "serve starts (without a key) with a wrong PIN"
fi

# ---- rotation: a key file hands over to another token key ----
D2=$T/data2
check "init a second issuer" quiet "$ISSUER" init "$D2" --issuer 福建省专业技术人员继续教育中心 --policy fujian --base-url http://127.0.0.1:8080 --keys "$T/keys2" --origin "$O/2"
check "keygen f1 (a key file)" quiet "$ISSUER" --data "$D2" keygen f1 --no-passphrase
check "key rotate t2 --pkcs11 URI --generate (f1 vouches for it)" quiet "$ISSUER" --data "$D2" key rotate t2 \
	--pkcs11 "pkcs11:token=hourseal;object=note2?module-path=$M" --generate --passphrase-file "$T/pin"
check "  f1 is retired, t2 is active" bash -c "'$ISSUER' --data '$D2' key list | grep -q '^f1	retired' &&
	'$ISSUER' --data '$D2' key list | grep -q '^t2	active'"
sqlite3 "$D2/hourseal.db" "SELECT writefile('$T/cpr', note) FROM checkpoints ORDER BY size DESC LIMIT 1" >/dev/null
check "Go opens the rotation checkpoint with f1's key (the outgoing key signs it)" \
	quiet "$GOCHECK" checkpoint -keyfile "$T/keys2/f1.pub" "$T/cpr"
