/*
 * pdfvis.c - a certificate PDF's visible text against its signed note
 * (pdfvis.h).
 */
#include <stdio.h>
#include <string.h>

#include "pdfcmp.h"
#include "pdftext.h"
#include "pdfvis.h"

enum hs_err
pdfvis_compare(const void *file, size_t flen, const void *ref, size_t rlen,
    struct pdfin_budget *budget, struct pdfvis *out, char *err)
{
	struct pdfin_text ft, rt;
	char e2[HS_ERRLEN];
	enum hs_err rc;

	memset(out, 0, sizeof(*out));
	memset(&ft, 0, sizeof(ft));
	memset(&rt, 0, sizeof(rt));
	out->result = PDFVIS_UNREADABLE;
	rc = pdfin_text(ref, rlen, NULL, &rt, e2);
	if (rc == HS_ERR_NOMEM)
		goto fail;
	if (rc != HS_OK || !rt.complete) {
		snprintf(out->why, sizeof(out->why), "重新生成的证书的文字无法"
		    "读取，未能比对");
		rc = HS_OK;
		goto out;
	}
	rc = pdfin_text(file, flen, budget, &ft, e2);
	if (rc == HS_ERR_NOMEM)
		goto fail;
	if (rc != HS_OK) {
		snprintf(out->why, sizeof(out->why), "文件的页面无法读取，未能"
		    "比对文字");
		rc = HS_OK;
		goto out;
	}
	/* pdfin_text read the file: what qpdf decodes in it is bounded. */
	if ((rc = pdfcmp_compare(file, flen, ref, rlen, &out->cmp, e2)) ==
	    HS_OK)
		out->have_cmp = true;
	else if (rc == HS_ERR_NOMEM)
		goto fail;
	rc = HS_OK;
	if (ft.npages != rt.npages) {
		out->result = PDFVIS_EDITED;
		snprintf(out->differs, sizeof(out->differs), "文件有 %d 页，"
		    "签发的证书有 %d 页", ft.npages, rt.npages);
		goto out;
	}
	if (!ft.complete) {
		snprintf(out->why, sizeof(out->why), "文件中有些文字无法读取"
		    "（字体没有 Unicode 映射，或页面引用了其他内容），未能比对");
		goto out;
	}
	if (!pdftext_compare(ft.text.data, ft.text.len, rt.text.data,
	    rt.text.len, out->differs, sizeof(out->differs))) {
		out->result = PDFVIS_EDITED;
		goto out;
	}
	out->differs[0] = '\0';
	if (ft.ops.oom || rt.ops.oom) {
		snprintf(out->why, sizeof(out->why), "页面文字与签名内容一致，"
		    "但页面内容过大，未能比对绘制");
		goto out;
	}
	if (ft.ops.len != rt.ops.len || memcmp(ft.ops.data, rt.ops.data,
	    rt.ops.len) != 0) {
		snprintf(out->why, sizeof(out->why), "页面文字与签名内容一致，"
		    "但页面的绘制与签发的证书不同");
		goto out;
	}
	if (!out->have_cmp || out->cmp.result != PDFCMP_SAME) {
		snprintf(out->why, sizeof(out->why), "页面文字与签名内容一致，"
		    "但文件%s%.200s", !out->have_cmp ? "未能与签发的证书比对" :
		    out->cmp.foreign ? "含有签发的证书没有的内容（批注、表单或"
		    "动作）：" : out->cmp.font_conflict ? "的字体与签发的证书"
		    "不同：" : "与签发的证书不同：", out->have_cmp ?
		    out->cmp.what : "");
		goto out;
	}
	out->result = PDFVIS_RESAVED;
	goto out;
fail:
	rc = hs_fail(err, rc, "%s", e2);
out:
	pdfin_text_free(&ft);
	pdfin_text_free(&rt);
	return rc;
}
