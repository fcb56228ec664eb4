/*
 * serve_my.c - the practitioner's own pages (service.md §5 "What they
 * see"): hours per year against the policy (/my/), records with their
 * state (/my/records), certificates and their PDFs (/my/certs...), a
 * course certificate on request, notices and the data export.
 *
 * The holder is the signed-in practitioner account's person
 * (q->acct.scope.practitioner_id); every read is bound to it by
 * store/mine.h, so someone else's serial or record is 404 exactly like
 * a missing one. The numbers come from app/myview.h, which counts as
 * `hourseal-issuer summary` does.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "app/myview.h"
#include "cert/serial.h"
#include "core/file.h"
#include "store/records.h"
#include "serve.h"

#define MY_MAX_PDF (32u << 20)    /* bytes of a certificate PDF sent */
#define MY_MAX_NOTICES 500        /* notices listed */

/* The holder, or 0 with a 404 sent (the gate let only practitioners in). */
static int64_t
holder(struct sreq *q)
{
	if (!q->signed_in || q->acct.role != ROLE_PRACTITIONER ||
	    q->acct.scope.practitioner_id <= 0) {
		serve_error(q, 404, "not found");
		return 0;
	}
	return q->acct.scope.practitioner_id;
}

/* "?lang=en" when the page is English, for links. */
static const char *
lq(const struct sreq *q)
{
	return q->lang == PAGE_EN ? "?lang=en" : "";
}

static void
hours(struct buf *b, long tenths)
{
	char h[HOURS_SIZE];

	hours_format(tenths, h);
	page_esc(b, h);
}

static const char *
state_name(enum page_lang lang, const char *state)
{
	if (strcmp(state, "waiting") == 0)
		return PL(lang, "待验印", "Waiting for the stamp");
	if (strcmp(state, "stamped") == 0)
		return PL(lang, "已验印", "Stamped");
	if (strcmp(state, "rejected") == 0)
		return PL(lang, "已退回", "Rejected");
	if (strcmp(state, "withdrawn") == 0)
		return PL(lang, "已撤回", "Withdrawn");
	return state;
}

static const char *
subject_name(enum page_lang lang, const char *subject, const char *type)
{
	if (strcmp(subject, "professional") == 0)
		return PL(lang, "专业科目", "Professional");
	if (strcmp(type, "compulsory") == 0)
		return PL(lang, "公需科目（必修）", "Public (compulsory)");
	if (strcmp(type, "elective") == 0)
		return PL(lang, "公需科目（选修）", "Public (elective)");
	return PL(lang, "公需科目", "Public");
}

/* The form of study (domain.md's table) in the page's language. */
static const char *
form_name(enum page_lang lang, int form)
{
	static const char *const zh[] = { "网络培训", "面授培训", "行业培训",
	    "单位培训", "实践锻炼", "学历教育", "学术活动", "成果折算", "其他" };

	if (form < 1 || form > 9)
		return "?";
	return lang == PAGE_EN ? policy_form_name(form) : zh[form - 1];
}

/* ---- /my/ ------------------------------------------------------------ */

/* One row of a year's table: id "y<year>-<part>". */
static void
part_row(struct buf *b, enum page_lang lang, int year, const char *part,
    const char *label, long got, long req, long missing)
{
	buf_printf(b, "<tr id=\"y%d-%s\"><td data-label=\"%s\">", year, part,
	    PL(lang, "科目", "Subject"));
	page_esc(b, label);
	buf_printf(b, "</td><td data-label=\"%s\" class=\"got\">",
	    PL(lang, "已验印学时", "Stamped hours"));
	hours(b, got);
	buf_printf(b, "</td><td data-label=\"%s\" class=\"req\">",
	    PL(lang, "要求", "Required"));
	hours(b, req);
	buf_printf(b, "</td><td data-label=\"%s\" class=\"missing\">",
	    PL(lang, "还差", "Missing"));
	if (missing > 0)
		hours(b, missing);
	else
		buf_puts(b, PL(lang, "已达到", "met"));
	buf_puts(b, "</td></tr>\n");
}

static void
year_card(struct sreq *q, struct buf *b, const struct policy *pol,
    const struct myview_year *y, bool current)
{
	enum page_lang lang = q->lang;
	bool split = policy_split_public(pol);

	buf_printf(b, "<section class=\"card\" id=\"y%d\">\n<h2>", y->year);
	buf_printf(b, PL(lang, "%d 年度", "%d"), y->year);
	if (current)
		buf_printf(b, " <small>%s</small>", PL(lang, "（本年度）",
		    "(this year)"));
	buf_puts(b, "</h2>\n");
	buf_printf(b, "<p class=\"%s\" id=\"y%d-status\">%s</p>\n",
	    y->r.met ? "notice" : "error", y->year, y->r.met ?
	    PL(lang, "已达到年度学时要求", "The year's requirement is met") :
	    PL(lang, "尚未达到年度学时要求", "The year's requirement is not "
	    "met yet"));
	if (y->has_deadline) {
		buf_printf(b, "<p id=\"y%d-deadline\">", y->year);
		buf_printf(b, PL(lang, "本年度学时须在 <strong>%s</strong> 前完成"
		    "%s。", "This year's hours must be done by <strong>%s"
		    "</strong>%s."), y->deadline, y->past_deadline ?
		    PL(lang, "（已过截止日期，逾期不予审验）",
		    " (past: later work is not verified)") : "");
		buf_puts(b, "</p>\n");
	}
	buf_printf(b, "<table class=\"list\"><thead><tr><th>%s</th><th>%s</th>"
	    "<th>%s</th><th>%s</th></tr></thead><tbody>\n",
	    PL(lang, "科目", "Subject"), PL(lang, "已验印学时", "Stamped hours"),
	    PL(lang, "要求", "Required"), PL(lang, "还差", "Missing"));
	part_row(b, lang, y->year, "public", PL(lang, "公需科目", "Public"),
	    y->r.public10, policy_req_public10(pol), y->r.missing_public10);
	if (split) {
		part_row(b, lang, y->year, "compulsory", PL(lang,
		    "　其中必修", "  of which compulsory"), y->r.compulsory10,
		    policy_req_compulsory10(pol), y->r.missing_compulsory10);
		part_row(b, lang, y->year, "elective", PL(lang,
		    "　其中选修", "  of which elective"), y->r.elective10,
		    policy_req_elective10(pol), y->r.missing_elective10);
	}
	part_row(b, lang, y->year, "professional", PL(lang, "专业科目",
	    "Professional"), y->r.professional10,
	    policy_req_professional10(pol), y->r.missing_professional10);
	part_row(b, lang, y->year, "total", PL(lang, "合计", "Total"),
	    y->r.total10, policy_req_total10(pol), y->r.missing_total10);
	buf_puts(b, "</tbody></table>\n");
	buf_printf(b, "<p id=\"y%d-counted\">", y->year);
	buf_printf(b, PL(lang, "计入的已验印记录 %zu 条。",
	    "%zu stamped records counted."), y->nrecords);
	buf_puts(b, "</p>\n");
	if (y->waiting > 0) {
		char h[HOURS_SIZE];

		hours_format(y->waiting10, h);
		buf_printf(b, "<p class=\"hint\" id=\"y%d-waiting\">", y->year);
		buf_printf(b, PL(lang, "待验印 %s 学时（%zu 条记录），尚未计入。",
		    "Waiting for the stamp: %s hours (%zu record%s), not "
		    "counted yet."), h, y->waiting, y->waiting == 1 ? "" :
		    "s");
		buf_puts(b, "</p>\n");
	}
	buf_printf(b, "<p><a href=\"/my/records?year=%d%s\">%s</a></p>\n"
	    "</section>\n", y->year, q->lang == PAGE_EN ? "&amp;lang=en" : "",
	    PL(lang, "查看本年度记录", "This year's records"));
}

void
serve_my_home(struct sreq *q)
{
	const struct policy *pol = serve_opts(q->sv)->pol;
	struct myview_year *ys;
	char err[HS_ERRLEN] = "";
	int64_t pid, seen = 0;
	size_t n = 0, i, fresh = 0;
	struct buf b;
	enum hs_err rc;

	if ((pid = holder(q)) == 0)
		return;
	if ((ys = calloc(MINE_MAX_YEARS, sizeof(*ys))) == NULL) {
		serve_error(q, 503, "out of memory");
		return;
	}
	rc = myview_years(q->db, pol, pid, q->now, ys, MINE_MAX_YEARS, &n, err);
	if (rc == HS_OK && (rc = mine_notices_seen(q->db, q->acct.id, &seen,
	    err)) == HS_OK)
		rc = myview_fresh_count(q->db, pid, seen, MINE_MAX_ROWS, &fresh,
		    err);
	if (rc != HS_OK) {
		free(ys);
		serve_error(q, serve_status(rc), err);
		return;
	}
	buf_init(&b);
	serve_page_begin(q, &b, PL(q->lang, "我的学时", "My hours"));
	buf_printf(&b, "<h1>%s</h1>\n", PL(q->lang, "我的学时", "My hours"));
	if (fresh > 0) {
		buf_printf(&b, "<p class=\"notice\" id=\"fresh\"><a href=\""
		    "/my/notices%s\">", lq(q));
		buf_printf(&b, PL(q->lang, "%zu 条新消息", "%zu new notice%s"),
		    fresh, fresh == 1 ? "" : "s");
		buf_puts(&b, "</a></p>\n");
	}
	buf_printf(&b, "<p class=\"hint\">%s ", PL(q->lang,
	    "只有已验印的学时计入；政策：", "Only stamped hours count; "
	    "policy: "));
	page_esc(&b, policy_title(pol));
	buf_puts(&b, "</p>\n");
	for (i = 0; i < n; i++)
		year_card(q, &b, pol, &ys[i], i == 0);
	free(ys);
	serve_page_end(q, &b, 200);
}

/* ---- /my/records ----------------------------------------------------- */

/* The holder's valid course certificates by record (for the request
 * button): a small list read once per page. */
struct courses {
	int64_t *rec;
	char (*serial)[SERIAL_SIZE];
	bool *revoked;            /* revoked (not superseded) */
	size_t n, cap;
};

static int
course_add(void *ctx, const struct mine_cert *c)
{
	struct courses *cs = ctx;

	bool *v;

	/* A superseded one has its replacement in the list. */
	if (strcmp(c->kind, "course") != 0 || c->record_id == 0 ||
	    (c->revoked && strcmp(c->reason, "superseded") == 0))
		return 0;
	if (cs->n == cs->cap) {
		size_t cap = cs->cap ? cs->cap * 2 : 16;
		int64_t *r = realloc(cs->rec, cap * sizeof(*r));
		char (*s)[SERIAL_SIZE];

		if (r == NULL)
			return 1;
		cs->rec = r;
		if ((s = realloc(cs->serial, cap * sizeof(*s))) == NULL)
			return 1;
		cs->serial = s;
		if ((v = realloc(cs->revoked, cap * sizeof(*v))) == NULL)
			return 1;
		cs->revoked = v;
		cs->cap = cap;
	}
	cs->rec[cs->n] = c->record_id;
	memcpy(cs->serial[cs->n], c->serial, SERIAL_SIZE);
	cs->revoked[cs->n] = c->revoked;
	cs->n++;
	return 0;
}

/* The newest course certificate of record rec (listed by issue order
 * within a year), and whether it was revoked. */
static const char *
course_of(const struct courses *cs, int64_t rec, bool *revoked)
{
	const char *found = NULL;
	size_t i;

	for (i = 0; i < cs->n; i++)
		if (cs->rec[i] == rec) {
			found = cs->serial[i];
			*revoked = cs->revoked[i];
		}
	return found;
}

struct rec_page {
	struct sreq *q;
	struct buf *b;
	const struct courses *cs;
	size_t n;
};

static int
record_row(void *ctx, const struct mine_record *r)
{
	struct rec_page *p = ctx;
	struct buf *b = p->b;
	enum page_lang lang = p->q->lang;
	const char *have;
	bool revoked;

	p->n++;
	buf_printf(b, "<tr id=\"r%lld\" class=\"st-%s\"><td data-label=\"%s\">",
	    (long long)r->id, r->state, PL(lang, "课程", "Course"));
	page_esc(b, r->title);
	buf_puts(b, "<br><small>");
	page_esc(b, r->ref);
	buf_printf(b, "</small></td><td data-label=\"%s\">%d · ",
	    PL(lang, "年度/科目", "Year/subject"), r->year);
	page_esc(b, subject_name(lang, r->subject, r->public_type));
	buf_puts(b, " · ");
	page_esc(b, form_name(lang, r->form));
	buf_printf(b, "</td><td data-label=\"%s\">", PL(lang, "日期", "Dates"));
	page_esc(b, r->start);
	if (strcmp(r->start, r->end) != 0) {
		buf_puts(b, " – ");
		page_esc(b, r->end);
	}
	buf_printf(b, "</td><td data-label=\"%s\">", PL(lang, "学时", "Hours"));
	hours(b, r->hours10);
	buf_printf(b, "</td><td data-label=\"%s\">", PL(lang, "施训机构",
	    "Provider"));
	page_esc(b, r->provider);
	buf_printf(b, "</td><td data-label=\"%s\" class=\"state\"><strong>%s"
	    "</strong>", PL(lang, "状态", "State"), state_name(lang, r->state));
	if (strcmp(r->state, "stamped") == 0) {
		buf_puts(b, "<br>");
		page_esc(b, r->authority);
		buf_puts(b, " · ");
		page_time(b, lang, r->at);
	} else if (strcmp(r->state, "rejected") == 0 ||
	    strcmp(r->state, "withdrawn") == 0) {
		buf_printf(b, "<br><span class=\"reason\">%s", PL(lang,
		    "原因：", "Reason: "));
		page_esc(b, r->reason[0] ? r->reason : "-");
		buf_printf(b, "</span><br>%s", PL(lang, "退回/撤回单位：",
		    "By: "));
		page_esc(b, r->authority);
		buf_puts(b, " · ");
		page_time(b, lang, r->at);
		if (strcmp(r->state, "rejected") == 0) {
			buf_printf(b, "<br>%s", PL(lang, "请联系提交记录的施训"
			    "机构更正后重新提交：", "Ask the provider who "
			    "submitted it to correct it: "));
			page_esc(b, r->provider);
		}
	}
	buf_printf(b, "</td><td data-label=\"%s\">", PL(lang, "单项证书",
	    "Course certificate"));
	if (strcmp(r->state, "stamped") == 0) {
		have = course_of(p->cs, r->id, &revoked);
		if (have != NULL) {
			buf_printf(b, "<a href=\"/my/certs/%s%s\">%s</a>", have,
			    lq(p->q), revoked ? PL(lang, "单项证书（已撤销）",
			    "Course certificate (revoked)") : PL(lang, "单项证书",
			    "Course certificate"));
		} else {
			buf_puts(b, "<form method=\"post\" "
			    "action=\"/my/certs/request\">");
			serve_csrf_field(p->q, b);
			buf_printf(b, "<input type=\"hidden\" name=\"record\" "
			    "value=\"%lld\"><button type=\"submit\">%s</button>"
			    "</form>", (long long)r->id, PL(lang,
			    "申请单项证书", "Request a course certificate"));
		}
	} else
		buf_puts(b, "-");
	buf_puts(b, "</td></tr>\n");
	return b->oom ? 1 : 0;
}

void
serve_my_records(struct sreq *q)
{
	const char *ys = http_query(q->r, "year");
	enum page_lang lang = q->lang;
	struct courses cs = { NULL, NULL, NULL, 0, 0 };
	struct rec_page p;
	char err[HS_ERRLEN] = "";
	int64_t pid, year = 0;
	struct buf b;
	bool more = false, more2 = false;
	enum hs_err rc;

	if ((pid = holder(q)) == 0)
		return;
	if (ys != NULL && ys[0] != '\0' && (year = serve_decimal(ys, 2100)) <
	    1990) {
		serve_error(q, 400, "year: 1990..2100");
		return;
	}
	if ((rc = mine_certs(q->db, pid, course_add, &cs, &more2, err)) !=
	    HS_OK) {
		free(cs.rec);
		free(cs.serial);
		free(cs.revoked);
		serve_error(q, serve_status(rc), err);
		return;
	}
	buf_init(&b);
	serve_page_begin(q, &b, PL(lang, "我的学时记录", "My records"));
	buf_printf(&b, "<h1>%s</h1>\n<section class=\"card\">\n"
	    "<form method=\"get\" action=\"/my/records\">"
	    "<label for=\"year\">%s</label> <input id=\"year\" name=\"year\" "
	    "inputmode=\"numeric\" maxlength=\"4\" pattern=\"[0-9]{4}\"",
	    PL(lang, "我的学时记录", "My records"), PL(lang, "年度", "Year"));
	if (year > 0)
		buf_printf(&b, " value=\"%lld\"", (long long)year);
	buf_puts(&b, ">");
	if (lang == PAGE_EN)
		buf_puts(&b, "<input type=\"hidden\" name=\"lang\" "
		    "value=\"en\">");
	buf_printf(&b, " <button type=\"submit\">%s</button></form>\n",
	    PL(lang, "筛选", "Filter"));
	buf_printf(&b, "<table class=\"list\"><thead><tr><th>%s</th><th>%s"
	    "</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>"
	    "</thead><tbody>\n", PL(lang, "课程", "Course"),
	    PL(lang, "年度/科目", "Year/subject"), PL(lang, "日期", "Dates"),
	    PL(lang, "学时", "Hours"), PL(lang, "施训机构", "Provider"),
	    PL(lang, "状态", "State"), PL(lang, "单项证书", "Course certificate"));
	p.q = q;
	p.b = &b;
	p.cs = &cs;
	p.n = 0;
	rc = mine_records(q->db, pid, (int)year, record_row, &p, &more, err);
	free(cs.rec);
	free(cs.serial);
	free(cs.revoked);
	if (rc != HS_OK) {
		buf_free(&b);
		serve_error(q, serve_status(rc), err);
		return;
	}
	buf_puts(&b, "</tbody></table>\n");
	if (p.n == 0)
		buf_printf(&b, "<p>%s</p>\n", PL(lang, "没有记录。",
		    "No records."));
	if (more)
		buf_printf(&b, "<p class=\"hint\">%s</p>\n", PL(lang,
		    "只列出前 5000 条；请按年度筛选。", "Only the first 5,000 "
		    "are listed; filter by year."));
	buf_puts(&b, "</section>\n");
	serve_page_end(q, &b, 200);
}

/* ---- /my/certs ------------------------------------------------------- */

/* The status cell of a certificate. */
static void
cert_status(struct sreq *q, struct buf *b, const struct mine_cert *c)
{
	enum page_lang lang = q->lang;

	if (!c->revoked) {
		buf_printf(b, "<strong class=\"ok\">%s</strong>", PL(lang,
		    "有效", "Valid"));
	} else if (strcmp(c->reason, "superseded") == 0) {
		buf_printf(b, "<strong>%s</strong>", PL(lang, "已被替换",
		    "Superseded"));
		if (c->replaced_by[0]) {
			buf_printf(b, " → <a class=\"replacement\" href=\""
			    "/my/certs/%s%s\">", c->replaced_by, lq(q));
			page_esc(b, c->replaced_by);
			buf_puts(b, "</a>");
		}
	} else {
		buf_printf(b, "<strong class=\"bad\">%s</strong>: ", PL(lang,
		    "已撤销", "Revoked"));
		page_esc(b, page_revoke_reason(lang, c->reason));
		if (c->revoke_note[0]) {
			buf_puts(b, "（");
			page_esc(b, c->revoke_note);
			buf_puts(b, "）");
		}
	}
	if (c->revoked && c->revoked_at[0]) {
		buf_puts(b, " · ");
		page_time(b, lang, c->revoked_at);
	}
}

static int
cert_row(void *ctx, const struct mine_cert *c)
{
	struct rec_page *p = ctx;
	struct buf *b = p->b;
	enum page_lang lang = p->q->lang;

	p->n++;
	buf_printf(b, "<tr id=\"c-%s\"><td data-label=\"%s\"><a href=\""
	    "/my/certs/%s%s\">%s</a></td><td data-label=\"%s\">%d · %s</td>"
	    "<td data-label=\"%s\">", c->serial, PL(lang, "编号", "Serial"),
	    c->serial, lq(p->q), c->serial, PL(lang, "年度/类型",
	    "Year/kind"), c->year, strcmp(c->kind, "annual") == 0 ?
	    PL(lang, "年度证书", "Annual") : PL(lang, "单项证书", "Course"),
	    PL(lang, "学时", "Hours"));
	hours(b, c->total10);
	buf_printf(b, "</td><td data-label=\"%s\">", PL(lang, "签发", "Issued"));
	page_time(b, lang, c->issued);
	buf_printf(b, "</td><td data-label=\"%s\" class=\"status\">",
	    PL(lang, "状态", "Status"));
	cert_status(p->q, b, c);
	buf_printf(b, "</td><td data-label=\"%s\">", PL(lang, "下载",
	    "Download"));
	if (c->pdf_sha256[0])
		buf_printf(b, "<a href=\"/my/certs/%s.pdf\" download>PDF</a>",
		    c->serial);
	else
		buf_puts(b, "-");
	buf_puts(b, "</td></tr>\n");
	return b->oom ? 1 : 0;
}

void
serve_my_certs(struct sreq *q)
{
	enum page_lang lang = q->lang;
	struct rec_page p;
	char err[HS_ERRLEN] = "";
	int64_t pid;
	struct buf b;
	bool more = false;
	enum hs_err rc;

	if ((pid = holder(q)) == 0)
		return;
	buf_init(&b);
	serve_page_begin(q, &b, PL(lang, "我的证书", "My certificates"));
	buf_printf(&b, "<h1>%s</h1>\n<section class=\"card\">\n"
	    "<table class=\"list\"><thead><tr><th>%s</th><th>%s</th><th>%s"
	    "</th><th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>\n",
	    PL(lang, "我的证书", "My certificates"), PL(lang, "编号", "Serial"),
	    PL(lang, "年度/类型", "Year/kind"), PL(lang, "学时", "Hours"),
	    PL(lang, "签发", "Issued"), PL(lang, "状态", "Status"),
	    PL(lang, "下载", "Download"));
	p.q = q;
	p.b = &b;
	p.cs = NULL;
	p.n = 0;
	if ((rc = mine_certs(q->db, pid, cert_row, &p, &more, err)) != HS_OK) {
		buf_free(&b);
		serve_error(q, serve_status(rc), err);
		return;
	}
	buf_puts(&b, "</tbody></table>\n");
	if (p.n == 0)
		buf_printf(&b, "<p>%s</p>\n", PL(lang, "还没有证书。",
		    "No certificates yet."));
	buf_printf(&b, "<p class=\"hint\">%s</p>\n</section>\n", PL(lang,
	    "单项证书可在“我的学时记录”中为已验印的记录申请。",
	    "A course certificate can be requested for a stamped record on "
	    "the records page."));
	buf_printf(&b, "<p><a href=\"/my/records%s\">%s</a></p>\n", lq(q),
	    PL(lang, "我的学时记录", "My records"));
	serve_page_end(q, &b, 200);
}

/* The holder's certificate named by q->arg, or false with 404 sent. */
static bool
my_cert(struct sreq *q, int64_t pid, struct mine_cert *c)
{
	char serial[SERIAL_SIZE], err[HS_ERRLEN] = "";
	enum hs_err rc;

	if (serial_parse(q->arg, serial, err) != HS_OK) {
		serve_error(q, 404, "no such certificate");
		return false;
	}
	if ((rc = mine_cert_get(q->db, pid, serial, c, err)) != HS_OK) {
		serve_error(q, rc == HS_ERR_NOTFOUND ? 404 : serve_status(rc),
		    rc == HS_ERR_NOTFOUND ? "no such certificate" : err);
		return false;
	}
	return true;
}

/* GET /my/certs/<serial>.pdf: the very file whose SHA-256 was recorded. */
void
serve_my_cert_pdf(struct sreq *q)
{
	const struct serve_opts *so = serve_opts(q->sv);
	struct mine_cert *c;
	char err[HS_ERRLEN] = "", hex[65], cd[96];
	const char *h[9];
	uint8_t d[32];
	char *data = NULL;
	size_t len = 0;
	int64_t pid;
	enum hs_err rc;

	if ((pid = holder(q)) == 0)
		return;
	if ((c = malloc(sizeof(*c))) == NULL) {
		serve_error(q, 503, "out of memory");
		return;
	}
	if (!my_cert(q, pid, c)) {
		free(c);
		return;
	}
	if (c->pdf_file[0] == '\0' || c->pdf_sha256[0] == '\0') {
		free(c);
		serve_error(q, 404, PL(q->lang, "此证书没有 PDF 文件",
		    "this certificate has no PDF file"));
		return;
	}
	if ((rc = file_read(c->pdf_file, MY_MAX_PDF, &data, &len, err)) !=
	    HS_OK) {
		fprintf(so->log, "hourseal-issuer serve: certificate %s: PDF "
		    "not readable: %s\n", c->serial, err);
		free(c);
		serve_error(q, 500, PL(q->lang, "证书文件暂不可用",
		    "the certificate file is unavailable"));
		return;
	}
	sha256(data, len, d);
	hex_encode(d, 32, hex);
	if (strcmp(hex, c->pdf_sha256) != 0) {
		/* Never send a file other than the one recorded. */
		fprintf(so->log, "hourseal-issuer serve: certificate %s: PDF "
		    "SHA-256 %s differs from the recorded %s; not sent\n",
		    c->serial, hex, c->pdf_sha256);
		free(data);
		free(c);
		serve_error(q, 500, PL(q->lang, "证书文件与签发记录不符",
		    "the certificate file does not match the issued one"));
		return;
	}
	snprintf(cd, sizeof(cd), "attachment; filename=%s.pdf", c->serial);
	free(c);
	h[0] = "Content-Disposition";
	h[1] = cd;
	h[2] = "Cache-Control";
	h[3] = "no-store";
	h[4] = "X-Content-Type-Options";
	h[5] = "nosniff";
	h[6] = NULL;
	http_reply(q->r, 200, "application/pdf", data, len, HTTP_MEM_FREE, h);
}

/* GET /my/certs/<serial>: one certificate. */
void
serve_my_cert_show(struct sreq *q)
{
	const struct serve_opts *so = serve_opts(q->sv);
	enum page_lang lang = q->lang;
	struct mine_cert *c;
	struct mine_record r;
	char err[HS_ERRLEN];
	int64_t pid;
	struct buf b;

	if ((pid = holder(q)) == 0)
		return;
	if ((c = malloc(sizeof(*c))) == NULL) {
		serve_error(q, 503, "out of memory");
		return;
	}
	if (!my_cert(q, pid, c)) {
		free(c);
		return;
	}
	buf_init(&b);
	serve_page_begin(q, &b, c->serial);
	buf_printf(&b, "<h1>%s</h1>\n<section class=\"card\">\n<p class=\""
	    "serial\">%s</p>\n<dl>\n", PL(lang, "证书", "Certificate"),
	    c->serial);
	buf_printf(&b, "<dt>%s</dt><dd class=\"status\">", PL(lang, "状态",
	    "Status"));
	cert_status(q, &b, c);
	buf_printf(&b, "</dd>\n<dt>%s</dt><dd>%d</dd>\n<dt>%s</dt><dd>%s</dd>\n"
	    "<dt>%s</dt><dd>", PL(lang, "年度", "Year"), c->year,
	    PL(lang, "类型", "Kind"), strcmp(c->kind, "annual") == 0 ?
	    PL(lang, "年度证书", "Annual") : PL(lang, "单项证书", "Course"),
	    PL(lang, "学时", "Hours"));
	hours(&b, c->total10);
	if (c->status[0])
		buf_printf(&b, " · %s", strcmp(c->status, "met") == 0 ?
		    PL(lang, "达到要求", "requirement met") :
		    PL(lang, "未达到要求", "requirement not met"));
	buf_printf(&b, "</dd>\n<dt>%s</dt><dd>", PL(lang, "签发时间",
	    "Issued"));
	page_time(&b, lang, c->issued);
	buf_puts(&b, "</dd>\n");
	if (c->replaces[0])
		buf_printf(&b, "<dt>%s</dt><dd><a href=\"/my/certs/%s%s\">%s"
		    "</a></dd>\n", PL(lang, "替换了", "Replaces"), c->replaces,
		    lq(q), c->replaces);
	if (c->record_id != 0 && mine_record_get(q->db, pid, c->record_id, &r,
	    err) == HS_OK) {
		buf_printf(&b, "<dt>%s</dt><dd>", PL(lang, "课程", "Course"));
		page_esc(&b, r.title);
		buf_puts(&b, " · ");
		page_esc(&b, r.provider);
		buf_puts(&b, "</dd>\n");
	}
	buf_puts(&b, "</dl>\n<ul class=\"actions\">");
	if (c->pdf_sha256[0])
		buf_printf(&b, "<li><a href=\"/my/certs/%s.pdf\" download>%s"
		    "</a> <small>SHA-256 %s</small></li>", c->serial,
		    PL(lang, "下载 PDF", "Download the PDF"), c->pdf_sha256);
	if (so->cfg->base_url[0]) {
		buf_puts(&b, "<li><a class=\"verify\" href=\"");
		page_esc(&b, so->cfg->base_url);
		buf_printf(&b, "/c/%s\">%s</a></li>", c->serial,
		    PL(lang, "公开核验页面", "Public verification page"));
	}
	buf_printf(&b, "<li><a href=\"/my/certs%s\">%s</a></li></ul>\n"
	    "</section>\n", lq(q), PL(lang, "全部证书", "All certificates"));
	free(c);
	serve_page_end(q, &b, 200);
}

/* ---- POST /my/certs/request ------------------------------------------ */

static void
request_page(struct sreq *q, int status, const char *msg,
    const char *serial)
{
	struct buf b;
	enum page_lang lang = q->lang;

	buf_init(&b);
	serve_page_begin(q, &b, PL(lang, "申请单项证书",
	    "Course certificate"));
	buf_printf(&b, "<h1>%s</h1>\n<section class=\"card\">\n<p class=\"%s\""
	    " role=\"status\">", PL(lang, "申请单项证书", "Course certificate"),
	    status == 200 ? "notice" : "error");
	page_esc(&b, msg);
	buf_puts(&b, "</p>\n");
	if (serial != NULL && serial[0])
		buf_printf(&b, "<p><a class=\"cert\" href=\"/my/certs/%s%s\">"
		    "%s</a></p>\n", serial, lq(q), serial);
	buf_printf(&b, "<p><a href=\"/my/records%s\">%s</a></p>\n</section>\n",
	    lq(q), PL(lang, "返回我的学时记录", "Back to my records"));
	serve_page_end(q, &b, status);
}

void
serve_my_cert_request(struct sreq *q)
{
	const struct serve_opts *so = serve_opts(q->sv);
	const char *rs = form_get(&q->form, "record");
	struct records_person *p = NULL;
	struct mine_record r;
	struct issue *is = NULL;
	struct issue_opts o;
	struct issue_stats st;
	struct actor who;
	char err[HS_ERRLEN] = "", have[SERIAL_SIZE] = "", dir[PATH_MAX];
	char msg[HS_ERRLEN + 64];
	int64_t pid, rec;
	enum hs_err rc;

	if ((pid = holder(q)) == 0)
		return;
	if ((rec = serve_decimal(rs, INT64_MAX / 2)) <= 0) {
		serve_error(q, 400, "record: required, a record number");
		return;
	}
	rc = myview_course_check(q->db, pid, rec, &r, have, err);
	if (rc == HS_ERR_NOTFOUND) {
		serve_error(q, 404, "no such record");
		return;
	}
	if (rc == HS_ERR_EXISTS) {
		snprintf(msg, sizeof(msg), PL(q->lang, "记录 %s 已有有效的单项"
		    "证书。", "Record %s already has a valid course "
		    "certificate."), r.ref);
		request_page(q, 409, msg, have);
		return;
	}
	if (rc == HS_ERR_STATE && have[0] != '\0') {
		snprintf(msg, sizeof(msg), PL(q->lang, "记录 %s 的单项证书已被"
		    "撤销，不能在此重新申请；请联系人力资源和社会保障部门。",
		    "Record %s's course certificate was revoked; it cannot be "
		    "requested again here: ask your HR office."), r.ref);
		request_page(q, 409, msg, have);
		return;
	}
	if (rc == HS_ERR_STATE) {
		snprintf(msg, sizeof(msg), PL(q->lang, "记录 %s 当前为“%s”，"
		    "只有已验印的记录可以申请证书。", "Record %s is %s: only a "
		    "stamped record can have a certificate."), r.ref,
		    state_name(q->lang, r.state));
		request_page(q, 409, msg, NULL);
		return;
	}
	if (rc != HS_OK) {
		serve_error(q, serve_status(rc), err);
		return;
	}
	if (snprintf(dir, sizeof(dir), "%s/pdfs", so->data_dir) >=
	    (int)sizeof(dir)) {
		serve_error(q, 500, "data directory path too long");
		return;
	}
	if ((p = malloc(sizeof(*p))) == NULL) {
		serve_error(q, 503, "out of memory");
		return;
	}
	if ((rc = records_person_get(q->db, pid, p, err)) != HS_OK) {
		free(p);
		serve_error(q, serve_status(rc), err);
		return;
	}
	if ((rc = serve_issue_open(q, ISSUE_RENDER, &is, err)) != HS_OK) {
		OPENSSL_cleanse(p, sizeof(*p));
		free(p);
		serve_error(q, rc == HS_ERR_STATE ? 503 : serve_status(rc),
		    err);
		return;
	}
	serve_actor(q, &who);
	memset(&o, 0, sizeof(o));
	memset(&st, 0, sizeof(st));
	o.year = r.year;
	o.kind = CERT_COURSE;
	o.id_number = p->id_number;
	o.record_id = rec;
	o.out_dir = dir;
	o.quiet = true;
	o.batch = 1;
	o.workers = 1;
	if ((rc = issue_set_actor(is, &who, err)) == HS_OK)
		rc = issue_run(is, &o, &st, err);
	issue_close(is);
	OPENSSL_cleanse(p, sizeof(*p));
	free(p);
	if (rc != HS_OK) {
		serve_error(q, serve_status(rc), err);
		return;
	}
	if (st.issued != 1 || myview_course_check(q->db, pid, rec, &r, have,
	    err) != HS_ERR_EXISTS) {
		/* Checked above: only a race with another writer ends here. */
		serve_error(q, 409, PL(q->lang, "未签发，请稍后重试",
		    "nothing was issued; try again"));
		return;
	}
	snprintf(msg, sizeof(msg), PL(q->lang, "已为记录 %s 签发单项证书。",
	    "A course certificate was issued for record %s."), r.ref);
	request_page(q, 200, msg, have);
}

/* ---- /my/notices ----------------------------------------------------- */

struct notice_page {
	struct sreq *q;
	struct buf *b;
	size_t n;
};

static int
notice_item(void *ctx, const struct myview_notice *nt)
{
	struct notice_page *p = ctx;
	struct buf *b = p->b;
	enum page_lang lang = p->q->lang;
	const struct mine_notice *n = &nt->n;

	p->n++;
	buf_printf(b, "<li class=\"notice-%s%s\">", n->kind == MINE_SUPERSEDED ?
	    "superseded" : n->kind == MINE_REVOKED ? "revoked" : "rejected",
	    nt->fresh ? " fresh" : "");
	if (nt->fresh)
		buf_printf(b, "<strong class=\"new\">%s</strong> ",
		    PL(lang, "新", "New"));
	page_time(b, lang, n->at);
	buf_puts(b, " · ");
	switch (n->kind) {
	case MINE_SUPERSEDED:
		buf_printf(b, "%s <a href=\"/my/certs/%s%s\">%s</a> %s",
		    PL(lang, "证书", "Certificate"), n->object, lq(p->q),
		    n->object, PL(lang, "已被替换为", "was superseded by"));
		if (n->other[0])
			buf_printf(b, " <a class=\"replacement\" href=\""
			    "/my/certs/%s%s\">%s</a>", n->other, lq(p->q),
			    n->other);
		break;
	case MINE_REVOKED:
		buf_printf(b, "%s <a href=\"/my/certs/%s%s\">%s</a> %s: ",
		    PL(lang, "证书", "Certificate"), n->object, lq(p->q),
		    n->object, PL(lang, "已被撤销，原因", "was revoked"));
		page_esc(b, page_revoke_reason(lang, n->reason));
		if (n->note[0]) {
			buf_puts(b, "（");
			page_esc(b, n->note);
			buf_puts(b, "）");
		}
		break;
	case MINE_REJECTED:
		buf_printf(b, "%s ", PL(lang, "记录", "Record"));
		page_esc(b, n->object);
		buf_puts(b, "（");
		page_esc(b, n->title);
		buf_printf(b, "）%s ", PL(lang, "被退回，原因：",
		    "was rejected: "));
		page_esc(b, n->reason[0] ? n->reason : "-");
		buf_printf(b, "；%s", PL(lang, "退回单位：", " by "));
		page_esc(b, n->by);
		buf_printf(b, "；%s", PL(lang, "请联系施训机构：",
		    " ask the provider: "));
		page_esc(b, n->provider);
		break;
	}
	buf_puts(b, "</li>\n");
	return b->oom ? 1 : 0;
}

void
serve_my_notices(struct sreq *q)
{
	enum page_lang lang = q->lang;
	struct notice_page p;
	char err[HS_ERRLEN] = "";
	int64_t pid, seen = 0;
	size_t fresh = 0;
	struct buf b;
	enum hs_err rc;

	if ((pid = holder(q)) == 0)
		return;
	if ((rc = mine_notices_seen(q->db, q->acct.id, &seen, err)) != HS_OK) {
		serve_error(q, serve_status(rc), err);
		return;
	}
	buf_init(&b);
	serve_page_begin(q, &b, PL(lang, "消息", "Notices"));
	buf_printf(&b, "<h1>%s</h1>\n<section class=\"card\">\n<ul "
	    "class=\"actions notices\">\n", PL(lang, "消息", "Notices"));
	p.q = q;
	p.b = &b;
	p.n = 0;
	if ((rc = myview_notices(q->db, pid, seen, MY_MAX_NOTICES, notice_item,
	    &p, &fresh, err)) != HS_OK) {
		buf_free(&b);
		serve_error(q, serve_status(rc), err);
		return;
	}
	buf_puts(&b, "</ul>\n");
	if (p.n == 0)
		buf_printf(&b, "<p>%s</p>\n", PL(lang, "没有消息。",
		    "No notices."));
	buf_puts(&b, "</section>\n");
	/* Read now: the home page's count starts again from here. A GET
	 * that changes this one column (no audit row: it is the holder's
	 * own reading mark, not an action on data). HEAD does not. */
	if (strcmp(http_method(q->r), "GET") == 0 &&
	    mine_notices_seen_set(q->db, q->acct.id, q->now, err) != HS_OK)
		fprintf(serve_opts(q->sv)->log, "hourseal-issuer serve: "
		    "notices seen: %s\n", err);
	serve_page_end(q, &b, 200);
}

/* ---- /my/data.json --------------------------------------------------- */

void
serve_my_data(struct sreq *q)
{
	static const char *const h[] = { "Cache-Control", "no-store",
	    "Content-Disposition", "attachment; filename=hourseal-my-data.json",
	    "X-Content-Type-Options", "nosniff", NULL };
	char err[HS_ERRLEN] = "", now[21];
	int64_t pid;
	struct buf b;
	enum hs_err rc;

	if ((pid = holder(q)) == 0)
		return;
	time_rfc3339((time_t)q->now, now);
	buf_init(&b);
	if ((rc = mine_export(q->db, pid, q->acct.id, now, &b, err)) != HS_OK) {
		buf_free(&b);
		serve_error(q, serve_status(rc), err);
		return;
	}
	http_reply(q->r, 200, "application/json; charset=utf-8", b.data, b.len,
	    HTTP_MEM_FREE, h);
}
