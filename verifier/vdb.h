/*
 * vdb.h - the verification service's read-only view of a database
 * (DIR/verifier.db from `publish`, or the issuer's own, in WAL mode).
 *
 * One struct vdb per thread: a read-only SQLite connection, prepared
 * statements, the ledger, the trusted keys (as the verified ledger says,
 * rooted in the configured ones) and a cache of verification results.
 * Every answer is re-verified from the signed data, never taken from a
 * status column: the stored note must open with a trusted key that was
 * valid when it was issued, its leaf must be the note's issue entry and
 * must be included in the latest checkpoint, which itself must be signed
 * by a key the verified ledger trusts for it (lib/keylog.h). A revocation
 * counts when its revoke leaf is in the ledger too. Results are cached
 * per (serial, note, checkpoint size); a new checkpoint, a key change in
 * the verified ledger or a replaced file invalidates them.
 */
#ifndef HS_VDB_H
#define HS_VDB_H

#include <stdbool.h>
#include <stdint.h>

#include "cert/cert.h"
#include "tlog/checkpoint.h"
#include "core/hs.h"
#include "pdfin.h"
#include "cert/serial.h"
#include "verify.h"

struct vdb;

enum vdb_status {
	VDB_VALID,      /* 有效 */
	VDB_REVOKED,    /* 已撤销 */
	VDB_NOTFOUND,   /* 未找到 */
	VDB_BADSIG,     /* 签名无效: signature, key window, or ledger proof failed */
};

struct vdb_result {
	enum vdb_status status;
	char problem[256];        /* why BADSIG (or notes on others) */
	bool have_cert;           /* cert holds the signed note's content */
	struct cert cert;         /* cert_free via vdb_result_free */
	char key_vkey[NOTE_VKEY_MAX]; /* the key that signed */
	uint64_t leaf_index;
	uint64_t ckpt_size;       /* latest checkpoint that includes it */
	char ckpt_root[45];
	char origin[CHECKPOINT_ORIGIN_MAX + 1];
	char pdf_sha256[65];      /* hex, "" if unknown */
	char replaces[SERIAL_SIZE];
	/* revocation */
	char reason[16];
	char revoked_at[21];
	char replaced_by[SERIAL_SIZE];
	/* the verified note (VALID, REVOKED): its leaf hash, and the bytes
	 * until decoded */
	bool has_note;
	uint8_t leaf_hash[32];
	char *note;
	size_t note_len;
	/* Which trusted ledger answered: its name and the issuer people
	 * read, from the trust file (set by the service, never by vdb; NULL
	 * or "" when not said). They point into the service's trust file. */
	const char *ledger_name;
	const char *ledger_issuer;
};

/*
 * "Cannot verify now": functions that check answers return HS_ERR_STATE
 * with err starting with this when the database cannot be trusted (its
 * checkpoint is refused, does not verify, or its copy of a certificate
 * is not what the verified ledger holds). The rest of err says why, in
 * one line without paths, fit to show. Other errors (HS_ERR_DB, ...)
 * mean it could not be read. Either way the service answers 503, never
 * "签名无效", which is only for a note whose own signature or leaf fails.
 */
#define VDB_CANNOT_VERIFY "cannot verify now: "

/*
 * Opens path read-only. pinned: the trust anchor key(s) (--key), required
 * (HS_ERR_INVALID if NULL or empty). Every other key, and every
 * retirement and compromise, comes from the verified ledger's key entries
 * (vtree.h, lib/keylog.h); the database's keys table is never read.
 * vt (may be NULL: a private one) is the verified tree, shared by the
 * threads of one server; it must outlive v, and keeps the anchors of the
 * first vdb_open (another set is refused).
 */
struct vtree;
enum hs_err vdb_open(const char *path, const struct verify_keys *pinned,
    struct vtree *vt, struct vdb **out, char *err);
void vdb_close(struct vdb *v); /* accepts NULL */

/*
 * Reads happen in one read transaction per poll interval (vdb_set_poll):
 * a consistent snapshot of keys, checkpoint and certificates, without
 * taking SQLite's locks for every statement. vdb_idle ends it (call it
 * when the thread has nothing to do); the next call begins a new one.
 */
void vdb_idle(struct vdb *v);

/*
 * How often (milliseconds) the latest checkpoint is looked up again; 0
 * (the default) looks on every call. The service uses a few hundred
 * milliseconds: a new checkpoint (and so a revocation, which the issuer
 * always logs with one) shows within that time.
 */
void vdb_set_poll(struct vdb *v, unsigned ms);
/*
 * Looks at the latest checkpoint (subject to the poll interval) and
 * returns the generation: a number that changes whenever the verified
 * checkpoint or the key state derived from the verified ledger changes, so answers cached under one
 * generation are still right while it stays the same. HS_OK or a
 * could-not-check error.
 */
enum hs_err vdb_generation(struct vdb *v, uint64_t *gen, char *err);

/*
 * A verifier never goes back (service.md §7). vs (shared by the server's
 * threads, may be NULL) remembers the largest checkpoint verified, on
 * disk, and the refusal state; the vtree holds the floor it was started
 * with (vtree_set_floor). A database whose checkpoint does not verify,
 * whose ledger does not match it, or whose checkpoint is smaller than or
 * inconsistent with one verified before is refused: answers then rest on
 * the last checkpoint this process verified (if the current keys still
 * accept it), or there are none and every answer is "cannot verify now".
 */
struct vstate;
void vdb_set_state(struct vdb *v, struct vstate *vs);

/*
 * Verifies the signature of a checkpoint note with the keys the verified
 * ledger trusts now (vtree_check_note).
 */
enum hs_err vdb_open_checkpoint(struct vdb *v, const char *note, size_t len,
    struct checkpoint *cp, char *err);

/*
 * Verifies the checkpoint note remembered from an earlier run (the state
 * file) at start, with keys derived from the anchors (pinned, as given to
 * vdb_open) only: first by following the database's key history up to it
 * (vtree_advance: the shared tree then covers it, which also proves the
 * database holds that history), else with the anchors alone (a database
 * that went back or forked), else with the key history of the database's
 * own latest checkpoint, verified in a scratch tree that is then dropped.
 * A checkpoint signed by a key that none of these vouch for (e.g. a key
 * rotated in after the database's copy ends) cannot be verified:
 * HS_ERR_SIGNATURE saying so. HS_OK with *cp.
 */
enum hs_err vdb_verify_remembered(struct vdb *v,
    const struct verify_keys *pinned, const char *note, size_t len,
    struct checkpoint *cp, char *err);

/*
 * What answers rest on now (looking at the database first): its verified
 * checkpoint (VDB_SERVING), the last one verified while the database's
 * is refused (VDB_RETAINED), or none (VDB_UNAVAILABLE: every answer is
 * "cannot verify now"). *size is the checkpoint's (0 if none); why (n
 * bytes) says why the database's is not served ("" when it is).
 */
enum vdb_health { VDB_SERVING, VDB_RETAINED, VDB_UNAVAILABLE };
enum vdb_health vdb_health(struct vdb *v, uint64_t *size, char *why,
    size_t n);

/* True if the file at the path is no longer the one opened (publish
 * replaced it): the caller should close and reopen. Cheap (a stat). */
bool vdb_stale(struct vdb *v);

/*
 * Verifies the certificate with canonical serial. HS_OK with res filled
 * (any status), or HS_ERR_DB/BUSY/NOMEM if it could not check and
 * HS_ERR_STATE if it cannot verify now (VDB_CANNOT_VERIFY; answer 503
 * for both; res is then empty). Free res with vdb_result_free.
 */
enum hs_err vdb_check_serial(struct vdb *v, const char *serial,
    struct vdb_result *res, char *err);
/*
 * The same checks, without decoding the note when they do not need to
 * (have_cert may be false with has_note true): vdb_result_decode fills
 * res->cert when it is wanted. Decoding cannot fail for a verified note;
 * if it does, res becomes BADSIG and the error is returned.
 */
enum hs_err vdb_verify_serial(struct vdb *v, const char *serial,
    struct vdb_result *res, char *err);
enum hs_err vdb_result_decode(struct vdb_result *res, char *err);
/*
 * The answer from the verified ledger alone, without the database: true
 * (res filled, status VALID, no note) when the serial's only issue leaf
 * is in the latest checkpoint, nothing revokes it, the note behind that
 * leaf had its signature verified by this process before (vtree.h), and
 * that key is trusted and was valid at the issue time. False otherwise:
 * then vdb_verify_serial decides. res needs vdb_result_free either way.
 */
bool vdb_quick(struct vdb *v, const char *serial, struct vdb_result *res);
void vdb_result_free(struct vdb_result *res);

/*
 * The sweep: checks the signature of every stored certificate whose leaf
 * is in the latest checkpoint and not yet checked by this process, and
 * records the good ones (vtree_set_signer) so that their first request
 * needs no Ed25519 check. Certificates whose note fails (bad signature,
 * a leaf that is not theirs, a key outside its window) are counted and
 * the first few named on stderr. It reads in chunks, each in its own
 * snapshot, and stops early when *stop becomes nonzero. Counters are
 * updated as it goes (atomically: another thread may read them).
 */
struct vdb_sweep {
	uint64_t total;           /* certificates under the checkpoint */
	uint64_t done;            /* looked at */
	uint64_t good;            /* signature verified and recorded */
	uint64_t bad;             /* failed */
	int finished;
};
enum hs_err vdb_sweep(struct vdb *v, const int *stop, struct vdb_sweep *st,
    char *err);

/* What an uploaded file turned out to be. */
enum vdb_upload {
	VDB_UP_AUTHENTIC,   /* authentic and unchanged (PDF hash matches) */
	VDB_UP_NOTE_OK,     /* an authentic certificate note (no PDF) */
	VDB_UP_MODIFIED,    /* authentic certificate, but this PDF was modified */
	VDB_UP_REVOKED,     /* authentic, but revoked */
	VDB_UP_NOT_OURS,    /* not issued by us (signature, unknown serial) */
	VDB_UP_NOT_CERT,    /* not a certificate at all */
	VDB_UP_INVALID,     /* ours, but the ledger or key check failed */
	/*
	 * Issue 15 (values after the old ones, which keep their numbers):
	 * EDITED: an authentic note, but the text the file shows differs from
	 * it (differs says what); RESAVED: the file's bytes differ from what
	 * was issued but its visible text is the signed note's; COPY: no
	 * note, a QR code in an image (a scan or photo) named the serial, so
	 * the answer is the ledger's, not the file's.
	 */
	VDB_UP_EDITED,
	VDB_UP_RESAVED,
	VDB_UP_COPY,
};
#define VDB_UP_COUNT (VDB_UP_COPY + 1)

struct vdb_upload_result {
	enum vdb_upload outcome;
	char problem[256];
	bool receipt_ok;          /* embedded receipt verified */
	bool consistent;          /* receipt checkpoint consistent with latest */
	uint64_t receipt_size;
	char sha256[65];          /* of the uploaded file */
	/* EDITED: what the page shows against what is signed, in Chinese
	 * ("页面显示 专业 91，签名内容为 61"); COPY: what was read (e.g. "第 1 页的图像") */
	char differs[256];
	struct vdb_result cert;   /* ledger status of the serial */
};

/*
 * Verifies an upload: a PDF (its certificate.note and certificate.proof
 * attachments and its SHA-256) or a bare signed note. HS_OK with res
 * filled, or a could-not-check error. Free with vdb_upload_free.
 */
enum hs_err vdb_check_upload(struct vdb *v, const void *data, size_t len,
    struct vdb_upload_result *res, char *err);
/*
 * The same with a decoding budget shared by every file of one request
 * (pdfin.h; NULL: the file's own). A PDF over budget is VDB_UP_NOT_CERT.
 */
enum hs_err vdb_check_upload_budget(struct vdb *v, const void *data,
    size_t len, struct pdfin_budget *budget, struct vdb_upload_result *res,
    char *err);
void vdb_upload_free(struct vdb_upload_result *res);

/* The latest signed checkpoint note (appended to out) and its size. */
enum hs_err vdb_checkpoint(struct vdb *v, struct buf *out, uint64_t *size,
    char *err);
/* Consistency proof from old_size to the latest, in the verify.h form. */
enum hs_err vdb_consistency(struct vdb *v, uint64_t old_size,
    struct buf *out, char *err);
/* Tile bytes for path "tile/..." at the latest checkpoint's size;
 * HS_ERR_NOTFOUND if it does not exist, HS_ERR_FORMAT for a bad path.
 * *full says whether it is a full (immutable) tile. */
enum hs_err vdb_tile(struct vdb *v, const char *path, struct buf *out,
    bool *full, char *err);
/* The trusted keys, as the verified ledger says, in the /keys text form. */
enum hs_err vdb_keys(struct vdb *v, struct buf *out, char *err);
/* The id_digest column for serial; HS_ERR_NOTFOUND if none. */
enum hs_err vdb_id_digest(struct vdb *v, const char *serial, char out[45],
    char *err);

#endif
