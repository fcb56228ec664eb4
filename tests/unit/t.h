/*
 * t.h - the tiny test harness used by tests/unit/test_*.c.
 *
 * Each check prints "ok - what" or "not ok - what (file:line)"; tests/run.sh
 * counts those lines. main() returns t_done(), nonzero if anything failed.
 */
#ifndef T_H
#define T_H

#include <stdio.h>
#include <string.h>

static int t_failed, t_passed;

#define T_OK(cond, ...) do {						\
	int t_c_ = !!(cond); /* evaluated once: cond may have effects */ \
	if (t_c_) {							\
		t_passed++;						\
		printf("ok - ");					\
	} else {							\
		t_failed++;						\
		printf("not ok - ");					\
	}								\
	printf(__VA_ARGS__);						\
	if (!t_c_)							\
		printf(" (%s:%d)", __FILE__, __LINE__);			\
	printf("\n");							\
	fflush(stdout);							\
} while (0)

#define T_STREQ(got, want, ...) do {					\
	const char *t_g_ = (got), *t_w_ = (want);			\
	int t_eq_ = t_g_ != NULL && t_w_ != NULL && strcmp(t_g_, t_w_) == 0; \
	T_OK(t_eq_, __VA_ARGS__);					\
	if (!t_eq_)							\
		printf("#   got  \"%s\"\n#   want \"%s\"\n",		\
		    t_g_ ? t_g_ : "(null)", t_w_ ? t_w_ : "(null)");	\
} while (0)

static inline int
t_done(void)
{
	return t_failed != 0;
}

#endif
