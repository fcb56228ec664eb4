/*
 * pades_check.c - the verifier's PAdES checks (pades_check.h).
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cert/leaf.h"
#include "core/util.h"
#include "pades_check.h"
#include "pdfin.h"

int
vpades_check(const char *data, size_t len, struct vpades *vp, char *msg,
    size_t msgcap)
{
	char err[HS_ERRLEN];

	memset(vp, 0, sizeof(*vp));
	msg[0] = '\0';
	if (pades_verify(data, len, &vp->pi, err) != HS_OK) {
		snprintf(msg, msgcap, "the PDF signature could not be "
		    "checked: %s", err);
		return 2;
	}
	vp->checked = true;
	switch (vp->pi.state) {
	case PADES_INVALID:
		snprintf(msg, msgcap, "the PDF signature is invalid (%s): "
		    "this file was modified after it was signed", vp->pi.why);
		return 1;
	case PADES_APPENDED:
		snprintf(msg, msgcap, "modified after signing: %s (the PDF "
		    "signature covers only the file as issued)", vp->pi.why);
		return 1;
	default:
		return 0;
	}
}

bool
vpades_render_plus_update(const char *data, size_t len, const char *ref,
    size_t rlen, const struct pades_info *pi)
{
	struct buf upd;
	size_t hole;
	bool same = false;

	if (pi->state != PADES_VALID || rlen >= len ||
	    memcmp(data, ref, rlen) != 0)
		return false;
	buf_init(&upd);
	if (pades_layout(ref, rlen, pi->when, pi->hexlen, &upd, &hole,
	    NULL) == HS_OK && !upd.oom && rlen + upd.len == len &&
	    hole == pi->hole) {
		/* Everything but the signature's hex digits is ours. */
		size_t a = hole + 1 - rlen, b = a + pi->hexlen;

		same = memcmp(upd.data, data + rlen, a) == 0 &&
		    memcmp(upd.data + b, data + rlen + b, upd.len - b) == 0;
	}
	buf_free(&upd);
	return same;
}

bool
vpades_entry_matches(const struct vpades *vp, const char *entry, size_t len)
{
	struct leaf lf;

	if (!vp->checked || (vp->pi.state != PADES_VALID &&
	    vp->pi.state != PADES_APPENDED))
		return false;
	return leaf_parse(entry, len, &lf, NULL) == HS_OK &&
	    lf.kind == LEAF_DOC_CERT &&
	    memcmp(lf.head, vp->pi.cert_sha, 32) == 0;
}

const char *
vpades_word(const struct vpades *vp)
{
	if (!vp->checked)
		return "not_checked";
	switch (vp->pi.state) {
	case PADES_VALID: return "valid";
	case PADES_APPENDED: return "modified_after_signing";
	case PADES_INVALID: return "invalid";
	default: return "none";
	}
}

void
vpades_describe(const struct vpades *vp, char *out, size_t cap)
{
	const char *ts = vp->pi.timestamped ? ", with an RFC 3161 timestamp" :
	    "";

	if (!vp->checked) {
		snprintf(out, cap, "not checked");
		return;
	}
	switch (vp->pi.state) {
	case PADES_NONE:
		snprintf(out, cap, "none (issued without a PDF signature)");
		break;
	case PADES_VALID:
		if (vp->in_ledger)
			snprintf(out, cap, "valid (PAdES, signed by %s%s; the "
			    "certificate is ledger leaf %llu)", vp->pi.subject,
			    ts, (unsigned long long)vp->leaf);
		else if (vp->ledger_checked)
			snprintf(out, cap, "valid but signed by %s, whose "
			    "certificate is NOT in the ledger", vp->pi.subject);
		else
			snprintf(out, cap, "valid (PAdES, signed by %s%s; its "
			    "certificate was not looked up in the ledger: give "
			    "--ledger DIR)", vp->pi.subject, ts);
		break;
	case PADES_APPENDED:
		snprintf(out, cap, "modified after signing: %s", vp->pi.why);
		break;
	default:
		snprintf(out, cap, "INVALID: %s", vp->pi.why);
		break;
	}
}

void
vpades_upload_json(struct json_t *j, const char *data, size_t len)
{
	struct vpades vp;
	char msg[HS_ERRLEN];
	json_t *o;

	if (j == NULL || !pdfin_looks_like_pdf(data, len))
		return;
	if (vpades_check(data, len, &vp, msg, sizeof(msg)) == 2)
		return;
	if ((o = json_pack("{s:s}", "state", vpades_word(&vp))) == NULL)
		return;
	if (msg[0] != '\0' && utf8_valid(msg, strlen(msg)))
		json_object_set_new(o, "detail", json_string(msg));
	json_object_set_new(j, "pdf_signature", o);
}
