/*
 * Unit tests for the operator's language (core/i18n, core/err): messages
 * in the catalog's language after i18n_init, English after i18n_off;
 * only LC_MESSAGES and LC_CTYPE follow the environment; a long message
 * is cut at a whole UTF-8 character.
 */
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/hs.h"
#include "core/i18n.h"
#include "core/util.h"
#include "t.h"

/* "学" (3 bytes) n times after k ASCII letters. */
static void
long_text(char *out, size_t k, size_t n)
{
	size_t i;

	for (i = 0; i < k; i++)
		*out++ = 'a';
	for (i = 0; i < n; i++) {
		memcpy(out, "\xE5\xAD\xA6", 3);
		out += 3;
	}
	*out = '\0';
}

static void
test_cut(void)
{
	char text[1024], err[HS_ERRLEN];
	size_t k, n;

	for (k = 0; k < 4; k++) {
		long_text(text, k, 300);
		hs_fail(err, HS_ERR_INVALID, "%s", text);
		n = strlen(err);
		T_OK(n < HS_ERRLEN && n > HS_ERRLEN - 4 &&
		    utf8_valid(err, n) && (n - k) % 3 == 0,
		    "hs_fail cuts %zu + 900 bytes at a whole character (%zu)",
		    k, n);
		hs_fail(err, HS_ERR_INVALID, "%s", text + k);
		hs_errprefix(err, "%.*s", (int)k, "xyz");
		n = strlen(err);
		T_OK(n < HS_ERRLEN && utf8_valid(err, n) &&
		    err[n - 1] == '~', "hs_errprefix (%zu) cuts at a whole "
		    "character and marks the cut (%zu)", k, n);
	}
}

static void
test_language(void)
{
	char exe[PATH_MAX], dir[PATH_MAX + 16], err[HS_ERRLEN], num[16];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	/* BUILD/tests/test_i18n: the catalogs are in BUILD/locale. */
	T_OK(len > 0, "where this program is");
	if (len <= 0)
		return;
	exe[len] = '\0';
	if ((slash = strrchr(exe, '/')) != NULL)
		*slash = '\0';
	snprintf(dir, sizeof(dir), "%s/../locale", exe);
	setenv("HOURSEAL_LOCALEDIR", dir, 1);
	unsetenv("LC_ALL");
	unsetenv("LC_MESSAGES");
	unsetenv("LANGUAGE");

	hs_fail(err, HS_ERR_INVALID, "required");
	T_STREQ(err, "required", "before i18n_init: English");
	setenv("LANG", "zh_CN.UTF-8", 1);
	i18n_init();
	hs_fail(err, HS_ERR_INVALID, "required");
	T_STREQ(err, "必填", "LANG=zh_CN.UTF-8: hs_fail speaks Chinese");
	hs_fail(err, HS_ERR_INVALID, "%s: more than %zu bytes", "a.csv",
	    (size_t)10);
	T_STREQ(err, "a.csv: 超过 10 字节", "  with its arguments");
	hs_fail(err, HS_ERR_INVALID, "%s: %zu of %zu rows rejected; "
	    "nothing imported (fix them, or use %s to import the rest)",
	    "bad.csv", (size_t)3, (size_t)12, "--skip-invalid FILE");
	T_STREQ(err, "bad.csv: 12 行中有 3 行被拒收；未导入任何记录（请修正，"
	    "或用 --skip-invalid FILE 导入其余行）",
	    "  numbered arguments in their Chinese order");
	T_STREQ(hs_strerror(HS_ERR_NOMEM), "内存不足", "  hs_strerror too");
	strcpy(err, "old");
	hs_errprefix(err, "policy");
	T_STREQ(err, "政策: old", "  hs_errprefix too");
	T_STREQ(setlocale(LC_NUMERIC, NULL), "C", "LC_NUMERIC stays C");
	T_STREQ(setlocale(LC_COLLATE, NULL), "C", "LC_COLLATE stays C");
	T_STREQ(setlocale(LC_TIME, NULL), "C", "LC_TIME stays C");
	snprintf(num, sizeof(num), "%.1f", 7.5);
	T_STREQ(num, "7.5", "numbers are formatted as in C");
	i18n_off();
	hs_fail(err, HS_ERR_INVALID, "required");
	T_STREQ(err, "required", "i18n_off: English again");
	T_STREQ(hs_strerror(HS_ERR_NOMEM), "out of memory", "  hs_strerror too");

	/* (where zh_CN.UTF-8 is not installed, the first i18n_init kept
	 * the language in LANGUAGE) */
	unsetenv("LANGUAGE");
	setenv("LANG", "fr_FR.UTF-8", 1);
	i18n_init();
	hs_fail(err, HS_ERR_INVALID, "required");
	T_STREQ(err, "required", "LANG=fr_FR.UTF-8 (no catalog): English");
}

int
main(void)
{
	test_cut();
	test_language();
	return t_done();
}
