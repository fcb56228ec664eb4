/*
 * Unit tests for merkle.c: the RFC 6962 hashing vectors, the 196
 * transparency-dev proof probes in ../shared/vectors/merkle/, and proofs
 * generated from perfect subtrees against a naive recursive
 * implementation of the RFC 9162 definitions, for every tree size 1..300.
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "tlog/merkle.h"
#include "core/util.h"
#include "t.h"

#include "naive_merkle.h"

static void
hexeq(const merkle_hash h, const char *want, const char *what)
{
	char got[2 * MERKLE_HASH + 1];

	hex_encode(h, MERKLE_HASH, got);
	T_STREQ(got, want, "%s", what);
}

static void
test_hashing(void)
{
	static const char *eight[] = {
		"", "00", "10", "2021", "3031", "40414243",
		"5051525354555657", "606162636465666768696a6b6c6d6e6f",
	};
	merkle_hash h, a, b;
	uint8_t raw[16];
	struct naive nv;
	size_t i;

	merkle_leaf_hash("", 0, h);
	hexeq(h, "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a306"
	    "17afa01d", "leaf(\"\")");
	merkle_leaf_hash("L123456", 7, h);
	hexeq(h, "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639"
	    "252b4d56", "leaf(\"L123456\")");
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	memcpy(a, "N123", 4);
	memcpy(b, "N456", 4);
	/* The RFC vector hashes the 4-byte strings, not 32-byte nodes. */
	{
		uint8_t buf[9] = { 0x01, 'N', '1', '2', '3', 'N', '4', '5',
		    '6' };

		sha256(buf, sizeof(buf), h);
		hexeq(h, "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b0"
		    "44444de66bbb", "node(\"N123\",\"N456\") definition");
	}
	merkle_empty_root(h);
	hexeq(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b"
	    "7852b855", "empty tree");

	naive_init(&nv, 8);
	for (i = 0; i < 8; i++) {
		size_t n = strlen(eight[i]) / 2;

		T_OK(hex_decode(eight[i], raw, n) == 0, "hex leaf %zu", i);
		merkle_leaf_hash(raw, n, nv.leaves[i]);
	}
	T_OK(merkle_tree_hash(8, naive_read, &nv, h, NULL) == HS_OK,
	    "tree hash of 8 leaves");
	hexeq(h, "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370ef"
	    "f4604328", "8-leaf root through perfect subtrees");
	naive_mth(&nv, 0, 8, h);
	hexeq(h, "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370ef"
	    "f4604328", "8-leaf root, naive");
	merkle_tree_hash(0, naive_read, &nv, h, NULL);
	hexeq(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b"
	    "7852b855", "tree hash of size 0 is the empty root");
	naive_free(&nv);

	/* A leaf over the small-buffer path hashes the same both ways. */
	{
		char *big = malloc(5000);
		uint8_t *pre = malloc(5001);

		memset(big, 'x', 5000);
		pre[0] = 0;
		memcpy(pre + 1, big, 5000);
		merkle_leaf_hash(big, 5000, a);
		sha256(pre, 5001, b);
		T_OK(memcmp(a, b, 32) == 0, "long leaf hashed with EVP");
		free(big);
		free(pre);
	}
}

/* --- the JSON probes --- */

struct probes {
	int total, passed;
};

static struct probes *g_probes; /* nftw has no context pointer */

/* Decodes a JSON base64 string into out (up to 64 bytes); -1 if bad. */
static long
jbytes(json_t *o, const char *key, uint8_t out[64])
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v))
		return -1;
	return b64_decode(json_string_value(v), json_string_length(v), out,
	    64);
}

/* Decodes the proof array (null = empty); -1 if any hash is bad. */
static int
jproof(json_t *o, merkle_hash *proof, size_t *n)
{
	json_t *a = json_object_get(o, "proof"), *v;
	size_t i;

	*n = 0;
	if (a == NULL || json_is_null(a))
		return 0;
	if (!json_is_array(a) || json_array_size(a) > MERKLE_MAX_PROOF)
		return -1;
	json_array_foreach(a, i, v) {
		if (!json_is_string(v) || merkle_hash_decode(
		    json_string_value(v), json_string_length(v), proof[i]) != 0)
			return -1;
		(*n)++;
	}
	return 0;
}

/*
 * Some probes use 2^64 - 1, beyond jansson's signed integers: read the
 * unsigned decimal after "key": in the raw text instead.
 */
static int
jraw_u64(const char *text, const char *key, uint64_t *out)
{
	char pat[64];
	const char *p;
	char *end;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	if ((p = strstr(text, pat)) == NULL)
		return -1;
	p += strlen(pat);
	while (*p == ' ')
		p++;
	if (*p < '0' || *p > '9')
		return -1;
	errno = 0;
	*out = strtoull(p, &end, 10);
	return errno == 0 ? 0 : -1;
}

static int
probe(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	json_t *o = NULL;
	json_error_t je;
	merkle_hash proof[MERKLE_MAX_PROOF];
	uint8_t r1[64], r2[64];
	long l1, l2;
	size_t n;
	uint64_t a, b;
	int want_err, got_err;
	char err[HS_ERRLEN] = "", *text = NULL;
	size_t tlen;

	(void)sb;
	(void)ftw;
	if (type != FTW_F || strlen(path) < 5 ||
	    strcmp(path + strlen(path) - 5, ".json") != 0)
		return 0;
	g_probes->total++;
	if (file_read(path, 1 << 20, &text, &tlen, err) != HS_OK ||
	    (o = json_loads(text, JSON_DECODE_INT_AS_REAL, &je)) == NULL) {
		T_OK(0, "%s: cannot read: %s", path, err);
		goto out;
	}
	want_err = json_is_true(json_object_get(o, "wantErr"));
	if (strstr(path, "/inclusion/") != NULL) {
		got_err = jraw_u64(text, "leafIdx", &a) != 0 ||
		    jraw_u64(text, "treeSize", &b) != 0 ||
		    (l1 = jbytes(o, "root", r1)) < 0 ||
		    (l2 = jbytes(o, "leafHash", r2)) < 0 ||
		    jproof(o, proof, &n) != 0 ||
		    merkle_verify_inclusion(a, b, r2, (size_t)l2, proof, n, r1,
		    (size_t)l1, err) != HS_OK;
	} else {
		got_err = jraw_u64(text, "size1", &a) != 0 ||
		    jraw_u64(text, "size2", &b) != 0 ||
		    (l1 = jbytes(o, "root1", r1)) < 0 ||
		    (l2 = jbytes(o, "root2", r2)) < 0 ||
		    jproof(o, proof, &n) != 0 ||
		    merkle_verify_consistency(a, b, r1, (size_t)l1, r2,
		    (size_t)l2, proof, n, err) != HS_OK;
	}
	if (got_err == want_err)
		g_probes->passed++;
	else
		T_OK(0, "%s: want %s, got %s %s", path,
		    want_err ? "error" : "ok", got_err ? "error" : "ok", err);
out:
	json_decref(o);
	free(text);
	return 0;
}

static const char *
vectors_dir(void)
{
	static const char *cands[] = {
		"../shared/vectors", "../../shared/vectors", "tests/vectors",
	};
	const char *env = getenv("HS_VECTORS");
	struct stat st;
	size_t i;

	if (env != NULL)
		return env;
	for (i = 0; i < sizeof(cands) / sizeof(cands[0]); i++)
		if (stat(cands[i], &st) == 0 && S_ISDIR(st.st_mode))
			return cands[i];
	return cands[0];
}

static void
test_probes(void)
{
	struct probes p = { 0, 0 };
	char dir[4096];
	int rc;

	snprintf(dir, sizeof(dir), "%s/merkle", vectors_dir());
	g_probes = &p;
	/* T_OK evaluates its condition twice: walk outside it. */
	rc = nftw(dir, probe, 16, FTW_PHYS);
	T_OK(rc == 0, "walk %s", dir);
	T_OK(p.total == 196, "196 JSON probes found (%d)", p.total);
	T_OK(p.passed == p.total, "%d of %d probes give the expected result",
	    p.passed, p.total);
}

/* --- generated proofs against the naive RFC definitions --- */

static void
test_generated(void)
{
	struct naive nv;
	merkle_hash proof[MERKLE_MAX_PROOF], want[MERKLE_MAX_PROOF];
	merkle_hash root, r1, root_naive;
	size_t n, wn;
	uint64_t size, m, i;
	int bad_incl = 0, bad_cons = 0, bad_root = 0, checked = 0;
	char err[HS_ERRLEN];
	char e[16];

	naive_init(&nv, 300);
	for (i = 0; i < 300; i++) {
		int len = snprintf(e, sizeof(e), "leaf %llu",
		    (unsigned long long)i);

		merkle_leaf_hash(e, (size_t)len, nv.leaves[i]);
	}
	for (size = 1; size <= 300; size++) {
		merkle_tree_hash(size, naive_read, &nv, root, NULL);
		naive_mth(&nv, 0, size, root_naive);
		bad_root += memcmp(root, root_naive, 32) != 0;
		for (m = 0; m < size; m++) {
			merkle_prove_inclusion(m, size, naive_read, &nv, proof,
			    &n, err);
			wn = 0;
			naive_path(&nv, m, 0, size, want, &wn);
			if (n != wn || memcmp(proof, want, n * 32) != 0 ||
			    merkle_verify_inclusion(m, size, nv.leaves[m], 32,
			    proof, n, root, 32, err) != HS_OK)
				bad_incl++;
			checked++;
		}
		for (m = 0; m <= size; m++) {
			merkle_prove_consistency(m, size, naive_read, &nv,
			    proof, &n, err);
			wn = 0;
			if (m > 0 && m < size)
				naive_subproof(&nv, m, 0, size, 1, want, &wn);
			naive_mth(&nv, 0, m, r1);
			if (n != wn || memcmp(proof, want, n * 32) != 0 ||
			    (m > 0 && merkle_verify_consistency(m, size, r1, 32,
			    root, 32, proof, n, err) != HS_OK))
				bad_cons++;
			/* A changed hash must not verify. */
			if (n > 0) {
				proof[n / 2][m % 32] ^= 0x40;
				if (merkle_verify_consistency(m, size, r1,
				    32, root, 32, proof, n, NULL) == HS_OK)
					bad_cons++;
			}
		}
	}
	T_OK(bad_root == 0, "roots of sizes 1..300 equal the naive MTH");
	T_OK(bad_incl == 0, "%d inclusion proofs equal PATH and verify (%d "
	    "bad)", checked, bad_incl);
	T_OK(bad_cons == 0, "consistency proofs for all 0<=m<=n<=300 equal "
	    "PROOF and verify (%d bad)", bad_cons);

	/* Wrong leaf, index and size are rejected. */
	merkle_tree_hash(300, naive_read, &nv, root, NULL);
	merkle_prove_inclusion(17, 300, naive_read, &nv, proof, &n, NULL);
	T_OK(merkle_verify_inclusion(17, 300, nv.leaves[18], 32, proof, n,
	    root, 32, NULL) == HS_ERR_SIGNATURE, "inclusion: wrong leaf "
	    "rejected");
	T_OK(merkle_verify_inclusion(16, 300, nv.leaves[17], 32, proof, n,
	    root, 32, NULL) == HS_ERR_SIGNATURE, "inclusion: wrong index "
	    "rejected");
	/* 299 has the same shape around leaf 17 (proofs do not bind the
	 * size, the signed checkpoint does); 32 does not. */
	T_OK(merkle_verify_inclusion(17, 32, nv.leaves[17], 32, proof, n,
	    root, 32, NULL) == HS_ERR_SIGNATURE, "inclusion: wrong size "
	    "rejected");
	T_OK(merkle_verify_inclusion(300, 300, nv.leaves[17], 32, proof, n,
	    root, 32, NULL) == HS_ERR_INVALID, "inclusion: index >= size "
	    "rejected");
	T_OK(merkle_verify_inclusion(17, 300, nv.leaves[17], 31, proof, n,
	    root, 32, NULL) == HS_ERR_INVALID, "inclusion: 31-byte leaf hash "
	    "rejected");
	T_OK(merkle_verify_inclusion(17, 300, nv.leaves[17], 32, proof, n - 1,
	    root, 32, NULL) == HS_ERR_SIGNATURE, "inclusion: short proof "
	    "rejected");
	merkle_tree_hash(100, naive_read, &nv, r1, NULL);
	merkle_prove_consistency(100, 300, naive_read, &nv, proof, &n, NULL);
	T_OK(merkle_verify_consistency(100, 300, r1, 32, root, 32, proof, n,
	    NULL) == HS_OK, "consistency 100 -> 300 verifies");
	T_OK(merkle_verify_consistency(100, 300, root, 32, r1, 32, proof, n,
	    NULL) == HS_ERR_SIGNATURE, "consistency: swapped roots rejected");
	T_OK(merkle_verify_consistency(0, 300, r1, 32, root, 32, proof, 0,
	    NULL) == HS_ERR_INVALID, "consistency from 0 refused");
	T_OK(merkle_prove_consistency(5, 4, naive_read, &nv, proof, &n,
	    NULL) == HS_ERR_INVALID, "consistency: size1 > size2 refused");
	naive_free(&nv);
}

int
main(void)
{
	test_hashing();
	test_probes();
	test_generated();
	return t_done();
}
