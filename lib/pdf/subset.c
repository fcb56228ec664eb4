/*
 * subset.c - this module cuts the font subsets a PDF embeds, with
 * HarfBuzz (font.h): each is a small TrueType font holding the glyphs of
 * one face a document uses, renumbered 1..n, deflated, with its ToUnicode
 * CMap. "Static" subsets are cut once per template for the text every
 * certificate of it prints; the rest of a document's glyphs go into
 * "dynamic" subsets cut for that document. A character is in exactly one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdf/pdf_int.h"

/* ------------------------------------------------------------------ */
/* Subset instances: static (per template) and dynamic (per document)   */
/* ------------------------------------------------------------------ */

static void
tag_for(const char *psname, const uint32_t *cps, size_t n, char *base,
    size_t cap)
{
	uint8_t h[32];
	struct buf b;
	char tag[7];
	int i;

	buf_init(&b);
	buf_puts(&b, psname);
	buf_add(&b, cps, n * sizeof(*cps));
	sha256(b.data ? b.data : "", b.len, h);
	buf_free(&b);
	for (i = 0; i < 6; i++)
		tag[i] = (char)('A' + h[i] % 26);
	tag[6] = '\0';
	snprintf(base, cap, "%s+%s", tag, psname);
}

/* The ToUnicode CMap: CID (= subset glyph ID) -> UTF-16BE. */
static void
tounicode(const uint32_t *newgid, const uint32_t *cps, size_t n,
    struct buf *b)
{
	size_t i, k;

	buf_puts(b, "/CIDInit /ProcSet findresource begin\n"
	    "12 dict begin\nbegincmap\n"
	    "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) "
	    "/Supplement 0 >> def\n"
	    "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
	    "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
	for (i = 0; i < n; i += 100) {
		size_t m = n - i < 100 ? n - i : 100;

		buf_printf(b, "%zu beginbfchar\n", m);
		for (k = i; k < i + m; k++) {
			uint32_t c = cps[k];

			buf_putc(b, '<');
			pdf_puthex4(b, newgid[k]);
			buf_puts(b, "> <");
			if (c < 0x10000) {
				pdf_puthex4(b, c);
			} else {
				c -= 0x10000;
				pdf_puthex4(b, 0xD800 + (c >> 10));
				pdf_puthex4(b, 0xDC00 + (c & 0x3FF));
			}
			buf_puts(b, ">\n");
		}
		buf_puts(b, "endbfchar\n");
	}
	buf_puts(b, "endcmap\nCMapName currentdict /CMap defineresource pop\n"
	    "end\nend\n");
}

/*
 * Cuts and deflates one subset: n glyphs (cps[i], gids[i]) of face.
 * Fills newgid[], the deflated font and CMap (caller frees) and base.
 */
static enum hs_err
cut_subset(const struct font_face *face, const uint32_t *cps,
    const uint32_t *gids, size_t n, struct libdeflate_compressor *zc,
    uint32_t *newgid,
    uint8_t **ttf_z, size_t *ttf_zlen, size_t *ttf_len, uint8_t **tu_z,
    size_t *tu_zlen, char *base, size_t basecap, char *err)
{
	struct buf ttf, tu;
	enum hs_err rc;

	*ttf_z = *tu_z = NULL;
	buf_init(&ttf);
	buf_init(&tu);
	if ((rc = font_subset(face, gids, cps, n, &ttf, newgid, err)))
		goto out;
	*ttf_len = ttf.len;
	if ((rc = pdf_deflate(zc, ttf.data, ttf.len, ttf_z, ttf_zlen, err)))
		goto out;
	tounicode(newgid, cps, n, &tu);
	if (tu.oom) {
		rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = pdf_deflate(zc, tu.data, tu.len, tu_z, tu_zlen, err)))
		goto out;
	tag_for(font_face_psname(face), cps, n, base, basecap);
out:
	if (rc != HS_OK) {
		free(*ttf_z);
		free(*tu_z);
		*ttf_z = *tu_z = NULL;
	}
	buf_free(&ttf);
	buf_free(&tu);
	return rc;
}

void
pdf_sinst_free(struct sinst *s)
{
	if (s == NULL)
		return;
	free(s->cps);
	free(s->newgid);
	free(s->adv);
	free(s->ttf_z);
	free(s->tu_z);
	free(s);
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The characters every document of the template prints (literal text of
 * unconditional elements on the first, last or all pages; table headings),
 * per face.
 */
enum hs_err
pdf_build_static(struct pdf_renderer *r, struct tpl *t, char *err)
{
	struct pdf_map set = { 0 };
	struct libdeflate_compressor *zc = NULL;
	uint32_t *gids = NULL;
	enum hs_err rc = HS_OK;
	size_t i, k, f;

	for (i = 0; i < t->nels && rc == HS_OK; i++) {
		struct element *el = &t->els[i];

		/* Every document has a first and a last page. */
		if (el->when != WHEN_ALWAYS || (el->on != ON_ALL &&
		    el->on != ON_FIRST && el->on != ON_LAST))
			continue;
		for (k = 0; k < el->nspans && rc == HS_OK; k++)
			rc = pdf_scan_literal(r, t, el->spans[k].text,
			    el->spans[k].role, "static", &set, true, err);
		if (el->type == EL_SEAL && rc == HS_OK)
			rc = pdf_scan_literal(r, t, el->bottom, el->role,
			    "static", &set, true, err);
	}
	for (i = 0; i < t->table.ncols && rc == HS_OK; i++)
		rc = pdf_scan_literal(r, t, t->table.cols[i].title,
		    t->table.header_role, "static", &set, false, err);
	/* Both status words: every annual certificate prints one. */
	for (i = 0; i < t->nroles && rc == HS_OK; i++) {
		if (!(t->label_roles[LBL_STATUS] & 1u << i))
			continue;
		rc = pdf_scan_literal(r, t, t->met, (int)i, "static", &set,
		    false, err);
		if (rc == HS_OK)
			rc = pdf_scan_literal(r, t, t->unmet, (int)i, "static",
			    &set, false, err);
	}
	if (rc != HS_OK)
		goto out;

	for (f = 0; f < r->nfaces; f++) {
		struct sinst *s;
		struct pdf_map seen = { 0 };
		size_t n = 0;

		for (i = 0; i < set.cap; i++)
			if (set.vals[i] != 0 && set.keys[i] >> 32 == f)
				n++;
		/* A few glyphs are cheaper in the document's own subset. */
		if (n < STATIC_MIN)
			continue;
		if ((s = calloc(1, sizeof(*s))) == NULL ||
		    (s->cps = calloc(n, sizeof(*s->cps))) == NULL ||
		    (s->newgid = calloc(n, sizeof(*s->newgid))) == NULL ||
		    (s->adv = calloc(n, sizeof(*s->adv))) == NULL ||
		    (gids = calloc(n, sizeof(*gids))) == NULL) {
			pdf_sinst_free(s);
			rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
			goto out;
		}
		s->face = (int)f;
		for (i = 0; i < set.cap; i++)
			if (set.vals[i] != 0 && set.keys[i] >> 32 == f)
				s->cps[s->n++] = (uint32_t)set.keys[i];
		qsort(s->cps, s->n, sizeof(*s->cps), cmp_u32);
		/*
		 * Two characters drawn by one glyph would share one ToUnicode
		 * entry; the second is left to the dynamic subsets.
		 */
		for (i = k = 0; i < s->n; i++) {
			uint32_t g = 0, dummy;

			pdf_map_get(&set, (uint64_t)f << 32 | s->cps[i], &g);
			if (pdf_map_get(&seen, g, &dummy))
				continue;
			if (!pdf_map_put(&seen, g, s->cps[i])) {
				pdf_map_free(&seen);
				pdf_sinst_free(s);
				rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
				goto out;
			}
			s->cps[k] = s->cps[i];
			gids[k] = g;
			s->adv[k] = font_face_advance(r->faces[f], g);
			k++;
		}
		s->n = k;
		pdf_map_free(&seen);
		if (zc == NULL &&
		    (zc = libdeflate_alloc_compressor(Z_STATIC)) == NULL) {
			pdf_sinst_free(s);
			rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
			goto out;
		}
		rc = cut_subset(r->faces[f], s->cps, gids, s->n, zc, s->newgid,
		    &s->ttf_z, &s->ttf_zlen, &s->ttf_len, &s->tu_z,
		    &s->tu_zlen, s->base, sizeof(s->base), err);
		free(gids);
		gids = NULL;
		if (rc != HS_OK) {
			pdf_sinst_free(s);
			hs_errprefix(err, "%s", t->file);
			goto out;
		}
		t->statics[f] = s;
	}
out:
	libdeflate_free_compressor(zc);
	free(gids);
	pdf_map_free(&set);
	return rc;
}

static bool
static_find(const struct sinst *s, uint32_t cp, size_t *idx)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (s->cps[mid] == cp) {
			*idx = mid;
			return true;
		}
		if (s->cps[mid] < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* ------------------------------------------------------------------ */
/* Font subsets for the document                                        */
/* ------------------------------------------------------------------ */

void
pdf_dinst_free(struct dinst *in)
{
	if (in->st == NULL) {
		free(in->ttf_z);
		free(in->tu_z);
	}
	free(in->cps);
	free(in->gids);
	free(in->newgid);
	free(in->ents);
	free(in->adv);
}

static int
new_inst(struct doc *d, int face, const struct sinst *st)
{
	struct dinst *in;

	if (d->ninsts == MAX_INSTS)
		return -1;
	in = &d->insts[d->ninsts];
	memset(in, 0, sizeof(*in));
	in->face = face;
	in->st = st;
	snprintf(in->res, sizeof(in->res), "HS%zu", d->ninsts + 1);
	return (int)d->ninsts++;
}

static bool
inst_add(struct dinst *in, uint32_t cp, uint32_t gid, int adv, uint32_t e)
{
	if (in->n == in->cap) {
		size_t nc = in->cap ? in->cap * 2 : 64;
		uint32_t *a = realloc(in->cps, nc * sizeof(*a));

		if (a == NULL)
			return false;
		in->cps = a;
		if ((a = realloc(in->gids, nc * sizeof(*a))) == NULL)
			return false;
		in->gids = a;
		if ((a = realloc(in->newgid, nc * sizeof(*a))) == NULL)
			return false;
		in->newgid = a;
		if ((a = realloc(in->ents, nc * sizeof(*a))) == NULL)
			return false;
		in->ents = a;
		{
			int *b = realloc(in->adv, nc * sizeof(*b));

			if (b == NULL)
				return false;
			in->adv = b;
		}
		in->cap = nc;
	}
	in->cps[in->n] = cp;
	in->gids[in->n] = gid;
	in->adv[in->n] = adv;
	in->ents[in->n] = e;
	in->n++;
	return true;
}

static int
cmp_ent_cp(const void *a, const void *b, void *ctx)
{
	const struct gent *ents = ctx;
	uint32_t x = ents[*(const uint32_t *)a].cp;
	uint32_t y = ents[*(const uint32_t *)b].cp;

	return x < y ? -1 : x > y;
}

/* Puts every collected glyph into a static or a new dynamic subset. */
enum hs_err
pdf_make_subsets(struct doc *d)
{
	int static_inst[MAX_FACES];
	uint32_t *order = NULL;
	size_t i, k;
	enum hs_err rc = HS_OK;

	for (i = 0; i < MAX_FACES; i++)
		static_inst[i] = -1;
	/* Code point order, so that subsets do not depend on layout order. */
	if ((order = malloc((d->nents + 1) * sizeof(*order))) == NULL)
		return pdf_oom(d);
	for (i = 0; i < d->nents; i++)
		order[i] = (uint32_t)i;
	qsort_r(order, d->nents, sizeof(*order), cmp_ent_cp, d->ents);

	for (k = 0; k < d->nents; k++) {
		struct gent *e = &d->ents[order[k]];
		const struct sinst *st = d->t->statics[e->face];
		size_t si;
		int in;

		if (st != NULL && static_find(st, e->cp, &si)) {
			if (static_inst[e->face] < 0 &&
			    (static_inst[e->face] = new_inst(d, e->face, st)) < 0)
				goto toomany;
			e->inst = static_inst[e->face];
			e->newgid = st->newgid[si];
			continue;
		}
		/* First dynamic subset of this face where gid is free. */
		for (in = 0; in < (int)d->ninsts; in++) {
			uint32_t cp;

			if (d->insts[in].face != e->face || d->insts[in].st)
				continue;
			if (!pdf_map_get(&d->conflict,
			    (uint64_t)in << 32 | e->gid, &cp) || cp == e->cp)
				break;
		}
		if (in == (int)d->ninsts && (in = new_inst(d, e->face, NULL)) <
		    0)
			goto toomany;
		if (!pdf_map_put(&d->conflict, (uint64_t)in << 32 | e->gid,
		    e->cp) ||
		    !inst_add(&d->insts[in], e->cp, e->gid, e->adv, order[k])) {
			rc = pdf_oom(d);
			goto out;
		}
		e->inst = in;
	}
	for (i = 0; i < d->ninsts; i++) {
		struct dinst *in = &d->insts[i];

		if (in->st != NULL) {
			in->ttf_z = in->st->ttf_z;
			in->ttf_zlen = in->st->ttf_zlen;
			in->ttf_len = in->st->ttf_len;
			in->tu_z = in->st->tu_z;
			in->tu_zlen = in->st->tu_zlen;
			snprintf(in->base, sizeof(in->base), "%s",
			    in->st->base);
			continue;
		}
		if ((rc = cut_subset(d->r->faces[in->face], in->cps, in->gids,
		    in->n, d->zc, in->newgid, &in->ttf_z, &in->ttf_zlen,
		    &in->ttf_len, &in->tu_z, &in->tu_zlen, in->base,
		    sizeof(in->base), d->err)))
			goto out;
		for (k = 0; k < in->n; k++)
			d->ents[in->ents[k]].newgid = in->newgid[k];
	}
	goto out;
toomany:
	rc = hs_fail(d->err, HS_ERR_TOOBIG, "more than %d font subsets",
	    MAX_INSTS);
out:
	free(order);
	return rc;
}
