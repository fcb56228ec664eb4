/*
 * x509ca.c - the PAdES document-signing key and its certificate: the
 * issuer's own small CA, issuing, and importing from another CA.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cert/x509ca.h"
#include "core/file.h"
#include "core/p11.h"
#include "core/util.h"

static enum hs_err
path_in(char out[PATH_MAX], const char *dir, const char *name, char *err)
{
	if (path_join(out, PATH_MAX, dir, name, NULL) != HS_OK)
		return hs_fail(err, HS_ERR_INVALID, "%s: path too long", dir);
	return HS_OK;
}

static EVP_PKEY *
new_key(enum x509ca_alg alg)
{
	if (alg == X509CA_RSA3072)
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)3072);
	return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

/* Writes what a PEM writer put in b to path with mode. */
static enum hs_err
put_bio(const char *path, BIO *b, int mode, char *err)
{
	char *p;
	long n = BIO_get_mem_data(b, &p);

	if (n <= 0)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	return file_write(path, p, (size_t)n, mode, FILE_SYNC, err);
}

static enum hs_err
write_key(const char *path, EVP_PKEY *k, char *err)
{
	/* A secure-memory BIO wipes its buffer when freed. */
	BIO *b = BIO_new(BIO_s_secmem());
	enum hs_err rc;

	if (b == NULL || !PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL,
	    NULL)) {
		BIO_free(b);
		return hs_fail(err, HS_ERR_NOMEM, "cannot encode the key");
	}
	rc = put_bio(path, b, 0600, err);
	BIO_free(b);
	return rc;
}

static enum hs_err
write_certs(const char *path, X509 *const *c, size_t n, char *err)
{
	BIO *b = BIO_new(BIO_s_mem());
	enum hs_err rc;
	size_t i;

	if (b == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	for (i = 0; i < n; i++)
		if (!PEM_write_bio_X509(b, c[i])) {
			BIO_free(b);
			return hs_fail(err, HS_ERR_NOMEM, "cannot encode a "
			    "certificate");
		}
	rc = put_bio(path, b, 0644, err);
	BIO_free(b);
	return rc;
}

static bool
add_ext(X509 *issuer, X509 *c, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;
	bool ok;

	X509V3_set_ctx(&ctx, issuer, c, NULL, NULL, 0);
	if ((e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL)
		return false;
	ok = X509_add_ext(c, e, -1) == 1;
	X509_EXTENSION_free(e);
	return ok;
}

/* A certificate for key k named cn/org, signed by ikey (issuer: ic, or
 * itself when ic is NULL), with a random 128-bit serial. */
static X509 *
make_cert(EVP_PKEY *k, const char *cn, const char *org, X509 *ic,
    EVP_PKEY *ikey, int days, bool ca)
{
	X509 *c = X509_new();
	X509_NAME *nm = NULL;
	BIGNUM *bn = NULL;
	unsigned char rnd[16];
	bool ok = false;

	if (c == NULL || RAND_bytes(rnd, sizeof(rnd)) != 1)
		goto out;
	rnd[0] &= 0x7f;
	rnd[0] |= 0x40;
	if ((bn = BN_bin2bn(rnd, sizeof(rnd), NULL)) == NULL ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(c)) == NULL)
		goto out;
	if (!X509_set_version(c, 2) ||
	    X509_gmtime_adj(X509_getm_notBefore(c), -300) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(c), days, 0, NULL) == NULL ||
	    !X509_set_pubkey(c, k))
		goto out;
	if ((nm = X509_NAME_new()) == NULL ||
	    (org != NULL && org[0] != '\0' && !X509_NAME_add_entry_by_txt(nm,
	    "O", MBSTRING_UTF8, (const unsigned char *)org, -1, -1, 0)) ||
	    !X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0) ||
	    !X509_set_subject_name(c, nm) ||
	    !X509_set_issuer_name(c, ic != NULL ? X509_get_subject_name(ic) :
	    nm))
		goto out;
	if (ca) {
		if (!add_ext(c, c, NID_basic_constraints, "critical,CA:TRUE") ||
		    !add_ext(c, c, NID_key_usage,
		    "critical,keyCertSign,cRLSign") ||
		    !add_ext(c, c, NID_subject_key_identifier, "hash"))
			goto out;
	} else {
		if (!add_ext(ic, c, NID_basic_constraints, "critical,CA:FALSE") ||
		    !add_ext(ic, c, NID_key_usage,
		    "critical,digitalSignature,nonRepudiation") ||
		    !add_ext(ic, c, NID_ext_key_usage,
		    "emailProtection,1.2.840.113583.1.1.5") ||
		    !add_ext(ic, c, NID_subject_key_identifier, "hash") ||
		    !add_ext(ic, c, NID_authority_key_identifier, "keyid:always"))
			goto out;
	}
	ok = X509_sign(c, ikey, EVP_sha256()) > 0;
out:
	X509_NAME_free(nm);
	BN_free(bn);
	if (!ok) {
		X509_free(c);
		c = NULL;
	}
	return c;
}

static bool
exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

enum hs_err
x509ca_init(const char *keys_dir, const char *name, int days, char *err)
{
	char kp[PATH_MAX], cp[PATH_MAX];
	EVP_PKEY *k = NULL;
	X509 *c = NULL;
	enum hs_err rc;

	if ((rc = path_in(kp, keys_dir, X509CA_CA_KEY, err)) != HS_OK ||
	    (rc = path_in(cp, keys_dir, X509CA_CA_CRT, err)) != HS_OK)
		return rc;
	if (name == NULL || name[0] == '\0' || !utf8_valid(name,
	    strlen(name)) || has_control(name) || strlen(name) > 64)
		return hs_fail(err, HS_ERR_INVALID, "the CA's name must be 1 "
		    "to 64 bytes of printable UTF-8");
	if (exists(kp))
		return hs_fail(err, HS_ERR_EXISTS, "%s exists: the CA is "
		    "already made", kp);
	if ((k = new_key(X509CA_P256)) == NULL ||
	    (c = make_cert(k, name, NULL, NULL, k, days, true)) == NULL) {
		rc = hs_fail(err, HS_ERR_NOMEM, "cannot make the CA key and "
		    "certificate");
		goto out;
	}
	if ((rc = write_key(kp, k, err)) != HS_OK ||
	    (rc = write_certs(cp, &c, 1, err)) != HS_OK)
		goto out;
out:
	EVP_PKEY_free(k);
	X509_free(c);
	return rc;
}

static enum hs_err
read_pem_certs(const char *path, X509 **c, size_t *n, char *err)
{
	char *data = NULL;
	size_t len;
	BIO *b = NULL;
	X509 *x;
	enum hs_err rc;

	*n = 0;
	if ((rc = file_read(path, X509CA_FILE_MAX, &data, &len, err)) != HS_OK)
		return rc;
	if ((b = BIO_new_mem_buf(data, (int)len)) == NULL) {
		rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
		goto out;
	}
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		if (*n == X509CA_CHAIN_MAX) {
			X509_free(x);
			rc = hs_fail(err, HS_ERR_TOOBIG, "%s: more than %d "
			    "certificates", path, X509CA_CHAIN_MAX);
			goto out;
		}
		c[(*n)++] = x;
	}
	ERR_clear_error();
	if (*n == 0)
		rc = hs_fail(err, HS_ERR_FORMAT, "%s: no PEM certificate",
		    path);
out:
	if (rc != HS_OK) {
		while (*n > 0)
			X509_free(c[--*n]);
	}
	BIO_free(b);
	free(data);
	return rc;
}

static enum hs_err
read_key(const char *path, const char *pass, EVP_PKEY **k, char *err)
{
	char *data = NULL;
	size_t len;
	BIO *b;
	enum hs_err rc;

	*k = NULL;
	if ((rc = file_read(path, X509CA_FILE_MAX, &data, &len, err)) != HS_OK)
		return rc;
	if ((b = BIO_new_mem_buf(data, (int)len)) != NULL)
		*k = PEM_read_bio_PrivateKey(b, NULL, NULL, (void *)(pass ?
		    pass : ""));
	BIO_free(b);
	OPENSSL_cleanse(data, len);
	free(data);
	ERR_clear_error();
	if (*k == NULL)
		return hs_fail(err, HS_ERR_FORMAT, "%s: not a PEM private key "
		    "(or the wrong passphrase)", path);
	return HS_OK;
}

/*
 * A document certificate's name and organisation (org may be NULL) are
 * 1 to 64 bytes of printable UTF-8, and the CA's key kp exists.
 */
static enum hs_err
subject_check(const char *cn, const char *org, const char *kp, char *err)
{
	if (cn == NULL || cn[0] == '\0' || !utf8_valid(cn, strlen(cn)) ||
	    has_control(cn) || strlen(cn) > 64 || (org != NULL &&
	    (!utf8_valid(org, strlen(org)) || has_control(org) ||
	    strlen(org) > 64)))
		return hs_fail(err, HS_ERR_INVALID, "the certificate's name "
		    "and organisation must be 1 to 64 bytes of printable UTF-8");
	if (!exists(kp))
		return hs_fail(err, HS_ERR_NOTFOUND, "%s: no CA (make one with "
		    "'hourseal-issuer ca init')", kp);
	return HS_OK;
}

enum hs_err
x509ca_issue(const char *keys_dir, const char *cn, const char *org,
    enum x509ca_alg alg, int days, char *err)
{
	char kp[PATH_MAX], cp[PATH_MAX], dk[PATH_MAX], dc[PATH_MAX];
	EVP_PKEY *ck = NULL, *k = NULL;
	X509 *chain[2] = { NULL, NULL }, *ca[X509CA_CHAIN_MAX];
	size_t nca = 0;
	enum hs_err rc;

	if ((rc = path_in(kp, keys_dir, X509CA_CA_KEY, err)) != HS_OK ||
	    (rc = path_in(cp, keys_dir, X509CA_CA_CRT, err)) != HS_OK ||
	    (rc = path_in(dk, keys_dir, X509CA_DOC_KEY, err)) != HS_OK ||
	    (rc = path_in(dc, keys_dir, X509CA_DOC_CRT, err)) != HS_OK)
		return rc;
	if ((rc = subject_check(cn, org, kp, err)) != HS_OK)
		return rc;
	if ((rc = read_key(kp, NULL, &ck, err)) != HS_OK ||
	    (rc = read_pem_certs(cp, ca, &nca, err)) != HS_OK)
		goto out;
	chain[1] = ca[0];
	if ((k = new_key(alg)) == NULL || (chain[0] = make_cert(k, cn, org,
	    ca[0], ck, days, false)) == NULL) {
		rc = hs_fail(err, HS_ERR_NOMEM, "cannot make the document key "
		    "and certificate");
		goto out;
	}
	if ((rc = write_key(dk, k, err)) != HS_OK ||
	    (rc = write_certs(dc, chain, 2, err)) != HS_OK)
		goto out;
out:
	while (nca > 0)
		X509_free(ca[--nca]);
	X509_free(chain[0]);
	EVP_PKEY_free(ck);
	EVP_PKEY_free(k);
	return rc;
}

/* The key must be one PDF validators accept and the first certificate's. */
static enum hs_err
check_pair(EVP_PKEY *k, X509 *c, char *err)
{
	int id = EVP_PKEY_get_base_id(k);
	char grp[32] = "";

	if (id == EVP_PKEY_EC) {
		if (!EVP_PKEY_get_utf8_string_param(k, "group", grp,
		    sizeof(grp), NULL) || strcmp(grp, "prime256v1") != 0)
			return hs_fail(err, HS_ERR_INVALID, "an EC key must be "
			    "on P-256 (it is on %s)", grp[0] ? grp : "?");
	} else if (id == EVP_PKEY_RSA) {
		if (EVP_PKEY_get_bits(k) < 2048)
			return hs_fail(err, HS_ERR_INVALID, "an RSA key must "
			    "have at least 2048 bits");
	} else {
		return hs_fail(err, HS_ERR_INVALID, "the key must be ECDSA "
		    "P-256 or RSA (PDF validators accept no other)");
	}
	if (X509_check_private_key(c, k) != 1) {
		ERR_clear_error();
		return hs_fail(err, HS_ERR_INVALID, "the key does not belong "
		    "to the first certificate of the chain");
	}
	return HS_OK;
}

static enum hs_err
install(const char *keys_dir, EVP_PKEY *k, X509 *const *c, size_t n,
    char *err)
{
	char dk[PATH_MAX], dc[PATH_MAX];
	enum hs_err rc;

	if ((rc = path_in(dk, keys_dir, X509CA_DOC_KEY, err)) != HS_OK ||
	    (rc = path_in(dc, keys_dir, X509CA_DOC_CRT, err)) != HS_OK ||
	    (rc = check_pair(k, c[0], err)) != HS_OK)
		return rc;
	if ((rc = write_key(dk, k, err)) != HS_OK)
		return rc;
	return write_certs(dc, c, n, err);
}

enum hs_err
x509ca_import_pem(const char *keys_dir, const char *pem_chain,
    const char *pem_key, const char *pass, char *err)
{
	X509 *c[X509CA_CHAIN_MAX];
	size_t n = 0;
	EVP_PKEY *k = NULL;
	enum hs_err rc;

	if ((rc = read_pem_certs(pem_chain, c, &n, err)) != HS_OK ||
	    (rc = read_key(pem_key, pass, &k, err)) != HS_OK)
		goto out;
	rc = install(keys_dir, k, c, n, err);
out:
	while (n > 0)
		X509_free(c[--n]);
	EVP_PKEY_free(k);
	return rc;
}

enum hs_err
x509ca_import_p12(const char *keys_dir, const char *p12, const char *pass,
    char *err)
{
	X509 *c[X509CA_CHAIN_MAX], *leaf = NULL;
	STACK_OF(X509) *ca = NULL;
	EVP_PKEY *k = NULL;
	PKCS12 *p = NULL;
	const unsigned char *q;
	char *data = NULL;
	size_t len, n = 0, j;
	enum hs_err rc;
	int i;

	if ((rc = file_read(p12, X509CA_FILE_MAX, &data, &len, err)) != HS_OK)
		return rc;
	q = (const unsigned char *)data;
	if ((p = d2i_PKCS12(NULL, &q, (long)len)) == NULL ||
	    !PKCS12_parse(p, pass ? pass : "", &k, &leaf, &ca)) {
		ERR_clear_error();
		rc = hs_fail(err, HS_ERR_FORMAT, "%s: not a PKCS#12 file, or "
		    "the wrong password", p12);
		goto out;
	}
	if (k == NULL || leaf == NULL) {
		rc = hs_fail(err, HS_ERR_FORMAT, "%s: no key and certificate "
		    "in it", p12);
		goto out;
	}
	c[n++] = leaf;
	for (i = 0; ca != NULL && i < sk_X509_num(ca); i++) {
		if (n == X509CA_CHAIN_MAX) {
			rc = hs_fail(err, HS_ERR_TOOBIG, "%s: more than %d "
			    "certificates", p12, X509CA_CHAIN_MAX);
			goto out;
		}
		c[n] = sk_X509_value(ca, i);
		/* Not the same certificate twice (PKCS#12 files repeat them). */
		for (j = 0; j < n && X509_cmp(c[j], c[n]) != 0; j++)
			;
		if (j == n)
			n++;
	}
	rc = install(keys_dir, k, c, n, err);
out:
	OPENSSL_cleanse(data, len);
	free(data);
	PKCS12_free(p);
	X509_free(leaf);
	sk_X509_pop_free(ca, X509_free);
	EVP_PKEY_free(k);
	return rc;
}

/* ---- a document key in a PKCS#11 token ---- */

/* The public EVP_PKEY of the token's P-256 key k. */
static EVP_PKEY *
token_pub(struct p11_key *k)
{
	uint8_t pt[65];
	size_t n = 0;
	OSSL_PARAM pr[3];
	EVP_PKEY_CTX *c;
	EVP_PKEY *pk = NULL;

	p11_key_pub(k, pt, &n);
	if (n != 65 || (c = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) ==
	    NULL)
		return NULL;
	pr[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
	    (char *)"prime256v1", 0);
	pr[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, pt,
	    n);
	pr[2] = OSSL_PARAM_construct_end();
	if (EVP_PKEY_fromdata_init(c) != 1 || EVP_PKEY_fromdata(c, &pk,
	    EVP_PKEY_PUBLIC_KEY, pr) != 1)
		pk = NULL;
	EVP_PKEY_CTX_free(c);
	ERR_clear_error();
	return pk;
}

/*
 * Opens (or, with generate, first makes) the ECDSA P-256 key uri names:
 * its public key in *pub. Nothing is written.
 */
static enum hs_err
token_key(const char *uri, const char *pin, size_t pinlen, bool generate,
    EVP_PKEY **pub, char *err)
{
	struct p11_key *k = NULL;
	enum hs_err rc;

	*pub = NULL;
	if ((rc = p11_uri_check(uri, err)) != HS_OK)
		return rc;
	if (generate && (rc = p11_generate(uri, pin, pinlen, P11_P256, err)) !=
	    HS_OK)
		return rc;
	if ((rc = p11_open(uri, pin, pinlen, &k, err)) != HS_OK)
		return rc;
	if (p11_key_type(k) != P11_P256)
		rc = hs_fail(err, HS_ERR_STATE, "the token key is not an ECDSA "
		    "P-256 key: PDF signatures need one");
	else if ((*pub = token_pub(k)) == NULL)
		rc = hs_fail(err, HS_ERR_CRYPTO, "the token's public key is "
		    "not a P-256 point");
	p11_close(k);
	return rc;
}

/* pades.key as one URI line (0600), pades.crt the chain. */
static enum hs_err
install_token(const char *keys_dir, const char *uri, X509 *const *c,
    size_t n, char *err)
{
	char dk[PATH_MAX], dc[PATH_MAX], line[P11_URI_MAX + 2];
	int m;
	enum hs_err rc;

	if ((rc = path_in(dk, keys_dir, X509CA_DOC_KEY, err)) != HS_OK ||
	    (rc = path_in(dc, keys_dir, X509CA_DOC_CRT, err)) != HS_OK)
		return rc;
	m = snprintf(line, sizeof(line), "%s\n", uri);
	if (m < 0 || (size_t)m >= sizeof(line))
		return hs_fail(err, HS_ERR_INVALID, "the pkcs11: URI is too "
		    "long");
	if ((rc = file_write(dk, line, (size_t)m, 0600, FILE_SYNC, err)) !=
	    HS_OK)
		return rc;
	return write_certs(dc, c, n, err);
}

enum hs_err
x509ca_issue_pkcs11(const char *keys_dir, const char *uri, const char *pin,
    size_t pinlen, bool generate, const char *cn, const char *org,
    int days, char *err)
{
	char kp[PATH_MAX], cp[PATH_MAX];
	EVP_PKEY *ck = NULL, *k = NULL;
	X509 *chain[2] = { NULL, NULL }, *ca[X509CA_CHAIN_MAX];
	size_t nca = 0;
	enum hs_err rc;

	if ((rc = path_in(kp, keys_dir, X509CA_CA_KEY, err)) != HS_OK ||
	    (rc = path_in(cp, keys_dir, X509CA_CA_CRT, err)) != HS_OK)
		return rc;
	if ((rc = subject_check(cn, org, kp, err)) != HS_OK)
		return rc;
	if ((rc = read_key(kp, NULL, &ck, err)) != HS_OK ||
	    (rc = read_pem_certs(cp, ca, &nca, err)) != HS_OK ||
	    (rc = token_key(uri, pin, pinlen, generate, &k, err)) != HS_OK)
		goto out;
	chain[1] = ca[0];
	if ((chain[0] = make_cert(k, cn, org, ca[0], ck, days, false)) ==
	    NULL) {
		rc = hs_fail(err, HS_ERR_NOMEM, "cannot make the document "
		    "certificate");
		goto out;
	}
	rc = install_token(keys_dir, uri, chain, 2, err);
out:
	while (nca > 0)
		X509_free(ca[--nca]);
	X509_free(chain[0]);
	EVP_PKEY_free(ck);
	EVP_PKEY_free(k);
	return rc;
}

enum hs_err
x509ca_import_pkcs11(const char *keys_dir, const char *pem_chain,
    const char *uri, const char *pin, size_t pinlen, char *err)
{
	X509 *c[X509CA_CHAIN_MAX];
	EVP_PKEY *k = NULL, *cpub = NULL;
	size_t n = 0;
	enum hs_err rc;

	if ((rc = read_pem_certs(pem_chain, c, &n, err)) != HS_OK ||
	    (rc = token_key(uri, pin, pinlen, false, &k, err)) != HS_OK)
		goto out;
	if ((cpub = X509_get_pubkey(c[0])) == NULL ||
	    EVP_PKEY_eq(cpub, k) != 1) {
		ERR_clear_error();
		rc = hs_fail(err, HS_ERR_INVALID, "the token key does not "
		    "belong to the first certificate of the chain");
		goto out;
	}
	rc = install_token(keys_dir, uri, c, n, err);
out:
	while (n > 0)
		X509_free(c[--n]);
	EVP_PKEY_free(cpub);
	EVP_PKEY_free(k);
	return rc;
}

bool
x509ca_have_doc(const char *keys_dir)
{
	char dk[PATH_MAX], dc[PATH_MAX];

	return path_in(dk, keys_dir, X509CA_DOC_KEY, NULL) == HS_OK &&
	    path_in(dc, keys_dir, X509CA_DOC_CRT, NULL) == HS_OK &&
	    exists(dk) && exists(dc);
}
