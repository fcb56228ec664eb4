#!/usr/bin/env python3
"""Writes N valid import rows (design §2b CSV) to stdout, deterministically.

Usage: gen_records.py N [PEOPLE]
Every row passes the fujian policy: real ID numbers with the right check
character, dates inside 2025, hours under the daily caps; half the rows
carry a ref. Used by tests/bench/bench_import.sh.
"""
import random
import sys

W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
AREAS = ["350102", "350203", "350582", "350105", "350521", "371002"]


def idnum(rng):
    s = "%s%04d%02d%02d%03d" % (rng.choice(AREAS), rng.randint(1960, 2000),
                               rng.randint(1, 12), rng.randint(1, 28),
                               rng.randint(0, 999))
    return s + "10X98765432"[sum(int(c) * w for c, w in zip(s, W)) % 11]


def main():
    n = int(sys.argv[1])
    people = int(sys.argv[2]) if len(sys.argv) > 2 else max(1, n // 10)
    rng = random.Random(20250101)
    ids = []
    seen = set()
    while len(ids) < people:
        i = idnum(rng)
        if i not in seen:
            seen.add(i)
            ids.append(i)
    out = sys.stdout
    out.write("id_number,name,unit,year,subject,public_type,form,title,"
              "provider,start_date,end_date,hours,author_role,domain,ref\n")
    for k in range(n):
        p = k % people
        day = k // people % 300
        month, dom = 1 + day // 28, 1 + day % 28
        if month > 12:
            month, dom = 12, 28
        date = "2025-%02d-%02d" % (month, dom)
        if k % 3 == 0:
            subj, form, hours = "public", 1, "%d.5" % rng.randint(1, 11)
        else:
            subj, form, hours = "professional", 2, str(rng.randint(1, 8))
        ref = "BENCH-%07d" % k if k % 2 == 0 else ""
        out.write("%s,测试%d,福州市第%d医院,2025,%s,,%d,课程%d,福建省继续教育基地,"
                  "%s,%s,%s,,,%s\n" % (ids[p], p, p % 50, subj, form, k, date,
                                      date, hours, ref))


main()
