/*
 * test_mtree.c - the in-memory Merkle tree against the naive RFC 6962
 * definitions: roots at every size, proofs read from it, truncation.
 */
#include <stdio.h>
#include <string.h>

#include "tlog/merkle.h"
#include "tlog/mtree.h"
#include "t.h"

#include "naive_merkle.h"

#define N 300

/* The naive tree memoizes: after changing leaves it must recompute. */
static void
forget(struct naive *nv)
{
	memset(nv->have, 0, (nv->n + 1) * (nv->n + 1));
}

static void
test_against_naive(void)
{
	struct naive nv;
	struct mtree *t = NULL;
	merkle_hash root, want, proof[MERKLE_MAX_PROOF], wp[MERKLE_MAX_PROOF];
	uint64_t i, size, m;
	size_t np, wn;
	int bad_root = 0, bad_prefix = 0, bad_incl = 0, bad_cons = 0;
	int bad_leaf = 0;
	char e[24], err[HS_ERRLEN];

	naive_init(&nv, N);
	for (i = 0; i < N; i++) {
		int len = snprintf(e, sizeof(e), "mtree leaf %llu",
		    (unsigned long long)i);

		merkle_leaf_hash(e, (size_t)len, nv.leaves[i]);
	}
	T_OK(mtree_new(&t, err) == HS_OK, "new tree");
	T_OK(mtree_size(t) == 0 && mtree_leaf(t, 0) == NULL, "empty tree");
	mtree_root(t, 0, root, err);
	merkle_empty_root(want);
	T_OK(memcmp(root, want, 32) == 0, "empty root is SHA-256(\"\")");
	for (size = 1; size <= N; size++) {
		if (mtree_append(t, nv.leaves[size - 1], err) != HS_OK)
			break;
		mtree_root(t, size, root, err);
		naive_mth(&nv, 0, size, want);
		bad_root += memcmp(root, want, 32) != 0;
		bad_leaf += mtree_leaf(t, size - 1) == NULL ||
		    memcmp(mtree_leaf(t, size - 1), nv.leaves[size - 1], 32);
	}
	T_OK(mtree_size(t) == N, "%d leaves appended", N);
	T_OK(bad_root == 0, "root after each append equals the naive MTH "
	    "(%d bad)", bad_root);
	T_OK(bad_leaf == 0, "leaf hashes read back");
	/* Roots of every prefix from the full tree, and proofs. */
	for (size = 1; size <= N; size++) {
		mtree_root(t, size, root, err);
		naive_mth(&nv, 0, size, want);
		bad_prefix += memcmp(root, want, 32) != 0;
		for (m = 0; m < size; m += 7) {
			wn = 0;
			naive_path(&nv, m, 0, size, wp, &wn);
			if (merkle_prove_inclusion(m, size, mtree_read, t, proof,
			    &np, err) != HS_OK || np != wn ||
			    memcmp(proof, wp, np * 32) != 0)
				bad_incl++;
		}
		for (m = 1; m < size; m += 5) {
			wn = 0;
			naive_subproof(&nv, m, 0, size, 1, wp, &wn);
			if (merkle_prove_consistency(m, size, mtree_read, t,
			    proof, &np, err) != HS_OK || np != wn ||
			    memcmp(proof, wp, np * 32) != 0)
				bad_cons++;
		}
	}
	T_OK(bad_prefix == 0, "root of every prefix 1..%d from the full tree",
	    N);
	T_OK(bad_incl == 0, "inclusion proofs from memory equal PATH");
	T_OK(bad_cons == 0, "consistency proofs from memory equal PROOF");
	T_OK(mtree_root(t, N + 1, root, err) == HS_ERR_INVALID,
	    "no root beyond the size: %s", err);
	T_OK(mtree_read(t, 0, N, root, err) == HS_ERR_INVALID,
	    "no leaf beyond the size");

	/* Truncate, append other leaves: the same as a fresh tree. */
	mtree_truncate(t, 100);
	T_OK(mtree_size(t) == 100 && mtree_leaf(t, 100) == NULL,
	    "truncated to 100");
	mtree_root(t, 100, root, err);
	naive_mth(&nv, 0, 100, want);
	T_OK(memcmp(root, want, 32) == 0, "root after truncation");
	for (i = 100; i < N; i++) {
		nv.leaves[i][0] ^= 0x5a;
		mtree_append(t, nv.leaves[i], err);
	}
	forget(&nv);
	bad_root = 0;
	for (size = 101; size <= N; size++) {
		mtree_root(t, size, root, err);
		naive_mth(&nv, 0, size, want);
		bad_root += memcmp(root, want, 32) != 0;
	}
	T_OK(bad_root == 0, "re-grown after truncation: every root right");
	/* A changed leaf changes the root (the test can fail). */
	mtree_root(t, N, root, err);
	nv.leaves[3][7] ^= 1;
	forget(&nv);
	naive_mth(&nv, 0, N, want);
	T_OK(memcmp(root, want, 32) != 0, "a changed leaf changes the root");
	mtree_free(t);
	naive_free(&nv);
}

static void
test_large(void)
{
	struct mtree *t = NULL;
	merkle_hash h, root, proof[MERKLE_MAX_PROOF];
	uint64_t i, n = 70000;
	size_t np;
	char err[HS_ERRLEN];
	int ok = 1;

	mtree_new(&t, err);
	T_OK(mtree_reserve(t, n, err) == HS_OK, "reserve %llu",
	    (unsigned long long)n);
	for (i = 0; i < n && ok; i++) {
		memset(h, 0, sizeof(h));
		memcpy(h, &i, sizeof(i));
		ok = mtree_append(t, h, err) == HS_OK;
	}
	T_OK(ok, "appended %llu", (unsigned long long)n);
	mtree_root(t, n, root, err);
	for (i = 0; i < n && ok; i += 997) {
		memset(h, 0, sizeof(h));
		memcpy(h, &i, sizeof(i));
		ok = merkle_prove_inclusion(i, n, mtree_read, t, proof, &np,
		    err) == HS_OK && merkle_verify_inclusion(i, n, h, 32,
		    proof, np, root, 32, err) == HS_OK;
	}
	T_OK(ok, "inclusion proofs in a tree of %llu verify",
	    (unsigned long long)n);
	mtree_free(t);
}

int
main(void)
{
	test_against_naive();
	test_large();
	return t_done();
}
