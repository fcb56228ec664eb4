/*
 * hourseal-issuer token add --role provider|title-system|hr --scope S
 *     --label L [--days N] [--org ORG]
 * hourseal-issuer token list
 * hourseal-issuer token revoke LABEL
 *
 * API tokens for programs (store/accounts.h): add prints the token once
 * ("hst_" and 43 base64url characters); only its SHA-256 is stored. The
 * org defaults to the provider's name for a provider token and to the
 * config's issuer name otherwise. Every change is audited with the
 * operator as actor.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "core/i18n.h"
#include "core/util.h"
#include "store/accounts.h"

struct args {
	const char *sub, *label, *role, *scope, *org, *days;
};

static int
parse(const struct cmd *x, int argc, char **argv, void *args)
{
	static const struct option opts[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "scope", required_argument, NULL, 's' },
		{ "label", required_argument, NULL, 'l' },
		{ "days", required_argument, NULL, 'd' },
		{ "org", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	struct args *a = args;
	int ch;

	(void)x;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'r': a->role = optarg; break;
		case 's': a->scope = optarg; break;
		case 'l': a->label = optarg; break;
		case 'd': a->days = optarg; break;
		case 'o': a->org = optarg; break;
		default: return CMD_USAGE;
		}
	}
	if (optind >= argc)
		return CMD_USAGE;
	a->sub = argv[optind++];
	if (strcmp(a->sub, "add") == 0)
		return optind == argc && a->role != NULL && a->scope != NULL &&
		    a->label != NULL ? 0 : CMD_USAGE;
	if (a->role != NULL || a->scope != NULL || a->days != NULL ||
	    a->org != NULL || a->label != NULL)
		return CMD_USAGE;
	if (strcmp(a->sub, "list") == 0)
		return optind == argc ? 0 : CMD_USAGE;
	if (strcmp(a->sub, "revoke") == 0 && optind + 1 == argc) {
		a->label = argv[optind];
		return 0;
	}
	return CMD_USAGE;
}

static int
list_one(void *ctx, const struct api_token *t)
{
	const int64_t *now = ctx;
	char scope[600], created[21], expires[21], used[21] = "never";
	const char *state;

	scope_format(t->role, &t->scope, scope, sizeof scope);
	time_rfc3339((time_t)t->created, created);
	time_rfc3339((time_t)t->expires, expires);
	if (t->last_used != 0)
		time_rfc3339((time_t)t->last_used, used);
	state = t->revoked != 0 ? "revoked" : *now >= t->expires ? "expired" :
	    "live";
	printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t->label,
	    role_name(t->role), scope, t->org, created, expires, used, state);
	return 0;
}

static int
run(struct cmd *x, void *args)
{
	const struct args *a = args;
	struct actor op = { "cli", "operator", x->cfg.issuer, "" };
	char err[HS_ERRLEN] = "", token[ACCT_API_TOKEN_LEN + 1], until[21];
	int64_t now = (int64_t)time(NULL);
	const char *org;
	struct scope sc;
	enum role role;
	enum hs_err rc;
	long days = TOKEN_DAYS_DEFAULT;

	if (strcmp(a->sub, "list") == 0) {
		printf("label\trole\tscope\torg\tcreated\texpires\tlast_used\t"
		    "state\n");
		rc = tokens_list(x->db, list_one, &now, err);
		return rc == HS_OK ? 0 : cmd_fail(x, rc, err);
	}
	if (strcmp(a->sub, "revoke") == 0) {
		rc = tokens_revoke(x->db, &op, NULL, a->label, now, err);
		if (rc != HS_OK)
			return cmd_fail(x, rc, err);
		printf(_("token %s revoked\n"), a->label);
		return 0;
	}
	if (a->days != NULL && cmd_number(x, "--days", a->days, 1,
	    TOKEN_DAYS_MAX, &days) != 0)
		return 1;
	if ((rc = role_parse(a->role, &role, err)) != HS_OK ||
	    (rc = scope_parse(role, a->scope, &sc, err)) != HS_OK)
		return cmd_fail(x, rc, err);
	org = a->org != NULL ? a->org : role == ROLE_PROVIDER ? "" :
	    x->cfg.issuer;
	rc = tokens_add(x->db, &op, NULL, role, &sc, org, a->label, (int)days,
	    now, token, err);
	if (rc != HS_OK)
		return cmd_fail(x, rc, err);
	time_rfc3339((time_t)(now + days * 86400), until);
	printf(_("token %s (%s, until %s); shown once, keep it secret:\n%s\n"),
	    a->label, role_name(role), until, token);
	memset(token, 0, sizeof token);
	return 0;
}

const struct cmd_ops cmd_token_ops = { sizeof(struct args), parse, run };
