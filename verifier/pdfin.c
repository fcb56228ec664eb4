/*
 * pdfin.c - certificate attachments out of a PDF with qpdf (pdfin.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qpdf/qpdf-c.h>
#include <zlib.h>

#include "pdfin.h"

#define TREE_DEPTH 8       /* name-tree levels we follow */
#define TREE_ENTRIES 1000  /* name-tree leaves we look at */
#define PAGES_MAX 100      /* a certificate has a handful */
#define CONTENTS_MAX 64    /* content streams per page */
#define DEC_CHUNK 32768    /* bytes per decoding step */

/* One stream's decoding: a zlib state and a buffer per filter stage. */
struct dec {
	z_stream z[PDFIN_FILTERS_MAX];
	int ended[PDFIN_FILTERS_MAX];
	int nz;                    /* stages initialised */
	unsigned char buf[PDFIN_FILTERS_MAX][DEC_CHUNK];
	int keep;                  /* keep the output (attachments) */
	size_t keep_max;
	char *out;
	size_t olen, ocap;
	const char *what;          /* "attachment", "page content" */
};

struct walk {
	qpdf_data q;
	struct pdfin *out;
	size_t seen;
	enum hs_err rc;
	char *err;
	struct pdfin_budget file;     /* this file's */
	struct pdfin_budget *shared;  /* the request's; NULL: none */
	struct dec dec;
};

int
pdfin_looks_like_pdf(const void *data, size_t len)
{
	size_t n = len < 1024 ? len : 1024;

	return n >= 5 && memmem(data, n, "%PDF-", 5) != NULL;
}

void
pdfin_budget_init(struct pdfin_budget *b, uint64_t limit)
{
	b->limit = limit;
	b->used = 0;
}

/* Bytes taken out of streams: charged to the file's budget and to the
 * request's. */
static enum hs_err
spend(struct walk *w, uint64_t n)
{
	w->file.used += n;
	if (w->shared != NULL)
		w->shared->used += n;
	if (w->file.used > w->file.limit)
		return hs_fail(w->err, HS_ERR_TOOBIG, "decoded content exceeds "
		    "%llu MB", (unsigned long long)(w->file.limit >> 20));
	if (w->shared != NULL && w->shared->used > w->shared->limit)
		return hs_fail(w->err, HS_ERR_TOOBIG, "decoded content of this "
		    "request exceeds %llu MB in all",
		    (unsigned long long)(w->shared->limit >> 20));
	return HS_OK;
}

/*
 * The filters of a stream: none, or up to PDFIN_FILTERS_MAX /FlateDecode,
 * with no decode parameters. Sets *nz; HS_ERR_FORMAT (err says which)
 * for anything else.
 */
static enum hs_err
stream_filters(struct walk *w, qpdf_oh dict, const char *what, int *nz)
{
	qpdf_data q = w->q;
	qpdf_oh filter, parms;
	int i, n;

	*nz = 0;
	filter = qpdf_oh_get_key(q, dict, "/Filter");
	if (qpdf_oh_is_name(q, filter)) {
		if (strcmp(qpdf_oh_get_name(q, filter), "/FlateDecode") != 0)
			return hs_fail(w->err, HS_ERR_FORMAT, "%s uses an "
			    "unsupported filter", what);
		*nz = 1;
	} else if (qpdf_oh_is_array(q, filter)) {
		n = qpdf_oh_get_array_n_items(q, filter);
		if (n > PDFIN_FILTERS_MAX)
			return hs_fail(w->err, HS_ERR_FORMAT, "%s has more than "
			    "%d chained filters", what, PDFIN_FILTERS_MAX);
		for (i = 0; i < n; i++) {
			qpdf_oh f = qpdf_oh_get_array_item(q, filter, i);

			if (!qpdf_oh_is_name(q, f) ||
			    strcmp(qpdf_oh_get_name(q, f), "/FlateDecode") != 0)
				return hs_fail(w->err, HS_ERR_FORMAT, "%s uses an "
				    "unsupported filter", what);
		}
		*nz = n;
	} else if (!qpdf_oh_is_null(q, filter)) {
		return hs_fail(w->err, HS_ERR_FORMAT, "%s has a bad /Filter",
		    what);
	}
	parms = qpdf_oh_get_key(q, dict, "/DecodeParms");
	if (qpdf_oh_is_array(q, parms)) {
		n = qpdf_oh_get_array_n_items(q, parms);
		for (i = 0; i < n; i++)
			if (!qpdf_oh_is_null(q, qpdf_oh_get_array_item(q, parms,
			    i)))
				return hs_fail(w->err, HS_ERR_FORMAT, "%s has "
				    "decode parameters", what);
	} else if (!qpdf_oh_is_null(q, parms)) {
		return hs_fail(w->err, HS_ERR_FORMAT, "%s has decode "
		    "parameters", what);
	}
	return HS_OK;
}

/* The decoded bytes: kept (up to keep_max) or only counted. */
static enum hs_err
dec_sink(struct walk *w, struct dec *d, const unsigned char *p, size_t n)
{
	if (!d->keep || n == 0)
		return HS_OK;
	if (n > d->keep_max - d->olen)
		return hs_fail(w->err, HS_ERR_TOOBIG, "%s decodes to more than "
		    "%zu bytes", d->what, d->keep_max);
	if (d->olen + n + 1 > d->ocap) {
		size_t cap = d->ocap ? d->ocap : 4096;
		char *nb;

		while (cap < d->olen + n + 1)
			cap *= 2;
		if (cap > d->keep_max + 1)
			cap = d->keep_max + 1;
		if ((nb = realloc(d->out, cap)) == NULL)
			return hs_fail(w->err, HS_ERR_NOMEM, "out of memory");
		d->out = nb;
		d->ocap = cap;
	}
	memcpy(d->out + d->olen, p, n);
	d->olen += n;
	return HS_OK;
}

/*
 * Feeds in[0..n) to filter stage k, whose output goes on to stage k + 1
 * (the sink after the last one), through one fixed buffer per stage:
 * memory stays at PDFIN_FILTERS_MAX * DEC_CHUNK whatever the stream
 * inflates to, and every output byte is charged to the budget first.
 * Bytes after a stage's end of data are ignored.
 */
static enum hs_err
dec_push(struct walk *w, struct dec *d, int k, const unsigned char *in,
    size_t n)
{
	z_stream *z = &d->z[k];
	enum hs_err rc;
	size_t take, got;
	int zr;

	if (k == d->nz)
		return dec_sink(w, d, in, n);
	while (n > 0 && !d->ended[k]) {
		take = n > DEC_CHUNK ? DEC_CHUNK : n;
		z->next_in = (unsigned char *)in;
		z->avail_in = (uInt)take;
		do {
			z->next_out = d->buf[k];
			z->avail_out = DEC_CHUNK;
			zr = inflate(z, Z_NO_FLUSH);
			if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR)
				return hs_fail(w->err, HS_ERR_FORMAT, "%s: bad "
				    "compressed data", d->what);
			got = DEC_CHUNK - z->avail_out;
			if (got > 0 && ((rc = spend(w, got)) != HS_OK ||
			    (rc = dec_push(w, d, k + 1, d->buf[k], got)) !=
			    HS_OK))
				return rc;
			if (zr == Z_STREAM_END) {
				d->ended[k] = 1;
				return HS_OK;
			}
			if (zr == Z_BUF_ERROR)
				break; /* no progress: needs more input */
		} while (z->avail_out == 0 || z->avail_in > 0);
		in += take;
		n -= take;
	}
	return HS_OK;
}

/*
 * Decodes one stream: raw bytes from qpdf (no filter applied there), then
 * its /FlateDecode chain here. With keep, *out gets the bytes (caller
 * frees, NUL-terminated) up to keep_max; otherwise they are only checked.
 * HS_ERR_FORMAT for an unsupported filter or damaged data, HS_ERR_TOOBIG
 * over a cap or the budget.
 */
static enum hs_err
stream_decode(struct walk *w, qpdf_oh st, const char *what, int keep,
    size_t keep_max, char **out, size_t *olen)
{
	qpdf_data q = w->q;
	struct dec *d = &w->dec;
	unsigned char *raw = NULL;
	size_t rlen = 0;
	enum hs_err rc;
	int i, nz;

	if (out != NULL)
		*out = NULL;
	if ((rc = stream_filters(w, qpdf_oh_get_dict(q, st), what, &nz)) !=
	    HS_OK)
		return rc;
	if (qpdf_oh_get_stream_data(q, st, qpdf_dl_none, NULL, &raw, &rlen) &
	    QPDF_ERRORS) {
		free(raw);
		return hs_fail(w->err, HS_ERR_FORMAT, "%s cannot be read", what);
	}
	memset(d->z, 0, sizeof(d->z));
	memset(d->ended, 0, sizeof(d->ended));
	d->nz = 0;
	d->keep = keep;
	d->keep_max = keep_max;
	d->out = NULL;
	d->olen = d->ocap = 0;
	d->what = what;
	if ((rc = spend(w, rlen)) != HS_OK)
		goto out;
	for (; d->nz < nz; d->nz++)
		if (inflateInit(&d->z[d->nz]) != Z_OK) {
			rc = hs_fail(w->err, HS_ERR_NOMEM, "zlib init failed");
			goto out;
		}
	if ((rc = dec_push(w, d, 0, raw, rlen)) != HS_OK)
		goto out;
	for (i = 0; i < nz; i++)
		if (!d->ended[i]) {
			rc = hs_fail(w->err, HS_ERR_FORMAT, "%s: compressed data "
			    "is truncated", what);
			goto out;
		}
	if (keep) {
		if (d->out == NULL && (d->out = malloc(1)) == NULL) {
			rc = hs_fail(w->err, HS_ERR_NOMEM, "out of memory");
			goto out;
		}
		d->out[d->olen] = '\0';
		*out = d->out;
		*olen = d->olen;
		d->out = NULL;
	}
	rc = HS_OK;
out:
	for (i = 0; i < d->nz; i++)
		inflateEnd(&d->z[i]);
	d->nz = 0;
	free(d->out);
	d->out = NULL;
	free(raw);
	return rc;
}

/* The decoded bytes of an embedded file stream. */
static enum hs_err
stream_bytes(struct walk *w, qpdf_oh st, char **out, size_t *olen)
{
	return stream_decode(w, st, "attachment", 1, PDFIN_ATTACH_MAX, out,
	    olen);
}

/* One name-tree leaf: a file name and its file specification. */
static void
leaf(struct walk *w, qpdf_oh name, qpdf_oh spec)
{
	qpdf_data q = w->q;
	const char *fn;
	char **dst;
	size_t *dlen;
	qpdf_oh ef, st;

	w->out->nfiles++;
	if (!qpdf_oh_is_string(q, name) || !qpdf_oh_is_dictionary(q, spec))
		return;
	fn = qpdf_oh_get_utf8_value(q, name);
	if (strcmp(fn, "certificate.note") == 0) {
		dst = &w->out->note;
		dlen = &w->out->note_len;
	} else if (strcmp(fn, "certificate.proof") == 0) {
		dst = &w->out->proof;
		dlen = &w->out->proof_len;
	} else {
		return;
	}
	if (*dst != NULL) {
		w->rc = hs_fail(w->err, HS_ERR_FORMAT, "two attachments named "
		    "%s", fn);
		return;
	}
	ef = qpdf_oh_get_key(q, spec, "/EF");
	if (!qpdf_oh_is_dictionary(q, ef))
		return;
	st = qpdf_oh_get_key(q, ef, "/F");
	if (!qpdf_oh_is_stream(q, st))
		st = qpdf_oh_get_key(q, ef, "/UF");
	if (!qpdf_oh_is_stream(q, st)) {
		w->rc = hs_fail(w->err, HS_ERR_FORMAT, "%s has no file stream",
		    fn);
		return;
	}
	w->rc = stream_bytes(w, st, dst, dlen);
}

static void
walk_node(struct walk *w, qpdf_oh node, int depth)
{
	qpdf_data q = w->q;
	qpdf_oh arr;
	int i, n;

	if (w->rc != HS_OK || depth > TREE_DEPTH ||
	    !qpdf_oh_is_dictionary(q, node))
		return;
	arr = qpdf_oh_get_key(q, node, "/Names");
	if (qpdf_oh_is_array(q, arr)) {
		n = qpdf_oh_get_array_n_items(q, arr);
		for (i = 0; i + 1 < n && w->rc == HS_OK; i += 2) {
			if (++w->seen > TREE_ENTRIES)
				return;
			leaf(w, qpdf_oh_get_array_item(q, arr, i),
			    qpdf_oh_get_array_item(q, arr, i + 1));
		}
	}
	arr = qpdf_oh_get_key(q, node, "/Kids");
	if (qpdf_oh_is_array(q, arr)) {
		n = qpdf_oh_get_array_n_items(q, arr);
		for (i = 0; i < n && w->rc == HS_OK; i++) {
			if (++w->seen > TREE_ENTRIES)
				return;
			walk_node(w, qpdf_oh_get_array_item(q, arr, i),
			    depth + 1);
		}
	}
}

/*
 * Every page's content streams must decode: a byte changed inside a
 * compressed stream breaks its checksum. A stream that cannot be
 * decoded here (damaged, or a filter we do not take) marks the pages as
 * not intact; only the budget running out fails the file.
 */
static enum hs_err
check_pages(struct walk *w)
{
	qpdf_data q = w->q;
	struct pdfin *out = w->out;
	char e2[HS_ERRLEN];
	char *saved = w->err;
	enum hs_err rc = HS_OK;
	int i, j, n;

	out->npages = qpdf_get_num_pages(q);
	out->pages_ok = out->npages > 0 && out->npages <= PAGES_MAX;
	w->err = e2;
	for (i = 0; out->pages_ok && i < out->npages; i++) {
		qpdf_oh page = qpdf_get_page_n(q, (size_t)i);
		qpdf_oh c = qpdf_oh_get_key(q, page, "/Contents");

		if (qpdf_oh_is_stream(q, c)) {
			rc = stream_decode(w, c, "page content", 0, 0, NULL,
			    NULL);
		} else if (qpdf_oh_is_array(q, c)) {
			n = qpdf_oh_get_array_n_items(q, c);
			if (n > CONTENTS_MAX) {
				out->pages_ok = 0;
				break;
			}
			for (j = 0; j < n && rc == HS_OK; j++) {
				qpdf_oh cj = qpdf_oh_get_array_item(q, c, j);

				if (!qpdf_oh_is_stream(q, cj))
					rc = HS_ERR_FORMAT;
				else
					rc = stream_decode(w, cj, "page content",
					    0, 0, NULL, NULL);
			}
		} else if (!qpdf_oh_is_null(q, c)) {
			rc = HS_ERR_FORMAT;
		}
		if (rc == HS_ERR_TOOBIG || rc == HS_ERR_NOMEM)
			break;
		if (rc != HS_OK) {
			out->pages_ok = 0;
			rc = HS_OK;
		}
	}
	w->err = saved;
	if (rc != HS_OK)
		return hs_fail(w->err, rc, "%s", e2);
	return HS_OK;
}

enum hs_err
pdfin_read(const void *pdf, size_t len, struct pdfin *out, char *err)
{
	return pdfin_read_budget(pdf, len, NULL, out, err);
}

enum hs_err
pdfin_read_budget(const void *pdf, size_t len, struct pdfin_budget *shared,
    struct pdfin *out, char *err)
{
	qpdf_data q = NULL;
	qpdf_oh root, names, ef;
	struct walk *w = NULL;
	enum hs_err rc;

	memset(out, 0, sizeof(*out));
	if (!pdfin_looks_like_pdf(pdf, len))
		return hs_fail(err, HS_ERR_FORMAT, "not a PDF file");
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	q = qpdf_init();
	if (q == NULL) {
		rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
		goto out;
	}
	qpdf_silence_errors(q);
	qpdf_set_suppress_warnings(q, QPDF_TRUE);
	/*
	 * qpdf decodes xref streams, and the object streams they point to,
	 * by itself and in full: ignoring them leaves every decode to us.
	 * Certificates never use them (classic xref tables).
	 */
	qpdf_set_ignore_xref_streams(q, QPDF_TRUE);
	if (qpdf_read_memory(q, "upload", pdf, len, NULL) & QPDF_ERRORS) {
		if (qpdf_has_error(q))
			(void)qpdf_get_error(q);
		rc = hs_fail(err, HS_ERR_FORMAT, "%s",
		    memmem(pdf, len, "/ObjStm", 7) != NULL ||
		    memmem(pdf, len, "/XRef", 5) != NULL ?
		    "not a readable PDF file (it uses cross-reference or "
		    "object streams, which certificates never do)" :
		    "not a readable PDF file");
		goto out;
	}
	w->q = q;
	w->out = out;
	w->rc = HS_OK;
	w->err = err;
	w->shared = shared;
	pdfin_budget_init(&w->file, PDFIN_DECODE_MAX);
	root = qpdf_get_root(q);
	names = qpdf_oh_get_key(q, root, "/Names");
	ef = qpdf_oh_get_key(q, names, "/EmbeddedFiles");
	walk_node(w, ef, 0);
	if (qpdf_has_error(q)) {
		(void)qpdf_get_error(q);
		if (w->rc == HS_OK)
			w->rc = hs_fail(err, HS_ERR_FORMAT, "damaged PDF file");
	}
	if ((rc = w->rc) != HS_OK)
		goto out;
	if ((rc = check_pages(w)) != HS_OK)
		goto out;
	if (qpdf_has_error(q)) {
		(void)qpdf_get_error(q);
		out->pages_ok = 0;
	}
	while (qpdf_more_warnings(q)) {
		/* A damaged file is reported as a warning. */
		(void)qpdf_next_warning(q);
		out->pages_ok = 0;
	}
	if (out->note == NULL) {
		rc = hs_fail(err, HS_ERR_NOTFOUND, "the PDF has no "
		    "certificate.note attachment");
		goto out;
	}
	rc = HS_OK;
out:
	if (q != NULL)
		qpdf_cleanup(&q);
	if (rc != HS_OK)
		pdfin_free(out);
	if (w != NULL)
		out->decoded = w->file.used;
	free(w);
	return rc;
}

void
pdfin_free(struct pdfin *p)
{
	if (p == NULL)
		return;
	free(p->note);
	free(p->proof);
	memset(p, 0, sizeof(*p));
}
