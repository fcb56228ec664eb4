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
 * Every call carries "Authorization: Bearer hst_..." (serve.c looks the
 * token up and checks its role against app/authz.h), is rate-limited per
 * token and audited. Every error is
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

#include "core/hs.h"
#include "web/http.h"

struct sreq;

#define API_RECORDS_MAX_BODY ((size_t)8 << 20)  /* 8 MiB */
#define API_RECORDS_MAX_ROWS 20000
#define API_SMALL_BODY 4096                     /* hours, issue, ... */
#define API_LIST_MAX 1000                       /* GET records: limit */
#define API_ROW_ERRORS_MAX 1000                 /* rows listed in an error */

/* Per-token rate limits, shared by the service's threads. */
struct api_limits;

/*
 * rate requests a second per token, bursts up to burst; rate 0: no
 * limit. On success *out is the caller's (api_limits_free).
 */
enum hs_err api_limits_new(double rate, double burst,
    struct api_limits **out, char *err);
void api_limits_free(struct api_limits *l); /* accepts NULL */

/* The handlers (serve_routes.c names them, RA_TOKEN, BODY_RAW). */
void serve_api_records_post(struct sreq *q);
void serve_api_records_get(struct sreq *q);
void serve_api_hours(struct sreq *q);
void serve_api_issue(struct sreq *q);
void serve_api_revoke(struct sreq *q);
void serve_api_reissue(struct sreq *q);

/*
 * A token whose role may not make the call (the gate's 403): audited
 * with the call's action, answered forbidden naming the role it needs.
 */
void serve_api_forbidden(struct sreq *q);

/*
 * Answers r with the JSON error {"error": {"code", "message"}}; headers
 * as http_reply (NULL or name/value pairs, NULL-terminated).
 */
void api_error(struct http_req *r, int status, const char *code,
    const char *message, const char *const *headers);

/*
 * The JSON error for a status the HTTP core or the service decided
 * (401, 404, 405, 413, 429, ...): its stable code and msg (or, for 413
 * and 429, a message naming the limits); for every answer under /api/.
 */
void api_error_status(struct http_req *r, int status, const char *msg,
    const char *const *headers);

#endif
