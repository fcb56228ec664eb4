/*
 * fuzz_cert.c - libFuzzer target for cert_decode. Any input must be
 * handled without a crash, and whatever decodes must encode back to the
 * very same bytes (the codec is lossless both ways).
 */
#include <stdlib.h>
#include <string.h>

#include "cert/cert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cert c;
	struct buf b;

	if (cert_decode((const char *)data, size, &c, NULL) != HS_OK)
		return 0;
	buf_init(&b);
	if (cert_encode(&c, &b, NULL) != HS_OK || b.len != size ||
	    memcmp(b.data, data, size) != 0)
		abort();
	buf_free(&b);
	cert_free(&c);
	return 0;
}
