/*
 * trust.c - this module reads the verifier's trust file (trust.h): the
 * ledgers it accepts, one block each, parsed bounded, every error naming
 * the file and line.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"
#include "trust.h"
#include "verify.h"

#define TRUST_MAGIC "hourseal-verifier-trust v1"

/* Parser state: the file's name for messages, the current line. */
struct tp {
	const char *name;
	const char *dir;
	unsigned line;
	int need_db;
	struct trust *t;
	struct trust_ledger *cur;
	/* keywords seen in the current ledger */
	unsigned seen;
};

enum { SEEN_ORIGIN = 1, SEEN_ISSUER = 2, SEEN_DB = 4, SEEN_STATE = 8,
	SEEN_PEPPER = 16 };

static enum hs_err __attribute__((format(printf, 3, 4)))
bad(const struct tp *p, char *err, const char *fmt, ...)
{
	char msg[HS_ERRLEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return hs_fail(err, HS_ERR_FORMAT, "%s:%u: %s", p->name, p->line, msg);
}

/* A ledger's name: 1..TRUST_NAME_MAX of [a-z0-9-], a letter first (it
 * is a path segment: /ledger/<name>/...). */
static int
name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > TRUST_NAME_MAX || s[0] < 'a' || s[0] > 'z')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

/* An origin (a note key name): printable ASCII, no space or '+'. */
static int
origin_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > CHECKPOINT_ORIGIN_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] >= 0x7f || s[i] == '+')
			return 0;
	return 1;
}

/* dir/value (value as is when absolute or dir is empty). */
static enum hs_err
put_path(const struct tp *p, const char *kw, const char *value, char *out,
    char *err)
{
	int n;

	if (value[0] == '/' || p->dir == NULL || p->dir[0] == '\0')
		n = snprintf(out, TRUST_PATH_MAX, "%s", value);
	else
		n = snprintf(out, TRUST_PATH_MAX, "%s/%s", p->dir, value);
	if (n < 0 || n >= TRUST_PATH_MAX)
		return bad(p, err, "%s: path too long", kw);
	return HS_OK;
}

/* The ledger being closed has what it needs, and differs from the rest. */
static enum hs_err
close_ledger(struct tp *p, char *err)
{
	struct trust_ledger *l = p->cur;
	unsigned line = p->line;
	enum hs_err rc = HS_OK;
	size_t i;

	if (l == NULL)
		return HS_OK;
	p->line = l->line;
	if (!(p->seen & SEEN_ORIGIN))
		rc = bad(p, err, "ledger %s has no origin line", l->name);
	else if (!(p->seen & SEEN_ISSUER))
		rc = bad(p, err, "ledger %s has no issuer line (the name "
		    "answers show)", l->name);
	else if (l->nkeys == 0)
		rc = bad(p, err, "ledger %s has no key line (its trust anchor)",
		    l->name);
	else if (p->need_db && !(p->seen & SEEN_DB))
		rc = bad(p, err, "ledger %s has no db line", l->name);
	for (i = 0; rc == HS_OK && &p->t->l[i] != l; i++) {
		if (strcmp(p->t->l[i].origin, l->origin) == 0)
			rc = bad(p, err, "ledger %s has the origin %s of ledger "
			    "%s (line %u): one origin, one ledger", l->name,
			    l->origin, p->t->l[i].name, p->t->l[i].line);
		else if (l->db[0] != '\0' &&
		    strcmp(p->t->l[i].db, l->db) == 0)
			rc = bad(p, err, "ledger %s has the database of ledger "
			    "%s (line %u)", l->name, p->t->l[i].name,
			    p->t->l[i].line);
		else if (l->state[0] != '\0' &&
		    strcmp(p->t->l[i].state, l->state) == 0)
			rc = bad(p, err, "ledger %s has the state file of "
			    "ledger %s (line %u)", l->name, p->t->l[i].name,
			    p->t->l[i].line);
	}
	p->line = line;
	p->cur = NULL;
	return rc;
}

static enum hs_err
keyword(struct tp *p, const char *kw, const char *value, char *err)
{
	struct trust_ledger *l;
	enum hs_err rc;
	size_t i;

	if (strcmp(kw, "ledger") == 0) {
		if ((rc = close_ledger(p, err)) != HS_OK)
			return rc;
		if (!name_ok(value))
			return bad(p, err, "ledger name '%.40s': expected 1 to "
			    "%d of a-z, 0-9 and '-', starting with a letter",
			    value, TRUST_NAME_MAX);
		for (i = 0; i < p->t->n; i++)
			if (strcmp(p->t->l[i].name, value) == 0)
				return bad(p, err, "ledger %s is named twice "
				    "(line %u)", value, p->t->l[i].line);
		if (p->t->n >= TRUST_MAX)
			return bad(p, err, "more than %d ledgers", TRUST_MAX);
		l = &p->t->l[p->t->n++];
		memset(l, 0, sizeof(*l));
		snprintf(l->name, sizeof(l->name), "%s", value);
		l->line = p->line;
		p->cur = l;
		p->seen = 0;
		return HS_OK;
	}
	if ((l = p->cur) == NULL)
		return bad(p, err, "'%.20s' before any 'ledger NAME' line", kw);
#define ONCE(bit) do { \
	if (p->seen & (bit)) \
		return bad(p, err, "a second %s line in ledger %s", kw, \
		    l->name); \
	p->seen |= (bit); \
} while (0)
	if (strcmp(kw, "origin") == 0) {
		ONCE(SEEN_ORIGIN);
		if (!origin_ok(value))
			return bad(p, err, "origin: expected a log origin "
			    "(printable, no spaces or '+', at most %d bytes)",
			    CHECKPOINT_ORIGIN_MAX);
		snprintf(l->origin, sizeof(l->origin), "%s", value);
	} else if (strcmp(kw, "issuer") == 0) {
		ONCE(SEEN_ISSUER);
		if (strlen(value) > TRUST_ISSUER_MAX ||
		    strchr(value, '\t') != NULL)
			return bad(p, err, "issuer: at most %d bytes, no "
			    "tabs", TRUST_ISSUER_MAX);
		snprintf(l->issuer, sizeof(l->issuer), "%s", value);
	} else if (strcmp(kw, "key") == 0) {
		if (l->nkeys >= TRUST_MAX_KEYS)
			return bad(p, err, "more than %d key lines in ledger "
			    "%s", TRUST_MAX_KEYS, l->name);
		l->key_line[l->nkeys] = p->line;
		return put_path(p, kw, value, l->key[l->nkeys++], err);
	} else if (strcmp(kw, "db") == 0) {
		ONCE(SEEN_DB);
		l->db_line = p->line;
		return put_path(p, kw, value, l->db, err);
	} else if (strcmp(kw, "state") == 0) {
		ONCE(SEEN_STATE);
		return put_path(p, kw, value, l->state, err);
	} else if (strcmp(kw, "pepper") == 0) {
		ONCE(SEEN_PEPPER);
		return put_path(p, kw, value, l->pepper, err);
	} else {
		return bad(p, err, "unknown keyword '%.20s' (expected ledger, "
		    "origin, issuer, key, db, state or pepper)", kw);
	}
#undef ONCE
	return HS_OK;
}

enum hs_err
trust_parse(const char *data, size_t len, const char *name, const char *dir,
    int need_db, struct trust *t, char *err)
{
	struct tp p = { .name = name ? name : "trust file", .dir = dir,
		.need_db = need_db, .t = t };
	const char *s = data, *end = data + len, *nl;
	char line[TRUST_LINE_MAX + 1], *a, *b, *kw, *value;
	int magic = 0;
	size_t n, i;
	enum hs_err rc;

	memset(t->l, 0, sizeof(t->l));
	t->n = 0;
	if (memchr(data, '\0', len) != NULL) {
		p.line = 1;
		return bad(&p, err, "the file holds a NUL byte");
	}
	while (s < end) {
		p.line++;
		nl = memchr(s, '\n', (size_t)(end - s));
		n = (size_t)((nl ? nl : end) - s);
		if (n > TRUST_LINE_MAX)
			return bad(&p, err, "line over %d bytes",
			    TRUST_LINE_MAX);
		memcpy(line, s, n);
		line[n] = '\0';
		s = nl ? nl + 1 : end;
		if (!utf8_valid(line, n))
			return bad(&p, err, "not UTF-8");
		/* Trim; tabs and spaces only, no other control character. */
		for (a = line; *a == ' ' || *a == '\t'; a++)
			;
		b = a + strlen(a);
		while (b > a && (b[-1] == ' ' || b[-1] == '\t' ||
		    b[-1] == '\r'))
			*--b = '\0';
		for (i = 0; a[i] != '\0'; i++)
			if (((unsigned char)a[i] < 0x20 && a[i] != '\t') ||
			    a[i] == 0x7f)
				return bad(&p, err, "a control character");
		if (*a == '\0' || *a == '#')
			continue;
		if (!magic) {
			if (strcmp(a, TRUST_MAGIC) != 0)
				return bad(&p, err, "expected '%s' as the first "
				    "line", TRUST_MAGIC);
			magic = 1;
			continue;
		}
		kw = a;
		a += strcspn(a, " \t");
		if (*a == '\0')
			return bad(&p, err, "'%.20s' without a value", kw);
		*a++ = '\0';
		while (*a == ' ' || *a == '\t')
			a++;
		value = a;
		if ((rc = keyword(&p, kw, value, err)) != HS_OK)
			return rc;
	}
	if ((rc = close_ledger(&p, err)) != HS_OK)
		return rc;
	if (!magic || t->n == 0) {
		p.line = p.line ? p.line : 1;
		return bad(&p, err, "no ledger in the file%s", magic ? "" :
		    " (the first line must be '" TRUST_MAGIC "')");
	}
	return HS_OK;
}

/* Reads path: a regular file (no symlink), not writable by group or
 * others, at most TRUST_FILE_MAX bytes. */
static enum hs_err
read_trust(const char *path, char **out, size_t *len, char *err)
{
	enum hs_err rc = file_read_guarded(path, TRUST_FILE_MAX,
	    "whoever can write it chooses whom this verifier trusts; chmod "
	    "go-w it", out, len, err);

	return rc == HS_ERR_NOTFOUND ? HS_ERR_IO : rc;
}

/* Every key file of l loads and names l's origin. */
static enum hs_err
check_keys(const struct trust *t, const struct trust_ledger *l, char *err)
{
	struct verify_keys ks;
	char e2[HS_ERRLEN];
	enum hs_err rc = HS_OK;
	size_t i;

	for (i = 0; i < l->nkeys && rc == HS_OK; i++) {
		verify_keys_init(&ks);
		if (verify_keys_load(&ks, l->key[i], e2) != HS_OK)
			rc = hs_fail(err, HS_ERR_FORMAT, "%s:%u: key: %s",
			    t->path, l->key_line[i], e2);
		else if (strcmp(ks.origin, l->origin) != 0)
			rc = hs_fail(err, HS_ERR_FORMAT, "%s:%u: key %s is a "
			    "key of %s, not of the ledger's origin %s",
			    t->path, l->key_line[i], l->key[i], ks.origin,
			    l->origin);
		verify_keys_free(&ks);
	}
	return rc;
}

enum hs_err
trust_load(const char *path, int need_db, struct trust **out, char *err)
{
	struct trust *t;
	struct stat sb;
	char *data = NULL, dir[TRUST_PATH_MAX], *sl;
	size_t len = 0, i;
	enum hs_err rc;

	*out = NULL;
	if (strlen(path) >= TRUST_PATH_MAX)
		return hs_fail(err, HS_ERR_INVALID, "trust file path too long");
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	snprintf(t->path, sizeof(t->path), "%s", path);
	snprintf(dir, sizeof(dir), "%s", path);
	if ((sl = strrchr(dir, '/')) != NULL)
		sl[sl == dir ? 1 : 0] = '\0';
	else
		dir[0] = '\0';
	if ((rc = read_trust(path, &data, &len, err)) != HS_OK ||
	    (rc = trust_parse(data, len, path, dir, need_db, t, err)) !=
	    HS_OK)
		goto fail;
	for (i = 0; i < t->n; i++) {
		if ((rc = check_keys(t, &t->l[i], err)) != HS_OK)
			goto fail;
		if (!need_db)
			continue;
		if (stat(t->l[i].db, &sb) != 0) {
			rc = hs_fail(err, HS_ERR_IO, "%s:%u: db %s: %s",
			    path, t->l[i].db_line, t->l[i].db,
			    strerror(errno));
			goto fail;
		}
		if (!S_ISREG(sb.st_mode)) {
			rc = hs_fail(err, HS_ERR_IO, "%s:%u: db %s: not a "
			    "regular file", path, t->l[i].db_line,
			    t->l[i].db);
			goto fail;
		}
	}
	free(data);
	*out = t;
	return HS_OK;
fail:
	free(data);
	free(t);
	return rc;
}

const struct trust_ledger *
trust_find(const struct trust *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->l[i].name, name) == 0)
			return &t->l[i];
	return NULL;
}
