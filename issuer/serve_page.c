/*
 * serve_page.c - the console's page frame, style sheet and home page
 * (serve.h). The look is the verifier's (web/page.h's style sheet) plus
 * a few console rules; no inline style or script (the CSP forbids both).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve.h"

/* Console rules appended to the verifier's style sheet. */
static const char console_css[] =
".bar{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem}\n"
".bar .who{margin-left:auto;font-size:.9rem;opacity:.9}\n"
".bar form{display:inline;margin:0}\n"
".bar button{padding:.25rem .6rem;font-size:.85rem}\n"
"nav.console{max-width:46rem;margin:0 auto;padding:.5rem 1rem 0;"
"display:flex;flex-wrap:wrap;gap:.4rem .9rem;font-size:.95rem}\n"
"ul.actions{padding-left:1.1rem}ul.actions li{margin:.3rem 0}\n"
"form.stack label{display:block;margin:.6rem 0 .2rem;font-weight:600}\n"
"form.stack input,form.stack select{width:100%;max-width:24rem;"
"box-sizing:border-box;padding:.5rem;font-size:1rem}\n"
"form.stack button{margin-top:.8rem}\n"
".secret{word-break:break-all;font-family:monospace;background:#fff;"
"border:1px dashed var(--line);padding:.5rem;display:block}\n"
".uri{word-break:break-all}\n"
".qr{width:220px;height:220px;image-rendering:pixelated}\n"
".error{color:var(--bad);font-weight:600}\n"
".notice{color:var(--ok);font-weight:600}\n"
"table.list{border-collapse:collapse;width:100%;font-size:.9rem}\n"
"table.list th,table.list td{border-bottom:1px solid var(--line);"
"padding:.35rem .3rem;text-align:left;vertical-align:top}\n"
"table.list form{display:inline}\n"
"@media (max-width:40rem){table.list thead{display:none}"
"table.list,table.list tbody,table.list tr,table.list td{display:block;"
"width:100%}table.list tr{border:1px solid var(--line);border-radius:8px;"
"margin:0 0 .6rem;padding:.3rem .5rem}table.list td{border:0;"
"padding:.15rem 0}table.list td::before{content:attr(data-label) \"：\";"
"color:var(--mute);margin-right:.3rem}}\n";

static char *css;
static size_t css_len;
static pthread_once_t css_once = PTHREAD_ONCE_INIT;

static void
css_build(void)
{
	size_t a = page_css_len(), b = sizeof(console_css) - 1;
	size_t r = strlen(console_records_css), sh = strlen(share_css);
	char *c = malloc(a + b + r + sh);

	if (c == NULL)
		return;
	memcpy(c, page_css, a);
	memcpy(c + a, console_css, b);
	memcpy(c + a + b, console_records_css, r);
	memcpy(c + a + b + r, share_css, sh);
	css_len = a + b + r + sh;
	css = c;
}

/* GET /style.css: the verifier's sheet and the console's rules. */
void
serve_style(struct sreq *q)
{
	static const char *const h[] = { "Cache-Control",
	    "public, max-age=3600", NULL };

	pthread_once(&css_once, css_build);
	if (css == NULL) {
		serve_error(q, 503, "out of memory");
		return;
	}
	http_reply(q->r, 200, "text/css; charset=utf-8", css, css_len,
	    HTTP_MEM_STATIC, h);
}

void
serve_csrf_field(struct sreq *q, struct buf *b)
{
	char pre[ACCT_TOKEN_LEN + 1];

	buf_puts(b, "<input type=\"hidden\" name=\"csrf\" value=\"");
	if (q->signed_in) {
		page_esc(b, q->sess.csrf);
	} else {
		serve_pre_csrf(q, pre);
		page_esc(b, pre);
	}
	buf_puts(b, "\">");
}

/* The practitioner's frame: their name, sign-out, and the /my/ links. */
static void
my_page_begin(struct sreq *q, struct buf *b, const char *title)
{
	enum page_lang lang = q->lang;

	page_open(b, lang, title, "/my/", PL(lang, "继续教育学时 · 本人",
	    "Continuing-education hours · Mine"));
	if (q->signed_in) {
		buf_puts(b, "<span class=\"who\">");
		page_esc(b, q->acct.org);
		buf_puts(b, "</span><form method=\"post\" "
		    "action=\"/my/signout\">");
		serve_csrf_field(q, b);
		buf_printf(b, "<button type=\"submit\">%s</button></form>",
		    PL(lang, "退出", "Sign out"));
	}
	buf_puts(b, "</header>\n");
	if (q->signed_in)
		buf_printf(b, "<nav class=\"console\"><a href=\"/my/\">%s</a>"
		    "<a href=\"/my/certs\">%s</a><a href=\"/my/share\">%s</a>"
		    "<a href=\"/my/notices\">%s</a>"
		    "<a href=\"/my/account\">%s</a></nav>\n",
		    PL(lang, "我的学时", "My hours"),
		    PL(lang, "我的证书", "My certificates"),
		    PL(lang, "分享码", "Share codes"),
		    PL(lang, "消息", "Notices"),
		    PL(lang, "账户", "Account"));
	buf_puts(b, "<main>\n");
}

void
serve_page_begin(struct sreq *q, struct buf *b, const char *title)
{
	enum page_lang lang = q->lang;

	if (serve_in_my(q)) {
		my_page_begin(q, b, title);
		return;
	}
	page_open(b, lang, title, "/admin/", PL(lang, "继续教育学时 · 管理",
	    "Continuing-education hours · Console"));
	if (q->signed_in) {
		buf_puts(b, "<span class=\"who\">");
		page_esc(b, q->acct.name);
		buf_puts(b, " · ");
		page_esc(b, q->acct.org);
		buf_puts(b, "</span><form method=\"post\" "
		    "action=\"/admin/signout\">");
		serve_csrf_field(q, b);
		buf_printf(b, "<button type=\"submit\">%s</button></form>",
		    PL(lang, "退出", "Sign out"));
	}
	buf_puts(b, "</header>\n");
	if (q->signed_in && !(role_is_staff(q->acct.role) &&
	    !q->acct.totp_enrolled)) {
		buf_printf(b, "<nav class=\"console\"><a href=\"/admin/\">%s"
		    "</a>", PL(lang, "首页", "Home"));
		if (authz_allowed(q->p.role, AZ_RECORD_VIEW))
			buf_printf(b, "<a href=\"/admin/records\">%s</a>",
			    PL(lang, "学时记录", "Records"));
		if (authz_allowed(q->p.role, AZ_RECORD_SUBMIT))
			buf_printf(b, "<a href=\"/admin/records/upload\">%s</a>",
			    PL(lang, "上传记录", "Upload"));
		if (authz_allowed(q->p.role, AZ_CERT_VIEW))
			buf_printf(b, "<a href=\"/admin/certs\">%s</a>"
			    "<a href=\"/admin/staff\">%s</a>",
			    PL(lang, "证书", "Certificates"),
			    PL(lang, "人员学时", "Staff hours"));
		if (authz_allowed(q->p.role, AZ_ACTIVATION_MAKE))
			buf_printf(b, "<a href=\"/admin/activation\">%s</a>",
			    PL(lang, "激活函", "Activation letters"));
		if (authz_allowed(q->p.role, AZ_ACCOUNT_MANAGE))
			buf_printf(b, "<a href=\"/admin/accounts\">%s</a>",
			    PL(lang, "账户", "Accounts"));
		if (authz_allowed(q->p.role, AZ_TOKEN_MANAGE))
			buf_printf(b, "<a href=\"/admin/tokens\">%s</a>",
			    PL(lang, "接口令牌", "API tokens"));
		if (authz_allowed(q->p.role, AZ_AUDIT_VIEW))
			buf_printf(b, "<a href=\"/admin/audit\">%s</a>",
			    PL(lang, "审计日志", "Audit log"));
		buf_puts(b, "</nav>\n");
	}
	buf_puts(b, "<main>\n");
}

void
serve_page_end(struct sreq *q, struct buf *b, int status)
{
	const char *path = http_path(q->r);
	const char *h[14];
	size_t n = 0, i;

	buf_puts(b, "</main>\n<footer>\n<p class=\"lang\">");
	if (q->lang == PAGE_EN) {
		buf_puts(b, "<a href=\"");
		page_esc(b, path);
		buf_puts(b, "?lang=zh\" lang=\"zh-CN\">中文</a> · English");
	} else {
		buf_puts(b, "中文 · <a href=\"");
		page_esc(b, path);
		buf_puts(b, "?lang=en\" lang=\"en\">English</a>");
	}
	buf_puts(b, "</p>\n</footer>\n</body>\n</html>\n");
	if (b->oom) {
		buf_free(b);
		serve_error(q, 503, "out of memory");
		return;
	}
	/* Console pages hold personal data and secrets: never stored. */
	h[n++] = "Cache-Control";
	h[n++] = "no-store";
	for (i = 0; q->extra_headers != NULL && q->extra_headers[i] != NULL &&
	    n + 2 < 14; i += 2) {
		h[n++] = q->extra_headers[i];
		h[n++] = q->extra_headers[i + 1];
	}
	h[n] = NULL;
	http_reply(q->r, status, "text/html; charset=utf-8", b->data, b->len,
	    HTTP_MEM_FREE, h);
	buf_init(b);
}

/* GET /admin/: what this role may do, as links. */
void
serve_admin_home(struct sreq *q)
{
	struct buf b;
	size_t i;
	enum page_lang lang = q->lang;

	buf_init(&b);
	serve_page_begin(q, &b, PL(lang, "工作台", "Console"));
	buf_printf(&b, "<h1>%s</h1>\n<section class=\"card\"><p>",
	    PL(lang, "工作台", "Console"));
	page_esc(&b, q->acct.name);
	buf_puts(&b, " · ");
	page_esc(&b, role_name(q->acct.role));
	buf_puts(&b, " · ");
	{
		char sc[400];

		scope_format(q->acct.role, &q->acct.scope, sc, sizeof(sc));
		page_esc(&b, sc);
	}
	buf_printf(&b, "</p>\n<h2>%s</h2>\n<ul class=\"actions\">\n",
	    PL(lang, "您可以", "You may"));
	for (i = AZ_CONSOLE + 1; i < AZ_COUNT; i++) {
		const struct authz_rule *ru = authz_rule((enum authz_action)i);
		const char *link = NULL;

		if (!authz_allowed(q->p.role, (enum authz_action)i))
			continue;
		switch (ru->action) {
		case AZ_RECORD_VIEW: link = "/admin/records"; break;
		case AZ_ACCOUNT_MANAGE: link = "/admin/accounts"; break;
		case AZ_TOKEN_MANAGE: link = "/admin/tokens"; break;
		case AZ_AUDIT_VIEW: link = "/admin/audit"; break;
		case AZ_RECORD_SUBMIT: link = "/admin/records/upload"; break;
		case AZ_CERT_VIEW: case AZ_CERT_ISSUE: link = "/admin/certs";
			break;
		case AZ_ACTIVATION_MAKE: link = "/admin/activation"; break;
		default: break;
		}
		buf_puts(&b, "<li>");
		if (link != NULL)
			buf_printf(&b, "<a href=\"%s\">", link);
		page_esc(&b, PL(lang, ru->zh, ru->en));
		if (link != NULL)
			buf_puts(&b, "</a>");
		buf_puts(&b, "</li>\n");
	}
	buf_puts(&b, "</ul></section>\n");
	serve_page_end(q, &b, 200);
}
