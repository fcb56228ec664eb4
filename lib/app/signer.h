/*
 * signer.h - the signer process of `hourseal-issuer serve` (service.md
 * §3): the only process that holds the signing key. It answers signing
 * requests over a socket (a SOCK_SEQPACKET socketpair: one message per
 * request and per answer) and signs ONLY hourseal's own messages:
 *
 *   - certificate notes: text that cert_decode accepts ("hourseal/cert/v1"
 *     and the rest of the format);
 *   - checkpoints of its own origin: exactly three lines, the origin, the
 *     tree size in decimal, the base64 root hash; nothing else.
 *
 * Anything else is refused. Each signature is logged, one line on the
 * log (stderr): what was signed and its serial or tree size.
 *
 * Protocol. At start the signer sends one hello message:
 *   'K' k K[k] n label[n] name  (ready: the key's encoded public key
 *                                K (k bytes, note.h: Ed25519 or SM2),
 *                                its label (n bytes) and its name)
 *   'E' message             (could not load the key; it then exits)
 * and, after 'K', a second message about the PDF document key:
 *   'C' m[2] chain          (a document key: its signatures are at most
 *                            m bytes (big-endian); chain is its
 *                            certificate chain, PEM, the signing
 *                            certificate first)
 *   'N'                     (no document key: PDFs are not signed)
 * Then, per request (the text to sign, 1..SIGNER_MSG_MAX bytes):
 *   'S' sig[64]             (the signature of the text, of K's type)
 *   'E' message             (refused, with the reason)
 * or, for a PDF signature (PAdES, pdf/pades.h), "\0P" then the DER of
 * the CMS signed attributes (a text never holds a NUL, so the two
 * cannot be confused):
 *   'D' sig                 (the document key's signature, DER ECDSA or
 *                            RSA PKCS#1 v1.5, over SHA-256 of the DER)
 *   'E' message             (refused)
 * The signer signs such a request only if it is exactly the signed
 * attributes it would make itself (pades_sign_attrs): a DER SET OF
 * content-type id-data, one message-digest of 32 bytes and the ESS
 * signing-certificate-v2 of ITS document certificate, nothing else. It
 * cannot know which PDF the digest is of: a PDF signature proves that
 * the service signed it, as a note does.
 *
 * The HTTP process wraps the socket in a remote note_signer
 * (signer_remote), so issue.c and ledger.c sign through it unchanged.
 */
#ifndef HS_APP_SIGNER_H
#define HS_APP_SIGNER_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "core/hs.h"
#include "store/keys.h"

struct note_signer;
struct signer_remote;

/* The largest text a request may carry (a certificate of
 * CERT_MAX_RECORDS records fits). */
#define SIGNER_MSG_MAX (256 * 1024)

/*
 * Whether the signer may sign msg[0..len) for origin: HS_OK and a short
 * description in what (e.g. "certificate 2024-ABCD-..." or "checkpoint
 * size 12"; whatcap bytes), or HS_ERR_STATE with the reason.
 */
enum hs_err signer_check(const char *origin, const char *msg, size_t len,
    char *what, size_t whatcap, char *err);

/*
 * The signer's loop on fd: sends the hello for s (NULL with a load error
 * in load_err: sends 'E' and returns), then answers requests until the
 * other end closes. Logs one line per signature or refusal to log.
 */
enum hs_err signer_serve(int fd, const struct note_signer *s,
    const char *label, const char *load_err, FILE *log, char *err);

/*
 * As signer_serve, with the PDF document signer pades (NULL: none; a
 * load error of the document key goes in load_err with s NULL).
 */
struct pades_signer;
enum hs_err signer_serve_pades(int fd, const struct note_signer *s,
    const struct pades_signer *pades, const char *label,
    const char *load_err, FILE *log, char *err);

/*
 * The HTTP process's side: reads the hello from fd and returns a remote
 * note_signer (note_signer_new_remote) whose signatures come from the
 * signer process, one request at a time (a mutex). HS_ERR_STATE with the
 * signer's message if it could not load the key; label gets the key's
 * label (for the certificates' key_label). Free with
 * signer_remote_free (which closes fd) after note_signer_free(*s).
 */
enum hs_err signer_remote_open(int fd, struct note_signer **s,
    char label[KEYS_LABEL_MAX + 1], struct signer_remote **r, char *err);
void signer_remote_free(struct signer_remote *r);

/* The PDF signer whose signatures come from the signer process (the
 * hello's chain), or NULL if it has no document key. Owned by r. */
struct pades_signer *signer_remote_pades(const struct signer_remote *r);

#endif
