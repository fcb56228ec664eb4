#!/usr/bin/env python3
"""Writes the bad-input corpus tests/data/bad/: one file per mistake
(NAME.csv or NAME.jsonl) and NAME.expect, the lines the importer must print
(each must appear as a whole line of its stderr). Files named weihai_* are
imported under the weihai policy. tests/e2e/import.sh imports each into a
data directory holding tests/data/baseline.csv and checks that nothing in
the database changed. Run from anywhere; rewrites the corpus."""
import os

D = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bad")
HDR = ("id_number,name,unit,year,subject,public_type,form,title,provider,"
       "start_date,end_date,hours,author_role,domain,ref")
COLS = HDR.split(",")
BASE = dict(id_number="350102198001011233", name="张三", unit="福州市第一医院",
            year="2024", subject="public", public_type="", form="1",
            title="新时代政绩观树立", provider="福建省继续教育基地",
            start_date="2024-03-01", end_date="2024-03-01", hours="12",
            author_role="", domain="", ref="")
GOOD = dict(BASE, id_number="350102198505051239", name="李四",
            title="一门好课", ref="")


def row(**kw):
    r = dict(BASE, **kw)
    return ",".join(r[c] for c in COLS)


def good(i):
    return ",".join(dict(GOOD, title="好课%d" % i)[c] for c in COLS)


def csv(name, expect, *lines, header=HDR, raw=None):
    body = raw if raw is not None else (
        "\n".join([header] + list(lines)) + "\n").encode("utf-8")
    with open(os.path.join(D, name + ".csv"), "wb") as f:
        f.write(body)
    with open(os.path.join(D, name + ".expect"), "w", encoding="utf-8") as f:
        f.write(expect.replace("@", name + ".csv") + "\n")


def jsonl(name, expect, text):
    with open(os.path.join(D, name + ".jsonl"), "w", encoding="utf-8") as f:
        f.write(text)
    with open(os.path.join(D, name + ".expect"), "w", encoding="utf-8") as f:
        f.write(expect.replace("@", name + ".jsonl") + "\n")


SUMMARY1 = "\n@: 1 of 1 rows rejected; nothing imported (fix them, or use " \
    "--skip-invalid FILE to import the rest)"


def one(fname, msg, **kw):
    csv(fname, "@:2: " + msg + SUMMARY1, row(**kw))


for f in os.listdir(D):
    os.remove(os.path.join(D, f))

# ID numbers.
one("id_wrong_check", "id_number: wrong check character (expected 3)",
    id_number="350102198001011234")
one("id_wrong_check_x", "id_number: wrong check character (expected X)",
    id_number="110105194912310021")
one("id_too_short", "id_number: must be 18 characters (got 17)",
    id_number="35010219800101123")
one("id_impossible_birth", "id_number: impossible birth date 1980-02-30",
    id_number="35010219800230123X")
one("id_birth_future", "id_number: birth date 2030-01-01 is in the future",
    id_number="350102203001011230")
one("id_letter", "id_number: character 11 must be a digit",
    id_number="3501021980O101123X")
# Text fields.
one("name_missing", "name: required", name="")
one("name_pipe", "name: '|' is not allowed", name="张|三")
# Surrounding spaces are dropped (issue 17): a name of spaces is none.
one("name_spaces", "name: required", name="\u3000 ")
one("name_too_long", "name: longer than 50 characters", name="张" * 51)
csv("name_newline", "@:2: name: control characters (tab, newline, ...) are "
    "not allowed" + SUMMARY1, row(name='"张\n三"'))
# Invisible and direction-changing characters (issue 11, item 10).
one("name_bidi_override", "name: U+202E (RIGHT-TO-LEFT OVERRIDE) is not "
    "allowed", name="张\u202e三")
one("name_zero_width", "name: U+200B (ZERO WIDTH SPACE) is not allowed",
    name="张\u200b三")
one("name_bom_inside", "name: U+FEFF (ZERO WIDTH NO-BREAK SPACE) is not "
    "allowed", name="张\ufeff三")
one("unit_zero_width_joiner", "unit: U+200D (ZERO WIDTH JOINER) is not "
    "allowed", unit="福州市\u200d第一医院")
one("unit_rtl_mark", "unit: U+200F (RIGHT-TO-LEFT MARK) is not allowed",
    unit="福州市第一医院\u200f")
one("title_line_separator", "title: U+2028 (LINE SEPARATOR) is not allowed",
    title="新时代\u2028政绩观")
one("title_paragraph_separator", "title: U+2029 (PARAGRAPH SEPARATOR) is not "
    "allowed", title="新时代\u2029政绩观")
one("title_isolate", "title: U+2066 (LEFT-TO-RIGHT ISOLATE) is not allowed",
    title="\u2066abc\u2069新时代")
one("provider_embedding", "provider: U+202B (RIGHT-TO-LEFT EMBEDDING) is "
    "not allowed", provider="基地\u202b二部")
one("provider_word_joiner", "provider: U+2060 (WORD JOINER) is not allowed",
    provider="基地\u2060二部")
one("domain_soft_hyphen", "domain: U+00AD (SOFT HYPHEN) is not allowed",
    subject="professional", form="2", hours="8", domain="临床\u00ad医学")
one("title_missing", "title: required", title="")
one("provider_pipe", "provider: '|' is not allowed", provider="基地|二部")
# Year, subject, form, public type, domain.
one("year_not_begun", "year: 2027 has not begun", year="2027")
one("year_two_digits", 'year: must be a four-digit year (got "24")',
    year="24")
one("subject_unknown", 'subject: must be public/公需 or professional/专业 '
    '(got "general")', subject="general")
one("form_unknown", 'form: must be 1-9 or online/网授, face-to-face/面授, '
    'industry, employer, practice, degree, academic, achievement/成果, other '
    '(got "webinar")', form="webinar")
one("form_professional_only", "form: form 7 (academic, 学术活动) counts only "
    "toward professional subjects", form="7", hours="8")
one("public_type_on_professional", "public_type: only for public subjects",
    subject="professional", public_type="compulsory")
one("domain_on_public", "domain: only for professional subjects",
    domain="临床医学")
# Dates and the deadline.
one("date_impossible", "start_date: no such date 2024-02-30",
    start_date="2024-02-30")
one("date_format", 'start_date: must be a date such as 2025-06-10, '
    '2025/6/10, 2025.6.10 or 2025年6月10日 (got "3/1/2024")',
    start_date="3/1/2024")
one("start_after_end", "end_date: 2024-03-01 is before start_date "
    "2024-03-03", start_date="2024-03-03")
one("end_before_year", "end_date: 2023-12-31 is before study year 2024 "
    "begins", start_date="2023-12-31", end_date="2023-12-31")
one("after_deadline", "end_date: 2025-03-01 is after the 2024 deadline "
    "2025-02-28: not verified (不予审验)", start_date="2025-03-01",
    end_date="2025-03-01")
one("end_in_future", "end_date: 2026-11-24 is in the future", year="2026",
    start_date="2026-11-24", end_date="2026-11-24")
# Hours and minutes.
one("hours_zero", "hours: must be more than 0 (got 0)", hours="0")
one("hours_negative", "hours: must be more than 0 (got -2)", hours="-2")
one("hours_two_decimals", "hours: at most one decimal (got 2.25)",
    hours="2.25")
one("hours_not_number", 'hours: must be a number like 12 or 12.5 (got '
    '"两小时")', hours="两小时")
one("hours_missing", "hours: required (give hours or minutes)", hours="")
csv("hours_and_minutes", "@:2: hours: give hours or minutes, not both" +
    SUMMARY1, row(hours="2") + ",90", header=HDR + ",minutes")
csv("minutes_under_one_hour", "@:2: minutes: 40 minutes is less than one "
    "45-minute hour" + SUMMARY1, row(hours="40"),
    header=HDR.replace("hours", "minutes"))
# Daily caps: online 12, face-to-face 8, others 8; N days carry cap x N.
one("cap_online", "hours: 12.5 hours in 1 day exceeds the cap for form 1 "
    "(online): 12 a day, 12 in all", hours="12.5")
one("cap_online_two_days", "hours: 24.5 hours in 2 days exceeds the cap for "
    "form 1 (online): 12 a day, 24 in all", end_date="2024-03-02",
    hours="24.5")
one("cap_face_to_face", "hours: 8.5 hours in 1 day exceeds the cap for form "
    "2 (face-to-face): 8 a day, 8 in all", form="2", hours="8.5")
one("cap_employer", "hours: 9 hours in 1 day exceeds the cap for form 4 "
    "(employer): 8 a day, 8 in all", form="4", hours="9")
one("cap_2026_public", "hours: 12.5 hours in 1 day exceeds the cap for "
    "form 2 (face-to-face) in 2026 public subjects: 12 a day, 12 in all",
    year="2026", form="2", start_date="2026-06-01", end_date="2026-06-01",
    hours="12.5")
csv("cap_minutes", "@:2: hours: 13 hours in 1 day exceeds the cap for form "
    "1 (online): 12 a day, 12 in all" + SUMMARY1, row(hours="585"),
    header=HDR.replace("hours", "minutes"))
# Form 8.
one("form8_first_30", "hours: form 8 (achievement) counts 60 hours for a "
    "first author (got 30)", subject="professional", form="8",
    author_role="first", hours="30")
one("form8_other_60", "hours: form 8 (achievement) counts 30 hours for "
    "other authors (got 60)", subject="professional", form="8",
    author_role="other", hours="60")
one("form8_no_role", "author_role: required for form 8 (achievement): first "
    "(60 hours) or other (30 hours)", subject="professional", form="8",
    hours="60")
one("author_role_outside_form8", "author_role: only for form 8 "
    "(achievement)", author_role="first")
# Weihai: public hours must say compulsory or elective.
one("weihai_no_public_type", "public_type: required for public subjects "
    "under the weihai policy: compulsory/必修 or elective/选修")
one("weihai_bad_public_type", 'public_type: must be compulsory/必修 or '
    'elective/选修 (got "both")', public_type="both")
# Against what is stored (tests/data/baseline.csv).
one("conflict_same_ref", "ref: BASE-1 was imported before (baseline.csv:2) "
    "with hours 10; a correction needs a new ref", ref="BASE-1", hours="11")
one("ref_of_another_person", "ref: BASE-3 already belongs to another "
    "practitioner's record (baseline.csv:4)", ref="BASE-3")
one("rename", "name: 张珊 is registered for 3501**********1233 as 张三; if "
    "the name really changed, import with --accept-renames", name="张珊",
    title="另一门课")
# All or nothing: three good rows, then one bad one.
csv("mixed_good_and_bad", "@:5: hours: 13 hours in 1 day exceeds the cap "
    "for form 1 (online): 12 a day, 12 in all\n@: 1 of 4 rows rejected; "
    "nothing imported (fix them, or use --skip-invalid FILE to import the "
    "rest)", good(1), good(2), good(3), row(hours="13", title="坏课"))
csv("many_bad_rows", "@:2: id_number: wrong check character (expected 3)\n"
    "@:3: hours: at most one decimal (got 1.25)\n@:4: end_date: 2025-03-01 is "
    "after the 2024 deadline 2025-02-28: not verified (不予审验)\n@: 3 of 4 "
    "rows rejected; nothing imported (fix them, or use --skip-invalid FILE "
    "to import the rest)", row(id_number="350102198001011234"),
    row(hours="1.25"), row(start_date="2025-03-01", end_date="2025-03-01"),
    good(4))
# The file itself.
# Unknown columns are ignored with a warning (issue 17); a file none of
# whose first rows names the columns has no header.
csv("header_unknown_column", '@:1: no header row naming the columns '
    '(id_number or 身份证号, name or 姓名, ...)', row(),
    header="colour,size,weight")
csv("header_missing_column", "@:1: missing column title (课程名称)",
    ",".join(v for c, v in BASE.items() if c != "title"),
    header=HDR.replace("title,", ""))
csv("header_no_hours", "@:1: missing column hours (学时) or minutes (分钟)",
    ",".join(v for c, v in BASE.items() if c != "hours"),
    header=HDR.replace("hours,", ""))
csv("header_twice", "@:1: column title appears twice", row() + ",x",
    header=HDR + ",课程名称")
csv("field_count", "@:2: 14 fields where the header has 15" + SUMMARY1,
    ",".join(BASE[c] for c in COLS[:-1]))
csv("quote_not_closed", "@:2: a quoted field is not closed", row(
    title='"新时代'))
csv("quote_in_field", "@:2: a quote inside an unquoted field (quote the "
    "whole field and double the quote)", row(title='新"时代'))
csv("empty", "@: empty file (no header row)", raw=b"")
csv("gbk", '@:2: not UTF-8; this looks like GBK (Excel\'s "CSV" export). '
    'Pass --encoding gbk, or save it as "CSV UTF-8"',
    raw=("\n".join([HDR, row()]) + "\n").encode("gbk"))
csv("invalid_utf8", "@:2: invalid UTF-8 (byte 0xC3)",
    raw=(HDR + "\n").encode() + row(name="X").encode().replace(
        b",X,", b",\xc3\x28,") + b"\n")
csv("utf16", '@: this is UTF-16 (Excel\'s "Unicode text"); save it as '
    '"CSV UTF-8" instead', raw=("\n".join([HDR, row()]) + "\n").encode(
        "utf-16"))
jsonl("json_not_object", "@:1: not a JSON object: another JSON value\n@: 1 of "
      "1 rows rejected; nothing imported (fix them, or use --skip-invalid "
      "FILE to import the rest)", "[1, 2]\n")
jsonl("json_unknown_field", '@:1: unknown field "colour"\n@: 1 of 1 rows '
      'rejected; nothing imported (fix them, or use --skip-invalid FILE to '
      'import the rest)', '{"id_number": "350102198001011233", '
      '"colour": "red"}\n')
jsonl("json_broken", "@:1: not a JSON object: '[' or '{' expected near "
      "'id'\n@: 1 of 1 rows rejected; nothing imported (fix them, or "
      "use --skip-invalid FILE to import the rest)",
      'id_number: 350102198001011233\n')
jsonl("json_name_bidi_override", "@:1: name: U+202E (RIGHT-TO-LEFT "
      "OVERRIDE) is not allowed\n@: 1 of 1 rows rejected; nothing imported "
      "(fix them, or use --skip-invalid FILE to import the rest)",
      '{"id_number": "350102198001011233", "name": "\\u5f20\\u202e\\u4e09", '
      '"year": 2024, "subject": "public", "form": 1, "title": "t", '
      '"provider": "p", "start_date": "2024-03-01", '
      '"end_date": "2024-03-01", "hours": 1}\n')
jsonl("json_hours_decimals", "@:1: hours: at most one decimal (got 1.25)\n@: "
      "1 of 1 rows rejected; nothing imported (fix them, or use "
      "--skip-invalid FILE to import the rest)",
      '{"id_number": "350102198001011233", "name": "张三", "year": 2024, '
      '"subject": "public", "form": 1, "title": "t", "provider": "p", '
      '"start_date": "2024-03-01", "end_date": "2024-03-01", '
      '"hours": 1.25}\n')

with open(os.path.join(os.path.dirname(D), "baseline.csv"), "w",
          encoding="utf-8") as f:
    f.write(HDR + "\n")
    f.write(row(hours="10", ref="BASE-1") + "\n")
    f.write(row(subject="professional", form="2", title="专业课", hours="8",
                domain="临床医学") + "\n")
    f.write(row(id_number="11010519491231002X", name="王五", unit="",
                subject="professional", form="8", title="论文：一",
                author_role="first", hours="60", ref="BASE-3") + "\n")
print(len([f for f in os.listdir(D) if f.endswith(".expect")]), "bad files")
