/*
 * pdftext.c - the text PDF content shows, through ToUnicode maps
 * (pdftext.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdftext.h"

#define DST_UNITS 8          /* UTF-16 units of one mapping's target */
#define STR_MAX 65536        /* bytes of one string operand kept */
#define ARRAY_MAX (1u << 20) /* bytes of a TJ array's strings kept */

struct map {
	uint32_t lo, hi;         /* codes, inclusive */
	uint8_t nb;              /* code bytes */
	uint8_t nu;              /* UTF-16 units in u */
	bool incr;               /* bfrange: the last unit counts up */
	uint16_t u[DST_UNITS];
};

struct pdftext_cmap {
	struct map *m;
	size_t n, cap;
};

/* ---- tokens, shared by the CMap and content parsers ---- */

struct lex {
	const unsigned char *p, *end;
};

static bool
is_white(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
	    c == '\0';
}

static bool
is_delim(int c)
{
	return c == '(' || c == ')' || c == '<' || c == '>' || c == '[' ||
	    c == ']' || c == '{' || c == '}' || c == '/' || c == '%';
}

/* Skips white space and comments. */
static void
skip_white(struct lex *x)
{
	while (x->p < x->end) {
		if (is_white(*x->p)) {
			x->p++;
		} else if (*x->p == '%') {
			while (x->p < x->end && *x->p != '\n' && *x->p != '\r')
				x->p++;
		} else {
			break;
		}
	}
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * A hex string after its '<': its bytes into out (at most max, the rest
 * dropped), *n set. The lexer ends after the '>'.
 */
static void
read_hex(struct lex *x, unsigned char *out, size_t max, size_t *n)
{
	int hi = -1, v;

	*n = 0;
	while (x->p < x->end && *x->p != '>') {
		v = hexval(*x->p++);
		if (v < 0)
			continue;
		if (hi < 0) {
			hi = v;
		} else {
			if (*n < max)
				out[*n] = (unsigned char)(hi << 4 | v);
			(*n)++;
			hi = -1;
		}
	}
	if (hi >= 0) {
		if (*n < max)
			out[*n] = (unsigned char)(hi << 4);
		(*n)++;
	}
	if (x->p < x->end)
		x->p++;
	if (*n > max)
		*n = max;
}

/* A literal string after its '(': escapes and nesting as in PDF. */
static void
read_literal(struct lex *x, unsigned char *out, size_t max, size_t *n)
{
	int depth = 1, c, k, v;

	*n = 0;
	while (x->p < x->end) {
		c = *x->p++;
		if (c == '(') {
			depth++;
		} else if (c == ')') {
			if (--depth == 0)
				break;
		} else if (c == '\\' && x->p < x->end) {
			c = *x->p++;
			switch (c) {
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case '\r':
				if (x->p < x->end && *x->p == '\n')
					x->p++;
				continue;
			case '\n':
				continue;
			default:
				if (c >= '0' && c <= '7') {
					v = c - '0';
					for (k = 0; k < 2 && x->p < x->end &&
					    *x->p >= '0' && *x->p <= '7'; k++)
						v = v * 8 + (*x->p++ - '0');
					c = v & 0xff;
				}
				break;
			}
		}
		if (*n < max)
			out[(*n)++] = (unsigned char)c;
	}
}

/* A name or operator token (no delimiters): its bytes, up to max - 1,
 * NUL-terminated. */
static void
read_word(struct lex *x, char *out, size_t max)
{
	size_t n = 0;

	while (x->p < x->end && !is_white(*x->p) && !is_delim(*x->p)) {
		if (n + 1 < max)
			out[n++] = (char)*x->p;
		x->p++;
	}
	out[n] = '\0';
}

/* ---- ToUnicode maps ---- */

static enum hs_err
map_add(struct pdftext_cmap *m, const struct map *e, char *err)
{
	struct map *nm;
	size_t cap;

	if (m->n >= PDFTEXT_CMAP_MAX)
		return hs_fail(err, HS_ERR_TOOBIG, "a ToUnicode map has more "
		    "than %u mappings", PDFTEXT_CMAP_MAX);
	if (m->n == m->cap) {
		cap = m->cap ? m->cap * 2 : 256;
		if ((nm = realloc(m->m, cap * sizeof(*nm))) == NULL)
			return hs_fail(err, HS_ERR_NOMEM, "out of memory");
		m->m = nm;
		m->cap = cap;
	}
	m->m[m->n++] = *e;
	return HS_OK;
}

static uint32_t
code_of(const unsigned char *b, size_t n)
{
	uint32_t v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = v << 8 | b[i];
	return v;
}

/* A target: UTF-16BE bytes to units. False if empty or too long. */
static bool
set_dst(struct map *e, const unsigned char *b, size_t n)
{
	size_t i;

	if (n == 0 || n % 2 != 0 || n / 2 > DST_UNITS)
		return false;
	e->nu = (uint8_t)(n / 2);
	for (i = 0; i < e->nu; i++)
		e->u[i] = (uint16_t)(b[2 * i] << 8 | b[2 * i + 1]);
	return true;
}

static int
map_cmp(const void *a, const void *b)
{
	const struct map *x = a, *y = b;

	if (x->nb != y->nb)
		return x->nb < y->nb ? -1 : 1;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return 0;
}

enum hs_err
pdftext_cmap_parse(const char *data, size_t len, struct pdftext_cmap **out,
    char *err)
{
	struct pdftext_cmap *m;
	struct lex x = { (const unsigned char *)data,
	    (const unsigned char *)data + len };
	unsigned char a[8], b[8], d[2 * DST_UNITS + 2];
	size_t na, nb, nd;
	char word[32];
	struct map e;
	enum hs_err rc = HS_OK;
	int mode = 0; /* 1: bfchar, 2: bfrange */

	*out = NULL;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	for (;;) {
		skip_white(&x);
		if (x.p >= x.end)
			break;
		if (*x.p == '<' && x.p + 1 < x.end && x.p[1] == '<') {
			x.p += 2;
			continue;
		}
		if (*x.p == '>' || *x.p == '[' || *x.p == ']' || *x.p == '{' ||
		    *x.p == '}' || *x.p == ')') {
			x.p++;
			continue;
		}
		if (*x.p == '(') {
			x.p++;
			read_literal(&x, d, sizeof(d), &nd);
			continue;
		}
		if (*x.p == '/')
			x.p++;
		if (*x.p != '<' || mode == 0) {
			if (*x.p == '<') {
				x.p++;
				read_hex(&x, d, sizeof(d), &nd);
				continue;
			}
			read_word(&x, word, sizeof(word));
			if (word[0] == '\0' && x.p < x.end)
				x.p++;
			if (strcmp(word, "beginbfchar") == 0)
				mode = 1;
			else if (strcmp(word, "beginbfrange") == 0)
				mode = 2;
			else if (strncmp(word, "end", 3) == 0)
				mode = 0;
			continue;
		}
		/* A mapping: <src> <dst>, or <lo> <hi> <dst> | [<dst>...]. */
		x.p++;
		read_hex(&x, a, sizeof(a), &na);
		if (na == 0 || na > 4)
			goto bad;
		memset(&e, 0, sizeof(e));
		e.nb = (uint8_t)na;
		e.lo = e.hi = code_of(a, na);
		skip_white(&x);
		if (x.p >= x.end || *x.p != '<')
			goto bad;
		x.p++;
		if (mode == 1) {
			read_hex(&x, d, sizeof(d), &nd);
			if (!set_dst(&e, d, nd))
				goto bad;
			if ((rc = map_add(m, &e, err)) != HS_OK)
				goto out;
			continue;
		}
		read_hex(&x, b, sizeof(b), &nb);
		if (nb != na || code_of(b, nb) < e.lo)
			goto bad;
		e.hi = code_of(b, nb);
		skip_white(&x);
		if (x.p < x.end && *x.p == '<') {
			x.p++;
			read_hex(&x, d, sizeof(d), &nd);
			if (!set_dst(&e, d, nd))
				goto bad;
			e.incr = true;
			if ((rc = map_add(m, &e, err)) != HS_OK)
				goto out;
		} else if (x.p < x.end && *x.p == '[') {
			uint32_t c = e.lo;

			x.p++;
			for (;;) {
				skip_white(&x);
				if (x.p >= x.end || *x.p != '<')
					break;
				x.p++;
				read_hex(&x, d, sizeof(d), &nd);
				if (c > e.hi || !set_dst(&e, d, nd))
					goto bad;
				e.lo = e.hi = c;
				if ((rc = map_add(m, &e, err)) != HS_OK)
					goto out;
				c++;
				e.hi = code_of(b, nb);
			}
			if (x.p < x.end && *x.p == ']')
				x.p++;
		} else {
			goto bad;
		}
		/* A range counts as many mappings as it has codes. */
		if (e.hi - e.lo >= PDFTEXT_CMAP_MAX) {
			rc = hs_fail(err, HS_ERR_TOOBIG, "a ToUnicode range is "
			    "wider than %u codes", PDFTEXT_CMAP_MAX);
			goto out;
		}
	}
	if (m->n == 0) {
		rc = hs_fail(err, HS_ERR_FORMAT, "the ToUnicode map maps "
		    "nothing");
		goto out;
	}
	qsort(m->m, m->n, sizeof(*m->m), map_cmp);
	*out = m;
	return HS_OK;
bad:
	rc = hs_fail(err, HS_ERR_FORMAT, "malformed ToUnicode map");
out:
	pdftext_cmap_free(m);
	return rc;
}

void
pdftext_cmap_free(struct pdftext_cmap *m)
{
	if (m == NULL)
		return;
	free(m->m);
	free(m);
}

/* The mapping for code (nb bytes), or NULL. Ranges may overlap; the one
 * starting last at or before code is tried, then earlier ones. */
static const struct map *
map_find(const struct pdftext_cmap *m, int nb, uint32_t code)
{
	size_t lo = 0, hi = m->n, mid, k;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (m->m[mid].nb < nb || (m->m[mid].nb == nb &&
		    m->m[mid].lo <= code))
			lo = mid + 1;
		else
			hi = mid;
	}
	for (k = lo; k > 0 && lo - k < 64; k--) {
		const struct map *e = &m->m[k - 1];

		if (e->nb != nb)
			break;
		if (e->lo <= code && code <= e->hi)
			return e;
	}
	return NULL;
}

static void
put_utf8(struct buf *out, uint32_t cp)
{
	char b[4];

	if (cp < 0x80) {
		b[0] = (char)cp;
		buf_add(out, b, 1);
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3f));
		buf_add(out, b, 2);
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | cp >> 12);
		b[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		buf_add(out, b, 3);
	} else {
		b[0] = (char)(0xf0 | cp >> 18);
		b[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		b[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		buf_add(out, b, 4);
	}
}

/* UTF-16 units to UTF-8; false for a lone surrogate or a control
 * character other than white space. */
static bool
put_units(struct buf *out, const uint16_t *u, size_t n)
{
	size_t i;
	uint32_t cp;

	for (i = 0; i < n; i++) {
		cp = u[i];
		if (cp >= 0xd800 && cp < 0xdc00 && i + 1 < n &&
		    u[i + 1] >= 0xdc00 && u[i + 1] < 0xe000) {
			cp = 0x10000 + ((cp - 0xd800) << 10) + (u[i + 1] - 0xdc00);
			i++;
		} else if (cp >= 0xd800 && cp < 0xe000) {
			return false;
		}
		if (cp < 0x20 && !is_white((int)cp))
			return false;
		if (cp == 0x7f || cp == 0xfffd)
			return false;
		put_utf8(out, cp);
	}
	return true;
}

/* ---- content streams ---- */

struct page {
	const struct pdftext_res *res;
	struct buf *out;
	bool *complete;
	struct pdftext_font font;
	bool have_font;
};

/* Shows string s[0..n) in the current font. */
static void
show(struct page *pg, const unsigned char *s, size_t n)
{
	const struct map *e;
	uint16_t u[DST_UNITS];
	size_t i;
	int nb;

	if (n == 0)
		return;
	if (!pg->have_font) {
		*pg->complete = false;
		return;
	}
	nb = pg->font.code_bytes == 2 ? 2 : 1;
	for (i = 0; i + (size_t)nb <= n; i += (size_t)nb) {
		uint32_t code = code_of(s + i, (size_t)nb);

		if (pg->font.map == NULL) {
			/* A simple font without a map: plain ASCII only. */
			if (nb == 1 && code >= 0x20 && code < 0x7f) {
				put_utf8(pg->out, code);
				continue;
			}
			*pg->complete = false;
			return;
		}
		if ((e = map_find(pg->font.map, nb, code)) == NULL) {
			*pg->complete = false;
			return;
		}
		memcpy(u, e->u, sizeof(u));
		if (e->incr)
			u[e->nu - 1] = (uint16_t)(u[e->nu - 1] + (code - e->lo));
		if (!put_units(pg->out, u, e->nu)) {
			*pg->complete = false;
			return;
		}
	}
	if (i != n)
		*pg->complete = false;
}

/* After an inline image's ID: skips its data up to "EI" standing alone. */
static void
skip_inline_image(struct lex *x)
{
	if (x->p < x->end)
		x->p++;
	while (x->p + 1 < x->end) {
		if (x->p[0] == 'E' && x->p[1] == 'I' && is_white(x->p[-1]) &&
		    (x->p + 2 == x->end || is_white(x->p[2]) ||
		    is_delim(x->p[2]))) {
			x->p += 2;
			return;
		}
		x->p++;
	}
	x->p = x->end;
}

/* The drawing operations, canonical: one token per space, strings in
 * hex. */
static void
op_token(struct buf *ops, const char *pre, const void *p, size_t n, bool hex)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *b = p;
	size_t i;

	if (ops == NULL || ops->oom)
		return;
	if (ops->len > 2 * PDFTEXT_MAX) {
		/* Too much to compare: marked so that it never compares
		 * equal (a prefix could). */
		ops->oom = true;
		return;
	}
	buf_puts(ops, pre);
	if (hex) {
		buf_putc(ops, '<');
		for (i = 0; i < n; i++) {
			buf_putc(ops, digits[b[i] >> 4]);
			buf_putc(ops, digits[b[i] & 15]);
		}
		buf_putc(ops, '>');
	} else {
		buf_add(ops, p, n);
	}
	buf_putc(ops, ' ');
}

void
pdftext_page(const char *content, size_t len, const struct pdftext_res *res,
    struct buf *out, struct buf *ops, bool *complete)
{
	struct lex x = { (const unsigned char *)content,
	    (const unsigned char *)content + len };
	struct page pg;
	unsigned char *str = NULL;
	struct buf arr;
	size_t slen = 0, nstr;
	char word[128], name[128];
	int depth = 0;

	memset(&pg, 0, sizeof(pg));
	pg.res = res;
	pg.out = out;
	pg.complete = complete;
	name[0] = '\0';
	buf_init(&arr);
	if ((str = malloc(STR_MAX)) == NULL) {
		*complete = false;
		return;
	}
	for (;;) {
		if (out->len > PDFTEXT_MAX || out->oom || arr.oom ||
		    (ops != NULL && ops->oom)) {
			*complete = false;
			break;
		}
		skip_white(&x);
		if (x.p >= x.end)
			break;
		switch (*x.p) {
		case '(':
			x.p++;
			read_literal(&x, str, STR_MAX, &slen);
			op_token(ops, "", str, slen, true);
			goto string;
		case '<':
			if (x.p + 1 < x.end && x.p[1] == '<') {
				x.p += 2;
				op_token(ops, "", "<<", 2, false);
				continue;
			}
			x.p++;
			read_hex(&x, str, STR_MAX, &slen);
			op_token(ops, "", str, slen, true);
		string:
			if (depth > 0 && arr.len < ARRAY_MAX)
				buf_add(&arr, str, slen);
			continue;
		case '[':
			if (depth++ == 0)
				buf_reset(&arr);
			op_token(ops, "", "[", 1, false);
			x.p++;
			continue;
		case ']':
			if (depth > 0)
				depth--;
			op_token(ops, "", "]", 1, false);
			x.p++;
			continue;
		case '>': case ')': case '{': case '}':
			op_token(ops, "", x.p, 1, false);
			x.p++;
			continue;
		case '/':
			x.p++;
			read_word(&x, name, sizeof(name));
			op_token(ops, "/", name, strlen(name), false);
			continue;
		default:
			break;
		}
		read_word(&x, word, sizeof(word));
		if (word[0] == '\0') {
			x.p++;
			continue;
		}
		op_token(ops, "", word, strlen(word), false);
		if (strcmp(word, "Tf") == 0) {
			pg.have_font = res != NULL && res->font != NULL &&
			    res->font(res->ctx, name, &pg.font);
		} else if (strcmp(word, "Tj") == 0 || strcmp(word, "'") == 0 ||
		    strcmp(word, "\"") == 0) {
			show(&pg, str, slen);
			buf_putc(out, '\n');
			slen = 0;
		} else if (strcmp(word, "TJ") == 0) {
			nstr = arr.len;
			show(&pg, (const unsigned char *)arr.data, nstr);
			buf_putc(out, '\n');
			buf_reset(&arr);
		} else if (strcmp(word, "Do") == 0) {
			int k = res != NULL && res->xobject != NULL ?
			    res->xobject(res->ctx, name) : 1;

			if (k != 0)
				*complete = false;
		} else if (strcmp(word, "ID") == 0) {
			skip_inline_image(&x);
		}
	}
	buf_free(&arr);
	free(str);
}

/* ---- comparing ---- */

/* Text without white space; run[i] is the line (run) byte i came from. */
struct norm {
	char *s;
	size_t n;
	uint32_t *run;          /* NULL unless asked for */
	size_t *start;          /* per byte: offset in the original */
};

static bool
norm_make(const char *t, size_t len, bool runs, struct norm *nm)
{
	size_t i;
	uint32_t r = 0;

	memset(nm, 0, sizeof(*nm));
	nm->s = malloc(len + 1);
	nm->start = malloc((len + 1) * sizeof(*nm->start));
	if (runs)
		nm->run = malloc((len + 1) * sizeof(*nm->run));
	if (nm->s == NULL || nm->start == NULL || (runs && nm->run == NULL))
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)t[i];

		if (c == '\n' || c == '\f') {
			r++;
			continue;
		}
		if (is_white(c))
			continue;
		/* U+3000 ideographic space */
		if (c == 0xe3 && i + 2 < len && (unsigned char)t[i + 1] ==
		    0x80 && (unsigned char)t[i + 2] == 0x80) {
			i += 2;
			continue;
		}
		if (runs)
			nm->run[nm->n] = r;
		nm->start[nm->n] = i;
		nm->s[nm->n++] = (char)c;
	}
	nm->s[nm->n] = '\0';
	return true;
}

static void
norm_free(struct norm *nm)
{
	free(nm->s);
	free(nm->run);
	free(nm->start);
}

static bool
cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

/* Copies s[0..n) to out (cap bytes), cut at a character boundary. */
static void
cut_copy(char *out, size_t cap, const char *s, size_t n)
{
	if (cap == 0)
		return;
	if (n >= cap) {
		n = cap - 1;
		while (n > 0 && cont((unsigned char)s[n]))
			n--;
	}
	memcpy(out, s, n);
	out[n] = '\0';
}

/* Leading punctuation of a label: ，、：；。 */
static size_t
punct_len(const unsigned char *s, size_t n)
{
	static const char *const p[] = { "\xef\xbc\x8c", "\xe3\x80\x81",
	    "\xef\xbc\x9a", "\xef\xbc\x9b", "\xe3\x80\x82" };
	size_t i;

	for (i = 0; i < sizeof(p) / sizeof(p[0]); i++)
		if (n >= 3 && memcmp(s, p[i], 3) == 0)
			return 3;
	return 0;
}

/*
 * The label of what differs: in the closest run before position p of the
 * reference that has no ASCII digit, its last word with Chinese in it
 * (" 学时  专业科目 Professional " gives "专业科目"), leading punctuation
 * dropped. "" if none within a few runs.
 */
static void
label_before(const struct norm *rn, const char *ref, size_t p, char *out,
    size_t cap)
{
	uint32_t r;
	size_t i, b, e, k, ob, oe, wb, we, bb = 0, be = 0;
	int tries;
	bool cjk;

	out[0] = '\0';
	if (p > rn->n)
		p = rn->n;
	i = p;
	r = p < rn->n ? rn->run[p] : (rn->n ? rn->run[rn->n - 1] + 1 : 0);
	for (tries = 0; tries < 6 && i > 0; tries++) {
		/* the run just before position i */
		e = i;
		while (e > 0 && rn->run[e - 1] == r)
			e--;
		if (e == 0)
			return;
		r = rn->run[e - 1];
		b = e;
		while (b > 0 && rn->run[b - 1] == r)
			b--;
		i = b;
		for (k = b; k < e; k++)
			if (isdigit((unsigned char)rn->s[k]))
				break;
		if (k < e)
			continue;
		/* Its words, in the original text. */
		ob = rn->start[b];
		oe = rn->start[e - 1] + 1;
		while (oe < rn->start[e - 1] + 4 && cont((unsigned char)ref[oe]))
			oe++;
		for (wb = ob; wb < oe; wb = we) {
			while (wb < oe && is_white((unsigned char)ref[wb]))
				wb++;
			cjk = false;
			for (we = wb; we < oe && !is_white((unsigned char)ref[we]);
			    we++)
				if ((unsigned char)ref[we] >= 0x80)
					cjk = true;
			if (cjk) {
				bb = wb;
				be = we;
			}
		}
		if (be == 0)
			return;
		while (bb < be && punct_len((const unsigned char *)ref + bb,
		    be - bb) > 0)
			bb += 3;
		cut_copy(out, cap, ref + bb, be - bb);
		return;
	}
}

bool
pdftext_compare(const char *file, size_t flen, const char *ref, size_t rlen,
    char *differs, size_t n)
{
	struct norm fn, rn;
	size_t p, s, rb, re, fe, max;
	char label[64], shown[64], signd[64];
	bool same;

	differs[0] = '\0';
	if (!norm_make(file, flen, false, &fn) ||
	    !norm_make(ref, rlen, true, &rn)) {
		norm_free(&fn);
		norm_free(&rn);
		snprintf(differs, n, "无法比较页面文字（内存不足）");
		return false;
	}
	same = fn.n == rn.n && memcmp(fn.s, rn.s, fn.n) == 0;
	if (same)
		goto out;
	/* The first byte that differs, and the common tail. */
	for (p = 0; p < fn.n && p < rn.n && fn.s[p] == rn.s[p]; p++)
		;
	max = (fn.n < rn.n ? fn.n : rn.n) - p;
	for (s = 0; s < max && fn.s[fn.n - 1 - s] == rn.s[rn.n - 1 - s]; s++)
		;
	/* Widen to the whole run of the reference that differs. */
	rb = p;
	while (rb > 0 && cont((unsigned char)rn.s[rb]))
		rb--;
	if (rb < rn.n)
		while (rb > 0 && rn.run[rb - 1] == rn.run[rb])
			rb--;
	else if (rb > 0 && rb == rn.n)
		while (rb > 0 && rn.run[rb - 1] == rn.run[rn.n - 1])
			rb--;
	re = rn.n - s;
	if (re < rb)
		re = rb;
	if (re > rb)
		while (re < rn.n && rn.run[re] == rn.run[re - 1])
			re++;
	else if (rb < rn.n)
		while (re < rn.n && rn.run[re] == rn.run[rb])
			re++;
	fe = fn.n - (rn.n - re);
	if (fn.n < rn.n - re || fe < rb)
		fe = rb;
	while (fe < fn.n && cont((unsigned char)fn.s[fe]))
		fe++;
	label_before(&rn, ref, rb, label, sizeof(label));
	cut_copy(shown, sizeof(shown), fn.s + rb, fe - rb);
	cut_copy(signd, sizeof(signd), rn.s + rb, re - rb);
	snprintf(differs, n, "页面显示 %s%s%s，签名内容为 %s", label,
	    label[0] != '\0' ? " " : "", shown[0] != '\0' ? shown : "（无）",
	    signd[0] != '\0' ? signd : "（无）");
out:
	norm_free(&fn);
	norm_free(&rn);
	return same;
}
