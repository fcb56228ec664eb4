/*
 * issue_diff.c - why a certificate is superseded: the records it covers
 * (its note's records as certified, and its cert_records rows) against
 * the holder's current stamped records, said as "record R-17 corrected:
 * subject professional -> public; record R-20 added".
 *
 * The note lists the old records in order but without their ids; the
 * cert_records rows list the ids without an order. They are paired:
 * first each current record with an old one whose fields are all equal,
 * then each remaining current record with the most similar old one, then
 * the ids no longer stamped with what is left, in order. The pairing is
 * checked by computing the old record_set digest from it: only when it
 * matches are field changes named (otherwise "record R-17 changed").
 */
#include <stdlib.h>
#include <string.h>

#include "app/issue.h"
#include "app/issue_int.h"
#include "store/certs.h"
#include "store/records.h"

#define REASON_MAX_ITEMS 8   /* changes named before "and N more" */
#define REASON_VALUE_MAX 60  /* bytes of a value quoted in a reason */

/* The fields of a record as a reason names them. */
enum { F_SUBJECT, F_FORM, F_START, F_END, F_HOURS, F_TITLE, F_PROVIDER,
	NFIELDS };
static const char *const field_names[NFIELDS] = {
	"subject", "form", "start", "end", "hours", "title", "provider",
};

/* Field k of r as text (hours formatted into tmp). */
static const char *
field(const struct cert_record *r, int k, char tmp[HOURS_SIZE])
{
	switch (k) {
	case F_SUBJECT: return r->subject;
	case F_FORM: return r->form;
	case F_START: return r->start;
	case F_END: return r->end;
	case F_HOURS: hours_format(r->hours10, tmp); return tmp;
	case F_TITLE: return r->title;
	default: return r->provider;
	}
}

/* How many of the fields of a and b are equal. */
static int
same_fields(const struct cert_record *a, const struct cert_record *b)
{
	char t1[HOURS_SIZE], t2[HOURS_SIZE];
	int k, n = 0;

	for (k = 0; k < NFIELDS; k++)
		n += strcmp(field(a, k, t1), field(b, k, t2)) == 0;
	return n;
}

/* s, cut to REASON_VALUE_MAX bytes at a character boundary. */
static void
put_value(struct buf *b, const char *s)
{
	size_t n = strlen(s), k = 0, m;
	uint32_t cp;

	if (n <= REASON_VALUE_MAX) {
		buf_puts(b, s);
		return;
	}
	while (k < n && (m = utf8_next(s + k, n - k, &cp)) != 0 &&
	    k + m <= REASON_VALUE_MAX)
		k += m;
	buf_printf(b, "%.*s…", (int)k, s);
}

/* A reason's items, counted, "; " between them. */
struct items {
	struct buf *b;
	size_t n;
};

static bool
item_start(struct items *it)
{
	if (it->n++ >= REASON_MAX_ITEMS)
		return false;
	if (it->n > 1)
		buf_puts(it->b, "; ");
	return true;
}

static void
say_changes(struct buf *b, const struct cert_record *was,
    const struct cert_record *now)
{
	char t1[HOURS_SIZE], t2[HOURS_SIZE];
	const char *x, *y;
	int k, said = 0;

	for (k = 0; k < NFIELDS; k++) {
		x = field(was, k, t1);
		y = field(now, k, t2);
		if (strcmp(x, y) == 0)
			continue;
		buf_puts(b, said++ ? ", " : " ");
		buf_printf(b, "%s ", field_names[k]);
		put_value(b, x);
		buf_puts(b, " -> ");
		put_value(b, y);
	}
}

/* The old note's text: the signed note up to its blank line. */
static enum hs_err
old_cert(const char *note, struct cert *c, char *err)
{
	const char *end = note != NULL ? strstr(note, "\n\n") : NULL;

	if (end == NULL)
		return hs_fail(err, HS_ERR_FORMAT, "the stored note has no "
		    "signature");
	return cert_decode(note, (size_t)(end - note) + 1, c, err);
}

enum hs_err
issue_change_reason(struct issue *is, const char *old_serial,
    const struct cert_record *cur, const int64_t *rids, size_t n,
    struct buf *out, char *err)
{
	struct certs_row row;
	struct cert oc;
	struct certs_covered *cov = NULL;
	size_t ncov = 0, i, j, k;
	int64_t *oid = NULL;        /* id paired with old record i, or 0 */
	size_t *cur_old = NULL;     /* old index paired with current j, or SIZE_MAX */
	bool *in_old = NULL;        /* current j is covered by the old one */
	bool exact = false;
	char set[CERTS_SET_SIZE], ref[129];
	struct items it = { out, 0 };
	enum hs_err rc;

	memset(&row, 0, sizeof(row));
	memset(&oc, 0, sizeof(oc));
	if ((rc = certs_get(is->certs, old_serial, &row, err)) != HS_OK)
		return rc;
	if ((rc = old_cert(row.note, &oc, err)) != HS_OK) {
		hs_errprefix(err, "%s", old_serial);
		goto out;
	}
	if ((rc = certs_covered(is->certs, old_serial, CERT_MAX_RECORDS, &cov,
	    &ncov, err)) != HS_OK)
		goto out;
	oid = calloc(oc.nrecords + 1, sizeof(*oid));
	cur_old = calloc(n + 1, sizeof(*cur_old));
	in_old = calloc(n + 1, sizeof(*in_old));
	if (oid == NULL || cur_old == NULL || in_old == NULL) {
		rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (j = 0; j < n; j++) {
		cur_old[j] = SIZE_MAX;
		for (k = 0; k < ncov; k++)
			if (cov[k].id == rids[j])
				in_old[j] = true;
	}
	/* Pairing, in three passes: equal, most similar, the rest. */
	for (j = 0; j < n; j++) {
		if (!in_old[j])
			continue;
		for (i = 0; i < oc.nrecords; i++)
			if (oid[i] == 0 && same_fields(&oc.records[i], &cur[j]) ==
			    NFIELDS) {
				oid[i] = rids[j];
				cur_old[j] = i;
				break;
			}
	}
	for (j = 0; j < n; j++) {
		size_t best = SIZE_MAX;
		int bs = -1, s;

		if (!in_old[j] || cur_old[j] != SIZE_MAX)
			continue;
		for (i = 0; i < oc.nrecords; i++)
			if (oid[i] == 0 && (s = same_fields(&oc.records[i],
			    &cur[j])) > bs) {
				bs = s;
				best = i;
			}
		if (best != SIZE_MAX) {
			oid[best] = rids[j];
			cur_old[j] = best;
		}
	}
	for (k = 0; k < ncov; k++) {
		bool used = false;

		for (i = 0; i < oc.nrecords; i++)
			used |= oid[i] == cov[k].id;
		for (i = 0; !used && i < oc.nrecords; i++)
			if (oid[i] == 0) {
				oid[i] = cov[k].id;
				used = true;
			}
	}
	if (ncov == oc.nrecords) {
		issue_record_set(oc.records, oid, oc.nrecords, set);
		exact = strcmp(set, row.record_set) == 0;
	}

	/* Corrected and removed, in the old certificate's order. */
	for (i = 0; i < oc.nrecords; i++) {
		const struct cert_record *now = NULL;

		for (j = 0; j < n; j++)
			if (in_old[j] && cur_old[j] == i)
				now = &cur[j];
		if (now != NULL && same_fields(&oc.records[i], now) == NFIELDS)
			continue;
		if (!item_start(&it))
			continue;
		if (oid[i] != 0) {
			for (k = 0; k < ncov; k++)
				if (cov[k].id == oid[i])
					snprintf(ref, sizeof(ref), "%s",
					    cov[k].ref);
		} else
			snprintf(ref, sizeof(ref), "?");
		buf_printf(out, "record %s ", ref);
		if (now == NULL) {
			buf_puts(out, "removed (");
			put_value(out, oc.records[i].title);
			buf_puts(out, ")");
		} else if (exact) {
			buf_puts(out, "corrected:");
			say_changes(out, &oc.records[i], now);
		} else
			buf_puts(out, "changed");
	}
	/* Added. */
	for (j = 0; j < n; j++) {
		if (in_old[j] || !item_start(&it))
			continue;
		if ((rc = records_ref_of(is->db, rids[j], ref, err)) != HS_OK &&
		    rc != HS_ERR_NOTFOUND)
			goto out;
		buf_printf(out, "record %s added (", ref);
		put_value(out, cur[j].title);
		buf_puts(out, ")");
	}
	if (it.n > REASON_MAX_ITEMS)
		buf_printf(out, "; and %zu more", it.n - REASON_MAX_ITEMS);
	if (it.n == 0)
		buf_puts(out, "records unchanged");
	rc = out->oom ? hs_fail(err, HS_ERR_NOMEM, "out of memory") : HS_OK;
out:
	free(oid);
	free(cur_old);
	free(in_old);
	free(cov);
	cert_free(&oc);
	certs_row_free(&row);
	return rc;
}
