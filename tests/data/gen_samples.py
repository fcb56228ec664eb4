#!/usr/bin/env python3
"""Generates the sample records shipped in templates/samples/.

Everything here is fictional: people's names are random combinations, ID
numbers are random (with a valid GB 11643 check character and a real birth
date), work units and providers are invented. The courses follow the notices
in the project's seeds (see templates/samples/README.md).

Deterministic: the same seed gives byte-identical files.

    python3 tests/data/gen_samples.py [OUTDIR]    (default templates/samples)

Writes:
  fujian.csv            records for the Fujian data directory (hours)
  small.csv             a dozen of the same practitioners, for quick tests
  weihai-platform.csv   Weihai platform export: online courses (minutes)
  weihai-declared.csv   Weihai declared hours (学时申报): conferences,
                        publications, degree study, practice (hours)
  expected.json         what a correct import should do: rejected lines with
                        the reason, and each practitioner's yearly totals
"""

import csv
import datetime as dt
import io
import json
import os
import random
import sys

SEED = 20260611
COLUMNS_HOURS = ["id_number", "name", "unit", "year", "subject",
                 "public_type", "form", "title", "provider", "start_date",
                 "end_date", "hours", "author_role", "domain", "ref"]
COLUMNS_MINUTES = [c if c != "hours" else "minutes" for c in COLUMNS_HOURS]
TODAY = dt.date(2026, 11, 20)      # nothing in the samples ends later

# ---------------------------------------------------------------- ID numbers

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"


def id_check(first17):
    """GB 11643 / ISO 7064 MOD 11-2 check character of 17 digits."""
    s = sum(int(c) * w for c, w in zip(first17, WEIGHTS))
    return CHECK[s % 11]


def id_valid(idn):
    return (len(idn) == 18 and idn[:17].isdigit()
            and id_check(idn[:17]) == idn[17])


# Region codes (county level): mostly where the practitioner works, some
# born elsewhere.
FUJIAN_REGIONS = [
    "350102", "350103", "350104", "350105", "350111", "350121", "350128",
    "350181", "350203", "350205", "350206", "350211", "350212", "350213",
    "350302", "350303", "350404", "350502", "350503", "350521", "350582",
    "350583", "350602", "350603", "350681", "350702", "350703", "350802",
    "350803", "350902", "350981",
]
WEIHAI_REGIONS = ["371002", "371003", "371082", "371083"]
OTHER_REGIONS = ["330106", "360102", "440106", "370102", "370202", "370602",
                 "430104", "510107", "420106", "320102"]

# --------------------------------------------------------------------- names

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩"
                "冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈姚卢姜崔钟谭"
                "陆汪范金石廖贾夏付方邹熊邱江薛雷龚严施游翁詹柯欧连庄") + \
    ["欧阳", "上官", "司马", "诸葛"]
GIVEN_M = list("伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆峰建国"
               "志文博振海晨阳锋亮宏毅翔睿哲然轩")
GIVEN_F = list("芳娜敏静丽艳娟霞秀玲桂英婷雪琳慧颖洁琴云莉倩悦萍欣佳怡"
               "璐婕菲蕾晴瑶璇妍")
# Characters that stress fonts: Ext A 䶮 (U+4DAE), Ext B 𠇔 (U+201D4), and
# others often missing from basic fonts.
RARE = ["堃", "赟", "昇", "喆", "犇", "淼", "䶮", "𠇔"]
# Names of the 少数民族 style, with the middle dot.
DOT_NAMES = ["阿依古丽·买买提", "迪丽娜尔·艾山", "穆合塔尔·吐尔逊",
             "巴特尔·其木格"]


class Names:
    def __init__(self, rng):
        self.rng = rng
        self.used = set()
        self.rare_queue = []
        for ch in RARE:            # each rare character at least 3 times
            self.rare_queue += [ch] * 3
        rng.shuffle(self.rare_queue)
        self.dot_queue = list(DOT_NAMES)

    def make(self, male, i):
        rng = self.rng
        for _ in range(1000):
            sur = rng.choice(SURNAMES)
            pool = GIVEN_M if male else GIVEN_F
            if self.rare_queue and i % 7 == 3:
                rare = self.rare_queue[-1]
                r = rng.random()
                if r < 0.4:
                    given = rare
                elif r < 0.7:
                    given = rng.choice(pool) + rare
                else:
                    given = rare + rng.choice(pool)
            else:
                n = 1 if rng.random() < 0.3 else 2
                given = "".join(rng.choice(pool) for _ in range(n))
            name = sur + given
            if name not in self.used:
                self.used.add(name)
                if self.rare_queue and self.rare_queue[-1] in name:
                    self.rare_queue.pop()
                return name
        raise RuntimeError("names exhausted")


# --------------------------------------------------------------- work units

# sector: (domain, units, industry stamp)
FUJIAN_SECTORS = {
    "hospital": ("卫生", [
        "福州市闽江中心医院", "厦门市鹭岛人民医院", "泉州市刺桐妇幼保健院",
        "漳州市芗江中医院", "龙岩市红土地人民医院", "宁德市三都澳医院",
        "莆田市木兰溪医院", "福州市仓山区城门镇卫生院",
    ]),
    "school": ("中小学教育", [
        "福州市榕城实验小学", "厦门市筼筜湖中学", "泉州市清源第二中学",
        "三明市沙溪实验学校", "南平市建溪中学", "福州市晋安区鼓岭中心小学",
        "漳州市丹霞路小学", "平潭综合实验区海坛中学",
    ]),
    "design": ("土建", [
        "福建闽都建筑设计研究院有限公司", "厦门海沧市政设计院有限公司",
        "福建华安水利水电勘测设计院", "泉州城建规划设计研究院",
        "福州榕江交通工程设计咨询有限公司",
    ]),
    "techschool": ("技工教育", [
        "福建省闽江技师学院", "厦门市鹭江高级技工学校", "泉州市晋江高级技工学校",
        "福州市机电工程技工学校", "龙岩市闽西技师学院",
    ]),
    "agri": ("农业", [
        "宁德市茶业技术推广站", "南平市农业技术推广中心",
        "漳州市水仙花研究所",
    ]),
}
SECTOR_WEIGHTS = [("hospital", 30), ("school", 30), ("design", 15),
                  ("techschool", 15), ("agri", 10)]

WEIHAI_SECTORS = {
    "hospital": ("卫生", ["威海市海滨人民医院", "荣成市石岛湾医院",
                          "乳山市银滩中医院"]),
    "school": ("中小学教育", ["威海市环翠区望岛小学", "荣成市成山头中学",
                              "文登区昆嵛实验学校"]),
    "design": ("土建", ["威海海洋装备设计研究院有限公司",
                        "威海刘公岛工程设计咨询有限公司"]),
    "vocational": ("中等职业教育", ["威海市文登第二职业中等专业学校"]),
}
WEIHAI_SECTOR_WEIGHTS = [("hospital", 35), ("school", 35), ("design", 20),
                         ("vocational", 10)]

# ------------------------------------------------------------------ courses
# Public subjects.

FJ_PUBLIC_2026 = [   # 闽人社函〔2026〕118号 (seeds/003): 7 + 7 + 2 + 7 + 7
    ("新时代政绩观树立与“十五五”发展谋划", 7),
    ("福建高质量发展实践", 7),
    ("国际合作新机遇", 2),
    ("健康中国与家庭建设", 7),
    ("人工智能实战运用", 7),
]
# 2024 and 2025: topics of the public subjects listed in the 2024 notices
# (seeds/001, seeds/004), 30 hours a year.
FJ_PUBLIC_OLD = {
    2024: [("数字技术与数字经济发展", 10), ("知识产权保护与运用", 10),
           ("专业技术人员职业道德和能力建设", 10)],
    2025: [("网络安全与个人信息保护", 10), ("应急管理与安全生产", 10),
           ("科学精神培育与人文素养", 10)],
}
FJ_PUBLIC_PROVIDERS_ONLINE = ["福建省专业技术人员继续教育中心",
                              "福州市专业技术人员继续教育基地",
                              "厦门市专业技术人员继续教育基地"]
FJ_PUBLIC_PROVIDERS_F2F = ["福州市人力资源和社会保障局",
                           "泉州市专业技术人员继续教育基地",
                           "龙岩市专业技术人员继续教育基地"]

# Weihai (seeds/004): compulsory 20, elective >= 10.
WH_COMPULSORY = ["习近平新时代中国特色社会主义思想", "党史学习教育",
                 "黄河流域生态保护和高质量发展", "乡村振兴",
                 "绿色低碳高质量发展", "专业技术人员职业道德和能力建设"]
WH_ELECTIVE = ["工伤预防", "数字技术", "知识产权", "网络安全", "应急管理",
               "医养健康", "人才国际化", "科学精神培育", "团队合作建设",
               "人文素养"]
WH_PLATFORM = "威海市专业技术人员继续教育服务平台"

# Professional subjects by sector: (title, provider, form, hours range)
PRO = {
    "hospital": [
        ("急性胸痛规范化诊疗与胸痛中心建设", "福建省医学继续教育中心"),
        ("医院感染预防与控制新进展", "福建省卫生健康继续教育基地"),
        ("基层糖尿病综合管理", "福建省医学继续教育中心"),
        ("合理用药与抗菌药物临床应用", "福建省药学继续教育基地"),
        ("住院患者静脉血栓栓塞症防治", "福建省卫生健康继续教育基地"),
        ("护理质量敏感指标管理", "福建省护理继续教育基地"),
        ("中医适宜技术推广应用", "福建省中医药继续教育基地"),
        ("心电图判读进阶", "福建省医学继续教育中心"),
    ],
    "school": [
        ("新课标背景下的大单元教学设计", "福建省中小学教师发展中心"),
        ("义务教育课程标准（2022年版）解读", "福建省中小学教师发展中心"),
        ("中小学心理健康教育实务", "福州市教师进修学校"),
        ("信息技术与学科教学深度融合", "厦门市教师发展中心"),
        ("班主任工作能力提升", "泉州市教师进修学校"),
        ("作业设计与减负增效", "福建省中小学教师发展中心"),
        ("跨学科主题学习设计", "厦门市教师发展中心"),
    ],
    "design": [
        ("装配式建筑设计与施工技术", "福建省土木建筑学会继续教育部"),
        ("建筑信息模型（BIM）应用", "福建省建设人才培训中心"),
        ("海绵城市设计要点", "福建省建设人才培训中心"),
        ("《建筑与市政工程抗震通用规范》解读", "福建省土木建筑学会继续教育部"),
        ("绿色建筑评价标准（GB/T 50378）", "福建省建设人才培训中心"),
        ("城市更新与历史街区保护", "福建省城乡规划继续教育基地"),
    ],
    "agri": [
        ("茶树病虫害绿色防控技术", "福建省农业技术推广总站"),
        ("设施农业智能化管理", "福建省农业技术推广总站"),
        ("水肥一体化技术", "福建省农业科技继续教育基地"),
        ("农产品质量安全追溯", "福建省农业科技继续教育基地"),
    ],
    # techschool: by year, from seeds/000 (30 hours each).
}
TECH = {
    2024: ["生成式人工智能——技工院校教师数字素养提升", "高技能人才通用职业能力"],
    2025: ["工匠文化·传承", "技工院校工学一体化教师培训"],
}
TECH_2026 = [("世界技能大赛标准转化与教学应用", 30),
             ("技工院校教师企业实践", 30)]
TECH_PROVIDERS = ["福建省技工教育中心", "福州市专业技术人员继续教育基地",
                  "厦门市专业技术人员继续教育基地"]
TECH_DEADLINE = {2024: dt.date(2025, 2, 28), 2025: dt.date(2026, 2, 28)}

CONFERENCES = {
    "hospital": ["福建省医学会急诊医学分会学术年会",
                 "海峡两岸基层医疗卫生论坛", "东南区域医院感染管理学术会议"],
    "school": ["福建省基础教育教学成果交流会", "海峡两岸中小学教育论坛"],
    "design": ["海峡两岸土木工程学术研讨会", "福建省勘察设计行业技术交流会"],
    "techschool": ["全国技工院校一体化课程改革研讨会"],
    "agri": ["海峡两岸茶业学术研讨会", "福建省现代农业技术论坛"],
    "vocational": ["山东省职业教育教学改革研讨会"],
}
WH_CONFERENCES = {
    "hospital": ["山东省医学会急诊医学学术会议", "胶东半岛医院管理论坛",
                 "威海市专业技术人员学术交流会"],
    "school": ["山东省基础教育教学研讨会", "胶东地区中小学教研联盟年会",
               "威海市专业技术人员学术交流会"],
    "design": ["山东省勘察设计行业技术交流会", "黄海海洋工程学术研讨会",
               "威海市专业技术人员学术交流会"],
    "vocational": ["山东省职业教育教学改革研讨会",
                   "威海市专业技术人员学术交流会"],
}
JOURNALS = {
    "hospital": ["中华急诊医学杂志", "福建医药杂志", "中国感染控制杂志"],
    "school": ["福建教育", "中小学管理", "教学月刊"],
    "design": ["建筑结构", "福建建筑", "给水排水"],
    "techschool": ["职业教育研究", "中国培训"],
    "agri": ["茶叶科学", "福建农业科技"],
    "vocational": ["职业技术教育"],
}
PAPER_TOPICS = {
    "hospital": ["急诊胸痛患者分诊流程优化研究", "基层医院多重耐药菌感染防控实践",
                 "老年2型糖尿病患者用药依从性分析"],
    "school": ["大单元教学在初中语文中的实践", "小学数学作业分层设计研究",
               "初中生心理韧性培养策略"],
    "design": ["装配式混凝土框架节点抗震性能分析", "沿海地区海绵城市雨水系统设计",
               "BIM技术在市政管网改造中的应用"],
    "techschool": ["工学一体化课程在数控专业的实施", "技工院校教师数字素养现状调查"],
    "agri": ["闽东茶区茶小绿叶蝉绿色防控效果", "设施番茄水肥一体化试验"],
    "vocational": ["中职学校实训基地建设研究"],
}
EN_TITLES = [   # a few English titles, with commas, to exercise CSV quoting
    "Triage of chest pain in the emergency department, a retrospective study",
    "Seismic behaviour of precast joints, tests and models",
]
DEGREES = {
    "hospital": ("在职攻读临床医学硕士", "福建医学院（示例）"),
    "school": ("在职攻读教育硕士", "闽南师范学院（示例）"),
    "design": ("在职攻读工程硕士（土木工程）", "福州工程学院（示例）"),
    "techschool": ("在职攻读职业技术教育硕士", "福建技术师范学院（示例）"),
    "agri": ("在职攻读农业硕士", "福建农林学院（示例）"),
    "vocational": ("在职攻读职业技术教育硕士", "山东技术师范学院（示例）"),
}
PRACTICE = {
    "hospital": ("进修：重症医学科临床实践", "福建省立示范医院（示例）"),
    "school": ("跟岗研修：名师工作室实践", "福州教育研究院（示例）"),
    "design": ("企业实践：装配式构件生产基地", "福建建工集团（示例）"),
    "techschool": ("企业实践：智能制造产线", "福州智能装备有限公司（示例）"),
    "agri": ("科研院所实践：茶树种质资源圃", "福建省茶叶研究所（示例）"),
    "vocational": ("企业实践：船舶修造", "威海船舶修造有限公司（示例）"),
}

WH_PRO_ONLINE = {
    "hospital": ["威海特色培训：海洋生物医药发展概况", "常见急危重症识别与处置",
                 "慢性病健康管理", "医疗纠纷预防与处理"],
    "school": ["威海特色培训：海洋文化进课堂", "课堂教学评价与改进",
               "家校共育实务", "学生劳动教育课程设计"],
    "design": ["威海特色培训：海洋牧场建设与管理", "港口工程设计新规范",
               "建筑节能与可再生能源利用", "工程项目全过程咨询"],
    "vocational": ["威海特色培训：海洋装备制造技术", "职业院校专业课程开发",
                   "实训教学安全管理", "职业技能等级证书制度解读"],
}
WH_PRO_PROVIDERS = [WH_PLATFORM, "威海海洋职业学院专业技术人员继续教育平台"]


# -------------------------------------------------------------- generation

class Gen:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.names = Names(self.rng)
        self.ids = set()
        self.ref_n = 0
        self.rejects = []      # (file, row index, reason) filled on write

    def id_number(self, regions, male):
        rng = self.rng
        while True:
            region = (rng.choice(OTHER_REGIONS) if rng.random() < 0.1
                      else rng.choice(regions))
            birth = dt.date(1966, 1, 1) + dt.timedelta(
                days=rng.randrange((dt.date(2000, 12, 31) -
                                    dt.date(1966, 1, 1)).days))
            seq = rng.randrange(0, 100)
            sex = rng.randrange(0, 10, 2) + (1 if male else 0)
            first = "%s%s%02d%d" % (region, birth.strftime("%Y%m%d"), seq,
                                    sex)
            idn = first + id_check(first)
            if idn not in self.ids:
                self.ids.add(idn)
                return idn

    def person(self, regions, sectors, weights, i):
        rng = self.rng
        male = rng.random() < 0.5
        idn = self.id_number(regions, male)
        if i % 61 == 30 and self.names.dot_queue:
            name = self.names.dot_queue.pop()
        else:
            name = self.names.make(male, i)
        total = sum(w for _, w in weights)
        r = rng.randrange(total)
        for sector, w in weights:
            if r < w:
                break
            r -= w
        domain, units = sectors[sector]
        return {"id": idn, "name": name, "unit": rng.choice(units),
                "sector": sector, "domain": domain}

    def ref(self, prefix, year):
        self.ref_n += 1
        return "%s-%d-%06d" % (prefix, year, self.ref_n * 7 % 1000003)


class Calendar:
    """Non-overlapping day slots for one practitioner's short records."""

    def __init__(self, rng):
        self.rng = rng
        self.busy = set()

    def pick(self, lo, hi, ndays):
        rng = self.rng
        span = (hi - lo).days - ndays + 1
        for _ in range(500):
            s = lo + dt.timedelta(days=rng.randrange(max(span, 1)))
            days = {s + dt.timedelta(days=k) for k in range(ndays)}
            if not days & self.busy and s + dt.timedelta(days=ndays - 1) <= hi:
                self.busy |= days
                return s, s + dt.timedelta(days=ndays - 1)
        raise RuntimeError("calendar full")


def fmt_hours(h):
    if abs(h - round(h)) < 1e-9:
        return str(int(round(h)))
    return "%.1f" % h


def rec(p, year, subject, form, title, provider, start, end, hours,
        public_type="", author_role="", ref="", reject=None, minutes=None):
    return {
        "id_number": p["id"], "name": p["name"], "unit": p["unit"],
        "year": str(year), "subject": subject, "public_type": public_type,
        "form": str(form), "title": title, "provider": provider,
        "start_date": start.isoformat(), "end_date": end.isoformat(),
        "hours": fmt_hours(hours) if hours is not None else "",
        "minutes": str(minutes) if minutes is not None else "",
        "author_role": author_role,
        "domain": p["domain"] if subject == "professional" else "",
        "ref": ref, "_reject": reject,
        "_hours10": int(round(hours * 10)) if hours is not None else
        (minutes // 45) * 10,
        "_pid": p["id"], "_subject": subject, "_public_type": public_type,
    }


def year_bounds(year):
    lo = dt.date(year, 1, 5)
    hi = min(dt.date(year, 12, 20), TODAY)
    return lo, hi


def fujian_year(g, p, year, profile):
    """Records of one Fujian practitioner for one year."""
    rng = g.rng
    cal = Calendar(rng)
    out = []
    lo, hi = year_bounds(year)

    # Public subjects.
    if year == 2026:
        themes = list(FJ_PUBLIC_2026)
        plo = dt.date(2026, 6, 1)      # the notice is of 2026-05-29
    else:
        themes = list(FJ_PUBLIC_OLD[year])
        plo = lo
    if profile["short_public"]:
        themes = themes[:-1]            # missed one
    face = rng.random() < 0.25         # the unit organised classes
    for title, h in themes:
        if face:
            nd = (h + 7) // 8
            s, e = cal.pick(plo, hi, nd)
            prov = rng.choice(FJ_PUBLIC_PROVIDERS_F2F)
            out.append(rec(p, year, "public", 2, title, prov, s, e, h))
        else:
            nd = rng.choice([1, 2, 3]) if h > 2 else 1
            s, e = cal.pick(plo, hi, nd)
            prov = rng.choice(FJ_PUBLIC_PROVIDERS_ONLINE)
            out.append(rec(p, year, "public", 1, title, prov, s, e, h,
                           ref=g.ref("FJPT", year)))

    # Professional subjects: aim at 60+ unless short.
    target = profile["pro_target"]
    got = 0
    sector = p["sector"]
    if sector == "techschool":
        if year in TECH:
            for t in TECH[year]:
                online = rng.random() < 0.7
                prov = rng.choice(TECH_PROVIDERS)
                if online and rng.random() < 0.12:
                    # finished in the new year, before the deadline
                    s = dt.date(year + 1, rng.choice([1, 2]), 1)
                    e = s + dt.timedelta(days=3)
                    out.append(rec(p, year, "professional", 1, t, prov, s, e,
                                   30, ref=g.ref("FJJG", year)))
                elif online:
                    nd = rng.choice([3, 4, 5])
                    s, e = cal.pick(dt.date(year, 3, 1), hi, nd)
                    out.append(rec(p, year, "professional", 1, t, prov, s, e,
                                   30, ref=g.ref("FJJG", year)))
                else:
                    s, e = cal.pick(dt.date(year, 3, 1), hi, 4)
                    out.append(rec(p, year, "professional", 2, t, prov, s, e,
                                   30))
                got += 30
        else:
            for t, h in TECH_2026:
                s, e = cal.pick(dt.date(year, 3, 1), hi, 4)
                form = 5 if "企业实践" in t else 2
                out.append(rec(p, year, "professional", form, t,
                               rng.choice(TECH_PROVIDERS), s, e, h))
                got += h
    if profile["publication"]:
        role = "first" if rng.random() < 0.45 else "other"
        h = 60 if role == "first" else 30
        if rng.random() < 0.05 and EN_TITLES:
            topic = EN_TITLES.pop(0)
        else:
            topic = "论文：" + rng.choice(PAPER_TOPICS[sector])
        s = dt.date(year, rng.randrange(1, 5), rng.randrange(1, 28))
        e = s + dt.timedelta(days=rng.randrange(120, 200))
        e = min(e, hi)
        out.append(rec(p, year, "professional", 8, topic,
                       rng.choice(JOURNALS[sector]), s, e, h,
                       author_role=role))
        got += h
    if profile["degree"] and year in (2024, 2025):
        title, school = DEGREES[sector]
        s = dt.date(year, 2, 24)
        e = dt.date(year, 7, 10)
        out.append(rec(p, year, "professional", 6,
                       "%s（%d年春季学期）" % (title, year), school, s, e, 60))
        got += 60
    if profile["practice"] and got < target:
        title, host = PRACTICE[sector]
        s, e = cal.pick(lo, hi, 20)
        out.append(rec(p, year, "professional", 5, title, host, s, e, 40))
        got += 40
    courses = PRO.get(sector, [])
    confs = list(CONFERENCES[sector])
    rng.shuffle(confs)
    used = set()
    while got < target:
        kind = rng.random()
        if kind < 0.2 and confs:
            title = "%d年%s" % (year, confs.pop())
            nd = rng.choice([1, 2, 2, 3])
            h = min(8 * nd, rng.choice([6, 8, 12, 16, 18]))
            s, e = cal.pick(lo, hi, nd)
            out.append(rec(p, year, "professional", 7, title,
                           "会议组委会：" + title[5:], s, e, h))
        elif courses or sector == "techschool":
            if sector == "techschool":
                pool = [("技工院校专业教学能力提升", "福建省技工教育中心"),
                        ("实训设备操作与安全管理", "福州市专业技术人员继续教育基地")]
            else:
                pool = courses
            choices = [c for c in pool if c[0] not in used] or pool
            title, prov = rng.choice(choices)
            used.add(title)
            r = rng.random()
            if r < 0.55:            # online
                h = rng.choice([10, 12, 15, 16, 20, 24, 7.5, 10.5])
                nd = max(1, int((h + 11) // 12)) + rng.choice([0, 1, 2])
                s, e = cal.pick(lo, hi, nd)
                out.append(rec(p, year, "professional", 1, title, prov,
                               s, e, h, ref=g.ref("FJPT", year)))
            elif r < 0.85:          # face-to-face
                nd = rng.choice([1, 2, 3])
                h = rng.choice([6, 7, 8]) * nd
                s, e = cal.pick(lo, hi, nd)
                out.append(rec(p, year, "professional",
                               rng.choice([2, 3]), title, prov, s, e, h))
            else:                   # run by the employer
                nd = rng.choice([1, 2])
                h = 8 * nd
                s, e = cal.pick(lo, hi, nd)
                out.append(rec(p, year, "professional", 4,
                               "单位内训：" + title, p["unit"], s, e, h))
        else:
            break
        got += out[-1]["_hours10"] / 10
    return out


def fujian_rejects(g, people, out):
    """Records that a correct import must reject, with the reason."""
    rng = g.rng
    picks = rng.sample(people, 24)
    k = 0
    # Over the daily cap: face-to-face above 8 a day.
    for p in picks[0:5]:
        y = rng.choice([2024, 2025, 2026])
        s = dt.date(y, rng.randrange(3, 10), rng.randrange(1, 25))
        nd = rng.choice([1, 2, 3])
        h = 8 * nd + rng.choice([2, 4, 6])
        out.append(rec(p, y, "professional", 2,
                       "集中培训：" + rng.choice(["岗位能力提升研修班",
                                                  "新技术新方法研修班"]),
                       "福州市专业技术人员继续教育基地",
                       s, s + dt.timedelta(days=nd - 1), h,
                       reject="daily cap"))
        k += 1
    # Over the daily cap: online above 12 a day.
    for p in picks[5:9]:
        y = rng.choice([2024, 2025])
        s = dt.date(y, rng.randrange(3, 10), rng.randrange(1, 25))
        out.append(rec(p, y, "public", 1, rng.choice(
            [t for t, _ in FJ_PUBLIC_OLD[y]]) + "（补学）",
            "福建省专业技术人员继续教育中心", s, s, 15,
            ref=g.ref("FJPT", y), reject="daily cap"))
    # Over the daily cap: a one-day conference with 12 hours.
    for p in picks[9:12]:
        y = rng.choice([2024, 2025, 2026])
        s = dt.date(y, rng.randrange(3, 10), rng.randrange(1, 25))
        out.append(rec(p, y, "professional", 7,
                       "%d年学术讲座（全天）" % y, "福建省科学技术协会（示例）",
                       s, s, 12, reject="daily cap"))
    # 2026 public themes: more than 12 hours in one day.
    for p in picks[12:14]:
        s = dt.date(2026, rng.randrange(6, 11), rng.randrange(1, 25))
        out.append(rec(p, 2026, "public", 1, "福建高质量发展实践（集中学习）",
                       "福建省专业技术人员继续教育中心", s, s, 14,
                       ref=g.ref("FJPT", 2026), reject="daily cap"))
    # After the deadline: technical-school subjects (seeds/000).
    tech = [p for p in people if p["sector"] == "techschool"]
    for p in rng.sample(tech, 6):
        y = rng.choice([2024, 2025])
        t = rng.choice(TECH[y]) + "（逾期）"
        e = TECH_DEADLINE[y] + dt.timedelta(days=rng.randrange(5, 40))
        s = e - dt.timedelta(days=4)
        out.append(rec(p, y, "professional", 1, t,
                       "福建省技工教育中心", s, e, 30,
                       ref=g.ref("FJJG", y), reject="after deadline"))
    # After the deadline: 2024 public hours finished in spring 2025.
    for p in picks[14:18]:
        s = dt.date(2025, rng.randrange(4, 7), rng.randrange(1, 25))
        out.append(rec(p, 2024, "public", 1, "专业技术人员职业道德和能力建设（补学）",
                       "福州市专业技术人员继续教育基地", s,
                       s + dt.timedelta(days=2), 10,
                       ref=g.ref("FJPT", 2024), reject="after deadline"))
    # A typo in the ID number (check character).
    for p in picks[18:20]:
        bad = dict(p)
        last = bad["id"][17]
        bad["id"] = bad["id"][:17] + ("0" if last != "0" else "1")
        assert not id_valid(bad["id"])
        s = dt.date(2025, 5, rng.randrange(1, 25))
        out.append(rec(bad, 2025, "professional", 2, "岗位能力提升研修班",
                       "泉州市专业技术人员继续教育基地", s,
                       s + dt.timedelta(days=1), 16,
                       reject="id_number check character"))
    # Ends before it starts.
    p = picks[20]
    s = dt.date(2025, 9, 12)
    out.append(rec(p, 2025, "professional", 3, "专题研修班", "福建省医学继续教育中心",
                   s, s - dt.timedelta(days=3), 8,
                   reject="start_date after end_date"))


def weihai_year(g, p, year, profile, platform, declared):
    rng = g.rng
    cal = Calendar(rng)
    lo, hi = year_bounds(year)
    comp = rng.sample(WH_COMPULSORY, 5)
    comp_minutes = [180] * 5           # 4 hours each = 20
    if profile["short_public"]:
        comp_minutes[-1] = 120          # one course 2 hours 40: counts 2
    for t, m in zip(comp, comp_minutes):
        nd = rng.choice([1, 2])
        s, e = cal.pick(lo, hi, nd)
        platform.append(rec(p, year, "public", 1, "必修：" + t, WH_PLATFORM,
                            s, e, None, public_type="compulsory",
                            ref=g.ref("WHPT", year), minutes=m))
    nel = 3 if not profile["short_elective"] else 2
    for t in rng.sample(WH_ELECTIVE, nel):
        m = (rng.choice([135, 150]) if profile["short_elective"] else
             rng.choice([180, 200, 225]))        # 3, 3 | 4, 4, 5 hours
        s, e = cal.pick(lo, hi, 1)
        platform.append(rec(p, year, "public", 1, "选修：" + t, WH_PLATFORM,
                            s, e, None, public_type="elective",
                            ref=g.ref("WHPT", year), minutes=m))
    got = 0
    target = profile["pro_target"]
    sector = p["sector"]
    if profile["publication"]:
        role = "first" if rng.random() < 0.5 else "other"
        h = 60 if role == "first" else 30
        s = dt.date(year, rng.randrange(1, 5), rng.randrange(1, 28))
        e = min(s + dt.timedelta(days=rng.randrange(120, 200)), hi)
        declared.append(rec(p, year, "professional", 8,
                            "论文：" + rng.choice(PAPER_TOPICS[sector]),
                            rng.choice(JOURNALS[sector]), s, e, h,
                            author_role=role))
        got += h
    if profile["degree"] and year in (2024, 2025):
        title, school = DEGREES[sector]
        declared.append(rec(p, year, "professional", 6,
                            "%s（%d年春季学期）" % (title, year), school,
                            dt.date(year, 3, 1), dt.date(year, 7, 5), 60))
        got += 60
    courses = list(WH_PRO_ONLINE[sector])
    rng.shuffle(courses)
    confs = list(WH_CONFERENCES[sector])
    while got < target:
        if rng.random() < 0.25 and confs:
            t = "%d年%s" % (year, confs.pop())
            nd = rng.choice([1, 2])
            h = 8 * nd
            s, e = cal.pick(lo, hi, nd)
            declared.append(rec(p, year, "professional", 7, t,
                                "会议组委会：" + t[5:], s, e, h))
            got += h
        elif courses:
            t = courses.pop()
            m = rng.choice([450, 540, 675, 720, 900])  # 10, 12, 15, 16, 20
            nd = max(1, (m // 45 + 11) // 12) + rng.choice([0, 1])
            s, e = cal.pick(lo, hi, nd)
            platform.append(rec(p, year, "professional", 1, t,
                                rng.choice(WH_PRO_PROVIDERS), s, e, None,
                                ref=g.ref("WHPT", year), minutes=m))
            got += m // 45
        else:
            t, host = PRACTICE[sector]
            s, e = cal.pick(lo, hi, 15)
            declared.append(rec(p, year, "professional", 5,
                                "%s（%d）" % (t, year), host, s, e, 40))
            got += 40


def profile_for(rng, degree_people, p, year):
    short = rng.random()
    return {
        "short_public": short < 0.06,
        "short_elective": 0.06 <= short < 0.1,
        "pro_target": 60 if short >= 0.14 else rng.choice([36, 44, 50]),
        "publication": rng.random() < 0.12,
        "degree": p["id"] in degree_people,
        "practice": rng.random() < 0.05,
    }


def totals(rows, policy):
    """Yearly totals per practitioner from the accepted rows."""
    t = {}
    for r in rows:
        if r["_reject"]:
            continue
        key = (r["_pid"], int(r["year"]))
        d = t.setdefault(key, {"public": 0, "professional": 0,
                               "compulsory": 0, "elective": 0})
        d[r["_subject"]] += r["_hours10"]
        if r["_public_type"]:
            d[r["_public_type"]] += r["_hours10"]
    out = []
    for (pid, year), d in sorted(t.items()):
        pub, pro = d["public"], d["professional"]
        if policy == "weihai":
            met = (d["compulsory"] >= 200 and d["elective"] >= 100 and
                   pub >= 300 and pro >= 600 and pub + pro >= 900)
        else:
            met = pub >= 300 and pro >= 600 and pub + pro >= 900
        out.append({"id_number": pid, "year": year,
                    "public": pub / 10, "professional": pro / 10,
                    "total": (pub + pro) / 10,
                    "status": "met" if met else "unmet"})
    return out


def write_csv(path, rows, columns):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    rejected = []
    for i, r in enumerate(rows):
        w.writerow([r[c] for c in columns])
        if r["_reject"]:
            # line 1 is the header
            rejected.append({"line": i + 2, "reason": r["_reject"],
                             "ref": r["ref"]})
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(buf.getvalue())
    return rejected


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "templates",
        "samples")
    os.makedirs(outdir, exist_ok=True)
    g = Gen(SEED)
    rng = g.rng

    # Fujian: 230 practitioners.
    people = [g.person(FUJIAN_REGIONS, FUJIAN_SECTORS, SECTOR_WEIGHTS, i)
              for i in range(230)]
    degree = {p["id"] for p in rng.sample(people, 8)}
    rows = []
    for i, p in enumerate(people):
        first = 2024 if i % 9 else 2025           # some joined in 2025
        for year in range(first, 2027):
            rows += fujian_year(g, p, year, profile_for(rng, degree, p, year))
    fujian_rejects(g, people, rows)
    # A platform export is ordered by date, not by person.
    rows.sort(key=lambda r: (r["start_date"], r["end_date"], r["id_number"],
                             r["title"]))

    # Weihai: 40 practitioners.
    wpeople = [g.person(WEIHAI_REGIONS, WEIHAI_SECTORS,
                        WEIHAI_SECTOR_WEIGHTS, 1000 + i) for i in range(40)]
    wdegree = {p["id"] for p in rng.sample(wpeople, 3)}
    platform, declared = [], []
    for p in wpeople:
        for year in (2024, 2025, 2026):
            weihai_year(g, p, year, profile_for(rng, wdegree, p, year),
                        platform, declared)
    # Weihai rejections: a declared conference over the cap, a course
    # finished after the deadline.
    for p in rng.sample(wpeople, 3):
        s = dt.date(2025, 10, rng.randrange(1, 25))
        declared.append(rec(p, 2025, "professional", 7,
                            "2025年海洋经济高峰论坛（全天）", "威海市科学技术协会（示例）",
                            s, s, 11, reject="daily cap"))
    for p in rng.sample(wpeople, 2):
        s = dt.date(2025, 4, rng.randrange(1, 25))
        platform.append(rec(p, 2024, "public", 1, "选修：网络安全（补学）",
                            WH_PLATFORM, s, s, None, public_type="elective",
                            ref=g.ref("WHPT", 2024), minutes=180,
                            reject="after deadline"))
    platform.sort(key=lambda r: (r["start_date"], r["id_number"], r["title"]))
    declared.sort(key=lambda r: (r["id_number"], r["start_date"], r["title"]))

    # small.csv: a dozen Fujian practitioners (two with Ext A / Ext B
    # characters in their names, some with records to reject) for quick
    # tests and the README's examples.
    want = [p for p in people if "\u4dae" in p["name"]][:1] + \
        [p for p in people if "\U000201d4" in p["name"]][:1] + \
        [p for p in people if "·" in p["name"]][:1]
    rejecting = []
    for r in rows:
        if r["_reject"] in ("daily cap", "after deadline") and \
                r["_pid"] not in rejecting:
            rejecting.append(r["_pid"])
    want += [p for p in people if p["id"] in rejecting[:3]]
    for p in people:
        if len(want) >= 12:
            break
        if p not in want and p["sector"] not in [q["sector"] for q in want[6:]]:
            want.append(p)
    for p in people:
        if len(want) >= 12:
            break
        if p not in want:
            want.append(p)
    ids = {p["id"] for p in want}
    small = [r for r in rows if r["_pid"] in ids]

    exp = {"seed": SEED, "files": {}}
    for name, rs, cols in [("small.csv", small, COLUMNS_HOURS),
                           ("fujian.csv", rows, COLUMNS_HOURS),
                           ("weihai-platform.csv", platform, COLUMNS_MINUTES),
                           ("weihai-declared.csv", declared, COLUMNS_HOURS)]:
        rej = write_csv(os.path.join(outdir, name), rs, cols)
        exp["files"][name] = {"records": len(rs), "rejected": rej}
    exp["practitioners"] = {"fujian": len(people), "weihai": len(wpeople)}
    exp["totals"] = {"small": totals(small, "fujian"),
                     "fujian": totals(rows, "fujian"),
                     "weihai": totals(platform + declared, "weihai")}
    with open(os.path.join(outdir, "expected.json"), "w",
              encoding="utf-8") as f:
        json.dump(exp, f, ensure_ascii=False, indent=1, sort_keys=True)
        f.write("\n")
    n = sum(v["records"] for k, v in exp["files"].items() if k != "small.csv")
    nr = sum(len(v["rejected"]) for k, v in exp["files"].items()
             if k != "small.csv")
    print("gen_samples: %d practitioners, %d records (%d to be rejected) "
          "in %s" % (len(people) + len(wpeople), n, nr, outdir))


if __name__ == "__main__":
    main()
