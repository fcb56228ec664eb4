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
#include <time.h>

#include <openssl/crypto.h>

#include "app/sso.h"
#include "cert/idnum.h"
#include "store/activation.h"
#include "store/sso.h"
#include "serve.h"

/* The end of every way in (sign-in, activation, hand-off): the address's
 * failures forgiven, a new session, and the holder's home page. */
static void
signed_in(struct sreq *q, const struct account *a)
{
	char err[HS_ERRLEN];
	enum hs_err rc;

	serve_throttle_ok(http_client(q->r));
	if ((rc = serve_session_start(q, a, err)) != HS_OK) {
		serve_error(q, serve_status(rc), err);
		return;
	}
	serve_redirect(q, "/my/");
}

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
	enum hs_err rc;

	if (serve_throttled(q, msg, sizeof(msg))) {
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
	signed_in(q, &a);
}

void
serve_my_signout_post(struct sreq *q)
{
	serve_session_end(q);
	serve_redirect(q, "/my/signin");
}

/* ---- shared ---- */


static void
error_line(struct buf *b, const char *msg)
{
	if (msg == NULL)
		return;
	buf_puts(b, "<p class=\"error\" role=\"alert\">");
	page_esc(b, msg);
	buf_puts(b, "</p>\n");
}

/* ---- activation (service.md §5, way 1; store/activation.h) ---- */

/*
 * A code as a letter's QR code carries it (?code=), kept for the form
 * only if it looks like one: at most ACT_INPUT_MAX bytes of 0-9 A-Z a-z,
 * '-' and ' '. Anything else is dropped, not echoed.
 */
static void
prefill_code(const char *in, char out[ACT_INPUT_MAX + 1])
{
	size_t i, n;

	out[0] = '\0';
	if (in == NULL || (n = strnlen(in, ACT_INPUT_MAX + 1)) > ACT_INPUT_MAX)
		return;
	for (i = 0; i < n; i++)
		if (!((in[i] >= '0' && in[i] <= '9') || (in[i] >= 'A' &&
		    in[i] <= 'Z') || (in[i] >= 'a' && in[i] <= 'z') ||
		    in[i] == '-' || in[i] == ' '))
			return;
	memcpy(out, in, n + 1);
}

static void
activate_page(struct sreq *q, int status, const char *msg, const char *code)
{
	struct buf b;
	enum page_lang lang = q->lang;

	buf_init(&b);
	serve_page_begin(q, &b, PL(lang, "激活账户", "Activate your account"));
	buf_printf(&b, "<h1>%s</h1>\n<section class=\"card\">\n<p>%s</p>\n",
	    PL(lang, "激活账户", "Activate your account"),
	    PL(lang, "请输入身份证号和激活通知上的激活码，并设置密码。激活码只能使用一次。",
	    "Enter your ID number and the code from your activation letter, "
	    "and choose a password. The code works once."));
	error_line(&b, msg);
	buf_puts(&b, "<form class=\"stack\" method=\"post\" "
	    "action=\"/my/activate\">");
	serve_csrf_field(q, &b);
	buf_printf(&b, "<label for=\"id\">%s</label>"
	    "<input id=\"id\" name=\"id\" autocomplete=\"username\" "
	    "required minlength=\"18\" maxlength=\"18\" "
	    "pattern=\"[0-9]{17}[0-9Xx]\">"
	    "<label for=\"code\">%s</label>"
	    "<input id=\"code\" name=\"code\" autocomplete=\"off\" "
	    "autocapitalize=\"characters\" spellcheck=\"false\" required "
	    "maxlength=\"%d\" value=\"", PL(lang, "身份证号", "ID number"),
	    PL(lang, "激活码（16 位，可含短横线）",
	    "Activation code (16 characters, dashes optional)"),
	    ACT_INPUT_MAX);
	page_esc(&b, code != NULL ? code : "");
	buf_printf(&b, "\">"
	    "<label for=\"password\">%s</label>"
	    "<input id=\"password\" name=\"password\" type=\"password\" "
	    "autocomplete=\"new-password\" required minlength=\"%d\" "
	    "maxlength=\"%d\">"
	    "<label for=\"again\">%s</label>"
	    "<input id=\"again\" name=\"again\" type=\"password\" "
	    "autocomplete=\"new-password\" required maxlength=\"%d\">"
	    "<p class=\"hint\">%s</p>"
	    "<button type=\"submit\">%s</button></form>\n"
	    "<p><a href=\"/my/signin\">%s</a></p>\n</section>\n",
	    PL(lang, "设置密码", "New password"), ACCT_PW_MIN,
	    ACCT_PW_MAX_BYTES, PL(lang, "再输入一次", "Repeat it"),
	    ACCT_PW_MAX_BYTES,
	    PL(lang, "至少 10 个字符，不得包含身份证号或其后六位。",
	    "At least 10 characters, not containing your ID number or its "
	    "last six characters."),
	    PL(lang, "激活并登录", "Activate and sign in"),
	    PL(lang, "已有密码？登录", "Have a password? Sign in"));
	serve_page_end(q, &b, status);
}

void
serve_my_activate_form(struct sreq *q)
{
	char code[ACT_INPUT_MAX + 1];

	prefill_code(http_query(q->r, "code"), code);
	activate_page(q, 200, NULL, code);
}

void
serve_my_activate_post(struct sreq *q)
{
	const char *id = form_get(&q->form, "id");
	const char *code = form_get(&q->form, "code");
	const char *pw = form_get(&q->form, "password");
	const char *again = form_get(&q->form, "again");
	const char *client = http_client(q->r);
	char idn[IDNUM_SIZE], norm[ACT_CODE_LEN + 1], keep[ACT_INPUT_MAX + 1];
	char err[HS_ERRLEN], msg[HS_ERRLEN + 64];
	struct account a;
	enum hs_err rc;

	if (serve_throttled(q, msg, sizeof(msg))) {
		activate_page(q, 429, msg, NULL);
		return;
	}
	prefill_code(code, keep);
	if (id == NULL || code == NULL || pw == NULL || again == NULL ||
	    id[0] == '\0' || code[0] == '\0' || pw[0] == '\0') {
		activate_page(q, 400, PL(q->lang,
		    "请填写身份证号、激活码和密码。",
		    "Enter your ID number, the code and a password."), keep);
		return;
	}
	/* The user's typos are said plainly; nothing is looked up yet. */
	if (idnum_validate(id, -1, idn, err) != HS_OK) {
		snprintf(msg, sizeof(msg), "%s%s", PL(q->lang, "身份证号：",
		    "ID number: "), err);
		activate_page(q, 400, msg, keep);
		return;
	}
	if (act_code_normalise(code, norm, err) != HS_OK) {
		activate_page(q, 400, PL(q->lang,
		    "激活码应为 16 位数字或字母（可含短横线）。",
		    "The code has 16 characters 0-9 A-Z (dashes optional)."),
		    NULL);
		return;
	}
	if (strnlen(pw, ACCT_PW_MAX_BYTES + 1) > ACCT_PW_MAX_BYTES ||
	    has_control(pw)) {
		activate_page(q, 400, PL(q->lang,
		    "密码过长或含有控制字符。",
		    "The password is too long or contains a control "
		    "character."), keep);
		return;
	}
	if (strcmp(pw, again) != 0) {
		activate_page(q, 400, PL(q->lang, "两次输入的密码不一致。",
		    "The two passwords differ."), keep);
		return;
	}
	rc = activation_redeem(q->db, client, idn, norm, pw, q->now, &a, err);
	OPENSSL_cleanse(norm, sizeof(norm));
	OPENSSL_cleanse(idn, sizeof(idn));
	if (rc == HS_ERR_INVALID) {
		/* the password policy: the code stays unused */
		snprintf(msg, sizeof(msg), "%s%s", PL(q->lang,
		    "密码不符合要求：", "Password: "), err);
		activate_page(q, 400, msg, keep);
		return;
	}
	if (rc == HS_ERR_SIGNATURE) {
		serve_throttle_fail(client, q->now);
		activate_page(q, 403, PL(q->lang,
		    "激活码与身份证号不匹配（或激活码无效）。",
		    "The code does not match that ID number (or is not a "
		    "valid code)."), NULL);
		return;
	}
	if (rc == HS_ERR_STATE) {
		serve_throttle_fail(client, q->now);
		snprintf(msg, sizeof(msg), "%s", strstr(err, "expired") ?
		    PL(q->lang, "激活码已过期，请联系单位或人社部门重新发放。",
		    "The code has expired; ask your employer or HR office for "
		    "a new one.") : strstr(err, "used") ? PL(q->lang,
		    "激活码已使用过。如忘记密码，请联系单位或人社部门。",
		    "The code has already been used. If you forgot your "
		    "password, ask your employer or HR office.") : err);
		activate_page(q, 410, msg, NULL);
		return;
	}
	if (rc != HS_OK) {
		serve_error(q, serve_status(rc), err);
		return;
	}
	signed_in(q, &a);
}

/* ---- the provincial platform's signed hand-off (app/sso.h) ---- */

static void
sso_refused_page(struct sreq *q, int status, enum sso_reason why,
    const char *extra)
{
	struct buf b;
	enum page_lang lang = q->lang;
	const char *what;

	switch (why) {
	case SSO_NOT_CONFIGURED:
		what = PL(lang, "本系统未启用省级平台登录。",
		    "Sign-in from the provincial platform is not set up "
		    "here.");
		break;
	case SSO_MALFORMED:
		what = PL(lang, "登录链接不完整或格式不正确。",
		    "The sign-in link is incomplete or malformed.");
		break;
	case SSO_BAD_SIGNATURE:
		what = PL(lang, "登录链接的签名无效。",
		    "The sign-in link's signature is not valid.");
		break;
	case SSO_EXPIRED:
		what = PL(lang, "登录链接已过期（有效期 60 秒）。",
		    "The sign-in link has expired (it is valid for 60 "
		    "seconds).");
		break;
	case SSO_FUTURE:
		what = PL(lang, "登录链接的时间晚于本系统时间（超过 60 秒）。",
		    "The sign-in link's time is more than 60 seconds ahead "
		    "of this service's clock.");
		break;
	case SSO_REPLAY:
		what = PL(lang, "登录链接已使用过，每个链接只能使用一次。",
		    "The sign-in link has already been used; each link works "
		    "once.");
		break;
	case SSO_UNKNOWN:
		what = PL(lang, "本系统没有您的继续教育记录。",
		    "This service holds no records of yours.");
		break;
	case SSO_ACCOUNT_OFF:
		what = PL(lang, "您的账户已停用或锁定，请联系单位或人社部门。",
		    "Your account is disabled or locked; ask your employer or "
		    "HR office.");
		break;
	default:
		what = extra != NULL ? extra : "?";
		break;
	}
	buf_init(&b);
	serve_page_begin(q, &b, PL(lang, "无法登录", "Sign-in refused"));
	buf_printf(&b, "<h1>%s</h1>\n<section class=\"card\">\n",
	    PL(lang, "无法通过省级平台登录", "Sign-in from the provincial "
	    "platform refused"));
	error_line(&b, what);
	if (extra != NULL && why != SSO_OK)
		error_line(&b, extra);
	buf_printf(&b, "<p>%s</p>\n<p><a href=\"/my/signin\">%s</a></p>\n"
	    "</section>\n", PL(lang, "请回到省级平台重新进入，或用身份证号和密码登录。",
	    "Go back to the provincial platform and follow its link again, "
	    "or sign in with your ID number and password."),
	    PL(lang, "用身份证号和密码登录", "Sign in with ID number and "
	    "password"));
	serve_page_end(q, &b, status);
}

void
serve_my_sso(struct sreq *q)
{
	const struct serve_opts *o = serve_opts(q->sv);
	const char *client = http_client(q->r);
	struct sso_params p = {
		http_query(q->r, "d"), http_query(q->r, "t"),
		http_query(q->r, "n"), http_query(q->r, "s"),
	};
	char err[HS_ERRLEN], msg[HS_ERRLEN + 64];
	enum sso_reason why = SSO_OK;
	struct account a;
	enum hs_err rc;

	/* A HEAD (a link checker, a preview) must not spend the nonce. */
	if (strcmp(http_method(q->r), "HEAD") == 0) {
		http_reply(q->r, 200, "text/html; charset=utf-8", "", 0,
		    HTTP_MEM_STATIC, NULL);
		return;
	}
	if (serve_throttled(q, msg, sizeof(msg))) {
		sso_refused_page(q, 429, SSO_OK, msg);
		return;
	}
	rc = sso_accept(q->db, o->cfg, o->public_url, &p, client, q->now, &a,
	    &why, err);
	if (rc == HS_ERR_STATE && why != SSO_OK) {
		serve_throttle_fail(client, q->now);
		sso_refused_page(q, why == SSO_MALFORMED ? 400 : 403, why,
		    NULL);
		return;
	}
	if (rc != HS_OK) {
		serve_error(q, serve_status(rc), err);
		return;
	}
	signed_in(q, &a);
}

/* ---- the account page ---- */

/* The TOTP card: enrolled, or a button to begin, or (enrol) the QR code
 * and the confirmation form of a fresh secret. */
static void
totp_card(struct sreq *q, struct buf *b, bool enrol, const char *msg)
{
	enum page_lang lang = q->lang;
	char secret[TOTP_B32_LEN], uri[TOTP_URI_MAX], err[HS_ERRLEN];

	buf_printf(b, "<section class=\"card\" id=\"totp\"><h2>%s</h2>\n",
	    PL(lang, "动态验证码（可选）", "Authenticator (optional)"));
	error_line(b, msg);
	if (q->acct.totp_enrolled) {
		buf_printf(b, "<p>%s</p></section>\n", PL(lang,
		    "已绑定。登录时需输入验证器应用显示的 6 位数字。",
		    "Enrolled: signing in asks for the 6 digits your "
		    "authenticator app shows."));
		return;
	}
	if (!enrol || accounts_totp_begin(q->db, q->acct.id, secret, uri,
	    sizeof(uri), err) != HS_OK) {
		buf_printf(b, "<p>%s</p><form method=\"post\" "
		    "action=\"/my/account/totp\">", PL(lang,
		    "绑定后，登录除密码外还需输入验证器应用（如 FreeOTP、"
		    "Google Authenticator）显示的 6 位数字。",
		    "Once enrolled, signing in also asks for the 6 digits an "
		    "authenticator app (FreeOTP, Google Authenticator, ...) "
		    "shows."));
		serve_csrf_field(q, b);
		buf_printf(b, "<input type=\"hidden\" name=\"begin\" "
		    "value=\"1\"><button type=\"submit\">%s</button></form>"
		    "</section>\n", PL(lang, "绑定动态验证码",
		    "Enrol an authenticator"));
		return;
	}
	buf_printf(b, "<p>%s</p>\n", PL(lang,
	    "用验证器应用扫描二维码，或手动输入下面的密钥，然后输入应用显示的 6 位数字。",
	    "Scan the QR code with an authenticator app or type in the key "
	    "below, then enter the 6 digits it shows."));
	serve_qr_img(b, uri);
	buf_printf(b, "<p>%s</p><code class=\"secret\" id=\"secret\">",
	    PL(lang, "密钥", "Key"));
	page_esc(b, secret);
	buf_puts(b, "</code>\n<form class=\"stack\" method=\"post\" "
	    "action=\"/my/account/totp\">");
	serve_csrf_field(q, b);
	buf_printf(b, "<label for=\"code\">%s</label>"
	    "<input id=\"code\" name=\"code\" inputmode=\"numeric\" "
	    "autocomplete=\"one-time-code\" required maxlength=\"6\" "
	    "pattern=\"[0-9]{6}\"><button type=\"submit\">%s</button>"
	    "</form>\n</section>\n", PL(lang, "6 位验证码", "6-digit code"),
	    PL(lang, "确认绑定", "Confirm"));
	OPENSSL_cleanse(secret, sizeof(secret));
	OPENSSL_cleanse(uri, sizeof(uri));
}

/* The account's latest sign-ins, from the audit log. */
static void
signins_card(struct sreq *q, struct buf *b)
{
	enum page_lang lang = q->lang;
	struct signin_row rows[8];
	char err[HS_ERRLEN];
	size_t i, n = 0;

	if (signins_recent(q->db, q->acct.name, 8, rows, &n, err) != HS_OK ||
	    n == 0)
		return;
	buf_printf(b, "<section class=\"card\" id=\"signins\"><h2>%s</h2>\n"
	    "<table><thead><tr><th>%s</th><th>%s</th><th>%s</th></tr></thead>"
	    "<tbody>\n", PL(lang, "最近登录", "Recent sign-ins"),
	    PL(lang, "时间（北京时间）", "Time (Beijing)"), PL(lang, "方式", "How"),
	    PL(lang, "地址", "Address"));
	for (i = 0; i < n; i++) {
		const char *how = strcmp(rows[i].action, "session.sso") == 0 ?
		    PL(lang, "省级平台", "provincial platform") :
		    strcmp(rows[i].action, "session.signin") == 0 ?
		    PL(lang, "密码", "password") : PL(lang, "失败",
		    "failed");

		char when[HS_TIME_SHOW_MAX];

		/* the audit row's UTC time as people read it (core/tz.h) */
		hs_time_show_str(rows[i].at, lang == PAGE_EN, when);
		buf_puts(b, "<tr><td>");
		page_esc(b, when);
		buf_puts(b, "</td><td>");
		page_esc(b, how);
		buf_puts(b, "</td><td>");
		page_esc(b, rows[i].client);
		buf_puts(b, "</td></tr>\n");
	}
	buf_puts(b, "</tbody></table></section>\n");
}

static void
account_page(struct sreq *q, int status, const char *pw_msg,
    const char *totp_msg, bool enrol)
{
	struct buf b;
	enum page_lang lang = q->lang;
	const char *done = http_query(q->r, "done");

	buf_init(&b);
	serve_page_begin(q, &b, PL(lang, "账户", "Account"));
	buf_printf(&b, "<h1>%s</h1>\n", PL(lang, "账户", "Account"));
	if (done != NULL && strcmp(done, "password") == 0)
		buf_printf(&b, "<p class=\"ok\" role=\"status\">%s</p>\n",
		    PL(lang, "密码已设置。其他设备上的登录已退出。",
		    "Password set. You are signed out everywhere else."));
	else if (done != NULL && strcmp(done, "totp") == 0)
		buf_printf(&b, "<p class=\"ok\" role=\"status\">%s</p>\n",
		    PL(lang, "动态验证码已绑定。", "Authenticator enrolled."));
	buf_printf(&b, "<section class=\"card\" id=\"password\"><h2>%s</h2>\n",
	    q->acct.has_password ? PL(lang, "修改密码", "Change password") :
	    PL(lang, "设置密码", "Set a password"));
	if (!q->acct.has_password)
		buf_printf(&b, "<p>%s</p>\n", PL(lang,
		    "您通过省级平台登录，尚未设置密码。设置后也可用身份证号和密码直接登录。",
		    "You came in through the provincial platform and have no "
		    "password yet. Set one to sign in here directly with your "
		    "ID number."));
	error_line(&b, pw_msg);
	buf_puts(&b, "<form class=\"stack\" method=\"post\" "
	    "action=\"/my/account/password\">");
	serve_csrf_field(q, &b);
	if (q->acct.has_password)
		buf_printf(&b, "<label for=\"old\">%s</label>"
		    "<input id=\"old\" name=\"old\" type=\"password\" "
		    "autocomplete=\"current-password\" required "
		    "maxlength=\"%d\">", PL(lang, "当前密码",
		    "Current password"), ACCT_PW_MAX_BYTES);
	buf_printf(&b, "<label for=\"password\">%s</label>"
	    "<input id=\"password\" name=\"password\" type=\"password\" "
	    "autocomplete=\"new-password\" required minlength=\"%d\" "
	    "maxlength=\"%d\">"
	    "<label for=\"again\">%s</label>"
	    "<input id=\"again\" name=\"again\" type=\"password\" "
	    "autocomplete=\"new-password\" required maxlength=\"%d\">"
	    "<p class=\"hint\">%s</p>"
	    "<button type=\"submit\">%s</button></form>\n</section>\n",
	    PL(lang, "新密码", "New password"), ACCT_PW_MIN,
	    ACCT_PW_MAX_BYTES, PL(lang, "再输入一次", "Repeat it"),
	    ACCT_PW_MAX_BYTES,
	    PL(lang, "至少 10 个字符，不得包含身份证号或其后六位。修改后，其他设备上的登录将退出。",
	    "At least 10 characters, not containing your ID number or its "
	    "last six characters. Other sessions are signed out."),
	    PL(lang, "保存密码", "Save password"));
	totp_card(q, &b, enrol, totp_msg);
	signins_card(q, &b);
	serve_page_end(q, &b, status);
}

void
serve_my_account(struct sreq *q)
{
	account_page(q, 200, NULL, NULL, false);
}

void
serve_my_password_post(struct sreq *q)
{
	const char *old = form_get(&q->form, "old");
	const char *pw = form_get(&q->form, "password");
	const char *again = form_get(&q->form, "again");
	const char *client = http_client(q->r);
	char err[HS_ERRLEN], msg[HS_ERRLEN + 64];
	struct account a;
	enum hs_err rc;

	if (serve_throttled(q, msg, sizeof(msg))) {
		account_page(q, 429, msg, NULL, false);
		return;
	}
	if (pw == NULL || again == NULL || pw[0] == '\0') {
		account_page(q, 400, PL(q->lang, "请填写新密码。",
		    "Enter the new password."), NULL, false);
		return;
	}
	if (strcmp(pw, again) != 0) {
		account_page(q, 400, PL(q->lang, "两次输入的密码不一致。",
		    "The two passwords differ."), NULL, false);
		return;
	}
	rc = accounts_password_change(q->db, q->acct.id, old, pw, client,
	    q->now, err);
	if (rc == HS_ERR_SIGNATURE) {
		serve_throttle_fail(client, q->now);
		account_page(q, 403, PL(q->lang, "当前密码不正确。",
		    "Wrong current password."), NULL, false);
		return;
	}
	if (rc == HS_ERR_INVALID) {
		snprintf(msg, sizeof(msg), "%s%s", PL(q->lang,
		    "密码不符合要求：", "Password: "), err);
		account_page(q, 400, msg, NULL, false);
		return;
	}
	if (rc == HS_ERR_STATE) {
		serve_throttle_fail(client, q->now);
		account_page(q, 429, err, NULL, false);
		return;
	}
	if (rc != HS_OK) {
		serve_error(q, serve_status(rc), err);
		return;
	}
	/* Every session ended, this one too: a fresh one for this
	 * browser. */
	if ((rc = accounts_get_id(q->db, q->acct.id, &a, err)) != HS_OK ||
	    (rc = serve_session_start(q, &a, err)) != HS_OK) {
		serve_error(q, serve_status(rc), err);
		return;
	}
	serve_redirect(q, "/my/account?done=password");
}

void
serve_my_totp_post(struct sreq *q)
{
	const char *code = form_get(&q->form, "code");
	struct actor who;
	char err[HS_ERRLEN];
	enum hs_err rc;

	if (q->acct.totp_enrolled) {
		serve_redirect(q, "/my/account");
		return;
	}
	if (code == NULL || code[0] == '\0') {
		/* "begin": a fresh secret and its QR code */
		account_page(q, 200, NULL, NULL, true);
		return;
	}
	serve_actor(q, &who);
	rc = accounts_totp_confirm(q->db, &who, q->acct.id, code, q->now,
	    err);
	if (rc != HS_OK) {
		account_page(q, 400, NULL, PL(q->lang,
		    "验证码不正确，请用新的二维码重新绑定。",
		    "Wrong code; enrol again with the new QR code."), true);
		return;
	}
	serve_redirect(q, "/my/account?done=totp");
}
