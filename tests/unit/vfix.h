/*
 * vfix.h - builds real verifier fixtures through the library: a database
 * with a signing key, signed certificate notes, ledger leaves, signed
 * checkpoints and revocations. Used by test_vdb and test_vstate (and,
 * through test_vdb --make-fixture, by the end-to-end tests and the
 * benchmark). The bodies are in vfix.c, compiled once.
 *
 * Every int function returns 0, or -1 with the reason in f->err.
 */
#ifndef VFIX_H
#define VFIX_H

#include <stddef.h>
#include <stdint.h>

/* The library modules a fixture is made of; its users call them too. */
#include "cert/cert.h"
#include "store/certs.h"
#include "store/config.h"
#include "cert/leaf.h"
#include "store/ledger.h"
#include "tlog/note.h"
#include "cert/serial.h"
#include "store/store.h"
#include "core/util.h"

#define VFIX_ORIGIN "ledger.test.hourseal/fj"
/* A valid GB 11643 number (check character 3); the pepper is all zero. */
#define VFIX_ID "350102198001011233"
#define VFIX_PEPPER_HEX \
	"0000000000000000000000000000000000000000000000000000000000000000"

struct vfix {
	sqlite3 *db;
	struct ledger *l;
	struct certs *cs;
	struct note_signer *signer;   /* signs certificates */
	struct note_signer *ckpt;     /* the first key: signs checkpoints */
	struct note_signer *old[8];   /* checkpoint signers handed over */
	size_t nold;
	char vkey[NOTE_VKEY_MAX];
	char anchor[NOTE_VKEY_MAX];   /* the first key: the trust anchor */
	uint8_t anchor_seed[32];
	char label[32];
	char err[HS_ERRLEN];
};

/* If set, the next key made has this seed (a second ledger, same key). */
extern const uint8_t *vfix_next_seed;

/* Runs SQL s on the fixture's database (a test's own changes). */
int vfix_sql(struct vfix *f, const char *s);

/*
 * Creates the database at path (removing a file there first) with the
 * first signing key "k1", the trust anchor, and opens the ledger and the
 * certificates. Close with vfix_close, even after a failure.
 */
int vfix_open(struct vfix *f, const char *path);

/* Frees everything vfix_open made and zeroes f. */
void vfix_close(struct vfix *f);

/*
 * Adds a signing key row; the new key signs what follows. The first key
 * is the trust anchor (f->anchor); a later one is announced in the log
 * (its key leaf, and key-retire / key-compromise leaves for the given
 * times) under a checkpoint signed by the checkpoint key, in its own
 * transaction, as the issuer does.
 */
int vfix_key(struct vfix *f, const char *label, const char *not_before,
    const char *retired, const char *compromised);

/*
 * Logs a key-retire or key-compromise entry for vkey under a new
 * checkpoint (signed by the checkpoint key), in its own transaction.
 */
int vfix_mark(struct vfix *f, const char *kind, const char *vkey,
    const char *t);

/* From now on the current signing key signs checkpoints too. */
void vfix_handover(struct vfix *f);

/*
 * Signs and records one annual certificate for year with name and hours
 * (tenths); serial_out gets its serial. Must run in a transaction.
 */
int vfix_cert(struct vfix *f, int year, const char *name, long pub10,
    long prof10, const char *issued, char serial_out[SERIAL_SIZE]);

/* Revokes serial (revoke leaf + row). Must run in a transaction. */
int vfix_revoke(struct vfix *f, const char *serial, const char *reason,
    const char *at, const char *replaced_by);

/* Begins a transaction. */
int vfix_begin(struct vfix *f);

/* Signs a checkpoint and commits. */
int vfix_commit(struct vfix *f);

#endif
