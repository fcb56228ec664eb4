/*
 * render.h - verification results as HTML pages, JSON and CSV rows.
 * Everything shown about a certificate comes from its signed note (as
 * decoded after re-verification), never from unsigned columns.
 */
#ifndef HS_RENDER_H
#define HS_RENDER_H

#include <stdbool.h>

#include <jansson.h>

#include <stdint.h>
#include <time.h>

#include "web/page.h"
#include "vdb.h"
#include "verdict.h"

/* What every page says about where and when it was answered. */
struct render_ctx {
	const struct page_operator *op; /* the footer; may be NULL */
	const char *base_url;     /* the verifier's address, "" unknown */
	time_t now;               /* when the answer was checked */
};

/*
 * A time as people read it, from RFC 3339 UTC ("2026-12-06T01:20:50Z"):
 * "2026-12-06 09:20 (北京时间)" in the service's zone (hs_time_show_str;
 * en: the English zone words). The one function every page, export and
 * report of the verifier shows times through. out has at least
 * RENDER_TIME_SIZE bytes.
 */
#define RENDER_TIME_SIZE 64
void render_time(const char *rfc3339, bool en, char *out);
/* t as RFC 3339 UTC (machine form), 21 bytes with the NUL. */
void render_rfc3339(time_t t, char out[21]);

/* Stable machine names: "valid", "revoked", "not_found", "invalid". */
const char *render_status_name(enum vdb_status s);
/* "authentic", "note_authentic", "modified", "revoked", "not_issued_by_us",
 * "not_a_certificate", "invalid". */
const char *render_upload_name(enum vdb_upload u);

/* GET /c/<serial>: the whole page (checked at cx->now, shown to the
 * minute). */
void render_cert_page(struct buf *b, enum page_lang lang, const char *serial,
    const struct vdb_result *r, const struct render_ctx *cx);
/* GET /api/v1/certificates/<serial>: a new JSON object. */
json_t *render_cert_json(const char *serial, const struct vdb_result *r);

/* POST /api/v1/verify: the page (for forms) or JSON. */
void render_upload_page(struct buf *b, enum page_lang lang,
    const char *filename, const struct vdb_upload_result *u,
    const struct render_ctx *cx);
json_t *render_upload_json(const struct vdb_upload_result *u);

/*
 * The verifier's own English messages (errors, "not a certificate
 * number") in Chinese: the translation, or NULL if msg is not one of
 * them.
 */
const char *render_msg_zh(const char *msg);

/* One batch row: what was asked, and what was found. */
struct render_row {
	char item[256];             /* the input (serial, URL or file name) */
	char serial[SERIAL_SIZE];   /* "" if none could be read */
	int done;                   /* the status below is set */
	int upload;                 /* 1: up (a PDF), 0: st (a serial) */
	enum vdb_status st;
	enum vdb_upload up;
	char name[256];
	char id_masked[19];
	int year;
	char hours[24];             /* total hours */
	char problem[256];          /* the service's words (English) */
	/* The trusted ledger that answered (vdb_result's; NULL if none). */
	const char *ledger_name;
	const char *ledger_issuer;
	/* Issue 15: the same facts the single page has. */
	struct verdict v;           /* the headline */
	char issuer[256];           /* from the signed note */
	char revoked_at[21];        /* RFC 3339, "" if not revoked */
};

/* A batch answer with what it rests on (the exports state it). */
struct render_batch {
	struct render_row *rows;
	size_t n;
	char checked_at[21];        /* RFC 3339 UTC */
	char base_url[256];         /* the verifier's address, "" unknown */
	char origin[256];           /* the ledger */
	uint64_t ckpt_size;         /* the checkpoint answers rest on */
	char ckpt_root[45];
	char token[40];             /* the result store's, "" if not kept */
};

/*
 * A batch row's status, the one place its words come from: name true
 * gives the stable machine name (render_status_name or
 * render_upload_name: CSV, JSON); name false the label the batch page
 * shows in lang (Chinese words; in English the machine name).
 */
const char *render_row_status(const struct render_row *row,
    enum page_lang lang, bool name);
/* True for a row that verified ("valid" or "authentic"). */
bool render_row_good(const struct render_row *row);

/* A PDF part that is no certificate (too large): problem says why. */
void render_row_not_cert(struct render_row *row, const char *problem);
/* A line that is no certificate number: not found, problem says why. */
void render_row_not_found(struct render_row *row, const char *problem);

/* Fills row from a certificate check (row->item set by the caller). */
void render_row_cert(struct render_row *row, const struct vdb_result *r);
/* Fills row from an upload check. */
void render_row_upload(struct render_row *row,
    const struct vdb_upload_result *u);

/* A row's explanation in lang (reason, replacement, shortfall, what
 * the file is, why not found): "" if none. */
void render_row_note(const struct render_row *row, enum page_lang lang,
    char *out, size_t n);
/* How many rows have each headline (VERDICT_COUNT entries). */
void render_batch_counts(const struct render_batch *bt,
    size_t counts[VERDICT_COUNT]);

/*
 * The batch answer: CSV for people (UTF-8 with BOM, Chinese headers, a
 * preamble saying when, by whom and against which checkpoint, cells
 * that a spreadsheet would run as a formula neutralised), JSON, the
 * result page (with the downloads, if bt->token is set) and the
 * printable report (print CSS).
 */
void render_batch_csv(struct buf *b, const struct render_batch *bt,
    const struct render_ctx *cx);
json_t *render_batch_json(const struct render_batch *bt);
void render_batch_page(struct buf *b, enum page_lang lang,
    const struct render_batch *bt, const struct render_ctx *cx);
void render_batch_report(struct buf *b, enum page_lang lang,
    const struct render_batch *bt, const struct render_ctx *cx);
/*
 * A spreadsheet cell's text made safe: a leading = + - @ TAB or CR
 * gets a ' in front (OWASP "CSV injection"), so Excel shows it as text.
 * Writes at most n bytes with the NUL.
 */
void render_cell_safe(const char *in, char *out, size_t n);

/* The people's forms' columns (CSV, XLSX): their number, Chinese
 * headers, a row's cells (Chinese words) and the preamble's label and
 * value pairs (returns how many, at most max: 6 are needed). */
#define RENDER_COLS 13
#define RENDER_CELL_MAX 512
const char *render_col_name(size_t col);
void render_row_cells(const struct render_row *r, size_t i,
    enum page_lang lang, char cells[][RENDER_CELL_MAX]);
size_t render_batch_meta(const struct render_batch *bt,
    const struct render_ctx *cx, char pairs[][2][RENDER_CELL_MAX],
    size_t max);

#endif
