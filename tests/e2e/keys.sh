#!/usr/bin/env bash
# Keys: keygen, the key files and their checks, key rotate / retire /
# compromised / list.
. "$(dirname "$0")/../lib.sh"
scratch
ORIGIN=ledger.hourseal.example.cn/fj
D=$T/data
KD=$D/keys

# mkdata DIR ORIGIN KEYS_DIR: a data directory, made by `init` if it is
# built, else by the unit test's helper.
mkdata() {
	if "$ISSUER" init 2>&1 | grep -q 'not built'; then
		"$HS_BUILD/tests/test_keys" --init "$1" "$2" "$3"
	else
		"$ISSUER" init --issuer 福建省专业技术人员继续教育中心 --base-url http://127.0.0.1:8080 --policy fujian "$1" --origin "$2" --keys "$3" >/dev/null
	fi
}
GOCHECK=$("$HS_TOP/tests/interop/build.sh" "$HS_BUILD/interop" 2>/dev/null) || GOCHECK=
run() { "$ISSUER" --data "$D" "$@" >"$T/out" 2>"$T/errout"; }
has() { grep -q -- "$1" "$T/out" "$T/errout"; }

check "make a data directory" mkdata "$D" "$ORIGIN" "$KD"
printf 'correct horse battery\n' >"$T/pass"
printf 'wrong horse battery\n' >"$T/wrong"
# Passphrase files others can read are refused (hostile_keys.sh).
chmod 600 "$T/pass" "$T/wrong"

check_fails "no key yet: key rotate refuses" run key rotate --passphrase-file "$T/pass"
check "and says to run keygen" has "keygen"
check "keygen k1 with a passphrase file" run keygen k1 --passphrase-file "$T/pass"
check "k1.key is mode 0600" test "$(stat -c %a "$KD/k1.key")" = 600
check "k1.pub is mode 0644" test "$(stat -c %a "$KD/k1.pub")" = 644
check "k1.key is an encrypted PKCS#8 PEM" grep -q '^-----BEGIN ENCRYPTED PRIVATE KEY-----$' "$KD/k1.key"
check "openssl reads it with the passphrase as Ed25519" \
	bash -c "openssl pkey -in '$KD/k1.key' -passin 'file:$T/pass' -noout -text 2>/dev/null | grep -q ED25519"
check_fails "openssl refuses the wrong passphrase" \
	openssl pkey -in "$KD/k1.key" -passin "file:$T/wrong" -noout
openssl asn1parse -in "$KD/k1.key" >"$T/asn1" 2>&1
check "openssl sees PBES2 with scrypt and AES-256-CBC" bash -c \
	"grep -q PBES2 '$T/asn1' && grep -q ':scrypt' '$T/asn1' && grep -q aes-256-cbc '$T/asn1'"
VK=$(cat "$KD/k1.pub")
check "k1.pub is one line: origin+keyid+key" bash -c "[ \$(wc -l <'$KD/k1.pub') = 1 ] && [[ '$VK' == $ORIGIN+????????+A* ]]"
check "keygen prints the verifier key" has "$VK"
check_fails "keygen prints no secret" grep -qi -e 'PRIVATE' -e 'horse' "$T/out" "$T/errout"
# The public key in the .pub is the one in the .key (openssl's view).
pubhex=$(openssl pkey -in "$KD/k1.key" -passin "file:$T/pass" -pubout -outform DER 2>/dev/null | tail -c 32 | od -An -tx1 | tr -d ' \n')
vkhex=$(echo "$VK" | cut -d+ -f3- | base64 -d | tail -c 32 | od -An -tx1 | tr -d ' \n')
check "the .pub key is the .key's public key" test -n "$pubhex" -a "$pubhex" = "$vkhex"
if [ -n "$GOCHECK" ]; then
	check "Go's sumdb/note accepts k1.pub" "$GOCHECK" vkey -keyfile "$KD/k1.pub"
else
	notok "build the Go checker"
fi
DB=$D/hourseal.db
latest() { sqlite3 "$DB" "SELECT note FROM latest_checkpoint" | head -c -1 >"$1"; }
check "keygen logged one key leaf and the audit leaf anchoring its key.add row" test "$(sqlite3 "$DB" "SELECT count(*) FROM leaves")" = 2
check "leaf 1 anchors audit row 1 (key.add k1) with its hash" test \
	"$(sqlite3 "$DB" "SELECT CAST(entry AS TEXT) FROM leaves WHERE idx = 1")" = \
	"hourseal/leaf/v1 audit 1 $(sqlite3 "$DB" "SELECT hex(hash) FROM audit WHERE seq = 1 AND action = 'key.add' AND object = 'k1'" | xxd -r -p | base64 -w0)"
entry=$(sqlite3 "$DB" "SELECT CAST(entry AS TEXT) FROM leaves WHERE idx = 0")
check "the leaf is 'hourseal/leaf/v1 key <vkey> <not-before>'" \
	bash -c "[[ '$entry' =~ ^hourseal/leaf/v1\ key\ ${VK//+/\\+}\ [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\$ ]]"
check "its not-before is the key's" test "${entry##* }" = "$(sqlite3 "$DB" "SELECT not_before FROM keys WHERE label = 'k1'")"
latest "$T/cp1"
check "a checkpoint of size 2 was signed" test "$(sed -n 2p "$T/cp1")" = 2
check "its origin line is the ledger origin" test "$(sed -n 1p "$T/cp1")" = "$ORIGIN"
check "Go verifies it with k1.pub" "$GOCHECK" note -keyfile "$KD/k1.pub" "$T/cp1"
check "audit passes" "$ISSUER" --data "$D" audit
check "key list shows k1 active" bash -c "'$ISSUER' --data '$D' key list | grep -q \$'^k1\tactive\t'"
check_fails "keygen again while k1 is active" run keygen k2 --passphrase-file "$T/pass"
check "says to use key rotate" has "key rotate"
check "no k2 files were made" test ! -e "$KD/k2.key" -a ! -e "$KD/k2.pub"

# O_EXCL: a second data directory sharing the key directory.
D2=$T/data2
check "second data directory, same key directory" mkdata "$D2" "$ORIGIN" "$KD"
sum1=$(sha256sum <"$KD/k1.key")
check_fails "keygen k1 into a key directory that has k1.key" \
	"$ISSUER" --data "$D2" keygen k1 --passphrase-file "$T/pass"
check "says it already exists" bash -c "'$ISSUER' --data '$D2' keygen k1 --passphrase-file '$T/pass' 2>&1 | grep -q 'already exists'"
check "k1.key was not touched" test "$(sha256sum <"$KD/k1.key")" = "$sum1"
rm -rf "$D2"

# Load errors, through key rotate (which loads the active key first).
check_fails "rotate with the wrong old passphrase" run key rotate --passphrase-file "$T/pass" --old-passphrase-file "$T/wrong"
check "says wrong passphrase" has "wrong passphrase"
check_fails "rotate with no passphrase at all" run key rotate
check "says it needs one for the new key, naming both ways" \
	has "no passphrase for the new key: give --passphrase-file FILE (or set HOURSEAL_PASSPHRASE_FILE), or pass --no-passphrase"
check_fails "rotate --no-passphrase without the old key's passphrase" \
	run key rotate --no-passphrase
check "says the key is encrypted" has "encrypted"
check_fails "--no-passphrase with --passphrase-file contradict" \
	run key rotate --no-passphrase --passphrase-file "$T/pass"
check "says so" has "contradicts --passphrase-file"
chmod 640 "$KD/k1.key"
check_fails "rotate with k1.key group-readable" run key rotate --passphrase-file "$T/pass"
check "says the mode is wrong" has "0640"
chmod 604 "$KD/k1.key"
check_fails "rotate with k1.key world-readable" run key rotate --passphrase-file "$T/pass"
chmod 600 "$KD/k1.key"
cp "$KD/k1.key" "$T/k1.key.good"
head -c 200 "$T/k1.key.good" >"$KD/k1.key"
check_fails "rotate with a truncated k1.key" run key rotate --passphrase-file "$T/pass"
check "says truncated" has "truncated"
cp "$T/k1.key.good" "$KD/k1.key"
cp "$KD/k1.pub" "$T/k1.pub.good"
"$GOCHECK" genkey "$ORIGIN" 2>/dev/null | sed -n 2p >"$KD/k1.pub"
check_fails "rotate with a k1.pub that is not k1.key's" run key rotate --passphrase-file "$T/pass"
check "says .pub does not match" has "does not match"
cp "$T/k1.pub.good" "$KD/k1.pub"
check "no key files were left by the failed rotations" \
	test "$(ls "$KD" | sort | tr '\n' ' ')" = "k1.key k1.pub "
check "nor leaves" test "$(sqlite3 "$DB" "SELECT count(*) FROM leaves")" = 2

# Rotation, with the passphrase from the environment.
check "rotate to k2 (passphrase from HOURSEAL_PASSPHRASE_FILE)" \
	env HOURSEAL_PASSPHRASE_FILE="$T/pass" "$ISSUER" --data "$D" key rotate k2
"$ISSUER" --data "$D" key list >"$T/list"
check "k2 is active" grep -q $'^k2\tactive\t' "$T/list"
check "k1 is retired" grep -q $'^k1\tretired\t' "$T/list"
check "k2.key is encrypted too" grep -q 'ENCRYPTED PRIVATE KEY' "$KD/k2.key"
check_fails "k2 has another verifier key" cmp -s "$KD/k1.pub" "$KD/k2.pub"
check "rotation logged k2's key leaf" test "$(sqlite3 "$DB" "SELECT CAST(entry AS TEXT) FROM leaves WHERE idx = 2" | cut -d' ' -f3)" = "$(cat "$KD/k2.pub")"
check "and k1's retirement as a key-retire leaf under the same checkpoint" test \
	"$(sqlite3 "$DB" "SELECT CAST(entry AS TEXT) FROM leaves WHERE idx = 3")" = \
	"hourseal/leaf/v1 key-retire $(cat "$KD/k1.pub") $(sqlite3 "$DB" "SELECT retired FROM keys WHERE label = 'k1'")"
latest "$T/cp2"
check "and the audit leaf of its key.add and key.retire rows (1..3) after them" test \
	"$(sqlite3 "$DB" "SELECT CAST(entry AS TEXT) FROM leaves WHERE idx = 4" | cut -d' ' -f1-3)" = "hourseal/leaf/v1 audit 3"
check "the checkpoint of size 5 ..." test "$(sed -n 2p "$T/cp2")" = 5
check "... is signed by the outgoing key k1 (Go)" "$GOCHECK" note -keyfile "$KD/k1.pub" "$T/cp2"
check_fails "... and not by k2 (Go)" "$GOCHECK" note -keyfile "$KD/k2.pub" "$T/cp2"
check "k1's retirement is k2's not-before" test \
	"$(sqlite3 "$DB" "SELECT retired FROM keys WHERE label = 'k1'")" = "$(sqlite3 "$DB" "SELECT not_before FROM keys WHERE label = 'k2'")"
check "audit passes after rotation" "$ISSUER" --data "$D" audit

# Retire, compromised.
check_fails "retire an unknown key" run key retire nosuch
check "says no such key" has "no key labelled"
check "retire k1 again is refused" bash -c "! '$ISSUER' --data '$D' key retire k1 2>/dev/null"
check_fails "compromised without --since" run key compromised k1
check_fails "compromised with a bad time" run key compromised k1 --since yesterday
check "says RFC 3339" has "RFC 3339"
check "compromised k1 since a time" run key compromised k1 --since 2020-01-01T00:00:00Z --passphrase-file "$T/pass"
check "list shows it" bash -c "'$ISSUER' --data '$D' key list | grep -q \$'^k1\tcompromised\t.*2020-01-01T00:00:00Z'"
check_fails "a later compromise time is refused" run key compromised k1 --since 2021-01-01T00:00:00Z --passphrase-file "$T/pass"
check "retire k2 (the active key)" run key retire k2 --passphrase-file "$T/pass"
check_fails "then nothing can be rotated" run key rotate --passphrase-file "$T/pass"
check "keygen k3 works again" run keygen k3 --passphrase-file "$T/pass"
check "k3 is active" bash -c "'$ISSUER' --data '$D' key list | grep -q \$'^k3\tactive\t'"
latest "$T/cp3"
check "k3 (no active key before it) signed its own checkpoint" "$GOCHECK" note -keyfile "$KD/k3.pub" "$T/cp3"
check_fails "a bad label is refused" run keygen --no-passphrase ../x
check_fails "key rotate k4 with no passphrase for the new key: refused" \
	run key rotate k4 --old-passphrase-file "$T/pass"
check "  and made no k4.key" test ! -e "$KD/k4.key"
check "unencrypted key (--no-passphrase) gets a warning" bash -c "'$ISSUER' --data '$D' key rotate k4 --no-passphrase --old-passphrase-file '$T/pass' 2>&1 | grep -q 'NOT encrypted'"
check "k4.key is an unencrypted PKCS#8 PEM" grep -q '^-----BEGIN PRIVATE KEY-----$' "$KD/k4.key"
check "k4 active without a passphrase" bash -c "'$ISSUER' --data '$D' key list | grep -q \$'^k4\tactive\t'"
check "default label is the date" bash -c "'$ISSUER' --data '$D' key rotate --no-passphrase 2>/dev/null | grep -q \"^key \$(date -u +%Y-%m-%d) \""
check "the next default label gets -2" bash -c "'$ISSUER' --data '$D' key rotate --no-passphrase 2>/dev/null | grep -q \"^key \$(date -u +%Y-%m-%d)-2 \""
check "one key leaf per key" test "$(sqlite3 "$DB" "SELECT count(*) FROM leaves WHERE CAST(entry AS TEXT) LIKE 'hourseal/leaf/v1 key %'")" = "$(sqlite3 "$DB" "SELECT count(*) FROM keys")"
check "audit passes at the end" "$ISSUER" --data "$D" audit
