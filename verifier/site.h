/*
 * site.h - the verification service's application: routes, handlers and
 * the per-thread read-only database state behind them (design.md §7).
 */
#ifndef HS_SITE_H
#define HS_SITE_H

#include <stddef.h>

#include "core/hs.h"
#include "http.h"

#define SITE_MAX_KEYFILES 8

struct site_opts {
	const char *db_path;          /* opened read-only, per thread */
	const char *key_files[SITE_MAX_KEYFILES]; /* pinned verifier keys */
	size_t nkeys;
	const char *pepper_path;      /* NULL: the match endpoint answers 503 */
	const char *state_path;       /* NULL: db_path with ".state" */
	unsigned match_per_cert;      /* ID-match attempts a day per
	                               * certificate; 0: no such limit */
	int bench_fixed;              /* answer every request with a constant */
	int no_sweep;                 /* do not check every note after start */
};

struct site;

/*
 * Checks the options (the database opens read-only and is an hourseal
 * database, key and pepper files parse) and prepares the site. Caller
 * frees with site_close after the server has stopped.
 */
enum hs_err site_open(const struct site_opts *o, struct site **s, char *err);
void site_close(struct site *s); /* accepts NULL */

/* Fills app with the site's routes and handlers (app->ctx = s). */
void site_app(struct site *s, struct http_app *app);

#endif
