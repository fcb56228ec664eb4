/*
 * pdftext.h - the text a PDF page shows, as a reader copies it: the
 * strings of its text-showing operators (Tj, TJ, ', ") decoded through
 * each font's /ToUnicode map, in the order the content draws them.
 *
 * Pure parsing of bytes already taken out of the file (pdfin.h does the
 * reading and the decoding under its budget): a ToUnicode CMap, and a
 * page's content stream. Both are bounded: at most PDFTEXT_CMAP_MAX
 * mappings per map, PDFTEXT_MAX bytes of text per document.
 *
 * Comparing two documents' text (pdftext_compare) ignores white space
 * and how the strings are split into runs, so a file saved again by
 * another program reads the same as the original; what differs is named
 * as the page shows it against the reference, with the label drawn
 * before it ("专业科目 91" against "60").
 */
#ifndef HS_PDFTEXT_H
#define HS_PDFTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/hs.h"
#include "core/util.h"

#define PDFTEXT_CMAP_MAX 65536   /* mappings per ToUnicode map */
#define PDFTEXT_MAX (1u << 20)   /* bytes of text per document */

/* A font's code-to-Unicode map (opaque). */
struct pdftext_cmap;

/*
 * Parses a ToUnicode CMap (its bfchar and bfrange sections; codes of 1 to
 * 4 bytes). HS_OK with *out (caller frees with pdftext_cmap_free),
 * HS_ERR_FORMAT if it maps nothing or is malformed, HS_ERR_TOOBIG over
 * PDFTEXT_CMAP_MAX mappings, HS_ERR_NOMEM.
 */
enum hs_err pdftext_cmap_parse(const char *data, size_t len,
    struct pdftext_cmap **out, char *err);
void pdftext_cmap_free(struct pdftext_cmap *m); /* accepts NULL */

/* A font as the content uses it: its map and its code width. */
struct pdftext_font {
	const struct pdftext_cmap *map; /* NULL: no ToUnicode */
	int code_bytes;                 /* 2 for Type0 (Identity-H), else 1 */
};

/*
 * What the content stream refers to by name. font: fills *f for the font
 * resource /name (without the slash), false if there is none. xobject:
 * for a Do of /name, 0 if it draws no text (an image), 1 if it is a form
 * (whose text this reader does not follow), -1 if there is no such
 * resource. Either may be NULL (then: no fonts, every Do a form).
 */
struct pdftext_res {
	void *ctx;
	bool (*font)(void *ctx, const char *name, struct pdftext_font *f);
	int (*xobject)(void *ctx, const char *name);
};

/*
 * Appends the text content[0..len) shows to out, one line per
 * text-showing operator, and (ops not NULL) every token of the content to
 * ops in a canonical form (single spaces, strings in hex), so that two
 * contents that differ only in white space and comments give the same
 * ops. Past 2 * PDFTEXT_MAX bytes of ops, ops->oom is set: such ops must
 * not be compared. Sets *complete false (leaves it otherwise) when
 * some text cannot be read: a code a font does not map, a font without a
 * map, a form XObject drawn, an unknown font, or the PDFTEXT_MAX bound.
 * Never fails on malformed content: it reads what it can.
 */
void pdftext_page(const char *content, size_t len,
    const struct pdftext_res *res, struct buf *out, struct buf *ops,
    bool *complete);

/*
 * Compares the text of a file with the reference's (both as pdftext_page
 * wrote them, pages separated by '\f'). True if they read the same,
 * ignoring white space. Otherwise false and differs (n bytes) says, in
 * Chinese, what the page shows against what the reference says:
 * "页面显示 专业科目 91，签名内容为 60" (label and values cut at a
 * character boundary to fit).
 */
bool pdftext_compare(const char *file, size_t flen, const char *ref,
    size_t rlen, char *differs, size_t n);

#endif
