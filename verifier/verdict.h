/*
 * verdict.h - the headline of a verification answer: the one place that
 * decides what a certificate's answer says first, for the /c/ page, the
 * upload page, the JSON, the batch rows (HTML, CSV, XLSX, the printable
 * report) and the offline `check`.
 *
 * A headline is the ledger's answer for the serial (valid and the year's
 * requirement met or not, revoked with its reason, superseded by another
 * certificate, not found, bad signature, cannot verify now) and, for an
 * uploaded file, what the file turned out to be (unchanged, edited,
 * re-saved, a scan or photo, modified, not ours, not a certificate).
 * Names are stable (docs/formats.md, "The verifier's JSON"); the words
 * are zh-CN or English (PL).
 */
#ifndef HS_VERDICT_H
#define HS_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#include "cert/cert.h"
#include "cert/serial.h"
#include "web/page.h"
#include "vdb.h"

enum verdict_kind {
	VERDICT_VALID_MET,      /* 有效·达标 (green) */
	VERDICT_VALID_UNMET,    /* 有效·未达标（尚缺 公需 9 学时） (amber) */
	VERDICT_VALID_COURSE,   /* 有效（课程学时）: no yearly requirement */
	VERDICT_REVOKED,        /* 已撤销（信息有误） */
	VERDICT_SUPERSEDED,     /* 已被替换 → replacement */
	VERDICT_NOT_FOUND,      /* 未找到 */
	VERDICT_BAD_SIGNATURE,  /* 签名无效 */
	VERDICT_UNAVAILABLE,    /* 暂时无法核验 */
	/* Uploads only: what the file is, when that decides the answer. */
	VERDICT_EDITED,         /* the page shows other text than is signed */
	VERDICT_MODIFIED,       /* the PDF's bytes changed, text not compared */
	VERDICT_NOT_OURS,       /* 非本机构签发 */
	VERDICT_NOT_CERT,       /* 不是学时证明文件 */
};
#define VERDICT_COUNT (VERDICT_NOT_CERT + 1)

/* What was found about one certificate or file, for its headline. */
struct verdict {
	enum verdict_kind kind;
	/* The ledger's answer for the serial (== kind unless the file
	 * decides: EDITED, MODIFIED; then what the ledger says about the
	 * serial, or VERDICT_NOT_FOUND if none was read). */
	enum verdict_kind ledger;
	bool upload;              /* an uploaded file: file says what */
	enum vdb_upload file;
	/* Shortfall per category (tenths, 0 if none): VALID_UNMET. */
	long short_public10, short_professional10, short_total10;
	char reason[16];          /* REVOKED, SUPERSEDED */
	char replaced_by[SERIAL_SIZE];
	char differs[256];        /* EDITED: what differs; COPY: what was read */
};

/* From the ledger's answer for a serial (r->cert decoded if have_cert). */
void verdict_of_result(struct verdict *v, const struct vdb_result *r);
/* From an uploaded file's answer. */
void verdict_of_upload(struct verdict *v, const struct vdb_upload_result *u);
/*
 * From the parts, for callers without a vdb_result (the offline check):
 * st the ledger status, c the verified note (NULL if none), reason and
 * replaced_by (may be NULL or "") of a revocation.
 */
void verdict_make(struct verdict *v, enum vdb_status st,
    const struct cert *c, const char *reason, const char *replaced_by);
/* "Cannot verify now". */
void verdict_unavailable(struct verdict *v);

/* The stable machine name: "valid_met", "valid_unmet", "valid_course",
 * "revoked", "superseded", "not_found", "bad_signature", "unavailable",
 * "edited", "modified", "not_issued_by_us", "not_a_certificate". */
const char *verdict_name(enum verdict_kind k);
/* The headline's short word, as the per-headline counts show it. */
const char *verdict_word(enum verdict_kind k, enum page_lang lang);
/*
 * The whole headline in lang: "有效·未达标（尚缺 公需 9 学时）",
 * "已撤销（信息有误）", "已被替换 → 2024-...". Always NUL-terminated.
 */
void verdict_text(const struct verdict *v, enum page_lang lang, char *out,
    size_t n);
/*
 * What the file adds under the headline (uploads), or NULL: "文件未被修改",
 * "内容一致，文件已被改存", "副本（扫描件/照片）：以账本为准", ...
 */
const char *verdict_file_note(const struct verdict *v, enum page_lang lang);
/* The banner's class: "valid" (green: VALID_MET, VALID_COURSE only),
 * "warn" (amber: VALID_UNMET, MODIFIED), "revoked" (red: REVOKED,
 * BAD_SIGNATURE, EDITED, NOT_OURS), "grey" (the rest). */
const char *verdict_class(enum verdict_kind k);
/* True if the headline is green. */
bool verdict_green(enum verdict_kind k);

#endif
