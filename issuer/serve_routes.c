/*
 * serve_routes.c - every path the issuing service answers, with who may
 * (the authorization column: an app/authz.h action, checked for every
 * request before the handler runs), the scope rule the handler applies,
 * the body it takes and the rate bucket. A path that is not here is 404;
 * /my/... and /s/... are reserved for the practitioner's pages (issue 14).
 *
 * Columns: pattern, methods, action, auth, scope, handler, body, body
 * limit, bucket, faces, metrics label, secret "*".
 */
#include "serve.h"

#define KB 1024
#define PUB FACE_PUBLIC
#define ADM FACE_ADMIN
#define BOTH (FACE_PUBLIC | FACE_ADMIN)
#define GEN HTTP_BUCKET_GENERAL
#define STRICT HTTP_BUCKET_STRICT

const struct route serve_routes[] = {
	/* Health and the style sheet: both listeners. */
	{ "/healthz", "GET, HEAD", AZ_PUBLIC, RA_PUBLIC, AZS_NONE,
	    serve_healthz, BODY_NONE, 0, HTTP_BUCKET_NONE, BOTH, "healthz",
	    false },
	{ "/style.css", "GET, HEAD", AZ_PUBLIC, RA_PUBLIC, AZS_NONE,
	    serve_style, BODY_NONE, 0, GEN, BOTH, "style", false },

	/* Sign-in and sessions (serve_admin_session.c). */
	{ "/admin/signin", "GET, HEAD", AZ_PUBLIC, RA_PUBLIC, AZS_NONE,
	    serve_signin_form, BODY_NONE, 0, GEN, ADM, "signin", false },
	{ "/admin/signin", "POST", AZ_PUBLIC, RA_PUBLIC, AZS_NONE,
	    serve_signin_post, BODY_FORM, 4 * KB, STRICT, ADM, "signin",
	    false },
	{ "/admin/signout", "POST", AZ_SELF, RA_ENROL, AZS_SELF,
	    serve_signout_post, BODY_FORM, 1 * KB, GEN, ADM, "signout",
	    false },
	{ "/admin/invite/*", "GET, HEAD", AZ_PUBLIC, RA_PUBLIC, AZS_NONE,
	    serve_invite_form, BODY_NONE, 0, GEN, ADM, "invite", true },
	{ "/admin/invite/*", "POST", AZ_PUBLIC, RA_PUBLIC, AZS_NONE,
	    serve_invite_post, BODY_FORM, 4 * KB, STRICT, ADM, "invite",
	    true },
	{ "/admin/totp", "GET, HEAD", AZ_SELF, RA_ENROL, AZS_SELF,
	    serve_totp_form, BODY_NONE, 0, GEN, ADM, "totp", false },
	{ "/admin/totp", "POST", AZ_SELF, RA_ENROL, AZS_SELF,
	    serve_totp_post, BODY_FORM, 2 * KB, STRICT, ADM, "totp", false },

	/* The console's home page (serve_page.c). */
	{ "/admin/", "GET, HEAD", AZ_CONSOLE, RA_SESSION, AZS_NONE,
	    serve_admin_home, BODY_NONE, 0, GEN, ADM, "home", false },

	/* Accounts and API tokens (serve_admin_accounts.c). */
	{ "/admin/accounts", "GET, HEAD", AZ_ACCOUNT_MANAGE, RA_SESSION,
	    AZS_ACCOUNT, serve_accounts_list, BODY_NONE, 0, GEN, ADM,
	    "accounts", false },
	{ "/admin/accounts", "POST", AZ_ACCOUNT_MANAGE, RA_SESSION,
	    AZS_ACCOUNT, serve_accounts_add, BODY_FORM, 4 * KB, GEN, ADM,
	    "accounts", false },
	{ "/admin/accounts/act", "POST", AZ_ACCOUNT_MANAGE, RA_SESSION,
	    AZS_ACCOUNT, serve_accounts_act, BODY_FORM, 2 * KB, GEN, ADM,
	    "accounts", false },
	{ "/admin/tokens", "GET, HEAD", AZ_TOKEN_MANAGE, RA_SESSION,
	    AZS_ACCOUNT, serve_tokens_list, BODY_NONE, 0, GEN, ADM, "tokens",
	    false },
	{ "/admin/tokens", "POST", AZ_TOKEN_MANAGE, RA_SESSION, AZS_ACCOUNT,
	    serve_tokens_add, BODY_FORM, 4 * KB, GEN, ADM, "tokens", false },
	{ "/admin/tokens/revoke", "POST", AZ_TOKEN_MANAGE, RA_SESSION,
	    AZS_ACCOUNT, serve_tokens_revoke, BODY_FORM, 2 * KB, GEN, ADM,
	    "tokens", false },

	/* Records and the audit log (the console helper:
	 * serve_admin_records.c, serve_admin_audit.c) go here. */

	/* The APIs (the api helper: serve_api*.c), RA_TOKEN, go here. */
};

const size_t serve_nroutes = sizeof(serve_routes) / sizeof(serve_routes[0]);
