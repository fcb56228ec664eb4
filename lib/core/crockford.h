/*
 * crockford.h - Crockford base32 codes people type: share codes and
 * activation codes (docs/formats.md "Share codes").
 *
 * Alphabet 0123456789ABCDEFGHJKMNPQRSTVWXYZ (no I, L, O, U). A code is
 * CROCKFORD_CODE_LEN characters carrying CROCKFORD_CODE_BYTES random
 * bytes (80 bits), most significant bit first. Reading a code as a
 * person typed it (crockford_normalise): case is ignored, hyphens and
 * spaces are dropped, I and L read as 1 and O as 0; anything else, or a
 * length other than 16 after that, is refused. The code is shown in four
 * groups of four ("7K3M-9Q2D-XW8P-4HJN"); the canonical form (what is
 * hashed and put in URLs) has no hyphens.
 */
#ifndef HS_CORE_CROCKFORD_H
#define HS_CORE_CROCKFORD_H

#include <stddef.h>
#include <stdint.h>

#define CROCKFORD_ALPHABET "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#define CROCKFORD_CODE_BYTES 10
#define CROCKFORD_CODE_LEN 16
#define CROCKFORD_INPUT_MAX 64  /* longest typed form read */

/* Encodes 10 bytes as the 16-character canonical code (out: 17 bytes). */
void crockford_encode(const uint8_t in[CROCKFORD_CODE_BYTES],
    char out[CROCKFORD_CODE_LEN + 1]);

/*
 * Reads a typed code (at most CROCKFORD_INPUT_MAX bytes before the NUL)
 * into its canonical form. Returns 0, or -1 if it is not a code (out is
 * then "").
 */
int crockford_normalise(const char *in, char out[CROCKFORD_CODE_LEN + 1]);

/* The canonical code in groups of four: "XXXX-XXXX-XXXX-XXXX" (20 bytes). */
void crockford_group(const char code[CROCKFORD_CODE_LEN + 1], char out[20]);

#endif
