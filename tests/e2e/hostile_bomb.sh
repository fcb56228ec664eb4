#!/usr/bin/env bash
# Compression bombs against the bounded PDF reader (pdfin.h): page content
# of 64 MB, 512 MB and 4 GB of zeros behind two Flate filters, a 4 GB
# cross-reference stream (qpdf would unpack it by itself) and a 4 GB
# certificate.note. Eight uploads at once to a verifier with default
# options, a batch of 300 bomb parts, and the offline check: every one is
# "not a certificate" with the reason, in seconds, and the verifier's peak
# memory (VmHWM) stays within 64 MB of what it was idle.
. "$(dirname "$0")/../lib.sh"
scratch

# A safety net for the machine (not the bound under test): the process may
# reserve at most 3 GB of address space, so a reader that inflates in full
# fails there rather than taking the machine's memory. ASan reserves far
# more address space by design, so it runs without the net.
net=(prlimit --as=3221225472)
ldd "$VERIFIER" 2>/dev/null | grep -q libasan && net=()
BOUND_KB=$((64 * 1024))

"$HS_BUILD/tests/test_vdb" --make-fixture "$T/v.db" 5 "$T/key.pub" >"$T/serials"
S=$(head -1 "$T/serials")

python3 - "$T" "$HS_TOP" <<'PY'
import sys, zlib
sys.path.insert(0, sys.argv[2] + "/tests")
from pdfgen import pdf
d = sys.argv[1]
def zeros(mib):
    """A zlib stream of mib MiB of zeros, from one full-flushed 1 MiB block
    repeated (a full flush resets the window, so every block is the same)."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    blk = c.compress(b"\0" * (1 << 20)) + c.flush(zlib.Z_FULL_FLUSH)
    end = zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    n = mib << 20
    return b"\x78\xda" + blk * mib + end + (((n % 65521) << 16) | 1).to_bytes(4, "big")
def double(mib):
    return zlib.compress(zeros(mib), 9)
def stream(data, extra=b""):
    return (b"<< /Filter [/FlateDecode /FlateDecode] /Length %d %s>>\nstream\n" %
            (len(data), extra) + data + b"\nendstream")
note = b"<< /Type /Filespec /F (certificate.note) /EF << /F 5 0 R >> >>"
for name, mib in (("64m", 64), ("512m", 512), ("4g", 4096)):
    b = double(mib)
    open("%s/content-%s.pdf" % (d, name), "wb").write(pdf([
        b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 4 0 R >> >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 6 0 R >>",
        b"<< /Names [(certificate.note) 5 0 R] >>",
        note.replace(b"5 0 R", b"7 0 R"),
        stream(b),
        b"<< /Length 5 >>\nstream\nhello\nendstream"]))
    if mib == 64:
        ok = len(zlib.decompress(zlib.decompress(b))) == 64 << 20
        print(("ok" if ok else "not ok") + " - the 64 MB bomb inflates to 64 MiB (%d bytes packed)" % len(b))
# certificate.note itself a 4 GB bomb.
open(d + "/note-4g.pdf", "wb").write(pdf([
    b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 3 0 R >> >>",
    b"<< /Type /Pages /Kids [] /Count 0 >>",
    b"<< /Names [(certificate.note) 4 0 R] >>",
    note.replace(b"5 0 R", b"5 0 R"),
    stream(double(4096), b"/Type /EmbeddedFile ")]))
# A cross-reference stream of 4 GB: no trailer, startxref points at it.
b = double(4096)
head = b"%PDF-1.7\n"
x = len(head)
body = (b"1 0 obj\n<< /Type /XRef /Size 2 /W [1 4 2] /Root 1 0 R "
        b"/Filter [/FlateDecode /FlateDecode] /Length %d >>\nstream\n" % len(b) +
        b + b"\nendstream\nendobj\n")
open(d + "/xref-4g.pdf", "wb").write(head + body + b"startxref\n%d\n%%%%EOF\n" % x)
PY
ls -l "$T"/*.pdf | awk '{print "# " $5 " " $9}'

hwm() { sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status"; }

# The verifier with default options but the rate limits (the test sends
# many requests from one address on purpose).
"${net[@]}" "$VERIFIER" serve --listen 127.0.0.1:0 --db "$T/v.db" --key "$T/key.pub" --rate 0 \
	>"$T/out" 2>"$T/err" &
PID=$!
for _ in $(seq 1 100); do
	URL=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$T/out")
	[ -n "$URL" ] && break
	sleep 0.05
done
[ -n "$URL" ] || { notok "server starts: $(cat "$T/err")"; exit 1; }
trap 'kill -TERM $PID 2>/dev/null; rm -rf "$T"' EXIT
curl -s -o /dev/null "$URL/c/$S"
curl -s -o /dev/null -H 'Content-Type: application/pdf' --data-binary "@$T/note-4g.pdf" "$URL/api/v1/verify"
idle=$(hwm "$PID")
echo "# idle VmHWM ${idle} kB"

# Eight uploads at once.
start=$(date +%s.%N)
i=0
for b in content-64m content-512m content-4g content-4g xref-4g note-4g content-512m content-4g; do
	i=$((i + 1))
	curl -s -m 30 -o "$T/r$i.json" -w '%{http_code}' -H 'Content-Type: application/pdf' \
		--data-binary "@$T/$b.pdf" "$URL/api/v1/verify" >"$T/c$i" &
	echo "$b" >"$T/n$i"
done
wait $(jobs -p | grep -v "^$PID\$") 2>/dev/null
secs=$(python3 -c "import time; print('%.1f' % (time.time() - $start))")
for i in 1 2 3 4 5 6 7 8; do
	b=$(cat "$T/n$i")
	want="exceeds"
	case $b in xref-*) want="not a readable PDF";; note-*) want="more than";; esac
	code=$(cat "$T/c$i")
	if [ "$code" = 422 ] && grep -q '"not_a_certificate"' "$T/r$i.json" &&
		grep -q "$want" "$T/r$i.json"; then
		ok "$b.pdf: 422 not a certificate, '$(python3 -c "import json; print(json.load(open('$T/r$i.json')).get('problem',''))" 2>/dev/null)'"
	else
		notok "$b.pdf: got $code $(head -c 300 "$T/r$i.json")"
	fi
done
check "eight bombs at once answered in ${secs}s (< 20 s)" python3 -c "assert $secs < 20"
kill -0 "$PID" 2>/dev/null || { notok "verifier alive after the bombs"; exit 1; }
peak=$(hwm "$PID")
check "peak memory with 8 bombs at once: VmHWM ${peak} kB, $(( (peak - idle) / 1024 )) MB above idle (bound 64 MB)" \
	[ $((peak - idle)) -le $BOUND_KB ]

# A batch of 300 bomb parts in one request.
python3 - "$T" <<'PY'
import sys
d = sys.argv[1]
b = open(d + "/content-512m.pdf", "rb").read()
parts = []
for i in range(300):
    parts.append(b"--B\r\nContent-Disposition: form-data; name=\"files\"; filename=\"b%d.pdf\"\r\n"
                 b"Content-Type: application/pdf\r\n\r\n" % i + b + b"\r\n")
open(d + "/batch", "wb").write(b"".join(parts) + b"--B--\r\n")
PY
start=$(date +%s.%N)
code=$(curl -s -m 30 -o "$T/batch.json" -w '%{http_code}' \
	-H 'Content-Type: multipart/form-data; boundary=B' --data-binary "@$T/batch" \
	"$URL/api/v1/verify/batch")
secs=$(python3 -c "import time; print('%.1f' % (time.time() - $start))")
check "batch of 300 bombs: 200 in ${secs}s (< 20 s)" [ "$code" = 200 ]
check "every row is not a certificate, for the decoded size" python3 - "$T/batch.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
rows = j["results"] if "results" in j else j["rows"]
bad = [r for r in rows if r.get("status") != "not_a_certificate" or "exceeds" not in r.get("problem", "")]
print("# %d rows, first: %s, last: %s" % (len(rows), rows[0].get("problem"), rows[-1].get("problem")))
assert len(rows) == 300 and not bad, bad[:2]
PY
check "the batch said its own budget ran out" grep -q "this request exceeds" "$T/batch.json"
peak=$(hwm "$PID")
check "peak memory after the batch too: $(( (peak - idle) / 1024 )) MB above idle (bound 64 MB)" \
	[ $((peak - idle)) -le $BOUND_KB ]
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/c/$S")
check "still serving certificates afterwards" [ "$code" = 200 ]
# A clean stop within 10 s (a reader still inflating would hold it up).
kill -TERM "$PID"
for _ in $(seq 1 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$PID" 2>/dev/null; then
	notok "clean exit within 10 s: still busy, killed"
	kill -KILL "$PID"
	wait "$PID" 2>/dev/null
else
	wait "$PID"
	check "clean exit within 10 s" [ $? = 0 ]
fi
check_fails "no crash messages" grep -qiE 'sanitizer|segmentation|abort|bad_alloc' "$T/err"

# The offline check: not a certificate (exit 1), with the reason, bounded.
for b in content-4g xref-4g; do
	"${net[@]}" timeout 60 /usr/bin/time -f '%M' -o "$T/time" "$VERIFIER" check "$T/$b.pdf" \
		--key "$T/key.pub" >"$T/check.out" 2>&1
	rc=$?
	kb=$(tail -1 "$T/time")
	check "check $b.pdf: exit 1, not a certificate" [ "$rc" = 1 ]
	check "check $b.pdf says why: $(grep problem "$T/check.out" | head -1 | sed 's/^ *//')" \
		grep -qE "not a certificate.*(exceeds|not a readable PDF)" "$T/check.out"
	check "check $b.pdf: peak RSS ${kb} kB (bound 64 MB)" [ "$kb" -le $BOUND_KB ]
done
