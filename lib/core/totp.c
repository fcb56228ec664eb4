/*
 * totp.c - this module encodes and decodes base32 (RFC 4648 §6) and
 * computes and checks TOTP codes (RFC 6238 over RFC 4226's HOTP with
 * HMAC-SHA-1) for staff sign-in.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/totp.h"

static const char b32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

#define B32_MAX_TEXT 256

size_t
b32_encode(const uint8_t *in, size_t n, char *out, size_t cap)
{
	size_t need = (n * 8 + 4) / 5, i, o = 0;
	uint32_t acc = 0;
	int bits = 0;

	if (cap == 0)
		return 0;
	out[0] = '\0';
	if (need + 1 > cap)
		return 0;
	for (i = 0; i < n; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[o++] = b32_alphabet[(acc >> bits) & 31];
		}
		acc &= (1u << bits) - 1;
	}
	if (bits > 0)
		out[o++] = b32_alphabet[(acc << (5 - bits)) & 31];
	out[o] = '\0';
	return o;
}

static int
b32_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

enum hs_err
b32_decode(const char *in, uint8_t *out, size_t cap, size_t *n, char *err)
{
	size_t len = strnlen(in, B32_MAX_TEXT + 1), i, o = 0, end = len;
	uint32_t acc = 0;
	int bits = 0, v;

	*n = 0;
	if (len > B32_MAX_TEXT)
		return hs_fail(err, HS_ERR_TOOBIG, "base32: more than %d "
		    "characters", B32_MAX_TEXT);
	/* '=' padding only at the end. */
	while (end > 0 && in[end - 1] == '=')
		end--;
	for (i = 0; i < end; i++) {
		if (in[i] == ' ' || in[i] == '-')
			continue;
		if ((v = b32_value(in[i])) < 0)
			return hs_fail(err, HS_ERR_FORMAT, "base32: character "
			    "%zu is not a base32 letter or digit", i + 1);
		acc = (acc << 5) | (uint32_t)v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			if (o >= cap)
				return hs_fail(err, HS_ERR_TOOBIG, "base32: "
				    "more than %zu bytes", cap);
			out[o++] = (uint8_t)(acc >> bits);
		}
		acc &= (1u << bits) - 1;
	}
	/* What is left must be padding bits of zero, fewer than 5. */
	if (bits >= 5 || acc != 0)
		return hs_fail(err, HS_ERR_FORMAT, "base32: the length or "
		    "the last character is wrong (leftover bits)");
	*n = o;
	return HS_OK;
}

int64_t
totp_step(int64_t now)
{
	/* floor division: steps before 1970 stay ordered */
	return now >= 0 ? now / TOTP_PERIOD
	    : -((-now + TOTP_PERIOD - 1) / TOTP_PERIOD);
}

enum hs_err
totp_code(const uint8_t *key, size_t keylen, int64_t step, int digits,
    uint32_t *code, char *err)
{
	static const uint32_t mod[] = { 1000000, 10000000, 100000000 };
	uint8_t msg[8], mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	uint64_t c = (uint64_t)step;
	uint32_t bin;
	int i, off;

	*code = 0;
	if (digits < 6 || digits > 8)
		return hs_fail(err, HS_ERR_INVALID, "totp: %d digits (6..8)",
		    digits);
	if (keylen == 0 || keylen > 64)
		return hs_fail(err, HS_ERR_INVALID, "totp: key of %zu bytes",
		    keylen);
	for (i = 7; i >= 0; i--) {
		msg[i] = (uint8_t)c;
		c >>= 8;
	}
	if (HMAC(EVP_sha1(), key, (int)keylen, msg, sizeof msg, mac,
	    &maclen) == NULL || maclen != 20)
		return hs_fail(err, HS_ERR_CRYPTO, "totp: HMAC-SHA-1 failed");
	/* RFC 4226 §5.3 dynamic truncation */
	off = mac[19] & 0x0f;
	bin = ((uint32_t)(mac[off] & 0x7f) << 24) |
	    ((uint32_t)mac[off + 1] << 16) | ((uint32_t)mac[off + 2] << 8) |
	    (uint32_t)mac[off + 3];
	*code = bin % mod[digits - 6];
	OPENSSL_cleanse(mac, sizeof mac);
	return HS_OK;
}

enum hs_err
totp_verify(const uint8_t *key, size_t keylen, const char *code,
    int64_t now, int64_t *step, char *err)
{
	char typed[TOTP_DIGITS + 1], want[TOTP_DIGITS + 1];
	size_t i, k = 0, len = strnlen(code, 16);
	int64_t base = totp_step(now), s, found = 0;
	uint32_t v;
	int match = 0;
	enum hs_err rc;

	*step = 0;
	/* six digits; one space after the third is how apps show them */
	for (i = 0; i < len; i++) {
		if (code[i] == ' ' && i == 3 && len == TOTP_DIGITS + 1)
			continue;
		if (code[i] < '0' || code[i] > '9' || k >= TOTP_DIGITS)
			return hs_fail(err, HS_ERR_INVALID, "code: six digits "
			    "expected");
		typed[k++] = code[i];
	}
	if (k != TOTP_DIGITS)
		return hs_fail(err, HS_ERR_INVALID, "code: six digits "
		    "expected");
	typed[k] = '\0';
	/* every step of the window is computed and compared */
	for (s = base - TOTP_WINDOW; s <= base + TOTP_WINDOW; s++) {
		if ((rc = totp_code(key, keylen, s, TOTP_DIGITS, &v, err))
		    != HS_OK)
			return rc;
		snprintf(want, sizeof want, "%06u", (unsigned)v);
		if (CRYPTO_memcmp(want, typed, TOTP_DIGITS) == 0 && !match) {
			match = 1;
			found = s;
		}
	}
	OPENSSL_cleanse(want, sizeof want);
	if (!match)
		return hs_fail(err, HS_ERR_INVALID, "code: wrong or expired");
	*step = found;
	return HS_OK;
}

enum hs_err
totp_uri(const char *name, const uint8_t *key, size_t keylen, char *out,
    size_t cap, char *err)
{
	char secret[B32_LEN(64)];
	size_t o = 0, i;
	int n;

	if (cap == 0)
		return hs_fail(err, HS_ERR_TOOBIG, "totp uri: no room");
	out[0] = '\0';
	if (keylen > 64 || b32_encode(key, keylen, secret, sizeof secret) == 0)
		return hs_fail(err, HS_ERR_INVALID, "totp uri: bad key");
	n = snprintf(out, cap, "otpauth://totp/hourseal:");
	if (n < 0 || (size_t)n >= cap)
		goto toobig;
	o = (size_t)n;
	/* percent-encode every byte outside RFC 3986's unreserved set */
	for (i = 0; name[i] != '\0'; i++) {
		unsigned char c = (unsigned char)name[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~') {
			if (o + 1 >= cap)
				goto toobig;
			out[o++] = (char)c;
		} else {
			if (o + 3 >= cap)
				goto toobig;
			snprintf(out + o, 4, "%%%02X", c);
			o += 3;
		}
	}
	n = snprintf(out + o, cap - o, "?secret=%s&issuer=hourseal", secret);
	OPENSSL_cleanse(secret, sizeof secret);
	if (n < 0 || (size_t)n >= cap - o)
		goto toobig;
	return HS_OK;
toobig:
	OPENSSL_cleanse(out, cap);
	out[0] = '\0';
	return hs_fail(err, HS_ERR_TOOBIG, "totp uri: longer than %zu bytes",
	    cap - 1);
}
