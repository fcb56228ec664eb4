/*
 * leaf.c - ledger leaf entries. See leaf.h.
 */
#include <string.h>

#include "cert/leaf.h"

static const char *const reasons[] = {
	"superseded", "error", "fraud", "withdrawn",
};

static bool
reason_ok(const char *r)
{
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (strcmp(r, reasons[i]) == 0)
			return true;
	return false;
}

/* A serial in canonical form only (what serial_parse would print). */
static enum hs_err
canonical_serial(const char *s, char *err)
{
	char canon[SERIAL_SIZE];

	if (strlen(s) != SERIAL_LEN || serial_parse(s, canon, NULL) != HS_OK ||
	    strcmp(canon, s) != 0)
		return hs_fail(err, HS_ERR_FORMAT, "\"%.*s\" is not a serial "
		    "in canonical form", SERIAL_LEN + 4, s);
	return HS_OK;
}

static enum hs_err
check_time(const char *t, char *err)
{
	time_t tt;
	char again[21];

	if (strlen(t) != 20 || time_parse_rfc3339(t, &tt) != 0)
		return hs_fail(err, HS_ERR_FORMAT, "\"%.24s\" is not an RFC "
		    "3339 UTC time YYYY-MM-DDTHH:MM:SSZ", t);
	time_rfc3339(tt, again);
	if (strcmp(again, t) != 0)
		return hs_fail(err, HS_ERR_FORMAT, "\"%s\" is not a canonical "
		    "time", t);
	return HS_OK;
}

/* A verifier key: printable ASCII, no spaces, at most NOTE_VKEY_MAX - 1. */
static enum hs_err
check_vkey(const char *k, char *err)
{
	struct note_verifier *v = NULL;
	enum hs_err rc;
	size_t i, n = strlen(k);

	if (n == 0 || n >= NOTE_VKEY_MAX)
		return hs_fail(err, HS_ERR_FORMAT, "verifier key has a bad "
		    "length");
	for (i = 0; i < n; i++)
		if (k[i] <= ' ' || k[i] >= 0x7f)
			return hs_fail(err, HS_ERR_FORMAT, "verifier key has "
			    "a space or non-ASCII byte");
	rc = note_verifier_parse(k, &v, err);
	note_verifier_free(v);
	if (rc != HS_OK)
		return HS_ERR_FORMAT;
	return HS_OK;
}

enum hs_err
leaf_issue(const char *serial, const char *note, size_t len, struct buf *out,
    char *err)
{
	uint8_t h[32];
	char b64[B64_LEN(32)];
	enum hs_err rc;

	if ((rc = canonical_serial(serial, err)) != HS_OK)
		return HS_ERR_INVALID;
	sha256(note, len, h);
	b64_encode(h, sizeof(h), b64, sizeof(b64));
	buf_printf(out, LEAF_PREFIX " issue %s %s", serial, b64);
	return out->oom ? HS_ERR_NOMEM : HS_OK;
}

enum hs_err
leaf_revoke(const char *serial, const char *reason, const char *time,
    struct buf *out, char *err)
{
	if (canonical_serial(serial, err) != HS_OK ||
	    check_time(time, err) != HS_OK)
		return HS_ERR_INVALID;
	if (!reason_ok(reason))
		return hs_fail(err, HS_ERR_INVALID, "revocation reason \"%.32s\""
		    " is not superseded, error, fraud or withdrawn", reason);
	buf_printf(out, LEAF_PREFIX " revoke %s %s %s", serial, reason, time);
	return out->oom ? HS_ERR_NOMEM : HS_OK;
}

enum hs_err
leaf_key(const char *vkey, const char *not_before, struct buf *out, char *err)
{
	if (check_vkey(vkey, err) != HS_OK ||
	    check_time(not_before, err) != HS_OK)
		return HS_ERR_INVALID;
	buf_printf(out, LEAF_PREFIX " key %s %s", vkey, not_before);
	return out->oom ? HS_ERR_NOMEM : HS_OK;
}

static enum hs_err
key_event(const char *kind, const char *vkey, const char *t, struct buf *out,
    char *err)
{
	if (check_vkey(vkey, err) != HS_OK || check_time(t, err) != HS_OK)
		return HS_ERR_INVALID;
	buf_printf(out, LEAF_PREFIX " %s %s %s", kind, vkey, t);
	return out->oom ? HS_ERR_NOMEM : HS_OK;
}

enum hs_err
leaf_key_retire(const char *vkey, const char *t, struct buf *out, char *err)
{
	return key_event("key-retire", vkey, t, out, err);
}

enum hs_err
leaf_key_compromise(const char *vkey, const char *since, struct buf *out,
    char *err)
{
	return key_event("key-compromise", vkey, since, out, err);
}

enum hs_err
leaf_audit(int64_t count, const uint8_t head[32], struct buf *out, char *err)
{
	char b64[B64_LEN(32)];

	if (count < 1)
		return hs_fail(err, HS_ERR_INVALID, "audit entry: the row "
		    "count %lld is not >= 1", (long long)count);
	b64_encode(head, 32, b64, sizeof(b64));
	buf_printf(out, LEAF_PREFIX " audit %lld %s", (long long)count, b64);
	return out->oom ? HS_ERR_NOMEM : HS_OK;
}

enum hs_err
leaf_doc_cert(const uint8_t sha[32], struct buf *out, char *err)
{
	char b64[B64_LEN(32)];

	b64_encode(sha, 32, b64, sizeof(b64));
	buf_printf(out, LEAF_PREFIX " doc-cert %s", b64);
	return out->oom ? hs_fail(err, HS_ERR_NOMEM, "out of memory") : HS_OK;
}

/* A count: decimal, no sign, no leading zero, 1..LEAF_AUDIT_MAX_COUNT. */
static enum hs_err
parse_count(const char *s, int64_t *out, char *err)
{
	uint64_t v = 0;
	size_t i, n = strlen(s);

	if (n == 0 || n > 19 || s[0] == '0')
		goto bad;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			goto bad;
		v = v * 10 + (uint64_t)(s[i] - '0'); /* 19 digits: no wrap */
	}
	if (v > (uint64_t)LEAF_AUDIT_MAX_COUNT)
		goto bad;
	*out = (int64_t)v;
	return HS_OK;
bad:
	return hs_fail(err, HS_ERR_FORMAT, "audit entry: the row count "
	    "\"%.24s\" is not a decimal number 1..%lld without leading zeros",
	    s, (long long)LEAF_AUDIT_MAX_COUNT);
}

/* Canonical base64 of exactly 32 bytes (re-encodes to the same text). */
static enum hs_err
parse_head(const char *s, uint8_t head[32], char *err)
{
	uint8_t h[32 + 3];
	char again[B64_LEN(32)];

	if (strlen(s) != 44 || b64_decode(s, 44, h, sizeof(h)) != 32)
		return hs_fail(err, HS_ERR_FORMAT, "audit entry: the head is "
		    "not base64 of 32 bytes");
	b64_encode(h, 32, again, sizeof(again));
	if (strcmp(again, s) != 0)
		return hs_fail(err, HS_ERR_FORMAT, "audit entry: the head is "
		    "not canonical base64");
	memcpy(head, h, 32);
	return HS_OK;
}

bool
leaf_is_key_kind(const char *entry, size_t len)
{
	static const char *const kinds[] = {
		LEAF_PREFIX " key ", LEAF_PREFIX " key-retire ",
		LEAF_PREFIX " key-compromise ",
	};
	size_t i, n;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		n = strlen(kinds[i]);
		if (len >= n && memcmp(entry, kinds[i], n) == 0)
			return true;
	}
	return false;
}

/* Copies field i (space-separated) of s into out; -1 if it does not fit. */
static int
field(char *const *f, size_t nf, size_t i, char *out, size_t outsz)
{
	size_t n;

	if (i >= nf || (n = strlen(f[i])) >= outsz)
		return -1;
	memcpy(out, f[i], n + 1);
	return 0;
}

enum hs_err
leaf_parse(const char *entry, size_t len, struct leaf *lf, char *err)
{
	char copy[LEAF_MAX + 1], *f[8], *p;
	size_t nf = 0, i;
	uint8_t h[32 + 3];

	memset(lf, 0, sizeof(*lf));
	if (len > LEAF_MAX)
		return hs_fail(err, HS_ERR_FORMAT, "leaf entry is over %d bytes",
		    LEAF_MAX);
	if (len == 0)
		return hs_fail(err, HS_ERR_FORMAT, "empty leaf entry");
	for (i = 0; i < len; i++)
		if ((unsigned char)entry[i] < 0x20 ||
		    (unsigned char)entry[i] >= 0x7f)
			return hs_fail(err, HS_ERR_FORMAT, "leaf entry has a "
			    "control or non-ASCII byte at %zu", i);
	memcpy(copy, entry, len);
	copy[len] = '\0';
	/* Single spaces only: no empty fields, no leading/trailing space. */
	p = copy;
	for (;;) {
		if (nf == sizeof(f) / sizeof(f[0]))
			return hs_fail(err, HS_ERR_FORMAT, "leaf entry has too "
			    "many fields");
		f[nf++] = p;
		if ((p = strchr(p, ' ')) == NULL)
			break;
		*p++ = '\0';
	}
	for (i = 0; i < nf; i++)
		if (f[i][0] == '\0')
			return hs_fail(err, HS_ERR_FORMAT, "leaf entry has an "
			    "empty field (double, leading or trailing space)");
	if (strcmp(f[0], LEAF_PREFIX) != 0)
		return hs_fail(err, HS_ERR_FORMAT, "leaf entry does not start "
		    "with %s", LEAF_PREFIX);
	if (nf == 4 && strcmp(f[1], "issue") == 0) {
		lf->kind = LEAF_ISSUE;
		if (canonical_serial(f[2], err) != HS_OK)
			return HS_ERR_FORMAT;
		if (strlen(f[3]) != 44 ||
		    b64_decode(f[3], 44, h, sizeof(h)) != 32)
			return hs_fail(err, HS_ERR_FORMAT, "issue entry: the "
			    "note digest is not base64 of 32 bytes");
		field(f, nf, 2, lf->serial, sizeof(lf->serial));
		field(f, nf, 3, lf->digest, sizeof(lf->digest));
		return HS_OK;
	}
	if (nf == 5 && strcmp(f[1], "revoke") == 0) {
		lf->kind = LEAF_REVOKE;
		if (canonical_serial(f[2], err) != HS_OK ||
		    check_time(f[4], err) != HS_OK)
			return HS_ERR_FORMAT;
		if (!reason_ok(f[3]))
			return hs_fail(err, HS_ERR_FORMAT, "revoke entry: "
			    "unknown reason \"%.16s\"", f[3]);
		field(f, nf, 2, lf->serial, sizeof(lf->serial));
		field(f, nf, 3, lf->reason, sizeof(lf->reason));
		field(f, nf, 4, lf->time, sizeof(lf->time));
		return HS_OK;
	}
	if (nf == 4 && (strcmp(f[1], "key") == 0 ||
	    strcmp(f[1], "key-retire") == 0 ||
	    strcmp(f[1], "key-compromise") == 0)) {
		lf->kind = f[1][3] == '\0' ? LEAF_KEY : f[1][4] == 'r' ?
		    LEAF_KEY_RETIRE : LEAF_KEY_COMPROMISE;
		if (check_vkey(f[2], err) != HS_OK ||
		    check_time(f[3], err) != HS_OK)
			return HS_ERR_FORMAT;
		field(f, nf, 2, lf->vkey, sizeof(lf->vkey));
		field(f, nf, 3, lf->time, sizeof(lf->time));
		return HS_OK;
	}
	if (nf == 4 && strcmp(f[1], "audit") == 0) {
		lf->kind = LEAF_AUDIT;
		if (parse_count(f[2], &lf->count, err) != HS_OK ||
		    parse_head(f[3], lf->head, err) != HS_OK)
			return HS_ERR_FORMAT;
		field(f, nf, 3, lf->digest, sizeof(lf->digest));
		return HS_OK;
	}
	if (nf == 3 && strcmp(f[1], "doc-cert") == 0) {
		lf->kind = LEAF_DOC_CERT;
		if (parse_head(f[2], lf->head, err) != HS_OK) {
			hs_errprefix(err, "doc-cert entry");
			return HS_ERR_FORMAT;
		}
		field(f, nf, 2, lf->digest, sizeof(lf->digest));
		return HS_OK;
	}
	return hs_fail(err, HS_ERR_FORMAT, "leaf entry kind \"%.16s\" with %zu "
	    "fields is not issue (4), revoke (5), key, key-retire, "
	    "key-compromise or audit (4), or doc-cert (3)",
	    nf > 1 ? f[1] : "", nf);
}
