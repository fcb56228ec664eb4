/*
 * page.h - the verifier's HTML: escaping, the page frame, the language
 * choice (zh-CN by default, English by ?lang=en or Accept-Language), the
 * style sheet and the pages that need no database.
 *
 * Every string that reaches HTML goes through page_esc. Pages carry no
 * inline style or script (the CSP forbids both): the look comes from
 * /style.css, and every form works without JavaScript.
 */
#ifndef HS_PAGE_H
#define HS_PAGE_H

#include <stddef.h>

#include "core/util.h"

enum page_lang { PAGE_ZH = 0, PAGE_EN = 1 };

/* Picks the language: lang parameter ("en", "zh") first, then the first
 * zh or en tag in Accept-Language, else Chinese. Both may be NULL. */
enum page_lang page_lang(const char *query_lang, const char *accept_language);

/* The zh or en string. */
/* Items in one batch request: the batch endpoint refuses more (413) and
 * the index page says so, both from this number. */
#define PAGE_BATCH_MAX 1000

#define PL(lang, zh, en) ((lang) == PAGE_EN ? (en) : (zh))

/* Appends s HTML-escaped (& < > " '); invalid UTF-8 bytes become U+FFFD. */
void page_esc(struct buf *b, const char *s);
/* A revocation reason (formats §4: superseded, error, fraud, withdrawn)
 * as the pages word it; any other value is returned as it is. */
const char *page_revoke_reason(enum page_lang lang, const char *reason);
void page_escn(struct buf *b, const char *s, size_t n);
/*
 * An RFC 3339 UTC time as people read it, escaped: "2026-12-06 09:20
 * (北京时间)" in the process's zone (core/tz.h); anything else as it is.
 * page_time_t does the same for seconds since the epoch.
 */
void page_time(struct buf *b, enum page_lang lang, const char *rfc3339);
void page_time_t(struct buf *b, enum page_lang lang, long long t);

/*
 * Opens a document: doctype, head with title (escaped), <body> and the
 * header bar's brand link (brand to href, both trusted constants, not
 * escaped), leaving the header open for what follows in it.
 */
void page_open(struct buf *b, enum page_lang lang, const char *title,
    const char *href, const char *brand);

/* Opens a page: doctype, head with title, header bar, <main>. */
void page_head(struct buf *b, enum page_lang lang, const char *title);

/*
 * Whose verification service it is (serve --operator-name,
 * --operator-contact, --public-url): shown in every page's footer. Any
 * field may be NULL or "" (not shown); all are escaped.
 */
struct page_operator {
	const char *name;
	const char *contact;
	const char *url;
};

/* Closes <main>, adds the footer (the operator, if op and its name are
 * set) and language switch for path. page_foot is page_foot_op without
 * an operator. */
void page_foot(struct buf *b, enum page_lang lang, const char *path);
void page_foot_op(struct buf *b, enum page_lang lang, const char *path,
    const struct page_operator *op);

/* The style sheet served at /style.css, and its length. */
extern const char page_css[];
size_t page_css_len(void);

/* GET /: serial form, PDF upload, batch upload. */
void page_index(struct buf *b, enum page_lang lang);
void page_index_op(struct buf *b, enum page_lang lang,
    const struct page_operator *op);

/* A whole error page: status line in both words and msg (escaped). */
void page_error(struct buf *b, enum page_lang lang, int status,
    const char *msg);
/* The same with the operator's footer; detail (may be NULL: none), in
 * the folded 技术信息 section, is the original message when msg is its
 * translation. */
void page_error_op(struct buf *b, enum page_lang lang, int status,
    const char *msg, const char *detail, const struct page_operator *op);

/*
 * The 503 page of a verifier that cannot verify now (暂时无法核验): its
 * database cannot be read or trusted. reason (may be NULL) is escaped.
 */
void page_unavailable(struct buf *b, enum page_lang lang, const char *reason);
void page_unavailable_op(struct buf *b, enum page_lang lang,
    const char *reason, const struct page_operator *op);

/* A folded "技术信息" section holding text (escaped); nothing if empty. */
void page_tech(struct buf *b, enum page_lang lang, const char *text);

#endif
