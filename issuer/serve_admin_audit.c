/*
 * serve_admin_audit.c - the console's audit page (/admin/audit): the audit
 * log in the account's scope (hr, auditor: app/auditview.h), newest
 * first, 100 rows a page, paged by seq (?before=<seq>).
 *
 * Each row: when, who (account, role, organisation, client address), the
 * action in words and its dotted name, the object and the detail. Every
 * string is escaped; the log's own text (reasons) is shown as stored.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "app/auditview.h"
#include "core/util.h"
#include "web/page.h"
#include "serve.h"

#define AUDIT_PAGE 100

/* The actions in words (i13 common notes); an unknown one shows as is. */
static const struct {
	const char *action, *zh, *en;
} actions[] = {
	{ "record.submit", "提交记录", "record submitted" },
	{ "record.stamp", "验印", "stamped" },
	{ "record.reject", "退回", "rejected" },
	{ "record.withdraw", "撤回验印结果", "decision withdrawn" },
	{ "record.correct", "更正记录", "record corrected" },
	{ "cert.issue", "签发证书", "certificate issued" },
	{ "cert.revoke", "撤销证书", "certificate revoked" },
	{ "cert.supersede", "证书被替换", "certificate superseded" },
	{ "account.add", "创建账号", "account created" },
	{ "account.disable", "停用/启用账号", "account disabled/enabled" },
	{ "account.unlock", "解锁账号", "account unlocked" },
	{ "account.reset", "重置账号", "account reset" },
	{ "account.password", "设置密码", "password set" },
	{ "account.totp", "绑定动态口令", "TOTP enrolled" },
	{ "token.add", "创建接口令牌", "API token created" },
	{ "token.revoke", "吊销接口令牌", "API token revoked" },
	{ "session.signin", "登录", "signed in" },
	{ "session.signin_failed", "登录失败", "sign-in failed" },
	{ "session.locked", "账号锁定", "account locked" },
	{ "session.signout", "退出登录", "signed out" },
	{ "unit.region", "设置单位地区", "unit region set" },
};

static const char *
action_word(enum page_lang lang, const char *a)
{
	size_t i;

	for (i = 0; i < sizeof actions / sizeof actions[0]; i++)
		if (strcmp(actions[i].action, a) == 0)
			return PL(lang, actions[i].zh, actions[i].en);
	return NULL;
}

struct audit_ctx {
	struct buf *b;
	enum page_lang lang;
	int rows;
};

static void
cell(struct buf *b, const char *label, const char *cls)
{
	buf_printf(b, "<td data-label=\"%s\"%s%s%s>", label,
	    cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "");
}

static int
audit_row(void *vctx, const struct auditview_row *r)
{
	struct audit_ctx *c = vctx;
	struct buf *b = c->b;
	enum page_lang lang = c->lang;
	const char *w = action_word(lang, r->action);

	c->rows++;
	buf_puts(b, "<tr>");
	cell(b, PL(lang, "序号", "Seq"), "num");
	buf_printf(b, "%" PRId64 "</td>", r->seq);
	cell(b, PL(lang, "时间", "When"), "mono");
	page_time(b, lang, r->at);
	buf_puts(b, "</td>");
	cell(b, PL(lang, "操作人", "Who"), NULL);
	page_esc(b, r->actor);
	buf_puts(b, "<br><span class=\"hint\">");
	page_esc(b, r->role);
	if (r->org[0] != '\0') {
		buf_puts(b, " · ");
		page_esc(b, r->org);
	}
	if (r->client[0] != '\0') {
		buf_puts(b, " · ");
		page_esc(b, r->client);
	}
	buf_puts(b, "</span></td>");
	cell(b, PL(lang, "操作", "Action"), NULL);
	if (w != NULL) {
		page_esc(b, w);
		buf_puts(b, "<br>");
	}
	buf_puts(b, "<span class=\"hint mono\">");
	page_esc(b, r->action);
	buf_puts(b, "</span></td>");
	cell(b, PL(lang, "对象", "Object"), "mono");
	page_esc(b, r->object);
	buf_puts(b, "</td>");
	cell(b, PL(lang, "说明", "Detail"), NULL);
	page_esc(b, r->detail);
	buf_puts(b, "</td></tr>\n");
	return 0;
}

/* A positive decimal of at most 18 digits, or 0. */
static int64_t
parse_seq(const char *s)
{
	int64_t v = 0;
	size_t i;

	if (s == NULL || s[0] == '\0' || s[0] == '0' || strlen(s) > 18)
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* GET /admin/audit: the audit log in scope, newest first (?before=). */
void
serve_audit_list(struct sreq *q)
{
	enum page_lang lang = q->lang;
	const char *v = http_query(q->r, "before");
	struct audit_ctx ac;
	struct buf page, *b = &page;
	char err[HS_ERRLEN] = "";
	int64_t before = 0, next = 0;
	enum hs_err rc;

	if (v != NULL && v[0] != '\0' && (before = parse_seq(v)) == 0) {
		serve_error(q, 400, "before: must be an audit row number");
		return;
	}
	buf_init(&page);
	serve_page_begin(q, b, PL(lang, "审计日志", "Audit log"));
	buf_printf(b, "<h1>%s</h1>\n<p class=\"hint\">%s</p>\n",
	    PL(lang, "审计日志", "Audit log"),
	    PL(lang, "每一次状态变更和登录都记录在此，逐行哈希链接，链头随每个"
	    "检查点写入公开账本（hourseal-issuer audit 可核对）。",
	    "Every state change and sign-in, each row hashing the one before; "
	    "the head goes into the public ledger with every checkpoint "
	    "(hourseal-issuer audit checks it)."));
	buf_printf(b, "<div class=\"tablewrap\"><table class=\"records "
	    "audit\">\n<thead><tr><th>%s</th><th>%s</th><th>%s</th>"
	    "<th>%s</th><th>%s</th><th>%s</th></tr></thead>\n<tbody>\n",
	    PL(lang, "序号", "Seq"), PL(lang, "时间", "When"),
	    PL(lang, "操作人", "Who"), PL(lang, "操作", "Action"),
	    PL(lang, "对象", "Object"), PL(lang, "说明", "Detail"));
	ac.b = b;
	ac.lang = lang;
	ac.rows = 0;
	if ((rc = auditview_page(q->db, &q->p, before, AUDIT_PAGE, audit_row,
	    &ac, &next, err)) != HS_OK) {
		buf_free(&page);
		/* A role that may not read the log never gets here (the
		 * route's authorization); HS_ERR_STATE would mean a scope
		 * missing from the account: as good as nothing to see. */
		serve_error(q, rc == HS_ERR_STATE ? 404 : serve_status(rc),
		    err);
		return;
	}
	buf_puts(b, "</tbody></table></div>\n");
	if (ac.rows == 0)
		buf_printf(b, "<p class=\"hint\">%s</p>\n", PL(lang,
		    "此范围内没有更多记录。", "No more rows in this scope."));
	buf_puts(b, "<p class=\"pager\">");
	if (before > 0)
		buf_printf(b, "<a href=\"/admin/audit\">%s</a> ",
		    PL(lang, "最新", "Newest"));
	if (next > 0)
		buf_printf(b, "<a rel=\"next\" href=\"/admin/audit?before=%"
		    PRId64 "\">%s</a>", next, PL(lang, "更早 →", "Older →"));
	buf_puts(b, "</p>\n");
	serve_page_end(q, b, 200);
}
