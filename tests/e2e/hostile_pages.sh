#!/usr/bin/env bash
# The offline check's VALID means that what a person sees is what was
# signed (issue 11, item 4): `check` renders the certificate again from
# its embedded note (the QR code's URL is the note's signed verify: line)
# and compares. Attacks that keep the genuine attachments under other
# pages — a page swap, one changed glyph of a date, an annotation over
# the name, an overlay, an extra page, a changed MediaBox, an inherited
# /Rotate, JavaScript, an extra attachment, altered font glyphs — are
# never VALID; where no comparison is possible (an old note without
# --base-url, templates or fonts missing or not the issuer's) the answer
# is INCONCLUSIVE with exit 1. A file saved again by another program that
# draws exactly what was signed (the same text, operators and fonts) is
# VALID with pdf pages "re-saved" (issue 15), with or without object
# streams.
. "$(dirname "$0")/../lib.sh"
scratch
S=$HS_TOP/templates/samples
OLD=$HS_TOP/tests/data/oldcert
BASE=https://verify.example.cn
quiet() { "$@" >"$T/q" 2>&1 || { sed 's/^/# /' "$T/q" | tail -5; return 1; }; }

check "init" quiet "$ISSUER" init --issuer 福建省专业技术人员继续教育中心 --policy fujian --origin ledger.hourseal.example.cn/fj "$T/fj" --keys "$T/keys" --base-url "$BASE"
check "keygen" quiet "$ISSUER" --data "$T/fj" keygen --no-passphrase k1
check "import" quiet "$ISSUER" --data "$T/fj" import "$S/small.csv" --skip-invalid "$T/rej.csv" --quiet
check "stamp" quiet hr_stamp "$T/fj" 福建省人力资源和社会保障厅 --all
check "issue" quiet "$ISSUER" --data "$T/fj" issue --year 2024 --all --out "$T/out"
# Two one-page certificates (the edits below assume one page; with who
# stamped each record, a certificate of 9 records may take two).
onepage() { for f in $(find "$T/out" -name '*.pdf' | sort); do
	[ "$(pdfinfo "$f" 2>/dev/null | awk '/^Pages:/ {print $2}')" = 1 ] && echo "$f"; done; }
A=$(onepage | sed -n 1p)
B=$(onepage | sed -n 2p)
SA=$(basename "$A" .pdf)
SB=$(basename "$B" .pdf)
K=$T/keys/k1.pub

# chk FILE ARGS...: the offline check; RC and the output in $T/o.
chk() { local f=$1; shift; "$VERIFIER" check "$f" --key "$K" "$@" >"$T/o" 2>&1; RC=$?; }
# verdict WORD: the status line (after the headline) ends in WORD.
verdict() { sed -n 2p "$T/o" | grep -q ": $1\$" || { sed 's/^/# /' "$T/o" | head -3; return 1; }; }
invalid() { [ "$RC" = 1 ] && verdict INVALID; }
inconclusive() { [ "$RC" = 1 ] && verdict INCONCLUSIVE; }
says() { grep -q -- "$1" "$T/o" || { sed 's/^/# /' "$T/o" | head -3; return 1; }; }
text() { pdftotext -q "$1" - 2>/dev/null; }

# Edits of a PDF: an incremental update that replaces or adds objects
# (what a "shadow attack" does), a glyph changed through ToUnicode, font
# programs altered. Run on the qpdf --qdf form where noted.
cat >"$T/edit.py" <<'PY'
import re, subprocess, sys

def show(pdf, what):
    return subprocess.run(["qpdf", "--show-object=" + what, pdf],
                          capture_output=True, check=True).stdout.strip()

def update(src, dst, objs):
    """Appends an incremental update with objs {number: bytes}."""
    b = open(src, "rb").read()
    trailer = show(src, "trailer")
    size = int(re.search(rb"/Size (\d+)", trailer).group(1))
    prev = int(re.findall(rb"startxref\s+(\d+)", b)[-1])
    out = bytearray(b)
    if not out.endswith(b"\n"):
        out += b"\n"
    offs = {}
    for n in sorted(objs):
        offs[n] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (n, objs[n])
    x = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n"
    for n in sorted(offs):
        out += b"%d 1\n%010d 00000 n \n" % (n, offs[n])
    size = max([size] + [n + 1 for n in objs])
    t = re.sub(rb"/Size \d+", b"/Size %d" % size, trailer)
    t = t[:-2].rstrip() + b" /Prev %d >>" % prev
    out += b"trailer\n" + t + b"\nstartxref\n%d\n%%%%EOF\n" % x
    open(dst, "wb").write(out)

def page_obj(pdf):
    out = subprocess.run(["qpdf", "--show-pages", pdf], capture_output=True,
                         check=True).stdout
    return int(re.search(rb"page 1: (\d+) 0 R", out).group(1))

def next_obj(pdf):
    return int(re.search(rb"/Size (\d+)", show(pdf, "trailer")).group(1))

def ref(d, key):
    return int(re.search(rb"/" + key + rb" (\d+) 0 R", d).group(1))

cmd, src, dst = sys.argv[1:4]
if cmd == "annot":
    # A white box over the holder's name and a text of the attacker's.
    p = page_obj(src); n = next_obj(src)
    d = show(src, str(p))
    d = d[:-2].rstrip() + b" /Annots [ %d 0 R %d 0 R ] >>" % (n, n + 1)
    update(src, dst, {p: d,
        n: b"<< /Type /Annot /Subtype /Square /Rect [ 130 655 300 680 ] "
           b"/C [ 1 1 1 ] /IC [ 1 1 1 ] /F 4 >>",
        n + 1: b"<< /Type /Annot /Subtype /FreeText /Rect [ 140 658 290 678 ] "
           b"/Contents (Someone Else) /DA (0 g /Helv 12 Tf) /F 4 >>"})
elif cmd == "mediabox":
    p = page_obj(src)
    d = re.sub(rb"/MediaBox \[[^]]*\]", b"/MediaBox [ 0 400 595.27557 841.88977 ]",
               show(src, str(p)))
    update(src, dst, {p: d})
elif cmd == "rotate-parent":
    root = show(src, "trailer"); r = ref(root, b"Root")
    pages = ref(show(src, str(r)), b"Pages")
    d = show(src, str(pages))
    update(src, dst, {pages: d[:-2].rstrip() + b" /Rotate 180 >>"})
elif cmd == "openaction":
    r = ref(show(src, "trailer"), b"Root"); n = next_obj(src)
    d = show(src, str(r))
    update(src, dst, {r: d[:-2].rstrip() + b" /OpenAction %d 0 R >>" % n,
        n: b"<< /S /JavaScript /JS (app.alert\\('valid'\\)) >>"})
elif cmd == "date":
    # On the --qdf form: change the last digit of the first date drawn in
    # a text string, through the font's ToUnicode map, keeping the length.
    b = bytearray(open(src, "rb").read())
    objs = {int(m.group(1)): (m.start(2), m.group(2)) for m in
            re.finditer(rb"\n(\d+) 0 obj\n(.*?)\nendobj", b, re.S)}
    def stream(n):
        s, body = objs[n]
        i = body.index(b"stream\n") + 7
        return s + i, body[i:body.index(b"\nendstream")]
    page = [n for n, (_, d) in objs.items() if re.search(rb"/Type /Page\n", d)][0]
    pd = objs[page][1]
    fonts = {}
    for name, n in re.findall(rb"/(HS\d+) (\d+) 0 R", pd):
        _, cm = stream(ref(objs[int(n)][1], b"ToUnicode"))
        m = {}
        for sec in re.findall(rb"beginbfchar(.*?)endbfchar", cm, re.S):
            for g, u in re.findall(rb"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]{4})>", sec):
                m[int(g, 16)] = chr(int(u, 16))
        for sec in re.findall(rb"beginbfrange(.*?)endbfrange", cm, re.S):
            for g0, g1, u in re.findall(rb"<(\w{4})>\s*<(\w{4})>\s*<(\w{4})>", sec):
                for g in range(int(g0, 16), int(g1, 16) + 1):
                    m[g] = chr(int(u, 16) + g - int(g0, 16))
        fonts[name] = m
    cs, content = stream(ref(pd, b"Contents"))
    cur = None
    for t in re.finditer(rb"/(HS\d+) [\d.]+ Tf|<([0-9A-Fa-f]+)> ?Tj", content):
        if t.group(1):
            cur = fonts[t.group(1)]
            continue
        h = t.group(2)
        gids = [int(h[i:i + 4], 16) for i in range(0, len(h), 4)]
        s = "".join(cur.get(g, "?") for g in gids)
        d = re.search(r"\d{4}-\d{2}-\d{2}", s)
        if not d:
            continue
        k = d.end() - 1
        rev = {c: g for g, c in cur.items()}
        new = next(c for c in "1234567890" if c != s[k] and c in rev)
        off = cs + t.start(2) + 4 * k
        b[off:off + 4] = b"%04X" % rev[new]
        open(dst, "wb").write(b)
        print(d.group(0), d.group(0)[:-1] + new)
        break
    else:
        sys.exit("no date found")
elif cmd == "fonts":
    # On the --qdf form: one byte of every embedded font program changed.
    b = bytearray(open(src, "rb").read())
    ffs = set(int(n) for n in re.findall(rb"/FontFile2? (\d+) 0 R", b))
    for m in re.finditer(rb"\n(\d+) 0 obj\n", b):
        if int(m.group(1)) in ffs:
            i = b.index(b"stream\n", m.end()) + 7 + 200
            b[i] ^= 0x20
    open(dst, "wb").write(b)
    print(len(ffs))
PY
edit() { python3 "$T/edit.py" "$@"; }

# ---- a genuine certificate ----
chk "$A"
check "a genuine PDF is VALID, exit 0" eval '[ $RC = 0 ] && verdict VALID'
check "  its pages are identical to the re-render" says 'pdf pages:   identical to the certificate rendered again'
check "  the QR code's URL comes from the signed note" says 'QR code URL from the signed note'
pdfdetach -save 1 -o "$T/a.note" "$A"
check "the signed note's text ends with the verify: line" \
	[ "$(sed -n '/^$/q;p' "$T/a.note" | tail -1)" = "verify: $BASE" ]
chk "$A" --base-url https://evil.example
check "a wrong --base-url does not override the signed URL (VALID)" eval '[ $RC = 0 ] && verdict VALID'
chk "$A" --json
check "--json: valid, pdf_pages identical" python3 -c "
import json; j=json.load(open('$T/o'))
assert j['status']=='valid' and j['exit']==0 and j['pdf_pages']=='identical', j
assert j['qr_url_from']=='the signed note', j"

# ---- the page swap: A's attachments under B's page ----
qpdf "$A" --pages "$B" -- "$T/swap.pdf"
pdfdetach -save 1 -o "$T/swap.note" "$T/swap.pdf"
check "the swap shows B's serial and carries A's note" eval \
	'text "$T/swap.pdf" | grep -q "$SB" && grep -q "serial: $SA" "$T/swap.note"'
chk "$T/swap.pdf"
check "page swap: INVALID, exit 1" invalid
check "  naming page 1" says 'page 1'
check "  pdf pages: NOT what the signed note says" says 'pdf pages:   NOT what the signed note says'
chk "$T/swap.pdf" --json
check "  --json: invalid, exit 1, pdf_pages different" python3 -c "
import json; j=json.load(open('$T/o'))
assert j['status']=='invalid' and j['exit']==1 and j['pdf_pages']=='different', j
assert 'page 1' in j['pdf_pages_difference'], j"

# ---- one glyph of a date ----
qpdf --qdf --object-streams=disable "$A" "$T/a.qdf"
read -r d0 d1 < <(edit date "$T/a.qdf" "$T/date.qdf")
qpdf "$T/date.qdf" "$T/date.pdf" 2>/dev/null
check "one glyph changed: the page now reads $d1 where it read $d0" eval \
	'[ "$(text "$T/date.pdf" | grep -c -- "$d1")" -gt "$(text "$A" | grep -c -- "$d1")" ]'
chk "$T/date.pdf"
check "one changed date glyph: INVALID, exit 1" invalid
check "  the page content differs" says 'page 1 /Contents'

# ---- an annotation over the holder's name (incremental update) ----
edit annot "$A" "$T/annot.pdf"
pdftoppm -r 40 -png "$A" "$T/ra"
pdftoppm -r 40 -png "$T/annot.pdf" "$T/rb"
check "the annotation changes what is seen" eval '! cmp -s "$T"/ra-1.png "$T"/rb-1.png'
chk "$T/annot.pdf"
check "annotation: INVALID, exit 1" invalid
check "  naming /Annots" says '/Annots was added'
qpdf "$T/annot.pdf" "$T/annot2.pdf"
chk "$T/annot2.pdf"
check "annotation, the file rewritten by qpdf: INVALID" invalid

# ---- an overlay: another PDF's page drawn over A's (a Form XObject) ----
python3 - "$T/over.pdf" <<'PY'
import sys
c = b"1 1 1 rg 120 650 200 35 re f 0 0 0 rg BT /F1 14 Tf 130 660 Td (Someone Else) Tj ET"
objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.27557 841.88977] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(c) + c + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
out = b"%PDF-1.4\n"; offs = []
for i, o in enumerate(objs, 1):
    offs.append(len(out)); out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
x = len(out)
out += b"xref\n0 6\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offs)
out += b"trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % x
open(sys.argv[1], "wb").write(out)
PY
qpdf "$A" --overlay "$T/over.pdf" -- "$T/overlay.pdf" || echo "# qpdf --overlay failed: $?"
check "the overlay is seen" eval 'pdftotext -q -raw "$T/overlay.pdf" - | grep -q "Someone Else"'
chk "$T/overlay.pdf"
check "overlay (an extra XObject and content stream): INVALID, exit 1" invalid

# ---- an extra page ----
qpdf "$A" --pages "$A" "$B" -- "$T/extra.pdf"
chk "$T/extra.pdf"
check "an extra page: INVALID, exit 1" invalid
check "  saying 2 pages" says 'the file has 2 pages'

# ---- page boxes, rotation, JavaScript, attachments ----
edit mediabox "$A" "$T/box.pdf"
chk "$T/box.pdf"
check "a changed MediaBox: INVALID, exit 1" invalid
check "  naming /MediaBox" says '/MediaBox'
edit rotate-parent "$A" "$T/rot.pdf"
chk "$T/rot.pdf"
check "/Rotate inherited from the page tree: INVALID, exit 1" invalid
check "  naming /Rotate on page 1" says 'page 1: /Rotate was added'
edit openaction "$A" "$T/js.pdf"
chk "$T/js.pdf"
check "an /OpenAction with JavaScript: INVALID, exit 1" invalid
echo fake >"$T/certificate-real.pdf"
qpdf "$A" --add-attachment "$T/certificate-real.pdf" -- "$T/att.pdf"
chk "$T/att.pdf"
check "an extra attachment: INVALID, exit 1" invalid

# ---- altered font glyphs: the fonts no longer match; never VALID ----
n=$(edit fonts "$T/a.qdf" "$T/fonts.qdf")
qpdf "$T/fonts.qdf" "$T/fonts.pdf" 2>/dev/null
chk "$T/fonts.pdf"
check "all $n font programs altered: INCONCLUSIVE, exit 1" inconclusive
check "  saying the fonts are not the verifier's" says 'fonts are not the ones this verifier renders with'

# ---- the same pages saved again by another program ----
qpdf --object-streams=disable "$A" "$T/resaved.pdf"
check "  (qpdf really rewrote the file)" test "$(cmp -s "$A" "$T/resaved.pdf"; echo $?)" = 1
chk "$T/resaved.pdf"
check "saved again by qpdf, pages unchanged: VALID, exit 0 (issue 15)" eval '[ $RC = 0 ] && verdict VALID'
check "  saying it is not the issued file but draws what was signed" says 'pdf pages:   re-saved by another program: not the issued file byte for byte'
# Saved with object streams: read once every compressed stream is shown
# to fit the budget, and the same.
qpdf --object-streams=generate "$A" "$T/resaved-os.pdf"
chk "$T/resaved-os.pdf"
check "saved again with object streams: VALID, exit 0 (issue 15)" eval '[ $RC = 0 ] && verdict VALID'
check "  pdf pages: re-saved" says 'pdf pages:   re-saved by another program'

# ---- no comparison possible ----
chk "$A" --templates "$T/none"
check "templates missing: INCONCLUSIVE, exit 1" inconclusive
mkdir -p "$T/tpl-nofont" "$T/tpl-other"
sed 's#/dejavu/DejaVuSerif.ttf#/dejavu/NoSuchFont.ttf#' "$HS_TOP/templates/annual.json" >"$T/tpl-nofont/annual.json"
sed 's#/dejavu/DejaVuSerif.ttf#/dejavu/NoSuchFont.ttf#' "$HS_TOP/templates/course.json" >"$T/tpl-nofont/course.json"
chk "$A" --templates "$T/tpl-nofont"
check "a font file missing: INCONCLUSIVE, exit 1" inconclusive
sed 's#/dejavu/DejaVuSerif.ttf#/dejavu/DejaVuSerifCondensed.ttf#' "$HS_TOP/templates/annual.json" >"$T/tpl-other/annual.json"
sed 's#/dejavu/DejaVuSerif.ttf#/dejavu/DejaVuSerifCondensed.ttf#' "$HS_TOP/templates/course.json" >"$T/tpl-other/course.json"
chk "$A" --templates "$T/tpl-other"
check "templates with another font than the issuer's: INCONCLUSIVE, not INVALID" inconclusive

# ---- an old certificate (its note has no verify: line) ----
OPDF=$OLD/2024-F0KZ-T1Q5-MYH1-2T7M.pdf
"$VERIFIER" check "$OPDF" --key "$OLD/old.pub" >"$T/o" 2>&1; RC=$?
check "old note without --base-url: INCONCLUSIVE, exit 1" inconclusive
check "  saying to give --base-url" says 'no verify: line.*--base-url'
"$VERIFIER" check "$OPDF" --key "$OLD/old.pub" --base-url https://verify.example.cn >"$T/o" 2>&1; RC=$?
check "old note with the right --base-url: VALID, exit 0" eval '[ $RC = 0 ] && verdict VALID'
check "  the QR code's URL from --base-url" says 'QR code URL from --base-url'
"$VERIFIER" check "$OPDF" --key "$OLD/old.pub" --base-url https://verify.example.com >"$T/o" 2>&1; RC=$?
check "old note with another --base-url: not VALID, exit 1" eval '[ $RC = 1 ] && ! verdict VALID 2>/dev/null >&2'
qpdf "$OPDF" --pages "$A" -- "$T/oswap.pdf"
"$VERIFIER" check "$T/oswap.pdf" --key "$OLD/old.pub" --base-url https://verify.example.cn >"$T/o" 2>&1; RC=$?
check "old note under another page, with --base-url: INVALID, exit 1" invalid

# ---- a bare note still checks (nothing to see but the note) ----
pdfdetach -save 2 -o "$T/a.proof" "$A"
"$VERIFIER" check "$T/a.note" --key "$K" --proof "$T/a.proof" >"$T/o" 2>&1; RC=$?
check "a bare note with its receipt: VALID, exit 0" eval '[ $RC = 0 ] && verdict VALID'
