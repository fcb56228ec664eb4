/*
 * pdf_int.h - what the files of the PDF renderer share (not a public
 * header: the contract is pdf.h). Certificate PDFs: templates, layout,
 * fonts, QR code, seal and attachments (see pdf.h and docs/formats.md §6).
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
 *
 * The files, in the order a certificate goes through them:
 *
 *   template.c  template JSON into struct tpl; needs no font
 *   bind.c      a parsed template's font chains opened in the renderer,
 *               coverage of its literal text, its static subsets; the
 *               character -> face resolution rendering uses too
 *   subset.c    HarfBuzz subsets: static (per template) and dynamic
 *               (per document)
 *   layout.c    field values, text expansion, line breaking, the records
 *               table's rows and pages
 *   draw.c      the pages: glyph runs, lines, rectangles, QR code, seal,
 *               the table
 *   embed.c     fonts, page content, attachments and document information
 *               as libharu objects: the one file that uses libharu's
 *               internal headers
 *   pdf.c       the renderer (pdf.h) and pdf_render, which runs the passes
 *   pdfutil.c   a small hash map, deflate and hex output
 *
 * Names that cross files start with pdf_; the structs below are the
 * module's own and never leave lib/pdf.
 */
#ifndef HS_PDF_INT_H
#define HS_PDF_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hpdf.h>
#include <libdeflate.h>

#include "cert/cert.h"
#include "core/hs.h"
#include "core/util.h"
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
#define STATIC_MIN      48              /* glyphs worth a static subset;
					   part of the bytes a verifier
					   renders again (check.c): changing
					   it changes every PDF */
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
	F_R_START, F_R_END, F_R_DATES, F_R_HOURS, F_R_STAMPED_BY,
	F_COUNT
};

/* Field names as templates write them ("record.title"), by enum field. */
extern const char *const pdf_field_names[F_COUNT];

enum col_field {
	C_INDEX, C_SUBJECT, C_FORM, C_TITLE, C_PROVIDER, C_START, C_END,
	C_DATES, C_HOURS, C_COUNT
};

/* Record subjects and forms as certificates name them; struct tpl's
 * subject[] and form[] labels are in this order. */
#define NSUBJECTS 4
extern const char *const pdf_subject_keys[NSUBJECTS];
#define NFORMS 9
extern const char *const pdf_form_keys[NFORMS];

enum el_type { EL_TEXT, EL_LINE, EL_RECT, EL_QR, EL_SEAL, EL_TABLE };
enum el_on { ON_ALL, ON_FIRST, ON_LAST, ON_CONTINUED, ON_NOTLAST };
/* WHEN_STAMPED: the note's records name who stamped them (formats §3). */
enum el_when { WHEN_ALWAYS, WHEN_MET, WHEN_UNMET, WHEN_STAMPED };
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
	/*
	 * "stamped_by": {"label", "size", "color"}: when the note's records
	 * name who stamped them, the cell gets one more line, label then
	 * the organisation. NULL label: no such line (notes without it
	 * render exactly as before).
	 */
	char *stamped_label;
	double stamped_size;    /* pt */
	uint32_t stamped_color;
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

/* One font of a role's chain as the template names it. */
struct fontref {
	char file[600];         /* absolute, or joined to the template dir */
	unsigned index;         /* face of a .ttc, 0..255 */
};

/*
 * A font role ("body", "title") and its chain: the first font that has a
 * character draws it. template.c fills name and refs; pdf_tpl_bind sets
 * faces[i], the renderer's face for refs[i].
 */
struct role {
	char name[32];
	struct fontref refs[MAX_CHAIN];
	int faces[MAX_CHAIN];
	size_t nfaces;          /* entries of refs (and, once bound, faces) */
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

/* A tiny hash map: uint64 key -> uint32 value (pdfutil.c). */
struct pdf_map {
	uint64_t *keys;
	uint32_t *vals;         /* 0 = empty slot, else value + 1 */
	size_t cap, n;
};

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
	HPDF_Font font;         /* built by embed.c */
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
	struct pdf_map rolemap;     /* role << 32 | cp -> ent */
	struct pdf_map facemap;     /* face << 32 | cp -> ent */
	struct pdf_map conflict;    /* inst << 32 | gid -> cp */
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
	char srcbuf2[64];

	struct qr *qr;
	struct libdeflate_compressor *zc;

	HPDF_Doc pdf;
	HPDF_Page hpage;
	HPDF_STATUS herr;
	struct buf ops;
	float ph;               /* page height, pt */
	float spacing;          /* extra advance, em, for the next layout */
	float stroke;           /* text outline width, pt (0: none) */
};

/* Frees everything a document holds (not d itself); the certificate
 * renderer and the letters both end with it. */
void pdf_doc_free(struct doc *d);

/* Points from millimetres, and the page's y (from the top) in PDF space. */
static inline float
px(double mm)
{
	return (float)(mm * MM);
}

static inline float
py(const struct doc *d, double mm)
{
	return d->ph - (float)(mm * MM);
}

static inline enum hs_err
pdf_oom(struct doc *d)
{
	return hs_fail(d->err, HS_ERR_NOMEM, "out of memory");
}

/* ------------------------------------------------------------------ */
/* pdfutil.c                                                            */
/* ------------------------------------------------------------------ */

/* True and *v if m has k. An all-zero map is empty. */
bool pdf_map_get(const struct pdf_map *m, uint64_t k, uint32_t *v);
/* Sets k to v; false if out of memory (m unchanged). */
bool pdf_map_put(struct pdf_map *m, uint64_t k, uint32_t v);
/* Frees m's tables and empties it. */
void pdf_map_free(struct pdf_map *m);

/*
 * Deflates p[0..n) into *out as a zlib stream (FlateDecode). Caller frees
 * *out; HS_ERR_NOMEM on failure (*out NULL).
 */
enum hs_err pdf_deflate(struct libdeflate_compressor *zc, const void *p,
    size_t n, uint8_t **out, size_t *outlen, char *err);

/* Appends v & 0xFFFF as four upper-case hex digits. */
void pdf_puthex4(struct buf *b, uint32_t v);

/* ------------------------------------------------------------------ */
/* template.c: template JSON, no fonts                                  */
/* ------------------------------------------------------------------ */

/*
 * Walks template text s. For each literal piece calls lit(ctx, p, n), for
 * each field fld(ctx, field). Returns -1 and a message in err (HS_ERRLEN)
 * for an unknown field or unbalanced brace, or when a callback returns
 * nonzero (then err is the callback's business).
 */
int pdf_tmpl_walk(const char *s, void *ctx,
    int (*lit)(void *, const char *, size_t),
    int (*fld)(void *, int), char *err);

/*
 * Parses the template file ("annual.json") from text[0..len): every key,
 * bound and placement is checked, the font chains are recorded as paths
 * (relative ones joined to dir) but no font is opened. Fails with
 * HS_ERR_FORMAT and a message naming the file and the field, HS_ERR_TOOBIG
 * over MAX_TPL_BYTES. On success *out is the template, unbound (caller
 * frees with pdf_tpl_free, or binds it with pdf_tpl_bind).
 */
enum hs_err pdf_tpl_parse(const char *dir, const char *file,
    const char *text, size_t len, struct tpl **out, char *err);

/* Reads dir/file (at most MAX_TPL_BYTES) and parses it (pdf_tpl_parse). */
enum hs_err pdf_tpl_load(const char *dir, const char *file,
    struct tpl **out, char *err);

/* Frees t and its static subsets. Accepts NULL. */
void pdf_tpl_free(struct tpl *t);

/* ------------------------------------------------------------------ */
/* bind.c: fonts for a template                                         */
/* ------------------------------------------------------------------ */

/*
 * Binds parsed template t to r: opens each font of its chains (once per
 * renderer: a font two templates name is one face), checks that every
 * literal character has a font in its role's chain, and cuts the
 * template's static subsets. Fails with HS_ERR_IO / HS_ERR_FORMAT for a
 * font ("annual.json: fonts.body[0]: ..."), HS_ERR_FONT for a character
 * (U+XXXX and where it is). t stays the caller's; faces opened before a
 * failure stay in r, which frees them.
 */
enum hs_err pdf_tpl_bind(struct pdf_renderer *r, struct tpl *t,
    char *err);

/* First face of role ro's chain that draws cp (and *gid), or -1. */
int pdf_resolve_face(const struct pdf_renderer *r, const struct role *ro,
    uint32_t cp, uint32_t *gid);

/* HS_ERR_FONT: "SRC: U+XXXX (c) is in no font of role ... (chain)". */
enum hs_err pdf_missing_char(const struct pdf_renderer *r,
    const struct role *ro, uint32_t cp, const char *src, char *err);

/*
 * Checks that every literal character of text (a text template if
 * templated, else plain text) has a face in role's chain; path names the
 * text in a failure (HS_ERR_FONT, or HS_ERR_FORMAT for a bad template).
 * With set non-NULL, adds (face << 32 | cp) -> gid for each character.
 */
enum hs_err pdf_scan_literal(struct pdf_renderer *r, struct tpl *t,
    const char *text, int role, const char *path, struct pdf_map *set,
    bool templated, char *err);

/* ------------------------------------------------------------------ */
/* subset.c: HarfBuzz subsets                                           */
/* ------------------------------------------------------------------ */

/*
 * Cuts t's static subsets: per face, the characters every document of the
 * template prints, when there are at least STATIC_MIN of them. Sets
 * t->statics[]; fails with the font or deflate error, naming t's file.
 */
enum hs_err pdf_build_static(struct pdf_renderer *r, struct tpl *t,
    char *err);

/* Frees s. Accepts NULL. */
void pdf_sinst_free(struct sinst *s);

/*
 * After the COLLECT pass: puts every glyph of d->ents into a static subset
 * or a dynamic one (cut here), setting each entry's inst and newgid.
 * HS_ERR_TOOBIG over MAX_INSTS subsets.
 */
enum hs_err pdf_make_subsets(struct doc *d);

/* Frees what d's subset in owns (not in itself). */
void pdf_dinst_free(struct dinst *in);

/* ------------------------------------------------------------------ */
/* layout.c: values, text and lines                                     */
/* ------------------------------------------------------------------ */

/*
 * Checks certificate d->c (UTF-8, no control characters, known subjects
 * and forms, an RFC 3339 issue time) and fills d->vals. HS_ERR_INVALID or
 * HS_ERR_TOOBIG with the field named.
 */
enum hs_err pdf_set_values(struct doc *d, const char *base_url);

/* Expands text templates into d->segs (reset first). */
enum hs_err pdf_expand_spans(struct doc *d, const struct span *spans,
    size_t n);

/*
 * Lays d->segs out into lines at most width pt wide (0: no limit).
 * Appends to d->gl / d->lines (reset first). Glyphs are registered in
 * COLLECT mode; a character without a font fails here, naming its source.
 */
enum hs_err pdf_layout(struct doc *d, float width);

/* The distance of two baselines in the table at font size size. */
float pdf_line_gap(const struct table *tb, float size);

/*
 * Height of the cell laid out in d->lines: nlines line gaps at size,
 * or, when a line is of another size (who stamped, smaller), the sum of
 * each line's own gap.
 */
float pdf_cell_block(const struct doc *d, const struct table *tb,
    float size);

/* Lays out table cell (row ri, column col) / the header of col. */
enum hs_err pdf_layout_cell(struct doc *d, size_t ri,
    const struct column *col);
enum hs_err pdf_layout_header(struct doc *d, const struct column *col);

/*
 * Sets d->npages, d->table_pages, the header height and every row's height
 * and page. HS_ERR_INVALID for a row too tall for a page.
 */
enum hs_err pdf_paginate(struct doc *d);

/* ------------------------------------------------------------------ */
/* draw.c: pages                                                        */
/* ------------------------------------------------------------------ */

/*
 * Draws page d->cur_page: every element shown on it and the table's rows
 * of the page. In COLLECT mode it only lays out (registering glyphs); in
 * EMIT mode it writes to d->hpage.
 */
enum hs_err pdf_draw_page(struct doc *d);

/* ------------------------------------------------------------------ */
/* embed.c: libharu objects                                             */
/* ------------------------------------------------------------------ */

/* Appends d->ops to the current page's content stream and resets it. */
enum hs_err pdf_flush_ops(struct doc *d);

/* Builds the font dictionaries of subset in (sets in->font). */
enum hs_err pdf_emit_font(struct doc *d, struct dinst *in);

/* Puts every subset of d in the current page's /Font resources. */
enum hs_err pdf_page_fonts(struct doc *d);

/* Deflates the current page's content stream (Z_DOC). */
enum hs_err pdf_finish_page(struct doc *d);

/* Embeds note and receipt (receipt NULL/0: none) as attached files. */
enum hs_err pdf_attachments(struct doc *d, const char *note,
    size_t note_len, const char *receipt, size_t receipt_len);

/* Sets the document information: title, author, subject, creation date. */
enum hs_err pdf_doc_info(struct doc *d);

#endif
