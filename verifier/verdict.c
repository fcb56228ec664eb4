/*
 * verdict.c - the headline of a verification answer (verdict.h).
 */
#include <stdio.h>
#include <string.h>

#include "verdict.h"

static long
shortfall(long got, long need)
{
	return need > got ? need - got : 0;
}

void
verdict_make(struct verdict *v, enum vdb_status st, const struct cert *c,
    const char *reason, const char *replaced_by)
{
	memset(v, 0, sizeof(*v));
	if (reason != NULL)
		snprintf(v->reason, sizeof(v->reason), "%s", reason);
	if (replaced_by != NULL)
		snprintf(v->replaced_by, sizeof(v->replaced_by), "%s",
		    replaced_by);
	switch (st) {
	case VDB_VALID:
		/* Every caller passes the decoded note of a valid answer
		 * (pages and rows are rendered from it); without one there
		 * is no requirement to judge, as for a course certificate. */
		if (c == NULL || c->kind != CERT_ANNUAL) {
			v->kind = VERDICT_VALID_COURSE;
		} else if (c->met) {
			v->kind = VERDICT_VALID_MET;
		} else {
			v->kind = VERDICT_VALID_UNMET;
			v->short_public10 = shortfall(c->public10,
			    c->req_public10);
			v->short_professional10 = shortfall(c->professional10,
			    c->req_professional10);
			v->short_total10 = shortfall(c->total10,
			    c->req_total10);
		}
		break;
	case VDB_REVOKED:
		v->kind = strcmp(v->reason, "superseded") == 0 ||
		    v->replaced_by[0] != '\0' ? VERDICT_SUPERSEDED :
		    VERDICT_REVOKED;
		break;
	case VDB_NOTFOUND:
		v->kind = VERDICT_NOT_FOUND;
		break;
	default:
		v->kind = VERDICT_BAD_SIGNATURE;
		break;
	}
	v->ledger = v->kind;
}

void
verdict_of_result(struct verdict *v, const struct vdb_result *r)
{
	verdict_make(v, r->status, r->have_cert ? &r->cert : NULL, r->reason,
	    r->replaced_by);
}

void
verdict_unavailable(struct verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->kind = v->ledger = VERDICT_UNAVAILABLE;
}

void
verdict_of_upload(struct verdict *v, const struct vdb_upload_result *u)
{
	bool have = u->cert.have_cert || u->cert.status == VDB_REVOKED;

	if (have)
		verdict_of_result(v, &u->cert);
	else
		verdict_make(v, VDB_NOTFOUND, NULL, NULL, NULL);
	v->upload = true;
	v->file = u->outcome;
	snprintf(v->differs, sizeof(v->differs), "%s", u->differs);
	switch (u->outcome) {
	case VDB_UP_AUTHENTIC:
	case VDB_UP_NOTE_OK:
	case VDB_UP_RESAVED:
	case VDB_UP_COPY:
	case VDB_UP_REVOKED:
		/* The ledger's answer is the headline. */
		if (!have && u->outcome != VDB_UP_COPY)
			v->kind = VERDICT_BAD_SIGNATURE;
		break;
	case VDB_UP_EDITED:
		v->kind = VERDICT_EDITED;
		break;
	case VDB_UP_MODIFIED:
		v->kind = VERDICT_MODIFIED;
		break;
	case VDB_UP_NOT_OURS:
		v->kind = VERDICT_NOT_OURS;
		break;
	case VDB_UP_NOT_CERT:
		v->kind = VERDICT_NOT_CERT;
		break;
	default:
		v->kind = VERDICT_BAD_SIGNATURE;
		break;
	}
}

const char *
verdict_name(enum verdict_kind k)
{
	switch (k) {
	case VERDICT_VALID_MET: return "valid_met";
	case VERDICT_VALID_UNMET: return "valid_unmet";
	case VERDICT_VALID_COURSE: return "valid_course";
	case VERDICT_REVOKED: return "revoked";
	case VERDICT_SUPERSEDED: return "superseded";
	case VERDICT_NOT_FOUND: return "not_found";
	case VERDICT_UNAVAILABLE: return "unavailable";
	case VERDICT_EDITED: return "edited";
	case VERDICT_MODIFIED: return "modified";
	case VERDICT_NOT_OURS: return "not_issued_by_us";
	case VERDICT_NOT_CERT: return "not_a_certificate";
	default: return "bad_signature";
	}
}

const char *
verdict_word(enum verdict_kind k, enum page_lang lang)
{
	switch (k) {
	case VERDICT_VALID_MET: return PL(lang, "有效·达标", "Valid · met");
	case VERDICT_VALID_UNMET:
		return PL(lang, "有效·未达标", "Valid · not met");
	case VERDICT_VALID_COURSE:
		return PL(lang, "有效（课程学时）", "Valid (course hours)");
	case VERDICT_REVOKED: return PL(lang, "已撤销", "Revoked");
	case VERDICT_SUPERSEDED: return PL(lang, "已被替换", "Superseded");
	case VERDICT_NOT_FOUND: return PL(lang, "未找到", "Not found");
	case VERDICT_UNAVAILABLE:
		return PL(lang, "暂时无法核验", "Cannot verify now");
	case VERDICT_EDITED:
		return PL(lang, "文件内容与签名不符",
		    "The file shows other content than was signed");
	case VERDICT_MODIFIED:
		return PL(lang, "文件已被修改", "The file was modified");
	case VERDICT_NOT_OURS: return PL(lang, "非本机构签发",
		    "Not issued by this issuer");
	case VERDICT_NOT_CERT:
		return PL(lang, "不是学时证明文件", "Not a certificate");
	default: return PL(lang, "签名无效", "Invalid signature");
	}
}

/* "公需 9、专业 11" (or "public 9, professional 11"): the categories short. */
static void
shortfall_words(const struct verdict *v, enum page_lang lang, char *out,
    size_t n)
{
	char h[HOURS_SIZE];
	size_t k = 0;
	int parts = 0;
	const struct { long tenths; const char *zh, *en; } cats[] = {
		{ v->short_public10, "公需", "public" },
		{ v->short_professional10, "专业", "professional" },
	};
	size_t i;

	out[0] = '\0';
	for (i = 0; i < 2; i++) {
		if (cats[i].tenths <= 0)
			continue;
		hours_format(cats[i].tenths, h);
		k += (size_t)snprintf(out + k, k < n ? n - k : 0, "%s%s %s",
		    parts ? PL(lang, "、", ", ") : "",
		    PL(lang, cats[i].zh, cats[i].en), h);
		parts++;
		if (k >= n)
			return;
	}
	/* The total only when the categories do not already say it. */
	if (v->short_total10 > v->short_public10 + v->short_professional10) {
		hours_format(v->short_total10, h);
		snprintf(out + k, k < n ? n - k : 0, "%s%s %s",
		    parts ? PL(lang, "、", ", ") : "",
		    PL(lang, "合计", "total"), h);
	}
}

void
verdict_text(const struct verdict *v, enum page_lang lang, char *out,
    size_t n)
{
	char sf[128];

	if (n == 0)
		return;
	switch (v->kind) {
	case VERDICT_VALID_UNMET:
		shortfall_words(v, lang, sf, sizeof(sf));
		if (sf[0] == '\0')
			snprintf(out, n, "%s", verdict_word(v->kind, lang));
		else
			snprintf(out, n, "%s%s%s%s", verdict_word(v->kind, lang),
			    PL(lang, "（尚缺 ", " (short: "), sf,
			    PL(lang, " 学时）", " hours)"));
		break;
	case VERDICT_REVOKED:
		snprintf(out, n, "%s%s%s%s", verdict_word(v->kind, lang),
		    PL(lang, "（", " ("), v->reason[0] != '\0' ?
		    page_revoke_reason(lang, v->reason) :
		    PL(lang, "原因未说明", "no reason given"),
		    PL(lang, "）", ")"));
		break;
	case VERDICT_SUPERSEDED:
		if (v->replaced_by[0] != '\0')
			snprintf(out, n, "%s → %s", verdict_word(v->kind, lang),
			    v->replaced_by);
		else
			snprintf(out, n, "%s", verdict_word(v->kind, lang));
		break;
	default:
		snprintf(out, n, "%s", verdict_word(v->kind, lang));
		break;
	}
}

const char *
verdict_file_note(const struct verdict *v, enum page_lang lang)
{
	if (!v->upload)
		return NULL;
	switch (v->file) {
	case VDB_UP_AUTHENTIC:
		return PL(lang, "文件与签发时逐字节一致，未被修改",
		    "The file is byte for byte the one issued");
	case VDB_UP_NOTE_OK:
		return PL(lang, "证书签名内容真实", "The signed note is "
		    "authentic");
	case VDB_UP_RESAVED:
		return PL(lang, "内容一致，文件已被改存",
		    "Same content; the file was saved again by another "
		    "program");
	case VDB_UP_COPY:
		return PL(lang, "副本（扫描件/照片）：以账本为准",
		    "A copy (scan or photo): the answer is the ledger's");
	case VDB_UP_EDITED:
		return PL(lang, "页面显示的内容与签名内容不同，请勿采信此文件",
		    "The pages show other content than the signed note; do "
		    "not rely on this file");
	case VDB_UP_MODIFIED:
		return PL(lang, "此 PDF 文件在签发后被修改过，请以账本记录为准",
		    "This PDF was changed after it was issued; rely on the "
		    "ledger's record");
	default:
		return NULL;
	}
}

const char *
verdict_class(enum verdict_kind k)
{
	switch (k) {
	case VERDICT_VALID_MET:
	case VERDICT_VALID_COURSE:
		return "valid";
	case VERDICT_VALID_UNMET:
	case VERDICT_MODIFIED:
		return "warn";
	case VERDICT_REVOKED:
	case VERDICT_BAD_SIGNATURE:
	case VERDICT_EDITED:
	case VERDICT_NOT_OURS:
		return "revoked";
	default:
		return "grey";
	}
}

bool
verdict_green(enum verdict_kind k)
{
	return k == VERDICT_VALID_MET || k == VERDICT_VALID_COURSE;
}
