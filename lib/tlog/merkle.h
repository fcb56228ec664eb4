/*
 * merkle.h - RFC 6962 / RFC 9162 Merkle tree hashing, proof generation
 * and proof verification. Pure functions: no storage, no globals.
 *
 *   leaf hash  = SHA-256(0x00 || entry)
 *   node hash  = SHA-256(0x01 || left || right)
 *   empty tree = SHA-256("")
 *
 * A "perfect subtree" (level L, index k) is the Merkle Tree Hash of the
 * 2^L leaves D[k * 2^L : (k + 1) * 2^L]; level 0 is a leaf hash. Proof
 * generation reads only perfect subtrees through a caller's callback, so
 * a store that keeps them (lib/ledger.c), a directory of tiles or an
 * array in a test can all produce proofs with O(log n) reads.
 */
#ifndef HS_MERKLE_H
#define HS_MERKLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/hs.h"

#define MERKLE_HASH 32
/* Largest tree this code handles (SQLite integers are signed 64-bit). */
#define MERKLE_MAX_SIZE ((uint64_t)1 << 62)
/* No inclusion or consistency proof for a tree under 2^62 is longer. */
#define MERKLE_MAX_PROOF 128

typedef uint8_t merkle_hash[MERKLE_HASH];

/* Leaf hash of entry[0..n). HS_ERR_NOMEM or HS_ERR_CRYPTO if OpenSSL fails. */
enum hs_err merkle_leaf_hash(const void *entry, size_t n, merkle_hash out);
/* Interior node hash; out may alias left or right. */
void merkle_node_hash(const merkle_hash left, const merkle_hash right,
    merkle_hash out);
/* The root of the empty tree, SHA-256 of nothing. */
void merkle_empty_root(merkle_hash out);

/*
 * Decodes a standard padded base64 hash that must be exactly 32 bytes.
 * Returns 0, or -1 for anything else (wrong length, bad characters).
 */
int merkle_hash_decode(const char *b64, size_t len, merkle_hash out);
/* base64 of a hash: 44 characters and a NUL. */
#define MERKLE_B64_SIZE 45
void merkle_hash_encode(const merkle_hash h, char out[MERKLE_B64_SIZE]);

/*
 * The verifiers take the leaf hash and roots as byte strings with their
 * lengths, as they arrive from outside, and check the lengths themselves:
 * a leaf hash or a computed-against root must be exactly 32 bytes.
 *
 * RFC 9162 §2.1.3.2: checks that leaf is at index in the tree of size
 * with root, given the audit path proof[0..n) (leaf's sibling first).
 * HS_OK, HS_ERR_SIGNATURE (message in err) if it does not verify,
 * HS_ERR_INVALID if index >= size, a length is wrong or n is too large.
 */
enum hs_err merkle_verify_inclusion(uint64_t index, uint64_t size,
    const uint8_t *leaf, size_t leaf_len, const merkle_hash *proof,
    size_t n, const uint8_t *root, size_t root_len, char *err);

/*
 * RFC 9162 §2.1.4.2: checks that the tree of size1 with root1 is a prefix
 * of the tree of size2 with root2. Equal sizes need an empty proof and
 * byte-equal roots (for size 0: the empty root). A proof from size 0 is meaningless and refused
 * (HS_ERR_INVALID), as in transparency-dev/merkle. HS_OK or
 * HS_ERR_SIGNATURE / HS_ERR_INVALID with err.
 */
enum hs_err merkle_verify_consistency(uint64_t size1, uint64_t size2,
    const uint8_t *root1, size_t len1, const uint8_t *root2, size_t len2,
    const merkle_hash *proof, size_t n, char *err);

/*
 * Reads the perfect subtree (level, index) into out. Returns HS_OK or an
 * error with a message in err; merkle_* pass the error through.
 */
typedef enum hs_err (*merkle_reader)(void *ctx, unsigned level,
    uint64_t index, merkle_hash out, char *err);

/* The Merkle Tree Hash of the first size leaves (size 0: empty root). */
enum hs_err merkle_tree_hash(uint64_t size, merkle_reader rd, void *ctx,
    merkle_hash out, char *err);

/*
 * RFC 9162 §2.1.3.1 PATH(index, D[0:size]) into proof (MERKLE_MAX_PROOF
 * entries); *n is its length. HS_ERR_INVALID if index >= size.
 */
enum hs_err merkle_prove_inclusion(uint64_t index, uint64_t size,
    merkle_reader rd, void *ctx, merkle_hash *proof, size_t *n, char *err);

/*
 * RFC 9162 §2.1.4.1 PROOF(size1, D[0:size2]) into proof (MERKLE_MAX_PROOF
 * entries); empty when size1 is 0 or equal to size2. HS_ERR_INVALID if
 * size1 > size2.
 */
enum hs_err merkle_prove_consistency(uint64_t size1, uint64_t size2,
    merkle_reader rd, void *ctx, merkle_hash *proof, size_t *n, char *err);

#endif
