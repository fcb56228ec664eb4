/*
 * serve_admin_records.c - the 验印 console's record pages: the queue of
 * records in the account's scope (/admin/records: filters, paging by key,
 * stamp or reject the ticked ones), one record with its whole history
 * (/admin/records/<id>) and its forms (stamp, reject, withdraw, correct).
 *
 * Every change goes through app/stamp.h, the functions the CLI calls, with
 * the principal the session belongs to: the organisation a stamp carries
 * comes from the account, scope is the library's rule, and a record out of
 * scope answers 404 exactly as a missing one. Pages are server-rendered and
 * need no JavaScript; every string from the database is escaped.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <openssl/crypto.h>

#include "app/stamp.h"
#include "cert/policy.h"
#include "core/util.h"
#include "store/recowner.h"
#include "web/page.h"
#include "cmd.h"
#include "serve.h"

/* Rows on one queue page (the page size the issue asks for). */
#define QUEUE_PAGE 50
/* Records ticked in one form at most: a page and some. */
#define QUEUE_TICK_MAX 200
/* Bytes of a free-text filter (unit, provider, domain). */
#define FILTER_TEXT_MAX 200

/*
 * The console's own rules, added to the service's style sheet: a wide
 * column for tables, filters in a grid, states in colour, short cells
 * that never break in the middle of a word (Chinese breaks anywhere, so
 * narrow columns would stack one character a line). Below 40rem the
 * tables turn into cards (page.c's table.records rules).
 */
const char console_records_css[] =
"main:has(table.records),body:has(table.records) nav.console,"
"body:has(table.records) footer{max-width:84rem}\n"
".filters{display:grid;grid-template-columns:repeat(auto-fill,"
"minmax(11rem,1fr));gap:.6rem 1rem;align-items:end}\n"
".field{display:flex;flex-direction:column;gap:.25rem;min-width:0}\n"
".field label{font-size:.9rem}\n"
".field input[type=text],.field select{height:2.6rem;padding:.3rem .6rem}\n"
"select{font:inherit;border:1px solid var(--line);border-radius:8px;"
"background:#fff;width:100%}\n"
".field.actions{flex-direction:row;align-items:center;gap:1rem}\n"
".grid{display:grid;grid-template-columns:repeat(auto-fill,"
"minmax(14rem,1fr));gap:.6rem 1rem}\n"
".card form button{align-self:flex-start;min-width:8rem}\n"
".buttons{display:flex;flex-wrap:wrap;gap:.6rem}\n"
"button.danger{background:var(--bad)}\n"
"p.notice{background:#e8f4ec;border:1px solid #b9dcc4;border-radius:8px;"
"padding:.6rem .8rem;margin:0 0 1rem;font-weight:400;color:var(--ink)}\n"
".crumbs{color:var(--mute);margin:0}\n"
".badge{display:inline-block;padding:.15rem .7rem;border-radius:999px;"
"background:#eef0f3;font-weight:600}\n"
".state-waiting{color:var(--warn)}\n"
".state-stamped{color:var(--ok)}\n"
".state-rejected,.state-withdrawn{color:var(--bad)}\n"
".state-corrected{color:#1a57c6}\n"
".nowrap{white-space:nowrap}\n"
"td.mid{min-width:4.5em}\n"
"td.wide{min-width:7em}\n"
"td.tick input{width:1.25rem;height:1.25rem;margin:0}\n"
"ul.fields{margin:0;padding-left:1.1rem}\n"
"del{color:var(--bad)}ins{color:var(--ok);text-decoration:none}\n"
"p.hint+.tablewrap{margin-top:.6rem}\n"
"table.records th{white-space:nowrap}\n"
"table.audit td.mono,table.audit span.mono{white-space:nowrap}\n"
".pager{display:flex;flex-wrap:wrap;gap:1rem}\n"
"@media (max-width:40rem){td.mid,td.wide{min-width:0}"
"table.records td:empty{display:none}"
".filters{grid-template-columns:1fr 1fr}"
".filters .field.actions{grid-column:1/-1}}\n";

/* ---- words ---- */

/* A stored word and what the console shows for it. */
struct word {
	const char *key, *zh, *en;
};

static const struct word state_words[] = {
	{ "waiting", "待验印", "waiting" },
	{ "stamped", "已验印", "stamped" },
	{ "rejected", "已退回", "rejected" },
	{ "withdrawn", "已撤回", "withdrawn" },
	{ "corrected", "已更正", "corrected" },
	{ NULL, NULL, NULL },
};

static const struct word subject_words[] = {
	{ "public", "公需科目", "public" },
	{ "public/compulsory", "公需科目（必修）", "public (compulsory)" },
	{ "public/elective", "公需科目（选修）", "public (elective)" },
	{ "professional", "专业科目", "professional" },
	{ NULL, NULL, NULL },
};

static const struct word kind_words[] = {
	{ "hr", "人社部门", "HR department" },
	{ "industry", "行业主管部门", "industry department" },
	{ "auto", "自动验印", "automatic" },
	{ NULL, NULL, NULL },
};

/* s in lang by table t; s itself when t does not have it. */
static const char *
word(enum page_lang lang, const struct word *t, const char *s)
{
	for (; t->key != NULL; t++)
		if (strcmp(s, t->key) == 0)
			return PL(lang, t->zh, t->en);
	return s;
}

static const char *
state_word(enum page_lang lang, const char *s)
{
	return word(lang, state_words, s);
}

static const char *
subject_word(enum page_lang lang, const char *s)
{
	return word(lang, subject_words, s);
}

static const char *
kind_word(enum page_lang lang, const char *k)
{
	return word(lang, kind_words, k);
}

/* The nine forms of continuing education (domain.md), by number. */
static const struct {
	const char *zh, *en;
} forms[10] = {
	{ "", "" },
	{ "网络学习", "online" },
	{ "面授培训", "face-to-face" },
	{ "行业组织培训", "industry training" },
	{ "单位组织学习", "employer activity" },
	{ "进修实践", "practice / further study" },
	{ "学历教育", "degree study" },
	{ "学术活动", "academic event" },
	{ "成果折算", "achievement" },
	{ "其他形式", "other" },
};

static const char *
form_word(enum page_lang lang, int form)
{
	if (form < 1 || form > 9)
		return "";
	return PL(lang, forms[form].zh, forms[form].en);
}

/* ---- the queue's filters ---- */

/* The queue's query: the filter, its strings, and where the page starts. */
struct qargs {
	struct stamp_filter f;
	char unit[FILTER_TEXT_MAX + 1];
	char provider[FILTER_TEXT_MAX + 1];
	char domain[FILTER_TEXT_MAX + 1];
	char subject[16];
	char state[16];
	int64_t after;
};

/* Whether s is valid UTF-8 of at most max bytes without control
 * characters: what a filter, a reason or a correction field may be. */
static bool
text_ok(const char *s, size_t max)
{
	size_t n = strlen(s), i;

	if (n > max || !utf8_valid(s, n))
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

/* A positive decimal integer of at most 18 digits; 0 if it is not one. */
static int64_t
parse_id(const char *s)
{
	int64_t v = serve_decimal(s, INT64_MAX);

	return v > 0 ? v : 0;
}

/* A parameter: the form's field on a POST, the query's on a GET. */
static const char *
arg(struct sreq *q, const char *key)
{
	if (q->rt->body == BODY_FORM)
		return form_get(&q->form, key);
	return http_query(q->r, key);
}

static const char *const subjects[] = { "public", "professional", NULL };
static const char *const states[] = { "waiting", "stamped", "rejected",
	"withdrawn", "any", NULL };

static bool
one_of(const char *s, const char *const *set)
{
	for (; *set != NULL; set++)
		if (strcmp(s, *set) == 0)
			return true;
	return false;
}

/*
 * Reads and checks the queue's parameters before any database access.
 * Empty means "any". HS_ERR_INVALID naming the parameter.
 */
static enum hs_err
qargs_parse(struct sreq *rq, struct qargs *q, char *err)
{
	const char *v;

	memset(q, 0, sizeof *q);
	if ((v = arg(rq, "year")) != NULL && v[0] != '\0') {
		int64_t y = parse_id(v);

		if (y < 1900 || y > 2999)
			return hs_fail(err, HS_ERR_INVALID, "year: must be a "
			    "year such as 2024");
		q->f.year = (int)y;
	}
	if ((v = arg(rq, "form")) != NULL && v[0] != '\0') {
		int64_t f = parse_id(v);

		if (f < 1 || f > 9)
			return hs_fail(err, HS_ERR_INVALID, "form: must be 1 "
			    "to 9");
		q->f.form = (int)f;
	}
	if ((v = arg(rq, "subject")) != NULL && v[0] != '\0') {
		if (!one_of(v, subjects))
			return hs_fail(err, HS_ERR_INVALID, "subject: must be "
			    "public or professional");
		snprintf(q->subject, sizeof q->subject, "%s", v);
		q->f.subject = q->subject;
	}
	if ((v = arg(rq, "state")) != NULL && v[0] != '\0') {
		if (!one_of(v, states))
			return hs_fail(err, HS_ERR_INVALID, "state: must be "
			    "waiting, stamped, rejected, withdrawn or any");
		snprintf(q->state, sizeof q->state, "%s", v);
		q->f.state = q->state;
	}
	static const struct {
		const char *name;
		size_t off;
	} texts[] = {
		{ "unit", offsetof(struct qargs, unit) },
		{ "provider", offsetof(struct qargs, provider) },
		{ "domain", offsetof(struct qargs, domain) },
	};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		char *dst = (char *)q + texts[i].off;

		if ((v = arg(rq, texts[i].name)) == NULL || v[0] == '\0')
			continue;
		if (!text_ok(v, FILTER_TEXT_MAX))
			return hs_fail(err, HS_ERR_INVALID, "%s: at most %d "
			    "bytes of text without control characters",
			    texts[i].name, FILTER_TEXT_MAX);
		memcpy(dst, v, strlen(v) + 1);
	}
	q->f.unit = q->unit[0] != '\0' ? q->unit : NULL;
	q->f.provider = q->provider[0] != '\0' ? q->provider : NULL;
	q->f.domain = q->domain[0] != '\0' ? q->domain : NULL;
	if ((v = arg(rq, "after")) != NULL && v[0] != '\0' &&
	    (q->after = parse_id(v)) == 0)
		return hs_fail(err, HS_ERR_INVALID, "after: must be a record "
		    "number");
	return HS_OK;
}

/* Appends s percent-encoded for a query string value. */
static void
url_esc(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~')
			buf_putc(b, (char)c);
		else {
			buf_putc(b, '%');
			buf_putc(b, hex[c >> 4]);
			buf_putc(b, hex[c & 15]);
		}
	}
}

/*
 * The query string (without '?') that selects q's filter, with
 * after=<after> if after > 0. Raw: escape it for an attribute.
 */
static void
qargs_query(struct buf *b, const struct qargs *q, int64_t after)
{
	size_t start = b->len;

#define SEP() do { if (b->len > start) buf_putc(b, '&'); } while (0)
	if (q->f.year != 0) {
		SEP();
		buf_printf(b, "year=%d", q->f.year);
	}
	if (q->unit[0] != '\0') {
		SEP();
		buf_puts(b, "unit=");
		url_esc(b, q->unit);
	}
	if (q->provider[0] != '\0') {
		SEP();
		buf_puts(b, "provider=");
		url_esc(b, q->provider);
	}
	if (q->domain[0] != '\0') {
		SEP();
		buf_puts(b, "domain=");
		url_esc(b, q->domain);
	}
	if (q->f.form != 0) {
		SEP();
		buf_printf(b, "form=%d", q->f.form);
	}
	if (q->subject[0] != '\0') {
		SEP();
		buf_printf(b, "subject=%s", q->subject);
	}
	if (q->state[0] != '\0') {
		SEP();
		buf_printf(b, "state=%s", q->state);
	}
	if (after > 0) {
		SEP();
		buf_printf(b, "after=%" PRId64, after);
	}
#undef SEP
}

/* The filter's fields again as hidden inputs (the POST form keeps them
 * so the answer can go back to the same view). */
static void
qargs_hidden(struct buf *b, const struct qargs *q)
{
	if (q->f.year != 0)
		buf_printf(b, "<input type=\"hidden\" name=\"year\" "
		    "value=\"%d\">\n", q->f.year);
	if (q->f.form != 0)
		buf_printf(b, "<input type=\"hidden\" name=\"form\" "
		    "value=\"%d\">\n", q->f.form);
	static const struct {
		const char *name;
		size_t off;
	} texts[] = {
		{ "unit", offsetof(struct qargs, unit) },
		{ "provider", offsetof(struct qargs, provider) },
		{ "domain", offsetof(struct qargs, domain) },
		{ "subject", offsetof(struct qargs, subject) },
		{ "state", offsetof(struct qargs, state) },
	};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		const char *v = (const char *)q + texts[i].off;

		if (v[0] == '\0')
			continue;
		buf_printf(b, "<input type=\"hidden\" name=\"%s\" value=\"",
		    texts[i].name);
		page_esc(b, v);
		buf_puts(b, "\">\n");
	}
}

/* ---- the queue page ---- */

static void
text_input(struct buf *b, const char *name, const char *label,
    const char *value, const char *extra)
{
	buf_printf(b, "<div class=\"field\"><label for=\"f-%s\">%s</label>"
	    "<input type=\"text\" id=\"f-%s\" name=\"%s\" value=\"", name,
	    label, name, name);
	page_esc(b, value);
	buf_printf(b, "\"%s></div>\n", extra != NULL ? extra : "");
}

static void
option(struct buf *b, const char *value, const char *label, bool selected)
{
	buf_puts(b, "<option value=\"");
	page_esc(b, value);
	buf_printf(b, "\"%s>", selected ? " selected" : "");
	page_esc(b, label);
	buf_puts(b, "</option>");
}

/* The filter form (GET). */
static void
filter_form(struct buf *b, enum page_lang lang, const struct qargs *q)
{
	char year[12] = "";
	int i;

	if (q->f.year != 0)
		snprintf(year, sizeof year, "%d", q->f.year);
	buf_puts(b, "<form method=\"get\" action=\"/admin/records\" "
	    "class=\"filters card\">\n");
	text_input(b, "year", PL(lang, "年度", "Year"), year,
	    " inputmode=\"numeric\" maxlength=\"4\"");
	text_input(b, "unit", PL(lang, "工作单位", "Unit"), q->unit,
	    " maxlength=\"100\"");
	text_input(b, "provider", PL(lang, "施训机构", "Provider"),
	    q->provider, " maxlength=\"100\"");
	text_input(b, "domain", PL(lang, "专业领域", "Domain"), q->domain,
	    " maxlength=\"60\"");
	buf_printf(b, "<div class=\"field\"><label for=\"f-form\">%s</label>"
	    "<select id=\"f-form\" name=\"form\">",
	    PL(lang, "学习形式", "Form"));
	option(b, "", PL(lang, "全部", "any"), q->f.form == 0);
	for (i = 1; i <= 9; i++) {
		char v[12];

		snprintf(v, sizeof v, "%d", i);
		option(b, v, form_word(lang, i), q->f.form == i);
	}
	buf_printf(b, "</select></div>\n<div class=\"field\"><label "
	    "for=\"f-subject\">%s</label><select id=\"f-subject\" "
	    "name=\"subject\">", PL(lang, "科目", "Subject"));
	option(b, "", PL(lang, "全部", "any"), q->subject[0] == '\0');
	option(b, "public", subject_word(lang, "public"),
	    strcmp(q->subject, "public") == 0);
	option(b, "professional", subject_word(lang, "professional"),
	    strcmp(q->subject, "professional") == 0);
	buf_printf(b, "</select></div>\n<div class=\"field\"><label "
	    "for=\"f-state\">%s</label><select id=\"f-state\" name=\"state\">",
	    PL(lang, "状态", "State"));
	option(b, "", state_word(lang, "waiting"), q->state[0] == '\0' ||
	    strcmp(q->state, "waiting") == 0);
	for (i = 1; states[i] != NULL; i++)
		option(b, states[i], strcmp(states[i], "any") == 0 ?
		    PL(lang, "全部", "any") : state_word(lang, states[i]),
		    strcmp(q->state, states[i]) == 0);
	buf_printf(b, "</select></div>\n<div class=\"field actions\">"
	    "<button type=\"submit\">%s</button> <a href=\"/admin/records\">"
	    "%s</a></div>\n</form>\n", PL(lang, "筛选", "Filter"),
	    PL(lang, "清除", "Clear"));
}

/* "12 (hr) 厦门市人社局 · xmhr" : who decided a record, for a cell. */
static void
decision_cell(struct buf *b, enum page_lang lang, const struct stamp_row *r)
{
	if (r->authority[0] == '\0')
		return;
	page_esc(b, r->authority);
	if (r->account[0] != '\0') {
		buf_puts(b, "<br><span class=\"hint\">");
		page_esc(b, r->account);
		buf_puts(b, "</span>");
	} else if (r->authority_kind[0] != '\0') {
		buf_puts(b, "<br><span class=\"hint\">");
		page_esc(b, kind_word(lang, r->authority_kind));
		buf_puts(b, "</span>");
	}
	if (strcmp(r->state, "rejected") == 0 && r->reason[0] != '\0') {
		buf_puts(b, "<br><span class=\"hint\">");
		buf_puts(b, PL(lang, "原因：", "Reason: "));
		page_esc(b, r->reason);
		buf_puts(b, "</span>");
	}
}

struct queue_ctx {
	struct buf *b;
	enum page_lang lang;
	const struct principal *p;
	int rows;
	int tickable;
};

/* One <td> with its label for the phone layout (CSS shows it before the
 * value when the table turns into cards). */
static void
td_open(struct buf *b, const char *label, const char *cls)
{
	buf_printf(b, "<td data-label=\"%s\"%s%s%s>", label,
	    cls != NULL ? " class=\"" : "", cls != NULL ? cls : "",
	    cls != NULL ? "\"" : "");
}

static void
td(struct buf *b, const char *label, const char *value)
{
	td_open(b, label, NULL);
	page_esc(b, value);
	buf_puts(b, "</td>");
}

static int
queue_row(void *vctx, const struct stamp_row *r)
{
	struct queue_ctx *c = vctx;
	struct buf *b = c->b;
	enum page_lang lang = c->lang;
	char hours[HOURS_SIZE], num[24];
	bool tick;

	tick = strcmp(r->state, "waiting") == 0 &&
	    authz_allowed(c->p->role, AZ_RECORD_STAMP) &&
	    principal_may_stamp(c->p, r->region, r->domain,
	    strncmp(r->subject, "public", 6) == 0 ? "public" : r->subject,
	    r->provider, r->unit);
	c->rows++;
	buf_puts(b, "<tr>");
	td_open(b, PL(lang, "选择", "Select"), "tick");
	if (tick) {
		c->tickable++;
		buf_printf(b, "<input type=\"checkbox\" name=\"id\" "
		    "value=\"%" PRId64 "\" id=\"r%" PRId64 "\" "
		    "aria-label=\"%s ", r->id, r->id, PL(lang, "选择", "select"));
		page_esc(b, r->ref);
		buf_puts(b, "\">");
	}
	buf_puts(b, "</td>");
	td_open(b, PL(lang, "身份证号", "ID number"), "mono nowrap");
	page_esc(b, r->id_masked);
	buf_puts(b, "</td>");
	td_open(b, PL(lang, "姓名", "Name"), "nowrap");
	page_esc(b, r->name);
	buf_puts(b, "</td>");
	td_open(b, PL(lang, "工作单位", "Unit"), "wide");
	page_esc(b, r->unit);
	buf_puts(b, "</td>");
	snprintf(num, sizeof num, "%d", r->year);
	td_open(b, PL(lang, "年度", "Year"), "num");
	page_esc(b, num);
	buf_puts(b, "</td>");
	td_open(b, PL(lang, "科目", "Subject"), "mid");
	page_esc(b, subject_word(lang, r->subject));
	buf_puts(b, "</td>");
	td_open(b, PL(lang, "学习形式", "Form"), "mid");
	page_esc(b, form_word(lang, r->form));
	buf_puts(b, "</td>");
	td_open(b, PL(lang, "课程", "Course"), "wide");
	buf_printf(b, "<a href=\"/admin/records/%" PRId64 "\">", r->id);
	page_esc(b, r->title);
	buf_puts(b, "</a><br><span class=\"hint mono\">");
	page_esc(b, r->ref);
	buf_puts(b, "</span></td>");
	td_open(b, PL(lang, "施训机构", "Provider"), "wide");
	page_esc(b, r->provider);
	buf_puts(b, "</td>");
	hours_format(r->hours10, hours);
	td_open(b, PL(lang, "学时", "Hours"), "num");
	page_esc(b, hours);
	buf_puts(b, "</td>");
	td_open(b, PL(lang, "状态", "State"), "nowrap");
	buf_printf(b, "<span class=\"state-%s\">%s</span></td>", r->state,
	    state_word(lang, r->state));
	td_open(b, PL(lang, "验印单位", "Stamped by"), "wide");
	decision_cell(b, lang, r);
	buf_puts(b, "</td></tr>\n");
	return 0;
}

/* What a finished action says on the page it leads to: fixed words by a
 * code from the redirect (never text from the URL). */
static void
done_banner(struct buf *b, enum page_lang lang, const char *done, int64_t n)
{
	const char *zh = NULL, *en = NULL;

	if (done == NULL)
		return;
	if (strcmp(done, "stamp") == 0)
		zh = "已验印", en = "Stamped";
	else if (strcmp(done, "reject") == 0)
		zh = "已退回", en = "Rejected";
	else if (strcmp(done, "withdraw") == 0)
		zh = "已撤回", en = "Withdrawn";
	else if (strcmp(done, "correct") == 0)
		zh = "已提交更正，记录回到待验印", en = "Corrected; the record is "
		    "waiting again";
	else
		return;
	buf_puts(b, "<p class=\"notice\" role=\"status\">");
	buf_puts(b, PL(lang, zh, en));
	if (n > 0)
		buf_printf(b, PL(lang, " %" PRId64 " 条记录。", " %" PRId64
		    " record%s."), n, n == 1 ? "" : "s");
	else
		buf_puts(b, PL(lang, "。", "."));
	buf_puts(b, "</p>\n");
}

/* GET /admin/records: the queue (filters, ?after=<id>, 50 a page). */
void
serve_records_list(struct sreq *q)
{
	enum page_lang lang = q->lang;
	const struct principal *p = &q->p;
	struct queue_ctx qc;
	struct qargs qa;
	struct buf page, qs;
	char err[HS_ERRLEN] = "";
	int64_t next = 0;
	enum hs_err rc;
	bool stamper;

	if ((rc = qargs_parse(q, &qa, err)) != HS_OK) {
		serve_error(q, 400, err);
		return;
	}
	stamper = authz_allowed(p->role, AZ_RECORD_STAMP);
	buf_init(&page);
	buf_init(&qs);
	serve_page_begin(q, &page, PL(lang, "验印", "Stamping"));
	buf_printf(&page, "<h1>%s</h1>\n", qa.state[0] == '\0' ||
	    strcmp(qa.state, "waiting") == 0 ?
	    PL(lang, "待验印记录", "Records waiting for a stamp") :
	    PL(lang, "学时记录", "Records"));
	done_banner(&page, lang, arg(q, "done"), parse_id(arg(q, "n")));
	filter_form(&page, lang, &qa);

	/* One form for the ticked rows; its two buttons post to the stamp
	 * and reject routes (formaction: no script needed). */
	buf_puts(&page, "<form method=\"post\" action=\"/admin/records/stamp\" "
	    "class=\"queue\">\n");
	serve_csrf_field(q, &page);
	qargs_hidden(&page, &qa);
	buf_printf(&page, "<div class=\"tablewrap\"><table class=\"records "
	    "queue\">\n<thead><tr><th>%s</th><th>%s</th><th>%s</th>"
	    "<th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
	    "<th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr></thead>\n"
	    "<tbody>\n",
	    PL(lang, "选择", "Select"), PL(lang, "身份证号", "ID number"),
	    PL(lang, "姓名", "Name"), PL(lang, "工作单位", "Unit"),
	    PL(lang, "年度", "Year"), PL(lang, "科目", "Subject"),
	    PL(lang, "形式", "Form"), PL(lang, "课程", "Course"),
	    PL(lang, "施训机构", "Provider"), PL(lang, "学时", "Hours"),
	    PL(lang, "状态", "State"), PL(lang, "验印单位", "Stamped by"));
	memset(&qc, 0, sizeof qc);
	qc.b = &page;
	qc.lang = lang;
	qc.p = p;
	if ((rc = stamp_queue(q->db, p, &qa.f, qa.after, QUEUE_PAGE,
	    queue_row, &qc, &next, err)) != HS_OK) {
		buf_free(&page);
		serve_error(q, serve_status(rc), err);
		return;
	}
	buf_puts(&page, "</tbody></table></div>\n");
	if (qc.rows == 0)
		buf_printf(&page, "<p class=\"hint\">%s</p>\n", qa.after > 0 ?
		    PL(lang, "没有更多记录。", "No more records.") :
		    PL(lang, "没有符合条件的记录。", "No records match."));
	buf_puts(&page, "<p class=\"pager\">");
	if (qa.after > 0) {
		qargs_query(&qs, &qa, 0);
		buf_printf(&page, "<a href=\"/admin/records%s",
		    qs.len > 0 ? "?" : "");
		page_esc(&page, qs.data != NULL ? qs.data : "");
		buf_printf(&page, "\">%s</a> ", PL(lang, "回到第一页",
		    "First page"));
	}
	if (next > 0) {
		buf_reset(&qs);
		qargs_query(&qs, &qa, next);
		buf_puts(&page, "<a rel=\"next\" href=\"/admin/records?");
		page_esc(&page, qs.data);
		buf_printf(&page, "\">%s</a>", PL(lang, "下一页 →",
		    "Next page →"));
	}
	buf_puts(&page, "</p>\n");
	buf_free(&qs);
	if (stamper && qc.tickable > 0) {
		buf_printf(&page, "<div class=\"card actions\">\n"
		    "<label for=\"reason\">%s</label>\n"
		    "<textarea id=\"reason\" name=\"reason\" rows=\"2\" "
		    "maxlength=\"%d\"></textarea>\n<div class=\"buttons\">"
		    "<button type=\"submit\" formaction=\"/admin/records/stamp\">"
		    "%s</button> <button type=\"submit\" "
		    "formaction=\"/admin/records/reject\" class=\"danger\">%s"
		    "</button></div>\n<p class=\"hint\">%s",
		    PL(lang, "退回原因（退回时必填）",
		    "Reason (required to reject)"), STAMP_REASON_MAX,
		    PL(lang, "验印所选记录", "Stamp selected"),
		    PL(lang, "退回所选记录", "Reject selected"),
		    PL(lang, "验印单位为本账号所属单位：", "Stamps carry this "
		    "account's organisation: "));
		page_esc(&page, p->org);
		buf_puts(&page, "</p></div>\n");
	}
	buf_puts(&page, "</form>\n");
	serve_page_end(q, &page, 200);
}

/* ---- changes ---- */

/*
 * POST /admin/records/stamp and /admin/records/reject: the ticked rows
 * (id=<records.id>, once per box), all or nothing, then back to the same
 * view of the queue with what was done.
 */
static void
records_decide(struct sreq *q, bool reject)
{
	char refs[QUEUE_TICK_MAX][24];
	const char *refp[QUEUE_TICK_MAX];
	const char *reason, *v;
	char err[HS_ERRLEN] = "";
	struct qargs qa;
	struct buf loc;
	size_t n = 0, i;
	enum hs_err rc;

	if ((rc = qargs_parse(q, &qa, err)) != HS_OK) {
		serve_error(q, 400, err);
		return;
	}
	for (i = 0; (v = form_nth(&q->form, "id", i)) != NULL; i++) {
		int64_t id = parse_id(v);

		if (id == 0) {
			serve_error(q, 400, "id: must be a record number");
			return;
		}
		if (n == QUEUE_TICK_MAX) {
			snprintf(err, sizeof err, "id: at most %d records at "
			    "a time", QUEUE_TICK_MAX);
			serve_error(q, 413, err);
			return;
		}
		snprintf(refs[n], sizeof refs[n], "#%" PRId64, id);
		refp[n] = refs[n];
		n++;
	}
	if (n == 0) {
		serve_error(q, 400, PL(q->lang, "id：请先勾选记录",
		    "id: tick at least one record"));
		return;
	}
	if (!reject)
		rc = stamp_records(q->db, &q->p, refp, n, q->now, err);
	else {
		reason = form_get(&q->form, "reason");
		rc = stamp_reject(q->db, &q->p, refp, n,
		    reason != NULL ? reason : "", q->now, err);
	}
	if (rc != HS_OK) {
		serve_error(q, serve_status(rc), err);
		return;
	}
	buf_init(&loc);
	buf_puts(&loc, "/admin/records?");
	qargs_query(&loc, &qa, 0);
	buf_printf(&loc, "%sdone=%s&n=%zu", loc.data[loc.len - 1] == '?' ?
	    "" : "&", reject ? "reject" : "stamp", n);
	serve_redirect(q, loc.data);
	buf_free(&loc);
}

void
serve_records_stamp(struct sreq *q)
{
	records_decide(q, false);
}

void
serve_records_reject(struct sreq *q)
{
	records_decide(q, true);
}

/* ---- one record ---- */

static void
dl_row(struct buf *b, const char *k, const char *v)
{
	buf_printf(b, "<dt>%s</dt><dd>", k);
	page_esc(b, v);
	buf_puts(b, "</dd>\n");
}

/* The names of a version's fields (stamp.c's record_versions JSON). */
static const struct word field_names[] = {
	{ "year", "年度", "year" },
	{ "subject", "科目", "subject" },
	{ "public_type", "公需类别", "public type" },
	{ "form", "学习形式", "form" },
	{ "title", "课程名称", "title" },
	{ "provider", "施训机构", "provider" },
	{ "start_date", "开始日期", "start date" },
	{ "end_date", "结束日期", "end date" },
	{ "hours", "学时", "hours" },
	{ "author_role", "作者排序", "author" },
	{ "domain", "专业领域", "domain" },
	{ "ref", "外部编号", "ref" },
	{ "unit", "工作单位", "unit" },
	{ "region", "地区代码", "region" },
};

/* A JSON value as text for a cell ("" for null or absent). */
static const char *
json_text(json_t *v, char num[32])
{
	if (v == NULL || json_is_null(v))
		return "";
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(num, 32, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return num;
	}
	if (json_is_real(v)) {
		snprintf(num, 32, "%g", json_real_value(v));
		return num;
	}
	return "?";
}

/* The current record as a version's JSON (the keys stamp.c stores),
 * to compare the last correction with. Caller frees (json_decref). */
static json_t *
row_json(const struct stamp_row *r)
{
	char hours[HOURS_SIZE];
	json_t *o = json_object();
	const char *slash = strchr(r->subject, '/');

	if (o == NULL)
		return NULL;
	hours_format(r->hours10, hours);
	json_object_set_new(o, "year", json_integer(r->year));
	json_object_set_new(o, "subject", slash != NULL ?
	    json_stringn(r->subject, (size_t)(slash - r->subject)) :
	    json_string(r->subject));
	if (slash != NULL)
		json_object_set_new(o, "public_type", json_string(slash + 1));
	json_object_set_new(o, "form", json_integer(r->form));
	json_object_set_new(o, "title", json_string(r->title));
	json_object_set_new(o, "provider", json_string(r->provider));
	json_object_set_new(o, "start_date", json_string(r->start));
	json_object_set_new(o, "end_date", json_string(r->end));
	json_object_set_new(o, "hours", json_string(hours));
	if (r->domain[0] != '\0')
		json_object_set_new(o, "domain", json_string(r->domain));
	if (r->ref[0] != '#')
		json_object_set_new(o, "ref", json_string(r->ref));
	json_object_set_new(o, "unit", json_string(r->unit));
	json_object_set_new(o, "region", json_string(r->region));
	return o;
}

/*
 * What a correction changed: "field: old → new" for each field that
 * differs between the version it replaced (old) and the one after it
 * (new: the next correction's old version, or the current record). Every
 * value is escaped. author_role is compared only when both sides have it
 * (the current record's row does not carry it).
 */
static void
diff_cell(struct buf *b, enum page_lang lang, const char *oldtext,
    json_t *newo)
{
	json_t *oldo = json_loads(oldtext, JSON_REJECT_DUPLICATES, NULL);
	char n1[32], n2[32];
	size_t i;
	int shown = 0;

	if (!json_is_object(oldo) || !json_is_object(newo)) {
		buf_puts(b, "<span class=\"mono\">");
		page_esc(b, oldtext);
		buf_puts(b, "</span>");
		json_decref(oldo);
		return;
	}
	buf_puts(b, "<ul class=\"fields\">");
	for (i = 0; i < sizeof field_names / sizeof field_names[0]; i++) {
		json_t *a = json_object_get(oldo, field_names[i].key);
		json_t *c = json_object_get(newo, field_names[i].key);
		const char *x = json_text(a, n1), *y = json_text(c, n2);

		if (strcmp(field_names[i].key, "author_role") == 0 &&
		    (a == NULL || c == NULL))
			continue;
		if (strcmp(x, y) == 0)
			continue;
		shown++;
		buf_printf(b, "<li>%s: <del>", PL(lang, field_names[i].zh,
		    field_names[i].en));
		page_esc(b, x[0] != '\0' ? x : "—");
		buf_puts(b, "</del> → <ins>");
		page_esc(b, y[0] != '\0' ? y : "—");
		buf_puts(b, "</ins></li>");
	}
	if (shown == 0)
		buf_printf(b, "<li>%s</li>", PL(lang, "内容未变",
		    "no field changed"));
	buf_puts(b, "</ul>");
	json_decref(oldo);
}

/* A record's history, collected first so that a correction can be shown
 * against the version that followed it. */
#define HISTORY_MAX 1000

struct hist_event {
	int version;
	char *what, *authority, *kind, *account, *reason, *at, *fields;
};

struct hist_ctx {
	struct hist_event *ev;
	size_t n;
	bool truncated;
	bool nomem;
};

static char *
dup(const char *s)
{
	return strdup(s != NULL ? s : "");
}

static int
hist_collect(void *vctx, const struct stamp_event *e)
{
	struct hist_ctx *c = vctx;
	struct hist_event *h;

	if (c->n == HISTORY_MAX) {
		c->truncated = true;
		return 1;
	}
	h = &c->ev[c->n];
	h->version = e->version;
	h->what = dup(e->what);
	h->authority = dup(e->authority);
	h->kind = dup(e->authority_kind);
	h->account = dup(e->account);
	h->reason = dup(e->reason);
	h->at = dup(e->at);
	h->fields = dup(e->fields);
	c->n++;  /* hist_free frees what was allocated */
	if (h->what == NULL || h->authority == NULL || h->kind == NULL ||
	    h->account == NULL || h->reason == NULL || h->at == NULL ||
	    h->fields == NULL) {
		c->nomem = true;
		return 1;
	}
	return 0;
}

static void
hist_free(struct hist_ctx *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->ev[i].what);
		free(c->ev[i].authority);
		free(c->ev[i].kind);
		free(c->ev[i].account);
		free(c->ev[i].reason);
		free(c->ev[i].at);
		free(c->ev[i].fields);
	}
	free(c->ev);
}

static void
hist_render(struct buf *b, enum page_lang lang, const struct hist_ctx *c,
    const struct stamp_row *r)
{
	char v[16];
	size_t i, j;

	for (i = 0; i < c->n; i++) {
		const struct hist_event *e = &c->ev[i];
		bool corr = strcmp(e->what, "corrected") == 0;

		buf_puts(b, "<tr>");
		td_open(b, PL(lang, "时间", "When"), "mono");
		page_time(b, lang, e->at);
		buf_puts(b, "</td>");
		snprintf(v, sizeof v, "%d", e->version);
		td_open(b, PL(lang, "版本", "Version"), "num");
		page_esc(b, v);
		buf_puts(b, "</td>");
		td_open(b, PL(lang, "事件", "Event"), "nowrap");
		buf_printf(b, "<span class=\"state-%s\">", corr ? "corrected" :
		    strcmp(e->what, "stamped") == 0 ? "stamped" :
		    strcmp(e->what, "rejected") == 0 ? "rejected" : "withdrawn");
		page_esc(b, state_word(lang, e->what));
		buf_puts(b, "</span></td>");
		td_open(b, PL(lang, "单位", "Organisation"), NULL);
		page_esc(b, e->authority);
		if (e->kind[0] != '\0') {
			buf_puts(b, "<br><span class=\"hint\">");
			page_esc(b, kind_word(lang, e->kind));
			buf_puts(b, "</span>");
		}
		buf_puts(b, "</td>");
		td(b, PL(lang, "账号", "Account"), e->account[0] != '\0' ?
		    e->account : PL(lang, "（命令行）", "(command line)"));
		td(b, PL(lang, "原因", "Reason"), e->reason);
		td_open(b, PL(lang, "更正内容", "Changes"), NULL);
		if (corr && e->fields[0] != '\0') {
			json_t *newo = NULL;

			/* The version after this one: the next correction's
			 * old fields, or the record as it is now. */
			for (j = i + 1; j < c->n; j++)
				if (strcmp(c->ev[j].what, "corrected") == 0)
					break;
			if (j < c->n)
				newo = json_loads(c->ev[j].fields, 0, NULL);
			else
				newo = row_json(r);
			diff_cell(b, lang, e->fields, newo);
			json_decref(newo);
		}
		buf_puts(b, "</td></tr>\n");
	}
}

static void
reason_box(struct buf *b, const char *id, const char *label)
{
	buf_printf(b, "<label for=\"%s\">%s</label>\n<textarea id=\"%s\" "
	    "name=\"reason\" rows=\"2\" maxlength=\"%d\" required>"
	    "</textarea>\n", id, label, id, STAMP_REASON_MAX);
}

static void
form_open(struct sreq *q, struct buf *b, int64_t id,
    const char *action, const char *title)
{
	buf_printf(b, "<section class=\"card\">\n<h2>%s</h2>\n<form "
	    "method=\"post\" action=\"/admin/records/%" PRId64 "/%s\">\n",
	    title, id, action);
	serve_csrf_field(q, b);
}

static void
form_close(struct buf *b, const char *button, const char *cls)
{
	buf_printf(b, "<button type=\"submit\"%s%s%s>%s</button>\n</form>\n"
	    "</section>\n", cls ? " class=\"" : "", cls ? cls : "",
	    cls ? "\"" : "", button);
}

/* The correction form: the record's fields as import reads them,
 * prefilled. The ID number is not on the page; the practitioner stays
 * the record's. */
static void
correct_form(struct sreq *q, struct buf *b,
    const struct stamp_row *r)
{
	enum page_lang lang = q->lang;
	char year[12], form[12], hours[HOURS_SIZE];
	const char *ptype = "";
	bool pub = strncmp(r->subject, "public", 6) == 0;
	int i;

	if (strcmp(r->subject, "public/compulsory") == 0)
		ptype = "compulsory";
	else if (strcmp(r->subject, "public/elective") == 0)
		ptype = "elective";
	snprintf(year, sizeof year, "%d", r->year);
	snprintf(form, sizeof form, "%d", r->form);
	hours_format(r->hours10, hours);
	form_open(q, b, r->id, "correct", PL(lang, "提交更正",
	    "Submit a correction"));
	buf_printf(b, "<p class=\"hint\">%s</p>\n<div class=\"grid\">\n",
	    PL(lang, "更正后记录回到待验印，原版本保留在历史中。",
	    "The corrected record waits for a stamp again; the earlier "
	    "version stays in its history."));
	text_input(b, "name", PL(lang, "姓名", "Name"), r->name,
	    " maxlength=\"50\" required");
	text_input(b, "unit", PL(lang, "工作单位", "Unit"), r->unit,
	    " maxlength=\"100\"");
	text_input(b, "year", PL(lang, "年度", "Year"), year,
	    " inputmode=\"numeric\" maxlength=\"4\" required");
	buf_printf(b, "<div class=\"field\"><label for=\"f-subject\">%s"
	    "</label><select id=\"f-subject\" name=\"subject\">",
	    PL(lang, "科目", "Subject"));
	option(b, "public", subject_word(lang, "public"), pub);
	option(b, "professional", subject_word(lang, "professional"), !pub);
	buf_printf(b, "</select></div>\n<div class=\"field\"><label "
	    "for=\"f-public_type\">%s</label><select id=\"f-public_type\" "
	    "name=\"public_type\">", PL(lang, "公需类别", "Public type"));
	option(b, "", PL(lang, "（不区分）", "(none)"), ptype[0] == '\0');
	option(b, "compulsory", PL(lang, "必修", "compulsory"),
	    strcmp(ptype, "compulsory") == 0);
	option(b, "elective", PL(lang, "选修", "elective"),
	    strcmp(ptype, "elective") == 0);
	buf_printf(b, "</select></div>\n<div class=\"field\"><label "
	    "for=\"f-form\">%s</label><select id=\"f-form\" name=\"form\">",
	    PL(lang, "学习形式", "Form"));
	for (i = 1; i <= 9; i++) {
		char v[12];

		snprintf(v, sizeof v, "%d", i);
		option(b, v, form_word(lang, i), r->form == i);
	}
	buf_puts(b, "</select></div>\n");
	text_input(b, "title", PL(lang, "课程名称", "Course title"), r->title,
	    " maxlength=\"200\" required");
	text_input(b, "provider", PL(lang, "施训机构", "Provider"),
	    r->provider, " maxlength=\"100\" required");
	text_input(b, "start_date", PL(lang, "开始日期", "Start date"),
	    r->start, " maxlength=\"10\" placeholder=\"2024-03-01\" required");
	text_input(b, "end_date", PL(lang, "结束日期", "End date"), r->end,
	    " maxlength=\"10\" placeholder=\"2024-03-03\" required");
	text_input(b, "hours", PL(lang, "学时", "Hours"), hours,
	    " inputmode=\"decimal\" maxlength=\"6\" required");
	/* Achievements (form 8) need the author's place: 60 hours for the
	 * first author, 30 for the others (domain.md), which is also how
	 * the stored record's role shows. */
	buf_printf(b, "<div class=\"field\"><label for=\"f-author_role\">%s"
	    "</label><select id=\"f-author_role\" name=\"author_role\">",
	    PL(lang, "作者排序（成果）", "Author (achievements)"));
	option(b, "", PL(lang, "（不适用）", "(n/a)"), r->form != 8);
	option(b, "first", PL(lang, "第一作者 / 主持人", "first / lead"),
	    r->form == 8 && r->hours10 >= 600);
	option(b, "other", PL(lang, "其他作者", "other"),
	    r->form == 8 && r->hours10 < 600);
	buf_puts(b, "</select></div>\n");
	text_input(b, "domain", PL(lang, "专业领域", "Domain"), r->domain,
	    " maxlength=\"60\"");
	buf_puts(b, "</div>\n");
	reason_box(b, "reason-correct", PL(lang, "更正原因（必填）",
	    "Reason (required)"));
	form_close(b, PL(lang, "提交更正", "Submit correction"), NULL);
}

/* GET /admin/records/<id>: one record in scope (404 otherwise), its
 * whole history and the forms this account may use on it now. */
void
serve_record_show(struct sreq *q)
{
	enum page_lang lang = q->lang;
	const struct principal *p = &q->p;
	struct stamp_row *r = NULL;
	struct hist_ctx hc;
	struct buf page, *b = &page;
	char ref[24], hours[HOURS_SIZE], num[48], err[HS_ERRLEN] = "";
	const char *subj;
	int64_t id = parse_id(q->arg);
	enum hs_err rc;
	bool may_stamp, may_reject, may_withdraw, may_correct;

	memset(&hc, 0, sizeof hc);
	buf_init(&page);
	if (id == 0) {
		serve_error(q, 404, PL(lang, "没有这条记录", "no such record"));
		return;
	}
	if ((r = malloc(sizeof *r)) == NULL ||
	    (hc.ev = calloc(HISTORY_MAX, sizeof *hc.ev)) == NULL) {
		serve_error(q, 503, "out of memory");
		goto out;
	}
	snprintf(ref, sizeof ref, "#%" PRId64, id);
	if ((rc = stamp_get(q->db, p, ref, r, err)) != HS_OK) {
		serve_error(q, serve_status(rc), err);
		goto out;
	}
	/* The history first: a page is sent whole or not at all. */
	if ((rc = stamp_history(q->db, p, ref, hist_collect, &hc, err)) !=
	    HS_OK || hc.nomem) {
		serve_error(q, hc.nomem ? 503 : serve_status(rc),
		    hc.nomem ? "out of memory" : err);
		goto out;
	}
	subj = strncmp(r->subject, "public", 6) == 0 ? "public" : r->subject;
	/* The forms shown are those the routes' authorization table
	 * (app/authz.h) and the library's scope rule both allow. */
	may_stamp = principal_may_stamp(p, r->region, r->domain, subj,
	    r->provider, r->unit);
	may_reject = may_stamp && authz_allowed(p->role, AZ_RECORD_REJECT);
	may_withdraw = may_stamp && authz_allowed(p->role,
	    AZ_RECORD_WITHDRAW);
	may_correct = authz_allowed(p->role, AZ_RECORD_CORRECT) &&
	    (p->role != PRINCIPAL_PROVIDER ||
	    strcmp(p->provider, r->provider) == 0);
	may_stamp = may_stamp && authz_allowed(p->role, AZ_RECORD_STAMP);

	serve_page_begin(q, b, r->title);
	buf_printf(b, "<p class=\"crumbs\"><a href=\"/admin/records\">%s</a>"
	    " › ", PL(lang, "学时记录", "Records"));
	page_esc(b, r->ref);
	buf_puts(b, "</p>\n<h1>");
	page_esc(b, r->title);
	buf_printf(b, "</h1>\n<p><span class=\"badge state-%s\">%s</span>"
	    "</p>\n", r->state, state_word(lang, r->state));
	done_banner(b, lang, arg(q, "done"), 0);

	buf_printf(b, "<section class=\"card\">\n<dl>\n");
	dl_row(b, PL(lang, "记录编号", "Record"), r->ref);
	snprintf(num, sizeof num, PL(lang, "第 %d 版", "version %d"),
	    r->version);
	dl_row(b, PL(lang, "版本", "Version"), num);
	dl_row(b, PL(lang, "身份证号", "ID number"), r->id_masked);
	dl_row(b, PL(lang, "姓名", "Name"), r->name);
	dl_row(b, PL(lang, "工作单位", "Unit"), r->unit);
	dl_row(b, PL(lang, "地区代码", "Region"), r->region[0] != '\0' ?
	    r->region : PL(lang, "（未设置）", "(none)"));
	snprintf(num, sizeof num, "%d", r->year);
	dl_row(b, PL(lang, "年度", "Year"), num);
	dl_row(b, PL(lang, "科目", "Subject"), subject_word(lang, r->subject));
	dl_row(b, PL(lang, "学习形式", "Form"), form_word(lang, r->form));
	dl_row(b, PL(lang, "施训机构", "Provider"), r->provider);
	snprintf(num, sizeof num, "%s – %s", r->start, r->end);
	dl_row(b, PL(lang, "起止日期", "Dates"), num);
	hours_format(r->hours10, hours);
	dl_row(b, PL(lang, "学时", "Hours"), hours);
	if (r->domain[0] != '\0')
		dl_row(b, PL(lang, "专业领域", "Domain"), r->domain);
	dl_row(b, PL(lang, "提交者", "Submitted by"),
	    r->submitted_by[0] != '\0' ? r->submitted_by :
	    PL(lang, "（命令行导入）", "(command-line import)"));
	dl_row(b, PL(lang, "状态", "State"), state_word(lang, r->state));
	if (r->authority[0] != '\0') {
		buf_printf(b, "<dt>%s</dt><dd>", PL(lang, "处理单位",
		    "Decided by"));
		decision_cell(b, lang, r);
		buf_puts(b, "<br><span class=\"hint mono\">");
		page_time(b, lang, r->at);
		buf_puts(b, "</span></dd>\n");
	}
	buf_puts(b, "</dl>\n</section>\n");

	/* What this account may do with the record now. */
	if (may_stamp && strcmp(r->state, "waiting") == 0) {
		form_open(q, b, id, "stamp", PL(lang, "验印", "Stamp"));
		buf_puts(b, "<p class=\"hint\">");
		buf_puts(b, PL(lang, "以本账号所属单位验印：",
		    "Stamped as this account's organisation: "));
		page_esc(b, p->org);
		buf_puts(b, "</p>\n");
		form_close(b, PL(lang, "验印", "Stamp"), NULL);
	}
	if (may_reject && strcmp(r->state, "waiting") == 0) {
		form_open(q, b, id, "reject", PL(lang, "退回", "Reject"));
		reason_box(b, "reason-reject", PL(lang, "退回原因（必填）",
		    "Reason (required)"));
		form_close(b, PL(lang, "退回", "Reject"), "danger");
	}
	if (may_withdraw && (strcmp(r->state, "stamped") == 0 ||
	    strcmp(r->state, "rejected") == 0)) {
		form_open(q, b, id, "withdraw", PL(lang, "撤回验印结果",
		    "Withdraw the decision"));
		buf_printf(b, "<p class=\"hint\">%s</p>\n", PL(lang,
		    "撤回后可提交更正，再次验印；已签发的证书需重新签发。",
		    "Once withdrawn the record can be corrected and stamped "
		    "again; certificates already issued need reissuing."));
		reason_box(b, "reason-withdraw", PL(lang, "撤回原因（必填）",
		    "Reason (required)"));
		form_close(b, PL(lang, "撤回", "Withdraw"), "danger");
	}
	if (may_correct && strcmp(r->state, "stamped") != 0)
		correct_form(q, b, r);

	buf_printf(b, "<section class=\"card\">\n<h2>%s</h2>\n"
	    "<div class=\"tablewrap\"><table class=\"records history\">\n"
	    "<thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
	    "<th>%s</th><th>%s</th><th>%s</th></tr></thead>\n<tbody>\n",
	    PL(lang, "历史", "History"), PL(lang, "时间", "When"),
	    PL(lang, "版本", "Version"), PL(lang, "事件", "Event"),
	    PL(lang, "单位", "Organisation"), PL(lang, "账号", "Account"),
	    PL(lang, "原因", "Reason"),
	    PL(lang, "更正内容", "Changes"));
	hist_render(b, lang, &hc, r);
	buf_puts(b, "</tbody></table></div>\n");
	if (hc.n == 0)
		buf_printf(b, "<p class=\"hint\">%s</p>\n", PL(lang,
		    "尚无验印或更正。", "No decision or correction yet."));
	if (hc.truncated)
		buf_printf(b, "<p class=\"hint\">%s</p>\n", PL(lang,
		    "仅显示最早的 1000 条。", "Only the first 1,000 shown."));
	buf_puts(b, "</section>\n");
	serve_page_end(q, b, 200);
out:
	buf_free(&page);
	hist_free(&hc);
	free(r);
}

/* The import row a correction form describes (import.h fields), the ID
 * number left for the library to keep the record's practitioner. */
static enum hs_err
correction_fields(struct sreq *q, const char *f[IMPORT_NFIELDS], char *err)
{
	static const struct {
		enum import_field f;
		const char *name;
		size_t max;
	} map[] = {
		{ IMPORT_NAME, "name", 200 },
		{ IMPORT_UNIT, "unit", 400 },
		{ IMPORT_YEAR, "year", 8 },
		{ IMPORT_SUBJECT, "subject", 32 },
		{ IMPORT_PUBLIC_TYPE, "public_type", 32 },
		{ IMPORT_FORM, "form", 32 },
		{ IMPORT_TITLE, "title", 800 },
		{ IMPORT_PROVIDER, "provider", 400 },
		{ IMPORT_START_DATE, "start_date", 16 },
		{ IMPORT_END_DATE, "end_date", 16 },
		{ IMPORT_HOURS, "hours", 16 },
		{ IMPORT_AUTHOR_ROLE, "author_role", 16 },
		{ IMPORT_DOMAIN, "domain", 400 },
	};
	size_t i;

	for (i = 0; i < IMPORT_NFIELDS; i++)
		f[i] = "";
	for (i = 0; i < sizeof map / sizeof map[0]; i++) {
		const char *v = arg(q, map[i].name);

		if (v == NULL)
			continue;
		if (!text_ok(v, map[i].max))
			return hs_fail(err, HS_ERR_INVALID, "%s: at most %zu "
			    "bytes of text without control characters",
			    map[i].name, map[i].max);
		f[map[i].f] = v;
	}
	return HS_OK;
}

/*
 * A correction from the form: the record must be in scope first (404
 * otherwise, before any field is judged, so existence never leaks); the
 * ID number the form does not carry is the record's own.
 */
static enum hs_err
correct(struct sreq *q, int64_t id, const char *ref,
    const char *f[IMPORT_NFIELDS], const char *reason, char *err)
{
	struct stamp_row *r;
	char idnum[IDNUM_SIZE];
	long today;
	enum hs_err rc;

	if ((r = malloc(sizeof *r)) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	rc = stamp_get(q->db, &q->p, ref, r, err);
	free(r);
	if (rc != HS_OK)
		return rc;
	if ((rc = correction_fields(q, f, err)) != HS_OK)
		return rc;
	if ((rc = recowner_id_number(q->db, id, idnum, err)) != HS_OK)
		return rc;
	f[IMPORT_ID_NUMBER] = idnum;
	if ((today = cmd_today()) < 0)
		today = (long)(q->now / 86400);
	rc = record_correct(q->db, serve_opts(q->sv)->pol, &q->p, ref, f,
	    reason, today, q->now, err);
	OPENSSL_cleanse(idnum, sizeof idnum);
	return rc;
}

/*
 * POST /admin/records/<id>/<action>: one record, through the same
 * app/stamp.h call as the CLI; then back to its page.
 */
static void
record_act(struct sreq *q, const char *action)
{
	const char *f[IMPORT_NFIELDS];
	const char *reason = form_get(&q->form, "reason");
	const char *refp[1];
	char ref[24], loc[80], err[HS_ERRLEN] = "";
	int64_t id = parse_id(q->arg);
	enum hs_err rc;

	if (id == 0) {
		serve_error(q, 404, PL(q->lang, "没有这条记录",
		    "no such record"));
		return;
	}
	if (reason == NULL)
		reason = "";
	snprintf(ref, sizeof ref, "#%" PRId64, id);
	refp[0] = ref;
	if (strcmp(action, "stamp") == 0)
		rc = stamp_records(q->db, &q->p, refp, 1, q->now, err);
	else if (strcmp(action, "reject") == 0)
		rc = stamp_reject(q->db, &q->p, refp, 1, reason, q->now, err);
	else if (strcmp(action, "withdraw") == 0)
		rc = stamp_withdraw(q->db, &q->p, ref, reason, q->now, err);
	else
		rc = correct(q, id, ref, f, reason, err);
	if (rc != HS_OK) {
		serve_error(q, serve_status(rc), err);
		return;
	}
	snprintf(loc, sizeof loc, "/admin/records/%" PRId64 "?done=%s", id,
	    action);
	serve_redirect(q, loc);
}

void
serve_record_stamp(struct sreq *q)
{
	record_act(q, "stamp");
}

void
serve_record_reject(struct sreq *q)
{
	record_act(q, "reject");
}

void
serve_record_withdraw(struct sreq *q)
{
	record_act(q, "withdraw");
}

void
serve_record_correct(struct sreq *q)
{
	record_act(q, "correct");
}
