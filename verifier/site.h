/*
 * site.h - the verification service's application: routes, handlers and
 * the per-thread read-only database state behind them (docs/formats.md §7).
 */
#ifndef HS_SITE_H
#define HS_SITE_H

#include <stddef.h>

#include "core/hs.h"
#include "web/http.h"

#define SITE_MAX_KEYFILES 8

struct site_opts {
	const char *db_path;          /* opened read-only, per thread */
	const char *key_files[SITE_MAX_KEYFILES]; /* pinned verifier keys */
	size_t nkeys;
	const char *pepper_path;      /* NULL: the match endpoint answers 503 */
	const char *state_path;       /* NULL: db_path with ".state" */
	const char *trust_path;       /* serve --trust: the ledgers (trust.h)
	                               * instead of the four above */
	unsigned match_per_cert;      /* ID-match attempts a day per
	                               * certificate; 0: no such limit */
	int bench_fixed;              /* answer every request with a constant */
	int no_sweep;                 /* do not check every note after start */
	/* Whose service it is, on every page (serve --operator-name,
	 * --operator-contact), and its address as people reach it
	 * (--public-url: the printed pages and exports state it; without
	 * it, "http://" and the request's Host if that is a plain host
	 * name). NULL: not shown. */
	const char *operator_name;
	const char *operator_contact;
	const char *public_url;
};

/* Checks an --operator-name/--operator-contact value (1..200 bytes of
 * UTF-8, no control characters) or a --public-url (http:// or https://,
 * at most 200 bytes of printable ASCII without quotes, spaces, <, >, or
 * a trailing "/"). 0 if good, else -1 with err saying why. */
int site_check_operator(const char *v, char *err);
int site_check_public_url(const char *v, char *err);

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

/*
 * The route table: every address the service answers, in one place. A
 * request goes to the entry whose path it equals (SITE_EXACT,
 * SITE_SERIAL_QUERY); else to the longest SITE_PREFIX or SITE_SERIAL
 * prefix it starts with (a SITE_SERIAL entry whose suffix is what
 * follows the serial first); else it is a 404. A serial that does not
 * parse is a 404 before the method is looked at; a method the entry does
 * not take is a 405 with an Allow header. Entries with the same endpoint
 * share its handler (and its line in /metrics, in table order).
 */
enum site_match {
	SITE_EXACT,        /* the path is path */
	SITE_PREFIX,       /* the path starts with path */
	SITE_SERIAL,       /* path, a serial (no "/"), then suffix */
	SITE_SERIAL_QUERY, /* the path is path; the serial is ?s= */
	SITE_ANY,          /* every path, and only under serve --bench-fixed */
};

enum site_method {
	SITE_GET = 1,      /* GET and HEAD */
	SITE_POST = 2,
};

/* What a request body may be, each with its own size limit. */
enum site_body {
	SITE_BODY_NONE,    /* no body at all */
	SITE_BODY_PDF,     /* one PDF: raw, or a multipart form with one */
	SITE_BODY_BATCH,   /* a text/CSV list, or a multipart form of
	                    * lists and PDFs */
	SITE_BODY_ID,      /* an ID number: JSON or a form field */
	SITE_BODY_KINDS,
};

struct site_route {
	const char *path;
	enum site_match match;
	const char *suffix;        /* SITE_SERIAL: what follows the serial */
	unsigned methods;          /* enum site_method bits */
	const char *endpoint;      /* metrics label */
	enum http_bucket bucket;   /* rate limit */
	enum site_body body;
	void (*handler)(struct site *s, struct http_req *r);
};

/* The table and its length. */
const struct site_route *site_routes(size_t *n);
/* The largest body of a kind, and its name ("none", "pdf", ...). */
size_t site_body_max(enum site_body kind);
const char *site_body_name(enum site_body kind);
/* The Allow header for methods: "GET, HEAD", "POST", "GET, HEAD, POST". */
const char *site_allow(unsigned methods);

#endif
