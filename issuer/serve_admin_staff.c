/*
 * serve_admin_staff.c - the console's staff page (/admin/staff, issue
 * 13): an employer's practitioners (those with a record of its unit) for
 * one year (?year=, default the current one): public, professional and
 * total stamped hours against the policy's requirement, what is missing,
 * and their valid certificates. The hours are app/hours.h hours_year:
 * the same records and arithmetic as `summary`, an annual certificate
 * and POST /api/v1/hours. hr and auditor name a unit (?unit=) and see
 * its staff whose records of that unit are in their region. 100 people
 * a page, paged by key (?after=).
 *
 * /admin/staff.csv (issue 14) is the same rows, every page of them, as
 * a spreadsheet file (docs/formats.md §9b): UTF-8 with a BOM, Chinese
 * headers, masked ID numbers only, every text cell formula-safe
 * (buf_csv_field's guard), named after the unit, year and date. A unit
 * with nobody in the caller's scope (another employer's unit, a unit
 * outside an hr's region, or none at all) answers 404.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/tz.h"
#include "serve.h"
#include "app/hours.h"
#include "store/certview.h"
#include "core/util.h"
#include "web/page.h"

#define STAFF_PAGE 100
#define STAFF_CSV_MAX 50000  /* rows in one export; more: 413 */

/* Hours as the certificate writes them (hours_format: "36", "1.5"). */
static void
hrs(struct buf *b, long h10)
{
	char h[HOURS_SIZE];

	hours_format(h10, h);
	buf_puts(b, h);
}

/* "12.0 / 30.0" and, if short, the missing part. */
static void
part(struct buf *b, enum page_lang lang, const char *label, long have10,
    long need10, long missing10)
{
	buf_printf(b, "<td data-label=\"%s\" class=\"num\">", label);
	hrs(b, have10);
	buf_puts(b, " / ");
	hrs(b, need10);
	if (missing10 > 0) {
		buf_printf(b, "<br><span class=\"missing\">%s ",
		    PL(lang, "缺", "missing"));
		hrs(b, missing10);
		buf_puts(b, "</span>");
	}
	buf_puts(b, "</td>");
}

struct staff_ctx {
	struct sreq *q;
	struct buf *b;
	int year;
	int rows;
	int64_t last;
	const char *unit;       /* the export's unit column */
	enum hs_err rc;
	char err[HS_ERRLEN];
};

static int
staff_row(void *vctx, const struct certview_person *p)
{
	struct staff_ctx *c = vctx;
	struct buf *b = c->b;
	enum page_lang lang = c->q->lang;
	const struct policy *pol = serve_opts(c->q->sv)->pol;
	struct hours_year y;
	size_t i;

	if ((c->rc = hours_year(c->q->db, pol, p->id, c->year, &y, c->err)) !=
	    HS_OK)
		return 1;
	c->rows++;
	c->last = p->id;
	buf_printf(b, "<tr><td data-label=\"%s\">", PL(lang, "姓名", "Name"));
	page_esc(b, p->name);
	buf_puts(b, "<br><span class=\"hint mono\">");
	page_esc(b, p->id_masked);
	buf_puts(b, "</span></td>");
	part(b, lang, PL(lang, "公需科目", "Public"), y.r.public10,
	    policy_req_public10(pol), y.r.missing_public10);
	part(b, lang, PL(lang, "专业科目", "Professional"), y.r.professional10,
	    policy_req_professional10(pol), y.r.missing_professional10);
	part(b, lang, PL(lang, "合计", "Total"), y.r.total10,
	    policy_req_total10(pol), y.r.missing_total10);
	buf_printf(b, "<td data-label=\"%s\" class=\"%s\">%s</td>",
	    PL(lang, "达标", "Met"), y.r.met ? "met" : "unmet",
	    y.r.met ? PL(lang, "已达标", "met") : PL(lang, "未达标", "not met"));
	buf_printf(b, "<td data-label=\"%s\" class=\"mono\">", PL(lang,
	    "有效证书", "Valid certificates"));
	for (i = 0; i < y.nserials; i++) {
		buf_printf(b, "%s<a href=\"/admin/certs/", i ? "<br>" : "");
		page_esc(b, y.serials[i]);
		buf_puts(b, "\">");
		page_esc(b, y.serials[i]);
		buf_puts(b, "</a>");
	}
	buf_puts(b, "</td></tr>\n");
	return 0;
}

/* Appends s percent-encoded for a query string. */
static void
qesc(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' ||
		    ch == '.')
			buf_putc(b, (char)ch);
		else
			buf_printf(b, "%%%c%c", hex[ch >> 4], hex[ch & 15]);
	}
}

/* Who and which year the staff page and its export show. */
struct staff_args {
	const char *unit;       /* NULL: none named (hr, auditor) */
	const char *region;     /* hr, auditor: their region */
	bool blank_ok;          /* a province-wide scope sees region '' */
	int64_t year;
};

/*
 * Reads ?year= (default this year) and, for hr and auditor, ?unit=;
 * an employer's unit is its own (the page ignores ?unit=; with
 * own_unit_only, the export, naming another unit is 404). false: the
 * error answer was sent.
 */
static bool
staff_args(struct sreq *q, bool own_unit_only, struct staff_args *sa)
{
	const char *vy = http_query(q->r, "year"),
	    *vu = http_query(q->r, "unit");
	time_t now = (time_t)q->now;
	struct tm tm;
	size_t i;

	memset(sa, 0, sizeof(*sa));
	hs_time_local(now, &tm); /* the year it is for people */
	sa->year = tm.tm_year + 1900;
	if (vy != NULL && vy[0] != '\0' && ((sa->year = serve_decimal(vy,
	    2100)) < 1990)) {
		serve_error(q, 400, "year: must be 1990..2100");
		return false;
	}
	if (vu != NULL && vu[0] != '\0') {
		if (strlen(vu) > 255 || !utf8_valid(vu, strlen(vu))) {
			serve_error(q, 400, "unit: at most 255 bytes of UTF-8");
			return false;
		}
		for (i = 0; vu[i] != '\0'; i++)
			if ((unsigned char)vu[i] < 0x20 || vu[i] == 0x7f) {
				serve_error(q, 400, "unit: no control "
				    "characters");
				return false;
			}
	}
	if (q->p.role == PRINCIPAL_EMPLOYER) {
		sa->unit = q->p.unit;
		if (own_unit_only && vu != NULL && vu[0] != '\0' &&
		    strcmp(vu, q->p.unit) != 0) {
			serve_error(q, 404, "not found");
			return false;
		}
	} else if (q->p.role == PRINCIPAL_HR ||
	    q->p.role == PRINCIPAL_AUDITOR) {
		sa->region = q->p.region;
		sa->blank_ok = strlen(sa->region) == 2;
		if (vu != NULL && vu[0] != '\0')
			sa->unit = vu;
	}
	if (sa->unit != NULL && sa->unit[0] == '\0')
		sa->unit = NULL;
	if (q->p.role == PRINCIPAL_EMPLOYER && sa->unit == NULL) {
		serve_error(q, 404, "this account has no unit");
		return false;
	}
	return true;
}

/* GET /admin/staff */
void
serve_staff_list(struct sreq *q)
{
	enum page_lang lang = q->lang;
	const char *va = http_query(q->r, "after");
	const char *unit, *region;
	struct staff_args sa;
	struct staff_ctx sc;
	struct buf page, *b = &page;
	char err[HS_ERRLEN] = "";
	int64_t after = 0, year;
	bool blank_ok;
	int more = 0;
	enum hs_err rc;

	if (va != NULL && va[0] != '\0' && (after = serve_decimal(va,
	    INT64_MAX / 2)) < 0) {
		serve_error(q, 400, "after: must be a person key");
		return;
	}
	if (!staff_args(q, false, &sa))
		return;
	unit = sa.unit, region = sa.region, blank_ok = sa.blank_ok;
	year = sa.year;
	buf_init(&page);
	serve_page_begin(q, b, PL(lang, "本单位人员学时", "Staff hours"));
	buf_printf(b, "<h1>%s</h1>\n", PL(lang, "本单位人员学时",
	    "Staff hours"));
	buf_printf(b, "<form method=\"get\" action=\"/admin/staff\" "
	    "class=\"filters\">");
	if (q->p.role != PRINCIPAL_EMPLOYER) {
		buf_printf(b, "<label>%s <input name=\"unit\" maxlength=\"255\" "
		    "value=\"", PL(lang, "单位", "Unit"));
		if (unit != NULL)
			page_esc(b, unit);
		buf_puts(b, "\"></label> ");
	}
	buf_printf(b, "<label>%s <input name=\"year\" inputmode=\"numeric\" "
	    "size=\"4\" value=\"%" PRId64 "\"></label> <button>%s</button>"
	    "</form>\n", PL(lang, "年度", "Year"), year, PL(lang, "查看",
	    "Show"));
	if (unit == NULL) {
		buf_printf(b, "<p class=\"hint\">%s</p>\n", PL(lang,
		    "请输入单位名称。", "Name a unit."));
		serve_page_end(q, b, 200);
		return;
	}
	buf_puts(b, "<p>");
	page_esc(b, unit);
	buf_printf(b, " · %" PRId64 " · <a class=\"export\" href=\""
	    "/admin/staff.csv?year=%" PRId64, year, year);
	if (q->p.role != PRINCIPAL_EMPLOYER) {
		buf_puts(b, "&amp;unit=");
		qesc(b, unit);
	}
	buf_printf(b, "\" download>%s</a></p>\n", PL(lang, "导出 CSV",
	    "Export CSV"));
	buf_printf(b, "<div class=\"tablewrap\"><table class=\"records "
	    "staff\">\n<thead><tr><th>%s</th><th>%s</th><th>%s</th>"
	    "<th>%s</th><th>%s</th><th>%s</th></tr></thead>\n<tbody>\n",
	    PL(lang, "姓名", "Name"), PL(lang, "公需科目", "Public"),
	    PL(lang, "专业科目", "Professional"), PL(lang, "合计", "Total"),
	    PL(lang, "达标", "Met"), PL(lang, "有效证书",
	    "Valid certificates"));
	memset(&sc, 0, sizeof(sc));
	sc.q = q;
	sc.b = b;
	sc.year = (int)year;
	if ((rc = certview_staff(q->db, unit, region, blank_ok, after,
	    STAFF_PAGE, staff_row, &sc, &more, err)) != HS_OK ||
	    sc.rc != HS_OK) {
		buf_free(&page);
		if (rc == HS_OK) {
			rc = sc.rc;
			memcpy(err, sc.err, sizeof(err));
		}
		serve_error(q, serve_status(rc), err);
		return;
	}
	buf_puts(b, "</tbody></table></div>\n");
	if (sc.rows == 0)
		buf_printf(b, "<p class=\"hint\">%s</p>\n", PL(lang,
		    "此范围内没有人员。", "Nobody in this scope."));
	if (more) {
		buf_printf(b, "<p class=\"pager\"><a rel=\"next\" href=\""
		    "/admin/staff?year=%" PRId64 "&amp;after=%" PRId64, year,
		    sc.last);
		if (q->p.role != PRINCIPAL_EMPLOYER) {
			buf_puts(b, "&amp;unit=");
			qesc(b, unit);
		}
		buf_printf(b, "\">%s</a></p>\n", PL(lang, "下一页 →",
		    "Next →"));
	}
	serve_page_end(q, b, 200);
}

/* One hours cell: "36" (hours_format). */
static void
csv_hours(struct buf *b, long h10)
{
	char h[HOURS_SIZE];

	hours_format(h10, h);
	buf_csv_field(b, h, true);
	buf_putc(b, ',');
}

static int
staff_csv_row(void *vctx, const struct certview_person *p)
{
	struct staff_ctx *c = vctx;
	struct buf *b = c->b;
	const struct policy *pol = serve_opts(c->q->sv)->pol;
	struct hours_year y;
	char num[16];
	size_t i;

	if (c->rows >= STAFF_CSV_MAX) {
		c->rc = HS_ERR_TOOBIG;
		snprintf(c->err, sizeof(c->err), "more than %d people: use "
		    "`hourseal-issuer export`", STAFF_CSV_MAX);
		return 1;
	}
	if ((c->rc = hours_year(c->q->db, pol, p->id, c->year, &y, c->err)) !=
	    HS_OK)
		return 1;
	c->rows++;
	c->last = p->id;
	buf_csv_field(b, p->name, true);
	buf_putc(b, ',');
	buf_csv_field(b, p->id_masked, true);
	buf_putc(b, ',');
	buf_csv_field(b, c->unit, true);
	buf_putc(b, ',');
	snprintf(num, sizeof(num), "%d", c->year);
	buf_csv_field(b, num, true);
	buf_putc(b, ',');
	csv_hours(b, y.r.public10);
	csv_hours(b, policy_req_public10(pol));
	csv_hours(b, y.r.missing_public10);
	csv_hours(b, y.r.professional10);
	csv_hours(b, policy_req_professional10(pol));
	csv_hours(b, y.r.missing_professional10);
	csv_hours(b, y.r.total10);
	csv_hours(b, policy_req_total10(pol));
	csv_hours(b, y.r.missing_total10);
	buf_csv_field(b, y.r.met ? "已达标" : "未达标", true);
	buf_putc(b, ',');
	{
		struct buf s;

		buf_init(&s);
		for (i = 0; i < y.nserials; i++) {
			if (i)
				buf_putc(&s, ' ');
			buf_puts(&s, y.serials[i]);
		}
		buf_putc(&s, '\0');
		buf_csv_field(b, s.oom ? "" : s.data, true);
		if (s.oom)
			b->oom = true;
		buf_free(&s);
	}
	buf_puts(b, "\r\n");
	return 0;
}

/*
 * The file's name: "<unit>-<year>年学时-<YYYYMMDD>.csv" as RFC 6266
 * filename* (UTF-8, percent-encoded; '/' '\\' and controls become '_')
 * and an ASCII "staff-<year>-<YYYYMMDD>.csv" for old clients.
 */
static void
staff_csv_disposition(struct buf *b, const char *unit, int year,
    const char *ymd)
{
	static const char hex[] = "0123456789ABCDEF";
	char tail[64];
	const char *s;
	int part;

	buf_printf(b, "attachment; filename=\"staff-%d-%s.csv\"; "
	    "filename*=UTF-8''", year, ymd);
	snprintf(tail, sizeof(tail), "-%d年学时-%s.csv", year, ymd);
	for (part = 0; part < 2; part++)
		for (s = part == 0 ? unit : tail; *s != '\0'; s++) {
			unsigned char ch = (unsigned char)*s;

			if (ch == '/' || ch == '\\' || ch < 0x20 ||
			    ch == 0x7f)
				ch = '_';
			if ((ch >= 'a' && ch <= 'z') ||
			    (ch >= 'A' && ch <= 'Z') ||
			    (ch >= '0' && ch <= '9') || ch == '-' ||
			    ch == '_' || ch == '.')
				buf_putc(b, (char)ch);
			else
				buf_printf(b, "%%%c%c", hex[ch >> 4],
				    hex[ch & 15]);
		}
}

/* GET /admin/staff.csv */
void
serve_staff_export(struct sreq *q)
{
	static const char *const head[] = { "姓名", "身份证号（脱敏）",
	    "单位", "年度", "公需科目学时", "公需科目要求", "公需科目缺",
	    "专业科目学时", "专业科目要求", "专业科目缺", "合计学时",
	    "合计要求", "合计缺", "是否达标", "有效证书" };
	struct staff_args sa;
	struct staff_ctx sc;
	struct buf csv, disp;
	char err[HS_ERRLEN] = "", ymd[16];
	const char *h[8];
	time_t now = (time_t)q->now;
	struct tm tm;
	int64_t after = 0;
	size_t i;
	int more = 1;
	enum hs_err rc = HS_OK;

	if (!staff_args(q, true, &sa))
		return;
	if (sa.unit == NULL) {
		serve_error(q, 400, "unit: required (the unit whose staff to "
		    "export)");
		return;
	}
	buf_init(&csv);
	buf_puts(&csv, "\xef\xbb\xbf");  /* the BOM: Excel reads UTF-8 */
	for (i = 0; i < sizeof(head) / sizeof(head[0]); i++) {
		buf_csv_field(&csv, head[i], true);
		buf_puts(&csv, i + 1 < sizeof(head) / sizeof(head[0]) ? "," :
		    "\r\n");
	}
	memset(&sc, 0, sizeof(sc));
	sc.q = q;
	sc.b = &csv;
	sc.year = (int)sa.year;
	sc.unit = sa.unit;
	while (more && rc == HS_OK && sc.rc == HS_OK) {
		int before = sc.rows;

		rc = certview_staff(q->db, sa.unit, sa.region, sa.blank_ok,
		    after, 1000, staff_csv_row, &sc, &more, err);
		if (sc.rows == before)
			break;
		after = sc.last;
	}
	if (rc == HS_OK && sc.rc != HS_OK) {
		rc = sc.rc;
		memcpy(err, sc.err, sizeof(err));
	}
	if (rc != HS_OK || csv.oom) {
		buf_free(&csv);
		serve_error(q, rc == HS_ERR_TOOBIG ? 413 : rc == HS_OK ? 503 :
		    serve_status(rc), rc == HS_OK ? "out of memory" : err);
		return;
	}
	/* Nobody of that unit in this scope: the same answer whether the
	 * unit is another employer's, outside the region, or unknown. */
	if (sc.rows == 0) {
		buf_free(&csv);
		serve_error(q, 404, q->lang == PAGE_EN ? "Nobody of this unit "
		    "in your scope." : "此范围内没有该单位的人员。");
		return;
	}
	hs_time_local(now, &tm);
	strftime(ymd, sizeof(ymd), "%Y%m%d", &tm);
	buf_init(&disp);
	staff_csv_disposition(&disp, sa.unit, sc.year, ymd);
	buf_putc(&disp, '\0');
	if (disp.oom) {
		buf_free(&csv);
		buf_free(&disp);
		serve_error(q, 503, "out of memory");
		return;
	}
	h[0] = "Content-Disposition";
	h[1] = disp.data;
	h[2] = "Cache-Control";
	h[3] = "no-store";
	h[4] = NULL;
	{
		size_t len = csv.len;
		char *data = buf_steal(&csv);

		http_reply(q->r, 200, "text/csv; charset=utf-8", data, len,
		    HTTP_MEM_FREE, h);
	}
	buf_free(&disp);
}
