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
 * Then, per request (the text to sign, 1..SIGNER_MSG_MAX bytes):
 *   'S' sig[64]             (the signature of the text, of K's type)
 *   'E' message             (refused, with the reason)
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

#endif
