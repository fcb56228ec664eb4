/*
 * bind.c - this module binds a parsed template to the renderer's fonts:
 * it opens each font of each role's chain (once per renderer, however many
 * templates name it), checks that every character the template itself
 * prints is in its role's chain, and has the template's static subsets
 * cut. Rendering resolves characters to faces with the same functions, so
 * a template that binds cannot fail on its own text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdf/pdf_int.h"

/* ------------------------------------------------------------------ */
/* Font resolution (shared by template checks and rendering)            */
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

int
pdf_resolve_face(const struct pdf_renderer *r, const struct role *ro,
    uint32_t cp, uint32_t *gid)
{
	size_t i;

	for (i = 0; i < ro->nfaces; i++)
		if (font_face_glyph(r->faces[ro->faces[i]], cp, gid))
			return ro->faces[i];
	return -1;
}

enum hs_err
pdf_missing_char(const struct pdf_renderer *r, const struct role *ro,
    uint32_t cp, const char *src, char *err)
{
	char chain[300], ch[5];

	chain_names(r, ro, chain, sizeof(chain));
	utf8_put(cp, ch);
	return hs_fail(err, HS_ERR_FONT, "%s: U+%04X (%s) is in no font of "
	    "role \"%s\" (%s)", src, (unsigned)cp, ch, ro->name, chain);
}

/* ------------------------------------------------------------------ */
/* Coverage: the template's own text                                    */
/* ------------------------------------------------------------------ */

/* Literal text of a template, for coverage checks and static subsets. */
struct litscan {
	struct pdf_renderer *r;
	struct tpl *t;
	int role;
	const char *path;
	struct pdf_map *set;        /* (face << 32 | cp) -> gid, or NULL */
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
		if ((face = pdf_resolve_face(s->r, ro, cp, &gid)) < 0) {
			char msg[HS_ERRLEN];

			pdf_missing_char(s->r, ro, cp, s->path, msg);
			s->rc = hs_fail(s->err, HS_ERR_FONT, "%s: %s",
			    s->t->file, msg);
			return -1;
		}
		if (s->set != NULL &&
		    !pdf_map_put(s->set, (uint64_t)face << 32 | cp, gid)) {
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

enum hs_err
pdf_scan_literal(struct pdf_renderer *r, struct tpl *t, const char *text,
    int role, const char *path, struct pdf_map *set, bool templated,
    char *err)
{
	struct litscan s = { r, t, role, path, set, err, HS_OK };
	char msg[HS_ERRLEN];

	if (!templated)
		return lit_add(&s, text, strlen(text)) == 0 ? HS_OK : s.rc;
	if (pdf_tmpl_walk(text, &s, lit_add, lit_skip_field, msg) != 0)
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
			if ((rc = pdf_scan_literal(r, t, el->spans[k].text,
			    el->spans[k].role, path, NULL, true, err)))
				return rc;
		}
		if (el->type == EL_SEAL) {
			snprintf(path, sizeof(path), "elements[%zu] seal", i);
			if ((rc = pdf_scan_literal(r, t, el->top, el->role,
			    path, NULL, true, err)) ||
			    (rc = pdf_scan_literal(r, t, el->bottom, el->role,
			    path, NULL, true, err)))
				return rc;
		}
	}
	for (i = 0; i < t->table.ncols; i++) {
		snprintf(path, sizeof(path), "table column %zu title", i);
		if ((rc = pdf_scan_literal(r, t, t->table.cols[i].title,
		    t->table.header_role, path, NULL, false, err)))
			return rc;
		if (t->table.cols[i].stamped_label == NULL)
			continue;
		snprintf(path, sizeof(path), "table column %zu stamped_by "
		    "label", i);
		if ((rc = pdf_scan_literal(r, t, t->table.cols[i].stamped_label,
		    t->table.cols[i].role, path, NULL, false, err)))
			return rc;
	}
	for (ro = 0; ro < (int)t->nroles; ro++) {
		if (t->label_roles[LBL_SUBJECT] & 1u << ro)
			for (k = 0; k < NSUBJECTS; k++) {
				snprintf(path, sizeof(path), "labels.subject.%s",
				    pdf_subject_keys[k]);
				if ((rc = pdf_scan_literal(r, t, t->subject[k],
				    ro, path, NULL, false, err)))
					return rc;
			}
		if (t->label_roles[LBL_FORM] & 1u << ro)
			for (k = 0; k < NFORMS; k++) {
				snprintf(path, sizeof(path), "labels.form.%s",
				    pdf_form_keys[k]);
				if ((rc = pdf_scan_literal(r, t, t->form[k], ro,
				    path, NULL, false, err)))
					return rc;
			}
		if ((t->label_roles[LBL_STATUS] & 1u << ro) &&
		    ((rc = pdf_scan_literal(r, t, t->met, ro,
		    "labels.status.met", NULL, false, err)) ||
		    (rc = pdf_scan_literal(r, t, t->unmet, ro,
		    "labels.status.unmet", NULL, false, err))))
			return rc;
		if ((t->label_roles[LBL_EMPTY] & 1u << ro) &&
		    (rc = pdf_scan_literal(r, t, t->empty, ro, "labels.empty",
		    NULL, false, err)))
			return rc;
		if ((t->label_roles[LBL_DATESEP] & 1u << ro) &&
		    (rc = pdf_scan_literal(r, t, t->date_sep, ro,
		    "labels.date_sep", NULL, false, err)))
			return rc;
	}
	return HS_OK;
}

/* ------------------------------------------------------------------ */
/* Binding                                                              */
/* ------------------------------------------------------------------ */

/* Opens (or finds) the face of entry i of role ro's chain. */
static enum hs_err
bind_face(struct pdf_renderer *r, const struct tpl *t, struct role *ro,
    size_t i, char *err)
{
	const struct fontref *ref = &ro->refs[i];
	char key[620], path[160], msg[HS_ERRLEN];
	enum hs_err rc;
	size_t k;

	snprintf(path, sizeof(path), "fonts.%.60s[%zu]", ro->name, i);
	snprintf(key, sizeof(key), "%s#%d", ref->file, (int)ref->index);
	for (k = 0; k < r->nfaces; k++) {
		if (strcmp(r->face_keys[k], key) == 0) {
			ro->faces[i] = (int)k;
			return HS_OK;
		}
	}
	if (r->nfaces == MAX_FACES)
		return hs_fail(err, HS_ERR_FORMAT, "%s: %s: more than %d font "
		    "faces", t->file, path, MAX_FACES);
	if ((rc = font_face_open(ref->file, ref->index, &r->faces[r->nfaces],
	    msg)) != HS_OK)
		return hs_fail(err, rc, "%s: %s: %s", t->file, path, msg);
	snprintf(r->face_keys[r->nfaces], sizeof(r->face_keys[0]), "%s",
	    key);
	ro->faces[i] = (int)r->nfaces++;
	return HS_OK;
}

enum hs_err
pdf_tpl_bind(struct pdf_renderer *r, struct tpl *t, char *err)
{
	enum hs_err rc;
	size_t ro, i;

	/* Role by role, in the template's order: faces are numbered so. */
	for (ro = 0; ro < t->nroles; ro++)
		for (i = 0; i < t->roles[ro].nfaces; i++)
			if ((rc = bind_face(r, t, &t->roles[ro], i, err)))
				return rc;
	if ((rc = check_coverage(r, t, err)) ||
	    (rc = pdf_build_static(r, t, err)))
		return rc;
	return HS_OK;
}
