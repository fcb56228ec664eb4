/*
 * hourseal-issuer stamp: 验印, the verification stamp of HR and industry
 * departments on imported records.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "store/records.h"
#include "core/util.h"

struct args {
	const char *ref, *reject, *reason, *by;
	enum records_authority kind;
	bool list, all;
	int year;
};

static int
print_pending(void *ctx, const struct records_pending *r)
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

static int
parse(const struct cmd *x, int argc, char **argv, void *args)
{
	static const struct option opts[] = {
		{ "list", no_argument, NULL, 'l' },
		{ "all", no_argument, NULL, 'a' },
		{ "ref", required_argument, NULL, 'r' },
		{ "reject", required_argument, NULL, 'x' },
		{ "reason", required_argument, NULL, 'R' },
		{ "by", required_argument, NULL, 'b' },
		{ "as", required_argument, NULL, 'k' },
		{ "year", required_argument, NULL, 'y' },
		{ NULL, 0, NULL, 0 },
	};
	struct args *a = args;
	int ch, modes;

	a->kind = RECORDS_HR;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'l': a->list = true; break;
		case 'a': a->all = true; break;
		case 'r': a->ref = optarg; break;
		case 'x': a->reject = optarg; break;
		case 'R': a->reason = optarg; break;
		case 'b': a->by = optarg; break;
		case 'k':
			if (strcmp(optarg, "hr") == 0)
				a->kind = RECORDS_HR;
			else if (strcmp(optarg, "industry") == 0)
				a->kind = RECORDS_INDUSTRY;
			else {
				cmd_say(x, "--as: hr or industry, not '%s'",
				    optarg);
				return 1;
			}
			break;
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
	if (!a->list && a->by == NULL) {
		cmd_say(x, "--by NAME: who stamps (the HR or industry "
		    "department)");
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
	const char *by = a->by;
	char err[HS_ERRLEN] = "";
	size_t n = 0, skipped = 0;
	enum hs_err rc;

	if (a->list) {
		printf("ref\tid\tname\tyear\tsubject\tform\tstart\tend\thours\t"
		    "title\tprovider\n");
		rc = records_pending_each(x->db, a->year, print_pending, &n,
		    err);
		if (rc == HS_OK)
			fprintf(stderr, "%zu record%s waiting for a stamp\n", n,
			    n == 1 ? "" : "s");
	} else if (a->all) {
		rc = records_stamp_all(x->db, a->year, by, a->kind, &n,
		    &skipped, err);
		if (rc == HS_OK) {
			printf("stamped %zu record%s as %s (%s)\n", n,
			    n == 1 ? "" : "s", by,
			    records_authority_name(a->kind));
			if (skipped > 0)
				printf("left %zu public-subject record%s for the "
				    "HR department\n", skipped,
				    skipped == 1 ? "" : "s");
		}
	} else {
		rc = records_stamp_ref(x->db, a->ref ? a->ref : a->reject,
		    a->reason, by, a->kind, err);
		if (rc == HS_OK)
			printf("%s %s by %s (%s)\n", a->ref ? a->ref : a->reject,
			    a->ref ? "stamped" : "rejected", by,
			    records_authority_name(a->kind));
	}
	if (rc != HS_OK) {
		cmd_say(x, "%s", err);
		return rc == HS_ERR_NOTFOUND || rc == HS_ERR_STATE ||
		    rc == HS_ERR_INVALID ? 1 : 2;
	}
	return 0;
}

const struct cmd_ops cmd_stamp_ops = { sizeof(struct args), parse, run };
