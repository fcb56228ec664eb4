/*
 * test_form.c - form-urlencoded bodies (lib/web/form.h): decoding, repeats,
 * bounds, and every malformed or hostile field refused with its name.
 */
#include <stdlib.h>
#include <string.h>

#include "web/form.h"
#include "t.h"

static enum hs_err
parse(const char *body, size_t max, struct form *f, char *err)
{
	form_free(f);
	return form_parse(body, strlen(body), max, f, err);
}

int
main(void)
{
	struct form f;
	char err[HS_ERRLEN] = "", *big;
	enum hs_err rc;
	size_t i;

	memset(&f, 0, sizeof(f));
	rc = parse("name=%E5%BC%A0+%E4%B8%89&role=hr&empty=&bare&csrf=a%2Bb", 0,
	    &f, err);
	T_OK(rc == HS_OK, "a form parses (%s)", err);
	T_STREQ(form_get(&f, "name"), "张 三", "%%XX and + decode");
	T_STREQ(form_get(&f, "role"), "hr", "a plain value");
	T_STREQ(form_get(&f, "empty"), "", "an empty value");
	T_STREQ(form_get(&f, "bare"), "", "a field without '=' is empty");
	T_STREQ(form_get(&f, "csrf"), "a+b", "%%2B is a plus");
	T_OK(form_get(&f, "nosuch") == NULL, "a missing field is NULL");

	rc = parse("id=1&id=2&&id=3&x=y", 0, &f, err);
	T_OK(rc == HS_OK && form_count(&f, "id") == 3, "repeated fields counted");
	T_STREQ(form_nth(&f, "id", 2), "3", "the third of them");
	T_OK(form_nth(&f, "id", 3) == NULL, "no fourth");
	T_OK(parse("", 0, &f, err) == HS_OK && f.n == 0, "an empty body");

	T_OK(parse("a=%G1", 0, &f, err) == HS_ERR_FORMAT &&
	    strstr(err, "a:") != NULL, "a bad %%-escape: refused, field named (%s)",
	    err);
	T_OK(parse("abc=x%4", 0, &f, err) == HS_ERR_FORMAT, "a cut %%-escape");
	T_OK(parse("abc=x%", 0, &f, err) == HS_ERR_FORMAT, "a lone %%");
	T_OK(parse("note=a%00b", 0, &f, err) == HS_ERR_FORMAT &&
	    strstr(err, "note: a NUL") != NULL, "a NUL byte (%s)", err);
	T_OK(parse("note=a%1Bb", 0, &f, err) == HS_ERR_FORMAT &&
	    strstr(err, "control") != NULL, "an escape character (%s)", err);
	T_OK(parse("note=a%0D%0Ab%09c", 0, &f, err) == HS_OK,
	    "CR, LF and tab are text");
	T_OK(parse("org=%FF%FE", 0, &f, err) == HS_ERR_FORMAT &&
	    strstr(err, "org: not valid UTF-8") != NULL, "invalid UTF-8 (%s)",
	    err);
	T_OK(parse("org=%C0%AF", 0, &f, err) == HS_ERR_FORMAT,
	    "an overlong encoding");
	T_OK(parse("=x", 0, &f, err) == HS_ERR_FORMAT, "a field without a name");
	T_OK(parse("%3Cscript%3E=1", 0, &f, err) == HS_OK &&
	    form_get(&f, "<script>") != NULL,
	    "markup in a name is just bytes (the pages escape)");
	T_OK(parse("a%00=1", 0, &f, err) == HS_ERR_FORMAT, "a NUL in a name");
	T_OK(parse("name=%27%3B+DROP+TABLE+accounts%3B--", 0, &f, err) ==
	    HS_OK && strcmp(form_get(&f, "name"),
	    "'; DROP TABLE accounts;--") == 0, "SQL is only text");

	T_OK(parse("a=1&b=2&c=3", 2, &f, err) == HS_ERR_TOOBIG,
	    "more fields than max: refused (%s)", err);
	T_OK(parse("a=1&b=2", 2, &f, err) == HS_OK, "max fields exactly");
	big = malloc(FORM_VALUE_MAX + 16);
	memcpy(big, "v=", 2);
	for (i = 0; i < FORM_VALUE_MAX + 1; i++)
		big[2 + i] = 'x';
	big[2 + FORM_VALUE_MAX + 1] = '\0';
	T_OK(parse(big, 0, &f, err) == HS_ERR_TOOBIG && strstr(err, "v:"),
	    "a value over %d bytes (%s)", FORM_VALUE_MAX, err);
	big[2 + FORM_VALUE_MAX] = '\0';
	T_OK(parse(big, 0, &f, err) == HS_OK, "a value of exactly the bound");
	for (i = 0; i < FORM_NAME_MAX + 1; i++)
		big[i] = 'n';
	strcpy(big + FORM_NAME_MAX + 1, "=1");
	T_OK(parse(big, 0, &f, err) == HS_ERR_TOOBIG, "a name over %d bytes",
	    FORM_NAME_MAX);
	free(big);
	/* Not NUL-terminated: the length is the bound. */
	form_free(&f);
	T_OK(form_parse("a=12345", 4, 0, &f, err) == HS_OK &&
	    strcmp(form_get(&f, "a"), "12") == 0, "len bounds the body");
	form_free(&f);
	form_free(&f);
	return t_done();
}
