/*
 * hourseal-issuer summary --year Y [--id ID] [--json]: each practitioner's
 * stamped hours against the policy's yearly requirement.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cert/cert.h"
#include "common.h"
#include "store/records.h"
#include "core/util.h"

static int
usage(void)
{
	fprintf(stderr, "usage: hourseal-issuer summary --year Y [--id ID] "
	    "[--json]\n");
	return 2;
}

/* Hours as a JSON number: 30 or 12.5. */
static json_t *
jhours(long tenths)
{
	return tenths % 10 == 0 ? json_integer(tenths / 10) :
	    json_real((double)tenths / 10.0);
}

/* "public 5, professional 10.5" of what is missing; "" when met. */
static void
missing_text(const struct policy_result *r, bool split, struct buf *b)
{
	char h[HOURS_SIZE];
	const struct {
		const char *name;
		long v;
	} parts[] = {
		{ "public", r->missing_public10 },
		{ "compulsory", split ? r->missing_compulsory10 : 0 },
		{ "elective", split ? r->missing_elective10 : 0 },
		{ "professional", r->missing_professional10 },
		{ "total", r->missing_total10 },
	};
	size_t i;
	bool first = true;

	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if (parts[i].v <= 0)
			continue;
		hours_format(parts[i].v, h);
		buf_printf(b, "%s%s %s", first ? "" : ", ", parts[i].name, h);
		first = false;
	}
}

struct line {
	struct records_person p;
	struct policy_result r;
	size_t nrecords, pending;
};

static enum hs_err
evaluate(struct issuer_ctx *x, int64_t pid, int year, struct line *l,
    char *err)
{
	struct cert_record *recs = NULL;
	enum hs_err rc;

	memset(l, 0, sizeof(*l));
	if ((rc = records_person_get(x->db, pid, &l->p, err)) != HS_OK)
		return rc;
	/* The same records and arithmetic as an annual certificate. */
	if ((rc = records_stamped(x->db, pid, year, x->pol, &recs, NULL,
	    &l->nrecords, err)) != HS_OK)
		return rc;
	policy_evaluate(x->pol, recs, l->nrecords, &l->r);
	free(recs);
	return records_pending_count(x->db, pid, year, &l->pending, err);
}

static json_t *
line_json(const struct line *l, bool split)
{
	json_t *o = json_object(), *m = json_object();

	json_object_set_new(o, "id", json_string(l->p.id_masked));
	json_object_set_new(o, "name", json_string(l->p.name));
	json_object_set_new(o, "unit", json_string(l->p.unit));
	json_object_set_new(o, "public", jhours(l->r.public10));
	if (split) {
		json_object_set_new(o, "compulsory", jhours(l->r.compulsory10));
		json_object_set_new(o, "elective", jhours(l->r.elective10));
	}
	json_object_set_new(o, "professional", jhours(l->r.professional10));
	json_object_set_new(o, "total", jhours(l->r.total10));
	json_object_set_new(o, "status", json_string(l->r.met ? "met" :
	    "unmet"));
	json_object_set_new(m, "public", jhours(l->r.missing_public10));
	if (split) {
		json_object_set_new(m, "compulsory",
		    jhours(l->r.missing_compulsory10));
		json_object_set_new(m, "elective",
		    jhours(l->r.missing_elective10));
	}
	json_object_set_new(m, "professional",
	    jhours(l->r.missing_professional10));
	json_object_set_new(m, "total", jhours(l->r.missing_total10));
	json_object_set_new(o, "missing", m);
	json_object_set_new(o, "records", json_integer((json_int_t)
	    l->nrecords));
	json_object_set_new(o, "pending", json_integer((json_int_t)
	    l->pending));
	return o;
}

static void
line_text(const struct line *l, bool split)
{
	char pub[HOURS_SIZE], comp[HOURS_SIZE], elec[HOURS_SIZE],
	    prof[HOURS_SIZE], tot[HOURS_SIZE];
	struct buf b;

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
	printf("\t%s\t%s\t%s%s%s%s\t%zu\n", prof, tot,
	    l->r.met ? "met" : "unmet", b.len ? " (short: " : "",
	    b.len ? b.data : "", b.len ? ")" : "", l->pending);
	buf_free(&b);
}

int
cmd_summary(const struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "year", required_argument, NULL, 'y' },
		{ "id", required_argument, NULL, 'i' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *id = NULL;
	bool json = false, split;
	struct issuer_ctx x;
	struct records_person p;
	struct line l;
	int64_t *ids = NULL, one;
	size_t n = 0, i, met = 0;
	char err[HS_ERRLEN] = "", *end, *s;
	json_t *root = NULL, *arr = NULL, *req;
	enum hs_err rc = HS_OK;
	int ch, year = 0, status = 0;
	long total;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'y':
			year = (int)strtol(optarg, &end, 10);
			if (*end != '\0' || year < 1900 || year > 2999) {
				fprintf(stderr, "hourseal-issuer summary: "
				    "--year: a year like 2024\n");
				return 2;
			}
			break;
		case 'i': id = optarg; break;
		case 'j': json = true; break;
		default: return usage();
		}
	}
	if (optind != argc || year == 0)
		return usage();
	if (issuer_open(cli, "summary", &x) != 0)
		return 2;
	split = policy_split_public(x.pol);
	if (id != NULL) {
		if ((rc = records_person_find(x.db, id, &p, err)) != HS_OK)
			goto out;
		one = p.id;
		ids = &one;
		n = 1;
	} else if ((rc = records_people(x.db, year, &ids, &n, err)) != HS_OK)
		goto out;

	if (json) {
		root = json_object();
		arr = json_array();
		req = json_object();
		json_object_set_new(root, "year", json_integer(year));
		json_object_set_new(root, "policy",
		    json_string(policy_name(x.pol)));
		json_object_set_new(req, "total",
		    jhours(policy_req_total10(x.pol)));
		json_object_set_new(req, "public",
		    jhours(policy_req_public10(x.pol)));
		if (split) {
			json_object_set_new(req, "compulsory",
			    jhours(policy_req_compulsory10(x.pol)));
			json_object_set_new(req, "elective",
			    jhours(policy_req_elective10(x.pol)));
		}
		json_object_set_new(req, "professional",
		    jhours(policy_req_professional10(x.pol)));
		json_object_set_new(root, "requirement", req);
		json_object_set_new(root, "practitioners", arr);
	} else {
		char t[HOURS_SIZE], pu[HOURS_SIZE], pr[HOURS_SIZE];

		hours_format(policy_req_total10(x.pol), t);
		hours_format(policy_req_public10(x.pol), pu);
		hours_format(policy_req_professional10(x.pol), pr);
		printf("# %d, policy %s: %s hours a year, public %s, "
		    "professional %s; stamped records only\n", year,
		    policy_name(x.pol), t, pu, pr);
		printf("id\tname\tunit\tpublic%s\tprofessional\ttotal\t"
		    "status\tpending\n", split ? " (compulsory/elective)" : "");
	}
	for (i = 0; i < n; i++) {
		if ((rc = evaluate(&x, ids[i], year, &l, err)) != HS_OK)
			goto out;
		met += l.r.met;
		if (json)
			json_array_append_new(arr, line_json(&l, split));
		else
			line_text(&l, split);
	}
	if (json) {
		json_object_set_new(root, "met", json_integer((json_int_t)met));
		json_object_set_new(root, "unmet", json_integer((json_int_t)
		    (n - met)));
		if ((s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER))
		    == NULL) {
			rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
			goto out;
		}
		printf("%s\n", s);
		free(s);
	} else {
		total = (long)n;
		printf("# %zu practitioner%s: %zu met, %ld unmet\n", n,
		    n == 1 ? "" : "s", met, total - (long)met);
	}
out:
	if (ids != &one)
		free(ids);
	json_decref(root);
	issuer_close(&x);
	if (rc != HS_OK) {
		fprintf(stderr, "hourseal-issuer summary: %s\n", err);
		status = rc == HS_ERR_NOTFOUND || rc == HS_ERR_INVALID ? 1 : 2;
	}
	return status;
}
