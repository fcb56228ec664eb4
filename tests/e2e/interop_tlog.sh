#!/usr/bin/env bash
# Interop: Go's golang.org/x/mod/sumdb/note and tlog (tests/interop
# gocheck) verify our signed checkpoints, the static tile tree written by
# `hourseal-issuer tiles` (the spec's 70,000-leaf example: full and partial
# tiles on three levels, entry bundles), consistency with older
# checkpoints, and receipts; and they reject tampered ones.
. "$(dirname "$0")/../lib.sh"
scratch
GOCHECK=$("$HS_TOP/tests/interop/build.sh" "$HS_BUILD/interop") || {
	notok "build the Go checker (tests/interop/build.sh)"; exit 1; }
TL=$HS_BUILD/tests/test_ledger
D=$T/data
DB=$D/hourseal.db
O=ledger.hourseal.example.cn/fj

"$ISSUER" init --issuer 福建省专业技术人员继续教育中心 --base-url http://127.0.0.1:8080 --policy fujian "$D" --origin "$O" >/dev/null 2>&1 || notok "init"
vkey=$("$TL" --fill "$DB" "$O" 70000 5000) || notok "fill 70000 leaves"
check "we signed a verifier key named for the origin" [ "${vkey%%+*}" = "$O" ]
check "tiles for 70000 leaves" "$ISSUER" --data "$D" tiles "$T/log"
for f in tile/0/272 tile/0/273.p/112 tile/1/000 tile/1/001.p/17 tile/2/000.p/1 \
	tile/entries/273.p/112; do
	check "the spec's example tile $f is there" [ -f "$T/log/$f" ]
done
check_fails "no empty or extra tile is written" [ -e "$T/log/tile/3" ]

check "Go opens our checkpoint" "$GOCHECK" checkpoint -key "$vkey" -origin "$O" "$T/log/checkpoint"
"$GOCHECK" checkpoint -key "$vkey" "$T/log/checkpoint" >"$T/cp.txt"
check "Go reads size 70000" grep -qx 'size 70000' "$T/cp.txt"

sqlite3 "$DB" "SELECT writefile('$T/cp5000', note) FROM checkpoints WHERE size = 5000;
  SELECT writefile('$T/cp35000', note) FROM checkpoints WHERE size = 35000;" >/dev/null
"$GOCHECK" tiles -key "$vkey" -origin "$O" -older "$T/cp5000" -older "$T/cp35000" \
	-every 61 "$T/log" >"$T/tiles.out" 2>&1; rc=$?
check "Go's tlog verifies our tiles, bundles, proofs and consistency (exit $rc)" [ "$rc" -eq 0 ]
sed 's/^/# /' "$T/tiles.out"
check "Go proved 5000 -> 70000" grep -qx 'consistent 5000 -> 70000' "$T/tiles.out"

# Tampered tiles and checkpoints are rejected.
cp -a "$T/log" "$T/bad"
# Flip every bit of one byte (writing a fixed value changed nothing when
# the byte already had it, one run in 256).
python3 -c 'import sys; f = open(sys.argv[1], "r+b"); f.seek(4000); b = f.read(1); f.seek(4000); f.write(bytes([b[0] ^ 0xff]))' "$T/bad/tile/0/100"
check_fails "Go rejects a tile with a changed byte" "$GOCHECK" tiles -key "$vkey" -every 1000 "$T/bad"
cp "$T/log/tile/0/100" "$T/bad/tile/0/100"
python3 -c 'import sys; f = open(sys.argv[1], "r+b"); f.seek(20); b = f.read(1); f.seek(20); f.write(bytes([b[0] ^ 0xff]))' "$T/bad/tile/entries/005"
check_fails "Go rejects an entry bundle with a changed byte" "$GOCHECK" tiles -key "$vkey" -every 1000 "$T/bad"
cp "$T/log/tile/entries/005" "$T/bad/tile/entries/005"
sed -i '2s/70000/70001/' "$T/bad/checkpoint"
check_fails "Go rejects a checkpoint with a changed size" "$GOCHECK" checkpoint -key "$vkey" "$T/bad/checkpoint"
other=$("$GOCHECK" genkey "$O" | sed -n 2p)
check_fails "Go rejects our checkpoint with another key of the same name" \
	"$GOCHECK" checkpoint -key "$other" "$T/log/checkpoint"

# Receipts (c2sp.org/tlog-proof@v1).
for i in 0 617 65535 69999; do
	"$TL" --receipt "$DB" "$O" $i "$T/r$i" "$T/e$i" || notok "receipt $i"
	check "Go verifies our receipt for leaf $i" "$GOCHECK" receipt -key "$vkey" -origin "$O" "$T/r$i" "$T/e$i"
done
check_fails "Go rejects the receipt of leaf 617 for entry 618's bytes" \
	"$GOCHECK" receipt -key "$vkey" "$T/r617" "$T/e0"
sed '2s/617/618/' "$T/r617" >"$T/rbad"
check_fails "Go rejects a receipt with a changed index" "$GOCHECK" receipt -key "$vkey" "$T/rbad" "$T/e617"
check_fails "Go rejects a receipt under an unknown key" "$GOCHECK" receipt -key "$other" "$T/r617" "$T/e617"
