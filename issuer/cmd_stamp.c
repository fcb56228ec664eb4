/*
 * hourseal-issuer stamp: 验印, the verification stamp of HR and industry
 * departments on imported records.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "store/records.h"
#include "core/util.h"

static int
usage(void)
{
	fprintf(stderr, "usage: hourseal-issuer stamp --list [--year Y]\n"
	    "       hourseal-issuer stamp --all --by NAME [--as hr|industry] "
	    "[--year Y]\n"
	    "       hourseal-issuer stamp --ref REF --by NAME [--as "
	    "hr|industry]\n"
	    "       hourseal-issuer stamp --reject REF --reason TEXT --by NAME "
	    "[--as hr|industry]\n");
	return 2;
}

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

int
cmd_stamp(const struct cli *cli, int argc, char **argv)
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
	const char *ref = NULL, *reject = NULL, *reason = NULL, *by = NULL;
	enum records_authority kind = RECORDS_HR;
	bool list = false, all = false;
	struct issuer_ctx x;
	char err[HS_ERRLEN] = "", *end;
	size_t n = 0, skipped = 0;
	enum hs_err rc;
	int ch, year = 0, modes;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'l': list = true; break;
		case 'a': all = true; break;
		case 'r': ref = optarg; break;
		case 'x': reject = optarg; break;
		case 'R': reason = optarg; break;
		case 'b': by = optarg; break;
		case 'k':
			if (strcmp(optarg, "hr") == 0)
				kind = RECORDS_HR;
			else if (strcmp(optarg, "industry") == 0)
				kind = RECORDS_INDUSTRY;
			else {
				fprintf(stderr, "hourseal-issuer stamp: --as: hr "
				    "or industry\n");
				return 2;
			}
			break;
		case 'y':
			year = (int)strtol(optarg, &end, 10);
			if (*end != '\0' || year < 1900 || year > 2999) {
				fprintf(stderr, "hourseal-issuer stamp: --year: "
				    "a year like 2024\n");
				return 2;
			}
			break;
		default: return usage();
		}
	}
	modes = list + all + (ref != NULL) + (reject != NULL);
	if (optind != argc || modes != 1)
		return usage();
	if (!list && by == NULL) {
		fprintf(stderr, "hourseal-issuer stamp: --by NAME: who stamps "
		    "(the HR or industry department)\n");
		return 2;
	}
	if (reject != NULL && reason == NULL) {
		fprintf(stderr, "hourseal-issuer stamp: --reject needs --reason "
		    "TEXT\n");
		return 2;
	}
	if (reason != NULL && reject == NULL) {
		fprintf(stderr, "hourseal-issuer stamp: --reason goes with "
		    "--reject\n");
		return 2;
	}
	if (issuer_open(cli, "stamp", &x) != 0)
		return 2;
	if (list) {
		printf("ref\tid\tname\tyear\tsubject\tform\tstart\tend\thours\t"
		    "title\tprovider\n");
		rc = records_pending_each(x.db, year, print_pending, &n, err);
		if (rc == HS_OK)
			fprintf(stderr, "%zu record%s waiting for a stamp\n", n,
			    n == 1 ? "" : "s");
	} else if (all) {
		rc = records_stamp_all(x.db, year, by, kind, &n, &skipped, err);
		if (rc == HS_OK) {
			printf("stamped %zu record%s as %s (%s)\n", n,
			    n == 1 ? "" : "s", by, records_authority_name(kind));
			if (skipped > 0)
				printf("left %zu public-subject record%s for the "
				    "HR department\n", skipped,
				    skipped == 1 ? "" : "s");
		}
	} else {
		rc = records_stamp_ref(x.db, ref ? ref : reject, reason, by,
		    kind, err);
		if (rc == HS_OK)
			printf("%s %s by %s (%s)\n", ref ? ref : reject,
			    ref ? "stamped" : "rejected", by,
			    records_authority_name(kind));
	}
	issuer_close(&x);
	if (rc != HS_OK) {
		fprintf(stderr, "hourseal-issuer stamp: %s\n", err);
		return rc == HS_ERR_NOTFOUND || rc == HS_ERR_STATE ||
		    rc == HS_ERR_INVALID ? 1 : 2;
	}
	return 0;
}
