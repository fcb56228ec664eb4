#include <stdio.h>
#include <string.h>

#include "cert/serial.h"
#include "core/util.h"

static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

enum hs_err
serial_new(int year, char out[SERIAL_SIZE])
{
	uint8_t r[10];
	uint32_t acc = 0;
	int bits = 0, k = 0;
	char sym[16];
	size_t i;

	if (year < 1000 || year > 9999)
		return HS_ERR_INVALID;
	if (random_bytes(r, sizeof(r)) != HS_OK)
		return HS_ERR_IO;
	for (i = 0; i < sizeof(r); i++) {
		acc = acc << 8 | r[i];
		bits += 8;
		while (bits >= 5) {
			sym[k++] = crockford[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	snprintf(out, SERIAL_SIZE, "%04d-%.4s-%.4s-%.4s-%.4s", year, sym,
	    sym + 4, sym + 8, sym + 12);
	return HS_OK;
}

enum hs_err
serial_parse(const char *in, char out[SERIAL_SIZE], char *err)
{
	char c, s[20];
	size_t n = 0, i;

	for (i = 0; in[i] != '\0'; i++) {
		if (i >= 64)
			return hs_fail(err, HS_ERR_INVALID, "serial is too long");
		c = in[i];
		if (c == '-' || c == ' ')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c == 'O')
			c = '0';
		else if (c == 'I' || c == 'L')
			c = '1';
		if (n < 4) {
			if (c < '0' || c > '9')
				return hs_fail(err, HS_ERR_INVALID,
				    "serial must start with a four-digit year");
		} else if (c == '\0' || strchr(crockford, c) == NULL)
			return hs_fail(err, HS_ERR_INVALID,
			    "serial has a character that is not allowed");
		if (n >= sizeof(s))
			return hs_fail(err, HS_ERR_INVALID,
			    "serial is too long (a year and 16 characters)");
		s[n++] = c;
	}
	if (n != sizeof(s))
		return hs_fail(err, HS_ERR_INVALID,
		    "serial is too short (a year and 16 characters)");
	snprintf(out, SERIAL_SIZE, "%.4s-%.4s-%.4s-%.4s-%.4s", s, s + 4, s + 8,
	    s + 12, s + 16);
	return HS_OK;
}

int
serial_year(const char *serial)
{
	return (serial[0] - '0') * 1000 + (serial[1] - '0') * 100 +
	    (serial[2] - '0') * 10 + (serial[3] - '0');
}
