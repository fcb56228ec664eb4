/*
 * accounts.c - this module keeps the accounts, invitations, sessions and
 * API tokens tables (schema 2, store.c) and the rules around them
 * (accounts.h): who may create whom, the password policy, TOTP
 * enrolment, sign-in backoff and lock.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <sodium.h>

#include "cert/idnum.h"
#include "core/util.h"
#include "store/accounts.h"
#include "store/store.h"

static const char *const role_names[ROLE_COUNT] = {
	[ROLE_HR] = "hr",
	[ROLE_INDUSTRY] = "industry",
	[ROLE_PROVIDER] = "provider",
	[ROLE_EMPLOYER] = "employer",
	[ROLE_AUDITOR] = "auditor",
	[ROLE_PRACTITIONER] = "practitioner",
	[ROLE_TITLE_SYSTEM] = "title-system",
};

/*
 * Unknown names and accounts without a password are checked against this
 * Argon2id string (of a random password nobody kept, with the interactive
 * limits used for real hashes), so they cost what a real check costs.
 */
static const char dummy_hash[] = "$argon2id$v=19$m=65536,t=2,p=1$"
    "kqNa0rc7HZtTmptgT06Ldg$7cSYDHxt4I9KrzsMuGljopAyNnTZeuTW/wYmmxMeIwA";

static const char signin_refused[] =
    "sign-in: wrong name, password or code";

const char *
role_name(enum role r)
{
	return (unsigned)r < ROLE_COUNT ? role_names[r] : "?";
}

enum hs_err
role_parse(const char *s, enum role *r, char *err)
{
	int i;

	for (i = 0; i < ROLE_COUNT; i++)
		if (strcmp(s, role_names[i]) == 0) {
			*r = (enum role)i;
			return HS_OK;
		}
	return hs_fail(err, HS_ERR_INVALID, "role: unknown (one of hr, "
	    "industry, provider, employer, auditor, practitioner, "
	    "title-system)");
}

bool
role_is_staff(enum role r)
{
	return r == ROLE_HR || r == ROLE_INDUSTRY || r == ROLE_PROVIDER ||
	    r == ROLE_EMPLOYER || r == ROLE_AUDITOR;
}

/* ---- text rules ---- */

/* Unicode spaces other than U+0020 that utf8_format_char lets through. */
static bool
is_space_cp(uint32_t cp)
{
	return cp == 0x20 || cp == 0xa0 || cp == 0x1680 ||
	    (cp >= 0x2000 && cp <= 0x200a) || cp == 0x202f || cp == 0x205f ||
	    cp == 0x3000;
}

/*
 * Checks s as text of lo..hi code points and at most maxbytes bytes:
 * valid UTF-8, no control, invisible or direction-changing character;
 * with nospace, no space either. The message names field.
 */
static enum hs_err
check_text(const char *field, const char *s, size_t lo, size_t hi,
    size_t maxbytes, bool nospace, char *err)
{
	size_t len = strnlen(s, maxbytes + 1), i, n, count = 0;
	const char *what;
	uint32_t cp;

	if (len > maxbytes)
		return hs_fail(err, HS_ERR_INVALID, "%s: longer than %zu "
		    "bytes", field, maxbytes);
	if (!utf8_valid(s, len))
		return hs_fail(err, HS_ERR_INVALID, "%s: not valid UTF-8",
		    field);
	if (has_control(s))
		return hs_fail(err, HS_ERR_INVALID, "%s: contains a control "
		    "character", field);
	if ((what = utf8_format_char(s, &cp)) != NULL)
		return hs_fail(err, HS_ERR_INVALID, "%s: contains U+%04X (%s), "
		    "an invisible or direction-changing character", field,
		    (unsigned)cp, what);
	for (i = 0; i < len; i += n) {
		if ((n = utf8_next(s + i, len - i, &cp)) == 0)
			return hs_fail(err, HS_ERR_INVALID, "%s: not valid "
			    "UTF-8", field);
		if (nospace && is_space_cp(cp))
			return hs_fail(err, HS_ERR_INVALID, "%s: contains a "
			    "space", field);
		count++;
	}
	if (count < lo || count > hi)
		return hs_fail(err, HS_ERR_INVALID, "%s: %zu characters "
		    "(%zu to %zu)", field, count, lo, hi);
	return HS_OK;
}

enum hs_err
accounts_check_name(const char *field, const char *name, char *err)
{
	enum hs_err rc;

	if ((rc = check_text(field, name, ACCT_NAME_MIN, ACCT_NAME_MAX, 256,
	    true, err)) != HS_OK)
		return rc;
	if (strchr(name, ':') != NULL)
		return hs_fail(err, HS_ERR_INVALID, "%s: ':' is not allowed "
		    "(reserved for token:<label> in the audit log)", field);
	return HS_OK;
}

enum hs_err
accounts_check_org(const char *org, char *err)
{
	return check_text("org", org, 1, ACCT_ORG_MAX, 400, false, err);
}

static enum hs_err
check_region(const char *field, const char *s, char *err)
{
	size_t len = strnlen(s, 13), i;

	if (len != 2 && len != 4 && len != 6)
		return hs_fail(err, HS_ERR_INVALID, "%s: a region is 2, 4 or "
		    "6 digits", field);
	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return hs_fail(err, HS_ERR_INVALID, "%s: a region is "
			    "digits only", field);
	return HS_OK;
}

/* Copies s (checked as a name-like field of at most cap - 1 bytes). */
static enum hs_err
copy_field(const char *field, const char *s, size_t n, char *dst,
    size_t cap, char *err)
{
	enum hs_err rc;
	char tmp[1024];

	if (n >= cap)
		return hs_fail(err, HS_ERR_INVALID, "%s: longer than %zu "
		    "bytes", field, cap - 1);
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (n == 0)
		return hs_fail(err, HS_ERR_INVALID, "%s: empty", field);
	if ((rc = check_text(field, tmp, 1, cap - 1, cap - 1, false, err))
	    != HS_OK)
		return rc;
	if (tmp[0] == ' ' || tmp[n - 1] == ' ')
		return hs_fail(err, HS_ERR_INVALID, "%s: leading or trailing "
		    "space", field);
	memcpy(dst, tmp, n + 1);
	return HS_OK;
}

enum hs_err
scope_parse(enum role role, const char *s, struct scope *sc, char *err)
{
	size_t len = strnlen(s, 1024);
	const char *slash;
	enum hs_err rc;

	memset(sc, 0, sizeof *sc);
	if (len >= 1024)
		return hs_fail(err, HS_ERR_INVALID, "scope: longer than 1023 "
		    "bytes");
	switch (role) {
	case ROLE_HR:
	case ROLE_AUDITOR:
	case ROLE_TITLE_SYSTEM:
		if ((rc = check_region("scope", s, err)) != HS_OK)
			return rc;
		memcpy(sc->region, s, len + 1);
		return HS_OK;
	case ROLE_INDUSTRY:
		if ((slash = strchr(s, '/')) == NULL)
			return hs_fail(err, HS_ERR_INVALID, "scope: industry "
			    "scope is REGION/DOMAIN (3502/卫生)");
		if ((size_t)(slash - s) >= sizeof sc->region)
			return hs_fail(err, HS_ERR_INVALID, "scope: a region "
			    "is 2, 4 or 6 digits");
		memcpy(sc->region, s, (size_t)(slash - s));
		sc->region[slash - s] = '\0';
		if ((rc = check_region("scope region", sc->region, err))
		    != HS_OK)
			return rc;
		return copy_field("scope domain", slash + 1,
		    strlen(slash + 1), sc->domain, sizeof sc->domain, err);
	case ROLE_PROVIDER:
		return copy_field("scope provider", s, len, sc->provider,
		    sizeof sc->provider, err);
	case ROLE_EMPLOYER:
		return copy_field("scope unit", s, len, sc->unit,
		    sizeof sc->unit, err);
	case ROLE_PRACTITIONER:
		if (idnum_validate(s, -1, sc->id_number, err) != HS_OK) {
			hs_errprefix(err, "scope: ID number");
			return HS_ERR_INVALID;
		}
		return HS_OK;
	default:
		return hs_fail(err, HS_ERR_INVALID, "role: unknown");
	}
}

void
scope_format(enum role role, const struct scope *sc, char *out, size_t cap)
{
	switch (role) {
	case ROLE_INDUSTRY:
		snprintf(out, cap, "%s/%s", sc->region, sc->domain);
		break;
	case ROLE_PROVIDER:
		snprintf(out, cap, "%s", sc->provider);
		break;
	case ROLE_EMPLOYER:
		snprintf(out, cap, "%s", sc->unit);
		break;
	case ROLE_PRACTITIONER:
		snprintf(out, cap, "practitioner:%lld",
		    (long long)sc->practitioner_id);
		break;
	default:
		snprintf(out, cap, "%s", sc->region);
	}
}

/* Checks the fields scope_parse would have set (callers may fill them). */
static enum hs_err
scope_check(enum role role, const struct scope *sc, char *err)
{
	char tmp[1024];
	struct scope again;

	if (role == ROLE_PRACTITIONER)
		return sc->practitioner_id > 0 || sc->id_number[0] != '\0' ?
		    HS_OK : hs_fail(err, HS_ERR_INVALID, "scope: a "
		    "practitioner account needs the ID number");
	scope_format(role, sc, tmp, sizeof tmp);
	return scope_parse(role, tmp, &again, err);
}

/* ---- small helpers ---- */

static void
col_text(sqlite3_stmt *st, int i, char *dst, size_t cap)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	snprintf(dst, cap, "%s", s != NULL ? (const char *)s : "");
}

/* A fresh 256-bit token as base64url without padding (43 characters). */
static enum hs_err
new_token(char out[ACCT_TOKEN_LEN + 1], char *err)
{
	uint8_t raw[32];
	char b[B64_LEN(32)];
	size_t i;

	if (random_bytes(raw, sizeof raw) != HS_OK)
		return hs_fail(err, HS_ERR_IO, "token: no random bytes");
	b64_encode(raw, sizeof raw, b, sizeof b);
	OPENSSL_cleanse(raw, sizeof raw);
	for (i = 0; i < ACCT_TOKEN_LEN; i++)
		out[i] = b[i] == '+' ? '-' : b[i] == '/' ? '_' : b[i];
	out[ACCT_TOKEN_LEN] = '\0';
	OPENSSL_cleanse(b, sizeof b);
	return HS_OK;
}

/* True if s is exactly len base64url characters. */
static bool
is_b64url(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
	}
	return s[len] == '\0';
}

/* SHA-256 of a well-formed token (43 base64url characters after prefix
 * plen); false if the token is malformed. */
static bool
token_hash(const char *token, size_t plen, uint8_t h[32])
{
	if (strnlen(token, plen + ACCT_TOKEN_LEN + 1) !=
	    plen + ACCT_TOKEN_LEN || !is_b64url(token + plen, ACCT_TOKEN_LEN))
		return false;
	sha256(token, plen + ACCT_TOKEN_LEN, h);
	return true;
}

static enum hs_err
sodium_ready(char *err)
{
	/* sodium_init is idempotent and thread-safe: 0 first, 1 later. */
	if (sodium_init() < 0)
		return hs_fail(err, HS_ERR_CRYPTO, "libsodium cannot start");
	return HS_OK;
}

/* ---- reading accounts ---- */

#define ACCT_COLS "id, name, role, region, domain, provider, unit, " \
	"coalesce(practitioner_id, 0), org, pw_hash IS NOT NULL, " \
	"totp_enrolled, locked, disabled, failures, next_try, created, " \
	"created_by"

static enum hs_err
read_account(sqlite3 *db, const char *sql, const char *name, int64_t id,
    struct account *a, char *err)
{
	sqlite3_stmt *st = NULL;
	enum hs_err rc = HS_OK;
	char role[32];
	int step;

	memset(a, 0, sizeof *a);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "accounts");
	if (name != NULL)
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 1, id);
	step = sqlite3_step(st);
	if (step == SQLITE_DONE) {
		rc = HS_ERR_NOTFOUND;
		if (name != NULL && strlen(name) <= 256 &&
		    utf8_valid(name, strlen(name)) && !has_control(name))
			hs_fail(err, rc, "no account named %s", name);
		else
			hs_fail(err, rc, "no such account");
		goto out;
	}
	if (step != SQLITE_ROW) {
		rc = store_err(db, err, "accounts");
		goto out;
	}
	a->id = sqlite3_column_int64(st, 0);
	col_text(st, 1, a->name, sizeof a->name);
	col_text(st, 2, role, sizeof role);
	if (role_parse(role, &a->role, err) != HS_OK) {
		rc = hs_fail(err, HS_ERR_STATE, "account %s: role %s unknown",
		    a->name, role);
		goto out;
	}
	col_text(st, 3, a->scope.region, sizeof a->scope.region);
	col_text(st, 4, a->scope.domain, sizeof a->scope.domain);
	col_text(st, 5, a->scope.provider, sizeof a->scope.provider);
	col_text(st, 6, a->scope.unit, sizeof a->scope.unit);
	a->scope.practitioner_id = sqlite3_column_int64(st, 7);
	col_text(st, 8, a->org, sizeof a->org);
	a->has_password = sqlite3_column_int(st, 9) != 0;
	a->totp_enrolled = sqlite3_column_int(st, 10) != 0;
	a->locked = sqlite3_column_int(st, 11) != 0;
	a->disabled = sqlite3_column_int(st, 12) != 0;
	a->failures = sqlite3_column_int(st, 13);
	a->next_try = sqlite3_column_int64(st, 14);
	a->created = sqlite3_column_int64(st, 15);
	col_text(st, 16, a->created_by, sizeof a->created_by);
	a->must_enrol = role_is_staff(a->role) && !a->totp_enrolled;
out:
	sqlite3_finalize(st);
	return rc;
}

enum hs_err
accounts_get(sqlite3 *db, const char *name, struct account *a, char *err)
{
	return read_account(db, "SELECT " ACCT_COLS " FROM accounts WHERE "
	    "name = ?", name, 0, a, err);
}

enum hs_err
accounts_get_id(sqlite3 *db, int64_t id, struct account *a, char *err)
{
	return read_account(db, "SELECT " ACCT_COLS " FROM accounts WHERE "
	    "id = ?", NULL, id, a, err);
}

enum hs_err
accounts_get_practitioner(sqlite3 *db, const char *id_number,
    struct account *a, char *err)
{
	enum hs_err rc;

	rc = read_account(db, "SELECT " ACCT_COLS " FROM accounts WHERE "
	    "practitioner_id = (SELECT id FROM practitioners WHERE "
	    "id_number = ?)", id_number, 0, a, err);
	if (rc == HS_ERR_NOTFOUND)
		hs_fail(err, rc, "no account for that ID number");
	return rc;
}

enum hs_err
accounts_list(sqlite3 *db, int (*fn)(void *ctx, const struct account *a),
    void *ctx, char *err)
{
	sqlite3_stmt *st = NULL;
	struct account a;
	enum hs_err rc = HS_OK;
	int step;

	if (sqlite3_prepare_v2(db, "SELECT id FROM accounts ORDER BY name",
	    -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "accounts");
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rc = accounts_get_id(db, sqlite3_column_int64(st, 0), &a,
		    err)) != HS_OK)
			goto out;
		if (fn(ctx, &a) != 0) {
			rc = hs_fail(err, HS_ERR_STATE, "accounts: stopped");
			goto out;
		}
	}
	if (step != SQLITE_DONE)
		rc = store_err(db, err, "accounts");
out:
	sqlite3_finalize(st);
	return rc;
}

/* ---- who may create whom ---- */

/* The region of a unit (units table), "" if the unit has none. */
static enum hs_err
unit_region(sqlite3 *db, const char *sql, const char *text, int64_t id,
    char region[13], char *err)
{
	sqlite3_stmt *st = NULL;
	enum hs_err rc = HS_OK;
	int step;

	region[0] = '\0';
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "units");
	if (text != NULL)
		sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 1, id);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		col_text(st, 0, region, 13);
	else if (step != SQLITE_DONE)
		rc = store_err(db, err, "units");
	sqlite3_finalize(st);
	return rc;
}

/* Whether region lies within hr region r ('' only for province level). */
static bool
covers(const char *r, const char *region)
{
	size_t n = strlen(r);

	if (region[0] == '\0')
		return n == 2;
	return strncmp(region, r, n) == 0;
}

enum hs_err
accounts_can_create(sqlite3 *db, const struct account *by, enum role role,
    const struct scope *sc, char *err)
{
	const char *r;
	char region[13];
	enum hs_err rc;

	if (by == NULL)
		return HS_OK;
	if (by->role != ROLE_HR || by->disabled || by->locked)
		return hs_fail(err, HS_ERR_STATE, "only an hr account may "
		    "create or manage accounts and tokens");
	r = by->scope.region;
	switch (role) {
	case ROLE_HR:
	case ROLE_INDUSTRY:
	case ROLE_AUDITOR:
	case ROLE_TITLE_SYSTEM:
		if (sc->region[0] != '\0' && covers(r, sc->region))
			return HS_OK;
		return hs_fail(err, HS_ERR_STATE, "scope: region %s is "
		    "outside your region %s", sc->region, r);
	case ROLE_EMPLOYER:
		if ((rc = unit_region(db, "SELECT region FROM units WHERE "
		    "name = ?", sc->unit, 0, region, err)) != HS_OK)
			return rc;
		if (covers(r, region))
			return HS_OK;
		return hs_fail(err, HS_ERR_STATE, "scope: unit %s is outside "
		    "your region %s", sc->unit, r);
	case ROLE_PRACTITIONER:
		if ((rc = unit_region(db, "SELECT u.region FROM practitioners "
		    "p JOIN units u ON u.name = p.unit WHERE p.id = ?", NULL,
		    sc->practitioner_id, region, err)) != HS_OK)
			return rc;
		if (covers(r, region))
			return HS_OK;
		return hs_fail(err, HS_ERR_STATE, "scope: the practitioner's "
		    "unit is outside your region %s", r);
	case ROLE_PROVIDER:
		/* a provider name has no region: province level only */
		if (strlen(r) == 2)
			return HS_OK;
		return hs_fail(err, HS_ERR_STATE, "scope: provider accounts "
		    "and tokens are created by province-level hr (2-digit "
		    "region)");
	default:
		return hs_fail(err, HS_ERR_INVALID, "role: unknown");
	}
}

/* ---- invitations ---- */

/* Spends the account's open invitations and stores a new one. */
static enum hs_err
invitation_new(sqlite3 *db, int64_t account_id, int64_t now,
    char token[ACCT_TOKEN_LEN + 1], char *err)
{
	sqlite3_stmt *st = NULL;
	uint8_t h[32];
	enum hs_err rc;

	if ((rc = new_token(token, err)) != HS_OK)
		return rc;
	sha256(token, ACCT_TOKEN_LEN, h);
	if (sqlite3_prepare_v2(db, "UPDATE invitations SET expires = ?1 "
	    "WHERE account_id = ?2 AND used IS NULL AND expires > ?1", -1, &st,
	    NULL) != SQLITE_OK)
		return store_err(db, err, "invitations");
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, account_id);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = store_err(db, err, "invitations");
	sqlite3_finalize(st);
	if (rc != HS_OK)
		return rc;
	if (sqlite3_prepare_v2(db, "INSERT INTO invitations (hash, "
	    "account_id, created, expires) VALUES (?,?,?,?)", -1, &st, NULL)
	    != SQLITE_OK)
		return store_err(db, err, "invitations");
	sqlite3_bind_blob(st, 1, h, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, account_id);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, now + ACCT_INVITE_TTL);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = store_err(db, err, "invitations");
	sqlite3_finalize(st);
	return rc;
}

/* Runs an UPDATE/INSERT with int64 and text binds: "i" or "t" per bind. */
static enum hs_err
exec_binds(sqlite3 *db, const char *sql, const char *what, int *changes,
    const char *types, ...)
{
	sqlite3_stmt *st = NULL;
	enum hs_err rc = HS_OK;
	va_list ap;
	int i;

	(void)what;
	if (changes != NULL)
		*changes = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return HS_ERR_DB;
	va_start(ap, types);
	for (i = 0; types[i] != '\0'; i++) {
		if (types[i] == 'i')
			sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
		else
			sqlite3_bind_text(st, i + 1, va_arg(ap, const char *),
			    -1, SQLITE_TRANSIENT);
	}
	va_end(ap);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = HS_ERR_DB;
	else if (changes != NULL)
		*changes = sqlite3_changes(db);
	sqlite3_finalize(st);
	return rc;
}

/* The actor for an account acting on its own (sign-in, password). */
static struct actor
actor_of(const struct account *a, const char *client)
{
	struct actor w = { a->name, role_name(a->role), a->org,
		client != NULL ? client : "" };

	return w;
}

/* Looks up a practitioner by full ID number; NOTFOUND if there is none. */
static enum hs_err
practitioner_id(sqlite3 *db, const char *id_number, int64_t *id, char *err)
{
	sqlite3_stmt *st = NULL;
	enum hs_err rc = HS_OK;
	int step;

	*id = 0;
	if (sqlite3_prepare_v2(db, "SELECT id FROM practitioners WHERE "
	    "id_number = ?", -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "practitioners");
	sqlite3_bind_text(st, 1, id_number, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	else if (step == SQLITE_DONE)
		rc = hs_fail(err, HS_ERR_NOTFOUND, "scope: no practitioner "
		    "with that ID number");
	else
		rc = store_err(db, err, "practitioners");
	sqlite3_finalize(st);
	return rc;
}

/* HS_ERR_EXISTS if an account has this name in any letter case. */
static enum hs_err
name_free(sqlite3 *db, const char *name, char *err)
{
	sqlite3_stmt *st = NULL;
	enum hs_err rc = HS_OK;
	int step;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM accounts WHERE name = ? "
	    "COLLATE NOCASE", -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "accounts");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		rc = hs_fail(err, HS_ERR_EXISTS, "name: an account named %s "
		    "already exists", name);
	else if (step != SQLITE_DONE)
		rc = store_err(db, err, "accounts");
	sqlite3_finalize(st);
	return rc;
}

enum hs_err
accounts_add(sqlite3 *db, const struct actor *who, const struct account *by,
    const char *name, enum role role, const struct scope *sc_in,
    const char *org, int64_t now, char token[ACCT_TOKEN_LEN + 1], char *err)
{
	struct scope sc = *sc_in;
	char detail[1200], scope_text[1024];
	int64_t id;
	bool own = false;
	enum hs_err rc;

	token[0] = '\0';
	if ((rc = accounts_check_name("name", name, err)) != HS_OK ||
	    (rc = accounts_check_org(org, err)) != HS_OK)
		return rc;
	if ((unsigned)role >= ROLE_COUNT || role == ROLE_TITLE_SYSTEM)
		return hs_fail(err, HS_ERR_INVALID, "role: %s is for API "
		    "tokens only (token add)", role_name(role));
	if ((rc = scope_check(role, &sc, err)) != HS_OK)
		return rc;
	if (role == ROLE_PRACTITIONER && sc.practitioner_id == 0 &&
	    (rc = practitioner_id(db, sc.id_number, &sc.practitioner_id, err))
	    != HS_OK)
		return rc;
	OPENSSL_cleanse(sc.id_number, sizeof sc.id_number);
	if ((rc = accounts_can_create(db, by, role, &sc, err)) != HS_OK)
		return rc;
	if ((rc = store_join(db, &own, err)) != HS_OK)
		return rc;
	if ((rc = name_free(db, name, err)) != HS_OK)
		goto out;
	if (exec_binds(db, "INSERT INTO accounts (name, role, region, "
	    "domain, provider, unit, practitioner_id, org, created, "
	    "created_by) VALUES (?,?,?,?,?,?,nullif(?,0),?,?,?)", "accounts",
	    NULL, "tttttti" "tit", name, role_name(role), sc.region, sc.domain,
	    sc.provider, sc.unit, sc.practitioner_id, org, now,
	    by != NULL ? by->name : (who != NULL && who->name != NULL ?
	    who->name : "")) != HS_OK) {
		rc = store_err(db, err, "accounts");
		goto out;
	}
	id = sqlite3_last_insert_rowid(db);
	if ((rc = invitation_new(db, id, now, token, err)) != HS_OK)
		goto out;
	scope_format(role, &sc, scope_text, sizeof scope_text);
	snprintf(detail, sizeof detail, "role=%s scope=%s", role_name(role),
	    scope_text);
	rc = audit_append(db, who, "account.add", name, detail, NULL, err);
out:
	rc = store_leave(db, own, rc, err);
	if (rc != HS_OK)
		OPENSSL_cleanse(token, ACCT_TOKEN_LEN + 1);
	return rc;
}

/* Reads name and checks that by may manage it. */
static enum hs_err
managed(sqlite3 *db, const struct account *by, const char *name,
    struct account *a, char *err)
{
	enum hs_err rc;

	if (strnlen(name, 257) > 256)
		return hs_fail(err, HS_ERR_INVALID, "name: longer than 256 "
		    "bytes");
	if ((rc = accounts_get(db, name, a, err)) != HS_OK)
		return rc;
	/* out of scope reads as not found: existence does not leak */
	if (by != NULL && accounts_can_create(db, by, a->role, &a->scope,
	    err) != HS_OK)
		return hs_fail(err, HS_ERR_NOTFOUND, "no account named %s",
		    a->name);
	return HS_OK;
}

enum hs_err
accounts_reset(sqlite3 *db, const struct actor *who,
    const struct account *by, const char *name, int64_t now,
    char token[ACCT_TOKEN_LEN + 1], char *err)
{
	struct account a;
	char detail[64];
	bool own = false;
	int n = 0;
	enum hs_err rc;

	token[0] = '\0';
	if ((rc = managed(db, by, name, &a, err)) != HS_OK)
		return rc;
	if ((rc = store_join(db, &own, err)) != HS_OK)
		return rc;
	if (exec_binds(db, "UPDATE accounts SET pw_hash = NULL, "
	    "totp_secret = NULL, totp_enrolled = 0, failures = 0, "
	    "next_try = 0, locked = 0 WHERE id = ?", "accounts", NULL, "i",
	    a.id) != HS_OK) {
		rc = store_err(db, err, "accounts");
		goto out;
	}
	if ((rc = invitation_new(db, a.id, now, token, err)) != HS_OK ||
	    (rc = sessions_end_all(db, a.id, now, &n, err)) != HS_OK)
		goto out;
	snprintf(detail, sizeof detail, "sessions ended: %d", n);
	rc = audit_append(db, who, "account.reset", a.name, detail, NULL,
	    err);
out:
	rc = store_leave(db, own, rc, err);
	if (rc != HS_OK)
		OPENSSL_cleanse(token, ACCT_TOKEN_LEN + 1);
	return rc;
}

enum hs_err
accounts_set_disabled(sqlite3 *db, const struct actor *who,
    const struct account *by, const char *name, bool disabled, int64_t now,
    char *err)
{
	struct account a;
	bool own = false;
	enum hs_err rc;

	if ((rc = managed(db, by, name, &a, err)) != HS_OK)
		return rc;
	if ((rc = store_join(db, &own, err)) != HS_OK)
		return rc;
	if (exec_binds(db, "UPDATE accounts SET disabled = ? WHERE id = ?",
	    "accounts", NULL, "ii", (int64_t)disabled, a.id) != HS_OK) {
		rc = store_err(db, err, "accounts");
		goto out;
	}
	if (disabled && (rc = sessions_end_all(db, a.id, now, NULL, err))
	    != HS_OK)
		goto out;
	rc = audit_append(db, who, "account.disable", a.name,
	    disabled ? "disabled" : "enabled", NULL, err);
out:
	return store_leave(db, own, rc, err);
}

enum hs_err
accounts_unlock(sqlite3 *db, const struct actor *who,
    const struct account *by, const char *name, int64_t now, char *err)
{
	struct account a;
	bool own = false;
	enum hs_err rc;

	if ((rc = managed(db, by, name, &a, err)) != HS_OK)
		return rc;
	if ((rc = store_join(db, &own, err)) != HS_OK)
		return rc;
	if (exec_binds(db, "UPDATE accounts SET locked = 0, failures = 0, "
	    "next_try = 0 WHERE id = ?", "accounts", NULL, "i", a.id)
	    != HS_OK) {
		rc = store_err(db, err, "accounts");
		goto out;
	}
	rc = audit_append(db, who, "account.unlock", a.name,
	    a.locked ? "was locked" : "was not locked", NULL, err);
out:
	return store_leave(db, own, rc, err);
}

enum hs_err
accounts_invitation_check(sqlite3 *db, const char *token, int64_t now,
    struct account *a, char *err)
{
	sqlite3_stmt *st = NULL;
	enum hs_err rc = HS_OK;
	uint8_t h[32];
	int64_t id = 0;
	int step;

	memset(a, 0, sizeof *a);
	if (!token_hash(token, 0, h))
		return hs_fail(err, HS_ERR_NOTFOUND, "invitation: unknown");
	if (sqlite3_prepare_v2(db, "SELECT account_id, expires, used FROM "
	    "invitations WHERE hash = ?", -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "invitations");
	sqlite3_bind_blob(st, 1, h, 32, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_DONE)
		rc = hs_fail(err, HS_ERR_NOTFOUND, "invitation: unknown");
	else if (step != SQLITE_ROW)
		rc = store_err(db, err, "invitations");
	else if (sqlite3_column_type(st, 2) != SQLITE_NULL)
		rc = hs_fail(err, HS_ERR_STATE, "invitation: already used");
	else if (now >= sqlite3_column_int64(st, 1))
		rc = hs_fail(err, HS_ERR_STATE, "invitation: expired (ask for "
		    "a new one)");
	else
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != HS_OK)
		return rc;
	if ((rc = accounts_get_id(db, id, a, err)) != HS_OK)
		return rc;
	if (a->disabled)
		return hs_fail(err, HS_ERR_STATE, "invitation: the account is "
		    "disabled");
	return HS_OK;
}

/* Whether hay contains needle, ASCII letters compared without case. */
static bool
contains_nocase(const char *hay, const char *needle)
{
	return needle[0] != '\0' && strcasestr(hay, needle) != NULL;
}

enum hs_err
accounts_password_policy(sqlite3 *db, const struct account *a,
    const char *password, char *err)
{
	sqlite3_stmt *st = NULL;
	char id[IDNUM_SIZE] = "", part[IDNUM_SIZE];
	size_t len = strnlen(password, ACCT_PW_MAX_BYTES + 1);
	enum hs_err rc = HS_OK;

	if (len > ACCT_PW_MAX_BYTES)
		return hs_fail(err, HS_ERR_INVALID, "password: longer than %d "
		    "bytes", ACCT_PW_MAX_BYTES);
	if (!utf8_valid(password, len))
		return hs_fail(err, HS_ERR_INVALID, "password: not valid "
		    "UTF-8");
	if (has_control(password))
		return hs_fail(err, HS_ERR_INVALID, "password: contains a "
		    "control character");
	if (utf8_count(password) < ACCT_PW_MIN)
		return hs_fail(err, HS_ERR_INVALID, "password: fewer than %d "
		    "characters", ACCT_PW_MIN);
	if (contains_nocase(password, a->name))
		return hs_fail(err, HS_ERR_INVALID, "password: contains the "
		    "account name");
	if (a->role != ROLE_PRACTITIONER || a->scope.practitioner_id == 0)
		return HS_OK;
	if (sqlite3_prepare_v2(db, "SELECT id_number FROM practitioners "
	    "WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "practitioners");
	sqlite3_bind_int64(st, 1, a->scope.practitioner_id);
	if (sqlite3_step(st) == SQLITE_ROW)
		col_text(st, 0, id, sizeof id);
	sqlite3_finalize(st);
	if (strlen(id) != IDNUM_LEN)
		goto out;
	/* the number, its 17 digits, its last six characters, and the
	 * last six of its digits (what sites hand out as a password) */
	memcpy(part, id, 17);
	part[17] = '\0';
	if (contains_nocase(password, id) || contains_nocase(password, part) ||
	    contains_nocase(password, id + 12))
		rc = hs_fail(err, HS_ERR_INVALID, "password: contains the ID "
		    "number or its last six characters");
	memcpy(part, id + 11, 6);
	part[6] = '\0';
	if (rc == HS_OK && contains_nocase(password, part))
		rc = hs_fail(err, HS_ERR_INVALID, "password: contains digits "
		    "of the ID number");
out:
	OPENSSL_cleanse(id, sizeof id);
	OPENSSL_cleanse(part, sizeof part);
	return rc;
}

enum hs_err
accounts_invitation_use(sqlite3 *db, const char *token, const char *password,
    const char *client, int64_t now, struct account *out_a, char *err)
{
	char hash[crypto_pwhash_STRBYTES];
	struct account a;
	struct actor w;
	uint8_t h[32];
	bool own = false;
	int n = 0;
	enum hs_err rc;

	if (out_a != NULL)
		memset(out_a, 0, sizeof *out_a);
	if ((rc = accounts_invitation_check(db, token, now, &a, err)) != HS_OK)
		return rc;
	if ((rc = accounts_password_policy(db, &a, password, err)) != HS_OK)
		return rc;
	if ((rc = sodium_ready(err)) != HS_OK)
		return rc;
	/* hash before taking the write lock: it takes a while */
	if (crypto_pwhash_str(hash, password, strlen(password),
	    crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return hs_fail(err, HS_ERR_NOMEM, "password: hashing failed "
		    "(out of memory)");
	token_hash(token, 0, h);
	if ((rc = store_join(db, &own, err)) != HS_OK)
		goto out;
	/* used once: the row changes only if still open */
	{
		sqlite3_stmt *st = NULL;

		if (sqlite3_prepare_v2(db, "UPDATE invitations SET used = ?1 "
		    "WHERE hash = ?2 AND used IS NULL AND expires > ?1", -1,
		    &st, NULL) != SQLITE_OK) {
			rc = store_err(db, err, "invitations");
			goto out;
		}
		sqlite3_bind_int64(st, 1, now);
		sqlite3_bind_blob(st, 2, h, 32, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = store_err(db, err, "invitations");
		else
			n = sqlite3_changes(db);
		sqlite3_finalize(st);
		if (rc != HS_OK)
			goto out;
	}
	if (n != 1) {
		rc = hs_fail(err, HS_ERR_STATE, "invitation: already used");
		goto out;
	}
	if (exec_binds(db, "UPDATE accounts SET pw_hash = ?, failures = 0, "
	    "next_try = 0, locked = 0 WHERE id = ?", "accounts", NULL, "ti",
	    hash, a.id) != HS_OK) {
		rc = store_err(db, err, "accounts");
		goto out;
	}
	w = actor_of(&a, client);
	rc = audit_append(db, &w, "account.password", a.name, "invitation",
	    NULL, err);
out:
	rc = store_leave(db, own, rc, err);
	sodium_memzero(hash, sizeof hash);
	if (rc == HS_OK && out_a != NULL) {
		*out_a = a;
		out_a->has_password = true;
	}
	return rc;
}

/* ---- TOTP ---- */

/* Reads the account's TOTP secret; *len 0 if there is none. */
static enum hs_err
totp_secret(sqlite3 *db, int64_t id, uint8_t key[TOTP_SECRET_LEN],
    size_t *len, int64_t *last_step, int *enrolled, char *err)
{
	sqlite3_stmt *st = NULL;
	enum hs_err rc = HS_OK;
	int step;

	*len = 0;
	*last_step = 0;
	*enrolled = 0;
	if (sqlite3_prepare_v2(db, "SELECT totp_secret, totp_last_step, "
	    "totp_enrolled FROM accounts WHERE id = ?", -1, &st, NULL)
	    != SQLITE_OK)
		return store_err(db, err, "accounts");
	sqlite3_bind_int64(st, 1, id);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 0) == TOTP_SECRET_LEN) {
			memcpy(key, sqlite3_column_blob(st, 0),
			    TOTP_SECRET_LEN);
			*len = TOTP_SECRET_LEN;
		}
		*last_step = sqlite3_column_int64(st, 1);
		*enrolled = sqlite3_column_int(st, 2);
	} else if (step == SQLITE_DONE)
		rc = hs_fail(err, HS_ERR_NOTFOUND, "no such account");
	else
		rc = store_err(db, err, "accounts");
	sqlite3_finalize(st);
	return rc;
}

enum hs_err
accounts_totp_begin(sqlite3 *db, int64_t account_id,
    char secret_b32[TOTP_B32_LEN], char *uri, size_t uricap, char *err)
{
	uint8_t key[TOTP_SECRET_LEN], old[TOTP_SECRET_LEN];
	struct account a;
	sqlite3_stmt *st = NULL;
	size_t len;
	int64_t last;
	int enrolled;
	enum hs_err rc;

	secret_b32[0] = '\0';
	if ((rc = accounts_get_id(db, account_id, &a, err)) != HS_OK)
		return rc;
	if ((rc = totp_secret(db, account_id, old, &len, &last, &enrolled,
	    err)) != HS_OK)
		return rc;
	OPENSSL_cleanse(old, sizeof old);
	if (enrolled)
		return hs_fail(err, HS_ERR_STATE, "totp: already enrolled "
		    "(an hr resets the account to enrol again)");
	if (random_bytes(key, sizeof key) != HS_OK)
		return hs_fail(err, HS_ERR_IO, "totp: no random bytes");
	if (sqlite3_prepare_v2(db, "UPDATE accounts SET totp_secret = ? "
	    "WHERE id = ? AND totp_enrolled = 0", -1, &st, NULL) != SQLITE_OK) {
		rc = store_err(db, err, "accounts");
		goto out;
	}
	sqlite3_bind_blob(st, 1, key, sizeof key, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, account_id);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = store_err(db, err, "accounts");
	sqlite3_finalize(st);
	if (rc != HS_OK)
		goto out;
	b32_encode(key, sizeof key, secret_b32, TOTP_B32_LEN);
	rc = totp_uri(a.name, key, sizeof key, uri, uricap, err);
out:
	OPENSSL_cleanse(key, sizeof key);
	return rc;
}

/*
 * Checks code against the account's secret inside the current
 * transaction and moves totp_last_step to the matched step; a step at or
 * below the last one is a replay.
 */
static enum hs_err
totp_use(sqlite3 *db, int64_t id, const char *code, int64_t now,
    bool need_enrolled, char *err)
{
	uint8_t key[TOTP_SECRET_LEN];
	size_t len;
	int64_t last, step;
	int enrolled, n = 0;
	enum hs_err rc;

	if ((rc = totp_secret(db, id, key, &len, &last, &enrolled, err))
	    != HS_OK)
		return rc;
	if (len == 0 || (need_enrolled && !enrolled)) {
		rc = hs_fail(err, HS_ERR_STATE, "totp: not %s",
		    len == 0 ? "started (begin enrolment first)" : "enrolled");
		goto out;
	}
	if (totp_verify(key, len, code, now, &step, err) != HS_OK) {
		rc = HS_ERR_SIGNATURE;
		goto out;
	}
	if (step <= last) {
		rc = hs_fail(err, HS_ERR_SIGNATURE, "code: already used");
		goto out;
	}
	if (exec_binds(db, "UPDATE accounts SET totp_last_step = ?1 WHERE "
	    "id = ?2 AND totp_last_step < ?1", "accounts", &n, "ii", step, id)
	    != HS_OK)
		rc = store_err(db, err, "accounts");
	else if (n != 1)
		rc = hs_fail(err, HS_ERR_SIGNATURE, "code: already used");
out:
	OPENSSL_cleanse(key, sizeof key);
	return rc;
}

enum hs_err
accounts_totp_confirm(sqlite3 *db, const struct actor *who,
    int64_t account_id, const char *code, int64_t now, char *err)
{
	struct account a;
	bool own = false;
	enum hs_err rc;

	if ((rc = accounts_get_id(db, account_id, &a, err)) != HS_OK)
		return rc;
	if (a.totp_enrolled)
		return hs_fail(err, HS_ERR_STATE, "totp: already enrolled");
	if ((rc = store_join(db, &own, err)) != HS_OK)
		return rc;
	if ((rc = totp_use(db, account_id, code, now, false, err)) != HS_OK)
		goto out;
	if (exec_binds(db, "UPDATE accounts SET totp_enrolled = 1 WHERE id = ?",
	    "accounts", NULL, "i", account_id) != HS_OK) {
		rc = store_err(db, err, "accounts");
		goto out;
	}
	rc = audit_append(db, who, "account.totp", a.name, "enrolled", NULL,
	    err);
out:
	return store_leave(db, own, rc, err);
}

enum hs_err
accounts_totp_check(sqlite3 *db, int64_t account_id, const char *code,
    int64_t now, char *err)
{
	bool own = false;
	enum hs_err rc;

	if ((rc = store_join(db, &own, err)) != HS_OK)
		return rc;
	rc = totp_use(db, account_id, code, now, true, err);
	/* a refused code changes nothing, but must not roll back a
	 * caller's transaction: only an own one ends here */
	return store_leave(db, own, rc, err);
}

/* ---- sign-in ---- */

/* The stored Argon2id string; "" if none. */
static enum hs_err
pw_hash_of(sqlite3 *db, int64_t id, char out[crypto_pwhash_STRBYTES],
    char *err)
{
	sqlite3_stmt *st = NULL;
	enum hs_err rc = HS_OK;

	out[0] = '\0';
	if (sqlite3_prepare_v2(db, "SELECT pw_hash FROM accounts WHERE id = ?",
	    -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "accounts");
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) == SQLITE_TEXT &&
	    (size_t)sqlite3_column_bytes(st, 0) < crypto_pwhash_STRBYTES)
		col_text(st, 0, out, crypto_pwhash_STRBYTES);
	sqlite3_finalize(st);
	return rc;
}

/* The backoff after f consecutive failures, in seconds (0: none). */
static int64_t
backoff(int f)
{
	int64_t s;

	if (f < ACCT_BACKOFF_FROM)
		return 0;
	if (f - ACCT_BACKOFF_FROM >= 10)
		return ACCT_BACKOFF_CAP;
	s = (int64_t)1 << (f - ACCT_BACKOFF_FROM);
	return s > ACCT_BACKOFF_CAP ? ACCT_BACKOFF_CAP : s;
}

/* Counts a failure for a known account, audits it, locks at the limit;
 * *locked says whether this failure locked it. */
static enum hs_err
count_failure(sqlite3 *db, const struct account *a, const char *reason,
    const char *client, int64_t now, bool *locked, char *err)
{
	sqlite3_stmt *st = NULL;
	struct actor w = actor_of(a, client);
	enum hs_err rc = HS_OK;
	int f = 0;
	char detail[96];

	*locked = false;
	if (sqlite3_prepare_v2(db, "UPDATE accounts SET failures = failures "
	    "+ 1 WHERE id = ? RETURNING failures", -1, &st, NULL)
	    != SQLITE_OK)
		return store_err(db, err, "accounts");
	sqlite3_bind_int64(st, 1, a->id);
	if (sqlite3_step(st) == SQLITE_ROW)
		f = sqlite3_column_int(st, 0);
	else
		rc = store_err(db, err, "accounts");
	sqlite3_finalize(st);
	if (rc != HS_OK)
		return rc;
	*locked = f >= ACCT_LOCK_AFTER;
	if (exec_binds(db, "UPDATE accounts SET next_try = ?, locked = "
	    "max(locked, ?) WHERE id = ?", "accounts", NULL, "iii",
	    backoff(f) > 0 ? now + backoff(f) : 0, (int64_t)*locked, a->id)
	    != HS_OK)
		return store_err(db, err, "accounts");
	snprintf(detail, sizeof detail, "%s; failures: %d", reason, f);
	if ((rc = audit_append(db, &w, "session.signin_failed", a->name,
	    detail, NULL, err)) != HS_OK)
		return rc;
	if (*locked && !a->locked)
		rc = audit_append(db, &w, "session.locked", a->name,
		    "consecutive failures", NULL, err);
	return rc;
}

enum hs_err
accounts_signin(sqlite3 *db, const char *name, const char *password,
    const char *totp_code, const char *client_in, int64_t now,
    struct account *out_a, char *err)
{
	char hash[crypto_pwhash_STRBYTES] = "", client[ACCT_CLIENT_MAX + 1];
	const char *reason = NULL;
	struct account a;
	struct actor w;
	size_t pwlen = strnlen(password, ACCT_PW_MAX_BYTES + 1);
	bool known, own = false, locked = false, pw_ok;
	enum hs_err rc;

	memset(out_a, 0, sizeof *out_a);
	snprintf(client, sizeof client, "%s", client_in != NULL ? client_in :
	    "");
	if (!utf8_valid(client, strlen(client)) || has_control(client))
		snprintf(client, sizeof client, "?");
	if ((rc = sodium_ready(err)) != HS_OK)
		return rc;
	if (strnlen(name, 257) > 256 || pwlen > ACCT_PW_MAX_BYTES)
		return hs_fail(err, HS_ERR_INVALID, "sign-in: name or password "
		    "too long");
	rc = accounts_get(db, name, &a, err);
	if (rc != HS_OK && rc != HS_ERR_NOTFOUND)
		return rc;
	known = rc == HS_OK;
	if (known && a.locked)
		reason = "locked";
	else if (known && now < a.next_try)
		reason = "backoff";
	if (reason != NULL) {
		/* refused without checking: audit the attempt only */
		w = actor_of(&a, client);
		if ((rc = store_join(db, &own, err)) == HS_OK)
			rc = audit_append(db, &w, "session.signin_failed",
			    a.name, reason, NULL, err);
		rc = store_leave(db, own, rc, err);
		if (rc == HS_OK)
			rc = a.locked ? hs_fail(err, HS_ERR_STATE, "sign-in: "
			    "the account is locked; an hr account can unlock "
			    "it") : hs_fail(err, HS_ERR_STATE, "sign-in: too "
			    "many failures; try again in %lld s",
			    (long long)(a.next_try - now));
		return rc;
	}
	if (known && (rc = pw_hash_of(db, a.id, hash, err)) != HS_OK)
		return rc;
	/* the same Argon2id work whether or not the name exists */
	pw_ok = crypto_pwhash_str_verify(hash[0] != '\0' ? hash : dummy_hash,
	    password, pwlen) == 0 && hash[0] != '\0';
	sodium_memzero(hash, sizeof hash);
	if (!known)
		reason = "unknown account";
	else if (!a.has_password)
		reason = "no password set";
	else if (!pw_ok)
		reason = "wrong password";
	else if (a.disabled)
		reason = "disabled";
	if ((rc = store_join(db, &own, err)) != HS_OK)
		return rc;
	if (reason == NULL && a.totp_enrolled) {
		if (totp_code == NULL || totp_code[0] == '\0')
			reason = "code missing";
		else if (totp_use(db, a.id, totp_code, now, true, err)
		    != HS_OK)
			reason = "wrong code";
	}
	if (reason != NULL && !known) {
		/* the typed name may be anything, an ID number even: kept
		 * out of the audit log */
		static const struct actor anon = { "?", "", "", "" };
		struct actor aw = anon;

		aw.client = client;
		rc = audit_append(db, &aw, "session.signin_failed", "?",
		    reason, NULL, err);
	} else if (reason != NULL)
		rc = count_failure(db, &a, reason, client, now, &locked, err);
	else {
		w = actor_of(&a, client);
		if (exec_binds(db, "UPDATE accounts SET failures = 0, "
		    "next_try = 0 WHERE id = ?", "accounts", NULL, "i", a.id)
		    != HS_OK)
			rc = store_err(db, err, "accounts");
		else
			rc = audit_append(db, &w, "session.signin", a.name,
			    a.must_enrol ? "enrol only" : "", NULL, err);
	}
	rc = store_leave(db, own, rc, err);
	if (rc != HS_OK)
		return rc;
	if (locked)
		return hs_fail(err, HS_ERR_STATE, "sign-in: %d failures: the "
		    "account is now locked; an hr account can unlock it",
		    ACCT_LOCK_AFTER);
	if (reason != NULL)
		return hs_fail(err, HS_ERR_SIGNATURE, "%s", signin_refused);
	a.failures = 0;
	a.next_try = 0;
	*out_a = a;
	return HS_OK;
}

/* ---- sessions ---- */

enum hs_err
sessions_create(sqlite3 *db, int64_t account_id, const char *client_in,
    int64_t now, char token[ACCT_TOKEN_LEN + 1],
    char csrf[ACCT_TOKEN_LEN + 1], char *err)
{
	sqlite3_stmt *st = NULL;
	char client[ACCT_CLIENT_MAX + 1];
	uint8_t h[32];
	enum hs_err rc = HS_OK;

	token[0] = csrf[0] = '\0';
	snprintf(client, sizeof client, "%s", client_in != NULL ? client_in :
	    "");
	if (!utf8_valid(client, strlen(client)) || has_control(client))
		snprintf(client, sizeof client, "?");
	if ((rc = new_token(token, err)) != HS_OK ||
	    (rc = new_token(csrf, err)) != HS_OK)
		goto out;
	sha256(token, ACCT_TOKEN_LEN, h);
	if (sqlite3_prepare_v2(db, "INSERT INTO sessions (hash, account_id, "
	    "csrf, created, last_seen, client) VALUES (?,?,?,?,?,?)", -1, &st,
	    NULL) != SQLITE_OK) {
		rc = store_err(db, err, "sessions");
		goto out;
	}
	sqlite3_bind_blob(st, 1, h, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, account_id);
	sqlite3_bind_text(st, 3, csrf, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_int64(st, 5, now);
	sqlite3_bind_text(st, 6, client, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = store_err(db, err, "sessions");
	sqlite3_finalize(st);
out:
	if (rc != HS_OK) {
		OPENSSL_cleanse(token, ACCT_TOKEN_LEN + 1);
		OPENSSL_cleanse(csrf, ACCT_TOKEN_LEN + 1);
		token[0] = csrf[0] = '\0';
	}
	return rc;
}

enum hs_err
sessions_lookup(sqlite3 *db, const char *token, int64_t now,
    struct session *s_out, struct account *a_out, char *err)
{
	sqlite3_stmt *st = NULL;
	struct session s;
	struct account a;
	uint8_t h[32];
	enum hs_err rc = HS_OK;
	int step;

	memset(&s, 0, sizeof s);
	if (s_out != NULL)
		memset(s_out, 0, sizeof *s_out);
	if (a_out != NULL)
		memset(a_out, 0, sizeof *a_out);
	if (!token_hash(token, 0, h))
		return hs_fail(err, HS_ERR_NOTFOUND, "session: unknown");
	if (sqlite3_prepare_v2(db, "SELECT account_id, csrf, created, "
	    "last_seen, ended, client FROM sessions WHERE hash = ?", -1, &st,
	    NULL) != SQLITE_OK)
		return store_err(db, err, "sessions");
	sqlite3_bind_blob(st, 1, h, 32, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		s.account_id = sqlite3_column_int64(st, 0);
		col_text(st, 1, s.csrf, sizeof s.csrf);
		s.created = sqlite3_column_int64(st, 2);
		s.last_seen = sqlite3_column_int64(st, 3);
		col_text(st, 5, s.client, sizeof s.client);
		if (sqlite3_column_type(st, 4) != SQLITE_NULL)
			rc = hs_fail(err, HS_ERR_NOTFOUND, "session: ended");
		else if (now - s.last_seen >= SESSION_IDLE)
			rc = hs_fail(err, HS_ERR_NOTFOUND, "session: idle "
			    "timeout");
		else if (now - s.created >= SESSION_MAX || now < s.created)
			rc = hs_fail(err, HS_ERR_NOTFOUND, "session: expired");
	} else if (step == SQLITE_DONE)
		rc = hs_fail(err, HS_ERR_NOTFOUND, "session: unknown");
	else
		rc = store_err(db, err, "sessions");
	sqlite3_finalize(st);
	if (rc != HS_OK)
		return rc;
	if ((rc = accounts_get_id(db, s.account_id, &a, err)) != HS_OK)
		return rc == HS_ERR_NOTFOUND ? hs_fail(err, rc,
		    "session: unknown") : rc;
	if (a.disabled || a.locked)
		return hs_fail(err, HS_ERR_NOTFOUND, "session: account %s",
		    a.disabled ? "disabled" : "locked");
	/* at most one write a minute per session */
	if (now - s.last_seen >= ACCT_TOUCH_EVERY) {
		sqlite3_stmt *up = NULL;

		if (sqlite3_prepare_v2(db, "UPDATE sessions SET last_seen = ? "
		    "WHERE hash = ?", -1, &up, NULL) != SQLITE_OK)
			return store_err(db, err, "sessions");
		sqlite3_bind_int64(up, 1, now);
		sqlite3_bind_blob(up, 2, h, 32, SQLITE_STATIC);
		if (sqlite3_step(up) != SQLITE_DONE)
			rc = store_err(db, err, "sessions");
		sqlite3_finalize(up);
		if (rc != HS_OK)
			return rc;
		s.last_seen = now;
	}
	if (s_out != NULL)
		*s_out = s;
	if (a_out != NULL)
		*a_out = a;
	return HS_OK;
}

enum hs_err
sessions_end(sqlite3 *db, const char *token, const char *client,
    int64_t now, char *err)
{
	sqlite3_stmt *st = NULL;
	struct account a;
	struct actor w;
	uint8_t h[32];
	int64_t id = 0;
	bool own = false;
	enum hs_err rc = HS_OK;

	if (!token_hash(token, 0, h))
		return hs_fail(err, HS_ERR_NOTFOUND, "session: unknown");
	if ((rc = store_join(db, &own, err)) != HS_OK)
		return rc;
	if (sqlite3_prepare_v2(db, "UPDATE sessions SET ended = ? WHERE "
	    "hash = ? AND ended IS NULL RETURNING account_id", -1, &st, NULL)
	    != SQLITE_OK) {
		rc = store_err(db, err, "sessions");
		goto out;
	}
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_blob(st, 2, h, 32, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	else
		rc = hs_fail(err, HS_ERR_NOTFOUND, "session: not live");
	sqlite3_finalize(st);
	if (rc != HS_OK)
		goto out;
	if ((rc = accounts_get_id(db, id, &a, err)) != HS_OK)
		goto out;
	w = actor_of(&a, client);
	rc = audit_append(db, &w, "session.signout", a.name, "", NULL, err);
out:
	return store_leave(db, own, rc, err);
}

enum hs_err
sessions_end_all(sqlite3 *db, int64_t account_id, int64_t now, int *n,
    char *err)
{
	int changes = 0;

	if (n != NULL)
		*n = 0;
	if (exec_binds(db, "UPDATE sessions SET ended = ? WHERE account_id = ? "
	    "AND ended IS NULL", "sessions", &changes, "ii", now, account_id)
	    != HS_OK)
		return store_err(db, err, "sessions");
	if (n != NULL)
		*n = changes;
	return HS_OK;
}

/* ---- API tokens ---- */

#define TOKEN_COLS "id, label, role, region, provider, org, created, " \
	"created_by, expires, coalesce(last_used, 0), coalesce(revoked, 0)"

static enum hs_err
read_token(sqlite3_stmt *st, struct api_token *t, char *err)
{
	char role[32];

	memset(t, 0, sizeof *t);
	t->id = sqlite3_column_int64(st, 0);
	col_text(st, 1, t->label, sizeof t->label);
	col_text(st, 2, role, sizeof role);
	if (role_parse(role, &t->role, err) != HS_OK)
		return hs_fail(err, HS_ERR_STATE, "token %s: role %s unknown",
		    t->label, role);
	col_text(st, 3, t->scope.region, sizeof t->scope.region);
	col_text(st, 4, t->scope.provider, sizeof t->scope.provider);
	col_text(st, 5, t->org, sizeof t->org);
	t->created = sqlite3_column_int64(st, 6);
	col_text(st, 7, t->created_by, sizeof t->created_by);
	t->expires = sqlite3_column_int64(st, 8);
	t->last_used = sqlite3_column_int64(st, 9);
	t->revoked = sqlite3_column_int64(st, 10);
	return HS_OK;
}

enum hs_err
tokens_add(sqlite3 *db, const struct actor *who, const struct account *by,
    enum role role, const struct scope *sc, const char *org_in,
    const char *label, int days, int64_t now,
    char token[ACCT_API_TOKEN_LEN + 1], char *err)
{
	sqlite3_stmt *st = NULL;
	char scope_text[1024], detail[1200];
	const char *org = org_in != NULL ? org_in : "";
	uint8_t h[32];
	bool own = false;
	enum hs_err rc;
	int step;

	token[0] = '\0';
	if (role != ROLE_PROVIDER && role != ROLE_TITLE_SYSTEM &&
	    role != ROLE_HR)
		return hs_fail(err, HS_ERR_INVALID, "role: API tokens are for "
		    "provider, title-system or hr");
	if ((rc = accounts_check_name("label", label, err)) != HS_OK ||
	    (rc = scope_check(role, sc, err)) != HS_OK)
		return rc;
	if (org[0] == '\0' && role == ROLE_PROVIDER)
		org = sc->provider;
	if ((rc = accounts_check_org(org, err)) != HS_OK)
		return rc;
	if (days < 1 || days > TOKEN_DAYS_MAX)
		return hs_fail(err, HS_ERR_INVALID, "days: 1 to %d",
		    TOKEN_DAYS_MAX);
	if ((rc = accounts_can_create(db, by, role, sc, err)) != HS_OK)
		return rc;
	memcpy(token, ACCT_API_PREFIX, 4);
	if ((rc = new_token(token + 4, err)) != HS_OK)
		return rc;
	sha256(token, ACCT_API_TOKEN_LEN, h);
	if ((rc = store_join(db, &own, err)) != HS_OK)
		goto out;
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM api_tokens WHERE label = ? "
	    "AND revoked IS NULL AND expires > ?", -1, &st, NULL)
	    != SQLITE_OK) {
		rc = store_err(db, err, "api_tokens");
		goto out;
	}
	sqlite3_bind_text(st, 1, label, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	step = sqlite3_step(st);
	sqlite3_finalize(st);
	if (step == SQLITE_ROW) {
		rc = hs_fail(err, HS_ERR_EXISTS, "label: a live token is "
		    "labelled %s already", label);
		goto out;
	}
	if (sqlite3_prepare_v2(db, "INSERT INTO api_tokens (hash, label, "
	    "role, region, provider, org, created, created_by, expires) "
	    "VALUES (?,?,?,?,?,?,?,?,?)", -1, &st, NULL) != SQLITE_OK) {
		rc = store_err(db, err, "api_tokens");
		goto out;
	}
	sqlite3_bind_blob(st, 1, h, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, label, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, role_name(role), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, sc->region, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, sc->provider, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, org, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, now);
	sqlite3_bind_text(st, 8, by != NULL ? by->name : (who != NULL &&
	    who->name != NULL ? who->name : ""), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, now + (int64_t)days * 86400);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = store_err(db, err, "api_tokens");
	sqlite3_finalize(st);
	if (rc != HS_OK)
		goto out;
	scope_format(role, sc, scope_text, sizeof scope_text);
	snprintf(detail, sizeof detail, "role=%s scope=%s days=%d",
	    role_name(role), scope_text, days);
	rc = audit_append(db, who, "token.add", label, detail, NULL, err);
out:
	rc = store_leave(db, own, rc, err);
	if (rc != HS_OK) {
		OPENSSL_cleanse(token, ACCT_API_TOKEN_LEN + 1);
		token[0] = '\0';
	}
	return rc;
}

enum hs_err
tokens_lookup(sqlite3 *db, const char *token, int64_t now,
    struct api_token *t, char *err)
{
	sqlite3_stmt *st = NULL;
	uint8_t h[32];
	enum hs_err rc = HS_OK;
	int step;

	memset(t, 0, sizeof *t);
	if (strncmp(token, ACCT_API_PREFIX, 4) != 0 || !token_hash(token, 4, h))
		return hs_fail(err, HS_ERR_NOTFOUND, "token: unknown");
	if (sqlite3_prepare_v2(db, "SELECT " TOKEN_COLS " FROM api_tokens "
	    "WHERE hash = ?", -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "api_tokens");
	sqlite3_bind_blob(st, 1, h, 32, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		rc = read_token(st, t, err);
	else if (step == SQLITE_DONE)
		rc = hs_fail(err, HS_ERR_NOTFOUND, "token: unknown");
	else
		rc = store_err(db, err, "api_tokens");
	sqlite3_finalize(st);
	if (rc == HS_OK && (t->revoked != 0 || now >= t->expires))
		rc = hs_fail(err, HS_ERR_NOTFOUND, "token: unknown");
	if (rc != HS_OK) {
		memset(t, 0, sizeof *t);
		return rc;
	}
	if (t->last_used == 0 || now - t->last_used >= ACCT_TOUCH_EVERY) {
		if (exec_binds(db, "UPDATE api_tokens SET last_used = ? WHERE "
		    "id = ?", "api_tokens", NULL, "ii", now, t->id) != HS_OK)
			return store_err(db, err, "api_tokens");
		t->last_used = now;
	}
	return HS_OK;
}

enum hs_err
tokens_list(sqlite3 *db, int (*fn)(void *ctx, const struct api_token *t),
    void *ctx, char *err)
{
	sqlite3_stmt *st = NULL;
	struct api_token t;
	enum hs_err rc = HS_OK;
	int step;

	if (sqlite3_prepare_v2(db, "SELECT " TOKEN_COLS " FROM api_tokens "
	    "ORDER BY id DESC", -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "api_tokens");
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rc = read_token(st, &t, err)) != HS_OK)
			goto out;
		if (fn(ctx, &t) != 0) {
			rc = hs_fail(err, HS_ERR_STATE, "tokens: stopped");
			goto out;
		}
	}
	if (step != SQLITE_DONE)
		rc = store_err(db, err, "api_tokens");
out:
	sqlite3_finalize(st);
	return rc;
}

enum hs_err
tokens_revoke(sqlite3 *db, const struct actor *who, const struct account *by,
    const char *label, int64_t now, char *err)
{
	sqlite3_stmt *st = NULL;
	struct api_token t;
	bool own = false, found = false;
	enum hs_err rc = HS_OK;
	int step;

	if (strnlen(label, 257) > 256)
		return hs_fail(err, HS_ERR_INVALID, "label: longer than 256 "
		    "bytes");
	if ((rc = store_join(db, &own, err)) != HS_OK)
		return rc;
	if (sqlite3_prepare_v2(db, "SELECT " TOKEN_COLS " FROM api_tokens "
	    "WHERE label = ? AND revoked IS NULL AND expires > ? ORDER BY id "
	    "DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK) {
		rc = store_err(db, err, "api_tokens");
		goto out;
	}
	sqlite3_bind_text(st, 1, label, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		rc = read_token(st, &t, err);
		found = rc == HS_OK;
	} else if (step != SQLITE_DONE)
		rc = store_err(db, err, "api_tokens");
	sqlite3_finalize(st);
	if (rc != HS_OK)
		goto out;
	if (!found || (by != NULL && accounts_can_create(db, by, t.role,
	    &t.scope, err) != HS_OK)) {
		rc = hs_fail(err, HS_ERR_NOTFOUND, "label: no live token "
		    "labelled so");
		goto out;
	}
	if (exec_binds(db, "UPDATE api_tokens SET revoked = ? WHERE id = ?",
	    "api_tokens", NULL, "ii", now, t.id) != HS_OK) {
		rc = store_err(db, err, "api_tokens");
		goto out;
	}
	rc = audit_append(db, who, "token.revoke", t.label, "", NULL, err);
out:
	return store_leave(db, own, rc, err);
}

/* ---- password change (/my/account) ---- */

enum hs_err
accounts_password_change(sqlite3 *db, int64_t account_id, const char *old,
    const char *new_pw, const char *client, int64_t now, char *err)
{
	char hash[crypto_pwhash_STRBYTES] = "", cl[ACCT_CLIENT_MAX + 1];
	struct account a;
	struct actor w;
	bool own = false, locked = false, ok;
	enum hs_err rc;

	snprintf(cl, sizeof cl, "%s", client != NULL ? client : "");
	if (!utf8_valid(cl, strlen(cl)) || has_control(cl))
		snprintf(cl, sizeof cl, "?");
	if ((rc = sodium_ready(err)) != HS_OK)
		return rc;
	if ((rc = accounts_get_id(db, account_id, &a, err)) != HS_OK)
		return rc;
	if (a.disabled || a.locked)
		return hs_fail(err, HS_ERR_STATE, "password: the account is "
		    "disabled or locked");
	if (a.has_password) {
		if (now < a.next_try)
			return hs_fail(err, HS_ERR_STATE, "password: too many "
			    "failures; try again in %lld s",
			    (long long)(a.next_try - now));
		if (old == NULL || strnlen(old, ACCT_PW_MAX_BYTES + 1) >
		    ACCT_PW_MAX_BYTES)
			old = "";
		if ((rc = pw_hash_of(db, a.id, hash, err)) != HS_OK)
			return rc;
		ok = hash[0] != '\0' && crypto_pwhash_str_verify(hash, old,
		    strlen(old)) == 0;
		sodium_memzero(hash, sizeof hash);
		if (!ok) {
			if ((rc = store_join(db, &own, err)) == HS_OK)
				rc = count_failure(db, &a, "wrong password "
				    "(password change)", cl, now, &locked, err);
			if ((rc = store_leave(db, own, rc, err)) != HS_OK)
				return rc;
			return hs_fail(err, locked ? HS_ERR_STATE :
			    HS_ERR_SIGNATURE, locked ? "password: too many "
			    "failures: the account is now locked" :
			    "password: wrong current password");
		}
	}
	if ((rc = accounts_password_policy(db, &a, new_pw, err)) != HS_OK)
		return rc;
	if (crypto_pwhash_str(hash, new_pw, strlen(new_pw),
	    crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return hs_fail(err, HS_ERR_NOMEM, "password: hashing failed "
		    "(out of memory)");
	if ((rc = store_join(db, &own, err)) != HS_OK)
		goto out;
	if (exec_binds(db, "UPDATE accounts SET pw_hash = ?, failures = 0, "
	    "next_try = 0 WHERE id = ?", "accounts", NULL, "ti", hash, a.id)
	    != HS_OK) {
		rc = store_err(db, err, "accounts");
		goto out;
	}
	if ((rc = sessions_end_all(db, a.id, now, NULL, err)) != HS_OK)
		goto out;
	w = actor_of(&a, cl);
	rc = audit_append(db, &w, "account.password", a.name, a.has_password ?
	    "changed" : "set", NULL, err);
out:
	rc = store_leave(db, own, rc, err);
	sodium_memzero(hash, sizeof hash);
	return rc;
}
