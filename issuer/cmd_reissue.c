/*
 * hourseal-issuer reissue SERIAL --out DIR
 *
 * A corrected certificate from the holder's current stamped records; the
 * old one is revoked as superseded and both point at each other.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "certcmd.h"
#include "cmd.h"
#include "app/issue.h"
#include "cert/serial.h"
#include "store/store.h"

int
cmd_reissue(const struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	char serial[SERIAL_SIZE], fresh[SERIAL_SIZE], err[HS_ERRLEN] = "";
	const char *out = NULL;
	struct issue_opts o;
	struct issue *is = NULL;
	struct config c;
	sqlite3 *db = NULL;
	enum hs_err rc;
	int ch, ret;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'o')
			goto usage;
		out = optarg;
	}
	if (optind + 1 != argc || out == NULL)
		goto usage;
	if ((rc = serial_parse(argv[optind], serial, err)) != HS_OK)
		return certcmd_fail(cli->prog, rc, err);
	signal(SIGXFSZ, SIG_IGN);
	memset(&o, 0, sizeof(o));
	o.quiet = true;
	if ((ret = certcmd_open(cli->prog, cli->data_dir, &c, &db)) != 0)
		return ret;
	if ((rc = issue_open(&c, db, ISSUE_SIGN | ISSUE_RENDER, &is, err)) !=
	    HS_OK) {
		store_close(db);
		config_wipe(&c);
		certcmd_fail(cli->prog, rc, err);
		return 2;
	}
	rc = issue_reissue(is, serial, out, &o, fresh, err);
	issue_close(is);
	store_close(db);
	config_wipe(&c);
	if (rc != HS_OK)
		return certcmd_fail(cli->prog, rc, err);
	printf("%s replaces %s (revoked as superseded)\n", fresh, serial);
	return 0;
usage:
	fprintf(stderr, "usage: %s reissue SERIAL --out DIR\n", cli->prog);
	return 1;
}
