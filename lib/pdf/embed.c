/*
 * embed.c - this module builds the libharu objects hourseal writes itself:
 * the Type0/CIDFontType2 font of every subset (already deflated, with its
 * widths and ToUnicode map), the page content stream (written as the
 * pages are drawn, deflated here with libdeflate), the attached note and
 * receipt (from memory), and the document information (UTF-16 strings).
 * libharu's public API cannot make these as they must be, so this is the
 * one file that includes its internal headers and touches its structures;
 * everything else uses <hpdf.h>.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpdf.h>
#include <hpdf_catalog.h>
#include <hpdf_doc.h>
#include <hpdf_namedict.h>
#include <hpdf_objects.h>
#include <hpdf_pages.h>
#include <hpdf_streams.h>

#include "pdf/pdf_int.h"

/* ------------------------------------------------------------------ */
/* Fonts and page content                                               */
/* ------------------------------------------------------------------ */

enum hs_err
pdf_flush_ops(struct doc *d)
{
	HPDF_PageAttr attr = (HPDF_PageAttr)d->hpage->attr;

	if (d->ops.oom)
		return pdf_oom(d);
	if (d->ops.len > 0 && HPDF_Stream_Write(attr->stream,
	    (const HPDF_BYTE *)d->ops.data, (HPDF_UINT)d->ops.len) != HPDF_OK)
		return hs_fail(d->err, HS_ERR_NOMEM, "libharu: cannot write "
		    "page content (error 0x%04X)", (unsigned)d->herr);
	buf_reset(&d->ops);
	return HS_OK;
}

/* Writes "/Filter /FlateDecode" into a stream dictionary whose data is
 * already deflated (libharu would otherwise drop or redo the filter). */
static HPDF_STATUS
write_flate(HPDF_Dict obj, HPDF_Stream stream)
{
	(void)obj;
	return HPDF_Stream_WriteStr(stream, "/Filter /FlateDecode\012");
}

static HPDF_Dict
deflated_stream(struct doc *d, const uint8_t *z, size_t zlen)
{
	HPDF_Dict s = HPDF_DictStream_New(d->pdf->mmgr, d->pdf->xref);

	if (s == NULL)
		return NULL;
	s->filter = HPDF_STREAM_FILTER_NONE;
	s->write_fn = write_flate;
	if (HPDF_Stream_Write(s->stream, z, (HPDF_UINT)zlen) != HPDF_OK)
		return NULL;
	return s;
}

/* The W array: widths of the used glyphs, by subset glyph ID. */
static HPDF_Array
widths(struct doc *d, const uint32_t *newgid, const int *adv, size_t n)
{
	HPDF_MMgr mm = d->pdf->mmgr;
	HPDF_Array w = HPDF_Array_New(mm), run = NULL;
	uint32_t *ord = NULL;
	size_t i;
	long prev = -2;

	if (w == NULL || (ord = malloc((n + 1) * sizeof(*ord))) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		ord[i] = (uint32_t)i;
	/* Insertion sort by new glyph ID: n is small and mostly sorted. */
	for (i = 1; i < n; i++) {
		uint32_t v = ord[i];
		size_t j = i;

		while (j > 0 && newgid[ord[j - 1]] > newgid[v]) {
			ord[j] = ord[j - 1];
			j--;
		}
		ord[j] = v;
	}
	for (i = 0; i < n; i++) {
		uint32_t g = newgid[ord[i]];

		/* Full-width glyphs have the default width (DW 1000). */
		if (adv[ord[i]] == 1000) {
			run = NULL;
			continue;
		}
		if ((long)g != prev + 1 || run == NULL) {
			HPDF_Array_AddNumber(w, (HPDF_INT32)g);
			run = HPDF_Array_New(mm);
			if (run == NULL || HPDF_Array_Add(w, run) != HPDF_OK) {
				free(ord);
				return NULL;
			}
		}
		HPDF_Array_AddNumber(run, adv[ord[i]]);
		prev = (long)g;
	}
	free(ord);
	return w;
}

/*
 * Deflates the finished page's content stream here rather than letting
 * libharu do it with zlib at save time.
 */
enum hs_err
pdf_finish_page(struct doc *d)
{
	HPDF_PageAttr attr = (HPDF_PageAttr)d->hpage->attr;
	HPDF_UINT32 n = attr->stream->size, got = n;
	uint8_t *raw = NULL, *z = NULL;
	size_t zlen;
	enum hs_err rc;

	if ((raw = malloc(n ? n : 1)) == NULL)
		return pdf_oom(d);
	if (HPDF_Stream_Seek(attr->stream, 0, HPDF_SEEK_SET) != HPDF_OK ||
	    (HPDF_Stream_Read(attr->stream, raw, &got) != HPDF_OK &&
	    got != n) || got != n) {
		rc = hs_fail(d->err, HS_ERR_NOMEM, "libharu: cannot read the "
		    "page content back");
		goto out;
	}
	if ((rc = pdf_deflate(d->zc, raw, n, &z, &zlen, d->err)))
		goto out;
	HPDF_MemStream_FreeData(attr->stream);
	if (HPDF_Stream_Write(attr->stream, z, (HPDF_UINT)zlen) != HPDF_OK) {
		rc = hs_fail(d->err, HS_ERR_NOMEM, "libharu: cannot write the "
		    "page content");
		goto out;
	}
	attr->contents->filter = HPDF_STREAM_FILTER_NONE;
	attr->contents->write_fn = write_flate;
out:
	free(raw);
	free(z);
	return rc;
}

enum hs_err
pdf_emit_font(struct doc *d, struct dinst *in)
{
	HPDF_MMgr mm = d->pdf->mmgr;
	HPDF_Xref xref = d->pdf->xref;
	HPDF_Dict type0, cid, desc, sysinfo, ff, tu;
	HPDF_Array desc_fonts, bbox, w;
	struct font_metrics m;
	HPDF_STATUS st = HPDF_OK;
	const uint32_t *newgid = in->st ? in->st->newgid : in->newgid;
	const int *adv = in->st ? in->st->adv : in->adv;
	size_t n = in->st ? in->st->n : in->n;

	font_face_metrics(d->r->faces[in->face], &m);
	type0 = HPDF_Dict_New(mm);
	if (type0 == NULL || HPDF_Xref_Add(xref, type0) != HPDF_OK)
		goto fail;
	cid = HPDF_Dict_New(mm);
	if (cid == NULL || HPDF_Xref_Add(xref, cid) != HPDF_OK)
		goto fail;
	desc = HPDF_Dict_New(mm);
	if (desc == NULL || HPDF_Xref_Add(xref, desc) != HPDF_OK)
		goto fail;
	if ((ff = deflated_stream(d, in->ttf_z, in->ttf_zlen)) == NULL ||
	    (tu = deflated_stream(d, in->tu_z, in->tu_zlen)) == NULL)
		goto fail;
	if ((desc_fonts = HPDF_Array_New(mm)) == NULL ||
	    (bbox = HPDF_Array_New(mm)) == NULL ||
	    (sysinfo = HPDF_Dict_New(mm)) == NULL ||
	    (w = widths(d, newgid, adv, n)) == NULL)
		goto fail;

	st |= HPDF_Dict_AddNumber(ff, "Length1", (HPDF_INT32)in->ttf_len);

	st |= HPDF_Dict_AddName(type0, "Type", "Font");
	st |= HPDF_Dict_AddName(type0, "Subtype", "Type0");
	st |= HPDF_Dict_AddName(type0, "BaseFont", in->base);
	st |= HPDF_Dict_AddName(type0, "Encoding", "Identity-H");
	st |= HPDF_Array_Add(desc_fonts, cid);
	st |= HPDF_Dict_Add(type0, "DescendantFonts", desc_fonts);
	st |= HPDF_Dict_Add(type0, "ToUnicode", tu);

	st |= HPDF_Dict_AddName(cid, "Type", "Font");
	st |= HPDF_Dict_AddName(cid, "Subtype", "CIDFontType2");
	st |= HPDF_Dict_AddName(cid, "BaseFont", in->base);
	st |= HPDF_Dict_Add(sysinfo, "Registry",
	    HPDF_String_New(mm, "Adobe", NULL));
	st |= HPDF_Dict_Add(sysinfo, "Ordering",
	    HPDF_String_New(mm, "Identity", NULL));
	st |= HPDF_Dict_AddNumber(sysinfo, "Supplement", 0);
	st |= HPDF_Dict_Add(cid, "CIDSystemInfo", sysinfo);
	st |= HPDF_Dict_Add(cid, "FontDescriptor", desc);
	st |= HPDF_Dict_AddNumber(cid, "DW", 1000);
	st |= HPDF_Dict_Add(cid, "W", w);
	st |= HPDF_Dict_AddName(cid, "CIDToGIDMap", "Identity");

	st |= HPDF_Dict_AddName(desc, "Type", "FontDescriptor");
	st |= HPDF_Dict_AddName(desc, "FontName", in->base);
	st |= HPDF_Dict_AddNumber(desc, "Flags", 4);   /* symbolic */
	st |= HPDF_Array_AddNumber(bbox, m.bbox[0]);
	st |= HPDF_Array_AddNumber(bbox, m.bbox[1]);
	st |= HPDF_Array_AddNumber(bbox, m.bbox[2]);
	st |= HPDF_Array_AddNumber(bbox, m.bbox[3]);
	st |= HPDF_Dict_Add(desc, "FontBBox", bbox);
	st |= HPDF_Dict_AddNumber(desc, "ItalicAngle", m.italic_angle);
	st |= HPDF_Dict_AddNumber(desc, "Ascent", m.ascent);
	st |= HPDF_Dict_AddNumber(desc, "Descent", m.descent);
	st |= HPDF_Dict_AddNumber(desc, "CapHeight", m.cap_height);
	st |= HPDF_Dict_AddNumber(desc, "StemV", 80);
	st |= HPDF_Dict_Add(desc, "FontFile2", ff);
	if (st != HPDF_OK)
		goto fail;
	in->font = type0;
	return HS_OK;
fail:
	return hs_fail(d->err, HS_ERR_NOMEM, "libharu: cannot build font "
	    "%s (error 0x%04X)", in->base, (unsigned)d->herr);
}

/* Puts every subset in the page's /Font resources. */
enum hs_err
pdf_page_fonts(struct doc *d)
{
	HPDF_PageAttr attr = (HPDF_PageAttr)d->hpage->attr;
	HPDF_Dict res, fonts;
	size_t i;

	res = HPDF_Page_GetInheritableItem(d->hpage, "Resources",
	    HPDF_OCLASS_DICT);
	if (res == NULL)
		goto fail;
	if (attr->fonts == NULL) {
		if ((fonts = HPDF_Dict_New(d->pdf->mmgr)) == NULL ||
		    HPDF_Dict_Add(res, "Font", fonts) != HPDF_OK)
			goto fail;
		attr->fonts = fonts;
	}
	for (i = 0; i < d->ninsts; i++)
		if (HPDF_Dict_Add(attr->fonts, d->insts[i].res,
		    d->insts[i].font) != HPDF_OK)
			goto fail;
	return HS_OK;
fail:
	return hs_fail(d->err, HS_ERR_NOMEM, "libharu: cannot set page "
	    "fonts (error 0x%04X)", (unsigned)d->herr);
}

/* ------------------------------------------------------------------ */
/* Attachments and document information                                 */
/* ------------------------------------------------------------------ */

/* A PDF text string: plain if printable ASCII, else UTF-16BE with BOM. */
static void *
text_string(struct doc *d, const char *s)
{
	size_t n = strlen(s), i, o = 2;
	HPDF_BYTE *u;
	void *obj;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7E)
			break;
	if (i == n)
		return HPDF_String_New(d->pdf->mmgr, s, NULL);
	if ((u = malloc(2 + 4 * n)) == NULL)
		return NULL;
	u[0] = 0xFE;
	u[1] = 0xFF;
	for (i = 0; i < n;) {
		uint32_t cp;
		size_t m = utf8_next(s + i, n - i, &cp);

		if (m == 0)
			break;
		i += m;
		if (cp >= 0x10000) {
			uint32_t v = cp - 0x10000, hi = 0xD800 + (v >> 10),
			    lo = 0xDC00 + (v & 0x3FF);

			u[o++] = (HPDF_BYTE)(hi >> 8);
			u[o++] = (HPDF_BYTE)hi;
			u[o++] = (HPDF_BYTE)(lo >> 8);
			u[o++] = (HPDF_BYTE)lo;
		} else {
			u[o++] = (HPDF_BYTE)(cp >> 8);
			u[o++] = (HPDF_BYTE)cp;
		}
	}
	obj = HPDF_Binary_New(d->pdf->mmgr, u, (HPDF_UINT)o);
	free(u);
	return obj;
}

static enum hs_err
attach(struct doc *d, HPDF_NameTree tree, const char *name,
    const char *desc, const char *data, size_t len)
{
	HPDF_MMgr mm = d->pdf->mmgr;
	HPDF_Dict spec, ef, fs, params;
	HPDF_STATUS st = HPDF_OK;

	if ((fs = HPDF_DictStream_New(mm, d->pdf->xref)) == NULL ||
	    (spec = HPDF_Dict_New(mm)) == NULL ||
	    HPDF_Xref_Add(d->pdf->xref, spec) != HPDF_OK ||
	    (ef = HPDF_Dict_New(mm)) == NULL ||
	    (params = HPDF_Dict_New(mm)) == NULL)
		goto fail;
	fs->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
	st |= HPDF_Stream_Write(fs->stream, (const HPDF_BYTE *)data,
	    (HPDF_UINT)len);
	st |= HPDF_Dict_AddName(fs, "Type", "EmbeddedFile");
	st |= HPDF_Dict_AddName(fs, "Subtype", "text/plain");
	st |= HPDF_Dict_AddNumber(params, "Size", (HPDF_INT32)len);
	st |= HPDF_Dict_Add(fs, "Params", params);
	st |= HPDF_Dict_AddName(spec, "Type", "Filespec");
	st |= HPDF_Dict_Add(spec, "F", HPDF_String_New(mm, name, NULL));
	st |= HPDF_Dict_Add(spec, "UF", HPDF_String_New(mm, name, NULL));
	st |= HPDF_Dict_Add(spec, "Desc", text_string(d, desc));
	st |= HPDF_Dict_Add(ef, "F", fs);
	st |= HPDF_Dict_Add(ef, "UF", fs);
	st |= HPDF_Dict_Add(spec, "EF", ef);
	st |= HPDF_NameTree_Add(tree, HPDF_String_New(mm, name, NULL), spec);
	if (st == HPDF_OK)
		return HS_OK;
fail:
	return hs_fail(d->err, HS_ERR_NOMEM, "libharu: cannot attach %s "
	    "(error 0x%04X)", name, (unsigned)d->herr);
}

enum hs_err
pdf_attachments(struct doc *d, const char *note, size_t note_len,
    const char *receipt, size_t receipt_len)
{
	HPDF_NameDict names;
	HPDF_NameTree tree;
	enum hs_err rc;

	if ((names = HPDF_NameDict_New(d->pdf->mmgr, d->pdf->xref)) == NULL ||
	    HPDF_Catalog_SetNames(d->pdf->catalog, names) != HPDF_OK ||
	    (tree = HPDF_NameTree_New(d->pdf->mmgr, d->pdf->xref)) == NULL ||
	    HPDF_NameDict_SetNameTree(names, HPDF_NAME_EMBEDDED_FILES, tree) !=
	    HPDF_OK)
		return hs_fail(d->err, HS_ERR_NOMEM, "libharu: cannot create "
		    "the attachment list (error 0x%04X)", (unsigned)d->herr);
	/* Name trees are sorted: "certificate.note" < "certificate.proof". */
	if ((rc = attach(d, tree, PDF_ATTACH_NOTE, "Signed certificate note "
	    "(c2sp.org/signed-note) / 签名证书", note, note_len)))
		return rc;
	if (receipt != NULL && receipt_len > 0 &&
	    (rc = attach(d, tree, PDF_ATTACH_PROOF, "Ledger inclusion receipt "
	    "(c2sp.org/tlog-proof@v1) / 账本收据", receipt, receipt_len)))
		return rc;
	return HS_OK;
}

enum hs_err
pdf_doc_info(struct doc *d)
{
	HPDF_Date date;
	HPDF_STATUS st = HPDF_OK;
	int y, mo, dd, hh, mi, ss;

	memset(&date, 0, sizeof(date));
	if (sscanf(d->c->issued, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &dd, &hh,
	    &mi, &ss) == 6 && hh < 24 && mi < 60 && ss < 60) {
		date.year = y;
		date.month = mo;
		date.day = dd;
		date.hour = hh;
		date.minutes = mi;
		date.seconds = ss;
		date.ind = 'Z';
		st |= HPDF_SetInfoDateAttr(d->pdf, HPDF_INFO_CREATION_DATE,
		    date);
	}
	st |= HPDF_SetInfoAttr(d->pdf, HPDF_INFO_CREATOR, "hourseal");
	st |= HPDF_SetInfoAttr(d->pdf, HPDF_INFO_SUBJECT, d->c->serial);
	if (st == HPDF_OK && d->pdf->info != NULL) {
		st |= HPDF_Dict_Add(d->pdf->info, "Title",
		    text_string(d, d->t->title));
		st |= HPDF_Dict_Add(d->pdf->info, "Author",
		    text_string(d, d->c->issuer));
	}
	if (st != HPDF_OK || d->pdf->info == NULL)
		return hs_fail(d->err, HS_ERR_NOMEM, "libharu: cannot set the "
		    "document information (error 0x%04X)", (unsigned)d->herr);
	return HS_OK;
}
