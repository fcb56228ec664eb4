/*
 * pades.c - PAdES signatures: the incremental update, the CMS SignedData
 * with explicitly assembled signed attributes, an optional RFC 3161
 * timestamp, and the verification of a signed file.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/http.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/rand.h>
#include <openssl/ts.h>
#include <openssl/x509.h>

#include "cert/x509ca.h"
#include "core/file.h"
#include "core/p11.h"
#include "pdf/pades.h"

#define CHAIN_MAX X509CA_CHAIN_MAX
#define TSA_URL_MAX 512

struct pades_signer {
	pades_sign_fn sign;
	void *ctx;
	X509 *chain[CHAIN_MAX];
	size_t nchain;
	EVP_PKEY *pub;          /* the certificate's public key */
	EVP_PKEY *soft;         /* the software backend's key, or NULL */
	struct p11_key *p11;    /* the token backend's key, or NULL */
	size_t sigmax;          /* the longest signature sign makes */
	char *pem;              /* the chain as read (PEM), NUL-ended */
	size_t pemlen;
	uint8_t cert_sha[32];
	size_t hexlen;          /* /Contents placeholder, hex digits */
	char tsa[TSA_URL_MAX];  /* "" for none */
	int tsa_timeout;        /* seconds */
	/*
	 * What the CMS API makes, once: the signed attributes (the same for
	 * every digest but its 32 bytes at adg) and, per signature length,
	 * the whole ContentInfo (see cms_tmpl). Built under lock.
	 */
	unsigned char *attrs;
	size_t alen, adg;
	pthread_mutex_t lock;
	struct cms_tmpl *tmpl[PADES_SIG_MAX + 1];
	bool no_tmpl;           /* pades_signer_use_templates(s, false) */
};

/*
 * The ContentInfo for one signature length: every byte of it but the
 * message digest (32 at dg) and the signature value (siglen at sig) is
 * the same for every PDF, since DER fixes each length by the lengths of
 * what is inside. bad: this length could not be made a template (its
 * markers were not unique, or the check failed): sign the slow way.
 */
struct cms_tmpl {
	unsigned char *der;
	size_t len, dg, sig;
	bool bad;
};

/* ---- the incremental update ---- */

/* Finds needle in h[0..n) from the end; NULL if absent. */
static const char *
rfind(const char *h, size_t n, const char *needle)
{
	size_t k = strlen(needle), i;

	if (k > n)
		return NULL;
	for (i = n - k + 1; i-- > 0;)
		if (memcmp(h + i, needle, k) == 0)
			return h + i;
	return NULL;
}

static const char *
find(const char *h, size_t n, const char *needle)
{
	return memmem(h, n, needle, strlen(needle));
}

/* Parses up to 12 decimal digits at *p (bounded by end); -1 if none. */
static long long
num(const char **p, const char *end)
{
	long long v = 0;
	int k = 0;

	while (*p < end && **p == ' ')
		(*p)++;
	while (*p < end && **p >= '0' && **p <= '9' && k < 12) {
		v = v * 10 + (**p - '0');
		(*p)++;
		k++;
	}
	return k == 0 ? -1 : v;
}

/* "/Key N 0 R" in d[0..n): N, or -1. */
static long long
ref_of(const char *d, size_t n, const char *key)
{
	const char *p = find(d, n, key), *end = d + n;
	long long v;

	if (p == NULL)
		return -1;
	p += strlen(key);
	if ((v = num(&p, end)) < 0 || num(&p, end) != 0)
		return -1;
	while (p < end && *p == ' ')
		p++;
	return p < end && *p == 'R' ? v : -1;
}

struct xref {
	const char *pdf;
	size_t len;
	long long size;         /* objects: 0 .. size-1 */
	size_t at;              /* offset of "xref" */
	const char *ent;        /* the first entry */
};

static enum hs_err
read_xref(const char *pdf, size_t len, struct xref *x, size_t *trailer_end,
    const char **tr, size_t *trlen, char *err)
{
	const char *s, *p, *end = pdf + len, *t;
	long long at, first;

	s = rfind(pdf + (len > 1024 ? len - 1024 : 0), len > 1024 ? 1024 : len,
	    "startxref");
	if (s == NULL)
		return hs_fail(err, HS_ERR_FORMAT, "no startxref");
	p = s + 9;
	while (p < end && (*p == '\n' || *p == '\r'))
		p++;
	if ((at = num(&p, end)) < 0 || (size_t)at >= len)
		return hs_fail(err, HS_ERR_FORMAT, "bad startxref");
	x->pdf = pdf;
	x->len = len;
	x->at = (size_t)at;
	p = pdf + at;
	if ((size_t)(end - p) < 5 || memcmp(p, "xref", 4) != 0)
		return hs_fail(err, HS_ERR_FORMAT, "startxref does not point "
		    "at a classic xref table");
	p += 4;
	while (p < end && (*p == '\n' || *p == '\r'))
		p++;
	if ((first = num(&p, end)) != 0 || (x->size = num(&p, end)) <= 0 ||
	    x->size > 1000000)
		return hs_fail(err, HS_ERR_FORMAT, "not one xref section from "
		    "object 0");
	while (p < end && (*p == '\n' || *p == '\r' || *p == ' '))
		p++;
	x->ent = p;
	if ((size_t)(end - p) < (size_t)x->size * 20)
		return hs_fail(err, HS_ERR_FORMAT, "short xref table");
	t = p + x->size * 20;
	if ((size_t)(end - t) < 7 || memcmp(t, "trailer", 7) != 0)
		return hs_fail(err, HS_ERR_FORMAT, "the xref section is not "
		    "followed by the trailer");
	*tr = t;
	*trlen = (size_t)(s - t);
	*trailer_end = (size_t)(s - pdf);
	return HS_OK;
}

/* Offset of object n (from its xref entry), or an error. */
static enum hs_err
obj_dict(const struct xref *x, long long n, const char **body,
    size_t *blen, char *err)
{
	const char *e, *p, *end = x->pdf + x->len, *eo, *close;
	long long off;
	char head[40];
	int k;

	if (n <= 0 || n >= x->size)
		return hs_fail(err, HS_ERR_FORMAT, "object %lld is not in the "
		    "xref table", n);
	e = x->ent + n * 20;
	p = e;
	if ((off = num(&p, e + 10)) < 0 || e[17] != 'n' ||
	    (size_t)off >= x->len)
		return hs_fail(err, HS_ERR_FORMAT, "object %lld: bad xref "
		    "entry", n);
	k = snprintf(head, sizeof(head), "%lld 0 obj", n);
	p = x->pdf + off;
	if ((size_t)(end - p) < (size_t)k + 3 || memcmp(p, head, (size_t)k) != 0)
		return hs_fail(err, HS_ERR_FORMAT, "object %lld is not where "
		    "the xref table says", n);
	p += k;
	while (p < end && (*p == '\n' || *p == '\r' || *p == ' '))
		p++;
	if ((size_t)(end - p) < 2 || memcmp(p, "<<", 2) != 0)
		return hs_fail(err, HS_ERR_FORMAT, "object %lld is not a "
		    "dictionary", n);
	if ((eo = find(p, (size_t)(end - p) > 65536 ? 65536 :
	    (size_t)(end - p), "endobj")) == NULL ||
	    (close = rfind(p, (size_t)(eo - p), ">>")) == NULL || close < p + 2)
		return hs_fail(err, HS_ERR_FORMAT, "object %lld: no end", n);
	*body = p + 2;
	*blen = (size_t)(close - (p + 2));
	return HS_OK;
}

static void
pdf_date(time_t when, char out[24])
{
	struct tm tm;

	gmtime_r(&when, &tm);
	strftime(out, 24, "D:%Y%m%d%H%M%SZ", &tm);
}

struct upd_obj {
	long long n;
	size_t off;
};

static int
cmp_obj(const void *a, const void *b)
{
	const struct upd_obj *x = a, *y = b;

	return x->n < y->n ? -1 : x->n > y->n;
}

enum hs_err
pades_layout(const void *pdfv, size_t len, time_t when, size_t hexlen,
    struct buf *out, size_t *hole, char *err)
{
	const char *pdf = pdfv, *tr = NULL, *cat, *pg, *pages, *kids;
	size_t trlen = 0, tend, clen, plen, pslen, start, brpos, brlen, i, k;
	long long root, info, pagesn, page, F, V;
	struct upd_obj o[4];
	struct xref x;
	char date[24], br[64];
	enum hs_err rc;

	*hole = 0;
	start = out->len;
	if (len < 16 || memcmp(pdf, "%PDF-", 5) != 0)
		return hs_fail(err, HS_ERR_FORMAT, "not a PDF");
	if ((rc = read_xref(pdf, len, &x, &tend, &tr, &trlen, err)) != HS_OK)
		return rc;
	if (find(tr, trlen, "/Prev") != NULL)
		return hs_fail(err, HS_ERR_FORMAT, "the PDF was already "
		    "updated");
	if ((root = ref_of(tr, trlen, "/Root ")) < 0)
		return hs_fail(err, HS_ERR_FORMAT, "the trailer has no /Root");
	info = ref_of(tr, trlen, "/Info ");
	if ((rc = obj_dict(&x, root, &cat, &clen, err)) != HS_OK)
		return rc;
	if (find(cat, clen, "/AcroForm") != NULL)
		return hs_fail(err, HS_ERR_FORMAT, "the PDF already has a form");
	if ((pagesn = ref_of(cat, clen, "/Pages ")) < 0 ||
	    (rc = obj_dict(&x, pagesn, &pages, &pslen, err)) != HS_OK)
		return pagesn < 0 ? hs_fail(err, HS_ERR_FORMAT, "no /Pages") :
		    rc;
	if ((kids = find(pages, pslen, "/Kids [")) == NULL)
		return hs_fail(err, HS_ERR_FORMAT, "no /Kids");
	kids += 7;
	{
		const char *p = kids, *end = pages + pslen;

		if ((page = num(&p, end)) <= 0 || num(&p, end) != 0)
			return hs_fail(err, HS_ERR_FORMAT, "bad /Kids");
	}
	if ((rc = obj_dict(&x, page, &pg, &plen, err)) != HS_OK)
		return rc;
	if (find(pg, plen, "/Type /Page\n") == NULL ||
	    find(pg, plen, "/Annots") != NULL)
		return hs_fail(err, HS_ERR_FORMAT, "the first page is not a "
		    "page without annotations");
	F = x.size;
	V = x.size + 1;
	pdf_date(when, date);
	/* The rendered file ends with "%%EOF\n"; the update follows. */
	if (pdf[len - 1] != '\n')
		buf_putc(out, '\n');
#define OFF() (len + (out->len - start))
	o[0].n = root;
	o[0].off = OFF();
	buf_printf(out, "%lld 0 obj\n<<", root);
	buf_add(out, cat, clen);
	buf_printf(out, "/AcroForm << /Fields [ %lld 0 R ] /SigFlags 3 >>\n"
	    "/Extensions << /ESIC << /BaseVersion /1.7 /ExtensionLevel 2 >> "
	    ">>\n>>\nendobj\n", F);
	o[1].n = page;
	o[1].off = OFF();
	buf_printf(out, "%lld 0 obj\n<<", page);
	buf_add(out, pg, plen);
	buf_printf(out, "/Annots [ %lld 0 R ]\n>>\nendobj\n", F);
	o[2].n = F;
	o[2].off = OFF();
	buf_printf(out, "%lld 0 obj\n<<\n/Type /Annot\n/Subtype /Widget\n"
	    "/FT /Sig\n/T (hourseal)\n/F 132\n/Rect [ 0 0 0 0 ]\n"
	    "/P %lld 0 R\n/V %lld 0 R\n>>\nendobj\n", F, page, V);
	o[3].n = V;
	o[3].off = OFF();
	buf_printf(out, "%lld 0 obj\n<<\n/Type /Sig\n/Filter /Adobe.PPKLite\n"
	    "/SubFilter /ETSI.CAdES.detached\n/M (%s)\n", V, date);
	brpos = out->len;
	buf_printf(out, "/ByteRange [0 %-10s %-10s %-10s]", "", "", "");
	brlen = out->len - brpos;
	buf_puts(out, "\n/Contents <");
	*hole = OFF() - 1;
	buf_fill(out, '0', hexlen);
	buf_puts(out, ">\n>>\nendobj\n");
	qsort(o, 4, sizeof(o[0]), cmp_obj);
	{
		size_t xat = OFF();

		buf_puts(out, "xref\n");
		for (i = 0; i < 4; i = k) {
			for (k = i + 1; k < 4 && o[k].n == o[k - 1].n + 1; k++)
				;
			buf_printf(out, "%lld %zu\n", o[i].n, k - i);
			for (size_t j = i; j < k; j++)
				buf_printf(out, "%010zu 00000 n\r\n", o[j].off);
		}
		buf_printf(out, "trailer\n<<\n/Size %lld\n/Root %lld 0 R\n",
		    V + 1, root);
		if (info > 0)
			buf_printf(out, "/Info %lld 0 R\n", info);
		buf_printf(out, "/Prev %zu\n>>\nstartxref\n%zu\n%%%%EOF\n",
		    x.at, xat);
	}
#undef OFF
	if (out->oom) {
		out->len = start;
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	}
	/* Now the sizes are known: the byte ranges around /Contents. */
	{
		size_t total = len + (out->len - start);
		size_t c = *hole + hexlen + 2;
		int n;

		n = snprintf(br, sizeof(br), "/ByteRange [0 %-10zu %-10zu "
		    "%-10zu]", *hole, c, total - c);
		if (n < 0 || (size_t)n != brlen || out->oom)
			return hs_fail(err, HS_ERR_TOOBIG, "the file is too "
			    "large to sign");
		memcpy(out->data + brpos, br, (size_t)n);
	}
	(void)tend;
	return HS_OK;
}

/* ---- the CMS SignedData ---- */

static enum hs_err
soft_sign(void *ctx, const uint8_t *tbs, size_t len, uint8_t *sig,
    size_t *siglen, char *err)
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	enum hs_err rc = HS_OK;

	if (m == NULL || EVP_DigestSignInit_ex(m, NULL, "SHA256", NULL, NULL,
	    ctx, NULL) != 1 || EVP_DigestSign(m, sig, siglen, tbs, len) != 1) {
		ERR_clear_error();
		rc = hs_fail(err, HS_ERR_CRYPTO, "the document key cannot sign");
	}
	EVP_MD_CTX_free(m);
	return rc;
}

/* The DER of si's signed attributes as a SET OF (what is signed). */
static enum hs_err
signed_attrs_der(CMS_SignerInfo *si, unsigned char **der, int *dlen,
    char *err)
{
	STACK_OF(X509_ATTRIBUTE) *sk = sk_X509_ATTRIBUTE_new_null();
	int i, n = CMS_signed_get_attr_count(si);

	*der = NULL;
	for (i = 0; sk != NULL && i < n; i++)
		if (!sk_X509_ATTRIBUTE_push(sk, CMS_signed_get_attr(si, i))) {
			sk_X509_ATTRIBUTE_free(sk);
			sk = NULL;
		}
	if (sk == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	/* PKCS7_ATTR_SIGN is the DER SET OF, sorted as CMS encodes it. */
	*dlen = ASN1_item_i2d((ASN1_VALUE *)sk, der,
	    ASN1_ITEM_rptr(PKCS7_ATTR_SIGN));
	sk_X509_ATTRIBUTE_free(sk);
	if (*dlen <= 0)
		return hs_fail(err, HS_ERR_CRYPTO, "cannot encode the signed "
		    "attributes");
	return HS_OK;
}

static enum hs_err tsa_token(const char *url, int timeout,
    const uint8_t *sig, size_t siglen, unsigned char **tok, int *toklen,
    char *err);

/*
 * A CMS SignedData (detached, partial) for s over digest, with its one
 * SignerInfo's signed attributes exactly content-type id-data,
 * message-digest and ESS signing-certificate-v2 of s's certificate, and
 * s's chain; not signed yet. Caller frees *cms.
 */
static enum hs_err
start_cms(const struct pades_signer *s, const uint8_t digest[32],
    CMS_ContentInfo **cmsp, CMS_SignerInfo **sip, char *err)
{
	const unsigned flags = CMS_PARTIAL | CMS_DETACHED | CMS_BINARY |
	    CMS_NOSMIMECAP;
	CMS_ContentInfo *cms;
	CMS_SignerInfo *si;
	size_t i;

	*cmsp = NULL;
	if ((cms = CMS_sign(NULL, NULL, NULL, NULL, flags)) == NULL)
		goto fail;
	/*
	 * CMS_PARTIAL: OpenSSL does not sign, so it adds no signing-time;
	 * CMS_CADES: it adds ESS signing-certificate-v2. The public key
	 * stands in for the private one (which may be in a token).
	 */
	if ((si = CMS_add1_signer(cms, s->chain[0], s->pub, EVP_sha256(),
	    flags | CMS_CADES)) == NULL)
		goto fail;
	for (i = 1; i < s->nchain; i++) {
		size_t k;

		/* A chain file may name a certificate twice. */
		for (k = 0; k < i && X509_cmp(s->chain[k], s->chain[i]) != 0;
		    k++)
			;
		if (k == i && !CMS_add1_cert(cms, s->chain[i]))
			goto fail;
	}
	if (!CMS_signed_add1_attr_by_NID(si, NID_pkcs9_contentType,
	    V_ASN1_OBJECT, OBJ_nid2obj(NID_pkcs7_data), -1) ||
	    !CMS_signed_add1_attr_by_NID(si, NID_pkcs9_messageDigest,
	    V_ASN1_OCTET_STRING, digest, 32))
		goto fail;
	if (CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1) >= 0) {
		CMS_ContentInfo_free(cms);
		return hs_fail(err, HS_ERR_CRYPTO, "OpenSSL added signing-time");
	}
	*cmsp = cms;
	*sip = si;
	return HS_OK;
fail:
	ERR_clear_error();
	CMS_ContentInfo_free(cms);
	return hs_fail(err, HS_ERR_CRYPTO, "cannot build the CMS signature");
}

/*
 * The CMS over digest, into der (caller frees): with given, that
 * signature value (givenlen bytes: a stand-in to measure or to make a
 * template, or one already made over these attributes) and no
 * timestamp; without, signed with s (and timestamped if s has a TSA).
 */
static enum hs_err
build_cms(const struct pades_signer *s, const uint8_t digest[32],
    const uint8_t *given, size_t givenlen, unsigned char **der, int *dlen,
    char *err)
{
	CMS_ContentInfo *cms = NULL;
	CMS_SignerInfo *si;
	unsigned char *tbs = NULL, *tok = NULL;
	uint8_t sig[PADES_SIG_MAX];
	size_t siglen = sizeof(sig);
	int tlen = 0, toklen = 0;
	enum hs_err rc = HS_ERR_CRYPTO;

	*der = NULL;
	if ((rc = start_cms(s, digest, &cms, &si, err)) != HS_OK)
		goto out;
	if ((rc = signed_attrs_der(si, &tbs, &tlen, err)) != HS_OK)
		goto out;
	if (given != NULL) {
		if (givenlen == 0 || givenlen > sizeof(sig)) {
			rc = hs_fail(err, HS_ERR_INVALID, "bad signature size");
			goto out;
		}
		memcpy(sig, given, givenlen);
		siglen = givenlen;
	} else if ((rc = s->sign(s->ctx, tbs, (size_t)tlen, sig, &siglen,
	    err)) != HS_OK) {
		goto out;
	}
	rc = HS_ERR_CRYPTO;
	if (!ASN1_STRING_set(CMS_SignerInfo_get0_signature(si), sig,
	    (int)siglen))
		goto fail;
	if (given == NULL && s->tsa[0] != '\0') {
		if ((rc = tsa_token(s->tsa, s->tsa_timeout, sig, siglen, &tok,
		    &toklen, err)) != HS_OK)
			goto out;
		rc = HS_ERR_CRYPTO;
		if (!CMS_unsigned_add1_attr_by_NID(si,
		    NID_id_smime_aa_timeStampToken, V_ASN1_SEQUENCE, tok,
		    toklen))
			goto fail;
	}
	if ((*dlen = i2d_CMS_ContentInfo(cms, der)) <= 0)
		goto fail;
	rc = HS_OK;
	goto out;
fail:
	ERR_clear_error();
	rc = hs_fail(err, rc, "cannot build the CMS signature");
out:
	OPENSSL_free(tbs);
	OPENSSL_free(tok);
	CMS_ContentInfo_free(cms);
	return rc;
}

/* ---- the CMS made once ---- */

/* The one offset of needle (k bytes) in h[0..n); -1 if absent or twice. */
static long
once_at(const unsigned char *h, size_t n, const uint8_t *needle, size_t k)
{
	const unsigned char *p = memmem(h, n, needle, k);

	if (p == NULL || memmem(p + 1, n - (size_t)(p - h) - 1, needle, k))
		return -1;
	return (long)(p - h);
}

/*
 * s's signed attributes for a marker digest, and where the digest sits
 * in them; checked against a second digest (the SET OF's order must not
 * depend on it).
 */
static enum hs_err
make_attrs(struct pades_signer *s, char *err)
{
	CMS_ContentInfo *cms = NULL;
	CMS_SignerInfo *si;
	unsigned char *a = NULL, *b = NULL;
	uint8_t m[2][32];
	int al = 0, bl = 0;
	long at;
	enum hs_err rc;

	if (RAND_bytes(m[0], 64) != 1) {
		ERR_clear_error();
		return hs_fail(err, HS_ERR_CRYPTO, "no random bytes");
	}
	if ((rc = start_cms(s, m[0], &cms, &si, err)) != HS_OK ||
	    (rc = signed_attrs_der(si, &a, &al, err)) != HS_OK)
		goto out;
	CMS_ContentInfo_free(cms);
	cms = NULL;
	if ((rc = start_cms(s, m[1], &cms, &si, err)) != HS_OK ||
	    (rc = signed_attrs_der(si, &b, &bl, err)) != HS_OK)
		goto out;
	at = once_at(a, (size_t)al, m[0], 32);
	if (at >= 0 && al == bl)
		memcpy(a + at, m[1], 32);
	if (at < 0 || al != bl || memcmp(a, b, (size_t)al) != 0) {
		rc = hs_fail(err, HS_ERR_CRYPTO, "the signed attributes do "
		    "not have one fixed place for the digest");
		goto out;
	}
	if ((s->attrs = malloc((size_t)al)) == NULL) {
		rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
		goto out;
	}
	memcpy(s->attrs, a, (size_t)al);
	s->alen = (size_t)al;
	s->adg = (size_t)at;
out:
	CMS_ContentInfo_free(cms);
	OPENSSL_free(a);
	OPENSSL_free(b);
	return rc;
}

/*
 * The template for signatures of siglen bytes: the CMS API's DER for a
 * marker digest and a marker signature, the markers found once each, and
 * the template checked by filling in a second pair and comparing with
 * what the CMS API makes for it. NULL only for lack of memory.
 */
static struct cms_tmpl *
make_tmpl(const struct pades_signer *s, size_t siglen)
{
	struct cms_tmpl *t = calloc(1, sizeof(*t));
	unsigned char *a = NULL, *b = NULL;
	uint8_t dg[2][32], sig[2][PADES_SIG_MAX];
	int al = 0, bl = 0;
	long d, g;
	char e[HS_ERRLEN];

	if (t == NULL)
		return NULL;
	t->bad = true;
	if (RAND_bytes(dg[0], sizeof(dg)) != 1 ||
	    RAND_bytes(sig[0], sizeof(sig)) != 1) {
		ERR_clear_error();
		return t;
	}
	if (build_cms(s, dg[0], sig[0], siglen, &a, &al, e) != HS_OK ||
	    build_cms(s, dg[1], sig[1], siglen, &b, &bl, e) != HS_OK ||
	    al != bl)
		goto out;
	d = once_at(a, (size_t)al, dg[0], 32);
	g = once_at(a, (size_t)al, sig[0], siglen);
	if (d < 0 || g < 0 || (d < g + (long)siglen && g < d + 32))
		goto out;
	memcpy(a + d, dg[1], 32);
	memcpy(a + g, sig[1], siglen);
	if (memcmp(a, b, (size_t)al) != 0)
		goto out;
	t->der = a;
	a = NULL;
	t->len = (size_t)al;
	t->dg = (size_t)d;
	t->sig = (size_t)g;
	t->bad = false;
out:
	OPENSSL_free(a);
	OPENSSL_free(b);
	return t;
}

/* s's template for siglen (made on first use); NULL: build the CMS. */
static const struct cms_tmpl *
tmpl_for(const struct pades_signer *cs, size_t siglen)
{
	/* Only the lazily made templates are written, under lock. */
	struct pades_signer *s = (struct pades_signer *)cs;
	struct cms_tmpl *t;

	if (siglen == 0 || siglen > PADES_SIG_MAX)
		return NULL;
	pthread_mutex_lock(&s->lock);
	if ((t = s->tmpl[siglen]) == NULL)
		t = s->tmpl[siglen] = make_tmpl(s, siglen);
	pthread_mutex_unlock(&s->lock);
	return t != NULL && !t->bad ? t : NULL;
}

/* ---- signers ---- */

void
pades_signer_free(struct pades_signer *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nchain; i++)
		X509_free(s->chain[i]);
	for (i = 0; i <= PADES_SIG_MAX; i++)
		if (s->tmpl[i] != NULL) {
			OPENSSL_free(s->tmpl[i]->der);
			free(s->tmpl[i]);
		}
	pthread_mutex_destroy(&s->lock);
	free(s->attrs);
	EVP_PKEY_free(s->pub);
	EVP_PKEY_free(s->soft);
	p11_close(s->p11);
	free(s->pem);
	free(s);
}

enum hs_err
pades_signer_new(const char *chain_path, pades_sign_fn sign, void *ctx,
    size_t sigmax, struct pades_signer **out, char *err)
{
	char *data = NULL;
	size_t len;
	enum hs_err rc;

	*out = NULL;
	if ((rc = file_read(chain_path, X509CA_FILE_MAX, &data, &len, err)) !=
	    HS_OK)
		return rc;
	rc = pades_signer_new_pem(data, len, chain_path, sign, ctx, sigmax,
	    out, err);
	free(data);
	return rc;
}

enum hs_err
pades_signer_new_pem(const char *pem, size_t len, const char *chain_path,
    pades_sign_fn sign, void *ctx, size_t sigmax, struct pades_signer **out,
    char *err)
{
	struct pades_signer *s;
	unsigned char *der = NULL, *cd = NULL;
	uint8_t dg[32] = { 0 }, fake[PADES_SIG_MAX];
	int dlen, cl;
	X509 *c;
	BIO *b = NULL;
	enum hs_err rc;

	*out = NULL;
	if (sigmax == 0 || sigmax > PADES_SIG_MAX)
		return hs_fail(err, HS_ERR_INVALID, "bad signature size");
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	pthread_mutex_init(&s->lock, NULL);
	s->sign = sign;
	s->ctx = ctx;
	s->sigmax = sigmax;
	if (len == 0 || len > X509CA_FILE_MAX) {
		rc = hs_fail(err, HS_ERR_FORMAT, "%s: no PEM certificate",
		    chain_path);
		goto fail;
	}
	if ((s->pem = malloc(len + 1)) == NULL) {
		rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
		goto fail;
	}
	memcpy(s->pem, pem, len);
	s->pem[len] = '\0';
	s->pemlen = len;
	if ((b = BIO_new_mem_buf(s->pem, (int)len)) == NULL) {
		rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
		goto fail;
	}
	while (s->nchain < CHAIN_MAX &&
	    (c = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL)
		s->chain[s->nchain++] = c;
	ERR_clear_error();
	if (s->nchain == 0) {
		rc = hs_fail(err, HS_ERR_FORMAT, "%s: no PEM certificate",
		    chain_path);
		goto fail;
	}
	if ((s->pub = X509_get_pubkey(s->chain[0])) == NULL ||
	    (cl = i2d_X509(s->chain[0], &cd)) <= 0) {
		ERR_clear_error();
		rc = hs_fail(err, HS_ERR_FORMAT, "%s: unreadable certificate",
		    chain_path);
		goto fail;
	}
	sha256(cd, (size_t)cl, s->cert_sha);
	/* The placeholder fits the largest CMS this chain and key make. */
	memset(fake, 0x7f, sigmax);
	if ((rc = build_cms(s, dg, fake, sigmax, &der, &dlen, err)) !=
	    HS_OK || (rc = make_attrs(s, err)) != HS_OK)
		goto fail;
	s->hexlen = 2 * ((size_t)dlen + 16);
	*out = s;
	s = NULL;
fail:
	OPENSSL_free(der);
	OPENSSL_free(cd);
	BIO_free(b);
	pades_signer_free(s);
	return rc;
}

/*
 * pades.key names an ECDSA P-256 key in a PKCS#11 token: one pkcs11: URI
 * line (as keys/LABEL.key does for note keys). The PIN comes from the
 * URI's pin-source or the environment (core/p11.h); the token's public
 * key must be the certificate's.
 */
static enum hs_err
load_token(const char *kp, char *data, size_t len, const char *cp,
    struct pades_signer **out, char *err)
{
	struct p11_key *k = NULL;
	uint8_t pub[65], cpub[65];
	size_t n = 0;
	enum hs_err rc;

	if (len == 0 || data[len - 1] != '\n' || memchr(data, '\n', len) !=
	    data + len - 1 || strlen(data) != len)
		return hs_fail(err, HS_ERR_FORMAT, "%s must be one pkcs11: URI "
		    "line ending in a newline", kp);
	data[len - 1] = '\0';
	if ((rc = p11_uri_check(data, err)) != HS_OK ||
	    (rc = p11_open(data, NULL, 0, &k, err)) != HS_OK) {
		hs_errprefix(err, "%s (token key)", kp);
		return rc;
	}
	if (p11_key_type(k) != P11_P256) {
		p11_close(k);
		return hs_fail(err, HS_ERR_STATE, "%s: the token key is not an "
		    "ECDSA P-256 key", kp);
	}
	p11_key_pub(k, pub, &n);
	if ((rc = pades_signer_new(cp, p11_sign_ecdsa, k, P11_ECDSA_DER_MAX,
	    out, err)) != HS_OK) {
		p11_close(k);
		return rc;
	}
	if (n != 65 || EVP_PKEY_get_base_id((*out)->pub) != EVP_PKEY_EC ||
	    EVP_PKEY_get_octet_string_param((*out)->pub, "encoded-pub-key",
	    cpub, sizeof(cpub), &len) != 1 || len != 65 ||
	    memcmp(pub, cpub, 65) != 0) {
		ERR_clear_error();
		pades_signer_free(*out);
		*out = NULL;
		p11_close(k);
		return hs_fail(err, HS_ERR_STATE, "the token key %s names does "
		    "not belong to the certificate in %s", kp, cp);
	}
	(*out)->p11 = k;
	return HS_OK;
}

enum hs_err
pades_signer_load(const char *keys_dir, struct pades_signer **out, char *err)
{
	char kp[PATH_MAX], cp[PATH_MAX];
	EVP_PKEY *k = NULL;
	struct stat st;
	char *data = NULL;
	size_t len, sigmax;
	BIO *b;
	enum hs_err rc;

	*out = NULL;
	if (path_join(kp, sizeof(kp), keys_dir, X509CA_DOC_KEY, err) != HS_OK ||
	    path_join(cp, sizeof(cp), keys_dir, X509CA_DOC_CRT, err) != HS_OK)
		return HS_ERR_INVALID;
	if (lstat(kp, &st) != 0)
		return hs_fail(err, HS_ERR_NOTFOUND, "%s: %s", kp,
		    strerror(errno));
	if (!S_ISREG(st.st_mode) || (st.st_mode & 077) != 0)
		return hs_fail(err, HS_ERR_STATE, "%s: open to group or others "
		    "(chmod 600 %s)", kp, kp);
	if ((rc = file_read(kp, X509CA_FILE_MAX, &data, &len, err)) != HS_OK)
		return rc;
	if (p11_is_uri(data)) {
		rc = load_token(kp, data, len, cp, out, err);
		free(data);
		return rc;
	}
	if ((b = BIO_new_mem_buf(data, (int)len)) != NULL)
		k = PEM_read_bio_PrivateKey(b, NULL, NULL, (void *)"");
	BIO_free(b);
	OPENSSL_cleanse(data, len);
	free(data);
	if (k == NULL) {
		ERR_clear_error();
		return hs_fail(err, HS_ERR_FORMAT, "%s: not an unencrypted PEM "
		    "private key", kp);
	}
	sigmax = EVP_PKEY_get_base_id(k) == EVP_PKEY_RSA ?
	    (size_t)EVP_PKEY_get_size(k) : 72;
	if ((rc = pades_signer_new(cp, soft_sign, k, sigmax, out, err)) !=
	    HS_OK) {
		EVP_PKEY_free(k);
		return rc;
	}
	if (EVP_PKEY_eq((*out)->pub, k) != 1) {
		ERR_clear_error();
		pades_signer_free(*out);
		*out = NULL;
		EVP_PKEY_free(k);
		return hs_fail(err, HS_ERR_STATE, "%s does not belong to the "
		    "certificate in %s", kp, cp);
	}
	(*out)->soft = k;
	return HS_OK;
}

const char *
pades_signer_chain(const struct pades_signer *s, size_t *len)
{
	*len = s->pemlen;
	return s->pem;
}

size_t
pades_signer_sigmax(const struct pades_signer *s)
{
	return s->sigmax;
}

enum hs_err
pades_sign_attrs(const struct pades_signer *s, const uint8_t *tbs,
    size_t len, uint8_t *sig, size_t *siglen, char *err)
{
	STACK_OF(X509_ATTRIBUTE) *sk;
	const unsigned char *p = tbs;
	X509_ATTRIBUTE *a;
	ASN1_TYPE *t;
	int i, n, found = 0;

	if (len == 0 || len > PADES_ATTRS_MAX || len > LONG_MAX)
		return hs_fail(err, HS_ERR_STATE, "refused: %zu bytes of signed "
		    "attributes (1..%d)", len, PADES_ATTRS_MAX);
	/* What this signer makes, but for the digest: sign it. */
	if (len == s->alen && memcmp(tbs, s->attrs, s->adg) == 0 &&
	    memcmp(tbs + s->adg + 32, s->attrs + s->adg + 32,
	    len - s->adg - 32) == 0) {
		if (*siglen < s->sigmax)
			return hs_fail(err, HS_ERR_INVALID, "signature buffer "
			    "too small");
		return s->sign(s->ctx, tbs, len, sig, siglen, err);
	}
	/* Anything else is refused, with the reason found the long way. */
	sk = (STACK_OF(X509_ATTRIBUTE) *)ASN1_item_d2i(NULL, &p, (long)len,
	    ASN1_ITEM_rptr(PKCS7_ATTR_SIGN));
	if (sk == NULL || p != tbs + len) {
		ERR_clear_error();
		sk_X509_ATTRIBUTE_pop_free(sk, X509_ATTRIBUTE_free);
		return hs_fail(err, HS_ERR_STATE, "refused: not a DER SET OF "
		    "attributes");
	}
	/* The message digest: one value, an OCTET STRING of 32 bytes. */
	n = sk_X509_ATTRIBUTE_num(sk);
	for (i = 0; i < n; i++) {
		a = sk_X509_ATTRIBUTE_value(sk, i);
		if (OBJ_obj2nid(X509_ATTRIBUTE_get0_object(a)) !=
		    NID_pkcs9_messageDigest)
			continue;
		found++;
		t = X509_ATTRIBUTE_get0_type(a, 0);
		if (X509_ATTRIBUTE_count(a) != 1 || t == NULL ||
		    t->type != V_ASN1_OCTET_STRING ||
		    ASN1_STRING_length(t->value.octet_string) != 32) {
			found = -1;
			break;
		}
	}
	sk_X509_ATTRIBUTE_pop_free(sk, X509_ATTRIBUTE_free);
	if (found != 1)
		return hs_fail(err, HS_ERR_STATE, "refused: the attributes need "
		    "one message-digest of 32 bytes");
	/*
	 * Everything else must be what this signer itself puts there:
	 * content-type id-data and the ESS signing-certificate-v2 of its
	 * certificate, nothing more, in the same DER (s->attrs).
	 */
	return hs_fail(err, HS_ERR_STATE, "refused: the attributes are not "
	    "content-type id-data, a message digest and this certificate's "
	    "ESS signing-certificate-v2");
}

void
pades_signer_use_templates(struct pades_signer *s, bool on)
{
	s->no_tmpl = !on;
}

void
pades_signer_cert_sha(const struct pades_signer *s, uint8_t out[32])
{
	memcpy(out, s->cert_sha, 32);
}

enum hs_err
pades_signer_set_tsa(struct pades_signer *s, const char *url, int timeout,
    char *err)
{
	if (url == NULL || strncmp(url, "http://", 7) != 0 ||
	    strlen(url) >= sizeof(s->tsa) || has_control(url))
		return hs_fail(err, HS_ERR_INVALID, "the TSA URL must be "
		    "http://host[:port]/path");
	if (timeout < 0 || timeout > 120)
		return hs_fail(err, HS_ERR_INVALID, "the TSA timeout must be "
		    "1 to 120 seconds");
	s->tsa_timeout = timeout > 0 ? timeout : PADES_TSA_TIMEOUT;
	snprintf(s->tsa, sizeof(s->tsa), "%s", url);
	s->hexlen += 2 * PADES_TSA_RESERVE;
	return HS_OK;
}

/* ---- RFC 3161 ---- */

static enum hs_err
tsa_token(const char *url, int timeout, const uint8_t *sig, size_t siglen,
    unsigned char **tok, int *toklen, char *err)
{
	char *host = NULL, *port = NULL, *path = NULL;
	TS_REQ *req = NULL;
	TS_MSG_IMPRINT *mi = NULL;
	X509_ALGOR *alg = NULL;
	ASN1_INTEGER *nonce = NULL;
	TS_RESP *resp = NULL;
	BIO *rb = NULL, *ans = NULL;
	uint8_t h[32], nb[8];
	unsigned char *rd = NULL;
	const unsigned char *q;
	char *body;
	long blen;
	int ssl = 0, rl;
	enum hs_err rc = HS_ERR_IO;

	*tok = NULL;
	sha256(sig, siglen, h);
	if (!OSSL_HTTP_parse_url(url, &ssl, NULL, &host, &port, NULL, &path,
	    NULL, NULL) || ssl) {
		rc = hs_fail(err, HS_ERR_INVALID, "bad TSA URL");
		goto out;
	}
	if (RAND_bytes(nb, sizeof(nb)) != 1)
		goto fail;
	if ((req = TS_REQ_new()) == NULL || !TS_REQ_set_version(req, 1) ||
	    (mi = TS_MSG_IMPRINT_new()) == NULL ||
	    (alg = X509_ALGOR_new()) == NULL ||
	    !X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha256), V_ASN1_NULL, NULL) ||
	    !TS_MSG_IMPRINT_set_algo(mi, alg) ||
	    !TS_MSG_IMPRINT_set_msg(mi, h, 32) ||
	    !TS_REQ_set_msg_imprint(req, mi) ||
	    (nonce = ASN1_INTEGER_new()) == NULL ||
	    !ASN1_STRING_set(nonce, nb, sizeof(nb)) ||
	    !TS_REQ_set_nonce(req, nonce) || !TS_REQ_set_cert_req(req, 1) ||
	    (rl = i2d_TS_REQ(req, &rd)) <= 0 ||
	    (rb = BIO_new_mem_buf(rd, rl)) == NULL)
		goto fail;
	ans = OSSL_HTTP_transfer(NULL, host, port, path, 0, NULL, NULL, NULL,
	    NULL, NULL, NULL, 0, NULL, "application/timestamp-query", rb,
	    "application/timestamp-reply", 1, 256 * 1024, timeout, 0);
	if (ans == NULL) {
		ERR_clear_error();
		rc = hs_fail(err, HS_ERR_IO, "the TSA %s did not answer "
		    "within %d s", url, timeout);
		goto out;
	}
	blen = BIO_get_mem_data(ans, &body);
	q = (const unsigned char *)body;
	if (blen <= 0 || (resp = d2i_TS_RESP(NULL, &q, blen)) == NULL) {
		ERR_clear_error();
		rc = hs_fail(err, HS_ERR_IO, "the TSA %s sent no timestamp "
		    "reply (%ld bytes)", url, blen);
		goto out;
	}
	if (ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(
	    TS_RESP_get_status_info(resp))) > 1 ||
	    TS_RESP_get_token(resp) == NULL) {
		rc = hs_fail(err, HS_ERR_IO, "the TSA %s refused (status %ld)",
		    url, ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(
		    TS_RESP_get_status_info(resp))));
		goto out;
	}
	{
		TS_TST_INFO *ti = TS_RESP_get_tst_info(resp);
		ASN1_OCTET_STRING *m = TS_MSG_IMPRINT_get_msg(
		    TS_TST_INFO_get_msg_imprint(ti));
		const ASN1_INTEGER *rn = TS_TST_INFO_get_nonce(ti);

		if (ASN1_STRING_length(m) != 32 || memcmp(
		    ASN1_STRING_get0_data(m), h, 32) != 0 || rn == NULL ||
		    ASN1_INTEGER_cmp(rn, nonce) != 0) {
			rc = hs_fail(err, HS_ERR_IO, "the TSA's token is not "
			    "for this signature");
			goto out;
		}
	}
	if ((*toklen = i2d_PKCS7(TS_RESP_get_token(resp), tok)) <= 0)
		goto fail;
	if (*toklen > PADES_TSA_RESERVE) {
		OPENSSL_free(*tok);
		*tok = NULL;
		rc = hs_fail(err, HS_ERR_TOOBIG, "the TSA's token is over %d "
		    "bytes", PADES_TSA_RESERVE);
		goto out;
	}
	rc = HS_OK;
	goto out;
fail:
	ERR_clear_error();
	rc = hs_fail(err, HS_ERR_CRYPTO, "cannot make the timestamp request");
out:
	OPENSSL_free(host);
	OPENSSL_free(port);
	OPENSSL_free(path);
	OPENSSL_free(rd);
	TS_REQ_free(req);
	TS_MSG_IMPRINT_free(mi);
	X509_ALGOR_free(alg);
	ASN1_INTEGER_free(nonce);
	TS_RESP_free(resp);
	BIO_free(rb);
	BIO_free(ans);
	return rc;
}

/* ---- signing ---- */

static const char hexd[] = "0123456789ABCDEF";

/*
 * The signed CMS over digest dg into *der (caller frees with
 * OPENSSL_free): the signed attributes are s's with dg in place, and,
 * without a TSA, the ContentInfo is the template for the signature's
 * length with dg and the signature in place. The CMS API builds it only
 * for a timestamp or a length that has no template.
 */
static enum hs_err
sign_cms(const struct pades_signer *s, const uint8_t dg[32],
    unsigned char **der, int *dlen, char *err)
{
	const struct cms_tmpl *t;
	uint8_t tbs[PADES_ATTRS_MAX], sig[PADES_SIG_MAX];
	size_t siglen = sizeof(sig);
	enum hs_err rc;

	*der = NULL;
	if (s->tsa[0] != '\0' || s->no_tmpl || s->alen > sizeof(tbs))
		return build_cms(s, dg, NULL, 0, der, dlen, err);
	memcpy(tbs, s->attrs, s->alen);
	memcpy(tbs + s->adg, dg, 32);
	if ((rc = s->sign(s->ctx, tbs, s->alen, sig, &siglen, err)) != HS_OK)
		return rc;
	if (siglen == 0 || siglen > sizeof(sig))
		return hs_fail(err, HS_ERR_CRYPTO, "the document key made a "
		    "signature of %zu bytes", siglen);
	if ((t = tmpl_for(s, siglen)) == NULL)
		return build_cms(s, dg, sig, siglen, der, dlen, err);
	if ((*der = OPENSSL_malloc(t->len)) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	memcpy(*der, t->der, t->len);
	memcpy(*der + t->dg, dg, 32);
	memcpy(*der + t->sig, sig, siglen);
	*dlen = (int)t->len;
	return HS_OK;
}

enum hs_err
pades_sign(const struct pades_signer *s, time_t when, struct buf *pdf,
    char *err)
{
	size_t len0 = pdf->len, hole, c, i;
	unsigned char *der = NULL;
	uint8_t dg[32];
	EVP_MD_CTX *m = NULL;
	struct buf upd;
	int dlen = 0;
	enum hs_err rc;

	buf_init(&upd);
	if ((rc = pades_layout(pdf->data, pdf->len, when, s->hexlen, &upd,
	    &hole, err)) != HS_OK)
		goto out;
	buf_add(pdf, upd.data, upd.len);
	if (pdf->oom) {
		rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
		goto out;
	}
	c = hole + s->hexlen + 2;
	if ((m = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(m, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(m, pdf->data, hole) != 1 ||
	    EVP_DigestUpdate(m, pdf->data + c, pdf->len - c) != 1 ||
	    EVP_DigestFinal_ex(m, dg, NULL) != 1) {
		rc = hs_fail(err, HS_ERR_CRYPTO, "SHA-256 failed");
		goto out;
	}
	if ((rc = sign_cms(s, dg, &der, &dlen, err)) != HS_OK)
		goto out;
	if ((size_t)dlen * 2 > s->hexlen) {
		rc = hs_fail(err, HS_ERR_TOOBIG, "the signature (%d bytes) "
		    "does not fit its placeholder", dlen);
		goto out;
	}
	for (i = 0; i < (size_t)dlen; i++) {
		pdf->data[hole + 1 + 2 * i] = hexd[der[i] >> 4];
		pdf->data[hole + 2 + 2 * i] = hexd[der[i] & 15];
	}
out:
	if (rc != HS_OK)
		pdf->len = len0;
	EVP_MD_CTX_free(m);
	OPENSSL_free(der);
	buf_free(&upd);
	return rc;
}

/* ---- verification ---- */

static time_t
parse_m(const char *p, const char *end)
{
	struct tm tm;
	int v[6], i, k;
	static const int w[6] = { 4, 2, 2, 2, 2, 2 };

	if (end - p < 16 || memcmp(p, "D:", 2) != 0)
		return -1;
	p += 2;
	for (i = 0; i < 6; i++) {
		v[i] = 0;
		for (k = 0; k < w[i]; k++, p++) {
			if (*p < '0' || *p > '9')
				return -1;
			v[i] = v[i] * 10 + (*p - '0');
		}
	}
	if (*p != 'Z')
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = v[0] - 1900;
	tm.tm_mon = v[1] - 1;
	tm.tm_mday = v[2];
	tm.tm_hour = v[3];
	tm.tm_min = v[4];
	tm.tm_sec = v[5];
	return timegm(&tm);
}

static void
cn_of(X509 *c, char *out, size_t n)
{
	X509_NAME *nm = X509_get_subject_name(c);
	int i = X509_NAME_get_index_by_NID(nm, NID_commonName, -1);
	unsigned char *u = NULL;
	int ul;

	out[0] = '\0';
	if (i < 0 || (ul = ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(
	    X509_NAME_get_entry(nm, i)))) < 0)
		return;
	snprintf(out, n, "%.*s", ul, (const char *)u);
	if (!utf8_valid(out, strlen(out)) || has_control(out))
		snprintf(out, n, "?");
	OPENSSL_free(u);
}

/* Is the timestamp token of si over its signature value? */
static bool
ts_ok(CMS_SignerInfo *si)
{
	int i = CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken,
	    -1);
	X509_ATTRIBUTE *a;
	ASN1_TYPE *t;
	ASN1_OCTET_STRING *sv = CMS_SignerInfo_get0_signature(si), *m;
	const unsigned char *q;
	PKCS7 *p7 = NULL;
	TS_TST_INFO *ti = NULL;
	uint8_t h[32];
	bool ok = false;

	if (i < 0 || (a = CMS_unsigned_get_attr(si, i)) == NULL ||
	    (t = X509_ATTRIBUTE_get0_type(a, 0)) == NULL ||
	    t->type != V_ASN1_SEQUENCE)
		return false;
	q = t->value.sequence->data;
	if ((p7 = d2i_PKCS7(NULL, &q, t->value.sequence->length)) == NULL ||
	    (ti = PKCS7_to_TS_TST_INFO(p7)) == NULL)
		goto out;
	m = TS_MSG_IMPRINT_get_msg(TS_TST_INFO_get_msg_imprint(ti));
	sha256(ASN1_STRING_get0_data(sv), (size_t)ASN1_STRING_length(sv), h);
	ok = ASN1_STRING_length(m) == 32 && memcmp(ASN1_STRING_get0_data(m),
	    h, 32) == 0;
out:
	ERR_clear_error();
	TS_TST_INFO_free(ti);
	PKCS7_free(p7);
	return ok;
}

/* n bytes from 2n hex digits (not NUL-terminated); -1 if one is not. */
static int
unhex(const char *in, uint8_t *out, size_t n)
{
	size_t i;
	int h, l;

	for (i = 0; i < n; i++) {
		if ((h = hex_digit(in[2 * i])) < 0 ||
		    (l = hex_digit(in[2 * i + 1])) < 0)
			return -1;
		out[i] = (uint8_t)(h << 4 | l);
	}
	return 0;
}

static enum pades_state
bad(struct pades_info *in, const char *why)
{
	snprintf(in->why, sizeof(in->why), "%s", why);
	return in->state = PADES_INVALID;
}

enum hs_err
pades_verify(const void *pdfv, size_t len, struct pades_info *in, char *err)
{
	const char *pdf = pdfv, *br, *p, *end = pdf + len, *mp;
	long long v[4];
	size_t i, hexlen;
	unsigned char *der = NULL, *content = NULL;
	const unsigned char *q;
	CMS_ContentInfo *cms = NULL;
	STACK_OF(CMS_SignerInfo) *sis;
	STACK_OF(X509) *signers = NULL;
	BIO *bio = NULL;
	unsigned char *cd = NULL;
	int cl;
	enum hs_err rc = HS_OK;

	memset(in, 0, sizeof(*in));
	in->when = -1;
	if ((br = rfind(pdf, len, "/ByteRange [")) == NULL) {
		in->state = PADES_NONE;
		return HS_OK;
	}
	p = br + 12;
	for (i = 0; i < 4; i++)
		if ((v[i] = num(&p, end)) < 0) {
			bad(in, "the signature's /ByteRange is malformed");
			return HS_OK;
		}
	while (p < end && *p == ' ')
		p++;
	if (p >= end || *p != ']') {
		bad(in, "the signature's /ByteRange is malformed");
		return HS_OK;
	}
	/* /Contents follows its /ByteRange, which names where it is. */
	if (v[0] != 0 || v[1] <= (long long)(p - pdf) || v[1] - (p - pdf) > 16 ||
	    v[2] <= v[1] + 1 || (size_t)v[2] > len || (size_t)v[3] > len ||
	    (size_t)(v[2] + v[3]) > len || pdf[v[1]] != '<' ||
	    pdf[v[2] - 1] != '>' || find(p, (size_t)(v[1] - (p - pdf)) + 1,
	    "/Contents <") == NULL) {
		bad(in, "the signature's /ByteRange does not match the file");
		return HS_OK;
	}
	in->hole = (size_t)v[1];
	hexlen = (size_t)(v[2] - v[1] - 2);
	in->hexlen = hexlen;
	in->signed_end = (size_t)(v[2] + v[3]);
	mp = find(br - (br - pdf > 512 ? 512 : br - pdf), (size_t)(br - pdf >
	    512 ? 512 : br - pdf), "/M (");
	if (mp != NULL)
		in->when = parse_m(mp + 4, br);
	if (hexlen > PADES_CONTENTS_MAX || hexlen % 2 != 0) {
		bad(in, "the signature's /Contents is too large or odd");
		return HS_OK;
	}
	if ((der = malloc(hexlen / 2 + 1)) == NULL ||
	    (content = malloc(len - hexlen)) == NULL) {
		rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (unhex(pdf + v[1] + 1, der, hexlen / 2) != 0) {
		bad(in, "the signature's /Contents is not hexadecimal");
		goto out;
	}
	q = der;
	if ((cms = d2i_CMS_ContentInfo(NULL, &q, (long)(hexlen / 2))) == NULL ||
	    OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed ||
	    CMS_is_detached(cms) != 1 ||
	    (sis = CMS_get0_SignerInfos(cms)) == NULL ||
	    sk_CMS_SignerInfo_num(sis) != 1) {
		bad(in, "the signature is not a detached CMS SignedData with "
		    "one signer");
		goto out;
	}
	memcpy(content, pdf, (size_t)v[1]);
	memcpy(content + v[1], pdf + v[2], (size_t)v[3]);
	if ((bio = BIO_new_mem_buf(content, (int)(v[1] + v[3]))) == NULL) {
		rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (CMS_signed_get_attr_by_NID(sk_CMS_SignerInfo_value(sis, 0),
	    NID_id_smime_aa_signingCertificateV2, -1) < 0) {
		bad(in, "the signature has no ESS signing-certificate-v2");
		goto out;
	}
	/* The signer is checked against the ledger, not a CA: no chain. */
	if (CMS_verify(cms, NULL, NULL, bio, NULL, CMS_BINARY |
	    CMS_NO_SIGNER_CERT_VERIFY) != 1) {
		bad(in, "the PDF signature does not match the file: a byte "
		    "was changed after signing");
		goto out;
	}
	if ((signers = CMS_get0_signers(cms)) == NULL ||
	    sk_X509_num(signers) != 1 ||
	    (cl = i2d_X509(sk_X509_value(signers, 0), &cd)) <= 0) {
		bad(in, "the signing certificate is missing");
		goto out;
	}
	sha256(cd, (size_t)cl, in->cert_sha);
	cn_of(sk_X509_value(signers, 0), in->subject, sizeof(in->subject));
	in->timestamped = ts_ok(sk_CMS_SignerInfo_value(sis, 0));
	if (in->signed_end < len) {
		in->state = PADES_APPENDED;
		snprintf(in->why, sizeof(in->why), "%zu bytes were appended "
		    "after the signature", len - in->signed_end);
	} else {
		in->state = PADES_VALID;
	}
out:
	ERR_clear_error();
	sk_X509_free(signers);
	OPENSSL_free(cd);
	BIO_free(bio);
	CMS_ContentInfo_free(cms);
	free(der);
	free(content);
	return rc;
}
