/*
 * sharereport.h - the verification report of a share code (service.md
 * §5, §7): each certificate the code lists, checked as the verifier
 * checks it, against the issuer's own database and ledger:
 *
 *   signature   the stored signed note opens with one of the issuer's
 *               keys (keys table), decodes as a certificate note of that
 *               serial, and the key was valid at its issued time (not
 *               before not_before, not after retirement, before a
 *               compromise);
 *   inclusion   the note's issue leaf (cert/leaf.h) is at its leaf index
 *               in the latest signed checkpoint, whose signature is
 *               checked with the keys not marked compromised: the Merkle
 *               inclusion proof is built from the ledger and verified
 *               against the checkpoint's root (a certificate newer than
 *               the checkpoint is "pending", not failed);
 *   revocation  a revoked certificate's revoke leaf is read from the
 *               ledger, must name that serial, and is proved included
 *               the same way; its reason is the leaf's.
 *
 * A listed certificate that was replaced (revoked as superseded with a
 * replacement) brings its replacement into the report (the chain
 * followed to the newest, at most SHAREREPORT_CHAIN steps), checked the
 * same way. Hours, requirement and 达标 come from the verified note only.
 */
#ifndef HS_APP_SHAREREPORT_H
#define HS_APP_SHAREREPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "cert/idnum.h"
#include "cert/serial.h"
#include "core/hs.h"
#include "store/share.h"

#define SHAREREPORT_CHAIN 8   /* replacements followed from one listed */
#define SHAREREPORT_MAX (SHARE_MAX_CERTS * 2)
#define SHAREREPORT_MSG 200

enum sharereport_check {
	SR_OK = 0,
	SR_FAILED,     /* it does not verify: msg says why */
	SR_PENDING,    /* not yet covered by a signed checkpoint */
};

struct sharereport_cert {
	char serial[SERIAL_SIZE];
	char replaces[SERIAL_SIZE]; /* a replacement: the listed serial it
	                               stands for; "" for a listed one */
	bool found;                 /* false: no such certificate */
	int year;
	char kind[8];               /* annual, course */
	char name[256];
	char id_masked[IDNUM_SIZE];
	char issued[21];
	/* From the verified note (verified true), else zero. */
	bool verified;
	long public10, compulsory10, elective10, professional10, total10;
	bool split;                 /* public hours split compulsory/elective */
	long req_total10, req_public10, req_professional10;
	bool met;                   /* annual only */
	/* The ledger's word on revocation. */
	bool revoked;
	char reason[16];
	char revoked_at[21];
	char replaced_by[SERIAL_SIZE];
	enum sharereport_check sig, incl, rev; /* rev: revoked ones only */
	char sig_msg[SHAREREPORT_MSG], incl_msg[SHAREREPORT_MSG],
	    rev_msg[SHAREREPORT_MSG];
	uint64_t leaf_index;
};

struct sharereport {
	bool have_checkpoint;       /* a checkpoint opened with our keys */
	char checkpoint_msg[SHAREREPORT_MSG]; /* why not */
	uint64_t checkpoint_size;
	int64_t checked_at;         /* the now it was built at */
	size_t nkeys;               /* issuer keys checked against */
	size_t n;
	struct sharereport_cert c[SHAREREPORT_MAX];
};

/*
 * Builds the report for serials[0..n) (n <= SHARE_MAX_CERTS) of the
 * ledger with origin, at now. Certificate problems are results in the
 * report, not errors; an error (HS_ERR_NOMEM, a database error) means
 * no report. Caller frees *out with sharereport_free.
 */
enum hs_err sharereport_build(sqlite3 *db, const char *origin,
    const char (*serials)[SERIAL_SIZE], size_t n, int64_t now,
    struct sharereport **out, char *err);
void sharereport_free(struct sharereport *r); /* accepts NULL */

/* True if every check of c passed (pending counts as not passed). */
bool sharereport_cert_ok(const struct sharereport_cert *c);

#endif
