/*
 * vtree.c - the ledger as this verifier has checked it (vtree.h).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cert/keylog.h"
#include "cert/leaf.h"
#include "tlog/mtree.h"
#include "tlog/note.h"
#include "cert/serial.h"
#include "store/store.h"
#include "vtree.h"

#define VTREE_SIGNERS 255
#define VTREE_KEY_STEPS 256       /* intermediate checkpoints per advance */
#define NO_ISSUE 0u
#define CONFLICT UINT32_MAX

/* One serial in the index: an open-addressing table keyed by serial. */
struct vt_slot {
	uint32_t issue1;          /* issue leaf + 1; NO_ISSUE; CONFLICT */
	int32_t rev;              /* index in revs, or -1 */
	char serial[SERIAL_LEN];  /* all zero: an empty slot */
};

struct vt_rev {
	uint64_t index;
	char reason[16];
	char time[21];
};

/* What one batch of new leaves adds to the index. */
struct vt_new {
	char serial[SERIAL_LEN];
	bool revoke;
	struct vt_rev r;          /* index (both kinds), reason, time */
};

struct vtree {
	pthread_rwlock_t lk;      /* t, sig, cap, vsize, vroot */
	pthread_mutex_t sync_mu;  /* one sync at a time */
	struct mtree *t;
	uint8_t *sig;             /* per leaf: 0, or 1 + index in signers */
	int64_t *issued;          /* per leaf with a signer: issued time */
	uint64_t cap;
	uint64_t vsize;           /* the largest size verified (= tree size) */
	merkle_hash vroot;
	char *vnote;              /* its signed checkpoint note, or NULL */
	size_t vnote_len;
	uint64_t fsize;           /* remembered from before (vtree_set_floor) */
	merkle_hash froot;
	pthread_mutex_t signers_mu;
	size_t nsigners;
	char signers[VTREE_SIGNERS][NOTE_VKEY_MAX];
	/* the index (under lk) */
	struct vt_slot *slots;
	size_t nslots, used;      /* nslots: a power of two, or 0 */
	struct vt_rev *revs;
	size_t nrevs, caprevs;
	/* the key history of the verified tree (replaced under lk, with
	 * sync_mu held); always fed exactly vsize entries */
	struct keylog *kl;
	bool anchored;
};

enum hs_err
vtree_new(struct vtree **out, char *err)
{
	struct vtree *vt;
	enum hs_err rc;

	*out = NULL;
	vt = calloc(1, sizeof(*vt));
	if (vt == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	if ((rc = mtree_new(&vt->t, err)) != HS_OK) {
		free(vt);
		return rc;
	}
	if ((rc = keylog_new(&vt->kl, err)) != HS_OK) {
		mtree_free(vt->t);
		free(vt);
		return rc;
	}
	pthread_rwlock_init(&vt->lk, NULL);
	pthread_mutex_init(&vt->sync_mu, NULL);
	pthread_mutex_init(&vt->signers_mu, NULL);
	merkle_empty_root(vt->vroot);
	*out = vt;
	return HS_OK;
}

void
vtree_free(struct vtree *vt)
{
	if (vt == NULL)
		return;
	mtree_free(vt->t);
	keylog_free(vt->kl);
	free(vt->slots);
	free(vt->revs);
	free(vt->sig);
	free(vt->issued);
	free(vt->vnote);
	pthread_rwlock_destroy(&vt->lk);
	pthread_mutex_destroy(&vt->sync_mu);
	pthread_mutex_destroy(&vt->signers_mu);
	free(vt);
}

uint64_t
vtree_size(struct vtree *vt)
{
	uint64_t n;

	pthread_rwlock_rdlock(&vt->lk);
	n = vt->vsize;
	pthread_rwlock_unlock(&vt->lk);
	return n;
}

/*
 * Reads leaves [from, to) of db: their hashes into *out, and what the
 * issue and revoke entries say into *news (*nnews). Every entry must
 * hash to its stored leaf hash, so the index is as good as the tree.
 * kl (may be NULL) is fed every entry.
 */
static enum hs_err
read_leaves(sqlite3 *db, uint64_t from, uint64_t to, merkle_hash **out,
    struct vt_new **news, size_t *nnews, struct keylog *kl, char *err)
{
	sqlite3_stmt *st = NULL;
	merkle_hash *h, lh;
	struct vt_new *nw = NULL;
	size_t nn = 0, capn = 0;
	uint64_t want = from;
	enum hs_err rc = HS_OK;
	struct leaf lf;
	int src;

	*out = NULL;
	*news = NULL;
	*nnews = 0;
	if ((to - from) > SIZE_MAX / MERKLE_HASH ||
	    (h = malloc((size_t)(to - from) * MERKLE_HASH)) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory for %llu leaf "
		    "hashes", (unsigned long long)(to - from));
	if (sqlite3_prepare_v2(db, "SELECT idx, entry, hash FROM leaves "
	    "WHERE idx >= ?1 AND idx < ?2 ORDER BY idx", -1, &st, NULL) !=
	    SQLITE_OK) {
		rc = store_err(db, err, "reading the ledger's leaves");
		goto out;
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64)from);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)to);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		uint64_t idx = (uint64_t)sqlite3_column_int64(st, 0);
		const char *e = sqlite3_column_blob(st, 1);
		size_t elen = (size_t)sqlite3_column_bytes(st, 1);

		if (idx != want || sqlite3_column_bytes(st, 2) != MERKLE_HASH) {
			rc = hs_fail(err, HS_ERR_SIGNATURE, "the stored ledger "
			    "is damaged at leaf %llu (missing, or a hash that "
			    "is not 32 bytes)", (unsigned long long)want);
			goto out;
		}
		memcpy(h[idx - from], sqlite3_column_blob(st, 2), MERKLE_HASH);
		if (merkle_leaf_hash(e ? e : "", elen, lh) != HS_OK ||
		    CRYPTO_memcmp(lh, h[idx - from], MERKLE_HASH) != 0) {
			rc = hs_fail(err, HS_ERR_SIGNATURE, "the stored ledger "
			    "is damaged at leaf %llu: its entry does not hash to "
			    "its leaf hash", (unsigned long long)idx);
			goto out;
		}
		want++;
		if (kl != NULL && (rc = keylog_entry(kl, e ? e : "", elen,
		    h[idx - from], err)) != HS_OK) {
			if (rc != HS_ERR_NOMEM)
				rc = HS_ERR_SIGNATURE;
			hs_errprefix(err, "the ledger's key history");
			goto out;
		}
		/* Entries this version cannot read stay in the tree only. */
		if (e == NULL || leaf_parse(e, elen, &lf, NULL) != HS_OK ||
		    (lf.kind != LEAF_ISSUE && lf.kind != LEAF_REVOKE) ||
		    strlen(lf.serial) != SERIAL_LEN)
			continue;
		if (nn == capn) {
			struct vt_new *p;

			capn = capn ? capn * 2 : 1024;
			if ((p = realloc(nw, capn * sizeof(*nw))) == NULL) {
				rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
				goto out;
			}
			nw = p;
		}
		memset(&nw[nn], 0, sizeof(nw[nn]));
		memcpy(nw[nn].serial, lf.serial, SERIAL_LEN);
		nw[nn].revoke = lf.kind == LEAF_REVOKE;
		nw[nn].r.index = idx;
		if (nw[nn].revoke) {
			snprintf(nw[nn].r.reason, sizeof(nw[nn].r.reason), "%s",
			    lf.reason);
			snprintf(nw[nn].r.time, sizeof(nw[nn].r.time), "%s",
			    lf.time);
		}
		nn++;
	}
	if (src != SQLITE_DONE) {
		rc = store_err(db, err, "reading the ledger's leaves");
		goto out;
	}
	if (want != to) {
		rc = hs_fail(err, HS_ERR_SIGNATURE, "the stored ledger has %llu "
		    "leaves, fewer than its checkpoint's %llu",
		    (unsigned long long)want, (unsigned long long)to);
		goto out;
	}
out:
	sqlite3_finalize(st);
	if (rc != HS_OK) {
		free(h);
		free(nw);
	} else {
		*out = h;
		*news = nw;
		*nnews = nn;
	}
	return rc;
}

static uint64_t
serial_hash(const char *s)
{
	uint64_t h = 14695981039346656037ull;
	size_t i;

	for (i = 0; i < SERIAL_LEN; i++)
		h = (h ^ (uint8_t)s[i]) * 1099511628211ull;
	return h;
}

/* The slot of serial, or the empty slot where it would go; nslots > 0. */
static struct vt_slot *
find_slot(struct vt_slot *slots, size_t nslots, const char *serial)
{
	size_t i = (size_t)serial_hash(serial) & (nslots - 1);

	while (slots[i].serial[0] != '\0' &&
	    memcmp(slots[i].serial, serial, SERIAL_LEN) != 0)
		i = (i + 1) & (nslots - 1);
	return &slots[i];
}

/* Room for want serials at most half full; write lock held. */
static enum hs_err
grow_index(struct vtree *vt, size_t want, char *err)
{
	struct vt_slot *ns;
	size_t n = vt->nslots ? vt->nslots : 1024, i;

	if (want <= vt->nslots / 2)
		return HS_OK;
	while (n / 2 < want)
		n *= 2;
	if ((ns = calloc(n, sizeof(*ns))) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory for the serial "
		    "index");
	for (i = 0; i < vt->nslots; i++)
		if (vt->slots[i].serial[0] != '\0')
			*find_slot(ns, n, vt->slots[i].serial) = vt->slots[i];
	free(vt->slots);
	vt->slots = ns;
	vt->nslots = n;
	return HS_OK;
}

/*
 * Adds what new leaves say to the index; write lock held. Everything that
 * can fail is done before the first change, so a failure changes nothing.
 */
static enum hs_err
index_add(struct vtree *vt, const struct vt_new *nw, size_t n, char *err)
{
	enum hs_err rc;
	struct vt_slot *sl;
	size_t i, nrev = 0;

	for (i = 0; i < n; i++) {
		if (nw[i].r.index >= CONFLICT - 1)
			return hs_fail(err, HS_ERR_TOOBIG, "more leaves than "
			    "this verifier indexes (2^32)");
		nrev += nw[i].revoke;
	}
	if (vt->nrevs + nrev > INT32_MAX)
		return hs_fail(err, HS_ERR_TOOBIG, "too many revocations");
	if (vt->nrevs + nrev > vt->caprevs) {
		size_t c = vt->caprevs ? vt->caprevs : 64;
		struct vt_rev *p;

		while (c < vt->nrevs + nrev)
			c *= 2;
		if ((p = realloc(vt->revs, c * sizeof(*p))) == NULL)
			return hs_fail(err, HS_ERR_NOMEM, "out of memory");
		vt->revs = p;
		vt->caprevs = c;
	}
	if ((rc = grow_index(vt, vt->used + n, err)) != HS_OK)
		return rc;
	for (i = 0; i < n; i++) {
		sl = find_slot(vt->slots, vt->nslots, nw[i].serial);
		if (sl->serial[0] == '\0') {
			memcpy(sl->serial, nw[i].serial, SERIAL_LEN);
			sl->issue1 = NO_ISSUE;
			sl->rev = -1;
			vt->used++;
		}
		if (!nw[i].revoke) {
			sl->issue1 = sl->issue1 == NO_ISSUE ?
			    (uint32_t)nw[i].r.index + 1 : CONFLICT;
		} else if (sl->rev < 0) {
			/* the first revocation counts */
			vt->revs[vt->nrevs] = nw[i].r;
			sl->rev = (int32_t)vt->nrevs++;
		}
	}
	return HS_OK;
}

void
vtree_lookup(struct vtree *vt, const char *serial, uint64_t size,
    struct vtree_cert *out)
{
	const struct vt_slot *sl;

	memset(out, 0, sizeof(*out));
	if (strlen(serial) != SERIAL_LEN)
		return;
	pthread_rwlock_rdlock(&vt->lk);
	if (vt->nslots == 0)
		goto out;
	sl = find_slot(vt->slots, vt->nslots, serial);
	if (sl->serial[0] == '\0')
		goto out;
	if (sl->issue1 == CONFLICT) {
		out->conflict = true;
	} else if (sl->issue1 != NO_ISSUE && sl->issue1 - 1 < size) {
		out->issued = true;
		out->issue_index = sl->issue1 - 1;
	}
	if (sl->rev >= 0 && vt->revs[sl->rev].index < size) {
		const struct vt_rev *r = &vt->revs[sl->rev];

		out->revoked = true;
		out->revoke_index = r->index;
		snprintf(out->reason, sizeof(out->reason), "%s", r->reason);
		snprintf(out->time, sizeof(out->time), "%s", r->time);
	}
out:
	pthread_rwlock_unlock(&vt->lk);
}

bool
vtree_leaf(struct vtree *vt, uint64_t index, uint8_t out[32])
{
	const uint8_t *h;
	bool ok = false;

	pthread_rwlock_rdlock(&vt->lk);
	if (index < vt->vsize && (h = mtree_leaf(vt->t, index)) != NULL) {
		memcpy(out, h, MERKLE_HASH);
		ok = true;
	}
	pthread_rwlock_unlock(&vt->lk);
	return ok;
}

/* Room for the signer marks of n leaves; write lock held. */
static enum hs_err
grow_sig(struct vtree *vt, uint64_t n, char *err)
{
	uint64_t cap = vt->cap ? vt->cap : 1024;
	uint8_t *p;
	int64_t *t;

	if (n <= vt->cap)
		return HS_OK;
	while (cap < n)
		cap *= 2;
	if ((p = realloc(vt->sig, (size_t)cap)) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	memset(p + vt->cap, 0, (size_t)(cap - vt->cap));
	vt->sig = p;
	if ((t = realloc(vt->issued, (size_t)cap * sizeof(*t))) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	vt->issued = t;
	vt->cap = cap;
	return HS_OK;
}

void
vtree_set_floor(struct vtree *vt, uint64_t size, const merkle_hash root)
{
	pthread_rwlock_wrlock(&vt->lk);
	vt->fsize = size;
	memcpy(vt->froot, root, MERKLE_HASH);
	pthread_rwlock_unlock(&vt->lk);
}

uint64_t
vtree_known_size(struct vtree *vt)
{
	uint64_t n;

	pthread_rwlock_rdlock(&vt->lk);
	n = vt->vsize > vt->fsize ? vt->vsize : vt->fsize;
	pthread_rwlock_unlock(&vt->lk);
	return n;
}

bool
vtree_checkpoint(struct vtree *vt, struct buf *out, uint64_t *size)
{
	bool ok = false;

	pthread_rwlock_rdlock(&vt->lk);
	if (vt->vnote != NULL) {
		buf_add(out, vt->vnote, vt->vnote_len);
		*size = vt->vsize;
		ok = !out->oom;
	}
	pthread_rwlock_unlock(&vt->lk);
	return ok;
}

/*
 * The first index below n where db's stored leaf hash is not the one
 * this tree holds, or n if they agree (or db cannot say). Caller holds
 * sync_mu, so the tree does not change underneath.
 */
static uint64_t
first_difference(struct vtree *vt, sqlite3 *db, uint64_t n)
{
	sqlite3_stmt *st = NULL;
	uint64_t want = 0;
	const uint8_t *h;

	if (sqlite3_prepare_v2(db, "SELECT idx, hash FROM leaves WHERE "
	    "idx < ?1 ORDER BY idx", -1, &st, NULL) != SQLITE_OK)
		return n;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)n);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if ((uint64_t)sqlite3_column_int64(st, 0) != want ||
		    sqlite3_column_bytes(st, 1) != MERKLE_HASH ||
		    (h = mtree_leaf(vt->t, want)) == NULL ||
		    CRYPTO_memcmp(h, sqlite3_column_blob(st, 1),
		    MERKLE_HASH) != 0)
			break;
		want++;
	}
	sqlite3_finalize(st);
	return want;
}

/*
 * One vtree_advance, all or nothing. The new leaves go into the Merkle
 * tree beyond vsize (readers never look past vsize), while the key
 * history and the index entries are collected aside; txn_commit keeps
 * them only when the checkpoint asked for is accepted, txn_abort drops
 * them. So a refused checkpoint moves neither the tree nor the key
 * state, even when key changes were followed through stored checkpoints
 * on the way to it. sync_mu held throughout.
 */
struct vt_txn {
	uint64_t from;            /* vsize when it began */
	uint64_t size;            /* the tree holds leaves up to here */
	uint64_t target;          /* the size asked for */
	merkle_hash root;         /* the root at size, signed and verified */
	struct keylog *kl;        /* the key history, fed size entries */
	struct vt_new *news;      /* what leaves [from, size) index */
	size_t nnews, capnews;
};

static enum hs_err
txn_begin(struct vtree *vt, struct vt_txn *tx, uint64_t target, char *err)
{
	memset(tx, 0, sizeof(*tx));
	tx->from = tx->size = vt->vsize;
	tx->target = target;
	memcpy(tx->root, vt->vroot, MERKLE_HASH);
	return keylog_clone(vt->kl, &tx->kl, err);
}

static void
txn_abort(struct vtree *vt, struct vt_txn *tx)
{
	if (tx->size > tx->from || mtree_size(vt->t) > tx->from) {
		pthread_rwlock_wrlock(&vt->lk);
		mtree_truncate(vt->t, tx->from);
		pthread_rwlock_unlock(&vt->lk);
	}
	keylog_free(tx->kl);
	free(tx->news);
	memset(tx, 0, sizeof(*tx));
}

/*
 * Grows the transaction's tree from tx->size to size (> tx->size), the
 * size of the signed checkpoint note[0..len): reads the leaves (each must
 * hash to its stored hash), appends them, compares the root with the
 * note's, then lets the key history accept the note (signature, key
 * rules), and checks the floor (vtree_set_floor) when size reaches it.
 * HS_ERR_SIGNATURE with *why and the reason when it does not verify
 * (tx is then to be aborted); other errors when db cannot be read.
 */
static enum hs_err
txn_step(struct vtree *vt, struct vt_txn *tx, sqlite3 *db, uint64_t size,
    const char *note, size_t len, struct checkpoint *cp,
    enum vtree_refusal *why, char *err)
{
	merkle_hash *add = NULL, got, froot;
	struct vt_new *news = NULL;
	struct checkpoint claimed;
	size_t nnews = 0;
	uint64_t i, at, fsize;
	enum hs_err rc;
	char e2[HS_ERRLEN];

	if (checkpoint_parse_note(note, len, &claimed, e2) != HS_OK ||
	    claimed.size != size) {
		*why = VTREE_DAMAGED;
		return hs_fail(err, HS_ERR_SIGNATURE, "the checkpoint of size "
		    "%llu is malformed", (unsigned long long)size);
	}
	/* Only this thread grows the tree (sync_mu): read without the lock. */
	rc = read_leaves(db, tx->size, size, &add, &news, &nnews, tx->kl, err);
	if (rc == HS_ERR_SIGNATURE)
		*why = VTREE_DAMAGED;
	if (rc != HS_OK)
		goto out;
	pthread_rwlock_wrlock(&vt->lk);
	if ((rc = mtree_reserve(vt->t, size, err)) == HS_OK &&
	    (rc = grow_sig(vt, size, err)) == HS_OK) {
		for (i = 0; i < size - tx->size; i++)
			if ((rc = mtree_append(vt->t, add[i], err)) != HS_OK)
				break;
	}
	if (rc == HS_OK)
		rc = mtree_root(vt->t, size, got, err);
	fsize = vt->fsize;
	memcpy(froot, vt->froot, MERKLE_HASH);
	pthread_rwlock_unlock(&vt->lk);
	if (rc != HS_OK)
		goto out;
	if (CRYPTO_memcmp(got, claimed.root, MERKLE_HASH) != 0) {
		/*
		 * Our verified leaves and the database's new ones do not make
		 * its root: either the database's history differs from ours
		 * (it does not extend it) or its leaves are damaged.
		 */
		if (tx->from > 0 && (at = first_difference(vt, db, tx->from)) <
		    tx->from) {
			*why = VTREE_INCONSISTENT;
			rc = hs_fail(err, HS_ERR_SIGNATURE, "the database's "
			    "checkpoint (size %llu) does not extend the one "
			    "this verifier verified before (size %llu): its "
			    "ledger differs at leaf %llu",
			    (unsigned long long)tx->target,
			    (unsigned long long)tx->from,
			    (unsigned long long)at);
		} else {
			*why = VTREE_DAMAGED;
			rc = hs_fail(err, HS_ERR_SIGNATURE, "the stored ledger "
			    "does not match its signed checkpoint (size %llu)",
			    (unsigned long long)size);
		}
		goto out;
	}
	if ((rc = keylog_checkpoint(tx->kl, note, len, cp, e2)) != HS_OK) {
		if (rc != HS_ERR_NOMEM) {
			rc = HS_ERR_SIGNATURE;
			*why = VTREE_DAMAGED;
		}
		hs_fail(err, rc, "the checkpoint of size %llu does not verify: "
		    "%s", (unsigned long long)size, e2);
		goto out;
	}
	if (tx->size < fsize && fsize <= size &&
	    ((rc = mtree_root(vt->t, fsize, got, err)) != HS_OK ||
	    CRYPTO_memcmp(got, froot, MERKLE_HASH) != 0)) {
		/* Remembered from before: the new tree must extend it. */
		if (rc == HS_OK) {
			*why = fsize == tx->target ? VTREE_FORK :
			    VTREE_INCONSISTENT;
			rc = hs_fail(err, HS_ERR_SIGNATURE, "the database's "
			    "checkpoint (size %llu) %s the one this verifier "
			    "verified before (size %llu): its root at that "
			    "size differs", (unsigned long long)tx->target,
			    *why == VTREE_FORK ? "contradicts" :
			    "does not extend", (unsigned long long)fsize);
		}
		goto out;
	}
	if (nnews > 0) {
		if (tx->nnews + nnews > tx->capnews) {
			size_t c = tx->capnews ? tx->capnews : 1024;
			struct vt_new *p;

			while (c < tx->nnews + nnews)
				c *= 2;
			if ((p = realloc(tx->news, c * sizeof(*p))) == NULL) {
				rc = hs_fail(err, HS_ERR_NOMEM, "out of "
				    "memory");
				goto out;
			}
			tx->news = p;
			tx->capnews = c;
		}
		memcpy(tx->news + tx->nnews, news, nnews * sizeof(*news));
		tx->nnews += nnews;
	}
	tx->size = size;
	memcpy(tx->root, cp->root, MERKLE_HASH);
out:
	free(add);
	free(news);
	return rc;
}

/*
 * Keeps what the transaction verified: the tree up to tx->size, its key
 * history and index entries, and note[0..len) as the checkpoint that
 * covers it (vtree_checkpoint). On failure nothing changed (the caller
 * aborts).
 */
static enum hs_err
txn_commit(struct vtree *vt, struct vt_txn *tx, const char *note, size_t len,
    char *err)
{
	char *copy;
	enum hs_err rc;

	if ((copy = malloc(len + 1)) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	memcpy(copy, note, len);
	copy[len] = '\0';
	pthread_rwlock_wrlock(&vt->lk);
	/* Only a verified batch enters the index. */
	if ((rc = index_add(vt, tx->news, tx->nnews, err)) != HS_OK) {
		pthread_rwlock_unlock(&vt->lk);
		free(copy);
		return rc;
	}
	vt->vsize = tx->size;
	memcpy(vt->vroot, tx->root, MERKLE_HASH);
	keylog_free(vt->kl);
	vt->kl = tx->kl;
	tx->kl = NULL;
	free(vt->vnote);
	vt->vnote = copy;
	vt->vnote_len = len;
	pthread_rwlock_unlock(&vt->lk);
	free(tx->news);
	memset(tx, 0, sizeof(*tx));
	return HS_OK;
}

/*
 * True if note is a checkpoint signed by any key the verified key history
 * ever trusted (retired or compromised ones too): evidence that the log's
 * own keys signed it, whatever it says. sync_mu held.
 */
static bool
signed_by_log_key(struct vtree *vt, const char *note, size_t len)
{
	struct verify_keys ks;
	struct checkpoint cp;
	uint64_t gen;
	char e2[HS_ERRLEN];
	bool ok;

	verify_keys_init(&ks);
	ok = vtree_keys(vt, &ks, &gen, e2) == HS_OK && ks.n > 0 &&
	    checkpoint_open(note, len, ks.origin, ks.v, ks.n, &cp, NULL,
	    e2) == HS_OK;
	verify_keys_free(&ks);
	return ok;
}

/*
 * A checkpoint of a size this verifier has verified or remembers (u: its
 * parsed text): the same root and a valid signature is nothing new (its
 * note is kept as the latest); a smaller one is a rollback; another root
 * at a known size is a fork. sync_mu held.
 */
static enum hs_err
judge_known(struct vtree *vt, const char *note, size_t len,
    const struct checkpoint *u, struct checkpoint *cp,
    enum vtree_refusal *why, char *err)
{
	merkle_hash kr;
	uint64_t have, known;
	bool have_root = false, by_log;
	enum hs_err rc = HS_OK, src;
	char e2[HS_ERRLEN], *copy;

	pthread_rwlock_rdlock(&vt->lk);
	have = vt->vsize;
	known = have >= vt->fsize ? have : vt->fsize;
	if (u->size == have) {
		memcpy(kr, vt->vroot, MERKLE_HASH);
		have_root = true;
	} else if (u->size < have) {
		rc = mtree_root(vt->t, u->size, kr, err);
		have_root = true;
	} else if (u->size == vt->fsize) {
		memcpy(kr, vt->froot, MERKLE_HASH);
		have_root = true;
	}
	src = keylog_signed(vt->kl, note, len, cp, e2);
	pthread_rwlock_unlock(&vt->lk);
	if (rc != HS_OK)
		return rc;
	by_log = src == HS_OK || signed_by_log_key(vt, note, len);
	if (have_root && CRYPTO_memcmp(kr, u->root, MERKLE_HASH) != 0) {
		*why = by_log ? VTREE_FORK : VTREE_DAMAGED;
		return hs_fail(err, HS_ERR_SIGNATURE, "the database's "
		    "checkpoint (size %llu) contradicts the ledger this "
		    "verifier verified before (size %llu): two different "
		    "histories%s%s",
		    (unsigned long long)u->size, (unsigned long long)known,
		    src == HS_OK ? " signed by the same log" : by_log ?
		    ", signed by a key of this log that may not sign it now: " :
		    "; and it does not verify: ", src == HS_OK ? "" : e2);
	}
	if (u->size < known) {
		if (!by_log && u->size <= have) {
			*why = VTREE_DAMAGED;
			return hs_fail(err, HS_ERR_SIGNATURE, "the database's "
			    "checkpoint (size %llu) does not verify: %s",
			    (unsigned long long)u->size, e2);
		}
		*why = VTREE_ROLLBACK;
		return hs_fail(err, HS_ERR_SIGNATURE, "the database's "
		    "checkpoint (size %llu) is older than the one this "
		    "verifier verified before (size %llu): a stale copy or a "
		    "restored backup", (unsigned long long)u->size,
		    (unsigned long long)known);
	}
	/* u->size == known == have (vtree_advance grows to a floor). */
	if (src != HS_OK) {
		*why = VTREE_DAMAGED;
		return hs_fail(err, HS_ERR_SIGNATURE, "the database's "
		    "checkpoint (size %llu) does not verify: %s",
		    (unsigned long long)u->size, e2);
	}
	/* Nothing new; its note is the one kept from now on. */
	if ((copy = malloc(len + 1)) != NULL) {
		memcpy(copy, note, len);
		copy[len] = '\0';
		pthread_rwlock_wrlock(&vt->lk);
		free(vt->vnote);
		vt->vnote = copy;
		vt->vnote_len = len;
		pthread_rwlock_unlock(&vt->lk);
	}
	return HS_OK;
}

/*
 * The first leaf at or after from (below to) whose entry names a key
 * kind, and the smallest stored checkpoint that covers it and is older
 * than to: where the log vouches for a key change. Only a hint (nothing
 * here is trusted until grow verifies it). HS_ERR_NOTFOUND if either is
 * missing. *note is the caller's to free.
 */
static enum hs_err
key_step(sqlite3 *db, uint64_t from, uint64_t to, uint64_t *leaf,
    uint64_t *size, char **note, size_t *len, char *err)
{
	static const char prefix[] = LEAF_PREFIX " key";
	sqlite3_stmt *st = NULL;
	enum hs_err rc = HS_ERR_NOTFOUND;
	int src;

	*note = NULL;
	*len = 0;
	if (sqlite3_prepare_v2(db, "SELECT min(idx) FROM leaves WHERE idx >= "
	    "?1 AND idx < ?2 AND substr(entry, 1, ?4) = ?3", -1, &st, NULL) !=
	    SQLITE_OK)
		return store_err(db, err, "reading the ledger's leaves");
	sqlite3_bind_int64(st, 1, (sqlite3_int64)from);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)to);
	sqlite3_bind_blob(st, 3, prefix, (int)strlen(prefix), SQLITE_STATIC);
	sqlite3_bind_int(st, 4, (int)strlen(prefix));
	src = sqlite3_step(st);
	if (src != SQLITE_ROW) {
		rc = store_err(db, err, "reading the ledger's leaves");
		goto out;
	}
	if (sqlite3_column_type(st, 0) == SQLITE_NULL) {
		hs_fail(err, rc, "the ledger announces no key change after "
		    "leaf %llu", (unsigned long long)from);
		goto out;
	}
	*leaf = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(db, "SELECT size, note FROM checkpoints WHERE "
	    "size > ?1 AND size < ?2 ORDER BY size LIMIT 1", -1, &st, NULL) !=
	    SQLITE_OK)
		return store_err(db, err, "reading the stored checkpoints");
	sqlite3_bind_int64(st, 1, (sqlite3_int64)*leaf);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)to);
	src = sqlite3_step(st);
	if (src == SQLITE_DONE) {
		hs_fail(err, rc, "no stored checkpoint covers the key entry at "
		    "leaf %llu", (unsigned long long)*leaf);
		goto out;
	}
	if (src != SQLITE_ROW) {
		rc = store_err(db, err, "reading the stored checkpoints");
		goto out;
	}
	*size = (uint64_t)sqlite3_column_int64(st, 0);
	*len = (size_t)sqlite3_column_bytes(st, 1);
	if (*len > CHECKPOINT_NOTE_MAX) {
		hs_fail(err, rc, "the stored checkpoint of size %llu is too "
		    "long", (unsigned long long)*size);
		goto out;
	}
	if ((*note = malloc(*len + 1)) == NULL) {
		rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
		goto out;
	}
	memcpy(*note, sqlite3_column_blob(st, 1) ? sqlite3_column_blob(st, 1) :
	    "", *len);
	(*note)[*len] = '\0';
	rc = HS_OK;
out:
	sqlite3_finalize(st);
	return rc;
}

enum hs_err
vtree_advance(struct vtree *vt, sqlite3 *db, const char *note, size_t len,
    struct checkpoint *cp, enum vtree_refusal *why, char *err)
{
	struct checkpoint u, step;
	struct vt_txn tx;
	enum vtree_refusal swhy;
	char e2[HS_ERRLEN], e3[HS_ERRLEN];
	uint64_t known, leaf = 0, ssize = 0;
	char *snote = NULL;
	size_t slen = 0;
	enum hs_err rc;
	int steps;

	memset(cp, 0, sizeof(*cp));
	memset(&tx, 0, sizeof(tx));
	*why = VTREE_ACCEPTED;
	pthread_mutex_lock(&vt->sync_mu);
	if (!vt->anchored) {
		rc = hs_fail(err, HS_ERR_STATE, "no trust anchor key");
		goto out;
	}
	if (checkpoint_parse_note(note, len, &u, e2) != HS_OK) {
		*why = VTREE_DAMAGED;
		rc = hs_fail(err, HS_ERR_SIGNATURE, "the database's checkpoint "
		    "is malformed: %s", e2);
		goto out;
	}
	pthread_rwlock_rdlock(&vt->lk);
	known = vt->vsize >= vt->fsize ? vt->vsize : vt->fsize;
	if (u.size < known || u.size == vt->vsize) {
		pthread_rwlock_unlock(&vt->lk);
		rc = judge_known(vt, note, len, &u, cp, why, err);
		goto out;
	}
	pthread_rwlock_unlock(&vt->lk);
	/*
	 * Larger than what this process verified (or equal to the floor it
	 * has not verified yet): grow, all or nothing.
	 */
	if ((rc = txn_begin(vt, &tx, u.size, err)) != HS_OK)
		goto out;
	for (steps = 0;; steps++) {
		rc = keylog_signed(tx.kl, note, len, cp, e2);
		if (rc == HS_OK) {
			rc = txn_step(vt, &tx, db, u.size, note, len, cp, why,
			    err);
			if (rc == HS_OK)
				rc = txn_commit(vt, &tx, note, len, err);
			break;
		}
		if (rc == HS_ERR_NOMEM) {
			hs_fail(err, rc, "%s", e2);
			break;
		}
		/*
		 * Not signed by a key trusted now: maybe by one the newer
		 * part of the log announces. Then a stored checkpoint that
		 * covers that key entry, signed by a key trusted now, comes
		 * first; its entries make the next key trusted.
		 */
		if (steps == VTREE_KEY_STEPS) {
			rc = hs_fail(err, HS_ERR_SIGNATURE, "the database's "
			    "checkpoint does not verify: %s (after %d key "
			    "changes)", e2, steps);
			break;
		}
		rc = key_step(db, tx.size, u.size, &leaf, &ssize, &snote, &slen,
		    e3);
		if (rc == HS_ERR_NOTFOUND) {
			rc = hs_fail(err, HS_ERR_SIGNATURE, "the database's "
			    "checkpoint does not verify: %s; %s", e2, e3);
			break;
		}
		if (rc != HS_OK) {
			hs_fail(err, rc, "%s", e3);
			break;
		}
		swhy = VTREE_ACCEPTED;
		rc = keylog_signed(tx.kl, snote, slen, &step, e3);
		if (rc == HS_OK)
			rc = txn_step(vt, &tx, db, ssize, snote, slen, &step,
			    &swhy, e3);
		free(snote);
		snote = NULL;
		if (rc != HS_OK) {
			hs_fail(err, rc == HS_ERR_NOMEM ? rc : HS_ERR_SIGNATURE,
			    "the database's checkpoint does not verify: %s; the "
			    "checkpoint of size %llu that covers the key entry "
			    "at leaf %llu does not verify: %s", e2,
			    (unsigned long long)ssize,
			    (unsigned long long)leaf, e3);
			if (rc != HS_ERR_NOMEM && rc != HS_ERR_DB &&
			    rc != HS_ERR_BUSY && rc != HS_ERR_IO)
				rc = HS_ERR_SIGNATURE;
			*why = swhy;
			break;
		}
	}
	if (rc != HS_OK)
		txn_abort(vt, &tx);
out:
	/* A refusal always says why; a read error is no refusal. */
	if (rc != HS_ERR_SIGNATURE)
		*why = VTREE_ACCEPTED;
	else if (*why == VTREE_ACCEPTED)
		*why = VTREE_DAMAGED;
	pthread_mutex_unlock(&vt->sync_mu);
	return rc;
}

enum hs_err
vtree_check_note(struct vtree *vt, const char *note, size_t len,
    struct checkpoint *cp, char *err)
{
	enum hs_err rc;

	pthread_rwlock_rdlock(&vt->lk);
	rc = keylog_signed(vt->kl, note, len, cp, err);
	pthread_rwlock_unlock(&vt->lk);
	return rc;
}

enum hs_err
vtree_set_anchors(struct vtree *vt, const struct verify_keys *anchors,
    char *err)
{
	struct keylog_key k;
	enum hs_err rc = HS_OK;
	size_t i, j, n = 0;

	if (anchors == NULL || anchors->n == 0)
		return hs_fail(err, HS_ERR_INVALID, "no trust anchor key: give "
		    "the issuer's verifier key (--key FILE)");
	pthread_mutex_lock(&vt->sync_mu);
	if (vt->anchored) {
		/* A shared tree: the same anchors, or none of it. */
		for (i = 0; keylog_key(vt->kl, i, &k); i++) {
			if (!k.anchor)
				continue;
			n++;
			for (j = 0; j < anchors->n; j++)
				if (strcmp(anchors->k[j].vkey, k.vkey) == 0)
					break;
			if (j == anchors->n)
				break;
		}
		if (n != anchors->n || keylog_key(vt->kl, i, &k))
			rc = hs_fail(err, HS_ERR_INVALID, "this verified tree "
			    "has other trust anchors");
		goto out;
	}
	for (i = 0; i < anchors->n; i++) {
		const struct verify_key *a = &anchors->k[i];

		if ((rc = keylog_anchor(vt->kl, a->vkey, a->not_before,
		    a->retired, a->compromised, err)) != HS_OK)
			goto out;
	}
	vt->anchored = true;
out:
	pthread_mutex_unlock(&vt->sync_mu);
	return rc;
}

enum hs_err
vtree_keys(struct vtree *vt, struct verify_keys *out, uint64_t *gen,
    char *err)
{
	struct verify_keys ks;
	struct keylog_key k;
	char label[64];
	enum hs_err rc = HS_OK;
	size_t i, n;

	verify_keys_init(&ks);
	pthread_rwlock_rdlock(&vt->lk);
	*gen = keylog_generation(vt->kl);
	for (i = 0; keylog_key(vt->kl, i, &k); i++) {
		if (!k.trusted)
			continue;
		if (k.key_leaf != KEYLOG_NONE)
			snprintf(label, sizeof(label), "ledger leaf %llu",
			    (unsigned long long)k.key_leaf);
		else
			snprintf(label, sizeof(label), "configured");
		if ((rc = verify_keys_add(&ks, k.vkey, label, NULL, NULL, NULL,
		    err)) != HS_OK)
			break;
		ks.k[ks.n - 1].not_before = k.not_before;
		ks.k[ks.n - 1].retired = k.retired;
		ks.k[ks.n - 1].compromised = k.compromised;
	}
	pthread_rwlock_unlock(&vt->lk);
	if (rc != HS_OK) {
		verify_keys_free(&ks);
		return rc;
	}
	/* Checkpoints (receipts): keys not marked compromised. */
	for (i = 0, n = 0; i < ks.n; i++)
		if (ks.k[i].compromised == 0)
			ks.ckpt[n++] = ks.v[i];
	ks.nckpt = n;
	verify_keys_free(out);
	*out = ks;
	return HS_OK;
}

enum hs_err
vtree_root(struct vtree *vt, uint64_t size, merkle_hash root, char *err)
{
	enum hs_err rc;

	pthread_rwlock_rdlock(&vt->lk);
	if (size > vt->vsize)
		rc = hs_fail(err, HS_ERR_INVALID, "size %llu is beyond the "
		    "verified ledger", (unsigned long long)size);
	else if (size == vt->vsize) {
		memcpy(root, vt->vroot, MERKLE_HASH);
		rc = HS_OK;
	} else
		rc = mtree_root(vt->t, size, root, err);
	pthread_rwlock_unlock(&vt->lk);
	return rc;
}

uint64_t
vtree_key_generation(struct vtree *vt)
{
	uint64_t g;

	pthread_rwlock_rdlock(&vt->lk);
	g = keylog_generation(vt->kl);
	pthread_rwlock_unlock(&vt->lk);
	return g;
}

bool
vtree_has(struct vtree *vt, uint64_t index, uint64_t size,
    const merkle_hash lh)
{
	const uint8_t *h;
	bool ok = false;

	pthread_rwlock_rdlock(&vt->lk);
	if (index < size && size <= vt->vsize &&
	    (h = mtree_leaf(vt->t, index)) != NULL)
		ok = CRYPTO_memcmp(h, lh, MERKLE_HASH) == 0;
	pthread_rwlock_unlock(&vt->lk);
	return ok;
}

bool
vtree_signer(struct vtree *vt, uint64_t index, char *vkey, size_t n,
    time_t *issued)
{
	unsigned s = 0;

	pthread_rwlock_rdlock(&vt->lk);
	if (index < vt->vsize &&
	    (s = __atomic_load_n(&vt->sig[index], __ATOMIC_ACQUIRE)) != 0)
		*issued = (time_t)__atomic_load_n(&vt->issued[index],
		    __ATOMIC_RELAXED);
	pthread_rwlock_unlock(&vt->lk);
	if (s == 0)
		return false;
	/* Signer slots are written once, before any mark names them. */
	snprintf(vkey, n, "%s", vt->signers[s - 1]);
	return true;
}

void
vtree_set_signer(struct vtree *vt, uint64_t index, const char *vkey,
    time_t issued)
{
	size_t i;

	if (strlen(vkey) >= NOTE_VKEY_MAX)
		return;
	pthread_mutex_lock(&vt->signers_mu);
	for (i = 0; i < vt->nsigners; i++)
		if (strcmp(vt->signers[i], vkey) == 0)
			break;
	if (i == vt->nsigners) {
		if (i == VTREE_SIGNERS) {
			pthread_mutex_unlock(&vt->signers_mu);
			return; /* not remembered: checked again next time */
		}
		snprintf(vt->signers[i], NOTE_VKEY_MAX, "%s", vkey);
		__atomic_store_n(&vt->nsigners, i + 1, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&vt->signers_mu);
	pthread_rwlock_rdlock(&vt->lk);
	if (index < vt->vsize) {
		/* The time first; the mark, released, makes it visible. */
		__atomic_store_n(&vt->issued[index], (int64_t)issued,
		    __ATOMIC_RELAXED);
		__atomic_store_n(&vt->sig[index], (uint8_t)(i + 1),
		    __ATOMIC_RELEASE);
	}
	pthread_rwlock_unlock(&vt->lk);
}

enum hs_err
vtree_prove_consistency(struct vtree *vt, uint64_t size1, uint64_t size2,
    merkle_hash *proof, size_t *n, char *err)
{
	enum hs_err rc;

	pthread_rwlock_rdlock(&vt->lk);
	if (size2 > vt->vsize)
		rc = hs_fail(err, HS_ERR_INVALID, "size %llu is beyond the "
		    "verified ledger (%llu)", (unsigned long long)size2,
		    (unsigned long long)vt->vsize);
	else
		rc = merkle_prove_consistency(size1, size2, mtree_read, vt->t,
		    proof, n, err);
	pthread_rwlock_unlock(&vt->lk);
	return rc;
}
