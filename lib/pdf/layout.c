/*
 * layout.c - this module turns a certificate and a template into lines
 * of positioned glyphs: the field values (checked: UTF-8, no control
 * characters), the expansion of "{field}" text, line breaking with the
 * Chinese rules for what may not begin or end a line, and the records
 * table's row heights and pages. It resolves every character to a face
 * and, in the COLLECT pass, registers the glyphs the subsets need.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdf/pdf_int.h"

/* ------------------------------------------------------------------ */
/* Glyphs                                                               */
/* ------------------------------------------------------------------ */

#define GROW(d, arr, n, cap) do {					\
	if ((n) == (cap)) {						\
		size_t nc_ = (cap) ? (cap) * 2 : 64;			\
		void *np_ = realloc((arr), nc_ * sizeof(*(arr)));	\
		if (np_ == NULL) { (d)->oom = true; break; }		\
		(arr) = np_;						\
		(cap) = nc_;						\
	}								\
} while (0)

/* The glyph entry for cp printed in role; registers it when collecting. */
static enum hs_err
glyph_for(struct doc *d, int role, uint32_t cp, const char *src,
    uint32_t *ent)
{
	const struct role *ro = &d->t->roles[role];
	uint64_t rk = (uint64_t)role << 32 | cp;
	uint32_t gid, e;
	int face;

	if (pdf_map_get(&d->rolemap, rk, ent))
		return HS_OK;
	if (d->mode == EMIT)
		return hs_fail(d->err, HS_ERR_STATE, "%s: U+%04X was not "
		    "collected", src, (unsigned)cp);
	if ((face = pdf_resolve_face(d->r, ro, cp, &gid)) < 0)
		return pdf_missing_char(d->r, ro, cp, src, d->err);
	if (!pdf_map_get(&d->facemap, (uint64_t)face << 32 | cp, &e)) {
		GROW(d, d->ents, d->nents, d->capents);
		if (d->oom)
			return pdf_oom(d);
		e = (uint32_t)d->nents++;
		d->ents[e].face = face;
		d->ents[e].cp = cp;
		d->ents[e].gid = gid;
		d->ents[e].newgid = 0;
		d->ents[e].inst = -1;
		d->ents[e].adv = font_face_advance(d->r->faces[face], gid);
		if (!pdf_map_put(&d->facemap, (uint64_t)face << 32 | cp, e))
			return pdf_oom(d);
	}
	if (!pdf_map_put(&d->rolemap, rk, e))
		return pdf_oom(d);
	*ent = e;
	return HS_OK;
}

/* ------------------------------------------------------------------ */
/* Field values and text expansion                                      */
/* ------------------------------------------------------------------ */

static int
subject_index(const char *s)
{
	int i;

	for (i = 0; i < NSUBJECTS; i++)
		if (strcmp(pdf_subject_keys[i], s) == 0)
			return i;
	return -1;
}

static int
form_index(const char *s)
{
	int i;

	for (i = 0; i < NFORMS; i++)
		if (strcmp(pdf_form_keys[i], s) == 0)
			return i;
	return -1;
}

static enum hs_err
check_value(struct doc *d, const char *s, size_t max, const char *what)
{
	size_t n = strnlen(s, max);

	if (n == max)
		return hs_fail(d->err, HS_ERR_INVALID, "%s: not terminated",
		    what);
	if (!utf8_valid(s, n))
		return hs_fail(d->err, HS_ERR_INVALID, "%s: not valid UTF-8",
		    what);
	if (has_control(s))
		return hs_fail(d->err, HS_ERR_INVALID, "%s: has a control "
		    "character", what);
	return HS_OK;
}

static void
record_dates(const struct doc *d, const struct cert_record *rec,
    char *out, size_t cap)
{
	if (strcmp(rec->start, rec->end) == 0)
		snprintf(out, cap, "%s", rec->start);
	else
		snprintf(out, cap, "%s%s%s", rec->start, d->t->date_sep,
		    rec->end);
}

enum hs_err
pdf_set_values(struct doc *d, const char *base_url)
{
	const struct cert *c = d->c;
	const struct tpl *t = d->t;
	long mt, mp, mr;
	int y, mo, dd;
	char local[21];
	time_t it;
	size_t i;
	enum hs_err rc;

	if ((rc = check_value(d, c->serial, sizeof(c->serial), "serial")) ||
	    (rc = check_value(d, c->issuer, sizeof(c->issuer), "issuer")) ||
	    (rc = check_value(d, c->name, sizeof(c->name), "name")) ||
	    (rc = check_value(d, c->id_masked, sizeof(c->id_masked), "id")) ||
	    (rc = check_value(d, c->unit, sizeof(c->unit), "unit")) ||
	    (rc = check_value(d, c->issued, sizeof(c->issued), "issued")))
		return rc;
	if (c->serial[0] == '\0' || c->name[0] == '\0' ||
	    c->issuer[0] == '\0')
		return hs_fail(d->err, HS_ERR_INVALID, "serial, name and "
		    "issuer must not be empty");
	if (c->nrecords > CERT_MAX_RECORDS || (c->nrecords > 0 &&
	    c->records == NULL))
		return hs_fail(d->err, HS_ERR_INVALID, "bad record list");
	for (i = 0; i < c->nrecords; i++) {
		const struct cert_record *rec = &c->records[i];
		char what[64];

		snprintf(what, sizeof(what), "record %zu", i + 1);
		if ((rc = check_value(d, rec->title, sizeof(rec->title),
		    what)) ||
		    (rc = check_value(d, rec->provider, sizeof(rec->provider),
		    what)) ||
		    (rc = check_value(d, rec->start, sizeof(rec->start),
		    what)) ||
		    (rc = check_value(d, rec->end, sizeof(rec->end), what)) ||
		    (rc = check_value(d, rec->subject, sizeof(rec->subject),
		    what)) ||
		    (rc = check_value(d, rec->form, sizeof(rec->form), what)) ||
		    (rc = check_value(d, rec->stamped_by,
		    sizeof(rec->stamped_by), what)))
			return rc;
		if (subject_index(rec->subject) < 0)
			return hs_fail(d->err, HS_ERR_INVALID, "%s: unknown "
			    "subject \"%s\"", what, rec->subject);
		if (form_index(rec->form) < 0)
			return hs_fail(d->err, HS_ERR_INVALID, "%s: unknown "
			    "form \"%s\"", what, rec->form);
	}

	hours_format(c->public10, d->hours[0]);
	hours_format(c->professional10, d->hours[1]);
	hours_format(c->total10, d->hours[2]);
	hours_format(c->req_total10, d->hours[3]);
	hours_format(c->req_public10, d->hours[4]);
	hours_format(c->req_professional10, d->hours[5]);
	mt = c->req_total10 - c->total10;
	mp = c->req_public10 - c->public10;
	mr = c->req_professional10 - c->professional10;
	hours_format(mt > 0 ? mt : 0, d->miss[0]);
	hours_format(mp > 0 ? mp : 0, d->miss[1]);
	hours_format(mr > 0 ? mr : 0, d->miss[2]);
	snprintf(d->year, sizeof(d->year), "%d", c->year);
	snprintf(d->nrec, sizeof(d->nrec), "%zu", c->nrecords);
	/* The date of issue as the issuer's people read it: in the note's
	 * signed utc-offset; notes without one in UTC, as they were drawn. */
	if (time_parse_rfc3339(c->issued, &it) != 0)
		return hs_fail(d->err, HS_ERR_INVALID, "issued: \"%s\" is not "
		    "an RFC 3339 time", c->issued);
	if (c->has_utc_offset)
		it += (time_t)c->utc_offset;
	time_rfc3339(it, local);
	if (sscanf(local, "%4d-%2d-%2d", &y, &mo, &dd) != 3 ||
	    !date_valid(y, mo, dd))
		return hs_fail(d->err, HS_ERR_INVALID, "issued: \"%s\" is not "
		    "an RFC 3339 time", c->issued);
	snprintf(d->issued, sizeof(d->issued), "%04d-%02d-%02d", y, mo, dd);
	snprintf(d->issued_zh, sizeof(d->issued_zh), "%d年%d月%d日", y, mo,
	    dd);
	if (snprintf(d->url, sizeof(d->url), "%s/c/%s", base_url, c->serial)
	    >= (int)sizeof(d->url))
		return hs_fail(d->err, HS_ERR_TOOBIG, "base URL too long");

	d->vals[F_SERIAL] = c->serial;
	d->vals[F_ISSUER] = c->issuer;
	d->vals[F_YEAR] = d->year;
	d->vals[F_NAME] = c->name;
	d->vals[F_ID] = c->id_masked;
	d->vals[F_UNIT] = c->unit;
	d->vals[F_PUBLIC] = d->hours[0];
	d->vals[F_PROFESSIONAL] = d->hours[1];
	d->vals[F_TOTAL] = d->hours[2];
	d->vals[F_REQ_TOTAL] = d->hours[3];
	d->vals[F_REQ_PUBLIC] = d->hours[4];
	d->vals[F_REQ_PROFESSIONAL] = d->hours[5];
	d->vals[F_STATUS] = c->kind == CERT_ANNUAL ? (c->met ? t->met :
	    t->unmet) : "";
	d->vals[F_MISSING_TOTAL] = d->miss[0];
	d->vals[F_MISSING_PUBLIC] = d->miss[1];
	d->vals[F_MISSING_PROFESSIONAL] = d->miss[2];
	d->vals[F_ISSUED] = d->issued;
	d->vals[F_ISSUED_ZH] = d->issued_zh;
	d->vals[F_URL] = d->url;
	d->vals[F_PAGE] = d->page;
	d->vals[F_PAGES] = d->pages;
	d->vals[F_NRECORDS] = d->nrec;
	if (c->nrecords > 0) {
		const struct cert_record *r0 = &c->records[0];

		hours_format(r0->hours10, d->rhours);
		record_dates(d, r0, d->dates0, sizeof(d->dates0));
		d->vals[F_R_TITLE] = r0->title;
		d->vals[F_R_PROVIDER] = r0->provider;
		d->vals[F_R_SUBJECT] = t->subject[subject_index(r0->subject)];
		d->vals[F_R_FORM] = t->form[form_index(r0->form)];
		d->vals[F_R_START] = r0->start;
		d->vals[F_R_END] = r0->end;
		d->vals[F_R_DATES] = d->dates0;
		d->vals[F_R_HOURS] = d->rhours;
		d->vals[F_R_STAMPED_BY] = r0->stamped_by;
	} else {
		for (i = F_R_TITLE; i <= F_R_STAMPED_BY; i++)
			d->vals[i] = "";
	}
	return HS_OK;
}

struct expand {
	struct doc *d;
	const struct span *sp;
};

static void
add_seg(struct doc *d, const char *s, size_t n, const char *src, int role,
    float size, uint32_t color)
{
	GROW(d, d->segs, d->nsegs, d->capsegs);
	if (d->oom)
		return;
	d->segs[d->nsegs].s = s;
	d->segs[d->nsegs].n = n;
	d->segs[d->nsegs].src = src;
	d->segs[d->nsegs].role = role;
	d->segs[d->nsegs].size = size;
	d->segs[d->nsegs].color = color;
	d->nsegs++;
}

static int
exp_lit(void *ctx, const char *p, size_t n)
{
	struct expand *x = ctx;

	add_seg(x->d, p, n, "template text", x->sp->role, (float)x->sp->size,
	    x->sp->color);
	return 0;
}

static int
exp_fld(void *ctx, int f)
{
	struct expand *x = ctx;
	const char *v = x->d->vals[f];

	if (v[0] == '\0')
		v = x->d->t->empty;
	add_seg(x->d, v, strlen(v), pdf_field_names[f], x->sp->role,
	    (float)x->sp->size, x->sp->color);
	return 0;
}

/* Expands text templates into d->segs (reset first). */
enum hs_err
pdf_expand_spans(struct doc *d, const struct span *spans, size_t n)
{
	char msg[HS_ERRLEN];
	size_t i;

	d->nsegs = 0;
	for (i = 0; i < n; i++) {
		struct expand x = { d, &spans[i] };

		/* Checked when the template was loaded; cannot fail here. */
		if (pdf_tmpl_walk(spans[i].text, &x, exp_lit, exp_fld, msg) !=
		    0)
			return hs_fail(d->err, HS_ERR_STATE, "%s", msg);
	}
	return d->oom ? pdf_oom(d) : HS_OK;
}

/* ------------------------------------------------------------------ */
/* Layout: line breaking                                                */
/* ------------------------------------------------------------------ */

static bool
is_break_space(uint32_t cp)
{
	return cp == ' ' || cp == 0x3000;
}

static bool
is_word(uint32_t cp)
{
	return (cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z') ||
	    (cp >= 'a' && cp <= 'z') || cp == '-' || cp == '.' ||
	    cp == '/' || cp == ':' || cp == '@' || cp == '_' || cp == '*' ||
	    cp == '%' || cp == '+' || cp == '\'' || (cp >= 0xC0 &&
	    cp < 0x2000 && cp != 0xD7 && cp != 0xF7);
}

/* Characters that must not begin a line (Chinese line-breaking rules). */
static bool
no_start(uint32_t cp)
{
	static const uint32_t s[] = { 0xFF0C, 0x3002, 0x3001, 0xFF1B, 0xFF1A,
		0xFF1F, 0xFF01, 0xFF09, 0x300B, 0x300D, 0x300F, 0x3011,
		0x2019, 0x201D, ',', '.', ';', ':', '?', '!', ')', ']',
		0xFF0E, 0x2026, 0x00B7 };
	size_t i;

	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		if (s[i] == cp)
			return true;
	return false;
}

static bool
no_end(uint32_t cp)
{
	return cp == 0xFF08 || cp == 0x300A || cp == 0x300C || cp == 0x300E ||
	    cp == 0x3010 || cp == 0x2018 || cp == 0x201C || cp == '(' ||
	    cp == '[';
}

static void
push_line(struct doc *d, size_t first, size_t end)
{
	struct line *l;
	size_t k;
	float x0;

	/* Trailing spaces do not count for alignment. */
	while (end > first && is_break_space(d->ents[d->gl[end - 1].ent].cp))
		end--;
	GROW(d, d->lines, d->nlines, d->caplines);
	if (d->oom)
		return;
	l = &d->lines[d->nlines++];
	l->first = first;
	l->n = end - first;
	l->w = 0;
	l->size = 0;
	x0 = end > first ? d->gl[first].x : 0;
	for (k = first; k < end; k++) {
		d->gl[k].x -= x0;
		if (d->gl[k].size > l->size)
			l->size = d->gl[k].size;
	}
	if (end > first) {
		struct pglyph *g = &d->gl[end - 1];

		l->w = g->x + d->ents[g->ent].adv * g->size / 1000.0f;
	}
}

/*
 * Lays d->segs out into lines at most width pt wide (0: no limit).
 * Appends to d->gl / d->lines (reset first). Glyphs are registered in
 * COLLECT mode; a character without a font fails here, naming its source.
 */
enum hs_err
pdf_layout(struct doc *d, float width)
{
	size_t s, line_start, brk = 0;
	bool have_brk = false;
	float x = 0;
	uint32_t prev = 0;
	enum hs_err rc;

	d->ngl = d->nlines = 0;
	line_start = 0;
	for (s = 0; s < d->nsegs; s++) {
		const struct seg *sg = &d->segs[s];
		size_t k = 0, m;
		uint32_t cp, e;

		while (k < sg->n) {
			struct pglyph *g;
			float adv;

			if ((m = utf8_next(sg->s + k, sg->n - k, &cp)) == 0)
				return hs_fail(d->err, HS_ERR_INVALID,
				    "%s: not valid UTF-8", sg->src);
			k += m;
			if (cp == '\n') {
				push_line(d, line_start, d->ngl);
				line_start = d->ngl;
				x = 0;
				have_brk = false;
				prev = 0;
				continue;
			}
			if ((rc = glyph_for(d, sg->role, cp, sg->src, &e)))
				return rc;
			adv = d->ents[e].adv * sg->size / 1000.0f +
			    d->spacing * sg->size;
			/* A break is allowed before cp? */
			if (d->ngl > line_start && prev != 0 &&
			    !no_start(cp) && !no_end(prev) &&
			    (is_break_space(prev) || !(is_word(prev) &&
			    is_word(cp)))) {
				brk = d->ngl;
				have_brk = true;
			}
			if (width > 0 && d->ngl > line_start &&
			    x + adv > width + 0.01f && !is_break_space(cp)) {
				size_t cut = have_brk ? brk : d->ngl;
				size_t j;

				push_line(d, line_start, cut);
				line_start = cut;
				/* Spaces at the start of a wrapped line go. */
				while (line_start < d->ngl && is_break_space(
				    d->ents[d->gl[line_start].ent].cp))
					line_start++;
				x = 0;
				for (j = line_start; j < d->ngl; j++) {
					d->gl[j].x = x;
					x += d->ents[d->gl[j].ent].adv *
					    d->gl[j].size / 1000.0f +
					    d->spacing * d->gl[j].size;
				}
				have_brk = false;
			}
			GROW(d, d->gl, d->ngl, d->capgl);
			if (d->oom)
				return pdf_oom(d);
			g = &d->gl[d->ngl++];
			g->ent = e;
			g->x = x;
			g->size = sg->size;
			g->color = sg->color;
			x += adv;
			prev = cp;
		}
	}
	if (d->ngl > line_start || d->nlines == 0)
		push_line(d, line_start, d->ngl);
	return d->oom ? pdf_oom(d) : HS_OK;
}

/* ------------------------------------------------------------------ */
/* The records table: row heights and pages                            */
/* ------------------------------------------------------------------ */

/* The segments of one cell. */
static void
cell_segs(struct doc *d, size_t ri, const struct column *col)
{
	const struct cert_record *rec = &d->c->records[ri];
	const struct table *tb = &d->t->table;
	const char *s = "", *what = "";
	float size = (float)tb->size;

	d->nsegs = 0;
	switch (col->field) {
	case C_INDEX:
		snprintf(d->idx, sizeof(d->idx), "%zu", ri + 1);
		s = d->idx;
		what = "index";
		break;
	case C_SUBJECT:
		s = d->t->subject[subject_index(rec->subject)];
		what = "subject";
		break;
	case C_FORM:
		s = d->t->form[form_index(rec->form)];
		what = "form";
		break;
	case C_TITLE:
		s = rec->title;
		what = "title";
		break;
	case C_PROVIDER:
		s = rec->provider;
		what = "provider";
		break;
	case C_START:
		s = rec->start;
		what = "start";
		break;
	case C_END:
		s = rec->end;
		what = "end";
		break;
	case C_DATES:
		record_dates(d, rec, d->rdates, sizeof(d->rdates));
		s = d->rdates;
		what = "dates";
		break;
	case C_HOURS:
		hours_format(rec->hours10, d->chours);
		s = d->chours;
		what = "hours";
		break;
	case C_COUNT:
		break;
	}
	if (s[0] == '\0')
		s = d->t->empty;
	snprintf(d->srcbuf, sizeof(d->srcbuf), "record %zu %s", ri + 1, what);
	add_seg(d, s, strlen(s), d->srcbuf, col->role, size,
	    tb->text_color);
	/* Who stamped it, on a line of its own (only notes that say so). */
	if (col->stamped_label != NULL && rec->stamped_by[0] != '\0') {
		add_seg(d, "\n", 1, d->srcbuf, col->role, size,
		    tb->text_color);
		if (col->stamped_label[0] != '\0')
			add_seg(d, col->stamped_label,
			    strlen(col->stamped_label), "stamped_by label",
			    col->role, (float)col->stamped_size,
			    col->stamped_color);
		snprintf(d->srcbuf2, sizeof(d->srcbuf2), "record %zu stamped "
		    "by", ri + 1);
		add_seg(d, rec->stamped_by, strlen(rec->stamped_by),
		    d->srcbuf2, col->role, (float)col->stamped_size,
		    col->stamped_color);
	}
}

float
pdf_line_gap(const struct table *tb, float size)
{
	return size * (float)tb->leading;
}

float
pdf_cell_block(const struct doc *d, const struct table *tb, float size)
{
	float h = 0;
	size_t i;

	/* Cells of one size (every cell before the stamped-by line). */
	for (i = 0; i < d->nlines; i++)
		if (d->lines[i].size > 0 && d->lines[i].size != size)
			break;
	if (i == d->nlines)
		return (float)d->nlines * pdf_line_gap(tb, size);
	/* A smaller line (who stamped) takes its own line gap. */
	for (i = 0; i < d->nlines; i++)
		h += pdf_line_gap(tb, d->lines[i].size > 0 ?
		    d->lines[i].size : size);
	return h;
}

/* Height of the laid-out lines in d->lines. */
static float
lines_height(const struct doc *d, const struct table *tb)
{
	return pdf_cell_block(d, tb, (float)tb->size);
}

enum hs_err
pdf_layout_cell(struct doc *d, size_t ri, const struct column *col)
{
	const struct table *tb = &d->t->table;

	cell_segs(d, ri, col);
	if (d->oom)
		return pdf_oom(d);
	return pdf_layout(d, px(col->width - 2 * tb->pad));
}

enum hs_err
pdf_layout_header(struct doc *d, const struct column *col)
{
	const struct table *tb = &d->t->table;

	d->nsegs = 0;
	add_seg(d, col->title, strlen(col->title), "table header",
	    tb->header_role, (float)tb->header_size, tb->text_color);
	if (d->oom)
		return pdf_oom(d);
	return pdf_layout(d, px(col->width - 2 * tb->pad));
}

/*
 * Row heights and the page of every row.
 *
 * The table starts at y on the first page and at y_continued on later
 * ones. Every page the table continues from is filled down to
 * bottom_notlast; the last page must end above bottom, since what comes
 * after the table (totals, QR code, seal) is drawn below it. When the rows
 * of the last page pass bottom, that page becomes one that continues: it
 * keeps its rows (they fit above bottom_notlast: that is how they got
 * there) but the last one, which goes on to a new last page under the
 * repeated header, so the totals and the seal never stand on a page
 * without rows of the table. Only when that page has a single row (a row
 * too tall for the first page above bottom) does the new last page carry
 * no table.
 */
enum hs_err
pdf_paginate(struct doc *d)
{
	const struct table *tb = &d->t->table;
	size_t ri, k, first = 0, n = d->c->nrecords;
	float y, bottom = px(tb->bottom), full = px(tb->bottom_notlast);
	float pad = px(tb->pad), ctop;
	int page = 0;
	enum hs_err rc;

	d->npages = 1;
	d->table_pages = 1;
	if (!d->t->has_table)
		return HS_OK;
	d->header_h = 0;
	for (k = 0; k < tb->ncols; k++) {
		float h;

		if ((rc = pdf_layout_header(d, &tb->cols[k])))
			return rc;
		h = (float)d->nlines * pdf_line_gap(tb, (float)tb->header_size);
		if (h > d->header_h)
			d->header_h = h;
	}
	d->header_h += 2 * pad;
	if (d->c->nrecords == 0)
		return HS_OK;
	d->row_h = calloc(d->c->nrecords, sizeof(*d->row_h));
	d->row_page = calloc(d->c->nrecords, sizeof(*d->row_page));
	if (d->row_h == NULL || d->row_page == NULL)
		return pdf_oom(d);
	ctop = px(tb->y_cont) + d->header_h;
	y = px(tb->y) + d->header_h;
	for (ri = 0; ri < n; ri++) {
		float h = 0;

		for (k = 0; k < tb->ncols; k++) {
			if ((rc = pdf_layout_cell(d, ri, &tb->cols[k])))
				return rc;
			if (lines_height(d, tb) > h)
				h = lines_height(d, tb);
		}
		h += 2 * pad;
		d->row_h[ri] = h;
		if (ctop + h > bottom + 0.01f)
			return hs_fail(d->err, HS_ERR_INVALID, "record %zu: too "
			    "long to fit on a page (%.0f mm high)", ri + 1,
			    h / MM);
		if (y + h > full + 0.01f) {
			page++;
			y = ctop;
			first = ri;
		}
		d->row_page[ri] = (size_t)page;
		y += h;
	}
	d->table_pages = page + 1;
	if (y > bottom + 0.01f) {
		/* The new last page: ctop + its row ends above bottom, as
		 * checked above. */
		page++;
		if (n - first >= 2) {
			d->row_page[n - 1] = (size_t)page;
			d->table_pages = page + 1;
		}
	}
	d->npages = page + 1;
	return HS_OK;
}
