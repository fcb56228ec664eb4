/*
 * hourseal-issuer init DIR: a new data directory (config, pepper, database).
 */
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
		{ NULL, 0, NULL, 0 },
	};
	struct config *cp = &a->c;
	int ch, bad = 0;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'i': bad |= SET(issuer); break;
		case 'o': bad |= SET(origin); break;
		case 'u': bad |= SET(base_url); break;
		case 'p': bad |= SET(policy); break;
		case 'k': bad |= SET(keys_dir); break;
		case 't': bad |= SET(templates_dir); break;
		default: return CMD_USAGE;
		}
	}
	if (bad) {
		cmd_say(x, "an option is too long");
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

static int
run(struct cmd *x, void *args)
{
	struct args *a = args;
	struct config c = a->c;
	struct policy *pol = NULL;
	char err[HS_ERRLEN] = "", path[PATH_MAX], cwd[PATH_MAX], tdef[PATH_MAX];
	const char *dir = a->dir, *tdir;
	int rc = 2;

	/* Check the policy before anything is created: a typo in its name
	 * should not leave a data directory behind. A policy given as a
	 * path is made absolute, since config.json resolves relative paths
	 * against the data directory. */
	if (c.policy[0] == '\0')
		snprintf(c.policy, sizeof(c.policy), "fujian");
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
	    "policy: %s (%s)\n"), dir, policy_name(pol), path);
	rc = 0;
out:
	policy_free(pol);
	config_wipe(&c);
	config_wipe(&a->c);
	return rc;
}

const struct cmd_ops cmd_init_ops = { sizeof(struct args), parse, run };
