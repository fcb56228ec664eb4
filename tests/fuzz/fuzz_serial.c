/*
 * fuzz_serial.c - libFuzzer target for serial_parse, the forgiving serial
 * reader every /c/<serial> and batch line goes through before any
 * database access. Any input must be handled; a serial that parses must
 * be canonical (24 bytes, dashes in place, Crockford alphabet) and must
 * parse again to itself.
 */
#include <stdlib.h>
#include <string.h>

#include "cert/serial.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[80], out[SERIAL_SIZE], again[SERIAL_SIZE];
	size_t n = size < sizeof(in) - 1 ? size : sizeof(in) - 1, i;

	memcpy(in, data, n);
	in[n] = '\0';
	if (serial_parse(in, out, NULL) != HS_OK)
		return 0;
	if (strlen(out) != SERIAL_LEN)
		abort();
	for (i = 0; i < SERIAL_LEN; i++) {
		if (i == 4 || i == 9 || i == 14 || i == 19) {
			if (out[i] != '-')
				abort();
		} else if (i > 4 && strchr("0123456789ABCDEFGHJKMNPQRSTVWXYZ",
		    out[i]) == NULL) {
			abort();
		}
	}
	if (serial_parse(out, again, NULL) != HS_OK ||
	    strcmp(out, again) != 0)
		abort();
	return 0;
}
