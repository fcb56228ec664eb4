/*
 * serve_admin_session.c - sign-in, sign-out, invitations and TOTP
 * enrolment (service.md §2) on store/accounts.h.
 *
 * Sessions: the cookie holds the 256-bit token sessions_create returns
 * (only its SHA-256 is stored); a new token at every sign-in (an earlier
 * cookie's session is ended, so a planted cookie is worth nothing);
 * HttpOnly, SameSite=Strict, Path=/, and Secure with the __Host- name
 * when the public URL is https. Forms shown before sign-in carry the
 * pre-session CSRF token (serve_pre_csrf).
 *
 * Sign-in attempts are slowed per client address here, in memory, in
 * addition to the account's own backoff and lock (accounts_signin): five
 * failures (wrong name, password or code, or refused by an account's
 * backoff or lock) within 15 minutes are free, then the address waits
 * 30 s, doubling per further failure, at most 15 minutes.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "pdf/qr.h"
#include "serve.h"

/* ---- per-client sign-in throttle ---- */

#define THR_SLOTS 1024
#define THR_FREE 5           /* failures before the client waits */
#define THR_WAIT 30          /* the first wait; doubles per failure */
#define THR_WINDOW (15 * 60) /* failures older than this are forgotten */
#define THR_CAP (15 * 60)

struct thr_slot {
	char client[64];
	int failures;
	int64_t last;     /* last failure */
	int64_t next_try;
};

static struct thr_slot thr[THR_SLOTS];
static pthread_mutex_t thr_mu = PTHREAD_MUTEX_INITIALIZER;

static struct thr_slot *
thr_find(const char *client, int64_t now, bool make)
{
	struct thr_slot *oldest = &thr[0];
	size_t i;

	for (i = 0; i < THR_SLOTS; i++) {
		if (thr[i].client[0] != '\0' &&
		    strcmp(thr[i].client, client) == 0) {
			if (now - thr[i].last > THR_WINDOW) {
				thr[i].failures = 0;
				thr[i].next_try = 0;
			}
			return &thr[i];
		}
		if (thr[i].last < oldest->last)
			oldest = &thr[i];
	}
	if (!make)
		return NULL;
	memset(oldest, 0, sizeof(*oldest));
	snprintf(oldest->client, sizeof(oldest->client), "%s", client);
	return oldest;
}

/* Seconds the client must still wait before another attempt (0: none). */
int64_t
serve_throttle_wait(const char *client, int64_t now)
{
	struct thr_slot *s;
	int64_t w = 0;

	pthread_mutex_lock(&thr_mu);
	s = thr_find(client, now, false);
	if (s != NULL && s->next_try > now)
		w = s->next_try - now;
	pthread_mutex_unlock(&thr_mu);
	return w;
}

void
serve_throttle_fail(const char *client, int64_t now)
{
	struct thr_slot *s;

	pthread_mutex_lock(&thr_mu);
	s = thr_find(client, now, true);
	s->failures++;
	s->last = now;
	if (s->failures >= THR_FREE) {
		int e = s->failures - THR_FREE;
		int64_t d = e >= 10 ? THR_CAP : (int64_t)THR_WAIT << e;

		s->next_try = now + (d > THR_CAP ? THR_CAP : d);
	}
	pthread_mutex_unlock(&thr_mu);
}

bool
serve_throttled(struct sreq *q, char *msg, size_t cap)
{
	int64_t w = serve_throttle_wait(http_client(q->r), q->now);
	char ra[24];

	if (w <= 0)
		return false;
	snprintf(ra, sizeof(ra), "%lld", (long long)w);
	serve_add_header(q, "Retry-After", ra);
	snprintf(msg, cap, PL(q->lang, "此地址失败次数过多，请 %lld 秒后再试。",
	    "Too many failures from this address; try again in %lld s."),
	    (long long)w);
	return true;
}

void
serve_throttle_ok(const char *client)
{
	struct thr_slot *s;

	pthread_mutex_lock(&thr_mu);
	s = thr_find(client, 0, false);
	if (s != NULL)
		memset(s, 0, sizeof(*s));
	pthread_mutex_unlock(&thr_mu);
}

/* ---- cookies ---- */

/* Sets (token) or clears (NULL) the session cookie of role's portal:
 * the console's is SameSite=Strict; the practitioner's is Lax, so that
 * the signed hand-off from another site lands signed in (every change
 * is still a POST with the session's CSRF token). */
static void
set_session_cookie(struct sreq *q, enum role role, const char *token)
{
	char v[256];
	const struct serve_opts *o = serve_opts(q->sv);
	const char *site = role == ROLE_PRACTITIONER ? "Lax" : "Strict";

	if (token != NULL)
		snprintf(v, sizeof(v), "%s=%s; Path=/; HttpOnly; "
		    "SameSite=%s%s", serve_session_cookie(q->sv, role), token,
		    site, o->https ? "; Secure" : "");
	else
		snprintf(v, sizeof(v), "%s=; Path=/; Max-Age=0; HttpOnly; "
		    "SameSite=%s%s", serve_session_cookie(q->sv, role), site,
		    o->https ? "; Secure" : "");
	serve_add_header(q, "Set-Cookie", v);
}

/* Ends the session a request's cookie of role's portal names, if live. */
static void
end_cookie_session(struct sreq *q, enum role role)
{
	const char *c = http_cookie(q->r, serve_session_cookie(q->sv, role));
	char err[HS_ERRLEN];

	if (c != NULL && strlen(c) == ACCT_TOKEN_LEN)
		(void)sessions_end(q->db, c, http_client(q->r), q->now, err);
}

enum hs_err
serve_session_start(struct sreq *q, const struct account *a, char *err)
{
	char token[ACCT_TOKEN_LEN + 1], csrf[ACCT_TOKEN_LEN + 1];
	enum hs_err rc;

	end_cookie_session(q, a->role);
	rc = sessions_create(q->db, a->id, http_client(q->r), q->now, token,
	    csrf, err);
	if (rc == HS_OK)
		set_session_cookie(q, a->role, token);
	OPENSSL_cleanse(token, sizeof(token));
	return rc;
}

void
serve_session_end(struct sreq *q)
{
	enum role role = serve_in_my(q) ? ROLE_PRACTITIONER : ROLE_HR;

	end_cookie_session(q, role);
	set_session_cookie(q, role, NULL);
}

/* ---- sign-in ---- */

static void
signin_page(struct sreq *q, int status, const char *msg)
{
	struct buf b;
	enum page_lang lang = q->lang;

	buf_init(&b);
	serve_page_begin(q, &b, PL(lang, "登录", "Sign in"));
	buf_printf(&b, "<h1>%s</h1>\n<section class=\"card\">\n",
	    PL(lang, "工作人员登录", "Staff sign-in"));
	if (msg != NULL) {
		buf_puts(&b, "<p class=\"error\" role=\"alert\">");
		page_esc(&b, msg);
		buf_puts(&b, "</p>\n");
	}
	buf_puts(&b, "<form class=\"stack\" method=\"post\" "
	    "action=\"/admin/signin\">");
	serve_csrf_field(q, &b);
	buf_printf(&b, "<label for=\"name\">%s</label>"
	    "<input id=\"name\" name=\"name\" autocomplete=\"username\" "
	    "required maxlength=\"64\">"
	    "<label for=\"password\">%s</label>"
	    "<input id=\"password\" name=\"password\" type=\"password\" "
	    "autocomplete=\"current-password\" required maxlength=\"256\">"
	    "<label for=\"code\">%s</label>"
	    "<input id=\"code\" name=\"code\" inputmode=\"numeric\" "
	    "autocomplete=\"one-time-code\" maxlength=\"6\" "
	    "pattern=\"[0-9]{6}\">"
	    "<p class=\"hint\">%s</p>"
	    "<button type=\"submit\">%s</button></form>\n</section>\n",
	    PL(lang, "账户名", "Account name"), PL(lang, "密码", "Password"),
	    PL(lang, "动态验证码（6 位）", "Authenticator code (6 digits)"),
	    PL(lang, "尚未绑定动态验证码的账户可留空，登录后须先绑定。",
	    "Leave empty if you have not enrolled an authenticator yet; you "
	    "will be asked to enrol first."),
	    PL(lang, "登录", "Sign in"));
	serve_page_end(q, &b, status);
}

/* Shown signed in or not: signing in again (as somebody else, or over
 * a session planted in this browser) ends that session and starts a new
 * one with a new token. */
void
serve_signin_form(struct sreq *q)
{
	signin_page(q, 200, NULL);
}

void
serve_signin_post(struct sreq *q)
{
	const char *name = form_get(&q->form, "name");
	const char *pw = form_get(&q->form, "password");
	const char *code = form_get(&q->form, "code");
	const char *client = http_client(q->r);
	struct account a;
	char err[HS_ERRLEN], msg[HS_ERRLEN + 64];
	enum hs_err rc;

	if (serve_throttled(q, msg, sizeof(msg))) {
		signin_page(q, 429, msg);
		return;
	}
	if (name == NULL || pw == NULL || name[0] == '\0' || pw[0] == '\0') {
		signin_page(q, 400, PL(q->lang, "请填写账户名和密码。",
		    "Enter your account name and password."));
		return;
	}
	rc = accounts_signin(q->db, name, pw, code != NULL && code[0] ?
	    code : NULL, client, q->now, &a, err);
	if (rc != HS_OK) {
		if (rc == HS_ERR_SIGNATURE || rc == HS_ERR_STATE ||
		    rc == HS_ERR_NOTFOUND || rc == HS_ERR_INVALID)
			serve_throttle_fail(client, q->now);
		if (rc == HS_ERR_SIGNATURE || rc == HS_ERR_NOTFOUND ||
		    rc == HS_ERR_INVALID)
			signin_page(q, 401, PL(q->lang,
			    "账户名、密码或动态验证码不正确。",
			    "Wrong account name, password or code."));
		else if (rc == HS_ERR_STATE)
			signin_page(q, 429, err);
		else
			signin_page(q, serve_status(rc), err);
		return;
	}
	serve_throttle_ok(client);
	if ((rc = serve_session_start(q, &a, err)) != HS_OK) {
		serve_error(q, serve_status(rc), err);
		return;
	}
	/* Practitioners' pages are /my/ (issue 14). */
	serve_redirect(q, role_is_staff(a.role) && !a.totp_enrolled ?
	    "/admin/totp" : a.role == ROLE_PRACTITIONER ? "/my/" : "/admin/");
}

void
serve_signout_post(struct sreq *q)
{
	serve_session_end(q);
	serve_redirect(q, "/admin/signin");
}

/* ---- invitations ---- */

static void
invite_bad(struct sreq *q, enum hs_err rc, const char *err)
{
	serve_error(q, rc == HS_ERR_STATE ? 410 : 404, rc == HS_ERR_STATE ?
	    err : PL(q->lang, "没有这个邀请链接（或已失效）。",
	    "No such invitation (or it is no longer valid)."));
}

static void
invite_page(struct sreq *q, const struct account *a, int status,
    const char *msg)
{
	struct buf b;
	enum page_lang lang = q->lang;

	buf_init(&b);
	serve_page_begin(q, &b, PL(lang, "设置密码", "Set your password"));
	buf_printf(&b, "<h1>%s</h1>\n<section class=\"card\"><p>",
	    PL(lang, "设置密码", "Set your password"));
	buf_puts(&b, PL(lang, "账户：", "Account: "));
	page_esc(&b, a->name);
	buf_puts(&b, " · ");
	page_esc(&b, a->org);
	buf_puts(&b, "</p>\n");
	if (msg != NULL) {
		buf_puts(&b, "<p class=\"error\" role=\"alert\">");
		page_esc(&b, msg);
		buf_puts(&b, "</p>\n");
	}
	/* The form posts to the same path: the token stays out of the
	 * body and of any Referer (Referrer-Policy: no-referrer). */
	buf_puts(&b, "<form class=\"stack\" method=\"post\" action=\"\">");
	serve_csrf_field(q, &b);
	buf_printf(&b, "<label for=\"password\">%s</label>"
	    "<input id=\"password\" name=\"password\" type=\"password\" "
	    "autocomplete=\"new-password\" required minlength=\"10\" "
	    "maxlength=\"256\">"
	    "<label for=\"again\">%s</label>"
	    "<input id=\"again\" name=\"again\" type=\"password\" "
	    "autocomplete=\"new-password\" required maxlength=\"256\">"
	    "<p class=\"hint\">%s</p>"
	    "<button type=\"submit\">%s</button></form>\n</section>\n",
	    PL(lang, "新密码", "New password"),
	    PL(lang, "再输入一次", "Repeat it"),
	    PL(lang, "至少 10 个字符，不得包含账户名或身份证号。此链接只能使用一次。",
	    "At least 10 characters, not containing the account name or an "
	    "ID number. This link works once."),
	    PL(lang, "设置密码", "Set password"));
	serve_page_end(q, &b, status);
}

void
serve_invite_form(struct sreq *q)
{
	struct account a;
	char err[HS_ERRLEN];
	enum hs_err rc;

	rc = accounts_invitation_check(q->db, q->arg, q->now, &a, err);
	if (rc != HS_OK) {
		invite_bad(q, rc, err);
		return;
	}
	invite_page(q, &a, 200, NULL);
}

void
serve_invite_post(struct sreq *q)
{
	const char *pw = form_get(&q->form, "password");
	const char *again = form_get(&q->form, "again");
	struct account a;
	char err[HS_ERRLEN];
	enum hs_err rc;

	rc = accounts_invitation_check(q->db, q->arg, q->now, &a, err);
	if (rc != HS_OK) {
		invite_bad(q, rc, err);
		return;
	}
	if (pw == NULL || again == NULL || strcmp(pw, again) != 0) {
		invite_page(q, &a, 400, PL(q->lang, "两次输入的密码不一致。",
		    "The two passwords differ."));
		return;
	}
	rc = accounts_invitation_use(q->db, q->arg, pw, http_client(q->r),
	    q->now, &a, err);
	if (rc == HS_ERR_INVALID) {
		invite_page(q, &a, 400, err);
		return;
	}
	if (rc != HS_OK) {
		invite_bad(q, rc, err);
		return;
	}
	if ((rc = serve_session_start(q, &a, err)) != HS_OK) {
		serve_error(q, serve_status(rc), err);
		return;
	}
	serve_redirect(q, role_is_staff(a.role) ? "/admin/totp" :
	    a.role == ROLE_PRACTITIONER ? "/my/" : "/admin/");
}

/* ---- TOTP enrolment ---- */

/* The otpauth URI as a QR code: an SVG, as a data: URI (the CSP allows
 * data: images), so the secret never has a URL of its own. Also the
 * practitioner's enrolment (/my/account, serve_my_session.c). */
void
serve_qr_img(struct buf *b, const char *text)
{
	struct qr *qr = NULL;
	struct buf svg;
	char err[HS_ERRLEN];
	int w, x, y;

	if (qr_encode(text, &qr, err) != HS_OK)
		return;
	w = qr_width(qr) + 2 * QR_QUIET;
	buf_init(&svg);
	buf_printf(&svg, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "viewBox=\"0 0 %d %d\" shape-rendering=\"crispEdges\">"
	    "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path d=\"",
	    w, w, w, w);
	for (y = 0; y < qr_width(qr); y++)
		for (x = 0; x < qr_width(qr); x++)
			if (qr_dark(qr, x, y))
				buf_printf(&svg, "M%d %dh1v1h-1z", x + QR_QUIET,
				    y + QR_QUIET);
	buf_puts(&svg, "\" fill=\"#000\"/></svg>");
	qr_free(qr);
	if (!svg.oom) {
		size_t cap = (svg.len + 2) / 3 * 4 + 1;
		char *enc = malloc(cap);

		if (enc != NULL) {
			b64_encode((const uint8_t *)svg.data, svg.len, enc, cap);
			buf_puts(b, "<img class=\"qr\" alt=\"QR\" "
			    "src=\"data:image/svg+xml;base64,");
			buf_puts(b, enc);
			buf_puts(b, "\">");
			free(enc);
		}
	}
	buf_free(&svg);
}

static void
totp_page(struct sreq *q, int status, const char *msg)
{
	struct buf b;
	enum page_lang lang = q->lang;
	char secret[TOTP_B32_LEN], uri[TOTP_URI_MAX], err[HS_ERRLEN];
	enum hs_err rc;

	buf_init(&b);
	serve_page_begin(q, &b, PL(lang, "绑定动态验证码",
	    "Enrol an authenticator"));
	buf_printf(&b, "<h1>%s</h1>\n<section class=\"card\">\n",
	    PL(lang, "绑定动态验证码", "Enrol an authenticator"));
	if (q->acct.totp_enrolled) {
		buf_printf(&b, "<p>%s</p></section>\n", PL(lang,
		    "本账户已绑定动态验证码。如需更换，请联系上级管理员重置账户。",
		    "This account has an authenticator. To change it, ask an "
		    "administrator to reset the account."));
		serve_page_end(q, &b, 200);
		return;
	}
	rc = accounts_totp_begin(q->db, q->acct.id, secret, uri, sizeof(uri),
	    err);
	if (rc != HS_OK) {
		buf_free(&b);
		serve_error(q, serve_status(rc), err);
		return;
	}
	if (msg != NULL) {
		buf_puts(&b, "<p class=\"error\" role=\"alert\">");
		page_esc(&b, msg);
		buf_puts(&b, "</p>\n");
	}
	buf_printf(&b, "<p>%s</p>\n", PL(lang,
	    "用验证器应用（如 FreeOTP、Google Authenticator）扫描二维码，"
	    "或手动输入下面的密钥，然后输入应用显示的 6 位数字。",
	    "Scan the QR code with an authenticator app (FreeOTP, Google "
	    "Authenticator, ...) or type in the key below, then enter the "
	    "6 digits it shows."));
	serve_qr_img(&b, uri);
	buf_printf(&b, "<p>%s</p><code class=\"secret\" id=\"secret\">",
	    PL(lang, "密钥", "Key"));
	page_esc(&b, secret);
	buf_puts(&b, "</code>\n<p class=\"hint uri\">");
	page_esc(&b, uri);
	buf_puts(&b, "</p>\n<form class=\"stack\" method=\"post\" "
	    "action=\"/admin/totp\">");
	serve_csrf_field(q, &b);
	buf_printf(&b, "<label for=\"code\">%s</label>"
	    "<input id=\"code\" name=\"code\" inputmode=\"numeric\" "
	    "autocomplete=\"one-time-code\" required maxlength=\"6\" "
	    "pattern=\"[0-9]{6}\"><button type=\"submit\">%s</button>"
	    "</form>\n</section>\n", PL(lang, "6 位验证码", "6-digit code"),
	    PL(lang, "确认绑定", "Confirm"));
	OPENSSL_cleanse(secret, sizeof(secret));
	OPENSSL_cleanse(uri, sizeof(uri));
	serve_page_end(q, &b, status);
}

void
serve_totp_form(struct sreq *q)
{
	totp_page(q, 200, NULL);
}

void
serve_totp_post(struct sreq *q)
{
	const char *code = form_get(&q->form, "code");
	struct actor who;
	char err[HS_ERRLEN];
	enum hs_err rc;

	if (q->acct.totp_enrolled) {
		serve_redirect(q, "/admin/");
		return;
	}
	serve_actor(q, &who);
	rc = accounts_totp_confirm(q->db, &who, q->acct.id, code ? code : "",
	    q->now, err);
	if (rc != HS_OK) {
		/* A new secret is shown: the page begins enrolment again. */
		totp_page(q, 400, PL(q->lang, "验证码不正确，请用新的二维码重新绑定。",
		    "Wrong code; enrol again with the new QR code."));
		return;
	}
	serve_redirect(q, "/admin/");
}
