/*
 * hourseal-issuer revoke SERIAL --reason superseded|error|fraud|withdrawn
 *     [--note TEXT]
 *
 * Appends a revoke leaf and signs a new checkpoint (lib/issue.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "certcmd.h"
#include "store/certs.h"
#include "cmd.h"
#include "app/issue.h"
#include "cert/serial.h"
#include "store/store.h"

int
cmd_revoke(const struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "reason", required_argument, NULL, 'r' },
		{ "note", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	const char *reason = NULL, *note = NULL;
	char serial[SERIAL_SIZE], err[HS_ERRLEN] = "";
	struct issue *is = NULL;
	struct config c;
	sqlite3 *db = NULL;
	uint64_t index = 0, size = 0;
	enum hs_err rc;
	int ch, ret;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			reason = optarg;
			break;
		case 'n':
			note = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (optind + 1 != argc || reason == NULL)
		goto usage;
	if ((rc = serial_parse(argv[optind], serial, err)) != HS_OK)
		return certcmd_fail(cli->prog, rc, err);
	if (!certs_reason_valid(reason)) {
		fprintf(stderr, "%s: --reason must be one of %s, not '%s'\n",
		    cli->prog, CERTS_REASONS, reason);
		return 1;
	}
	if ((ret = certcmd_open(cli->prog, cli->data_dir, &c, &db)) != 0)
		return ret;
	if ((rc = issue_open(&c, db, ISSUE_SIGN, &is, err)) != HS_OK) {
		store_close(db);
		config_wipe(&c);
		certcmd_fail(cli->prog, rc, err);
		return 2;
	}
	rc = issue_revoke(is, serial, reason, note, &index, &size, err);
	issue_close(is);
	store_close(db);
	config_wipe(&c);
	if (rc != HS_OK)
		return certcmd_fail(cli->prog, rc, err);
	printf("revoked %s (%s): ledger index %llu, checkpoint size %llu\n",
	    serial, reason, (unsigned long long)index,
	    (unsigned long long)size);
	return 0;
usage:
	fprintf(stderr, "usage: %s revoke SERIAL --reason "
	    "superseded|error|fraud|withdrawn [--note TEXT]\n", cli->prog);
	return 1;
}
