#include <glob.h>
#include <limits.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/i18n.h"

#ifndef HS_LOCALEDIR
#define HS_LOCALEDIR "/usr/local/share/locale"
#endif

/* The locale the environment asks messages in, as setlocale reads it. */
static const char *
wanted(void)
{
	static const char *const vars[] = { "LC_ALL", "LC_MESSAGES", "LANG" };
	const char *v;
	size_t i;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if ((v = getenv(vars[i])) != NULL && *v != '\0')
			return v;
	return NULL;
}

static bool
is_dir(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* Whether dir holds a catalog of ours in any language. */
static bool
has_catalog(const char *dir)
{
	char pat[PATH_MAX + 64];
	glob_t g = { 0 };
	bool yes;

	if (snprintf(pat, sizeof(pat), "%s/*/LC_MESSAGES/" HS_TEXTDOMAIN
	    ".mo", dir) >= (int)sizeof(pat))
		return false;
	yes = glob(pat, GLOB_NOSORT, NULL, &g) == 0 && g.gl_pathc > 0;
	globfree(&g);
	return yes;
}

/* Where the catalogs are: see i18n.h. */
static void
locale_dir(char *out, size_t n)
{
	const char *e = getenv("HOURSEAL_LOCALEDIR");
	char exe[PATH_MAX], cand[PATH_MAX + 64], real[PATH_MAX], *slash;
	ssize_t len;

	if (e != NULL && *e != '\0' && strlen(e) < n) {
		memcpy(out, e, strlen(e) + 1);
		return;
	}
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len > 0) {
		exe[len] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL) {
			*slash = '\0';
			/* The build tree: build/VARIANT/locale. */
			if (snprintf(cand, sizeof(cand), "%s/locale", exe) <
			    (int)sizeof(cand) && is_dir(cand) &&
			    strlen(cand) < n) {
				memcpy(out, cand, strlen(cand) + 1);
				return;
			}
			/* Installed: PREFIX/bin/x finds PREFIX/share/locale. */
			if (snprintf(cand, sizeof(cand), "%s/../share/locale",
			    exe) < (int)sizeof(cand) &&
			    realpath(cand, real) != NULL &&
			    has_catalog(real) && strlen(real) < n) {
				memcpy(out, real, strlen(real) + 1);
				return;
			}
		}
	}
	snprintf(out, n, "%s", HS_LOCALEDIR);
}

void
i18n_init(void)
{
	const char *want = wanted();
	char dir[PATH_MAX], lang[64];
	size_t k;

	/* Never LC_ALL: LC_NUMERIC "C" keeps "7.5" in every file. */
	if (setlocale(LC_MESSAGES, "") == NULL) {
		/*
		 * The locale asked for is not installed (no locale-gen): keep
		 * its language through LANGUAGE, which gettext reads over any
		 * locale but "C", and read UTF-8 through C.UTF-8.
		 */
		if (want != NULL && strcmp(want, "C") != 0 &&
		    strcmp(want, "POSIX") != 0 &&
		    setlocale(LC_MESSAGES, "C.UTF-8") != NULL) {
			k = strcspn(want, ".@");
			if (k > 0 && k < sizeof(lang) &&
			    (getenv("LANGUAGE") == NULL ||
			    *getenv("LANGUAGE") == '\0')) {
				memcpy(lang, want, k);
				lang[k] = '\0';
				setenv("LANGUAGE", lang, 1);
			}
			setlocale(LC_CTYPE, "C.UTF-8");
		}
	} else if (setlocale(LC_CTYPE, "") == NULL)
		setlocale(LC_CTYPE, "C.UTF-8");
	locale_dir(dir, sizeof(dir));
	bindtextdomain(HS_TEXTDOMAIN, dir);
	textdomain(HS_TEXTDOMAIN);
	/*
	 * Load the catalog now: gettext opens it at the first lookup, and
	 * `serve` closes the filesystem to itself (Landlock) before it
	 * prints its last lines.
	 */
	(void)_("usage: ");
}

void
i18n_off(void)
{
	setlocale(LC_MESSAGES, "C");
}
