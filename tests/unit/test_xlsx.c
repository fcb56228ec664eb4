/*
 * Unit tests for core/xlsx.c and the importer's .xlsx path (issue 17):
 * workbooks written by libxlsxwriter (shared strings; and its
 * constant-memory mode, which writes inline strings) with a merged title,
 * merged header cells, dates by style (built-in format 14 and a custom
 * 年月日 format), numbers, a number that was an ID, a 合计 row with a
 * formula; read cell by cell, then imported with exactly the expected
 * warnings and errors. Then a hostile set built with libzip: not a zip,
 * no workbook, a missing sheet part, bad XML, entity expansion, an
 * external entity, huge shared strings, deep nesting, a compression
 * bomb, too many entries, a bad string index, a value past the columns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xlsxwriter.h>
#include <zip.h>

#include "app/import.h"
#include "cert/policy.h"
#include "core/file.h"
#include "core/util.h"
#include "core/xlsx.h"
#include "store/config.h"
#include "store/store.h"
#include "t.h"
#include "tlib.h"

static char dir[T_DIRMAX];
static struct config cfg;
static sqlite3 *db;
static struct policy *fujian;
static long today;
static char msgs[8192];
static const char *encoding;      /* import()'s --encoding */

/* ---- reading: every row as "ROW: cell|cell|..." ---------------------- */

static struct buf rows;

static enum hs_err
collect_row(void *ctx, uint32_t row, size_t n, const char *const *cells,
    char *err)
{
	size_t i;

	buf_printf(&rows, "%u:", row);
	for (i = 0; i < n; i++)
		buf_printf(&rows, "%s%s", i ? "|" : " ", cells[i]);
	buf_putc(&rows, '\n');
	return HS_OK;
}

/* Reads path's sheet (NULL: the first) into rows; the error in err. */
static enum hs_err
read_path(const char *path, const char *sheet, char *err)
{
	char *data = NULL;
	size_t len;
	enum hs_err rc;

	buf_reset(&rows);
	err[0] = '\0';
	if ((rc = file_read(path, (size_t)64 << 20, &data, &len, err)) !=
	    HS_OK)
		return rc;
	rc = xlsx_read(data, len, sheet, 64, collect_row, NULL, err);
	free(data);
	return rc;
}

/* ---- libxlsxwriter's workbooks ---------------------------------------- */

static const char *const head[] = { "序号", "姓名", "身份证号", "年度",
	"科目类别", "学习形式", "课程名称", "施训机构", "开始日期", "结束日期",
	"学时", "备注" };

/* The workbook: shared strings, or inline ones (constant memory). */
static int
write_book(const char *path, bool constant_memory)
{
	lxw_workbook_options opt = { .constant_memory = constant_memory };
	lxw_workbook *wb = workbook_new_opt(path, &opt);
	lxw_worksheet *ws, *other;
	lxw_format *d14, *dcn, *merge;
	lxw_datetime a = { 2025, 4, 9, 0, 0, 0 }, b = { 2025, 4, 10, 0, 0, 0 },
	    c = { 2025, 6, 10, 0, 0, 0 };
	lxw_col_t k;

	if (wb == NULL)
		return -1;
	ws = workbook_add_worksheet(wb, "学时");
	other = workbook_add_worksheet(wb, "备用");
	d14 = workbook_add_format(wb);
	format_set_num_format_index(d14, 14);
	dcn = workbook_add_format(wb);
	format_set_num_format(dcn, "yyyy\"年\"m\"月\"d\"日\"");
	merge = workbook_add_format(wb);
	format_set_bold(merge);
	worksheet_merge_range(ws, 0, 0, 0, 11, "2025年度学时登记表", merge);
	for (k = 0; k < 12; k++)
		worksheet_write_string(ws, 1, k, head[k], NULL);
	/* Row 3: dates of the built-in format 14, hours a number. */
	worksheet_write_number(ws, 2, 0, 1, NULL);
	worksheet_write_string(ws, 2, 1, "陈静 ", NULL);
	worksheet_write_string(ws, 2, 2, "350203198405050556", NULL);
	worksheet_write_number(ws, 2, 3, 2025, NULL);
	worksheet_write_string(ws, 2, 4, "专业科目", NULL);
	worksheet_write_string(ws, 2, 5, "面授培训", NULL);
	worksheet_write_string(ws, 2, 6, "医学影像进展", NULL);
	worksheet_write_string(ws, 2, 7, "福建省继续教育基地", NULL);
	worksheet_write_datetime(ws, 2, 8, &a, d14);
	worksheet_write_datetime(ws, 2, 9, &b, d14);
	worksheet_write_number(ws, 2, 10, 16, NULL);
	worksheet_write_string(ws, 2, 11, "补录", NULL);
	/* Row 4: dates of a custom 年月日 format, hours "7学时". */
	worksheet_write_number(ws, 3, 0, 2, NULL);
	worksheet_write_string(ws, 3, 1, "\xe3\x80\x80杨帆", NULL);
	worksheet_write_string(ws, 3, 2, "350203198506060665", NULL);
	worksheet_write_number(ws, 3, 3, 2025, NULL);
	worksheet_write_string(ws, 3, 4, "公需科目（必修）", NULL);
	worksheet_write_string(ws, 3, 5, "网络学习", NULL);
	worksheet_write_string(ws, 3, 6, "法治素养", NULL);
	worksheet_write_string(ws, 3, 7, "福建省继续教育基地", NULL);
	worksheet_write_datetime(ws, 3, 8, &c, dcn);
	worksheet_write_datetime(ws, 3, 9, &c, dcn);
	worksheet_write_string(ws, 3, 10, "7学时", NULL);
	/* Row 5: the ID number a number, the dates text. */
	worksheet_write_number(ws, 4, 0, 3, NULL);
	worksheet_write_string(ws, 4, 1, "赵磊", NULL);
	worksheet_write_number(ws, 4, 2, 350203198607070774.0, NULL);
	worksheet_write_number(ws, 4, 3, 2025, NULL);
	worksheet_write_string(ws, 4, 4, "公需", NULL);
	worksheet_write_string(ws, 4, 5, "网授", NULL);
	worksheet_write_string(ws, 4, 6, "法治素养", NULL);
	worksheet_write_string(ws, 4, 7, "福建省继续教育基地", NULL);
	worksheet_write_string(ws, 4, 8, "2025/6/10", NULL);
	worksheet_write_string(ws, 4, 9, "2025.6.10", NULL);
	worksheet_write_number(ws, 4, 10, 3, NULL);
	/* Row 6: the total. */
	worksheet_merge_range(ws, 5, 0, 5, 9, "合计", merge);
	worksheet_write_formula_num(ws, 5, 10, "=SUM(K3:K5)", NULL, 26);
	worksheet_write_string(other, 0, 0, "说明", NULL);
	return workbook_close(wb) == LXW_NO_ERROR ? 0 : -1;
}

static void
report(void *ctx, enum import_level level, const char *msg)
{
	size_t n = strlen(msgs);

	snprintf(msgs + n, sizeof(msgs) - n, "%s\n", msg);
}

static enum hs_err
import(const char *path, const char *sheet, bool skip,
    struct import_stats *st, char *err)
{
	struct import_options o;
	char rej[600];

	memset(&o, 0, sizeof(o));
	o.path = path;
	o.sheet = sheet;
	o.encoding = encoding;
	o.today = today;
	o.report = report;
	snprintf(rej, sizeof(rej), "%s/rejects.csv", dir);
	o.rejects_path = skip ? rej : NULL;
	msgs[0] = err[0] = '\0';
	return import_file(db, &cfg, fujian, &o, st, err);
}

static void
test_libxlsxwriter(bool constant_memory)
{
	const char *what = constant_memory ? "inline strings" :
	    "shared strings";
	char path[600], err[HS_ERRLEN];
	struct import_stats st;
	enum hs_err rc;

	snprintf(path, sizeof(path), "%s/book%d.xlsx", dir, constant_memory);
	T_OK(write_book(path, constant_memory) == 0, "libxlsxwriter writes "
	    "the workbook (%s)", what);
	rc = read_path(path, NULL, err);
	T_OK(rc == HS_OK, "%s: read %s", what, err);
	/* The merged title and total fill their ranges; dates by style;
	 * numbers shortest; the ID number as Excel keeps it. */
	T_STREQ(rows.data,
	    "1: 2025年度学时登记表|2025年度学时登记表|2025年度学时登记表|"
	    "2025年度学时登记表|2025年度学时登记表|2025年度学时登记表|"
	    "2025年度学时登记表|2025年度学时登记表|2025年度学时登记表|"
	    "2025年度学时登记表|2025年度学时登记表|2025年度学时登记表\n"
	    "2: 序号|姓名|身份证号|年度|科目类别|学习形式|课程名称|施训机构|"
	    "开始日期|结束日期|学时|备注\n"
	    "3: 1|陈静 |350203198405050556|2025|专业科目|面授培训|医学影像进展|"
	    "福建省继续教育基地|2025-04-09|2025-04-10|16|补录\n"
	    "4: 2|\xe3\x80\x80杨帆|350203198506060665|2025|公需科目（必修）|"
	    "网络学习|法治素养|福建省继续教育基地|2025-06-10|2025-06-10|7学时\n"
	    "5: 3|赵磊|3.50203198607071E+17|2025|公需|网授|法治素养|"
	    "福建省继续教育基地|2025/6/10|2025.6.10|3\n"
	    "6: 合计|合计|合计|合计|合计|合计|合计|合计|合计|合计|26\n",
	    "%s: the cells as a person sees them", what);
	rc = read_path(path, "备用", err);
	T_STREQ(rows.data, "1: 说明\n", "%s: --sheet 备用", what);
	rc = read_path(path, "无此表", err);
	T_OK(rc == HS_ERR_FORMAT, "%s: a sheet that is not there", what);
	T_STREQ(err, "no sheet named \"无此表\" (the workbook has \"学时\", "
	    "\"备用\")", "%s: the sheets named", what);

	/* Imported: all or nothing, then the good rows. */
	rc = import(path, NULL, false, &st, err);
	T_OK(rc == HS_ERR_INVALID && t_q(db, "SELECT count(*) FROM records") ==
	    (constant_memory ? 2 : 0), "%s: one wrong row, nothing imported",
	    what);
	{
		char want[4096], nm[16];

		snprintf(nm, sizeof(nm), "book%d.xlsx", constant_memory ? 1 : 0);
		snprintf(want, sizeof(want),
		    "%s:1: warning: skipped, above the header row\n"
		    "%s:2: warning: columns ignored (not hourseal's): 序号, 备注\n"
		    "%s:5: id_number: 3.50203E+17 is a number Excel made of the "
		    "ID number, whose last digits are lost: format the column "
		    "as Text (设置单元格格式 → 文本) or type an apostrophe (') "
		    "before each number, enter them again, and save\n"
		    "%s:6: warning: a total row (合计) skipped\n", nm, nm,
		    nm, nm);
		T_STREQ(msgs, want, "%s: exactly these warnings and errors",
		    what);
	}
	snprintf(path, sizeof(path), "%s/book%d.xlsx", dir, constant_memory);
	rc = import(path, NULL, true, &st, err);
	T_OK(rc == HS_OK && st.rows == 3 && st.inserted + st.duplicates == 2 &&
	    st.rejected == 1 && st.warnings == 3, "%s: 2 in, 1 rejected, 3 "
	    "warnings (%s)", what, err);
	T_STREQ(t_qs(db, "SELECT group_concat(p.name || ' ' || r.start_date || "
	    "' ' || r.end_date || ' ' || r.hours10 || ' ' || r.form || ' ' || "
	    "r.subject || ' ' || ifnull(r.public_type, '') || ' ' || r.source, "
	    "'; ') FROM records r JOIN practitioners p ON p.id = "
	    "r.practitioner_id"), constant_memory ?
	    "陈静 2025-04-09 2025-04-10 160 2 professional  book0.xlsx:3; "
	    "杨帆 2025-06-10 2025-06-10 70 1 public compulsory book0.xlsx:4" :
	    "陈静 2025-04-09 2025-04-10 160 2 professional  book0.xlsx:3; "
	    "杨帆 2025-06-10 2025-06-10 70 1 public compulsory book0.xlsx:4",
	    "%s: the records as meant (the second workbook finds them there)",
	    what);
	T_OK(!constant_memory || st.duplicates == 2, "%s: the same records "
	    "from the inline-string workbook are duplicates", what);
}

/* ---- a hostile set, built with libzip ----------------------------------- */

#define NS "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/" \
	"main\" xmlns:r=\"http://schemas.openxmlformats.org/" \
	"officeDocument/2006/relationships\""
#define WORKBOOK "<?xml version=\"1.0\"?><workbook " NS "><sheets><sheet " \
	"name=\"S\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"
#define RELS(sheet) "<?xml version=\"1.0\"?><Relationships xmlns=\"http://" \
	"schemas.openxmlformats.org/package/2006/relationships\">" \
	"<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/" \
	"officeDocument/2006/relationships/worksheet\" Target=\"" sheet "\"/>" \
	"<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/" \
	"officeDocument/2006/relationships/sharedStrings\" Target=\"" \
	"sharedStrings.xml\"/></Relationships>"
#define SHEET(rows) "<?xml version=\"1.0\"?><worksheet " NS "><sheetData>" \
	rows "</sheetData></worksheet>"
#define STRINGS(si) "<?xml version=\"1.0\"?><sst " NS ">" si "</sst>"

struct part {
	const char *name;
	const char *text;
	size_t len;               /* 0: strlen(text) */
};

/* Writes a zip of the parts to dir/name; its path in path. */
static int
make_zip(const char *name, const struct part *p, size_t n, char *path,
    size_t pathsz)
{
	zip_t *za;
	zip_source_t *s;
	int e;
	size_t i;

	snprintf(path, pathsz, "%s/%s", dir, name);
	if ((za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &e)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		s = zip_source_buffer(za, p[i].text, p[i].len ? p[i].len :
		    strlen(p[i].text), 0);
		if (s == NULL || zip_file_add(za, p[i].name, s,
		    ZIP_FL_OVERWRITE) < 0) {
			zip_source_free(s);
			zip_discard(za);
			return -1;
		}
	}
	return zip_close(za);
}

/* A workbook of sheet and strings (NULL: none) read; its error. */
static enum hs_err
hostile(const char *name, const char *sheet, const char *strings,
    const char *rels, char *err)
{
	struct part p[4] = {
		{ "xl/workbook.xml", WORKBOOK, 0 },
		{ "xl/_rels/workbook.xml.rels", rels ? rels :
		    RELS("worksheets/sheet1.xml"), 0 },
		{ "xl/worksheets/sheet1.xml", sheet, 0 },
		{ "xl/sharedStrings.xml", strings ? strings : STRINGS(""), 0 },
	};
	char path[600];

	if (make_zip(name, p, 4, path, sizeof(path)) != 0) {
		snprintf(err, HS_ERRLEN, "cannot write %s", name);
		return HS_ERR_IO;
	}
	return read_path(path, NULL, err);
}

static void
test_hostile(void)
{
	char err[HS_ERRLEN], path[600], *big, *deep;
	struct part p[2];
	struct buf b;
	enum hs_err rc;
	size_t i;

	/* The smallest good one, as a baseline. */
	rc = hostile("good.xlsx", SHEET("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0"
	    "</v></c><c r=\"C1\" t=\"inlineStr\"><is><t>x</t></is></c></row>"),
	    STRINGS("<si><r><t>身份</t></r><r><t>证号</t></r><rPh><t>シン"
	    "</t></rPh></si>"), NULL, err);
	T_OK(rc == HS_OK, "a minimal workbook reads %s", err);
	T_STREQ(rows.data, "1: 身份证号||x\n", "rich text runs joined, the "
	    "phonetic run left out, an empty column kept");

	p[0] = (struct part){ "a.txt", "hello", 0 };
	make_zip("nowb.xlsx", p, 1, path, sizeof(path));
	rc = read_path(path, NULL, err);
	T_OK(rc == HS_ERR_FORMAT && strcmp(err, "not an .xlsx workbook (it "
	    "has no xl/workbook.xml)") == 0, "a zip that is no workbook: %s",
	    err);
	snprintf(path, sizeof(path), "%s/notzip.xlsx", dir);
	file_write(path, "PK\x03\x04garbage", 11, 0600, 0, err);
	rc = read_path(path, NULL, err);
	T_OK(rc == HS_ERR_FORMAT && strncmp(err, "not an .xlsx workbook: ",
	    23) == 0, "a broken zip: %s", err);

	rc = hostile("nosheet.xlsx", SHEET(""), NULL,
	    RELS("worksheets/none.xml"), err);
	T_OK(rc == HS_ERR_FORMAT && strcmp(err, "xl/worksheets/none.xml: not "
	    "in the workbook") == 0, "a sheet part that is missing: %s", err);

	rc = hostile("badxml.xlsx", "<worksheet><sheetData><row r=\"1\"><c>"
	    "</sheetData></worksheet>", NULL, NULL, err);
	T_OK(rc == HS_ERR_FORMAT && strstr(err, "not well-formed XML") !=
	    NULL, "bad XML: %s", err);

	rc = hostile("laughs.xlsx", SHEET("<row r=\"1\"><c t=\"s\"><v>0</v>"
	    "</c></row>"), "<?xml version=\"1.0\"?><!DOCTYPE sst [<!ENTITY a "
	    "\"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
	    "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\"><!ENTITY d \"&c;&c;"
	    "&c;&c;&c;&c;&c;&c;&c;&c;\"><!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;"
	    "&d;&d;\"><!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">]><sst>"
	    "<si><t>&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;</t></si></sst>", NULL, err);
	/* libxml2 itself may stop it first (an entity loop): refused
	 * either way, nothing expanded. */
	T_OK(rc == HS_ERR_FORMAT && (strcmp(err, "xl/sharedStrings.xml: a "
	    "DOCTYPE (DTD) is not allowed in a workbook") == 0 ||
	    strncmp(err, "xl/sharedStrings.xml: not well-formed XML", 41) ==
	    0), "entity expansion (billion laughs) refused: %s", err);

	rc = hostile("xxe.xlsx", "<?xml version=\"1.0\"?><!DOCTYPE worksheet "
	    "[<!ENTITY x SYSTEM \"file:///etc/passwd\">]><worksheet><sheetData>"
	    "<row r=\"1\"><c t=\"inlineStr\"><is><t>&x;</t></is></c></row>"
	    "</sheetData></worksheet>", NULL, NULL, err);
	T_OK(rc == HS_ERR_FORMAT && strstr(err, "DOCTYPE") != NULL &&
	    (rows.data == NULL || strstr(rows.data, "root") == NULL),
	    "an external entity refused, nothing read: %s", err);

	buf_init(&b);
	buf_puts(&b, STRINGS("<si><t>"));
	b.len -= strlen("</sst>");
	for (i = 0; i < 40000; i++)
		buf_putc(&b, 'x');
	buf_puts(&b, "</t></si></sst>");
	rc = hostile("hugestr.xlsx", SHEET(""), b.data, NULL, err);
	T_OK(rc == HS_ERR_TOOBIG && strcmp(err, "xl/sharedStrings.xml: a "
	    "text longer than 32768 bytes") == 0, "a huge shared string: %s",
	    err);
	buf_free(&b);

	deep = malloc(200 * 8 + 200);
	deep[0] = '\0';
	strcat(deep, "<worksheet><sheetData>");
	for (i = 0; i < 100; i++)
		strcat(deep, "<x>");
	for (i = 0; i < 100; i++)
		strcat(deep, "</x>");
	strcat(deep, "</sheetData></worksheet>");
	rc = hostile("deep.xlsx", deep, NULL, NULL, err);
	T_OK(rc == HS_ERR_TOOBIG && strstr(err, "nested more than 64 deep") !=
	    NULL, "deep nesting: %s", err);
	free(deep);

	/* A bomb: 16 MiB of spaces in a sheet compress about 1000 to 1. */
	big = malloc((size_t)16 << 20);
	memset(big, ' ', (size_t)16 << 20);
	memcpy(big, "<worksheet>", 11);
	memcpy(big + ((size_t)16 << 20) - 12, "</worksheet>", 12);
	{
		struct part q[3] = {
			{ "xl/workbook.xml", WORKBOOK, 0 },
			{ "xl/_rels/workbook.xml.rels",
			    RELS("worksheets/sheet1.xml"), 0 },
			{ "xl/worksheets/sheet1.xml", big, (size_t)16 << 20 },
		};

		make_zip("bomb.xlsx", q, 3, path, sizeof(path));
	}
	free(big);
	rc = read_path(path, NULL, err);
	T_OK(rc == HS_ERR_TOOBIG && strstr(err, "xl/worksheets/sheet1.xml is "
	    "compressed") != NULL && strstr(err, "(at most 250 to 1): refused "
	    "(a zip bomb?)") != NULL, "a compression bomb: %s", err);

	rc = hostile("badidx.xlsx", SHEET("<row r=\"1\"><c t=\"s\"><v>7</v>"
	    "</c></row>"), NULL, NULL, err);
	T_OK(rc == HS_ERR_FORMAT && strcmp(err, "xl/worksheets/sheet1.xml: "
	    "shared string 7 does not exist") == 0, "a bad string index: %s",
	    err);
	rc = hostile("wide.xlsx", SHEET("<row r=\"1\"><c r=\"BZ1\"><v>1</v>"
	    "</c></row>"), NULL, NULL, err);
	T_OK(rc == HS_ERR_FORMAT && strcmp(err, "xl/worksheets/sheet1.xml: "
	    "row 1 has a value past column 64") == 0, "a value past the "
	    "columns: %s", err);
	rc = hostile("order.xlsx", SHEET("<row r=\"2\"><c><v>1</v></c></row>"
	    "<row r=\"1\"><c><v>1</v></c></row>"), NULL, NULL, err);
	T_OK(rc == HS_ERR_FORMAT, "rows out of order: %s", err);

	/* Too many entries. */
	{
		zip_t *za;
		int e;
		char nm[32];

		snprintf(path, sizeof(path), "%s/many.xlsx", dir);
		za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &e);
		for (i = 0; za != NULL && i <= XLSX_MAX_ENTRIES; i++) {
			snprintf(nm, sizeof(nm), "p/%zu", i);
			zip_file_add(za, nm, zip_source_buffer(za, "", 0, 0),
			    0);
		}
		if (za != NULL)
			zip_close(za);
	}
	rc = read_path(path, NULL, err);
	T_OK(rc == HS_ERR_TOOBIG && strcmp(err, "the workbook has more than "
	    "10000 parts: refused") == 0, "too many entries: %s", err);

	/* The importer names the file, and an .xls is told apart. */
	{
		struct import_stats st;

		snprintf(path, sizeof(path), "%s/old.xls", dir);
		file_write(path, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1....", 12,
		    0600, 0, err);
		rc = import(path, NULL, false, &st, err);
		T_STREQ(err, "old.xls: an old Excel 97-2003 workbook (.xls); "
		    "save it as .xlsx (Excel 工作簿) or as \"CSV UTF-8\"",
		    "an .xls is named for what it is");
		snprintf(path, sizeof(path), "%s/fake.xlsx", dir);
		file_write(path, "id_number\n", 10, 0600, 0, err);
		rc = import(path, NULL, false, &st, err);
		T_STREQ(err, "fake.xlsx: not an .xlsx workbook (not a zip "
		    "archive)", "a text file named .xlsx");
		/* A rejects file (UTF-8, a BOM) fixed and imported again
		 * with the original's --encoding gbk: the BOM wins. */
		static const char fixed[] = "\xef\xbb\xbf#line,#error,身份证号,"
		    "姓名,年度,科目类别,学习形式,课程名称,施训机构,开始日期,"
		    "结束日期,学时\n3,x,350203198405050556,陈静,2025,公需,1,网课,"
		    "基地,2025-05-01,2025-05-01,2\n";

		snprintf(path, sizeof(path), "%s/fixed.csv", dir);
		file_write(path, fixed, sizeof(fixed) - 1, 0600, 0, err);
		encoding = "gbk";
		rc = import(path, NULL, false, &st, err);
		encoding = NULL;
		T_OK(rc == HS_OK && st.inserted == 1, "a UTF-8 rejects file "
		    "imports with --encoding gbk (its BOM wins) %s", err);
		snprintf(path, sizeof(path), "%s/xxe.xlsx", dir);
		rc = import(path, NULL, false, &st, err);
		T_STREQ(err, "xxe.xlsx: xl/worksheets/sheet1.xml: a DOCTYPE "
		    "(DTD) is not allowed in a workbook", "import names the "
		    "file");
	}
}

int
main(void)
{
	char err[HS_ERRLEN] = "";

	date_parse("2026-11-23", &today);
	buf_init(&rows);
	if ((fujian = t_policy("fujian", err)) == NULL ||
	    t_tmpdir("xlsx", dir, sizeof(dir)) != 0) {
		T_OK(0, "setup %s", err);
		return t_done();
	}
	T_OK(t_datadir(dir, &cfg, &db, err) == HS_OK, "data directory %s",
	    err);
	if (db != NULL) {
		test_libxlsxwriter(false);
		test_libxlsxwriter(true);
		test_hostile();
	}
	store_close(db);
	config_wipe(&cfg);
	policy_free(fujian);
	buf_free(&rows);
	if (t_rmtree(dir) != 0)
		printf("# could not remove %s\n", dir);
	return t_done();
}
