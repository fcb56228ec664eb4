#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cert/idnum.h"
#include "core/util.h"

char
idnum_check_char(const char *digits17)
{
	/* ISO 7064 MOD 11-2: weights 2^(17-i) mod 11, check maps
	 * (12 - sum mod 11) mod 11 to 0..9 or X. */
	static const int w[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10,
		5, 8, 4, 2 };
	static const char map[11] = { '1', '0', 'X', '9', '8', '7', '6', '5',
		'4', '3', '2' };
	int i, sum = 0;

	for (i = 0; i < 17; i++) {
		if (digits17[i] < '0' || digits17[i] > '9')
			return 0;
		sum += (digits17[i] - '0') * w[i];
	}
	return map[sum % 11];
}

enum hs_err
idnum_validate(const char *s, long today, char out[IDNUM_SIZE], char *err)
{
	char id[IDNUM_SIZE], date[11], want;
	size_t len = strlen(s);
	long birth;
	int i;

	out[0] = '\0';
	if (len != IDNUM_LEN)
		return hs_fail(err, HS_ERR_INVALID,
		    "must be 18 characters (got %zu)", len > 999 ? 999 : len);
	memcpy(id, s, IDNUM_SIZE);
	if (id[17] == 'x')
		id[17] = 'X';
	for (i = 0; i < 17; i++)
		if (id[i] < '0' || id[i] > '9')
			return hs_fail(err, HS_ERR_INVALID,
			    "character %d must be a digit", i + 1);
	if ((id[17] < '0' || id[17] > '9') && id[17] != 'X')
		return hs_fail(err, HS_ERR_INVALID,
		    "the check character must be 0-9 or X");
	if (id[0] == '0')
		return hs_fail(err, HS_ERR_INVALID,
		    "area code cannot start with 0");
	snprintf(date, sizeof(date), "%.4s-%.2s-%.2s", id + 6, id + 10,
	    id + 12);
	if (memcmp(id + 6, "1900", 4) < 0)
		return hs_fail(err, HS_ERR_INVALID,
		    "birth date %s is before 1900", date);
	if (date_parse(date, &birth) != 0)
		return hs_fail(err, HS_ERR_INVALID,
		    "impossible birth date %s", date);
	if (today < 0)
		today = (long)(time(NULL) / 86400);
	if (birth > today)
		return hs_fail(err, HS_ERR_INVALID,
		    "birth date %s is in the future", date);
	want = idnum_check_char(id);
	if (id[17] != want)
		return hs_fail(err, HS_ERR_INVALID,
		    "wrong check character (expected %c)", want);
	memcpy(out, id, IDNUM_SIZE);
	return HS_OK;
}

void
idnum_mask(const char *id, char out[IDNUM_SIZE])
{
	memset(out, '*', IDNUM_LEN);
	out[IDNUM_LEN] = '\0';
	if (id == NULL || strlen(id) != IDNUM_LEN)
		return;
	memcpy(out, id, 4);
	memcpy(out + 14, id + 14, 4);
}
