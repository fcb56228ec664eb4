/*
 * pades.h - PAdES baseline signatures on certificate PDFs (docs/formats.md
 * §6b): after rendering, one incremental update adds a merged signature
 * field/widget (invisible, on the first page) and a signature dictionary
 * /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached with /M, a
 * /ByteRange covering the whole file but /Contents, and /Contents holding
 * a detached CMS SignedData whose signed attributes are exactly
 * content-type, message-digest and ESS signing-certificate-v2 (no
 * signing-time: its time is /M, and OpenSSL would otherwise add the
 * clock). The certificate chain is included; with a TSA, the RFC 3161
 * token over the signature value is the unsigned attribute
 * signatureTimeStampToken (B-T).
 *
 * The update's bytes depend only on the rendered file, /M and the size
 * of the /Contents placeholder (sized to the chain): pades_layout makes
 * them, for the signer and for a verifier that checks that a signed file
 * is the rendered file plus this one update.
 *
 * Every signature goes through ONE function, pades_sign_fn: the software
 * backend signs with an EVP_PKEY loaded from the keys directory; a
 * hardware backend (PKCS#11) plugs its own function in.
 */
#ifndef HS_PADES_H
#define HS_PADES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/hs.h"
#include "core/util.h"

#define PADES_SIG_MAX 512            /* bytes of a raw signature value */
#define PADES_TSA_RESERVE 6144       /* bytes kept for a timestamp token */
#define PADES_CONTENTS_MAX (64 * 1024) /* hex digits of /Contents read */

/*
 * Signs tbs[0..len) (the DER of the signed attributes) with SHA-256:
 * ECDSA answers the DER signature, RSA PKCS#1 v1.5. *siglen is the room
 * at sig on entry (PADES_SIG_MAX), the signature's length on return.
 * Called from several threads at once.
 */
typedef enum hs_err (*pades_sign_fn)(void *ctx, const uint8_t *tbs,
    size_t len, uint8_t *sig, size_t *siglen, char *err);

struct pades_signer;

/*
 * A signer whose signatures come from sign(ctx, ...) and whose
 * certificate chain (the signing certificate first) is the PEM file
 * chain_path. sigmax is the longest signature it makes (72 for ECDSA
 * P-256, the modulus bytes for RSA). Caller frees with pades_signer_free.
 */
enum hs_err pades_signer_new(const char *chain_path, pades_sign_fn sign,
    void *ctx, size_t sigmax, struct pades_signer **out, char *err);

/* As pades_signer_new, with the chain's PEM pem[0..len) (what names it
 * in messages). */
enum hs_err pades_signer_new_pem(const char *pem, size_t len,
    const char *what, pades_sign_fn sign, void *ctx, size_t sigmax,
    struct pades_signer **out, char *err);

/*
 * The backends: keys_dir's pades.key (refused if group or others may
 * read it) is either the software key (PEM) or one line, the pkcs11: URI
 * of an ECDSA P-256 key in a token (core/p11.h: the PIN from the URI's
 * pin-source or the environment; the token's public key must be the
 * certificate's). The software backend: keys_dir's pades.key (refused if group or others
 * may read it) and pades.crt (cert/x509ca.h). HS_ERR_NOTFOUND if there
 * is no document key.
 */
enum hs_err pades_signer_load(const char *keys_dir, struct pades_signer **out,
    char *err);
void pades_signer_free(struct pades_signer *s); /* accepts NULL */

/* The chain's PEM as read (the signing certificate first). */
const char *pades_signer_chain(const struct pades_signer *s, size_t *len);
/* The longest signature s makes (its sigmax). */
size_t pades_signer_sigmax(const struct pades_signer *s);

#define PADES_ATTRS_MAX 4096 /* bytes of signed attributes pades_sign_attrs takes */

/*
 * Signs tbs[0..len) with s's key, but only if it is the DER signed
 * attributes s itself would make for some digest: a SET OF exactly
 * content-type id-data, message-digest (one OCTET STRING of 32 bytes)
 * and the ESS signing-certificate-v2 of s's certificate, in DER order.
 * HS_ERR_STATE "refused: ..." otherwise. *siglen as for pades_sign_fn.
 * (The signer process signs PAdES requests through this.)
 */
enum hs_err pades_sign_attrs(const struct pades_signer *s,
    const uint8_t *tbs, size_t len, uint8_t *sig, size_t *siglen,
    char *err);

/*
 * Each signature's CMS is, by default, a template the CMS API made once
 * for s and that signature length, with the digest and the signature
 * value filled in (the CMS API builds it again only with a TSA). Off:
 * the CMS API builds every one (for tests, which compare the two, and
 * for measurements).
 */
void pades_signer_use_templates(struct pades_signer *s, bool on);

/* The SHA-256 of the signing certificate's DER. */
void pades_signer_cert_sha(const struct pades_signer *s, uint8_t out[32]);

#define PADES_TSA_TIMEOUT 20 /* seconds, by default */

/*
 * Asks the RFC 3161 TSA at url ("http://host[:port]/path") for a token on
 * every signature from now on (B-T), waiting at most timeout seconds
 * (1..120; 0: PADES_TSA_TIMEOUT) for each: a TSA that refuses connections
 * is retried until then. HS_ERR_INVALID for a bad URL or timeout.
 */
enum hs_err pades_signer_set_tsa(struct pades_signer *s, const char *url,
    int timeout, char *err);

/*
 * Appends the signature update to the rendered PDF in *pdf, dated when
 * (/M). HS_ERR_FORMAT if *pdf is not a PDF as pdf_render writes it (one
 * classic xref section, no /AcroForm, no /Annots), HS_ERR_CRYPTO /
 * HS_ERR_IO from the signer or the TSA. On failure *pdf is as it was.
 */
enum hs_err pades_sign(const struct pades_signer *s, time_t when,
    struct buf *pdf, char *err);

/*
 * The update pades_sign appends to the rendered pdf[0..len) with /M when
 * and a /Contents of hexlen zero digits: appended to out; *hole is the
 * offset (in the signed file) of the '<' that opens /Contents.
 */
enum hs_err pades_layout(const void *pdf, size_t len, time_t when,
    size_t hexlen, struct buf *out, size_t *hole, char *err);

enum pades_state {
	PADES_NONE,      /* no signature dictionary with a /ByteRange */
	PADES_VALID,     /* the signature is valid and covers the file */
	PADES_APPENDED,  /* valid, but bytes were appended after signing */
	PADES_INVALID,   /* a byte changed, or a malformed signature */
};

struct pades_info {
	enum pades_state state;
	size_t hole;            /* offset of /Contents' '<' */
	size_t hexlen;          /* hex digits between '<' and '>' */
	size_t signed_end;      /* end of the signed bytes */
	time_t when;            /* /M, or -1 */
	uint8_t cert_sha[32];   /* SHA-256 of the signing certificate's DER */
	char subject[256];      /* its CN (UTF-8), for messages */
	bool timestamped;       /* a token whose imprint is the signature's */
	char why[HS_ERRLEN];    /* INVALID: why; APPENDED: what */
};

/*
 * Reads and verifies the last signature of pdf[0..len): the CMS
 * signature over its byte ranges, the ESS certificate hash, one signer.
 * HS_OK with info->state set (the signer is NOT trusted here: the caller
 * checks info->cert_sha against the ledger), HS_ERR_NOMEM.
 */
enum hs_err pades_verify(const void *pdf, size_t len, struct pades_info *info,
    char *err);

#endif
