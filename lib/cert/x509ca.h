/*
 * x509ca.h - the document-signing key and certificate of PAdES signatures
 * (docs/formats.md §6b), kept in the issuer's keys directory:
 *
 *   KEYS/pades-ca.key   the issuer's own small CA: ECDSA P-256, PKCS#8 PEM,
 *                       mode 0600 (x509ca_init)
 *   KEYS/pades-ca.crt   its self-signed certificate (PEM)
 *   KEYS/pades.key      the document-signing key, PKCS#8 PEM, mode 0600,
 *                       or one line: the pkcs11: URI of a token key
 *   KEYS/pades.crt      its certificate first, then the rest of its chain
 *                       (PEM), made by x509ca_issue or imported
 *
 * The document certificate has keyUsage digitalSignature and
 * nonRepudiation (critical) and extendedKeyUsage emailProtection and
 * Adobe's id-kp-documentSigning (1.2.840.113583.1.1.5), what PDF
 * validators look for. Ed25519 is not accepted inside PDFs by common
 * validators: the keys are ECDSA P-256 (default) or RSA-3072.
 */
#ifndef HS_X509CA_H
#define HS_X509CA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/hs.h"

#define X509CA_CA_KEY  "pades-ca.key"
#define X509CA_CA_CRT  "pades-ca.crt"
#define X509CA_DOC_KEY "pades.key"
#define X509CA_DOC_CRT "pades.crt"
#define X509CA_CHAIN_MAX 8           /* certificates in a chain */
#define X509CA_FILE_MAX (256 * 1024) /* bytes of a PEM or PKCS#12 file */

enum x509ca_alg { X509CA_P256, X509CA_RSA3072 };

/*
 * Makes the CA in keys_dir: a new ECDSA P-256 key and a self-signed CA
 * certificate for name (UTF-8, the issuer's name), valid for days.
 * HS_ERR_EXISTS if keys_dir already holds a CA key.
 */
enum hs_err x509ca_init(const char *keys_dir, const char *name, int days,
    char *err);

/*
 * Issues the document-signing certificate with the CA of keys_dir: a new
 * key of alg, subject CN = cn, O = org, valid for days from now, written
 * (replacing any previous one) as pades.key (0600) and pades.crt (the
 * certificate, then the CA's). HS_ERR_NOTFOUND without a CA.
 */
enum hs_err x509ca_issue(const char *keys_dir, const char *cn,
    const char *org, enum x509ca_alg alg, int days, char *err);

/*
 * Imports a document-signing key and chain from a CA. Either pem_chain
 * (the certificate first, then its issuers) with pem_key (PKCS#8 or
 * traditional PEM, possibly encrypted with pass), or p12 (PKCS#12,
 * decrypted with pass). The key must be ECDSA P-256 or RSA (2048 bits or
 * more) and match the first certificate. pass may be NULL.
 */
enum hs_err x509ca_import_pem(const char *keys_dir, const char *pem_chain,
    const char *pem_key, const char *pass, char *err);
enum hs_err x509ca_import_p12(const char *keys_dir, const char *p12,
    const char *pass, char *err);

/*
 * The document key in a PKCS#11 token (core/p11.h): pades.key then holds
 * one line, the key's pkcs11: URI (0600), and pades.crt its chain.
 * x509ca_issue_pkcs11 has the CA of keys_dir certify the public key of
 * the token's ECDSA P-256 key uri names (with generate, made first in
 * the token: sensitive, never extractable); x509ca_import_pkcs11 takes
 * the chain pem_chain from another CA, whose first certificate must be
 * the token key's. The PIN is pin[0..pinlen) (NULL: the URI's pin-source
 * or the environment). A wrong PIN (HS_ERR_SIGNATURE) writes nothing.
 */
enum hs_err x509ca_issue_pkcs11(const char *keys_dir, const char *uri,
    const char *pin, size_t pinlen, bool generate, const char *cn,
    const char *org, int days, char *err);
enum hs_err x509ca_import_pkcs11(const char *keys_dir, const char *pem_chain,
    const char *uri, const char *pin, size_t pinlen, char *err);

/* True if keys_dir holds a document-signing key and certificate. */
bool x509ca_have_doc(const char *keys_dir);

#endif
