/*
 * serve_api.h - the token-authenticated APIs of `hourseal-issuer serve`
 * (service.md §4), for the service's route table:
 *
 *   POST /api/v1/records   provider      records in (import's rules)
 *   GET  /api/v1/records   provider      its submissions and decisions
 *   POST /api/v1/hours     title-system  a practitioner's hours per year
 *   POST /api/v1/issue     hr            issue, scoped
 *   POST /api/v1/revoke    hr            revoke, scoped
 *   POST /api/v1/reissue   hr            reissue, scoped
 *
 * Every call carries "Authorization: Bearer hst_..." (store/accounts.h
 * tokens_lookup), is rate-limited per token and audited. Every error is
 * JSON, {"error": {"code": "...", "message": "..."}}, with a stable code:
 * unauthorized 401, forbidden 403, not_found 404, method_not_allowed 405,
 * too_large 413, unsupported_media_type 415, invalid_json 400,
 * invalid_request 400 (a well-formed body or query with a bad value),
 * invalid_rows 422 (records that fail import's rules; "rows" lists
 * {line, field, reason}), conflict 409 (already revoked), rate_limited
 * 429 (Retry-After), busy 503, internal 500.
 *
 * The full ID number travels only in request bodies; no answer, log line
 * or audit row holds it.
 */
#ifndef HS_SERVE_API_H
#define HS_SERVE_API_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "core/hs.h"
#include "web/http.h"

struct config;
struct policy;
struct issue;

#define API_PREFIX "/api/v1/"
#define API_RECORDS_MAX_BODY ((size_t)8 << 20)  /* 8 MiB */
#define API_RECORDS_MAX_ROWS 20000
#define API_SMALL_BODY 4096                     /* hours, issue, ... */
#define API_LIST_MAX 1000                       /* GET records: limit */
#define API_ROW_ERRORS_MAX 1000                 /* rows listed in an error */

enum api_call {
	API_NONE = 0,
	API_RECORDS_POST,
	API_RECORDS_GET,
	API_HOURS,
	API_ISSUE,
	API_REVOKE,
	API_REISSUE,
};

/*
 * Classifies method and path (a path under API_PREFIX). Returns 0 with
 * *call and *body_max (the largest body the call takes) set, 404 for no
 * such call, or 405 with *allow the methods the path takes.
 */
int api_route(const char *method, const char *path, enum api_call *call,
    size_t *body_max, const char **allow);

/* Per-token rate limits, shared by the service's threads. */
struct api_limits;

/*
 * rate requests a second per token, bursts up to burst; rate 0: no
 * limit. On success *out is the caller's (api_limits_free).
 */
enum hs_err api_limits_new(double rate, double burst,
    struct api_limits **out, char *err);
void api_limits_free(struct api_limits *l); /* accepts NULL */

/* What a call needs from the service. */
struct api_env {
	sqlite3 *db;                  /* read-write; this thread's */
	const struct config *cfg;
	const struct policy *pol;
	struct api_limits *limits;    /* NULL: no per-token limit */
	/*
	 * Opens an issuing session whose signatures come from the signer
	 * process (the HTTP process never holds the key); flags as
	 * issue_open. NULL: issue, revoke and reissue answer 503.
	 */
	enum hs_err (*issue_open)(void *ctx, sqlite3 *db, unsigned flags,
	    struct issue **is, char *err);
	void *issue_ctx;
	const char *out_dir;          /* where issued PDFs go */
	int64_t now;                  /* Unix seconds */
};

/* Handles call (from api_route) for r; answers exactly once. */
void api_handle(const struct api_env *env, enum api_call call,
    struct http_req *r);

/*
 * Answers r with the JSON error {"error": {"code", "message"}}; headers
 * as http_reply (NULL or name/value pairs, NULL-terminated).
 */
void api_error(struct http_req *r, int status, const char *code,
    const char *message, const char *const *headers);

/*
 * The JSON error for a status the HTTP core or the route table decided
 * (404, 405, 413, 429, 400, ...): its stable code and a message; for
 * the service's http_app.error under API_PREFIX.
 */
void api_error_status(struct http_req *r, int status, const char *msg,
    const char *const *headers);

#endif
