/*
 * fuzz_form.c - libFuzzer target for form_parse, which every console POST
 * body goes through before a handler sees it. Any input must be handled
 * without a crash or a leak; a parsed form's names and values are valid
 * UTF-8 without NUL or control characters (but tab, CR, LF), within the
 * bounds.
 *
 * fuzz-layers: core
 * fuzz-sources: lib/web/form.c
 */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "web/form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const char *s, size_t n, size_t max)
{
	size_t i;

	if (n > max || strlen(s) != n || !utf8_valid(s, n))
		abort();
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') ||
		    c == 0x7f)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct form f;
	char err[HS_ERRLEN];
	size_t i;

	if (form_parse((const char *)data, size, 64, &f, err) == HS_OK) {
		if (f.n > 64)
			abort();
		for (i = 0; i < f.n; i++) {
			check(f.f[i].name, strlen(f.f[i].name), FORM_NAME_MAX);
			check(f.f[i].value, f.f[i].len, FORM_VALUE_MAX);
			if (form_get(&f, f.f[i].name) == NULL)
				abort();
		}
	}
	form_free(&f);
	return 0;
}
