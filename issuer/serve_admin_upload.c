/*
 * serve_admin_upload.c - a training base's console upload (issue 13):
 *
 *   GET  /admin/records/upload   the form: a CSV, JSON Lines or .xlsx file
 *   POST /admin/records/upload   multipart/form-data (web/mpart.h): the
 *                                CSRF token, the file, skip_invalid
 *
 * The file goes through import_buffer exactly as POST /api/v1/records
 * takes a body: every row checked as `import` checks it, every row's
 * provider must be the account's, all or nothing unless skip_invalid,
 * one record.submit audit row with the account as actor committed with
 * the records, at most 20,000 rows and 8 MiB. The answer lists each
 * rejected row's line, field and reason (escaped), or the counts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "serve.h"
#include "serve_api.h"
#include "app/import.h"
#include "store/audit.h"
#include "store/store.h"
#include "core/util.h"
#include "web/mpart.h"
#include "web/page.h"

#define UPLOAD_PARTS 8

/* GET /admin/records/upload */
void
serve_upload_form(struct sreq *q)
{
	enum page_lang lang = q->lang;
	struct buf page, *b = &page;

	buf_init(&page);
	serve_page_begin(q, b, PL(lang, "上传学时记录", "Upload records"));
	buf_printf(b, "<h1>%s</h1>\n<form method=\"post\" action=\""
	    "/admin/records/upload\" enctype=\"multipart/form-data\" "
	    "class=\"card\">", PL(lang, "上传学时记录", "Upload records"));
	serve_csrf_field(q, b);
	buf_printf(b, "<label>%s <input type=\"file\" name=\"file\" accept=\""
	    ".csv,.jsonl,.json,.xlsx,text/csv,application/x-ndjson,"
	    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	    "\" required>"
	    "</label> <label><input type=\"checkbox\" name=\"skip_invalid\" "
	    "value=\"1\"> %s</label> <button>%s</button><p class=\"hint\">%s"
	    "</p></form>\n", PL(lang, "文件", "File"), PL(lang,
	    "跳过有误的行，导入其余", "skip the rows in error, import the rest"),
	    PL(lang, "上传", "Upload"), PL(lang, "Excel 工作簿（.xlsx，读第一个"
	    "工作表）、CSV（含表头）或 JSON Lines，UTF-8；每行的施训机构须为"
	    "本机构；至多 20,000 行、8 MiB。", "An Excel workbook (.xlsx, its "
	    "first sheet), CSV with a header row or JSON Lines, UTF-8; every "
	    "row's provider must be yours; at most 20,000 rows and 8 MiB."));
	serve_page_end(q, b, 200);
}

struct upload_errs {
	struct buf *b;
	size_t n;
	struct buf *warn;             /* the warnings, as <li> items */
	size_t nwarn;
};

/* The importer's warnings (columns ignored, rows skipped) for the page. */
static void
upload_report(void *ctx, enum import_level level, const char *msg)
{
	struct upload_errs *e = ctx;

	if (level != IMPORT_WARNING || e->nwarn++ >= 100)
		return;
	buf_puts(e->warn, "<li>");
	page_esc(e->warn, utf8_valid(msg, strlen(msg)) ? msg :
	    "(invalid text)");
	buf_puts(e->warn, "</li>\n");
}

static void
upload_row_error(void *ctx, size_t line, const char *field,
    const char *reason)
{
	struct upload_errs *e = ctx;

	if (e->n++ >= API_ROW_ERRORS_MAX)
		return;
	buf_printf(e->b, "<tr><td class=\"num\">%zu</td><td class=\"mono\">",
	    line);
	page_esc(e->b, field[0] ? field : "-");
	buf_puts(e->b, "</td><td>");
	page_esc(e->b, utf8_valid(reason, strlen(reason)) ? reason :
	    "(invalid text)");
	buf_puts(e->b, "</td></tr>\n");
}

/* The format of an uploaded file by its name, then its part's type. */
static enum import_format
upload_format(const struct mpart *p)
{
	const char *dot = strrchr(p->filename, '.');

	if (dot != NULL && strcasecmp(dot, ".csv") == 0)
		return IMPORT_CSV;
	if (dot != NULL && strcasecmp(dot, ".jsonl") == 0)
		return IMPORT_JSONL;
	if (dot != NULL && strcasecmp(dot, ".json") == 0)
		return IMPORT_JSON_ARRAY;
	if (dot != NULL && strcasecmp(dot, ".xlsx") == 0)
		return IMPORT_XLSX;
	if (strcasecmp(p->ctype, "text/csv") == 0)
		return IMPORT_CSV;
	if (strcasecmp(p->ctype, "application/x-ndjson") == 0)
		return IMPORT_JSONL;
	return IMPORT_AUTO;
}

/* POST /admin/records/upload */
void
serve_upload_post(struct sreq *q)
{
	const struct serve_opts *so = serve_opts(q->sv);
	enum page_lang lang = q->lang;
	struct mpart parts[UPLOAD_PARTS];
	const struct mpart *file = NULL;
	char boundary[71], err[HS_ERRLEN] = "", csrf[ACCT_TOKEN_LEN + 1] = "";
	const char *ct = http_header(q->r, "Content-Type");
	bool skip = false;
	struct import_options o;
	struct import_stats st;
	struct upload_errs e;
	struct buf page, *b = &page, rows, warns;
	struct actor who;
	const void *body;
	char *data;
	size_t len, n = 0, i;
	enum hs_err rc;

	/* Not multipart: there is no token to check, so it is refused as a
	 * form without one (403), like every other POST form. */
	if (ct == NULL || mpart_boundary(ct, boundary) != 0) {
		serve_error(q, 403, "expected multipart/form-data with the "
		    "form's CSRF token");
		return;
	}
	body = http_body(q->r, &len);
	if ((rc = mpart_parse(boundary, body, len, parts, UPLOAD_PARTS, &n,
	    err)) != HS_OK) {
		serve_error(q, rc == HS_ERR_TOOBIG ? 413 : 400, err);
		return;
	}
	for (i = 0; i < n; i++) {
		if (strcmp(parts[i].name, "csrf") == 0 && parts[i].len <
		    sizeof(csrf)) {
			memcpy(csrf, parts[i].data, parts[i].len);
			csrf[parts[i].len] = '\0';
		} else if (strcmp(parts[i].name, "file") == 0 && file == NULL)
			file = &parts[i];
		else if (strcmp(parts[i].name, "skip_invalid") == 0)
			skip = parts[i].len == 1 && parts[i].data[0] == '1';
	}
	/* The form is multipart: the core did not check its token. */
	if (!serve_csrf_ok(q, csrf)) {
		serve_error(q, 403, lang == PAGE_EN ?
		    "The form is out of date or was not sent by this site (CSRF "
		    "check). Reload the page and try again." :
		    "表单已过期或并非由本站提交（CSRF 校验未通过）。请刷新页面后"
		    "重试。");
		return;
	}
	if (file == NULL || file->len == 0) {
		serve_error(q, 400, "file: required, an .xlsx, CSV or JSON Lines "
		    "file");
		return;
	}
	/* import_buffer wants data[len] == '\0'. */
	if ((data = malloc(file->len + 1)) == NULL) {
		serve_error(q, 503, "out of memory");
		return;
	}
	memcpy(data, file->data, file->len);
	data[file->len] = '\0';

	memset(&o, 0, sizeof(o));
	serve_actor(q, &who);
	buf_init(&rows);
	buf_init(&warns);
	e.b = &rows;
	e.n = 0;
	e.warn = &warns;
	e.nwarn = 0;
	o.format = upload_format(file);
	o.path = "upload";
	o.today = (long)(q->now / 86400);
	o.max_errors = 1;
	o.skip_invalid = skip;
	o.provider = q->p.provider;
	o.submitted_by = q->p.name;
	o.who = &who;
	o.max_rows = API_RECORDS_MAX_ROWS;
	o.row_error = upload_row_error;
	o.report = upload_report;
	o.ctx = &e;
	memset(&st, 0, sizeof(st));
	rc = import_buffer(q->db, so->cfg, so->pol, &o, data, file->len, &st,
	    err);
	free(data);
	if (rc != HS_OK) {
		/* The import rolled back with its audit row: record the
		 * refusal on its own, as POST /api/v1/records does. */
		char detail[200], aerr[HS_ERRLEN];

		snprintf(detail, sizeof(detail), "refused: rows %zu, rejected "
		    "%zu (%s)", st.rows, st.rejected, hs_strerror(rc));
		if (store_begin(q->db, aerr) == HS_OK) {
			if (audit_append(q->db, &who, "record.submit", q->p.name,
			    detail, NULL, aerr) != HS_OK ||
			    store_commit(q->db, aerr) != HS_OK)
				store_rollback(q->db);
		}
	}
	if (rc != HS_OK && rc != HS_ERR_INVALID) {
		buf_free(&rows);
		buf_free(&warns);
		serve_error(q, rc == HS_ERR_FORMAT ? 400 : serve_status(rc),
		    rc == HS_ERR_TOOBIG ? "at most 20,000 rows and 8 MiB per "
		    "upload; split the file" : err);
		return;
	}
	buf_init(&page);
	serve_page_begin(q, b, PL(lang, "上传结果", "Upload result"));
	buf_printf(b, "<h1>%s</h1>\n", PL(lang, "上传结果", "Upload result"));
	if (rc == HS_ERR_INVALID)
		buf_printf(b, "<p class=\"error\">%s</p>\n", PL(lang,
		    "有行未通过检查，未导入任何记录。修正后重新上传，或勾选“跳过"
		    "有误的行”。", "Some rows failed the checks; nothing was "
		    "imported. Fix them and upload again, or tick \"skip the rows "
		    "in error\"."));
	buf_printf(b, "<p id=\"counts\">%s %zu · %s %zu · %s %zu · %s %zu · "
	    "%s %zu</p>\n", PL(lang, "行数", "rows"), st.rows,
	    PL(lang, "新增", "inserted"), rc == HS_OK ? st.inserted : 0,
	    PL(lang, "已存在", "unchanged"), rc == HS_OK ? st.duplicates : 0,
	    PL(lang, "有误", "rejected"), st.rejected,
	    PL(lang, "自动验印", "stamped automatically"),
	    rc == HS_OK ? st.auto_stamped : 0);
	if (e.n > 0) {
		buf_printf(b, "<div class=\"tablewrap\"><table class=\"records "
		    "rowerrs\">\n<thead><tr><th>%s</th><th>%s</th><th>%s</th>"
		    "</tr></thead>\n<tbody>\n", PL(lang, "行", "Line"),
		    PL(lang, "字段", "Field"), PL(lang, "原因", "Reason"));
		buf_add(b, rows.data, rows.len);
		buf_puts(b, "</tbody></table></div>\n");
		if (e.n > API_ROW_ERRORS_MAX)
			buf_printf(b, "<p class=\"hint\">%s %zu</p>\n", PL(lang,
			    "仅列出前 1000 行；有误行共", "Only the first 1000 "
			    "are listed; rows in error:"), e.n);
	}
	buf_free(&rows);
	if (e.nwarn > 0) {
		buf_printf(b, "<h2>%s</h2>\n<ul class=\"warnings\">\n", PL(lang,
		    "提示（已跳过或忽略）", "Warnings (skipped or ignored)"));
		buf_add(b, warns.data, warns.len);
		buf_puts(b, "</ul>\n");
	}
	buf_free(&warns);
	buf_printf(b, "<p><a href=\"/admin/records/upload\">%s</a> · <a href="
	    "\"/admin/records?state=any\">%s</a></p>\n", PL(lang, "再上传",
	    "Upload another"), PL(lang, "本机构的记录", "Your records"));
	serve_page_end(q, b, rc == HS_OK ? 200 : 422);
}
