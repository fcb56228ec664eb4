/*
 * test_keylog.c - key state derived from a verified ledger (lib/keylog.h):
 * the compact-range root against the RFC 6962 definition, the trust chain
 * from an anchor through rotation, retirement and compromise, refused
 * checkpoints, and hostile key entries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlog/checkpoint.h"
#include "cert/keylog.h"
#include "cert/leaf.h"
#include "tlog/merkle.h"
#include "tlog/note.h"
#include "t.h"

#include "naive_merkle.h"

#define ORIGIN "ledger.hourseal.example.cn/fj"
#define MAXLOG 600

static const uint8_t seed1[32] = { 1 }, seed2[32] = { 2 }, seed3[32] = { 3 };

/* A ledger kept by the test: entries and their hashes. */
static struct {
	char *e[MAXLOG];
	size_t n;
	struct naive nv;
} lg;

static void
log_reset(void)
{
	size_t i;

	for (i = 0; i < lg.n; i++)
		free(lg.e[i]);
	naive_free(&lg.nv);
	lg.n = 0;
	naive_init(&lg.nv, MAXLOG);
}

/* Appends an entry to the test's log and feeds it to kl. */
static enum hs_err
feed(struct keylog *kl, const char *entry, char *err)
{
	lg.e[lg.n] = strdup(entry);
	merkle_leaf_hash(entry, strlen(entry), lg.nv.leaves[lg.n]);
	lg.n++;
	/* Every other entry with its hash given, to cover both paths. */
	return keylog_entry(kl, entry, strlen(entry),
	    lg.n % 2 ? lg.nv.leaves[lg.n - 1] : NULL, err);
}

static int feed_failed;

static void
feed_issue(struct keylog *kl, int i)
{
	char e[128], err[HS_ERRLEN];

	snprintf(e, sizeof(e), "hourseal/leaf/v1 issue 2024-7K3M-9Q2D-XW8P-"
	    "%04d 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", i);
	if (feed(kl, e, err) != HS_OK)
		feed_failed++;
}

static void
feed_key(struct keylog *kl, const char *kind, const char *vkey,
    const char *t)
{
	char e[1024], err[HS_ERRLEN];

	snprintf(e, sizeof(e), "hourseal/leaf/v1 %s %s %s", kind, vkey, t);
	T_OK(feed(kl, e, err) == HS_OK, "%s entry fed (%s)", kind, err);
}

/* A checkpoint of the test's log at its size (or with a wrong root). */
static void
ckpt(const struct note_signer *s, bool bad_root, struct buf *out)
{
	merkle_hash root;
	char b64[MERKLE_B64_SIZE], err[HS_ERRLEN];
	struct buf text;

	if (lg.n == 0)
		merkle_empty_root(root);
	else
		naive_mth(&lg.nv, 0, lg.n, root);
	if (bad_root)
		root[0] ^= 1;
	merkle_hash_encode(root, b64);
	buf_init(&text);
	buf_printf(&text, ORIGIN "\n%zu\n%s\n", lg.n, b64);
	buf_reset(out);
	note_sign(s, text.data, text.len, out, err);
	buf_free(&text);
}

static time_t
T(const char *s)
{
	time_t t = 0;

	time_parse_rfc3339(s, &t);
	return t;
}

static void
test_root(struct note_signer *k1, const char *v1)
{
	struct keylog *kl = NULL;
	struct buf note;
	struct checkpoint cp;
	char err[HS_ERRLEN];
	size_t n;
	bool all = true, bad = true;

	buf_init(&note);
	log_reset();
	keylog_new(&kl, err);
	keylog_anchor(kl, v1, 0, 0, 0, err);
	for (n = 0; n <= 300; n++) {
		ckpt(k1, true, &note);
		if (keylog_checkpoint(kl, note.data, note.len, &cp, err) !=
		    HS_ERR_SIGNATURE)
			bad = false;
		ckpt(k1, false, &note);
		if (keylog_checkpoint(kl, note.data, note.len, &cp, err) !=
		    HS_OK || cp.size != n || keylog_accepted(kl) != n)
			all = false;
		feed_issue(kl, (int)n);
	}
	T_OK(all, "the compact range has the RFC 6962 root at every size "
	    "0..300");
	T_OK(bad, "a wrong root is refused at every size");
	/* A checkpoint of another size than what was fed. */
	lg.n--;
	ckpt(k1, false, &note);
	lg.n++;
	T_OK(keylog_checkpoint(kl, note.data, note.len, &cp, err) ==
	    HS_ERR_INVALID, "a checkpoint of a size not fed: %s", err);
	T_OK(keylog_signed(kl, note.data, note.len, &cp, err) == HS_OK &&
	    cp.size == lg.n - 1, "but its signature alone checks");
	T_OK(keylog_anchor(kl, v1, 0, 0, 0, err) == HS_ERR_STATE,
	    "no anchor after the first entry: %s", err);
	keylog_free(kl);
	buf_free(&note);
}

static void
test_chain(struct note_signer *k1, const char *v1, struct note_signer *k2,
    const char *v2, struct note_signer *k3, const char *v3)
{
	struct keylog *kl = NULL;
	struct keylog_key kk;
	struct buf note;
	char err[HS_ERRLEN];
	uint64_t gen, rot;

	buf_init(&note);
	log_reset();
	keylog_new(&kl, err);
	T_OK(keylog_anchor(kl, v1, 0, 0, 0, err) == HS_OK, "anchor K1");
	T_STREQ(keylog_origin(kl), ORIGIN, "origin from the anchor");
	/* keygen: K1 announced, its checkpoint signed by itself. */
	feed_key(kl, "key", v1, "2024-01-01T00:00:00Z");
	ckpt(k1, false, &note);
	T_OK(keylog_checkpoint(kl, note.data, note.len, NULL, err) == HS_OK,
	    "keygen checkpoint by K1 (%s)", err);
	T_OK(keylog_check(kl, v1, T("2023-12-31T23:59:59Z"), err) ==
	    HS_ERR_STATE && strstr(err, "ledger leaf 0") != NULL,
	    "the key leaf sets the anchor's not-before: %s", err);
	feed_issue(kl, 1);
	feed_issue(kl, 2);
	/* rotate: K2 announced and K1 retired, signed by K1. */
	feed_key(kl, "key", v2, "2024-06-01T00:00:00Z");
	T_OK(keylog_pending_key(kl) == 3, "the pending key leaf is 3");
	T_OK(keylog_check(kl, v2, T("2024-07-01T00:00:00Z"), err) ==
	    HS_ERR_SIGNATURE, "K2 is not trusted before a checkpoint covers "
	    "it: %s", err);
	feed_key(kl, "key-retire", v1, "2024-06-01T00:00:00Z");
	rot = lg.n;
	/* K2 cannot sign its own announcement. */
	ckpt(k2, false, &note);
	T_OK(keylog_checkpoint(kl, note.data, note.len, NULL, err) ==
	    HS_ERR_SIGNATURE, "K2 signing its own announcement: %s", err);
	gen = keylog_generation(kl);
	ckpt(k1, false, &note);
	T_OK(keylog_checkpoint(kl, note.data, note.len, NULL, err) == HS_OK,
	    "rotation checkpoint by K1 (%s)", err);
	T_OK(keylog_generation(kl) != gen, "the generation changed");
	T_OK(keylog_pending_key(kl) == KEYLOG_NONE, "nothing pending");
	T_OK(keylog_check(kl, v2, T("2024-07-01T00:00:00Z"), err) == HS_OK,
	    "K2 trusted after the rotation (%s)", err);
	T_OK(keylog_check(kl, v2, T("2024-05-01T00:00:00Z"), err) ==
	    HS_ERR_STATE, "K2 not valid before its not-before: %s", err);
	T_OK(keylog_check(kl, v1, T("2024-05-31T00:00:00Z"), err) == HS_OK,
	    "K1 valid before its retirement");
	T_OK(keylog_check(kl, v1, T("2024-06-01T00:00:00Z"), err) == HS_OK,
	    "K1 valid at its retirement time");
	T_OK(keylog_check(kl, v1, T("2024-06-01T00:00:01Z"), err) ==
	    HS_ERR_STATE && strstr(err, "retired") != NULL &&
	    strstr(err, "ledger leaf 4") != NULL,
	    "K1 invalid after its retirement: %s", err);
	T_OK(keylog_may_sign(kl, v1, rot) && !keylog_may_sign(kl, v1, rot + 1),
	    "K1 signs up to the checkpoint that logs its retirement");
	feed_issue(kl, 3);
	ckpt(k1, false, &note);
	T_OK(keylog_checkpoint(kl, note.data, note.len, NULL, err) ==
	    HS_ERR_SIGNATURE, "a retired K1 signs no later checkpoint: %s",
	    err);
	T_OK(keylog_signed(kl, note.data, note.len, NULL, err) ==
	    HS_ERR_SIGNATURE, "keylog_signed agrees");
	ckpt(k2, false, &note);
	T_OK(keylog_checkpoint(kl, note.data, note.len, NULL, err) == HS_OK,
	    "K2 signs the next checkpoint (%s)", err);

	/* Compromise of K1 since a time, logged under K2. */
	feed_key(kl, "key-compromise", v1, "2024-03-01T00:00:00Z");
	T_OK(keylog_check(kl, v1, T("2024-04-01T00:00:00Z"), err) == HS_OK,
	    "no effect before a checkpoint covers the compromise");
	ckpt(k2, false, &note);
	T_OK(keylog_checkpoint(kl, note.data, note.len, NULL, err) == HS_OK,
	    "compromise checkpoint by K2 (%s)", err);
	T_OK(keylog_check(kl, v1, T("2024-04-01T00:00:00Z"), err) ==
	    HS_ERR_STATE && strstr(err, "compromised since "
	    "2024-03-01T00:00:00Z") != NULL, "K1 signature after since "
	    "fails: %s", err);
	T_OK(keylog_check(kl, v1, T("2024-02-29T23:59:59Z"), err) == HS_OK,
	    "K1 signature before since stays valid (%s)", err);
	T_OK(!keylog_may_sign(kl, v1, rot), "a compromised key signs no "
	    "checkpoint, even an old one");
	/* A later time does not undo it; an earlier one moves it. */
	feed_key(kl, "key-compromise", v1, "2024-05-01T00:00:00Z");
	feed_key(kl, "key-compromise", v1, "2024-02-01T00:00:00Z");
	ckpt(k2, false, &note);
	T_OK(keylog_checkpoint(kl, note.data, note.len, NULL, err) == HS_OK,
	    "more compromise entries");
	T_OK(keylog_check(kl, v1, T("2024-02-15T00:00:00Z"), err) ==
	    HS_ERR_STATE, "the earliest compromise time counts: %s", err);

	/* A self-announced K3 is not trusted; its checkpoint is refused. */
	feed_key(kl, "key", v3, "2024-08-01T00:00:00Z");
	ckpt(k3, false, &note);
	T_OK(keylog_checkpoint(kl, note.data, note.len, NULL, err) ==
	    HS_ERR_SIGNATURE, "a checkpoint by an unknown key: %s", err);
	T_OK(keylog_check(kl, v3, T("2024-09-01T00:00:00Z"), err) ==
	    HS_ERR_SIGNATURE, "K3 untrusted");
	/* K2 signs a checkpoint that marks K2 itself compromised. */
	feed_key(kl, "key-compromise", v2, "2024-09-01T00:00:00Z");
	ckpt(k2, false, &note);
	T_OK(keylog_checkpoint(kl, note.data, note.len, NULL, err) ==
	    HS_ERR_SIGNATURE, "a checkpoint covering its only signer's "
	    "compromise is refused: %s", err);
	T_OK(keylog_check(kl, v2, T("2024-10-01T00:00:00Z"), err) == HS_OK &&
	    keylog_check(kl, v3, T("2024-10-01T00:00:00Z"), NULL) ==
	    HS_ERR_SIGNATURE, "and the refused checkpoint changed nothing");
	T_OK(keylog_count(kl) == 3 && keylog_key(kl, 1, &kk) &&
	    strcmp(kk.vkey, v2) == 0 && kk.trusted && !kk.anchor &&
	    kk.key_leaf == 3 && !keylog_key(kl, 3, &kk), "keylog_key");
	keylog_free(kl);
	buf_free(&note);
}

static void
test_hostile(struct note_signer *k1, const char *v1, const char *v2)
{
	const char *bad[] = {
		"hourseal/leaf/v1 key-compromise nonsense 2024-01-01T00:00:00Z",
		"hourseal/leaf/v1 key-retire %s",
		"hourseal/leaf/v1 key-retire %s 2024-02-30T00:00:00Z",
		"hourseal/leaf/v1 key-compromise %s 2024-01-01T00:00:00Z x",
		"hourseal/leaf/v1 key %s  2024-01-01T00:00:00Z",
		"hourseal/leaf/v1 key-compromise other.example/log+01020304+"
		    "AeRV2RJqE1pBe5lxeTc8Ad5uNoPLHsb1J8dGqpJM4Z5c "
		    "2024-01-01T00:00:00Z",
	};
	const char *ignored[] = {
		"hourseal/leaf/v1 key-rotate %s 2024-01-01T00:00:00Z",
		"hourseal/leaf/v1 keys %s 2024-01-01T00:00:00Z",
		"hourseal/leaf/v2 key-compromise %s 2024-01-01T00:00:00Z",
		"some other log's entry",
		"",
	};
	struct keylog *kl = NULL, *c = NULL;
	struct buf note;
	char e[2048], err[HS_ERRLEN], vk[NOTE_VKEY_MAX];
	size_t i;
	int n;

	buf_init(&note);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		keylog_new(&kl, err);
		keylog_anchor(kl, v1, 0, 0, 0, err);
		snprintf(e, sizeof(e), bad[i], v2);
		err[0] = '\0';
		T_OK(keylog_entry(kl, e, strlen(e), NULL, err) == HS_ERR_FORMAT &&
		    strstr(err, "leaf 0") != NULL, "hostile key entry %zu "
		    "refused: %s", i, err);
		keylog_free(kl);
	}
	keylog_new(&kl, err);
	keylog_anchor(kl, v1, 0, 0, 0, err);
	for (i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++) {
		snprintf(e, sizeof(e), ignored[i], v2);
		T_OK(keylog_entry(kl, e, strlen(e), NULL, err) == HS_OK,
		    "entry of another kind only counts for the root: %.40s", e);
	}
	T_OK(keylog_count(kl) == 1 && keylog_pending_key(kl) == KEYLOG_NONE,
	    "and names no key");
	/* Anchors must share one origin; a malformed anchor is refused. */
	T_OK(keylog_anchor(kl, "nonsense", 0, 0, 0, err) != HS_OK,
	    "a malformed anchor is refused: %s", err);
	keylog_free(kl);
	/* More keys than the bound: fail closed. */
	log_reset();
	keylog_new(&kl, err);
	keylog_anchor(kl, v1, 0, 0, 0, err);
	for (n = 0; n < KEYLOG_MAX_KEYS + 1; n++) {
		struct note_signer *s = NULL;
		uint8_t seed[32] = { 9, (uint8_t)n };
		enum hs_err rc;

		note_signer_new(ORIGIN, seed, &s, err);
		note_signer_vkey(s, vk, sizeof(vk));
		note_signer_free(s);
		snprintf(e, sizeof(e), "hourseal/leaf/v1 key %s "
		    "2024-01-01T00:00:00Z", vk);
		rc = keylog_entry(kl, e, strlen(e), NULL, err);
		if (rc != HS_OK) {
			T_OK(rc == HS_ERR_FORMAT && n == KEYLOG_MAX_KEYS - 1 &&
			    strstr(err, "more than") != NULL,
			    "key %d past the bound refused: %s", n, err);
			break;
		}
	}
	T_OK(n == KEYLOG_MAX_KEYS - 1, "the key bound holds");
	keylog_free(kl);
	/* Pending bound. */
	keylog_new(&kl, err);
	keylog_anchor(kl, v1, 0, 0, 0, err);
	snprintf(e, sizeof(e), "hourseal/leaf/v1 key-retire %s "
	    "2024-01-01T00:00:00Z", v2);
	for (n = 0; n <= KEYLOG_MAX_PENDING; n++)
		if (keylog_entry(kl, e, strlen(e), NULL, err) != HS_OK)
			break;
	T_OK(n == KEYLOG_MAX_PENDING, "at most %d key entries between "
	    "checkpoints: %s", KEYLOG_MAX_PENDING, err);
	/* A clone is independent. */
	T_OK(keylog_clone(kl, &c, err) == HS_OK && keylog_size(c) ==
	    keylog_size(kl), "keylog_clone");
	keylog_free(c);
	keylog_free(kl);
	/* Without an anchor nothing is accepted. */
	log_reset();
	keylog_new(&kl, err);
	feed_key(kl, "key", v1, "2024-01-01T00:00:00Z");
	ckpt(k1, false, &note);
	T_OK(keylog_checkpoint(kl, note.data, note.len, NULL, err) != HS_OK,
	    "no anchor, no trusted checkpoint: %s", err);
	keylog_free(kl);
	/* Garbage instead of a checkpoint. */
	keylog_new(&kl, err);
	keylog_anchor(kl, v1, 0, 0, 0, err);
	T_OK(keylog_checkpoint(kl, "x\n\n", 3, NULL, err) == HS_ERR_FORMAT,
	    "garbage checkpoint: %s", err);
	keylog_free(kl);
	/* Trust-file times apply to an anchor. */
	keylog_new(&kl, err);
	keylog_anchor(kl, v1, 0, 0, T("2024-01-01T00:00:00Z"), err);
	T_OK(keylog_check(kl, v1, T("2024-02-01T00:00:00Z"), err) ==
	    HS_ERR_STATE && strstr(err, "configured") != NULL,
	    "a configured compromise applies: %s", err);
	T_OK(!keylog_may_sign(kl, v1, 1), "and a configured-compromised "
	    "anchor signs no checkpoint");
	keylog_free(kl);
	buf_free(&note);
}

int
main(void)
{
	struct note_signer *k1 = NULL, *k2 = NULL, *k3 = NULL;
	char v1[NOTE_VKEY_MAX], v2[NOTE_VKEY_MAX], v3[NOTE_VKEY_MAX];
	char err[HS_ERRLEN];

	naive_init(&lg.nv, MAXLOG);
	note_signer_new(ORIGIN, seed1, &k1, err);
	note_signer_new(ORIGIN, seed2, &k2, err);
	note_signer_new(ORIGIN, seed3, &k3, err);
	note_signer_vkey(k1, v1, sizeof(v1));
	note_signer_vkey(k2, v2, sizeof(v2));
	note_signer_vkey(k3, v3, sizeof(v3));
	test_root(k1, v1);
	test_chain(k1, v1, k2, v2, k3, v3);
	test_hostile(k1, v1, v2);
	T_OK(feed_failed == 0, "every issue entry was fed");
	log_reset();
	naive_free(&lg.nv);
	note_signer_free(k1);
	note_signer_free(k2);
	note_signer_free(k3);
	return t_done();
}
