/*
 * hourseal-issuer user add NAME --role R --scope S --org ORG
 *     [--base-url URL]
 * hourseal-issuer user list
 * hourseal-issuer user disable|enable|unlock NAME
 * hourseal-issuer user reset NAME [--base-url URL]
 *
 * The operator at the issuer's shell manages accounts (store/accounts.h;
 * the HTTP service calls the same functions for an hr account). add and
 * reset print a one-time invitation URL, <public url>/admin/invite/<token>,
 * valid 72 hours; the person sets their own password there. The public
 * URL is --base-url, else the config's base_url. Every change is audited
 * with the operator as actor.
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
	const char *sub, *name, *role, *scope, *org, *base_url;
};

static int
parse(const struct cmd *x, int argc, char **argv, void *args)
{
	static const struct option opts[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "scope", required_argument, NULL, 's' },
		{ "org", required_argument, NULL, 'o' },
		{ "base-url", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	struct args *a = args;
	int ch, add, reset;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'r': a->role = optarg; break;
		case 's': a->scope = optarg; break;
		case 'o': a->org = optarg; break;
		case 'b': a->base_url = optarg; break;
		default: return CMD_USAGE;
		}
	}
	if (optind >= argc)
		return CMD_USAGE;
	a->sub = argv[optind++];
	if (strcmp(a->sub, "list") == 0)
		return optind == argc && a->role == NULL && a->scope == NULL &&
		    a->org == NULL && a->base_url == NULL ? 0 : CMD_USAGE;
	if (optind + 1 != argc)
		return CMD_USAGE;
	a->name = argv[optind];
	add = strcmp(a->sub, "add") == 0;
	reset = strcmp(a->sub, "reset") == 0;
	if (add)
		return a->role != NULL && a->scope != NULL && a->org != NULL ?
		    0 : CMD_USAGE;
	if (a->role != NULL || a->scope != NULL || a->org != NULL ||
	    (a->base_url != NULL && !reset))
		return CMD_USAGE;
	if (reset || strcmp(a->sub, "disable") == 0 ||
	    strcmp(a->sub, "enable") == 0 || strcmp(a->sub, "unlock") == 0)
		return 0;
	(void)x;
	return CMD_USAGE;
}

/*
 * The public URL invitations live under: http(s)://, no control
 * characters or spaces, without a trailing '/'.
 */
/* Reads one line of at most cap - 1 bytes (a trailing CR/LF and
 * surrounding spaces dropped) from stdin; 0, or -1 if there is none, it
 * is too long or more follows. */
static int
read_scope_line(char *out, size_t cap)
{
	size_t n;
	int c;

	if (fgets(out, (int)cap, stdin) == NULL)
		return -1;
	n = strlen(out);
	if (n > 0 && out[n - 1] != '\n' && !feof(stdin))
		return -1;
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r' ||
	    out[n - 1] == ' '))
		out[--n] = '\0';
	while ((c = getchar()) != EOF)
		if (c != '\n' && c != '\r' && c != ' ')
			return -1;
	n = strspn(out, " ");
	memmove(out, out + n, strlen(out + n) + 1);
	return out[0] != '\0' ? 0 : -1;
}

static int
public_url(const struct cmd *x, const char *flag, char out[512])
{
	const char *u = flag != NULL ? flag : x->cfg.base_url;
	size_t n = strnlen(u, 512), i;

	if (n >= 512 || (strncmp(u, "https://", 8) != 0 &&
	    strncmp(u, "http://", 7) != 0)) {
		cmd_say(x, "%s: an http:// or https:// URL of at most 511 "
		    "bytes is needed for the invitation", flag != NULL ?
		    "--base-url" : _("the config's base_url"));
		return 1;
	}
	for (i = 0; i < n; i++)
		if ((unsigned char)u[i] <= 0x20 || u[i] == 0x7f ||
		    u[i] == '"' || u[i] == '<' || u[i] == '>') {
			cmd_say(x, "%s: a space, quote, angle bracket or "
			    "control character in the URL", flag != NULL ?
			    "--base-url" : "base_url");
			return 1;
		}
	memcpy(out, u, n + 1);
	while (n > 0 && out[n - 1] == '/')
		out[--n] = '\0';
	return 0;
}

static void
print_invitation(const char *name, const char *url, const char *token,
    int64_t now)
{
	char until[21];

	time_rfc3339((time_t)(now + ACCT_INVITE_TTL), until);
	printf(_("invitation for %s (once, until %s):\n%s/admin/invite/%s\n"),
	    name, until, url, token);
}

static int
list_one(void *ctx, const struct account *a)
{
	char scope[600];
	const char *state;

	(void)ctx;
	scope_format(a->role, &a->scope, scope, sizeof scope);
	state = a->disabled ? "disabled" : a->locked ? "locked" :
	    !a->has_password ? "invited" : a->must_enrol ? "totp-pending" :
	    "active";
	printf("%s\t%s\t%s\t%s\t%s\n", a->name, role_name(a->role), scope,
	    a->org, state);
	return 0;
}

static int
run(struct cmd *x, void *args)
{
	const struct args *a = args;
	struct actor op = { "cli", "operator", x->cfg.issuer, "" };
	char err[HS_ERRLEN] = "", url[512], token[ACCT_TOKEN_LEN + 1];
	int64_t now = (int64_t)time(NULL);
	struct scope sc;
	enum role role;
	enum hs_err rc;

	if (strcmp(a->sub, "list") == 0) {
		printf("name\trole\tscope\torg\tstate\n");
		rc = accounts_list(x->db, list_one, NULL, err);
		return rc == HS_OK ? 0 : cmd_fail(x, rc, err);
	}
	if (strcmp(a->sub, "add") == 0) {
		char line[64];
		const char *scope = a->scope;

		if ((rc = role_parse(a->role, &role, err)) != HS_OK)
			return cmd_fail(x, rc, err);
		/* "--scope -": the practitioner's ID number from stdin, so it
		 * is not in the process list. */
		if (strcmp(scope, "-") == 0) {
			if (role != ROLE_PRACTITIONER)
				return cmd_fail(x, HS_ERR_INVALID, "scope: '-' "
				    "(read from stdin) is for practitioner "
				    "accounts only");
			if (read_scope_line(line, sizeof line) != 0)
				return cmd_fail(x, HS_ERR_INVALID, "scope: "
				    "expected one ID number on stdin (one "
				    "line, at most 18 characters)");
			scope = line;
		}
		rc = scope_parse(role, scope, &sc, err);
		memset(line, 0, sizeof line);
		if (rc != HS_OK)
			return cmd_fail(x, rc, err);
		if (public_url(x, a->base_url, url) != 0)
			return 1;
		rc = accounts_add(x->db, &op, NULL, a->name, role, &sc, a->org,
		    now, token, err);
		memset(sc.id_number, 0, sizeof sc.id_number);
		if (rc != HS_OK)
			return cmd_fail(x, rc, err);
		printf(_("account %s added (%s)\n"), a->name, role_name(role));
		print_invitation(a->name, url, token, now);
		return 0;
	}
	if (strcmp(a->sub, "reset") == 0) {
		if (public_url(x, a->base_url, url) != 0)
			return 1;
		rc = accounts_reset(x->db, &op, NULL, a->name, now, token, err);
		if (rc != HS_OK)
			return cmd_fail(x, rc, err);
		printf(_("account %s reset: password cleared, sessions ended, "
		    "TOTP to enrol again\n"), a->name);
		print_invitation(a->name, url, token, now);
		return 0;
	}
	if (strcmp(a->sub, "unlock") == 0)
		rc = accounts_unlock(x->db, &op, NULL, a->name, now, err);
	else
		rc = accounts_set_disabled(x->db, &op, NULL, a->name,
		    strcmp(a->sub, "disable") == 0, now, err);
	if (rc != HS_OK)
		return cmd_fail(x, rc, err);
	printf(_("account %s %s\n"), a->name, strcmp(a->sub, "unlock") == 0 ?
	    _("unlocked") : strcmp(a->sub, "disable") == 0 ? _("disabled, "
	    "sessions ended") : _("enabled"));
	return 0;
}

const struct cmd_ops cmd_user_ops = { sizeof(struct args), parse, run };
