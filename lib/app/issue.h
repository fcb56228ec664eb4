/*
 * issue.h - issuing certificates in batches, revoking and reissuing them.
 *
 * A batch (default 1,000 certificates) is one SQLite transaction:
 *
 *   1. each certificate is built from the holder's STAMPED records only,
 *      encoded (cert_encode) and signed (note_sign, key name = origin);
 *   2. BEGIN IMMEDIATE; each issue leaf is appended (plus a revoke leaf
 *      for a certificate it supersedes); ONE checkpoint is signed for the
 *      batch; each certificate's receipt is computed against it;
 *   3. render threads write each PDF to DIR/<year>/.<serial>.pdf.tmp and
 *      hash it, while the main thread prepares the next batch;
 *   4. the certificate rows (with the PDF's SHA-256) and revocations are
 *      inserted, the files are synced, COMMIT;
 *   5. the temporary files are renamed to DIR/<year>/<serial>.pdf.
 *
 * A kill at any moment leaves a committed batch or nothing. A rerun first
 * repairs: a committed certificate whose PDF is missing is re-rendered
 * from its stored note and receipt (PDFs are deterministic, so the bytes
 * match the recorded SHA-256), or its temporary file is renamed if it is
 * complete; other temporary files are removed. Then it issues what is
 * missing: a holder whose valid certificate for the year covers exactly
 * the same records (record_set digest) is skipped unless --reissue; one
 * whose records changed gets a new certificate that supersedes the old
 * (revoked as "superseded", both pointing at each other). A holder whose
 * latest certificate was revoked (error, fraud, withdrawn) is not
 * certified again for the same records unless --reissue.
 *
 * Memory is bounded by two batches in flight, whatever the run's size.
 */
#ifndef HS_ISSUE_H
#define HS_ISSUE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <sqlite3.h>

#include "cert/cert.h"
#include "store/config.h"
#include "core/hs.h"
#include "cert/serial.h"
#include "core/util.h"

#define ISSUE_BATCH_DEFAULT 1000
#define ISSUE_BATCH_MAX 100000
#define ISSUE_MAX_WORKERS 8

struct issue;
struct note_signer;

/*
 * One supersession: the holder's valid certificate old_serial is (or, in
 * a dry run, would be) replaced by new_serial because reason, e.g.
 * "record R-17 corrected: subject professional -> public; record R-20
 * added". Strings live until the callback returns.
 */
struct issue_change {
	const char *name;        /* holder */
	const char *id_masked;   /* never the full ID number */
	int year;
	const char *kind;        /* annual, course */
	const char *old_serial;
	const char *new_serial;  /* "" in a dry run */
	const char *reason;
};

typedef void (*issue_change_fn)(void *ctx, const struct issue_change *ch);

/* What issue_open loads besides the database handles. */
#define ISSUE_SIGN   0x1  /* the active signing key (issue, revoke) */
#define ISSUE_RENDER 0x2  /* the PDF templates and fonts (issue, reissue) */

struct issue_opts {
	int year;
	enum cert_kind kind;
	const char *id_number;   /* one practitioner, or NULL for all */
	int64_t record_id;       /* course: only this record (records.id)
				    of the practitioner; 0: every one */
	const char *out_dir;     /* PDFs go to out_dir/<year>/ */
	bool only_complete;      /* skip holders who fall short (annual) */
	bool reissue;            /* also certify again holders whose latest
				    certificate was revoked (not superseded)
				    with the same records; a valid certificate
				    whose records are unchanged stays */
	bool dry_run;            /* decide and report, write nothing */
	issue_change_fn on_change; /* each supersession (NULL: none) */
	void *change_ctx;
	size_t batch;            /* certificates per transaction; 0: default */
	int workers;             /* render threads; 0: one per CPU */
	FILE *progress;          /* where progress goes, NULL for none */
	bool tty;                /* progress is a terminal: redrawn bar */
	bool quiet;              /* no progress at all */
};

struct issue_stats {
	long holders;            /* practitioners considered */
	long issued;             /* new certificates */
	long superseded;         /* old certificates revoked by new ones
				    (a dry run: that would be) */
	long unchanged;          /* skipped: same records already certified */
	long revoked;            /* skipped: revoked (not superseded) and the
				    records are unchanged; --reissue issues */
	long incomplete;         /* skipped by --only-complete */
	long failed;             /* could not be rendered (e.g. a font) */
	long repaired;           /* PDFs restored for committed certificates */
	long batches;            /* transactions = checkpoints signed */
	uint64_t ledger_size;    /* tree size of the last checkpoint */
	char manifest[4096];     /* path of the manifest written */
};

/*
 * Opens an issuing session on db (which stays the caller's; it must stay
 * open until issue_close) with config c (copied). flags say what to load
 * (ISSUE_SIGN, ISSUE_RENDER); the ledger, certificates and policy are
 * always opened. Fails with a message naming what is missing: no signing
 * key, a template or font error, a policy error.
 */
enum hs_err issue_open(const struct config *c, sqlite3 *db, unsigned flags,
    struct issue **is, char *err);
void issue_close(struct issue *is); /* accepts NULL */

struct actor;

/*
 * Who the session acts for in the audit log (store/audit.h): every
 * certificate issued (cert.issue) and revoked (cert.revoke) through it is
 * an audit row by this actor, in the transaction of the change. The
 * strings are copied. Until it is set, the actor is the shell operator
 * for the config's issuer (audit_operator). HS_ERR_INVALID if a string
 * is too long (name, org: 255 bytes; role: 31; client: 63).
 */
enum hs_err issue_set_actor(struct issue *is, const struct actor *who,
    char *err);

/*
 * As issue_open, but signs with signer (borrowed: it must outlive the
 * session) whose key is labelled label, instead of loading the key:
 * the issuing service's HTTP process passes the signer process's remote
 * signer (app/signer.h) here. flags must not hold ISSUE_SIGN. The PDFs
 * are signed with pades (borrowed too; NULL: not signed), never with a
 * document key from the keys directory: the service's is the signer
 * process's (signer_remote_pades).
 */
struct pades_signer;
enum hs_err issue_open_signer(const struct config *c, sqlite3 *db,
    unsigned flags, const struct note_signer *signer, const char *label,
    const struct pades_signer *pades, struct issue **is, char *err);

/*
 * Issues certificates for o->year as described above. st (may be NULL)
 * is filled even on failure with what was done. Errors: HS_ERR_NOTFOUND
 * if there is no such practitioner or no stamped record for the year,
 * HS_ERR_BUSY if another writer holds the database, HS_ERR_IO if the
 * output directory cannot be written (full disk: the batch in progress
 * is rolled back), HS_ERR_FONT etc. if some certificates could not be
 * rendered (the others are issued; they are counted in st->failed).
 */
enum hs_err issue_run(struct issue *is, const struct issue_opts *o,
    struct issue_stats *st, char *err);

/*
 * Why the holder's certificate old_serial no longer matches the records
 * cur (rids: their records.id, n of them; the holder's current stamped
 * records it would cover): appends to out "record REF added (title)",
 * "record REF removed (title)" and "record REF corrected: field old ->
 * new, ...", joined by "; " (at most 8, then "and N more"), or "records
 * unchanged". REF is records.ref or "#<id>". The old records are the old
 * note's (as certified) and its cert_records rows; field changes are
 * named only when the pairing of the two reproduces the old record_set
 * digest, else "record REF changed".
 */
enum hs_err issue_change_reason(struct issue *is, const char *old_serial,
    const struct cert_record *cur, const int64_t *rids, size_t n,
    struct buf *out, char *err);

/*
 * Revokes serial for reason (CERTS_REASONS) with an optional operator
 * note: a revoke leaf and a new checkpoint in one transaction. *size
 * (may be NULL) is the new checkpoint's tree size, *index the leaf's.
 * HS_ERR_NOTFOUND for an unknown serial, HS_ERR_EXISTS if already revoked.
 */
enum hs_err issue_revoke(struct issue *is, const char *serial,
    const char *reason, const char *note, uint64_t *index, uint64_t *size,
    char *err);

/*
 * With o->dry_run: issue_run and issue_reissue decide as they would,
 * call o->on_change for each supersession (new_serial "") and count in
 * st, and write nothing: no ledger leaf, no row, no file, no directory;
 * they need neither the signing key nor the templates.
 *
 * Issues a corrected certificate for the holder, year and kind (and,
 * for a course certificate, the record) of serial from the current
 * stamped records, revokes serial as superseded, and links both
 * (certificates.replaces, revocations.replaced_by); one batch, one
 * checkpoint. The new PDF goes to out_dir/<year>/. new_serial gets the
 * new serial. HS_ERR_EXISTS if serial is already revoked.
 */
enum hs_err issue_reissue(struct issue *is, const char *serial,
    const char *out_dir, const struct issue_opts *o,
    char new_serial[SERIAL_SIZE], char *err);

/*
 * Appends to out the receipt of the certificate at leaf index: against
 * the checkpoint of its batch (the one in its PDF) if latest is false,
 * else against the latest checkpoint. *size (may be NULL) gets that
 * checkpoint's tree size.
 */
enum hs_err issue_receipt(struct issue *is, uint64_t index, bool latest,
    struct buf *out, uint64_t *size, char *err);

/*
 * The record_set digest of a certificate's records: base64 SHA-256 over
 * one line per record, "id|subject|form|start|end|hours10|title|provider\n",
 * in the given order. out: CERTS_SET_SIZE (45) bytes.
 */
void issue_record_set(const struct cert_record *recs, const int64_t *rids,
    size_t n, char out[45]);

/*
 * Writes dir/manifest.csv (atomically) listing every certificate whose
 * PDF is in dir and exists: serial, id (masked), name, kind, hours,
 * status (met / unmet / course / revoked), file, sha256. *rows (may be
 * NULL) gets the number of lines after the header.
 */
enum hs_err issue_manifest(sqlite3 *db, const char *dir, long *rows,
    char *err);

#endif
