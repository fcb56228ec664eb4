/*
 * vtree.c - the ledger as this verifier has checked it (vtree.h).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "leaf.h"
#include "mtree.h"
#include "note.h"
#include "serial.h"
#include "store.h"
#include "vtree.h"

#define VTREE_SIGNERS 255
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
 */
static enum hs_err
read_leaves(sqlite3 *db, uint64_t from, uint64_t to, merkle_hash **out,
    struct vt_new **news, size_t *nnews, char *err)
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

enum hs_err
vtree_sync(struct vtree *vt, sqlite3 *db, const char *note, size_t note_len,
    uint64_t size, const merkle_hash root, enum vtree_refusal *why,
    char *err)
{
	merkle_hash *add = NULL, got, froot, known_root;
	struct vt_new *news = NULL;
	size_t nnews = 0;
	uint64_t have, fsize, known, i, at;
	enum hs_err rc = HS_OK;
	char *copy = NULL;
	bool keep;

	*why = VTREE_ACCEPTED;
	pthread_mutex_lock(&vt->sync_mu);
	pthread_rwlock_rdlock(&vt->lk);
	have = vt->vsize;
	fsize = vt->fsize;
	memcpy(froot, vt->froot, MERKLE_HASH);
	known = have >= fsize ? have : fsize;
	memcpy(known_root, have >= fsize ? vt->vroot : froot, MERKLE_HASH);
	if (size < known) {
		/* Going back is refused, consistent or not; say which. */
		if (size < have)
			rc = mtree_root(vt->t, size, got, err);
		pthread_rwlock_unlock(&vt->lk);
		if (rc != HS_OK)
			goto out;
		*why = size < have && CRYPTO_memcmp(got, root, MERKLE_HASH) !=
		    0 ? VTREE_FORK : VTREE_ROLLBACK;
		if (*why == VTREE_FORK)
			rc = hs_fail(err, HS_ERR_SIGNATURE, "the database's "
			    "checkpoint (size %llu) contradicts the ledger this "
			    "verifier verified before (size %llu): two different "
			    "histories signed by the same log",
			    (unsigned long long)size, (unsigned long long)known);
		else
			rc = hs_fail(err, HS_ERR_SIGNATURE, "the database's "
			    "checkpoint (size %llu) is older than the one this "
			    "verifier verified before (size %llu): a stale copy "
			    "or a restored backup", (unsigned long long)size,
			    (unsigned long long)known);
		goto out;
	}
	if (size == known) {
		keep = size == have && vt->vnote == NULL;
		pthread_rwlock_unlock(&vt->lk);
		if (CRYPTO_memcmp(known_root, root, MERKLE_HASH) != 0) {
			*why = VTREE_FORK;
			rc = hs_fail(err, HS_ERR_SIGNATURE, "the database's "
			    "checkpoint (size %llu) contradicts the one this "
			    "verifier verified before at the same size: two "
			    "different histories signed by the same log",
			    (unsigned long long)size);
			goto out;
		}
		if (size == have) {
			/* Nothing new; keep the note if none was kept. */
			if (keep && (copy = malloc(note_len + 1)) != NULL) {
				memcpy(copy, note, note_len);
				copy[note_len] = '\0';
				pthread_rwlock_wrlock(&vt->lk);
				if (vt->vnote == NULL) {
					vt->vnote = copy;
					vt->vnote_len = note_len;
					copy = NULL;
				}
				pthread_rwlock_unlock(&vt->lk);
			}
			goto out;
		}
	} else {
		pthread_rwlock_unlock(&vt->lk);
	}
	if ((copy = malloc(note_len + 1)) == NULL) {
		rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
		goto out;
	}
	memcpy(copy, note, note_len);
	copy[note_len] = '\0';
	/* Only this thread grows the tree (sync_mu): read without the lock. */
	rc = read_leaves(db, have, size, &add, &news, &nnews, err);
	if (rc == HS_ERR_SIGNATURE)
		*why = VTREE_DAMAGED;
	if (rc != HS_OK)
		goto out;
	pthread_rwlock_wrlock(&vt->lk);
	if ((rc = mtree_reserve(vt->t, size, err)) != HS_OK ||
	    (rc = grow_sig(vt, size, err)) != HS_OK)
		goto unlock;
	for (i = 0; i < size - have; i++)
		if ((rc = mtree_append(vt->t, add[i], err)) != HS_OK)
			break;
	if (rc == HS_OK)
		rc = mtree_root(vt->t, size, got, err);
	if (rc == HS_OK && CRYPTO_memcmp(got, root, MERKLE_HASH) != 0) {
		/*
		 * Our verified leaves and the database's new ones do not make
		 * its root: either the database's history differs from ours
		 * (it does not extend it) or its leaves are damaged.
		 */
		mtree_truncate(vt->t, have);
		pthread_rwlock_unlock(&vt->lk);
		if (have > 0 && (at = first_difference(vt, db, have)) < have) {
			*why = VTREE_INCONSISTENT;
			rc = hs_fail(err, HS_ERR_SIGNATURE, "the database's "
			    "checkpoint (size %llu) does not extend the one this "
			    "verifier verified before (size %llu): its ledger "
			    "differs at leaf %llu", (unsigned long long)size,
			    (unsigned long long)have, (unsigned long long)at);
		} else {
			*why = VTREE_DAMAGED;
			rc = hs_fail(err, HS_ERR_SIGNATURE, "the stored ledger "
			    "does not match its signed checkpoint (size %llu)",
			    (unsigned long long)size);
		}
		goto out;
	}
	if (rc == HS_OK && have < fsize && fsize < size) {
		/* Remembered from before: the new tree must extend it. */
		if ((rc = mtree_root(vt->t, fsize, got, err)) == HS_OK &&
		    CRYPTO_memcmp(got, froot, MERKLE_HASH) != 0) {
			*why = VTREE_INCONSISTENT;
			rc = hs_fail(err, HS_ERR_SIGNATURE, "the database's "
			    "checkpoint (size %llu) does not extend the one this "
			    "verifier verified before (size %llu): its root at "
			    "that size differs", (unsigned long long)size,
			    (unsigned long long)fsize);
		}
	}
	if (rc != HS_OK) {
		mtree_truncate(vt->t, have);
		goto unlock;
	}
	/* Only a verified batch enters the index. A failure here leaves
	 * the tree as it was (the batch is verified again next time). */
	if ((rc = index_add(vt, news, nnews, err)) != HS_OK) {
		mtree_truncate(vt->t, have);
		goto unlock;
	}
	vt->vsize = size;
	memcpy(vt->vroot, root, MERKLE_HASH);
	free(vt->vnote);
	vt->vnote = copy;
	vt->vnote_len = note_len;
	copy = NULL;
unlock:
	pthread_rwlock_unlock(&vt->lk);
out:
	free(copy);
	free(add);
	free(news);
	pthread_mutex_unlock(&vt->sync_mu);
	return rc;
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
