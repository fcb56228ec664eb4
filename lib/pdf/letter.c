/*
 * letter.c - activation letters (pdf.h pdf_letters): one A4 page per
 * person, in Chinese, drawn with the certificate machinery. The letter
 * borrows the "annual" template's font roles (and so its static subsets)
 * but has its own elements, filled anew for each page in both passes:
 * every value is literal text (braces doubled for pdf_tmpl_walk), the QR
 * code is encoded per page in the EMIT pass.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hpdf.h>
#include <openssl/crypto.h>

#include "core/tz.h"
#include "pdf/pdf_int.h"

/* The texts of one page, owned here. */
enum { T_TITLE, T_SUB, T_NAME, T_ID, T_UNIT, T_INTRO, T_CODE_LABEL, T_CODE,
	T_EXPIRY, T_URL, T_STEPS_TITLE, T_STEPS, T_QR_NOTE, T_WARN, T_ISSUER,
	T_COUNT };

struct letters {
	struct doc d;
	struct tpl *t;          /* a copy of "annual" with our elements */
	struct buf text[T_COUNT];
	int slot[MAX_ELEMENTS]; /* text element -> its T_ text */
	const char *base;       /* public URL */
	const char *issuer;
	char qr_url[PDF_MAX_BASE_URL + 64];
	int title_role, label_role, num_role;
};

static int
role_of(const struct tpl *t, const char *name, int dflt)
{
	size_t i;

	for (i = 0; i < t->nroles; i++)
		if (strcmp(t->roles[i].name, name) == 0)
			return (int)i;
	return dflt;
}

/* Appends s with braces doubled (template text is literal here). */
static void
lit(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		buf_putc(b, *s);
		if (*s == '{' || *s == '}')
			buf_putc(b, *s);
	}
}

static enum hs_err
check_value(const char *what, size_t i, const char *s, char *err)
{
	size_t n = strlen(s);

	if (n > 1024 || !utf8_valid(s, n) || has_control(s))
		return hs_fail(err, HS_ERR_INVALID, "letter %zu: %s: not "
		    "printable UTF-8 of at most 1024 bytes", i + 1, what);
	return HS_OK;
}

static enum hs_err
check_code(size_t i, const char *c, char *err)
{
	size_t k;

	for (k = 0; c[k] != '\0' && k < 33; k++)
		if (!((c[k] >= '0' && c[k] <= '9') || (c[k] >= 'A' &&
		    c[k] <= 'Z')))
			break;
	if (k == 0 || k > 32 || c[k] != '\0')
		return hs_fail(err, HS_ERR_INVALID, "letter %zu: code: 1-32 "
		    "characters 0-9 A-Z", i + 1);
	return HS_OK;
}

/* Adds a text element: baseline y, width w (mm, 0: none). */
static struct element *
add_text(struct letters *L, int ti, double x, double y, double w,
    enum align al, int role, double size, uint32_t color)
{
	struct element *el = &L->t->els[L->t->nels];

	L->slot[L->t->nels++] = ti;
	memset(el, 0, sizeof *el);
	el->type = EL_TEXT;
	el->on = ON_ALL;
	el->when = WHEN_ALWAYS;
	el->x = x;
	el->y = y;
	el->w = w;
	el->size = size;
	el->min_size = size;
	el->leading = 1.55;
	el->align = al;
	el->role = role;
	el->nspans = 1;
	el->spans[0].text = NULL; /* set by fill_page */
	el->spans[0].role = role;
	el->spans[0].size = size;
	el->spans[0].color = color;
	return el;
}

static void
add_rect(struct letters *L, double x, double y, double w, double h,
    double lw, uint32_t color, bool fill, uint32_t fc)
{
	struct element *el = &L->t->els[L->t->nels++];

	memset(el, 0, sizeof *el);
	el->type = EL_RECT;
	el->x = x;
	el->y = y;
	el->w = w;
	el->h = h;
	el->line_width = lw;
	el->color = color;
	el->has_fill = fill;
	el->fill = fc;
}

/* The page's elements (their texts are set per page by fill_page). */
static void
build_elements(struct letters *L)
{
	const uint32_t ink = 0x1A1A1A, red = 0x8C1C13, grey = 0x555555;
	struct element *el;

	L->t->nels = 0;
	L->t->has_table = false;
	add_rect(L, 8, 8, 194, 281, 1.6, red, false, 0);
	add_text(L, T_TITLE, 105, 30, 0, AL_CENTER, L->title_role, 20, red)
	    ->spacing = 0.06;
	add_text(L, T_SUB, 105, 38, 0, AL_CENTER, L->label_role, 10.5, grey);
	{
		el = &L->t->els[L->t->nels++];
		memset(el, 0, sizeof *el);
		el->type = EL_LINE;
		el->x = 22;
		el->y = 43;
		el->x2 = 188;
		el->y2 = 43;
		el->line_width = 0.6;
		el->color = red;
	}
	add_text(L, T_NAME, 25, 55, 160, AL_LEFT, L->label_role, 13, ink);
	add_text(L, T_ID, 25, 63, 160, AL_LEFT, L->label_role, 13, ink);
	add_text(L, T_UNIT, 25, 71, 160, AL_LEFT, L->label_role, 13, ink);
	add_text(L, T_INTRO, 25, 84, 160, AL_LEFT, L->label_role, 11.5, ink);
	add_rect(L, 25, 99, 160, 32, 0.8, red, true, 0xFBF5EC);
	add_text(L, T_CODE_LABEL, 105, 108, 0, AL_CENTER, L->label_role, 11,
	    grey);
	add_text(L, T_CODE, 105, 123, 0, AL_CENTER, L->num_role, 27, ink)
	    ->spacing = 0.04;
	add_text(L, T_EXPIRY, 25, 142, 160, AL_LEFT, L->label_role, 11.5, ink);
	add_text(L, T_URL, 25, 151, 160, AL_LEFT, L->label_role, 11.5, ink);
	add_text(L, T_STEPS_TITLE, 25, 167, 0, AL_LEFT, L->label_role, 12.5,
	    red);
	add_text(L, T_STEPS, 25, 176, 110, AL_LEFT, L->label_role, 11, ink)
	    ->leading = 1.7;
	{
		el = &L->t->els[L->t->nels++];
		memset(el, 0, sizeof *el);
		el->type = EL_QR;
		el->x = 146;
		el->y = 165;
		el->w = 38;
	}
	add_text(L, T_QR_NOTE, 165, 209, 0, AL_CENTER, L->label_role, 9, grey);
	add_text(L, T_WARN, 25, 245, 160, AL_LEFT, L->label_role, 10, grey);
	add_text(L, T_ISSUER, 185, 272, 150, AL_RIGHT, L->label_role, 12,
	    ink);
}

/* "2027年1月5日": the date (issuer's zone, core/tz.h; Beijing by default) of the last second the code is valid. */
static void
date_zh(int64_t expires, char out[40])
{
	struct tm tm;

	hs_time_local((time_t)(expires - 1), &tm);
	snprintf(out, 40, "%d\xe5\xb9\xb4%d\xe6\x9c\x88%d\xe6\x97\xa5",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* Writes page i's texts and points the elements at them. */
static enum hs_err
fill_page(struct letters *L, const struct pdf_letter *l)
{
	char g[40], date[40];
	size_t k, e, o = 0;

	for (k = 0; k < T_COUNT; k++)
		buf_reset(&L->text[k]);
	/* grouped by four: XXXX-XXXX-XXXX-XXXX */
	for (k = 0; l->code[k] != '\0' && o + 2 < sizeof g; k++) {
		if (k > 0 && k % 4 == 0)
			g[o++] = '-';
		g[o++] = l->code[k];
	}
	g[o] = '\0';
	date_zh(l->expires, date);
	buf_puts(&L->text[T_TITLE], "继续教育学时 账户激活通知");
	buf_puts(&L->text[T_SUB], "专业技术人员继续教育学时与证书查询");
	buf_puts(&L->text[T_NAME], "姓　　名：");
	lit(&L->text[T_NAME], l->name);
	buf_puts(&L->text[T_ID], "身份证号：");
	lit(&L->text[T_ID], l->id_masked);
	buf_puts(&L->text[T_UNIT], "单　　位：");
	lit(&L->text[T_UNIT], l->unit[0] != '\0' ? l->unit : "—");
	buf_puts(&L->text[T_INTRO], "您好！您可以在网上查看本人的继续教育"
	    "学时、下载学时证书，并生成分享码给用人单位查验。请用下面的激活码"
	    "开通账户（已有账户的，将用它重新设置密码）。");
	buf_puts(&L->text[T_CODE_LABEL], "激活码（不区分大小写，横线可不输入）");
	lit(&L->text[T_CODE], g);
	buf_printf(&L->text[T_EXPIRY], "有效期至：%s（北京时间），只能使用"
	    "一次；重新申请后，本激活码作废。", date);
	buf_puts(&L->text[T_URL], "激活网址：");
	lit(&L->text[T_URL], L->base);
	buf_puts(&L->text[T_URL], "/my/activate");
	buf_puts(&L->text[T_STEPS_TITLE], "操作步骤");
	buf_puts(&L->text[T_STEPS], "1. 用手机扫描右侧二维码，或在浏览器中"
	    "打开上面的激活网址；\n2. 输入您的身份证号和激活码；\n3. 设置登录"
	    "密码：至少10个字符，不能包含姓名或身份证号；\n4. 以后用身份证号"
	    "和密码登录：");
	lit(&L->text[T_STEPS], L->base);
	buf_puts(&L->text[T_STEPS], "/my/signin");
	buf_puts(&L->text[T_QR_NOTE], "扫码激活");
	buf_puts(&L->text[T_WARN], "请妥善保管本通知，不要把激活码告诉他人。"
	    "工作人员不会向您索要激活码或密码。激活码丢失或过期的，请向发出"
	    "本通知的单位申请新的激活码。");
	buf_puts(&L->text[T_ISSUER], "签发：");
	lit(&L->text[T_ISSUER], L->issuer);
	for (k = 0; k < T_COUNT; k++)
		if (L->text[k].oom)
			return pdf_oom(&L->d);
	for (e = 0; e < L->t->nels; e++) {
		struct element *el = &L->t->els[e];

		if (el->type == EL_TEXT)
			el->spans[0].text = L->text[L->slot[e]].data;
	}
	return HS_OK;
}

static void
letters_free(struct letters *L)
{
	size_t i;

	pdf_doc_free(&L->d);
	for (i = 0; i < T_COUNT; i++) {
		if (L->text[i].data != NULL)
			OPENSSL_cleanse(L->text[i].data, L->text[i].cap);
		buf_free(&L->text[i]);
	}
	OPENSSL_cleanse(L->qr_url, sizeof L->qr_url);
	free(L->t);
}

static void HPDF_STDCALL
on_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user)
{
	struct doc *d = user;

	(void)detail_no;
	if (d->herr == HPDF_OK)
		d->herr = error_no;
}

static enum hs_err
check_base(const char *u, char *err)
{
	size_t n = strlen(u), i;

	if (n == 0 || n > PDF_MAX_BASE_URL || (strncmp(u, "https://", 8) != 0
	    && strncmp(u, "http://", 7) != 0) || u[n - 1] == '/')
		return hs_fail(err, HS_ERR_INVALID, "public URL: http(s)://... "
		    "without a trailing '/', at most %d bytes",
		    PDF_MAX_BASE_URL);
	for (i = 0; i < n; i++)
		if ((unsigned char)u[i] <= 0x20 || (unsigned char)u[i] >= 0x7F)
			return hs_fail(err, HS_ERR_INVALID, "public URL: a "
			    "space, control or non-ASCII character");
	return HS_OK;
}

enum hs_err
pdf_letters(struct pdf_renderer *r, const struct pdf_letter *l, size_t n,
    const char *public_url, const char *issuer, struct buf *out, char *err)
{
	struct letters *L;
	struct doc *d;
	const struct tpl *base = NULL;
	enum hs_err rc = HS_OK;
	size_t i, old = out->len;
	int p;

	if (n == 0)
		return hs_fail(err, HS_ERR_INVALID, "no letters to write");
	if (n > PDF_LETTERS_MAX)
		return hs_fail(err, HS_ERR_TOOBIG, "more than %d letters",
		    PDF_LETTERS_MAX);
	if ((rc = check_base(public_url, err)) != HS_OK ||
	    (rc = check_value("issuer", 0, issuer, err)) != HS_OK)
		return rc;
	for (i = 0; i < n; i++)
		if ((rc = check_value("name", i, l[i].name, err)) != HS_OK ||
		    (rc = check_code(i, l[i].code, err)) != HS_OK ||
		    (rc = check_value("unit", i, l[i].unit, err)) != HS_OK ||
		    (rc = check_value("ID number", i, l[i].id_masked, err))
		    != HS_OK)
			return rc;
	for (i = 0; i < r->ntpls && base == NULL; i++)
		if (strcmp(r->tpls[i]->name, "annual") == 0)
			base = r->tpls[i];
	if (base == NULL)
		return hs_fail(err, HS_ERR_NOTFOUND, "no template \"annual\" in "
		    "%s (letters use its fonts)", r->dir);
	if ((L = calloc(1, sizeof *L)) == NULL ||
	    (L->t = malloc(sizeof *L->t)) == NULL) {
		free(L);
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	}
	*L->t = *base;
	L->t->title = NULL;
	L->base = public_url;
	L->issuer = issuer;
	L->title_role = role_of(base, "title", 0);
	L->label_role = role_of(base, "label", L->title_role);
	L->num_role = role_of(base, "numbers", L->label_role);
	for (i = 0; i < T_COUNT; i++)
		buf_init(&L->text[i]);
	build_elements(L);
	d = &L->d;
	d->r = r;
	d->t = L->t;
	d->err = err;
	buf_init(&d->ops);
	d->npages = (int)n;
	d->ph = px(L->t->ph);
	if ((d->zc = libdeflate_alloc_compressor(Z_DOC)) == NULL) {
		rc = pdf_oom(d);
		goto out;
	}
	/* Pass 1: lay out every page, collect the glyphs. */
	d->mode = COLLECT;
	for (p = 0; p < d->npages; p++) {
		d->cur_page = p;
		if ((rc = fill_page(L, &l[p])) != HS_OK ||
		    (rc = pdf_draw_page(d)) != HS_OK) {
			hs_errprefix(err, "letter %d: ", p + 1);
			goto out;
		}
	}
	if ((rc = pdf_make_subsets(d)) != HS_OK)
		goto out;
	/* Pass 2: the PDF. */
	d->mode = EMIT;
	if ((d->pdf = HPDF_New(on_error, d)) == NULL) {
		rc = pdf_oom(d);
		goto out;
	}
	HPDF_SetCompressionMode(d->pdf, HPDF_COMP_ALL);
	for (i = 0; i < d->ninsts; i++)
		if ((rc = pdf_emit_font(d, &d->insts[i])) != HS_OK)
			goto out;
	for (p = 0; p < d->npages; p++) {
		d->cur_page = p;
		if ((rc = fill_page(L, &l[p])) != HS_OK)
			goto out;
		snprintf(L->qr_url, sizeof L->qr_url, "%s/my/activate?code=%s",
		    public_url, l[p].code);
		qr_free(d->qr);
		d->qr = NULL;
		if ((rc = qr_encode(L->qr_url, &d->qr, err)) != HS_OK)
			goto out;
		if ((d->hpage = HPDF_AddPage(d->pdf)) == NULL) {
			rc = pdf_oom(d);
			goto out;
		}
		HPDF_Page_SetWidth(d->hpage, px(L->t->pw));
		HPDF_Page_SetHeight(d->hpage, px(L->t->ph));
		if ((rc = pdf_page_fonts(d)) != HS_OK ||
		    (rc = pdf_draw_page(d)) != HS_OK ||
		    (rc = pdf_finish_page(d)) != HS_OK)
			goto out;
	}
	if (HPDF_SetInfoAttr(d->pdf, HPDF_INFO_CREATOR, "hourseal") != HPDF_OK
	    || HPDF_SetInfoAttr(d->pdf, HPDF_INFO_TITLE, "Activation letters")
	    != HPDF_OK || HPDF_SaveToStream(d->pdf) != HPDF_OK) {
		rc = hs_fail(err, HS_ERR_NOMEM, "libharu: cannot write the "
		    "PDF (error 0x%04X)", (unsigned)d->herr);
		goto out;
	}
	{
		HPDF_UINT32 size = HPDF_GetStreamSize(d->pdf), got = size;
		HPDF_BYTE *b = malloc(size ? size : 1);

		if (b == NULL) {
			rc = pdf_oom(d);
			goto out;
		}
		HPDF_ResetStream(d->pdf);
		HPDF_ReadFromStream(d->pdf, b, &got);
		if (got == size)
			buf_add(out, b, got);
		else
			rc = hs_fail(err, HS_ERR_NOMEM, "libharu: cannot read "
			    "the PDF back");
		OPENSSL_cleanse(b, size);
		free(b);
	}
	if (rc == HS_OK && out->oom)
		rc = pdf_oom(d);
out:
	if (rc != HS_OK && out->len > old) {
		OPENSSL_cleanse(out->data + old, out->len - old);
		out->len = old;
		if (out->data != NULL)
			out->data[old] = '\0';
	}
	letters_free(L);
	free(L);
	return rc;
}
