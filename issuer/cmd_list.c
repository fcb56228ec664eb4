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

#include "certcmd.h"
#include "store/certs.h"
#include "cmd.h"
#include "store/store.h"
#include "core/util.h"

int
cmd_list(const struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "year", required_argument, NULL, 'y' },
		{ "id", required_argument, NULL, 'i' },
		{ "status", required_argument, NULL, 's' },
		{ "kind", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	struct certs_filter f;
	struct certs_iter *it = NULL;
	struct certs_row row;
	struct config c;
	sqlite3 *db = NULL;
	char err[HS_ERRLEN] = "", digest[45], hours[HOURS_SIZE];
	const char *id = NULL;
	enum hs_err rc;
	long n = 0;
	int ch, ret;

	memset(&f, 0, sizeof(f));
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'y':
			if (certcmd_year(cli->prog, optarg, &f.year) != 0)
				return 1;
			break;
		case 'i':
			id = optarg;
			break;
		case 's':
			if (strcmp(optarg, "valid") == 0)
				f.state = CERTS_VALID;
			else if (strcmp(optarg, "revoked") == 0)
				f.state = CERTS_REVOKED;
			else {
				fprintf(stderr, "%s: --status must be valid or "
				    "revoked, not '%s'\n", cli->prog, optarg);
				return 1;
			}
			break;
		case 'k':
			if (strcmp(optarg, "annual") != 0 &&
			    strcmp(optarg, "course") != 0) {
				fprintf(stderr, "%s: --kind must be annual or "
				    "course\n", cli->prog);
				return 1;
			}
			f.kind = optarg;
			break;
		default:
			fprintf(stderr, "usage: %s list [--year Y] [--id ID] "
			    "[--status valid|revoked] [--kind annual|course]\n",
			    cli->prog);
			return 1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: list: unexpected argument '%s'\n",
		    cli->prog, argv[optind]);
		return 1;
	}
	if ((ret = certcmd_open_ro(cli->prog, cli->data_dir, &c, &db)) != 0)
		return ret;
	if (id != NULL) {
		if ((rc = certcmd_id_digest(&c, id, digest, err)) != HS_OK)
			goto out;
		f.id_digest = digest;
	}
	if ((rc = certs_iter_open(db, &f, &it, err)) != HS_OK)
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
		fprintf(stderr, "%ld certificate%s\n", n, n == 1 ? "" : "s");
out:
	certs_iter_free(it);
	store_close(db);
	config_wipe(&c);
	if (rc != HS_OK)
		return certcmd_fail(cli->prog, rc, err);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "%s: writing the list failed\n", cli->prog);
		return 2;
	}
	return 0;
}
