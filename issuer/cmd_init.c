/*
 * hourseal-issuer init DIR: a new data directory (config, pepper, database).
 *
 * No silent defaults (issue 17): the issuing authority's name (--issuer),
 * the public verification URL (--base-url) and the policy (--policy) are
 * what every certificate prints and links to, so init asks for each one
 * missing when stdin is a terminal and otherwise refuses, naming them.
 * The URL must be https, or http only for this machine (localhost,
 * 127.0.0.1, [::1]) with a warning. --origin defaults to the URL's host
 * and path (printed); --tz to Asia/Shanghai.
 */
#include <ctype.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "core/i18n.h"
#include "store/config.h"
#include "cert/policy.h"
#include "core/util.h"

struct args {
	struct config c; /* the options; config_init fills the rest */
	const char *dir;
};

/* Copies s into out (size n); -1 if it does not fit. */
static int
set(char *out, size_t n, const char *s)
{
	return snprintf(out, n, "%s", s) < (int)n ? 0 : -1;
}

#define SET(field) set(cp->field, sizeof(cp->field), optarg)

static int
parse(const struct cmd *x, int argc, char **argv, void *args)
{
	struct args *a = args;
	static const struct option opts[] = {
		{ "issuer", required_argument, NULL, 'i' },
		{ "origin", required_argument, NULL, 'o' },
		{ "base-url", required_argument, NULL, 'u' },
		{ "policy", required_argument, NULL, 'p' },
		{ "keys", required_argument, NULL, 'k' },
		{ "templates", required_argument, NULL, 't' },
		{ "tz", required_argument, NULL, 'z' },
		{ NULL, 0, NULL, 0 },
	};
	struct config *cp = &a->c;
	int ch, bad = 0;
	bool tz_given = false;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'i': bad |= SET(issuer); break;
		case 'o': bad |= SET(origin); break;
		case 'u': bad |= SET(base_url); break;
		case 'p': bad |= SET(policy); break;
		case 'k': bad |= SET(keys_dir); break;
		case 't': bad |= SET(templates_dir); break;
		case 'z': bad |= SET(time_zone); tz_given = true; break;
		default: return CMD_USAGE;
		}
	}
	if (bad) {
		cmd_say(x, "an option is too long");
		return 2;
	}
	if (tz_given && cp->time_zone[0] == '\0') {
		cmd_say(x, "--tz: empty; give a zone such as Asia/Shanghai");
		return 2;
	}
	if (optind + 1 == argc)
		a->dir = argv[optind];
	else if (optind == argc && x->data_dir != NULL)
		a->dir = x->data_dir; /* hourseal-issuer --data DIR init */
	else
		return CMD_USAGE;
	return 0;
}

/* Reads one line from stdin after prompt into out; -1 at EOF/too long. */
static int
ask(const char *prompt, char *out, size_t n)
{
	size_t len;

	fprintf(stderr, "%s: ", prompt);
	fflush(stderr);
	if (fgets(out, (int)n, stdin) == NULL)
		return -1;
	len = strlen(out);
	if (len > 0 && out[len - 1] == '\n')
		out[--len] = '\0';
	else if (!feof(stdin))
		return -1;
	while (len > 0 && isspace((unsigned char)out[len - 1]))
		out[--len] = '\0';
	return 0;
}

/*
 * The public verification URL: https://HOST[/PATH], or http:// only for
 * this machine (then *local). Returns NULL or what is wrong.
 */
static const char *
url_problem(const char *u, bool *local)
{
	const char *h, *e;
	size_t hl;

	*local = false;
	if (strncmp(u, "https://", 8) == 0)
		h = u + 8;
	else if (strncmp(u, "http://", 7) == 0)
		h = u + 7;
	else
		return N_("must start with https:// (the address people's "
		    "phones open from the QR code)");
	for (e = u; *e; e++)
		if ((unsigned char)*e <= ' ' || (unsigned char)*e >= 0x7f ||
		    *e == '"' || *e == '<' || *e == '>' || *e == '\\' ||
		    *e == '?' || *e == '#')
			return N_("must be printable ASCII without spaces, "
			    "quotes, '?' or '#'");
	hl = strcspn(h, "/");
	if (hl == 0)
		return N_("has no host name");
	if (strchr(u, '@') != NULL)
		return N_("must not hold a user name or password ('@')");
	if ((hl == 9 && strncmp(h, "localhost", 9) == 0) ||
	    (hl >= 10 && strncmp(h, "localhost:", 10) == 0) ||
	    (hl >= 9 && strncmp(h, "127.0.0.1", 9) == 0 &&
	    (hl == 9 || h[9] == ':')) ||
	    (hl >= 5 && strncmp(h, "[::1]", 5) == 0 &&
	    (hl == 5 || h[5] == ':')))
		*local = true;
	if (strncmp(u, "http://", 7) == 0 && !*local)
		return N_("must use https:// (http:// only for localhost, for "
		    "trying hourseal out)");
	return NULL;
}

/* The default origin: the URL's host and path ("verify.example.cn/fj"). */
static void
origin_from(const char *u, char *out, size_t n)
{
	const char *h = strstr(u, "://") + 3;
	size_t len = strlen(h);

	while (len > 0 && h[len - 1] == '/')
		len--;
	snprintf(out, n, "%.*s", (int)len, h);
}

static int
run(struct cmd *x, void *args)
{
	struct args *a = args;
	struct config c = a->c;
	struct policy *pol = NULL;
	char err[HS_ERRLEN] = "", path[PATH_MAX], cwd[PATH_MAX], tdef[PATH_MAX];
	const char *dir = a->dir, *tdir;
	int rc = 2;

	bool tty = isatty(STDIN_FILENO), local;
	const char *why;

	/* No silent defaults: ask a person at a terminal, else refuse. */
	if (tty && c.issuer[0] == '\0' &&
	    (ask(_("issuing authority's name, printed on every certificate "
	    "(e.g. 厦门市人力资源和社会保障局)"), c.issuer,
	    sizeof(c.issuer)) != 0 || c.issuer[0] == '\0'))
		goto missing;
	if (tty && c.base_url[0] == '\0' &&
	    (ask(_("public verification URL the QR codes open "
	    "(e.g. https://verify.hr.xiamen.gov.cn)"), c.base_url,
	    sizeof(c.base_url)) != 0 || c.base_url[0] == '\0'))
		goto missing;
	if (tty && c.policy[0] == '\0' &&
	    (ask(_("policy: fujian, weihai, or a policy file"), c.policy,
	    sizeof(c.policy)) != 0 || c.policy[0] == '\0'))
		goto missing;
	if (c.issuer[0] == '\0' || c.base_url[0] == '\0' ||
	    c.policy[0] == '\0')
		goto missing;
	while (strlen(c.base_url) > 8 && c.base_url[strlen(c.base_url) - 1]
	    == '/')
		c.base_url[strlen(c.base_url) - 1] = '\0';
	if ((why = url_problem(c.base_url, &local)) != NULL) {
		cmd_say(x, "--base-url %s: %s", c.base_url, _(why));
		return 2;
	}
	if (local)
		fprintf(stderr, _("warning: --base-url %s is this machine: "
		    "the QR codes will not open on anyone else's phone; use "
		    "the public https:// address for real certificates\n"),
		    c.base_url);
	if (c.time_zone[0] == '\0')
		snprintf(c.time_zone, sizeof(c.time_zone), "%s", HS_TZ_DEFAULT);
	if (hs_tz_check(c.time_zone, err) != HS_OK) {
		cmd_say(x, "--tz: %s", err);
		return 2;
	}
	if (c.origin[0] == '\0') {
		origin_from(c.base_url, c.origin, sizeof(c.origin));
		fprintf(stderr, _("origin: %s (from --base-url; it names the "
		    "ledger and its keys for good: give --origin to choose "
		    "another now, it cannot change later)\n"), c.origin);
	}
	/* Check the policy before anything is created: a typo in its name
	 * should not leave a data directory behind. A policy given as a
	 * path is made absolute, since config.json resolves relative paths
	 * against the data directory. */
	path_templates(tdef, sizeof(tdef));
	tdir = c.templates_dir[0] ? c.templates_dir : tdef;
	if (strchr(c.policy, '/') != NULL || strstr(c.policy, ".json")) {
		if (c.policy[0] != '/') {
			if (getcwd(cwd, sizeof(cwd)) == NULL ||
			    path_join(path, sizeof(path), cwd, c.policy, err)
			    != HS_OK || set(c.policy, sizeof(c.policy), path)) {
				cmd_say(x, "--policy: path too long");
				return 2;
			}
		}
		snprintf(path, sizeof(path), "%s", c.policy);
	} else if (snprintf(path, sizeof(path), "%s/policy/%s.json", tdir,
	    c.policy) >= (int)sizeof(path)) {
		cmd_say(x, "--policy: too long");
		return 2;
	}
	if (policy_load(path, &pol, err) != HS_OK) {
		cmd_say(x, "policy: %s", err);
		rc = 1;
		goto out;
	}
	if (config_init(dir, &c, err) != HS_OK) {
		cmd_say(x, "%s", err);
		rc = 2;
		goto out;
	}
	printf(_("created %s: config.json, pepper (mode 0600), hourseal.db\n"
	    "policy: %s (%s)\nissuer: %s\nverification URL: %s\n"
	    "origin: %s\ntime zone: %s\n"), dir, policy_name(pol), path,
	    c.issuer, c.base_url, c.origin, c.time_zone);
	rc = 0;
	goto out;
missing:
	cmd_say(x, "missing %s%s%s%s%s: init needs the issuing authority's "
	    "name (--issuer NAME), the public verification URL "
	    "(--base-url https://...) and the policy (--policy fujian|weihai|"
	    "FILE), or a terminal to ask for them",
	    c.issuer[0] ? "" : "--issuer",
	    !c.issuer[0] && !c.base_url[0] ? ", " : "",
	    c.base_url[0] ? "" : "--base-url",
	    (!c.issuer[0] || !c.base_url[0]) && !c.policy[0] ? ", " : "",
	    c.policy[0] ? "" : "--policy");
	rc = 2;
out:
	policy_free(pol);
	config_wipe(&c);
	config_wipe(&a->c);
	return rc;
}

const struct cmd_ops cmd_init_ops = { sizeof(struct args), parse, run };
