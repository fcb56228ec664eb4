#!/usr/bin/env bash
# The PDF document key in a PKCS#11 token (issue 16), with SoftHSM2: `ca
# issue --pkcs11 URI --generate` makes an ECDSA P-256 key inside the token
# (sensitive, never extractable: pkcs11-tool shows it) and has the
# issuer's CA certify its public key; pades.key then holds only the URI.
# A batch is issued whose PDFs are signed by the token: pdfsig says
# "Signature is Valid" and "Certificate is Trusted" (test CA in an NSS
# database), `hourseal-verifier check` says VALID. A wrong PIN: a clear
# error and nothing issued (no certificate, no ledger entry, no PDF).
# `ca import --chain PEM --pkcs11 URI` takes a chain only for the token
# key it certifies. The service's signer process signs with the token
# too. Hostile pades.key contents are refused.
. "$(dirname "$0")/../lib.sh"
scratch
M=/usr/lib/softhsm/libsofthsm2.so
S=$HS_TOP/templates/samples
D=$T/data
K=$T/keys
ID=350981199506020905
PID=
trap '[ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
q() { sqlite3 "$D/hourseal.db" "$@"; }
size() { q "SELECT coalesce((SELECT size FROM latest_checkpoint), 0)"; }
run() { "$ISSUER" --data "$D" "$@" >"$T/o" 2>&1; }
quiet() { "$@" >"$T/o" 2>&1 || { sed 's/^/# /' "$T/o" | tail -5; return 1; }; }
has() { grep -qF -- "$1" "$2" || { echo "# no '$1' in:"; sed 's/^/# /' "$2" | head -20; return 1; }; }

mkdir -p "$T/tokens"
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' \
	"$T" >"$T/softhsm2.conf"
export SOFTHSM2_CONF=$T/softhsm2.conf
unset HOURSEAL_PKCS11_PIN HOURSEAL_PKCS11_PIN_FILE HOURSEAL_PKCS11_MODULE HOURSEAL_PASSPHRASE_FILE HOURSEAL_PADES_PASSWORD_FILE
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0
check "softhsm2-util --init-token" quiet softhsm2-util --init-token --free \
	--label hourseal --so-pin 87654321 --pin 123456
printf '123456\n' >"$T/pin"; printf '000000\n' >"$T/badpin"; chmod 600 "$T/pin" "$T/badpin"
URI="pkcs11:token=hourseal;object=doc?module-path=$M"
URI2="pkcs11:token=hourseal;object=other?module-path=$M"
P11() { pkcs11-tool --module "$M" --login --pin 123456 "$@" 2>/dev/null; }

check "init" quiet "$ISSUER" init "$D" --issuer 福建省专业技术人员继续教育中心 --policy fujian --origin ledger.hourseal.example.cn/fj --keys "$K" --base-url http://127.0.0.1:1
check "keygen" quiet "$ISSUER" --data "$D" keygen k1 --no-passphrase
check "import" quiet "$ISSUER" --data "$D" import "$S/small.csv" --skip-invalid "$T/rej.csv" --quiet
check "stamp" quiet hr_stamp "$D" 福建省人力资源和社会保障厅 --all
check "ca init" quiet "$ISSUER" --data "$D" ca init

# ---- the key made in the token, its certificate by our CA ----
check_fails "ca issue --pkcs11 --generate with a wrong PIN fails" \
	run ca issue --pkcs11 "$URI" --generate --password-file "$T/badpin"
check "  saying the token refused the PIN" has "CKR_PIN_INCORRECT" "$T/o"
check_fails "  and writes no document key" test -e "$K/pades.key"
check_fails "ca issue --generate without --pkcs11 is a usage error" run ca issue --generate
check_fails "ca issue --pkcs11 --alg rsa3072 is a usage error (token keys are P-256)" \
	run ca issue --pkcs11 "$URI" --alg rsa3072
check_fails "ca issue --pkcs11 with a pin-value URI is refused" \
	run ca issue --pkcs11 "pkcs11:token=hourseal;object=doc?module-path=$M&pin-value=123456" --generate
check "  saying why" has "pin-value" "$T/o"
check "ca issue --pkcs11 URI --generate (PIN from a file)" \
	run ca issue --pkcs11 "$URI" --generate --password-file "$T/pin"
check "  it says the key is in the token" has "in the token" "$T/o"
check "pades.key holds the URI, one line" test "$(cat "$K/pades.key")" = "$URI"
check_fails "  and no private key material" grep -q "PRIVATE KEY" "$K/pades.key"
check "  mode 0600" test "$(stat -c %a "$K/pades.key")" = 600
P11 --list-objects --type privkey >"$T/objs"
check "pkcs11-tool: an EC private key labelled doc" \
	bash -c "grep -A1 'Private Key Object; EC' '$T/objs' | grep -q 'label: *doc'"
check "pkcs11-tool: sensitive and never extractable" \
	bash -c "grep -A4 'label: *doc' '$T/objs' | grep -q 'Access: *sensitive, always sensitive, never extractable'"
check "the certificate verifies with the CA" quiet openssl verify -CAfile "$K/pades-ca.crt" "$K/pades.crt"
P11 --read-object --type pubkey --label doc -o "$T/pub.der"
check "the certificate's key is the token's public key" test \
	"$(openssl pkey -pubin -inform DER -in "$T/pub.der" -outform DER 2>/dev/null | sha256sum)" = \
	"$(openssl x509 -in "$K/pades.crt" -pubkey -noout | openssl pkey -pubin -outform DER | sha256sum)"

# ---- a wrong PIN: nothing issued ----
s0=$(size)
check_fails "issue with a wrong PIN fails" env HOURSEAL_PKCS11_PIN_FILE="$T/badpin" \
	"$ISSUER" --data "$D" issue --year 2024 --all --out "$T/pdfs"
HOURSEAL_PKCS11_PIN_FILE="$T/badpin" "$ISSUER" --data "$D" issue --year 2024 --all --out "$T/pdfs" >"$T/o" 2>&1
check "  saying the PDF key's token refused the PIN" has "CKR_PIN_INCORRECT" "$T/o"
check "  no certificate" test "$(q "SELECT count(*) FROM certificates")" = 0
check "  no ledger entry" test "$(size)" = "$s0"
check "  no PDF" test "$(find "$T/pdfs" -name '*.pdf' 2>/dev/null | wc -l)" = 0
check_fails "issue with no PIN at all fails" "$ISSUER" --data "$D" issue --year 2024 --all --out "$T/pdfs"

# ---- a batch signed by the token ----
export HOURSEAL_PKCS11_PIN_FILE=$T/pin
check "issue (the PDF key in the token)" quiet "$ISSUER" --data "$D" issue --year 2024 --all --out "$T/pdfs" --workers 2
n=$(find "$T/pdfs" -name '*.pdf' | wc -l)
check "issued PDFs ($n)" [ "$n" -ge 5 ]
mkdir "$T/nss"
certutil -N -d "sql:$T/nss" --empty-password
certutil -A -d "sql:$T/nss" -n hourseal-test-ca -t "CT,C,C" -i "$K/pades-ca.crt"
bad=0
for f in $(find "$T/pdfs" -name '*.pdf'); do
	pdfsig -nssdir "sql:$T/nss" "$f" >"$T/sig" 2>&1
	grep -q "Signature Validation: Signature is Valid." "$T/sig" &&
		grep -q "Certificate Validation: Certificate is Trusted." "$T/sig" || bad=$((bad + 1))
done
check "pdfsig: every PDF's signature is Valid and its Certificate Trusted ($bad bad)" [ "$bad" = 0 ]
PDF=$(find "$T/pdfs" -name '*.pdf' | sort | head -1)
pdfsig -nssdir "sql:$T/nss" "$PDF" >"$T/sig" 2>&1
check "pdfsig: Total document signed" has "Total document signed" "$T/sig"
quiet "$ISSUER" --data "$D" tiles "$T/tiles"
"$VERIFIER" check "$PDF" --key "$K/k1.pub" --ledger "$T/tiles" >"$T/c" 2>&1
rc=$?
check "check: VALID (exit 0)" [ $rc = 0 ]
check "check: the PDF signature's certificate is a ledger leaf" has "the certificate is ledger leaf" "$T/c"

# ---- ca import --chain --pkcs11 ----
cp "$K/pades.crt" "$T/chain.pem"
check "a second key in the token (pkcs11-tool)" quiet pkcs11-tool --module "$M" --login --pin 123456 \
	--keypairgen --key-type EC:prime256v1 --label other --id 0202
check_fails "ca import: a chain for another key is refused" \
	run ca import --chain "$T/chain.pem" --pkcs11 "$URI2" --password-file "$T/pin"
check "  saying so" has "does not belong" "$T/o"
check "  pades.key still names the first key" test "$(cat "$K/pades.key")" = "$URI"
check_fails "ca import --chain --key --pkcs11 is a usage error" \
	run ca import --chain "$T/chain.pem" --key "$T/chain.pem" --pkcs11 "$URI"
check "ca import --chain PEM --pkcs11 URI" run ca import --chain "$T/chain.pem" --pkcs11 "$URI" --password-file "$T/pin"

# ---- the service's signer process signs with the token ----
HR=$($ISSUER --data "$D" token add --role hr --scope 35 --label hr35 | grep '^hst_')
printf '{"id_number":"%s","year":2025}' "$ID" >"$T/i.json"
start_issuer "$D"
check "serve: the signer holds the token's PDF key" has "and the PDF document key" "$T/err"
code=$(curl -s -o "$T/b" -w '%{http_code}' -X POST "$URL/api/v1/issue" \
	-H "Authorization: Bearer $HR" -H "Content-Type: application/json" --data-binary "@$T/i.json")
check "serve: issue answers 200 ($code)" test "$code" = 200
stop_server; PID=
SER=$(jq -r .serial "$T/b")
SPDF=$(q "SELECT pdf_file FROM certificates WHERE serial = '$SER'")
pdfsig -nssdir "sql:$T/nss" "$SPDF" >"$T/sig" 2>&1
check "serve: pdfsig Signature is Valid" has "Signature Validation: Signature is Valid." "$T/sig"
check "serve: pdfsig Certificate is Trusted" has "Certificate Validation: Certificate is Trusted." "$T/sig"

# ---- hostile pades.key ----
cp "$K/pades.key" "$T/keep"
printf '%s\n%s\n' "$URI" "$URI" >"$K/pades.key"
check_fails "two URI lines in pades.key: issue refuses" run issue --year 2025 --all --out "$T/p2"
check "  saying pades.key must be one line" has "one pkcs11: URI line" "$T/o"
printf '%s' "$URI" >"$K/pades.key"
check_fails "no final newline: refused" run issue --year 2025 --all --out "$T/p2"
printf '%s&pin-value=123456\n' "$URI" >"$K/pades.key"
check_fails "a pin-value URI in pades.key: refused" run issue --year 2025 --all --out "$T/p2"
check "  saying why" has "pin-value" "$T/o"
printf '%s\n' "$URI2" >"$K/pades.key"
check_fails "pades.key naming another token key: refused" run issue --year 2025 --all --out "$T/p2"
check "  saying it does not belong to the certificate" has "does not belong" "$T/o"
check "none of these issued anything" test "$(find "$T/p2" -name '*.pdf' 2>/dev/null | wc -l)" = 0
cp "$T/keep" "$K/pades.key"
