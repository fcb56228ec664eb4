/*
 * p11.c - keys in a PKCS#11 token through p11-kit. See p11.h.
 *
 * One session per opened key, logged in as the user. The session is
 * never logged out explicitly: a token logs the application out when
 * its last session closes, and logging out one key would log out every
 * other key of the same token this process holds.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <p11-kit/p11-kit.h>
#include <p11-kit/uri.h>

#include "core/i18n.h"
#include "core/p11.h"
#include "core/util.h"

#define MAX_SLOTS 64

#if defined(__SANITIZE_ADDRESS__)
/*
 * Under LeakSanitizer: leaks inside a token's module are the module's
 * (SoftHSM 2.6.1 leaks an ASN1_STRING on every CKM_EDDSA C_SignInit),
 * not ours; our own allocations stay checked. The stack shows the
 * module only with fast_unwind_on_malloc=0 (libcrypto has no frame
 * pointers): tests that sign in SoftHSM set it (test_p11.c,
 * tests/e2e/pkcs11.sh).
 */
const char *__lsan_default_suppressions(void);
const char *
__lsan_default_suppressions(void)
{
	return "leak:libsofthsm2.so\n";
}
#endif

/* DER of the curve parameters the token reports in CKA_EC_PARAMS. */
static const uint8_t oid_ed25519[] = { 0x06, 0x03, 0x2b, 0x65, 0x70 };
static const uint8_t str_ed25519[] = { 0x13, 0x0c, 'e', 'd', 'w', 'a', 'r',
    'd', 's', '2', '5', '5', '1', '9' };
static const uint8_t oid_p256[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce,
    0x3d, 0x03, 0x01, 0x07 };

struct p11_key {
	CK_FUNCTION_LIST *mod;
	CK_SESSION_HANDLE sess;
	bool has_sess;
	CK_OBJECT_HANDLE priv;
	enum p11_type type;
	uint8_t pub[65];
	size_t publen;
	EVP_PKEY *vpk;        /* the public key, to check each signature */
	bool extractable, sensitive;
	pthread_mutex_t mu;
};

/* What a PKCS#11 return value means, for messages. */
static const char *
rv_name(CK_RV rv)
{
	switch (rv) {
	case CKR_PIN_INCORRECT: return "CKR_PIN_INCORRECT: wrong PIN";
	case CKR_PIN_LOCKED: return "CKR_PIN_LOCKED: the PIN is locked";
	case CKR_PIN_LEN_RANGE: return "CKR_PIN_LEN_RANGE: PIN of a wrong "
	    "length";
	case CKR_USER_PIN_NOT_INITIALIZED: return
	    "CKR_USER_PIN_NOT_INITIALIZED";
	case CKR_MECHANISM_INVALID: return "CKR_MECHANISM_INVALID: the token "
	    "cannot do this";
	case CKR_KEY_TYPE_INCONSISTENT: return "CKR_KEY_TYPE_INCONSISTENT";
	case CKR_TOKEN_NOT_PRESENT: return "CKR_TOKEN_NOT_PRESENT";
	case CKR_DEVICE_ERROR: return "CKR_DEVICE_ERROR";
	case CKR_TEMPLATE_INCONSISTENT: return "CKR_TEMPLATE_INCONSISTENT";
	case CKR_ATTRIBUTE_VALUE_INVALID: return "CKR_ATTRIBUTE_VALUE_INVALID";
	default: return "PKCS#11 error";
	}
}

bool
p11_is_uri(const char *s)
{
	return strncmp(s, "pkcs11:", 7) == 0;
}

/* Parses uri into *u (caller frees with p11_kit_uri_free). */
static enum hs_err
parse_uri(const char *uri, P11KitUri **u, char *err)
{
	int r;

	*u = NULL;
	if (strlen(uri) > P11_URI_MAX)
		return hs_fail(err, HS_ERR_TOOBIG, "pkcs11: URI is longer than "
		    "%d bytes", P11_URI_MAX);
	if (!p11_is_uri(uri))
		return hs_fail(err, HS_ERR_INVALID, "not a pkcs11: URI");
	if (has_control(uri))
		return hs_fail(err, HS_ERR_INVALID, "pkcs11: URI has a control "
		    "character");
	if ((*u = p11_kit_uri_new()) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	if ((r = p11_kit_uri_parse(uri, P11_KIT_URI_FOR_ANY, *u)) !=
	    P11_KIT_URI_OK) {
		p11_kit_uri_free(*u);
		*u = NULL;
		return hs_fail(err, HS_ERR_INVALID, "pkcs11: URI does not "
		    "parse: %s", p11_kit_uri_message(r));
	}
	/* A PIN in a URI ends up in shell history, ps and config files. */
	if (p11_kit_uri_get_pin_value(*u) != NULL) {
		p11_kit_uri_free(*u);
		*u = NULL;
		return hs_fail(err, HS_ERR_INVALID, "pkcs11: URI holds a "
		    "pin-value; refusing a PIN given on the command line or in "
		    "a file of references: use pin-source=file:PATH, a PIN "
		    "file option, or $%s / $%s", P11_PIN_FILE_ENV, P11_PIN_ENV);
	}
	return HS_OK;
}

enum hs_err
p11_uri_check(const char *uri, char *err)
{
	P11KitUri *u = NULL;
	enum hs_err rc;

	if ((rc = parse_uri(uri, &u, err)) != HS_OK)
		return rc;
	if (p11_kit_uri_get_attribute(u, CKA_LABEL) == NULL &&
	    p11_kit_uri_get_attribute(u, CKA_ID) == NULL)
		rc = hs_fail(err, HS_ERR_INVALID, "pkcs11: URI names no key: "
		    "add object=LABEL or id=%%XX");
	p11_kit_uri_free(u);
	return rc;
}

/* Reads the first line of a PIN file (not open to group or others). */
static enum hs_err
read_pin_file(const char *path, char pin[P11_PIN_MAX + 1], size_t *len,
    char *err)
{
	char tmp[P11_PIN_MAX + 3];
	struct stat st;
	ssize_t n;
	size_t k;
	enum hs_err rc = HS_OK;
	int fd;

	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return hs_fail(err, errno == ENOENT ? HS_ERR_NOTFOUND :
		    HS_ERR_IO, "PIN file %s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0) {
		rc = hs_fail(err, HS_ERR_IO, "PIN file %s: %s", path,
		    strerror(errno));
		goto out;
	}
	if (S_ISREG(st.st_mode) && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		rc = hs_fail(err, HS_ERR_STATE, "PIN file %s is open to group "
		    "or others (mode %04o); it must be mode 0600", path,
		    (unsigned)(st.st_mode & 07777));
		goto out;
	}
	do
		n = read(fd, tmp, sizeof(tmp) - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		rc = hs_fail(err, HS_ERR_IO, "PIN file %s: %s", path,
		    strerror(errno));
		goto out;
	}
	for (k = 0; k < (size_t)n && tmp[k] != '\n'; k++)
		;
	if (k > 0 && tmp[k - 1] == '\r')
		k--;
	if (k == 0 || k > P11_PIN_MAX || memchr(tmp, '\0', k) != NULL) {
		rc = hs_fail(err, HS_ERR_INVALID, "PIN file %s: the first line "
		    "must be a PIN of 1-%d bytes", path, P11_PIN_MAX);
		goto out;
	}
	memcpy(pin, tmp, k);
	pin[k] = '\0';
	*len = k;
out:
	OPENSSL_cleanse(tmp, sizeof(tmp));
	close(fd);
	return rc;
}

/* The PIN, from the first source that is set (p11.h). */
static enum hs_err
get_pin(P11KitUri *u, const char *given, size_t givenlen,
    char pin[P11_PIN_MAX + 1], size_t *len, char *err)
{
	const char *src = p11_kit_uri_get_pin_source(u), *e;

	if (given != NULL) {
		if (givenlen == 0 || givenlen > P11_PIN_MAX)
			return hs_fail(err, HS_ERR_INVALID, "the PIN must be 1-%d "
			    "bytes", P11_PIN_MAX);
		memcpy(pin, given, givenlen);
		pin[givenlen] = '\0';
		*len = givenlen;
		return HS_OK;
	}
	if (src != NULL) {
		if (strncmp(src, "file:", 5) != 0 || src[5] == '\0')
			return hs_fail(err, HS_ERR_INVALID, "pin-source must be "
			    "file:PATH");
		return read_pin_file(src + 5, pin, len, err);
	}
	if ((e = getenv(P11_PIN_FILE_ENV)) != NULL && e[0] != '\0')
		return read_pin_file(e, pin, len, err);
	if ((e = getenv(P11_PIN_ENV)) != NULL && e[0] != '\0') {
		if ((*len = strlen(e)) > P11_PIN_MAX)
			return hs_fail(err, HS_ERR_INVALID, "$%s is longer than "
			    "%d bytes", P11_PIN_ENV, P11_PIN_MAX);
		memcpy(pin, e, *len + 1);
		return HS_OK;
	}
	return hs_fail(err, HS_ERR_INVALID, "the token needs its user PIN: "
	    "give a PIN file, pin-source=file:PATH in the URI, $%s or $%s",
	    P11_PIN_FILE_ENV, P11_PIN_ENV);
}

/*
 * Loads the module, finds the one token uri selects, opens a session
 * (read-write if rw) and logs in. On success *mod and *sess are the
 * caller's (close the session, then module_release).
 */
static enum hs_err
open_session(P11KitUri *u, const char *given, size_t givenlen, bool rw,
    CK_FUNCTION_LIST **modp, CK_SESSION_HANDLE *sessp, char *err)
{
	CK_FUNCTION_LIST *mod = NULL;
	CK_SLOT_ID slots[MAX_SLOTS], slot = 0;
	CK_ULONG nslots = MAX_SLOTS, i, found = 0;
	CK_TOKEN_INFO ti;
	CK_SESSION_HANDLE sess = 0;
	CK_RV rv;
	const char *path = p11_kit_uri_get_module_path(u);
	char pin[P11_PIN_MAX + 1];
	size_t pinlen = 0;
	bool init = false, has_sess = false;
	enum hs_err rc;

	*modp = NULL;
	if (path == NULL && (path = getenv(P11_MODULE_ENV)) != NULL &&
	    path[0] == '\0')
		path = NULL;
	if (path == NULL)
		return hs_fail(err, HS_ERR_INVALID, "no PKCS#11 module: add "
		    "module-path=... to the URI or set $%s", P11_MODULE_ENV);
	if ((mod = p11_kit_module_load(path, 0)) == NULL)
		return hs_fail(err, HS_ERR_NOTFOUND, "cannot load the PKCS#11 "
		    "module %s: %s", path, p11_kit_message() ?
		    p11_kit_message() : "no such module");
	if ((rv = p11_kit_module_initialize(mod)) != CKR_OK) {
		rc = hs_fail(err, HS_ERR_IO, "PKCS#11 module %s does not start "
		    "(%s, 0x%lx)", path, rv_name(rv), (unsigned long)rv);
		goto out;
	}
	init = true;
	if ((rv = mod->C_GetSlotList(CK_TRUE, slots, &nslots)) != CKR_OK) {
		rc = hs_fail(err, HS_ERR_IO, "PKCS#11: cannot list the slots "
		    "(0x%lx)", (unsigned long)rv);
		goto out;
	}
	for (i = 0; i < nslots; i++) {
		if (mod->C_GetTokenInfo(slots[i], &ti) != CKR_OK ||
		    p11_kit_uri_match_token_info(u, &ti) != 1)
			continue;
		if (found++ == 0)
			slot = slots[i];
	}
	if (found == 0) {
		rc = hs_fail(err, HS_ERR_NOTFOUND, "PKCS#11: no token in %s "
		    "matches the URI", path);
		goto out;
	}
	if (found > 1) {
		rc = hs_fail(err, HS_ERR_INVALID, "PKCS#11: %lu tokens match "
		    "the URI; name one with token=...", (unsigned long)found);
		goto out;
	}
	if ((rc = get_pin(u, given, givenlen, pin, &pinlen, err)) != HS_OK)
		goto out;
	rv = mod->C_OpenSession(slot, CKF_SERIAL_SESSION |
	    (rw ? CKF_RW_SESSION : 0), NULL, NULL, &sess);
	if (rv != CKR_OK) {
		rc = hs_fail(err, HS_ERR_IO, "PKCS#11: cannot open a session "
		    "(%s, 0x%lx)", rv_name(rv), (unsigned long)rv);
		goto out;
	}
	has_sess = true;
	rv = mod->C_Login(sess, CKU_USER, (CK_UTF8CHAR *)pin,
	    (CK_ULONG)pinlen);
	if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) {
		rc = hs_fail(err, rv == CKR_PIN_INCORRECT ||
		    rv == CKR_PIN_LOCKED || rv == CKR_PIN_LEN_RANGE ?
		    HS_ERR_SIGNATURE : HS_ERR_IO, "the token refused the login "
		    "(%s, 0x%lx)", rv_name(rv), (unsigned long)rv);
		goto out;
	}
	*modp = mod;
	*sessp = sess;
	mod = NULL;
	has_sess = false;
	init = false;
	rc = HS_OK;
out:
	OPENSSL_cleanse(pin, sizeof(pin));
	if (has_sess)
		mod->C_CloseSession(sess);
	if (init)
		p11_kit_module_finalize(mod);
	if (mod != NULL)
		p11_kit_module_release(mod);
	return rc;
}

static void
close_session(CK_FUNCTION_LIST *mod, CK_SESSION_HANDLE sess)
{
	mod->C_CloseSession(sess);
	p11_kit_module_finalize(mod);
	p11_kit_module_release(mod);
}

/*
 * Finds objects of class cls matching the URI's attributes (and, if
 * extra is not NULL, that one attribute too). Up to 2 handles in h.
 */
static enum hs_err
find_objects(CK_FUNCTION_LIST *mod, CK_SESSION_HANDLE sess, P11KitUri *u,
    CK_OBJECT_CLASS cls, const CK_ATTRIBUTE *extra, CK_OBJECT_HANDLE h[2],
    CK_ULONG *n, char *err)
{
	CK_ATTRIBUTE tmpl[8];
	CK_ATTRIBUTE_PTR a;
	CK_ULONG na = 0, i, k = 0;
	CK_RV rv;

	tmpl[k].type = CKA_CLASS;
	tmpl[k].pValue = &cls;
	tmpl[k++].ulValueLen = sizeof(cls);
	if (extra != NULL)
		tmpl[k++] = *extra;
	else {
		a = p11_kit_uri_get_attributes(u, &na);
		for (i = 0; i < na && k < 8; i++)
			if (a[i].type == CKA_LABEL || a[i].type == CKA_ID)
				tmpl[k++] = a[i];
	}
	*n = 0;
	if ((rv = mod->C_FindObjectsInit(sess, tmpl, k)) != CKR_OK)
		return hs_fail(err, HS_ERR_IO, "PKCS#11: cannot search the "
		    "token (0x%lx)", (unsigned long)rv);
	rv = mod->C_FindObjects(sess, h, 2, n);
	mod->C_FindObjectsFinal(sess);
	if (rv != CKR_OK)
		return hs_fail(err, HS_ERR_IO, "PKCS#11: cannot search the "
		    "token (0x%lx)", (unsigned long)rv);
	return HS_OK;
}

/* Reads one attribute of at most cap bytes into v; *len its length. */
static bool
get_attr(CK_FUNCTION_LIST *mod, CK_SESSION_HANDLE sess, CK_OBJECT_HANDLE o,
    CK_ATTRIBUTE_TYPE t, void *v, size_t cap, size_t *len)
{
	CK_ATTRIBUTE a = { t, v, (CK_ULONG)cap };

	if (mod->C_GetAttributeValue(sess, o, &a, 1) != CKR_OK ||
	    a.ulValueLen == CK_UNAVAILABLE_INFORMATION || a.ulValueLen > cap)
		return false;
	if (len != NULL)
		*len = a.ulValueLen;
	return true;
}

/* A CK_BBOOL attribute; def when the token does not say. */
static bool
get_bool(CK_FUNCTION_LIST *mod, CK_SESSION_HANDLE sess, CK_OBJECT_HANDLE o,
    CK_ATTRIBUTE_TYPE t, bool def)
{
	CK_BBOOL b = CK_FALSE;
	size_t n = 0;

	if (!get_attr(mod, sess, o, t, &b, sizeof(b), &n) || n != sizeof(b))
		return def;
	return b == CK_TRUE;
}

/*
 * CKA_EC_POINT to the raw key: a DER OCTET STRING around it (what the
 * standard asks) or the bare bytes (what some tokens give).
 */
static bool
ec_point(enum p11_type t, const uint8_t *p, size_t n, uint8_t *out,
    size_t *outlen)
{
	size_t want = t == P11_ED25519 ? 32 : 65;

	if (n == want + 2 && p[0] == 0x04 && p[1] == want) {
		p += 2;
		n -= 2;
	}
	if (n != want || (t == P11_P256 && p[0] != 0x04))
		return false;
	memcpy(out, p, n);
	*outlen = n;
	return true;
}

/* The OpenSSL public key for a token's public key. */
static EVP_PKEY *
public_pkey(enum p11_type t, const uint8_t *pub)
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pk = NULL;

	if (t == P11_ED25519)
		return EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub,
		    32);
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	    "prime256v1", 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
	    pub, 65) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) != 1)
		pk = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return pk;
}

/* Which of our types the private key is, from its type and curve. */
static enum hs_err
key_kind(CK_FUNCTION_LIST *mod, CK_SESSION_HANDLE sess, CK_OBJECT_HANDLE o,
    enum p11_type *t, char *err)
{
	CK_KEY_TYPE kt = 0;
	uint8_t params[64];
	size_t n = 0, pn = 0;

	if (!get_attr(mod, sess, o, CKA_KEY_TYPE, &kt, sizeof(kt), &n) ||
	    n != sizeof(kt))
		return hs_fail(err, HS_ERR_STATE, "PKCS#11: the key has no key "
		    "type");
	if (!get_attr(mod, sess, o, CKA_EC_PARAMS, params, sizeof(params),
	    &pn))
		pn = 0;
	if (kt == CKK_EC_EDWARDS && ((pn == sizeof(oid_ed25519) &&
	    memcmp(params, oid_ed25519, pn) == 0) ||
	    (pn == sizeof(str_ed25519) && memcmp(params, str_ed25519, pn) ==
	    0))) {
		*t = P11_ED25519;
		return HS_OK;
	}
	if (kt == CKK_EC && pn == sizeof(oid_p256) && memcmp(params,
	    oid_p256, pn) == 0) {
		*t = P11_P256;
		return HS_OK;
	}
	return hs_fail(err, HS_ERR_STATE, "PKCS#11: the key is neither an "
	    "Ed25519 (CKK_EC_EDWARDS) nor a P-256 (CKK_EC) key");
}

enum hs_err
p11_open(const char *uri, const char *pin, size_t pinlen,
    struct p11_key **out, char *err)
{
	struct p11_key *k = NULL;
	P11KitUri *u = NULL;
	CK_OBJECT_HANDLE h[2], ph[2];
	CK_ULONG n = 0;
	CK_ATTRIBUTE match;
	uint8_t idlab[256], pt[80];
	size_t idlen = 0, ptlen = 0;
	enum hs_err rc;

	*out = NULL;
	if ((rc = parse_uri(uri, &u, err)) != HS_OK)
		return rc;
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
		goto out;
	}
	pthread_mutex_init(&k->mu, NULL);
	if ((rc = open_session(u, pin, pinlen, false, &k->mod, &k->sess,
	    err)) != HS_OK)
		goto out;
	k->has_sess = true;
	if ((rc = find_objects(k->mod, k->sess, u, CKO_PRIVATE_KEY, NULL, h,
	    &n, err)) != HS_OK)
		goto out;
	if (n != 1) {
		rc = n == 0 ? hs_fail(err, HS_ERR_NOTFOUND, "PKCS#11: no "
		    "private key in the token matches the URI") :
		    hs_fail(err, HS_ERR_INVALID, "PKCS#11: more than one "
		    "private key in the token matches the URI");
		goto out;
	}
	k->priv = h[0];
	if ((rc = key_kind(k->mod, k->sess, k->priv, &k->type, err)) != HS_OK)
		goto out;
	/* A key the token would hand out is a key file with extra steps. */
	k->extractable = get_bool(k->mod, k->sess, k->priv, CKA_EXTRACTABLE,
	    true);
	k->sensitive = get_bool(k->mod, k->sess, k->priv, CKA_SENSITIVE,
	    false);
	if (k->extractable || !k->sensitive) {
		rc = hs_fail(err, HS_ERR_STATE, "PKCS#11: the private key is "
		    "%s; refusing a key that can leave the token (make it "
		    "with CKA_SENSITIVE true and CKA_EXTRACTABLE false)",
		    k->extractable ? _("extractable") : _("not sensitive"));
		goto out;
	}
	/* Its public key: the public key object with the same ID (or
	 * label). */
	if (get_attr(k->mod, k->sess, k->priv, CKA_ID, idlab, sizeof(idlab),
	    &idlen) && idlen > 0)
		match.type = CKA_ID;
	else if (get_attr(k->mod, k->sess, k->priv, CKA_LABEL, idlab,
	    sizeof(idlab), &idlen) && idlen > 0)
		match.type = CKA_LABEL;
	else {
		rc = hs_fail(err, HS_ERR_STATE, "PKCS#11: the private key has "
		    "neither an ID nor a label to find its public key by");
		goto out;
	}
	match.pValue = idlab;
	match.ulValueLen = (CK_ULONG)idlen;
	if ((rc = find_objects(k->mod, k->sess, u, CKO_PUBLIC_KEY, &match,
	    ph, &n, err)) != HS_OK)
		goto out;
	if (n != 1) {
		rc = n == 0 ? hs_fail(err, HS_ERR_NOTFOUND, "PKCS#11: no "
		    "public key object has the private key's %s",
		    match.type == CKA_ID ? "ID" : "label") :
		    hs_fail(err, HS_ERR_NOTFOUND, "PKCS#11: more than one "
		    "public key object has the private key's %s",
		    match.type == CKA_ID ? "ID" : "label");
		goto out;
	}
	if (!get_attr(k->mod, k->sess, ph[0], CKA_EC_POINT, pt, sizeof(pt),
	    &ptlen) || !ec_point(k->type, pt, ptlen, k->pub, &k->publen) ||
	    (k->vpk = public_pkey(k->type, k->pub)) == NULL) {
		rc = hs_fail(err, HS_ERR_STATE, "PKCS#11: the public key "
		    "object holds no usable %s point", k->type == P11_ED25519 ?
		    "Ed25519" : "P-256");
		goto out;
	}
	*out = k;
	k = NULL;
	rc = HS_OK;
out:
	p11_close(k);
	p11_kit_uri_free(u);
	return rc;
}

void
p11_close(struct p11_key *k)
{
	if (k == NULL)
		return;
	if (k->has_sess)
		close_session(k->mod, k->sess);
	EVP_PKEY_free(k->vpk);
	pthread_mutex_destroy(&k->mu);
	free(k);
}

enum p11_type
p11_key_type(const struct p11_key *k)
{
	return k->type;
}

void
p11_key_pub(const struct p11_key *k, uint8_t *pub, size_t *len)
{
	memcpy(pub, k->pub, k->publen);
	*len = k->publen;
}

bool
p11_key_extractable(const struct p11_key *k)
{
	return k->extractable;
}

bool
p11_key_sensitive(const struct p11_key *k)
{
	return k->sensitive;
}

/* One C_SignInit + C_Sign under the key's mutex. */
static enum hs_err
token_sign(struct p11_key *k, CK_MECHANISM_TYPE mech, const uint8_t *in,
    size_t len, uint8_t *sig, size_t want, char *err)
{
	CK_MECHANISM m = { mech, NULL, 0 };
	CK_ULONG n = (CK_ULONG)want;
	CK_RV rv;

	pthread_mutex_lock(&k->mu);
	rv = k->mod->C_SignInit(k->sess, &m, k->priv);
	if (rv == CKR_OK)
		rv = k->mod->C_Sign(k->sess, (CK_BYTE *)in, (CK_ULONG)len, sig,
		    &n);
	pthread_mutex_unlock(&k->mu);
	if (rv != CKR_OK)
		return hs_fail(err, HS_ERR_IO, "the token did not sign (%s, "
		    "0x%lx)", rv_name(rv), (unsigned long)rv);
	if (n != want)
		return hs_fail(err, HS_ERR_CRYPTO, "the token gave a signature "
		    "of %lu bytes, want %zu", (unsigned long)n, want);
	return HS_OK;
}

enum hs_err
p11_sign_eddsa(struct p11_key *k, const uint8_t *msg, size_t len,
    uint8_t sig[64], char *err)
{
	EVP_MD_CTX *ctx;
	enum hs_err rc;
	bool ok;

	if (k->type != P11_ED25519)
		return hs_fail(err, HS_ERR_INVALID, "not an Ed25519 token key");
	if ((rc = token_sign(k, CKM_EDDSA, msg, len, sig, 64, err)) != HS_OK)
		return rc;
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	ok = EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, k->vpk) == 1 &&
	    EVP_DigestVerify(ctx, sig, 64, msg, len) == 1;
	EVP_MD_CTX_free(ctx);
	return ok ? HS_OK : hs_fail(err, HS_ERR_SIGNATURE, "the token's "
	    "Ed25519 signature does not verify under its public key object");
}

enum hs_err
p11_sign_ecdsa(void *ctx, const uint8_t *tbs, size_t len, uint8_t *sig,
    size_t *siglen, char *err)
{
	struct p11_key *k = ctx;
	uint8_t h[32], rs[64], der[P11_ECDSA_DER_MAX];
	unsigned char *p = der;
	ECDSA_SIG *es = NULL;
	BIGNUM *r = NULL, *s = NULL;
	EVP_PKEY_CTX *vc = NULL;
	enum hs_err rc;
	int n;

	if (k->type != P11_P256)
		return hs_fail(err, HS_ERR_INVALID, "not a P-256 token key");
	sha256(tbs, len, h);
	if ((rc = token_sign(k, CKM_ECDSA, h, sizeof(h), rs, sizeof(rs),
	    err)) != HS_OK)
		return rc;
	/* PKCS#11 gives r || s; CMS wants the DER ECDSA-Sig-Value. */
	if ((es = ECDSA_SIG_new()) == NULL ||
	    (r = BN_bin2bn(rs, 32, NULL)) == NULL ||
	    (s = BN_bin2bn(rs + 32, 32, NULL)) == NULL ||
	    ECDSA_SIG_set0(es, r, s) != 1) {
		BN_free(r);
		BN_free(s);
		rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((n = i2d_ECDSA_SIG(es, NULL)) <= 0 || n > (int)sizeof(der) ||
	    i2d_ECDSA_SIG(es, &p) != n) {
		rc = hs_fail(err, HS_ERR_CRYPTO, "cannot encode the signature");
		goto out;
	}
	if ((size_t)n > *siglen) {
		rc = hs_fail(err, HS_ERR_TOOBIG, "signature buffer of %zu "
		    "bytes, need %d", *siglen, n);
		goto out;
	}
	if ((vc = EVP_PKEY_CTX_new(k->vpk, NULL)) == NULL ||
	    EVP_PKEY_verify_init(vc) != 1 ||
	    EVP_PKEY_verify(vc, der, (size_t)n, h, sizeof(h)) != 1) {
		rc = hs_fail(err, HS_ERR_SIGNATURE, "the token's ECDSA "
		    "signature does not verify under its public key object");
		goto out;
	}
	memcpy(sig, der, (size_t)n);
	*siglen = (size_t)n;
	rc = HS_OK;
out:
	EVP_PKEY_CTX_free(vc);
	ECDSA_SIG_free(es);
	return rc;
}

enum hs_err
p11_generate(const char *uri, const char *pin, size_t pinlen,
    enum p11_type t, char *err)
{
	P11KitUri *u = NULL;
	CK_FUNCTION_LIST *mod = NULL;
	CK_SESSION_HANDLE sess = 0;
	CK_OBJECT_HANDLE h[2], pubh, privh;
	CK_ULONG n = 0;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_MECHANISM m = { t == P11_ED25519 ? CKM_EC_EDWARDS_KEY_PAIR_GEN :
	    CKM_EC_KEY_PAIR_GEN, NULL, 0 };
	CK_ATTRIBUTE *a, pubt[6], privt[9];
	CK_ULONG np = 0, nv = 0;
	uint8_t rid[8];
	const uint8_t *params = t == P11_ED25519 ? oid_ed25519 : oid_p256;
	size_t plen = t == P11_ED25519 ? sizeof(oid_ed25519) :
	    sizeof(oid_p256);
	CK_RV rv;
	enum hs_err rc;

#define ADD(arr, cnt, ty, p, l) do { (arr)[cnt].type = (ty); \
	(arr)[cnt].pValue = (void *)(p); (arr)[cnt].ulValueLen = (l); \
	(cnt)++; } while (0)
	if ((rc = p11_uri_check(uri, err)) != HS_OK ||
	    (rc = parse_uri(uri, &u, err)) != HS_OK)
		goto out;
	if ((rc = open_session(u, pin, pinlen, true, &mod, &sess, err)) !=
	    HS_OK)
		goto out;
	if ((rc = find_objects(mod, sess, u, CKO_PRIVATE_KEY, NULL, h, &n,
	    err)) != HS_OK)
		goto out;
	if (n > 0) {
		rc = hs_fail(err, HS_ERR_EXISTS, "PKCS#11: the token already "
		    "has a private key that matches the URI");
		goto out;
	}
	ADD(pubt, np, CKA_TOKEN, &yes, sizeof(yes));
	ADD(pubt, np, CKA_VERIFY, &yes, sizeof(yes));
	ADD(pubt, np, CKA_EC_PARAMS, params, plen);
	ADD(privt, nv, CKA_TOKEN, &yes, sizeof(yes));
	ADD(privt, nv, CKA_PRIVATE, &yes, sizeof(yes));
	ADD(privt, nv, CKA_SENSITIVE, &yes, sizeof(yes));
	ADD(privt, nv, CKA_EXTRACTABLE, &no, sizeof(no));
	ADD(privt, nv, CKA_SIGN, &yes, sizeof(yes));
	if ((a = p11_kit_uri_get_attribute(u, CKA_LABEL)) != NULL) {
		ADD(pubt, np, CKA_LABEL, a->pValue, a->ulValueLen);
		ADD(privt, nv, CKA_LABEL, a->pValue, a->ulValueLen);
	}
	/* The ID ties the two halves together (p11_open finds the public
	 * key by it): the URI's, or a random one. */
	if ((a = p11_kit_uri_get_attribute(u, CKA_ID)) != NULL) {
		ADD(pubt, np, CKA_ID, a->pValue, a->ulValueLen);
		ADD(privt, nv, CKA_ID, a->pValue, a->ulValueLen);
	} else {
		if (random_bytes(rid, sizeof(rid)) != HS_OK) {
			rc = hs_fail(err, HS_ERR_IO, "cannot read random bytes");
			goto out;
		}
		ADD(pubt, np, CKA_ID, rid, sizeof(rid));
		ADD(privt, nv, CKA_ID, rid, sizeof(rid));
	}
#undef ADD
	rv = mod->C_GenerateKeyPair(sess, &m, pubt, np, privt, nv, &pubh,
	    &privh);
	if (rv != CKR_OK) {
		rc = hs_fail(err, HS_ERR_IO, "the token did not make a %s key "
		    "pair (%s, 0x%lx)", t == P11_ED25519 ? "Ed25519" : "P-256",
		    rv_name(rv), (unsigned long)rv);
		goto out;
	}
	rc = HS_OK;
out:
	if (mod != NULL)
		close_session(mod, sess);
	p11_kit_uri_free(u);
	return rc;
}
