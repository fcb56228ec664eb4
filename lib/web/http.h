/*
 * http.h - the HTTP core on libmicrohttpd (the verifier's and the issuing
 * service's): a bounded, rate-limited
 * server that hands whole requests to an application and adds the security
 * headers, the access log and the Prometheus counters to every answer.
 *
 * The core owns: listening, the thread pool, connection limits and timeouts,
 * limits on URL length, header count and body size (per route), per-IP token
 * buckets (429 with Retry-After), the access log (path only: no query string,
 * long digit runs masked so an ID number never lands in a log), request and
 * latency metrics, and a clean stop. The application owns routing, pages and
 * everything that touches the database.
 *
 * Threads: handlers run on the pool's threads, several at once. Each request
 * is handled start to finish on one thread, so per-thread state (a database
 * connection) can be kept with pthread keys by the application.
 */
#ifndef HS_HTTP_H
#define HS_HTTP_H

#include <stddef.h>
#include <stdio.h>

#include "core/hs.h"
#include "core/util.h"

struct http_server;
struct http_req;

/* Which token bucket a request draws from. */
enum http_bucket {
	HTTP_BUCKET_NONE = 0,  /* not limited (health checks, metrics) */
	HTTP_BUCKET_GENERAL,   /* pages, API, ledger */
	HTTP_BUCKET_STRICT,    /* the ID match endpoint */
};

/* What the application decides once the request line and headers are in. */
struct http_route {
	int endpoint;       /* index into http_app.endpoints (metrics label) */
	size_t body_max;    /* largest body accepted; 0: no body */
	enum http_bucket bucket;
	const char *allow;  /* methods the path takes ("GET, HEAD"): the
	                     * Allow header of a 405; NULL: none */
};

struct http_app {
	const char *const *endpoints; /* metric labels; [0] is used for 404s */
	size_t nendpoints;
	/*
	 * Classifies a request before its body is read. Returns 0 to go on
	 * (out filled), or an HTTP status (404, 405, 400) to answer at once
	 * through error(); a 405 carries out->allow as its Allow header.
	 * Must not touch the database.
	 */
	int (*route)(void *ctx, struct http_req *r, struct http_route *out);
	/* Handles a whole request; must call http_reply exactly once. */
	void (*handle)(void *ctx, struct http_req *r);
	/*
	 * Renders an error answer (HTML or JSON, the application's choice)
	 * with http_reply, passing headers (NULL or name/value pairs such as
	 * Retry-After) through.
	 */
	void (*error)(void *ctx, struct http_req *r, int status,
	    const char *msg, const char *const *headers);
	/* Appends application metrics (Prometheus text) to out. May be NULL. */
	void (*metrics)(void *ctx, struct buf *out);
	/*
	 * A connection opened (true) or closed (false), called in the
	 * thread that serves it: the application can tell when a thread
	 * has no connection left and let go of what it holds. May be NULL.
	 */
	void (*connection)(void *ctx, bool opened);
	void *ctx;
};

struct http_opts {
	const char *listen;     /* "127.0.0.1:8080", "[::1]:8080", ":8080"; port 0 picks one */
	unsigned threads;       /* pool size; 0 or 1: one internal epoll thread */
	unsigned max_conns;     /* total open connections */
	unsigned per_ip_conns;  /* per client address (the TCP peer); 0: no limit */
	unsigned timeout;       /* idle seconds before a connection is closed */
	/*
	 * Deadlines, whatever the client's pace: a request's headers must be
	 * in within header_timeout seconds of the connection opening (or of
	 * its previous answer), its body within header_timeout + length /
	 * body_rate seconds of the headers, and the answer taken within
	 * header_timeout + length / body_rate; otherwise the connection is
	 * closed. header_timeout 0: no deadlines (only the idle timeout).
	 */
	unsigned header_timeout;
	unsigned body_rate;     /* bytes per second, at least */
	double rate, burst;     /* general bucket: tokens/s and size; rate 0: off */
	double strict_rate, strict_burst; /* strict bucket; rate 0: off */
	size_t max_url;         /* bytes of the request target */
	unsigned max_headers;   /* header lines */
	int trust_proxy;        /* client = X-Real-IP when the peer is loopback */
	FILE *access_log;       /* NULL: no access log */
	const char *prog;       /* prefix of libmicrohttpd's messages on
	                         * stderr ("hourseal-verifier") */
};

/* Fills o with the defaults (documented in the README). */
void http_opts_default(struct http_opts *o);

/*
 * Starts listening and serving. On success *s is the caller's; stop it with
 * http_stop. Fails with HS_ERR_INVALID (bad listen address) or HS_ERR_IO.
 */
enum hs_err http_start(const struct http_opts *o, const struct http_app *app,
    struct http_server **s, char *err);
/* The address actually bound, e.g. "127.0.0.1:41233". */
const char *http_address(const struct http_server *s);
/* Stops accepting, finishes requests in flight, frees s. Accepts NULL. */
void http_stop(struct http_server *s);

/* Request accessors; the strings live as long as the request. */
const char *http_method(const struct http_req *r);
const char *http_path(const struct http_req *r);   /* decoded, no query */
const char *http_query(const struct http_req *r, const char *key);
const char *http_header(const struct http_req *r, const char *name);
/* The value of cookie name from the Cookie header(s), or NULL. */
const char *http_cookie(const struct http_req *r, const char *name);
const char *http_client(const struct http_req *r); /* IP address text */
const void *http_body(const struct http_req *r, size_t *len);
/* The endpoint the application's route() chose (0 before routing). */
int http_route_endpoint(const struct http_req *r);
/* Sets a note for the access log (e.g. a verification outcome). */
void http_set_log_note(struct http_req *r, const char *note);
/*
 * Replaces the path the access log shows (e.g. "/admin/invite/[token]":
 * a path that carries a secret). Copied; at most 255 bytes.
 */
void http_set_log_path(struct http_req *r, const char *path);

/* How http_reply treats body. */
enum http_mem {
	HTTP_MEM_FREE,    /* malloc'd: the core frees it */
	HTTP_MEM_STATIC,  /* lives forever: not copied, not freed */
};

/*
 * Queues the answer. headers is NULL or a NULL-terminated list of
 * name, value pairs added after the security headers. ctype may be NULL.
 * Only the first call for a request has an effect; a body given with
 * HTTP_MEM_FREE is freed in any case.
 */
void http_reply(struct http_req *r, int status, const char *ctype,
    const void *body, size_t len, enum http_mem mem,
    const char *const *headers);

/* Appends the core's Prometheus text, then the application's, to out. */
void http_metrics_text(const struct http_req *r, struct buf *out);

/* True once http_reply was called for r. */
int http_replied(const struct http_req *r);

/*
 * Access-log form of a path: printable ASCII only (other bytes as %XX),
 * runs of 15 or more digits/X masked, at most 200 bytes. out: 256 bytes.
 */
void http_log_path(const char *path, char out[256]);

#endif
