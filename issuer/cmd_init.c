/*
 * hourseal-issuer init DIR: a new data directory (config, pepper, database).
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "store/config.h"
#include "cert/policy.h"
#include "core/util.h"

static int
usage(void)
{
	fprintf(stderr, "usage: hourseal-issuer init DIR [--issuer NAME] "
	    "[--origin ORIGIN] [--base-url URL] [--policy NAME|FILE] "
	    "[--keys DIR] [--templates DIR]\n");
	return 2;
}

/* Copies s into out (size n); -1 if it does not fit. */
static int
set(char *out, size_t n, const char *s)
{
	return snprintf(out, n, "%s", s) < (int)n ? 0 : -1;
}

int
cmd_init(const struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "issuer", required_argument, NULL, 'i' },
		{ "origin", required_argument, NULL, 'o' },
		{ "base-url", required_argument, NULL, 'u' },
		{ "policy", required_argument, NULL, 'p' },
		{ "keys", required_argument, NULL, 'k' },
		{ "templates", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct config c;
	struct policy *pol = NULL;
	char err[HS_ERRLEN] = "", path[PATH_MAX], cwd[PATH_MAX], tdef[PATH_MAX];
	const char *dir, *tdir;
	int ch, bad = 0, rc = 2;

	memset(&c, 0, sizeof(c));
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'i': bad |= set(c.issuer, sizeof(c.issuer), optarg); break;
		case 'o': bad |= set(c.origin, sizeof(c.origin), optarg); break;
		case 'u': bad |= set(c.base_url, sizeof(c.base_url), optarg);
			break;
		case 'p': bad |= set(c.policy, sizeof(c.policy), optarg); break;
		case 'k': bad |= set(c.keys_dir, sizeof(c.keys_dir), optarg);
			break;
		case 't': bad |= set(c.templates_dir, sizeof(c.templates_dir),
			    optarg);
			break;
		default: return usage();
		}
	}
	if (bad) {
		fprintf(stderr, "hourseal-issuer init: an option is too long\n");
		return 2;
	}
	if (optind + 1 == argc)
		dir = argv[optind];
	else if (optind == argc && cli->data_dir != NULL)
		dir = cli->data_dir; /* hourseal-issuer --data DIR init */
	else
		return usage();

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
				fprintf(stderr, "hourseal-issuer init: --policy: "
				    "path too long\n");
				return 2;
			}
		}
		snprintf(path, sizeof(path), "%s", c.policy);
	} else if (snprintf(path, sizeof(path), "%s/policy/%s.json", tdir,
	    c.policy) >= (int)sizeof(path)) {
		fprintf(stderr, "hourseal-issuer init: --policy: too long\n");
		return 2;
	}
	if (policy_load(path, &pol, err) != HS_OK) {
		fprintf(stderr, "hourseal-issuer init: policy: %s\n", err);
		rc = 1;
		goto out;
	}
	if (config_init(dir, &c, err) != HS_OK) {
		fprintf(stderr, "hourseal-issuer init: %s\n", err);
		rc = 2;
		goto out;
	}
	printf("created %s: config.json, pepper (mode 0600), hourseal.db\n"
	    "policy: %s (%s)\n", dir, policy_name(pol), path);
	rc = 0;
out:
	policy_free(pol);
	config_wipe(&c);
	return rc;
}
