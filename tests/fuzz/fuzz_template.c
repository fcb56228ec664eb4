/*
 * fuzz_template.c - libFuzzer target for the template parser
 * (lib/pdf/template.c): any bytes as a template file, parsed without
 * fonts (the parser opens none; binding is not fuzzed, since it would open
 * the files a fuzzed template names). Any input must be handled without a
 * crash or a leak, and a result only on success.
 * Seeds in tests/fuzz/seeds/template/ (the shipped templates).
 * Build and run: tests/fuzz/run.sh 60 fuzz_template
 *
 * fuzz-sources: lib/pdf/template.c lib/pdf/bind.c lib/pdf/subset.c lib/pdf/font.c lib/pdf/pdfutil.c
 * fuzz-pkgs: harfbuzz harfbuzz-subset libdeflate
 */
#include <stdint.h>
#include <stdlib.h>

#include "pdf/pdf_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tpl *t = NULL;
	char err[HS_ERRLEN];
	enum hs_err rc;

	rc = pdf_tpl_parse("/nonexistent/hourseal-fuzz", "t.json",
	    (const char *)data, size, &t, err);
	if ((rc == HS_OK) != (t != NULL))
		abort();
	pdf_tpl_free(t);
	return 0;
}
