/*
 * vstate.c - the remembered checkpoint and the refusal state (vstate.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "core/file.h"
#include "core/util.h"
#include "vstate.h"

#define VSTATE_MAGIC "hourseal-verifier-state v1"

struct vstate {
	pthread_mutex_t mu;
	char path[PATH_MAX];        /* "": in memory only */
	char *fnote;                /* the file's note until confirmed */
	size_t fnote_len;
	struct checkpoint fhdr;     /* the file's header */
	bool pending;               /* fnote read, not yet confirmed */
	bool have_file;
	uint64_t psize;             /* the size the file holds */
	uint64_t remembered;
	bool tofu_said;
	bool write_failing;
	struct vstate_info cur;
};

static const char *const refusal_names[VTREE_REFUSALS] = {
	"none", "damaged", "rollback", "fork", "inconsistent",
};

const char *
vstate_refusal_name(enum vtree_refusal why)
{
	return (unsigned)why < VTREE_REFUSALS ? refusal_names[why] : "?";
}

/* One header value: "key value" with key known, value without controls. */
static enum hs_err
header_line(const char *line, size_t n, struct checkpoint *hdr,
    unsigned *seen, char *err)
{
	static const char *const keys[] = { "origin", "size", "root",
		"accepted" };
	char val[CHECKPOINT_ORIGIN_MAX + 1];
	const char *sp = memchr(line, ' ', n);
	size_t k, vlen, i;
	time_t t;

	if (sp == NULL)
		return hs_fail(err, HS_ERR_FORMAT, "expected 'key value'");
	k = (size_t)(sp - line);
	vlen = n - k - 1;
	if (vlen == 0 || vlen >= sizeof(val))
		return hs_fail(err, HS_ERR_FORMAT, "empty or overlong value");
	memcpy(val, sp + 1, vlen);
	val[vlen] = '\0';
	for (i = 0; i < vlen; i++)
		if ((unsigned char)val[i] < 0x20 || val[i] == 0x7f)
			return hs_fail(err, HS_ERR_FORMAT, "control character");
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strlen(keys[i]) == k && memcmp(line, keys[i], k) == 0)
			break;
	if (i == sizeof(keys) / sizeof(keys[0]))
		return hs_fail(err, HS_ERR_FORMAT, "unknown key '%.*s'",
		    (int)(k > 32 ? 32 : k), line);
	if (*seen & (1u << i))
		return hs_fail(err, HS_ERR_FORMAT, "%s given twice", keys[i]);
	*seen |= 1u << i;
	switch (i) {
	case 0:
		memcpy(hdr->origin, val, vlen + 1);
		break;
	case 1:
		if (vlen > 19 || (val[0] == '0' && vlen > 1) ||
		    strspn(val, "0123456789") != vlen)
			return hs_fail(err, HS_ERR_FORMAT, "size '%s' is not a "
			    "tree size", val);
		hdr->size = strtoull(val, NULL, 10);
		break;
	case 2:
		if (merkle_hash_decode(val, vlen, hdr->root) != 0)
			return hs_fail(err, HS_ERR_FORMAT, "root is not a "
			    "base64 SHA-256 hash");
		break;
	default:
		if (time_parse_rfc3339(val, &t) != 0)
			return hs_fail(err, HS_ERR_FORMAT, "accepted is not an "
			    "RFC 3339 time");
		break;
	}
	return HS_OK;
}

enum hs_err
vstate_parse(const char *data, size_t len, struct checkpoint *hdr,
    const char **note, size_t *nlen, char *err)
{
	const char *p = data, *end = data + len, *nl;
	struct checkpoint in;
	unsigned seen = 0, line = 1;
	enum hs_err rc;
	char e2[HS_ERRLEN];

	memset(hdr, 0, sizeof(*hdr));
	nl = memchr(p, '\n', len);
	if (nl == NULL || (size_t)(nl - p) != strlen(VSTATE_MAGIC) ||
	    memcmp(p, VSTATE_MAGIC, strlen(VSTATE_MAGIC)) != 0)
		return hs_fail(err, HS_ERR_FORMAT, "line 1: expected '%s'",
		    VSTATE_MAGIC);
	for (p = nl + 1, line = 2; p < end; p = nl + 1, line++) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			return hs_fail(err, HS_ERR_FORMAT, "line %u: no blank "
			    "line before the note", line);
		if (nl == p)
			break;
		if ((rc = header_line(p, (size_t)(nl - p), hdr, &seen, e2)) !=
		    HS_OK)
			return hs_fail(err, rc, "line %u: %s", line, e2);
	}
	if (p >= end)
		return hs_fail(err, HS_ERR_FORMAT, "no checkpoint note");
	if ((seen & 7u) != 7u)
		return hs_fail(err, HS_ERR_FORMAT, "origin, size and root are "
		    "required");
	*note = nl + 1;
	*nlen = (size_t)(end - *note);
	if (*nlen == 0 || *nlen > CHECKPOINT_NOTE_MAX)
		return hs_fail(err, HS_ERR_FORMAT, "no checkpoint note, or one "
		    "over %d bytes", CHECKPOINT_NOTE_MAX);
	if ((rc = checkpoint_parse_note(*note, *nlen, &in, e2)) != HS_OK)
		return hs_fail(err, HS_ERR_FORMAT, "the checkpoint note: %s",
		    e2);
	if (strcmp(in.origin, hdr->origin) != 0 || in.size != hdr->size ||
	    CRYPTO_memcmp(in.root, hdr->root, MERKLE_HASH) != 0)
		return hs_fail(err, HS_ERR_FORMAT, "the header does not say "
		    "what the checkpoint note says");
	return HS_OK;
}

/*
 * Reads the file at path into *out (caller frees): a regular file, not a
 * symlink, not writable by group or others, at most VSTATE_FILE_MAX
 * bytes. HS_ERR_NOTFOUND if there is none.
 */
static enum hs_err
state_read(const char *path, char **out, size_t *len, char *err)
{
	return file_read_guarded(path, VSTATE_FILE_MAX, "it must be 0600",
	    out, len, err);
}

enum hs_err
vstate_open(const char *path, struct vstate **out, char *err)
{
	struct vstate *vs;
	const char *note;
	char *data = NULL;
	size_t len, nlen;
	enum hs_err rc;
	char e2[HS_ERRLEN];

	*out = NULL;
	if ((vs = calloc(1, sizeof(*vs))) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	pthread_mutex_init(&vs->mu, NULL);
	if (path == NULL) {
		*out = vs;
		return HS_OK;
	}
	if (snprintf(vs->path, sizeof(vs->path), "%s", path) >=
	    (int)sizeof(vs->path) - 16) {
		rc = hs_fail(err, HS_ERR_INVALID, "state file path too long");
		goto fail;
	}
	rc = state_read(path, &data, &len, err);
	if (rc == HS_ERR_NOTFOUND) {
		*out = vs;
		return HS_OK;
	}
	if (rc != HS_OK)
		goto fail;
	if ((rc = vstate_parse(data, len, &vs->fhdr, &note, &nlen, e2)) !=
	    HS_OK) {
		hs_fail(err, rc, "%s: %s", path, e2);
		goto fail;
	}
	if ((vs->fnote = malloc(nlen + 1)) == NULL) {
		rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
		goto fail;
	}
	memcpy(vs->fnote, note, nlen);
	vs->fnote[nlen] = '\0';
	vs->fnote_len = nlen;
	vs->pending = true;
	vs->have_file = true;
	vs->psize = vs->fhdr.size;
	free(data);
	*out = vs;
	return HS_OK;
fail:
	free(data);
	vstate_free(vs);
	return rc;
}

void
vstate_free(struct vstate *vs)
{
	if (vs == NULL)
		return;
	free(vs->fnote);
	pthread_mutex_destroy(&vs->mu);
	free(vs);
}

const char *
vstate_path(const struct vstate *vs)
{
	return vs->path;
}

bool
vstate_file_note(struct vstate *vs, const char **note, size_t *len)
{
	bool ok;

	pthread_mutex_lock(&vs->mu);
	ok = vs->pending;
	*note = vs->fnote;
	*len = vs->fnote_len;
	pthread_mutex_unlock(&vs->mu);
	return ok;
}

enum hs_err
vstate_confirm(struct vstate *vs, const struct checkpoint *cp, char *err)
{
	enum hs_err rc = HS_OK;

	pthread_mutex_lock(&vs->mu);
	if (strcmp(cp->origin, vs->fhdr.origin) != 0 ||
	    cp->size != vs->fhdr.size ||
	    CRYPTO_memcmp(cp->root, vs->fhdr.root, MERKLE_HASH) != 0) {
		rc = hs_fail(err, HS_ERR_FORMAT, "%s: the header does not say "
		    "what the verified checkpoint says", vs->path);
	} else {
		vs->pending = false;
		if (cp->size > vs->remembered)
			vs->remembered = cp->size;
	}
	pthread_mutex_unlock(&vs->mu);
	return rc;
}

/* The size in the file now, or 0 if it cannot be read (mu held). */
static uint64_t
size_on_disk(struct vstate *vs)
{
	struct checkpoint hdr;
	const char *note;
	char *data = NULL;
	size_t len, nlen;
	uint64_t n = 0;

	if (state_read(vs->path, &data, &len, NULL) == HS_OK &&
	    vstate_parse(data, len, &hdr, &note, &nlen, NULL) == HS_OK)
		n = hdr.size;
	free(data);
	return n;
}

/* Writes cp and its note to the file (mu held). */
static enum hs_err
state_write(struct vstate *vs, const struct checkpoint *cp, const char *note,
    size_t len, char *err)
{
	struct buf b;
	char root[MERKLE_B64_SIZE], now[21];
	enum hs_err rc;

	merkle_hash_encode(cp->root, root);
	time_now_rfc3339(now);
	buf_init(&b);
	buf_printf(&b, VSTATE_MAGIC "\norigin %s\nsize %llu\nroot %s\n"
	    "accepted %s\n\n", cp->origin, (unsigned long long)cp->size, root,
	    now);
	buf_add(&b, note, len);
	if (b.oom)
		rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
	else
		/* Atomic and durable (temp, fsync, rename, fsync the
		 * directory); leftovers of an interrupted write go first. */
		rc = file_write(vs->path, b.data, b.len, 0600,
		    FILE_SYNC | FILE_CLEAN, err);
	buf_free(&b);
	return rc;
}

void
vstate_accept(struct vstate *vs, const struct checkpoint *cp,
    const char *note, size_t len)
{
	char err[HS_ERRLEN];

	pthread_mutex_lock(&vs->mu);
	if (vs->cur.refused != VTREE_ACCEPTED)
		fprintf(stderr, "hourseal-verifier: the database's checkpoint "
		    "(size %llu) verifies and does not go back: serving it "
		    "(refused before: %s)\n", (unsigned long long)cp->size,
		    vs->cur.reason);
	vs->cur.refused = VTREE_ACCEPTED;
	vs->cur.reason[0] = '\0';
	vs->cur.retained = false;
	vs->cur.db_size = cp->size;
	if (cp->size >= vs->cur.serving)
		vs->cur.serving = cp->size;
	if (cp->size > vs->remembered)
		vs->remembered = cp->size;
	if (vs->path[0] == '\0' || vs->pending ||
	    (vs->have_file && cp->size <= vs->psize))
		goto out;
	if (!vs->have_file && !vs->tofu_said) {
		vs->tofu_said = true;
		fprintf(stderr, "hourseal-verifier: %s: no remembered "
		    "checkpoint: trusting the database's (size %llu) on first "
		    "use\n", vs->path, (unsigned long long)cp->size);
	}
	/* Another process may have written a larger one meanwhile. */
	if (vs->have_file && size_on_disk(vs) >= cp->size) {
		vs->psize = cp->size;
		goto out;
	}
	if (state_write(vs, cp, note, len, err) != HS_OK) {
		vs->cur.write_errors++;
		if (!vs->write_failing)
			fprintf(stderr, "hourseal-verifier: cannot remember "
			    "the checkpoint (size %llu): %s\n",
			    (unsigned long long)cp->size, err);
		vs->write_failing = true;
		goto out;
	}
	if (vs->write_failing)
		fprintf(stderr, "hourseal-verifier: %s: written again (size "
		    "%llu)\n", vs->path, (unsigned long long)cp->size);
	vs->write_failing = false;
	vs->have_file = true;
	vs->psize = cp->size;
out:
	pthread_mutex_unlock(&vs->mu);
}

void
vstate_refuse(struct vstate *vs, enum vtree_refusal why, uint64_t db_size,
    const char *reason, bool retained, uint64_t serving)
{
	pthread_mutex_lock(&vs->mu);
	if (vs->cur.refused == why && vs->cur.db_size == db_size &&
	    vs->cur.retained == retained &&
	    strcmp(vs->cur.reason, reason) == 0) {
		/* The same event, seen by another thread. */
		vs->cur.serving = retained ? serving : 0;
		pthread_mutex_unlock(&vs->mu);
		return;
	}
	vs->cur.refused = why;
	snprintf(vs->cur.reason, sizeof(vs->cur.reason), "%s", reason);
	vs->cur.db_size = db_size;
	vs->cur.retained = retained;
	vs->cur.serving = retained ? serving : 0;
	if ((unsigned)why < VTREE_REFUSALS)
		vs->cur.events[why]++;
	if (retained)
		fprintf(stderr, "hourseal-verifier: REFUSED the database's "
		    "checkpoint (%s): %s; still answering from the last "
		    "checkpoint verified (size %llu)\n",
		    vstate_refusal_name(why), reason,
		    (unsigned long long)serving);
	else
		fprintf(stderr, "hourseal-verifier: REFUSED the database's "
		    "checkpoint (%s): %s; answering 503 (cannot verify now) "
		    "until the database has a checkpoint that verifies and "
		    "does not go back (size %llu or more)\n",
		    vstate_refusal_name(why), reason,
		    (unsigned long long)vs->remembered);
	pthread_mutex_unlock(&vs->mu);
}

void
vstate_info(struct vstate *vs, struct vstate_info *out)
{
	pthread_mutex_lock(&vs->mu);
	*out = vs->cur;
	out->remembered = vs->remembered;
	out->have_file = vs->have_file;
	pthread_mutex_unlock(&vs->mu);
}
