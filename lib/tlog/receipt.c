/*
 * receipt.c - c2sp.org/tlog-proof@v1. See receipt.h.
 */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "tlog/receipt.h"

struct receipt {
	uint64_t index;
	size_t nproof;
	merkle_hash proof[MERKLE_MAX_PROOF];
	char *checkpoint;          /* the signed note, NUL-terminated */
	size_t checkpoint_len;
	struct checkpoint parsed;  /* its text, signature not checked */
};

enum hs_err
receipt_format(uint64_t index, const merkle_hash *proof, size_t n,
    const char *checkpoint, size_t len, struct buf *out, char *err)
{
	char b64[MERKLE_B64_SIZE];
	size_t i;

	if (n > MERKLE_MAX_PROOF)
		return hs_fail(err, HS_ERR_INVALID, "proof too long");
	if (len == 0 || checkpoint[len - 1] != '\n')
		return hs_fail(err, HS_ERR_INVALID, "checkpoint note does not "
		    "end in a newline");
	buf_printf(out, RECEIPT_HEADER "\nindex %llu\n",
	    (unsigned long long)index);
	for (i = 0; i < n; i++) {
		merkle_hash_encode(proof[i], b64);
		buf_puts(out, b64);
		buf_putc(out, '\n');
	}
	buf_putc(out, '\n');
	buf_add(out, checkpoint, len);
	return out->oom ? HS_ERR_NOMEM : HS_OK;
}

enum hs_err
receipt_parse(const char *s, size_t len, struct receipt **rp, char *err)
{
	struct receipt *r = NULL;
	const char *p = s, *end = s + len, *nl;
	size_t n, line = 0;
	uint8_t *extra = NULL;
	enum hs_err rc = HS_ERR_FORMAT;

	*rp = NULL;
	if (len > RECEIPT_MAX)
		return hs_fail(err, HS_ERR_TOOBIG, "receipt is over %d bytes",
		    RECEIPT_MAX);
	if (memchr(s, '\0', len) != NULL || !utf8_valid(s, len))
		return hs_fail(err, HS_ERR_FORMAT, "receipt is not UTF-8 text");
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return HS_ERR_NOMEM;

	/* Line 1: the header. */
	nl = memchr(p, '\n', (size_t)(end - p));
	line++;
	if (nl == NULL || (size_t)(nl - p) != strlen(RECEIPT_HEADER) ||
	    memcmp(p, RECEIPT_HEADER, strlen(RECEIPT_HEADER)) != 0) {
		hs_fail(err, rc, "receipt line 1: not \"%s\"", RECEIPT_HEADER);
		goto out;
	}
	p = nl + 1;

	/* Optional "extra <base64>": unauthenticated, checked and dropped. */
	if ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL &&
	    (size_t)(nl - p) > 6 && memcmp(p, "extra ", 6) == 0) {
		line++;
		n = (size_t)(nl - p) - 6;
		if (n > B64_LEN(RECEIPT_EXTRA_MAX) ||
		    (extra = malloc(RECEIPT_EXTRA_MAX + 3)) == NULL ||
		    b64_decode(p + 6, n, extra, RECEIPT_EXTRA_MAX) < 0) {
			hs_fail(err, rc, "receipt line 2: extra data is not "
			    "base64 of at most %d bytes", RECEIPT_EXTRA_MAX);
			goto out;
		}
		p = nl + 1;
	}

	/* "index <i>". */
	nl = memchr(p, '\n', (size_t)(end - p));
	line++;
	if (nl == NULL || (size_t)(nl - p) < 7 || memcmp(p, "index ", 6) != 0 ||
	    dec_parse_u64(p + 6, (size_t)(nl - p) - 6, MERKLE_MAX_SIZE - 1,
	    &r->index) != 0) {
		hs_fail(err, rc, "receipt line %zu: not \"index N\" with N a "
		    "decimal without leading zeroes", line);
		goto out;
	}
	p = nl + 1;

	/* Proof hashes up to the empty line. */
	for (;;) {
		nl = memchr(p, '\n', (size_t)(end - p));
		line++;
		if (nl == NULL) {
			hs_fail(err, rc, "receipt line %zu: no empty line "
			    "before the checkpoint", line);
			goto out;
		}
		if (nl == p)
			break;
		if (r->nproof == MERKLE_MAX_PROOF) {
			hs_fail(err, rc, "receipt line %zu: more than %d proof "
			    "hashes", line, MERKLE_MAX_PROOF);
			goto out;
		}
		if (merkle_hash_decode(p, (size_t)(nl - p),
		    r->proof[r->nproof]) != 0) {
			hs_fail(err, rc, "receipt line %zu: not base64 of a "
			    "32-byte hash", line);
			goto out;
		}
		r->nproof++;
		p = nl + 1;
	}
	p = nl + 1;

	/* The rest is the checkpoint, verbatim: a signed note, so it ends
	 * in a newline. */
	n = (size_t)(end - p);
	if (n == 0 || p[n - 1] != '\n') {
		hs_fail(err, rc, "receipt: the checkpoint does not end in a "
		    "newline");
		goto out;
	}
	if ((rc = checkpoint_parse_note(p, n, &r->parsed, err)) != HS_OK) {
		hs_errprefix(err, "receipt line %zu", line + 1);
		rc = HS_ERR_FORMAT;
		goto out;
	}
	if (r->index >= r->parsed.size) {
		rc = hs_fail(err, HS_ERR_FORMAT, "receipt: index %llu is not "
		    "below the checkpoint's tree size %llu",
		    (unsigned long long)r->index,
		    (unsigned long long)r->parsed.size);
		goto out;
	}
	if ((r->checkpoint = malloc(n + 1)) == NULL) {
		rc = HS_ERR_NOMEM;
		goto out;
	}
	memcpy(r->checkpoint, p, n);
	r->checkpoint[n] = '\0';
	r->checkpoint_len = n;
	*rp = r;
	r = NULL;
	rc = HS_OK;
out:
	free(extra);
	receipt_free(r);
	return rc;
}

void
receipt_free(struct receipt *r)
{
	if (r == NULL)
		return;
	free(r->checkpoint);
	free(r);
}

uint64_t
receipt_index(const struct receipt *r)
{
	return r->index;
}

const merkle_hash *
receipt_proof(const struct receipt *r, size_t *n)
{
	*n = r->nproof;
	return r->proof;
}

const char *
receipt_checkpoint(const struct receipt *r, size_t *len)
{
	if (len != NULL)
		*len = r->checkpoint_len;
	return r->checkpoint;
}

const struct checkpoint *
receipt_checkpoint_parsed(const struct receipt *r)
{
	return &r->parsed;
}

enum hs_err
receipt_verify(const struct receipt *r, const void *entry, size_t n,
    const char *origin, struct note_verifier *const *vs, size_t nvs,
    struct checkpoint *cpout, struct note_verified *by, char *err)
{
	struct checkpoint cp;
	merkle_hash leaf;
	enum hs_err rc;

	if ((rc = checkpoint_open(r->checkpoint, r->checkpoint_len, origin, vs,
	    nvs, &cp, by, err)) != HS_OK) {
		hs_errprefix(err, "receipt");
		return rc == HS_ERR_FORMAT ? rc : HS_ERR_SIGNATURE;
	}
	if ((rc = merkle_leaf_hash(entry, n, leaf)) != HS_OK)
		return hs_fail(err, rc, "hashing the leaf entry");
	if (merkle_verify_inclusion(r->index, cp.size, leaf, MERKLE_HASH,
	    r->proof, r->nproof, cp.root, MERKLE_HASH, err) != HS_OK) {
		hs_errprefix(err, "receipt");
		return HS_ERR_SIGNATURE;
	}
	if (cpout != NULL)
		*cpout = cp;
	return HS_OK;
}
