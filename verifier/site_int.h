/*
 * site_int.h - what the verification service's modules share (site.h is
 * the outside view): the site's state, the per-thread database, the
 * answer helpers and the handlers the route table in site.c points at.
 *
 *   site.c         routing (the route table), state, setup, answers
 *   site_cert.c    certificate pages and API, the ID match
 *   site_upload.c  one uploaded PDF, and batches
 *   site_ledger.c  checkpoint, tiles, keys, healthz, metrics
 */
#ifndef HS_SITE_INT_H
#define HS_SITE_INT_H

#include <pthread.h>
#include <stdint.h>

#include <jansson.h>

#include "cert/pepper.h"
#include "cert/serial.h"
#include "web/http.h"
#include "memo.h"
#include "mlimit.h"
#include "render.h"
#include "results.h"
#include "web/page.h"
#include "site.h"
#include "trust.h"
#include "vdb.h"
#include "verify.h"
#include "vstate.h"
#include "vtree.h"

/* Body limits (site_body_max): an ID match, one PDF, a batch. */
#define BODY_ID 1024u
#define BODY_PDF (10u * 1024 * 1024 + 256 * 1024) /* 10 MB + form overhead */
#define BODY_BATCH (50u * 1024 * 1024)
#define UPLOAD_PDF_MAX (10u * 1024 * 1024) /* one PDF, without the form */

#define BATCH_MAX PAGE_BATCH_MAX
/* Decoded PDF content a whole batch may spend (pdfin.h): a certificate
 * takes some 20 KB, a bomb stops here instead of at 16 MB per part. */
#define BATCH_DECODE_MAX ((uint64_t)64 << 20)

/* Rendered answers kept (memo.h): slots, bytes, the largest one. */
#define MEMO_SLOTS 131072
#define MEMO_BUDGET ((size_t)96 << 20)
#define MEMO_BODY_MAX (24u * 1024)

/* Verification outcomes counted for /metrics. */
enum { VM_VALID, VM_REVOKED, VM_NOTFOUND, VM_INVALID, VM_SERIAL_N };
#define VM_UPLOAD_N VDB_UP_COUNT

/* Endpoints: [0] is "other" (404s), then the table's names in order. */
#define SITE_EP_MAX 32

/*
 * One trusted ledger (a trust file's block, or --db and --key): verified
 * on its own, with its own tree, state file, refusals and sweep, so one
 * ledger being refused never changes another's answers.
 */
struct site_ledger {
	const struct trust_ledger *tl; /* name, origin, issuer, paths */
	struct verify_keys pinned;  /* its trust anchors */
	uint8_t pepper[PEPPER_SIZE]; /* the issuer's, for the ID match */
	int have_pepper;            /* 0: the match endpoint answers 503 */
	struct vtree *vt;           /* the verified ledger, for all threads */
	struct vstate *vs;          /* the remembered checkpoint, refusals */
	struct vdb_sweep sweep;
};

struct site {
	struct site_opts o;
	struct trust *trust;       /* the ledgers (a built one for --db) */
	struct site_ledger led[TRUST_MAX];
	size_t nled;               /* >= 1, unless bench_fixed */
	pthread_key_t key;         /* the thread's struct vdb */
	int key_made;
	uint64_t vm_serial[VM_SERIAL_N];
	uint64_t vm_upload[VM_UPLOAD_N];
	uint64_t vm_match[2];
	uint64_t vm_match_limited;  /* refused by the per-certificate limit */
	struct mlimit *ml;         /* NULL: no per-certificate limit */
	pthread_mutex_t log_mu;    /* last_log */
	char last_log[HS_ERRLEN];  /* the last "cannot verify" line said */
	struct memo *memo;         /* rendered answers, for all threads */
	struct results *results;   /* batch answers kept for downloads */
	struct page_operator op;   /* whose service it is (the footer) */
	pthread_t sweeper;         /* vdb_sweep of each ledger, low priority */
	int sweep_started;
	int sweep_stop;
	double sweep_t0, sweep_secs;
	/* From the route table (site_app): endpoint names and handlers. */
	const char *ep_names[SITE_EP_MAX];
	void (*ep_handler[SITE_EP_MAX])(struct site *s, struct http_req *r);
	int route_ep[SITE_EP_MAX]; /* the endpoint of each table entry */
	size_t nep;
};

/* A thread's state: its connection to each ledger's database. */
struct tstate {
	struct vdb *v[TRUST_MAX];
	unsigned conns;            /* connections open in this thread */
};

/* ---- answers (site.c) ---- */

enum page_lang site_lang(struct http_req *r);
/* Replies with b's bytes (taken over); 503 if b ran out of memory. */
void site_reply_buf(struct http_req *r, int status, const char *ctype,
    struct buf *b, const char *const *headers);
/* Replies with j (consumed) as one line of compact JSON. */
void site_reply_json(struct http_req *r, int status, json_t *j,
    const char *const *headers);
/* An error answer: JSON under /api/, else an HTML page. */
void site_error(void *ctx, struct http_req *r, int status, const char *msg,
    const char *const *headers);
/* 503 "cannot verify now", err said on stderr once. */
void site_unavailable(struct site *s, struct http_req *r, const char *err);
/* The serial in seg[0..n): 0, or -1 if it is not one. */
int site_path_serial(const char *seg, size_t n, char out[SERIAL_SIZE]);
/* What a page says about where and when (cx->op, base_url in buf). */
void site_render_ctx(struct site *s, struct http_req *r,
    struct render_ctx *cx, char *base, size_t n);
/* The thread's state with the first ledger's database open; NULL with
 * err. */
struct tstate *site_thread_state(struct site *s, char *err);
struct vdb *site_thread_vdb(struct site *s, char *err);
/* The thread's connection to ledger i's database; NULL with err. */
struct vdb *site_ledger_vdb(struct site *s, size_t i, char *err);
/* Says which ledger answered (res->ledger_name, ledger_issuer). */
void site_label(struct site *s, size_t i, struct vdb_result *res);

/*
 * A serial in every ledger, in trust-file order: HS_OK with res from the
 * first ledger that has it (*li its index; any status but NOTFOUND), or
 * NOTFOUND (*li = SIZE_MAX) when none has it. A ledger that cannot
 * answer now (503) matters only when no other has the serial: then its
 * error is returned. Free res with vdb_result_free.
 */
enum hs_err site_find_serial(struct site *s, const char *serial,
    struct vdb_result *res, size_t *li, char *err);
/*
 * An upload checked against every ledger in order: the first whose
 * answer is not "not issued by us" (a file that is no certificate stops
 * at the first). When every ledger says "not ours", the first ledger's
 * answer. Errors as site_find_serial.
 */
enum hs_err site_check_upload(struct site *s, const void *data, size_t len,
    struct pdfin_budget *budget, struct vdb_upload_result *u, char *err);

/* ---- handlers (the route table's) ---- */

/* site_cert.c */
void site_cert_page(struct site *s, struct http_req *r);
void site_cert_api(struct site *s, struct http_req *r);
void site_id_match(struct site *s, struct http_req *r);
void site_count_serial(struct site *s, enum vdb_status st);
/* site_upload.c */
void site_upload_one(struct site *s, struct http_req *r);
void site_upload_batch(struct site *s, struct http_req *r);
void site_batch_result(struct site *s, struct http_req *r);
/* site_ledger.c */
void site_ledger_checkpoint(struct site *s, struct http_req *r);
void site_ledger_tile(struct site *s, struct http_req *r);
void site_ledger_keys(struct site *s, struct http_req *r);
void site_ledger_healthz(struct site *s, struct http_req *r);
void site_ledger_metrics(struct site *s, struct http_req *r);
/* /ledger/<name>/...: checkpoint, tile/..., keys, healthz, metrics. */
void site_ledger_scoped(struct site *s, struct http_req *r);
/* The application's metrics (http_app.metrics). */
void site_app_metrics(void *ctx, struct buf *out);

#endif
