/*
 * idnum.h - resident ID numbers (居民身份证号码, GB 11643-1999).
 *
 * 18 characters: a 6-digit area code, the birth date YYYYMMDD, a 3-digit
 * sequence number and a check character 0-9 or X computed with
 * ISO 7064 MOD 11-2 over the first 17 digits.
 *
 * ID numbers are personal data: messages from this module never repeat
 * the number itself, only what is wrong with it.
 */
#ifndef HS_IDNUM_H
#define HS_IDNUM_H

#include "core/hs.h"

#define IDNUM_LEN 18
#define IDNUM_SIZE 19 /* IDNUM_LEN + NUL */

/*
 * The ISO 7064 MOD 11-2 check character ('0'..'9' or 'X') of the first
 * 17 characters of digits17, which must all be digits; 0 if they are not.
 */
char idnum_check_char(const char *digits17);

/*
 * Validates s as a GB 11643 ID number: exactly 18 characters, 17 digits
 * and a check character 0-9 or X (lowercase x accepted), a correct check
 * character, a real birth date from 1900-01-01 on and not after today
 * (days since 1970-01-01; pass -1 for the current UTC date).
 * On success writes the canonical form (uppercase X) to out and returns
 * HS_OK. Otherwise returns HS_ERR_INVALID and writes the reason to err
 * without the number, e.g. "wrong check character (expected 3)",
 * "must be 18 characters (got 17)", "impossible birth date 1980-02-30",
 * "birth date 2031-01-01 is in the future".
 */
enum hs_err idnum_validate(const char *s, long today, char out[IDNUM_SIZE],
    char *err);

/*
 * The masked form for certificates and public pages: the first 4 and the
 * last 4 characters kept, the 10 in between replaced by '*':
 * "3501**********123X". id must be 18 characters (a validated number);
 * anything else gives "******************".
 */
void idnum_mask(const char *id, char out[IDNUM_SIZE]);

#endif
