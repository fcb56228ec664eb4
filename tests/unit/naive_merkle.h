/*
 * naive_merkle.h - the RFC 6962 / RFC 9162 definitions written as
 * literally as possible, for tests: MTH by recursion over the leaf
 * hashes (memoised per range so that testing every tree size up to a few
 * hundred stays fast), PATH and SUBPROOF straight from RFC 9162 §2.1.3.1
 * and §2.1.4.1. Header-only; include from one test file.
 */
#ifndef NAIVE_MERKLE_H
#define NAIVE_MERKLE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tlog/merkle.h"

struct naive {
	size_t n;
	merkle_hash *leaves;   /* leaf hashes */
	merkle_hash *memo;     /* (n+1) * (n+1) MTH(D[lo:hi]) */
	uint8_t *have;
};

static inline void
naive_init(struct naive *nv, size_t n)
{
	nv->n = n;
	nv->leaves = calloc(n, sizeof(merkle_hash));
	nv->memo = calloc((n + 1) * (n + 1), sizeof(merkle_hash));
	nv->have = calloc((n + 1) * (n + 1), 1);
}

static inline void
naive_free(struct naive *nv)
{
	free(nv->leaves);
	free(nv->memo);
	free(nv->have);
}

/* The largest power of two smaller than n (n > 1). */
static inline uint64_t
naive_k(uint64_t n)
{
	uint64_t k = 1;

	while (2 * k < n)
		k *= 2;
	return k;
}

/* MTH(D[lo:hi]) of RFC 6962 §2.1. */
static inline void
naive_mth(struct naive *nv, uint64_t lo, uint64_t hi, merkle_hash out)
{
	size_t slot = (size_t)lo * (nv->n + 1) + (size_t)hi;
	merkle_hash l, r;
	uint64_t k;

	if (nv->have[slot]) {
		memcpy(out, nv->memo[slot], 32);
		return;
	}
	if (hi == lo) {
		merkle_empty_root(out);
	} else if (hi - lo == 1) {
		memcpy(out, nv->leaves[lo], 32);
	} else {
		k = naive_k(hi - lo);
		naive_mth(nv, lo, lo + k, l);
		naive_mth(nv, lo + k, hi, r);
		merkle_node_hash(l, r, out);
	}
	memcpy(nv->memo[slot], out, 32);
	nv->have[slot] = 1;
}

/* PATH(m, D[lo:hi]) of RFC 9162 §2.1.3.1. */
static inline void
naive_path(struct naive *nv, uint64_t m, uint64_t lo, uint64_t hi,
    merkle_hash *out, size_t *n)
{
	uint64_t k;

	if (hi - lo == 1)
		return;
	k = naive_k(hi - lo);
	if (m < k) {
		naive_path(nv, m, lo, lo + k, out, n);
		naive_mth(nv, lo + k, hi, out[(*n)++]);
	} else {
		naive_path(nv, m - k, lo + k, hi, out, n);
		naive_mth(nv, lo, lo + k, out[(*n)++]);
	}
}

/* SUBPROOF(m, D[lo:hi], b) of RFC 9162 §2.1.4.1. */
static inline void
naive_subproof(struct naive *nv, uint64_t m, uint64_t lo, uint64_t hi,
    int b, merkle_hash *out, size_t *n)
{
	uint64_t k;

	if (m == hi - lo) {
		if (!b)
			naive_mth(nv, lo, hi, out[(*n)++]);
		return;
	}
	k = naive_k(hi - lo);
	if (m <= k) {
		naive_subproof(nv, m, lo, lo + k, b, out, n);
		naive_mth(nv, lo + k, hi, out[(*n)++]);
	} else {
		naive_subproof(nv, m - k, lo + k, hi, 0, out, n);
		naive_mth(nv, lo, lo + k, out[(*n)++]);
	}
}

/* A merkle_reader over the naive tree. */
static inline enum hs_err
naive_read(void *ctx, unsigned level, uint64_t index, merkle_hash out,
    char *err)
{
	struct naive *nv = ctx;
	uint64_t lo = index << level, hi = (index + 1) << level;

	if (hi > nv->n)
		return hs_fail(err, HS_ERR_NOTFOUND, "no subtree %u/%llu",
		    level, (unsigned long long)index);
	naive_mth(nv, lo, hi, out);
	return HS_OK;
}

#endif
