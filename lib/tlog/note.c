/*
 * note.c - C2SP signed notes (c2sp.org/signed-note) with Ed25519 through
 * OpenSSL 3 EVP. See note.h for the format.
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

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "tlog/note.h"

#define ALG_ED25519 0x01
#define ED25519_SIGLEN 64
static const char em_dash_sp[] = "\xE2\x80\x94 "; /* U+2014 U+0020 */

struct note_signer {
	char name[NOTE_NAME_MAX + 1];
	uint32_t keyid;
	uint8_t pub[32];
	EVP_PKEY *pkey;        /* NULL for a remote signer */
	note_sign_fn sign_fn;  /* a remote signer's signing call */
	void *sign_ctx;
};

struct note_verifier {
	char name[NOTE_NAME_MAX + 1];
	uint32_t keyid;
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

/* key ID = SHA-256(name || 0x0A || 0x01 || pub)[:4], big-endian. */
static uint32_t
key_id(const char *name, const uint8_t pub[32])
{
	uint8_t tmp[NOTE_NAME_MAX + 2 + 32], h[32];
	size_t n = strlen(name);

	memcpy(tmp, name, n);
	tmp[n] = '\n';
	tmp[n + 1] = ALG_ED25519;
	memcpy(tmp + n + 2, pub, 32);
	sha256(tmp, n + 2 + 32, h);
	return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 |
	    (uint32_t)h[2] << 8 | h[3];
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
	n->keyid = key_id(name, n->pub);
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
	if (*keylen != 33)
		return hs_fail(err, HS_ERR_INVALID,
		    "%s: key is %ld bytes, want 33", what, *keylen);
	if (key[0] != ALG_ED25519)
		return hs_fail(err, HS_ERR_INVALID,
		    "%s: unknown algorithm %u (only Ed25519, 1)", what,
		    (unsigned)key[0]);
	return HS_OK;
}

enum hs_err
note_signer_new_remote(const char *name, const uint8_t pub[32],
    note_sign_fn fn, void *ctx, struct note_signer **s, char *err)
{
	struct note_signer *n;
	enum hs_err rc;

	*s = NULL;
	if ((rc = check_name(name, err)) != HS_OK)
		return rc;
	if (fn == NULL)
		return hs_fail(err, HS_ERR_INVALID, "remote signer: no "
		    "signing function");
	if ((n = calloc(1, sizeof(*n))) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	snprintf(n->name, sizeof(n->name), "%s", name);
	memcpy(n->pub, pub, 32);
	n->keyid = key_id(name, n->pub);
	n->sign_fn = fn;
	n->sign_ctx = ctx;
	*s = n;
	return HS_OK;
}

enum hs_err
note_signer_parse(const char *skey, struct note_signer **s, char *err)
{
	char name[NOTE_NAME_MAX + 1];
	uint8_t key[40];
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
format_vkey(const char *name, uint32_t id, const uint8_t pub[32], char *out,
    size_t outsz)
{
	uint8_t k[33];
	char b64[B64_LEN(33)];
	int n;

	k[0] = ALG_ED25519;
	memcpy(k + 1, pub, 32);
	b64_encode(k, sizeof(k), b64, sizeof(b64));
	n = snprintf(out, outsz, "%s+%08x+%s", name, (unsigned)id, b64);
	if (n < 0 || (size_t)n >= outsz)
		return HS_ERR_TOOBIG;
	return HS_OK;
}

enum hs_err
note_signer_vkey(const struct note_signer *s, char *out, size_t outsz)
{
	return format_vkey(s->name, s->keyid, s->pub, out, outsz);
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
    const uint8_t sig[ED25519_SIGLEN], char *err)
{
	EVP_PKEY *pk;
	EVP_MD_CTX *ctx;
	int ok = 0;

	pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, s->pub, 32);
	ctx = EVP_MD_CTX_new();
	if (pk != NULL && ctx != NULL &&
	    EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pk) == 1)
		ok = EVP_DigestVerify(ctx, sig, ED25519_SIGLEN,
		    (const uint8_t *)text, len) == 1;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pk);
	return ok ? HS_OK : hs_fail(err, HS_ERR_SIGNATURE, "the signer "
	    "process answered with a signature that does not verify under "
	    "%s's public key", s->name);
}

enum hs_err
note_sign(const struct note_signer *s, const char *text, size_t len,
    struct buf *out, char *err)
{
	EVP_MD_CTX *ctx = NULL;
	uint8_t sig[4 + ED25519_SIGLEN];
	char b64[B64_LEN(sizeof(sig))];
	size_t siglen = ED25519_SIGLEN;
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
	if ((ctx = EVP_MD_CTX_new()) == NULL) {
		rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (EVP_DigestSignInit(ctx, NULL, NULL, NULL, s->pkey) != 1 ||
	    EVP_DigestSign(ctx, sig + 4, &siglen, (const uint8_t *)text,
	    len) != 1 || siglen != ED25519_SIGLEN) {
		rc = hs_fail(err, HS_ERR_CRYPTO, "Ed25519 signing failed");
		goto out;
	}
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
	rc = out->oom ? hs_fail(err, HS_ERR_NOMEM, "out of memory") : HS_OK;
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}

enum hs_err
note_sign_raw(const struct note_signer *s, const char *text, size_t len,
    uint8_t sig[64], char *err)
{
	EVP_MD_CTX *ctx;
	size_t siglen = ED25519_SIGLEN;
	enum hs_err rc;

	if (s->pkey == NULL)
		return hs_fail(err, HS_ERR_INVALID, "not a local key");
	if (len > NOTE_MAX_SIZE)
		return hs_fail(err, HS_ERR_TOOBIG,
		    "note text is over %u bytes", (unsigned)NOTE_MAX_SIZE);
	if ((rc = check_text(text, len, err)) != HS_OK)
		return rc;
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	rc = HS_OK;
	if (EVP_DigestSignInit(ctx, NULL, NULL, NULL, s->pkey) != 1 ||
	    EVP_DigestSign(ctx, sig, &siglen, (const uint8_t *)text,
	    len) != 1 || siglen != ED25519_SIGLEN)
		rc = hs_fail(err, HS_ERR_CRYPTO, "Ed25519 signing failed");
	EVP_MD_CTX_free(ctx);
	return rc;
}

void
note_signer_pub(const struct note_signer *s, uint8_t pub[32])
{
	memcpy(pub, s->pub, 32);
}

static enum hs_err
verifier_make(const char *name, uint32_t id, const uint8_t pub[32],
    struct note_verifier **v, char *err)
{
	struct note_verifier *n;

	*v = NULL;
	if ((n = calloc(1, sizeof(*n))) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	snprintf(n->name, sizeof(n->name), "%s", name);
	n->keyid = id;
	memcpy(n->pub, pub, 32);
	n->pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, 32);
	if (n->pkey == NULL) {
		free(n);
		return hs_fail(err, HS_ERR_CRYPTO,
		    "cannot load the Ed25519 public key");
	}
	*v = n;
	return HS_OK;
}

enum hs_err
note_verifier_parse(const char *vkey, struct note_verifier **v, char *err)
{
	char name[NOTE_NAME_MAX + 1];
	uint8_t key[40];
	uint32_t id;
	long klen = 0;
	enum hs_err rc;

	*v = NULL;
	rc = split_key("verifier key", vkey, name, &id, key, sizeof(key),
	    &klen, err);
	if (rc != HS_OK)
		return rc;
	if (key_id(name, key + 1) != id)
		return hs_fail(err, HS_ERR_INVALID,
		    "verifier key: key ID %08x does not match the key", id);
	return verifier_make(name, id, key + 1, v, err);
}

enum hs_err
note_verifier_new(const char *name, const uint8_t pub[32],
    struct note_verifier **v, char *err)
{
	enum hs_err rc;

	*v = NULL;
	if ((rc = check_name(name, err)) != HS_OK)
		return rc;
	return verifier_make(name, key_id(name, pub), pub, v, err);
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
	return format_vkey(v->name, v->keyid, v->pub, out, outsz);
}

void
note_verifier_pub(const struct note_verifier *v, uint8_t pub[32])
{
	memcpy(pub, v->pub, 32);
}

static bool
ed25519_verify(EVP_PKEY *pkey, const uint8_t *sig, const char *msg,
    size_t len)
{
	EVP_MD_CTX *ctx;
	bool ok;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return false;
	ok = EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pkey) == 1 &&
	    EVP_DigestVerify(ctx, sig, ED25519_SIGLEN, (const uint8_t *)msg,
	    len) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
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
		else if (memcmp(vs[found]->pub, vs[i]->pub, 32) != 0)
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
		if (rawlen != 4 + ED25519_SIGLEN ||
		    !ed25519_verify(vs[vi]->pkey, raw + 4, msg, out->text_len)) {
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
