/*
 * font.h - TrueType faces and HarfBuzz subsets for the PDF renderer.
 *
 * A face is one font of a file (a .ttf, or one index of a .ttc), opened
 * once per process and then shared read-only (safe to use from several
 * threads). font_subset cuts a small TrueType font holding just the glyphs
 * a document uses (hb_subset), renumbering them 1..n so that no glyph ID
 * comes near the 16-bit limits of PDF writers.
 */
#ifndef HS_FONT_H
#define HS_FONT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/hs.h"
#include "core/util.h"

struct font_face;

/* Metrics in 1/1000 em, as a PDF font descriptor wants them. */
struct font_metrics {
	int ascent, descent, cap_height;
	int bbox[4];          /* xMin yMin xMax yMax */
	int italic_angle;
};

/*
 * Opens face index of the font file path (memory-mapped by HarfBuzz).
 * Fails with HS_ERR_IO if the file cannot be read and HS_ERR_FORMAT if it
 * is not a font, has no such index, has no Unicode cmap or no TrueType
 * outlines (glyf; CFF-based OpenType cannot be embedded as FontFile2).
 * Caller frees *out with font_face_free.
 */
enum hs_err font_face_open(const char *path, unsigned index,
    struct font_face **out, char *err);

/* Frees f. Accepts NULL. */
void font_face_free(struct font_face *f);

/* "path" or "path#index", for messages. */
const char *font_face_label(const struct font_face *f);

/* The PostScript name, reduced to [A-Za-z0-9-] (never empty). */
const char *font_face_psname(const struct font_face *f);

void font_face_metrics(const struct font_face *f, struct font_metrics *m);

/*
 * True if f draws code point cp: its cmap maps cp to a glyph, and that
 * glyph has ink unless cp is a space. Stores the glyph ID in *gid.
 */
bool font_face_glyph(const struct font_face *f, uint32_t cp, uint32_t *gid);

/* Horizontal advance of glyph gid in 1/1000 em (rounded). */
int font_face_advance(const struct font_face *f, uint32_t gid);

/*
 * Subsets f to the n glyphs gids[] (with their code points cps[], kept in
 * the subset's cmap; the .notdef glyph is always kept). Appends the
 * TrueType bytes to ttf and stores the new glyph ID of gids[i] in
 * newgid[i]. Hinting and layout tables are dropped: the PDF positions
 * every glyph itself. HS_ERR_FONT if HarfBuzz fails.
 */
enum hs_err font_subset(const struct font_face *f, const uint32_t *gids,
    const uint32_t *cps, size_t n, struct buf *ttf, uint32_t *newgid,
    char *err);

#endif
