/*
 * p11.h - signing keys in a PKCS#11 token, called directly through
 * p11-kit (no OpenSSL engine or provider: Debian 12's libp11 engine
 * cannot use Ed25519, and the pkcs11-provider is not packaged).
 *
 * A key is named by a pkcs11: URI (RFC 7512), e.g.
 *   pkcs11:module-path=/usr/lib/softhsm/libsofthsm2.so;token=hourseal;
 *          object=note;type=private
 * The module is the URI's module-path, else $HOURSEAL_PKCS11_MODULE.
 * The URI must select exactly one token and one private key; the public
 * key is the token's public key object with the same CKA_ID (or, with no
 * ID, the same label).
 *
 * The user PIN never comes from the command line: a URI holding
 * pin-value is refused. It comes from, in this order: the PIN the caller
 * read from a file it was told about (an option: the issuer's
 * --passphrase-file), the URI's pin-source=file:PATH, the file
 * named by $HOURSEAL_PKCS11_PIN_FILE, or $HOURSEAL_PKCS11_PIN. A PIN file
 * holds the PIN on its first line and must not be open to group or
 * others.
 *
 * Keys: Ed25519 (CKK_EC_EDWARDS, signed with CKM_EDDSA) for notes and
 * checkpoints, ECDSA P-256 (CKK_EC, CKM_ECDSA over a SHA-256 digest) for
 * document signatures. A key the token lets out (CKA_EXTRACTABLE true or
 * CKA_SENSITIVE false) is refused. Every signature is checked against
 * the public key before it is returned, so a public key object that does
 * not belong to the private key is noticed.
 *
 * A p11_key may be used from several threads: signing holds a mutex
 * (one PKCS#11 session does one operation at a time).
 */
#ifndef HS_P11_H
#define HS_P11_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/hs.h"

#define P11_URI_MAX 2048
#define P11_PIN_MAX 256
#define P11_MODULE_ENV "HOURSEAL_PKCS11_MODULE"
#define P11_PIN_ENV "HOURSEAL_PKCS11_PIN"
#define P11_PIN_FILE_ENV "HOURSEAL_PKCS11_PIN_FILE"
#define P11_ECDSA_DER_MAX 72 /* bytes of a DER ECDSA P-256 signature */

enum p11_type {
	P11_ED25519,
	P11_P256,
};

struct p11_key;

/* True if s starts with "pkcs11:" (a key reference that is a URI). */
bool p11_is_uri(const char *s);

/*
 * Checks a URI a person gave (a flag or a key reference file): it
 * parses, names an object (object= or id=), and holds no pin-value
 * (HS_ERR_INVALID with the reason).
 */
enum hs_err p11_uri_check(const char *uri, char *err);

/*
 * Opens the private key uri names, logged in with the PIN (see above;
 * pin may be NULL, else pinlen bytes). HS_ERR_SIGNATURE if the token refuses the PIN,
 * HS_ERR_NOTFOUND if no token or key matches, HS_ERR_STATE for an
 * extractable or non-sensitive key or an unusable one, HS_ERR_INVALID
 * for a bad URI or no PIN. Caller frees with p11_close.
 */
enum hs_err p11_open(const char *uri, const char *pin, size_t pinlen,
    struct p11_key **k, char *err);
void p11_close(struct p11_key *k); /* accepts NULL */

/*
 * Generates a key pair of type t inside the token, as uri names it
 * (object= becomes CKA_LABEL, id= CKA_ID; a random ID if none): private
 * key sensitive, never extractable, on the token. HS_ERR_EXISTS if a
 * private key matching uri is already there. The PIN as for p11_open.
 */
enum hs_err p11_generate(const char *uri, const char *pin, size_t pinlen,
    enum p11_type t, char *err);

enum p11_type p11_key_type(const struct p11_key *k);
/* The public key: 32 bytes for Ed25519, the 65-byte uncompressed point
 * for P-256. pub holds at least 65 bytes. */
void p11_key_pub(const struct p11_key *k, uint8_t *pub, size_t *len);
/* The private key's attributes as the token reported them. */
bool p11_key_extractable(const struct p11_key *k);
bool p11_key_sensitive(const struct p11_key *k);

/* Signs msg[0..len) with an Ed25519 key (pure EdDSA) into sig. */
enum hs_err p11_sign_eddsa(struct p11_key *k, const uint8_t *msg,
    size_t len, uint8_t sig[64], char *err);

/*
 * The document signer's signing call (ctx is a struct p11_key * of type
 * P11_P256): ECDSA P-256 over SHA-256 of tbs[0..len), the token's raw
 * r || s turned into a DER ECDSA-Sig-Value in sig. *siglen is sig's
 * capacity on entry (at least P11_ECDSA_DER_MAX) and the length on
 * return.
 */
enum hs_err p11_sign_ecdsa(void *ctx, const uint8_t *tbs, size_t len,
    uint8_t *sig, size_t *siglen, char *err);

#endif
