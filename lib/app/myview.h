/*
 * myview.h - what a practitioner sees of their own data (service.md §5,
 * the /my/ pages in issuer/serve_my.c): their hours per year against the
 * policy with the deadline of each study year, the records still
 * waiting, their notices, and the checks before they ask for a course
 * certificate. The SQL is store/mine.h's; this module combines it with
 * the policy.
 *
 * The hours are exactly `hourseal-issuer summary`'s and an annual
 * certificate's: hours_year (records_stamped + policy_evaluate). Only
 * stamped records count; waiting ones are reported apart.
 */
#ifndef HS_APP_MYVIEW_H
#define HS_APP_MYVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "cert/policy.h"
#include "cert/serial.h"
#include "core/hs.h"
#include "store/mine.h"

#define MYVIEW_CHINA_OFFSET (8 * 3600) /* the study year's clock: UTC+8 */

/* The study year it is at now (Unix seconds) in China. */
int myview_this_year(int64_t now);

/* One year of the holder's hours. */
struct myview_year {
	int year;
	struct policy_result r;   /* stamped hours against the requirement */
	size_t nrecords;          /* stamped records counted */
	size_t waiting;           /* records waiting for a stamp */
	long waiting10;           /* their hours (not counted) */
	bool has_deadline;        /* the policy sets one for the year */
	char deadline[11];        /* YYYY-MM-DD: the year's work done by */
	bool past_deadline;       /* today (China) is after it */
};

/*
 * The holder's years: this_year, then every other year in which pid has
 * a record or a certificate, newest first, at most max (1..MINE_MAX_YEARS)
 * into years; *n gets how many. now is Unix seconds (for past_deadline).
 */
enum hs_err myview_years(sqlite3 *db, const struct policy *pol, int64_t pid,
    int64_t now, struct myview_year *years, size_t max, size_t *n,
    char *err);

/* One notice as the holder sees it. */
struct myview_notice {
	struct mine_notice n;
	bool fresh;               /* after the account's notices_seen */
};

/*
 * The holder's notices newest first (mine_notices), at most max, each
 * marked fresh when it happened after seen (Unix seconds). *nfresh (may
 * be NULL) gets how many of those listed are fresh.
 */
enum hs_err myview_notices(sqlite3 *db, int64_t pid, int64_t seen,
    size_t max, int (*fn)(void *ctx, const struct myview_notice *nt),
    void *ctx, size_t *nfresh, char *err);

/* How many notices of pid are newer than seen (counts up to max). */
enum hs_err myview_fresh_count(sqlite3 *db, int64_t pid, int64_t seen,
    size_t max, size_t *n, char *err);

/*
 * Whether the holder may ask for a course certificate of record id:
 * HS_OK (the record is theirs and stamped, no valid course certificate
 * covers it) with *r filled; HS_ERR_NOTFOUND if the record is not
 * theirs or does not exist (the same answer); HS_ERR_STATE if it is not
 * stamped (err says its state) or its course certificate was revoked
 * (error, fraud, withdrawn: only the issuer may certify it again; that
 * serial in have); HS_ERR_EXISTS if a valid course certificate covers
 * it (its serial in have).
 */
enum hs_err myview_course_check(sqlite3 *db, int64_t pid, int64_t id,
    struct mine_record *r, char have[SERIAL_SIZE], char *err);

#endif
