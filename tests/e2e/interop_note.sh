#!/usr/bin/env bash
# Interop: Go's golang.org/x/mod/sumdb/note opens our certificate notes,
# rejects tampered ones, and we open notes Go signed (tests/interop).
. "$(dirname "$0")/../lib.sh"
scratch
GOCHECK=$("$HS_TOP/tests/interop/build.sh" "$HS_BUILD/interop") || {
	notok "build the Go checker (tests/interop/build.sh)"; exit 1; }
TC=$HS_BUILD/tests/test_cert

check "write signed sample certificate notes" "$TC" --samples "$T"
vkey=$(head -1 "$T/key.pub")
for k in annual course stamped; do
	check "Go opens our $k certificate note" "$GOCHECK" note -keyfile "$T/key.pub" "$T/$k.note"
	"$GOCHECK" note -key "$vkey" -text "$T/$k.note" | tail -n +2 >"$T/$k.go.txt"
	check "Go's signed text is exactly our $k text" cmp -s "$T/$k.go.txt" "$T/$k.txt"
	check "we open our $k note too" "$TC" --open "$vkey" "$T/$k.note"
done
check "Go reports the origin with '/' as the signer" \
	grep -q '^verified ledger.hourseal.example.cn/fj+' <("$GOCHECK" note -keyfile "$T/key.pub" "$T/annual.note")

# Tampering: one changed byte in the name, in the hours, in the signature.
sed 's/name: 张三/name: 张四/' "$T/annual.note" >"$T/t1.note"
sed 's/^public: 30$/public: 31/' "$T/annual.note" >"$T/t2.note"
sed '$ s/.\(.\)$/A\1/' "$T/annual.note" >"$T/t3.note"
for t in t1 t2 t3; do
	check "the tampered note $t differs" bash -c "! cmp -s '$T/$t.note' '$T/annual.note'"
	check_fails "Go rejects tampered note $t" "$GOCHECK" note -keyfile "$T/key.pub" "$T/$t.note"
	check_fails "we reject tampered note $t" "$TC" --open "$vkey" "$T/$t.note"
done

# The other way: Go signs our certificate text with a fresh key and name.
"$GOCHECK" genkey "ledger.example.org/weihai" >"$T/gokeys"
skey=$(sed -n 1p "$T/gokeys"); gvkey=$(sed -n 2p "$T/gokeys")
"$GOCHECK" sign -skey "$skey" "$T/course.txt" >"$T/go.note"
printf '%s' "$(cat "$T/course.txt")" >"$T/nonl.txt"
check_fails "Go refuses to sign text without final newline" "$GOCHECK" sign -skey "$skey" "$T/nonl.txt"
check "we open a certificate note Go signed" "$TC" --open "$gvkey" "$T/go.note"
check_fails "with our key instead, it does not open" "$TC" --open "$vkey" "$T/go.note"
# Both signatures in one note: each side opens it with either key.
{ cat "$T/course.note"; tail -1 "$T/go.note"; } >"$T/both.note"
check "Go opens a note signed by us and by Go (our key)" "$GOCHECK" note -key "$vkey" "$T/both.note"
check "Go opens it with Go's key" "$GOCHECK" note -key "$gvkey" "$T/both.note"
check "we open it with our key" "$TC" --open "$vkey" "$T/both.note"
check "we open it with Go's key" "$TC" --open "$gvkey" "$T/both.note"
