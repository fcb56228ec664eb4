/*
 * serve_admin_accounts.c - account and API-token management pages: the
 * same store/accounts.h calls as `hourseal-issuer user|token`, with the
 * signed-in account as the creator (accounts_can_create decides what is
 * at or below it) and as the audit actor. Only accounts and tokens the
 * account could have created are listed; acting on another answers 404.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core/tz.h"
#include "serve.h"

static const enum role staff_roles[] = {
	ROLE_HR, ROLE_INDUSTRY, ROLE_PROVIDER, ROLE_EMPLOYER, ROLE_AUDITOR,
	ROLE_PRACTITIONER,
};
static const enum role token_roles[] = {
	ROLE_PROVIDER, ROLE_TITLE_SYSTEM, ROLE_HR,
};

static void
role_select(struct buf *b, const enum role *roles, size_t n)
{
	size_t i;

	buf_puts(b, "<select id=\"role\" name=\"role\">");
	for (i = 0; i < n; i++)
		buf_printf(b, "<option>%s</option>", role_name(roles[i]));
	buf_puts(b, "</select>");
}

static void
say(struct buf *b, const char *cls, const char *msg)
{
	if (msg == NULL)
		return;
	buf_printf(b, "<p class=\"%s\" role=\"status\">", cls);
	page_esc(b, msg);
	buf_puts(b, "</p>\n");
}

/*
 * Starts b as a management page: the title, err and ok (each when not
 * NULL), then secret (when not NULL) in a card of its own under hint, the
 * one time it is shown; id names its element.
 */
static void
page_top(struct sreq *q, struct buf *b, const char *title, const char *err,
    const char *ok, const char *hint, const char *id, const char *secret)
{
	buf_init(b);
	serve_page_begin(q, b, title);
	buf_printf(b, "<h1>%s</h1>\n", title);
	say(b, "error", err);
	say(b, "notice", ok);
	if (secret != NULL) {
		buf_printf(b, "<section class=\"card\"><p>%s</p>"
		    "<code class=\"secret\" id=\"%s\">", hint, id);
		page_esc(b, secret);
		buf_puts(b, "</code></section>\n");
	}
}

/*
 * Ends the list's table and card, saying e2 when listing failed (rc) or
 * empty when it listed nothing (n), and opens the add form's card: the
 * heading and a form posting to action, with the CSRF field.
 */
static void
list_end(struct sreq *q, struct buf *b, enum hs_err rc, const char *e2,
    size_t n, const char *empty, const char *heading, const char *action)
{
	buf_puts(b, "</tbody></table>");
	if (rc != HS_OK)
		say(b, "error", e2);
	else if (n == 0)
		buf_printf(b, "<p>%s</p>", empty);
	buf_printf(b, "</section>\n<section class=\"card\"><h2>%s</h2>"
	    "<form class=\"stack\" method=\"post\" action=\"%s\">", heading,
	    action);
	serve_csrf_field(q, b);
}

/* ---- accounts ---- */

struct list_ctx {
	struct sreq *q;
	struct buf *b;
	size_t n;
};

static void
act_button(struct sreq *q, struct buf *b, const char *name, const char *act,
    const char *label)
{
	buf_puts(b, "<form method=\"post\" action=\"/admin/accounts/act\">");
	serve_csrf_field(q, b);
	buf_puts(b, "<input type=\"hidden\" name=\"name\" value=\"");
	page_esc(b, name);
	buf_printf(b, "\"><input type=\"hidden\" name=\"do\" value=\"%s\">"
	    "<button type=\"submit\">%s</button></form> ", act, label);
}

static int
list_account(void *ctx, const struct account *a)
{
	struct list_ctx *c = ctx;
	struct sreq *q = c->q;
	struct buf *b = c->b;
	enum page_lang lang = q->lang;
	char err[HS_ERRLEN], sc[600];

	if (accounts_can_create(q->db, &q->acct, a->role, &a->scope, err) !=
	    HS_OK || strcmp(a->name, q->acct.name) == 0)
		return 0;
	c->n++;
	scope_format(a->role, &a->scope, sc, sizeof(sc));
	buf_printf(b, "<tr><td data-label=\"%s\">", PL(lang, "账户", "Account"));
	page_esc(b, a->name);
	buf_printf(b, "</td><td data-label=\"%s\">%s</td><td data-label=\"%s\">",
	    PL(lang, "角色", "Role"), role_name(a->role),
	    PL(lang, "范围", "Scope"));
	page_esc(b, sc);
	buf_printf(b, "</td><td data-label=\"%s\">", PL(lang, "单位", "Org"));
	page_esc(b, a->org);
	buf_printf(b, "</td><td data-label=\"%s\">%s%s%s%s",
	    PL(lang, "状态", "State"),
	    a->disabled ? PL(lang, "已停用 ", "disabled ") : "",
	    a->locked ? PL(lang, "已锁定 ", "locked ") : "",
	    !a->has_password ? PL(lang, "待设置密码 ", "invited ") : "",
	    a->totp_enrolled ? PL(lang, "已绑定验证码", "TOTP") : "");
	buf_printf(b, "</td><td data-label=\"%s\">", PL(lang, "操作", "Actions"));
	if (a->disabled)
		act_button(q, b, a->name, "enable", PL(lang, "启用", "Enable"));
	else
		act_button(q, b, a->name, "disable", PL(lang, "停用",
		    "Disable"));
	if (a->locked || a->failures > 0)
		act_button(q, b, a->name, "unlock", PL(lang, "解锁", "Unlock"));
	act_button(q, b, a->name, "reset", PL(lang, "重置", "Reset"));
	buf_puts(b, "</td></tr>\n");
	return 0;
}

static void
accounts_page(struct sreq *q, int status, const char *err, const char *ok,
    const char *invite_url)
{
	struct buf b;
	enum page_lang lang = q->lang;
	struct list_ctx c = { q, &b, 0 };
	char e2[HS_ERRLEN];
	enum hs_err rc;

	page_top(q, &b, PL(lang, "账户管理", "Accounts"), err, ok, PL(lang,
	    "邀请链接（只显示这一次，72 小时内有效；请通过可靠渠道交给本人）：",
	    "Invitation link (shown only now, valid 72 hours; hand it "
	    "to the person through a trusted channel):"), "invite", invite_url);
	buf_printf(&b, "<section class=\"card\"><table class=\"list\">"
	    "<thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
	    "<th>%s</th><th></th></tr></thead><tbody>\n",
	    PL(lang, "账户", "Account"), PL(lang, "角色", "Role"),
	    PL(lang, "范围", "Scope"), PL(lang, "单位", "Org"),
	    PL(lang, "状态", "State"));
	rc = accounts_list(q->db, list_account, &c, e2);
	list_end(q, &b, rc, e2, c.n, PL(lang, "范围内还没有其他账户。",
	    "No other accounts in your scope yet."), PL(lang, "新建账户",
	    "Add an account"), "/admin/accounts");
	buf_printf(&b, "<label for=\"name\">%s</label><input id=\"name\" "
	    "name=\"name\" required maxlength=\"64\"><label for=\"role\">%s"
	    "</label>", PL(lang, "账户名", "Account name"),
	    PL(lang, "角色", "Role"));
	role_select(&b, staff_roles, sizeof(staff_roles) /
	    sizeof(staff_roles[0]));
	buf_printf(&b, "<label for=\"scope\">%s</label><input id=\"scope\" "
	    "name=\"scope\" required maxlength=\"300\"><p class=\"hint\">%s"
	    "</p><label for=\"org\">%s</label><input id=\"org\" name=\"org\" "
	    "required maxlength=\"100\"><button type=\"submit\">%s</button>"
	    "</form></section>\n", PL(lang, "范围", "Scope"), PL(lang,
	    "hr/auditor：地区代码（如 3502）；industry：地区/领域（如 3502/卫生）；"
	    "provider：机构名称；employer：单位名称；practitioner：身份证号。",
	    "hr/auditor: a region code (3502); industry: REGION/DOMAIN "
	    "(3502/卫生); provider: its name; employer: the unit's name; "
	    "practitioner: the ID number."), PL(lang, "所属单位", "Organisation"),
	    PL(lang, "创建并生成邀请链接", "Create and make an invitation"));
	serve_page_end(q, &b, status);
}

void
serve_accounts_list(struct sreq *q)
{
	accounts_page(q, 200, NULL, NULL, NULL);
}

static void
invite_url(struct sreq *q, const char *token, char *out, size_t cap)
{
	const struct serve_opts *o = serve_opts(q->sv);

	snprintf(out, cap, "%s/admin/invite/%s", o->admin_url, token);
}

void
serve_accounts_add(struct sreq *q)
{
	const char *name = form_get(&q->form, "name");
	const char *rs = form_get(&q->form, "role");
	const char *ss = form_get(&q->form, "scope");
	const char *org = form_get(&q->form, "org");
	struct scope sc;
	struct actor who;
	enum role role;
	char err[HS_ERRLEN], token[ACCT_TOKEN_LEN + 1], url[1024];
	enum hs_err rc;

	if (name == NULL || rs == NULL || ss == NULL || org == NULL) {
		accounts_page(q, 400, "name, role, scope and org are "
		    "required", NULL, NULL);
		return;
	}
	memset(&sc, 0, sizeof(sc));
	if ((rc = role_parse(rs, &role, err)) != HS_OK ||
	    (rc = scope_parse(role, ss, &sc, err)) != HS_OK) {
		accounts_page(q, 400, err, NULL, NULL);
		return;
	}
	serve_actor(q, &who);
	rc = accounts_add(q->db, &who, &q->acct, name, role, &sc, org, q->now,
	    token, err);
	OPENSSL_cleanse(sc.id_number, sizeof(sc.id_number));
	if (rc != HS_OK) {
		accounts_page(q, serve_status(rc), err, NULL, NULL);
		return;
	}
	invite_url(q, token, url, sizeof(url));
	OPENSSL_cleanse(token, sizeof(token));
	accounts_page(q, 200, NULL, PL(q->lang, "账户已创建。",
	    "Account created."), url);
	OPENSSL_cleanse(url, sizeof(url));
}

void
serve_accounts_act(struct sreq *q)
{
	const char *name = form_get(&q->form, "name");
	const char *act = form_get(&q->form, "do");
	struct account a;
	struct actor who;
	char err[HS_ERRLEN], token[ACCT_TOKEN_LEN + 1], url[1024];
	enum hs_err rc;

	if (name == NULL || act == NULL) {
		accounts_page(q, 400, "name and do are required", NULL, NULL);
		return;
	}
	/* Out of scope answers as a missing account. */
	if (accounts_get(q->db, name, &a, err) != HS_OK ||
	    accounts_can_create(q->db, &q->acct, a.role, &a.scope, err) !=
	    HS_OK || a.id == q->acct.id) {
		accounts_page(q, 404, PL(q->lang, "没有这个账户。",
		    "No such account."), NULL, NULL);
		return;
	}
	serve_actor(q, &who);
	if (strcmp(act, "disable") == 0 || strcmp(act, "enable") == 0)
		rc = accounts_set_disabled(q->db, &who, &q->acct, name,
		    act[0] == 'd', q->now, err);
	else if (strcmp(act, "unlock") == 0)
		rc = accounts_unlock(q->db, &who, &q->acct, name, q->now, err);
	else if (strcmp(act, "reset") == 0) {
		rc = accounts_reset(q->db, &who, &q->acct, name, q->now, token,
		    err);
		if (rc == HS_OK) {
			invite_url(q, token, url, sizeof(url));
			OPENSSL_cleanse(token, sizeof(token));
			accounts_page(q, 200, NULL, PL(q->lang,
			    "账户已重置，原密码和会话已失效。",
			    "Account reset; its password and sessions ended."),
			    url);
			OPENSSL_cleanse(url, sizeof(url));
			return;
		}
	} else {
		accounts_page(q, 400, "do: expected disable, enable, unlock or "
		    "reset", NULL, NULL);
		return;
	}
	if (rc != HS_OK) {
		accounts_page(q, serve_status(rc), err, NULL, NULL);
		return;
	}
	accounts_page(q, 200, NULL, PL(q->lang, "已完成。", "Done."), NULL);
}

/* ---- API tokens ---- */

static int
list_token(void *ctx, const struct api_token *t)
{
	struct list_ctx *c = ctx;
	struct sreq *q = c->q;
	struct buf *b = c->b;
	enum page_lang lang = q->lang;
	char err[HS_ERRLEN], sc[600], created[HS_TIME_SHOW_MAX];
	char expires[HS_TIME_SHOW_MAX], used[HS_TIME_SHOW_MAX];

	if (accounts_can_create(q->db, &q->acct, t->role, &t->scope, err) !=
	    HS_OK)
		return 0;
	c->n++;
	scope_format(t->role, &t->scope, sc, sizeof(sc));
	hs_time_show((time_t)t->created, lang == PAGE_EN, created);
	hs_time_show((time_t)t->expires, lang == PAGE_EN, expires);
	if (t->last_used)
		hs_time_show((time_t)t->last_used, lang == PAGE_EN, used);
	else
		snprintf(used, sizeof(used), "-");
	buf_printf(b, "<tr><td data-label=\"%s\">", PL(lang, "标签", "Label"));
	page_esc(b, t->label);
	buf_printf(b, "</td><td data-label=\"%s\">%s</td><td data-label=\"%s\">",
	    PL(lang, "角色", "Role"), role_name(t->role),
	    PL(lang, "范围", "Scope"));
	page_esc(b, sc);
	buf_printf(b, "</td><td data-label=\"%s\">%s</td><td data-label=\"%s\">"
	    "%s</td><td data-label=\"%s\">%s</td>",
	    PL(lang, "创建", "Created"), created, PL(lang, "到期", "Expires"),
	    expires, PL(lang, "最近使用", "Last used"), used);
	buf_printf(b, "<td data-label=\"%s\">", PL(lang, "操作", "Actions"));
	if (t->revoked) {
		buf_puts(b, PL(lang, "已吊销", "revoked"));
	} else {
		buf_puts(b, "<form method=\"post\" "
		    "action=\"/admin/tokens/revoke\">");
		serve_csrf_field(q, b);
		buf_puts(b, "<input type=\"hidden\" name=\"label\" value=\"");
		page_esc(b, t->label);
		buf_printf(b, "\"><button type=\"submit\">%s</button></form>",
		    PL(lang, "吊销", "Revoke"));
	}
	buf_puts(b, "</td></tr>\n");
	return 0;
}

static void
tokens_page(struct sreq *q, int status, const char *err, const char *ok,
    const char *token)
{
	struct buf b;
	enum page_lang lang = q->lang;
	struct list_ctx c = { q, &b, 0 };
	char e2[HS_ERRLEN];
	enum hs_err rc;

	page_top(q, &b, PL(lang, "接口令牌", "API tokens"), err, ok, PL(lang,
	    "令牌（只显示这一次，请妥善保存）：",
	    "The token (shown only now; keep it safe):"), "token", token);
	buf_printf(&b, "<section class=\"card\"><table class=\"list\">"
	    "<thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
	    "<th>%s</th><th>%s</th><th></th></tr></thead><tbody>\n",
	    PL(lang, "标签", "Label"), PL(lang, "角色", "Role"),
	    PL(lang, "范围", "Scope"), PL(lang, "创建", "Created"),
	    PL(lang, "到期", "Expires"), PL(lang, "最近使用", "Last used"));
	rc = tokens_list(q->db, list_token, &c, e2);
	list_end(q, &b, rc, e2, c.n, PL(lang, "范围内还没有令牌。",
	    "No tokens in your scope yet."), PL(lang, "新建令牌",
	    "Add a token"), "/admin/tokens");
	buf_printf(&b, "<label for=\"label\">%s</label><input id=\"label\" "
	    "name=\"label\" required maxlength=\"64\"><label for=\"role\">%s"
	    "</label>", PL(lang, "标签", "Label"), PL(lang, "角色", "Role"));
	role_select(&b, token_roles, sizeof(token_roles) /
	    sizeof(token_roles[0]));
	buf_printf(&b, "<label for=\"scope\">%s</label><input id=\"scope\" "
	    "name=\"scope\" required maxlength=\"300\"><label for=\"org\">%s"
	    "</label><input id=\"org\" name=\"org\" maxlength=\"100\">"
	    "<label for=\"days\">%s</label><input id=\"days\" name=\"days\" "
	    "inputmode=\"numeric\" value=\"%d\" maxlength=\"4\">"
	    "<button type=\"submit\">%s</button></form></section>\n",
	    PL(lang, "范围", "Scope"), PL(lang, "所属单位", "Organisation"),
	    PL(lang, "有效天数", "Valid days"), TOKEN_DAYS_DEFAULT,
	    PL(lang, "生成令牌", "Make the token"));
	serve_page_end(q, &b, status);
}

void
serve_tokens_list(struct sreq *q)
{
	tokens_page(q, 200, NULL, NULL, NULL);
}

void
serve_tokens_add(struct sreq *q)
{
	const char *label = form_get(&q->form, "label");
	const char *rs = form_get(&q->form, "role");
	const char *ss = form_get(&q->form, "scope");
	const char *org = form_get(&q->form, "org");
	const char *ds = form_get(&q->form, "days");
	struct scope sc;
	struct actor who;
	enum role role;
	char err[HS_ERRLEN], token[ACCT_API_TOKEN_LEN + 1], *end;
	long days = TOKEN_DAYS_DEFAULT;
	enum hs_err rc;

	if (label == NULL || rs == NULL || ss == NULL) {
		tokens_page(q, 400, "label, role and scope are required", NULL,
		    NULL);
		return;
	}
	if (ds != NULL && ds[0] != '\0') {
		days = strtol(ds, &end, 10);
		if (*end != '\0' || days < 1 || days > TOKEN_DAYS_MAX) {
			tokens_page(q, 400, "days: expected a number from 1 "
			    "to 3650", NULL, NULL);
			return;
		}
	}
	memset(&sc, 0, sizeof(sc));
	if ((rc = role_parse(rs, &role, err)) != HS_OK ||
	    (rc = scope_parse(role, ss, &sc, err)) != HS_OK) {
		tokens_page(q, 400, err, NULL, NULL);
		return;
	}
	serve_actor(q, &who);
	rc = tokens_add(q->db, &who, &q->acct, role, &sc, org ? org : "",
	    label, (int)days, q->now, token, err);
	if (rc != HS_OK) {
		tokens_page(q, serve_status(rc), err, NULL, NULL);
		return;
	}
	tokens_page(q, 200, NULL, PL(q->lang, "令牌已生成。", "Token made."),
	    token);
	OPENSSL_cleanse(token, sizeof(token));
}

void
serve_tokens_revoke(struct sreq *q)
{
	const char *label = form_get(&q->form, "label");
	struct actor who;
	char err[HS_ERRLEN];
	enum hs_err rc;

	if (label == NULL) {
		tokens_page(q, 400, "label is required", NULL, NULL);
		return;
	}
	serve_actor(q, &who);
	rc = tokens_revoke(q->db, &who, &q->acct, label, q->now, err);
	if (rc != HS_OK) {
		/* Not found or out of scope: the same answer. */
		tokens_page(q, rc == HS_ERR_STATE ? 404 : serve_status(rc),
		    rc == HS_ERR_STATE ? PL(q->lang, "没有这个令牌。",
		    "No such token.") : err, NULL, NULL);
		return;
	}
	tokens_page(q, 200, NULL, PL(q->lang, "令牌已吊销。", "Token revoked."),
	    NULL);
}
