/*
 * test_activation.c - store/activation.h: the code alphabet and its
 * normalisation, only the hash stored, expiry through `now`, earlier
 * codes spent by a new one, redeeming with another person's ID number,
 * a code used twice, the password policy, the hr/employer scope, batches
 * (scope, new-only, a bad ID number, a failing writer leaves nothing),
 * the reset of an existing account, and the audit rows.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cert/idnum.h"
#include "core/file.h"
#include "core/util.h"
#include "store/accounts.h"
#include "store/activation.h"
#include "store/store.h"
#include "t.h"
#include "tlib.h"

static const struct actor op = { "cli", "operator", "Test HR", "" };
static sqlite3 *db;
static char err[HS_ERRLEN];

static long long
count_sql(const char *sql, const char *arg)
{
	sqlite3_stmt *st = NULL;
	long long n = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (arg != NULL)
		sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static long long
codes(void)
{
	return count_sql("SELECT count(*) FROM activation_codes", NULL);
}

/* Whether the n bytes of needle occur in the database or its WAL. */
static int
db_has(const char *dir, const void *needle, size_t n)
{
	static const char *const names[] = { "hs.db", "hs.db-wal" };
	char p[256], *data = NULL;
	size_t len = 0, i, k;
	int found = 0;

	for (k = 0; k < 2 && !found; k++) {
		snprintf(p, sizeof p, "%s/%s", dir, names[k]);
		if (file_read(p, 1 << 28, &data, &len, NULL) != HS_OK)
			continue;
		for (i = 0; i + n <= len && !found; i++)
			found = memcmp(data + i, needle, n) == 0;
		free(data);
		data = NULL;
	}
	return found;
}

static void
make_id(const char *seventeen, char id[IDNUM_SIZE])
{
	memcpy(id, seventeen, 17);
	id[17] = idnum_check_char(id);
	id[18] = '\0';
}

static int
staff(const char *name, enum role role, const char *scope,
    struct account *a)
{
	char tok[ACCT_TOKEN_LEN + 1];
	struct scope sc;

	return scope_parse(role, scope, &sc, err) == HS_OK &&
	    accounts_add(db, &op, NULL, name, role, &sc, "Org", 1, tok,
	    err) == HS_OK && accounts_get(db, name, a, err) == HS_OK;
}

/* A batch writer that keeps what it got. */
struct got {
	size_t n;
	char first[ACT_CODE_LEN + 1];
	char first_name[257];
	char masked[IDNUM_SIZE];
	enum hs_err answer;
};

static enum hs_err
keep(void *ctx, const struct act_letter *l, size_t n, char *e)
{
	struct got *g = ctx;

	g->n = n;
	snprintf(g->first, sizeof g->first, "%s", l[0].code);
	snprintf(g->first_name, sizeof g->first_name, "%s", l[0].name);
	snprintf(g->masked, sizeof g->masked, "%s", l[0].id_masked);
	if (g->answer != HS_OK)
		return hs_fail(e, g->answer, "the writer failed");
	return HS_OK;
}

static void
test_alphabet(void)
{
	char c[ACT_CODE_LEN + 1], c2[ACT_CODE_LEN + 1], g[ACT_CODE_SHOWN + 1];
	char big[200];
	int seen[256] = { 0 }, i, bad = 0, k;

	/* generate through the real path: make 200 codes' worth */
	for (i = 0; i < 200; i++) {
		if (activation_make(db, &op, NULL, 7, 1000, c, NULL, err)
		    != HS_OK || strlen(c) != ACT_CODE_LEN) {
			bad++;
			continue;
		}
		for (k = 0; k < ACT_CODE_LEN; k++)
			seen[(unsigned char)c[k]]++;
	}
	T_OK(bad == 0, "200 codes made: 16 characters each (%s)", err);
	T_OK(!seen['I'] && !seen['L'] && !seen['O'] && !seen['U'] &&
	    !seen['a'] && !seen['-'], "no I, L, O, U, lower case or dash");
	for (k = 0, bad = 0; k < 256; k++)
		if (seen[k] && !((k >= '0' && k <= '9') || (k >= 'A' &&
		    k <= 'Z')))
			bad++;
	T_OK(bad == 0 && seen['0'] && seen['Z'] && seen['9'] && seen['A'],
	    "only 0-9 A-Z, both ends of the alphabet seen");

	act_code_group("ABCDEFGH0123JKMN", g);
	T_STREQ(g, "ABCD-EFGH-0123-JKMN", "grouped XXXX-XXXX-XXXX-XXXX");
	T_OK(act_code_normalise("abcd-efgh 0123-jkmn", c2, err) == HS_OK &&
	    strcmp(c2, "ABCDEFGH0123JKMN") == 0, "lower case, dashes and "
	    "spaces accepted");
	T_OK(act_code_normalise("OoIiLl00 11 22-3344", c2, err) == HS_OK &&
	    strcmp(c2, "0011110011223344") == 0, "O reads as 0, I and L as "
	    "1: %s", c2);
	T_OK(act_code_normalise("ABCDEFGH0123JKMU", c2, err) ==
	    HS_ERR_INVALID && strstr(err, "16 characters") != NULL,
	    "U refused: %s", err);
	T_OK(act_code_normalise("ABCDEFGH0123JKM", c2, err) ==
	    HS_ERR_INVALID, "15 characters refused");
	T_OK(act_code_normalise("ABCDEFGH0123JKMNP", c2, err) ==
	    HS_ERR_INVALID, "17 characters refused");
	T_OK(act_code_normalise("ABCDEFGH\n0123JKMN", c2, err) ==
	    HS_ERR_INVALID, "newline refused");
	T_OK(act_code_normalise("ABCD\xef\xbc\x8d" "EFGH0123JKMN", c2, err)
	    == HS_ERR_INVALID, "full-width dash refused");
	T_OK(act_code_normalise("", c2, err) == HS_ERR_INVALID,
	    "empty refused");
	memset(big, '-', sizeof big - 17);
	memcpy(big + sizeof big - 17, "ABCDEFGH0123JKMN", 17);
	T_OK(act_code_normalise(big, c2, err) == HS_ERR_INVALID,
	    "over 64 bytes refused even if the characters are right");
}

int
main(void)
{
	char dir[T_DIRMAX], path[256], id7[IDNUM_SIZE], id8[IDNUM_SIZE],
	    id9[IDNUM_SIZE], c1[ACT_CODE_LEN + 1], c2[ACT_CODE_LEN + 1],
	    c3[ACT_CODE_LEN + 1], g[ACT_CODE_SHOWN + 1], msg_unknown[HS_ERRLEN],
	    sql[1024];
	uint8_t h[32];
	struct account hr35, hr3501, emp_xm, emp_fz, prov, a, a2;
	int64_t t0 = 1800000000, pid = 0, exp = 0;
	long long n0;

	if (sodium_init() < 0 || t_tmpdir("activation", dir, sizeof dir) != 0)
		return 2;
	snprintf(path, sizeof path, "%s/hs.db", dir);
	if (store_open(path, STORE_CREATE, &db, err) != HS_OK) {
		printf("# %s\n", err);
		return 2;
	}
	make_id("35020319800101123", id7);
	make_id("35010219900202456", id8);
	make_id("11010119700303789", id9);
	snprintf(sql, sizeof sql, "INSERT INTO units VALUES "
	    "('Xiamen Hospital', '350203'), ('Fuzhou School', '3501');"
	    "INSERT INTO practitioners (id, id_number, id_masked, id_digest, "
	    "name, unit, created) VALUES (7, '%s', '3502**********%s', 'd7', "
	    "'\xe5\xbc\xa0\xe4\xb8\x89', 'Xiamen Hospital', 'now'), "
	    "(8, '%s', 'm8', 'd8', '\xe6\x9d\x8e\xe5\x9b\x9b', "
	    "'Fuzhou School', 'now'), (9, '%s', 'm9', 'd9', 'W', '', 'now');",
	    id7, id7 + 14, id8, id9);
	T_OK(store_exec(db, sql, err) == HS_OK, "fixture rows (%s)", err);
	T_OK(staff("hr-fj", ROLE_HR, "35", &hr35) &&
	    staff("hr-fz", ROLE_HR, "3501", &hr3501) &&
	    staff("emp-xm", ROLE_EMPLOYER, "Xiamen Hospital", &emp_xm) &&
	    staff("emp-fz", ROLE_EMPLOYER, "Fuzhou School", &emp_fz) &&
	    staff("prov-x", ROLE_PROVIDER, "Some Provider", &prov),
	    "staff accounts (%s)", err);

	test_alphabet();

	/* ---- only the hash is stored ---- */
	T_OK(activation_make(db, &op, &emp_xm, 7, t0, c1, &exp, err) == HS_OK
	    && exp == t0 + ACT_TTL, "employer makes a code for its unit's "
	    "person, 30 days (%s)", err);
	sha256(c1, ACT_CODE_LEN, h);
	store_close(db);
	db = NULL;
	act_code_group(c1, g);
	T_OK(!db_has(dir, c1, ACT_CODE_LEN) && !db_has(dir, g, ACT_CODE_SHOWN),
	    "the code is nowhere in the database file or its WAL");
	T_OK(db_has(dir, h, 32), "its SHA-256 is");
	if (store_open(path, STORE_RW, &db, err) != HS_OK)
		return 2;

	/* ---- expiry through now ---- */
	T_OK(activation_check(db, id7, g, t0 + ACT_TTL - 1, &pid, err) ==
	    HS_OK && pid == 7, "grouped code valid one second before 30 "
	    "days (%s)", err);
	T_OK(activation_check(db, id7, c1, t0 + ACT_TTL, &pid, err) ==
	    HS_ERR_STATE && strstr(err, "expired") != NULL && pid == 0,
	    "expired at 30 days: %s", err);

	/* ---- another person's ID number, unknown codes ---- */
	T_OK(activation_check(db, id8, c1, t0, &pid, err) ==
	    HS_ERR_SIGNATURE, "another person's ID number refused: %s", err);
	snprintf(msg_unknown, sizeof msg_unknown, "%s", err);
	strcpy(c3, c1);
	c3[0] = c3[0] == 'A' ? 'B' : 'A';
	T_OK(activation_check(db, id7, c3, t0, &pid, err) ==
	    HS_ERR_SIGNATURE && strcmp(err, msg_unknown) == 0,
	    "an unknown code gets the same message: %s", err);
	T_OK(activation_check(db, id8, c1, t0 + ACT_TTL + 5, &pid, err) ==
	    HS_ERR_SIGNATURE && strcmp(err, msg_unknown) == 0,
	    "another person's expired code does not say expired");
	T_OK(activation_check(db, "35020319800101123", c1, t0, &pid, err) ==
	    HS_ERR_SIGNATURE && strcmp(err, msg_unknown) == 0,
	    "a 17-character ID number: the same message");
	T_OK(activation_redeem(db, "", id8, c1, "a good long pass", t0, &a,
	    err) == HS_ERR_SIGNATURE && count_sql("SELECT count(*) FROM "
	    "accounts WHERE practitioner_id IS NOT NULL", NULL) == 0,
	    "redeem with the wrong person's ID number: no account made");

	/* ---- spent on re-issue ---- */
	T_OK(activation_make(db, &op, &hr35, 7, t0 + 10, c2, NULL, err) ==
	    HS_OK, "hr of the province makes a second code (%s)", err);
	T_OK(activation_check(db, id7, c1, t0 + 20, &pid, err) ==
	    HS_ERR_SIGNATURE && strcmp(err, msg_unknown) == 0,
	    "the first code is spent: reads as unknown");
	T_OK(count_sql("SELECT count(*) FROM activation_codes WHERE "
	    "practitioner_id = 7 AND spent IS NULL AND used IS NULL", NULL) ==
	    1, "one open code for the person");

	/* ---- password policy (the code stays usable) ---- */
	{
		char pw[64];

		T_OK(activation_redeem(db, "", id7, c2, "short", t0 + 20, &a,
		    err) == HS_ERR_INVALID && strstr(err, "fewer than 10"),
		    "short password refused: %s", err);
		snprintf(pw, sizeof pw, "x%sx", id7);
		T_OK(activation_redeem(db, "", id7, c2, pw, t0 + 20, &a, err)
		    == HS_ERR_INVALID && strstr(err, "ID number") != NULL,
		    "password with the ID number refused: %s", err);
		snprintf(pw, sizeof pw, "my%spassword", id7 + 12);
		T_OK(activation_redeem(db, "", id7, c2, pw, t0 + 20, &a, err)
		    == HS_ERR_INVALID, "password with its last six refused: "
		    "%s", err);
		T_OK(activation_redeem(db, "", id7, c2,
		    "\xe5\xbc\xa0\xe4\xb8\x89-long-password", t0 + 20, &a,
		    err) == HS_ERR_INVALID && strstr(err, "name") != NULL,
		    "password with the person's name refused: %s", err);
		T_OK(activation_check(db, id7, c2, t0 + 20, &pid, err) ==
		    HS_OK, "after refused passwords the code is still open");
	}

	/* ---- redeem: new account, then used twice ---- */
	T_OK(activation_redeem(db, "192.0.2.1", id7, c2, "a good long pass",
	    t0 + 30, &a, err) == HS_OK && a.role == ROLE_PRACTITIONER &&
	    a.scope.practitioner_id == 7 && strcmp(a.name, "p7") == 0 &&
	    a.has_password && strcmp(a.org, "\xe5\xbc\xa0\xe4\xb8\x89") == 0,
	    "redeem creates practitioner account p7, org the person's name "
	    "(%s)", err);
	T_OK(accounts_signin(db, "p7", "a good long pass", NULL, "", t0 + 40,
	    &a2, err) == HS_OK, "the new password signs in (%s)", err);
	T_OK(activation_redeem(db, "", id7, c2, "another long pass", t0 + 50,
	    &a, err) == HS_ERR_STATE && strstr(err, "already been used"),
	    "used twice refused: %s", err);
	T_OK(count_sql("SELECT count(*) FROM audit WHERE action = "
	    "'activation.use' AND object = 'p7' AND detail = 'new account'",
	    NULL) == 1 && count_sql("SELECT count(*) FROM audit WHERE action = "
	    "'account.password' AND object = 'p7' AND detail = 'activation' "
	    "AND client = '192.0.2.1'", NULL) == 1, "audited activation.use "
	    "and account.password");

	/* ---- a new code resets the existing account's password ---- */
	{
		char tok[ACCT_TOKEN_LEN + 1], csrf[ACCT_TOKEN_LEN + 1];

		T_OK(sessions_create(db, a2.id, "", t0 + 60, tok, csrf, err) ==
		    HS_OK, "a session for p7");
		T_OK(activation_make(db, &op, &hr35, 7, t0 + 100, c3, NULL,
		    err) == HS_OK && count_sql("SELECT count(*) FROM audit "
		    "WHERE action = 'activation.make' AND object = 'p7'", NULL)
		    == 1, "code for a person with an account: audit object is "
		    "the account");
		T_OK(activation_redeem(db, "", id7, c3, "a fresh long pass",
		    t0 + 110, &a, err) == HS_OK && a.id == a2.id,
		    "redeem resets the same account (%s)", err);
		T_OK(sessions_lookup(db, tok, t0 + 111, NULL, NULL, err) ==
		    HS_ERR_NOTFOUND, "its sessions ended");
		T_OK(accounts_signin(db, "p7", "a good long pass", NULL, "",
		    t0 + 120, &a2, err) == HS_ERR_SIGNATURE &&
		    accounts_signin(db, "p7", "a fresh long pass", NULL, "",
		    t0 + 121, &a2, err) == HS_OK, "old password refused, new "
		    "one signs in");
	}

	/* ---- scope ---- */
	n0 = codes();
	T_OK(activation_make(db, &op, &emp_xm, 8, t0, c1, NULL, err) ==
	    HS_ERR_NOTFOUND && c1[0] == '\0', "employer refused for another "
	    "unit's person: %s", err);
	T_OK(activation_make(db, &op, &hr3501, 7, t0, c1, NULL, err) ==
	    HS_ERR_NOTFOUND, "hr 3501 refused for a 350203 person");
	T_OK(activation_make(db, &op, &hr3501, 9, t0, c1, NULL, err) ==
	    HS_ERR_NOTFOUND, "hr 3501 refused for a person without a unit");
	T_OK(activation_make(db, &op, &prov, 8, t0, c1, NULL, err) ==
	    HS_ERR_STATE, "a provider may not make codes: %s", err);
	T_OK(activation_make(db, &op, &hr35, 99, t0, c1, NULL, err) ==
	    HS_ERR_NOTFOUND, "unknown person: not found");
	T_OK(codes() == n0, "refusals made no code");
	T_OK(activation_make(db, &op, &hr35, 9, t0, c1, NULL, err) == HS_OK,
	    "province hr covers a person without a unit (%s)", err);
	T_OK(activation_make(db, &op, &hr3501, 8, t0, c1, NULL, err) ==
	    HS_OK && activation_make(db, &op, &emp_fz, 8, t0, c1, NULL, err)
	    == HS_OK, "hr 3501 and Fuzhou School's employer cover person 8");
	T_OK(count_sql("SELECT count(*) FROM audit WHERE action = "
	    "'activation.make' AND object = 'practitioner:8'", NULL) == 2,
	    "audit object practitioner:<id> for a person without an account");

	/* ---- batches ---- */
	{
		struct got gt = { 0 };
		struct act_select sel = { 0 };
		const char *ids[3];
		char badid[IDNUM_SIZE];

		sel.unit = "Fuzhou School";
		n0 = codes();
		T_OK(activation_batch(db, &op, &emp_xm, &sel, t0, keep, &gt,
		    err) == HS_ERR_NOTFOUND && gt.n == 0 && codes() == n0,
		    "employer batch for another unit: not found: %s", err);
		sel.unit = "Xiamen Hospital";
		T_OK(activation_batch(db, &op, &hr3501, &sel, t0, keep, &gt,
		    err) == HS_ERR_NOTFOUND && gt.n == 0, "hr 3501 batch for a "
		    "350203 unit: not found");
		T_OK(activation_batch(db, &op, &emp_xm, &sel, t0, keep, &gt,
		    err) == HS_OK && gt.n == 1 && strlen(gt.first) ==
		    ACT_CODE_LEN && strncmp(gt.masked, "3502**********", 14) == 0 &&
		    strlen(gt.masked) == 18,
		    "employer batch for its unit: one letter, masked ID "
		    "(%s)", err);
		T_OK(activation_check(db, id7, gt.first, t0 + 1, &pid, err) ==
		    HS_OK, "the batch's code works");
		sel.new_only = true;
		T_OK(activation_batch(db, &op, &emp_xm, &sel, t0, keep, &gt,
		    err) == HS_ERR_NOTFOUND && strstr(err, "nobody") != NULL,
		    "new-only: everyone has an account: %s", err);
		sel.unit = NULL;
		sel.region = "35";
		gt.n = 0;
		T_OK(activation_batch(db, &op, &hr35, &sel, t0, keep, &gt,
		    err) == HS_OK && gt.n == 2, "hr 35 region 35 new-only: "
		    "persons 8 and 9 (%zu) (%s)", gt.n, err);
		sel.region = "36";
		T_OK(activation_batch(db, &op, &hr35, &sel, t0, keep, &gt,
		    err) == HS_ERR_NOTFOUND, "region outside the account's: "
		    "%s", err);
		sel.region = "35' OR 1=1";
		T_OK(activation_batch(db, &op, NULL, &sel, t0, keep, &gt,
		    err) == HS_ERR_INVALID, "hostile region refused");
		sel.region = "35";
		sel.unit = "Xiamen Hospital";
		T_OK(activation_batch(db, &op, NULL, &sel, t0, keep, &gt,
		    err) == HS_ERR_INVALID, "two selections refused");

		/* ID numbers: a bad one makes nothing */
		sel = (struct act_select){ 0 };
		strcpy(badid, id8);
		badid[17] = badid[17] == '0' ? '1' : '0';
		ids[0] = id8;
		ids[1] = badid;
		sel.id_numbers = ids;
		sel.n_ids = 2;
		n0 = codes();
		T_OK(activation_batch(db, &op, &hr35, &sel, t0, keep, &gt,
		    err) == HS_ERR_INVALID && strncmp(err, "id 2:", 5) == 0 &&
		    strstr(err, badid) == NULL && codes() == n0,
		    "a wrong check character on the second ID: id 2, nothing "
		    "made: %s", err);
		ids[1] = id7;
		T_OK(activation_batch(db, &op, &emp_fz, &sel, t0, keep, &gt,
		    err) == HS_ERR_NOTFOUND && strncmp(err, "id 2:", 5) == 0 &&
		    codes() == n0, "an out-of-scope ID: id 2 not found, "
		    "nothing made: %s", err);
		ids[1] = id8;
		T_OK(activation_batch(db, &op, &hr35, &sel, t0, keep, &gt,
		    err) == HS_ERR_INVALID && strstr(err, "same person"),
		    "the same person twice refused: %s", err);
		ids[1] = id9;
		gt.answer = HS_ERR_IO;
		T_OK(activation_batch(db, &op, &hr35, &sel, t0, keep, &gt,
		    err) == HS_ERR_IO && gt.n == 2 && codes() == n0 &&
		    activation_check(db, id8, gt.first, t0, &pid, err) ==
		    HS_ERR_SIGNATURE, "a failing writer leaves no code behind");
		gt.answer = HS_OK;
		T_OK(activation_batch(db, &op, &hr35, &sel, t0, keep, &gt,
		    err) == HS_OK && gt.n == 2 && codes() == n0 + 2 &&
		    strcmp(gt.first_name, "\xe6\x9d\x8e\xe5\x9b\x9b") == 0,
		    "two ID numbers: two letters in the list's order (%s)", err);
	}

	/* ---- the audit never holds an ID number ---- */
	snprintf(sql, sizeof sql, "SELECT count(*) FROM audit WHERE "
	    "instr(object || detail, '%.17s') > 0 OR instr(object || detail, "
	    "'%.17s') > 0 OR instr(object || detail, '%.17s') > 0", id7, id8,
	    id9);
	T_OK(count_sql(sql, NULL) == 0, "no ID number in any audit row");

	store_close(db);
	t_rmtree(dir);
	return t_done();
}
