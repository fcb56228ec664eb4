/*
 * issue_int.h - what the issuer's files share: issue.c (the batch
 * driver), issue_pool.c (the render threads) and issue_repair.c
 * (finishing an interrupted run). Not part of the issuer's contract:
 * that is issue.h.
 */
#ifndef HS_ISSUE_INT_H
#define HS_ISSUE_INT_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "app/issue.h"
#include "cert/cert.h"
#include "cert/serial.h"
#include "core/hs.h"
#include "core/progress.h"
#include "core/util.h"
#include "store/certs.h"
#include "store/config.h"
#include "store/audit.h"
#include "store/keys.h"

struct ledger;
struct policy;
struct note_signer;
struct pdf_renderer;
struct pades_signer;

/* Free space a batch needs per certificate before it starts (bytes). */
#define PDF_SIZE_GUESS (96 * 1024)

/* Room for a temporary file's name, ".<serial>.pdf.tmp". */
#define SPARE_NAME 48

/* One certificate on its way through a batch. */
struct item {
	struct cert c;               /* c.records is owned (cert_free) */
	int64_t pid;
	int64_t *rids;               /* records.id of c.records */
	size_t nrids;
	char record_set[CERTS_SET_SIZE];
	char supersedes[SERIAL_SIZE];/* valid certificate it replaces, or "" */
	char *reason;                /* why it replaces it (malloc), or NULL */
	char seen[SERIAL_SIZE];      /* the latest certificate when prepared */
	struct buf note;             /* the signed note */
	struct buf entry;            /* its issue leaf */
	struct buf receipt;
	uint64_t index;              /* issue leaf index */
	uint64_t rindex;             /* revoke leaf index (if supersedes) */
	const char *dir;             /* the year directory, owned by the run */
	char want_sha[65];           /* repair: the recorded SHA-256 */
	char revoked_at[21];         /* when the superseded one is revoked */
	/* Set by the render thread. */
	enum hs_err rc;
	char err[HS_ERRLEN];
	char sha[65];
	size_t pdf_len;
	bool dropped;                /* not part of the batch any more */
};

struct batch {
	struct item *items;
	size_t n, cap;
	bool open;                   /* its transaction is open */
	uint64_t size;               /* tree size of its checkpoint */
	long holders;                /* holders with items in it */
	long mark;                   /* pool renders before it was queued */
};

/* The render threads and their queue of items. */
struct pool {
	pthread_mutex_t mu;
	pthread_cond_t work;
	pthread_cond_t done;
	struct item **q;
	size_t qcap, qhead, qlen;
	size_t busy;                 /* queued or being rendered */
	long rendered;               /* items rendered since the start */
	bool stop;
	pthread_t th[ISSUE_MAX_WORKERS];
	int nth;
	struct pdf_renderer *r;
	const struct pades_signer *pades; /* signs each PDF, or NULL */
	const char *base_url;
	/*
	 * Leftover temporary files (from a killed run or a rolled-back
	 * batch), reused before new ones are made: on ext4, creating a file
	 * soon after many were deleted is slow (each recently freed inode is
	 * skipped one by one), and a crashed run can leave a thousand.
	 */
	char (*spare)[SPARE_NAME];
	size_t nspare, capspare;
};

struct issue {
	struct config cfg;
	sqlite3 *db;
	struct ledger *ledger;
	struct certs *certs;
	struct policy *policy;
	struct note_signer *signer;
	bool signer_borrowed;  /* issue_open_signer: not ours to free */
	char key_label[KEYS_LABEL_MAX + 1];
	struct pdf_renderer *pdf;
	struct pades_signer *pades;  /* the PDF signer, or NULL (no key) */
	bool pades_logged;           /* its doc-cert leaf is committed */
	bool pades_borrowed;         /* issue_open_signer: not ours to free */
	/* The audit actor (issue_set_actor); its strings point below. */
	struct actor who;
	char who_name[256], who_role[32], who_org[256], who_client[64];
};

/* A run: what issue_run, issue_reissue and the repair share. */
struct run {
	struct issue *is;
	const struct issue_opts *o;
	struct issue_stats *st;
	struct pool pool;
	bool pool_up;
	char ydir[PATH_MAX];         /* out_dir/<year>, absolute */
	int dfd;                     /* ydir, locked with flock */
	struct progress *prog;
	long done;                   /* holders finished (progress) */
	size_t avg_pdf;              /* running average PDF size */
	long failed_items;
	char first_fail[HS_ERRLEN];
};

/* ---- issue.c: batches and items ---- */

/* Frees every item of b and empties it (its array stays). */
void issue_batch_clear(struct batch *b);

/* Frees b's items and array; b is zeroed. */
void issue_batch_free(struct batch *b);

/* A zeroed item at the end of b, or NULL if b is full. */
struct item *issue_batch_add(struct batch *b);

/*
 * The paths of serial's PDF in dir and of its temporary file
 * (".<serial>.pdf.tmp"); HS_OK, or an error if a path is too long.
 */
enum hs_err issue_pdf_paths(const char *dir, const char *serial,
    char final[PATH_MAX], char tmp[PATH_MAX], char *err);

/* SHA-256 of p (n bytes) in hex. */
void issue_sha_hex(const void *p, size_t n, char out[65]);

/*
 * Refuses (HS_ERR_IO, err says why) a batch of n certificates that would
 * not fit on the output disk.
 */
enum hs_err issue_check_space(struct run *R, size_t n, char *err);

/*
 * Makes the temporary files of b's items (all, or with only_dropped
 * those no longer in the batch) spares of the render pool.
 */
void issue_unlink_temps(struct run *R, struct batch *b, bool only_dropped);

/* ---- issue_pool.c: the render threads ---- */

/*
 * Starts nth render threads (each PDF is signed with pades after it is
 * rendered, when pades is not NULL) (at most ISSUE_MAX_WORKERS) with a queue of
 * qcap items; if none start, pool_submit renders in the caller. HS_OK,
 * or HS_ERR_NOMEM. Stop it with pool_stop.
 */
enum hs_err pool_start(struct pool *p, struct pdf_renderer *r,
    const struct pades_signer *pades, const char *base_url, int nth,
    size_t qcap, char *err);

/* Joins the threads and frees the queue and the spares' list. */
void pool_stop(struct pool *p);

/*
 * Queues the items of b not dropped (the queue holds two batches; the
 * caller never queues more). Each item gets rc, err, sha and pdf_len.
 */
void pool_submit(struct pool *p, struct batch *b);

/* Items rendered since the pool started. */
long pool_rendered(struct pool *p);

/*
 * Waits until every queued item is rendered. With prog, redraws the
 * progress report while waiting: base + the items rendered since the
 * pool had rendered mark, at most cap.
 */
void pool_wait(struct pool *p, struct progress *prog, long base, long mark,
    long cap);

/* Keeps the year directory's temporary file `name` for reuse. */
void pool_spare(struct pool *p, const char *name);

/* ---- issue_repair.c: finishing an interrupted run ---- */

/*
 * Leftover temporary PDFs in R->ydir become the pool's spares (reused,
 * or removed when the run ends).
 */
void issue_clean_temps(struct run *R);

/*
 * Gives every committed certificate whose PDF should be in R->ydir but
 * is not its file back. HS_OK, or the error that stops the run.
 */
enum hs_err issue_repair(struct run *R, char *err);

#endif
