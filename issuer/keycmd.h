/*
 * keycmd.h - what keygen and key rotate share: making a new signing key,
 * registering it and announcing it in the ledger.
 */
#ifndef HS_ISSUER_KEYCMD_H
#define HS_ISSUER_KEYCMD_H

#include <sqlite3.h>
#include <stdint.h>

#include "store/config.h"
#include "core/hs.h"
#include "store/keys.h"
#include "tlog/note.h"

/*
 * A free label: want if not NULL (HS_ERR_EXISTS if taken), else today's
 * date, then date-2, date-3, ... (taken = in the keys table or a file in
 * the key directory).
 */
enum hs_err keycmd_label(sqlite3 *db, const struct config *c,
    const char *want, char label[KEYS_LABEL_MAX + 1], char *err);

/*
 * Creates LABEL.key / LABEL.pub as how says (NULL: an Ed25519 key file;
 * store/keys.h), encrypted with the passphrase in passfile if not NULL
 * (for a token key passfile holds the PIN) and, in one transaction, registers the key
 * (not-before = now), retires old_label (may be NULL) at that time, and
 * appends the key leaf "hourseal/leaf/v1 key <vkey> <now>" (and, with
 * old_label, "hourseal/leaf/v1 key-retire <old vkey> <now>") to the
 * ledger with a new checkpoint signed by cp_signer (NULL: by the new key
 * itself). If anything fails the transaction is rolled back and the
 * files are removed. vkey gets the verifier key line (NOTE_VKEY_MAX
 * bytes); *leaf_index and *cp_size (may be NULL) the key leaf's index
 * and the new checkpoint's size.
 */
enum hs_err keycmd_make(sqlite3 *db, const struct config *c,
    const char *label, const char *passfile, const struct keys_new *how,
    const char *old_label,
    const struct note_signer *cp_signer, char *vkey, uint64_t *leaf_index,
    uint64_t *cp_size, char *err);

/*
 * Parses keygen's and key rotate's key options into how: --alg
 * ed25519|sm2 (alg may be NULL), --pkcs11 URI (uri may be NULL) and
 * --generate. HS_ERR_INVALID with the reason for a bad combination.
 */
enum hs_err keycmd_how(const char *alg, const char *uri, bool generate,
    struct keys_new *how, char *err);

/* Prints where the new key lives (file or token) and its verifier key. */
void keycmd_report(const struct config *c, const char *label,
    const struct keys_new *how, const char *vkey, bool encrypted);
/* The same with the passphrase itself (pass NULL: not encrypted). */
enum hs_err keycmd_make_pass(sqlite3 *db, const struct config *c,
    const char *label, const char *pass, size_t passlen,
    const struct keys_new *how,
    const char *old_label, const struct note_signer *cp_signer, char *vkey,
    uint64_t *leaf_index, uint64_t *cp_size, char *err);

#endif
