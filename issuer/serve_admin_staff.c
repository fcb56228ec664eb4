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
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "serve.h"
#include "app/hours.h"
#include "store/certview.h"
#include "core/util.h"
#include "web/page.h"

#define STAFF_PAGE 100

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

/* GET /admin/staff */
void
serve_staff_list(struct sreq *q)
{
	enum page_lang lang = q->lang;
	const char *va = http_query(q->r, "after"),
	    *vy = http_query(q->r, "year"), *vu = http_query(q->r, "unit");
	const char *unit = NULL, *region = NULL;
	struct staff_ctx sc;
	struct buf page, *b = &page;
	char err[HS_ERRLEN] = "";
	int64_t after = 0, year;
	time_t now = (time_t)q->now;
	struct tm tm;
	bool blank_ok = false;
	size_t i;
	int more = 0;
	enum hs_err rc;

	gmtime_r(&now, &tm);
	year = tm.tm_year + 1900;
	if (va != NULL && va[0] != '\0' && (after = serve_decimal(va,
	    INT64_MAX / 2)) < 0) {
		serve_error(q, 400, "after: must be a person key");
		return;
	}
	if (vy != NULL && vy[0] != '\0' && ((year = serve_decimal(vy, 2100)) <
	    1990)) {
		serve_error(q, 400, "year: must be 1990..2100");
		return;
	}
	if (q->p.role == PRINCIPAL_EMPLOYER) {
		unit = q->p.unit;
	} else if (q->p.role == PRINCIPAL_HR ||
	    q->p.role == PRINCIPAL_AUDITOR) {
		region = q->p.region;
		blank_ok = strlen(region) == 2;
		if (vu != NULL && vu[0] != '\0') {
			if (strlen(vu) > 255 || !utf8_valid(vu, strlen(vu))) {
				serve_error(q, 400, "unit: at most 255 bytes of "
				    "UTF-8");
				return;
			}
			for (i = 0; vu[i] != '\0'; i++)
				if ((unsigned char)vu[i] < 0x20 ||
				    vu[i] == 0x7f) {
					serve_error(q, 400, "unit: no control "
					    "characters");
					return;
				}
			unit = vu;
		}
	}
	if (unit != NULL && unit[0] == '\0')
		unit = NULL;
	if (q->p.role == PRINCIPAL_EMPLOYER && unit == NULL) {
		serve_error(q, 404, "this account has no unit");
		return;
	}
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
	buf_printf(b, " · %" PRId64 "</p>\n", year);
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

/* GET /admin/staff.csv (issue 14: being built). */
void
serve_staff_export(struct sreq *q)
{
	serve_error(q, 501, "not built yet");
}
