/*
 * serve_admin_activation.c - activation letters in the console (service.md
 * §5, way 1; hr and employer accounts):
 *
 *   GET  /admin/activation   the form: whom (an employer: its own unit; an
 *                            hr account: a unit of its region, or a region
 *                            within its own), "only people without an
 *                            account", PDF letters or the mail-merge CSV
 *   POST /admin/activation   makes the codes and answers the file itself
 *                            (Content-Disposition: attachment, no-store)
 *
 * The POST calls the library function the CLI calls (app/activation.h
 * act_letters) with the signed-in account as `by` and audit actor, so
 * the scope rule is the store's: a unit or region outside the account's
 * answers 404, as an unknown one. The codes exist only in the answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "serve.h"
#include "app/activation.h"
#include "app/stamp.h"
#include "core/util.h"
#include "web/page.h"

struct units_ctx {
	struct buf *b;
	const char *region;
	int n;
};

static int
unit_option(void *vctx, const char *unit, const char *region,
    int64_t records)
{
	struct units_ctx *c = vctx;

	(void)records;
	if (!principal_region_covers(c->region, region))
		return 0;
	buf_puts(c->b, "<option value=\"");
	page_esc(c->b, unit);
	buf_puts(c->b, "\">");
	page_esc(c->b, unit);
	buf_puts(c->b, " (");
	page_esc(c->b, region);
	buf_puts(c->b, ")</option>\n");
	c->n++;
	return 0;
}

/* GET /admin/activation */
void
serve_activation_form(struct sreq *q)
{
	enum page_lang lang = q->lang;
	struct buf page, *b = &page;
	char err[HS_ERRLEN] = "";

	buf_init(b);
	serve_page_begin(q, b, PL(lang, "激活函", "Activation letters"));
	buf_printf(b, "<h1>%s</h1>\n<p class=\"hint\">%s</p>\n",
	    PL(lang, "激活函", "Activation letters"),
	    PL(lang, "为所选人员各生成一个一次性激活码（30天内有效；此前未用的"
	    "激活码作废），下载PDF激活函（每人一页，含二维码）或用于邮件合并、"
	    "短信群发的CSV。激活码只出现在下载的文件中，请妥善保管。",
	    "Makes a one-time activation code (valid 30 days; earlier unused "
	    "codes are void) for each person chosen, as PDF letters (one page "
	    "each, with a QR code) or a CSV for a mail merge or SMS gateway. "
	    "The codes exist only in the downloaded file: keep it safe."));
	buf_puts(b, "<form method=\"post\" action=\"/admin/activation\">\n");
	serve_csrf_field(q, b);
	if (q->p.role == PRINCIPAL_EMPLOYER) {
		buf_printf(b, "<p>%s: <strong>", PL(lang, "单位", "Unit"));
		page_esc(b, q->p.unit);
		buf_puts(b, "</strong></p>\n");
	} else {
		struct units_ctx uc = { b, q->p.region, 0 };

		buf_printf(b, "<label>%s <select name=\"unit\">\n<option "
		    "value=\"\">%s</option>\n", PL(lang, "单位", "Unit"),
		    PL(lang, "（按地区）", "(by region)"));
		if (unit_each(q->db, unit_option, &uc, err) != HS_OK) {
			buf_free(b);
			serve_error(q, 503, "units: cannot be read");
			return;
		}
		buf_printf(b, "</select></label>\n<label>%s <input name=\""
		    "region\" inputmode=\"numeric\" maxlength=\"12\" "
		    "pattern=\"[0-9]{2,12}\" value=\"", PL(lang,
		    "或地区代码", "or region code"));
		page_esc(b, q->p.region);
		buf_printf(b, "\"></label>\n<p class=\"hint\">%s</p>\n",
		    PL(lang, "选择单位时不看地区代码。", "The region code is "
		    "used when no unit is chosen."));
	}
	buf_printf(b, "<label><input type=\"checkbox\" name=\"new_only\" "
	    "value=\"1\" checked> %s</label>\n<fieldset><legend>%s</legend>\n"
	    "<label><input type=\"radio\" name=\"format\" value=\"pdf\" "
	    "checked> %s</label>\n<label><input type=\"radio\" name=\"format\" "
	    "value=\"csv\"> %s</label>\n</fieldset>\n<button type=\"submit\">"
	    "%s</button>\n</form>\n",
	    PL(lang, "只给还没有账户的人", "Only people without an account"),
	    PL(lang, "文件", "File"),
	    PL(lang, "PDF激活函（打印）", "PDF letters (to print)"),
	    PL(lang, "CSV（邮件合并、短信）", "CSV (mail merge, SMS)"),
	    PL(lang, "生成并下载", "Make and download"));
	serve_page_end(q, b, 200);
}

/* A form value: absent, or 1-255 bytes of printable UTF-8. */
static bool
text_ok(const char *s)
{
	size_t n;

	if (s == NULL)
		return true;
	n = strnlen(s, 256);
	return n <= 255 && utf8_valid(s, n) && !has_control(s);
}

/* The file, copied out of the transaction's buffers. */
struct answer {
	bool pdf;
	char *data;
	size_t len;
	size_t n;
};

static enum hs_err
keep_file(void *ctx, const struct act_files *f, char *err)
{
	struct answer *a = ctx;
	const struct buf *src = a->pdf ? &f->pdf : &f->csv;

	if ((a->data = malloc(src->len != 0 ? src->len : 1)) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	memcpy(a->data, src->data, src->len);
	a->len = src->len;
	a->n = f->n;
	return HS_OK;
}

/* POST /admin/activation */
void
serve_activation_post(struct sreq *q)
{
	const struct serve_opts *so = serve_opts(q->sv);
	const char *unit = form_get(&q->form, "unit"),
	    *region = form_get(&q->form, "region"),
	    *fmt = form_get(&q->form, "format"),
	    *nw = form_get(&q->form, "new_only");
	struct answer ans = { false, NULL, 0, 0 };
	struct act_select sel;
	struct actor w;
	char err[HS_ERRLEN] = "";
	enum hs_err rc;

	if (fmt == NULL || (strcmp(fmt, "pdf") != 0 && strcmp(fmt, "csv")
	    != 0)) {
		serve_error(q, 400, "format: pdf or csv");
		return;
	}
	if (nw != NULL && nw[0] != '\0' && strcmp(nw, "1") != 0) {
		serve_error(q, 400, "new_only: 1 or absent");
		return;
	}
	if (!text_ok(unit) || !text_ok(region)) {
		serve_error(q, 400, "unit, region: at most 255 bytes of text "
		    "without control characters");
		return;
	}
	memset(&sel, 0, sizeof sel);
	sel.new_only = nw != NULL && strcmp(nw, "1") == 0;
	/* an employer's region is refused by the store's scope rule */
	if (unit != NULL && unit[0] != '\0')
		sel.unit = unit;
	else if (region != NULL && region[0] != '\0')
		sel.region = region;
	else if (q->p.role == PRINCIPAL_EMPLOYER)
		sel.unit = q->acct.scope.unit;
	else
		sel.region = q->acct.scope.region;
	ans.pdf = strcmp(fmt, "pdf") == 0;
	serve_actor(q, &w);
	rc = act_letters(q->db, &w, &q->acct, &sel, q->now,
	    so->cfg->templates_dir, so->public_url, q->acct.org,
	    ans.pdf ? ACT_WANT_PDF : ACT_WANT_CSV, keep_file, &ans, err);
	if (rc != HS_OK) {
		if (ans.data != NULL) {
			OPENSSL_cleanse(ans.data, ans.len);
			free(ans.data);
		}
		serve_error(q, rc == HS_ERR_STATE ? 403 : serve_status(rc),
		    err);
		return;
	}
	http_reply(q->r, 200, ans.pdf ? "application/pdf" :
	    "text/csv; charset=utf-8", ans.data, ans.len, HTTP_MEM_FREE,
	    (const char *const[]){ "Cache-Control", "no-store",
	    "Content-Disposition", ans.pdf ?
	    "attachment; filename=\"activation-letters.pdf\"" :
	    "attachment; filename=\"activation-codes.csv\"", NULL });
}
