/*
 * draw.c - this module draws the pages of a certificate: glyph runs as
 * text operators in the page's content stream (upright, or rotated round
 * the seal), lines and rectangles, the QR code as one rectangle per run of
 * dark modules, the seal (ring, star, issuer on the arc, purpose below),
 * and the records table with its repeated header. The same code runs in
 * both passes: in COLLECT mode it only lays out, in EMIT mode it draws.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "pdf/pdf_int.h"

/* ------------------------------------------------------------------ */
/* Emitting: text and graphics                                          */
/* ------------------------------------------------------------------ */

/* Appends v in the shortest form with at most 2 decimals ("12.5"). */
static void
putnum(struct buf *b, double v)
{
	char s[32], *p = s + sizeof(s);
	long m = lround(v * 100.0);
	unsigned long u = (unsigned long)(m < 0 ? -m : m);
	unsigned frac = (unsigned)(u % 100);

	/* Built backwards; this runs for every glyph run and rectangle. */
	u /= 100;
	if (frac != 0) {
		if (frac % 10 != 0)
			*--p = (char)('0' + frac % 10);
		*--p = (char)('0' + frac / 10);
		*--p = '.';
	}
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (m < 0)
		*--p = '-';
	buf_add(b, p, (size_t)(s + sizeof(s) - p));
}

static void
ops_color(struct doc *d, uint32_t c)
{
	int k;

	/* Outlined (seal) text strokes in the fill colour too. */
	for (k = 0; k < (d->stroke > 0 ? 2 : 1); k++) {
		putnum(&d->ops, (c >> 16 & 0xFF) / 255.0);
		buf_putc(&d->ops, ' ');
		putnum(&d->ops, (c >> 8 & 0xFF) / 255.0);
		buf_putc(&d->ops, ' ');
		putnum(&d->ops, (c & 0xFF) / 255.0);
		buf_puts(&d->ops, k ? " RG\n" : " rg\n");
	}
}

/*
 * Writes glyphs [first, first+n) of d->gl, the first one's origin at
 * (x, y) pt, with an optional rotation (cos, sin). Runs of one subset,
 * size and colour share one Tj.
 */
static void
emit_glyphs(struct doc *d, size_t first, size_t n, float x, float y,
    float cs, float sn)
{
	size_t k = first, end = first + n;
	int cur_inst = -1;
	float cur_size = -1, lx = 0, ly = 0;
	uint32_t cur_color = 0xFFFFFFFF;
	bool upright = cs == 1 && sn == 0;

	if (n == 0)
		return;
	buf_puts(&d->ops, "q BT\n");
	if (d->stroke > 0) {
		/* Fill and stroke: heavier letters, as a stamp prints. */
		buf_puts(&d->ops, "2 Tr ");
		putnum(&d->ops, d->stroke);
		buf_puts(&d->ops, " w\n");
	}
	while (k < end) {
		const struct pglyph *g = &d->gl[k];
		const struct gent *e = &d->ents[g->ent];
		float gx = x + g->x * cs, gy = y + g->x * sn;
		size_t j;

		if (g->color != cur_color) {
			ops_color(d, g->color);
			cur_color = g->color;
		}
		if (e->inst != cur_inst || g->size != cur_size) {
			buf_printf(&d->ops, "/%s ", d->insts[e->inst].res);
			putnum(&d->ops, g->size);
			buf_puts(&d->ops, " Tf\n");
			/* Letter spacing, as laid out; scales with the size. */
			if (d->spacing != 0 && g->size != cur_size) {
				putnum(&d->ops, d->spacing * g->size);
				buf_puts(&d->ops, " Tc\n");
			}
			cur_inst = e->inst;
			cur_size = g->size;
		}
		if (upright) {
			/* Td moves from the previous run's start. */
			putnum(&d->ops, gx - lx);
			buf_putc(&d->ops, ' ');
			putnum(&d->ops, gy - ly);
			buf_puts(&d->ops, " Td <");
			lx = gx;
			ly = gy;
		} else {
			putnum(&d->ops, cs);
			buf_putc(&d->ops, ' ');
			putnum(&d->ops, sn);
			buf_putc(&d->ops, ' ');
			putnum(&d->ops, -sn);
			buf_putc(&d->ops, ' ');
			putnum(&d->ops, cs);
			buf_putc(&d->ops, ' ');
			putnum(&d->ops, gx);
			buf_putc(&d->ops, ' ');
			putnum(&d->ops, gy);
			buf_puts(&d->ops, " Tm <");
		}
		/* The run: same subset, size and colour. */
		for (j = k; j < end; j++) {
			const struct pglyph *h = &d->gl[j];
			const struct gent *he = &d->ents[h->ent];

			if (he->inst != cur_inst || h->size != cur_size ||
			    h->color != cur_color)
				break;
			pdf_puthex4(&d->ops, he->newgid);
		}
		buf_puts(&d->ops, "> Tj\n");
		k = j;
	}
	buf_puts(&d->ops, "ET Q\n");
}

/* Draws laid-out lines: first baseline at y (pt), aligned at x (pt). */
static enum hs_err
emit_lines(struct doc *d, float x, float y, enum align al, float leading)
{
	size_t i;
	float base = y;

	if (d->mode != EMIT)
		return HS_OK;
	for (i = 0; i < d->nlines; i++) {
		const struct line *l = &d->lines[i];
		float lx = al == AL_LEFT ? x : al == AL_RIGHT ? x - l->w :
		    x - l->w / 2;

		if (i > 0)
			base -= (l->size > 0 ? l->size :
			    d->lines[i - 1].size) * leading;
		emit_glyphs(d, l->first, l->n, lx, base, 1, 0);
	}
	return pdf_flush_ops(d);
}

static enum hs_err
draw_text(struct doc *d, const struct element *el)
{
	enum hs_err rc;
	struct span sp[MAX_SPANS];
	float scale = 1;
	size_t i;

	memcpy(sp, el->spans, el->nspans * sizeof(sp[0]));
	d->spacing = (float)el->spacing;
	/* Shrink to fit max_lines, down to min_size. */
	for (;;) {
		if ((rc = pdf_expand_spans(d, sp, el->nspans)) ||
		    (rc = pdf_layout(d, px(el->w)))) {
			d->spacing = 0;
			return rc;
		}
		if (el->max_lines == 0 || (int)d->nlines <= el->max_lines ||
		    el->size * scale - 0.5 < el->min_size)
			break;
		scale = (float)((el->size * scale - 0.5) / el->size);
		for (i = 0; i < el->nspans; i++)
			sp[i].size = el->spans[i].size * scale;
	}
	{
		float y = py(d, el->y);
		size_t k;

		/* Growing up: the first line moves up by the others' height. */
		if (el->grow_up)
			for (k = 1; k < d->nlines; k++)
				y += d->lines[k].size * (float)el->leading;
		rc = emit_lines(d, px(el->x), y, el->align,
		    (float)el->leading);
	}
	d->spacing = 0;
	return rc;
}

static void
rgb(uint32_t c, HPDF_REAL *r, HPDF_REAL *g, HPDF_REAL *b)
{
	*r = (HPDF_REAL)((c >> 16 & 0xFF) / 255.0);
	*g = (HPDF_REAL)((c >> 8 & 0xFF) / 255.0);
	*b = (HPDF_REAL)((c & 0xFF) / 255.0);
}

static void
set_stroke(struct doc *d, uint32_t c, double width)
{
	HPDF_REAL r, g, b;

	rgb(c, &r, &g, &b);
	HPDF_Page_SetRGBStroke(d->hpage, r, g, b);
	HPDF_Page_SetLineWidth(d->hpage, (HPDF_REAL)width);
}

static void
set_fill(struct doc *d, uint32_t c)
{
	HPDF_REAL r, g, b;

	rgb(c, &r, &g, &b);
	HPDF_Page_SetRGBFill(d->hpage, r, g, b);
}

static enum hs_err
draw_qr(struct doc *d, const struct element *el)
{
	int w, x, y;
	float m, x0, y0, q;

	if (d->mode != EMIT)
		return HS_OK;
	w = qr_width(d->qr);
	m = px(el->w) / (float)w;
	x0 = px(el->x);
	y0 = py(d, el->y);
	q = m * QR_QUIET;
	HPDF_Page_GSave(d->hpage);
	/* The quiet zone is kept white whatever is behind it. */
	set_fill(d, 0xFFFFFF);
	HPDF_Page_Rectangle(d->hpage, x0 - q, y0 - px(el->w) - q,
	    px(el->w) + 2 * q, px(el->w) + 2 * q);
	HPDF_Page_Fill(d->hpage);
	set_fill(d, 0x000000);
	/* Module units from the top left, so rectangles are small integers. */
	HPDF_Page_Concat(d->hpage, m, 0, 0, -m, x0, y0);
	/* One rectangle per horizontal run of dark modules. */
	for (y = 0; y < w; y++) {
		for (x = 0; x < w; x++) {
			int x1 = x;

			if (!qr_dark(d->qr, x, y))
				continue;
			while (x1 + 1 < w && qr_dark(d->qr, x1 + 1, y))
				x1++;
			HPDF_Page_Rectangle(d->hpage, (HPDF_REAL)x,
			    (HPDF_REAL)y, (HPDF_REAL)(x1 - x + 1), 1);
			x = x1;
		}
	}
	HPDF_Page_Fill(d->hpage);
	HPDF_Page_GRestore(d->hpage);
	return HS_OK;
}

static enum hs_err
draw_seal(struct doc *d, const struct element *el)
{
	struct span sp = { el->top, el->role, 0, el->color };
	float cx = px(el->x), cy = py(d, el->y), r = px(el->w / 2);
	float lw = (float)el->line_width, rt, size, total, ang, span;
	float star_r = r * 0.24f;
	enum hs_err rc;
	size_t i;

	/* Issuer along the upper arc, letters upright to the centre. */
	size = r * 0.30f;
	sp.size = size;
	if ((rc = pdf_expand_spans(d, &sp, 1)) || (rc = pdf_layout(d, 0)))
		return rc;
	if (d->nlines == 0)
		return HS_OK;
	rt = r - lw - size * 0.92f;
	/* Spread letters over at most 250 degrees; shrink if needed. */
	total = 0;
	for (i = 0; i < d->lines[0].n; i++)
		total += d->ents[d->gl[i].ent].adv / 1000.0f;
	span = total * size * 1.15f / rt;
	if (span > 250 * (float)M_PI / 180) {
		float k = (250 * (float)M_PI / 180) / span;

		size *= k;
		sp.size = size;
		if ((rc = pdf_expand_spans(d, &sp, 1)) ||
		    (rc = pdf_layout(d, 0)))
			return rc;
		rt = r - lw - size * 0.92f;
		span = total * size * 1.15f / rt;
	}
	if (d->mode == EMIT) {
		HPDF_ExtGState gs = HPDF_CreateExtGState(d->pdf);

		HPDF_Page_GSave(d->hpage);
		/* Multiply, so text under the seal stays readable. */
		HPDF_ExtGState_SetBlendMode(gs, HPDF_BM_MULTIPLY);
		HPDF_Page_SetExtGState(d->hpage, gs);
		set_stroke(d, el->color, lw);
		HPDF_Page_Circle(d->hpage, cx, cy, r - lw / 2);
		HPDF_Page_Stroke(d->hpage);
		/* Five-pointed star. */
		set_fill(d, el->color);
		for (i = 0; i < 10; i++) {
			float rr = i % 2 ? star_r * 0.382f : star_r;
			float t = (float)M_PI / 2 + (float)i * (float)M_PI / 5;
			float sx = cx + rr * cosf(t);
			float sy = cy + r * 0.02f + rr * sinf(t);

			if (i == 0)
				HPDF_Page_MoveTo(d->hpage, sx, sy);
			else
				HPDF_Page_LineTo(d->hpage, sx, sy);
		}
		HPDF_Page_ClosePath(d->hpage);
		HPDF_Page_Fill(d->hpage);
		d->stroke = size * 0.035f;
		/* Letters from the left end of the arc, clockwise. */
		ang = (float)M_PI / 2 + span / 2;
		for (i = 0; i < d->lines[0].n; i++) {
			const struct pglyph *g = &d->gl[d->lines[0].first + i];
			float gw = d->ents[g->ent].adv * size / 1000.0f;
			float step = gw * 1.15f / rt;
			float t = ang - step / 2;
			float c = cosf(t), s = sinf(t);
			/* Baseline direction (s, -c); up (c, s). */
			float ox = cx + rt * c - gw / 2 * s;
			float oy = cy + rt * s + gw / 2 * c;

			/* emit_glyphs adds the glyph's offset on its line. */
			emit_glyphs(d, d->lines[0].first + i, 1, ox - g->x * s,
			    oy + g->x * c, s, -c);
			ang -= step;
		}
		d->stroke = 0;
		if ((rc = pdf_flush_ops(d)))
			return rc;
	}
	/* The purpose of the seal, straight, under the star. */
	sp.text = el->bottom;
	size = r * 0.17f;
	sp.size = size;
	if ((rc = pdf_expand_spans(d, &sp, 1)) || (rc = pdf_layout(d, 0)))
		return rc;
	if (d->nlines > 0 && d->lines[0].w > r * 1.3f) {
		size *= r * 1.3f / d->lines[0].w;
		sp.size = size;
		if ((rc = pdf_expand_spans(d, &sp, 1)) ||
		    (rc = pdf_layout(d, 0)))
			return rc;
	}
	if (d->mode == EMIT) {
		d->stroke = size * 0.035f;
		rc = emit_lines(d, cx, cy - r * 0.50f, AL_CENTER, 1.2f);
		d->stroke = 0;
		if (rc != HS_OK)
			return rc;
		HPDF_Page_GRestore(d->hpage);
	}
	return HS_OK;
}

/* ------------------------------------------------------------------ */
/* The records table                                                    */
/* ------------------------------------------------------------------ */

static enum hs_err
draw_cell_lines(struct doc *d, const struct column *col, float x, float top,
    float h, float size)
{
	const struct table *tb = &d->t->table;
	float gap = pdf_line_gap(tb, size);
	float block = pdf_cell_block(d, tb, size);
	/* Centred vertically; the baseline sits 0.8 em below the line top. */
	float y = top + (h - block) / 2 + (gap - size) / 2 + size * 0.86f;
	float pad = px(tb->pad);
	float ax = col->align == AL_LEFT ? x + pad : col->align == AL_RIGHT ?
	    x + px(col->width) - pad : x + px(col->width) / 2;

	return emit_lines(d, ax, d->ph - y, col->align, (float)tb->leading);
}

static enum hs_err
draw_table(struct doc *d)
{
	const struct table *tb = &d->t->table;
	float top = px(d->cur_page == 0 ? tb->y : tb->y_cont);
	float x0 = px(tb->x), w = 0, y, x;
	size_t ri, k;
	enum hs_err rc;

	for (k = 0; k < tb->ncols; k++)
		w += px(tb->cols[k].width);
	/* Header. */
	if (d->mode == EMIT) {
		set_fill(d, tb->header_fill);
		HPDF_Page_Rectangle(d->hpage, x0, d->ph - top - d->header_h, w,
		    d->header_h);
		HPDF_Page_Fill(d->hpage);
	}
	x = x0;
	for (k = 0; k < tb->ncols; k++) {
		if ((rc = pdf_layout_header(d, &tb->cols[k])) ||
		    (rc = draw_cell_lines(d, &tb->cols[k], x, top, d->header_h,
		    (float)tb->header_size)))
			return rc;
		x += px(tb->cols[k].width);
	}
	y = top + d->header_h;
	for (ri = 0; ri < d->c->nrecords; ri++) {
		if ((int)d->row_page[ri] != d->cur_page)
			continue;
		x = x0;
		for (k = 0; k < tb->ncols; k++) {
			if ((rc = pdf_layout_cell(d, ri, &tb->cols[k])) ||
			    (rc = draw_cell_lines(d, &tb->cols[k], x, y,
			    d->row_h[ri], (float)tb->size)))
				return rc;
			x += px(tb->cols[k].width);
		}
		y += d->row_h[ri];
	}
	if (d->mode != EMIT || tb->line_width <= 0)
		return HS_OK;
	/* Grid: outer box, row rules, column rules. */
	set_stroke(d, tb->color, tb->line_width);
	HPDF_Page_Rectangle(d->hpage, x0, d->ph - y, w, y - top);
	{
		float yy = top + d->header_h;

		HPDF_Page_MoveTo(d->hpage, x0, d->ph - yy);
		HPDF_Page_LineTo(d->hpage, x0 + w, d->ph - yy);
		for (ri = 0; ri < d->c->nrecords; ri++) {
			if ((int)d->row_page[ri] != d->cur_page)
				continue;
			yy += d->row_h[ri];
			if (yy < y - 0.01f) {
				HPDF_Page_MoveTo(d->hpage, x0, d->ph - yy);
				HPDF_Page_LineTo(d->hpage, x0 + w, d->ph - yy);
			}
		}
	}
	x = x0;
	for (k = 0; k + 1 < tb->ncols; k++) {
		x += px(tb->cols[k].width);
		HPDF_Page_MoveTo(d->hpage, x, d->ph - top);
		HPDF_Page_LineTo(d->hpage, x, d->ph - y);
	}
	HPDF_Page_Stroke(d->hpage);
	return HS_OK;
}

/* ------------------------------------------------------------------ */
/* Pages                                                                */
/* ------------------------------------------------------------------ */

static bool
shown(const struct doc *d, const struct element *el)
{
	int p = d->cur_page, last = d->npages - 1;

	if (el->when == WHEN_MET && !(d->c->kind == CERT_ANNUAL && d->c->met))
		return false;
	if (el->when == WHEN_STAMPED && !cert_has_stamped_by(d->c))
		return false;
	if (el->when == WHEN_UNMET && !(d->c->kind == CERT_ANNUAL &&
	    !d->c->met))
		return false;
	switch (el->on) {
	case ON_ALL: return true;
	case ON_FIRST: return p == 0;
	case ON_LAST: return p == last;
	case ON_CONTINUED: return p > 0;
	case ON_NOTLAST: return p < last;
	}
	return true;
}

enum hs_err
pdf_draw_page(struct doc *d)
{
	const struct tpl *t = d->t;
	enum hs_err rc = HS_OK;
	size_t i;

	snprintf(d->page, sizeof(d->page), "%d", d->cur_page + 1);
	snprintf(d->pages, sizeof(d->pages), "%d", d->npages);
	for (i = 0; i <= t->nels && rc == HS_OK; i++) {
		const struct element *el = &t->els[i];

		if (t->has_table && i == t->table_at &&
		    d->cur_page < d->table_pages &&
		    (rc = draw_table(d)) != HS_OK)
			break;
		if (i == t->nels || !shown(d, el))
			continue;
		switch (el->type) {
		case EL_TEXT:
			rc = draw_text(d, el);
			break;
		case EL_LINE:
			if (d->mode == EMIT) {
				set_stroke(d, el->color, el->line_width);
				HPDF_Page_MoveTo(d->hpage, px(el->x),
				    py(d, el->y));
				HPDF_Page_LineTo(d->hpage, px(el->x2),
				    py(d, el->y2));
				HPDF_Page_Stroke(d->hpage);
			}
			break;
		case EL_RECT:
			if (d->mode == EMIT) {
				if (el->has_fill)
					set_fill(d, el->fill);
				if (el->line_width > 0)
					set_stroke(d, el->color,
					    el->line_width);
				HPDF_Page_Rectangle(d->hpage, px(el->x),
				    py(d, el->y + el->h), px(el->w), px(el->h));
				if (el->has_fill && el->line_width > 0)
					HPDF_Page_FillStroke(d->hpage);
				else if (el->has_fill)
					HPDF_Page_Fill(d->hpage);
				else if (el->line_width > 0)
					HPDF_Page_Stroke(d->hpage);
				else
					HPDF_Page_EndPath(d->hpage);
			}
			break;
		case EL_QR:
			rc = draw_qr(d, el);
			break;
		case EL_SEAL:
			rc = draw_seal(d, el);
			break;
		case EL_TABLE:
			break;
		}
	}
	if (rc == HS_OK && d->mode == EMIT && d->herr != HPDF_OK)
		rc = hs_fail(d->err, HS_ERR_NOMEM, "libharu error 0x%04X",
		    (unsigned)d->herr);
	return rc;
}
