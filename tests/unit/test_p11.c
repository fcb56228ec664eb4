/*
 * test_p11.c - keys in a PKCS#11 token (core/p11.h) with SoftHSM2: a token
 * made in a temporary directory (SOFTHSM2_CONF), key pairs generated
 * inside it (sensitive, never extractable), the document signer's ECDSA
 * P-256 signing call checked by OpenSSL's command line with the public
 * key read out of the token by OpenSC's pkcs11-tool (two programs that
 * share no code with ours), Ed25519 (CKM_EDDSA), a wrong PIN, a PIN in
 * the URI, an extractable key, a URI that names no key or no token.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/ecdsa.h>
#include <openssl/evp.h>

#include "core/file.h"
#include "core/p11.h"
#include "core/util.h"
#include "t.h"

#define MODULE "/usr/lib/softhsm/libsofthsm2.so"
#define PIN "123456"

static char dir[] = "/tmp/test_p11.XXXXXX";

#if defined(__SANITIZE_ADDRESS__)
/* Full stacks, so that SoftHSM's own leaks are told from ours (p11.c). */
const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
	return "fast_unwind_on_malloc=0";
}
#endif

static int
sh(const char *fmt, const char *a)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), fmt, a, a, a, a);
	return system(cmd);
}

static bool
put(const char *name, const void *p, size_t n)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return file_write(path, p, n, 0600, 0, NULL) == HS_OK;
}

static void
test_uri(void)
{
	char err[HS_ERRLEN] = "", big[P11_URI_MAX + 20];

	T_OK(p11_uri_check("pkcs11:token=t;object=k", err) == HS_OK,
	    "a URI naming a token and an object (%s)", err);
	T_OK(p11_uri_check("pkcs11:token=t;object=k?pin-value=1234", err) ==
	    HS_ERR_INVALID && strstr(err, "pin-value") != NULL,
	    "a PIN in the URI's query is refused (%s)", err);
	T_OK(p11_uri_check("pkcs11:token=t;object=k;pin-value=1234", err) ==
	    HS_ERR_INVALID, "a PIN in the URI's path is refused");
	T_OK(p11_uri_check("pkcs11:token=t", err) == HS_ERR_INVALID,
	    "a URI that names no key is refused (%s)", err);
	T_OK(p11_uri_check("file:/etc/passwd", err) == HS_ERR_INVALID,
	    "not a pkcs11: URI");
	T_OK(p11_uri_check("pkcs11:object=%zz", err) == HS_ERR_INVALID,
	    "a bad percent-encoding is refused (%s)", err);
	T_OK(p11_uri_check("pkcs11:object=a\nb", err) == HS_ERR_INVALID,
	    "a control character is refused");
	memset(big, 'a', sizeof(big));
	memcpy(big, "pkcs11:object=", 14);
	big[sizeof(big) - 1] = '\0';
	T_OK(p11_uri_check(big, err) == HS_ERR_TOOBIG, "an overlong URI is "
	    "refused");
}

static void
test_token(void)
{
	char err[HS_ERRLEN] = "", conf[600], uri[700], ed[700], ext[700];
	char none[700], notok[700], srcuri[800];
	struct p11_key *k = NULL, *e = NULL;
	uint8_t tbs[1000], sig[P11_ECDSA_DER_MAX], pub[65], esig[64];
	const unsigned char *p;
	size_t siglen = sizeof(sig), n = 0, i;
	ECDSA_SIG *es;
	EVP_MD_CTX *ctx;
	EVP_PKEY *pk;

	if (mkdtemp(dir) == NULL)
		return;
	snprintf(conf, sizeof(conf), "directories.tokendir = %s/tokens\n"
	    "objectstore.backend = file\nlog.level = ERROR\n", dir);
	T_OK(sh("mkdir -p %s/tokens", dir) == 0 && put("softhsm2.conf", conf,
	    strlen(conf)), "a SoftHSM2 configuration in a temporary directory");
	snprintf(conf, sizeof(conf), "%s/softhsm2.conf", dir);
	setenv("SOFTHSM2_CONF", conf, 1);
	unsetenv(P11_PIN_ENV);
	unsetenv(P11_PIN_FILE_ENV);
	unsetenv(P11_MODULE_ENV);
	T_OK(system("softhsm2-util --init-token --free --label hstest "
	    "--so-pin 87654321 --pin " PIN " >/dev/null") == 0,
	    "softhsm2-util --init-token");
	snprintf(uri, sizeof(uri), "pkcs11:token=hstest;object=doc?"
	    "module-path=" MODULE);
	snprintf(ed, sizeof(ed), "pkcs11:token=hstest;object=note;id=%%01?"
	    "module-path=" MODULE);

	T_OK(p11_open(uri, PIN, 6, &k, err) == HS_ERR_NOTFOUND,
	    "no key yet (%s)", err);
	T_OK(p11_generate(uri, "000000", 6, P11_P256, err) ==
	    HS_ERR_SIGNATURE && strstr(err, "CKR_PIN_INCORRECT") != NULL,
	    "generating with a wrong PIN is refused, saying so (%s)", err);
	T_OK(p11_generate(uri, PIN, 6, P11_P256, err) == HS_OK,
	    "a P-256 key pair generated inside the token (%s)", err);
	T_OK(p11_generate(uri, PIN, 6, P11_P256, err) == HS_ERR_EXISTS,
	    "a second one under the same name is refused");
	T_OK(sh("pkcs11-tool --module " MODULE " --login --pin " PIN
	    " --list-objects --type privkey 2>/dev/null | grep -A4 'label: *doc'"
	    " | grep -q 'Access: *sensitive, always sensitive, never "
	    "extractable' %s", "") == 0,
	    "pkcs11-tool: the private key is sensitive and never extractable");

	T_OK(p11_open(uri, "000000", 6, &k, err) == HS_ERR_SIGNATURE &&
	    strstr(err, "CKR_PIN_INCORRECT") != NULL,
	    "a wrong PIN: a clear error (%s)", err);
	T_OK(p11_open(uri, NULL, 0, &k, err) == HS_ERR_INVALID &&
	    strstr(err, "PIN") != NULL, "no PIN at all: says where to put it "
	    "(%s)", err);
	T_OK(put("pin", PIN "\n", 7), "a PIN file");
	snprintf(srcuri, sizeof(srcuri), "%s&pin-source=file:%s/pin", uri, dir);
	T_OK(p11_open(srcuri, NULL, 0, &k, err) == HS_OK,
	    "the PIN from the URI's pin-source=file: (%s)", err);
	p11_close(k);
	k = NULL;
	sh("chmod 644 %s/pin", dir);
	T_OK(p11_open(srcuri, NULL, 0, &k, err) == HS_ERR_STATE,
	    "a PIN file others can read is refused (%s)", err);
	setenv(P11_PIN_ENV, PIN, 1);
	T_OK(p11_open(uri, NULL, 0, &k, err) == HS_OK,
	    "the PIN from $%s (%s)", P11_PIN_ENV, err);
	unsetenv(P11_PIN_ENV);
	if (k == NULL)
		return;
	T_OK(p11_key_type(k) == P11_P256 && !p11_key_extractable(k) &&
	    p11_key_sensitive(k), "our reading: P-256, sensitive, not "
	    "extractable");

	/* The document signer's call, checked by programs not ours. */
	for (i = 0; i < sizeof(tbs); i++)
		tbs[i] = (uint8_t)(i * 7);
	T_OK(p11_sign_ecdsa(k, tbs, sizeof(tbs), sig, &siglen, err) == HS_OK,
	    "ECDSA P-256 over SHA-256 in the token (%s)", err);
	p = sig;
	es = d2i_ECDSA_SIG(NULL, &p, (long)siglen);
	T_OK(es != NULL && p == sig + siglen && i2d_ECDSA_SIG(es, NULL) ==
	    (int)siglen, "the signature is one canonical DER "
	    "ECDSA-Sig-Value (%zu bytes)", siglen);
	ECDSA_SIG_free(es);
	put("tbs", tbs, sizeof(tbs));
	put("sig", sig, siglen);
	T_OK(sh("pkcs11-tool --module " MODULE " --read-object --type pubkey "
	    "--label doc -o %s/doc.der >/dev/null 2>&1", dir) == 0,
	    "pkcs11-tool reads the public key out of the token");
	T_OK(sh("openssl dgst -sha256 -verify %s/doc.der -keyform DER "
	    "-signature %s/sig %s/tbs >/dev/null 2>&1", dir) == 0,
	    "openssl dgst -sha256 -verify accepts the signature");
	tbs[500] ^= 1;
	put("tbs2", tbs, sizeof(tbs));
	T_OK(sh("openssl dgst -sha256 -verify %s/doc.der -keyform DER "
	    "-signature %s/sig %s/tbs2 >/dev/null 2>&1", dir) != 0,
	    "and rejects it over a changed byte");
	siglen = 8;
	T_OK(p11_sign_ecdsa(k, tbs, sizeof(tbs), sig, &siglen, err) ==
	    HS_ERR_TOOBIG, "a signature buffer too small is an error");
	T_OK(p11_sign_eddsa(k, tbs, 10, esig, err) == HS_ERR_INVALID,
	    "a P-256 key does not sign EdDSA");
	p11_close(k);
	k = NULL;

	/* Ed25519 for notes: CKM_EDDSA over the message. */
	T_OK(p11_generate(ed, PIN, 6, P11_ED25519, err) == HS_OK,
	    "an Ed25519 key pair generated inside the token (%s)", err);
	T_OK(p11_open(ed, PIN, 6, &e, err) == HS_OK &&
	    p11_key_type(e) == P11_ED25519, "opened (%s)", err);
	if (e != NULL) {
		p11_key_pub(e, pub, &n);
		T_OK(n == 32, "its public key is 32 bytes");
		T_OK(p11_sign_eddsa(e, (const uint8_t *)"hello\n", 6, esig,
		    err) == HS_OK, "CKM_EDDSA signs (%s)", err);
		pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub,
		    32);
		ctx = EVP_MD_CTX_new();
		T_OK(pk != NULL && ctx != NULL && EVP_DigestVerifyInit(ctx,
		    NULL, NULL, NULL, pk) == 1 && EVP_DigestVerify(ctx, esig,
		    64, (const uint8_t *)"hello\n", 6) == 1,
		    "it is a pure Ed25519 signature (RFC 8032)");
		EVP_MD_CTX_free(ctx);
		EVP_PKEY_free(pk);
		T_OK(p11_sign_ecdsa(e, tbs, 4, sig, &siglen, err) ==
		    HS_ERR_INVALID, "an Ed25519 key is not a document key");
	}
	p11_close(e);

	/* Keys we refuse or cannot find. */
	T_OK(sh("pkcs11-tool --module " MODULE " --login --pin " PIN
	    " --keypairgen --key-type EC:prime256v1 --label ext --id 0e "
	    "--extractable --usage-sign >/dev/null 2>&1 %s", "") == 0,
	    "pkcs11-tool makes an extractable key");
	snprintf(ext, sizeof(ext), "pkcs11:token=hstest;object=ext?"
	    "module-path=" MODULE);
	T_OK(p11_open(ext, PIN, 6, &k, err) == HS_ERR_STATE &&
	    strstr(err, "extractable") != NULL, "an extractable key is "
	    "refused (%s)", err);
	snprintf(none, sizeof(none), "pkcs11:token=hstest;object=nosuch?"
	    "module-path=" MODULE);
	T_OK(p11_open(none, PIN, 6, &k, err) == HS_ERR_NOTFOUND,
	    "no such key (%s)", err);
	snprintf(notok, sizeof(notok), "pkcs11:token=other;object=doc?"
	    "module-path=" MODULE);
	T_OK(p11_open(notok, PIN, 6, &k, err) == HS_ERR_NOTFOUND,
	    "no such token (%s)", err);
	T_OK(p11_open("pkcs11:object=doc?module-path=/nonexistent.so", PIN, 6,
	    &k, err) == HS_ERR_NOTFOUND, "no such module (%s)", err);
	T_OK(p11_open("pkcs11:token=hstest;object=doc", PIN, 6, &k, err) ==
	    HS_ERR_INVALID && strstr(err, P11_MODULE_ENV) != NULL,
	    "no module named: says how (%s)", err);
	setenv(P11_MODULE_ENV, MODULE, 1);
	T_OK(p11_open("pkcs11:token=hstest;object=doc", PIN, 6, &k, err) ==
	    HS_OK, "the module from $%s (%s)", P11_MODULE_ENV, err);
	p11_close(k);
	unsetenv(P11_MODULE_ENV);
}

int
main(void)
{
	test_uri();
	test_token();
	sh("rm -rf %s", dir);
	return t_done();
}
