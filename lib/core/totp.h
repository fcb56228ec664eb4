/*
 * totp.h - RFC 4648 base32 and RFC 6238 time-based one-time passwords
 * (HMAC-SHA-1, 30-second steps, 6 digits), as authenticator apps and
 * `oathtool --totp -b SECRET` compute them.
 *
 * The secret is TOTP_SECRET_LEN random bytes; people type or scan it as
 * base32 (an otpauth:// URI in a QR code). A code is accepted for the
 * step of `now` and one step either side (clock drift); totp_verify
 * returns the step it matched, so the caller can refuse a step at or
 * below the last one used (no code is accepted twice).
 */
#ifndef HS_CORE_TOTP_H
#define HS_CORE_TOTP_H

#include <stddef.h>
#include <stdint.h>

#include "core/hs.h"

#define TOTP_SECRET_LEN 20 /* bytes: 160 bits, RFC 4226's recommendation */
#define TOTP_PERIOD     30 /* seconds per step */
#define TOTP_DIGITS     6
#define TOTP_WINDOW     1  /* steps accepted either side of now's */
/* Base32 of a TOTP_SECRET_LEN secret, no padding, plus the NUL. */
#define TOTP_B32_LEN    33
/* Bytes enough for totp_uri with a 64-code-point account name. */
#define TOTP_URI_MAX    1024

/* Base32 length (no padding) for n bytes, plus the NUL. */
#define B32_LEN(n) ((((n) * 8 + 4) / 5) + 1)

/*
 * RFC 4648 base32 of in[0..n), upper case, without '=' padding, into out
 * (cap bytes, NUL-terminated). Returns the characters written, or 0 if
 * out is too small (out is then "").
 */
size_t b32_encode(const uint8_t *in, size_t n, char *out, size_t cap);

/*
 * Decodes base32 text of at most 256 characters: letters in either case,
 * digits 2-7; spaces and hyphens between groups are skipped; trailing '='
 * padding is allowed. Bits left over at the end must be zero. Writes at
 * most cap bytes to out and the count to *n. HS_ERR_FORMAT (message in
 * err) for a bad character or leftover bits, HS_ERR_TOOBIG if the text
 * or the result is over its bound.
 */
enum hs_err b32_decode(const char *in, uint8_t *out, size_t cap, size_t *n,
    char *err);

/* The step number of Unix time now: floor(now / TOTP_PERIOD). */
int64_t totp_step(int64_t now);

/*
 * The HOTP value (RFC 4226 dynamic truncation, HMAC-SHA-1) of key for
 * counter step, reduced to digits decimal digits (6..8). Returns
 * HS_ERR_CRYPTO if OpenSSL fails, HS_ERR_INVALID for a bad digits or
 * an empty key.
 */
enum hs_err totp_code(const uint8_t *key, size_t keylen, int64_t step,
    int digits, uint32_t *code, char *err);

/*
 * Checks a TOTP_DIGITS-digit code typed by a person (exactly six ASCII
 * digits; one space in the middle, "123 456", is allowed) against the
 * steps totp_step(now) - TOTP_WINDOW .. + TOTP_WINDOW. On a match sets
 * *step to the matched step and returns HS_OK; the comparison runs over
 * every step in the window in constant time. HS_ERR_INVALID if the code
 * is malformed or does not match (err says which).
 */
enum hs_err totp_verify(const uint8_t *key, size_t keylen, const char *code,
    int64_t now, int64_t *step, char *err);

/*
 * The key URI authenticator apps scan:
 *   otpauth://totp/hourseal:NAME?secret=BASE32&issuer=hourseal
 * with NAME percent-encoded (RFC 3986 unreserved characters kept).
 * Writes it to out (cap bytes). HS_ERR_TOOBIG if it does not fit.
 */
enum hs_err totp_uri(const char *name, const uint8_t *key, size_t keylen,
    char *out, size_t cap, char *err);

#endif
