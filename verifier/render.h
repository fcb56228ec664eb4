/*
 * render.h - verification results as HTML pages, JSON and CSV rows.
 * Everything shown about a certificate comes from its signed note (as
 * decoded after re-verification), never from unsigned columns.
 */
#ifndef HS_RENDER_H
#define HS_RENDER_H

#include <stdbool.h>

#include <jansson.h>

#include "web/page.h"
#include "vdb.h"

/* Stable machine names: "valid", "revoked", "not_found", "invalid". */
const char *render_status_name(enum vdb_status s);
/* "authentic", "note_authentic", "modified", "revoked", "not_issued_by_us",
 * "not_a_certificate", "invalid". */
const char *render_upload_name(enum vdb_upload u);

/* GET /c/<serial>: the whole page. */
void render_cert_page(struct buf *b, enum page_lang lang, const char *serial,
    const struct vdb_result *r);
/* GET /api/v1/certificates/<serial>: a new JSON object. */
json_t *render_cert_json(const char *serial, const struct vdb_result *r);

/* POST /api/v1/verify: the page (for forms) or JSON. */
void render_upload_page(struct buf *b, enum page_lang lang,
    const char *filename, const struct vdb_upload_result *u);
json_t *render_upload_json(const struct vdb_upload_result *u);

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
	char problem[256];
	/* The trusted ledger that answered (vdb_result's; NULL if none). */
	const char *ledger_name;
	const char *ledger_issuer;
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

/* The batch answer in the three forms. */
void render_batch_csv(struct buf *b, const struct render_row *rows, size_t n);
json_t *render_batch_json(const struct render_row *rows, size_t n);
void render_batch_page(struct buf *b, enum page_lang lang,
    const struct render_row *rows, size_t n);

#endif
