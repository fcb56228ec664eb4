/*
 * test_pades.c - PAdES signatures (pdf/pades.h) on a small classic PDF:
 * the signer goes through the one sign callback, a signed file verifies,
 * the update is what pades_layout rebuilds, a flipped byte is invalid,
 * an appended update is "appended", a PDF already updated is refused,
 * and hostile signature dictionaries never verify; the CA's files
 * (cert/x509ca.h) are 0600 for keys and refuse a second CA.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>
#include <openssl/cms.h>
#include <openssl/pem.h>

#include "cert/x509ca.h"
#include "core/util.h"
#include "pdf/pades.h"
#include "t.h"
#include "tlib.h"

/* The hardware-style backend: a callback that counts its calls. */
struct cb {
	EVP_PKEY *k;
	int calls;
};

static enum hs_err
cb_sign(void *ctx, const uint8_t *tbs, size_t len, uint8_t *sig,
    size_t *siglen, char *err)
{
	struct cb *c = ctx;
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	int ok;

	c->calls++;
	/* tbs is the DER SET OF the signed attributes. */
	if (len < 2 || tbs[0] != 0x31) {
		EVP_MD_CTX_free(m);
		return hs_fail(err, HS_ERR_INVALID, "tbs is not a SET");
	}
	ok = m != NULL && EVP_DigestSignInit_ex(m, NULL, "SHA256", NULL, NULL,
	    c->k, NULL) == 1 && EVP_DigestSign(m, sig, siglen, tbs, len) == 1;
	EVP_MD_CTX_free(m);
	return ok ? HS_OK : hs_fail(err, HS_ERR_CRYPTO, "sign");
}

static enum pades_state
state_of(const struct buf *b)
{
	struct pades_info pi;
	char err[HS_ERRLEN];

	if (pades_verify(b->data, b->len, &pi, err) != HS_OK)
		return (enum pades_state)-1;
	return pi.state;
}

int
main(void)
{
	char dir[T_DIRMAX], path[256], err[HS_ERRLEN] = "";
	struct pades_signer *s = NULL, *h = NULL;
	struct pades_info pi;
	struct buf pdf, two, upd, x;
	struct stat st;
	struct cb cb = { NULL, 0 };
	size_t n0, hole;
	uint8_t sha[32];
	FILE *f;

	buf_init(&pdf);
	buf_init(&two);
	buf_init(&upd);
	buf_init(&x);
	if (t_tmpdir("pades", dir, sizeof(dir)) != 0)
		return 2;
	T_OK(x509ca_init(dir, "测试 CA", 30, err) == HS_OK, "ca init: %s", err);
	T_OK(x509ca_init(dir, "again", 30, err) == HS_ERR_EXISTS,
	    "a second ca init is refused");
	snprintf(path, sizeof(path), "%s/%s", dir, X509CA_CA_KEY);
	T_OK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600,
	    "the CA key is 0600");
	T_OK(!x509ca_have_doc(dir), "no document key yet");
	T_OK(pades_signer_load(dir, &s, err) == HS_ERR_NOTFOUND,
	    "no document key: NOTFOUND");
	T_OK(x509ca_issue(dir, "证书签发", "机构", X509CA_P256, 30, err) ==
	    HS_OK, "ca issue: %s", err);
	snprintf(path, sizeof(path), "%s/%s", dir, X509CA_DOC_KEY);
	T_OK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600,
	    "the document key is 0600");
	T_OK(x509ca_issue(dir, "bad\nname", NULL, X509CA_P256, 30, err) ==
	    HS_ERR_INVALID, "a name with a control character is refused");
	T_OK(pades_signer_load(dir, &s, err) == HS_OK, "load: %s", err);

	/* Software backend. */
	t_tiny_pdf(&pdf);
	n0 = pdf.len;
	T_OK(pades_sign(s, 1735689600, &pdf, err) == HS_OK, "sign: %s", err);
	T_OK(state_of(&pdf) == PADES_VALID, "the signed PDF verifies");
	T_OK(pades_verify(pdf.data, pdf.len, &pi, err) == HS_OK &&
	    pi.when == 1735689600, "/M is the time given");
	pades_signer_cert_sha(s, sha);
	T_OK(memcmp(pi.cert_sha, sha, 32) == 0, "the signer's certificate "
	    "hash is the verifier's");
	T_OK(strcmp(pi.subject, "证书签发") == 0, "subject CN (%s)",
	    pi.subject);
	T_OK(pdf.len - n0 <= 4096, "at most 4 KB added (%zu)", pdf.len - n0);
	/* The update is exactly what pades_layout makes, /Contents aside. */
	T_OK(pades_layout(pdf.data, n0, pi.when, pi.hexlen, &upd, &hole,
	    err) == HS_OK && upd.len == pdf.len - n0 && hole == pi.hole &&
	    memcmp(upd.data, pdf.data + n0, hole + 1 - n0) == 0,
	    "pades_layout rebuilds the update");
	T_OK(pades_layout(pdf.data, pdf.len, 0, 100, &x, &hole, err) ==
	    HS_ERR_FORMAT, "an updated PDF is not signed again (%s)", err);

	/* One flipped byte, anywhere signed. */
	buf_reset(&two);
	buf_add(&two, pdf.data, pdf.len);
	two.data[20] ^= 1;
	T_OK(state_of(&two) == PADES_INVALID, "a flipped byte: invalid");
	buf_reset(&two);
	buf_add(&two, pdf.data, pdf.len);
	two.data[two.len - 3] ^= 1;
	T_OK(state_of(&two) == PADES_INVALID, "a flipped byte in the trailer: "
	    "invalid");
	buf_reset(&two);
	buf_add(&two, pdf.data, pdf.len);
	buf_puts(&two, "9 0 obj\n(x)\nendobj\n");
	T_OK(state_of(&two) == PADES_APPENDED, "appended: modified after "
	    "signing");
	buf_reset(&two);
	t_tiny_pdf(&two);
	T_OK(state_of(&two) == PADES_NONE, "an unsigned PDF: none");

	/* Hostile: truncated files, a lone /ByteRange, huge numbers. */
	{
		static const char *hostile[] = {
			"/ByteRange [",
			"/ByteRange [0 5 6 7]",
			"/ByteRange [0 999999999999 999999999999 1]/Contents <>",
			"%PDF-1.4 /ByteRange [0 12 14 0] /Contents <zz>",
			"/ByteRange [0 20 22 0]/Contents <>",
		};
		size_t i, k;
		int bad = 0;

		for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++)
			if (state_of(&(struct buf){ .data = (char *)hostile[i],
			    .len = strlen(hostile[i]) }) == PADES_VALID)
				bad++;
		/* Every prefix of the signed file. */
		for (k = 1; k < pdf.len; k += 97)
			if (state_of(&(struct buf){ .data = pdf.data,
			    .len = k }) == PADES_VALID)
				bad++;
		T_OK(bad == 0, "hostile and truncated signatures never verify");
	}

	/* The callback backend: one call per signature, same result. */
	snprintf(path, sizeof(path), "%s/%s", dir, X509CA_DOC_KEY);
	if ((f = fopen(path, "r")) != NULL) {
		cb.k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/%s", dir, X509CA_DOC_CRT);
	T_OK(cb.k != NULL && pades_signer_new(path, cb_sign, &cb, 72, &h,
	    err) == HS_OK, "a callback signer: %s", err);
	buf_reset(&two);
	t_tiny_pdf(&two);
	cb.calls = 0;
	T_OK(h != NULL && pades_sign(h, 1735689600, &two, err) == HS_OK &&
	    cb.calls == 1, "signing calls the callback once (%d)", cb.calls);
	T_OK(state_of(&two) == PADES_VALID, "the callback's signature "
	    "verifies");
	T_OK(pades_signer_set_tsa(h, "https://x/", 0, err) == HS_ERR_INVALID &&
	    pades_signer_set_tsa(h, "http://a\nb/", 0, err) == HS_ERR_INVALID &&
	    pades_signer_set_tsa(h, "http://x/", 121, err) == HS_ERR_INVALID &&
	    pades_signer_set_tsa(h, "http://x/", -1, err) == HS_ERR_INVALID,
	    "a TSA URL must be http:// without control characters, "
	    "its timeout 1 to 120 s");

	/*
	 * The CMS filled in from templates: ECDSA's signatures are 70 to 72
	 * bytes (a template each); every one verifies and is DER that
	 * OpenSSL reads and writes back the same.
	 */
	{
		int bad = 0, seen[PADES_SIG_MAX + 1] = { 0 }, lens = 0, i;

		for (i = 0; i < 64; i++) {
			struct pades_info qi;
			static unsigned char der[PADES_CONTENTS_MAX / 2];
			const unsigned char *p = der;
			unsigned char *re = NULL;
			CMS_ContentInfo *cms = NULL;
			size_t k, n = 0;
			int rl = 0, sl;

			buf_reset(&two);
			t_tiny_pdf(&two);
			if (pades_sign(s, 1735689600 + i, &two, err) != HS_OK ||
			    pades_verify(two.data, two.len, &qi, err) != HS_OK ||
			    qi.state != PADES_VALID ||
			    qi.hexlen / 2 > sizeof(der)) {
				bad++;
				continue;
			}
			for (k = 0; k + 1 < qi.hexlen; k += 2) {
				unsigned v;

				sscanf(two.data + qi.hole + 1 + k, "%2x", &v);
				der[n++] = (unsigned char)v;
			}
			cms = d2i_CMS_ContentInfo(NULL, &p, (long)n);
			if (cms != NULL)
				rl = i2d_CMS_ContentInfo(cms, &re);
			if (cms == NULL || rl <= 0 || p != der + rl ||
			    memcmp(re, der, (size_t)rl) != 0) {
				bad++;
			} else {
				sl = ASN1_STRING_length(
				    CMS_SignerInfo_get0_signature(
				    sk_CMS_SignerInfo_value(
				    CMS_get0_SignerInfos(cms), 0)));
				if (sl > 0 && sl <= PADES_SIG_MAX &&
				    !seen[sl]++)
					lens++;
			}
			OPENSSL_free(re);
			CMS_ContentInfo_free(cms);
		}
		T_OK(bad == 0, "64 signatures from templates verify and are "
		    "DER (%d bad)", bad);
		T_OK(lens >= 2, "with signatures of %d lengths", lens);
	}

	/*
	 * RSA PKCS#1 v1.5 is deterministic: the template's CMS and the one
	 * the CMS API builds for the same file are the same bytes.
	 */
	{
		char d2[T_DIRMAX];
		struct pades_signer *r = NULL;
		struct buf a, b;

		buf_init(&a);
		buf_init(&b);
		T_OK(t_tmpdir("pades-rsa", d2, sizeof(d2)) == 0 &&
		    x509ca_init(d2, "测试 CA", 30, err) == HS_OK &&
		    x509ca_issue(d2, "证书签发", NULL, X509CA_RSA3072, 30,
		    err) == HS_OK && pades_signer_load(d2, &r, err) == HS_OK,
		    "an RSA-3072 document key: %s", err);
		t_tiny_pdf(&a);
		t_tiny_pdf(&b);
		T_OK(r != NULL && pades_sign(r, 1735689600, &a, err) == HS_OK,
		    "RSA, from the template: %s", err);
		if (r != NULL)
			pades_signer_use_templates(r, false);
		T_OK(r != NULL && pades_sign(r, 1735689600, &b, err) == HS_OK,
		    "RSA, built by the CMS API: %s", err);
		T_OK(a.len == b.len && a.len > 0 &&
		    memcmp(a.data, b.data, a.len) == 0,
		    "the two signed files are the same bytes");
		T_OK(state_of(&a) == PADES_VALID, "and verify");
		pades_signer_free(r);
		buf_free(&a);
		buf_free(&b);
		t_rmtree(d2);
	}

	EVP_PKEY_free(cb.k);
	pades_signer_free(s);
	pades_signer_free(h);
	buf_free(&pdf);
	buf_free(&two);
	buf_free(&upd);
	buf_free(&x);
	t_rmtree(dir);
	return t_done();
}
