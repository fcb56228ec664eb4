/*
 * keylog.c - key state from a verified ledger (keylog.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cert/keylog.h"
#include "cert/leaf.h"

/* A key entry fed but not yet covered by an accepted checkpoint. */
struct kl_event {
	enum leaf_kind kind;
	size_t key;               /* index in keys */
	uint64_t index;           /* its leaf */
	time_t t;
};

struct keylog {
	char origin[CHECKPOINT_ORIGIN_MAX + 1];
	struct keylog_key keys[KEYLOG_MAX_KEYS];
	size_t nkeys;
	struct kl_event pending[KEYLOG_MAX_PENDING];
	size_t npending;
	/* The compact range of the entries fed: range[l] is the perfect
	 * subtree of 2^l leaves for every bit l set in size. */
	merkle_hash range[64];
	uint64_t size;
	uint64_t accepted;
	uint64_t gen;
};

enum hs_err
keylog_new(struct keylog **out, char *err)
{
	*out = calloc(1, sizeof(**out));
	if (*out == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	return HS_OK;
}

void
keylog_free(struct keylog *kl)
{
	free(kl);
}

enum hs_err
keylog_clone(const struct keylog *kl, struct keylog **out, char *err)
{
	*out = malloc(sizeof(**out));
	if (*out == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	memcpy(*out, kl, sizeof(**out));
	return HS_OK;
}

const char *
keylog_origin(const struct keylog *kl)
{
	return kl->origin;
}

uint64_t
keylog_size(const struct keylog *kl)
{
	return kl->size;
}

uint64_t
keylog_accepted(const struct keylog *kl)
{
	return kl->accepted;
}

uint64_t
keylog_generation(const struct keylog *kl)
{
	return kl->gen;
}

size_t
keylog_count(const struct keylog *kl)
{
	return kl->nkeys;
}

bool
keylog_key(const struct keylog *kl, size_t i, struct keylog_key *out)
{
	if (i >= kl->nkeys)
		return false;
	*out = kl->keys[i];
	return true;
}

static size_t
find_key(const struct keylog *kl, const char *vkey)
{
	size_t i;

	for (i = 0; i < kl->nkeys; i++)
		if (strcmp(kl->keys[i].vkey, vkey) == 0)
			break;
	return i;
}

/*
 * The index of vkey, adding it (untrusted, no times) if new. The key must
 * parse and be named after the log's origin.
 */
static enum hs_err
name_key(struct keylog *kl, const char *vkey, size_t *at, char *err)
{
	struct note_verifier *v = NULL;
	struct keylog_key *k;
	enum hs_err rc;
	size_t i = find_key(kl, vkey);

	if (i < kl->nkeys) {
		*at = i;
		return HS_OK;
	}
	if (strlen(vkey) >= NOTE_VKEY_MAX)
		return hs_fail(err, HS_ERR_FORMAT, "verifier key too long");
	if ((rc = note_verifier_parse(vkey, &v, err)) != HS_OK)
		return rc == HS_ERR_NOMEM ? rc : HS_ERR_FORMAT;
	if (kl->origin[0] != '\0' &&
	    strcmp(note_verifier_name(v), kl->origin) != 0) {
		rc = hs_fail(err, HS_ERR_INVALID, "key for log \"%.100s\", not "
		    "\"%.100s\"", note_verifier_name(v), kl->origin);
		note_verifier_free(v);
		return rc;
	}
	if (strlen(note_verifier_name(v)) >= sizeof(kl->origin)) {
		note_verifier_free(v);
		return hs_fail(err, HS_ERR_FORMAT, "key name too long");
	}
	if (kl->origin[0] == '\0')
		snprintf(kl->origin, sizeof(kl->origin), "%s",
		    note_verifier_name(v));
	note_verifier_free(v);
	if (kl->nkeys == KEYLOG_MAX_KEYS)
		return hs_fail(err, HS_ERR_TOOBIG, "more than %d keys",
		    KEYLOG_MAX_KEYS);
	k = &kl->keys[kl->nkeys];
	memset(k, 0, sizeof(*k));
	snprintf(k->vkey, sizeof(k->vkey), "%s", vkey);
	k->key_leaf = k->retire_leaf = k->compromise_leaf = KEYLOG_NONE;
	k->retire_ckpt = KEYLOG_NONE;
	*at = kl->nkeys++;
	return HS_OK;
}

/* A logged time of exactly the epoch stays distinct from "none" (0). */
static time_t
not_none(time_t t)
{
	return t == 0 ? -1 : t;
}

enum hs_err
keylog_anchor(struct keylog *kl, const char *vkey, time_t not_before,
    time_t retired, time_t compromised, char *err)
{
	struct keylog_key *k;
	enum hs_err rc;
	size_t i;

	if (kl->size > 0)
		return hs_fail(err, HS_ERR_STATE, "trust anchors come before "
		    "the first entry");
	if ((rc = name_key(kl, vkey, &i, err)) != HS_OK) {
		hs_errprefix(err, "trust anchor");
		return rc;
	}
	k = &kl->keys[i];
	k->trusted = k->anchor = true;
	if (not_before > k->not_before)
		k->not_before = not_before;
	if (retired != 0 && (k->retired == 0 || retired < k->retired))
		k->retired = retired;
	if (compromised != 0 && (k->compromised == 0 ||
	    compromised < k->compromised))
		k->compromised = compromised;
	kl->gen++;
	return HS_OK;
}

static void
range_append(struct keylog *kl, const merkle_hash lh)
{
	merkle_hash carry;
	unsigned l = 0;

	memcpy(carry, lh, MERKLE_HASH);
	while (l < 63 && (kl->size >> l & 1)) {
		merkle_node_hash(kl->range[l], carry, carry);
		l++;
	}
	memcpy(kl->range[l], carry, MERKLE_HASH);
	kl->size++;
}

static void
range_root(const struct keylog *kl, merkle_hash root)
{
	bool any = false;
	unsigned l;

	for (l = 0; l < 64; l++) {
		if (!(kl->size >> l & 1))
			continue;
		if (!any)
			memcpy(root, kl->range[l], MERKLE_HASH);
		else
			merkle_node_hash(kl->range[l], root, root);
		any = true;
	}
	if (!any)
		merkle_empty_root(root);
}

enum hs_err
keylog_entry(struct keylog *kl, const void *entry, size_t len,
    const uint8_t *lh, char *err)
{
	merkle_hash h;
	struct leaf lf;
	struct kl_event *ev;
	enum hs_err rc;
	size_t k;
	time_t t;

	if (kl->size >= MERKLE_MAX_SIZE)
		return hs_fail(err, HS_ERR_TOOBIG, "ledger too large");
	if (leaf_is_key_kind(entry, len)) {
		if ((rc = leaf_parse(entry, len, &lf, err)) != HS_OK ||
		    (rc = name_key(kl, lf.vkey, &k, err)) != HS_OK) {
			hs_errprefix(err, "ledger leaf %llu, a key entry",
			    (unsigned long long)kl->size);
			return HS_ERR_FORMAT;
		}
		if (kl->npending == KEYLOG_MAX_PENDING)
			return hs_fail(err, HS_ERR_TOOBIG, "ledger leaf %llu: "
			    "more than %d key entries without a checkpoint",
			    (unsigned long long)kl->size, KEYLOG_MAX_PENDING);
		if (time_parse_rfc3339(lf.time, &t) != 0)
			return hs_fail(err, HS_ERR_FORMAT, "ledger leaf %llu: "
			    "bad time", (unsigned long long)kl->size);
		ev = &kl->pending[kl->npending++];
		ev->kind = lf.kind;
		ev->key = k;
		ev->index = kl->size;
		ev->t = t;
	}
	if (lh == NULL) {
		if ((rc = merkle_leaf_hash(entry, len, h)) != HS_OK)
			return hs_fail(err, rc, "hashing a leaf");
		lh = h;
	}
	range_append(kl, lh);
	return HS_OK;
}

uint64_t
keylog_pending_key(const struct keylog *kl)
{
	size_t i;

	for (i = 0; i < kl->npending; i++)
		if (kl->pending[i].kind == LEAF_KEY &&
		    !kl->keys[kl->pending[i].key].trusted)
			return kl->pending[i].index;
	return KEYLOG_NONE;
}

static bool
may_sign(const struct keylog_key *k, uint64_t size)
{
	return k->trusted && k->compromised == 0 &&
	    (k->anchor || k->key_leaf < size) &&
	    (k->retire_ckpt == KEYLOG_NONE || size <= k->retire_ckpt);
}

bool
keylog_may_sign(const struct keylog *kl, const char *vkey, uint64_t size)
{
	size_t i = find_key(kl, vkey);

	return i < kl->nkeys && may_sign(&kl->keys[i], size);
}

/*
 * Opens note with the keys that may sign a checkpoint of its size; ids
 * (KEYLOG_MAX_KEYS) gets the indices of those whose signature verified.
 */
static enum hs_err
open_signed(const struct keylog *kl, const char *note, size_t len,
    struct checkpoint *cp, size_t *ids, size_t *nids, char *err)
{
	struct note_verifier *vs[KEYLOG_MAX_KEYS];
	size_t map[KEYLOG_MAX_KEYS], n = 0, i;
	struct note_verified by;
	struct checkpoint unsigned_cp;
	enum hs_err rc;
	char e2[HS_ERRLEN];

	*nids = 0;
	if (kl->origin[0] == '\0')
		return hs_fail(err, HS_ERR_STATE, "no trust anchor");
	if ((rc = checkpoint_parse_note(note, len, &unsigned_cp, err)) !=
	    HS_OK)
		return HS_ERR_FORMAT;
	for (i = 0; i < kl->nkeys; i++) {
		if (!may_sign(&kl->keys[i], unsigned_cp.size))
			continue;
		if (note_verifier_parse(kl->keys[i].vkey, &vs[n], e2) != HS_OK)
			continue; /* parsed when named: cannot happen */
		map[n++] = i;
	}
	if (n == 0) {
		rc = hs_fail(err, HS_ERR_SIGNATURE, "no trusted key may sign a "
		    "checkpoint of size %llu", (unsigned long long)
		    unsigned_cp.size);
		goto out;
	}
	rc = checkpoint_open(note, len, kl->origin, vs, n, cp, &by, e2);
	if (rc != HS_OK) {
		hs_fail(err, rc == HS_ERR_FORMAT ? HS_ERR_FORMAT :
		    HS_ERR_SIGNATURE, "the checkpoint of size %llu is not "
		    "signed by a key trusted for it: %s", (unsigned long long)
		    unsigned_cp.size, e2);
		rc = rc == HS_ERR_FORMAT ? HS_ERR_FORMAT : HS_ERR_SIGNATURE;
		goto out;
	}
	for (i = 0; i < by.n && i < KEYLOG_MAX_KEYS; i++)
		ids[(*nids)++] = map[by.by[i]];
out:
	for (i = 0; i < n; i++)
		note_verifier_free(vs[i]);
	return rc;
}

enum hs_err
keylog_signed(const struct keylog *kl, const char *note, size_t len,
    struct checkpoint *cp, char *err)
{
	size_t ids[KEYLOG_MAX_KEYS], nids;
	struct checkpoint tmp;

	return open_signed(kl, note, len, cp ? cp : &tmp, ids, &nids, err);
}

/* Puts the pending events in effect, covered by a checkpoint of size. */
static void
apply_pending(struct keylog *kl, uint64_t size)
{
	struct keylog_key *k;
	size_t i;

	for (i = 0; i < kl->npending; i++) {
		const struct kl_event *ev = &kl->pending[i];

		k = &kl->keys[ev->key];
		switch (ev->kind) {
		case LEAF_KEY:
			if (k->key_leaf != KEYLOG_NONE)
				break; /* the first announcement counts */
			k->key_leaf = ev->index;
			if (!k->anchor || ev->t > k->not_before)
				k->not_before = ev->t;
			k->trusted = true;
			break;
		case LEAF_KEY_RETIRE:
			if (k->retire_ckpt == KEYLOG_NONE)
				k->retire_ckpt = size;
			if (k->retired == 0 || not_none(ev->t) < k->retired) {
				k->retired = not_none(ev->t);
				k->retire_leaf = ev->index;
			}
			break;
		case LEAF_KEY_COMPROMISE:
			if (k->compromised == 0 ||
			    not_none(ev->t) < k->compromised) {
				k->compromised = not_none(ev->t);
				k->compromise_leaf = ev->index;
			}
			break;
		default:
			break;
		}
	}
	if (kl->npending > 0)
		kl->gen++;
	kl->npending = 0;
}

enum hs_err
keylog_checkpoint(struct keylog *kl, const char *note, size_t len,
    struct checkpoint *cp, char *err)
{
	size_t ids[KEYLOG_MAX_KEYS], nids, i;
	struct checkpoint c;
	struct keylog *next = NULL;
	merkle_hash root;
	enum hs_err rc;
	bool ok = false;

	if (cp != NULL)
		memset(cp, 0, sizeof(*cp));
	if ((rc = open_signed(kl, note, len, &c, ids, &nids, err)) != HS_OK)
		return rc;
	if (c.size != kl->size)
		return hs_fail(err, HS_ERR_INVALID, "a checkpoint of size %llu "
		    "after %llu entries", (unsigned long long)c.size,
		    (unsigned long long)kl->size);
	range_root(kl, root);
	if (CRYPTO_memcmp(root, c.root, MERKLE_HASH) != 0)
		return hs_fail(err, HS_ERR_SIGNATURE, "the checkpoint of size "
		    "%llu does not have the root of the ledger's entries",
		    (unsigned long long)c.size);
	/* What it covers must leave one of its signers uncompromised. */
	if ((rc = keylog_clone(kl, &next, err)) != HS_OK)
		return rc;
	apply_pending(next, c.size);
	for (i = 0; i < nids; i++)
		if (next->keys[ids[i]].compromised == 0)
			ok = true;
	if (!ok) {
		rc = hs_fail(err, HS_ERR_SIGNATURE, "the checkpoint of size "
		    "%llu is signed by a key that the entries it covers mark "
		    "compromised", (unsigned long long)c.size);
		goto out;
	}
	next->accepted = c.size;
	memcpy(kl, next, sizeof(*kl));
	if (cp != NULL)
		*cp = c;
	rc = HS_OK;
out:
	keylog_free(next);
	return rc;
}

/* " (ledger leaf N)" or " (trust file)" for a time that has no leaf. */
static void
source(uint64_t leaf, char *out, size_t n)
{
	if (leaf == KEYLOG_NONE)
		snprintf(out, n, " (configured)");
	else
		snprintf(out, n, " (ledger leaf %llu)",
		    (unsigned long long)leaf);
}

enum hs_err
keylog_check(const struct keylog *kl, const char *vkey, time_t t, char *err)
{
	const struct keylog_key *k;
	char when[21], at[21], src[40];
	size_t i = find_key(kl, vkey);

	if (i == kl->nkeys || !kl->keys[i].trusted)
		return hs_fail(err, HS_ERR_SIGNATURE, "the signing key is "
		    "neither a configured key nor announced by the verified "
		    "ledger");
	k = &kl->keys[i];
	time_rfc3339(t, when);
	if (k->compromised != 0 && t >= k->compromised) {
		time_rfc3339(k->compromised < 0 ? 0 : k->compromised, at);
		source(k->compromise_leaf, src, sizeof(src));
		return hs_fail(err, HS_ERR_STATE, "signed at %s by a key "
		    "compromised since %s%s", when, at, src);
	}
	if (k->retired != 0 && t > k->retired) {
		time_rfc3339(k->retired < 0 ? 0 : k->retired, at);
		source(k->retire_leaf, src, sizeof(src));
		return hs_fail(err, HS_ERR_STATE, "signed at %s by a key "
		    "retired at %s%s", when, at, src);
	}
	if (k->not_before != 0 && t < k->not_before) {
		time_rfc3339(k->not_before, at);
		source(k->key_leaf, src, sizeof(src));
		return hs_fail(err, HS_ERR_STATE, "signed at %s by a key valid "
		    "only from %s%s", when, at, src);
	}
	return HS_OK;
}
