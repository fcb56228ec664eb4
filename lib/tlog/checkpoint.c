/*
 * checkpoint.c - c2sp.org/tlog-checkpoint text. See checkpoint.h.
 */
#include <string.h>

#include "core/util.h"
#include "tlog/checkpoint.h"

/* Extension lines we accept (and ignore) when parsing others' notes. */
#define CHECKPOINT_MAX_EXT 16

/*
 * The origin is the first line and the signer name: non-empty UTF-8, no
 * control characters, and (as the spec recommends and key names require)
 * no spaces or '+'.
 */
static enum hs_err
check_origin(const char *o, size_t n, char *err)
{
	size_t i;

	if (n == 0)
		return hs_fail(err, HS_ERR_FORMAT, "empty origin");
	if (n > CHECKPOINT_ORIGIN_MAX)
		return hs_fail(err, HS_ERR_FORMAT, "origin is over %d bytes",
		    CHECKPOINT_ORIGIN_MAX);
	if (!utf8_valid(o, n))
		return hs_fail(err, HS_ERR_FORMAT, "origin is not UTF-8");
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)o[i];

		if (c < 0x20 || c == 0x7f || c == ' ' || c == '+')
			return hs_fail(err, HS_ERR_FORMAT, "origin has a "
			    "space, '+' or control character at byte %zu", i);
	}
	/* U+0080..U+009F (C1 controls) are rejected too. */
	{
		char tmp[CHECKPOINT_ORIGIN_MAX + 1];

		memcpy(tmp, o, n);
		tmp[n] = '\0';
		if (has_control(tmp))
			return hs_fail(err, HS_ERR_FORMAT, "origin has a "
			    "control character");
	}
	return HS_OK;
}

enum hs_err
checkpoint_format(const char *origin, uint64_t size, const merkle_hash root,
    struct buf *out, char *err)
{
	char b64[MERKLE_B64_SIZE];
	enum hs_err rc;

	if ((rc = check_origin(origin, strlen(origin), err)) != HS_OK)
		return hs_fail(err, HS_ERR_INVALID, "checkpoint origin \"%s\" "
		    "is not allowed", origin);
	if (size > MERKLE_MAX_SIZE)
		return hs_fail(err, HS_ERR_INVALID, "tree size too large");
	merkle_hash_encode(root, b64);
	buf_printf(out, "%s\n%llu\n%s\n", origin, (unsigned long long)size,
	    b64);
	return out->oom ? HS_ERR_NOMEM : HS_OK;
}

enum hs_err
checkpoint_parse(const char *text, size_t len, struct checkpoint *cp,
    char *err)
{
	const char *p = text, *end = text + len, *nl;
	size_t line = 0, n;
	enum hs_err rc;

	memset(cp, 0, sizeof(*cp));
	if (len > CHECKPOINT_TEXT_MAX)
		return hs_fail(err, HS_ERR_FORMAT, "checkpoint is over %d "
		    "bytes", CHECKPOINT_TEXT_MAX);
	if (len == 0 || text[len - 1] != '\n')
		return hs_fail(err, HS_ERR_FORMAT, "checkpoint text does not "
		    "end in a newline");
	if (memchr(text, '\0', len) != NULL)
		return hs_fail(err, HS_ERR_FORMAT, "checkpoint has a NUL byte");
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)(nl - p);
		line++;
		switch (line) {
		case 1:
			if ((rc = check_origin(p, n, err)) != HS_OK) {
				hs_errprefix(err, "checkpoint line 1");
				return rc;
			}
			memcpy(cp->origin, p, n);
			cp->origin[n] = '\0';
			break;
		case 2:
			if (dec_parse_u64(p, n, MERKLE_MAX_SIZE, &cp->size) != 0)
				return hs_fail(err, HS_ERR_FORMAT, "checkpoint "
				    "line 2: the tree size is not a decimal "
				    "number without leading zeroes");
			break;
		case 3:
			if (merkle_hash_decode(p, n, cp->root) != 0)
				return hs_fail(err, HS_ERR_FORMAT, "checkpoint "
				    "line 3: the root is not base64 of 32 "
				    "bytes");
			break;
		default:
			if (n == 0)
				return hs_fail(err, HS_ERR_FORMAT, "checkpoint "
				    "line %zu: empty extension line", line);
			if (line > 3 + CHECKPOINT_MAX_EXT)
				return hs_fail(err, HS_ERR_FORMAT, "checkpoint "
				    "has more than %d extension lines",
				    CHECKPOINT_MAX_EXT);
			break;
		}
		p = nl + 1;
	}
	if (line < 3)
		return hs_fail(err, HS_ERR_FORMAT, "checkpoint has %zu lines, "
		    "needs origin, size and root", line);
	return HS_OK;
}

enum hs_err
checkpoint_parse_note(const char *note, size_t len, struct checkpoint *cp,
    char *err)
{
	size_t i;

	memset(cp, 0, sizeof(*cp));
	if (len > CHECKPOINT_NOTE_MAX)
		return hs_fail(err, HS_ERR_FORMAT, "checkpoint note is over "
		    "%d bytes", CHECKPOINT_NOTE_MAX);
	/* The text ends at the first blank line. */
	for (i = 0; i + 1 < len; i++)
		if (note[i] == '\n' && note[i + 1] == '\n')
			return checkpoint_parse(note, i + 1, cp, err);
	return hs_fail(err, HS_ERR_FORMAT, "checkpoint note has no blank line "
	    "before its signatures");
}

enum hs_err
checkpoint_open(const char *note, size_t len, const char *origin,
    struct note_verifier *const *vs, size_t nvs, struct checkpoint *cp,
    struct note_verified *by, char *err)
{
	struct note_verified v;
	enum hs_err rc;

	memset(cp, 0, sizeof(*cp));
	if (len > CHECKPOINT_NOTE_MAX)
		return hs_fail(err, HS_ERR_FORMAT, "checkpoint note is over "
		    "%d bytes", CHECKPOINT_NOTE_MAX);
	if ((rc = note_open(note, len, vs, nvs, &v, err)) != HS_OK) {
		hs_errprefix(err, "checkpoint");
		return rc;
	}
	if ((rc = checkpoint_parse(note, v.text_len, cp, err)) != HS_OK)
		return rc;
	if (origin != NULL && strcmp(cp->origin, origin) != 0)
		return hs_fail(err, HS_ERR_SIGNATURE, "checkpoint is for log "
		    "\"%s\", not \"%s\"", cp->origin, origin);
	if (by != NULL)
		*by = v;
	return HS_OK;
}

enum hs_err
checkpoint_verify_consistency(const struct checkpoint *older,
    const struct checkpoint *newer, const merkle_hash *proof, size_t n,
    char *err)
{
	enum hs_err rc;

	if (strcmp(older->origin, newer->origin) != 0)
		return hs_fail(err, HS_ERR_SIGNATURE, "checkpoints of two "
		    "different logs (\"%s\" and \"%s\")", older->origin,
		    newer->origin);
	if (older->size > newer->size)
		return hs_fail(err, HS_ERR_SIGNATURE, "the newer checkpoint "
		    "(size %llu) is smaller than the older (size %llu)",
		    (unsigned long long)newer->size,
		    (unsigned long long)older->size);
	/* Every tree extends the empty one. */
	if (older->size == 0 && n == 0)
		return HS_OK;
	rc = merkle_verify_consistency(older->size, newer->size, older->root,
	    MERKLE_HASH, newer->root, MERKLE_HASH, proof, n, err);
	if (rc != HS_OK) {
		hs_errprefix(err, "checkpoints %llu and %llu",
		    (unsigned long long)older->size,
		    (unsigned long long)newer->size);
		return HS_ERR_SIGNATURE;
	}
	return HS_OK;
}
