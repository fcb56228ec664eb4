/*
 * fuzz_scan.c - libFuzzer target for the image decoders behind the QR
 * reader (scan.h): any input, taken as a JPEG or PNG file (its first byte
 * choosing which when it is neither), is decoded or refused without a
 * crash or a leak, and a budget is never overspent by more than one
 * image's worth of SCAN_WORK_PIXELS.
 *
 * fuzz-sources: verifier/scan.c
 * fuzz-pkgs: zbar libjpeg libpng
 */
#include <stdlib.h>
#include <string.h>

#include "scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t jpg[] = { 0xff, 0xd8, 0xff };
	static const uint8_t png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a,
	    '\n' };
	struct pdfin_budget b;
	char text[SCAN_TEXT_MAX], err[HS_ERRLEN];
	uint8_t *buf;
	size_t n;

	if (size == 0)
		return 0;
	if (scan_kind(data, size) != SCAN_NONE) {
		buf = malloc(size);
		memcpy(buf, data, size);
		n = size;
	} else {
		const uint8_t *magic = data[0] & 1 ? jpg : png;
		size_t ml = data[0] & 1 ? sizeof(jpg) : sizeof(png);

		n = ml + size - 1;
		buf = malloc(n);
		memcpy(buf, magic, ml);
		memcpy(buf + ml, data + 1, size - 1);
	}
	/* pdfin_budget_init is in pdfin.c, not linked here. */
	b.limit = 4u << 20;
	b.used = 0;
	(void)scan_image(buf, n, &b, text, sizeof(text), err);
	if (b.used > b.limit + 2ull * SCAN_WORK_PIXELS + 100000 ||
	    strlen(text) >= sizeof(text))
		abort();
	free(buf);
	return 0;
}
