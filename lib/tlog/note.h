/*
 * note.h - C2SP signed notes (c2sp.org/signed-note) with Ed25519 or
 * SM2/SM3 (docs/formats.md §5).
 *
 * A note is UTF-8 text ending in "\n", a blank line, then signature lines
 * "— <name> <base64(4-byte key ID || 64-byte signature)>\n".
 * The encoded key K is the signature type and the public key:
 *   Ed25519  K = 0x01 || pubkey32                                (33 bytes)
 *   SM2      K = 0xff || 06 08 2A 81 1C CF 55 01 83 75 || 04 || X || Y
 *              (0xff, then the DER of OID 1.2.156.10197.1.501
 *              SM2-with-SM3, then the uncompressed point)        (76 bytes)
 * Key ID = SHA-256(name || 0x0A || K)[:4].
 * Verifier key = "name+hex8(keyID)+base64(K)".
 * An SM2 signature is r || s (32 bytes each, big-endian) over SM3 with
 * the distinguishing ID "1234567812345678" (GM/T 0009).
 * Signer key (Go's format) = "PRIVATE+KEY+name+hex8+base64(0x01 || seed32)"
 * (Ed25519 only).
 */
#ifndef HS_NOTE_H
#define HS_NOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/hs.h"
#include "core/util.h"

#define NOTE_MAX_SIGS 16          /* signature lines per note (spec: >= 16) */
#define NOTE_VKEY_MAX 512
#define NOTE_NAME_MAX 255         /* bytes in a key name we sign or verify */
#define NOTE_MAX_SIZE (8u << 20)  /* bytes in a whole note */
#define NOTE_KEY_MAX 80           /* bytes of an encoded key K */
#define NOTE_SIG_LEN 64           /* bytes of a signature, either type */
#define NOTE_SM2_ID "1234567812345678" /* the SM2 distinguishing ID */

/* The signature types (the first byte of K; see above). */
enum note_alg {
	NOTE_ALG_ED25519 = 0x01,
	NOTE_ALG_SM2 = 0xff,
};

struct note_signer;
struct note_verifier;
struct evp_pkey_st; /* OpenSSL's EVP_PKEY */

/*
 * True if name is a valid key name: 1..NOTE_NAME_MAX bytes of UTF-8 with
 * no Unicode space, no '+' and no ASCII control character (the spec's
 * rules; a note may not hold control characters). '/' is fine.
 */
bool note_name_valid(const char *name);

/* A signer for name from a raw 32-byte Ed25519 seed. Caller frees. */
enum hs_err note_signer_new(const char *name, const uint8_t seed[32],
    struct note_signer **s, char *err);
/*
 * A remote signer's signing call: signs text[0..len) with Ed25519 into
 * sig (64 bytes), or fails with a message. ctx is the one given below.
 */
typedef enum hs_err (*note_sign_fn)(void *ctx, const char *text,
    size_t len, uint8_t sig[64], char *err);

/*
 * A signer for name whose private key lives elsewhere (another process):
 * note_sign frames the note exactly as for a local key and gets the
 * 64-byte signature from fn, then checks it against pub before using it.
 * ctx stays the caller's (note_signer_free does not touch it). Caller
 * frees.
 */
enum hs_err note_signer_new_remote(const char *name, const uint8_t pub[32],
    note_sign_fn fn, void *ctx, struct note_signer **s, char *err);
/*
 * A remote signer of either type: key is the encoded key K (alg and
 * public key, as in a verifier key). If ctx_free is not NULL,
 * note_signer_free calls it on ctx (the signer owns ctx); otherwise ctx
 * stays the caller's. fn returns the 64-byte signature of the type.
 */
enum hs_err note_signer_new_remote_key(const char *name, const uint8_t *key,
    size_t keylen, note_sign_fn fn, void *ctx, void (*ctx_free)(void *),
    struct note_signer **s, char *err);
/*
 * A local signer from an OpenSSL private key: Ed25519 or SM2 (an
 * EVP_PKEY of type SM2, or an EC key on the SM2 curve). Takes its own
 * reference to pk. HS_ERR_INVALID for any other key. Caller frees.
 */
enum hs_err note_signer_new_pkey(const char *name, struct evp_pkey_st *pk,
    struct note_signer **s, char *err);
/* The signer's type and encoded key K (*len bytes, <= NOTE_KEY_MAX). */
enum note_alg note_signer_alg(const struct note_signer *s);
void note_signer_key(const struct note_signer *s, uint8_t key[NOTE_KEY_MAX],
    size_t *len);
/* "Ed25519" or "SM2". */
const char *note_alg_name(enum note_alg alg);

/* A signer from a "PRIVATE+KEY+..." string. Caller frees. */
enum hs_err note_signer_parse(const char *skey, struct note_signer **s,
    char *err);
void note_signer_free(struct note_signer *s); /* wipes; accepts NULL */
const char *note_signer_name(const struct note_signer *s);
uint32_t note_signer_keyid(const struct note_signer *s);
/* Writes the verifier key line (no newline) into out; HS_ERR_TOOBIG if
 * outsz is too small. */
enum hs_err note_signer_vkey(const struct note_signer *s, char *out,
    size_t outsz);

/*
 * Appends text, the blank line and one signature line by s to out.
 * text must be valid UTF-8, end in "\n" and have no blank-line ambiguity
 * (HS_ERR_INVALID otherwise).
 */
enum hs_err note_sign(const struct note_signer *s, const char *text,
    size_t len, struct buf *out, char *err);

/*
 * Signs text exactly as note_sign would (same checks) but returns only
 * the 64-byte signature: what a signer process sends back to a remote
 * signer (note_signer_new_remote). A signer whose key is elsewhere (a
 * token) asks its signing function and checks the answer.
 */
enum hs_err note_sign_raw(const struct note_signer *s, const char *text,
    size_t len, uint8_t sig[64], char *err);

/* The signer's 32-byte Ed25519 public key (zeros for another type). */
void note_signer_pub(const struct note_signer *s, uint8_t pub[32]);

/* Parses a verifier key line. Caller frees. */
enum hs_err note_verifier_parse(const char *vkey, struct note_verifier **v,
    char *err);
/* A verifier for name from a raw 32-byte Ed25519 public key. Caller frees. */
enum hs_err note_verifier_new(const char *name, const uint8_t pub[32],
    struct note_verifier **v, char *err);
void note_verifier_free(struct note_verifier *v); /* accepts NULL */
const char *note_verifier_name(const struct note_verifier *v);
uint32_t note_verifier_keyid(const struct note_verifier *v);
/* Writes the verifier key line (no newline); HS_ERR_TOOBIG if it won't fit. */
enum hs_err note_verifier_vkey(const struct note_verifier *v, char *out,
    size_t outsz);
/* The 32-byte Ed25519 public key (zeros for another type). */
void note_verifier_pub(const struct note_verifier *v, uint8_t pub[32]);
/* A verifier for name from an encoded key K of either type. */
enum hs_err note_verifier_new_key(const char *name, const uint8_t *key,
    size_t keylen, struct note_verifier **v, char *err);
enum note_alg note_verifier_alg(const struct note_verifier *v);
void note_verifier_key(const struct note_verifier *v,
    uint8_t key[NOTE_KEY_MAX], size_t *len);

/*
 * Parses an encoded key K (the bytes after base64 in a verifier key):
 * its type, and for SM2 that the point is on the curve. HS_ERR_INVALID
 * with the reason otherwise.
 */
enum hs_err note_key_check(const uint8_t *key, size_t keylen,
    enum note_alg *alg, char *err);

/*
 * Verifies one raw signature (64 bytes) of msg[0..len) by v, as
 * note_open does for a signature line.
 */
bool note_verify_raw(const struct note_verifier *v, const uint8_t *sig,
    size_t siglen, const char *msg, size_t len);

struct note_verified {
	size_t text_len;  /* the signed text is msg[0..text_len), ends in \n */
	size_t n;         /* how many known keys verified */
	size_t by[NOTE_MAX_SIGS]; /* their indices in the vs array */
};

/*
 * Opens a signed note: parses it, ignores signatures by unknown keys,
 * and succeeds only if at least one of vs[0..nvs) verifies. A signature
 * line that names a known key but does not verify fails the whole note
 * (HS_ERR_SIGNATURE), as does a note no known key signed. Malformed notes
 * are HS_ERR_FORMAT (err names the line); more than NOTE_MAX_SIGS
 * signature lines or NOTE_MAX_SIZE bytes is HS_ERR_TOOBIG; two different
 * keys in vs with the same name and key ID is HS_ERR_INVALID. A key is
 * known when both its name and key ID match. On failure out->n is 0.
 */
enum hs_err note_open(const char *msg, size_t len,
    struct note_verifier *const *vs, size_t nvs, struct note_verified *out,
    char *err);

#endif
