/*
 * test_accounts.c - store/accounts.h: name, org and scope rules (hostile
 * text), invitations (expired, reused, unknown), the password policy,
 * sign-in backoff and lock with an injected clock, unlock, TOTP
 * enrolment and replay, sessions (idle, absolute, ended, disabled),
 * API tokens (expiry, revoke, labels), who may create whom, the audit
 * rows, and that the database file holds only hashes of the tokens.
 *
 * Most accounts get a cheap Argon2id hash written straight into the
 * table (libsodium's minimum limits) so the ten failures of the lock
 * test do not take ten seconds; one password goes through the real
 * invitation path with the interactive limits.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cert/idnum.h"
#include "core/file.h"
#include "core/totp.h"
#include "core/util.h"
#include "store/accounts.h"
#include "store/store.h"
#include "t.h"
#include "tlib.h"

static const struct actor op = { "cli", "operator", "Test HR", "" };
static sqlite3 *db;
static char err[HS_ERRLEN];

static int64_t
count_sql(const char *sql, const char *arg)
{
	sqlite3_stmt *st = NULL;
	int64_t n = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (arg != NULL)
		sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static int64_t
audits(const char *action)
{
	return count_sql("SELECT count(*) FROM audit WHERE action = ?", action);
}

/* Gives name a password hashed with libsodium's minimum limits. */
static int
cheap_password(const char *name, const char *pw)
{
	char h[crypto_pwhash_STRBYTES];
	sqlite3_stmt *st = NULL;
	int ok;

	if (crypto_pwhash_str(h, pw, strlen(pw), crypto_pwhash_OPSLIMIT_MIN,
	    crypto_pwhash_MEMLIMIT_MIN) != 0)
		return 0;
	if (sqlite3_prepare_v2(db, "UPDATE accounts SET pw_hash = ? WHERE "
	    "name = ?", -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, h, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	ok = sqlite3_step(st) == SQLITE_DONE && sqlite3_changes(db) == 1;
	sqlite3_finalize(st);
	return ok;
}

static enum hs_err
add(const struct account *by, const char *name, enum role role,
    const char *scope, int64_t now, char token[ACCT_TOKEN_LEN + 1])
{
	struct scope sc;
	enum hs_err rc;

	if ((rc = scope_parse(role, scope, &sc, err)) != HS_OK)
		return rc;
	return accounts_add(db, &op, by, name, role, &sc, "Org", now, token,
	    err);
}

/* Whether the n bytes of needle occur in the file at path. */
static int
file_has(const char *path, const void *needle, size_t n)
{
	char *data = NULL;
	size_t len = 0, i;
	int found = 0;

	if (file_read(path, 1 << 28, &data, &len, err) != HS_OK)
		return 0;
	for (i = 0; i + n <= len && !found; i++)
		found = memcmp(data + i, needle, n) == 0;
	free(data);
	return found;
}

/* Whether needle occurs in the database or its WAL. */
static int
db_has(const char *dir, const void *needle, size_t n)
{
	char p[256];
	int f;

	snprintf(p, sizeof p, "%s/hs.db", dir);
	f = file_has(p, needle, n);
	snprintf(p, sizeof p, "%s/hs.db-wal", dir);
	return f || file_has(p, needle, n);
}

static void
test_rules(void)
{
	static const struct {
		const char *name;
		enum hs_err want;
		const char *what;
	} names[] = {
		{ "hr-fj", HS_OK, "plain ASCII" },
		{ "O'Brien\";--", HS_OK, "SQL quotes are just characters" },
		{ "<script>", HS_OK, "<script> (escaped where shown)" },
		{ "\xe5\xbc\xa0\xe4\xb8\x89\xe4\xb8\xb0", HS_OK, "Chinese" },
		{ "ab", HS_ERR_INVALID, "2 characters" },
		{ "a b", HS_ERR_INVALID, "a space" },
		{ "a\xe3\x80\x80" "bc", HS_ERR_INVALID, "an ideographic space" },
		{ "ab\tc", HS_ERR_INVALID, "a tab" },
		{ "abc\x7f", HS_ERR_INVALID, "DEL" },
		{ "ab\xe2\x80\xae" "cd", HS_ERR_INVALID, "RLO bidi override" },
		{ "ab\xe2\x81\xa6" "cd", HS_ERR_INVALID, "LRI bidi isolate" },
		{ "ab\xe2\x80\x8b" "cd", HS_ERR_INVALID, "zero-width space" },
		{ "ab\xc3\x28" "cd", HS_ERR_INVALID, "invalid UTF-8" },
		{ "ab\xc0\xaf" "cd", HS_ERR_INVALID, "overlong UTF-8" },
		{ "token:x", HS_ERR_INVALID, "':'" },
	};
	static const struct {
		enum role role;
		const char *s;
		enum hs_err want;
	} scopes[] = {
		{ ROLE_HR, "35", HS_OK }, { ROLE_HR, "3502", HS_OK },
		{ ROLE_HR, "350203", HS_OK }, { ROLE_HR, "350", HS_ERR_INVALID },
		{ ROLE_HR, "35020301", HS_ERR_INVALID },
		{ ROLE_HR, "3a", HS_ERR_INVALID }, { ROLE_HR, "", HS_ERR_INVALID },
		{ ROLE_HR, "35' OR '1'='1", HS_ERR_INVALID },
		{ ROLE_AUDITOR, "3502", HS_OK },
		{ ROLE_TITLE_SYSTEM, "35", HS_OK },
		{ ROLE_INDUSTRY, "3502/\xe5\x8d\xab\xe7\x94\x9f", HS_OK },
		{ ROLE_INDUSTRY, "3502", HS_ERR_INVALID },
		{ ROLE_INDUSTRY, "3502/", HS_ERR_INVALID },
		{ ROLE_INDUSTRY, "x/\xe5\x8d\xab", HS_ERR_INVALID },
		{ ROLE_INDUSTRY, "3502/a\tb", HS_ERR_INVALID },
		{ ROLE_PROVIDER, "Fujian Training Base", HS_OK },
		{ ROLE_PROVIDER, "", HS_ERR_INVALID },
		{ ROLE_PROVIDER, "a\xe2\x80\xaeq", HS_ERR_INVALID },
		{ ROLE_PROVIDER, " lead", HS_ERR_INVALID },
		{ ROLE_EMPLOYER, "<script>alert(1)</script>", HS_OK },
		{ ROLE_EMPLOYER, "\x01unit", HS_ERR_INVALID },
		{ ROLE_PRACTITIONER, "12345", HS_ERR_INVALID },
	};
	struct scope sc;
	char big[10240], fmt[1100];
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		T_OK(accounts_check_name("name", names[i].name, err) ==
		    names[i].want && (names[i].want == HS_OK ||
		    strncmp(err, "name: ", 6) == 0), "name rule: %s%s%s",
		    names[i].what, names[i].want ? " refused: " : " accepted",
		    names[i].want ? err : "");
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	T_OK(accounts_check_name("name", big, err) == HS_ERR_INVALID &&
	    strstr(err, "bytes") != NULL, "name rule: 10 kB refused (%s)", err);
	big[65] = '\0';
	T_OK(accounts_check_name("name", big, err) == HS_ERR_INVALID &&
	    strstr(err, "65 characters") != NULL, "name rule: 65 characters "
	    "refused (%s)", err);
	big[64] = '\0';
	T_OK(accounts_check_name("name", big, err) == HS_OK,
	    "name rule: 64 characters accepted");
	T_OK(accounts_check_org("", err) == HS_ERR_INVALID &&
	    strncmp(err, "org:", 4) == 0, "org rule: empty refused");
	T_OK(accounts_check_org("Fuzhou HR Bureau", err) == HS_OK,
	    "org rule: spaces allowed");
	memset(big, 'a', 101);
	big[101] = '\0';
	T_OK(accounts_check_org(big, err) == HS_ERR_INVALID,
	    "org rule: 101 characters refused");
	for (i = 0; i < sizeof scopes / sizeof scopes[0]; i++) {
		enum hs_err rc = scope_parse(scopes[i].role, scopes[i].s, &sc,
		    err);

		T_OK(rc == scopes[i].want && (rc == HS_OK ||
		    strncmp(err, "scope", 5) == 0), "scope %s \"%s\": %s",
		    role_name(scopes[i].role), scopes[i].s,
		    rc == HS_OK ? "accepted" : err);
		if (rc == HS_OK && scopes[i].role != ROLE_PRACTITIONER) {
			scope_format(scopes[i].role, &sc, fmt, sizeof fmt);
			T_STREQ(fmt, scopes[i].s, "scope round trip");
		}
	}
	{
		enum role r;

		T_OK(role_parse("title-system", &r, err) == HS_OK &&
		    r == ROLE_TITLE_SYSTEM && role_parse("root", &r, err) ==
		    HS_ERR_INVALID && strncmp(err, "role:", 5) == 0,
		    "role names parse; unknown refused");
	}
}

int
main(void)
{
	char dir[T_DIRMAX], path[256], tok[ACCT_TOKEN_LEN + 1],
	    tok2[ACCT_TOKEN_LEN + 1], csrf[ACCT_TOKEN_LEN + 1],
	    api[ACCT_API_TOKEN_LEN + 1],
	    api2[ACCT_API_TOKEN_LEN + 1], secret[TOTP_B32_LEN],
	    uri[TOTP_URI_MAX], code[8], id[IDNUM_SIZE], pw[300];
	struct account a, hr, hr35;
	struct session s;
	struct api_token t;
	struct scope sc;
	uint8_t key[64], h[32];
	size_t klen;
	uint32_t v;
	int64_t t0 = 1800000000, now, step0;
	double t1, tk, tu;
	int i, ok;
	enum hs_err rc;

	if (sodium_init() < 0 || t_tmpdir("accounts", dir, sizeof dir) != 0)
		return 2;
	snprintf(path, sizeof path, "%s/hs.db", dir);
	if (store_open(path, STORE_CREATE, &db, err) != HS_OK) {
		printf("# %s\n", err);
		return 2;
	}
	test_rules();

	/* A practitioner and units to scope against. */
	memcpy(id, "35020319800101123", 17);
	id[17] = idnum_check_char(id);
	id[18] = '\0';
	{
		char sql[512];

		snprintf(sql, sizeof sql, "INSERT INTO units VALUES "
		    "('Xiamen Hospital', '350203'), ('Fuzhou School', '3501');"
		    "INSERT INTO practitioners (id, id_number, id_masked, "
		    "id_digest, name, unit, created) VALUES (7, '%s', 'm', "
		    "'d', 'P', 'Xiamen Hospital', 'now');", id);
		T_OK(store_exec(db, sql, err) == HS_OK, "fixture rows");
	}

	/* ---- invitations and passwords ---- */
	T_OK(add(NULL, "hr-fj", ROLE_HR, "35", t0, tok) == HS_OK &&
	    strlen(tok) == ACCT_TOKEN_LEN, "operator adds hr 35: 43-character "
	    "token (%s)", err);
	T_OK(add(NULL, "HR-FJ", ROLE_HR, "35", t0, tok2) == HS_ERR_EXISTS &&
	    strstr(err, "name") != NULL, "name taken in another case: %s", err);
	T_OK(add(NULL, "ts-x", ROLE_TITLE_SYSTEM, "35", t0, tok2) ==
	    HS_ERR_INVALID, "title-system is for tokens only");
	T_OK(accounts_invitation_check(db, tok, t0 + ACCT_INVITE_TTL - 1, &a,
	    err) == HS_OK && strcmp(a.name, "hr-fj") == 0 && !a.has_password,
	    "invitation valid just before 72 h");
	T_OK(accounts_invitation_check(db, tok, t0 + ACCT_INVITE_TTL, &a, err)
	    == HS_ERR_STATE && strstr(err, "expired") != NULL,
	    "invitation expired at 72 h: %s", err);
	T_OK(accounts_invitation_use(db, tok, "a good long pass", "", t0 +
	    ACCT_INVITE_TTL, NULL, err) == HS_ERR_STATE &&
	    strstr(err, "expired") != NULL, "expired invitation cannot set a "
	    "password");
	T_OK(accounts_invitation_check(db, "' OR 1=1 --", t0, &a, err) ==
	    HS_ERR_NOTFOUND, "malformed token: unknown");
	tok2[0] = tok[0] == 'A' ? 'B' : 'A';
	memcpy(tok2 + 1, tok + 1, ACCT_TOKEN_LEN);
	T_OK(accounts_invitation_check(db, tok2, t0, &a, err) ==
	    HS_ERR_NOTFOUND, "token with one character changed: unknown");
	{
		static const struct {
			const char *pw, *want;
		} bad[] = {
			{ "short1!", "fewer than 10" },
			{ "123456789", "fewer than 10" },
			{ "\xe5\xaf\x86\xe7\xa0\x81\xe5\xaf\x86\xe7\xa0\x81"
			  "\xe5\xaf\x86\xe7\xa0\x81", "fewer than 10" },
			{ "xxHR-FJyyzz", "account name" },
			{ "abc\x01" "defghijk", "control" },
			{ "abcdefghij\xff", "UTF-8" },
		};
		for (i = 0; i < (int)(sizeof bad / sizeof bad[0]); i++)
			T_OK(accounts_invitation_use(db, tok, bad[i].pw, "", t0,
			    NULL, err) == HS_ERR_INVALID &&
			    strstr(err, bad[i].want) != NULL &&
			    strncmp(err, "password:", 9) == 0,
			    "password refused: %s", err);
		memset(pw, 'x', sizeof pw - 1);
		pw[257] = '\0';
		T_OK(accounts_invitation_use(db, tok, pw, "", t0, NULL, err) ==
		    HS_ERR_INVALID && strstr(err, "256 bytes") != NULL,
		    "password of 257 bytes refused");
	}
	t1 = time_mono();
	T_OK(accounts_invitation_use(db, tok, "correct horse battery", "1.2.3.4",
	    t0 + 5, &a, err) == HS_OK && a.has_password, "invitation used: "
	    "password set (%s)", err);
	T_OK(accounts_invitation_use(db, tok, "another good one", "", t0 + 6,
	    NULL, err) == HS_ERR_STATE && strstr(err, "already used") != NULL,
	    "invitation reused: %s", err);
	T_OK(count_sql("SELECT count(*) FROM accounts WHERE name = 'hr-fj' AND "
	    "pw_hash LIKE '$argon2id$%'", NULL) == 1, "stored as an Argon2id "
	    "string");
	/* the real (interactive) hash: an unknown name must cost as much */
	t1 = time_mono();
	rc = accounts_signin(db, "hr-fj", "correct horse battery", NULL, "c",
	    t0 + 10, &hr35, err);
	tk = time_mono() - t1;
	T_OK(rc == HS_OK && hr35.must_enrol, "hr signs in without TOTP: "
	    "enrol only (%s)", err);
	t1 = time_mono();
	rc = accounts_signin(db, "no-such-user", "correct horse battery", NULL,
	    "c", t0 + 10, &a, err);
	tu = time_mono() - t1;
	T_OK(rc == HS_ERR_SIGNATURE && strcmp(err, "sign-in: wrong name, "
	    "password or code") == 0, "unknown name: the one message");
	T_OK(tu > tk * 0.25, "unknown name costs a hash check too (%.3f s vs "
	    "%.3f s)", tu, tk);
	T_OK(count_sql("SELECT count(*) FROM audit WHERE action = "
	    "'session.signin_failed' AND actor = '?' AND object = '?'", NULL)
	    == 1, "unknown name audited without the typed name");

	/* practitioner: the ID number is not a password */
	T_OK(add(NULL, "pract-1", ROLE_PRACTITIONER, id, t0, tok) == HS_OK,
	    "practitioner account by ID number (%s)", err);
	T_OK(count_sql("SELECT count(*) FROM audit WHERE detail LIKE ?", id) == 0
	    && count_sql("SELECT practitioner_id FROM accounts WHERE name = "
	    "'pract-1'", NULL) == 7, "stored as practitioner 7; ID number not "
	    "in the audit log");
	snprintf(pw, sizeof pw, "mypass-%s", id + 12);
	T_OK(accounts_invitation_use(db, tok, pw, "", t0, NULL, err) ==
	    HS_ERR_INVALID && strstr(err, "ID number") != NULL,
	    "password with the ID's last six refused: %s", err);
	snprintf(pw, sizeof pw, "x%.17s", id);
	T_OK(accounts_invitation_use(db, tok, pw, "", t0, NULL, err) ==
	    HS_ERR_INVALID, "password with the ID's 17 digits refused");
	T_OK(add(NULL, "pract-2", ROLE_PRACTITIONER, "11010519491231002X",
	    t0, tok2) != HS_OK, "practitioner with an unknown or bad ID "
	    "number refused: %s", err);

	/* ---- who may create whom ---- */
	T_OK(add(NULL, "hr-xm", ROLE_HR, "3502", t0, tok) == HS_OK &&
	    accounts_get(db, "hr-xm", &hr, err) == HS_OK, "hr 3502 added");
	{
		static const struct {
			enum role role;
			const char *scope;
			int by35;
			enum hs_err want;
		} rows[] = {
			{ ROLE_HR, "3502", 0, HS_OK },
			{ ROLE_HR, "350203", 0, HS_OK },
			{ ROLE_HR, "35", 0, HS_ERR_STATE },
			{ ROLE_HR, "3501", 0, HS_ERR_STATE },
			{ ROLE_INDUSTRY, "3502/\xe5\x8d\xab\xe7\x94\x9f", 0, HS_OK },
			{ ROLE_INDUSTRY, "3501/\xe5\x8d\xab\xe7\x94\x9f", 0,
			    HS_ERR_STATE },
			{ ROLE_AUDITOR, "350203", 0, HS_OK },
			{ ROLE_TITLE_SYSTEM, "36", 0, HS_ERR_STATE },
			{ ROLE_EMPLOYER, "Xiamen Hospital", 0, HS_OK },
			{ ROLE_EMPLOYER, "Fuzhou School", 0, HS_ERR_STATE },
			{ ROLE_EMPLOYER, "No Region Unit", 0, HS_ERR_STATE },
			{ ROLE_EMPLOYER, "No Region Unit", 1, HS_OK },
			{ ROLE_PROVIDER, "Base", 0, HS_ERR_STATE },
			{ ROLE_PROVIDER, "Base", 1, HS_OK },
			{ ROLE_PRACTITIONER, NULL, 0, HS_OK },
		};
		for (i = 0; i < (int)(sizeof rows / sizeof rows[0]); i++) {
			memset(&sc, 0, sizeof sc);
			if (rows[i].scope != NULL)
				scope_parse(rows[i].role, rows[i].scope, &sc,
				    err);
			else
				sc.practitioner_id = 7;
			rc = accounts_can_create(db, rows[i].by35 ? &hr35 : &hr,
			    rows[i].role, &sc, err);
			T_OK(rc == rows[i].want, "hr %s creates %s %s: %s",
			    rows[i].by35 ? "35" : "3502",
			    role_name(rows[i].role), rows[i].scope ?
			    rows[i].scope : "(practitioner 7)",
			    rc == HS_OK ? "allowed" : err);
		}
	}
	T_OK(add(&hr, "ind-xm", ROLE_INDUSTRY, "3502/\xe5\x8d\xab\xe7\x94\x9f",
	    t0, tok) == HS_OK, "hr 3502 adds an industry account in 3502");
	T_OK(accounts_get(db, "ind-xm", &a, err) == HS_OK && a.must_enrol &&
	    accounts_can_create(db, &a, ROLE_AUDITOR, &hr.scope, err) ==
	    HS_ERR_STATE, "an industry account creates nobody");
	T_OK(add(&hr, "hr-fz", ROLE_HR, "3501", t0, tok) == HS_ERR_STATE &&
	    count_sql("SELECT count(*) FROM accounts WHERE name = 'hr-fz'",
	    NULL) == 0, "hr 3502 cannot add hr 3501: %s", err);
	T_OK(accounts_reset(db, &op, &hr, "hr-fj", t0, tok, err) ==
	    HS_ERR_NOTFOUND, "hr 3502 cannot reset hr 35: not found");
	T_OK(accounts_unlock(db, &op, &hr, "hr-fj", t0, err) ==
	    HS_ERR_NOTFOUND, "hr 3502 cannot unlock hr 35: not found");

	/* ---- backoff and lock (cheap hash, injected clock) ---- */
	T_OK(add(NULL, "staff-1", ROLE_EMPLOYER, "Xiamen Hospital", t0, tok)
	    == HS_OK && cheap_password("staff-1", "right password!"),
	    "staff-1 with a password");
	now = t0 + 1000;
	ok = 1;
	for (i = 1; i <= ACCT_LOCK_AFTER; i++) {
		int64_t want = i < 3 ? 0 : (int64_t)1 << (i - 3);

		rc = accounts_signin(db, "staff-1", "wrong password!", NULL,
		    "10.0.0.9", now, &a, err);
		if ((i < ACCT_LOCK_AFTER && rc != HS_ERR_SIGNATURE) ||
		    (i == ACCT_LOCK_AFTER && rc != HS_ERR_STATE))
			ok = 0;
		accounts_get(db, "staff-1", &a, err);
		if (a.failures != i || (i < ACCT_LOCK_AFTER &&
		    a.next_try != (want ? now + want : 0)) ||
		    a.locked != (i >= ACCT_LOCK_AFTER)) {
			printf("# failure %d: failures %d next_try %+lld "
			    "locked %d\n", i, a.failures,
			    (long long)(a.next_try - now), a.locked);
			ok = 0;
		}
		if (i >= 3 && i < ACCT_LOCK_AFTER) {
			/* in the backoff even the right password is refused */
			rc = accounts_signin(db, "staff-1", "right password!",
			    NULL, "10.0.0.9", now + want - 1, &a, err);
			if (rc != HS_ERR_STATE || strstr(err, "try again") ==
			    NULL)
				ok = 0;
			now += want;
		}
	}
	T_OK(ok, "failures 1-2 no wait, then 1, 2, 4 ... 64 s; refused "
	    "during the wait; 10th locks");
	T_OK(audits("session.locked") == 1, "the lock is audited once");
	T_OK(accounts_signin(db, "staff-1", "right password!", NULL, "", now +
	    86400, &a, err) == HS_ERR_STATE && strstr(err, "locked") != NULL,
	    "locked: even the right password a day later is refused");
	T_OK(accounts_unlock(db, &op, NULL, "staff-1", now, err) == HS_OK &&
	    audits("account.unlock") == 1, "operator unlocks");
	T_OK(accounts_signin(db, "staff-1", "right password!", NULL, "", now,
	    &a, err) == HS_OK && a.failures == 0 && a.must_enrol,
	    "after unlock the right password signs in (%s)", err);
	T_OK(audits("session.signin_failed") >= ACCT_LOCK_AFTER + 8 &&
	    audits("session.signin") == 2, "every failure and sign-in "
	    "audited (%" PRId64 " failures)", audits("session.signin_failed"));

	/* ---- TOTP ---- */
	T_OK(accounts_totp_begin(db, a.id, secret, uri, sizeof uri, err) ==
	    HS_OK && strlen(secret) == 32 && strstr(uri, "otpauth://totp/"
	    "hourseal:staff-1?secret=") == uri, "totp begin: secret and uri");
	b32_decode(secret, key, sizeof key, &klen, err);
	now = t0 + 5000;
	totp_code(key, klen, totp_step(now), 6, &v, err);
	snprintf(code, sizeof code, "%06u", (unsigned)v);
	T_OK(accounts_totp_confirm(db, &op, a.id, "000000", now, err) ==
	    HS_ERR_SIGNATURE || v == 0, "confirm with a wrong code refused");
	T_OK(accounts_totp_confirm(db, &op, a.id, code, now, err) == HS_OK,
	    "confirm with the right code (%s)", err);
	T_OK(accounts_totp_begin(db, a.id, secret, uri, sizeof uri, err) ==
	    HS_ERR_STATE, "begin again once enrolled refused");
	T_OK(accounts_totp_check(db, a.id, code, now + 10, err) ==
	    HS_ERR_SIGNATURE && strstr(err, "already used") != NULL,
	    "the same code twice refused (replay)");
	step0 = totp_step(now);
	totp_code(key, klen, step0 - 1, 6, &v, err);
	snprintf(code, sizeof code, "%06u", (unsigned)v);
	T_OK(accounts_totp_check(db, a.id, code, now, err) == HS_ERR_SIGNATURE,
	    "an older step's code refused after a newer one");
	T_OK(accounts_signin(db, "staff-1", "right password!", NULL, "", now +
	    30, &a, err) == HS_ERR_SIGNATURE, "enrolled: no code, refused");
	totp_code(key, klen, step0 + 1, 6, &v, err);
	snprintf(code, sizeof code, "%06u", (unsigned)v);
	T_OK(accounts_signin(db, "staff-1", "right password!", code, "", now +
	    30, &a, err) == HS_OK && !a.must_enrol, "password and code sign "
	    "in (%s)", err);
	T_OK(accounts_signin(db, "staff-1", "right password!", code, "", now +
	    31, &a, err) == HS_ERR_SIGNATURE, "the code again: refused");
	T_OK(audits("account.totp") == 1, "enrolment audited");

	/* ---- sessions ---- */
	accounts_get(db, "staff-1", &a, err);
	T_OK(sessions_create(db, a.id, "10.0.0.9", t0, tok, csrf, err) ==
	    HS_OK && strlen(tok) == ACCT_TOKEN_LEN && strcmp(tok, csrf) != 0,
	    "session created");
	T_OK(sessions_lookup(db, tok, t0 + 30, &s, NULL, err) == HS_OK &&
	    s.last_seen == t0 && strcmp(s.csrf, csrf) == 0,
	    "lookup at +30 s: no write (last_seen unchanged)");
	T_OK(sessions_lookup(db, tok, t0 + 60, &s, &hr, err) == HS_OK &&
	    s.last_seen == t0 + 60 && hr.id == a.id, "lookup at +60 s: "
	    "last_seen updated");
	T_OK(sessions_lookup(db, tok, t0 + 60 + SESSION_IDLE - 1, &s, NULL,
	    err) == HS_OK, "29:59 idle: still live");
	T_OK(sessions_lookup(db, tok, t0 + 2 * SESSION_IDLE + 120, &s, NULL,
	    err) == HS_ERR_NOTFOUND && strstr(err, "idle") != NULL,
	    "30 min idle: gone");
	sessions_create(db, a.id, "", t0, tok, csrf, err);
	ok = 1;
	for (now = t0; now < t0 + SESSION_MAX; now += 20 * 60)
		if (sessions_lookup(db, tok, now, NULL, NULL, err) != HS_OK)
			ok = 0;
	T_OK(ok && sessions_lookup(db, tok, t0 + SESSION_MAX, NULL, NULL, err)
	    == HS_ERR_NOTFOUND && strstr(err, "expired") != NULL,
	    "busy session ends at 12 h");
	sessions_create(db, a.id, "", t0, tok, csrf, err);
	T_OK(sessions_end(db, tok, "", t0 + 5, err) == HS_OK &&
	    sessions_lookup(db, tok, t0 + 6, NULL, NULL, err) ==
	    HS_ERR_NOTFOUND && sessions_end(db, tok, "", t0 + 7, err) ==
	    HS_ERR_NOTFOUND && audits("session.signout") == 1,
	    "ended session: not found, cannot end twice, audited");
	T_OK(sessions_lookup(db, "<script>", t0, NULL, NULL, err) ==
	    HS_ERR_NOTFOUND, "malformed session token: not found");
	sessions_create(db, a.id, "", t0, tok, csrf, err);
	T_OK(accounts_set_disabled(db, &op, NULL, "staff-1", true, t0 + 1,
	    err) == HS_OK && sessions_lookup(db, tok, t0 + 2, NULL, NULL, err)
	    == HS_ERR_NOTFOUND, "disable ends the session");
	T_OK(accounts_signin(db, "staff-1", "right password!", NULL, "", t0 +
	    9000, &a, err) == HS_ERR_SIGNATURE, "disabled: sign-in refused");
	T_OK(accounts_set_disabled(db, &op, NULL, "staff-1", false, t0 + 1,
	    err) == HS_OK, "enabled again");
	sessions_create(db, a.id, "", t0, tok, csrf, err);
	T_OK(accounts_reset(db, &op, NULL, "staff-1", t0 + 3, tok2, err) ==
	    HS_OK && sessions_lookup(db, tok, t0 + 4, NULL, NULL, err) ==
	    HS_ERR_NOTFOUND, "reset ends the session");
	T_OK(accounts_get(db, "staff-1", &a, err) == HS_OK && !a.has_password
	    && !a.totp_enrolled && a.must_enrol, "reset clears password and "
	    "TOTP");
	T_OK(accounts_signin(db, "staff-1", "right password!", NULL, "", t0 +
	    10000, &a, err) == HS_ERR_SIGNATURE, "old password no longer "
	    "works");
	T_OK(accounts_invitation_check(db, tok2, t0 + 4, &a, err) == HS_OK,
	    "the reset's invitation is valid");

	/* ---- API tokens ---- */
	scope_parse(ROLE_PROVIDER, "Fujian Base", &sc, err);
	T_OK(tokens_add(db, &op, NULL, ROLE_PROVIDER, &sc, "", "fj-base", 30,
	    t0, api, err) == HS_OK && strncmp(api, "hst_", 4) == 0 &&
	    strlen(api) == ACCT_API_TOKEN_LEN, "token added: hst_ + 43");
	T_OK(tokens_add(db, &op, NULL, ROLE_PROVIDER, &sc, "", "fj-base", 30,
	    t0, api2, err) ==
	    HS_ERR_EXISTS, "a second live token with the label refused");
	T_OK(tokens_add(db, &op, NULL, ROLE_EMPLOYER, &sc, "", "x-base", 30,
	    t0, api2, err) == HS_ERR_INVALID, "employer tokens refused");
	T_OK(tokens_add(db, &op, NULL, ROLE_PROVIDER, &sc, "", "x-base", 0,
	    t0, api2, err) == HS_ERR_INVALID && strncmp(err, "days", 4) == 0,
	    "0 days refused");
	T_OK(tokens_add(db, &op, &hr, ROLE_PROVIDER, &sc, "", "x-base", 5,
	    t0, api2, err) == HS_ERR_STATE, "hr 3502 cannot make provider "
	    "tokens");
	T_OK(tokens_lookup(db, api, t0 + 10, &t, err) == HS_OK &&
	    t.role == ROLE_PROVIDER && strcmp(t.scope.provider, "Fujian Base")
	    == 0 && strcmp(t.org, "Fujian Base") == 0 && t.last_used ==
	    t0 + 10, "lookup finds it; last_used set");
	T_OK(tokens_lookup(db, api, t0 + 40, &t, err) == HS_OK &&
	    t.last_used == t0 + 10, "lookup 30 s later: no write");
	T_OK(tokens_lookup(db, api, t0 + 30 * 86400, &t, err) ==
	    HS_ERR_NOTFOUND, "expired after 30 days");
	api[10] = api[10] == 'a' ? 'b' : 'a';
	T_OK(tokens_lookup(db, api, t0 + 10, &t, err) == HS_ERR_NOTFOUND,
	    "a changed token: not found");
	api[10] = api[10] == 'a' ? 'b' : 'a';
	T_OK(tokens_revoke(db, &op, &hr, "fj-base", t0 + 20, err) ==
	    HS_ERR_NOTFOUND, "hr 3502 cannot revoke a provider token");
	T_OK(tokens_revoke(db, &op, NULL, "fj-base", t0 + 20, err) == HS_OK &&
	    tokens_lookup(db, api, t0 + 21, &t, err) == HS_ERR_NOTFOUND &&
	    tokens_revoke(db, &op, NULL, "fj-base", t0 + 22, err) ==
	    HS_ERR_NOTFOUND, "revoked: not found; revoke twice not found");
	T_OK(audits("token.add") == 1 && audits("token.revoke") == 1,
	    "token add and revoke audited");

	/* ---- only hashes in the database ---- */
	sessions_create(db, hr35.id, "", t0, tok, csrf, err);
	T_OK(add(NULL, "last-one", ROLE_AUDITOR, "35", t0, tok2) == HS_OK,
	    "one more invitation");
	sha256(tok2, ACCT_TOKEN_LEN, h);
	T_OK(db_has(dir, h, 32), "the invitation's SHA-256 is in the "
	    "database (the search works)");
	T_OK(!db_has(dir, tok2, ACCT_TOKEN_LEN), "the invitation token is "
	    "not in the database");
	T_OK(!db_has(dir, tok, ACCT_TOKEN_LEN), "the session token is not in "
	    "the database");
	T_OK(!db_has(dir, api + 4, ACCT_TOKEN_LEN), "the API token is not in "
	    "the database");
	T_OK(!db_has(dir, "correct horse battery", 21), "the password is not "
	    "in the database");

	store_close(db);
	t_rmtree(dir);
	printf("%d passed, %d failed\n", t_passed, t_failed);
	return t_done();
}
