/*
 * hourseal-issuer summary --year Y [--id ID] [--json]: each practitioner's
 * stamped hours against the policy's yearly requirement. The evaluation
 * and the JSON are the report module's (lib/store/report.h); this file
 * reads the command line and prints. The database is opened read-only.
 * Each practitioner's records that stand rejected (退回) are counted in
 * the last column and listed under the line with their reasons
 * ("#   rejected REF "TITLE": REASON (by ORG, TIME)").
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "core/i18n.h"
#include "core/tz.h"
#include "core/util.h"
#include "store/report.h"

struct args {
	const char *id;
	bool json;
	int year;
};

/* "public 5, professional 10.5" of what is missing; "" when met. */
static void
missing_text(const struct policy_result *r, bool split, struct buf *b)
{
	char h[HOURS_SIZE];
	const struct {
		const char *name;
		long v;
	} parts[] = {
		{ N_("public"), r->missing_public10 },
		{ N_("compulsory"), split ? r->missing_compulsory10 : 0 },
		{ N_("elective"), split ? r->missing_elective10 : 0 },
		{ N_("professional"), r->missing_professional10 },
		{ N_("total"), r->missing_total10 },
	};
	size_t i;
	bool first = true;

	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if (parts[i].v <= 0)
			continue;
		hours_format(parts[i].v, h);
		buf_printf(b, "%s%s %s", first ? "" : _(", "),
		    _(parts[i].name), h);
		first = false;
	}
}

/* One tab-separated line; ctx points at the policy's split flag. */
static void
line_text(void *ctx, const struct report_line *l)
{
	char pub[HOURS_SIZE], comp[HOURS_SIZE], elec[HOURS_SIZE],
	    prof[HOURS_SIZE], tot[HOURS_SIZE];
	bool split = *(const bool *)ctx;
	char when[HS_TIME_SHOW_MAX];
	struct buf b;
	size_t i;

	buf_init(&b);
	hours_format(l->r.public10, pub);
	hours_format(l->r.compulsory10, comp);
	hours_format(l->r.elective10, elec);
	hours_format(l->r.professional10, prof);
	hours_format(l->r.total10, tot);
	missing_text(&l->r, split, &b);
	printf("%s\t%s\t%s\t%s", l->p.id_masked, l->p.name,
	    l->p.unit[0] ? l->p.unit : "-", pub);
	if (split)
		printf(" (%s/%s)", comp, elec);
	printf("\t%s\t%s\t%s%s%s%s\t%zu\t%zu\n", prof, tot,
	    l->r.met ? _("met") : _("unmet"), b.len ? _(" (short: ") : "",
	    b.len ? b.data : "", b.len ? _(")") : "", l->pending, l->nrejected);
	buf_free(&b);
	/* Under the person: each record standing rejected and why. */
	for (i = 0; i < l->nrejected; i++) {
		hs_time_show_str(l->rejected[i].at, true, when);
		printf(_("#   rejected %s \"%s\": %s (by %s, %s)\n"),
		    l->rejected[i].ref, l->rejected[i].title,
		    l->rejected[i].reason[0] ? l->rejected[i].reason :
		    _("no reason given"), l->rejected[i].authority, when);
	}
	if (l->rejected_more)
		printf(_("#   ... and more rejected records (see "
		    "hourseal-issuer summary --json or the console)\n"));
}

static int
parse(const struct cmd *x, int argc, char **argv, void *args)
{
	static const struct option opts[] = {
		{ "year", required_argument, NULL, 'y' },
		{ "id", required_argument, NULL, 'i' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct args *a = args;
	int ch;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'y':
			if (cmd_year(x, optarg, &a->year) != 0)
				return 1;
			break;
		case 'i': a->id = optarg; break;
		case 'j': a->json = true; break;
		default: return CMD_USAGE;
		}
	}
	if (optind != argc || a->year == 0)
		return CMD_USAGE;
	return 0;
}

static int
run(struct cmd *x, void *args)
{
	const struct args *a = args;
	char err[HS_ERRLEN] = "", t[HOURS_SIZE], pu[HOURS_SIZE], pr[HOURS_SIZE];
	char *s = NULL;
	bool split = policy_split_public(x->pol);
	size_t n = 0, met = 0;
	enum hs_err rc;

	if (a->json) {
		if ((rc = report_summary_json(x->db, x->pol, a->year, a->id, &s,
		    err)) == HS_OK)
			printf("%s\n", s);
		free(s);
	} else {
		hours_format(policy_req_total10(x->pol), t);
		hours_format(policy_req_public10(x->pol), pu);
		hours_format(policy_req_professional10(x->pol), pr);
		printf(_("# %d, policy %s: %s hours a year, public %s, "
		    "professional %s; stamped records only\n"), a->year,
		    policy_name(x->pol), t, pu, pr);
		printf(_("id\tname\tunit\tpublic%s\tprofessional\ttotal\t"
		    "status\tpending\trejected\n"), split ? _(" (compulsory/elective)") : "");
		rc = report_summary(x->db, x->pol, a->year, a->id, line_text,
		    &split, &n, &met, err);
		if (rc == HS_OK)
			printf(_("# %zu practitioner%s: %zu met, %zu unmet\n"), n,
			    n == 1 ? "" : "s", met, n - met);
	}
	if (rc != HS_OK) {
		cmd_say(x, "%s", err);
		return rc == HS_ERR_NOTFOUND || rc == HS_ERR_INVALID ? 1 : 2;
	}
	return 0;
}

const struct cmd_ops cmd_summary_ops = { sizeof(struct args), parse, run };
