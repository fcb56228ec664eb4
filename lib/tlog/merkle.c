/*
 * merkle.c - RFC 6962 hashing and the RFC 9162 §2.1.3/§2.1.4 proof
 * algorithms. See merkle.h.
 */
#include <string.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "tlog/merkle.h"
#include "core/util.h"

enum hs_err
merkle_leaf_hash(const void *entry, size_t n, merkle_hash out)
{
	uint8_t small[1 + 1024];
	EVP_MD_CTX *ctx;
	static const uint8_t zero = 0x00;
	enum hs_err rc = HS_ERR_CRYPTO;

	/* Most entries are short lines: one buffer, one call. */
	if (n <= sizeof(small) - 1) {
		small[0] = 0x00;
		if (n > 0)
			memcpy(small + 1, entry, n);
		sha256(small, n + 1, out);
		return HS_OK;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return HS_ERR_NOMEM;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(ctx, &zero, 1) == 1 &&
	    EVP_DigestUpdate(ctx, entry, n) == 1 &&
	    EVP_DigestFinal_ex(ctx, out, NULL) == 1)
		rc = HS_OK;
	EVP_MD_CTX_free(ctx);
	return rc;
}

void
merkle_node_hash(const merkle_hash left, const merkle_hash right,
    merkle_hash out)
{
	uint8_t b[1 + 2 * MERKLE_HASH];

	b[0] = 0x01;
	memcpy(b + 1, left, MERKLE_HASH);
	memcpy(b + 1 + MERKLE_HASH, right, MERKLE_HASH);
	sha256(b, sizeof(b), out);
}

void
merkle_empty_root(merkle_hash out)
{
	sha256("", 0, out);
}

int
merkle_hash_decode(const char *b64, size_t len, merkle_hash out)
{
	uint8_t tmp[MERKLE_HASH + 3];

	if (len != 44 || b64_decode(b64, len, tmp, sizeof(tmp)) != MERKLE_HASH)
		return -1;
	memcpy(out, tmp, MERKLE_HASH);
	return 0;
}

void
merkle_hash_encode(const merkle_hash h, char out[MERKLE_B64_SIZE])
{
	b64_encode(h, MERKLE_HASH, out, MERKLE_B64_SIZE);
}

static int
hash_eq(const merkle_hash a, const merkle_hash b)
{
	return memcmp(a, b, MERKLE_HASH) == 0;
}

enum hs_err
merkle_verify_inclusion(uint64_t index, uint64_t size, const uint8_t *leaf,
    size_t leaf_len, const merkle_hash *proof, size_t n, const uint8_t *root,
    size_t root_len, char *err)
{
	uint64_t fn, sn;
	merkle_hash r;
	size_t i;

	if (index >= size)
		return hs_fail(err, HS_ERR_INVALID, "inclusion proof: leaf "
		    "index %llu is not below tree size %llu",
		    (unsigned long long)index, (unsigned long long)size);
	if (leaf_len != MERKLE_HASH || root_len != MERKLE_HASH)
		return hs_fail(err, HS_ERR_INVALID, "inclusion proof: the %s "
		    "hash has %zu bytes, not 32",
		    leaf_len != MERKLE_HASH ? "leaf" : "root",
		    leaf_len != MERKLE_HASH ? leaf_len : root_len);
	if (n > MERKLE_MAX_PROOF)
		return hs_fail(err, HS_ERR_INVALID, "inclusion proof: %zu "
		    "hashes is too many", n);
	/* RFC 9162 §2.1.3.2, step by step. */
	fn = index;
	sn = size - 1;
	memcpy(r, leaf, MERKLE_HASH);
	for (i = 0; i < n; i++) {
		if (sn == 0)
			return hs_fail(err, HS_ERR_SIGNATURE, "inclusion "
			    "proof: %zu hashes, more than the tree of size "
			    "%llu needs", n, (unsigned long long)size);
		if ((fn & 1) || fn == sn) {
			merkle_node_hash(proof[i], r, r);
			if (!(fn & 1))
				while (fn != 0 && !(fn & 1)) {
					fn >>= 1;
					sn >>= 1;
				}
		} else
			merkle_node_hash(r, proof[i], r);
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0)
		return hs_fail(err, HS_ERR_SIGNATURE, "inclusion proof: %zu "
		    "hashes, fewer than the tree of size %llu needs", n,
		    (unsigned long long)size);
	if (!hash_eq(r, root))
		return hs_fail(err, HS_ERR_SIGNATURE, "inclusion proof: leaf "
		    "%llu does not lead to the root of the tree of size %llu",
		    (unsigned long long)index, (unsigned long long)size);
	return HS_OK;
}

enum hs_err
merkle_verify_consistency(uint64_t size1, uint64_t size2,
    const uint8_t *root1, size_t len1, const uint8_t *root2, size_t len2,
    const merkle_hash *proof, size_t n, char *err)
{
	uint64_t fn, sn;
	merkle_hash fr, sr;
	size_t i;

	if (size1 > size2)
		return hs_fail(err, HS_ERR_INVALID, "consistency proof: old "
		    "size %llu is larger than new size %llu",
		    (unsigned long long)size1, (unsigned long long)size2);
	if (n > MERKLE_MAX_PROOF)
		return hs_fail(err, HS_ERR_INVALID, "consistency proof: %zu "
		    "hashes is too many", n);
	if (size1 == size2) {
		if (n != 0)
			return hs_fail(err, HS_ERR_SIGNATURE, "consistency "
			    "proof between equal sizes must be empty");
		if (len1 != len2 || memcmp(root1, root2, len1) != 0)
			return hs_fail(err, HS_ERR_SIGNATURE, "two different "
			    "roots for tree size %llu",
			    (unsigned long long)size1);
		if (size1 == 0) {
			merkle_hash e;

			merkle_empty_root(e);
			if (len1 != MERKLE_HASH || !hash_eq(root1, e))
				return hs_fail(err, HS_ERR_SIGNATURE, "the "
				    "root of the empty tree is wrong");
		}
		return HS_OK;
	}
	if (size1 == 0)
		return hs_fail(err, HS_ERR_INVALID, "a consistency proof from "
		    "the empty tree is meaningless");
	if (len1 != MERKLE_HASH || len2 != MERKLE_HASH)
		return hs_fail(err, HS_ERR_INVALID, "consistency proof: the "
		    "%s root has %zu bytes, not 32", len1 != MERKLE_HASH ?
		    "old" : "new", len1 != MERKLE_HASH ? len1 : len2);
	if (n == 0)
		return hs_fail(err, HS_ERR_SIGNATURE, "consistency proof from "
		    "%llu to %llu is empty", (unsigned long long)size1,
		    (unsigned long long)size2);

	/*
	 * RFC 9162 §2.1.4.2. When size1 is a power of two the old root is
	 * itself the first node of the path: start from it instead of from
	 * proof[0] (the RFC's "prepend first_hash").
	 */
	i = 0;
	if ((size1 & (size1 - 1)) == 0) {
		memcpy(fr, root1, MERKLE_HASH);
	} else {
		memcpy(fr, proof[0], MERKLE_HASH);
		i = 1;
	}
	memcpy(sr, fr, MERKLE_HASH);
	fn = size1 - 1;
	sn = size2 - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	for (; i < n; i++) {
		if (sn == 0)
			return hs_fail(err, HS_ERR_SIGNATURE, "consistency "
			    "proof from %llu to %llu has too many hashes",
			    (unsigned long long)size1,
			    (unsigned long long)size2);
		if ((fn & 1) || fn == sn) {
			merkle_node_hash(proof[i], fr, fr);
			merkle_node_hash(proof[i], sr, sr);
			if (!(fn & 1))
				while (fn != 0 && !(fn & 1)) {
					fn >>= 1;
					sn >>= 1;
				}
		} else
			merkle_node_hash(sr, proof[i], sr);
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0)
		return hs_fail(err, HS_ERR_SIGNATURE, "consistency proof from "
		    "%llu to %llu has too few hashes",
		    (unsigned long long)size1, (unsigned long long)size2);
	if (!hash_eq(fr, root1))
		return hs_fail(err, HS_ERR_SIGNATURE, "consistency proof does "
		    "not lead to the old root (size %llu)",
		    (unsigned long long)size1);
	if (!hash_eq(sr, root2))
		return hs_fail(err, HS_ERR_SIGNATURE, "consistency proof does "
		    "not lead to the new root (size %llu)",
		    (unsigned long long)size2);
	return HS_OK;
}

/* Largest power of two strictly below n (n >= 2). */
static uint64_t
split_point(uint64_t n)
{
	uint64_t k = 1;

	while (k << 1 < n)
		k <<= 1;
	return k;
}

/* Index of the lowest set bit of a power of two. */
static unsigned
log2_exact(uint64_t k)
{
	unsigned l = 0;

	while (k > 1) {
		k >>= 1;
		l++;
	}
	return l;
}

/*
 * MTH(D[lo:hi]) for a range of the RFC decomposition: either a perfect
 * aligned subtree (one read) or split at the largest power of two. The
 * left half of every split is perfect, so this reads O(log n) hashes.
 */
static enum hs_err
range_hash(uint64_t lo, uint64_t hi, merkle_reader rd, void *ctx,
    merkle_hash out, char *err)
{
	uint64_t n = hi - lo, k;
	merkle_hash right;
	enum hs_err rc;

	if ((n & (n - 1)) == 0) {
		unsigned level = log2_exact(n);

		return rd(ctx, level, lo >> level, out, err);
	}
	k = split_point(n);
	if ((rc = range_hash(lo + k, hi, rd, ctx, right, err)) != HS_OK)
		return rc;
	if ((rc = range_hash(lo, lo + k, rd, ctx, out, err)) != HS_OK)
		return rc;
	merkle_node_hash(out, right, out);
	return HS_OK;
}

enum hs_err
merkle_tree_hash(uint64_t size, merkle_reader rd, void *ctx, merkle_hash out,
    char *err)
{
	if (size == 0) {
		merkle_empty_root(out);
		return HS_OK;
	}
	if (size > MERKLE_MAX_SIZE)
		return hs_fail(err, HS_ERR_INVALID, "tree size %llu is too "
		    "large", (unsigned long long)size);
	return range_hash(0, size, rd, ctx, out, err);
}

/* PATH(m, D[lo:hi]), appending the deepest hash first. */
static enum hs_err
path(uint64_t m, uint64_t lo, uint64_t hi, merkle_reader rd, void *ctx,
    merkle_hash *proof, size_t *n, char *err)
{
	uint64_t k;
	enum hs_err rc;

	if (hi - lo <= 1)
		return HS_OK;
	if (*n >= MERKLE_MAX_PROOF)
		return hs_fail(err, HS_ERR_INVALID, "proof too long");
	k = split_point(hi - lo);
	if (m < k) {
		if ((rc = path(m, lo, lo + k, rd, ctx, proof, n, err)) != HS_OK)
			return rc;
		return range_hash(lo + k, hi, rd, ctx, proof[(*n)++], err);
	}
	if ((rc = path(m - k, lo + k, hi, rd, ctx, proof, n, err)) != HS_OK)
		return rc;
	return range_hash(lo, lo + k, rd, ctx, proof[(*n)++], err);
}

enum hs_err
merkle_prove_inclusion(uint64_t index, uint64_t size, merkle_reader rd,
    void *ctx, merkle_hash *proof, size_t *n, char *err)
{
	*n = 0;
	if (index >= size)
		return hs_fail(err, HS_ERR_INVALID, "leaf index %llu is not "
		    "below tree size %llu", (unsigned long long)index,
		    (unsigned long long)size);
	if (size > MERKLE_MAX_SIZE)
		return hs_fail(err, HS_ERR_INVALID, "tree size %llu is too "
		    "large", (unsigned long long)size);
	return path(index, 0, size, rd, ctx, proof, n, err);
}

/* SUBPROOF(m, D[lo:hi], b), appending the deepest hash first. */
static enum hs_err
subproof(uint64_t m, uint64_t lo, uint64_t hi, int b, merkle_reader rd,
    void *ctx, merkle_hash *proof, size_t *n, char *err)
{
	uint64_t k;
	enum hs_err rc;

	if (*n >= MERKLE_MAX_PROOF)
		return hs_fail(err, HS_ERR_INVALID, "proof too long");
	if (m == hi - lo) {
		if (b)
			return HS_OK;
		return range_hash(lo, hi, rd, ctx, proof[(*n)++], err);
	}
	k = split_point(hi - lo);
	if (m <= k) {
		if ((rc = subproof(m, lo, lo + k, b, rd, ctx, proof, n,
		    err)) != HS_OK)
			return rc;
		if (*n >= MERKLE_MAX_PROOF)
			return hs_fail(err, HS_ERR_INVALID, "proof too long");
		return range_hash(lo + k, hi, rd, ctx, proof[(*n)++], err);
	}
	if ((rc = subproof(m - k, lo + k, hi, 0, rd, ctx, proof, n, err)) !=
	    HS_OK)
		return rc;
	if (*n >= MERKLE_MAX_PROOF)
		return hs_fail(err, HS_ERR_INVALID, "proof too long");
	return range_hash(lo, lo + k, rd, ctx, proof[(*n)++], err);
}

enum hs_err
merkle_prove_consistency(uint64_t size1, uint64_t size2, merkle_reader rd,
    void *ctx, merkle_hash *proof, size_t *n, char *err)
{
	*n = 0;
	if (size1 > size2)
		return hs_fail(err, HS_ERR_INVALID, "old size %llu is larger "
		    "than new size %llu", (unsigned long long)size1,
		    (unsigned long long)size2);
	if (size2 > MERKLE_MAX_SIZE)
		return hs_fail(err, HS_ERR_INVALID, "tree size %llu is too "
		    "large", (unsigned long long)size2);
	if (size1 == 0 || size1 == size2)
		return HS_OK;
	return subproof(size1, 0, size2, 1, rd, ctx, proof, n, err);
}
