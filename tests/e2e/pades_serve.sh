#!/usr/bin/env bash
# PAdES through the issuing service (issue 16): `serve` forks a signer
# process that alone holds the keys; with a document key (pades.key) it
# also signs the PDFs' CMS signed attributes, sent over the signer socket
# (the chain comes in its hello), so the sandboxed HTTP process, which
# cannot read pades.key, issues signed PDFs: pdfsig says "Signature is
# Valid" and "Certificate is Trusted" (test CA in an NSS database) and
# `hourseal-verifier check` finds the certificate as a ledger leaf. An
# unusable document key (open to others) means the service issues
# nothing, rather than unsigned PDFs. What the signer agrees to sign is
# tests/unit/test_pades_signer.c.
. "$(dirname "$0")/../lib.sh"
scratch
S=$HS_TOP/templates/samples
D=$T/d
K=$T/keys
ID=350981199506020905
PID=
trap '[ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
q() { sqlite3 "$D/hourseal.db" "$@"; }
quiet() { "$@" >"$T/o" 2>&1 || { sed 's/^/# /' "$T/o" | tail -5; return 1; }; }
has() { grep -qF -- "$1" "$2" || { echo "# no '$1' in:"; sed 's/^/# /' "$2" | head -20; return 1; }; }
issue_call() {
	printf '{"id_number":"%s","year":2024}' "$ID" >"$T/i.json"
	curl -s -o "$T/b" -w '%{http_code}' -X POST "$URL/api/v1/issue" \
		-H "Authorization: Bearer $HR" -H "Content-Type: application/json" \
		--data-binary "@$T/i.json"
}

check "init" quiet "$ISSUER" init "$D" --issuer 福建省专业技术人员继续教育中心 --policy fujian --origin ledger.hourseal.example.cn/fj --keys "$K" --base-url http://127.0.0.1:1
check "keygen" quiet "$ISSUER" --data "$D" keygen k1 --no-passphrase
check "import" quiet "$ISSUER" --data "$D" import "$S/small.csv" --skip-invalid "$T/rej.csv" --quiet
check "stamp" quiet hr_stamp "$D" 福建省人力资源和社会保障厅 --all
check "ca init" quiet "$ISSUER" --data "$D" ca init
check "ca issue" quiet "$ISSUER" --data "$D" ca issue
HR=$($ISSUER --data "$D" token add --role hr --scope 35 --label hr35 | grep '^hst_')
check "an hr token" test -n "$HR"

# ---- a document key that is not usable: nothing is issued ----
chmod 644 "$K/pades.key"
start_issuer "$D"
check "serve starts without a usable document key ($URL)" test -n "$URL"
check "... and says the PDF signing key is why it cannot issue" has "the PDF signing key" "$T/err"
code=$(issue_call)
check "issue through the service answers 503 ($code)" test "$code" = 503
check "... and nothing was issued" test "$(q "SELECT count(*) FROM certificates")" = 0
stop_server; PID=
chmod 600 "$K/pades.key"

# ---- the signer process signs the PDFs ----
start_issuer "$D"
check "serve is listening ($URL)" test -n "$URL"
check "the signer holds the PDF document key" has "and the PDF document key" "$T/err"
code=$(issue_call)
check "issue through the service answers 200 ($code)" test "$code" = 200
SER=$(jq -r .serial "$T/b")
PDF=$(q "SELECT pdf_file FROM certificates WHERE serial = '$SER'")
check "a PDF was written ($SER)" test -s "$PDF"
check "the signer logged the PDF signature" has "hourseal-signer: signed PDF signed attributes" "$T/err"
stop_server; PID=
check "the recorded SHA-256 is the signed file's" \
	[ "$(q "SELECT pdf_sha256 FROM certificates WHERE serial = '$SER'")" = "$(sha256sum "$PDF" | cut -d' ' -f1)" ]

mkdir "$T/nss"
certutil -N -d "sql:$T/nss" --empty-password
certutil -A -d "sql:$T/nss" -n hourseal-test-ca -t "CT,C,C" -i "$K/pades-ca.crt"
pdfsig -nssdir "sql:$T/nss" "$PDF" >"$T/sig" 2>&1
check "pdfsig: Signature is Valid" has "Signature Validation: Signature is Valid." "$T/sig"
check "pdfsig: Certificate is Trusted" has "Certificate Validation: Certificate is Trusted." "$T/sig"
check "pdfsig: Total document signed" has "Total document signed" "$T/sig"

quiet "$ISSUER" --data "$D" tiles "$T/tiles"
"$VERIFIER" check "$PDF" --key "$K/k1.pub" --ledger "$T/tiles" >"$T/c" 2>&1
rc=$?
check "check: the PDF issued by the service is VALID (exit 0)" [ $rc = 0 ]
check "check: its PDF signature's certificate is a ledger leaf" has "the certificate is ledger leaf" "$T/c"
