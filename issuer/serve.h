/*
 * serve.h - the issuing service (`hourseal-issuer serve`, service.md §3):
 * what the route handlers share. The HTTP core is lib/web/http.h; this
 * layer adds the route table (serve_routes.c), the principal behind each
 * request (a console session or an API token), the authorization check
 * against app/authz.h, the CSRF check, the form body and the page frame.
 *
 * A handler lives in issuer/serve_<area>.c, is named in serve_routes.c
 * and receives a struct sreq whose principal already passed the route's
 * authorization column; it still applies the scope rule to the objects it
 * touches (through the app/ functions, which answer HS_ERR_NOTFOUND for
 * an object out of scope: answer 404). It must answer exactly once
 * (serve_page, serve_json, serve_error, serve_redirect or http_reply).
 */
#ifndef HS_ISSUER_SERVE_H
#define HS_ISSUER_SERVE_H

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "app/authz.h"
#include "app/issue.h"
#include "app/principal.h"
#include "cert/policy.h"
#include "core/util.h"
#include "store/accounts.h"
#include "store/config.h"
#include "web/form.h"
#include "web/http.h"
#include "web/page.h"

struct api_limits;
struct note_signer;
struct pades_signer;
struct serve;
struct sreq;

/* Who must be behind a request before its handler runs. */
enum route_auth {
	RA_PUBLIC = 0, /* anyone (a session, if any, is still read) */
	RA_SESSION,    /* a console session whose account may act */
	RA_ENROL,      /* a console session, also one that must enrol TOTP */
	RA_TOKEN,      /* an API token: Authorization: Bearer hst_... */
};

/* Which listener answers a route (with --admin-listen they differ). */
#define FACE_PUBLIC 0x1u   /* the public address */
#define FACE_ADMIN  0x2u   /* the admin address (the same one without
                            * --admin-listen) */

/* What the body must be. */
enum body_kind {
	BODY_NONE = 0,
	BODY_FORM,      /* application/x-www-form-urlencoded (parsed) */
	BODY_RAW,       /* anything: the handler reads http_body() */
};

typedef void (*route_fn)(struct sreq *q);

/*
 * One row of the route table. pattern is an exact path, or a path whose
 * one "*" stands for one path segment (1-255 bytes, no '/'), handed to
 * the handler as q->arg. methods is "GET, HEAD" or "POST" (a GET route
 * also answers HEAD); the same pattern may appear twice with different
 * methods (a form's page and its POST).
 */
struct route {
	const char *pattern;
	const char *methods;
	enum authz_action action;  /* who may: authz_allowed(role, action) */
	enum route_auth auth;
	enum authz_scope scope;    /* how the handler narrows objects */
	route_fn fn;
	enum body_kind body;
	size_t body_max;           /* bytes; 0 with BODY_NONE */
	enum http_bucket bucket;
	unsigned faces;            /* FACE_* */
	const char *endpoint;      /* metrics label */
	bool secret_arg;           /* the "*" is a secret: log "[token]" */
};

extern const struct route serve_routes[];
extern const size_t serve_nroutes;

/*
 * Finds the route for method and path on a listener with faces (FACE_*).
 * Returns 0 and *rt (and the "*" segment in arg, 256 bytes), 404 if no
 * pattern matches, 405 if one matches but not the method (*allow: its
 * methods). HEAD matches GET routes.
 */
int serve_route_find(const char *method, const char *path, unsigned faces,
    const struct route **rt, char arg[256], const char **allow);

/* The status a request gets before its handler would run: 0 if it may
 * run, else 303 (to sign in / to enrol) or 404. Pure: the authz test
 * calls it for every route and role. must_enrol: a staff account
 * without TOTP. */
int serve_gate(const struct route *rt, enum principal_role role,
    bool via_token, bool must_enrol);

/* The service's settings (cmd_serve.c fills them). */
struct serve_opts {
	const char *data_dir;
	const struct config *cfg;
	const struct policy *pol;
	const char *public_url;   /* --public-url, no trailing '/'; NULL:
	                           * http://<the public listener> */
	const char *admin_url;    /* where /admin answers (invitation URLs);
	                           * serve_run fills it */
	bool https;               /* public_url is https */
	const char *key_label;    /* the signer's key label ("" if none) */
	const struct pades_signer *pades; /* PDF signatures through the
	                           * signer process, or NULL (none) */
	FILE *log;                /* messages (stderr) */
	struct api_limits *api_limits; /* per-token limits (serve_api.h) */
};

/* One request as the handler sees it. */
struct sreq {
	struct serve *sv;
	struct http_req *r;
	const struct route *rt;
	sqlite3 *db;               /* this thread's read-write connection */
	enum page_lang lang;
	int64_t now;               /* Unix seconds */
	char arg[256];             /* the pattern's "*" segment, or "" */
	struct principal p;        /* PRINCIPAL_NONE if nobody */
	bool signed_in;            /* a console session */
	bool via_token;            /* an API token */
	struct account acct;       /* the session's account (signed_in) */
	struct session sess;       /* the session (signed_in) */
	struct api_token tok;      /* the token (via_token) */
	struct form form;          /* BODY_FORM bodies */
	const char *const *extra_headers; /* added to the answer (serve_add_header) */
	const char *hlist[9];
	char hstore[4][2][256];
	size_t nh;
};

/* Adds a header (copied, at most 4, values up to 255 bytes) to the
 * request's answer, e.g. Set-Cookie. */
void serve_add_header(struct sreq *q, const char *name, const char *value);

/*
 * Checks a form's CSRF token: the session's token when signed in, else
 * the pre-session cookie the sign-in and invitation pages set (see
 * serve_pre_csrf). Constant-time compare. BODY_FORM POST routes are
 * checked before their handler runs (403 otherwise); a handler reading
 * another body kind calls this itself.
 */
bool serve_csrf_ok(struct sreq *q, const char *given);
/*
 * The token a form shown to somebody not signed in carries: the
 * pre-session cookie's value, set (Set-Cookie) if missing.
 */
void serve_pre_csrf(struct sreq *q, char out[ACCT_TOKEN_LEN + 1]);

/* The service's settings and signer (for handlers that issue). */
const struct serve_opts *serve_opts(const struct serve *sv);
/* The signer the HTTP process signs with (the signer process's remote
 * handle); NULL if the service runs without a key. */
const struct note_signer *serve_signer(const struct serve *sv);

/*
 * An issuing session (app/issue.h) on the request's database connection
 * that signs through the signer process: issue_open_signer with the
 * remote signer and its key label. flags: ISSUE_RENDER or 0 (never
 * ISSUE_SIGN: the HTTP process holds no key). HS_ERR_STATE "no signing
 * key" (answer 503) if the service started without one. Close with
 * issue_close.
 */
enum hs_err serve_issue_open(struct sreq *q, unsigned flags,
    struct issue **is, char *err);

/* The audit actor of the request's principal (valid while q is). */
void serve_actor(const struct sreq *q, struct actor *a);

/*
 * Answers with an HTML page: page_begin opens the frame (head, header bar
 * with the signed-in account and sign-out form), page_end closes it and
 * sends it with the given status. /admin pages are Cache-Control:
 * no-store.
 */
void serve_page_begin(struct sreq *q, struct buf *b, const char *title);
void serve_page_end(struct sreq *q, struct buf *b, int status);
/* The hidden CSRF field of a POST form (the session's token). */
void serve_csrf_field(struct sreq *q, struct buf *b);
/* An <img> of text as a QR code (an SVG data: URI: the secret in an
 * otpauth URI gets no URL of its own); nothing if it cannot be made. */
void serve_qr_img(struct buf *b, const char *text);
/* A whole error page (or JSON {"code", "message"} on /api/). */
void serve_error(struct sreq *q, int status, const char *msg);
/* 303 See Other to location (a local path). */
void serve_redirect(struct sreq *q, const char *location);
/* Answers JSON (text taken: freed by the core). */
void serve_json(struct sreq *q, int status, char *json);
/* The status for an app/ error: 404 NOTFOUND, 409 EXISTS/STATE, 400
 * INVALID/FORMAT, 413 TOOBIG, 503 BUSY, 500 else. */
int serve_status(enum hs_err rc);

/* A request's decimal 0..limit: digits only, at most 18, no sign and no
 * leading zero (other than "0"); -1 if it is not one. */
int64_t serve_decimal(const char *s, int64_t limit);

/* The name of the staff session cookie ("__Host-hs" over HTTPS). */
const char *serve_cookie_name(const struct serve *sv);

/*
 * Two portals share the service: the console (/admin/, staff accounts,
 * cookie serve_cookie_name, SameSite=Strict) and the practitioner's pages
 * (/my/, practitioner accounts, cookie "hs_my" or "__Host-hsmy" over
 * HTTPS, SameSite=Lax so that the provincial platform's signed hand-off,
 * a cross-site navigation, lands signed in). A request is read with its
 * portal's cookie only; the pre-session CSRF cookie is scoped to the
 * portal's path. /s/<code> is public and reads no session.
 */
bool serve_in_my(const struct sreq *q);
/* The session cookie's name for an account of role (practitioner: the
 * /my/ cookie; every other role: the console's). */
const char *serve_session_cookie(const struct serve *sv, enum role role);
/*
 * Starts a session for account a (ending the one the request's cookie
 * names, if any) and sets the cookie of a's portal. Sign-in, activation
 * and the signed hand-off all end here (serve_admin_session.c).
 */
enum hs_err serve_session_start(struct sreq *q, const struct account *a,
    char *err);
/* Ends the session the request's portal cookie names and clears it. */
void serve_session_end(struct sreq *q);

/*
 * The per-client-address sign-in throttle every secret-guessing form
 * shares (staff and practitioner sign-in, activation codes; share codes
 * keep their own): seconds the client must still wait (0: none), a
 * failure, a success (serve_admin_session.c).
 */
int64_t serve_throttle_wait(const char *client, int64_t now);
void serve_throttle_fail(const char *client, int64_t now);
void serve_throttle_ok(const char *client);
/* If the request's client must still wait: sets Retry-After, writes
 * "too many failures ... try again in N s" (the page's language) to msg
 * and returns true. */
bool serve_throttled(struct sreq *q, char *msg, size_t cap);

/* Starts the service (one or two listeners) and blocks until SIGINT or
 * SIGTERM. */
int serve_run(const struct serve_opts *so, struct http_opts *pub,
    struct http_opts *admin, const struct note_signer *signer);

/* The Landlock ABI version, or -errno if Landlock is unavailable. */
int sandbox_abi(void);
/*
 * Restricts this process (before it starts threads) to the files the
 * HTTP process needs (serve_sandbox.c); the keys directory is not among
 * them. HS_ERR_STATE if Landlock is unavailable or the keys directory
 * sits inside a tree the process must read.
 */
enum hs_err sandbox_apply(const struct config *cfg, char *err);

/* Handlers, by file. */
void serve_healthz(struct sreq *q);              /* serve.c */
void serve_style(struct sreq *q);                /* serve_page.c */
void serve_admin_home(struct sreq *q);           /* serve_page.c */
void serve_signin_form(struct sreq *q);          /* serve_admin_session.c */
void serve_signin_post(struct sreq *q);
void serve_signout_post(struct sreq *q);
void serve_invite_form(struct sreq *q);
void serve_invite_post(struct sreq *q);
void serve_totp_form(struct sreq *q);
void serve_totp_post(struct sreq *q);
void serve_accounts_list(struct sreq *q);        /* serve_admin_accounts.c */
void serve_accounts_add(struct sreq *q);
void serve_accounts_act(struct sreq *q);
void serve_tokens_list(struct sreq *q);
void serve_tokens_add(struct sreq *q);
void serve_tokens_revoke(struct sreq *q);
void serve_records_list(struct sreq *q);         /* serve_admin_records.c */
void serve_records_stamp(struct sreq *q);
void serve_records_reject(struct sreq *q);
void serve_record_show(struct sreq *q);
void serve_record_stamp(struct sreq *q);
void serve_record_reject(struct sreq *q);
void serve_record_withdraw(struct sreq *q);
void serve_record_correct(struct sreq *q);
void serve_audit_list(struct sreq *q);           /* serve_admin_audit.c */
void serve_certs_list(struct sreq *q);           /* serve_admin_certs.c */
void serve_certs_issue(struct sreq *q);
void serve_certs_find(struct sreq *q);
void serve_cert_show(struct sreq *q);
void serve_cert_revoke(struct sreq *q);
void serve_cert_reissue(struct sreq *q);
void serve_staff_list(struct sreq *q);           /* serve_admin_staff.c */
void serve_upload_form(struct sreq *q);          /* serve_admin_upload.c */
void serve_upload_post(struct sreq *q);
void serve_activation_form(struct sreq *q);      /* serve_admin_activation.c */
void serve_activation_post(struct sreq *q);
void serve_my_root(struct sreq *q);              /* serve_my_session.c */
void serve_my_signin_form(struct sreq *q);
void serve_my_signin_post(struct sreq *q);
void serve_my_signout_post(struct sreq *q);
void serve_my_activate_form(struct sreq *q);
void serve_my_activate_post(struct sreq *q);
void serve_my_sso(struct sreq *q);
void serve_my_account(struct sreq *q);
void serve_my_password_post(struct sreq *q);
void serve_my_totp_post(struct sreq *q);
void serve_my_home(struct sreq *q);              /* serve_my.c */
void serve_my_records(struct sreq *q);
void serve_my_certs(struct sreq *q);
void serve_my_cert_pdf(struct sreq *q);
void serve_my_cert_show(struct sreq *q);
void serve_my_cert_request(struct sreq *q);
void serve_my_notices(struct sreq *q);
void serve_my_data(struct sreq *q);
void serve_my_share_list(struct sreq *q);        /* serve_share.c */
void serve_my_share_add(struct sreq *q);
void serve_my_share_withdraw(struct sreq *q);
void serve_share_report(struct sreq *q);
void serve_share_qr(struct sreq *q);
void serve_staff_export(struct sreq *q);         /* serve_admin_staff.c */
/* The record pages' style rules, appended to the style sheet. */
extern const char console_records_css[];
/* The share-code pages' style rules (serve_share.c), appended too. */
extern const char share_css[];

#endif
