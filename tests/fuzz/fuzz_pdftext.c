/*
 * fuzz_pdftext.c - libFuzzer target for the page text reader
 * (pdftext.h): the input is split at its first NUL into a ToUnicode map
 * and a content stream. The map parses or is refused without a leak; the
 * content, read with that map as font /F1 (2-byte codes) and /F2 (1-byte),
 * never writes more than PDFTEXT_MAX (plus one run) of text; its text
 * compared with itself reads the same, and compared with the text of the
 * content's second half yields a NUL-terminated, bounded message.
 *
 * fuzz-sources: verifier/pdftext.c
 * fuzz-pkgs: zlib
 */
#include <stdlib.h>
#include <string.h>

#include "pdftext.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct pdftext_cmap *map;

static bool
font(void *ctx, const char *name, struct pdftext_font *f)
{
	(void)ctx;
	f->map = map;
	f->code_bytes = strcmp(name, "F1") == 0 ? 2 : 1;
	return strcmp(name, "F3") != 0;
}

static int
xobject(void *ctx, const char *name)
{
	(void)ctx;
	return name[0] == 'I' ? 0 : 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t mlen = nul != NULL ? (size_t)(nul - data) : 0;
	const char *content = (const char *)data + (nul != NULL ? mlen + 1 : 0);
	size_t clen = size - (nul != NULL ? mlen + 1 : 0);
	struct pdftext_cmap *m = NULL;
	struct pdftext_res res = { NULL, font, xobject };
	struct buf a, b, ops;
	char err[HS_ERRLEN], d[256];
	bool complete = true;

	if (pdftext_cmap_parse((const char *)data, mlen, &m, err) != HS_OK &&
	    m != NULL)
		abort();
	map = m;
	buf_init(&a);
	buf_init(&b);
	buf_init(&ops);
	pdftext_page(content, clen, &res, &a, &ops, &complete);
	if (a.len > PDFTEXT_MAX + 4 * clen + 2)
		abort();
	pdftext_page(content + clen / 2, clen - clen / 2, &res, &b, NULL,
	    &complete);
	if (!a.oom && !pdftext_compare(a.data != NULL ? a.data : "", a.len,
	    a.data != NULL ? a.data : "", a.len, d, sizeof(d)))
		abort();
	(void)pdftext_compare(b.data != NULL ? b.data : "", b.len,
	    a.data != NULL ? a.data : "", a.len, d, sizeof(d));
	if (strlen(d) >= sizeof(d))
		abort();
	buf_free(&a);
	buf_free(&b);
	buf_free(&ops);
	pdftext_cmap_free(m);
	return 0;
}
