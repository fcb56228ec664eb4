/*
 * pdfcmp.c - compare a certificate PDF with its re-render (pdfcmp.h).
 *
 * Both documents are opened with qpdf and walked side by side: pages in
 * order, then the catalog, then the document information. Indirect
 * objects are paired on first sight (file object -> reference object, and
 * back); meeting a pair again ends that branch (it is being or was
 * compared), and meeting an object paired with another one is a
 * difference in structure. This follows cycles (/Parent, /Kids) safely
 * and costs one visit per object.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qpdf/qpdf-c.h>
#include <zlib.h>

#include "pdfcmp.h"
#include "pdftext.h"

#define DEPTH_MAX 64      /* nesting of direct objects */
#define KEYS_MAX 4096     /* keys of one dictionary */
#define KEY_LEN 128       /* bytes of one key we keep */
#define PATH_LEN 384

/* An open-addressing map of object ids (id << 16 | generation). */
struct idmap {
	uint64_t *k, *v;
	size_t cap, n;
};

struct cmp {
	qpdf_data a, b;        /* a: the file; b: the reference */
	struct idmap ab, ba;
	size_t budget;         /* values left to compare */
	size_t ref_data;       /* reference bytes decoded so far */
	bool nomem;
	bool partial;          /* something could not be compared */
	char partial_why[HS_ERRLEN];
	struct pdfcmp *out;
	char path[PATH_LEN];
	size_t plen;
};

/* Keys pdf_render never writes; finding one in the file is tampering. */
static const char *const foreign_keys[] = {
	"/Annots", "/AA", "/OpenAction", "/AcroForm", "/JavaScript", "/JS",
	"/OCProperties", "/OC", "/Collection", "/XFA", "/URI", "/Launch",
	"/Threads", "/PieceInfo", "/Perms",
};

/* Keys about a stream's encoding, not its content. */
static const char *const encoding_keys[] = {
	"/Length", "/Filter", "/DecodeParms", "/DL",
};

static bool
in_list(const char *key, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(key, list[i]) == 0)
			return true;
	return false;
}

/* ---- the id maps ---- */

static uint64_t
obj_key(qpdf_data q, qpdf_oh oh)
{
	return (uint64_t)(uint32_t)qpdf_oh_get_object_id(q, oh) << 16 |
	    (uint16_t)qpdf_oh_get_generation(q, oh);
}

static size_t
slot(const struct idmap *m, uint64_t k)
{
	uint64_t h = (k + 1) * 0x9E3779B97F4A7C15ull;
	size_t i = (size_t)(h >> 17) & (m->cap - 1);

	while (m->k[i] != 0 && m->k[i] != k + 1)
		i = (i + 1) & (m->cap - 1);
	return i;
}

/* The value paired with k, or UINT64_MAX. */
static uint64_t
map_get(const struct idmap *m, uint64_t k)
{
	size_t i;

	if (m->cap == 0)
		return UINT64_MAX;
	i = slot(m, k);
	return m->k[i] == 0 ? UINT64_MAX : m->v[i];
}

static bool
map_put(struct idmap *m, uint64_t k, uint64_t v)
{
	size_t i, j;

	if (2 * (m->n + 1) > m->cap) {
		struct idmap g = { NULL, NULL, m->cap ? 2 * m->cap : 256, 0 };

		g.k = calloc(g.cap, sizeof(*g.k));
		g.v = calloc(g.cap, sizeof(*g.v));
		if (g.k == NULL || g.v == NULL) {
			free(g.k);
			free(g.v);
			return false;
		}
		for (j = 0; j < m->cap; j++)
			if (m->k[j] != 0) {
				i = slot(&g, m->k[j] - 1);
				g.k[i] = m->k[j];
				g.v[i] = m->v[j];
				g.n++;
			}
		free(m->k);
		free(m->v);
		*m = g;
	}
	i = slot(m, k);
	if (m->k[i] == 0)
		m->n++;
	m->k[i] = k + 1;
	m->v[i] = v;
	return true;
}

static void
map_free(struct idmap *m)
{
	free(m->k);
	free(m->v);
	memset(m, 0, sizeof(*m));
}

/* ---- findings ---- */

/* The path to print: at most 300 bytes, no space at the end. */
static int
path_len(const struct cmp *c)
{
	size_t n = c->plen < 300 ? c->plen : 300;

	while (n > 0 && c->path[n - 1] == ' ')
		n--;
	return (int)n;
}

/* Records a difference at the current path; the first one is kept. */
static void __attribute__((format(printf, 2, 3)))
differ(struct cmp *c, const char *fmt, ...)
{
	char why[HS_ERRLEN];
	va_list ap;

	if (c->out->ndiffs++ > 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(c->out->what, sizeof(c->out->what), "%.*s%s%.200s",
	    path_len(c), c->path, c->plen > 0 ? ": " : "", why);
}

/* Notes something left uncompared; the first reason is kept. */
static void __attribute__((format(printf, 2, 3)))
partial(struct cmp *c, const char *fmt, ...)
{
	char why[HS_ERRLEN];
	va_list ap;

	if (c->partial)
		return;
	c->partial = true;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(c->partial_why, sizeof(c->partial_why), "%.*s%s%.200s",
	    path_len(c), c->path, c->plen > 0 ? ": " : "", why);
}

/* Appends to the path; returns the old length for path_pop. */
static size_t __attribute__((format(printf, 2, 3)))
path_push(struct cmp *c, const char *fmt, ...)
{
	size_t old = c->plen;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(c->path + c->plen, sizeof(c->path) - c->plen, fmt, ap);
	va_end(ap);
	if (n > 0)
		c->plen += (size_t)n < sizeof(c->path) - c->plen ? (size_t)n :
		    sizeof(c->path) - c->plen - 1;
	return old;
}

static void
path_pop(struct cmp *c, size_t old)
{
	c->plen = old;
	c->path[old] = '\0';
}

/* ---- streams ---- */

/*
 * The stream's data decoded into *out (caller frees), at most max bytes:
 * 1 decoded, 0 when it is longer than max (out holds max + 1 bytes),
 * -1 when it cannot be decoded here (why says so).
 */
static int
stream_decode(qpdf_data q, qpdf_oh st, size_t max, unsigned char **out,
    size_t *olen, const char **why)
{
	qpdf_oh dict, f, parms;
	unsigned char *raw = NULL, *buf = NULL;
	size_t rlen = 0;
	int flate = 0, r = -1;
	QPDF_BOOL filtered;
	z_stream z;

	*out = NULL;
	*olen = 0;
	dict = qpdf_oh_get_dict(q, st);
	f = qpdf_oh_get_key(q, dict, "/Filter");
	if (qpdf_oh_is_array(q, f) && qpdf_oh_get_array_n_items(q, f) == 1)
		f = qpdf_oh_get_array_item(q, f, 0);
	if (qpdf_oh_is_name_and_equals(q, f, "/FlateDecode"))
		flate = 1;
	else if (!qpdf_oh_is_null(q, f) && !(qpdf_oh_is_array(q, f) &&
	    qpdf_oh_get_array_n_items(q, f) == 0)) {
		*why = "a stream uses a filter this verifier does not decode";
		return -1;
	}
	/* pdf_render writes none; predictors are not decoded here. */
	parms = qpdf_oh_get_key(q, dict, "/DecodeParms");
	if (!qpdf_oh_is_null(q, parms)) {
		*why = "a stream has decode parameters";
		return -1;
	}
	if (qpdf_oh_get_stream_data(q, st, qpdf_dl_none, &filtered, &raw,
	    &rlen) & QPDF_ERRORS) {
		if (qpdf_has_error(q))
			(void)qpdf_get_error(q);
		free(raw);
		*why = "a stream cannot be read";
		return -1;
	}
	if (!flate) {
		*out = raw;
		*olen = rlen;
		return rlen <= max ? 1 : 0;
	}
	if ((buf = malloc(max + 1)) == NULL) {
		free(raw);
		*why = "out of memory";
		return -1;
	}
	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK) {
		free(raw);
		free(buf);
		*why = "out of memory";
		return -1;
	}
	z.next_in = raw;
	z.avail_in = (uInt)(rlen > UINT32_MAX ? UINT32_MAX : rlen);
	z.next_out = buf;
	z.avail_out = (uInt)(max + 1);
	switch (inflate(&z, Z_FINISH)) {
	case Z_STREAM_END:
		r = z.total_out <= max ? 1 : 0;
		break;
	case Z_BUF_ERROR:
		/* Output full: longer than max. Input short: damaged. */
		if (z.avail_out == 0) {
			r = 0;
			break;
		}
		/* FALLTHROUGH */
	default:
		*why = "a stream's compressed data is damaged";
		r = -1;
	}
	*olen = z.total_out;
	inflateEnd(&z);
	free(raw);
	if (r < 0) {
		free(buf);
		return -1;
	}
	*out = buf;
	return r;
}

/*
 * A page's content stream whose bytes differ from the reference's may
 * still draw the same: the same operators and operands, only white space
 * and comments otherwise (qpdf --qdf rewrites them so). The file's side
 * is decoded to at most 4 times the reference's plus 64 KB.
 */
static bool
same_ops(struct cmp *c, qpdf_oh x, const unsigned char *dy, size_t ly)
{
	unsigned char *dx = NULL;
	size_t lx;
	const char *why = NULL;
	struct buf ox, oy, tx;
	bool complete = true, same;

	if (memmem(c->path, c->plen, "/Contents", 9) == NULL ||
	    ly > PDFCMP_REF_DATA_MAX / 4)
		return false;
	if (stream_decode(c->a, x, 4 * ly + 65536, &dx, &lx, &why) != 1) {
		free(dx);
		return false;
	}
	buf_init(&ox);
	buf_init(&oy);
	buf_init(&tx);
	pdftext_page((const char *)dx, lx, NULL, &tx, &ox, &complete);
	buf_reset(&tx);
	pdftext_page((const char *)dy, ly, NULL, &tx, &oy, &complete);
	same = !ox.oom && !oy.oom && ox.len == oy.len && ox.len > 0 &&
	    memcmp(ox.data, oy.data, ox.len) == 0;
	buf_free(&ox);
	buf_free(&oy);
	buf_free(&tx);
	free(dx);
	return same;
}

/* Compares the data of two streams. */
static void
cmp_stream_data(struct cmp *c, qpdf_oh x, qpdf_oh y)
{
	unsigned char *dx = NULL, *dy = NULL;
	size_t lx, ly;
	const char *why = NULL;
	int rx, ry;

	/* The reference is ours and small; it bounds the file's side. */
	ry = stream_decode(c->b, y, PDFCMP_REF_DATA_MAX - c->ref_data, &dy,
	    &ly, &why);
	if (ry != 1) {
		partial(c, "the reference cannot be decoded (%s)", ry < 0 ?
		    why : "too large");
		goto out;
	}
	c->ref_data += ly;
	rx = stream_decode(c->a, x, ly, &dx, &lx, &why);
	if (rx < 0) {
		partial(c, "%s", why);
		goto out;
	}
	if ((rx == 0 || lx != ly || memcmp(dx, dy, ly) != 0) &&
	    !same_ops(c, x, dy, ly))
		differ(c, "the data differs");
out:
	free(dx);
	free(dy);
}

/* ---- values ---- */

static void cmp_value(struct cmp *c, qpdf_oh x, qpdf_oh y, int depth);

/*
 * The keys of a dictionary, copied (qpdf's iterator is not reentrant):
 * *keys (caller frees) and *n. False when out of memory; *over when the
 * dictionary has more than KEYS_MAX keys or one of KEY_LEN bytes or more.
 */
static bool
dict_keys(qpdf_data q, qpdf_oh d, char (**keys)[KEY_LEN], size_t *n,
    bool *over)
{
	char (*nk)[KEY_LEN];
	size_t cap = 0, kl;
	const char *k;

	*keys = NULL;
	*n = 0;
	*over = false;
	qpdf_oh_begin_dict_key_iter(q, d);
	while (qpdf_oh_dict_more_keys(q)) {
		k = qpdf_oh_dict_next_key(q);
		kl = strlen(k);
		if (*n == KEYS_MAX || kl >= KEY_LEN) {
			*over = true;
			return true;
		}
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			if ((nk = realloc(*keys, cap * KEY_LEN)) == NULL) {
				free(*keys);
				*keys = NULL;
				*n = 0;
				return false;
			}
			*keys = nk;
		}
		memcpy((*keys)[(*n)++], k, kl + 1);
	}
	return true;
}

static bool
has_key(char (*keys)[KEY_LEN], size_t n, const char *k)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(keys[i], k) == 0)
			return true;
	return false;
}

/* Compares two dictionaries (of streams too: stream = true). */
static void
cmp_dict(struct cmp *c, qpdf_oh x, qpdf_oh y, int depth, bool stream)
{
	char (*kx)[KEY_LEN] = NULL, (*ky)[KEY_LEN] = NULL;
	size_t nx = 0, ny = 0, i, old;
	bool ox, oy;
	qpdf_oh vx, vy;

	if (!dict_keys(c->a, x, &kx, &nx, &ox) ||
	    !dict_keys(c->b, y, &ky, &ny, &oy)) {
		c->nomem = true;
		goto out;
	}
	if (ox || oy) {
		partial(c, "a dictionary has too many or too long keys");
		goto out;
	}

	for (i = 0; i < nx; i++) {
		/* /Parent: the page tree is walked from the catalog. */
		if (strcmp(kx[i], "/Parent") == 0 ||
		    (stream && in_list(kx[i], encoding_keys,
		    sizeof(encoding_keys) / sizeof(encoding_keys[0]))))
			continue;
		if (!has_key(ky, ny, kx[i])) {
			differ(c, "%s was added", kx[i]);
			if (in_list(kx[i], foreign_keys, sizeof(foreign_keys) /
			    sizeof(foreign_keys[0])))
				c->out->foreign = true;
			continue;
		}
		vx = qpdf_oh_get_key(c->a, x, kx[i]);
		vy = qpdf_oh_get_key(c->b, y, kx[i]);
		old = path_push(c, "%s", kx[i]);
		cmp_value(c, vx, vy, depth + 1);
		path_pop(c, old);
		qpdf_oh_release(c->a, vx);
		qpdf_oh_release(c->b, vy);
	}
	for (i = 0; i < ny; i++)
		if (strcmp(ky[i], "/Parent") != 0 && !(stream &&
		    in_list(ky[i], encoding_keys, sizeof(encoding_keys) /
		    sizeof(encoding_keys[0]))) && !has_key(kx, nx, ky[i]))
			differ(c, "%s was removed", ky[i]);
out:
	free(kx);
	free(ky);
}

static void
cmp_value(struct cmp *c, qpdf_oh x, qpdf_oh y, int depth)
{
	enum qpdf_object_type_e tx, ty;
	const char *sx, *sy;
	size_t lx, ly, i, old;
	int n;

	if (c->nomem || c->budget == 0) {
		partial(c, "the document has more than %d values",
		    PDFCMP_MAX_VALUES);
		return;
	}
	c->budget--;
	if (depth > DEPTH_MAX) {
		partial(c, "objects nest more than %d deep", DEPTH_MAX);
		return;
	}
	/* Pair indirect objects; a pair seen before is done. */
	if (qpdf_oh_is_indirect(c->a, x) && qpdf_oh_is_indirect(c->b, y)) {
		uint64_t ka = obj_key(c->a, x), kb = obj_key(c->b, y);
		uint64_t pa = map_get(&c->ab, ka), pb = map_get(&c->ba, kb);

		if (pa == kb && pb == ka)
			return;
		if (pa != UINT64_MAX || pb != UINT64_MAX) {
			differ(c, "the objects are shared differently");
			return;
		}
		if (!map_put(&c->ab, ka, kb) || !map_put(&c->ba, kb, ka)) {
			c->nomem = true;
			return;
		}
	}
	tx = qpdf_oh_get_type_code(c->a, x);
	ty = qpdf_oh_get_type_code(c->b, y);
	if ((tx == ot_integer || tx == ot_real) &&
	    (ty == ot_integer || ty == ot_real)) {
		if (qpdf_oh_get_numeric_value(c->a, x) !=
		    qpdf_oh_get_numeric_value(c->b, y))
			differ(c, "the number differs");
		return;
	}
	if (tx != ty) {
		differ(c, "a %s instead of a %s", qpdf_oh_get_type_name(c->a, x),
		    qpdf_oh_get_type_name(c->b, y));
		return;
	}
	switch (tx) {
	case ot_null:
		return;
	case ot_boolean:
		if (!qpdf_oh_get_bool_value(c->a, x) !=
		    !qpdf_oh_get_bool_value(c->b, y))
			differ(c, "the value differs");
		return;
	case ot_name:
		sx = qpdf_oh_get_name(c->a, x);
		sy = qpdf_oh_get_name(c->b, y);
		if (strcmp(sx, sy) != 0)
			differ(c, "the name differs");
		return;
	case ot_string:
		sx = qpdf_oh_get_binary_string_value(c->a, x, &lx);
		sy = qpdf_oh_get_binary_string_value(c->b, y, &ly);
		if (lx != ly || memcmp(sx, sy, lx) != 0)
			differ(c, "the text differs");
		return;
	case ot_array:
		n = qpdf_oh_get_array_n_items(c->a, x);
		if (n != qpdf_oh_get_array_n_items(c->b, y)) {
			differ(c, "the array has %d items instead of %d", n,
			    qpdf_oh_get_array_n_items(c->b, y));
			return;
		}
		for (i = 0; i < (size_t)n && !c->nomem; i++) {
			qpdf_oh ix = qpdf_oh_get_array_item(c->a, x, (int)i);
			qpdf_oh iy = qpdf_oh_get_array_item(c->b, y, (int)i);

			old = path_push(c, "[%zu]", i);
			cmp_value(c, ix, iy, depth + 1);
			path_pop(c, old);
			qpdf_oh_release(c->a, ix);
			qpdf_oh_release(c->b, iy);
		}
		return;
	case ot_dictionary:
		cmp_dict(c, x, y, depth, false);
		return;
	case ot_stream: {
		qpdf_oh dx = qpdf_oh_get_dict(c->a, x);
		qpdf_oh dy = qpdf_oh_get_dict(c->b, y);

		cmp_dict(c, dx, dy, depth, true);
		qpdf_oh_release(c->a, dx);
		qpdf_oh_release(c->b, dy);
		cmp_stream_data(c, x, y);
		return;
	}
	default:
		partial(c, "an object of type %s cannot be compared",
		    qpdf_oh_get_type_name(c->a, x));
		return;
	}
}

/* ---- the fonts of both documents, by name ---- */

#define FONTS_MAX 64

/* A font descriptor: its subset's name and its embedded program. */
struct font {
	char name[KEY_LEN];   /* "WIHTWR+WenQuanYiMicroHei" */
	const char *base;     /* the name without the subset tag */
	qpdf_oh program;      /* /FontFile* stream, 0 if none */
};

struct fonts {
	struct font f[FONTS_MAX];
	size_t n;
};

/*
 * Collects the font descriptors among the first PDFCMP_MAX_VALUES objects
 * of q, wherever they are used (a page, a Form XObject, nowhere).
 */
static void
font_set(qpdf_data q, struct fonts *fs)
{
	static const char *const keys[] = {
		"/FontFile2", "/FontFile", "/FontFile3",
	};
	qpdf_oh tr, sz, o, t, fn, ff;
	long long size;
	const char *name, *plus;
	struct font *f;
	size_t i;
	int id;

	memset(fs, 0, sizeof(*fs));
	tr = qpdf_get_trailer(q);
	sz = qpdf_oh_get_key(q, tr, "/Size");
	size = qpdf_oh_is_integer(q, sz) ? qpdf_oh_get_int_value(q, sz) : 0;
	if (size > PDFCMP_MAX_VALUES)
		size = PDFCMP_MAX_VALUES;
	for (id = 1; id < size && fs->n < FONTS_MAX; id++) {
		o = qpdf_get_object_by_id(q, id, 0);
		t = qpdf_oh_get_key_if_dict(q, o, "/Type");
		fn = qpdf_oh_get_key_if_dict(q, o, "/FontName");
		if (qpdf_oh_is_name_and_equals(q, t, "/FontDescriptor") &&
		    qpdf_oh_is_name(q, fn) &&
		    strlen(name = qpdf_oh_get_name(q, fn)) < KEY_LEN) {
			f = &fs->f[fs->n++];
			memcpy(f->name, name, strlen(name) + 1);
			plus = strchr(f->name, '+');
			f->base = plus != NULL ? plus + 1 : f->name;
			for (i = 0; i < 3 && f->program == 0; i++) {
				ff = qpdf_oh_get_key(q, o, keys[i]);
				if (qpdf_oh_is_stream(q, ff))
					f->program = ff;
				else
					qpdf_oh_release(q, ff);
			}
		}
		qpdf_oh_release(q, fn);
		qpdf_oh_release(q, t);
		qpdf_oh_release(q, o);
		/* Numbers of free objects warn; keep no pile of them. */
		while (qpdf_more_warnings(q))
			(void)qpdf_next_warning(q);
	}
	if (qpdf_has_error(q))
		(void)qpdf_get_error(q);
}

/* True if some font of x has a name (without tag) no font of y has. */
static bool
font_set_extra(const struct fonts *x, const struct fonts *y)
{
	size_t i, j;

	for (i = 0; i < x->n; i++) {
		for (j = 0; j < y->n; j++)
			if (strcmp(x->f[i].base, y->f[j].base) == 0)
				break;
		if (j == y->n)
			return true;
	}
	return false;
}

/*
 * What the fonts say about where the file was made. pdf_render names a
 * subset by a hash of the font's name and its characters, so a subset of
 * the same name in both documents must have the same program if the file
 * was made with the verifier's font files: the same program is a match,
 * another one a conflict (other font files, or altered glyphs). Each side
 * using a font the other does not is a conflict too (other templates or
 * fonts; one side only is just other characters).
 */
static void
cmp_fonts(struct cmp *c, struct fonts *fa, struct fonts *fb)
{
	unsigned char *dx = NULL, *dy = NULL;
	size_t i, j, lx, ly;
	const char *why;

	font_set(c->a, fa);
	font_set(c->b, fb);
	if (font_set_extra(fa, fb) && font_set_extra(fb, fa))
		c->out->font_conflict = true;
	for (j = 0; j < fb->n; j++) {
		if (fb->f[j].program == 0 || stream_decode(c->b,
		    fb->f[j].program, PDFCMP_REF_DATA_MAX, &dy, &ly, &why) != 1) {
			free(dy);
			dy = NULL;
			continue;
		}
		for (i = 0; i < fa->n; i++) {
			if (strcmp(fa->f[i].name, fb->f[j].name) != 0)
				continue;
			if (fa->f[i].program != 0 && stream_decode(c->a,
			    fa->f[i].program, ly, &dx, &lx, &why) == 1 &&
			    lx == ly && memcmp(dx, dy, ly) == 0)
				c->out->fonts_match = true;
			else
				c->out->font_conflict = true;
			free(dx);
			dx = NULL;
		}
		free(dy);
		dy = NULL;
	}
}

/* ---- documents ---- */

static qpdf_data
open_pdf(const void *data, size_t len, const char *name)
{
	qpdf_data q = qpdf_init();

	if (q == NULL)
		return NULL;
	qpdf_silence_errors(q);
	qpdf_set_suppress_warnings(q, QPDF_TRUE);
	if (qpdf_read_memory(q, name, data, len, NULL) & QPDF_ERRORS) {
		if (qpdf_has_error(q))
			(void)qpdf_get_error(q);
		qpdf_cleanup(&q);
		return NULL;
	}
	return q;
}

enum hs_err
pdfcmp_compare(const void *file, size_t flen, const void *ref, size_t rlen,
    struct pdfcmp *out, char *err)
{
	struct cmp c;
	struct fonts *fa = NULL, *fb = NULL;
	qpdf_oh ta, tb, xa, xb;
	enum hs_err rc = HS_OK;
	int i, n;
	size_t old;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.out = out;
	c.budget = PDFCMP_MAX_VALUES;
	if ((c.b = open_pdf(ref, rlen, "reference")) == NULL) {
		rc = hs_fail(err, HS_ERR_FORMAT, "the re-rendered certificate "
		    "cannot be read back");
		goto out;
	}
	if ((c.a = open_pdf(file, flen, "file")) == NULL) {
		out->result = PDFCMP_UNCOMPARABLE;
		snprintf(out->what, sizeof(out->what), "qpdf cannot read the "
		    "file");
		goto out;
	}
	/* Inherited page attributes count as the page's own. */
	if ((qpdf_push_inherited_attributes_to_page(c.a) & QPDF_ERRORS) ||
	    (qpdf_push_inherited_attributes_to_page(c.b) & QPDF_ERRORS)) {
		if (qpdf_has_error(c.a))
			(void)qpdf_get_error(c.a);
		if (qpdf_has_error(c.b))
			(void)qpdf_get_error(c.b);
		partial(&c, "the page tree cannot be read");
	}
	out->npages = qpdf_get_num_pages(c.a);
	out->ref_npages = n = qpdf_get_num_pages(c.b);
	if (out->npages < 0 || n <= 0) {
		partial(&c, "the page tree cannot be read");
		n = 0;
	} else if (out->npages != n) {
		differ(&c, "the file has %d page%s, the certificate rendered "
		    "from its note %d", out->npages, out->npages == 1 ? "" :
		    "s", n);
		if (out->npages < n)
			n = out->npages;
	}
	for (i = 0; i < n && !c.nomem; i++) {
		old = path_push(&c, "page %d ", i + 1);
		xa = qpdf_get_page_n(c.a, (size_t)i);
		xb = qpdf_get_page_n(c.b, (size_t)i);
		cmp_value(&c, xa, xb, 0);
		path_pop(&c, old);
	}
	ta = qpdf_get_trailer(c.a);
	tb = qpdf_get_trailer(c.b);
	old = path_push(&c, "document catalog ");
	xa = qpdf_oh_get_key(c.a, ta, "/Root");
	xb = qpdf_oh_get_key(c.b, tb, "/Root");
	cmp_value(&c, xa, xb, 0);
	path_pop(&c, old);
	old = path_push(&c, "document information ");
	xa = qpdf_oh_get_key(c.a, ta, "/Info");
	xb = qpdf_oh_get_key(c.b, tb, "/Info");
	cmp_value(&c, xa, xb, 0);
	path_pop(&c, old);
	/* qpdf repaired something: a reader may see another document. */
	if (qpdf_more_warnings(c.a))
		partial(&c, "the file is damaged (qpdf had to repair it)");
	/* (Looking objects up by number may warn of free ones: after.) */
	if ((fa = malloc(sizeof(*fa))) == NULL ||
	    (fb = malloc(sizeof(*fb))) == NULL)
		c.nomem = true;
	else
		cmp_fonts(&c, fa, fb);
	if (qpdf_has_error(c.a))
		(void)qpdf_get_error(c.a);
	if (c.nomem) {
		rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (out->ndiffs > 0) {
		out->result = PDFCMP_DIFFERENT;
	} else if (c.partial) {
		out->result = PDFCMP_UNCOMPARABLE;
		snprintf(out->what, sizeof(out->what), "%s", c.partial_why);
	} else {
		out->result = PDFCMP_SAME;
	}
out:
	free(fa);
	free(fb);
	map_free(&c.ab);
	map_free(&c.ba);
	if (c.a != NULL)
		qpdf_cleanup(&c.a);
	if (c.b != NULL)
		qpdf_cleanup(&c.b);
	return rc;
}
