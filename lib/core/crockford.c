/*
 * crockford.c - Crockford base32 codes (crockford.h).
 */
#include <string.h>

#include "core/crockford.h"

void
crockford_encode(const uint8_t in[CROCKFORD_CODE_BYTES],
    char out[CROCKFORD_CODE_LEN + 1])
{
	static const char a[] = CROCKFORD_ALPHABET;
	unsigned acc = 0, bits = 0;
	size_t i, o = 0;

	/* 80 bits are exactly 16 groups of five: no padding. */
	for (i = 0; i < CROCKFORD_CODE_BYTES; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[o++] = a[(acc >> bits) & 31];
		}
		acc &= (1u << bits) - 1;
	}
	out[o] = '\0';
}

/* The canonical character for a typed one, or 0 if there is none. */
static char
canon(char c)
{
	if (c >= 'a' && c <= 'z')
		c = (char)(c - 'a' + 'A');
	if (c == 'I' || c == 'L')
		return '1';
	if (c == 'O')
		return '0';
	if (c == 'U')
		return 0;
	if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))
		return c;
	return 0;
}

int
crockford_normalise(const char *in, char out[CROCKFORD_CODE_LEN + 1])
{
	size_t i, o = 0;

	out[0] = '\0';
	for (i = 0; in[i] != '\0'; i++) {
		char c;

		if (i >= CROCKFORD_INPUT_MAX)
			goto bad;
		if (in[i] == '-' || in[i] == ' ')
			continue;
		if ((c = canon(in[i])) == 0 || o >= CROCKFORD_CODE_LEN)
			goto bad;
		out[o++] = c;
	}
	if (o != CROCKFORD_CODE_LEN)
		goto bad;
	out[o] = '\0';
	return 0;
bad:
	out[0] = '\0';
	return -1;
}

void
crockford_group(const char code[CROCKFORD_CODE_LEN + 1], char out[20])
{
	size_t i, o = 0;

	for (i = 0; i < CROCKFORD_CODE_LEN && code[i] != '\0'; i++) {
		if (i > 0 && i % 4 == 0)
			out[o++] = '-';
		out[o++] = code[i];
	}
	out[o] = '\0';
}
