#!/usr/bin/env python3
"""Bulk fictional records for the crash test and the issuance benchmark.

    python3 tests/data/gen_bulk.py N YEAR [SEED] > records.csv

N practitioners, each with a public online course (30 hours over 3 days)
and a professional online course (60 hours over 5 days) in YEAR, plus a
face-to-face class for every third; every tenth falls short (professional
40 hours). Everything is invented; ID numbers have a valid GB 11643 check
character and a real birth date. Deterministic for a given seed.
"""
import random
import sys

W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def check(first17):
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, W)) % 11]


def main():
    n = int(sys.argv[1])
    year = int(sys.argv[2])
    rnd = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 7)
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
    given = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩芳娜敏静丽艳娟霞秀玲婷雪琳慧颖"
    units = ["福州市第一医院", "厦门市鹭岛中学", "泉州市建设工程公司",
             "漳州市农业科学研究所", "莆田市第二实验小学"]
    regions = ["350102", "350203", "350503", "350602", "350702"]
    out = sys.stdout
    out.write("id_number,name,unit,year,subject,public_type,form,title,"
              "provider,start_date,end_date,hours,author_role,domain,ref\n")
    seen = set()
    for i in range(n):
        while True:
            birth = "%04d%02d%02d" % (rnd.randint(1965, 1999),
                                      rnd.randint(1, 12), rnd.randint(1, 28))
            first = rnd.choice(regions) + birth + "%03d" % rnd.randint(0, 999)
            idn = first + check(first)
            if idn not in seen:
                seen.add(idn)
                break
        name = rnd.choice(surnames) + "".join(
            rnd.choice(given) for _ in range(rnd.randint(1, 2)))
        unit = rnd.choice(units)
        m = rnd.randint(3, 9)
        prof = 40 if i % 10 == 9 else 60
        rows = [
            ("public", "1", "专业技术人员职业道德和能力建设",
             "福建省专业技术人员继续教育中心", "%d-%02d-01" % (year, m),
             "%d-%02d-03" % (year, m), "30"),
            ("professional", "1", "数字化转型与行业实践",
             "福建省继续教育基地", "%d-%02d-10" % (year, m),
             "%d-%02d-%02d" % (year, m, 10 + (prof + 11) // 12 - 1),
             str(prof)),
        ]
        if i % 3 == 0:
            rows.append(("professional", "2", "岗位技能提升面授班",
                         "福州市继续教育基地", "%d-%02d-20" % (year, m),
                         "%d-%02d-20" % (year, m), "6"))
        for k, (subj, form, title, prov, s, e, h) in enumerate(rows):
            out.write(",".join([idn, name, unit, str(year), subj, "", form,
                                title, prov, s, e, h, "", "",
                                "BULK-%d-%06d-%d" % (year, i, k)]) + "\n")


if __name__ == "__main__":
    main()
