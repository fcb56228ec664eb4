#!/usr/bin/env bash
# PAdES signatures on every certificate (issue 16), checked by hourseal and
# by two independent validators: poppler's pdfsig with the test CA in an
# NSS database, and PDFBox + BouncyCastle (tests/interop/PadesCheck.java).
# The issuer's own CA (ca init / ca issue, ECDSA P-256 and RSA-3072), a
# PKCS#12 import, the doc-cert ledger leaf, the signed file's SHA-256, at
# most 4 KB added, a byte flip (Digest Mismatch / invalid), an update
# appended after signing (Not total document signed / modified after
# signing), hostile signature dictionaries, the online upload, and an
# RFC 3161 timestamp from a local TSA (tests/interop/tsa.py).
. "$(dirname "$0")/../lib.sh"
scratch
S=$HS_TOP/templates/samples
D=$T/fj
K=$T/keys
Y=2024
TSAPID=
cleanup() {
	[ -n "$TSAPID" ] && kill "$TSAPID" 2>/dev/null
	[ -n "${PID:-}" ] && kill -TERM "$PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
q() { sqlite3 "$D/hourseal.db" "$@"; }
quiet() { "$@" >"$T/o" 2>&1 || { sed 's/^/# /' "$T/o" | tail -5; return 1; }; }
has() { grep -qF -- "$1" "$2" || { echo "# no '$1' in:"; sed 's/^/# /' "$2" | head -20; return 1; }; }
hasnt() { ! grep -qF -- "$1" "$2"; }

check "init" quiet "$ISSUER" init "$D" --issuer 福建省专业技术人员继续教育中心 --policy fujian --origin ledger.hourseal.example.cn/fj --keys "$K" --base-url http://127.0.0.1:1
check "keygen" quiet "$ISSUER" --data "$D" keygen k1 --no-passphrase
check "import" quiet "$ISSUER" --data "$D" import "$S/small.csv" --skip-invalid "$T/rej.csv" --quiet
check "stamp" quiet hr_stamp "$D" 福建省人力资源和社会保障厅 --all

# ---- keys and certificates ----
check "ca init" quiet "$ISSUER" --data "$D" ca init
check "ca init again is refused (exit 1)" sh -c "! '$ISSUER' --data '$D' ca init >/dev/null 2>&1"
check "ca issue (ECDSA P-256)" quiet "$ISSUER" --data "$D" ca issue
check "the CA key is 0600" [ "$(stat -c %a "$K/pades-ca.key")" = 600 ]
check "the document key is 0600" [ "$(stat -c %a "$K/pades.key")" = 600 ]
openssl x509 -in "$K/pades.crt" -noout -text >"$T/crt.txt"
check "the document key is ECDSA P-256" has "NIST CURVE: P-256" "$T/crt.txt"
check "keyUsage digitalSignature, nonRepudiation (critical)" \
	sh -c "grep -A1 'Key Usage: critical' '$T/crt.txt' | grep -q 'Digital Signature, Non Repudiation'"
check "EKU document signing" has "1.2.840.113583.1.1.5" "$T/crt.txt"
check "the chain verifies with the CA" quiet openssl verify -CAfile "$K/pades-ca.crt" "$K/pades.crt"

# ---- issuance signs every PDF ----
check "issue" quiet "$ISSUER" --data "$D" issue --year $Y --all --out "$T/pdfs" --workers 2
n=$(find "$T/pdfs/$Y" -name '*.pdf' | wc -l)
check "issued PDFs ($n)" [ "$n" -ge 5 ]
PDF=$(find "$T/pdfs/$Y" -name '*.pdf' | sort | head -1)
SER=$(basename "$PDF" .pdf)
unsigned=0
for f in "$T/pdfs/$Y"/*.pdf; do pdfsig "$f" 2>&1 | grep -q "Signature is Valid" || unsigned=$((unsigned + 1)); done
check "every PDF carries a valid signature (pdfsig)" [ "$unsigned" = 0 ]
check "the recorded SHA-256 is the signed file's" \
	[ "$(q "SELECT pdf_sha256 FROM certificates WHERE serial = '$SER'")" = "$(sha256sum "$PDF" | cut -d' ' -f1)" ]
added=$(python3 -c "
import sys; d=open(sys.argv[1],'rb').read(); print(len(d) - (d.find(b'%%EOF\n') + 6))" "$PDF")
check "the signature adds at most 4 KB ($added bytes)" [ "$added" -le 4096 ]
want=$(openssl x509 -in "$K/pades.crt" -outform DER | openssl dgst -sha256 -binary | base64)
check "the certificate's SHA-256 is a doc-cert ledger leaf" \
	[ "$(q "SELECT count(*) FROM leaves WHERE CAST(entry AS TEXT) = 'hourseal/leaf/v1 doc-cert $want'")" = 1 ]
check "the doc-cert leaf is logged once" quiet "$ISSUER" --data "$D" issue --year 2025 --all --out "$T/pdfs"
check "... still once after a second run" \
	[ "$(q "SELECT count(*) FROM leaves WHERE CAST(entry AS TEXT) LIKE 'hourseal/leaf/v1 doc-cert %'")" = 1 ]
check "audit accepts the ledger with doc-cert leaves" quiet "$ISSUER" --data "$D" audit

# ---- pdfsig with the test CA in an NSS database ----
mkdir "$T/nss"
certutil -N -d "sql:$T/nss" --empty-password
certutil -A -d "sql:$T/nss" -n hourseal-test-ca -t "CT,C,C" -i "$K/pades-ca.crt"
pdfsig -nssdir "sql:$T/nss" "$PDF" >"$T/sig" 2>&1
check "pdfsig: Signature is Valid" has "Signature Validation: Signature is Valid." "$T/sig"
check "pdfsig: Certificate is Trusted" has "Certificate Validation: Certificate is Trusted." "$T/sig"
check "pdfsig: Total document signed" has "Total document signed" "$T/sig"
check "pdfsig: ETSI.CAdES.detached" has "Signature Type: ETSI.CAdES.detached" "$T/sig"
check "pdfsig: SHA-256" has "Signing Hash Algorithm: SHA-256" "$T/sig"

# A byte flipped in the first page's content stream.
python3 - "$PDF" "$T/flip.pdf" <<'PY'
import re, sys
b = bytearray(open(sys.argv[1], 'rb').read())
m = re.search(rb'/Contents (\d+) 0 R', b)
s = re.search(rb'\n' + m.group(1) + rb' 0 obj.*?stream\r?\n', b, re.S)
b[s.end() + 40] ^= 1
open(sys.argv[2], 'wb').write(b)
PY
pdfsig -nssdir "sql:$T/nss" "$T/flip.pdf" >"$T/sig" 2>&1
check "pdfsig on a flipped byte: Digest Mismatch" has "Digest Mismatch" "$T/sig"
# An incremental update appended after signing (a new /Info).
python3 - "$PDF" "$T/app.pdf" <<'PY'
import re, sys
d = open(sys.argv[1], 'rb').read()
prev = int(re.findall(rb'startxref\n(\d+)', d)[-1])
size = int(re.findall(rb'/Size (\d+)', d)[-1])
root = re.findall(rb'/Root (\d+) 0 R', d)[-1]
obj = b"%d 0 obj\n<< /Title (forged) >>\nendobj\n" % size
off = len(d)
x = off + len(obj)
tail = b"xref\n%d 1\n%010d 00000 n\r\ntrailer\n<< /Size %d /Root %s 0 R /Info %d 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (
    size, off, size + 1, root, size, prev, x)
open(sys.argv[2], 'wb').write(d + obj + tail)
PY
pdfsig -nssdir "sql:$T/nss" "$T/app.pdf" >"$T/sig" 2>&1
check "pdfsig on an appended update: Not total document signed" has "Not total document signed" "$T/sig"

# ---- hourseal-verifier check ----
quiet "$ISSUER" --data "$D" tiles "$T/tiles"
cp "$K/k1.pub" "$T/key.pub"
"$VERIFIER" check "$PDF" --key "$T/key.pub" --ledger "$T/tiles" >"$T/c" 2>&1
rc=$?
check "check: the signed PDF is VALID (exit 0)" [ $rc = 0 ]
check "check: pages identical to the re-render + our signature" has "pdf pages:   identical" "$T/c"
check "check: the PDF signature is valid and its certificate a ledger leaf" has "the certificate is ledger leaf" "$T/c"
"$VERIFIER" check "$T/flip.pdf" --key "$T/key.pub" >"$T/c" 2>&1
rc=$?
check "check: a flipped byte is INVALID (exit 1)" [ $rc = 1 ]
check "check: ... because the PDF signature is invalid" has "the PDF signature is invalid" "$T/c"
"$VERIFIER" check "$T/app.pdf" --key "$T/key.pub" --json >"$T/c" 2>&1
rc=$?
check "check: an appended update is INVALID (exit 1)" [ $rc = 1 ]
check "check: ... modified after signing, never valid" python3 -c "
import json; j=json.load(open('$T/c')); assert j['valid'] is False, j
assert j['pdf_signature']['state'] == 'modified_after_signing', j
assert 'modified after signing' in j['problem'], j"

# Hostile signature dictionaries: never valid, never a crash.
python3 - "$PDF" "$T" <<'PY'
import re, sys
d = open(sys.argv[1], 'rb').read()
m = re.search(rb'/ByteRange \[0 (\d+) +(\d+) +(\d+) *\]', d)
def put(name, new):
    x = d[:m.start()] + new.ljust(m.end() - m.start()) + d[m.end():]
    open(sys.argv[2] + '/' + name + '.pdf', 'wb').write(x)
a, b, c = (int(v) for v in m.groups())
put('h1', b'/ByteRange [0 %d %d %d]' % (a, b, c + 1))          # past the end
put('h2', b'/ByteRange [0 %d %d %d]' % (a + 2, b, c))          # shifted hole
put('h3', b'/ByteRange [0 99999999999 %d %d]' % (b, c))        # huge
put('h4', b'/ByteRange [-1 %d %d %d]' % (a, b, c))             # negative
put('h5', b'/ByteRange [0 %d %d 0]' % (a, b))                  # partial cover
hx = d.index(b'<', m.end())
open(sys.argv[2] + '/h6.pdf', 'wb').write(d[:hx + 1] + b'zz' + d[hx + 3:])  # not hex
open(sys.argv[2] + '/h7.pdf', 'wb').write(d[:hx + 1] + b'31' + d[hx + 3:])  # bad DER
PY
bad=0
for h in h1 h2 h3 h4 h5 h6 h7; do
	"$VERIFIER" check "$T/$h.pdf" --key "$T/key.pub" >"$T/c" 2>&1
	rc=$?
	if [ $rc != 1 ]; then bad=$((bad + 1)); echo "# $h: exit $rc"; sed 's/^/# /' "$T/c" | head -3; fi
done
check "hostile /ByteRange and /Contents: all INVALID, no crash" [ "$bad" = 0 ]

# ---- PDFBox + BouncyCastle ----
J=/usr/share/java
CP=$J/pdfbox2.jar:$J/fontbox2.jar:$J/commons-logging.jar:$J/bcprov.jar:$J/bcpkix.jar
[ -f "$J/bcutil.jar" ] && CP=$CP:$J/bcutil.jar
mkdir "$T/java"
check "javac PadesCheck" quiet javac -nowarn -cp "$CP" -d "$T/java" "$HS_TOP/tests/interop/PadesCheck.java"
java -cp "$T/java:$CP" PadesCheck "$PDF" "$K/pades-ca.crt" >"$T/j" 2>&1
check "PDFBox/BouncyCastle: CMS valid, ESS hash, no signing-time, chain" \
	sh -c "[ \$(grep -c '^ok ' '$T/j') = 5 ] && ! grep -q FAIL '$T/j'"
sed 's/^/# /' "$T/j"
java -cp "$T/java:$CP" PadesCheck "$T/flip.pdf" "$K/pades-ca.crt" >"$T/j" 2>&1
check "PDFBox/BouncyCastle rejects the flipped byte" has "FAIL digest mismatch" "$T/j"

# The page renders (the invisible signature changes nothing on it).
pdftoppm -r 50 -png -f 1 -l 1 "$PDF" "$T/page"
check "the signed PDF renders with pdftoppm" [ -s "$T/page-1.png" ]

# ---- online upload ----
quiet "$ISSUER" --data "$D" publish "$T/pub"
start_server --db "$T/pub/verifier.db" --key "$T/key.pub" --rate 0
curl -s -H 'Content-Type: application/pdf' --data-binary "@$PDF" "$URL/api/v1/verify" >"$T/j"
check "upload: the signed PDF is authentic" python3 -c "
import json; j=json.load(open('$T/j')); assert j['outcome']=='authentic', j"
curl -s -H 'Content-Type: application/pdf' --data-binary "@$T/app.pdf" "$URL/api/v1/verify" >"$T/j"
check "upload: an update appended after signing is not authentic" python3 -c "
import json; j=json.load(open('$T/j')); assert j['outcome']!='authentic', j"
check "upload: ... and its pdf_signature says modified after signing" python3 -c "
import json; j=json.load(open('$T/j')); assert j['pdf_signature']['state']=='modified_after_signing', j"
curl -s -H 'Content-Type: application/pdf' --data-binary "@$PDF" "$URL/api/v1/verify" >"$T/j"
check "upload: the signed PDF's pdf_signature is valid" python3 -c "
import json; j=json.load(open('$T/j')); assert j['pdf_signature']['state']=='valid', j"
curl -s -H 'Content-Type: application/pdf' --data-binary "@$T/flip.pdf" "$URL/api/v1/verify" >"$T/j"
check "upload: a flipped byte's pdf_signature is invalid" python3 -c "
import json; j=json.load(open('$T/j')); assert j['outcome']!='authentic' and j['pdf_signature']['state']=='invalid', j"
stop_server
PID=

# ---- RSA-3072 and a PKCS#12 import ----
check "ca issue --alg rsa3072" quiet "$ISSUER" --data "$D" ca issue --alg rsa3072
check "reissue with the RSA key" quiet "$ISSUER" --data "$D" reissue "$SER" --out "$T/rsa"
RPDF=$(find "$T/rsa" -name '*.pdf' | head -1)
pdfsig -nssdir "sql:$T/nss" "$RPDF" >"$T/sig" 2>&1
check "pdfsig: the RSA-3072 signature is valid and trusted" \
	sh -c "grep -q 'Signature is Valid' '$T/sig' && grep -q 'Certificate is Trusted' '$T/sig'"
java -cp "$T/java:$CP" PadesCheck "$RPDF" "$K/pades-ca.crt" >"$T/j" 2>&1
check "PDFBox/BouncyCastle: the RSA signature (rsaEncryption)" has "ok CMS signature valid (1.2.840.113549.1.1.1)" "$T/j"
check "the RSA certificate is logged too" \
	[ "$(q "SELECT count(*) FROM leaves WHERE CAST(entry AS TEXT) LIKE 'hourseal/leaf/v1 doc-cert %'")" = 2 ]

printf 'p12-secret\n' >"$T/p12pass"
chmod 600 "$T/p12pass"
openssl pkcs12 -export -inkey "$K/pades.key" -in "$K/pades.crt" -certfile "$K/pades-ca.crt" \
	-passout file:"$T/p12pass" -out "$T/doc.p12"
check "ca import --p12 with the password from a file" \
	quiet "$ISSUER" --data "$D" ca import --p12 "$T/doc.p12" --password-file "$T/p12pass"
printf 'wrong\n' >"$T/badpass"
chmod 600 "$T/badpass"
"$ISSUER" --data "$D" ca import --p12 "$T/doc.p12" --password-file "$T/badpass" >"$T/o" 2>&1
check "ca import with a wrong password is refused (exit 1)" [ $? = 1 ]
check "... saying so" has "wrong password" "$T/o"
chmod 644 "$T/p12pass"
"$ISSUER" --data "$D" ca import --p12 "$T/doc.p12" --password-file "$T/p12pass" >"$T/o" 2>&1
check "a password file others can read is refused" [ $? != 0 ]
check "ca import --chain/--key (PEM)" \
	quiet "$ISSUER" --data "$D" ca import --chain "$K/pades.crt" --key "$K/pades.key"
check "a key of another certificate is refused" \
	sh -c "! '$ISSUER' --data '$D' ca import --chain '$K/pades-ca.crt' --key '$K/pades.key' >/dev/null 2>&1"
check "the imported key is 0600" [ "$(stat -c %a "$K/pades.key")" = 600 ]

# ---- B-T: an RFC 3161 timestamp from a local TSA ----
mkdir "$T/tsa"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
	-subj "/CN=hourseal test TSA" -addext "extendedKeyUsage=critical,timeStamping" \
	-addext "keyUsage=critical,digitalSignature" \
	-keyout "$T/tsa/tsa.key" -out "$T/tsa/tsa.crt" 2>/dev/null
echo 01 >"$T/tsa/serial"
cat >"$T/tsa/tsa.cnf" <<CNF
[ tsa ]
default_tsa = t
[ t ]
dir = $T/tsa
serial = \$dir/serial
crypto_device = builtin
signer_cert = \$dir/tsa.crt
signer_key = \$dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
certs = \$dir/tsa.crt
CNF
python3 "$HS_TOP/tests/interop/tsa.py" "$T/tsa" "$T/tsa/port" 2>"$T/tsa/err" &
TSAPID=$!
for _ in $(seq 1 100); do [ -s "$T/tsa/port" ] && break; sleep 0.05; done
python3 - "$D/config.json" "http://127.0.0.1:$(cat "$T/tsa/port")/tsa" <<'PY'
import json, sys
c = json.load(open(sys.argv[1])); c["pades_tsa_url"] = sys.argv[2]
json.dump(c, open(sys.argv[1], "w"), ensure_ascii=False)
PY
SER2=$(basename "$RPDF" .pdf)
check "reissue with a TSA" quiet "$ISSUER" --data "$D" reissue "$SER2" --out "$T/tsd"
TPDF=$(find "$T/tsd" -name '*.pdf' | head -1)
check "the TSA was asked" [ -s "$T/tsa/requests" ]
java -cp "$T/java:$CP" PadesCheck "$TPDF" "$K/pades-ca.crt" --tsa >"$T/j" 2>&1
check "PDFBox/BouncyCastle: the timestamp imprint is the signature's and its signature valid" \
	has "ok RFC 3161 timestamp: imprint = SHA-256(signature value)" "$T/j"
sed 's/^/# /' "$T/j" | tail -1
pdfsig -nssdir "sql:$T/nss" "$TPDF" >"$T/sig" 2>&1
check "pdfsig: the B-T signature is valid" has "Signature is Valid" "$T/sig"
"$VERIFIER" check "$TPDF" --key "$T/key.pub" >"$T/c" 2>&1
check "check: VALID, with an RFC 3161 timestamp" sh -c "grep -q ': VALID' '$T/c' && grep -q 'with an RFC 3161 timestamp' '$T/c'"
kill "$TSAPID" 2>/dev/null
wait "$TSAPID" 2>/dev/null
TSAPID=
# pades_tsa_timeout: how long a TSA that refuses connections is retried.
for v in 0 121 '"5"'; do
	python3 - "$D/config.json" "$v" <<'PY'
import json, sys
c = json.load(open(sys.argv[1])); c["pades_tsa_timeout"] = json.loads(sys.argv[2])
json.dump(c, open(sys.argv[1], "w"), ensure_ascii=False)
PY
	"$ISSUER" --data "$D" reissue "$(basename "$TPDF" .pdf)" --out "$T/tsd2" >"$T/o" 2>&1
	check "pades_tsa_timeout $v: refused, naming it" has '"pades_tsa_timeout" must be a whole number of seconds from 1 to 120' "$T/o"
done
python3 - "$D/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1])); c["pades_tsa_timeout"] = 3
json.dump(c, open(sys.argv[1], "w"), ensure_ascii=False)
PY
t0=$(date +%s)
"$ISSUER" --data "$D" reissue "$(basename "$TPDF" .pdf)" --out "$T/tsd2" >"$T/o" 2>&1
rc=$? t1=$(date +%s)
check "a TSA that does not answer fails the issue (exit $rc), saying so" \
	eval '[ $rc != 0 ] && has "did not answer within 3 s" "$T/o"'
check "  after pades_tsa_timeout (3 s), not the default 20 ($((t1 - t0)) s)" \
	[ $((t1 - t0)) -ge 2 -a $((t1 - t0)) -le 12 ]
check "  and nothing was issued" [ -z "$(find "$T/tsd2" -name '*.pdf' 2>/dev/null)" ]

# ---- crash safety with signing: kills mid-run, a rerun, a lost PDF ----
C=$T/crash
"$ISSUER" init "$C" --issuer 福建省专业技术人员继续教育中心 --policy fujian --base-url http://127.0.0.1:8080 --origin ledger.hourseal.example.cn/fj --keys "$T/ckeys" >/dev/null 2>&1 &&
	"$ISSUER" --data "$C" keygen k1 --no-passphrase >/dev/null 2>&1 &&
	python3 "$HS_TOP/tests/data/gen_bulk.py" 300 $Y >"$T/bulk.csv" &&
	"$ISSUER" --data "$C" import "$T/bulk.csv" --quiet >/dev/null 2>&1 &&
	hr_stamp "$C" 福建省人力资源和社会保障厅 --all >/dev/null 2>&1 &&
	"$ISSUER" --data "$C" ca init >/dev/null && "$ISSUER" --data "$C" ca issue >/dev/null
check "crash: set up 300 practitioners and a document key" [ $? = 0 ]
RANDOM=16
for i in 1 2 3 4; do
	"$ISSUER" --data "$C" issue --year $Y --all --out "$T/cout" --batch 20 --quiet >/dev/null 2>&1 &
	p=$!
	sleep "0.$((RANDOM % 9 + 1))"
	kill -KILL "$p" 2>/dev/null
	wait "$p" 2>/dev/null
done
check "crash: a rerun finishes" quiet "$ISSUER" --data "$C" issue --year $Y --all --out "$T/cout" --quiet
cq() { sqlite3 "$C/hourseal.db" "$@"; }
lost=$(find "$T/cout/$Y" -name '*.pdf' | sort | sed -n 3p)
rm -f "$lost"
check "crash: a lost PDF is repaired (signed again)" quiet "$ISSUER" --data "$C" issue --year $Y --all --out "$T/cout" --quiet
check "crash: the repaired PDF is back" [ -f "$lost" ]
bad=0
while IFS='|' read -r file sha; do
	[ -f "$file" ] && [ "$(sha256sum "$file" | cut -d' ' -f1)" = "$sha" ] || bad=$((bad + 1))
done < <(cq "SELECT pdf_file, pdf_sha256 FROM certificates WHERE year = $Y")
check "crash: every recorded SHA-256 is its signed file's ($bad wrong)" [ "$bad" = 0 ]
unsigned=0
for f in $(find "$T/cout/$Y" -name '*.pdf' | sort | awk 'NR % 25 == 1') "$lost"; do
	pdfsig "$f" 2>&1 | grep -q "Signature is Valid" || unsigned=$((unsigned + 1))
done
check "crash: the PDFs (a sample and the repaired one) are validly signed" [ "$unsigned" = 0 ]
check "crash: the repaired PDF checks VALID" quiet "$VERIFIER" check "$lost" --key "$T/ckeys/k1.pub"
check "crash: the ledger audits clean" quiet "$ISSUER" --data "$C" audit
check "crash: one doc-cert leaf" \
	[ "$(cq "SELECT count(*) FROM leaves WHERE CAST(entry AS TEXT) LIKE 'hourseal/leaf/v1 doc-cert %'")" = 1 ]
