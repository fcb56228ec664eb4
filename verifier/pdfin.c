/*
 * pdfin.c - certificate attachments out of a PDF with qpdf (pdfin.h).
 */
#include <stdlib.h>
#include <string.h>

#include <qpdf/qpdf-c.h>
#include <zlib.h>

#include "pdfin.h"

#define TREE_DEPTH 8       /* name-tree levels we follow */
#define TREE_ENTRIES 1000  /* name-tree leaves we look at */

struct walk {
	qpdf_data q;
	struct pdfin *out;
	size_t seen;
	enum hs_err rc;
	char *err;
};

int
pdfin_looks_like_pdf(const void *data, size_t len)
{
	size_t n = len < 1024 ? len : 1024;

	return n >= 5 && memmem(data, n, "%PDF-", 5) != NULL;
}

/* Inflates zlib data into at most PDFIN_ATTACH_MAX bytes. */
static enum hs_err
inflate_bounded(const unsigned char *in, size_t n, char **out, size_t *olen,
    char *err)
{
	z_stream z;
	char *buf;
	size_t cap = PDFIN_ATTACH_MAX + 1;
	int zr;

	*out = NULL;
	buf = malloc(cap);
	if (buf == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK) {
		free(buf);
		return hs_fail(err, HS_ERR_NOMEM, "zlib init failed");
	}
	z.next_in = (unsigned char *)in;
	z.avail_in = (uInt)(n > 0xffffffffu ? 0xffffffffu : n);
	z.next_out = (unsigned char *)buf;
	z.avail_out = (uInt)(cap - 1);
	zr = inflate(&z, Z_FINISH);
	inflateEnd(&z);
	if (zr != Z_STREAM_END) {
		free(buf);
		if (zr == Z_BUF_ERROR && z.avail_out == 0)
			return hs_fail(err, HS_ERR_TOOBIG, "attachment decodes "
			    "to more than %u bytes", PDFIN_ATTACH_MAX);
		return hs_fail(err, HS_ERR_FORMAT, "attachment: bad "
		    "compressed data");
	}
	*olen = z.total_out;
	buf[*olen] = '\0';
	*out = buf;
	return HS_OK;
}

/* The decoded bytes of an embedded file stream. */
static enum hs_err
stream_bytes(qpdf_data q, qpdf_oh st, char **out, size_t *olen, char *err)
{
	qpdf_oh dict, filter;
	unsigned char *raw = NULL;
	size_t rlen = 0;
	int flate = 0;
	enum hs_err rc;

	*out = NULL;
	dict = qpdf_oh_get_dict(q, st);
	filter = qpdf_oh_get_key(q, dict, "/Filter");
	if (qpdf_oh_is_name(q, filter)) {
		if (strcmp(qpdf_oh_get_name(q, filter), "/FlateDecode") != 0)
			return hs_fail(err, HS_ERR_FORMAT, "attachment uses an "
			    "unsupported filter");
		flate = 1;
	} else if (qpdf_oh_is_array(q, filter)) {
		qpdf_oh f0;

		if (qpdf_oh_get_array_n_items(q, filter) != 1)
			return hs_fail(err, HS_ERR_FORMAT, "attachment uses "
			    "chained filters");
		f0 = qpdf_oh_get_array_item(q, filter, 0);
		if (!qpdf_oh_is_name(q, f0) ||
		    strcmp(qpdf_oh_get_name(q, f0), "/FlateDecode") != 0)
			return hs_fail(err, HS_ERR_FORMAT, "attachment uses an "
			    "unsupported filter");
		flate = 1;
	} else if (!qpdf_oh_is_null(q, filter)) {
		return hs_fail(err, HS_ERR_FORMAT, "attachment has a bad "
		    "/Filter");
	}
	if (qpdf_oh_has_key(q, dict, "/DecodeParms") &&
	    !qpdf_oh_is_null(q, qpdf_oh_get_key(q, dict, "/DecodeParms")))
		return hs_fail(err, HS_ERR_FORMAT, "attachment has decode "
		    "parameters");
	if (qpdf_oh_get_stream_data(q, st, qpdf_dl_none, NULL, &raw, &rlen) &
	    QPDF_ERRORS) {
		free(raw);
		return hs_fail(err, HS_ERR_FORMAT, "attachment stream cannot "
		    "be read");
	}
	if (flate) {
		rc = inflate_bounded(raw, rlen, out, olen, err);
		free(raw);
		return rc;
	}
	if (rlen > PDFIN_ATTACH_MAX) {
		free(raw);
		return hs_fail(err, HS_ERR_TOOBIG, "attachment over %u bytes",
		    PDFIN_ATTACH_MAX);
	}
	*out = malloc(rlen + 1);
	if (*out == NULL) {
		free(raw);
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	}
	if (rlen > 0)
		memcpy(*out, raw, rlen);
	(*out)[rlen] = '\0';
	*olen = rlen;
	free(raw);
	return HS_OK;
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
	w->rc = stream_bytes(q, st, dst, dlen, w->err);
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

enum hs_err
pdfin_read(const void *pdf, size_t len, struct pdfin *out, char *err)
{
	qpdf_data q;
	qpdf_oh root, names, ef;
	struct walk w;
	enum hs_err rc;

	memset(out, 0, sizeof(*out));
	if (!pdfin_looks_like_pdf(pdf, len))
		return hs_fail(err, HS_ERR_FORMAT, "not a PDF file");
	q = qpdf_init();
	if (q == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	qpdf_silence_errors(q);
	qpdf_set_suppress_warnings(q, QPDF_TRUE);
	if (qpdf_read_memory(q, "upload", pdf, len, NULL) & QPDF_ERRORS) {
		if (qpdf_has_error(q))
			(void)qpdf_get_error(q);
		rc = hs_fail(err, HS_ERR_FORMAT, "not a readable PDF file");
		goto out;
	}
	root = qpdf_get_root(q);
	names = qpdf_oh_get_key(q, root, "/Names");
	ef = qpdf_oh_get_key(q, names, "/EmbeddedFiles");
	memset(&w, 0, sizeof(w));
	w.q = q;
	w.out = out;
	w.rc = HS_OK;
	w.err = err;
	walk_node(&w, ef, 0);
	if (qpdf_has_error(q)) {
		(void)qpdf_get_error(q);
		if (w.rc == HS_OK)
			w.rc = hs_fail(err, HS_ERR_FORMAT, "damaged PDF file");
	}
	if ((rc = w.rc) != HS_OK)
		goto out;
	/*
	 * Every page's content must decode: a byte changed inside a
	 * compressed stream breaks its checksum. (Pages are bounded: a
	 * certificate has a handful.)
	 */
	out->npages = qpdf_get_num_pages(q);
	out->pages_ok = out->npages > 0 && out->npages <= 100;
	for (int i = 0; out->pages_ok && i < out->npages; i++) {
		unsigned char *pc = NULL;
		size_t pl = 0;

		if (qpdf_oh_get_page_content_data(q, qpdf_get_page_n(q,
		    (size_t)i), &pc, &pl) & QPDF_ERRORS)
			out->pages_ok = 0;
		free(pc);
	}
	if (qpdf_has_error(q))
		(void)qpdf_get_error(q);
	while (qpdf_more_warnings(q)) {
		/* A damaged stream is reported as a warning. */
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
	qpdf_cleanup(&q);
	if (rc != HS_OK)
		pdfin_free(out);
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
