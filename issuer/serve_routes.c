/*
 * serve_routes.c - every path the issuing service answers, with who may
 * (the authorization column: an app/authz.h action, checked for every
 * request before the handler runs), the scope rule the handler applies,
 * the body it takes and the rate bucket. A path that is not here is 404;
 * /my/... are the practitioner's pages and /s/<code> the share-code
 * reports (issue 14, service.md §5): public face only.
 *
 * Columns: pattern, methods, action, auth, scope, handler, body, body
 * limit, bucket, faces, metrics label, secret "*".
 */
#include "serve.h"
#include "serve_api.h"

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

	/* Records and the audit log (serve_admin_records.c,
	 * serve_admin_audit.c). The queue's one form posts the ticked
	 * rows to stamp or reject (a button's formaction); a record's forms
	 * post to its own path. Every change goes through app/stamp.h. */
	{ "/admin/records", "GET, HEAD", AZ_RECORD_VIEW, RA_SESSION,
	    AZS_RECORD, serve_records_list, BODY_NONE, 0, GEN, ADM, "records",
	    false },
	{ "/admin/records/stamp", "POST", AZ_RECORD_STAMP, RA_SESSION,
	    AZS_STAMP, serve_records_stamp, BODY_FORM, 64 * KB, GEN, ADM,
	    "records", false },
	{ "/admin/records/reject", "POST", AZ_RECORD_REJECT, RA_SESSION,
	    AZS_STAMP, serve_records_reject, BODY_FORM, 64 * KB, GEN, ADM,
	    "records", false },
	/* A training base uploads a file (serve_admin_upload.c): the
	 * multipart body is read by the handler, which checks its CSRF
	 * token; the import is POST /api/v1/records'. */
	{ "/admin/records/upload", "GET, HEAD", AZ_RECORD_SUBMIT, RA_SESSION,
	    AZS_RECORD, serve_upload_form, BODY_NONE, 0, GEN, ADM, "upload",
	    false },
	{ "/admin/records/upload", "POST", AZ_RECORD_SUBMIT, RA_SESSION,
	    AZS_RECORD, serve_upload_post, BODY_RAW,
	    API_RECORDS_MAX_BODY + 64 * KB, GEN, ADM, "upload", false },
	{ "/admin/records/*", "GET, HEAD", AZ_RECORD_VIEW, RA_SESSION,
	    AZS_RECORD, serve_record_show, BODY_NONE, 0, GEN, ADM, "record",
	    false },
	{ "/admin/records/*/stamp", "POST", AZ_RECORD_STAMP, RA_SESSION,
	    AZS_STAMP, serve_record_stamp, BODY_FORM, 4 * KB, GEN, ADM,
	    "record", false },
	{ "/admin/records/*/reject", "POST", AZ_RECORD_REJECT, RA_SESSION,
	    AZS_STAMP, serve_record_reject, BODY_FORM, 4 * KB, GEN, ADM,
	    "record", false },
	{ "/admin/records/*/withdraw", "POST", AZ_RECORD_WITHDRAW,
	    RA_SESSION, AZS_STAMP, serve_record_withdraw, BODY_FORM, 4 * KB,
	    GEN, ADM, "record", false },
	{ "/admin/records/*/correct", "POST", AZ_RECORD_CORRECT, RA_SESSION,
	    AZS_RECORD, serve_record_correct, BODY_FORM, 16 * KB, GEN, ADM,
	    "record", false },
	{ "/admin/audit", "GET, HEAD", AZ_AUDIT_VIEW, RA_SESSION, AZS_AUDIT,
	    serve_audit_list, BODY_NONE, 0, GEN, ADM, "audit", false },

	/* Certificates (serve_admin_certs.c): hr issues, revokes and
	 * reissues through the same library calls as /api/v1; employer and
	 * auditor see them in scope. */
	{ "/admin/certs", "GET, HEAD", AZ_CERT_VIEW, RA_SESSION, AZS_RECORD,
	    serve_certs_list, BODY_NONE, 0, GEN, ADM, "certs", false },
	{ "/admin/certs/issue", "POST", AZ_CERT_ISSUE, RA_SESSION, AZS_RECORD,
	    serve_certs_issue, BODY_FORM, 2 * KB, GEN, ADM, "certs", false },
	{ "/admin/certs/find", "POST", AZ_CERT_ISSUE, RA_SESSION, AZS_RECORD,
	    serve_certs_find, BODY_FORM, 2 * KB, GEN, ADM, "certs", false },
	{ "/admin/certs/*", "GET, HEAD", AZ_CERT_VIEW, RA_SESSION, AZS_RECORD,
	    serve_cert_show, BODY_NONE, 0, GEN, ADM, "cert", false },
	{ "/admin/certs/*/revoke", "POST", AZ_CERT_REVOKE, RA_SESSION,
	    AZS_RECORD, serve_cert_revoke, BODY_FORM, 4 * KB, GEN, ADM, "cert",
	    false },
	{ "/admin/certs/*/reissue", "POST", AZ_CERT_REISSUE, RA_SESSION,
	    AZS_RECORD, serve_cert_reissue, BODY_FORM, 2 * KB, GEN, ADM, "cert",
	    false },

	/* An employer's staff: hours against the requirement, what is
	 * missing, valid certificates (serve_admin_staff.c); hr and auditor
	 * name a unit in their region. */
	{ "/admin/staff", "GET, HEAD", AZ_CERT_VIEW, RA_SESSION, AZS_RECORD,
	    serve_staff_list, BODY_NONE, 0, GEN, ADM, "staff", false },
	{ "/admin/staff.csv", "GET, HEAD", AZ_CERT_VIEW, RA_SESSION,
	    AZS_RECORD, serve_staff_export, BODY_NONE, 0, GEN, ADM, "staff",
	    false },

	/* Activation letters (serve_admin_activation.c): an hr or employer
	 * account makes one-time codes for its people, as a PDF letter or
	 * a CSV; the codes are in that answer only. */
	{ "/admin/activation", "GET, HEAD", AZ_ACTIVATION_MAKE, RA_SESSION,
	    AZS_RECORD, serve_activation_form, BODY_NONE, 0, GEN, ADM,
	    "activation", false },
	{ "/admin/activation", "POST", AZ_ACTIVATION_MAKE, RA_SESSION,
	    AZS_RECORD, serve_activation_post, BODY_FORM, 64 * KB, GEN, ADM,
	    "activation", false },

	/* The practitioner's way in (serve_my_session.c): sign-in with the
	 * ID number and password, activation with a code, the provincial
	 * platform's signed hand-off, the account page. */
	{ "/my", "GET, HEAD", AZ_PUBLIC, RA_PUBLIC, AZS_NONE, serve_my_root,
	    BODY_NONE, 0, GEN, PUB, "my_root", false },
	{ "/my/signin", "GET, HEAD", AZ_PUBLIC, RA_PUBLIC, AZS_NONE,
	    serve_my_signin_form, BODY_NONE, 0, GEN, PUB, "my_signin", false },
	{ "/my/signin", "POST", AZ_PUBLIC, RA_PUBLIC, AZS_NONE,
	    serve_my_signin_post, BODY_FORM, 4 * KB, STRICT, PUB, "my_signin",
	    false },
	{ "/my/signout", "POST", AZ_SELF, RA_SESSION, AZS_SELF,
	    serve_my_signout_post, BODY_FORM, 1 * KB, GEN, PUB, "my_signout",
	    false },
	{ "/my/activate", "GET, HEAD", AZ_PUBLIC, RA_PUBLIC, AZS_NONE,
	    serve_my_activate_form, BODY_NONE, 0, GEN, PUB, "my_activate",
	    false },
	{ "/my/activate", "POST", AZ_PUBLIC, RA_PUBLIC, AZS_NONE,
	    serve_my_activate_post, BODY_FORM, 4 * KB, STRICT, PUB,
	    "my_activate", false },
	{ "/my/sso", "GET, HEAD", AZ_PUBLIC, RA_PUBLIC, AZS_NONE, serve_my_sso,
	    BODY_NONE, 0, STRICT, PUB, "my_sso", false },
	{ "/my/account", "GET, HEAD", AZ_MY_VIEW, RA_SESSION, AZS_SELF,
	    serve_my_account, BODY_NONE, 0, GEN, PUB, "my_account", false },
	{ "/my/account/password", "POST", AZ_MY_VIEW, RA_SESSION, AZS_SELF,
	    serve_my_password_post, BODY_FORM, 2 * KB, STRICT, PUB,
	    "my_account", false },
	{ "/my/account/totp", "POST", AZ_MY_VIEW, RA_SESSION, AZS_SELF,
	    serve_my_totp_post, BODY_FORM, 2 * KB, STRICT, PUB, "my_account",
	    false },

	/* The practitioner's own hours, records, certificates, notices and
	 * data (serve_my.c): only the signed-in holder's own rows; another
	 * holder's serial answers 404. */
	{ "/my/", "GET, HEAD", AZ_MY_VIEW, RA_SESSION, AZS_SELF,
	    serve_my_home, BODY_NONE, 0, GEN, PUB, "my_home", false },
	{ "/my/records", "GET, HEAD", AZ_MY_VIEW, RA_SESSION, AZS_SELF,
	    serve_my_records, BODY_NONE, 0, GEN, PUB, "my_records", false },
	{ "/my/certs", "GET, HEAD", AZ_MY_VIEW, RA_SESSION, AZS_SELF,
	    serve_my_certs, BODY_NONE, 0, GEN, PUB, "my_certs", false },
	{ "/my/certs/request", "POST", AZ_MY_VIEW, RA_SESSION, AZS_SELF,
	    serve_my_cert_request, BODY_FORM, 2 * KB, GEN, PUB, "my_certs",
	    false },
	{ "/my/certs/*.pdf", "GET, HEAD", AZ_MY_VIEW, RA_SESSION, AZS_SELF,
	    serve_my_cert_pdf, BODY_NONE, 0, GEN, PUB, "my_cert_pdf", false },
	{ "/my/certs/*", "GET, HEAD", AZ_MY_VIEW, RA_SESSION, AZS_SELF,
	    serve_my_cert_show, BODY_NONE, 0, GEN, PUB, "my_cert", false },
	{ "/my/notices", "GET, HEAD", AZ_MY_VIEW, RA_SESSION, AZS_SELF,
	    serve_my_notices, BODY_NONE, 0, GEN, PUB, "my_notices", false },
	{ "/my/data.json", "GET, HEAD", AZ_MY_VIEW, RA_SESSION, AZS_SELF,
	    serve_my_data, BODY_NONE, 0, GEN, PUB, "my_data", false },

	/* Share codes (serve_share.c): the holder makes and withdraws
	 * them; anyone with a code reads its report. The code is a secret
	 * in the path: the access log writes [token]. */
	{ "/my/share", "GET, HEAD", AZ_MY_VIEW, RA_SESSION, AZS_SELF,
	    serve_my_share_list, BODY_NONE, 0, GEN, PUB, "my_share", false },
	{ "/my/share", "POST", AZ_MY_VIEW, RA_SESSION, AZS_SELF,
	    serve_my_share_add, BODY_FORM, 4 * KB, GEN, PUB, "my_share",
	    false },
	{ "/my/share/*/withdraw", "POST", AZ_MY_VIEW, RA_SESSION, AZS_SELF,
	    serve_my_share_withdraw, BODY_FORM, 1 * KB, GEN, PUB, "my_share",
	    false },
	/* The general bucket: a committee refreshes a report; guessing is
	 * held by serve_share.c's own limits on unknown codes (per address
	 * and across all addresses). */
	{ "/s/*/qr.png", "GET, HEAD", AZ_PUBLIC, RA_PUBLIC, AZS_NONE,
	    serve_share_qr, BODY_NONE, 0, GEN, PUB, "share_qr", true },
	{ "/s/*", "GET, HEAD", AZ_PUBLIC, RA_PUBLIC, AZS_NONE,
	    serve_share_report, BODY_NONE, 0, GEN, PUB, "share", true },

	/* The APIs (serve_api.c): token only, on the admin listener. The
	 * handlers read and bound the body themselves (media type by
	 * call). GET /api/v1/records lists the provider's own records. */
	{ "/api/v1/records", "POST", AZ_RECORD_SUBMIT, RA_TOKEN, AZS_RECORD,
	    serve_api_records_post, BODY_RAW, API_RECORDS_MAX_BODY, GEN, ADM,
	    "api_records", false },
	{ "/api/v1/records", "GET, HEAD", AZ_RECORD_VIEW, RA_TOKEN,
	    AZS_RECORD, serve_api_records_get, BODY_NONE, 0, GEN, ADM,
	    "api_records", false },
	{ "/api/v1/hours", "POST", AZ_HOURS_QUERY, RA_TOKEN, AZS_RECORD,
	    serve_api_hours, BODY_RAW, API_SMALL_BODY, GEN, ADM, "api_hours",
	    false },
	{ "/api/v1/issue", "POST", AZ_CERT_ISSUE, RA_TOKEN, AZS_RECORD,
	    serve_api_issue, BODY_RAW, API_SMALL_BODY, GEN, ADM, "api_issue",
	    false },
	{ "/api/v1/revoke", "POST", AZ_CERT_REVOKE, RA_TOKEN, AZS_RECORD,
	    serve_api_revoke, BODY_RAW, API_SMALL_BODY, GEN, ADM, "api_revoke",
	    false },
	{ "/api/v1/reissue", "POST", AZ_CERT_REISSUE, RA_TOKEN, AZS_RECORD,
	    serve_api_reissue, BODY_RAW, API_SMALL_BODY, GEN, ADM,
	    "api_reissue", false },
};

const size_t serve_nroutes = sizeof(serve_routes) / sizeof(serve_routes[0]);
