/*
 * pepper.h - the issuer's pepper and the id-digest it keys.
 *
 * The pepper is a 32-byte secret (DIR/pepper of the issuer: 64 hex digits
 * and an optional line end, mode 0600). A certificate carries its holder's
 * ID number only as id-digest = base64(HMAC-SHA-256(pepper, id_number)),
 * so the issuer (import, list --id) and the verifier (the ID match) must
 * compute it the same way: here, once.
 */
#ifndef HS_PEPPER_H
#define HS_PEPPER_H

#include <stdint.h>

#include "core/hs.h"

#define PEPPER_SIZE 32
#define PEPPER_DIGEST_SIZE 45 /* base64 of 32 bytes, with the NUL */

/*
 * Reads a pepper file (at most 256 bytes): exactly 64 hex digits, then
 * optionally CR/LF. HS_ERR_FORMAT ("PATH: expected 64 hex digits") if it
 * is anything else; file_read's errors otherwise. The file's bytes are
 * wiped before they are freed; the caller wipes out with pepper_wipe.
 */
enum hs_err pepper_load(const char *path, uint8_t out[PEPPER_SIZE],
    char *err);

/* Wipes a pepper in memory. */
void pepper_wipe(uint8_t pepper[PEPPER_SIZE]);

/* id-digest: base64(HMAC-SHA-256(pepper, id_number)). */
void pepper_id_digest(const uint8_t pepper[PEPPER_SIZE],
    const char *id_number, char out[PEPPER_DIGEST_SIZE]);

#endif
