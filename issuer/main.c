/*
 * hourseal-issuer: records in, signed certificates out.
 *
 * One table of commands, as in git's git.c: each row names the command,
 * what it needs opened (the flags; cmd.h) and its usage, the one text
 * printed by `hourseal-issuer CMD --help` (stdout, exit 0) and after a
 * usage error (stderr, exit 2). main parses the command line through the
 * command's parse, opens what the row asks for, and runs it.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "core/i18n.h"

#define PROG "hourseal-issuer"

static const struct {
	const char *name;
	const struct cmd_ops *ops;
	unsigned needs;
	const char *usage; /* lines, each after "hourseal-issuer "; N_() */
} cmds[] = {
	{ "init", &cmd_init_ops, 0,
	    N_("init DIR --issuer NAME --base-url URL --policy NAME|FILE "
	    "[--origin ORIGIN] [--tz ZONE] [--keys DIR] [--templates DIR]") },
	{ "import", &cmd_import_ops, CMD_POLICY | CMD_RW,
	    N_("import FILE [--encoding gbk] [--sheet NAME] "
	    "[--skip-invalid REJECTS_FILE] [--accept-renames] [--max-errors N] "
	    "[--quiet]\n"
	    "(FILE: CSV, JSON Lines, or an .xlsx workbook: its first sheet "
	    "unless --sheet)") },
	{ "stamp", &cmd_stamp_ops, CMD_POLICY | CMD_RW,
	    N_("stamp --list [--account NAME] [--year Y]\n"
	    "stamp --all --account NAME [--year Y]\n"
	    "stamp --ref REF --account NAME\n"
	    "stamp --reject REF --reason TEXT --account NAME") },
	{ "withdraw", &cmd_withdraw_ops, CMD_POLICY | CMD_RW,
	    N_("withdraw --account NAME --ref REF --reason TEXT") },
	{ "correct", &cmd_correct_ops, CMD_POLICY | CMD_RW,
	    N_("correct --account NAME --ref REF --reason TEXT FILE "
	    "(FILE: one CSV or JSON Lines row in import's format)") },
	{ "unit", &cmd_unit_ops, CMD_CONFIG | CMD_RW,
	    N_("unit set UNIT REGION [--account NAME]\n"
	    "unit list") },
	{ "summary", &cmd_summary_ops, CMD_POLICY | CMD_RO,
	    N_("summary --year Y [--id ID] [--json]") },
	{ "keygen", &cmd_keygen_ops, CMD_RW,
	    N_("keygen [LABEL] [--passphrase-file FILE | --no-passphrase] "
	    "[--alg ed25519|sm2] [--pkcs11 URI [--generate]]") },
	{ "key", &cmd_key_ops, CMD_RW,
	    N_("key rotate [LABEL] [--passphrase-file FILE | --no-passphrase] "
	    "[--old-passphrase-file FILE] [--alg ed25519|sm2] "
	    "[--pkcs11 URI [--generate]]\n"
	    "key retire LABEL [--at TIME] [--passphrase-file FILE]\n"
	    "key compromised LABEL --since TIME [--passphrase-file FILE]\n"
	    "key list") },
	{ "ca", &cmd_ca_ops, CMD_CONFIG,
	    N_("ca init [--name NAME] [--days N]\n"
	    "ca issue [--cn NAME] [--org ORG] [--alg p256|rsa3072] [--days N] "
	    "[--pkcs11 URI [--generate] [--password-file PINFILE]]\n"
	    "ca import (--chain PEM (--key PEM | --pkcs11 URI) | --p12 FILE) "
	    "[--password-file FILE]") },
	{ "issue", &cmd_issue_ops, CMD_RW | CMD_ISSUE | CMD_SIGN | CMD_RENDER,
	    N_("issue --year Y (--id ID | --all) [--kind annual|course] "
	    "(--out DIR | --dry-run) [--only-complete] [--reissue] [--quiet] "
	    "[--batch N] [--workers N]") },
	{ "revoke", &cmd_revoke_ops, CMD_RW | CMD_ISSUE | CMD_SIGN,
	    N_("revoke SERIAL --reason superseded|error|fraud|withdrawn "
	    "[--note TEXT]") },
	{ "reissue", &cmd_reissue_ops,
	    CMD_RW | CMD_ISSUE | CMD_SIGN | CMD_RENDER,
	    N_("reissue SERIAL (--out DIR | --dry-run)") },
	{ "list", &cmd_list_ops, CMD_RO,
	    N_("list [--year Y] [--id ID] [--status valid|revoked] "
	    "[--kind annual|course]") },
	{ "show", &cmd_show_ops, CMD_RO | CMD_ISSUE,
	    N_("show SERIAL") },
	{ "export", &cmd_export_ops, CMD_RW,
	    N_("export --year Y --format csv|json|xlsx [--output FILE]\n"
	    "export --year Y --format csv|json|xlsx --full-id --output FILE") },
	{ "publish", &cmd_publish_ops, CMD_CONFIG,
	    N_("publish DIR") },
	{ "audit", &cmd_audit_ops, CMD_RO,
	    N_("audit") },
	{ "log", &cmd_log_ops, CMD_RO,
	    N_("log [--since N] [--limit N]") },
	{ "tiles", &cmd_tiles_ops, CMD_RO,
	    N_("tiles DIR") },
	{ "user", &cmd_user_ops, CMD_RW,
	    N_("user add NAME --role hr|industry|provider|employer|auditor|"
	    "practitioner --scope SCOPE|- --org ORG [--base-url URL]\n"
	    "user list\n"
	    "user disable|enable|unlock NAME\n"
	    "user reset NAME [--base-url URL]") },
	{ "token", &cmd_token_ops, CMD_RW,
	    N_("token add --role provider|title-system|hr --scope SCOPE "
	    "--label LABEL [--days N] [--org ORG]\n"
	    "token list\n"
	    "token revoke LABEL") },
	{ "activation", &cmd_activation_ops, CMD_RW,
	    N_("activation (--unit NAME | --region CODE | --id-file FILE|-) "
	    "[--new-only] [--pdf OUT.pdf] [--csv OUT.csv] [--account NAME] "
	    "[--public-url URL]") },
	{ "serve", &cmd_serve_ops, CMD_POLICY,
	    N_("serve [--listen ADDR] [--admin-listen ADDR] [--public-url URL] "
	    "[--threads N] [--access-log FILE] [--trust-proxy] "
	    "[--rate R] [--burst B] [--signin-rate R] [--signin-burst B] "
	    "[--api-rate R] [--api-burst B] "
	    "[--no-sandbox] [--check-sandbox] [--routes]") },
};

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

/* The columns s takes on a terminal: East Asian characters take two. */
static size_t
columns(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	for (; *p != '\0'; p++)
		if ((*p & 0xC0) != 0x80)
			n += *p >= 0xE1 ? 2 : 1;
	return n;
}

/* Prints usage's lines (translated), the first after head, the others
 * aligned. */
static void
print_usage(FILE *f, const char *head, const char *usage)
{
	const char *p = _(usage), *nl;
	size_t pad = columns(head);

	for (; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		fprintf(f, "%s" PROG " %.*s\n", head, (int)(nl - p), p);
		head = "";
		fprintf(f, "%*s", (int)pad, "");
	}
	fprintf(f, "%s" PROG " %s\n", head, p);
}

static void
usage_all(FILE *f)
{
	size_t i;

	fprintf(f, _("usage: %s [--data DIR] COMMAND [ARGS]\n"
	    "       %s COMMAND --help\n"
	    "  --data DIR   the data directory (default $HOURSEAL_DATA, "
	    "else ./data)\ncommands:\n"), PROG, PROG);
	for (i = 0; i < NCMDS; i++)
		print_usage(f, "  ", cmds[i].usage);
}

/* Parses, opens what the row needs, runs; returns the exit status. */
static int
run(size_t k, const char *data, int argc, char **argv)
{
	char name[64];
	struct cmd c;
	void *args;
	int i, ret;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0) {
			print_usage(stdout, _("usage: "), cmds[k].usage);
			return 0;
		}
	memset(&c, 0, sizeof(c));
	c.name = cmds[k].name;
	c.data_dir = data;
	/* getopt names argv[0] in its messages: the one format. */
	snprintf(name, sizeof(name), PROG " %s", c.name);
	argv[0] = name;
	if ((args = calloc(1, cmds[k].ops->args_size + 1)) == NULL) {
		cmd_say(&c, "out of memory");
		return 2;
	}
	optind = 0;
	ret = cmds[k].ops->parse(&c, argc, argv, args);
	if (ret == CMD_USAGE) {
		print_usage(stderr, _("usage: "), cmds[k].usage);
		ret = 2;
	} else if (ret == 0 && (ret = cmd_open(&c, cmds[k].needs)) == 0)
		ret = cmds[k].ops->run(&c, args);
	cmd_close(&c);
	free(args);
	return ret;
}

int
main(int argc, char **argv)
{
	char *args[256];
	const char *data = NULL;
	int n = 0, i;
	size_t k;

	/* The operator's language: LANG=zh_CN.UTF-8 speaks Chinese. */
	i18n_init();
	/* --data may come before or after the command; take it out. */
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--data") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, _("%s: --data needs a "
				    "directory\n"), PROG);
				return 2;
			}
			data = argv[++i];
		} else if (strncmp(argv[i], "--data=", 7) == 0)
			data = argv[i] + 7;
		else if (n < (int)(sizeof(args) / sizeof(args[0])) - 1)
			args[n++] = argv[i];
		else {
			fprintf(stderr, _("%s: too many arguments\n"), PROG);
			return 2;
		}
	}
	args[n] = NULL;
	if (n == 0 || strcmp(args[0], "help") == 0 ||
	    strcmp(args[0], "--help") == 0 || strcmp(args[0], "-h") == 0) {
		usage_all(n == 0 ? stderr : stdout);
		return n == 0 ? 2 : 0;
	}
	for (k = 0; k < NCMDS; k++)
		if (strcmp(args[0], cmds[k].name) == 0)
			return run(k, config_data_dir(data), n, args);
	fprintf(stderr, _("%s: unknown command '%s'\n"), PROG, args[0]);
	usage_all(stderr);
	return 2;
}
