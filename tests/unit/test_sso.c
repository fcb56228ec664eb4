/*
 * test_sso.c - app/sso.h and store/sso.h: the signed hand-off.
 *
 * Known answers made by scripts/sso-link (Python's hmac; openssl pkeyutl
 * for Ed25519 with the RFC 8032 test 1 key), so the C check is held to an
 * independent implementation: good and bad signatures, the window's edges
 * at 60 and 61 s on both sides (through now), the origin binding, another
 * digest under the same signature, hostile parameters, the keys in
 * config.json (the HMAC key file's mode), the nonce used once and pruned,
 * the account made on first hand-off, the refusals' audit rows, and the
 * password a hand-off account sets without an old one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "app/sso.h"
#include "core/util.h"
#include "store/accounts.h"
#include "store/sso.h"
#include "store/store.h"
#include "t.h"
#include "tlib.h"

/* scripts/sso-link --url https://hours.example.cn --hmac-key-file K
 * (K: 000102...1f) --digest q83v...eJA= --time 1796500000
 * --nonce abcdefghijklmnop_-0123 */
#define ORIGIN "https://hours.example.cn"
#define KAT_D  "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA"
#define KAT_DIGEST "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA="
#define KAT_T  "1796500000"
#define KAT_TV 1796500000LL
#define KAT_N  "abcdefghijklmnop_-0123"
#define KAT_HMAC "kCE1Tyg31NVztBcVPlnvXVuBVOpJbQ9EgDzIMGfgbzY"
/* the same with --ed25519-key (RFC 8032 test 1's secret key) */
#define KAT_ED "thagZM0F-Q1tEFmLSgyZvtHcvZLLceTfqDzfJIZCGjKY648HhHEujbTB" \
    "WO-97N6gBvynvTRyqH6C1zMx3vXlDA"

static const uint8_t rfc8032_pub[32] = {
	0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe,
	0xd3, 0xc9, 0x64, 0x07, 0x3a, 0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6,
	0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a,
};

static char err[HS_ERRLEN];

static void
hmac_config(struct config *c)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < 32; i++)
		c->sso_hmac_key[i] = (uint8_t)i;
	c->sso_hmac_len = 32;
}

static void
ed_config(struct config *c)
{
	memset(c, 0, sizeof(*c));
	memcpy(c->sso_ed25519, rfc8032_pub, 32);
	c->sso_has_ed25519 = true;
}

/* The test's own HMAC link signature over the documented bytes (not
 * through sso_message). */
static void
sign_hmac(const char *origin, const char *d, const char *t, const char *n,
    char out[64])
{
	char msg[1024], b[64];
	uint8_t key[32], mac[32];
	unsigned int ml = 0;
	size_t i, j;
	int len;

	for (i = 0; i < 32; i++)
		key[i] = (uint8_t)i;
	len = snprintf(msg, sizeof(msg), "hourseal-sso-v1\n%s\n%s\n%s\n%s\n",
	    origin, d, t, n);
	HMAC(EVP_sha256(), key, 32, (uint8_t *)msg, (size_t)len, mac, &ml);
	b64_encode(mac, 32, b, sizeof(b));
	for (i = j = 0; b[i] != '\0' && b[i] != '='; i++)
		out[j++] = b[i] == '+' ? '-' : b[i] == '/' ? '_' : b[i];
	out[j] = '\0';
}

static enum sso_reason
check(const struct config *c, const char *origin, const char *d,
    const char *t, const char *n, const char *s, int64_t now, char *digest)
{
	struct sso_params p = { d, t, n, s };
	char dg[PEPPER_DIGEST_SIZE];

	return sso_check(c, origin, &p, now, digest != NULL ? digest : dg,
	    NULL);
}

static void
test_pure(void)
{
	struct config c, e, none;
	char dg[PEPPER_DIGEST_SIZE], bad[128], big[5000], s2[64];
	enum sso_reason r;

	hmac_config(&c);
	ed_config(&e);
	memset(&none, 0, sizeof(none));

	r = check(&c, ORIGIN, KAT_D, KAT_T, KAT_N, KAT_HMAC, KAT_TV, dg);
	T_OK(r == SSO_OK, "HMAC: sso-link's link verifies (%s)",
	    sso_reason_name(r));
	T_STREQ(dg, KAT_DIGEST, "HMAC: the digest as the store keeps it");
	r = check(&e, ORIGIN, KAT_D, KAT_T, KAT_N, KAT_ED, KAT_TV, dg);
	T_OK(r == SSO_OK, "Ed25519: openssl pkeyutl's link verifies (%s)",
	    sso_reason_name(r));

	/* bad signatures */
	snprintf(bad, sizeof(bad), "%s", KAT_HMAC);
	bad[5] = bad[5] == 'A' ? 'B' : 'A';
	T_OK(check(&c, ORIGIN, KAT_D, KAT_T, KAT_N, bad, KAT_TV, NULL) ==
	    SSO_BAD_SIGNATURE, "HMAC: one character changed: bad signature");
	snprintf(bad, sizeof(bad), "%s", KAT_ED);
	bad[10] = bad[10] == 'A' ? 'B' : 'A';
	T_OK(check(&e, ORIGIN, KAT_D, KAT_T, KAT_N, bad, KAT_TV, NULL) ==
	    SSO_BAD_SIGNATURE, "Ed25519: one character changed: bad "
	    "signature");
	T_OK(check(&e, ORIGIN, KAT_D, KAT_T, KAT_N, KAT_HMAC, KAT_TV, NULL) ==
	    SSO_BAD_SIGNATURE, "an HMAC signature where only Ed25519 is "
	    "configured: refused");
	T_OK(check(&c, ORIGIN, KAT_D, KAT_T, KAT_N, KAT_ED, KAT_TV, NULL) ==
	    SSO_BAD_SIGNATURE, "an Ed25519 signature where only HMAC is "
	    "configured: refused");
	c.sso_hmac_key[0] ^= 1;
	T_OK(check(&c, ORIGIN, KAT_D, KAT_T, KAT_N, KAT_HMAC, KAT_TV, NULL) ==
	    SSO_BAD_SIGNATURE, "HMAC: another key: refused");
	c.sso_hmac_key[0] ^= 1;
	T_OK(check(&none, ORIGIN, KAT_D, KAT_T, KAT_N, KAT_HMAC, KAT_TV,
	    NULL) == SSO_NOT_CONFIGURED, "no key configured: refused as such");

	/* what is signed: origin, digest, time, nonce */
	T_OK(check(&c, "https://other.example.cn", KAT_D, KAT_T, KAT_N,
	    KAT_HMAC, KAT_TV, NULL) == SSO_BAD_SIGNATURE,
	    "origin binding: the same link at another deployment is refused");
	T_OK(check(&e, ORIGIN "/", KAT_D, KAT_T, KAT_N, KAT_ED, KAT_TV,
	    NULL) == SSO_BAD_SIGNATURE, "origin binding (Ed25519): a "
	    "trailing '/' is another origin");
	T_OK(check(&c, ORIGIN, "AAAAEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA",
	    KAT_T, KAT_N, KAT_HMAC, KAT_TV, NULL) == SSO_BAD_SIGNATURE,
	    "another person's digest under the first one's signature: "
	    "refused");
	T_OK(check(&c, ORIGIN, KAT_D, "1796500001", KAT_N, KAT_HMAC, KAT_TV,
	    NULL) == SSO_BAD_SIGNATURE, "another time: refused");
	T_OK(check(&c, ORIGIN, KAT_D, KAT_T, "abcdefghijklmnop_-0124",
	    KAT_HMAC, KAT_TV, NULL) == SSO_BAD_SIGNATURE,
	    "another nonce: refused");

	/* the window: 60 s either side, inclusive */
	T_OK(check(&c, ORIGIN, KAT_D, KAT_T, KAT_N, KAT_HMAC, KAT_TV + 60,
	    NULL) == SSO_OK, "window: 60 s old: accepted");
	T_OK(check(&c, ORIGIN, KAT_D, KAT_T, KAT_N, KAT_HMAC, KAT_TV + 61,
	    NULL) == SSO_EXPIRED, "window: 61 s old: expired");
	T_OK(check(&e, ORIGIN, KAT_D, KAT_T, KAT_N, KAT_ED, KAT_TV + 61,
	    NULL) == SSO_EXPIRED, "window (Ed25519): 61 s old: expired");
	T_OK(check(&c, ORIGIN, KAT_D, KAT_T, KAT_N, KAT_HMAC, KAT_TV - 60,
	    NULL) == SSO_OK, "window: 60 s ahead of our clock: accepted");
	T_OK(check(&c, ORIGIN, KAT_D, KAT_T, KAT_N, KAT_HMAC, KAT_TV - 61,
	    NULL) == SSO_FUTURE, "window: 61 s ahead: refused");
	/* an expired link with a bad signature says "bad signature" */
	snprintf(bad, sizeof(bad), "%s", KAT_HMAC);
	bad[0] = bad[0] == 'A' ? 'B' : 'A';
	T_OK(check(&c, ORIGIN, KAT_D, KAT_T, KAT_N, bad, KAT_TV + 1000,
	    NULL) == SSO_BAD_SIGNATURE, "the signature is checked before the "
	    "time");

	/* the test's own signer agrees with sso-link */
	sign_hmac(ORIGIN, KAT_D, KAT_T, KAT_N, s2);
	T_STREQ(s2, KAT_HMAC, "the documented bytes give sso-link's "
	    "signature");

	/* hostile parameters */
	T_OK(check(&c, ORIGIN, NULL, KAT_T, KAT_N, KAT_HMAC, KAT_TV, NULL) ==
	    SSO_MALFORMED, "hostile: d missing");
	T_OK(check(&c, ORIGIN, KAT_D, NULL, KAT_N, KAT_HMAC, KAT_TV, NULL) ==
	    SSO_MALFORMED, "hostile: t missing");
	T_OK(check(&c, ORIGIN, KAT_D, KAT_T, NULL, KAT_HMAC, KAT_TV, NULL) ==
	    SSO_MALFORMED, "hostile: n missing");
	T_OK(check(&c, ORIGIN, KAT_D, KAT_T, KAT_N, NULL, KAT_TV, NULL) ==
	    SSO_MALFORMED, "hostile: s missing");
	T_OK(check(&c, ORIGIN, KAT_DIGEST, KAT_T, KAT_N, KAT_HMAC, KAT_TV,
	    NULL) == SSO_MALFORMED, "hostile: d in padded standard base64");
	T_OK(check(&c, ORIGIN, "350102198001011233", KAT_T, KAT_N, KAT_HMAC,
	    KAT_TV, dg) == SSO_MALFORMED && dg[0] == '\0',
	    "hostile: an ID number as d: malformed, no digest");
	/* 'B' at the end leaves a low bit set: not the canonical spelling */
	T_OK(check(&c, ORIGIN, "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJB",
	    KAT_T, KAT_N, KAT_HMAC, KAT_TV, NULL) == SSO_MALFORMED,
	    "hostile: a non-canonical digest");
	T_OK(check(&c, ORIGIN, KAT_D, "01796500000", KAT_N, KAT_HMAC, KAT_TV,
	    NULL) == SSO_MALFORMED, "hostile: t with a leading zero");
	T_OK(check(&c, ORIGIN, KAT_D, "+1796500000", KAT_N, KAT_HMAC, KAT_TV,
	    NULL) == SSO_MALFORMED, "hostile: t with a sign");
	T_OK(check(&c, ORIGIN, KAT_D, "1796500000000", KAT_N, KAT_HMAC,
	    KAT_TV, NULL) == SSO_MALFORMED, "hostile: t of 13 digits");
	T_OK(check(&c, ORIGIN, KAT_D, "", KAT_N, KAT_HMAC, KAT_TV, NULL) ==
	    SSO_MALFORMED, "hostile: t empty");
	T_OK(check(&c, ORIGIN, KAT_D, KAT_T, "abcdefghijklmno", KAT_HMAC,
	    KAT_TV, NULL) == SSO_MALFORMED, "hostile: a nonce of 15");
	memset(bad, 'a', 65);
	bad[65] = '\0';
	T_OK(check(&c, ORIGIN, KAT_D, KAT_T, bad, KAT_HMAC, KAT_TV, NULL) ==
	    SSO_MALFORMED, "hostile: a nonce of 65");
	bad[64] = '\0';
	sign_hmac(ORIGIN, KAT_D, KAT_T, bad, s2);
	T_OK(check(&c, ORIGIN, KAT_D, KAT_T, bad, s2, KAT_TV, NULL) ==
	    SSO_OK, "a nonce of 64, signed: accepted");
	T_OK(check(&c, ORIGIN, KAT_D, KAT_T, "abcdefghijklmnop\n", KAT_HMAC,
	    KAT_TV, NULL) == SSO_MALFORMED, "hostile: a newline in the "
	    "nonce (would change the signed lines)");
	T_OK(check(&c, ORIGIN, KAT_D, KAT_T, "abcdefghijklmnop.", KAT_HMAC,
	    KAT_TV, NULL) == SSO_MALFORMED, "hostile: '.' in the nonce");
	T_OK(check(&c, ORIGIN, KAT_D, KAT_T, KAT_N, KAT_HMAC "A", KAT_TV,
	    NULL) == SSO_MALFORMED, "hostile: a signature of 44");
	T_OK(check(&c, ORIGIN, KAT_D, KAT_T, KAT_N, "", KAT_TV, NULL) ==
	    SSO_MALFORMED, "hostile: an empty signature");
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	T_OK(check(&c, ORIGIN, big, big, big, big, KAT_TV, NULL) ==
	    SSO_MALFORMED, "hostile: 5000-byte parameters");
	snprintf(bad, sizeof(bad), "%s", KAT_HMAC);
	bad[42] = 'Z'; /* low bits set */
	T_OK(check(&c, ORIGIN, KAT_D, KAT_T, KAT_N, bad, KAT_TV, NULL) !=
	    SSO_OK, "hostile: a non-canonical signature is not accepted");
}

/* ---- the store: nonces, the account, the audit ---- */

static sqlite3 *db;

static long long
count_audit(const char *action)
{
	char sql[200];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit WHERE "
	    "action = '%s'", action);
	return t_q(db, sql);
}

static enum hs_err
accept(const struct config *c, const char *d, const char *t, const char *n,
    const char *s, int64_t now, struct account *a, enum sso_reason *why)
{
	struct sso_params p = { d, t, n, s };

	return sso_accept(db, c, ORIGIN, &p, "192.0.2.7", now, a, why, err);
}

/* Writes config.json's extra keys into dir's data directory. */
static int
add_config(const char *dir, const char *extra)
{
	char path[600], *text = NULL, *end;
	size_t len = 0;
	struct buf b;
	int rc = -1;

	snprintf(path, sizeof(path), "%s/data/config.json", dir);
	if (file_read(path, 1 << 16, &text, &len, err) != HS_OK)
		return -1;
	if ((end = strrchr(text, '}')) != NULL) {
		buf_init(&b);
		buf_add(&b, text, (size_t)(end - text));
		buf_printf(&b, ", %s}\n", extra);
		rc = file_write(path, b.data, b.len, 0600, 0, err) == HS_OK ?
		    0 : -1;
		buf_free(&b);
	}
	free(text);
	return rc;
}

static void
test_config(const char *dir)
{
	struct config c;
	char path[600], dd[600];
	enum hs_err rc;

	snprintf(dd, sizeof(dd), "%s/data", dir);
	snprintf(path, sizeof(path), "%s/data/sso.key", dir);
	T_OK(file_write(path, "000102030405060708090a0b0c0d0e0f"
	    "101112131415161718191a1b1c1d1e1f\n", 65, 0644, 0, err) == HS_OK,
	    "key file written (%s)", err);
	chmod(path, 0644);
	T_OK(add_config(dir, "\"sso_hmac_key_file\": \"sso.key\", "
	    "\"sso_ed25519_public_key\": "
	    "\"11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\"") == 0,
	    "config.json names the keys");
	rc = config_load(dd, &c, err);
	T_OK(rc == HS_ERR_INVALID && strstr(err, "chmod 600") != NULL,
	    "a key file others may read (0644) is refused: %s", err);
	config_wipe(&c);
	chmod(path, 0600);
	rc = config_load(dd, &c, err);
	T_OK(rc == HS_OK && c.sso_hmac_len == 32 && c.sso_hmac_key[31] == 31 &&
	    c.sso_has_ed25519 && memcmp(c.sso_ed25519, rfc8032_pub, 32) == 0,
	    "0600: both keys loaded (%s)", err);
	if (rc == HS_OK)
		T_OK(check(&c, ORIGIN, KAT_D, KAT_T, KAT_N, KAT_HMAC, KAT_TV,
		    NULL) == SSO_OK && check(&c, ORIGIN, KAT_D, KAT_T, KAT_N,
		    KAT_ED, KAT_TV, NULL) == SSO_OK, "with both keys, either "
		    "signature verifies");
	config_wipe(&c);
	T_OK(file_write(path, "00010203", 8, 0600, 0, err) == HS_OK &&
	    config_load(dd, &c, err) == HS_ERR_FORMAT, "a key of 4 bytes is "
	    "refused: %s", err);
	config_wipe(&c);
	T_OK(file_write(path, "zz0102030405060708090a0b0c0d0e0f"
	    "101112131415161718191a1b1c1d1e1f", 64, 0600, 0, err) == HS_OK &&
	    config_load(dd, &c, err) == HS_ERR_FORMAT, "a key that is not "
	    "hex is refused: %s", err);
	config_wipe(&c);
}

int
main(void)
{
	char dir[T_DIRMAX], bad_ed[64], s[64], n2[] = "second-nonce-0000001",
	    n3[] = "third-nonce-00000001";
	struct config c, cfg;
	struct account a, a2;
	enum sso_reason why;
	enum hs_err rc;

	test_pure();

	if (t_tmpdir("sso", dir, sizeof(dir)) != 0 ||
	    t_datadir(dir, &cfg, &db, err) != HS_OK) {
		printf("not ok - data directory (%s)\n", err);
		return 1;
	}
	hmac_config(&c);
	T_OK(store_exec(db, "INSERT INTO practitioners (id, id_number, "
	    "id_masked, id_digest, name, unit, created) VALUES (12, "
	    "'350102198001011233', '3501**********1233', '" KAT_DIGEST "', "
	    "'\xe5\xbc\xa0\xe4\xb8\x89', 'Xiamen Hospital', 'now')", err) ==
	    HS_OK, "fixture person (%s)", err);

	rc = accept(&c, KAT_D, KAT_T, KAT_N, KAT_HMAC, KAT_TV + 5, &a, &why);
	T_OK(rc == HS_OK && why == SSO_OK && strcmp(a.name, "p12") == 0 &&
	    a.role == ROLE_PRACTITIONER && a.scope.practitioner_id == 12 &&
	    !a.has_password, "first hand-off: account p12 made, no password "
	    "(%s)", err);
	T_OK(count_audit("account.add") == 1 && count_audit("session.sso") ==
	    1, "audited account.add and session.sso");
	T_STREQ(t_qs(db, "SELECT object || ' ' || detail || ' ' || client "
	    "FROM audit WHERE action = 'session.sso'"),
	    "p12 q83vEjRW 192.0.2.7", "session.sso: the account, the digest's "
	    "prefix, the client");

	rc = accept(&c, KAT_D, KAT_T, KAT_N, KAT_HMAC, KAT_TV + 6, &a2, &why);
	T_OK(rc == HS_ERR_STATE && why == SSO_REPLAY && a2.id == 0,
	    "the same link again: replay refused");
	T_STREQ(t_qs(db, "SELECT object || ' ' || detail FROM audit WHERE "
	    "action = 'session.sso_refused' ORDER BY seq DESC LIMIT 1"),
	    "digest:q83vEjRW nonce reused", "replay audited: digest prefix "
	    "and reason");

	sign_hmac(ORIGIN, KAT_D, KAT_T, n2, s);
	rc = accept(&c, KAT_D, KAT_T, n2, s, KAT_TV, &a2, &why);
	T_OK(rc == HS_OK && a2.id == a.id && count_audit("account.add") == 1,
	    "a new nonce: the same account, none made (%s)", err);

	sign_hmac(ORIGIN, "AAAAEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA",
	    KAT_T, n3, s);
	rc = accept(&c, "AAAAEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA", KAT_T,
	    n3, s, KAT_TV, &a2, &why);
	T_OK(rc == HS_ERR_STATE && why == SSO_UNKNOWN &&
	    t_q(db, "SELECT count(*) FROM accounts") == 1,
	    "an unknown digest, signed: refused, no account made");
	T_OK(t_q(db, "SELECT count(*) FROM sso_nonces WHERE nonce = "
	    "'third-nonce-00000001'") == 1, "its nonce is spent all the same");

	snprintf(bad_ed, sizeof(bad_ed), "%s", KAT_HMAC);
	bad_ed[3] = bad_ed[3] == 'A' ? 'B' : 'A';
	rc = accept(&c, KAT_D, KAT_T, "fourth-nonce-000001", bad_ed, KAT_TV,
	    &a2, &why);
	T_OK(rc == HS_ERR_STATE && why == SSO_BAD_SIGNATURE &&
	    t_q(db, "SELECT count(*) FROM sso_nonces WHERE nonce = "
	    "'fourth-nonce-000001'") == 0, "a bad signature: refused, its "
	    "nonce not recorded");
	rc = accept(&c, KAT_D, KAT_T, "fifth-nonce-0000001", KAT_HMAC,
	    KAT_TV + 61, &a2, &why);
	T_OK(rc == HS_ERR_STATE && why == SSO_BAD_SIGNATURE,
	    "a signature for another nonce: refused");
	sign_hmac(ORIGIN, KAT_D, KAT_T, "sixth-nonce-0000001", s);
	rc = accept(&c, KAT_D, KAT_T, "sixth-nonce-0000001", s, KAT_TV + 61,
	    &a2, &why);
	T_OK(rc == HS_ERR_STATE && why == SSO_EXPIRED, "61 s old: expired");
	rc = accept(&c, "350102198001011233", KAT_T, KAT_N, KAT_HMAC, KAT_TV,
	    &a2, &why);
	T_OK(rc == HS_ERR_STATE && why == SSO_MALFORMED, "an ID number as d: "
	    "malformed");
	T_OK(count_audit("session.sso_refused") == 6 &&
	    t_q(db, "SELECT count(*) FROM audit WHERE object LIKE "
	    "'%350102198001011233%' OR detail LIKE '%350102198001011233%'")
	    == 0, "six refusals audited; no ID number in the audit log");
	T_STREQ(t_qs(db, "SELECT object FROM audit WHERE action = "
	    "'session.sso_refused' ORDER BY seq DESC LIMIT 1"), "digest:?",
	    "a malformed d is not copied into the audit object");

	/* a disabled account */
	T_OK(store_exec(db, "UPDATE accounts SET disabled = 1", err) == HS_OK,
	    "account disabled");
	sign_hmac(ORIGIN, KAT_D, KAT_T, "seventh-nonce-00001", s);
	rc = accept(&c, KAT_D, KAT_T, "seventh-nonce-00001", s, KAT_TV, &a2,
	    &why);
	T_OK(rc == HS_ERR_STATE && why == SSO_ACCOUNT_OFF, "a disabled "
	    "account: refused");
	T_OK(store_exec(db, "UPDATE accounts SET disabled = 0", err) == HS_OK,
	    "account enabled");

	/* the nonce table: once, then forgotten after keep seconds */
	T_OK(sso_nonce_use(db, "prune-me-000000001", 1000, 120, err) ==
	    HS_OK, "nonce: first use");
	T_OK(sso_nonce_use(db, "prune-me-000000001", 1120, 120, err) ==
	    HS_ERR_EXISTS, "nonce: used again 120 s later: refused");
	T_OK(sso_nonce_use(db, "prune-me-000000001", 1121, 120, err) ==
	    HS_OK, "nonce: forgotten after 121 s (no link can still carry "
	    "it)");

	/* the hand-off account sets a password without the old one */
	rc = accounts_password_change(db, a.id, NULL, "short", "192.0.2.7",
	    KAT_TV, err);
	T_OK(rc == HS_ERR_INVALID, "password policy applies: %s", err);
	rc = accounts_password_change(db, a.id, NULL, "x011233 password",
	    "192.0.2.7", KAT_TV, err);
	T_OK(rc == HS_ERR_INVALID, "not the ID number's last digits: %s", err);
	rc = accounts_password_change(db, a.id, NULL, "a good long password",
	    "192.0.2.7", KAT_TV, err);
	T_OK(rc == HS_OK, "no password yet: set without the old one (%s)",
	    err);
	T_OK(accounts_get_id(db, a.id, &a2, err) == HS_OK && a2.has_password,
	    "the account has a password now");
	{
		char tok[ACCT_TOKEN_LEN + 1], csrf[ACCT_TOKEN_LEN + 1];

		T_OK(sessions_create(db, a.id, "192.0.2.7", KAT_TV, tok, csrf,
		    err) == HS_OK, "a session");
		rc = accounts_password_change(db, a.id, NULL,
		    "another long password", "192.0.2.7", KAT_TV + 1, err);
		T_OK(rc == HS_ERR_SIGNATURE, "now the old one is required: %s",
		    err);
		rc = accounts_password_change(db, a.id, "wrong password here",
		    "another long password", "192.0.2.7", KAT_TV + 1, err);
		T_OK(rc == HS_ERR_SIGNATURE && t_q(db, "SELECT failures FROM "
		    "accounts WHERE name = 'p12'") == 2, "a wrong old one: "
		    "refused and counted (with the empty one: 2)");
		T_OK(sessions_lookup(db, tok, KAT_TV + 2, NULL, NULL, err) ==
		    HS_OK, "the session lives on after a refused change");
		rc = accounts_password_change(db, a.id, "a good long password",
		    "another long password", "192.0.2.7", KAT_TV + 2, err);
		T_OK(rc == HS_OK, "the right old one: changed (%s)", err);
		T_OK(sessions_lookup(db, tok, KAT_TV + 3, NULL, NULL, err) ==
		    HS_ERR_NOTFOUND, "the change ended the account's sessions");
		T_OK(accounts_signin(db, "p12", "another long password", NULL,
		    "192.0.2.7", KAT_TV + 4, &a2, err) == HS_OK,
		    "signs in with the new password");
		T_STREQ(t_qs(db, "SELECT group_concat(detail, ',') FROM audit "
		    "WHERE action = 'account.password'"), "set,changed",
		    "audited account.password set, changed");
		{
			struct signin_row rows[4];
			size_t n = 0;

			T_OK(signins_recent(db, "p12", 4, rows, &n, err) ==
			    HS_OK && n == 4 && strcmp(rows[0].action,
			    "session.signin") == 0 && strcmp(rows[3].action,
			    "session.sso") == 0 && strcmp(rows[0].client,
			    "192.0.2.7") == 0, "recent sign-ins: newest "
			    "first, the hand-offs among them (%zu)", n);
			T_OK(signins_recent(db, "nobody", 4, rows, &n, err) ==
			    HS_OK && n == 0, "recent sign-ins of another "
			    "name: none");
		}
	}

	store_close(db);
	db = NULL;
	config_wipe(&cfg);
	test_config(dir);
	t_rmtree(dir);
	return t_done();
}
