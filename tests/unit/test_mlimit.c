/*
 * test_mlimit.c - the per-certificate ID-match limit: N attempts a day
 * for one serial, then refused until the next UTC day; other serials are
 * counted apart; trying a great many other serials neither resets a
 * serial's count nor refuses a fresh serial.
 */
#include <stdio.h>
#include <stdlib.h>

#include "mlimit.h"
#include "t.h"

int
main(void)
{
	struct mlimit *m = NULL;
	char err[HS_ERRLEN], s[40];
	unsigned left = 99, reset = 0, i, ok10 = 0, lefts_ok = 1, refused;
	int64_t t = 1765000000; /* 2025-12-06T05:46:40Z */

	T_OK(mlimit_new(0, &m, err) == HS_ERR_INVALID && m == NULL,
	    "a limit of 0 is refused: %s", err);
	T_OK(mlimit_new(10, &m, err) == HS_OK && m != NULL, "limit of 10");
	T_OK(mlimit_per_day(m) == 10, "per_day is 10");
	for (i = 0; i < 10; i++) {
		ok10 += mlimit_take(m, "2024-AAAA-BBBB-CCCC-DDDD", t + i,
		    &left, &reset);
		lefts_ok &= left == 9 - i;
	}
	T_OK(ok10 == 10, "ten attempts allowed");
	T_OK(lefts_ok, "attempts left count down 9..0");
	T_OK(reset == 86400 - (unsigned)((t + 9) % 86400),
	    "resets at the next 00:00 UTC (%u s)", reset);
	T_OK(!mlimit_take(m, "2024-AAAA-BBBB-CCCC-DDDD", t + 20, &left,
	    &reset) && left == 0, "the eleventh is refused");
	T_OK(mlimit_take(m, "2024-AAAA-BBBB-CCCC-DDDE", t + 20, &left,
	    &reset) && left == 9, "another serial has its own ten");
	/* 200,000 other serials, once each. */
	refused = 0;
	for (i = 0; i < 200000; i++) {
		snprintf(s, sizeof(s), "2024-X%07u", i);
		refused += !mlimit_take(m, s, t + 30, &left, &reset);
	}
	T_OK(refused == 0, "200,000 other serials tried once: none refused");
	T_OK(!mlimit_take(m, "2024-AAAA-BBBB-CCCC-DDDD", t + 40, &left,
	    &reset), "and the first serial is still refused (not reset)");
	T_OK(mlimit_take(m, "2024-AAAA-BBBB-CCCC-DDDD", t + reset + 40,
	    &left, &reset) && left == 9, "the next day: allowed, 9 left");
	mlimit_free(m);
	mlimit_free(NULL);
	return t_done();
}
