#!/usr/bin/env bash
# The offline check says what it rests on and finds revocations in a copy
# of the ledger (issue 11, item 5): issue, copy the tiles, revoke one
# certificate and supersede another, copy the tiles again. Without
# --ledger the answer names the receipt's checkpoint and says revocation
# was NOT checked (also with a fresh --checkpoint); with the new tiles the
# revoked and superseded ones are REVOKED (exit 1); with the old tiles the
# answer is VALID but names the older checkpoint and says nothing newer
# is known. Hostile copies (changed or forged entries, an older or
# foreign checkpoint, truncated or huge files, links out of the copy, a
# FIFO, a fork signed with the same key) are never VALID.
. "$(dirname "$0")/../lib.sh"
scratch
S=$HS_TOP/templates/samples
D=$T/fj
O=ledger.example.cn/fj
Y=2024
quiet() { "$@" >"$T/q" 2>&1 || { sed 's/^/# /' "$T/q" | tail -5; return 1; }; }
# chk OUT ARGS...: runs check (at most 20 s), output in OUT; status in $rc.
chk() { local out=$1; shift; timeout 20 "$VERIFIER" check "$@" >"$out" 2>&1; rc=$?; }
# json FILE EXPR: evaluates a Python expression over the JSON in FILE (j).
json() { python3 -c "import json,sys; j=json.load(open('$1')); sys.exit(0 if ($2) else 1)" 2>/dev/null; }

check "init" quiet "$ISSUER" init --issuer 福建省专业技术人员继续教育中心 --base-url http://127.0.0.1:8080 --policy fujian "$D" --keys "$T/keys" --origin "$O"
check "keygen" quiet "$ISSUER" --data "$D" keygen --no-passphrase k1
check "import" quiet "$ISSUER" --data "$D" import "$S/small.csv" --skip-invalid "$T/rej.csv" --quiet
check "stamp" quiet hr_stamp "$D" 福建省人力资源和社会保障厅 --all
check "tiles before any certificate" quiet "$ISSUER" --data "$D" tiles "$T/t0"
# A second ledger from the same key and origin, to fork from here.
cp -a "$D" "$T/fork"
check "issue" quiet "$ISSUER" --data "$D" issue --year $Y --all --out "$T/certs"
check "tiles after issuing" quiet "$ISSUER" --data "$D" tiles "$T/t1"
K=$T/keys/k1.pub
mapfile -t PDFS < <(find "$T/certs/$Y" -name '*.pdf' | sort)
check "at least 3 certificates (${#PDFS[@]})" [ "${#PDFS[@]}" -ge 3 ]
A=${PDFS[0]} B=${PDFS[1]} C=${PDFS[2]}
SA=$(basename "$A" .pdf) SB=$(basename "$B" .pdf)
N1=$(sed -n 2p "$T/t1/checkpoint")

# Without a ledger: VALID, resting on the receipt, revocation not checked.
chk "$T/o" "$A" --key "$K"
check "no --ledger: VALID (exit $rc)" [ $rc = 0 ]
check "  names the checkpoint it rests on (size $N1, the receipt's)" \
	grep -qE "^  rests on: +checkpoint $O, size $N1, root " "$T/o"
check "  from the receipt" grep -q 'from the receipt in the certificate' "$T/o"
check "  says revocation was NOT checked" grep -qE '^  revocation: +NOT checked' "$T/o"
check "  says key status was NOT checked" grep -qE '^  key status: +NOT checked' "$T/o"
chk "$T/j" "$A" --key "$K" --json
check "  JSON: rests_on the receipt's checkpoint, revocation not checked" json "$T/j" \
	"j['status']=='valid' and j['rests_on']['from']=='receipt' and j['rests_on']['size']==$N1 \
	 and j['revocation']['checked'] is False and j['key_status']['checked'] is False"

check "revoke A (error)" quiet "$ISSUER" --data "$D" revoke "$SA" --reason error
check "reissue B (B superseded)" quiet "$ISSUER" --data "$D" reissue "$SB" --out "$T/out2"
check "tiles after the revocations" quiet "$ISSUER" --data "$D" tiles "$T/t2"
N2=$(sed -n 2p "$T/t2/checkpoint")
check "the ledger grew ($N1 -> $N2)" [ "$N2" -gt "$N1" ]

# A fresh checkpoint alone still lists no revocations: say so.
start_server --db "$D/hourseal.db" --key "$K" --rate 0 || notok "server"
curl -s "$URL/checkpoint?consistency-from=$N1" >"$T/fresh"
stop_server
chk "$T/o" "$A" --key "$K" --checkpoint "$T/fresh"
check "fresh --checkpoint, revoked A: never a silent VALID: revocation NOT checked" \
	grep -qE '^  revocation: +NOT checked' "$T/o"
check "  rests on the fresh checkpoint (size $N2)" \
	grep -qE "^  rests on: +checkpoint $O, size $N2, " "$T/o"

# The new tiles: REVOKED, exit 1, with the reason and time.
chk "$T/o" "$A" --key "$K" --ledger "$T/t2"
check "--ledger (new tiles), revoked A: REVOKED, exit 1 ($rc)" [ $rc = 1 ]
check "  the answer is REVOKED" grep -qx "$A: REVOKED" "$T/o"
check "  with the reason and time" grep -qE '^  revocation: +REVOKED: error, at [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z' "$T/o"
check "  resting on the copy's checkpoint (size $N2)" \
	grep -qE "^  rests on: +checkpoint $O, size $N2, " "$T/o"
chk "$T/j" "$A" --key "$K" --ledger "$T/t2" --json
check "  JSON: status revoked, reason error, rests on the ledger" json "$T/j" \
	"j['status']=='revoked' and j['exit']==1 and j['revocation']['revoked'] and \
	 j['revocation']['reason']=='error' and j['rests_on']=={'origin':'$O','size':$N2,'root':j['rests_on']['root'],'from':'ledger'}"
chk "$T/o" "$B" --key "$K" --ledger "$T/t2"
check "superseded B: REVOKED, exit 1 ($rc)" [ $rc = 1 ]
check "  reason superseded" grep -qE '^  revocation: +REVOKED: superseded' "$T/o"
check "  says the replacement is not shown offline" grep -qE '^  replacement: +not shown offline' "$T/o"
chk "$T/o" "$C" --key "$K" --ledger "$T/t2"
check "untouched C with the new tiles: VALID ($rc)" [ $rc = 0 ]
check "  revocation checked up to size $N2, nothing newer known" \
	grep -qE "^  revocation: +checked: not revoked in the ledger up to checkpoint size $N2; anything logged after that checkpoint is not known" "$T/o"

# The old tiles: VALID, but it says which checkpoint and nothing newer.
chk "$T/o" "$A" --key "$K" --ledger "$T/t1"
check "--ledger (old tiles), A: VALID ($rc)" [ $rc = 0 ]
check "  resting on the old checkpoint (size $N1)" \
	grep -qE "^  rests on: +checkpoint $O, size $N1, " "$T/o"
check "  and nothing newer is known" grep -q "up to checkpoint size $N1; anything logged after that checkpoint is not known" "$T/o"
chk "$T/o" "$A" --key "$K" --ledger "$T/t0"
check "tiles older than the receipt: could not check (exit $rc)" [ $rc = 2 ]
check "  saying so" grep -q 'older than the receipt' "$T/o"
chk "$T/o" "$A" --key "$K" --ledger "$T/nonexistent"
check "a missing ledger directory: could not check (exit $rc)" [ $rc = 2 ]

# Hostile copies of the new tiles, checked for the revoked A: never VALID.
check "the whole ledger is in one partial tile (size $N2)" [ "$N2" -lt 256 ]
bundle=tile/entries/000.p/$N2 level0=tile/0/000.p/$N2
fresh() { rm -rf "$T/h"; cp -a "$T/t2" "$T/h"; }
never_valid() { # DESCRIPTION WANT_RC
	chk "$T/o" "$A" --key "$K" --ledger "$T/h"
	check "$1: exit $rc (want $2), not VALID" [ $rc = "$2" ]
	check_fails "  $1: no VALID line" grep -q ': VALID$' "$T/o"
}
fresh
python3 - "$T/h/$bundle" <<'PY'
import sys
p = sys.argv[1]; b = open(p, 'rb').read()
assert b.count(b' error ') == 1
b = b.replace(b' error ', b' fraud ')
open(p, 'wb').write(b)
PY
never_valid "revoke leaf's reason changed in the bundle" 2
check "  says the copy does not verify" grep -q 'does not verify' "$T/o"
# The revocation hidden: its entry made another serial's, its leaf hash
# in the level-0 tile recomputed: only the signed root can tell.
fresh
python3 - "$T/h/$bundle" "$T/h/$level0" "$SA" <<'PY'
import hashlib, sys
bp, tp, serial = sys.argv[1], sys.argv[2], sys.argv[3].encode()
b = bytearray(open(bp, 'rb').read()); t = bytearray(open(tp, 'rb').read())
off, i = 0, 0
while off < len(b):
    n = b[off] << 8 | b[off + 1]; e = bytes(b[off + 2:off + 2 + n])
    if e.startswith(b'hourseal/leaf/v1 revoke ' + serial):
        e2 = e.replace(serial, serial[:-1] + (b'0' if serial[-1:] != b'0' else b'1'))
        b[off + 2:off + 2 + n] = e2
        t[32 * i:32 * i + 32] = hashlib.sha256(b'\0' + e2).digest()
    off += 2 + n; i += 1
open(bp, 'wb').write(b); open(tp, 'wb').write(t)
PY
check "  (the forged copy differs)" bash -c "! cmp -s '$T/t2/$bundle' '$T/h/$bundle'"
never_valid "revocation forged away with its leaf hash" 2
check "  the entries do not hash to the signed root" grep -q 'not the checkpoint' "$T/o"
fresh; cp "$T/t1/checkpoint" "$T/h/checkpoint"
chk "$T/o" "$A" --key "$K" --ledger "$T/h"
check "new tiles under the old checkpoint: rests on size $N1, not $N2" \
	grep -qE "^  rests on: +checkpoint $O, size $N1, " "$T/o"
fresh; truncate -s 40 "$T/h/$level0"
never_valid "a truncated tile" 2
fresh; truncate -s 2000000000 "$T/h/$bundle"
never_valid "a 2 GB entry bundle (sparse)" 2
check "  refused by its size" grep -q 'more than the' "$T/o"
fresh; rm "$T/h/$bundle"; ln -s "$T/t2/$bundle" "$T/h/$bundle"
never_valid "the bundle a link out of the copy (to a genuine file)" 2
check "  no link is followed" grep -q 'no link is followed' "$T/o"
fresh; rm -r "$T/h/tile/0"; ln -s ../../t2/tile/0 "$T/h/tile/0"
never_valid "tile/0 a link to ../../t2/tile/0" 2
fresh; rm "$T/h/checkpoint"; mkfifo "$T/h/checkpoint"
never_valid "a FIFO for the checkpoint (no hang)" 2
fresh; rm "$T/h/$level0"; mkdir "$T/h/$level0"
never_valid "a directory where a tile belongs" 2

# Another issuer's checkpoint over these tiles.
check "another issuer" quiet "$ISSUER" init --issuer 福建省专业技术人员继续教育中心 --base-url http://127.0.0.1:8080 --policy fujian "$T/other" --keys "$T/okeys" --origin "$O"
quiet "$ISSUER" --data "$T/other" keygen --no-passphrase o1
quiet "$ISSUER" --data "$T/other" tiles "$T/ot"
fresh; cp "$T/ot/checkpoint" "$T/h/checkpoint"
never_valid "a checkpoint signed by another key of the same name" 2

# A fork: the same key and origin signed another history.
check "fork: issue on the copy" quiet "$ISSUER" --data "$T/fork" issue --year $Y --all --out "$T/fout"
check "fork: tiles" quiet "$ISSUER" --data "$T/fork" tiles "$T/f1"
check "  same size as the receipt's ($(sed -n 2p "$T/f1/checkpoint"))" [ "$(sed -n 2p "$T/f1/checkpoint")" = "$N1" ]
rm -rf "$T/h"; cp -a "$T/f1" "$T/h"
never_valid "a forked ledger of the same size" 1
check "  saying the log forked" grep -q 'forked' "$T/o"
FS=$(basename "$(find "$T/fout/$Y" -name '*.pdf' | sort | head -1)" .pdf)
check "fork: revoke on the copy" quiet "$ISSUER" --data "$T/fork" revoke "$FS" --reason withdrawn
check "fork: tiles again" quiet "$ISSUER" --data "$T/fork" tiles "$T/f2"
rm -rf "$T/h"; cp -a "$T/f2" "$T/h"
never_valid "a forked ledger, larger than the receipt's" 1
check "  saying the log forked" grep -q 'forked' "$T/o"

# Key state from the ledger (issue 11, item 6): a certificate signed after
# its key was marked compromised is INVALID with --ledger; one signed
# before stays VALID; without --ledger the key status is NOT checked.
sleep 1.1 # E is signed a second after C
E0=${PDFS[3]}
check "reissue a fourth certificate (E, signed later)" quiet "$ISSUER" --data "$D" reissue "$(basename "$E0" .pdf)" --out "$T/out3"
E=$(find "$T/out3" -name '*.pdf' | head -1)
TE=$(sed -n 's/^  issued: .* = \(.*Z\)$/\1/p' <("$VERIFIER" check "$E" --key "$K"))
TC=$(sed -n 's/^  issued: .* = \(.*Z\)$/\1/p' <("$VERIFIER" check "$C" --key "$K"))
later() { [ -n "$1" ] && [[ "$1" > "$2" ]]; }
check "E ($TE) was signed after C ($TC)" later "$TE" "$TC"
check "key rotate (k1 retired, k2 announced under k1's checkpoint)" quiet "$ISSUER" --data "$D" key rotate k2 --no-passphrase
check "tiles after the rotation" quiet "$ISSUER" --data "$D" tiles "$T/t3"
chk "$T/o" "$C" --key "$K" --ledger "$T/t3"
check "C, signed before k1 retired, with k1.pub and the new tiles: VALID ($rc)" [ $rc = 0 ]
check "  key status checked by the ledger" grep -qE '^  key status: +checked: the signing key was valid' "$T/o"
check "k1 marked compromised since E's issue time" quiet "$ISSUER" --data "$D" key compromised k1 --since "$TE"
check "tiles after the compromise" quiet "$ISSUER" --data "$D" tiles "$T/t4"
K2=$T/keys/k2.pub
chk "$T/o" "$E" --key "$K" --key "$K2"
check "E without --ledger: VALID ($rc) ..." [ $rc = 0 ]
check "  ... but key status NOT checked" grep -qE '^  key status: +NOT checked' "$T/o"
chk "$T/o" "$E" --key "$K" --key "$K2" --ledger "$T/t4"
check "E with --ledger: INVALID, exit 1 ($rc)" [ $rc = 1 ]
check "  the answer is INVALID" grep -qx "$E: INVALID" "$T/o"
check "  key status INVALID: compromised since $TE, with the leaf" \
	grep -qE "^  key status: +INVALID: signed at $TE by a key compromised since $TE \(ledger leaf [0-9]+\)" "$T/o"
chk "$T/j" "$E" --key "$K" --key "$K2" --ledger "$T/t4" --json
check "  JSON: key_status checked, not valid" json "$T/j" \
	"j['status']=='invalid' and j['key_status']['checked'] and not j['key_status']['valid'] and 'compromised' in j['key_status']['problem']"
chk "$T/o" "$C" --key "$K" --key "$K2" --ledger "$T/t4"
check "C, signed before the compromise, still VALID ($rc)" [ $rc = 0 ]
chk "$T/o" "$E" --key "$K" --ledger "$T/t4"
check "with k1.pub alone the copy signed by k2 cannot be trusted (exit $rc)" [ $rc = 2 ]
check "  it says to pass the issuer's keys" grep -q 'GET /keys' "$T/o"

# A ledger past 65,536 leaves (full tiles on levels 0 and 1, a level-2
# tile) as `hourseal-issuer tiles` writes it, certificates on top.
TL=$HS_BUILD/tests/test_ledger
G=$T/big
check "big: init" quiet "$ISSUER" init --issuer 福建省专业技术人员继续教育中心 --base-url http://127.0.0.1:8080 --policy fujian "$G" --keys "$T/bkeys" --origin "$O"
check "big: keygen" quiet "$ISSUER" --data "$G" keygen --no-passphrase b1
"$TL" --fill "$G/hourseal.db" "$O" 65600 65600 >"$T/fill.pub" 2>"$T/q" || notok "big: fill 65,600 leaves"
check "big: import" quiet "$ISSUER" --data "$G" import "$S/small.csv" --skip-invalid "$T/rejb.csv" --quiet
check "big: stamp" quiet hr_stamp "$G" 福建省人力资源和社会保障厅 --all
check "big: issue" quiet "$ISSUER" --data "$G" issue --year $Y --all --out "$T/bout"
BP=$(find "$T/bout/$Y" -name '*.pdf' | sort | head -1)
check "big: revoke" quiet "$ISSUER" --data "$G" revoke "$(basename "$BP" .pdf)" --reason fraud
check "big: tiles" quiet "$ISSUER" --data "$G" tiles "$T/bt"
check "big: a level-2 tile is there" [ -f "$T/bt/tile/2/000.p/1" ]
NB=$(sed -n 2p "$T/bt/checkpoint")
chk "$T/o" "$BP" --key "$T/bkeys/b1.pub" --key "$T/fill.pub" --ledger "$T/bt"
check "big ($NB leaves): REVOKED, exit 1 ($rc)" [ $rc = 1 ]
check "  reason fraud" grep -qE '^  revocation: +REVOKED: fraud' "$T/o"
BV=$(find "$T/bout/$Y" -name '*.pdf' | sort | sed -n 2p)
chk "$T/o" "$BV" --key "$T/bkeys/b1.pub" --key "$T/fill.pub" --ledger "$T/bt"
check "big: another certificate VALID ($rc)" [ $rc = 0 ]
check "  revocation checked up to $NB" grep -q "up to checkpoint size $NB;" "$T/o"
rm -rf "$T/h"; cp -a "$T/bt" "$T/h"
# Every bit of the byte flipped (a fixed value may already be there).
python3 -c 'import sys; f = open(sys.argv[1], "r+b"); f.seek(100); b = f.read(1); f.seek(100); f.write(bytes([b[0] ^ 0xff]))' "$T/h/tile/1/000"
never_valid "big: one byte of a full level-1 tile changed" 2

# A fresh --checkpoint with an older ledger copy: the answer says which
# entries were not checked.
chk "$T/o" "$C" --key "$K" --checkpoint "$T/fresh" --ledger "$T/t1"
check "fresh --checkpoint (size $N2), old copy (size $N1): VALID ($rc)" [ $rc = 0 ]
check "  says the entries after $N1 were NOT checked" \
	grep -q "the --checkpoint is newer, size $N2: entries after $N1 were NOT checked" "$T/o"
chk "$T/o" "$C" --key "$K" --checkpoint "$T/fresh" --ledger "$T/f2"
check "fresh --checkpoint with a forked copy: INVALID ($rc)" [ $rc = 1 ]
