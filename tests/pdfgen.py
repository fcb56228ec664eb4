"""Minimal PDF writer for the hostile-input tests (tests/e2e/hostile*.sh).

pdf(objs, root) lays out objs (bytes of each object's body, numbered from 1)
with a classic cross-reference table and a trailer whose /Root is object
root. It writes nothing of its own beyond that, so each test decides
exactly what the file contains.
"""


def pdf(objs, root=1):
    parts = [b"%PDF-1.7\n"]
    offs = []
    pos = len(parts[0])
    for i, o in enumerate(objs, 1):
        offs.append(pos)
        p = b"%d 0 obj\n" % i + o + b"\nendobj\n"
        parts.append(p)
        pos += len(p)
    x = pos
    parts.append(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    parts += [b"%010d 00000 n \n" % o for o in offs]
    parts.append(b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
                 % (len(objs) + 1, root, x))
    return b"".join(parts)
