/*
 * render.c - pages, JSON and CSV for verification results (render.h).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "render.h"
#include "core/tz.h"

/*
 * The one place times are worded for people (render.h): in the zone the
 * service was given (core/tz.h, serve --tz, default Asia/Shanghai).
 */
void
render_time(const char *rfc3339, bool en, char *out)
{
	hs_time_show_str(rfc3339 != NULL ? rfc3339 : "", en, out);
}

void
render_rfc3339(time_t t, char out[21])
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 21, "1970-01-01T00:00:00Z");
}

/* A JSON string of s; invalid UTF-8 bytes become U+FFFD (jansson
 * refuses invalid UTF-8, and error texts can quote input). */
static json_t *
jstr(const char *s)
{
	struct buf b;
	size_t i = 0, n = strlen(s), k;
	uint32_t cp;
	json_t *j;

	if (utf8_valid(s, n))
		return json_string(s);
	buf_init(&b);
	while (i < n) {
		k = utf8_next(s + i, n - i, &cp);
		if (k == 0) {
			buf_puts(&b, "\xef\xbf\xbd");
			i++;
		} else {
			buf_add(&b, s + i, k);
			i += k;
		}
	}
	j = b.oom ? NULL : json_string(b.data);
	buf_free(&b);
	return j;
}

const char *
render_status_name(enum vdb_status s)
{
	switch (s) {
	case VDB_VALID: return "valid";
	case VDB_REVOKED: return "revoked";
	case VDB_NOTFOUND: return "not_found";
	default: return "invalid";
	}
}

const char *
render_upload_name(enum vdb_upload u)
{
	switch (u) {
	case VDB_UP_AUTHENTIC: return "authentic";
	case VDB_UP_NOTE_OK: return "note_authentic";
	case VDB_UP_MODIFIED: return "modified";
	case VDB_UP_REVOKED: return "revoked";
	case VDB_UP_NOT_OURS: return "not_issued_by_us";
	case VDB_UP_NOT_CERT: return "not_a_certificate";
	case VDB_UP_EDITED: return "edited";
	case VDB_UP_RESAVED: return "resaved";
	case VDB_UP_COPY: return "copy";
	default: return "invalid";
	}
}

static const char *
subject_word(enum page_lang lang, const char *s)
{
	if (strcmp(s, "public") == 0)
		return PL(lang, "公需科目", "Public");
	if (strcmp(s, "public/compulsory") == 0)
		return PL(lang, "公需科目（必修）", "Public (compulsory)");
	if (strcmp(s, "public/elective") == 0)
		return PL(lang, "公需科目（选修）", "Public (elective)");
	if (strcmp(s, "professional") == 0)
		return PL(lang, "专业科目", "Professional");
	return s;
}

static const char *
form_word(enum page_lang lang, const char *f)
{
	static const struct { const char *name, *zh, *en; } forms[] = {
		{ "online", "网络学习", "online" },
		{ "face-to-face", "面授培训", "face-to-face" },
		{ "industry", "行业组织培训", "industry training" },
		{ "employer", "单位组织学习", "employer activity" },
		{ "practice", "进修实践", "practice / further study" },
		{ "degree", "学历教育", "degree study" },
		{ "academic", "学术活动", "academic event" },
		{ "achievement", "成果折算", "achievement" },
		{ "other", "其他形式", "other" },
	};
	size_t i;

	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		if (strcmp(forms[i].name, f) == 0)
			return PL(lang, forms[i].zh, forms[i].en);
	return f;
}

/* Who stamped a record, in lang: "auto (policy NAME)" (stamped by the
 * region's policy on import, formats §3) in words; else as signed. */
static const char *
stamp_word(enum page_lang lang, const char *s)
{
	size_t n = strlen(s);

	if (lang == PAGE_ZH && n > 14 && strncmp(s, "auto (policy ", 13) == 0 &&
	    s[n - 1] == ')')
		return "依地区政策自动验印";
	return s;
}

/* A dt/dd pair with an escaped value. */
static void
dl_row(struct buf *b, const char *k, const char *v)
{
	buf_puts(b, "<dt>");
	page_esc(b, k);
	buf_puts(b, "</dt><dd>");
	page_esc(b, v);
	buf_puts(b, "</dd>\n");
}

static void
hours_row(struct buf *b, enum page_lang lang, const char *what, long got,
    long need, int show_need)
{
	char g[HOURS_SIZE], n[HOURS_SIZE];

	hours_format(got, g);
	buf_puts(b, "<tr><th scope=\"row\">");
	page_esc(b, what);
	buf_printf(b, "</th><td class=\"num\">%s</td>", g);
	if (show_need) {
		hours_format(need, n);
		buf_printf(b, "<td class=\"num\">%s</td><td class=\"%s\">%s"
		    "</td>", need > 0 ? n : "—", got >= need ? "met" : "unmet",
		    got >= need ? PL(lang, "达标", "met") :
		    PL(lang, "未达标", "not met"));
	}
	buf_puts(b, "</tr>\n");
}

#define L_SUBJ PL(lang, "科目", "Subject")
#define L_FORM PL(lang, "形式", "Form")
#define L_DATES PL(lang, "日期", "Dates")
#define L_HOURS PL(lang, "学时", "Hours")
#define L_TITLE PL(lang, "课程名称", "Title")
#define L_PROV PL(lang, "施训机构", "Provider")
#define L_STAMP PL(lang, "验印单位", "Stamped by")

static void
cert_body(struct buf *b, enum page_lang lang, const struct vdb_result *r)
{
	const struct cert *c = &r->cert;
	char year[16], hrs[HOURS_SIZE], idx[32], size[32];
	char when[RENDER_TIME_SIZE];
	size_t i;
	int annual = c->kind == CERT_ANNUAL;

	buf_printf(b, "<section class=\"card\">\n<h2>%s</h2>\n<dl>\n",
	    PL(lang, "持证人", "Holder"));
	dl_row(b, PL(lang, "姓名", "Name"), c->name);
	buf_printf(b, "<dt>%s</dt><dd class=\"mono\">",
	    PL(lang, "身份证号", "ID number"));
	page_esc(b, c->id_masked);
	buf_puts(b, "</dd>\n");
	if (c->unit[0] != '\0')
		dl_row(b, PL(lang, "工作单位", "Unit"), c->unit);
	buf_printf(b, "<dt>%s</dt><dd class=\"mono\">",
	    PL(lang, "证书编号", "Certificate number"));
	page_esc(b, c->serial);
	buf_puts(b, "</dd>\n");
	buf_puts(b, "</dl>\n</section>\n");

	snprintf(year, sizeof(year), "%d", c->year);
	buf_printf(b, "<section class=\"card\">\n<h2>%s %s</h2>\n",
	    year, PL(lang, annual ? "年度学时" : "课程学时", annual ?
	    "hours for the year" : "course hours"));
	buf_printf(b, "<div class=\"tablewrap\"><table>\n<thead><tr><th>%s"
	    "</th><th>%s</th>", PL(lang, "科目", "Subject"),
	    PL(lang, "学时", "Hours"));
	if (annual)
		buf_printf(b, "<th>%s</th><th>%s</th>",
		    PL(lang, "要求", "Required"), PL(lang, "结果", "Result"));
	buf_puts(b, "</tr></thead>\n<tbody>\n");
	hours_row(b, lang, PL(lang, "公需科目", "Public subjects"),
	    c->public10, c->req_public10, annual);
	hours_row(b, lang, PL(lang, "专业科目", "Professional subjects"),
	    c->professional10, c->req_professional10, annual);
	hours_row(b, lang, PL(lang, "合计", "Total"), c->total10,
	    c->req_total10, annual);
	buf_puts(b, "</tbody></table></div>\n");
	if (annual)
		buf_printf(b, "<p><strong class=\"%s\">%s</strong></p>\n",
		    c->met ? "met" : "unmet", c->met ?
		    PL(lang, "本年度学时达标", "The year's requirement is met") :
		    PL(lang, "本年度学时未达标", "The year's requirement is not "
		    "met"));
	buf_puts(b, "</section>\n");

	buf_printf(b, "<section class=\"card\">\n<h2>%s</h2>\n"
	    "<div class=\"tablewrap\"><table class=\"records\">\n<thead><tr>"
	    "<th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s"
	    "</th>", PL(lang, "学习记录", "Records"), L_SUBJ, L_FORM, L_DATES,
	    L_HOURS, L_TITLE, L_PROV);
	/* Who stamped each record: signed in notes that carry it. */
	if (cert_has_stamped_by(c))
		buf_printf(b, "<th>%s</th>", L_STAMP);
	buf_puts(b, "</tr></thead>\n<tbody>\n");
	for (i = 0; i < c->nrecords; i++) {
		const struct cert_record *rec = &c->records[i];

		/* data-label: the small-screen layout shows each row as a
		 * card, with the column name before each value (CSS). */
		hours_format(rec->hours10, hrs);
		buf_printf(b, "<tr><td data-label=\"%s\">", L_SUBJ);
		page_esc(b, subject_word(lang, rec->subject));
		buf_printf(b, "</td><td data-label=\"%s\">", L_FORM);
		page_esc(b, form_word(lang, rec->form));
		buf_printf(b, "</td><td class=\"num\" data-label=\"%s\">",
		    L_DATES);
		page_esc(b, rec->start);
		if (strcmp(rec->start, rec->end) != 0) {
			buf_puts(b, " – ");
			page_esc(b, rec->end);
		}
		buf_printf(b, "</td><td class=\"num\" data-label=\"%s\">%s"
		    "</td><td data-label=\"%s\">", L_HOURS, hrs, L_TITLE);
		page_esc(b, rec->title);
		buf_printf(b, "</td><td data-label=\"%s\">", L_PROV);
		page_esc(b, rec->provider);
		if (rec->stamped_by[0] != '\0') {
			buf_printf(b, "</td><td data-label=\"%s\">", L_STAMP);
			page_esc(b, stamp_word(lang, rec->stamped_by));
		}
		buf_puts(b, "</td></tr>\n");
	}
	buf_puts(b, "</tbody></table></div>\n</section>\n");

	snprintf(idx, sizeof(idx), "%llu", (unsigned long long)r->leaf_index);
	snprintf(size, sizeof(size), "%llu", (unsigned long long)r->ckpt_size);
	render_time(c->issued, lang == PAGE_EN, when);
	buf_printf(b, "<section class=\"card\">\n<h2>%s</h2>\n<dl>\n",
	    PL(lang, "签发", "Issuer"));
	dl_row(b, PL(lang, "签发机构", "Issuer"), c->issuer);
	dl_row(b, PL(lang, "签发时间", "Issued"), when);
	buf_puts(b, "</dl>\n");
	/* The ledger's details, for those who check them: folded. */
	buf_printf(b, "<details class=\"tech\"><summary>%s</summary>\n<dl>\n",
	    PL(lang, "技术信息", "Technical details"));
	dl_row(b, PL(lang, "账本", "Ledger"), r->origin);
	dl_row(b, PL(lang, "账本序号", "Ledger index"), idx);
	buf_printf(b, "<dt>%s</dt><dd class=\"mono\">%s %s<br>",
	    PL(lang, "检查点", "Checkpoint"), PL(lang, "大小", "size"), size);
	page_esc(b, r->ckpt_root);
	buf_puts(b, "</dd>\n");
	buf_printf(b, "<dt>%s</dt><dd class=\"mono\">",
	    PL(lang, "签名公钥", "Signing key"));
	page_esc(b, r->key_vkey);
	buf_puts(b, "</dd>\n</dl>\n</details>\n</section>\n");
}

/*
 * Which trusted ledger answered, when the verifier has a trust file (a
 * minimal line; the layout of the answer is render's to decide).
 */
static void
ledger_line(struct buf *b, enum page_lang lang, const struct vdb_result *r)
{
	if (r->ledger_issuer == NULL || r->ledger_issuer[0] == '\0')
		return;
	buf_printf(b, "<p class=\"ledger\">%s", PL(lang, "核验账本：",
	    "Verified in the ledger of: "));
	page_esc(b, r->ledger_issuer);
	buf_puts(b, lang == PAGE_EN ? " (" : "（");
	page_esc(b, r->ledger_name ? r->ledger_name : "");
	buf_puts(b, lang == PAGE_EN ? ")</p>\n" : "）</p>\n");
}

/* The same as a JSON field: "trusted_ledger": {name, issuer, origin}. */
static void
ledger_json(json_t *o, const struct vdb_result *r)
{
	if (o == NULL || r->ledger_issuer == NULL ||
	    r->ledger_issuer[0] == '\0')
		return;
	json_object_set_new(o, "trusted_ledger", json_pack("{s:s,s:o,s:s}",
	    "name", r->ledger_name ? r->ledger_name : "", "issuer",
	    jstr(r->ledger_issuer), "origin", r->origin));
}


/*
 * "When, where, by whom, against what" (printed with the page): the time
 * checked, the page's address, the service's operator, the issuer and
 * the checkpoint the answer rests on.
 */
static void
checked_card(struct buf *b, enum page_lang lang, const char *path,
    const char *issuer, const char *origin, uint64_t ckpt_size,
    const char *ckpt_root, const struct render_ctx *cx)
{
	char now[21], when[RENDER_TIME_SIZE], size[32];

	render_rfc3339(cx->now, now);
	render_time(now, lang == PAGE_EN, when);
	buf_printf(b, "<section class=\"card checked\">\n<h2>%s</h2>\n<dl>\n",
	    PL(lang, "核验记录", "Verification record"));
	dl_row(b, PL(lang, "核验时间", "Checked at"), when);
	buf_printf(b, "<dt>%s</dt><dd class=\"mono\">",
	    PL(lang, "核验网址", "Address"));
	page_esc(b, cx->base_url != NULL ? cx->base_url : "");
	page_esc(b, path);
	buf_puts(b, "</dd>\n");
	if (cx->op != NULL && cx->op->name != NULL && cx->op->name[0] != '\0')
		dl_row(b, PL(lang, "核验服务", "Verifier"), cx->op->name);
	if (issuer != NULL && issuer[0] != '\0')
		dl_row(b, PL(lang, "签发机构", "Issuer"), issuer);
	if (ckpt_size > 0) {
		snprintf(size, sizeof(size), "%llu",
		    (unsigned long long)ckpt_size);
		buf_printf(b, "<dt>%s</dt><dd class=\"mono\">",
		    PL(lang, "账本检查点", "Checkpoint"));
		page_esc(b, origin);
		buf_printf(b, " · %s %s · ", PL(lang, "大小", "size"), size);
		page_esc(b, ckpt_root);
		buf_puts(b, "</dd>\n");
	}
	buf_puts(b, "</dl>\n</section>\n");
}

/* The banner: the headline (verdict.h) and what it rests on. */
static void
verdict_banner(struct buf *b, enum page_lang lang, const struct verdict *v,
    const char *revoked_at)
{
	char text[256], when[RENDER_TIME_SIZE];
	const char *lq = lang == PAGE_EN ? "?lang=en" : "";

	verdict_text(v, lang, text, sizeof(text));
	buf_printf(b, "<div class=\"banner %s\" role=\"status\" "
	    "data-verdict=\"%s\"><span class=\"big\">",
	    verdict_class(v->kind), verdict_name(v->kind));
	page_esc(b, text);
	buf_puts(b, "</span>\n");
	switch (v->ledger) {
	case VERDICT_VALID_MET:
	case VERDICT_VALID_COURSE:
		buf_printf(b, "<p>%s</p>\n", PL(lang,
		    "证书签名有效，且已记录在公开账本中。",
		    "The certificate's signature is valid and it is recorded "
		    "in the public ledger."));
		break;
	case VERDICT_VALID_UNMET:
		buf_printf(b, "<p>%s</p>\n", PL(lang,
		    "证书签名有效，且已记录在公开账本中；但本年度学时未达到要求。",
		    "The certificate's signature is valid and it is recorded "
		    "in the public ledger, but the year's requirement is not "
		    "met."));
		break;
	case VERDICT_REVOKED:
	case VERDICT_SUPERSEDED:
		buf_printf(b, "<p>%s：", PL(lang, "撤销原因", "Reason"));
		page_esc(b, v->reason[0] != '\0' ?
		    page_revoke_reason(lang, v->reason) :
		    PL(lang, "未说明", "not given"));
		render_time(revoked_at, lang == PAGE_EN, when);
		buf_printf(b, "</p>\n<p>%s：", PL(lang, "撤销时间", "Revoked at"));
		page_esc(b, when);
		buf_puts(b, "</p>\n");
		if (v->replaced_by[0] != '\0') {
			buf_printf(b, "<p>%s：<a href=\"/c/", PL(lang,
			    "替换证书", "Replacement"));
			page_esc(b, v->replaced_by);
			buf_puts(b, lq);
			buf_puts(b, "\">");
			page_esc(b, v->replaced_by);
			buf_puts(b, "</a></p>\n");
		}
		break;
	case VERDICT_NOT_FOUND:
		if (!v->upload)
			buf_printf(b, "<p>%s</p>\n", PL(lang,
			    "没有编号为此的证书。请核对编号。",
			    "There is no certificate with this number. Check "
			    "the number."));
		break;
	case VERDICT_BAD_SIGNATURE:
		buf_printf(b, "<p>%s</p>\n", PL(lang,
		    "此证书未能通过签名或账本核验，请勿采信。",
		    "This certificate failed the signature or ledger check; "
		    "do not rely on it."));
		break;
	default:
		break;
	}
}

void
render_cert_page(struct buf *b, enum page_lang lang, const char *serial,
    const struct vdb_result *r, const struct render_ctx *cx)
{
	char title[320], text[256], path[64];
	const char *lq = lang == PAGE_EN ? "?lang=en" : "";
	struct verdict v;

	verdict_of_result(&v, r);
	verdict_text(&v, lang, text, sizeof(text));
	snprintf(title, sizeof(title), "%s · %s", text, serial);
	snprintf(path, sizeof(path), "/c/%s", serial);
	page_head(b, lang, title);
	verdict_banner(b, lang, &v, r->revoked_at);
	/* The service's own words (English), for those who look. */
	if (r->problem[0] != '\0' && r->status != VDB_VALID)
		page_tech(b, lang, r->problem);
	ledger_line(b, lang, r);
	buf_puts(b, "</div>\n");
	if (r->have_cert)
		cert_body(b, lang, r);
	else {
		buf_printf(b, "<section class=\"card\"><dl>\n<dt>%s</dt>"
		    "<dd class=\"mono\">", PL(lang, "证书编号",
		    "Certificate number"));
		page_esc(b, serial);
		buf_printf(b, "</dd>\n</dl>\n<p class=\"noprint\"><a href=\"/%s"
		    "\">%s</a></p></section>\n", lq,
		    PL(lang, "返回核验首页", "Back to verification"));
	}
	checked_card(b, lang, path, r->have_cert ? r->cert.issuer : NULL,
	    r->origin, r->ckpt_size, r->ckpt_root, cx);
	page_foot_op(b, lang, path, cx->op);
}

static json_t *
hours_json(long tenths)
{
	char h[HOURS_SIZE];

	hours_format(tenths, h);
	return json_string(h);
}

static json_t *
cert_json(const struct vdb_result *r)
{
	const struct cert *c = &r->cert;
	json_t *o, *recs;
	size_t i;

	recs = json_array();
	for (i = 0; i < c->nrecords; i++) {
		const struct cert_record *rec = &c->records[i];

		/* stamped_by: null in notes from before it was signed. */
		json_array_append_new(recs, json_pack("{s:s,s:s,s:s,s:s,s:o,"
		    "s:s,s:s,s:o}", "subject", rec->subject, "form", rec->form,
		    "start", rec->start, "end", rec->end, "hours",
		    hours_json(rec->hours10), "title", rec->title, "provider",
		    rec->provider, "stamped_by", rec->stamped_by[0] != '\0' ?
		    json_string(rec->stamped_by) : json_null()));
	}
	o = json_pack("{s:s,s:s,s:s,s:i,s:s,s:s,s:s,s:{s:o,s:o,s:o},s:o,"
	    "s:s}",
	    "serial", c->serial,
	    "kind", c->kind == CERT_ANNUAL ? "annual" : "course",
	    "issuer", c->issuer, "year", c->year, "name", c->name,
	    "id_masked", c->id_masked, "unit", c->unit,
	    "hours", "public", hours_json(c->public10), "professional",
	    hours_json(c->professional10), "total", hours_json(c->total10),
	    "records", recs, "issued", c->issued);
	if (o != NULL && c->kind == CERT_ANNUAL) {
		json_object_set_new(o, "requirement", json_pack("{s:o,s:o,s:o}",
		    "total", hours_json(c->req_total10), "public",
		    hours_json(c->req_public10), "professional",
		    hours_json(c->req_professional10)));
		json_object_set_new(o, "met", json_boolean(c->met));
	}
	return o;
}

json_t *
render_cert_json(const char *serial, const struct vdb_result *r)
{
	json_t *o;

	struct verdict v;
	char text[256];

	verdict_of_result(&v, r);
	verdict_text(&v, PAGE_ZH, text, sizeof(text));
	o = json_pack("{s:s,s:s,s:s,s:o}", "serial", serial, "status",
	    render_status_name(r->status), "verdict", verdict_name(v.kind),
	    "verdict_text", jstr(text));
	if (o == NULL)
		return NULL;
	if (v.kind == VERDICT_VALID_UNMET)
		json_object_set_new(o, "shortfall", json_pack("{s:o,s:o,s:o}",
		    "public", hours_json(v.short_public10), "professional",
		    hours_json(v.short_professional10), "total",
		    hours_json(v.short_total10)));
	if (r->problem[0] != '\0')
		json_object_set_new(o, "problem", jstr(r->problem));
	if (r->have_cert) {
		json_object_set_new(o, "certificate", cert_json(r));
		json_object_set_new(o, "ledger", json_pack("{s:s,s:I,s:{s:I,"
		    "s:s},s:s}", "origin", r->origin, "index",
		    (json_int_t)r->leaf_index, "checkpoint", "size",
		    (json_int_t)r->ckpt_size, "root", r->ckpt_root, "key",
		    r->key_vkey));
	}
	ledger_json(o, r);
	if (r->status == VDB_REVOKED) {
		json_t *rv = json_pack("{s:s,s:s}", "reason", r->reason, "at",
		    r->revoked_at);

		if (rv != NULL && r->replaced_by[0] != '\0')
			json_object_set_new(rv, "replaced_by",
			    json_string(r->replaced_by));
		json_object_set_new(o, "revocation", rv);
	}
	return o;
}

void
render_upload_page(struct buf *b, enum page_lang lang, const char *filename,
    const struct vdb_upload_result *u, const struct render_ctx *cx)
{
	const char *lq = lang == PAGE_EN ? "?lang=en" : "";
	const char *fn;
	char text[256], ledger[256];
	struct verdict v;

	verdict_of_upload(&v, u);
	verdict_text(&v, lang, text, sizeof(text));
	page_head(b, lang, text);
	if (v.kind == v.ledger) {
		verdict_banner(b, lang, &v, u->cert.revoked_at);
	} else {
		/* The file decides (edited, modified, not ours, not a
		 * certificate): never under the ledger's words. */
		buf_printf(b, "<div class=\"banner %s\" role=\"status\" "
		    "data-verdict=\"%s\"><span class=\"big\">",
		    verdict_class(v.kind), verdict_name(v.kind));
		page_esc(b, text);
		buf_puts(b, "</span>\n");
		if (v.kind == VERDICT_NOT_OURS)
			buf_printf(b, "<p>%s</p>\n", PL(lang,
			    "此文件的签名不是本核验服务信任的签发机构所签，"
			    "或账本中没有此证书。",
			    "The file is not signed by an issuer this service "
			    "trusts, or the ledger has no such certificate."));
		else if (v.kind == VERDICT_NOT_CERT)
			buf_printf(b, "<p>%s</p>\n", PL(lang,
			    "文件中没有可核验的学时证明签名数据。",
			    "The file carries no signed certificate data to "
			    "verify."));
	}
	if ((fn = verdict_file_note(&v, lang)) != NULL) {
		buf_puts(b, "<p class=\"filenote\">");
		page_esc(b, fn);
		buf_puts(b, "</p>\n");
	}
	if (v.differs[0] != '\0') {
		buf_puts(b, "<p class=\"differs\">");
		page_esc(b, v.differs);
		buf_puts(b, "</p>\n");
	}
	if (v.kind != v.ledger && (u->cert.have_cert ||
	    u->cert.status == VDB_REVOKED)) {
		struct verdict lv = v;

		lv.kind = v.ledger;
		verdict_text(&lv, lang, ledger, sizeof(ledger));
		buf_printf(b, "<p>%s：", PL(lang, "账本中此编号的记录",
		    "The ledger's record for this number"));
		page_esc(b, ledger);
		buf_puts(b, "</p>\n");
	}
	if (filename != NULL && filename[0] != '\0') {
		buf_printf(b, "<p>%s：", PL(lang, "文件", "File"));
		page_esc(b, filename);
		buf_puts(b, "</p>\n");
	}
	ledger_line(b, lang, &u->cert);
	page_tech(b, lang, u->problem);
	buf_puts(b, "</div>\n<section class=\"card\"><dl>\n");
	if (u->cert.have_cert || u->outcome == VDB_UP_REVOKED ||
	    u->outcome == VDB_UP_MODIFIED || u->outcome == VDB_UP_AUTHENTIC) {
		buf_printf(b, "<dt>%s</dt><dd>%s</dd>\n",
		    PL(lang, "内嵌账本收据", "Embedded ledger receipt"),
		    u->receipt_ok ? (u->consistent ?
		    PL(lang, "有效，且与最新检查点一致",
		    "valid and consistent with the latest checkpoint") :
		    PL(lang, "有效，但与最新检查点不一致",
		    "valid, but not consistent with the latest checkpoint")) :
		    PL(lang, "无效或缺失", "invalid or missing"));
	}
	buf_puts(b, "</dl>\n");
	buf_printf(b, "<details class=\"tech\"><summary>%s</summary>\n<dl>\n"
	    "<dt>SHA-256</dt><dd class=\"mono\">%s</dd>\n</dl>\n</details>\n"
	    "</section>\n", PL(lang, "技术信息", "Technical details"),
	    u->sha256);
	if (u->cert.have_cert) {
		buf_printf(b, "<p class=\"noprint\"><a href=\"/c/");
		page_esc(b, u->cert.cert.serial);
		buf_printf(b, "%s\">%s</a></p>\n", lq,
		    PL(lang, "查看证书核验页", "Open the certificate's page"));
		cert_body(b, lang, &u->cert);
	}
	checked_card(b, lang, "/", u->cert.have_cert ? u->cert.cert.issuer :
	    NULL, u->cert.origin, u->cert.ckpt_size, u->cert.ckpt_root, cx);
	buf_printf(b, "<p class=\"noprint\"><a href=\"/%s\">%s</a></p>\n", lq,
	    PL(lang, "返回核验首页", "Back to verification"));
	page_foot_op(b, lang, "/", cx->op);
}

json_t *
render_upload_json(const struct vdb_upload_result *u)
{
	json_t *o;
	struct verdict v;
	char text[256];
	const char *fn;

	verdict_of_upload(&v, u);
	verdict_text(&v, PAGE_ZH, text, sizeof(text));
	o = json_pack("{s:s,s:s,s:o,s:s,s:b,s:b}", "outcome",
	    render_upload_name(u->outcome), "verdict", verdict_name(v.kind),
	    "verdict_text", jstr(text), "sha256", u->sha256,
	    "receipt_valid", u->receipt_ok, "consistent_with_latest",
	    u->consistent);
	if (o == NULL)
		return NULL;
	if ((fn = verdict_file_note(&v, PAGE_ZH)) != NULL)
		json_object_set_new(o, "file_note", json_string(fn));
	if (u->differs[0] != '\0')
		json_object_set_new(o, "differs", jstr(u->differs));
	if (u->problem[0] != '\0')
		json_object_set_new(o, "problem", jstr(u->problem));
	ledger_json(o, &u->cert);
	if (u->cert.have_cert || u->cert.status == VDB_REVOKED) {
		char serial[SERIAL_SIZE];

		snprintf(serial, sizeof(serial), "%s", u->cert.have_cert ?
		    u->cert.cert.serial : "");
		json_object_set_new(o, "certificate_status",
		    render_cert_json(serial, &u->cert));
	}
	return o;
}

const char *
render_msg_zh(const char *msg)
{
	static const struct { const char *en, *zh; int prefix; } t[] = {
		{ "no such certificate", "没有此证书，请核对证书编号。", 0 },
		{ "not found", "没有此网页。", 0 },
		{ "no such tile", "账本中没有此数据块。", 0 },
		{ "no such result", "没有此核验结果，或已过期（结果保存 1 小时），"
		    "请重新核验。", 0 },
		{ "out of memory", "服务器繁忙，请稍后再试。", 0 },
		{ "the form has no file", "表单中没有文件。", 0 },
		{ "empty upload", "上传的文件是空的。", 0 },
		{ "a certificate PDF is at most 10 MB",
		    "证书 PDF 文件不能超过 10 MB。", 0 },
		{ "no serials, QR addresses or PDF files",
		    "请求中没有证书编号、二维码网址或 PDF 文件。", 1 },
		{ "multipart body", "上传表单的格式无效。", 1 },
		{ "multipart", "上传表单的格式无效。", 1 },
		{ "at most ", "每次最多核验 1000 份。", 1 },
		{ "consistency-from", "参数 consistency-from 应为账本大小。", 1 },
		{ "ID matching is not enabled", "本核验服务未开启身份证号比对。",
		    1 },
		{ "not a certificate number", "不是证书编号", 0 },
		{ "file over 10 MB", "文件超过 10 MB", 0 },
		{ "URL too long", "网址过长。", 0 },
		{ "too many header lines", "请求头过多。", 0 },
		{ "method not allowed", "不支持此请求方法。", 0 },
		{ "bad Content-Length", "请求长度无效。", 0 },
		{ "request body too large", "上传内容过大。", 0 },
		{ "internal error", "服务器内部错误。", 0 },
		{ "too many requests", "请求过于频繁，请稍后再试。", 1 },
		{ "rate limit", "请求过于频繁，请稍后再试。", 1 },
	};
	size_t i;

	if (msg == NULL)
		return NULL;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].prefix ? strncmp(msg, t[i].en, strlen(t[i].en)) == 0 :
		    strcmp(msg, t[i].en) == 0)
			return t[i].zh;
	return NULL;
}

const char *
render_row_status(const struct render_row *row, enum page_lang lang,
    bool name)
{
	if (name)
		return row->upload ? render_upload_name(row->up) :
		    render_status_name(row->st);
	return verdict_word(row->v.kind, lang);
}

bool
render_row_good(const struct render_row *row)
{
	return verdict_green(row->v.kind);
}

void
render_row_not_cert(struct render_row *row, const char *problem)
{
	struct vdb_upload_result u;

	memset(&u, 0, sizeof(u));
	u.outcome = VDB_UP_NOT_CERT;
	u.cert.status = VDB_NOTFOUND;
	row->done = 1;
	row->upload = 1;
	row->up = VDB_UP_NOT_CERT;
	verdict_of_upload(&row->v, &u);
	snprintf(row->problem, sizeof(row->problem), "%s", problem);
}

void
render_row_not_found(struct render_row *row, const char *problem)
{
	row->done = 1;
	row->upload = 0;
	row->st = VDB_NOTFOUND;
	verdict_make(&row->v, VDB_NOTFOUND, NULL, NULL, NULL);
	snprintf(row->problem, sizeof(row->problem), "%s", problem);
}

void
render_row_cert(struct render_row *row, const struct vdb_result *r)
{
	row->done = 1;
	row->upload = 0;
	row->st = r->status;
	verdict_of_result(&row->v, r);
	/* Only the service's own words: the headline says the rest. */
	snprintf(row->problem, sizeof(row->problem), "%s", r->problem);
	row->ledger_name = r->ledger_name;
	row->ledger_issuer = r->ledger_issuer;
	snprintf(row->revoked_at, sizeof(row->revoked_at), "%s",
	    r->revoked_at);
	if (r->have_cert) {
		snprintf(row->name, sizeof(row->name), "%s", r->cert.name);
		snprintf(row->id_masked, sizeof(row->id_masked), "%s",
		    r->cert.id_masked);
		snprintf(row->issuer, sizeof(row->issuer), "%s",
		    r->cert.issuer);
		row->year = r->cert.year;
		hours_format(r->cert.total10, row->hours);
	}
}

void
render_row_upload(struct render_row *row, const struct vdb_upload_result *u)
{
	if (u->cert.have_cert || u->cert.status == VDB_REVOKED) {
		render_row_cert(row, &u->cert);
		if (u->cert.have_cert)
			snprintf(row->serial, sizeof(row->serial), "%s",
			    u->cert.cert.serial);
	}
	row->done = 1;
	row->upload = 1;
	row->up = u->outcome;
	verdict_of_upload(&row->v, u);
	if (u->problem[0] != '\0')
		snprintf(row->problem, sizeof(row->problem), "%s", u->problem);
}

void
render_row_note(const struct render_row *row, enum page_lang lang,
    char *out, size_t n)
{
	const struct verdict *v = &row->v;
	char when[RENDER_TIME_SIZE];
	const char *fn, *m;
	size_t k = 0;

#define ADD(...) do { if (k < n) k += (size_t)snprintf(out + k, n - k, \
	__VA_ARGS__); } while (0)
	if (n == 0)
		return;
	out[0] = '\0';
	if (v->ledger == VERDICT_REVOKED || v->ledger == VERDICT_SUPERSEDED) {
		render_time(row->revoked_at, lang == PAGE_EN, when);
		ADD("%s%s%s%s", PL(lang, "撤销原因：", "reason: "),
		    v->reason[0] != '\0' ? page_revoke_reason(lang, v->reason) :
		    PL(lang, "未说明", "not given"),
		    PL(lang, "；撤销时间：", "; revoked at: "), when);
		if (v->replaced_by[0] != '\0')
			ADD("%s%s", PL(lang, "；替换证书：", "; replaced by: "),
			    v->replaced_by);
	}
	if ((fn = verdict_file_note(v, lang)) != NULL)
		ADD("%s%s", k > 0 ? PL(lang, "；", "; ") : "", fn);
	if (v->differs[0] != '\0')
		ADD("%s%s", k > 0 ? PL(lang, "；", "; ") : "", v->differs);
	if (v->kind == VERDICT_NOT_CERT || (v->kind == VERDICT_NOT_FOUND &&
	    row->serial[0] == '\0')) {
		m = lang == PAGE_ZH ? render_msg_zh(row->problem) : row->problem;
		if (m == NULL)
			m = v->kind == VERDICT_NOT_CERT ?
			    "文件中没有可核验的学时证明签名数据" : "不是证书编号";
		ADD("%s%s", k > 0 ? PL(lang, "；", "; ") : "", m);
	} else if (v->kind == VERDICT_NOT_OURS) {
		ADD("%s%s", k > 0 ? PL(lang, "；", "; ") : "", PL(lang,
		    "签名不是本核验服务信任的签发机构所签，或账本中没有此证书",
		    "not signed by an issuer this service trusts, or not in "
		    "the ledger"));
	}
#undef ADD
}

void
render_batch_counts(const struct render_batch *bt,
    size_t counts[VERDICT_COUNT])
{
	size_t i;

	memset(counts, 0, VERDICT_COUNT * sizeof(counts[0]));
	for (i = 0; i < bt->n; i++)
		counts[bt->rows[i].v.kind]++;
}

void
render_cell_safe(const char *in, char *out, size_t n)
{
	size_t k = 0;

	if (n == 0)
		return;
	if (in[0] == '=' || in[0] == '+' || in[0] == '-' || in[0] == '@' ||
	    in[0] == '\t' || in[0] == '\r') {
		if (n > 1)
			out[k++] = '\'';
	}
	snprintf(out + k, n - k, "%s", in);
}

/* The columns of the people's forms (CSV, XLSX, the report). */
enum { COL_NO, COL_ITEM, COL_SERIAL, COL_VERDICT, COL_NAME, COL_ID,
	COL_ISSUER, COL_YEAR, COL_HOURS, COL_NOTE, COL_CODE, COL_STATUS,
	COL_TECH, COL_N };
_Static_assert(COL_N == RENDER_COLS, "RENDER_COLS is the column count");
static const char *const col_zh[COL_N] = { "序号", "核验内容", "证书编号",
	"核验结论", "姓名", "身份证号（部分隐藏）", "签发机构", "年度", "总学时",
	"说明", "结论代码", "状态代码", "技术信息" };

/* One row's cells, in the forms' column order (lang words). */
void
render_row_cells(const struct render_row *r, size_t i, enum page_lang lang,
    char cells[][RENDER_CELL_MAX])
{
	snprintf(cells[COL_NO], RENDER_CELL_MAX, "%zu", i + 1);
	snprintf(cells[COL_ITEM], RENDER_CELL_MAX, "%s", r->item);
	snprintf(cells[COL_SERIAL], RENDER_CELL_MAX, "%s", r->serial);
	verdict_text(&r->v, lang, cells[COL_VERDICT], RENDER_CELL_MAX);
	snprintf(cells[COL_NAME], RENDER_CELL_MAX, "%s", r->name);
	snprintf(cells[COL_ID], RENDER_CELL_MAX, "%s", r->id_masked);
	snprintf(cells[COL_ISSUER], RENDER_CELL_MAX, "%s", r->issuer);
	if (r->year != 0)
		snprintf(cells[COL_YEAR], RENDER_CELL_MAX, "%d", r->year);
	else
		cells[COL_YEAR][0] = '\0';
	snprintf(cells[COL_HOURS], RENDER_CELL_MAX, "%s", r->hours);
	render_row_note(r, lang, cells[COL_NOTE], RENDER_CELL_MAX);
	snprintf(cells[COL_CODE], RENDER_CELL_MAX, "%s",
	    verdict_name(r->v.kind));
	snprintf(cells[COL_STATUS], RENDER_CELL_MAX, "%s",
	    render_row_status(r, lang, true));
	/* The service's own words, unless the note already says them. */
	snprintf(cells[COL_TECH], RENDER_CELL_MAX, "%s",
	    render_msg_zh(r->problem) != NULL ? "" : r->problem);
}

const char *
render_col_name(size_t col)
{
	return col < COL_N ? col_zh[col] : "";
}

/*
 * What every form of a batch answer states before its rows: when, which
 * verifier (address and operator), which checkpoint, the count per
 * headline. pairs[i][0] is the label, pairs[i][1] the value.
 */
size_t
render_batch_meta(const struct render_batch *bt, const struct render_ctx *cx,
    char pairs[][2][RENDER_CELL_MAX], size_t max)
{
	size_t counts[VERDICT_COUNT], k = 0, i, m;
	char when[RENDER_TIME_SIZE], *p;

	if (max < 6)
		return 0;
	render_time(bt->checked_at, false, when);
	snprintf(pairs[k][0], RENDER_CELL_MAX, "核验时间");
	snprintf(pairs[k++][1], RENDER_CELL_MAX, "%s", when);
	snprintf(pairs[k][0], RENDER_CELL_MAX, "核验服务");
	snprintf(pairs[k++][1], RENDER_CELL_MAX, "%s",
	    cx->op != NULL && cx->op->name != NULL ? cx->op->name : "");
	snprintf(pairs[k][0], RENDER_CELL_MAX, "核验网址");
	snprintf(pairs[k++][1], RENDER_CELL_MAX, "%s", bt->base_url);
	snprintf(pairs[k][0], RENDER_CELL_MAX, "联系方式");
	snprintf(pairs[k++][1], RENDER_CELL_MAX, "%s",
	    cx->op != NULL && cx->op->contact != NULL ? cx->op->contact : "");
	snprintf(pairs[k][0], RENDER_CELL_MAX, "账本检查点");
	snprintf(pairs[k++][1], RENDER_CELL_MAX, "%s · 大小 %llu · %s",
	    bt->origin, (unsigned long long)bt->ckpt_size, bt->ckpt_root);
	snprintf(pairs[k][0], RENDER_CELL_MAX, "各结论份数");
	p = pairs[k][1];
	m = 0;
	render_batch_counts(bt, counts);
	p[0] = '\0';
	snprintf(p, RENDER_CELL_MAX, "共 %zu 份", bt->n);
	for (i = 0; i < VERDICT_COUNT; i++) {
		m = strlen(p);
		if (counts[i] > 0 && m < RENDER_CELL_MAX)
			snprintf(p + m, RENDER_CELL_MAX - m, "；%s %zu",
			    verdict_word((enum verdict_kind)i, PAGE_ZH),
			    counts[i]);
	}
	k++;
	return k;
}

void
render_batch_csv(struct buf *b, const struct render_batch *bt,
    const struct render_ctx *cx)
{
	char pairs[8][2][RENDER_CELL_MAX], safe[RENDER_CELL_MAX + 2];
	size_t i, c, np;

	buf_puts(b, "\xef\xbb\xbf");
	np = render_batch_meta(bt, cx, pairs, 8);
	for (i = 0; i < np; i++) {
		render_cell_safe(pairs[i][0], safe, sizeof(safe));
		buf_csv_field(b, safe, true);
		buf_putc(b, ',');
		render_cell_safe(pairs[i][1], safe, sizeof(safe));
		buf_csv_field(b, safe, true);
		buf_puts(b, "\r\n");
	}
	buf_puts(b, "\r\n");
	for (c = 0; c < COL_N; c++) {
		if (c > 0)
			buf_putc(b, ',');
		buf_csv_field(b, col_zh[c], true);
	}
	buf_puts(b, "\r\n");
	for (i = 0; i < bt->n; i++) {
		char row[COL_N][RENDER_CELL_MAX];

		render_row_cells(&bt->rows[i], i, PAGE_ZH, row);
		for (c = 0; c < COL_N; c++) {
			if (c > 0)
				buf_putc(b, ',');
			render_cell_safe(row[c], safe, sizeof(safe));
			buf_csv_field(b, safe, true);
		}
		buf_puts(b, "\r\n");
	}
}

json_t *
render_batch_json(const struct render_batch *bt)
{
	json_t *arr = json_array();
	size_t i, counts[VERDICT_COUNT];
	json_t *cj = json_object();
	char text[256];

	for (i = 0; i < bt->n; i++) {
		const struct render_row *r = &bt->rows[i];
		json_t *o;

		verdict_text(&r->v, PAGE_ZH, text, sizeof(text));
		o = json_pack("{s:o,s:s,s:s,s:s,s:o}", "item", jstr(r->item),
		    "serial", r->serial, "status",
		    render_row_status(r, PAGE_EN, true), "verdict",
		    verdict_name(r->v.kind), "verdict_text", jstr(text));
		if (o == NULL)
			continue;
		if (r->name[0] != '\0') {
			json_object_set_new(o, "name", json_string(r->name));
			json_object_set_new(o, "id_masked",
			    json_string(r->id_masked));
			json_object_set_new(o, "issuer", jstr(r->issuer));
			json_object_set_new(o, "year", json_integer(r->year));
			json_object_set_new(o, "hours", json_string(r->hours));
		}
		if (r->v.kind == VERDICT_VALID_UNMET)
			json_object_set_new(o, "shortfall", json_pack(
			    "{s:o,s:o,s:o}", "public",
			    hours_json(r->v.short_public10), "professional",
			    hours_json(r->v.short_professional10), "total",
			    hours_json(r->v.short_total10)));
		if (r->v.ledger == VERDICT_REVOKED ||
		    r->v.ledger == VERDICT_SUPERSEDED) {
			json_t *rv = json_pack("{s:s,s:s}", "reason",
			    r->v.reason, "at", r->revoked_at);

			if (rv != NULL && r->v.replaced_by[0] != '\0')
				json_object_set_new(rv, "replaced_by",
				    json_string(r->v.replaced_by));
			json_object_set_new(o, "revocation", rv);
		}
		if (r->v.differs[0] != '\0')
			json_object_set_new(o, "differs", jstr(r->v.differs));
		if (r->problem[0] != '\0')
			json_object_set_new(o, "problem", jstr(r->problem));
		if (r->ledger_issuer != NULL && r->ledger_issuer[0] != '\0') {
			json_object_set_new(o, "ledger", json_string(
			    r->ledger_name ? r->ledger_name : ""));
			json_object_set_new(o, "ledger_issuer",
			    jstr(r->ledger_issuer));
		}
		json_array_append_new(arr, o);
	}
	render_batch_counts(bt, counts);
	for (i = 0; i < VERDICT_COUNT; i++)
		if (counts[i] > 0)
			json_object_set_new(cj, verdict_name((enum verdict_kind)i),
			    json_integer((json_int_t)counts[i]));
	return json_pack("{s:I,s:o,s:o,s:s,s:{s:s,s:I,s:s}}", "count",
	    (json_int_t)bt->n, "counts", cj, "rows", arr, "checked_at",
	    bt->checked_at, "checkpoint", "origin", bt->origin, "size",
	    (json_int_t)bt->ckpt_size, "root", bt->ckpt_root);
}

/* The table of a batch answer (page and report). */
static void
batch_table(struct buf *b, enum page_lang lang, const struct render_batch *bt,
    bool links)
{
	size_t i;
	char note[RENDER_CELL_MAX], text[256], y[16];

	buf_printf(b, "<div class=\"tablewrap\"><table class=\"batch\">\n"
	    "<thead><tr><th>#</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
	    "<th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr></thead>\n"
	    "<tbody>\n",
	    PL(lang, "证书编号", "Serial"), PL(lang, "核验结论", "Verdict"),
	    PL(lang, "姓名", "Name"), PL(lang, "身份证号", "ID"),
	    PL(lang, "签发机构", "Issuer"), PL(lang, "年度", "Year"),
	    PL(lang, "学时", "Hours"), PL(lang, "说明", "Notes"));
	for (i = 0; i < bt->n; i++) {
		const struct render_row *r = &bt->rows[i];
		const char *cls = verdict_green(r->v.kind) ? "status-valid" :
		    strcmp(verdict_class(r->v.kind), "warn") == 0 ?
		    "status-unmet" : strcmp(verdict_class(r->v.kind),
		    "grey") == 0 ? "status-grey" : "status-bad";

		buf_printf(b, "<tr data-verdict=\"%s\"><td class=\"num\" "
		    "data-label=\"#\">%zu</td><td class=\"mono\" "
		    "data-label=\"%s\">", verdict_name(r->v.kind), i + 1,
		    PL(lang, "证书编号", "Serial"));
		if (r->serial[0] != '\0' && links) {
			buf_puts(b, "<a href=\"/c/");
			page_esc(b, r->serial);
			buf_puts(b, lang == PAGE_EN ? "?lang=en" : "");
			buf_puts(b, "\">");
			page_esc(b, r->serial);
			buf_puts(b, "</a>");
		} else if (r->serial[0] != '\0') {
			page_esc(b, r->serial);
		} else {
			page_esc(b, r->item);
		}
		verdict_text(&r->v, lang, text, sizeof(text));
		buf_printf(b, "</td><td class=\"%s\" data-label=\"%s\">", cls,
		    PL(lang, "核验结论", "Verdict"));
		if (r->v.kind == VERDICT_SUPERSEDED &&
		    r->v.replaced_by[0] != '\0' && links) {
			buf_printf(b, "%s → <a href=\"/c/",
			    verdict_word(r->v.kind, lang));
			page_esc(b, r->v.replaced_by);
			buf_puts(b, lang == PAGE_EN ? "?lang=en" : "");
			buf_puts(b, "\">");
			page_esc(b, r->v.replaced_by);
			buf_puts(b, "</a>");
		} else {
			page_esc(b, text);
		}
		buf_printf(b, "</td><td data-label=\"%s\">",
		    PL(lang, "姓名", "Name"));
		page_esc(b, r->name);
		buf_printf(b, "</td><td class=\"mono\" data-label=\"%s\">",
		    PL(lang, "身份证号", "ID"));
		page_esc(b, r->id_masked);
		buf_printf(b, "</td><td data-label=\"%s\">",
		    PL(lang, "签发机构", "Issuer"));
		page_esc(b, r->issuer);
		snprintf(y, sizeof(y), "%d", r->year);
		buf_printf(b, "</td><td class=\"num\" data-label=\"%s\">%s</td>"
		    "<td class=\"num\" data-label=\"%s\">",
		    PL(lang, "年度", "Year"), r->year ? y : "",
		    PL(lang, "学时", "Hours"));
		page_esc(b, r->hours);
		buf_printf(b, "</td><td data-label=\"%s\">",
		    PL(lang, "说明", "Notes"));
		render_row_note(r, lang, note, sizeof(note));
		page_esc(b, note);
		if (r->problem[0] != '\0' && lang == PAGE_ZH &&
		    render_msg_zh(r->problem) == NULL)
			page_tech(b, lang, r->problem);
		else if (r->problem[0] != '\0' && lang == PAGE_EN &&
		    strcmp(note, r->problem) != 0) {
			buf_puts(b, " ");
			page_esc(b, r->problem);
		}
		buf_puts(b, "</td></tr>\n");
	}
	buf_puts(b, "</tbody></table></div>\n");
}

/* The batch's "when, who, against what" and the count per headline. */
static void
batch_meta_html(struct buf *b, enum page_lang lang,
    const struct render_batch *bt, const struct render_ctx *cx)
{
	size_t counts[VERDICT_COUNT], i;
	char when[RENDER_TIME_SIZE], size[32];

	render_time(bt->checked_at, lang == PAGE_EN, when);
	snprintf(size, sizeof(size), "%llu", (unsigned long long)bt->ckpt_size);
	buf_printf(b, "<section class=\"card checked\">\n<dl>\n");
	dl_row(b, PL(lang, "核验时间", "Checked at"), when);
	if (cx->op != NULL && cx->op->name != NULL && cx->op->name[0] != '\0')
		dl_row(b, PL(lang, "核验服务", "Verifier"), cx->op->name);
	if (bt->base_url[0] != '\0')
		dl_row(b, PL(lang, "核验网址", "Address"), bt->base_url);
	if (cx->op != NULL && cx->op->contact != NULL &&
	    cx->op->contact[0] != '\0')
		dl_row(b, PL(lang, "联系方式", "Contact"), cx->op->contact);
	buf_printf(b, "<dt>%s</dt><dd class=\"mono\">",
	    PL(lang, "账本检查点", "Checkpoint"));
	page_esc(b, bt->origin);
	buf_printf(b, " · %s %s · ", PL(lang, "大小", "size"), size);
	page_esc(b, bt->ckpt_root);
	buf_puts(b, "</dd>\n</dl>\n");
	render_batch_counts(bt, counts);
	buf_printf(b, "<ul class=\"counts\"><li>%s %zu</li>",
	    PL(lang, "共", "Items:"), bt->n);
	for (i = 0; i < VERDICT_COUNT; i++)
		if (counts[i] > 0)
			buf_printf(b, "<li data-verdict=\"%s\">%s %zu</li>",
			    verdict_name((enum verdict_kind)i),
			    verdict_word((enum verdict_kind)i, lang), counts[i]);
	buf_puts(b, "</ul>\n</section>\n");
}

void
render_batch_page(struct buf *b, enum page_lang lang,
    const struct render_batch *bt, const struct render_ctx *cx)
{
	const char *lq = lang == PAGE_EN ? "?lang=en" : "";

	page_head(b, lang, PL(lang, "批量核验结果", "Batch verification"));
	buf_printf(b, "<h1>%s</h1>\n",
	    PL(lang, "批量核验结果", "Batch verification"));
	batch_meta_html(b, lang, bt, cx);
	if (bt->token[0] != '\0') {
		/* The result is kept (results.h): download it without
		 * uploading again. */
		buf_printf(b, "<section class=\"card noprint\"><h2>%s</h2>\n"
		    "<p class=\"downloads\">"
		    "<a href=\"/api/v1/verify/batch/result/%s?format=csv\" "
		    "download>%s</a>"
		    "<a href=\"/api/v1/verify/batch/result/%s?format=xlsx\" "
		    "download>%s</a>"
		    "<a href=\"/api/v1/verify/batch/result/%s?format=print%s%s\">"
		    "%s</a></p>\n<p class=\"hint\">%s</p></section>\n",
		    PL(lang, "下载结果", "Download"), bt->token,
		    PL(lang, "CSV 表格", "CSV"), bt->token,
		    PL(lang, "Excel 表格（XLSX）", "Excel (XLSX)"), bt->token,
		    lang == PAGE_EN ? "&" : "", lang == PAGE_EN ? "lang=en" : "",
		    PL(lang, "打印版报告", "Printable report"),
		    PL(lang, "结果在本服务中保存 1 小时，之后需重新核验。",
		    "The result is kept for one hour; after that, verify "
		    "again."));
	}
	batch_table(b, lang, bt, true);
	buf_printf(b, "<p class=\"noprint\"><a href=\"/%s\">%s</a></p>\n", lq,
	    PL(lang, "返回核验首页", "Back to verification"));
	page_foot_op(b, lang, "/", cx->op);
}

void
render_batch_report(struct buf *b, enum page_lang lang,
    const struct render_batch *bt, const struct render_ctx *cx)
{
	page_head(b, lang, PL(lang, "批量核验报告", "Batch verification "
	    "report"));
	buf_printf(b, "<h1>%s</h1>\n",
	    PL(lang, "继续教育学时证明批量核验报告",
	    "Continuing-education certificates: batch verification report"));
	batch_meta_html(b, lang, bt, cx);
	batch_table(b, lang, bt, false);
	buf_printf(b, "<p class=\"hint\">%s</p>\n", PL(lang,
	    "每份证书均已按公开、防篡改的账本重新核验签名；结论以上述检查点为准。",
	    "Every certificate was verified again against the public, "
	    "tamper-evident ledger; the answers rest on the checkpoint "
	    "above."));
	page_foot_op(b, lang, "/", cx->op);
}
