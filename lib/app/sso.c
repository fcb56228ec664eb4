/*
 * sso.c - checks the provincial platform's signed hand-off and signs the
 * person in (sso.h; the format: docs/formats.md).
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "app/sso.h"
#include "core/util.h"
#include "store/audit.h"
#include "store/sso.h"
#include "store/store.h"

const char *
sso_reason_name(enum sso_reason r)
{
	switch (r) {
	case SSO_OK: return "ok";
	case SSO_NOT_CONFIGURED: return "not configured";
	case SSO_MALFORMED: return "malformed";
	case SSO_BAD_SIGNATURE: return "bad signature";
	case SSO_EXPIRED: return "expired";
	case SSO_FUTURE: return "time in the future";
	case SSO_REPLAY: return "nonce reused";
	case SSO_UNKNOWN: return "unknown id-digest";
	case SSO_ACCOUNT_OFF: return "account disabled or locked";
	}
	return "?";
}

bool
sso_configured(const struct config *c)
{
	return c->sso_hmac_len > 0 || c->sso_has_ed25519;
}

size_t
sso_message(const char *origin, const char *d, const char *t, const char *n,
    char *out, size_t cap)
{
	int w = snprintf(out, cap, SSO_MAGIC "\n%s\n%s\n%s\n%s\n", origin, d,
	    t, n);

	return w < 0 || (size_t)w >= cap ? 0 : (size_t)w;
}

/* s is exactly len characters of [A-Za-z0-9_-]. */
static bool
b64url_chars(const char *s, size_t lo, size_t hi)
{
	size_t i, n = strnlen(s, hi + 1);

	if (n < lo || n > hi)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
	}
	return true;
}

/*
 * Decodes unpadded base64url s (len characters: 43 for 32 bytes, 86 for
 * 64) into out (want bytes); canonical only (the unused low bits zero),
 * so that one value has one spelling. std receives the standard padded
 * form (may be NULL). Returns false if it is not that.
 */
static bool
b64url_decode(const char *s, size_t len, uint8_t *out, size_t want,
    char *std, size_t stdcap)
{
	char tmp[96], back[96];
	size_t i, n = len;
	long got;

	if (len + 3 > sizeof(tmp) || !b64url_chars(s, len, len))
		return false;
	for (i = 0; i < len; i++)
		tmp[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
	while (n % 4 != 0)
		tmp[n++] = '=';
	tmp[n] = '\0';
	got = b64_decode(tmp, n, out, want);
	if (got != (long)want)
		return false;
	b64_encode(out, want, back, sizeof(back));
	if (strcmp(back, tmp) != 0)
		return false;
	if (std != NULL) {
		if (n + 1 > stdcap)
			return false;
		memcpy(std, tmp, n + 1);
	}
	return true;
}

/* t: 1-12 decimal digits, no sign, no leading zero. */
static bool
parse_time(const char *s, int64_t *t)
{
	size_t i, n = strnlen(s, 13);
	int64_t v = 0;

	if (n == 0 || n > 12 || (n > 1 && s[0] == '0'))
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*t = v;
	return true;
}

static bool
verify_hmac(const struct config *c, const char *msg, size_t len,
    const uint8_t sig[32])
{
	uint8_t mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	bool ok;

	if (HMAC(EVP_sha256(), c->sso_hmac_key, (int)c->sso_hmac_len,
	    (const unsigned char *)msg, len, mac, &maclen) == NULL ||
	    maclen != 32)
		return false;
	ok = CRYPTO_memcmp(mac, sig, 32) == 0;
	OPENSSL_cleanse(mac, sizeof(mac));
	return ok;
}

static bool
verify_ed25519(const struct config *c, const char *msg, size_t len,
    const uint8_t sig[64])
{
	EVP_PKEY *pk;
	EVP_MD_CTX *md;
	bool ok = false;

	pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL,
	    c->sso_ed25519, 32);
	if (pk == NULL)
		return false;
	if ((md = EVP_MD_CTX_new()) != NULL &&
	    EVP_DigestVerifyInit(md, NULL, NULL, NULL, pk) == 1)
		ok = EVP_DigestVerify(md, sig, 64, (const unsigned char *)msg,
		    len) == 1;
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pk);
	return ok;
}

enum sso_reason
sso_check(const struct config *c, const char *origin,
    const struct sso_params *p, int64_t now, char digest[PEPPER_DIGEST_SIZE],
    int64_t *t_out)
{
	char msg[SSO_MSG_MAX];
	uint8_t raw[64];
	size_t len, slen;
	int64_t t = 0;
	bool ok = false;

	digest[0] = '\0';
	if (!sso_configured(c))
		return SSO_NOT_CONFIGURED;
	if (p->d == NULL || p->t == NULL || p->n == NULL || p->s == NULL ||
	    !b64url_decode(p->d, SSO_DIGEST_LEN, raw, 32, digest,
	    PEPPER_DIGEST_SIZE) || !parse_time(p->t, &t) ||
	    !b64url_chars(p->n, SSO_NONCE_MIN, SSO_NONCE_MAX)) {
		digest[0] = '\0';
		return SSO_MALFORMED;
	}
	slen = strnlen(p->s, SSO_SIG_ED_LEN + 1);
	if (slen != SSO_SIG_HMAC_LEN && slen != SSO_SIG_ED_LEN)
		return SSO_MALFORMED;
	if ((len = sso_message(origin, p->d, p->t, p->n, msg, sizeof(msg)))
	    == 0)
		return SSO_MALFORMED;
	if (slen == SSO_SIG_HMAC_LEN) {
		if (!b64url_decode(p->s, slen, raw, 32, NULL, 0))
			return SSO_MALFORMED;
		ok = c->sso_hmac_len > 0 && verify_hmac(c, msg, len, raw);
	} else {
		if (!b64url_decode(p->s, slen, raw, 64, NULL, 0))
			return SSO_MALFORMED;
		ok = c->sso_has_ed25519 && verify_ed25519(c, msg, len, raw);
	}
	if (!ok)
		return SSO_BAD_SIGNATURE;
	if (t < now - SSO_WINDOW)
		return SSO_EXPIRED;
	if (t > now + SSO_WINDOW)
		return SSO_FUTURE;
	if (t_out != NULL)
		*t_out = t;
	return SSO_OK;
}

/* Appends session.sso_refused in a transaction of its own. */
static enum hs_err
audit_refusal(sqlite3 *db, const struct actor *w, const char *object,
    enum sso_reason why, char *err)
{
	enum hs_err rc;

	if ((rc = store_begin(db, err)) != HS_OK)
		return rc;
	rc = audit_append(db, w, "session.sso_refused", object,
	    sso_reason_name(why), NULL, err);
	if (rc != HS_OK) {
		store_rollback(db);
		return rc;
	}
	return store_commit(db, err);
}

enum hs_err
sso_accept(sqlite3 *db, const struct config *c, const char *origin,
    const struct sso_params *p, const char *client, int64_t now,
    struct account *a, enum sso_reason *why, char *err)
{
	struct actor platform = { "sso", "platform", "", client ? client : "" };
	struct actor self;
	char digest[PEPPER_DIGEST_SIZE], object[32];
	bool made = false;
	enum sso_reason r;
	enum hs_err rc;

	memset(a, 0, sizeof(*a));
	r = sso_check(c, origin, p, now, digest, NULL);
	/* The audit object: the digest's first 8 characters, only once it
	 * is known to be a digest (never an ID number typed into d). */
	snprintf(object, sizeof(object), "digest:%.8s", p->d != NULL &&
	    digest[0] != '\0' ? p->d : "?");
	if (r != SSO_OK) {
		*why = r;
		if ((rc = audit_refusal(db, &platform, object, r, err))
		    != HS_OK)
			return rc;
		return hs_fail(err, HS_ERR_STATE, "hand-off refused: %s",
		    sso_reason_name(r));
	}
	if ((rc = store_begin(db, err)) != HS_OK)
		goto fail;
	rc = sso_nonce_use(db, p->n, now, 2 * SSO_WINDOW, err);
	if (rc == HS_ERR_EXISTS)
		r = SSO_REPLAY;
	else if (rc == HS_OK) {
		rc = sso_person_account(db, &platform, digest, now, a, &made,
		    err);
		if (rc == HS_ERR_NOTFOUND)
			r = SSO_UNKNOWN;
		else if (rc == HS_OK && (a->disabled || a->locked))
			r = SSO_ACCOUNT_OFF;
	}
	if (r != SSO_OK) {
		/* the nonce stays spent; the account just made (none, as
		 * sso_person_account makes one only for a known person) */
		rc = audit_append(db, &platform, "session.sso_refused", object,
		    sso_reason_name(r), NULL, err);
	} else if (rc == HS_OK) {
		self.name = a->name;
		self.role = role_name(a->role);
		self.org = a->org;
		self.client = platform.client;
		rc = audit_append(db, &self, "session.sso", a->name, object +
		    7, NULL, err);
	}
	if (rc != HS_OK) {
		store_rollback(db);
		goto fail;
	}
	if ((rc = store_commit(db, err)) != HS_OK)
		goto fail;
	*why = r;
	if (r != SSO_OK) {
		memset(a, 0, sizeof(*a));
		return hs_fail(err, HS_ERR_STATE, "hand-off refused: %s",
		    sso_reason_name(r));
	}
	return HS_OK;
fail:
	memset(a, 0, sizeof(*a));
	*why = r;
	return rc;
}
