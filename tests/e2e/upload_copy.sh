#!/usr/bin/env bash
# Scans and photos (issue 15). A certificate rendered to an image with
# pdftoppm -r 150 and wrapped in a PDF with img2pdf (PNG and JPEG), the
# PNG itself, and a JPEG "photo" of it (ImageMagick: rotated 6 degrees,
# noise, quality 80) are copies: the outcome is "copy" with the serial the
# QR code names, the answer is the ledger's for it (certificate_status),
# and the problem says the file is a copy. In the single upload and the
# batch (with .jpg/.png parts). Not certificates, with a Chinese reason:
# an image without a QR code, a PDF whose image has none. Not ours: a QR
# code with our serial under a foreign URL, one naming a serial the ledger
# does not have, one with other text. Hostile: PNG and JPEG headers
# declaring 60000x60000 pixels are refused before decoding, quickly; the
# offline check does not take a scan for a certificate.
. "$(dirname "$0")/../lib.sh"
scratch
D=$T/issuer
quiet() { "$@" >"$T/o" 2>&1 || { sed 's/^/# /' "$T/o" | tail -5; return 1; }; }
js() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."): d = d.get(k, "") if isinstance(d, dict) else (d[int(k)] if isinstance(d, list) else "")
print(d)' "$@"; }

check "init" quiet "$ISSUER" init "$D" --issuer 福建省专业技术人员继续教育中心 --policy fujian --origin ledger.hourseal.example.cn/fj --keys "$T/keys" --base-url http://127.0.0.1:1
quiet "$ISSUER" --data "$D" keygen k1 --no-passphrase
quiet "$ISSUER" --data "$D" import "$HS_TOP/templates/samples/small.csv" --skip-invalid "$T/rej.csv" --quiet
quiet hr_stamp "$D" 福建省人力资源和社会保障厅 --all
check "issue" quiet "$ISSUER" --data "$D" issue --year 2024 --all --out "$T/pdfs"
check "publish" quiet "$ISSUER" --data "$D" publish "$T/pub"
# A certificate of two pages if there is one (its QR code on page 2).
P=$(ls "$T"/pdfs/2024/*.pdf | head -1)
for f in "$T"/pdfs/2024/*.pdf; do
	if [ "$(pdfinfo "$f" 2>/dev/null | awk '/^Pages:/ { print $2 }')" -ge 2 ]; then P=$f; break; fi
done
S=$(basename "$P" .pdf)
K=$T/keys/k1.pub

# The scans, the photo, and images without our QR code.
pdftoppm -r 150 -png "$P" "$T/scan"
pdftoppm -r 150 -jpeg "$P" "$T/scanj"
# A certificate may have two pages; its QR code is on the last. The scan
# PDFs hold every page (in order), the photo and the PNG are of the last.
mapfile -t PNGS < <(ls "$T"/scan-*.png | sort -V)
mapfile -t JPGS < <(ls "$T"/scanj-*.jpg | sort -V)
img2pdf "${PNGS[@]}" -o "$T/scan_png.pdf"
img2pdf "${JPGS[@]}" -o "$T/scan_jpg.pdf"
cp "${PNGS[-1]}" "$T/scan.png"
convert "${JPGS[-1]}" -rotate 6 -attenuate 0.4 +noise Gaussian -quality 80 "$T/photo.jpg"
convert -size 900x600 xc:white -fill black -draw 'rectangle 100,100 300,300' "$T/noqr.png"
img2pdf "$T/noqr.png" -o "$T/noqr.pdf"
"$HS_BUILD/tests/test_scan" --qr-png "https://evil.example/c/$S" "$T/foreign.png"
img2pdf "$T/foreign.png" -o "$T/foreign.pdf"
"$HS_BUILD/tests/test_scan" --qr-png "http://127.0.0.1:1/c/2024-0000-0000-0000-0000" "$T/unknown.png"
"$HS_BUILD/tests/test_scan" --qr-png "hello, world" "$T/other.png"
check "the scans were made (${#PNGS[@]} page(s))" test -s "$T/scan_png.pdf" -a -s "$T/scan_jpg.pdf" -a -s "$T/photo.jpg"

start_server --db "$T/pub/verifier.db" --key "$K" --rate 0 || { notok "server starts"; exit 1; }
trap 'kill -TERM $PID 2>/dev/null; rm -rf "$T"' EXIT
# up FILE OUT TYPE: the single upload; prints the HTTP status.
up() { curl -s -m 30 -o "$2" -w '%{http_code}' -H "Content-Type: $3" --data-binary "@$1" "$URL/api/v1/verify"; }

for f in scan_png.pdf:application/pdf scan_jpg.pdf:application/pdf photo.jpg:image/jpeg scan.png:image/png; do
	n=${f%%:*}
	code=$(up "$T/$n" "$T/u.json" "${f#*:}")
	check "$n: 200, outcome copy ($code $(js "$T/u.json" outcome))" \
		[ "$code|$(js "$T/u.json" outcome)" = "200|copy" ]
	check "  of $S, valid in the ledger" \
		[ "$(js "$T/u.json" certificate_status.serial)|$(js "$T/u.json" certificate_status.status)" = "$S|valid" ]
	check "  saying it is a copy answered from the ledger" \
		grep -q '这是证书的复印件或照片.*以下结论来自账本中该编号的记录' "$T/u.json"
done

code=$(up "$T/noqr.png" "$T/u.json" image/png)
check "an image without a QR code: 422 not a certificate" \
	[ "$code|$(js "$T/u.json" outcome)" = "422|not_a_certificate" ]
check "  不是学时证明：图像中没有找到二维码" grep -q '不是学时证明：图像中没有找到二维码' "$T/u.json"
code=$(up "$T/noqr.pdf" "$T/u.json" application/pdf)
check "a PDF whose image has no QR code: 422, saying so in Chinese" \
	[ "$code|$(js "$T/u.json" outcome)" = "422|not_a_certificate" ] 
check "  (no signed attachment, 1 image without a QR code)" grep -q '1 幅图像里没有找到二维码' "$T/u.json"
code=$(up "$T/foreign.pdf" "$T/u.json" application/pdf)
check "a QR code with our serial under a foreign URL: not ours" \
	[ "$(js "$T/u.json" outcome)" = not_issued_by_us ]
check "  it names the URL, not the one signed for $S" grep -q 'evil.example，不是证书 .* 签名时登记的核验地址' "$T/u.json"
code=$(up "$T/unknown.png" "$T/u.json" image/png)
check "a QR code naming a serial the ledger does not have: not ours" \
	[ "$(js "$T/u.json" outcome)" = not_issued_by_us ]
check "  本账本中没有这张证书" grep -q '本账本中没有这张证书' "$T/u.json"
code=$(up "$T/other.png" "$T/u.json" image/png)
check "a QR code with other text: not ours, saying so" \
	[ "$(js "$T/u.json" outcome)|$(grep -c '不是本服务签发的证书的核验链接' "$T/u.json")" = "not_issued_by_us|1" ]

# Hostile images: huge declared sizes.
python3 - "$T" <<'PY'
import struct, sys, zlib
t = sys.argv[1]
def chunk(k, d):
    return struct.pack('>I', len(d)) + k + d + struct.pack('>I', zlib.crc32(k + d) & 0xffffffff)
ihdr = struct.pack('>IIBBBBB', 60000, 60000, 8, 0, 0, 0, 0)
idat = zlib.compress(b'\0' * (60001 * 64), 9)
open(t + '/bomb.png', 'wb').write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', ihdr) + chunk(b'IDAT', idat) + chunk(b'IEND', b''))
j = bytearray(open(t + '/scanj-1.jpg', 'rb').read())
i = j.find(b'\xff\xc0')
j[i + 5:i + 9] = struct.pack('>HH', 60000, 60000)
open(t + '/bomb.jpg', 'wb').write(j)
PY
for f in bomb.png:image/png bomb.jpg:image/jpeg; do
	s0=$(date +%s%N)
	code=$(up "$T/${f%%:*}" "$T/u.json" "${f#*:}")
	ms=$(( ($(date +%s%N) - s0) / 1000000 ))
	check "${f%%:*} (60000x60000 declared): 422, refused unread in ${ms} ms" \
		[ "$code|$(js "$T/u.json" outcome)" = "422|not_a_certificate" -a "$ms" -lt 3000 ]
	check "  图像过大" grep -q '图像过大（60000×60000 像素' "$T/u.json"
done

# A 300 dpi colour scan (the scanner's usual setting): its page inflates
# to 26 MB, within the scan budget (48 MB).
pdftoppm -r 300 -png -f "${#PNGS[@]}" -l "${#PNGS[@]}" "$P" "$T/hi"
img2pdf "$T"/hi-*.png -o "$T/scan300.pdf"
code=$(up "$T/scan300.pdf" "$T/u.json" application/pdf)
check "a 300 dpi colour scan: 200, a copy of $S ($code $(js "$T/u.json" outcome))" \
	[ "$code|$(js "$T/u.json" outcome)|$(js "$T/u.json" certificate_status.serial)" = "200|copy|$S" ]
# An image bomb in a PDF: 7000x5000 RGB (105 MB) of zeros in 100 KB of
# Flate. Refused at the budget, not inflated in full.
python3 - "$T/ibomb.pdf" <<'PY'
import sys, zlib
w, h = 7000, 5000
z = zlib.compressobj(9)
data = b"".join(z.compress(b"\0" * (w * 3 * 500)) for _ in range(h // 500)) + z.flush()
objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n" % (w, h, len(data)) + data + b"\nendstream",
        b"<< /Length 34 >>\nstream\nq 595 0 0 842 0 0 cm /Im0 Do Q\n\nendstream"]
out = bytearray(b"%PDF-1.4\n")
offs = []
for i, o in enumerate(objs):
    offs.append(len(out))
    out += b"%d 0 obj\n" % (i + 1) + o + b"\nendobj\n"
x = len(out)
out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
for o in offs:
    out += b"%010d 00000 n \n" % o
out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, x)
open(sys.argv[1], "wb").write(out)
PY
s0=$(date +%s%N)
code=$(up "$T/ibomb.pdf" "$T/u.json" application/pdf)
ms=$(( ($(date +%s%N) - s0) / 1000000 ))
check "an image bomb in a PDF ($(stat -c %s "$T/ibomb.pdf") bytes): 422 not a certificate in ${ms} ms" \
	[ "$code|$(js "$T/u.json" outcome)" = "422|not_a_certificate" -a "$ms" -lt 5000 ]
check "  over the budget, saying so" grep -qE '上限|exceeds' "$T/u.json"
sed 's/^/# /' "$T/u.json" | head -c 400; echo

# The batch takes images too.
curl -s -m 60 -F "a=@$T/photo.jpg;type=image/jpeg;filename=photo.jpg" \
	-F "b=@$T/scan_png.pdf;type=application/pdf;filename=scan.pdf" \
	-F "c=@$T/noqr.png;type=image/png;filename=noqr.png" \
	-F "d=@$T/bomb.png;type=image/png;filename=bomb.png" "$URL/api/v1/verify/batch" >"$T/b.json"
check "batch: photo and scan are copies of $S, the others not certificates" \
	[ "$(js "$T/b.json" rows.0.status) $(js "$T/b.json" rows.0.serial),$(js "$T/b.json" rows.1.status) $(js "$T/b.json" rows.1.serial),$(js "$T/b.json" rows.2.status),$(js "$T/b.json" rows.3.status)" = \
	  "copy $S,copy $S,not_a_certificate,not_a_certificate" ]
curl -s -m 60 -F "a=@$T/photo.jpg;type=image/jpeg;filename=photo.jpg" -F format=html \
	"$URL/api/v1/verify/batch" >"$T/b.html"
check "  the HTML batch row says it is a copy" grep -q '副本（扫描件/照片）：以账本为准' "$T/b.html"
check_fails "the server reported no sanitizer error or crash" \
	grep -qiE 'sanitizer|runtime error|segmentation' "$T/err"
stop_server

"$VERIFIER" check "$T/scan_png.pdf" --key "$K" >"$T/c" 2>&1
check "offline check: a scan is not a certificate PDF (no signed note)" \
	grep -q 'not a certificate PDF' "$T/c"
