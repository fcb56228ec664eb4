/*
 * template.c - this module reads certificate templates: the JSON of
 * templates/annual.json and the like into struct tpl, with every key,
 * bound and placement checked and the "{field}" text templates walked.
 * It opens no font: a parsed template names its fonts as paths, and
 * pdf_tpl_bind (bind.c) opens them. So templates can be parsed, and
 * tested, without any font installed.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/i18n.h"
#include "pdf/pdf_int.h"

/* ------------------------------------------------------------------ */
/* Names                                                                */
/* ------------------------------------------------------------------ */

const char *const pdf_field_names[F_COUNT] = {
	"serial", "issuer", "year", "name", "id", "unit", "public",
	"professional", "total", "req_total", "req_public",
	"req_professional", "status", "missing_total", "missing_public",
	"missing_professional", "issued", "issued_zh", "url", "page",
	"pages", "records", "record.title", "record.provider",
	"record.subject", "record.form", "record.start", "record.end",
	"record.dates", "record.hours", "record.stamped_by",
};

static const char *const col_names[C_COUNT + 1] = {
	"index", "subject", "form", "title", "provider", "start", "end",
	"dates", "hours", NULL,
};

const char *const pdf_subject_keys[NSUBJECTS] = {
	"public", "public/compulsory", "public/elective", "professional",
};
const char *const pdf_form_keys[NFORMS] = {
	"online", "face-to-face", "industry", "employer", "practice",
	"degree", "academic", "achievement", "other",
};

/* ------------------------------------------------------------------ */
/* Text templates: "{field}" placeholders, "{{" and "}}" for braces     */
/* ------------------------------------------------------------------ */

static int
field_lookup(const char *s, size_t n)
{
	int i;

	for (i = 0; i < F_COUNT; i++)
		if (strlen(pdf_field_names[i]) == n &&
		    memcmp(pdf_field_names[i], s, n) == 0)
			return i;
	return -1;
}

/*
 * Walks template text s. For each literal piece calls lit(ctx, p, n), for
 * each field fld(ctx, field). Returns -1 and a message in err (HS_ERRLEN)
 * for an unknown field or unbalanced brace.
 */
int
pdf_tmpl_walk(const char *s, void *ctx,
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
/* Template loading                                                     */
/* ------------------------------------------------------------------ */

struct jctx {
	const char *dir;        /* relative font paths start here */
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
	vsnprintf(msg, sizeof(msg), _(fmt), ap);
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

/*
 * One entry of a font chain: a path, or {"file": path, "index": N}. Only
 * recorded (relative paths joined to the template directory); pdf_tpl_bind
 * opens it.
 */
static enum hs_err
parse_face(struct jctx *j, json_t *v, const char *path, struct fontref *out)
{
	const char *file;
	json_int_t index = 0;
	enum hs_err rc;
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
		if (snprintf(out->file, sizeof(out->file), "%s", file) >=
		    (int)sizeof(out->file))
			return jfail(j, path, "font path too long");
	} else if (path_join(out->file, sizeof(out->file), j->dir, file,
	    NULL) != HS_OK) {
		return jfail(j, path, "font path too long");
	}
	out->index = (unsigned)index;
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
			if ((rc = parse_face(j, json_array_get(chain, i), p2,
			    &ro->refs[ro->nfaces])) != HS_OK)
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
		if ((rc = get_str(j, o, pdf_subject_keys[i], "labels.subject",
		    true, NULL, &t->subject[i])) != HS_OK)
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
		if ((rc = get_str(j, o, pdf_form_keys[i], "labels.form", true,
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

	if (pdf_tmpl_walk(text, &s, scan_lit, scan_fld, msg) != 0)
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
		el->nspans++;           /* so that pdf_tpl_free frees it */
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
static const char *const when_names[] = { "always", "met", "unmet",
	"stamped", NULL };
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
		"align", "font", "stamped_by", NULL };
	static const char *const skeys[] = { "label", "size", "color",
		NULL };
	struct tpl *t = j->t;
	struct table *tb = &t->table;
	json_t *cols, *sb;
	char p2[128], p3[160];
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
		tb->ncols++;            /* so that pdf_tpl_free frees it */
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
		if ((sb = json_object_get(c, "stamped_by")) != NULL) {
			snprintf(p3, sizeof(p3), "%s.stamped_by", p2);
			if (!json_is_object(sb))
				return jfail(j, p2, "\"stamped_by\" must be an "
				    "object {\"label\", \"size\", \"color\"}");
			if ((rc = check_keys(j, sb, p3, skeys)) ||
			    (rc = get_str(j, sb, "label", p3, false, "",
			    &col->stamped_label)) ||
			    (rc = get_num(j, sb, "size", p3, false, tb->size,
			    4, 36, &col->stamped_size)) ||
			    (rc = get_color(j, sb, "color", p3, tb->text_color,
			    &col->stamped_color, NULL)))
				return rc;
			if (strchr(col->stamped_label, '\n') != NULL)
				return jfail(j, p3, "\"label\" must be one line");
		}
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

void
pdf_tpl_free(struct tpl *t)
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
	for (i = 0; i < t->table.ncols; i++) {
		free(t->table.cols[i].title);
		free(t->table.cols[i].stamped_label);
	}
	for (i = 0; i < MAX_FACES; i++)
		pdf_sinst_free(t->statics[i]);
	free(t);
}

/* "annual.json" -> template "annual"; the name must fit struct tpl. */
static enum hs_err
check_name(const char *file, char *err)
{
	size_t nl = strlen(file);

	if (nl < 6 || nl - 5 >= sizeof(((struct tpl *)0)->name) ||
	    strcmp(file + nl - 5, ".json") != 0)
		return hs_fail(err, HS_ERR_FORMAT, "%s: bad template name",
		    file);
	return HS_OK;
}

enum hs_err
pdf_tpl_parse(const char *dir, const char *file, const char *text,
    size_t len, struct tpl **out, char *err)
{
	static const char *const keys[] = { "kind", "page", "title", "fonts",
		"labels", "elements", NULL };
	static const char *const pkeys[] = { "size", "orientation", NULL };
	static const char *const kinds[] = { "annual", "course", NULL };
	struct tpl *t = NULL;
	struct jctx j;
	json_t *root = NULL, *page, *els, *v;
	json_error_t je;
	size_t i;
	enum hs_err rc;
	int kind;

	*out = NULL;
	if ((rc = check_name(file, err)) != HS_OK)
		return rc;
	if (len > MAX_TPL_BYTES)
		return hs_fail(err, HS_ERR_TOOBIG, "%s: larger than %d bytes",
		    file, MAX_TPL_BYTES);
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	memcpy(t->name, file, strlen(file) - 5);
	snprintf(t->file, sizeof(t->file), "%s", file);
	j.dir = dir;
	j.t = t;
	j.err = err;
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
	*out = t;
	t = NULL;
out:
	json_decref(root);
	pdf_tpl_free(t);
	return rc;
}

enum hs_err
pdf_tpl_load(const char *dir, const char *file, struct tpl **out,
    char *err)
{
	char path[600], *text = NULL;
	size_t len;
	enum hs_err rc;

	*out = NULL;
	if ((rc = check_name(file, err)) ||
	    (rc = path_join(path, sizeof(path), dir, file, err)) ||
	    (rc = file_read(path, MAX_TPL_BYTES, &text, &len, err)))
		return rc;
	rc = pdf_tpl_parse(dir, file, text, len, out, err);
	free(text);
	return rc;
}
