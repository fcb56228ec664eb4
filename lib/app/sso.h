/*
 * sso.h - the provincial platform's signed hand-off (service.md §5, way 2;
 * the format is in docs/formats.md, "The signed hand-off").
 *
 * The platform, which already knows who the person is, sends the browser
 * to
 *
 *   <public-url>/my/sso?d=<digest>&t=<time>&n=<nonce>&s=<signature>
 *
 *   d  the person's id-digest (cert/pepper.h) as base64url without
 *      padding: 43 characters
 *   t  Unix seconds, decimal, no sign, no leading zero
 *   n  a nonce of 16-64 characters [A-Za-z0-9_-], never used before
 *   s  base64url without padding of the signature over the bytes
 *
 *        "hourseal-sso-v1\n" <origin> "\n" d "\n" t "\n" n "\n"
 *
 *      where origin is the service's public URL (serve --public-url, no
 *      trailing '/'), so a link made for another deployment fails.
 *      HMAC-SHA-256 with the shared key: 43 characters; Ed25519 with the
 *      platform's private key: 86 characters. The length says which.
 *
 * Accepted when the signature verifies, now - SSO_WINDOW <= t <= now +
 * SSO_WINDOW (both ends inclusive: 60 s either way, for clock skew), the
 * nonce was not seen before, and the digest is a known practitioner. A
 * person without an account gets one (no password: they may set one on
 * /my/account; see sso_accept).
 */
#ifndef HS_APP_SSO_H
#define HS_APP_SSO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "core/hs.h"
#include "store/accounts.h"
#include "store/config.h"

#define SSO_WINDOW       60   /* seconds either side of now */
#define SSO_NONCE_MIN    16
#define SSO_NONCE_MAX    64
#define SSO_DIGEST_LEN   43   /* base64url of 32 bytes, no padding */
#define SSO_SIG_HMAC_LEN 43   /* base64url of 32 bytes */
#define SSO_SIG_ED_LEN   86   /* base64url of 64 bytes */
#define SSO_MAGIC        "hourseal-sso-v1"
/* The signed bytes at most: magic, origin, d, t, n and five newlines. */
#define SSO_MSG_MAX      (16 + 512 + SSO_DIGEST_LEN + 20 + SSO_NONCE_MAX + 5)

/* Why a hand-off was refused (SSO_OK: it was not). */
enum sso_reason {
	SSO_OK = 0,
	SSO_NOT_CONFIGURED, /* no key in config.json */
	SSO_MALFORMED,      /* a parameter missing or not in its format */
	SSO_BAD_SIGNATURE,  /* does not verify with any configured key */
	SSO_EXPIRED,        /* t < now - SSO_WINDOW */
	SSO_FUTURE,         /* t > now + SSO_WINDOW */
	SSO_REPLAY,         /* the nonce was used before */
	SSO_UNKNOWN,        /* no practitioner has that id-digest */
	SSO_ACCOUNT_OFF,    /* their account is disabled or locked */
};

/* A short English name of the reason (the audit row's detail). */
const char *sso_reason_name(enum sso_reason r);

/* The query parameters as received (NULL: missing). */
struct sso_params {
	const char *d, *t, *n, *s;
};

/* Whether config c has a hand-off key. */
bool sso_configured(const struct config *c);

/*
 * The signed bytes for origin and the parameters into out (cap bytes,
 * NUL-terminated); returns their length, or 0 if they do not fit.
 */
size_t sso_message(const char *origin, const char *d, const char *t,
    const char *n, char *out, size_t cap);

/*
 * Checks a hand-off without the database: the keys in c (HMAC key,
 * Ed25519 public key), the formats, the signature (constant-time), the
 * window against now. On SSO_OK, digest receives the id-digest as the
 * store keeps it (standard base64, 44 characters) and *t the time.
 * Pure: the unit tests call it with any now.
 */
enum sso_reason sso_check(const struct config *c, const char *origin,
    const struct sso_params *p, int64_t now,
    char digest[PEPPER_DIGEST_SIZE], int64_t *t);

/*
 * The whole hand-off: sso_check, then in one transaction the nonce
 * (sso_nonce_use: a second use is SSO_REPLAY), the person by digest and
 * their account, made if there is none (store/sso.h, audited
 * account.add), and the audit row session.sso (object: the account,
 * detail: the digest's first 8 characters). A refusal appends
 * session.sso_refused (object "digest:<first 8>" or "?", detail: the
 * reason) in its own transaction, and a refusal after the signature
 * verified still spends the nonce. *why receives the reason; HS_OK with
 * *a on SSO_OK, HS_ERR_STATE on a refusal, a database error otherwise.
 */
enum hs_err sso_accept(sqlite3 *db, const struct config *c,
    const char *origin, const struct sso_params *p, const char *client,
    int64_t now, struct account *a, enum sso_reason *why, char *err);

#endif
