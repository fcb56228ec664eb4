/* Unit tests for idnum.c: GB 11643 ID numbers. */
#include <string.h>

#include "cert/idnum.h"
#include "core/util.h"
#include "t.h"

static void
test_validate(void)
{
	/* today = 2026-11-23 so that "in the future" does not drift. */
	static const struct {
		const char *in, *want, *err;
	} rows[] = {
		{ "350102198001011233", "350102198001011233", NULL },
		{ "11010519491231002X", "11010519491231002X", NULL },
		{ "11010519491231002x", "11010519491231002X", NULL },
		{ "440524188001010014", NULL,
		    "birth date 1880-01-01 is before 1900" },
		{ "350102198001011234", NULL,
		    "wrong check character (expected 3)" },
		{ "110105194912310021", NULL,
		    "wrong check character (expected X)" },
		{ "35010219800101123", NULL, "must be 18 characters (got 17)" },
		{ "3501021980010112333", NULL,
		    "must be 18 characters (got 19)" },
		{ "", NULL, "must be 18 characters (got 0)" },
		{ "35010219800230123X", NULL,
		    "impossible birth date 1980-02-30" },
		{ "350102198013011233", NULL,
		    "impossible birth date 1980-13-01" },
		{ "35010220200229123X", "35010220200229123X", NULL }, /* leap day */
		{ "350102202102291230", NULL,
		    "impossible birth date 2021-02-29" },
		{ "350102202611240008", NULL,
		    "birth date 2026-11-24 is in the future" },
		{ "35010219800101123A", NULL,
		    "the check character must be 0-9 or X" },
		{ "3501021980O101123X", NULL, "character 11 must be a digit" },
		{ "050102198001011233", NULL, "area code cannot start with 0" },
		{ "35010219800101 233", NULL, "character 15 must be a digit" },
	};
	char out[IDNUM_SIZE], err[HS_ERRLEN], today_s[] = "2026-11-23";
	long today;
	size_t i;
	enum hs_err rc;

	date_parse(today_s, &today);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		err[0] = '\0';
		rc = idnum_validate(rows[i].in, today, out, err);
		if (rows[i].err == NULL) {
			T_OK(rc == HS_OK, "valid %s", rows[i].in);
			T_STREQ(out, rows[i].want, "canonical %s", rows[i].in);
		} else {
			T_OK(rc == HS_ERR_INVALID, "rejects %s", rows[i].in);
			T_STREQ(err, rows[i].err, "message for %s",
			    rows[i].in);
		}
	}
	/* Error messages never repeat the number. */
	idnum_validate("350102198001011234", today, out, err);
	T_OK(strstr(err, "35010219800101123") == NULL,
	    "message does not leak the number");
}

static void
test_check_char(void)
{
	static const struct {
		const char *in;
		char want;
	} rows[] = {
		{ "11010519491231002", 'X' }, { "35010219800101123", '3' },
		{ "44052418800101001", '4' }, { "35010219900307123", '4' },
		{ "3501021990030712a", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		T_OK(idnum_check_char(rows[i].in) == rows[i].want,
		    "check character of %s", rows[i].in);
}

static void
test_mask(void)
{
	char out[IDNUM_SIZE];

	idnum_mask("35010219800101123X", out);
	T_STREQ(out, "3501**********123X", "mask keeps first and last 4");
	idnum_mask("123", out);
	T_STREQ(out, "******************", "mask of a bad number hides all");
}

int
main(void)
{
	test_validate();
	test_check_char();
	test_mask();
	return t_done();
}
