/*
 * serve_admin_certs.c - the console's certificate pages (issue 13):
 *
 *   GET  /admin/certs              certificates in scope (hr, employer,
 *                                  auditor), 100 a page by ledger index
 *                                  (?after=), filters ?year= and ?status=
 *                                  (valid, revoked); hr also gets the
 *                                  issue form (the ID number goes in the
 *                                  POST body, never in a URL)
 *   POST /admin/certs/issue        issue for a person and year (hr)
 *   GET  /admin/certs/<serial>     one certificate: status, holder
 *                                  (masked), its records; hr gets the
 *                                  revoke and reissue forms
 *   POST /admin/certs/<serial>/revoke    revoke with a reason (hr)
 *   POST /admin/certs/<serial>/reissue   without confirm=1 a dry run that
 *                                  shows what would change and a confirm
 *                                  form; with it, the reissue (hr)
 *
 * The changes go through exactly the library calls POST /api/v1/issue,
 * revoke and reissue make (serve_issue_open, issue_run, issue_revoke,
 * issue_reissue), with the signed-in account as the audit actor
 * (issue_set_actor: cert.issue / cert.revoke rows in the change's own
 * transaction). A certificate whose holder has no record in the
 * account's scope answers 404, as a missing one.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "serve.h"
#include "app/issue.h"
#include "cert/idnum.h"
#include "cert/serial.h"
#include "store/audit.h"
#include "store/certs.h"
#include "store/certview.h"
#include "store/config.h"
#include "store/lookup.h"
#include "core/util.h"
#include "web/page.h"

#define CERTS_PAGE 100

/* The scope of q's principal as a certview filter; false if it has
 * none (a role without certificates: nothing to see). */
static bool
scope_of(const struct sreq *q, struct certview_filter *f)
{
	memset(f, 0, sizeof(*f));
	switch (q->p.role) {
	case PRINCIPAL_HR:
	case PRINCIPAL_AUDITOR:
		if (q->p.region[0] == '\0')
			return false;
		f->region = q->p.region;
		f->blank_ok = strlen(q->p.region) == 2;
		return true;
	case PRINCIPAL_EMPLOYER:
		if (q->p.unit[0] == '\0')
			return false;
		f->unit = q->p.unit;
		return true;
	default:
		return false;
	}
}

/* Hours as the certificate writes them (hours_format: "36", "1.5"). */
static void
hours(struct buf *b, long h10)
{
	char h[HOURS_SIZE];

	hours_format(h10, h);
	buf_puts(b, h);
}

struct list_ctx {
	struct buf *b;
	enum page_lang lang;
	int rows;
	int64_t last;
};

static int
list_row(void *vctx, const struct certview_row *r)
{
	struct list_ctx *c = vctx;
	struct buf *b = c->b;
	enum page_lang lang = c->lang;

	c->rows++;
	c->last = r->leaf_index;
	buf_printf(b, "<tr><td data-label=\"%s\" class=\"mono\"><a href=\""
	    "/admin/certs/", PL(lang, "编号", "Serial"));
	page_esc(b, r->serial);
	buf_puts(b, "\">");
	page_esc(b, r->serial);
	buf_printf(b, "</a></td><td data-label=\"%s\">%d</td>",
	    PL(lang, "年度", "Year"), r->year);
	buf_printf(b, "<td data-label=\"%s\">", PL(lang, "持证人", "Holder"));
	page_esc(b, r->name);
	buf_puts(b, "<br><span class=\"hint mono\">");
	page_esc(b, r->id_masked);
	buf_printf(b, "</span></td><td data-label=\"%s\">",
	    PL(lang, "单位", "Unit"));
	page_esc(b, r->unit);
	buf_printf(b, "</td><td data-label=\"%s\" class=\"num\">",
	    PL(lang, "学时", "Hours"));
	hours(b, r->total10);
	buf_printf(b, "</td><td data-label=\"%s\">", PL(lang, "状态",
	    "Status"));
	if (r->revoked) {
		buf_printf(b, "%s (", PL(lang, "已撤销", "revoked"));
		page_esc(b, r->reason);
		buf_puts(b, ")");
	} else
		buf_puts(b, PL(lang, "有效", "valid"));
	buf_puts(b, "</td></tr>\n");
	return 0;
}

/* GET /admin/certs */
void
serve_certs_list(struct sreq *q)
{
	enum page_lang lang = q->lang;
	const char *va = http_query(q->r, "after"),
	    *vy = http_query(q->r, "year"), *vs = http_query(q->r, "status");
	struct certview_filter f;
	struct list_ctx lc;
	struct buf page, *b = &page;
	char err[HS_ERRLEN] = "";
	int64_t after = 0, year = 0;
	int more = 0;
	enum hs_err rc;

	if (va != NULL && va[0] != '\0' && (after = serve_decimal(va,
	    INT64_MAX / 2)) < 0) {
		serve_error(q, 400, "after: must be a ledger index");
		return;
	}
	if (vy != NULL && vy[0] != '\0' && ((year = serve_decimal(vy, 2100)) <
	    1990)) {
		serve_error(q, 400, "year: must be 1990..2100");
		return;
	}
	if (vs != NULL && vs[0] != '\0' && strcmp(vs, "valid") != 0 &&
	    strcmp(vs, "revoked") != 0) {
		serve_error(q, 400, "status: valid or revoked");
		return;
	}
	if (!scope_of(q, &f)) {
		serve_error(q, 404, "no certificates in this account's scope");
		return;
	}
	f.year = (int)year;
	f.state = vs != NULL && vs[0] != '\0' ? vs : NULL;
	f.after = after;
	f.limit = CERTS_PAGE;
	buf_init(&page);
	serve_page_begin(q, b, PL(lang, "证书", "Certificates"));
	buf_printf(b, "<h1>%s</h1>\n", PL(lang, "证书", "Certificates"));
	buf_printf(b, "<form method=\"get\" action=\"/admin/certs\" "
	    "class=\"filters\"><label>%s <input name=\"year\" "
	    "inputmode=\"numeric\" size=\"4\" value=\"", PL(lang, "年度",
	    "Year"));
	if (year > 0)
		buf_printf(b, "%" PRId64, year);
	buf_printf(b, "\"></label> <label>%s <select name=\"status\">"
	    "<option value=\"\">%s</option><option value=\"valid\"%s>%s"
	    "</option><option value=\"revoked\"%s>%s</option></select>"
	    "</label> <button>%s</button></form>\n",
	    PL(lang, "状态", "Status"), PL(lang, "全部", "all"),
	    f.state && strcmp(f.state, "valid") == 0 ? " selected" : "",
	    PL(lang, "有效", "valid"),
	    f.state && strcmp(f.state, "revoked") == 0 ? " selected" : "",
	    PL(lang, "已撤销", "revoked"), PL(lang, "筛选", "Filter"));
	if (authz_allowed(q->p.role, AZ_CERT_ISSUE)) {
		buf_printf(b, "<section class=\"card\"><h2>%s</h2><form "
		    "method=\"post\" action=\"/admin/certs/issue\">",
		    PL(lang, "签发证书", "Issue a certificate"));
		serve_csrf_field(q, b);
		buf_printf(b, "<label>%s <input name=\"id_number\" "
		    "autocomplete=\"off\" maxlength=\"18\" required></label> "
		    "<label>%s <input name=\"year\" inputmode=\"numeric\" "
		    "size=\"4\" required></label> <button>%s</button>"
		    "<p class=\"hint\">%s</p></form></section>\n",
		    PL(lang, "身份证号", "ID number"), PL(lang, "年度", "Year"),
		    PL(lang, "签发", "Issue"), PL(lang, "只能为本辖区内有记录"
		    "的人员签发；身份证号只在表单正文中提交。", "Only for a "
		    "person with records in your scope; the ID number travels "
		    "only in the form's body."));
		buf_printf(b, "<section class=\"card\"><h2>%s</h2><form "
		    "method=\"post\" action=\"/admin/certs/find\">",
		    PL(lang, "按姓名或脱敏身份证号查找", "Find by name or masked "
		    "ID number"));
		serve_csrf_field(q, b);
		buf_printf(b, "<label>%s <input name=\"q\" maxlength=\"64\" "
		    "required placeholder=\"1101**********002X / 002X\">"
		    "</label> <label>%s <input name=\"year\" "
		    "inputmode=\"numeric\" size=\"4\"></label> <button>%s"
		    "</button></form></section>\n", PL(lang, "姓名或身份证号",
		    "Name or ID"), PL(lang, "年度", "Year"), PL(lang, "查找",
		    "Find"));
	}
	buf_printf(b, "<div class=\"tablewrap\"><table class=\"records\">\n"
	    "<thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
	    "<th>%s</th><th>%s</th></tr></thead>\n<tbody>\n",
	    PL(lang, "编号", "Serial"), PL(lang, "年度", "Year"),
	    PL(lang, "持证人", "Holder"), PL(lang, "单位", "Unit"),
	    PL(lang, "学时", "Hours"), PL(lang, "状态", "Status"));
	lc.b = b;
	lc.lang = lang;
	lc.rows = 0;
	lc.last = 0;
	if ((rc = certview_page(q->db, &f, list_row, &lc, &more, err)) !=
	    HS_OK) {
		buf_free(&page);
		serve_error(q, serve_status(rc), err);
		return;
	}
	buf_puts(b, "</tbody></table></div>\n");
	if (lc.rows == 0)
		buf_printf(b, "<p class=\"hint\">%s</p>\n", PL(lang,
		    "此范围内没有证书。", "No certificates in this scope."));
	if (more) {
		buf_printf(b, "<p class=\"pager\"><a rel=\"next\" href=\""
		    "/admin/certs?after=%" PRId64, lc.last);
		if (year > 0)
			buf_printf(b, "&amp;year=%" PRId64, year);
		if (f.state != NULL)
			buf_printf(b, "&amp;status=%s", f.state);
		buf_printf(b, "\">%s</a></p>\n", PL(lang, "下一页 →",
		    "Next →"));
	}
	serve_page_end(q, b, 200);
}

/* The certificate named by q->arg in scope; false with an answer sent. */
static bool
cert_of(struct sreq *q, struct certview_row *row)
{
	struct certview_filter f;
	char serial[SERIAL_SIZE], err[HS_ERRLEN] = "";
	enum hs_err rc;

	if (serial_parse(q->arg, serial, err) != HS_OK) {
		serve_error(q, 404, "no such certificate in scope");
		return false;
	}
	if (!scope_of(q, &f)) {
		serve_error(q, 404, "no such certificate in scope");
		return false;
	}
	if ((rc = certview_get(q->db, &f, serial, row, err)) != HS_OK) {
		serve_error(q, serve_status(rc), err);
		return false;
	}
	return true;
}

struct rec_ctx {
	struct buf *b;
	enum page_lang lang;
};

static int
rec_row(void *vctx, const struct certview_record *r)
{
	struct rec_ctx *c = vctx;
	struct buf *b = c->b;
	enum page_lang lang = c->lang;

	buf_printf(b, "<tr><td data-label=\"%s\" class=\"mono\"><a href=\""
	    "/admin/records/%" PRId64 "\">", PL(lang, "记录", "Record"), r->id);
	page_esc(b, r->ref);
	buf_printf(b, "</a></td><td data-label=\"%s\">", PL(lang, "课程",
	    "Title"));
	page_esc(b, r->title);
	buf_printf(b, "</td><td data-label=\"%s\" class=\"num\">",
	    PL(lang, "学时", "Hours"));
	hours(b, r->hours10);
	buf_printf(b, "</td><td data-label=\"%s\" class=\"stamper\">",
	    PL(lang, "验印", "Stamped by"));
	page_esc(b, r->authority);
	if (r->account[0] != '\0') {
		buf_puts(b, " · ");
		page_esc(b, r->account);
	}
	if (r->kind[0] != '\0') {
		buf_puts(b, " <span class=\"hint\">(");
		page_esc(b, r->kind);
		buf_puts(b, ") ");
		page_time(b, lang, r->at);
		buf_puts(b, "</span>");
	}
	buf_printf(b, "</td><td data-label=\"%s\">", PL(lang, "现状",
	    "State now"));
	page_esc(b, r->state);
	buf_puts(b, "</td></tr>\n");
	return 0;
}

/* GET /admin/certs/<serial> */
void
serve_cert_show(struct sreq *q)
{
	enum page_lang lang = q->lang;
	struct certview_row row;
	struct rec_ctx rc_;
	struct buf page, *b = &page, recs;
	char err[HS_ERRLEN] = "";
	enum hs_err rc;

	if (!cert_of(q, &row))
		return;
	buf_init(&recs);
	rc_.b = &recs;
	rc_.lang = lang;
	if ((rc = certview_records(q->db, row.serial, 10000, rec_row, &rc_,
	    err)) != HS_OK) {
		buf_free(&recs);
		serve_error(q, serve_status(rc), err);
		return;
	}
	buf_init(&page);
	serve_page_begin(q, b, PL(lang, "证书", "Certificate"));
	buf_printf(b, "<h1>%s <span class=\"mono\">", PL(lang, "证书",
	    "Certificate"));
	page_esc(b, row.serial);
	buf_printf(b, "</span></h1>\n<dl class=\"card\"><dt>%s</dt><dd>",
	    PL(lang, "状态", "Status"));
	if (row.revoked) {
		buf_printf(b, "%s: ", PL(lang, "已撤销", "revoked"));
		page_esc(b, row.reason);
		buf_puts(b, " · ");
		page_time(b, lang, row.revoked_at);
		if (row.replaced_by[0] != '\0') {
			buf_printf(b, " · %s <a class=\"mono\" href=\""
			    "/admin/certs/", PL(lang, "替换为", "replaced by"));
			page_esc(b, row.replaced_by);
			buf_puts(b, "\">");
			page_esc(b, row.replaced_by);
			buf_puts(b, "</a>");
		}
	} else
		buf_puts(b, PL(lang, "有效", "valid"));
	buf_printf(b, "</dd><dt>%s</dt><dd>", PL(lang, "持证人", "Holder"));
	page_esc(b, row.name);
	buf_puts(b, " <span class=\"mono\">");
	page_esc(b, row.id_masked);
	buf_printf(b, "</span></dd><dt>%s</dt><dd>", PL(lang, "单位", "Unit"));
	page_esc(b, row.unit);
	buf_printf(b, "</dd><dt>%s</dt><dd>%d %s</dd><dt>%s</dt><dd>",
	    PL(lang, "年度", "Year"), row.year, row.kind,
	    PL(lang, "学时", "Hours"));
	hours(b, row.total10);
	if (row.status[0] != '\0') {
		buf_puts(b, " (");
		page_esc(b, row.status);
		buf_puts(b, ")");
	}
	buf_printf(b, "</dd><dt>%s</dt><dd>", PL(lang, "签发", "Issued"));
	page_time(b, lang, row.issued);
	buf_printf(b, " · %s %" PRId64 "</dd>", PL(lang, "账本序号",
	    "ledger index"), row.leaf_index);
	if (row.replaces[0] != '\0') {
		buf_printf(b, "<dt>%s</dt><dd><a class=\"mono\" href=\""
		    "/admin/certs/", PL(lang, "替换", "Replaces"));
		page_esc(b, row.replaces);
		buf_puts(b, "\">");
		page_esc(b, row.replaces);
		buf_puts(b, "</a></dd>");
	}
	buf_puts(b, "</dl>\n");
	buf_printf(b, "<h2>%s</h2>\n<div class=\"tablewrap\"><table "
	    "class=\"records\">\n<thead><tr><th>%s</th><th>%s</th><th>%s</th>"
	    "<th>%s</th><th>%s</th></tr></thead>\n<tbody>\n",
	    PL(lang, "所含记录", "Records it covers"),
	    PL(lang, "记录", "Record"), PL(lang, "课程", "Title"),
	    PL(lang, "学时", "Hours"), PL(lang, "验印", "Stamped by"),
	    PL(lang, "现状", "State now"));
	buf_add(b, recs.data, recs.len);
	buf_free(&recs);
	buf_puts(b, "</tbody></table></div>\n");
	if (!row.revoked && authz_allowed(q->p.role, AZ_CERT_REVOKE)) {
		buf_printf(b, "<section class=\"card\"><h2>%s</h2><form "
		    "method=\"post\" action=\"/admin/certs/", PL(lang,
		    "撤销", "Revoke"));
		page_esc(b, row.serial);
		buf_puts(b, "/revoke\">");
		serve_csrf_field(q, b);
		buf_printf(b, "<label>%s <select name=\"reason\" required>"
		    "<option value=\"error\">error</option><option value=\""
		    "fraud\">fraud</option><option value=\"withdrawn\">"
		    "withdrawn</option></select></label> <label>%s <input "
		    "name=\"note\" maxlength=\"500\"></label> <button>%s"
		    "</button></form></section>\n", PL(lang, "原因", "Reason"),
		    PL(lang, "说明", "Note"), PL(lang, "撤销证书",
		    "Revoke the certificate"));
	}
	if (!row.revoked && authz_allowed(q->p.role, AZ_CERT_REISSUE)) {
		buf_printf(b, "<section class=\"card\"><h2>%s</h2><form "
		    "method=\"post\" action=\"/admin/certs/", PL(lang,
		    "重新签发", "Reissue"));
		page_esc(b, row.serial);
		buf_puts(b, "/reissue\">");
		serve_csrf_field(q, b);
		buf_printf(b, "<button>%s</button></form></section>\n",
		    PL(lang, "预览重新签发", "Preview the reissue"));
	}
	serve_page_end(q, b, 200);
}

/* The PDF directory (as the API's); false with an answer sent. */
static bool
out_dir(struct sreq *q, char out[PATH_MAX])
{
	if (snprintf(out, PATH_MAX, "%s/pdfs", serve_opts(q->sv)->data_dir) >=
	    PATH_MAX) {
		serve_error(q, 500, "data directory path too long");
		return false;
	}
	return true;
}

/* An issuing session acting as q's account; false with an answer sent. */
static bool
open_as(struct sreq *q, unsigned flags, struct issue **is)
{
	char err[HS_ERRLEN] = "";
	struct actor who;
	enum hs_err rc;

	if ((rc = serve_issue_open(q, flags, is, err)) != HS_OK) {
		serve_error(q, rc == HS_ERR_STATE ? 503 : serve_status(rc), err);
		return false;
	}
	serve_actor(q, &who);
	if ((rc = issue_set_actor(*is, &who, err)) != HS_OK) {
		issue_close(*is);
		*is = NULL;
		serve_error(q, serve_status(rc), err);
		return false;
	}
	return true;
}

/* A short page saying what was done, with a link to the certificate. */
static void
done_page(struct sreq *q, const char *title, const char *msg,
    const char *serial)
{
	struct buf page, *b = &page;

	buf_init(&page);
	serve_page_begin(q, b, title);
	buf_puts(b, "<h1>");
	page_esc(b, title);
	buf_puts(b, "</h1>\n<p>");
	page_esc(b, msg);
	buf_puts(b, "</p>\n");
	if (serial != NULL && serial[0] != '\0') {
		buf_puts(b, "<p><a class=\"mono\" href=\"/admin/certs/");
		page_esc(b, serial);
		buf_puts(b, "\">");
		page_esc(b, serial);
		buf_puts(b, "</a></p>\n");
	}
	serve_page_end(q, b, 200);
}

/* POST /admin/certs/issue: id_number, year, kind (annual by default). */
void
serve_certs_issue(struct sreq *q)
{
	const struct serve_opts *so = serve_opts(q->sv);
	const char *s = form_get(&q->form, "id_number"),
	    *vy = form_get(&q->form, "year"), *kind = form_get(&q->form, "kind"),
	    *person = form_get(&q->form, "person");
	char id[IDNUM_SIZE] = "", digest[PEPPER_DIGEST_SIZE];
	char stored[IDNUM_SIZE] = "";
	char masked[IDNUM_SIZE] = "", err[HS_ERRLEN] = "", dir[PATH_MAX];
	char news[SERIAL_SIZE] = "", set[CERTS_SET_SIZE], msg[200];
	struct issue *is = NULL;
	struct issue_opts o;
	struct issue_stats st;
	struct certs *cs = NULL;
	int64_t pid = 0, year;
	bool revoked = true;
	enum hs_err rc;

	memset(&o, 0, sizeof(o));
	memset(&st, 0, sizeof(st));
	/* A person found by the search (serve_certs_find) names the
	 * practitioner by key; the full number is read here, in scope. */
	if (person != NULL && person[0] != '\0') {
		if ((pid = serve_decimal(person, INT64_MAX / 2)) <= 0) {
			serve_error(q, 400, "person: must be a person key");
			return;
		}
		if (q->p.region[0] == '\0' || certview_id_number(q->db, pid,
		    q->p.region, strlen(q->p.region) == 2, stored, err) !=
		    HS_OK) {
			serve_error(q, 404, "no such practitioner in scope");
			return;
		}
		s = stored;
	}
	rc = s == NULL ? HS_ERR_INVALID : idnum_validate(s, -1, id, err);
	OPENSSL_cleanse(stored, sizeof(stored));
	if (rc != HS_OK) {
		serve_error(q, 400, "id_number: required, a valid ID number");
		return;
	}
	if ((year = serve_decimal(vy, 2100)) < 1990) {
		OPENSSL_cleanse(id, sizeof(id));
		serve_error(q, 400, "year: required, 1990..2100");
		return;
	}
	if (kind != NULL && kind[0] != '\0' && strcmp(kind, "annual") != 0 &&
	    strcmp(kind, "course") != 0) {
		OPENSSL_cleanse(id, sizeof(id));
		serve_error(q, 400, "kind: annual or course");
		return;
	}
	o.year = (int)year;
	o.kind = kind && strcmp(kind, "course") == 0 ? CERT_COURSE :
	    CERT_ANNUAL;
	config_id_digest(so->cfg, id, digest);
	rc = lookup_person_digest(q->db, digest, q->p.region,
	    strlen(q->p.region) == 2, &pid, masked, err);
	OPENSSL_cleanse(digest, sizeof(digest));
	if (rc != HS_OK || q->p.region[0] == '\0') {
		OPENSSL_cleanse(id, sizeof(id));
		serve_error(q, rc == HS_OK ? 404 : serve_status(rc),
		    "no such practitioner in scope");
		return;
	}
	if (!out_dir(q, dir) || !open_as(q, ISSUE_RENDER, &is)) {
		OPENSSL_cleanse(id, sizeof(id));
		return;
	}
	o.id_number = id;
	o.out_dir = dir;
	o.quiet = true;
	o.batch = 1;
	o.workers = 1;
	rc = issue_run(is, &o, &st, err);
	OPENSSL_cleanse(id, sizeof(id));
	if (rc == HS_OK && certs_open(q->db, &cs, err) == HS_OK &&
	    certs_find_latest(cs, pid, o.year, o.kind == CERT_COURSE ?
	    "course" : "annual", 0, news, set, &revoked, err) == HS_OK &&
	    revoked)
		news[0] = '\0';
	certs_close(cs);
	issue_close(is);
	if (rc != HS_OK) {
		serve_error(q, serve_status(rc), err);
		return;
	}
	snprintf(msg, sizeof(msg), "%s %d: issued %ld, superseded %ld, "
	    "unchanged %ld", masked, o.year, st.issued, st.superseded,
	    st.unchanged);
	done_page(q, PL(q->lang, "签发证书", "Certificate issued"), msg, news);
}

/* POST /admin/certs/<serial>/revoke: reason, note. */
void
serve_cert_revoke(struct sreq *q)
{
	const char *reason = form_get(&q->form, "reason"),
	    *note = form_get(&q->form, "note");
	struct certview_row row;
	struct issue *is = NULL;
	char err[HS_ERRLEN] = "", msg[120];
	enum hs_err rc;
	size_t i;

	if (!cert_of(q, &row))
		return;
	if (reason == NULL || !certs_reason_valid(reason) ||
	    strcmp(reason, "superseded") == 0) {
		serve_error(q, 400, "reason: one of error, fraud, withdrawn");
		return;
	}
	if (note != NULL && note[0] == '\0')
		note = NULL;
	if (note != NULL) {
		bool bad = strlen(note) > 500 || !utf8_valid(note,
		    strlen(note));

		for (i = 0; !bad && note[i] != '\0'; i++)
			if ((unsigned char)note[i] < 0x20 || note[i] == 0x7f)
				bad = true;
		if (bad) {
			serve_error(q, 400, "note: at most 500 bytes of UTF-8, "
			    "no control characters");
			return;
		}
	}
	if (!open_as(q, 0, &is))
		return;
	rc = issue_revoke(is, row.serial, reason, note, NULL, NULL, err);
	issue_close(is);
	if (rc != HS_OK) {
		serve_error(q, serve_status(rc), err);
		return;
	}
	snprintf(msg, sizeof(msg), "%s: %s", row.serial, reason);
	done_page(q, PL(q->lang, "证书已撤销", "Certificate revoked"), msg,
	    row.serial);
}

struct preview {
	struct buf *b;
	int n;
};

static void
on_change(void *ctx, const struct issue_change *ch)
{
	struct preview *p = ctx;

	p->n++;
	buf_puts(p->b, "<li>");
	page_esc(p->b, ch->old_serial);
	buf_puts(p->b, ": ");
	page_esc(p->b, ch->reason);
	buf_puts(p->b, "</li>\n");
}

/* POST /admin/certs/<serial>/reissue: a dry run first, confirm=1 to do. */
void
serve_cert_reissue(struct sreq *q)
{
	enum page_lang lang = q->lang;
	const char *confirm = form_get(&q->form, "confirm");
	struct certview_row row;
	struct issue *is = NULL;
	struct issue_opts o;
	struct preview pv;
	struct buf page, *b = &page, list;
	char err[HS_ERRLEN] = "", dir[PATH_MAX], news[SERIAL_SIZE] = "";
	char msg[120];
	bool doit = confirm != NULL && strcmp(confirm, "1") == 0;
	enum hs_err rc;

	if (!cert_of(q, &row) || !out_dir(q, dir))
		return;
	memset(&o, 0, sizeof(o));
	o.quiet = true;
	o.workers = 1;
	buf_init(&list);
	pv.b = &list;
	pv.n = 0;
	if (!doit) {
		o.dry_run = true;
		o.on_change = on_change;
		o.change_ctx = &pv;
	}
	if (!open_as(q, doit ? ISSUE_RENDER : 0, &is)) {
		buf_free(&list);
		return;
	}
	rc = issue_reissue(is, row.serial, dir, &o, news, err);
	issue_close(is);
	if (rc != HS_OK) {
		buf_free(&list);
		serve_error(q, serve_status(rc), err);
		return;
	}
	if (doit) {
		buf_free(&list);
		snprintf(msg, sizeof(msg), "%s -> %s", row.serial, news);
		done_page(q, PL(lang, "已重新签发", "Reissued"), msg, news);
		return;
	}
	buf_init(&page);
	serve_page_begin(q, b, PL(lang, "重新签发预览", "Reissue preview"));
	buf_printf(b, "<h1>%s <span class=\"mono\">", PL(lang,
	    "重新签发预览", "Reissue preview"));
	page_esc(b, row.serial);
	buf_printf(b, "</span></h1>\n<p class=\"hint\">%s</p>\n<ul>\n",
	    PL(lang, "试运行：尚未写入任何内容。", "Dry run: nothing written "
	    "yet."));
	if (list.len > 0)
		buf_add(b, list.data, list.len);
	else
		buf_printf(b, "<li>%s</li>\n", PL(lang, "记录未变",
		    "records unchanged"));
	buf_free(&list);
	buf_puts(b, "</ul>\n<form method=\"post\" action=\"/admin/certs/");
	page_esc(b, row.serial);
	buf_puts(b, "/reissue\">");
	serve_csrf_field(q, b);
	buf_printf(b, "<input type=\"hidden\" name=\"confirm\" value=\"1\">"
	    "<button>%s</button></form>\n", PL(lang, "确认重新签发",
	    "Reissue now"));
	serve_page_end(q, b, 200);
}

struct find_ctx {
	struct sreq *q;
	struct buf *b;
	int rows;
	const char *year;
};

static int
find_row(void *vctx, const struct certview_person *p)
{
	struct find_ctx *c = vctx;
	struct buf *b = c->b;
	enum page_lang lang = c->q->lang;

	c->rows++;
	buf_puts(b, "<tr><td>");
	page_esc(b, p->name);
	buf_puts(b, "</td><td class=\"mono\">");
	page_esc(b, p->id_masked);
	buf_puts(b, "</td><td><form method=\"post\" action=\""
	    "/admin/certs/issue\">");
	serve_csrf_field(c->q, b);
	buf_printf(b, "<input type=\"hidden\" name=\"person\" value=\"%"
	    PRId64 "\"><label>%s <input name=\"year\" inputmode=\"numeric\" "
	    "size=\"4\" required value=\"", p->id, PL(lang, "年度", "Year"));
	page_esc(b, c->year);
	buf_printf(b, "\"></label> <button>%s</button></form></td></tr>\n",
	    PL(lang, "签发", "Issue"));
	return 0;
}

/* POST /admin/certs/find: q (a name, a masked ID number or its last
 * characters), year (optional, carried into the issue forms). */
void
serve_certs_find(struct sreq *q)
{
	enum page_lang lang = q->lang;
	const char *text = form_get(&q->form, "q"),
	    *vy = form_get(&q->form, "year");
	struct find_ctx fc;
	struct buf page, *b = &page;
	char err[HS_ERRLEN] = "";
	size_t i, n;
	enum hs_err rc;

	if (text == NULL || (n = strlen(text)) == 0 || n > 64 ||
	    !utf8_valid(text, n)) {
		serve_error(q, 400, "q: a name or masked ID number, 1 to 64 "
		    "bytes of UTF-8");
		return;
	}
	for (i = 0; i < n; i++)
		if ((unsigned char)text[i] < 0x20 || text[i] == 0x7f) {
			serve_error(q, 400, "q: no control characters");
			return;
		}
	if (vy != NULL && vy[0] != '\0' && serve_decimal(vy, 2100) < 1990) {
		serve_error(q, 400, "year: must be 1990..2100");
		return;
	}
	if (q->p.region[0] == '\0') {
		serve_error(q, 404, "no practitioners in this account's scope");
		return;
	}
	buf_init(&page);
	serve_page_begin(q, b, PL(lang, "查找人员", "Find a person"));
	buf_printf(b, "<h1>%s</h1>\n<p>", PL(lang, "查找人员",
	    "Find a person"));
	page_esc(b, text);
	buf_printf(b, "</p>\n<div class=\"tablewrap\"><table class=\"records "
	    "found\">\n<thead><tr><th>%s</th><th>%s</th><th></th></tr></thead>"
	    "\n<tbody>\n", PL(lang, "姓名", "Name"), PL(lang, "身份证号",
	    "ID number"));
	fc.q = q;
	fc.b = b;
	fc.rows = 0;
	fc.year = vy != NULL ? vy : "";
	if ((rc = certview_find(q->db, q->p.region, strlen(q->p.region) == 2,
	    text, 50, find_row, &fc, err)) != HS_OK) {
		buf_free(&page);
		serve_error(q, serve_status(rc), err);
		return;
	}
	buf_puts(b, "</tbody></table></div>\n");
	if (fc.rows == 0)
		buf_printf(b, "<p class=\"hint\">%s</p>\n", PL(lang,
		    "此范围内没有符合的人员。", "Nobody in scope matches."));
	serve_page_end(q, b, 200);
}
