#!/usr/bin/env bash
# hourseal-issuer audit: passes on an untouched ledger; after one byte of
# a stored leaf (or a subtree hash, or a checkpoint) is changed through a
# raw SQLite connection with the append-only triggers dropped, it exits 1
# and names the first bad index. Also: tiles writes a complete static tree.
# The ledger is filled by test_ledger --fill (issue leaves, a signed
# checkpoint per batch, its key in the keys table).
. "$(dirname "$0")/../lib.sh"
scratch
TL=$HS_BUILD/tests/test_ledger
D=$T/data
DB=$D/hourseal.db
O=ledger.hourseal.example.cn/fj

check "init a data directory" "$ISSUER" init --base-url http://127.0.0.1:8080 --policy fujian "$D" --origin "$O" --issuer 测试中心
check "fill the ledger: 1000 leaves, 10 checkpoints" "$TL" --fill "$DB" "$O" 1000 100
"$ISSUER" --data "$D" audit >"$T/out" 2>"$T/err"; rc=$?
check "audit of the untouched ledger exits 0" [ "$rc" -eq 0 ]
check "audit reports what it checked" grep -q 'ok: 1000 leaves and 10 checkpoints' "$T/out"

check_fails "the triggers refuse an UPDATE of a leaf" \
	sqlite3 "$DB" "UPDATE leaves SET entry = entry WHERE idx = 617" 2>/dev/null
cp "$DB" "$T/clean.db"

# One byte of leaf 617's entry: 'i' of "issue" becomes 'I'.
sqlite3 "$DB" "DROP TRIGGER leaves_no_update;
  UPDATE leaves SET entry = CAST(replace(CAST(entry AS TEXT), ' issue ', ' Issue ') AS BLOB)
  WHERE idx = 617;" || notok "tamper with leaf 617"
check "exactly one byte differs" [ "$(sqlite3 "$DB" "SELECT count(*) FROM leaves WHERE instr(CAST(entry AS TEXT), ' Issue ')")" = 1 ]
"$ISSUER" --data "$D" audit >"$T/out" 2>"$T/err"; rc=$?
check "audit of the altered leaf exits 1" [ "$rc" -eq 1 ]
check "audit names leaf index 617" grep -q 'FAILED at leaf index 617: leaf 617' "$T/err"
sed 's/^/# /' "$T/err"

# The entry and its leaf hash changed together: the subtree hash catches it.
cp "$T/clean.db" "$DB"
sqlite3 "$DB" "DROP TRIGGER leaves_no_update;
  UPDATE leaves SET entry = CAST('forged' AS BLOB),
    hash = X'$(printf '\0forged' | sha256sum | cut -c1-64)' WHERE idx = 300;" ||
	notok "tamper with leaf 300 and its hash"
"$ISSUER" --data "$D" audit >"$T/out" 2>"$T/err"; rc=$?
check "a leaf rehashed consistently is caught too (exit 1)" [ "$rc" -eq 1 ]
check "... at the first leaf of its level-1 subtree, 300" grep -q 'FAILED at leaf index 300' "$T/err"

# A stored subtree hash.
cp "$T/clean.db" "$DB"
sqlite3 "$DB" "DROP TRIGGER tree_no_update;
  UPDATE tree SET hash = zeroblob(32) WHERE id = (SELECT max(id) FROM tree);" ||
	notok "tamper with a subtree hash"
"$ISSUER" --data "$D" audit >"$T/out" 2>"$T/err"; rc=$?
check "an altered subtree hash: exit 1" [ "$rc" -eq 1 ]
check "... names a leaf index" grep -q 'FAILED at leaf index [0-9]' "$T/err"

# A checkpoint note.
cp "$T/clean.db" "$DB"
sqlite3 "$DB" "DROP TRIGGER checkpoints_no_update;
  UPDATE checkpoints SET note = replace(note, char(10) || '500' || char(10), char(10) || '499' || char(10))
  WHERE size = 500;" || notok "tamper with checkpoint 500"
"$ISSUER" --data "$D" audit >"$T/out" 2>"$T/err"; rc=$?
check "an altered checkpoint: exit 1" [ "$rc" -eq 1 ]
check "... names checkpoint 500" grep -q 'FAILED at checkpoint 500' "$T/err"

# A missing key: checkpoints no longer verify.
cp "$T/clean.db" "$DB"
sqlite3 "$DB" "DROP TRIGGER keys_no_delete; DELETE FROM keys" || notok "delete the key"
"$ISSUER" --data "$D" audit >"$T/out" 2>"$T/err"; rc=$?
check "without the signing key: exit 1 at checkpoint 100" \
	bash -c "[ $rc -eq 1 ] && grep -q 'FAILED at checkpoint 100' '$T/err'"

cp "$T/clean.db" "$DB"
check "audit passes on the restored copy" "$ISSUER" --data "$D" audit
"$ISSUER" --data /nonexistent audit 2>/dev/null; rc=$?
check "audit of a missing data directory exits 2" [ "$rc" -eq 2 ]

# tiles DIR: the static tree for the latest checkpoint.
check "tiles writes the static tree" "$ISSUER" --data "$D" tiles "$T/pub/log"
check "checkpoint is the latest one" cmp -s "$T/pub/log/checkpoint" \
	<(sqlite3 "$DB" "SELECT note FROM latest_checkpoint" | head -c -1)
for f in tile/0/000 tile/0/001 tile/0/002 tile/0/003.p/232 tile/1/000.p/3 \
	tile/entries/000 tile/entries/003.p/232; do
	check "$f exists" [ -f "$T/pub/log/$f" ]
done
check "full level-0 tile is 8192 bytes" [ "$(stat -c %s "$T/pub/log/tile/0/000")" -eq 8192 ]
check "partial tile 003.p/232 is 232 hashes" [ "$(stat -c %s "$T/pub/log/tile/0/003.p/232")" -eq $((232 * 32)) ]
check "level-0 tile = the leaf hashes" cmp -s "$T/pub/log/tile/0/001" \
	<(sqlite3 "$DB" "SELECT hex(hash) FROM leaves WHERE idx >= 256 AND idx < 512 ORDER BY idx" | python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.stdin.read()))')
"$ISSUER" --data "$D" tiles "$T/pub/log" >"$T/out"
check "a second run keeps the 6 full tiles, rewrites the 3 partial ones" grep -q 'wrote 3 tiles, kept 6' "$T/out"

# The real commands: keygen and key rotate log key leaves and sign
# checkpoints (the second by the new key); audit checks them with the keys
# table; one changed byte of the first key leaf is named.
D2=$T/data2
"$ISSUER" init --issuer 福建省专业技术人员继续教育中心 --base-url http://127.0.0.1:8080 --policy fujian "$D2" --origin "$O" --keys "$D2/keys" >/dev/null 2>&1 || notok "init $D2"
printf 'correct horse battery\n' >"$T/pass"
chmod 600 "$T/pass"
check "keygen k1" "$ISSUER" --data "$D2" keygen k1 --passphrase-file "$T/pass"
check "key rotate" "$ISSUER" --data "$D2" key rotate --passphrase-file "$T/pass" \
	--old-passphrase-file "$T/pass"
"$ISSUER" --data "$D2" audit >"$T/out" 2>"$T/err"; rc=$?
check "audit after keygen and rotate exits 0" [ "$rc" -eq 0 ]
sed 's/^/# /' "$T/out" "$T/err"
n=$(sqlite3 "$D2/hourseal.db" "SELECT count(*) FROM checkpoints")
check "audit checked every checkpoint ($n)" grep -q "and $n checkpoints" "$T/out"
sqlite3 "$D2/hourseal.db" "DROP TRIGGER leaves_no_update;
  UPDATE leaves SET entry = CAST(replace(CAST(entry AS TEXT), ' key ', ' kEy ') AS BLOB)
  WHERE idx = 0;" || notok "tamper with the first key leaf"
"$ISSUER" --data "$D2" audit >"$T/out" 2>"$T/err"; rc=$?
check "audit of the altered key leaf exits 1" [ "$rc" -eq 1 ]
check "audit names leaf index 0" grep -q 'FAILED at leaf index 0: leaf 0' "$T/err"
