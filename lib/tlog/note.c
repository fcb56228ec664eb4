/*
 * note.c - C2SP signed notes (c2sp.org/signed-note) with Ed25519, and
 * SM2/SM3 under signature type 0xff, through OpenSSL 3 EVP. See note.h
 * for the format.
 *
 * Opening follows the spec and Go's golang.org/x/mod/sumdb/note: the text
 * ends at the last blank line; every signature line is "— name base64";
 * signatures by unknown (name, key ID) pairs are ignored; a signature by a
 * known key must verify or the whole note fails; at least one known key
 * must verify. Unlike Go, a repeated signature by a known key is verified
 * too (the spec says a known key's signature MUST be verified).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include "tlog/note.h"

#define ALG_ED25519 NOTE_ALG_ED25519
#define ED25519_SIGLEN NOTE_SIG_LEN
#define ED25519_KEYLEN 33
/* 0xff, then the DER of OID 1.2.156.10197.1.501 (SM2-with-SM3). */
static const uint8_t sm2_tag[] = { 0xff, 0x06, 0x08, 0x2a, 0x81, 0x1c,
    0xcf, 0x55, 0x01, 0x83, 0x75 };
#define SM2_KEYLEN (sizeof(sm2_tag) + 65)
static const char em_dash_sp[] = "\xE2\x80\x94 "; /* U+2014 U+0020 */

struct note_signer {
	char name[NOTE_NAME_MAX + 1];
	uint32_t keyid;
	enum note_alg alg;
	uint8_t key[NOTE_KEY_MAX]; /* K: type || public key */
	size_t keylen;
	uint8_t pub[32];       /* Ed25519's public key; zeros for SM2 */
	EVP_PKEY *pkey;        /* NULL for a remote signer */
	EVP_PKEY *vpkey;       /* the public key, to check remote answers */
	note_sign_fn sign_fn;  /* a remote signer's signing call */
	void *sign_ctx;
	void (*ctx_free)(void *);
};

struct note_verifier {
	char name[NOTE_NAME_MAX + 1];
	uint32_t keyid;
	enum note_alg alg;
	uint8_t key[NOTE_KEY_MAX];
	size_t keylen;
	uint8_t pub[32];
	EVP_PKEY *pkey;
};

/* Unicode White_Space (what Go's unicode.IsSpace reports). */
static bool
is_unicode_space(uint32_t c)
{
	return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 ||
	    c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
	    c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
	    c == 0x3000;
}

/*
 * A key name: non-empty valid UTF-8 with no Unicode space, no '+' and (so
 * that a note holding it can be opened) no ASCII control character.
 */
static bool
name_valid_n(const char *s, size_t n)
{
	size_t i = 0, k;
	uint32_t c;

	if (n == 0)
		return false;
	while (i < n) {
		if ((k = utf8_next(s + i, n - i, &c)) == 0)
			return false;
		if (is_unicode_space(c) || c == '+' || c < 0x20)
			return false;
		i += k;
	}
	return true;
}

bool
note_name_valid(const char *name)
{
	size_t n = strlen(name);

	return n <= NOTE_NAME_MAX && name_valid_n(name, n);
}

/* key ID = SHA-256(name || 0x0A || K)[:4], big-endian. */
static uint32_t
key_id_k(const char *name, const uint8_t *key, size_t keylen)
{
	uint8_t tmp[NOTE_NAME_MAX + 1 + NOTE_KEY_MAX], h[32];
	size_t n = strlen(name);

	memcpy(tmp, name, n);
	tmp[n] = '\n';
	memcpy(tmp + n + 1, key, keylen);
	sha256(tmp, n + 1 + keylen, h);
	return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 |
	    (uint32_t)h[2] << 8 | h[3];
}

const char *
note_alg_name(enum note_alg alg)
{
	return alg == NOTE_ALG_SM2 ? "SM2" : "Ed25519";
}

/* An SM2 public key from the 65-byte uncompressed point (on the curve:
 * OpenSSL decodes it). NULL if it is not one. */
static EVP_PKEY *
sm2_pub_pkey(const uint8_t pt[65])
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pk = NULL;

	if (pt[0] != 0x04)
		return NULL;
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	    SN_sm2, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
	    pt, 65) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "SM2", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) != 1)
		pk = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return pk;
}

/* The public half of key K as an EVP_PKEY (NULL if K is not a key). */
static EVP_PKEY *
pkey_from_key(enum note_alg alg, const uint8_t *key)
{
	if (alg == NOTE_ALG_ED25519)
		return EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL,
		    key + 1, 32);
	return sm2_pub_pkey(key + sizeof(sm2_tag));
}

enum hs_err
note_key_check(const uint8_t *key, size_t keylen, enum note_alg *alg,
    char *err)
{
	EVP_PKEY *pk;

	if (keylen == ED25519_KEYLEN && key[0] == ALG_ED25519) {
		*alg = NOTE_ALG_ED25519;
		return HS_OK;
	}
	if (keylen >= 1 && key[0] == NOTE_ALG_SM2) {
		if (keylen != SM2_KEYLEN || memcmp(key, sm2_tag,
		    sizeof(sm2_tag)) != 0)
			return hs_fail(err, HS_ERR_INVALID, "key type 0xff is "
			    "not SM2-with-SM3 (0xff then OID 1.2.156.10197.1.501 "
			    "then a 65-byte point, %zu bytes)", SM2_KEYLEN);
		if ((pk = sm2_pub_pkey(key + sizeof(sm2_tag))) == NULL)
			return hs_fail(err, HS_ERR_INVALID, "SM2 key: not an "
			    "uncompressed point on the SM2 curve");
		EVP_PKEY_free(pk);
		*alg = NOTE_ALG_SM2;
		return HS_OK;
	}
	if (keylen >= 1 && key[0] == ALG_ED25519)
		return hs_fail(err, HS_ERR_INVALID, "Ed25519 key is %zu bytes, "
		    "want 33", keylen);
	return hs_fail(err, HS_ERR_INVALID, "unknown signature type 0x%02x "
	    "(Ed25519 0x01 and SM2 0xff only)", keylen ? key[0] : 0u);
}

/* r || s (32 bytes each) to a DER ECDSA-Sig-Value; 0 if out of range. */
static size_t
sm2_sig_der(const uint8_t sig[64], uint8_t *der, size_t cap)
{
	ECDSA_SIG *es;
	BIGNUM *r, *s;
	unsigned char *p = der;
	int n;

	if ((es = ECDSA_SIG_new()) == NULL)
		return 0;
	r = BN_bin2bn(sig, 32, NULL);
	s = BN_bin2bn(sig + 32, 32, NULL);
	if (r == NULL || s == NULL || ECDSA_SIG_set0(es, r, s) != 1) {
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(es);
		return 0;
	}
	n = i2d_ECDSA_SIG(es, NULL);
	if (n <= 0 || (size_t)n > cap)
		n = 0;
	else
		n = i2d_ECDSA_SIG(es, &p);
	ECDSA_SIG_free(es);
	return n > 0 ? (size_t)n : 0;
}

/* A DER ECDSA-Sig-Value to r || s; false if it is not one of 256 bits. */
static bool
sm2_sig_raw(const uint8_t *der, size_t len, uint8_t sig[64])
{
	const unsigned char *p = der;
	const BIGNUM *r, *s;
	ECDSA_SIG *es;
	bool ok;

	if ((es = d2i_ECDSA_SIG(NULL, &p, (long)len)) == NULL)
		return false;
	ECDSA_SIG_get0(es, &r, &s);
	ok = p == der + len && BN_bn2binpad(r, sig, 32) == 32 &&
	    BN_bn2binpad(s, sig + 32, 32) == 32;
	ECDSA_SIG_free(es);
	return ok;
}

/*
 * An EVP_MD_CTX set up for SM2 with SM3 and the distinguishing ID set
 * explicitly (OpenSSL's default is an empty ID, which no other SM2
 * implementation uses): the ID goes into the key context before the
 * digest context takes it. *pctx is the caller's to free after ctx.
 */
static EVP_MD_CTX *
sm2_md_ctx(EVP_PKEY *pk, bool sign, EVP_PKEY_CTX **pctx)
{
	EVP_MD_CTX *ctx;
	int ok;

	*pctx = NULL;
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    (*pctx = EVP_PKEY_CTX_new(pk, NULL)) == NULL ||
	    EVP_PKEY_CTX_set1_id(*pctx, NOTE_SM2_ID,
	    sizeof(NOTE_SM2_ID) - 1) != 1) {
		EVP_MD_CTX_free(ctx);
		EVP_PKEY_CTX_free(*pctx);
		*pctx = NULL;
		return NULL;
	}
	EVP_MD_CTX_set_pkey_ctx(ctx, *pctx);
	ok = sign ? EVP_DigestSignInit(ctx, NULL, EVP_sm3(), NULL, pk) :
	    EVP_DigestVerifyInit(ctx, NULL, EVP_sm3(), NULL, pk);
	if (ok != 1) {
		EVP_MD_CTX_free(ctx);
		EVP_PKEY_CTX_free(*pctx);
		*pctx = NULL;
		return NULL;
	}
	return ctx;
}

/* Signs msg with a local key of either type into sig (64 bytes). */
static bool
pkey_sign(enum note_alg alg, EVP_PKEY *pk, const char *msg, size_t len,
    uint8_t sig[NOTE_SIG_LEN])
{
	EVP_PKEY_CTX *pctx = NULL;
	EVP_MD_CTX *ctx;
	uint8_t der[80];
	size_t n;
	bool ok;

	if (alg == NOTE_ALG_ED25519) {
		n = ED25519_SIGLEN;
		if ((ctx = EVP_MD_CTX_new()) == NULL)
			return false;
		ok = EVP_DigestSignInit(ctx, NULL, NULL, NULL, pk) == 1 &&
		    EVP_DigestSign(ctx, sig, &n, (const uint8_t *)msg,
		    len) == 1 && n == ED25519_SIGLEN;
		EVP_MD_CTX_free(ctx);
		return ok;
	}
	if ((ctx = sm2_md_ctx(pk, true, &pctx)) == NULL)
		return false;
	n = sizeof(der);
	ok = EVP_DigestSign(ctx, der, &n, (const uint8_t *)msg, len) == 1 &&
	    sm2_sig_raw(der, n, sig);
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_CTX_free(pctx);
	return ok;
}

/* Verifies a 64-byte signature of either type. */
static bool
pkey_verify(enum note_alg alg, EVP_PKEY *pk, const uint8_t *sig,
    size_t siglen, const char *msg, size_t len)
{
	EVP_PKEY_CTX *pctx = NULL;
	EVP_MD_CTX *ctx;
	uint8_t der[80];
	size_t n;
	bool ok;

	if (siglen != NOTE_SIG_LEN)
		return false;
	if (alg == NOTE_ALG_ED25519) {
		if ((ctx = EVP_MD_CTX_new()) == NULL)
			return false;
		ok = EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pk) == 1 &&
		    EVP_DigestVerify(ctx, sig, ED25519_SIGLEN,
		    (const uint8_t *)msg, len) == 1;
		EVP_MD_CTX_free(ctx);
		return ok;
	}
	if ((n = sm2_sig_der(sig, der, sizeof(der))) == 0)
		return false;
	if ((ctx = sm2_md_ctx(pk, false, &pctx)) == NULL)
		return false;
	ok = EVP_DigestVerify(ctx, der, n, (const uint8_t *)msg, len) == 1;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_CTX_free(pctx);
	return ok;
}

/* Fills key/keylen/pub/keyid of a signer or verifier from K. */
static void
set_key(const char *name, enum note_alg alg, const uint8_t *key,
    size_t keylen, enum note_alg *a, uint8_t *k, size_t *kl, uint8_t pub[32],
    uint32_t *id)
{
	*a = alg;
	memcpy(k, key, keylen);
	*kl = keylen;
	memset(pub, 0, 32);
	if (alg == NOTE_ALG_ED25519)
		memcpy(pub, key + 1, 32);
	*id = key_id_k(name, key, keylen);
}

static enum hs_err
check_name(const char *name, char *err)
{
	if (strlen(name) > NOTE_NAME_MAX)
		return hs_fail(err, HS_ERR_INVALID,
		    "key name is longer than %d bytes", NOTE_NAME_MAX);
	if (!note_name_valid(name))
		return hs_fail(err, HS_ERR_INVALID,
		    "key name \"%s\" is empty or has a space, '+' or control "
		    "character", name);
	return HS_OK;
}

enum hs_err
note_signer_new(const char *name, const uint8_t seed[32],
    struct note_signer **s, char *err)
{
	struct note_signer *n = NULL;
	size_t publen = 32;
	enum hs_err rc;

	*s = NULL;
	if ((rc = check_name(name, err)) != HS_OK)
		return rc;
	if ((n = calloc(1, sizeof(*n))) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	n->pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed,
	    32);
	if (n->pkey == NULL ||
	    EVP_PKEY_get_raw_public_key(n->pkey, n->pub, &publen) != 1 ||
	    publen != 32) {
		rc = hs_fail(err, HS_ERR_CRYPTO,
		    "cannot make an Ed25519 key from the seed");
		goto out;
	}
	snprintf(n->name, sizeof(n->name), "%s", name);
	{
		uint8_t k[ED25519_KEYLEN];

		k[0] = ALG_ED25519;
		memcpy(k + 1, n->pub, 32);
		set_key(name, NOTE_ALG_ED25519, k, sizeof(k), &n->alg, n->key,
		    &n->keylen, n->pub, &n->keyid);
	}
	*s = n;
	n = NULL;
	rc = HS_OK;
out:
	note_signer_free(n);
	return rc;
}

enum hs_err
note_signer_new_pkey(const char *name, EVP_PKEY *pk,
    struct note_signer **s, char *err)
{
	struct note_signer *n = NULL;
	uint8_t k[NOTE_KEY_MAX];
	size_t len = 0;
	enum hs_err rc;

	*s = NULL;
	if ((rc = check_name(name, err)) != HS_OK)
		return rc;
	if ((n = calloc(1, sizeof(*n))) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	snprintf(n->name, sizeof(n->name), "%s", name);
	if (EVP_PKEY_get_id(pk) == EVP_PKEY_ED25519) {
		len = 32;
		k[0] = ALG_ED25519;
		if (EVP_PKEY_get_raw_public_key(pk, k + 1, &len) != 1 ||
		    len != 32) {
			rc = hs_fail(err, HS_ERR_CRYPTO, "cannot read the "
			    "Ed25519 public key");
			goto out;
		}
		len = ED25519_KEYLEN;
		n->alg = NOTE_ALG_ED25519;
	} else if (EVP_PKEY_is_a(pk, "SM2")) {
		memcpy(k, sm2_tag, sizeof(sm2_tag));
		if (EVP_PKEY_get_octet_string_param(pk,
		    OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, k + sizeof(sm2_tag), 65,
		    &len) != 1 || len != 65 || k[sizeof(sm2_tag)] != 0x04) {
			rc = hs_fail(err, HS_ERR_CRYPTO, "cannot read the SM2 "
			    "public key");
			goto out;
		}
		len = SM2_KEYLEN;
		n->alg = NOTE_ALG_SM2;
	} else {
		rc = hs_fail(err, HS_ERR_INVALID, "not an Ed25519 or SM2 key");
		goto out;
	}
	if (EVP_PKEY_up_ref(pk) != 1) {
		rc = hs_fail(err, HS_ERR_CRYPTO, "cannot use the key");
		goto out;
	}
	n->pkey = pk;
	set_key(name, n->alg, k, len, &n->alg, n->key, &n->keylen, n->pub,
	    &n->keyid);
	*s = n;
	n = NULL;
	rc = HS_OK;
out:
	note_signer_free(n);
	return rc;
}

/*
 * Splits "name+hex8+base64" at the first two '+' (the name has none,
 * base64 may). Fills name (NUL-terminated), *id and the decoded key.
 */
static enum hs_err
split_key(const char *what, const char *s, char name[NOTE_NAME_MAX + 1],
    uint32_t *id, uint8_t *key, size_t keymax, long *keylen, char *err)
{
	const char *p1, *p2;
	char hex[9];
	uint8_t idb[4];
	size_t n = strlen(s);
	enum note_alg alg;
	enum hs_err rc;

	if (n > NOTE_VKEY_MAX)
		return hs_fail(err, HS_ERR_INVALID, "%s is longer than %d bytes",
		    what, NOTE_VKEY_MAX);
	if ((p1 = strchr(s, '+')) == NULL ||
	    (p2 = strchr(p1 + 1, '+')) == NULL)
		return hs_fail(err, HS_ERR_INVALID,
		    "%s is not name+keyid+key", what);
	if ((size_t)(p1 - s) > NOTE_NAME_MAX || !name_valid_n(s,
	    (size_t)(p1 - s)))
		return hs_fail(err, HS_ERR_INVALID,
		    "%s: bad key name (empty, too long, or has a space or "
		    "control character)", what);
	memcpy(name, s, (size_t)(p1 - s));
	name[p1 - s] = '\0';
	if (p2 - p1 - 1 != 8)
		return hs_fail(err, HS_ERR_INVALID,
		    "%s: key ID must be 8 hex digits", what);
	memcpy(hex, p1 + 1, 8);
	hex[8] = '\0';
	if (hex_decode(hex, idb, 4) != 0)
		return hs_fail(err, HS_ERR_INVALID,
		    "%s: key ID \"%s\" is not hex", what, hex);
	*id = (uint32_t)idb[0] << 24 | (uint32_t)idb[1] << 16 |
	    (uint32_t)idb[2] << 8 | idb[3];
	*keylen = b64_decode(p2 + 1, strlen(p2 + 1), key, keymax);
	if (*keylen < 0)
		return hs_fail(err, HS_ERR_INVALID,
		    "%s: key is not valid base64 of the right length", what);
	if ((rc = note_key_check(key, (size_t)*keylen, &alg, err)) != HS_OK) {
		hs_errprefix(err, "%s", what);
		return rc;
	}
	return HS_OK;
}

enum hs_err
note_signer_new_remote_key(const char *name, const uint8_t *key,
    size_t keylen, note_sign_fn fn, void *ctx, void (*ctx_free)(void *),
    struct note_signer **s, char *err)
{
	struct note_signer *n;
	enum note_alg alg;
	enum hs_err rc;

	*s = NULL;
	if ((rc = check_name(name, err)) != HS_OK)
		return rc;
	if (fn == NULL)
		return hs_fail(err, HS_ERR_INVALID, "remote signer: no "
		    "signing function");
	if ((rc = note_key_check(key, keylen, &alg, err)) != HS_OK) {
		hs_errprefix(err, "remote signer");
		return rc;
	}
	if ((n = calloc(1, sizeof(*n))) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	snprintf(n->name, sizeof(n->name), "%s", name);
	set_key(name, alg, key, keylen, &n->alg, n->key, &n->keylen, n->pub,
	    &n->keyid);
	if ((n->vpkey = pkey_from_key(alg, key)) == NULL) {
		free(n);
		return hs_fail(err, HS_ERR_CRYPTO, "remote signer: cannot "
		    "load the %s public key", note_alg_name(alg));
	}
	n->sign_fn = fn;
	n->sign_ctx = ctx;
	n->ctx_free = ctx_free;
	*s = n;
	return HS_OK;
}

enum hs_err
note_signer_new_remote(const char *name, const uint8_t pub[32],
    note_sign_fn fn, void *ctx, struct note_signer **s, char *err)
{
	uint8_t k[ED25519_KEYLEN];

	k[0] = ALG_ED25519;
	memcpy(k + 1, pub, 32);
	return note_signer_new_remote_key(name, k, sizeof(k), fn, ctx, NULL,
	    s, err);
}

enum note_alg
note_signer_alg(const struct note_signer *s)
{
	return s->alg;
}

void
note_signer_key(const struct note_signer *s, uint8_t key[NOTE_KEY_MAX],
    size_t *len)
{
	memcpy(key, s->key, s->keylen);
	*len = s->keylen;
}

enum hs_err
note_signer_parse(const char *skey, struct note_signer **s, char *err)
{
	char name[NOTE_NAME_MAX + 1];
	uint8_t key[NOTE_KEY_MAX];
	uint32_t id;
	long klen = 0;
	enum hs_err rc;

	*s = NULL;
	if (strncmp(skey, "PRIVATE+KEY+", 12) != 0)
		return hs_fail(err, HS_ERR_INVALID,
		    "signer key does not start with PRIVATE+KEY+");
	rc = split_key("signer key", skey + 12, name, &id, key, sizeof(key),
	    &klen, err);
	if (rc != HS_OK)
		goto out;
	if (key[0] != ALG_ED25519) {
		rc = hs_fail(err, HS_ERR_INVALID, "signer key: only Ed25519 "
		    "keys have this form");
		goto out;
	}
	if ((rc = note_signer_new(name, key + 1, s, err)) != HS_OK)
		goto out;
	/* The ID is a hash of the public key: check it after deriving it. */
	if ((*s)->keyid != id) {
		note_signer_free(*s);
		*s = NULL;
		rc = hs_fail(err, HS_ERR_INVALID,
		    "signer key: key ID %08x does not match the key", id);
		goto out;
	}
out:
	OPENSSL_cleanse(key, sizeof(key));
	return rc;
}

void
note_signer_free(struct note_signer *s)
{
	if (s == NULL)
		return;
	EVP_PKEY_free(s->pkey); /* OpenSSL clears the private key */
	EVP_PKEY_free(s->vpkey);
	if (s->ctx_free != NULL)
		s->ctx_free(s->sign_ctx);
	OPENSSL_cleanse(s, sizeof(*s));
	free(s);
}

const char *
note_signer_name(const struct note_signer *s)
{
	return s->name;
}

uint32_t
note_signer_keyid(const struct note_signer *s)
{
	return s->keyid;
}

static enum hs_err
format_vkey(const char *name, uint32_t id, const uint8_t *k, size_t klen,
    char *out, size_t outsz)
{
	char b64[B64_LEN(NOTE_KEY_MAX)];
	int n;

	b64_encode(k, klen, b64, sizeof(b64));
	n = snprintf(out, outsz, "%s+%08x+%s", name, (unsigned)id, b64);
	if (n < 0 || (size_t)n >= outsz)
		return HS_ERR_TOOBIG;
	return HS_OK;
}

enum hs_err
note_signer_vkey(const struct note_signer *s, char *out, size_t outsz)
{
	return format_vkey(s->name, s->keyid, s->key, s->keylen, out, outsz);
}

/* Checks note text: ends in "\n", valid UTF-8, no control but "\n". */
static enum hs_err
check_text(const char *text, size_t len, char *err)
{
	size_t i = 0, k, line = 1;
	uint32_t c;

	if (len == 0 || text[len - 1] != '\n')
		return hs_fail(err, HS_ERR_INVALID,
		    "note text does not end in a newline");
	while (i < len) {
		if ((k = utf8_next(text + i, len - i, &c)) == 0)
			return hs_fail(err, HS_ERR_INVALID,
			    "note text line %zu: invalid UTF-8", line);
		if (c == '\n')
			line++;
		else if (c < 0x20)
			return hs_fail(err, HS_ERR_INVALID,
			    "note text line %zu: control character 0x%02x",
			    line, (unsigned)c);
		i += k;
	}
	return HS_OK;
}

/* Verifies a remote signer's signature against the public key it was
 * made with. */
static enum hs_err
check_remote_sig(const struct note_signer *s, const char *text, size_t len,
    const uint8_t sig[NOTE_SIG_LEN], char *err)
{
	if (pkey_verify(s->alg, s->vpkey, sig, NOTE_SIG_LEN, text, len))
		return HS_OK;
	return hs_fail(err, HS_ERR_SIGNATURE, "the signer (process or token) "
	    "answered with a signature that does not verify under %s's "
	    "public key", s->name);
}

enum hs_err
note_sign(const struct note_signer *s, const char *text, size_t len,
    struct buf *out, char *err)
{
	uint8_t sig[4 + NOTE_SIG_LEN];
	char b64[B64_LEN(sizeof(sig))];
	enum hs_err rc;

	if (len > NOTE_MAX_SIZE)
		return hs_fail(err, HS_ERR_TOOBIG,
		    "note text is over %u bytes", (unsigned)NOTE_MAX_SIZE);
	if ((rc = check_text(text, len, err)) != HS_OK)
		return rc;
	if (s->sign_fn != NULL) {
		if ((rc = s->sign_fn(s->sign_ctx, text, len, sig + 4,
		    err)) != HS_OK)
			return rc;
		/* A signer that answers with a signature by another key
		 * (a swapped key file) must not go unnoticed. */
		if ((rc = check_remote_sig(s, text, len, sig + 4, err)) !=
		    HS_OK)
			return rc;
		goto frame;
	}
	if (!pkey_sign(s->alg, s->pkey, text, len, sig + 4))
		return hs_fail(err, HS_ERR_CRYPTO, "%s signing failed",
		    note_alg_name(s->alg));
frame:
	sig[0] = (uint8_t)(s->keyid >> 24);
	sig[1] = (uint8_t)(s->keyid >> 16);
	sig[2] = (uint8_t)(s->keyid >> 8);
	sig[3] = (uint8_t)s->keyid;
	b64_encode(sig, sizeof(sig), b64, sizeof(b64));
	buf_add(out, text, len);
	buf_putc(out, '\n');
	buf_puts(out, em_dash_sp);
	buf_puts(out, s->name);
	buf_putc(out, ' ');
	buf_puts(out, b64);
	buf_putc(out, '\n');
	return out->oom ? hs_fail(err, HS_ERR_NOMEM, "out of memory") : HS_OK;
}

enum hs_err
note_sign_raw(const struct note_signer *s, const char *text, size_t len,
    uint8_t sig[64], char *err)
{
	enum hs_err rc;

	if (len > NOTE_MAX_SIZE)
		return hs_fail(err, HS_ERR_TOOBIG,
		    "note text is over %u bytes", (unsigned)NOTE_MAX_SIZE);
	if ((rc = check_text(text, len, err)) != HS_OK)
		return rc;
	if (s->sign_fn != NULL) {
		if ((rc = s->sign_fn(s->sign_ctx, text, len, sig, err)) !=
		    HS_OK)
			return rc;
		return check_remote_sig(s, text, len, sig, err);
	}
	if (!pkey_sign(s->alg, s->pkey, text, len, sig))
		return hs_fail(err, HS_ERR_CRYPTO, "%s signing failed",
		    note_alg_name(s->alg));
	return HS_OK;
}

void
note_signer_pub(const struct note_signer *s, uint8_t pub[32])
{
	memcpy(pub, s->pub, 32);
}

static enum hs_err
verifier_make(const char *name, enum note_alg alg, const uint8_t *key,
    size_t keylen, struct note_verifier **v, char *err)
{
	struct note_verifier *n;

	*v = NULL;
	if ((n = calloc(1, sizeof(*n))) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	snprintf(n->name, sizeof(n->name), "%s", name);
	set_key(name, alg, key, keylen, &n->alg, n->key, &n->keylen, n->pub,
	    &n->keyid);
	if ((n->pkey = pkey_from_key(alg, key)) == NULL) {
		free(n);
		return hs_fail(err, HS_ERR_CRYPTO,
		    "cannot load the %s public key", note_alg_name(alg));
	}
	*v = n;
	return HS_OK;
}

enum hs_err
note_verifier_parse(const char *vkey, struct note_verifier **v, char *err)
{
	char name[NOTE_NAME_MAX + 1];
	uint8_t key[NOTE_KEY_MAX];
	uint32_t id;
	long klen = 0;
	enum note_alg alg;
	enum hs_err rc;

	*v = NULL;
	rc = split_key("verifier key", vkey, name, &id, key, sizeof(key),
	    &klen, err);
	if (rc != HS_OK)
		return rc;
	if (key_id_k(name, key, (size_t)klen) != id)
		return hs_fail(err, HS_ERR_INVALID,
		    "verifier key: key ID %08x does not match the key", id);
	if ((rc = note_key_check(key, (size_t)klen, &alg, err)) != HS_OK)
		return rc;
	return verifier_make(name, alg, key, (size_t)klen, v, err);
}

enum hs_err
note_verifier_new_key(const char *name, const uint8_t *key, size_t keylen,
    struct note_verifier **v, char *err)
{
	enum note_alg alg;
	enum hs_err rc;

	*v = NULL;
	if ((rc = check_name(name, err)) != HS_OK ||
	    (rc = note_key_check(key, keylen, &alg, err)) != HS_OK)
		return rc;
	return verifier_make(name, alg, key, keylen, v, err);
}

enum note_alg
note_verifier_alg(const struct note_verifier *v)
{
	return v->alg;
}

void
note_verifier_key(const struct note_verifier *v, uint8_t key[NOTE_KEY_MAX],
    size_t *len)
{
	memcpy(key, v->key, v->keylen);
	*len = v->keylen;
}

bool
note_verify_raw(const struct note_verifier *v, const uint8_t *sig,
    size_t siglen, const char *msg, size_t len)
{
	return pkey_verify(v->alg, v->pkey, sig, siglen, msg, len);
}

enum hs_err
note_verifier_new(const char *name, const uint8_t pub[32],
    struct note_verifier **v, char *err)
{
	uint8_t k[ED25519_KEYLEN];
	enum hs_err rc;

	*v = NULL;
	if ((rc = check_name(name, err)) != HS_OK)
		return rc;
	k[0] = ALG_ED25519;
	memcpy(k + 1, pub, 32);
	return verifier_make(name, NOTE_ALG_ED25519, k, sizeof(k), v, err);
}

void
note_verifier_free(struct note_verifier *v)
{
	if (v == NULL)
		return;
	EVP_PKEY_free(v->pkey);
	free(v);
}

const char *
note_verifier_name(const struct note_verifier *v)
{
	return v->name;
}

uint32_t
note_verifier_keyid(const struct note_verifier *v)
{
	return v->keyid;
}

enum hs_err
note_verifier_vkey(const struct note_verifier *v, char *out, size_t outsz)
{
	return format_vkey(v->name, v->keyid, v->key, v->keylen, out, outsz);
}

void
note_verifier_pub(const struct note_verifier *v, uint8_t pub[32])
{
	memcpy(pub, v->pub, 32);
}

/*
 * Finds the verifier for (name, id) in vs. Returns its index, -1 if none,
 * or -2 if two different keys claim the same name and ID.
 */
static long
find_verifier(struct note_verifier *const *vs, size_t nvs, const char *name,
    size_t namelen, uint32_t id)
{
	long found = -1;
	size_t i;

	for (i = 0; i < nvs; i++) {
		if (vs[i]->keyid != id || strlen(vs[i]->name) != namelen ||
		    memcmp(vs[i]->name, name, namelen) != 0)
			continue;
		if (found < 0)
			found = (long)i;
		else if (vs[found]->keylen != vs[i]->keylen ||
		    memcmp(vs[found]->key, vs[i]->key, vs[i]->keylen) != 0)
			return -2;
	}
	return found;
}

enum hs_err
note_open(const char *msg, size_t len, struct note_verifier *const *vs,
    size_t nvs, struct note_verified *out, char *err)
{
	const char *sigs, *end, *line, *nl, *sp, *name;
	uint8_t *raw = NULL;
	size_t i = 0, k, ln = 1, split, nlines = 0, namelen, b64len, text_lines;
	uint32_t c, id;
	long rawlen, vi;
	bool seen;
	enum hs_err rc;

	memset(out, 0, sizeof(*out));
	if (len > NOTE_MAX_SIZE)
		return hs_fail(err, HS_ERR_TOOBIG, "note is over %u bytes",
		    (unsigned)NOTE_MAX_SIZE);
	/* The whole note: valid UTF-8, no control character but newline. */
	while (i < len) {
		if ((k = utf8_next(msg + i, len - i, &c)) == 0)
			return hs_fail(err, HS_ERR_FORMAT,
			    "note line %zu: invalid UTF-8", ln);
		if (c == '\n')
			ln++;
		else if (c < 0x20)
			return hs_fail(err, HS_ERR_FORMAT,
			    "note line %zu: control character 0x%02x", ln,
			    (unsigned)c);
		i += k;
	}
	/* The text ends at the last blank line. */
	for (split = len; split >= 2; split--)
		if (msg[split - 1] == '\n' && msg[split - 2] == '\n')
			break;
	if (split < 2)
		return hs_fail(err, HS_ERR_FORMAT,
		    "note has no blank line before its signatures (or its "
		    "text does not end in a newline)");
	out->text_len = split - 1;
	sigs = msg + split;
	end = msg + len;
	if (sigs == end)
		return hs_fail(err, HS_ERR_FORMAT,
		    "note has no signature lines after its last blank line");
	if (end[-1] != '\n')
		return hs_fail(err, HS_ERR_FORMAT,
		    "note does not end in a newline");
	text_lines = 0;
	for (i = 0; i < out->text_len; i++)
		text_lines += msg[i] == '\n';
	/* Decoded signatures are never longer than the note. */
	if ((raw = malloc(len / 4 * 3 + 3)) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	for (line = sigs; line < end; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(end - line));
		ln = text_lines + 1 + ++nlines;
		if (nlines > NOTE_MAX_SIGS) {
			rc = hs_fail(err, HS_ERR_TOOBIG,
			    "note has more than %d signature lines",
			    NOTE_MAX_SIGS);
			goto out;
		}
		if ((size_t)(nl - line) < sizeof(em_dash_sp) - 1 ||
		    memcmp(line, em_dash_sp, sizeof(em_dash_sp) - 1) != 0) {
			rc = hs_fail(err, HS_ERR_FORMAT,
			    "note line %zu: a signature line must start with "
			    "\"— \"", ln);
			goto out;
		}
		name = line + sizeof(em_dash_sp) - 1;
		sp = memchr(name, ' ', (size_t)(nl - name));
		if (sp == NULL || sp + 1 == nl) {
			rc = hs_fail(err, HS_ERR_FORMAT,
			    "note line %zu: signature line has no signature",
			    ln);
			goto out;
		}
		namelen = (size_t)(sp - name);
		if (!name_valid_n(name, namelen)) {
			rc = hs_fail(err, HS_ERR_FORMAT,
			    "note line %zu: bad key name", ln);
			goto out;
		}
		b64len = (size_t)(nl - sp - 1);
		rawlen = b64_decode(sp + 1, b64len, raw, len / 4 * 3 + 3);
		if (rawlen < 5) {
			rc = hs_fail(err, HS_ERR_FORMAT,
			    "note line %zu: signature is not base64 of a key "
			    "ID and a signature", ln);
			goto out;
		}
		id = (uint32_t)raw[0] << 24 | (uint32_t)raw[1] << 16 |
		    (uint32_t)raw[2] << 8 | raw[3];
		vi = find_verifier(vs, nvs, name, namelen, id);
		if (vi == -1)
			continue; /* unknown key: ignored */
		if (vi == -2) {
			rc = hs_fail(err, HS_ERR_INVALID,
			    "note line %zu: two different known keys are "
			    "named %.*s+%08x", ln, (int)namelen, name, id);
			goto out;
		}
		if (!pkey_verify(vs[vi]->alg, vs[vi]->pkey, raw + 4,
		    (size_t)rawlen - 4, msg, out->text_len)) {
			rc = hs_fail(err, HS_ERR_SIGNATURE,
			    "note line %zu: the signature by %s+%08x does not "
			    "verify", ln, vs[vi]->name, id);
			goto out;
		}
		seen = false;
		for (i = 0; i < out->n; i++)
			seen |= out->by[i] == (size_t)vi;
		if (!seen)
			out->by[out->n++] = (size_t)vi;
	}
	if (out->n == 0) {
		rc = hs_fail(err, HS_ERR_SIGNATURE,
		    "note has %zu signature line%s but none is by a known key",
		    nlines, nlines == 1 ? "" : "s");
		goto out;
	}
	rc = HS_OK;
out:
	free(raw);
	if (rc != HS_OK) {
		out->n = 0;
		out->text_len = 0;
	}
	return rc;
}
