#!/usr/bin/env bash
# Damage is not forgery (service.md §7). A verifier whose database cannot
# be read or trusted answers 503 "cannot verify now" (暂时无法核验; JSON
# status "unavailable") on every certificate page and API call, never
# "签名无效", which is only for a note whose own signature or leaf fails.
# Damage is made on copies with dd and sqlite3: a checkpoint whose
# signature does not verify, a leaf hash changed, two leaves swapped, a
# page of the leaves table zeroed, one stored note rewritten, a page of
# the certificates table overwritten with random bytes (fresh starts); a
# truncated file, random bytes, a dropped table, a directory in the
# file's place (installed under a running server, then the good file
# again).
. "$(dirname "$0")/../lib.sh"
scratch
D=$T/issuer
q() { sqlite3 "$1" "$2"; }
quiet() { "$@" >"$T/o" 2>&1 || { sed 's/^/# /' "$T/o" | tail -5; return 1; }; }
code() { curl -s -m 5 -o "$T/body" -w '%{http_code}' "$@"; }

check "init" quiet "$ISSUER" init --issuer 福建省专业技术人员继续教育中心 --policy fujian --origin ledger.hourseal.example.cn/fj "$D" --keys "$T/keys" --base-url http://127.0.0.1:1
quiet "$ISSUER" --data "$D" keygen --no-passphrase k1
quiet "$ISSUER" --data "$D" import "$HS_TOP/templates/samples/small.csv" --skip-invalid "$T/rej.csv" --quiet
quiet hr_stamp "$D" 福建省人力资源和社会保障厅 --all
check "issue" quiet "$ISSUER" --data "$D" issue --year 2024 --all --out "$T/pdfs"
check "publish" quiet "$ISSUER" --data "$D" publish "$T/pub"
G=$T/pub/verifier.db
mapfile -t SER < <(q "$G" "SELECT serial FROM certificates ORDER BY serial")
S=${SER[0]}
check "${#SER[@]} certificates" [ "${#SER[@]}" -ge 5 ]
PAGE=$(q "$G" "PRAGMA page_size")
# page_of TABLE: the first page of a table (dbstat), for dd.
page_of() { q "$G" "SELECT min(pageno) FROM dbstat WHERE name = '$1'"; }

# copy NAME: a fresh copy in its own directory (its own state file).
copy() { mkdir -p "$T/$1"; cp "$G" "$T/$1/v.db"; echo "$T/$1/v.db"; }

# every_unavailable WHAT: every certificate page and API answer is 503
# 暂时无法核验 / "unavailable", and none says 签名无效.
every_unavailable() {
	local what=$1 s c bad=0
	for s in "${SER[@]}"; do
		c=$(code "$URL/c/$s")
		{ [ "$c" = 503 ] && grep -q '暂时无法核验' "$T/body" &&
		  ! grep -q '签名无效' "$T/body"; } || { bad=1; echo "# $s page: $c"; }
		c=$(code "$URL/api/v1/certificates/$s")
		{ [ "$c" = 503 ] && grep -q '"status":"unavailable"' "$T/body"; } ||
		    { bad=1; echo "# $s api: $c $(head -c 200 "$T/body")"; }
	done
	c=$(code -H 'Content-Type: application/pdf' --data-binary "@$T/pdfs/2024/$S.pdf" "$URL/api/v1/verify")
	[ "$c" = 503 ] || { bad=1; echo "# upload: $c"; }
	c=$(code "$URL/healthz")
	[ "$c" = 503 ] || { bad=1; echo "# healthz: $c"; }
	check "$what: every page and API call 503 暂时无法核验, none 签名无效" [ $bad = 0 ]
}
# all_valid WHAT: every certificate says 有效.
all_valid() {
	local s bad=0
	for s in "${SER[@]}"; do
		curl -s -m 5 "$URL/c/$s" | grep -q '<span class="big">有效·' || bad=1
	done
	check "$1" [ $bad = 0 ]
}

# 1. Fresh starts on copies whose ledger cannot be trusted.
f=$(copy badsig)
q "$f" "UPDATE latest_checkpoint SET note = substr(note, 1, length(note) - 6) ||
	CASE substr(note, length(note) - 5, 1) WHEN 'A' THEN 'B' ELSE 'A' END ||
	substr(note, length(note) - 4)"
f2=$(copy leafhash)
q "$f2" "DROP TRIGGER leaves_no_update; UPDATE leaves SET hash = randomblob(32) WHERE idx = 3"
f3=$(copy swapped)
q "$f3" "DROP TRIGGER leaves_no_update; UPDATE leaves SET idx = -1 WHERE idx = 3;
	UPDATE leaves SET idx = 3 WHERE idx = 4; UPDATE leaves SET idx = 4 WHERE idx = -1"
f4=$(copy zeroed)
dd if=/dev/zero of="$f4" bs="$PAGE" seek=$(( $(page_of leaves) - 1 )) count=1 conv=notrunc 2>/dev/null
for k in badsig leafhash swapped zeroed; do
	if start_server --db "$T/$k/v.db" --key "$T/keys/k1.pub" --rate 0 --no-sweep; then
		every_unavailable "$k"
		code "$URL/healthz" >/dev/null
		check "  $k: /healthz gives the reason" grep -q 'cannot verify now: .*\(verif\|ledger\|malformed\)' "$T/body"
		stop_server
		check "  $k: stderr says it" grep -q 'REFUSED (damaged)\|cannot verify now' "$T/err"
		check "  $k: nothing remembered from a database that failed" test ! -e "$T/$k/v.db.state"
	else
		notok "$k: server starts"
	fi
done

# 2. One certificate's stored note rewritten, or a page of certificates
#    overwritten: those answers are 503, the rest stay 有效.
f=$(copy note)
q "$f" "DROP TRIGGER certificates_no_update; UPDATE certificates SET note =
	replace(note, 'professional: ', 'professional: 1') WHERE serial = '$S'"
check "server on the copy with a rewritten note" start_server --db "$f" --key "$T/keys/k1.pub" --rate 0 --no-sweep
c=$(code "$URL/c/$S")
check "  that certificate: 503 ($c)" [ "$c" = 503 ]
check "  暂时无法核验, not 签名无效" sh -c "grep -q 暂时无法核验 '$T/body' && ! grep -q 签名无效 '$T/body'"
check "  saying the database's copy is damaged" grep -q 'damaged' "$T/body"
s2=${SER[1]}
check "  another certificate: 有效" sh -c "curl -s '$URL/c/$s2' | grep -q '<span class=\"big\">有效·'"
c=$(code "$URL/healthz")
check "  /healthz 200: the ledger itself verifies ($c)" [ "$c" = 200 ]
stop_server
check "  stderr names the damaged certificate" grep -q "copy of certificate $S" "$T/err"

f=$(copy garbage)
head -c "$PAGE" /dev/urandom | dd of="$f" bs="$PAGE" seek=$(( $(q "$G" "SELECT max(pageno) FROM dbstat WHERE name = 'certificates'") - 1 )) count=1 conv=notrunc 2>/dev/null
check "server on a copy with a random certificates page" start_server --db "$f" --key "$T/keys/k1.pub" --rate 0 --no-sweep
bad=0
for s in "${SER[@]}"; do
	c=$(code "$URL/c/$s")
	grep -q '签名无效' "$T/body" && bad=1
	[ "$c" = 503 ] && ! grep -q 暂时无法核验 "$T/body" && bad=1
done
check "  no certificate says 签名无效; the unreadable ones 暂时无法核验" [ $bad = 0 ]
stop_server

# 3. Under a running server: files that cannot be read, then the good one.
mkdir -p "$T/run"
cp "$G" "$T/run/v.db"
DB=$T/run/v.db
install() { rm -rf "$DB.new"; cp -r "$1" "$DB.new" && rm -rf "$DB" && mv "$DB.new" "$DB"; }
check "server on a good copy" start_server --db "$DB" --key "$T/keys/k1.pub" --rate 0 --no-sweep
trap 'kill -TERM $PID 2>/dev/null; rm -rf "$T"' EXIT
all_valid "  every certificate 有效"
head -c 50000 "$G" >"$T/truncated.db"
head -c "$(stat -c %s "$G")" /dev/urandom >"$T/random.db"
cp "$G" "$T/notable.db"
q "$T/notable.db" "DROP TRIGGER leaves_no_update; DROP TRIGGER leaves_no_delete; DROP TABLE leaves"
mkdir "$T/dir.db"
for k in truncated random notable dir; do
	install "$T/$k.db"
	sleep 1.2   # the server looks at its file at most once a second
	every_unavailable "running, $k file installed"
	install "$G"
	sleep 1.2
	all_valid "  the good file back: every certificate 有效 again, no restart"
done
if [ "$(id -u)" != 0 ]; then
	cp "$G" "$T/unreadable.db"
	chmod 000 "$T/unreadable.db"
	install "$T/unreadable.db"
	sleep 1.2
	every_unavailable "running, an unreadable file"
else
	echo "# skip: an unreadable file (running as root, which reads it anyway)"
fi

# 4. A checkpoint that does not verify under a running server: it keeps
#    answering from the ledger it verified, and says so.
install "$G"
sleep 1.2
install "$T/badsig/v.db"
sleep 1.2
all_valid "running, a checkpoint that does not verify: still 有效 from the verified ledger"
c=$(code "$URL/healthz")
check "  /healthz 200 but says the database is refused ($c)" \
	sh -c "[ $c = 200 ] && grep -q 'stale' '$T/body' && grep -q 'does not verify' '$T/body'"
check "  /metrics: refused{reason=damaged} 1" \
	sh -c "curl -s '$URL/metrics' | grep -qx 'hourseal_ledger_refused{reason=\"damaged\"} 1'"
check "  stderr: REFUSED (damaged)" grep -q 'REFUSED.*(damaged)' "$T/err"
stop_server
check "server stopped cleanly" [ $? = 0 ]
