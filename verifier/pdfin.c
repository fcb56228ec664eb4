/*
 * pdfin.c - certificate attachments out of a PDF with qpdf (pdfin.h).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qpdf/qpdf-c.h>
#include <zlib.h>

#include "pdfin.h"
#include "pdftext.h"

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

static enum hs_err stream_inflate(struct walk *w, qpdf_oh st,
    const char *what, int nz, int keep, size_t keep_max, char **out,
    size_t *olen);

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
	enum hs_err rc;
	int nz;

	if (out != NULL)
		*out = NULL;
	if ((rc = stream_filters(w, qpdf_oh_get_dict(q, st), what, &nz)) !=
	    HS_OK)
		return rc;
	return stream_inflate(w, st, what, nz, keep, keep_max, out, olen);
}

/* stream_decode once the filters are known: nz /FlateDecode stages. */
static enum hs_err
stream_inflate(struct walk *w, qpdf_oh st, const char *what, int nz,
    int keep, size_t keep_max, char **out, size_t *olen)
{
	qpdf_data q = w->q;
	struct dec *d = &w->dec;
	unsigned char *raw = NULL;
	size_t rlen = 0;
	enum hs_err rc;
	int i;

	if (out != NULL)
		*out = NULL;
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

/* ---- files with cross-reference and object streams ---- */

static int
hexdig(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* True if b[0..1] is a zlib header with deflate. */
static bool
zlib_header(const unsigned char *b, size_t n)
{
	return n >= 2 && (b[0] & 0x0f) == 8 && (b[0] >> 4) <= 7 &&
	    ((unsigned)b[0] << 8 | b[1]) % 31 == 0;
}

/* Inflating stages started as their input turns out to be zlib data. */
struct chain {
	z_stream z[PDFIN_FILTERS_MAX];
	int n;                     /* stages started */
	unsigned char buf[PDFIN_FILTERS_MAX][DEC_CHUNK];
};

/*
 * Feeds in[0..n) to stage k, counting every output byte against the
 * budget; output that is itself zlib data starts the next stage. Data
 * that does not inflate ends the stage quietly (qpdf would fail on it
 * too); a chain deeper than PDFIN_FILTERS_MAX is refused.
 */
static enum hs_err
chain_push(struct walk *w, struct chain *c, int k, const unsigned char *in,
    size_t n, bool first)
{
	z_stream *z;
	enum hs_err rc;
	size_t got;
	int zr;
	bool out_first = true;

	if (k == c->n) {
		if (!first || !zlib_header(in, n))
			return HS_OK;
		if (k == PDFIN_FILTERS_MAX)
			return hs_fail(w->err, HS_ERR_FORMAT, "not a readable "
			    "PDF file (compressed data nested more than %d "
			    "deep)", PDFIN_FILTERS_MAX);
		memset(&c->z[k], 0, sizeof(c->z[k]));
		if (inflateInit(&c->z[k]) != Z_OK)
			return hs_fail(w->err, HS_ERR_NOMEM, "zlib init failed");
		c->n = k + 1;
	}
	z = &c->z[k];
	z->next_in = (unsigned char *)in;
	z->avail_in = (uInt)n;
	do {
		z->next_out = c->buf[k];
		z->avail_out = DEC_CHUNK;
		zr = inflate(z, Z_NO_FLUSH);
		got = DEC_CHUNK - z->avail_out;
		if (got > 0) {
			if ((rc = spend(w, got)) != HS_OK ||
			    (rc = chain_push(w, c, k + 1, c->buf[k], got,
			    first && out_first && z->total_out == got)) !=
			    HS_OK)
				return rc;
			out_first = false;
		}
		if (zr != Z_OK)
			break;
	} while (z->avail_out == 0 || z->avail_in > 0);
	return HS_OK;
}

/*
 * Names a file with object streams may not have in its top-level text
 * (where the dictionaries of every stream are): filters that could expand
 * beyond our count (only zlib data is counted), and encryption.
 */
static bool
name_denied(const char *n)
{
	static const char *const deny[] = { "LZW", "RL", "AHx", "A85",
	    "CCF", "DCT", "Fl", "Crypt", "Encrypt" };
	size_t i, k = strlen(n);

	/* Any filter but /FlateDecode, abbreviations too. */
	if (k > 6 && strcmp(n + k - 6, "Decode") == 0 &&
	    strcmp(n, "FlateDecode") != 0)
		return true;
	for (i = 0; i < sizeof(deny) / sizeof(deny[0]); i++)
		if (strcmp(n, deny[i]) == 0)
			return true;
	return false;
}

/*
 * The names in p[0..n) (the text between two streams' data, where the
 * next one's dictionary is), with # escapes decoded. False if this text
 * has an object or cross-reference stream's dictionary together with a
 * filter other than /FlateDecode, if it names encryption, or if a
 * /Filter is an indirect reference (read from where we did not look).
 */
static bool
names_ok(const unsigned char *p, size_t n)
{
	const unsigned char *end = p + n;
	char name[128];
	size_t k;
	int hi, lo;
	bool objstm = false, denied = false;

	while (p < end) {
		if (*p++ != '/')
			continue;
		k = 0;
		while (p < end && *p > ' ' && *p < 0x7f && strchr("/<>[]()%{}",
		    *p) == NULL) {
			if (*p == '#' && p + 2 < end &&
			    (hi = hexdig(p[1])) >= 0 && (lo = hexdig(p[2])) >= 0) {
				if (k + 1 < sizeof(name))
					name[k++] = (char)(hi << 4 | lo);
				p += 3;
				continue;
			}
			if (k + 1 < sizeof(name))
				name[k++] = (char)*p;
			p++;
		}
		name[k] = '\0';
		if (strcmp(name, "Encrypt") == 0 || strcmp(name, "Crypt") == 0)
			return false;
		if (strcmp(name, "ObjStm") == 0 || strcmp(name, "XRef") == 0)
			objstm = true;
		if (name_denied(name))
			denied = true;
		if (strcmp(name, "Filter") == 0 ||
		    strcmp(name, "DecodeParms") == 0) {
			while (p < end && (*p == ' ' || *p == '\t' ||
			    *p == '\r' || *p == '\n'))
				p++;
			if (p < end && *p >= '0' && *p <= '9')
				return false;
		}
	}
	return !(objstm && denied);
}

/*
 * qpdf decodes cross-reference and object streams by itself, in full and
 * outside our budget, so a file that has them is read only if nothing in
 * it could expand beyond the budget: its stream dictionaries name no
 * filter but /FlateDecode (names_ok), and every zlib stream in the file,
 * inflated here with its nested ones, fits the budget.
 */
static enum hs_err
objstm_bounded(struct walk *w, const unsigned char *p, size_t len)
{
	struct chain *c;
	const unsigned char *s, *e, *end = p + len, *q;
	enum hs_err rc = HS_OK;
	int j;

	if ((c = malloc(sizeof(*c))) == NULL)
		return hs_fail(w->err, HS_ERR_NOMEM, "out of memory");
	for (s = p; s < end && rc == HS_OK; s = e) {
		/* The text before the next stream's data. */
		q = memmem(s, (size_t)(end - s), "stream", 6);
		e = q != NULL ? q + 6 : end;
		if (!names_ok(s, (size_t)(e - s))) {
			rc = hs_fail(w->err, HS_ERR_FORMAT, "not a readable PDF "
			    "file (its object streams use encodings this "
			    "verifier does not read)");
			break;
		}
		if (q == NULL)
			break;
		while (e < end && (*e == ' ' || *e == '\t' || *e == '\r' ||
		    *e == '\n'))
			e++;
		c->n = 0;
		q = memmem(e, (size_t)(end - e), "endstream", 9);
		rc = chain_push(w, c, 0, e, (size_t)((q != NULL ? q : end) -
		    e), true);
		for (j = 0; j < c->n; j++)
			inflateEnd(&c->z[j]);
		if (q != NULL)
			e = q + 9;
	}
	free(c);
	return rc;
}

/*
 * Reads the file with qpdf. qpdf decodes xref streams, and the object
 * streams they point to, by itself and in full: ignoring them leaves
 * every decode to us, which is how certificates are read (classic xref
 * tables). A file saved again with object streams is read with them once
 * objstm_bounded has shown that qpdf's decoding stays within the budget.
 */
static qpdf_data
new_qpdf(bool xref_streams)
{
	qpdf_data q = qpdf_init();

	if (q == NULL)
		return NULL;
	qpdf_silence_errors(q);
	qpdf_set_suppress_warnings(q, QPDF_TRUE);
	qpdf_set_ignore_xref_streams(q, xref_streams ? QPDF_FALSE : QPDF_TRUE);
	return q;
}

static enum hs_err
open_doc(struct walk *w, qpdf_data *qp, const void *pdf, size_t len)
{
	enum hs_err rc;

	*qp = NULL;
	if ((*qp = new_qpdf(false)) == NULL)
		return hs_fail(w->err, HS_ERR_NOMEM, "out of memory");
	if (!(qpdf_read_memory(*qp, "upload", pdf, len, NULL) & QPDF_ERRORS))
		return HS_OK;
	if (qpdf_has_error(*qp))
		(void)qpdf_get_error(*qp);
	qpdf_cleanup(qp);
	if (memmem(pdf, len, "/ObjStm", 7) == NULL &&
	    memmem(pdf, len, "/XRef", 5) == NULL)
		return hs_fail(w->err, HS_ERR_FORMAT, "not a readable PDF file");
	if ((rc = objstm_bounded(w, pdf, len)) != HS_OK) {
		char e2[HS_ERRLEN];

		if (rc != HS_ERR_TOOBIG)
			return rc;
		snprintf(e2, sizeof(e2), "%s", w->err);
		return hs_fail(w->err, rc, "not a readable PDF file (its "
		    "cross-reference or object streams would decode beyond "
		    "the budget: %.200s)", e2);
	}
	if ((*qp = new_qpdf(true)) == NULL)
		return hs_fail(w->err, HS_ERR_NOMEM, "out of memory");
	if (qpdf_read_memory(*qp, "upload", pdf, len, NULL) & QPDF_ERRORS) {
		if (qpdf_has_error(*qp))
			(void)qpdf_get_error(*qp);
		qpdf_cleanup(qp);
		return hs_fail(w->err, HS_ERR_FORMAT, "not a readable PDF file");
	}
	return HS_OK;
}

/*
 * Starts a walk over pdf[0..len): the file's budget of limit bytes and
 * the request's shared one (NULL: none), the document opened. *wp and *qp
 * are the caller's to free (free, qpdf_cleanup) whatever the result.
 */
static enum hs_err
walk_open(const void *pdf, size_t len, struct pdfin_budget *shared,
    uint64_t limit, struct walk **wp, qpdf_data *qp, char *err)
{
	struct walk *w;
	enum hs_err rc;

	*wp = NULL;
	*qp = NULL;
	if (!pdfin_looks_like_pdf(pdf, len))
		return hs_fail(err, HS_ERR_FORMAT, "not a PDF file");
	if ((w = *wp = calloc(1, sizeof(*w))) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	w->rc = HS_OK;
	w->err = err;
	w->shared = shared;
	pdfin_budget_init(&w->file, limit);
	if ((rc = open_doc(w, qp, pdf, len)) != HS_OK)
		return rc;
	w->q = *qp;
	return HS_OK;
}

/* ---- the text of the pages ---- */

#define FONTS_MAX 64     /* fonts per page whose maps are kept */
#define RES_DEPTH 8      /* /Parent levels for inherited /Resources */

struct pagetext {
	struct walk *w;
	qpdf_oh res;         /* the page's resources */
	int nfonts;
	char names[FONTS_MAX][128];
	struct pdftext_font fonts[FONTS_MAX];
	struct pdftext_cmap *maps[FONTS_MAX];
	bool ok[FONTS_MAX];
};

/* The page's resources, inherited from its parents if need be. */
static qpdf_oh
page_resources(qpdf_data q, qpdf_oh page)
{
	qpdf_oh r = qpdf_oh_get_key(q, page, "/Resources");
	int i;

	for (i = 0; i < RES_DEPTH && !qpdf_oh_is_dictionary(q, r); i++) {
		page = qpdf_oh_get_key(q, page, "/Parent");
		if (!qpdf_oh_is_dictionary(q, page))
			break;
		r = qpdf_oh_get_key(q, page, "/Resources");
	}
	return r;
}

static qpdf_oh
res_entry(qpdf_data q, qpdf_oh res, const char *kind, const char *name)
{
	char key[130];

	snprintf(key, sizeof(key), "/%s", name);
	return qpdf_oh_get_key(q, qpdf_oh_get_key(q, res, kind), key);
}

static bool
pt_font(void *ctx, const char *name, struct pdftext_font *f)
{
	struct pagetext *pt = ctx;
	struct walk *w = pt->w;
	qpdf_data q = w->q;
	qpdf_oh font, tu;
	char *data = NULL, e2[HS_ERRLEN], *saved;
	size_t dlen;
	int i;

	for (i = 0; i < pt->nfonts; i++)
		if (strcmp(pt->names[i], name) == 0) {
			*f = pt->fonts[i];
			return pt->ok[i];
		}
	if (pt->nfonts == FONTS_MAX || w->rc != HS_OK)
		return false;
	i = pt->nfonts++;
	snprintf(pt->names[i], sizeof(pt->names[i]), "%s", name);
	pt->ok[i] = false;
	font = res_entry(q, pt->res, "/Font", name);
	if (!qpdf_oh_is_dictionary(q, font))
		return false;
	if (qpdf_oh_is_name_and_equals(q, qpdf_oh_get_key(q, font,
	    "/Subtype"), "/Type0")) {
		/* Two-byte codes: Identity-H/V only. */
		qpdf_oh enc = qpdf_oh_get_key(q, font, "/Encoding");

		if (!qpdf_oh_is_name_and_equals(q, enc, "/Identity-H") &&
		    !qpdf_oh_is_name_and_equals(q, enc, "/Identity-V"))
			return false;
		pt->fonts[i].code_bytes = 2;
	} else {
		pt->fonts[i].code_bytes = 1;
	}
	tu = qpdf_oh_get_key(q, font, "/ToUnicode");
	if (qpdf_oh_is_stream(q, tu)) {
		saved = w->err;
		w->err = e2;
		if (stream_decode(w, tu, "ToUnicode map", 1, PDFIN_ATTACH_MAX,
		    &data, &dlen) == HS_ERR_TOOBIG) {
			w->err = saved;
			w->rc = hs_fail(w->err, HS_ERR_TOOBIG, "%s", e2);
			return false;
		}
		w->err = saved;
		if (data == NULL || pdftext_cmap_parse(data, dlen,
		    &pt->maps[i], e2) != HS_OK) {
			free(data);
			return false;
		}
		free(data);
		pt->fonts[i].map = pt->maps[i];
	} else if (pt->fonts[i].code_bytes == 2) {
		return false;
	}
	pt->ok[i] = true;
	*f = pt->fonts[i];
	return true;
}

static int
pt_xobject(void *ctx, const char *name)
{
	struct pagetext *pt = ctx;
	qpdf_data q = pt->w->q;
	qpdf_oh x = res_entry(q, pt->res, "/XObject", name);

	if (!qpdf_oh_is_stream(q, x))
		return -1;
	return qpdf_oh_is_name_and_equals(q, qpdf_oh_get_key(q,
	    qpdf_oh_get_dict(q, x), "/Subtype"), "/Image") ? 0 : 1;
}

/* Appends a page's content, its streams in order, to b. */
static enum hs_err
page_content(struct walk *w, qpdf_oh page, struct buf *b, bool *complete)
{
	qpdf_data q = w->q;
	qpdf_oh c = qpdf_oh_get_key(q, page, "/Contents");
	char *data;
	size_t dlen;
	enum hs_err rc;
	int i, n;

	if (qpdf_oh_is_null(q, c))
		return HS_OK;
	n = qpdf_oh_is_array(q, c) ? qpdf_oh_get_array_n_items(q, c) : 1;
	if (n > CONTENTS_MAX) {
		*complete = false;
		return HS_OK;
	}
	for (i = 0; i < n; i++) {
		qpdf_oh ci = qpdf_oh_is_array(q, c) ?
		    qpdf_oh_get_array_item(q, c, i) : c;

		if (!qpdf_oh_is_stream(q, ci)) {
			*complete = false;
			continue;
		}
		rc = stream_decode(w, ci, "page content", 1, PDFIN_DECODE_MAX,
		    &data, &dlen);
		if (rc == HS_ERR_TOOBIG || rc == HS_ERR_NOMEM)
			return rc;
		if (rc != HS_OK) {
			*complete = false;
			continue;
		}
		buf_add(b, data, dlen);
		buf_putc(b, '\n');
		free(data);
	}
	return b->oom ? hs_fail(w->err, HS_ERR_NOMEM, "out of memory") : HS_OK;
}

enum hs_err
pdfin_text(const void *pdf, size_t len, struct pdfin_budget *shared,
    struct pdfin_text *out, char *err)
{
	qpdf_data q = NULL;
	struct walk *w = NULL;
	struct pagetext *pt = NULL;
	struct pdftext_res res;
	struct buf content;
	enum hs_err rc;
	int i, k;

	memset(out, 0, sizeof(*out));
	buf_init(&out->text);
	buf_init(&out->ops);
	buf_init(&content);
	out->complete = true;
	if (!pdfin_looks_like_pdf(pdf, len))
		return hs_fail(err, HS_ERR_FORMAT, "not a PDF file");
	if ((pt = calloc(1, sizeof(*pt))) == NULL) {
		rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = walk_open(pdf, len, shared, PDFIN_DECODE_MAX, &w, &q,
	    err)) != HS_OK)
		goto out;
	out->npages = qpdf_get_num_pages(q);
	if (out->npages <= 0 || out->npages > PAGES_MAX) {
		rc = hs_fail(err, HS_ERR_FORMAT, "the PDF has %d pages",
		    out->npages);
		goto out;
	}
	res.ctx = pt;
	res.font = pt_font;
	res.xobject = pt_xobject;
	for (i = 0; i < out->npages; i++) {
		qpdf_oh page = qpdf_get_page_n(q, (size_t)i);

		memset(pt, 0, sizeof(*pt));
		pt->w = w;
		pt->res = page_resources(q, page);
		buf_reset(&content);
		rc = page_content(w, page, &content, &out->complete);
		if (rc == HS_OK)
			pdftext_page(content.data != NULL ? content.data : "",
			    content.len, &res, &out->text, &out->ops,
			    &out->complete);
		for (k = 0; k < pt->nfonts; k++)
			pdftext_cmap_free(pt->maps[k]);
		if (rc == HS_OK)
			rc = w->rc;
		if (rc != HS_OK)
			goto out;
		buf_putc(&out->text, '\f');
		buf_putc(&out->ops, '\f');
	}
	if (qpdf_has_error(q)) {
		(void)qpdf_get_error(q);
		out->complete = false;
	}
	if (out->text.oom) {
		rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
		goto out;
	}
	rc = HS_OK;
out:
	if (q != NULL)
		qpdf_cleanup(&q);
	if (w != NULL)
		out->decoded = w->file.used;
	if (rc != HS_OK) {
		buf_free(&out->text);
		buf_free(&out->ops);
	}
	buf_free(&content);
	free(pt);
	free(w);
	return rc;
}

void
pdfin_text_free(struct pdfin_text *t)
{
	if (t == NULL)
		return;
	buf_free(&t->text);
	buf_free(&t->ops);
	memset(t, 0, sizeof(*t));
}

/* ---- images ---- */

/* Components of an image's colour space: 1, 3, or 0 (not taken). */
static int
image_ncomp(qpdf_data q, qpdf_oh cs)
{
	qpdf_oh n;

	if (qpdf_oh_is_name_and_equals(q, cs, "/DeviceGray") ||
	    qpdf_oh_is_name_and_equals(q, cs, "/G"))
		return 1;
	if (qpdf_oh_is_name_and_equals(q, cs, "/DeviceRGB") ||
	    qpdf_oh_is_name_and_equals(q, cs, "/RGB"))
		return 3;
	if (qpdf_oh_is_array(q, cs) && qpdf_oh_get_array_n_items(q, cs) == 2 &&
	    qpdf_oh_is_name_and_equals(q, qpdf_oh_get_array_item(q, cs, 0),
	    "/ICCBased")) {
		n = qpdf_oh_get_key(q, qpdf_oh_get_dict(q,
		    qpdf_oh_get_array_item(q, cs, 1)), "/N");
		if (qpdf_oh_is_integer(q, n) && (qpdf_oh_get_int_value(q, n) ==
		    1 || qpdf_oh_get_int_value(q, n) == 3))
			return (int)qpdf_oh_get_int_value(q, n);
	}
	return 0;
}

/* The one filter of an image: "/DCTDecode", "/FlateDecode", or NULL. */
static const char *
image_filter(qpdf_data q, qpdf_oh dict)
{
	qpdf_oh f = qpdf_oh_get_key(q, dict, "/Filter");

	if (qpdf_oh_is_array(q, f) && qpdf_oh_get_array_n_items(q, f) == 1)
		f = qpdf_oh_get_array_item(q, f, 0);
	if (qpdf_oh_is_name_and_equals(q, f, "/DCTDecode"))
		return "/DCTDecode";
	if (qpdf_oh_is_name_and_equals(q, f, "/FlateDecode"))
		return "/FlateDecode";
	return NULL;
}

static long long
dict_int(qpdf_data q, qpdf_oh d, const char *key, long long dflt)
{
	qpdf_oh v = qpdf_oh_get_key(q, d, key);

	return qpdf_oh_is_integer(q, v) ? qpdf_oh_get_int_value(q, v) : dflt;
}

/*
 * Undoes PNG predictors (Predictor 10..15) in place: rows of 1 + stride
 * bytes become rows of stride bytes. False if the data is not that.
 */
static bool
png_unpredict(unsigned char *d, size_t len, size_t stride, size_t rows,
    int bpp)
{
	unsigned char *prev = NULL, *row, *src;
	size_t r, i;
	int a, b, c, p, pa, pb, pc;

	if (len != rows * (stride + 1))
		return false;
	for (r = 0; r < rows; r++) {
		src = d + r * (stride + 1);
		row = d + r * stride;
		int ft = src[0];

		memmove(row, src + 1, stride);
		for (i = 0; i < stride; i++) {
			a = i >= (size_t)bpp ? row[i - bpp] : 0;
			b = prev != NULL ? prev[i] : 0;
			c = prev != NULL && i >= (size_t)bpp ? prev[i - bpp] : 0;
			switch (ft) {
			case 0: break;
			case 1: row[i] = (unsigned char)(row[i] + a); break;
			case 2: row[i] = (unsigned char)(row[i] + b); break;
			case 3: row[i] = (unsigned char)(row[i] + (a + b) / 2);
				break;
			case 4:
				p = a + b - c;
				pa = abs(p - a);
				pb = abs(p - b);
				pc = abs(p - c);
				row[i] = (unsigned char)(row[i] + (pa <= pb &&
				    pa <= pc ? a : pb <= pc ? b : c));
				break;
			default:
				return false;
			}
		}
		prev = row;
	}
	return true;
}

/* True if a 1-bit image's /Decode is [1 0] (ones are black). */
static bool
decode_inverted(qpdf_data q, qpdf_oh dict)
{
	qpdf_oh d = qpdf_oh_get_key(q, dict, "/Decode");

	return qpdf_oh_is_array(q, d) && qpdf_oh_get_array_n_items(q, d) == 2 &&
	    qpdf_oh_is_number(q, qpdf_oh_get_array_item(q, d, 0)) &&
	    qpdf_oh_get_numeric_value(q, qpdf_oh_get_array_item(q, d, 0)) > 0.5;
}

/*
 * 1-bit rows (stride bytes each) to 8-bit gray, w x h bytes, charged to
 * the budget. Frees bits; NULL if out of budget (w->rc set) or memory.
 */
static char *
expand_bits(struct walk *w, char *bits, size_t wd, size_t ht, size_t stride,
    bool inverted)
{
	unsigned char *out, *b = (unsigned char *)bits;
	size_t x, y;
	int v;

	if (spend(w, wd * ht) != HS_OK) {
		w->rc = HS_ERR_TOOBIG;
		free(bits);
		return NULL;
	}
	if ((out = malloc(wd * ht)) == NULL) {
		free(bits);
		return NULL;
	}
	for (y = 0; y < ht; y++)
		for (x = 0; x < wd; x++) {
			v = b[y * stride + x / 8] >> (7 - x % 8) & 1;
			out[y * wd + x] = (unsigned char)((v ^ inverted) ? 255 :
			    0);
		}
	free(bits);
	return (char *)out;
}

/* One image XObject: handed to fn if it is one we read. 1: stop. */
static int
one_image(struct walk *w, qpdf_oh x, int page, pdfin_image_fn fn, void *ctx,
    int *seen)
{
	qpdf_data q = w->q;
	qpdf_oh dict = qpdf_oh_get_dict(q, x), parms;
	struct pdfin_image img;
	const char *filter;
	unsigned char *raw = NULL;
	char *data = NULL;
	size_t rlen = 0, dlen = 0, stride;
	long long wd, ht, pred, bpc;
	int stop = 0;

	memset(&img, 0, sizeof(img));
	wd = dict_int(q, dict, "/Width", 0);
	ht = dict_int(q, dict, "/Height", 0);
	if (wd <= 0 || ht <= 0 || wd > 100000 || ht > 100000 ||
	    (unsigned long long)(wd * ht) > PDFIN_IMAGE_PIXELS_MAX ||
	    (filter = image_filter(q, dict)) == NULL ||
	    qpdf_oh_is_bool(q, qpdf_oh_get_key(q, dict, "/ImageMask")))
		return 0;
	img.page = page;
	img.width = (int)wd;
	img.height = (int)ht;
	img.ncomp = image_ncomp(q, qpdf_oh_get_key(q, dict, "/ColorSpace"));
	if (strcmp(filter, "/DCTDecode") == 0) {
		if (qpdf_oh_get_stream_data(q, x, qpdf_dl_none, NULL, &raw,
		    &rlen) & QPDF_ERRORS) {
			free(raw);
			return 0;
		}
		if (spend(w, rlen) != HS_OK) {
			free(raw);
			w->rc = HS_ERR_TOOBIG;
			return 1;
		}
		img.dct = true;
		img.data = raw;
		img.len = rlen;
	} else {
		bpc = dict_int(q, dict, "/BitsPerComponent", 0);
		if (img.ncomp == 0 || (bpc != 8 && !(bpc == 1 &&
		    img.ncomp == 1)))
			return 0;
		stride = bpc == 8 ? (size_t)wd * (size_t)img.ncomp :
		    ((size_t)wd + 7) / 8;
		parms = qpdf_oh_get_key(q, dict, "/DecodeParms");
		if (qpdf_oh_is_array(q, parms) &&
		    qpdf_oh_get_array_n_items(q, parms) == 1)
			parms = qpdf_oh_get_array_item(q, parms, 0);
		pred = dict_int(q, parms, "/Predictor", 1);
		if (pred != 1 && (pred < 10 || pred > 15 ||
		    dict_int(q, parms, "/Colors", 1) != img.ncomp ||
		    dict_int(q, parms, "/BitsPerComponent", 8) != bpc ||
		    dict_int(q, parms, "/Columns", 1) != wd))
			return 0;
		if (stream_inflate(w, x, "image", 1, 1, (pred == 1 ? stride :
		    stride + 1) * (size_t)ht, &data, &dlen) != HS_OK) {
			if (w->file.used > w->file.limit ||
			    (w->shared != NULL && w->shared->used >
			    w->shared->limit)) {
				w->rc = HS_ERR_TOOBIG;
				return 1;
			}
			return 0;
		}
		if (pred != 1 && !png_unpredict((unsigned char *)data, dlen,
		    stride, (size_t)ht, bpc == 8 ? img.ncomp : 1)) {
			free(data);
			return 0;
		}
		if (pred != 1)
			dlen = stride * (size_t)ht;
		if (dlen != stride * (size_t)ht) {
			free(data);
			return 0;
		}
		if (bpc == 1 && (data = expand_bits(w, data, (size_t)wd,
		    (size_t)ht, stride, decode_inverted(q, dict))) == NULL)
			return w->rc != HS_OK ? 1 : 0;
		img.data = (const unsigned char *)data;
		img.len = bpc == 1 ? (size_t)wd * (size_t)ht : dlen;
	}
	(*seen)++;
	stop = fn(ctx, &img);
	free(raw);
	free(data);
	return stop;
}

enum hs_err
pdfin_images(const void *pdf, size_t len, struct pdfin_budget *shared,
    pdfin_image_fn fn, void *ctx, int *seen, char *err)
{
	qpdf_data q = NULL;
	struct walk *w = NULL;
	enum hs_err rc;
	char names[PDFIN_IMAGES_MAX][128];
	int i, k, n, npages, looked = 0, stop = 0;

	*seen = 0;
	if ((rc = walk_open(pdf, len, shared, PDFIN_SCAN_DECODE_MAX, &w, &q,
	    err)) != HS_OK)
		goto out;
	npages = qpdf_get_num_pages(q);
	if (npages > PAGES_MAX)
		npages = PAGES_MAX;
	for (i = 0; i < npages && !stop && looked < PDFIN_IMAGES_MAX; i++) {
		qpdf_oh page = qpdf_get_page_n(q, (size_t)i);
		qpdf_oh xo = qpdf_oh_get_key(q, page_resources(q, page),
		    "/XObject");

		if (!qpdf_oh_is_dictionary(q, xo))
			continue;
		/* The names first: fn may use qpdf, which ends the walk. */
		n = 0;
		qpdf_oh_begin_dict_key_iter(q, xo);
		while (qpdf_oh_dict_more_keys(q) && n < PDFIN_IMAGES_MAX)
			snprintf(names[n++], sizeof(names[0]), "%s",
			    qpdf_oh_dict_next_key(q));
		for (k = 0; k < n && !stop && looked < PDFIN_IMAGES_MAX; k++) {
			qpdf_oh x = qpdf_oh_get_key(q, xo, names[k]);

			if (!qpdf_oh_is_stream(q, x) ||
			    !qpdf_oh_is_name_and_equals(q, qpdf_oh_get_key(q,
			    qpdf_oh_get_dict(q, x), "/Subtype"), "/Image"))
				continue;
			looked++;
			stop = one_image(w, x, i + 1, fn, ctx, seen);
		}
	}
	if (w->rc == HS_ERR_TOOBIG) {
		rc = hs_fail(err, HS_ERR_TOOBIG, "decoded content exceeds "
		    "the budget (%llu MB)", (unsigned long long)
		    (w->file.limit >> 20));
		goto out;
	}
	rc = HS_OK;
out:
	if (q != NULL)
		qpdf_cleanup(&q);
	free(w);
	return rc;
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
	if ((rc = walk_open(pdf, len, shared, PDFIN_DECODE_MAX, &w, &q,
	    err)) != HS_OK)
		goto out;
	w->out = out;
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
