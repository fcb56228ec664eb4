/*
 * vtree.c - the ledger as this verifier has checked it (vtree.h).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "mtree.h"
#include "note.h"
#include "store.h"
#include "vtree.h"

#define VTREE_SIGNERS 255

struct vtree {
	pthread_rwlock_t lk;      /* t, sig, cap, vsize, vroot */
	pthread_mutex_t sync_mu;  /* one sync at a time */
	struct mtree *t;
	uint8_t *sig;             /* per leaf: 0, or 1 + index in signers */
	int64_t *issued;          /* per leaf with a signer: issued time */
	uint64_t cap;
	uint64_t vsize;           /* the largest size verified (= tree size) */
	merkle_hash vroot;
	pthread_mutex_t signers_mu;
	size_t nsigners;
	char signers[VTREE_SIGNERS][NOTE_VKEY_MAX];
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
	free(vt->sig);
	free(vt->issued);
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

/* Reads the leaf hashes [from, to) of db into a new array. */
static enum hs_err
read_leaves(sqlite3 *db, uint64_t from, uint64_t to, merkle_hash **out,
    char *err)
{
	sqlite3_stmt *st = NULL;
	merkle_hash *h;
	uint64_t want = from;
	enum hs_err rc = HS_OK;
	int src;

	*out = NULL;
	if ((to - from) > SIZE_MAX / MERKLE_HASH ||
	    (h = malloc((size_t)(to - from) * MERKLE_HASH)) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory for %llu leaf "
		    "hashes", (unsigned long long)(to - from));
	if (sqlite3_prepare_v2(db, "SELECT idx, hash FROM leaves WHERE "
	    "idx >= ?1 AND idx < ?2 ORDER BY idx", -1, &st, NULL) !=
	    SQLITE_OK) {
		rc = store_err(db, err, "reading the ledger's leaves");
		goto out;
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64)from);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)to);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		uint64_t idx = (uint64_t)sqlite3_column_int64(st, 0);

		if (idx != want || sqlite3_column_bytes(st, 1) != MERKLE_HASH) {
			rc = hs_fail(err, HS_ERR_SIGNATURE, "the stored ledger "
			    "is damaged at leaf %llu (missing, or a hash that "
			    "is not 32 bytes)", (unsigned long long)want);
			goto out;
		}
		memcpy(h[idx - from], sqlite3_column_blob(st, 1), MERKLE_HASH);
		want++;
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
	if (rc != HS_OK)
		free(h);
	else
		*out = h;
	return rc;
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

enum hs_err
vtree_sync(struct vtree *vt, sqlite3 *db, uint64_t size,
    const merkle_hash root, char *err)
{
	merkle_hash *add = NULL, got;
	uint64_t have, i;
	enum hs_err rc = HS_OK;

	pthread_mutex_lock(&vt->sync_mu);
	pthread_rwlock_rdlock(&vt->lk);
	have = vt->vsize;
	if (size <= have) {
		/* Already verified that far: the root at size must agree. */
		if (size == have)
			memcpy(got, vt->vroot, MERKLE_HASH);
		else
			rc = mtree_root(vt->t, size, got, err);
		pthread_rwlock_unlock(&vt->lk);
		if (rc == HS_OK && CRYPTO_memcmp(got, root, MERKLE_HASH) != 0)
			rc = hs_fail(err, HS_ERR_SIGNATURE, "the checkpoint of "
			    "size %llu contradicts the ledger this verifier "
			    "checked before (size %llu): two different histories "
			    "signed by the same log", (unsigned long long)size,
			    (unsigned long long)have);
		goto out;
	}
	pthread_rwlock_unlock(&vt->lk);
	/* Only this thread grows the tree (sync_mu): read without the lock. */
	if ((rc = read_leaves(db, have, size, &add, err)) != HS_OK)
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
	if (rc == HS_OK && CRYPTO_memcmp(got, root, MERKLE_HASH) != 0)
		rc = hs_fail(err, HS_ERR_SIGNATURE, "the stored ledger does not "
		    "match its signed checkpoint (size %llu)",
		    (unsigned long long)size);
	if (rc != HS_OK) {
		mtree_truncate(vt->t, have);
		goto unlock;
	}
	vt->vsize = size;
	memcpy(vt->vroot, root, MERKLE_HASH);
unlock:
	pthread_rwlock_unlock(&vt->lk);
out:
	free(add);
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
