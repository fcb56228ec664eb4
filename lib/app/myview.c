/*
 * myview.c - the holder's own view (myview.h): years of hours with the
 * summary's arithmetic, notices, the course-certificate checks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/hours.h"
#include "app/myview.h"
#include "core/util.h"

int
myview_this_year(int64_t now)
{
	int y, m, d;
	long days = (long)((now + MYVIEW_CHINA_OFFSET) / 86400);
	char s[11];

	date_format(days, s);
	if (sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return 1970;
	return y;
}

/* Fills one year: hours_year (the summary's functions), waiting, deadline. */
static enum hs_err
one_year(sqlite3 *db, const struct policy *pol, int64_t pid, int year,
    long today, struct myview_year *y, char *err)
{
	struct hours_year *h;
	long dl;
	enum hs_err rc;

	memset(y, 0, sizeof(*y));
	y->year = year;
	if ((h = malloc(sizeof(*h))) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	rc = hours_year(db, pol, pid, year, h, err);
	if (rc == HS_OK) {
		y->r = h->r;
		y->nrecords = h->nrecords;
	}
	free(h);
	if (rc != HS_OK)
		return rc;
	if ((rc = mine_waiting(db, pid, year, &y->waiting, &y->waiting10,
	    err)) != HS_OK)
		return rc;
	if (policy_deadline(pol, year, &dl) == 0) {
		y->has_deadline = true;
		date_format(dl, y->deadline);
		y->past_deadline = today > dl;
	}
	return HS_OK;
}

enum hs_err
myview_years(sqlite3 *db, const struct policy *pol, int64_t pid, int64_t now,
    struct myview_year *years, size_t max, size_t *n, char *err)
{
	int found[MINE_MAX_YEARS], this_year = myview_this_year(now);
	long today = (long)((now + MYVIEW_CHINA_OFFSET) / 86400);
	size_t nf = 0, k;
	enum hs_err rc;

	*n = 0;
	if (max < 1 || max > MINE_MAX_YEARS)
		return hs_fail(err, HS_ERR_INVALID, "years: 1..%d",
		    MINE_MAX_YEARS);
	if ((rc = mine_years(db, pid, found, max, &nf, err)) != HS_OK)
		return rc;
	/* This year first (even without records), then the others newest
	 * first: a later year (planned courses) before this one is rare
	 * and still listed, after it. */
	if ((rc = one_year(db, pol, pid, this_year, today, &years[(*n)++],
	    err)) != HS_OK)
		return rc;
	for (k = 0; k < nf && *n < max; k++) {
		if (found[k] == this_year)
			continue;
		if ((rc = one_year(db, pol, pid, found[k], today,
		    &years[(*n)++], err)) != HS_OK)
			return rc;
	}
	return HS_OK;
}

struct notice_ctx {
	int64_t seen;
	size_t fresh;
	int (*fn)(void *ctx, const struct myview_notice *nt);
	void *ctx;
};

static int
notice_one(void *ctx, const struct mine_notice *n)
{
	struct notice_ctx *c = ctx;
	struct myview_notice nt;

	nt.n = *n;
	nt.fresh = n->when > c->seen;
	if (nt.fresh)
		c->fresh++;
	return c->fn != NULL ? c->fn(c->ctx, &nt) : 0;
}

enum hs_err
myview_notices(sqlite3 *db, int64_t pid, int64_t seen, size_t max,
    int (*fn)(void *ctx, const struct myview_notice *nt), void *ctx,
    size_t *nfresh, char *err)
{
	struct notice_ctx c = { seen, 0, fn, ctx };
	enum hs_err rc;

	rc = mine_notices(db, pid, max, notice_one, &c, err);
	if (nfresh != NULL)
		*nfresh = c.fresh;
	return rc;
}

enum hs_err
myview_fresh_count(sqlite3 *db, int64_t pid, int64_t seen, size_t max,
    size_t *n, char *err)
{
	/* Newest first: the fresh ones come before the rest. */
	return myview_notices(db, pid, seen, max, NULL, NULL, n, err);
}

enum hs_err
myview_course_check(sqlite3 *db, int64_t pid, int64_t id,
    struct mine_record *r, char have[SERIAL_SIZE], char *err)
{
	char reason[16];
	enum hs_err rc;

	have[0] = '\0';
	if ((rc = mine_record_get(db, pid, id, r, err)) != HS_OK)
		return rc;
	if (strcmp(r->state, "stamped") != 0)
		return hs_fail(err, HS_ERR_STATE, "record %s is %s, not "
		    "stamped: only a stamped record can have a certificate",
		    r->ref, r->state);
	rc = mine_course_latest(db, pid, id, have, reason, err);
	if (rc == HS_ERR_NOTFOUND) {
		have[0] = '\0';
		return HS_OK;
	}
	if (rc != HS_OK)
		return rc;
	if (reason[0] == '\0')
		return hs_fail(err, HS_ERR_EXISTS, "record %s already has a "
		    "valid course certificate, %s", r->ref, have);
	return hs_fail(err, HS_ERR_STATE, "record %s: its course certificate "
	    "%s was revoked (%s); only the issuer can certify it again",
	    r->ref, have, reason);
}
