/*
 * mtree.h - a whole RFC 6962 Merkle tree held in memory: every perfect
 * subtree hash, level by level, built by appending leaf hashes.
 *
 * Level k holds floor(n / 2^k) hashes, so the tree takes about 64 bytes
 * per leaf. Appending is O(1) amortized; the root at any size up to n and
 * the perfect subtrees that merkle_prove_* need are read from memory.
 * A verifier that has checked the root of such a tree against a signed
 * checkpoint can then answer "is this leaf hash at index i?" with one
 * comparison, and make proofs without touching storage.
 *
 * Not thread-safe: the caller locks (appending may move the arrays).
 */
#ifndef HS_MTREE_H
#define HS_MTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/hs.h"
#include "tlog/merkle.h"

struct mtree;

enum hs_err mtree_new(struct mtree **out, char *err);
void mtree_free(struct mtree *t); /* accepts NULL */

/* Number of leaves. */
uint64_t mtree_size(const struct mtree *t);
/* Makes room for n leaves without moving the arrays again. */
enum hs_err mtree_reserve(struct mtree *t, uint64_t n, char *err);
/* Appends one leaf hash. HS_ERR_NOMEM or HS_ERR_TOOBIG with err. */
enum hs_err mtree_append(struct mtree *t, const merkle_hash leaf, char *err);
/* Forgets the leaves from n on (n <= size). */
void mtree_truncate(struct mtree *t, uint64_t n);
/* The leaf hash at index (< size), or NULL. Valid until the next append. */
const uint8_t *mtree_leaf(const struct mtree *t, uint64_t index);
/* The Merkle Tree Hash of the first size leaves (size <= mtree_size). */
enum hs_err mtree_root(const struct mtree *t, uint64_t size, merkle_hash out,
    char *err);
/* A merkle_reader over t (ctx is the struct mtree *). */
enum hs_err mtree_read(void *ctx, unsigned level, uint64_t index,
    merkle_hash out, char *err);

#endif
