/*
 * serve_my_session.c - the practitioner's way in (service.md §5): sign-in
 * with the ID number and password (and the TOTP code if they enrolled
 * one), sign-out, activation with a one-time code, the provincial
 * platform's signed hand-off (/my/sso), and the account page (password,
 * optional TOTP).
 *
 * Sign-in shares the staff forms' per-address throttle and the account's
 * own backoff and lock (accounts_signin). An unknown ID number, a person
 * without an account, a wrong password and a wrong code all get the same
 * answer, after the same Argon2id work.
 */
#include <stdio.h>
#include <string.h>

#include "cert/idnum.h"
#include "serve.h"

/* GET /my: the pages live under /my/. */
void
serve_my_root(struct sreq *q)
{
	serve_redirect(q, "/my/");
}

static void
signin_page(struct sreq *q, int status, const char *msg)
{
	struct buf b;
	enum page_lang lang = q->lang;

	buf_init(&b);
	serve_page_begin(q, &b, PL(lang, "登录", "Sign in"));
	buf_printf(&b, "<h1>%s</h1>\n<section class=\"card\">\n",
	    PL(lang, "专业技术人员登录", "Sign in"));
	if (msg != NULL) {
		buf_puts(&b, "<p class=\"error\" role=\"alert\">");
		page_esc(&b, msg);
		buf_puts(&b, "</p>\n");
	}
	buf_puts(&b, "<form class=\"stack\" method=\"post\" "
	    "action=\"/my/signin\">");
	serve_csrf_field(q, &b);
	buf_printf(&b, "<label for=\"id\">%s</label>"
	    "<input id=\"id\" name=\"id\" autocomplete=\"username\" "
	    "required minlength=\"18\" maxlength=\"18\" "
	    "pattern=\"[0-9]{17}[0-9Xx]\">"
	    "<label for=\"password\">%s</label>"
	    "<input id=\"password\" name=\"password\" type=\"password\" "
	    "autocomplete=\"current-password\" required maxlength=\"256\">"
	    "<label for=\"code\">%s</label>"
	    "<input id=\"code\" name=\"code\" inputmode=\"numeric\" "
	    "autocomplete=\"one-time-code\" maxlength=\"6\" "
	    "pattern=\"[0-9]{6}\">"
	    "<p class=\"hint\">%s</p>"
	    "<button type=\"submit\">%s</button></form>\n"
	    "<p><a href=\"/my/activate\">%s</a></p>\n</section>\n",
	    PL(lang, "身份证号", "ID number"), PL(lang, "密码", "Password"),
	    PL(lang, "动态验证码（如已绑定）", "Authenticator code (if enrolled)"),
	    PL(lang, "未绑定动态验证码可留空。", "Leave empty if you have not "
	    "enrolled an authenticator."),
	    PL(lang, "登录", "Sign in"),
	    PL(lang, "第一次使用？用激活码设置密码", "First time? Set your "
	    "password with your activation code"));
	serve_page_end(q, &b, status);
}

void
serve_my_signin_form(struct sreq *q)
{
	signin_page(q, 200, NULL);
}

void
serve_my_signin_post(struct sreq *q)
{
	const char *id = form_get(&q->form, "id");
	const char *pw = form_get(&q->form, "password");
	const char *code = form_get(&q->form, "code");
	const char *client = http_client(q->r);
	char idn[IDNUM_SIZE], err[HS_ERRLEN], msg[HS_ERRLEN + 64];
	char name[sizeof(((struct account *)0)->name)];
	struct account a;
	int64_t w;
	enum hs_err rc;

	if ((w = serve_throttle_wait(client, q->now)) > 0) {
		char ra[24];

		snprintf(ra, sizeof(ra), "%lld", (long long)w);
		serve_add_header(q, "Retry-After", ra);
		snprintf(msg, sizeof(msg), PL(q->lang,
		    "此地址登录失败次数过多，请 %lld 秒后再试。",
		    "Too many failed sign-ins from this address; try again "
		    "in %lld s."), (long long)w);
		signin_page(q, 429, msg);
		return;
	}
	if (id == NULL || pw == NULL || id[0] == '\0' || pw[0] == '\0') {
		signin_page(q, 400, PL(q->lang, "请填写身份证号和密码。",
		    "Enter your ID number and password."));
		return;
	}
	/* A malformed number is said plainly (it is the user's typo, not a
	 * secret); a well-formed one nobody holds gets the common answer. */
	if (idnum_validate(id, -1, idn, err) != HS_OK) {
		snprintf(msg, sizeof(msg), "%s%s", PL(q->lang, "身份证号：",
		    "ID number: "), err);
		signin_page(q, 400, msg);
		return;
	}
	/* Unknown: sign in as a name no account can have (':' is reserved),
	 * which costs the same Argon2id work and answers the same. */
	if (accounts_get_practitioner(q->db, idn, &a, err) == HS_OK)
		snprintf(name, sizeof(name), "%s", a.name);
	else
		snprintf(name, sizeof(name), "nobody:");
	rc = accounts_signin(q->db, name, pw, code != NULL && code[0] ?
	    code : NULL, client, q->now, &a, err);
	if (rc == HS_OK && a.role != ROLE_PRACTITIONER)
		rc = HS_ERR_SIGNATURE;
	if (rc != HS_OK) {
		if (rc == HS_ERR_SIGNATURE || rc == HS_ERR_STATE ||
		    rc == HS_ERR_NOTFOUND || rc == HS_ERR_INVALID)
			serve_throttle_fail(client, q->now);
		if (rc == HS_ERR_SIGNATURE || rc == HS_ERR_NOTFOUND ||
		    rc == HS_ERR_INVALID)
			signin_page(q, 401, PL(q->lang,
			    "身份证号、密码或动态验证码不正确。",
			    "Wrong ID number, password or code."));
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
	serve_redirect(q, "/my/");
}

void
serve_my_signout_post(struct sreq *q)
{
	serve_session_end(q);
	serve_redirect(q, "/my/signin");
}

/* ---- built by the activation / hand-off work (issue 14) ---- */

void
serve_my_activate_form(struct sreq *q)
{
	serve_error(q, 501, "not built yet");
}

void
serve_my_activate_post(struct sreq *q)
{
	serve_error(q, 501, "not built yet");
}

void
serve_my_sso(struct sreq *q)
{
	serve_error(q, 501, "not built yet");
}

void
serve_my_account(struct sreq *q)
{
	serve_error(q, 501, "not built yet");
}

void
serve_my_password_post(struct sreq *q)
{
	serve_error(q, 501, "not built yet");
}

void
serve_my_totp_post(struct sreq *q)
{
	serve_error(q, 501, "not built yet");
}
