/*
 * render.c - pages, JSON and CSV for verification results (render.h).
 */
#include <stdio.h>
#include <string.h>

#include "render.h"

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

static const char *
status_word(enum page_lang lang, enum vdb_status s)
{
	switch (s) {
	case VDB_VALID: return PL(lang, "有效", "Valid");
	case VDB_REVOKED: return PL(lang, "已撤销", "Revoked");
	case VDB_NOTFOUND: return PL(lang, "未找到", "Not found");
	default: return PL(lang, "签名无效", "Invalid signature");
	}
}

static const char *
status_class(enum vdb_status s)
{
	switch (s) {
	case VDB_VALID: return "valid";
	case VDB_REVOKED: return "revoked";
	case VDB_NOTFOUND: return "notfound";
	default: return "badsig";
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
upload_word(enum page_lang lang, enum vdb_upload u)
{
	switch (u) {
	case VDB_UP_AUTHENTIC:
		return PL(lang, "真实有效，文件未被修改",
		    "Authentic and unchanged");
	case VDB_UP_NOTE_OK:
		return PL(lang, "证书签名真实有效", "Authentic certificate note");
	case VDB_UP_MODIFIED:
		return PL(lang, "证书真实，但此 PDF 文件已被修改",
		    "Authentic certificate, but this PDF file was modified");
	case VDB_UP_REVOKED:
		return PL(lang, "已撤销", "Revoked");
	case VDB_UP_NOT_OURS:
		return PL(lang, "非本机构签发", "Not issued by us");
	case VDB_UP_NOT_CERT:
		return PL(lang, "不是学时证明文件", "Not a certificate");
	case VDB_UP_EDITED:
		return PL(lang, "文件显示的内容与签名内容不同（已被改动）",
		    "The file shows other content than was signed (edited)");
	case VDB_UP_RESAVED:
		return PL(lang, "内容一致，文件已被改存",
		    "Same content, file saved again by another program");
	case VDB_UP_COPY:
		return PL(lang, "复印件或照片：结论来自账本",
		    "A copy or photo: the answer is the ledger's");
	default:
		return PL(lang, "签名无效", "Invalid");
	}
}

static const char *
upload_class(enum vdb_upload u)
{
	switch (u) {
	case VDB_UP_AUTHENTIC: case VDB_UP_NOTE_OK: return "valid";
	case VDB_UP_MODIFIED: case VDB_UP_RESAVED: case VDB_UP_COPY:
		return "modified";
	case VDB_UP_NOT_CERT: return "notfound";
	default: return "revoked";
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
			page_esc(b, rec->stamped_by);
		}
		buf_puts(b, "</td></tr>\n");
	}
	buf_puts(b, "</tbody></table></div>\n</section>\n");

	snprintf(idx, sizeof(idx), "%llu", (unsigned long long)r->leaf_index);
	snprintf(size, sizeof(size), "%llu", (unsigned long long)r->ckpt_size);
	buf_printf(b, "<section class=\"card\">\n<h2>%s</h2>\n<dl>\n",
	    PL(lang, "签发与账本", "Issuer and ledger"));
	dl_row(b, PL(lang, "签发机构", "Issuer"), c->issuer);
	dl_row(b, PL(lang, "签发时间", "Issued"), c->issued);
	dl_row(b, PL(lang, "账本", "Ledger"), r->origin);
	dl_row(b, PL(lang, "账本序号", "Ledger index"), idx);
	buf_printf(b, "<dt>%s</dt><dd class=\"mono\">%s %s<br>",
	    PL(lang, "检查点", "Checkpoint"), PL(lang, "大小", "size"), size);
	page_esc(b, r->ckpt_root);
	buf_puts(b, "</dd>\n");
	buf_printf(b, "<dt>%s</dt><dd class=\"mono\">",
	    PL(lang, "签名公钥", "Signing key"));
	page_esc(b, r->key_vkey);
	buf_puts(b, "</dd>\n</dl>\n</section>\n");
}

void
render_cert_page(struct buf *b, enum page_lang lang, const char *serial,
    const struct vdb_result *r)
{
	char title[96];
	const char *lq = lang == PAGE_EN ? "?lang=en" : "";

	snprintf(title, sizeof(title), "%s · %s", status_word(lang, r->status),
	    serial);
	page_head(b, lang, title);
	buf_printf(b, "<div class=\"banner %s\" role=\"status\">"
	    "<span class=\"big\">%s</span>\n", status_class(r->status),
	    status_word(lang, r->status));
	switch (r->status) {
	case VDB_VALID:
		buf_printf(b, "<p>%s</p>\n", PL(lang,
		    "证书签名有效，且已记录在公开账本中。",
		    "The certificate's signature is valid and it is recorded "
		    "in the public ledger."));
		break;
	case VDB_REVOKED:
		buf_printf(b, "<p>%s: ", PL(lang, "撤销原因", "Reason"));
		page_esc(b, page_revoke_reason(lang, r->reason));
		buf_printf(b, "</p>\n<p>%s: ", PL(lang, "撤销时间", "Revoked at"));
		page_esc(b, r->revoked_at);
		buf_puts(b, "</p>\n");
		if (r->replaced_by[0] != '\0') {
			buf_printf(b, "<p>%s: <a href=\"/c/", PL(lang,
			    "替换证书", "Replacement"));
			page_esc(b, r->replaced_by);
			buf_puts(b, lq);
			buf_puts(b, "\">");
			page_esc(b, r->replaced_by);
			buf_puts(b, "</a></p>\n");
		}
		break;
	case VDB_NOTFOUND:
		buf_printf(b, "<p>%s</p>\n", PL(lang,
		    "没有编号为此的证书。请核对编号。",
		    "There is no certificate with this number. Check the "
		    "number."));
		break;
	default:
		buf_printf(b, "<p>%s</p>\n", PL(lang,
		    "此证书未能通过签名或账本核验，请勿采信。",
		    "This certificate failed the signature or ledger check; "
		    "do not rely on it."));
		break;
	}
	if (r->problem[0] != '\0' && r->status != VDB_VALID) {
		buf_puts(b, "<p class=\"mono\">");
		page_esc(b, r->problem);
		buf_puts(b, "</p>\n");
	}
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
	{
		char path[64];

		snprintf(path, sizeof(path), "/c/%s", serial);
		page_foot(b, lang, path);
	}
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

	o = json_pack("{s:s,s:s}", "serial", serial, "status",
	    render_status_name(r->status));
	if (o == NULL)
		return NULL;
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
    const struct vdb_upload_result *u)
{
	const char *lq = lang == PAGE_EN ? "?lang=en" : "";

	page_head(b, lang, upload_word(lang, u->outcome));
	buf_printf(b, "<div class=\"banner %s\" role=\"status\">"
	    "<span class=\"big\">%s</span>\n", upload_class(u->outcome),
	    upload_word(lang, u->outcome));
	if (filename != NULL && filename[0] != '\0') {
		buf_printf(b, "<p>%s: ", PL(lang, "文件", "File"));
		page_esc(b, filename);
		buf_puts(b, "</p>\n");
	}
	if (u->problem[0] != '\0') {
		buf_puts(b, "<p class=\"mono\">");
		page_esc(b, u->problem);
		buf_puts(b, "</p>\n");
	}
	buf_puts(b, "</div>\n<section class=\"card\"><dl>\n");
	buf_printf(b, "<dt>SHA-256</dt><dd class=\"mono\">%s</dd>\n",
	    u->sha256);
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
	buf_puts(b, "</dl></section>\n");
	if (u->cert.have_cert) {
		buf_printf(b, "<p class=\"noprint\"><a href=\"/c/");
		page_esc(b, u->cert.cert.serial);
		buf_printf(b, "%s\">%s</a></p>\n", lq,
		    PL(lang, "查看证书核验页", "Open the certificate's page"));
		cert_body(b, lang, &u->cert);
	}
	buf_printf(b, "<p class=\"noprint\"><a href=\"/%s\">%s</a></p>\n", lq,
	    PL(lang, "返回核验首页", "Back to verification"));
	page_foot(b, lang, "/");
}

json_t *
render_upload_json(const struct vdb_upload_result *u)
{
	json_t *o;

	o = json_pack("{s:s,s:s,s:b,s:b}", "outcome",
	    render_upload_name(u->outcome), "sha256", u->sha256,
	    "receipt_valid", u->receipt_ok, "consistent_with_latest",
	    u->consistent);
	if (o == NULL)
		return NULL;
	if (u->problem[0] != '\0')
		json_object_set_new(o, "problem", jstr(u->problem));
	if (u->differs[0] != '\0')
		json_object_set_new(o, "differs", jstr(u->differs));
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
render_row_status(const struct render_row *row, enum page_lang lang,
    bool name)
{
	if (name || lang == PAGE_EN)
		return row->upload ? render_upload_name(row->up) :
		    render_status_name(row->st);
	return row->upload ? upload_word(PAGE_ZH, row->up) :
	    status_word(PAGE_ZH, row->st);
}

bool
render_row_good(const struct render_row *row)
{
	return row->upload ? row->up == VDB_UP_AUTHENTIC :
	    row->st == VDB_VALID;
}

void
render_row_not_cert(struct render_row *row, const char *problem)
{
	row->done = 1;
	row->upload = 1;
	row->up = VDB_UP_NOT_CERT;
	snprintf(row->problem, sizeof(row->problem), "%s", problem);
}

void
render_row_not_found(struct render_row *row, const char *problem)
{
	row->done = 1;
	row->upload = 0;
	row->st = VDB_NOTFOUND;
	snprintf(row->problem, sizeof(row->problem), "%s", problem);
}

void
render_row_cert(struct render_row *row, const struct vdb_result *r)
{
	row->done = 1;
	row->upload = 0;
	row->st = r->status;
	snprintf(row->problem, sizeof(row->problem), "%s", r->problem);
	if (r->have_cert) {
		snprintf(row->name, sizeof(row->name), "%s", r->cert.name);
		snprintf(row->id_masked, sizeof(row->id_masked), "%s",
		    r->cert.id_masked);
		row->year = r->cert.year;
		hours_format(r->cert.total10, row->hours);
		if (r->cert.kind == CERT_ANNUAL && !r->cert.met &&
		    row->problem[0] == '\0')
			snprintf(row->problem, sizeof(row->problem),
			    "yearly requirement not met");
	}
	if (r->status == VDB_REVOKED && row->problem[0] == '\0')
		snprintf(row->problem, sizeof(row->problem), "revoked %s: %s%s%s",
		    r->revoked_at, r->reason, r->replaced_by[0] ?
		    ", replaced by " : "", r->replaced_by);
}

void
render_row_upload(struct render_row *row, const struct vdb_upload_result *u)
{
	if (u->cert.have_cert) {
		render_row_cert(row, &u->cert);
		snprintf(row->serial, sizeof(row->serial), "%s",
		    u->cert.cert.serial);
	}
	row->done = 1;
	row->upload = 1;
	row->up = u->outcome;
	if (u->problem[0] != '\0')
		snprintf(row->problem, sizeof(row->problem), "%s", u->problem);
}

void
render_batch_csv(struct buf *b, const struct render_row *rows, size_t n)
{
	size_t i;
	char y[16];

	buf_puts(b, "item,serial,name,id_masked,year,hours,status,problem\r\n");
	for (i = 0; i < n; i++) {
		const struct render_row *r = &rows[i];

		snprintf(y, sizeof(y), "%d", r->year);
		buf_csv_field(b, r->item, true);
		buf_putc(b, ',');
		buf_csv_field(b, r->serial, true);
		buf_putc(b, ',');
		buf_csv_field(b, r->name, true);
		buf_putc(b, ',');
		buf_csv_field(b, r->id_masked, true);
		buf_putc(b, ',');
		buf_csv_field(b, r->year ? y : "", true);
		buf_putc(b, ',');
		buf_csv_field(b, r->hours, true);
		buf_putc(b, ',');
		buf_csv_field(b, render_row_status(r, PAGE_EN, true), true);
		buf_putc(b, ',');
		buf_csv_field(b, r->problem, true);
		buf_puts(b, "\r\n");
	}
}

json_t *
render_batch_json(const struct render_row *rows, size_t n)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < n; i++) {
		const struct render_row *r = &rows[i];
		json_t *o = json_pack("{s:o,s:s,s:s}", "item", jstr(r->item),
		    "serial", r->serial, "status",
		    render_row_status(r, PAGE_EN, true));

		if (o == NULL)
			continue;
		if (r->name[0] != '\0') {
			json_object_set_new(o, "name", json_string(r->name));
			json_object_set_new(o, "id_masked",
			    json_string(r->id_masked));
			json_object_set_new(o, "year", json_integer(r->year));
			json_object_set_new(o, "hours", json_string(r->hours));
		}
		if (r->problem[0] != '\0')
			json_object_set_new(o, "problem", jstr(r->problem));
		json_array_append_new(arr, o);
	}
	return json_pack("{s:I,s:o}", "count", (json_int_t)n, "rows", arr);
}

void
render_batch_page(struct buf *b, enum page_lang lang,
    const struct render_row *rows, size_t n)
{
	size_t i, nvalid = 0;
	char y[16];

	for (i = 0; i < n; i++)
		if (render_row_good(&rows[i]))
			nvalid++;
	page_head(b, lang, PL(lang, "批量核验结果", "Batch verification"));
	buf_printf(b, "<h1>%s</h1>\n<p>%s %zu · %s %zu</p>\n",
	    PL(lang, "批量核验结果", "Batch verification"),
	    PL(lang, "共", "Items:"), n, PL(lang, "有效", "valid:"), nvalid);
	buf_printf(b, "<div class=\"tablewrap\"><table>\n<thead><tr>"
	    "<th>#</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
	    "<th>%s</th><th>%s</th><th>%s</th></tr></thead>\n<tbody>\n",
	    PL(lang, "证书编号", "Serial"), PL(lang, "姓名", "Name"),
	    PL(lang, "身份证号", "ID"), PL(lang, "年度", "Year"),
	    PL(lang, "学时", "Hours"), PL(lang, "状态", "Status"),
	    PL(lang, "问题", "Problem"));
	for (i = 0; i < n; i++) {
		const struct render_row *r = &rows[i];
		int good = render_row_good(r);

		buf_printf(b, "<tr><td class=\"num\">%zu</td><td class=\"mono\">",
		    i + 1);
		if (r->serial[0] != '\0') {
			buf_puts(b, "<a href=\"/c/");
			page_esc(b, r->serial);
			buf_puts(b, lang == PAGE_EN ? "?lang=en" : "");
			buf_puts(b, "\">");
			page_esc(b, r->serial);
			buf_puts(b, "</a>");
		} else {
			page_esc(b, r->item);
		}
		buf_puts(b, "</td><td>");
		page_esc(b, r->name);
		buf_puts(b, "</td><td class=\"mono\">");
		page_esc(b, r->id_masked);
		snprintf(y, sizeof(y), "%d", r->year);
		buf_printf(b, "</td><td class=\"num\">%s</td><td class=\"num\">",
		    r->year ? y : "");
		page_esc(b, r->hours);
		buf_printf(b, "</td><td class=\"%s\">", good ? "status-valid" :
		    "status-bad");
		page_esc(b, render_row_status(r, lang, false));
		buf_puts(b, "</td><td>");
		page_esc(b, r->problem);
		buf_puts(b, "</td></tr>\n");
	}
	buf_puts(b, "</tbody></table></div>\n");
	page_foot(b, lang, "/");
}
