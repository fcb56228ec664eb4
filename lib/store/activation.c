/*
 * activation.c - activation codes: making them (one person, or a batch
 * for letters), checking and redeeming them. See activation.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <sodium.h>

#include "core/crockford.h"
#include "core/util.h"
#include "store/activation.h"
#include "store/store.h"

static const char no_match[] = "the code does not match that ID number";

/* ---- codes ---- */

/* The codes are core/crockford.h's: 80 random bits as 16 characters,
 * read back as a person types them. */
enum hs_err
act_code_normalise(const char *in, char out[ACT_CODE_LEN + 1], char *err)
{
	if (crockford_normalise(in, out) == 0)
		return HS_OK;
	OPENSSL_cleanse(out, ACT_CODE_LEN + 1);
	return hs_fail(err, HS_ERR_INVALID, "code: an activation code has 16 "
	    "characters 0-9 and A-Z (XXXX-XXXX-XXXX-XXXX)");
}

void
act_code_group(const char *code, char out[ACT_CODE_SHOWN + 1])
{
	crockford_group(code, out);
}

static enum hs_err
new_code(char code[ACT_CODE_LEN + 1], char *err)
{
	uint8_t raw[CROCKFORD_CODE_BYTES];

	if (random_bytes(raw, sizeof raw) != HS_OK)
		return hs_fail(err, HS_ERR_IO, "code: no random bytes");
	crockford_encode(raw, code);
	OPENSSL_cleanse(raw, sizeof raw);
	return HS_OK;
}

static void
col_text(sqlite3_stmt *st, int i, char *dst, size_t cap)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	snprintf(dst, cap, "%s", s != NULL ? (const char *)s : "");
}

/* ---- scope ---- */

/*
 * The people query. Named parameters (NULL: no condition):
 *   :pid  one person            :u   people of a unit
 *   :sr   people in a region    :br  by's hr region   :bu  by's unit
 *   :new  1: only people without an account
 * Region coverage is accounts.c's covers(): a region starting with R, or
 * '' for a 2-digit (province) R; a person's regions are their unit's
 * (units table, '' if none) and their records'.
 */
#define COVERS(r) "(EXISTS (SELECT 1 FROM units u WHERE u.name = " \
	"p.unit AND substr(u.region, 1, length(" r ")) = " r ") OR " \
	"(length(" r ") = 2 AND NOT EXISTS (SELECT 1 FROM units u WHERE " \
	"u.name = p.unit)) OR EXISTS (SELECT 1 FROM records r WHERE " \
	"r.practitioner_id = p.id AND ((r.region != '' AND " \
	"substr(r.region, 1, length(" r ")) = " r ") OR (r.region = '' AND " \
	"length(" r ") = 2))))"
#define IN_UNIT(u) "(p.unit = " u " OR EXISTS (SELECT 1 FROM records r " \
	"WHERE r.practitioner_id = p.id AND r.unit = " u "))"

static const char people_sql[] =
	"SELECT p.id, p.name, p.id_masked, p.unit, a.id IS NOT NULL, "
	"coalesce(a.name, '') FROM practitioners p "
	"LEFT JOIN accounts a ON a.practitioner_id = p.id WHERE "
	"(:pid IS NULL OR p.id = :pid) AND "
	"(:u IS NULL OR " IN_UNIT(":u") ") AND "
	"(:sr IS NULL OR " COVERS(":sr") ") AND "
	"(:br IS NULL OR " COVERS(":br") ") AND "
	"(:bu IS NULL OR " IN_UNIT(":bu") ") AND "
	"(:new IS NULL OR a.id IS NULL) "
	"ORDER BY p.unit, p.name, p.id";

static void
bind_named_text(sqlite3_stmt *st, const char *name, const char *v)
{
	int i = sqlite3_bind_parameter_index(st, name);

	if (i > 0 && v != NULL)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

/* Checks that by may make codes at all. */
static enum hs_err
may_make(const struct account *by, char *err)
{
	if (by == NULL)
		return HS_OK;
	if ((by->role != ROLE_HR && by->role != ROLE_EMPLOYER) ||
	    by->disabled || by->locked)
		return hs_fail(err, HS_ERR_STATE, "only an hr or employer "
		    "account may make activation codes");
	if (by->role == ROLE_HR && by->scope.region[0] == '\0')
		return hs_fail(err, HS_ERR_STATE, "the hr account has no "
		    "region");
	if (by->role == ROLE_EMPLOYER && by->scope.unit[0] == '\0')
		return hs_fail(err, HS_ERR_STATE, "the employer account has "
		    "no unit");
	return HS_OK;
}

/* Prepares the people query with by's scope bound. */
static enum hs_err
people_prepare(sqlite3 *db, const struct account *by, sqlite3_stmt **st,
    char *err)
{
	if (sqlite3_prepare_v2(db, people_sql, -1, st, NULL) != SQLITE_OK)
		return store_err(db, err, "practitioners");
	if (by != NULL && by->role == ROLE_HR)
		bind_named_text(*st, ":br", by->scope.region);
	if (by != NULL && by->role == ROLE_EMPLOYER)
		bind_named_text(*st, ":bu", by->scope.unit);
	return HS_OK;
}

/* One row of the people query. */
static void
people_row(sqlite3_stmt *st, struct act_letter *l, char *acct, size_t cap)
{
	memset(l, 0, sizeof *l);
	l->practitioner_id = sqlite3_column_int64(st, 0);
	col_text(st, 1, l->name, sizeof l->name);
	col_text(st, 2, l->id_masked, sizeof l->id_masked);
	col_text(st, 3, l->unit, sizeof l->unit);
	l->has_account = sqlite3_column_int(st, 4) != 0;
	if (acct != NULL)
		col_text(st, 5, acct, cap);
}

/* Reads practitioner pid within by's scope into *l (acct: its account's
 * name or ""). HS_ERR_NOTFOUND if unknown or out of scope. */
static enum hs_err
person_in_scope(sqlite3 *db, const struct account *by, int64_t pid,
    struct act_letter *l, char *acct, size_t cap, char *err)
{
	sqlite3_stmt *st = NULL;
	enum hs_err rc;
	int step;

	if ((rc = people_prepare(db, by, &st, err)) != HS_OK)
		return rc;
	sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":pid"), pid);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		people_row(st, l, acct, cap);
	else if (step == SQLITE_DONE)
		rc = hs_fail(err, HS_ERR_NOTFOUND, "no such person in your "
		    "scope");
	else
		rc = store_err(db, err, "practitioners");
	sqlite3_finalize(st);
	return rc;
}

enum hs_err
activation_in_scope(sqlite3 *db, const struct account *by,
    int64_t practitioner_id, char *err)
{
	struct act_letter l;
	enum hs_err rc;

	if ((rc = may_make(by, err)) != HS_OK)
		return rc;
	return person_in_scope(db, by, practitioner_id, &l, NULL, 0, err);
}

/* ---- making ---- */

/* Spends pid's open codes and stores a new one; audits activation.make. */
static enum hs_err
make_one(sqlite3 *db, const struct actor *who, const struct account *by,
    const struct act_letter *l, const char *acct, int64_t now,
    char code[ACT_CODE_LEN + 1], int64_t *expires, char *err)
{
	sqlite3_stmt *st = NULL;
	char object[64], detail[64], when[21];
	const char *made_by;
	uint8_t h[32];
	enum hs_err rc;

	if ((rc = new_code(code, err)) != HS_OK)
		return rc;
	sha256(code, ACT_CODE_LEN, h);
	if (sqlite3_prepare_v2(db, "UPDATE activation_codes SET spent = ?1 "
	    "WHERE practitioner_id = ?2 AND used IS NULL AND spent IS NULL",
	    -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "activation_codes");
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, l->practitioner_id);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = store_err(db, err, "activation_codes");
	sqlite3_finalize(st);
	if (rc != HS_OK)
		return rc;
	made_by = by != NULL ? by->name : (who != NULL && who->name != NULL ?
	    who->name : "cli");
	if (sqlite3_prepare_v2(db, "INSERT INTO activation_codes "
	    "(practitioner_id, hash, created, expires, created_by) VALUES "
	    "(?,?,?,?,?)", -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "activation_codes");
	sqlite3_bind_int64(st, 1, l->practitioner_id);
	sqlite3_bind_blob(st, 2, h, 32, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, now + ACT_TTL);
	sqlite3_bind_text(st, 5, made_by, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = store_err(db, err, "activation_codes");
	sqlite3_finalize(st);
	OPENSSL_cleanse(h, sizeof h);
	if (rc != HS_OK)
		return rc;
	if (acct[0] != '\0')
		snprintf(object, sizeof object, "%.63s", acct);
	else
		snprintf(object, sizeof object, "practitioner:%lld",
		    (long long)l->practitioner_id);
	time_rfc3339((time_t)(now + ACT_TTL), when);
	snprintf(detail, sizeof detail, "expires %s", when);
	if (expires != NULL)
		*expires = now + ACT_TTL;
	return audit_append(db, who, "activation.make", object, detail, NULL,
	    err);
}

enum hs_err
activation_make(sqlite3 *db, const struct actor *who,
    const struct account *by, int64_t practitioner_id, int64_t now,
    char code[ACT_CODE_LEN + 1], int64_t *expires, char *err)
{
	struct act_letter l;
	char acct[257];
	bool own = false;
	enum hs_err rc;

	code[0] = '\0';
	if ((rc = may_make(by, err)) != HS_OK)
		return rc;
	if ((rc = store_join(db, &own, err)) != HS_OK)
		return rc;
	if ((rc = person_in_scope(db, by, practitioner_id, &l, acct,
	    sizeof acct, err)) == HS_OK)
		rc = make_one(db, who, by, &l, acct, now, code, expires, err);
	rc = store_leave(db, own, rc, err);
	if (rc != HS_OK)
		OPENSSL_cleanse(code, ACT_CODE_LEN + 1);
	return rc;
}

/* ---- batches ---- */

struct people {
	struct act_letter *l;
	char (*acct)[257];
	size_t n, cap;
};

static enum hs_err
people_push(struct people *p, sqlite3_stmt *st, char *err)
{
	if (p->n == ACT_BATCH_MAX)
		return hs_fail(err, HS_ERR_INVALID, "more than %d people in "
		    "one batch: choose a smaller unit or region",
		    ACT_BATCH_MAX);
	if (p->n == p->cap) {
		size_t cap = p->cap != 0 ? p->cap * 2 : 64;
		struct act_letter *l = realloc(p->l, cap * sizeof *l);
		char (*a)[257];

		if (l == NULL)
			return hs_fail(err, HS_ERR_NOMEM, "out of memory");
		p->l = l;
		a = realloc(p->acct, cap * sizeof *a);
		if (a == NULL)
			return hs_fail(err, HS_ERR_NOMEM, "out of memory");
		p->acct = a;
		p->cap = cap;
	}
	people_row(st, &p->l[p->n], p->acct[p->n], sizeof p->acct[p->n]);
	p->n++;
	return HS_OK;
}

/* Whether the unit exists and by covers it (the selection's own check). */
static enum hs_err
unit_in_scope(sqlite3 *db, const struct account *by, const char *unit,
    char *err)
{
	sqlite3_stmt *st = NULL;
	enum hs_err rc = HS_OK;
	int step;

	if (unit[0] == '\0' || strlen(unit) > 255)
		return hs_fail(err, HS_ERR_INVALID, "unit: 1-255 bytes");
	if (by != NULL && by->role == ROLE_EMPLOYER)
		return strcmp(unit, by->scope.unit) == 0 ? HS_OK :
		    hs_fail(err, HS_ERR_NOTFOUND, "no such unit in your scope");
	/* the units table, or (a unit no table row names) any person */
	if (sqlite3_prepare_v2(db, "SELECT region FROM units WHERE name = ?1 "
	    "UNION ALL SELECT '' WHERE NOT EXISTS (SELECT 1 FROM units WHERE "
	    "name = ?1) AND EXISTS (SELECT 1 FROM practitioners WHERE "
	    "unit = ?1)", -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "units");
	sqlite3_bind_text(st, 1, unit, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		const char *g = (const char *)sqlite3_column_text(st, 0);
		const char *r = by != NULL ? by->scope.region : "";
		size_t n = strlen(r);

		if (g == NULL)
			g = "";
		if (by != NULL && !(g[0] != '\0' ? strncmp(g, r, n) == 0 :
		    n == 2))
			rc = hs_fail(err, HS_ERR_NOTFOUND, "no such unit in "
			    "your scope");
	} else if (step == SQLITE_DONE) {
		rc = hs_fail(err, HS_ERR_NOTFOUND, "no such unit in your "
		    "scope");
	} else {
		rc = store_err(db, err, "units");
	}
	sqlite3_finalize(st);
	return rc;
}

/* Whether the region (2-12 digits) is within by's (hr only). */
static enum hs_err
region_in_scope(const struct account *by, const char *region, char *err)
{
	size_t i, n = strlen(region);

	if (n < 2 || n > 12)
		return hs_fail(err, HS_ERR_INVALID, "region: 2 to 12 digits");
	for (i = 0; i < n; i++)
		if (region[i] < '0' || region[i] > '9')
			return hs_fail(err, HS_ERR_INVALID, "region: 2 to 12 "
			    "digits");
	if (by == NULL)
		return HS_OK;
	if (by->role != ROLE_HR || strncmp(region, by->scope.region,
	    strlen(by->scope.region)) != 0)
		return hs_fail(err, HS_ERR_NOTFOUND, "region %s is not in "
		    "your scope", region);
	return HS_OK;
}

/* Selects the people of sel into *p (without codes). */
static enum hs_err
select_people(sqlite3 *db, const struct account *by,
    const struct act_select *sel, struct people *p, char *err)
{
	sqlite3_stmt *st = NULL;
	enum hs_err rc = HS_OK;
	size_t i, nsel = (sel->unit != NULL) + (sel->region != NULL) +
	    (sel->id_numbers != NULL);
	int step;

	if (nsel != 1)
		return hs_fail(err, HS_ERR_INVALID, "choose one of a unit, a "
		    "region or a list of ID numbers");
	if (sel->unit != NULL && (rc = unit_in_scope(db, by, sel->unit, err))
	    != HS_OK)
		return rc;
	if (sel->region != NULL && (rc = region_in_scope(by, sel->region,
	    err)) != HS_OK)
		return rc;
	if (sel->id_numbers != NULL && sel->n_ids > ACT_BATCH_MAX)
		return hs_fail(err, HS_ERR_INVALID, "more than %d people in "
		    "one batch", ACT_BATCH_MAX);
	if ((rc = people_prepare(db, by, &st, err)) != HS_OK)
		return rc;
	bind_named_text(st, ":u", sel->unit);
	bind_named_text(st, ":sr", sel->region);
	if (sel->new_only)
		sqlite3_bind_int(st, sqlite3_bind_parameter_index(st, ":new"),
		    1);
	if (sel->id_numbers == NULL) {
		while ((step = sqlite3_step(st)) == SQLITE_ROW)
			if ((rc = people_push(p, st, err)) != HS_OK)
				goto out;
		if (step != SQLITE_DONE)
			rc = store_err(db, err, "practitioners");
		goto out;
	}
	for (i = 0; i < sel->n_ids; i++) {
		char id[IDNUM_SIZE], why[HS_ERRLEN];
		struct act_letter skip;
		sqlite3_stmt *q = NULL;
		int64_t pid = 0;
		size_t k;

		if (idnum_validate(sel->id_numbers[i], -1, id, why) != HS_OK) {
			rc = hs_fail(err, HS_ERR_INVALID, "id %zu: %s", i + 1,
			    why);
			goto out;
		}
		if (sqlite3_prepare_v2(db, "SELECT id FROM practitioners "
		    "WHERE id_number = ?", -1, &q, NULL) != SQLITE_OK) {
			rc = store_err(db, err, "practitioners");
			goto out;
		}
		sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
		step = sqlite3_step(q);
		if (step == SQLITE_ROW)
			pid = sqlite3_column_int64(q, 0);
		else if (step != SQLITE_DONE)
			rc = store_err(db, err, "practitioners");
		sqlite3_finalize(q);
		OPENSSL_cleanse(id, sizeof id);
		if (rc != HS_OK)
			goto out;
		for (k = 0; k < p->n && pid != 0; k++)
			if (p->l[k].practitioner_id == pid) {
				rc = hs_fail(err, HS_ERR_INVALID, "id %zu: the "
				    "same person as an earlier line", i + 1);
				goto out;
			}
		sqlite3_reset(st);
		sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st,
		    ":pid"), pid);
		step = sqlite3_step(st);
		if (step == SQLITE_ROW) {
			if ((rc = people_push(p, st, err)) != HS_OK)
				goto out;
		} else if (step == SQLITE_DONE) {
			/* new_only skips people who have an account */
			if (!sel->new_only || pid == 0 ||
			    person_in_scope(db, by, pid, &skip, NULL, 0, err)
			    != HS_OK) {
				rc = hs_fail(err, HS_ERR_NOTFOUND, "id %zu: no "
				    "such person in your scope", i + 1);
				goto out;
			}
		} else {
			rc = store_err(db, err, "practitioners");
			goto out;
		}
	}
out:
	sqlite3_finalize(st);
	return rc;
}

enum hs_err
activation_batch(sqlite3 *db, const struct actor *who,
    const struct account *by, const struct act_select *sel, int64_t now,
    enum hs_err (*out)(void *ctx, const struct act_letter *l, size_t n,
    char *err), void *ctx, char *err)
{
	struct people p = { 0 };
	bool own = false;
	enum hs_err rc;
	size_t i;

	if ((rc = may_make(by, err)) != HS_OK)
		return rc;
	if ((rc = store_join(db, &own, err)) != HS_OK)
		return rc;
	if ((rc = select_people(db, by, sel, &p, err)) != HS_OK)
		goto done;
	if (p.n == 0) {
		rc = hs_fail(err, HS_ERR_NOTFOUND, "nobody to write to%s",
		    sel->new_only ? " (everyone chosen has an account)" : "");
		goto done;
	}
	for (i = 0; i < p.n && rc == HS_OK; i++)
		rc = make_one(db, who, by, &p.l[i], p.acct[i], now,
		    p.l[i].code, &p.l[i].expires, err);
	if (rc == HS_OK)
		rc = out(ctx, p.l, p.n, err);
done:
	rc = store_leave(db, own, rc, err);
	if (p.l != NULL)
		OPENSSL_cleanse(p.l, p.n * sizeof *p.l);
	free(p.l);
	free(p.acct);
	return rc;
}

/* ---- redeeming ---- */

enum hs_err
activation_check(sqlite3 *db, const char *id_number, const char *code,
    int64_t now, int64_t *pid, char *err)
{
	char norm[ACT_CODE_LEN + 1], id[IDNUM_SIZE], why[HS_ERRLEN];
	char stored_id[IDNUM_SIZE] = "";
	sqlite3_stmt *st = NULL;
	uint8_t h[32], stored[32];
	int64_t expires = 0, who = 0;
	bool used = false, spent = false, found = false;
	enum hs_err rc = HS_OK;
	int step;

	*pid = 0;
	if ((rc = act_code_normalise(code, norm, err)) != HS_OK)
		return rc;
	if (idnum_validate(id_number, -1, id, why) != HS_OK) {
		OPENSSL_cleanse(norm, sizeof norm);
		return hs_fail(err, HS_ERR_SIGNATURE, "%s", no_match);
	}
	sha256(norm, ACT_CODE_LEN, h);
	OPENSSL_cleanse(norm, sizeof norm);
	memset(stored, 0, sizeof stored);
	if (sqlite3_prepare_v2(db, "SELECT c.hash, c.practitioner_id, "
	    "c.expires, c.used IS NOT NULL, c.spent IS NOT NULL, p.id_number "
	    "FROM activation_codes c JOIN practitioners p ON p.id = "
	    "c.practitioner_id WHERE c.hash = ?", -1, &st, NULL) != SQLITE_OK) {
		rc = store_err(db, err, "activation_codes");
		goto out;
	}
	sqlite3_bind_blob(st, 1, h, 32, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 0) == 32) {
			memcpy(stored, sqlite3_column_blob(st, 0), 32);
			found = true;
		}
		who = sqlite3_column_int64(st, 1);
		expires = sqlite3_column_int64(st, 2);
		used = sqlite3_column_int(st, 3) != 0;
		spent = sqlite3_column_int(st, 4) != 0;
		col_text(st, 5, stored_id, sizeof stored_id);
	} else if (step != SQLITE_DONE) {
		rc = store_err(db, err, "activation_codes");
	}
	sqlite3_finalize(st);
	if (rc != HS_OK)
		goto out;
	/* compare in constant time; one answer for unknown, spent and
	 * another person's code */
	if (!found || sodium_memcmp(stored, h, 32) != 0 ||
	    strlen(stored_id) != IDNUM_LEN ||
	    sodium_memcmp(stored_id, id, IDNUM_LEN) != 0 || spent) {
		rc = hs_fail(err, HS_ERR_SIGNATURE, "%s", no_match);
		goto out;
	}
	if (used) {
		rc = hs_fail(err, HS_ERR_STATE, "the code has already been "
		    "used");
		goto out;
	}
	if (now >= expires) {
		rc = hs_fail(err, HS_ERR_STATE, "the code has expired: ask "
		    "for a new one");
		goto out;
	}
	*pid = who;
out:
	OPENSSL_cleanse(id, sizeof id);
	OPENSSL_cleanse(stored_id, sizeof stored_id);
	OPENSSL_cleanse(h, sizeof h);
	return rc;
}

/* The account of practitioner pid (HS_ERR_NOTFOUND if none). */
static enum hs_err
account_of(sqlite3 *db, int64_t pid, struct account *a, char *err)
{
	sqlite3_stmt *st = NULL;
	char name[257] = "";
	enum hs_err rc = HS_OK;
	int step;

	if (sqlite3_prepare_v2(db, "SELECT name FROM accounts WHERE "
	    "practitioner_id = ?", -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "accounts");
	sqlite3_bind_int64(st, 1, pid);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		col_text(st, 0, name, sizeof name);
	else if (step == SQLITE_DONE)
		rc = HS_ERR_NOTFOUND;
	else
		rc = store_err(db, err, "accounts");
	sqlite3_finalize(st);
	if (rc != HS_OK)
		return rc;
	return accounts_get(db, name, a, err);
}

/* A free account name for practitioner pid: p<pid>, else p<pid>-2... */
static enum hs_err
free_name(sqlite3 *db, int64_t pid, char *name, size_t cap, char *err)
{
	sqlite3_stmt *st = NULL;
	enum hs_err rc = HS_OK;
	int i, step;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM accounts WHERE name = ? "
	    "COLLATE NOCASE", -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "accounts");
	for (i = 1; i <= 20; i++) {
		if (i == 1)
			snprintf(name, cap, "p%lld", (long long)pid);
		else
			snprintf(name, cap, "p%lld-%d", (long long)pid, i);
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
		step = sqlite3_step(st);
		if (step == SQLITE_DONE)
			goto out;
		if (step != SQLITE_ROW) {
			rc = store_err(db, err, "accounts");
			goto out;
		}
	}
	rc = hs_fail(err, HS_ERR_EXISTS, "no free account name for this "
	    "person");
out:
	sqlite3_finalize(st);
	return rc;
}

/* The person's name (for the org and the password rule). */
static enum hs_err
person_name(sqlite3 *db, int64_t pid, char *name, size_t cap, char *err)
{
	sqlite3_stmt *st = NULL;
	enum hs_err rc = HS_OK;

	name[0] = '\0';
	if (sqlite3_prepare_v2(db, "SELECT name FROM practitioners WHERE "
	    "id = ?", -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "practitioners");
	sqlite3_bind_int64(st, 1, pid);
	if (sqlite3_step(st) == SQLITE_ROW)
		col_text(st, 0, name, cap);
	else
		rc = store_err(db, err, "practitioners");
	sqlite3_finalize(st);
	return rc;
}

static enum hs_err
exec_sql(sqlite3 *db, const char *sql, const char *text1, int64_t i2,
    int64_t i3, const char *what, char *err)
{
	sqlite3_stmt *st = NULL;
	enum hs_err rc = HS_OK;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, what);
	sqlite3_bind_text(st, 1, text1, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, i2);
	if (sqlite3_bind_parameter_count(st) >= 3)
		sqlite3_bind_int64(st, 3, i3);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = store_err(db, err, what);
	sqlite3_finalize(st);
	return rc;
}

enum hs_err
activation_redeem(sqlite3 *db, const char *client, const char *id_number,
    const char *code, const char *password, int64_t now,
    struct account *out_a, char *err)
{
	char hash[crypto_pwhash_STRBYTES], norm[ACT_CODE_LEN + 1];
	char pname[257], detail[96];
	struct account a;
	struct actor w;
	uint8_t h[32];
	int64_t pid = 0;
	bool own = false, fresh = false;
	sqlite3_stmt *st = NULL;
	enum hs_err rc;
	int n = 0;

	if (out_a != NULL)
		memset(out_a, 0, sizeof *out_a);
	memset(hash, 0, sizeof hash);
	if ((rc = activation_check(db, id_number, code, now, &pid, err))
	    != HS_OK)
		return rc;
	if ((rc = person_name(db, pid, pname, sizeof pname, err)) != HS_OK)
		return rc;
	rc = account_of(db, pid, &a, err);
	if (rc == HS_ERR_NOTFOUND) {
		fresh = true;
		memset(&a, 0, sizeof a);
		if ((rc = free_name(db, pid, a.name, sizeof a.name, err))
		    != HS_OK)
			return rc;
		a.role = ROLE_PRACTITIONER;
		a.scope.practitioner_id = pid;
		if (accounts_check_org(pname, NULL) == HS_OK)
			snprintf(a.org, sizeof a.org, "%s", pname);
		else
			snprintf(a.org, sizeof a.org, "practitioner");
		a.created = now;
		snprintf(a.created_by, sizeof a.created_by, "activation");
	} else if (rc != HS_OK) {
		return rc;
	} else if (a.role != ROLE_PRACTITIONER || a.disabled) {
		return hs_fail(err, HS_ERR_STATE, "the account for this person "
		    "is disabled: ask the office that gave you the code");
	}
	if ((rc = accounts_password_policy(db, &a, password, err)) != HS_OK)
		return rc;
	if (utf8_count(pname) >= 2 && strstr(password, pname) != NULL)
		return hs_fail(err, HS_ERR_INVALID, "password: contains your "
		    "name");
	if (sodium_init() < 0)
		return hs_fail(err, HS_ERR_CRYPTO, "libsodium cannot start");
	/* hash before taking the write lock: it takes a while */
	if (crypto_pwhash_str(hash, password, strlen(password),
	    crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return hs_fail(err, HS_ERR_NOMEM, "password: hashing failed "
		    "(out of memory)");
	(void)act_code_normalise(code, norm, NULL);
	sha256(norm, ACT_CODE_LEN, h);
	OPENSSL_cleanse(norm, sizeof norm);
	if ((rc = store_join(db, &own, err)) != HS_OK)
		goto out;
	/* used once: the row changes only while it is still open */
	if (sqlite3_prepare_v2(db, "UPDATE activation_codes SET used = ?1 "
	    "WHERE hash = ?2 AND practitioner_id = ?3 AND used IS NULL AND "
	    "spent IS NULL AND expires > ?1", -1, &st, NULL) != SQLITE_OK) {
		rc = store_err(db, err, "activation_codes");
		goto out;
	}
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_blob(st, 2, h, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, pid);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = store_err(db, err, "activation_codes");
	else
		n = sqlite3_changes(db);
	sqlite3_finalize(st);
	if (rc != HS_OK)
		goto out;
	if (n != 1) {
		rc = hs_fail(err, HS_ERR_STATE, "the code has already been "
		    "used");
		goto out;
	}
	w.name = a.name;
	w.role = "practitioner";
	w.org = a.org;
	w.client = client != NULL ? client : "";
	if (fresh) {
		if (sqlite3_prepare_v2(db, "INSERT INTO accounts (name, role, "
		    "practitioner_id, org, pw_hash, created, created_by) "
		    "VALUES (?, 'practitioner', ?, ?, ?, ?, 'activation')", -1,
		    &st, NULL) != SQLITE_OK) {
			rc = store_err(db, err, "accounts");
			goto out;
		}
		sqlite3_bind_text(st, 1, a.name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, pid);
		sqlite3_bind_text(st, 3, a.org, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, hash, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, now);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = store_err(db, err, "accounts");
		sqlite3_finalize(st);
		if (rc != HS_OK)
			goto out;
		a.id = sqlite3_last_insert_rowid(db);
		snprintf(detail, sizeof detail, "role=practitioner "
		    "scope=practitioner:%lld via activation", (long long)pid);
		if ((rc = audit_append(db, &w, "account.add", a.name, detail,
		    NULL, err)) != HS_OK)
			goto out;
	} else {
		if ((rc = exec_sql(db, "UPDATE accounts SET pw_hash = ?1, "
		    "failures = 0, next_try = 0, locked = 0, totp_secret = "
		    "NULL, totp_enrolled = 0, totp_last_step = 0 WHERE id = ?2",
		    hash, a.id, 0, "accounts", err)) != HS_OK ||
		    (rc = sessions_end_all(db, a.id, now, NULL, err)) != HS_OK)
			goto out;
	}
	if ((rc = audit_append(db, &w, "activation.use", a.name,
	    fresh ? "new account" : "password reset", NULL, err)) != HS_OK)
		goto out;
	rc = audit_append(db, &w, "account.password", a.name, "activation",
	    NULL, err);
out:
	rc = store_leave(db, own, rc, err);
	sodium_memzero(hash, sizeof hash);
	OPENSSL_cleanse(h, sizeof h);
	if (rc == HS_OK && out_a != NULL) {
		if (accounts_get_id(db, a.id, out_a, err) != HS_OK) {
			*out_a = a;
			out_a->has_password = true;
		}
	}
	return rc;
}
