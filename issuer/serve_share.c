/*
 * serve_share.c - share codes (service.md §5): the holder makes, lists
 * and withdraws them under /my/share; anyone with a code reads its
 * verification report at /s/<code> (and the QR image of its URL at
 * /s/<code>/qr.png). The codes are store/share.h's, the report
 * app/sharereport.h's.
 *
 * Guessing: the /s/ routes are on the STRICT per-address bucket; on top
 * of that a code that is not there (a miss) counts against the client
 * address (SHARE_MISS_FREE in SHARE_MISS_WINDOW seconds) and against all
 * addresses together (SHARE_GMISS_MAX a minute). Past either, a miss
 * answers 429 with Retry-After; a code that is there still answers. The
 * route's "*" is secret: the access log writes /s/[token].
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "app/sharereport.h"
#include "core/crockford.h"
#include "pdf/qr.h"
#include "pdf/qrpng.h"
#include "serve.h"
#include "cert/serial.h"
#include "store/certs.h"
#include "store/share.h"

#define SHARE_MISS_WINDOW 600  /* seconds a client's misses are counted */
#define SHARE_MISS_FREE 20     /* misses a client gets in that window */
#define SHARE_GMISS_WINDOW 60  /* seconds of the all-addresses count */
#define SHARE_GMISS_MAX 100    /* misses from all addresses a window */
#define SHARE_MISS_SLOTS 512   /* client addresses remembered */
#define QR_SCALE 8             /* PNG pixels a module */

/* t in the issuer's zone (core/tz.h, Beijing time by default):
 * "YYYY-MM-DD HH:MM". */
static void
beijing(int64_t t, char out[32], bool with_time)
{
	struct tm tm;

	hs_time_local((time_t)t, &tm);
	if (with_time)
		strftime(out, 32, "%Y-%m-%d %H:%M", &tm);
	else
		strftime(out, 32, "%Y-%m-%d", &tm);
}

static int
beijing_year(int64_t t)
{
	char y[32];

	beijing(t, y, false);
	return atoi(y);
}

/* Whole days left until expires, rounded up (0 once expired). */
static int64_t
days_left(int64_t expires, int64_t now)
{
	return expires <= now ? 0 : (expires - now + 86399) / 86400;
}

/* The share pages' style rules (serve_page.c appends them). */
const char share_css[] =
".sharecode .code{font-size:1.6rem;font-weight:700;letter-spacing:.08em;"
"margin:.4rem 0}\n"
".sharecode .holder{font-weight:600;margin:.2rem 0}\n"
".qrbox{margin:.6rem 0}.shareqr{width:220px;height:220px;display:block}\n"
"fieldset{border:1px solid var(--line);border-radius:8px;margin:.6rem 0;"
"padding:.5rem .8rem}legend{font-weight:600}\n"
"form.stack label.check{display:block;font-weight:400;margin:.35rem 0}\n"
"form.stack label.check input{width:auto;display:inline;padding:0}\n"
".cert .verdict{font-weight:700;margin:.2rem 0 .6rem}\n"
"table.list button{padding:.3rem .7rem;font-size:.85rem}\n"
".cert.bad{border-color:var(--bad)}\n"
"@media print{header.bar,nav.console,h1.noprint{display:none}"
".sharecode .code{font-size:22pt}.shareqr{width:5cm;height:5cm}"
".cert{break-inside:avoid;border-top:1px solid #000;padding-top:.4rem}"
".status-valid,.status-bad{color:#000}}\n";

/* ---- the miss counters ---- */

struct miss_slot {
	char client[64];
	int64_t start;   /* window start */
	int n;           /* misses in it */
};

static pthread_mutex_t miss_mu = PTHREAD_MUTEX_INITIALIZER;
static struct miss_slot miss_slots[SHARE_MISS_SLOTS];
static int64_t gmiss_start;
static int gmiss_n;

/* The client's slot (created, evicting the oldest, when add). */
static struct miss_slot *
miss_find(const char *client, int64_t now, bool add)
{
	struct miss_slot *s, *old = &miss_slots[0];
	size_t i;

	for (i = 0; i < SHARE_MISS_SLOTS; i++) {
		s = &miss_slots[i];
		if (s->client[0] != '\0' && strcmp(s->client, client) == 0) {
			if (now - s->start >= SHARE_MISS_WINDOW) {
				s->start = now;
				s->n = 0;
			}
			return s;
		}
		if (s->client[0] == '\0' || s->start < old->start)
			old = s;
	}
	if (!add)
		return NULL;
	memset(old, 0, sizeof(*old));
	snprintf(old->client, sizeof(old->client), "%s", client);
	old->start = now;
	return old;
}

/* Seconds a miss from client must wait (0: it may be answered 404). */
static int64_t
miss_wait(const char *client, int64_t now)
{
	struct miss_slot *s;
	int64_t w = 0, ws;

	pthread_mutex_lock(&miss_mu);
	if (now - gmiss_start >= SHARE_GMISS_WINDOW) {
		gmiss_start = now;
		gmiss_n = 0;
	}
	if (gmiss_n >= SHARE_GMISS_MAX)
		w = gmiss_start + SHARE_GMISS_WINDOW - now;
	s = miss_find(client, now, false);
	if (s != NULL && s->n >= SHARE_MISS_FREE) {
		ws = s->start + SHARE_MISS_WINDOW - now;
		if (ws > w)
			w = ws;
	}
	pthread_mutex_unlock(&miss_mu);
	return w;
}

static void
miss_count(const char *client, int64_t now)
{
	pthread_mutex_lock(&miss_mu);
	miss_find(client, now, true)->n++;
	gmiss_n++;
	pthread_mutex_unlock(&miss_mu);
}

/* ---- shared pieces ---- */

/* The public report's frame: no session, no console links. */
static void
public_begin(struct sreq *q, struct buf *b, const char *title)
{
	enum page_lang lang = q->lang;

	page_open(b, lang, title, "#",
	    PL(lang, "继续教育学时证明 · 分享核验", "Continuing-education "
	    "hours · Shared verification"));
	buf_puts(b, "</header>\n<main class=\"share\">\n");
	serve_add_header(q, "X-Robots-Tag", "noindex");
}

/* "<public-url>/s/<code>" into out. */
static void
share_url(struct sreq *q, const char *code, char *out, size_t n)
{
	snprintf(out, n, "%s/s/%s", serve_opts(q->sv)->public_url, code);
}

/* The QR of text as an inline SVG (no URL of its own). */
static void
qr_svg(struct buf *b, const char *text)
{
	struct qr *qr = NULL;
	char err[HS_ERRLEN];
	int w, x, y;

	if (qr_encode(text, &qr, err) != HS_OK)
		return;
	w = qr_width(qr) + 2 * QR_QUIET;
	buf_printf(b, "<svg class=\"shareqr\" xmlns=\"http://www.w3.org/2000/"
	    "svg\" viewBox=\"0 0 %d %d\" shape-rendering=\"crispEdges\" "
	    "role=\"img\" aria-label=\"QR\"><rect width=\"%d\" height=\"%d\" "
	    "fill=\"#fff\"/><path d=\"", w, w, w, w);
	for (y = 0; y < qr_width(qr); y++)
		for (x = 0; x < qr_width(qr); x++)
			if (qr_dark(qr, x, y))
				buf_printf(b, "M%d %dh1v1h-1z", x + QR_QUIET,
				    y + QR_QUIET);
	buf_puts(b, "\" fill=\"#000\"/></svg>");
	qr_free(qr);
}

static const char *
kind_name(enum page_lang lang, const char *kind)
{
	if (strcmp(kind, "annual") == 0)
		return PL(lang, "年度学时证明", "Annual");
	if (strcmp(kind, "course") == 0)
		return PL(lang, "单项学时证明", "Course");
	return kind;
}

/* ---- /my/share ---- */

struct list_ctx {
	struct sreq *q;
	struct buf *b;
	size_t n;
};

static int
list_row(void *ctx, const struct share_row *r)
{
	struct list_ctx *x = ctx;
	struct sreq *q = x->q;
	struct buf *b = x->b;
	enum page_lang lang = q->lang;
	enum share_state st = share_state(r, q->now);
	char t[32];
	size_t i;

	if (x->n++ == 0)
		buf_printf(b, "<table class=\"list\"><thead><tr><th>%s</th>"
		    "<th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
		    "<th>%s</th><th></th></tr></thead><tbody>\n",
		    PL(lang, "标签", "Label"), PL(lang, "证书", "Certificates"),
		    PL(lang, "生成", "Made"), PL(lang, "有效期至", "Expires"),
		    PL(lang, "查看", "Views"), PL(lang, "最近查看", "Last view"),
		    PL(lang, "状态", "State"));
	buf_printf(b, "<tr><td data-label=\"%s\">", PL(lang, "标签", "Label"));
	page_esc(b, r->label[0] ? r->label : "—");
	buf_printf(b, "</td><td data-label=\"%s\" class=\"mono\">",
	    PL(lang, "证书", "Certificates"));
	for (i = 0; i < r->nserials; i++) {
		if (i > 0)
			buf_puts(b, "<br>");
		page_esc(b, r->serials[i]);
	}
	beijing(r->created, t, true);
	buf_printf(b, "</td><td data-label=\"%s\">%s</td>",
	    PL(lang, "生成", "Made"), t);
	beijing(r->expires, t, true);
	buf_printf(b, "<td data-label=\"%s\">%s", PL(lang, "有效期至",
	    "Expires"), t);
	if (st == SHARE_ACTIVE)
		buf_printf(b, PL(lang, "（剩 %lld 天）", " (%lld days left)"),
		    (long long)days_left(r->expires, q->now));
	buf_printf(b, "</td><td data-label=\"%s\" class=\"views\">%lld</td>",
	    PL(lang, "查看", "Views"), (long long)r->views);
	if (r->last_view != 0)
		beijing(r->last_view, t, true);
	else
		snprintf(t, sizeof(t), "—");
	buf_printf(b, "<td data-label=\"%s\">%s</td><td data-label=\"%s\" "
	    "class=\"state\">%s</td>", PL(lang, "最近查看", "Last view"),
	    t, PL(lang, "状态", "State"),
	    st == SHARE_ACTIVE ? PL(lang, "有效", "active") :
	    st == SHARE_EXPIRED ? PL(lang, "已过期", "expired") :
	    PL(lang, "已撤回", "withdrawn"));
	buf_printf(b, "<td data-label=\"%s\">", PL(lang, "操作", "Action"));
	if (st == SHARE_ACTIVE) {
		buf_printf(b, "<form method=\"post\" action=\"/my/share/%lld/"
		    "withdraw\">", (long long)r->id);
		serve_csrf_field(q, b);
		buf_printf(b, "<button type=\"submit\">%s</button></form>",
		    PL(lang, "撤回", "Withdraw"));
	}
	buf_puts(b, "</td></tr>\n");
	return 0;
}

/* The holder's certificates as checkboxes; the newest three years'
 * valid annual ones preselected (what a title application asks for). */
static enum hs_err
cert_choices(struct sreq *q, struct buf *b, char *err)
{
	struct certs_filter f;
	struct certs_iter *it = NULL;
	struct certs_row row;
	enum page_lang lang = q->lang;
	enum hs_err rc;
	int top = 0, n = 0;

	memset(&f, 0, sizeof(f));
	f.practitioner_id = q->acct.scope.practitioner_id;
	f.by_holder = true;
	/* First pass: the newest year with a valid annual certificate. */
	if ((rc = certs_iter_open(q->db, &f, &it, err)) != HS_OK)
		return rc;
	while ((rc = certs_iter_next(it, &row, err)) == HS_OK)
		if (!row.revoked && strcmp(row.kind, "annual") == 0 &&
		    row.year > top)
			top = row.year;
	certs_iter_free(it);
	it = NULL;
	if (rc != HS_ERR_NOTFOUND)
		return rc;
	if (top == 0)
		top = beijing_year(q->now);
	if ((rc = certs_iter_open(q->db, &f, &it, err)) != HS_OK)
		return rc;
	buf_printf(b, "<fieldset class=\"certs\"><legend>%s</legend>\n",
	    PL(lang, "选择要分享的证书", "Certificates to share"));
	while ((rc = certs_iter_next(it, &row, err)) == HS_OK) {
		bool pre = !row.revoked && strcmp(row.kind, "annual") == 0 &&
		    row.year > top - 3;
		char h[HOURS_SIZE];

		hours_format(row.total10, h);
		buf_puts(b, "<label class=\"check\"><input type=\"checkbox\" "
		    "name=\"serial\" value=\"");
		page_esc(b, row.serial);
		buf_printf(b, "\"%s> <span class=\"mono\">", pre ?
		    " checked" : "");
		page_esc(b, row.serial);
		buf_printf(b, "</span> %d %s · %s %s · %s</label>\n", row.year,
		    kind_name(lang, row.kind), h, PL(lang, "学时", "hours"),
		    row.revoked ? (row.replaced_by[0] ? PL(lang, "已被替换",
		    "superseded") : PL(lang, "已撤销", "revoked")) :
		    PL(lang, "有效", "valid"));
		n++;
	}
	certs_iter_free(it);
	if (rc != HS_ERR_NOTFOUND)
		return rc;
	if (n == 0)
		buf_printf(b, "<p class=\"hint\">%s</p>", PL(lang, "您还没有证书。",
		    "You have no certificates yet."));
	buf_puts(b, "</fieldset>\n");
	return HS_OK;
}

/* The list and the form; msg an error to show first (or NULL). */
static void
list_page(struct sreq *q, int status, const char *msg)
{
	struct buf b;
	struct list_ctx x;
	enum page_lang lang = q->lang;
	char err[HS_ERRLEN];
	static const int days[] = { 7, 30, 90, 180 };
	size_t i;

	buf_init(&b);
	serve_page_begin(q, &b, PL(lang, "分享码", "Share codes"));
	buf_printf(&b, "<h1>%s</h1>\n", PL(lang, "分享码", "Share codes"));
	if (msg != NULL) {
		buf_puts(&b, "<p class=\"error\" role=\"alert\">");
		page_esc(&b, msg);
		buf_puts(&b, "</p>\n");
	}
	buf_printf(&b, "<section class=\"card\"><p class=\"hint\">%s</p>\n",
	    PL(lang, "评审委员会或用人单位凭分享码可在线查看您所选证书的核验报告。"
	    "分享码只显示一次，到期或撤回后即失效。", "A committee or employer "
	    "with the code sees a verification report of the certificates you "
	    "chose. The code is shown once; it stops working when it expires "
	    "or you withdraw it."));
	x.q = q;
	x.b = &b;
	x.n = 0;
	if (share_list(q->db, q->acct.scope.practitioner_id, list_row, &x,
	    err) != HS_OK) {
		buf_free(&b);
		serve_error(q, 503, err);
		return;
	}
	if (x.n > 0)
		buf_puts(&b, "</tbody></table>\n");
	else
		buf_printf(&b, "<p>%s</p>\n", PL(lang, "还没有分享码。",
		    "No share codes yet."));
	buf_printf(&b, "</section>\n<section class=\"card\"><h2>%s</h2>\n"
	    "<form class=\"stack\" method=\"post\" action=\"/my/share\">",
	    PL(lang, "生成新的分享码", "Make a share code"));
	serve_csrf_field(q, &b);
	if (cert_choices(q, &b, err) != HS_OK) {
		buf_free(&b);
		serve_error(q, 503, err);
		return;
	}
	buf_printf(&b, "<fieldset class=\"days\"><legend>%s</legend>",
	    PL(lang, "有效期", "Valid for"));
	for (i = 0; i < sizeof(days) / sizeof(days[0]); i++)
		buf_printf(&b, "<label class=\"check\"><input type=\"radio\" "
		    "name=\"days\" value=\"%d\"%s> %d %s</label>", days[i],
		    days[i] == 30 ? " checked" : "", days[i],
		    PL(lang, "天", "days"));
	buf_printf(&b, "</fieldset><label for=\"label\">%s</label>"
	    "<input id=\"label\" name=\"label\" type=\"text\" maxlength=\"%d\">"
	    "<button type=\"submit\">%s</button></form></section>\n",
	    PL(lang, "标签（可选，如“职称评审”）", "Label (optional, e.g. "
	    "\"title application\")"), SHARE_LABEL_MAX,
	    PL(lang, "生成分享码", "Make the code"));
	serve_page_end(q, &b, status);
}

void
serve_my_share_list(struct sreq *q)
{
	list_page(q, 200, NULL);
}

/* The holder's name as their certificate serial has it (for the printed
 * slip); the account's org if it cannot be read. */
static void
holder_name(struct sreq *q, const char *serial, char out[256])
{
	struct certs *c = NULL;
	struct certs_row row;
	char err[HS_ERRLEN], canon[SERIAL_SIZE];

	memset(&row, 0, sizeof(row));
	snprintf(out, 256, "%.200s", q->acct.org);
	if (serial_parse(serial, canon, err) == HS_OK &&
	    certs_open(q->db, &c, err) == HS_OK &&
	    certs_get(c, canon, &row, err) == HS_OK)
		snprintf(out, 256, "%.250s", row.name);
	certs_row_free(&row);
	certs_close(c);
}

void
serve_my_share_add(struct sreq *q)
{
	const char *serials[SHARE_MAX_CERTS];
	const char *ds = form_get(&q->form, "days");
	const char *label = form_get(&q->form, "label");
	size_t n = form_count(&q->form, "serial"), i;
	char code[CROCKFORD_CODE_LEN + 1], grouped[20], url[600], t[32];
	char err[HS_ERRLEN], name[256];
	struct actor who;
	struct buf b;
	enum page_lang lang = q->lang;
	enum hs_err rc;
	int64_t days, id = 0;

	days = ds != NULL ? serve_decimal(ds, 1000) : -1;
	if (!share_days_ok((long)days)) {
		list_page(q, 400, PL(lang, "有效期只能是 7、30、90 或 180 天。",
		    "Validity must be 7, 30, 90 or 180 days."));
		return;
	}
	if (n == 0 || n > SHARE_MAX_CERTS) {
		list_page(q, 400, PL(lang, "请选择 1 至 20 张证书。",
		    "Choose 1 to 20 certificates."));
		return;
	}
	for (i = 0; i < n; i++)
		serials[i] = form_nth(&q->form, "serial", i);
	serve_actor(q, &who);
	rc = share_add(q->db, &who, q->acct.scope.practitioner_id, serials, n,
	    (long)days, label, q->now, code, &id, err);
	if (rc == HS_ERR_NOTFOUND) {
		/* Another holder's serial and a missing one look the same. */
		serve_error(q, 404, PL(lang, "没有这张证书。",
		    "No such certificate."));
		return;
	}
	if (rc == HS_ERR_INVALID || rc == HS_ERR_TOOBIG) {
		list_page(q, 400, err);
		return;
	}
	if (rc != HS_OK) {
		serve_error(q, serve_status(rc), err);
		return;
	}
	crockford_group(code, grouped);
	share_url(q, code, url, sizeof(url));
	holder_name(q, serials[0], name);
	buf_init(&b);
	serve_page_begin(q, &b, PL(lang, "分享码", "Share code"));
	buf_printf(&b, "<h1 class=\"noprint\">%s</h1>\n<p class=\"notice "
	    "noprint\">%s</p>\n<section class=\"card sharecode\">"
	    "<h2>%s</h2>\n<p class=\"holder\">", PL(lang, "分享码已生成",
	    "Share code made"), PL(lang, "分享码只显示这一次，请现在保存或打印。",
	    "The code is shown only now: save or print it."),
	    PL(lang, "继续教育学时证明 · 分享码", "Continuing-education hours "
	    "· share code"));
	page_esc(&b, name);
	buf_puts(&b, "</p>\n<p class=\"code mono\">");
	page_esc(&b, grouped);
	buf_printf(&b, "</p>\n<p class=\"uri\">%s <a href=\"", PL(lang,
	    "核验地址：", "Verify at: "));
	page_esc(&b, url);
	buf_puts(&b, "\">");
	page_esc(&b, url);
	buf_puts(&b, "</a></p>\n<div class=\"qrbox\">");
	qr_svg(&b, url);
	beijing(q->now + days * 86400, t, true);
	buf_printf(&b, "</div>\n<p>%s %s %s%s%lld %s%s</p>\n", PL(lang,
	    "有效期至", "Valid until"), t, PL(lang, "北京时间", "Beijing time"),
	    PL(lang, "（", " ("), (long long)days, PL(lang, "天", "days"),
	    PL(lang, "）", ")"));
	buf_printf(&b, "<p class=\"noprint\"><a href=\"/s/%s/qr.png\" "
	    "download>%s</a> · <a href=\"/my/share\">%s</a></p>\n"
	    "</section>\n", code, PL(lang, "下载二维码图片（PNG）",
	    "Download the QR image (PNG)"), PL(lang, "返回分享码列表",
	    "Back to my share codes"));
	OPENSSL_cleanse(code, sizeof(code));
	serve_page_end(q, &b, 200);
}

void
serve_my_share_withdraw(struct sreq *q)
{
	int64_t id = serve_decimal(q->arg, INT64_MAX / 2);
	struct actor who;
	enum hs_err rc;
	char err[HS_ERRLEN];

	if (id <= 0) {
		serve_error(q, 404, PL(q->lang, "没有这个分享码。",
		    "No such share code."));
		return;
	}
	serve_actor(q, &who);
	rc = share_withdraw(q->db, &who, q->acct.scope.practitioner_id, id,
	    q->now, err);
	if (rc == HS_ERR_NOTFOUND) {
		serve_error(q, 404, PL(q->lang, "没有这个分享码。",
		    "No such share code."));
		return;
	}
	if (rc != HS_OK && rc != HS_ERR_STATE) {
		serve_error(q, serve_status(rc), err);
		return;
	}
	serve_redirect(q, "/my/share");
}

/* ---- /s/<code> ---- */

/* A page saying why there is no report: 404, 410 or 429. */
static void
gone_page(struct sreq *q, int status, const char *title, const char *text)
{
	struct buf b;

	buf_init(&b);
	public_begin(q, &b, title);
	buf_printf(&b, "<section class=\"banner %s\"><span class=\"big\">%s"
	    "</span>", status == 404 ? "notfound" : "revoked", title);
	buf_puts(&b, "<p>");
	page_esc(&b, text);
	buf_puts(&b, "</p></section>\n");
	serve_page_end(q, &b, status);
}

/*
 * Looks the request's code up. Returns 0 with r filled and code the
 * canonical code, or answers (404, 410, 429) and returns -1. A code that
 * is there answers whatever the miss counters say.
 */
static int
find_code(struct sreq *q, struct share_row *r, char code[CROCKFORD_CODE_LEN + 1])
{
	enum page_lang lang = q->lang;
	const char *client = http_client(q->r);
	char err[HS_ERRLEN], t[32], msg[300];
	enum hs_err rc = HS_ERR_NOTFOUND;
	int64_t w;

	if (crockford_normalise(q->arg, code) == 0)
		rc = share_find(q->db, code, r, err);
	if (rc != HS_OK && rc != HS_ERR_NOTFOUND) {
		serve_error(q, serve_status(rc), err);
		return -1;
	}
	if (rc == HS_ERR_NOTFOUND) {
		if ((w = miss_wait(client, q->now)) > 0) {
			char ra[24];

			snprintf(ra, sizeof(ra), "%lld", (long long)w);
			serve_add_header(q, "Retry-After", ra);
			snprintf(msg, sizeof(msg), PL(lang, "查询分享码的次数过多，"
			    "请 %lld 秒后再试。", "Too many unknown share codes; "
			    "try again in %lld s."), (long long)w);
			gone_page(q, 429, PL(lang, "请稍后再试",
			    "Try again later"), msg);
			return -1;
		}
		miss_count(client, q->now);
		gone_page(q, 404, PL(lang, "没有这个分享码", "No such share "
		    "code"), PL(lang, "请核对分享码是否输入正确。分享码由 16 位字母"
		    "和数字组成。", "Check that the code was typed correctly: "
		    "16 letters and digits."));
		return -1;
	}
	switch (share_state(r, q->now)) {
	case SHARE_WITHDRAWN:
		gone_page(q, 410, PL(lang, "分享码已撤回", "Share code "
		    "withdrawn"), PL(lang, "持证人已撤回这个分享码，报告不再提供。"
		    "如需核验，请向持证人索取新的分享码。", "The holder withdrew "
		    "this share code. Ask the holder for a new one."));
		return -1;
	case SHARE_EXPIRED:
		beijing(r->expires, t, true);
		snprintf(msg, sizeof(msg), PL(lang, "这个分享码已于 %s（北京时间）"
		    "过期。持证人可以登录后生成新的分享码。", "This share code "
		    "expired on %s (Beijing time). The holder can make a new "
		    "one."), t);
		gone_page(q, 410, PL(lang, "分享码已过期", "Share code "
		    "expired"), msg);
		return -1;
	case SHARE_ACTIVE:
		break;
	}
	return 0;
}

/* One check's line: what passed in the page's language, or why not (the
 * library's words) when it did not. */
static void
check_line(struct buf *b, enum page_lang lang, const char *what,
    enum sharereport_check c, const char *ok_text, const char *ok_detail,
    const char *msg)
{
	buf_printf(b, "<dt>%s</dt><dd class=\"%s\">", what,
	    c == SR_OK ? "status-valid" : "status-bad");
	buf_puts(b, c == SR_OK ? "✓ " : c == SR_PENDING ? "… " : "✗ ");
	buf_puts(b, c == SR_OK ? ok_text : c == SR_PENDING ? PL(lang,
	    "尚未收录进已签名的检查点", "not yet in a signed checkpoint") :
	    PL(lang, "核验失败", "FAILED"));
	buf_puts(b, " <span class=\"hint\">");
	page_esc(b, c == SR_OK ? ok_detail : msg);
	buf_puts(b, "</span></dd>");
}

static void
hours_dd(struct buf *b, const char *dt, long h10)
{
	char h[HOURS_SIZE];

	hours_format(h10, h);
	buf_printf(b, "<dt>%s</dt><dd>%s</dd>", dt, h);
}

static void
cert_card(struct sreq *q, struct buf *b, const struct sharereport *rep,
    const struct sharereport_cert *c)
{
	enum page_lang lang = q->lang;
	bool ok = sharereport_cert_ok(c);
	char h[HOURS_SIZE], h2[HOURS_SIZE], h3[HOURS_SIZE], d1[120], t[32];
	time_t it;

	buf_printf(b, "<section class=\"card cert %s\"><h2>", ok ? "ok" :
	    "bad");
	if (c->replaces[0] != '\0')
		buf_printf(b, "%s ", PL(lang, "替换证书", "Replacement"));
	buf_puts(b, "<span class=\"mono\">");
	page_esc(b, c->serial);
	buf_puts(b, "</span></h2>\n");
	if (c->replaces[0] != '\0') {
		buf_printf(b, "<p class=\"hint\">%s <span class=\"mono\">",
		    PL(lang, "分享码列出的证书已被替换，这是替换后的证书：",
		    "The code listed a certificate that was replaced; this is "
		    "its replacement:"));
		page_esc(b, c->replaces);
		buf_puts(b, "</span> →</p>\n");
	}
	buf_printf(b, "<p class=\"verdict %s\">%s</p>\n<dl>", ok ?
	    "status-valid" : "status-bad", !c->found ? PL(lang,
	    "没有这张证书", "No such certificate") : ok ? PL(lang,
	    "核验通过", "Verified") : PL(lang, "核验未通过", "Did not verify"));
	if (c->found) {
		buf_printf(b, "<dt>%s</dt><dd>%d</dd><dt>%s</dt><dd>%s</dd>",
		    PL(lang, "年度", "Year"), c->year, PL(lang, "类型", "Kind"),
		    kind_name(lang, c->kind));
	}
	if (c->verified) {
		hours_dd(b, PL(lang, "公需科目", "Public"), c->public10);
		if (c->split) {
			hours_dd(b, PL(lang, "　其中必修", "  compulsory"),
			    c->compulsory10);
			hours_dd(b, PL(lang, "　其中选修", "  elective"),
			    c->elective10);
		}
		hours_dd(b, PL(lang, "专业科目", "Professional"),
		    c->professional10);
		hours_dd(b, PL(lang, "合计学时", "Total hours"), c->total10);
		if (strcmp(c->kind, "annual") == 0) {
			hours_format(c->req_total10, h);
			hours_format(c->req_public10, h2);
			hours_format(c->req_professional10, h3);
			buf_printf(b, "<dt>%s</dt><dd>%s %s%s%s %s%s%s %s%s</dd>"
			    "<dt>%s</dt><dd class=\"%s\">%s</dd>",
			    PL(lang, "年度要求", "Requirement"), h,
			    PL(lang, "学时", "hours"), PL(lang, "（", " ("),
			    PL(lang, "公需", "public"), h2, PL(lang, "，", ", "),
			    PL(lang, "专业", "professional"), h3,
			    PL(lang, "）", ")"),
			    PL(lang, "结果", "Result"), c->met ? "met" : "unmet",
			    c->met ? PL(lang, "达标", "met") : PL(lang, "未达标",
			    "not met"));
		}
		if (time_parse_rfc3339(c->issued, &it) == 0) {
			beijing((int64_t)it, t, true);
			buf_printf(b, "<dt>%s</dt><dd>%s %s</dd>", PL(lang,
			    "签发时间", "Issued"), t, PL(lang, "北京时间",
			    "Beijing time"));
		}
	}
	if (c->found) {
		buf_printf(b, "<dt>%s</dt><dd class=\"%s\">", PL(lang,
		    "证书状态", "Status"), c->revoked ? "status-bad" :
		    "status-valid");
		if (!c->revoked)
			buf_puts(b, PL(lang, "有效", "valid"));
		else if (strcmp(c->reason, "superseded") == 0 &&
		    c->replaced_by[0] != '\0') {
			buf_printf(b, "%s → <span class=\"mono\">", PL(lang,
			    "已被替换", "superseded"));
			page_esc(b, c->replaced_by);
			buf_puts(b, "</span>");
		} else {
			buf_printf(b, "%s：%s", PL(lang, "已撤销", "revoked"),
			    page_revoke_reason(lang, c->reason));
		}
		buf_puts(b, "</dd>");
	}
	snprintf(d1, sizeof(d1), PL(lang, "账本第 %llu 项，检查点大小 %llu",
	    "leaf %llu, checkpoint size %llu"),
	    (unsigned long long)c->leaf_index,
	    (unsigned long long)rep->checkpoint_size);
	check_line(b, lang, PL(lang, "签名核验", "Signature"), c->sig,
	    PL(lang, "签名有效（发证机构公钥）", "valid (issuer's key)"), "",
	    c->sig_msg);
	check_line(b, lang, PL(lang, "账本收录", "In the ledger"), c->incl,
	    PL(lang, "已收录，包含证明有效", "included, proof checked"), d1,
	    c->incl_msg);
	if (c->revoked)
		check_line(b, lang, PL(lang, "撤销记录", "Revocation"), c->rev,
		    PL(lang, "账本中的撤销记录已核验", "revocation leaf checked"),
		    "", c->rev_msg);
	else if (c->found)
		buf_printf(b, "<dt>%s</dt><dd>%s %llu</dd>", PL(lang, "撤销记录",
		    "Revocation"), PL(lang, "截至检查点无撤销记录，大小",
		    "none up to the checkpoint of size"),
		    (unsigned long long)rep->checkpoint_size);
	buf_puts(b, "</dl></section>\n");
}

void
serve_share_report(struct sreq *q)
{
	struct share_row r;
	struct sharereport *rep = NULL;
	struct buf b;
	enum page_lang lang = q->lang;
	char code[CROCKFORD_CODE_LEN + 1], err[HS_ERRLEN], t[32];
	const char *name = "", *masked = "";
	bool all_ok = true;
	size_t i;

	if (find_code(q, &r, code) != 0)
		return;
	if (sharereport_build(q->db, serve_opts(q->sv)->cfg->origin,
	    (const char (*)[SERIAL_SIZE])r.serials, r.nserials, q->now, &rep,
	    err) != HS_OK) {
		serve_error(q, 503, err);
		return;
	}
	/* A view is a GET that got the report; HEAD is not one. */
	if (strcmp(http_method(q->r), "HEAD") != 0 &&
	    share_view(q->db, r.id, q->now, err) != HS_OK) {
		sharereport_free(rep);
		serve_error(q, 503, err);
		return;
	}
	for (i = 0; i < rep->n; i++) {
		if (!sharereport_cert_ok(&rep->c[i]))
			all_ok = false;
		if (name[0] == '\0' && rep->c[i].found) {
			name = rep->c[i].name;
			masked = rep->c[i].id_masked;
		}
	}
	buf_init(&b);
	public_begin(q, &b, PL(lang, "学时证明核验报告", "Verification "
	    "report"));
	buf_printf(&b, "<h1>%s</h1>\n<section class=\"banner %s\"><span "
	    "class=\"big\">%s</span><p>%s</p></section>\n",
	    PL(lang, "继续教育学时证明 · 在线核验报告", "Continuing-education "
	    "hours · verification report"), all_ok ? "valid" : "badsig",
	    all_ok ? PL(lang, "全部核验通过", "All verified") : PL(lang,
	    "有证书未通过核验", "Not everything verified"),
	    all_ok ? PL(lang, "下列证书的签名、账本收录与撤销状态均已核验。",
	    "Each certificate's signature, ledger inclusion and revocation "
	    "state were checked.") : PL(lang, "请查看下方每张证书的核验结果。",
	    "See each certificate's checks below."));
	buf_printf(&b, "<section class=\"card\"><dl><dt>%s</dt><dd>",
	    PL(lang, "持证人", "Holder"));
	page_esc(&b, name);
	buf_printf(&b, "</dd><dt>%s</dt><dd class=\"mono\">", PL(lang,
	    "身份证号", "ID number"));
	page_esc(&b, masked);
	beijing(rep->checked_at, t, true);
	buf_printf(&b, "</dd><dt>%s</dt><dd>%s %s</dd>", PL(lang, "核验时间",
	    "Checked"), t, PL(lang, "北京时间", "Beijing time"));
	if (rep->have_checkpoint)
		buf_printf(&b, "<dt>%s</dt><dd>%s %llu</dd>", PL(lang,
		    "账本检查点", "Ledger checkpoint"), PL(lang, "大小",
		    "size"), (unsigned long long)rep->checkpoint_size);
	else {
		buf_printf(&b, "<dt>%s</dt><dd class=\"status-bad\">",
		    PL(lang, "账本检查点", "Ledger checkpoint"));
		page_esc(&b, rep->checkpoint_msg);
		buf_puts(&b, "</dd>");
	}
	beijing(r.expires, t, true);
	buf_printf(&b, "<dt>%s</dt><dd>%s%s%lld%s</dd></dl>\n"
	    "<p class=\"hint\">%s</p></section>\n",
	    PL(lang, "分享码有效期至", "Code valid until"), t,
	    PL(lang, "（剩余 ", " ("), (long long)days_left(r.expires, q->now),
	    PL(lang, " 天）", " days left)"),
	    PL(lang, "核验方式与独立核验服务相同：用发证机构公钥核验证书签名，用默克尔"
	    "包含证明核验证书已收录于最新签名检查点，并从账本读取撤销状态。",
	    "Checked as the verifier checks: the signature against the "
	    "issuer's public key, inclusion in the latest signed checkpoint "
	    "by a Merkle proof, and revocation from the ledger."));
	for (i = 0; i < rep->n; i++)
		cert_card(q, &b, rep, &rep->c[i]);
	sharereport_free(rep);
	OPENSSL_cleanse(code, sizeof(code));
	serve_page_end(q, &b, 200);
}

void
serve_share_qr(struct sreq *q)
{
	static const char *const h[] = { "Cache-Control", "no-store",
	    "X-Robots-Tag", "noindex", NULL };
	struct share_row r;
	struct buf png;
	char code[CROCKFORD_CODE_LEN + 1], url[600], err[HS_ERRLEN];

	if (find_code(q, &r, code) != 0)
		return;
	share_url(q, code, url, sizeof(url));
	buf_init(&png);
	if (qrpng_encode(url, QR_SCALE, &png, err) != HS_OK) {
		buf_free(&png);
		serve_error(q, 503, err);
		return;
	}
	http_reply(q->r, 200, "image/png", png.data, png.len, HTTP_MEM_FREE,
	    h);
}
