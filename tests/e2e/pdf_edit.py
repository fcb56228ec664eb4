#!/usr/bin/env python3
"""pdf_edit.py IN.qdf OUT.qdf LABEL NEW: a visible edit of a certificate
PDF expanded by `qpdf --qdf`: the text run drawn right after the run that
reads LABEL is replaced by NEW, written with glyphs of its font through
the font's ToUnicode map (as a forger editing the page would). NEW "9x"
puts a 9 (an 8 if it was a 9) in place of the first character. Prints
"OLD NEW". Run `fix-qdf` on OUT afterwards."""
import re
import sys

src, dst, label, new = sys.argv[1:5]
data = open(src, 'rb').read()


def obj(n):
    m = re.search(rb'\n%d 0 obj\n(.*?)\nendobj' % n, data, re.S)
    return m.group(1)


def cmap_of(n):
    body = obj(n)
    cmap = {}
    for sec in re.findall(rb'beginbfchar(.*?)endbfchar', body, re.S):
        for a, b in re.findall(rb'<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>', sec):
            cmap[a.decode().lower()] = bytes.fromhex(b.decode()).decode('utf-16-be')
    for sec in re.findall(rb'beginbfrange(.*?)endbfrange', body, re.S):
        for a, b, c in re.findall(rb'<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>', sec):
            lo, hi, d = int(a, 16), int(b, 16), int(c, 16)
            for k in range(lo, hi + 1):
                cmap['%04x' % k] = chr(d + k - lo)
    return cmap


# The page's fonts: resource name -> ToUnicode map.
fonts = {}
fd = re.search(rb'/Font <<(.*?)>>', data, re.S).group(1)
for name, n in re.findall(rb'/(\w+) (\d+) 0 R', fd):
    tu = re.search(rb'/ToUnicode (\d+) 0 R', obj(int(n)))
    if tu:
        fonts[name.decode()] = cmap_of(int(tu.group(1)))

font = None
runs = []  # (font, match)
for m in re.finditer(rb'/(\w+) [\d.]+ Tf|<([0-9a-fA-F]+)> Tj', data):
    if m.group(1):
        font = m.group(1).decode()
    else:
        runs.append((font, m))


def decode(f, hexs):
    cm = fonts[f]
    return ''.join(cm.get(hexs[i:i + 4].lower(), '?') for i in range(0, len(hexs), 4))


for i, (f, m) in enumerate(runs[:-1]):
    if decode(f, m.group(2).decode()).replace(' ', '') != label.replace(' ', ''):
        continue
    f2, m2 = runs[i + 1]
    old = decode(f2, m2.group(2).decode())
    if new == '9x':
        new = ('8' if old[0] == '9' else '9') + old[1:]
    rev = {v: k for k, v in fonts[f2].items()}
    enc = ''.join(rev[c] for c in new)
    open(dst, 'wb').write(data[:m2.start(2)] + enc.encode() + data[m2.end(2):])
    print(old, new)
    sys.exit(0)
sys.exit('no run reads ' + label)
