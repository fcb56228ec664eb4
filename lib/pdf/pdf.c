/*
 * pdf.c - this module is the certificate renderer of pdf.h: it loads and
 * binds every template of a directory, and pdf_render runs the two passes
 * over a certificate (lay out and collect glyphs, cut the subsets, then
 * draw and write the PDF). pdf_int.h says how the files divide the work.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpdf.h>

#include "pdf/pdf_int.h"

/* ------------------------------------------------------------------ */
/* Renderer                                                             */
/* ------------------------------------------------------------------ */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

enum hs_err
pdf_renderer_new(const char *dir, struct pdf_renderer **out, char *err)
{
	struct pdf_renderer *r;
	char *names[MAX_TEMPLATES], tdef[PATH_MAX];
	size_t nnames = 0, i;
	struct dirent *de;
	enum hs_err rc = HS_OK;
	DIR *d;

	*out = NULL;
	if (dir == NULL) {
		path_templates(tdef, sizeof(tdef));
		dir = tdef;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	if (snprintf(r->dir, sizeof(r->dir), "%s", dir) >=
	    (int)sizeof(r->dir)) {
		free(r);
		return hs_fail(err, HS_ERR_INVALID, "template directory "
		    "path too long");
	}
	if ((d = opendir(dir)) == NULL) {
		free(r);
		return hs_fail(err, HS_ERR_IO, "%s: %s", dir, strerror(errno));
	}
	/* Sorted, so that errors and face numbering do not depend on readdir. */
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);

		if (n < 6 || strcmp(de->d_name + n - 5, ".json") != 0 ||
		    de->d_name[0] == '.')
			continue;
		if (nnames == MAX_TEMPLATES) {
			rc = hs_fail(err, HS_ERR_TOOBIG, "%s: more than %d "
			    "templates", dir, MAX_TEMPLATES);
			break;
		}
		if ((names[nnames] = strdup(de->d_name)) == NULL) {
			rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
			break;
		}
		nnames++;
	}
	closedir(d);
	if (rc == HS_OK && nnames == 0)
		rc = hs_fail(err, HS_ERR_NOTFOUND, "%s: no *.json templates",
		    dir);
	if (rc == HS_OK)
		qsort(names, nnames, sizeof(names[0]), cmp_str);
	/* Parse, then bind: faces are numbered in template order. */
	for (i = 0; i < nnames && rc == HS_OK; i++) {
		struct tpl *t = NULL;

		if ((rc = pdf_tpl_load(r->dir, names[i], &t, err)) == HS_OK &&
		    (rc = pdf_tpl_bind(r, t, err)) == HS_OK)
			r->tpls[r->ntpls++] = t;
		else
			pdf_tpl_free(t);
	}
	for (i = 0; i < nnames; i++)
		free(names[i]);
	if (rc != HS_OK) {
		pdf_renderer_free(r);
		return rc;
	}
	*out = r;
	return HS_OK;
}

void
pdf_renderer_free(struct pdf_renderer *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->ntpls; i++)
		pdf_tpl_free(r->tpls[i]);
	for (i = 0; i < r->nfaces; i++)
		font_face_free(r->faces[i]);
	free(r);
}

static const struct tpl *
find_tpl(const struct pdf_renderer *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->ntpls; i++)
		if (strcmp(r->tpls[i]->name, name) == 0)
			return r->tpls[i];
	return NULL;
}

bool
pdf_renderer_has_template(const struct pdf_renderer *r, const char *name)
{
	return find_tpl(r, name) != NULL;
}

/* ------------------------------------------------------------------ */
/* pdf_render                                                           */
/* ------------------------------------------------------------------ */

static void HPDF_STDCALL
on_hpdf_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user)
{
	struct doc *d = user;

	(void)detail_no;
	if (d->herr == HPDF_OK)
		d->herr = error_no;
}

static enum hs_err
check_url(const char *u, char *err)
{
	size_t n, i;

	if (u == NULL || (n = strlen(u)) == 0)
		return hs_fail(err, HS_ERR_INVALID, "base URL is empty");
	if (n > PDF_MAX_BASE_URL)
		return hs_fail(err, HS_ERR_TOOBIG, "base URL is longer than "
		    "%d bytes", PDF_MAX_BASE_URL);
	if (strncmp(u, "https://", 8) != 0 && strncmp(u, "http://", 7) != 0)
		return hs_fail(err, HS_ERR_INVALID, "base URL \"%s\" must "
		    "start with https:// or http://", u);
	for (i = 0; i < n; i++)
		if ((unsigned char)u[i] <= 0x20 || (unsigned char)u[i] >= 0x7F)
			return hs_fail(err, HS_ERR_INVALID, "base URL has a "
			    "space, control or non-ASCII character");
	if (u[n - 1] == '/')
		return hs_fail(err, HS_ERR_INVALID, "base URL \"%s\" must not "
		    "end with '/'", u);
	return HS_OK;
}

void
pdf_doc_free(struct doc *d)
{
	size_t i;

	for (i = 0; i < d->ninsts; i++)
		pdf_dinst_free(&d->insts[i]);
	free(d->ents);
	pdf_map_free(&d->rolemap);
	pdf_map_free(&d->facemap);
	pdf_map_free(&d->conflict);
	free(d->gl);
	free(d->lines);
	free(d->segs);
	free(d->row_h);
	free(d->row_page);
	qr_free(d->qr);
	libdeflate_free_compressor(d->zc);
	buf_free(&d->ops);
	if (d->pdf != NULL)
		HPDF_Free(d->pdf);
}

enum hs_err
pdf_render(struct pdf_renderer *r, const char *tmpl, const struct cert *c,
    const char *note, size_t note_len, const char *receipt,
    size_t receipt_len, const char *base_url, struct buf *out, char *err)
{
	struct doc d;
	enum hs_err rc;
	HPDF_UINT32 size;
	size_t i, old = out->len;

	memset(&d, 0, sizeof(d));
	d.r = r;
	d.c = c;
	d.err = err;
	buf_init(&d.ops);
	if (tmpl == NULL)
		tmpl = c->kind == CERT_COURSE ? "course" : "annual";
	if ((d.t = find_tpl(r, tmpl)) == NULL)
		return hs_fail(err, HS_ERR_NOTFOUND, "no template \"%s\" in %s",
		    tmpl, r->dir);
	if (d.t->kind >= 0 && d.t->kind != (int)c->kind)
		return hs_fail(err, HS_ERR_INVALID, "template \"%s\" is for "
		    "%s certificates, this one is %s", tmpl,
		    d.t->kind == CERT_ANNUAL ? "annual" : "course",
		    c->kind == CERT_ANNUAL ? "annual" : "course");
	if (note == NULL || note_len == 0)
		return hs_fail(err, HS_ERR_INVALID, "no certificate note to "
		    "embed");
	if (note_len > PDF_MAX_ATTACH || receipt_len > PDF_MAX_ATTACH)
		return hs_fail(err, HS_ERR_TOOBIG, "note or receipt longer "
		    "than %d bytes", PDF_MAX_ATTACH);
	if ((rc = check_url(base_url, err)))
		return rc;
	if ((rc = pdf_set_values(&d, base_url)))
		goto out;
	if ((rc = qr_encode(d.url, &d.qr, err)))
		goto out;
	if ((d.zc = libdeflate_alloc_compressor(Z_DOC)) == NULL) {
		rc = pdf_oom(&d);
		goto out;
	}

	/* Pass 1: lay everything out, collect the glyphs. */
	d.mode = COLLECT;
	d.ph = px(d.t->ph);
	if ((rc = pdf_paginate(&d)))
		goto out;
	for (d.cur_page = 0; d.cur_page < d.npages; d.cur_page++)
		if ((rc = pdf_draw_page(&d)))
			goto out;
	if ((rc = pdf_make_subsets(&d)))
		goto out;

	/* Pass 2: the PDF. */
	d.mode = EMIT;
	if ((d.pdf = HPDF_New(on_hpdf_error, &d)) == NULL) {
		rc = pdf_oom(&d);
		goto out;
	}
	HPDF_SetCompressionMode(d.pdf, HPDF_COMP_ALL);
	for (i = 0; i < d.ninsts; i++)
		if ((rc = pdf_emit_font(&d, &d.insts[i])))
			goto out;
	for (d.cur_page = 0; d.cur_page < d.npages; d.cur_page++) {
		if ((d.hpage = HPDF_AddPage(d.pdf)) == NULL) {
			rc = pdf_oom(&d);
			goto out;
		}
		HPDF_Page_SetWidth(d.hpage, px(d.t->pw));
		HPDF_Page_SetHeight(d.hpage, px(d.t->ph));
		if ((rc = pdf_page_fonts(&d)) || (rc = pdf_draw_page(&d)) ||
		    (rc = pdf_finish_page(&d)))
			goto out;
	}
	if ((rc = pdf_attachments(&d, note, note_len, receipt, receipt_len)) ||
	    (rc = pdf_doc_info(&d)))
		goto out;
	if (HPDF_SaveToStream(d.pdf) != HPDF_OK) {
		rc = hs_fail(err, HS_ERR_NOMEM, "libharu: cannot write the "
		    "PDF (error 0x%04X)", (unsigned)d.herr);
		goto out;
	}
	size = HPDF_GetStreamSize(d.pdf);
	{
		HPDF_BYTE *p = malloc(size ? size : 1);
		HPDF_UINT32 got = size;

		if (p == NULL) {
			rc = pdf_oom(&d);
			goto out;
		}
		HPDF_ResetStream(d.pdf);
		HPDF_ReadFromStream(d.pdf, p, &got);
		if (got != size) {
			free(p);
			rc = hs_fail(err, HS_ERR_NOMEM, "libharu: cannot read "
			    "the PDF back");
			goto out;
		}
		buf_add(out, p, got);
		free(p);
	}
	rc = out->oom ? pdf_oom(&d) : HS_OK;
out:
	if (rc != HS_OK && out->len > old) {
		out->len = old;
		if (out->data != NULL)
			out->data[old] = '\0';
	}
	pdf_doc_free(&d);
	return rc;
}
