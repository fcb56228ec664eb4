/*
 * site_upload.c - this module answers uploads: one certificate PDF
 * (POST /api/v1/verify, raw or as a form) and a batch (POST
 * /api/v1/verify/batch: serials, QR addresses, CSV rows and PDFs, at most
 * BATCH_MAX items) as JSON, HTML, CSV, XLSX or a printable report; the
 * batch's HTML answer is kept (results.h) for its downloads at
 * /api/v1/verify/batch/result/TOKEN.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cert/serial.h"
#include "tlog/checkpoint.h"
#include "web/mpart.h"
#include "export.h"
#include "pdfin.h"
#include "pades_check.h"
#include "render.h"
#include "scan.h"
#include "site_int.h"

/* ---- output format ---- */

enum fmt { FMT_JSON, FMT_HTML, FMT_CSV, FMT_XLSX, FMT_PRINT };

static enum fmt
pick_format(struct http_req *r, const char *form_value, enum fmt dflt)
{
	const char *f = http_query(r, "format"), *acc;

	if (f == NULL)
		f = form_value;
	if (f != NULL) {
		if (strcasecmp(f, "html") == 0)
			return FMT_HTML;
		if (strcasecmp(f, "csv") == 0)
			return FMT_CSV;
		if (strcasecmp(f, "json") == 0)
			return FMT_JSON;
		if (strcasecmp(f, "xlsx") == 0)
			return FMT_XLSX;
		if (strcasecmp(f, "print") == 0)
			return FMT_PRINT;
	}
	acc = http_header(r, "Accept");
	if (acc != NULL) {
		if (strstr(acc, "text/csv") != NULL)
			return FMT_CSV;
		if (strstr(acc, "application/json") != NULL)
			return FMT_JSON;
		if (strstr(acc, "text/html") != NULL)
			return FMT_HTML;
	}
	return dflt;
}

/* Finds a form field's value (text parts) in parts; NULL if absent. */
static const struct mpart *
form_field(const struct mpart *parts, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(parts[i].name, name) == 0)
			return &parts[i];
	return NULL;
}

/* A short field value as a string (format=html and the like). */
static void
field_str(const struct mpart *f, char *out, size_t n)
{
	size_t k = f && f->len < n ? f->len : 0;

	if (k > 0)
		memcpy(out, f->data, k);
	out[k] = '\0';
}

/*
 * Parses a multipart body if the request has one. Returns 1 with *parts
 * set (caller frees), 0 if not multipart, -1 after answering an error.
 */
static int
maybe_multipart(struct site *s, struct http_req *r, struct mpart **parts,
    size_t *n)
{
	char boundary[71], err[HS_ERRLEN];
	const char *body;
	size_t len;
	enum hs_err rc;
	const char *ct = http_header(r, "Content-Type");

	*parts = NULL;
	*n = 0;
	if (ct == NULL || strncasecmp(ct, "multipart/", 10) != 0)
		return 0;
	if (mpart_boundary(ct, boundary) != 0) {
		site_error(s, r, 400, "multipart body without a valid "
		    "boundary", NULL);
		return -1;
	}
	*parts = calloc(MPART_MAX_PARTS, sizeof(**parts));
	if (*parts == NULL) {
		site_error(s, r, 503, "out of memory", NULL);
		return -1;
	}
	body = http_body(r, &len);
	rc = mpart_parse(boundary, body, len, *parts, MPART_MAX_PARTS, n, err);
	if (rc != HS_OK) {
		free(*parts);
		*parts = NULL;
		site_error(s, r, rc == HS_ERR_TOOBIG ? 413 : 400, err, NULL);
		return -1;
	}
	return 1;
}

void
site_upload_one(struct site *s, struct http_req *r)
{
	struct mpart *parts = NULL;
	const struct mpart *f = NULL;
	const char *data;
	size_t len, n = 0, i;
	char fmtv[16] = "", fname[256] = "", err[HS_ERRLEN], base[256];
	struct vdb_upload_result u;
	struct render_ctx cx;
	enum fmt fmt;
	int mp;

	mp = maybe_multipart(s, r, &parts, &n);
	if (mp < 0)
		return;
	if (mp > 0) {
		field_str(form_field(parts, n, "format"), fmtv, sizeof(fmtv));
		f = form_field(parts, n, "file");
		for (i = 0; f == NULL && i < n; i++)
			if (parts[i].filename[0] != '\0')
				f = &parts[i];
		if (f == NULL) {
			free(parts);
			site_error(s, r, 400, "the form has no file", NULL);
			return;
		}
		data = f->data;
		len = f->len;
		if (utf8_valid(f->filename, strlen(f->filename)))
			snprintf(fname, sizeof(fname), "%s", f->filename);
	} else {
		data = http_body(r, &len);
	}
	fmt = pick_format(r, fmtv[0] ? fmtv : NULL, FMT_JSON);
	if (len == 0) {
		free(parts);
		site_error(s, r, 400, "empty upload", NULL);
		return;
	}
	if (len > UPLOAD_PDF_MAX) {
		free(parts);
		site_error(s, r, 413, "a certificate PDF is at most 10 MB",
		    NULL);
		return;
	}
	if (site_check_upload(s, data, len, NULL, &u, err) != HS_OK) {
		free(parts);
		site_unavailable(s, r, err);
		return;
	}
	free(parts);
	__atomic_add_fetch(&s->vm_upload[u.outcome], 1, __ATOMIC_RELAXED);
	http_set_log_note(r, render_upload_name(u.outcome));
	{
		int status = u.outcome == VDB_UP_NOT_CERT ? 422 : 200;

		if (fmt == FMT_HTML) {
			struct buf b;

			buf_init(&b);
			site_render_ctx(s, r, &cx, base, sizeof(base));
			render_upload_page(&b, site_lang(r), fname, &u, &cx);
			site_reply_buf(r, status, "text/html; charset=utf-8", &b,
			    NULL);
		} else {
			json_t *j = render_upload_json(&u);

			/* The PDF signature's state (PAdES), beside. */
			vpades_upload_json(j, data, len);
			site_reply_json(r, status, j, NULL);
		}
	}
	vdb_upload_free(&u);
}

/* One line of a batch list: a serial, a QR URL or a CSV row. */
static int
batch_line(const char *line, size_t n, struct render_row *row)
{
	char buf[256], *p, *e;
	size_t k = n < sizeof(buf) - 1 ? n : sizeof(buf) - 1;

	memset(row, 0, sizeof(*row));
	memcpy(buf, line, k);
	buf[k] = '\0';
	/* Trim, and take the first CSV field. */
	for (p = buf; *p == ' ' || *p == '\t' || *p == '"' || *p == '\''; p++)
		;
	if ((e = strpbrk(p, ",;\t\r")) != NULL)
		*e = '\0';
	e = p + strlen(p);
	while (e > p && (e[-1] == ' ' || e[-1] == '"' || e[-1] == '\''))
		*--e = '\0';
	if (*p == '\0')
		return 0;
	if (!utf8_valid(p, strlen(p)))
		snprintf(row->item, sizeof(row->item), "(not UTF-8)");
	else
		snprintf(row->item, sizeof(row->item), "%s", p);
	/* A QR URL: the part after /c/, up to ? or #. */
	if ((e = strstr(p, "/c/")) != NULL) {
		p = e + 3;
		p[strcspn(p, "?#/")] = '\0';
	}
	if (serial_parse(p, row->serial, NULL) != HS_OK) {
		row->serial[0] = '\0';
		/* A header row ("serial", "证书编号") is skipped silently. */
		if (strcasecmp(p, "serial") == 0 || strcmp(p, "证书编号") == 0)
			return 0;
	}
	return 1;
}

/* Splits a text list into rows (appending to rows[*n..max)). */
static int
batch_list(const char *text, size_t len, struct render_row *rows, size_t *n,
    size_t max)
{
	const char *p = text, *end = text + len, *nl;

	/* A UTF-8 BOM from a spreadsheet export. */
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if (nl > p) {
			if (*n >= max)
				return -1;
			if (batch_line(p, (size_t)(nl - p), &rows[*n]))
				(*n)++;
		}
		p = nl + 1;
	}
	return 0;
}

/* What a batch answer rests on: when, where, which checkpoint. */
static void
batch_basis(struct site *s, struct render_batch *bt)
{
	struct checkpoint cp;
	struct buf nb;
	uint64_t size = 0;
	char err[HS_ERRLEN];
	struct vdb *v;

	render_rfc3339(time(NULL), bt->checked_at);
	/* With a trust file: the first ledger's (a known limit). */
	if ((v = site_thread_vdb(s, err)) == NULL)
		return;
	buf_init(&nb);
	if (vdb_checkpoint(v, &nb, &size, err) == HS_OK && !nb.oom &&
	    checkpoint_parse_note(nb.data, nb.len, &cp, err) == HS_OK) {
		bt->ckpt_size = cp.size;
		merkle_hash_encode(cp.root, bt->ckpt_root);
		snprintf(bt->origin, sizeof(bt->origin), "%s", cp.origin);
	}
	buf_free(&nb);
}

/* A batch answer in fmt (kept for its downloads when it is the page). */
static void
batch_reply(struct site *s, struct http_req *r, struct render_batch *bt,
    enum fmt fmt, enum page_lang lang)
{
	struct render_ctx cx;
	struct buf b;
	char err[HS_ERRLEN], base[256];

	site_render_ctx(s, r, &cx, base, sizeof(base));
	if (bt->base_url[0] == '\0')
		snprintf(bt->base_url, sizeof(bt->base_url), "%s", base);
	buf_init(&b);
	if (fmt == FMT_CSV) {
		static const char *const h[] = {
			"Content-Disposition",
			"attachment; filename=\"verification.csv\"", NULL };

		render_batch_csv(&b, bt, &cx);
		site_reply_buf(r, 200, "text/csv; charset=utf-8", &b, h);
	} else if (fmt == FMT_XLSX) {
		static const char *const h[] = {
			"Content-Disposition",
			"attachment; filename=\"verification.xlsx\"", NULL };

		if (export_xlsx(bt, &cx, &b, err) != HS_OK) {
			buf_free(&b);
			site_error(s, r, 503, err, NULL);
			return;
		}
		site_reply_buf(r, 200, "application/vnd.openxmlformats-"
		    "officedocument.spreadsheetml.sheet", &b, h);
	} else if (fmt == FMT_PRINT) {
		render_batch_report(&b, lang, bt, &cx);
		site_reply_buf(r, 200, "text/html; charset=utf-8", &b, NULL);
	} else if (fmt == FMT_HTML) {
		/* Kept, so that the downloads need no second upload; if it
		 * cannot be kept the page has no download links. */
		if (bt->token[0] == '\0' && results_put(s->results, bt,
		    time(NULL), err) != HS_OK)
			bt->token[0] = '\0';
		render_batch_page(&b, lang, bt, &cx);
		site_reply_buf(r, 200, "text/html; charset=utf-8", &b, NULL);
	} else {
		buf_free(&b);
		site_reply_json(r, 200, render_batch_json(bt), NULL);
	}
}

/*
 * GET /api/v1/verify/batch/result/TOKEN?format=csv|xlsx|print|json: a
 * kept batch answer (results.h), as it was checked then.
 */
void
site_batch_result(struct site *s, struct http_req *r)
{
	const char *token = http_path(r) + strlen("/api/v1/verify/batch/"
	    "result/");
	const char *f = http_query(r, "format");
	struct render_batch *bt;
	enum fmt fmt = FMT_PRINT;

	if (f != NULL) {
		if (strcmp(f, "csv") == 0)
			fmt = FMT_CSV;
		else if (strcmp(f, "xlsx") == 0)
			fmt = FMT_XLSX;
		else if (strcmp(f, "json") == 0)
			fmt = FMT_JSON;
		else if (strcmp(f, "html") == 0)
			fmt = FMT_HTML;
		else if (strcmp(f, "print") != 0) {
			site_error(s, r, 400, "format: csv, xlsx, print, html "
			    "or json", NULL);
			return;
		}
	}
	bt = results_get(s->results, token, time(NULL));
	if (bt == NULL) {
		struct buf b;
		enum page_lang lang = site_lang(r);

		if (fmt == FMT_JSON) {
			site_error(s, r, 404, "no such result", NULL);
			return;
		}
		buf_init(&b);
		page_error_op(&b, lang, 404, PL(lang, render_msg_zh("no such "
		    "result"), "No such result, or it has expired (results are "
		    "kept for one hour): verify again."), NULL, &s->op);
		site_reply_buf(r, 404, "text/html; charset=utf-8", &b, NULL);
		return;
	}
	batch_reply(s, r, bt, fmt, site_lang(r));
	results_release(bt);
}

void
site_upload_batch(struct site *s, struct http_req *r)
{
	struct mpart *parts = NULL;
	struct render_row *rows = NULL;
	struct pdfin_budget budget;
	size_t np = 0, n = 0, i;
	char fmtv[16] = "", err[HS_ERRLEN];
	const char *body;
	size_t blen, li;
	enum fmt fmt;
	int mp;

	mp = maybe_multipart(s, r, &parts, &np);
	if (mp < 0)
		return;
	pdfin_budget_init(&budget, BATCH_DECODE_MAX);
	rows = calloc(BATCH_MAX + 1, sizeof(*rows));
	if (rows == NULL) {
		free(parts);
		site_error(s, r, 503, "out of memory", NULL);
		return;
	}
	if (mp > 0)
		field_str(form_field(parts, np, "format"), fmtv, sizeof(fmtv));
	fmt = pick_format(r, fmtv[0] ? fmtv : NULL, FMT_JSON);
	if (mp == 0) {
		body = http_body(r, &blen);
		if (batch_list(body, blen, rows, &n, BATCH_MAX) != 0)
			goto toomany;
	} else {
		for (i = 0; i < np; i++) {
			const struct mpart *pt = &parts[i];

			if (strcmp(pt->name, "format") == 0 || pt->len == 0)
				continue;
			if (pdfin_looks_like_pdf(pt->data, pt->len) ||
			    scan_kind(pt->data, pt->len) != SCAN_NONE) {
				struct vdb_upload_result u;

				if (n >= BATCH_MAX)
					goto toomany;
				memset(&rows[n], 0, sizeof(rows[n]));
				snprintf(rows[n].item, sizeof(rows[n].item),
				    "%s", pt->filename[0] != '\0' &&
				    utf8_valid(pt->filename,
				    strlen(pt->filename)) ? pt->filename :
				    "(file)");
				if (pt->len > UPLOAD_PDF_MAX) {
					render_row_not_cert(&rows[n],
					    "file over 10 MB");
					n++;
					continue;
				}
				if (site_check_upload(s, pt->data, pt->len,
				    &budget, &u, err) != HS_OK) {
					site_unavailable(s, r, err);
					goto out;
				}
				__atomic_add_fetch(&s->vm_upload[u.outcome], 1,
				    __ATOMIC_RELAXED);
				render_row_upload(&rows[n], &u);
				vdb_upload_free(&u);
				n++;
				continue;
			}
			if (batch_list(pt->data, pt->len, rows, &n,
			    BATCH_MAX) != 0)
				goto toomany;
		}
	}
	if (n == 0) {
		site_error(s, r, 400, "no serials, QR addresses or PDF files "
		    "in the request", NULL);
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct vdb_result res;

		if (rows[i].done)
			continue; /* a PDF, done above */
		if (rows[i].serial[0] == '\0') {
			render_row_not_found(&rows[i],
			    "not a certificate number");
			continue;
		}
		if (site_find_serial(s, rows[i].serial, &res, &li, err) !=
		    HS_OK) {
			site_unavailable(s, r, err);
			goto out;
		}
		site_count_serial(s, res.status);
		render_row_cert(&rows[i], &res);
		vdb_result_free(&res);
	}
	{
		struct render_batch bt;

		memset(&bt, 0, sizeof(bt));
		bt.rows = rows;
		bt.n = n;
		batch_basis(s, &bt);
		batch_reply(s, r, &bt, fmt, site_lang(r));
	}
	goto out;
toomany:
	{
		char msg[64];

		snprintf(msg, sizeof(msg), "at most %d items per batch",
		    BATCH_MAX);
		site_error(s, r, 413, msg, NULL);
	}
out:
	free(rows);
	free(parts);
}
