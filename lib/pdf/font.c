/*
 * font.c - TrueType faces and HarfBuzz subsets (see font.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <hb.h>
#include <hb-ot.h>
#include <hb-subset.h>

#include "pdf/font.h"

struct font_face {
	char label[600];
	char psname[64];
	hb_blob_t *blob;
	hb_face_t *face;
	hb_font_t *font;
	unsigned upem;
	struct font_metrics m;
	/*
	 * hb_subset_preprocess makes every later subset about three times
	 * faster but costs ~0.2 s per face, so it is done on first use (a
	 * fallback face may never be needed), under the lock.
	 */
	pthread_mutex_t lock;
	hb_face_t *pre;
};

static int
scale(const struct font_face *f, long v)
{
	double d = (double)v * 1000.0 / f->upem;

	return (int)(d < 0 ? d - 0.5 : d + 0.5);
}

static int16_t
be16s(const uint8_t *p)
{
	return (int16_t)(uint16_t)(p[0] << 8 | p[1]);
}

static void
read_metrics(struct font_face *f)
{
	hb_font_extents_t ext;
	hb_position_t cap;
	hb_blob_t *head;
	const uint8_t *h;
	unsigned len;

	memset(&f->m, 0, sizeof(f->m));
	if (hb_font_get_h_extents(f->font, &ext)) {
		f->m.ascent = scale(f, ext.ascender);
		f->m.descent = scale(f, ext.descender);
	}
	if (hb_ot_metrics_get_position(f->font, HB_OT_METRICS_TAG_CAP_HEIGHT,
	    &cap) && cap > 0)
		f->m.cap_height = scale(f, cap);
	else
		f->m.cap_height = f->m.ascent;
	/* head: xMin, yMin, xMax, yMax at offset 36. */
	head = hb_face_reference_table(f->face, HB_TAG('h', 'e', 'a', 'd'));
	h = (const uint8_t *)hb_blob_get_data(head, &len);
	if (h != NULL && len >= 44) {
		f->m.bbox[0] = scale(f, be16s(h + 36));
		f->m.bbox[1] = scale(f, be16s(h + 38));
		f->m.bbox[2] = scale(f, be16s(h + 40));
		f->m.bbox[3] = scale(f, be16s(h + 42));
	} else {
		f->m.bbox[1] = f->m.descent;
		f->m.bbox[2] = 1000;
		f->m.bbox[3] = f->m.ascent;
	}
	hb_blob_destroy(head);
}

static void
read_psname(struct font_face *f)
{
	char name[64];
	unsigned len = sizeof(name);
	size_t i, o = 0;

	if (hb_ot_name_get_utf8(f->face, HB_OT_NAME_ID_POSTSCRIPT_NAME,
	    HB_LANGUAGE_INVALID, &len, name) == 0)
		name[0] = '\0';
	for (i = 0; name[i] != '\0' && o + 1 < sizeof(f->psname); i++) {
		char c = name[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-')
			f->psname[o++] = c;
	}
	if (o == 0)
		o = (size_t)snprintf(f->psname, sizeof(f->psname), "Font");
	f->psname[o] = '\0';
}

static bool
has_table(hb_face_t *face, hb_tag_t tag)
{
	hb_blob_t *t = hb_face_reference_table(face, tag);
	bool ok = hb_blob_get_length(t) > 0;

	hb_blob_destroy(t);
	return ok;
}

enum hs_err
font_face_open(const char *path, unsigned index, struct font_face **out,
    char *err)
{
	struct font_face *f = NULL;
	struct stat st;
	hb_set_t *cps = NULL;
	enum hs_err rc;
	int n;

	*out = NULL;
	if (stat(path, &st) != 0)
		return hs_fail(err, HS_ERR_IO, "%s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return hs_fail(err, HS_ERR_IO, "%s: not a regular file", path);
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	pthread_mutex_init(&f->lock, NULL);
	n = index == 0 ? snprintf(f->label, sizeof(f->label), "%s", path) :
	    snprintf(f->label, sizeof(f->label), "%s#%u", path, index);
	if (n < 0 || (size_t)n >= sizeof(f->label)) {
		rc = hs_fail(err, HS_ERR_INVALID, "font path too long");
		goto out;
	}
	if ((f->blob = hb_blob_create_from_file_or_fail(path)) == NULL) {
		rc = hs_fail(err, HS_ERR_IO, "%s: cannot be read", path);
		goto out;
	}
	if (hb_face_count(f->blob) == 0) {
		rc = hs_fail(err, HS_ERR_FORMAT, "%s: not a font file", path);
		goto out;
	}
	if (index >= hb_face_count(f->blob)) {
		rc = hs_fail(err, HS_ERR_FORMAT,
		    "%s: has %u faces, no index %u", path,
		    hb_face_count(f->blob), index);
		goto out;
	}
	f->face = hb_face_create(f->blob, index);
	hb_face_make_immutable(f->face);
	f->upem = hb_face_get_upem(f->face);
	if (!has_table(f->face, HB_TAG('g', 'l', 'y', 'f')) ||
	    !has_table(f->face, HB_TAG('l', 'o', 'c', 'a'))) {
		rc = hs_fail(err, HS_ERR_FORMAT,
		    "%s: not a TrueType-outline font (no glyf table; "
		    "CFF/OpenType fonts cannot be embedded)", f->label);
		goto out;
	}
	cps = hb_set_create();
	hb_face_collect_unicodes(f->face, cps);
	if (hb_set_get_population(cps) == 0) {
		rc = hs_fail(err, HS_ERR_FORMAT, "%s: no Unicode cmap",
		    f->label);
		goto out;
	}
	f->font = hb_font_create(f->face);
	hb_font_make_immutable(f->font);
	read_metrics(f);
	read_psname(f);
	*out = f;
	f = NULL;
	rc = HS_OK;
out:
	hb_set_destroy(cps);
	font_face_free(f);
	return rc;
}

void
font_face_free(struct font_face *f)
{
	if (f == NULL)
		return;
	hb_face_destroy(f->pre);
	hb_font_destroy(f->font);
	hb_face_destroy(f->face);
	hb_blob_destroy(f->blob);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

const char *
font_face_label(const struct font_face *f)
{
	return f->label;
}

const char *
font_face_psname(const struct font_face *f)
{
	return f->psname;
}

void
font_face_metrics(const struct font_face *f, struct font_metrics *m)
{
	*m = f->m;
}

static bool
is_space(uint32_t cp)
{
	return cp == 0x20 || cp == 0xA0 || cp == 0x3000 ||
	    (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F || cp == 0x205F;
}

bool
font_face_glyph(const struct font_face *f, uint32_t cp, uint32_t *gid)
{
	hb_codepoint_t g;
	hb_glyph_extents_t ext;

	*gid = 0;
	if (!hb_font_get_nominal_glyph(f->font, cp, &g) || g == 0)
		return false;
	/* A cmap entry pointing at an empty outline would print a blank. */
	if (!is_space(cp) && (!hb_font_get_glyph_extents(f->font, g, &ext) ||
	    ext.width == 0 || ext.height == 0))
		return false;
	*gid = g;
	return true;
}

int
font_face_advance(const struct font_face *f, uint32_t gid)
{
	return scale(f, hb_font_get_glyph_h_advance(f->font, gid));
}

static hb_face_t *
preprocessed(struct font_face *f)
{
	hb_face_t *pre;

	pthread_mutex_lock(&f->lock);
	if (f->pre == NULL)
		f->pre = hb_subset_preprocess(f->face);
	pre = f->pre;
	pthread_mutex_unlock(&f->lock);
	return pre;
}

/* Tables a PDF viewer never reads from an embedded CIDFontType2 font. */
static const char *const drop_tables[] = {
	"GSUB", "GPOS", "GDEF", "BASE", "JSTF", "MATH", "vhea", "vmtx",
	"VORG", "gasp", "DSIG", "kern", "morx", "mort", "BDF ", "EBDT",
	"EBLC", "EBSC", "CBDT", "CBLC", "sbix", "FFTM", "LTSH", "hdmx",
	"VDMX", "PCLT", "meta", "fpgm", "prep", "cvt ",
};

enum hs_err
font_subset(const struct font_face *cf, const uint32_t *gids,
    const uint32_t *cps, size_t n, struct buf *ttf, uint32_t *newgid,
    char *err)
{
	/* Only the lazily built preprocessed face is written, under lock. */
	struct font_face *f = (struct font_face *)cf;
	hb_subset_input_t *in = NULL;
	hb_subset_plan_t *plan = NULL;
	hb_face_t *pre, *sub = NULL;
	hb_blob_t *blob = NULL;
	const hb_map_t *map;
	hb_set_t *s;
	const char *data;
	unsigned len;
	size_t i;
	enum hs_err rc;

	if ((pre = preprocessed(f)) == NULL ||
	    (in = hb_subset_input_create_or_fail()) == NULL) {
		rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
		goto out;
	}
	s = hb_subset_input_set(in, HB_SUBSET_SETS_GLYPH_INDEX);
	for (i = 0; i < n; i++)
		hb_set_add(s, gids[i]);
	s = hb_subset_input_set(in, HB_SUBSET_SETS_UNICODE);
	for (i = 0; i < n; i++)
		hb_set_add(s, cps[i]);
	s = hb_subset_input_set(in, HB_SUBSET_SETS_DROP_TABLE_TAG);
	for (i = 0; i < sizeof(drop_tables) / sizeof(drop_tables[0]); i++)
		hb_set_add(s, hb_tag_from_string(drop_tables[i], 4));
	/* Family, subfamily, unique and PostScript names only. */
	s = hb_subset_input_set(in, HB_SUBSET_SETS_NAME_ID);
	hb_set_clear(s);
	hb_set_add(s, 1);
	hb_set_add(s, 2);
	hb_set_add(s, 3);
	hb_set_add(s, 4);
	hb_set_add(s, 6);
	hb_subset_input_set_flags(in, HB_SUBSET_FLAGS_NO_HINTING);

	if ((plan = hb_subset_plan_create_or_fail(pre, in)) == NULL) {
		rc = hs_fail(err, HS_ERR_FONT, "%s: HarfBuzz cannot plan "
		    "the subset", f->label);
		goto out;
	}
	map = hb_subset_plan_old_to_new_glyph_mapping(plan);
	for (i = 0; i < n; i++) {
		hb_codepoint_t g = hb_map_get(map, gids[i]);

		if (g == HB_MAP_VALUE_INVALID || g == 0) {
			rc = hs_fail(err, HS_ERR_FONT, "%s: glyph %u of "
			    "U+%04X was lost in the subset", f->label,
			    (unsigned)gids[i], (unsigned)cps[i]);
			goto out;
		}
		newgid[i] = g;
	}
	if ((sub = hb_subset_plan_execute_or_fail(plan)) == NULL) {
		rc = hs_fail(err, HS_ERR_FONT, "%s: HarfBuzz subset failed",
		    f->label);
		goto out;
	}
	blob = hb_face_reference_blob(sub);
	data = hb_blob_get_data(blob, &len);
	if (data == NULL || len < 12) {
		rc = hs_fail(err, HS_ERR_FONT, "%s: empty subset", f->label);
		goto out;
	}
	buf_add(ttf, data, len);
	rc = ttf->oom ? hs_fail(err, HS_ERR_NOMEM, "out of memory") : HS_OK;
out:
	hb_blob_destroy(blob);
	hb_face_destroy(sub);
	hb_subset_plan_destroy(plan);
	hb_subset_input_destroy(in);
	return rc;
}
