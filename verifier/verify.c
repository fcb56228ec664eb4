/*
 * verify.c - keys with validity windows, certificate notes, receipts and
 * consistency proofs (verify.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cert/leaf.h"
#include "tlog/merkle.h"
#include "tlog/receipt.h"
#include "verify.h"

void
verify_keys_init(struct verify_keys *ks)
{
	memset(ks, 0, sizeof(*ks));
}

void
verify_keys_free(struct verify_keys *ks)
{
	size_t i;

	if (ks == NULL)
		return;
	for (i = 0; i < ks->n; i++)
		note_verifier_free(ks->v[i]);
	memset(ks, 0, sizeof(*ks));
}

static enum hs_err
parse_time(const char *what, const char *s, time_t *t, char *err)
{
	*t = 0;
	if (s == NULL || s[0] == '\0')
		return HS_OK;
	if (time_parse_rfc3339(s, t) != 0)
		return hs_fail(err, HS_ERR_FORMAT, "%s '%.40s' is not an RFC 3339 "
		    "UTC time (YYYY-MM-DDTHH:MM:SSZ)", what, s);
	return HS_OK;
}

bool
verify_keys_has(const struct verify_keys *ks, const char *vkey)
{
	size_t i;

	for (i = 0; i < ks->n; i++)
		if (strcmp(ks->k[i].vkey, vkey) == 0)
			return true;
	return false;
}

enum hs_err
verify_keys_add(struct verify_keys *ks, const char *vkey, const char *label,
    const char *not_before, const char *retired, const char *compromised,
    char *err)
{
	struct verify_key k;
	struct note_verifier *v = NULL;
	enum hs_err rc;

	memset(&k, 0, sizeof(k));
	if (strlen(vkey) >= sizeof(k.vkey))
		return hs_fail(err, HS_ERR_FORMAT, "verifier key too long");
	if ((rc = parse_time("not-before", not_before, &k.not_before, err)) ||
	    (rc = parse_time("retired", retired, &k.retired, err)) ||
	    (rc = parse_time("compromised", compromised, &k.compromised, err)))
		return rc;
	if (verify_keys_has(ks, vkey))
		return HS_OK;
	if (ks->n >= VERIFY_MAX_KEYS)
		return hs_fail(err, HS_ERR_TOOBIG, "more than %d verifier keys",
		    VERIFY_MAX_KEYS);
	if ((rc = note_verifier_parse(vkey, &v, err)) != HS_OK) {
		hs_errprefix(err, "verifier key");
		return rc == HS_ERR_NOMEM ? rc : HS_ERR_FORMAT;
	}
	if (ks->n > 0 && strcmp(ks->origin, note_verifier_name(v)) != 0) {
		rc = hs_fail(err, HS_ERR_INVALID, "verifier key for '%s', but "
		    "the other keys are for '%s'", note_verifier_name(v),
		    ks->origin);
		note_verifier_free(v);
		return rc;
	}
	if (strlen(note_verifier_name(v)) >= sizeof(ks->origin)) {
		note_verifier_free(v);
		return hs_fail(err, HS_ERR_FORMAT, "key name too long");
	}
	snprintf(ks->origin, sizeof(ks->origin), "%s", note_verifier_name(v));
	snprintf(k.vkey, sizeof(k.vkey), "%s", vkey);
	snprintf(k.label, sizeof(k.label), "%s", label ? label : "");
	ks->k[ks->n] = k;
	ks->v[ks->n] = v;
	ks->n++;
	if (k.compromised == 0)
		ks->ckpt[ks->nckpt++] = v;
	return HS_OK;
}

enum hs_err
verify_keys_load(struct verify_keys *ks, const char *path, char *err)
{
	char *data = NULL, *line, *next, *save;
	size_t len, lineno = 0;
	enum hs_err rc;
	size_t before = ks->n;

	if ((rc = file_read(path, 64 * 1024, &data, &len, err)) != HS_OK)
		return rc;
	if (!utf8_valid(data, len)) {
		rc = hs_fail(err, HS_ERR_FORMAT, "%s: not UTF-8 text", path);
		goto out;
	}
	for (line = data; line != NULL && *line != '\0'; line = next) {
		char *tok, *vkey;
		const char *nb = NULL, *ret = NULL, *comp = NULL;

		lineno++;
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if (line[0] != '\0' && line[strlen(line) - 1] == '\r')
			line[strlen(line) - 1] = '\0';
		while (*line == ' ' || *line == '\t')
			line++;
		if (*line == '\0' || *line == '#')
			continue;
		vkey = strtok_r(line, " \t", &save);
		while ((tok = strtok_r(NULL, " \t", &save)) != NULL) {
			if (strncmp(tok, "not-before=", 11) == 0)
				nb = tok + 11;
			else if (strncmp(tok, "retired=", 8) == 0)
				ret = tok + 8;
			else if (strncmp(tok, "compromised=", 12) == 0)
				comp = tok + 12;
			else {
				rc = hs_fail(err, HS_ERR_FORMAT, "%s: line %zu: "
				    "unknown field '%.40s' (expected not-before=, "
				    "retired=, compromised=)", path, lineno, tok);
				goto out;
			}
		}
		if ((rc = verify_keys_add(ks, vkey, NULL, nb, ret, comp,
		    err)) != HS_OK) {
			hs_errprefix(err, "%s: line %zu", path, lineno);
			goto out;
		}
	}
	if (ks->n == before) {
		rc = hs_fail(err, HS_ERR_FORMAT, "%s: no verifier key in it",
		    path);
		goto out;
	}
	rc = HS_OK;
out:
	free(data);
	return rc;
}

void
verify_keys_format(const struct verify_keys *ks, struct buf *out)
{
	size_t i;
	char t[21];

	for (i = 0; i < ks->n; i++) {
		buf_puts(out, ks->k[i].vkey);
		if (ks->k[i].not_before) {
			time_rfc3339(ks->k[i].not_before, t);
			buf_printf(out, " not-before=%s", t);
		}
		if (ks->k[i].retired) {
			time_rfc3339(ks->k[i].retired, t);
			buf_printf(out, " retired=%s", t);
		}
		if (ks->k[i].compromised) {
			time_rfc3339(ks->k[i].compromised, t);
			buf_printf(out, " compromised=%s", t);
		}
		buf_putc(out, '\n');
	}
}

enum hs_err
verify_key_window(const struct verify_keys *ks, size_t k, const char *what,
    time_t issued, char *err)
{
	const struct verify_key *vk = &ks->k[k];
	char t[21];

	if (what == NULL) {
		/* Only an error message needs the text. */
		if (!(vk->compromised && issued >= vk->compromised) &&
		    !(vk->retired && issued > vk->retired) &&
		    !(vk->not_before && issued < vk->not_before))
			return HS_OK;
		time_rfc3339(issued, t);
		what = t;
	}
	if (vk->compromised && issued >= vk->compromised)
		return hs_fail(err, HS_ERR_STATE, "signed by a key marked "
		    "compromised since before the issue time %s", what);
	if (vk->retired && issued > vk->retired)
		return hs_fail(err, HS_ERR_STATE, "signed by a key retired "
		    "before the issue time %s", what);
	if (vk->not_before && issued < vk->not_before)
		return hs_fail(err, HS_ERR_STATE, "signed by a key not "
		    "yet valid at the issue time %s", what);
	return HS_OK;
}

enum hs_err
verify_cert_note(const struct verify_keys *ks, const char *note, size_t len,
    struct cert *c, size_t *key, char *err)
{
	struct note_verified by;
	enum hs_err rc;
	time_t issued;
	size_t i;
	char e2[HS_ERRLEN];

	memset(c, 0, sizeof(*c));
	if (key != NULL)
		*key = 0;
	if (ks->n == 0)
		return hs_fail(err, HS_ERR_SIGNATURE, "no trusted keys");
	rc = note_open(note, len, ks->v, ks->n, &by, e2);
	if (rc == HS_ERR_FORMAT || rc == HS_ERR_TOOBIG)
		return hs_fail(err, HS_ERR_FORMAT, "not a signed note: %s", e2);
	if (rc != HS_OK)
		return hs_fail(err, HS_ERR_SIGNATURE, "signature: %s", e2);
	if ((rc = cert_decode(note, by.text_len, c, e2)) != HS_OK)
		return hs_fail(err, HS_ERR_FORMAT, "not a certificate note: %s",
		    e2);
	if (time_parse_rfc3339(c->issued, &issued) != 0) {
		cert_free(c);
		return hs_fail(err, HS_ERR_FORMAT, "issued time '%s' is not "
		    "RFC 3339", c->issued);
	}
	/* Every key that verified must have been valid when it signed. */
	for (i = 0; i < by.n; i++)
		if ((rc = verify_key_window(ks, by.by[i], c->issued, issued,
		    err)) != HS_OK)
			goto fail;
	if (key != NULL)
		*key = by.by[0];
	return HS_OK;
fail:
	cert_free(c);
	memset(c, 0, sizeof(*c));
	return rc;
}

enum hs_err
verify_receipt(const struct verify_keys *ks, const char *serial,
    const char *note, size_t nlen, const char *rtext, size_t rlen,
    struct checkpoint *cp, uint64_t *index, char *err)
{
	struct receipt *r = NULL;
	struct buf entry;
	enum hs_err rc;
	char e2[HS_ERRLEN];

	buf_init(&entry);
	if ((rc = receipt_parse(rtext, rlen, &r, e2)) != HS_OK) {
		rc = hs_fail(err, HS_ERR_FORMAT, "receipt: %s", e2);
		goto out;
	}
	if (index != NULL)
		*index = receipt_index(r);
	if ((rc = leaf_issue(serial, note, nlen, &entry, e2)) != HS_OK ||
	    entry.oom) {
		rc = hs_fail(err, HS_ERR_FORMAT, "leaf entry: %s", e2);
		goto out;
	}
	if (ks->nckpt == 0) {
		rc = hs_fail(err, HS_ERR_SIGNATURE, "receipt: no uncompromised "
		    "key to check its checkpoint with");
		goto out;
	}
	if ((rc = receipt_verify(r, entry.data, entry.len, ks->origin,
	    ks->ckpt, ks->nckpt, cp, NULL, e2)) != HS_OK) {
		rc = hs_fail(err, rc == HS_ERR_FORMAT ? HS_ERR_FORMAT :
		    HS_ERR_SIGNATURE, "receipt: %s", e2);
		goto out;
	}
out:
	receipt_free(r);
	buf_free(&entry);
	return rc;
}

enum hs_err
verify_newer_parse(const char *text, size_t len, struct verify_newer *nw,
    char *err)
{
	const char *p = text, *end = text + len, *nl;
	size_t hl = strlen(VERIFY_CONSISTENCY_HEADER), lineno = 1;

	memset(nw, 0, sizeof(*nw));
	if (len < hl + 1 || memcmp(text, VERIFY_CONSISTENCY_HEADER, hl) != 0 ||
	    text[hl] != '\n') {
		/* Just a signed checkpoint. */
		nw->note = text;
		nw->note_len = len;
		return HS_OK;
	}
	p += hl + 1;
	nl = memchr(p, '\n', (size_t)(end - p));
	lineno++;
	if (nl == NULL || nl - p < 5 || memcmp(p, "old ", 4) != 0)
		return hs_fail(err, HS_ERR_FORMAT, "line %zu: expected "
		    "'old <size>'", lineno);
	{
		char num[24];
		size_t n = (size_t)(nl - p - 4);
		char *e;

		if (n >= sizeof(num) || (n > 1 && p[4] == '0'))
			return hs_fail(err, HS_ERR_FORMAT, "line %zu: bad size",
			    lineno);
		memcpy(num, p + 4, n);
		num[n] = '\0';
		errno = 0;
		nw->old_size = strtoull(num, &e, 10);
		if (errno || *e != '\0' || num[0] < '0' || num[0] > '9')
			return hs_fail(err, HS_ERR_FORMAT, "line %zu: bad size",
			    lineno);
	}
	p = nl + 1;
	for (;;) {
		nl = memchr(p, '\n', (size_t)(end - p));
		lineno++;
		if (nl == NULL)
			return hs_fail(err, HS_ERR_FORMAT, "line %zu: the proof "
			    "must end with a blank line and the checkpoint",
			    lineno);
		if (nl == p)
			break;
		if (nw->nproof >= MERKLE_MAX_PROOF)
			return hs_fail(err, HS_ERR_FORMAT, "line %zu: proof too "
			    "long", lineno);
		if (merkle_hash_decode(p, (size_t)(nl - p),
		    nw->proof[nw->nproof]) != 0)
			return hs_fail(err, HS_ERR_FORMAT, "line %zu: not a "
			    "base64 SHA-256 hash", lineno);
		nw->nproof++;
		p = nl + 1;
	}
	nw->has_proof = true;
	nw->note = nl + 1;
	nw->note_len = (size_t)(end - (nl + 1));
	return HS_OK;
}

void
verify_newer_format(uint64_t old_size, const merkle_hash *proof, size_t n,
    const char *note, size_t note_len, struct buf *out)
{
	size_t i;
	char b64[MERKLE_B64_SIZE];

	buf_printf(out, "%s\nold %llu\n", VERIFY_CONSISTENCY_HEADER,
	    (unsigned long long)old_size);
	for (i = 0; i < n; i++) {
		merkle_hash_encode(proof[i], b64);
		buf_printf(out, "%s\n", b64);
	}
	buf_putc(out, '\n');
	buf_add(out, note, note_len);
}
