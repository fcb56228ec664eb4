# Certificate PDFs, checked with the tools a reader and a clerk use:
# qpdf, pdffonts, pdftotext, pdfinfo, pdfdetach, pdftoppm + zbarimg, and a
# glyph-by-glyph ink comparison of rare name characters against FreeType
# renders (ImageMagick) of each character alone.
. "$(dirname "$0")/../lib.sh"
scratch
# Debian's interpreter: a version manager's shim can take seconds to start.
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
D=$T/pdf
if ! "$HS_BUILD/tests/test_pdf" render "$D" 2>"$T/render.err"; then
	notok "render the fixture certificates: $(cat "$T/render.err")"
	exit 1
fi
ok "render the fixture certificates"
# Kept for people to look at (tests/out is not committed).
mkdir -p "$HS_TOP/tests/out/pdf" && cp "$D"/*.pdf "$HS_TOP/tests/out/pdf/"

# nows FILE: the text of a PDF in content order, all whitespace removed.
nows() { pdftotext -raw -enc UTF-8 "$@" - | $PY -c 'import sys; print("".join(sys.stdin.read().split()))'; }
# field FILE KEY: the expected values recorded by the driver, one a line.
field() { awk -F'\t' -v k="$2" '$1 == k { print $2 }' "$1"; }

for f in annual8 rare long40 course fallback long_fields no_records n1 n10 n25 n60; do
	pdf=$D/$f.pdf exp=$D/$f.txt
	check "$f: qpdf --check finds no errors" \
	    grep -q 'No syntax or stream encoding errors' <(qpdf --check "$pdf" 2>&1)

	# Every font is an embedded subset with a Unicode map.
	pdffonts "$pdf" | tail -n +3 >"$T/fonts"
	if [ -s "$T/fonts" ] && awk '$1 !~ /^[A-Z][A-Z][A-Z][A-Z][A-Z][A-Z]\+/ ||
	    $(NF-4) != "yes" || $(NF-3) != "yes" || $(NF-2) != "yes" { bad = 1 }
	    END { exit bad }' "$T/fonts"; then
		ok "$f: pdffonts shows only embedded subset fonts ($(wc -l <"$T/fonts") fonts)"
	else
		notok "$f: pdffonts: $(cat "$T/fonts")"
	fi

	# The text can be searched: name, every title, every hour figure.
	nows "$pdf" >"$T/text"
	missing=$($PY - "$T/text" "$exp" <<'EOF'
import sys
text = open(sys.argv[1]).read()
miss = []
for line in open(sys.argv[2]).read().splitlines():
    key, _, val = line.partition("\t")
    if key in ("name", "title", "row", "total") and "".join(val.split()) not in text:
        miss.append("[%s %s]" % (key, val))
print(" ".join(miss))
EOF
)
	if [ -z "$missing" ]; then
		ok "$f: pdftotext finds the name, $(field "$exp" title | wc -l) titles and their hours"
	else
		notok "$f: pdftotext misses: $missing"
	fi

	# Document information.
	pdfinfo -enc UTF-8 "$pdf" >"$T/info"
	serial=$(field "$exp" serial)
	if grep -q "^Title: *专业技术人员继续教育学时证明" "$T/info" &&
	    grep -q "^Author: *$(field "$exp" issuer)\$" "$T/info" &&
	    grep -q "^Subject: *$serial\$" "$T/info" &&
	    grep -q '^CreationDate: .*2024' "$T/info"; then
		ok "$f: title, author, subject and creation date"
	else
		notok "$f: pdfinfo: $(grep -E '^(Title|Author|Subject|CreationDate)' "$T/info" | tr '\n' ' ')"
	fi

	# The QR code, printed at 150 dpi, reads back as exactly the URL.
	pages=$(awk '/^Pages:/ { print $2 }' "$T/info")
	pdftoppm -r 150 -f "$pages" -l "$pages" -png "$pdf" "$T/$f-page"
	got=$(zbarimg --raw -q "$T/$f-page"*.png 2>/dev/null)
	if [ "$got" = "$(field "$exp" url)" ]; then
		ok "$f: zbarimg decodes the QR code to $got"
	else
		notok "$f: QR code reads \"$got\", want \"$(field "$exp" url)\""
	fi

	# The attachments are byte-identical to the note and the receipt.
	rm -rf "$T/att" && mkdir "$T/att"
	pdfdetach -list "$pdf" >"$T/att.list"
	pdfdetach -saveall -o "$T/att" "$pdf"
	if grep -q '1: certificate.note' "$T/att.list" &&
	    grep -q '2: certificate.proof' "$T/att.list" &&
	    cmp -s "$T/att/certificate.note" "$D/$f.note" &&
	    cmp -s "$T/att/certificate.proof" "$D/$f.proof"; then
		ok "$f: pdfdetach gives back the note and the receipt byte for byte"
	else
		notok "$f: attachments differ: $(cat "$T/att.list")"
	fi
done

# 40 records: three pages, each with the table header and its page number,
# every record exactly once.
pdf=$D/long40.pdf
n=$(pdfinfo "$pdf" | awk '/^Pages:/ { print $2 }')
check "long40: 40 records take 3 pages (got $n)" [ "$n" = 3 ]
for p in 1 2 3; do
	t=$(nows -f $p -l $p "$pdf")
	if [[ $t == *"第${p}页/共3页"* && $t == *"Page${p}of3"* &&
	    $t == *"课程名称"* && $t == *"施训机构"* ]]; then
		ok "long40: page $p has the table header and 第 $p 页 / 共 3 页"
	else
		notok "long40: page $p lacks its header or page number"
	fi
done
nows "$pdf" >"$T/text.long40"
bad=$(field "$D/long40.txt" title | $PY -c '
import sys
text = open(sys.argv[1]).read()
bad = [t for t in sys.stdin.read().splitlines() if text.count("".join(t.split())) != 1]
print(len(bad))' "$T/text.long40")
check "long40: every record appears exactly once" [ "$bad" = 0 ]
t1=$(nows -f 1 -l 1 "$pdf")
t3=$(nows -f 3 -l 3 "$pdf")
check "long40: totals and QR caption only on the last page" \
    bash -c '[[ "$1" != *"扫码验证"* && "$2" == *"扫码验证"* && "$2" == *"合计Total"* ]]' _ "$t1" "$t3"

# The records table starts on page 1 under the holder's details, fills every
# page it continues from down to bottom_notlast (270 mm) and continues under
# a repeated header; the last page must end above bottom (206 mm: the totals
# are below), so when it would not, its last row goes on to a new last page
# with the totals, QR code and seal. nN: N records of two-line rows (9 fit
# above 206 mm, 15 above 270 mm on page 1, 21 on later pages). Read page by
# page with pdftotext -layout: the record numbers in the first column, the
# header, the 续 marks and the page numbers.
# paged PDF N "COUNTS": COUNTS is the number of rows on each page.
paged() {
	$PY - "$@" <<'EOF'
import re, subprocess, sys
pdf, n, want = sys.argv[1], int(sys.argv[2]), [int(x) for x in sys.argv[3].split()]
name = pdf.rsplit("/", 1)[-1][:-4]
info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True).stdout
pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
rows, bad = [], []
def check(cond, what):
    if not cond:
        bad.append(what)
for p in range(1, pages + 1):
    text = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", "-f", str(p),
                           "-l", str(p), pdf, "-"], capture_output=True,
                          text=True).stdout
    flat = "".join(text.split())
    idx = [int(m.group(1)) for m in
           re.finditer(r"^\s*(\d+)\s+(?:公需|专业)", text, re.M)]
    rows.append(idx)
    if idx or p == 1:
        check("序号" in flat and "课程名称" in flat and "施训机构" in flat,
              "page %d has no table header" % p)
    check("第%d页/共%d页" % (p, pages) in flat and
          "Page%dof%d" % (p, pages) in flat,
          "page %d: no 第 %d 页 / 共 %d 页" % (p, p, pages))
    check((p > 1) == ("（续）" in flat), "page %d: 续 title %s" %
          (p, "missing" if p > 1 else "on page 1"))
    check((p < pages) == ("续下页" in flat), "page %d: 续下页 %s" %
          (p, "missing" if p < pages else "on the last page"))
    check((p == pages) == ("扫码验证" in flat and "合计Total" in flat),
          "page %d: totals and QR caption %s" %
          (p, "missing" if p == pages else "not only on the last page"))
check(rows and rows[0][:1] == [1], "page 1 does not start with record 1")
every = [i for r in rows for i in r]
check(every == list(range(1, n + 1)),
      "records are not 1..%d once each in order: %s" % (n, every))
got = [len(r) for r in rows]
check(got == want, "rows per page %s, want %s" % (got, want))
print("%s - %s: %d records on %d pages, rows per page %s%s" %
      ("not ok" if bad else "ok", name, n, pages, " + ".join(map(str, got)),
       ": " + "; ".join(bad) if bad else "; each record once, in order; "
       "header and 第 N 页 / 共 %d 页 on every page, 续 marks, totals on "
       "the last" % pages))
EOF
}
paged "$D/n1.pdf" 1 "1"
paged "$D/n9.pdf" 9 "9"
# 10 rows fit page 1 only if it continues: the 10th goes with the totals.
paged "$D/n10.pdf" 10 "9 1"
# Page 1 keeps 10 (before, it was cut at the last page's height: 9 + 2).
paged "$D/n11.pdf" 11 "10 1"
paged "$D/n25.pdf" 25 "15 10"
paged "$D/n60.pdf" 60 "15 21 21 3"
paged "$D/long40.pdf" 40 "17 22 1"
paged "$D/long_fields.pdf" 9 "8 1"

# HanaMin fallback: characters uming lacks are drawn from fonts-hanazono.
pdffonts "$D/fallback.pdf" >"$T/ffonts"
check "fallback: U+3400/U+9FCC from HanaMinA, U+2A6D6 from HanaMinB" \
    bash -c 'grep -q "+HanaMinA " "$1" && grep -q "+HanaMinB " "$1"' _ "$T/ffonts"

# Rare name characters: every glyph of 堃赟昇喆犇淼䶮𠇔 in the holder field
# has the ink of the same character rendered alone by FreeType from
# uming.ttc; a dropped, boxed or wrong glyph fails.
pdftoppm -r 300 -gray -f 1 -l 1 "$D/rare.pdf" "$T/rare"
pdftotext -bbox -f 1 -l 1 "$D/rare.pdf" "$T/rare.html"
$PY - "$T" "$(field "$D/rare.txt" name)" <<'EOF'
import re, subprocess, sys, html
tmp, name = sys.argv[1], sys.argv[2]
UMING = "/usr/share/fonts/truetype/arphic/uming.ttc"
DPI = 300

def pgm(path):
    data = open(path, "rb").read()
    parts = data.split(maxsplit=4)
    assert parts[0] == b"P5"
    w, h, mx = int(parts[1]), int(parts[2]), int(parts[3])
    px = parts[4]
    if mx > 255:
        px = px[0::2]
    return w, h, px

def ink(w, h, px, x0=0, y0=0, x1=None, y1=None):
    """The dark pixels inside a window, cut to their bounding box:
    (count, width, height, 12x12 grid of ink density)."""
    x1 = w if x1 is None else x1
    y1 = h if y1 is None else y1
    pts = [(x, y) for y in range(max(0, y0), min(h, y1))
           for x in range(max(0, x0), min(w, x1)) if px[y * w + x] < 128]
    if not pts:
        return 0, 0, 0, [0.0] * 144
    bx0, by0 = min(p[0] for p in pts), min(p[1] for p in pts)
    bw = max(p[0] for p in pts) - bx0 + 1
    bh = max(p[1] for p in pts) - by0 + 1
    grid = [0.0] * 144
    for x, y in pts:
        grid[min(11, (y - by0) * 12 // bh) * 12 + min(11, (x - bx0) * 12 // bw)] += 1
    return len(pts), bw, bh, grid

def corr(a, b):
    n = len(a)
    ma, mb = sum(a) / n, sum(b) / n
    va = sum((x - ma) ** 2 for x in a) ** 0.5
    vb = sum((y - mb) ** 2 for y in b) ** 0.5
    if va == 0 or vb == 0:
        return 0.0
    return sum((x - ma) * (y - mb) for x, y in zip(a, b)) / (va * vb)

words = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                   r'yMax="([\d.]+)">([^<]*)</word>', open(tmp + "/rare.html").read())
box = next((w for w in words if html.unescape(w[4]) == name), None)
if box is None:
    print("not ok - rare: the name is not one word in pdftotext -bbox")
    sys.exit(0)
x0, y0, x1, y1 = (float(v) for v in box[:4])
chars = list(name)
em = (x1 - x0) / len(chars)           # full-width: one em per character
W, H, PX = pgm(tmp + "/rare-1.pgm")
k = DPI / 72.0

def cell(i):
    return ink(W, H, PX, int((x0 + i * em) * k), int((y0 - 2) * k),
               int((x0 + (i + 1) * em) * k), int((y1 + 2) * k))

def alone(ch):
    out = "%s/ref-%04X.pgm" % (tmp, ord(ch))
    subprocess.run(["convert", "-density", str(DPI), "-font", UMING,
                    "-pointsize", "%.3f" % em, "label:" + ch, "-depth", "8",
                    out], check=True)
    return ink(*pgm(out))

def same(a, b):
    """Same ink area, same size, same shape (grid correlation)."""
    (n, w, h, g), (rn, rw, rh, rg) = a, b
    return (rn > 0 and n > 0 and 0.75 <= n / rn <= 1.33 and
            abs(w - rw) <= 0.15 * rw + 3 and abs(h - rh) <= 0.15 * rh + 3 and
            corr(g, rg) >= 0.6)

refs = {ch: alone(ch) for ch in chars}
for i, ch in enumerate(chars):
    got, ref = cell(i), refs[ch]
    print("%s - rare: %s U+%04X has its ink (%d px, %dx%d; alone %d px, "
          "%dx%d; shape correlation %.2f)"
          % ("ok" if same(got, ref) else "not ok", ch, ord(ch), got[0],
             got[1], got[2], ref[0], ref[1], ref[2], corr(got[3], ref[3])))
# The comparison must be able to fail: 堃 is not 淼, and a blank is nothing.
cells = [cell(i) for i in range(len(chars))]
pairs = [(i, j) for i in range(len(chars)) for j in range(len(chars)) if i != j]
worst = max(corr(cells[i][3], refs[chars[j]][3]) for i, j in pairs)
print("%s - rare: no glyph passes for another one (best wrong match %.2f)" %
      ("ok" if not any(same(cells[i], refs[chars[j]]) for i, j in pairs)
       else "not ok", worst))
print("%s - rare: a blank cell fails the comparison" %
      ("ok" if not same((0, 0, 0, [0.0] * 144), refs[chars[0]]) else "not ok"))
EOF
