/*
 * test_pades_signer.c - PDF signatures through the signer process
 * (app/signer.h, pades_sign_attrs in pdf/pades.h): the signer signs a
 * "\0P" request only if it is exactly the DER signed attributes its own
 * PAdES signer would make -- content-type id-data, one 32-byte message
 * digest, the ESS signing-certificate-v2 of ITS certificate -- and
 * refuses attributes for another certificate, with signing-time, with a
 * 31-byte digest, another content type, trailing bytes, a truncated SET,
 * garbage, and any "\0P" request when it has no document key. Over the
 * socket, the chain in the hello makes a remote PAdES signer whose
 * signed PDFs verify.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "app/signer.h"
#include "cert/x509ca.h"
#include "core/util.h"
#include "pdf/pades.h"
#include "tlog/note.h"
#include "t.h"
#include "tlib.h"

#define ORIGIN "hourseal.test/log"

/*
 * Signed attributes made here with OpenSSL's CMS API, independently of
 * pades.c: for cert, a digest of dlen bytes, content type ct, and
 * signing-time if st.
 */
static int
attrs(X509 *cert, size_t dlen, int ct, int st, uint8_t *out, size_t *outlen)
{
	const unsigned fl = CMS_PARTIAL | CMS_DETACHED | CMS_BINARY |
	    CMS_NOSMIMECAP;
	CMS_ContentInfo *cms = CMS_sign(NULL, NULL, NULL, NULL, fl);
	STACK_OF(X509_ATTRIBUTE) *sk = sk_X509_ATTRIBUTE_new_null();
	EVP_PKEY *pub = X509_get_pubkey(cert);
	ASN1_TIME *tm = ASN1_UTCTIME_set(NULL, 1735689600);
	CMS_SignerInfo *si;
	uint8_t dg[64];
	unsigned char *der = NULL;
	int i, n, ok = 0;

	memset(dg, 0x5a, sizeof(dg));
	si = cms ? CMS_add1_signer(cms, cert, pub, EVP_sha256(),
	    fl | CMS_CADES) : NULL;
	if (si != NULL &&
	    CMS_signed_add1_attr_by_NID(si, NID_pkcs9_contentType,
	    V_ASN1_OBJECT, OBJ_nid2obj(ct), -1) &&
	    CMS_signed_add1_attr_by_NID(si, NID_pkcs9_messageDigest,
	    V_ASN1_OCTET_STRING, dg, (int)dlen) &&
	    (!st || CMS_signed_add1_attr_by_NID(si, NID_pkcs9_signingTime,
	    V_ASN1_UTCTIME, tm, -1))) {
		n = CMS_signed_get_attr_count(si);
		for (i = 0; i < n; i++)
			sk_X509_ATTRIBUTE_push(sk, CMS_signed_get_attr(si, i));
		n = ASN1_item_i2d((ASN1_VALUE *)sk, &der,
		    ASN1_ITEM_rptr(PKCS7_ATTR_SIGN));
		if (n > 0 && (size_t)n <= *outlen) {
			memcpy(out, der, (size_t)n);
			*outlen = (size_t)n;
			ok = 1;
		}
	}
	ERR_clear_error();
	OPENSSL_free(der);
	sk_X509_ATTRIBUTE_free(sk);
	EVP_PKEY_free(pub);
	ASN1_TIME_free(tm);
	CMS_ContentInfo_free(cms);
	return ok;
}

static X509 *
read_cert(const char *dir)
{
	char p[512];
	FILE *f;
	X509 *c = NULL;

	snprintf(p, sizeof(p), "%s/%s", dir, X509CA_DOC_CRT);
	if ((f = fopen(p, "r")) != NULL) {
		c = PEM_read_X509(f, NULL, NULL, NULL);
		fclose(f);
	}
	return c;
}

static int
verifies(X509 *cert, const uint8_t *tbs, size_t len, const uint8_t *sig,
    size_t siglen)
{
	EVP_PKEY *k = X509_get_pubkey(cert);
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	int ok = k && m && EVP_DigestVerifyInit(m, NULL, EVP_sha256(), NULL,
	    k) == 1 && EVP_DigestVerify(m, sig, siglen, tbs, len) == 1;

	ERR_clear_error();
	EVP_MD_CTX_free(m);
	EVP_PKEY_free(k);
	return ok;
}

/* One raw request on fd; the answer's first byte (0 if none). */
static int
ask(int fd, const void *req, size_t len, char *msg, size_t cap)
{
	char b[1024];
	ssize_t n;

	if (send(fd, req, len, MSG_NOSIGNAL) != (ssize_t)len)
		return 0;
	n = recv(fd, b, sizeof(b) - 1, 0);
	if (n <= 0)
		return 0;
	b[n] = '\0';
	snprintf(msg, cap, "%.200s", b + 1);
	return b[0];
}

static void
test_check(const char *da, const char *db)
{
	struct pades_signer *a = NULL, *b = NULL;
	X509 *ca = read_cert(da), *cb = read_cert(db);
	uint8_t t[4096], sig[PADES_SIG_MAX];
	size_t tl, sl;
	char err[HS_ERRLEN] = "";

	T_OK(pades_signer_load(da, &a, err) == HS_OK, "signer a: %s", err);
	T_OK(pades_signer_load(db, &b, err) == HS_OK, "signer b: %s", err);
	if (a == NULL || b == NULL || ca == NULL || cb == NULL)
		return;

	tl = sizeof(t);
	T_OK(attrs(ca, 32, NID_pkcs7_data, 0, t, &tl), "attributes for a");
	sl = sizeof(sig);
	T_OK(pades_sign_attrs(a, t, tl, sig, &sl, err) == HS_OK,
	    "a signs its own attributes (%s)", err);
	T_OK(verifies(ca, t, tl, sig, sl), "the signature verifies with a's "
	    "certificate");
	sl = sizeof(sig);
	T_OK(pades_sign_attrs(b, t, tl, sig, &sl, err) == HS_ERR_STATE &&
	    strstr(err, "refused") != NULL, "b refuses a's ESS certificate "
	    "(%s)", err);

	tl = sizeof(t);
	T_OK(attrs(ca, 32, NID_pkcs7_data, 1, t, &tl), "with signing-time");
	sl = sizeof(sig);
	T_OK(pades_sign_attrs(a, t, tl, sig, &sl, err) == HS_ERR_STATE,
	    "signing-time added: refused (%s)", err);

	tl = sizeof(t);
	T_OK(attrs(ca, 31, NID_pkcs7_data, 0, t, &tl), "a 31-byte digest");
	sl = sizeof(sig);
	T_OK(pades_sign_attrs(a, t, tl, sig, &sl, err) == HS_ERR_STATE,
	    "a 31-byte message digest: refused (%s)", err);

	tl = sizeof(t);
	T_OK(attrs(ca, 32, NID_pkcs7_signed, 0, t, &tl), "content type "
	    "signedData");
	sl = sizeof(sig);
	T_OK(pades_sign_attrs(a, t, tl, sig, &sl, err) == HS_ERR_STATE,
	    "another content type: refused (%s)", err);

	tl = sizeof(t) - 1;
	T_OK(attrs(ca, 32, NID_pkcs7_data, 0, t, &tl), "attributes again");
	t[tl] = 0;
	sl = sizeof(sig);
	T_OK(pades_sign_attrs(a, t, tl + 1, sig, &sl, err) == HS_ERR_STATE,
	    "a trailing byte: refused (%s)", err);
	sl = sizeof(sig);
	T_OK(pades_sign_attrs(a, t, tl - 1, sig, &sl, err) == HS_ERR_STATE,
	    "a truncated SET: refused (%s)", err);
	sl = sizeof(sig);
	T_OK(pades_sign_attrs(a, (const uint8_t *)"hourseal/cert/v1\n", 17,
	    sig, &sl, err) == HS_ERR_STATE, "text: refused (%s)", err);
	memset(t, 0x31, sizeof(t));
	sl = sizeof(sig);
	T_OK(pades_sign_attrs(a, t, sizeof(t), sig, &sl, err) ==
	    HS_ERR_STATE, "4096 bytes of 0x31: refused (%s)", err);
	sl = sizeof(sig);
	T_OK(pades_sign_attrs(a, t, 0, sig, &sl, err) == HS_ERR_STATE,
	    "nothing: refused");
	X509_free(ca);
	X509_free(cb);
	pades_signer_free(a);
	pades_signer_free(b);
}

static void
test_socket(const char *da, int with_doc)
{
	struct pades_signer *a = NULL;
	struct note_signer *local = NULL, *remote = NULL;
	struct signer_remote *r = NULL;
	struct pades_info pi;
	X509 *ca = read_cert(da);
	uint8_t seed[32], req[2 + 4096];
	char err[HS_ERRLEN] = "", label[KEYS_LABEL_MAX + 1] = "", msg[300];
	struct buf pdf;
	size_t tl;
	int sp[2], st = -1;
	pid_t pid;

	memset(seed, 7, sizeof(seed));
	T_OK(note_signer_new(ORIGIN, seed, &local, err) == HS_OK, "a note key");
	if (with_doc)
		T_OK(pades_signer_load(da, &a, err) == HS_OK, "doc key: %s", err);
	T_OK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp) == 0, "a socketpair");
	fflush(stdout);
	if ((pid = fork()) == 0) {
		close(sp[0]);
		signer_serve_pades(sp[1], local, a, "k1", NULL, stderr, err);
		_exit(0);
	}
	close(sp[1]);
	T_OK(signer_remote_open(sp[0], &remote, label, &r, err) == HS_OK,
	    "the remote signer opens (%s)", err);
	if (r == NULL)
		return;
	if (!with_doc) {
		T_OK(signer_remote_pades(r) == NULL, "no document key: no "
		    "remote PDF signer");
		tl = sizeof(req) - 2;
		req[0] = 0;
		req[1] = 'P';
		T_OK(attrs(ca, 32, NID_pkcs7_data, 0, req + 2, &tl),
		    "attributes");
		T_OK(ask(sp[0], req, 2 + tl, msg, sizeof(msg)) == 'E' &&
		    strstr(msg, "no document key") != NULL, "a PDF signature "
		    "request is refused: %s", msg);
		goto out;
	}
	T_OK(signer_remote_pades(r) != NULL, "the hello's chain makes a "
	    "remote PDF signer");
	buf_init(&pdf);
	t_tiny_pdf(&pdf);
	T_OK(pades_sign(signer_remote_pades(r), 1735689600, &pdf, err) ==
	    HS_OK, "a PDF signed through the socket (%s)", err);
	T_OK(pades_verify(pdf.data, pdf.len, &pi, err) == HS_OK &&
	    pi.state == PADES_VALID, "and it verifies");
	buf_free(&pdf);
	req[0] = 0;
	req[1] = 'P';
	memcpy(req + 2, "\x31\x03\x02\x01\x01", 5);
	T_OK(ask(sp[0], req, 7, msg, sizeof(msg)) == 'E' &&
	    strstr(msg, "refused") != NULL, "a hostile SET is refused: %s",
	    msg);
	tl = sizeof(req) - 2;
	T_OK(attrs(ca, 32, NID_pkcs7_data, 1, req + 2, &tl), "attributes "
	    "with signing-time");
	T_OK(ask(sp[0], req, 2 + tl, msg, sizeof(msg)) == 'E',
	    "signing-time over the socket is refused: %s", msg);
	T_OK(ask(sp[0], req, 2, msg, sizeof(msg)) == 'E', "an empty PDF "
	    "request is refused: %s", msg);
	tl = sizeof(req) - 2;
	T_OK(attrs(ca, 32, NID_pkcs7_data, 0, req + 2, &tl), "attributes");
	T_OK(ask(sp[0], req, 2 + tl, msg, sizeof(msg)) == 'D', "good "
	    "attributes are signed ('D')");
out:
	note_signer_free(remote);
	signer_remote_free(r);
	waitpid(pid, &st, 0);
	T_OK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the signer exits");
	note_signer_free(local);
	pades_signer_free(a);
	X509_free(ca);
}

int
main(void)
{
	char da[T_DIRMAX], db[T_DIRMAX], err[HS_ERRLEN] = "";

	if (t_tmpdir("padessig-a", da, sizeof(da)) != 0 ||
	    t_tmpdir("padessig-b", db, sizeof(db)) != 0)
		return 2;
	T_OK(x509ca_init(da, "CA a", 30, err) == HS_OK &&
	    x509ca_issue(da, "签发 a", "机构", X509CA_P256, 30, err) == HS_OK,
	    "doc key a: %s", err);
	T_OK(x509ca_init(db, "CA b", 30, err) == HS_OK &&
	    x509ca_issue(db, "签发 b", "机构", X509CA_P256, 30, err) == HS_OK,
	    "doc key b: %s", err);
	test_check(da, db);
	test_socket(da, 1);
	test_socket(da, 0);
	t_rmtree(da);
	t_rmtree(db);
	return t_done();
}
