/*
 * mtree.c - a whole Merkle tree in memory (mtree.h).
 */
#include <stdlib.h>
#include <string.h>

#include "tlog/mtree.h"

#define MTREE_LEVELS 63

struct mtree {
	merkle_hash *lv[MTREE_LEVELS];
	uint64_t cap[MTREE_LEVELS];
	uint64_t n;
};

enum hs_err
mtree_new(struct mtree **out, char *err)
{
	*out = calloc(1, sizeof(**out));
	if (*out == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	return HS_OK;
}

void
mtree_free(struct mtree *t)
{
	unsigned k;

	if (t == NULL)
		return;
	for (k = 0; k < MTREE_LEVELS; k++)
		free(t->lv[k]);
	free(t);
}

uint64_t
mtree_size(const struct mtree *t)
{
	return t->n;
}

/* Room for want hashes at level k. */
static enum hs_err
grow(struct mtree *t, unsigned k, uint64_t want, char *err)
{
	uint64_t cap = t->cap[k];
	merkle_hash *p;

	if (want <= cap)
		return HS_OK;
	if (cap < 16)
		cap = 16;
	while (cap < want)
		cap *= 2;
	if (cap > SIZE_MAX / MERKLE_HASH)
		return hs_fail(err, HS_ERR_TOOBIG, "tree too large for memory");
	p = realloc(t->lv[k], (size_t)cap * MERKLE_HASH);
	if (p == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory for %llu "
		    "tree hashes", (unsigned long long)cap);
	t->lv[k] = p;
	t->cap[k] = cap;
	return HS_OK;
}

enum hs_err
mtree_reserve(struct mtree *t, uint64_t n, char *err)
{
	enum hs_err rc;
	unsigned k;

	if (n > MERKLE_MAX_SIZE)
		return hs_fail(err, HS_ERR_TOOBIG, "tree too large");
	for (k = 0; k < MTREE_LEVELS && (n >> k) > 0; k++)
		if ((rc = grow(t, k, n >> k, err)) != HS_OK)
			return rc;
	return HS_OK;
}

enum hs_err
mtree_append(struct mtree *t, const merkle_hash leaf, char *err)
{
	uint64_t n = t->n + 1, idx;
	enum hs_err rc;
	unsigned k;

	if (t->n >= MERKLE_MAX_SIZE)
		return hs_fail(err, HS_ERR_TOOBIG, "tree too large");
	if ((rc = grow(t, 0, n, err)) != HS_OK)
		return rc;
	memcpy(t->lv[0][t->n], leaf, MERKLE_HASH);
	/* Each level whose count became even closes a perfect subtree. */
	for (k = 0; k + 1 < MTREE_LEVELS && (n & (((uint64_t)2 << k) - 1)) ==
	    0; k++) {
		idx = (n >> (k + 1)) - 1;
		if ((rc = grow(t, k + 1, idx + 1, err)) != HS_OK)
			return rc;
		merkle_node_hash(t->lv[k][2 * idx], t->lv[k][2 * idx + 1],
		    t->lv[k + 1][idx]);
	}
	t->n = n;
	return HS_OK;
}

void
mtree_truncate(struct mtree *t, uint64_t n)
{
	/* Hashes below n >> k at level k cover leaves below n only. */
	if (n < t->n)
		t->n = n;
}

const uint8_t *
mtree_leaf(const struct mtree *t, uint64_t index)
{
	return index < t->n ? t->lv[0][index] : NULL;
}

enum hs_err
mtree_read(void *ctx, unsigned level, uint64_t index, merkle_hash out,
    char *err)
{
	const struct mtree *t = ctx;

	if (level >= MTREE_LEVELS || index >= (t->n >> level))
		return hs_fail(err, HS_ERR_INVALID, "no subtree (%u, %llu) in a "
		    "tree of %llu leaves", level, (unsigned long long)index,
		    (unsigned long long)t->n);
	memcpy(out, t->lv[level][index], MERKLE_HASH);
	return HS_OK;
}

enum hs_err
mtree_root(const struct mtree *t, uint64_t size, merkle_hash out, char *err)
{
	if (size > t->n)
		return hs_fail(err, HS_ERR_INVALID, "tree of %llu leaves has no "
		    "root at size %llu", (unsigned long long)t->n,
		    (unsigned long long)size);
	return merkle_tree_hash(size, mtree_read, (void *)t, out, err);
}
