/*
 * hourseal-issuer stamp, withdraw, correct: 验印 as an account. The
 * account's role, scope and organisation decide what it may stamp and
 * the name the stamp carries (app/stamp.h: the same functions the HTTP
 * service calls); there is no free-text authority any more.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acting.h"
#include "cmd.h"
#include "app/stamp.h"
#include "core/i18n.h"
#include "core/util.h"

static const char by_gone[] = N_("--by is gone: stamp as an account "
    "(hourseal-issuer user add NAME --role hr|industry --scope ... --org "
    "ORG, then stamp --account NAME)");
static const char as_gone[] = N_("--as is gone: the account's role "
    "decides (hourseal-issuer user add ...)");

struct args {
	const char *account, *ref, *reject, *reason;
	bool list, all;
	int year;
};

static int
print_row(void *ctx, const struct stamp_row *r)
{
	char h[HOURS_SIZE];

	hours_format(r->hours10, h);
	printf("%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r->ref,
	    r->id_masked, r->name, r->year, r->subject,
	    policy_form_name(r->form) ? policy_form_name(r->form) : "?",
	    r->start, r->end, h, r->title, r->provider);
	(*(size_t *)ctx)++;
	return 0;
}

int
acting_principal(struct cmd *x, const char *account, struct principal *p)
{
	char err[HS_ERRLEN] = "";
	enum hs_err rc;

	if (account == NULL) {
		principal_operator(p, x->cfg.issuer);
		return 0;
	}
	if ((rc = principal_load_account(x->db, account, "", p, err)) != HS_OK)
		return cmd_fail(x, rc, err);
	return 0;
}

void
acting_who(const struct principal *p, char *out, size_t outsz)
{
	snprintf(out, outsz, _("%s (account %s, %s)"), p->org, p->name,
	    principal_role_name(p->role));
}

int
acting_gone_flags(const struct cmd *x, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--by") == 0 ||
		    strncmp(argv[i], "--by=", 5) == 0) {
			cmd_say(x, "%s", _(by_gone));
			return CMD_USAGE;
		}
		if (strcmp(argv[i], "--as") == 0 ||
		    strncmp(argv[i], "--as=", 5) == 0) {
			cmd_say(x, "%s", _(as_gone));
			return CMD_USAGE;
		}
	}
	return 0;
}

int
acting_ref_args(const struct cmd *x, int argc, char **argv, int operands,
    const char *why, struct acting_ref *a)
{
	static const struct option opts[] = {
		{ "account", required_argument, NULL, 'A' },
		{ "ref", required_argument, NULL, 'r' },
		{ "reason", required_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	if (acting_gone_flags(x, argc, argv) != 0)
		return CMD_USAGE;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'A': a->account = optarg; break;
		case 'r': a->ref = optarg; break;
		case 'R': a->reason = optarg; break;
		default: return CMD_USAGE;
		}
	}
	if (optind + operands != argc || a->account == NULL || a->ref == NULL)
		return CMD_USAGE;
	if (a->reason == NULL) {
		cmd_say(x, "--reason TEXT: why it is %s (required)", why);
		return CMD_USAGE;
	}
	a->operand = operands > 0 ? argv[optind] : NULL;
	return 0;
}

static int
parse(const struct cmd *x, int argc, char **argv, void *args)
{
	static const struct option opts[] = {
		{ "list", no_argument, NULL, 'l' },
		{ "all", no_argument, NULL, 'a' },
		{ "ref", required_argument, NULL, 'r' },
		{ "reject", required_argument, NULL, 'x' },
		{ "reason", required_argument, NULL, 'R' },
		{ "account", required_argument, NULL, 'A' },
		{ "year", required_argument, NULL, 'y' },
		{ NULL, 0, NULL, 0 },
	};
	struct args *a = args;
	int ch, modes;

	if (acting_gone_flags(x, argc, argv) != 0)
		return CMD_USAGE;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'l': a->list = true; break;
		case 'a': a->all = true; break;
		case 'r': a->ref = optarg; break;
		case 'x': a->reject = optarg; break;
		case 'R': a->reason = optarg; break;
		case 'A': a->account = optarg; break;
		case 'y':
			if (cmd_year(x, optarg, &a->year) != 0)
				return 1;
			break;
		default: return CMD_USAGE;
		}
	}
	modes = a->list + a->all + (a->ref != NULL) + (a->reject != NULL);
	if (optind != argc || modes != 1)
		return CMD_USAGE;
	if (!a->list && a->account == NULL) {
		cmd_say(x, "--account NAME: stamp as an account (hourseal-issuer "
		    "user add ...); %s", _(by_gone));
		return CMD_USAGE;
	}
	if (a->reject != NULL && a->reason == NULL) {
		cmd_say(x, "--reject needs --reason TEXT");
		return CMD_USAGE;
	}
	if (a->reason != NULL && a->reject == NULL) {
		cmd_say(x, "--reason goes with --reject");
		return CMD_USAGE;
	}
	return 0;
}

static int
run(struct cmd *x, void *args)
{
	const struct args *a = args;
	struct stamp_filter f;
	struct principal p;
	char err[HS_ERRLEN] = "", by[PRINCIPAL_ORG + PRINCIPAL_NAME + 32];
	const char *ref;
	int64_t after = 0, next;
	size_t n = 0;
	enum hs_err rc;
	int ret;

	if ((ret = acting_principal(x, a->account, &p)) != 0)
		return ret;
	acting_who(&p, by, sizeof(by));
	memset(&f, 0, sizeof(f));
	f.year = a->year;
	if (a->list) {
		printf("ref\tid\tname\tyear\tsubject\tform\tstart\tend\thours\t"
		    "title\tprovider\n");
		do {
			rc = stamp_queue(x->db, &p, &f, after, STAMP_PAGE_MAX,
			    print_row, &n, &next, err);
			after = next;
		} while (rc == HS_OK && next != 0);
		if (rc == HS_OK)
			fprintf(stderr, _("%zu record%s waiting for a stamp%s%s\n"),
			    n, n == 1 ? "" : "s", a->account ? _(" in the scope of ")
			    : "", a->account ? a->account : "");
	} else if (a->all) {
		rc = stamp_all(x->db, &p, &f, (int64_t)time(NULL), &n, err);
		if (rc == HS_OK)
			printf(_("stamped %zu record%s as %s\n"), n, n == 1 ? "" :
			    "s", by);
	} else if (a->ref != NULL) {
		ref = a->ref;
		rc = stamp_records(x->db, &p, &ref, 1, (int64_t)time(NULL),
		    err);
		if (rc == HS_OK)
			printf(_("%s stamped by %s\n"), ref, by);
	} else {
		ref = a->reject;
		rc = stamp_reject(x->db, &p, &ref, 1, a->reason,
		    (int64_t)time(NULL), err);
		if (rc == HS_OK)
			printf(_("%s rejected by %s: %s\n"), ref, by, a->reason);
	}
	if (rc != HS_OK)
		return cmd_fail(x, rc, err);
	return 0;
}

const struct cmd_ops cmd_stamp_ops = { sizeof(struct args), parse, run };

