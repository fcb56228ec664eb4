/*
 * test_letter.c - pdf/pdf.h pdf_letters: one page per letter, the same
 * bytes for the same input, braces in names drawn as text, and hostile
 * values (control characters, invalid UTF-8, a bad public URL, a code
 * outside 0-9 A-Z, no letters) refused with the letter named and the
 * output left as it was.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "pdf/pdf.h"
#include "t.h"

static size_t
count(const struct buf *b, const char *needle)
{
	size_t n = 0, k = strlen(needle), i;

	for (i = 0; i + k <= b->len; i++)
		if (memcmp(b->data + i, needle, k) == 0)
			n++;
	return n;
}

int
main(void)
{
	struct pdf_renderer *r = NULL;
	char err[HS_ERRLEN] = "";
	struct pdf_letter l[2] = {
		{ "\xe6\x9d\x8e\xe5\x9b\x9b", "1101**********002X",
		  "\xe5\x8e\xa6\xe9\x97\xa8{x}}", "ABCDEFGH0123JKMN",
		  1800000000 },
		{ "{\xe8\xb5\xb5}\xe5\x85\xad", "3501**********1233", "",
		  "0123456789ABCDEF", 1800000000 },
	};
	struct buf a, b;
	size_t before;

	if (pdf_renderer_new(NULL, &r, err) != HS_OK) {
		printf("not ok - renderer: %s\n", err);
		return 1;
	}
	buf_init(&a);
	buf_init(&b);
	T_OK(pdf_letters(r, l, 2, "https://x.example.cn", "\xe5\x8d\x95\xe4"
	    "\xbd\x8d", &a, err) == HS_OK && a.len > 1000 &&
	    memcmp(a.data, "%PDF-", 5) == 0, "two letters render (%s)", err);
	T_OK(count(&a, "/Count 2") == 1 && count(&a, "/Type /Page") == 3,
	    "two pages (and one page tree)");
	T_OK(pdf_letters(r, l, 2, "https://x.example.cn", "\xe5\x8d\x95\xe4"
	    "\xbd\x8d", &b, err) == HS_OK && a.len == b.len &&
	    memcmp(a.data, b.data, a.len) == 0, "the same letters, the same "
	    "bytes");
	T_OK(count(&a, "ABCDEFGH0123JKMN") == 0, "the code is not in the "
	    "PDF as plain bytes (compressed content, subset glyphs)");

	before = a.len;
	l[1].name = "bad\x01name";
	T_OK(pdf_letters(r, l, 2, "https://x.example.cn", "O", &a, err) ==
	    HS_ERR_INVALID && strstr(err, "letter 2: name") != NULL &&
	    a.len == before, "control character in letter 2's name: %s", err);
	l[1].name = "\xff\xfe";
	T_OK(pdf_letters(r, l, 2, "https://x.example.cn", "O", &a, err) ==
	    HS_ERR_INVALID && a.len == before, "invalid UTF-8 refused");
	l[1].name = "ok";
	l[1].unit = "\x1b[2J";
	T_OK(pdf_letters(r, l, 2, "https://x.example.cn", "O", &a, err) ==
	    HS_ERR_INVALID && strstr(err, "letter 2: unit") != NULL,
	    "escape sequence in a unit refused");
	l[1].unit = "";
	l[1].code = "abcd";
	T_OK(pdf_letters(r, l, 2, "https://x.example.cn", "O", &a, err) ==
	    HS_ERR_INVALID && strstr(err, "letter 2: code") != NULL,
	    "lower-case code refused: %s", err);
	l[1].code = "ABCD-EFGH";
	T_OK(pdf_letters(r, l, 2, "https://x.example.cn", "O", &a, err) ==
	    HS_ERR_INVALID, "grouped code refused (the letter groups it)");
	l[1].code = "ABCD";
	T_OK(pdf_letters(r, l, 2, "https://x.example.cn/", "O", &a, err) ==
	    HS_ERR_INVALID, "public URL with a trailing / refused");
	T_OK(pdf_letters(r, l, 2, "javascript:alert(1)", "O", &a, err) ==
	    HS_ERR_INVALID, "public URL that is not http(s) refused");
	T_OK(pdf_letters(r, l, 2, "https://x.example.cn/a b", "O", &a, err)
	    == HS_ERR_INVALID, "public URL with a space refused");
	T_OK(pdf_letters(r, l, 0, "https://x.example.cn", "O", &a, err) ==
	    HS_ERR_INVALID, "no letters refused");
	T_OK(pdf_letters(r, l, 2, "https://x.example.cn", "a\nb", &a, err)
	    == HS_ERR_INVALID, "issuer with a newline refused");
	T_OK(a.len == before, "failures left the output as it was");
	buf_free(&a);
	buf_free(&b);
	pdf_renderer_free(r);
	return t_done();
}
