#!/usr/bin/env bash
# The verification service on a real database built through the library
# (signed notes, ledger, checkpoints, a revocation): certificate pages and
# JSON, batch verification of 300 mixed serials, ID matching, ledger
# endpoints, the offline check of a note and its receipt.
. "$(dirname "$0")/../lib.sh"
scratch

"$HS_BUILD/tests/test_vdb" --make-fixture "$T/v.db" 300 "$T/key.pub" \
	>"$T/serials" || { notok "fixture"; exit 1; }
grep -v '^revoked' "$T/serials" >"$T/valid"
REV=$(sed -n 's/^revoked //p' "$T/serials")
S=$(head -1 "$T/valid")
echo 0000000000000000000000000000000000000000000000000000000000000000 >"$T/pepper"

check "server starts" start_server --db "$T/v.db" --key "$T/key.pub" --pepper "$T/pepper" \
	--rate 1000 --burst 2000 --access-log "$T/access.log"

# The QR landing page, forgiving about the serial's spelling.
code=$(curl -s -o "$T/page" -w '%{http_code}' "$URL/c/$S")
check "page 200" [ "$code" = 200 ]
check "page says 有效" grep -q '<span class="big">有效·' "$T/page"
check "page shows the name" grep -q '测试0' "$T/page"
check "page shows the masked ID" grep -q '3501\*\*\*\*\*\*\*\*\*\*1233' "$T/page"
check "page shows 达标" grep -q '达标' "$T/page"
check "page escapes record text" grep -q '新时代政绩观树立 &lt;b&gt;&amp;' "$T/page"
check "page shows ledger index and checkpoint" grep -q '账本序号' "$T/page"
lower=$(echo "$S" | tr 'A-Z' 'a-z' | tr -d '-')
code=$(curl -s -o "$T/page2" -w '%{http_code}' "$URL/c/$lower")
check "lowercase serial without dashes" [ "$code" = 200 ]
check "same page" grep -q '有效' "$T/page2"
code=$(curl -s -o /dev/null -D "$T/h" -w '%{http_code}' "$URL/c/?s=$lower")
check "serial form redirects" [ "$code" = 303 ]
check "to the canonical address" grep -q "^Location: /c/$S" "$T/h"
curl -s -o "$T/en" "$URL/c/$S?lang=en"
check "English page" grep -q '>Valid · ' "$T/en"
code=$(curl -s -o "$T/rev" -w '%{http_code}' "$URL/c/$REV")
check "revoked page says 已撤销" grep -q '已撤销' "$T/rev"
check "revoked page gives the reason" grep -q '信息有误' "$T/rev"
check "revoked page gives the date (Beijing time, issue 15)" grep -q '2025-01-05 16:00 (北京时间)' "$T/rev"
code=$(curl -s -o "$T/nf" -w '%{http_code}' "$URL/c/2024-0000-0000-0000-0000")
check "unknown serial 404" [ "$code" = 404 ]
check "unknown serial says 未找到" grep -q '未找到' "$T/nf"
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/c/not-a-serial")
check "non-serial 404" [ "$code" = 404 ]

# JSON
curl -s "$URL/api/v1/certificates/$S" >"$T/j"
check "JSON valid" python3 -c "
import json,sys; j=json.load(open('$T/j'))
assert j['status']=='valid' and j['certificate']['name']=='测试0'
assert j['certificate']['id_masked']=='3501**********1233'
assert j['ledger']['index']==0 and j['ledger']['checkpoint']['size']>=251"
curl -s "$URL/api/v1/certificates/$REV" >"$T/j"
check "JSON revoked" python3 -c "
import json; j=json.load(open('$T/j'))
assert j['status']=='revoked' and j['revocation']['reason']=='error'"

# Batch: 300 items = 240 valid, 1 revoked, 59 unknown (some as QR URLs).
{
	head -240 "$T/valid" | awk 'NR%3==0 {print "https://verify.example.cn/c/" $0; next} {print}'
	echo "$REV"
	for i in $(seq 1 59); do printf '2024-0000-0000-%04d-0000\n' "$i"; done
} >"$T/batch"
check "batch input has 300 items" [ "$(wc -l <"$T/batch")" = 300 ]
curl -s -F "list=@$T/batch" -F format=csv "$URL/api/v1/verify/batch" >"$T/out.csv"
check "every batch row is right" python3 - "$T/batch" "$T/out.csv" "$T/valid" "$REV" <<'PY'
import csv, sys
items = [l.strip() for l in open(sys.argv[1])]
lines = open(sys.argv[2], encoding='utf-8-sig', newline='').read().split('\r\n')
rows = list(csv.DictReader([l for l in lines[[i for i, l in enumerate(lines) if l.startswith('序号,')][0]:] if l]))
valid = set(l.strip() for l in open(sys.argv[3]))
rev = sys.argv[4]
assert len(rows) == 300, len(rows)
for item, row in zip(items, rows):
    assert row['核验内容'] == item, (item, row)
    serial = item.rsplit('/', 1)[-1]
    assert row['证书编号'] == serial, (item, row)
    if serial in valid:
        assert row['状态代码'] == 'valid' and row['姓名'].startswith('测试') \
            and row['身份证号（部分隐藏）'] == '3501**********1233' \
            and row['年度'] == '2024' and row['总学时'], row
    elif serial == rev:
        assert row['状态代码'] == 'revoked' and '信息有误' in row['说明'], row
    else:
        assert row['状态代码'] == 'not_found' and row['姓名'] == '', row
PY
curl -s --data-binary "@$T/batch" -H 'Content-Type: text/plain' \
	-H 'Accept: application/json' "$URL/api/v1/verify/batch" >"$T/out.json"
check "batch as JSON" python3 -c "
import json; j=json.load(open('$T/out.json'))
assert j['count']==300
assert sum(r['status']=='valid' for r in j['rows'])==240"
curl -s -F "list=@$T/batch" -F format=html "$URL/api/v1/verify/batch" >"$T/out.html"
check "batch as an HTML table" [ "$(grep -c '<tr data-verdict="[a-z_]*"><td class="num" ' "$T/out.html")" = 300 ]
seq 1 1001 | sed 's/^/2024-0000-0000-0000-/' >"$T/toomany"
code=$(curl -s -o /dev/null -w '%{http_code}' --data-binary "@$T/toomany" \
	-H 'Content-Type: text/plain' "$URL/api/v1/verify/batch")
check "over 1000 items is 413" [ "$code" = 413 ]

# ID match (the server has the pepper).
r=$(curl -s -H 'Content-Type: application/json' -d '{"id_number":"350102198001011233"}' "$URL/api/v1/certificates/$S/match")
# The answer also says how many of the certificate's attempts are left
# today (10 a day by default) and when they start again (00:00 UTC).
match_is() {
	python3 -c '
import json, sys, datetime
j = json.loads(sys.argv[1])
t = datetime.datetime.now(datetime.timezone.utc).date() + datetime.timedelta(days=1)
assert j == {"serial": sys.argv[2], "match": sys.argv[3] == "true",
             "attempts_left": int(sys.argv[4]), "attempts_per_day": 10,
             "attempts_reset_at": t.strftime("%Y-%m-%dT00:00:00Z")}, j' "$@"
}
check "match true" match_is "$r" "$S" true 9
r=$(curl -s -d 'id_number=11010519491231002X' "$URL/api/v1/certificates/$S/match")
check "match false" match_is "$r" "$S" false 8
code=$(curl -s -o /dev/null -w '%{http_code}' -d 'id_number=12345' "$URL/api/v1/certificates/$S/match")
check "bad ID number 400" [ "$code" = 400 ]
n429=0
for i in $(seq 1 8); do
	code=$(curl -s -o /dev/null -w '%{http_code}' -d 'id_number=11010519491231002X' "$URL/api/v1/certificates/$S/match")
	[ "$code" = 429 ] && n429=$((n429 + 1))
done
check "ID matching is strictly rate limited ($n429 of 8 refused)" [ "$n429" -ge 4 ]
check_fails "no full ID in the access log" grep -q '350102198001011233' "$T/access.log"
check_fails "no full ID in the error log" grep -q '350102198001011233' "$T/err"

# Ledger endpoints.
curl -s "$URL/checkpoint" >"$T/ckpt"
check "checkpoint starts with the origin" [ "$(head -1 "$T/ckpt")" = "ledger.test.hourseal/fj" ]
curl -s -D "$T/h" -o "$T/tile" "$URL/tile/0/000"
check "full tile is 256 hashes" [ "$(stat -c %s "$T/tile")" = 8192 ]
check "full tile immutable" grep -q 'Cache-Control: public, max-age=31536000, immutable' "$T/h"
curl -s -o "$T/entries" "$URL/tile/entries/000"
check "tile hashes are the leaf hashes of the entry bundle" python3 - "$T/tile" "$T/entries" <<'PY'
import hashlib, sys
tile = open(sys.argv[1], 'rb').read()
ent = open(sys.argv[2], 'rb').read()
i = 0; k = 0
while i < len(ent):
    n = int.from_bytes(ent[i:i+2], 'big'); e = ent[i+2:i+2+n]; i += 2 + n
    assert hashlib.sha256(b'\0' + e).digest() == tile[32*k:32*k+32], k
    k += 1
assert k == 256, k
PY
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/tile/0/999")
check "tile beyond the tree 404" [ "$code" = 404 ]
curl -s "$URL/keys" >"$T/keys"
check "keys list the key" grep -qF "$(cat "$T/key.pub")" "$T/keys"

# Offline check of the first certificate's note and receipt.
check "check accepts the note with its receipt" "$VERIFIER" check "$T/v.db.first.note" \
	--key "$T/keys" --proof "$T/v.db.first.proof"
size=$(sed -n '/^$/{n;n;p;q}' "$T/v.db.first.proof")
curl -s "$URL/checkpoint?consistency-from=$size" >"$T/newer"
check "check with a trusted newer checkpoint" "$VERIFIER" check "$T/v.db.first.note" \
	--key "$T/key.pub" --proof "$T/v.db.first.proof" --checkpoint "$T/newer"
sed 's/测试0/测试9/' "$T/v.db.first.note" >"$T/forged.note"
"$VERIFIER" check "$T/forged.note" --key "$T/key.pub" --proof "$T/v.db.first.proof" >/dev/null
check "check rejects a changed note (exit 1)" [ $? = 1 ]
"$VERIFIER" check "$T/v.db.first.note" --key /nonexistent >/dev/null 2>&1
check "check without a readable key: exit 2" [ $? = 2 ]

curl -s "$URL/metrics" >"$T/m"
check "metrics count verifications by outcome" grep -q 'hourseal_verifications_total{kind="serial",outcome="valid"} [1-9]' "$T/m"
check "server stops" stop_server

# Without a pepper the match endpoint says so.
check "server without pepper starts" start_server --db "$T/v.db" --key "$T/key.pub"
code=$(curl -s -o "$T/b" -w '%{http_code}' -d 'id_number=350102198001011233' "$URL/api/v1/certificates/$S/match")
check "match without pepper is 503" [ "$code" = 503 ]
check "and says why" grep -q 'pepper' "$T/b"
check "server stops" stop_server
