/*
 * keys.h - the issuer's signing keys (docs/formats.md §5): Ed25519 or
 * SM2 key files, or Ed25519 keys in a PKCS#11 token; the keys table.
 *
 * Files, in the key directory (config keys_dir, created mode 0700):
 *   LABEL.key  the key reference, mode 0600, created with O_CREAT|O_EXCL|
 *              O_NOFOLLOW. Either a PKCS#8 PEM (Ed25519 or SM2)
 *              "ENCRYPTED PRIVATE KEY" (PBES2: scrypt with
 *              N=16384 r=8 p=1, then AES-256-CBC; what `openssl pkcs8
 *              -scrypt` makes, readable by `openssl pkey`) when made with
 *              a passphrase, else "PRIVATE KEY"; or one line, a pkcs11:
 *              URI (core/p11.h) naming an Ed25519 key inside a token,
 *              never a PIN. For a token key the passphrase (file) is the
 *              token's user PIN.
 *   LABEL.pub  the verifier key line "origin+hex8(keyID)+base64(K)"
 *              (tlog/note.h: K is 0x01||pub for Ed25519, 0xff||OID||point
 *              for SM2) and a newline, mode 0644. The name in it is the
 *              ledger origin (it may contain '/'), not the label.
 * Table keys(label, vkey, created, not_before, retired, compromised_since)
 * in the issuer database (schema in store.c, owned by this module).
 *
 * A passphrase file holds the passphrase on its first line (the newline
 * and a CR before it are not part of it). Secrets are wiped with
 * OPENSSL_cleanse and never put in messages.
 */
#ifndef HS_KEYS_H
#define HS_KEYS_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/hs.h"
#include "tlog/note.h"

#define KEYS_LABEL_MAX 64
#define KEYS_PASS_MAX 1024          /* bytes of passphrase */
#define KEYS_SCRYPT_N 16384         /* 16 MiB of memory per guess */
#define KEYS_SCRYPT_R 8
#define KEYS_SCRYPT_P 1
#define KEYS_PASSPHRASE_ENV "HOURSEAL_PASSPHRASE_FILE"

/* A key as the keys table has it; empty strings for NULL times. */
struct keys_info {
	char label[KEYS_LABEL_MAX + 1];
	char vkey[NOTE_VKEY_MAX];
	char created[21];
	char not_before[21];
	char retired[21];
	char compromised_since[21];
};

/*
 * True if label is file-safe: 1..KEYS_LABEL_MAX characters from
 * [A-Za-z0-9._-], not starting with '.' or '-'.
 */
bool keys_label_valid(const char *label);

/* The default label: today's UTC date, "YYYY-MM-DD". */
void keys_default_label(char out[KEYS_LABEL_MAX + 1]);

/*
 * The passphrase file to use: flag if not NULL, else $HOURSEAL_PASSPHRASE_
 * FILE if set and non-empty, else NULL (no passphrase).
 */
const char *keys_passphrase_file(const char *flag);

/*
 * Reads the passphrase (first line) of path into pass (KEYS_PASS_MAX + 1
 * bytes, NUL-terminated) and its length into *len. An empty passphrase is
 * HS_ERR_INVALID. The caller wipes pass with OPENSSL_cleanse.
 */
enum hs_err keys_read_passphrase(const char *path, char *pass, size_t *len,
    char *err);

/*
 * Generates an Ed25519 key and writes dir/LABEL.key (encrypted if pass is
 * not NULL) and dir/LABEL.pub for signer name (the ledger origin; must be
 * a valid note key name). dir is created (0700) if missing. Refuses with
 * HS_ERR_EXISTS if either file exists; never overwrites. On failure no
 * file is left behind. On success *s (may be NULL) is a signer for the
 * new key (caller frees) and vkey (may be NULL, NOTE_VKEY_MAX bytes) its
 * verifier key.
 */
enum hs_err keys_create(const char *dir, const char *label, const char *name,
    const char *pass, size_t passlen, struct note_signer **s, char *vkey,
    char *err);

/* What kind of key keys_create_how makes. */
struct keys_new {
	enum note_alg alg;  /* NOTE_ALG_ED25519 or NOTE_ALG_SM2 */
	const char *uri;    /* not NULL: an Ed25519 key in this token */
	bool generate;      /* with uri: make the key pair in the token first
	                       (else use the one already there) */
};

/*
 * keys_create for any kind of key (how). For a token key, pass is the
 * user PIN (NULL: the URI's pin-source or the environment, core/p11.h)
 * and LABEL.key gets the URI; the URI must hold no pin-value. A token
 * key the token lets out (extractable, not sensitive) is refused.
 */
enum hs_err keys_create_how(const char *dir, const char *label,
    const char *name, const struct keys_new *how, const char *pass,
    size_t passlen, struct note_signer **s, char *vkey, char *err);

/* Removes dir/LABEL.key and dir/LABEL.pub (to undo a keys_create). */
void keys_remove_files(const char *dir, const char *label);

/*
 * Loads dir/LABEL.key as a signer named name (a token key: opens the
 * token with pass as the PIN, or the PIN from the URI's pin-source or
 * the environment when pass is NULL; HS_ERR_SIGNATURE for a wrong PIN).
 * Fails with a clear message
 * (HS_ERR_STATE) if the file is readable by group or others or is not a
 * regular file, HS_ERR_FORMAT if it is not a complete PEM or not an
 * Ed25519 PKCS#8 key, HS_ERR_INVALID if it is encrypted and pass is NULL,
 * HS_ERR_SIGNATURE for a wrong passphrase, and HS_ERR_SIGNATURE if
 * dir/LABEL.pub does not hold the matching verifier key (HS_ERR_NOTFOUND
 * if it is missing). Caller frees *s.
 */
enum hs_err keys_load(const char *dir, const char *label, const char *name,
    const char *pass, size_t passlen, struct note_signer **s, char *err);

/*
 * Inserts the key into the keys table (created = now). HS_ERR_EXISTS if
 * the label or the verifier key is already there.
 */
enum hs_err keys_register(sqlite3 *db, const char *label, const char *vkey,
    const char *not_before, char *err);

/* Reads one key's row. HS_ERR_NOTFOUND if there is no such label. */
enum hs_err keys_get(sqlite3 *db, const char *label, struct keys_info *k,
    char *err);

/*
 * The active signing key: the newest (by not_before, then created) key
 * that is neither retired nor compromised and whose dir/LABEL.key exists.
 * HS_ERR_NOTFOUND if there is none.
 */
enum hs_err keys_active(sqlite3 *db, const char *dir, struct keys_info *k,
    char *err);

/*
 * Loads the active signing key for signer name (the ledger origin) from
 * dir, with the passphrase from passfile (NULL: none). Checks that the
 * key file matches the registered verifier key. Fills label (may be NULL,
 * KEYS_LABEL_MAX + 1 bytes). Caller frees *s.
 */
enum hs_err keys_load_active(sqlite3 *db, const char *dir, const char *name,
    const char *passfile, struct note_signer **s, char *label, char *err);

/*
 * Marks label retired at time when (RFC 3339): it signs nothing after
 * that, and what it signed before stays valid. HS_ERR_STATE if it was
 * already retired; HS_ERR_NOTFOUND if there is no such key.
 */
enum hs_err keys_retire(sqlite3 *db, const char *label, const char *when,
    char *err);

/*
 * Marks label compromised since time since (RFC 3339): everything it
 * signed at or after since fails verification, and it is never the
 * active key again. Setting a later time than one already recorded is
 * refused (HS_ERR_STATE); an earlier one is allowed.
 */
enum hs_err keys_compromised(sqlite3 *db, const char *label,
    const char *since, char *err);

/* All keys, oldest first. Caller frees *out. */
enum hs_err keys_list(sqlite3 *db, struct keys_info **out, size_t *n,
    char *err);

#endif
