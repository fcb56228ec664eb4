/*
 * pdf.c - certificate PDFs: templates, layout, fonts, QR code, seal and
 * attachments (see pdf.h and design.md §6).
 *
 * libharu 2.3.0 writes the document: objects, pages, graphics, info,
 * compression. Its own TrueType/UTF-8 path is not used for text: it loses
 * glyph IDs above 32767, cannot encode characters outside the BMP and its
 * subsetting is unreliable. Instead every document's characters are subset
 * with HarfBuzz (font.h), each subset is embedded as a CIDFontType2 font
 * with Identity encoding (CID = glyph ID of the subset) and a ToUnicode
 * map, and the text operators are written into the page's content stream.
 *
 * To keep rendering fast, the characters a template always prints
 * (labels, headings) are subset and compressed once when the
 * template is loaded ("static" subsets); a document only subsets the rest
 * ("dynamic" subsets). A character is in exactly one of them.
 *
 * Rendering runs the page drawing code twice: a COLLECT pass that lays out
 * every text and records which glyphs of which face are needed (failing
 * on a character no font has), then, once the subsets exist, an EMIT pass
 * that draws. Both passes make the same layout decisions.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
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
#include <jansson.h>
#include <libdeflate.h>

#include "pdf/font.h"
#include "pdf/pdf.h"
#include "pdf/qr.h"

#define MM              (72.0 / 25.4)   /* points per millimetre */
#define MAX_ROLES       8
#define MAX_CHAIN       8
#define MAX_FACES       32
#define MAX_TEMPLATES   32
#define MAX_ELEMENTS    128
#define MAX_SPANS       16
#define MAX_COLS        12
#define MAX_TPL_BYTES   (256 * 1024)
#define MAX_TEXT        2048            /* bytes of one template text */
#define MAX_INSTS       64              /* font subsets in one document */
#define STATIC_MIN      48              /* glyphs worth a static subset */
#define Z_STATIC        12              /* libdeflate levels: once per */
#define Z_DOC           1               /* template, and per document */

/* ------------------------------------------------------------------ */
/* Templates                                                            */
/* ------------------------------------------------------------------ */

enum field {
	F_SERIAL, F_ISSUER, F_YEAR, F_NAME, F_ID, F_UNIT, F_PUBLIC,
	F_PROFESSIONAL, F_TOTAL, F_REQ_TOTAL, F_REQ_PUBLIC,
	F_REQ_PROFESSIONAL, F_STATUS, F_MISSING_TOTAL, F_MISSING_PUBLIC,
	F_MISSING_PROFESSIONAL, F_ISSUED, F_ISSUED_ZH, F_URL, F_PAGE,
	F_PAGES, F_NRECORDS, F_R_TITLE, F_R_PROVIDER, F_R_SUBJECT, F_R_FORM,
	F_R_START, F_R_END, F_R_DATES, F_R_HOURS,
	F_COUNT
};

static const char *const field_names[F_COUNT] = {
	"serial", "issuer", "year", "name", "id", "unit", "public",
	"professional", "total", "req_total", "req_public",
	"req_professional", "status", "missing_total", "missing_public",
	"missing_professional", "issued", "issued_zh", "url", "page",
	"pages", "records", "record.title", "record.provider",
	"record.subject", "record.form", "record.start", "record.end",
	"record.dates", "record.hours",
};

enum col_field {
	C_INDEX, C_SUBJECT, C_FORM, C_TITLE, C_PROVIDER, C_START, C_END,
	C_DATES, C_HOURS, C_COUNT
};

static const char *const col_names[C_COUNT + 1] = {
	"index", "subject", "form", "title", "provider", "start", "end",
	"dates", "hours", NULL,
};

static const char *const subject_keys[] = {
	"public", "public/compulsory", "public/elective", "professional",
};
#define NSUBJECTS 4
static const char *const form_keys[] = {
	"online", "face-to-face", "industry", "employer", "practice",
	"degree", "academic", "achievement", "other",
};
#define NFORMS 9

enum el_type { EL_TEXT, EL_LINE, EL_RECT, EL_QR, EL_SEAL, EL_TABLE };
enum el_on { ON_ALL, ON_FIRST, ON_LAST, ON_CONTINUED, ON_NOTLAST };
enum el_when { WHEN_ALWAYS, WHEN_MET, WHEN_UNMET };
enum align { AL_LEFT, AL_CENTER, AL_RIGHT };

struct span {
	char *text;             /* with {field} placeholders */
	int role;
	double size;            /* pt */
	uint32_t color;         /* 0xRRGGBB */
};

struct column {
	char *title;            /* literal, "\n" breaks lines */
	enum col_field field;
	double width;           /* mm */
	enum align align;
	int role;
};

struct table {
	double x, y, y_cont, bottom, bottom_notlast;    /* mm */
	double size, header_size, leading, pad;
	double line_width;              /* pt */
	uint32_t color, header_fill, text_color;
	int header_role, role;
	struct column cols[MAX_COLS];
	size_t ncols;
};

struct element {
	enum el_type type;
	enum el_on on;
	enum el_when when;
	double x, y, w, h, x2, y2;      /* mm */
	double size, min_size, leading, line_width, spacing;
	int max_lines;
	bool grow_up;           /* y is the last line's baseline */
	enum align align;
	uint32_t color, fill;
	bool has_fill;
	struct span spans[MAX_SPANS];
	size_t nspans;
	char *top, *bottom;             /* seal texts */
	int role;
};

/* A subset cut once per template for the text it always prints. */
struct sinst {
	int face;
	size_t n;
	uint32_t *cps;          /* sorted */
	uint32_t *newgid;
	int *adv;
	uint8_t *ttf_z, *tu_z;  /* deflated font and ToUnicode CMap */
	size_t ttf_zlen, ttf_len, tu_zlen;
	char base[96];          /* TAG+PSName */
};

struct role {
	char name[32];
	int faces[MAX_CHAIN];
	size_t nfaces;
};

enum { LBL_SUBJECT, LBL_FORM, LBL_STATUS, LBL_EMPTY, LBL_DATESEP,
	LBL_COUNT };

struct tpl {
	char name[64];
	char file[80];          /* "annual.json", for messages */
	int kind;               /* -1 any, else enum cert_kind */
	double pw, ph;          /* page size, mm */
	char *title;            /* document info title */
	struct role roles[MAX_ROLES];
	size_t nroles;
	char *subject[NSUBJECTS], *form[NFORMS];
	char *met, *unmet, *empty, *date_sep;
	unsigned label_roles[LBL_COUNT];        /* role bit masks */
	struct element els[MAX_ELEMENTS];
	size_t nels;
	struct table table;
	bool has_table;
	size_t table_at;        /* drawn before els[table_at] */
	struct sinst *statics[MAX_FACES];       /* by face */
};

struct pdf_renderer {
	char dir[512];
	struct font_face *faces[MAX_FACES];
	char face_keys[MAX_FACES][620];
	size_t nfaces;
	struct tpl *tpls[MAX_TEMPLATES];
	size_t ntpls;
};

/* ------------------------------------------------------------------ */
/* Small helpers                                                        */
/* ------------------------------------------------------------------ */

static size_t
utf8_put(uint32_t cp, char out[5])
{
	size_t n;

	if (cp < 0x80) {
		out[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		out[0] = (char)(0xC0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		out[0] = (char)(0xE0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		out[0] = (char)(0xF0 | cp >> 18);
		out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
		out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
		out[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	out[n] = '\0';
	return n;
}

/*
 * Deflates p[0..n) into *out (malloc'd) as a zlib stream (FlateDecode).
 * libdeflate: several times faster than zlib at the same ratio, and
 * compressing fonts is most of the cost of a certificate.
 */
static enum hs_err
deflate_buf(struct libdeflate_compressor *zc, const void *p, size_t n,
    uint8_t **out, size_t *outlen, char *err)
{
	size_t cap = libdeflate_zlib_compress_bound(zc, n);
	uint8_t *z = malloc(cap);

	*out = NULL;
	if (z == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	if ((*outlen = libdeflate_zlib_compress(zc, p, n, z, cap)) == 0) {
		free(z);
		return hs_fail(err, HS_ERR_NOMEM, "deflate failed");
	}
	*out = z;
	return HS_OK;
}

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
puthex4(struct buf *b, uint32_t v)
{
	static const char hex[] = "0123456789ABCDEF";
	char s[4];

	s[0] = hex[v >> 12 & 15];
	s[1] = hex[v >> 8 & 15];
	s[2] = hex[v >> 4 & 15];
	s[3] = hex[v & 15];
	buf_add(b, s, 4);
}

/* ------------------------------------------------------------------ */
/* A tiny hash map: uint64 key -> uint32 value                          */
/* ------------------------------------------------------------------ */

struct map {
	uint64_t *keys;
	uint32_t *vals;         /* 0 = empty slot, else value + 1 */
	size_t cap, n;
};

static size_t
map_hash(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return (size_t)k;
}

static bool
map_get(const struct map *m, uint64_t k, uint32_t *v)
{
	size_t i;

	if (m->cap == 0)
		return false;
	for (i = map_hash(k) & (m->cap - 1); m->vals[i] != 0;
	    i = (i + 1) & (m->cap - 1)) {
		if (m->keys[i] == k) {
			*v = m->vals[i] - 1;
			return true;
		}
	}
	return false;
}

static bool
map_put(struct map *m, uint64_t k, uint32_t v)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap) {
		struct map g = { 0 };
		size_t j;

		g.cap = m->cap ? m->cap * 2 : 64;
		g.keys = calloc(g.cap, sizeof(*g.keys));
		g.vals = calloc(g.cap, sizeof(*g.vals));
		if (g.keys == NULL || g.vals == NULL) {
			free(g.keys);
			free(g.vals);
			return false;
		}
		for (j = 0; j < m->cap; j++) {
			if (m->vals[j] == 0)
				continue;
			for (i = map_hash(m->keys[j]) & (g.cap - 1);
			    g.vals[i] != 0; i = (i + 1) & (g.cap - 1))
				;
			g.keys[i] = m->keys[j];
			g.vals[i] = m->vals[j];
		}
		g.n = m->n;
		free(m->keys);
		free(m->vals);
		*m = g;
	}
	for (i = map_hash(k) & (m->cap - 1); m->vals[i] != 0;
	    i = (i + 1) & (m->cap - 1)) {
		if (m->keys[i] == k) {
			m->vals[i] = v + 1;
			return true;
		}
	}
	m->keys[i] = k;
	m->vals[i] = v + 1;
	m->n++;
	return true;
}

static void
map_free(struct map *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

/* ------------------------------------------------------------------ */
/* Text templates: "{field}" placeholders, "{{" and "}}" for braces     */
/* ------------------------------------------------------------------ */

static int
field_lookup(const char *s, size_t n)
{
	int i;

	for (i = 0; i < F_COUNT; i++)
		if (strlen(field_names[i]) == n &&
		    memcmp(field_names[i], s, n) == 0)
			return i;
	return -1;
}

/*
 * Walks template text s. For each literal piece calls lit(ctx, p, n), for
 * each field fld(ctx, field). Returns -1 and a message in err (HS_ERRLEN)
 * for an unknown field or unbalanced brace.
 */
static int
tmpl_walk(const char *s, void *ctx,
    int (*lit)(void *, const char *, size_t),
    int (*fld)(void *, int), char *err)
{
	const char *p = s, *q;

	while (*p != '\0') {
		if (p[0] == '{' && p[1] == '{') {
			if (lit(ctx, p, 1) != 0)
				return -1;
			p += 2;
		} else if (p[0] == '}' && p[1] == '}') {
			if (lit(ctx, p, 1) != 0)
				return -1;
			p += 2;
		} else if (p[0] == '}') {
			hs_fail(err, HS_ERR_FORMAT, "a lone '}' (write '}}')");
			return -1;
		} else if (p[0] == '{') {
			int f;

			if ((q = strchr(p, '}')) == NULL) {
				hs_fail(err, HS_ERR_FORMAT,
				    "unclosed '{' (write '{{' for a brace)");
				return -1;
			}
			if ((f = field_lookup(p + 1, (size_t)(q - p - 1))) < 0) {
				hs_fail(err, HS_ERR_FORMAT,
				    "unknown field {%.*s}", (int)(q - p - 1),
				    p + 1);
				return -1;
			}
			if (fld(ctx, f) != 0)
				return -1;
			p = q + 1;
		} else {
			size_t n = strcspn(p, "{}");

			if (lit(ctx, p, n) != 0)
				return -1;
			p += n;
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Font resolution (shared by template checks and rendering)            */
/* ------------------------------------------------------------------ */

static void
chain_names(const struct pdf_renderer *r, const struct role *ro, char *out,
    size_t cap)
{
	size_t i, o = 0;

	out[0] = '\0';
	for (i = 0; i < ro->nfaces && o < cap; i++) {
		const char *l = font_face_label(r->faces[ro->faces[i]]);
		const char *b = strrchr(l, '/');
		int n = snprintf(out + o, cap - o, "%s%s", i ? ", " : "",
		    b ? b + 1 : l);

		if (n < 0)
			break;
		o += (size_t)n;
	}
}

/* First face of role's chain that draws cp, or -1. */
static int
resolve_face(const struct pdf_renderer *r, const struct role *ro,
    uint32_t cp, uint32_t *gid)
{
	size_t i;

	for (i = 0; i < ro->nfaces; i++)
		if (font_face_glyph(r->faces[ro->faces[i]], cp, gid))
			return ro->faces[i];
	return -1;
}

static enum hs_err
missing_char(const struct pdf_renderer *r, const struct role *ro,
    uint32_t cp, const char *src, char *err)
{
	char chain[300], ch[5];

	chain_names(r, ro, chain, sizeof(chain));
	utf8_put(cp, ch);
	return hs_fail(err, HS_ERR_FONT, "%s: U+%04X (%s) is in no font of "
	    "role \"%s\" (%s)", src, (unsigned)cp, ch, ro->name, chain);
}

static bool
is_break_space(uint32_t cp)
{
	return cp == ' ' || cp == 0x3000;
}

/* ------------------------------------------------------------------ */
/* Template loading                                                     */
/* ------------------------------------------------------------------ */

struct jctx {
	struct pdf_renderer *r;
	struct tpl *t;
	char *err;
};

static enum hs_err
jfail(struct jctx *j, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum hs_err
jfail(struct jctx *j, const char *path, const char *fmt, ...)
{
	char msg[HS_ERRLEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return hs_fail(j->err, HS_ERR_FORMAT, "%s: %s: %s", j->t->file, path,
	    msg);
}

/* Every key of o must be in allowed (NULL-terminated). */
static enum hs_err
check_keys(struct jctx *j, json_t *o, const char *path,
    const char *const *allowed)
{
	const char *k;
	json_t *v;
	size_t i;

	if (!json_is_object(o))
		return jfail(j, path, "must be an object");
	json_object_foreach(o, k, v) {
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(k, allowed[i]) == 0)
				break;
		if (allowed[i] == NULL)
			return jfail(j, path, "unknown key \"%s\"", k);
	}
	return HS_OK;
}

static enum hs_err
get_num(struct jctx *j, json_t *o, const char *key, const char *path,
    bool required, double def, double lo, double hi, double *out)
{
	json_t *v = json_object_get(o, key);

	if (v == NULL) {
		if (required)
			return jfail(j, path, "\"%s\" is required", key);
		*out = def;
		return HS_OK;
	}
	if (!json_is_number(v))
		return jfail(j, path, "\"%s\" must be a number", key);
	*out = json_number_value(v);
	if (!(*out >= lo && *out <= hi))
		return jfail(j, path, "\"%s\" is %g, must be %g..%g", key,
		    *out, lo, hi);
	return HS_OK;
}

static enum hs_err
get_str(struct jctx *j, json_t *o, const char *key, const char *path,
    bool required, const char *def, char **out)
{
	json_t *v = json_object_get(o, key);
	const char *s;
	size_t n;

	*out = NULL;
	if (v == NULL) {
		if (required)
			return jfail(j, path, "\"%s\" is required", key);
		if (def == NULL)
			return HS_OK;
		s = def;
	} else {
		if (!json_is_string(v))
			return jfail(j, path, "\"%s\" must be a string", key);
		s = json_string_value(v);
	}
	n = strlen(s);
	if (n > MAX_TEXT)
		return jfail(j, path, "\"%s\" is longer than %d bytes", key,
		    MAX_TEXT);
	if (!utf8_valid(s, n))
		return jfail(j, path, "\"%s\" is not valid UTF-8", key);
	/* Newlines are hard line breaks; other control characters never. */
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] < 0x20 && s[i] != '\n') ||
		    s[i] == 0x7f)
			return jfail(j, path, "\"%s\" has a control character",
			    key);
	if ((*out = strdup(s)) == NULL)
		return hs_fail(j->err, HS_ERR_NOMEM, "out of memory");
	return HS_OK;
}

static enum hs_err
get_color(struct jctx *j, json_t *o, const char *key, const char *path,
    uint32_t def, uint32_t *out, bool *present)
{
	json_t *v = json_object_get(o, key);
	const char *s;
	uint8_t rgb[3];

	if (present != NULL)
		*present = v != NULL;
	if (v == NULL) {
		*out = def;
		return HS_OK;
	}
	if (!json_is_string(v) || strlen(s = json_string_value(v)) != 7 ||
	    s[0] != '#' || hex_decode(s + 1, rgb, 3) != 0)
		return jfail(j, path, "\"%s\" must be a colour \"#rrggbb\"",
		    key);
	*out = (uint32_t)rgb[0] << 16 | (uint32_t)rgb[1] << 8 | rgb[2];
	return HS_OK;
}

static int
role_lookup(const struct tpl *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->nroles; i++)
		if (strcmp(t->roles[i].name, name) == 0)
			return (int)i;
	return -1;
}

static enum hs_err
get_role(struct jctx *j, json_t *o, const char *key, const char *path,
    int def, int *out)
{
	json_t *v = json_object_get(o, key);
	const char *name;

	if (v == NULL) {
		if (def < 0)
			return jfail(j, path, "no font role \"body\" for the "
			    "default font");
		*out = def;
		return HS_OK;
	}
	if (!json_is_string(v))
		return jfail(j, path, "\"%s\" must be a font role name", key);
	name = json_string_value(v);
	if ((*out = role_lookup(j->t, name)) < 0)
		return jfail(j, path, "unknown font role \"%s\"", name);
	return HS_OK;
}

static enum hs_err
get_enum(struct jctx *j, json_t *o, const char *key, const char *path,
    const char *const *names, int def, int *out)
{
	json_t *v = json_object_get(o, key);
	const char *s;
	int i;

	if (v == NULL) {
		*out = def;
		return HS_OK;
	}
	if (!json_is_string(v))
		return jfail(j, path, "\"%s\" must be a string", key);
	s = json_string_value(v);
	for (i = 0; names[i] != NULL; i++) {
		if (strcmp(names[i], s) == 0) {
			*out = i;
			return HS_OK;
		}
	}
	return jfail(j, path, "\"%s\": unknown value \"%s\"", key, s);
}

/* Opens (or finds) the face for one entry of a font chain. */
static enum hs_err
load_face(struct jctx *j, json_t *v, const char *path, int *out)
{
	struct pdf_renderer *r = j->r;
	const char *file;
	char full[600], key[620], msg[HS_ERRLEN];
	json_int_t index = 0;
	enum hs_err rc;
	size_t i;
	static const char *const keys[] = { "file", "index", NULL };

	if (json_is_string(v)) {
		file = json_string_value(v);
	} else if (json_is_object(v)) {
		json_t *ix;

		if ((rc = check_keys(j, v, path, keys)) != HS_OK)
			return rc;
		if (!json_is_string(json_object_get(v, "file")))
			return jfail(j, path, "\"file\" must be a path");
		file = json_string_value(json_object_get(v, "file"));
		ix = json_object_get(v, "index");
		if (ix != NULL) {
			if (!json_is_integer(ix) || json_integer_value(ix) < 0 ||
			    json_integer_value(ix) > 255)
				return jfail(j, path, "\"index\" must be 0..255");
			index = json_integer_value(ix);
		}
	} else {
		return jfail(j, path, "must be a font file path or "
		    "{\"file\": ..., \"index\": N}");
	}
	if (file[0] == '\0')
		return jfail(j, path, "empty font path");
	if (file[0] == '/') {
		if (snprintf(full, sizeof(full), "%s", file) >=
		    (int)sizeof(full))
			return jfail(j, path, "font path too long");
	} else if (path_join(full, sizeof(full), r->dir, file, NULL) !=
	    HS_OK) {
		return jfail(j, path, "font path too long");
	}
	snprintf(key, sizeof(key), "%s#%d", full, (int)index);
	for (i = 0; i < r->nfaces; i++) {
		if (strcmp(r->face_keys[i], key) == 0) {
			*out = (int)i;
			return HS_OK;
		}
	}
	if (r->nfaces == MAX_FACES)
		return jfail(j, path, "more than %d font faces", MAX_FACES);
	if ((rc = font_face_open(full, (unsigned)index, &r->faces[r->nfaces],
	    msg)) != HS_OK)
		return hs_fail(j->err, rc, "%s: %s: %s", j->t->file, path,
		    msg);
	snprintf(r->face_keys[r->nfaces], sizeof(r->face_keys[0]), "%s",
	    key);
	*out = (int)r->nfaces++;
	return HS_OK;
}

static enum hs_err
load_fonts(struct jctx *j, json_t *fonts)
{
	struct tpl *t = j->t;
	const char *name;
	json_t *chain;
	char path[128];
	enum hs_err rc;

	if (!json_is_object(fonts) || json_object_size(fonts) == 0)
		return jfail(j, "fonts", "must map role names to font lists");
	json_object_foreach(fonts, name, chain) {
		struct role *ro;
		size_t i, nl = strlen(name);

		snprintf(path, sizeof(path), "fonts.%.60s", name);
		if (t->nroles == MAX_ROLES)
			return jfail(j, path, "more than %d roles", MAX_ROLES);
		if (nl == 0 || nl >= sizeof(ro->name) ||
		    strspn(name, "abcdefghijklmnopqrstuvwxyz_0123456789") != nl)
			return jfail(j, path, "role names are [a-z0-9_], "
			    "1..31 characters");
		if (!json_is_array(chain) || json_array_size(chain) == 0 ||
		    json_array_size(chain) > MAX_CHAIN)
			return jfail(j, path, "must be a list of 1..%d fonts",
			    MAX_CHAIN);
		ro = &t->roles[t->nroles++];
		snprintf(ro->name, sizeof(ro->name), "%s", name);
		for (i = 0; i < json_array_size(chain); i++) {
			char p2[160];

			snprintf(p2, sizeof(p2), "%s[%zu]", path, i);
			if ((rc = load_face(j, json_array_get(chain, i), p2,
			    &ro->faces[ro->nfaces])) != HS_OK)
				return rc;
			ro->nfaces++;
		}
	}
	return HS_OK;
}

static enum hs_err
load_labels(struct jctx *j, json_t *l)
{
	static const char *const keys[] = { "subject", "form", "status",
		"empty", "date_sep", NULL };
	static const char *const skeys[] = { "met", "unmet", NULL };
	struct tpl *t = j->t;
	char path[64];
	json_t *o;
	enum hs_err rc;
	size_t i;

	if ((rc = check_keys(j, l, "labels", keys)) != HS_OK)
		return rc;
	o = json_object_get(l, "subject");
	{
		static const char *const k[] = { "public", "public/compulsory",
			"public/elective", "professional", NULL };

		if ((rc = check_keys(j, o, "labels.subject", k)) != HS_OK)
			return rc;
	}
	for (i = 0; i < NSUBJECTS; i++)
		if ((rc = get_str(j, o, subject_keys[i], "labels.subject", true,
		    NULL, &t->subject[i])) != HS_OK)
			return rc;
	o = json_object_get(l, "form");
	{
		static const char *const k[] = { "online", "face-to-face",
			"industry", "employer", "practice", "degree",
			"academic", "achievement", "other", NULL };

		if ((rc = check_keys(j, o, "labels.form", k)) != HS_OK)
			return rc;
	}
	for (i = 0; i < NFORMS; i++)
		if ((rc = get_str(j, o, form_keys[i], "labels.form", true,
		    NULL, &t->form[i])) != HS_OK)
			return rc;
	o = json_object_get(l, "status");
	snprintf(path, sizeof(path), "labels.status");
	if ((rc = check_keys(j, o, path, skeys)) != HS_OK ||
	    (rc = get_str(j, o, "met", path, true, NULL, &t->met)) != HS_OK ||
	    (rc = get_str(j, o, "unmet", path, true, NULL, &t->unmet)) !=
	    HS_OK)
		return rc;
	if ((rc = get_str(j, l, "empty", "labels", false, "\u2014",
	    &t->empty)) != HS_OK ||
	    (rc = get_str(j, l, "date_sep", "labels", false, " \u2013 ",
	    &t->date_sep)) != HS_OK)
		return rc;
	return HS_OK;
}

/* Records which label sets a text template's fields print with role. */
struct fieldscan {
	struct tpl *t;
	int role;
	bool page_dependent;
	bool has_fields;
};

static int
scan_lit(void *ctx, const char *p, size_t n)
{
	(void)ctx;
	(void)p;
	(void)n;
	return 0;
}

static int
scan_fld(void *ctx, int f)
{
	struct fieldscan *s = ctx;
	unsigned bit = 1u << s->role;

	s->has_fields = true;
	s->t->label_roles[LBL_EMPTY] |= bit;
	if (f == F_STATUS)
		s->t->label_roles[LBL_STATUS] |= bit;
	if (f == F_R_SUBJECT)
		s->t->label_roles[LBL_SUBJECT] |= bit;
	if (f == F_R_FORM)
		s->t->label_roles[LBL_FORM] |= bit;
	if (f == F_R_DATES)
		s->t->label_roles[LBL_DATESEP] |= bit;
	if (f == F_PAGE || f == F_PAGES)
		s->page_dependent = true;
	return 0;
}

static enum hs_err
check_text(struct jctx *j, const char *text, int role, const char *path)
{
	struct fieldscan s = { j->t, role, false, false };
	char msg[HS_ERRLEN];

	if (tmpl_walk(text, &s, scan_lit, scan_fld, msg) != 0)
		return jfail(j, path, "%s", msg);
	return HS_OK;
}

static enum hs_err
load_spans(struct jctx *j, json_t *e, struct element *el, const char *path)
{
	static const char *const keys[] = { "text", "font", "size", "color",
		NULL };
	json_t *spans = json_object_get(e, "spans");
	json_t *text = json_object_get(e, "text");
	char p2[128];
	enum hs_err rc;
	size_t i;

	if ((spans == NULL) == (text == NULL))
		return jfail(j, path, "needs exactly one of \"text\" and "
		    "\"spans\"");
	if (text != NULL) {
		el->nspans = 1;
		el->spans[0].role = el->role;
		el->spans[0].size = el->size;
		el->spans[0].color = el->color;
		if ((rc = get_str(j, e, "text", path, true, NULL,
		    &el->spans[0].text)) != HS_OK)
			return rc;
		snprintf(p2, sizeof(p2), "%s.text", path);
		return check_text(j, el->spans[0].text, el->role, p2);
	}
	if (!json_is_array(spans) || json_array_size(spans) == 0 ||
	    json_array_size(spans) > MAX_SPANS)
		return jfail(j, path, "\"spans\" must be a list of 1..%d spans",
		    MAX_SPANS);
	for (i = 0; i < json_array_size(spans); i++) {
		json_t *s = json_array_get(spans, i);
		struct span *sp = &el->spans[i];

		snprintf(p2, sizeof(p2), "%s.spans[%zu]", path, i);
		el->nspans++;           /* so that tpl_free frees its text */
		if ((rc = check_keys(j, s, p2, keys)) != HS_OK ||
		    (rc = get_str(j, s, "text", p2, true, NULL, &sp->text)) !=
		    HS_OK ||
		    (rc = get_role(j, s, "font", p2, el->role, &sp->role)) !=
		    HS_OK ||
		    (rc = get_num(j, s, "size", p2, false, el->size, 4, 96,
		    &sp->size)) != HS_OK ||
		    (rc = get_color(j, s, "color", p2, el->color, &sp->color,
		    NULL)) != HS_OK)
			return rc;
		if ((rc = check_text(j, sp->text, sp->role, p2)) != HS_OK)
			return rc;
	}
	return HS_OK;
}

static const char *const on_names[] = { "all", "first", "last",
	"continued", "notlast", NULL };
static const char *const when_names[] = { "always", "met", "unmet", NULL };
static const char *const align_names[] = { "left", "center", "right",
	NULL };
static const char *const grow_names[] = { "down", "up", NULL };
static const char *const type_names[] = { "text", "line", "rect", "qr",
	"seal", "table", NULL };

static enum hs_err
inside(struct jctx *j, const char *path, double x0, double y0, double x1,
    double y1)
{
	const struct tpl *t = j->t;

	if (x0 < 0 || y0 < 0 || x1 > t->pw + 1e-9 || y1 > t->ph + 1e-9)
		return jfail(j, path, "off the page: spans x %.1f..%.1f, "
		    "y %.1f..%.1f mm; the page is %.0f x %.0f mm", x0, x1, y0,
		    y1, t->pw, t->ph);
	return HS_OK;
}

static enum hs_err
load_table(struct jctx *j, json_t *e, const char *path)
{
	static const char *const ckeys[] = { "title", "field", "width",
		"align", "font", NULL };
	struct tpl *t = j->t;
	struct table *tb = &t->table;
	json_t *cols;
	char p2[128];
	double wsum = 0;
	enum hs_err rc;
	size_t i;
	int body = role_lookup(t, "body"), v;

	if (t->has_table)
		return jfail(j, path, "a template has at most one table");
	t->has_table = true;
	t->table_at = t->nels;
	if ((rc = get_num(j, e, "x", path, true, 0, 0, t->pw, &tb->x)) ||
	    (rc = get_num(j, e, "y", path, true, 0, 0, t->ph, &tb->y)) ||
	    (rc = get_num(j, e, "y_continued", path, false, tb->y, 0, t->ph,
	    &tb->y_cont)) ||
	    (rc = get_num(j, e, "bottom", path, true, 0, 0, t->ph,
	    &tb->bottom)) ||
	    (rc = get_num(j, e, "size", path, false, 9, 4, 36, &tb->size)) ||
	    (rc = get_num(j, e, "header_size", path, false, tb->size, 4, 36,
	    &tb->header_size)) ||
	    (rc = get_num(j, e, "leading", path, false, 1.3, 1, 3,
	    &tb->leading)) ||
	    (rc = get_num(j, e, "padding", path, false, 1.2, 0, 10,
	    &tb->pad)) ||
	    (rc = get_num(j, e, "line_width", path, false, 0.5, 0, 10,
	    &tb->line_width)) ||
	    (rc = get_color(j, e, "color", path, 0x000000, &tb->color,
	    NULL)) ||
	    (rc = get_color(j, e, "text_color", path, 0x000000,
	    &tb->text_color, NULL)) ||
	    (rc = get_color(j, e, "header_fill", path, 0xFFFFFF,
	    &tb->header_fill, NULL)) ||
	    (rc = get_role(j, e, "header_font", path, body,
	    &tb->header_role)) ||
	    (rc = get_role(j, e, "font", path, body, &tb->role)))
		return rc;
	if ((rc = get_num(j, e, "bottom_notlast", path, false, tb->bottom,
	    tb->bottom, t->ph, &tb->bottom_notlast)))
		return rc;
	if (tb->bottom <= tb->y || tb->bottom <= tb->y_cont)
		return jfail(j, path, "\"bottom\" must be below \"y\" and "
		    "\"y_continued\"");
	cols = json_object_get(e, "columns");
	if (!json_is_array(cols) || json_array_size(cols) == 0 ||
	    json_array_size(cols) > MAX_COLS)
		return jfail(j, path, "\"columns\" must be a list of 1..%d "
		    "columns", MAX_COLS);
	for (i = 0; i < json_array_size(cols); i++) {
		json_t *c = json_array_get(cols, i);
		struct column *col = &tb->cols[i];

		snprintf(p2, sizeof(p2), "%s.columns[%zu]", path, i);
		tb->ncols++;            /* so that tpl_free frees its title */
		if ((rc = check_keys(j, c, p2, ckeys)) ||
		    (rc = get_str(j, c, "title", p2, true, NULL,
		    &col->title)) ||
		    (rc = get_enum(j, c, "field", p2, col_names, -1, &v)))
			return rc;
		if (v < 0)
			return jfail(j, p2, "\"field\" is required");
		col->field = (enum col_field)v;
		if ((rc = get_num(j, c, "width", p2, true, 0, 1, t->pw,
		    &col->width)) ||
		    (rc = get_enum(j, c, "align", p2, align_names, AL_LEFT,
		    &v)))
			return rc;
		col->align = (enum align)v;
		if ((rc = get_role(j, c, "font", p2, tb->role, &col->role)))
			return rc;
		if (col->width <= 2 * tb->pad)
			return jfail(j, p2, "\"width\" must exceed twice the "
			    "padding");
		wsum += col->width;
		t->label_roles[LBL_EMPTY] |= 1u << col->role;
		if (col->field == C_SUBJECT)
			t->label_roles[LBL_SUBJECT] |= 1u << col->role;
		if (col->field == C_FORM)
			t->label_roles[LBL_FORM] |= 1u << col->role;
		if (col->field == C_DATES)
			t->label_roles[LBL_DATESEP] |= 1u << col->role;
	}
	return inside(j, path, tb->x, tb->y, tb->x + wsum, tb->bottom_notlast);
}

static enum hs_err
load_element(struct jctx *j, json_t *e, size_t idx)
{
	static const char *const text_keys[] = { "type", "on", "when", "x",
		"y", "text", "spans", "font", "size", "color", "align",
		"width", "leading", "max_lines", "min_size", "letter_spacing",
		"grow", NULL };
	static const char *const line_keys[] = { "type", "on", "when", "x1",
		"y1", "x2", "y2", "line_width", "color", NULL };
	static const char *const rect_keys[] = { "type", "on", "when", "x",
		"y", "w", "h", "line_width", "color", "fill", NULL };
	static const char *const qr_keys[] = { "type", "on", "when", "x", "y",
		"size", NULL };
	static const char *const seal_keys[] = { "type", "on", "when", "x",
		"y", "diameter", "font", "color", "top", "bottom",
		"line_width", NULL };
	static const char *const table_keys[] = { "type", "x", "y",
		"y_continued", "bottom", "bottom_notlast", "size", "header_size", "leading",
		"padding", "line_width", "color", "text_color", "header_fill",
		"header_font", "font", "columns", NULL };
	struct tpl *t = j->t;
	struct element *el;
	char path[64];
	int v, body = role_lookup(t, "body");
	enum hs_err rc;

	snprintf(path, sizeof(path), "elements[%zu]", idx);
	if (!json_is_object(e))
		return jfail(j, path, "must be an object");
	if ((rc = get_enum(j, e, "type", path, type_names, -1, &v)))
		return rc;
	if (v < 0)
		return jfail(j, path, "\"type\" is required (text, line, "
		    "rect, qr, seal, table)");
	if (v == EL_TABLE) {
		if ((rc = check_keys(j, e, path, table_keys)))
			return rc;
		return load_table(j, e, path);
	}
	if (t->nels == MAX_ELEMENTS)
		return jfail(j, path, "more than %d elements", MAX_ELEMENTS);
	el = &t->els[t->nels++];
	el->type = (enum el_type)v;
	if ((rc = check_keys(j, e, path, v == EL_TEXT ? text_keys :
	    v == EL_LINE ? line_keys : v == EL_RECT ? rect_keys :
	    v == EL_QR ? qr_keys : seal_keys)))
		return rc;
	if ((rc = get_enum(j, e, "on", path, on_names,
	    v == EL_QR || v == EL_SEAL ? ON_LAST : ON_ALL, &v)))
		return rc;
	el->on = (enum el_on)v;
	if ((rc = get_enum(j, e, "when", path, when_names, WHEN_ALWAYS, &v)))
		return rc;
	el->when = (enum el_when)v;
	if ((rc = get_color(j, e, "color", path, el->type == EL_SEAL ?
	    0xD40000 : 0x000000, &el->color, NULL)))
		return rc;

	switch (el->type) {
	case EL_TEXT: {
		double x0, x1, maxw, ml;

		if ((rc = get_num(j, e, "x", path, true, 0, 0, t->pw, &el->x)) ||
		    (rc = get_num(j, e, "y", path, true, 0, 0, t->ph, &el->y)) ||
		    (rc = get_role(j, e, "font", path, body, &el->role)) ||
		    (rc = get_num(j, e, "size", path, false, 10, 4, 96,
		    &el->size)) ||
		    (rc = get_enum(j, e, "align", path, align_names, AL_LEFT,
		    &v)))
			return rc;
		el->align = (enum align)v;
		maxw = el->align == AL_LEFT ? t->pw - el->x :
		    el->align == AL_RIGHT ? el->x :
		    2 * fmin(el->x, t->pw - el->x);
		if ((rc = get_num(j, e, "width", path, false, maxw, 1, t->pw,
		    &el->w)) ||
		    (rc = get_num(j, e, "leading", path, false, 1.3, 0.8, 4,
		    &el->leading)) ||
		    (rc = get_num(j, e, "max_lines", path, false, 0, 0, 100,
		    &ml)) ||
		    (rc = get_num(j, e, "min_size", path, false, el->size, 4,
		    el->size, &el->min_size)) ||
		    (rc = get_num(j, e, "letter_spacing", path, false, 0, -0.2,
		    2, &el->spacing)) ||
		    (rc = get_enum(j, e, "grow", path, grow_names, 0, &v)))
			return rc;
		el->grow_up = v == 1;
		el->max_lines = (int)ml;
		x0 = el->align == AL_LEFT ? el->x : el->align == AL_RIGHT ?
		    el->x - el->w : el->x - el->w / 2;
		x1 = x0 + el->w;
		if ((rc = inside(j, path, x0, el->y - el->size / MM, x1,
		    el->y)))
			return rc;
		return load_spans(j, e, el, path);
	}
	case EL_LINE:
		if ((rc = get_num(j, e, "x1", path, true, 0, -1e9, 1e9, &el->x)) ||
		    (rc = get_num(j, e, "y1", path, true, 0, -1e9, 1e9, &el->y)) ||
		    (rc = get_num(j, e, "x2", path, true, 0, -1e9, 1e9,
		    &el->x2)) ||
		    (rc = get_num(j, e, "y2", path, true, 0, -1e9, 1e9,
		    &el->y2)) ||
		    (rc = get_num(j, e, "line_width", path, false, 0.5, 0.1, 20,
		    &el->line_width)))
			return rc;
		return inside(j, path, fmin(el->x, el->x2), fmin(el->y, el->y2),
		    fmax(el->x, el->x2), fmax(el->y, el->y2));
	case EL_RECT:
		if ((rc = get_num(j, e, "x", path, true, 0, -1e9, 1e9, &el->x)) ||
		    (rc = get_num(j, e, "y", path, true, 0, -1e9, 1e9, &el->y)) ||
		    (rc = get_num(j, e, "w", path, true, 0, 0.1, 1e9, &el->w)) ||
		    (rc = get_num(j, e, "h", path, true, 0, 0.1, 1e9, &el->h)) ||
		    (rc = get_num(j, e, "line_width", path, false, 0, 0, 20,
		    &el->line_width)) ||
		    (rc = get_color(j, e, "fill", path, 0xFFFFFF, &el->fill,
		    &el->has_fill)))
			return rc;
		return inside(j, path, el->x, el->y, el->x + el->w,
		    el->y + el->h);
	case EL_QR: {
		double q;

		if ((rc = get_num(j, e, "x", path, true, 0, -1e9, 1e9, &el->x)) ||
		    (rc = get_num(j, e, "y", path, true, 0, -1e9, 1e9, &el->y)) ||
		    (rc = get_num(j, e, "size", path, true, 0, 0, 1e9,
		    &el->w)))
			return rc;
		if (el->w < 25)
			return jfail(j, path, "\"size\" is %g mm; a QR code "
			    "must be at least 25 mm wide", el->w);
		/* The widest quiet zone: 4 of the 21 modules of version 1. */
		q = el->w * QR_QUIET / 21.0;
		return inside(j, path, el->x - q, el->y - q, el->x + el->w + q,
		    el->y + el->w + q);
	}
	case EL_SEAL: {
		double rr;

		if ((rc = get_num(j, e, "x", path, true, 0, -1e9, 1e9, &el->x)) ||
		    (rc = get_num(j, e, "y", path, true, 0, -1e9, 1e9, &el->y)) ||
		    (rc = get_num(j, e, "diameter", path, false, 42, 20, 80,
		    &el->w)) ||
		    (rc = get_num(j, e, "line_width", path, false, 3.2, 0.5,
		    10, &el->line_width)) ||
		    (rc = get_role(j, e, "font", path, body, &el->role)) ||
		    (rc = get_str(j, e, "top", path, false, "{issuer}",
		    &el->top)) ||
		    (rc = get_str(j, e, "bottom", path, false,
		    "继续教育学时证明专用章", &el->bottom)))
			return rc;
		if ((rc = check_text(j, el->top, el->role, path)) ||
		    (rc = check_text(j, el->bottom, el->role, path)))
			return rc;
		rr = el->w / 2;
		return inside(j, path, el->x - rr, el->y - rr, el->x + rr,
		    el->y + rr);
	}
	default:
		return jfail(j, path, "bad type");
	}
}

/* Literal text of a template, for coverage checks and static subsets. */
struct litscan {
	struct pdf_renderer *r;
	struct tpl *t;
	int role;
	const char *path;
	struct map *set;        /* (face << 32 | cp) -> gid, or NULL */
	char *err;
	enum hs_err rc;
};

static int
lit_add(void *ctx, const char *p, size_t n)
{
	struct litscan *s = ctx;
	const struct role *ro = &s->t->roles[s->role];
	size_t k = 0, m;
	uint32_t cp, gid;
	int face;

	while (k < n) {
		if ((m = utf8_next(p + k, n - k, &cp)) == 0)
			return -1;
		k += m;
		if (cp == '\n')
			continue;
		if ((face = resolve_face(s->r, ro, cp, &gid)) < 0) {
			char msg[HS_ERRLEN];

			missing_char(s->r, ro, cp, s->path, msg);
			s->rc = hs_fail(s->err, HS_ERR_FONT, "%s: %s",
			    s->t->file, msg);
			return -1;
		}
		if (s->set != NULL &&
		    !map_put(s->set, (uint64_t)face << 32 | cp, gid)) {
			s->rc = hs_fail(s->err, HS_ERR_NOMEM, "out of memory");
			return -1;
		}
	}
	return 0;
}

static int
lit_skip_field(void *ctx, int f)
{
	(void)ctx;
	(void)f;
	return 0;
}

static enum hs_err
scan_literal(struct pdf_renderer *r, struct tpl *t, const char *text,
    int role, const char *path, struct map *set, bool templated, char *err)
{
	struct litscan s = { r, t, role, path, set, err, HS_OK };
	char msg[HS_ERRLEN];

	if (!templated)
		return lit_add(&s, text, strlen(text)) == 0 ? HS_OK : s.rc;
	if (tmpl_walk(text, &s, lit_add, lit_skip_field, msg) != 0)
		return s.rc != HS_OK ? s.rc : hs_fail(err, HS_ERR_FORMAT,
		    "%s: %s: %s", t->file, path, msg);
	return HS_OK;
}

/* Every literal character must be in its role's chain. */
static enum hs_err
check_coverage(struct pdf_renderer *r, struct tpl *t, char *err)
{
	char path[96];
	enum hs_err rc;
	size_t i, k;
	int ro;

	for (i = 0; i < t->nels; i++) {
		struct element *el = &t->els[i];

		for (k = 0; k < el->nspans; k++) {
			snprintf(path, sizeof(path), "elements[%zu] text", i);
			if ((rc = scan_literal(r, t, el->spans[k].text,
			    el->spans[k].role, path, NULL, true, err)))
				return rc;
		}
		if (el->type == EL_SEAL) {
			snprintf(path, sizeof(path), "elements[%zu] seal", i);
			if ((rc = scan_literal(r, t, el->top, el->role, path,
			    NULL, true, err)) ||
			    (rc = scan_literal(r, t, el->bottom, el->role, path,
			    NULL, true, err)))
				return rc;
		}
	}
	for (i = 0; i < t->table.ncols; i++) {
		snprintf(path, sizeof(path), "table column %zu title", i);
		if ((rc = scan_literal(r, t, t->table.cols[i].title,
		    t->table.header_role, path, NULL, false, err)))
			return rc;
	}
	for (ro = 0; ro < (int)t->nroles; ro++) {
		if (t->label_roles[LBL_SUBJECT] & 1u << ro)
			for (k = 0; k < NSUBJECTS; k++) {
				snprintf(path, sizeof(path), "labels.subject.%s",
				    subject_keys[k]);
				if ((rc = scan_literal(r, t, t->subject[k], ro,
				    path, NULL, false, err)))
					return rc;
			}
		if (t->label_roles[LBL_FORM] & 1u << ro)
			for (k = 0; k < NFORMS; k++) {
				snprintf(path, sizeof(path), "labels.form.%s",
				    form_keys[k]);
				if ((rc = scan_literal(r, t, t->form[k], ro,
				    path, NULL, false, err)))
					return rc;
			}
		if ((t->label_roles[LBL_STATUS] & 1u << ro) &&
		    ((rc = scan_literal(r, t, t->met, ro, "labels.status.met",
		    NULL, false, err)) ||
		    (rc = scan_literal(r, t, t->unmet, ro,
		    "labels.status.unmet", NULL, false, err))))
			return rc;
		if ((t->label_roles[LBL_EMPTY] & 1u << ro) &&
		    (rc = scan_literal(r, t, t->empty, ro, "labels.empty",
		    NULL, false, err)))
			return rc;
		if ((t->label_roles[LBL_DATESEP] & 1u << ro) &&
		    (rc = scan_literal(r, t, t->date_sep, ro,
		    "labels.date_sep", NULL, false, err)))
			return rc;
	}
	return HS_OK;
}

static void sinst_free(struct sinst *s);
static enum hs_err build_static(struct pdf_renderer *r, struct tpl *t,
    char *err);

static void
tpl_free(struct tpl *t)
{
	size_t i, k;

	if (t == NULL)
		return;
	free(t->title);
	for (i = 0; i < NSUBJECTS; i++)
		free(t->subject[i]);
	for (i = 0; i < NFORMS; i++)
		free(t->form[i]);
	free(t->met);
	free(t->unmet);
	free(t->empty);
	free(t->date_sep);
	for (i = 0; i < t->nels; i++) {
		for (k = 0; k < t->els[i].nspans; k++)
			free(t->els[i].spans[k].text);
		free(t->els[i].top);
		free(t->els[i].bottom);
	}
	for (i = 0; i < t->table.ncols; i++)
		free(t->table.cols[i].title);
	for (i = 0; i < MAX_FACES; i++)
		sinst_free(t->statics[i]);
	free(t);
}

static enum hs_err
tpl_load(struct pdf_renderer *r, const char *file, struct tpl **out,
    char *err)
{
	static const char *const keys[] = { "kind", "page", "title", "fonts",
		"labels", "elements", NULL };
	static const char *const pkeys[] = { "size", "orientation", NULL };
	static const char *const kinds[] = { "annual", "course", NULL };
	struct tpl *t = NULL;
	struct jctx j;
	json_t *root = NULL, *page, *els, *v;
	json_error_t je;
	char path[600], *text = NULL;
	size_t len, i, nl = strlen(file);
	enum hs_err rc;
	int kind;

	*out = NULL;
	if (nl < 6 || nl - 5 >= sizeof(t->name))
		return hs_fail(err, HS_ERR_FORMAT, "%s: bad template name",
		    file);
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	memcpy(t->name, file, nl - 5);
	snprintf(t->file, sizeof(t->file), "%s", file);
	j.r = r;
	j.t = t;
	j.err = err;
	if ((rc = path_join(path, sizeof(path), r->dir, file, err)) ||
	    (rc = file_read(path, MAX_TPL_BYTES, &text, &len, err)))
		goto out;
	if ((root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je)) ==
	    NULL) {
		rc = hs_fail(err, HS_ERR_FORMAT, "%s: line %d: %s", file,
		    je.line, je.text);
		goto out;
	}
	if ((rc = check_keys(&j, root, "top level", keys)))
		goto out;
	if ((rc = get_enum(&j, root, "kind", "top level", kinds, -1, &kind)))
		goto out;
	t->kind = kind;
	page = json_object_get(root, "page");
	if (page == NULL) {
		rc = jfail(&j, "page", "is required");
		goto out;
	}
	if ((rc = check_keys(&j, page, "page", pkeys)))
		goto out;
	v = json_object_get(page, "size");
	if (!json_is_string(v) || strcmp(json_string_value(v), "A4") != 0) {
		rc = jfail(&j, "page.size", "must be \"A4\"");
		goto out;
	}
	v = json_object_get(page, "orientation");
	if (v != NULL && (!json_is_string(v) ||
	    strcmp(json_string_value(v), "portrait") != 0)) {
		rc = jfail(&j, "page.orientation", "must be \"portrait\"");
		goto out;
	}
	t->pw = 210;
	t->ph = 297;
	if ((rc = get_str(&j, root, "title", "top level", false,
	    "专业技术人员继续教育学时证明 / Certificate of Continuing "
	    "Education Hours", &t->title)))
		goto out;
	if ((rc = load_fonts(&j, json_object_get(root, "fonts"))))
		goto out;
	if ((rc = load_labels(&j, json_object_get(root, "labels"))))
		goto out;
	els = json_object_get(root, "elements");
	if (!json_is_array(els) || json_array_size(els) == 0) {
		rc = jfail(&j, "elements", "must be a non-empty list");
		goto out;
	}
	for (i = 0; i < json_array_size(els); i++)
		if ((rc = load_element(&j, json_array_get(els, i), i)))
			goto out;
	if ((rc = check_coverage(r, t, err)))
		goto out;
	if ((rc = build_static(r, t, err)))
		goto out;
	*out = t;
	t = NULL;
out:
	json_decref(root);
	free(text);
	tpl_free(t);
	return rc;
}

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
			puthex4(b, newgid[k]);
			buf_puts(b, "> <");
			if (c < 0x10000) {
				puthex4(b, c);
			} else {
				c -= 0x10000;
				puthex4(b, 0xD800 + (c >> 10));
				puthex4(b, 0xDC00 + (c & 0x3FF));
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
	if ((rc = deflate_buf(zc, ttf.data, ttf.len, ttf_z, ttf_zlen, err)))
		goto out;
	tounicode(newgid, cps, n, &tu);
	if (tu.oom) {
		rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = deflate_buf(zc, tu.data, tu.len, tu_z, tu_zlen, err)))
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

static void
sinst_free(struct sinst *s)
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
static enum hs_err
build_static(struct pdf_renderer *r, struct tpl *t, char *err)
{
	struct map set = { 0 };
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
			rc = scan_literal(r, t, el->spans[k].text,
			    el->spans[k].role, "static", &set, true, err);
		if (el->type == EL_SEAL && rc == HS_OK)
			rc = scan_literal(r, t, el->bottom, el->role, "static",
			    &set, true, err);
	}
	for (i = 0; i < t->table.ncols && rc == HS_OK; i++)
		rc = scan_literal(r, t, t->table.cols[i].title,
		    t->table.header_role, "static", &set, false, err);
	/* Both status words: every annual certificate prints one. */
	for (i = 0; i < t->nroles && rc == HS_OK; i++) {
		if (!(t->label_roles[LBL_STATUS] & 1u << i))
			continue;
		rc = scan_literal(r, t, t->met, (int)i, "static", &set, false,
		    err);
		if (rc == HS_OK)
			rc = scan_literal(r, t, t->unmet, (int)i, "static",
			    &set, false, err);
	}
	if (rc != HS_OK)
		goto out;

	for (f = 0; f < r->nfaces; f++) {
		struct sinst *s;
		struct map seen = { 0 };
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
			sinst_free(s);
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

			map_get(&set, (uint64_t)f << 32 | s->cps[i], &g);
			if (map_get(&seen, g, &dummy))
				continue;
			if (!map_put(&seen, g, s->cps[i])) {
				map_free(&seen);
				sinst_free(s);
				rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
				goto out;
			}
			s->cps[k] = s->cps[i];
			gids[k] = g;
			s->adv[k] = font_face_advance(r->faces[f], g);
			k++;
		}
		s->n = k;
		map_free(&seen);
		if (zc == NULL &&
		    (zc = libdeflate_alloc_compressor(Z_STATIC)) == NULL) {
			sinst_free(s);
			rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
			goto out;
		}
		rc = cut_subset(r->faces[f], s->cps, gids, s->n, zc, s->newgid,
		    &s->ttf_z, &s->ttf_zlen, &s->ttf_len, &s->tu_z,
		    &s->tu_zlen, s->base, sizeof(s->base), err);
		free(gids);
		gids = NULL;
		if (rc != HS_OK) {
			sinst_free(s);
			hs_errprefix(err, "%s", t->file);
			goto out;
		}
		t->statics[f] = s;
	}
out:
	libdeflate_free_compressor(zc);
	free(gids);
	map_free(&set);
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
/* Renderer                                                             */
/* ------------------------------------------------------------------ */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

enum hs_err
pdf_renderer_new(const char *dir, struct pdf_renderer **out, char *err)
{
	struct pdf_renderer *r;
	char *names[MAX_TEMPLATES], tdef[PATH_MAX];
	size_t nnames = 0, i;
	struct dirent *de;
	enum hs_err rc = HS_OK;
	DIR *d;

	*out = NULL;
	if (dir == NULL) {
		path_templates(tdef, sizeof(tdef));
		dir = tdef;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	if (snprintf(r->dir, sizeof(r->dir), "%s", dir) >=
	    (int)sizeof(r->dir)) {
		free(r);
		return hs_fail(err, HS_ERR_INVALID, "template directory "
		    "path too long");
	}
	if ((d = opendir(dir)) == NULL) {
		free(r);
		return hs_fail(err, HS_ERR_IO, "%s: %s", dir, strerror(errno));
	}
	/* Sorted, so that errors and face numbering do not depend on readdir. */
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);

		if (n < 6 || strcmp(de->d_name + n - 5, ".json") != 0 ||
		    de->d_name[0] == '.')
			continue;
		if (nnames == MAX_TEMPLATES) {
			rc = hs_fail(err, HS_ERR_TOOBIG, "%s: more than %d "
			    "templates", dir, MAX_TEMPLATES);
			break;
		}
		if ((names[nnames] = strdup(de->d_name)) == NULL) {
			rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
			break;
		}
		nnames++;
	}
	closedir(d);
	if (rc == HS_OK && nnames == 0)
		rc = hs_fail(err, HS_ERR_NOTFOUND, "%s: no *.json templates",
		    dir);
	if (rc == HS_OK)
		qsort(names, nnames, sizeof(names[0]), cmp_str);
	for (i = 0; i < nnames && rc == HS_OK; i++) {
		if ((rc = tpl_load(r, names[i], &r->tpls[r->ntpls], err)) ==
		    HS_OK)
			r->ntpls++;
	}
	for (i = 0; i < nnames; i++)
		free(names[i]);
	if (rc != HS_OK) {
		pdf_renderer_free(r);
		return rc;
	}
	*out = r;
	return HS_OK;
}

void
pdf_renderer_free(struct pdf_renderer *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->ntpls; i++)
		tpl_free(r->tpls[i]);
	for (i = 0; i < r->nfaces; i++)
		font_face_free(r->faces[i]);
	free(r);
}

static const struct tpl *
find_tpl(const struct pdf_renderer *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->ntpls; i++)
		if (strcmp(r->tpls[i]->name, name) == 0)
			return r->tpls[i];
	return NULL;
}

bool
pdf_renderer_has_template(const struct pdf_renderer *r, const char *name)
{
	return find_tpl(r, name) != NULL;
}

/* ------------------------------------------------------------------ */
/* Rendering: document state                                            */
/* ------------------------------------------------------------------ */

enum mode { COLLECT, EMIT };

/* One glyph of one face that the document uses. */
struct gent {
	int face;
	uint32_t cp, gid, newgid;
	int adv;                /* 1/1000 em */
	int inst;
};

/* A font subset embedded in this document. */
struct dinst {
	int face;
	const struct sinst *st; /* static, or NULL: cut for this document */
	uint32_t *cps, *gids, *newgid, *ents;
	int *adv;
	size_t n, cap;
	uint8_t *ttf_z, *tu_z;
	size_t ttf_zlen, ttf_len, tu_zlen;
	char base[96];
	char res[8];            /* resource name "HS3" */
	HPDF_Dict font;
};

/* A positioned glyph on a line. */
struct pglyph {
	uint32_t ent;
	float x, size;          /* pt from the line start */
	uint32_t color;
};

struct line {
	size_t first, n;
	float w, size;          /* width and largest size, pt */
};

/* Text pieces with their source, for layout and error messages. */
struct seg {
	const char *s;
	size_t n;
	const char *src;
	int role;
	float size;
	uint32_t color;
};

struct doc {
	const struct pdf_renderer *r;
	const struct tpl *t;
	const struct cert *c;
	char *err;
	enum mode mode;

	struct gent *ents;
	size_t nents, capents;
	struct map rolemap;     /* role << 32 | cp -> ent */
	struct map facemap;     /* face << 32 | cp -> ent */
	struct map conflict;    /* inst << 32 | gid -> cp */
	struct dinst insts[MAX_INSTS];
	size_t ninsts;

	struct pglyph *gl;
	size_t ngl, capgl;
	struct line *lines;
	size_t nlines, caplines;
	struct seg *segs;
	size_t nsegs, capsegs;
	bool oom;

	/* field values */
	char hours[6][HOURS_SIZE];      /* public professional total req... */
	char miss[3][HOURS_SIZE];
	char year[12], issued[11], issued_zh[32], url[PDF_MAX_BASE_URL + 40];
	char page[12], pages[12], nrec[12];
	const char *vals[F_COUNT];
	char dates0[40];

	/* table layout */
	float *row_h;           /* pt */
	size_t *row_page;
	float header_h;
	int npages, cur_page;
	int table_pages;        /* the table is on pages 0 .. table_pages-1 */
	char idx[16], chours[HOURS_SIZE], rhours[HOURS_SIZE], rdates[40];
	char srcbuf[64];

	struct qr *qr;
	struct libdeflate_compressor *zc;

	HPDF_Doc pdf;
	HPDF_Page hpage;
	HPDF_Stream cs;
	HPDF_STATUS herr;
	struct buf ops;
	float ph;               /* page height, pt */
	float spacing;          /* extra advance, em, for the next layout */
	float stroke;           /* text outline width, pt (0: none) */
};

static void HPDF_STDCALL
on_hpdf_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user)
{
	struct doc *d = user;

	(void)detail_no;
	if (d->herr == HPDF_OK)
		d->herr = error_no;
}

static enum hs_err
oom(struct doc *d)
{
	return hs_fail(d->err, HS_ERR_NOMEM, "out of memory");
}

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

	if (map_get(&d->rolemap, rk, ent))
		return HS_OK;
	if (d->mode == EMIT)
		return hs_fail(d->err, HS_ERR_STATE, "%s: U+%04X was not "
		    "collected", src, (unsigned)cp);
	if ((face = resolve_face(d->r, ro, cp, &gid)) < 0)
		return missing_char(d->r, ro, cp, src, d->err);
	if (!map_get(&d->facemap, (uint64_t)face << 32 | cp, &e)) {
		GROW(d, d->ents, d->nents, d->capents);
		if (d->oom)
			return oom(d);
		e = (uint32_t)d->nents++;
		d->ents[e].face = face;
		d->ents[e].cp = cp;
		d->ents[e].gid = gid;
		d->ents[e].newgid = 0;
		d->ents[e].inst = -1;
		d->ents[e].adv = font_face_advance(d->r->faces[face], gid);
		if (!map_put(&d->facemap, (uint64_t)face << 32 | cp, e))
			return oom(d);
	}
	if (!map_put(&d->rolemap, rk, e))
		return oom(d);
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
		if (strcmp(subject_keys[i], s) == 0)
			return i;
	return -1;
}

static int
form_index(const char *s)
{
	int i;

	for (i = 0; i < NFORMS; i++)
		if (strcmp(form_keys[i], s) == 0)
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

static enum hs_err
set_values(struct doc *d, const char *base_url)
{
	const struct cert *c = d->c;
	const struct tpl *t = d->t;
	long mt, mp, mr;
	int y, mo, dd;
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
		    (rc = check_value(d, rec->form, sizeof(rec->form), what)))
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
	if (sscanf(c->issued, "%4d-%2d-%2d", &y, &mo, &dd) != 3 ||
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
	} else {
		for (i = F_R_TITLE; i <= F_R_HOURS; i++)
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
	add_seg(x->d, v, strlen(v), field_names[f], x->sp->role,
	    (float)x->sp->size, x->sp->color);
	return 0;
}

/* Expands text templates into d->segs (reset first). */
static enum hs_err
expand_spans(struct doc *d, const struct span *spans, size_t n)
{
	char msg[HS_ERRLEN];
	size_t i;

	d->nsegs = 0;
	for (i = 0; i < n; i++) {
		struct expand x = { d, &spans[i] };

		/* Checked when the template was loaded; cannot fail here. */
		if (tmpl_walk(spans[i].text, &x, exp_lit, exp_fld, msg) != 0)
			return hs_fail(d->err, HS_ERR_STATE, "%s", msg);
	}
	return d->oom ? oom(d) : HS_OK;
}

/* ------------------------------------------------------------------ */
/* Layout: line breaking                                                */
/* ------------------------------------------------------------------ */

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
static enum hs_err
layout(struct doc *d, float width)
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
				return oom(d);
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
	return d->oom ? oom(d) : HS_OK;
}

/* ------------------------------------------------------------------ */
/* Emitting: text and graphics                                          */
/* ------------------------------------------------------------------ */

static float
px(double mm)
{
	return (float)(mm * MM);
}

static float
py(const struct doc *d, double mm)
{
	return d->ph - (float)(mm * MM);
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

static enum hs_err
flush_ops(struct doc *d)
{
	if (d->ops.oom)
		return oom(d);
	if (d->ops.len > 0 && HPDF_Stream_Write(d->cs,
	    (const HPDF_BYTE *)d->ops.data, (HPDF_UINT)d->ops.len) != HPDF_OK)
		return hs_fail(d->err, HS_ERR_NOMEM, "libharu: cannot write "
		    "page content (error 0x%04X)", (unsigned)d->herr);
	buf_reset(&d->ops);
	return HS_OK;
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
			puthex4(&d->ops, he->newgid);
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
	return flush_ops(d);
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
		if ((rc = expand_spans(d, sp, el->nspans)) ||
		    (rc = layout(d, px(el->w)))) {
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
	if ((rc = expand_spans(d, &sp, 1)) || (rc = layout(d, 0)))
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
		if ((rc = expand_spans(d, &sp, 1)) || (rc = layout(d, 0)))
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
		if ((rc = flush_ops(d)))
			return rc;
	}
	/* The purpose of the seal, straight, under the star. */
	sp.text = el->bottom;
	size = r * 0.17f;
	sp.size = size;
	if ((rc = expand_spans(d, &sp, 1)) || (rc = layout(d, 0)))
		return rc;
	if (d->nlines > 0 && d->lines[0].w > r * 1.3f) {
		size *= r * 1.3f / d->lines[0].w;
		sp.size = size;
		if ((rc = expand_spans(d, &sp, 1)) || (rc = layout(d, 0)))
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
}

static float
line_gap(const struct table *tb, float size)
{
	return size * (float)tb->leading;
}

/* Height of the laid-out lines in d->lines. */
static float
lines_height(const struct doc *d, const struct table *tb)
{
	return (float)d->nlines * line_gap(tb, (float)tb->size);
}

static enum hs_err
layout_cell(struct doc *d, size_t ri, const struct column *col)
{
	const struct table *tb = &d->t->table;

	cell_segs(d, ri, col);
	if (d->oom)
		return oom(d);
	return layout(d, px(col->width - 2 * tb->pad));
}

static enum hs_err
layout_header(struct doc *d, const struct column *col)
{
	const struct table *tb = &d->t->table;

	d->nsegs = 0;
	add_seg(d, col->title, strlen(col->title), "table header",
	    tb->header_role, (float)tb->header_size, tb->text_color);
	if (d->oom)
		return oom(d);
	return layout(d, px(col->width - 2 * tb->pad));
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
static enum hs_err
paginate(struct doc *d)
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

		if ((rc = layout_header(d, &tb->cols[k])))
			return rc;
		h = (float)d->nlines * line_gap(tb, (float)tb->header_size);
		if (h > d->header_h)
			d->header_h = h;
	}
	d->header_h += 2 * pad;
	if (d->c->nrecords == 0)
		return HS_OK;
	d->row_h = calloc(d->c->nrecords, sizeof(*d->row_h));
	d->row_page = calloc(d->c->nrecords, sizeof(*d->row_page));
	if (d->row_h == NULL || d->row_page == NULL)
		return oom(d);
	ctop = px(tb->y_cont) + d->header_h;
	y = px(tb->y) + d->header_h;
	for (ri = 0; ri < n; ri++) {
		float h = 0;

		for (k = 0; k < tb->ncols; k++) {
			if ((rc = layout_cell(d, ri, &tb->cols[k])))
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

static enum hs_err
draw_cell_lines(struct doc *d, const struct column *col, float x, float top,
    float h, float size)
{
	const struct table *tb = &d->t->table;
	float gap = line_gap(tb, size);
	float block = (float)d->nlines * gap;
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
		if ((rc = layout_header(d, &tb->cols[k])) ||
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
			if ((rc = layout_cell(d, ri, &tb->cols[k])) ||
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

static enum hs_err
draw_page(struct doc *d)
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

/* ------------------------------------------------------------------ */
/* Font subsets for the document                                        */
/* ------------------------------------------------------------------ */

static void
dinst_free(struct dinst *in)
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
static enum hs_err
make_subsets(struct doc *d)
{
	int static_inst[MAX_FACES];
	uint32_t *order = NULL;
	size_t i, k;
	enum hs_err rc = HS_OK;

	for (i = 0; i < MAX_FACES; i++)
		static_inst[i] = -1;
	/* Code point order, so that subsets do not depend on layout order. */
	if ((order = malloc((d->nents + 1) * sizeof(*order))) == NULL)
		return oom(d);
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
			if (!map_get(&d->conflict, (uint64_t)in << 32 | e->gid,
			    &cp) || cp == e->cp)
				break;
		}
		if (in == (int)d->ninsts && (in = new_inst(d, e->face, NULL)) <
		    0)
			goto toomany;
		if (!map_put(&d->conflict, (uint64_t)in << 32 | e->gid, e->cp) ||
		    !inst_add(&d->insts[in], e->cp, e->gid, e->adv, order[k])) {
			rc = oom(d);
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
static enum hs_err
finish_page(struct doc *d)
{
	HPDF_PageAttr attr = (HPDF_PageAttr)d->hpage->attr;
	HPDF_UINT32 n = attr->stream->size, got = n;
	uint8_t *raw = NULL, *z = NULL;
	size_t zlen;
	enum hs_err rc;

	if ((raw = malloc(n ? n : 1)) == NULL)
		return oom(d);
	if (HPDF_Stream_Seek(attr->stream, 0, HPDF_SEEK_SET) != HPDF_OK ||
	    (HPDF_Stream_Read(attr->stream, raw, &got) != HPDF_OK &&
	    got != n) || got != n) {
		rc = hs_fail(d->err, HS_ERR_NOMEM, "libharu: cannot read the "
		    "page content back");
		goto out;
	}
	if ((rc = deflate_buf(d->zc, raw, n, &z, &zlen, d->err)))
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

static enum hs_err
emit_font(struct doc *d, struct dinst *in)
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
static enum hs_err
page_fonts(struct doc *d)
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

static enum hs_err
attachments(struct doc *d, const char *note, size_t note_len,
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

static enum hs_err
doc_info(struct doc *d)
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

/* ------------------------------------------------------------------ */
/* pdf_render                                                           */
/* ------------------------------------------------------------------ */

static enum hs_err
check_url(const char *u, char *err)
{
	size_t n, i;

	if (u == NULL || (n = strlen(u)) == 0)
		return hs_fail(err, HS_ERR_INVALID, "base URL is empty");
	if (n > PDF_MAX_BASE_URL)
		return hs_fail(err, HS_ERR_TOOBIG, "base URL is longer than "
		    "%d bytes", PDF_MAX_BASE_URL);
	if (strncmp(u, "https://", 8) != 0 && strncmp(u, "http://", 7) != 0)
		return hs_fail(err, HS_ERR_INVALID, "base URL \"%s\" must "
		    "start with https:// or http://", u);
	for (i = 0; i < n; i++)
		if ((unsigned char)u[i] <= 0x20 || (unsigned char)u[i] >= 0x7F)
			return hs_fail(err, HS_ERR_INVALID, "base URL has a "
			    "space, control or non-ASCII character");
	if (u[n - 1] == '/')
		return hs_fail(err, HS_ERR_INVALID, "base URL \"%s\" must not "
		    "end with '/'", u);
	return HS_OK;
}

static void
doc_free(struct doc *d)
{
	size_t i;

	for (i = 0; i < d->ninsts; i++)
		dinst_free(&d->insts[i]);
	free(d->ents);
	map_free(&d->rolemap);
	map_free(&d->facemap);
	map_free(&d->conflict);
	free(d->gl);
	free(d->lines);
	free(d->segs);
	free(d->row_h);
	free(d->row_page);
	qr_free(d->qr);
	libdeflate_free_compressor(d->zc);
	buf_free(&d->ops);
	if (d->pdf != NULL)
		HPDF_Free(d->pdf);
}

enum hs_err
pdf_render(struct pdf_renderer *r, const char *tmpl, const struct cert *c,
    const char *note, size_t note_len, const char *receipt,
    size_t receipt_len, const char *base_url, struct buf *out, char *err)
{
	struct doc d;
	enum hs_err rc;
	HPDF_UINT32 size;
	size_t i, old = out->len;

	memset(&d, 0, sizeof(d));
	d.r = r;
	d.c = c;
	d.err = err;
	buf_init(&d.ops);
	if (tmpl == NULL)
		tmpl = c->kind == CERT_COURSE ? "course" : "annual";
	if ((d.t = find_tpl(r, tmpl)) == NULL)
		return hs_fail(err, HS_ERR_NOTFOUND, "no template \"%s\" in %s",
		    tmpl, r->dir);
	if (d.t->kind >= 0 && d.t->kind != (int)c->kind)
		return hs_fail(err, HS_ERR_INVALID, "template \"%s\" is for "
		    "%s certificates, this one is %s", tmpl,
		    d.t->kind == CERT_ANNUAL ? "annual" : "course",
		    c->kind == CERT_ANNUAL ? "annual" : "course");
	if (note == NULL || note_len == 0)
		return hs_fail(err, HS_ERR_INVALID, "no certificate note to "
		    "embed");
	if (note_len > PDF_MAX_ATTACH || receipt_len > PDF_MAX_ATTACH)
		return hs_fail(err, HS_ERR_TOOBIG, "note or receipt longer "
		    "than %d bytes", PDF_MAX_ATTACH);
	if ((rc = check_url(base_url, err)))
		return rc;
	if ((rc = set_values(&d, base_url)))
		goto out;
	if ((rc = qr_encode(d.url, &d.qr, err)))
		goto out;
	if ((d.zc = libdeflate_alloc_compressor(Z_DOC)) == NULL) {
		rc = oom(&d);
		goto out;
	}

	/* Pass 1: lay everything out, collect the glyphs. */
	d.mode = COLLECT;
	d.ph = px(d.t->ph);
	if ((rc = paginate(&d)))
		goto out;
	for (d.cur_page = 0; d.cur_page < d.npages; d.cur_page++)
		if ((rc = draw_page(&d)))
			goto out;
	if ((rc = make_subsets(&d)))
		goto out;

	/* Pass 2: the PDF. */
	d.mode = EMIT;
	if ((d.pdf = HPDF_New(on_hpdf_error, &d)) == NULL) {
		rc = oom(&d);
		goto out;
	}
	HPDF_SetCompressionMode(d.pdf, HPDF_COMP_ALL);
	for (i = 0; i < d.ninsts; i++)
		if ((rc = emit_font(&d, &d.insts[i])))
			goto out;
	for (d.cur_page = 0; d.cur_page < d.npages; d.cur_page++) {
		if ((d.hpage = HPDF_AddPage(d.pdf)) == NULL) {
			rc = oom(&d);
			goto out;
		}
		HPDF_Page_SetWidth(d.hpage, px(d.t->pw));
		HPDF_Page_SetHeight(d.hpage, px(d.t->ph));
		d.cs = ((HPDF_PageAttr)d.hpage->attr)->stream;
		if ((rc = page_fonts(&d)) || (rc = draw_page(&d)) ||
		    (rc = finish_page(&d)))
			goto out;
	}
	if ((rc = attachments(&d, note, note_len, receipt, receipt_len)) ||
	    (rc = doc_info(&d)))
		goto out;
	if (HPDF_SaveToStream(d.pdf) != HPDF_OK) {
		rc = hs_fail(err, HS_ERR_NOMEM, "libharu: cannot write the "
		    "PDF (error 0x%04X)", (unsigned)d.herr);
		goto out;
	}
	size = HPDF_GetStreamSize(d.pdf);
	{
		HPDF_BYTE *p = malloc(size ? size : 1);
		HPDF_UINT32 got = size;

		if (p == NULL) {
			rc = oom(&d);
			goto out;
		}
		HPDF_ResetStream(d.pdf);
		HPDF_ReadFromStream(d.pdf, p, &got);
		if (got != size) {
			free(p);
			rc = hs_fail(err, HS_ERR_NOMEM, "libharu: cannot read "
			    "the PDF back");
			goto out;
		}
		buf_add(out, p, got);
		free(p);
	}
	rc = out->oom ? oom(&d) : HS_OK;
out:
	if (rc != HS_OK && out->len > old) {
		out->len = old;
		if (out->data != NULL)
			out->data[old] = '\0';
	}
	doc_free(&d);
	return rc;
}
