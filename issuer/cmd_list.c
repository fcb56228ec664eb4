/*
 * hourseal-issuer list [--year Y] [--id ID] [--status valid|revoked]
 *
 * One tab-separated line per certificate, after a header:
 * serial, year, kind, masked ID, name, total hours, met/unmet, valid or
 * revoked(reason), ledger index, PDF file.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "core/i18n.h"
#include "store/certs.h"
#include "core/util.h"

struct args {
	struct certs_filter f;
	const char *id;
};

static int
parse(const struct cmd *x, int argc, char **argv, void *args)
{
	static const struct option opts[] = {
		{ "year", required_argument, NULL, 'y' },
		{ "id", required_argument, NULL, 'i' },
		{ "status", required_argument, NULL, 's' },
		{ "kind", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	struct args *a = args;
	int ch;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'y':
			if (cmd_year(x, optarg, &a->f.year) != 0)
				return 1;
			break;
		case 'i':
			a->id = optarg;
			break;
		case 's':
			if (strcmp(optarg, "valid") == 0)
				a->f.state = CERTS_VALID;
			else if (strcmp(optarg, "revoked") == 0)
				a->f.state = CERTS_REVOKED;
			else {
				cmd_say(x, "--status must be valid or revoked, "
				    "not '%s'", optarg);
				return 1;
			}
			break;
		case 'k':
			if (strcmp(optarg, "annual") != 0 &&
			    strcmp(optarg, "course") != 0) {
				cmd_say(x, "--kind must be annual or course, "
				    "not '%s'", optarg);
				return 1;
			}
			a->f.kind = optarg;
			break;
		default:
			return CMD_USAGE;
		}
	}
	if (optind < argc) {
		cmd_say(x, "unexpected argument '%s'", argv[optind]);
		return CMD_USAGE;
	}
	return 0;
}

static int
run(struct cmd *x, void *args)
{
	struct args *a = args;
	struct certs_filter f = a->f;
	struct certs_iter *it = NULL;
	struct certs_row row;
	char err[HS_ERRLEN] = "", digest[45], hours[HOURS_SIZE];
	enum hs_err rc;
	long n = 0;

	if (a->id != NULL) {
		if ((rc = cmd_id_digest(&x->cfg, a->id, digest, err)) != HS_OK)
			goto out;
		f.id_digest = digest;
	}
	if ((rc = certs_iter_open(x->db, &f, &it, err)) != HS_OK)
		goto out;
	printf("serial\tyear\tkind\tid\tname\thours\tresult\tstatus\t"
	    "ledger_index\tfile\n");
	while ((rc = certs_iter_next(it, &row, err)) == HS_OK) {
		hours_format(row.total10, hours);
		printf("%s\t%d\t%s\t%s\t%s\t%s\t%s\t", row.serial, row.year,
		    row.kind, row.id_masked, row.name, hours,
		    row.status[0] ? row.status : "-");
		if (row.revoked)
			printf("revoked(%s)", row.reason);
		else
			printf("valid");
		printf("\t%lld\t%s\n", row.leaf_index,
		    row.pdf_file[0] ? row.pdf_file : "-");
		n++;
	}
	if (rc == HS_ERR_NOTFOUND)
		rc = HS_OK;
	if (rc == HS_OK)
		fprintf(stderr, _("%ld certificate%s\n"), n, n == 1 ? "" : "s");
out:
	certs_iter_free(it);
	if (rc != HS_OK)
		return cmd_fail(x, rc, err);
	if (fflush(stdout) != 0) {
		cmd_say(x, "writing the list failed");
		return 2;
	}
	return 0;
}

const struct cmd_ops cmd_list_ops = { sizeof(struct args), parse, run };
