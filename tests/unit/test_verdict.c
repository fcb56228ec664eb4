/*
 * test_verdict.c - issue 15's headline and its batch store: the words and
 * names of every headline, the shortfall per category, revoked and
 * superseded, the upload outcomes (an edited file never under the
 * ledger's "有效"), spreadsheet cells made safe, and the result store's
 * token, expiry and bound.
 */
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "results.h"
#include "t.h"
#include "verdict.h"

static struct cert
annual(long pub, long prof, bool met)
{
	struct cert c;

	memset(&c, 0, sizeof(c));
	c.kind = CERT_ANNUAL;
	c.public10 = pub;
	c.professional10 = prof;
	c.total10 = pub + prof;
	c.req_public10 = 300;
	c.req_professional10 = 600;
	c.req_total10 = 900;
	c.met = met;
	return c;
}

static const char *
text(const struct verdict *v, enum page_lang lang)
{
	static char b[256];

	verdict_text(v, lang, b, sizeof(b));
	return b;
}

int
main(void)
{
	struct verdict v;
	struct cert c;
	struct vdb_upload_result u;
	char out[64], err[HS_ERRLEN];
	struct results *rs = NULL;
	struct render_row rows[3];
	struct render_batch bt, *got;
	char tok1[40];
	int i;

	c = annual(300, 600, true);
	verdict_make(&v, VDB_VALID, &c, NULL, NULL);
	T_OK(v.kind == VERDICT_VALID_MET && strcmp(text(&v, PAGE_ZH),
	    "有效·达标") == 0 && strcmp(verdict_name(v.kind), "valid_met") ==
	    0 && strcmp(verdict_class(v.kind), "valid") == 0,
	    "met: 有效·达标, valid_met, green");
	c = annual(210, 490, false);
	verdict_make(&v, VDB_VALID, &c, NULL, NULL);
	T_OK(v.kind == VERDICT_VALID_UNMET && strcmp(text(&v, PAGE_ZH),
	    "有效·未达标（尚缺 公需 9、专业 11 学时）") == 0 &&
	    strcmp(verdict_class(v.kind), "warn") == 0 &&
	    !verdict_green(v.kind), "unmet: the shortfall per category, amber: %s",
	    text(&v, PAGE_ZH));
	T_OK(strcmp(text(&v, PAGE_EN), "Valid · not met (short: public 9, "
	    "professional 11 hours)") == 0, "in English: %s",
	    text(&v, PAGE_EN));
	c = annual(400, 450, false);
	verdict_make(&v, VDB_VALID, &c, NULL, NULL);
	T_OK(strcmp(text(&v, PAGE_ZH), "有效·未达标（尚缺 专业 15 学时）") == 0,
	    "public over, professional short: only 专业 (%s)",
	    text(&v, PAGE_ZH));
	c = annual(300, 600, false);
	c.req_total10 = 950;
	verdict_make(&v, VDB_VALID, &c, NULL, NULL);
	T_OK(strcmp(text(&v, PAGE_ZH), "有效·未达标（尚缺 合计 5 学时）") == 0,
	    "only the total short: 合计 (%s)", text(&v, PAGE_ZH));
	c = annual(300, 600, true);
	c.kind = CERT_COURSE;
	verdict_make(&v, VDB_VALID, &c, NULL, NULL);
	T_OK(v.kind == VERDICT_VALID_COURSE, "a course certificate");

	verdict_make(&v, VDB_REVOKED, &c, "error", "");
	T_OK(v.kind == VERDICT_REVOKED && strcmp(text(&v, PAGE_ZH),
	    "已撤销（信息有误）") == 0 && strcmp(verdict_class(v.kind),
	    "revoked") == 0, "revoked for error: 已撤销（信息有误）");
	verdict_make(&v, VDB_REVOKED, &c, "fraud", NULL);
	T_OK(strcmp(text(&v, PAGE_ZH), "已撤销（存在舞弊）") == 0,
	    "revoked for fraud");
	verdict_make(&v, VDB_REVOKED, &c, "superseded",
	    "2024-AAAA-BBBB-CCCC-DDDD");
	T_OK(v.kind == VERDICT_SUPERSEDED && strcmp(text(&v, PAGE_ZH),
	    "已被替换 → 2024-AAAA-BBBB-CCCC-DDDD") == 0,
	    "superseded: → the replacement");
	verdict_make(&v, VDB_NOTFOUND, NULL, NULL, NULL);
	T_OK(strcmp(text(&v, PAGE_ZH), "未找到") == 0 &&
	    strcmp(verdict_class(v.kind), "grey") == 0, "not found: grey");
	verdict_make(&v, VDB_BADSIG, NULL, NULL, NULL);
	T_OK(strcmp(text(&v, PAGE_ZH), "签名无效") == 0 &&
	    strcmp(verdict_name(v.kind), "bad_signature") == 0,
	    "bad signature");
	verdict_unavailable(&v);
	T_OK(strcmp(text(&v, PAGE_ZH), "暂时无法核验") == 0 &&
	    strcmp(verdict_name(v.kind), "unavailable") == 0, "unavailable");

	/* Uploads. */
	memset(&u, 0, sizeof(u));
	u.cert.status = VDB_VALID;
	u.cert.have_cert = true;
	u.cert.cert = annual(300, 600, true);
	u.outcome = VDB_UP_EDITED;
	snprintf(u.differs, sizeof(u.differs), "页面显示 专业 91，签名内容为 61");
	verdict_of_upload(&v, &u);
	T_OK(v.kind == VERDICT_EDITED && v.ledger == VERDICT_VALID_MET &&
	    !verdict_green(v.kind) && strstr(text(&v, PAGE_ZH), "有效") ==
	    NULL && strcmp(v.differs, u.differs) == 0,
	    "edited: not under 有效, says what differs");
	u.outcome = VDB_UP_RESAVED;
	verdict_of_upload(&v, &u);
	T_OK(v.kind == VERDICT_VALID_MET && strcmp(verdict_file_note(&v,
	    PAGE_ZH), "内容一致，文件已被改存") == 0,
	    "re-saved: the ledger's headline, 内容一致，文件已被改存");
	u.outcome = VDB_UP_COPY;
	verdict_of_upload(&v, &u);
	T_OK(v.kind == VERDICT_VALID_MET && strcmp(verdict_file_note(&v,
	    PAGE_ZH), "副本（扫描件/照片）：以账本为准") == 0,
	    "copy: the ledger's headline, 副本（扫描件/照片）：以账本为准");
	u.outcome = VDB_UP_MODIFIED;
	verdict_of_upload(&v, &u);
	T_OK(v.kind == VERDICT_MODIFIED && !verdict_green(v.kind),
	    "modified: not green");
	u.outcome = VDB_UP_NOT_CERT;
	u.cert.have_cert = false;
	u.cert.status = VDB_NOTFOUND;
	verdict_of_upload(&v, &u);
	T_OK(strcmp(verdict_name(v.kind), "not_a_certificate") == 0,
	    "not a certificate");

	/* Spreadsheet cells. */
	render_cell_safe("=1+1", out, sizeof(out));
	T_OK(strcmp(out, "'=1+1") == 0, "= gets a quote");
	render_cell_safe("+1", out, sizeof(out));
	T_OK(strcmp(out, "'+1") == 0, "+ gets a quote");
	render_cell_safe("-1", out, sizeof(out));
	T_OK(strcmp(out, "'-1") == 0, "- gets a quote");
	render_cell_safe("@x", out, sizeof(out));
	T_OK(strcmp(out, "'@x") == 0, "@ gets a quote");
	render_cell_safe("\tx", out, sizeof(out));
	T_OK(strcmp(out, "'\tx") == 0, "TAB gets a quote");
	render_cell_safe("\rx", out, sizeof(out));
	T_OK(strcmp(out, "'\rx") == 0, "CR gets a quote");
	render_cell_safe("2024-AAAA", out, sizeof(out));
	T_OK(strcmp(out, "2024-AAAA") == 0, "anything else as it is");

	/* The result store. */
	T_OK(results_new(&rs, err) == HS_OK, "a store");
	memset(rows, 0, sizeof(rows));
	snprintf(rows[0].item, sizeof(rows[0].item), "first");
	memset(&bt, 0, sizeof(bt));
	bt.rows = rows;
	bt.n = 3;
	T_OK(results_put(rs, &bt, 1000, err) == HS_OK &&
	    strlen(bt.token) == RESULTS_TOKEN_LEN, "kept, token %s", bt.token);
	snprintf(tok1, sizeof(tok1), "%s", bt.token);
	got = results_get(rs, tok1, 1000 + RESULTS_TTL - 1);
	T_OK(got != NULL && got->n == 3 && strcmp(got->rows[0].item, "first")
	    == 0 && got->rows != rows, "found, a copy, until it expires");
	results_release(got);
	T_OK(results_get(rs, tok1, 1000 + RESULTS_TTL) == NULL,
	    "gone after RESULTS_TTL seconds");
	T_OK(results_put(rs, &bt, 5000, err) == HS_OK &&
	    strcmp(bt.token, tok1) != 0, "a new answer, a new token");
	snprintf(tok1, sizeof(tok1), "%s", bt.token);
	T_OK(results_get(rs, tok1, 4999) == NULL, "a clock that went back "
	    "drops it");
	T_OK(results_put(rs, &bt, 6000, err) == HS_OK, "kept again");
	snprintf(tok1, sizeof(tok1), "%s", bt.token);
	tok1[0] = tok1[0] == 'a' ? 'b' : 'a';
	T_OK(results_get(rs, tok1, 6000) == NULL, "one digit off: none");
	T_OK(results_get(rs, "", 6000) == NULL &&
	    results_get(rs, "../../etc/passwd", 6000) == NULL &&
	    results_get(rs, NULL, 6000) == NULL, "not a token: none");
	tok1[0] = tok1[0] == 'a' ? 'b' : 'a';
	for (i = 0; i < RESULTS_SLOTS; i++)
		results_put(rs, &bt, 6001 + i, err);
	T_OK(results_get(rs, tok1, 6100) == NULL, "%d newer answers push "
	    "the oldest out", RESULTS_SLOTS);
	got = results_get(rs, bt.token, 6100);
	T_OK(got != NULL, "the newest is kept");
	results_release(got);
	results_free(rs);
	return t_done();
}
