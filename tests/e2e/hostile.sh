#!/usr/bin/env bash
# Hostile input: every request gets a proper 4xx and the server keeps
# serving. SQL and HTML in serials, 100 KB URLs, a 20 MB body to the JSON
# API, truncated multipart, a PDF bomb (deeply nested objects and a
# compression bomb), invalid UTF-8, and 10,000 connections at once.
. "$(dirname "$0")/../lib.sh"
scratch

"$HS_BUILD/tests/test_vdb" --make-fixture "$T/v.db" 5 "$T/key.pub" >"$T/serials"
S=$(head -1 "$T/serials")
echo 0000000000000000000000000000000000000000000000000000000000000000 >"$T/pepper"
start_server --db "$T/v.db" --key "$T/key.pub" --rate 0 --pepper "$T/pepper" --max-conns 500 \
	--timeout 5 || { notok "server starts"; exit 1; }
trap 'kill -TERM $PID 2>/dev/null; rm -rf "$T"' EXIT

alive() {
	kill -0 "$PID" 2>/dev/null &&
	[ "$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$URL/c/$S")" = 200 ]
}
# want CODE DESCRIPTION CURL-ARGS...: the status must be CODE, then alive.
want() {
	local w=$1 d=$2 code; shift 2
	code=$(curl -s -m 30 -o "$T/body" -w '%{http_code}' "$@")
	if [ "$code" = "$w" ]; then ok "$d: $code"; else notok "$d: got $code, want $w"; fi
	check "still serving after: $d" alive
}

want 404 "SQL in a serial" "$URL/c/'%20OR%201=1--"
want 404 "SQL in the API serial" "$URL/api/v1/certificates/2024-1111%27%3B%20DROP%20TABLE%20certificates%3B--"
want 404 "HTML in a serial" "$URL/c/%3Cscript%3Ealert(1)%3C%2Fscript%3E"
check_fails "404 page does not echo the script" grep -q '<script>' "$T/body"
want 404 "serial form with HTML" "$URL/c/?s=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E"
want 414 "100 KB URL" "$URL/c/$(head -c 100000 /dev/zero | tr '\0' A)"
want 414 "100 KB query string" "$URL/?q=$(head -c 100000 /dev/zero | tr '\0' A)"
head -c 20000000 /dev/zero >"$T/20mb"
want 413 "20 MB body to the JSON match API" -H 'Content-Type: application/json' \
	--data-binary "@$T/20mb" "$URL/api/v1/certificates/$S/match"
want 413 "20 MB body to the verify API" -H 'Content-Type: application/pdf' \
	--data-binary "@$T/20mb" "$URL/api/v1/verify"
printf -- '--B\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%%PDF-1.4 trunc' >"$T/trunc"
want 400 "truncated multipart" -H 'Content-Type: multipart/form-data; boundary=B' \
	--data-binary "@$T/trunc" "$URL/api/v1/verify"
want 400 "multipart without boundary" -H 'Content-Type: multipart/form-data' \
	--data-binary "@$T/trunc" "$URL/api/v1/verify/batch"
want 400 "empty upload" -H 'Content-Type: application/pdf' --data-binary '' "$URL/api/v1/verify"

# PDF bombs, made with python (no third-party code).
python3 - "$T" "$HS_TOP" <<'PY'
import sys, zlib
sys.path.insert(0, sys.argv[2] + "/tests")
from pdfgen import pdf
d = sys.argv[1]
# 1. 200,000 nested arrays in the catalog.
deep = b"[" * 200000 + b"]" * 200000
open(d + "/nested.pdf", "wb").write(pdf([b"<< /Type /Catalog /Pages 2 0 R /X " + deep + b" >>",
    b"<< /Type /Pages /Kids [] /Count 0 >>"]))
# 2. a name tree whose /Kids nest 100,000 deep (each kid a new object).
n = 20000
objs = [b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 3 0 R >> >>",
        b"<< /Type /Pages /Kids [] /Count 0 >>"]
for i in range(n):
    objs.append(b"<< /Kids [%d 0 R] >>" % (4 + i) if i < n - 1 else b"<< /Names [] >>")
open(d + "/kids.pdf", "wb").write(pdf(objs))
# 3. certificate.note as a 200 MB zlib bomb (well under 10 MB packed).
c = zlib.compressobj(1); chunk = b"\0" * 1_000_000
bomb = b"".join(c.compress(chunk) for _ in range(200)) + c.flush()
objs = [b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 3 0 R >> >>",
        b"<< /Type /Pages /Kids [] /Count 0 >>",
        b"<< /Names [(certificate.note) 4 0 R] >>",
        b"<< /Type /Filespec /F (certificate.note) /EF << /F 5 0 R >> >>",
        b"<< /Type /EmbeddedFile /Filter /FlateDecode /Length %d >>\nstream\n" % len(bomb) + bomb + b"\nendstream"]
open(d + "/zbomb.pdf", "wb").write(pdf(objs))
# 4. a reference loop in the name tree.
objs = [b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 3 0 R >> >>",
        b"<< /Type /Pages /Kids [] /Count 0 >>",
        b"<< /Kids [3 0 R 3 0 R] >>"]
open(d + "/loop.pdf", "wb").write(pdf(objs))
PY
for b in nested kids zbomb loop; do
	start=$(date +%s)
	want 422 "PDF bomb $b.pdf" -H 'Content-Type: application/pdf' \
		--data-binary "@$T/$b.pdf" "$URL/api/v1/verify"
	check "$b.pdf answered within 20 s" [ $(( $(date +%s) - start )) -lt 20 ]
done

# Invalid UTF-8 everywhere.
want 404 "invalid UTF-8 in a serial" "$URL/c/%ff%fe%80"
want 400 "invalid UTF-8 in an ID" -d $'id_number=\xff\xfe' "$URL/api/v1/certificates/$S/match"
printf '%s\n\xff\xfe\xfd\n\xe4\xb8\n' "$S" >"$T/badlist"
want 200 "invalid UTF-8 in a batch list" -H 'Content-Type: text/plain' \
	-H 'Accept: application/json' --data-binary "@$T/badlist" "$URL/api/v1/verify/batch"
check "batch answer is valid JSON with 3 rows" python3 -c "
import json; j=json.load(open('$T/body')); assert j['count']==3, j"
printf '\xff\xfe' >"$T/badnote"
want 422 "invalid UTF-8 as a note" --data-binary "@$T/badnote" "$URL/api/v1/verify"
want 400 "bad Content-Length" -H 'Content-Length: abc' -X POST "$URL/api/v1/verify"

# 10,000 connections at once (the server takes at most 500), then normal
# service again.
python3 - "$URL" <<'PY'
import socket, sys, time, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
socks = []; refused = 0
t0 = time.time()
for i in range(10000):
    s = socket.socket(); s.setblocking(False)
    try:
        s.connect_ex((u.hostname, u.port)); socks.append(s)
    except OSError:
        refused += 1; s.close()
    if time.time() - t0 > 60: break
# half of them send a partial request (slowloris)
for s in socks[::2]:
    try: s.send(b"GET / HTTP/1.1\r\nHost: x\r\n")
    except OSError: pass
time.sleep(1)
print("# opened %d sockets (%d refused locally) in %.1fs" % (len(socks), refused, time.time() - t0))
for s in socks: s.close()
PY
sleep 1
check "still serving after 10,000 connections" alive
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/healthz")
check "healthz 200 afterwards" [ "$code" = 200 ]
check "server process alive" kill -0 "$PID"
kill -TERM "$PID"
wait "$PID"
check "clean exit after all that" [ $? = 0 ]
check_fails "no crash messages" grep -qiE 'sanitizer|segmentation|abort' "$T/err"
