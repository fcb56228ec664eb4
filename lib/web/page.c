/*
 * page.c - HTML frame, escaping, style sheet and static pages (page.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "web/page.h"
#include "core/tz.h"

enum page_lang
page_lang(const char *q, const char *al)
{
	const char *p;

	if (q != NULL) {
		if (strncasecmp(q, "en", 2) == 0)
			return PAGE_EN;
		if (strncasecmp(q, "zh", 2) == 0)
			return PAGE_ZH;
	}
	if (al == NULL)
		return PAGE_ZH;
	/* The first zh or en tag wins; q-values are rarely out of order. */
	for (p = al; *p != '\0'; ) {
		while (*p == ' ' || *p == ',')
			p++;
		if (strncasecmp(p, "zh", 2) == 0 &&
		    (p[2] == '\0' || p[2] == '-' || p[2] == ';' || p[2] == ','))
			return PAGE_ZH;
		if (strncasecmp(p, "en", 2) == 0 &&
		    (p[2] == '\0' || p[2] == '-' || p[2] == ';' || p[2] == ','))
			return PAGE_EN;
		p = strchr(p, ',');
		if (p == NULL)
			break;
	}
	return PAGE_ZH;
}

void
page_escn(struct buf *b, const char *s, size_t n)
{
	size_t i = 0, run = 0, k;
	uint32_t cp;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		const char *rep = NULL;

		switch (c) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: break;
		}
		if (rep != NULL || (c < 0x20 && c != '\n' && c != '\t') ||
		    c == 0x7f) {
			buf_add(b, s + run, i - run);
			buf_puts(b, rep ? rep : "\xef\xbf\xbd");
			i++;
			run = i;
			continue;
		}
		if (c < 0x80) {
			i++;
			continue;
		}
		k = utf8_next(s + i, n - i, &cp);
		if (k == 0) {
			buf_add(b, s + run, i - run);
			buf_puts(b, "\xef\xbf\xbd");
			i++;
			run = i;
			continue;
		}
		i += k;
	}
	buf_add(b, s + run, n - run);
}

const char *
page_revoke_reason(enum page_lang lang, const char *reason)
{
	if (strcmp(reason, "superseded") == 0)
		return PL(lang, "已被新证书替换", "superseded by a new certificate");
	if (strcmp(reason, "error") == 0)
		return PL(lang, "信息有误", "issued in error");
	if (strcmp(reason, "fraud") == 0)
		return PL(lang, "存在舞弊", "fraud");
	if (strcmp(reason, "withdrawn") == 0)
		return PL(lang, "已撤回", "withdrawn");
	return reason;
}

void
page_esc(struct buf *b, const char *s)
{
	if (s != NULL)
		page_escn(b, s, strlen(s));
}

void
page_open(struct buf *b, enum page_lang lang, const char *title,
    const char *href, const char *brand)
{
	buf_printf(b, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n"
	    "<meta name=\"referrer\" content=\"no-referrer\">\n"
	    "<link rel=\"stylesheet\" href=\"/style.css\">\n<title>",
	    lang == PAGE_EN ? "en" : "zh-CN");
	page_esc(b, title);
	buf_printf(b, "</title>\n</head>\n<body>\n<header class=\"bar\">"
	    "<a class=\"brand\" href=\"%s\">%s</a>", href, brand);
}

void
page_head(struct buf *b, enum page_lang lang, const char *title)
{
	page_open(b, lang, title, lang == PAGE_EN ? "/?lang=en" : "/",
	    PL(lang, "继续教育学时证明 · 在线核验",
	    "Continuing-education hours · Verification"));
	buf_puts(b, "</header>\n<main>\n");
}

void
page_foot(struct buf *b, enum page_lang lang, const char *path)
{
	page_foot_op(b, lang, path, NULL);
}

void
page_foot_op(struct buf *b, enum page_lang lang, const char *path,
    const struct page_operator *op)
{
	buf_puts(b, "</main>\n<footer>\n<p>");
	buf_puts(b, PL(lang, "本页面根据公开、防篡改的账本重新核验证书签名后生成。",
	    "This page is produced after re-verifying the certificate's "
	    "signature against a public, tamper-evident ledger."));
	buf_puts(b, "</p>\n");
	if (op != NULL && op->name != NULL && op->name[0] != '\0') {
		buf_printf(b, "<p class=\"operator\">%s",
		    PL(lang, "本核验服务由 ", "This verification service is "
		    "run by "));
		page_esc(b, op->name);
		buf_puts(b, PL(lang, " 提供", ""));
		if (op->contact != NULL && op->contact[0] != '\0') {
			buf_puts(b, PL(lang, " · 联系方式：", " · contact: "));
			page_esc(b, op->contact);
		}
		if (op->url != NULL && op->url[0] != '\0') {
			buf_puts(b, " · ");
			page_esc(b, op->url);
		}
		buf_puts(b, "</p>\n");
	}
	buf_puts(b, "<p class=\"lang\">");
	if (lang == PAGE_EN) {
		buf_puts(b, "<a href=\"");
		page_esc(b, path);
		buf_puts(b, "?lang=zh\" lang=\"zh-CN\">中文</a> · English");
	} else {
		buf_puts(b, "中文 · <a href=\"");
		page_esc(b, path);
		buf_puts(b, "?lang=en\" lang=\"en\">English</a>");
	}
	buf_puts(b, " · <a href=\"/keys\">");
	buf_puts(b, PL(lang, "验证公钥", "Verifier keys"));
	buf_puts(b, "</a> · <a href=\"/checkpoint\">");
	buf_puts(b, PL(lang, "账本检查点", "Ledger checkpoint"));
	buf_puts(b, "</a></p>\n</footer>\n</body>\n</html>\n");
}

void
page_tech(struct buf *b, enum page_lang lang, const char *text)
{
	if (text == NULL || text[0] == '\0')
		return;
	buf_printf(b, "<details class=\"tech\"><summary>%s</summary>"
	    "<p class=\"mono\">", PL(lang, "技术信息", "Technical details"));
	page_esc(b, text);
	buf_puts(b, "</p></details>\n");
}

/*
 * Mobile first: one column, big tap targets; wider screens get a centred
 * column. The print rules drop the forms and navigation and keep the
 * banner readable in black and white.
 */
const char page_css[] =
":root{--ok:#1b7a33;--bad:#b3261e;--warn:#8a5a00;--ink:#1d1d1f;"
"--mute:#5f6368;--line:#d9dce1;--bg:#f6f7f9}\n"
"*{box-sizing:border-box}\n"
"html{-webkit-text-size-adjust:100%}\n"
"body{margin:0;font:16px/1.55 system-ui,-apple-system,\"PingFang SC\","
"\"Noto Sans CJK SC\",\"WenQuanYi Micro Hei\",\"Microsoft YaHei\","
"sans-serif;color:var(--ink);background:var(--bg)}\n"
".bar{background:#fff;border-bottom:1px solid var(--line);padding:.7rem 1rem}\n"
".brand{color:var(--ink);text-decoration:none;font-weight:600}\n"
"main{max-width:46rem;margin:0 auto;padding:1rem}\n"
"h1{font-size:1.35rem;margin:.2rem 0 1rem}\n"
"h2{font-size:1.1rem;margin:1.5rem 0 .5rem}\n"
".card>h2:first-child{margin-top:0}\n"
".banner{border-radius:10px;padding:1rem 1.1rem;color:#fff;margin:0 0 1rem}\n"
".banner .big{font-size:2rem;font-weight:700;letter-spacing:.1em;"
"display:block}\n"
".banner p{margin:.3rem 0 0}\n"
".banner a{color:#fff}\n"
".valid{background:var(--ok)}\n"
".revoked,.badsig{background:var(--bad)}\n"
".notfound,.modified{background:var(--warn)}\n"
".card{background:#fff;border:1px solid var(--line);border-radius:10px;"
"padding:1rem;margin:0 0 1rem}\n"
"dl{display:grid;grid-template-columns:max-content 1fr;gap:.35rem 1rem;margin:0}\n"
"dt{color:var(--mute)}\n"
"dd{margin:0;overflow-wrap:anywhere}\n"
".mono{font-family:ui-monospace,\"DejaVu Sans Mono\",monospace;"
"font-size:.9em;overflow-wrap:anywhere}\n"
".tablewrap{overflow-x:auto}\n"
"table{border-collapse:collapse;width:100%;background:#fff;font-size:.88rem}\n"
"th,td{border:1px solid var(--line);padding:.35rem .4rem;text-align:left;"
"vertical-align:top}\n"
"th{background:#eef0f3}\n"
"td.num{text-align:right;white-space:nowrap}\n"
".met{color:var(--ok);font-weight:600}\n"
".unmet{color:var(--bad);font-weight:600}\n"
"form{display:flex;flex-direction:column;gap:.6rem}\n"
"label{font-weight:600}\n"
"input[type=text],input[type=file],textarea{font:inherit;padding:.7rem;"
"border:1px solid var(--line);border-radius:8px;background:#fff;width:100%}\n"
"button{font:inherit;font-weight:600;padding:.75rem 1rem;border:0;"
"border-radius:8px;background:#1a57c6;color:#fff}\n"
".hint{color:var(--mute);font-size:.9rem;margin:0}\n"
"footer{max-width:46rem;margin:0 auto;padding:1rem;color:var(--mute);"
"font-size:.85rem}\n"
"footer a{color:var(--mute)}\n"
".status-valid{color:var(--ok);font-weight:600}\n"
".status-bad{color:var(--bad);font-weight:600}\n"
".warn{background:var(--warn)}\n"
".grey{background:var(--mute)}\n"
".status-unmet{color:var(--warn);font-weight:600}\n"
".status-grey{color:var(--mute);font-weight:600}\n"
"details.tech{margin:.5rem 0;color:var(--mute)}\n"
"details.tech summary{cursor:pointer}\n"
".banner details.tech{color:#fff}\n"
".printonly{display:none}\n"
".counts{display:flex;flex-wrap:wrap;gap:.4rem 1rem;padding:0;"
"list-style:none}\n"
".downloads{display:flex;flex-wrap:wrap;gap:.6rem}\n"
".downloads a{font-weight:600}\n"
"@media (max-width:40rem){table.records thead,table.batch thead"
"{display:none}"
"table.records,table.records tbody,table.records tr,table.records td,"
"table.batch,table.batch tbody,table.batch tr,table.batch td"
"{display:block;width:100%}"
"table.records tr,table.batch tr{border:1px solid var(--line);"
"border-radius:8px;margin:0 0 .6rem;padding:.3rem .5rem}"
"table.records td,table.batch td{border:0;padding:.15rem 0;"
"text-align:left;white-space:normal}"
"table.records td::before,table.batch td::before"
"{content:attr(data-label) \"：\";color:var(--mute);margin-right:.3rem}}\n"
"@media (min-width:48rem){main{padding:2rem 1rem}h1{font-size:1.6rem}}\n"
"@media print{body{background:#fff;font-size:11pt}.bar,footer .lang,"
"form,.noprint,details.tech{display:none}.printonly{display:block}"
".card{border:0;padding:0}"
".banner{color:#000;border:3px solid #000;background:#fff!important}"
".banner a{color:#000}main{max-width:none;padding:0}"
"table{font-size:9pt}.tablewrap{overflow:visible}"
"table.batch{font-size:7.5pt}table.batch td{overflow-wrap:anywhere}"
".card.checked{border:1px solid #000;padding:.5rem}}\n";

size_t
page_css_len(void)
{
	return sizeof(page_css) - 1;
}

void
page_index(struct buf *b, enum page_lang lang)
{
	page_index_op(b, lang, NULL);
}

void
page_index_op(struct buf *b, enum page_lang lang,
    const struct page_operator *op)
{
	const char *lq = lang == PAGE_EN ? "?lang=en" : "";
	char batch_hint[128], num[16];

	/* PAGE_BATCH_MAX in words: "1000" in Chinese, "1,000" in English. */
	if (PAGE_BATCH_MAX >= 1000)
		snprintf(num, sizeof(num), "%d,%03d", PAGE_BATCH_MAX / 1000,
		    PAGE_BATCH_MAX % 1000);
	else
		snprintf(num, sizeof(num), "%d", PAGE_BATCH_MAX);
	if (lang == PAGE_EN)
		snprintf(batch_hint, sizeof(batch_hint), "Up to %s items at a "
		    "time; one row per item, printable.", num);
	else
		snprintf(batch_hint, sizeof(batch_hint), "每次最多 %d 份；"
		    "结果逐行列出，可打印。", PAGE_BATCH_MAX);

	page_head(b, lang, PL(lang, "证书核验", "Verify a certificate"));
	buf_printf(b, "<h1>%s</h1>\n", PL(lang, "继续教育学时证明核验",
	    "Verify a continuing-education hour certificate"));
	/* 1. serial, like an online verification code */
	buf_printf(b, "<section class=\"card\">\n<h2>%s</h2>\n"
	    "<form method=\"get\" action=\"/c/\">\n"
	    "<label for=\"s\">%s</label>\n"
	    "<input type=\"text\" id=\"s\" name=\"s\" maxlength=\"64\" "
	    "autocomplete=\"off\" autocapitalize=\"characters\" "
	    "spellcheck=\"false\" placeholder=\"2024-7K3M-9Q2D-XW8P-4HJN\" "
	    "required>\n",
	    PL(lang, "输入证书编号", "Enter the certificate number"),
	    PL(lang, "证书编号（不区分大小写，可省略连字符）",
	    "Certificate number (any case, dashes optional)"));
	if (lang == PAGE_EN)
		buf_puts(b, "<input type=\"hidden\" name=\"lang\" "
		    "value=\"en\">\n");
	buf_printf(b, "<button type=\"submit\">%s</button>\n</form>\n"
	    "</section>\n", PL(lang, "查询", "Check"));
	/* 2. one PDF */
	buf_printf(b, "<section class=\"card\">\n<h2>%s</h2>\n"
	    "<form method=\"post\" action=\"/api/v1/verify%s\" "
	    "enctype=\"multipart/form-data\">\n"
	    "<label for=\"f\">%s</label>\n"
	    "<input type=\"file\" id=\"f\" name=\"file\" "
	    "accept=\"application/pdf,.pdf,.note,image/jpeg,image/png,.jpg,.jpeg,.png\" required>\n"
	    "<input type=\"hidden\" name=\"format\" value=\"html\">\n"
	    "<p class=\"hint\">%s</p>\n"
	    "<button type=\"submit\">%s</button>\n</form>\n</section>\n",
	    PL(lang, "上传证书 PDF", "Upload a certificate PDF"), lq,
	    PL(lang, "PDF 文件（不超过 10 MB）", "PDF file (at most 10 MB)"),
	    PL(lang, "核验签名、账本收据，并判断文件是否与签发时逐字节一致。",
	    "Checks the signature and the ledger receipt, and whether the "
	    "file is byte for byte the one that was issued."),
	    PL(lang, "核验文件", "Verify file"));
	/* 3. a batch */
	buf_printf(b, "<section class=\"card\">\n<h2>%s</h2>\n"
	    "<form method=\"post\" action=\"/api/v1/verify/batch%s\" "
	    "enctype=\"multipart/form-data\">\n"
	    "<label for=\"list\">%s</label>\n"
	    "<textarea id=\"list\" name=\"list\" rows=\"5\" "
	    "spellcheck=\"false\"></textarea>\n"
	    "<label for=\"files\">%s</label>\n"
	    "<input type=\"file\" id=\"files\" name=\"files\" multiple "
	    "accept=\"application/pdf,.pdf,.csv,.txt,image/jpeg,image/png,.jpg,.jpeg,.png\">\n"
	    "<input type=\"hidden\" name=\"format\" value=\"html\">\n"
	    "<p class=\"hint\">%s</p>\n"
	    "<button type=\"submit\">%s</button>\n</form>\n</section>\n",
	    PL(lang, "批量核验（评审委员会）", "Batch verification (committees)"),
	    lq,
	    PL(lang, "证书编号或二维码网址，每行一个", "Certificate numbers or "
	    "QR code addresses, one a line"),
	    PL(lang, "或上传多个 PDF / CSV 文件",
	    "or upload several PDF / CSV files"),
	    batch_hint,
	    PL(lang, "批量核验", "Verify all"));
	page_foot_op(b, lang, "/", op);
}

static const char *
status_text(enum page_lang lang, int status)
{
	switch (status) {
	case 400: return PL(lang, "请求无效", "Bad request");
	case 404: return PL(lang, "未找到", "Not found");
	case 405: return PL(lang, "不支持的请求方法", "Method not allowed");
	case 408: return PL(lang, "请求超时", "Request timeout");
	case 411: return PL(lang, "缺少长度", "Length required");
	case 413: return PL(lang, "内容过大", "Content too large");
	case 414: return PL(lang, "网址过长", "URL too long");
	case 415: return PL(lang, "不支持的内容类型", "Unsupported media type");
	case 422: return PL(lang, "无法处理的内容", "Unprocessable content");
	case 429: return PL(lang, "请求过于频繁", "Too many requests");
	case 431: return PL(lang, "请求头过大", "Header fields too large");
	case 503: return PL(lang, "服务暂不可用", "Service unavailable");
	default: return PL(lang, "服务器错误", "Server error");
	}
}

void
page_error(struct buf *b, enum page_lang lang, int status, const char *msg)
{
	page_error_op(b, lang, status, msg, NULL, NULL);
}

void
page_error_op(struct buf *b, enum page_lang lang, int status,
    const char *msg, const char *detail, const struct page_operator *op)
{
	page_head(b, lang, status_text(lang, status));
	buf_printf(b, "<h1>%d · ", status);
	page_esc(b, status_text(lang, status));
	buf_puts(b, "</h1>\n<section class=\"card\"><p>");
	page_esc(b, msg);
	buf_puts(b, "</p>\n");
	page_tech(b, lang, detail);
	buf_printf(b, "<p><a href=\"/%s\">%s</a></p></section>\n",
	    lang == PAGE_EN ? "?lang=en" : "",
	    PL(lang, "返回核验首页", "Back to verification"));
	page_foot_op(b, lang, "/", op);
}

void
page_unavailable(struct buf *b, enum page_lang lang, const char *reason)
{
	page_unavailable_op(b, lang, reason, NULL);
}

void
page_unavailable_op(struct buf *b, enum page_lang lang, const char *reason,
    const struct page_operator *op)
{
	page_head(b, lang, PL(lang, "暂时无法核验", "Cannot verify now"));
	buf_printf(b, "<div class=\"banner notfound\" role=\"status\">"
	    "<span class=\"big\">%s</span>\n<p>%s</p>\n",
	    PL(lang, "暂时无法核验", "Cannot verify now"),
	    PL(lang, "本核验服务目前无法读取或确认其账本数据，因此不能给出核验结论。"
	    "这不表示证书无效，请稍后再试。",
	    "This verification service cannot read or trust its ledger data "
	    "right now, so it gives no verdict. This does not mean the "
	    "certificate is invalid; please try again later."));
	/* The reason is the service's own words (English): folded. */
	page_tech(b, lang, reason);
	buf_printf(b, "</div>\n<p><a href=\"/%s\">%s</a></p>\n",
	    lang == PAGE_EN ? "?lang=en" : "",
	    PL(lang, "返回核验首页", "Back to verification"));
	page_foot_op(b, lang, "/", op);
}

void
page_time(struct buf *b, enum page_lang lang, const char *rfc3339)
{
	char when[HS_TIME_SHOW_MAX];

	hs_time_show_str(rfc3339, lang == PAGE_EN, when);
	page_esc(b, when);
}

void
page_time_t(struct buf *b, enum page_lang lang, long long t)
{
	char when[HS_TIME_SHOW_MAX];

	hs_time_show((time_t)t, lang == PAGE_EN, when);
	page_esc(b, when);
}
