/*
 * fuzz_pades.c - libFuzzer target for pades_verify (pdf/pades.h) and
 * pades_layout: any input is handled without a crash; pades_verify
 * answers one of its states, and a VALID one's byte ranges lie inside
 * the input.
 * fuzz-sources: lib/pdf/pades.c
 */
#include <stdlib.h>
#include <string.h>

#include "pdf/pades.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pades_info pi;
	struct buf b;
	size_t hole;

	if (pades_verify(data, size, &pi, NULL) == HS_OK &&
	    pi.state == PADES_VALID && (pi.signed_end != size ||
	    pi.hole + pi.hexlen + 2 > size))
		abort();
	buf_init(&b);
	(void)pades_layout(data, size, 0, 64, &b, &hole, NULL);
	buf_free(&b);
	return 0;
}
