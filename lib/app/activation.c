/*
 * activation.c - activation letters: codes, PDF and CSV in one
 * transaction (see activation.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "app/activation.h"
#include "core/tz.h"
#include "pdf/pdf.h"

void
act_expiry_date(int64_t expires, char out[11])
{
	/* the last valid second's date, in the issuer's zone (core/tz.h) */
	hs_date_show((time_t)(expires - 1), out);
}

void
act_csv(const struct act_letter *l, size_t n, const char *public_url,
    struct buf *out)
{
	char g[ACT_CODE_SHOWN + 1], date[11];
	size_t i;

	buf_puts(out, "\xef\xbb\xbf");
	buf_puts(out, "姓名,身份证号(脱敏),单位,激活码,激活网址,有效期至\r\n");
	for (i = 0; i < n; i++) {
		act_code_group(l[i].code, g);
		act_expiry_date(l[i].expires, date);
		buf_csv_field(out, l[i].name, true);
		buf_putc(out, ',');
		buf_csv_field(out, l[i].id_masked, true);
		buf_putc(out, ',');
		buf_csv_field(out, l[i].unit, true);
		buf_putc(out, ',');
		buf_csv_field(out, g, true);
		buf_putc(out, ',');
		buf_puts(out, public_url);      /* checked: no , " CR LF */
		buf_puts(out, "/my/activate,");
		buf_puts(out, date);
		buf_puts(out, "\r\n");
		OPENSSL_cleanse(g, sizeof g);
	}
}

struct run {
	struct pdf_renderer *r;
	const char *public_url, *issuer;
	unsigned want;
	enum hs_err (*sink)(void *ctx, const struct act_files *f, char *err);
	void *ctx;
	struct act_files f;
};

static enum hs_err
render(void *ctx, const struct act_letter *l, size_t n, char *err)
{
	struct run *x = ctx;
	struct pdf_letter *pl;
	enum hs_err rc = HS_OK;
	size_t i;

	x->f.n = n;
	if (x->want & ACT_WANT_PDF) {
		if ((pl = calloc(n, sizeof *pl)) == NULL)
			return hs_fail(err, HS_ERR_NOMEM, "out of memory");
		for (i = 0; i < n; i++) {
			pl[i].name = l[i].name;
			pl[i].id_masked = l[i].id_masked;
			pl[i].unit = l[i].unit;
			pl[i].code = l[i].code;
			pl[i].expires = l[i].expires;
		}
		rc = pdf_letters(x->r, pl, n, x->public_url, x->issuer,
		    &x->f.pdf, err);
		free(pl);
		if (rc != HS_OK)
			return rc;
	}
	if (x->want & ACT_WANT_CSV) {
		act_csv(l, n, x->public_url, &x->f.csv);
		if (x->f.csv.oom)
			return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	}
	return x->sink(x->ctx, &x->f, err);
}

static void
wipe(struct buf *b)
{
	if (b->data != NULL)
		OPENSSL_cleanse(b->data, b->cap);
	buf_free(b);
}

static enum hs_err
check_url(const char *u, char *err)
{
	size_t n = strlen(u), i;

	if (n == 0 || n > 400 || (strncmp(u, "https://", 8) != 0 &&
	    strncmp(u, "http://", 7) != 0) || u[n - 1] == '/')
		return hs_fail(err, HS_ERR_INVALID, "public URL: http(s)://... "
		    "of at most 400 bytes without a trailing '/'");
	for (i = 0; i < n; i++)
		if ((unsigned char)u[i] <= 0x20 || (unsigned char)u[i] >= 0x7F
		    || strchr("\",<>", u[i]) != NULL)
			return hs_fail(err, HS_ERR_INVALID, "public URL: a "
			    "space, quote, comma, angle bracket, control or "
			    "non-ASCII character");
	return HS_OK;
}

enum hs_err
act_letters(sqlite3 *db, const struct actor *who, const struct account *by,
    const struct act_select *sel, int64_t now, const char *templates_dir,
    const char *public_url, const char *issuer, unsigned want,
    enum hs_err (*sink)(void *ctx, const struct act_files *f, char *err),
    void *ctx, char *err)
{
	struct run x;
	enum hs_err rc;

	if ((want & (ACT_WANT_PDF | ACT_WANT_CSV)) == 0)
		return hs_fail(err, HS_ERR_INVALID, "ask for the PDF, the CSV "
		    "or both");
	if ((rc = check_url(public_url, err)) != HS_OK)
		return rc;
	memset(&x, 0, sizeof x);
	x.public_url = public_url;
	x.issuer = issuer;
	x.want = want;
	x.sink = sink;
	x.ctx = ctx;
	buf_init(&x.f.pdf);
	buf_init(&x.f.csv);
	if ((want & ACT_WANT_PDF) && (rc = pdf_renderer_new(templates_dir,
	    &x.r, err)) != HS_OK)
		return rc;
	rc = activation_batch(db, who, by, sel, now, render, &x, err);
	wipe(&x.f.pdf);
	wipe(&x.f.csv);
	pdf_renderer_free(x.r);
	return rc;
}
